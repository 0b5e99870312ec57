/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_wire.h - header views: bounds checks, parsers into host-order structs,
 * builders, and Internet checksums (RFC 1071, incremental per RFC 1624).
 *
 * No state (beyond the process-wide mbuf dynamic field and flag that carry
 * a payload's sum, registered once), no mbuf ownership, no rte_eth_* calls.
 * Every parser first checks that the bytes it reads are inside `avail`; once
 * it returns 0 the caller may use the DPDK header view (struct rte_*_hdr) up
 * to the checked length.
 *
 * Conventions used across polltcp:
 *   - IPv4 addresses are rte_be32_t (network order) everywhere;
 *   - ports, sequence numbers, lengths and windows are host order in parsed
 *     structs and in the API.
 *
 * Parsers return 0 or a negative PTCP_WIRE_E* code naming what was wrong, so
 * callers can count the exact drop reason.
 */
#ifndef PTCP_WIRE_H
#define PTCP_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

/* Parse errors (negative return values). */
enum ptcp_wire_err {
	PTCP_WIRE_OK = 0,
	PTCP_WIRE_ETRUNC = 1,    /* fewer bytes than the header claims/needs */
	PTCP_WIRE_EVERSION,      /* IPv4 version != 4 */
	PTCP_WIRE_EHDRLEN,       /* IHL < 5, TCP data offset < 5, or beyond the packet */
	PTCP_WIRE_ETOTLEN,       /* IPv4 total length < IHL*4 or > frame */
	PTCP_WIRE_ECKSUM,        /* bad checksum */
	PTCP_WIRE_EOPT,          /* malformed option (length 0/1, runs past header, bad size) */
	PTCP_WIRE_EARP,          /* ARP not Ethernet/IPv4 (htype/ptype/hlen/plen) */
};

/* ---- Checksums ---------------------------------------------------------- */

/** One's-complement sum of `len` bytes folded to 16 bits, not inverted. */
uint16_t ptcp_cksum_raw(const void *buf, uint32_t len);

/**
 * RFC 1624 eqn. 3 incremental update: HC' = ~(~HC + ~m + m'). `cksum` is the
 * checksum field as stored (network order), `old`/`new` 16-bit words as stored.
 * Returns the new checksum field value (network order): what a full
 * recomputation gives, except 0000 where that gives ffff (all-zero data).
 */
uint16_t ptcp_cksum_update16(uint16_t cksum, uint16_t old_word, uint16_t new_word);
/** Same for a 32-bit field (e.g. an address or sequence number), as stored. */
uint16_t ptcp_cksum_update32(uint16_t cksum, uint32_t old_word, uint32_t new_word);

/**
 * IPv4 header checksum over ihl*4 bytes (options included); field value to
 * store. The current checksum field is treated as zero, so the caller need
 * not clear it (unlike rte_ipv4_cksum).
 */
uint16_t ptcp_ipv4_hdr_cksum(const struct rte_ipv4_hdr *ip);

/**
 * TCP/UDP checksum over the IPv4 pseudo header + `l4_len` bytes at `l4`
 * (contiguous). The checksum field inside l4 must be 0 when computing a value
 * to store; to verify a received segment pass it as is and expect 0.
 * Returns the value to store (network order; 0 means "verified OK" when
 * verifying).
 */
uint16_t ptcp_l4_cksum(rte_be32_t src, rte_be32_t dst, uint8_t proto,
		       const void *l4, uint32_t l4_len);

/**
 * One's-complement sum of `len` bytes at offset `off` of a (chained) mbuf,
 * folded to 16 bits, not inverted: the value ptcp_cksum_raw() gives over the
 * same bytes made contiguous, whatever the segment boundaries (odd ones
 * included). Stores it in *sum and returns 0, or returns -PTCP_WIRE_ETRUNC
 * (*sum untouched) if the range runs past pkt_len or the chain holds fewer
 * bytes than pkt_len says. Reads only the range. Verifying a message whose
 * checksum field is inside the range: expect 0xffff.
 *
 * Written out rather than using rte_raw_cksum_mbuf(), which in DPDK 22.11
 * drops carries on segments that start at an odd offset (see test_wire.c).
 */
int ptcp_cksum_raw_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *sum);

/**
 * As ptcp_l4_cksum but over `l4_len` bytes at offset `off` of a (chained)
 * mbuf (summed by ptcp_cksum_raw_mbuf). Returns 0xffff (never a valid result
 * to store, and a verification failure) if the range runs past pkt_len.
 */
uint16_t ptcp_l4_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, rte_be32_t src,
			    rte_be32_t dst, uint8_t proto, uint32_t l4_len);

/** Pseudo-header sum (not inverted) to seed the checksum field for TX offload. */
uint16_t ptcp_l4_phdr_cksum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len);

/** One's-complement addition of two folded sums (a + b with end-around carry). */
static inline uint16_t
ptcp_cksum_add(uint16_t a, uint16_t b)
{
	uint32_t s = (uint32_t)a + b;

	return (uint16_t)((s & 0xffff) + (s >> 16));
}

/**
 * The sum of data that starts at an odd offset of the range it is added
 * into: its bytes pair the other way round (RFC 1071 2(B)), so it is swapped.
 */
static inline uint16_t
ptcp_cksum_at(uint16_t sum, uint32_t off)
{
	return (off & 1) ? rte_bswap16(sum) : sum;
}

/**
 * TCP/UDP checksum (value to store) from the folded sum of all `l4_len`
 * bytes (checksum field 0): pseudo header arithmetic only, no byte read.
 * Equal, bit for bit, to ptcp_l4_cksum() over the same bytes for any
 * representation of that sum (0000 or ffff for zero).
 */
uint16_t ptcp_l4_cksum_from_sum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len,
				uint16_t sum);

/**
 * RFC 1624 in reverse: once a received segment verified (pseudo header +
 * header + payload sum to ffff), the one's-complement sum of its payload is
 * known from the pseudo header and the `hdr_len` header bytes alone (the
 * checksum field as received): payload = -(pseudo header + header).
 */
uint16_t ptcp_l4_payload_sum(rte_be32_t src, rte_be32_t dst, uint8_t proto, uint32_t l4_len,
			     const void *hdr, uint32_t hdr_len);

/* ---- Payload sums carried with mbufs ------------------------------------ */

/*
 * Where a port has no TCP checksum offload, an echoed payload would be
 * summed twice: when its segment is verified at receive and when the reply
 * is built. Instead the sum learnt at receive travels with the payload mbuf
 * and the reply's checksum is computed from it (tcp_queue.c, ipv4.c).
 *
 * Storage: an mbuf dynamic field (the sum, and the data_off / data_len it
 * covers) plus a dynamic flag in ol_flags saying it is valid. A dynamic
 * field because the mbuf has no field that is both free while the payload
 * sits in a queue and left alone by the PMD, the application and DPDK's
 * clone/attach (hash, tx_offload and the RX flags are read by the TX path
 * or rewritten by helpers), and because per-connection state stays as it
 * is. The flag in ol_flags, because rte_pktmbuf_reset() clears it on every
 * allocation, so a buffer from the pool never inherits a stale sum, and
 * rte_pktmbuf_attach() copies flag and field to a clone of the same bytes.
 * The recorded data_off/data_len make a sum of an mbuf whose window moved
 * (rte_pktmbuf_adj, a trim) invalid by itself. What the flag cannot see is
 * bytes rewritten in place: whoever writes into a payload clears it
 * (ptcp_mbuf_sum_clear), as the stack does wherever it copies into a
 * buffer. Invariant: flag set => the field holds the one's-complement sum
 * of the data_len bytes at data_off of that segment.
 *
 * If no ol_flags bit is free the feature is off: every accessor then says
 * "unknown" and checksums are computed as usual.
 */
struct ptcp_mbuf_sum {
	uint16_t sum;        /* folded, not inverted (as ptcp_cksum_raw) */
	uint16_t data_off;   /* the window it was taken over */
	uint16_t data_len;
};

extern int ptcp_mbuf_sum_offset;       /* dynamic field, -1 before registration */
extern uint64_t ptcp_mbuf_sum_flag;    /* dynamic ol_flags bit, 0 when unavailable */

/** Register the dynamic field and flag (idempotent). 0, or -rte_errno (feature off). */
int ptcp_mbuf_sum_register(void);

/** Record sum as the sum of m's own data (this segment, not the chain). */
static inline void
ptcp_mbuf_sum_set(struct rte_mbuf *m, uint16_t sum)
{
	struct ptcp_mbuf_sum *s;

	if (ptcp_mbuf_sum_flag == 0)
		return;
	s = RTE_MBUF_DYNFIELD(m, ptcp_mbuf_sum_offset, struct ptcp_mbuf_sum *);
	s->sum = sum;
	s->data_off = m->data_off;
	s->data_len = m->data_len;
	m->ol_flags |= ptcp_mbuf_sum_flag;
}

/** Forget the sum of segment m (its bytes change or are unknown). */
static inline void
ptcp_mbuf_sum_clear(struct rte_mbuf *m)
{
	m->ol_flags &= ~ptcp_mbuf_sum_flag;
}

/** True, with *sum, when the sum of segment m's data is known. */
static inline bool
ptcp_mbuf_sum_get(const struct rte_mbuf *m, uint16_t *sum)
{
	const struct ptcp_mbuf_sum *s;

	if (m->data_len == 0) {
		*sum = 0;
		return true;
	}
	if (!(m->ol_flags & ptcp_mbuf_sum_flag))   /* never set while the flag is 0 */
		return false;
	s = RTE_MBUF_DYNFIELD(m, ptcp_mbuf_sum_offset, const struct ptcp_mbuf_sum *);
	if (s->data_off != m->data_off || s->data_len != m->data_len)
		return false;
	*sum = s->sum;
	return true;
}

/**
 * True, with *sum, when every segment of chain m has a known sum: *sum is
 * then what ptcp_cksum_raw_mbuf(m, 0, pkt_len) would give, without reading
 * a byte. False as soon as one segment's sum is unknown.
 */
bool ptcp_mbuf_sum_chain(const struct rte_mbuf *m, uint16_t *sum);

/* ---- Ethernet / ARP ----------------------------------------------------- */

struct ptcp_arp_info {
	uint16_t op;                   /* RTE_ARP_OP_REQUEST / REPLY (host order) */
	struct rte_ether_addr sha;     /* sender hardware address */
	rte_be32_t spa;                /* sender protocol address */
	struct rte_ether_addr tha;
	rte_be32_t tpa;
};

/** Check an Ethernet header; returns 0 and sets *ether_type (host order). */
int ptcp_eth_parse(const void *buf, uint32_t avail, uint16_t *ether_type);
/** Parse an ARP packet (after the Ethernet header). Ethernet/IPv4 only. */
int ptcp_arp_parse(const void *buf, uint32_t avail, struct ptcp_arp_info *out);
/** Write a 14-byte Ethernet header. */
void ptcp_eth_build(void *buf, const struct rte_ether_addr *dst,
		    const struct rte_ether_addr *src, uint16_t ether_type);
/** Write a 28-byte Ethernet/IPv4 ARP body. */
void ptcp_arp_build(void *buf, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa,
		    const struct rte_ether_addr *tha, rte_be32_t tpa);

/* ---- IPv4 --------------------------------------------------------------- */

struct ptcp_ipv4_info {
	rte_be32_t src;
	rte_be32_t dst;
	uint16_t hdr_len;      /* IHL * 4 */
	uint16_t total_len;    /* from the header, validated <= avail */
	uint16_t frag;         /* host order fragment_offset field (flags + offset) */
	uint16_t id;           /* host order */
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
};

static inline bool
ptcp_ipv4_is_fragment(const struct ptcp_ipv4_info *ip)
{
	return (ip->frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* A frame's TCP 4-tuple as seen from the receiver: ports in host order. */
struct ptcp_frame_tuple {
	rte_be32_t src;
	rte_be32_t dst;
	uint16_t sport;
	uint16_t dport;
};

/**
 * Classify received frame m (data at its Ethernet header) in one look at
 * its first segment: true and *t for an IPv4 TCP segment that is not a
 * fragment, else false (ARP, ICMP, fragments, anything short). Nothing is
 * validated beyond what reading the tuple needs: the steering and lookup
 * decisions it feeds are checked again by the layers that own them.
 */
static inline bool
ptcp_frame_tcp_tuple(const struct rte_mbuf *m, struct ptcp_frame_tuple *t)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	uint32_t ihl;
	const uint8_t *p;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip) + 4) ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ip->next_proto_id != IPPROTO_TCP ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4u;
	if (unlikely(ihl < sizeof(*ip) || rte_pktmbuf_data_len(m) < sizeof(*eth) + ihl + 4))
		return false;
	p = (const uint8_t *)ip + ihl;
	t->src = ip->src_addr;
	t->dst = ip->dst_addr;
	t->sport = (uint16_t)(p[0] << 8 | p[1]);
	t->dport = (uint16_t)(p[2] << 8 | p[3]);
	return true;
}

/**
 * Validate an IPv4 header at `buf` with `avail` bytes of frame after the
 * Ethernet header: version 4, IHL >= 5, IHL*4 <= total length <= avail, and
 * the header checksum when `verify_cksum` (pass false when the NIC reported
 * RTE_MBUF_F_RX_IP_CKSUM_GOOD). Options are skipped, not interpreted.
 */
int ptcp_ipv4_parse(const void *buf, uint32_t avail, bool verify_cksum,
		    struct ptcp_ipv4_info *out);

/**
 * Write a 20-byte IPv4 header (no options, DF set) with total length
 * 20 + payload_len. The header checksum is computed unless `cksum_offload`,
 * in which case it is left 0 for the NIC.
 */
void ptcp_ipv4_build(void *buf, rte_be32_t src, rte_be32_t dst, uint8_t proto,
		     uint16_t payload_len, uint16_t id, uint8_t ttl, bool cksum_offload);

/* ---- ICMP --------------------------------------------------------------- */

struct ptcp_icmp_info {
	uint8_t type;
	uint8_t code;
	uint16_t ident;   /* echo only, host order */
	uint16_t seq;     /* echo only, host order */
};

/** Parse and checksum-verify an ICMP message of `len` bytes. */
int ptcp_icmp_parse(const void *buf, uint32_t len, struct ptcp_icmp_info *out);

/* ---- TCP ---------------------------------------------------------------- */

#define PTCP_TCP_HDR_LEN       20u
#define PTCP_TCP_MAX_HDR_LEN   60u
#define PTCP_TCP_MAX_SACK      4

/* Option kinds (RFC 9293, 7323, 2018). */
#define PTCP_TCPOPT_EOL        0
#define PTCP_TCPOPT_NOP        1
#define PTCP_TCPOPT_MSS        2
#define PTCP_TCPOPT_WSCALE     3
#define PTCP_TCPOPT_SACK_PERM  4
#define PTCP_TCPOPT_SACK       5
#define PTCP_TCPOPT_TS         8

/* ptcp_tcp_opts.present bits */
#define PTCP_TCPOPT_F_MSS       (1u << 0)
#define PTCP_TCPOPT_F_WSCALE    (1u << 1)
#define PTCP_TCPOPT_F_SACK_PERM (1u << 2)
#define PTCP_TCPOPT_F_SACK      (1u << 3)
#define PTCP_TCPOPT_F_TS        (1u << 4)

struct ptcp_sack_block {
	uint32_t left;
	uint32_t right;
};

struct ptcp_tcp_opts {
	uint8_t present;          /* PTCP_TCPOPT_F_* */
	uint8_t wscale;
	uint8_t nsack;
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	struct ptcp_sack_block sack[PTCP_TCP_MAX_SACK];
};

/** A received TCP segment, decoded to host order (like smoltcp tcp::Repr). */
struct ptcp_tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;          /* payload bytes (SYN/FIN not counted) */
	uint16_t sport;
	uint16_t dport;
	uint16_t wnd;          /* raw, unscaled */
	uint16_t urp;
	uint8_t flags;         /* RTE_TCP_*_FLAG bits */
	uint8_t hdr_len;       /* data offset * 4 */
	struct ptcp_tcp_opts opt;
};

/**
 * Parse a TCP header of a segment `seg_len` bytes long (header + payload) that
 * is contiguous for at least the header. Checks data offset (>= 5, header
 * within seg_len) and decodes options: unknown kinds are skipped by their
 * length; a length < 2 or running past the header is PTCP_WIRE_EOPT; an option
 * of a known kind with the wrong length is ignored (RFC 9293 3.1: "MUST be
 * prepared to handle an illegal option length"), counted by the caller as
 * PTCP_WIRE_EOPT only if it also runs past the header. Does not verify the
 * checksum (see ptcp_l4_cksum*).
 */
int ptcp_tcp_parse(const void *hdr, uint32_t seg_len, struct ptcp_tcp_seg *out);

/**
 * Encode options into buf (at most 40 bytes), NOP-padded to a multiple of 4.
 * Returns the number of bytes written.
 */
uint32_t ptcp_tcp_opts_build(uint8_t *buf, const struct ptcp_tcp_opts *opt);
/** The bytes ptcp_tcp_opts_build writes for opt (to size a header before building it). */
uint32_t ptcp_tcp_opts_len(const struct ptcp_tcp_opts *opt);

/** Bytes of the timestamps-only option list (RFC 7323 Appendix A: NOP, NOP, TS). */
#define PTCP_TCP_OPTS_TS_LEN 12u
/** Its first four bytes, host order: NOP, NOP, kind TS, length 10 (builder and parser). */
#define PTCP_TCP_OPTS_TS_WORD \
	((uint32_t)PTCP_TCPOPT_NOP << 24 | (uint32_t)PTCP_TCPOPT_NOP << 16 | \
	 (uint32_t)PTCP_TCPOPT_TS << 8 | 10u)

/**
 * The option list of nearly every segment of a connection with timestamps,
 * RFC 7323 Appendix A's layout: NOP, NOP, TS(10, tsval, tsecr), 12 bytes at
 * buf (any alignment). ptcp_tcp_opts_build writes the same for an opt with
 * timestamps alone.
 */
static inline void
ptcp_tcp_opts_build_ts(uint8_t *buf, uint32_t tsval, uint32_t tsecr)
{
	rte_be32_t kind = RTE_BE32(PTCP_TCP_OPTS_TS_WORD);
	rte_be32_t val = rte_cpu_to_be_32(tsval), ecr = rte_cpu_to_be_32(tsecr);

	memcpy(buf, &kind, 4);
	memcpy(buf + 4, &val, 4);
	memcpy(buf + 8, &ecr, 4);
}

/**
 * Write a TCP header of 20 + opt_len bytes (options already at buf + 20, or
 * opt_len 0). Checksum field left 0.
 */
void ptcp_tcp_build(void *buf, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		    uint8_t flags, uint16_t wnd, uint32_t opt_len);

#endif /* PTCP_WIRE_H */
