/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_api.c - the application interface (ptcp_api.h): listen/unlisten,
 * connect (ephemeral ports, limits), send (snd_buf, -EPIPE), recv (order,
 * receiver SWS window updates, RFC 9293 3.8.6.2.2), close_all, teardown,
 * and pool levels across 100 connections opened and closed in a loop.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "harness.h"

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

/* ====================================================================== */
/* Names, listen, unlisten                                               */
/* ====================================================================== */

static void
test_api_state_names(void **state)
{
	/* Ensure that state names are the RFC 9293 spellings. */
	(void)state;
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_CLOSED), "CLOSED");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_LISTEN), "LISTEN");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_SYN_SENT), "SYN-SENT");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_SYN_RECEIVED), "SYN-RECEIVED");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_ESTABLISHED), "ESTABLISHED");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_FIN_WAIT_1), "FIN-WAIT-1");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_FIN_WAIT_2), "FIN-WAIT-2");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_CLOSE_WAIT), "CLOSE-WAIT");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_CLOSING), "CLOSING");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_LAST_ACK), "LAST-ACK");
	assert_string_equal(ptcp_tcp_state_name(PTCP_TCP_TIME_WAIT), "TIME-WAIT");
}

static void
test_api_listen_twice_eaddrinuse(void **state)
{
	/* Ensure that listening twice on one port fails with -EADDRINUSE. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	assert_int_equal(ptcp_listen(t->st, PTEST_LPORT, &ptest_rec_ops, &conn.rec), -EADDRINUSE);
	assert_int_equal(ptcp_listen(t->st, PTEST_LPORT + 1, &ptest_rec_ops, &conn.rec), 0);
	ptest_free(t);
}

static void
test_api_unlisten_refuses_new_keeps_established(void **state)
{
	/*
	 * Ensure that after ptcp_unlisten a SYN gets RST,ACK while the established connection keeps
	 * working.
	 */
	struct ptest_ctx *t = established();
	static struct ptest_conn other;

	(void)state;
	assert_int_equal(ptcp_unlisten(t->st, PTEST_LPORT), 0);
	ptest_conn_init(t, &other);
	other.rport = PTEST_RPORT + 1;
	ptest_conn_rx(&other, PT_SYN, other.irs, 0, NULL, 0);
	PTEST_EXPECT(&other, PT_RST | PT_ACK, 0, other.irs + 1, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_data(&conn, "still", 5);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_api_set_arg_redirects_callbacks(void **state)
{
	/* Ensure that ptcp_conn_set_arg changes the arg later callbacks receive. */
	struct ptest_ctx *t = established();
	static struct ptest_rec other;

	(void)state;
	memset(&other, 0, sizeof(other));
	ptcp_conn_set_arg(ptest_conn_c(&conn), &other);
	ptest_conn_rx_data(&conn, "x", 1);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(other.n_readable, 1);
	assert_int_equal(conn.rec.n_readable, 0);
	ptest_free(t);
}

static void
test_api_send_from_on_established_passive(void **state)
{
	/* Ensure that data sent from on_established (a server greeting) goes out after the handshake. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	conn.rec.greet = "220 hello\r\n";
	conn.rec.greet_len = 11;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_DATA(&conn, "220 hello\r\n", 11);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_api_send_from_on_established_active_rides_on_ack(void **state)
{
	/*
	 * Ensure that data sent from on_established of an active open rides on
	 * the ACK of the SYN-ACK (API: segments caused in a callback are sent
	 * once the segment has been processed): one segment, data + ACK.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_MSS, .mss = PTEST_MSS };

	(void)state;
	ptest_conn_init(t, &conn);
	conn.rec.greet = "GET /\r\n";
	conn.rec.greet_len = 7;
	ptest_conn_syn_sent(&conn);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .ack = conn.snd_nxt, .flags = PT_SYN | PT_ACK, .wnd = 65535,
		.opt = &o });
	conn.rcv_nxt = conn.irs + 1;
	PTEST_EXPECT_DATA(&conn, "GET /\r\n", 7);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

/* ====================================================================== */
/* Connect                                                               */
/* ====================================================================== */

static void
test_api_connect_ephemeral_port(void **state)
{
	/*
	 * Ensure that lport 0 picks a nonzero port, reported by ptcp_conn_tuple and used in the
	 * SYN.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;
	rte_be32_t la, ra;
	uint16_t lp, rp;

	(void)state;
	ptest_conn_init(t, &conn);
	c = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, &ptest_rec_ops, &conn.rec);
	assert_non_null(c);
	ptest_kick(t);
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN);
	assert_int_equal(s.dport, 80);
	assert_int_not_equal(s.sport, 0);
	ptcp_conn_tuple(c, &la, &lp, &ra, &rp);
	assert_int_equal(lp, s.sport);
	assert_int_equal(rp, 80);
	assert_int_equal(la, PTEST_LOCAL_IP);
	assert_int_equal(ra, PTEST_PEER_IP);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_api_connect_same_tuple_eaddrinuse(void **state)
{
	/* Ensure that a second connect on the same 4-tuple fails with EADDRINUSE. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	static struct ptest_rec r2;

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	rte_errno = 0;
	assert_null(ptcp_connect(t->st, PTEST_PEER_IP, conn.rport, conn.lport, &ptest_rec_ops,
				 &r2));
	assert_int_equal(rte_errno, EADDRINUSE);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc4987_3_6_max_conns_syn_cookie(void **state)
{
	/*
	 * Ensure that with max_conns 2 and both connections established a third
	 * SYN is answered with a SYN cookie (TCP_SYN_POOL_FULL, TCP_COOKIE_SENT),
	 * its ACK is dropped while the pool is full (TCP_ACCEPT_POOL_FULL), the
	 * established connections keep working, and connect fails with ENOSPC.
	 */
	struct ptcp_stack_conf c = { .max_conns = 2 };
	struct ptest_ctx *t = ptest_new_tcp(&c);
	static struct ptest_conn b, x;
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_passive(&conn);
	ptest_conn_init(t, &b);
	b.rport = PTEST_RPORT + 1;
	ptest_conn_syn_received(&b);
	ptest_conn_rx_ack(&b);
	ptest_conn_init(t, &x);
	x.rport = PTEST_RPORT + 2;
	ptest_conn_rx(&x, PT_SYN, x.irs, 0, NULL, 0);
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_int_equal(s.ack, x.irs + 1);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_POOL_FULL), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_QUEUED), 2);
	assert_int_equal(ptcp_stack_conn_count(t->st), 2);
	ptest_conn_rx(&x, PT_ACK, x.irs + 1, s.seq + 1, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	assert_int_equal(PTEST_CTR(t, TCP_ACCEPT_POOL_FULL), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 2);
	/* The established connections still take data. */
	ptest_conn_rx_data(&b, "hello", 5);
	PTEST_EXPECT_ACK(&b);
	ptest_conn_rx_data(&conn, "world", 5);
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_readable, 2);
	rte_errno = 0;
	assert_null(ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, &ptest_rec_ops, &x.rec));
	assert_int_equal(rte_errno, ENOSPC);
	ptest_free(t);
}

/* ====================================================================== */
/* Send                                                                  */
/* ====================================================================== */

static void
test_api_send_accepts_up_to_snd_buf(void **state)
{
	/*
	 * Ensure that ptcp_send takes at most snd_buf unacknowledged bytes
	 * (2920 of 5000), returns 0 when full, and an ACK frees space
	 * (on_writable) for more.
	 */
	struct ptcp_stack_conf c = { .snd_buf = 2 * PTEST_MSS };
	struct ptest_ctx *t = established_conf(&c);
	static uint8_t d[5000];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), 2 * PTEST_MSS);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, sizeof(d)), 2 * PTEST_MSS);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), 0);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, sizeof(d)), 0);
	ptest_kick(t);
	PTEST_EXPECT_DATA(&conn, d, PTEST_MSS);
	PTEST_EXPECT_DATA(&conn, d + PTEST_MSS, PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	/* ACK of the first segment frees 1460 bytes. */
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt - PTEST_MSS, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_writable, 1);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), PTEST_MSS);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d + 2 * PTEST_MSS, 2000), PTEST_MSS);
	ptest_kick(t);
	PTEST_EXPECT_DATA(&conn, d + 2 * PTEST_MSS, PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ---- Memory: the send-space promise, the control reserve ---------------- */

static struct rte_mbuf *hoard[8192];
static unsigned int nhoard;

/* Take mbufs out of the test pool until exactly `left` are free. */
static void
pool_drain_to(struct ptest_ctx *t, unsigned int left)
{
	while (rte_mempool_avail_count(t->pool) > left) {
		hoard[nhoard] = rte_pktmbuf_alloc(t->pool);
		assert_non_null(hoard[nhoard]);
		nhoard++;
	}
	assert_int_equal(rte_mempool_avail_count(t->pool), left);
}

static void
pool_refill(void)
{
	rte_pktmbuf_free_bulk(hoard, nhoard);
	nhoard = 0;
}

static void
test_send_space_is_a_promise(void **state)
{
	/*
	 * Ensure that ptcp_send takes all N bytes right after ptcp_send_space
	 * returned N when memory, not snd_buf, sets N: under the stack's budget
	 * (mem_limit 3 mbufs: 3 mbufs of room) and with the pool two mbufs above
	 * its reserve (2 mbufs of room); then the space is 0 and send takes 0.
	 */
	struct ptcp_stack_conf c = { .mem_limit = 3, .mbuf_reserve = 64 };

	/* mem_limit 3 > the two mbufs every connection is guaranteed. */
	struct ptest_ctx *t = established_conf(&c);
	uint32_t room = rte_pktmbuf_data_room_size(t->pool), n;
	static uint8_t d[8 * 2176];

	(void)state;
	assert_true(room * 4 <= sizeof(d));
	n = ptcp_send_space(ptest_conn_c(&conn));
	assert_int_equal(n, 3 * room);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, n), (int32_t)n);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), 0);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, 1), 0);
	assert_true(PTEST_CTR(t, TCP_SND_MEM_LIMITED) >= 1);
	ptest_free(t);

	c = (struct ptcp_stack_conf){ .mbuf_reserve = 64 };
	t = established_conf(&c);
	pool_drain_to(t, 64 + 2);
	n = ptcp_send_space(ptest_conn_c(&conn));
	assert_int_equal(n, 2 * room);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, n), (int32_t)n);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), 0);
	pool_refill();
	ptest_clear(t);
	ptest_free(t);
}

static void
test_control_segments_use_mbuf_reserve(void **state)
{
	/*
	 * Ensure that with the pool down to a quarter of its reserve (16 of 64
	 * mbufs) data waits and control segments still go: the retransmission
	 * at the RTO is refused (DATA_ALLOC_REFUSED, nothing sent), a data
	 * segment from the peer is dropped but ACKed and a segment for a closed
	 * port gets its RST (MBUF_RESERVE_USED), and the retransmission goes
	 * once the pool is back.
	 */
	struct ptcp_stack_conf c = { .mbuf_reserve = 64 };
	struct ptest_ctx *t = established_conf(&c);
	struct ptcp_tcp_seg seg;

	(void)state;
	ptest_conn_send(&conn, "lost", 4);
	ptest_clear(t);                      /* the first transmission is lost */
	pool_drain_to(t, 64 / 4);
	ptest_advance(t, PTCP_MS(1000) + PTEST_SLACK_US);
	PTEST_NOTHING_SENT(t);
	assert_true(PTEST_CTR(t, DATA_ALLOC_REFUSED) >= 1);
	/* In-order data needing an mbuf is dropped at the reserve; the ACK still goes. */
	ptest_conn_rx_data(&conn, "ping", 4);
	conn.rcv_nxt -= 4;
	conn.unread -= 4;
	/* A pure ACK carries SND.MAX, past the 4 lost bytes (the harness's snd_nxt). */
	PTEST_EXPECT(&conn, RTE_TCP_ACK_FLAG, conn.snd_nxt + 4, conn.rcv_nxt, PTEST_WND_ANY, 0,
		     NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = PTEST_RPORT, .dport = 9, .flags = PT_ACK,
					   .seq = 1, .ack = 1 });
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_true(seg.flags & RTE_TCP_RST_FLAG);
	assert_true(PTEST_CTR(t, MBUF_RESERVE_USED) >= 2);
	pool_refill();
	ptest_advance(t, PTCP_MS(2000) + PTEST_SLACK_US);
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 4);
	assert_int_equal(seg.seq, conn.snd_nxt);
	ptest_free(t);
}

static void
test_inorder_dropped_only_with_pool_at_reserve(void **state)
{
	/*
	 * Ensure that in-order data is dropped only when the pool is down to its
	 * reserve, and then only if it would need an mbuf: with 1900 bytes
	 * queued, 10 more fit the queue's tail room and are kept, 1400 do not
	 * and are dropped (TCP_RCV_DROP_MEM 1400), answered by an ACK of the old
	 * RCV.NXT; once the pool is back the retransmission is taken.
	 */
	struct ptcp_stack_conf c = { .mbuf_reserve = 64 };
	struct ptest_ctx *t = established_conf(&c);
	static uint8_t d[1900];
	struct ptcp_tcp_seg seg;
	uint32_t rcv_nxt;

	(void)state;
	ptest_pattern(d, sizeof(d), 7);
	ptest_conn_rx_data(&conn, d, 1900);
	ptest_clear(t);
	pool_drain_to(t, 64);
	ptest_conn_rx_data(&conn, d, 10);
	ptest_clear(t);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 1910);
	rcv_nxt = conn.rcv_nxt;
	ptest_conn_rx(&conn, PT_ACK, rcv_nxt, conn.snd_nxt, d, 1400);
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.ack, rcv_nxt);
	assert_int_equal(PTEST_CTR(t, TCP_RCV_DROP_MEM), 1400);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 1910);
	pool_refill();
	ptest_conn_rx(&conn, PT_ACK, rcv_nxt, conn.snd_nxt, d, 1400);
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.ack, rcv_nxt + 1400);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 3310);
	ptest_free(t);
}

static void
test_send_memory_wait_gets_on_writable(void **state)
{
	/*
	 * Ensure that a writer whose send space memory cut short (mem_limit 4:
	 * two send-queue mbufs unacknowledged and one out-of-order block held
	 * leave room for one more) gets on_writable once memory is back,
	 * without any ACK (our data stays unacknowledged): the gap fills, the
	 * application reads, and the next poll delivers on_writable with two
	 * mbufs of space.
	 */
	struct ptcp_stack_conf c = { .mem_limit = 4, .mem_pressure = 3 };
	struct ptest_ctx *t = established_conf(&c);
	uint32_t room = rte_pktmbuf_data_room_size(t->pool);
	static uint8_t d[2 * 2176];
	uint8_t got[64];

	(void)state;
	assert_true(2 * room <= sizeof(d));
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), d, 2 * room), (int32_t)(2 * room));
	ptest_kick(t);
	ptest_clear(t);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 10, conn.snd_nxt, "abcdefghij", 10);
	ptest_clear(t);
	assert_int_equal(t->st->mem_held, 3);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), room);
	assert_int_equal(PTEST_CTR(t, TCP_SND_MEM_LIMITED), 1);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt, "0123456789", 10);
	ptest_clear(t);
	assert_int_equal(conn.rec.n_writable, 0);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 20);
	assert_int_equal(t->st->mem_held, 2);
	ptest_advance(t, PTCP_MS(2));
	assert_int_equal(conn.rec.n_writable, 1);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), 2 * room);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_send_space_guaranteed_minimum_beyond_limit(void **state)
{
	/*
	 * Ensure that a connection with an empty send queue gets two mbufs of
	 * send space even when the stack holds more than mem_limit (here 1,
	 * held by two out-of-order blocks), so an echo that must send before it
	 * can free receive memory never waits for ever.
	 */
	struct ptcp_stack_conf c = { .mem_limit = 1, .mem_pressure = 1 };
	struct ptest_ctx *t = established_conf(&c);
	uint32_t room = rte_pktmbuf_data_room_size(t->pool);

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 10, conn.snd_nxt, "abcdefghij", 10);
	ptest_clear(t);
	assert_true(t->st->mem_held >= c.mem_limit);
	assert_int_equal(ptcp_send_space(ptest_conn_c(&conn)), 2 * room);
	ptest_free(t);
}

static void
test_api_send_after_shutdown_epipe(void **state)
{
	/* Ensure that ptcp_send after ptcp_shutdown fails with -EPIPE and sends nothing. */
	struct ptest_ctx *t = established();

	(void)state;
	ptest_conn_fin_wait_1(&conn);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), "no", 2), -EPIPE);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_api_send_after_close_epipe(void **state)
{
	/* Ensure that ptcp_send after ptcp_close (connection still lingering) fails with -EPIPE. */
	struct ptest_ctx *t = established();

	(void)state;
	assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
	ptest_kick(t);
	PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_send(ptest_conn_c(&conn), "no", 2), -EPIPE);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Receive and the receive window                                        */
/* ====================================================================== */

static void
test_api_peek_then_consume(void **state)
{
	/*
	 * Ensure that ptcp_peek copies queued bytes without consuming them (the
	 * same bytes twice, readable unchanged) and ptcp_consume then removes
	 * exactly the count given, across received segments.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[200], got[200];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	ptest_conn_rx_data(&conn, d, 100);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx_data(&conn, d + 100, 100);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(ptcp_peek(ptest_conn_c(&conn), got, 150), 150);
	assert_memory_equal(got, d, 150);
	assert_int_equal(ptcp_peek(ptest_conn_c(&conn), got, 150), 150);
	assert_memory_equal(got, d, 150);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 200);
	assert_int_equal(ptcp_consume(ptest_conn_c(&conn), 130), 130);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 70);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 70);
	assert_memory_equal(got, d + 130, 70);
	assert_int_equal(ptcp_consume(ptest_conn_c(&conn), 10), 0);
	ptest_kick(t);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_recv_partial_reads_in_order(void **state)
{
	/* Ensure that ptcp_recv returns bytes in order across partial reads, then 0. */
	struct ptest_ctx *t = established();
	uint8_t d[300], got[300];

	(void)state;
	ptest_pattern(d, sizeof(d), 2);
	for (int i = 0; i < 3; i++) {
		ptest_conn_rx_data(&conn, d + 100 * i, 100);
		PTEST_EXPECT_ACK(&conn);
	}
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 300);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 50), 50);
	assert_int_equal(ptcp_readable(ptest_conn_c(&conn)), 250);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got + 50, 200), 200);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got + 250, 500), 50);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 10), 0);
	assert_memory_equal(got, d, 300);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_2_window_update_after_one_mss(void **state)
{
	/*
	 * Ensure that reading opens the window with an update ACK only once it
	 * grew by min(rcv_buf/2, MSS) = 1460: reading 500 of 3000 sends nothing,
	 * reading 1000 more sends <ACK=RCV.NXT> with window 64035.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[1000], got[1000];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	for (int i = 0; i < 3; i++) {
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_EXPECT_ACK(&conn);
	}
	assert_int_equal(ptest_conn_wnd(&conn), 62535);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 500), 500);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 1000), 1000);
	ptest_kick(t);
	conn.unread -= 1500;
	PTEST_EXPECT_ACK(&conn);   /* window 64035 */
	PTEST_NOTHING_SENT(t);
	/* 100 more bytes read: growth 100 < 1460, no update. */
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 100), 100);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_2_window_update_from_zero_mss(void **state)
{
	/*
	 * Ensure that a closed window (rcv_buf 2920) reopens with an update once 1460 bytes are
	 * read, not at 1459.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 2 * PTEST_MSS };
	struct ptest_ctx *t = established_conf(&c);
	uint8_t d[PTEST_MSS], got[PTEST_MSS];

	(void)state;
	ptest_pattern(d, sizeof(d), 4);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);   /* window 0 */
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, PTEST_MSS - 1), PTEST_MSS - 1);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 1), 1);
	ptest_kick(t);
	conn.unread -= PTEST_MSS;
	PTEST_EXPECT_ACK(&conn);   /* window 1460 */
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_2_2_window_update_half_rcv_buf(void **state)
{
	/*
	 * Ensure that with rcv_buf 2000 the update threshold is rcv_buf/2 = 1000 (< MSS): 999 no,
	 * 1000 yes.
	 */
	struct ptcp_stack_conf c = { .rcv_buf = 2000 };
	struct ptest_ctx *t = established_conf(&c);
	uint8_t d[1000], got[1000];

	(void)state;
	ptest_pattern(d, sizeof(d), 5);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);   /* window 0 */
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 999), 999);
	ptest_kick(t);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, 1), 1);
	ptest_kick(t);
	conn.unread -= 1000;
	PTEST_EXPECT_ACK(&conn);   /* window 1000 */
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

/* ====================================================================== */
/* Stack-wide operations                                                 */
/* ====================================================================== */

static void
test_api_close_all_fins_and_unlistens(void **state)
{
	/* Ensure that ptcp_stack_close_all sends a FIN on every connection and stops listening. */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	static struct ptest_conn c2;
	struct ptcp_tcp_seg s;
	bool seen[2] = { false, false };

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_passive(&conn);
	ptest_conn_init(t, &c2);
	c2.rport = PTEST_RPORT + 1;
	c2.irs = 0x12345678u;
	ptest_conn_syn_received(&c2);
	ptest_conn_rx_ack(&c2);
	PTEST_NOTHING_SENT(t);
	ptcp_stack_close_all(t->st);
	ptest_kick(t);
	for (int i = 0; i < 2; i++) {
		ptest_pop_tcp(t, &s, NULL, 0);
		assert_int_equal(s.flags & ~PT_PSH, PT_FIN | PT_ACK);
		if (s.dport == conn.rport) {
			assert_int_equal(s.seq, conn.snd_nxt);
			assert_int_equal(s.ack, conn.rcv_nxt);
			seen[0] = true;
		} else {
			assert_int_equal(s.dport, c2.rport);
			assert_int_equal(s.seq, c2.snd_nxt);
			assert_int_equal(s.ack, c2.rcv_nxt);
			seen[1] = true;
		}
	}
	assert_true(seen[0] && seen[1]);
	PTEST_NOTHING_SENT(t);
	/* The listener is gone: a new SYN is refused. */
	static struct ptest_conn n;
	ptest_conn_init(t, &n);
	n.rport = PTEST_RPORT + 2;
	ptest_conn_rx(&n, PT_SYN, n.irs, 0, NULL, 0);
	PTEST_EXPECT(&n, PT_RST | PT_ACK, 0, n.irs + 1, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_api_destroy_with_live_connections_no_leak(void **state)
{
	/*
	 * Ensure that destroying a stack with connections holding unread and unacked data returns
	 * every mbuf.
	 */
	struct ptest_ctx *t = established();
	uint8_t d[3000];

	(void)state;
	ptest_pattern(d, sizeof(d), 6);
	ptest_conn_rx_data(&conn, d, 1000);
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_clear(t);
	ptest_free(t);   /* asserts the pool is full again */
}

static void
test_api_counters_add_sums(void **state)
{
	/* Ensure that ptcp_stack_counters_add adds this stack's counters into the array. */
	struct ptest_ctx *t = established();
	uint64_t sum[PTCP_CTR_MAX];

	(void)state;
	for (int i = 0; i < PTCP_CTR_MAX; i++)
		sum[i] = 1;
	ptcp_stack_counters_add(t->st, sum);
	assert_int_equal(sum[PTCP_CTR_TCP_ACCEPTED], 2);
	assert_int_equal(sum[PTCP_CTR_TCP_RX], PTEST_CTR(t, TCP_RX) + 1);
	assert_true(PTEST_CTR(t, TCP_RX) >= 2);
	ptest_free(t);
}

/* ====================================================================== */
/* Pool levels across many connections                                  */
/* ====================================================================== */

static void
test_api_100_passive_connections_no_leak(void **state)
{
	/*
	 * Ensure that 100 passive connections, each exchanging data then closed
	 * by the peer first (CLOSE-WAIT, LAST-ACK), leave no connection and no
	 * mbuf held by the stack.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint8_t d[200], got[200];

	(void)state;
	ptest_pattern(d, sizeof(d), 7);
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	for (int i = 0; i < 100; i++) {
		ptest_conn_init(t, &conn);   /* the listener's recorder is conn.rec */
		conn.rport = (uint16_t)(PTEST_RPORT + i);
		conn.irs = PTEST_PEER_ISN - (uint32_t)i;
		conn.rcv_nxt = conn.irs + 1;
		ptest_conn_syn_received(&conn);
		ptest_conn_rx_ack(&conn);
		assert_int_equal(conn.rec.n_established, 1);
		ptest_conn_rx_data(&conn, d, sizeof(d));
		PTEST_EXPECT_ACK(&conn);
		assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), sizeof(d));
		conn.unread = 0;
		ptest_conn_send(&conn, got, sizeof(got));
		PTEST_EXPECT_DATA(&conn, d, sizeof(d));
		ptest_conn_rx_fin(&conn);
		PTEST_EXPECT_ACK(&conn);
		assert_int_equal(ptcp_close(ptest_conn_c(&conn)), 0);
		ptest_kick(t);
		PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
		conn.snd_nxt++;
		ptest_conn_rx_ack(&conn);
		PTEST_NOTHING_SENT(t);
		assert_int_equal(conn.rec.n_closed, 1);
		assert_int_equal(conn.rec.closed_err, 0);
		assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	}
	assert_int_equal(PTEST_CTR(t, TCP_ACCEPTED), 100);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

static void
test_api_100_active_connections_no_leak(void **state)
{
	/*
	 * Ensure that 100 active opens from ephemeral ports, alternately aborted
	 * and closed first by us (TIME-WAIT), leave no connection and no mbuf
	 * once TIME-WAIT has expired.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	unsigned int closed_ok = 0, aborted = 0;
	static uint16_t ports[100];
	static struct ptest_rec recs[100];

	(void)state;
	for (int i = 0; i < 100; i++) {
		struct ptcp_tcp_seg s;
		struct ptcp_conn *c;

		ptest_conn_init(t, &conn);
		memset(&recs[i], 0, sizeof(recs[i]));
		c = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, &ptest_rec_ops, &recs[i]);
		assert_non_null(c);
		recs[i].conn = c;
		ptest_kick(t);
		ptest_pop_tcp(t, &s, NULL, 0);
		assert_int_equal(s.flags, PT_SYN);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(ports[j], s.sport);   /* all alive or in TIME-WAIT */
		ports[i] = s.sport;
		conn.lport = s.sport;
		conn.rport = 80;
		conn.iss = s.seq;
		conn.snd_nxt = s.seq + 1;
		ptest_conn_rx(&conn, PT_SYN | PT_ACK, conn.irs, conn.snd_nxt, NULL, 0);
		PTEST_EXPECT_ACK(&conn);
		assert_int_equal(recs[i].n_established, 1);
		if (i % 2 == 0) {
			ptcp_abort(c);
			ptest_kick(t);
			PTEST_EXPECT_RST(&conn, conn.snd_nxt);
			assert_int_equal(recs[i].n_closed, 1);
			assert_int_equal(recs[i].closed_err, -ECONNABORTED);
		} else {
			assert_int_equal(ptcp_shutdown(c), 0);
			ptest_kick(t);
			PTEST_EXPECT_FIN(&conn, conn.snd_nxt);
			conn.snd_nxt++;
			ptest_conn_rx_fin(&conn);   /* ACKs our FIN too */
			PTEST_EXPECT_ACK(&conn);
			/* TIME-WAIT: a record; the connection is done for us (on_closed(0)). */
			assert_int_equal(recs[i].n_closed, 1);
			assert_int_equal(recs[i].closed_err, 0);
		}
		PTEST_NOTHING_SENT(t);
	}
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(ptcp_stack_time_wait_count(t->st), 50);
	ptest_advance(t, 2 * PTCP_MS(t->st->conf.msl_ms) + PTEST_SLACK_US);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_time_wait_count(t->st), 0);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(recs[i].n_closed, 1);
		if (recs[i].closed_err == 0)
			closed_ok++;
		else if (recs[i].closed_err == -ECONNABORTED)
			aborted++;
	}
	assert_int_equal(closed_ok, 50);
	assert_int_equal(aborted, 50);
	assert_int_equal(ptest_pool_held(t), 0);
	ptest_free(t);
}

static uint16_t
conn_lport(const struct ptcp_conn *c)
{
	rte_be32_t la, ra;
	uint16_t lp, rp;

	ptcp_conn_tuple(c, &la, &lp, &ra, &rp);
	return lp;
}

static void
test_rfc6056_ephemeral_ports_per_destination_unpredictable(void **state)
{
	/*
	 * Ensure that ephemeral ports follow RFC 6056 algorithm 4: all in
	 * 49152..65535, distinct; consecutive connections to one destination
	 * take consecutive ports from a keyed start, so the ports used towards
	 * one destination say nothing of another's (not one sequential counter
	 * shared by all), and two stacks start at different places.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	uint16_t a[4], b[4];
	struct ptcp_conn *c;

	(void)state;
	/* Not interleaved: two destinations may share a perturbation slot (1 in 256). */
	for (int i = 0; i < 4; i++) {
		c = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, NULL, NULL);
		assert_non_null(c);
		a[i] = conn_lport(c);
	}
	for (int i = 0; i < 4; i++) {
		c = ptcp_connect(t->st, PTEST_PEER_IP, 443, 0, NULL, NULL);
		assert_non_null(c);
		b[i] = conn_lport(c);
	}
	for (int i = 0; i < 4; i++) {
		assert_true(a[i] >= 49152 && b[i] >= 49152);
		if (i > 0) {
			assert_int_equal(a[i], a[i - 1] == 65535 ? 49152 : a[i - 1] + 1);
			assert_int_equal(b[i], b[i - 1] == 65535 ? 49152 : b[i - 1] + 1);
		}
	}
	/* One shared counter would continue a[] (a 1-in-16384 coincidence here). */
	assert_int_not_equal(b[0], a[3] + 1);
	ptest_clear(t);
	ptest_free(t);
	t = ptest_new_tcp(NULL);   /* a new stack, a new key */
	c = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, NULL, NULL);
	assert_non_null(c);
	assert_int_not_equal(conn_lport(c), a[0]);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_connect_rotates_source_addresses(void **state)
{
	/*
	 * Ensure that with conf.ip_count 3, ptcp_connect with port 0 rotates
	 * the source address over our three addresses, each SYN leaves from
	 * the address of its connection, and a SYN-ACK to the second address
	 * completes that connection.
	 */
	struct ptcp_stack_conf conf = { .ip_count = 3 };
	struct ptest_ctx *t = ptest_new_tcp(&conf);
	struct ptcp_conn *c[6];
	struct ptcp_tcp_seg seg;
	rte_be32_t la, ra, seen[3] = { 0 };
	uint32_t iss[6];
	uint16_t lp, rp;
	uint8_t f[256];

	(void)state;
	for (int i = 0; i < 6; i++) {
		c[i] = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, NULL, NULL);
		assert_non_null(c[i]);
		ptcp_conn_tuple(c[i], &la, &lp, &ra, &rp);
		assert_true(rte_be_to_cpu_32(la) - rte_be_to_cpu_32(PTEST_LOCAL_IP) < 3);
		seen[rte_be_to_cpu_32(la) - rte_be_to_cpu_32(PTEST_LOCAL_IP)]++;
		if (i > 0) {
			rte_be32_t pla;
			uint16_t plp;

			ptcp_conn_tuple(c[i - 1], &pla, &plp, &ra, &rp);
			assert_int_not_equal(la, pla);
		}
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(seen[i], 2);
	ptest_kick(t);
	for (int i = 0; i < 6; i++) {
		uint32_t len = ptest_pop_raw(t, f, sizeof(f));
		const struct rte_ipv4_hdr *ih = (const void *)(f + RTE_ETHER_HDR_LEN);

		assert_true(len > RTE_ETHER_HDR_LEN + 40);
		ptcp_conn_tuple(c[i], &la, &lp, &ra, &rp);
		assert_int_equal(ih->src_addr, la);
		assert_int_equal(ptcp_l4_cksum(ih->src_addr, ih->dst_addr, IPPROTO_TCP, ih + 1,
					       len - RTE_ETHER_HDR_LEN - 20), 0);
		iss[i] = rte_be_to_cpu_32(((const struct rte_tcp_hdr *)(ih + 1))->sent_seq);
	}
	ptest_clear(t);
	/* The SYN-ACK for the connection on the second address. */
	for (int i = 0; i < 6; i++) {
		ptcp_conn_tuple(c[i], &la, &lp, &ra, &rp);
		if (la != rte_cpu_to_be_32(rte_be_to_cpu_32(PTEST_LOCAL_IP) + 1))
			continue;
		struct rte_tcp_hdr th = { 0 };

		ptcp_tcp_build(&th, 80, lp, 1000, iss[i] + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			       8192, 0);
		th.cksum = 0;
		th.cksum = ptcp_l4_cksum(PTEST_PEER_IP, la, IPPROTO_TCP, &th, sizeof(th));
		ptest_rx(t, ptest_ipv4_frame(t, PTEST_PEER_IP, la, IPPROTO_TCP, &th, sizeof(th)));
		assert_int_equal(ptcp_conn_state(c[i]), PTCP_TCP_ESTABLISHED);
		uint32_t len = ptest_pop_raw(t, f, sizeof(f));
		const struct rte_ipv4_hdr *ih = (const void *)(f + RTE_ETHER_HDR_LEN);

		assert_int_equal(ih->src_addr, la);
		assert_int_equal(ptcp_tcp_parse(ih + 1, len - RTE_ETHER_HDR_LEN - 20, &seg), 0);
		assert_int_equal(seg.ack, 1001);
		break;
	}
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_connect_source_port_lands_replies_on_own_lcore(void **state)
{
	/*
	 * Ensure that with several lcores (conf.steer, this stack owner 1 of
	 * 3) every port ptcp_connect picks makes the reply's 4-tuple (peer ->
	 * us) hash to this stack, under the symmetric key that RSS and
	 * software steering use; that the ports stay distinct; and that a
	 * given port of a flow another lcore owns is refused (EXDEV).
	 */
	static struct ptcp_steer steer;
	struct ptcp_stack_conf conf = { .steer = &steer, .steer_owner = 1 };
	struct ptest_ctx *t;
	uint8_t key[40], seen[65536 / 8] = { 0 };
	rte_be32_t la, ra;
	uint16_t lp, rp, other = 0;
	struct ptcp_conn *c;

	(void)state;
	ptcp_steer_symmetric_key(key, sizeof(key));
	assert_int_equal(ptcp_steer_init(&steer, key, sizeof(key), 128, 3), 0);
	t = ptest_new_tcp(&conf);
	for (int i = 0; i < 200; i++) {
		c = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, NULL, NULL);
		assert_non_null(c);
		ptcp_conn_tuple(c, &la, &lp, &ra, &rp);
		assert_int_equal(ptcp_steer_owner(&steer, PTEST_PEER_IP, la, 80, lp), 1);
		assert_false(seen[lp / 8] & (1u << (lp % 8)));
		seen[lp / 8] |= (uint8_t)(1u << (lp % 8));
	}
	for (lp = 49152; other == 0; lp++)
		if (ptcp_steer_owner(&steer, PTEST_PEER_IP, PTEST_LOCAL_IP, 80, lp) != 1)
			other = lp;
	assert_null(ptcp_connect(t->st, PTEST_PEER_IP, 80, other, NULL, NULL));
	assert_int_equal(rte_errno, EXDEV);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_consecutive_segments_share_one_lookup(void **state)
{
	/*
	 * Ensure that segments of the connection looked up last skip the table
	 * (TCP_FLOW_CACHE_HIT), and that once the connection is gone (RST) a
	 * segment of the same 4-tuple finds no connection: the cache never
	 * names a connection that left the table.
	 */
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_established(&pc, NULL);
	struct ptcp_tcp_seg seg;
	uint8_t data[100];
	uint64_t hits;

	(void)state;
	pc.rec.auto_read = true;
	ptest_pattern(data, sizeof(data), 7);
	ptest_conn_rx_data(&pc, data, sizeof(data));
	hits = PTEST_CTR(t, TCP_FLOW_CACHE_HIT);
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(PTEST_CTR(t, TCP_FLOW_CACHE_HIT), hits + 1);
	ptest_clear(t);
	ptest_conn_rx(&pc, PT_RST, pc.rcv_nxt, 0, NULL, 0);
	assert_int_equal(pc.rec.n_closed, 1);
	hits = PTEST_CTR(t, TCP_FLOW_CACHE_HIT);
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(PTEST_CTR(t, TCP_FLOW_CACHE_HIT), hits);
	/* The listener's answer to an ACK for no connection (RFC 9293 3.10.7.2). */
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.flags, PT_RST);
	assert_int_equal(pc.rec.rx_len, 2 * sizeof(data));
	ptest_clear(t);
	ptest_free(t);
}

/* A data segment of pc's flow (not yet received): len bytes at rcv_nxt + off. */
static struct rte_mbuf *
burst_seg(struct ptest_conn *pc, uint8_t flags, uint32_t off, const uint8_t *data, uint32_t len)
{
	return ptest_tcp_frame(pc->t, &(struct ptest_seg){ .sport = pc->rport, .dport = pc->lport,
		.seq = pc->rcv_nxt + off, .ack = pc->snd_nxt, .flags = flags, .wnd = pc->peer_wnd,
		.data = data, .len = len });
}

/* Receive pkts[0..n) as one burst, as the port layer does, and flush. */
static void
rx_burst(struct ptest_ctx *t, struct rte_mbuf **pkts, uint16_t n)
{
	ptcp_stack_rx_burst(t->st, pkts, n, t->now);
	ptcp_stack_flush(t->st);
}

static void
test_api_burst_of_distinct_flows_looked_up_together(void **state)
{
	/*
	 * Ensure that one receive burst with segments of three connections, interleaved (A B C
	 * A B, then C A), looks up the three flows once together (TCP_BULK_LOOKUP counts 3, and
	 * each further segment is answered from that lookup or shares its predecessor's), and
	 * that every connection gets exactly its own bytes in order.
	 */
	static struct ptest_conn pc[3];
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct rte_mbuf *pkts[7];
	uint8_t d[3][300];
	static const int order[7] = { 0, 1, 2, 0, 1, 2, 0 };
	uint32_t off[3] = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		ptest_conn_init(t, &pc[i]);
		pc[i].lport = (uint16_t)(PTEST_LPORT + i);   /* a listener, so a recorder, each */
		pc[i].rec.auto_read = true;
		ptest_conn_passive(&pc[i]);
		ptest_pattern(d[i], sizeof(d[i]), (uint8_t)(11 * i + 1));
	}
	ptest_clear(t);
	for (i = 0; i < 7; i++) {
		int k = order[i];
		uint32_t len = k == 0 ? 100 : 150;   /* A: 3 x 100, B and C: 2 x 150 */

		pkts[i] = burst_seg(&pc[k], PT_ACK | PT_PSH, off[k], d[k] + off[k], len);
		off[k] += len;
	}
	assert_int_equal(PTEST_CTR(t, TCP_BULK_LOOKUP), 0);
	rx_burst(t, pkts, 7);
	assert_int_equal(PTEST_CTR(t, TCP_BULK_LOOKUP), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pc[i].rec.rx_len, 300);
		assert_memory_equal(pc[i].rec.rx, d[i], 300);
	}
	assert_int_equal(PTEST_CTR(t, TCP_NO_CONN), 0);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_burst_connection_closed_midway_not_found_later_in_burst(void **state)
{
	/*
	 * Ensure that a connection reset by one segment of a burst is not found by a later
	 * segment of the same flow in that burst (the burst's lookup forgets it): that segment
	 * meets only the listener and draws its RST, and the other flow of the burst is
	 * unaffected.
	 */
	static struct ptest_conn a, b;
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct rte_mbuf *pkts[3];
	struct ptcp_tcp_seg seg;
	uint8_t d[100];

	(void)state;
	ptest_conn_init(t, &a);
	ptest_conn_init(t, &b);
	b.lport = PTEST_LPORT + 1;
	a.rec.auto_read = true;
	b.rec.auto_read = true;
	ptest_conn_passive(&a);
	ptest_conn_passive(&b);
	ptest_clear(t);
	ptest_pattern(d, sizeof(d), 3);
	pkts[0] = burst_seg(&a, PT_RST, 0, NULL, 0);
	pkts[1] = burst_seg(&b, PT_ACK | PT_PSH, 0, d, sizeof(d));
	pkts[2] = burst_seg(&a, PT_ACK | PT_PSH, 0, d, sizeof(d));
	rx_burst(t, pkts, 3);
	assert_int_equal(a.rec.n_closed, 1);
	assert_int_equal(a.rec.rx_len, 0);
	assert_int_equal(b.rec.rx_len, sizeof(d));
	assert_int_equal(b.rec.n_closed, 0);
	/* B's ACK, then A's listener's RST answering the late ACK (RFC 9293 3.10.7.2). */
	ptest_pop_tcp(t, &seg, NULL, 0);
	assert_int_equal(seg.flags, PT_ACK);
	assert_int_equal(seg.dport, b.rport);
	ptest_pop_tcp(t, &seg, NULL, 0);
	assert_int_equal(seg.flags, PT_RST);
	assert_int_equal(seg.dport, a.rport);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_burst_handshake_completed_midway_data_finds_connection(void **state)
{
	/*
	 * Ensure that the handshake ACK and the first data of a new connection in one burst
	 * work: the data, looked up before the ACK created the connection, is still delivered
	 * to it (a connection added during the burst voids the burst's "not found").
	 */
	static struct ptest_conn a;
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct rte_mbuf *pkts[2];
	uint8_t d[64];

	(void)state;
	ptest_conn_init(t, &a);
	a.rec.auto_read = true;
	ptest_conn_listen(&a);
	ptest_conn_syn_received(&a);
	ptest_clear(t);
	ptest_pattern(d, sizeof(d), 5);
	pkts[0] = burst_seg(&a, PT_ACK, 0, NULL, 0);
	pkts[1] = burst_seg(&a, PT_ACK | PT_PSH, 0, d, sizeof(d));
	rx_burst(t, pkts, 2);
	assert_int_equal(a.rec.n_established, 1);
	assert_int_equal(a.rec.rx_len, sizeof(d));
	assert_memory_equal(a.rec.rx, d, sizeof(d));
	assert_int_equal(PTEST_CTR(t, TCP_NO_CONN), 0);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_api_burst_segments_of_one_flow_one_callback_one_output(void **state)
{
	/*
	 * Ensure that four data segments of one connection in one receive burst give the
	 * application one on_readable with all 400 bytes, and that its echo leaves as one
	 * segment carrying the ACK of all four (TCP_OUTPUT_DEFERRED counts the three that
	 * waited).
	 */
	static struct ptest_conn pc;
	/* delayed ACKs on: with quickack every segment owes its ACK at once, nothing waits */
	struct ptcp_stack_conf conf = { .delack_ms = 40 };
	struct ptest_ctx *t;
	struct rte_mbuf *pkts[4];
	struct ptcp_tcp_seg seg;
	uint8_t d[400], got[512];
	unsigned int readable;
	int i;

	(void)state;
	t = ptest_established(&pc, &conf);
	pc.rec.auto_read = true;
	pc.rec.echo = true;
	ptest_pattern(d, sizeof(d), 9);
	for (i = 0; i < 4; i++)
		pkts[i] = burst_seg(&pc, PT_ACK | PT_PSH, 100u * i, d + 100 * i, 100);
	readable = pc.rec.n_readable;
	rx_burst(t, pkts, 4);
	assert_int_equal(pc.rec.n_readable, readable + 1);
	assert_int_equal(pc.rec.rx_len, sizeof(d));
	assert_int_equal(PTEST_CTR(t, TCP_OUTPUT_DEFERRED), 3);
	assert_int_equal(ptest_pop_tcp(t, &seg, got, sizeof(got)), sizeof(d));
	assert_memory_equal(got, d, sizeof(d));
	assert_int_equal(seg.ack, (uint32_t)(pc.rcv_nxt + sizeof(d)));
	assert_int_equal(t->nsent, 0);
	ptest_free(t);
}

static void
test_api_burst_deferred_events_delivered_when_last_segment_dropped(void **state)
{
	/*
	 * Ensure that when the last segment of a flow in a burst never reaches the connection
	 * (a bad checksum), the callbacks and output the first one deferred still happen at
	 * the end of the burst: on_readable with its bytes, and the ACK.
	 */
	static struct ptest_conn pc;
	/* delayed ACKs on: with quickack every segment owes its ACK at once, nothing waits */
	struct ptcp_stack_conf conf = { .delack_ms = 40 };
	struct ptest_ctx *t;
	struct rte_mbuf *pkts[2];
	struct ptcp_tcp_seg seg;
	uint8_t d[200];

	(void)state;
	t = ptest_established(&pc, &conf);
	pc.rec.auto_read = true;
	ptest_pattern(d, sizeof(d), 4);
	pkts[0] = burst_seg(&pc, PT_ACK | PT_PSH, 0, d, 100);
	pkts[1] = ptest_tcp_frame(t, &(struct ptest_seg){ .sport = pc.rport, .dport = pc.lport,
		.seq = pc.rcv_nxt + 100, .ack = pc.snd_nxt, .flags = PT_ACK | PT_PSH,
		.wnd = pc.peer_wnd, .data = d + 100, .len = 100, .bad_cksum = true });
	rx_burst(t, pkts, 2);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_CSUM), 1);
	assert_int_equal(PTEST_CTR(t, TCP_OUTPUT_DEFERRED), 1);
	assert_int_equal(pc.rec.rx_len, 100);
	assert_memory_equal(pc.rec.rx, d, 100);
	ptest_advance(t, 200000);         /* the delayed ACK, if it was delayed */
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.ack, (uint32_t)(pc.rcv_nxt + 100));
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc5681_4_2_burst_out_of_order_segments_each_get_duplicate_ack(void **state)
{
	/*
	 * Ensure that segments of one flow arriving beyond a gap in one receive burst each draw
	 * their own immediate duplicate ACK (RFC 5681 4.2: the sender's fast retransmit counts
	 * them), rather than one ACK for the burst.
	 */
	static struct ptest_conn pc;
	struct ptcp_stack_conf conf = { .delack_ms = 40 };
	struct ptest_ctx *t;
	struct rte_mbuf *pkts[3];
	struct ptcp_tcp_seg seg;
	uint8_t d[400];
	int i;

	(void)state;
	t = ptest_established(&pc, &conf);
	pc.rec.auto_read = true;
	ptest_pattern(d, sizeof(d), 2);
	for (i = 0; i < 3; i++)       /* bytes 100..399: the first 100 are missing */
		pkts[i] = burst_seg(&pc, PT_ACK | PT_PSH, 100u * (i + 1), d + 100 * (i + 1), 100);
	rx_burst(t, pkts, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
		assert_int_equal(seg.ack, pc.rcv_nxt);
	}
	assert_int_equal(t->nsent, 0);
	assert_int_equal(PTEST_CTR(t, TCP_OUTPUT_DEFERRED), 0);
	ptest_free(t);
}

/* ---- Per-connection info ---------------------------------------------------- */

static void
test_api_conn_info_reports_connection_state(void **state)
{
	/*
	 * Ensure that ptcp_conn_info_get reports the connection as it is: ESTABLISHED, its
	 * 4-tuple, no options (the peer offered MSS only), MSS both ways, the initial window
	 * RFC 6928 gives, bytes in flight and queued after a send, the peer's window, the
	 * segments and bytes a timeout retransmitted; and that the formatted line carries them.
	 */
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_established(&pc, NULL);
	struct ptcp_conn_info i;
	uint8_t data[300];
	char line[512];
	int n;

	(void)state;
	ptest_pattern(data, sizeof(data), 3);
	ptest_conn_send(&pc, data, sizeof(data));
	ptcp_conn_info_get(ptest_conn_c(&pc), &i);
	assert_int_equal(i.state, PTCP_TCP_ESTABLISHED);
	assert_int_equal(i.lport, pc.lport);
	assert_int_equal(i.rport, pc.rport);
	assert_int_equal(i.options, 0);
	assert_int_equal(i.snd_mss, PTEST_MSS);
	assert_int_equal(i.rcv_mss, PTEST_MSS);
	assert_int_equal(i.cwnd, 10u * PTEST_MSS);   /* RFC 6928: min(10 MSS, max(2 MSS, 14600)) */
	assert_int_equal(i.flight, sizeof(data));
	assert_int_equal(i.snd_queued, sizeof(data));
	assert_int_equal(i.snd_wnd, pc.peer_wnd);
	assert_int_equal(i.rcv_wnd, pc.rcv_adv - pc.rcv_nxt);
	assert_false(i.in_recovery);
	assert_int_equal(i.rexmits, 0);
	assert_int_equal(i.rexmit_bytes, 0);
	n = ptcp_conn_info_format(&i, line, sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	assert_non_null(strstr(line, "state=ESTABLISHED"));
	assert_non_null(strstr(line, "opts=---"));
	assert_non_null(strstr(line, "flight=300 "));
	/* One retransmission timeout: one segment resent, its segment and bytes counted. */
	ptest_advance(t, i.rto_us + PTEST_SLACK_US);
	ptest_clear(t);
	ptcp_conn_info_get(ptest_conn_c(&pc), &i);
	assert_int_equal(i.rexmits, 1);
	assert_int_equal(i.rexmit_bytes, sizeof(data));
	assert_int_equal(i.nrexmit, 1);
	ptcp_conn_info_format(&i, line, sizeof(line));
	assert_non_null(strstr(line, "rexmits=1 rexmit_bytes=300 rto_run=1 "));
	ptest_free(t);
}

static void
test_api_conn_info_shows_negotiated_options(void **state)
{
	/*
	 * Ensure that a connection whose peer offered window scale 7, SACK-permitted and
	 * timestamps reports all three, the shifts and TS.Recent, and "opts=wts".
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct ptest_conn pc;
	struct ptcp_tcp_opts o = {
		.present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM |
			   PTCP_TCPOPT_F_TS,
		.mss = 1460, .wscale = 7, .tsval = 1000,
	};
	struct ptcp_conn_info i;
	struct ptcp_tcp_seg s;
	char line[512];

	(void)state;
	ptest_conn_init(t, &pc);
	ptest_conn_listen(&pc);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = pc.rport, .dport = pc.lport,
		.seq = pc.irs, .flags = PT_SYN, .wnd = 65535, .opt = &o });
	ptest_pop_tcp(t, &s, NULL, 0);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = pc.rport, .dport = pc.lport,
		.seq = pc.irs + 1, .ack = s.seq + 1, .flags = PT_ACK, .wnd = 512,
		.opt = &(struct ptcp_tcp_opts){ .present = PTCP_TCPOPT_F_TS, .tsval = 1001,
						 .tsecr = s.opt.tsval } });
	assert_non_null(pc.rec.conn);
	ptcp_conn_info_get(pc.rec.conn, &i);
	assert_int_equal(i.options, PTCP_INFO_OPT_WSCALE | PTCP_INFO_OPT_TSTMP |
			 PTCP_INFO_OPT_SACK);
	assert_int_equal(i.snd_wscale, 7);
	assert_int_equal(i.rcv_wscale, 0);
	assert_int_equal(i.snd_wnd, 512u << 7);
	assert_int_equal(i.ts_recent, 1001);
	assert_int_equal(i.snd_mss, 1460 - 12);
	ptcp_conn_info_format(&i, line, sizeof(line));
	assert_non_null(strstr(line, "opts=wts wscale=7/0"));
	ptest_free(t);
}

static void
count_conn(struct ptcp_conn *c, void *arg)
{
	(void)c;
	(*(unsigned int *)arg)++;
}

static void
test_api_conn_foreach_visits_every_connection(void **state)
{
	/* Ensure that ptcp_stack_conn_foreach visits each connection once, and none after it closed. */
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_established(&pc, NULL);
	unsigned int n = 0;

	(void)state;
	assert_int_equal(ptcp_stack_conn_foreach(t->st, count_conn, &n), 1);
	assert_int_equal(n, 1);
	ptest_conn_rx(&pc, PT_RST, pc.rcv_nxt, 0, NULL, 0);
	n = 0;
	assert_int_equal(ptcp_stack_conn_foreach(t->st, count_conn, &n), 0);
	assert_int_equal(n, 0);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_state_names),
		cmocka_unit_test(test_rfc6056_ephemeral_ports_per_destination_unpredictable),
		cmocka_unit_test(test_api_connect_rotates_source_addresses),
		cmocka_unit_test(test_api_consecutive_segments_share_one_lookup),
		cmocka_unit_test(test_api_burst_of_distinct_flows_looked_up_together),
		cmocka_unit_test(test_api_burst_connection_closed_midway_not_found_later_in_burst),
		cmocka_unit_test(test_api_burst_handshake_completed_midway_data_finds_connection),
		cmocka_unit_test(test_api_burst_segments_of_one_flow_one_callback_one_output),
		cmocka_unit_test(test_api_burst_deferred_events_delivered_when_last_segment_dropped),
		cmocka_unit_test(test_rfc5681_4_2_burst_out_of_order_segments_each_get_duplicate_ack),
		cmocka_unit_test(test_api_connect_source_port_lands_replies_on_own_lcore),
		cmocka_unit_test(test_api_listen_twice_eaddrinuse),
		cmocka_unit_test(test_api_unlisten_refuses_new_keeps_established),
		cmocka_unit_test(test_api_set_arg_redirects_callbacks),
		cmocka_unit_test(test_api_send_from_on_established_passive),
		cmocka_unit_test(test_api_send_from_on_established_active_rides_on_ack),
		cmocka_unit_test(test_api_connect_ephemeral_port),
		cmocka_unit_test(test_api_connect_same_tuple_eaddrinuse),
		cmocka_unit_test(test_rfc4987_3_6_max_conns_syn_cookie),
		cmocka_unit_test(test_api_send_accepts_up_to_snd_buf),
		cmocka_unit_test(test_send_space_is_a_promise),
		cmocka_unit_test(test_control_segments_use_mbuf_reserve),
		cmocka_unit_test(test_inorder_dropped_only_with_pool_at_reserve),
		cmocka_unit_test(test_send_memory_wait_gets_on_writable),
		cmocka_unit_test(test_send_space_guaranteed_minimum_beyond_limit),
		cmocka_unit_test(test_api_send_after_shutdown_epipe),
		cmocka_unit_test(test_api_send_after_close_epipe),
		cmocka_unit_test(test_api_recv_partial_reads_in_order),
		cmocka_unit_test(test_api_peek_then_consume),
		cmocka_unit_test(test_rfc9293_3_8_6_2_2_window_update_after_one_mss),
		cmocka_unit_test(test_rfc9293_3_8_6_2_2_window_update_from_zero_mss),
		cmocka_unit_test(test_rfc9293_3_8_6_2_2_window_update_half_rcv_buf),
		cmocka_unit_test(test_api_close_all_fins_and_unlistens),
		cmocka_unit_test(test_api_destroy_with_live_connections_no_leak),
		cmocka_unit_test(test_api_counters_add_sums),
		cmocka_unit_test(test_api_100_passive_connections_no_leak),
		cmocka_unit_test(test_api_100_active_connections_no_leak),
		cmocka_unit_test(test_api_conn_info_reports_connection_state),
		cmocka_unit_test(test_api_conn_info_shows_negotiated_options),
		cmocka_unit_test(test_api_conn_foreach_visits_every_connection),
	};

	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
