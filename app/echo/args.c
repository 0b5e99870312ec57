/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.c - polltcp-echo's own options (those after "--"), getopt_long.
 * Every error is one line on stderr naming the option and the problem.
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
#include "echo.h"

#define MIN_MTU     68                 /* RFC 791 */
#define MAX_MTU     9216
#define MIN_BUF     256
#define MAX_BUF     (1u << 30)         /* RFC 7323 window scale limit */
#define MAX_CONNS   (1u << 24)
#define MAX_MSL_MS  600000u
#define MAX_PERIOD  86400u

enum {
	OPT_IP = 256,
	OPT_GATEWAY,
	OPT_PORT,
	OPT_MTU,
	OPT_STATS_PERIOD,
	OPT_MAX_CONNS,
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
	OPT_KEEPALIVE,
};

static const struct option long_opts[] = {
	{ "help",         no_argument,       NULL, 'h' },
	{ "ip",           required_argument, NULL, OPT_IP },
	{ "gateway",      required_argument, NULL, OPT_GATEWAY },
	{ "port",         required_argument, NULL, OPT_PORT },
	{ "mtu",          required_argument, NULL, OPT_MTU },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "max-conns",    required_argument, NULL, OPT_MAX_CONNS },
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
	{ "keepalive",    required_argument, NULL, OPT_KEEPALIVE },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " ECHO_NAME " [EAL options] -- --ip ADDR/LEN [options]\n"
"RFC 862 echo server on the polltcp userspace TCP/IPv4 stack (DPDK).\n"
"\n"
"EAL options come first, as for dpdk-testpmd, e.g.\n"
"  --vdev=net_tap0,iface=pt0 --no-pci --no-huge -m 512 -l 0 --file-prefix NAME\n"
"Every enabled lcore polls one RX/TX queue pair of the first port.\n"
"\n"
"Options after \"--\":\n"
"  --ip ADDR/LEN          our IPv4 address and on-link prefix (required; LEN 24 if omitted)\n"
"  --gateway ADDR         next hop for off-link peers (must be on-link)\n"
"  --port N               TCP port to serve (default 7)\n"
"  --mtu N                IP MTU of the port, %u..%u (default 1500)\n"
"  --stats-period SECONDS print port stats and counters every SECONDS (0 = off, default)\n"
"  --max-conns N          connections per lcore (stack default 4096)\n"
"  --pcap FILE            write every received and sent frame to FILE (pcapng)\n"
"  --msl-ms N             maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30000)\n"
"  --rcv-buf BYTES        receive buffer per connection (default 65535)\n"
"  --snd-buf BYTES        send buffer per connection (default 65536)\n"
"  --mbufs N              mbufs per lcore beyond the descriptor rings (default 16384)\n"
"  --link-wait SECONDS    wait this long for link up at start (default 5)\n"
"  --no-offload           compute checksums in software even if the port offloads them\n"
"  --impair SPEC          impair both directions of the port, seeded, e.g.\n"
"                         loss=2%%,reorder=1%%,dup=1%%,delay=5ms,seed=42; keys: loss, dup,\n"
"                         reorder (percent), delay, jitter, reorder_hold (us/ms/s),\n"
"                         seed, limit (packets held, default 8192); off by default\n"
"  --nagle                keep Nagle's algorithm on (the echo server turns it off)\n"
"  --delack-ms N          delayed-ACK timeout, 1..200 (default 40); 0 = ACK every segment\n"
"  --rto-min-ms N         RTO floor (default 200)\n"
"  --rto-max-ms N         RTO ceiling (default 60000)\n"
"  --keepalive IDLE[,INTVL[,CNT]]\n"
"                         keepalive after IDLE ms idle, probes every INTVL ms (75000),\n"
"                         abort after CNT unanswered (9); off by default\n"
"  -h, --help             this help\n"
"\n"
"Prints \"listening on ADDR:PORT\" when ready. SIGINT/SIGTERM: close connections\n"
"gracefully, print port stats and counters, exit 0.\n",
		MIN_MTU, MAX_MTU);
}

/* --keepalive IDLE[,INTVL[,CNT]] in milliseconds. */
static int
parse_keepalive(const char *s, struct echo_args *a)
{
	char buf[64], *intvl, *cnt;

	if (strlen(s) >= sizeof(buf))
		return app_error("--keepalive '%s': too long", s);
	strcpy(buf, s);
	intvl = strchr(buf, ',');
	if (intvl != NULL) {
		*intvl++ = '\0';
		cnt = strchr(intvl, ',');
		if (cnt != NULL)
			*cnt++ = '\0';
	} else {
		cnt = NULL;
	}
	if (app_parse_u32("keepalive idle", buf, 1, 86400000, &a->ka_idle_ms) != 0)
		return -1;
	if (intvl != NULL && app_parse_u32("keepalive interval", intvl, 1, 86400000,
				       &a->ka_intvl_ms) != 0)
		return -1;
	if (cnt != NULL && app_parse_u32("keepalive count", cnt, 1, 255, &a->ka_cnt) != 0)
		return -1;
	return 0;
}

int
echo_args_parse(int argc, char **argv, struct echo_args *a)
{
	const char *gw = NULL;
	uint32_t v;
	bool have_ip = false;
	int opt, ret = 0;

	app_name = ECHO_NAME;
	memset(a, 0, sizeof(*a));
	a->port = 7;
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
		case OPT_PORT:
			ret = app_parse_u32("port", optarg, 1, UINT16_MAX, &v);
			a->port = (uint16_t)v;
			break;
		case OPT_MTU:
			ret = app_parse_u32("mtu", optarg, MIN_MTU, MAX_MTU, &v);
			a->mtu = (uint16_t)v;
			break;
		case OPT_STATS_PERIOD:
			ret = app_parse_u32("stats-period", optarg, 0, MAX_PERIOD, &a->stats_period_s);
			break;
		case OPT_MAX_CONNS:
			ret = app_parse_u32("max-conns", optarg, 1, MAX_CONNS, &a->max_conns);
			break;
		case OPT_PCAP:
			if (optarg[0] == '\0')
				return app_error("--pcap: empty file name");
			a->pcap_path = optarg;
			break;
		case OPT_MSL_MS:
			ret = app_parse_u32("msl-ms", optarg, 1, MAX_MSL_MS, &a->msl_ms);
			break;
		case OPT_RCV_BUF:
			ret = app_parse_u32("rcv-buf", optarg, MIN_BUF, MAX_BUF, &a->rcv_buf);
			break;
		case OPT_SND_BUF:
			ret = app_parse_u32("snd-buf", optarg, MIN_BUF, MAX_BUF, &a->snd_buf);
			break;
		case OPT_MBUFS:
			ret = app_parse_u32("mbufs", optarg, 1024, 1u << 24, &a->mbufs);
			break;
		case OPT_LINK_WAIT:
			ret = app_parse_u32("link-wait", optarg, 0, 600, &a->link_wait_s);
			break;
		case OPT_NO_OFFLOAD:
			a->no_offload = true;
			break;
		case OPT_NAGLE:
			a->nagle = true;
			break;
		case OPT_DELACK_MS:
			ret = app_parse_u32("delack-ms", optarg, 0, 200, &a->delack_ms);
			a->quickack = ret == 0 && a->delack_ms == 0;
			break;
		case OPT_RTO_MIN_MS:
			ret = app_parse_u32("rto-min-ms", optarg, 1, 600000, &a->rto_min_ms);
			break;
		case OPT_RTO_MAX_MS:
			ret = app_parse_u32("rto-max-ms", optarg, 1, 600000, &a->rto_max_ms);
			break;
		case OPT_KEEPALIVE:
			ret = parse_keepalive(optarg, a);
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
	if (gw != NULL && app_check_gateway(a->ip, a->prefix_len, a->gateway, gw) != 0)
		return -1;
	return 0;
}
