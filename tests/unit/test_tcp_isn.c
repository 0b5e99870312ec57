/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_isn.c - RFC 6528 initial sequence numbers: SipHash-2-4 against
 * the reference vectors (Aumasson & Bernstein, vectors.h: key 00..0f,
 * message 00..len-1), then ISN = M + F(4-tuple, key) with M = now_us / 4.
 */
#include <inttypes.h>
#include <string.h>

#include "harness.h"

static const struct ptcp_isn_key ref_key = {
	/* bytes 00 01 .. 0f read as two little-endian 64-bit words */
	.k0 = 0x0706050403020100ULL,
	.k1 = 0x0f0e0d0c0b0a0908ULL,
};

/* SipHash-2-4 of 00..len-1 under key 00..0f, len = 0..63 (reference vectors_sip64). */
static const uint64_t sip64_vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL,
	0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL,
	0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL,
	0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL,
	0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL,
	0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL,
	0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL,
	0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL,
	0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL,
	0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL,
	0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL,
	0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL,
	0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL,
	0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL,
	0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL,
	0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

/* ---- SipHash-2-4 ------------------------------------------------------------ */

static void
test_siphash24_reference_empty(void **state)
{
	/* Ensure that SipHash-2-4 of the empty message is the reference 0x726fdb47dd0e0e31. */
	(void)state;
	assert_int_equal(ptcp_siphash24(&ref_key, "", 0), 0x726fdb47dd0e0e31ULL);
}

static void
test_siphash24_reference_15_bytes(void **state)
{
	/* Ensure that SipHash-2-4 of 00..0e (the paper's example) is 0xa129ca6149be45e5. */
	uint8_t msg[15];

	(void)state;
	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(ptcp_siphash24(&ref_key, msg, sizeof(msg)), 0xa129ca6149be45e5ULL);
}

static void
test_siphash24_reference_all_lengths(void **state)
{
	/* Ensure that all 64 reference vectors match (every tail length 0..7, 0..7 blocks). */
	uint8_t msg[64];

	(void)state;
	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (unsigned int len = 0; len < 64; len++) {
		uint64_t h = ptcp_siphash24(&ref_key, msg, len);

		if (h != sip64_vectors[len])
			fail_msg("len %u: got %#" PRIx64 " want %#" PRIx64, len, h,
				 sip64_vectors[len]);
	}
}

static void
test_siphash24_unaligned_input(void **state)
{
	/* Ensure that the message need not be 8-byte aligned. */
	uint8_t buf[64 + 1];

	(void)state;
	for (unsigned int i = 0; i < 64; i++)
		buf[1 + i] = (uint8_t)i;
	for (unsigned int len = 0; len < 64; len++)
		assert_int_equal(ptcp_siphash24(&ref_key, buf + 1, len), sip64_vectors[len]);
}

static void
test_siphash24_key_matters(void **state)
{
	/* Ensure that a different key gives a different hash of the same message. */
	const struct ptcp_isn_key k2 = { .k0 = ref_key.k0 ^ 1, .k1 = ref_key.k1 };
	uint8_t msg[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	(void)state;
	assert_int_not_equal(ptcp_siphash24(&ref_key, msg, sizeof(msg)),
			     ptcp_siphash24(&k2, msg, sizeof(msg)));
}

/* ---- RFC 6528 ISN ------------------------------------------------------------ */

#define LADDR PTEST_LOCAL_IP
#define RADDR PTEST_PEER_IP

/* F as documented in ptcp_tcp.h: SipHash over laddr, raddr (as stored), lport, rport (LE). */
static uint32_t
ref_f(const struct ptcp_isn_key *key, rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
      uint16_t rport)
{
	uint8_t b[12];

	memcpy(b, &laddr, 4);
	memcpy(b + 4, &raddr, 4);
	b[8] = (uint8_t)lport;
	b[9] = (uint8_t)(lport >> 8);
	b[10] = (uint8_t)rport;
	b[11] = (uint8_t)(rport >> 8);
	return (uint32_t)ptcp_siphash24(key, b, sizeof(b));
}

static void
test_rfc6528_isn_is_m_plus_f(void **state)
{
	/* Ensure that ISN = now_us / 4 + low 32 bits of SipHash(laddr, raddr, lport, rport). */
	const uint64_t now = 123456789ULL;

	(void)state;
	assert_int_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now),
			 (uint32_t)(now / 4) + ref_f(&ref_key, LADDR, 7, RADDR, 40000));
}

static void
test_rfc6528_isn_differs_per_tuple(void **state)
{
	/* Ensure that at the same instant, changing any element of the 4-tuple changes the ISN. */
	const uint64_t now = 5000000;
	uint32_t base = ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now);

	(void)state;
	assert_int_not_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40001, now), base);
	assert_int_not_equal(ptcp_tcp_isn(&ref_key, LADDR, 8, RADDR, 40000, now), base);
	assert_int_not_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, PTEST_OTHER_IP, 40000, now), base);
	assert_int_not_equal(ptcp_tcp_isn(&ref_key, PTEST_OTHER_IP, 7, RADDR, 40000, now), base);
	/* Swapping the ends is another connection, not the same one. */
	assert_int_not_equal(ptcp_tcp_isn(&ref_key, RADDR, 40000, LADDR, 7, now), base);
}

static void
test_rfc6528_isn_spread_over_ports(void **state)
{
	/* Ensure that 1000 consecutive peer ports at one instant give 1000 distinct ISNs. */
	static uint32_t isn[1000];
	const uint64_t now = 7777777;

	(void)state;
	for (unsigned int i = 0; i < 1000; i++)
		isn[i] = ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, (uint16_t)(30000 + i), now);
	for (unsigned int i = 0; i < 1000; i++)
		for (unsigned int j = i + 1; j < 1000; j++)
			assert_int_not_equal(isn[i], isn[j]);
}

static void
test_rfc6528_isn_clock_4us(void **state)
{
	/*
	 * Ensure that for the same tuple the ISN advances by 1000 every 4 ms (M ticks every 4 us).
	 */
	const uint64_t now = 1000000;
	uint32_t a = ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now);

	(void)state;
	assert_int_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now + 4000) - a, 1000);
	assert_int_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now + 4) - a, 1);
	assert_int_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now + 3), a);
}

static void
test_rfc6528_isn_clock_wraps(void **state)
{
	/* Ensure that M wraps modulo 2^32 (after 4.77 hours) without disturbing F. */
	const uint64_t now = (1ULL << 34) - 8;   /* M = 2^32 - 2 */
	uint32_t a = ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now);
	uint32_t b = ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, now + 16);

	(void)state;
	assert_int_equal(b - a, 4);
	assert_int_equal(a, (uint32_t)(0xFFFFFFFEu + ref_f(&ref_key, LADDR, 7, RADDR, 40000)));
}

static void
test_rfc6528_isn_depends_on_key(void **state)
{
	/* Ensure that the secret key changes the ISN (F is keyed, not a plain hash). */
	const struct ptcp_isn_key k2 = { .k0 = 0x1234, .k1 = 0x5678 };

	(void)state;
	assert_int_not_equal(ptcp_tcp_isn(&ref_key, LADDR, 7, RADDR, 40000, 1000),
			     ptcp_tcp_isn(&k2, LADDR, 7, RADDR, 40000, 1000));
}

static void
test_rfc6528_stack_iss_differs_per_tuple(void **state)
{
	/*
	 * Ensure that the stack's SYN-ACKs to two peer ports at the same instant carry different
	 * ISNs.
	 */
	struct ptest_ctx *t = ptest_new_tcp(NULL);
	static struct ptest_conn a, b;

	(void)state;
	ptest_conn_init(t, &a);
	ptest_conn_listen(&a);
	ptest_conn_syn_received(&a);
	ptest_conn_init(t, &b);
	b.rport = PTEST_RPORT + 1;
	ptest_conn_syn_received(&b);
	assert_int_not_equal(a.iss, b.iss);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash24_reference_empty),
		cmocka_unit_test(test_siphash24_reference_15_bytes),
		cmocka_unit_test(test_siphash24_reference_all_lengths),
		cmocka_unit_test(test_siphash24_unaligned_input),
		cmocka_unit_test(test_siphash24_key_matters),
		cmocka_unit_test(test_rfc6528_isn_is_m_plus_f),
		cmocka_unit_test(test_rfc6528_isn_differs_per_tuple),
		cmocka_unit_test(test_rfc6528_isn_spread_over_ports),
		cmocka_unit_test(test_rfc6528_isn_clock_4us),
		cmocka_unit_test(test_rfc6528_isn_clock_wraps),
		cmocka_unit_test(test_rfc6528_isn_depends_on_key),
		cmocka_unit_test(test_rfc6528_stack_iss_differs_per_tuple),
	};

	return cmocka_run_group_tests_name("tcp_isn", tests, NULL, NULL);
}
