/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_steer.c - the flow owner function (lib/wire steer.c): Toeplitz as
 * RSS NICs compute it, the symmetric key, the redirection table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_thash.h>

#include "ptcp_steer.h"

#define IP4(a, b, c, d) RTE_BE32(RTE_IPV4((uint32_t)(a), (uint32_t)(b), (uint32_t)(c), \
					  (uint32_t)(d)))

static struct ptcp_steer s;

/* xorshift64*: reproducible random tuples without EAL. */
static uint64_t
rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x * 0x2545f4914f6cdd1dull;
}

static uint32_t
softrss(const uint8_t *key, rte_be32_t sa, rte_be32_t da, uint16_t sp, uint16_t dp)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = rte_be_to_cpu_32(sa);
	t.v4.dst_addr = rte_be_to_cpu_32(da);
	t.v4.sport = sp;
	t.v4.dport = dp;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key);
}

static void
test_steer_microsoft_verification_vector(void **state)
{
	/*
	 * Ensure that the hash equals the published RSS verification value
	 * for IPv4/TCP 66.9.149.187:2794 -> 161.142.100.80:1766 under the
	 * Microsoft sample key: 0x51ccc178.
	 */
	static const uint8_t ms_key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
		0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
		0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};

	(void)state;
	assert_int_equal(ptcp_steer_init(&s, ms_key, sizeof(ms_key), 128, 4), 0);
	assert_int_equal(ptcp_steer_hash(&s, IP4(66, 9, 149, 187), IP4(161, 142, 100, 80), 2794,
					 1766), 0x51ccc178);
}

static void
test_steer_hash_equals_rte_softrss(void **state)
{
	/*
	 * Ensure that the byte-table Toeplitz equals DPDK's bit-serial
	 * rte_softrss() on 10000 random tuples under 10 random 40-byte keys
	 * and the symmetric key.
	 */
	uint8_t key[40];
	int k, i;

	(void)state;
	for (k = 0; k <= 10; k++) {
		if (k < 10)
			for (i = 0; i < 40; i++)
				key[i] = (uint8_t)rnd();
		else
			ptcp_steer_symmetric_key(key, sizeof(key));
		assert_int_equal(ptcp_steer_init(&s, key, sizeof(key), 512, 3), 0);
		for (i = 0; i < 1000; i++) {
			uint64_t r = rnd(), q = rnd();
			rte_be32_t sa = (rte_be32_t)r, da = (rte_be32_t)(r >> 32);
			uint16_t sp = (uint16_t)q, dp = (uint16_t)(q >> 16);

			assert_int_equal(ptcp_steer_hash(&s, sa, da, sp, dp),
					 softrss(key, sa, da, sp, dp));
		}
	}
}

static void
test_steer_symmetric_key_same_owner_both_directions(void **state)
{
	/*
	 * Ensure that with the symmetric key a 4-tuple and its reverse have
	 * the same hash, so the same owner, for every redirection table size
	 * (NIC RSS: 64..512 entries) and owner count (software steering: the
	 * same function), on 20000 random flows; and that flows still spread:
	 * each of 4 owners gets between 20% and 30% of them.
	 */
	static const unsigned int retas[] = { 64, 128, 512 };
	unsigned int per_owner[4] = { 0 };
	uint8_t key[52];
	unsigned int r, n, i;

	(void)state;
	ptcp_steer_symmetric_key(key, sizeof(key));
	for (r = 0; r < RTE_DIM(retas); r++) {
		for (n = 1; n <= 4; n++) {
			assert_int_equal(ptcp_steer_init(&s, key, sizeof(key), retas[r], n), 0);
			for (i = 0; i < 20000; i++) {
				uint64_t x = rnd(), y = rnd();
				rte_be32_t sa = (rte_be32_t)x, da = (rte_be32_t)(x >> 32);
				uint16_t sp = (uint16_t)y, dp = (uint16_t)(y >> 16);
				uint16_t o = ptcp_steer_owner(&s, sa, da, sp, dp);

				assert_int_equal(ptcp_steer_hash(&s, sa, da, sp, dp),
						 ptcp_steer_hash(&s, da, sa, dp, sp));
				assert_int_equal(o, ptcp_steer_owner(&s, da, sa, dp, sp));
				assert_true(o < n);
				if (n == 4 && r == 0)
					per_owner[o]++;
			}
		}
	}
	for (i = 0; i < 4; i++)
		assert_true(per_owner[i] > 4000 && per_owner[i] < 6000);
}

static void
test_steer_reta_round_robin(void **state)
{
	/*
	 * Ensure that the redirection table maps entry i to owner i % n (the
	 * table the port layer programs into the NIC), and that a hash picks
	 * its entry by its low bits.
	 */
	uint8_t key[40];
	unsigned int i;

	(void)state;
	ptcp_steer_symmetric_key(key, sizeof(key));
	assert_int_equal(ptcp_steer_init(&s, key, sizeof(key), 128, 3), 0);
	for (i = 0; i < 128; i++)
		assert_int_equal(s.reta[i], i % 3);
	assert_int_equal(ptcp_steer_owner_of(&s, 0x12345600u | 5u), 5u % 3);
	assert_int_equal(ptcp_steer_owner_of(&s, 0xffffff80u | 127u), 127u % 3);
}

static void
test_steer_init_rejects_bad_arguments(void **state)
{
	/* Ensure that short keys, non-power-of-two tables and 0 owners are EINVAL. */
	uint8_t key[52] = { 0 };

	(void)state;
	assert_int_equal(ptcp_steer_init(&s, key, 15, 128, 2), -EINVAL);
	assert_int_equal(ptcp_steer_init(&s, key, 53, 128, 2), -EINVAL);
	assert_int_equal(ptcp_steer_init(&s, key, 40, 100, 2), -EINVAL);
	assert_int_equal(ptcp_steer_init(&s, key, 40, 1024, 2), -EINVAL);
	assert_int_equal(ptcp_steer_init(&s, key, 40, 128, 0), -EINVAL);
	assert_int_equal(ptcp_steer_init(&s, key, 40, 128, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steer_microsoft_verification_vector),
		cmocka_unit_test(test_steer_hash_equals_rte_softrss),
		cmocka_unit_test(test_steer_symmetric_key_same_owner_both_directions),
		cmocka_unit_test(test_steer_reta_round_robin),
		cmocka_unit_test(test_steer_init_rejects_bad_arguments),
	};

	return cmocka_run_group_tests_name("steer", tests, NULL, NULL);
}
