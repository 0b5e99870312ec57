/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hist.h - a latency histogram in the style of HdrHistogram: log-linear
 * buckets, fixed memory (struct load_hist, ~16 KiB), no allocation and a
 * few instructions per sample, mergeable (one per lcore, summed at the end).
 *
 * Values are nanoseconds. 0..127 ns have one bucket each; above, every
 * power of two [2^k, 2^(k+1)) is cut into 64 equal sub-buckets, so a
 * bucket is at most 1/64 (1.6 %) of its values wide. Values from 2^36 ns
 * (68.7 s) on are counted in the last bucket (and in `over`).
 */
#ifndef PTCP_LOAD_HIST_H
#define PTCP_LOAD_HIST_H

#include <stdint.h>

#define LOAD_HIST_SUB_BITS   6                            /* 64 sub-buckets */
#define LOAD_HIST_SUB        (1u << LOAD_HIST_SUB_BITS)
#define LOAD_HIST_MAX_BITS   36                           /* values < 2^36 ns */
#define LOAD_HIST_BUCKETS \
	(2 * LOAD_HIST_SUB + (LOAD_HIST_MAX_BITS - LOAD_HIST_SUB_BITS - 1) * LOAD_HIST_SUB)

struct load_hist {
	uint64_t count;
	uint64_t sum;                  /* of the recorded values (ns) */
	uint64_t min;                  /* UINT64_MAX while empty */
	uint64_t max;
	uint64_t over;                 /* values >= 2^36 ns */
	uint64_t b[LOAD_HIST_BUCKETS];
};

/** Empty h. */
void load_hist_reset(struct load_hist *h);

/** Bucket of value v (ns). */
static inline uint32_t
load_hist_index(uint64_t v)
{
	uint32_t k, shift;

	if (v < 2 * LOAD_HIST_SUB)
		return (uint32_t)v;
	if (v >= (1ull << LOAD_HIST_MAX_BITS))
		return LOAD_HIST_BUCKETS - 1;
	k = 63u - (uint32_t)__builtin_clzll(v);          /* 2^k <= v < 2^(k+1), k >= 7 */
	shift = k - LOAD_HIST_SUB_BITS;
	return 2 * LOAD_HIST_SUB + (k - LOAD_HIST_SUB_BITS - 1) * LOAD_HIST_SUB +
	       (uint32_t)(v >> shift) - LOAD_HIST_SUB;
}

/** Record one value (ns). */
static inline void
load_hist_record(struct load_hist *h, uint64_t v)
{
	h->b[load_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (v >= (1ull << LOAD_HIST_MAX_BITS))
		h->over++;
}

/** Lowest value of bucket i, and its width. */
void load_hist_bucket(uint32_t i, uint64_t *lo, uint64_t *width);

/** dst += src. */
void load_hist_merge(struct load_hist *dst, const struct load_hist *src);

/**
 * The p-th percentile (0 < p <= 100) in ns: the middle of the bucket that
 * holds the sample of rank ceil(p/100 * count), clamped to [min, max]; so
 * within half a bucket (0.8 %) of the exact value. 0 if h is empty.
 */
uint64_t load_hist_percentile(const struct load_hist *h, double p);

#endif /* PTCP_LOAD_HIST_H */
