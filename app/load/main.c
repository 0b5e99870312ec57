/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - polltcp-load, a TCP echo load generator on polltcp: proves the
 * stack's active open (ptcp_connect) and its data path against a real peer.
 *
 *   polltcp-load [EAL options] -- --ip ADDR/LEN --connect ADDR:PORT [options]
 *
 * main(): split argv at "--" -> load_args_parse (before EAL) -> rr, stream,
 * crr, hold: load_modes_main (modes.c) | verify: signals ->
 * ptcp_port_eal_init -> one lcore only -> ptcp_port_init (stack_init: take
 * the stack) -> "ready to connect" -> ptcp_port_run; the lcore_poll hook
 * drives the run and stops the port when it is over -> result line ->
 * ptcp_port_report -> ptcp_port_fini.
 *
 * One connection's life (all on the lcore, in callbacks and lcore_poll):
 *
 *   ptcp_connect -> on_established -> send_more (ptcp_send of the seeded
 *   stream, as far as the send buffer takes; on_writable continues)
 *   on_readable -> ptcp_recv, compare with the stream at that offset
 *     -> all bytes back: ptcp_shutdown (our FIN)
 *     -> ptcp_conn_eof (the peer's FIN after every byte): closing
 *   closing -> done at on_closed(0): our FIN is acknowledged as well.
 *
 * We close first, so every clean connection ends in TIME-WAIT. The stack
 * reports on_closed(0) when TIME-WAIT begins (the connection is released;
 * a compact TIME-WAIT record keeps the tuple for 2*MSL), so the run needs
 * no polling of states. The result's "time-wait" counts these, and the
 * last result line the records still held at the end.
 *
 * Opening: connection 0 first, alone, so that its SYN waits for the ARP
 * resolution of the server (the stack queues a few frames per unresolved
 * neighbour; a peer configured late is covered by ARP and SYN retries);
 * the others once it is established or failed, at most LOAD_PENDING_MAX
 * handshakes at a time so SYNs do not overflow the TX queue or the
 * server's accept backlog.
 *
 * This verify mode runs on one lcore: every connection lives on the main
 * lcore's stack. The benchmark modes (modes.c, backend_dpdk.c) run on any
 * number of lcores: ptcp_connect picks source ports of flows the calling
 * lcore owns, so replies come back to it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "ptcp_api.h"
#include "ptcp_port.h"
#include "load.h"

#define LOAD_CHUNK        (16 * 1024)  /* bytes per ptcp_send / ptcp_recv call */
#define LOAD_PENDING_MAX  64           /* handshakes in flight at once */
#define LOAD_MAX_MSGS     8            /* per-connection error lines before "..." */

/* Where one connection is. */
enum conn_phase {
	PH_IDLE,               /* not opened yet */
	PH_SYN_SENT,           /* ptcp_connect done, no answer yet */
	PH_OPEN,               /* established: sending and verifying */
	PH_SHUT,               /* every byte verified, our FIN requested */
	PH_EOF,                /* and the peer's FIN read: waiting for our FIN's ACK */
	PH_DONE,               /* verified and closed cleanly */
	PH_FAILED,
};

/* Why a connection failed (the summary counts each). */
#define FOREACH_FAIL(_) \
	_(REFUSED, "refused") \
	_(RESET, "reset") \
	_(TIMEDOUT, "timedout") \
	_(MISMATCH, "mismatch") \
	_(SHORT, "short") \
	_(EXCESS, "excess") \
	_(ABORTED, "aborted") \
	_(CONNECT, "connect-error") \
	_(TIMEOUT, "timeout") \
	_(INTERRUPTED, "interrupted")

enum fail_kind {
	F_NONE,
#define _(sym, str) F_##sym,
	FOREACH_FAIL(_)
#undef _
	F_MAX
};

static const char *const fail_names[F_MAX] = {
	[F_NONE] = "none",
#define _(sym, str) [F_##sym] = str,
	FOREACH_FAIL(_)
#undef _
};

struct load_conn {
	struct ptcp_conn *c;           /* NULL before connect and after on_closed */
	uint64_t key;                  /* stream key (load_stream_key) */
	uint64_t sent;                 /* bytes taken by ptcp_send */
	uint64_t verified;             /* bytes received and equal to the stream */
	uint32_t idx;
	uint16_t lport;                /* our port, for messages */
	uint8_t phase;                 /* enum conn_phase */
	uint8_t fail;                  /* enum fail_kind */
	bool closed;                   /* on_closed arrived */
};

/* The run; owned by the one lcore while ptcp_port_run runs, by main after. */
struct load_run {
	struct load_conn *conns;
	struct ptcp_stack *st;
	unsigned int lcore_id;
	uint32_t next;                 /* next connection to open */
	uint32_t pending;              /* in PH_SYN_SENT */
	uint32_t established;
	uint32_t handshakes;           /* established or failed before it */
	uint32_t closing;              /* in PH_EOF */
	uint32_t done;
	uint32_t failed;
	uint32_t closed_ok;            /* on_closed(0) */
	uint32_t time_wait;            /* done by reaching TIME-WAIT (on_closed(0) in PH_EOF) */
	uint32_t fails[F_MAX];
	uint32_t msgs;                 /* per-connection error lines printed */
	uint64_t start_at_us;          /* first connect not before (0 = not yet set) */
	uint64_t t_start_us;           /* first ptcp_connect */
	uint64_t t_connected_us;
	uint64_t t_end_us;
	uint64_t deadline_us;
	bool started;
	bool connected_printed;
	bool finished;
};

static struct load_args args;
static struct load_run run;
static volatile sig_atomic_t interrupted;

/* ---- Connections ---------------------------------------------------------------- */

static const char *
conn_name(const struct load_conn *lc, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &args.s.ip, a, sizeof(a));
	inet_ntop(AF_INET, &args.raddr, b, sizeof(b));
	snprintf(buf, len, "connection %" PRIu32 " (%s:%u -> %s:%u)", lc->idx, a, lc->lport, b,
		 args.rport);
	return buf;
}

/* Mark lc failed (once: the first reason stays) and say why on stderr. */
static void __attribute__((format(printf, 3, 4)))
conn_fail(struct load_conn *lc, enum fail_kind kind, const char *fmt, ...)
{
	char name[96];
	va_list ap;

	if (lc->phase == PH_FAILED || lc->phase == PH_DONE)
		return;
	if (lc->phase == PH_SYN_SENT) {
		run.pending--;
		run.handshakes++;
	}
	if (lc->phase == PH_EOF)
		run.closing--;
	lc->phase = PH_FAILED;
	lc->fail = (uint8_t)kind;
	run.failed++;
	run.fails[kind]++;
	if (run.msgs++ >= LOAD_MAX_MSGS)
		return;
	fprintf(stderr, LOAD_NAME ": %s: ", conn_name(lc, name, sizeof(name)));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static void
conn_done(struct load_conn *lc)
{
	if (lc->phase == PH_EOF)
		run.closing--;
	lc->phase = PH_DONE;
	run.done++;
}

/* Fail and reset: the stack sends RST and calls on_closed(-ECONNABORTED). */
static void
conn_fail_abort(struct load_conn *lc)
{
	if (lc->c != NULL && !lc->closed)
		ptcp_abort(lc->c);
}

static void
send_more(struct ptcp_conn *c, struct load_conn *lc)
{
	uint8_t buf[LOAD_CHUNK];
	uint32_t n;
	int32_t took;

	while (lc->sent < args.bytes) {
		n = (uint32_t)RTE_MIN((uint64_t)ptcp_send_space(c), args.bytes - lc->sent);
		n = RTE_MIN(n, (uint32_t)sizeof(buf));
		if (n == 0)
			return;
		load_stream_fill(lc->key, lc->sent, buf, n);
		took = ptcp_send(c, buf, n);
		if (took <= 0)             /* full after all, or closing: on_writable / on_closed */
			return;
		lc->sent += (uint32_t)took;
	}
}

/* Offset of the first byte where a and b differ (they do differ). */
static uint32_t
first_diff(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n && a[i] == b[i]; i++)
		;
	return i;
}

/* Read and verify what is readable; false if the connection failed. */
static bool
verify_readable(struct ptcp_conn *c, struct load_conn *lc)
{
	uint8_t got[LOAD_CHUNK], want[LOAD_CHUNK];
	uint32_t n, i;

	while ((n = ptcp_recv(c, got, sizeof(got))) > 0) {
		if (lc->verified + n > args.bytes) {
			conn_fail(lc, F_EXCESS, "the peer sent more than the %" PRIu64 " bytes we "
				  "sent (byte %" PRIu64 " and on)", args.bytes, args.bytes);
			conn_fail_abort(lc);
			return false;
		}
		load_stream_fill(lc->key, lc->verified, want, n);
		if (memcmp(got, want, n) != 0) {
			i = first_diff(got, want, n);
			lc->verified += i;     /* the bytes before it were right */
			conn_fail(lc, F_MISMATCH, "data mismatch at offset %" PRIu64 " (expected "
				  "0x%02x, got 0x%02x; every byte before it verified)",
				  lc->verified, want[i], got[i]);
			conn_fail_abort(lc);
			return false;
		}
		lc->verified += n;
	}
	return true;
}

static void
on_established(struct ptcp_conn *c, void *arg)
{
	struct load_conn *lc = arg;

	if (lc->phase != PH_SYN_SENT)
		return;
	lc->phase = PH_OPEN;
	run.pending--;
	run.established++;
	run.handshakes++;
	send_more(c, lc);
	if (args.bytes == 0) {
		lc->phase = PH_SHUT;
		ptcp_shutdown(c);
	}
}

static void
on_writable(struct ptcp_conn *c, void *arg)
{
	struct load_conn *lc = arg;

	if (lc->phase == PH_OPEN)
		send_more(c, lc);
}

static void
on_readable(struct ptcp_conn *c, void *arg)
{
	struct load_conn *lc = arg;

	if (lc->phase != PH_OPEN && lc->phase != PH_SHUT)
		return;
	if (!verify_readable(c, lc))
		return;
	if (lc->phase == PH_OPEN && lc->verified == args.bytes) {
		lc->phase = PH_SHUT;           /* all echoed: our FIN */
		ptcp_shutdown(c);
	}
	if (!ptcp_conn_eof(c))
		return;
	if (lc->phase == PH_OPEN) {
		conn_fail(lc, F_SHORT, "the peer closed (FIN) after echoing %" PRIu64 " of %"
			  PRIu64 " bytes", lc->verified, args.bytes);
		conn_fail_abort(lc);
		return;
	}
	lc->phase = PH_EOF;                    /* the peer's FIN after every byte */
	run.closing++;                         /* on_closed(0) follows with our FIN's ACK */
}

static void
on_closed(struct ptcp_conn *c __rte_unused, void *arg, int err)
{
	struct load_conn *lc = arg;

	lc->closed = true;
	lc->c = NULL;
	if (err == 0)
		run.closed_ok++;
	switch (lc->phase) {
	case PH_DONE:
	case PH_FAILED:
		return;
	case PH_EOF:
		if (err == 0) {
			/* We sent our FIN first: an orderly close is TIME-WAIT beginning. */
			run.time_wait++;
			conn_done(lc);
			return;
		}
		break;
	default:
		break;
	}
	switch (err) {
	case -ECONNREFUSED:
		conn_fail(lc, F_REFUSED, "connection refused (ECONNREFUSED: RST in answer to "
			  "our SYN)");
		break;
	case -ECONNRESET:
		conn_fail(lc, F_RESET, "connection reset by peer (ECONNRESET) after %" PRIu64
			  " bytes sent, %" PRIu64 " verified", lc->sent, lc->verified);
		break;
	case -ETIMEDOUT:
		conn_fail(lc, F_TIMEDOUT, "%s timed out (ETIMEDOUT: retransmission limit)",
			  lc->phase == PH_SYN_SENT ? "handshake" : "connection");
		break;
	case 0:
		conn_fail(lc, F_SHORT, "closed before every byte was echoed (%" PRIu64 " of %"
			  PRIu64 " verified)", lc->verified, args.bytes);
		break;
	default:
		conn_fail(lc, F_ABORTED, "aborted (%s)", strerror(-err));
		break;
	}
}

static const struct ptcp_conn_ops load_ops = {
	.on_established = on_established,
	.on_readable = on_readable,
	.on_writable = on_writable,
	.on_closed = on_closed,
};

/* ---- The run, from lcore_poll ---------------------------------------------------- */

static void
open_one(uint64_t now)
{
	struct load_conn *lc = &run.conns[run.next++];
	rte_be32_t la, ra;
	uint16_t rp;

	lc->phase = PH_SYN_SENT;
	run.pending++;
	if (!run.started) {
		run.started = true;
		run.t_start_us = now;
		run.deadline_us = now + (uint64_t)args.timeout_s * 1000000u;
	}
	lc->c = ptcp_connect(run.st, args.raddr, args.rport, 0, &load_ops, lc);
	if (lc->c == NULL) {
		conn_fail(lc, F_CONNECT, "ptcp_connect failed: %s", rte_strerror(rte_errno));
		return;
	}
	ptcp_conn_tuple(lc->c, &la, &lc->lport, &ra, &rp);
}

/* Open what may be opened now: 0 first, then the rest LOAD_PENDING_MAX at a time. */
static void
open_more(uint64_t now)
{
	while (run.next < args.conns && run.pending < LOAD_PENDING_MAX) {
		if (run.next > 0 && run.conns[0].phase == PH_SYN_SENT)
			return;
		/* --max-conns: a slot frees when on_closed comes (TIME-WAIT takes none). */
		if (args.max_conns != 0 && run.next - run.done - run.failed >= args.max_conns)
			return;
		open_one(now);
	}
}

/* Fail every connection not yet done (abort the live ones) and never-opened ones. */
static void
abort_all(enum fail_kind kind, uint64_t now)
{
	double secs = (double)(now - run.t_start_us) / 1e6;
	uint32_t i;

	for (i = 0; i < args.conns; i++) {
		struct load_conn *lc = &run.conns[i];

		if (lc->phase == PH_DONE || lc->phase == PH_FAILED)
			continue;
		if (lc->phase == PH_IDLE) {
			lc->phase = PH_FAILED;
			lc->fail = (uint8_t)kind;
			run.failed++;
			run.fails[kind]++;
			continue;
		}
		if (kind == F_TIMEOUT)
			conn_fail(lc, kind, "not finished after %.1f s (--timeout %" PRIu32 "): "
				  "state %s, %" PRIu64 " bytes sent, %" PRIu64 " verified", secs,
				  args.timeout_s, lc->c != NULL ?
				  ptcp_tcp_state_name(ptcp_conn_state(lc->c)) : "CLOSED",
				  lc->sent, lc->verified);
		else
			conn_fail(lc, kind, "interrupted in state %s: %" PRIu64 " bytes sent, %"
				  PRIu64 " verified; reset", lc->c != NULL ?
				  ptcp_tcp_state_name(ptcp_conn_state(lc->c)) : "CLOSED",
				  lc->sent, lc->verified);
		conn_fail_abort(lc);
	}
}

static void
finish(uint64_t now)
{
	run.finished = true;
	run.t_end_us = now;
	/*
	 * Twice: skip the port layer's graceful drain. Nothing is left to say:
	 * connections are done (TIME-WAIT at most) or were reset.
	 */
	ptcp_port_stop();
	ptcp_port_stop();
}

static void
lcore_poll(struct ptcp_stack *st __rte_unused, unsigned int lcore_id, uint64_t now,
	   void *arg __rte_unused)
{
	if (run.finished || lcore_id != run.lcore_id)
		return;
	if (interrupted) {
		abort_all(F_INTERRUPTED, now);
		finish(now);
		return;
	}
	if (run.start_at_us == 0)
		run.start_at_us = now + (uint64_t)args.start_delay_ms * 1000u;
	if (now < run.start_at_us)
		return;

	open_more(now);
	if (!run.connected_printed && run.handshakes == args.conns) {
		run.connected_printed = true;
		run.t_connected_us = now;
		if (run.established == args.conns)
			printf("connected %" PRIu32 " in %.3f ms\n", run.established,
			       (double)(now - run.t_start_us) / 1e3);
		else
			printf("connected %" PRIu32 " in %.3f ms (%" PRIu32 " of %" PRIu32
			       " failed)\n", run.established, (double)(now - run.t_start_us) / 1e3,
			       args.conns - run.established, args.conns);
		fflush(stdout);
	}
	if (run.done + run.failed == args.conns) {
		finish(now);
		return;
	}
	if (now >= run.deadline_us) {
		abort_all(F_TIMEOUT, now);
		finish(now);
	}
}

static int
stack_init(struct ptcp_stack *st, unsigned int lcore_id, void *arg __rte_unused)
{
	if (lcore_id != rte_get_main_lcore())
		return 0;
	run.st = st;
	run.lcore_id = lcore_id;
	return 0;
}

/* ---- main ------------------------------------------------------------------------ */

static void
on_signal(int sig)
{
	/* First: lcore_poll aborts the connections and stops. Again: stop at once. */
	if (interrupted)
		ptcp_port_stop();          /* async-signal-safe */
	interrupted = sig;
}

static int
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return -errno;
	return 0;
}

/*
 * mbufs per lcore: the default, or enough for every connection's send
 * queue (unacknowledged data, up to --snd-buf, in mbufs of about one MTU
 * each). The receive queues stay near empty: on_readable reads it all.
 */
static uint32_t
mbufs_wanted(void)
{
	uint64_t snd = args.s.snd_buf != 0 ? args.s.snd_buf : 65536;
	uint64_t need = (uint64_t)args.conns * (RTE_MIN(snd, args.bytes) / 1500 + 6);

	if (args.s.mbufs != 0)
		return args.s.mbufs;
	return (uint32_t)RTE_MIN(RTE_MAX(need, (uint64_t)16384), (uint64_t)(1u << 24));
}

static void
print_result(void)
{
	uint64_t bytes = 0, end = run.finished ? run.t_end_us : run.t_start_us;
	double secs = run.started ? (double)(end - run.t_start_us) / 1e6 : 0.0;
	double mbit;
	uint32_t i;

	for (i = 0; i < args.conns; i++)
		bytes += run.conns[i].verified;
	mbit = secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0.0;
	printf("load: conns %" PRIu32 " ok %" PRIu32 " failed %" PRIu32 " bytes %" PRIu64
	       " time %.3f s throughput %.1f Mbit/s\n", args.conns, run.done, run.failed,
	       bytes, secs, mbit);
	printf("load: established %" PRIu32 " closed %" PRIu32 " time-wait %" PRIu32,
	       run.established, run.closed_ok, run.time_wait);
	for (i = F_NONE + 1; i < F_MAX; i++)
		printf(" %s %" PRIu32, fail_names[i], run.fails[i]);
	printf("\n");
	if (run.st != NULL)
		printf("load: time-wait records %" PRIu32 " connections %" PRIu32 "\n",
		       ptcp_stack_time_wait_count(run.st), ptcp_stack_conn_count(run.st));
}

/* One stderr line saying why the run failed. */
static void
print_failure(void)
{
	char b[INET_ADDRSTRLEN], why[256];
	size_t len = 0;
	uint32_t i;

	inet_ntop(AF_INET, &args.raddr, b, sizeof(b));
	why[0] = '\0';
	for (i = F_NONE + 1; i < F_MAX; i++)
		if (run.fails[i] != 0 && len < sizeof(why))
			len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s %" PRIu32,
						len > 0 ? ", " : "", fail_names[i], run.fails[i]);
	if (run.msgs > LOAD_MAX_MSGS)
		fprintf(stderr, LOAD_NAME ": ... %" PRIu32 " more connection errors not shown\n",
			run.msgs - LOAD_MAX_MSGS);
	if (interrupted)
		fprintf(stderr, LOAD_NAME ": error: interrupted by signal %d: %" PRIu32 " of %"
			PRIu32 " connections unfinished (%s)\n", (int)interrupted, run.failed,
			args.conns, why);
	else
		fprintf(stderr, LOAD_NAME ": error: %" PRIu32 " of %" PRIu32 " connections to "
			"%s:%u failed (%s)\n", run.failed, args.conns, b, args.rport, why);
}

/* The argument vector split_backend() builds: freed at exit. */
static char **backend_argv;

static void
free_backend_argv(void)
{
	free(backend_argv);
}

/*
 * A leading "--backend kernel|dpdk" (or --backend=...): the kernel backend
 * takes no EAL options, so what follows is ours, with or without "--".
 * 0, or -1 after an error line.
 */
static int
split_backend(int *argc, char ***argv)
{
	static char dashes[] = "--";
	char **av = *argv, **nv;
	const char *val;
	int skip, i, n = 0;

	if (*argc < 2 || strncmp(av[1], "--backend", 9) != 0)
		return 0;
	if (av[1][9] == '=') {
		val = av[1] + 10;
		skip = 1;
	} else if (av[1][9] == '\0' && *argc >= 3) {
		val = av[2];
		skip = 2;
	} else {
		return 0;                      /* not ours: EAL or the parser says so */
	}
	if (strcmp(val, "dpdk") != 0 && strcmp(val, "kernel") != 0) {
		fprintf(stderr, LOAD_NAME ": error: --backend '%s': not dpdk or kernel\n", val);
		return -1;
	}
	args.kernel = strcmp(val, "kernel") == 0;
	nv = calloc((size_t)*argc + 2, sizeof(*nv));
	if (nv == NULL)
		return -1;
	nv[n++] = av[0];
	if (args.kernel && (1 + skip >= *argc || strcmp(av[1 + skip], "--") != 0))
		nv[n++] = dashes;
	for (i = 1 + skip; i < *argc; i++)
		nv[n++] = av[i];
	*argc = n;
	*argv = nv;
	backend_argv = nv;
	atexit(free_backend_argv);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ptcp_port_conf pc;
	char ipstr[INET_ADDRSTRLEN], rstr[INET_ADDRSTRLEN];
	int eal_argc, ret;
	bool ok;
	uint32_t i;

	ret = split_backend(&argc, &argv);
	if (ret != 0)
		return 1;
	ret = app_parse_argv(argc, argv, load_args_parse, &args, &eal_argc);
	if (ret != 0)
		return ret > 0 ? 0 : 1;
	if (args.kernel && eal_argc > 1) {
		fprintf(stderr, LOAD_NAME ": error: --backend kernel takes no EAL options (got '%s')\n",
			argv[1]);
		return 1;
	}
	if (args.mode != LOAD_MODE_VERIFY)
		return load_modes_main(&args, eal_argc, argv);

	run.conns = calloc(args.conns, sizeof(*run.conns));
	if (run.conns == NULL) {
		fprintf(stderr, LOAD_NAME ": error: no memory for %" PRIu32 " connections\n",
			args.conns);
		return 1;
	}
	for (i = 0; i < args.conns; i++) {
		run.conns[i].idx = i;
		run.conns[i].key = load_stream_key(args.seed, i);
	}

	ret = install_signals();
	if (ret != 0) {
		fprintf(stderr, LOAD_NAME ": error: sigaction: %s\n", strerror(-ret));
		return 1;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ptcp_port_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, LOAD_NAME ": error: %s\n", ptcp_port_errmsg());
		return 1;
	}
	if (rte_lcore_count() != 1) {
		fprintf(stderr, LOAD_NAME ": error: %u lcores given; the verify mode runs on one "
			"(e.g. -l 0); rr, stream, crr and hold run on several\n",
			rte_lcore_count());
		ptcp_port_fini();
		return 1;
	}

	app_port_conf(&args.s, &pc);
	pc.mbufs_per_lcore = mbufs_wanted();
	/* Every connection on one stack (0 = the stack's default, 4096). */
	pc.stack.max_conns = args.max_conns != 0 ? args.max_conns :
		args.conns > 4096 ? args.conns : 0;
	pc.stack_init = stack_init;
	pc.lcore_poll = lcore_poll;

	ret = ptcp_port_init(&pc);
	if (ret != 0) {
		fprintf(stderr, LOAD_NAME ": error: %s\n", ptcp_port_errmsg());
		ptcp_port_fini();
		return 1;
	}

	inet_ntop(AF_INET, &args.s.ip, ipstr, sizeof(ipstr));
	inet_ntop(AF_INET, &args.raddr, rstr, sizeof(rstr));
	printf("ready to connect %s -> %s:%u: %" PRIu32 " connection%s x %" PRIu64
	       " bytes, seed %" PRIu64 ", start in %" PRIu32 " ms, timeout %" PRIu32 " s\n",
	       ipstr, rstr, args.rport, args.conns, args.conns == 1 ? "" : "s", args.bytes,
	       args.seed, args.start_delay_ms, args.timeout_s);
	fflush(stdout);

	ret = 0;
	if (!interrupted)
		ret = ptcp_port_run();
	if (ret != 0)
		fprintf(stderr, LOAD_NAME ": error: %s\n", ptcp_port_errmsg());
	if (!run.finished && interrupted) {
		/* Stopped before or without the lcore noticing: count what is left. */
		run.finished = true;
		run.t_end_us = run.t_start_us;
		for (i = 0; i < args.conns; i++) {
			struct load_conn *lc = &run.conns[i];

			if (lc->phase != PH_DONE && lc->phase != PH_FAILED) {
				lc->phase = PH_FAILED;
				run.failed++;
				run.fails[F_INTERRUPTED]++;
			}
		}
	}

	print_result();
	ptcp_port_report(stdout);
	ok = ret == 0 && run.done == args.conns && run.failed == 0;
	fflush(stdout);
	if (!ok)
		print_failure();
	load_wait_peer(args.wait_peer_ms, &interrupted);
	ptcp_port_fini();
	free(run.conns);
	return ok ? 0 : 1;
}
