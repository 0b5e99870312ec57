/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc.c - congestion control: RFC 5681 (initial window per RFC 6928,
 * slow start, congestion avoidance, fast retransmit / fast recovery, the
 * loss window after a timeout) with the RFC 6582 NewReno modification for
 * partial acknowledgments. The sender uses min(cwnd, snd_wnd).
 *
 * Called from tcp_input.c: ptcp_tcp_cc_newack() for an ACK that moves
 * SND.UNA, ptcp_tcp_cc_dupack() for a duplicate ACK (RFC 5681 section 2
 * definition); from tcp_timer.c: ptcp_tcp_cc_rto(). CUBIC and SACK-based
 * recovery will come behind an ops struct with these three entry points.
 */
#include "tcp_private.h"

/* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)). */
void
ptcp_tcp_cc_init(struct ptcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	c->cwnd = RTE_MIN(10 * mss, RTE_MAX(2 * mss, 14600u));
	c->ssthresh = UINT32_MAX;   /* RFC 5681 3.1: arbitrarily high */
	c->recover = c->snd_una;
	c->dupacks = 0;
}

/* New data acknowledged outside recovery: RFC 5681 3.1 eqn 2 (slow start) and eqn 3 (CA). */
void
ptcp_tcp_cc_ack(struct ptcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->snd_mss;

	if (c->cwnd < c->ssthresh)
		c->cwnd += RTE_MIN(acked, mss);
	else
		c->cwnd += RTE_MAX(1u, (uint32_t)((uint64_t)mss * mss / c->cwnd));
}

/*
 * An ACK that advanced SND.UNA by `acked` (SND.UNA already updated). In
 * recovery, RFC 6582 3.2 steps 3 and 4: a full ACK (covering recover) ends
 * it with cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS); a partial ACK resends
 * the next hole and deflates cwnd by the amount acknowledged, plus one SMSS.
 */
void
ptcp_tcp_cc_newack(struct ptcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->snd_mss;

	c->dupacks = 0;
	if (!(c->flags & PTCP_TF_RECOVERY)) {
		ptcp_tcp_cc_ack(c, acked);
		return;
	}
	if (ptcp_seq_ge(c->snd_una, c->recover)) {
		c->flags &= ~PTCP_TF_RECOVERY;
		c->cwnd = RTE_MIN(c->ssthresh, RTE_MAX(c->snd_max - c->snd_una, mss) + mss);
		return;
	}
	ptcp_tcp_retransmit_first(c);
	c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) + mss;
}

/*
 * A duplicate ACK. The third starts fast retransmit (RFC 5681 3.2 steps 2-4)
 * unless it belongs to a loss already being recovered (RFC 6582 3.2 step
 * 2: SND.UNA must be beyond recover); later ones inflate cwnd (step 4).
 */
void
ptcp_tcp_cc_dupack(struct ptcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	if (c->dupacks < UINT8_MAX)
		c->dupacks++;
	if (c->flags & PTCP_TF_RECOVERY) {
		c->cwnd += mss;
		return;
	}
	if (c->dupacks != 3 || !ptcp_seq_gt(c->snd_una, c->recover))
		return;
	PTCP_INC(c->st, TCP_FAST_REXMIT);
	c->ssthresh = RTE_MAX((c->snd_max - c->snd_una) / 2, 2u * mss);
	c->recover = c->snd_max;
	c->flags |= PTCP_TF_RECOVERY;
	ptcp_tcp_retransmit_first(c);
	c->cwnd = c->ssthresh + 3 * mss;
}

/* RFC 5681 3.1 eqn 4 and "LW": after an RTO, one segment at a time again. */
void
ptcp_tcp_cc_rto(struct ptcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	if (c->nrexmit <= 1)   /* only the first timeout of a run halves ssthresh */
		c->ssthresh = RTE_MAX(flight / 2, 2u * c->snd_mss);
	c->cwnd = c->snd_mss;
	c->flags &= ~PTCP_TF_RECOVERY;
	c->dupacks = 0;
	c->recover = c->snd_max;   /* RFC 6582 3.2 step 1 after a timeout */
}
