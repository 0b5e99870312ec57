/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stack_pair.c - the CPU cost of one request/response transaction in the
 * stack itself: two stacks in one process on one lcore, each one's TX
 * batch handed straight to the other's RX (no PMD, no second core), a
 * client opening --conns connections to an echo listener and running
 * request/response of --size bytes on each (the server echoes as
 * polltcp-echo does, the client sends and receives by copy as polltcp-load
 * does). After --warmup transactions it counts TSC cycles over
 * --transactions more and prints one line:
 *
 *   stack_pair conns 1 size 64 transactions 1000000 cycles 2345678901
 *     cycles_per_tx 2345.7 ns_per_tx 903.1 options ts,sack,wscale cc cubic
 *
 * The cycles are both stacks' (client and server each receive one segment
 * and send one per transaction) with software checksums, as over memif.
 * One stack pair on one core is a stable measure where the memif rr rows
 * of bench.sh move by tens of percent between runs: scripts/bench_options.sh
 * runs it alternately for builds and option sets and reports the ratios.
 *
 * Built against a tree older than the TCP options (no conf.no_timestamps,
 * conf.cc), compile with -DSTACK_PAIR_NO_OPTION_CONF: the option flags are
 * then refused.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "ptcp_api.h"

#define WIRE_SLOTS 4096          /* frames in flight one way (a power of two) */
#define BURST      32
#define MAX_CONNS  1024
#define MAX_SIZE   8192
#define ECHO_PORT  7

/* One direction of the wire: frames one stack sent, for the other to receive. */
struct wire {
	uint32_t head, tail;
	uint64_t drops;
	struct rte_mbuf *slot[WIRE_SLOTS];
};

struct client_conn {
	struct ptcp_conn *c;
	uint32_t got;            /* response bytes received of the current transaction */
	bool up;
};

static struct wire to_client, to_server;
static struct client_conn conns[MAX_CONNS];
static uint8_t req[MAX_SIZE], buf[MAX_SIZE];
static uint32_t size = 64, n_conns = 1, n_up;
static uint64_t done, stop_at = UINT64_MAX;
static uint64_t errors;

static uint16_t
wire_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct wire *w = arg;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (w->tail - w->head == WIRE_SLOTS) {
			w->drops++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		w->slot[w->tail++ & (WIRE_SLOTS - 1)] = pkts[i];
	}
	return n;
}

static void
wire_rx(struct wire *w, struct ptcp_stack *st, uint64_t now_us)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = 0;

	while (n < BURST && w->head != w->tail)
		pkts[n++] = w->slot[w->head++ & (WIRE_SLOTS - 1)];
	if (n)
		ptcp_stack_rx_burst(st, pkts, n, now_us);
}

/* ---- the echo server: what polltcp-echo does (zero copy, copy as fallback) ---- */

static void
echo_established(struct ptcp_conn *c, void *arg)
{
	(void)arg;
	ptcp_conn_set_nodelay(c, true);
}

static void
echo_readable(struct ptcp_conn *c, void *arg)
{
	uint32_t n;

	(void)arg;
	/* As polltcp-echo: the send space only when something is readable. */
	while ((n = ptcp_readable(c)) > 0 && (n = RTE_MIN(n, ptcp_send_space(c))) > 0) {
		struct rte_mbuf *m = ptcp_recv_mbuf(c, n);
		int32_t sent;

		if (m != NULL) {
			if (ptcp_send_mbuf(c, m) < 0) {
				rte_pktmbuf_free(m);
				return;
			}
			continue;
		}
		n = ptcp_peek(c, buf, RTE_MIN(n, (uint32_t)sizeof(buf)));
		sent = n != 0 ? ptcp_send(c, buf, n) : 0;
		if (sent <= 0)
			break;
		ptcp_consume(c, (uint32_t)sent);
	}
	if (ptcp_conn_eof(c))
		ptcp_close(c);
}

static const struct ptcp_conn_ops echo_ops = {
	.on_established = echo_established,
	.on_readable = echo_readable,
	.on_writable = echo_readable,
};

/* ---- the client: one outstanding request per connection ---- */

static void
client_established(struct ptcp_conn *c, void *arg)
{
	struct client_conn *cc = arg;

	ptcp_conn_set_nodelay(c, true);
	cc->up = true;
	n_up++;
	if (ptcp_send(c, req, size) != (int32_t)size)
		errors++;
}

static void
client_readable(struct ptcp_conn *c, void *arg)
{
	struct client_conn *cc = arg;
	uint32_t n;

	while ((n = ptcp_recv(c, buf, sizeof(buf))) > 0) {
		if (memcmp(buf, req + cc->got, n) != 0)
			errors++;
		cc->got += n;
		if (cc->got < size)
			continue;
		if (cc->got > size)
			errors++;
		cc->got = 0;
		done++;
		if (done < stop_at && ptcp_send(c, req, size) != (int32_t)size)
			errors++;
	}
}

static void
client_closed(struct ptcp_conn *c, void *arg, int err)
{
	struct client_conn *cc = arg;

	(void)c;
	if (err != 0 && cc->up)
		errors++;
	cc->c = NULL;
}

static const struct ptcp_conn_ops client_ops = {
	.on_established = client_established,
	.on_readable = client_readable,
	.on_closed = client_closed,
};

/* 198.18.0.last, network order (RTE_IPV4 shifts an int: UB for 198 << 24). */
static rte_be32_t
ip4(uint32_t last)
{
	return rte_cpu_to_be_32(198u << 24 | 18u << 16 | (last & 0xff));
}

static struct ptcp_stack *
make_stack(const char *name, uint32_t ip_last, struct rte_mempool *mp, struct wire *out,
	   const struct ptcp_stack_conf *opts)
{
	struct ptcp_stack_conf conf = *opts;
	struct ptcp_stack *st;

	conf.ip = ip4(ip_last);
	conf.prefix_len = 24;
	conf.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)ip_last } };
	conf.pool = mp;
	conf.tx_fn = wire_tx;
	conf.tx_arg = out;
	conf.name = name;
	conf.max_conns = MAX_CONNS * 2;
	st = ptcp_stack_create(&conf);
	if (st == NULL) {
		fprintf(stderr, "stack_pair: stack %s: %s\n", name, rte_strerror(rte_errno));
		exit(1);
	}
	return st;
}

static uint64_t
now_us(void)
{
	return rte_get_tsc_cycles() * 1000000 / rte_get_tsc_hz();
}

static void
step(struct ptcp_stack *cli, struct ptcp_stack *srv)
{
	uint64_t t = now_us();

	wire_rx(&to_server, srv, t);
	ptcp_stack_poll(srv, t);
	ptcp_stack_flush(srv);
	wire_rx(&to_client, cli, t);
	ptcp_stack_poll(cli, t);
	ptcp_stack_flush(cli);
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: stack_pair [EAL args] -- [--conns N] [--size B] [--warmup N]\n"
		"           [--transactions N] [--no-timestamps] [--no-sack] [--no-wscale]\n"
		"           [--cc NAME] [--counters]\n");
	exit(2);
}

static unsigned long
num(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "stack_pair: %s: '%s' is not a number in %lu..%lu\n", opt, s, min,
			max);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "conns", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "transactions", required_argument, NULL, 't' },
		{ "no-timestamps", no_argument, NULL, 'T' },
		{ "no-sack", no_argument, NULL, 'S' },
		{ "no-wscale", no_argument, NULL, 'W' },
		{ "cc", required_argument, NULL, 'c' },
		{ "counters", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct ptcp_stack_conf opts = { 0 };
	const char *cc_name = "cubic";
	char options[32] = "";
	uint64_t warmup = 20000, count = 1000000, t0, t1, spins = 0;
	bool counters = false;
	struct ptcp_stack *cli, *srv;
	struct rte_mempool *mp;
	char rundir[PATH_MAX];
	uint32_t i;
	int n, opt;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "stack_pair: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'n': n_conns = (uint32_t)num("--conns", optarg, 1, MAX_CONNS); break;
		case 's': size = (uint32_t)num("--size", optarg, 1, MAX_SIZE); break;
		case 'w': warmup = num("--warmup", optarg, 0, 1ul << 40); break;
		case 't': count = num("--transactions", optarg, 1, 1ul << 40); break;
		case 'C': counters = true; break;
#ifndef STACK_PAIR_NO_OPTION_CONF
		case 'T': opts.no_timestamps = true; break;
		case 'S': opts.no_sack = true; break;
		case 'W': opts.no_wscale = true; break;
		case 'c': opts.cc = cc_name = optarg; break;
#else
		case 'T': case 'S': case 'W': case 'c':
			fprintf(stderr, "stack_pair: this build has no TCP option settings\n");
			return 2;
#endif
		default: usage();
		}
	}
	if (optind != argc)
		usage();
#ifndef STACK_PAIR_NO_OPTION_CONF
	snprintf(options, sizeof(options), "%s%s%s", opts.no_timestamps ? "" : "ts,",
		 opts.no_sack ? "" : "sack,", opts.no_wscale ? "" : "wscale,");
	if (options[0])
		options[strlen(options) - 1] = '\0';
	else
		snprintf(options, sizeof(options), "none");
#else
	snprintf(options, sizeof(options), "none");
	cc_name = "newreno";
#endif
	for (i = 0; i < size; i++)
		req[i] = (uint8_t)(i * 7 + 1);
	mp = rte_pktmbuf_pool_create("stack_pair", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "stack_pair: mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	srv = make_stack("spsrv", 2, mp, &to_client, &opts);
	cli = make_stack("spcli", 1, mp, &to_server, &opts);
	if (ptcp_listen(srv, ECHO_PORT, &echo_ops, NULL) != 0) {
		fprintf(stderr, "stack_pair: listen failed\n");
		return 1;
	}
	/*
	 * Handshakes, then warm-up, then the measured transactions. The first
	 * connection resolves the server's address: the others wait for it, as
	 * more SYNs than the ARP queue holds would be dropped and resent a
	 * second later.
	 */
	t0 = rte_get_tsc_cycles();
	step(cli, srv);   /* the stacks' clocks start now: ptcp_connect times the SYN by them */
	for (i = 0; i < n_conns; i++) {
		conns[i].c = ptcp_connect(cli, ip4(2), ECHO_PORT, 0, &client_ops, &conns[i]);
		if (conns[i].c == NULL) {
			fprintf(stderr, "stack_pair: connect %u: %s\n", i, rte_strerror(rte_errno));
			return 1;
		}
		while (i == 0 && n_up == 0 && errors == 0 &&
		       rte_get_tsc_cycles() - t0 < 10 * rte_get_tsc_hz())
			step(cli, srv);
	}
	while ((n_up < n_conns || done < warmup) && errors == 0) {
		step(cli, srv);
		if (rte_get_tsc_cycles() - t0 > 10 * rte_get_tsc_hz()) {
			fprintf(stderr, "stack_pair: %u of %u connections up, %" PRIu64
				" transactions after 10 s\n", n_up, n_conns, done);
			return 1;
		}
	}
	stop_at = done + count;
	done = 0;
	stop_at = count;
	t0 = rte_get_tsc_cycles();
	while (done < count && errors == 0) {
		step(cli, srv);
		spins++;
	}
	t1 = rte_get_tsc_cycles();
	if (errors || to_client.drops || to_server.drops) {
		fprintf(stderr, "stack_pair: %" PRIu64 " errors, %" PRIu64 " frames dropped\n",
			errors, to_client.drops + to_server.drops);
		return 1;
	}
	printf("stack_pair conns %u size %u transactions %" PRIu64 " cycles %" PRIu64
	       " cycles_per_tx %.1f ns_per_tx %.1f steps %" PRIu64 " options %s cc %s\n",
	       n_conns, size, count, t1 - t0, (double)(t1 - t0) / (double)count,
	       (double)(t1 - t0) * 1e9 / (double)rte_get_tsc_hz() / (double)count, spins,
	       options, cc_name);
	if (counters) {
		/* Both stacks' counters over the whole run: retransmissions, probes, drops. */
		static uint64_t sum[PTCP_CTR_MAX];

		ptcp_stack_counters_add(cli, sum);
		ptcp_stack_counters_add(srv, sum);
		for (i = 0; i < PTCP_CTR_MAX; i++)
			if (sum[i] != 0)
				printf("  %s %" PRIu64 "\n", ptcp_ctr_names[i], sum[i]);
	}
	/* Drain: in-flight responses finish, then close both sides. */
	for (i = 0; i < 1000; i++)
		step(cli, srv);
	ptcp_stack_close_all(cli);
	ptcp_stack_close_all(srv);
	for (i = 0; i < 1000; i++)
		step(cli, srv);
	ptcp_stack_destroy(cli);
	ptcp_stack_destroy(srv);
	while (to_client.head != to_client.tail)
		rte_pktmbuf_free(to_client.slot[to_client.head++ & (WIRE_SLOTS - 1)]);
	while (to_server.head != to_server.tail)
		rte_pktmbuf_free(to_server.slot[to_server.head++ & (WIRE_SLOTS - 1)]);
	rte_mempool_free(mp);
	/* EAL makes its runtime directory even with --no-shconf: leave nothing behind. */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return 0;
}
