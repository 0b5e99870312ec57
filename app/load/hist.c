/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hist.c - the latency histogram (hist.h): bucket bounds, merge, percentiles.
 */
#include <math.h>
#include <string.h>

#include "hist.h"

void
load_hist_reset(struct load_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void
load_hist_bucket(uint32_t i, uint64_t *lo, uint64_t *width)
{
	uint32_t k, sub;

	if (i < 2 * LOAD_HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	k = (i - 2 * LOAD_HIST_SUB) / LOAD_HIST_SUB + LOAD_HIST_SUB_BITS + 1;
	sub = (i - 2 * LOAD_HIST_SUB) % LOAD_HIST_SUB + LOAD_HIST_SUB;
	*width = 1ull << (k - LOAD_HIST_SUB_BITS);
	*lo = (uint64_t)sub * *width;
}

void
load_hist_merge(struct load_hist *dst, const struct load_hist *src)
{
	uint32_t i;

	if (src->count == 0)
		return;
	for (i = 0; i < LOAD_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	dst->over += src->over;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
load_hist_percentile(const struct load_hist *h, double p)
{
	uint64_t rank, seen = 0, lo, width, v;
	uint32_t i;

	if (h->count == 0)
		return 0;
	if (p >= 100.0)
		return h->max;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < LOAD_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	if (i >= LOAD_HIST_BUCKETS - 1 && h->over > 0)
		return h->max;                 /* beyond the range: the largest seen */
	load_hist_bucket(i, &lo, &width);
	v = lo + width / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}
