/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app_opts.c - option parsers shared by polltcp-echo and polltcp-load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_opts.h"
#include "ptcp_api.h"

const char *app_name = "polltcp";

int
app_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", app_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int
app_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		goto bad;
	if (v < min || v > max)
		return app_error("--%s %s: out of range (%" PRIu32 "..%" PRIu32 ")", opt, s, min, max);
	*out = (uint32_t)v;
	return 0;
bad:
	return app_error("--%s '%s': not a number (expected %" PRIu32 "..%" PRIu32 ")", opt, s, min,
		     max);
}

int
app_parse_addr(const char *opt, const char *s, rte_be32_t *out)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1)
		return app_error("--%s '%s': not an IPv4 address", opt, s);
	h = ntohl(a.s_addr);
	if (h == 0 || h == UINT32_MAX || (h >> 28) == 0xe || (h >> 24) == 127)
		return app_error("--%s %s: not a usable unicast address", opt, s);
	*out = a.s_addr;
	return 0;
}

int
app_parse_ip_prefix(const char *s, rte_be32_t *ip, uint8_t *prefix_len)
{
	char buf[64];
	char *slash;
	uint32_t len = 24, mask, h;

	if (strlen(s) >= sizeof(buf))
		return app_error("--ip '%s': not ADDR/LEN", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (app_parse_u32("ip prefix length", slash + 1, 1, 32, &len) != 0)
			return -1;
	}
	if (app_parse_addr("ip", buf, ip) != 0)
		return -1;
	*prefix_len = (uint8_t)len;
	h = ntohl(*ip);
	mask = len == 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
	if (len <= 30 && ((h & ~mask) == 0 || (h & ~mask) == ~mask))
		return app_error("--ip %s: the network or broadcast address of its prefix", s);
	return 0;
}

int
app_check_gateway(rte_be32_t ip, uint8_t prefix_len, rte_be32_t gw, const char *s)
{
	uint32_t mask = prefix_len == 32 ? UINT32_MAX : ~(UINT32_MAX >> prefix_len);
	char net[INET_ADDRSTRLEN];
	struct in_addr n = { .s_addr = htonl(ntohl(ip) & mask) };

	if (gw == ip)
		return app_error("--gateway %s: that is our own address", s);
	if ((ntohl(gw) & mask) != (ntohl(ip) & mask)) {
		inet_ntop(AF_INET, &n, net, sizeof(net));
		return app_error("--gateway %s: not on our network %s/%u", s, net, prefix_len);
	}
	return 0;
}

/* --keepalive IDLE[,INTVL[,CNT]] in milliseconds. */
static int
parse_keepalive(const char *s, struct app_stack_opts *o)
{
	char buf[64], *intvl, *cnt = NULL;

	if (strlen(s) >= sizeof(buf))
		return app_error("--keepalive '%s': too long", s);
	strcpy(buf, s);
	intvl = strchr(buf, ',');
	if (intvl != NULL) {
		*intvl++ = '\0';
		cnt = strchr(intvl, ',');
		if (cnt != NULL)
			*cnt++ = '\0';
	}
	if (app_parse_u32("keepalive idle", buf, 1, 86400000, &o->ka_idle_ms) != 0)
		return -1;
	if (intvl != NULL && app_parse_u32("keepalive interval", intvl, 1, 86400000,
					   &o->ka_intvl_ms) != 0)
		return -1;
	if (cnt != NULL && app_parse_u32("keepalive count", cnt, 1, 255, &o->ka_cnt) != 0)
		return -1;
	return 0;
}

/*
 * --fin-timeout: seconds as Linux's tcp_fin_timeout ("60"), or with a unit
 * ("60s", "500ms"); 0 = no limit.
 */
static int
parse_fin_timeout(const char *arg, struct app_stack_opts *s)
{
	char buf[32];
	size_t n = strlen(arg);
	uint32_t v, scale = 1000;

	if (n >= sizeof(buf))
		return app_error("--fin-timeout '%s': too long", arg);
	memcpy(buf, arg, n + 1);
	if (n > 2 && strcmp(buf + n - 2, "ms") == 0) {
		buf[n - 2] = '\0';
		scale = 1;
	} else if (n > 1 && buf[n - 1] == 's') {
		buf[n - 1] = '\0';
	}
	if (app_parse_u32("fin-timeout", buf, 0, scale == 1 ? 86400000u : 86400u, &v) != 0)
		return -1;
	s->fin_timeout_ms = v == 0 ? UINT32_MAX : v * scale;
	return 0;
}

#define MIN_BUF     256
#define MAX_BUF     (1u << 30)         /* RFC 7323 window scale limit */
#define MAX_MSL_MS  600000u
#define MAX_PERIOD  86400u

int
app_stack_option(int opt, const char *arg, struct app_stack_opts *s)
{
	uint32_t v;
	int ret;

	switch (opt) {
	case APP_OPT_IP:
		s->have_ip = true;
		return app_parse_ip_prefix(arg, &s->ip, &s->prefix_len);
	case APP_OPT_GATEWAY:
		s->gateway_arg = arg;
		return app_parse_addr("gateway", arg, &s->gateway);
	case APP_OPT_MTU:
		ret = app_parse_u32("mtu", arg, APP_MIN_MTU, APP_MAX_MTU, &v);
		s->mtu = (uint16_t)v;
		return ret;
	case APP_OPT_STATS_PERIOD:
		return app_parse_u32("stats-period", arg, 0, MAX_PERIOD, &s->stats_period_s);
	case APP_OPT_PCAP:
		if (arg[0] == '\0')
			return app_error("--pcap: empty file name");
		s->pcap_path = arg;
		return 0;
	case APP_OPT_MSL_MS:
		return app_parse_u32("msl-ms", arg, 1, MAX_MSL_MS, &s->msl_ms);
	case APP_OPT_NEIGHBOURS:
		return app_parse_u32("neighbours", arg, 8, 1u << 20, &s->neighbours);
	case APP_OPT_RCV_BUF:
		return app_parse_u32("rcv-buf", arg, MIN_BUF, MAX_BUF, &s->rcv_buf);
	case APP_OPT_SND_BUF:
		return app_parse_u32("snd-buf", arg, MIN_BUF, MAX_BUF, &s->snd_buf);
	case APP_OPT_MBUFS:
		return app_parse_u32("mbufs", arg, 1024, 1u << 24, &s->mbufs);
	case APP_OPT_LINK_WAIT:
		return app_parse_u32("link-wait", arg, 0, 600, &s->link_wait_s);
	case APP_OPT_NO_OFFLOAD:
		s->no_offload = true;
		return 0;
	case APP_OPT_NAGLE:
		s->nagle = true;
		return 0;
	case APP_OPT_NO_WSCALE:
		s->no_wscale = true;
		return 0;
	case APP_OPT_NO_TIMESTAMPS:
		s->no_timestamps = true;
		return 0;
	case APP_OPT_NO_SACK:
		s->no_sack = true;
		return 0;
	case APP_OPT_DELACK_MS:
		ret = app_parse_u32("delack-ms", arg, 0, 200, &s->delack_ms);
		s->quickack = ret == 0 && s->delack_ms == 0;
		return ret;
	case APP_OPT_RTO_MIN_MS:
		return app_parse_u32("rto-min-ms", arg, 1, 600000, &s->rto_min_ms);
	case APP_OPT_RTO_MAX_MS:
		return app_parse_u32("rto-max-ms", arg, 1, 600000, &s->rto_max_ms);
	case APP_OPT_KEEPALIVE:
		return parse_keepalive(arg, s);
	case APP_OPT_BACKLOG:
		return app_parse_u32("backlog", arg, 1, 1u << 20, &s->backlog);
	case APP_OPT_IP_COUNT:
		return app_parse_u32("ip-count", arg, 1, 1u << 16, &s->ip_count);
	case APP_OPT_QUEUES:
		return app_parse_u32("queues", arg, 1, RTE_MAX_LCORE, &s->queues);
	case APP_OPT_SYNACK_RETRIES:
		return app_parse_u32("synack-retries", arg, 1, 255, &s->synack_retries);
	case APP_OPT_FIN_TIMEOUT:
		return parse_fin_timeout(arg, s);
	case APP_OPT_PMTU_EXPIRE:
		return app_parse_u32("pmtu-expire", arg, 1, 86400, &s->pmtu_expire_s);
	case APP_OPT_PMTU_MIN:
		return app_parse_u32("pmtu-min", arg, 104, APP_MAX_MTU, &s->pmtu_min);
	case APP_OPT_PMTU_BLACKHOLE:
		s->pmtu_blackhole_set = true;
		return app_parse_u32("pmtu-blackhole", arg, 0, 100, &s->pmtu_blackhole);
	case APP_OPT_CC:
		if (ptcp_cc_check(arg) != 0)
			return app_error("--cc '%s': unknown congestion control (cubic, newreno or reno)",
					 arg);
		s->cc = arg;
		return 0;
	case APP_OPT_IMPAIR: {
		char msg[160];

		if (ptcp_impair_parse(arg, &s->impair, msg, sizeof(msg)) != 0)
			return app_error("--impair: %s", msg);
		s->impair_on = true;
		return 0;
	}
	default:
		return 1;
	}
}

int
app_stack_check(const struct app_stack_opts *s)
{
	uint32_t mask = s->prefix_len == 0 ? 0 : ~0u << (32 - s->prefix_len);
	uint64_t first = ntohl(s->ip), last = first + (s->ip_count > 0 ? s->ip_count : 1) - 1;

	if (!s->have_ip)
		return app_error("missing --ip ADDR/LEN (application options go after \"--\")");
	if (last > UINT32_MAX || (last & mask) != (first & mask) ||
	    (s->prefix_len <= 30 && (last & ~mask) == ~mask))
		return app_error("--ip-count %u: the addresses from --ip on leave the /%u network "
				 "(or reach its broadcast address)", s->ip_count, s->prefix_len);
	if (s->gateway_arg != NULL &&
	    app_check_gateway(s->ip, s->prefix_len, s->gateway, s->gateway_arg) != 0)
		return -1;
	return 0;
}

void
app_stack_usage(FILE *f)
{
	fprintf(f,
"  --ip ADDR/LEN          our IPv4 address and on-link prefix (required; LEN 24 if omitted)\n"
"  --ip-count N           own N consecutive addresses from ADDR on, 1..65536 (default 1);\n"
"                         active opens rotate over them (16384 ports each)\n"
"  --gateway ADDR         next hop for off-link peers (must be on-link)\n"
"  --mtu N                IP MTU of the port, %u..%u (default 1500)\n"
"  --rcv-buf BYTES        receive buffer per connection (default 65535)\n"
"  --snd-buf BYTES        send buffer per connection (default 65536)\n"
"  --pcap FILE            write every received and sent frame to FILE (pcapng)\n"
"  --stats-period SECONDS print port stats and counters every SECONDS (0 = off, default)\n"
"  --msl-ms N             maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30000)\n"
"  --fin-timeout T        FIN-WAIT-2 after the application closed ends after T seconds\n"
"                         (or Tms, e.g. 500ms); 0 = never (default 60, Linux tcp_fin_timeout)\n"
"  --mbufs N              mbufs per lcore beyond the descriptor rings (default 16384;\n"
"                         polltcp-load adds more for many connections); TCP queues\n"
"                         may hold 7/8 of them, out-of-order data half that\n"
"  --link-wait SECONDS    wait this long for link up at start (default 5)\n"
"  --queues N            queue pairs of the port (default: one per lcore, as many as it\n"
"                         has); with fewer than lcores, the lcores polling them pass each\n"
"                         TCP segment to the lcore owning its flow and send for the\n"
"                         others (software steering, e.g. single-queue ports)\n"
"  --no-offload           compute checksums in software even if the port offloads them\n"
"  --impair SPEC          impair both directions of the port, seeded, e.g.\n"
"                         loss=2%%,reorder=1%%,dup=1%%,delay=5ms,seed=42; keys: loss, dup,\n"
"                         reorder (percent), delay, jitter, reorder_hold (us/ms/s),\n"
"                         seed, limit (packets held, default 8192); off by default\n"
"  --nagle                keep Nagle's algorithm on (these applications turn it off)\n"
"  --no-wscale            do not offer window scaling (RFC 7323); windows stay <= 65535\n"
"  --no-timestamps        do not offer timestamps (RFC 7323: PAWS, RTT measurement)\n"
"  --no-sack              do not offer SACK (RFC 2018); loss recovery is NewReno\n"
"  --cc newreno|cubic     congestion control of every connection (default cubic, RFC 9438;\n"
"                         newreno: RFC 5681 with RFC 3465 byte counting)\n"
"  --delack-ms N          delayed-ACK timeout, 1..200 (default 40); 0 = ACK every segment\n"
"  --rto-min-ms N         RTO floor (default 200)\n"
"  --rto-max-ms N         RTO ceiling (default 60000)\n"
"  --keepalive IDLE[,INTVL[,CNT]]\n"
"                         keepalive after IDLE ms idle, probes every INTVL ms (75000),\n"
"                         abort after CNT unanswered (9); off by default\n"
"  --backlog N            half-open (SYN-RECEIVED) connections per listener, 1..1048576\n"
"                         (default 1024); SYNs beyond it, or while --max-conns is\n"
"                         reached, are answered with SYN cookies (RFC 4987)\n"
"  --synack-retries N     SYN-ACK retransmissions before a half-open connection is\n"
"                         dropped, 1..255 (default 3: 15 s)\n"
"  --neighbours N         neighbour (ARP) table entries, 8..1048576 (default 4096), one\n"
"                         table for all lcores; when full the least recently\n"
"                         confirmed entry is evicted\n"
"  --pmtu-expire SECONDS  a path MTU lowered by ICMP or black-hole detection is raised\n"
"                         again after SECONDS, 1..86400 (default 600, RFC 1191 6.3)\n"
"  --pmtu-min N           smallest path MTU believed, 104..%u (default 576: MSS 536);\n"
"                         ICMP next-hop MTUs below it are raised to it\n"
"  --pmtu-blackhole N     after N consecutive timeouts of a large segment lower the MSS\n"
"                         (to 1160, then the --pmtu-min one; 3N timeouts for the first\n"
"                         step once a full-size segment got through); 0 = off (default 2)\n",
		APP_MIN_MTU, APP_MAX_MTU, APP_MAX_MTU);
}

void
app_port_conf(const struct app_stack_opts *s, struct ptcp_port_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->port_id = PTCP_PORT_ANY;
	pc->mbufs_per_lcore = s->mbufs;
	pc->link_wait_ms = s->link_wait_s * 1000;
	pc->no_offload = s->no_offload;
	pc->pcap_path = s->pcap_path;
	pc->stats_period_s = s->stats_period_s;
	pc->impair = s->impair_on ? &s->impair : NULL;
	pc->stack.ip = s->ip;
	pc->stack.prefix_len = s->prefix_len;
	pc->stack.gateway = s->gateway;
	pc->stack.mtu = s->mtu;
	pc->stack.msl_ms = s->msl_ms;
	pc->stack.arp_entries = s->neighbours;
	pc->stack.fin_timeout_ms = s->fin_timeout_ms;
	pc->stack.rcv_buf = s->rcv_buf;
	pc->stack.snd_buf = s->snd_buf;
	/* Echo and its load generator are request/response: Nagle would hold replies. */
	pc->stack.nodelay = !s->nagle;
	pc->stack.no_wscale = s->no_wscale;
	pc->stack.no_timestamps = s->no_timestamps;
	pc->stack.no_sack = s->no_sack;
	pc->stack.quickack = s->quickack;
	pc->stack.delack_ms = s->delack_ms;
	pc->stack.cc = s->cc;
	pc->stack.rto_min_ms = s->rto_min_ms;
	pc->stack.rto_max_ms = s->rto_max_ms;
	pc->stack.keepalive_idle_ms = s->ka_idle_ms;
	pc->stack.keepalive_intvl_ms = s->ka_intvl_ms;
	pc->stack.keepalive_cnt = (uint8_t)s->ka_cnt;
	pc->stack.backlog = s->backlog;
	pc->stack.ip_count = s->ip_count;
	pc->queues = (uint16_t)s->queues;
	/* The SYN cache holds every listener's backlog (4 listeners' worth at least). */
	pc->stack.syncache_size = s->backlog > 1024 ? 4 * s->backlog : 0;
	pc->stack.synack_retries = (uint8_t)s->synack_retries;
	pc->stack.pmtu_expire_ms = s->pmtu_expire_s * 1000u;
	pc->stack.pmtu_min = (uint16_t)s->pmtu_min;
	if (s->pmtu_blackhole_set)
		pc->stack.pmtu_blackhole_rtos = s->pmtu_blackhole == 0 ? UINT8_MAX :
			(uint8_t)s->pmtu_blackhole;
}

int
app_parse_argv(int argc, char **argv, int (*parse)(int, char **, void *), void *args,
	       int *eal_argc)
{
	char help[] = "--help";
	char *only[3] = { argv[0], NULL, NULL };
	int n, i;

	/* EAL options, then "--", then ours (argv[n] is "--" or NULL). */
	for (n = 1; n < argc; n++)
		if (strcmp(argv[n], "--") == 0)
			break;
	*eal_argc = n;
	if (argc - n > 0) {
		char **app_argv = &argv[n];

		app_argv[0] = argv[0];      /* "--" stands in for argv[0] */
		return parse(argc - n, app_argv, args);
	}
	/* No "--": all EAL's, but still answer -h/--help with our usage. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			only[1] = help;
	return parse(only[1] != NULL ? 2 : 1, only, args);
}
