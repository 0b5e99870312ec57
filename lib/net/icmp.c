/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp.c - ICMP (RFC 792, RFC 1122 3.2.2): echo replies, destination
 * unreachable (protocol, port) with a rate limit; other types are counted.
 *
 * Input:  ptcp_icmp_input() -> icmp_check() -> echo_reply() -> ptcp_ipv4_output()
 *                                           | ptcp_icmp_error_input() -> ptcp_net_to_owner()
 *                                           | ICMP_OTHER
 * Errors: ptcp_icmp_unreach() -> may_send_error() (3.2.2 rules) -> rate_ok()
 *         -> a new mbuf quoting the datagram -> ptcp_ipv4_output()
 *
 * Messages may be mbuf chains (reassembled datagrams): checksums are summed
 * over the chain, and only the 8-byte ICMP header must be in the first segment
 * (ptcp_net_pullup). The echo reply reuses the request mbuf and updates its
 * checksum incrementally (RFC 1624) for the type change; a chained request is
 * linearized into its first segment when it fits, so that the reply can
 * leave through ports without multi-segment TX.
 *
 * A reply larger than our MTU (its request came in fragments, or over a
 * larger MTU) is not dropped: ptcp_ipv4_output() sends it without DF, in
 * fragments.
 *
 * Deviations: echo requests to a broadcast address are ignored (3.2.2.6
 * allows it; replies would amplify); Record Route / Timestamp options of an
 * echo request are not copied into the reply (3.2.2.6 SHOULD).
 */
#include <string.h>

#include "net_private.h"

void
ptcp_icmp_init(struct ptcp_stack *st)
{
	st->net->icmp_credit = (uint64_t)PTCP_ICMP_ERR_BURST * 1000000u;
	st->net->icmp_last_us = st->now_us;
}

static bool icmp_type_is_error(uint8_t type);

/* Verify the ICMP message of len bytes at off (header contiguous) and decode its header. */
static int
icmp_check(const struct rte_mbuf *m, uint32_t off, uint32_t len, struct ptcp_icmp_info *info)
{
	const struct rte_icmp_hdr *h = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, off);
	uint16_t sum;

	if (likely(rte_pktmbuf_data_len(m) >= off + len))
		return ptcp_icmp_parse(h, len, info);
	if (ptcp_cksum_raw_mbuf(m, off, len, &sum) != 0)
		return -PTCP_WIRE_ETRUNC;
	if (sum != 0xffff)
		return -PTCP_WIRE_ECKSUM;
	info->type = h->icmp_type;
	info->code = h->icmp_code;
	info->ident = rte_be_to_cpu_16(h->icmp_ident);
	info->seq = rte_be_to_cpu_16(h->icmp_seq_nb);
	return 0;
}

/*
 * RFC 792 echo: the same message with type 0 back to the sender. m's data is
 * at the Ethernet header; it becomes the reply. RFC 1122 3.2.2.6: "The data
 * received in the ICMP Echo Request MUST be entirely included in the
 * resulting Echo Reply": one beyond the MTU is fragmented, never cut.
 */
static void
echo_reply(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
	   uint32_t len)
{
	struct rte_icmp_hdr *h;
	uint16_t old_word, new_word;

	rte_pktmbuf_adj(m, (uint16_t)(m->l2_len + m->l3_len));
	h = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	memcpy(&old_word, h, sizeof(old_word));   /* type and code, as stored */
	h->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	memcpy(&new_word, h, sizeof(new_word));
	h->icmp_cksum = ptcp_cksum_update16(h->icmp_cksum, old_word, new_word);
	/*
	 * Eqn. 3 gives 0000 when the reply's other words sum to ffff or to +0.
	 * +0 is an all-zero reply (ident, seq and data 0), whose only valid
	 * checksum is ffff; ffff also verifies in the other case (x + ffff = x).
	 */
	if (h->icmp_cksum == 0)
		h->icmp_cksum = 0xffff;
	/*
	 * A reassembled request is a chain. Many PMDs send chains only with
	 * RTE_ETH_TX_OFFLOAD_MULTI_SEGS, and an MTU-sized reply fits in the first
	 * segment's buffer: copy it there (if it does not fit, the chain goes).
	 * A reply beyond the MTU is copied into single-segment fragments anyway.
	 */
	if (unlikely(!rte_pktmbuf_is_contiguous(m)) &&
	    len + sizeof(struct rte_ipv4_hdr) <= st->conf.mtu)
		(void)rte_pktmbuf_linearize(m);
	if (ptcp_ipv4_output_from(st, m, ip->dst, ip->src, IPPROTO_ICMP) == 0)
		PTCP_INC(st, ICMP_ECHO_TX);
}

void
ptcp_icmp_input(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
		bool ip_bcast)
{
	uint32_t off = m->l2_len + m->l3_len;
	uint32_t len = (uint32_t)ip->total_len - ip->hdr_len;
	struct ptcp_icmp_info info;

	PTCP_INC(st, ICMP_RX);
	if (unlikely(len < PTCP_ICMP_HDR_LEN || ptcp_net_pullup(m, off + PTCP_ICMP_HDR_LEN) != 0 ||
		     icmp_check(m, off, len, &info) != 0)) {
		PTCP_DROP(st, m, ICMP_BAD);
		return;
	}
	switch (info.type) {
	case RTE_IP_ICMP_ECHO_REQUEST:
		PTCP_INC(st, ICMP_ECHO_RX);
		if (unlikely(ip_bcast)) {
			PTCP_DROP(st, m, ICMP_ECHO_BCAST);
			return;
		}
		echo_reply(st, m, ip, len);
		return;
	default:
		if (icmp_type_is_error(info.type)) {
			ptcp_icmp_error_input(st, m, ip, false);
			return;
		}
		/* Echo replies, timestamps, ... */
		PTCP_DROP(st, m, ICMP_OTHER);
		return;
	}
}

/*
 * RFC 1191 4: destination unreachable, "fragmentation needed and DF set",
 * with the next-hop MTU in the low 16 bits of the second header word (0
 * from routers older than RFC 1191). TCP, at the lcore owning the
 * connection, validates the quoted sequence number (RFC 5927 4.1) and
 * lowers the MSS (tcp_pmtu.c). Every TCP segment we send has DF set, so
 * this is how we learn the path MTU. Other errors change nothing: RFC 5927
 * and RFC 1122 4.2.3.9 make them soft errors for an established connection.
 */
static void
frag_needed(struct ptcp_stack *st, const struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
	    const struct rte_ipv4_hdr *q, uint32_t qhl)
{
	uint32_t off = m->l2_len + m->l3_len;
	uint8_t hbuf[PTCP_ICMP_HDR_LEN], tbuf[8];
	const uint8_t *h, *th;

	h = rte_pktmbuf_read(m, off, sizeof(hbuf), hbuf);
	if (h == NULL || h[0] != PTCP_ICMP_DEST_UNREACH || h[1] != PTCP_ICMP_CODE_FRAG_NEEDED)
		return;
	PTCP_INC(st, ICMP_FRAG_NEEDED_RX);
	/* RFC 792 quotes 64 bits of data: the ports and the sequence number. */
	th = rte_pktmbuf_read(m, off + PTCP_ICMP_HDR_LEN + qhl, sizeof(tbuf), tbuf);
	if (th == NULL || m->l2_len + (uint32_t)ip->total_len < off + PTCP_ICMP_HDR_LEN + qhl + 8u) {
		PTCP_INC(st, ICMP_FRAG_NEEDED_SHORT);   /* no sequence number to check */
		return;
	}
	ptcp_tcp_pmtu_icmp(st, q->src_addr, (uint16_t)(th[0] << 8 | th[1]), q->dst_addr,
			   (uint16_t)(th[2] << 8 | th[3]),
			   (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7],
			   (uint16_t)(h[6] << 8 | h[7]), rte_be_to_cpu_16(q->total_length));
}

/*
 * RFC 792: an error quotes "the internet header plus the first 64 bits of
 * the original datagram's data": for TCP, the ports and sequence number, so
 * the 4-tuple names the connection (RFC 5927 3 / RFC 1122 4.2.3.9 say how TCP
 * is to react; RFC 5961-style checks need the sequence number). The error
 * goes to the lcore owning that connection, where "fragmentation needed"
 * lowers the path MTU (frag_needed(), RFC 1191) and the others are counted
 * (ICMP_ERR_TCP); errors about anything else are ignored (ICMP_OTHER).
 */
void
ptcp_icmp_error_input(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
		      bool handed)
{
	uint32_t off = m->l2_len + m->l3_len + PTCP_ICMP_HDR_LEN;
	uint8_t qbuf[sizeof(struct rte_ipv4_hdr)], pbuf[4];
	const struct rte_ipv4_hdr *q;
	const uint8_t *ports;
	uint32_t qhl;
	bool owned;

	q = rte_pktmbuf_read(m, off, sizeof(*q), qbuf);
	if (q == NULL || (q->version_ihl >> 4) != 4 || (q->version_ihl & 0xf) < 5 ||
	    q->next_proto_id != IPPROTO_TCP || !ptcp_net_is_local(st->net, q->src_addr) ||
	    (q->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0) {
		PTCP_DROP(st, m, ICMP_OTHER);
		return;
	}
	qhl = (uint32_t)(q->version_ihl & 0xf) * 4u;
	/* ip->total_len was checked against the mbuf: a short quote ends the datagram. */
	if (m->l2_len + (uint32_t)ip->total_len < off + qhl + 4u ||
	    (ports = rte_pktmbuf_read(m, off + qhl, sizeof(pbuf), pbuf)) == NULL) {
		PTCP_DROP(st, m, ICMP_OTHER);
		return;
	}
	if (!ptcp_net_to_owner(st, m, q->src_addr, (uint16_t)(ports[0] << 8 | ports[1]),
			       q->dst_addr, (uint16_t)(ports[2] << 8 | ports[3]), handed, &owned))
		return;
	if (!owned) {
		PTCP_DROP(st, m, ICMP_ERR_TCP_NO_CONN);
		return;
	}
	frag_needed(st, m, ip, q, qhl);
	PTCP_DROP(st, m, ICMP_ERR_TCP);
}

/* ---- Errors -------------------------------------------------------------- */

/* The ICMP error messages of RFC 792 (RFC 1122 3.2.2 lists them). */
static bool
icmp_type_is_error(uint8_t type)
{
	return type == PTCP_ICMP_DEST_UNREACH || type == PTCP_ICMP_SOURCE_QUENCH ||
	       type == PTCP_ICMP_REDIRECT || type == PTCP_ICMP_TIME_EXCEEDED ||
	       type == PTCP_ICMP_PARAM_PROBLEM;
}

/*
 * RFC 1122 3.2.2: "An ICMP error message MUST NOT be sent as the result of
 * receiving: an ICMP error message, or a datagram destined to an IP broadcast
 * or IP multicast address, or a datagram sent as a link-layer broadcast, or a
 * non-initial fragment, or a datagram whose source address does not define a
 * single host." Bad sources never get here (IP_BAD_SRC).
 */
static bool
may_send_error(const struct ptcp_stack *st, const struct rte_mbuf *m,
	       const struct ptcp_ipv4_info *ip, bool l2_bcast)
{
	uint8_t type;
	const uint8_t *p;

	if (l2_bcast || !ptcp_net_is_local(st->net, ip->dst) ||
	    (ip->frag & RTE_IPV4_HDR_OFFSET_MASK) != 0 || ptcp_net_is_martian(st->net, ip->src))
		return false;
	if (ip->proto != IPPROTO_ICMP)
		return true;
	p = rte_pktmbuf_read(m, m->l2_len + m->l3_len, 1, &type);
	return p != NULL && !icmp_type_is_error(*p);
}

/* Token bucket: PTCP_ICMP_ERR_RATE per second, PTCP_ICMP_ERR_BURST deep. */
static bool
rate_ok(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;
	const uint64_t one = 1000000u, depth = (uint64_t)PTCP_ICMP_ERR_BURST * one;
	uint64_t now = st->now_us;

	if (now > net->icmp_last_us) {
		uint64_t add = (now - net->icmp_last_us) * PTCP_ICMP_ERR_RATE;

		net->icmp_credit = RTE_MIN(net->icmp_credit + RTE_MIN(add, depth), depth);
		net->icmp_last_us = now;
	}
	if (net->icmp_credit < one) {
		PTCP_INC(st, ICMP_RATE_LIMITED);
		return false;
	}
	net->icmp_credit -= one;
	return true;
}

void
ptcp_icmp_unreach(struct ptcp_stack *st, const struct rte_mbuf *m,
		  const struct ptcp_ipv4_info *ip, uint8_t code, bool l2_bcast)
{
	/*
	 * RFC 792 quotes the IP header and 8 data bytes; we quote as much as keeps
	 * the error within 576 bytes (RFC 1812 4.3.2.3).
	 */
	uint32_t quote = RTE_MIN((uint32_t)ip->total_len,
				 PTCP_ICMP_ERR_MAX_LEN - (uint32_t)sizeof(struct rte_ipv4_hdr) -
				 PTCP_ICMP_HDR_LEN);
	struct rte_icmp_hdr *h;
	struct rte_mbuf *e;
	const void *src;

	if (!may_send_error(st, m, ip, l2_bcast) || !rate_ok(st))
		return;
	e = ptcp_mbuf_alloc(st);
	if (unlikely(e == NULL))
		return;
	h = (struct rte_icmp_hdr *)rte_pktmbuf_append(e, (uint16_t)(PTCP_ICMP_HDR_LEN + quote));
	if (unlikely(h == NULL)) {
		rte_pktmbuf_free(e);
		return;
	}
	memset(h, 0, PTCP_ICMP_HDR_LEN);   /* the second word is unused: zero */
	h->icmp_type = PTCP_ICMP_DEST_UNREACH;
	h->icmp_code = code;
	src = rte_pktmbuf_read(m, m->l2_len, quote, (uint8_t *)h + PTCP_ICMP_HDR_LEN);
	if (unlikely(src == NULL)) {
		rte_pktmbuf_free(e);
		return;
	}
	if (src != (uint8_t *)h + PTCP_ICMP_HDR_LEN)
		memcpy((uint8_t *)h + PTCP_ICMP_HDR_LEN, src, quote);
	h->icmp_cksum = (uint16_t)~ptcp_cksum_raw(h, PTCP_ICMP_HDR_LEN + quote);
	if (ptcp_ipv4_output_from(st, e, ip->dst, ip->src, IPPROTO_ICMP) == 0)
		PTCP_INC(st, ICMP_UNREACH_TX);
}
