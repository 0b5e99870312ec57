/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_common.c - see fuzz_common.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_random.h>

#include "fuzz_common.h"
#include "net_private.h"

/* Frames are at most MTU + Ethernet; a larger capture buffer catches overruns. */
#define FUZZ_FRAME_MAX 4096

const uint8_t *
fuzz_bytes(struct fuzz_in *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p + in->off;

	if (n > in->len - in->off)
		n = in->len - in->off;
	in->off += n;
	*got = n;
	return p;
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
fuzz_init(void)
{
	/* A failed cmocka assertion outside a cmocka test aborts instead of exit(-1). */
	setenv("CMOCKA_TEST_ABORT", "1", 1);
	ptest_eal_init();
}

struct ptest_ctx *
fuzz_stack_new(void)
{
	static const struct ptcp_isn_key key = { .k0 = 0x0123456789abcdefull,
						 .k1 = 0xfedcba9876543210ull };
	struct ptcp_stack_conf conf;
	struct ptest_ctx *t;

	memset(&conf, 0, sizeof(conf));
	conf.max_conns = 64;        /* a small table: cheap to create per input */
	conf.msl_ms = 500;          /* TIME-WAIT 1 s: short teardown timelines */
	conf.arp_timeout_ms = UINT32_MAX;   /* the seeded peer stays for 49 days */
	conf.fin_timeout_ms = 2000;         /* orphaned FIN-WAIT-2: 2 s */
	rte_srand(1);               /* ephemeral ports, IP IDs: the same every run */
	t = ptest_new_tcp(&conf);
	/* Keys from getrandom() fixed: the same input drives the same segments. */
	tcp_of(t->st)->isn_key = key;
	tcp_of(t->st)->port_key = key;
	tcp_of(t->st)->cookie_key = key;
	memset(&t->st->net->ident_key, 0, sizeof(t->st->net->ident_key));
	return t;
}

static void
check_frame(const struct ptest_ctx *t, const uint8_t *f, uint32_t len)
{
	struct ptcp_ipv4_info ip;
	struct ptcp_icmp_info icmp;
	struct ptcp_arp_info arp;
	struct ptcp_tcp_seg seg;
	uint16_t et;
	const uint8_t *l4;
	uint32_t l4_len;

	FUZZ_CHECK(len <= FUZZ_FRAME_MAX, "sent frame of %u bytes", len);
	FUZZ_CHECK(ptcp_eth_parse(f, len, &et) == 0, "sent a runt frame (%u bytes)", len);
	FUZZ_CHECK(memcmp(f + RTE_ETHER_ADDR_LEN, &ptest_local_mac, RTE_ETHER_ADDR_LEN) == 0,
		   "sent a frame from another MAC");
	if (et == RTE_ETHER_TYPE_ARP) {
		FUZZ_CHECK(ptcp_arp_parse(f + RTE_ETHER_HDR_LEN, len - RTE_ETHER_HDR_LEN,
					  &arp) == 0, "sent a malformed ARP packet");
		FUZZ_CHECK(arp.spa == PTEST_LOCAL_IP, "sent ARP for another address");
		return;
	}
	FUZZ_CHECK(et == RTE_ETHER_TYPE_IPV4, "sent EtherType 0x%04x", et);
	FUZZ_CHECK(ptcp_ipv4_parse(f + RTE_ETHER_HDR_LEN, len - RTE_ETHER_HDR_LEN, true, &ip) == 0,
		   "sent a malformed IPv4 header or bad header checksum");
	FUZZ_CHECK(ip.src == PTEST_LOCAL_IP, "sent IPv4 from another address");
	FUZZ_CHECK(ip.total_len <= t->st->conf.mtu, "sent %u bytes beyond the MTU", ip.total_len);
	if (ptcp_ipv4_is_fragment(&ip))
		return;   /* L4 checksums cover the whole datagram */
	l4 = f + RTE_ETHER_HDR_LEN + ip.hdr_len;
	l4_len = ip.total_len - ip.hdr_len;
	if (ip.proto == IPPROTO_ICMP) {
		FUZZ_CHECK(ptcp_icmp_parse(l4, l4_len, &icmp) == 0,
			   "sent a malformed ICMP message or bad checksum (%u bytes, type %u,"
			   " sum 0x%04x, frame %u bytes)", l4_len, l4_len ? l4[0] : 0,
			   ptcp_cksum_raw(l4, l4_len), len);
	} else if (ip.proto == IPPROTO_TCP) {
		FUZZ_CHECK(ptcp_l4_cksum(ip.src, ip.dst, IPPROTO_TCP, l4, l4_len) == 0,
			   "sent a TCP segment with a bad checksum");
		FUZZ_CHECK(ptcp_tcp_parse(l4, l4_len, &seg) == 0,
			   "sent a malformed TCP header");
		FUZZ_CHECK(!((seg.flags & RTE_TCP_SYN_FLAG) && (seg.flags & RTE_TCP_FIN_FLAG)),
			   "sent SYN+FIN");
		FUZZ_CHECK(!((seg.flags & RTE_TCP_RST_FLAG) && seg.len != 0),
			   "sent a RST with data");
	} else {
		fuzz_fail("sent IPv4 protocol %u", ip.proto);
	}
}

void
fuzz_check_sent(struct ptest_ctx *t)
{
	static uint8_t f[FUZZ_FRAME_MAX + 1];

	while (t->nsent > 0) {
		uint32_t len = ptest_pop_raw(t, f, sizeof(f));

		check_frame(t, f, len);
	}
}

struct ptcp_conn *
fuzz_conn_lookup(struct ptest_conn *pc)
{
	struct ptcp_flow f = { .laddr = PTEST_LOCAL_IP, .raddr = PTEST_PEER_IP,
			       .lport = pc->lport, .rport = pc->rport };

	return ptcp_tcp_conn_lookup(pc->t->st, &f);
}

/* Sum of data_len over a chain (linked by ->next); *segs counts the mbufs. */
static uint64_t
chain_len(const struct rte_mbuf *m, const struct rte_mbuf **last, unsigned int *segs)
{
	uint64_t n = 0;

	*last = NULL;
	for (; m != NULL; m = m->next) {
		n += m->data_len;
		*last = m;
		(*segs)++;
		FUZZ_CHECK(*segs < 1000000, "mbuf chain loops");
	}
	return n;
}

static unsigned int
check_conn(const struct ptcp_conn *c)
{
	const struct rte_mbuf *last, *m;
	unsigned int segs = 0, nblk = 0;
	uint64_t n, ooo = 0;
	uint32_t prev_end = 0;

	FUZZ_CHECK(c->state < PTCP_TCP_N_STATES, "state %u", c->state);
	/* RFC 9293 3.3.1: SND.UNA <= SND.NXT <= SND.MAX (the highest sent). */
	FUZZ_CHECK(ptcp_seq_le(c->snd_una, c->snd_nxt), "%s: snd_una %u > snd_nxt %u",
		   ptcp_tcp_state_name(c->state), c->snd_una, c->snd_nxt);
	FUZZ_CHECK(ptcp_seq_le(c->snd_nxt, c->snd_max), "%s: snd_nxt %u > snd_max %u",
		   ptcp_tcp_state_name(c->state), c->snd_nxt, c->snd_max);
	/* Everything sent and not acknowledged is still queued (+1 for a FIN). */
	FUZZ_CHECK(ptcp_seq_le(c->snd_max, c->sndq_seq + c->sndq_bytes + 1),
		   "%s: snd_max %u beyond the queued data (sndq_seq %u, %u bytes)",
		   ptcp_tcp_state_name(c->state), c->snd_max, c->sndq_seq, c->sndq_bytes);

	n = chain_len(c->sndq_head, &last, &segs);
	FUZZ_CHECK(n == c->sndq_bytes, "sndq_bytes %u, chain holds %lu", c->sndq_bytes,
		   (unsigned long)n);
	FUZZ_CHECK(last == c->sndq_tail, "sndq_tail is not the chain's last mbuf");
	n = chain_len(c->rcvq_head, &last, &segs);
	FUZZ_CHECK(n == c->rcvq_bytes, "rcvq_bytes %u, chain holds %lu", c->rcvq_bytes,
		   (unsigned long)n);
	FUZZ_CHECK(last == c->rcvq_tail || (c->rcvq_head == NULL && c->rcvq_tail == NULL),
		   "rcvq_tail is not the chain's last mbuf");

	/* Out-of-order blocks: sorted, disjoint, beyond RCV.NXT, within the window. */
	for (m = c->ooo_head; m != NULL; m = ptcp_tcp_blk((struct rte_mbuf *)m)->next) {
		const struct ptcp_tcp_blk *b = ptcp_tcp_blk((struct rte_mbuf *)m);

		n = chain_len(m, &last, &segs);
		FUZZ_CHECK(n == b->len, "ooo block at %u: len %u, chain holds %lu", b->seq, b->len,
			   (unsigned long)n);
		FUZZ_CHECK(b->len > 0, "empty ooo block at %u", b->seq);
		FUZZ_CHECK(ptcp_seq_gt(b->seq, c->rcv_nxt), "ooo block at %u not beyond rcv_nxt %u",
			   b->seq, c->rcv_nxt);
		FUZZ_CHECK(nblk == 0 || ptcp_seq_ge(b->seq, prev_end),
			   "ooo block at %u overlaps the previous (end %u)", b->seq, prev_end);
		FUZZ_CHECK(ptcp_seq_le(b->seq + b->len, c->rcv_adv),
			   "ooo block [%u, %u) beyond the advertised edge %u", b->seq,
			   b->seq + b->len, c->rcv_adv);
		prev_end = b->seq + b->len;
		ooo += b->len;
		nblk++;
		FUZZ_CHECK(nblk < 100000, "ooo list loops");
	}
	FUZZ_CHECK(ooo == c->ooo_bytes, "ooo_bytes %u, blocks hold %lu", c->ooo_bytes,
		   (unsigned long)ooo);
	FUZZ_CHECK(nblk == c->ooo_blocks, "ooo_blocks %u, list has %u", c->ooo_blocks, nblk);
	return segs;
}

void
fuzz_check_conn(const struct ptcp_conn *c)
{
	check_conn(c);
}

/* Snapshot the table's connections (at most cap). */
static unsigned int
table_conns(struct ptest_ctx *t, struct ptcp_conn **all, unsigned int cap)
{
	struct ptcp_tcp *tcp = tcp_of(t->st);
	const void *key;
	void *data;
	uint32_t iter = 0;
	unsigned int n = 0;

	while (n < cap && rte_hash_iterate(tcp->table, &key, &data, &iter) >= 0)
		all[n++] = data;
	return n;
}

void
fuzz_check_all(struct ptest_ctx *t)
{
	struct ptcp_conn *all[128];
	unsigned int n = table_conns(t, all, RTE_DIM(all));

	FUZZ_CHECK(n == tcp_of(t->st)->nconns, "table holds %u connections, nconns says %u",
		   n, tcp_of(t->st)->nconns);
	FUZZ_CHECK(n <= t->st->conf.max_conns, "%u connections, max_conns %u", n,
		   t->st->conf.max_conns);
	for (unsigned int i = 0; i < n; i++)
		check_conn(all[i]);
}

/* The peer acknowledges all we sent and, unless it did already, sends its FIN. */
static void
peer_finish(struct ptest_ctx *t, const struct ptcp_flow *f)
{
	struct ptcp_conn *c = ptcp_tcp_conn_lookup(t->st, f);
	struct ptcp_tcp_opts ts = { 0 };
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (c == NULL)
		return;
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "teardown: %s una %u nxt %u max %u sndq %u+%u rcv_nxt %u snd_wnd %u "
			"cwnd %u ssthresh %u mss %u flags 0x%x timers %d%d%d%d%d\n",
			ptcp_tcp_state_name(c->state), c->snd_una, c->snd_nxt, c->snd_max,
			c->sndq_seq, c->sndq_bytes, c->rcv_nxt, c->snd_wnd, c->cwnd, c->ssthresh,
			c->snd_mss, c->flags, c->timer[0] != 0, c->timer[1] != 0, c->timer[2] != 0,
			c->timer[3] != 0, c->timer[4] != 0);
	/*
	 * A connection with timestamps drops segments without them (RFC 7323
	 * 3.2) and older than TS.Recent (PAWS): the peer's clock moves on.
	 */
	if (c->flags & PTCP_TF_TSTMP) {
		ts.present = PTCP_TCPOPT_F_TS;
		ts.tsval = c->ts_recent + 1;
	}
	if (c->flags & PTCP_TF_FIN_OOO) {
		/*
		 * A fuzzed FIN beyond a gap fixed where the stream ends: the peer
		 * sends what it skipped, up to that FIN (the FIN then takes effect).
		 */
		uint8_t data[1460];
		uint32_t n = RTE_MIN(c->ooo_fin_seq - c->rcv_nxt, (uint32_t)sizeof(data));

		memset(data, 0x5a, n);
		ptest_rx_seg(t, &(struct ptest_seg){ .src = f->raddr, .dst = f->laddr,
			.sport = f->rport, .dport = f->lport, .seq = c->rcv_nxt,
			.ack = c->snd_max, .flags = RTE_TCP_ACK_FLAG, .wnd = 65535,
			.data = data, .len = n, .opt = ts.present ? &ts : NULL });
		fuzz_check_sent(t);
		return;
	}
	switch (c->state) {
	case PTCP_TCP_SYN_SENT:
		return;   /* closing it deleted it; nothing to answer */
	case PTCP_TCP_CLOSE_WAIT:
	case PTCP_TCP_LAST_ACK:
	case PTCP_TCP_CLOSING:
	case PTCP_TCP_TIME_WAIT:
		break;    /* the peer's FIN is in */
	default:
		flags |= RTE_TCP_FIN_FLAG;
		break;
	}
	/*
	 * A fuzzed segment beyond RCV.NXT may have set SND.WL1 there (RFC 9293
	 * 3.10.7.4: the window is taken from segments with SEG.SEQ >= SND.WL1),
	 * so the window the peer opens at RCV.NXT below would be ignored. The
	 * peer opens it at SND.WL1 first: it claimed to have sent up to there.
	 */
	if (ptcp_seq_gt(c->snd_wl1, c->rcv_nxt)) {
		ptest_rx_seg(t, &(struct ptest_seg){ .src = f->raddr, .dst = f->laddr,
			.sport = f->rport, .dport = f->lport, .seq = c->snd_wl1,
			.ack = c->snd_max, .flags = RTE_TCP_ACK_FLAG, .wnd = 65535,
			.opt = ts.present ? &ts : NULL });
		fuzz_check_sent(t);
		c = ptcp_tcp_conn_lookup(t->st, f);
		if (c == NULL)
			return;
	}
	ptest_rx_seg(t, &(struct ptest_seg){ .src = f->raddr, .dst = f->laddr,
		.sport = f->rport, .dport = f->lport, .seq = c->rcv_nxt, .ack = c->snd_max,
		.flags = flags, .wnd = 65535, .opt = ts.present ? &ts : NULL });
	fuzz_check_sent(t);
}

/* Progress of a connection as the teardown peer sees it. */
static uint64_t
progress(struct ptest_ctx *t)
{
	struct ptcp_conn *all[128];
	unsigned int n = table_conns(t, all, RTE_DIM(all));
	uint64_t h = n * 1000003u + ptcp_tcp_conn_count(t->st);   /* SYN cache entries too */

	for (unsigned int i = 0; i < n; i++)
		h = h * 31 + all[i]->snd_una + ((uint64_t)all[i]->state << 32) + all[i]->rcv_nxt;
	return h;
}

void
fuzz_teardown(struct ptest_ctx *t)
{
	struct ptcp_conn *all[128];
	struct ptcp_flow flows[128];
	unsigned int n, i, idle = 0;
	uint64_t last = progress(t), now;

	ptcp_stack_close_all(t->st);
	ptest_kick(t);
	fuzz_check_sent(t);
	/*
	 * Rounds of 200 ms (RTO floor; 2 MSL is 1 s) while something moves: a
	 * small peer MSS can make draining a full send buffer take thousands.
	 */
	while (ptcp_tcp_conn_count(t->st) > 0 && idle < 30) {
		n = table_conns(t, all, RTE_DIM(all));
		for (i = 0; i < n; i++)
			flows[i] = all[i]->flow;
		for (i = 0; i < n; i++)
			peer_finish(t, &flows[i]);
		ptest_advance(t, 200 * 1000);
		fuzz_check_sent(t);
		fuzz_check_all(t);
		now = progress(t);
		idle = now == last ? idle + 1 : 0;
		last = now;
	}
	if (ptcp_tcp_conn_count(t->st) > 0) {
		n = table_conns(t, all, RTE_DIM(all));
		fuzz_fail("%u connection(s) left after close_all and a cooperative peer, first %s",
			  n, n ? ptcp_tcp_state_name(all[0]->state) : "?");
	}
	ptest_free(t);   /* asserts every mbuf is back in the pool */
}
