/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wire.c - unit tests for lib/wire: Internet checksums (RFC 1071, 1624),
 * the Ethernet/ARP/IPv4/ICMP/TCP parsers against golden frames and every
 * malformed shape we can name, and builders round-tripped through parsers.
 *
 * Two groups: "wire" needs nothing; "wire_mbuf" starts a hugepage-free EAL
 * once in its group setup to get an mbuf pool for the chained-mbuf checksum.
 *
 * Golden frames were written byte by byte with python3 `struct` (addresses
 * 198.18.0.1 02:00:00:00:00:01 -> 198.18.0.2 02:00:00:00:00:02), their
 * checksums computed by a separate RFC 1071 sum in that script:
 *
 *   def csum(b):
 *       if len(b) % 2: b += b'\0'
 *       s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
 *       while s >> 16: s = (s & 0xffff) + (s >> 16)
 *       return ~s & 0xffff
 *
 * Truncation tests copy the bytes into a heap block of exactly the claimed
 * size, so a sanitizer or valgrind catches any read past `avail`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp_wire.h"

#define ETH_LEN 14u
#define IP_LEN  20u

static const struct rte_ether_addr mac_peer = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr mac_local = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static const struct rte_ether_addr mac_bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr mac_zero = {{0}};
/* Not RTE_IPV4(198, ...): DPDK 22.11's macro shifts a signed int past bit 31 (UBSan). */
#define IP_PEER  RTE_BE32(UINT32_C(0xc6120001))	/* 198.18.0.1 */
#define IP_LOCAL RTE_BE32(UINT32_C(0xc6120002))	/* 198.18.0.2 */

/* ARP who-has 198.18.0.2 tell 198.18.0.1, padded to the 60-byte Ethernet minimum. */
static const uint8_t golden_arp_request[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc6, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * Linux ping-style echo request: id 0x1c46, DF, ttl 64; ICMP ident 0x1234 seq 1,
 * 56-byte payload (16-byte timeval, then 0x10..0x37).
 */
static const uint8_t golden_icmp_echo[98] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01,
	0x92, 0x3b, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x08, 0x00,
	0x75, 0xba, 0x12, 0x34, 0x00, 0x01, 0xb3, 0xa2, 0xf1, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x35, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11,
	0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
	0x36, 0x37,
};
#define GOLDEN_ICMP_IP_CKSUM   0x923b
#define GOLDEN_ICMP_CKSUM      0x75ba

/*
 * Linux-style SYN 54321 -> 7, seq 0xfffffff0 (just below the wrap), wnd 64240,
 * options MSS 1460, SACK_PERM, TS 0xa1b2c3d4/0, NOP, WSCALE 7.
 */
static const uint8_t golden_tcp_syn[74] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06,
	0xae, 0x94, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0xd4, 0x31,
	0x00, 0x07, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
	0xfa, 0xf0, 0x87, 0x36, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	0x08, 0x0a, 0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
	0x03, 0x07,
};
#define GOLDEN_SYN_IP_CKSUM    0xae94
#define GOLDEN_SYN_TCP_CKSUM   0x8736
#define GOLDEN_SYN_TCP_OFF     (ETH_LEN + IP_LEN)
#define GOLDEN_SYN_TCP_LEN     40u

/* ---- helpers ------------------------------------------------------------ */

static uint32_t rng_state;

/* xorshift32: the same sequence on every libc. */
static uint32_t
rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

static void
rng_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* Independent RFC 1071 reference: big-endian words, 64-bit accumulator; host order. */
static uint16_t
ref_sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* A heap copy of exactly n bytes, so out-of-bounds reads are caught by tools. */
static uint8_t *
exact_copy(const uint8_t *src, size_t n)
{
	uint8_t *p = malloc(n > 0 ? n : 1);

	assert_non_null(p);
	if (n > 0)
		memcpy(p, src, n);
	return p;
}

static uint16_t
load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
store16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * A 20-byte TCP header followed by `n` option bytes padded with EOL to a
 * multiple of 4 (at most 40). Returns the header length.
 */
static uint32_t
tcp_with_opts(uint8_t *buf, const uint8_t *opts, uint32_t n)
{
	uint32_t olen = (n + 3) & ~3u;

	assert_true(olen <= 40);
	memset(buf, 0, PTCP_TCP_HDR_LEN + olen);
	ptcp_tcp_build(buf, 1000, 2000, 1, 2, RTE_TCP_ACK_FLAG, 100, olen);
	if (n > 0)
		memcpy(buf + PTCP_TCP_HDR_LEN, opts, n);
	return PTCP_TCP_HDR_LEN + olen;
}

/* Parse a TCP header carrying exactly these option bytes (EOL-padded). */
static int
parse_opts(const uint8_t *opts, uint32_t n, struct ptcp_tcp_seg *seg)
{
	uint8_t buf[PTCP_TCP_MAX_HDR_LEN];
	uint32_t hl = tcp_with_opts(buf, opts, n);

	return ptcp_tcp_parse(buf, hl, seg);
}

/* ---- checksums ---------------------------------------------------------- */

static void
test_rfc1071_3_example_sum(void **state)
{
	/* Ensure that the numerical example of RFC 1071 section 3 sums to ddf2. */
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	uint8_t out[2];

	(void)state;
	store16(out, ptcp_cksum_raw(b, sizeof(b)));
	assert_int_equal(out[0], 0xdd);
	assert_int_equal(out[1], 0xf2);
	assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(b, sizeof(b))), 0xddf2);
}

static void
test_rfc1071_odd_length_pads_last_byte_with_zero(void **state)
{
	/* Ensure that an odd final byte is summed as the high byte of a zero-padded word. */
	static const uint8_t seven[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6};
	static const uint8_t one[] = {0xab};
	static const uint8_t three_ff[] = {0xff, 0xff, 0xff};

	(void)state;
	assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(seven, sizeof(seven))), 0xdcfb);
	assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(one, sizeof(one))), 0xab00);
	assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(three_ff, sizeof(three_ff))), 0xff00);
	assert_int_equal(ptcp_cksum_raw(one, 0), 0);
}

static void
test_rfc1071_sum_matches_reference_any_length_and_alignment(void **state)
{
	/* Ensure that the sum equals an independent reference for 0..1500 at any offset. */
	static uint8_t buf[1600];
	uint32_t len, off;

	(void)state;
	rng_state = 0x1071;
	rng_fill(buf, sizeof(buf));
	for (len = 0; len <= 1500; len++) {
		off = len % 8;
		assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(buf + off, len)),
				 ref_sum(buf + off, len));
	}
}

static void
test_rfc1071_sum_of_large_buffer_does_not_overflow(void **state)
{
	/* Ensure that sums over more than 128 KiB of 0xff (past a 32-bit accumulator) are right. */
	const size_t n = 300001;
	uint8_t *buf = malloc(n);

	(void)state;
	assert_non_null(buf);
	memset(buf, 0xff, n);
	assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(buf, (uint32_t)n)), ref_sum(buf, n));
	rng_state = 7;
	rng_fill(buf, n);
	assert_int_equal(rte_be_to_cpu_16(ptcp_cksum_raw(buf, (uint32_t)n)), ref_sum(buf, n));
	free(buf);
}

static void
test_rfc791_ipv4_header_checksum_vector(void **state)
{
	/*
	 * Ensure that a well-known IPv4 header (checksum b861) gets that checksum
	 * whatever its checksum field holds.
	 */
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0xde, 0xad, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	(void)state;
	assert_int_equal(rte_be_to_cpu_16(ptcp_ipv4_hdr_cksum((const void *)h)), 0xb861);
	store16(h + 10, 0);
	assert_int_equal(rte_be_to_cpu_16(ptcp_ipv4_hdr_cksum((const void *)h)), 0xb861);
	assert_int_equal(ptcp_ipv4_hdr_cksum((const void *)(golden_icmp_echo + ETH_LEN)),
			 RTE_BE16(GOLDEN_ICMP_IP_CKSUM));
	assert_int_equal(ptcp_ipv4_hdr_cksum((const void *)(golden_tcp_syn + ETH_LEN)),
			 RTE_BE16(GOLDEN_SYN_IP_CKSUM));
}

static void
test_rfc791_ipv4_header_checksum_matches_dpdk_whatever_the_field_holds(void **state)
{
	/*
	 * Ensure that the header checksum of random headers of every length
	 * (20..60 bytes) equals rte_ipv4_cksum() of the header with the field
	 * zeroed, whatever the field held before, and makes the header verify.
	 */
	uint8_t h[60], z[60];
	unsigned int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t hlen = 20 + 4 * (i % 11);

		rng_fill(h, sizeof(h));
		h[0] = (uint8_t)(0x40 | (hlen / 4));
		memcpy(z, h, sizeof(h));
		z[10] = z[11] = 0;
		uint16_t ours = ptcp_ipv4_hdr_cksum((const void *)h);
		uint16_t dpdk = rte_ipv4_cksum((const struct rte_ipv4_hdr *)(const void *)z);

		/* rte_ipv4_cksum writes a sum of 0xffff as 0xffff, not 0: the same in one's complement. */
		if (!(ours == 0 && dpdk == 0xffff))
			assert_int_equal(ours, dpdk);
		memcpy(h + 10, &ours, 2);
		assert_int_equal(ptcp_cksum_raw(h, hlen), 0xffff);
	}
}

static void
test_rfc791_ipv4_header_checksum_covers_options(void **state)
{
	/* Ensure that the header checksum covers IHL*4 bytes, options included. */
	uint8_t h[24];
	struct ptcp_ipv4_info ip;

	(void)state;
	ptcp_ipv4_build(h, IP_PEER, IP_LOCAL, IPPROTO_TCP, 0, 1, 64, true);
	h[0] = 0x46;
	h[3] = 24;
	memcpy(h + 20, (const uint8_t[]){0x94, 0x04, 0x00, 0x00}, 4);	/* router alert */
	assert_int_equal(rte_be_to_cpu_16(ptcp_ipv4_hdr_cksum((const void *)h)),
			 (uint16_t)~ref_sum(h, 24));
	store16(h + 10, ptcp_ipv4_hdr_cksum((const void *)h));
	assert_int_equal(ptcp_ipv4_parse(h, 24, true, &ip), 0);
	assert_int_equal(ip.hdr_len, 24);
	h[22] = 1;	/* an option byte changes: the checksum must notice */
	assert_int_equal(ptcp_ipv4_parse(h, 24, true, &ip), -PTCP_WIRE_ECKSUM);
}

static void
test_rfc9293_3_1_tcp_checksum_golden_syn(void **state)
{
	/* Ensure that the golden SYN's TCP checksum (with pseudo header) computes and verifies. */
	uint8_t tcp[GOLDEN_SYN_TCP_LEN];

	(void)state;
	assert_int_equal(ptcp_l4_cksum(IP_PEER, IP_LOCAL, IPPROTO_TCP,
				       golden_tcp_syn + GOLDEN_SYN_TCP_OFF, GOLDEN_SYN_TCP_LEN), 0);
	memcpy(tcp, golden_tcp_syn + GOLDEN_SYN_TCP_OFF, sizeof(tcp));
	store16(tcp + 16, 0);
	assert_int_equal(ptcp_l4_cksum(IP_PEER, IP_LOCAL, IPPROTO_TCP, tcp, sizeof(tcp)),
			 RTE_BE16(GOLDEN_SYN_TCP_CKSUM));
	/* swapping the addresses keeps the sum; another protocol does not */
	assert_int_equal(ptcp_l4_cksum(IP_LOCAL, IP_PEER, IPPROTO_TCP, tcp, sizeof(tcp)),
			 RTE_BE16(GOLDEN_SYN_TCP_CKSUM));
	assert_int_not_equal(ptcp_l4_cksum(IP_PEER, IP_LOCAL, IPPROTO_UDP, tcp, sizeof(tcp)),
			     RTE_BE16(GOLDEN_SYN_TCP_CKSUM));
}

static void
test_rfc9293_3_1_tcp_checksum_odd_payload(void **state)
{
	/* Ensure that segments with odd payload lengths get a checksum that verifies to 0. */
	uint8_t seg[PTCP_TCP_HDR_LEN + 33];
	uint32_t n;
	uint16_t c;

	(void)state;
	rng_state = 33;
	for (n = 1; n <= 33; n += 2) {
		ptcp_tcp_build(seg, 7, 40000, rng(), rng(), RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			       1000, 0);
		rng_fill(seg + PTCP_TCP_HDR_LEN, n);
		c = ptcp_l4_cksum(IP_LOCAL, IP_PEER, IPPROTO_TCP, seg, PTCP_TCP_HDR_LEN + n);
		store16(seg + 16, c);
		assert_int_equal(ptcp_l4_cksum(IP_LOCAL, IP_PEER, IPPROTO_TCP, seg,
					       PTCP_TCP_HDR_LEN + n), 0);
		seg[PTCP_TCP_HDR_LEN + n - 1] ^= 0x01;
		assert_int_not_equal(ptcp_l4_cksum(IP_LOCAL, IP_PEER, IPPROTO_TCP, seg,
						   PTCP_TCP_HDR_LEN + n), 0);
	}
}

static void
test_tx_offload_pseudo_header_seed_completes_to_full_checksum(void **state)
{
	/*
	 * Ensure that a field seeded with ptcp_l4_phdr_cksum, then summed and
	 * inverted over the L4 bytes as a NIC does, gives the software checksum.
	 */
	uint8_t tcp[GOLDEN_SYN_TCP_LEN];

	(void)state;
	memcpy(tcp, golden_tcp_syn + GOLDEN_SYN_TCP_OFF, sizeof(tcp));
	store16(tcp + 16, ptcp_l4_phdr_cksum(IP_PEER, IP_LOCAL, IPPROTO_TCP, sizeof(tcp)));
	assert_int_equal((uint16_t)~ptcp_cksum_raw(tcp, sizeof(tcp)),
			 RTE_BE16(GOLDEN_SYN_TCP_CKSUM));
}

static void
test_rfc1624_4_example_yields_zero_not_minus_zero(void **state)
{
	/*
	 * Ensure that the RFC 1624 section 4 example (m 5555 -> 3285, HC dd2f)
	 * gives 0000 as recomputation would, not the ffff of eqn. 2.
	 */
	uint16_t hc;

	(void)state;
	hc = ptcp_cksum_update16(RTE_BE16(0xdd2f), RTE_BE16(0x5555), RTE_BE16(0x3285));
	assert_int_equal(hc, 0x0000);
	/* and back again */
	hc = ptcp_cksum_update16(hc, RTE_BE16(0x3285), RTE_BE16(0x5555));
	assert_int_equal(hc, RTE_BE16(0xdd2f));
}

/* Fields of an IPv4+TCP packet that the echo path rewrites; offsets from the IP header. */
struct field {
	uint32_t off;
	uint32_t size;	/* 2 or 4 */
	bool phdr;	/* also in the TCP pseudo header */
	bool in_ip;	/* covered by the IP header checksum */
};

static const struct field fields[] = {
	{4, 2, false, true},		/* IP id */
	{8, 2, false, true},		/* TTL + protocol (protocol kept TCP below) */
	{12, 4, true, true},		/* src */
	{16, 4, true, true},		/* dst */
	{20, 2, false, false},		/* sport */
	{22, 2, false, false},		/* dport */
	{24, 4, false, false},		/* seq */
	{28, 4, false, false},		/* ack */
	{32, 2, false, false},		/* data offset + flags */
	{34, 2, false, false},		/* window */
	{38, 2, false, false},		/* urgent pointer */
};

/* Full TCP checksum of an IPv4+TCP packet, as if its checksum field were 0. */
static uint16_t
tcp_recompute(uint8_t *pkt, uint32_t l4len)
{
	uint16_t saved = load16(pkt + IP_LEN + 16), c;
	rte_be32_t src, dst;

	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	store16(pkt + IP_LEN + 16, 0);
	c = ptcp_l4_cksum(src, dst, IPPROTO_TCP, pkt + IP_LEN, l4len);
	store16(pkt + IP_LEN + 16, saved);
	return c;
}

static void
test_rfc1624_payload_sum_from_header_equals_full_sum(void **state)
{
	/*
	 * Ensure that the payload sum derived from a verified segment's header
	 * alone (ptcp_l4_payload_sum) and a checksum made from a sum
	 * (ptcp_l4_cksum_from_sum) give, bit for bit, the checksum a full
	 * recomputation gives, for random segments with options, of odd and
	 * even lengths, all-zero and all-ones payloads, and no payload.
	 */
	uint8_t seg[60 + 1500];
	uint32_t it;

	(void)state;
	rng_state = 0x1624f;
	for (it = 0; it < 20000; it++) {
		uint32_t hlen = PTCP_TCP_HDR_LEN + 4 * (rng() % 11);
		uint32_t plen = (it % 7 == 0) ? 0 : rng() % 1501;
		uint32_t l4len = hlen + plen;
		rte_be32_t src = rng(), dst = rng();
		uint16_t full, psum, derived, hsum;

		rng_fill(seg, hlen);
		seg[12] = (uint8_t)((hlen / 4) << 4);
		if (it % 5 == 1)
			memset(seg + hlen, 0, plen);
		else if (it % 5 == 2)
			memset(seg + hlen, 0xff, plen);
		else
			rng_fill(seg + hlen, plen);
		store16(seg + 16, 0);
		full = ptcp_l4_cksum(src, dst, IPPROTO_TCP, seg, l4len);
		/* From the sums of the parts, the checksum field 0. */
		hsum = ptcp_cksum_raw(seg, hlen);
		psum = ptcp_cksum_raw(seg + hlen, plen);
		assert_int_equal(ptcp_l4_cksum_from_sum(src, dst, IPPROTO_TCP, l4len,
							ptcp_cksum_add(hsum, psum)), full);
		/* As received: verified, then the payload's sum from the header alone. */
		store16(seg + 16, full);
		assert_int_equal(ptcp_l4_cksum(src, dst, IPPROTO_TCP, seg, l4len), 0);
		derived = ptcp_l4_payload_sum(src, dst, IPPROTO_TCP, l4len, seg, hlen);
		store16(seg + 16, 0);
		assert_int_equal(ptcp_l4_cksum_from_sum(src, dst, IPPROTO_TCP, l4len,
							ptcp_cksum_add(hsum, derived)), full);
		/* The same value as the sum of the bytes, up to -0 = +0. */
		assert_true(derived == psum || (derived | psum) == 0xffff);
	}
}

static void
test_rfc1624_incremental_update_matches_recompute(void **state)
{
	/*
	 * Ensure that RFC 1624 eqn. 3 updates of the IP and TCP checksums equal a
	 * full recompute for random packets after 1..4 random 16/32-bit rewrites.
	 */
	uint8_t pkt[IP_LEN + PTCP_TCP_HDR_LEN + 64];
	uint32_t it, k, nchg, plen, l4len;
	uint16_t ipc, tcpc;

	(void)state;
	rng_state = 0x1624;
	for (it = 0; it < 20000; it++) {
		plen = rng() % 65;
		l4len = PTCP_TCP_HDR_LEN + plen;
		ptcp_tcp_build(pkt + IP_LEN, (uint16_t)rng(), (uint16_t)rng(), rng(), rng(),
			       (uint8_t)rng(), (uint16_t)rng(), 0);
		rng_fill(pkt + IP_LEN + PTCP_TCP_HDR_LEN, plen);
		ptcp_ipv4_build(pkt, rng(), rng(), IPPROTO_TCP, (uint16_t)l4len, (uint16_t)rng(),
				(uint8_t)rng(), false);
		ipc = load16(pkt + 10);
		tcpc = tcp_recompute(pkt, l4len);
		store16(pkt + IP_LEN + 16, tcpc);

		nchg = 1 + rng() % 4;
		for (k = 0; k < nchg; k++) {
			const struct field *f = &fields[rng() % RTE_DIM(fields)];
			uint32_t old32, new32;
			uint16_t old16, new16;

			if (f->size == 2) {
				old16 = load16(pkt + f->off);
				new16 = (uint16_t)rng();
				if (f->off == 8)	/* keep the protocol byte (memory byte 9) */
					((uint8_t *)&new16)[1] = IPPROTO_TCP;
				store16(pkt + f->off, new16);
				if (f->in_ip)
					ipc = ptcp_cksum_update16(ipc, old16, new16);
				else
					tcpc = ptcp_cksum_update16(tcpc, old16, new16);
			} else {
				memcpy(&old32, pkt + f->off, 4);
				new32 = rng();
				memcpy(pkt + f->off, &new32, 4);
				if (f->in_ip)
					ipc = ptcp_cksum_update32(ipc, old32, new32);
				if (f->phdr || !f->in_ip)
					tcpc = ptcp_cksum_update32(tcpc, old32, new32);
			}
		}
		store16(pkt + 10, ipc);
		store16(pkt + IP_LEN + 16, tcpc);
		assert_int_equal(ipc, ptcp_ipv4_hdr_cksum((const void *)pkt));
		assert_int_equal(tcpc, tcp_recompute(pkt, l4len));
		assert_int_equal(ptcp_cksum_raw(pkt, IP_LEN), 0xffff);
	}
}

/* ---- Ethernet / ARP ----------------------------------------------------- */

static void
test_eth_golden_frames_ether_types(void **state)
{
	/* Ensure that the EtherType of each golden frame is returned in host order. */
	uint16_t et;

	(void)state;
	assert_int_equal(ptcp_eth_parse(golden_arp_request, sizeof(golden_arp_request), &et), 0);
	assert_int_equal(et, RTE_ETHER_TYPE_ARP);
	assert_int_equal(ptcp_eth_parse(golden_icmp_echo, sizeof(golden_icmp_echo), &et), 0);
	assert_int_equal(et, RTE_ETHER_TYPE_IPV4);
	assert_int_equal(ptcp_eth_parse(golden_tcp_syn, ETH_LEN, &et), 0);
	assert_int_equal(et, RTE_ETHER_TYPE_IPV4);
}

static void
test_eth_truncated_at_every_length_rejected(void **state)
{
	/* Ensure that a frame shorter than 14 bytes is ETRUNC at every length. */
	uint16_t et = 0xbeef;
	uint32_t n;

	(void)state;
	for (n = 0; n < ETH_LEN; n++) {
		uint8_t *p = exact_copy(golden_arp_request, n);

		assert_int_equal(ptcp_eth_parse(p, n, &et), -PTCP_WIRE_ETRUNC);
		free(p);
	}
	assert_int_equal(et, 0xbeef);
}

static void
test_rfc826_arp_golden_request_parsed(void **state)
{
	/* Ensure that the golden ARP request yields op, sender and target fields. */
	struct ptcp_arp_info a;

	(void)state;
	assert_int_equal(ptcp_arp_parse(golden_arp_request + ETH_LEN,
					sizeof(golden_arp_request) - ETH_LEN, &a), 0);
	assert_int_equal(a.op, RTE_ARP_OP_REQUEST);
	assert_true(rte_is_same_ether_addr(&a.sha, &mac_peer));
	assert_true(rte_is_zero_ether_addr(&a.tha));
	assert_int_equal(a.spa, IP_PEER);
	assert_int_equal(a.tpa, IP_LOCAL);
}

static void
test_rfc826_arp_truncated_at_every_length_rejected(void **state)
{
	/* Ensure that an ARP body shorter than 28 bytes is ETRUNC at every length. */
	struct ptcp_arp_info a;
	uint32_t n;

	(void)state;
	for (n = 0; n < sizeof(struct rte_arp_hdr); n++) {
		uint8_t *p = exact_copy(golden_arp_request + ETH_LEN, n);

		assert_int_equal(ptcp_arp_parse(p, n, &a), -PTCP_WIRE_ETRUNC);
		free(p);
	}
	assert_int_equal(ptcp_arp_parse(golden_arp_request + ETH_LEN, 28, &a), 0);
}

static void
test_rfc826_arp_not_ethernet_ipv4_rejected(void **state)
{
	/* Ensure that ARP with another htype, ptype, hlen or plen is EARP. */
	static const struct { uint32_t off; uint8_t val; } bad[] = {
		{1, 6},		/* htype IEEE 802 */
		{2, 0x86},	/* ptype 0x86dd */
		{3, 0xdd},
		{4, 8},		/* hlen */
		{5, 16},	/* plen */
	};
	struct ptcp_arp_info a;
	uint8_t b[28];
	uint32_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		memcpy(b, golden_arp_request + ETH_LEN, sizeof(b));
		b[bad[i].off] = bad[i].val;
		assert_int_equal(ptcp_arp_parse(b, sizeof(b), &a), -PTCP_WIRE_EARP);
	}
}

static void
test_eth_and_arp_build_match_golden_request(void **state)
{
	/* Ensure that the Ethernet and ARP builders emit the golden request byte for byte. */
	uint8_t f[60];
	struct ptcp_arp_info a;

	(void)state;
	memset(f, 0, sizeof(f));
	ptcp_eth_build(f, &mac_bcast, &mac_peer, RTE_ETHER_TYPE_ARP);
	ptcp_arp_build(f + ETH_LEN, RTE_ARP_OP_REQUEST, &mac_peer, IP_PEER, &mac_zero, IP_LOCAL);
	assert_memory_equal(f, golden_arp_request, sizeof(f));

	ptcp_arp_build(f + ETH_LEN, RTE_ARP_OP_REPLY, &mac_local, IP_LOCAL, &mac_peer, IP_PEER);
	assert_int_equal(ptcp_arp_parse(f + ETH_LEN, 28, &a), 0);
	assert_int_equal(a.op, RTE_ARP_OP_REPLY);
	assert_true(rte_is_same_ether_addr(&a.sha, &mac_local));
	assert_true(rte_is_same_ether_addr(&a.tha, &mac_peer));
	assert_int_equal(a.spa, IP_LOCAL);
	assert_int_equal(a.tpa, IP_PEER);
}

/* ---- IPv4 --------------------------------------------------------------- */

static void
test_rfc791_ipv4_golden_echo_parsed(void **state)
{
	/* Ensure that the golden echo's IPv4 header parses to its fields and verifies. */
	struct ptcp_ipv4_info ip;
	const uint8_t *h = golden_icmp_echo + ETH_LEN;

	(void)state;
	assert_int_equal(ptcp_ipv4_parse(h, sizeof(golden_icmp_echo) - ETH_LEN, true, &ip), 0);
	assert_int_equal(ip.src, IP_PEER);
	assert_int_equal(ip.dst, IP_LOCAL);
	assert_int_equal(ip.hdr_len, 20);
	assert_int_equal(ip.total_len, 84);
	assert_int_equal(ip.frag, RTE_IPV4_HDR_DF_FLAG);
	assert_false(ptcp_ipv4_is_fragment(&ip));
	assert_int_equal(ip.id, 0x1c46);
	assert_int_equal(ip.proto, IPPROTO_ICMP);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.tos, 0);
	assert_int_equal(ptcp_cksum_raw(h, 20), 0xffff);
}

static void
test_rfc791_ipv4_ethernet_padding_accepted(void **state)
{
	/* Ensure that bytes after the total length (Ethernet padding) are allowed, not counted. */
	uint8_t b[60];
	struct ptcp_ipv4_info ip;

	(void)state;
	memset(b, 0, sizeof(b));
	memcpy(b, golden_tcp_syn + ETH_LEN, IP_LEN);
	store16(b + 2, RTE_BE16(IP_LEN + 6));
	store16(b + 10, ptcp_ipv4_hdr_cksum((const void *)b));
	assert_int_equal(ptcp_ipv4_parse(b, sizeof(b), true, &ip), 0);
	assert_int_equal(ip.total_len, 26);
}

static void
test_rfc791_ipv4_truncated_at_every_length_rejected(void **state)
{
	/* Ensure that an IPv4 packet cut short is ETRUNC below 20 bytes and ETOTLEN after. */
	const uint8_t *h = golden_icmp_echo + ETH_LEN;
	const uint32_t tot = sizeof(golden_icmp_echo) - ETH_LEN;
	struct ptcp_ipv4_info ip;
	uint32_t n;

	(void)state;
	for (n = 0; n < tot; n++) {
		uint8_t *p = exact_copy(h, n);

		assert_int_equal(ptcp_ipv4_parse(p, n, true, &ip),
				 n < IP_LEN ? -PTCP_WIRE_ETRUNC : -PTCP_WIRE_ETOTLEN);
		free(p);
	}
}

static void
test_rfc791_ipv4_header_with_options_truncated_rejected(void **state)
{
	/* Ensure that a header whose IHL reaches past the bytes present is ETRUNC. */
	uint8_t h[60];
	struct ptcp_ipv4_info ip;
	uint32_t n;

	(void)state;
	memset(h, 0, sizeof(h));
	ptcp_ipv4_build(h, IP_PEER, IP_LOCAL, IPPROTO_TCP, 40, 1, 64, true);
	h[0] = 0x4f;	/* 60-byte header, total length 60 */
	store16(h + 10, ptcp_ipv4_hdr_cksum((const void *)h));
	for (n = IP_LEN; n < 60; n++) {
		uint8_t *p = exact_copy(h, n);

		assert_int_equal(ptcp_ipv4_parse(p, n, true, &ip), -PTCP_WIRE_ETRUNC);
		free(p);
	}
	assert_int_equal(ptcp_ipv4_parse(h, 60, true, &ip), 0);
	assert_int_equal(ip.hdr_len, 60);
}

static void
test_rfc791_ipv4_version_6_rejected(void **state)
{
	/* Ensure that a version other than 4 (here 6, and 0) is EVERSION. */
	uint8_t h[IP_LEN];
	struct ptcp_ipv4_info ip;

	(void)state;
	memcpy(h, golden_tcp_syn + ETH_LEN, IP_LEN);
	h[0] = 0x65;
	assert_int_equal(ptcp_ipv4_parse(h, IP_LEN, false, &ip), -PTCP_WIRE_EVERSION);
	h[0] = 0x05;
	assert_int_equal(ptcp_ipv4_parse(h, IP_LEN, false, &ip), -PTCP_WIRE_EVERSION);
}

static void
test_rfc791_ipv4_ihl_below_5_rejected(void **state)
{
	/* Ensure that IHL 0..4 is EHDRLEN. */
	uint8_t h[IP_LEN + 20];
	struct ptcp_ipv4_info ip;
	uint8_t ihl;

	(void)state;
	memcpy(h, golden_tcp_syn + ETH_LEN, sizeof(h));
	for (ihl = 0; ihl < 5; ihl++) {
		h[0] = (uint8_t)(0x40 | ihl);
		assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), -PTCP_WIRE_EHDRLEN);
	}
}

static void
test_rfc791_ipv4_ihl_beyond_total_length_rejected(void **state)
{
	/* Ensure that IHL*4 greater than the total length is ETOTLEN even when the bytes exist. */
	uint8_t h[60];
	struct ptcp_ipv4_info ip;

	(void)state;
	memset(h, 0, sizeof(h));
	ptcp_ipv4_build(h, IP_PEER, IP_LOCAL, IPPROTO_TCP, 0, 1, 64, true);
	h[0] = 0x46;	/* 24-byte header in a 20-byte packet */
	store16(h + 10, ptcp_ipv4_hdr_cksum((const void *)h));
	assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), true, &ip), -PTCP_WIRE_ETOTLEN);
	h[0] = 0x4f;
	store16(h + 2, RTE_BE16(59));
	assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), -PTCP_WIRE_ETOTLEN);
}

static void
test_rfc791_ipv4_total_length_below_header_or_above_frame_rejected(void **state)
{
	/* Ensure that a total length < 20 or > the frame is ETOTLEN. */
	uint8_t h[IP_LEN + 20];
	struct ptcp_ipv4_info ip;
	uint16_t tl;

	(void)state;
	memcpy(h, golden_tcp_syn + ETH_LEN, sizeof(h));
	for (tl = 0; tl < IP_LEN; tl++) {
		store16(h + 2, rte_cpu_to_be_16(tl));
		assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), -PTCP_WIRE_ETOTLEN);
	}
	store16(h + 2, RTE_BE16(41));
	assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), -PTCP_WIRE_ETOTLEN);
	store16(h + 2, RTE_BE16(0xffff));
	assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), -PTCP_WIRE_ETOTLEN);
	store16(h + 2, RTE_BE16(40));
	assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), 0);
}

static void
test_rfc791_ipv4_bad_checksum_rejected_unless_offloaded(void **state)
{
	/* Ensure that a corrupted header is ECKSUM, yet accepted when the NIC verified it. */
	uint8_t h[IP_LEN + GOLDEN_SYN_TCP_LEN];
	struct ptcp_ipv4_info ip;
	uint32_t i;

	(void)state;
	for (i = 0; i < IP_LEN; i++) {
		if (i == 0 || i == 2 || i == 3)
			continue;	/* those are length checks, not the checksum */
		memcpy(h, golden_tcp_syn + ETH_LEN, sizeof(h));
		h[i] ^= 0x10;
		assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), true, &ip), -PTCP_WIRE_ECKSUM);
		assert_int_equal(ptcp_ipv4_parse(h, sizeof(h), false, &ip), 0);
	}
}

static void
test_rfc791_ipv4_fragment_flags(void **state)
{
	/* Ensure that MF or a non-zero offset marks a fragment and DF alone does not. */
	struct ptcp_ipv4_info ip = {0};

	(void)state;
	ip.frag = RTE_IPV4_HDR_DF_FLAG;
	assert_false(ptcp_ipv4_is_fragment(&ip));
	ip.frag = RTE_IPV4_HDR_MF_FLAG;
	assert_true(ptcp_ipv4_is_fragment(&ip));
	ip.frag = 185;
	assert_true(ptcp_ipv4_is_fragment(&ip));
	ip.frag = RTE_IPV4_HDR_DF_FLAG | 1;
	assert_true(ptcp_ipv4_is_fragment(&ip));
}

static void
test_rfc791_ipv4_build_matches_golden_and_round_trips(void **state)
{
	/* Ensure that ptcp_ipv4_build emits the golden header and leaves 0 under offload. */
	uint8_t h[IP_LEN];
	struct ptcp_ipv4_info ip;

	(void)state;
	ptcp_ipv4_build(h, IP_PEER, IP_LOCAL, IPPROTO_ICMP, 64, 0x1c46, 64, false);
	assert_memory_equal(h, golden_icmp_echo + ETH_LEN, IP_LEN);
	ptcp_ipv4_build(h, IP_LOCAL, IP_PEER, IPPROTO_TCP, 1460, 0xfffe, 255, true);
	assert_int_equal(load16(h + 10), 0);
	assert_int_equal(ptcp_ipv4_parse(h, 1480, false, &ip), 0);
	assert_int_equal(ip.src, IP_LOCAL);
	assert_int_equal(ip.dst, IP_PEER);
	assert_int_equal(ip.total_len, 1480);
	assert_int_equal(ip.id, 0xfffe);
	assert_int_equal(ip.ttl, 255);
	assert_int_equal(ip.proto, IPPROTO_TCP);
	assert_int_equal(ip.frag, RTE_IPV4_HDR_DF_FLAG);
	assert_int_equal(ptcp_ipv4_parse(h, 1480, true, &ip), -PTCP_WIRE_ECKSUM);
}

/* ---- ICMP --------------------------------------------------------------- */

static void
test_rfc792_icmp_golden_echo_parsed(void **state)
{
	/* Ensure that the golden echo request yields type, code, ident and seq and verifies. */
	struct ptcp_icmp_info ic;
	const uint8_t *p = golden_icmp_echo + ETH_LEN + IP_LEN;
	const uint32_t len = sizeof(golden_icmp_echo) - ETH_LEN - IP_LEN;
	uint8_t b[64];

	(void)state;
	assert_int_equal(ptcp_icmp_parse(p, len, &ic), 0);
	assert_int_equal(ic.type, RTE_IP_ICMP_ECHO_REQUEST);
	assert_int_equal(ic.code, 0);
	assert_int_equal(ic.ident, 0x1234);
	assert_int_equal(ic.seq, 1);
	memcpy(b, p, len);
	store16(b + 2, 0);
	assert_int_equal((uint16_t)~ptcp_cksum_raw(b, len), RTE_BE16(GOLDEN_ICMP_CKSUM));
}

static void
test_rfc792_icmp_non_echo_has_no_ident(void **state)
{
	/* Ensure that a non-echo message (port unreachable) parses with ident and seq 0. */
	uint8_t b[8 + 28];
	struct ptcp_icmp_info ic;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0] = 3;
	b[1] = 3;
	b[4] = 0x55;	/* unused field, not an ident */
	memcpy(b + 8, golden_tcp_syn + ETH_LEN, 28);
	store16(b + 2, (uint16_t)~ptcp_cksum_raw(b, sizeof(b)));
	assert_int_equal(ptcp_icmp_parse(b, sizeof(b), &ic), 0);
	assert_int_equal(ic.type, 3);
	assert_int_equal(ic.code, 3);
	assert_int_equal(ic.ident, 0);
	assert_int_equal(ic.seq, 0);
}

static void
test_rfc792_icmp_truncated_at_every_length_rejected(void **state)
{
	/* Ensure that ICMP shorter than 8 bytes is ETRUNC, and any other cut fails the checksum. */
	const uint8_t *p = golden_icmp_echo + ETH_LEN + IP_LEN;
	const uint32_t len = sizeof(golden_icmp_echo) - ETH_LEN - IP_LEN;
	struct ptcp_icmp_info ic;
	uint32_t n;

	(void)state;
	for (n = 0; n < len; n++) {
		uint8_t *b = exact_copy(p, n);

		assert_int_equal(ptcp_icmp_parse(b, n, &ic),
				 n < 8 ? -PTCP_WIRE_ETRUNC : -PTCP_WIRE_ECKSUM);
		free(b);
	}
}

static void
test_rfc792_icmp_bad_checksum_rejected(void **state)
{
	/* Ensure that flipping any bit of an echo request makes it ECKSUM. */
	uint8_t b[64];
	struct ptcp_icmp_info ic;
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(b) * 8; i++) {
		memcpy(b, golden_icmp_echo + ETH_LEN + IP_LEN, sizeof(b));
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(ptcp_icmp_parse(b, sizeof(b), &ic), -PTCP_WIRE_ECKSUM);
	}
}

/* ---- TCP ---------------------------------------------------------------- */

static void
test_rfc9293_3_1_golden_syn_parsed(void **state)
{
	/* Ensure that the golden SYN parses to its header fields and all five options. */
	struct ptcp_tcp_seg s;
	struct ptcp_ipv4_info ip;

	(void)state;
	assert_int_equal(ptcp_ipv4_parse(golden_tcp_syn + ETH_LEN, sizeof(golden_tcp_syn) - ETH_LEN,
					 true, &ip), 0);
	assert_int_equal(ip.proto, IPPROTO_TCP);
	assert_int_equal(ip.total_len - ip.hdr_len, GOLDEN_SYN_TCP_LEN);
	assert_int_equal(ptcp_tcp_parse(golden_tcp_syn + GOLDEN_SYN_TCP_OFF, GOLDEN_SYN_TCP_LEN,
					&s), 0);
	assert_int_equal(s.sport, 54321);
	assert_int_equal(s.dport, 7);
	assert_int_equal(s.seq, 0xfffffff0u);
	assert_int_equal(s.ack, 0);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(s.wnd, 64240);
	assert_int_equal(s.urp, 0);
	assert_int_equal(s.hdr_len, 40);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM |
			 PTCP_TCPOPT_F_TS | PTCP_TCPOPT_F_WSCALE);
	assert_int_equal(s.opt.mss, 1460);
	assert_int_equal(s.opt.wscale, 7);
	assert_int_equal(s.opt.tsval, 0xa1b2c3d4u);
	assert_int_equal(s.opt.tsecr, 0);
	assert_int_equal(s.opt.nsack, 0);
	assert_int_equal(ptcp_l4_cksum(ip.src, ip.dst, ip.proto,
				       golden_tcp_syn + GOLDEN_SYN_TCP_OFF, GOLDEN_SYN_TCP_LEN), 0);
}

static void
test_rfc9293_3_1_payload_length_is_segment_minus_header(void **state)
{
	/* Ensure that len counts payload bytes only (seg_len - data offset * 4). */
	uint8_t b[PTCP_TCP_HDR_LEN + 100];
	struct ptcp_tcp_seg s;

	(void)state;
	ptcp_tcp_build(b, 7, 9, 1, 2, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, 5, 0);
	assert_int_equal(ptcp_tcp_parse(b, sizeof(b), &s), 0);
	assert_int_equal(s.len, 100);
	assert_int_equal(s.hdr_len, 20);
	assert_int_equal(s.flags, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG);
	assert_int_equal(s.opt.present, 0);
}

static void
test_rfc9293_3_1_truncated_at_every_length_rejected(void **state)
{
	/* Ensure that a segment cut below 20 bytes is ETRUNC and inside the options EHDRLEN. */
	const uint8_t *h = golden_tcp_syn + GOLDEN_SYN_TCP_OFF;
	struct ptcp_tcp_seg s;
	uint32_t n;

	(void)state;
	for (n = 0; n < GOLDEN_SYN_TCP_LEN; n++) {
		uint8_t *p = exact_copy(h, n);

		assert_int_equal(ptcp_tcp_parse(p, n, &s),
				 n < PTCP_TCP_HDR_LEN ? -PTCP_WIRE_ETRUNC : -PTCP_WIRE_EHDRLEN);
		free(p);
	}
}

static void
test_rfc9293_3_1_data_offset_below_5_rejected(void **state)
{
	/* Ensure that a data offset of 0..4 words is EHDRLEN. */
	uint8_t b[PTCP_TCP_HDR_LEN + 8];
	struct ptcp_tcp_seg s;
	uint8_t doff;

	(void)state;
	memset(b, 0, sizeof(b));
	for (doff = 0; doff < 5; doff++) {
		ptcp_tcp_build(b, 1, 2, 3, 4, RTE_TCP_SYN_FLAG, 5, 0);
		b[12] = (uint8_t)(doff << 4);
		assert_int_equal(ptcp_tcp_parse(b, sizeof(b), &s), -PTCP_WIRE_EHDRLEN);
	}
}

static void
test_rfc9293_3_1_data_offset_beyond_segment_rejected(void **state)
{
	/* Ensure that a data offset reaching past seg_len is EHDRLEN for every offset 6..15. */
	uint8_t b[PTCP_TCP_MAX_HDR_LEN];
	struct ptcp_tcp_seg s;
	uint8_t doff;

	(void)state;
	memset(b, PTCP_TCPOPT_NOP, sizeof(b));
	for (doff = 6; doff <= 15; doff++) {
		ptcp_tcp_build(b, 1, 2, 3, 4, RTE_TCP_ACK_FLAG, 5, (doff - 5) * 4u);
		assert_int_equal(ptcp_tcp_parse(b, doff * 4u - 1, &s), -PTCP_WIRE_EHDRLEN);
		assert_int_equal(ptcp_tcp_parse(b, doff * 4u, &s), 0);
	}
}

static void
test_rfc9293_3_1_option_length_zero_rejected(void **state)
{
	/* Ensure that an option with length 0 is EOPT (it would loop forever). */
	static const uint8_t o[] = {PTCP_TCPOPT_MSS, 0, 0x05, 0xb4};
	static const uint8_t u[] = {0xfe, 0, 1, 1};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), -PTCP_WIRE_EOPT);
	assert_int_equal(parse_opts(u, sizeof(u), &s), -PTCP_WIRE_EOPT);
}

static void
test_rfc9293_3_1_option_length_one_rejected(void **state)
{
	/* Ensure that an option with length 1 is EOPT, for known and unknown kinds. */
	static const uint8_t o[] = {PTCP_TCPOPT_TS, 1, 1, 1};
	static const uint8_t u[] = {1, 1, 0x22, 1};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), -PTCP_WIRE_EOPT);
	assert_int_equal(parse_opts(u, sizeof(u), &s), -PTCP_WIRE_EOPT);
}

static void
test_rfc9293_3_1_option_length_overrun_rejected(void **state)
{
	/* Ensure that an option whose length runs past the header is EOPT. */
	static const uint8_t mss[] = {PTCP_TCPOPT_MSS, 8, 0x05, 0xb4};
	static const uint8_t ts[] = {1, 1, PTCP_TCPOPT_TS, 10, 0, 0, 0, 1};
	static const uint8_t unk[] = {0xfe, 5, 0, 0};
	static const uint8_t ws_edge[] = {1, PTCP_TCPOPT_WSCALE, 3, 7};	/* exactly fits */
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(mss, sizeof(mss), &s), -PTCP_WIRE_EOPT);
	assert_int_equal(parse_opts(ts, sizeof(ts), &s), -PTCP_WIRE_EOPT);
	assert_int_equal(parse_opts(unk, sizeof(unk), &s), -PTCP_WIRE_EOPT);
	assert_int_equal(parse_opts(ws_edge, sizeof(ws_edge), &s), 0);
	assert_int_equal(s.opt.wscale, 7);
}

static void
test_rfc9293_3_1_option_length_byte_past_header_rejected(void **state)
{
	/* Ensure that a non-NOP kind in the last header byte (no room for its length) is EOPT. */
	static const uint8_t o[] = {1, 1, 1, PTCP_TCPOPT_MSS};
	static const uint8_t nops[] = {1, 1, 1, 1};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), -PTCP_WIRE_EOPT);
	assert_int_equal(parse_opts(nops, sizeof(nops), &s), 0);
	assert_int_equal(s.opt.present, 0);
}

static void
test_rfc9293_3_1_options_truncated_at_every_length_rejected(void **state)
{
	/*
	 * Ensure that the golden SYN's option list cut at every byte, with the
	 * header ending at the cut (NOPs in front to keep 4-byte alignment), is
	 * EOPT inside an option and decodes the whole options before it otherwise.
	 */
	const uint8_t *opts = golden_tcp_syn + GOLDEN_SYN_TCP_OFF + PTCP_TCP_HDR_LEN;
	/* CUT_OK marks a cut between options; the other bits are what must decode. */
#define CUT_OK 0x80u
	/* Options start at 0 (MSS), 4 (SACK_PERM), 6 (TS), 16 (NOP), 17 (WS); the end is 20. */
	static const uint8_t want[21] = {
		[0] = CUT_OK, [4] = CUT_OK | PTCP_TCPOPT_F_MSS,
		[6] = CUT_OK | PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM,
		[16] = CUT_OK | PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS,
		[17] = CUT_OK | PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS,
		[20] = CUT_OK | PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS |
		       PTCP_TCPOPT_F_WSCALE,
	};
	struct ptcp_tcp_seg s;
	uint32_t n;

	(void)state;
	for (n = 0; n <= 20; n++) {
		uint8_t o[24], hdr[PTCP_TCP_MAX_HDR_LEN];
		uint32_t pad = (4 - n % 4) % 4, hl;
		uint8_t *p;
		int rc;

		memset(o, PTCP_TCPOPT_NOP, pad);
		memcpy(o + pad, opts, n);
		hl = tcp_with_opts(hdr, o, pad + n);
		assert_int_equal(hl, PTCP_TCP_HDR_LEN + pad + n);
		p = exact_copy(hdr, hl);
		rc = ptcp_tcp_parse(p, hl, &s);
		free(p);
		if (want[n] != 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(s.opt.present, want[n] & ~CUT_OK);
		} else {
			assert_int_equal(rc, -PTCP_WIRE_EOPT);
		}
	}
#undef CUT_OK
}

static void
test_rfc9293_3_1_unknown_option_skipped(void **state)
{
	/* Ensure that an unknown kind is skipped by its length and later options still decode. */
	static const uint8_t o[] = {0xfd, 6, 0xde, 0xad, 0xbe, 0xef,
				    PTCP_TCPOPT_MSS, 4, 0x02, 0x18};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS);
	assert_int_equal(s.opt.mss, 536);
}

static void
test_rfc9293_3_1_eol_ends_option_list(void **state)
{
	/* Ensure that nothing after End of Option List is interpreted, even malformed bytes. */
	static const uint8_t o[] = {PTCP_TCPOPT_EOL, PTCP_TCPOPT_MSS, 4, 0x05, 0xb4, 0xfe, 0, 0};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
	assert_int_equal(s.opt.present, 0);
}

static void
test_rfc9293_3_1_known_option_wrong_length_ignored(void **state)
{
	/* Ensure that MSS, WSCALE, SACK_PERM and TS of a wrong length are skipped, not decoded. */
	static const uint8_t o[] = {
		PTCP_TCPOPT_MSS, 3, 0x05,
		PTCP_TCPOPT_WSCALE, 4, 7, 0,
		PTCP_TCPOPT_SACK_PERM, 3, 0,
		PTCP_TCPOPT_TS, 8, 0, 0, 0, 1, 0, 0,
		PTCP_TCPOPT_MSS, 4, 0x05, 0xb4,	/* a good one after them still decodes */
	};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS);
	assert_int_equal(s.opt.mss, 1460);
	assert_int_equal(s.opt.wscale, 0);
	assert_int_equal(s.opt.tsval, 0);
}

static void
test_rfc9293_3_1_duplicate_options_last_wins(void **state)
{
	/*
	 * Ensure that an option kind appearing twice decodes to the last
	 * well-formed one (as Linux's tcp_parse_options), for MSS, window scale,
	 * timestamps and SACK, and that a later copy of a wrong length does not
	 * erase an earlier good one.
	 */
	static const uint8_t o[] = {
		PTCP_TCPOPT_MSS, 4, 0x03, 0xe8,                     /* 1000 */
		PTCP_TCPOPT_WSCALE, 3, 2,
		PTCP_TCPOPT_MSS, 4, 0x05, 0xb4,                     /* 1460: wins */
		PTCP_TCPOPT_WSCALE, 3, 9,                           /* wins */
		PTCP_TCPOPT_TS, 10, 0, 0, 0, 1, 0, 0, 0, 2,
		PTCP_TCPOPT_TS, 10, 0, 0, 0, 3, 0, 0, 0, 4,         /* wins */
		PTCP_TCPOPT_MSS, 3, 0x01,                           /* bad length: ignored */
	};
	static const uint8_t sk[] = {
		PTCP_TCPOPT_SACK, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
		PTCP_TCPOPT_SACK, 10, 0, 0, 0, 5, 0, 0, 0, 6,       /* wins: one block */
	};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE |
			 PTCP_TCPOPT_F_TS);
	assert_int_equal(s.opt.mss, 1460);
	assert_int_equal(s.opt.wscale, 9);
	assert_int_equal(s.opt.tsval, 3);
	assert_int_equal(s.opt.tsecr, 4);
	assert_int_equal(parse_opts(sk, sizeof(sk), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_SACK);
	assert_int_equal(s.opt.nsack, 1);
	assert_int_equal(s.opt.sack[0].left, 5);
	assert_int_equal(s.opt.sack[0].right, 6);
}

static void
test_rfc9293_3_1_nop_padding_anywhere(void **state)
{
	/*
	 * Ensure that options decode at any alignment with NOPs before, between
	 * and after them (none required), and that 40 bytes of NOPs are no option.
	 */
	static const uint8_t o[] = {
		PTCP_TCPOPT_NOP, PTCP_TCPOPT_MSS, 4, 0x05, 0x78,
		PTCP_TCPOPT_WSCALE, 3, 14,
		PTCP_TCPOPT_NOP, PTCP_TCPOPT_NOP, PTCP_TCPOPT_NOP,
		PTCP_TCPOPT_TS, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7,
		PTCP_TCPOPT_SACK_PERM, 2,
		PTCP_TCPOPT_NOP, PTCP_TCPOPT_SACK, 10, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10,
		PTCP_TCPOPT_NOP, PTCP_TCPOPT_NOP,
	};
	uint8_t nops[40];
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(sizeof(o), 36);
	assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE |
			 PTCP_TCPOPT_F_TS | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_SACK);
	assert_int_equal(s.opt.mss, 1400);
	assert_int_equal(s.opt.wscale, 14);
	assert_int_equal(s.opt.tsval, 0xdeadbeefu);
	assert_int_equal(s.opt.tsecr, 7);
	assert_int_equal(s.opt.nsack, 1);
	assert_int_equal(s.opt.sack[0].left, 0xfffffff0u);
	assert_int_equal(s.opt.sack[0].right, 0x10);
	memset(nops, PTCP_TCPOPT_NOP, sizeof(nops));
	assert_int_equal(parse_opts(nops, sizeof(nops), &s), 0);
	assert_int_equal(s.opt.present, 0);
}

static void
test_rfc9293_3_1_options_before_eol_kept_garbage_after_ignored(void **state)
{
	/*
	 * Ensure that options before End of Option List decode and the bytes
	 * after it, though they would be malformed (length 0, overrun), are
	 * never read as options.
	 */
	static const uint8_t o[] = {
		PTCP_TCPOPT_MSS, 4, 0x02, 0x18,
		PTCP_TCPOPT_NOP, PTCP_TCPOPT_WSCALE, 3, 3,
		PTCP_TCPOPT_EOL, PTCP_TCPOPT_TS, 0, 0xff,
		PTCP_TCPOPT_SACK, 40, 0xff, 0xff,
	};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE);
	assert_int_equal(s.opt.mss, 536);
	assert_int_equal(s.opt.wscale, 3);
	assert_int_equal(s.opt.tsval, 0);
}

static void
test_tcp_opts_len_equals_bytes_built(void **state)
{
	/*
	 * Ensure that ptcp_tcp_opts_len (the header size TCP reserves before
	 * building) equals what ptcp_tcp_opts_build writes for every
	 * combination of options and 0..4 SACK blocks, always a multiple of 4
	 * and at most 40.
	 */
	struct ptcp_tcp_opts o;
	uint8_t b[64];
	uint32_t p, n, len;

	(void)state;
	for (p = 0; p < 32; p++)
		for (n = 0; n <= PTCP_TCP_MAX_SACK; n++) {
			memset(&o, 0, sizeof(o));
			o.present = (uint8_t)p;
			o.nsack = (uint8_t)n;
			o.mss = 1460;
			o.wscale = 14;
			memset(b, 0xee, sizeof(b));
			len = ptcp_tcp_opts_build(b, &o);
			assert_int_equal(ptcp_tcp_opts_len(&o), len);
			assert_true(len % 4 == 0 && len <= 40);
			assert_int_equal(b[len], 0xee);
		}
}

static void
test_rfc7323_2_3_wscale_above_14_clamped(void **state)
{
	/* Ensure that a window scale shift of 15 (or 255) is used as 14. */
	static const uint8_t o15[] = {1, PTCP_TCPOPT_WSCALE, 3, 15};
	static const uint8_t o255[] = {1, PTCP_TCPOPT_WSCALE, 3, 255};
	static const uint8_t o14[] = {1, PTCP_TCPOPT_WSCALE, 3, 14};
	static const uint8_t o0[] = {1, PTCP_TCPOPT_WSCALE, 3, 0};
	struct ptcp_tcp_seg s;

	(void)state;
	assert_int_equal(parse_opts(o15, sizeof(o15), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_WSCALE);
	assert_int_equal(s.opt.wscale, 14);
	assert_int_equal(parse_opts(o255, sizeof(o255), &s), 0);
	assert_int_equal(s.opt.wscale, 14);
	assert_int_equal(parse_opts(o14, sizeof(o14), &s), 0);
	assert_int_equal(s.opt.wscale, 14);
	assert_int_equal(parse_opts(o0, sizeof(o0), &s), 0);
	assert_int_equal(s.opt.present, PTCP_TCPOPT_F_WSCALE);
	assert_int_equal(s.opt.wscale, 0);
}

static void
test_rfc2018_3_sack_one_to_four_blocks_decoded(void **state)
{
	/* Ensure that SACK options with 1..4 blocks decode every edge in host order. */
	uint8_t o[2 + 2 + 4 * 8];
	struct ptcp_tcp_seg s;
	uint32_t n, i;

	(void)state;
	for (n = 1; n <= 4; n++) {
		o[0] = PTCP_TCPOPT_NOP;
		o[1] = PTCP_TCPOPT_NOP;
		o[2] = PTCP_TCPOPT_SACK;
		o[3] = (uint8_t)(2 + 8 * n);
		for (i = 0; i < 2 * n; i++) {
			uint32_t v = 0xfffffff0u + i * 0x100;	/* crosses 2^32 */

			o[4 + 4 * i] = (uint8_t)(v >> 24);
			o[5 + 4 * i] = (uint8_t)(v >> 16);
			o[6 + 4 * i] = (uint8_t)(v >> 8);
			o[7 + 4 * i] = (uint8_t)v;
		}
		/* 4 blocks fill all 40 bytes only without the two NOPs */
		if (n == 4)
			assert_int_equal(parse_opts(o + 2, 2 + 8 * n, &s), 0);
		else
			assert_int_equal(parse_opts(o, 4 + 8 * n, &s), 0);
		assert_int_equal(s.opt.present, PTCP_TCPOPT_F_SACK);
		assert_int_equal(s.opt.nsack, n);
		for (i = 0; i < n; i++) {
			assert_int_equal(s.opt.sack[i].left, 0xfffffff0u + 2 * i * 0x100);
			assert_int_equal(s.opt.sack[i].right, 0xfffffff0u + (2 * i + 1) * 0x100);
		}
	}
}

static void
test_rfc2018_3_sack_five_blocks_rejected(void **state)
{
	/* Ensure that a 5-block SACK (length 42) cannot fit in 40 option bytes and is EOPT. */
	uint8_t o[40];
	struct ptcp_tcp_seg s;

	(void)state;
	memset(o, 0x11, sizeof(o));
	o[0] = PTCP_TCPOPT_SACK;
	o[1] = 2 + 8 * 5;
	assert_int_equal(parse_opts(o, sizeof(o), &s), -PTCP_WIRE_EOPT);
}

static void
test_rfc2018_3_sack_length_not_2_plus_8n_ignored(void **state)
{
	/* Ensure that SACK lengths 2, 9, 11 and 17 are skipped without decoding blocks. */
	static const uint8_t lens[] = {2, 9, 11, 17};
	uint8_t o[20];
	struct ptcp_tcp_seg s;
	uint32_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(lens); i++) {
		memset(o, 0x22, sizeof(o));
		o[0] = PTCP_TCPOPT_SACK;
		o[1] = lens[i];
		memset(o + lens[i], PTCP_TCPOPT_NOP, sizeof(o) - lens[i]);
		assert_int_equal(parse_opts(o, sizeof(o), &s), 0);
		assert_int_equal(s.opt.present, 0);
		assert_int_equal(s.opt.nsack, 0);
	}
}

static void
test_tcp_opts_build_syn_matches_linux_layout(void **state)
{
	/* Ensure that SYN options build to the golden (Linux) 20 bytes: MSS, SACK_PERM+TS, WS. */
	struct ptcp_tcp_opts o = {
		.present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS |
			   PTCP_TCPOPT_F_WSCALE,
		.mss = 1460, .wscale = 7, .tsval = 0xa1b2c3d4u, .tsecr = 0,
	};
	uint8_t b[40];

	(void)state;
	assert_int_equal(ptcp_tcp_opts_build(b, &o), 20);
	assert_memory_equal(b, golden_tcp_syn + GOLDEN_SYN_TCP_OFF + PTCP_TCP_HDR_LEN, 20);
	o.present = 0;
	assert_int_equal(ptcp_tcp_opts_build(b, &o), 0);
}

static void
test_tcp_build_reproduces_golden_syn_frame(void **state)
{
	/* Ensure that eth + ipv4 + tcp opts + tcp builders and the checksum emit the golden SYN. */
	struct ptcp_tcp_opts o = {
		.present = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS |
			   PTCP_TCPOPT_F_WSCALE,
		.mss = 1460, .wscale = 7, .tsval = 0xa1b2c3d4u, .tsecr = 0,
	};
	uint8_t f[sizeof(golden_tcp_syn)];
	uint8_t *tcp = f + GOLDEN_SYN_TCP_OFF;
	uint32_t ol;

	(void)state;
	memset(f, 0xa5, sizeof(f));
	ol = ptcp_tcp_opts_build(tcp + PTCP_TCP_HDR_LEN, &o);
	ptcp_tcp_build(tcp, 54321, 7, 0xfffffff0u, 0, RTE_TCP_SYN_FLAG, 64240, ol);
	store16(tcp + 16, ptcp_l4_cksum(IP_PEER, IP_LOCAL, IPPROTO_TCP, tcp,
					PTCP_TCP_HDR_LEN + ol));
	ptcp_ipv4_build(f + ETH_LEN, IP_PEER, IP_LOCAL, IPPROTO_TCP,
			(uint16_t)(PTCP_TCP_HDR_LEN + ol), 0, 64, false);
	ptcp_eth_build(f, &mac_local, &mac_peer, RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(f, golden_tcp_syn, sizeof(f));
}

static void
test_tcp_opts_build_sack_limited_by_space(void **state)
{
	/* Ensure that SACK blocks are cut to what fits: 4 alone, 3 with TS, 2 with all options. */
	struct ptcp_tcp_opts o = {
		.present = PTCP_TCPOPT_F_SACK, .nsack = 4,
		.sack = {{1, 2}, {3, 4}, {5, 6}, {7, 8}},
	};
	uint8_t b[PTCP_TCP_MAX_HDR_LEN];
	struct ptcp_tcp_seg s;
	uint32_t ol;

	(void)state;
	ol = ptcp_tcp_opts_build(b + PTCP_TCP_HDR_LEN, &o);
	assert_int_equal(ol, 36);
	ptcp_tcp_build(b, 1, 2, 3, 4, RTE_TCP_ACK_FLAG, 5, ol);
	assert_int_equal(ptcp_tcp_parse(b, PTCP_TCP_HDR_LEN + ol, &s), 0);
	assert_int_equal(s.opt.nsack, 4);
	assert_int_equal(s.opt.sack[3].right, 8);

	o.present |= PTCP_TCPOPT_F_TS;
	ol = ptcp_tcp_opts_build(b + PTCP_TCP_HDR_LEN, &o);
	assert_int_equal(ol, 40);
	ptcp_tcp_build(b, 1, 2, 3, 4, RTE_TCP_ACK_FLAG, 5, ol);
	assert_int_equal(ptcp_tcp_parse(b, PTCP_TCP_HDR_LEN + ol, &s), 0);
	assert_int_equal(s.opt.nsack, 3);

	o.present |= PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM;
	ol = ptcp_tcp_opts_build(b + PTCP_TCP_HDR_LEN, &o);
	assert_true(ol <= 40);
	ptcp_tcp_build(b, 1, 2, 3, 4, RTE_TCP_ACK_FLAG, 5, ol);
	assert_int_equal(ptcp_tcp_parse(b, PTCP_TCP_HDR_LEN + ol, &s), 0);
	assert_int_equal(s.opt.nsack, 2);
	assert_int_equal(s.opt.sack[1].left, 3);
}

static void
test_tcp_build_parse_round_trip_random(void **state)
{
	/* Ensure that random headers and options survive build -> parse (wscale clamped to 14). */
	uint8_t b[PTCP_TCP_MAX_HDR_LEN + 16];
	struct ptcp_tcp_opts o;
	struct ptcp_tcp_seg s;
	uint32_t it, i, ol, seq, ack, pl;
	uint16_t sp, dp, wnd;
	uint8_t fl;

	(void)state;
	rng_state = 9293;
	for (it = 0; it < 5000; it++) {
		memset(&o, 0, sizeof(o));
		o.present = (uint8_t)(rng() & 0x1f);
		o.mss = (uint16_t)rng();
		o.wscale = (uint8_t)(rng() % 20);
		o.tsval = rng();
		o.tsecr = rng();
		o.nsack = (uint8_t)(rng() % 5);
		for (i = 0; i < PTCP_TCP_MAX_SACK; i++) {
			o.sack[i].left = rng();
			o.sack[i].right = rng();
		}
		seq = rng();
		ack = rng();
		sp = (uint16_t)rng();
		dp = (uint16_t)rng();
		wnd = (uint16_t)rng();
		fl = (uint8_t)rng();
		pl = rng() % 16;

		ol = ptcp_tcp_opts_build(b + PTCP_TCP_HDR_LEN, &o);
		assert_true(ol % 4 == 0 && ol <= 40);
		ptcp_tcp_build(b, sp, dp, seq, ack, fl, wnd, ol);
		assert_int_equal(ptcp_tcp_parse(b, PTCP_TCP_HDR_LEN + ol + pl, &s), 0);
		assert_int_equal(s.seq, seq);
		assert_int_equal(s.ack, ack);
		assert_int_equal(s.sport, sp);
		assert_int_equal(s.dport, dp);
		assert_int_equal(s.wnd, wnd);
		assert_int_equal(s.flags, fl);
		assert_int_equal(s.urp, 0);
		assert_int_equal(s.hdr_len, PTCP_TCP_HDR_LEN + ol);
		assert_int_equal(s.len, pl);
		if (o.nsack == 0)
			o.present &= (uint8_t)~PTCP_TCPOPT_F_SACK;
		assert_int_equal(s.opt.present, o.present);
		if (o.present & PTCP_TCPOPT_F_MSS)
			assert_int_equal(s.opt.mss, o.mss);
		if (o.present & PTCP_TCPOPT_F_WSCALE)
			assert_int_equal(s.opt.wscale, RTE_MIN(o.wscale, 14));
		if (o.present & PTCP_TCPOPT_F_TS) {
			assert_int_equal(s.opt.tsval, o.tsval);
			assert_int_equal(s.opt.tsecr, o.tsecr);
		}
		if (o.present & PTCP_TCPOPT_F_SACK) {
			assert_true(s.opt.nsack >= 1 && s.opt.nsack <= o.nsack);
			for (i = 0; i < s.opt.nsack; i++) {
				assert_int_equal(s.opt.sack[i].left, o.sack[i].left);
				assert_int_equal(s.opt.sack[i].right, o.sack[i].right);
			}
		}
	}
}

static void
test_rfc9293_3_1_parser_survives_random_headers(void **state)
{
	/* Ensure that random bytes of every length never crash the parsers or read past avail. */
	uint8_t src[80];
	struct ptcp_tcp_seg s;
	struct ptcp_ipv4_info ip;
	struct ptcp_icmp_info ic;
	struct ptcp_arp_info a;
	uint32_t it, n;
	int rc;

	(void)state;
	rng_state = 0xbad;
	for (it = 0; it < 20000; it++) {
		uint8_t *p;

		n = rng() % sizeof(src);
		rng_fill(src, n);
		if (n > 12 && (rng() & 1))
			src[12] = (uint8_t)((5 + rng() % 11) << 4);	/* a valid data offset */
		p = exact_copy(src, n);
		rc = ptcp_tcp_parse(p, n, &s);
		assert_true(rc <= 0 && rc >= -PTCP_WIRE_EARP);
		if (rc == 0)
			assert_true(s.hdr_len <= n && s.opt.nsack <= PTCP_TCP_MAX_SACK &&
				    s.opt.wscale <= 14);
		if (n > 0)
			p[0] = (uint8_t)(0x40 | (p[0] & 0x0f));
		rc = ptcp_ipv4_parse(p, n, (rng() & 1) != 0, &ip);
		assert_true(rc <= 0 && rc >= -PTCP_WIRE_EARP);
		if (rc == 0)
			assert_true(ip.hdr_len <= ip.total_len && ip.total_len <= n);
		rc = ptcp_icmp_parse(p, n, &ic);
		assert_true(rc <= 0);
		rc = ptcp_arp_parse(p, n, &a);
		assert_true(rc <= 0);
		free(p);
	}
}

/* ---- mbuf chains (EAL) -------------------------------------------------- */

static struct rte_mempool *mbuf_pool;

static int
eal_setup(void **state)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "--file-prefix=ptwire%d", (int)getpid());
	char *argv[] = {"test", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level=*:error", prefix};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	mbuf_pool = rte_pktmbuf_pool_create("test_wire", 255, 0, 0, 256 + RTE_PKTMBUF_HEADROOM,
					    (int)rte_socket_id());
	return mbuf_pool == NULL ? -1 : 0;
}

static int
eal_teardown(void **state)
{
	(void)state;
	char dir[PATH_MAX];

	rte_mempool_free(mbuf_pool);
	mbuf_pool = NULL;
	/* EAL makes /var/run/dpdk/<prefix> even with --no-shconf: remove it. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
	return 0;
}

/* Split `n` bytes into a chain of segments with the given lengths (the last takes the rest). */
static struct rte_mbuf *
chain_of(const uint8_t *data, uint32_t n, const uint16_t *lens, uint32_t nlens)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t done = 0, i = 0;

	while (done < n) {
		uint16_t l = (uint16_t)RTE_MIN(i < nlens ? lens[i] : 256u, n - done);
		char *p;

		m = rte_pktmbuf_alloc(mbuf_pool);
		assert_non_null(m);
		p = rte_pktmbuf_append(m, l);
		assert_non_null(p);
		memcpy(p, data + done, l);
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
		done += l;
		i++;
	}
	return head;
}

static void
test_rfc1071_mbuf_chain_odd_split_matches_contiguous(void **state)
{
	/*
	 * Ensure that the checksum over a chain split at odd and even offsets,
	 * from any start offset, equals the contiguous one (DPDK 22.11's
	 * rte_raw_cksum_mbuf gets odd splits of high-valued data wrong).
	 */
	static const uint16_t splits[][5] = {
		{1, 7, 13, 2, 255}, {101, 200}, {3, 3, 3, 3, 3}, {60, 61, 62, 63, 64}, {256},
	};
	uint8_t frame[ETH_LEN + IP_LEN + 600];
	uint8_t *tcp = frame + ETH_LEN + IP_LEN;
	uint32_t i, l4len, it;

	(void)state;
	rng_state = 1071;
	for (it = 0; it < 200; it++) {
		l4len = PTCP_TCP_HDR_LEN + rng() % 580;
		ptcp_tcp_build(tcp, 7, 40000, rng(), rng(), RTE_TCP_ACK_FLAG, 512, 0);
		if (it & 1)
			memset(tcp + PTCP_TCP_HDR_LEN, 0xff, l4len - PTCP_TCP_HDR_LEN);
		else
			rng_fill(tcp + PTCP_TCP_HDR_LEN, l4len - PTCP_TCP_HDR_LEN);
		store16(tcp + 16, ptcp_l4_cksum(IP_LOCAL, IP_PEER, IPPROTO_TCP, tcp, l4len));
		ptcp_ipv4_build(frame + ETH_LEN, IP_LOCAL, IP_PEER, IPPROTO_TCP,
				(uint16_t)l4len, 1, 64, false);
		ptcp_eth_build(frame, &mac_peer, &mac_local, RTE_ETHER_TYPE_IPV4);
		for (i = 0; i < RTE_DIM(splits); i++) {
			struct rte_mbuf *m = chain_of(frame, ETH_LEN + IP_LEN + l4len, splits[i],
						      RTE_DIM(splits[i]));

			/* verification of the stored checksum gives 0 */
			assert_int_equal(ptcp_l4_cksum_mbuf(m, ETH_LEN + IP_LEN, IP_LOCAL, IP_PEER,
							    IPPROTO_TCP, l4len), 0);
			/* and any odd sub-range sums like its contiguous bytes */
			assert_int_equal(ptcp_l4_cksum_mbuf(m, 3, IP_LOCAL, IP_PEER, IPPROTO_TCP,
							    l4len + IP_LEN),
					 ptcp_l4_cksum(IP_LOCAL, IP_PEER, IPPROTO_TCP, frame + 3,
						       l4len + IP_LEN));
			rte_pktmbuf_free(m);
		}
	}
	assert_int_equal(rte_mempool_in_use_count(mbuf_pool), 0);
}

static void
test_rfc1071_raw_mbuf_sum_from_odd_offset_of_chain(void **state)
{
	/*
	 * Ensure that ptcp_cksum_raw_mbuf from an odd offset of a chain cut at odd
	 * byte counts sums like ptcp_cksum_raw over the same bytes made contiguous
	 * (RFC 1071's example as golden), and refuses a range past pkt_len.
	 */
	static const uint8_t golden[] = {0xee, 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static const uint16_t golden_lens[] = {2, 3, 4};      /* ee 00 | 01 f2 03 | f4 .. f7 */
	static const uint16_t lens[] = {7, 1, 254, 3, 129};   /* then 256, 50 */
	uint8_t data[700];
	struct rte_mbuf *m;
	uint16_t sum;
	uint32_t it;

	(void)state;
	m = chain_of(golden, sizeof(golden), golden_lens, RTE_DIM(golden_lens));
	assert_int_equal(ptcp_cksum_raw_mbuf(m, 1, 8, &sum), 0);
	assert_int_equal(rte_be_to_cpu_16(sum), 0xddf2);
	assert_int_equal(ptcp_cksum_raw_mbuf(m, 1, 7, &sum), 0);   /* odd length: f7 dropped */
	assert_int_equal(rte_be_to_cpu_16(sum), 0xdcfb);
	rte_pktmbuf_free(m);

	rng_state = 1624;
	for (it = 0; it < 100; it++) {
		uint32_t off = 1 + 2 * (rng() % 300);   /* odd, in any segment */
		uint32_t len = rng() % (uint32_t)(sizeof(data) - off + 1);

		if (it & 1)
			memset(data, 0xff, sizeof(data));   /* every word carries */
		else
			rng_fill(data, sizeof(data));
		m = chain_of(data, sizeof(data), lens, RTE_DIM(lens));
		assert_int_equal(m->nb_segs, 7);
		assert_int_equal(ptcp_cksum_raw_mbuf(m, off, len, &sum), 0);
		assert_int_equal(sum, ptcp_cksum_raw(data + off, len));
		rte_pktmbuf_free(m);
	}

	m = chain_of(data, sizeof(data), lens, RTE_DIM(lens));
	sum = 0x1234;
	assert_int_equal(ptcp_cksum_raw_mbuf(m, 1, sizeof(data), &sum), -PTCP_WIRE_ETRUNC);
	assert_int_equal(ptcp_cksum_raw_mbuf(m, 0xffffffffu, 2, &sum), -PTCP_WIRE_ETRUNC);
	assert_int_equal(sum, 0x1234);   /* untouched on failure */
	assert_int_equal(ptcp_cksum_raw_mbuf(m, sizeof(data), 0, &sum), 0);
	assert_int_equal(sum, 0);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_in_use_count(mbuf_pool), 0);
}

static void
test_mbuf_checksum_range_past_packet_fails_verification(void **state)
{
	/* Ensure that a range past pkt_len gives non-zero (fails verification), reading nothing. */
	struct rte_mbuf *m;
	static const uint16_t lens[] = {10, 10};

	(void)state;
	m = chain_of(golden_tcp_syn, 30, lens, RTE_DIM(lens));
	assert_int_equal(ptcp_l4_cksum_mbuf(m, 0, IP_PEER, IP_LOCAL, IPPROTO_TCP, 31), 0xffff);
	assert_int_equal(ptcp_l4_cksum_mbuf(m, 29, IP_PEER, IP_LOCAL, IPPROTO_TCP, 2), 0xffff);
	assert_int_equal(ptcp_l4_cksum_mbuf(m, 0xffffffffu, IP_PEER, IP_LOCAL, IPPROTO_TCP, 2),
			 0xffff);
	assert_int_not_equal(ptcp_l4_cksum_mbuf(m, 30, IP_PEER, IP_LOCAL, IPPROTO_TCP, 0), 0xffff);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_in_use_count(mbuf_pool), 0);
}

static void
test_rfc1071_sum_equals_reference_every_length_and_alignment(void **state)
{
	/*
	 * Ensure that ptcp_cksum_raw (64-bit words, end-around carry) gives the 16-bit
	 * one's-complement sum of DPDK's rte_raw_cksum for every length 0..2048 at every
	 * alignment 0..7 and random lengths to 70000, over random bytes and over 0xff bytes
	 * (where carries pile up).
	 */
	static uint8_t buf[70016];
	uint32_t len, off, i;

	(void)state;
	srand(1071);
	for (int fill = 0; fill < 2; fill++) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = fill ? 0xff : (uint8_t)rand();
		for (len = 0; len <= 2048; len++) {
			for (off = 0; off < 8; off++) {
				uint32_t ref = rte_raw_cksum(buf + off, len);

				ref = (ref & 0xffff) + (ref >> 16);
				ref = (ref & 0xffff) + (ref >> 16);
				assert_int_equal(ptcp_cksum_raw(buf + off, len), ref);
			}
		}
		for (i = 0; i < 200; i++) {
			uint64_t ref;

			len = (uint32_t)rand() % 70000;
			off = (uint32_t)rand() % 16;
			ref = 0;
			for (uint32_t j = 0; j + 1 < len; j += 2) {
				uint16_t w;

				memcpy(&w, buf + off + j, 2);
				ref += w;
			}
			if (len & 1) {
				uint16_t w = 0;

				memcpy(&w, buf + off + len - 1, 1);
				ref += w;
			}
			while (ref >> 16)
				ref = (ref & 0xffff) + (ref >> 16);
			assert_int_equal(ptcp_cksum_raw(buf + off, len), ref);
		}
	}
}

static void
test_mbuf_sum_chain_equals_sum_of_bytes_and_follows_the_data(void **state)
{
	/*
	 * Ensure that per-segment sums recorded with ptcp_mbuf_sum_set combine
	 * (odd segment offsets byte-swapped) into the sum of the chain's bytes;
	 * that a segment whose data window moved (rte_pktmbuf_adj) or whose
	 * sum was cleared makes the chain's sum unknown; that an mbuf from the
	 * pool never starts with a sum (rte_pktmbuf_reset clears the flag); and
	 * that a clone of a whole segment carries its sum, one of part not.
	 */
	static const uint16_t lens[] = {7, 1, 254, 3, 129, 2, 77};
	uint8_t data[900];
	struct rte_mbuf *m, *seg, *cl;
	uint16_t sum, want;
	uint32_t it;

	(void)state;
	assert_int_equal(ptcp_mbuf_sum_register(), 0);
	assert_int_not_equal(ptcp_mbuf_sum_flag, 0);
	rng_state = 0x5a5a;
	for (it = 0; it < 200; it++) {
		uint32_t n = 1 + rng() % sizeof(data);

		if (it & 1)
			memset(data, 0xff, n);
		else
			rng_fill(data, n);
		m = chain_of(data, n, lens, RTE_DIM(lens));
		assert_false(ptcp_mbuf_sum_chain(m, &sum));   /* nothing recorded yet */
		for (seg = m; seg != NULL; seg = seg->next)
			ptcp_mbuf_sum_set(seg, ptcp_cksum_raw(rte_pktmbuf_mtod(seg, void *),
							       seg->data_len));
		assert_true(ptcp_mbuf_sum_chain(m, &sum));
		want = ptcp_cksum_raw(data, n);
		assert_true(sum == want || (sum | want) == 0xffff);
		if (m->next != NULL) {
			/* A clone of the whole second segment keeps its sum; of a part, not. */
			cl = rte_pktmbuf_clone(m->next, mbuf_pool);
			assert_non_null(cl);
			assert_true(ptcp_mbuf_sum_get(cl, &sum));
			rte_pktmbuf_free(cl);
			cl = rte_pktmbuf_clone(m->next, mbuf_pool);
			assert_non_null(cl);
			assert_non_null(rte_pktmbuf_adj(cl, 1));
			assert_true(cl->data_len == 0 || !ptcp_mbuf_sum_get(cl, &sum));
			rte_pktmbuf_free(cl);
		}
		if (it % 3 == 0 && m->data_len > 1) {
			assert_non_null(rte_pktmbuf_adj(m, 1));
			assert_false(ptcp_mbuf_sum_chain(m, &sum));
		} else if (it % 3 == 1) {
			ptcp_mbuf_sum_clear(rte_pktmbuf_lastseg(m));
			assert_true(rte_pktmbuf_lastseg(m)->data_len == 0 ||
				    !ptcp_mbuf_sum_chain(m, &sum));
		}
		rte_pktmbuf_free(m);
	}
	/* Every buffer of the pool had a sum recorded above: none comes back with one. */
	for (it = 0; it < 64; it++) {
		m = rte_pktmbuf_alloc(mbuf_pool);
		assert_non_null(m);
		assert_int_equal(m->ol_flags & ptcp_mbuf_sum_flag, 0);
		assert_non_null(rte_pktmbuf_append(m, 10));
		assert_false(ptcp_mbuf_sum_get(m, &sum));
		rte_pktmbuf_free(m);
	}
	assert_int_equal(rte_mempool_in_use_count(mbuf_pool), 0);
}

int
main(void)
{
	const struct CMUnitTest wire[] = {
		cmocka_unit_test(test_rfc1071_3_example_sum),
		cmocka_unit_test(test_rfc1071_odd_length_pads_last_byte_with_zero),
		cmocka_unit_test(test_rfc1071_sum_matches_reference_any_length_and_alignment),
		cmocka_unit_test(test_rfc1071_sum_of_large_buffer_does_not_overflow),
		cmocka_unit_test(test_rfc1071_sum_equals_reference_every_length_and_alignment),
		cmocka_unit_test(test_rfc791_ipv4_header_checksum_vector),
		cmocka_unit_test(test_rfc791_ipv4_header_checksum_matches_dpdk_whatever_the_field_holds),
		cmocka_unit_test(test_rfc791_ipv4_header_checksum_covers_options),
		cmocka_unit_test(test_rfc9293_3_1_tcp_checksum_golden_syn),
		cmocka_unit_test(test_rfc9293_3_1_tcp_checksum_odd_payload),
		cmocka_unit_test(test_tx_offload_pseudo_header_seed_completes_to_full_checksum),
		cmocka_unit_test(test_rfc1624_4_example_yields_zero_not_minus_zero),
		cmocka_unit_test(test_rfc1624_incremental_update_matches_recompute),
		cmocka_unit_test(test_rfc1624_payload_sum_from_header_equals_full_sum),
		cmocka_unit_test(test_eth_golden_frames_ether_types),
		cmocka_unit_test(test_eth_truncated_at_every_length_rejected),
		cmocka_unit_test(test_rfc826_arp_golden_request_parsed),
		cmocka_unit_test(test_rfc826_arp_truncated_at_every_length_rejected),
		cmocka_unit_test(test_rfc826_arp_not_ethernet_ipv4_rejected),
		cmocka_unit_test(test_eth_and_arp_build_match_golden_request),
		cmocka_unit_test(test_rfc791_ipv4_golden_echo_parsed),
		cmocka_unit_test(test_rfc791_ipv4_ethernet_padding_accepted),
		cmocka_unit_test(test_rfc791_ipv4_truncated_at_every_length_rejected),
		cmocka_unit_test(test_rfc791_ipv4_header_with_options_truncated_rejected),
		cmocka_unit_test(test_rfc791_ipv4_version_6_rejected),
		cmocka_unit_test(test_rfc791_ipv4_ihl_below_5_rejected),
		cmocka_unit_test(test_rfc791_ipv4_ihl_beyond_total_length_rejected),
		cmocka_unit_test(
			test_rfc791_ipv4_total_length_below_header_or_above_frame_rejected),
		cmocka_unit_test(test_rfc791_ipv4_bad_checksum_rejected_unless_offloaded),
		cmocka_unit_test(test_rfc791_ipv4_fragment_flags),
		cmocka_unit_test(test_rfc791_ipv4_build_matches_golden_and_round_trips),
		cmocka_unit_test(test_rfc792_icmp_golden_echo_parsed),
		cmocka_unit_test(test_rfc792_icmp_non_echo_has_no_ident),
		cmocka_unit_test(test_rfc792_icmp_truncated_at_every_length_rejected),
		cmocka_unit_test(test_rfc792_icmp_bad_checksum_rejected),
		cmocka_unit_test(test_rfc9293_3_1_golden_syn_parsed),
		cmocka_unit_test(test_rfc9293_3_1_payload_length_is_segment_minus_header),
		cmocka_unit_test(test_rfc9293_3_1_truncated_at_every_length_rejected),
		cmocka_unit_test(test_rfc9293_3_1_data_offset_below_5_rejected),
		cmocka_unit_test(test_rfc9293_3_1_data_offset_beyond_segment_rejected),
		cmocka_unit_test(test_rfc9293_3_1_option_length_zero_rejected),
		cmocka_unit_test(test_rfc9293_3_1_option_length_one_rejected),
		cmocka_unit_test(test_rfc9293_3_1_option_length_overrun_rejected),
		cmocka_unit_test(test_rfc9293_3_1_option_length_byte_past_header_rejected),
		cmocka_unit_test(test_rfc9293_3_1_options_truncated_at_every_length_rejected),
		cmocka_unit_test(test_rfc9293_3_1_unknown_option_skipped),
		cmocka_unit_test(test_rfc9293_3_1_eol_ends_option_list),
		cmocka_unit_test(test_rfc9293_3_1_known_option_wrong_length_ignored),
		cmocka_unit_test(test_rfc9293_3_1_duplicate_options_last_wins),
		cmocka_unit_test(test_rfc9293_3_1_nop_padding_anywhere),
		cmocka_unit_test(test_rfc9293_3_1_options_before_eol_kept_garbage_after_ignored),
		cmocka_unit_test(test_tcp_opts_len_equals_bytes_built),
		cmocka_unit_test(test_rfc7323_2_3_wscale_above_14_clamped),
		cmocka_unit_test(test_rfc2018_3_sack_one_to_four_blocks_decoded),
		cmocka_unit_test(test_rfc2018_3_sack_five_blocks_rejected),
		cmocka_unit_test(test_rfc2018_3_sack_length_not_2_plus_8n_ignored),
		cmocka_unit_test(test_tcp_opts_build_syn_matches_linux_layout),
		cmocka_unit_test(test_tcp_build_reproduces_golden_syn_frame),
		cmocka_unit_test(test_tcp_opts_build_sack_limited_by_space),
		cmocka_unit_test(test_tcp_build_parse_round_trip_random),
		cmocka_unit_test(test_rfc9293_3_1_parser_survives_random_headers),
	};
	const struct CMUnitTest wire_mbuf[] = {
		cmocka_unit_test(test_rfc1071_mbuf_chain_odd_split_matches_contiguous),
		cmocka_unit_test(test_mbuf_checksum_range_past_packet_fails_verification),
		cmocka_unit_test(test_rfc1071_raw_mbuf_sum_from_odd_offset_of_chain),
		cmocka_unit_test(test_mbuf_sum_chain_equals_sum_of_bytes_and_follows_the_data),
	};
	int failed;

	failed = cmocka_run_group_tests_name("wire", wire, NULL, NULL);
	failed += cmocka_run_group_tests_name("wire_mbuf", wire_mbuf, eal_setup, eal_teardown);
	return failed == 0 ? 0 : 1;
}
