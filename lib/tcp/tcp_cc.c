/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc.c - congestion control, RFC 5681 (Reno without fast retransmit
 * for now): initial window per RFC 6928, slow start, congestion avoidance,
 * and the loss window after a retransmission timeout. The sender uses
 * min(cwnd, snd_wnd). Fast retransmit/recovery (NewReno, SACK) and CUBIC
 * come behind an ops struct in a later step.
 */
#include "tcp_private.h"

/* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)). */
void
ptcp_tcp_cc_init(struct ptcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	c->cwnd = RTE_MIN(10 * mss, RTE_MAX(2 * mss, 14600u));
	c->ssthresh = UINT32_MAX;   /* RFC 5681 3.1: arbitrarily high */
}

/* New data acknowledged: RFC 5681 3.1 eqn 2 (slow start) and eqn 3 (CA). */
void
ptcp_tcp_cc_ack(struct ptcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->snd_mss;

	if (c->cwnd < c->ssthresh)
		c->cwnd += RTE_MIN(acked, mss);
	else
		c->cwnd += RTE_MAX(1u, (uint32_t)((uint64_t)mss * mss / c->cwnd));
}

/* RFC 5681 3.1 eqn 4 and "LW": after an RTO, one segment at a time again. */
void
ptcp_tcp_cc_rto(struct ptcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	if (c->nrexmit <= 1)   /* only the first timeout of a run halves ssthresh */
		c->ssthresh = RTE_MAX(flight / 2, 2u * c->snd_mss);
	c->cwnd = c->snd_mss;
}
