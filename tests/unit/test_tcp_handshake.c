/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_handshake.c - opening a connection, state by state:
 * CLOSED (no connection: RFC 9293 3.10.7.1), LISTEN (3.10.7.2), SYN-SENT
 * (3.10.7.3), SYN-RECEIVED (3.10.7.4 for the first synchronized state),
 * simultaneous open (figure 8) and refused opens.
 *
 * The peer's ISN is PTEST_PEER_ISN (just below 2^32) so sequence numbers
 * wrap during the tests. Every segment the stack sends is asserted
 * (flags, seq, ack, window) and each test ends with "nothing else sent".
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "tcp_private.h"

/* One connection per test (large: the recorder holds a receive buffer). */
static struct ptest_conn conn;

static struct ptest_ctx *
setup(void)
{
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	ptest_conn_init(t, &conn);
	return t;
}

/* A segment to a port nobody listens on (the expectation uses conn's ports). */
#define CLOSED_PORT 9

/* ====================================================================== */
/* Tests for the CLOSED state (no connection, no listener)               */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_1_closed_syn_rst_ack(void **state)
{
	/* Ensure that a SYN to a closed port is answered <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>. */
	struct ptest_ctx *t = setup();

	(void)state;
	conn.lport = CLOSED_PORT;
	ptest_conn_rx(&conn, PT_SYN, PTEST_PEER_ISN, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST | PT_ACK, 0, PTEST_PEER_ISN + 1, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_NO_CONN), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_1_closed_ack_rst_seq_seg_ack(void **state)
{
	/* Ensure that an ACK to a closed port is answered <SEQ=SEG.ACK><CTL=RST> (no ACK bit). */
	struct ptest_ctx *t = setup();

	(void)state;
	conn.lport = CLOSED_PORT;
	ptest_conn_rx(&conn, PT_ACK, PTEST_PEER_ISN, 0x12345678u, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, 0x12345678u, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_NO_CONN), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_1_closed_ack_data_rst_seq_seg_ack(void **state)
{
	/* Ensure that data with ACK to a closed port gets <SEQ=SEG.ACK><CTL=RST>, data ignored. */
	struct ptest_ctx *t = setup();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 1);
	conn.lport = CLOSED_PORT;
	ptest_conn_rx(&conn, PT_ACK | PT_PSH, PTEST_PEER_ISN, 0xFFFFFFFFu, d, sizeof(d));
	PTEST_EXPECT(&conn, PT_RST, 0xFFFFFFFFu, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_1_closed_data_no_ack_rst_ack_seg_len(void **state)
{
	/*
	 * Ensure that data without ACK is answered <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
	 * (across the wrap).
	 */
	struct ptest_ctx *t = setup();
	uint8_t d[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 2);
	conn.lport = CLOSED_PORT;
	ptest_conn_rx(&conn, PT_PSH, PTEST_PEER_ISN, 0, d, sizeof(d));
	PTEST_EXPECT(&conn, PT_RST | PT_ACK, 0, PTEST_PEER_ISN + 100, PTEST_WND_ANY, 0, NULL,
		     NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_1_closed_fin_no_ack_counts_fin(void **state)
{
	/* Ensure that the FIN counts in SEG.LEN: FIN with 5 bytes, no ACK -> ACK=SEG.SEQ+6. */
	struct ptest_ctx *t = setup();

	(void)state;
	conn.lport = CLOSED_PORT;
	ptest_conn_rx(&conn, PT_FIN, PTEST_PEER_ISN, 0, "hello", 5);
	PTEST_EXPECT(&conn, PT_RST | PT_ACK, 0, PTEST_PEER_ISN + 6, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_1_closed_rst_not_answered(void **state)
{
	/*
	 * Ensure that a RST to a closed port is dropped without a reply ("an incoming RST is
	 * ignored").
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	conn.lport = CLOSED_PORT;
	ptest_conn_rx(&conn, PT_RST, PTEST_PEER_ISN, 0, NULL, 0);
	ptest_conn_rx(&conn, PT_RST | PT_ACK, PTEST_PEER_ISN, 1234, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_1_bad_checksum_dropped(void **state)
{
	/*
	 * Ensure that a SYN with a bad checksum is counted TCP_BAD_CSUM and gets neither SYN-ACK
	 * nor RST.
	 */
	struct ptest_ctx *t = setup();
	struct ptcp_tcp_opts o = { .present = PTCP_TCPOPT_F_MSS, .mss = 1460 };

	(void)state;
	ptest_conn_listen(&conn);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = PTEST_RPORT, .dport = PTEST_LPORT,
		.seq = PTEST_PEER_ISN, .flags = PT_SYN, .wnd = 65535, .opt = &o,
		.bad_cksum = true });
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_CSUM), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the LISTEN state                                            */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_2_listen_syn_synack(void **state)
{
	/*
	 * Ensure that a SYN to a listener gets <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>
	 * with MSS 1460 and window 65535, and creates one SYN-RECEIVED connection.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);   /* asserts the SYN-ACK fields */
	assert_int_equal(PTEST_CTR(t, TCP_SYN_RX), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc7323_synack_answers_every_offered_option(void **state)
{
	/*
	 * Ensure that a SYN offering window scale, SACK-permitted and timestamps gets all three
	 * back on the SYN-ACK (RFC 7323 2.2, 3.2; RFC 2018 2): our shift (0 for a 65535-byte
	 * buffer), TSecr = the SYN's TSval, an unscaled window; the connection uses them.
	 */
	struct ptest_ctx *t = setup();
	struct ptcp_tcp_opts o = {
		.present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM |
			   PTCP_TCPOPT_F_TS,
		.mss = 1460, .wscale = 7, .tsval = 0x01020304, .tsecr = 0,
	};
	struct ptcp_tcp_seg s;

	(void)state;
	ptest_conn_listen(&conn);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = PTEST_RPORT, .dport = PTEST_LPORT,
		.seq = PTEST_PEER_ISN, .flags = PT_SYN, .wnd = 65535, .opt = &o });
	ptest_pop_tcp(t, &s, NULL, 0);
	assert_int_equal(s.flags, PT_SYN | PT_ACK);
	assert_int_equal(s.ack, PTEST_PEER_ISN + 1);
	assert_int_equal(s.wnd, 65535);       /* RFC 7323 2.2: a SYN's window is never scaled */
	assert_int_equal(s.opt.present, o.present);
	assert_int_equal(s.opt.mss, 1460);
	assert_int_equal(s.opt.wscale, 0);
	assert_int_equal(s.opt.tsecr, 0x01020304);
	PTEST_NOTHING_SENT(t);
	conn.iss = s.seq;
	conn.snd_nxt = s.seq + 1;
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = PTEST_RPORT, .dport = PTEST_LPORT,
		.seq = conn.rcv_nxt, .ack = conn.snd_nxt, .flags = PT_ACK, .wnd = 100,
		.opt = &(struct ptcp_tcp_opts){ .present = PTCP_TCPOPT_F_TS, .tsval = 0x01020305,
						 .tsecr = s.opt.tsval } });
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	{
		struct ptcp_conn *c = ptest_conn_c(&conn);

		assert_true(c->flags & PTCP_TF_WSCALE);
		assert_true(c->flags & PTCP_TF_TSTMP);
		assert_true(c->flags & PTCP_TF_SACK_PERMIT);
		assert_int_equal(c->snd_wnd, 100u << 7);       /* the ACK's window is scaled */
		assert_int_equal(c->snd_mss, 1460 - 12);       /* timestamps ride on every segment */
		assert_int_equal(c->ts_recent, 0x01020305);
	}
	ptest_free(t);
}

static void
test_rfc9293_3_7_1_listen_synack_mss_from_mtu(void **state)
{
	/* Ensure that the SYN-ACK's MSS option is the IP MTU minus 40 (mtu 1400 -> 1360). */
	struct ptcp_stack_conf c = { .mtu = 1400 };
	struct ptest_ctx *t = ptest_new_tcp(&c);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);   /* checks opt.mss == conf.mtu - 40 */
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_listen_synack_window_rcv_buf(void **state)
{
	/* Ensure that the SYN-ACK window is rcv_buf when rcv_buf < 65535 (here 4000). */
	struct ptcp_stack_conf c = { .rcv_buf = 4000 };
	struct ptest_ctx *t = ptest_new_tcp(&c);

	(void)state;
	ptest_conn_init(t, &conn);
	assert_int_equal(conn.rcv_wnd, 4000);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);   /* checks wnd == 4000 */
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_listen_synack_window_capped_65535(void **state)
{
	/* Ensure that without window scaling the window is capped at 65535 (rcv_buf 200000). */
	struct ptcp_stack_conf c = { .rcv_buf = 200000 };
	struct ptest_ctx *t = ptest_new_tcp(&c);

	(void)state;
	ptest_conn_init(t, &conn);
	assert_int_equal(conn.rcv_wnd, 65535);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);   /* checks wnd == 65535 */
	ptest_free(t);
}

static void
test_rfc9293_3_8_6_listen_synack_window_any_peer_isn(void **state)
{
	/*
	 * Ensure that the SYN-ACK window does not depend on the peer's ISN:
	 * with IRS = 2^32 - 65000 (RCV.NXT 64999 below the wrap) it is still 65535.
	 */
	static const uint32_t isns[] = { 0xFFFF0208u, 0xFFFF0000u, 0xFFFFFFFFu, 0x7FFFFFFFu, 0 };
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	for (unsigned int i = 0; i < RTE_DIM(isns); i++) {
		ptest_conn_init(t, &conn);   /* the listener keeps &conn.rec */
		conn.rport = (uint16_t)(PTEST_RPORT + i);
		conn.irs = isns[i];
		conn.rcv_nxt = conn.irs + 1;
		ptest_conn_syn_received(&conn);   /* asserts wnd == 65535 */
	}
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_2_listen_rst_ignored(void **state)
{
	/* Ensure that a RST to a listener is ignored: nothing sent, no connection. */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_rx(&conn, PT_RST, PTEST_PEER_ISN, 0, NULL, 0);
	ptest_conn_rx(&conn, PT_RST | PT_ACK, PTEST_PEER_ISN, 77, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_2_listen_ack_rst(void **state)
{
	/*
	 * Ensure that an ACK to a listener gets <SEQ=SEG.ACK><CTL=RST> and the listener stays
	 * usable.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_rx(&conn, PT_ACK, PTEST_PEER_ISN + 1, 0xABCDEF01u, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, 0xABCDEF01u, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_RST_TX), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_conn_syn_received(&conn);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_2_listen_synack_rst(void **state)
{
	/*
	 * Ensure that a SYN-ACK to a listener gets <SEQ=SEG.ACK><CTL=RST> (the ACK check comes
	 * first).
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_rx(&conn, PT_SYN | PT_ACK, PTEST_PEER_ISN, 0x00000005u, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, 0x00000005u, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_2_listen_other_control_dropped(void **state)
{
	/*
	 * Ensure that a segment with neither SYN, ACK nor RST (a bare FIN with data) is dropped in
	 * LISTEN.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_PSH, PTEST_PEER_ISN, 0, "abc", 3);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_1_listen_other_port_rst(void **state)
{
	/* Ensure that a listener on port 7 does not take a SYN to port 8: it gets RST,ACK. */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	conn.lport = 8;
	ptest_conn_rx(&conn, PT_SYN, PTEST_PEER_ISN, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST | PT_ACK, 0, PTEST_PEER_ISN + 1, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_2_listen_two_peers_two_connections(void **state)
{
	/* Ensure that SYNs from two peer ports create two connections, each answered. */
	struct ptest_ctx *t = setup();
	static struct ptest_conn b;

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_init(t, &b);
	b.rport = PTEST_RPORT + 1;
	b.irs = 0x7FFFFFFFu;
	ptest_conn_syn_received(&b);
	assert_int_equal(ptcp_stack_conn_count(t->st), 2);
	ptest_conn_rx_ack(&b);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 2);   /* both on the listener's recorder */
	assert_int_equal(PTEST_CTR(t, TCP_ACCEPTED), 2);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the SYN-RECEIVED state (passive open)                       */
/* ====================================================================== */

static void
test_rfc9293_3_10_7_4_syn_received_ack_established(void **state)
{
	/*
	 * Ensure that the ACK of our SYN-ACK enters ESTABLISHED, calls on_established once, sends
	 * nothing.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_passive(&conn);   /* asserts state, callback and nothing sent */
	assert_int_equal(PTEST_CTR(t, TCP_ACCEPTED), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_tuple(void **state)
{
	/*
	 * Ensure that the accepted connection reports its 4-tuple (addresses network order, ports
	 * host order).
	 */
	struct ptest_ctx *t = setup();
	rte_be32_t la, ra;
	uint16_t lp, rp;

	(void)state;
	ptest_conn_passive(&conn);
	ptcp_conn_tuple(ptest_conn_c(&conn), &la, &lp, &ra, &rp);
	assert_int_equal(la, PTEST_LOCAL_IP);
	assert_int_equal(ra, PTEST_PEER_IP);
	assert_int_equal(lp, PTEST_LPORT);
	assert_int_equal(rp, PTEST_RPORT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_ack_above_snd_nxt_rst(void **state)
{
	/*
	 * Ensure that in SYN-RECEIVED an ACK beyond SND.NXT gets <SEQ=SEG.ACK><CTL=RST> and no
	 * establishment.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.iss + 2, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.iss + 2, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 0);
	/* The half-open connection survives: the right ACK still completes it. */
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_ack_of_iss_rst(void **state)
{
	/*
	 * Ensure that in SYN-RECEIVED an ACK of ISS (not covering our SYN: SEG.ACK =< SND.UNA) gets
	 * a RST.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.rcv_nxt, conn.iss, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.iss, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_rst_returns_to_listen(void **state)
{
	/*
	 * Ensure that a RST (SEG.SEQ = RCV.NXT) in a passively opened SYN-RECEIVED
	 * removes the connection silently, and the listener answers the next SYN.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_conn_syn_received(&conn);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_rst_out_of_window_ignored(void **state)
{
	/*
	 * Ensure that a RST just right of the receive window in SYN-RECEIVED is dropped silently.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt + conn.rcv_wnd, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	assert_int_equal(PTEST_CTR(t, TCP_RST_IGNORED), 1);
	ptest_conn_rx_ack(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_no_ack_dropped(void **state)
{
	/*
	 * Ensure that in SYN-RECEIVED a data segment without ACK is dropped ("if the ACK bit is off
	 * drop").
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx(&conn, PT_PSH, conn.rcv_nxt, 0, "abcd", 4);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_NO_ACK_DROP), 1);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(conn.rec.n_readable, 0);
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_ack_with_data(void **state)
{
	/*
	 * Ensure that a third segment carrying data establishes, then delivers and ACKs the data.
	 */
	struct ptest_ctx *t = setup();
	uint8_t d[100], got[100];

	(void)state;
	ptest_pattern(d, sizeof(d), 3);
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx_data(&conn, d, sizeof(d));
	PTEST_EXPECT_ACK(&conn);   /* ack = ISN + 1 + 100 (wrapped), wnd 65535 - 100 */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(conn.rec.n_readable, 1);
	assert_int_equal(ptcp_recv(ptest_conn_c(&conn), got, sizeof(got)), 100);
	assert_memory_equal(got, d, 100);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_syn_received_ack_with_fin(void **state)
{
	/*
	 * Ensure that an ACK+FIN third segment establishes and then enters CLOSE-WAIT with EOF
	 * signalled.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_listen(&conn);
	ptest_conn_syn_received(&conn);
	ptest_conn_rx_fin(&conn);
	PTEST_EXPECT_ACK(&conn);   /* ack = ISN + 2 */
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	assert_true(conn.rec.eof);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for the SYN-SENT state (active open)                            */
/* ====================================================================== */

static void
test_rfc9293_3_10_1_connect_sends_syn(void **state)
{
	/*
	 * Ensure that ptcp_connect sends <SEQ=ISS><CTL=SYN> with MSS 1460, window 65535, and enters
	 * SYN-SENT.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);   /* asserts the SYN */
	assert_int_equal(ptcp_stack_conn_count(t->st), 1);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_synack_established(void **state)
{
	/*
	 * Ensure that a SYN-ACK acking our SYN gets <SEQ=ISS+1><ACK=IRS+1><CTL=ACK> and
	 * on_established.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_active(&conn);   /* asserts the ACK, the callback and the state */
	assert_int_equal(PTEST_CTR(t, TCP_CONNECTED), 1);
	assert_int_equal(conn.rec.n_closed, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_ack_of_iss_rst(void **state)
{
	/*
	 * Ensure that SEG.ACK = ISS (outside (ISS, SND.NXT], left edge) gets
	 * <SEQ=SEG.ACK><CTL=RST>.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.irs, conn.iss, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.iss, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_ack_above_snd_nxt_rst(void **state)
{
	/* Ensure that SEG.ACK = SND.NXT + 1 (just outside right) gets <SEQ=SEG.ACK><CTL=RST>. */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.irs, conn.snd_nxt + 1, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.snd_nxt + 1, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_synack_bad_ack_rst(void **state)
{
	/*
	 * Ensure that a SYN-ACK with an unacceptable ACK gets a RST, not an ACK, and no
	 * establishment.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_SYN | PT_ACK, conn.irs, conn.iss, NULL, 0);
	PTEST_EXPECT(&conn, PT_RST, conn.iss, 0, PTEST_WND_ANY, 0, NULL, NULL);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_bad_ack_with_rst_dropped(void **state)
{
	/* Ensure that a RST whose ACK is unacceptable is dropped: no RST back, still SYN-SENT. */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_RST | PT_ACK, 0, conn.snd_nxt + 1, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_rst_ack_refused(void **state)
{
	/*
	 * Ensure that RST with an acceptable ACK gives on_closed(-ECONNREFUSED) and frees the
	 * connection.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_RST | PT_ACK, 0, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNREFUSED);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(PTEST_CTR(t, TCP_CONN_REFUSED), 1);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_rst_without_ack_ignored(void **state)
{
	/* Ensure that a RST without ACK in SYN-SENT is ignored (it cannot be validated). */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_RST, conn.irs, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	/* The handshake still completes afterwards. */
	ptest_conn_rx(&conn, PT_SYN | PT_ACK, conn.irs, conn.snd_nxt, NULL, 0);
	PTEST_EXPECT_ACK(&conn);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_neither_syn_nor_rst_dropped(void **state)
{
	/* Ensure that in SYN-SENT a segment with neither SYN nor RST (and no ACK) is dropped. */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_FIN | PT_PSH, conn.irs + 1, 0, "xy", 2);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_NO_SYN_DROP), 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	assert_int_equal(conn.rec.n_readable, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_syn_sent_ack_only_valid_stays(void **state)
{
	/* Ensure that an acceptable ACK without SYN in SYN-SENT is dropped without a reply. */
	struct ptest_ctx *t = setup();

	(void)state;
	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_ACK, conn.irs + 1, conn.snd_nxt, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 0);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_SENT);
	ptest_free(t);
}

/* ====================================================================== */
/* Tests for simultaneous open (RFC 9293 figure 8)                       */
/* ====================================================================== */

static void
simultaneous_syn(struct ptest_ctx *t)
{
	struct ptcp_tcp_seg s;

	ptest_conn_syn_sent(&conn);
	ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	conn.rcv_nxt = conn.irs + 1;
	/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>: the same ISS as our SYN. */
	PTEST_EXPECT(&conn, PT_SYN | PT_ACK, conn.iss, conn.rcv_nxt, PTEST_WND, 0, NULL, &s);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS);
	assert_int_equal(s.opt.mss, PTEST_MSS);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_SYN_RECEIVED);
}

static void
test_rfc9293_3_10_7_3_simultaneous_open_synack_with_iss(void **state)
{
	/*
	 * Ensure that a SYN without ACK in SYN-SENT moves to SYN-RECEIVED and sends SYN-ACK with
	 * our ISS.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	simultaneous_syn(t);
	assert_int_equal(conn.rec.n_established, 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_simultaneous_open_ack_established(void **state)
{
	/* Ensure that after a simultaneous open the ACK of our SYN establishes the connection. */
	struct ptest_ctx *t = setup();

	(void)state;
	simultaneous_syn(t);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_ESTABLISHED);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_4_simultaneous_open_rst_refused(void **state)
{
	/* Ensure that a RST in an actively opened SYN-RECEIVED signals "connection refused". */
	struct ptest_ctx *t = setup();

	(void)state;
	simultaneous_syn(t);
	ptest_conn_rx(&conn, PT_RST, conn.rcv_nxt, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_closed, 1);
	assert_int_equal(conn.rec.closed_err, -ECONNREFUSED);
	assert_int_equal(ptcp_stack_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_listen_syn_fin_dropped(void **state)
{
	/*
	 * Ensure that a SYN+FIN to a listener opens nothing and draws no answer
	 * (as Linux and FreeBSD): TCP_SYN_FIN_DROP 1, no connection.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_listen(&conn);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .flags = PT_SYN | PT_FIN, .wnd = 65535 });
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYN_FIN_DROP), 1);
	assert_int_equal(ptcp_tcp_conn_count(t->st), 0);
	ptest_free(t);
}

static void
test_rfc9293_3_10_7_3_fin_on_synack_processed(void **state)
{
	/*
	 * Ensure that a FIN on the SYN,ACK is processed ("continue at the sixth
	 * step"): our ACK acknowledges SYN and FIN (RCV.NXT = IRS + 2), the
	 * connection is CLOSE-WAIT and the application sees EOF.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);

	(void)state;
	ptest_conn_init(t, &conn);
	ptest_conn_syn_sent(&conn);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = conn.rport, .dport = conn.lport,
		.seq = conn.irs, .ack = conn.snd_nxt, .flags = PT_SYN | PT_ACK | PT_FIN,
		.wnd = 65535 });
	conn.rcv_nxt = conn.irs + 2;
	conn.rcv_adv++;   /* the FIN takes no buffer space */
	PTEST_EXPECT_ACK(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&conn)), PTCP_TCP_CLOSE_WAIT);
	assert_true(ptcp_conn_eof(ptest_conn_c(&conn)));
	ptest_free(t);
}

static void
test_rfc5961_4_2_simultaneous_open_dup_syn_rate_limited(void **state)
{
	/*
	 * Ensure that a duplicate SYN in an actively opened SYN-RECEIVED re-sends the SYN-ACK at
	 * most once per 500 ms (TCP_SYNACK_DUP_LIMIT), and the connection still completes.
	 */
	struct ptest_ctx *t = setup();

	(void)state;
	simultaneous_syn(t);
	ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_SYN | PT_ACK, conn.iss, conn.rcv_nxt, PTEST_WND, 0, NULL, NULL);
	for (int i = 0; i < 50; i++)
		ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_DUP_RESEND), 1);
	assert_int_equal(PTEST_CTR(t, TCP_SYNACK_DUP_LIMIT), 50);
	ptest_advance(t, 500000);
	ptest_conn_rx(&conn, PT_SYN, conn.irs, 0, NULL, 0);
	PTEST_EXPECT(&conn, PT_SYN | PT_ACK, conn.iss, conn.rcv_nxt, PTEST_WND, 0, NULL, NULL);
	ptest_conn_rx_ack(&conn);
	PTEST_NOTHING_SENT(t);
	assert_int_equal(conn.rec.n_established, 1);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* CLOSED */
		cmocka_unit_test(test_rfc9293_3_10_7_1_closed_syn_rst_ack),
		cmocka_unit_test(test_listen_syn_fin_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_3_fin_on_synack_processed),
		cmocka_unit_test(test_rfc9293_3_10_7_1_closed_ack_rst_seq_seg_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_1_closed_ack_data_rst_seq_seg_ack),
		cmocka_unit_test(test_rfc9293_3_10_7_1_closed_data_no_ack_rst_ack_seg_len),
		cmocka_unit_test(test_rfc9293_3_10_7_1_closed_fin_no_ack_counts_fin),
		cmocka_unit_test(test_rfc9293_3_10_7_1_closed_rst_not_answered),
		cmocka_unit_test(test_rfc9293_3_1_bad_checksum_dropped),
		/* LISTEN */
		cmocka_unit_test(test_rfc9293_3_10_7_2_listen_syn_synack),
		cmocka_unit_test(test_rfc7323_synack_answers_every_offered_option),
		cmocka_unit_test(test_rfc9293_3_7_1_listen_synack_mss_from_mtu),
		cmocka_unit_test(test_rfc9293_3_8_6_listen_synack_window_rcv_buf),
		cmocka_unit_test(test_rfc9293_3_8_6_listen_synack_window_capped_65535),
		cmocka_unit_test(test_rfc9293_3_8_6_listen_synack_window_any_peer_isn),
		cmocka_unit_test(test_rfc9293_3_10_7_2_listen_rst_ignored),
		cmocka_unit_test(test_rfc9293_3_10_7_2_listen_ack_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_2_listen_synack_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_2_listen_other_control_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_1_listen_other_port_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_2_listen_two_peers_two_connections),
		/* SYN-RECEIVED */
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_ack_established),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_tuple),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_ack_above_snd_nxt_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_ack_of_iss_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_rst_returns_to_listen),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_rst_out_of_window_ignored),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_no_ack_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_ack_with_data),
		cmocka_unit_test(test_rfc9293_3_10_7_4_syn_received_ack_with_fin),
		/* SYN-SENT */
		cmocka_unit_test(test_rfc9293_3_10_1_connect_sends_syn),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_synack_established),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_ack_of_iss_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_ack_above_snd_nxt_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_synack_bad_ack_rst),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_bad_ack_with_rst_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_rst_ack_refused),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_rst_without_ack_ignored),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_neither_syn_nor_rst_dropped),
		cmocka_unit_test(test_rfc9293_3_10_7_3_syn_sent_ack_only_valid_stays),
		/* simultaneous open */
		cmocka_unit_test(test_rfc9293_3_10_7_3_simultaneous_open_synack_with_iss),
		cmocka_unit_test(test_rfc9293_3_10_7_4_simultaneous_open_ack_established),
		cmocka_unit_test(test_rfc9293_3_10_7_4_simultaneous_open_rst_refused),
		cmocka_unit_test(test_rfc5961_4_2_simultaneous_open_dup_syn_rate_limited),
	};

	return cmocka_run_group_tests_name("tcp_handshake", tests, NULL, NULL);
}
