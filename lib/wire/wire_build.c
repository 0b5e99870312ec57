/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire_build.c - builders for Ethernet, ARP, IPv4 and TCP headers. Each one
 * writes a complete header into a buffer the caller sized; none allocates or
 * touches an mbuf.
 *
 * Call order on transmit, innermost first so lengths are known:
 * ptcp_tcp_opts_build() -> ptcp_tcp_build() -> ptcp_l4_cksum*() ->
 * ptcp_ipv4_build() -> ptcp_eth_build().
 */
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_debug.h>
#include <rte_ether.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "ptcp_wire.h"

#define TCP_OPT_SPACE   (PTCP_TCP_MAX_HDR_LEN - PTCP_TCP_HDR_LEN)
#define WSCALE_MAX      14u

/* Unaligned big-endian stores: options sit at any byte offset. */
static inline uint8_t *
store_be16(uint8_t *p, uint16_t v)
{
	rte_be16_t be = rte_cpu_to_be_16(v);

	memcpy(p, &be, sizeof(be));
	return p + 2;
}

static inline uint8_t *
store_be32(uint8_t *p, uint32_t v)
{
	rte_be32_t be = rte_cpu_to_be_32(v);

	memcpy(p, &be, sizeof(be));
	return p + 4;
}

static inline uint8_t *
store4(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return store_be32(p, (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

void
ptcp_eth_build(void *buf, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	       uint16_t ether_type)
{
	struct rte_ether_hdr *eth = buf;

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
}

void
ptcp_arp_build(void *buf, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa,
	       const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	struct rte_arp_hdr *arp = buf;

	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(sha, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = spa;
	rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = tpa;
}

/*
 * Always sets DF: TCP segments are atomic datagrams (RFC 6864 4.1), sized to
 * the MTU by TCP. ICMP path MTU messages are not acted on yet (RFC 1191
 * discovery comes with a later step), so a narrower path drops them. The
 * caller picks the identification (0 for atomic datagrams, lib/net/ipv4.c
 * ident_next() for the others) and clears DF for datagrams that may be
 * fragmented.
 */
void
ptcp_ipv4_build(void *buf, rte_be32_t src, rte_be32_t dst, uint8_t proto, uint16_t payload_len,
		uint16_t id, uint8_t ttl, bool cksum_offload)
{
	struct rte_ipv4_hdr *ip = buf;

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + payload_len));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = src;
	ip->dst_addr = dst;
	if (!cksum_offload)
		ip->hdr_checksum = ptcp_ipv4_hdr_cksum(ip);
}

/*
 * Layout, each piece a multiple of 4 bytes (RFC 7323 appendix A):
 *   MSS           02 04 mm mm
 *   SACK_PERM+TS  04 02 08 0a tsval tsecr   (TS alone: 01 01 08 0a ...)
 *   SACK_PERM     01 01 04 02               (when no TS)
 *   WSCALE        01 03 03 ws               (shift clamped to 14, RFC 7323 2.3)
 *   SACK          01 01 05 len blocks...    (as many blocks as still fit)
 * The SYN layout matches Linux's, so captures compare easily.
 */
uint32_t
ptcp_tcp_opts_build(uint8_t *buf, const struct ptcp_tcp_opts *opt)
{
	uint8_t *p = buf;
	uint32_t n, i;
	bool ts = (opt->present & PTCP_TCPOPT_F_TS) != 0;
	bool sack_perm = (opt->present & PTCP_TCPOPT_F_SACK_PERM) != 0;

	/* Every segment of a connection with timestamps: RFC 7323 Appendix A's layout. */
	if (opt->present == PTCP_TCPOPT_F_TS) {
		ptcp_tcp_opts_build_ts(buf, opt->tsval, opt->tsecr);
		return PTCP_TCP_OPTS_TS_LEN;
	}
	if (opt->present & PTCP_TCPOPT_F_MSS) {
		p = store4(p, PTCP_TCPOPT_MSS, 4, 0, 0);
		store_be16(p - 2, opt->mss);
	}
	if (ts) {
		if (sack_perm)
			p = store4(p, PTCP_TCPOPT_SACK_PERM, 2, PTCP_TCPOPT_TS, 10);
		else
			p = store4(p, PTCP_TCPOPT_NOP, PTCP_TCPOPT_NOP, PTCP_TCPOPT_TS, 10);
		p = store_be32(p, opt->tsval);
		p = store_be32(p, opt->tsecr);
	} else if (sack_perm) {
		p = store4(p, PTCP_TCPOPT_NOP, PTCP_TCPOPT_NOP, PTCP_TCPOPT_SACK_PERM, 2);
	}
	if (opt->present & PTCP_TCPOPT_F_WSCALE)
		p = store4(p, PTCP_TCPOPT_NOP, PTCP_TCPOPT_WSCALE, 3,
			   (uint8_t)RTE_MIN(opt->wscale, WSCALE_MAX));
	if ((opt->present & PTCP_TCPOPT_F_SACK) && opt->nsack > 0) {
		n = RTE_MIN((uint32_t)opt->nsack, (uint32_t)PTCP_TCP_MAX_SACK);
		i = (uint32_t)(p - buf);
		n = RTE_MIN(n, TCP_OPT_SPACE > i + 4 ? (TCP_OPT_SPACE - i - 4) / 8 : 0u);
		if (n > 0) {
			p = store4(p, PTCP_TCPOPT_NOP, PTCP_TCPOPT_NOP, PTCP_TCPOPT_SACK,
				   (uint8_t)(2 + 8 * n));
			for (i = 0; i < n; i++) {
				p = store_be32(p, opt->sack[i].left);
				p = store_be32(p, opt->sack[i].right);
			}
		}
	}
	while ((p - buf) % 4 != 0)
		*p++ = PTCP_TCPOPT_NOP;
	return (uint32_t)(p - buf);
}

/* What ptcp_tcp_opts_build writes for opt, without writing it. */
uint32_t
ptcp_tcp_opts_len(const struct ptcp_tcp_opts *opt)
{
	uint32_t n = 0, k;

	if (opt->present & PTCP_TCPOPT_F_MSS)
		n += 4;
	if (opt->present & PTCP_TCPOPT_F_TS)
		n += 12;
	else if (opt->present & PTCP_TCPOPT_F_SACK_PERM)
		n += 4;
	if (opt->present & PTCP_TCPOPT_F_WSCALE)
		n += 4;
	if ((opt->present & PTCP_TCPOPT_F_SACK) && opt->nsack > 0) {
		k = RTE_MIN((uint32_t)opt->nsack, (uint32_t)PTCP_TCP_MAX_SACK);
		k = RTE_MIN(k, TCP_OPT_SPACE > n + 4 ? (TCP_OPT_SPACE - n - 4) / 8 : 0u);
		if (k > 0)
			n += 4 + 8 * k;
	}
	return n;
}

/* Urgent pointer 0, checksum 0; opt_len must be a multiple of 4 and at most 40. */
void
ptcp_tcp_build(void *buf, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	       uint8_t flags, uint16_t wnd, uint32_t opt_len)
{
	struct rte_tcp_hdr *th = buf;

	RTE_ASSERT(opt_len % 4 == 0 && opt_len <= TCP_OPT_SPACE);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)(((PTCP_TCP_HDR_LEN + opt_len) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(wnd);
	th->cksum = 0;
	th->tcp_urp = 0;
}
