/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_rack.c - RFC 8985 RACK-TLP for connections that negotiated SACK:
 * time-based loss detection with a reordering window, detection of lost
 * retransmissions, and the tail loss probe.
 *
 * Call order:
 *   tcp_sack.c Update() -> ptcp_tcp_rack_delivered() for newly SACKed or
 *     acknowledged ranges -> deadlines in the scoreboard
 *   tcp_output.c / tcp_sack.c -> ptcp_tcp_rack_arm(): PTCP_TCP_T_RACK at the
 *     earliest deadline, else at the PTO
 *   tcp_timer.c -> ptcp_tcp_rack_timeout(): mark lost and resend
 *     (ptcp_tcp_sack_lost_marked), or send the probe
 *
 * Transmit times without a per-segment record. RFC 8985 keeps the last
 * transmit time of every segment; here segments are bytes of one send
 * queue whose mbufs do not match segment boundaries, and a record per
 * segment is the per-packet state this stack avoids. What RACK needs of
 * those times is their order, and that order is known from sequence
 * numbers: first transmissions leave in sequence order, and the
 * retransmissions of one recovery leave in sequence order after them
 * (HighRxt only grows). So:
 *   - a newly SACKed range [l, r) was sent after every unSACKed byte below
 *     l that was not retransmitted; with T the time the SACK is seen, RFC
 *     8985's rule "lost when now >= xmit_ts + RACK.rtt + reo_wnd", where
 *     xmit_ts <= RACK.xmit_ts = T - RACK.rtt, holds at the latest at
 *     T + reo_wnd: those holes are marked lost at T + reo_wnd (never
 *     earlier than RFC 8985 would);
 *   - a transmission after the retransmissions below C (the first new
 *     data after them, and the latest retransmission, remembered in the
 *     scoreboard): when it is delivered, the unSACKed retransmitted bytes
 *     below C are lost once reo_wnd has passed (RFC 8985 lost
 *     retransmission detection).
 * The cost is one pair of deadlines and one marker in the scoreboard,
 * which exists only while there is something SACKed to order by.
 *
 * RACK.min_RTT is the smallest RTT sample (conn->rack_min_rtt_us, set
 * in ptcp_tcp_rtt_sample), not windowed. The RACK timer is independent of
 * the RTO: one wheel slot (PTCP_TCP_T_RACK, shared with FIN-WAIT-2, see
 * tcp_private.h) carrying the reordering deadline, else the probe timeout.
 */
#include "tcp_private.h"

/* RFC 8985 6.2.4: recoveries a widened reordering window lasts. */
#define PTCP_RACK_REO_PERSIST 16

uint32_t
ptcp_tcp_rack_reo_wnd(const struct ptcp_conn *c)
{
	uint32_t base = c->rack_min_rtt_us != 0 ? c->rack_min_rtt_us : c->srtt_us;
	uint64_t w = (uint64_t)(base / 4) * (1u + c->rack_reo_mult);

	/* RFC 8985 6.2.4: "RACK.reo_wnd = min(RACK.reo_wnd, SRTT)". */
	return (uint32_t)RTE_MIN(w, (uint64_t)c->srtt_us);
}

void
ptcp_tcp_rack_dsack(struct ptcp_conn *c)
{
	/*
	 * RFC 8985 6.2.4: reo_wnd_mult grows by one per D-SACK (the SRTT cap
	 * bounds it), and falls back to 1 after 16 recoveries without one.
	 */
	if (c->rack_reo_mult < UINT8_MAX)
		c->rack_reo_mult++;
	c->rack_reo_persist = PTCP_RACK_REO_PERSIST;
}

void
ptcp_tcp_rack_recovery(struct ptcp_conn *c)
{
	if (c->rack_reo_persist != 0 && --c->rack_reo_persist == 0)
		c->rack_reo_mult = 0;
}

void
ptcp_tcp_rack_reset(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;

	if (sb != NULL) {
		sb->reo_n = 0;
		sb->rerxt_pending = 0;
		sb->rxt_mark_valid = 0;
		sb->last_rxt_valid = 0;
		sb->rerxt_end = sb->rerxt_from;
	}
	c->tlp_flags = 0;
}

/* Retransmissions below cover are lost at deadline unless SACKed by then. */
static void
relose(struct ptcp_sack_sb *sb, uint32_t cover, uint64_t deadline)
{
	if (!sb->rerxt_pending) {
		sb->rerxt_pending = 1;
		sb->rerxt_deadline = deadline;
		sb->rerxt_cover = cover;
	} else {
		sb->rerxt_cover = ptcp_seq_max(sb->rerxt_cover, cover);
	}
}

void
ptcp_tcp_rack_delivered(struct ptcp_conn *c, uint32_t l, uint32_t r)
{
	struct ptcp_sack_sb *sb = c->sb;
	uint64_t deadline;

	if (sb == NULL)
		return;
	deadline = c->st->now_us + ptcp_tcp_rack_reo_wnd(c);
	if (sb->rxt_mark_valid && ptcp_seq_gt(r, sb->rxt_new_seq)) {
		sb->rxt_mark_valid = 0;
		relose(sb, sb->rxt_cover, deadline);
	}
	if (sb->last_rxt_valid && ptcp_seq_lt(l, sb->last_rxt_end) &&
	    ptcp_seq_gt(r, sb->last_rxt_seq) &&
	    c->st->now_us - sb->last_rxt_ts >= c->rack_min_rtt_us) {
		sb->last_rxt_valid = 0;
		relose(sb, sb->last_rxt_cover, deadline);
	}
	if (!ptcp_seq_gt(l, sb->lost_end))
		return;
	if (sb->reo_n == 0 || (sb->reo_n == 1 && ptcp_seq_gt(l, sb->reo_end[0]))) {
		sb->reo_end[sb->reo_n] = l;
		sb->reo_deadline[sb->reo_n] = deadline;
		sb->reo_n++;
	} else if (sb->reo_n == 2 && ptcp_seq_gt(l, sb->reo_end[1])) {
		/* Two deadlines at most: the later holes wait for the newest one. */
		sb->reo_end[1] = l;
		sb->reo_deadline[1] = deadline;
	}
}

void
ptcp_tcp_rack_rearm(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;
	uint64_t t = 0;

	if (c->state == PTCP_TCP_FIN_WAIT_2)
		return;   /* the slot is the FIN-WAIT-2 timer's (PTCP_TCP_T_RACK) */
	if (c->snd_una == c->snd_max && sb != NULL) {
		/* Nothing in flight, nothing to find lost. */
		sb->reo_n = 0;
		sb->rerxt_pending = 0;
	}
	if (sb != NULL && sb->reo_n != 0)
		t = sb->reo_deadline[0];
	if (sb != NULL && sb->rerxt_pending && (t == 0 || sb->rerxt_deadline < t))
		t = sb->rerxt_deadline;
	if (t == 0)
		t = ptcp_tcp_tlp_when(c);
	if (t != 0)
		ptcp_tcp_timer_set(c, PTCP_TCP_T_RACK, t);
	else if (c->timer[PTCP_TCP_T_RACK] != 0)
		ptcp_tcp_timer_stop(c, PTCP_TCP_T_RACK);
}

/* Deadlines that passed: their holes are lost. True when something was marked. */
static bool
rack_detect(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;
	uint64_t now = c->st->now_us;
	bool marked = false;

	if (sb == NULL)
		return false;
	while (sb->reo_n != 0 && sb->reo_deadline[0] <= now) {
		if (ptcp_seq_gt(sb->reo_end[0], sb->lost_end)) {
			sb->lost_end = sb->reo_end[0];
			PTCP_INC(c->st, TCP_RACK_LOST);
			marked = true;
		}
		sb->reo_end[0] = sb->reo_end[1];
		sb->reo_deadline[0] = sb->reo_deadline[1];
		sb->reo_n--;
	}
	if (sb->rerxt_pending && sb->rerxt_deadline <= now) {
		sb->rerxt_pending = 0;
		if (ptcp_seq_gt(sb->rerxt_cover, c->snd_una)) {
			sb->rerxt_from = c->snd_una;
			sb->rerxt_end = sb->rerxt_cover;
			sb->lost_end = ptcp_seq_max(sb->lost_end, sb->rerxt_cover);
			PTCP_INC(c->st, TCP_RACK_REXMIT_LOST);
			marked = true;
		}
	}
	return marked;
}

/*
 * RFC 8985 7.3: the probe is a new segment if one may be sent, else the
 * last segment sent again; the RTO is restarted after it.
 */
static void
tlp_send(struct ptcp_conn *c)
{
	uint32_t n, seq;

	if ((c->flags & PTCP_TF_RECOVERY) || c->snd_una == c->snd_max ||
	    (c->tlp_flags & PTCP_TLP_OUT))
		return;
	n = ptcp_tcp_send_new_segment(c);
	if (n != 0) {
		c->tlp_flags = PTCP_TLP_OUT;
	} else {
		seq = c->snd_max - RTE_MIN((uint32_t)c->snd_mss, c->snd_max - c->snd_una);
		if (ptcp_tcp_retransmit_range(c, seq, c->snd_max - seq) == 0)
			return;
		c->tlp_flags = PTCP_TLP_OUT | PTCP_TLP_RXT;
	}
	PTCP_INC(c->st, TCP_TLP_PROBE);
	c->tlp_end_seq = c->snd_max;
	ptcp_tcp_rto_arm(c);
}

void
ptcp_tcp_rack_timeout(struct ptcp_conn *c)
{
	const struct ptcp_sack_sb *sb = c->sb;

	if (!(c->flags & PTCP_TF_SACK_PERMIT))
		return;

	if (sb != NULL && (sb->reo_n != 0 || sb->rerxt_pending)) {
		if (rack_detect(c))
			ptcp_tcp_sack_lost_marked(c);
	} else {
		tlp_send(c);
	}
	if (c->state != PTCP_TCP_CLOSED)
		ptcp_tcp_rack_arm(c);
}

/*
 * RFC 8985 7.4: the episode of an outstanding probe ends when the ACK
 * covers it. A retransmitted probe that was not reported a duplicate by
 * D-SACK repaired a loss: the congestion response the lost segment would
 * have drawn happens now (congestion control's congestion event).
 */
void
ptcp_tcp_tlp_ack(struct ptcp_conn *c, uint32_t ack)
{
	if (!(c->tlp_flags & PTCP_TLP_OUT) || ptcp_seq_lt(ack, c->tlp_end_seq))
		return;
	if ((c->tlp_flags & PTCP_TLP_RXT) && !(c->tlp_flags & PTCP_TLP_DSACK)) {
		PTCP_INC(c->st, TCP_TLP_RECOVERED);
		ptcp_tcp_cc_congestion_event(c);
	}
	c->tlp_flags = 0;
}
