/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv4.c - IPv4 input with reassembly, and IPv4 output (RFC 791, RFC 1122 3.2.1
 * and 3.3.2).
 *
 * Input:  ptcp_ipv4_input() -> ptcp_ipv4_parse() -> trim padding -> address checks
 *         -> reasm() (rte_ip_frag) -> deliver() -> ptcp_tcp_input()
 *                                                | ptcp_icmp_input()
 *                                                | ptcp_icmp_unreach() + drop
 * Output: ptcp_ipv4_output() -> route() -> TCP checksum (software or offload)
 *         -> ptcp_ipv4_build() + Ethernet header -> ptcp_arp_output()
 *
 * Receive policy, in order (each drop has its counter):
 *   - header: version 4, IHL >= 5, IHL*4 <= total length <= frame (IP_BAD_HDR),
 *     header checksum unless the NIC vouched for it (IP_BAD_CSUM);
 *   - the frame is trimmed to the total length (Ethernet padding);
 *   - RFC 1122 3.2.1.3: a source that names no single host is silently
 *     discarded (IP_BAD_SRC);
 *   - the destination is our address; ICMP may also use the limited or the
 *     subnet's broadcast (IP_NOT_OURS);
 *   - options are skipped, not interpreted (3.2.1.8 lets a host ignore them);
 *   - TTL is not checked: 3.2.1.7 "A host MUST NOT discard a datagram just
 *     because it was received with TTL less than 2."
 * Fragments are reassembled by rte_ip_frag: at most RTE_LIBRTE_IP_FRAG_MAX_FRAG
 * fragments per datagram and PTCP_REASM_MAX datagrams in progress; an
 * incomplete datagram is dropped after PTCP_REASM_TIMEOUT_MS (no ICMP time
 * exceeded is sent, which 3.3.2 allows). A reassembled datagram is an mbuf
 * chain whose first segment holds the Ethernet and IPv4 headers.
 */
#define ALLOW_EXPERIMENTAL_API   /* rte_ip_frag_table_del_expired_entries() */

#include <errno.h>
#include <string.h>

#include <rte_ip_frag.h>

#include "net_private.h"
#include "ptcp_tcp.h"

/* ---- mbuf helper --------------------------------------------------------- */

int
ptcp_net_pullup_slow(struct rte_mbuf *m, uint32_t len)
{
	if (rte_pktmbuf_pkt_len(m) < len ||
	    rte_pktmbuf_tailroom(m) < len - rte_pktmbuf_data_len(m))
		return -1;
	while (rte_pktmbuf_data_len(m) < len) {
		struct rte_mbuf *n = m->next;
		uint16_t take;

		if (n == NULL)
			return -1;   /* pkt_len disagrees with the chain */
		take = (uint16_t)RTE_MIN(len - rte_pktmbuf_data_len(m),
					 (uint32_t)rte_pktmbuf_data_len(n));

		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, rte_pktmbuf_data_len(m)),
		       rte_pktmbuf_mtod(n, const uint8_t *), take);
		m->data_len = (uint16_t)(m->data_len + take);
		n->data_len = (uint16_t)(n->data_len - take);
		n->data_off = (uint16_t)(n->data_off + take);
		if (n->data_len == 0) {
			m->next = n->next;
			m->nb_segs--;
			n->next = NULL;
			rte_pktmbuf_free_seg(n);
		}
	}
	return 0;
}

/* ---- Reassembly ---------------------------------------------------------- */

int
ptcp_ipv4_init(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;

	/* Timestamps are st->now_us, so the timeout is in microseconds. */
	net->frag_tbl = rte_ip_frag_table_create(PTCP_REASM_BUCKETS, PTCP_REASM_BUCKET_WAYS,
						 PTCP_REASM_MAX, PTCP_MS(PTCP_REASM_TIMEOUT_MS),
						 st->conf.socket_id);
	return net->frag_tbl == NULL ? -ENOMEM : 0;
}

/* Free what rte_ip_frag gave up on (bad, duplicate, timed out, no room): all fragments. */
static void
frag_free_dr(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;

	if (net->dr.cnt == 0)
		return;
	PTCP_ADD(st, IP_FRAG_DROP, net->dr.cnt);
	rte_ip_frag_free_death_row(&net->dr, 0);
}

void
ptcp_ipv4_fini(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;

	if (net->frag_tbl != NULL) {
		rte_ip_frag_table_destroy(net->frag_tbl);   /* frees the fragments it holds */
		net->frag_tbl = NULL;
	}
	rte_ip_frag_free_death_row(&net->dr, 0);
}

void
ptcp_ipv4_poll(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;

	/* Walks the LRU list only while its head has expired: cheap when idle. */
	rte_ip_frag_table_del_expired_entries(net->frag_tbl, &net->dr, st->now_us);
	frag_free_dr(st);
}

/*
 * Hand fragment m to the table. Returns the whole datagram (ip refreshed from
 * its header) or NULL when m was kept or dropped.
 */
static struct rte_mbuf *
reasm(struct ptcp_stack *st, struct rte_mbuf *m, struct ptcp_ipv4_info *ip)
{
	struct ptcp_net *net = st->net;
	uint32_t ofs = (uint32_t)(ip->frag & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	struct rte_ipv4_hdr *h;

	PTCP_INC(st, IP_FRAG_RX);
	/* An empty fragment, or one ending past 65535 bytes, can never be reassembled. */
	if (unlikely(ip->total_len == ip->hdr_len || ofs + ip->total_len > UINT16_MAX)) {
		PTCP_DROP(st, m, IP_FRAG_DROP);
		return NULL;
	}
	h = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	m = rte_ipv4_frag_reassemble_packet(net->frag_tbl, &net->dr, m, st->now_us, h);
	frag_free_dr(st);
	if (m == NULL)
		return NULL;
	PTCP_INC(st, IP_FRAG_REASM);
	h = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	/* rte_ip_frag zeroes the checksum; an ICMP error may quote this header. */
	h->hdr_checksum = ptcp_ipv4_hdr_cksum(h);
	ip->hdr_len = (uint16_t)m->l3_len;
	ip->total_len = rte_be_to_cpu_16(h->total_length);
	ip->frag = rte_be_to_cpu_16(h->fragment_offset);
	ip->id = rte_be_to_cpu_16(h->packet_id);
	ip->ttl = h->time_to_live;
	ip->tos = h->type_of_service;
	return m;
}

/* ---- Input --------------------------------------------------------------- */

/* A complete datagram for us: m's data at the Ethernet header, l2_len/l3_len set. */
static void
deliver(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
	bool ip_bcast)
{
	uint32_t l3_end = m->l2_len + m->l3_len;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* RFC 1122 3.2.2: no ICMP error about a link-layer broadcast/multicast. */
	bool l2_bcast = rte_is_multicast_ether_addr(&eth->dst_addr);

	switch (ip->proto) {
	case IPPROTO_TCP:
		/* TCP reads its header (and options) from the first segment. */
		if (unlikely(ptcp_net_pullup(m, l3_end + RTE_MIN((uint32_t)ip->total_len -
								   ip->hdr_len,
								   (uint32_t)PTCP_TCP_MAX_HDR_LEN))
			     != 0)) {
			PTCP_DROP(st, m, IP_BAD_HDR);
			return;
		}
		rte_pktmbuf_adj(m, (uint16_t)l3_end);
		ptcp_tcp_input(st, m, ip);
		return;
	case IPPROTO_ICMP:
		ptcp_icmp_input(st, m, ip, ip_bcast);
		return;
	case IPPROTO_UDP:
		ptcp_icmp_unreach(st, m, ip, PTCP_ICMP_CODE_PORT_UNREACH, l2_bcast);
		PTCP_DROP(st, m, IP_NO_UDP);
		return;
	default:
		ptcp_icmp_unreach(st, m, ip, PTCP_ICMP_CODE_PROTO_UNREACH, l2_bcast);
		PTCP_DROP(st, m, IP_UNKNOWN_PROTO);
		return;
	}
}

void
ptcp_ipv4_input(struct ptcp_stack *st, struct rte_mbuf *m)
{
	struct ptcp_net *net = st->net;
	struct ptcp_ipv4_info ip;
	uint32_t l2 = m->l2_len;
	uint32_t avail = rte_pktmbuf_pkt_len(m) - l2;
	bool verify = true, ip_bcast = false;
	int rc;

	PTCP_INC(st, IP_RX);
	/* The parser reads the header (<= 60 bytes) from the first segment. */
	if (unlikely(ptcp_net_pullup(m, l2 + RTE_MIN(avail, PTCP_IPV4_MAX_HDR_LEN)) != 0)) {
		PTCP_DROP(st, m, IP_BAD_HDR);
		return;
	}
	if (st->conf.offloads & PTCP_OFFLOAD_RX_IPV4_CKSUM) {
		uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

		if (unlikely(f == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
			PTCP_DROP(st, m, IP_BAD_CSUM);
			return;
		}
		verify = f != RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	}
	rc = ptcp_ipv4_parse(rte_pktmbuf_mtod_offset(m, const void *, l2), avail, verify, &ip);
	if (unlikely(rc != 0)) {
		if (rc == -PTCP_WIRE_ECKSUM)
			PTCP_DROP(st, m, IP_BAD_CSUM);
		else
			PTCP_DROP(st, m, IP_BAD_HDR);
		return;
	}
	/* Ethernet pads short frames to 60 bytes: the datagram ends at total_len. */
	if (avail > ip.total_len && unlikely(rte_pktmbuf_trim(m, (uint16_t)(avail - ip.total_len))
					     != 0)) {
		PTCP_DROP(st, m, IP_BAD_HDR);
		return;
	}
	if (unlikely(ptcp_net_is_martian(net, ip.src))) {
		PTCP_DROP(st, m, IP_BAD_SRC);
		return;
	}
	if (unlikely(ip.dst != net->ip)) {
		if (ip.proto != IPPROTO_ICMP || !ptcp_net_is_bcast(net, ip.dst)) {
			PTCP_DROP(st, m, IP_NOT_OURS);
			return;
		}
		ip_bcast = true;
	}
	m->l3_len = ip.hdr_len;
	if (unlikely(ptcp_ipv4_is_fragment(&ip))) {
		m = reasm(st, m, &ip);
		if (m == NULL)
			return;
	}
	deliver(st, m, &ip, ip_bcast);
}

/* ---- Output -------------------------------------------------------------- */

/* RFC 1122 3.3.1.1: on-link destinations directly, others via the gateway; 0 = none. */
static inline rte_be32_t
route(const struct ptcp_stack *st, rte_be32_t dst)
{
	const struct ptcp_net *net = st->net;

	if (unlikely(ptcp_net_is_martian(net, dst)))
		return 0;   /* no broadcast or multicast output, no loopback */
	if (((dst ^ net->ip) & net->mask) == 0)
		return dst;
	return st->conf.gateway;
}

int
ptcp_ipv4_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t dst, uint8_t proto)
{
	struct ptcp_net *net = st->net;
	uint32_t offloads = st->conf.offloads;
	uint32_t l4_len = rte_pktmbuf_pkt_len(m);
	/* Keep the flags that say how to free m; every TX flag is set anew below. */
	uint64_t ol = m->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL);
	bool ip_cksum_offload = (offloads & PTCP_OFFLOAD_TX_IPV4_CKSUM) != 0;
	rte_be32_t nh = route(st, dst);
	uint8_t *p;

	if (unlikely(nh == 0)) {
		PTCP_DROP(st, m, IP_NO_ROUTE);
		return -ENETUNREACH;
	}
	if (unlikely(l4_len + sizeof(struct rte_ipv4_hdr) > st->conf.mtu)) {
		PTCP_DROP(st, m, IP_TX_TOO_BIG);   /* we do not fragment (DF is set) */
		return -EMSGSIZE;
	}
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod(m, struct rte_tcp_hdr *);

		if (offloads & PTCP_OFFLOAD_TX_TCP_CKSUM) {
			/* The NIC adds the segment to the pseudo-header sum we seed. */
			th->cksum = ptcp_l4_phdr_cksum(net->ip, dst, IPPROTO_TCP, l4_len);
			ol |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		} else {
			th->cksum = 0;
			if (likely(rte_pktmbuf_is_contiguous(m)))
				th->cksum = ptcp_l4_cksum(net->ip, dst, IPPROTO_TCP, th, l4_len);
			else
				th->cksum = ptcp_l4_cksum_mbuf(m, 0, net->ip, dst, IPPROTO_TCP,
							       l4_len);
		}
	}
	p = (uint8_t *)rte_pktmbuf_prepend(m, PTCP_NET_HEADROOM);
	if (unlikely(p == NULL)) {
		PTCP_DROP(st, m, IP_TX_NO_HEADROOM);
		return -ENOSPC;
	}
	ptcp_ipv4_build(p + RTE_ETHER_HDR_LEN, net->ip, dst, proto, (uint16_t)l4_len,
			net->ip_id++, PTCP_IP_TTL, ip_cksum_offload);
	if (ip_cksum_offload)
		ol |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m->ol_flags = ol;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	/* The destination MAC is filled in by ARP. */
	ptcp_eth_build(p, &st->conf.mac, &st->conf.mac, RTE_ETHER_TYPE_IPV4);
	return ptcp_arp_output(st, m, nh);
}
