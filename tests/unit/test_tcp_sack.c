/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_sack.c - the sender side of SACK: the scoreboard (RFC 2018, RFC
 * 6675 Update), IsLost, SetPipe, NextSeg rules, the RFC 6675 section 5
 * recovery and 5.1 after a timeout, RFC 3042 limited transmit, RFC 3708
 * D-SACK undo, and the scoreboard's memory bound.
 *
 * Each test opens passively, marks the connection as having negotiated
 * SACK (PTCP_TF_SACK_PERMIT, as option negotiation does), sends the
 * initial window of ten full segments (segment i is SEG(i)) and answers
 * with crafted ACKs carrying SACK blocks; it asserts which ranges are sent
 * again, and that SACKed ones are not. The peer's sequence numbers start
 * just below 2^32.
 */
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

#define MSS PTEST_MSS

static struct ptest_conn conn;
static uint8_t data[64 * PTEST_MSS];

/* First sequence number of segment i of the stream. */
#define SEG(i) (conn.stream_base + (uint32_t)(i) * MSS)

/* NewReno: the windows these tests expect are RFC 5681's halving (recovery, not CC, is tested). */
static struct ptest_ctx *
established(void)
{
	struct ptcp_stack_conf conf = { .cc = "newreno" };
	struct ptest_ctx *t = ptest_established(&conn, &conf);

	ptest_pattern(data, sizeof(data), 0x5a);
	ptest_stream_start(&conn, data);
	ptest_conn_c(&conn)->flags |= PTCP_TF_SACK_PERMIT;
	return t;
}

/*
 * As established(), with our ISS chosen: RFC 6528 makes it now/4 us + F(4-tuple,
 * key), so the test reads F from the stack's key and moves the clock to the
 * time that gives iss before the peer's SYN arrives.
 */
static struct ptest_ctx *
established_iss(uint32_t iss)
{
	struct ptcp_stack_conf conf = { .cc = "newreno" };
	struct ptest_ctx *t = ptest_new_tcp(&conf);
	uint32_t f = ptcp_tcp_isn(&t->st->tcp->isn_key, PTEST_LOCAL_IP, PTEST_LPORT,
				  PTEST_PEER_IP, PTEST_RPORT, 0);
	uint64_t k = (t->now + 3) / 4;

	k += (uint32_t)(iss - f - (uint32_t)k);
	ptest_advance(t, 4 * k - t->now);
	ptest_conn_init(t, &conn);
	conn.peer_wnd = 65535;
	ptest_conn_passive(&conn);
	assert_int_equal(conn.iss, iss);
	ptest_pattern(data, sizeof(data), 0x5a);
	ptest_stream_start(&conn, data);
	ptest_conn_c(&conn)->flags |= PTCP_TF_SACK_PERMIT;
	return t;
}

/* A duplicate ACK of SND.UNA = SEG(0) with blocks [SEG(a), SEG(b)) ... */
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
test_rfc2018_sack_blocks_update_scoreboard(void **state)
{
	/*
	 * Ensure that SACK blocks become sorted, merged ranges of the scoreboard, allocated at the
	 * first block above SND.UNA.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	assert_null(c->sb);
	sack1(SEG(0), 1, 2);
	assert_non_null(c->sb);
	assert_int_equal(c->sb->n, 1);
	assert_int_equal(c->sb->r[0].start, SEG(1));
	assert_int_equal(c->sb->r[0].end, SEG(2));
	sack2(SEG(0), 3, 4, 1, 2);
	assert_int_equal(c->sb->n, 2);
	assert_int_equal(c->sb->r[1].start, SEG(3));
	assert_int_equal(c->sb->sacked_bytes, 2 * MSS);
	assert_true(ptcp_tcp_sack_is_sacked(c, SEG(3)));
	assert_false(ptcp_tcp_sack_is_sacked(c, SEG(2)));
	/* The hole between them filled: one range. */
	sack1(SEG(0), 2, 3);
	assert_int_equal(c->sb->n, 1);
	assert_int_equal(c->sb->r[0].start, SEG(1));
	assert_int_equal(c->sb->r[0].end, SEG(4));
	assert_int_equal(PTEST_CTR(t, TCP_SACK_SB_ALLOC), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_BLOCKS_RX), 4);
	/* A cumulative ACK past the range forgets it (the scoreboard stays: recovery runs). */
	ptest_conn_rx_ack_to(&conn, SEG(4));
	assert_int_equal(c->sb->n, 0);
	assert_int_equal(c->sb->sacked_bytes, 0);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RENEGE), 0);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc2018_block_outside_window_ignored(void **state)
{
	/*
	 * Ensure that SACK blocks beyond SND.MAX or empty are counted and ignored: no scoreboard,
	 * nothing sent.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct ptcp_sack_block beyond[1] = { { SEG(9), SEG(11) } };
	struct ptcp_sack_block empty[2] = { { SEG(5), SEG(5) }, { SEG(9), SEG(11) } };

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_conn_rx_sack(&conn, SEG(0), beyond, 1);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_BAD_BLOCK), 1);
	assert_null(c->sb);
	ptest_conn_rx_sack(&conn, SEG(0), empty, 2);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_BAD_BLOCK), 3);
	assert_null(c->sb);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_SB_ALLOC), 0);
	ptest_free(t);
}

static void
test_rfc6675_islost_dupthresh_segments(void **state)
{
	/*
	 * Ensure that IsLost(SND.UNA) holds only once DupThresh (3) segments
	 * above it are SACKed, and that recovery then resends exactly SEG(0).
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 5, 6);
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(0)));
	sack2(SEG(0), 7, 8, 5, 6);
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(0)));
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(6)));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RECOVERY), 0);
	sack2(SEG(0), 9, 10, 7, 8);
	/* Three discontiguous SACKed segments above 0..4, two above 6. */
	assert_true(ptcp_tcp_sack_is_lost(c, SEG(4)));
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(6)));
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(5)));   /* SACKed */
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RECOVERY), 1);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	/*
	 * cwnd = ssthresh = 5 MSS; pipe = SEG(0) resent (1) + 1..4 lost (0)
	 * + 6 and 8 not lost (2) = 3 MSS: two more of the lost holes go.
	 */
	PTEST_EXPECT_REXMIT(&conn, SEG(1), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->cwnd, 5 * MSS);
	assert_int_equal(ptcp_tcp_sack_pipe(c), 5 * MSS);
	ptest_free(t);
}

static void
test_rfc6675_scoreboard_across_sequence_wrap(void **state)
{
	/*
	 * Ensure that the scoreboard, IsLost and the recovery's resends hold across
	 * the 2^32 wrap: our ISS puts SEG(4) at sequence number 0, SACK blocks on
	 * both sides of it become sorted ranges, and recovery resends exactly the
	 * holes below them, as test_rfc6675_islost_dupthresh_segments away from it.
	 */
	struct ptest_ctx *t = established_iss(UINT32_MAX - 4 * MSS);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	assert_int_equal(SEG(4), 0);
	ptest_stream_send_segs(&conn, 10);
	sack2(SEG(0), 5, 6, 2, 3);
	assert_non_null(c->sb);
	assert_int_equal(c->sb->n, 2);
	assert_int_equal(c->sb->r[0].start, SEG(2));   /* below the wrap */
	assert_int_equal(c->sb->r[1].start, SEG(5));   /* above it */
	assert_int_equal(c->sb->sacked_bytes, 2 * MSS);
	assert_true(ptcp_tcp_sack_is_sacked(c, SEG(2)));
	assert_false(ptcp_tcp_sack_is_sacked(c, SEG(4)));
	assert_true(ptcp_tcp_sack_is_sacked(c, SEG(5)));
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(0)));
	PTEST_NOTHING_SENT(t);
	/* [SEG(2), SEG(3)) and [SEG(5), SEG(6)) grow into one range across 0. */
	sack1(SEG(0), 2, 6);
	assert_int_equal(c->sb->n, 1);
	assert_int_equal(c->sb->r[0].end, SEG(6));
	assert_int_equal(c->sb->sacked_bytes, 4 * MSS);
	/* More than 2 SMSS SACKed above SEG(0) and SEG(1): both lost, recovery starts. */
	assert_true(ptcp_tcp_sack_is_lost(c, SEG(0)));
	assert_true(ptcp_tcp_sack_is_lost(c, SEG(1)));
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(6)));
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RECOVERY), 1);
	/* cwnd = ssthresh = 5 MSS; pipe = SEG(0) resent + 6..9 = 5 MSS: SEG(1) waits. */
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->cwnd, 5 * MSS);
	assert_int_equal(ptcp_tcp_sack_pipe(c), 5 * MSS);
	/* A cumulative ACK of SEG(0) (below the wrap) lets the next hole, SEG(1), go. */
	sack1(SEG(1), 2, 6);
	PTEST_EXPECT_REXMIT(&conn, SEG(1), MSS);
	/* The cumulative ACK across the wrap: only what lies above it stays. */
	ptest_conn_rx_ack_to(&conn, SEG(6));
	assert_int_equal(c->snd_una, SEG(6));
	assert_true(c->sb == NULL || c->sb->n == 0);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc6675_islost_bytes_rule(void **state)
{
	/*
	 * Ensure that more than (DupThresh - 1) * SMSS SACKed bytes above a byte make it lost, in
	 * fewer than three ranges.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct ptcp_sack_block b[1] = { { SEG(1), SEG(3) } };

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_conn_rx_sack(&conn, SEG(0), b, 1);
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(0)));   /* exactly 2 SMSS */
	b[0].right = SEG(3) + 1;
	ptest_conn_rx_sack(&conn, SEG(0), b, 1);
	assert_true(ptcp_tcp_sack_is_lost(c, SEG(0)));
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	ptest_clear(t);
	ptest_free(t);
}

/* Loss of SEG(0) and SEG(2): SACKs for 1, then 3, 4 bring recovery (3 SACKed above 0). */
static void
lose_0_and_2(struct ptest_ctx *t)
{
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 1, 2);
	sack2(SEG(0), 3, 4, 1, 2);
	PTEST_NOTHING_SENT(t);
	sack2(SEG(0), 3, 5, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
}

static void
test_rfc6675_nextseg_rule1_lost_hole_first(void **state)
{
	/*
	 * Ensure that NextSeg rule 1 resends the lost hole SEG(2) before any
	 * new data, once enough is SACKed above it, and never a SACKed segment.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	lose_0_and_2(t);
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(2)));
	ptest_stream_send(&conn, 4 * MSS);   /* new data waiting */
	PTEST_NOTHING_SENT(t);
	/* 3..5 SACKed: SEG(2) lost; pipe = 1 (SEG(0) resent) + 4 (6..9) = cwnd. */
	sack2(SEG(0), 3, 6, 1, 2);
	assert_true(ptcp_tcp_sack_is_lost(c, SEG(2)));
	PTEST_NOTHING_SENT(t);
	/* 3..6 SACKed: pipe 4, one segment may go: the hole, not new data. */
	sack2(SEG(0), 3, 7, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_REXMIT), 2);
	ptest_free(t);
}

static void
test_rfc6675_nextseg_rule2_new_data(void **state)
{
	/*
	 * Ensure that with no lost hole left above HighRxt NextSeg rule 2 sends new data within
	 * cwnd - pipe.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	lose_0_and_2(t);
	ptest_stream_send(&conn, 4 * MSS);
	sack2(SEG(0), 3, 6, 1, 2);
	sack2(SEG(0), 3, 7, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	/* 3..7 SACKed: pipe = 1 + 1 + 2 (8, 9) = 4 MSS: one new segment, SEG(10). */
	sack2(SEG(0), 3, 8, 1, 2);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	/* The full ACK of everything before the new data ends recovery. */
	ptest_conn_rx_ack_to(&conn, SEG(10));
	assert_false(ptest_conn_c(&conn)->flags & PTCP_TF_RECOVERY);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc6675_nextseg_rule3_unsacked_below_sacked(void **state)
{
	/*
	 * Ensure that NextSeg rule 3 resends an unSACKed segment that is not
	 * lost but has SACKed data above it, when no new data waits.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	/*
	 * Partial ACK to 4 with 6 and 8 SACKed: nothing lost (two segments
	 * SACKed above 4), pipe = 4, 5, 7, 9 = 4 MSS < cwnd 5 MSS.
	 */
	sack2(SEG(4), 8, 9, 6, 7);
	assert_false(ptcp_tcp_sack_is_lost(c, SEG(4)));
	PTEST_EXPECT_REXMIT(&conn, SEG(4), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->sb->high_rxt, SEG(5));
	ptest_free(t);
}

static void
test_rfc6675_nextseg_rule4_rescue(void **state)
{
	/*
	 * Ensure that NextSeg rule 4 resends the highest unSACKed segment once per recovery when
	 * nothing else may go.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	/* 1..5 SACKed, 6..9 unSACKed (a lost tail), SEG(0) lost. */
	sack1(SEG(0), 1, 6);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	/* pipe = 1 + 4 = 5 = cwnd: nothing else now. */
	PTEST_NOTHING_SENT(t);
	/* SEG(0) arrives: partial ACK to 6, pipe = 4 (6..9) < cwnd 5: rescue of SEG(9). */
	ptest_conn_rx_ack_to(&conn, SEG(6));
	PTEST_EXPECT_REXMIT(&conn, SEG(9), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RESCUE), 1);
	/* Once only per RecoveryPoint (6 and 7 now go by rule 3). */
	sack1(SEG(6), 9, 10);
	PTEST_EXPECT_REXMIT(&conn, SEG(6), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(7), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RESCUE), 1);
	ptest_free(t);
}

static void
test_rfc6675_pipe(void **state)
{
	/* Ensure that SetPipe counts unSACKed bytes not lost once and retransmitted ones again. */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct ptcp_conn_info info;

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	assert_int_equal(ptcp_tcp_sack_pipe(c), 10 * MSS);
	sack1(SEG(0), 4, 5);
	assert_int_equal(ptcp_tcp_sack_pipe(c), 9 * MSS);
	sack2(SEG(0), 6, 8, 4, 5);
	/* 3 SACKed, 0..3 lost (only SEG(0) resent), 5 and 8, 9 in flight. */
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	assert_int_equal(c->cwnd, 5 * MSS);
	/* pipe was 1 + 3 = 4: SEG(1) went as well; now 5. */
	PTEST_EXPECT_REXMIT(&conn, SEG(1), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_tcp_sack_pipe(c), 5 * MSS);
	/* The same through the introspection API. */
	ptcp_conn_info_get(c, &info);
	assert_int_equal(info.pipe, 5 * MSS);
	assert_int_equal(info.sacked, 3 * MSS);
	assert_int_equal(info.lost, 4 * MSS);   /* 0..3 */
	ptest_free(t);
}

static void
test_rfc6675_5_1_rto_resends_only_missing(void **state)
{
	/*
	 * Ensure that after a retransmission timeout the sender resends only the
	 * holes the scoreboard names (SEG(0), SEG(2)), never SACKed data.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	/* Everything but 0 and 2 SACKed: recovery resends both at once. */
	sack2(SEG(0), 3, 10, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	PTEST_NOTHING_SENT(t);
	/* Both retransmissions lost: the timeout resends SEG(0) alone (cwnd 1 MSS). */
	PTEST_EXPECT_SENT_AFTER(t, c->rto_us);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RTO_SKIPPED), 8 * MSS);
	/* It arrives: the ACK moves to the next hole, which goes next, and nothing else. */
	sack1(SEG(2), 3, 10);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack_to(&conn, SEG(10));
	PTEST_NOTHING_SENT(t);
	assert_null(c->sb);
	assert_int_equal(PTEST_CTR(t, TCP_REXMIT_BYTES), 4 * MSS);
	ptest_free(t);
}

static void
test_rfc3042_limited_transmit_two_new_segments(void **state)
{
	/*
	 * Ensure that each of the first two duplicate ACKs sends one new
	 * segment without changing cwnd, and the third starts recovery instead.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	ptest_stream_send(&conn, 4 * MSS);
	PTEST_NOTHING_SENT(t);
	sack1(SEG(0), 1, 2);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	sack1(SEG(0), 1, 3);
	PTEST_EXPECT_NEW(&conn, MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->cwnd, 10 * MSS);
	assert_int_equal(PTEST_CTR(t, TCP_LIMITED_TRANSMIT), 2);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_LIMITED_TRANSMIT), 2);
	assert_int_equal(c->cwnd, 6 * MSS);   /* FlightSize 12 MSS / 2 */
	ptest_free(t);
}

static void
test_rfc3708_dsack_undo(void **state)
{
	/*
	 * Ensure that when D-SACK reports the only retransmission of a recovery
	 * as a duplicate (reordering, not loss) cwnd and ssthresh are restored.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct ptcp_sack_block d[1];

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 1, 2);
	sack1(SEG(0), 1, 3);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	assert_int_equal(c->cwnd, 5 * MSS);
	/* The late original fills the hole: everything acknowledged. */
	ptest_conn_rx_ack_to(&conn, SEG(10));
	assert_false(c->flags & PTCP_TF_RECOVERY);
	assert_true(c->cwnd < 10 * MSS);
	assert_non_null(c->sb);   /* waiting for the D-SACK */
	/* Then the retransmission: the receiver reports it below its ACK (RFC 2883). */
	d[0].left = SEG(0);
	d[0].right = SEG(1);
	ptest_conn_rx_sack(&conn, SEG(10), d, 1);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_RX), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SPURIOUS_UNDO), 1);
	assert_int_equal(c->cwnd, 10 * MSS);
	assert_int_equal(c->ssthresh, UINT32_MAX);
	assert_null(c->sb);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc3708_no_undo_without_dsack(void **state)
{
	/* Ensure that a recovery whose retransmission was needed (no D-SACK) is not undone. */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	ptest_clear(t);
	ptest_conn_rx_ack_to(&conn, SEG(10));
	ptest_stream_send(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	ptest_conn_rx_ack_to(&conn, SEG(11));
	assert_int_equal(PTEST_CTR(t, TCP_SPURIOUS_UNDO), 0);
	assert_int_equal(c->ssthresh, 5 * MSS);
	assert_null(c->sb);   /* the undo wait ended with the next ACK of new data */
	ptest_free(t);
}

static void
test_rfc2018_8_renege_clears_scoreboard(void **state)
{
	/*
	 * Ensure that an ACK reaching SACKed data without passing it (the
	 * receiver discarded what it had SACKed) empties the scoreboard, so the
	 * timeout resends that data instead of trusting the old SACK.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 2, 4);
	assert_true(ptcp_tcp_sack_is_sacked(c, SEG(2)));
	ptest_conn_rx_ack_to(&conn, SEG(2));   /* 0, 1 arrived; 2, 3 are gone again */
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RENEGE), 1);
	assert_false(ptcp_tcp_sack_is_sacked(c, SEG(2)));
	PTEST_NOTHING_SENT(t);
	/* The tail loss probe first (PTO at its 10 ms floor: SRTT is 0 here). */
	PTEST_EXPECT_SENT_AFTER(t, 10000);
	PTEST_EXPECT_REXMIT(&conn, SEG(9), MSS);
	PTEST_EXPECT_SENT_AFTER(t, c->rto_us);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_sack_scoreboard_bounded_and_freed(void **state)
{
	/*
	 * Ensure that the scoreboard holds at most PTCP_SACK_SB_RANGES ranges
	 * (the highest forgotten, counted), and returns to the pool once SND.UNA
	 * passes everything.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct rte_mempool *pool = t->st->tcp->sack_pool;
	unsigned int avail = rte_mempool_avail_count(pool);
	int nseg = 2 * PTCP_SACK_SB_RANGES + 2;

	(void)state;
	c->cwnd = 64 * MSS;
	ptest_stream_send(&conn, (uint32_t)nseg * MSS);
	ptest_clear(t);
	conn.snd_nxt += (uint32_t)nseg * MSS;
	/* Every odd segment SACKed: PTCP_SACK_SB_RANGES + 1 disjoint ranges. */
	for (int i = 1; i < nseg; i += 2)
		sack1(SEG(0), i, i + 1);
	ptest_clear(t);
	assert_int_equal(c->sb->n, PTCP_SACK_SB_RANGES);
	assert_int_equal(c->sb->r[PTCP_SACK_SB_RANGES - 1].start, SEG(2 * PTCP_SACK_SB_RANGES - 1));
	assert_int_equal(PTEST_CTR(t, TCP_SACK_SB_FULL), 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail - 1);
	ptest_conn_rx_ack_to(&conn, SEG(nseg));
	ptest_clear(t);
	/* Recovery over, no range left; kept until new data is acknowledged (undo wait). */
	assert_int_equal(c->sb->n, 0);
	ptest_stream_send(&conn, MSS);
	PTEST_EXPECT_NEW(&conn, MSS);
	ptest_conn_rx_ack_to(&conn, conn.snd_nxt);
	assert_null(c->sb);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
	ptest_free(t);
}

static void
test_sack_pool_empty_falls_back_to_newreno(void **state)
{
	/*
	 * Ensure that without a scoreboard (pool empty) three duplicate ACKs still fast-retransmit
	 * (RFC 6582).
	 */
	struct ptcp_stack_conf conf = { .sack_scoreboards = UINT32_MAX, .cc = "newreno" };
	struct ptest_ctx *t = ptest_established(&conn, &conf);
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_pattern(data, sizeof(data), 0x5a);
	ptest_stream_start(&conn, data);
	c->flags |= PTCP_TF_SACK_PERMIT;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 1, 2);
	sack1(SEG(0), 1, 3);
	PTEST_NOTHING_SENT(t);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_NOTHING_SENT(t);
	assert_null(c->sb);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_SB_NOMEM), 3);
	assert_int_equal(PTEST_CTR(t, TCP_FAST_REXMIT), 1);
	ptest_free(t);
}

static void
test_rfc6298_karn_resend_below_timed_segment_keeps_sample(void **state)
{
	/*
	 * Ensure that resending the segment just below the one being timed keeps
	 * the RTT sample (Karn's rule drops only samples of retransmitted data),
	 * and that resending the timed segment itself drops it.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	c->flags |= PTCP_TF_RTT_TIMING;
	c->rtt_seq = SEG(1);
	assert_int_equal(ptcp_tcp_retransmit_range(c, SEG(0), MSS), MSS);
	assert_true(c->flags & PTCP_TF_RTT_TIMING);
	assert_int_equal(ptcp_tcp_retransmit_range(c, SEG(1), MSS), MSS);
	assert_false(c->flags & PTCP_TF_RTT_TIMING);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc6675_5_1_rto_with_empty_scoreboard_frees_it(void **state)
{
	/*
	 * Ensure that a timeout in recovery whose scoreboard holds no range any
	 * more (partial ACKs passed every SACKed one) returns the scoreboard to
	 * the pool and goes back N, and that no D-SACK undo waits across it.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack2(SEG(0), 3, 10, 1, 2);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	PTEST_EXPECT_REXMIT(&conn, SEG(2), MSS);
	assert_non_null(c->sb);
	assert_true(c->flags & PTCP_TF_RECOVERY);
	c->sb->n = 0;   /* as after partial ACKs beyond every range */
	PTEST_EXPECT_SENT_AFTER(t, c->rto_us);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	assert_null(c->sb);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc3708_undo_in_recovery_does_not_start_it_again(void **state)
{
	/*
	 * Ensure that an undo while recovery still runs (the late original and
	 * then the D-SACKed retransmission arrive before the recovery point is
	 * acknowledged) ends the episode for good: the next ACKs neither resend
	 * nor reduce cwnd again.
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c = ptest_conn_c(&conn);
	struct ptcp_sack_block d[2];

	(void)state;
	ptest_stream_send_segs(&conn, 10);
	sack1(SEG(0), 1, 2);
	sack1(SEG(0), 1, 3);
	sack1(SEG(0), 1, 4);
	PTEST_EXPECT_REXMIT(&conn, SEG(0), MSS);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RECOVERY), 1);
	/* The late original: ACK of SEG(4), recovery point (SEG(10)) not reached. */
	ptest_conn_rx_ack_to(&conn, SEG(4));
	ptest_clear(t);
	assert_true(c->flags & PTCP_TF_RECOVERY);
	/* Then the retransmission, reported as a duplicate. */
	d[0].left = SEG(0);
	d[0].right = SEG(1);
	ptest_conn_rx_sack(&conn, SEG(4), d, 1);
	assert_int_equal(PTEST_CTR(t, TCP_SPURIOUS_UNDO), 1);
	assert_false(c->flags & PTCP_TF_RECOVERY);
	ptest_clear(t);
	ptest_conn_rx_ack_to(&conn, SEG(6));
	ptest_conn_rx_ack_to(&conn, SEG(8));
	assert_int_equal(PTEST_CTR(t, TCP_SACK_RECOVERY), 1);
	assert_int_equal(PTEST_CTR(t, TCP_CC_CONGESTION_EVENT), 1);
	ptest_clear(t);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6298_karn_resend_below_timed_segment_keeps_sample),
		cmocka_unit_test(test_rfc2018_sack_blocks_update_scoreboard),
		cmocka_unit_test(test_rfc2018_block_outside_window_ignored),
		cmocka_unit_test(test_rfc6675_islost_dupthresh_segments),
		cmocka_unit_test(test_rfc6675_islost_bytes_rule),
		cmocka_unit_test(test_rfc6675_scoreboard_across_sequence_wrap),
		cmocka_unit_test(test_rfc6675_nextseg_rule1_lost_hole_first),
		cmocka_unit_test(test_rfc6675_nextseg_rule2_new_data),
		cmocka_unit_test(test_rfc6675_nextseg_rule3_unsacked_below_sacked),
		cmocka_unit_test(test_rfc6675_nextseg_rule4_rescue),
		cmocka_unit_test(test_rfc6675_pipe),
		cmocka_unit_test(test_rfc6675_5_1_rto_resends_only_missing),
		cmocka_unit_test(test_rfc6675_5_1_rto_with_empty_scoreboard_frees_it),
		cmocka_unit_test(test_rfc3042_limited_transmit_two_new_segments),
		cmocka_unit_test(test_rfc3708_dsack_undo),
		cmocka_unit_test(test_rfc3708_undo_in_recovery_does_not_start_it_again),
		cmocka_unit_test(test_rfc3708_no_undo_without_dsack),
		cmocka_unit_test(test_rfc2018_8_renege_clears_scoreboard),
		cmocka_unit_test(test_sack_scoreboard_bounded_and_freed),
		cmocka_unit_test(test_sack_pool_empty_falls_back_to_newreno),
	};

	ptest_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
