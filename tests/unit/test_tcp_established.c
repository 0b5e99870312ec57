/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_established.c - the ESTABLISHED state, in the order of RFC 9293
 * 3.10.7.4: sequence acceptability (the four RCV.WND x SEG.LEN cases, each
 * window edge), RST (RFC 5961 3), SYN (RFC 5961 4), ACK (RFC 5961 5.2,
 * SND.WL1/WL2 window update), then segment text: in-order delivery,
 * trimming, out-of-order drop, immediate ACKs, echo on the ACK, and the
 * sender side (MSS, peer window).
 *
 * The peer's ISN is PTEST_PEER_ISN so the first bytes already cross 2^32.
 * The recorder does not read on its own (auto_read false) so our window is
 * exactly rcv_wnd - unread in every ACK.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

static struct ptest_conn conn;

/* A passively opened ESTABLISHED connection (optionally with a conf). */
static struct ptest_ctx *
established_conf(const struct ptcp_stack_conf *c)
{
	return ptest_established(&conn, c);
}

static struct ptest_ctx *
established(void)
{
	return established_conf(NULL);
}

/* Receive len in-order bytes and check their ACK. */
static void
rx_data_acked(const void *d, uint32_t len)
{
	ptest_conn_rx_data(&conn, d, len);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(conn.t);
}

/*
 * rcv_buf 2920 (two segments): fill it so RCV.WND is 0. The second ACK
 * advertises window 0.
 */
static struct ptest_ctx *
zero_window(void)
{
	struct ptcp_stack_conf c = { .rcv_buf = 2 * PTEST_MSS };
	struct ptest_ctx *t = established_conf(&c);
	uint8_t d[PTEST_MSS];

	ptest_pattern(d, sizeof(d), 9);
	rx_data_acked(d, sizeof(d));
	rx_data_acked(d, sizeof(d));
	assert_int_equal(ptest_conn_wnd(&conn), 0);
	return t;
}

/* Send 100 bytes from the application so SND.UNA < SND.NXT. */
static void
outstanding_100(uint8_t *d)
{
	ptest_pattern(d, 100, 0x40);
	ptest_conn_send(&conn, d, 100);
	PTEST_EXPECT_DATA(&conn, d, 100);
	PTEST_NOTHING_SENT(conn.t);
}

/* ====================================================================== */
/* Segment text: in-order delivery and immediate ACKs                    */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_data_in_order_delivered_acked(void **state)
{
	/*
	 * Ensure that in-order data (starting at RCV.NXT, crossing 2^32) is
	 * delivered and ACKed at once: <SEQ=SND.NXT><ACK=RCV.NXT+100>, window 65435.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100], got[128];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	rx_data_acked(d, sizeof(d));
	assert_int_equal(conn.rcv_nxt, (uint32_t)(PTEST_PEER_ISN + 1 + 100));   /* wrapped */
	assert_int_equal(conn.rec.n_readable, 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 100);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 100);
	assert_memory_equal(got, d, 100);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_RX), 100);
	assert_false(ptcp_conn_eof(ptest_conn_c(&conn)));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_data_segments_across_wrap_in_order(void **state)
{
	/*
	 * Ensure that three 10-byte segments at 2^32-15, 2^32-5 and 5 arrive as one ordered stream.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[30], got[30];

	(void)state;
	ptest_pattern(d, sizeof(d), 2);
	rx_data_acked(d, 10);
	rx_data_acked(d + 10, 10);
	rx_data_acked(d + 20, 10);
	assert_int_equal(conn.rcv_nxt, 0x0000000Fu);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 30);
	assert_memory_equal(got, d, 30);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_quickack_every_segment_acked(void **state)
{
	/*
	 * Ensure that with conf.quickack (the unit tests' default) two back-to-back data segments get two ACKs.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[2 * PTEST_MSS];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	ptest_conn_rx_data(&conn, d, PTEST_MSS);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx_data(&conn, d + PTEST_MSS, PTEST_MSS);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_receive_window_shrinks_with_unread(void **state)
{
	/* Ensure that the advertised window is rcv_buf minus unread bytes: 64535, 63535, 62535. */
	struct ptest_ctx *t = established();
	uint8_t d[1000];
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_pattern(d, sizeof(d), 4);
	for (int i = 1; i <= 3; i++) {
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, 65535 - 1000 * i, 0, NULL,
			     &s);
	}
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_echo_rides_on_ack(void **state)
{
	/* Ensure that data sent from on_readable rides on the ACK: one segment, data + ACK. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint8_t d[PTEST_MSS];

	(void)state;
	ptest_conn_init(t, &conn);
	conn.rec.auto_read = true;
	conn.rec.echo = true;
	ptest_conn_passive(&conn);
	ptest_pattern(d, sizeof(d), 5);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	/* One full MSS was read: the window is back to 65535 whatever the SWS rule. */
	PTEST_EXPECT_DATA(&conn, d, PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.rx_len, PTEST_MSS);
	ptest_free(t);
}

static void
test_rfc9293_3_1_data_with_options_delivered(void **state)
{
	/* Ensure that data after TCP options (a 12-byte timestamp block) is delivered byte-exact. */
	struct ptest_ctx *t = established();
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_TS, .tsval = 1, .tsecr = 2 };
	uint8_t d[64], got[64];

	(void)state;
	ptest_pattern(d, sizeof(d), 17);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.rcv_nxt, .ack = conn.snd_nxt, .flags = PT_ACK | PT_PSH,
		.wnd = conn.peer_wnd, .data = d, .len = sizeof(d), .opt = &o });
	conn.rcv_nxt += sizeof(d);
	conn.unread += sizeof(d);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), sizeof(d));
	assert_memory_equal(got, d, sizeof(d));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_data_without_ack_dropped(void **state)
{
	/*
	 * Ensure that a data segment without the ACK bit is dropped silently ("if the ACK bit is
	 * off drop").
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_PSH, conn.rcv_nxt, 0, "abc", 3);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_NO_ACK_DROP), 1);
	assert_int_equal(conn.rec.n_readable, 0);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_out_of_order_held_until_gap_fills(void **state)
{
	/*
	 * Ensure that data beyond a hole is held and answered at once by
	 * <ACK=RCV.NXT> (RFC 5681 4.2), then delivered in order together with the
	 * hole's bytes, which are ACKed at once, when the hole fills.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[20], got[20];

	(void)state;
	ptest_pattern(d, sizeof(d), 6);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 10, conn.snd_nxt, d + 10, 10);
	PTEST_EXPECT_ACK(&conn);   /* duplicate ACK: RCV.NXT has not moved */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 1);
	assert_int_equal(conn.rec.n_readable, 0);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	ptest_conn_rx_data(&conn, d, 10);
	conn.rcv_nxt += 10;   /* the held 10 bytes follow the hole */
	conn.unread += 10;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_FILLED), 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 20);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 20);
	assert_memory_equal(got, d, 20);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_overlap_left_trimmed(void **state)
{
	/*
	 * Ensure that a segment straddling RCV.NXT (5 old + 10 new bytes) delivers only the 10 new
	 * bytes.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[20], got[32];

	(void)state;
	ptest_pattern(d, sizeof(d), 7);
	rx_data_acked(d, 10);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt - 5, conn.snd_nxt, d + 5, 15);
	conn.rcv_nxt += 10;
	conn.unread += 10;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DUP_DATA), 5);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 20);
	assert_memory_equal(got, d, 20);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_right_edge_trimmed(void **state)
{
	/*
	 * Ensure that a segment starting at RCV.NXT but longer than RCV.WND keeps
	 * only what fits (1460 of 1500 bytes), counting TCP_RCV_BUF_FULL 40.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 2 * PTEST_MSS };
	struct ptest_ctx *t = established_conf(&c);
	uint8_t d[1500];

	(void)state;
	ptest_pattern(d, sizeof(d), 8);
	rx_data_acked(d, PTEST_MSS);   /* window now 1460 */
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt, d, 1500);
	conn.rcv_nxt += PTEST_MSS;
	conn.unread += PTEST_MSS;
	PTEST_EXPECT_ACK(&conn);   /* window 0 */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RCV_BUF_FULL), 40);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 2 * PTEST_MSS);
	ptest_free(t);
}

/* ====================================================================== */
/* Sequence acceptability: SEG.LEN > 0, RCV.WND > 0                      */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_len_gt0_outside_left_ack(void **state)
{
	/*
	 * Ensure that an old byte (SEG.SEQ = RCV.NXT-1, len 1) gets <SEQ=SND.NXT><ACK=RCV.NXT>,
	 * TCP_OUT_OF_WINDOW.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[10];

	(void)state;
	ptest_pattern(d, sizeof(d), 10);
	rx_data_acked(d, 10);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, d + 9, 1);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 10);
	assert_int_equal(conn.rec.n_readable, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_len_gt0_right_edge_acceptable(void **state)
{
	/*
	 * Ensure that a byte at RCV.NXT+RCV.WND-1 is acceptable (held as out-of-order, not
	 * counted out-of-window).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + conn.rcv_wnd - 1, conn.snd_nxt, "z", 1);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_QUEUED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_len_gt0_outside_right_ack(void **state)
{
	/*
	 * Ensure that a byte at RCV.NXT+RCV.WND (just outside right) gets an ACK,
	 * TCP_OUT_OF_WINDOW.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + conn.rcv_wnd, conn.snd_nxt, "z", 1);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OOO_DROP), 0);
	assert_int_equal(conn.rec.n_readable, 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Sequence acceptability: SEG.LEN = 0, RCV.WND > 0                      */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_len0_left_edge_acceptable(void **state)
{
	/* Ensure that a pure ACK at RCV.NXT is acceptable and not answered. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_len0_outside_left_ack(void **state)
{
	/* Ensure that a pure ACK at RCV.NXT-1 is not acceptable: ACK sent, TCP_OUT_OF_WINDOW. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_len0_right_edge_acceptable(void **state)
{
	/* Ensure that a pure ACK at RCV.NXT+RCV.WND-1 is acceptable and not answered. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + conn.rcv_wnd - 1, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_len0_outside_right_ack(void **state)
{
	/*
	 * Ensure that a pure ACK beyond RCV.NXT+RCV.WND is not acceptable: ACK sent,
	 * TCP_OUT_OF_WINDOW.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + conn.rcv_wnd + 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_len0_at_right_edge_ack_processed(void **state)
{
	/*
	 * Ensure that a pure ACK exactly at RCV.NXT+RCV.WND (a peer that filled our
	 * window and lost the data before it) is accepted and its ACK field used,
	 * as Linux and the BSDs do; the strict test deadlocked against Linux under
	 * loss, each side discarding the other's ACKs.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 9);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, sizeof(d));
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + conn.rcv_wnd, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 0);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf);
	ptest_free(t);
}

/* ====================================================================== */
/* Sequence acceptability: RCV.WND = 0                                   */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_wnd0_len0_at_rcv_nxt_acceptable(void **state)
{
	/*
	 * Ensure that with RCV.WND 0 a pure ACK with SEG.SEQ = RCV.NXT is acceptable and not
	 * answered.
	 */
	struct ptest_ctx *t = zero_window();

	(void)state;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_wnd0_len0_beyond_rcv_nxt_ack(void **state)
{
	/* Ensure that with RCV.WND 0 a pure ACK at RCV.NXT+1 is not acceptable: ACK (window 0). */
	struct ptest_ctx *t = zero_window();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_wnd0_data_not_acceptable(void **state)
{
	/*
	 * Ensure that with RCV.WND 0 a data byte at RCV.NXT (a probe) is not accepted:
	 * <ACK=RCV.NXT>, window 0.
	 */
	struct ptest_ctx *t = zero_window();

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt, "p", 1);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 2 * PTEST_MSS);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_wnd0_probe_ack_field_processed(void **state)
{
	/*
	 * Ensure that with RCV.WND 0 the ACK field of an unacceptable probe is
	 * still processed ("special allowance should be made to accept valid ACKs").
	 */
	struct ptest_ctx *t = zero_window();
	uint8_t d[100];
	uint32_t space;

	(void)state;
	outstanding_100(d);
	space = ptcp_send_space(ptest_conn_c(&conn));
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt, "p", 1);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), space + 100);
	assert_int_equal(conn.rec.n_writable, 1);
	ptest_free(t);
}

/* ====================================================================== */
/* RST (RFC 5961 3.2)                                                    */
/* ====================================================================== */

static void
test_rfc5961_3_2_rst_exact_rcv_nxt_resets(void **state)
{
	/*
	 * Ensure that a RST with SEG.SEQ = RCV.NXT resets: on_closed(-ECONNRESET), nothing sent,
	 * connection freed.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	assert_int_equal(PTEST_CTR(t, TCP_RST_RX), 1);
	assert_int_equal(PTEST_CTR(t, TCP_CONN_RESET), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc5961_3_2_rst_ack_exact_rcv_nxt_resets(void **state)
{
	/* Ensure that RST|ACK at RCV.NXT resets as well (the ACK field is not checked for RST). */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST | PT_ACK, conn.rcv_nxt, conn.snd_nxt + 1000, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_rst_in_window_challenge_ack(void **state)
{
	/*
	 * Ensure that a RST at RCV.NXT+1 (in window, not exact) gets a challenge ACK
	 * <SEQ=SND.NXT><ACK=RCV.NXT>.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + 1, 0, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc5961_3_2_rst_right_edge_challenge_ack(void **state)
{
	/* Ensure that a RST at RCV.NXT+RCV.WND-1 (right edge) gets a challenge ACK. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + conn.rcv_wnd - 1, 0, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc5961_3_2_rst_outside_right_ignored(void **state)
{
	/*
	 * Ensure that a RST at RCV.NXT+RCV.WND (just outside right) is dropped silently,
	 * TCP_RST_IGNORED.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + conn.rcv_wnd, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_IGNORED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 0);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc5961_3_2_rst_outside_left_ignored(void **state)
{
	/*
	 * Ensure that a RST at RCV.NXT-1 (just outside left) is dropped silently, TCP_RST_IGNORED.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt - 1, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_IGNORED), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc5961_7_challenge_ack_per_conn_ratelimit(void **state)
{
	/*
	 * Ensure that a connection sends at most one challenge ACK per 500 ms: a
	 * second in-window RST at once is suppressed (TCP_CHALLENGE_LIMIT), one
	 * 500 ms later is answered again.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + 1, 0, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	ptest_advance(t, PTCP_TCP_OOW_RATELIMIT_US - 1000);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + 2, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_LIMIT), 1);
	ptest_advance(t, 1000);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + 3, 0, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 2);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc5961_7_spoofed_segments_do_not_silence_restarted_peer(void **state)
{
	/*
	 * Ensure that ten spoofed in-window RSTs within a second do not keep a
	 * restarted peer from its challenge ACK: its SYN 500 ms after the last
	 * spoofed segment is answered, and its RST at RCV.NXT then resets.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	for (int i = 0; i < 10; i++)
		ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + 1 + i, 0, NULL, 0);
	ptest_clear(t);
	ptest_advance(t, PTCP_TCP_OOW_RATELIMIT_US);
	ptest_conn_rx(&conn, PT_SYN, 12345, 0, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	ptest_free(t);
}

static void
test_rfc5961_7_challenge_ack_lcore_ceiling_randomised(void **state)
{
	/*
	 * Ensure that challenge ACKs of one lcore are capped per second at a
	 * ceiling drawn from [limit/2, limit*3/2) each second (limit 10 here, 30
	 * connections each drawing one): never above it, suppressed ones counted,
	 * and the ceiling is not the same number every second.
	 */
	enum { NCONN = 30, SECONDS = 12 };
	static struct ptest_conn pcs[NCONN];
	struct ptcp_stack_conf conf = { .challenge_ack_limit = 10 };
	struct ptest_ctx *t = ptest_new_tcp(&conf);
	uint64_t seen[SECONDS];
	bool varied = false;

	(void)state;
	for (int i = 0; i < NCONN; i++) {
		ptest_conn_init(t, &pcs[i]);
		pcs[i].rport = (uint16_t)(PTEST_RPORT + i);
		if (i == 0)
			ptest_conn_listen(&pcs[0]);
		ptest_conn_syn_received(&pcs[i]);
		ptest_conn_rx_ack(&pcs[i]);
	}
	ptest_clear(t);
	for (int sec = 0; sec < SECONDS; sec++) {
		uint64_t before = PTEST_CTR(t, TCP_CHALLENGE_ACK);

		ptest_advance(t, 1000000);
		for (int i = 0; i < NCONN; i++)
			ptest_conn_rx(&pcs[i], PT_RST, pcs[i].rcv_nxt + 1, 0, NULL, 0);
		seen[sec] = PTEST_CTR(t, TCP_CHALLENGE_ACK) - before;
		assert_true(seen[sec] >= 5 && seen[sec] < 15);
		assert_int_equal(t->nsent, seen[sec]);
		ptest_clear(t);
		if (sec > 0 && seen[sec] != seen[0])
			varied = true;
	}
	assert_true(varied);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK) + PTEST_CTR(t, TCP_CHALLENGE_LIMIT),
			 NCONN * SECONDS);
	assert_int_equal(ptcp_tcp_conn_count(t->st), NCONN);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_oow_acks_ratelimited(void **state)
{
	/*
	 * Ensure that 1000 unacceptable pure ACKs (beyond the window) draw one
	 * ACK, not 1000 (TCP_OOW_ACK_LIMIT 999), and one more after 500 ms.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	for (int i = 0; i < 1000; i++)
		ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 100000 + i, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1000);
	assert_int_equal(PTEST_CTR(t, TCP_OOW_ACK_LIMIT), 999);
	ptest_advance(t, PTCP_TCP_OOW_RATELIMIT_US);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 100000, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_old_duplicate_data_always_acked(void **state)
{
	/*
	 * Ensure that retransmitted data just below RCV.NXT (our ACK was lost) is
	 * ACKed every time, outside the rate limit: the peer needs that ACK.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	memset(d, 'x', sizeof(d));
	ptest_conn_rx_data(&conn, d, sizeof(d));
	ptest_advance(t, 1000000);
	ptest_clear(t);
	for (int i = 0; i < 5; i++) {
		ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt - sizeof(d), conn.snd_nxt, d, sizeof(d));
		PTEST_EXPECT_ACK(&conn);
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OOW_ACK_LIMIT), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* SYN in a synchronized state (RFC 5961 4)                              */
/* ====================================================================== */

static void
test_rfc5961_4_2_syn_at_rcv_nxt_challenge_ack(void **state)
{
	/* Ensure that a SYN at RCV.NXT in ESTABLISHED gets a challenge ACK and does not reset. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_SYN, conn.rcv_nxt, 0, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc5961_4_2_syn_in_window_challenge_ack(void **state)
{
	/*
	 * Ensure that a SYN-ACK inside the window (RCV.NXT+100) gets a challenge ACK, not a reset.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_rx(&conn, PT_SYN | PT_ACK, conn.rcv_nxt + 100, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_old_synack_acked(void **state)
{
	/*
	 * Ensure that a retransmitted SYN-ACK (SEG.SEQ = IRS, left of the window)
	 * after an active open is answered by an ACK and changes nothing.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_active(&conn);
	ptest_conn_rx(&conn, PT_SYN | PT_ACK, conn.irs, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

/* ====================================================================== */
/* ACK field (RFC 9293 3.10.7.4 fifth, RFC 5961 5.2)                     */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_ack_frees_send_buffer(void **state)
{
	/*
	 * Ensure that an ACK of all outstanding data frees the send buffer, calls on_writable, and
	 * stops the timer.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	outstanding_100(d);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf - 100);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf);
	assert_int_equal(conn.rec.n_writable, 1);
	ptest_advance(t, 5000000);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_partial_ack(void **state)
{
	/* Ensure that an ACK of the first 50 of 100 bytes frees exactly 50 bytes. */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	outstanding_100(d);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt - 50, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf - 50);
	ptest_free(t);
}

static void
test_rfc5961_5_2_ack_above_snd_nxt_dropped(void **state)
{
	/*
	 * Ensure that SEG.ACK = SND.NXT+1 (acking data not sent) gets an ACK and
	 * the segment is dropped (its data is not delivered), TCP_BAD_ACK.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	outstanding_100(d);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt + 1, "0123456789", 10);
	PTEST_EXPECT_ACK(&conn);   /* RCV.NXT unchanged */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_ACK), 1);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf - 100);
	ptest_free(t);
}

static void
test_rfc5961_5_2_ack_at_snd_nxt_accepted(void **state)
{
	/*
	 * Ensure that SEG.ACK = SND.NXT (right edge) with data is accepted: data delivered and
	 * ACKed.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	outstanding_100(d);
	rx_data_acked("0123456789", 10);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 10);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_ACK), 0);
	ptest_free(t);
}

static void
test_rfc5961_5_2_ack_lower_bound_accepted(void **state)
{
	/*
	 * Ensure that SEG.ACK = SND.UNA - MAX.SND.WND (left edge of the acceptable range) is
	 * accepted.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];
	uint32_t snd_una;

	(void)state;
	outstanding_100(d);
	snd_una = conn.snd_nxt - 100;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, snd_una - 65535, "0123456789", 10);
	conn.rcv_nxt += 10;
	conn.unread += 10;
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 10);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_ACK), 0);
	ptest_free(t);
}

static void
test_rfc5961_5_2_ack_below_lower_bound_dropped(void **state)
{
	/*
	 * Ensure that SEG.ACK = SND.UNA - MAX.SND.WND - 1 (just outside left) is
	 * discarded "and an ACK sent back": data not delivered, TCP_BAD_ACK.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];
	uint32_t snd_una;

	(void)state;
	outstanding_100(d);
	snd_una = conn.snd_nxt - 100;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, snd_una - 65535 - 1, "0123456789", 10);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_ACK), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_duplicate_ack_ignored(void **state)
{
	/*
	 * Ensure that a pure duplicate ACK (SEG.ACK = SND.UNA) is not answered and frees nothing.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	outstanding_100(d);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt - 100, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf - 100);
	assert_int_equal(conn.rec.n_writable, 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Send window (SND.WND, SND.WL1/WL2)                                    */
/* ====================================================================== */

static void
test_rfc9293_3_8_6_send_limited_by_peer_window(void **state)
{
	/*
	 * Ensure that with a peer window of 1000 only 1000 of 3000 bytes are sent, the rest after
	 * the ACK.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint8_t d[3000];

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_wnd = 1000;
	ptest_conn_passive(&conn);
	ptest_pattern(d, sizeof(d), 11);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, 1000);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_DATA(&conn, d + 1000, 1000);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_DATA(&conn, d + 2000, 1000);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_zero_window_then_update(void **state)
{
	/*
	 * Ensure that a zero window stops sending and a window update (same SEQ and ACK) releases
	 * the data.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 12);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, sizeof(d)), 100);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 1000;
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_DATA(&conn, d, 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_wl1_older_segment_no_window_update(void **state)
{
	/*
	 * Ensure that the window is taken only from a newer segment (SND.WL1 <
	 * SEG.SEQ): a pure ACK at RCV.NXT+100 sets window 1000; a later ACK at
	 * RCV.NXT (older SEQ) announcing 0 is ignored, so 500 bytes still go.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[500];

	(void)state;
	ptest_pattern(d, sizeof(d), 13);
	conn.peer_wnd = 1000;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 100, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 0;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, 500);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_wl2_newer_ack_updates_window(void **state)
{
	/*
	 * Ensure that a segment with the same SEQ and a newer ACK (SND.WL2 <
	 * SEG.ACK) updates the window: the ACK of 100 bytes announcing window 0
	 * holds the next 200 bytes until the window opens.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100], e[200];

	(void)state;
	outstanding_100(d);
	ptest_pattern(e, sizeof(e), 14);
	conn.peer_wnd = 0;
	ptest_conn_rx_ack(&conn);   /* same SEQ, ACK +100, window 0 */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), e, sizeof(e)), 200);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	conn.peer_wnd = 1000;
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_DATA(&conn, e, 200);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Bulk transfer                                                         */
/* ====================================================================== */

static void
test_rfc9293_3_8_bulk_send_completes(void **state)
{
	/*
	 * Ensure that 60000 bytes queued at once all arrive in order in MSS-sized
	 * (or smaller final) segments, each ACK releasing more, with no stall and
	 * the send buffer empty at the end.
	 */
	struct ptest_ctx *t = established();
	static uint8_t d[60000], got[60000];
	uint32_t rcvd = 0, base = conn.snd_nxt;
	int rounds = 0;

	(void)state;
	ptest_pattern(d, sizeof(d), 18);
	ptest_conn_send(&conn, d, sizeof(d));
	while (rcvd < sizeof(d)) {
		struct ptcp_tcp_seg s;
		uint32_t n;

		if (t->nsent == 0)
			fail_msg("stalled after %u bytes", rcvd);
		assert_true(++rounds < 1000);
		while (t->nsent != 0) {
			n = ptest_pop_tcp(t, &s, got + rcvd, sizeof(got) - rcvd);
			assert_int_equal(s.flags & ~PT_PSH, PT_ACK);
			assert_int_equal(s.seq, base + rcvd);
			assert_true(n >= 1 && n <= PTEST_MSS);
			assert_true(n == PTEST_MSS || rcvd + n == sizeof(d));
			rcvd += n;
			conn.snd_nxt = base + rcvd;
			ptest_conn_rx_ack(&conn);
		}
	}
	assert_memory_equal(got, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_TX), sizeof(d));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_bulk_receive_every_segment_acked(void **state)
{
	/*
	 * Ensure that 80 full segments read by the application as they arrive
	 * are each ACKed once with the window back at 65535, and the stream is
	 * delivered byte-exact.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	static uint8_t d[80 * PTEST_MSS];

	(void)state;
	ptest_conn_init(t, &conn);
	conn.rec.auto_read = true;
	ptest_conn_passive(&conn);
	ptest_pattern(d, sizeof(d), 19);
	for (int i = 0; i < 80; i++) {
		ptest_conn_rx_data(&conn, d + i * PTEST_MSS, PTEST_MSS);
		PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, 65535, 0, NULL, NULL);
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.rx_len, sizeof(d));
	assert_memory_equal(conn.rec.rx, d, sizeof(d));
	assert_int_equal(PTEST_CTR(t, TCP_DATA_RX), sizeof(d));
	ptest_free(t);
}

/* ====================================================================== */
/* Send MSS (RFC 9293 3.7.1)                                             */
/* ====================================================================== */

static void
send_mss_case(uint16_t peer_mss, uint32_t seg)
{
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint8_t d[2 * PTEST_MSS];

	ptest_conn_init(t, &conn);
	conn.peer_mss = peer_mss;
	ptest_conn_passive(&conn);
	ptest_pattern(d, 2 * seg, 15);
	ptest_conn_send(&conn, d, 2 * seg);
	PTEST_EXPECT_DATA(&conn, d, seg);
	PTEST_EXPECT_DATA(&conn, d + seg, seg);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_DATA_TX), 2 * seg);
	ptest_free(t);
}

static void
test_rfc9293_3_7_1_send_mss_from_peer_option(void **state)
{
	/* Ensure that segments are cut at the peer's MSS option (1000). */
	(void)state;
	send_mss_case(1000, 1000);
}

static void
test_rfc9293_3_7_1_send_mss_default_536(void **state)
{
	/* Ensure that without an MSS option the send MSS is 536. */
	(void)state;
	send_mss_case(0, 536);
}

static void
test_rfc9293_3_7_1_send_mss_capped_by_mtu(void **state)
{
	/* Ensure that a peer MSS of 9000 is capped at our mtu - 40 = 1460. */
	(void)state;
	send_mss_case(9000, PTEST_MSS);
}

static void
test_rfc9293_3_7_1_send_mss_active_open(void **state)
{
	/* Ensure that the MSS option of a SYN-ACK (active open) sets the send MSS too. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint8_t d[1600];

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_mss = 800;
	ptest_conn_active(&conn);
	ptest_pattern(d, sizeof(d), 16);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, 800);
	PTEST_EXPECT_DATA(&conn, d + 800, 800);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* segment text */
		cmocka_unit_test(test_rfc9293_3_10_7_4_data_in_order_delivered_acked),
		cmocka_unit_test(test_rfc9293_3_10_7_4_data_segments_across_wrap_in_order),
		cmocka_unit_test(test_rfc9293_3_10_7_4_quickack_every_segment_acked),
		cmocka_unit_test(test_rfc9293_3_10_7_4_receive_window_shrinks_with_unread),
		cmocka_unit_test(test_rfc9293_3_10_7_4_echo_rides_on_ack),
		cmocka_unit_test(test_rfc9293_3_1_data_with_options_delivered),
		cmocka_unit_test(test_rfc9293_3_10_7_4_data_without_ack_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_4_out_of_order_held_until_gap_fills),
		cmocka_unit_test(test_rfc9293_3_10_7_4_overlap_left_trimmed),
		cmocka_unit_test(test_rfc9293_3_10_7_4_right_edge_trimmed),
		/* acceptability: SEG.LEN > 0, RCV.WND > 0 */
		cmocka_unit_test(test_rfc9293_3_10_7_4_len_gt0_outside_left_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_len_gt0_right_edge_acceptable),
		cmocka_unit_test(test_rfc9293_3_10_7_4_len_gt0_outside_right_ack),
		/* acceptability: SEG.LEN = 0, RCV.WND > 0 */
		cmocka_unit_test(test_rfc9293_3_10_7_4_len0_left_edge_acceptable),
		cmocka_unit_test(test_rfc9293_3_10_7_4_len0_outside_left_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_len0_right_edge_acceptable),
		cmocka_unit_test(test_rfc9293_3_10_7_4_len0_outside_right_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_len0_at_right_edge_ack_processed),
		/* acceptability: RCV.WND = 0 */
		cmocka_unit_test(test_rfc9293_3_10_7_4_wnd0_len0_at_rcv_nxt_acceptable),
		cmocka_unit_test(test_rfc9293_3_10_7_4_wnd0_len0_beyond_rcv_nxt_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_wnd0_data_not_acceptable),
		cmocka_unit_test(test_rfc9293_3_10_7_4_wnd0_probe_ack_field_processed),
		/* RST */
		cmocka_unit_test(test_rfc5961_3_2_rst_exact_rcv_nxt_resets),
		cmocka_unit_test(test_rfc5961_3_2_rst_ack_exact_rcv_nxt_resets),
		cmocka_unit_test(test_rfc9293_3_10_7_4_rst_in_window_challenge_ack),
		cmocka_unit_test(test_rfc5961_3_2_rst_right_edge_challenge_ack),
		cmocka_unit_test(test_rfc5961_3_2_rst_outside_right_ignored),
		cmocka_unit_test(test_rfc5961_3_2_rst_outside_left_ignored),
		cmocka_unit_test(test_rfc5961_7_challenge_ack_per_conn_ratelimit),
		cmocka_unit_test(test_rfc5961_7_spoofed_segments_do_not_silence_restarted_peer),
		cmocka_unit_test(test_rfc5961_7_challenge_ack_lcore_ceiling_randomised),
		cmocka_unit_test(test_rfc9293_3_10_7_4_oow_acks_ratelimited),
		cmocka_unit_test(test_rfc9293_3_10_7_4_old_duplicate_data_always_acked),
		/* SYN */
		cmocka_unit_test(test_rfc5961_4_2_syn_at_rcv_nxt_challenge_ack),
		cmocka_unit_test(test_rfc5961_4_2_syn_in_window_challenge_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_old_synack_acked),
		/* ACK */
		cmocka_unit_test(test_rfc9293_3_10_7_4_ack_frees_send_buffer),
		cmocka_unit_test(test_rfc9293_3_10_7_4_partial_ack),
		cmocka_unit_test(test_rfc5961_5_2_ack_above_snd_nxt_dropped),
		cmocka_unit_test(test_rfc5961_5_2_ack_at_snd_nxt_accepted),
		cmocka_unit_test(test_rfc5961_5_2_ack_lower_bound_accepted),
		cmocka_unit_test(test_rfc5961_5_2_ack_below_lower_bound_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_4_duplicate_ack_ignored),
		/* send window */
		cmocka_unit_test(test_rfc9293_3_8_6_send_limited_by_peer_window),
		cmocka_unit_test(test_rfc9293_3_10_7_4_zero_window_then_update),
		cmocka_unit_test(test_rfc9293_3_10_7_4_wl1_older_segment_no_window_update),
		cmocka_unit_test(test_rfc9293_3_10_7_4_wl2_newer_ack_updates_window),
		/* bulk */
		cmocka_unit_test(test_rfc9293_3_8_bulk_send_completes),
		cmocka_unit_test(test_rfc9293_3_10_7_4_bulk_receive_every_segment_acked),
		/* send MSS */
		cmocka_unit_test(test_rfc9293_3_7_1_send_mss_from_peer_option),
		cmocka_unit_test(test_rfc9293_3_7_1_send_mss_default_536),
		cmocka_unit_test(test_rfc9293_3_7_1_send_mss_capped_by_mtu),
		cmocka_unit_test(test_rfc9293_3_7_1_send_mss_active_open),
	};

	return cmocka_run_group_tests_name("tcp_established", tests, NULL, NULL);
}
