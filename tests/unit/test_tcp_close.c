/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_close.c - closing a connection (RFC 9293 3.6, 3.10.4, figures
 * 5 and 6, 3.10.7.4 eighth step): FIN-WAIT-1, FIN-WAIT-2, CLOSING,
 * TIME-WAIT (2*MSL, RFC 1337; a compact record, the connection released
 * with on_closed(0)), orphaned FIN-WAIT-2 (conf.fin_timeout_ms),
 * CLOSE-WAIT, LAST-ACK, simultaneous close, half-close both ways,
 * ptcp_close with unread data (RFC 1122 4.2.2.13) and ptcp_abort.
 *
 * The connection comes from a passive open with peer ISN PTEST_PEER_ISN.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "harness.h"
#include "tcp_private.h"

static struct ptest_conn conn;

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

#define TW_COUNT(t) ptcp_stack_time_wait_count((t)->st)

/*
 * The TIME-WAIT record must still exist for us - 1 ms, then be gone within
 * PTEST_SLACK_US after us. Nothing may be sent meanwhile; the connection
 * itself was released (on_closed(0) once) when TIME-WAIT began.
 */
static void
expect_freed_after(struct ptest_ctx *t, uint64_t us)
{
	uint64_t waited = 0;

	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_advance(t, us - 1000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 1);
	while (TW_COUNT(t) != 0 && waited < 1000 + PTEST_SLACK_US) {
		ptest_advance(t, 1000);
		waited += 1000;
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 0);
	assert_int_equal(PTEST_CTR(t, TCP_TW_EXPIRED), 1);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
}

#define TWO_MSL_US(t) (2 * PTCP_MS((t)->st->conf.msl_ms))

/* ====================================================================== */
/* Tests for the FIN-WAIT-1 state                                        */
/* ====================================================================== */

static void
test_rfc9293_3_10_4_shutdown_sends_fin(void **state)
{
	/*
	 * Ensure that ptcp_shutdown sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> and enters FIN-
	 * WAIT-1.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_1(&conn);   /* asserts the FIN and the state */
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_4_shutdown_fin_after_data(void **state)
{
	/* Ensure that the FIN follows queued data: its SEQ is after the last data byte. */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, 100);
	assert_int_equal(ptcp_shutdown(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_FIN(&conn, conn.iss + 1 + 100);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_1_ack_of_fin_to_fin_wait_2(void **state)
{
	/* Ensure that in FIN-WAIT-1 the ACK of our FIN moves to FIN-WAIT-2 silently. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_2(&conn);   /* asserts nothing sent and the state */
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_1_ack_before_fin_stays(void **state)
{
	/*
	 * Ensure that in FIN-WAIT-1 an ACK not covering our FIN (SEG.ACK = SND.NXT-1) keeps FIN-
	 * WAIT-1.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_1(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt - 1, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_FIN_WAIT_1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_1_fin_to_closing(void **state)
{
	/*
	 * Ensure that in FIN-WAIT-1 a FIN not acking ours is ACKed and moves to CLOSING
	 * (simultaneous close).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_closing(&conn);   /* asserts the ACK and the state */
	assert_true(conn.rec.eof);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(PTEST_CTR(t, TCP_TIME_WAIT), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_closing_ack_to_time_wait(void **state)
{
	/*
	 * Ensure that in CLOSING the ACK of our FIN moves to TIME-WAIT silently: a TIME-WAIT
	 * record, the connection released with on_closed(0).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_closing(&conn);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(PTEST_CTR(t, TCP_TIME_WAIT), 1);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_6_simultaneous_close_ends_after_2msl(void **state)
{
	/*
	 * Ensure that a simultaneous close (figure 13) ends in TIME-WAIT, whose record is gone
	 * after 2*MSL.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_closing(&conn);
	ptest_conn_rx_ack(&conn);
	expect_freed_after(t, TWO_MSL_US(t));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_1_fin_ack_to_time_wait(void **state)
{
	/*
	 * Ensure that in FIN-WAIT-1 a FIN that also ACKs our FIN goes straight to TIME-WAIT, ACKed.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_1(&conn);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TIME_WAIT), 1);
	assert_int_equal(conn.rec.n_closed, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_1_data_received(void **state)
{
	/*
	 * Ensure that after our FIN, data from the peer (not yet acking the FIN) is delivered and
	 * ACKed.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[50], got[64];

	(void)state;
	ptest_pattern(d, sizeof(d), 2);
	ptest_conn_fin_wait_1(&conn);
	ptest_conn_rx(&conn, PT_ACK | PT_PSH, conn.rcv_nxt, conn.snd_nxt - 1, d, sizeof(d));
	conn.rcv_nxt += sizeof(d);
	conn.unread += sizeof(d);
	PTEST_EXPECT_ACK(&conn);   /* SEQ = SND.NXT, after our FIN */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), sizeof(d));
	assert_memory_equal(got, d, sizeof(d));
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_FIN_WAIT_1);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the FIN-WAIT-2 state (half-close: we still receive)         */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_fin_wait_2_data_received(void **state)
{
	/*
	 * Ensure that after ptcp_shutdown data is still received, delivered and ACKed in FIN-
	 * WAIT-2.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[300], got[300];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	ptest_conn_fin_wait_2(&conn);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_readable, 1);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), sizeof(d));
	assert_memory_equal(got, d, sizeof(d));
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_FIN_WAIT_2);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_2_fin_to_time_wait(void **state)
{
	/*
	 * Ensure that in FIN-WAIT-2 the peer's FIN is ACKed, signals EOF (on_readable) and enters
	 * TIME-WAIT.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);   /* asserts the ACK, the record, on_closed(0) */
	assert_true(conn.rec.eof);
	assert_int_equal(PTEST_CTR(t, TCP_TIME_WAIT), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_wait_2_fin_with_data(void **state)
{
	/*
	 * Ensure that a FIN carrying data delivers the data and ACKs data + FIN; the tuple is in
	 * TIME-WAIT, but the application keeps the connection until it has read the data, then
	 * on_closed(0).
	 */
	struct ptest_ctx *t = established();
	uint8_t d[20], got[20];

	(void)state;
	ptest_pattern(d, sizeof(d), 4);
	ptest_conn_fin_wait_2(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt, conn.snd_nxt, d, sizeof(d));
	conn.rcv_nxt += sizeof(d) + 1;
	conn.unread += sizeof(d);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);   /* no slot held */
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_TIME_WAIT);
	assert_false(ptcp_conn_eof(ptest_conn_c(&conn)));   /* 20 bytes still unread */
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 10), 10);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got + 10, 10), 10);
	assert_memory_equal(got, d, sizeof(d));
	PTEST_NOTHING_SENT(t);   /* no window update from a record */
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the TIME-WAIT state                                         */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_time_wait_lasts_2msl(void **state)
{
	/*
	 * Ensure that TIME-WAIT lasts 2*MSL (60 s by default), then on_closed(0) and the connection
	 * is freed.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);
	assert_int_equal(TWO_MSL_US(t), 60000000);
	expect_freed_after(t, TWO_MSL_US(t));
	assert_int_equal(PTEST_CTR(t, TCP_CONN_CLOSED), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_msl_configurable(void **state)
{
	/* Ensure that TIME-WAIT follows conf.msl_ms (500 ms -> 1 s). */
	struct ptcp_stack_conf c = { .msl_ms = 500 };
	struct ptest_ctx *t = established_conf(&c);

	(void)state;
	ptest_conn_time_wait(&conn);
	expect_freed_after(t, 1000000);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_fin_reacked_restarts_2msl(void **state)
{
	/*
	 * Ensure that a retransmitted FIN in TIME-WAIT is ACKed again and restarts the 2*MSL timer.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);
	ptest_advance(t, 30000000);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_FIN_REACK), 1);
	/* 2*MSL from the retransmitted FIN, not from the first one. */
	expect_freed_after(t, TWO_MSL_US(t));
	ptest_free(t);
}

static void
test_rfc1337_time_wait_rst_ignored(void **state)
{
	/*
	 * Ensure that a RST in TIME-WAIT is ignored (RFC 1337 TIME-WAIT assassination),
	 * TCP_RST_IGNORED.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_IGNORED), 1);
	assert_int_equal(TW_COUNT(t), 1);
	expect_freed_after(t, TWO_MSL_US(t));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_compact_acks_retransmitted_fin(void **state)
{
	/*
	 * Ensure that the TIME-WAIT record, with the connection already released, ACKs a
	 * retransmitted FIN <SEQ=SND.NXT><ACK=RCV.NXT> keeping the right edge last advertised
	 * (TCP_OUT_OF_WINDOW, TCP_TW_FIN_REACK) and stays.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_advance(t, 1000000);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_FIN_REACK), 1);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(conn.rec.n_closed, 1);
	ptest_free(t);
}

static void
test_on_closed_when_time_wait_entered(void **state)
{
	/*
	 * Ensure that the active closer gets on_readable (EOF) and then on_closed(0) while the
	 * segment entering TIME-WAIT is processed, not 2*MSL later, and holds no connection.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_2(&conn);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_false(conn.rec.eof);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_ACK(&conn);
	assert_true(conn.rec.eof);                 /* on_readable saw EOF first */
	assert_int_equal(conn.rec.n_closed, 1);    /* then on_closed, in the same segment */
	assert_int_equal(conn.rec.closed_err, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_free(t);
}

static void
test_rfc5961_5_2_time_wait_ack_beyond_snd_nxt_challenge_ack(void **state)
{
	/*
	 * Ensure that in TIME-WAIT an in-window segment acknowledging beyond SND.NXT gets a
	 * challenge ACK (TCP_BAD_ACK, TCP_CHALLENGE_ACK).
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt + 1000, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_ACK), 1);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_text_ignored(void **state)
{
	/*
	 * Ensure that in TIME-WAIT in-window text is ignored (TCP_TEXT_AFTER_FIN), nothing sent,
	 * the record kept.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[10] = { 0 };

	(void)state;
	ptest_conn_time_wait(&conn);
	ptest_conn_rx(&conn, PT_ACK | PT_PSH, conn.rcv_nxt, conn.snd_nxt, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TEXT_AFTER_FIN), sizeof(d));
	assert_int_equal(TW_COUNT(t), 1);
	ptest_free(t);
}

/* Active open from lport, then our FIN, the peer's ACK and FIN: TIME-WAIT. */
static void
active_close(struct ptest_ctx *t, struct ptest_conn *pc, uint16_t lport)
{
	ptest_conn_init(t, pc);
	pc->lport = lport;
	ptest_conn_active(pc);
	ptest_conn_fin_wait_2(pc);
	ptest_conn_rx_fin(pc);
	PTEST_EXPECT_ACK(pc);
	PTEST_NOTHING_SENT(t);
}

static void
test_time_wait_does_not_hold_conn_slot(void **state)
{
	/*
	 * Ensure that max_conns + 32 connections opened and actively closed in a row within
	 * 2*MSL all succeed: TIME-WAIT holds a record each, not a connection slot.
	 */
	struct ptcp_stack_conf c = { .max_conns = 8 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	static struct ptest_conn pc;

	(void)state;
	for (uint16_t i = 0; i < 8 + 32; i++) {
		active_close(t, &pc, (uint16_t)(50000 + i));
		assert_int_equal(pc.rec.n_closed, 1);
		assert_int_equal(pc.rec.closed_err, 0);
		assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	}
	assert_int_equal(TW_COUNT(t), 8 + 32);
	assert_int_equal(PTEST_CTR(t, TCP_TIME_WAIT), 8 + 32);
	assert_int_equal(PTEST_CTR(t, TCP_TW_POOL_EMPTY), 0);
	ptest_advance(t, TWO_MSL_US(t) + PTEST_SLACK_US);
	assert_int_equal(TW_COUNT(t), 0);
	assert_int_equal(PTEST_CTR(t, TCP_TW_EXPIRED), 8 + 32);
	ptest_free(t);
}

static void
test_time_wait_record_pool_empty_closes_at_once(void **state)
{
	/*
	 * Ensure that with every TIME-WAIT record in use (conf.max_time_wait) a connection
	 * entering TIME-WAIT is closed at once (as Linux), counted in TCP_TW_POOL_EMPTY: its
	 * tuple then answers a retransmitted FIN with a RST.
	 */
	struct ptcp_stack_conf c = { .max_time_wait = 1 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	static struct ptest_conn a, b;

	(void)state;
	active_close(t, &a, 50000);
	assert_int_equal(TW_COUNT(t), 1);
	active_close(t, &b, 50001);
	assert_int_equal(PTEST_CTR(t, TCP_TW_POOL_EMPTY), 1);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(b.rec.n_closed, 1);
	assert_int_equal(b.rec.closed_err, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_conn_rx(&b, PT_FIN | PT_ACK, b.rcv_nxt - 1, b.snd_nxt, NULL, 0);
	PTEST_EXPECT(&b, PT_RST, b.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_connect_to_time_wait_tuple_refused(void **state)
{
	/*
	 * Ensure that ptcp_connect on a tuple in TIME-WAIT fails with EADDRINUSE (the record
	 * holds the tuple for 2*MSL), and succeeds once it expired.
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	struct ptcp_conn *n;

	(void)state;
	active_close(t, &conn, 50000);
	n = ptcp_connect(t->st, PTEST_PEER_IP, PTEST_RPORT, 50000, &ptest_rec_ops, &conn.rec);
	assert_null(n);
	assert_int_equal(rte_errno, EADDRINUSE);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, 2000000 + PTEST_SLACK_US);
	n = ptcp_connect(t->st, PTEST_PEER_IP, PTEST_RPORT, 50000, &ptest_rec_ops, &conn.rec);
	assert_non_null(n);
	ptest_kick(t);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_connect_reuses_tuple_once_2msl_ended_before_timer_pass(void **state)
{
	/*
	 * Ensure that a TIME-WAIT record whose 2*MSL ended stops holding its tuple at once: a
	 * ptcp_connect arriving before the next timer pass (the clock moved on with a burst, the
	 * stack was not polled) reaps it and opens the connection, counted in TCP_TW_EXPIRED.
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	struct ptcp_conn *n;

	(void)state;
	active_close(t, &conn, 50000);
	t->now += 2000000 + PTEST_SLACK_US;
	t->st->now_us = t->now;         /* as a receive burst sets it, without ptcp_stack_poll */
	assert_int_equal(TW_COUNT(t), 1);
	n = ptcp_connect(t->st, PTEST_PEER_IP, PTEST_RPORT, 50000, &ptest_rec_ops, &conn.rec);
	assert_non_null(n);
	assert_int_equal(TW_COUNT(t), 0);
	assert_int_equal(PTEST_CTR(t, TCP_TW_EXPIRED), 1);
	ptest_kick(t);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_ended_before_timer_pass_holds_nothing(void **state)
{
	/*
	 * Ensure that a TIME-WAIT record whose 2*MSL ended answers nothing even before the
	 * timer pass that frees it: a retransmitted FIN arriving then meets no connection
	 * (RST, RFC 9293 3.10.7.1) instead of the record's ACK, and the record is freed
	 * (TCP_TW_EXPIRED).
	 */
	struct ptcp_stack_conf c = { .msl_ms = 1000 };
	struct ptest_ctx *t = ptest_new_tcp(&c);

	(void)state;
	active_close(t, &conn, 50000);
	t->now += 2000000 + PTEST_SLACK_US;    /* the clock of the next burst; no poll */
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(TW_COUNT(t), 0);
	assert_int_equal(PTEST_CTR(t, TCP_TW_EXPIRED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TW_FIN_REACK), 0);
	ptest_free(t);
}

static void
test_time_wait_unread_data_close_discards(void **state)
{
	/*
	 * Ensure that ptcp_close of a connection kept only for unread bytes after TIME-WAIT began
	 * ends it with on_closed(0), sends nothing (no RST: the TIME-WAIT record answers for the
	 * tuple) and frees the bytes.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[20];

	(void)state;
	ptest_pattern(d, sizeof(d), 5);
	ptest_conn_fin_wait_2(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt, conn.snd_nxt, d, sizeof(d));
	conn.rcv_nxt += sizeof(d) + 1;
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	assert_int_equal(TW_COUNT(t), 1);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_time_wait_out_of_window_ack_rate_limited(void **state)
{
	/*
	 * Ensure that in TIME-WAIT unacceptable segments that are no plausible retransmission
	 * draw at most one ACK per 500 ms (TCP_OOW_ACK_LIMIT), as on a connection.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_time_wait(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 200000, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 200000, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_OOW_ACK_LIMIT), 1);
	ptest_advance(t, 500000);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 200000, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), 3);
	ptest_free(t);
}

/* ====================================================================== */
/* FIN-WAIT-2 after ptcp_close (orphaned: Linux tcp_fin_timeout)          */
/* ====================================================================== */

/* ptcp_close on an established connection, our FIN acknowledged: FIN-WAIT-2. */
static void
closed_fin_wait_2(struct ptest_ctx *t)
{
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
	conn.snd_nxt++;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_FIN_WAIT_2);
}

/* Still there us - 1 ms from now, then closed silently, on_closed(-ETIMEDOUT). */
static void
expect_fin_wait_2_timeout_after(struct ptest_ctx *t, uint64_t us)
{
	uint64_t waited = 0;

	ptest_advance(t, us - 1000);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	while (conn.rec.n_closed == 0 && waited < 1000 + PTEST_SLACK_US) {
		ptest_advance(t, 1000);
		waited += 1000;
	}
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ETIMEDOUT);
	assert_int_equal(PTEST_CTR(t, TCP_FIN_WAIT_2_TIMEOUT), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(TW_COUNT(t), 0);
}

static void
test_fin_wait_2_timeout_after_close(void **state)
{
	/*
	 * Ensure that after ptcp_close a FIN-WAIT-2 whose peer never sends its FIN ends after
	 * conf.fin_timeout_ms (60 s by default): silently, on_closed(-ETIMEDOUT),
	 * TCP_FIN_WAIT_2_TIMEOUT.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	assert_int_equal(t->st->conf.fin_timeout_ms, 60000);
	closed_fin_wait_2(t);
	expect_fin_wait_2_timeout_after(t, PTCP_MS(60000));
	ptest_free(t);
}

static void
test_fin_wait_2_timeout_configurable(void **state)
{
	/* Ensure that the orphaned FIN-WAIT-2 limit follows conf.fin_timeout_ms (2 s). */
	struct ptcp_stack_conf c = { .fin_timeout_ms = 2000 };
	struct ptest_ctx *t = established_conf(&c);

	(void)state;
	closed_fin_wait_2(t);
	expect_fin_wait_2_timeout_after(t, PTCP_MS(2000));
	ptest_free(t);
}

static void
test_fin_wait_2_half_close_no_timeout(void **state)
{
	/*
	 * Ensure that after a ptcp_shutdown half-close FIN-WAIT-2 lasts as long as the peer
	 * likes (10 minutes here): the application still reads, nothing times out.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_2(&conn);
	for (int i = 0; i < 10; i++)
		ptest_advance(t, PTCP_MS(60000));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(PTEST_CTR(t, TCP_FIN_WAIT_2_TIMEOUT), 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_FIN_WAIT_2);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	ptest_free(t);
}

static void
test_fin_wait_2_timeout_counts_from_close(void **state)
{
	/*
	 * Ensure that ptcp_close in FIN-WAIT-2 after a half-close starts the limit then: the
	 * connection ends conf.fin_timeout_ms after ptcp_close, not after the half-close.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_2(&conn);
	ptest_advance(t, PTCP_MS(30000));
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	expect_fin_wait_2_timeout_after(t, PTCP_MS(60000));
	ptest_free(t);
}

static void
test_fin_wait_2_close_then_peer_fin_time_wait(void **state)
{
	/*
	 * Ensure that the peer's FIN before the limit ends the orphaned FIN-WAIT-2 normally:
	 * ACK, TIME-WAIT record, on_closed(0), and no timeout later.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	closed_fin_wait_2(t);
	ptest_advance(t, PTCP_MS(59000));
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	assert_int_equal(TW_COUNT(t), 1);
	ptest_advance(t, PTCP_MS(2000));
	assert_int_equal(PTEST_CTR(t, TCP_FIN_WAIT_2_TIMEOUT), 0);
	assert_int_equal(conn.rec.n_closed, 1);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the CLOSE-WAIT state (the peer closed first)                */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_established_fin_to_close_wait(void **state)
{
	/*
	 * Ensure that a FIN in ESTABLISHED is ACKed, calls on_readable with ptcp_conn_eof true,
	 * enters CLOSE-WAIT.
	 */
	struct ptest_ctx *t = established();
	uint8_t b[8];

	(void)state;
	ptest_conn_close_wait(&conn);   /* asserts the ACK (ack = FIN + 1) and the state */
	assert_int_equal(conn.rec.n_readable, 1);
	assert_true(conn.rec.eof);
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), b, sizeof(b)), 0);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_fin_with_data_eof_after_read(void **state)
{
	/* Ensure that with FIN+data the EOF is reported only after the data has been read. */
	struct ptest_ctx *t = established();
	uint8_t d[10], got[10];

	(void)state;
	ptest_pattern(d, sizeof(d), 5);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt, conn.snd_nxt, d, sizeof(d));
	conn.rcv_nxt += sizeof(d) + 1;
	conn.unread += sizeof(d);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_false(ptcp_conn_eof(ptest_conn_c(&conn)));
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), sizeof(d));
	assert_memory_equal(got, d, sizeof(d));
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_close_wait_send_half_close(void **state)
{
	/* Ensure that after the peer's FIN we can still send data, which is ACKed normally. */
	struct ptest_ctx *t = established();
	uint8_t d[200];

	(void)state;
	ptest_pattern(d, sizeof(d), 6);
	ptest_conn_close_wait(&conn);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), t->st->conf.snd_buf);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_close_wait_duplicate_fin_reacked(void **state)
{
	/*
	 * Ensure that a retransmitted FIN in CLOSE-WAIT (old sequence) is ACKed and changes
	 * nothing.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_close_wait(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_close_wait_text_ignored(void **state)
{
	/*
	 * Ensure that text arriving after the peer's FIN (CLOSE-WAIT) is ignored
	 * ("this should not occur since a FIN has been received") and counted.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_close_wait(&conn);
	ptest_conn_rx(&conn, PT_ACK | PT_PSH, conn.rcv_nxt, conn.snd_nxt, "late", 4);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TEXT_AFTER_FIN), 4);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	ptest_free(t);
}

static void
test_rfc5961_3_2_close_wait_rst_resets(void **state)
{
	/* Ensure that a RST at RCV.NXT in CLOSE-WAIT resets: on_closed(-ECONNRESET). */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_close_wait(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the LAST-ACK state                                          */
/* ====================================================================== */

static void
test_rfc9293_3_10_4_close_wait_shutdown_to_last_ack(void **state)
{
	/* Ensure that ptcp_shutdown in CLOSE-WAIT sends FIN <ACK=RCV.NXT> and enters LAST-ACK. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_last_ack(&conn);   /* asserts the FIN and the state */
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_last_ack_ack_closes(void **state)
{
	/*
	 * Ensure that in LAST-ACK the ACK of our FIN closes: on_closed(0), freed at once, nothing
	 * sent.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_last_ack(&conn);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(PTEST_CTR(t, TCP_CONN_CLOSED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_TIME_WAIT), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_last_ack_old_ack_stays(void **state)
{
	/* Ensure that in LAST-ACK an ACK not covering our FIN keeps the connection. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_last_ack(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt - 1, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_LAST_ACK);
	ptest_free(t);
}

static void
test_rfc9293_3_6_close_on_eof_from_callback(void **state)
{
	/*
	 * Ensure that ptcp_close from on_readable at EOF (an echo server) rides
	 * on the ACK of the peer's FIN: one FIN|ACK, LAST-ACK, and the ACK of
	 * our FIN closes with on_closed(0).
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	conn.rec.close_on_eof = true;
	ptest_conn_passive(&conn);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
	conn.snd_nxt++;
	PTEST_NOTHING_SENT(t);
	assert_true(conn.rec.close_done);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_LAST_ACK);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* ptcp_close and ptcp_abort                                             */
/* ====================================================================== */

static void
test_rfc9293_3_10_4_close_without_unread_sends_fin(void **state)
{
	/* Ensure that ptcp_close with nothing unread sends a FIN like shutdown (FIN-WAIT-1). */
	struct ptest_ctx *t = established();

	(void)state;
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
	conn.snd_nxt++;
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc1122_4_2_2_13_close_with_unread_data_rst(void **state)
{
	/*
	 * Ensure that ptcp_close with unread received data sends RST <SEQ=SND.NXT> instead of FIN.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[10];

	(void)state;
	ptest_pattern(d, sizeof(d), 7);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 1);
	ptest_free(t);
}

static void
test_rfc1122_4_2_2_13_data_after_close_rst(void **state)
{
	/*
	 * Ensure that data arriving after ptcp_close (FIN-WAIT-2) is answered by RST and the
	 * connection ends.
	 */
	struct ptest_ctx *t = established();

	(void)state;
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
	conn.snd_nxt++;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx(&conn, PT_ACK | PT_PSH, conn.rcv_nxt, conn.snd_nxt, "late", 4);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_4_abort_sends_rst(void **state)
{
	/*
	 * Ensure that ptcp_abort sends RST <SEQ=SND.NXT>, calls on_closed(-ECONNABORTED), frees the
	 * connection.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 8);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, sizeof(d));
	ptcp_abort(ptest_conn_c(&conn));
	ptest_kick(t);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNABORTED);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	/* No retransmission of the aborted data later. */
	ptest_advance(t, 5000000);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_4_abort_syn_sent_no_rst(void **state)
{
	/*
	 * Ensure that ptcp_abort in SYN-SENT sends nothing (the peer has no state) and calls
	 * on_closed(-ECONNABORTED).
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	ptcp_abort(ptest_conn_c(&conn));
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNABORTED);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_advance(t, 5000000);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_second_fin_after_fin_ignored(void **state)
{
	/*
	 * Ensure that in CLOSE-WAIT a FIN at a new sequence number (beyond RCV.NXT,
	 * or at it) ends nothing: RCV.NXT stays, no out-of-order FIN is recorded,
	 * the state stays CLOSE-WAIT and each draws an ACK (TCP_FIN_AFTER_FIN 2).
	 */
	struct ptest_ctx *t = established();
	struct ptcp_conn *c;

	(void)state;
	ptest_conn_close_wait(&conn);
	c = ptest_conn_c(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt + 100, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_ACK, conn.rcv_nxt, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(c->rcv_nxt, conn.rcv_nxt);
	assert_false(c->flags & PTCP_TF_FIN_OOO);
	assert_int_equal(ptcp_conn_state(c), PTCP_TCP_CLOSE_WAIT);
	assert_int_equal(PTEST_CTR(t, TCP_FIN_AFTER_FIN), 2);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* FIN-WAIT-1, CLOSING */
		cmocka_unit_test(test_rfc9293_3_10_7_4_second_fin_after_fin_ignored),
		cmocka_unit_test(test_rfc9293_3_10_4_shutdown_sends_fin),
		cmocka_unit_test(test_rfc9293_3_10_4_shutdown_fin_after_data),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_1_ack_of_fin_to_fin_wait_2),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_1_ack_before_fin_stays),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_1_fin_to_closing),
		cmocka_unit_test(test_rfc9293_3_10_7_4_closing_ack_to_time_wait),
		cmocka_unit_test(test_rfc9293_3_6_simultaneous_close_ends_after_2msl),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_1_fin_ack_to_time_wait),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_1_data_received),
		/* FIN-WAIT-2 */
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_2_data_received),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_2_fin_to_time_wait),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_wait_2_fin_with_data),
		/* TIME-WAIT */
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_lasts_2msl),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_msl_configurable),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_fin_reacked_restarts_2msl),
		cmocka_unit_test(test_rfc1337_time_wait_rst_ignored),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_compact_acks_retransmitted_fin),
		cmocka_unit_test(test_on_closed_when_time_wait_entered),
		cmocka_unit_test(test_rfc5961_5_2_time_wait_ack_beyond_snd_nxt_challenge_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_text_ignored),
		cmocka_unit_test(test_time_wait_does_not_hold_conn_slot),
		cmocka_unit_test(test_time_wait_record_pool_empty_closes_at_once),
		cmocka_unit_test(test_rfc9293_3_10_7_4_connect_to_time_wait_tuple_refused),
		cmocka_unit_test(test_rfc9293_3_10_7_4_connect_reuses_tuple_once_2msl_ended_before_timer_pass),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_ended_before_timer_pass_holds_nothing),
		cmocka_unit_test(test_time_wait_unread_data_close_discards),
		cmocka_unit_test(test_rfc9293_3_10_7_4_time_wait_out_of_window_ack_rate_limited),
		/* FIN-WAIT-2 after ptcp_close */
		cmocka_unit_test(test_fin_wait_2_timeout_after_close),
		cmocka_unit_test(test_fin_wait_2_timeout_configurable),
		cmocka_unit_test(test_fin_wait_2_half_close_no_timeout),
		cmocka_unit_test(test_fin_wait_2_timeout_counts_from_close),
		cmocka_unit_test(test_fin_wait_2_close_then_peer_fin_time_wait),
		/* CLOSE-WAIT */
		cmocka_unit_test(test_rfc9293_3_10_7_4_established_fin_to_close_wait),
		cmocka_unit_test(test_rfc9293_3_10_7_4_fin_with_data_eof_after_read),
		cmocka_unit_test(test_rfc9293_3_10_7_4_close_wait_send_half_close),
		cmocka_unit_test(test_rfc9293_3_10_7_4_close_wait_duplicate_fin_reacked),
		cmocka_unit_test(test_rfc9293_3_10_7_4_close_wait_text_ignored),
		cmocka_unit_test(test_rfc5961_3_2_close_wait_rst_resets),
		/* LAST-ACK */
		cmocka_unit_test(test_rfc9293_3_10_4_close_wait_shutdown_to_last_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_last_ack_ack_closes),
		cmocka_unit_test(test_rfc9293_3_10_7_4_last_ack_old_ack_stays),
		cmocka_unit_test(test_rfc9293_3_6_close_on_eof_from_callback),
		/* close / abort */
		cmocka_unit_test(test_rfc9293_3_10_4_close_without_unread_sends_fin),
		cmocka_unit_test(test_rfc1122_4_2_2_13_close_with_unread_data_rst),
		cmocka_unit_test(test_rfc1122_4_2_2_13_data_after_close_rst),
		cmocka_unit_test(test_rfc9293_3_10_4_abort_sends_rst),
		cmocka_unit_test(test_rfc9293_3_10_4_abort_syn_sent_no_rst),
	};

	return cmocka_run_group_tests_name("tcp_close", tests, NULL, NULL);
}
