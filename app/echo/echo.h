/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo.h - polltcp-echo: options (args.c) and the server (main.c).
 */
#ifndef PTCP_ECHO_H
#define PTCP_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "ptcp_impair.h"

#define ECHO_NAME "polltcp-echo"

/* The application's options (after "--"); zero means "stack default". */
struct echo_args {
	rte_be32_t ip;                 /* --ip ADDR/LEN (required) */
	uint8_t prefix_len;
	rte_be32_t gateway;            /* --gateway ADDR; 0 = none */
	uint16_t port;                 /* --port N (7) */
	uint16_t mtu;                  /* --mtu N (1500) */
	uint32_t stats_period_s;       /* --stats-period SECONDS (0 = off) */
	uint32_t max_conns;            /* --max-conns N */
	const char *pcap_path;         /* --pcap FILE */
	uint32_t msl_ms;               /* --msl-ms N */
	uint32_t rcv_buf;              /* --rcv-buf BYTES */
	uint32_t snd_buf;              /* --snd-buf BYTES */
	uint32_t mbufs;                /* --mbufs N (per lcore) */
	uint32_t link_wait_s;          /* --link-wait SECONDS (5) */
	bool no_offload;               /* --no-offload */
	bool nagle;                    /* --nagle: keep Nagle on (echo turns it off) */
	bool quickack;                 /* --delack-ms 0: ACK every segment */
	uint32_t delack_ms;            /* --delack-ms N */
	uint32_t rto_min_ms;           /* --rto-min-ms N */
	uint32_t rto_max_ms;           /* --rto-max-ms N */
	uint32_t ka_idle_ms;           /* --keepalive IDLE[,INTVL[,CNT]] (ms); 0 = off */
	uint32_t ka_intvl_ms;
	uint32_t ka_cnt;
	bool impair_on;                /* --impair SPEC given */
	struct ptcp_impair_conf impair;
};

/**
 * Parse the application's argv (argv[0] is the program name). Returns 0,
 * 1 after printing the usage for -h/--help, or -1 after printing one error
 * line to stderr.
 */
int echo_args_parse(int argc, char **argv, struct echo_args *a);

#endif /* PTCP_ECHO_H */
