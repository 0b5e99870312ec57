/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_recovery.c - loss recovery: what is retransmitted when loss is
 * detected, and the temporary window changes that go with it. Congestion
 * control (tcp_cc.h) only sets cwnd and ssthresh at the events this file
 * reports to it; it never transmits.
 *
 * Without SACK: RFC 5681 3.2 fast retransmit / fast recovery on three
 * duplicate ACKs, with the RFC 6582 NewReno handling of partial
 * acknowledgments (resend the next hole at once) and its `recover` rule
 * against a second reduction for one loss. With SACK negotiated
 * (PTCP_TF_SACK_PERMIT) the same entry points hand the ACK to tcp_sack.c
 * (scoreboard, RFC 6675 recovery, RFC 3042, D-SACK undo), which falls back
 * to NewReno here while it holds no scoreboard (nothing SACKed, or its
 * pool empty).
 *
 * Entry points, from tcp_input.c check_ack (SND.UNA already advanced) and
 * tcp_timer.c:
 *   ptcp_tcp_recovery_on_ack(c, acked, rtt, seg)  new data acknowledged
 *   ptcp_tcp_recovery_on_dupack(c)                RFC 5681 section 2 duplicate ACK
 *   ptcp_tcp_recovery_on_rto(c)                   retransmission timeout
 * and the transitions they make:
 *   ptcp_tcp_recovery_enter(c)  -> cc on_congestion_event, retransmit SND.UNA
 *   ptcp_tcp_recovery_exit(c)   -> cc on_recovery_exit
 *
 * State: PTCP_TF_RECOVERY (in fast recovery), c->dupacks, c->recover.
 */
#include "tcp_private.h"

/* Duplicate ACKs that signal a loss (RFC 5681 3.2 "DupThresh"). */
#define PTCP_TCP_DUPTHRESH 3

void
ptcp_tcp_recovery_init(struct ptcp_conn *c)
{
	/* RFC 6582 3.2: "recover ... is initialized to the initial send sequence
	 * number", ISS (not ISS+1: SND.UNA must be able to exceed it when the
	 * first data segment is lost). */
	c->recover = c->iss;
	c->dupacks = 0;
	c->flags &= ~PTCP_TF_RECOVERY;
}

/*
 * RFC 5681 3.2 steps 2-4 (RFC 6582 3.2 step 2 for the test against
 * recover): congestion control sets ssthresh and cwnd, recovery resends
 * the first unacknowledged segment and inflates cwnd by the three segments
 * the duplicate ACKs say have left the network.
 */
void
ptcp_tcp_recovery_enter(struct ptcp_conn *c)
{
	PTCP_INC(c->st, TCP_FAST_REXMIT);
	ptcp_tcp_cc_congestion_event(c);
	c->recover = c->snd_max;
	c->flags |= PTCP_TF_RECOVERY;
	ptcp_tcp_retransmit_first(c);
	c->cwnd = RTE_MIN(c->ssthresh + 3u * c->snd_mss, PTCP_TCP_CWND_MAX);
}

/* A full acknowledgment (RFC 6582 3.2 step 3): congestion control deflates cwnd. */
void
ptcp_tcp_recovery_exit(struct ptcp_conn *c)
{
	c->flags &= ~PTCP_TF_RECOVERY;
	ptcp_tcp_cc_recovery_exit(c);
}

/*
 * An ACK that advanced SND.UNA by `acked`. Outside recovery congestion
 * control grows cwnd. In recovery, RFC 6582 3.2 steps 3 and 4: an ACK
 * covering recover ends it; a partial ACK resends the next hole and
 * deflates cwnd by the amount acknowledged, adding back one SMSS only when
 * at least one SMSS was acknowledged (step 5).
 */
void
ptcp_tcp_recovery_on_ack(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us,
			 const struct ptcp_tcp_seg *seg)
{
	uint32_t mss = c->snd_mss;

	/*
	 * SACK: the scoreboard, RACK and the probe have work only when there is
	 * a scoreboard, the ACK carries blocks or a probe is out; otherwise
	 * (every ACK of a loss-free connection) NewReno's path below is theirs.
	 */
	if ((c->flags & PTCP_TF_SACK_PERMIT) &&
	    (c->sb != NULL || (seg->opt.present & PTCP_TCPOPT_F_SACK) || c->tlp_flags != 0) &&
	    ptcp_tcp_sack_newack(c, seg, acked, rtt_us))
		return;
	c->dupacks = 0;
	if (!(c->flags & PTCP_TF_RECOVERY)) {
		ptcp_tcp_cc_ack(c, acked, rtt_us);
		return;
	}
	if (ptcp_seq_ge(c->snd_una, c->recover)) {
		ptcp_tcp_recovery_exit(c);
		return;
	}
	ptcp_tcp_retransmit_first(c);
	c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) + (acked >= mss ? mss : 0);
}

/*
 * A duplicate ACK. The third starts fast retransmit (RFC 5681 3.2) unless
 * it belongs to a loss already being recovered (RFC 6582 3.2 step 2:
 * SND.UNA must be beyond recover); in recovery each one inflates cwnd by
 * one SMSS (RFC 5681 3.2 step 4).
 */
void
ptcp_tcp_recovery_on_dupack(struct ptcp_conn *c)
{
	if (c->dupacks < UINT8_MAX)
		c->dupacks++;
	if (c->flags & PTCP_TF_RECOVERY) {
		c->cwnd = RTE_MIN(c->cwnd + c->snd_mss, PTCP_TCP_CWND_MAX);
		return;
	}
	if (c->dupacks != PTCP_TCP_DUPTHRESH || !ptcp_seq_gt(c->snd_una, c->recover))
		return;
	ptcp_tcp_recovery_enter(c);
}

void
ptcp_tcp_recovery_on_sack_dupack(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg,
				 bool classic_dup)
{
	if (!ptcp_tcp_sack_dupack(c, seg, classic_dup) && classic_dup)
		ptcp_tcp_recovery_on_dupack(c);   /* no scoreboard: NewReno */
}

/*
 * A retransmission timeout (or one into a zero window) ends fast recovery:
 * congestion control takes the loss window, the caller goes back to
 * SND.UNA, and duplicate ACKs for data sent before the timeout start no
 * new fast retransmit (RFC 6582 3.2 step 1 after a timeout: recover =
 * SND.MAX). With SACK the RACK deadlines and the probe episode end too.
 */
void
ptcp_tcp_recovery_on_rto(struct ptcp_conn *c)
{
	ptcp_tcp_cc_rto(c);
	c->flags &= ~PTCP_TF_RECOVERY;
	c->dupacks = 0;
	c->recover = c->snd_max;
	if (c->flags & PTCP_TF_SACK_PERMIT)
		ptcp_tcp_sack_timeout(c);
}
