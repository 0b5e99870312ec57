/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_timewait.c - TIME-WAIT as a compact record (RFC 9293 3.10.7.4).
 *
 * An active closer holds each tuple for 2*MSL. Kept in a full struct
 * ptcp_conn (384 bytes from the max_conns pool) that caps active closes at
 * max_conns / 2*MSL per second (68/s with the defaults); FreeBSD (struct
 * tcptw) and Linux (inet_timewait_sock) move the state into a small record
 * instead, and so do we:
 *
 *   take_fin / check_ack -> ptcp_tcp_enter_time_wait(c): state TIME-WAIT
 *   conn_input, after the events and the final ACK ->
 *     ptcp_tcp_timewait_from_conn(c): record from c; c closed (on_closed(c,
 *     arg, 0): the application is done with it) or, with bytes unread,
 *     detached until ptcp_recv empties it (tcp_conn.c)
 *   ptcp_tcp_input, no connection -> ptcp_tcp_timewait_lookup ->
 *     ptcp_tcp_timewait_input, or a SYN reopening the tuple -> listen_input
 *     (RFC 6191; tcp_input.c time_wait_input)
 *   ptcp_tcp_poll -> ptcp_tcp_timewait_poll: expire the oldest records
 *
 * Records come from their own per-lcore mempool (conf.max_time_wait) and
 * live in their own rte_hash keyed by struct ptcp_flow. A second table
 * rather than tagged entries in the connection table: the connection table
 * stays sized by max_conns and its hot-path lookup unchanged (segments of
 * live connections never look here); the TIME-WAIT table is consulted only
 * when a segment finds no connection, and sized on its own.
 *
 * Expiry: every record lives 2*MSL from the last FIN it saw, so a FIFO in
 * order of expiry is sorted by construction: append at entry, pop from the
 * head. A retransmitted FIN restarts 2*MSL (RFC 9293 3.10.7.4): the record
 * moves to the tail, which keeps the order. O(1) everywhere.
 *
 * With no record free, TIME-WAIT is skipped and the connection closed at
 * once, counted (TCP_TW_POOL_EMPTY), as Linux does ("time wait bucket
 * table overflow").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>

#include "ptcp_net.h"
#include "tcp_private.h"

static_assert(sizeof(struct ptcp_timewait) == 64, "a TIME-WAIT record is one cache line");

int
ptcp_tcp_timewait_init(struct ptcp_stack *st)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	struct ptcp_tcp *tcp = st->tcp;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(conf->max_time_wait, 8u),
		.key_len = sizeof(struct ptcp_flow),
		.hash_func = rte_hash_crc,
		.socket_id = conf->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	uint64_t heap0 = ptcp_heap_bytes();

	TAILQ_INIT(&tcp->timewait_fifo);
	snprintf(name, sizeof(name), "%.20s_tt", st->name);
	tcp->timewait_table = rte_hash_create(&hp);
	if (tcp->timewait_table == NULL)
		return -(rte_errno ? rte_errno : ENOMEM);
	snprintf(name, sizeof(name), "%.20s_tp", st->name);
	tcp->timewait_pool = rte_mempool_create(name, RTE_MAX(conf->max_time_wait, 1u),
						sizeof(struct ptcp_timewait), 0, 0, NULL, NULL,
						NULL, NULL, conf->socket_id,
						RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET |
						RTE_MEMPOOL_F_NO_SPREAD);
	if (tcp->timewait_pool == NULL) {
		rte_hash_free(tcp->timewait_table);
		tcp->timewait_table = NULL;
		return -(rte_errno ? rte_errno : ENOMEM);
	}
	tcp->timewait_mem = ptcp_heap_bytes() - heap0;
	return 0;
}

void
ptcp_tcp_timewait_fini(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;

	rte_hash_free(tcp->timewait_table);
	rte_mempool_free(tcp->timewait_pool);
	tcp->timewait_table = NULL;
	tcp->timewait_pool = NULL;
}

uint32_t
ptcp_tcp_timewait_count(const struct ptcp_stack *st)
{
	return st->tcp->ntimewait;
}

/*
 * A record whose 2*MSL ended holds nothing any more, even before the timer
 * pass that would free it: it is freed here and reads as absent. So a
 * segment of the tuple meets "no connection", and ptcp_connect's port
 * search (crr near ports / (2*MSL) connections per second) finds the port
 * free the moment it is.
 */
struct ptcp_timewait *
ptcp_tcp_timewait_lookup(struct ptcp_stack *st, const struct ptcp_flow *f)
{
	struct ptcp_timewait *tw;
	void *data;

	if (st->tcp->ntimewait == 0 || rte_hash_lookup_data(st->tcp->timewait_table, f, &data) < 0)
		return NULL;
	tw = data;
	if (unlikely(tw->expire <= st->now_us)) {
		PTCP_INC(st, TCP_TW_EXPIRED);
		ptcp_tcp_timewait_free(st, tw);
		return NULL;
	}
	return tw;
}

/* Restart 2*MSL: the record becomes the youngest, at the tail. */
static void
tw_restart(struct ptcp_stack *st, struct ptcp_timewait *tw)
{
	struct ptcp_tcp *tcp = st->tcp;

	TAILQ_REMOVE(&tcp->timewait_fifo, tw, link);
	tw->expire = st->now_us + 2 * PTCP_MS(st->conf.msl_ms);
	TAILQ_INSERT_TAIL(&tcp->timewait_fifo, tw, link);
}

/*
 * The connection entered TIME-WAIT during this segment and its final ACK
 * is sent: keep what TIME-WAIT needs in a record and close the connection
 * (on_closed(0) from the reap list), or detach it while the application
 * still has bytes to read. Without a free record TIME-WAIT is skipped.
 */
void
ptcp_tcp_timewait_from_conn(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_timewait *tw = NULL;
	void *obj;

	if (rte_mempool_get(tcp->timewait_pool, &obj) == 0) {
		tw = obj;
		memset(tw, 0, sizeof(*tw));
		tw->flow = c->flow;
		tw->snd_nxt = c->snd_max;
		tw->rcv_nxt = c->rcv_nxt;
		/* Windows as their 16-bit fields and shifts: the record stays one line. */
		tw->rcv_wscale = c->rcv_wscale;
		tw->snd_wscale = c->snd_wscale;
		tw->rcv_wnd = (uint16_t)RTE_MIN((ptcp_seq_gt(c->rcv_adv, c->rcv_nxt) ?
						 c->rcv_adv - c->rcv_nxt : 0) >> c->rcv_wscale,
						PTCP_TCP_MAX_WND);
		tw->max_snd_wnd = (uint16_t)RTE_MIN(((uint64_t)c->max_snd_wnd +
						     (1u << c->snd_wscale) - 1) >> c->snd_wscale,
						    (uint64_t)PTCP_TCP_MAX_WND);
		if (c->flags & PTCP_TF_TSTMP) {
			tw->flags |= TW_F_TSTMP;
			tw->ts_recent = c->ts_recent;
		}
		tw->oow_last = c->oow_last;
	}
	/* Out of the connection table first: the tuple lives on in one table only. */
	if (c->rcvq_bytes > 0 && (c->flags & PTCP_TF_APP_KNOWS) &&
	    !(c->flags & PTCP_TF_APP_CLOSED))
		ptcp_tcp_conn_detach(c);
	else
		ptcp_tcp_conn_closed(c, 0);
	if (tw != NULL && rte_hash_add_key_data(tcp->timewait_table, &tw->flow, tw) < 0) {
		rte_mempool_put(tcp->timewait_pool, tw);
		tw = NULL;
	}
	if (tw == NULL) {
		PTCP_INC(st, TCP_TW_POOL_EMPTY);
		return;
	}
	tcp->ntimewait++;
	tw->expire = st->now_us + 2 * PTCP_MS(st->conf.msl_ms);
	TAILQ_INSERT_TAIL(&tcp->timewait_fifo, tw, link);
}

void
ptcp_tcp_timewait_free(struct ptcp_stack *st, struct ptcp_timewait *tw)
{
	struct ptcp_tcp *tcp = st->tcp;

	TAILQ_REMOVE(&tcp->timewait_fifo, tw, link);
	rte_hash_del_key(tcp->timewait_table, &tw->flow);
	tcp->ntimewait--;
	rte_mempool_put(tcp->timewait_pool, tw);
}

/*
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with the window last advertised, and
 * timestamps if the connection had them (RFC 7323 3.2: on every segment).
 */
static void
tw_send_ack(struct ptcp_stack *st, const struct ptcp_timewait *tw)
{
	struct rte_mbuf *m = ptcp_mbuf_alloc(st);
	struct ptcp_tcp_opts opt = { 0 };
	uint32_t optlen = 0;
	uint8_t *p;

	if (m == NULL)
		return;
	if (tw->flags & TW_F_TSTMP) {
		opt.present = PTCP_TCPOPT_F_TS;
		opt.tsval = ptcp_tcp_ts_clock(st) + ptcp_tcp_ts_offset(st, &tw->flow);
		opt.tsecr = tw->ts_recent;
		optlen = ptcp_tcp_opts_len(&opt);
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(PTCP_TCP_HDR_LEN + optlen));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	if (optlen != 0)
		ptcp_tcp_opts_build(p + PTCP_TCP_HDR_LEN, &opt);
	ptcp_tcp_build(p, tw->flow.lport, tw->flow.rport, tw->snd_nxt, tw->rcv_nxt,
		       RTE_TCP_ACK_FLAG, tw->rcv_wnd, optlen);
	PTCP_INC(st, TCP_TX);
	ptcp_ipv4_output_from(st, m, tw->flow.laddr, tw->flow.raddr, IPPROTO_TCP);
}

/* One ACK per 500 ms for unacceptable segments, as for connections. */
static bool
tw_rate_limited(struct ptcp_stack *st, struct ptcp_timewait *tw)
{
	if (ptcp_tcp_ratelimited(st, &tw->oow_last)) {
		PTCP_INC(st, TCP_OOW_ACK_LIMIT);
		return true;
	}
	return false;
}

/* RFC 5961 7: the per-tuple and per-lcore limits of ptcp_tcp_send_challenge_ack. */
static void
tw_challenge_ack(struct ptcp_stack *st, struct ptcp_timewait *tw)
{
	if (tw_rate_limited(st, tw)) {
		PTCP_INC(st, TCP_CHALLENGE_LIMIT);
		return;
	}
	if (ptcp_tcp_challenge_budget(st))
		tw_send_ack(st, tw);
}

/* A FIN again: the peer lost our ACK. ACK it and restart 2*MSL. */
static void
tw_fin(struct ptcp_stack *st, struct ptcp_timewait *tw)
{
	PTCP_INC(st, TCP_TW_FIN_REACK);
	tw_restart(st, tw);
	tw_send_ack(st, tw);
}

/* RFC 9293 3.10.7.4 first check, as check_seq() in tcp_input.c. */
static bool
tw_seq_ok(const struct ptcp_timewait *tw, const struct ptcp_tcp_seg *seg, uint32_t seg_len)
{
	if (seg_len != 0 && tw->rcv_wnd == 0)
		return seg->seq == tw->rcv_nxt;   /* its control part only (zero window) */
	return ptcp_tcp_seq_acceptable(tw->rcv_nxt, (uint32_t)tw->rcv_wnd << tw->rcv_wscale,
				       seg->seq, seg_len, seg->flags & RTE_TCP_RST_FLAG);
}

/*
 * RFC 7323 5.3 R1 in TIME-WAIT: a segment whose TSval is older than
 * TS.Recent is an old duplicate (TS.Recent is fresh: the FIN that began
 * TIME-WAIT set it). R3: a newer one in sequence moves TS.Recent.
 */
static bool
tw_paws_reject(struct ptcp_stack *st, struct ptcp_timewait *tw, const struct ptcp_tcp_seg *seg)
{
	if (!(tw->flags & TW_F_TSTMP))
		return false;
	if (ptcp_tcp_ts_old(seg, tw->ts_recent)) {
		PTCP_INC(st, TCP_PAWS_DROP);
		return true;
	}
	if ((seg->opt.present & PTCP_TCPOPT_F_TS) && !(seg->flags & RTE_TCP_RST_FLAG) &&
	    ptcp_seq_le(seg->seq, tw->rcv_nxt))
		tw->ts_recent = seg->opt.tsval;
	return false;
}

/*
 * A segment for a tuple in TIME-WAIT (a SYN that may reopen it was handled
 * by the caller). RFC 9293 3.10.7.4 in TIME-WAIT, with RFC 5961 and RFC 1337:
 *   not acceptable: RST dropped, else ACK (a SYN: challenge ACK; anything
 *     but a plausible retransmission: at most one per 500 ms); a FIN (the
 *     retransmission of the peer's FIN, below RCV.NXT) restarts 2*MSL;
 *   RST: ignored (RFC 1337, TIME-WAIT assassination);
 *   SYN: challenge ACK (RFC 5961 4.2);
 *   no ACK bit: dropped; ACK outside SND.UNA - MAX.SND.WND .. SND.NXT:
 *     challenge ACK (RFC 5961 5.2; the full connection's limits apply);
 *   text: ignored; FIN: ACK and restart 2*MSL.
 */
void
ptcp_tcp_timewait_input(struct ptcp_stack *st, struct ptcp_timewait *tw,
			const struct ptcp_tcp_seg *seg)
{
	bool rst = seg->flags & RTE_TCP_RST_FLAG;
	uint32_t seg_len = seg->len + !!(seg->flags & RTE_TCP_SYN_FLAG) +
		!!(seg->flags & RTE_TCP_FIN_FLAG);

	if (tw_paws_reject(st, tw, seg)) {
		if (!tw_rate_limited(st, tw))
			tw_send_ack(st, tw);
		return;
	}
	if (!tw_seq_ok(tw, seg, seg_len)) {
		if (rst) {
			PTCP_INC(st, TCP_RST_RX);
			PTCP_INC(st, TCP_RST_IGNORED);   /* RFC 5961 3.2: out of window */
			return;
		}
		PTCP_INC(st, TCP_OUT_OF_WINDOW);
		if (seg->flags & RTE_TCP_FIN_FLAG) {
			PTCP_INC(st, TCP_TW_FIN_REACK);
			tw_restart(st, tw);   /* a retransmitted FIN restarts 2*MSL */
		}
		if (seg->flags & RTE_TCP_SYN_FLAG)
			tw_challenge_ack(st, tw);
		else if (ptcp_tcp_plausible_rexmit(st, tw->rcv_nxt, seg->seq, seg_len) || !tw_rate_limited(st, tw))
			tw_send_ack(st, tw);
		return;
	}
	if (rst) {
		PTCP_INC(st, TCP_RST_RX);
		PTCP_INC(st, TCP_RST_IGNORED);   /* RFC 1337 */
		return;
	}
	if (seg->flags & RTE_TCP_SYN_FLAG) {
		tw_challenge_ack(st, tw);
		return;
	}
	if (!(seg->flags & RTE_TCP_ACK_FLAG)) {
		PTCP_INC(st, TCP_NO_ACK_DROP);
		return;
	}
	if (ptcp_seq_gt(seg->ack, tw->snd_nxt) ||
	    ptcp_seq_lt(seg->ack, tw->snd_nxt - ((uint32_t)tw->max_snd_wnd << tw->snd_wscale))) {
		PTCP_INC(st, TCP_BAD_ACK);
		tw_challenge_ack(st, tw);
		return;
	}
	if (seg->len)
		PTCP_ADD(st, TCP_TEXT_AFTER_FIN, seg->len);
	if (seg->flags & RTE_TCP_FIN_FLAG)
		tw_fin(st, tw);
}

/* 2*MSL is over for the records at the head of the FIFO. */
void
ptcp_tcp_timewait_poll(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_timewait *tw;

	while ((tw = TAILQ_FIRST(&tcp->timewait_fifo)) != NULL && tw->expire <= st->now_us) {
		PTCP_INC(st, TCP_TW_EXPIRED);
		ptcp_tcp_timewait_free(st, tw);
	}
}
