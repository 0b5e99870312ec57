/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * modes.h - polltcp-load's modes rr, stream, crr and hold, written once
 * against a small backend interface (struct load_backend) that
 * backend_dpdk.c (polltcp) and backend_kernel.c (Linux sockets + epoll)
 * implement.
 *
 * A worker is one lcore (dpdk) or one thread (kernel). It owns the
 * connections i with i % nworkers == rank, its counters and its latency
 * histogram; nothing is shared while running except the few run-wide
 * flags in struct load_global (written once) and the counters the progress
 * line reads (relaxed atomics: approximate, never on a decision path).
 * main merges the workers after the run.
 *
 * Calls between the two sides, all on the worker's own thread:
 *   backend -> modes: load_ev_connected / _readable / _writable / _closed
 *                     for one connection, load_tick once per poll step;
 *   modes -> backend: open, send, recv, close, abort (struct load_backend).
 * A backend never calls back into the modes from inside open/send/recv/
 * close/abort (events are delivered from its poll step), and the modes
 * open connections only from load_tick, so no event handler re-enters.
 */
#ifndef PTCP_LOAD_MODES_H
#define PTCP_LOAD_MODES_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_cycles.h>

#include "hist.h"
#include "load.h"

/* recv: the peer closed (FIN after its last byte). */
#define LOAD_IO_EOF INT32_MIN

#define LOAD_BUF (64 * 1024)           /* per-worker send / receive / compare buffers */

/* Where one connection is. */
enum lc_phase {
	LC_IDLE,               /* not opened (yet, or crr: between rounds) */
	LC_CONNECTING,
	LC_OPEN,
	LC_DRAIN,              /* the run ended: no new requests, waiting for the echo */
	LC_CLOSED,             /* closed by us at the end (or hold: reset) */
	LC_FAILED,
};

/*
 * One connection of the client. Kept compact (hold mode keeps millions):
 * 48 bytes; rr's send times live in the worker's ts[] array instead.
 */
struct lconn {
	union {
		void *p;               /* dpdk: struct ptcp_conn * */
		int64_t fd;            /* kernel: the socket */
	} h;
	uint64_t sent;                 /* bytes the backend took (stream offset) */
	uint64_t rcvd;                 /* bytes echoed back (and checked, when verifying) */
	uint64_t issued;               /* rr: requests issued; crr: rounds started */
	union {
		uint64_t t0_ns;        /* crr: connect time of this round */
		uint64_t due;          /* rr --rate: requests whose scheduled time has come */
	};
	uint32_t idx;                  /* global connection number (stream key) */
	uint8_t phase;                 /* enum lc_phase */
	uint8_t bflags;                /* the backend's */
	uint8_t in_queue;              /* crr: queued for the next round */
};
static_assert(sizeof(struct lconn) <= 64, "hold mode promises <= 64 B of client state");

/* Why a connection failed (errors: the sum). */
#define LOAD_FOREACH_ERR(_) \
	_(REFUSED, "refused") \
	_(RESET, "reset") \
	_(TIMEDOUT, "timedout") \
	_(MISMATCH, "mismatch") \
	_(EXCESS, "excess") \
	_(EOF, "eof") \
	_(CONNECT, "connect") \
	_(IO, "io") \
	_(DRAIN, "drain") \
	_(OPEN_TIMEOUT, "open-timeout") \
	_(CLOSE, "close")

enum load_err {
#define _(sym, str) LOAD_ERR_##sym,
	LOAD_FOREACH_ERR(_)
#undef _
	LOAD_ERR_MAX
};

/* A worker's counters, cumulative since the start. */
struct load_counters {
	uint64_t tx;                   /* transactions completed (rr, crr) */
	uint64_t requests;             /* requests issued (rr, crr) */
	uint64_t bytes_tx;             /* bytes the backend took */
	uint64_t bytes_rx;             /* bytes echoed back */
	uint64_t verified;             /* of those, compared with the stream */
	uint64_t opens;                /* connections opened (handshakes started) */
	uint64_t connects;             /* handshakes completed */
	uint64_t rounds;               /* crr: connect..response..close completed */
	uint64_t closes;               /* closed by us in order (or reset in hold) */
	uint64_t late;                 /* rr --rate: issued > LOAD_LATE_NS after their time */
	uint64_t open;                 /* established now (a gauge) */
	uint64_t errors;
	uint64_t err[LOAD_ERR_MAX];
};

struct load_worker;

/* What a backend provides (see the file comment for the calling rules). */
struct load_backend {
	const char *name;
	/** Start opening lc; 0, or -errno (lc stays closed). load_ev_connected or
	 *  load_ev_closed follows. */
	int (*open)(struct load_worker *w, struct lconn *lc);
	/** Bytes taken (0: no room now; load_ev_writable follows), or -errno. */
	int32_t (*send)(struct load_worker *w, struct lconn *lc, const void *buf, uint32_t len);
	/** Bytes send would take now, or UINT32_MAX if the backend cannot tell. */
	uint32_t (*space)(struct load_worker *w, struct lconn *lc);
	/** Bytes read, 0 if none now, LOAD_IO_EOF, or -errno. */
	int32_t (*recv)(struct load_worker *w, struct lconn *lc, void *buf, uint32_t len);
	/** Orderly close, we close first; no event for lc after this. */
	void (*close)(struct load_worker *w, struct lconn *lc);
	/** Reset (RST); no event for lc after this. */
	void (*abort)(struct load_worker *w, struct lconn *lc);
	/** Connections closed by close() whose teardown is still running. */
	uint64_t (*lingering)(struct load_worker *w);
	/** Bytes of backend memory pools in use (dpdk: mempools); 0 if none. */
	uint64_t (*pool_bytes)(void);
	/** The backend's transmit path is backed up: make no resets now (NULL: never). */
	bool (*tx_busy)(struct load_worker *w);
};

enum worker_state {
	W_WAIT,                /* before the start time */
	W_RUN,
	W_DRAIN,               /* the measured time is over: echoes still due */
	W_LINGER,              /* closed; the backend finishes teardowns */
	W_DONE,
};

struct load_worker {
	unsigned int rank;
	unsigned int nworkers;
	const struct load_backend *be;
	void *bctx;                    /* the backend's */
	struct lconn *conns;           /* local j is global j * nworkers + rank */
	uint32_t nconns;
	uint32_t next_open;            /* next local connection to open the first time */
	uint32_t pending;              /* LC_CONNECTING */
	uint32_t draining;             /* LC_DRAIN */
	uint32_t release_next;         /* hold: next connection to reset at the end */
	uint64_t t_next_release;       /* hold: no resets before (ns) */
	uint32_t *queue;               /* crr: local connections due for their next round */
	uint32_t q_head, q_len;
	uint64_t *ts;                  /* rr: nconns * pipeline request send times (ns);
	                                * with --rate the scheduled times */
	uint64_t rate_next;            /* rr --rate: this worker's next schedule slot */
	uint64_t behind;               /* rr --rate: requests due but not issued at the end */
	uint64_t lag_max_ns;           /* rr --rate: the latest issue in the measured time */
	uint8_t *rbuf, *sbuf, *cbuf;   /* LOAD_BUF each: receive, send, compare */
	enum worker_state state;
	bool warm;                     /* the warm-up ended: counters snapped, histogram reset */
	bool measured;                 /* the measured time ended: `end` snapped */
	bool opened;                   /* hold: every local connection established or failed */
	uint64_t t_next_progress;
	uint64_t t_deadline;           /* drain / linger limit */
	uint64_t t_linger_min;         /* W_LINGER lasts at least until then */
	uint64_t t_win_start;          /* ns: the measured time, as this worker saw it */
	uint64_t t_win_end;
	struct load_counters c;
	struct load_counters snap;     /* at the end of the warm-up */
	struct load_counters end;      /* at the end of the measured time */
	struct load_counters prog;     /* rank 0: the sums at the last progress line */
	struct load_hist hist;         /* latencies of the measured time */
	uint32_t msgs;                 /* error lines printed */
};

/* Run-wide, set before the workers run (except where noted). */
struct load_global {
	const struct load_args *a;
	struct load_worker *w;
	unsigned int nworkers;
	bool verify;
	uint64_t t_start;              /* ns: opening begins */
	uint64_t t_warm;               /* ns: measuring begins */
	uint64_t t_end;                /* ns: measuring ends (hold: set when all opened) */
	uint64_t t_open_limit;         /* ns: opening gives up (--timeout) */
	double rate_ns;                /* rr --rate: ns between two slots of the schedule */
	volatile int stop;             /* SIGINT/SIGTERM: end now */
	/* hold: set once by the last worker to finish opening */
	unsigned int opened_workers;   /* atomic */
	uint64_t t_opened;
	uint64_t held_rss, held_avail, held_pool;
	uint64_t base_rss, base_avail, base_pool;
	unsigned int done_workers;     /* atomic */
};

extern struct load_global load_g;

/*
 * The dpdk backend's clock: ns = (TSC * load_tsc_mult) >> 32, set once
 * after EAL init, before the first time is taken. A stream client spent a
 * sixth of its cycles in clock_gettime() (a paravirtual clock source). 0:
 * clock_gettime (the kernel backend).
 */
extern uint64_t load_tsc_mult;

static inline uint64_t
load_now_ns(void)
{
	struct timespec ts;

	if (load_tsc_mult != 0)
		return (uint64_t)(((unsigned __int128)rte_rdtsc() * load_tsc_mult) >> 32);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Events, from the backend's poll step. */
void load_ev_connected(struct load_worker *w, struct lconn *lc);
void load_ev_readable(struct load_worker *w, struct lconn *lc);
void load_ev_writable(struct load_worker *w, struct lconn *lc);
/** The connection is gone (the backend released it): err 0 or -errno. */
void load_ev_closed(struct load_worker *w, struct lconn *lc, int err);
/** A connection closed by load_backend.close ended with an error (-errno). */
void load_ev_close_failed(struct load_worker *w, int err);
/** Once per poll step; true once the worker is done. */
bool load_tick(struct load_worker *w, uint64_t now_ns);

/** Set up load_g and n workers (conns, buffers); 0 or -1 after an error line. */
int load_workers_init(const struct load_args *a, const struct load_backend *be, unsigned int n);
/** Start time now + start delay; memory baselines. */
void load_workers_start(void);
/** Merge, print the result and detail lines, write --json; the exit status. */
int load_workers_report(void);
void load_workers_free(void);

/* Memory figures of /proc (bytes; 0 if unreadable). */
uint64_t load_proc_rss(void);
uint64_t load_proc_mem_available(void);

/* Backends. */
int load_dpdk_main(struct load_args *a, int eal_argc, char **argv);
int load_kernel_main(struct load_args *a);

#endif /* PTCP_LOAD_MODES_H */
