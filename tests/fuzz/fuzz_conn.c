/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_conn.c - stateful libFuzzer harness: the input is a sequence of
 * operations against one connection, with invariants checked after each.
 *
 * Byte 0 picks the start: bits 0-1 passive ESTABLISHED, active ESTABLISHED,
 * SYN-RECEIVED, SYN-SENT; bit 2 delayed ACKs instead of quick ACKs; bit 3
 * Nagle off; bit 4 keepalive (1 s idle). Then records, each an op byte:
 *   0 peer segment: flags, ctl, seq16|32, ack16|32 (relative to our
 *     RCV.NXT / SND.UNA), wnd16, options (bit mask: MSS, WS, SACK-perm, TS,
 *     1-4 SACK blocks relative to SND.UNA), len16 % 1461 (payload pattern)
 *   1 ptcp_send of len16 bytes      5 ptcp_abort
 *   2 ptcp_recv of up to len16      6 advance the clock by (v & 1023) << (v >> 10) us
 *   3 ptcp_shutdown                 7 peer ACK of SND.MAX at RCV.NXT, wnd16
 *   4 ptcp_close                    8 peer in-order data, len16, acking part of our data
 *   9 peer FIN at RCV.NXT           10 nodelay on/off  11 keepalive on/off
 * After each: every sent frame is well formed; the connection (if it still
 * exists) keeps SND.UNA <= SND.NXT <= SND.MAX and queue byte counts equal to
 * its chains; the pool holds exactly the mbufs its queues hold; at most one
 * connection exists; the API's answers agree with its state. At the end a
 * cooperative peer closes it: no connection may be left, and every mbuf
 * returns to the pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ptest_conn pc;
static int debug;   /* FUZZ_DEBUG=1: one line per operation on stderr */
static uint8_t buf[65536];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_init();
	debug = getenv("FUZZ_DEBUG") != NULL;
	ptest_pattern(buf, sizeof(buf), 3);
	return 0;
}

/*
 * The connection as the application sees it: its pointer until on_closed
 * (a connection whose TIME-WAIT became a record stays, detached from the
 * table, until its data is read), else the table's entry for the tuple.
 */
static struct ptcp_conn *
app_conn(void)
{
	return pc.rec.conn != NULL ? pc.rec.conn : fuzz_conn_lookup(&pc);
}

/* Mbufs held by a connection's queues. */
static unsigned int
conn_mbufs(const struct ptcp_conn *c)
{
	const struct rte_mbuf *m, *b;
	unsigned int n = 0;

	if (c == NULL)
		return 0;
	for (m = c->sndq_head; m != NULL; m = m->next)
		n++;
	for (m = c->rcvq_head; m != NULL; m = m->next)
		n++;
	for (b = c->ooo_head; b != NULL; b = ptcp_tcp_blk((struct rte_mbuf *)b)->next)
		for (m = b; m != NULL; m = m->next)
			n++;
	return n;
}

static void
peer_seg(struct ptest_ctx *t, struct ptcp_conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	 uint16_t wnd, const struct ptcp_tcp_opts *opt, uint32_t len, uint8_t seed)
{
	uint8_t data[2048];

	ptest_pattern(data, len, seed);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = pc.rport, .dport = pc.lport,
		.seq = seq, .ack = ack, .flags = flags, .wnd = wnd, .data = data, .len = len,
		.opt = opt });
	RTE_SET_USED(c);
}

/* Sequence bases: the connection's, or the last seen once it is gone. */
static void
bases(struct ptcp_conn *c, uint32_t *rcv_nxt, uint32_t *snd_una, uint32_t *snd_max)
{
	if (c != NULL) {
		pc.rcv_nxt = c->rcv_nxt;
		pc.snd_nxt = c->snd_max;
		pc.iss = c->snd_una;
	}
	*rcv_nxt = pc.rcv_nxt;
	*snd_una = pc.iss;
	*snd_max = pc.snd_nxt;
}

static void
op_segment(struct ptest_ctx *t, struct ptcp_conn *c, struct fuzz_in *in)
{
	uint8_t flags = fuzz_u8(in), ctl = fuzz_u8(in), o;
	uint32_t seq = (ctl & 1) ? fuzz_u32(in) : (uint32_t)(int32_t)(int16_t)fuzz_u16(in);
	uint32_t ack = (ctl & 2) ? fuzz_u32(in) : (uint32_t)(int32_t)(int16_t)fuzz_u16(in);
	uint16_t wnd = fuzz_u16(in);
	struct ptcp_tcp_opts opt;
	uint32_t rcv_nxt, snd_una, snd_max, len;

	bases(c, &rcv_nxt, &snd_una, &snd_max);
	memset(&opt, 0, sizeof(opt));
	o = fuzz_u8(in);
	if (o & 1) {
		opt.present |= PTCP_TCPOPT_F_MSS;
		opt.mss = fuzz_u16(in);
	}
	if (o & 2) {
		opt.present |= PTCP_TCPOPT_F_WSCALE;
		opt.wscale = fuzz_u8(in);
	}
	if (o & 4)
		opt.present |= PTCP_TCPOPT_F_SACK_PERM;
	if (o & 8) {
		opt.present |= PTCP_TCPOPT_F_TS;
		opt.tsval = fuzz_u32(in);
		opt.tsecr = fuzz_u32(in);
	}
	if (o & 16) {
		opt.present |= PTCP_TCPOPT_F_SACK;
		opt.nsack = (uint8_t)(1 + ((o >> 5) & 3));
		for (unsigned int i = 0; i < opt.nsack; i++) {
			opt.sack[i].left = snd_una + fuzz_u16(in);
			opt.sack[i].right = opt.sack[i].left + fuzz_u16(in);
		}
	}
	len = fuzz_u16(in) % 1461;   /* frames fit one mbuf */
	peer_seg(t, c, flags, rcv_nxt + seq, snd_una + ack, wnd, opt.present ? &opt : NULL, len,
		 ctl);
}

static void
op_send(struct ptest_ctx *t, struct ptcp_conn *c, struct fuzz_in *in)
{
	uint16_t len = fuzz_u16(in);
	uint32_t space;
	int32_t n;

	if (c == NULL)
		return;
	space = ptcp_send_space(c);
	n = ptcp_send(c, buf, len);
	if (n >= 0) {
		/* The space ptcp_send_space announced is what ptcp_send takes. */
		FUZZ_CHECK((uint32_t)n == RTE_MIN((uint32_t)len, space),
			   "%s: ptcp_send took %d of %u bytes, send space was %u",
			   ptcp_tcp_state_name(c->state), n, len, space);
	} else {
		FUZZ_CHECK(n == -EPIPE || n == -ENOTCONN, "ptcp_send returned %d", n);
	}
	ptest_kick(t);
}

static void
op_recv(struct ptest_ctx *t, struct ptcp_conn *c, struct fuzz_in *in)
{
	uint16_t len = fuzz_u16(in);
	uint32_t before, n;

	if (c == NULL)
		return;
	before = ptcp_readable(c);
	n = ptcp_recv(c, buf, len);
	FUZZ_CHECK(n == RTE_MIN((uint32_t)len, before), "ptcp_recv gave %u of %u (readable %u)",
		   n, len, before);
	c = app_conn();
	if (c != NULL)
		FUZZ_CHECK(ptcp_readable(c) == before - n, "readable %u after reading %u of %u",
			   ptcp_readable(c), n, before);
	ptest_kick(t);
}

static void
op_time(struct ptest_ctx *t, struct fuzz_in *in)
{
	uint16_t v = fuzz_u16(in);

	ptest_advance(t, (uint64_t)(v & 1023) << RTE_MIN(v >> 10, 30));
}

static struct ptest_ctx *
start(uint8_t how)
{
	struct ptest_ctx *t = fuzz_stack_new();

	memset(&pc, 0, sizeof(pc));
	ptest_conn_init(t, &pc);
	switch (how & 3) {
	case 0: ptest_conn_passive(&pc); break;
	case 1: ptest_conn_active(&pc); break;
	case 2: ptest_conn_listen(&pc); ptest_conn_syn_received(&pc); break;
	default: ptest_conn_syn_sent(&pc); break;
	}
	fuzz_check_sent(t);
	if (how & 4) {
		t->st->conf.quickack = false;
		t->st->conf.delack_ms = 40;
	}
	if (pc.rec.conn != NULL && (how & 8))
		ptcp_conn_set_nodelay(pc.rec.conn, true);
	if (how & 16) {
		t->st->conf.keepalive_idle_ms = 1000;
		t->st->conf.keepalive_intvl_ms = 500;
		t->st->conf.keepalive_cnt = 3;
		if (pc.rec.conn != NULL)
			ptcp_conn_set_keepalive(pc.rec.conn, true);
	}
	/* Keep the recorder from reading on its own: reads are operations. */
	pc.rec.auto_read = false;
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { .p = data, .len = size };
	struct ptest_ctx *t;
	struct ptcp_conn *c, *tc;
	unsigned int nop = 0, base, held;
	uint32_t rcv_nxt, snd_una, snd_max;

	if (size > 8192)
		return -1;
	t = start(fuzz_u8(&in));
	c = app_conn();
	/* What the stack holds besides the connection's queues (nothing today). */
	base = ptest_pool_held(t) - conn_mbufs(c);
	bases(c, &rcv_nxt, &snd_una, &snd_max);
	while (fuzz_more(&in) && nop++ < 512) {
		/* The peer stays resolved however far the clock moves: no frame waits for ARP. */
		FUZZ_CHECK(ptcp_arp_update(t->st, PTEST_PEER_IP, &ptest_peer_mac) == 0, "arp");
		c = app_conn();
		switch (fuzz_u8(&in) % 12) {
		case 0: op_segment(t, c, &in); break;
		case 1: op_send(t, c, &in); break;
		case 2: op_recv(t, c, &in); break;
		case 3:
			if (c != NULL)
				FUZZ_CHECK(ptcp_shutdown(c) <= 0, "ptcp_shutdown > 0");
			ptest_kick(t);
			break;
		case 4:
			if (c != NULL)
				FUZZ_CHECK(ptcp_close(c) <= 0, "ptcp_close > 0");
			ptest_kick(t);
			break;
		case 5:
			if (c != NULL) {
				ptcp_abort(c);
				FUZZ_CHECK(fuzz_conn_lookup(&pc) == NULL && pc.rec.conn == NULL,
					   "connection still there after ptcp_abort");
			}
			ptest_kick(t);
			break;
		case 6: op_time(t, &in); break;
		case 7:
			bases(c, &rcv_nxt, &snd_una, &snd_max);
			peer_seg(t, c, RTE_TCP_ACK_FLAG, rcv_nxt, snd_max, fuzz_u16(&in), NULL, 0, 0);
			break;
		case 8: {
			uint32_t len = fuzz_u16(&in) % 1461, part = fuzz_u16(&in);

			bases(c, &rcv_nxt, &snd_una, &snd_max);
			peer_seg(t, c, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, rcv_nxt,
				 snd_una + part % (snd_max - snd_una + 1), 65535, NULL, len,
				 (uint8_t)part);
			break;
		}
		case 9:
			bases(c, &rcv_nxt, &snd_una, &snd_max);
			peer_seg(t, c, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, rcv_nxt, snd_max, 65535,
				 NULL, 0, 0);
			break;
		case 10:
			if (c != NULL)
				ptcp_conn_set_nodelay(c, fuzz_u8(&in) & 1);
			ptest_kick(t);   /* what it sent waits in the TX batch */
			break;
		default:
			if (c != NULL)
				ptcp_conn_set_keepalive(c, fuzz_u8(&in) & 1);
			ptest_kick(t);
			break;
		}
		if (debug) {
			c = app_conn();
			fprintf(stderr, "op %u: %s una %u nxt %u max %u sndq %u rcvq %u ooo %u"
				" held %u sent %u\n", nop, c ? ptcp_tcp_state_name(c->state) : "-",
				c ? c->snd_una : 0, c ? c->snd_nxt : 0, c ? c->snd_max : 0,
				c ? c->sndq_bytes : 0, c ? c->rcvq_bytes : 0, c ? c->ooo_bytes : 0,
				ptest_pool_held(t), t->nsent);
		}
		fuzz_check_sent(t);
		fuzz_check_all(t);
		FUZZ_CHECK(ptcp_tcp_conn_count(t->st) <= 1, "%u connections from one peer tuple",
			   ptcp_tcp_conn_count(t->st));
		c = app_conn();
		tc = fuzz_conn_lookup(&pc);
		if (c != NULL && c != tc)
			fuzz_check_conn(c);   /* detached: not in the table */
		held = conn_mbufs(c) + (tc != c ? conn_mbufs(tc) : 0);
		FUZZ_CHECK(ptest_pool_held(t) == base + held,
			   "pool: %u mbufs held, queues hold %u (+%u outside)", ptest_pool_held(t),
			   held, base);
	}
	fuzz_teardown(t);
	return 0;
}
