/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app_opts.h - option parsing shared by polltcp's applications (after "--").
 * Every error is one line on stderr, "<app_name>: error: ...", and the
 * parser returns -1.
 */
#ifndef PTCP_APP_OPTS_H
#define PTCP_APP_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>

#include "ptcp_impair.h"
#include "ptcp_port.h"

/** Program name prefixed to error lines; each application sets it first. */
extern const char *app_name;

/** Print "<app_name>: error: <message>" and return -1. */
int app_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Decimal unsigned in [min, max], the whole string. */
int app_parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *out);

/** A dotted-quad unicast address (network order). */
int app_parse_addr(const char *opt, const char *s, rte_be32_t *out);

/** --ip ADDR[/LEN] (LEN 24 if omitted); not the network or broadcast address. */
int app_parse_ip_prefix(const char *s, rte_be32_t *ip, uint8_t *prefix_len);

/** A gateway must be on our network and not our own address (s: as given). */
int app_check_gateway(rte_be32_t ip, uint8_t prefix_len, rte_be32_t gw, const char *s);

/* ---- Stack and port options every application takes ---------------------- */

/* Their values; zero means "stack / port default". */
struct app_stack_opts {
	rte_be32_t ip;                 /* --ip ADDR/LEN (required) */
	uint8_t prefix_len;
	bool have_ip;
	rte_be32_t gateway;            /* --gateway ADDR; 0 = none */
	const char *gateway_arg;       /* as given, for later checks */
	uint16_t mtu;                  /* --mtu N (1500) */
	uint32_t stats_period_s;       /* --stats-period SECONDS (0 = off) */
	const char *pcap_path;         /* --pcap FILE */
	uint32_t msl_ms;               /* --msl-ms N */
	uint32_t fin_timeout_ms;       /* --fin-timeout SECONDS|Nms; UINT32_MAX = never */
	uint32_t rcv_buf;              /* --rcv-buf BYTES */
	uint32_t snd_buf;              /* --snd-buf BYTES */
	uint32_t mbufs;                /* --mbufs N (per lcore) */
	uint32_t link_wait_s;          /* --link-wait SECONDS (5) */
	bool no_offload;               /* --no-offload */
	bool nagle;                    /* --nagle: keep Nagle on (the apps turn it off) */
	bool no_wscale;                /* --no-wscale: RFC 7323 window scale not offered */
	bool no_timestamps;            /* --no-timestamps: RFC 7323 timestamps not offered */
	bool no_sack;                  /* --no-sack: RFC 2018 SACK-permitted not offered */
	bool quickack;                 /* --delack-ms 0: ACK every segment */
	uint32_t delack_ms;            /* --delack-ms N */
	uint32_t rto_min_ms;           /* --rto-min-ms N */
	uint32_t rto_max_ms;           /* --rto-max-ms N */
	uint32_t ka_idle_ms;           /* --keepalive IDLE[,INTVL[,CNT]] (ms); 0 = off */
	uint32_t ka_intvl_ms;
	uint32_t ka_cnt;
	uint32_t backlog;              /* --backlog N: SYN-RECEIVED per listener */
	uint32_t ip_count;             /* --ip-count N: addresses from --ip on (1) */
	uint32_t queues;               /* --queues N: queue pairs (0: one per lcore) */
	uint32_t synack_retries;       /* --synack-retries N */
	uint32_t neighbours;           /* --neighbours N: neighbour table entries */
	uint32_t pmtu_expire_s;        /* --pmtu-expire SECONDS: path MTU raised again after */
	uint32_t pmtu_min;             /* --pmtu-min N: smallest path MTU believed */
	bool pmtu_blackhole_set;       /* --pmtu-blackhole N given (0 = off) */
	uint32_t pmtu_blackhole;
	const char *cc;                /* --cc NAME: congestion control (NULL: cubic) */
	bool impair_on;                /* --impair SPEC given */
	struct ptcp_impair_conf impair;
};

#define APP_MIN_MTU 68                 /* RFC 791 */
#define APP_MAX_MTU 9216

/* getopt_long values of the shared options (an application's own start at 256). */
enum {
	APP_OPT_IP = 512,
	APP_OPT_GATEWAY,
	APP_OPT_MTU,
	APP_OPT_STATS_PERIOD,
	APP_OPT_PCAP,
	APP_OPT_MSL_MS,
	APP_OPT_RCV_BUF,
	APP_OPT_SND_BUF,
	APP_OPT_MBUFS,
	APP_OPT_LINK_WAIT,
	APP_OPT_NO_OFFLOAD,
	APP_OPT_IMPAIR,
	APP_OPT_NAGLE,
	APP_OPT_NO_WSCALE,
	APP_OPT_NO_TIMESTAMPS,
	APP_OPT_NO_SACK,
	APP_OPT_DELACK_MS,
	APP_OPT_RTO_MIN_MS,
	APP_OPT_RTO_MAX_MS,
	APP_OPT_KEEPALIVE,
	APP_OPT_BACKLOG,
	APP_OPT_IP_COUNT,
	APP_OPT_QUEUES,
	APP_OPT_SYNACK_RETRIES,
	APP_OPT_FIN_TIMEOUT,
	APP_OPT_NEIGHBOURS,
	APP_OPT_PMTU_EXPIRE,
	APP_OPT_PMTU_MIN,
	APP_OPT_PMTU_BLACKHOLE,
	APP_OPT_CC,
};

/* Entries for an application's struct option table. */
#define APP_STACK_LONG_OPTS \
	{ "ip",           required_argument, NULL, APP_OPT_IP }, \
	{ "gateway",      required_argument, NULL, APP_OPT_GATEWAY }, \
	{ "mtu",          required_argument, NULL, APP_OPT_MTU }, \
	{ "stats-period", required_argument, NULL, APP_OPT_STATS_PERIOD }, \
	{ "pcap",         required_argument, NULL, APP_OPT_PCAP }, \
	{ "msl-ms",       required_argument, NULL, APP_OPT_MSL_MS }, \
	{ "rcv-buf",      required_argument, NULL, APP_OPT_RCV_BUF }, \
	{ "snd-buf",      required_argument, NULL, APP_OPT_SND_BUF }, \
	{ "mbufs",        required_argument, NULL, APP_OPT_MBUFS }, \
	{ "link-wait",    required_argument, NULL, APP_OPT_LINK_WAIT }, \
	{ "no-offload",   no_argument,       NULL, APP_OPT_NO_OFFLOAD }, \
	{ "impair",       required_argument, NULL, APP_OPT_IMPAIR }, \
	{ "nagle",        no_argument,       NULL, APP_OPT_NAGLE }, \
	{ "no-wscale",    no_argument,       NULL, APP_OPT_NO_WSCALE }, \
	{ "no-timestamps", no_argument,      NULL, APP_OPT_NO_TIMESTAMPS }, \
	{ "no-sack",      no_argument,       NULL, APP_OPT_NO_SACK }, \
	{ "delack-ms",    required_argument, NULL, APP_OPT_DELACK_MS }, \
	{ "rto-min-ms",   required_argument, NULL, APP_OPT_RTO_MIN_MS }, \
	{ "rto-max-ms",   required_argument, NULL, APP_OPT_RTO_MAX_MS }, \
	{ "keepalive",    required_argument, NULL, APP_OPT_KEEPALIVE }, \
	{ "backlog",      required_argument, NULL, APP_OPT_BACKLOG }, \
	{ "ip-count",     required_argument, NULL, APP_OPT_IP_COUNT }, \
	{ "queues",       required_argument, NULL, APP_OPT_QUEUES }, \
	{ "synack-retries", required_argument, NULL, APP_OPT_SYNACK_RETRIES }, \
	{ "fin-timeout",  required_argument, NULL, APP_OPT_FIN_TIMEOUT }, \
	{ "neighbours",   required_argument, NULL, APP_OPT_NEIGHBOURS }, \
	{ "pmtu-expire",  required_argument, NULL, APP_OPT_PMTU_EXPIRE }, \
	{ "pmtu-min",     required_argument, NULL, APP_OPT_PMTU_MIN }, \
	{ "pmtu-blackhole", required_argument, NULL, APP_OPT_PMTU_BLACKHOLE }, \
	{ "cc",           required_argument, NULL, APP_OPT_CC }

/** Handle one shared option: 0 taken, -1 error (printed), 1 not a shared option. */
int app_stack_option(int opt, const char *arg, struct app_stack_opts *s);
/** After parsing: --ip given, gateway on-link. 0 or -1 (printed). */
int app_stack_check(const struct app_stack_opts *s);
/** Help lines of the shared options. */
void app_stack_usage(FILE *f);
/** Port and stack configuration from the options (the rest of pc zeroed). */
void app_port_conf(const struct app_stack_opts *s, struct ptcp_port_conf *pc);

/**
 * Split "EAL options -- application options": parse the application's part
 * with parse(argc, argv, args) (argv[0] the program name). Without "--",
 * -h/--help anywhere still reaches parse. Returns parse's result.
 */
int app_parse_argv(int argc, char **argv, int (*parse)(int, char **, void *), void *args,
		   int *eal_argc);

#endif /* PTCP_APP_OPTS_H */
