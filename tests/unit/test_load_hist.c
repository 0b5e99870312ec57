/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_load_hist.c - polltcp-load's latency histogram (app/load/hist.c) and
 * its result line (app/load/result.c): percentiles against an exact
 * computation on sorted samples, merging, bucket bounds, the line's format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hist.h"
#include "result.h"
#include "stream.h"

static uint64_t rng = 0x1234567887654321ull;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact p-th percentile: the sample of rank ceil(p/100 * n). */
static uint64_t
exact_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)((p / 100.0) * (double)n);

	if ((double)rank < p / 100.0 * (double)n)
		rank++;
	if (rank == 0)
		rank = 1;
	return sorted[rank - 1];
}

static void
assert_close(uint64_t got, uint64_t want)
{
	/* Half a bucket: 1/128 of the value, at least exact below 128 ns. */
	uint64_t tol = want / 128 + 1;

	if (got + tol < want || got > want + tol)
		fail_msg("percentile %llu, exact %llu (tolerance %llu)",
			 (unsigned long long)got, (unsigned long long)want,
			 (unsigned long long)tol);
}

/* Ensure that percentiles of random log-uniform samples are within half a bucket of exact. */
static void
test_percentiles_match_sorted_samples(void **state)
{
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	enum { N = 200000 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct load_hist *h = malloc(sizeof(*h));
	size_t i, j;
	int round;

	(void)state;
	assert_non_null(v);
	assert_non_null(h);
	for (round = 0; round < 4; round++) {
		load_hist_reset(h);
		for (i = 0; i < N; i++) {
			/* 1 ns .. 2^35 ns, spread over every power of two. */
			uint32_t bits = (uint32_t)(next_rand() % 36);

			v[i] = (next_rand() & ((1ull << bits) - 1)) | (1ull << bits);
			if (round == 1)
				v[i] = 1000 + next_rand() % 50000;   /* 1..51 us, one region */
			load_hist_record(h, v[i]);
		}
		qsort(v, N, sizeof(*v), cmp_u64);
		assert_int_equal(h->count, N);
		assert_int_equal(h->min, v[0]);
		assert_int_equal(h->max, v[N - 1]);
		for (j = 0; j < sizeof(ps) / sizeof(ps[0]); j++)
			assert_close(load_hist_percentile(h, ps[j]), exact_percentile(v, N, ps[j]));
	}
	free(v);
	free(h);
}

/* Ensure that every value falls in the bucket whose bounds contain it, and buckets tile. */
static void
test_bucket_bounds(void **state)
{
	uint64_t lo, w, prev_end = 0;
	uint32_t i;

	(void)state;
	for (i = 0; i < LOAD_HIST_BUCKETS; i++) {
		load_hist_bucket(i, &lo, &w);
		assert_int_equal(lo, prev_end);                 /* no gap, no overlap */
		assert_int_equal(load_hist_index(lo), i);
		assert_int_equal(load_hist_index(lo + w - 1), i);
		if (lo >= 2 * LOAD_HIST_SUB)
			assert_true(w * LOAD_HIST_SUB <= lo);   /* <= 1/64 of its values */
		prev_end = lo + w;
	}
	assert_int_equal(prev_end, 1ull << LOAD_HIST_MAX_BITS);
	/* Beyond the range: the last bucket, and counted as over. */
	assert_int_equal(load_hist_index(UINT64_MAX), LOAD_HIST_BUCKETS - 1);
}

/* Ensure that an empty histogram reports 0 and out-of-range values are kept as max. */
static void
test_empty_and_overflow(void **state)
{
	struct load_hist *h = malloc(sizeof(*h));

	(void)state;
	load_hist_reset(h);
	assert_int_equal(load_hist_percentile(h, 50), 0);
	assert_int_equal(load_hist_percentile(h, 100), 0);
	load_hist_record(h, 0);
	assert_int_equal(load_hist_percentile(h, 50), 0);
	load_hist_record(h, 1ull << 40);
	assert_int_equal(h->over, 1);
	assert_int_equal(load_hist_percentile(h, 100), 1ull << 40);
	assert_int_equal(load_hist_percentile(h, 99), 1ull << 40);   /* clamped to max */
	free(h);
}

/* Ensure that merging per-lcore histograms equals recording everything in one. */
static void
test_merge_equals_single(void **state)
{
	struct load_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct load_hist *all = malloc(sizeof(*all)), *m = malloc(sizeof(*m));
	uint64_t v;
	int i;

	(void)state;
	load_hist_reset(a);
	load_hist_reset(b);
	load_hist_reset(all);
	load_hist_reset(m);
	for (i = 0; i < 50000; i++) {
		v = next_rand() % 10000000;
		load_hist_record(i % 3 == 0 ? a : b, v);
		load_hist_record(all, v);
	}
	load_hist_merge(m, a);
	load_hist_merge(m, b);
	assert_memory_equal(m, all, sizeof(*m));
	load_hist_reset(a);
	load_hist_merge(m, a);
	assert_memory_equal(m, all, sizeof(*m));          /* an empty one changes nothing */
	free(a);
	free(b);
	free(all);
	free(m);
}

/* Ensure that the result line has the documented fields, in order, zeros where unused. */
static void
test_result_line(void **state)
{
	struct load_result r = {
		.mode = "rr", .conns = 64, .tx_per_s = 123456.7, .gbit_per_s = 0.25,
		.conn_per_s = 0, .p50_ns = 12345, .p99_ns = 67890, .p999_ns = 1000000,
		.errors = 0,
	};
	char buf[512];

	(void)state;
	load_result_line(&r, buf, sizeof(buf));
	assert_string_equal(buf, "result: mode rr conns 64 tx/s 123457 gbit/s 0.250 conn/s 0 "
			    "p50_us 12.3 p99_us 67.9 p999_us 1000.0 errors 0");
	r.mode = "hold";
	r.hold = true;
	r.conns_held = 1000000;
	r.mem_per_conn = 2345;
	r.errors = 3;
	r.tx_per_s = 0;
	r.gbit_per_s = 0;
	r.p50_ns = r.p99_ns = r.p999_ns = 0;
	load_result_line(&r, buf, sizeof(buf));
	assert_string_equal(buf, "result: mode hold conns 64 tx/s 0 gbit/s 0.000 conn/s 0 "
			    "p50_us 0.0 p99_us 0.0 p999_us 0.0 errors 3 conns_held 1000000 "
			    "mem_per_conn_bytes 2345");
}

/* The stream's byte i by its definition in stream.h, one byte at a time. */
static uint8_t
stream_byte(uint64_t key, uint64_t i)
{
	uint64_t w = load_mix64(key + (i / 8 + 1) * LOAD_GOLDEN);

	return (uint8_t)(w >> (8 * (i % 8)));
}

static void
test_stream_fill_any_offset_and_length_matches_definition(void **state)
{
	/*
	 * Ensure that load_stream_fill gives, from any offset and for any length (partial
	 * first and last words, whole words between), exactly the bytes the stream's
	 * definition gives (little-endian splitmix64 words), and touches nothing beyond.
	 */
	static uint8_t buf[4096 + 8];
	uint64_t key = load_stream_key(42, 7);

	(void)state;
	srand(8);
	for (int t = 0; t < 2000; t++) {
		uint64_t off = t < 64 ? (uint64_t)t : (uint64_t)rand() * 977u;
		uint32_t len = (uint32_t)rand() % 4096;

		memset(buf, 0xa5, sizeof(buf));
		load_stream_fill(key, off, buf, len);
		for (uint32_t i = 0; i < len; i++)
			assert_int_equal(buf[i], stream_byte(key, off + i));
		for (uint32_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xa5);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_match_sorted_samples),
		cmocka_unit_test(test_stream_fill_any_offset_and_length_matches_definition),
		cmocka_unit_test(test_bucket_bounds),
		cmocka_unit_test(test_empty_and_overflow),
		cmocka_unit_test(test_merge_equals_single),
		cmocka_unit_test(test_result_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
