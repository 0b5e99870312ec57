/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - polltcp-echo, an RFC 862 echo server on polltcp.
 *
 *   polltcp-echo [EAL options] -- --ip ADDR/LEN [options]
 *
 * main(): split argv at "--" -> echo_args_parse (before EAL, so a bad
 * option costs no EAL start) -> signals -> ptcp_port_eal_init ->
 * ptcp_port_init (stack_init: ptcp_listen on every lcore's stack) ->
 * "listening on" -> ptcp_port_run -> ptcp_port_report -> ptcp_port_fini.
 *
 * Echo with backpressure: on_readable and on_writable both run drain(),
 * which moves min(readable, send space) bytes from the connection's
 * receive buffer to its send buffer. Zero copy first: ptcp_recv_mbuf hands
 * over the received payload mbufs and ptcp_send_mbuf queues the same mbufs
 * for sending (the stack sends them as indirect mbufs behind a header: no
 * payload byte is copied). When the first queued mbuf does not fit the
 * send space, the bytes that fit are copied (peek, send, consume what was
 * sent, so a short send leaves the rest in the receive buffer, never
 * aborts). --copy uses only the copying path.
 * Nothing is buffered in the app: bytes it cannot send stay in the
 * stack's receive buffer, so the window closes and the peer slows down.
 * After the peer's FIN and the last byte echoed, we shut our side down;
 * the stack frees the connection once both FINs are acknowledged
 * (on_closed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "ptcp_api.h"
#include "ptcp_port.h"
#include "echo.h"

#define ECHO_CHUNK (16 * 1024)

/* Per-lcore application counters (written by their lcore only). */
struct echo_lcore {
	uint64_t accepted;
	uint64_t closed;               /* orderly */
	uint64_t reset;                /* -ECONNRESET */
	uint64_t timedout;             /* -ETIMEDOUT */
	uint64_t aborted;              /* -ECONNABORTED and others */
	uint64_t bytes;                /* echoed */
	uint64_t send_short;           /* ptcp_send took less than asked (backpressure) */
	uint64_t bytes_zc;             /* of bytes: moved as mbufs (ptcp_recv_mbuf) */
} __rte_cache_aligned;

static struct echo_lcore echo_lcores[RTE_MAX_LCORE];
static struct echo_args args;

/*
 * The connection's arg is its lcore's struct echo_lcore (cache aligned, so
 * bit 0 is free); bit 0 set means "our FIN was requested already".
 */
#define SHUT_BIT ((uintptr_t)1)

static inline struct echo_lcore *
conn_lcore(void *arg)
{
	return (struct echo_lcore *)((uintptr_t)arg & ~SHUT_BIT);
}

static inline bool
conn_shut(void *arg)
{
	return ((uintptr_t)arg & SHUT_BIT) != 0;
}

static void
drain(struct ptcp_conn *c, void *arg)
{
	struct echo_lcore *el = conn_lcore(arg);
	uint8_t buf[ECHO_CHUNK];
	uint32_t n, got;
	int32_t sent;

	for (;;) {
		struct rte_mbuf *m;

		/* Readable first: the send space (a memory budget) only when there is something. */
		n = ptcp_readable(c);
		if (n != 0)
			n = RTE_MIN(n, ptcp_send_space(c));
		if (n == 0)
			break;
		if (!args.copy && (m = ptcp_recv_mbuf(c, n)) != NULL) {
			uint32_t len = m->pkt_len;

			/* Within the send space just read: the stack takes all of it. */
			sent = ptcp_send_mbuf(c, m);
			if (sent < 0) {        /* closing: the bytes are dropped */
				rte_pktmbuf_free(m);
				return;
			}
			el->bytes += len;
			el->bytes_zc += len;
			continue;
		}
		n = RTE_MIN(n, (uint32_t)sizeof(buf));
		/* Peek, send, then consume what was sent: bytes never leave the stack unsent. */
		got = ptcp_peek(c, buf, n);
		if (got == 0)
			break;
		sent = ptcp_send(c, buf, got);
		if (sent < 0)          /* -EPIPE / -ENOTCONN: the stack is closing it */
			return;
		ptcp_consume(c, (uint32_t)sent);
		el->bytes += (uint32_t)sent;
		if ((uint32_t)sent != got) {
			/*
			 * Memory ran short (the stack's send space is a promise, so
			 * this is rare): the rest stays in the receive buffer, the
			 * window stays closed, and on_writable resumes.
			 */
			el->send_short++;
			break;
		}
	}

	/* RFC 862 + half-close: the peer is done and all it sent is echoed. */
	if (!conn_shut(arg) && ptcp_conn_eof(c) && ptcp_readable(c) == 0) {
		ptcp_conn_set_arg(c, (void *)((uintptr_t)arg | SHUT_BIT));
		ptcp_shutdown(c);
	}
}

static void
on_established(struct ptcp_conn *c, void *arg)
{
	conn_lcore(arg)->accepted++;
	drain(c, arg);
}

static void
on_closed(struct ptcp_conn *c __rte_unused, void *arg, int err)
{
	struct echo_lcore *el = conn_lcore(arg);

	switch (err) {
	case 0:
		el->closed++;
		break;
	case -ECONNRESET:
		el->reset++;
		break;
	case -ETIMEDOUT:
		el->timedout++;
		break;
	default:
		el->aborted++;
		break;
	}
}

static const struct ptcp_conn_ops echo_ops = {
	.on_established = on_established,
	.on_readable = drain,
	.on_writable = drain,
	.on_closed = on_closed,
};

static int
stack_init(struct ptcp_stack *st, unsigned int lcore_id, void *arg __rte_unused)
{
	if (lcore_id == rte_get_main_lcore()) {
		struct ptcp_stack_mem m;

		/* Every lcore's stack is alike: one line says what a connection costs. */
		ptcp_stack_mem_get(st, &m);
		printf("memory: per lcore %" PRIu32 " connections x %" PRIu64 " B (struct %" PRIu32
		       " B, free list and table included), %" PRIu32 " TIME-WAIT records x %" PRIu64
		       " B, path-MTU cache %" PRIu32 " entries (%" PRIu64 " KiB), %" PRIu32
		       " SACK scoreboards x %" PRIu64 " B\n", m.conn_slots,
		       m.conn_bytes / RTE_MAX(m.conn_slots, 1u), m.conn_struct, m.tw_slots,
		       m.tw_bytes / RTE_MAX(m.tw_slots, 1u), m.pmtu_slots, m.pmtu_bytes >> 10,
		       m.sack_slots, m.sack_bytes / RTE_MAX(m.sack_slots, 1u));
	}
	return ptcp_listen(st, args.port, &echo_ops, &echo_lcores[lcore_id]);
}

static void
on_signal(int sig __rte_unused)
{
	ptcp_port_stop();      /* async-signal-safe */
}

/*
 * Connection info: SIGUSR1 bumps info_gen; each lcore prints its own
 * stack's connections (they are not shared) at its next loop iteration,
 * one line each ("conn: " + ptcp_conn_info_format), and with --conn-info
 * once more when stopping (their state as the stop began).
 */
static volatile sig_atomic_t info_gen;
static unsigned int info_seen[RTE_MAX_LCORE];
static bool info_stop_done[RTE_MAX_LCORE];

static void
on_info_signal(int sig __rte_unused)
{
	info_gen++;
}

static void
print_conn(struct ptcp_conn *c, void *arg __rte_unused)
{
	struct ptcp_conn_info info;
	char line[512];

	ptcp_conn_info_get(c, &info);
	ptcp_conn_info_format(&info, line, sizeof(line));
	printf("conn: lcore %u %s\n", rte_lcore_id(), line);
}

static void
lcore_poll(struct ptcp_stack *st, unsigned int lcore_id, uint64_t now_us __rte_unused,
	   void *arg __rte_unused)
{
	unsigned int gen = (unsigned int)info_gen;
	bool at_stop = args.conn_info && !info_stop_done[lcore_id] && ptcp_port_stopping();

	if (gen == info_seen[lcore_id] && !at_stop)
		return;
	info_seen[lcore_id] = gen;
	if (at_stop)
		info_stop_done[lcore_id] = true;
	ptcp_stack_conn_foreach(st, print_conn, NULL);
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
	sa.sa_handler = on_info_signal;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return -errno;
	return 0;
}

static void
print_app_counters(void)
{
	struct echo_lcore sum = { 0 };
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		sum.accepted += echo_lcores[i].accepted;
		sum.closed += echo_lcores[i].closed;
		sum.reset += echo_lcores[i].reset;
		sum.timedout += echo_lcores[i].timedout;
		sum.aborted += echo_lcores[i].aborted;
		sum.bytes += echo_lcores[i].bytes;
		sum.send_short += echo_lcores[i].send_short;
		sum.bytes_zc += echo_lcores[i].bytes_zc;
	}
	printf("echo: accepted %" PRIu64 " closed %" PRIu64 " reset %" PRIu64 " timedout %"
	       PRIu64 " aborted %" PRIu64 " bytes %" PRIu64 " send_short %" PRIu64
	       " bytes_zerocopy %" PRIu64 "\n", sum.accepted, sum.closed, sum.reset, sum.timedout,
	       sum.aborted, sum.bytes, sum.send_short, sum.bytes_zc);
}

int
main(int argc, char **argv)
{
	struct ptcp_port_conf pc;
	char ipstr[INET_ADDRSTRLEN];
	int eal_argc, ret;

	ret = app_parse_argv(argc, argv, echo_args_parse, &args, &eal_argc);
	if (ret != 0)
		return ret > 0 ? 0 : 1;

	/* Before EAL starts threads, so they inherit nothing odd; handler only sets a flag. */
	ret = install_signals();
	if (ret != 0) {
		fprintf(stderr, ECHO_NAME ": error: sigaction: %s\n", strerror(-ret));
		return 1;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ptcp_port_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, ECHO_NAME ": error: %s\n", ptcp_port_errmsg());
		return 1;
	}

	app_port_conf(&args.s, &pc);
	pc.stack.max_conns = args.max_conns;
	pc.stack_init = stack_init;
	pc.lcore_poll = lcore_poll;

	ret = ptcp_port_init(&pc);
	if (ret != 0) {
		fprintf(stderr, ECHO_NAME ": error: %s\n", ptcp_port_errmsg());
		ptcp_port_fini();
		return 1;
	}

	inet_ntop(AF_INET, &args.s.ip, ipstr, sizeof(ipstr));
	printf("listening on %s:%u (%u lcore%s)\n", ipstr, args.port, ptcp_port_lcore_count(),
	       ptcp_port_lcore_count() == 1 ? "" : "s");
	fflush(stdout);

	ret = ptcp_port_run();
	if (ret != 0)
		fprintf(stderr, ECHO_NAME ": error: %s\n", ptcp_port_errmsg());

	ptcp_port_report(stdout);
	print_app_counters();
	ptcp_port_fini();
	fflush(stdout);
	return ret != 0 ? 1 : 0;
}
