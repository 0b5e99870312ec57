/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_reass.c - out-of-order segments (RFC 9293 3.10.7.4 seventh
 * step: "segments with higher beginning sequence numbers than expected may
 * be held"; RFC 5681 4.2: immediate duplicate ACKs and an immediate ACK when
 * a gap fills): holding and releasing blocks, every overlap shape against
 * held blocks, RCV.NXT straddled, the 2^32 wrap inside the held range, a FIN
 * beyond a gap, the window and block bounds, and freeing on abort/close.
 *
 * Every test sends slices of one stream (stream[], offsets from `base`, the
 * peer's first data byte PTEST_PEER_ISN + 1 = 2^32 - 15, so offset 15 is
 * sequence number 0) and ends by reading everything and comparing it with
 * the stream: every byte exactly once, in order. The recorder does not read
 * on its own, so our window in each ACK is exactly the harness's model.
 * ptest_free() checks that no mbuf was leaked by the held blocks.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define STREAM_LEN 4096
#define WRAP_OFF   15u          /* offset whose sequence number is 0 */

static struct ptest_conn conn;
static uint8_t stream[STREAM_LEN];
static uint32_t base;           /* sequence number of stream[0] */

static struct ptest_ctx *
established_conf(const struct ptcp_stack_conf *c)
{
	struct ptest_ctx *t = ptest_established(&conn, c);

	base = conn.rcv_nxt;
	assert_int_equal(base + WRAP_OFF, 0);
	ptest_pattern(stream, sizeof(stream), 0x31);
	return t;
}

static struct ptest_ctx *
established(void)
{
	return established_conf(NULL);
}

/* The peer sends stream[off, off + len) at its sequence number, ACKing SND.NXT. */
static void
rx_off(uint32_t off, uint32_t len)
{
	ptest_conn_rx(&conn, PT_ACK, base + off, conn.snd_nxt, stream + off, len);
}

/* Bytes received in order so far (RCV.NXT - base). */
static uint32_t
delivered(void)
{
	return conn.rcv_nxt - base;
}

/*
 * An out-of-order segment: held, nothing delivered, answered at once by a
 * duplicate ACK <SEQ=SND.NXT><ACK=RCV.NXT> (RFC 5681 4.2), nothing else.
 */
static void
rx_ooo(uint32_t off, uint32_t len)
{
	uint64_t rx = PTEST_CTR(conn.t, TCP_DATA_RX);
	unsigned int nr = conn.rec.n_readable;

	rx_off(off, len);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(conn.t);
	assert_int_equal(PTEST_CTR(conn.t, TCP_DATA_RX), rx);
	assert_int_equal(conn.rec.n_readable, nr);
}

/*
 * A segment that makes the stream contiguous up to offset `upto`: RCV.NXT
 * moves there and one ACK of it goes at once, nothing else.
 */
static void
rx_fill(uint32_t off, uint32_t len, uint32_t upto)
{
	uint32_t gained = upto - delivered();

	rx_off(off, len);
	conn.rcv_nxt = base + upto;
	conn.unread += gained;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(conn.t);
}

/*
 * Read everything and compare it with stream[0, n): every byte exactly once.
 * A window update, if reading makes one due, is the only segment sent.
 */
static void
expect_stream(uint32_t n)
{
	static uint8_t got[STREAM_LEN + 1];

	assert_int_equal(delivered(), n);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), n);
	assert_int_equal(PTEST_CTR(conn.t, TCP_DATA_RX), n);
	assert_int_equal(ptest_conn_read(&conn, got, sizeof(got)), n);
	assert_memory_equal(got, stream, n);
	if (ptest_conn_wnd_update_due(&conn))
		PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(conn.t);
}

/* ====================================================================== */
/* Holding and releasing                                                 */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_reass_in_order_not_queued(void **state)
{
	/*
	 * Ensure that in-order segments (crossing 2^32) are delivered directly,
	 * each ACKed, without touching the reassembly queue.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_fill(0, 10, 10);
	rx_fill(10, 10, 20);
	rx_fill(20, 10, 30);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 0);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_FILLED), 0);
	assert_int_equal(conn.rec.n_readable, 3);
	expect_stream(30);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_one_gap_filled(void **state)
{
	/*
	 * Ensure that a segment beyond a 10-byte gap is held (duplicate ACK) and
	 * delivered with the gap's bytes when the gap fills: one ACK of 20.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	rx_fill(0, 10, 20);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_FILLED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 0);
	assert_int_equal(conn.rec.n_readable, 1);
	expect_stream(20);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_gaps_filled_in_reverse_order(void **state)
{
	/*
	 * Ensure that three held blocks with three gaps, the gaps filled from the
	 * last to the first, give the stream once the first gap fills (each
	 * earlier fill is itself out of order and gets a duplicate ACK).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	rx_ooo(50, 10);
	rx_ooo(40, 10);
	rx_ooo(20, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 5);
	rx_fill(0, 10, 60);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_FILLED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 0);
	expect_stream(60);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_partial_fill_keeps_later_gap(void **state)
{
	/*
	 * Ensure that filling the first of two gaps delivers up to the second gap
	 * only (ACK at once for the new RCV.NXT), and the rest after the second.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	rx_fill(0, 10, 20);
	rx_fill(20, 10, 40);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_FILLED), 2);
	expect_stream(40);
	ptest_free(t);
}

/* ====================================================================== */
/* Overlaps against held blocks                                          */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_reass_new_inside_held(void **state)
{
	/*
	 * Ensure that a segment lying inside a held block ([20,30) in [10,40)) is
	 * dropped as duplicate (TCP_OOO_DUP 10) and no byte is delivered twice.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 30);
	rx_ooo(20, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 1);
	rx_fill(0, 10, 40);
	expect_stream(40);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_held_inside_new(void **state)
{
	/*
	 * Ensure that a segment covering a held block ([10,40) over [20,30))
	 * replaces it: the stream has each byte once.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(20, 10);
	rx_ooo(10, 30);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 10);
	rx_fill(0, 10, 40);
	expect_stream(40);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_overlap_held_left_edge(void **state)
{
	/*
	 * Ensure that a segment overlapping the left edge of a held block
	 * ([10,30) against [20,40)) keeps only its new bytes [10,20).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(20, 20);
	rx_ooo(10, 20);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 10);
	rx_fill(0, 10, 40);
	expect_stream(40);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_overlap_held_right_edge(void **state)
{
	/*
	 * Ensure that a segment overlapping the right edge of a held block
	 * ([20,40) against [10,30)) keeps only its new bytes [30,40).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 20);
	rx_ooo(20, 20);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 10);
	rx_fill(0, 10, 40);
	expect_stream(40);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_exact_duplicate(void **state)
{
	/*
	 * Ensure that an exact duplicate of a held block is dropped
	 * (TCP_OOO_DUP = its length, no new block) and still answered by a
	 * duplicate ACK.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	rx_ooo(10, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 1);
	rx_fill(0, 10, 20);
	expect_stream(20);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_spanning_several_blocks(void **state)
{
	/*
	 * Ensure that one segment [5,65) spanning three held blocks [10,20),
	 * [30,40), [50,60) and the gaps between them gives each byte once.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	rx_ooo(50, 10);
	rx_ooo(5, 60);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 30);
	rx_fill(0, 5, 65);
	expect_stream(65);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_spanning_from_inside_to_inside(void **state)
{
	/*
	 * Ensure that a segment [15,55) starting inside one held block [10,20),
	 * covering [30,40) and ending inside [50,60) keeps only the bytes of the
	 * two gaps: the stream has each byte once.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	rx_ooo(50, 10);
	rx_ooo(15, 40);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 5 + 10 + 5);
	rx_fill(0, 10, 60);
	expect_stream(60);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_adjacent_blocks(void **state)
{
	/*
	 * Ensure that blocks touching each other ([20,30) then [10,20) and
	 * [30,40)) are no overlap: nothing is counted duplicate, the stream is
	 * exact.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(20, 10);
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 0);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 3);
	rx_fill(0, 10, 40);
	expect_stream(40);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_covered_by_adjacent_blocks(void **state)
{
	/*
	 * Ensure that a segment [15,25) entirely covered by two touching held
	 * blocks [10,20) and [20,30) adds nothing: all 10 bytes count as
	 * duplicate and no block (not even an empty one) is queued.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	rx_ooo(20, 10);
	rx_ooo(15, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 2);
	rx_fill(0, 10, 30);
	expect_stream(30);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_straddles_rcv_nxt(void **state)
{
	/*
	 * Ensure that a segment [5,25) whose left part is old (RCV.NXT = 10) and
	 * whose right part overlaps a held block [20,30) delivers [10,20) from
	 * itself and [20,30) from the block: TCP_DUP_DATA 5, one ACK of 30.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_fill(0, 10, 10);
	rx_ooo(20, 10);
	rx_fill(5, 20, 30);
	assert_int_equal(PTEST_CTR(t, TCP_DUP_DATA), 5);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_FILLED), 1);
	expect_stream(30);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_wrap_inside_held_blocks(void **state)
{
	/*
	 * Ensure that held blocks on both sides of 2^32 are ordered by sequence
	 * arithmetic: [16,24) (sequence 1..8) arrives first, then [10,14)
	 * (2^32-5..2^32-2), then [12,18) crossing 0 and overlapping both; the
	 * stream is exact when [0,10) fills the gap.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(WRAP_OFF + 1, 8);
	rx_ooo(10, 4);
	rx_ooo(12, 6);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DUP), 2 + 2);
	rx_fill(0, 10, 24);
	expect_stream(24);
	ptest_free(t);
}

/* ====================================================================== */
/* Immediate ACKs (RFC 5681 4.2) with delayed ACKs enabled               */
/* ====================================================================== */

static void
test_rfc5681_4_2_dup_ack_per_ooo_segment_despite_delack(void **state)
{
	/*
	 * Ensure that with delayed ACKs on (delack_ms 200) every out-of-order
	 * segment is answered by an immediate duplicate ACK, not by the timer.
	 */
	struct ptcp_stack_conf c = { .delack_ms = 200 };
	struct ptest_ctx *t = established_conf(&c);

	(void)state;
	assert_false(t->st->conf.quickack);
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	rx_ooo(50, 10);
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 0);
	ptest_advance(t, PTCP_MS(300));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc5681_4_2_ack_at_once_when_gap_fills_despite_delack(void **state)
{
	/*
	 * Ensure that with delayed ACKs on, a segment filling part of a gap and
	 * then one filling the rest are each ACKed at once (RFC 5681 4.2 "fills in
	 * all or part of a gap").
	 */
	struct ptcp_stack_conf c = { .delack_ms = 200 };
	struct ptest_ctx *t = established_conf(&c);

	(void)state;
	rx_ooo(20, 10);
	rx_fill(0, 10, 10);      /* part of the gap [0,20) */
	rx_fill(10, 10, 30);     /* the rest: the held block follows */
	assert_int_equal(PTEST_CTR(t, TCP_DELACK), 0);
	ptest_advance(t, PTCP_MS(300));
	PTEST_NOTHING_SENT(t);
	expect_stream(30);
	ptest_free(t);
}

/* ====================================================================== */
/* FIN beyond a gap                                                      */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_reass_fin_beyond_gap_waits(void **state)
{
	/*
	 * Ensure that a FIN after held data [10,20) is not processed while [0,10)
	 * is missing (ESTABLISHED, no EOF, duplicate ACK), and is processed when
	 * the gap fills: one ACK of 20 + FIN, CLOSE-WAIT, on_readable with EOF.
	 */
	struct ptest_ctx *t = established();
	uint8_t got[32];

	(void)state;
	ptest_conn_rx(&conn, PT_ACK | PT_FIN, base + 10, conn.snd_nxt, stream + 10, 10);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	assert_int_equal(conn.rec.n_readable, 0);
	assert_false(conn.rec.eof);
	rx_off(0, 10);
	conn.rcv_nxt = base + 21;   /* 20 bytes and the FIN */
	conn.unread = 20;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_int_equal(conn.rec.n_readable, 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 20);
	assert_int_equal(ptest_conn_read(&conn, got, sizeof(got)), 20);
	assert_memory_equal(got, stream, 20);
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	ptest_free(t);
}

static void
test_rfc5681_4_2_bare_fin_beyond_gap_dup_ack(void **state)
{
	/*
	 * Ensure that a FIN without data beyond a gap (at offset 10, RCV.NXT at
	 * 0) is treated as the out-of-order segment it is: an immediate duplicate
	 * ACK <SEQ=SND.NXT><ACK=RCV.NXT>, state unchanged.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK | PT_FIN, base + 10, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_bare_fin_beyond_gap_waits(void **state)
{
	/*
	 * Ensure that a FIN without data beyond a gap takes effect only once
	 * [0,10) arrives: then one ACK of 10 + FIN, CLOSE-WAIT, EOF after the read.
	 */
	struct ptest_ctx *t = established();
	uint8_t got[16];

	(void)state;
	ptest_conn_rx(&conn, PT_ACK | PT_FIN, base + 10, conn.snd_nxt, NULL, 0);
	/* Whether it is answered is test_rfc5681_4_2_bare_fin_beyond_gap_dup_ack's subject. */
	ptest_clear(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	assert_false(conn.rec.eof);
	rx_off(0, 10);
	conn.rcv_nxt = base + 11;
	conn.unread = 10;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_int_equal(ptest_conn_read(&conn, got, sizeof(got)), 10);
	assert_memory_equal(got, stream, 10);
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_data_beyond_ooo_fin_not_delivered(void **state)
{
	/*
	 * Ensure that data beyond an out-of-order FIN is never delivered: with
	 * [5,10)+FIN held, [10,20) is dropped (TCP_OOO_BEYOND_FIN 10, duplicate
	 * ACK), and when [0,5) arrives exactly 10 bytes are delivered, the FIN is
	 * processed at its sequence number (RCV.NXT = 11) and the state is
	 * CLOSE-WAIT.
	 */
	struct ptest_ctx *t = established();
	uint8_t got[32];

	(void)state;
	ptest_conn_rx(&conn, PT_ACK | PT_FIN, base + 5, conn.snd_nxt, stream + 5, 5);
	PTEST_EXPECT_ACK(&conn);
	rx_ooo(10, 10);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_BEYOND_FIN), 10);
	rx_off(0, 5);
	conn.rcv_nxt = base + 11;
	conn.unread = 10;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_RX), 10);
	assert_int_equal(ptest_conn_read(&conn, got, sizeof(got)), 10);
	assert_memory_equal(got, stream, 10);
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_held_data_beyond_late_ooo_fin_dropped(void **state)
{
	/*
	 * Ensure that data held before an out-of-order FIN arrives is cut at the
	 * FIN: [10,20) held, then [5,10)+FIN frees it (TCP_OOO_BEYOND_FIN 10) and
	 * [0,5) delivers 10 bytes and the FIN: CLOSE-WAIT, nothing leaked.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	ptest_conn_rx(&conn, PT_ACK | PT_FIN, base + 5, conn.snd_nxt, stream + 5, 5);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_BEYOND_FIN), 10);
	rx_off(0, 5);
	conn.rcv_nxt = base + 11;
	conn.unread = 10;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 10);
	assert_int_equal(t->st->mem_held, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_at_rcv_nxt_discards_held_data_beyond_it(void **state)
{
	/*
	 * Ensure that a FIN arriving at RCV.NXT while data beyond it is held
	 * ([10,20), one mbuf) ends the stream there: the FIN is ACKed, CLOSE-WAIT,
	 * EOF with nothing readable, and the held block is freed at once (nothing
	 * after a FIN is data, RFC 9293 3.10.7.4 eighth step), not kept until the
	 * connection goes away. Found by fuzz_rx.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	rx_ooo(10, 10);
	assert_int_equal(ptest_pool_held(t), 1);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Bounds: window, block count                                           */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_reass_held_bounded_by_window(void **state)
{
	/*
	 * Ensure that with rcv_buf 3000 an out-of-order segment [2000,3500) is
	 * held only up to the right edge (1000 bytes kept, TCP_RCV_BUF_FULL 500),
	 * a segment entirely beyond the edge is not acceptable (ACK,
	 * TCP_OUT_OF_WINDOW), and filling [0,2000) gives exactly 3000 bytes and
	 * window 0.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 3000 };
	struct ptest_ctx *t = established_conf(&c);

	(void)state;
	rx_ooo(2000, 1500);
	assert_int_equal(PTEST_CTR(t, TCP_RCV_BUF_FULL), 500);
	rx_ooo(3000, 100);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 1);
	rx_fill(0, 1000, 1000);
	rx_fill(1000, 1000, 3000);
	assert_int_equal(ptest_conn_wnd(&conn), 0);
	expect_stream(3000);
	ptest_free(t);
}

/* Mbufs the receive side of the connection may hold (truesize budget). */
static uint32_t
rcv_mbufs_max(struct ptest_ctx *t)
{
	return 2u * t->st->conf.rcv_buf / t->st->mbuf_truesize;
}

static void
test_ooo_gapped_tiny_segments_bounded_by_truesize(void **state)
{
	/*
	 * Ensure that out-of-order data is charged by mbuf truesize, not bytes:
	 * 64 one-byte segments separated by gaps pin at most 2 * rcv_buf of
	 * truesize (rcv_mbufs_max mbufs); the rest are dropped (TCP_OOO_DROP_MEM)
	 * but each still gets its duplicate ACK, and the stream is exact once
	 * [0,131) arrives.
	 */
	struct ptest_ctx *t = established();
	uint32_t max = rcv_mbufs_max(t);
	unsigned int i;

	(void)state;
	assert_true(max < 64);
	for (i = 1; i <= 64; i++)
		rx_ooo(2 * i, 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), max);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DROP_MEM), 64 - max);
	assert_int_equal(ptest_pool_held(t), max);
	assert_int_equal(t->st->mem_held, max);
	rx_fill(0, 131, 131);
	expect_stream(131);
	assert_int_equal(ptest_pool_held(t), 0);
	assert_int_equal(t->st->mem_held, 0);
	ptest_free(t);
}

static void
test_ooo_tiny_segments_coalesced_bounded_mbufs(void **state)
{
	/*
	 * Ensure that tiny out-of-order segments continuing a held block are
	 * copied into it rather than each pinning an mbuf: 100 one-byte segments
	 * [1,101) in order and 50 [101,151) in reverse order (each in front of
	 * the last) beyond a gap at 0 hold one mbuf, TCP_OOO_MERGED 149, and the
	 * stream is exact once [0,1) arrives.
	 */
	struct ptest_ctx *t = established();
	unsigned int i;

	(void)state;
	for (i = 1; i <= 100; i++)
		rx_ooo(i, 1);
	assert_int_equal(ptest_pool_held(t), 1);
	for (i = 150; i >= 101; i--)
		rx_ooo(i, 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 150);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_MERGED), 149);
	assert_int_equal(ptest_pool_held(t), 1);
	assert_int_equal(t->st->mem_held, 1);
	rx_fill(0, 1, 151);
	expect_stream(151);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

static void
test_ooo_dropped_before_inorder_under_pressure(void **state)
{
	/*
	 * Ensure that with the stack at its out-of-order ceiling (mem_pressure 3
	 * held mbufs) a new out-of-order segment beyond every held block is
	 * dropped (TCP_OOO_DROP_MEM), one before held blocks makes room by
	 * pruning the highest one (TCP_OOO_PRUNE), and in-order data is still
	 * taken whole and delivered with what is held up to the next gap.
	 */
	struct ptcp_stack_conf c = { .mem_pressure = 3 };
	struct ptest_ctx *t = established_conf(&c);

	(void)state;
	rx_ooo(10, 5);
	rx_ooo(30, 5);
	rx_ooo(50, 5);
	assert_int_equal(t->st->mem_held, 3);
	rx_ooo(70, 5);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DROP_MEM), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_PRUNE), 0);
	rx_ooo(20, 5);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_PRUNE), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DROP_MEM), 1);
	assert_int_equal(t->st->mem_held, 3);
	/* In order, at the ceiling: taken, and [10,15) joins it; [20,25) waits. */
	rx_fill(0, 10, 15);
	rx_fill(15, 5, 25);
	assert_int_equal(PTEST_CTR(t, TCP_RCV_BUF_FULL), 0);
	rx_fill(25, 50, 75);
	expect_stream(75);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_window_not_grown_under_memory_pressure(void **state)
{
	/*
	 * Ensure that above the memory pressure mark (mem_pressure 1, reached by
	 * 100 unacknowledged bytes in our send queue) reading the receive queue
	 * does not open the window: no window update after reading 2000 bytes,
	 * the next ACK still carries the old right edge (TCP_WND_CLAMPED), and
	 * the window opens fully once the peer's ACK frees the send queue.
	 */
	struct ptcp_stack_conf c = { .mem_pressure = 1 };
	struct ptest_ctx *t = established_conf(&c);
	struct ptcp_conn *pc;
	struct ptcp_tcp_seg seg;
	static uint8_t got[STREAM_LEN];
	uint32_t i, edge;

	(void)state;
	pc = ptest_conn_c(&conn);
	assert_int_equal(ptcp_send(pc, stream, 100), 100);
	ptest_kick(t);
	ptest_clear(t);
	assert_int_equal(t->st->mem_held, 1);
	for (i = 0; i < 2; i++)
		ptest_conn_rx(&conn, PT_ACK, base + i * 1000, conn.snd_nxt, stream + i * 1000,
			      1000);
	ptest_clear(t);
	edge = base + PTEST_WND;   /* the right edge of the first ACK's window */
	assert_int_equal(ptcp_recv(pc, got, sizeof(got)), 2000);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	assert_true(PTEST_CTR(t, TCP_WND_CLAMPED) >= 1);
	ptest_conn_rx(&conn, PT_ACK, base + 2000, conn.snd_nxt, stream + 2000, 1);
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.ack, base + 2001);
	assert_int_equal(seg.ack + seg.wnd, edge);
	/* Pressure gone: our 100 bytes are acknowledged; reading opens the window. */
	ptest_conn_rx(&conn, PT_ACK, base + 2001, conn.snd_nxt + 100, NULL, 0);
	ptest_clear(t);
	assert_int_equal(ptcp_recv(pc, got, sizeof(got)), 1);
	ptest_kick(t);
	assert_int_equal(t->st->mem_held, 0);
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.wnd, PTEST_WND);
	ptest_free(t);
}

/* ====================================================================== */
/* Freed with the connection                                             */
/* ====================================================================== */

/* Hold three blocks; they pin three mbufs. */
static void
hold_three(struct ptest_ctx *t)
{
	rx_ooo(10, 10);
	rx_ooo(30, 10);
	rx_ooo(50, 10);
	assert_int_equal(ptest_pool_held(t), 3);
}

static void
test_rfc9293_3_10_5_reass_freed_on_abort(void **state)
{
	/*
	 * Ensure that ptcp_abort with held out-of-order blocks sends RST, calls
	 * on_closed(-ECONNABORTED) and returns every held mbuf to the pool.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	hold_three(t);
	ptcp_abort(ptest_conn_c(&conn));
	ptest_kick(t);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNABORTED);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_reass_freed_on_peer_rst(void **state)
{
	/*
	 * Ensure that a RST at RCV.NXT with held blocks resets the connection
	 * (on_closed(-ECONNRESET), nothing sent) and frees every held mbuf.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	hold_three(t);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

static void
test_rfc1122_4_2_2_13_reass_freed_on_close_then_data(void **state)
{
	/*
	 * Ensure that ptcp_close with held blocks (nothing unread) sends FIN and
	 * keeps them; the gap filling afterwards is data for a closed application:
	 * RST, on_closed(-ECONNABORTED), every held mbuf freed.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	hold_three(t);
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
	conn.snd_nxt++;
	PTEST_NOTHING_SENT(t);
	rx_off(0, 10);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNABORTED);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* holding and releasing */
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_in_order_not_queued),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_one_gap_filled),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_gaps_filled_in_reverse_order),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_partial_fill_keeps_later_gap),
		/* overlaps */
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_new_inside_held),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_held_inside_new),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_overlap_held_left_edge),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_overlap_held_right_edge),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_exact_duplicate),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_spanning_several_blocks),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_spanning_from_inside_to_inside),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_adjacent_blocks),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_covered_by_adjacent_blocks),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_straddles_rcv_nxt),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_wrap_inside_held_blocks),
		/* immediate ACKs */
		cmocka_unit_test(test_rfc5681_4_2_dup_ack_per_ooo_segment_despite_delack),
		cmocka_unit_test(test_rfc5681_4_2_ack_at_once_when_gap_fills_despite_delack),
		/* FIN */
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_fin_beyond_gap_waits),
		cmocka_unit_test(test_rfc5681_4_2_bare_fin_beyond_gap_dup_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_bare_fin_beyond_gap_waits),
		cmocka_unit_test(test_rfc9293_3_10_7_4_data_beyond_ooo_fin_not_delivered),
		cmocka_unit_test(test_rfc9293_3_10_7_4_held_data_beyond_late_ooo_fin_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_at_rcv_nxt_discards_held_data_beyond_it),
		/* bounds */
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_held_bounded_by_window),
		cmocka_unit_test(test_ooo_gapped_tiny_segments_bounded_by_truesize),
		cmocka_unit_test(test_ooo_tiny_segments_coalesced_bounded_mbufs),
		cmocka_unit_test(test_ooo_dropped_before_inorder_under_pressure),
		cmocka_unit_test(test_rfc9293_3_8_6_window_not_grown_under_memory_pressure),
		/* freeing */
		cmocka_unit_test(test_rfc9293_3_10_5_reass_freed_on_abort),
		cmocka_unit_test(test_rfc9293_3_10_7_4_reass_freed_on_peer_rst),
		cmocka_unit_test(test_rfc1122_4_2_2_13_reass_freed_on_close_then_data),
	};

	return cmocka_run_group_tests_name("tcp_reass", tests, NULL, NULL);
}
