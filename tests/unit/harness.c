/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.c - unit test fixtures: EAL without hugepages, a stack whose TX
 * callback captures frames, frame crafting and decoding.
 */
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

struct ptest_ctx *
ptest_new(const struct ptcp_stack_conf *conf)
{
	static unsigned int seq;
	struct ptcp_stack_conf c;
	struct ptest_ctx *t;
	char name[32];

	ptest_eal_init();
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
	snprintf(t->name_buf, sizeof(t->name_buf), "ptest%u", seq++);
	c.name = t->name_buf;
	t->now = 1000000;   /* 1 s: timers never see 0 */

	t->st = ptcp_stack_create(&c);
	assert_non_null(t->st);
	t->st->now_us = t->now;
	assert_int_equal(ptcp_arp_update(t->st, PTEST_PEER_IP, &ptest_peer_mac), 0);
	return t;
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
	ptcp_stack_destroy(t->st);
	ptest_clear(t);
	/* Every mbuf back in the pool: nothing leaked by the stack. */
	assert_int_equal(rte_mempool_avail_count(t->pool), PTEST_POOL_SIZE);
	rte_mempool_free(t->pool);
	free(t);
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
