/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.c - polltcp-echo's own options (those after "--"), getopt_long.
 * The stack and port options are shared with polltcp-load (app_opts.c).
 * Every error is one line on stderr naming the option and the problem.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app_opts.h"
#include "echo.h"

#define MAX_CONNS (1u << 24)

enum {
	OPT_PORT = 256,
	OPT_MAX_CONNS,
	OPT_COPY,
	OPT_CONN_INFO,
};

static const struct option long_opts[] = {
	{ "help",         no_argument,       NULL, 'h' },
	{ "port",         required_argument, NULL, OPT_PORT },
	{ "max-conns",    required_argument, NULL, OPT_MAX_CONNS },
	{ "copy",         no_argument,       NULL, OPT_COPY },
	{ "conn-info",    no_argument,       NULL, OPT_CONN_INFO },
	APP_STACK_LONG_OPTS,
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
"Every enabled lcore owns the flows the steering hash gives it and, while the\n"
"port has enough, polls one RX/TX queue pair of the first port.\n"
"\n"
"Options after \"--\":\n"
"  --port N               TCP port to serve (default 7)\n"
"  --max-conns N          connections per lcore (stack default 4096)\n"
"  --conn-info            print every connection (state, options, cwnd, RTT, windows)\n"
"                         when stopping; SIGUSR1 prints them at any time\n"
"  --copy                 echo by copying (ptcp_peek/ptcp_send) instead of moving the\n"
"                         received mbufs (ptcp_recv_mbuf/ptcp_send_mbuf)\n");
	app_stack_usage(f);
	fprintf(f,
"  -h, --help             this help\n"
"\n"
"Prints \"listening on ADDR:PORT\" when ready. SIGINT/SIGTERM: close connections\n"
"gracefully, print port stats and counters, exit 0.\n");
}

int
echo_args_parse(int argc, char **argv, void *arg)
{
	struct echo_args *a = arg;
	uint32_t v;
	int opt, ret = 0;

	app_name = ECHO_NAME;
	memset(a, 0, sizeof(*a));
	a->port = 7;
	a->s.mtu = 1500;
	a->s.link_wait_s = 5;

	optind = 0;            /* full reset of getopt's state */
	opterr = 0;            /* our own messages */
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1;
		case OPT_PORT:
			ret = app_parse_u32("port", optarg, 1, UINT16_MAX, &v);
			a->port = (uint16_t)v;
			break;
		case OPT_CONN_INFO:
			a->conn_info = true;
			break;
		case OPT_COPY:
			a->copy = true;
			break;
		case OPT_MAX_CONNS:
			ret = app_parse_u32("max-conns", optarg, 1, MAX_CONNS, &a->max_conns);
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
	return app_stack_check(&a->s);
}
