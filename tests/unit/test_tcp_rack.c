/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_rack.c - RFC 8985 RACK-TLP on a connection that negotiated
 * SACK: holes below a SACKed segment are lost once the reordering window
 * (min_RTT / 4) has passed, reordering resolved within it costs nothing,
 * lost retransmissions are detected and resent, D-SACK widens the window,
 * and a tail loss probe goes after the PTO (2 * SRTT).
 *
 * As test_tcp_sack.c: passive open, PTCP_TF_SACK_PERMIT set by hand, the
 * RTT estimator seeded (SRTT = min_RTT = 40 ms: reo_wnd 10 ms, PTO 80 ms,
 * RTO at the 200 ms floor), ten full segments SEG(0)..SEG(9) in flight.
 */
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

#define MSS PTEST_MSS
#define RTT_US 40000u
#define REO_US (RTT_US / 4)
#define PTO_US (2 * RTT_US)

static struct ptest_conn conn;
static uint8_t data[32 * PTEST_MSS];

#define SEG(i) (conn.stream_base + (uint32_t)(i) * MSS)

static struct ptest_ctx *
established(void)
{
	struct ptcp_stack_conf conf = { .cc = "newreno" };   /* RFC 5681 windows expected */
	struct ptest_ctx *t = ptest_established(&conn, &conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	ptest_pattern(data, sizeof(data), 0x77);
	ptest_stream_start(&conn, data);
	c->flags |= PTCP_TF_SACK_PERMIT | PTCP_TF_RTT_VALID;
	c->srtt_us = RTT_US;
	c->rack_min_rtt_us = RTT_US;
	assert_true(c->rto_us >= 3 * PTO_US / 2);   /* the PTO comes first */
	return t;
}

static void
sack1(uint32_t ack, int a, int b)
{
	struct ptcp_sack_block blk[1] = { { SEG(a), SEG(b) } };

	ptest_conn_rx_sack(&conn, ack, blk, 1);
}

static void
sack2(uint32_t ack, int a, int b, int c, int d)
{
	struct ptcp_sack_block blk[2] = { { SEG(a), SEG(b) }, { SEG(c), SEG(d) } };

	ptest_conn_rx_sack(&conn, ack, blk, 2);
}

static void
test_rfc8985_rack_detects_loss_after_reo_wnd(void **state)
{
	/*
	 * Ensure that one SACKed segment (far below DupThresh) makes the holes
	 * below it lost once reo_wnd has passed: recovery starts by the clock.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	assert_int_equal(ptcp_tcp_rack_reo_wnd(c), REO_US);
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 9, 10);
	PTEST_NOTHING_SENT(t);
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(0)));
	PTEST_EXPECT_SENT_AFTER(t, REO_US);
	assert_int_equal(PTEST_CTR(t, TCP_RACK_LOST), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RECOVERY), 1);
	/* cwnd 5 MSS, all of 0..8 lost: the first five holes go, in order. */
	for (int i = 0; i < 5; i++)
		PTEST_EXPECT_REXMIT(&conn, SEG(i), MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc8985_reordering_within_window_no_retransmit(void **state)
{
	/* Ensure that reordering repaired within reo_wnd retransmits nothing. */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 9, 10);
	ptest_advance(t, REO_US / 2);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, SEG(10));
	ptest_advance(t, 10 * REO_US);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 0);
	assert_int_equal(PTEST_CTR(t, TCP_RACK_LOST), 0);
	assert_null(c->sb);
	assert_int_equal(c->timer[PTCP_TCP_T_RACK], 0);
	ptest_free(t);
}

/*
 * A tail loss: ten segments out, the peer acknowledges up to SEG(8) one RTT
 * later (sample = SRTT) with window wnd, and nothing more; the probe resends
 * SEG(9) at the PTO.
 */
static void
tail_probe(struct ptest_ctx *t, uint16_t wnd)
{
	ptest_stream_send_segs(&conn, 10);
	ptest_advance(t, RTT_US);
	conn.peer_wnd = wnd;
	ptest_conn_rx_ack_to(&conn, SEG(8));
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, PTO_US);
	PTEST_EXPECT_REXMIT(&conn, SEG(9), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TLP_PROBE), 1);
}

static void
test_rfc8985_tlp_probe_after_pto(void **state)
{
	/*
	 * Ensure that after a tail loss (no ACK for the last two segments) the
	 * last segment is sent again as a probe at PTO = 2 * SRTT, long before
	 * the RTO, and that the SACK it draws repairs the other one by RACK.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	tail_probe(t, 65535);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 0);
	/* The probe arrives, SEG(8) is reported missing: lost after reo_wnd. */
	sack1(SEG(8), 9, 10);
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, REO_US);
	PTEST_EXPECT_REXMIT(&conn, SEG(8), MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, SEG(10));
	/* RFC 8985 7.4: the retransmitted probe repaired a loss. */
	assert_int_equal(PTEST_CTR(t, TCP_TLP_RECOVERED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 0);
	ptest_free(t);
}

static void
test_rfc8985_zero_window_timeout_ends_probe_episode(void **state)
{
	/*
	 * Ensure that a timeout into a zero window ends the tail loss probe
	 * episode as a retransmission timeout does: the peer acknowledges up
	 * to SEG(8) and closes its window, the probe resends SEG(9) at the
	 * PTO, and when the RTO finds the window still closed (the stack
	 * persists) no probe is left out and the RACK timer is not armed.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	tail_probe(t, 0);
	assert_true(c->tlp_flags & PTCP_TLP_OUT);
	ptest_advance(t, c->timer[PTCP_TCP_T_REXMIT] - t->now);
	assert_int_equal(PTEST_CTR(t, TCP_PERSIST_ZERO_WND_RTO), 1);
	ptest_clear(t);
	assert_int_equal(c->tlp_flags, 0);
	assert_int_equal(c->timer[PTCP_TCP_T_RACK], 0);
	ptest_free(t);
}

static void
test_rfc8985_tlp_probe_sends_new_data(void **state)
{
	/* Ensure that the probe is a new segment when one waits and the peer's window takes it. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_stream_send(&conn, 2 * MSS);   /* cwnd-limited: waits */
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, PTO_US);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TLP_PROBE), 1);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 0);
	ptest_free(t);
}

static void
test_rfc8985_tlp_not_without_sack(void **state)
{
	/* Ensure that a connection without SACK has no probe: the RTO resends the first segment. */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	c->flags &= ~PTCP_TF_SACK_PERMIT;
	ptest_stream_send_segs(&conn, 10);
	ptest_advance(t, 2 * PTO_US);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TLP_PROBE), 0);
	ptest_free(t);
}

static void
test_rfc8985_lost_retransmission_detected(void **state)
{
	/*
	 * Ensure that when new data sent after the retransmission of SEG(0) is
	 * SACKed while SEG(0) is still missing, the retransmission is lost:
	 * after reo_wnd SEG(0) goes a third time, before any other hole.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_stream_send(&conn, 4 * MSS);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	sack1(SEG(0), 1, 6);
	PTEST_NOTHING_SENT(t);
	sack1(SEG(0), 1, 8);
	PTEST_EXPECT_NEW(&conn, MSS);   /* SEG(10), first sent after the retransmission */
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	sack2(SEG(0), 10, 12, 1, 8);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RACK_REXMIT_LOST), 0);
	PTEST_EXPECT_SENT_AFTER(t, REO_US);
	assert_int_equal(PTEST_CTR(t, TCP_RACK_REXMIT_LOST), 1);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(8), MSS);   /* 8, 9 now lost by RACK too */
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc8985_lost_retransmission_found_by_later_retransmission(void **state)
{
	/*
	 * Ensure that with no new data to order by, the delivery of a later
	 * retransmission (SEG(2), SACKed one RTT after it was resent) shows
	 * the earlier one (SEG(0)) lost: it goes again after reo_wnd, not at
	 * the RTO.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack2(SEG(0), 3, 10, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, RTT_US);
	PTEST_NOTHING_SENT(t);
	sack1(SEG(0), 1, 10);   /* SEG(2)'s retransmission arrived, SEG(0)'s did not */
	PTEST_NOTHING_SENT(t);
	PTEST_EXPECT_SENT_AFTER(t, REO_US);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RACK_REXMIT_LOST), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 0);
	ptest_free(t);
}

static void
test_rfc8985_early_sack_of_retransmission_is_the_original(void **state)
{
	/*
	 * Ensure that a resent segment SACKed sooner than min_RTT after the
	 * retransmission counts as the original's delivery (RFC 8985 6.2 step
	 * 2): it does not mark the other retransmission lost.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack2(SEG(0), 3, 10, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	ptest_advance(t, RTT_US / 4);
	sack1(SEG(0), 1, 10);
	ptest_advance(t, 3 * REO_US);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RACK_REXMIT_LOST), 0);
	ptest_free(t);
}

static void
test_rfc8985_reo_wnd_scaled_by_dsack(void **state)
{
	/* Ensure that each D-SACK widens reo_wnd by min_RTT / 4, up to SRTT, for 16 recoveries. */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	c->srtt_us = 3 * RTT_US / 2;
	ptest_stream_send_segs(&conn, 10);
	ptest_advance(t, RTT_US);
	ptest_conn_rx_ack_to(&conn, SEG(10));
	assert_int_equal(ptcp_tcp_rack_reo_wnd(c), REO_US);
	sack1(SEG(10), 0, 1);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_RX), 1);
	assert_int_equal(ptcp_tcp_rack_reo_wnd(c), 2 * REO_US);
	for (int i = 0; i < 8; i++)
		sack1(SEG(10), 0, 1);
	assert_int_equal(ptcp_tcp_rack_reo_wnd(c), c->srtt_us);
	PTEST_NOTHING_SENT(t);
	/* 16 recoveries without a D-SACK: back to min_RTT / 4. */
	for (int i = 0; i < 15; i++)
		ptcp_tcp_rack_recovery(c);
	assert_int_equal(ptcp_tcp_rack_reo_wnd(c), c->srtt_us);
	ptcp_tcp_rack_recovery(c);
	assert_int_equal(ptcp_tcp_rack_reo_wnd(c), REO_US);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8985_rack_detects_loss_after_reo_wnd),
		cmocka_unit_test(test_rfc8985_reordering_within_window_no_retransmit),
		cmocka_unit_test(test_rfc8985_tlp_probe_after_pto),
		cmocka_unit_test(test_rfc8985_tlp_probe_sends_new_data),
		cmocka_unit_test(test_rfc8985_zero_window_timeout_ends_probe_episode),
		cmocka_unit_test(test_rfc8985_tlp_not_without_sack),
		cmocka_unit_test(test_rfc8985_lost_retransmission_detected),
		cmocka_unit_test(test_rfc8985_lost_retransmission_found_by_later_retransmission),
		cmocka_unit_test(test_rfc8985_early_sack_of_retransmission_is_the_original),
		cmocka_unit_test(test_rfc8985_reo_wnd_scaled_by_dsack),
	};

	ptest_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
