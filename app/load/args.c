/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.c - polltcp-load's own options (those after "--"), getopt_long.
 * Every error is one line on stderr naming the option and the problem.
 * The stack options are spelt and bounded as polltcp-echo's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_opts.h"
#include "load.h"

#define MIN_MTU     68                 /* RFC 791 */
#define MAX_MTU     9216
#define MIN_BUF     256
#define MAX_BUF     (1u << 30)         /* RFC 7323 window scale limit */
#define MAX_MSL_MS  600000u
#define MAX_PERIOD  86400u

enum {
	OPT_IP = 256,
	OPT_GATEWAY,
	OPT_CONNECT,
	OPT_CONNS,
	OPT_BYTES,
	OPT_SEED,
	OPT_TIMEOUT,
	OPT_START_DELAY,
	OPT_MTU,
	OPT_STATS_PERIOD,
	OPT_PCAP,
	OPT_MSL_MS,
	OPT_RCV_BUF,
	OPT_SND_BUF,
	OPT_MBUFS,
	OPT_LINK_WAIT,
	OPT_NO_OFFLOAD,
	OPT_IMPAIR,
	OPT_NAGLE,
	OPT_DELACK_MS,
	OPT_RTO_MIN_MS,
	OPT_RTO_MAX_MS,
};

static const struct option long_opts[] = {
	{ "help",         no_argument,       NULL, 'h' },
	{ "ip",           required_argument, NULL, OPT_IP },
	{ "gateway",      required_argument, NULL, OPT_GATEWAY },
	{ "connect",      required_argument, NULL, OPT_CONNECT },
	{ "conns",        required_argument, NULL, OPT_CONNS },
	{ "bytes",        required_argument, NULL, OPT_BYTES },
	{ "seed",         required_argument, NULL, OPT_SEED },
	{ "timeout",      required_argument, NULL, OPT_TIMEOUT },
	{ "start-delay",  required_argument, NULL, OPT_START_DELAY },
	{ "mtu",          required_argument, NULL, OPT_MTU },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "pcap",         required_argument, NULL, OPT_PCAP },
	{ "msl-ms",       required_argument, NULL, OPT_MSL_MS },
	{ "rcv-buf",      required_argument, NULL, OPT_RCV_BUF },
	{ "snd-buf",      required_argument, NULL, OPT_SND_BUF },
	{ "mbufs",        required_argument, NULL, OPT_MBUFS },
	{ "link-wait",    required_argument, NULL, OPT_LINK_WAIT },
	{ "no-offload",   no_argument,       NULL, OPT_NO_OFFLOAD },
	{ "impair",       required_argument, NULL, OPT_IMPAIR },
	{ "nagle",        no_argument,       NULL, OPT_NAGLE },
	{ "delack-ms",    required_argument, NULL, OPT_DELACK_MS },
	{ "rto-min-ms",   required_argument, NULL, OPT_RTO_MIN_MS },
	{ "rto-max-ms",   required_argument, NULL, OPT_RTO_MAX_MS },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " LOAD_NAME " [EAL options] -- --ip ADDR/LEN --connect ADDR:PORT [options]\n"
"TCP echo load generator on the polltcp userspace TCP/IPv4 stack (DPDK): opens\n"
"connections to an echo server, sends each a seeded pseudo-random byte stream,\n"
"verifies every byte echoed back, then closes (half-close, waits for the peer's FIN).\n"
"\n"
"EAL options come first, e.g.\n"
"  --vdev=net_tap0,iface=pt0 --no-pci --no-huge -m 256 -l 0 --file-prefix NAME\n"
"This version runs on one lcore (give EAL exactly one, e.g. -l 0).\n"
"\n"
"Options after \"--\":\n"
"  --ip ADDR/LEN          our IPv4 address and on-link prefix (required; LEN 24 if omitted)\n"
"  --connect ADDR:PORT    the echo server (required)\n"
"  --gateway ADDR         next hop for an off-link server (must be on-link)\n"
"  --conns N              connections, 1..%u (default 1)\n"
"  --bytes N[K|M|G]       bytes to send and verify per connection, K/M/G = KiB/MiB/GiB\n"
"                         (default 1M; 0 = handshake and close only)\n"
"  --seed S               seed of the byte stream, 0..2^64-1 (default 1)\n"
"  --timeout SECONDS      give up this long after the first connect (default 30)\n"
"  --start-delay MS       wait this long after \"ready\" before connecting (default 0)\n"
"  --mtu N                IP MTU of the port, %u..%u (default 1500)\n"
"  --rcv-buf BYTES        receive buffer per connection (default 65535)\n"
"  --snd-buf BYTES        send buffer per connection (default 65536)\n"
"  --pcap FILE            write every received and sent frame to FILE (pcapng)\n"
"  --stats-period SECONDS print port stats and counters every SECONDS (0 = off, default)\n"
"  --msl-ms N             maximum segment lifetime (default 30000)\n"
"  --mbufs N              mbufs per lcore beyond the rings (default: 16384, more for\n"
"                         many connections)\n"
"  --link-wait SECONDS    wait this long for link up at start (default 5)\n"
"  --no-offload           compute checksums in software even if the port offloads them\n"
"  --impair SPEC          impair both directions of the port, seeded (see polltcp-echo)\n"
"  --nagle                keep Nagle's algorithm on (off by default)\n"
"  --delack-ms N          delayed-ACK timeout, 1..200 (default 40); 0 = ACK every segment\n"
"  --rto-min-ms N         RTO floor (default 200)\n"
"  --rto-max-ms N         RTO ceiling (default 60000)\n"
"  -h, --help             this help\n"
"\n"
"Prints \"ready to connect ...\" once the port is up, \"connected N\" when every\n"
"handshake is done, then a result line, \"load: conns N ok N failed N bytes B\n"
"time T s throughput X Mbit/s\", and the port stats and counters. Exit 0 only if\n"
"every connection verified all its bytes and closed cleanly; 1 on a data mismatch,\n"
"refused, reset or timed-out connection, or SIGINT/SIGTERM (connections aborted).\n",
		LOAD_MAX_CONNS, MIN_MTU, MAX_MTU);
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
	if (app_parse_addr("connect", buf, &a->raddr) != 0)
		return -1;
	if (parse_u32("connect port", colon + 1, 1, UINT16_MAX, &port) != 0)
		return -1;
	a->rport = (uint16_t)port;
	return 0;
}

static inline bool
on_link(const struct load_args *a, rte_be32_t addr)
{
	uint32_t mask = a->prefix_len == 32 ? UINT32_MAX : ~(UINT32_MAX >> a->prefix_len);

	return (ntohl(addr) & mask) == (ntohl(a->ip) & mask);
}

/* After parsing: the gateway is on-link, the server reachable and not us. */
static int
check_addrs(const struct load_args *a, const char *gw, const char *conn)
{
	uint32_t mask = a->prefix_len == 32 ? UINT32_MAX : ~(UINT32_MAX >> a->prefix_len);
	char net[INET_ADDRSTRLEN];
	struct in_addr n = { .s_addr = htonl(ntohl(a->ip) & mask) };

	inet_ntop(AF_INET, &n, net, sizeof(net));
	if (gw != NULL && app_check_gateway(a->ip, a->prefix_len, a->gateway, gw) != 0)
		return -1;
	if (a->raddr == a->ip)
		return app_error("--connect %s: that is our own address", conn);
	if (gw == NULL && !on_link(a, a->raddr))
		return app_error("--connect %s: not on our network %s/%u and no --gateway", conn, net,
			     a->prefix_len);
	return 0;
}

int
load_args_parse(int argc, char **argv, struct load_args *a)
{
	const char *gw = NULL, *conn = NULL;
	uint32_t v = 0;
	bool have_ip = false;
	int opt, ret = 0;

	app_name = LOAD_NAME;
	memset(a, 0, sizeof(*a));
	a->conns = 1;
	a->bytes = 1u << 20;
	a->seed = 1;
	a->timeout_s = 30;
	a->mtu = 1500;
	a->link_wait_s = 5;

	optind = 0;            /* full reset of getopt's state */
	opterr = 0;            /* our own messages */
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1;
		case OPT_IP:
			ret = app_parse_ip_prefix(optarg, &a->ip, &a->prefix_len);
			have_ip = true;
			break;
		case OPT_GATEWAY:
			gw = optarg;
			ret = app_parse_addr("gateway", optarg, &a->gateway);
			break;
		case OPT_CONNECT:
			conn = optarg;
			ret = parse_connect(optarg, a);
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
			ret = parse_u32("timeout", optarg, 1, 86400, &a->timeout_s);
			break;
		case OPT_START_DELAY:
			ret = parse_u32("start-delay", optarg, 0, 600000, &a->start_delay_ms);
			break;
		case OPT_MTU:
			ret = parse_u32("mtu", optarg, MIN_MTU, MAX_MTU, &v);
			a->mtu = (uint16_t)v;
			break;
		case OPT_STATS_PERIOD:
			ret = parse_u32("stats-period", optarg, 0, MAX_PERIOD, &a->stats_period_s);
			break;
		case OPT_PCAP:
			if (optarg[0] == '\0')
				return app_error("--pcap: empty file name");
			a->pcap_path = optarg;
			break;
		case OPT_MSL_MS:
			ret = parse_u32("msl-ms", optarg, 1, MAX_MSL_MS, &a->msl_ms);
			break;
		case OPT_RCV_BUF:
			ret = parse_u32("rcv-buf", optarg, MIN_BUF, MAX_BUF, &a->rcv_buf);
			break;
		case OPT_SND_BUF:
			ret = parse_u32("snd-buf", optarg, MIN_BUF, MAX_BUF, &a->snd_buf);
			break;
		case OPT_MBUFS:
			ret = parse_u32("mbufs", optarg, 1024, 1u << 24, &a->mbufs);
			break;
		case OPT_LINK_WAIT:
			ret = parse_u32("link-wait", optarg, 0, 600, &a->link_wait_s);
			break;
		case OPT_NO_OFFLOAD:
			a->no_offload = true;
			break;
		case OPT_NAGLE:
			a->nagle = true;
			break;
		case OPT_DELACK_MS:
			ret = parse_u32("delack-ms", optarg, 0, 200, &a->delack_ms);
			a->quickack = ret == 0 && a->delack_ms == 0;
			break;
		case OPT_RTO_MIN_MS:
			ret = parse_u32("rto-min-ms", optarg, 1, 600000, &a->rto_min_ms);
			break;
		case OPT_RTO_MAX_MS:
			ret = parse_u32("rto-max-ms", optarg, 1, 600000, &a->rto_max_ms);
			break;
		case OPT_IMPAIR: {
			char msg[160];

			if (ptcp_impair_parse(optarg, &a->impair, msg, sizeof(msg)) != 0)
				return app_error("--impair: %s", msg);
			a->impair_on = true;
			break;
		}
		case ':':
			return app_error("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0)
				return app_error("unknown option -%c (see --help)", optopt);
			return app_error("unknown option %s (see --help)", argv[optind - 1]);
		}
		if (ret != 0)
			return -1;
	}
	if (optind < argc)
		return app_error("unexpected argument '%s' (see --help)", argv[optind]);
	if (!have_ip)
		return app_error("missing --ip ADDR/LEN (application options go after \"--\")");
	if (conn == NULL)
		return app_error("missing --connect ADDR:PORT (the echo server to load)");
	return check_addrs(a, gw, conn);
}
