/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_seq.c - sequence number arithmetic modulo 2^32 (RFC 9293 3.4,
 * RFC 1982 serial number arithmetic): lt/le/gt/ge/max/min/in around 0,
 * around 2^31 (the comparison horizon) and across the 2^32 wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tcp_seq.h"

/* ---- lt / le / gt / ge ----------------------------------------------------- */

static void
test_rfc9293_3_4_compare_small_values(void **state)
{
	/* Ensure that ordinary small numbers compare as integers do. */
	(void)state;
	assert_true(ptcp_seq_lt(0, 1));
	assert_true(ptcp_seq_le(0, 1));
	assert_false(ptcp_seq_gt(0, 1));
	assert_false(ptcp_seq_ge(0, 1));
	assert_true(ptcp_seq_gt(1000, 999));
	assert_true(ptcp_seq_ge(1000, 999));
	assert_false(ptcp_seq_lt(1000, 999));
	assert_false(ptcp_seq_le(1000, 999));
}

static void
test_rfc9293_3_4_compare_equal(void **state)
{
	/* Ensure that a number is le and ge itself, never lt or gt, at 0, 2^31 and 2^32-1. */
	static const uint32_t v[] = { 0, 1, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu };

	(void)state;
	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_true(ptcp_seq_le(v[i], v[i]));
		assert_true(ptcp_seq_ge(v[i], v[i]));
		assert_false(ptcp_seq_lt(v[i], v[i]));
		assert_false(ptcp_seq_gt(v[i], v[i]));
	}
}

static void
test_rfc9293_3_4_compare_across_wrap(void **state)
{
	/* Ensure that 2^32-1 is before 0 and 0xFFFFFFF0 before 0x10 (the wrap is invisible). */
	(void)state;
	assert_true(ptcp_seq_lt(0xFFFFFFFFu, 0));
	assert_true(ptcp_seq_le(0xFFFFFFFFu, 0));
	assert_true(ptcp_seq_gt(0, 0xFFFFFFFFu));
	assert_true(ptcp_seq_ge(0, 0xFFFFFFFFu));
	assert_false(ptcp_seq_gt(0xFFFFFFFFu, 0));
	assert_false(ptcp_seq_lt(0, 0xFFFFFFFFu));
	assert_true(ptcp_seq_lt(0xFFFFFFF0u, 0x10));
	assert_true(ptcp_seq_gt(0x10, 0xFFFFFFF0u));
	assert_false(ptcp_seq_ge(0xFFFFFFF0u, 0x10));
}

static void
test_rfc1982_compare_horizon_2_31(void **state)
{
	/*
	 * Ensure that the comparison holds for distances up to 2^31 - 1 and
	 * flips past it: a is before a + 2^31 - 1, but after a + 2^31 + 1.
	 */
	static const uint32_t base[] = { 0, 1, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFF0u };

	(void)state;
	for (unsigned int i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		uint32_t a = base[i];

		assert_true(ptcp_seq_lt(a, a + 0x7FFFFFFFu));
		assert_true(ptcp_seq_gt(a + 0x7FFFFFFFu, a));
		assert_true(ptcp_seq_gt(a, a + 0x80000001u));
		assert_true(ptcp_seq_lt(a + 0x80000001u, a));
	}
	/* Around 2^31 itself: 0x7FFFFFFF < 0x80000000 < 0x80000001. */
	assert_true(ptcp_seq_lt(0x7FFFFFFFu, 0x80000000u));
	assert_true(ptcp_seq_lt(0x80000000u, 0x80000001u));
	assert_true(ptcp_seq_gt(0x80000000u, 0x7FFFFFFFu));
	assert_true(ptcp_seq_le(0x7FFFFFFFu, 0x80000000u));
	assert_true(ptcp_seq_ge(0x80000001u, 0x80000000u));
}

static void
test_rfc9293_3_4_compare_antisymmetric(void **state)
{
	/*
	 * Ensure that for every pair closer than 2^31 exactly one of lt, eq, gt holds and lt(a,b)
	 * == gt(b,a).
	 */
	static const uint32_t v[] = { 0, 1, 2, 0x7FFFFFFEu, 0x7FFFFFFFu, 0x80000000u,
				      0x80000001u, 0xFFFFFFFEu, 0xFFFFFFFFu, 0xFFFFFFF0u };

	(void)state;
	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (unsigned int j = 0; j < sizeof(v) / sizeof(v[0]); j++) {
			uint32_t a = v[i], b = v[j];

			if (a - b == 0x80000000u)
				continue;   /* exactly 2^31 apart: undefined in RFC 1982 */
			assert_int_equal(ptcp_seq_lt(a, b), ptcp_seq_gt(b, a));
			assert_int_equal(ptcp_seq_le(a, b), ptcp_seq_ge(b, a));
			assert_int_equal(ptcp_seq_lt(a, b) + ptcp_seq_gt(a, b) + (a == b), 1);
			assert_int_equal(ptcp_seq_le(a, b), ptcp_seq_lt(a, b) || a == b);
		}
	}
}

/* ---- max / min ------------------------------------------------------------- */

static void
test_rfc9293_3_4_max_min_across_wrap(void **state)
{
	/* Ensure that max/min pick the later/earlier number in sequence space, not as integers. */
	(void)state;
	assert_int_equal(ptcp_seq_max(0xFFFFFFF0u, 0x10), 0x10);
	assert_int_equal(ptcp_seq_min(0xFFFFFFF0u, 0x10), 0xFFFFFFF0u);
	assert_int_equal(ptcp_seq_max(0x10, 0xFFFFFFF0u), 0x10);
	assert_int_equal(ptcp_seq_min(0x10, 0xFFFFFFF0u), 0xFFFFFFF0u);
	assert_int_equal(ptcp_seq_max(5, 7), 7);
	assert_int_equal(ptcp_seq_min(5, 7), 5);
	assert_int_equal(ptcp_seq_max(0x7FFFFFFFu, 0x80000000u), 0x80000000u);
	assert_int_equal(ptcp_seq_min(0x7FFFFFFFu, 0x80000000u), 0x7FFFFFFFu);
	assert_int_equal(ptcp_seq_max(42, 42), 42);
}

/* ---- in [lo, hi) ------------------------------------------------------------ */

static void
test_rfc9293_3_4_in_window_edges(void **state)
{
	/* Ensure that in() includes the left edge and excludes the right edge (lo <= x < hi). */
	(void)state;
	assert_true(ptcp_seq_in(100, 100, 200));
	assert_true(ptcp_seq_in(199, 100, 200));
	assert_false(ptcp_seq_in(99, 100, 200));
	assert_false(ptcp_seq_in(200, 100, 200));
}

static void
test_rfc9293_3_4_in_window_across_wrap(void **state)
{
	/* Ensure that a window [2^32-16, 16) holds 2^32-16, 2^32-1, 0, 15 and not 16 or 2^32-17. */
	const uint32_t lo = 0xFFFFFFF0u, hi = 0x10;

	(void)state;
	assert_true(ptcp_seq_in(lo, lo, hi));
	assert_true(ptcp_seq_in(0xFFFFFFFFu, lo, hi));
	assert_true(ptcp_seq_in(0, lo, hi));
	assert_true(ptcp_seq_in(0xF, lo, hi));
	assert_false(ptcp_seq_in(hi, lo, hi));
	assert_false(ptcp_seq_in(lo - 1, lo, hi));
	assert_false(ptcp_seq_in(0x80000000u, lo, hi));
}

static void
test_rfc9293_3_4_in_empty_window(void **state)
{
	/* Ensure that an empty window [x, x) holds nothing, not even x. */
	(void)state;
	assert_false(ptcp_seq_in(0, 0, 0));
	assert_false(ptcp_seq_in(0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu));
	assert_false(ptcp_seq_in(1, 0, 0));
}

static void
test_rfc9293_3_4_in_window_around_2_31(void **state)
{
	/* Ensure that a window straddling 2^31 works: [2^31-8, 2^31+8). */
	const uint32_t lo = 0x7FFFFFF8u, hi = 0x80000008u;

	(void)state;
	assert_true(ptcp_seq_in(0x7FFFFFFFu, lo, hi));
	assert_true(ptcp_seq_in(0x80000000u, lo, hi));
	assert_true(ptcp_seq_in(0x80000007u, lo, hi));
	assert_false(ptcp_seq_in(0x80000008u, lo, hi));
	assert_false(ptcp_seq_in(0x7FFFFFF7u, lo, hi));
}

static void
test_rfc9293_3_4_in_max_window_65535(void **state)
{
	/*
	 * Ensure that the largest unscaled receive window, 65535 bytes, is handled across the wrap.
	 */
	const uint32_t lo = 0xFFFFFFF1u, hi = lo + 65535u;

	(void)state;
	assert_true(ptcp_seq_in(lo + 65534u, lo, hi));
	assert_false(ptcp_seq_in(lo + 65535u, lo, hi));
	assert_false(ptcp_seq_in(lo - 1, lo, hi));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9293_3_4_compare_small_values),
		cmocka_unit_test(test_rfc9293_3_4_compare_equal),
		cmocka_unit_test(test_rfc9293_3_4_compare_across_wrap),
		cmocka_unit_test(test_rfc1982_compare_horizon_2_31),
		cmocka_unit_test(test_rfc9293_3_4_compare_antisymmetric),
		cmocka_unit_test(test_rfc9293_3_4_max_min_across_wrap),
		cmocka_unit_test(test_rfc9293_3_4_in_window_edges),
		cmocka_unit_test(test_rfc9293_3_4_in_window_across_wrap),
		cmocka_unit_test(test_rfc9293_3_4_in_empty_window),
		cmocka_unit_test(test_rfc9293_3_4_in_window_around_2_31),
		cmocka_unit_test(test_rfc9293_3_4_in_max_window_65535),
	};

	return cmocka_run_group_tests_name("tcp_seq", tests, NULL, NULL);
}
