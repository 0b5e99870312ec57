/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_pmtu.c - path MTU discovery (lib/tcp/tcp_pmtu.c): RFC 1191 ICMP
 * "fragmentation needed" lowering the MSS and resending the flight, the
 * RFC 1191 plateau table, the RFC 5927 4.1 sequence-number validation, the
 * per-lcore path-MTU cache (expiry per RFC 1191 6.3, new connections),
 * black-hole detection after repeated timeouts (RFC 4821), and the MSS
 * rules of RFC 9293 3.7.1 (536 without the option, clamped to our MTU).
 *
 * ICMP errors come from a router at 198.18.0.254, quoting a segment we sent
 * (IPv4 header + 8 bytes of TCP: ports and sequence number), as RFC 792
 * requires. The peer's sequence numbers start just below 2^32.
 */
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

#define MSS PTEST_MSS
#define ROUTER_IP RTE_BE32(UINT32_C(0xC61200FE))   /* 198.18.0.254 */

static struct ptest_conn conn;
static uint8_t data[32 * PTEST_MSS];

static struct ptest_ctx *
established(const struct ptcp_stack_conf *conf)
{
	struct ptest_ctx *t = ptest_established(&conn, conf);

	ptest_pattern(data, sizeof(data), 0x5a);
	ptest_stream_start(&conn, data);
	return t;
}

/*
 * The router's ICMP destination unreachable, fragmentation needed (RFC
 * 1191 4), next-hop MTU mtu, quoting our segment lport -> rport at seq in a
 * datagram of quoted_len bytes.
 */
static void
rx_frag_needed_to(struct ptest_ctx *t, rte_be32_t raddr, uint16_t lport, uint16_t rport,
		  uint32_t seq, uint16_t mtu, uint16_t quoted_len, uint32_t tcp_bytes)
{
	uint8_t msg[8 + 20 + 8];
	uint8_t *q = msg + 8, *th = q + 20;
	uint16_t ck;

	memset(msg, 0, sizeof(msg));
	msg[0] = 3;
	msg[1] = 4;
	msg[6] = (uint8_t)(mtu >> 8);
	msg[7] = (uint8_t)mtu;
	ptcp_ipv4_build(q, PTEST_LOCAL_IP, raddr, IPPROTO_TCP,
			(uint16_t)(quoted_len - 20), 0, 63, true);
	th[0] = (uint8_t)(lport >> 8);
	th[1] = (uint8_t)lport;
	th[2] = (uint8_t)(rport >> 8);
	th[3] = (uint8_t)rport;
	th[4] = (uint8_t)(seq >> 24);
	th[5] = (uint8_t)(seq >> 16);
	th[6] = (uint8_t)(seq >> 8);
	th[7] = (uint8_t)seq;
	ck = (uint16_t)~ptcp_cksum_raw(msg, 8 + 20 + tcp_bytes);
	memcpy(msg + 2, &ck, 2);
	ptest_rx(t, ptest_ipv4_frame(t, ROUTER_IP, PTEST_LOCAL_IP, IPPROTO_ICMP, msg,
				     8 + 20 + tcp_bytes));
}

/* The same quoting a segment to PTEST_PEER_IP. */
static void
rx_frag_needed_quote(struct ptest_ctx *t, uint16_t lport, uint16_t rport, uint32_t seq,
		     uint16_t mtu, uint16_t quoted_len, uint32_t tcp_bytes)
{
	rx_frag_needed_to(t, PTEST_PEER_IP, lport, rport, seq, mtu, quoted_len, tcp_bytes);
}

static void
rx_frag_needed(struct ptest_ctx *t, uint16_t lport, uint16_t rport, uint32_t seq, uint16_t mtu,
	       uint16_t quoted_len)
{
	rx_frag_needed_quote(t, lport, rport, seq, mtu, quoted_len, 8);
}

static void
conn_frag_needed(uint32_t seq, uint16_t mtu)
{
	rx_frag_needed(conn.t, conn.lport, conn.rport, seq, mtu, 20 + 20 + MSS);
}

/* Expect the retransmission of [from, to) cut into segments of at most mss. */
static void
expect_rexmit_cut(uint32_t from, uint32_t to, uint32_t mss)
{
	while (from != to) {
		uint32_t len = RTE_MIN(mss, to - from);

		PTEST_EXPECT_REXMIT(&conn, from, len);
		from += len;
	}
}

static void
test_rfc1191_frag_needed_lowers_mss_and_resends(void **state)
{
	/*
	 * Ensure that an ICMP fragmentation-needed with next-hop MTU 1280 quoting
	 * a segment in flight lowers the MSS to 1240 at once, resends the whole
	 * flight cut by it without waiting for a timeout and without a congestion
	 * response (cwnd unchanged), and records the path MTU in the cache.
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	uint32_t cwnd;

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	cwnd = c->cwnd;
	conn_frag_needed(conn.stream_base + 3 * MSS, 1280);
	assert_int_equal(PTEST_CTR(t, ICMP_FRAG_NEEDED_RX), 1);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_REDUCED), 1);
	assert_int_equal(c->snd_mss, 1240);
	/* 10 * 1460 = 14600 bytes in flight again, as 11 x 1240 + 960. */
	expect_rexmit_cut(conn.stream_base, conn.stream_base + 10 * MSS, 1240);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->cwnd, cwnd);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 0);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 12);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1280);
	assert_int_equal(ptcp_tcp_pmtu_count(t->st), 1);
	/* The same flight's other ICMPs change nothing more, nor do larger MTUs. */
	conn_frag_needed(conn.stream_base + 5 * MSS, 1280);
	conn_frag_needed(conn.stream_base + 5 * MSS, 1400);
	conn_frag_needed(conn.stream_base + 5 * MSS, 9000);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_ICMP_NOCHANGE), 3);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1280);
	assert_int_equal(PTEST_CTR(t, PMTU_CACHE_ADD), 1);
	PTEST_NOTHING_SENT(t);
	/* New data goes out at the new size. */
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 10 * MSS);
	conn.snd_nxt = conn.stream_base + 10 * MSS;
	ptest_stream_send(&conn, 2 * 1240);
	PTEST_EXPECT_NEW(&conn, 1240);
	PTEST_EXPECT_NEW(&conn, 1240);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc1191_zero_mtu_uses_plateau(void **state)
{
	/*
	 * Ensure that a fragmentation-needed without a next-hop MTU (a pre-RFC
	 * 1191 router) takes the largest RFC 1191 7 plateau below the quoted
	 * datagram's length: 1492 for a 1500-byte datagram (MSS 1452).
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	assert_int_equal(ptcp_tcp_pmtu_plateau(1500), 1492);
	assert_int_equal(ptcp_tcp_pmtu_plateau(1492), 1006);
	assert_int_equal(ptcp_tcp_pmtu_plateau(9000), 8166);
	assert_int_equal(ptcp_tcp_pmtu_plateau(60), 68);
	ptest_stream_send_segs(&conn, 10);
	rx_frag_needed(t, conn.lport, conn.rport, conn.stream_base, 0, 1500);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_PLATEAU), 1);
	assert_int_equal(c->snd_mss, 1452);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1492);
	expect_rexmit_cut(conn.stream_base, conn.stream_base + 10 * MSS, 1452);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc1191_mtu_below_floor_clamped(void **state)
{
	/*
	 * Ensure that a next-hop MTU below conf.pmtu_min (576) is raised to it
	 * and counted: a forged ICMP cannot shrink segments below 536 bytes.
	 */
	struct ptest_ctx *t = established(NULL);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	conn_frag_needed(conn.stream_base, 100);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_MTU_CLAMPED), 1);
	assert_int_equal(ptest_conn_c(&conn)->snd_mss, 536);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 576);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc5927_4_1_icmp_quoting_out_of_flight_seq_rejected(void **state)
{
	/*
	 * Ensure that a fragmentation-needed quoting a sequence number outside
	 * [SND.UNA, SND.MAX) (not yet sent, already acknowledged, or any with
	 * nothing in flight) is counted and changes nothing, and that one at
	 * SND.MAX - 1 is accepted.
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	conn_frag_needed(conn.snd_nxt, 1280);   /* nothing in flight */
	ptest_stream_send_segs(&conn, 10);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);   /* SND.UNA = base + MSS */
	PTEST_NOTHING_SENT(t);
	conn_frag_needed(conn.stream_base + 10 * MSS, 1280);   /* SND.MAX */
	conn_frag_needed(conn.stream_base + MSS - 1, 1280);    /* acknowledged */
	conn_frag_needed(conn.stream_base + 0x40000000u, 1280);   /* far away */
	rx_frag_needed(t, conn.lport, conn.rport + 1, conn.stream_base + MSS, 1280, 1500);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_ICMP_REJECTED), 4);
	assert_int_equal(PTEST_CTR(t, ICMP_ERR_TCP_NO_CONN), 1);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_REDUCED), 0);
	assert_int_equal(c->snd_mss, MSS);
	assert_int_equal(ptcp_tcp_pmtu_count(t->st), 0);
	PTEST_NOTHING_SENT(t);
	conn_frag_needed(conn.stream_base + 10 * MSS - 1, 1280);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_REDUCED), 1);
	assert_int_equal(c->snd_mss, 1240);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc1191_6_3_pmtu_cache_entry_expires(void **state)
{
	/*
	 * Ensure that a lowered path MTU is raised again after conf.pmtu_expire_ms
	 * (RFC 1191 6.3): the entry expires (counted), and the connection that
	 * lowered its MSS sends full 1460-byte segments again.
	 */
	struct ptcp_stack_conf conf = { .pmtu_expire_ms = 2000 };
	struct ptest_ctx *t = established(&conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	conn_frag_needed(conn.stream_base, 1280);
	expect_rexmit_cut(conn.stream_base, conn.stream_base + 10 * MSS, 1240);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 10 * MSS);
	conn.snd_nxt = conn.stream_base + 10 * MSS;
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, PTCP_MS(1990));
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1280);
	assert_int_equal(PTEST_CTR(t, PMTU_CACHE_EXPIRED), 0);
	ptest_advance(t, PTCP_MS(20));
	assert_int_equal(PTEST_CTR(t, PMTU_CACHE_EXPIRED), 1);
	assert_int_equal(ptcp_tcp_pmtu_count(t->st), 0);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1500);
	ptest_clear(t);   /* keepalive-free: nothing else was due */
	ptest_stream_send(&conn, 2 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->snd_mss, MSS);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_SYNCED), 1);
	ptest_free(t);
}

static void
test_rfc1191_6_3_pmtu_cache_full_evicts_soonest_expiry(void **state)
{
	/*
	 * Ensure that a full path-MTU cache (8 destinations, the smallest size)
	 * makes room for a ninth by giving up the entry that expires first
	 * (counted in PMTU_CACHE_EVICT), keeps the others, and that the
	 * connection whose entry went keeps its lowered MSS.
	 */
	static struct ptest_conn pcs[9];
	struct ptcp_stack_conf conf = { .pmtu_cache_size = 8 };
	struct ptest_ctx *t = ptest_new_tcp(&conf);
	unsigned int i;

	(void)state;
	ptest_pattern(data, sizeof(data), 0x5a);
	for (i = 0; i < RTE_DIM(pcs); i++) {
		struct ptest_conn *pc = &pcs[i];

		ptest_conn_init(t, pc);
		pc->peer_ip = rte_cpu_to_be_32(0xC6120000u + 10 + i);   /* 198.18.0.10 + i */
		pc->lport = (uint16_t)(PTEST_LPORT + i);
		ptest_conn_passive(pc);
		ptest_stream_start(pc, data);
		ptest_stream_send_segs(pc, 2);
	}
	for (i = 0; i < RTE_DIM(pcs); i++) {
		struct ptest_conn *pc = &pcs[i];

		rx_frag_needed_to(t, pc->peer_ip, pc->lport, pc->rport, pc->stream_base, 1280,
				  20 + 20 + MSS, 8);
		assert_int_equal(ptest_conn_c(pc)->snd_mss, 1240);
		ptest_clear(t);   /* the flight, resent at 1240 */
		assert_int_equal(ptcp_tcp_pmtu_count(t->st), RTE_MIN(i + 1, 8u));
		assert_int_equal(PTEST_CTR(t, PMTU_CACHE_EVICT), i < 8 ? 0 : 1);
		ptest_advance(t, PTCP_MS(1));   /* each entry expires 1 ms after the one before */
	}
	assert_int_equal(PTEST_CTR(t, PMTU_CACHE_ADD), 9);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, pcs[0].peer_ip), 1500);   /* evicted */
	for (i = 1; i < RTE_DIM(pcs); i++)
		assert_int_equal(ptcp_tcp_pmtu_get(t->st, pcs[i].peer_ip), 1280);
	assert_int_equal(ptest_conn_c(&pcs[0])->snd_mss, 1240);
	ptest_free(t);
}

static void
test_pmtu_cache_new_connection_starts_with_cached_mss(void **state)
{
	/*
	 * Ensure that a connection opened to a destination the cache holds starts
	 * with the cached path MTU's MSS (1240), while announcing our own (1460).
	 */
	static struct ptest_conn pc2;
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c2;

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	conn_frag_needed(conn.stream_base, 1280);
	ptest_clear(t);
	ptest_conn_init(t, &pc2);
	pc2.rport = PTEST_RPORT + 1;
	ptest_conn_active(&pc2);   /* its SYN announced MSS 1460 (checked there) */
	c2 = ptest_conn_c(&pc2);
	assert_int_equal(c2->snd_mss, 1240);
	assert_int_equal(c2->mss_clamp, MSS);
	ptest_stream_start(&pc2, data);
	ptest_stream_send(&pc2, 2 * 1240);
	PTEST_EXPECT_NEW(&pc2, 1240);
	PTEST_EXPECT_NEW(&pc2, 1240);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_pmtu_cache_change_reaches_other_connections(void **state)
{
	/*
	 * Ensure that an established connection to the same destination follows
	 * a cache change made by another connection's ICMP at its next send, and
	 * resends its own flight at the new size.
	 */
	static struct ptest_conn pc2;
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c2;

	(void)state;
	ptest_conn_init(t, &pc2);
	pc2.rport = PTEST_RPORT + 1;
	ptest_conn_active(&pc2);
	c2 = ptest_conn_c(&pc2);
	ptest_stream_start(&pc2, data);
	ptest_stream_send(&pc2, 2 * MSS);
	PTEST_EXPECT_NEW(&pc2, MSS);
	PTEST_EXPECT_NEW(&pc2, MSS);
	ptest_stream_send_segs(&conn, 10);
	conn_frag_needed(conn.stream_base, 1280);
	ptest_clear(t);
	assert_int_equal(c2->snd_mss, MSS);   /* not yet: at its next output */
	ptest_stream_send(&pc2, 100);
	assert_int_equal(c2->snd_mss, 1240);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_SYNCED), 1);
	PTEST_EXPECT_REXMIT(&pc2, pc2.stream_base, 1240);
	PTEST_EXPECT_REXMIT(&pc2, pc2.stream_base + 1240, 1240);
	PTEST_EXPECT_REXMIT(&pc2, pc2.stream_base + 2480, 2 * MSS + 100 - 2480);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc4821_blackhole_lowers_mss_after_rtos(void **state)
{
	/*
	 * Ensure that, with ICMP filtered, two consecutive timeouts of a full-size
	 * segment lower the MSS to the RFC 8899 BASE_PLPMTU's (1200 - 40), that
	 * the retransmission after the second timeout is cut by it, and that the
	 * cache records 1200 for the destination; two more lower it to the floor.
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(200));   /* first RTO: same size */
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_BLACKHOLE), 0);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(400));   /* second: smaller */
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, 1160);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_BLACKHOLE), 1);
	assert_int_equal(c->snd_mss, 1160);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1200);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(800));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, 1160);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(1600));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, 536);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_BLACKHOLE), 2);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 576);
	/* The small segment gets through: the rest follows cut by 536. */
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 536);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 536, 536);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 2 * 536, 536);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc4821_proven_mss_needs_six_rtos(void **state)
{
	/*
	 * Ensure that once a full-size segment was acknowledged (its RTT
	 * measured) two timeouts in a row are taken for loss: the MSS stays
	 * through five consecutive timeouts and drops to 1160 at the sixth (a
	 * path that narrowed later is still caught).
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	uint64_t rto = PTCP_MS(200);

	(void)state;
	ptest_stream_send(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	ptest_advance(t, PTCP_MS(10));
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);   /* the timed full-size segment */
	assert_true(c->pmtu_proven);
	ptest_stream_send(&conn, 2 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	for (int i = 1; i <= 6; i++) {
		PTEST_EXPECT_SENT_AFTER(t, rto);
		PTEST_EXPECT_REXMIT(&conn, conn.stream_base + MSS, i < 6 ? MSS : 1160);
		PTEST_NOTHING_SENT(t);
		assert_int_equal(PTEST_CTR(t, TCP_PMTU_BLACKHOLE), i < 6 ? 0 : 1);
		rto *= 2;
	}
	assert_int_equal(c->snd_mss, 1160);
	assert_false(c->pmtu_proven);
	ptest_free(t);
}

static void
test_rfc4821_small_segment_timeouts_keep_mss(void **state)
{
	/*
	 * Ensure that timeouts of a segment no larger than the next step (here
	 * 500 bytes) are loss, not a black hole: the MSS stays.
	 */
	struct ptest_ctx *t = established(NULL);

	(void)state;
	ptest_stream_send(&conn, 500);
	PTEST_EXPECT_NEW(&conn, 500);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(200));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, 500);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(400));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, 500);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_BLACKHOLE), 0);
	assert_int_equal(ptest_conn_c(&conn)->snd_mss, MSS);
	assert_int_equal(ptcp_tcp_pmtu_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_7_1_mss_536_when_absent(void **state)
{
	/*
	 * Ensure that a peer whose SYN carries no MSS option gets segments of 536
	 * bytes (RFC 9293 3.7.1: "SendMSS ... 536 when no option"), while our
	 * SYN-ACK still announces 1460.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_mss = 0;
	ptest_conn_passive(&conn);   /* asserts our MSS option 1460 */
	assert_int_equal(ptest_conn_c(&conn)->snd_mss, 536);
	ptest_pattern(data, sizeof(data), 1);
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 2 * 536);
	PTEST_EXPECT_NEW(&conn, 536);
	PTEST_EXPECT_NEW(&conn, 536);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_7_1_mss_clamped_to_mtu(void **state)
{
	/*
	 * Ensure that with a 1280-byte port MTU we announce MSS 1240 (MTU - 40,
	 * RFC 879) and send at most 1240 even to a peer announcing 1460; and that
	 * a peer announcing less (1000) is obeyed.
	 */
	struct ptcp_stack_conf conf = { .mtu = 1280 };
	struct ptest_ctx *t = ptest_new_tcp(&conf);
	static struct ptest_conn pc2;
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_MSS, .mss = 1460 };
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .flags = PT_SYN, .wnd = 65535, .opt = &o });
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_true(s.opt.present & PTCP_TCPOPT_F_MSS);
	assert_int_equal(s.opt.mss, 1240);
	conn.iss = s.seq;
	conn.snd_nxt = s.seq + 1;
	conn.rcv_nxt = conn.irs + 1;
	conn.rcv_adv = conn.rcv_nxt + s.wnd;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(ptest_conn_c(&conn)->snd_mss, 1240);
	ptest_pattern(data, sizeof(data), 2);
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 2 * 1240);
	PTEST_EXPECT_NEW(&conn, 1240);
	PTEST_EXPECT_NEW(&conn, 1240);
	PTEST_NOTHING_SENT(t);

	ptest_conn_init(t, &pc2);
	pc2.rport = PTEST_RPORT + 1;
	pc2.peer_mss = 1000;
	ptest_conn_active(&pc2);
	assert_int_equal(ptest_conn_c(&pc2)->snd_mss, 1000);
	ptest_free(t);
}

static void
test_rfc5681_cwnd_below_one_segment_still_sends_a_segment(void **state)
{
	/*
	 * Ensure that a congestion window below one segment (set while the MSS was smaller,
	 * e.g. by a black-hole step, before the MSS grew back) still lets one full segment
	 * go with nothing in flight: RFC 5681's smallest window is 1 SMSS, and sender SWS
	 * avoidance would otherwise hold the data for ever.
	 */
	struct ptest_ctx *t = established(NULL);

	(void)state;
	ptest_conn_c(&conn)->cwnd = 1160;
	ptest_stream_send(&conn, 3 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc4821_blackhole_never_below_pmtu_min(void **state)
{
	/*
	 * Ensure that black-hole detection with a floor above the RFC 8899 base
	 * (pmtu_min 1400) steps straight to the floor, never to 1200 below it.
	 */
	struct ptcp_stack_conf conf = { .pmtu_min = 1400 };
	struct ptest_ctx *t = established(&conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(200));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	PTEST_EXPECT_SENT_AFTER(t, PTCP_MS(400));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, 1360);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_BLACKHOLE), 1);
	assert_int_equal(c->snd_mss, 1360);
	assert_int_equal(ptcp_tcp_pmtu_get(t->st, PTEST_PEER_IP), 1400);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc5927_frag_needed_without_sequence_number_ignored(void **state)
{
	/*
	 * Ensure that a fragmentation-needed quoting only the ports (4 bytes of
	 * TCP header, no sequence number to validate) changes nothing and is
	 * counted as such, not as a failed RFC 5927 check.
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	rx_frag_needed_quote(t, conn.lport, conn.rport, conn.stream_base, 1280, 20 + 20 + MSS, 4);
	assert_int_equal(PTEST_CTR(t, ICMP_FRAG_NEEDED_SHORT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_PMTU_ICMP_REJECTED), 0);
	assert_int_equal(c->snd_mss, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* RFC 1191 with RFC 5927 4.1 */
		cmocka_unit_test(test_rfc1191_frag_needed_lowers_mss_and_resends),
		cmocka_unit_test(test_rfc1191_zero_mtu_uses_plateau),
		cmocka_unit_test(test_rfc1191_mtu_below_floor_clamped),
		cmocka_unit_test(test_rfc5927_4_1_icmp_quoting_out_of_flight_seq_rejected),
		/* the path-MTU cache */
		cmocka_unit_test(test_rfc1191_6_3_pmtu_cache_entry_expires),
		cmocka_unit_test(test_rfc1191_6_3_pmtu_cache_full_evicts_soonest_expiry),
		cmocka_unit_test(test_rfc5681_cwnd_below_one_segment_still_sends_a_segment),
		cmocka_unit_test(test_pmtu_cache_new_connection_starts_with_cached_mss),
		cmocka_unit_test(test_pmtu_cache_change_reaches_other_connections),
		/* black holes (RFC 4821) */
		cmocka_unit_test(test_rfc4821_blackhole_lowers_mss_after_rtos),
		cmocka_unit_test(test_rfc4821_blackhole_never_below_pmtu_min),
		cmocka_unit_test(test_rfc5927_frag_needed_without_sequence_number_ignored),
		cmocka_unit_test(test_rfc4821_small_segment_timeouts_keep_mss),
		cmocka_unit_test(test_rfc4821_proven_mss_needs_six_rtos),
		/* MSS (RFC 9293 3.7.1) */
		cmocka_unit_test(test_rfc9293_3_7_1_mss_536_when_absent),
		cmocka_unit_test(test_rfc9293_3_7_1_mss_clamped_to_mtu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
