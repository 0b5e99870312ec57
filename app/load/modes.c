/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * modes.c - polltcp-load's modes rr, stream, crr and hold (modes.h), the
 * same code for both backends.
 *
 * A run, per worker (load_tick drives it):
 *   W_WAIT until load_g.t_start
 *   W_RUN: open connections (--pending handshakes at a time; the first one
 *     alone, so its SYN waits for ARP and the others find the neighbour
 *     known), then the mode's traffic from the event handlers:
 *       rr     on_connected/readable: keep --pipeline requests of --size
 *              bytes issued; each --size bytes read back completes the
 *              oldest; latency = now - its issue time
 *       rr --rate (open loop): request k of connection idx is due at
 *              t_start + (k * conns + idx) / rate, so the requests of all
 *              connections together come evenly spaced at the offered
 *              rate; each tick walks this worker's slots up to now
 *              (rate_tick) and issues what is due, at most --pipeline
 *              outstanding per connection (the rest waits for an answer:
 *              complete_rr issues it). Latency counts from the due time,
 *              not the send: a request sent late because the server, the
 *              link or this client fell behind carries its lateness (no
 *              coordinated omission). late counts requests issued more than
 *              LOAD_LATE_NS after they were due, behind those still due at
 *              the end of the measured time: both 0 when the rate was
 *              offered as asked
 *       stream send whatever the backend takes, read the echo
 *       crr    connected -> one request -> response read -> close (we
 *              close first: TIME-WAIT is ours) -> queued -> reopened by
 *              the next tick; latency = response read - connect started
 *       hold   nothing; once every worker opened all it could, the hold
 *              time (--duration) starts and memory is measured
 *     the warm-up (--warmup) ends: counters snapped, histogram emptied
 *     the measured time (--duration) ends, or SIGINT/SIGTERM: counters
 *     snapped again (the figures are the difference), then
 *   W_DRAIN: no new requests; each connection is closed in order as soon
 *     as everything it sent came back (hold: every connection reset) so
 *     the totals are exact: bytes echoed == bytes sent, transactions ==
 *     requests; whatever does not come back within LOAD_DRAIN_NS is an error
 *   W_LINGER: the backend finishes closes (dpdk: FIN exchanges)
 *   W_DONE.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "modes.h"
#include "result.h"

#define LOAD_DRAIN_NS     (5ull * 1000000000u)   /* echoes due after the measured time */
#define LOAD_LINGER_NS    (3ull * 1000000000u)   /* backend teardowns after the drain */
#define LOAD_LINGER_MIN_NS (50ull * 1000000u)    /* and at least this: TX flushed */
#define LOAD_MAX_MSGS     8                      /* error lines per worker */
#define LOAD_RELEASE_BURST 64                    /* hold: resets per LOAD_RELEASE_GAP_NS */
#define LOAD_RELEASE_GAP_NS 100000ull            /* (640k/s: the peer takes them all) */
#define LOAD_VERIFY_CHUNK (16 * 1024)            /* stream bytes computed per send */
#define LOAD_NS_PER_S     UINT64_C(1000000000)
#define LOAD_LATE_NS      (100ull * 1000)        /* rr --rate: issued this late counts as late */

uint64_t load_tsc_mult;
struct load_global load_g;

static const char *const err_names[LOAD_ERR_MAX] = {
#define _(sym, str) [LOAD_ERR_##sym] = str,
	LOAD_FOREACH_ERR(_)
#undef _
};

/*
 * Counters have one writer (the worker); the progress line on rank 0
 * reads them while they change. Relaxed atomic stores and loads make that
 * well defined at the cost of a plain move on x86 and arm64.
 */
#define CTR_ADD(w, f, v) __atomic_store_n(&(w)->c.f, (w)->c.f + (v), __ATOMIC_RELAXED)
#define CTR_SUB(w, f, v) __atomic_store_n(&(w)->c.f, (w)->c.f - (v), __ATOMIC_RELAXED)
#define CTR_LOAD(w, f)   __atomic_load_n(&(w)->c.f, __ATOMIC_RELAXED)

static inline const struct load_args *
A(void)
{
	return load_g.a;
}

static inline uint32_t
local_index(const struct load_worker *w, const struct lconn *lc)
{
	return (uint32_t)(lc - w->conns);
}

static inline bool
measuring(const struct load_worker *w)
{
	return w->warm && !w->measured;
}

/* ---- Failures ------------------------------------------------------------------- */

static void
leave_phase(struct load_worker *w, struct lconn *lc)
{
	switch (lc->phase) {
	case LC_CONNECTING:
		w->pending--;
		break;
	case LC_DRAIN:
		w->draining--;
		/* fall through */
	case LC_OPEN:
		CTR_SUB(w, open, 1);
		break;
	default:
		break;
	}
}

static void
enqueue(struct load_worker *w, struct lconn *lc)
{
	if (lc->in_queue)
		return;
	lc->in_queue = 1;
	w->queue[(w->q_head + w->q_len++) % w->nconns] = local_index(w, lc);
}

/*
 * Count lc failed and say why (the first LOAD_MAX_MSGS per worker). The
 * caller releases the connection unless the backend already did (closed
 * event). crr workers go on with their next round.
 */
static void __attribute__((format(printf, 4, 5)))
conn_fail(struct load_worker *w, struct lconn *lc, enum load_err kind, const char *fmt, ...)
{
	va_list ap;

	if (lc->phase == LC_FAILED || lc->phase == LC_CLOSED || lc->phase == LC_IDLE)
		return;
	leave_phase(w, lc);
	lc->phase = LC_FAILED;
	CTR_ADD(w, errors, 1);
	w->c.err[kind]++;
	if (A()->mode == LOAD_MODE_CRR && w->state == W_RUN)
		enqueue(w, lc);
	if (w->msgs++ >= LOAD_MAX_MSGS)
		return;
	fprintf(stderr, LOAD_NAME ": connection %" PRIu32 ": %s: ", lc->idx, err_names[kind]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static void
fail_release(struct load_worker *w, struct lconn *lc, enum load_err kind, const char *what,
	     int err)
{
	conn_fail(w, lc, kind, "%s%s%s (%" PRIu64 " bytes sent, %" PRIu64 " back)", what,
		  err != 0 ? ": " : "", err != 0 ? strerror(-err) : "", lc->sent, lc->rcvd);
	w->be->abort(w, lc);
}

/* Orderly close by us (end of a crr round, or of the run). */
static void
close_conn(struct load_worker *w, struct lconn *lc, enum lc_phase next)
{
	leave_phase(w, lc);
	w->be->close(w, lc);
	lc->phase = (uint8_t)next;
	CTR_ADD(w, closes, 1);
}

/* Everything sent came back (and, rr/crr, every issued request was sent). */
static inline bool
drained(const struct lconn *lc)
{
	return lc->rcvd == lc->sent &&
		(A()->mode == LOAD_MODE_STREAM || lc->sent == lc->issued * A()->size);
}

/* ---- Sending ---------------------------------------------------------------------- */

/* Send up to the mode's target: rr/crr the issued requests, stream all it can. */
static void
push(struct load_worker *w, struct lconn *lc)
{
	const struct load_args *a = A();
	uint64_t target;
	uint32_t n;
	int32_t took;

	if (a->mode == LOAD_MODE_STREAM)
		target = w->state == W_RUN ? UINT64_MAX : lc->sent;
	else
		target = lc->issued * a->size;
	while (lc->sent < target) {
		n = (uint32_t)(target - lc->sent < LOAD_BUF ? target - lc->sent : LOAD_BUF);
		if (load_g.verify) {
			/*
			 * Computing the stream costs per byte: fill only what the
			 * backend takes now (or LOAD_VERIFY_CHUNK if it cannot tell).
			 */
			uint32_t room = w->be->space(w, lc);

			n = RTE_MIN(n, room == UINT32_MAX ? (uint32_t)LOAD_VERIFY_CHUNK : room);
			if (n == 0)
				return;            /* full: load_ev_writable continues */
			load_stream_fill(load_stream_key(a->seed, lc->idx), lc->sent, w->sbuf, n);
		}
		took = w->be->send(w, lc, w->sbuf, n);
		if (took == 0)
			return;                /* full: load_ev_writable continues */
		if (took < 0) {
			fail_release(w, lc, took == -ECONNRESET ? LOAD_ERR_RESET : LOAD_ERR_IO,
				     "send", took);
			return;
		}
		lc->sent += (uint32_t)took;
		CTR_ADD(w, bytes_tx, (uint32_t)took);
	}
}

/* rr --rate: when request k of lc is due (ns). */
static inline uint64_t
rate_due_ns(const struct lconn *lc, uint64_t k)
{
	return load_g.t_start + (uint64_t)(((double)k * A()->conns + lc->idx) * load_g.rate_ns);
}

/*
 * rr: keep --pipeline requests outstanding (issue time in ts[]); with
 * --rate only those due, and their due time is what ts[] keeps.
 */
static void
issue_rr(struct load_worker *w, struct lconn *lc, uint64_t now)
{
	const struct load_args *a = A();
	uint64_t done = lc->rcvd / a->size;
	uint64_t *ts = &w->ts[(uint64_t)local_index(w, lc) * a->pipeline];
	uint64_t t = now;

	while (lc->issued - done < a->pipeline && (a->rate == 0 || lc->issued < lc->due)) {
		if (a->rate != 0) {
			t = rate_due_ns(lc, lc->issued);
			if (measuring(w) && now > t) {
				if (now - t > LOAD_LATE_NS)
					CTR_ADD(w, late, 1);
				if (now - t > w->lag_max_ns)
					w->lag_max_ns = now - t;
			}
		}
		ts[lc->issued % a->pipeline] = t;
		lc->issued++;
		CTR_ADD(w, requests, 1);
	}
}

/* ---- Events ---------------------------------------------------------------------- */

void
load_ev_connected(struct load_worker *w, struct lconn *lc)
{
	const struct load_args *a = A();

	if (lc->phase != LC_CONNECTING)
		return;
	w->pending--;
	lc->phase = LC_OPEN;
	CTR_ADD(w, open, 1);
	CTR_ADD(w, connects, 1);
	if (w->state != W_RUN && a->mode != LOAD_MODE_HOLD) {
		close_conn(w, lc, LC_CLOSED);  /* the run ended while it connected */
		return;
	}
	switch (a->mode) {
	case LOAD_MODE_RR:
		issue_rr(w, lc, load_now_ns());
		break;
	case LOAD_MODE_CRR:
		lc->issued++;
		CTR_ADD(w, requests, 1);
		break;
	case LOAD_MODE_HOLD:
		return;
	default:
		break;
	}
	push(w, lc);
}

void
load_ev_writable(struct load_worker *w, struct lconn *lc)
{
	if (lc->phase == LC_OPEN || lc->phase == LC_DRAIN)
		push(w, lc);
}

/* Check n received bytes against the stream; false after failing lc. */
static bool
check_bytes(struct load_worker *w, struct lconn *lc, const uint8_t *got, uint32_t n)
{
	uint32_t i;

	if (lc->rcvd + n > lc->sent) {
		fail_release(w, lc, LOAD_ERR_EXCESS, "the peer sent more than we sent", 0);
		return false;
	}
	if (!load_g.verify)
		return true;
	load_stream_fill(load_stream_key(A()->seed, lc->idx), lc->rcvd, w->cbuf, n);
	if (memcmp(got, w->cbuf, n) != 0) {
		for (i = 0; i < n && got[i] == w->cbuf[i]; i++)
			;
		conn_fail(w, lc, LOAD_ERR_MISMATCH, "data mismatch at offset %" PRIu64
			  " (expected 0x%02x, got 0x%02x)", lc->rcvd + i, w->cbuf[i], got[i]);
		w->be->abort(w, lc);
		return false;
	}
	CTR_ADD(w, verified, n);
	return true;
}

/* rr: complete the transactions whose last byte arrived. */
static void
complete_rr(struct load_worker *w, struct lconn *lc, uint64_t before, uint64_t now)
{
	const struct load_args *a = A();
	const uint64_t *ts = &w->ts[(uint64_t)local_index(w, lc) * a->pipeline];
	uint64_t k, done = lc->rcvd / a->size;

	for (k = before / a->size; k < done; k++) {
		if (measuring(w))
			load_hist_record(&w->hist, now - ts[k % a->pipeline]);
		CTR_ADD(w, tx, 1);
	}
	if (w->state == W_RUN) {
		issue_rr(w, lc, now);
		push(w, lc);
	}
}

void
load_ev_readable(struct load_worker *w, struct lconn *lc)
{
	const struct load_args *a = A();
	uint64_t before = lc->rcvd, now;
	int32_t n;

	if (lc->phase != LC_OPEN && lc->phase != LC_DRAIN)
		return;
	for (;;) {
		n = w->be->recv(w, lc, w->rbuf, LOAD_BUF);
		if (n == 0)
			break;
		if (n == LOAD_IO_EOF) {
			fail_release(w, lc, LOAD_ERR_EOF, "the peer closed first", 0);
			return;
		}
		if (n < 0) {
			fail_release(w, lc, n == -ECONNRESET ? LOAD_ERR_RESET : LOAD_ERR_IO, "recv",
				     n);
			return;
		}
		if (!check_bytes(w, lc, w->rbuf, (uint32_t)n))
			return;
		lc->rcvd += (uint32_t)n;
		CTR_ADD(w, bytes_rx, (uint32_t)n);
	}
	if (lc->rcvd == before)
		return;
	now = load_now_ns();
	switch (a->mode) {
	case LOAD_MODE_RR:
		complete_rr(w, lc, before, now);
		break;
	case LOAD_MODE_STREAM:
		if (w->state == W_RUN)
			push(w, lc);
		break;
	case LOAD_MODE_CRR:
		if (lc->rcvd != lc->issued * a->size)
			return;
		if (measuring(w))
			load_hist_record(&w->hist, now - lc->t0_ns);
		CTR_ADD(w, tx, 1);
		CTR_ADD(w, rounds, 1);
		close_conn(w, lc, w->state == W_RUN ? LC_IDLE : LC_CLOSED);
		if (w->state == W_RUN)
			enqueue(w, lc);
		return;
	default:
		break;
	}
	if (lc->phase == LC_DRAIN && drained(lc))
		close_conn(w, lc, LC_CLOSED);
}

void
load_ev_closed(struct load_worker *w, struct lconn *lc, int err)
{
	enum load_err kind;

	switch (err) {
	case 0:
		kind = LOAD_ERR_EOF;
		break;
	case -ECONNREFUSED:
		kind = LOAD_ERR_REFUSED;
		break;
	case -ECONNRESET:
		kind = LOAD_ERR_RESET;
		break;
	case -ETIMEDOUT:
		kind = LOAD_ERR_TIMEDOUT;
		break;
	default:
		kind = LOAD_ERR_IO;
		break;
	}
	conn_fail(w, lc, kind, "%s (%" PRIu64 " bytes sent, %" PRIu64 " back)",
		  err == 0 ? "closed by the peer" : strerror(-err), lc->sent, lc->rcvd);
}

void
load_ev_close_failed(struct load_worker *w, int err)
{
	CTR_ADD(w, errors, 1);
	w->c.err[LOAD_ERR_CLOSE]++;
	if (w->msgs++ < LOAD_MAX_MSGS)
		fprintf(stderr, LOAD_NAME ": a connection closed by us ended with %s\n",
			strerror(-err));
}

/* ---- The run ---------------------------------------------------------------------- */

static void
open_conn(struct load_worker *w, struct lconn *lc, uint64_t now)
{
	int ret;

	lc->phase = LC_CONNECTING;
	if (A()->mode == LOAD_MODE_CRR)
		lc->t0_ns = now;                /* (rr --rate keeps its due count there) */
	w->pending++;
	ret = w->be->open(w, lc);
	if (ret != 0)
		conn_fail(w, lc, LOAD_ERR_CONNECT, "open: %s", strerror(-ret));
	else
		CTR_ADD(w, opens, 1);
}

static void
open_more(struct load_worker *w, uint64_t now)
{
	uint32_t tries = A()->pending;         /* a failed open is retried next tick, not here */
	struct lconn *lc;

	while (w->pending < A()->pending && tries-- > 0) {
		/* The first alone: its SYN waits for ARP; then the rest find the neighbour. */
		if (w->pending > 0 && w->c.connects == 0)
			return;
		if (w->q_len > 0) {
			lc = &w->conns[w->queue[w->q_head]];
			w->q_head = (w->q_head + 1) % w->nconns;
			w->q_len--;
			lc->in_queue = 0;
		} else if (w->next_open < w->nconns) {
			lc = &w->conns[w->next_open++];
		} else {
			return;
		}
		open_conn(w, lc, now);
	}
}

/* rr --rate: lc has `due` requests due (never fewer than before); issue what fits. */
static void
rate_make_due(struct load_worker *w, struct lconn *lc, uint64_t due, uint64_t now)
{
	if (due <= lc->due)
		return;
	lc->due = due;
	if (lc->phase == LC_OPEN) {
		issue_rr(w, lc, now);
		push(w, lc);
	}
}

/*
 * rr --rate: the slots of this worker's connections due by now, in time
 * order: slot m is request m / nconns of local connection m % nconns (due
 * times grow with m). At most one round per tick; a worker that fell a
 * whole round behind (a rate far above what it can offer) sets every
 * connection's due count from the clock instead, so a tick costs
 * O(connections), never O(rate).
 */
static void
rate_tick(struct load_worker *w, uint64_t now)
{
	const struct load_args *a = A();
	struct lconn *lc;
	uint64_t k, sum = 0;
	double x;
	uint32_t j;

	if (w->nconns == 0)
		return;
	for (j = 0; j < w->nconns; j++) {
		lc = &w->conns[w->rate_next % w->nconns];
		k = w->rate_next / w->nconns;
		if (rate_due_ns(lc, k) > now)
			return;
		w->rate_next++;
		rate_make_due(w, lc, k + 1, now);
	}
	x = (double)(now - load_g.t_start) / load_g.rate_ns;      /* slots due in all */
	for (j = 0; j < w->nconns; j++) {
		lc = &w->conns[j];
		if (x >= lc->idx)
			rate_make_due(w, lc, (uint64_t)((x - lc->idx) / a->conns) + 1, now);
		sum += lc->due;
	}
	w->rate_next = RTE_MAX(w->rate_next, sum);
}

/* rr --rate: requests due and not issued (connections that count). */
static uint64_t
rate_behind(const struct load_worker *w)
{
	uint64_t n = 0;
	uint32_t j;

	for (j = 0; j < w->nconns; j++) {
		const struct lconn *lc = &w->conns[j];

		if (lc->phase != LC_FAILED && lc->due > lc->issued)
			n += lc->due - lc->issued;
	}
	return n;
}

static void
snap_warm(struct load_worker *w, uint64_t now)
{
	w->warm = true;
	w->snap = w->c;
	w->t_win_start = now;
	w->lag_max_ns = 0;
	load_hist_reset(&w->hist);
}

static void
snap_end(struct load_worker *w, uint64_t now)
{
	if (!w->warm) {                        /* stopped during the warm-up: from the start */
		w->warm = true;
		memset(&w->snap, 0, sizeof(w->snap));
		w->t_win_start = load_g.t_start;
	}
	w->measured = true;
	w->end = w->c;
	w->t_win_end = now;
	if (A()->mode == LOAD_MODE_RR && A()->rate != 0)
		w->behind = rate_behind(w);
}


/* The measured time is over: stop requesting, close what is answered, wait for the rest. */
static void
begin_drain(struct load_worker *w, uint64_t now)
{
	uint32_t j;

	snap_end(w, now);
	w->state = W_DRAIN;
	w->t_deadline = now + LOAD_DRAIN_NS;
	w->q_len = 0;
	for (j = 0; j < w->nconns; j++) {
		struct lconn *lc = &w->conns[j];

		lc->in_queue = 0;
		switch (lc->phase) {
		case LC_CONNECTING:            /* not counted: the run ended before it */
			leave_phase(w, lc);
			w->be->abort(w, lc);
			lc->phase = LC_CLOSED;
			break;
		case LC_OPEN:
			if (drained(lc)) {
				close_conn(w, lc, LC_CLOSED);
			} else {
				lc->phase = LC_DRAIN;
				w->draining++;
			}
			break;
		case LC_IDLE:
		case LC_FAILED:
			lc->phase = lc->phase == LC_IDLE ? LC_CLOSED : LC_FAILED;
			break;
		default:
			break;
		}
	}
}

static void
drain_timeout(struct load_worker *w)
{
	uint32_t j;

	for (j = 0; j < w->nconns && w->draining > 0; j++)
		if (w->conns[j].phase == LC_DRAIN)
			fail_release(w, &w->conns[j], LOAD_ERR_DRAIN, "echo still due after the run",
				     0);
}

/*
 * hold: the hold ends: reset every connection, LOAD_RELEASE_BURST every
 * LOAD_RELEASE_GAP_NS, so the resets fit the TX queue and the peer's
 * receive ring (128 per poll step lost 83 % of 100,000 over memif, leaving
 * the server holding them), and none while the backend's TX path is backed
 * up: a server slower than that (10M connections, sharing its CPU) let
 * 2.58 M of 10 M resets overflow the TX hold. True once all are released.
 */
static bool
hold_release(struct load_worker *w, uint64_t now)
{
	uint32_t n = 0;

	if (!w->measured)
		snap_end(w, now);
	if (now < w->t_next_release || (w->be->tx_busy != NULL && w->be->tx_busy(w)))
		return false;
	w->t_next_release = now + LOAD_RELEASE_GAP_NS;
	for (; w->release_next < w->nconns && n < LOAD_RELEASE_BURST; w->release_next++) {
		struct lconn *lc = &w->conns[w->release_next];

		if (lc->phase != LC_OPEN && lc->phase != LC_CONNECTING)
			continue;
		if (lc->phase == LC_OPEN)
			CTR_ADD(w, closes, 1);
		leave_phase(w, lc);
		w->be->abort(w, lc);
		lc->phase = LC_CLOSED;
		n++;
	}
	return w->release_next == w->nconns;
}

static void
hold_measure(uint64_t now)
{
	load_g.held_rss = load_proc_rss();
	load_g.held_avail = load_proc_mem_available();
	load_g.held_pool = load_g.w[0].be->pool_bytes != NULL ? load_g.w[0].be->pool_bytes() : 0;
	load_g.t_opened = now;
	__atomic_store_n(&load_g.t_end, now + (uint64_t)A()->duration_s * LOAD_NS_PER_S,
			 __ATOMIC_RELEASE);
}

static void
hold_tick(struct load_worker *w, uint64_t now)
{
	uint64_t t_end;
	uint32_t j;

	if (!w->opened) {
		if (now >= load_g.t_open_limit || load_g.stop) {
			for (j = 0; j < w->nconns; j++) {
				struct lconn *lc = &w->conns[j];

				if (lc->phase == LC_CONNECTING)
					fail_release(w, lc, LOAD_ERR_OPEN_TIMEOUT,
						     "handshake not done by --timeout", 0);
			}
			if (w->next_open < w->nconns) {
				CTR_ADD(w, errors, w->nconns - w->next_open);
				w->c.err[LOAD_ERR_OPEN_TIMEOUT] += w->nconns - w->next_open;
				w->next_open = w->nconns;
			}
		}
		if (w->next_open == w->nconns && w->pending == 0) {
			w->opened = true;
			if (__atomic_add_fetch(&load_g.opened_workers, 1, __ATOMIC_ACQ_REL) ==
			    load_g.nworkers)
				hold_measure(now);
		}
	}
	t_end = __atomic_load_n(&load_g.t_end, __ATOMIC_ACQUIRE);
	if (((t_end != 0 && now >= t_end) || load_g.stop) && hold_release(w, now)) {
		w->state = W_LINGER;
		w->t_deadline = now + LOAD_LINGER_NS;
		w->t_linger_min = now + LOAD_LINGER_MIN_NS;
	}
}

static void
progress(struct load_worker *w, uint64_t now)
{
	const struct load_args *a = A();
	struct load_counters *p = &w->prog;
	uint64_t tx = 0, rx = 0, conns = 0, open = 0, errors = 0;
	double secs = (double)a->progress_s;
	unsigned int i;

	if (a->progress_s == 0 || now < w->t_next_progress)
		return;
	w->t_next_progress += (uint64_t)a->progress_s * LOAD_NS_PER_S;
	for (i = 0; i < load_g.nworkers; i++) {
		struct load_worker *o = &load_g.w[i];

		tx += CTR_LOAD(o, tx);
		rx += CTR_LOAD(o, bytes_rx);
		conns += a->mode == LOAD_MODE_CRR ? CTR_LOAD(o, rounds) : CTR_LOAD(o, connects);
		open += CTR_LOAD(o, open);
		errors += CTR_LOAD(o, errors);
	}
	printf("progress: t %" PRIu64 " s tx/s %.0f gbit/s %.3f conn/s %.0f conns %" PRIu64
	       " errors %" PRIu64 "\n", (now - load_g.t_start + LOAD_NS_PER_S / 2) / LOAD_NS_PER_S,
	       (double)(tx - p->tx) / secs, (double)(rx - p->bytes_rx) * 8 / secs / 1e9,
	       (double)(conns - p->connects) / secs, open, errors);
	fflush(stdout);
	p->tx = tx;
	p->bytes_rx = rx;
	p->connects = conns;
}

bool
load_tick(struct load_worker *w, uint64_t now)
{
	const struct load_args *a = A();

	switch (w->state) {
	case W_WAIT:
		if (now < load_g.t_start)
			return false;
		w->state = W_RUN;
		w->t_next_progress = load_g.t_start + (uint64_t)a->progress_s * LOAD_NS_PER_S;
		/* fall through */
	case W_RUN:
		if (a->mode != LOAD_MODE_HOLD && !w->warm && now >= load_g.t_warm)
			snap_warm(w, now);
		if (!w->measured)
			open_more(w, now);
		if (a->rate != 0 && !w->measured)
			rate_tick(w, now);
		if (a->mode == LOAD_MODE_HOLD)
			hold_tick(w, now);
		else if (now >= load_g.t_end || load_g.stop)
			begin_drain(w, now);
		break;
	case W_DRAIN:
		if (w->draining > 0 && now >= w->t_deadline)
			drain_timeout(w);
		if (w->draining == 0) {
			w->state = W_LINGER;
			w->t_deadline = now + LOAD_LINGER_NS;
			w->t_linger_min = now + LOAD_LINGER_MIN_NS;
		}
		break;
	case W_LINGER:
		/* At least LOAD_LINGER_MIN_NS: resets and FINs just queued get transmitted. */
		if (now < w->t_linger_min)
			break;
		if (w->be->lingering == NULL || w->be->lingering(w) == 0 || now >= w->t_deadline) {
			if (w->be->lingering != NULL && w->be->lingering(w) != 0) {
				CTR_ADD(w, errors, 1);
				w->c.err[LOAD_ERR_CLOSE]++;
				fprintf(stderr, LOAD_NAME ": %" PRIu64 " closes still unfinished\n",
					w->be->lingering(w));
			}
			w->state = W_DONE;
			__atomic_add_fetch(&load_g.done_workers, 1, __ATOMIC_ACQ_REL);
		}
		break;
	case W_DONE:
		return true;
	}
	if (w->rank == 0)
		progress(w, now);
	return w->state == W_DONE;
}

/* ---- Setup and report -------------------------------------------------------------- */

static uint64_t
proc_field_kib(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0) {
			v = strtoull(line + klen, NULL, 10);
			break;
		}
	fclose(f);
	return (uint64_t)v * 1024;
}

uint64_t
load_proc_rss(void)
{
	return proc_field_kib("/proc/self/status", "VmRSS:");
}

uint64_t
load_proc_mem_available(void)
{
	return proc_field_kib("/proc/meminfo", "MemAvailable:");
}

int
load_workers_init(const struct load_args *a, const struct load_backend *be, unsigned int n)
{
	unsigned int r;
	uint32_t j;

	memset(&load_g, 0, sizeof(load_g));
	load_g.a = a;
	load_g.nworkers = n;
	load_g.verify = a->verify >= 0 ? a->verify == 1 :
		(a->mode == LOAD_MODE_STREAM || a->mode == LOAD_MODE_CRR);
	load_g.w = calloc(n, sizeof(*load_g.w));
	if (load_g.w == NULL)
		return app_error("no memory for %u workers", n);
	for (r = 0; r < n; r++) {
		struct load_worker *w = &load_g.w[r];

		w->rank = r;
		w->nworkers = n;
		w->be = be;
		w->nconns = a->conns / n + (r < a->conns % n ? 1 : 0);
		w->conns = calloc(w->nconns ? w->nconns : 1, sizeof(*w->conns));
		if (a->mode == LOAD_MODE_CRR)      /* the only mode that reopens */
			w->queue = calloc(w->nconns ? w->nconns : 1, sizeof(*w->queue));
		w->rbuf = malloc(LOAD_BUF);
		w->sbuf = calloc(1, LOAD_BUF);     /* zeros when not verifying */
		w->cbuf = malloc(LOAD_BUF);
		if (a->mode == LOAD_MODE_RR)
			w->ts = calloc((uint64_t)(w->nconns ? w->nconns : 1) * a->pipeline,
				       sizeof(*w->ts));
		if (w->conns == NULL || (a->mode == LOAD_MODE_CRR && w->queue == NULL) ||
		    w->rbuf == NULL || w->sbuf == NULL ||
		    w->cbuf == NULL || (a->mode == LOAD_MODE_RR && w->ts == NULL))
			return app_error("no memory for %" PRIu32 " connections", a->conns);
		for (j = 0; j < w->nconns; j++) {
			w->conns[j].idx = j * n + r;
			w->conns[j].h.fd = -1;
		}
		load_hist_reset(&w->hist);
	}
	return 0;
}

void
load_workers_start(void)
{
	const struct load_args *a = A();
	uint64_t now = load_now_ns();

	load_g.base_rss = load_proc_rss();
	load_g.base_avail = load_proc_mem_available();
	load_g.base_pool = load_g.w[0].be->pool_bytes != NULL ? load_g.w[0].be->pool_bytes() : 0;
	load_g.t_start = now + (uint64_t)a->start_delay_ms * 1000000u;
	if (a->rate != 0)
		load_g.rate_ns = 1e9 / (double)a->rate;
	load_g.t_warm = load_g.t_start + (uint64_t)a->warmup_s * LOAD_NS_PER_S;
	load_g.t_open_limit = load_g.t_start + (uint64_t)(a->timeout_set ? a->timeout_s :
							   60 + a->conns / 10000) * LOAD_NS_PER_S;
	if (a->mode != LOAD_MODE_HOLD)
		load_g.t_end = load_g.t_warm + (uint64_t)a->duration_s * LOAD_NS_PER_S;
}

void
load_workers_free(void)
{
	unsigned int r;

	if (load_g.w == NULL)
		return;
	for (r = 0; r < load_g.nworkers; r++) {
		struct load_worker *w = &load_g.w[r];

		free(w->conns);
		free(w->queue);
		free(w->rbuf);
		free(w->sbuf);
		free(w->cbuf);
		free(w->ts);
	}
	free(load_g.w);
	load_g.w = NULL;
}

enum { S_C, S_SNAP, S_END };

/* Sum over the workers of one counter (offset off) of their now / warm / end snapshot. */
static uint64_t
sum_ctr(int which, size_t off)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < load_g.nworkers; i++) {
		const struct load_worker *w = &load_g.w[i];
		const struct load_counters *c = which == S_C ? &w->c : which == S_SNAP ? &w->snap :
			&w->end;

		v += *(const uint64_t *)((const char *)c + off);
	}
	return v;
}

#define SUM(s, f) sum_ctr(S_##s, offsetof(struct load_counters, f))

int
load_workers_report(void)
{
	const struct load_args *a = A();
	const bool hold = a->mode == LOAD_MODE_HOLD;
	struct load_hist *h = malloc(sizeof(*h));
	struct load_result r = { .mode = load_mode_name(a->mode), .conns = a->conns,
				 .hold = hold };
	uint64_t err[LOAD_ERR_MAX] = { 0 }, win_ns, open_ns = 0, rss_d = 0, avail_d = 0;
	int64_t pool_d = 0;
	uint64_t behind = 0, lag_max = 0;
	double win, issued_tx_s = 0;
	char line[512];
	unsigned int i, k;
	FILE *jf = NULL;

	if (h == NULL)
		return 1;
	load_hist_reset(h);
	for (i = 0; i < load_g.nworkers; i++) {
		struct load_worker *w = &load_g.w[i];

		if (!w->measured)
			snap_end(w, load_now_ns());
		load_hist_merge(h, &w->hist);
		for (k = 0; k < LOAD_ERR_MAX; k++)
			err[k] += w->c.err[k];
		behind += w->behind;
		lag_max = RTE_MAX(lag_max, w->lag_max_ns);
	}
	/* The measured time (each worker snaps its own; they differ by a poll step). */
	win_ns = load_g.w[0].t_win_end - load_g.w[0].t_win_start;
	win = (double)win_ns / 1e9;
	if (hold && load_g.t_opened > load_g.t_start)
		open_ns = load_g.t_opened - load_g.t_start;
	if (!hold && win > 0) {
		r.tx_per_s = (double)(SUM(END, tx) - SUM(SNAP, tx)) / win;
		r.gbit_per_s = (double)(SUM(END, bytes_rx) - SUM(SNAP, bytes_rx)) * 8 / win / 1e9;
		if (a->mode == LOAD_MODE_CRR)
			r.conn_per_s = (double)(SUM(END, rounds) - SUM(SNAP, rounds)) / win;
		issued_tx_s = (double)(SUM(END, requests) - SUM(SNAP, requests)) / win;
	}
	if (hold && open_ns > 0)
		r.conn_per_s = (double)SUM(END, connects) / ((double)open_ns / 1e9);
	r.p50_ns = load_hist_percentile(h, 50);
	r.p99_ns = load_hist_percentile(h, 99);
	r.p999_ns = load_hist_percentile(h, 99.9);
	r.errors = SUM(C, errors);
	if (hold) {
		r.conns_held = SUM(END, open);
		rss_d = load_g.held_rss > load_g.base_rss ? load_g.held_rss - load_g.base_rss : 0;
		avail_d = load_g.base_avail > load_g.held_avail ?
			load_g.base_avail - load_g.held_avail : 0;
		pool_d = (int64_t)load_g.held_pool - (int64_t)load_g.base_pool;
		if (r.conns_held > 0)
			r.mem_per_conn = a->kernel ? RTE_MAX(avail_d, rss_d) / r.conns_held :
				(rss_d + (uint64_t)(pool_d > 0 ? pool_d : 0)) / r.conns_held;
	}

	load_result_line(&r, line, sizeof(line));
	printf("%s\n", line);
	printf("detail: backend %s workers %u window_s %.3f warmup_s %" PRIu32 " size %" PRIu32
	       " pipeline %" PRIu32 " verify %s\n", a->kernel ? "kernel" : "dpdk",
	       load_g.nworkers, hold ? (double)open_ns / 1e9 : win, hold ? 0 : a->warmup_s,
	       a->size, a->pipeline, load_g.verify ? "on" : "off");
	printf("detail: transactions %" PRIu64 " requests %" PRIu64 " bytes_sent %" PRIu64
	       " bytes_received %" PRIu64 " verified_bytes %" PRIu64 " connects %" PRIu64
	       " rounds %" PRIu64 " closes %" PRIu64 " opens %" PRIu64 "\n", SUM(C, tx),
	       SUM(C, requests), SUM(C, bytes_tx), SUM(C, bytes_rx), SUM(C, verified),
	       SUM(C, connects), SUM(C, rounds), SUM(C, closes), SUM(C, opens));
	printf("detail: errors");
	for (k = 0; k < LOAD_ERR_MAX; k++)
		printf(" %s %" PRIu64, err_names[k], err[k]);
	printf("\n");
	printf("detail: latency_us samples %" PRIu64 " min %.1f mean %.1f p50 %.1f p90 %.1f p99 "
	       "%.1f p999 %.1f max %.1f\n", h->count, h->count ? (double)h->min / 1e3 : 0.0,
	       h->count ? (double)h->sum / (double)h->count / 1e3 : 0.0, (double)r.p50_ns / 1e3,
	       (double)load_hist_percentile(h, 90) / 1e3, (double)r.p99_ns / 1e3,
	       (double)r.p999_ns / 1e3, (double)h->max / 1e3);
	if (a->rate != 0)
		printf("detail: rate offered_tx_s %" PRIu64 " issued_tx_s %.1f late %" PRIu64
		       " behind %" PRIu64 " max_lag_us %.1f (late: issued > %llu us after due;"
		       " behind: still due at the end)\n", a->rate, issued_tx_s,
		       SUM(END, late) - SUM(SNAP, late), behind, (double)lag_max / 1e3,
		       LOAD_LATE_NS / 1000);
	if (hold)
		printf("detail: hold conns_held %" PRIu64 " open_s %.3f rss_delta_bytes %" PRIu64
		       " mem_available_delta_bytes %" PRIu64 " pool_delta_bytes %" PRId64
		       " (mem_per_conn_bytes: %s)\n", r.conns_held, (double)open_ns / 1e9, rss_d,
		       avail_d, pool_d, a->kernel ? "MemAvailable drop, system-wide: both ends' "
		       "sockets when the server is local (or RSS if larger)" : "this process's RSS + mempools in use");
	fflush(stdout);

	if (a->json != NULL) {
		jf = fopen(a->json, "w");
		if (jf == NULL) {
			fprintf(stderr, LOAD_NAME ": error: --json %s: %s\n", a->json, strerror(errno));
			r.errors++;
		}
	}
	if (jf != NULL) {
		fprintf(jf, "{\"mode\": \"%s\", \"backend\": \"%s\", \"conns\": %" PRIu64
			", \"tx_per_s\": %.1f, \"gbit_per_s\": %.6f, \"conn_per_s\": %.1f"
			", \"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, \"p999_us\": %.3f"
			", \"min_us\": %.3f, \"mean_us\": %.3f, \"max_us\": %.3f, \"samples\": %" PRIu64
			", \"errors\": %" PRIu64, r.mode, a->kernel ? "kernel" : "dpdk", r.conns,
			r.tx_per_s, r.gbit_per_s, r.conn_per_s, (double)r.p50_ns / 1e3,
			(double)load_hist_percentile(h, 90) / 1e3, (double)r.p99_ns / 1e3,
			(double)r.p999_ns / 1e3, h->count ? (double)h->min / 1e3 : 0.0,
			h->count ? (double)h->sum / (double)h->count / 1e3 : 0.0,
			(double)h->max / 1e3, h->count, r.errors);
		if (hold)
			fprintf(jf, ", \"conns_held\": %" PRIu64 ", \"mem_per_conn_bytes\": %" PRIu64
				", \"open_s\": %.3f, \"rss_delta_bytes\": %" PRIu64
				", \"mem_available_delta_bytes\": %" PRIu64 ", \"pool_delta_bytes\": %"
				PRId64, r.conns_held, r.mem_per_conn, (double)open_ns / 1e9, rss_d,
				avail_d, pool_d);
		if (a->rate != 0)
			fprintf(jf, ", \"offered_tx_s\": %" PRIu64 ", \"issued_tx_s\": %.1f"
				", \"late\": %" PRIu64 ", \"behind\": %" PRIu64
				", \"max_lag_us\": %.3f, \"window_transactions\": %" PRIu64, a->rate,
				issued_tx_s, SUM(END, late) - SUM(SNAP, late), behind,
				(double)lag_max / 1e3, SUM(END, tx) - SUM(SNAP, tx));
		fprintf(jf, ", \"window_s\": %.3f, \"transactions\": %" PRIu64 ", \"requests\": %"
			PRIu64 ", \"bytes_sent\": %" PRIu64 ", \"bytes_received\": %" PRIu64
			", \"verified_bytes\": %" PRIu64 ", \"connects\": %" PRIu64 ", \"rounds\": %"
			PRIu64 ", \"closes\": %" PRIu64 ", \"opens\": %" PRIu64 ", \"error_kinds\": {",
			win, SUM(C, tx), SUM(C, requests), SUM(C, bytes_tx), SUM(C, bytes_rx),
			SUM(C, verified), SUM(C, connects), SUM(C, rounds), SUM(C, closes),
			SUM(C, opens));
		for (k = 0; k < LOAD_ERR_MAX; k++)
			fprintf(jf, "%s\"%s\": %" PRIu64, k ? ", " : "", err_names[k], err[k]);
		fprintf(jf, "}, \"config\": {\"size\": %" PRIu32 ", \"pipeline\": %" PRIu32
			", \"duration_s\": %" PRIu32 ", \"warmup_s\": %" PRIu32 ", \"verify\": %s"
			", \"workers\": %u, \"ip_count\": %" PRIu32 ", \"pending\": %" PRIu32
			", \"seed\": %" PRIu64 ", \"rate\": %" PRIu64 "}}\n", a->size, a->pipeline,
			a->duration_s, a->warmup_s, load_g.verify ? "true" : "false",
			load_g.nworkers, a->s.ip_count > 0 ? a->s.ip_count : 1, a->pending, a->seed,
			a->rate);
		fclose(jf);
	}
	free(h);
	return r.errors == 0 ? 0 : 1;
}

int
load_modes_main(struct load_args *a, int eal_argc, char **argv)
{
	return a->kernel ? load_kernel_main(a) : load_dpdk_main(a, eal_argc, argv);
}
