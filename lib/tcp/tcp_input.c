/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_input.c - segment arrival (RFC 9293 3.10.7).
 *
 * Read first: RFC 9293 3.10.7 (the processing order followed here step by
 * step), RFC 5961 (blind RST/SYN/data injection: challenge ACKs and the
 * ACK acceptability range, folded into RFC 9293), RFC 6298 (RTT and RTO),
 * RFC 1122 4.2.2.13 (closing with unread data), RFC 1337 (TIME-WAIT
 * assassination).
 *
 * ptcp_tcp_input() -> checksum, parse -> lookup
 *   -> listen_input()     LISTEN and passive SYN-RECEIVED: tcp_syncache.c
 *                         (compact entries, SYN cookies); its completed
 *                         handshake comes back via ptcp_tcp_input_conn()
 *   -> syn_sent_input()   SYN-SENT
 *   -> sync_input()       every other state: sequence check, RST, SYN,
 *                         ACK, text, FIN
 *   -> events to the application, then ptcp_tcp_output() once, so data the
 *      application queues from a callback rides on the ACK.
 *
 * Options (tcp_opts.c): window scale applied to every non-SYN window
 * (ptcp_tcp_seg_wnd), PAWS before the sequence check and TS.Recent after
 * it (RFC 7323 5.3), timestamp RTT samples where Karn's rule leaves none,
 * duplicates and out-of-order arrivals noted for the SACK blocks of the ACK.
 *
 * Deviations, this version: data on a SYN is not accepted (the peer
 * resends it).
 */
#include <errno.h>
#include <string.h>

#include "ptcp_net.h"
#include "tcp_private.h"

/* Events for the application, delivered after the segment is processed. */
#define EV_ESTABLISHED (1u << 0)
#define EV_WRITABLE    (1u << 1)
#define EV_READABLE    (1u << 2)

/* Smallest send MSS we accept from a peer's option (Linux uses 48). */
#define PTCP_TCP_MIN_SND_MSS 64

/* Per-segment working state, trimmed as the RFC steps go. */
struct seg_ctx {
	struct ptcp_tcp_seg seg;         /* as received */
	uint32_t seq;                    /* first payload byte after trimming */
	uint32_t len;                    /* payload bytes after trimming */
	bool syn;
	bool fin;
	struct rte_mbuf *m;              /* payload (data at seq); NULL once consumed */
	unsigned int ev;
	bool psum_ok;                    /* psum: the sum of the whole payload as received */
	uint16_t psum;
};

/* Send MSS from the peer's MSS option (536 without one), within our own. */
uint16_t
ptcp_tcp_clamp_snd_mss(uint16_t peer_mss, uint16_t rcv_mss)
{
	peer_mss = RTE_MAX(peer_mss, (uint16_t)PTCP_TCP_MIN_SND_MSS);
	return RTE_MIN(peer_mss, rcv_mss);
}

static void
update_window(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg)
{
	c->snd_wnd = ptcp_tcp_seg_wnd(c, seg);
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	c->max_snd_wnd = RTE_MAX(c->max_snd_wnd, c->snd_wnd);
}

/* ---- Receive and send queues ------------------------------------------------ */

/* Cut a (chained) mbuf to its first len bytes, freeing what follows. */
void
ptcp_tcp_mbuf_cut(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m;

	m->pkt_len = len;
	while (seg != NULL && len > seg->data_len) {
		len -= seg->data_len;
		seg = seg->next;
	}
	if (seg == NULL)
		return;
	seg->data_len = (uint16_t)len;
	if (seg->next != NULL) {
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	for (m->nb_segs = 1, seg = m; seg->next != NULL; seg = seg->next)
		m->nb_segs++;
}

/* Drop the first n bytes of a (chained) payload mbuf; returns the new head. */
struct rte_mbuf *
ptcp_tcp_mbuf_skip(struct rte_mbuf *m, uint32_t n)
{
	while (m != NULL && n >= m->data_len && m->next != NULL) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		next->pkt_len = m->pkt_len - m->data_len;
		next->nb_segs = (uint16_t)(m->nb_segs - 1);
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	if (m != NULL) {
		n = RTE_MIN(n, (uint32_t)m->data_len);
		m->data_off = (uint16_t)(m->data_off + n);
		m->data_len = (uint16_t)(m->data_len - n);
		m->pkt_len -= n;
	}
	return m;
}

/* ---- LISTEN ----------------------------------------------------------------- */

/*
 * LISTEN and the passive SYN-RECEIVED state live in the SYN cache
 * (tcp_syncache.c): a SYN makes a compact entry or a SYN cookie, the
 * handshake's ACK makes the connection and comes back through
 * ptcp_tcp_input_conn(). min_iss, when nonzero, is a floor for the new ISS:
 * reopening a TIME-WAIT tuple needs an ISS beyond everything the old
 * incarnation sent (RFC 1122 4.2.2.13). Consumes m.
 */
static void
listen_input(struct ptcp_stack *st, struct ptcp_listener *l, const struct ptcp_flow *f,
	     const struct ptcp_ipv4_info *ip, const struct ptcp_tcp_seg *seg, struct rte_mbuf *m,
	     uint32_t min_iss)
{
	ptcp_tcp_syncache_input(st, l, f, ip, seg, m, min_iss);
}

/* ---- SYN-SENT (RFC 9293 3.10.7.3) -------------------------------------------- */

static void take_fin(struct ptcp_conn *c, struct seg_ctx *s, uint32_t fin_seq);

static void
established(struct ptcp_conn *c, struct seg_ctx *s)
{
	struct ptcp_stack *st = c->st;

	ptcp_tcp_set_state(c, PTCP_TCP_ESTABLISHED);
	if (c->flags & PTCP_TF_PASSIVE)
		PTCP_INC(st, TCP_ACCEPTED);
	else
		PTCP_INC(st, TCP_CONNECTED);
	/* RFC 6298 5.7: a retransmitted SYN leaves RTO at 3 s until a new sample. */
	if ((c->flags & PTCP_TF_SYN_REXMIT) && !(c->flags & PTCP_TF_RTT_VALID))
		c->rto_us = (uint32_t)PTCP_MS(3000);
	c->nrexmit = 0;
	/* Peer segment size estimate for delayed ACKs: grows with what arrives. */
	c->rcv_seg_mss = RTE_MIN(RTE_MIN(c->rcv_mss, c->snd_mss), (uint16_t)536);
	ptcp_tcp_cc_init(c);
	ptcp_tcp_recovery_init(c);
	ptcp_tcp_keepalive_arm(c);
	s->ev |= EV_ESTABLISHED;
	/* A shutdown requested during the handshake takes effect now. */
	if (c->flags & PTCP_TF_FIN_QUEUED)
		ptcp_tcp_set_state(c, PTCP_TCP_FIN_WAIT_1);
}

static void
syn_sent_input(struct ptcp_conn *c, struct seg_ctx *s, const struct ptcp_ipv4_info *ip)
{
	const struct ptcp_tcp_seg *seg = &s->seg;
	struct ptcp_stack *st = c->st;
	bool ack_ok = false;

	if (seg->flags & RTE_TCP_ACK_FLAG) {
		if (ptcp_seq_le(seg->ack, c->iss) || ptcp_seq_gt(seg->ack, c->snd_max)) {
			PTCP_INC(st, TCP_BAD_ACK);
			if (!(seg->flags & RTE_TCP_RST_FLAG))
				ptcp_tcp_reply_rst(st, ip, seg);
			return;
		}
		ack_ok = true;
	}
	if (seg->flags & RTE_TCP_RST_FLAG) {
		PTCP_INC(st, TCP_RST_RX);
		if (!ack_ok) {
			PTCP_INC(st, TCP_RST_IGNORED);
			return;
		}
		PTCP_INC(st, TCP_CONN_REFUSED);
		ptcp_tcp_conn_closed(c, -ECONNREFUSED);
		return;
	}
	if (!(seg->flags & RTE_TCP_SYN_FLAG)) {
		PTCP_INC(st, TCP_NO_SYN_DROP);   /* 3.10.7.3 fifth: neither SYN nor RST */
		return;
	}
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->rcv_acked = c->rcv_nxt;
	ptcp_tcp_opts_negotiate(c, &seg->opt);
	if (ack_ok) {
		c->snd_una = seg->ack;
		if ((c->flags & PTCP_TF_RTT_TIMING) && ptcp_seq_gt(seg->ack, c->rtt_seq)) {
			c->flags &= ~PTCP_TF_RTT_TIMING;
			ptcp_tcp_rtt_sample(c, (uint32_t)st->now_us - c->rtt_start);
		}
		ptcp_tcp_timer_stop(c, PTCP_TCP_T_REXMIT);
		update_window(c, seg);
		established(c, s);
		c->flags |= PTCP_TF_ACK_NOW;
		/*
		 * "If there are other controls or text in the segment, then continue
		 * processing at the sixth step": a FIN on the SYN,ACK closes the
		 * peer's side at once. Text on a SYN is not kept (the peer resends
		 * it), and a FIN behind such text waits for it.
		 */
		if (s->fin && seg->len == 0)
			take_fin(c, s, s->seq);
		return;
	}
	/* Simultaneous open: SYN-RECEIVED, SYN,ACK with our ISS. */
	update_window(c, seg);
	c->snd_wl2 = c->iss;
	ptcp_tcp_set_state(c, PTCP_TCP_SYN_RECEIVED);
	ptcp_tcp_send_syn(c);
	ptcp_tcp_rto_arm(c);
}

/* ---- Synchronized states (RFC 9293 3.10.7.4) --------------------------------- */

/* First: sequence number acceptability, then trim to the window. */
static bool
check_seq(struct ptcp_conn *c, struct seg_ctx *s)
{
	struct ptcp_stack *st = c->st;
	const struct ptcp_tcp_seg *seg = &s->seg;
	uint32_t wnd = ptcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t seg_len = seg->len + s->syn + s->fin;
	uint32_t wnd_end = c->rcv_nxt + wnd;
	bool ok = ptcp_tcp_seq_acceptable(c->rcv_nxt, wnd, seg->seq, seg_len,
					  seg->flags & RTE_TCP_RST_FLAG);

	/* "special allowance should be made to accept valid ACKs, URGs, and RSTs"
	 * with a zero window: keep the control part of a probe at RCV.NXT. */
	if (!ok && wnd == 0 && seg->seq == c->rcv_nxt) {
		/*
		 * A bare FIN at RCV.NXT is kept too: it needs no buffer space, and
		 * dropping it would leave the peer's close waiting on our reader
		 * (Linux accepts it the same way). A FIN behind dropped data cannot be.
		 */
		if (seg->len) {
			PTCP_INC(st, TCP_OUT_OF_WINDOW);
			s->fin = false;
		}
		s->len = 0;
		c->flags |= PTCP_TF_ACK_NOW;
		return true;
	}
	if (!ok) {
		if (seg->flags & RTE_TCP_RST_FLAG) {
			PTCP_INC(st, TCP_RST_RX);
			PTCP_INC(st, TCP_RST_IGNORED);   /* RFC 5961 3.2: out of window */
			return false;
		}
		PTCP_INC(st, TCP_OUT_OF_WINDOW);
		/* RFC 5961 4.2: a SYN gets a (rate-limited) challenge ACK at any sequence. */
		if (seg->flags & RTE_TCP_SYN_FLAG)
			ptcp_tcp_send_challenge_ack(c);
		else if (ptcp_tcp_plausible_rexmit(st, c->rcv_nxt, seg->seq, seg_len)) {
			c->flags |= PTCP_TF_ACK_NOW;
			if (seg->len)
				ptcp_tcp_dsack_note(c, s->seq, s->seq + seg->len);
		}
		else
			ptcp_tcp_send_oow_ack(c);
		return false;
	}
	/* Left edge: skip what was already received (SYN first, then bytes). */
	if (s->syn && ptcp_seq_lt(seg->seq, c->rcv_nxt))
		s->syn = false;
	if (ptcp_seq_lt(s->seq, c->rcv_nxt)) {
		uint32_t dup = RTE_MIN(c->rcv_nxt - s->seq, s->len);

		if (dup) {
			PTCP_ADD(st, TCP_DUP_DATA, dup);
			ptcp_tcp_dsack_note(c, s->seq, s->seq + dup);   /* RFC 2883 */
			c->flags |= PTCP_TF_ACK_NOW;   /* RFC 5681 4.2: ACK duplicates at once */
			s->len -= dup;
			s->seq += dup;
			if (s->m != NULL)
				s->m = ptcp_tcp_mbuf_skip(s->m, dup);
		}
	}
	/* Right edge: bytes beyond the window (and a FIN after them) are not kept. */
	if (s->len && ptcp_seq_gt(s->seq + s->len, wnd_end)) {
		uint32_t keep = ptcp_seq_gt(wnd_end, s->seq) ? wnd_end - s->seq : 0;

		PTCP_ADD(st, TCP_RCV_BUF_FULL, s->len - keep);
		s->len = keep;
		s->fin = false;
		c->flags |= PTCP_TF_ACK_NOW;
	}
	return true;
}

/* Second: RST (RFC 5961 3.2). Returns true if the segment is finished. */
static bool
check_rst(struct ptcp_conn *c, struct seg_ctx *s)
{
	struct ptcp_stack *st = c->st;

	if (!(s->seg.flags & RTE_TCP_RST_FLAG))
		return false;
	PTCP_INC(st, TCP_RST_RX);
	/* TIME-WAIT (RFC 1337: RSTs ignored) is a record by now: tcp_timewait.c. */
	if (s->seg.seq != c->rcv_nxt) {
		ptcp_tcp_send_challenge_ack(c);
		return true;
	}
	switch (c->state) {
	case PTCP_TCP_SYN_RECEIVED:
		/* Only a simultaneous open is a connection in SYN-RECEIVED (passive
		 * ones are SYN cache entries): the active open is refused. */
		PTCP_INC(st, TCP_CONN_REFUSED);
		ptcp_tcp_conn_closed(c, -ECONNREFUSED);
		return true;
	default:
		PTCP_INC(st, TCP_CONN_RESET);
		ptcp_tcp_conn_closed(c, -ECONNRESET);
		return true;
	}
}

/*
 * RFC 5681 section 2 "duplicate acknowledgment": data outstanding, no
 * payload, no SYN/FIN, SEG.ACK = SND.UNA, and the window unchanged.
 */
static bool
is_dupack(const struct ptcp_conn *c, const struct seg_ctx *s)
{
	const struct ptcp_tcp_seg *seg = &s->seg;

	return seg->ack == c->snd_una && c->snd_max != c->snd_una && seg->len == 0 &&
		!(seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) &&
		ptcp_tcp_seg_wnd(c, seg) == c->snd_wnd && seg->wnd != 0;   /* answers to zero-window probes say nothing of loss */
}

/*
 * RFC 7323 4 (RTTM): after a retransmission Karn's rule leaves the timed
 * segment without a sample, but the echoed TSval says which transmission
 * the ACK answers: RTT = now - TSecr (1 ms ticks; < 1 ms reads as 1 us, as
 * Linux). Samples from segments never retransmitted keep the microsecond
 * timing, so on short paths the timestamp clock does not coarsen SRTT.
 */
static uint32_t
rtt_from_ts(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg)
{
	uint32_t delta, rtt_us;

	if (!(c->flags & PTCP_TF_TSTMP) || !(seg->opt.present & PTCP_TCPOPT_F_TS) ||
	    seg->opt.tsecr == 0)
		return 0;
	delta = ptcp_tcp_tsval(c) - seg->opt.tsecr;
	if ((int32_t)delta < 0 || delta > c->st->conf.rto_max_ms) {
		PTCP_INC(c->st, TCP_RTT_TS_REJECT);   /* from the future, or older than any RTO */
		return 0;
	}
	PTCP_INC(c->st, TCP_RTT_TS_SAMPLE);
	rtt_us = delta != 0 ? delta * 1000u : 1u;
	ptcp_tcp_rtt_sample_ts(c, rtt_us);
	return rtt_us;
}

/* Fifth: the ACK field. Returns false if the segment is to be dropped. */
static bool
check_ack(struct ptcp_conn *c, struct seg_ctx *s, const struct ptcp_ipv4_info *ip)
{
	struct ptcp_stack *st = c->st;
	const struct ptcp_tcp_seg *seg = &s->seg;
	uint32_t ack = seg->ack;

	if (!(seg->flags & RTE_TCP_ACK_FLAG)) {
		PTCP_INC(st, TCP_NO_ACK_DROP);
		return false;
	}
	if (c->state == PTCP_TCP_SYN_RECEIVED) {
		if (!ptcp_seq_gt(ack, c->snd_una) || ptcp_seq_gt(ack, c->snd_max)) {
			PTCP_INC(st, TCP_BAD_ACK);
			ptcp_tcp_reply_rst(st, ip, seg);
			return false;
		}
		update_window(c, seg);
		established(c, s);
	}
	/* RFC 5961 5.2: SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT, else ACK and drop. */
	if (ptcp_seq_gt(ack, c->snd_max) || ptcp_seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		PTCP_INC(st, TCP_BAD_ACK);
		ptcp_tcp_send_challenge_ack(c);
		return false;
	}
	if (ptcp_seq_gt(ack, c->snd_una)) {
		uint32_t data_end = c->sndq_seq + c->sndq_bytes;
		uint32_t acked = ack - c->snd_una;
		uint32_t n = 0, rtt_us = 0;

		if (ptcp_seq_gt(ack, c->sndq_seq))
			n = RTE_MIN(ack - c->sndq_seq, c->sndq_bytes);
		if (n) {
			ptcp_tcp_sndq_trim(c, n);
			s->ev |= EV_WRITABLE;
		}
		/* RTT sample only from segments never retransmitted (Karn). */
		if ((c->flags & PTCP_TF_RTT_TIMING) && ptcp_seq_gt(ack, c->rtt_seq)) {
			c->flags &= ~PTCP_TF_RTT_TIMING;
			ptcp_tcp_pmtu_timed_acked(c);
			rtt_us = (uint32_t)st->now_us - c->rtt_start;
			ptcp_tcp_rtt_sample(c, rtt_us);
		} else if (c->nrexmit != 0 || (c->flags & PTCP_TF_RECOVERY)) {
			rtt_us = rtt_from_ts(c, seg);
		}
		c->snd_una = ack;
		if (ptcp_seq_lt(c->snd_nxt, ack))
			c->snd_nxt = ack;
		c->nrexmit = 0;
		c->persist_shift = 0;
		ptcp_tcp_recovery_on_ack(c, acked, rtt_us, seg);
		/* RFC 6298 5.2 / 5.3 */
		if (c->snd_una == c->snd_max)
			ptcp_tcp_timer_stop(c, PTCP_TCP_T_REXMIT);
		else
			ptcp_tcp_rto_arm(c);
		/* RFC 8985 7.2: the probe is timed against the RTO just restarted. */
		if (c->flags & PTCP_TF_SACK_PERMIT)
			ptcp_tcp_rack_arm(c);
		/* Our FIN is acknowledged when the ACK covers the byte after the data. */
		if ((c->flags & PTCP_TF_FIN_QUEUED) && ptcp_seq_gt(ack, data_end)) {
			switch (c->state) {
			case PTCP_TCP_FIN_WAIT_1:
				ptcp_tcp_set_state(c, PTCP_TCP_FIN_WAIT_2);
				ptcp_tcp_fin_wait_2_arm(c);
				break;
			case PTCP_TCP_CLOSING:
				ptcp_tcp_enter_time_wait(c);
				break;
			case PTCP_TCP_LAST_ACK:
				ptcp_tcp_conn_closed(c, 0);
				return false;
			default:
				break;
			}
		}
	} else if ((c->flags & PTCP_TF_SACK_PERMIT) && ack == c->snd_una) {
		ptcp_tcp_recovery_on_sack_dupack(c, seg, is_dupack(c, s));
	} else if (is_dupack(c, s)) {
		ptcp_tcp_recovery_on_dupack(c);
	}
	/* The peer answers: probes (persist, keepalive) are not unanswered. */
	c->nprobe = 0;
	/* SND.WL1/WL2 rule: only a newer segment updates the window. */
	if (ptcp_seq_ge(ack, c->snd_una) &&
	    (ptcp_seq_lt(c->snd_wl1, seg->seq) ||
	     (c->snd_wl1 == seg->seq && ptcp_seq_le(c->snd_wl2, ack)))) {
		if (ptcp_tcp_seg_wnd(c, seg) > c->snd_wnd)
			s->ev |= EV_WRITABLE;
		update_window(c, seg);
	}
	return true;
}

/*
 * RFC 9293 3.8.6.3 / RFC 5681 4.2: ACK at least every second full-sized
 * segment, otherwise within conf.delack_ms.
 */
static void
ack_delayed(struct ptcp_conn *c, uint32_t len)
{
	/*
	 * "Full-sized" is the peer's segment size, estimated as the largest
	 * payload seen (capped by what we announced), as Linux's rcv_mss: a
	 * peer sending 536-byte segments gets every second one ACKed too.
	 */
	if (len > c->rcv_seg_mss)
		c->rcv_seg_mss = (uint16_t)RTE_MIN(len, (uint32_t)c->rcv_mss);
	if (c->st->conf.quickack || c->rcv_nxt - c->rcv_acked >= 2u * c->rcv_seg_mss) {
		c->flags |= PTCP_TF_ACK_NOW;
		return;
	}
	if (!(c->flags & PTCP_TF_DELACK)) {
		c->flags |= PTCP_TF_DELACK;
		ptcp_tcp_timer_set(c, PTCP_TCP_T_DELACK,
				   c->st->now_us + PTCP_MS(c->st->conf.delack_ms));
	}
}

/*
 * In-order data inside the window is kept whatever the memory budgets say
 * (what was advertised stays promised), except when the pool itself is
 * down to its reserve: holding the segment then would let the RX ring's
 * refills empty the pool and the lcore go deaf. A payload that fits the
 * receive queue's tail room costs no mbuf and is always kept.
 */
static bool
rcvq_can_take(const struct ptcp_conn *c, uint32_t len)
{
	const struct rte_mbuf *tail = c->rcvq_tail;

	if (likely(ptcp_pool_avail(c->st) > c->st->conf.mbuf_reserve))
		return true;
	return tail != NULL && len <= rte_pktmbuf_tailroom(tail) && RTE_MBUF_DIRECT(tail) &&
		rte_mbuf_refcnt_read(tail) == 1;
}

/* Seventh: segment text. Consumes s->m when the payload is kept. */
static void
take_text(struct ptcp_conn *c, struct seg_ctx *s)
{
	struct ptcp_stack *st = c->st;

	if (s->len == 0)
		return;
	switch (c->state) {
	case PTCP_TCP_ESTABLISHED:
	case PTCP_TCP_FIN_WAIT_1:
	case PTCP_TCP_FIN_WAIT_2:
		break;
	default:
		/* After the peer's FIN no text can be valid: ignore it. */
		PTCP_ADD(c->st, TCP_TEXT_AFTER_FIN, s->len);
		s->len = 0;
		return;
	}
	if (c->flags & PTCP_TF_APP_CLOSED) {
		/* RFC 1122 4.2.2.13: data for a closed application resets. */
		ptcp_tcp_send_rst(c);
		ptcp_tcp_conn_closed(c, -ECONNABORTED);
		return;
	}
	ptcp_tcp_mbuf_cut(s->m, s->len);
	if (s->seq != c->rcv_nxt) {
		/* Beyond a gap: hold it; the immediate duplicate ACK asks for the gap. */
		ptcp_tcp_sack_note(c, s->seq);
		ptcp_tcp_reass_insert(c, s->m, s->seq, s->len);
		s->m = NULL;
		c->flags |= PTCP_TF_ACK_NOW;
		return;
	}
	if (unlikely(!rcvq_can_take(c, s->len))) {
		/* The pool is down to its reserve: the peer sends it again. */
		PTCP_ADD(st, TCP_RCV_DROP_MEM, s->len);
		s->len = 0;
		s->fin = false;
		c->flags |= PTCP_TF_ACK_NOW;
		return;
	}
	/* The payload's sum is kept only if nothing of it was trimmed (both trims cut len). */
	ptcp_tcp_rcvq_append(c, s->m, s->len,
			     s->psum_ok && s->len == s->seg.len ? &s->psum : NULL);
	s->m = NULL;
	c->rcv_nxt += s->len;
	PTCP_ADD(st, TCP_DATA_RX, s->len);
	s->ev |= EV_READABLE;
	if (c->ooo_head != NULL) {
		ptcp_tcp_reass_drain(c);
		/* In-order data is never dropped for memory: out-of-order data goes first. */
		ptcp_tcp_reass_prune(c, c->rcv_nxt);
		c->flags |= PTCP_TF_ACK_NOW;   /* RFC 5681 4.2: a filled gap is ACKed at once */
	} else {
		ack_delayed(c, s->len);
	}
}

/* Eighth: FIN, in order now or once the data before it has arrived. */
static void
take_fin(struct ptcp_conn *c, struct seg_ctx *s, uint32_t fin_seq)
{
	switch (c->state) {
	case PTCP_TCP_CLOSED:
		return;
	case PTCP_TCP_CLOSE_WAIT:
	case PTCP_TCP_CLOSING:
	case PTCP_TCP_LAST_ACK:
	case PTCP_TCP_TIME_WAIT:
		/*
		 * The peer's FIN is in: another FIN (a new sequence number, since a
		 * retransmission is out of window) ends nothing, as Linux tcp_fin():
		 * RCV.NXT stays and no out-of-order FIN is recorded. ACK it.
		 */
		if (s->fin) {
			PTCP_INC(c->st, TCP_FIN_AFTER_FIN);
			c->flags |= PTCP_TF_ACK_NOW;
		}
		return;
	default:
		break;
	}
	if (s->fin && ptcp_seq_gt(fin_seq, c->rcv_nxt)) {
		c->flags |= PTCP_TF_ACK_NOW;   /* RFC 5681 4.2 duplicate ACK */
		if (!(c->flags & PTCP_TF_FIN_OOO)) {
			/* The first FIN marks the end: held data beyond it goes. */
			c->flags |= PTCP_TF_FIN_OOO;
			c->ooo_fin_seq = fin_seq;
			ptcp_tcp_reass_cut(c, fin_seq);
		}
		return;
	}
	if (s->fin && fin_seq == c->rcv_nxt) {
		c->flags &= ~PTCP_TF_FIN_OOO;
		ptcp_tcp_reass_free(c);   /* nothing after a FIN is data */
	} else if ((c->flags & PTCP_TF_FIN_OOO) && c->ooo_fin_seq == c->rcv_nxt) {
		c->flags &= ~PTCP_TF_FIN_OOO;
		ptcp_tcp_reass_free(c);   /* nothing after a FIN is data */
	} else {
		return;
	}
	c->rcv_nxt++;
	c->flags |= PTCP_TF_ACK_NOW;
	s->ev |= EV_READABLE;
	switch (c->state) {
	case PTCP_TCP_SYN_RECEIVED:
	case PTCP_TCP_ESTABLISHED:
		ptcp_tcp_set_state(c, PTCP_TCP_CLOSE_WAIT);
		break;
	case PTCP_TCP_FIN_WAIT_1:
		/* Our FIN not yet acknowledged (else we would be in FIN-WAIT-2). */
		ptcp_tcp_set_state(c, PTCP_TCP_CLOSING);
		break;
	case PTCP_TCP_FIN_WAIT_2:
		ptcp_tcp_enter_time_wait(c);
		break;
	default:
		break;
	}
}

/*
 * RFC 9293 3.10.7.4: the FIN is the last octet of the peer's stream. Once
 * one is known beyond a gap, bytes at or after it are not data: trim them
 * (and any later FIN) and ACK, so the FIN is processed at its own sequence
 * number and RCV.NXT never passes it.
 */
static void
trim_beyond_fin(struct ptcp_conn *c, struct seg_ctx *s)
{
	uint32_t fin = c->ooo_fin_seq, keep;

	if (!(c->flags & PTCP_TF_FIN_OOO))
		return;
	if (s->fin && s->seq + s->len != fin)
		s->fin = false;
	if (s->len == 0 || ptcp_seq_le(s->seq + s->len, fin))
		return;
	keep = ptcp_seq_gt(fin, s->seq) ? fin - s->seq : 0;
	PTCP_ADD(c->st, TCP_OOO_BEYOND_FIN, s->len - keep);
	s->len = keep;
	c->flags |= PTCP_TF_ACK_NOW;
}

static void
sync_input(struct ptcp_conn *c, struct seg_ctx *s, const struct ptcp_ipv4_info *ip)
{
	uint32_t fin_seq;

	/*
	 * A duplicate of the SYN that made us SYN-RECEIVED (a simultaneous
	 * open; passive opens live in the SYN cache): our SYN,ACK was lost. At
	 * most one answer per 500 ms, as the SYN cache does.
	 */
	if (c->state == PTCP_TCP_SYN_RECEIVED && s->syn &&
	    !(s->seg.flags & (RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) && s->seg.seq == c->irs) {
		if (ptcp_tcp_ratelimited(c->st, &c->oow_last)) {
			PTCP_INC(c->st, TCP_SYNACK_DUP_LIMIT);
			return;
		}
		PTCP_INC(c->st, TCP_SYNACK_DUP_RESEND);
		c->flags |= PTCP_TF_SYN_REXMIT;
		ptcp_tcp_send_syn(c);
		return;
	}
	if (c->flags & PTCP_TF_TSTMP) {
		/* RFC 7323 3.2: once negotiated, every non-RST segment carries timestamps. */
		if (!(s->seg.opt.present & PTCP_TCPOPT_F_TS) &&
		    !(s->seg.flags & RTE_TCP_RST_FLAG)) {
			PTCP_INC(c->st, TCP_TS_MISSING);
			return;
		}
		/* RFC 7323 5.3 R1 (PAWS): an old duplicate; ACK it (rate-limited), drop it. */
		if (ptcp_tcp_paws_reject(c, &s->seg)) {
			PTCP_INC(c->st, TCP_PAWS_DROP);
			ptcp_tcp_send_oow_ack(c);
			return;
		}
	}
	if (!check_seq(c, s))
		return;
	ptcp_tcp_ts_update(c, &s->seg);   /* RFC 7323 5.3 R3 */
	if (check_rst(c, s))
		return;
	/* Fourth: a SYN in a synchronized state gets a challenge ACK (RFC 5961 4.2),
	 * whatever its sequence number. */
	if (s->seg.flags & RTE_TCP_SYN_FLAG) {
		ptcp_tcp_send_challenge_ack(c);
		return;
	}
	if (!check_ack(c, s, ip))
		return;
	trim_beyond_fin(c, s);
	fin_seq = s->seq + s->len;
	take_text(c, s);
	take_fin(c, s, fin_seq);
}

/* ---- Entry ------------------------------------------------------------------ */

static void
notify(struct ptcp_conn *c, unsigned int ev)
{
	const struct ptcp_conn_ops *ops = c->ops;

	if (ev & EV_ESTABLISHED) {
		c->flags |= PTCP_TF_APP_KNOWS;
		if (ops != NULL && ops->on_established != NULL)
			ops->on_established(c, c->arg);
	}
	if (ops == NULL || !(c->flags & PTCP_TF_APP_KNOWS))
		return;
	if ((ev & EV_WRITABLE) && c->state != PTCP_TCP_CLOSED && ops->on_writable != NULL)
		ops->on_writable(c, c->arg);
	if ((ev & EV_READABLE) && c->state != PTCP_TCP_CLOSED &&
	    !(c->flags & PTCP_TF_APP_CLOSED) && ops->on_readable != NULL)
		ops->on_readable(c, c->arg);
}

/*
 * One output pass per flow per burst: when more segments of this flow
 * follow in the receive burst (tcp->pre_more) and this one left the
 * connection ESTABLISHED with nothing but readable/writable news, the
 * callbacks and the output wait for the flow's last segment, or for
 * ptcp_tcp_defer_flush() at the end of the burst should that segment not
 * reach TCP. An echo then answers the burst's requests of one connection
 * with one segment, as an application reading a socket once would, and
 * one ACK covers them (Linux's GRO has the same effect). Returns true
 * when deferred.
 */
static bool
defer(struct ptcp_conn *c, const struct seg_ctx *s)
{
	struct ptcp_tcp *tcp = c->st->tcp;

	/*
	 * Only in-order news: a segment that owes an immediate ACK (a duplicate
	 * ACK for the sender's fast retransmit, a window update) or left data
	 * out of order is answered at once, one ACK per segment as RFC 5681 4.2
	 * asks.
	 */
	if (!tcp->pre_more || c->state != PTCP_TCP_ESTABLISHED ||
	    (s->ev & ~(EV_READABLE | EV_WRITABLE)) != 0 || !(c->flags & PTCP_TF_APP_KNOWS) ||
	    (c->flags & PTCP_TF_ACK_NOW) || c->ooo_head != NULL)
		return false;
	if (s->ev & EV_READABLE)
		c->flags |= PTCP_TF_DEFER_RD;
	if (s->ev & EV_WRITABLE)
		c->flags |= PTCP_TF_DEFER_WR;
	if (!(c->flags & PTCP_TF_DEFERRED)) {
		c->flags |= PTCP_TF_DEFERRED;
		tcp->pre_defer[tcp->pre_ndefer++] = c;   /* once per key: fits */
	}
	PTCP_INC(c->st, TCP_OUTPUT_DEFERRED);
	return true;
}

/* The events a connection deferred, taken off it. */
static unsigned int
deferred_ev(struct ptcp_conn *c)
{
	unsigned int ev = 0;

	if (c->flags & PTCP_TF_DEFER_RD)
		ev |= EV_READABLE;
	if (c->flags & PTCP_TF_DEFER_WR)
		ev |= EV_WRITABLE;
	c->flags &= ~(PTCP_TF_DEFERRED | PTCP_TF_DEFER_RD | PTCP_TF_DEFER_WR);
	return ev;
}

void
ptcp_tcp_defer_flush(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	uint16_t i;

	for (i = 0; i < tcp->pre_ndefer; i++) {
		struct ptcp_conn *c = tcp->pre_defer[i];
		unsigned int ev;

		if (!(c->flags & PTCP_TF_DEFERRED))
			continue;   /* its last segment delivered them */
		ev = deferred_ev(c);
		if (c->state == PTCP_TCP_CLOSED)
			continue;
		notify(c, ev);
		if (c->state != PTCP_TCP_CLOSED)
			ptcp_tcp_output(c);
	}
	tcp->pre_ndefer = 0;
}

static void
conn_input(struct ptcp_conn *c, struct seg_ctx *s, const struct ptcp_ipv4_info *ip)
{
	c->flags |= PTCP_TF_IN_INPUT;
	c->last_rx = c->st->now_us;
	if (c->state == PTCP_TCP_SYN_SENT)
		syn_sent_input(c, s, ip);
	else
		sync_input(c, s, ip);
	if (c->state != PTCP_TCP_CLOSED && defer(c, s)) {
		c->flags &= ~PTCP_TF_IN_INPUT;
		return;
	}
	if (c->flags & PTCP_TF_DEFERRED)
		s->ev |= deferred_ev(c);
	if (c->state != PTCP_TCP_CLOSED)
		notify(c, s->ev);
	c->flags &= ~PTCP_TF_IN_INPUT;
	if (c->state != PTCP_TCP_CLOSED)
		ptcp_tcp_output(c);
	/* Events delivered and the final ACK sent: TIME-WAIT needs no more than a record. */
	if (c->state == PTCP_TCP_TIME_WAIT)
		ptcp_tcp_timewait_from_conn(c);
}

/*
 * A SYN in TIME-WAIT may open a new connection when a listener exists and
 * either (RFC 6191) both incarnations use timestamps and its TSval is
 * newer than TS.Recent, or (without timestamps: the classic BSD rule) its
 * ISN lies beyond everything of the old connection.
 */
static bool
tw_reusable(struct ptcp_stack *st, const struct ptcp_timewait *tw,
	    const struct ptcp_tcp_seg *seg)
{
	if ((seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) !=
	    RTE_TCP_SYN_FLAG || ptcp_tcp_listener_find(st, seg->dport) == NULL)
		return false;
	if ((tw->flags & TW_F_TSTMP) && (seg->opt.present & PTCP_TCPOPT_F_TS))
		return (int32_t)(seg->opt.tsval - tw->ts_recent) > 0;   /* RFC 6191 2 */
	return ptcp_seq_gt(seg->seq, tw->rcv_nxt);
}

/*
 * A segment for a tuple in TIME-WAIT (tcp_timewait.c). A SYN that may
 * reopen it goes to the listener (RFC 1122 4.2.2.13 / RFC 6191) with an ISS
 * beyond the old SND.NXT plus a maximum window (as Linux); the record is
 * consumed only if the SYN was accepted (a SYN cache entry made): a SYN
 * dropped (no room; a SYN cookie cannot keep the ISS floor, so none is
 * sent) leaves the old incarnation in TIME-WAIT, still answering.
 */
static void
time_wait_input(struct ptcp_stack *st, struct ptcp_timewait *tw, const struct ptcp_flow *f,
		const struct ptcp_ipv4_info *ip, const struct ptcp_tcp_seg *seg, struct rte_mbuf *m)
{
	uint32_t min_iss;

	if (!tw_reusable(st, tw, seg)) {
		ptcp_tcp_timewait_input(st, tw, seg);
		rte_pktmbuf_free(m);
		return;
	}
	min_iss = tw->snd_nxt + PTCP_TCP_MAX_WND + 2;
	if (min_iss == 0)
		min_iss = 1;
	listen_input(st, ptcp_tcp_listener_find(st, seg->dport), f, ip, seg, m, min_iss);
	/* Accepted: a SYN cache entry (or a connection) now holds the tuple. */
	if (!ptcp_tcp_syncache_has(st, f) && ptcp_tcp_conn_lookup(st, f) == NULL) {
		PTCP_INC(st, TCP_TW_REUSE_DROP);
		return;
	}
	PTCP_INC(st, TCP_TW_REUSE);
	ptcp_tcp_timewait_free(st, tw);
}

/* s->seg parsed, m the segment from its TCP header (consumed): process it on c. */
static void
seg_input(struct ptcp_conn *c, struct seg_ctx *s, struct rte_mbuf *m,
	  const struct ptcp_ipv4_info *ip)
{
	const struct ptcp_tcp_seg *seg = &s->seg;

	s->seq = seg->seq;
	s->len = seg->len;
	s->syn = (seg->flags & RTE_TCP_SYN_FLAG) != 0;
	s->fin = (seg->flags & RTE_TCP_FIN_FLAG) != 0;
	if (s->syn)
		s->seq++;   /* s->seq is the first payload byte */
	s->m = ptcp_tcp_mbuf_skip(m, seg->hdr_len);
	conn_input(c, s, ip);
	if (s->m != NULL)
		rte_pktmbuf_free(s->m);
}

/* The verdicts of cksum_check(). */
enum cksum_verdict {
	CKSUM_BAD,
	CKSUM_GOOD_NIC,      /* the NIC vouched: the payload's sum stays unknown */
	CKSUM_GOOD_SW,       /* summed here: the payload's sum follows from the header */
};

static enum cksum_verdict
cksum_check(struct ptcp_stack *st, const struct rte_mbuf *m, const struct ptcp_ipv4_info *ip)
{
	if (st->conf.offloads & PTCP_OFFLOAD_RX_L4_CKSUM) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

		if (f == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
			return CKSUM_GOOD_NIC;
		if (f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
			return CKSUM_BAD;
	}
	return ptcp_l4_cksum_mbuf(m, 0, ip->src, ip->dst, IPPROTO_TCP,
				  rte_pktmbuf_pkt_len(m)) == 0 ? CKSUM_GOOD_SW : CKSUM_BAD;
}

void
ptcp_tcp_input(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip)
{
	uint8_t hdr_buf[PTCP_TCP_MAX_HDR_LEN];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	/*
	 * Not zeroed as a whole (104 bytes, a `rep stos` of 30-odd cycles per
	 * segment): the parser writes every field of s.seg, seg_input the
	 * trimmed view, and the rest is set here.
	 */
	struct seg_ctx s;
	struct ptcp_tcp_seg *seg = &s.seg;
	enum cksum_verdict ck;
	const void *hdr;
	struct ptcp_flow f;
	struct ptcp_conn *c;
	bool known;

	s.ev = 0;
	s.psum_ok = false;
	s.psum = 0;
	PTCP_INC(st, TCP_RX);
	st->tcp->sack_conn = NULL;   /* what a segment notes for its ACK is its own */
	ck = cksum_check(st, m, ip);
	if (unlikely(ck == CKSUM_BAD)) {
		PTCP_DROP(st, m, TCP_BAD_CSUM);
		return;
	}
	hdr = rte_pktmbuf_read(m, 0, RTE_MIN(len, PTCP_TCP_MAX_HDR_LEN), hdr_buf);
	if (unlikely(hdr == NULL || ptcp_tcp_parse(hdr, len, seg) != 0 ||
		     seg->sport == 0 || seg->dport == 0)) {
		PTCP_DROP(st, m, TCP_BAD_HDR);
		return;
	}
	/*
	 * The whole segment was just summed: its payload's sum costs header
	 * arithmetic only (RFC 1624), and lets an echo of this payload skip
	 * summing it again (tcp_queue.c ptcp_tcp_sndq_sum). One buffer only:
	 * a chain would need a sum per segment.
	 */
	if (ck == CKSUM_GOOD_SW && seg->len != 0 && m->nb_segs == 1 && ptcp_mbuf_sum_flag != 0) {
		s.psum = ptcp_l4_payload_sum(ip->src, ip->dst, IPPROTO_TCP, len, hdr,
					     seg->hdr_len);
		s.psum_ok = true;
	}
	f.laddr = ip->dst;
	f.raddr = ip->src;
	f.lport = seg->dport;
	f.rport = seg->sport;
	ptcp_tcp_enter(st);
	c = ptcp_tcp_prelooked(st, m, &f, &known);
	if (!known)
		c = ptcp_tcp_conn_lookup(st, &f);
	if (c == NULL) {
		st->tcp->pre_more = false;
		/* No connection: the tuple may be in TIME-WAIT (its own table). */
		struct ptcp_timewait *tw = ptcp_tcp_timewait_lookup(st, &f);
		struct ptcp_listener *l = ptcp_tcp_listener_find(st, seg->dport);

		if (tw != NULL) {
			time_wait_input(st, tw, &f, ip, seg, m);
		} else if (l != NULL) {
			listen_input(st, l, &f, ip, seg, m, 0);
		} else {
			/* RFC 9293 3.10.7.1: CLOSED. An incoming RST is never answered. */
			PTCP_INC(st, TCP_NO_CONN);
			if (seg->flags & RTE_TCP_RST_FLAG)
				PTCP_INC(st, TCP_RST_RX);
			else
				ptcp_tcp_reply_rst(st, ip, seg);
			rte_pktmbuf_free(m);
		}
		ptcp_tcp_leave(st);
		return;
	}
	seg_input(c, &s, m, ip);
	st->tcp->pre_more = false;
	ptcp_tcp_leave(st);
}

/* The segment (m: data at the TCP header; consumed) for connection c. */
void
ptcp_tcp_input_conn(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg, struct rte_mbuf *m,
		    const struct ptcp_ipv4_info *ip)
{
	struct seg_ctx s = { .seg = *seg };

	seg_input(c, &s, m, ip);
}
