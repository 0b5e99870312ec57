/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_rexmit.c - retransmission (RFC 6298, RFC 9293 3.8.3): SYN and
 * SYN-ACK retransmission with exponential backoff and retry limits, data
 * and FIN retransmission at RTO, backoff capped at rto_max_ms, the data
 * retry limit (RST + ETIMEDOUT), RTT sampling (first sample, later
 * samples, floor), Karn's algorithm and the 3 s RTO after a retransmitted
 * SYN (RFC 6298 5.7).
 *
 * Timing is checked through the synthetic clock: "nothing is sent until
 * RTO - 1 ms, then the retransmission comes at RTO" (within PTEST_SLACK_US).
 * RFC 6298 lets a stack take an RTT sample from the handshake or not, so
 * data timing tests start from a known RTO: an active open whose SYN was
 * retransmitted (no sample by Karn, RTO 3 s by 5.7).
 * Defaults: rto_init 1 s, rto_min 200 ms, rto_max 60 s, syn_retries 6,
 * synack_retries 3, data_retries 15.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "harness.h"

#define S(x)  ((uint64_t)(x) * 1000000u)   /* seconds -> us */
#define MS(x) PTCP_MS(x)

static struct ptest_conn conn;

static struct ptest_ctx *
established(void)
{
	return ptest_established(&conn, NULL);
}

static uint64_t
next_rto(uint64_t rto)
{
	return RTE_MIN(2 * rto, MS(60000));
}

/* Pop our (re)transmitted SYN: same ISS, the same options offered, no ACK. */
static void
expect_syn(void)
{
	struct ptcp_tcp_seg s;

	ptest_expect_at(__FILE__, __LINE__, conn.t, &(struct ptest_exp){
		.sport = conn.lport, .dport = conn.rport, .flags = PT_SYN, .seq = conn.iss,
		.wnd = PTEST_WND, .len = 0 }, &s);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE |
			 PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.mss, PTEST_MSS);
}

/* Pop our (re)transmitted SYN-ACK. */
static void
expect_synack(void)
{
	struct ptcp_tcp_seg s;

	PTEST_EXPECT(&conn, PT_SYN | PT_ACK, conn.iss, conn.irs + 1, PTEST_WND, 0, NULL, &s);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS);
	assert_int_equal(s.opt.mss, PTEST_MSS);
}

/*
 * The connection must stay for us - 1 ms, sending nothing, then be gone
 * within PTEST_SLACK_US after us (still sending nothing).
 */
static void
expect_gone_after(struct ptest_ctx *t, uint64_t us)
{
	uint64_t waited = 0;

	ptest_advance(t, us - 1000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	while (ptcp_stack_conn_count(t->st) != 0 && waited < 1000 + PTEST_SLACK_US) {
		ptest_advance(t, 1000);
		waited += 1000;
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
}

/* Nothing is sent during the next lo us; something is sent by hi us (1 ms steps). */
static void
expect_sent_between(struct ptest_ctx *t, uint64_t lo, uint64_t hi)
{
	uint64_t el = lo;

	ptest_advance(t, lo);
	PTEST_NOTHING_SENT(t);
	while (t->nsent == 0 && el < hi) {
		ptest_advance(t, 1000);
		el += 1000;
	}
	if (t->nsent == 0)
		fail_msg("nothing sent between %" PRIu64 " and %" PRIu64 " us", lo, hi);
}

/*
 * Active open whose SYN was retransmitted once (at 1 s), completed at
 * 1.5 s: the handshake gives no RTT sample (Karn) and RTO is 3 s (5.7).
 */
static struct ptest_ctx *
established_after_syn_rexmit_conf(const struct ptcp_stack_conf *c)
{
	struct ptest_ctx *t = ptest_new_tcp(c);

	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(1));
	expect_syn();
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, MS(500));
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .ack = conn.snd_nxt, .flags = PT_SYN | PT_ACK,
		.wnd = conn.peer_wnd,
		.opt = &(struct ptcp_tcp_opts){ .present = PTCP_TCPOPT_F_MSS, .mss = PTEST_MSS } });
	conn.rcv_nxt = conn.irs + 1;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	return t;
}

static struct ptest_ctx *
established_after_syn_rexmit(void)
{
	return established_after_syn_rexmit_conf(NULL);
}

/* Send len bytes and take the segment. */
static void
send_one(const uint8_t *d, uint32_t len)
{
	ptest_conn_send(&conn, d, len);
	PTEST_EXPECT_DATA(&conn, d, len);
	PTEST_NOTHING_SENT(conn.t);
}

/* ====================================================================== */
/* SYN retransmission (SYN-SENT)                                         */
/* ====================================================================== */

static void
test_rfc6298_2_1_syn_retransmitted_after_1s(void **state)
{
	/*
	 * Ensure that an unanswered SYN is retransmitted after the initial RTO of 1 s, not before,
	 * unchanged.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(1));
	expect_syn();
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	ptest_free(t);
}

static void
test_rfc6298_5_5_syn_backoff_doubles(void **state)
{
	/* Ensure that SYN retransmissions back off: 1, 2, 4, 8, 16, 32 s apart (syn_retries 6). */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint64_t rto = S(1);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	for (int i = 0; i < 6; i++) {
		PTEST_EXPECT_SENT_AFTER(t, rto);
		expect_syn();
		PTEST_NOTHING_SENT(t);
		rto = next_rto(rto);
	}
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 6);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_3_syn_retries_exhausted_etimedout(void **state)
{
	/*
	 * Ensure that after syn_retries (6) retransmissions the next timeout
	 * (64 s capped to rto_max 60 s) gives on_closed(-ETIMEDOUT), TCP_CONN_TIMEOUT.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint64_t rto = S(1);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	for (int i = 0; i < 6; i++) {
		PTEST_EXPECT_SENT_AFTER(t, rto);
		expect_syn();
		rto = next_rto(rto);
	}
	assert_int_equal(rto, S(60));
	expect_gone_after(t, rto);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(PTEST_CTR(t, TCP_CONN_TIMEOUT), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_8_3_syn_retries_configurable(void **state)
{
	/* Ensure that conf.syn_retries = 2 gives SYNs at 0, 1, 3 s and ETIMEDOUT at 7 s. */
	struct ptcp_stack_conf c = { .syn_retries = 2 };
	struct ptest_ctx *t = ptest_new_tcp(&c);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(1));
	expect_syn();
	PTEST_EXPECT_SENT_AFTER(t, S(2));
	expect_syn();
	expect_gone_after(t, S(4));
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	ptest_free(t);
}

static void
test_rfc6298_5_7_synack_after_syn_rexmit_established(void **state)
{
	/* Ensure that a SYN-ACK answering the retransmitted SYN establishes normally. */
	struct ptest_ctx *t = established_after_syn_rexmit();

	(void)state;
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	/* The SYN timer is gone: nothing more is sent. */
	ptest_advance(t, S(10));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* SYN-ACK retransmission (SYN-RECEIVED)                                 */
/* ====================================================================== */

static void
test_rfc6298_5_5_synack_backoff_then_dropped(void **state)
{
	/*
	 * Ensure that an unacknowledged SYN-ACK is retransmitted after 1, 2, 4 s
	 * (synack_retries 3), then the half-open connection is dropped silently
	 * after 8 s more: nothing sent, no callback (TCP_SYNCACHE_EXPIRED).
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint64_t rto = S(1);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	for (int i = 0; i < 3; i++) {
		PTEST_EXPECT_SENT_AFTER(t, rto);
		expect_synack();
		PTEST_NOTHING_SENT(t);
		rto = next_rto(rto);
	}
	expect_gone_after(t, rto);
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_REXMIT), 3);
	assert_int_equal(PTEST_CTR(t, TCP_SYNCACHE_EXPIRED), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(conn.rec.n_established, 0);
	/* The listener is still there. */
	ptest_conn_syn_received(&conn);
	ptest_free(t);
}

static void
test_rfc6298_synack_rexmit_then_ack_established(void **state)
{
	/* Ensure that the ACK of a retransmitted SYN-ACK establishes and stops the timer. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(1));
	expect_synack();
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_advance(t, S(30));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Data and FIN retransmission                                           */
/* ====================================================================== */

static void
test_rfc6298_5_4_data_retransmitted_at_rto(void **state)
{
	/*
	 * Ensure that unacknowledged data is retransmitted at the RTO (3 s) with the same SEQ and
	 * bytes.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	send_one(d, sizeof(d));
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 100, 100, d);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_5_4_rexmit_counters(void **state)
{
	/*
	 * Ensure that one timeout retransmitting one data segment counts
	 * TCP_RTO +1 and TCP_REXMIT +1 ("segments retransmitted"), and that
	 * TCP_DATA_TX counts first transmissions only.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint64_t rexmit0 = PTEST_CTR(t, TCP_REXMIT), rto0 = PTEST_CTR(t, TCP_RTO);
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	send_one(d, sizeof(d));
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt - 100, conn.rcv_nxt, ptest_conn_wnd(&conn), 100,
		     d, NULL);
	assert_int_equal(PTEST_CTR(t, TCP_RTO) - rto0, 1);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_TX), 100);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT) - rexmit0, 1);
	ptest_free(t);
}

static void
test_rfc6298_5_4_retransmit_earliest_segment_only(void **state)
{
	/*
	 * Ensure that the RTO retransmits only the earliest unacknowledged segment (RFC 6298 5.4,
	 * RFC 5681 3.1).
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[2 * PTEST_MSS];

	(void)state;
	ptest_pattern(d, sizeof(d), 2);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, PTEST_MSS);
	PTEST_EXPECT_DATA(&conn, d + PTEST_MSS, PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.iss + 1, PTEST_MSS, d);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_5_4_retransmit_from_snd_una_after_partial_ack(void **state)
{
	/* Ensure that after a partial ACK the retransmission starts at the new SND.UNA. */
	struct ptest_ctx *t = established();
	uint8_t d[2 * PTEST_MSS];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, PTEST_MSS);
	PTEST_EXPECT_DATA(&conn, d + PTEST_MSS, PTEST_MSS);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.iss + 1 + PTEST_MSS, NULL, 0);
	PTEST_NOTHING_SENT(t);
	/*
	 * 5.3: the timer restarts on the ACK of new data; RTO after one 0 ms sample is the 200 ms
	 * floor or more.
	 */
	expect_sent_between(t, MS(199), S(1) + PTEST_SLACK_US);
	PTEST_EXPECT_SEG(&conn, conn.iss + 1 + PTEST_MSS, PTEST_MSS, d + PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_5_5_data_backoff_doubles_capped(void **state)
{
	/*
	 * Ensure that data retransmissions back off 3, 6, 12, ... s and are capped at rto_max (60
	 * s).
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];
	uint64_t rto = S(3);

	(void)state;
	ptest_pattern(d, sizeof(d), 4);
	send_one(d, sizeof(d));
	for (int i = 0; i < 9; i++) {   /* 3 6 12 24 48 60 60 60 60 */
		PTEST_EXPECT_SENT_AFTER(t, rto);
		PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 100, 100, d);
		PTEST_NOTHING_SENT(t);
		rto = next_rto(rto);
	}
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_3_data_retries_exhausted_rst_etimedout(void **state)
{
	/*
	 * Ensure that after data_retries (15) retransmissions the next timeout
	 * aborts: RST <SEQ=SND.NXT>, on_closed(-ETIMEDOUT), TCP_CONN_TIMEOUT.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];
	uint64_t rto = S(3);

	(void)state;
	ptest_pattern(d, sizeof(d), 5);
	send_one(d, sizeof(d));
	for (int i = 0; i < 15; i++) {
		PTEST_EXPECT_SENT_AFTER(t, rto);
		PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 100, 100, d);
		PTEST_NOTHING_SENT(t);
		rto = next_rto(rto);
	}
	assert_int_equal(conn.rec.n_closed, 0);
	PTEST_EXPECT_SENT_AFTER(t, rto);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	assert_int_equal(PTEST_CTR(t, TCP_CONN_TIMEOUT), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_3_data_retries_configurable(void **state)
{
	/* Ensure that conf.data_retries = 2 aborts at the third timeout (3 + 6 + 12 s). */
	struct ptcp_stack_conf c = { .data_retries = 2 };
	struct ptest_ctx *t = established_after_syn_rexmit_conf(&c);
	uint8_t d[10];

	(void)state;
	ptest_pattern(d, sizeof(d), 6);
	send_one(d, sizeof(d));
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 10, 10, d);
	PTEST_EXPECT_SENT_AFTER(t, S(6));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 10, 10, d);
	PTEST_EXPECT_SENT_AFTER(t, S(12));
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	ptest_free(t);
}

static void
test_rfc6298_5_2_ack_of_retransmission_stops_timer(void **state)
{
	/* Ensure that once the retransmitted data is ACKed nothing more is retransmitted. */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 7);
	send_one(d, sizeof(d));
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 100, 100, d);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, S(120));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_4_fin_retransmitted(void **state)
{
	/*
	 * Ensure that an unacknowledged FIN (FIN-WAIT-1) is retransmitted at RTO with the same SEQ.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();

	(void)state;
	ptest_conn_fin_wait_1(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt - 1);
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, S(6));
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt - 1);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_FIN_WAIT_2);
	ptest_free(t);
}

static void
test_rfc9293_3_10_4_last_ack_fin_retransmitted(void **state)
{
	/* Ensure that in LAST-ACK an unacknowledged FIN is retransmitted at RTO. */
	struct ptest_ctx *t = established_after_syn_rexmit();

	(void)state;
	ptest_conn_last_ack(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt - 1);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	ptest_free(t);
}

static void
test_rfc5681_3_1_ack_after_rto_releases_next_segment(void **state)
{
	/*
	 * Ensure that after an RTO retransmitted the first of two segments, the
	 * ACK of that segment lets the second one out at once (go-back-N with
	 * the loss window growing), without waiting for another timeout.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[2 * PTEST_MSS];

	(void)state;
	ptest_pattern(d, sizeof(d), 14);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, PTEST_MSS);
	PTEST_EXPECT_DATA(&conn, d + PTEST_MSS, PTEST_MSS);
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.iss + 1, PTEST_MSS, d);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, MS(50));
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.iss + 1 + PTEST_MSS, NULL, 0);
	PTEST_EXPECT_SEG(&conn, conn.iss + 1 + PTEST_MSS, PTEST_MSS, d + PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, S(120));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_1_zero_window_probed(void **state)
{
	/*
	 * Ensure that data held back by a zero send window is probed (RFC 9293
	 * 3.8.6.1, MUST-36) within rto_max, and flows once the window opens. The
	 * probe is a zero-length segment at SND.UNA-1 (as Linux sends), which a
	 * conforming peer must answer with an ACK carrying its window.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	struct ptcp_tcp_seg s;
	uint8_t d[100], got[100];
	uint64_t waited = 0;

	(void)state;
	ptest_pattern(d, sizeof(d), 15);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, sizeof(d)), 100);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	while (t->nsent == 0 && waited < S(60) + PTEST_SLACK_US) {
		ptest_advance(t, MS(10));
		waited += MS(10);
	}
	if (t->nsent == 0)
		fail_msg("no zero-window probe within %" PRIu64 " us", waited);
	/* The probe: <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data; the peer must ACK it. */
	ptest_pop_tcp(t, &s, got, sizeof(got));
	assert_int_equal(s.flags, PT_ACK);
	assert_int_equal(s.seq, conn.snd_nxt - 1);
	assert_int_equal(s.len, 0);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_PROBE), 1);
	/* The window opens: the data flows. */
	conn.peer_wnd = 65535;
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_DATA(&conn, d, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* RTT estimation (RFC 6298 2, 3, 5.7) and Karn's algorithm              */
/* ====================================================================== */

static void
test_rfc6298_5_7_rto_3s_after_syn_retransmitted(void **state)
{
	/*
	 * Ensure that when the SYN was retransmitted, data after the handshake uses RTO 3 s (no
	 * sample yet).
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 8);
	send_one(d, sizeof(d));
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 100, 100, d);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_2_2_first_sample_sets_rto(void **state)
{
	/*
	 * Ensure that the first RTT sample R = 100 ms sets SRTT = R, RTTVAR = R/2,
	 * RTO = SRTT + max(G, 4 RTTVAR) = 300 ms: the next data is retransmitted
	 * at 300 ms and not before. (The SYN was retransmitted so the handshake
	 * gave no sample; data is ACKed 100 ms after it was sent.)
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 9);
	send_one(d, 50);
	ptest_advance(t, MS(100));
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	send_one(d + 50, 50);
	PTEST_EXPECT_SENT_AFTER(t, MS(300));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d + 50);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_2_4_rto_floor_rto_min(void **state)
{
	/*
	 * Ensure that a 10 ms sample (SRTT + 4 RTTVAR = 30 ms) gives the rto_min floor of 200 ms.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 10);
	send_one(d, 50);
	ptest_advance(t, MS(10));
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	send_one(d + 50, 50);
	PTEST_EXPECT_SENT_AFTER(t, MS(200));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d + 50);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_2_3_second_sample_smoothed(void **state)
{
	/*
	 * Ensure that a second sample R' = 100 ms updates RTTVAR = 3/4*50 + 1/4*0
	 * = 37.5 and SRTT = 100: RTO = 250 ms (+-5 ms for integer rounding).
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[150];

	(void)state;
	ptest_pattern(d, sizeof(d), 11);
	send_one(d, 50);
	ptest_advance(t, MS(100));
	ptest_conn_rx_ack(&conn);
	send_one(d + 50, 50);
	ptest_advance(t, MS(100));
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	send_one(d + 100, 50);
	expect_sent_between(t, MS(245), MS(255));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d + 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6298_karn_no_sample_from_retransmit(void **state)
{
	/*
	 * Ensure that an ACK for retransmitted data gives no RTT sample (Karn):
	 * data retransmitted at 3 s and ACKed 100 ms later must not yield an RTO
	 * of 300 ms (sample from the retransmission) nor 9.3 s (sample from the
	 * first transmission): the next data is retransmitted between 3 and 6 s.
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 12);
	send_one(d, 50);
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d);
	ptest_advance(t, MS(100));
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	send_one(d + 50, 50);
	expect_sent_between(t, S(3) - MS(1), S(6) + PTEST_SLACK_US);
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d + 50);
	ptest_free(t);
}

static void
test_rfc6298_5_5_backed_off_rto_kept_until_sample(void **state)
{
	/*
	 * Ensure that the backed-off RTO (6 s after one timeout of the 3 s RTO) is kept for new
	 * data until a valid RTT sample "collapses" it (RFC 6298 section 5 note).
	 */
	struct ptest_ctx *t = established_after_syn_rexmit();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 13);
	send_one(d, 50);
	PTEST_EXPECT_SENT_AFTER(t, S(3));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d);
	ptest_advance(t, MS(100));
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	send_one(d + 50, 50);
	PTEST_EXPECT_SENT_AFTER(t, S(6));
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 50, 50, d + 50);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* SYN-SENT */
		cmocka_unit_test(test_rfc6298_2_1_syn_retransmitted_after_1s),
		cmocka_unit_test(test_rfc6298_5_5_syn_backoff_doubles),
		cmocka_unit_test(test_rfc9293_3_8_3_syn_retries_exhausted_etimedout),
		cmocka_unit_test(test_rfc9293_3_8_3_syn_retries_configurable),
		cmocka_unit_test(test_rfc6298_5_7_synack_after_syn_rexmit_established),
		/* SYN-RECEIVED */
		cmocka_unit_test(test_rfc6298_5_5_synack_backoff_then_dropped),
		cmocka_unit_test(test_rfc6298_synack_rexmit_then_ack_established),
		/* data / FIN */
		cmocka_unit_test(test_rfc6298_5_4_data_retransmitted_at_rto),
		cmocka_unit_test(test_rfc6298_5_4_rexmit_counters),
		cmocka_unit_test(test_rfc6298_5_4_retransmit_earliest_segment_only),
		cmocka_unit_test(test_rfc6298_5_4_retransmit_from_snd_una_after_partial_ack),
		cmocka_unit_test(test_rfc6298_5_5_data_backoff_doubles_capped),
		cmocka_unit_test(test_rfc9293_3_8_3_data_retries_exhausted_rst_etimedout),
		cmocka_unit_test(test_rfc9293_3_8_3_data_retries_configurable),
		cmocka_unit_test(test_rfc6298_5_2_ack_of_retransmission_stops_timer),
		cmocka_unit_test(test_rfc9293_3_10_4_fin_retransmitted),
		cmocka_unit_test(test_rfc9293_3_10_4_last_ack_fin_retransmitted),
		cmocka_unit_test(test_rfc5681_3_1_ack_after_rto_releases_next_segment),
		cmocka_unit_test(test_rfc9293_3_8_6_1_zero_window_probed),
		/* RTT, Karn */
		cmocka_unit_test(test_rfc6298_5_7_rto_3s_after_syn_retransmitted),
		cmocka_unit_test(test_rfc6298_2_2_first_sample_sets_rto),
		cmocka_unit_test(test_rfc6298_2_4_rto_floor_rto_min),
		cmocka_unit_test(test_rfc6298_2_3_second_sample_smoothed),
		cmocka_unit_test(test_rfc6298_karn_no_sample_from_retransmit),
		cmocka_unit_test(test_rfc6298_5_5_backed_off_rto_kept_until_sample),
	};

	return cmocka_run_group_tests_name("tcp_rexmit", tests, NULL, NULL);
}
