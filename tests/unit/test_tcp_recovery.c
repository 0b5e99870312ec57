/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_recovery.c - loss recovery by duplicate ACKs: RFC 5681 3.2 fast
 * retransmit / fast recovery and the RFC 6582 NewReno handling of partial
 * acknowledgments, plus what RFC 5681 section 2 does and does not count as
 * a duplicate ACK.
 *
 * Each test opens passively (RTO at the 200 ms floor, no time passes, so no
 * timeout interferes), sends the initial window of ten full segments and
 * lets the peer answer with crafted ACKs. The peer's sequence numbers start
 * just below 2^32. The window values are RFC 5681's, so the connections use
 * NewReno congestion control (CUBIC's reductions: test_tcp_cc.c).
 */
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

#define MSS PTEST_MSS

static struct ptest_conn conn;
static uint8_t data[32 * PTEST_MSS];
static const struct ptcp_stack_conf newreno = { .cc = "newreno" };

static struct ptest_ctx *
established(void)
{
	struct ptest_ctx *t = ptest_established(&conn, &newreno);

	ptest_pattern(data, sizeof(data), 0x3c);
	ptest_stream_start(&conn, data);
	return t;
}

static void
test_rfc5681_3_2_third_dupack_fast_retransmit(void **state)
{
	/* Ensure that the third duplicate ACK, not the first two, resends the first unacknowledged segment. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_conn_rx_ack_to(&conn, conn.stream_base);
	ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 0);
	ptest_free(t);
}

static void
test_rfc5681_3_2_further_dupacks_inflate_cwnd(void **state)
{
	/*
	 * Ensure that in fast recovery each further duplicate ACK adds one SMSS to
	 * cwnd (ssthresh 5 MSS + 3 MSS = 8 MSS, 10 MSS in flight): the third one
	 * after the retransmission lets one new segment out.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_stream_send(&conn, 4 * MSS);   /* new data waiting */
	PTEST_NOTHING_SENT(t);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base);   /* cwnd 9 MSS */
	ptest_conn_rx_ack_to(&conn, conn.stream_base);   /* cwnd 10 MSS */
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, conn.stream_base);   /* cwnd 11 MSS > 10 MSS in flight */
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6582_3_2_partial_ack_resends_next_hole(void **state)
{
	/* Ensure that a partial ACK in recovery at once resends the segment it points at. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 2 * MSS);   /* below recover = base + 10 MSS */
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 2 * MSS, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 2);
	ptest_free(t);
}

static void
test_rfc6582_3_2_full_ack_ends_recovery(void **state)
{
	/*
	 * Ensure that an ACK covering recover ends fast recovery with cwnd =
	 * min(ssthresh, max(FlightSize, SMSS) + SMSS) = 2 MSS here: of four queued
	 * segments two go out.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 10 * MSS);
	PTEST_NOTHING_SENT(t);
	ptest_stream_send(&conn, 4 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	/*
	 * Recovery is over. Once the cumulative ACK covers more than recover
	 * (RFC 6582 3.2 step 2), three duplicate ACKs start a new fast retransmit.
	 */
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 11 * MSS);   /* slow start: cwnd 3 MSS, 1 MSS in flight */
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base + 11 * MSS);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 11 * MSS, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 2);
	ptest_free(t);
}

static void
test_rfc6582_3_2_dupacks_at_recover_no_new_fast_rexmit(void **state)
{
	/*
	 * Ensure that duplicate ACKs whose cumulative ACK equals recover (does not
	 * cover more) do not start a second fast retransmit (RFC 6582 3.2 step 2).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 10 * MSS);
	ptest_stream_send(&conn, 4 * MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base + 10 * MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 1);
	ptest_free(t);
}

static void
test_rfc6582_3_2_no_fast_rexmit_below_recover_after_timeout(void **state)
{
	/*
	 * Ensure that after a retransmission timeout (recover = SND.MAX) duplicate
	 * ACKs for data sent before it do not start another fast retransmit.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_advance(t, PTCP_MS(200));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);   /* RTO: one segment */
	PTEST_NOTHING_SENT(t);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_pure_ack_after_timeout_carries_snd_max(void **state)
{
	/*
	 * Ensure that after a timeout rewinds SND.NXT, a pure ACK carries SND.MAX:
	 * the peer has everything below it and would discard an older SEG.SEQ
	 * (as FreeBSD tcp_output does).
	 */
	struct ptest_ctx *t = established();
	uint8_t d[10];

	(void)state;
	memset(d, 'y', sizeof(d));
	ptest_stream_send_segs(&conn, 10);
	ptest_advance(t, PTCP_MS(200));
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);   /* RTO: SND.NXT = SND.UNA + MSS */
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);   /* <SEQ=SND.MAX = base + 10 MSS> */
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc5681_2_window_update_is_not_dupack(void **state)
{
	/* Ensure that ACKs at SND.UNA that change the window are not duplicate ACKs. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++) {
		conn.peer_wnd = (uint16_t)(65535 - 1000 * (i + 1));
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 0);
	ptest_free(t);
}

static void
test_rfc5681_2_ack_with_data_is_not_dupack(void **state)
{
	/* Ensure that segments carrying data with SEG.ACK = SND.UNA are not duplicate ACKs. */
	struct ptest_ctx *t = established();
	uint8_t d[10];

	(void)state;
	memset(d, 'x', sizeof(d));
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++) {
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_EXPECT_ACK(&conn);
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 0);
	ptest_free(t);
}

static void
test_rfc5681_2_nothing_outstanding_no_dupack(void **state)
{
	/* Ensure that ACKs while nothing is outstanding never trigger a retransmission. */
	struct ptest_ctx *t = established();

	(void)state;
	for (int i = 0; i < 5; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT), 0);
	ptest_free(t);
}

static void
test_rfc6582_3_2_recover_is_iss_after_active_open(void **state)
{
	/*
	 * Ensure that after an active open, losing the very first data segment
	 * still leads to fast retransmit on the third duplicate ACK: recover
	 * starts at ISS, so SND.UNA = ISS + 1 is beyond it.
	 */
	struct ptest_ctx *t = ptest_new_tcp(&newreno);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_active(&conn);
	ptest_pattern(data, sizeof(data), 0x3c);
	ptest_stream_start(&conn, data);
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 1);
	ptest_free(t);
}

static void
test_rfc6582_3_2_step5_partial_ack_adds_back_smss_only_if_acked(void **state)
{
	/*
	 * Ensure that a partial ACK deflates cwnd by the amount acknowledged and
	 * adds back one SMSS only when at least one SMSS was acknowledged: from
	 * 8 MSS, a partial ACK of 100 bytes leaves 8 MSS - 100, a further one of
	 * 2 MSS leaves 7 MSS - 100.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	for (int i = 0; i < 3; i++)
		ptest_conn_rx_ack_to(&conn, conn.stream_base);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base, MSS);
	assert_int_equal(c->cwnd, 8 * MSS);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 100);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 100, MSS);
	assert_int_equal(c->cwnd, 8 * MSS - 100);
	ptest_conn_rx_ack_to(&conn, conn.stream_base + 100 + 2 * MSS);
	PTEST_EXPECT_REXMIT(&conn, conn.stream_base + 100 + 2 * MSS, MSS);
	assert_int_equal(c->cwnd, 7 * MSS - 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* fast retransmit and fast recovery (RFC 5681 3.2) */
		cmocka_unit_test(test_rfc5681_3_2_third_dupack_fast_retransmit),
		cmocka_unit_test(test_rfc6582_3_2_recover_is_iss_after_active_open),
		cmocka_unit_test(test_rfc6582_3_2_step5_partial_ack_adds_back_smss_only_if_acked),
		cmocka_unit_test(test_rfc5681_3_2_further_dupacks_inflate_cwnd),
		/* NewReno (RFC 6582) */
		cmocka_unit_test(test_rfc6582_3_2_partial_ack_resends_next_hole),
		cmocka_unit_test(test_rfc6582_3_2_full_ack_ends_recovery),
		cmocka_unit_test(test_rfc6582_3_2_dupacks_at_recover_no_new_fast_rexmit),
		cmocka_unit_test(test_rfc6582_3_2_no_fast_rexmit_below_recover_after_timeout),
		cmocka_unit_test(test_rfc9293_3_10_7_4_pure_ack_after_timeout_carries_snd_max),
		/* what a duplicate ACK is (RFC 5681 section 2) */
		cmocka_unit_test(test_rfc5681_2_window_update_is_not_dupack),
		cmocka_unit_test(test_rfc5681_2_ack_with_data_is_not_dupack),
		cmocka_unit_test(test_rfc5681_2_nothing_outstanding_no_dupack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
