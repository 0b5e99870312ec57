/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_cc.c - congestion control (lib/tcp/tcp_cc*.c) against window
 * values computed by hand from the RFCs:
 *   - NewReno with RFC 3465 appropriate byte counting (slow start limit
 *     L = 2 SMSS, L = 1 SMSS after a timeout; one SMSS per cwnd of bytes
 *     acknowledged in congestion avoidance);
 *   - CUBIC, RFC 9438: W_cubic(t) and K, the Reno-friendly region with
 *     alpha_cubic 9/17 then 1, concave and convex growth toward
 *     W_cubic(t + RTT) clamped to 1.5 cwnd, beta 0.7, fast convergence,
 *     the timeout stage (K = 0), undo;
 *   - RFC 7661: no growth while not cwnd-limited, the non-validated phase
 *     and its 5-minute limit;
 *   - the choice of algorithm per stack and per connection, and that
 *     congestion control never transmits.
 *
 * Most tests open a connection with the harness and then call the
 * congestion control entry points (tcp_cc.h) directly, setting the
 * sender state an ACK would find (cwnd, ssthresh, FlightSize) and moving
 * the stack's clock (st->now_us) for CUBIC; the reductions are also driven
 * end to end by duplicate ACKs and timeouts. MSS 1460 throughout
 * ("segments" below are 1460 bytes); windows are asserted in bytes, CUBIC's
 * within a few bytes of the real-number values (integer arithmetic: K
 * rounded down to the millisecond).
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "harness.h"
#include "tcp_private.h"

#define MSS PTEST_MSS
#define SEGS(n) ((uint32_t)(n) * MSS)
/* CUBIC values: integer arithmetic within this many bytes of the real-number formula. */
#define CUBIC_TOL 16
/* W_cubic(t_ms) of c is want bytes, within CUBIC_TOL. */
#define ASSERT_CUBIC_W(c, t_ms, want) \
	assert_in_range(ptcp_tcp_cubic_w((c), (t_ms)), (want) - CUBIC_TOL, (want) + CUBIC_TOL)

static struct ptest_conn conn;
static uint8_t data[64 * PTEST_MSS];

static const struct ptcp_stack_conf newreno_conf = { .cc = "newreno" };
static const struct ptcp_stack_conf cubic_conf = { .cc = "cubic" };

static struct ptest_ctx *
established(const struct ptcp_stack_conf *conf)
{
	struct ptest_ctx *t = ptest_established(&conn, conf);

	ptest_pattern(data, sizeof(data), 0x77);
	ptest_stream_start(&conn, data);
	return t;
}

/*
 * Direct calls: the connection's real SND.MAX is kept aside while a test
 * pretends a FlightSize, and restored before the stack is torn down.
 */
static uint32_t saved_snd_max;

static void
pretend_begin(struct ptcp_conn *c)
{
	saved_snd_max = c->snd_max;
}

static void
pretend_end(struct ptcp_conn *c)
{
	c->snd_max = saved_snd_max;
}

/* FlightSize as an ACK of `acked` bytes finds it: flight bytes before the ACK. */
static void
set_flight(struct ptcp_conn *c, uint32_t flight, uint32_t acked)
{
	c->snd_max = c->snd_una + flight - acked;
}

/* An ACK of `acked` bytes while the whole cwnd was in flight (cwnd-limited). */
static void
ack_limited(struct ptcp_conn *c, uint32_t acked)
{
	set_flight(c, c->cwnd, acked);
	ptcp_tcp_cc_ack(c, acked, 0);
}

static void
set_clock(struct ptest_ctx *t, uint64_t us)
{
	t->now = us;
	t->st->now_us = us;
}

/* ====================================================================== */
/* NewReno: RFC 5681 with RFC 3465 appropriate byte counting             */
/* ====================================================================== */

static void
test_rfc3465_2_2_slow_start_abc_limit_2_smss(void **state)
{
	/*
	 * Ensure that in slow start an ACK grows cwnd by min(N, 2*SMSS): from
	 * the initial window of 10 segments (more queued, so each ACK finds
	 * cwnd full), an ACK of 3 segments adds 2 (12), an ACK of 1 segment
	 * adds 1 (13), an ACK of 2 adds 2 (15).
	 */
	struct ptest_ctx *t = established(&newreno_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send(&conn, SEGS(30));
	ptest_clear(t);
	assert_int_equal(c->cwnd, SEGS(10));
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(3));
	assert_int_equal(c->cwnd, SEGS(12));
	ptest_clear(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(4));
	assert_int_equal(c->cwnd, SEGS(13));
	ptest_clear(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(6));
	assert_int_equal(c->cwnd, SEGS(15));
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc3465_2_3_slow_start_after_rto_limit_1_smss(void **state)
{
	/*
	 * Ensure that in the slow start that follows a timeout an ACK grows
	 * cwnd by at most one SMSS (RFC 3465 2.3: L = 1*SMSS): 10 segments in
	 * flight, RTO: ssthresh = 5 segments, cwnd 1; the ACK of 3 segments
	 * (the retransmission filled the hole before segments 2 and 3) makes
	 * cwnd 2 segments, not 3.
	 */
	struct ptest_ctx *t = established(&newreno_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	PTEST_EXPECT_SENT_AT(t, PTCP_MS(200));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	assert_int_equal(c->ssthresh, SEGS(5));
	assert_int_equal(c->cwnd, SEGS(1));
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(3));
	assert_int_equal(c->cwnd, SEGS(2));
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc3465_2_1_ca_byte_counting_one_smss_per_cwnd(void **state)
{
	/*
	 * Ensure that in congestion avoidance cwnd grows by one SMSS once a
	 * whole cwnd of bytes is acknowledged, however the ACKs split it:
	 * cwnd 10 segments = ssthresh; nine ACKs of one segment leave it at
	 * 10, the tenth makes it 11; at 11, five ACKs of two segments (10
	 * segments) leave it, a sixth (12 >= 11) makes it 12 with one segment
	 * of bytes_acked left over. (RFC 5681 eqn 3 would add 146 bytes per
	 * ACK: 1314 after nine.)
	 */
	struct ptest_ctx *t = established(&newreno_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	int i;

	(void)state;
	pretend_begin(c);
	c->cwnd = SEGS(10);
	c->ssthresh = SEGS(10);
	for (i = 0; i < 9; i++)
		ack_limited(c, MSS);
	assert_int_equal(c->cwnd, SEGS(10));
	ack_limited(c, MSS);
	assert_int_equal(c->cwnd, SEGS(11));
	assert_int_equal(c->cc.priv.reno.bytes_acked, 0);
	for (i = 0; i < 5; i++)
		ack_limited(c, SEGS(2));
	assert_int_equal(c->cwnd, SEGS(11));
	ack_limited(c, SEGS(2));
	assert_int_equal(c->cwnd, SEGS(12));
	assert_int_equal(c->cc.priv.reno.bytes_acked, SEGS(1));
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc5681_3_2_newreno_halves_on_fast_retransmit(void **state)
{
	/*
	 * Ensure that NewReno's reduction on the third duplicate ACK is
	 * ssthresh = FlightSize/2 = 5 segments, and recovery inflates cwnd to
	 * ssthresh + 3 segments (RFC 5681 3.2 steps 2-3).
	 */
	struct ptest_ctx *t = established(&newreno_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	assert_int_equal(c->ssthresh, SEGS(5));
	assert_int_equal(c->cwnd, SEGS(8));
	assert_int_equal(PTEST_CTR(t, TCP_CC_CONGESTION_EVENT), 1);
	ptest_free(t);
}

/* ====================================================================== */
/* CUBIC (RFC 9438)                                                       */
/* ====================================================================== */

/*
 * A CUBIC connection whose window was 100 segments when a loss was
 * detected with 100 segments in flight (the first loss: no fast
 * convergence): W_max = 100, ssthresh = cwnd = 0.7 * 100 = 70 segments.
 */
static struct ptcp_conn *
cubic_after_loss_at_100(void)
{
	struct ptcp_conn *c = ptest_conn_c(&conn);

	pretend_begin(c);
	c->cwnd = SEGS(100);
	set_flight(c, SEGS(100), 0);
	ptcp_tcp_cc_congestion_event(c);
	return c;
}

static void
test_rfc9438_4_6_multiplicative_decrease_beta_0_7(void **state)
{
	/*
	 * Ensure that a loss sets ssthresh = 0.7 * FlightSize and cwnd =
	 * ssthresh, and W_max = the cwnd of before (100 segments). End to
	 * end: the third duplicate ACK with the 10-segment initial window in
	 * flight gives ssthresh 7 segments, inflated cwnd 7 + 3 = 10 segments,
	 * and the full ACK deflates cwnd to min(ssthresh, FlightSize + SMSS)
	 * = 1 + 1 segments (RFC 6582 3.2 step 3).
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();

	(void)state;
	assert_int_equal(c->ssthresh, SEGS(70));
	assert_int_equal(c->cwnd, SEGS(70));
	assert_int_equal(c->cc.priv.cubic.w_max, SEGS(100));
	pretend_end(c);
	ptest_free(t);

	t = established(&cubic_conf);
	c = ptest_conn_c(&conn);
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	assert_int_equal(c->ssthresh, SEGS(7));
	assert_int_equal(c->cwnd, SEGS(10));
	assert_int_equal(c->cc.priv.cubic.w_max, SEGS(10));
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(10));
	assert_int_equal(c->cwnd, SEGS(2));
	ptest_free(t);
}

static void
test_rfc9438_4_2_cubic_window_at_t(void **state)
{
	/*
	 * Ensure that W_cubic(t) = C*(t-K)^3 + W_max with C = 0.4, W_max = 100
	 * segments, cwnd_epoch = 70: K = cbrt((100 - 70) / 0.4) = cbrt(75) =
	 * 4.2172 s (4217 ms), and
	 *   W(0)   = 100 - 0.4 * 4.2172^3 =  70.000 segments = 102200 bytes
	 *   W(1 s) = 100 - 0.4 * 3.2172^3 =  86.681           = 126554
	 *   W(K)   = 100                                      = 146000
	 *   W(6 s) = 100 + 0.4 * 1.7828^3 = 102.267           = 149309
	 *   W(10s) = 100 + 0.4 * 5.7828^3 = 177.354           = 258937
	 * The epoch starts with the first ACK in congestion avoidance.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();

	(void)state;
	ack_limited(c, MSS);
	assert_int_equal(c->cc.priv.cubic.k_ms, 4217);
	ASSERT_CUBIC_W(c, 0, 102200);
	ASSERT_CUBIC_W(c, 1000, 126554);
	assert_int_equal(ptcp_tcp_cubic_w(c, 4217), 146000);
	ASSERT_CUBIC_W(c, 6000, 149309);
	ASSERT_CUBIC_W(c, 10000, 258937);
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_2_cubic_window_with_negative_k(void **state)
{
	/*
	 * Ensure that an epoch starting above W_max (cwnd_epoch 120 segments,
	 * W_max 100) has a negative K = -cbrt((120 - 100) / 0.4) = -cbrt(50)
	 * = -3.684 s, so the curve is convex from its start and passes
	 * through cwnd_epoch at t = 0:
	 *   W(0)   = 100 + 0.4 * 3.6840^3 = 120.000 segments = 175200 bytes
	 *   W(1 s) = 100 + 0.4 * 4.6840^3 = 141.107           = 206017
	 *   W(2 s) = 100 + 0.4 * 5.6840^3 = 173.456           = 253246
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();

	(void)state;
	c->cwnd = SEGS(120);
	ack_limited(c, MSS);
	assert_int_equal(c->cc.priv.cubic.k_ms, -3684);
	ASSERT_CUBIC_W(c, 0, 175200);
	ASSERT_CUBIC_W(c, 1000, 206017);
	ASSERT_CUBIC_W(c, 2000, 253246);
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_2_integer_cube_root_is_the_floor(void **state)
{
	/*
	 * Ensure that K's integer cube root is floor(cbrt(x)) over the whole
	 * 64-bit range: exact cubes and one below them, the largest cube in 64
	 * bits (2642245^3), UINT64_MAX, and random values (y^3 <= x < (y+1)^3).
	 */
	uint64_t n, x, r = 0x9e3779b97f4a7c15ull;
	unsigned int i;

	(void)state;
	assert_int_equal(ptcp_cbrt64(0), 0);
	assert_int_equal(ptcp_cbrt64(1), 1);
	assert_int_equal(ptcp_cbrt64(7), 1);
	assert_int_equal(ptcp_cbrt64(8), 2);
	assert_int_equal(ptcp_cbrt64(UINT64_MAX), 2642245);
	for (n = 2; n <= 2642245; n += (n < 5000 ? 1 : 997)) {
		assert_int_equal(ptcp_cbrt64(n * n * n), n);
		assert_int_equal(ptcp_cbrt64(n * n * n - 1), n - 1);
	}
	assert_int_equal(ptcp_cbrt64(2642245ull * 2642245ull * 2642245ull), 2642245);
	for (i = 0; i < 100000; i++) {
		unsigned __int128 y, y1;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		x = r >> (i % 64);   /* every magnitude */
		y = ptcp_cbrt64(x);
		y1 = y + 1;
		assert_true(y * y * y <= x);
		assert_true(y1 * y1 * y1 > x);
	}
}

static void
test_rfc9438_4_4_concave_growth_toward_w_t_plus_rtt(void **state)
{
	/*
	 * Ensure that in the concave region an ACK of one segment grows cwnd by
	 * (target - cwnd) / cwnd segments with target = W_cubic(t + RTT):
	 * W_max 100, cwnd 70 segments (102200), SRTT 100 ms, an ACK 1 s into
	 * the epoch: target = W(1.1 s) = 100 - 0.4 * 3.1172^3 = 87.884
	 * segments = 128311 bytes; cwnd += (128311 - 102200) * 1460 / 102200
	 * = 373 -> 102573.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();
	uint64_t t0 = t->now;

	(void)state;
	c->flags |= PTCP_TF_RTT_VALID;
	c->srtt_us = 100000;
	ack_limited(c, MSS);   /* epoch starts, t = 0: W(0.1 s) - cwnd is small */
	c->cwnd = SEGS(70);
	set_clock(t, t0 + 1000000);
	ack_limited(c, MSS);
	assert_in_range(c->cwnd, 102573 - 2, 102573 + 2);
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_5_convex_target_clamped_to_1_5_cwnd(void **state)
{
	/*
	 * Ensure that far into the convex region the target is clamped to
	 * 1.5 * cwnd: 20 s into the epoch W(20.1 s) = 1702.7 segments, above
	 * 1.5 * 70, so an ACK of one segment adds (105 - 70) / 70 segments =
	 * 730 bytes.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();
	uint64_t t0 = t->now;

	(void)state;
	c->flags |= PTCP_TF_RTT_VALID;
	c->srtt_us = 100000;
	ack_limited(c, MSS);
	c->cwnd = SEGS(70);
	set_clock(t, t0 + 20000000);
	ack_limited(c, MSS);
	assert_int_equal(c->cwnd, SEGS(70) + 730);
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_3_reno_friendly_region(void **state)
{
	/*
	 * Ensure that while W_cubic(t) < W_est cwnd follows W_est, which grows
	 * by alpha_cubic * segments_acked / cwnd per ACK with alpha_cubic =
	 * 3 * (1 - 0.7) / (1 + 0.7) = 9/17 until W_est reaches cwnd_prior,
	 * then by 1. Loss at 10 segments: W_max = cwnd_prior = 10, cwnd = 7,
	 * K = cbrt(3 / 0.4) = 1.957 s; the clock stands still, so W_cubic(t)
	 * stays W(0) = 7 segments. Each ACK covers the whole cwnd
	 * (segments_acked / cwnd = 1):
	 *   W_est = 7 + 9/17 = 7.529 segments = 10992.9 bytes, then
	 *   11765.9, 12538.8, 13311.8, 14084.7, 14857.6 (>= 14600 = cwnd_prior),
	 *   then + 1 segment: 16317.6.
	 */
	static const uint32_t expect[] = { 10992, 11765, 12538, 13311, 14084, 14857, 16317 };
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	pretend_begin(c);
	c->cwnd = SEGS(10);
	set_flight(c, SEGS(10), 0);
	ptcp_tcp_cc_congestion_event(c);
	assert_int_equal(c->cwnd, SEGS(7));
	for (unsigned int i = 0; i < RTE_DIM(expect); i++) {
		ack_limited(c, c->cwnd);
		ASSERT_CUBIC_W(c, 0, SEGS(7));
		assert_in_range(c->cwnd, expect[i] - 2, expect[i] + 2);
	}
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_7_fast_convergence(void **state)
{
	/*
	 * Ensure that a loss at a cwnd below the previous W_max releases
	 * bandwidth: W_max = cwnd * (1 + 0.7) / 2. First loss at 100 segments:
	 * W_max 100. Second at 90 (< 100): W_max = 90 * 0.85 = 76.5 segments
	 * = 111690 bytes, ssthresh = 0.7 * 90 = 63 segments. Third at 120
	 * (>= 76.5): W_max = 120 segments, no reduction.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();

	(void)state;
	c->cwnd = SEGS(90);
	set_flight(c, SEGS(90), 0);
	ptcp_tcp_cc_congestion_event(c);
	assert_int_equal(c->cc.priv.cubic.w_max, 111690);
	assert_int_equal(c->ssthresh, SEGS(63));
	c->cwnd = SEGS(120);
	set_flight(c, SEGS(120), 0);
	ptcp_tcp_cc_congestion_event(c);
	assert_int_equal(c->cc.priv.cubic.w_max, SEGS(120));
	assert_int_equal(c->ssthresh, SEGS(84));
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_8_rto(void **state)
{
	/*
	 * Ensure that a timeout takes Reno's loss window (1 segment) with
	 * ssthresh = 0.7 * FlightSize (10 segments in flight: 7), and that the
	 * congestion avoidance stage after it has K = 0 and W_max = W_est =
	 * cwnd_epoch: from cwnd 7 segments, W(t) = 7 + 0.4 t^3 segments, W(1
	 * s) = 7.4 segments = 10804 bytes, W(2 s) = 10.2 segments = 14892.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	PTEST_EXPECT_SENT_AT(t, PTCP_MS(200));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	assert_int_equal(c->cwnd, SEGS(1));
	assert_int_equal(c->ssthresh, SEGS(7));
	pretend_begin(c);
	c->cwnd = SEGS(7);   /* slow start has reached ssthresh */
	ack_limited(c, MSS);
	assert_int_equal(c->cc.priv.cubic.k_ms, 0);
	assert_int_equal(c->cc.priv.cubic.w_max, SEGS(7));
	assert_int_equal(ptcp_tcp_cubic_w(c, 1000), 10804);
	assert_int_equal(ptcp_tcp_cubic_w(c, 2000), 14892);
	pretend_end(c);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc9438_4_9_undo_restores_window(void **state)
{
	/*
	 * Ensure that undoing a spurious reduction restores cwnd and W_max to
	 * cwnd_prior (100 segments) and ssthresh to what it was ("arbitrarily
	 * high" before the first loss), counts TCP_CC_UNDO, and that there is
	 * nothing left to undo after it. Also with fast convergence: a loss at
	 * 90 below W_max 100 undone gives back 90 segments, not 76.5.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();

	(void)state;
	assert_true(ptcp_tcp_cc_undo(c));
	assert_int_equal(c->cwnd, SEGS(100));
	assert_int_equal(c->ssthresh, UINT32_MAX);
	assert_int_equal(c->cc.priv.cubic.w_max, SEGS(100));
	assert_int_equal(PTEST_CTR(t, TCP_CC_UNDO), 1);
	assert_false(ptcp_tcp_cc_undo(c));
	ptcp_tcp_cc_congestion_event(c);   /* at 100: W_max 100, cwnd 70 */
	c->cwnd = SEGS(90);
	set_flight(c, SEGS(90), 0);
	ptcp_tcp_cc_congestion_event(c);   /* fast convergence: W_max 76.5 */
	assert_true(ptcp_tcp_cc_undo(c));
	assert_int_equal(c->cwnd, SEGS(90));
	assert_int_equal(c->cc.priv.cubic.w_max, SEGS(90));
	/* A timeout is never undone, nor a reduction before it. */
	ptcp_tcp_cc_congestion_event(c);
	c->nrexmit = 1;
	ptcp_tcp_cc_rto(c);
	c->nrexmit = 0;
	assert_false(ptcp_tcp_cc_undo(c));
	assert_int_equal(c->cwnd, SEGS(1));
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_5_8_app_limited_ends_epoch(void **state)
{
	/*
	 * Ensure that an ACK that finds sending not cwnd-limited does not grow
	 * cwnd and ends the epoch, so the time spent application-limited is
	 * not growth time: 10 s later the next limited ACK starts a new epoch
	 * at that moment (t = 0, K recomputed from cwnd 70: 4217 ms) instead
	 * of jumping toward W(10 s) = 177 segments.
	 */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = cubic_after_loss_at_100();
	uint64_t t0 = t->now;

	(void)state;
	ack_limited(c, MSS);
	c->cwnd = SEGS(70);
	set_flight(c, SEGS(10), MSS);
	ptcp_tcp_cc_ack(c, MSS, 0);
	assert_int_equal(c->cwnd, SEGS(70));
	set_clock(t, t0 + 10000000);
	ack_limited(c, MSS);
	assert_int_equal(c->cc.priv.cubic.t_epoch, (uint32_t)((t0 + 10000000) / 1000));
	assert_int_equal(c->cc.priv.cubic.k_ms, 4217);
	assert_true(c->cwnd < SEGS(71));
	pretend_end(c);
	ptest_free(t);
}

static void
test_rfc9438_4_10_slow_start_below_ssthresh(void **state)
{
	/* Ensure that CUBIC grows below ssthresh by slow start with ABC (min(N, 2 SMSS)). */
	struct ptest_ctx *t = established(&cubic_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(3));
	assert_int_equal(c->cwnd, SEGS(12));
	ptest_clear(t);
	ptest_free(t);
}

/* ====================================================================== */
/* RFC 7661 congestion window validation                                 */
/* ====================================================================== */

static void
test_rfc7661_4_3_no_growth_when_not_cwnd_limited(void **state)
{
	/*
	 * Ensure that cwnd does not grow while pipeACK < cwnd/2 (the
	 * non-validated phase): cwnd 40 segments, ACKs finding 5 segments in
	 * flight leave cwnd at 40 and enter the NVP (both algorithms); an ACK
	 * finding 40 in flight validates cwnd again and grows it.
	 */
	(void)state;
	for (int algo = 0; algo < 2; algo++) {
		struct ptest_ctx *t = established(algo ? &cubic_conf : &newreno_conf);
		struct ptcp_conn *c = ptest_conn_c(&conn);
		uint64_t base = PTEST_CTR(t, TCP_CWND_NOT_LIMITED);

		pretend_begin(c);
		c->cwnd = SEGS(40);
		c->ssthresh = SEGS(20);
		for (int i = 0; i < 5; i++) {
			set_flight(c, SEGS(5), MSS);
			ptcp_tcp_cc_ack(c, MSS, 0);
		}
		assert_int_equal(c->cwnd, SEGS(40));
		assert_true(c->cc.flags & PTCP_CC_F_NVP);
		assert_int_equal(c->cc.pipeack, SEGS(5));
		assert_int_equal(PTEST_CTR(t, TCP_CWND_NOT_LIMITED) - base, 5);
		c->ssthresh = SEGS(60);   /* slow start: growth visible at once */
		ack_limited(c, MSS);
		assert_false(c->cc.flags & PTCP_CC_F_NVP);
		assert_int_equal(c->cwnd, SEGS(41));
		pretend_end(c);
		ptest_free(t);
	}
}

static void
test_rfc7661_4_4_3_nvp_expiry_reduces_cwnd(void **state)
{
	/*
	 * Ensure that a sender still in the non-validated phase 5 minutes
	 * after it began sets ssthresh = max(ssthresh, 3/4 cwnd) and cwnd =
	 * max(cwnd/2, IW) before it sends again: cwnd 40 segments, ssthresh
	 * 20; two segments sent and acknowledged (pipeACK 2 < 20: NVP); after
	 * 299 s nothing changes, after 302 s cwnd is 20 segments and ssthresh
	 * 30, so 40 queued segments go out 20 at a time.
	 */
	struct ptest_ctx *t = established(&newreno_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	c->cwnd = SEGS(40);
	c->ssthresh = SEGS(20);
	ptest_stream_send(&conn, SEGS(2));
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + SEGS(2));
	PTEST_NOTHING_SENT(t);
	assert_true(c->cc.flags & PTCP_CC_F_NVP);
	ptest_advance(t, PTCP_MS(299000));
	ptcp_tcp_cc_nvp_check(c);
	assert_int_equal(c->cwnd, SEGS(40));
	ptest_advance(t, PTCP_MS(3000));
	PTEST_NOTHING_SENT(t);
	ptest_stream_send(&conn, SEGS(40));
	for (int i = 0; i < 20; i++)
		PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->cwnd, SEGS(20));
	assert_int_equal(c->ssthresh, SEGS(30));
	assert_int_equal(PTEST_CTR(t, TCP_CC_NVP_EXPIRED), 1);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc7661_4_4_3_nvp_floor_is_initial_window(void **state)
{
	/* Ensure that the NVP reduction never takes cwnd below the initial window (10 segments). */
	struct ptest_ctx *t = established(&newreno_conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	pretend_begin(c);
	c->cwnd = SEGS(12);
	set_flight(c, SEGS(2), MSS);
	ptcp_tcp_cc_ack(c, MSS, 0);
	assert_true(c->cc.flags & PTCP_CC_F_NVP);
	set_clock(t, t->now + PTCP_MS(302000));
	ptcp_tcp_cc_nvp_check(c);
	assert_int_equal(c->cwnd, SEGS(10));
	assert_int_equal(c->ssthresh, UINT32_MAX);   /* "arbitrarily high" stays so */
	pretend_end(c);
	ptest_free(t);
}

/* ====================================================================== */
/* Selection and the split from loss recovery                            */
/* ====================================================================== */

static void
test_cc_select_per_stack_and_per_connection(void **state)
{
	/*
	 * Ensure that new connections take the stack's conf.cc (default
	 * cubic), that ptcp_conn_set_cc switches one connection (keeping cwnd
	 * and ssthresh, reported by ptcp_conn_info) and refuses unknown names
	 * with -EINVAL, and that a stack with an unknown conf.cc is not created.
	 */
	struct ptest_ctx *t = established(NULL);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct ptcp_conn_info info;
	struct ptcp_stack_conf bad;
	char line[512];
	uint32_t cwnd;

	(void)state;
	assert_string_equal(ptcp_conn_cc(c), "cubic");
	assert_string_equal(t->st->conf.cc, "cubic");
	cwnd = c->cwnd;
	assert_int_equal(ptcp_conn_set_cc(c, "newreno"), 0);
	assert_string_equal(ptcp_conn_cc(c), "newreno");
	assert_int_equal(c->cwnd, cwnd);
	assert_int_equal(ptcp_conn_set_cc(c, "vegas"), -EINVAL);
	assert_int_equal(ptcp_conn_set_cc(c, NULL), -EINVAL);
	assert_string_equal(ptcp_conn_cc(c), "newreno");
	assert_int_equal(ptcp_conn_set_cc(c, "reno"), 0);   /* Linux's name */
	assert_string_equal(ptcp_conn_cc(c), "newreno");
	ptcp_conn_info_get(c, &info);
	assert_string_equal(info.cc, "newreno");
	ptcp_conn_info_format(&info, line, sizeof(line));
	assert_non_null(strstr(line, " cc=newreno"));
	assert_int_equal(ptcp_cc_check("cubic"), 0);
	assert_int_equal(ptcp_cc_check("bbr"), -EINVAL);
	bad = t->st->conf;
	bad.name = "ptest_badcc";
	bad.cc = "bbr";
	assert_null(ptcp_stack_create(&bad));
	assert_int_equal(rte_errno, EINVAL);
	ptest_free(t);

	t = established(&newreno_conf);
	assert_string_equal(ptcp_conn_cc(ptest_conn_c(&conn)), "newreno");
	ptest_free(t);
}

static void
test_cc_never_transmits(void **state)
{
	/*
	 * Ensure that congestion control events send nothing, for both
	 * algorithms: with the initial window in flight, an ACK, a congestion
	 * event, the recovery exit, an undo and a timeout response change
	 * cwnd/ssthresh and leave the TX batch, the capture and TCP_REXMIT
	 * untouched (what is resent is loss recovery's decision).
	 */
	for (int algo = 0; algo < 2; algo++) {
		struct ptest_ctx *t = established(algo ? &cubic_conf : &newreno_conf);
		struct ptcp_conn *c = ptest_conn_c(&conn);
		uint64_t tx = PTEST_CTR(t, TX_PKTS), rexmit;

		ptest_stream_send_segs(&conn, 10);
		tx = PTEST_CTR(t, TX_PKTS);
		rexmit = PTEST_CTR(t, TCP_REXMIT);
		ptcp_tcp_cc_ack(c, MSS, 0);
		ptcp_tcp_cc_congestion_event(c);
		ptcp_tcp_cc_recovery_exit(c);
		assert_true(ptcp_tcp_cc_undo(c));
		c->nrexmit = 1;
		ptcp_tcp_cc_rto(c);
		c->nrexmit = 0;
		assert_int_equal(c->cwnd, SEGS(1));
		assert_int_equal(t->st->tx.n, 0);
		ptcp_stack_flush(t->st);
		PTEST_NOTHING_SENT(t);
		assert_int_equal(PTEST_CTR(t, TX_PKTS), tx);
		assert_int_equal(PTEST_CTR(t, TCP_REXMIT), rexmit);
		ptest_clear(t);
		ptest_free(t);
	}
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* NewReno, RFC 5681 + RFC 3465 */
		cmocka_unit_test(test_rfc3465_2_2_slow_start_abc_limit_2_smss),
		cmocka_unit_test(test_rfc3465_2_3_slow_start_after_rto_limit_1_smss),
		cmocka_unit_test(test_rfc3465_2_1_ca_byte_counting_one_smss_per_cwnd),
		cmocka_unit_test(test_rfc5681_3_2_newreno_halves_on_fast_retransmit),
		/* CUBIC, RFC 9438 */
		cmocka_unit_test(test_rfc9438_4_6_multiplicative_decrease_beta_0_7),
		cmocka_unit_test(test_rfc9438_4_2_cubic_window_at_t),
		cmocka_unit_test(test_rfc9438_4_2_cubic_window_with_negative_k),
		cmocka_unit_test(test_rfc9438_4_2_integer_cube_root_is_the_floor),
		cmocka_unit_test(test_rfc9438_4_4_concave_growth_toward_w_t_plus_rtt),
		cmocka_unit_test(test_rfc9438_4_5_convex_target_clamped_to_1_5_cwnd),
		cmocka_unit_test(test_rfc9438_4_3_reno_friendly_region),
		cmocka_unit_test(test_rfc9438_4_7_fast_convergence),
		cmocka_unit_test(test_rfc9438_4_8_rto),
		cmocka_unit_test(test_rfc9438_4_9_undo_restores_window),
		cmocka_unit_test(test_rfc9438_5_8_app_limited_ends_epoch),
		cmocka_unit_test(test_rfc9438_4_10_slow_start_below_ssthresh),
		/* RFC 7661 */
		cmocka_unit_test(test_rfc7661_4_3_no_growth_when_not_cwnd_limited),
		cmocka_unit_test(test_rfc7661_4_4_3_nvp_expiry_reduces_cwnd),
		cmocka_unit_test(test_rfc7661_4_4_3_nvp_floor_is_initial_window),
		/* selection, and the split from loss recovery */
		cmocka_unit_test(test_cc_select_per_stack_and_per_connection),
		cmocka_unit_test(test_cc_never_transmits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
