/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_timers.c - the timers other than retransmission backoff (that is
 * test_tcp_rexmit.c) and persist (test_tcp_flow.c):
 *   - delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2): conf.delack_ms, an ACK
 *     for every second full-sized segment, the delay counted from the first
 *     unacknowledged segment, data carrying the ACK, the 200 ms clamp;
 *   - keepalive (RFC 9293 3.8.4, RFC 1122 4.2.3.6): idle time, interval,
 *     count, reset by an answer, abort, off by default;
 *   - the RFC 6298 estimator against values computed by hand (alpha 1/8,
 *     beta 1/4, K 4, G 1 ms, rto_min floor, rto_max cap), observed through
 *     the time of a retransmission;
 *   - TIME-WAIT (RFC 9293 3.10.7.4, RFC 1122 4.2.2.13, RFC 1337, RFC 5961
 *     4.2, RFC 6191): reopening by a new SYN, challenge ACKs, RST ignored,
 *     a retransmitted FIN restarting 2*MSL.
 *
 * The clock moves in whole milliseconds from a whole-millisecond start, so
 * a timer due at now + x fires at the first 1 ms tick >= now + x and
 * PTEST_EXPECT_SENT_AT pins it to that tick. The peer's sequence numbers
 * start at PTEST_PEER_ISN, just below 2^32.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "tcp_seq.h"

#define MS(x) PTCP_MS(x)
#define S(x)  PTCP_MS((uint64_t)(x) * 1000u)

static struct ptest_conn conn;

static struct ptest_ctx *
established_conf(const struct ptcp_stack_conf *c)
{
	return ptest_established(&conn, c);
}

/* A pure ACK <SEQ=SND.NXT><ACK=RCV.NXT> goes during the tick at us from now. */
static void
expect_ack_at(struct ptest_ctx *t, uint64_t us)
{
	PTEST_EXPECT_SENT_AT(t, us);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
}

/* ====================================================================== */
/* Delayed ACK                                                           */
/* ====================================================================== */

static struct ptest_ctx *
delack_40(void)
{
	struct ptcp_stack_conf c = { .delack_ms = 40 };
	struct ptest_ctx *t = established_conf(&c);

	assert_false(t->st->conf.quickack);
	return t;
}

static void
test_rfc9293_3_8_6_3_delayed_ack_after_delack_ms(void **state)
{
	/*
	 * Ensure that with delack_ms 40 one small segment is not ACKed at once,
	 * nor during the next 39 ms, and is ACKed at 40 ms (TCP_DELACK 1).
	 */
	struct ptest_ctx *t = delack_40();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	expect_ack_at(t, MS(40));
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 1);
	ptest_advance(t, S(1));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc5681_4_2_ack_every_second_full_segment(void **state)
{
	/*
	 * Ensure that with delayed ACKs every second full-sized segment is ACKed
	 * at once: of four 1460-byte segments the 2nd and 4th are ACKed, the 1st
	 * and 3rd are not, and the timer never fires (TCP_DELACK 0).
	 */
	struct ptest_ctx *t = delack_40();
	uint8_t d[PTEST_MSS];
	int i;

	(void)state;
	ptest_pattern(d, sizeof(d), 2);
	for (i = 0; i < 2; i++) {
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_NOTHING_SENT(t);
		ptest_advance(t, MS(10));
		PTEST_NOTHING_SENT(t);
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_EXPECT_ACK(&conn);
		PTEST_NOTHING_SENT(t);
	}
	ptest_advance(t, MS(100));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_3_delay_counted_from_first_segment(void **state)
{
	/*
	 * Ensure that the ACK delay never exceeds delack_ms: a second small
	 * segment 30 ms after the first does not restart the delay; one ACK of
	 * both goes 40 ms after the first.
	 */
	struct ptest_ctx *t = delack_40();
	uint8_t d[200];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	ptest_conn_rx_data(&conn, d, 100);
	ptest_advance(t, MS(30));
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_data(&conn, d + 100, 100);
	PTEST_NOTHING_SENT(t);
	expect_ack_at(t, MS(10));
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_3_data_from_on_readable_carries_ack(void **state)
{
	/*
	 * Ensure that data the application sends from on_readable carries the
	 * ACK (one segment, ACK = RCV.NXT) and cancels the delayed ACK: no bare
	 * ACK follows, TCP_DELACK stays 0.
	 */
	struct ptcp_stack_conf c = { .delack_ms = 40 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	uint8_t d[100];

	(void)state;
	ptest_conn_init(t, &conn);
	conn.rec.auto_read = true;
	conn.rec.echo = true;
	ptest_conn_passive(&conn);
	ptest_pattern(d, sizeof(d), 4);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);   /* the peer ACKs the echo: no retransmission later */
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, MS(500));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_3_delack_clamped_to_200ms(void **state)
{
	/*
	 * Ensure that delack_ms 500 is clamped to 200 ("MUST be less than 0.5
	 * seconds"): the ACK of one small segment goes at 200 ms.
	 */
	struct ptcp_stack_conf c = { .delack_ms = 500 };
	struct ptest_ctx *t = established_conf(&c);
	uint8_t d[10];

	(void)state;
	assert_int_equal(t->st->conf.delack_ms, 200);
	ptest_pattern(d, sizeof(d), 5);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	expect_ack_at(t, MS(200));
	ptest_free(t);
}

/* ====================================================================== */
/* Keepalive                                                             */
/* ====================================================================== */

#define KA_IDLE_MS  10000
#define KA_INTVL_MS 1000
#define KA_CNT      3

static struct ptest_ctx *
keepalive_conn(void)
{
	struct ptcp_stack_conf c = { .keepalive_idle_ms = KA_IDLE_MS,
				     .keepalive_intvl_ms = KA_INTVL_MS,
				     .keepalive_cnt = KA_CNT };

	return established_conf(&c);
}

/*
 * A keepalive probe <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data, goes between lo
 * and hi from now, nothing before lo. The clock moves in 1 ms steps
 * throughout, as a busy poll loop would.
 */
static void
expect_keepalive_between(struct ptest_ctx *t, uint64_t lo, uint64_t hi)
{
	uint64_t el = 0;

	while (el < lo - 1000) {
		ptest_advance(t, 1000);
		el += 1000;
		PTEST_NOTHING_SENT(t);
	}
	while (t->nsent == 0 && el < hi) {
		ptest_advance(t, 1000);
		el += 1000;
	}
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt - 1, conn.rcv_nxt, ptest_conn_wnd(&conn), 0,
		     NULL, NULL);
	PTEST_NOTHING_SENT(t);
}

/* A keepalive probe <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data, goes at us from now. */
static void
expect_keepalive_at(struct ptest_ctx *t, uint64_t us)
{
	expect_keepalive_between(t, us, us);
}

/* keepalive_cnt unanswered probes were sent: the next interval ends in RST. */
static void
expect_keepalive_drop_at(struct ptest_ctx *t, uint64_t us)
{
	PTEST_EXPECT_SENT_AT(t, us);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_DROP), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
}

static void
test_rfc1122_4_2_3_6_keepalive_probe_after_idle(void **state)
{
	/*
	 * Ensure that an idle connection gets its first keepalive probe
	 * <SEQ=SND.UNA-1><ACK=RCV.NXT> exactly keepalive_idle_ms after the last
	 * segment received, and none before (TCP_KEEPALIVE_PROBE 1).
	 */
	struct ptest_ctx *t = keepalive_conn();

	(void)state;
	expect_keepalive_at(t, MS(KA_IDLE_MS));
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_PROBE), 1);
	ptest_free(t);
}

static void
test_rfc1122_4_2_3_6_keepalive_idle_from_last_segment(void **state)
{
	/*
	 * Ensure that the idle time counts from the last segment received: a
	 * segment at 6 s moves the first probe from 10 s to 16 s.
	 */
	struct ptest_ctx *t = keepalive_conn();

	(void)state;
	ptest_advance(t, S(6));
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	expect_keepalive_at(t, MS(KA_IDLE_MS));
	ptest_free(t);
}

static void
test_rfc1122_4_2_3_6_keepalive_unanswered_probes_abort(void **state)
{
	/*
	 * Ensure that unanswered probes repeat every keepalive_intvl_ms and that
	 * after keepalive_cnt (3) of them the next interval sends RST <SEQ=SND.NXT>
	 * with on_closed(-ETIMEDOUT) and TCP_KEEPALIVE_DROP.
	 */
	struct ptest_ctx *t = keepalive_conn();

	(void)state;
	expect_keepalive_at(t, MS(KA_IDLE_MS));
	expect_keepalive_at(t, MS(KA_INTVL_MS));
	expect_keepalive_at(t, MS(KA_INTVL_MS));
	assert_int_equal(conn.rec.n_closed, 0);
	expect_keepalive_drop_at(t, MS(KA_INTVL_MS));
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_PROBE), KA_CNT);
	ptest_free(t);
}

static void
test_rfc1122_4_2_3_6_keepalive_answer_resets_count(void **state)
{
	/*
	 * Ensure that an answer to a probe resets the count: two unanswered
	 * probes, an answer, then the next probe only after a full idle time and
	 * again keepalive_cnt probes before the abort (5 probes in all). (When
	 * exactly after the idle time is test_..._keepalive_idle_from_last_segment's
	 * subject; here it may come up to one interval later.)
	 */
	struct ptest_ctx *t = keepalive_conn();

	(void)state;
	expect_keepalive_at(t, MS(KA_IDLE_MS));
	expect_keepalive_at(t, MS(KA_INTVL_MS));
	ptest_conn_rx_ack(&conn);   /* the peer answers */
	PTEST_NOTHING_SENT(t);
	expect_keepalive_between(t, MS(KA_IDLE_MS), MS(KA_IDLE_MS + KA_INTVL_MS));
	expect_keepalive_at(t, MS(KA_INTVL_MS));
	expect_keepalive_at(t, MS(KA_INTVL_MS));
	expect_keepalive_drop_at(t, MS(KA_INTVL_MS));
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_PROBE), 5);
	ptest_free(t);
}

static void
test_rfc1122_4_2_3_6_keepalive_off_by_default(void **state)
{
	/*
	 * Ensure that keepalive is off by default ("MUST default to off"): an
	 * idle connection sends nothing for 3 hours and stays ESTABLISHED.
	 */
	struct ptest_ctx *t = established_conf(NULL);
	int i;

	(void)state;
	for (i = 0; i < 3 * 60; i++) {
		ptest_advance(t, S(60));
		PTEST_NOTHING_SENT(t);
	}
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_PROBE), 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc1122_4_2_3_6_keepalive_needs_idle_configured(void **state)
{
	/*
	 * Ensure that ptcp_conn_set_keepalive(c, true) fails with -EINVAL when the
	 * stack has no keepalive_idle_ms, and nothing is probed.
	 */
	struct ptest_ctx *t = established_conf(NULL);

	(void)state;
	assert_int_equal(ptcp_conn_set_keepalive(ptest_conn_c(&conn), true), -EINVAL);
	ptest_advance(t, S(7200));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc1122_4_2_3_6_keepalive_off_per_connection(void **state)
{
	/*
	 * Ensure that ptcp_conn_set_keepalive(c, false) stops probing a
	 * connection of a stack with keepalive configured.
	 */
	struct ptest_ctx *t = keepalive_conn();

	(void)state;
	assert_int_equal(ptcp_conn_set_keepalive(ptest_conn_c(&conn), false), 0);
	ptest_advance(t, S(3600));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_KEEPALIVE_PROBE), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* RFC 6298 estimator: worked values                                     */
/* ====================================================================== */

/*
 * Passive open whose handshake gives the first RTT sample r0 (the ACK of
 * our SYN-ACK arrives r0 after it), then one sample per further r[]: 10
 * bytes sent, ACKed r[i] later.
 */
static struct ptest_ctx *
with_samples(const struct ptcp_stack_conf *c, const uint64_t *r, unsigned int n)
{
	struct ptest_ctx *t = ptest_new_tcp(c);
	uint8_t d[10];
	unsigned int i;

	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_advance(t, r[0]);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_pattern(d, sizeof(d), 6);
	for (i = 1; i < n; i++) {
		ptest_conn_send(&conn, d, sizeof(d));
		PTEST_EXPECT_DATA(&conn, d, sizeof(d));
		ptest_advance(t, r[i]);
		PTEST_NOTHING_SENT(t);
		ptest_conn_rx_ack(&conn);
		PTEST_NOTHING_SENT(t);
	}
	return t;
}

/* Send 10 bytes now: nothing until the tick at rto_us, then their retransmission. */
static void
expect_rto(struct ptest_ctx *t, uint64_t rto_us)
{
	uint8_t d[10];
	uint64_t tick = (rto_us + 999) / 1000 * 1000;

	ptest_pattern(d, sizeof(d), 7);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AT(t, tick);
	PTEST_EXPECT_SEG(&conn, conn.snd_nxt - 10, 10, d);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
}

static void
test_rfc6298_2_2_first_sample_worked_value(void **state)
{
	/*
	 * Ensure that the first sample R = 400 ms gives SRTT = 400, RTTVAR = 200,
	 * RTO = SRTT + max(G, 4*RTTVAR) = 1200 ms: the retransmission comes at
	 * 1200 ms, not at 1199.
	 */
	static const uint64_t r[] = { MS(400) };
	struct ptest_ctx *t = with_samples(NULL, r, 1);

	(void)state;
	expect_rto(t, MS(1200));
	ptest_free(t);
}

static void
test_rfc6298_2_3_worked_sequence(void **state)
{
	/*
	 * Ensure that the samples 400, 200, 600, 100, 300 ms give, by hand with
	 * alpha 1/8, beta 1/4, K 4:
	 *   R=400: SRTT 400      RTTVAR 200         RTO 1200
	 *   R=200: SRTT 375      RTTVAR 200         RTO 1175
	 *   R=600: SRTT 403.125  RTTVAR 206.25      RTO 1228.125
	 *   R=100: SRTT 365.234  RTTVAR 230.469     RTO 1287.109
	 *   R=300: SRTT 357.080  RTTVAR 189.160     RTO 1113.721
	 * each observed (on a fresh connection) as the retransmission at the first
	 * 1 ms tick at or after RTO.
	 */
	static const uint64_t r[] = { MS(400), MS(200), MS(600), MS(100), MS(300) };
	static const uint64_t rto[] = { 1200000, 1175000, 1228125, 1287109, 1113721 };
	unsigned int n;

	(void)state;
	for (n = 1; n <= RTE_DIM(r); n++) {
		struct ptest_ctx *t = with_samples(NULL, r, n);

		expect_rto(t, rto[n - 1]);
		ptest_free(t);
	}
}

static void
test_rfc6298_2_3_clock_granularity_g(void **state)
{
	/*
	 * Ensure that RTO = SRTT + max(G, K*RTTVAR) with G = 1 ms: after 15
	 * samples of 5.2 ms RTTVAR has decayed to ~46 us, so K*RTTVAR < G and
	 * RTO = 5.2 + 1 = 6.2 ms (rto_min 1 ms): the retransmission comes at the
	 * 7 ms tick, not at 6 ms as SRTT + 4*RTTVAR = 5.39 ms would give.
	 */
	static uint64_t r[15];
	struct ptcp_stack_conf c = { .rto_min_ms = 1 };
	struct ptest_ctx *t;
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(r); i++)
		r[i] = 5200;
	t = with_samples(&c, r, RTE_DIM(r));
	expect_rto(t, 6200);
	ptest_free(t);
}

static void
test_rfc6298_2_4_rto_floor_rto_min(void **state)
{
	/*
	 * Ensure that an RTO computed below rto_min is raised to it: with
	 * rto_min_ms 1000 (the RFC's 1 s) a 100 ms sample (SRTT + 4*RTTVAR =
	 * 300 ms) gives RTO 1000 ms.
	 */
	static const uint64_t r[] = { MS(100) };
	struct ptcp_stack_conf c = { .rto_min_ms = 1000 };
	struct ptest_ctx *t = with_samples(&c, r, 1);

	(void)state;
	expect_rto(t, MS(1000));
	ptest_free(t);
}

static void
test_rfc6298_2_5_rto_cap_rto_max(void **state)
{
	/*
	 * Ensure that an RTO computed above rto_max is capped: rto_max_ms 30000
	 * and a 20 s sample (SRTT + 4*RTTVAR = 60 s) give RTO 30 s (rto_init_ms
	 * 25000 so the SYN-ACK is not retransmitted before the sample).
	 */
	static const uint64_t r[] = { S(20) };
	struct ptcp_stack_conf c = { .rto_init_ms = 25000, .rto_max_ms = 30000 };
	struct ptest_ctx *t = with_samples(&c, r, 1);

	(void)state;
	expect_rto(t, S(30));
	ptest_free(t);
}

/* ====================================================================== */
/* TIME-WAIT                                                             */
/* ====================================================================== */

#define TW_COUNT(t) ptcp_stack_time_wait_count((t)->st)

/* The TIME-WAIT record exists for us - 1 ms more and is gone at us. */
static void
expect_gone_at(struct ptest_ctx *t, uint64_t us)
{
	ptest_advance(t, us - 1000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_advance(t, 1000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 0);
	assert_int_equal(conn.rec.n_closed, 1);   /* once, when TIME-WAIT began */
	assert_int_equal(conn.rec.closed_err, 0);
}

/* A passively opened connection we closed first, now in TIME-WAIT (msl_ms 1000). */
static struct ptest_ctx *
time_wait(void)
{
	struct ptcp_stack_conf c = { .msl_ms = 1000 };
	struct ptest_ctx *t = established_conf(&c);

	ptest_conn_time_wait(&conn);
	return t;
}

/* A SYN from the peer with sequence number isn on conn's ports. */
static void
rx_syn(uint32_t isn)
{
	ptest_rx_seg(conn.t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = isn, .flags = PT_SYN, .wnd = 65535,
		.opt = &(struct ptcp_tcp_opts){ .present = PTCP_TCPOPT_F_MSS, .mss = PTEST_MSS } });
}

static void
test_rfc6191_time_wait_syn_higher_isn_reopens(void **state)
{
	/*
	 * Ensure that a SYN in TIME-WAIT whose ISN is beyond RCV.NXT, with a
	 * listener on the port, ends the old incarnation (its record is
	 * consumed, TCP_TW_REUSE) and opens a new one: SYN-ACK <ACK=ISN+1> with
	 * the MSS option, ESTABLISHED on the peer's ACK.
	 */
	struct ptest_ctx *t = time_wait();

	(void)state;
	conn.irs = conn.rcv_nxt + 100000;
	conn.rcv_nxt = conn.irs + 1;
	conn.unread = 0;
	ptest_conn_syn_received(&conn);   /* sends the SYN, asserts the SYN-ACK */
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 1);
	assert_int_equal(TW_COUNT(t), 0);
	assert_int_equal(conn.rec.n_closed, 1);   /* the old one's, at TIME-WAIT */
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 2);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc1122_4_2_2_13_time_wait_reuse_iss_beyond_old(void **state)
{
	/*
	 * Ensure that a connection reopened from TIME-WAIT gets an ISS "larger
	 * than the largest sequence number it used on the previous connection
	 * incarnation": the old one sent 20000 bytes and a FIN, and the new
	 * SYN-ACK's sequence number lies beyond the old SND.NXT.
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000 };
	struct ptest_ctx *t = established_conf(&c);
	static uint8_t d[20000];
	uint32_t old_snd_nxt;

	(void)state;
	ptest_pattern(d, sizeof(d), 8);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, sizeof(d)), (int32_t)sizeof(d));
	ptest_kick(t);
	while (t->nsent != 0) {
		while (t->nsent != 0) {
			struct ptcp_tcp_seg s;

			ptest_pop_tcp(t, &s, NULL, 0);
			assert_int_equal(s.seq, conn.snd_nxt);
			conn.snd_nxt += s.len;
		}
		ptest_conn_rx_ack(&conn);
	}
	assert_int_equal(conn.snd_nxt - conn.iss - 1, sizeof(d));
	ptest_conn_time_wait(&conn);
	old_snd_nxt = conn.snd_nxt;
	conn.irs = conn.rcv_nxt + 100000;
	conn.rcv_nxt = conn.irs + 1;
	ptest_conn_syn_received(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 1);
	assert_true(ptcp_seq_gt(conn.iss, old_snd_nxt));
	ptest_free(t);
}

static void
test_rfc1122_4_2_2_13_time_wait_reuse_with_pool_full(void **state)
{
	/*
	 * Ensure that a SYN that could reopen a TIME-WAIT tuple while every connection slot is
	 * taken is dropped without ending TIME-WAIT (TCP_TW_REUSE_DROP): the record still ACKs
	 * the old FIN; once a slot is free the SYN reopens the tuple with an ISS beyond the old
	 * SND.NXT and consumes the record.
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000, .max_conns = 1 };
	struct ptest_ctx *t = established_conf(&c);
	struct ptcp_conn *other;
	struct ptcp_tcp_seg s;
	uint32_t old_snd_nxt, old_rcv_nxt;

	(void)state;
	ptest_conn_time_wait(&conn);
	old_snd_nxt = conn.snd_nxt;
	old_rcv_nxt = conn.rcv_nxt;
	/* The one slot goes to an active open. */
	other = ptcp_connect(t->st, PTEST_PEER_IP, 80, 50000, &ptest_rec_ops, &conn.rec);
	assert_non_null(other);
	ptest_kick(t);
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN);
	rx_syn(old_rcv_nxt + 100000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_DROP), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE_DROP), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 0);
	assert_int_equal(TW_COUNT(t), 1);
	/* TIME-WAIT is intact: the old FIN is still acknowledged. */
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, old_rcv_nxt - 1, old_snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	/* A slot frees: the SYN's retransmission is accepted. */
	ptcp_abort(other);
	ptest_kick(t);
	ptest_clear(t);
	conn.irs = old_rcv_nxt + 100000;
	conn.rcv_nxt = conn.irs + 1;
	conn.unread = 0;
	ptest_conn_syn_received(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 1);
	assert_int_equal(TW_COUNT(t), 0);
	assert_true(ptcp_seq_gt(conn.iss, old_snd_nxt));
	ptest_free(t);
}

static void
test_rfc6191_time_wait_reuse_not_by_cookie(void **state)
{
	/*
	 * Ensure that a SYN that could reopen a TIME-WAIT tuple while the listener's backlog is
	 * full is dropped, not answered with a SYN cookie (a cookie cannot keep the ISS above
	 * the old SND.NXT): TCP_TW_REUSE_DROP, no TCP_COOKIE_SENT, the record kept and still
	 * acknowledging the old FIN.
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000, .backlog = 1 };
	struct ptest_ctx *t = established_conf(&c);
	uint32_t old_rcv_nxt;

	(void)state;
	ptest_conn_time_wait(&conn);
	old_rcv_nxt = conn.rcv_nxt;
	/* Another client's SYN fills the backlog of one. */
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport + 1, .dport = conn.lport,
		.seq = 1000, .flags = PT_SYN, .wnd = 65535 });
	ptest_clear(t);
	rx_syn(old_rcv_nxt + 100000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE_DROP), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 0);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, old_rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc5961_4_2_time_wait_syn_lower_isn_challenge_ack(void **state)
{
	/*
	 * Ensure that a SYN in TIME-WAIT whose ISN is below RCV.NXT does not
	 * reopen the connection: a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>,
	 * TCP_CHALLENGE_ACK, still TIME-WAIT.
	 */
	struct ptest_ctx *t = time_wait();

	(void)state;
	rx_syn(conn.rcv_nxt - 100);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 0);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_free(t);
}

static void
test_rfc5961_4_2_time_wait_syn_at_rcv_nxt_challenge_ack(void **state)
{
	/*
	 * Ensure that a SYN in TIME-WAIT with ISN = RCV.NXT (not beyond it) gets a
	 * challenge ACK and does not reopen the connection.
	 */
	struct ptest_ctx *t = time_wait();

	(void)state;
	rx_syn(conn.rcv_nxt);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 0);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_free(t);
}

static void
test_rfc5961_4_2_time_wait_syn_without_listener_challenge_ack(void **state)
{
	/*
	 * Ensure that without a listener on the port (an actively opened
	 * connection) a SYN with a higher ISN in TIME-WAIT gets a challenge ACK
	 * and does not reopen anything.
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000 };
	struct ptest_ctx *t = ptest_new_tcp(&c);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_active(&conn);
	ptest_conn_time_wait(&conn);
	rx_syn(conn.rcv_nxt + 100000);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_REUSE), 0);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_free(t);
}

static void
test_rfc1337_time_wait_rst_does_not_shorten(void **state)
{
	/*
	 * Ensure that a RST at RCV.NXT in TIME-WAIT is ignored (TCP_RST_IGNORED,
	 * nothing sent) and TIME-WAIT still lasts the full 2*MSL (2 s).
	 */
	struct ptest_ctx *t = time_wait();

	(void)state;
	ptest_advance(t, MS(500));
	ptest_conn_rx(&conn, PT_RST | PT_ACK, conn.rcv_nxt, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_IGNORED), 1);
	assert_int_equal(TW_COUNT(t), 1);
	expect_gone_at(t, MS(1500));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_fin_rexmit_restarts_2msl(void **state)
{
	/*
	 * Ensure that a retransmitted FIN 1.5 s into TIME-WAIT is ACKed again and
	 * restarts 2*MSL: the connection is gone 2 s after it (3.5 s), not at 2 s.
	 */
	struct ptest_ctx *t = time_wait();

	(void)state;
	ptest_advance(t, MS(1500));
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	expect_gone_at(t, MS(2000));
	ptest_free(t);
}

static void
test_rfc5681_4_2_ack_every_second_segment_of_peer_size(void **state)
{
	/*
	 * Ensure that "full-sized" is the peer's segment size, not our MSS: a
	 * peer sending 536-byte segments (its MSS) gets every second one ACKed at
	 * once, as a 1460-byte sender does.
	 */
	struct ptest_ctx *t = delack_40();
	uint8_t d[536];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	for (int i = 0; i < 3; i++) {
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_NOTHING_SENT(t);
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_EXPECT_ACK(&conn);
		PTEST_NOTHING_SENT(t);
	}
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 0);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* delayed ACK */
		cmocka_unit_test(test_rfc9293_3_8_6_3_delayed_ack_after_delack_ms),
		cmocka_unit_test(test_rfc5681_4_2_ack_every_second_full_segment),
		cmocka_unit_test(test_rfc5681_4_2_ack_every_second_segment_of_peer_size),
		cmocka_unit_test(test_rfc9293_3_8_6_3_delay_counted_from_first_segment),
		cmocka_unit_test(test_rfc9293_3_8_6_3_data_from_on_readable_carries_ack),
		cmocka_unit_test(test_rfc9293_3_8_6_3_delack_clamped_to_200ms),
		/* keepalive */
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_probe_after_idle),
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_idle_from_last_segment),
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_unanswered_probes_abort),
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_answer_resets_count),
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_off_by_default),
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_needs_idle_configured),
		cmocka_unit_test(test_rfc1122_4_2_3_6_keepalive_off_per_connection),
		/* RFC 6298 estimator */
		cmocka_unit_test(test_rfc6298_2_2_first_sample_worked_value),
		cmocka_unit_test(test_rfc6298_2_3_worked_sequence),
		cmocka_unit_test(test_rfc6298_2_3_clock_granularity_g),
		cmocka_unit_test(test_rfc6298_2_4_rto_floor_rto_min),
		cmocka_unit_test(test_rfc6298_2_5_rto_cap_rto_max),
		/* TIME-WAIT */
		cmocka_unit_test(test_rfc6191_time_wait_syn_higher_isn_reopens),
		cmocka_unit_test(test_rfc1122_4_2_2_13_time_wait_reuse_iss_beyond_old),
		cmocka_unit_test(test_rfc1122_4_2_2_13_time_wait_reuse_with_pool_full),
		cmocka_unit_test(test_rfc6191_time_wait_reuse_not_by_cookie),
		cmocka_unit_test(test_rfc5961_4_2_time_wait_syn_lower_isn_challenge_ack),
		cmocka_unit_test(test_rfc5961_4_2_time_wait_syn_at_rcv_nxt_challenge_ack),
		cmocka_unit_test(test_rfc5961_4_2_time_wait_syn_without_listener_challenge_ack),
		cmocka_unit_test(test_rfc1337_time_wait_rst_does_not_shorten),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_fin_rexmit_restarts_2msl),
	};

	return cmocka_run_group_tests_name("tcp_timers", tests, NULL, NULL);
}
