/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_flow.c - flow control and congestion control, sender and
 * receiver side:
 *   - the send window (RFC 9293 3.8.6: never beyond SND.UNA + SND.WND) and
 *     the SND.WL1/SND.WL2 update rule (3.10.7.4 fifth step);
 *   - the congestion window: RFC 6928 initial window, RFC 5681 3.1 slow
 *     start (cwnd += min(N, 2*SMSS) per ACK, RFC 3465), ssthresh after an
 *     RTO and congestion avoidance (NewReno);
 *   - receiver SWS avoidance (3.8.6.2.2): the right edge moves only by
 *     min(RCV.BUFF/2, MSS), window updates after the application reads;
 *   - sender SWS avoidance (3.8.6.2.1) and Nagle (RFC 896, RFC 1122
 *     4.2.3.4), ptcp_conn_set_nodelay and conf.nodelay;
 *   - the persist timer (3.8.6.1, RFC 1122 4.2.2.17): first probe after RTO,
 *     exponential backoff, no abort while probes are answered, abort after
 *     data_retries unanswered probes, and the SWS override (TCP_PERSIST_FORCE).
 *
 * Connections are opened passively with the handshake ACK arriving at once,
 * so the RTT sample is 0 and RTO sits at the rto_min floor of 200 ms; every
 * later ACK also arrives without delay, so the RTO stays 200 ms. The
 * peer's sequence numbers start at PTEST_PEER_ISN, just below 2^32.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

#define MS(x)  PTCP_MS(x)
#define RTO_US MS(200)        /* rto_min: see above */
#define MSS    PTEST_MSS

static struct ptest_conn conn;
static uint8_t data[65536];

/* Passive open with conf (may be NULL) and the peer's window peer_wnd; data[] is the stream. */
static struct ptest_ctx *
established_wnd(const struct ptcp_stack_conf *c, uint16_t peer_wnd)
{
	struct ptest_ctx *t = ptest_established_wnd(&conn, c, peer_wnd);

	ptest_pattern(data, sizeof(data), 0x5a);
	ptest_stream_start(&conn, data);
	return t;
}

static struct ptest_ctx *
established(void)
{
	return established_wnd(NULL, 65535);
}

/* A zero-window probe <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data. */
static void
expect_probe(uint32_t snd_una)
{
	PTEST_EXPECT(&conn, PT_ACK, snd_una - 1, conn.rcv_nxt, ptest_conn_wnd(&conn), 0, NULL,
		     NULL);
}

/* ====================================================================== */
/* Send window                                                           */
/* ====================================================================== */

static void
test_rfc9293_3_8_6_never_beyond_snd_una_plus_snd_wnd(void **state)
{
	/*
	 * Ensure that with a peer window of 3000 no byte beyond SND.UNA + 3000 is
	 * sent: 2 x 1460 go, the 80 bytes left of the window wait (a runt); the
	 * ACK of the first segment moves the edge by 1460 and releases exactly
	 * one more full segment.
	 */
	struct ptest_ctx *t = established_wnd(NULL, 3000);

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 10000);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_true(conn.snd_nxt - (conn.stream_base + MSS) <= 3000);
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_snd_wl1_older_segment_ignored(void **state)
{
	/*
	 * Ensure that a segment older than SND.WL1 does not update the window:
	 * after peer data [S, S+10) and a pure ACK at S+10 (window 2000, SND.WL1 =
	 * S+10), a late retransmission [S, S+15) announcing window 0 is accepted
	 * for its 5 new bytes but its window is not taken: 1000 bytes still go.
	 */
	struct ptest_ctx *t = established_wnd(NULL, 2000);
	uint8_t in[15];
	uint32_t s0 = conn.rcv_nxt;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_pattern(in, sizeof(in), 0x77);
	ptest_conn_rx_data(&conn, in, 10);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 0;
	ptest_conn_rx(&conn, PT_ACK, s0, conn.snd_nxt, in, 15);
	conn.rcv_nxt += 5;
	conn.unread += 5;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DUP_DATA), 10);
	ptest_stream_send(&conn, 1000);
	PTEST_EXPECT_NEW(&conn, 1000);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_snd_wl2_old_ack_ignored(void **state)
{
	/*
	 * Ensure that an ACK older than SND.UNA (reordered behind a newer one)
	 * does not update the window: the ACK of 200 bytes (window 3000) arrives
	 * before the ACK of 100 (window 0); 500 more bytes still go.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_start(&conn, data);
	ptcp_conn_set_nodelay(ptest_conn_c(&conn), true);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	conn.peer_wnd = 3000;
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 200);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 100);
	PTEST_NOTHING_SENT(t);
	ptest_stream_send(&conn, 500);
	PTEST_EXPECT_NEW(&conn, 500);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_snd_wl1_newer_segment_updates(void **state)
{
	/*
	 * Ensure that a segment newer than SND.WL1 (a pure ACK after the peer's
	 * data, same SEG.ACK) updates the window: window 0 holds 100 bytes.
	 */
	struct ptest_ctx *t = established();
	uint8_t in[10];

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_pattern(in, sizeof(in), 0x78);
	ptest_conn_rx_data(&conn, in, sizeof(in));
	PTEST_EXPECT_ACK(&conn);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_stream_send(&conn, 100);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 1000;
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Congestion window                                                     */
/* ====================================================================== */

static void
test_rfc6928_initial_window_ten_segments(void **state)
{
	/*
	 * Ensure that with MSS 1460 and a 65535 window the first flight is
	 * IW = min(10*MSS, max(2*MSS, 14600)) = 14600 bytes: exactly 10 full
	 * segments, then nothing until an ACK.
	 */
	struct ptest_ctx *t = established();
	int i;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 30000);
	for (i = 0; i < 10; i++)
		PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_TX), 14600);
	ptest_free(t);
}

static void
test_rfc6928_initial_window_capped_14600(void **state)
{
	/*
	 * Ensure that with MSS 2000 (MTU 2040) the initial window is
	 * min(20000, max(4000, 14600)) = 14600 bytes, not 10 segments: 7 full
	 * segments (14000) go and the 600 bytes left of the window are not
	 * enough for another (held as a runt).
	 */
	struct ptcp_stack_conf c = { .mtu = 2040 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	int i;

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_mss = 2000;
	ptest_conn_passive(&conn);
	ptest_pattern(data, sizeof(data), 0x5a);
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 30000);
	for (i = 0; i < 7; i++)
		PTEST_EXPECT_NEW(&conn, 2000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_TX), 14000);
	ptest_free(t);
}

static void
test_rfc5681_3_1_slow_start_ack_of_one_segment_releases_two(void **state)
{
	/*
	 * Ensure that in slow start each ACK of one full segment grows cwnd by
	 * SMSS: after the initial 10 segments, each of three ACKs (one segment
	 * each) releases exactly two new segments.
	 */
	struct ptest_ctx *t = established();
	int i;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 40000);
	for (i = 0; i < 10; i++)
		PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	for (i = 1; i <= 3; i++) {
		ptest_conn_rx_ack_to(&conn, conn.stream_base + (uint32_t)i * MSS);
		PTEST_EXPECT_NEW(&conn, MSS);
		PTEST_EXPECT_NEW(&conn, MSS);
		PTEST_NOTHING_SENT(t);
	}
	ptest_free(t);
}

static void
test_rfc3465_2_2_slow_start_growth_at_most_2_smss_per_ack(void **state)
{
	/*
	 * Ensure that an ACK covering three segments grows cwnd by
	 * min(N, L*SMSS) = 2920 (RFC 3465 2.2, L = 2), not by N: cwnd 17520,
	 * flight 10220, so it releases five segments (six if cwnd grew by 4380,
	 * four with RFC 5681's min(N, SMSS)).
	 */
	struct ptest_ctx *t = established();
	int i;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 40000);
	for (i = 0; i < 10; i++)
		PTEST_EXPECT_NEW(&conn, MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 3 * MSS);
	for (i = 0; i < 5; i++)
		PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc5681_3_1_ssthresh_after_rto_then_congestion_avoidance(void **state)
{
	/*
	 * Ensure that after an RTO with 10 segments in flight, ssthresh =
	 * FlightSize/2 = 7300 and cwnd = 1 MSS (one retransmission); slow start
	 * then releases two segments per ACK until cwnd reaches 7300 (ACKs of
	 * segments 1-4), after which congestion avoidance (cwnd += SMSS*SMSS/cwnd)
	 * releases one segment per ACK (segments 5 and 6). NewReno: CUBIC's
	 * ssthresh is 0.7 FlightSize (test_tcp_cc.c).
	 */
	static const struct ptcp_stack_conf newreno = { .cc = "newreno" };
	struct ptest_ctx *t = established_wnd(&newreno, 65535);
	uint32_t una;
	int i;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 40000);
	for (i = 0; i < 10; i++)
		PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_SENT_AT(t, RTO_US);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	/* Slow start: segments 2..9 are retransmitted two per ACK. */
	una = conn.stream_base;
	for (i = 1; i <= 4; i++) {
		una += MSS;
		ptest_conn_rx_ack_to(&conn, una);
		PTEST_EXPECT_REXMIT(&conn, conn.stream_base + (uint32_t)(2 * i - 1) * MSS, MSS);
		PTEST_EXPECT_REXMIT(&conn, conn.stream_base + (uint32_t)(2 * i) * MSS, MSS);
		PTEST_NOTHING_SENT(t);
	}
	/* cwnd = 7300 = ssthresh: congestion avoidance, one segment per ACK. */
	una += MSS;
	ptest_conn_rx_ack_to(&conn, una);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 9 * MSS, MSS);   /* segment 10, the last of the first flight */
	PTEST_NOTHING_SENT(t);
	una += MSS;
	ptest_conn_rx_ack_to(&conn, una);
	PTEST_EXPECT_NEW(&conn, MSS);                          /* segment 11: new data */
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Receiver SWS avoidance (RFC 9293 3.8.6.2.2)                          */
/* ====================================================================== */

/* Peer data of len bytes; our ACK must advertise window wnd. */
static void
rx_data_expect_wnd(uint32_t len, int32_t wnd)
{
	ptest_conn_rx_data(&conn, data, len);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, wnd, 0, NULL, NULL);
	PTEST_NOTHING_SENT(conn.t);
}

/* The application reads len bytes. */
static void
app_read(uint32_t len)
{
	static uint8_t buf[65536];

	assert_int_equal(ptest_conn_read(&conn, buf, len), len);
}

static void
test_rfc9293_3_8_6_2_2_right_edge_moves_by_mss(void **state)
{
	/*
	 * Ensure that with rcv_buf 10000 (threshold min(5000, 1460) = 1460) the
	 * right edge stays put while reading frees less than 1460 bytes: after
	 * 1000 in / 1000 read no update is sent and the next ACK says 8900 (not
	 * 9900); reading until the edge could move by 1459 sends nothing, one byte
	 * more (1460) sends the window update 9960.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 10000 };
	struct ptest_ctx *t = established_wnd(&c, 65535);

	(void)state;
	rx_data_expect_wnd(1000, 9000);
	app_read(1000);
	PTEST_NOTHING_SENT(t);
	rx_data_expect_wnd(100, 8900);
	app_read(100);
	PTEST_NOTHING_SENT(t);
	rx_data_expect_wnd(400, 8500);
	app_read(359);           /* the edge could move by 1459 */
	PTEST_NOTHING_SENT(t);
	app_read(1);             /* by 1460 */
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, 9960, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_2_threshold_half_buffer(void **state)
{
	/*
	 * Ensure that with rcv_buf 2000 the threshold is RCV.BUFF/2 = 1000: after
	 * 1500 in (window 500), reading 900 sends nothing, reading 100 more sends
	 * the window update 1500.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 2000 };
	struct ptest_ctx *t = established_wnd(&c, 65535);

	(void)state;
	rx_data_expect_wnd(1460, 540);
	rx_data_expect_wnd(40, 500);
	app_read(900);
	PTEST_NOTHING_SENT(t);
	app_read(100);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, 1500, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_2_zero_window_opens_by_full_mss(void **state)
{
	/*
	 * Ensure that a zero window (rcv_buf 2920 full) is not reopened by a
	 * small read: reading 1000 sends nothing, reading 460 more (1460 free)
	 * sends the window update 1460.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 2 * MSS };
	struct ptest_ctx *t = established_wnd(&c, 65535);

	(void)state;
	rx_data_expect_wnd(MSS, MSS);
	rx_data_expect_wnd(MSS, 0);
	app_read(1000);
	PTEST_NOTHING_SENT(t);
	app_read(460);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, MSS, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Sender SWS avoidance (RFC 9293 3.8.6.2.1)                            */
/* ====================================================================== */

static void
test_rfc9293_3_8_6_2_1_runt_held_while_data_in_flight(void **state)
{
	/*
	 * Ensure that (Nagle off) a runt smaller than MSS and smaller than half
	 * the largest window offered (4000/2) is not sent while data is in
	 * flight: 2 x 1460 go, the 1080 left of the window wait; the ACK of the
	 * first segment releases one full segment and the runt still waits.
	 */
	struct ptest_ctx *t = established_wnd(NULL, 4000);

	(void)state;
	ptest_stream_start(&conn, data);
	ptcp_conn_set_nodelay(ptest_conn_c(&conn), true);
	ptest_stream_send(&conn, 10000);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_1_runt_of_half_max_window_sent(void **state)
{
	/*
	 * Ensure that a segment of at least Fs = 1/2 of the largest window the
	 * peer offered (2000) is sent although below MSS: after one segment the
	 * peer ACKs it announcing 1200, and 1200 bytes go at once.
	 */
	struct ptest_ctx *t = established_wnd(NULL, 2000);

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 10000);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 1200;
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_EXPECT_NEW(&conn, 1200);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_1_runt_below_half_max_window_held(void **state)
{
	/*
	 * Ensure that with nothing in flight a usable window below MSS and below
	 * half the largest window offered (900 < 2000/2) does not release a runt:
	 * nothing is sent on the ACK (the persist timer takes over).
	 */
	struct ptest_ctx *t = established_wnd(NULL, 2000);

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 10000);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 900;
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_FORCE), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Nagle (RFC 896, RFC 1122 4.2.3.4)                                    */
/* ====================================================================== */

static void
test_rfc896_second_small_write_waits_for_ack(void **state)
{
	/*
	 * Ensure that with Nagle on a small write goes at once when nothing is in
	 * flight, a second small write waits, and goes when the first is ACKed.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, MS(100));
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc896_small_writes_coalesce(void **state)
{
	/*
	 * Ensure that small writes made while data is in flight are sent as one
	 * segment when the ACK comes: 100 + 50 + 50 -> 100, then 100.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, 50);
	ptest_stream_send(&conn, 50);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc896_full_segment_not_delayed(void **state)
{
	/*
	 * Ensure that Nagle holds only runts: with 100 bytes in flight a write of
	 * one full MSS goes at once.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc896_nodelay_sends_at_once(void **state)
{
	/*
	 * Ensure that after ptcp_conn_set_nodelay(c, true) a second small write
	 * goes at once although the first is not ACKed.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_start(&conn, data);
	ptcp_conn_set_nodelay(ptest_conn_c(&conn), true);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc896_set_nodelay_releases_held_data(void **state)
{
	/*
	 * Ensure that turning Nagle off while a small write is held sends it at
	 * once.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptcp_conn_set_nodelay(ptest_conn_c(&conn), true);
	ptest_kick(t);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc896_conf_nodelay_for_new_connections(void **state)
{
	/* Ensure that conf.nodelay turns Nagle off for new connections. */
	struct ptcp_stack_conf c = { .nodelay = true };
	struct ptest_ctx *t = established_wnd(&c, 65535);

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	ptest_stream_send(&conn, 100);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc7661_cwnd_not_grown_when_rwnd_limited(void **state)
{
	/*
	 * Ensure that cwnd does not grow while the peer's window, not cwnd, limits
	 * sending (window 2 MSS, 38 ACKs of one MSS each): cwnd stays at the
	 * initial window and TCP_CWND_NOT_LIMITED counts every ACK. Growing it
	 * anyway made cwnd wrap at 2^32 after a few GiB.
	 */
	struct ptest_ctx *t = established_wnd(NULL, 2 * MSS);
	uint64_t base = PTEST_CTR(t, TCP_CWND_NOT_LIMITED);
	uint32_t iw;

	(void)state;
	ptest_stream_start(&conn, data);
	iw = ptest_conn_c(&conn)->cwnd;
	ptest_stream_send(&conn, 40 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	for (int k = 0; k < 38; k++) {
		ptest_conn_rx_ack_to(&conn, conn.stream_base + (uint32_t)(k + 1) * MSS);
		PTEST_EXPECT_NEW(&conn, MSS);
		PTEST_NOTHING_SENT(t);
	}
	assert_int_equal(ptest_conn_c(&conn)->cwnd, iw);
	assert_int_equal(PTEST_CTR(t, TCP_CWND_NOT_LIMITED) - base, 38);
	ptest_free(t);
}

static void
test_rfc7661_cwnd_grows_when_cwnd_limited(void **state)
{
	/*
	 * Ensure that cwnd still grows in slow start when cwnd limits sending: the
	 * initial window in flight, an ACK of one MSS grows cwnd by one MSS.
	 */
	struct ptest_ctx *t = established();
	uint64_t base = PTEST_CTR(t, TCP_CWND_NOT_LIMITED);
	uint32_t iw;

	(void)state;
	ptest_stream_start(&conn, data);
	iw = ptest_conn_c(&conn)->cwnd;
	ptest_stream_send(&conn, 20 * MSS);
	for (int k = 0; k < 10; k++)
		PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);
	assert_int_equal(ptest_conn_c(&conn)->cwnd, iw + MSS);
	assert_int_equal(PTEST_CTR(t, TCP_CWND_NOT_LIMITED), base);
	ptest_free(t);
}

/* ====================================================================== */
/* Persist timer (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17)                  */
/* ====================================================================== */

/* The peer closes its window, then the application queues 100 bytes. */
static struct ptest_ctx *
zero_window_conf(const struct ptcp_stack_conf *c)
{
	struct ptest_ctx *t = established_wnd(c, 65535);

	ptest_stream_start(&conn, data);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_stream_send(&conn, 100);
	PTEST_NOTHING_SENT(t);
	return t;
}

static void
test_rfc9293_3_8_6_1_zero_window_first_probe_after_rto(void **state)
{
	/*
	 * Ensure that with a zero window and data queued the first probe
	 * <SEQ=SND.UNA-1><ACK=RCV.NXT> (no data) goes after one RTO (200 ms) and
	 * not before; TCP_PERSIST_PROBE 1.
	 */
	struct ptest_ctx *t = zero_window_conf(NULL);

	(void)state;
	PTEST_EXPECT_SENT_AT(t, RTO_US);
	expect_probe(conn.stream_base);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 1);
	ptest_free(t);
}

static void
test_rfc1122_4_2_2_17_probe_interval_backs_off(void **state)
{
	/*
	 * Ensure that unanswered zero-window probes back off exponentially: the
	 * intervals are 200, 400, 800, 1600, 3200 ms (each exact to the 1 ms tick).
	 */
	struct ptest_ctx *t = zero_window_conf(NULL);
	uint64_t iv = RTO_US;
	int i;

	(void)state;
	for (i = 0; i < 5; i++, iv *= 2) {
		PTEST_EXPECT_SENT_AT(t, iv);
		expect_probe(conn.stream_base);
		PTEST_NOTHING_SENT(t);
	}
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 5);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_1_answered_probes_never_abort(void **state)
{
	/*
	 * Ensure that probes answered with window 0 go on indefinitely (data_retries
	 * 3, ten probes answered): intervals 200 ms doubling up to the rto_max cap of
	 * 60 s, no RST, no on_closed.
	 */
	struct ptcp_stack_conf c = { .data_retries = 3 };
	struct ptest_ctx *t = zero_window_conf(&c);
	uint64_t iv = RTO_US;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		PTEST_EXPECT_SENT_AT(t, iv);
		expect_probe(conn.stream_base);
		PTEST_NOTHING_SENT(t);
		ptest_conn_rx_ack(&conn);   /* window still 0 */
		PTEST_NOTHING_SENT(t);
		iv = RTE_MIN(2 * iv, MS(60000));
	}
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 10);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_1_window_opens_data_flows(void **state)
{
	/*
	 * Ensure that when the answer to a probe opens the window the queued data
	 * goes at once and probing stops: after its ACK nothing more is sent.
	 */
	struct ptest_ctx *t = zero_window_conf(NULL);

	(void)state;
	PTEST_EXPECT_SENT_AT(t, RTO_US);
	expect_probe(conn.stream_base);
	PTEST_EXPECT_SENT_AT(t, 2 * RTO_US);
	expect_probe(conn.stream_base);
	conn.peer_wnd = 1000;
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_NEW(&conn, 100);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, MS(120000));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 2);
	ptest_free(t);
}

/* Advance until something is sent, at most max_us; returns the time waited. */
static uint64_t
wait_sent(struct ptest_ctx *t, uint64_t max_us)
{
	uint64_t waited = 0;

	while (t->nsent == 0 && waited < max_us) {
		ptest_advance(t, MS(10));
		waited += MS(10);
	}
	assert_true(t->nsent > 0);
	return waited;
}

static void
test_rfc9293_3_8_6_1_zero_window_with_data_in_flight_keeps_probing(void **state)
{
	/*
	 * Ensure that when the peer closes its window with our data in flight,
	 * the retransmission timeout turns into zero-window probing (not
	 * retransmissions nobody can accept, not silence): 40 probes answered
	 * with window 0 over more than ten minutes keep the connection (which
	 * data_retries 15 would have aborted), and when the window opens the
	 * unacknowledged data goes again.
	 */
	struct ptest_ctx *t = established();
	uint64_t elapsed = 0;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 4 * MSS);
	for (int k = 0; k < 4; k++)
		PTEST_EXPECT_NEW(&conn, MSS);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);   /* one segment taken, then the window closes */
	PTEST_NOTHING_SENT(t);
	for (int k = 0; k < 40; k++) {
		elapsed += wait_sent(t, MS(61000));
		expect_probe(conn.stream_base + MSS);
		PTEST_NOTHING_SENT(t);
		ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);
	}
	assert_true(elapsed > MS(600000));
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_ZERO_WND_RTO), 1);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 40);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	conn.peer_wnd = 65535;
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + MSS, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_1_shrunk_window_data_in_flight_unanswered_aborts(void **state)
{
	/*
	 * Ensure that probing after a zero window with data in flight still
	 * gives up on a dead peer: data_retries unanswered probes abort with
	 * ETIMEDOUT and a RST.
	 */
	struct ptcp_stack_conf c = { .data_retries = 3 };
	struct ptest_ctx *t = established_wnd(&c, 65535);
	int probes = 0;

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 2 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack_to(&conn, conn.stream_base);   /* the window shrinks to 0 with 2 MSS in flight */
	while (conn.rec.n_closed == 0 && probes < 10) {
		struct ptcp_tcp_seg seg;

		wait_sent(t, MS(61000));
		ptest_pop_tcp(t, &seg, NULL, 0);
		if (seg.flags & PT_RST)
			break;
		assert_int_equal(seg.seq, conn.stream_base - 1);
		probes++;
	}
	assert_int_equal(probes, 3);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	ptest_free(t);
}

static void
test_rfc9293_3_8_3_unanswered_probes_abort(void **state)
{
	/*
	 * Ensure that data_retries (3) unanswered probes abort the connection:
	 * probes at +200, +400, +800 ms, then at +1600 ms a RST <SEQ=SND.NXT>,
	 * on_closed(-ETIMEDOUT), TCP_CONN_TIMEOUT.
	 */
	struct ptcp_stack_conf c = { .data_retries = 3 };
	struct ptest_ctx *t = zero_window_conf(&c);
	uint64_t iv = RTO_US;
	int i;

	(void)state;
	for (i = 0; i < 3; i++, iv *= 2) {
		PTEST_EXPECT_SENT_AT(t, iv);
		expect_probe(conn.stream_base);
		PTEST_NOTHING_SENT(t);
	}
	assert_int_equal(conn.rec.n_closed, 0);
	PTEST_EXPECT_SENT_AT(t, iv);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	assert_int_equal(PTEST_CTR(t, TCP_CONN_TIMEOUT), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_3_unanswered_probes_abort_with_keepalive_on(void **state)
{
	/*
	 * Ensure that keepalive being configured (idle 1 s, which is shorter than
	 * the later probe intervals) does not stop the count of unanswered
	 * zero-window probes: with data_retries 3 the connection is still reset
	 * at +1600 ms after the third probe.
	 */
	struct ptcp_stack_conf c = { .data_retries = 3, .keepalive_idle_ms = 1000,
				     .keepalive_intvl_ms = 1000 };
	struct ptest_ctx *t = zero_window_conf(&c);
	uint64_t iv = RTO_US;
	int i;

	(void)state;
	for (i = 0; i < 3; i++, iv *= 2) {
		PTEST_EXPECT_SENT_AT(t, iv);
		expect_probe(conn.stream_base);
		PTEST_NOTHING_SENT(t);
	}
	PTEST_EXPECT_SENT_AT(t, iv);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_PROBE), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_1_persist_override_sends_runt(void **state)
{
	/*
	 * Ensure that the SWS override timeout sends a runt: with the largest
	 * window 4000 the peer ACKs everything announcing 1000 (below MSS and
	 * below 4000/2), nothing is in flight, nothing goes at once; after one
	 * RTO 1000 bytes go (TCP_PERSIST_FORCE 1, no zero-window probe).
	 */
	struct ptest_ctx *t = established_wnd(NULL, 4000);

	(void)state;
	ptest_stream_start(&conn, data);
	ptest_stream_send(&conn, 5000);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 1000;
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AT(t, RTO_US);
	PTEST_EXPECT_NEW(&conn, 1000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_FORCE), 1);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_bare_fin_accepted_in_zero_window(void **state)
{
	/*
	 * Ensure that a bare FIN at RCV.NXT is taken while our receive window is
	 * 0 (rcv_buf full, nothing read): it is ACKed (RCV.NXT + 1, window 0) and
	 * the connection moves to CLOSE-WAIT; a FIN behind data is not.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 2 * MSS };
	struct ptest_ctx *t = established_wnd(&c, 65535);

	(void)state;
	rx_data_expect_wnd(MSS, MSS);
	rx_data_expect_wnd(MSS, 0);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt, conn.snd_nxt, data, 10);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, 0, 0, NULL, NULL);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, 0, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_shrunk_window_respected_then_rexmit(void **state)
{
	/*
	 * Ensure that when the peer shrinks its window below what is in flight
	 * (4 MSS out, window now 1 MSS) nothing new is sent beyond the new right
	 * edge, the timeout resends only what the window allows (one segment
	 * from SND.UNA), and each ACK then lets the next segment go.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send(&conn, 4 * MSS);
	for (int k = 0; k < 4; k++)
		PTEST_EXPECT_NEW(&conn, MSS);
	conn.peer_wnd = MSS;
	ptest_conn_rx_ack_to(&conn, conn.stream_base);
	ptest_stream_send(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, RTO_US);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + MSS);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + MSS, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* send window */
		cmocka_unit_test(test_rfc9293_3_8_6_never_beyond_snd_una_plus_snd_wnd),
		cmocka_unit_test(test_rfc9293_3_10_7_4_snd_wl1_older_segment_ignored),
		cmocka_unit_test(test_rfc9293_3_10_7_4_snd_wl2_old_ack_ignored),
		cmocka_unit_test(test_rfc9293_3_10_7_4_snd_wl1_newer_segment_updates),
		/* congestion window */
		cmocka_unit_test(test_rfc6928_initial_window_ten_segments),
		cmocka_unit_test(test_rfc6928_initial_window_capped_14600),
		cmocka_unit_test(test_rfc5681_3_1_slow_start_ack_of_one_segment_releases_two),
		cmocka_unit_test(test_rfc3465_2_2_slow_start_growth_at_most_2_smss_per_ack),
		cmocka_unit_test(test_rfc5681_3_1_ssthresh_after_rto_then_congestion_avoidance),
		/* receiver SWS */
		cmocka_unit_test(test_rfc9293_3_8_6_2_2_right_edge_moves_by_mss),
		cmocka_unit_test(test_rfc9293_3_8_6_2_2_threshold_half_buffer),
		cmocka_unit_test(test_rfc9293_3_8_6_2_2_zero_window_opens_by_full_mss),
		cmocka_unit_test(test_rfc9293_3_10_7_4_bare_fin_accepted_in_zero_window),
		cmocka_unit_test(test_rfc9293_3_8_6_shrunk_window_respected_then_rexmit),
		cmocka_unit_test(test_rfc7661_cwnd_not_grown_when_rwnd_limited),
		cmocka_unit_test(test_rfc7661_cwnd_grows_when_cwnd_limited),
		/* sender SWS */
		cmocka_unit_test(test_rfc9293_3_8_6_2_1_runt_held_while_data_in_flight),
		cmocka_unit_test(test_rfc9293_3_8_6_2_1_runt_of_half_max_window_sent),
		cmocka_unit_test(test_rfc9293_3_8_6_2_1_runt_below_half_max_window_held),
		/* Nagle */
		cmocka_unit_test(test_rfc896_second_small_write_waits_for_ack),
		cmocka_unit_test(test_rfc896_small_writes_coalesce),
		cmocka_unit_test(test_rfc896_full_segment_not_delayed),
		cmocka_unit_test(test_rfc896_nodelay_sends_at_once),
		cmocka_unit_test(test_rfc896_set_nodelay_releases_held_data),
		cmocka_unit_test(test_rfc896_conf_nodelay_for_new_connections),
		/* persist */
		cmocka_unit_test(test_rfc9293_3_8_6_1_zero_window_with_data_in_flight_keeps_probing),
		cmocka_unit_test(test_rfc9293_3_8_6_1_shrunk_window_data_in_flight_unanswered_aborts),
		cmocka_unit_test(test_rfc9293_3_8_6_1_zero_window_first_probe_after_rto),
		cmocka_unit_test(test_rfc1122_4_2_2_17_probe_interval_backs_off),
		cmocka_unit_test(test_rfc9293_3_8_6_1_answered_probes_never_abort),
		cmocka_unit_test(test_rfc9293_3_8_6_1_window_opens_data_flows),
		cmocka_unit_test(test_rfc9293_3_8_3_unanswered_probes_abort),
		cmocka_unit_test(test_rfc9293_3_8_3_unanswered_probes_abort_with_keepalive_on),
		cmocka_unit_test(test_rfc9293_3_8_6_2_1_persist_override_sends_runt),
	};

	return cmocka_run_group_tests_name("tcp_flow", tests, NULL, NULL);
}
