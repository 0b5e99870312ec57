/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire_parse.c - parsers for Ethernet, ARP, IPv4, ICMP and TCP headers into
 * host-order structs. This is the code that faces hostile input: every read
 * is preceded by a check that it lies inside `avail` (or `seg_len`), and a
 * failed check returns the negative PTCP_WIRE_E* code naming the fault.
 *
 * Call order on receive: ptcp_eth_parse() -> ptcp_arp_parse() or
 * ptcp_ipv4_parse() -> ptcp_icmp_parse() or ptcp_tcp_parse() -> tcp_opts_parse().
 * Output structs are written only in part when a parser fails.
 */
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_tcp.h>

#include "ptcp_wire.h"

/* Option lengths (RFC 9293 3.2, RFC 7323 2.2 and 3.2, RFC 2018 2 and 3). */
#define OPTLEN_MSS       4u
#define OPTLEN_WSCALE    3u
#define OPTLEN_SACK_PERM 2u
#define OPTLEN_TS        10u
#define OPTLEN_SACK_BASE 2u
#define OPTLEN_SACK_BLK  8u

/* RFC 7323 2.3: the largest shift a receiver will use. */
#define WSCALE_MAX       14u

/* Unaligned big-endian loads: options sit at any byte offset. */
static inline uint16_t
load_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* The EtherType is returned as is: VLAN tags are not decoded here. */
int
ptcp_eth_parse(const void *buf, uint32_t avail, uint16_t *ether_type)
{
	const struct rte_ether_hdr *eth = buf;

	if (avail < sizeof(*eth))
		return -PTCP_WIRE_ETRUNC;
	*ether_type = rte_be_to_cpu_16(eth->ether_type);
	return 0;
}

/*
 * Parse an Ethernet/IPv4 ARP packet (RFC 826). The opcode is returned without
 * judgement: the net layer decides which opcodes it answers.
 */
int
ptcp_arp_parse(const void *buf, uint32_t avail, struct ptcp_arp_info *out)
{
	const struct rte_arp_hdr *arp = buf;

	if (avail < sizeof(*arp))
		return -PTCP_WIRE_ETRUNC;
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(rte_be32_t))
		return -PTCP_WIRE_EARP;
	out->op = rte_be_to_cpu_16(arp->arp_opcode);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &out->sha);
	out->spa = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&arp->arp_data.arp_tha, &out->tha);
	out->tpa = arp->arp_data.arp_tip;
	return 0;
}

/*
 * Checks in this order, so each fault has one code: fewer than 20 bytes
 * (ETRUNC), version (EVERSION), IHL < 5 (EHDRLEN), header past the frame
 * (ETRUNC), total length < IHL*4 or > avail (ETOTLEN), checksum (ECKSUM).
 * `avail` may exceed the total length (Ethernet padding); callers trim to
 * out->total_len.
 */
int
ptcp_ipv4_parse(const void *buf, uint32_t avail, bool verify_cksum, struct ptcp_ipv4_info *out)
{
	const struct rte_ipv4_hdr *ip = buf;
	uint32_t hlen, tlen;

	if (avail < sizeof(*ip))
		return -PTCP_WIRE_ETRUNC;
	if ((ip->version_ihl >> 4) != 4)
		return -PTCP_WIRE_EVERSION;
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (hlen < sizeof(*ip))
		return -PTCP_WIRE_EHDRLEN;
	if (hlen > avail)
		return -PTCP_WIRE_ETRUNC;
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (tlen < hlen || tlen > avail)
		return -PTCP_WIRE_ETOTLEN;
	/* A correct header, checksum field included, sums to 0xffff (RFC 1071). */
	if (verify_cksum && ptcp_cksum_raw(ip, hlen) != 0xffff)
		return -PTCP_WIRE_ECKSUM;

	out->src = ip->src_addr;
	out->dst = ip->dst_addr;
	out->hdr_len = (uint16_t)hlen;
	out->total_len = (uint16_t)tlen;
	out->frag = rte_be_to_cpu_16(ip->fragment_offset);
	out->id = rte_be_to_cpu_16(ip->packet_id);
	out->proto = ip->next_proto_id;
	out->ttl = ip->time_to_live;
	out->tos = ip->type_of_service;
	return 0;
}

/*
 * Every ICMP message has the 8-byte header; ident and seq are filled for echo
 * request/reply (RFC 792) and left 0 otherwise.
 */
int
ptcp_icmp_parse(const void *buf, uint32_t len, struct ptcp_icmp_info *out)
{
	const struct rte_icmp_hdr *icmp = buf;

	if (len < sizeof(*icmp))
		return -PTCP_WIRE_ETRUNC;
	if (ptcp_cksum_raw(icmp, len) != 0xffff)
		return -PTCP_WIRE_ECKSUM;
	out->type = icmp->icmp_type;
	out->code = icmp->icmp_code;
	if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
	    icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY) {
		out->ident = rte_be_to_cpu_16(icmp->icmp_ident);
		out->seq = rte_be_to_cpu_16(icmp->icmp_seq_nb);
	} else {
		out->ident = 0;
		out->seq = 0;
	}
	return 0;
}

/* Decode one option of a known kind whose length is `len`; wrong lengths are ignored. */
static void
tcp_opt_decode(uint8_t kind, const uint8_t *p, uint32_t len, struct ptcp_tcp_opts *opt)
{
	uint32_t i, n;

	switch (kind) {
	case PTCP_TCPOPT_MSS:
		if (len != OPTLEN_MSS)
			return;
		opt->mss = load_be16(p + 2);
		opt->present |= PTCP_TCPOPT_F_MSS;
		return;
	case PTCP_TCPOPT_WSCALE:
		if (len != OPTLEN_WSCALE)
			return;
		/* RFC 7323 2.3: "... MUST use 14 instead of the specified value." */
		opt->wscale = RTE_MIN(p[2], WSCALE_MAX);
		opt->present |= PTCP_TCPOPT_F_WSCALE;
		return;
	case PTCP_TCPOPT_SACK_PERM:
		if (len != OPTLEN_SACK_PERM)
			return;
		opt->present |= PTCP_TCPOPT_F_SACK_PERM;
		return;
	case PTCP_TCPOPT_SACK:
		/* RFC 2018 3: length 2 + 8n, n >= 1; we keep at most 4 blocks. */
		if (len < OPTLEN_SACK_BASE + OPTLEN_SACK_BLK ||
		    (len - OPTLEN_SACK_BASE) % OPTLEN_SACK_BLK != 0)
			return;
		n = (len - OPTLEN_SACK_BASE) / OPTLEN_SACK_BLK;
		if (n > PTCP_TCP_MAX_SACK)
			return;
		for (i = 0; i < n; i++) {
			opt->sack[i].left = load_be32(p + 2 + i * OPTLEN_SACK_BLK);
			opt->sack[i].right = load_be32(p + 6 + i * OPTLEN_SACK_BLK);
		}
		opt->nsack = (uint8_t)n;
		opt->present |= PTCP_TCPOPT_F_SACK;
		return;
	case PTCP_TCPOPT_TS:
		if (len != OPTLEN_TS)
			return;
		opt->tsval = load_be32(p + 2);
		opt->tsecr = load_be32(p + 6);
		opt->present |= PTCP_TCPOPT_F_TS;
		return;
	default:
		return;	/* RFC 9293 3.1: unknown options are skipped by their length */
	}
}

/*
 * Walk the option bytes p[0..len). EOL ends the list, NOP is one byte, every
 * other kind has a length byte >= 2 that must keep the option inside the
 * header (RFC 9293 3.1, 3.2). The walk decodes options in any segment; which
 * ones count (MSS and WSCALE only on SYN, ...) is for the TCP layer to judge.
 */
static int
tcp_opts_parse(const uint8_t *p, uint32_t len, struct ptcp_tcp_opts *opt)
{
	uint32_t i = 0;

	while (i < len) {
		uint8_t kind = p[i];
		uint32_t olen;

		if (kind == PTCP_TCPOPT_EOL)
			break;
		if (kind == PTCP_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return -PTCP_WIRE_EOPT;	/* the length byte is past the header */
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return -PTCP_WIRE_EOPT;
		tcp_opt_decode(kind, p + i, olen, opt);
		i += olen;
	}
	return 0;
}

/*
 * Checks, in order: 20 bytes present (ETRUNC), data offset >= 5 and the
 * header inside seg_len (EHDRLEN), then options (EOPT). The NS bit (RFC 3540,
 * historic) is not reported; flags are the eight bits CWR..FIN.
 */
int
ptcp_tcp_parse(const void *hdr, uint32_t seg_len, struct ptcp_tcp_seg *out)
{
	const struct rte_tcp_hdr *th = hdr;
	uint32_t hlen;

	if (seg_len < PTCP_TCP_HDR_LEN)
		return -PTCP_WIRE_ETRUNC;
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < PTCP_TCP_HDR_LEN || hlen > seg_len)
		return -PTCP_WIRE_EHDRLEN;

	out->seq = rte_be_to_cpu_32(th->sent_seq);
	out->ack = rte_be_to_cpu_32(th->recv_ack);
	out->len = seg_len - hlen;
	out->sport = rte_be_to_cpu_16(th->src_port);
	out->dport = rte_be_to_cpu_16(th->dst_port);
	out->wnd = rte_be_to_cpu_16(th->rx_win);
	out->urp = rte_be_to_cpu_16(th->tcp_urp);
	out->flags = th->tcp_flags;
	out->hdr_len = (uint8_t)hlen;
	memset(&out->opt, 0, sizeof(out->opt));
	/* RFC 7323 Appendix A's layout, what every segment with timestamps has. */
	if (hlen == PTCP_TCP_HDR_LEN + PTCP_TCP_OPTS_TS_LEN &&
	    load_be32((const uint8_t *)hdr + PTCP_TCP_HDR_LEN) == PTCP_TCP_OPTS_TS_WORD) {
		out->opt.present = PTCP_TCPOPT_F_TS;
		out->opt.tsval = load_be32((const uint8_t *)hdr + PTCP_TCP_HDR_LEN + 4);
		out->opt.tsecr = load_be32((const uint8_t *)hdr + PTCP_TCP_HDR_LEN + 8);
		return 0;
	}
	return tcp_opts_parse((const uint8_t *)hdr + PTCP_TCP_HDR_LEN, hlen - PTCP_TCP_HDR_LEN,
			      &out->opt);
}
