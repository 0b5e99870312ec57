/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_common.h - shared pieces of the stack fuzz harnesses (fuzz_rx,
 * fuzz_conn): a byte reader over the fuzz input, a deterministic test stack
 * built with the unit-test harness (tests/unit/harness.c), checks of every
 * frame the stack transmits, and the per-connection invariants.
 *
 * A broken invariant calls fuzz_fail(), which prints the reason and aborts,
 * so libFuzzer records the input as a crash. The unit harness's cmocka
 * assertions abort too (CMOCKA_TEST_ABORT=1, set in fuzz_init()).
 */
#ifndef PTCP_FUZZ_COMMON_H
#define PTCP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "tcp_private.h"

/** Sequential reader over the fuzz input; reads past the end return 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline int
fuzz_more(const struct fuzz_in *in)
{
	return in->off < in->len;
}

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	return in->off < in->len ? in->p[in->off++] : 0;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)((hi << 8) | fuzz_u8(in));
}

static inline uint32_t
fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);

	return (hi << 16) | fuzz_u16(in);
}

/** Up to n bytes of input (fewer at its end); *got says how many. */
const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t n, size_t *got);

/** Print the reason and abort (libFuzzer saves the input as a crash). */
void fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define FUZZ_CHECK(cond, ...) do { if (!(cond)) fuzz_fail(__VA_ARGS__); } while (0)

/** Once per process: EAL (--no-huge), cmocka assertions abort. */
void fuzz_init(void);

/**
 * A fresh test stack, deterministic: fixed ISN key and rte_rand seed, the
 * harness clock at 1 s. Small timer values keep teardown timelines short.
 */
struct ptest_ctx *fuzz_stack_new(void);

/**
 * Pop and check every captured frame: each must be a well-formed Ethernet
 * frame from our MAC carrying ARP, or IPv4 from our address with a correct
 * header checksum and, for ICMP and TCP, a correct checksum. Frees them.
 */
void fuzz_check_sent(struct ptest_ctx *t);

/** The live connection on pc's 4-tuple, or NULL (never a reaped one). */
struct ptcp_conn *fuzz_conn_lookup(struct ptest_conn *pc);

/**
 * Invariants of one connection: snd_una <= snd_nxt <= snd_max, queue byte
 * counts equal their chains' lengths, out-of-order blocks sorted, inside
 * the window and counted.
 */
void fuzz_check_conn(const struct ptcp_conn *c);

/** fuzz_check_conn on every connection in the table; checks nconns. */
void fuzz_check_all(struct ptest_ctx *t);

/**
 * Teardown: ptcp_stack_close_all(), then a cooperative peer acknowledges
 * everything and sends its FIN on every remaining connection, with time
 * passing, until none is left. Fails if connections remain, then frees the
 * stack (ptest_free asserts every mbuf went back to the pool).
 */
void fuzz_teardown(struct ptest_ctx *t);

#endif /* PTCP_FUZZ_COMMON_H */
