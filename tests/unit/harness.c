/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.c - unit test fixtures: EAL without hugepages, a stack whose TX
 * callback captures frames, frame crafting and decoding.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "harness.h"

const struct rte_ether_addr ptest_local_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
const struct rte_ether_addr ptest_peer_mac = {{ 0x02, 0, 0, 0, 0, 0x01 }};

#define PTEST_POOL_SIZE 4095

/* EAL makes /var/run/dpdk/<prefix> even with --no-shconf: leave nothing behind. */
static void
ptest_eal_fini(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

void
ptest_eal_init(void)
{
	static int done;
	char prefix[64];

	if (done)
		return;
	snprintf(prefix, sizeof(prefix), "--file-prefix=ptest%d", (int)getpid());
	char *argv[] = { "ptest", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			 "--no-telemetry", "-l", "0", "--log-level=*:error", prefix, NULL };
	int argc = (int)RTE_DIM(argv) - 1;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "ptest: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		abort();
	}
	done = 1;
	atexit(ptest_eal_fini);
}

static uint16_t
capture_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct ptest_ctx *t = arg;
	uint16_t i;

	for (i = 0; i < n && t->nsent < PTEST_MAX_SENT; i++)
		t->sent[t->nsent++] = pkts[i];
	return i;
}

/* The context of the running test; a failed test leaves it for the next ptest_new. */
static struct ptest_ctx *ptest_live;

static void
ptest_reap_failed(void)
{
	struct ptest_ctx *t = ptest_live;

	if (t == NULL)
		return;
	ptest_live = NULL;
	ptcp_stack_destroy(t->st);
	for (unsigned int i = 0; i < t->nsent; i++)
		rte_pktmbuf_free(t->sent[i]);
	rte_mempool_free(t->pool);
	rte_mempool_free(t->ind_pool);
	free(t);
}

struct ptest_ctx *
ptest_new(const struct ptcp_stack_conf *conf)
{
	static unsigned int seq;
	struct ptcp_stack_conf c;
	struct ptest_ctx *t;
	char name[32];

	ptest_eal_init();
	ptest_reap_failed();   /* a previous test failed before ptest_free */
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(name, sizeof(name), "ptest_pool%u", seq);
	t->pool = rte_pktmbuf_pool_create(name, PTEST_POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(t->pool);

	if (conf != NULL)
		c = *conf;
	else
		memset(&c, 0, sizeof(c));
	c.ip = PTEST_LOCAL_IP;
	c.mac = ptest_local_mac;
	c.pool = t->pool;
	c.tx_fn = capture_tx;
	c.tx_arg = t;
	/* ACK every segment unless the test is about delayed ACKs (sets delack_ms). */
	if (conf == NULL || conf->delack_ms == 0)
		c.quickack = true;
	/* The seeded peer stays resolved however far a test moves the clock. */
	if (c.arp_timeout_ms == 0)
		c.arp_timeout_ms = UINT32_MAX;
	snprintf(t->name_buf, sizeof(t->name_buf), "ptest%u", seq++);
	c.name = t->name_buf;
	t->now = 1000000;   /* 1 s: timers never see 0 */

	t->st = ptcp_stack_create(&c);
	assert_non_null(t->st);
	t->st->now_us = t->now;
	assert_int_equal(ptcp_arp_update(t->st, PTEST_PEER_IP, &ptest_peer_mac), 0);
	ptest_live = t;
	return t;
}

struct ptest_ctx *
ptest_new_tcp(const struct ptcp_stack_conf *conf)
{
	struct ptcp_stack_conf c;

	if (conf != NULL)
		c = *conf;
	else
		memset(&c, 0, sizeof(c));
	if (c.arp_timeout_ms == 0)
		c.arp_timeout_ms = 24u * 3600u * 1000u;
	return ptest_new(&c);
}

void
ptest_clear(struct ptest_ctx *t)
{
	for (unsigned int i = 0; i < t->nsent; i++)
		rte_pktmbuf_free(t->sent[i]);
	t->nsent = 0;
}

void
ptest_free(struct ptest_ctx *t)
{
	if (ptest_live == t)
		ptest_live = NULL;
	/* The memory charged to TCP queues never exceeds what the stack really holds... */
	assert_true(t->st->mem_held <= ptest_pool_held(t));
	/* ...and is exactly given back when every connection's buffers are freed. */
	ptcp_tcp_fini(t->st);
	assert_int_equal(t->st->mem_held, 0);
	ptcp_stack_destroy(t->st);
	ptest_clear(t);
	/* Every mbuf back in the pool: nothing leaked by the stack. */
	assert_int_equal(rte_mempool_avail_count(t->pool), PTEST_POOL_SIZE);
	rte_mempool_free(t->pool);
	if (t->ind_pool != NULL) {
		assert_int_equal(rte_mempool_avail_count(t->ind_pool), PTEST_POOL_SIZE);
		rte_mempool_free(t->ind_pool);
	}
	free(t);
}

struct ptest_ctx *
ptest_new_zc(const struct ptcp_stack_conf *conf)
{
	static unsigned int seq;
	struct rte_mempool *ind;
	struct ptcp_stack_conf c;
	struct ptest_ctx *t;
	char name[32];

	ptest_eal_init();
	snprintf(name, sizeof(name), "ptest_ind%u", seq++);
	ind = rte_pktmbuf_pool_create(name, PTEST_POOL_SIZE, 0, 0, 0, SOCKET_ID_ANY);
	assert_non_null(ind);
	if (conf != NULL)
		c = *conf;
	else
		memset(&c, 0, sizeof(c));
	c.indirect_pool = ind;
	c.offloads |= PTCP_OFFLOAD_TX_MULTI_SEG;
	t = ptest_new_tcp(&c);
	t->ind_pool = ind;
	return t;
}

unsigned int
ptest_ind_held(const struct ptest_ctx *t)
{
	return PTEST_POOL_SIZE - rte_mempool_avail_count(t->ind_pool);
}

unsigned int
ptest_pool_held(const struct ptest_ctx *t)
{
	return PTEST_POOL_SIZE - rte_mempool_avail_count(t->pool) - t->nsent;
}

static struct rte_mbuf *
frame_alloc(struct ptest_ctx *t, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, len));
	return m;
}

struct rte_mbuf *
ptest_raw_frame(struct ptest_ctx *t, const void *bytes, uint32_t len)
{
	struct rte_mbuf *m = frame_alloc(t, len);

	memcpy(rte_pktmbuf_mtod(m, void *), bytes, len);
	return m;
}

struct rte_mbuf *
ptest_ipv4_frame(struct ptest_ctx *t, rte_be32_t src, rte_be32_t dst, uint8_t proto,
		 const void *l4, uint32_t l4_len)
{
	struct rte_mbuf *m = frame_alloc(t, RTE_ETHER_HDR_LEN + 20 + l4_len);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	ptcp_eth_build(p, &ptest_local_mac, &ptest_peer_mac, RTE_ETHER_TYPE_IPV4);
	ptcp_ipv4_build(p + RTE_ETHER_HDR_LEN, src, dst, proto, (uint16_t)l4_len, 1, 64, false);
	memcpy(p + RTE_ETHER_HDR_LEN + 20, l4, l4_len);
	return m;
}

struct rte_mbuf *
ptest_tcp_frame(struct ptest_ctx *t, const struct ptest_seg *s)
{
	uint8_t l4[PTCP_TCP_MAX_HDR_LEN + 2048];
	uint32_t optlen = 0, hlen, l4_len;
	rte_be32_t src = s->src ? s->src : PTEST_PEER_IP;
	rte_be32_t dst = s->dst ? s->dst : PTEST_LOCAL_IP;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

	assert_true(s->len <= 2048);
	memset(l4, 0, PTCP_TCP_MAX_HDR_LEN);
	if (s->opt != NULL)
		optlen = ptcp_tcp_opts_build(l4 + PTCP_TCP_HDR_LEN, s->opt);
	ptcp_tcp_build(l4, s->sport, s->dport, s->seq, s->ack, s->flags, s->wnd, optlen);
	hlen = PTCP_TCP_HDR_LEN + optlen;
	if (s->len)
		memcpy(l4 + hlen, s->data, s->len);
	l4_len = hlen + s->len;
	th->cksum = 0;
	th->cksum = ptcp_l4_cksum(src, dst, IPPROTO_TCP, l4, l4_len);
	if (s->bad_cksum)
		th->cksum ^= 0x5555;
	return ptest_ipv4_frame(t, src, dst, IPPROTO_TCP, l4, l4_len);
}

void
ptest_rx(struct ptest_ctx *t, struct rte_mbuf *m)
{
	ptcp_stack_rx_burst(t->st, &m, 1, t->now);
	ptcp_stack_flush(t->st);
}

void
ptest_rx_seg(struct ptest_ctx *t, const struct ptest_seg *s)
{
	ptest_rx(t, ptest_tcp_frame(t, s));
}

void
ptest_advance(struct ptest_ctx *t, uint64_t us)
{
	t->now += us;
	ptcp_stack_poll(t->st, t->now);
	ptcp_stack_flush(t->st);
}

static struct rte_mbuf *
pop(struct ptest_ctx *t)
{
	struct rte_mbuf *m;

	if (t->nsent == 0)
		fail_msg("expected a transmitted frame, none was sent");
	m = t->sent[0];
	memmove(&t->sent[0], &t->sent[1], (t->nsent - 1) * sizeof(t->sent[0]));
	t->nsent--;
	return m;
}

uint32_t
ptest_pop_raw(struct ptest_ctx *t, void *buf, uint32_t cap)
{
	struct rte_mbuf *m = pop(t);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const void *p = rte_pktmbuf_read(m, 0, RTE_MIN(len, cap), buf);

	if (p != buf && cap)
		memcpy(buf, p, RTE_MIN(len, cap));
	rte_pktmbuf_free(m);
	return len;
}

uint32_t
ptest_pop_tcp(struct ptest_ctx *t, struct ptcp_tcp_seg *seg, void *payload, uint32_t cap)
{
	uint8_t f[4096];
	uint32_t len = ptest_pop_raw(t, f, sizeof(f));
	struct ptcp_ipv4_info ip;
	uint16_t et;
	struct ptcp_tcp_seg tmp;
	const uint8_t *l4;
	uint32_t l4_len;

	if (seg == NULL)
		seg = &tmp;
	assert_true(len <= sizeof(f));
	assert_int_equal(ptcp_eth_parse(f, len, &et), 0);
	assert_int_equal(et, RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(f, &ptest_peer_mac, 6);
	assert_int_equal(ptcp_ipv4_parse(f + RTE_ETHER_HDR_LEN, len - RTE_ETHER_HDR_LEN, true,
					 &ip), 0);
	assert_int_equal(ip.proto, IPPROTO_TCP);
	assert_int_equal(ip.src, PTEST_LOCAL_IP);
	l4 = f + RTE_ETHER_HDR_LEN + ip.hdr_len;
	l4_len = ip.total_len - ip.hdr_len;
	/* The harness has no offload: the stack must have written a full checksum. */
	assert_int_equal(ptcp_l4_cksum(ip.src, ip.dst, IPPROTO_TCP, l4, l4_len), 0);
	assert_int_equal(ptcp_tcp_parse(l4, l4_len, seg), 0);
	if (payload != NULL && seg->len)
		memcpy(payload, l4 + seg->hdr_len, RTE_MIN(seg->len, cap));
	return seg->len;
}

void
ptest_assert_nothing_sent(struct ptest_ctx *t)
{
	if (t->nsent != 0) {
		struct ptcp_tcp_seg s;

		ptest_pop_tcp(t, &s, NULL, 0);
		fail_msg("expected nothing sent; got flags 0x%02x seq %u ack %u len %u",
			 s.flags, s.seq, s.ack, s.len);
	}
}

/* ---- TCP connection fixtures ---------------------------------------------- */

static void
rec_established(struct ptcp_conn *c, void *arg)
{
	struct ptest_rec *r = arg;

	r->conn = c;
	r->n_established++;
	if (r->greet != NULL)
		assert_int_equal(ptcp_send(c, r->greet, r->greet_len), (int32_t)r->greet_len);
}

static void
rec_readable(struct ptcp_conn *c, void *arg)
{
	struct ptest_rec *r = arg;
	uint8_t buf[4096];
	uint32_t n;

	r->n_readable++;
	if (r->auto_read) {
		while ((n = ptcp_recv(c, buf, sizeof(buf))) > 0) {
			uint32_t room = (uint32_t)sizeof(r->rx) - r->rx_len;

			memcpy(r->rx + r->rx_len, buf, RTE_MIN(n, room));
			r->rx_len += RTE_MIN(n, room);
			if (r->echo)
				assert_int_equal(ptcp_send(c, buf, n), (int32_t)n);
		}
	}
	if (ptcp_conn_eof(c)) {
		r->eof = true;
		if (r->close_on_eof && !r->close_done) {
			r->close_done = true;
			ptcp_close(c);
		}
	}
}

static void
rec_writable(struct ptcp_conn *c, void *arg)
{
	struct ptest_rec *r = arg;

	RTE_SET_USED(c);
	r->n_writable++;
}

static void
rec_closed(struct ptcp_conn *c, void *arg, int err)
{
	struct ptest_rec *r = arg;

	r->n_closed++;
	r->closed_err = err;
	r->closed_conn = c;
	if (r->conn == c)
		r->conn = NULL;
}

const struct ptcp_conn_ops ptest_rec_ops = {
	.on_established = rec_established,
	.on_readable = rec_readable,
	.on_writable = rec_writable,
	.on_closed = rec_closed,
};

static const char *
flags_str(uint8_t f, char *buf)
{
	static const char names[8] = { 'F', 'S', 'R', 'P', 'A', 'U', 'E', 'C' };
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			buf[n++] = names[i];
	if (n == 0)
		buf[n++] = '-';
	buf[n] = '\0';
	return buf;
}

void
ptest_kick(struct ptest_ctx *t)
{
	ptest_advance(t, 0);
}

void
ptest_pattern(void *buf, uint32_t len, uint8_t seed)
{
	uint8_t *p = buf;

	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

void
ptest_expect_at(const char *file, int line, struct ptest_ctx *t, const struct ptest_exp *e,
		struct ptcp_tcp_seg *out)
{
	uint8_t ign = RTE_TCP_PSH_FLAG | e->flags_opt;
	char fe[9], fg[9];
	uint8_t pl[4096];
	struct ptcp_tcp_seg s;
	bool bad = false;

	if (t->nsent == 0) {
		print_error("expected segment [%s] seq %u ack %u wnd %d len %u; nothing was sent\n",
			    flags_str(e->flags, fe), e->seq, e->ack, e->wnd, e->len);
		_fail(file, line);
	}
	ptest_pop_tcp(t, &s, pl, sizeof(pl));
	if ((s.flags & ~ign) != (e->flags & ~ign))
		bad = true;
	if ((e->sport && s.sport != e->sport) || (e->dport && s.dport != e->dport))
		bad = true;
	if (s.seq != e->seq || s.len != e->len)
		bad = true;
	if ((s.flags & RTE_TCP_ACK_FLAG) && s.ack != e->ack)
		bad = true;
	if (e->wnd != PTEST_WND_ANY && s.wnd != (uint32_t)e->wnd)
		bad = true;
	if (!bad && e->data != NULL && s.len && memcmp(pl, e->data, RTE_MIN(s.len, sizeof(pl))))
		bad = true;
	if (bad) {
		print_error("expected %u->%u [%s] seq %u ack %u wnd %d len %u%s\n"
			    "     got %u->%u [%s] seq %u ack %u wnd %u len %u%s\n",
			    e->sport, e->dport, flags_str(e->flags, fe), e->seq, e->ack, e->wnd,
			    e->len, e->flags_opt ? " (some flags optional)" : "",
			    s.sport, s.dport, flags_str(s.flags, fg), s.seq, s.ack, s.wnd, s.len,
			    (e->data != NULL && s.len == e->len) ? " (payload compared)" : "");
		_fail(file, line);
	}
	if (out != NULL)
		*out = s;
}

void
ptest_nothing_sent_at(const char *file, int line, struct ptest_ctx *t)
{
	struct ptcp_tcp_seg s;
	char fg[9];

	if (t->nsent == 0)
		return;
	ptest_pop_tcp(t, &s, NULL, 0);
	print_error("expected nothing sent; got %u->%u [%s] seq %u ack %u wnd %u len %u"
		    " (+%u more)\n", s.sport, s.dport, flags_str(s.flags, fg), s.seq, s.ack,
		    s.wnd, s.len, t->nsent);
	_fail(file, line);
}

uint64_t
ptest_expect_sent_after_at(const char *file, int line, struct ptest_ctx *t, uint64_t us)
{
	uint64_t elapsed = 0;

	if (us > 1000) {
		ptest_advance(t, us - 1000);
		elapsed = us - 1000;
		ptest_nothing_sent_at(file, line, t);
	}
	while (t->nsent == 0 && elapsed < us + PTEST_SLACK_US) {
		ptest_advance(t, 1000);
		elapsed += 1000;
	}
	if (t->nsent == 0) {
		print_error("expected a segment %" PRIu64 " us from then; nothing sent within"
			    " %" PRIu64 " us\n", us, elapsed);
		_fail(file, line);
	}
	return elapsed;
}

void
ptest_expect_sent_at_at(const char *file, int line, struct ptest_ctx *t, uint64_t us)
{
	if (us < 1000) {
		print_error("PTEST_EXPECT_SENT_AT needs at least 1 ms, got %" PRIu64 " us\n", us);
		_fail(file, line);
	}
	ptest_advance(t, us - 1000);
	ptest_nothing_sent_at(file, line, t);
	ptest_advance(t, 1000);
	if (t->nsent == 0) {
		print_error("expected a segment %" PRIu64 " us from then; nothing sent\n", us);
		_fail(file, line);
	}
}

int32_t
ptest_conn_wnd(const struct ptest_conn *pc)
{
	const struct ptcp_stack_conf *conf = &pc->t->st->conf;
	uint32_t space = conf->rcv_buf > pc->unread ? conf->rcv_buf - pc->unread : 0;
	uint32_t cur = (int32_t)(pc->rcv_adv - pc->rcv_nxt) > 0 ? pc->rcv_adv - pc->rcv_nxt : 0;
	uint32_t thresh = RTE_MIN(conf->rcv_buf / 2, (uint32_t)conf->mtu - 40);
	uint8_t shift = pc->wscale_on ? pc->rcv_wscale : 0;

	space = RTE_MIN(space, 65535u << shift);
	if (space <= cur || space - cur < thresh)
		return (int32_t)RTE_MIN(cur >> shift, 65535u);   /* edge kept: rounded down */
	return (int32_t)RTE_MIN((space + (1u << shift) - 1) >> shift, 65535u);
}

void
ptest_conn_expect_at(const char *file, int line, struct ptest_conn *pc,
		     const struct ptest_exp *e, struct ptcp_tcp_seg *out)
{
	struct ptcp_tcp_seg s;

	ptest_expect_at(file, line, pc->t, e, &s);
	if ((s.flags & RTE_TCP_ACK_FLAG) && !(s.flags & RTE_TCP_RST_FLAG)) {
		uint32_t edge = s.ack + ((uint32_t)s.wnd <<
					 (pc->wscale_on && !(s.flags & RTE_TCP_SYN_FLAG) ?
					  pc->rcv_wscale : 0));

		/* RFC 7323 2.4: a scaled window may retract by less than 2^shift. */
		if (!pc->wscale_on || (s.flags & RTE_TCP_SYN_FLAG) ||
		    (int32_t)(edge - pc->rcv_adv) > 0)
			pc->rcv_adv = edge;
	}
	if (s.opt.present & PTCP_TCPOPT_F_TS)
		pc->ts_echo = s.opt.tsval;
	if (out != NULL)
		*out = s;
}

void
ptest_conn_init(struct ptest_ctx *t, struct ptest_conn *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->t = t;
	pc->lport = PTEST_LPORT;
	pc->rport = PTEST_RPORT;
	pc->irs = PTEST_PEER_ISN;
	pc->rcv_nxt = pc->irs + 1;
	pc->peer_wnd = 65535;
	pc->peer_mss = PTEST_MSS;
	pc->rcv_wnd = RTE_MIN(t->st->conf.rcv_buf, 65535u);
	pc->rcv_adv = pc->rcv_nxt + pc->rcv_wnd;
}

struct ptest_ctx *
ptest_established_wnd(struct ptest_conn *pc, const struct ptcp_stack_conf *conf,
		      uint16_t peer_wnd)
{
	struct ptest_ctx *t = ptest_new_tcp(conf);

	ptest_conn_init(t, pc);
	pc->peer_wnd = peer_wnd;
	ptest_conn_passive(pc);
	return t;
}

struct ptest_ctx *
ptest_established(struct ptest_conn *pc, const struct ptcp_stack_conf *conf)
{
	return ptest_established_wnd(pc, conf, 65535);
}

void
ptest_stream_start(struct ptest_conn *pc, const uint8_t *stream)
{
	pc->stream = stream;
	pc->stream_base = pc->snd_nxt;
	pc->stream_queued = 0;
}

void
ptest_stream_send(struct ptest_conn *pc, uint32_t len)
{
	assert_non_null(pc->stream);
	assert_int_equal(ptcp_send(ptest_conn_c(pc), pc->stream + pc->stream_queued, len),
			 (int32_t)len);
	pc->stream_queued += len;
	ptest_kick(pc->t);
}

void
ptest_stream_send_segs(struct ptest_conn *pc, unsigned int n)
{
	ptest_stream_send(pc, n * PTEST_MSS);
	for (unsigned int i = 0; i < n; i++)
		PTEST_EXPECT_NEW(pc, PTEST_MSS);
	PTEST_NOTHING_SENT(pc->t);
}

void
ptest_conn_rx_ack_to(struct ptest_conn *pc, uint32_t ack)
{
	ptest_conn_rx(pc, RTE_TCP_ACK_FLAG, pc->rcv_nxt, ack, NULL, 0);
}

void
ptest_conn_rx_sack(struct ptest_conn *pc, uint32_t ack, const struct ptcp_sack_block *b,
		   unsigned int n)
{
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_SACK };

	assert_true(n <= PTCP_TCP_MAX_SACK);
	o.nsack = (uint8_t)n;
	memcpy(o.sack, b, n * sizeof(*b));
	ptest_rx_seg(pc->t, &(struct ptest_seg){ .src = pc->peer_ip, .sport = pc->rport,
		.dport = pc->lport,
		.seq = pc->rcv_nxt, .ack = ack, .flags = RTE_TCP_ACK_FLAG, .wnd = pc->peer_wnd,
		.opt = &o });
}

struct ptcp_conn *
ptest_conn_c(struct ptest_conn *pc)
{
	assert_non_null(pc->rec.conn);
	return pc->rec.conn;
}

/* A peer at an address of its own (pc->peer_ip) gets the peer's MAC in the neighbour table. */
static void
peer_neigh(struct ptest_conn *pc)
{
	if (pc->peer_ip != 0)
		assert_int_equal(ptcp_arp_update(pc->t->st, pc->peer_ip, &ptest_peer_mac), 0);
}

void
ptest_conn_listen(struct ptest_conn *pc)
{
	assert_int_equal(ptcp_listen(pc->t->st, pc->lport, &ptest_rec_ops, &pc->rec), 0);
}

/* The peer's SYN or SYN-ACK options: MSS (peer_mss) and peer_opts. */
static void
syn_opts(const struct ptest_conn *pc, struct ptcp_tcp_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (pc->peer_mss) {
		o->present = PTCP_TCPOPT_F_MSS;
		o->mss = pc->peer_mss;
	}
	o->present |= pc->peer_opts & (PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM |
				       PTCP_TCPOPT_F_TS);
	o->wscale = pc->peer_wscale;
	o->tsval = pc->peer_tsval;
	o->tsecr = pc->ts_echo;   /* 0 on a SYN; our SYN's TSval on a SYN-ACK */
}

/*
 * Our SYN or SYN-ACK, full window, MSS option mtu - 40. A SYN offers what
 * the stack's conf allows (window scale, SACK-permitted, timestamps with
 * TSecr 0); a SYN-ACK answers the peer's SYN with what both carry (MSS,
 * and of peer_opts what conf allows; TSecr = the SYN's TSval). What was
 * agreed is recorded in pc (wscale_on, rcv_wscale, ts_on, ts_echo).
 */
static void
check_our_syn(struct ptest_conn *pc, const struct ptcp_tcp_seg *s, uint8_t flags)
{
	const struct ptcp_stack_conf *conf = &pc->t->st->conf;
	uint8_t offer = (conf->no_wscale ? 0 : PTCP_TCPOPT_F_WSCALE) |
		(conf->no_sack ? 0 : PTCP_TCPOPT_F_SACK_PERM) |
		(conf->no_timestamps ? 0 : PTCP_TCPOPT_F_TS);
	uint8_t want = PTCP_TCPOPT_F_MSS;

	if (!(flags & RTE_TCP_ACK_FLAG)) {
		want |= offer;
		if (want & PTCP_TCPOPT_F_TS)
			assert_int_equal(s->opt.tsecr, 0);
	} else {
		want |= offer & pc->peer_opts;
		if (want & PTCP_TCPOPT_F_TS)
			assert_int_equal(s->opt.tsecr, pc->peer_tsval);
	}
	pc->wscale_on = (s->opt.present & PTCP_TCPOPT_F_WSCALE) &&
		(pc->peer_opts & PTCP_TCPOPT_F_WSCALE);
	pc->rcv_wscale = pc->wscale_on ? s->opt.wscale : 0;
	pc->ts_on = (s->opt.present & PTCP_TCPOPT_F_TS) && (pc->peer_opts & PTCP_TCPOPT_F_TS);
	pc->ts_echo = s->opt.tsval;
	assert_int_equal(s->flags, flags);
	assert_int_equal(s->sport, pc->lport);
	assert_int_equal(s->dport, pc->rport);
	assert_int_equal(s->len, 0);
	assert_int_equal(s->wnd, pc->rcv_wnd);
	assert_int_equal(s->opt.present, want);
	assert_int_equal(s->opt.mss, pc->t->st->conf.mtu - 40);
	if (flags & RTE_TCP_ACK_FLAG)
		assert_int_equal(s->ack, pc->irs + 1);
}

void
ptest_conn_syn_received(struct ptest_conn *pc)
{
	struct ptcp_tcp_opts o;
	struct ptcp_tcp_seg s;

	peer_neigh(pc);
	syn_opts(pc, &o);
	o.tsecr = 0;
	ptest_rx_seg(pc->t, &(struct ptest_seg){ .src = pc->peer_ip, .sport = pc->rport,
		.dport = pc->lport,
		.seq = pc->irs, .flags = RTE_TCP_SYN_FLAG, .wnd = pc->peer_wnd,
		.opt = o.present ? &o : NULL });
	ptest_pop_tcp(pc->t, &s, NULL, 0);
	check_our_syn(pc, &s, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	pc->iss = s.seq;
	pc->snd_nxt = s.seq + 1;
	pc->rcv_nxt = pc->irs + 1;
	pc->rcv_adv = pc->rcv_nxt + s.wnd;
	PTEST_NOTHING_SENT(pc->t);
}

void
ptest_conn_passive(struct ptest_conn *pc)
{
	ptest_conn_listen(pc);
	ptest_conn_syn_received(pc);
	ptest_conn_rx_ack(pc);
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(pc->rec.n_established, 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_ESTABLISHED);
}

void
ptest_conn_syn_sent(struct ptest_conn *pc)
{
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;

	if (pc->lport == PTEST_LPORT)
		pc->lport = PTEST_ACTIVE_LPORT;
	peer_neigh(pc);
	c = ptcp_connect(pc->t->st, pc->peer_ip ? pc->peer_ip : PTEST_PEER_IP, pc->rport,
			 pc->lport, &ptest_rec_ops, &pc->rec);
	assert_non_null(c);
	pc->rec.conn = c;
	ptest_kick(pc->t);
	ptest_pop_tcp(pc->t, &s, NULL, 0);
	check_our_syn(pc, &s, RTE_TCP_SYN_FLAG);
	pc->iss = s.seq;
	pc->snd_nxt = s.seq + 1;
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(ptcp_conn_state(c), PTCP_TCP_SYN_SENT);
}

void
ptest_conn_active(struct ptest_conn *pc)
{
	struct ptcp_tcp_opts o;

	ptest_conn_syn_sent(pc);
	syn_opts(pc, &o);
	ptest_rx_seg(pc->t, &(struct ptest_seg){ .src = pc->peer_ip, .sport = pc->rport,
		.dport = pc->lport,
		.seq = pc->irs, .ack = pc->snd_nxt, .flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		.wnd = pc->peer_wnd, .opt = o.present ? &o : NULL });
	pc->rcv_nxt = pc->irs + 1;
	pc->rcv_adv = pc->rcv_nxt + pc->rcv_wnd;   /* our SYN's window */
	PTEST_EXPECT_ACK(pc);
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(pc->rec.n_established, 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_ESTABLISHED);
}

void
ptest_conn_fin_wait_1(struct ptest_conn *pc)
{
	assert_int_equal(ptcp_shutdown(ptest_conn_c(pc)), 0);
	ptest_kick(pc->t);
	PTEST_EXPECT(pc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, pc->snd_nxt, pc->rcv_nxt,
		     ptest_conn_wnd(pc), 0, NULL, NULL);
	pc->snd_nxt++;
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_FIN_WAIT_1);
}

void
ptest_conn_fin_wait_2(struct ptest_conn *pc)
{
	ptest_conn_fin_wait_1(pc);
	ptest_conn_rx_ack(pc);
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_FIN_WAIT_2);
}

void
ptest_conn_time_wait(struct ptest_conn *pc)
{
	uint32_t tw = ptcp_stack_time_wait_count(pc->t->st);
	unsigned int closed = pc->rec.n_closed;

	ptest_conn_fin_wait_2(pc);
	ptest_conn_rx_fin(pc);
	PTEST_EXPECT_ACK(pc);
	PTEST_NOTHING_SENT(pc->t);
	/* TIME-WAIT is a record now; the connection is closed for the application. */
	assert_int_equal(ptcp_stack_time_wait_count(pc->t->st), tw + 1);
	assert_int_equal(pc->rec.n_closed, closed + 1);
	assert_int_equal(pc->rec.closed_err, 0);
	assert_null(pc->rec.conn);
}

void
ptest_conn_close_wait(struct ptest_conn *pc)
{
	ptest_conn_rx_fin(pc);
	PTEST_EXPECT_ACK(pc);
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_CLOSE_WAIT);
}

void
ptest_conn_last_ack(struct ptest_conn *pc)
{
	ptest_conn_close_wait(pc);
	assert_int_equal(ptcp_shutdown(ptest_conn_c(pc)), 0);
	ptest_kick(pc->t);
	PTEST_EXPECT(pc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, pc->snd_nxt, pc->rcv_nxt,
		     ptest_conn_wnd(pc), 0, NULL, NULL);
	pc->snd_nxt++;
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_LAST_ACK);
}

void
ptest_conn_closing(struct ptest_conn *pc)
{
	ptest_conn_fin_wait_1(pc);
	/* The peer's FIN crosses ours: it acknowledges everything but our FIN. */
	ptest_conn_rx(pc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, pc->rcv_nxt, pc->snd_nxt - 1,
		      NULL, 0);
	pc->rcv_nxt++;
	PTEST_EXPECT_ACK(pc);
	PTEST_NOTHING_SENT(pc->t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(pc)), PTCP_TCP_CLOSING);
}

void
ptest_conn_rx(struct ptest_conn *pc, uint8_t flags, uint32_t seq, uint32_t ack,
	      const void *data, uint32_t len)
{
	struct ptcp_tcp_opts ts = { .present = PTCP_TCPOPT_F_TS, .tsval = pc->peer_tsval,
				    .tsecr = pc->ts_echo };

	ptest_rx_seg(pc->t, &(struct ptest_seg){ .src = pc->peer_ip, .sport = pc->rport,
		.dport = pc->lport,
		.seq = seq, .ack = ack, .flags = flags, .wnd = pc->peer_wnd, .data = data,
		.len = len, .opt = pc->ts_on ? &ts : NULL });
}

void
ptest_conn_rx_data(struct ptest_conn *pc, const void *data, uint32_t len)
{
	ptest_conn_rx(pc, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, pc->rcv_nxt, pc->snd_nxt,
		      data, len);
	pc->rcv_nxt += len;
	if (!pc->rec.auto_read)
		pc->unread += len;
}

void
ptest_conn_rx_ack(struct ptest_conn *pc)
{
	ptest_conn_rx(pc, RTE_TCP_ACK_FLAG, pc->rcv_nxt, pc->snd_nxt, NULL, 0);
}

void
ptest_conn_rx_fin(struct ptest_conn *pc)
{
	ptest_conn_rx(pc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, pc->rcv_nxt, pc->snd_nxt,
		      NULL, 0);
	pc->rcv_nxt++;
}

void
ptest_conn_send(struct ptest_conn *pc, const void *data, uint32_t len)
{
	assert_int_equal(ptcp_send(ptest_conn_c(pc), data, len), (int32_t)len);
	ptest_kick(pc->t);
}

uint32_t
ptest_conn_read(struct ptest_conn *pc, void *buf, uint32_t cap)
{
	uint32_t n = ptcp_recv(ptest_conn_c(pc), buf, cap);

	assert_true(n <= pc->unread);
	pc->unread -= n;
	ptest_kick(pc->t);
	return n;
}

bool
ptest_conn_wnd_update_due(const struct ptest_conn *pc)
{
	uint32_t cur = (int32_t)(pc->rcv_adv - pc->rcv_nxt) > 0 ? pc->rcv_adv - pc->rcv_nxt : 0;

	return ((uint32_t)ptest_conn_wnd(pc) << (pc->wscale_on ? pc->rcv_wscale : 0)) > cur;
}
