/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_opts.c - option negotiation and use (lib/tcp/tcp_opts.c and its
 * callers): window scale (RFC 7323 2), timestamps with PAWS, TS.Recent,
 * RTTM and the per address pair offset (RFC 7323 3-5), the effective MSS
 * (RFC 9293 3.7.1), SACK-permitted and the receiver's SACK blocks (RFC
 * 2018), D-SACK (RFC 2883), and what TIME-WAIT keeps of them (RFC 7323,
 * RFC 6191). SYN cookies carrying options are in test_tcp_syncookie.c,
 * the option parser's malformed layouts in test_wire.c.
 *
 * The peer's TSval starts just below 2^32 (PEER_TS0) so every
 * timestamp comparison crosses the wrap, as sequence numbers do.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

#define S(x)  ((uint64_t)(x) * 1000000u)
#define MS(x) PTCP_MS(x)

#define ALL_OPTS (PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS)
#define PEER_WS  7
#define PEER_TS0 0xfffffff0u
#define MIB      (1u << 20)

static struct ptest_conn conn;
static struct ptest_conn other;

/* A stack with conf and one connection (active or passive) whose peer offers peer_opts. */
static struct ptest_ctx *
est(const struct ptcp_stack_conf *conf, uint8_t peer_opts, bool active)
{
	struct ptest_ctx *t = ptest_new_tcp(conf);

	ptest_conn_init(t, &conn);
	conn.peer_opts = peer_opts;
	conn.peer_wscale = PEER_WS;
	conn.peer_tsval = PEER_TS0;
	if (active)
		ptest_conn_active(&conn);
	else
		ptest_conn_passive(&conn);
	return t;
}

/* A peer segment on conn's ports acking snd_nxt with options o (NULL: none). */
static void
rx_opt(struct ptest_conn *pc, uint8_t flags, uint32_t seq, const void *data, uint32_t len,
       const struct ptcp_tcp_opts *o)
{
	ptest_rx_seg(pc->t, &(struct ptest_seg){ .sport = pc->rport, .dport = pc->lport,
		.seq = seq, .ack = pc->snd_nxt, .flags = flags, .wnd = pc->peer_wnd,
		.data = data, .len = len, .opt = o });
}

/* A peer segment with timestamps tsval and TSecr = conn's last echo. */
static void
rx_ts(struct ptest_conn *pc, uint8_t flags, uint32_t seq, const void *data, uint32_t len,
      uint32_t tsval)
{
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_TS, .tsval = tsval,
				   .tsecr = pc->ts_echo };

	rx_opt(pc, flags, seq, data, len, &o);
}

/* A frame from the peer whose TCP options are the raw bytes opt[0..n) (n % 4 == 0). */
static void
rx_raw_opts(struct ptest_conn *pc, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
	    const uint8_t *opt, uint32_t n)
{
	uint8_t l4[PTCP_TCP_MAX_HDR_LEN];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

	memcpy(l4 + PTCP_TCP_HDR_LEN, opt, n);
	ptcp_tcp_build(l4, pc->rport, pc->lport, seq, ack, flags, wnd, n);
	th->cksum = 0;
	th->cksum = ptcp_l4_cksum(PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_TCP, l4,
				  PTCP_TCP_HDR_LEN + n);
	ptest_rx(pc->t, ptest_ipv4_frame(pc->t, PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_TCP,
					 l4, PTCP_TCP_HDR_LEN + n));
}

/* Our TSval now for c: the 1 ms clock plus the connection's offset (RFC 7323 5.4). */
static uint32_t
our_tsval(struct ptcp_conn *c)
{
	return ptcp_tcp_ts_clock(c->st) + c->ts_offset;
}

/* Pop one segment of ours, asserting it is a pure ACK of rcv_nxt; returns it in s. */
static void
pop_ack(struct ptest_conn *pc, struct ptcp_tcp_seg *s)
{
	ptest_pop_tcp(pc->t, s, NULL, 0);
	assert_int_equal(s->flags & ~RTE_TCP_PSH_FLAG, PT_ACK);
	assert_int_equal(s->ack, pc->rcv_nxt);
	assert_int_equal(s->len, 0);
	if (s->opt.present & PTCP_TCPOPT_F_TS)
		pc->ts_echo = s->opt.tsval;
}

/* ---- Window scale (RFC 7323 2) ------------------------------------------ */

static void
test_rfc7323_2_2_wscale_only_if_both_syns_carry_it(void **state)
{
	/*
	 * Ensure that when the peer's SYN (passive) or SYN-ACK (active) has no
	 * window scale option, our SYN-ACK carries none, and windows are unscaled
	 * both ways: SND.WND is the raw field, ours is at most 65535 though the
	 * buffer (1 MiB, shift 5 offered) is larger.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB };
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;
	int active;

	(void)state;
	for (active = 0; active <= 1; active++) {
		struct ptest_ctx *t = est(&cf, PTCP_TCPOPT_F_TS | PTCP_TCPOPT_F_SACK_PERM,
					  active);

		c = ptest_conn_c(&conn);
		assert_false(c->flags & PTCP_TF_WSCALE);
		assert_true(c->flags & PTCP_TF_TSTMP);
		assert_int_equal(c->snd_wscale, 0);
		assert_int_equal(c->rcv_wscale, 0);
		assert_int_equal(PTEST_CTR(t, TCP_OPT_WSCALE), 0);
		conn.peer_wnd = 1000;
		conn.peer_tsval++;
		ptest_conn_rx_data(&conn, d, sizeof(d));
		pop_ack(&conn, &s);
		assert_int_equal(c->snd_wnd, 1000);          /* the raw field */
		/* 1 MiB free, said unscaled: the right edge of the SYN-ACK's 65535 kept */
		assert_int_equal(s.wnd, 65535 - sizeof(d));
		assert_int_equal(c->rcv_adv, conn.rcv_nxt - sizeof(d) + 65535);
		PTEST_NOTHING_SENT(t);
		ptest_free(t);
	}
}

static void
test_rfc7323_2_2_wscale_not_offered_when_turned_off(void **state)
{
	/*
	 * Ensure that with conf.no_wscale our SYN (active) offers no window
	 * scale and our SYN-ACK (passive) answers a peer's offer without it: the
	 * peer's windows are then taken unscaled.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB, .no_wscale = true };
	struct ptcp_conn *c;
	int active;

	(void)state;
	for (active = 0; active <= 1; active++) {
		struct ptest_ctx *t = est(&cf, ALL_OPTS, active);

		/* the fixtures asserted our SYN / SYN-ACK options: no F_WSCALE */
		c = ptest_conn_c(&conn);
		assert_false(c->flags & PTCP_TF_WSCALE);
		assert_true(c->flags & PTCP_TF_SACK_PERMIT);
		conn.peer_wnd = 3;
		conn.peer_tsval++;
		ptest_conn_rx_ack(&conn);
		assert_int_equal(c->snd_wnd, 3);
		ptest_free(t);
	}
}

static void
test_rfc7323_2_3_shift_above_14_used_as_14(void **state)
{
	/*
	 * Ensure that a peer's SYN with a shift of 15 (sent as raw option bytes:
	 * our builder cannot say it) gives a connection whose SND.WND is the
	 * window field << 14.
	 */
	static const uint8_t syn_opts[] = {
		PTCP_TCPOPT_MSS, 4, 0x05, 0xb4,
		PTCP_TCPOPT_NOP, PTCP_TCPOPT_WSCALE, 3, 15,
	};
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	rx_raw_opts(&conn, PT_SYN, conn.irs, 0, 65535, syn_opts, sizeof(syn_opts));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE);
	conn.snd_nxt = s.seq + 1;
	conn.peer_wnd = 3;
	ptest_conn_rx_ack(&conn);
	c = ptest_conn_c(&conn);
	assert_int_equal(ptcp_conn_state(c), PTCP_TCP_ESTABLISHED);
	assert_int_equal(c->snd_wscale, 14);
	assert_int_equal(c->snd_wnd, 3u << 14);
	ptest_free(t);
}

static void
test_rfc7323_2_2_syn_window_never_scaled(void **state)
{
	/*
	 * Ensure that SYN windows are never scaled: our SYN and SYN-ACK say
	 * 65535 for a 1 MiB buffer (not 1 MiB >> 5), and the window of the
	 * peer's SYN-ACK is taken as is although it offers shift 7; the next
	 * segment's window is scaled.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB };
	struct ptest_ctx *t = ptest_new_tcp(&cf);
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_opts = PTCP_TCPOPT_F_WSCALE;
	conn.peer_wscale = PEER_WS;
	ptest_conn_syn_sent(&conn);   /* asserts our SYN's window: 65535 */
	c = ptest_conn_c(&conn);
	assert_int_equal(c->rcv_wscale, 5);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .ack = conn.snd_nxt, .flags = PT_SYN | PT_ACK, .wnd = 1000,
		.opt = &(struct ptcp_tcp_opts){
			.present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE, .mss = 1460,
			.wscale = PEER_WS } });
	assert_int_equal(ptcp_conn_state(c), PTCP_TCP_ESTABLISHED);
	assert_int_equal(c->snd_wnd, 1000);              /* not 1000 << 7 */
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_ACK);
	assert_int_equal(s.wnd, MIB >> 5);               /* the ACK's window is scaled */
	conn.rcv_nxt = conn.irs + 1;
	conn.peer_wnd = 1000;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(c->snd_wnd, 1000u << PEER_WS);
	ptest_free(t);

	/* Passive: our SYN-ACK says 65535 too (asserted by the fixture). */
	t = est(&cf, PTCP_TCPOPT_F_WSCALE, false);
	assert_int_equal(ptest_conn_c(&conn)->rcv_wscale, 5);
	ptest_free(t);
}

static void
test_rfc7323_2_2_syn_received_ack_window_scaled(void **state)
{
	/*
	 * Ensure that the ACK a SYN cache entry sends in SYN-RECEIVED (here to a
	 * segment outside the window) carries the SYN-ACK's window scaled by our
	 * shift, not the unscaled 65535 the peer would read << 5 as 2 MiB for a
	 * 1 MiB buffer, and timestamps.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB };
	struct ptest_ctx *t = ptest_new_tcp(&cf);
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_opts = ALL_OPTS;
	conn.peer_wscale = PEER_WS;
	conn.peer_tsval = PEER_TS0;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	assert_int_equal(conn.rcv_wscale, 5);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt - 5, conn.snd_nxt, NULL, 0);
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_ACK);
	assert_int_equal(s.seq, conn.snd_nxt);
	assert_int_equal(s.ack, conn.rcv_nxt);
	assert_int_equal(s.wnd, 65535 >> 5);
	assert_true(s.opt.present & PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.tsecr, PEER_TS0);
	PTEST_NOTHING_SENT(t);
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc7323_2_3_scaled_window_above_65535(void **state)
{
	/*
	 * Ensure that with a 1 MiB buffer our shift is 5 and, once data arrives,
	 * the ACK's window field << 5 exceeds 65535 and equals the free buffer
	 * rounded up to 32; data 100000 bytes ahead (beyond any unscaled window)
	 * is inside the window and held out of order.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB };
	struct ptest_ctx *t = est(&cf, ALL_OPTS, false);
	static uint8_t d[1000];
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c = ptest_conn_c(&conn);
	uint32_t edge;

	(void)state;
	assert_true(c->flags & PTCP_TF_WSCALE);
	assert_int_equal(c->rcv_wscale, 5);
	assert_int_equal(c->snd_wscale, PEER_WS);
	assert_int_equal(PTEST_CTR(t, TCP_OPT_WSCALE), 1);
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	assert_int_equal(s.wnd, (MIB - sizeof(d) + 31) >> 5);
	assert_true((uint32_t)s.wnd << 5 > 65535);
	assert_int_equal(c->rcv_adv, conn.rcv_nxt + ((uint32_t)s.wnd << 5));
	edge = conn.rcv_nxt + ((uint32_t)s.wnd << 5);
	/* Beyond 65535 and inside the scaled window: held, answered by a duplicate ACK. */
	rx_ts(&conn, PT_ACK, conn.rcv_nxt + 100000, d, sizeof(d), ++conn.peer_tsval);
	pop_ack(&conn, &s);
	assert_non_null(c->ooo_head);
	assert_int_equal(c->ooo_bytes, sizeof(d));
	/* Beyond the scaled right edge: not held. */
	rx_ts(&conn, PT_ACK, edge + 10, d, sizeof(d), ++conn.peer_tsval);
	pop_ack(&conn, &s);
	assert_int_equal(c->ooo_bytes, sizeof(d));
	ptest_free(t);
}

static void
test_rfc7323_2_4_window_right_edge_never_moves_left_with_scaling(void **state)
{
	/*
	 * Ensure that with shift 3 and an application that never reads, while
	 * odd-sized segments fill the buffer, the right edge the connection
	 * honours (rcv_adv) never moves left, each announced edge (ACK + field
	 * << 3) lies less than 8 bytes before it (RFC 7323 2.4 retraction, never
	 * beyond it), and the window closes having taken less than 8 bytes more
	 * than the buffer.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = 300000 };   /* shift 3 */
	struct ptest_ctx *t = est(&cf, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static uint8_t d[999];
	struct ptcp_tcp_seg s;
	uint32_t prev = c->rcv_adv, edge, got = 0;
	unsigned int i;

	(void)state;
	assert_int_equal(c->rcv_wscale, 3);
	for (i = 0; i < 1000 && c->rcv_adv != conn.rcv_nxt; i++) {
		uint32_t len = RTE_MIN((uint32_t)sizeof(d), c->rcv_adv - conn.rcv_nxt);

		conn.peer_tsval++;
		ptest_conn_rx_data(&conn, d, len);
		got += len;
		pop_ack(&conn, &s);
		edge = s.ack + ((uint32_t)s.wnd << 3);
		assert_true(ptcp_seq_ge(c->rcv_adv, prev));
		assert_true(ptcp_seq_le(edge, c->rcv_adv));
		assert_true(c->rcv_adv - edge < 8);
		prev = c->rcv_adv;
	}
	assert_int_equal(c->rcv_adv, conn.rcv_nxt);    /* closed */
	assert_true(got >= cf.rcv_buf && got - cf.rcv_buf < 8);
	assert_int_equal(got, conn.unread);
	ptest_free(t);
}

static void
test_rfc7323_2_4_one_byte_segments_cannot_hold_scaled_window_open(void **state)
{
	/*
	 * Ensure that a peer filling the last 63 bytes of the window with 1-byte
	 * segments (shift 3, an application that never reads) sees it close
	 * after at most 63 of them: kept right edges are not rounded up again at
	 * each ACK (which kept it open forever), so what the connection takes
	 * stays within the buffer plus 7 bytes.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = 300000 };
	struct ptest_ctx *t = est(&cf, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static uint8_t d[1400];
	struct ptcp_tcp_seg s;
	uint32_t room = 65535, got = 0, ones = 0;

	(void)state;
	while (room != 0 && ones < 10000) {
		uint32_t len = room > 64 ? RTE_MIN(room - 63, (uint32_t)sizeof(d)) : 1;

		ones += len == 1;
		conn.peer_tsval++;
		ptest_conn_rx_data(&conn, d, len);
		got += len;
		pop_ack(&conn, &s);
		room = ((uint32_t)s.wnd << 3) + s.ack - conn.rcv_nxt;
	}
	assert_int_equal(room, 0);
	assert_true(ones <= 63);                       /* the bytes left when they began */
	assert_true(got + 8 > cf.rcv_buf && got < cf.rcv_buf + 8);
	assert_int_equal(c->rcvq_bytes, got);
	ptest_free(t);
}

static void
test_rfc7323_2_2_simultaneous_open_synack_carries_agreed_options(void **state)
{
	/*
	 * Ensure that in a simultaneous open the SYN-ACK we send from
	 * SYN-RECEIVED carries what both SYNs carried (our shift, SACK-permitted,
	 * TSecr = the peer SYN's TSval) with an unscaled window, and that the
	 * connection then scales the peer's windows; a peer SYN without options
	 * gets a SYN-ACK with MSS only.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB };
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_MSS | ALL_OPTS, .mss = 1460,
				   .wscale = PEER_WS, .tsval = PEER_TS0 };
	struct ptest_ctx *t;
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;
	int bare;

	(void)state;
	for (bare = 0; bare <= 1; bare++) {
		t = ptest_new_tcp(&cf);
		ptest_conn_init(t, &conn);
		ptest_conn_syn_sent(&conn);
		c = ptest_conn_c(&conn);
		ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
			.seq = conn.irs, .flags = PT_SYN, .wnd = 1000,
			.opt = bare ? NULL : &o });
		ptest_pop_tcp(t, &s, NULL, 0);
		assert_int_equal(s.flags, PT_SYN | PT_ACK);
		assert_int_equal(s.seq, conn.iss);
		assert_int_equal(s.wnd, 65535);
		assert_int_equal(ptcp_conn_state(c), PTCP_TCP_SYN_RECEIVED);
		if (bare) {
			assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS);
			assert_false(c->flags & (PTCP_TF_WSCALE | PTCP_TF_TSTMP |
						 PTCP_TF_SACK_PERMIT));
			ptest_free(t);
			continue;
		}
		assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | ALL_OPTS);
		assert_int_equal(s.opt.wscale, 5);
		assert_int_equal(s.opt.tsecr, PEER_TS0);
		assert_int_equal(c->snd_wnd, 1000);
		rx_ts(&conn, PT_ACK, conn.irs + 1, NULL, 0, PEER_TS0 + 1);
		assert_int_equal(ptcp_conn_state(c), PTCP_TCP_ESTABLISHED);
		assert_int_equal(c->snd_wnd, (uint32_t)conn.peer_wnd << PEER_WS);
		assert_int_equal(c->ts_recent, PEER_TS0 + 1);
		ptest_free(t);
	}
}

/* ---- Timestamps (RFC 7323 3-5) ------------------------------------------ */

static void
test_rfc7323_3_2_timestamps_only_if_syn_carried_them(void **state)
{
	/*
	 * Ensure that when the peer's SYN (passive) or SYN-ACK (active) has no
	 * timestamps, none of our later segments carries them, the peer's
	 * segments without them are accepted, one with them later is taken with
	 * the option ignored, and the send MSS is not reduced.
	 */
	static const uint8_t d[10];
	struct ptcp_tcp_seg s;
	struct ptcp_conn *c;
	int active;

	(void)state;
	for (active = 0; active <= 1; active++) {
		struct ptest_ctx *t = est(NULL, PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM,
					  active);

		c = ptest_conn_c(&conn);
		assert_false(c->flags & PTCP_TF_TSTMP);
		assert_int_equal(c->snd_mss, PTEST_MSS);
		assert_int_equal(PTEST_CTR(t, TCP_OPT_TSTMP), 0);
		ptest_conn_rx_data(&conn, d, sizeof(d));
		pop_ack(&conn, &s);
		assert_false(s.opt.present & PTCP_TCPOPT_F_TS);
		assert_int_equal(conn.rec.n_readable, 1);
		ptest_conn_send(&conn, d, sizeof(d));
		ptest_pop_tcp(t, &s, NULL, 0);
		assert_int_equal(s.len, sizeof(d));
		assert_int_equal(s.opt.present, 0);
		/* RFC 7323 3.2: a TSopt on a connection without them is ignored. */
		conn.snd_nxt += sizeof(d);
		rx_ts(&conn, PT_ACK | PT_PSH, conn.rcv_nxt, d, sizeof(d), 12345);
		conn.rcv_nxt += sizeof(d);
		pop_ack(&conn, &s);
		assert_int_equal(s.opt.present, 0);
		assert_int_equal(conn.rec.n_readable, 2);
		assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP) + PTEST_CTR(t, TCP_TS_MISSING), 0);
		ptest_free(t);
	}
}

static void
test_rfc7323_3_2_timestamps_not_offered_when_turned_off(void **state)
{
	/*
	 * Ensure that with conf.no_timestamps a peer offering timestamps gets a
	 * SYN-ACK without them (passive; our SYN offers none, active) and our
	 * segments carry none.
	 */
	struct ptcp_stack_conf cf = { .no_timestamps = true };
	static const uint8_t d[10];
	struct ptcp_tcp_seg s;
	int active;

	(void)state;
	for (active = 0; active <= 1; active++) {
		struct ptest_ctx *t = est(&cf, ALL_OPTS, active);

		assert_false(ptest_conn_c(&conn)->flags & PTCP_TF_TSTMP);
		ptest_conn_rx_data(&conn, d, sizeof(d));
		pop_ack(&conn, &s);
		assert_int_equal(s.opt.present, 0);
		ptest_free(t);
	}
}

static void
test_rfc7323_3_2_every_segment_carries_ts(void **state)
{
	/*
	 * Ensure that with timestamps agreed our ACKs, data segments and FIN all
	 * carry TSval = clock + offset and TSecr = TS.Recent (the peer's last
	 * in-sequence TSval, crossing 2^32), and a RST carries no options.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[10];
	struct ptcp_tcp_seg s;
	uint32_t i;

	(void)state;
	assert_int_equal(PTEST_CTR(t, TCP_OPT_TSTMP), 1);
	assert_int_equal(c->ts_recent, PEER_TS0);
	for (i = 0; i < 40; i += 8) {
		ptest_advance(t, MS(3));
		conn.peer_tsval = PEER_TS0 + i;   /* ... 0xfffffff8, 0, 8, ... */
		ptest_conn_rx_data(&conn, d, sizeof(d));
		pop_ack(&conn, &s);
		assert_int_equal(s.opt.present, PTCP_TCPOPT_F_TS);
		assert_int_equal(s.opt.tsecr, PEER_TS0 + i);
		assert_int_equal(s.opt.tsval, our_tsval(c));
		assert_int_equal(c->ts_recent, PEER_TS0 + i);
	}
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.len, sizeof(d));
	assert_true(s.opt.present & PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.tsecr, c->ts_recent);
	assert_int_equal(s.opt.tsval, our_tsval(c));
	conn.snd_nxt += sizeof(d);
	assert_int_equal(ptcp_shutdown(c), 0);
	ptest_kick(t);
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_FIN | PT_ACK);
	assert_true(s.opt.present & PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.tsecr, c->ts_recent);
	ptcp_abort(c);
	ptest_kick(t);
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_true(s.flags & PT_RST);
	assert_int_equal(s.opt.present, 0);
	assert_int_equal(s.hdr_len, PTCP_TCP_HDR_LEN);
	ptest_free(t);
}

static void
test_rfc7323_3_2_segment_without_ts_dropped(void **state)
{
	/*
	 * Ensure that once timestamps are agreed a data segment or ACK without
	 * them is dropped silently (TCP_TS_MISSING: no data, no ACK), while a RST
	 * without them is still processed.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[10];

	(void)state;
	rx_opt(&conn, PT_ACK | PT_PSH, conn.rcv_nxt, d, sizeof(d), NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TS_MISSING), 1);
	assert_int_equal(conn.rec.n_readable, 0);
	assert_int_equal(c->rcv_nxt, conn.rcv_nxt);
	/* Only the TS option missing: the same segment with it is taken. */
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(conn.rec.n_readable, 1);
	rx_opt(&conn, PT_RST, conn.rcv_nxt, NULL, 0, NULL);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	assert_int_equal(PTEST_CTR(t, TCP_TS_MISSING), 1);
	ptest_free(t);
}

static void
test_rfc7323_4_3_ts_recent_updated_only_at_or_below_last_ack_sent(void **state)
{
	/*
	 * Ensure that TS.Recent takes a segment's TSval only when the segment
	 * starts at or before Last.ACK.sent: with delayed ACKs, of two in-order
	 * segments the ACK echoes the first one's TSval (RFC 7323 4.3, the
	 * delayed-ACK case); an out-of-order segment with a newer TSval does not
	 * move it; the segment filling the hole does.
	 */
	struct ptcp_stack_conf cf = { .delack_ms = 40 };
	struct ptest_ctx *t = est(&cf, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static uint8_t d[PTEST_MSS];
	struct ptcp_tcp_seg s;
	uint32_t hole;

	(void)state;
	conn.peer_tsval = PEER_TS0 + 10;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	assert_int_equal(c->ts_recent, PEER_TS0 + 10);
	PTEST_NOTHING_SENT(t);                         /* ACK delayed */
	conn.peer_tsval = PEER_TS0 + 20;
	ptest_conn_rx_data(&conn, d, sizeof(d));       /* beyond Last.ACK.sent */
	pop_ack(&conn, &s);                            /* every second full segment */
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 10);
	assert_int_equal(c->ts_recent, PEER_TS0 + 10);
	/* A hole: the segment beyond it has a newer TSval; the duplicate ACK echoes the old. */
	hole = conn.rcv_nxt;
	rx_ts(&conn, PT_ACK, hole + 100, d, 100, PEER_TS0 + 30);
	pop_ack(&conn, &s);
	assert_int_equal(s.ack, hole);
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 10);
	assert_int_equal(c->ts_recent, PEER_TS0 + 10);
	/* The hole filled (at Last.ACK.sent): its TSval is taken. */
	rx_ts(&conn, PT_ACK, hole, d, 100, PEER_TS0 + 40);
	conn.rcv_nxt = hole + 200;
	conn.unread += 200;
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 40);
	assert_int_equal(c->ts_recent, PEER_TS0 + 40);
	ptest_free(t);
}

static void
test_rfc7323_5_3_paws_drops_old_tsval_and_acks(void **state)
{
	/*
	 * Ensure that an in-window segment whose TSval is older than TS.Recent
	 * is dropped (TCP_PAWS_DROP, data not taken) and answered by an ACK,
	 * at most one per 500 ms (TCP_OOW_ACK_LIMIT); a TSval newer across
	 * 2^32 is not old.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[10];
	struct ptcp_tcp_seg s;

	(void)state;
	conn.peer_tsval = PEER_TS0 + 100;   /* 0x54 after the wrap */
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	assert_int_equal(c->ts_recent, PEER_TS0 + 100);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 0);
	rx_ts(&conn, PT_ACK, conn.rcv_nxt, d, sizeof(d), PEER_TS0 + 99);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 1);
	pop_ack(&conn, &s);
	assert_int_equal(s.seq, conn.snd_nxt);
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 100);
	assert_int_equal(c->rcv_nxt, conn.rcv_nxt);
	assert_int_equal(conn.rec.n_readable, 1);
	/* Another at once: dropped, its ACK rate-limited. */
	rx_ts(&conn, PT_ACK, conn.rcv_nxt, d, sizeof(d), PEER_TS0);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 2);
	assert_int_equal(PTEST_CTR(t, TCP_OOW_ACK_LIMIT), 1);
	PTEST_NOTHING_SENT(t);
	ptest_advance(t, MS(500));
	rx_ts(&conn, PT_ACK, conn.rcv_nxt, d, sizeof(d), PEER_TS0);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 3);
	pop_ack(&conn, &s);
	assert_int_equal(c->rcv_nxt, conn.rcv_nxt);
	/* Equal to TS.Recent is not old (RFC 7323 5.3 R1: "less than"). */
	conn.peer_tsval = PEER_TS0 + 100;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	assert_int_equal(conn.rec.n_readable, 2);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 3);
	ptest_free(t);
}

static void
test_rfc7323_5_3_paws_not_applied_to_rst(void **state)
{
	/* Ensure that a RST in sequence with a TSval older than TS.Recent still resets. */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);

	(void)state;
	conn.peer_tsval = PEER_TS0 + 100;
	ptest_conn_rx_ack(&conn);
	rx_ts(&conn, PT_RST, conn.rcv_nxt, NULL, 0, PEER_TS0 + 1);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 0);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNRESET);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc7323_5_5_ts_recent_invalid_after_24_days(void **state)
{
	/*
	 * Ensure that after 24 days idle TS.Recent is no reference: a segment
	 * with an older TSval is accepted and its TSval becomes TS.Recent;
	 * 24 days to the second is not yet idle enough (the segment is dropped).
	 * The age is counted in 1.05 s ticks: 3 s more are beyond any rounding.
	 */
	struct ptcp_stack_conf cf = { .arp_timeout_ms = UINT32_MAX };   /* 49 days */
	struct ptest_ctx *t = est(&cf, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[10];
	struct ptcp_tcp_seg s;

	(void)state;
	conn.peer_tsval = PEER_TS0 + 1000;
	ptest_conn_rx_ack(&conn);
	ptest_advance(t, S(24u * 86400u));
	rx_ts(&conn, PT_ACK, conn.rcv_nxt, d, sizeof(d), PEER_TS0);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 1);
	pop_ack(&conn, &s);
	ptest_advance(t, S(3));
	conn.peer_tsval = PEER_TS0;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 1);
	assert_int_equal(conn.rec.n_readable, 1);
	assert_int_equal(c->ts_recent, PEER_TS0);
	assert_int_equal(s.opt.tsecr, PEER_TS0);
	ptest_free(t);
}

static void
test_rfc7323_4_rtt_sample_from_tsecr_after_retransmission(void **state)
{
	/*
	 * Ensure that an ACK for retransmitted data takes an RTT sample from its
	 * TSecr (now - TSecr: the retransmission's TSval echoed 30 ms later gives
	 * 30 ms, TCP_RTT_TS_SAMPLE) where Karn's rule gives none, and that data
	 * never retransmitted is timed without it.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	uint32_t srtt, rttvar, want;
	int n = 0;

	(void)state;
	/* Never retransmitted: timed by the clock, no timestamp sample. */
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	conn.ts_echo = s.opt.tsval;
	conn.snd_nxt += sizeof(d);
	ptest_advance(t, MS(10));
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_RTT_TS_SAMPLE), 0);
	/* Lost and resent by the RTO. */
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	conn.snd_nxt += sizeof(d);
	while (t->nsent == 0 && n++ < 5000)
		ptest_advance(t, MS(1));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.seq, conn.snd_nxt - sizeof(d));
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	assert_int_equal(s.opt.tsval, our_tsval(c));
	conn.ts_echo = s.opt.tsval;
	srtt = c->srtt_us;
	rttvar = c->rttvar_us;
	ptest_advance(t, MS(30));
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_RTT_TS_SAMPLE), 1);
	want = srtt - srtt / 8 + 30000u / 8;
	if (!(c->flags & PTCP_TF_RTT_VALID))
		want = 30000u;
	assert_int_equal(c->srtt_us, want);
	assert_int_equal(c->rttvar_us, rttvar - rttvar / 4 +
			 (srtt > 30000u ? srtt - 30000u : 30000u - srtt) / 4);
	ptest_free(t);
}

static void
test_rfc7323_5_4_tsval_offset_same_for_address_pair_and_advances_1ms(void **state)
{
	/*
	 * Ensure that two connections with the same peer address get the same
	 * TSval at the same instant (one offset per address pair, not per
	 * connection), that TSval advances by 1 per millisecond, and that the
	 * offset differs for another peer address.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	struct ptcp_tcp_seg a, b;
	struct ptcp_flow f;
	uint32_t off;

	(void)state;
	ptest_conn_init(t, &conn);
	conn.peer_opts = PTCP_TCPOPT_F_TS;
	conn.peer_tsval = PEER_TS0;
	ptest_conn_passive(&conn);
	ptest_conn_init(t, &other);
	other.lport = PTEST_LPORT + 1;   /* a listener of its own (its recorder) */
	other.rport = PTEST_RPORT + 1;
	other.irs = 12345;
	other.rcv_nxt = other.irs + 1;
	other.peer_opts = PTCP_TCPOPT_F_TS;
	other.peer_tsval = 777;
	ptest_conn_passive(&other);
	assert_int_equal(ptest_conn_c(&conn)->ts_offset, ptest_conn_c(&other)->ts_offset);
	off = ptest_conn_c(&conn)->ts_offset;

	ptest_advance(t, MS(7));
	ptcp_conn_set_nodelay(ptest_conn_c(&conn), true);
	ptest_conn_send(&conn, "a", 1);
	ptest_conn_send(&other, "b", 1);
	ptest_pop_tcp(t, &a, NULL, 0);
	ptest_pop_tcp(t, &b, NULL, 0);
	assert_int_equal(a.opt.tsval, b.opt.tsval);
	assert_int_equal(a.opt.tsval, (uint32_t)(t->now / 1000) + off);
	ptest_advance(t, MS(1));
	conn.snd_nxt++;
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, "c", 1);
	ptest_pop_tcp(t, &b, NULL, 0);
	assert_int_equal(b.opt.tsval, a.opt.tsval + 1);

	f = ptest_conn_c(&conn)->flow;
	f.raddr = PTEST_OTHER_IP;
	assert_int_not_equal(ptcp_tcp_ts_offset(t->st, &f), off);
	f.raddr = PTEST_PEER_IP;
	f.rport = 1;
	f.lport = 2;
	assert_int_equal(ptcp_tcp_ts_offset(t->st, &f), off);
	ptest_free(t);
}

static void
test_rfc9293_3_7_1_effective_mss_less_timestamp_option(void **state)
{
	/*
	 * Ensure that with timestamps full-size data segments carry MSS - 12
	 * payload bytes (the option is in every segment, RFC 9293 3.7.1) so the
	 * IP datagram is exactly the MTU, and MSS bytes without timestamps.
	 */
	static uint8_t d[3 * PTEST_MSS];
	struct ptcp_tcp_seg s;
	int ts;

	(void)state;
	for (ts = 0; ts <= 1; ts++) {
		struct ptest_ctx *t = est(NULL, ts ? ALL_OPTS : PTCP_TCPOPT_F_SACK_PERM, false);
		uint32_t seg = ts ? PTEST_MSS - PTCP_TCP_OPTS_TS_LEN : PTEST_MSS;

		assert_int_equal(ptest_conn_c(&conn)->snd_mss, seg);
		ptest_conn_send(&conn, d, 2 * seg);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(ptest_pop_tcp(t, &s, NULL, 0), seg);
			assert_int_equal(s.hdr_len + s.len, PTEST_MSS + PTCP_TCP_HDR_LEN);
		}
		PTEST_NOTHING_SENT(t);
		ptest_free(t);
	}
}

/* ---- SACK (RFC 2018) and D-SACK (RFC 2883) ---------------------------- */

static void
test_rfc2018_2_sack_permitted_only_if_both_syns(void **state)
{
	/*
	 * Ensure that SACK-permitted is agreed only when both SYNs carry it:
	 * a peer without it (passive: the SYN-ACK has none; active: its SYN-ACK
	 * has none), and conf.no_sack, leave the connection without it.
	 */
	struct ptcp_stack_conf nosack = { .no_sack = true };
	int active;

	(void)state;
	for (active = 0; active <= 1; active++) {
		struct ptest_ctx *t = est(NULL, PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_TS, active);

		assert_false(ptest_conn_c(&conn)->flags & PTCP_TF_SACK_PERMIT);
		assert_int_equal(PTEST_CTR(t, TCP_OPT_SACK_PERMIT), 0);
		ptest_free(t);
		t = est(&nosack, ALL_OPTS, active);
		assert_false(ptest_conn_c(&conn)->flags & PTCP_TF_SACK_PERMIT);
		ptest_free(t);
		t = est(NULL, ALL_OPTS, active);
		assert_true(ptest_conn_c(&conn)->flags & PTCP_TF_SACK_PERMIT);
		assert_int_equal(PTEST_CTR(t, TCP_OPT_SACK_PERMIT), 1);
		ptest_free(t);
	}
}

/* Out-of-order data [rcv_nxt + off, + len) from conn; returns our duplicate ACK. */
static void
rx_ooo(struct ptest_conn *pc, uint32_t off, uint32_t len, struct ptcp_tcp_seg *s)
{
	static uint8_t d[PTEST_MSS];

	if (pc->ts_on)
		rx_ts(pc, PT_ACK, pc->rcv_nxt + off, d, len, ++pc->peer_tsval);
	else
		rx_opt(pc, PT_ACK, pc->rcv_nxt + off, d, len, NULL);
	pop_ack(pc, s);
}

static void
assert_block(const struct ptcp_tcp_seg *s, unsigned int i, uint32_t left, uint32_t right)
{
	assert_true(s->opt.present & PTCP_TCPOPT_F_SACK);
	assert_true(i < s->opt.nsack);
	assert_int_equal(s->opt.sack[i].left, left);
	assert_int_equal(s->opt.sack[i].right, right);
}

static void
test_rfc2018_4_first_block_holds_triggering_segment(void **state)
{
	/*
	 * Ensure that the first SACK block of each duplicate ACK is the block
	 * holding the segment that triggered it (merged with what it touches),
	 * followed by the other held blocks (TCP_SACK_TX per ACK).
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_tcp_seg s;
	uint32_t r = conn.rcv_nxt;

	(void)state;
	rx_ooo(&conn, 1000, 100, &s);
	assert_int_equal(s.opt.nsack, 1);
	assert_block(&s, 0, r + 1000, r + 1100);
	rx_ooo(&conn, 3000, 100, &s);
	assert_int_equal(s.opt.nsack, 2);
	assert_block(&s, 0, r + 3000, r + 3100);
	assert_block(&s, 1, r + 1000, r + 1100);
	rx_ooo(&conn, 1100, 100, &s);                  /* extends the lower block */
	assert_int_equal(s.opt.nsack, 2);
	assert_block(&s, 0, r + 1000, r + 1200);
	assert_block(&s, 1, r + 3000, r + 3100);
	rx_ooo(&conn, 2000, 100, &s);                  /* a third, between them */
	assert_int_equal(s.opt.nsack, 3);
	assert_block(&s, 0, r + 2000, r + 2100);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_TX), 4);
	/* The hole filled up to the middle block: it is acknowledged, the rest SACKed. */
	rx_ts(&conn, PT_ACK, r, (uint8_t[1000]){ 0 }, 1000, ++conn.peer_tsval);
	conn.rcv_nxt = r + 1200;
	conn.unread += 1200;
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.nsack, 2);
	assert_block(&s, 0, r + 3000, r + 3100);
	assert_block(&s, 1, r + 2000, r + 2100);
	ptest_free(t);
}

static void
test_rfc2018_4_sack_blocks_on_data_segment_fit_the_mss(void **state)
{
	/*
	 * Ensure that a data segment sent while out-of-order data is held
	 * carries SACK blocks only as far as the segment stays within the
	 * peer's MSS (the IP datagram within the MTU): with 20 bytes to spare, 2
	 * blocks; a full-sized segment none, and the pure ACK after it 3.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static uint8_t d[3 * PTEST_MSS];
	struct ptcp_tcp_seg s;
	uint32_t mss = c->snd_mss, i;

	(void)state;
	ptcp_conn_set_nodelay(c, true);
	for (i = 1; i <= 3; i++)
		rx_ooo(&conn, i * 1000, 10, &s);
	ptest_conn_send(&conn, d, mss - 20);
	assert_int_equal(ptest_pop_tcp(t, &s, NULL, 0), mss - 20);
	assert_int_equal(s.opt.nsack, 2);
	assert_true(s.hdr_len + s.len <= PTEST_MSS + PTCP_TCP_HDR_LEN);
	conn.snd_nxt += mss - 20;
	conn.ts_echo = s.opt.tsval;
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	ptest_conn_send(&conn, d, mss);
	assert_int_equal(ptest_pop_tcp(t, &s, NULL, 0), mss);
	assert_false(s.opt.present & PTCP_TCPOPT_F_SACK);
	assert_int_equal(s.hdr_len + s.len, PTEST_MSS + PTCP_TCP_HDR_LEN);
	conn.snd_nxt += mss;
	rx_ooo(&conn, 4000, 10, &s);
	assert_int_equal(s.opt.nsack, 3);
	ptest_free(t);
}

static void
test_rfc2018_4_three_blocks_with_timestamps_four_without(void **state)
{
	/*
	 * Ensure that with five held blocks an ACK carries 3 SACK blocks when
	 * timestamps take 12 option bytes and 4 without them, the triggering
	 * segment's block first.
	 */
	struct ptcp_tcp_seg s;
	int ts;

	(void)state;
	for (ts = 0; ts <= 1; ts++) {
		struct ptest_ctx *t = est(NULL, ts ? ALL_OPTS : PTCP_TCPOPT_F_SACK_PERM, false);
		uint32_t r = conn.rcv_nxt, i;

		for (i = 1; i <= 5; i++)
			rx_ooo(&conn, i * 1000, 10, &s);
		assert_int_equal(s.opt.nsack, ts ? 3 : 4);
		assert_int_equal(s.hdr_len, PTCP_TCP_HDR_LEN + (ts ? 40 : 36));
		assert_block(&s, 0, r + 5000, r + 5010);
		rx_ooo(&conn, 1010, 10, &s);           /* the lowest block grows: it is first */
		assert_int_equal(s.opt.nsack, ts ? 3 : 4);
		assert_block(&s, 0, r + 1000, r + 1020);
		ptest_free(t);
	}
}

static void
test_rfc2018_2_no_sack_blocks_without_permission(void **state)
{
	/*
	 * Ensure that without SACK-permitted agreed (the peer did not offer it)
	 * duplicate ACKs for out-of-order data carry no SACK option, and a
	 * duplicate segment draws no D-SACK.
	 */
	struct ptest_ctx *t = est(NULL, PTCP_TCPOPT_F_TS | PTCP_TCPOPT_F_WSCALE, false);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;

	(void)state;
	rx_ooo(&conn, 1000, 100, &s);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_TS);
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	rx_ts(&conn, PT_ACK, conn.rcv_nxt - sizeof(d), d, sizeof(d), ++conn.peer_tsval);
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_TS);
	assert_int_equal(PTEST_CTR(t, TCP_SACK_TX), 0);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 0);
	ptest_free(t);
}

static void
test_rfc2883_4_dsack_reports_duplicate_segment_once(void **state)
{
	/*
	 * Ensure that a duplicate of data already acknowledged draws an ACK whose
	 * first SACK block is the duplicate range (D-SACK, TCP_DSACK_TX), both for
	 * a full duplicate and for the duplicate part of a segment overlapping
	 * RCV.NXT, ahead of the out-of-order blocks, and only once.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	uint32_t r;

	(void)state;
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	assert_false(s.opt.present & PTCP_TCPOPT_F_SACK);
	r = conn.rcv_nxt;
	/* A full duplicate below RCV.NXT. */
	rx_ts(&conn, PT_ACK, r - 100, d, 100, conn.peer_tsval);
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.nsack, 1);
	assert_block(&s, 0, r - 100, r);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 1);
	PTEST_NOTHING_SENT(t);
	/* The next ACK does not report it again. */
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	assert_false(s.opt.present & PTCP_TCPOPT_F_SACK);
	r = conn.rcv_nxt;
	/* Out-of-order data held, then a segment overlapping RCV.NXT by 50 bytes. */
	rx_ooo(&conn, 1000, 100, &s);
	rx_ts(&conn, PT_ACK, r - 50, d, 100, ++conn.peer_tsval);
	conn.rcv_nxt += 50;
	conn.unread += 50;
	pop_ack(&conn, &s);
	assert_int_equal(s.ack, r + 50);
	assert_int_equal(s.opt.nsack, 2);
	assert_block(&s, 0, r - 50, r);
	assert_block(&s, 1, r + 1000, r + 1100);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 2);
	ptest_free(t);
}

static void
test_rfc2883_4_1_3_dsack_for_duplicate_out_of_order_segment(void **state)
{
	/*
	 * Ensure that a duplicate of data held out of order draws an ACK whose
	 * first block is the duplicated range (D-SACK) and whose second is the
	 * held block containing it (RFC 2883 4: "the second SACK block ... should
	 * specify that (possibly larger) block"), even when both are the same
	 * range, for a full and a partial duplicate.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_tcp_seg s;
	uint32_t r = conn.rcv_nxt;

	(void)state;
	rx_ooo(&conn, 1000, 100, &s);
	rx_ooo(&conn, 3000, 100, &s);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 0);
	rx_ooo(&conn, 1000, 100, &s);                  /* the same segment again */
	assert_int_equal(s.ack, r);
	assert_int_equal(s.opt.nsack, 3);
	assert_block(&s, 0, r + 1000, r + 1100);
	assert_block(&s, 1, r + 1000, r + 1100);
	assert_block(&s, 2, r + 3000, r + 3100);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 1);
	rx_ooo(&conn, 3050, 150, &s);                  /* half old, half new */
	assert_int_equal(s.opt.nsack, 3);
	assert_block(&s, 0, r + 3050, r + 3100);
	assert_block(&s, 1, r + 3000, r + 3200);
	assert_block(&s, 2, r + 1000, r + 1100);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 2);
	ptest_free(t);
}

static void
test_rfc2883_4_dsack_not_repeated_on_later_segments(void **state)
{
	/*
	 * Ensure that a D-SACK block goes out once: the ACK answering the
	 * duplicate carries it, and the retransmission the RTO sends later (with
	 * room for options, no new segment in between) does not carry it again.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	uint32_t r;
	int n = 0;

	(void)state;
	conn.peer_tsval++;
	ptest_conn_rx_data(&conn, d, sizeof(d));
	pop_ack(&conn, &s);
	r = conn.rcv_nxt;
	ptest_conn_send(&conn, d, 10);                 /* in flight, never acknowledged */
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.len, 10);
	rx_ts(&conn, PT_ACK, r - 100, d, 100, conn.peer_tsval);   /* acks only up to snd_nxt */
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.nsack, 1);
	assert_block(&s, 0, r - 100, r);
	while (t->nsent == 0 && n++ < 5000)
		ptest_advance(t, MS(1));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.seq, conn.snd_nxt);
	assert_int_equal(s.len, 10);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	assert_false(s.opt.present & PTCP_TCPOPT_F_SACK);
	assert_int_equal(PTEST_CTR(t, TCP_DSACK_TX), 1);
	ptest_free(t);
}

/* ---- TIME-WAIT (RFC 7323, RFC 6191) ------------------------------------ */

/* A connection with all options through our close to TIME-WAIT. */
static struct ptest_ctx *
tw_setup(const struct ptcp_stack_conf *conf)
{
	struct ptest_ctx *t = est(conf, ALL_OPTS, false);

	conn.peer_tsval = PEER_TS0 + 100;
	ptest_conn_time_wait(&conn);
	return t;
}

static void
test_rfc7323_3_2_time_wait_ack_carries_timestamps(void **state)
{
	/*
	 * Ensure that the ACK a retransmitted FIN draws in TIME-WAIT carries
	 * timestamps: TSval from the address pair's clock, TSecr the FIN's
	 * (newer) TSval.
	 */
	struct ptest_ctx *t = tw_setup(NULL);
	struct ptcp_flow f = { .laddr = PTEST_LOCAL_IP, .raddr = PTEST_PEER_IP,
			       .lport = PTEST_LPORT, .rport = PTEST_RPORT };
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_advance(t, MS(20));
	rx_ts(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, NULL, 0, PEER_TS0 + 200);
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 200);
	assert_int_equal(s.opt.tsval, ptcp_tcp_ts_clock(t->st) + ptcp_tcp_ts_offset(t->st, &f));
	assert_int_equal(s.seq, conn.snd_nxt);
	ptest_free(t);
}

static void
test_rfc7323_5_3_time_wait_paws_drops_old_segment(void **state)
{
	/*
	 * Ensure that in TIME-WAIT a segment with a TSval older than TS.Recent is
	 * dropped by PAWS (TCP_PAWS_DROP) and answered by a rate-limited ACK,
	 * not taken as the FIN's retransmission (TCP_TW_FIN_REACK unchanged).
	 */
	struct ptest_ctx *t = tw_setup(NULL);
	uint64_t reack = PTEST_CTR(t, TCP_TW_FIN_REACK);
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_advance(t, MS(600));
	rx_ts(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, NULL, 0, PEER_TS0 + 50);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 1);
	pop_ack(&conn, &s);
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 100);
	rx_ts(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, NULL, 0, PEER_TS0 + 50);
	assert_int_equal(PTEST_CTR(t, TCP_PAWS_DROP), 2);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_TW_FIN_REACK), reack);
	ptest_free(t);
}

static void
test_rfc7323_2_3_time_wait_scaled_window_kept(void **state)
{
	/*
	 * Ensure that a TIME-WAIT record keeps the scaled windows: its ACK
	 * carries the window field of the connection's last ACK (shift 5, the
	 * field << 5 above 65535), text beyond 65535 but inside that window is
	 * acceptable, and an ACK within the peer's scaled MAX.SND.WND (shift 7)
	 * draws no challenge.
	 */
	struct ptcp_stack_conf cf = { .rcv_buf = MIB };
	struct ptest_ctx *t = est(&cf, ALL_OPTS, false);
	static const uint8_t d[10];
	struct ptcp_tcp_seg s;
	uint64_t oow, bad;
	uint16_t last;

	(void)state;
	conn.peer_tsval = PEER_TS0 + 100;
	ptest_conn_fin_wait_2(&conn);
	ptest_conn_rx_fin(&conn);
	pop_ack(&conn, &s);
	last = s.wnd;
	assert_true((uint32_t)last << 5 > 65535);
	assert_int_equal(ptcp_stack_time_wait_count(t->st), 1);
	ptest_advance(t, MS(600));
	rx_ts(&conn, PT_FIN | PT_ACK, conn.rcv_nxt - 1, NULL, 0, PEER_TS0 + 101);
	pop_ack(&conn, &s);
	assert_int_equal(s.wnd, last);
	oow = PTEST_CTR(t, TCP_OUT_OF_WINDOW);
	bad = PTEST_CTR(t, TCP_BAD_ACK);
	/* Text 100000 bytes on is inside the scaled window: acceptable (and ignored). */
	rx_ts(&conn, PT_ACK, conn.rcv_nxt + 100000, d, sizeof(d), PEER_TS0 + 102);
	assert_int_equal(PTEST_CTR(t, TCP_TEXT_AFTER_FIN), sizeof(d));
	assert_int_equal(PTEST_CTR(t, TCP_OUT_OF_WINDOW), oow);
	/* An ACK 100000 bytes back is within the peer's scaled MAX.SND.WND: no challenge. */
	conn.snd_nxt -= 100000;
	rx_ts(&conn, PT_ACK, conn.rcv_nxt, NULL, 0, PEER_TS0 + 103);
	conn.snd_nxt += 100000;
	assert_int_equal(PTEST_CTR(t, TCP_BAD_ACK), bad);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc6191_2_time_wait_reuse_when_tsval_newer(void **state)
{
	/*
	 * Ensure that in TIME-WAIT a SYN whose TSval is newer than TS.Recent
	 * opens a new connection even with an ISN below the old RCV.NXT (RFC
	 * 6191), while one with an older TSval does not, whatever its ISN.
	 */
	struct ptest_ctx *t = tw_setup(NULL);
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_TS,
				   .mss = 1460 };
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_advance(t, MS(600));
	/* Older TSval, ISN beyond the old connection: not reused. */
	o.tsval = PEER_TS0 + 99;
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.rcv_nxt + 100000, .flags = PT_SYN, .wnd = 65535, .opt = &o });
	if (t->nsent) {
		ptest_pop_tcp(t, &s, NULL, 0);
		assert_int_equal(s.flags, PT_ACK);     /* the TIME-WAIT ACK, not a SYN-ACK */
	}
	assert_int_equal(ptcp_stack_time_wait_count(t->st), 1);
	/* Newer TSval, ISN below RCV.NXT: a new incarnation. */
	ptest_advance(t, MS(600));
	o.tsval = PEER_TS0 + 101;
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.rcv_nxt - 100000, .flags = PT_SYN, .wnd = 65535, .opt = &o });
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_int_equal(s.ack, conn.rcv_nxt - 100000 + 1);
	assert_true(s.opt.present & PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.tsecr, PEER_TS0 + 101);
	assert_int_equal(ptcp_stack_time_wait_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc8985_min_rtt_not_from_timestamp_sample(void **state)
{
	/*
	 * Ensure that a timestamp RTT sample (1 ms ticks: an echo within the same
	 * millisecond reads 1 us) updates SRTT but not RACK.min_RTT, which keeps the
	 * microsecond measurement: a 1 us minimum would close the reordering window.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	uint32_t min_rtt;
	int n = 0;

	(void)state;
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	conn.ts_echo = s.opt.tsval;
	conn.snd_nxt += sizeof(d);
	ptest_advance(t, MS(10));
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	/* The handshake's sample is ~0 on the synthetic clock: a 10 ms path's minimum. */
	c->rack_min_rtt_us = min_rtt = 10000;
	/* Lost and resent by the RTO; its echo comes back within the millisecond. */
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	conn.snd_nxt += sizeof(d);
	while (t->nsent == 0 && n++ < 5000)
		ptest_advance(t, MS(1));
	ptest_pop_tcp(t, &s, NULL, 0);
	conn.ts_echo = s.opt.tsval;
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_RTT_TS_SAMPLE), 1);
	assert_int_equal(c->rack_min_rtt_us, min_rtt);
	ptest_free(t);
}

static void
test_rfc7323_4_echo_from_the_future_is_no_rtt_sample(void **state)
{
	/*
	 * Ensure that an ACK of retransmitted data whose TSecr is ahead of our
	 * timestamp clock gives no RTT sample (SRTT unchanged) and is counted.
	 */
	struct ptest_ctx *t = est(NULL, ALL_OPTS, false);
	struct ptcp_conn *c = ptest_conn_c(&conn);
	static const uint8_t d[100];
	struct ptcp_tcp_seg s;
	uint32_t srtt;
	int n = 0;

	(void)state;
	ptest_conn_send(&conn, d, sizeof(d));
	ptest_pop_tcp(t, &s, NULL, 0);
	conn.snd_nxt += sizeof(d);
	while (t->nsent == 0 && n++ < 5000)
		ptest_advance(t, MS(1));
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(PTEST_CTR(t, TCP_RTO), 1);
	srtt = c->srtt_us;
	conn.ts_echo = s.opt.tsval + 100000;
	conn.peer_tsval++;
	ptest_conn_rx_ack(&conn);
	assert_int_equal(PTEST_CTR(t, TCP_RTT_TS_SAMPLE), 0);
	assert_int_equal(PTEST_CTR(t, TCP_RTT_TS_REJECT), 1);
	assert_int_equal(c->srtt_us, srtt);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* window scale */
		cmocka_unit_test(test_rfc7323_2_2_wscale_only_if_both_syns_carry_it),
		cmocka_unit_test(test_rfc7323_2_2_wscale_not_offered_when_turned_off),
		cmocka_unit_test(test_rfc7323_2_3_shift_above_14_used_as_14),
		cmocka_unit_test(test_rfc7323_2_2_syn_window_never_scaled),
		cmocka_unit_test(test_rfc7323_2_2_syn_received_ack_window_scaled),
		cmocka_unit_test(test_rfc7323_2_3_scaled_window_above_65535),
		cmocka_unit_test(test_rfc7323_2_4_window_right_edge_never_moves_left_with_scaling),
		cmocka_unit_test(test_rfc7323_2_4_one_byte_segments_cannot_hold_scaled_window_open),
		cmocka_unit_test(test_rfc7323_2_2_simultaneous_open_synack_carries_agreed_options),
		/* timestamps */
		cmocka_unit_test(test_rfc7323_3_2_timestamps_only_if_syn_carried_them),
		cmocka_unit_test(test_rfc7323_3_2_timestamps_not_offered_when_turned_off),
		cmocka_unit_test(test_rfc7323_3_2_every_segment_carries_ts),
		cmocka_unit_test(test_rfc7323_3_2_segment_without_ts_dropped),
		cmocka_unit_test(test_rfc7323_4_3_ts_recent_updated_only_at_or_below_last_ack_sent),
		cmocka_unit_test(test_rfc7323_5_3_paws_drops_old_tsval_and_acks),
		cmocka_unit_test(test_rfc7323_5_3_paws_not_applied_to_rst),
		cmocka_unit_test(test_rfc7323_5_5_ts_recent_invalid_after_24_days),
		cmocka_unit_test(test_rfc7323_4_rtt_sample_from_tsecr_after_retransmission),
		cmocka_unit_test(test_rfc8985_min_rtt_not_from_timestamp_sample),
		cmocka_unit_test(test_rfc7323_4_echo_from_the_future_is_no_rtt_sample),
		cmocka_unit_test(
			test_rfc7323_5_4_tsval_offset_same_for_address_pair_and_advances_1ms),
		cmocka_unit_test(test_rfc9293_3_7_1_effective_mss_less_timestamp_option),
		/* SACK */
		cmocka_unit_test(test_rfc2018_2_sack_permitted_only_if_both_syns),
		cmocka_unit_test(test_rfc2018_4_first_block_holds_triggering_segment),
		cmocka_unit_test(test_rfc2018_4_three_blocks_with_timestamps_four_without),
		cmocka_unit_test(test_rfc2018_4_sack_blocks_on_data_segment_fit_the_mss),
		cmocka_unit_test(test_rfc2018_2_no_sack_blocks_without_permission),
		cmocka_unit_test(test_rfc2883_4_dsack_reports_duplicate_segment_once),
		cmocka_unit_test(test_rfc2883_4_1_3_dsack_for_duplicate_out_of_order_segment),
		cmocka_unit_test(test_rfc2883_4_dsack_not_repeated_on_later_segments),
		/* TIME-WAIT */
		cmocka_unit_test(test_rfc7323_3_2_time_wait_ack_carries_timestamps),
		cmocka_unit_test(test_rfc7323_5_3_time_wait_paws_drops_old_segment),
		cmocka_unit_test(test_rfc7323_2_3_time_wait_scaled_window_kept),
		cmocka_unit_test(test_rfc6191_2_time_wait_reuse_when_tsval_newer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
