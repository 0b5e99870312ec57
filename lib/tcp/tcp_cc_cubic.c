/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc_cubic.c - CUBIC congestion control, RFC 9438 (the default).
 *
 * Windows are bytes (RFC 9438 counts segments: W_max * SMSS here), times
 * milliseconds from the stack's clock. C = 0.4, beta_cubic = 0.7.
 *
 *   slow start (cwnd < ssthresh)  Reno's, with RFC 3465 byte counting (4.10)
 *   congestion avoidance          per ACK (4.2-4.5):
 *       t = now - t_epoch, W_cubic(t) = C*(t-K)^3 + W_max,
 *       K = cbrt((W_max - cwnd_epoch)/C) (negative when cwnd_epoch > W_max),
 *       W_est += alpha_cubic * segments_acked / cwnd (4.3), alpha_cubic
 *       = 3*(1-beta)/(1+beta) = 9/17 until W_est reaches cwnd_prior, then 1;
 *       W_cubic(t) < W_est: Reno-friendly region, cwnd = W_est;
 *       else target = W_cubic(t+RTT) clamped to [cwnd, 1.5*cwnd] and
 *       cwnd += (target - cwnd)/cwnd per segment acknowledged (concave
 *       below W_max, convex above).
 *   congestion event (4.6, 4.7)   W_max = cwnd, or cwnd*(1+beta)/2 when
 *       cwnd < W_max (fast convergence); ssthresh = max(beta*FlightSize,
 *       2*SMSS); cwnd = ssthresh; the next ACK in congestion avoidance
 *       starts a new epoch.
 *   timeout (4.8)                 ssthresh as above, cwnd one segment; the
 *       first congestion avoidance stage after it has K = 0, W_max = W_est
 *       = cwnd_epoch.
 *   undo (4.9)                    cwnd and W_max back to cwnd_prior.
 *
 * Integer arithmetic only (the per-ACK path, as Linux): W_cubic in 64-bit
 * fixed point, K by an integer cube root computed once per epoch. Choices
 * within the RFC's latitude, each for the 16 bytes of state the
 * connection has (struct ptcp_cc_cubic):
 *   - cwnd_prior is not stored: it is W_max, or W_max*20/17 when fast
 *     convergence reduced it (flag). After a timeout W_max is set to
 *     cwnd_epoch (4.8), so alpha_cubic is 1 from the start of that stage
 *     (as Reno after a timeout) instead of 9/17 until W_est reaches the
 *     cwnd of before the timeout.
 *   - undo restores cwnd and W_max to cwnd_prior and starts a new epoch
 *     from there (RFC 9438 4.9 restores the whole epoch; Linux restores
 *     cwnd only); ssthresh as tcp_cc.c remembers it.
 *   - An ACK that finds sending not cwnd-limited ends the epoch (5.8: an
 *     application-limited flow must not grow cwnd by the time it spent
 *     limited); the next limited ACK starts one from the current cwnd, with
 *     K recomputed, which continues the same curve in the concave region.
 */
#include "tcp_private.h"

#define CUBIC_F_EPOCH  PTCP_CC_F_PRIV0   /* an epoch (congestion avoidance stage) runs */
#define CUBIC_F_FC     PTCP_CC_F_PRIV1   /* W_max was reduced by fast convergence (4.7) */
#define CUBIC_F_RTO    PTCP_CC_F_PRIV2   /* the next epoch follows a timeout (4.8) */

/* beta_cubic = 7/10; (1 + beta) / 2 = 17/20; alpha_cubic = 3 (1 - beta) / (1 + beta) = 9/17. */
#define BETA_NUM   7u
#define BETA_DEN   10u
#define FC_NUM     17u
#define FC_DEN     20u
#define ALPHA_NUM  9u
#define ALPHA_DEN  17u

/* |t - K| beyond this (35 min) puts W_cubic far above any cwnd; the cube stays in 64 bits. */
#define CUBIC_MAX_DT_MS (1u << 21)
/* K fits its 20-bit field (8.7 minutes; a window of 2^30 bytes in 64-byte segments needs 6). */
#define CUBIC_MAX_K_MS  ((1u << 19) - 1)

/* Floor of the cube root of x (bit by bit, Hacker's Delight icbrt64). */
uint32_t
ptcp_cbrt64(uint64_t x)
{
	uint64_t y = 0;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		uint64_t b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (uint32_t)y;
}

static inline uint32_t
now_ms(const struct ptcp_conn *c)
{
	return (uint32_t)(c->st->now_us / 1000);
}

/*
 * C*(t-K)^3 in bytes for |t - K| = a ms: C * a^3 / 10^9 segments, computed
 * as (a^3 / 10^6) * 4 * SMSS / 10^4 (a^3 < 2^63; the first division drops
 * less than 10^-3 s^3, under a byte).
 */
static uint64_t
cubic_offset(uint64_t a, uint32_t mss)
{
	a = RTE_MIN(a, (uint64_t)CUBIC_MAX_DT_MS);
	return a * a * a / 1000000 * 4 * mss / 10000;
}

/* RFC 9438 Figure 1: W_cubic(t) = C*(t-K)^3 + W_max, bytes, not below 0. */
static uint64_t
cubic_w(uint32_t w_max, int32_t k_ms, int64_t t_ms, uint32_t mss)
{
	int64_t d = t_ms - k_ms;
	uint64_t off = cubic_offset((uint64_t)(d < 0 ? -d : d), mss);

	if (d >= 0)
		return w_max + off;
	return off >= w_max ? 0 : w_max - off;
}

uint64_t
ptcp_tcp_cubic_w(const struct ptcp_conn *c, int64_t t_ms)
{
	const struct ptcp_cc_cubic *cu = &c->cc.priv.cubic;

	return cubic_w(cu->w_max, cu->k_ms, t_ms, c->snd_mss);
}

/*
 * RFC 9438 Figure 2: K = cbrt((W_max - cwnd_epoch) / C) seconds; in ms
 * and bytes, cbrt(|W_max - cwnd_epoch| * 2.5 * 10^9 / SMSS) (the product
 * stays below 2^62 for windows up to PTCP_TCP_CWND_MAX).
 */
static int32_t
cubic_k(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
	uint64_t d = w_max >= cwnd_epoch ? w_max - cwnd_epoch : cwnd_epoch - w_max;
	int32_t k = (int32_t)RTE_MIN(ptcp_cbrt64(d * 2500000000ull / mss), CUBIC_MAX_K_MS);

	return w_max >= cwnd_epoch ? k : -k;
}

/* cwnd when W_max was last set (4.3: the cwnd of the most recent ssthresh setting). */
static uint32_t
cubic_cwnd_prior(const struct ptcp_conn *c)
{
	const struct ptcp_cc_cubic *cu = &c->cc.priv.cubic;

	if (c->cc.flags & CUBIC_F_FC)
		return (uint32_t)RTE_MIN((uint64_t)cu->w_max * FC_DEN / FC_NUM,
					 (uint64_t)PTCP_TCP_CWND_MAX);
	return cu->w_max;
}

/* The first ACK of a congestion avoidance stage: t_epoch, cwnd_epoch, K, W_est. */
static void
cubic_epoch_start(struct ptcp_conn *c)
{
	struct ptcp_cc_cubic *cu = &c->cc.priv.cubic;

	cu->t_epoch = now_ms(c);
	if (c->cc.flags & CUBIC_F_RTO) {
		/* 4.8: K = 0 and W_max = cwnd_epoch after a timeout. */
		cu->w_max = c->cwnd;
		c->cc.flags &= (uint8_t)~(CUBIC_F_RTO | CUBIC_F_FC);
	}
	cu->k_ms = cubic_k(cu->w_max, c->cwnd, c->snd_mss);
	cu->w_est = c->cwnd;   /* 4.3: W_est = cwnd_epoch */
	cu->w_est_frac = 0;
	c->cc.flags |= CUBIC_F_EPOCH;
}

/* 4.3: W_est += alpha_cubic * segments_acked / cwnd, in bytes and 1/4096 bytes. */
static void
cubic_w_est_update(struct ptcp_conn *c, uint32_t acked)
{
	struct ptcp_cc_cubic *cu = &c->cc.priv.cubic;
	uint64_t inc = ((uint64_t)acked * c->snd_mss << 12) / c->cwnd;   /* 1/4096 bytes */

	if (cu->w_est < cubic_cwnd_prior(c))
		inc = inc * ALPHA_NUM / ALPHA_DEN;
	inc += cu->w_est_frac;
	cu->w_est = (uint32_t)RTE_MIN(cu->w_est + (inc >> 12), (uint64_t)PTCP_TCP_CWND_MAX);
	cu->w_est_frac = (uint32_t)(inc & 4095);
}

static void
cubic_init(struct ptcp_conn *c)
{
	(void)c;   /* private state zeroed by the caller: no epoch, W_max 0 */
}

static void
cubic_on_ack(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us)
{
	struct ptcp_cc_cubic *cu = &c->cc.priv.cubic;
	uint32_t srtt_ms, cwnd = c->cwnd;
	uint64_t w_t, target;
	int64_t t;

	if (cwnd < c->ssthresh) {   /* 4.10 */
		ptcp_tcp_cc_slow_start(c, acked);
		return;
	}
	if (!(c->cc.flags & CUBIC_F_EPOCH))
		cubic_epoch_start(c);
	t = (int64_t)(uint32_t)(now_ms(c) - cu->t_epoch);
	srtt_ms = (c->flags & PTCP_TF_RTT_VALID) ? c->srtt_us / 1000 : rtt_us / 1000;
	cubic_w_est_update(c, acked);
	w_t = cubic_w(cu->w_max, cu->k_ms, t, c->snd_mss);
	if (w_t < cu->w_est) {
		/* 4.3 Reno-friendly region: cwnd = W_est (never shrunk here). */
		c->cwnd = RTE_MAX(cwnd, cu->w_est);
		return;
	}
	/* 4.4 concave, 4.5 convex: target = W_cubic(t + RTT) within [cwnd, 1.5 cwnd]. */
	target = cubic_w(cu->w_max, cu->k_ms, t + srtt_ms, c->snd_mss);
	target = RTE_MAX(target, (uint64_t)cwnd);
	target = RTE_MIN(target, (uint64_t)cwnd + cwnd / 2);
	c->cwnd = (uint32_t)RTE_MIN(cwnd + (target - cwnd) * acked / cwnd,
				    (uint64_t)PTCP_TCP_CWND_MAX);
}

/* 5.8: time spent not cwnd-limited is not growth time: the epoch ends. */
static void
cubic_on_app_limited(struct ptcp_conn *c)
{
	c->cc.flags &= (uint8_t)~CUBIC_F_EPOCH;
}

/* 4.6: ssthresh = max(FlightSize * beta_cubic, 2*SMSS). */
static uint32_t
cubic_ssthresh(const struct ptcp_conn *c)
{
	uint32_t s = (uint32_t)((uint64_t)ptcp_tcp_cc_flight(c) * BETA_NUM / BETA_DEN);

	return RTE_MAX(s, 2u * c->snd_mss);
}

static void
cubic_on_congestion_event(struct ptcp_conn *c)
{
	struct ptcp_cc_cubic *cu = &c->cc.priv.cubic;

	/* 4.7 fast convergence: a flow whose window shrinks releases bandwidth. */
	if (c->cwnd < cu->w_max) {
		cu->w_max = (uint32_t)((uint64_t)c->cwnd * FC_NUM / FC_DEN);
		c->cc.flags |= CUBIC_F_FC;
	} else {
		cu->w_max = c->cwnd;
		c->cc.flags &= (uint8_t)~CUBIC_F_FC;
	}
	c->ssthresh = cubic_ssthresh(c);
	c->cwnd = c->ssthresh;   /* 4.6: max(ssthresh, 2) on loss; ssthresh >= 2 SMSS */
	c->cc.flags &= (uint8_t)~(CUBIC_F_EPOCH | CUBIC_F_RTO);
}

/* 4.8: Reno's loss window, ssthresh by beta_cubic; K = 0 in the stage that follows. */
static void
cubic_on_rto(struct ptcp_conn *c)
{
	if (c->nrexmit <= 1) {   /* the first timeout of a run */
		c->cc.priv.cubic.w_max = c->cwnd;   /* the window at the loss */
		c->ssthresh = cubic_ssthresh(c);
		c->cc.flags &= (uint8_t)~CUBIC_F_FC;
	}
	c->cwnd = c->snd_mss;
	c->cc.flags &= (uint8_t)~CUBIC_F_EPOCH;
	c->cc.flags |= CUBIC_F_RTO;
}

static void
cubic_on_recovery_exit(struct ptcp_conn *c)
{
	ptcp_tcp_cc_deflate(c);
}

/* 4.9: back to the window of before the reduction; a new epoch starts from it. */
static void
cubic_on_undo(struct ptcp_conn *c)
{
	uint32_t prior = cubic_cwnd_prior(c);

	c->cwnd = RTE_MAX(c->cwnd, prior);
	ptcp_tcp_cc_undo_ssthresh(c, prior);
	c->cc.priv.cubic.w_max = prior;
	c->cc.flags &= (uint8_t)~(CUBIC_F_FC | CUBIC_F_EPOCH | CUBIC_F_RTO);
}

const struct ptcp_cc_ops ptcp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.on_app_limited = cubic_on_app_limited,
	.on_congestion_event = cubic_on_congestion_event,
	.on_rto = cubic_on_rto,
	.on_recovery_exit = cubic_on_recovery_exit,
	.on_undo = cubic_on_undo,
};
