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
	/* RFC 6582 3.2: "recover ... is initialized to the initial send sequence
	 * number", ISS (not ISS+1: SND.UNA must be able to exceed it when the
	 * first data segment is lost). */
	c->recover = c->iss;
	c->dupacks = 0;
}

/*
 * Was the sender limited by cwnd when the data this ACK covers was sent?
 * RFC 7661 / RFC 5681 4.1 spirit, as Linux tcp_is_cwnd_limited(): growing
 * cwnd while the peer's window or the application limits sending only
 * inflates it without evidence the path carries more. In slow start the
 * window may run ahead up to twice what was in flight; in congestion
 * avoidance the flight must have filled cwnd (within one segment).
 */
static bool
cwnd_limited(const struct ptcp_conn *c, uint32_t acked)
{
	uint32_t flight = c->snd_max - c->snd_una + acked;   /* before this ACK */

	if (c->cwnd < c->ssthresh)
		return c->cwnd < 2 * (uint64_t)flight;
	return (uint64_t)flight + c->snd_mss > c->cwnd;
}

/* New data acknowledged outside recovery: RFC 5681 3.1 eqn 2 (slow start) and eqn 3 (CA). */
void
ptcp_tcp_cc_ack(struct ptcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->snd_mss;

	if (!cwnd_limited(c, acked)) {
		PTCP_INC(c->st, TCP_CWND_NOT_LIMITED);
		return;
	}
	if (c->cwnd < c->ssthresh)
		c->cwnd += RTE_MIN(acked, mss);
	else
		c->cwnd += RTE_MAX(1u, (uint32_t)((uint64_t)mss * mss / c->cwnd));
	c->cwnd = RTE_MIN(c->cwnd, PTCP_TCP_CWND_MAX);
}

/*
 * An ACK that advanced SND.UNA by `acked` (SND.UNA already updated). In
 * recovery, RFC 6582 3.2 steps 3 and 4: a full ACK (covering recover) ends
 * it with cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS); a partial ACK resends
 * the next hole and deflates cwnd by the amount acknowledged, adding back one
 * SMSS only when at least one SMSS was acknowledged (step 5).
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
	c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) + (acked >= mss ? mss : 0);
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
