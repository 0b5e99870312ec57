/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_impair.h - a seeded network impairment stage for the port I/O path:
 * loss, duplication, reordering, fixed delay and jitter, like a small
 * netem, for tests that need what the kernel here cannot inject.
 *
 * Self-contained (no rte_eth_*): the port layer puts one impairer per
 * direction per lcore between the wire and the stack, and unit tests drive
 * one with crafted mbufs and a synthetic clock.
 *
 *   ptcp_impair_parse("loss=2%,dup=1%,delay=5ms,seed=42", &conf, err, sizeof(err));
 *   conf.seed = ptcp_impair_stream_seed(conf.seed, lcore, PTCP_IMPAIR_RX);
 *   imp = ptcp_impair_create(&conf, pool, socket);
 *   loop:
 *     n = ptcp_impair_burst(imp, pkts, n, out, max, now_us, ctr);  consumes pkts[]
 *     or, with nothing new, n = ptcp_impair_poll(imp, out, max, now_us);
 *     ... hand out[0..n) on (owned by the caller now)
 *   ptcp_impair_free(imp);                                          frees what it holds
 *
 * Per packet, in this order, decided by five draws of the impairer's own
 * PRNG (xoshiro256** seeded by splitmix64 from conf.seed), made whatever
 * the outcome: the fate of the i-th packet depends on the seed and i only,
 * and one knob does not shift the decisions of another:
 *
 *   loss     drop it (freed; IMPAIR_DROP)
 *   dup      also send a copy (rte_pktmbuf_copy from the clone pool;
 *            IMPAIR_DUP) that follows the original through delay/jitter
 *   reorder  hold it back until a later packet has been released, or at
 *            most reorder_hold_us after its normal time (IMPAIR_REORDER)
 *   delay    everything else is released at arrival + delay_us
 *            (+ a uniform 0..jitter_us, drawn per packet; jitter reorders
 *            too); held packets count IMPAIR_DELAY
 *
 * Held packets live in arrays sized at create (conf.limit packets in all);
 * a packet that finds them full is dropped (IMPAIR_OVERFLOW). Equal release
 * times keep arrival order. Deterministic: the same conf (seed included),
 * the same input sequence and the same clock values give the same output.
 */
#ifndef PTCP_IMPAIR_H
#define PTCP_IMPAIR_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/** Rates are in parts per million: 1% = 10000. */
#define PTCP_IMPAIR_PPM               1000000u
/** Packets held (delayed + reordered) at most, by default. */
#define PTCP_IMPAIR_DEFAULT_LIMIT     8192u
#define PTCP_IMPAIR_MAX_LIMIT         (1u << 20)
/** A reordered packet waits at most this long for a later one to pass it. */
#define PTCP_IMPAIR_DEFAULT_HOLD_US   3000u
/** Upper bound of delay, jitter and reorder_hold (60 s). */
#define PTCP_IMPAIR_MAX_US            60000000u
/** Seed when the spec names none: runs are reproducible by default. */
#define PTCP_IMPAIR_DEFAULT_SEED      1u

/** Directions, for ptcp_impair_stream_seed(). */
#define PTCP_IMPAIR_RX 0u
#define PTCP_IMPAIR_TX 1u

struct ptcp_impair_conf {
	uint32_t loss_ppm;             /* drop probability */
	uint32_t dup_ppm;              /* duplicate probability */
	uint32_t reorder_ppm;          /* hold-back probability */
	uint32_t delay_us;             /* fixed extra one-way delay */
	uint32_t jitter_us;            /* plus uniform 0..jitter_us per packet */
	uint32_t reorder_hold_us;      /* longest hold-back (0 = PTCP_IMPAIR_DEFAULT_HOLD_US) */
	uint32_t limit;                /* packets held at most (0 = PTCP_IMPAIR_DEFAULT_LIMIT) */
	uint64_t seed;
};

/** What one impairer did since create (the per-instance view of the IMPAIR_* counters). */
struct ptcp_impair_stats {
	uint64_t in;                   /* packets given to ptcp_impair_burst */
	uint64_t out;                  /* packets released (copies included) */
	uint64_t drop;                 /* IMPAIR_DROP */
	uint64_t drop_bytes;           /* frame bytes (pkt_len) of the packets dropped */
	uint64_t dup;                  /* IMPAIR_DUP */
	uint64_t reorder;              /* IMPAIR_REORDER */
	uint64_t delay;                /* IMPAIR_DELAY */
	uint64_t overflow;             /* IMPAIR_OVERFLOW */
	uint64_t clone_fail;           /* copies the clone pool could not give (also POOL_EMPTY) */
	uint32_t held;                 /* packets held right now */
};

struct ptcp_impair;

/**
 * Parse "key=value[,key=value...]" into *out (every field set; fields not
 * named take their defaults, the seed PTCP_IMPAIR_DEFAULT_SEED). Keys:
 *
 *   loss=P dup=P reorder=P   percentages with up to 4 decimals ("2%", "0.5%"), <= 100%
 *   delay=D jitter=D         durations with a unit: us, ms or s ("5ms", "1.5ms", "200us")
 *   reorder_hold=D           1us..60s (default 3ms)
 *   seed=N                   64-bit, decimal or 0x hex
 *   limit=N                  packets held at most, 1..1048576 (default 8192)
 *
 * Returns 0, or -EINVAL with one line (no newline) in err: unknown or
 * repeated key, missing '=', bad number, missing unit or '%', out of range.
 */
int ptcp_impair_parse(const char *spec, struct ptcp_impair_conf *out, char *err, size_t errlen);

/**
 * Describe conf in one line without newline, e.g.
 * "loss 2% reorder 1% dup 1% delay 5000us seed 42" (jitter, reorder_hold
 * and limit follow when not at their defaults). Returns snprintf's value.
 */
int ptcp_impair_format(const struct ptcp_impair_conf *conf, char *buf, size_t len);

/**
 * The seed of one stream (direction dir of lcore) derived from a base
 * seed: each impairer gets its own deterministic sequence.
 */
uint64_t ptcp_impair_stream_seed(uint64_t seed, unsigned int lcore, unsigned int dir);

/**
 * Create an impairer. Copies of duplicated packets come from clone_pool;
 * the held-packet arrays are allocated here on socket (SOCKET_ID_ANY ok),
 * nothing is allocated per packet. NULL on error with rte_errno set
 * (EINVAL: bad conf or no clone_pool; ENOMEM).
 */
struct ptcp_impair *ptcp_impair_create(const struct ptcp_impair_conf *conf,
				       struct rte_mempool *clone_pool, int socket);

/** Free every held mbuf, then the impairer. NULL is a no-op. */
void ptcp_impair_free(struct ptcp_impair *imp);

/**
 * Impair a burst at time now_us. Takes ownership of all n packets (each is
 * dropped, held, or released). Fills out[] with at most out_max packets
 * due at now_us, in release order: held packets whose time came first,
 * then the new ones that pass at once; the caller owns them. What does
 * not fit in out[] stays held and comes out on a later call.
 *
 * ctr, when not NULL, is a stack's counter array (enum ptcp_ctr): the
 * IMPAIR_* counters and POOL_EMPTY (failed copy) are added to it.
 * Returns the number of packets in out[].
 */
uint16_t ptcp_impair_burst(struct ptcp_impair *imp, struct rte_mbuf **pkts, uint16_t n,
			   struct rte_mbuf **out, uint16_t out_max, uint64_t now_us,
			   uint64_t *ctr);

/** Release held packets due at now_us into out[] (at most out_max); returns how many. */
uint16_t ptcp_impair_poll(struct ptcp_impair *imp, struct rte_mbuf **out, uint16_t out_max,
			  uint64_t now_us);

/** Copy the impairer's statistics into *st. */
void ptcp_impair_stats_get(const struct ptcp_impair *imp, struct ptcp_impair_stats *st);

#endif /* PTCP_IMPAIR_H */
