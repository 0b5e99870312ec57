/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc_newreno.c - NewReno congestion control: RFC 5681 slow start and
 * congestion avoidance with RFC 3465 appropriate byte counting, and the
 * reductions after loss (fast retransmit:
 * ssthresh = max(FlightSize / 2, 2*SMSS), eqn 4; a timeout: the same and
 * the loss window of one segment). The fast recovery that goes with it
 * (window inflation, RFC 6582 partial ACKs) is loss recovery's:
 * tcp_recovery.c.
 */
#include "tcp_private.h"

static void
newreno_init(struct ptcp_conn *c)
{
	(void)c;   /* private state zeroed by the caller */
}

/*
 * RFC 5681 3.1 slow start and congestion avoidance, both with RFC 3465
 * appropriate byte counting: in slow start cwnd += min(N, L*SMSS) (L = 2);
 * in congestion avoidance (2.1) "When bytes_acked becomes greater than or
 * equal to the value of the congestion window, bytes_acked is reduced by
 * the value of cwnd. Next, cwnd is incremented by a full-sized segment" -
 * one SMSS per cwnd of data acknowledged, however the peer spreads its
 * ACKs (eqn 3, SMSS*SMSS/cwnd per ACK, grows less when ACKs are delayed).
 */
static void
newreno_on_ack(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us)
{
	struct ptcp_cc_reno *r = &c->cc.priv.reno;

	(void)rtt_us;
	if (c->cwnd < c->ssthresh) {
		ptcp_tcp_cc_slow_start(c, acked);
		return;
	}
	r->bytes_acked += acked;
	if (r->bytes_acked >= c->cwnd) {
		r->bytes_acked -= c->cwnd;
		c->cwnd = RTE_MIN(c->cwnd + c->snd_mss, PTCP_TCP_CWND_MAX);
	}
}

/* RFC 5681 eqn 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
static uint32_t
newreno_ssthresh(const struct ptcp_conn *c)
{
	return RTE_MAX(ptcp_tcp_cc_flight(c) / 2, 2u * c->snd_mss);
}

static void
newreno_on_congestion_event(struct ptcp_conn *c)
{
	c->cc.priv.reno.prior_cwnd = c->cwnd;
	c->cc.priv.reno.bytes_acked = 0;
	c->ssthresh = newreno_ssthresh(c);
	c->cwnd = c->ssthresh;
}

/* RFC 5681 3.1 eqn 4 and "LW": after an RTO, one segment at a time again. */
static void
newreno_on_rto(struct ptcp_conn *c)
{
	if (c->nrexmit <= 1)   /* only the first timeout of a run halves ssthresh */
		c->ssthresh = newreno_ssthresh(c);
	c->cwnd = c->snd_mss;
	c->cc.priv.reno.bytes_acked = 0;
}

static void
newreno_on_recovery_exit(struct ptcp_conn *c)
{
	ptcp_tcp_cc_deflate(c);
}

/* As Linux tcp_reno_undo_cwnd: back to at least the cwnd before the reduction. */
static void
newreno_on_undo(struct ptcp_conn *c)
{
	uint32_t prior = c->cc.priv.reno.prior_cwnd;

	c->cwnd = RTE_MAX(c->cwnd, prior);
	ptcp_tcp_cc_undo_ssthresh(c, prior);
}

const struct ptcp_cc_ops ptcp_cc_newreno = {
	.name = "newreno",
	.init = newreno_init,
	.on_ack = newreno_on_ack,
	.on_congestion_event = newreno_on_congestion_event,
	.on_rto = newreno_on_rto,
	.on_recovery_exit = newreno_on_recovery_exit,
	.on_undo = newreno_on_undo,
};
