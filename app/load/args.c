/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.c - polltcp-load's own options (those after "--"), getopt_long.
 * Every error is one line on stderr naming the option and the problem.
 * The stack and port options are shared with polltcp-echo (app_opts.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "app_opts.h"
#include "load.h"

enum {
	OPT_CONNECT = 256,
	OPT_CONNS,
	OPT_BYTES,
	OPT_SEED,
	OPT_TIMEOUT,
	OPT_START_DELAY,
	OPT_MAX_CONNS,
	OPT_MODE,
	OPT_BACKEND,
	OPT_SIZE,
	OPT_DURATION,
	OPT_WARMUP,
	OPT_PIPELINE,
	OPT_VERIFY,
	OPT_NO_VERIFY,
	OPT_JSON,
	OPT_PROGRESS,
	OPT_PENDING,
	OPT_THREADS,
	OPT_RATE,
	OPT_WAIT_PEER_MS,
};

static const struct option long_opts[] = {
	{ "help",         no_argument,       NULL, 'h' },
	{ "connect",      required_argument, NULL, OPT_CONNECT },
	{ "conns",        required_argument, NULL, OPT_CONNS },
	{ "bytes",        required_argument, NULL, OPT_BYTES },
	{ "seed",         required_argument, NULL, OPT_SEED },
	{ "timeout",      required_argument, NULL, OPT_TIMEOUT },
	{ "start-delay",  required_argument, NULL, OPT_START_DELAY },
	{ "max-conns",    required_argument, NULL, OPT_MAX_CONNS },
	{ "mode",         required_argument, NULL, OPT_MODE },
	{ "backend",      required_argument, NULL, OPT_BACKEND },
	{ "size",         required_argument, NULL, OPT_SIZE },
	{ "duration",     required_argument, NULL, OPT_DURATION },
	{ "warmup",       required_argument, NULL, OPT_WARMUP },
	{ "pipeline",     required_argument, NULL, OPT_PIPELINE },
	{ "verify",       no_argument,       NULL, OPT_VERIFY },
	{ "no-verify",    no_argument,       NULL, OPT_NO_VERIFY },
	{ "json",         required_argument, NULL, OPT_JSON },
	{ "progress",     required_argument, NULL, OPT_PROGRESS },
	{ "pending",      required_argument, NULL, OPT_PENDING },
	{ "threads",      required_argument, NULL, OPT_THREADS },
	{ "rate",         required_argument, NULL, OPT_RATE },
	{ "wait-peer-ms", required_argument, NULL, OPT_WAIT_PEER_MS },
	APP_STACK_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " LOAD_NAME " [EAL options] -- --ip ADDR/LEN --connect ADDR:PORT [options]\n"
"       " LOAD_NAME " [EAL options] -- --ip ADDR/LEN --connect ADDR:PORT --mode rr|stream|crr|hold\n"
"                    --conns N --size BYTES --duration SECONDS [--pipeline D] [--json FILE]\n"
"       " LOAD_NAME " --backend kernel [--] --connect ADDR:PORT --mode M ... (no EAL options)\n"
"TCP echo load generator and benchmark client. Backends: dpdk (default: the polltcp\n"
"userspace TCP/IPv4 stack) and kernel (Linux sockets and epoll); one client logic.\n"
"\n"
"Modes (--mode):\n"
"  verify (default, dpdk only) each connection sends --bytes of a seeded stream,\n"
"         verifies every byte echoed back, then closes (half-close)\n"
"  rr     N connections, each with --pipeline requests of --size bytes outstanding;\n"
"         a transaction is done when --size bytes came back: tx/s, latency\n"
"  stream N connections sending continuously and reading the echo: Gbit/s each way\n"
"  crr    N workers each looping connect, one --size request, response, close:\n"
"         conn/s, latency of connect..response\n"
"  hold   open N connections (--pending at a time), hold them idle --duration\n"
"         seconds, report memory per connection, then reset them\n"
"\n"
"EAL options come first, e.g.\n"
"  --vdev=net_tap0,iface=pt0 --no-pci --no-huge -m 256 -l 0 --file-prefix NAME\n"
"verify runs on one lcore (e.g. -l 0); rr, stream, crr and hold on any number, each\n"
"lcore a worker with its share of the connections (e.g. -l 0-3).\n"
"--backend kernel|dpdk is the first argument (before \"--\", which is then optional)\n"
"or an option after \"--\" (then no EAL options may come before \"--\").\n"
"\n"
"Options after \"--\":\n"
"  --connect ADDR:PORT    the echo server (required)\n"
"  --conns N              connections (crr: workers), 1..%u (default 1)\n"
"  --mode M               verify, rr, stream, crr or hold (default verify)\n"
"  --size BYTES           request size of rr and crr, 1..16M, K/M suffix (default 64)\n"
"  --duration SECONDS     measured time (hold: time held after the last open; default 5)\n"
"  --warmup SECONDS       run this long before measuring (rr/stream/crr; default 1)\n"
"  --pipeline D           rr: requests outstanding per connection, 1..256 (default 1)\n"
"  --rate TX_PER_S        rr: offer this many requests per second in all, open loop\n"
"                         (default: closed loop, a new request as soon as one is\n"
"                         answered). Requests are due on a fixed schedule spread\n"
"                         evenly over the connections; --pipeline caps the ones\n"
"                         outstanding per connection (a due request waits for room);\n"
"                         latency counts from the due time, so sending late counts.\n"
"                         A \"detail: rate\" line and the JSON say whether the rate\n"
"                         was offered (issued_tx_s, late, behind). 1..%llu\n"
"  --verify, --no-verify  check every echoed byte against the seeded stream (default:\n"
"                         on in stream and crr, off in rr and hold)\n"
"  --json FILE            write the summary as one JSON object\n"
"  --progress SECONDS     progress line period, 0 = none (default 1)\n"
"  --pending P            handshakes in flight per worker, 1..65536 (default 64)\n"
"  --threads N            kernel backend: threads, each its own epoll (default 1)\n"
"  --ip ADDR/LEN          (kernel backend: optional) source address; with --ip-count N\n"
"                         connection i binds to ADDR + i %% N\n"
"  --bytes N[K|M|G]       verify: bytes to send and verify per connection, K/M/G = KiB/MiB/GiB\n"
"                         (default 1M; 0 = handshake and close only)\n"
"  --seed S               seed of the byte stream, 0..2^64-1 (default 1)\n"
"  --timeout SECONDS      give up this long after the first connect (default 30)\n"
"  --start-delay MS       wait this long after \"ready\" before connecting (default 0)\n"
"  --wait-peer-ms MS      dpdk: after the run, keep the port until its link goes down\n"
"                         (the peer left first), at most MS ms; prints \"waiting up to\n"
"                         MS ms for the peer to leave\" first (default 0: close at once).\n"
"                         For memif, whose driver in DPDK 22.11 can crash the side that\n"
"                         still polls when its peer leaves: stop the peer on that line\n"
"  --max-conns N          connection slots of the stack, and connections open at once\n"
"                         (default: --conns above 4096, else 4096, no limit on opening);\n"
"                         TIME-WAIT takes no slot, so --conns may exceed it\n",
		LOAD_MAX_CONNS, LOAD_MAX_RATE);
	app_stack_usage(f);
	fprintf(f,
"  -h, --help             this help\n"
"\n"
"Prints \"ready to connect ...\" once the port is up, \"connected N\" when every\n"
"handshake is done, then a result line, \"load: conns N ok N failed N bytes B\n"
"time T s throughput X Mbit/s\", and the port stats and counters. Exit 0 only if\n"
"every connection verified all its bytes and closed cleanly; 1 on a data mismatch,\n"
"refused, reset or timed-out connection, or SIGINT/SIGTERM (connections aborted).\n"
"\n"
"The other modes print \"progress: t T s tx/s X gbit/s G conn/s C conns N errors E\"\n"
"lines, then \"result: mode M conns N tx/s X gbit/s G conn/s C p50_us A p99_us B\n"
"p999_us D errors E\" (hold adds \"conns_held H mem_per_conn_bytes M\") and\n"
"\"detail:\" lines; exit 0 if errors is 0 (SIGINT/SIGTERM ends the run early).\n");
}

static int
parse_u64_sfx(const char *opt, const char *s, uint64_t min, uint64_t max, bool suffix,
	      uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		goto bad;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		default:
			goto bad;
		}
		end++;
	}
	if (*end != '\0')
		goto bad;
	if (shift != 0 && v > (max >> shift))
		goto range;
	v <<= shift;
	if (v < min || v > max)
		goto range;
	*out = v;
	return 0;
range:
	return app_error("--%s %s: out of range (%" PRIu64 "..%" PRIu64 ")", opt, s, min, max);
bad:
	return app_error("--%s '%s': not a number (expected %" PRIu64 "..%" PRIu64 "%s)", opt, s,
		     min, max, suffix ? ", K/M/G suffix allowed" : "");
}

static int
parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (parse_u64_sfx(opt, s, min, max, false, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* --connect ADDR:PORT */
static int
parse_connect(const char *s, struct load_args *a)
{
	char buf[64];
	char *colon;
	uint32_t port;

	if (strlen(s) >= sizeof(buf))
		return app_error("--connect '%s': not ADDR:PORT", s);
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return app_error("--connect '%s': not ADDR:PORT (the port is missing)", s);
	*colon = '\0';
	if (a->kernel) {
		/* Linux sockets: loopback and any address the kernel routes. */
		if (inet_pton(AF_INET, buf, &a->raddr) != 1 || a->raddr == 0)
			return app_error("--connect '%s': not an IPv4 address", s);
	} else if (app_parse_addr("connect", buf, &a->raddr) != 0) {
		return -1;
	}
	if (parse_u32("connect port", colon + 1, 1, UINT16_MAX, &port) != 0)
		return -1;
	a->rport = (uint16_t)port;
	return 0;
}

static inline bool
on_link(const struct app_stack_opts *o, rte_be32_t addr)
{
	uint32_t mask = o->prefix_len == 32 ? UINT32_MAX : ~(UINT32_MAX >> o->prefix_len);

	return (ntohl(addr) & mask) == (ntohl(o->ip) & mask);
}

static int
parse_mode(const char *s, struct load_args *a)
{
	static const enum load_mode modes[] = { LOAD_MODE_VERIFY, LOAD_MODE_RR,
						 LOAD_MODE_STREAM, LOAD_MODE_CRR, LOAD_MODE_HOLD };
	size_t i;

	for (i = 0; i < RTE_DIM(modes); i++)
		if (strcmp(s, load_mode_name(modes[i])) == 0) {
			a->mode = modes[i];
			return 0;
		}
	return app_error("--mode '%s': not verify, rr, stream, crr or hold", s);
}

/* After parsing: the server reachable and not us. */
static int
check_connect(const struct load_args *a, const char *conn)
{
	const struct app_stack_opts *o = &a->s;
	uint32_t mask = o->prefix_len == 32 ? UINT32_MAX : ~(UINT32_MAX >> o->prefix_len);
	char net[INET_ADDRSTRLEN];
	struct in_addr n = { .s_addr = htonl(ntohl(o->ip) & mask) };

	inet_ntop(AF_INET, &n, net, sizeof(net));
	if (a->raddr == o->ip)
		return app_error("--connect %s: that is our own address", conn);
	if (o->gateway_arg == NULL && !on_link(o, a->raddr))
		return app_error("--connect %s: not on our network %s/%u and no --gateway", conn, net,
			     o->prefix_len);
	return 0;
}

int
load_args_parse(int argc, char **argv, void *arg)
{
	struct load_args *a = arg;
	const char *conn = NULL;
	bool kernel = a->kernel;       /* set by main from a leading --backend */
	int opt, ret = 0;
	uint64_t v = 0;

	app_name = LOAD_NAME;
	memset(a, 0, sizeof(*a));
	a->kernel = kernel;
	a->size = 64;
	a->duration_s = 5;
	a->warmup_s = 1;
	a->pipeline = 1;
	a->verify = -1;
	a->progress_s = 1;
	a->pending = 64;
	a->threads = 1;
	a->conns = 1;
	a->bytes = 1u << 20;
	a->seed = 1;
	a->timeout_s = 30;
	a->s.mtu = 1500;
	a->s.link_wait_s = 5;

	optind = 0;            /* full reset of getopt's state */
	opterr = 0;            /* our own messages */
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1;
		case OPT_CONNECT:
			conn = optarg;         /* parsed below: the backend decides what is usable */
			break;
		case OPT_CONNS:
			ret = parse_u32("conns", optarg, 1, LOAD_MAX_CONNS, &a->conns);
			break;
		case OPT_BYTES:
			ret = parse_u64_sfx("bytes", optarg, 0, LOAD_MAX_BYTES, true, &a->bytes);
			break;
		case OPT_SEED:
			ret = parse_u64_sfx("seed", optarg, 0, UINT64_MAX, false, &a->seed);
			break;
		case OPT_TIMEOUT:
			a->timeout_set = true;
			ret = parse_u32("timeout", optarg, 1, 86400, &a->timeout_s);
			break;
		case OPT_START_DELAY:
			ret = parse_u32("start-delay", optarg, 0, 600000, &a->start_delay_ms);
			break;
		case OPT_MAX_CONNS:
			ret = parse_u32("max-conns", optarg, 1, LOAD_MAX_CONNS, &a->max_conns);
			break;
		case OPT_MODE:
			ret = parse_mode(optarg, a);
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "kernel") == 0)
				a->kernel = true;
			else if (strcmp(optarg, "dpdk") == 0)
				a->kernel = false;
			else
				ret = app_error("--backend '%s': not dpdk or kernel", optarg);
			break;
		case OPT_SIZE:
			ret = parse_u64_sfx("size", optarg, 1, 16u << 20, true, &v);
			a->size = (uint32_t)v;
			break;
		case OPT_DURATION:
			ret = parse_u32("duration", optarg, 1, 86400, &a->duration_s);
			break;
		case OPT_WARMUP:
			ret = parse_u32("warmup", optarg, 0, 3600, &a->warmup_s);
			break;
		case OPT_PIPELINE:
			ret = parse_u32("pipeline", optarg, 1, 256, &a->pipeline);
			break;
		case OPT_VERIFY:
			a->verify = 1;
			break;
		case OPT_NO_VERIFY:
			a->verify = 0;
			break;
		case OPT_JSON:
			a->json = optarg;
			break;
		case OPT_PROGRESS:
			ret = parse_u32("progress", optarg, 0, 3600, &a->progress_s);
			break;
		case OPT_PENDING:
			ret = parse_u32("pending", optarg, 1, 65536, &a->pending);
			break;
		case OPT_THREADS:
			ret = parse_u32("threads", optarg, 1, 1024, &a->threads);
			break;
		case OPT_RATE:
			ret = parse_u64_sfx("rate", optarg, 1, LOAD_MAX_RATE, false, &a->rate);
			break;
		case OPT_WAIT_PEER_MS:
			ret = parse_u32("wait-peer-ms", optarg, 0, 600000, &a->wait_peer_ms);
			break;
		case ':':
			return app_error("option %s needs a value", argv[optind - 1]);
		case '?':
			if (optopt != 0)
				return app_error("unknown option -%c (see --help)", optopt);
			return app_error("unknown option %s (see --help)", argv[optind - 1]);
		default:
			ret = app_stack_option(opt, optarg, &a->s);
			if (ret > 0)
				return app_error("option %s is not handled", argv[optind - 1]);
			break;
		}
		if (ret != 0)
			return -1;
	}
	if (optind < argc)
		return app_error("unexpected argument '%s' (see --help)", argv[optind]);
	if (a->kernel && a->mode == LOAD_MODE_VERIFY)
		return app_error("--backend kernel runs --mode rr, stream, crr or hold (verify is "
				 "the dpdk backend's)");
	if (a->rate != 0 && a->mode != LOAD_MODE_RR)
		return app_error("--rate paces --mode rr only (this is --mode %s)",
				 load_mode_name(a->mode));
	if (a->kernel && a->wait_peer_ms != 0)
		return app_error("--wait-peer-ms waits for the dpdk backend's link (the kernel "
				 "backend has none)");
	if (a->kernel && !a->s.have_ip) {
		/* The kernel picks the source address; --ip-count needs an --ip. */
		if (a->s.ip_count > 1)
			return app_error("--ip-count needs --ip ADDR/LEN (the first source address)");
	} else if (app_stack_check(&a->s) != 0) {
		return -1;
	}
	if (conn == NULL)
		return app_error("missing --connect ADDR:PORT (the echo server to load)");
	if (parse_connect(conn, a) != 0)
		return -1;
	if (a->kernel)
		return 0;                      /* routing is the kernel's */
	if (a->mode != LOAD_MODE_CRR &&
	    a->conns > (uint64_t)LOAD_PORTS_PER_ADDR * RTE_MAX(a->s.ip_count, 1u))
		return app_error("--conns %" PRIu32 ": one address opens at most %u connections to "
				 "one ADDR:PORT; add --ip-count N", a->conns, LOAD_PORTS_PER_ADDR);
	return check_connect(a, conn);
}
