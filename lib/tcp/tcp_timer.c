/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_timer.c - per-lcore timer wheel and the TCP timers on it.
 *
 * Each connection has one wheel entry at the earliest of its timers
 * (conn->timer[]); ptcp_tcp_poll() walks the ticks since the last poll and
 * runs what expired: retransmission (RFC 6298 with Karn's rule, exponential
 * backoff and the RFC 9293 3.8.3 R1/R2 limits), persist (zero-window probes
 * and the SWS override, RFC 9293 3.8.6.1/3.8.6.2.1), delayed ACK (3.8.6.3),
 * keepalive (3.8.4, RFC 1122 4.2.3.6) and the orphaned FIN-WAIT-2 limit.
 * TIME-WAIT records expire from their own FIFO (tcp_timewait.c).
 *
 * Why not rte_timer: its skiplist node costs ~80 bytes per connection and it
 * reads the TSC itself; this wheel costs 24 bytes and runs on the injected
 * clock, so unit tests drive time exactly.
 */
#include <errno.h>

#include "tcp_private.h"

static void
wheel_insert(struct ptcp_tcp *tcp, struct ptcp_conn *c)
{
	uint64_t tick = c->timer_expire / PTCP_TW_TICK_US;

	if (tick <= tcp->tw_tick)
		tick = tcp->tw_tick + 1;
	LIST_INSERT_HEAD(&tcp->wheel[tick & (PTCP_TW_SLOTS - 1)], c, timer_link);
}

static void
wheel_update(struct ptcp_conn *c)
{
	uint64_t next = 0;
	unsigned int i;

	for (i = 0; i < PTCP_TCP_T_MAX; i++)
		if (c->timer[i] != 0 && (next == 0 || c->timer[i] < next))
			next = c->timer[i];
	if (next == c->timer_expire)
		return;
	/*
	 * Later than the slot the wheel holds it in: it stays there, and that
	 * slot's visit files it again by timer_expire ("not this lap" in
	 * ptcp_tcp_poll). The RTO and the tail loss probe move later on every
	 * ACK and every segment sent; moving the connection between slot lists
	 * each time cost more than one visit per probe timeout.
	 */
	if (c->timer_expire != 0 && next > c->timer_expire) {
		c->timer_expire = next;
		return;
	}
	if (c->timer_expire != 0)
		LIST_REMOVE(c, timer_link);
	c->timer_expire = next;
	if (next != 0)
		wheel_insert(c->st->tcp, c);
}

void
ptcp_tcp_timer_set(struct ptcp_conn *c, enum ptcp_tcp_timer t, uint64_t expire_us)
{
	c->timer[t] = expire_us ? expire_us : 1;
	/*
	 * Not earlier than where the wheel holds the connection: nothing to
	 * move (the RTO and the probe timer move later on every ACK). The
	 * slot's visit finds nothing due and files it by the timers then.
	 */
	if (c->timer_expire != 0 && c->timer[t] >= c->timer_expire)
		return;
	wheel_update(c);
}

void
ptcp_tcp_timer_cancel_all(struct ptcp_conn *c)
{
	unsigned int i;

	for (i = 0; i < PTCP_TCP_T_MAX; i++)
		c->timer[i] = 0;
	wheel_update(c);
}

/* (Re)start the retransmission timer at now + RTO (RFC 6298 5.1, 5.3). */
void
ptcp_tcp_rto_arm(struct ptcp_conn *c)
{
	ptcp_tcp_timer_set(c, PTCP_TCP_T_REXMIT, c->st->now_us + c->rto_us);
}

/*
 * RFC 6298 2.2 / 2.3: update SRTT, RTTVAR and RTO from one measurement.
 * Only microsecond measurements (fine) also feed RACK.min_RTT: a sample
 * from the 1 ms timestamp clock can read 1 us on a sub-millisecond path,
 * and a minimum that low would close the reordering window for good.
 */
static void
rtt_update(struct ptcp_conn *c, uint32_t r, bool fine)
{
	const struct ptcp_stack_conf *conf = &c->st->conf;
	uint64_t rto;

	if (!(c->flags & PTCP_TF_RTT_VALID)) {
		c->srtt_us = r;
		c->rttvar_us = r / 2;
		c->flags |= PTCP_TF_RTT_VALID;
	} else {
		/* beta = 1/4, alpha = 1/8 */
		uint32_t delta = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;

		c->rttvar_us = c->rttvar_us - c->rttvar_us / 4 + delta / 4;
		c->srtt_us = c->srtt_us - c->srtt_us / 8 + r / 8;
	}
	if (fine && (c->rack_min_rtt_us == 0 || r < c->rack_min_rtt_us))
		c->rack_min_rtt_us = RTE_MAX(r, 1u);   /* RFC 8985 RACK.min_RTT */
	/* RTO = SRTT + max(G, K*RTTVAR), G = the 1 ms wheel tick, K = 4 */
	rto = (uint64_t)c->srtt_us + RTE_MAX((uint64_t)PTCP_TW_TICK_US, 4ull * c->rttvar_us);
	rto = RTE_MAX(rto, PTCP_MS(conf->rto_min_ms));   /* 2.4 */
	rto = RTE_MIN(rto, PTCP_MS(conf->rto_max_ms));   /* 2.5 */
	c->rto_us = (uint32_t)rto;
}

void
ptcp_tcp_rtt_sample(struct ptcp_conn *c, uint32_t r)
{
	rtt_update(c, r, true);
}

void
ptcp_tcp_rtt_sample_ts(struct ptcp_conn *c, uint32_t r)
{
	rtt_update(c, r, false);
}

/*
 * TIME-WAIT is entered: stop every timer. Once the segment is processed
 * (events delivered, final ACK sent) conn_input hands the connection to
 * ptcp_tcp_timewait_from_conn(), which keeps a compact record for 2*MSL
 * and releases the connection (tcp_timewait.c).
 */
void
ptcp_tcp_enter_time_wait(struct ptcp_conn *c)
{
	if (c->state != PTCP_TCP_TIME_WAIT)
		PTCP_INC(c->st, TCP_TIME_WAIT);
	ptcp_tcp_set_state(c, PTCP_TCP_TIME_WAIT);
	ptcp_tcp_timer_cancel_all(c);
}

/*
 * Orphaned FIN-WAIT-2 (Linux tcp_fin_timeout): once the application has
 * closed (ptcp_close, not a ptcp_shutdown half-close, after which it still
 * reads) and our FIN is acknowledged, nobody waits for the peer's FIN, and a
 * peer that never sends it would hold the connection for ever. Give up
 * after conf.fin_timeout_ms. Armed once; the peer's activity does not
 * extend it (as Linux).
 */
void
ptcp_tcp_fin_wait_2_arm(struct ptcp_conn *c)
{
	uint32_t ms = c->st->conf.fin_timeout_ms;

	if (c->state != PTCP_TCP_FIN_WAIT_2 || !(c->flags & PTCP_TF_APP_CLOSED) ||
	    ms == UINT32_MAX || c->timer[PTCP_TCP_T_FIN_WAIT_2] != 0)
		return;
	ptcp_tcp_timer_set(c, PTCP_TCP_T_FIN_WAIT_2, c->st->now_us + PTCP_MS(ms));
}

/*
 * The retransmission timer expired while the peer's window is zero: it
 * closed (or shrank) its window with our data in flight. That data cannot
 * be resent into the window, and retransmission limits must not abort a
 * peer that is alive: RFC 9293 3.8.6.1 "the sending TCP must regularly
 * transmit at least one octet of new data (if available), or retransmit to
 * the receiving TCP ... even if the send window is zero", and must not close
 * while the receiver keeps acknowledging probes. Switch to persisting (as
 * FreeBSD's tcp_output does): SND.NXT back to SND.UNA, probe now and with
 * backoff; persist_timeout() aborts only on unanswered probes, and the data
 * goes again once an ACK opens the window.
 */
static void
zero_window_timeout(struct ptcp_conn *c)
{
	PTCP_INC(c->st, TCP_PERSIST_ZERO_WND_RTO);
	ptcp_tcp_recovery_on_rto(c);
	c->nrexmit = 0;
	c->snd_nxt = c->snd_una;
	c->flags &= ~PTCP_TF_RTT_TIMING;
	c->nprobe++;
	PTCP_INC(c->st, TCP_PERSIST_PROBE);
	ptcp_tcp_send_probe(c);
	if (c->persist_shift < 20)
		c->persist_shift++;
	ptcp_tcp_persist_arm(c);
}

/*
 * RFC 6298 5.4-5.6: retransmit the earliest unacknowledged segment, back
 * off the timer, restart it. RFC 9293 3.8.3: give up after the configured
 * number of retransmissions (R2); SYN and SYN-ACK have their own limits.
 */
static void
rexmit_timeout(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	const struct ptcp_stack_conf *conf = &st->conf;
	unsigned int limit;
	uint64_t rto;

	switch (c->state) {
	case PTCP_TCP_SYN_SENT:
		limit = conf->syn_retries;
		break;
	case PTCP_TCP_SYN_RECEIVED:
		limit = conf->synack_retries;
		break;
	default:
		limit = conf->data_retries;
		break;
	}
	PTCP_INC(st, TCP_RTO);
	if (c->state != PTCP_TCP_SYN_SENT && c->state != PTCP_TCP_SYN_RECEIVED &&
	    c->snd_wnd == 0 && ptcp_seq_lt(c->snd_una, ptcp_tcp_fin_seq(c))) {
		zero_window_timeout(c);
		return;
	}
	if (c->nrexmit >= limit) {
		PTCP_INC(st, TCP_CONN_TIMEOUT);
		/* A synchronized connection tells the peer it is gone. */
		if (c->state != PTCP_TCP_SYN_SENT && c->state != PTCP_TCP_SYN_RECEIVED)
			ptcp_tcp_send_rst(c);
		ptcp_tcp_conn_closed(c, -ETIMEDOUT);
		return;
	}
	c->nrexmit++;
	rto = RTE_MIN(2ull * c->rto_us, PTCP_MS(conf->rto_max_ms));   /* 5.5 */
	c->rto_us = (uint32_t)rto;
	c->flags &= ~PTCP_TF_RTT_TIMING;   /* Karn: no sample across a retransmission */
	if (c->state == PTCP_TCP_SYN_SENT || c->state == PTCP_TCP_SYN_RECEIVED) {
		/* Data retransmissions are counted where they are sent (output). */
		ptcp_tcp_rexmit_count(c, 0);
		c->flags |= PTCP_TF_SYN_REXMIT;
		ptcp_tcp_send_syn(c);
		ptcp_tcp_rto_arm(c);
		return;
	}
	/* Go back to the first unacknowledged byte; the loss window lets one
	 * segment out now (RFC 6298 5.4), the rest follows as ACKs open cwnd. */
	/*
	 * RFC 4821 black hole: repeated timeouts of large segments lower the
	 * MSS, before the loss window (one segment) is sized by it.
	 */
	(void)ptcp_tcp_pmtu_rto(c);
	ptcp_tcp_recovery_on_rto(c);
	ptcp_tcp_rto_arm(c);
	/* RFC 6675 5.1: with SACK information, resend only the holes. */
	if (ptcp_tcp_sack_rto(c))
		return;
	c->snd_nxt = c->snd_una;
	ptcp_tcp_output(c);
}

/*
 * Persist interval: the RTO, doubled per probe, capped at rto_max (RFC 1122
 * 4.2.2.17: "increase exponentially the interval between successive probes").
 */
void
ptcp_tcp_persist_arm(struct ptcp_conn *c)
{
	const struct ptcp_stack_conf *conf = &c->st->conf;
	uint64_t t = (uint64_t)c->rto_us << RTE_MIN(c->persist_shift, (uint8_t)20);

	t = RTE_MIN(RTE_MAX(t, PTCP_MS(conf->rto_min_ms)), PTCP_MS(conf->rto_max_ms));
	ptcp_tcp_timer_set(c, PTCP_TCP_T_PERSIST, c->st->now_us + t);
}

/*
 * RFC 9293 3.8.6.1: probes go on while the peer answers them; only
 * data_retries probes in a row without any ACK abort the connection.
 */
static void
persist_timeout(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;

	if (c->nprobe >= st->conf.data_retries) {
		PTCP_INC(st, TCP_CONN_TIMEOUT);
		ptcp_tcp_send_rst(c);
		ptcp_tcp_conn_closed(c, -ETIMEDOUT);
		return;
	}
	if (c->snd_wnd == 0) {
		c->nprobe++;
		PTCP_INC(st, TCP_PERSIST_PROBE);
		ptcp_tcp_send_probe(c);
	} else {
		PTCP_INC(st, TCP_PERSIST_FORCE);
		ptcp_tcp_output_force(c);
	}
	if (c->state == PTCP_TCP_CLOSED)
		return;
	if (c->persist_shift < 20)
		c->persist_shift++;
	if (c->timer[PTCP_TCP_T_REXMIT] == 0)
		ptcp_tcp_persist_arm(c);
}

void
ptcp_tcp_keepalive_arm(struct ptcp_conn *c)
{
	if (c->flags & PTCP_TF_KEEPALIVE)
		ptcp_tcp_timer_set(c, PTCP_TCP_T_KEEPALIVE,
				   c->last_rx + PTCP_MS(c->st->conf.keepalive_idle_ms));
}

/*
 * RFC 1122 4.2.3.6: after keepalive_idle_ms without a segment from the
 * peer send a probe (no data, SEG.SEQ = SND.UNA - 1) every
 * keepalive_intvl_ms; keepalive_cnt unanswered probes abort the connection.
 * Only an idle connection is probed: queued data has its own timers.
 */
static void
keepalive_timeout(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	const struct ptcp_stack_conf *conf = &st->conf;
	uint64_t now = st->now_us;

	if (!(c->flags & PTCP_TF_KEEPALIVE))
		return;
	if (c->state != PTCP_TCP_ESTABLISHED && c->state != PTCP_TCP_CLOSE_WAIT &&
	    c->state != PTCP_TCP_FIN_WAIT_2)
		return;
	if (c->sndq_bytes != 0) {
		/* Busy: retransmission or persist watch the peer; look again later. */
		ptcp_tcp_timer_set(c, PTCP_TCP_T_KEEPALIVE, now + PTCP_MS(conf->keepalive_idle_ms));
		return;
	}
	if (now - c->last_rx < PTCP_MS(conf->keepalive_idle_ms)) {
		/* Heard from the peer since: idle time counts from its last segment. */
		ptcp_tcp_timer_set(c, PTCP_TCP_T_KEEPALIVE,
				   c->last_rx + PTCP_MS(conf->keepalive_idle_ms));
		return;
	}
	if (c->nprobe >= conf->keepalive_cnt) {
		PTCP_INC(st, TCP_KEEPALIVE_DROP);
		ptcp_tcp_send_rst(c);
		ptcp_tcp_conn_closed(c, -ETIMEDOUT);
		return;
	}
	c->nprobe++;
	PTCP_INC(st, TCP_KEEPALIVE_PROBE);
	ptcp_tcp_send_probe(c);
	ptcp_tcp_timer_set(c, PTCP_TCP_T_KEEPALIVE, now + PTCP_MS(conf->keepalive_intvl_ms));
}

static void
conn_timers_fire(struct ptcp_conn *c, uint64_t now)
{
	if (c->timer[PTCP_TCP_T_FIN_WAIT_2] != 0 && c->timer[PTCP_TCP_T_FIN_WAIT_2] <= now) {
		c->timer[PTCP_TCP_T_FIN_WAIT_2] = 0;
		if (c->state == PTCP_TCP_FIN_WAIT_2) {
			/* Silent, as Linux's expiring FIN-WAIT-2 timewait socket. */
			PTCP_INC(c->st, TCP_FIN_WAIT_2_TIMEOUT);
			ptcp_tcp_conn_closed(c, -ETIMEDOUT);
			return;
		}
		ptcp_tcp_rack_timeout(c);   /* the same slot: RFC 8985 (tcp_rack.c) */
	}
	if (c->timer[PTCP_TCP_T_REXMIT] != 0 && c->timer[PTCP_TCP_T_REXMIT] <= now) {
		c->timer[PTCP_TCP_T_REXMIT] = 0;
		rexmit_timeout(c);
	}
	if (c->state != PTCP_TCP_CLOSED && c->timer[PTCP_TCP_T_PERSIST] != 0 &&
	    c->timer[PTCP_TCP_T_PERSIST] <= now) {
		c->timer[PTCP_TCP_T_PERSIST] = 0;
		persist_timeout(c);
	}
	if (c->state != PTCP_TCP_CLOSED && c->timer[PTCP_TCP_T_DELACK] != 0 &&
	    c->timer[PTCP_TCP_T_DELACK] <= now) {
		c->timer[PTCP_TCP_T_DELACK] = 0;
		if (c->flags & PTCP_TF_DELACK) {
			PTCP_INC(c->st, TCP_DELACK);
			ptcp_tcp_send_ack(c);
		}
	}
	if (c->state != PTCP_TCP_CLOSED && c->timer[PTCP_TCP_T_KEEPALIVE] != 0 &&
	    c->timer[PTCP_TCP_T_KEEPALIVE] <= now) {
		c->timer[PTCP_TCP_T_KEEPALIVE] = 0;
		keepalive_timeout(c);
	}
	if (c->state != PTCP_TCP_CLOSED)
		wheel_update(c);
}

void
ptcp_tcp_poll(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	uint64_t now = st->now_us, now_tick = now / PTCP_TW_TICK_US;
	uint64_t steps;

	ptcp_tcp_syncache_poll(st);
	ptcp_tcp_timewait_poll(st);
	ptcp_tcp_mem_wake(st);
	if (now_tick <= tcp->tw_tick)
		return;
	ptcp_tcp_pmtu_poll(st);   /* expiry once per wheel tick */
	/* After a full lap every slot has been looked at once. */
	steps = RTE_MIN(now_tick - tcp->tw_tick, (uint64_t)PTCP_TW_SLOTS);
	tcp->tw_tick = now_tick - steps;
	ptcp_tcp_enter(st);
	while (tcp->tw_tick < now_tick) {
		struct ptcp_conn_list due;
		struct ptcp_conn *c;

		tcp->tw_tick++;
		LIST_INIT(&due);
		/* Detach the slot: callbacks may re-arm into it. */
		while ((c = LIST_FIRST(&tcp->wheel[tcp->tw_tick & (PTCP_TW_SLOTS - 1)])) != NULL) {
			LIST_REMOVE(c, timer_link);
			LIST_INSERT_HEAD(&due, c, timer_link);
		}
		while ((c = LIST_FIRST(&due)) != NULL) {
			LIST_REMOVE(c, timer_link);
			if (c->timer_expire > now) {
				/* Not this lap. */
				wheel_insert(tcp, c);
				continue;
			}
			c->timer_expire = 0;
			conn_timers_fire(c, now);
		}
	}
	ptcp_tcp_leave(st);
}
