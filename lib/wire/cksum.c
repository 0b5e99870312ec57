/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cksum.c - Internet checksums: the RFC 1071 one's-complement sum, RFC 1624
 * incremental updates, the IPv4 header checksum and the TCP/UDP checksum over
 * the IPv4 pseudo header (RFC 9293 3.1), for contiguous buffers and mbuf
 * chains.
 *
 * Byte order: one's-complement addition is commutative over 16-bit words, so
 * every sum here is taken over words exactly as they are stored in memory
 * (RFC 1071 1.2 "Byte Order Independence"). A returned checksum is therefore
 * the value to store into the header field as is, without rte_cpu_to_be_16().
 *
 * Call order: ptcp_l4_cksum() / ptcp_l4_cksum_mbuf() -> phdr_sum() +
 * ptcp_cksum_raw() (rte_raw_cksum() in chunks) or ptcp_cksum_raw_mbuf() (the
 * same per segment) -> fold -> invert.
 */
#include <stdint.h>
#include <string.h>

#include <rte_bitops.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "ptcp_wire.h"

/* Fold a 32-bit one's-complement accumulator to 16 bits. */
static inline uint16_t
fold32(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Fold a 64-bit one's-complement accumulator (2^64 = 1 mod 0xffff) to 16 bits. */
static inline uint16_t
fold64(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return fold32((uint32_t)sum);
}

/*
 * RFC 1071 4.1 over 64-bit words: add each word, count the carries out,
 * and add the count back at the end (end-around carry; 2^64 = 1 modulo
 * 0xffff, so the folded result is the 16-bit sum, in the same memory-order
 * words). DPDK 22.11's rte_raw_cksum() adds one 16-bit word at a time:
 * measured on this code's target (-march=corei7, gcc -O2), 1460 bytes take
 * it 1115 cycles and this 264, 64 bytes 49 and 25. Equal results are
 * checked against rte_raw_cksum() over every length to 2048 and alignment
 * (test_wire.c).
 */
uint16_t
ptcp_cksum_raw(const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0, carry = 0, w, tail = 0;

	while (len >= 32) {
		uint64_t v0, v1, v2, v3;

		/* Four scalar loads: an array copy went through the stack (gcc 12). */
		memcpy(&v0, p, 8);
		memcpy(&v1, p + 8, 8);
		memcpy(&v2, p + 16, 8);
		memcpy(&v3, p + 24, 8);
		sum += v0;
		carry += sum < v0;
		sum += v1;
		carry += sum < v1;
		sum += v2;
		carry += sum < v2;
		sum += v3;
		carry += sum < v3;
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(&w, p, 8);
		sum += w;
		carry += sum < w;
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		tail += v;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t v;

		memcpy(&v, p, 2);
		tail += v;
		p += 2;
		len -= 2;
	}
	if (len > 0) {
		uint16_t v = 0;    /* the odd byte, padded with zero as the RFC says */

		memcpy(&v, p, 1);
		tail += v;
	}
	sum += tail;
	carry += sum < tail;
	sum += carry;
	sum += sum < carry;
	return fold64(sum);
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 this can never
 * produce 0xffff (-0) from a checksum of non-zero data, so the result equals
 * a full recomputation bit for bit, except when the updated data are all
 * zero: recomputation gives ffff there, eqn. 3 0000 (which does not verify).
 * Callers whose data can be all zero (an ICMP echo reply) store ffff for 0000.
 */
uint16_t
ptcp_cksum_update16(uint16_t cksum, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum;

	sum = (uint16_t)~cksum;
	sum += (uint16_t)~old_word;
	sum += new_word;
	return (uint16_t)~fold32(sum);
}

uint16_t
ptcp_cksum_update32(uint16_t cksum, uint32_t old_word, uint32_t new_word)
{
	uint32_t sum;

	/* A 32-bit field is two 16-bit words; which half is which does not matter. */
	sum = (uint16_t)~cksum;
	sum += (uint16_t)~(old_word >> 16);
	sum += (uint16_t)~(old_word & 0xffff);
	sum += new_word >> 16;
	sum += new_word & 0xffff;
	return (uint16_t)~fold32(sum);
}

/*
 * Sums the header around the checksum field (bytes 10-11), so the result is
 * the value to store whatever the field holds now. Unlike rte_ipv4_cksum(),
 * the caller need not zero the field first.
 */
uint16_t
ptcp_ipv4_hdr_cksum(const struct rte_ipv4_hdr *ip)
{
	uint32_t sum;

	/*
	 * The whole header in 64-bit words, then the field taken out again
	 * (one's complement subtraction: add its complement). The header is
	 * never all zeros, so neither sum is the ambiguous zero.
	 */
	sum = ptcp_cksum_raw(ip, rte_ipv4_hdr_len(ip));
	sum += (uint16_t)~ip->hdr_checksum;
	return (uint16_t)~fold32(sum);
}

/* RFC 9293 3.1 pseudo header: src, dst, zero, proto, TCP length; not folded. */
static inline uint32_t
phdr_sum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len)
{
	uint32_t sum;

	sum = (src >> 16) + (src & 0xffff);
	sum += (dst >> 16) + (dst & 0xffff);
	sum += rte_cpu_to_be_16((uint16_t)proto);
	sum += rte_cpu_to_be_16((uint16_t)l4_len);	/* at most 65515 for IPv4 */
	return sum;
}

uint16_t
ptcp_l4_phdr_cksum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len)
{
	return fold32(phdr_sum(src, dst, proto, l4_len));
}

/*
 * Serves both computing and verifying, so a computed 0 is returned as 0: a UDP
 * sender must store 0xffff instead (RFC 768); TCP has no such rule.
 */
uint16_t
ptcp_l4_cksum(rte_be32_t src, rte_be32_t dst, uint8_t proto, const void *l4, uint32_t l4_len)
{
	uint32_t sum = phdr_sum(src, dst, proto, l4_len);

	return (uint16_t)~fold32(sum + ptcp_cksum_raw(l4, l4_len));
}

/*
 * Not rte_raw_cksum_mbuf(): in DPDK 22.11 (and later releases) it truncates
 * each segment's unreduced 32-bit partial sum to 16 bits before byte-swapping
 * one that starts at an odd offset, losing the carries, so chains split at an
 * odd byte give wrong sums. Here each segment is reduced first, then swapped.
 */
int
ptcp_cksum_raw_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *sum)
{
	const struct rte_mbuf *seg;
	uint32_t acc = 0, done = 0;

	if ((uint64_t)off + len > rte_pktmbuf_pkt_len(m))
		return -PTCP_WIRE_ETRUNC;
	for (seg = m; seg != NULL && off >= rte_pktmbuf_data_len(seg); seg = seg->next)
		off -= rte_pktmbuf_data_len(seg);
	while (done < len) {
		uint32_t seglen;
		uint16_t part;

		if (seg == NULL)
			return -PTCP_WIRE_ETRUNC;	/* pkt_len disagrees with the chain */
		seglen = RTE_MIN((uint32_t)rte_pktmbuf_data_len(seg) - off, len - done);
		part = ptcp_cksum_raw(rte_pktmbuf_mtod_offset(seg, const uint8_t *, off), seglen);
		/* A segment starting at an odd byte of the range has its words shifted. */
		acc += (done & 1) ? rte_bswap16(part) : part;
		acc = fold32(acc);
		done += seglen;
		off = 0;
		seg = seg->next;
	}
	*sum = (uint16_t)acc;
	return 0;
}

/*
 * If the range runs past the packet, returns 0xffff: never a valid TCP
 * checksum to store (the sum of a pseudo header is never zero), and non-zero,
 * so a verifying caller sees a failure.
 */
uint16_t
ptcp_l4_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, rte_be32_t src, rte_be32_t dst,
		   uint8_t proto, uint32_t l4_len)
{
	uint16_t sum;

	if (ptcp_cksum_raw_mbuf(m, off, l4_len, &sum) != 0)
		return 0xffff;
	return (uint16_t)~fold32(sum + phdr_sum(src, dst, proto, l4_len));
}

uint16_t
ptcp_l4_cksum_from_sum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len,
		       uint16_t sum)
{
	/* phdr_sum() > 0 (proto), so fold32() lands in [1, ffff] for 0000 and ffff alike. */
	return (uint16_t)~fold32(phdr_sum(src, dst, proto, l4_len) + sum);
}

uint16_t
ptcp_l4_payload_sum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len,
		    const void *hdr, uint32_t hdr_len)
{
	uint32_t known = phdr_sum(src, dst, proto, l4_len) + ptcp_cksum_raw(hdr, hdr_len);

	/* All of it sums to ffff, which is -0: the payload is the negation of the rest. */
	return (uint16_t)~fold32(known);
}

/* ---- Payload sums carried with mbufs (ptcp_wire.h explains the scheme) ---- */

int ptcp_mbuf_sum_offset = -1;
uint64_t ptcp_mbuf_sum_flag;

int
ptcp_mbuf_sum_register(void)
{
	static const struct rte_mbuf_dynfield field = {
		.name = "ptcp_mbuf_payload_sum",
		.size = sizeof(struct ptcp_mbuf_sum),
		.align = __alignof__(struct ptcp_mbuf_sum),
	};
	static const struct rte_mbuf_dynflag flag = {
		.name = "ptcp_mbuf_payload_sum_valid",
	};
	int off, bit;

	if (ptcp_mbuf_sum_flag != 0)
		return 0;
	off = rte_mbuf_dynfield_register(&field);
	if (off < 0)
		return -rte_errno;
	bit = rte_mbuf_dynflag_register(&flag);
	if (bit < 0)
		return -rte_errno;
	ptcp_mbuf_sum_offset = off;
	ptcp_mbuf_sum_flag = RTE_BIT64(bit);
	return 0;
}

bool
ptcp_mbuf_sum_chain(const struct rte_mbuf *m, uint16_t *sum)
{
	uint32_t acc = 0, pos = 0;

	for (; m != NULL; m = m->next) {
		uint16_t s;

		if (!ptcp_mbuf_sum_get(m, &s))
			return false;
		acc += ptcp_cksum_at(s, pos);
		pos += m->data_len;
	}
	*sum = fold32(acc);
	return true;
}
