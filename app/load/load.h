/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * load.h - polltcp-load: options (args.c), the test stream and the client
 * (main.c).
 */
#ifndef PTCP_LOAD_H
#define PTCP_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "app_opts.h"

#define LOAD_NAME "polltcp-load"

/*
 * --conns ceiling: 10 million held connections need many source addresses
 * (--ip-count): one address reaches one ADDR:PORT from at most the
 * ephemeral range, 49152..65535 on polltcp (LOAD_PORTS_PER_ADDR), the
 * kernel's ip_local_port_range (32768..60999 by default).
 */
#define LOAD_MAX_CONNS 10000000u
#define LOAD_PORTS_PER_ADDR 16384u
/* --rate ceiling (transactions per second, all connections together). */
#define LOAD_MAX_RATE 1000000000ull
/* --bytes ceiling per connection (1 TiB). */
#define LOAD_MAX_BYTES (1ull << 40)

/* --mode: verify is the one-shot run (main.c); the others run in modes.c. */
enum load_mode {
	LOAD_MODE_VERIFY,
	LOAD_MODE_RR,
	LOAD_MODE_STREAM,
	LOAD_MODE_CRR,
	LOAD_MODE_HOLD,
};

/* The application's options (after "--"); zero means "stack default". */
struct load_args {
	struct app_stack_opts s;       /* --ip, --gateway, --mtu, ... (app_opts.h); --mbufs 0 =
	                                * sized from --conns */
	rte_be32_t raddr;              /* --connect ADDR:PORT (required) */
	uint16_t rport;
	uint32_t conns;                /* --conns N (1) */
	uint64_t bytes;                /* --bytes N per connection (1 MiB) */
	uint64_t seed;                 /* --seed S (1) */
	uint32_t timeout_s;            /* --timeout SECONDS (30), from the first connect */
	uint32_t start_delay_ms;       /* --start-delay MS (0) */
	uint32_t max_conns;            /* --max-conns N: slots, and live connections at once */
	uint32_t wait_peer_ms;         /* --wait-peer-ms MS: keep the port until its link goes
	                                * down, at most this long (0: close at once) */
	/* modes rr|stream|crr|hold (modes.c) */
	enum load_mode mode;           /* --mode (verify) */
	bool kernel;                   /* --backend kernel (before "--" or first option) */
	uint32_t size;                 /* --size BYTES: request (rr, crr) (64) */
	uint32_t duration_s;           /* --duration SECONDS measured (rr/stream/crr) or held (5) */
	uint32_t warmup_s;             /* --warmup SECONDS before the measured time (1) */
	uint32_t pipeline;             /* --pipeline D: requests outstanding per connection (1) */
	uint64_t rate;                 /* --rate TX_PER_S: rr paced open loop (0: closed loop) */
	int verify;                    /* --verify 1 / --no-verify 0 / -1: mode default */
	const char *json;              /* --json FILE */
	uint32_t progress_s;           /* --progress SECONDS between progress lines (1; 0 = off) */
	uint32_t pending;              /* --pending P: handshakes in flight per worker (64) */
	uint32_t threads;              /* --threads N: kernel backend threads (1) */
	bool timeout_set;              /* --timeout given (modes: opening limit) */
};

static inline const char *
load_mode_name(enum load_mode m)
{
	static const char *const names[] = { "verify", "rr", "stream", "crr", "hold" };

	return names[m];
}

/** Run a mode other than verify on the chosen backend (modes.c); the exit status. */
int load_modes_main(struct load_args *a, int eal_argc, char **argv);

/**
 * dpdk backend, after the run: with ms > 0, print "waiting up to MS ms for
 * the peer to leave", wait for the port's link to go down (at most ms, or
 * until *cancel), print how it ended (backend_dpdk.c).
 */
void load_wait_peer(uint32_t ms, const volatile int *cancel);

/**
 * Parse the application's argv (argv[0] is the program name) into a struct
 * load_args. Returns 0, 1 after printing the usage for -h/--help, or -1
 * after printing one error line to stderr.
 */
int load_args_parse(int argc, char **argv, void *args);

#include "stream.h"

#endif /* PTCP_LOAD_H */
