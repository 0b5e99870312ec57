/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc.c - the congestion control layer every algorithm shares (the ops
 * interface is described in tcp_cc.h):
 *   - the choice of algorithm: per stack (conf.cc), per connection
 *     (ptcp_set_cc), kept as a one-byte index into ptcp_cc_algos[];
 *   - the RFC 6928 initial window and RFC 5681 3.1 initial ssthresh;
 *   - whether an ACK may grow cwnd at all: only when sending was limited by
 *     cwnd (Linux tcp_is_cwnd_limited; RFC 7661 section 4.3);
 *   - RFC 7661 congestion window validation: pipeACK and the
 *     non-validated phase;
 *   - counters, and what undo needs of ssthresh.
 *
 * Called by loss recovery (tcp_recovery.c) only; nothing here transmits.
 */
#include <errno.h>
#include <string.h>

#include "tcp_private.h"

const struct ptcp_cc_ops *const ptcp_cc_algos[PTCP_CC_NALGOS] = {
	[PTCP_CC_NEWRENO] = &ptcp_cc_newreno,
	[PTCP_CC_CUBIC] = &ptcp_cc_cubic,
};

static inline const struct ptcp_cc_ops *
cc_ops(const struct ptcp_conn *c)
{
	return ptcp_cc_algos[c->cc.algo];
}

int
ptcp_tcp_cc_find(const char *name)
{
	unsigned int i;

	if (name == NULL)
		return PTCP_CC_DEFAULT;
	if (strcmp(name, "reno") == 0)   /* Linux's name for the same algorithm */
		return PTCP_CC_NEWRENO;
	for (i = 0; i < PTCP_CC_NALGOS; i++)
		if (strcmp(name, ptcp_cc_algos[i]->name) == 0)
			return (int)i;
	return -EINVAL;
}

void
ptcp_tcp_cc_select(struct ptcp_conn *c, uint8_t algo)
{
	c->cc.algo = algo;
	c->cc.flags &= (uint8_t)~(PTCP_CC_F_PRIV0 | PTCP_CC_F_PRIV1 | PTCP_CC_F_PRIV2 |
				  PTCP_CC_F_PRIV3 | PTCP_CC_F_UNDO);
	memset(&c->cc.priv, 0, sizeof(c->cc.priv));
	if (c->cwnd != 0)   /* established: cwnd and ssthresh carry over */
		cc_ops(c)->init(c);
}

uint32_t
ptcp_tcp_cc_iw(const struct ptcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	return RTE_MIN(10 * mss, RTE_MAX(2 * mss, 14600u));
}

static inline uint16_t
cwv_now(const struct ptcp_conn *c)
{
	return ptcp_tcp_cc_cwv_now(c->st);
}

void
ptcp_tcp_cc_init(struct ptcp_conn *c)
{
	c->cwnd = ptcp_tcp_cc_iw(c);
	c->ssthresh = UINT32_MAX;   /* RFC 5681 3.1: arbitrarily high */
	c->cc.flags = 0;
	c->cc.pipeack = 0;          /* RFC 7661 4.2: undefined, the validated phase */
	c->cc.cwv_tick = cwv_now(c);
	memset(&c->cc.priv, 0, sizeof(c->cc.priv));
	cc_ops(c)->init(c);
}

/*
 * Was the sender limited by cwnd when the data this ACK covers was sent?
 * As Linux tcp_is_cwnd_limited(): growing cwnd while the peer's window or
 * the application limits sending only inflates it without evidence the
 * path carries more (RFC 7661 4.3, RFC 9438 4.2 and 5.8). In slow start
 * the window may run ahead up to twice what was in flight; in congestion
 * avoidance the flight must have filled cwnd (within one segment).
 */
static bool
cwnd_limited(const struct ptcp_conn *c, uint32_t acked)
{
	uint32_t flight = ptcp_tcp_cc_flight(c) + acked;   /* before this ACK */

	if (c->cwnd < c->ssthresh)
		return c->cwnd < 2 * (uint64_t)flight;
	return (uint64_t)flight + c->snd_mss > c->cwnd;
}

/*
 * RFC 7661 congestion window validation.
 *
 * pipeACK sample (RFC 7661 measures the data acknowledged over an RTT and
 * allows equivalent methods): the flight before this ACK, the data the
 * network held and that this RTT acknowledges; pipeACK is the
 * largest sample of the current pipeACK sampling period, PSP = max(3*SRTT,
 * 1 s) rounded up to whole cwv ticks, so it never exceeds the largest
 * sample of the most recent PSP. It is undefined (0, validated) at the
 * start and after loss recovery.
 *
 * Validated phase: pipeACK >= cwnd/2. Below that the connection is in the
 * non-validated phase (NVP, 4.3), where cwnd is not grown: the
 * cwnd-limited test (cwnd_limited) already refuses every ACK then, since
 * pipeACK is at least the flight of this ACK. A sample of at least cwnd/2
 * validates it again.
 *
 * 4.4.3: a sender still in the NVP after 5 minutes sets
 * ssthresh = max(ssthresh, 3*cwnd/4) and cwnd = max(cwnd/2, IW), and a new
 * NVP period begins (checked at each ACK and before sending,
 * ptcp_tcp_cc_nvp_check). Not implemented: 4.4.1 (the response to loss
 * detected during the NVP, cwnd from pipeACK and the data delivered
 * during recovery): losses take the algorithm's usual reduction.
 */
static uint16_t
cwv_psp_ticks(const struct ptcp_conn *c)
{
	uint64_t psp = RTE_MAX(3ull * c->srtt_us, 1000000ull);

	return (uint16_t)RTE_MIN((psp + (1u << PTCP_CC_CWV_TICK_SHIFT) - 1) >>
				 PTCP_CC_CWV_TICK_SHIFT, (uint64_t)UINT16_MAX);
}

void
ptcp_tcp_cc_nvp_expire(struct ptcp_conn *c)
{
	uint16_t now = cwv_now(c);

	PTCP_INC(c->st, TCP_CC_NVP_EXPIRED);
	if (c->ssthresh != UINT32_MAX)
		c->ssthresh = RTE_MAX(c->ssthresh, c->cwnd / 4 * 3);
	c->cwnd = RTE_MAX(c->cwnd / 2, ptcp_tcp_cc_iw(c));
	c->cc.cwv_tick = now;
}

static void
cwv_on_ack(struct ptcp_conn *c, uint32_t acked)
{
	struct ptcp_cc_state *cc = &c->cc;
	uint32_t sample = ptcp_tcp_cc_flight(c) + acked;
	uint16_t now = cwv_now(c);

	if (cc->flags & PTCP_CC_F_NVP) {
		if (sample >= c->cwnd / 2) {
			cc->flags &= (uint8_t)~PTCP_CC_F_NVP;
			cc->pipeack = sample;
			cc->cwv_tick = now;
			return;
		}
		cc->pipeack = RTE_MAX(cc->pipeack, sample);
		ptcp_tcp_cc_nvp_check(c);
		return;
	}
	if ((uint16_t)(now - cc->cwv_tick) >= cwv_psp_ticks(c)) {
		cc->pipeack = sample;   /* a new sampling period */
		cc->cwv_tick = now;
	} else {
		cc->pipeack = RTE_MAX(cc->pipeack, sample);
	}
	if (cc->pipeack < c->cwnd / 2) {
		cc->flags |= PTCP_CC_F_NVP;
		cc->cwv_tick = now;
	}
}

/* pipeACK undefined again: the validated phase (after recovery, a timeout). */
static void
cwv_reset(struct ptcp_conn *c)
{
	c->cc.pipeack = 0;
	c->cc.flags &= (uint8_t)~PTCP_CC_F_NVP;
	c->cc.cwv_tick = cwv_now(c);
}

void
ptcp_tcp_cc_ack(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us)
{
	cwv_on_ack(c, acked);
	if (!cwnd_limited(c, acked)) {
		PTCP_INC(c->st, TCP_CWND_NOT_LIMITED);
		if (cc_ops(c)->on_app_limited != NULL)
			cc_ops(c)->on_app_limited(c);
		return;
	}
	cc_ops(c)->on_ack(c, acked, rtt_us);
	if (c->cwnd >= c->ssthresh)
		c->cc.flags &= (uint8_t)~PTCP_CC_F_RTO_SS;   /* slow start is over */
}

/* Before a reduction: what undo needs of ssthresh (the algorithm saves its own state). */
static void
save_prior(struct ptcp_conn *c)
{
	c->cc.flags |= PTCP_CC_F_UNDO;
	if (c->ssthresh == UINT32_MAX)
		c->cc.flags |= PTCP_CC_F_PRIOR_INF;
	else
		c->cc.flags &= (uint8_t)~PTCP_CC_F_PRIOR_INF;
}

/*
 * ssthresh as it was before the reduction: "arbitrarily high" if it was,
 * else at least 3/4 of the cwnd of then, the value Linux remembers
 * (tcp_current_ssthresh) instead of storing ssthresh itself.
 */
void
ptcp_tcp_cc_undo_ssthresh(struct ptcp_conn *c, uint32_t prior_cwnd)
{
	if (c->cc.flags & PTCP_CC_F_PRIOR_INF)
		c->ssthresh = UINT32_MAX;
	else
		c->ssthresh = RTE_MAX(c->ssthresh, prior_cwnd / 4 * 3);
}

void
ptcp_tcp_cc_congestion_event(struct ptcp_conn *c)
{
	PTCP_INC(c->st, TCP_CC_CONGESTION_EVENT);
	save_prior(c);
	c->cc.flags &= (uint8_t)~PTCP_CC_F_RTO_SS;
	cc_ops(c)->on_congestion_event(c);
}

void
ptcp_tcp_cc_rto(struct ptcp_conn *c)
{
	/*
	 * A timeout is never undone (D-SACK undo, tcp_sack.c, stops at one):
	 * the saved state of an earlier congestion event must not come back.
	 */
	c->cc.flags &= (uint8_t)~PTCP_CC_F_UNDO;
	cc_ops(c)->on_rto(c);
	c->cc.flags |= PTCP_CC_F_RTO_SS;
	cwv_reset(c);
}

void
ptcp_tcp_cc_recovery_exit(struct ptcp_conn *c)
{
	cc_ops(c)->on_recovery_exit(c);
	cwv_reset(c);
}

bool
ptcp_tcp_cc_undo(struct ptcp_conn *c)
{
	if (!(c->cc.flags & PTCP_CC_F_UNDO) || cc_ops(c)->on_undo == NULL)
		return false;
	PTCP_INC(c->st, TCP_CC_UNDO);
	c->cc.flags &= (uint8_t)~(PTCP_CC_F_UNDO | PTCP_CC_F_RTO_SS);
	cc_ops(c)->on_undo(c);
	return true;
}

/*
 * RFC 5681 3.1 slow start with RFC 3465 appropriate byte counting (2.2,
 * 2.3): cwnd += min(N, L*SMSS) with L = 2 (an ACK of two segments, as a
 * delayed ACK is, opens two), except in the slow start that follows a
 * retransmission timeout, where RFC 3465 2.3 asks for L = 1: the ACKs of
 * retransmitted data can cover much more than one segment each.
 */
void
ptcp_tcp_cc_slow_start(struct ptcp_conn *c, uint32_t acked)
{
	uint32_t l = (c->cc.flags & PTCP_CC_F_RTO_SS) ? 1 : PTCP_CC_ABC_L;

	c->cwnd += RTE_MIN(acked, l * c->snd_mss);
	c->cwnd = RTE_MIN(c->cwnd, PTCP_TCP_CWND_MAX);
}

void
ptcp_tcp_cc_deflate(struct ptcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	c->cwnd = RTE_MIN(c->ssthresh, RTE_MAX(ptcp_tcp_cc_flight(c), mss) + mss);
}
