/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_syncookie.c - SYN floods (RFC 4987): the SYN cache (compact
 * SYN-RECEIVED entries bounded per listener and per lcore), SYN cookies
 * when it is full or the connection pool is (RFC 4987 3.6), SYN-ACK
 * retransmission limits, the duplicate-SYN rate limit, and that half-open
 * connections never starve active opens or established connections.
 *
 * The cookie function is tested directly too (encode, decode, age, MSS
 * table, forgery) with a fixed key and clock.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "harness.h"
#include "tcp_private.h"

#define S(x)  ((uint64_t)(x) * 1000000u)
#define MS(x) PTCP_MS(x)

static struct ptest_conn conn;
static struct ptest_conn other;

static struct ptest_ctx *
setup_conf(const struct ptcp_stack_conf *c)
{
	struct ptest_ctx *t = ptest_new_tcp(c);

	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	return t;
}

/* n SYNs from peer ports PTEST_RPORT+1+i, what they draw discarded. */
static void
flood(struct ptest_ctx *t, unsigned int n, uint16_t first_port)
{
	for (unsigned int i = 0; i < n; i++) {
		ptest_conn_init(t, &other);
		other.rport = (uint16_t)(first_port + i);
		other.irs = 0x10000000u + i * 7919u;
		ptest_conn_rx(&other, PT_SYN, other.irs, 0, NULL, 0);
	}
	ptest_clear(t);
}

/* The SYN of conn with an MSS option of mss; returns our SYN-ACK (pc fields set). */
static void
syn_mss(struct ptest_conn *pc, uint16_t mss, struct ptcp_tcp_seg *s)
{
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_MSS, .mss = mss };

	ptest_rx_seg(pc->t, &(struct ptest_seg){ .sport = pc->rport, .dport = pc->lport,
		.seq = pc->irs, .flags = PT_SYN, .wnd = pc->peer_wnd, .opt = &o });
	ptest_pop_tcp(pc->t, s, NULL, 0);
	assert_int_equal(s->flags, PT_SYN | PT_ACK);
	assert_int_equal(s->ack, pc->irs + 1);
	pc->iss = s->seq;
	pc->snd_nxt = s->seq + 1;
	pc->rcv_nxt = pc->irs + 1;
	pc->rcv_adv = pc->rcv_nxt + s->wnd;
	PTEST_NOTHING_SENT(pc->t);
}

/* Advance by us in 100 ms steps, timers running at each (a polling loop). */
static void
run_for(struct ptest_ctx *t, uint64_t us)
{
	for (uint64_t done = 0; done < us; done += RTE_MIN(us - done, MS(100)))
		ptest_advance(t, RTE_MIN(us - done, MS(100)));
}

static unsigned int
pool_free(const struct ptest_ctx *t)
{
	return t->st->tcp->nfree;
}

/* ====================================================================== */
/* The SYN cache (RFC 4987 3.5)                                          */
/* ====================================================================== */

static void
test_rfc4987_3_5_syn_takes_no_conn_slot(void **state)
{
	/*
	 * Ensure that a SYN to a listener makes a SYN cache entry (TCP_SYN_QUEUED)
	 * and no connection object: the pool keeps all max_conns free until the
	 * handshake completes, then gives one.
	 */
	struct ptcp_stack_conf c = { .max_conns = 16 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	ptest_conn_syn_received(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_QUEUED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 0);
	assert_int_equal(pool_free(t), 16);
	assert_int_equal(ptcp_tcp_syncache_count(t->st), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(pool_free(t), 15);
	assert_int_equal(ptcp_tcp_syncache_count(t->st), 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc4987_3_5_backlog_bound(void **state)
{
	/*
	 * Ensure that a listener holds at most conf.backlog SYN-RECEIVED entries:
	 * of 10 SYNs with backlog 4, 4 are queued and 6 answered with cookies;
	 * once the entries expire the listener queues again.
	 */
	struct ptcp_stack_conf c = { .backlog = 4 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 10, PTEST_RPORT + 1);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_RX), 10);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_QUEUED), 4);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_BACKLOG_FULL), 6);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 6);
	assert_int_equal(ptcp_stack_conn_count(t->st), 4);
	run_for(t, S(16));
	ptest_clear(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYNCACHE_EXPIRED), 4);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_conn_syn_received(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_QUEUED), 5);
	ptest_free(t);
}

static void
test_rfc4987_3_5_syncache_size_bound(void **state)
{
	/*
	 * Ensure that the per-lcore SYN cache bound holds across listeners:
	 * syncache_size 3, two listeners, the fourth SYN gets a cookie.
	 */
	struct ptcp_stack_conf c = { .syncache_size = 3 };
	struct ptest_ctx *t = setup_conf(&c);
	static struct ptest_rec r2;

	(void)state;
	assert_int_equal(ptcp_listen(t->st, 80, &ptest_rec_ops, &r2), 0);
	flood(t, 2, PTEST_RPORT + 1);
	ptest_conn_init(t, &other);
	other.lport = 80;
	ptest_conn_rx(&other, PT_SYN, other.irs, 0, NULL, 0);
	ptest_conn_rx(&other, PT_SYN, other.irs, 0, NULL, 0);   /* duplicate: no new entry */
	other.rport++;
	ptest_conn_rx(&other, PT_SYN, other.irs, 0, NULL, 0);
	ptest_clear(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_QUEUED), 3);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_BACKLOG_FULL), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	ptest_free(t);
}

static void
test_rfc4987_3_5_synack_retries_limit(void **state)
{
	/*
	 * Ensure that a half-open entry sends its SYN-ACK 1 + synack_retries
	 * times (synack_retries 1: at 0 and 1 s) and is gone 2 s later: the
	 * reflection of a spoofed SYN is bounded.
	 */
	struct ptcp_stack_conf c = { .synack_retries = 1 };
	struct ptest_ctx *t = setup_conf(&c);
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_conn_syn_received(&conn);
	PTEST_EXPECT_SENT_AFTER(t, S(1));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_int_equal(s.seq, conn.iss);
	ptest_advance(t, S(2) - MS(1));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_advance(t, MS(2));
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_advance(t, S(60));
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_REXMIT), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SYNCACHE_EXPIRED), 1);
	ptest_free(t);
}

static void
test_rfc4987_3_5_synack_retries_default_3(void **state)
{
	/* Ensure that synack_retries defaults to 3 (FreeBSD's syncache; 15 s of half-open). */
	struct ptest_ctx *t = setup_conf(NULL);

	(void)state;
	assert_int_equal(t->st->conf.synack_retries, 3);
	assert_int_equal(t->st->conf.backlog, 1024);
	ptest_free(t);
}

static void
test_rfc5961_4_2_dup_syn_synack_rate_limited(void **state)
{
	/*
	 * Ensure that a duplicate SYN in SYN-RECEIVED re-sends the SYN-ACK once
	 * per 500 ms at most: the first at once, the next 100 within 500 ms
	 * unanswered (TCP_SYNACK_DUP_LIMIT), one more after 500 ms.
	 */
	struct ptest_ctx *t = setup_conf(NULL);

	(void)state;
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_SYN | PT_ACK, conn.iss, conn.irs + 1, PTEST_WND, 0, NULL, NULL);
	for (int i = 0; i < 100; i++)
		ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_DUP_RESEND), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_DUP_LIMIT), 100);
	ptest_advance(t, MS(500));
	ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_SYN | PT_ACK, conn.iss, conn.irs + 1, PTEST_WND, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc5961_3_2_syn_received_rst_in_window_challenge_ack(void **state)
{
	/*
	 * Ensure that a RST in the window but not at RCV.NXT in SYN-RECEIVED
	 * draws a challenge ACK <SEQ=ISS+1><ACK=IRS+1> and keeps the entry.
	 */
	struct ptest_ctx *t = setup_conf(NULL);

	(void)state;
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + 10, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, PTEST_WND, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_unacceptable_seq_acked(void **state)
{
	/*
	 * Ensure that the handshake's ACK with a sequence number outside the
	 * window is answered <SEQ=ISS+1><ACK=IRS+1><CTL=ACK> and does not
	 * establish; the right ACK then does.
	 */
	struct ptest_ctx *t = setup_conf(NULL);

	(void)state;
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt - 5, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT(&conn, PT_ACK, conn.snd_nxt, conn.rcv_nxt, PTEST_WND, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc4987_3_5_unlisten_purges_entries(void **state)
{
	/*
	 * Ensure that ptcp_unlisten drops the listener's half-open entries: the
	 * handshake's ACK then gets a RST (no listener), and a new listener on
	 * the port starts with an empty backlog.
	 */
	struct ptcp_stack_conf c = { .backlog = 2 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	assert_int_equal(ptcp_stack_conn_count(t->st), 2);
	assert_int_equal(ptcp_unlisten(t->st, PTEST_LPORT), 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	ptest_conn_listen(&conn);
	flood(t, 2, PTEST_RPORT + 10);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_QUEUED), 4);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* SYN cookies (RFC 4987 3.6)                                            */
/* ====================================================================== */

static void
test_rfc4987_3_6_cookie_when_backlog_full(void **state)
{
	/*
	 * Ensure that with the backlog full a SYN is answered with a SYN-ACK
	 * (MSS option, our window) that leaves no state: TCP_SYN_BACKLOG_FULL,
	 * TCP_COOKIE_SENT, the connection count unchanged, and no retransmission.
	 */
	struct ptcp_stack_conf c = { .backlog = 2 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 2, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);   /* asserts the SYN-ACK's fields */
	assert_int_equal(PTEST_CTR(t, TCP_SYN_BACKLOG_FULL), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 2);
	ptest_clear(t);
	run_for(t, S(20));   /* the 2 entries expire; the cookie never resends */
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_REXMIT), 6);
	ptest_free(t);
}

static void
test_rfc4987_3_6_valid_cookie_ack_establishes(void **state)
{
	/*
	 * Ensure that the ACK of a cookie SYN-ACK creates the connection
	 * ESTABLISHED (TCP_COOKIE_VALID, TCP_ACCEPTED, on_established), sends
	 * nothing, and the connection then carries data both ways.
	 */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	assert_int_equal(PTEST_CTR(t, TCP_ACCEPTED), 1);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	ptest_advance(t, MS(200));
	PTEST_EXPECT_ACK(&conn);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, sizeof(d));
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc4987_3_6_cookie_ack_with_data_delivered(void **state)
{
	/*
	 * Ensure that a third segment carrying data validates the cookie, and
	 * the data is delivered in order and acknowledged.
	 */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);
	uint8_t d[300], got[300];

	(void)state;
	ptest_pattern(d, sizeof(d), 4);
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	ptest_advance(t, MS(200));
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), sizeof(d));
	assert_memory_equal(got, d, sizeof(d));
	ptest_free(t);
}

static void
test_rfc4987_3_6_forged_cookie_ack_gets_rst(void **state)
{
	/*
	 * Ensure that an ACK whose cookie does not validate (one bit flipped)
	 * is answered as any ACK in LISTEN, <SEQ=SEG.ACK><CTL=RST> (RFC 9293
	 * 3.10.7.2, as Linux), counted TCP_COOKIE_INVALID, and makes nothing.
	 */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);
	uint32_t bad;

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	bad = conn.snd_nxt ^ 0x00010000u;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, bad, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, bad, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_INVALID), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 0);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	/* Another peer port with the same numbers does not validate either. */
	conn.rport += 100;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_INVALID), 2);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_free(t);
}

static void
test_rfc4987_3_6_cookie_ack_wrong_seq_rejected(void **state)
{
	/*
	 * Ensure that a cookie validates only on the first segment after the
	 * handshake: the same ACK with SEG.SEQ = IRS+2 is rejected (RST).
	 */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt + 1, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_INVALID), 1);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_free(t);
}

static void
test_rfc4987_3_6_cookie_valid_one_period_later(void **state)
{
	/* Ensure that a cookie still validates 64 s (one counter period) after it was sent. */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	ptest_advance(t, PTCP_SYNCOOKIE_PERIOD_US);
	ptest_clear(t);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc4987_3_6_expired_cookie_rejected(void **state)
{
	/*
	 * Ensure that a cookie older than two counter periods is rejected with
	 * a RST and counted TCP_COOKIE_EXPIRED (cookies still being sent then).
	 */
	struct ptcp_stack_conf c = { .backlog = 1, .synack_retries = 1 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);
	run_for(t, 2 * PTCP_SYNCOOKIE_PERIOD_US);
	ptest_clear(t);
	/* Still under attack: the backlog full again, cookies going out. */
	flood(t, 2, PTEST_RPORT + 100);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 2);
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_EXPIRED), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 0);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_free(t);
}

static void
test_rfc4987_3_6_no_cookie_check_without_cookies_sent(void **state)
{
	/*
	 * Ensure that ACKs to a listener are not checked as cookies unless
	 * cookies were sent within the last two periods: plain RST, no cookie
	 * counter (so stray ACKs are no guesses at the cookie MAC).
	 */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, 12345, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, 12345, 0, PTEST_WND_ANY, 0, NULL, NULL);
	flood(t, 1, PTEST_RPORT + 1);
	ptest_conn_syn_received(&conn);   /* a cookie */
	ptest_advance(t, 2 * PTCP_SYNCOOKIE_PERIOD_US + S(1));
	ptest_clear(t);
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt, 0, PTEST_WND_ANY, 0, NULL, NULL);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_INVALID) + PTEST_CTR(t, TCP_COOKIE_EXPIRED) +
			 PTEST_CTR(t, TCP_COOKIE_VALID), 0);
	ptest_free(t);
}

static void
test_rfc4987_3_6_mss_decoded_from_cookie(void **state)
{
	/*
	 * Ensure that a cookie connection sends segments of the MSS encoded in
	 * the cookie: the SYN's MSS 1400 is encoded as 1300 (the largest table
	 * value not above it), so 3000 bytes go as 1300 + 1300 + 400.
	 */
	struct ptcp_stack_conf c = { .backlog = 1, .nodelay = true };
	struct ptest_ctx *t = setup_conf(&c);
	static uint8_t d[3000];
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_pattern(d, sizeof(d), 9);
	flood(t, 1, PTEST_RPORT + 1);
	syn_mss(&conn, 1400, &s);
	assert_int_equal(s.opt.mss, PTEST_MSS);   /* ours, unchanged */
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_conn_send(&conn, d, sizeof(d));
	PTEST_EXPECT_DATA(&conn, d, 1300);
	PTEST_EXPECT_DATA(&conn, d + 1300, 1300);
	PTEST_EXPECT_DATA(&conn, d + 2600, 400);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc4987_3_6_max_conns_cookie_existing_keep_working(void **state)
{
	/*
	 * Ensure that with the connection pool full (--max-conns reached) a SYN
	 * is answered with a cookie (TCP_SYN_POOL_FULL) even with an empty
	 * backlog, and once a connection closes the same cookie's ACK
	 * establishes.
	 */
	struct ptcp_stack_conf c = { .max_conns = 1 };
	struct ptest_ctx *t = setup_conf(&c);
	static struct ptest_conn x;
	struct ptcp_conn *first;

	(void)state;
	ptest_conn_syn_received(&conn);
	ptest_conn_rx_ack(&conn);
	first = ptest_conn_c(&conn);
	ptest_conn_init(t, &x);
	x.rport = PTEST_RPORT + 5;
	ptest_conn_rx(&x, PT_SYN, x.irs, 0, NULL, 0);
	{
		struct ptcp_tcp_seg s;

		ptest_pop_tcp(t, &s, NULL, 0);
		assert_int_equal(s.flags, PT_SYN | PT_ACK);
		x.iss = s.seq;
		x.snd_nxt = s.seq + 1;
	}
	assert_int_equal(PTEST_CTR(t, TCP_SYN_POOL_FULL), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	/* Full: the cookie's ACK is dropped (counted), nothing sent. */
	ptest_conn_rx_ack(&x);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_ACCEPT_POOL_FULL), 1);
	/* The existing connection works. */
	ptest_conn_rx_data(&conn, "ping", 4);
	ptest_advance(t, MS(200));
	PTEST_EXPECT_ACK(&conn);
	/* It goes; the peer's retransmitted ACK now establishes. */
	ptcp_abort(first);
	ptest_kick(t);
	ptest_clear(t);
	ptest_conn_rx_ack(&x);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 2);
	assert_int_equal(conn.rec.n_established, 2);
	ptest_free(t);
}

static void
test_rfc4987_3_5_active_open_not_starved_by_syn_flood(void **state)
{
	/*
	 * Ensure that 2000 spoofed SYNs (max_conns 8) leave every connection
	 * slot free: ptcp_connect succeeds, at most backlog entries exist, and
	 * the rest were cookies.
	 */
	struct ptcp_stack_conf c = { .max_conns = 8, .backlog = 64 };
	struct ptest_ctx *t = setup_conf(&c);
	struct ptcp_conn *a;

	(void)state;
	for (int round = 0; round < 4; round++)
		flood(t, 500, (uint16_t)(1000 + round * 500));
	assert_int_equal(PTEST_CTR(t, TCP_SYN_RX), 2000);
	/* Queued while the pool could take every pending handshake: 8. */
	assert_int_equal(ptcp_tcp_syncache_count(t->st), 8);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_POOL_FULL), 2000 - 8);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 2000 - 8);
	assert_int_equal(pool_free(t), 8);
	rte_errno = 0;
	a = ptcp_connect(t->st, PTEST_PEER_IP, 80, 0, &ptest_rec_ops, &other.rec);
	assert_non_null(a);
	ptest_free(t);
}

static void
test_rfc4987_3_6_cookie_under_flood_backlog_full(void **state)
{
	/*
	 * Ensure that during a flood filling the backlog a legitimate client's
	 * handshake completes through a cookie and its data is echoed by the
	 * application (auto_read + echo).
	 */
	struct ptcp_stack_conf c = { .backlog = 16 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 200, 2000);
	conn.rec.auto_read = true;
	conn.rec.echo = true;
	ptest_conn_syn_received(&conn);
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_conn_rx_data(&conn, "echo me", 7);
	PTEST_EXPECT_DATA(&conn, "echo me", 7);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	ptest_free(t);
}

#define ALL_OPTS (PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS)

static void
test_rfc4987_3_6_cookie_carries_wscale_and_sack_in_tsval(void **state)
{
	/*
	 * Ensure that with the backlog full a SYN offering window scale 9,
	 * SACK-permitted and timestamps gets a cookie SYN-ACK with all three,
	 * whose TSval (less the offset) holds shift 9 and the SACK bit in its low
	 * 6 bits and is not ahead of the clock; the ACK echoing it makes a
	 * connection with all three (TCP_COOKIE_OPTS): the peer's shift applied
	 * to its windows, ours to our windows, TS.Recent the ACK's TSval.
	 */
	struct ptcp_stack_conf c = { .backlog = 1, .rcv_buf = 1u << 20 };
	struct ptest_ctx *t = setup_conf(&c);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	struct ptcp_conn *pc;
	uint32_t low;

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	conn.peer_opts = ALL_OPTS;
	conn.peer_wscale = 9;
	conn.peer_tsval = 0xfffffff0u;
	ptest_advance(t, MS(37));
	ptest_conn_syn_received(&conn);   /* asserts MSS, WS, SACK-perm, TS (TSecr) */
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	assert_int_equal(conn.rcv_wscale, 5);
	low = conn.ts_echo - ptcp_tcp_ts_offset(t->st, &(struct ptcp_flow){
		.laddr = PTEST_LOCAL_IP, .raddr = PTEST_PEER_IP, .lport = conn.lport,
		.rport = conn.rport });
	assert_int_equal(low & 0x3f, 9 | 0x10);
	assert_true((int32_t)(low - ptcp_tcp_ts_clock(t->st)) <= 0);
	assert_true(ptcp_tcp_ts_clock(t->st) - low < 64);
	ptest_advance(t, MS(5));
	conn.peer_tsval++;
	conn.peer_wnd = 100;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_OPTS), 1);
	pc = ptest_conn_c(&conn);
	assert_true(pc->flags & PTCP_TF_WSCALE);
	assert_true(pc->flags & PTCP_TF_SACK_PERMIT);
	assert_true(pc->flags & PTCP_TF_TSTMP);
	assert_int_equal(pc->snd_wscale, 9);
	assert_int_equal(pc->rcv_wscale, 5);
	assert_int_equal(pc->snd_wnd, 100u << 9);
	assert_int_equal(pc->ts_recent, 0xfffffff1u);
	assert_int_equal(pc->snd_mss, PTEST_MSS - 12);
	/* Data in: the ACK's window is scaled by 5, TSecr the peer's TSval. */
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.ack, conn.rcv_nxt);
	assert_int_equal(s.wnd, ((1u << 20) - sizeof(d) + 31) >> 5);
	assert_int_equal(s.opt.tsecr, 0xfffffff2u);
	ptest_free(t);
}

static void
test_rfc4987_3_6_cookie_without_timestamps_mss_only(void **state)
{
	/*
	 * Ensure that a cookie SYN-ACK to a SYN without timestamps carries MSS
	 * only (a cookie cannot remember window scale or SACK-permitted without
	 * the TSval; RFC 4987 3.6), although the SYN offered both, and that its
	 * ACK makes a connection without them: windows unscaled both ways.
	 */
	struct ptcp_stack_conf c = { .backlog = 1, .rcv_buf = 1u << 20 };
	struct ptest_ctx *t = setup_conf(&c);
	struct ptcp_tcp_opts o = {
		.present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM,
		.mss = 1460, .wscale = 9,
	};
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	struct ptcp_conn *pc;

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .flags = PT_SYN, .wnd = 65535, .opt = &o });
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_SENT), 1);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS);
	conn.snd_nxt = s.seq + 1;
	conn.peer_wnd = 100;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_OPTS), 0);
	pc = ptest_conn_c(&conn);
	assert_false(pc->flags & (PTCP_TF_WSCALE | PTCP_TF_SACK_PERMIT | PTCP_TF_TSTMP));
	assert_int_equal(pc->snd_wnd, 100);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.wnd, 65535 - sizeof(d));   /* unscaled: the SYN-ACK's edge kept */
	assert_int_equal(s.opt.present, 0);
	ptest_free(t);
}

static void
test_rfc4987_3_6_cookie_tsecr_ahead_of_clock_gets_rst(void **state)
{
	/*
	 * Ensure that a cookie ACK whose TSecr (less the offset) is ahead of our
	 * clock, which no TSval of ours can be, is refused with a RST
	 * (TCP_COOKIE_INVALID) though its sequence numbers are a valid cookie.
	 */
	struct ptcp_stack_conf c = { .backlog = 1 };
	struct ptest_ctx *t = setup_conf(&c);

	(void)state;
	flood(t, 1, PTEST_RPORT + 1);
	conn.peer_opts = ALL_OPTS;
	conn.peer_wscale = 2;
	ptest_conn_syn_received(&conn);
	conn.ts_echo += 100000;                      /* 100 s in our future */
	ptest_conn_rx_ack(&conn);
	PTEST_EXPECT_RST(&conn, conn.snd_nxt);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_INVALID), 1);
	assert_int_equal(PTEST_CTR(t, TCP_COOKIE_VALID), 0);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_free(t);
}

/* ====================================================================== */
/* The cookie function                                                   */
/* ====================================================================== */

static const struct ptcp_isn_key key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
static const struct ptcp_flow flow = { .laddr = PTEST_LOCAL_IP, .raddr = PTEST_PEER_IP,
				       .lport = 7, .rport = 40000 };

static void
test_rfc4987_3_6_cookie_roundtrip_mss_table(void **state)
{
	/*
	 * Ensure that every peer MSS decodes to the largest table value not
	 * above it (536 below 1300), across the sequence wrap.
	 */
	static const uint16_t in[] = { 100, 536, 1299, 1300, 1439, 1440, 1459, 1460, 9000 };
	static const uint16_t out[] = { 536, 536, 536, 1300, 1300, 1440, 1440, 1460, 1460 };
	uint64_t now = S(1000);

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(in); i++) {
		uint32_t irs = 0xFFFFFFF0u + i;
		uint32_t iss = ptcp_syncookie_make(&key, &flow, irs, in[i], now);
		uint16_t mss = 0;

		assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, irs, now + S(1), &mss),
				 PTCP_SYNCOOKIE_OK);
		assert_int_equal(mss, out[i]);
		assert_int_equal(ptcp_syncookie_mss(in[i]), out[i]);
	}
}

static void
test_rfc4987_3_6_cookie_age_window(void **state)
{
	/*
	 * Ensure that a cookie made at a period's last microsecond is valid for
	 * that period and the next (age 0 and 1) and expired from the one after.
	 */
	uint64_t t0 = 10 * PTCP_SYNCOOKIE_PERIOD_US - 1;
	uint32_t iss = ptcp_syncookie_make(&key, &flow, 1234, 1460, t0);
	uint16_t mss;

	(void)state;
	assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, 1234, t0, &mss), PTCP_SYNCOOKIE_OK);
	assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, 1234, t0 + 1, &mss),
			 PTCP_SYNCOOKIE_OK);
	assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, 1234,
					      t0 + PTCP_SYNCOOKIE_PERIOD_US, &mss),
			 PTCP_SYNCOOKIE_OK);
	assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, 1234,
					      t0 + PTCP_SYNCOOKIE_PERIOD_US + 1, &mss),
			 PTCP_SYNCOOKIE_EXPIRED);
	assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, 1234,
					      t0 + 100 * PTCP_SYNCOOKIE_PERIOD_US, &mss),
			 PTCP_SYNCOOKIE_EXPIRED);
}

static void
test_rfc4987_3_6_cookie_bound_to_tuple_irs_key(void **state)
{
	/*
	 * Ensure that a cookie fails with another port, address, IRS or key,
	 * that two SYNs with different IRS get different ISS, and that of 4096
	 * random cookies at most a few validate (4 in 2^24 each).
	 */
	const struct ptcp_isn_key key2 = { 1, 2 };
	struct ptcp_flow f2 = flow;
	uint64_t now = S(5000);
	uint32_t iss = ptcp_syncookie_make(&key, &flow, 777, 1460, now);
	unsigned int ok = 0;
	uint16_t mss;

	(void)state;
	assert_int_not_equal(iss, ptcp_syncookie_make(&key, &flow, 778, 1460, now));
	assert_int_equal(ptcp_syncookie_check(&key2, &flow, iss, 777, now, &mss),
			 PTCP_SYNCOOKIE_INVALID);
	assert_int_equal(ptcp_syncookie_check(&key, &flow, iss, 778, now, &mss),
			 PTCP_SYNCOOKIE_INVALID);
	f2.rport++;
	assert_int_equal(ptcp_syncookie_check(&key, &f2, iss, 777, now, &mss),
			 PTCP_SYNCOOKIE_INVALID);
	f2 = flow;
	f2.raddr ^= RTE_BE32(1);
	assert_int_equal(ptcp_syncookie_check(&key, &f2, iss, 777, now, &mss),
			 PTCP_SYNCOOKIE_INVALID);
	for (uint32_t i = 0; i < 4096; i++)
		if (ptcp_syncookie_check(&key, &flow, i * 2654435761u, 777, now, &mss) ==
		    PTCP_SYNCOOKIE_OK)
			ok++;
	assert_true(ok <= 1);
}

static void
test_rfc4987_3_6_cookie_ts_encode_never_ahead_of_clock(void **state)
{
	/*
	 * Ensure that the cookie TSval keeps the options in its low 6 bits and
	 * is never ahead of the clock nor 64 ms or more behind it, for every
	 * clock phase and across 2^32, and that it decodes to what was encoded.
	 */
	static const uint32_t clocks[] = { 0, 5, 63, 64, 1000, 0x7fffffffu, 0xffffffc0u,
					   0xffffffffu };
	unsigned int i, ws, sack;

	(void)state;
	for (i = 0; i < RTE_DIM(clocks); i++)
		for (ws = 0; ws <= 15; ws++)
			for (sack = 0; sack <= 1; sack++) {
				bool ws_ok = ws != 15;   /* 15: the SYN had no window scale */
				uint32_t ts = ptcp_syncookie_ts_encode(clocks[i], ws_ok,
								       (uint8_t)ws, sack);
				struct ptcp_tcp_opts o = { 0 };

				assert_true((int32_t)(ts - clocks[i]) <= 0);
				assert_true(clocks[i] - ts < 64);
				assert_true(ptcp_syncookie_ts_decode(ts, clocks[i], &o));
				assert_true(ptcp_syncookie_ts_decode(ts, clocks[i] + 60000, &o));
				assert_int_equal(!!(o.present & PTCP_TCPOPT_F_SACK_PERM), sack);
				assert_int_equal(!!(o.present & PTCP_TCPOPT_F_WSCALE), ws_ok);
				if (ws_ok)
					assert_int_equal(o.wscale, ws);
			}
}

static void
test_rfc4987_3_6_cookie_ts_decode_rejects_future_and_clamps_shift(void **state)
{
	/*
	 * Ensure that a TSecr ahead of the clock does not decode, that a shift
	 * above 14 is encoded as 14 (RFC 7323 2.3), and that the low bits 0xf
	 * decode as "no window scale".
	 */
	struct ptcp_tcp_opts o = { 0 };
	uint32_t ts;

	(void)state;
	assert_false(ptcp_syncookie_ts_decode(1001, 1000, &o));
	assert_false(ptcp_syncookie_ts_decode(0x00000010u, 0xfffffff0u, &o));   /* wrap */
	assert_true(ptcp_syncookie_ts_decode(0xffffffe0u, 0x00000010u, &o));
	ts = ptcp_syncookie_ts_encode(5000, true, 15, false);
	memset(&o, 0, sizeof(o));
	assert_true(ptcp_syncookie_ts_decode(ts, 5000, &o));
	assert_int_equal(o.wscale, 14);
	memset(&o, 0, sizeof(o));
	assert_true(ptcp_syncookie_ts_decode(64 * 100 + 0xf, 64 * 200, &o));
	assert_int_equal(o.present, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* SYN cache */
		cmocka_unit_test(test_rfc4987_3_5_syn_takes_no_conn_slot),
		cmocka_unit_test(test_rfc4987_3_5_backlog_bound),
		cmocka_unit_test(test_rfc4987_3_5_syncache_size_bound),
		cmocka_unit_test(test_rfc4987_3_5_synack_retries_limit),
		cmocka_unit_test(test_rfc4987_3_5_synack_retries_default_3),
		cmocka_unit_test(test_rfc5961_4_2_dup_syn_synack_rate_limited),
		cmocka_unit_test(test_rfc5961_3_2_syn_received_rst_in_window_challenge_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_unacceptable_seq_acked),
		cmocka_unit_test(test_rfc4987_3_5_unlisten_purges_entries),
		/* SYN cookies */
		cmocka_unit_test(test_rfc4987_3_6_cookie_when_backlog_full),
		cmocka_unit_test(test_rfc4987_3_6_valid_cookie_ack_establishes),
		cmocka_unit_test(test_rfc4987_3_6_cookie_ack_with_data_delivered),
		cmocka_unit_test(test_rfc4987_3_6_forged_cookie_ack_gets_rst),
		cmocka_unit_test(test_rfc4987_3_6_cookie_ack_wrong_seq_rejected),
		cmocka_unit_test(test_rfc4987_3_6_cookie_valid_one_period_later),
		cmocka_unit_test(test_rfc4987_3_6_expired_cookie_rejected),
		cmocka_unit_test(test_rfc4987_3_6_no_cookie_check_without_cookies_sent),
		cmocka_unit_test(test_rfc4987_3_6_mss_decoded_from_cookie),
		cmocka_unit_test(test_rfc4987_3_6_max_conns_cookie_existing_keep_working),
		cmocka_unit_test(test_rfc4987_3_6_cookie_carries_wscale_and_sack_in_tsval),
		cmocka_unit_test(test_rfc4987_3_6_cookie_without_timestamps_mss_only),
		cmocka_unit_test(test_rfc4987_3_6_cookie_tsecr_ahead_of_clock_gets_rst),
		cmocka_unit_test(test_rfc4987_3_5_active_open_not_starved_by_syn_flood),
		cmocka_unit_test(test_rfc4987_3_6_cookie_under_flood_backlog_full),
		/* the cookie function */
		cmocka_unit_test(test_rfc4987_3_6_cookie_roundtrip_mss_table),
		cmocka_unit_test(test_rfc4987_3_6_cookie_age_window),
		cmocka_unit_test(test_rfc4987_3_6_cookie_bound_to_tuple_irs_key),
		cmocka_unit_test(test_rfc4987_3_6_cookie_ts_encode_never_ahead_of_clock),
		cmocka_unit_test(test_rfc4987_3_6_cookie_ts_decode_rejects_future_and_clamps_shift),
	};

	return cmocka_run_group_tests_name("tcp_syncookie", tests, NULL, NULL);
}
