/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv4.c - IPv4 input with reassembly, and IPv4 output with fragmentation
 * (RFC 791, RFC 1122 3.2.1, 3.3.2 and 3.3.3).
 *
 * Input:  ptcp_ipv4_input() -> ptcp_ipv4_parse() -> trim padding -> address checks
 *         -> [reasm() (rte_ip_frag)] -> deliver() -> tcp_deliver() -> ptcp_tcp_input()
 *                                                | (reassembled) tcp_deliver_owner()
 *                                                | ptcp_icmp_input()
 *                                                | ptcp_icmp_unreach() + drop
 * Owner:  tcp_deliver_owner() / ptcp_icmp_error_input() -> ptcp_net_to_owner()
 *         -> here, or conf.handoff_fn -> (next lcore) ptcp_net_handoff_input()
 * Output: ptcp_ipv4_output() -> route() -> TCP checksum (software or offload)
 *         -> ptcp_ipv4_build() + Ethernet header -> ptcp_arp_output()
 *                                                 | frag_output() -> ptcp_arp_output() each
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
 *
 * Send policy: TCP segments always carry DF (RFC 1191 path MTU discovery)
 * and are sized by TCP to fit the MTU; one that does not is dropped
 * (IP_TX_TOO_BIG). Other datagrams (ICMP) never carry DF, as Linux sends
 * its ICMP (IP_PMTUDISC_DONT): they are not retransmitted, so a router
 * before a narrower link should fragment them rather than drop them. One
 * larger than our MTU (an echo reply to a fragmented request) is sent in
 * fragments: RFC 1122 3.3.3 "the IP layer MAY implement a mechanism to
 * fragment outgoing datagrams intentionally"; RFC 791 3.2 "its data portion
 * must be broken on 8 octet boundaries".
 *
 * Identification (RFC 6864, RFC 7739): see ident_next() below. Atomic
 * datagrams (every TCP segment: DF, never fragmented) carry ID 0; the others
 * (ICMP, and so every fragment we send) take their ID from a counter chosen
 * by a keyed hash of (destination, source, protocol), so that the IDs one
 * host sees tell it nothing about what we send to anyone else.
 *
 * frag_output() copies the datagram (a chain or not) into single-segment
 * fragments with DPDK's rte_ipv4_fragment_copy_nonseg_packet() ("nonseg" is
 * its output), not rte_ipv4_fragment_packet(): that one makes each fragment
 * a chain of a header mbuf and indirect mbufs into the datagram, which ports
 * send only with RTE_ETH_TX_OFFLOAD_MULTI_SEGS (lib/port does not enable it;
 * the echo reply is linearized for the same reason) and which
 * RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE forbids. Each fragment gets its header
 * checksum in software (a rare path) and goes through ARP like any frame.
 * Towards an unresolved neighbour a datagram of more than
 * PTCP_ARP_QUEUE_LEN fragments loses its first ones from the wait queue
 * (ARP_QUEUE_FULL); the sender's retry then finds the neighbour resolved.
 */
/* rte_ip_frag_table_del_expired_entries(), rte_ipv4_fragment_copy_nonseg_packet() */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_ip_frag.h>
#include <rte_random.h>

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

/* ---- Deliver to owner (more than one lcore) ------------------------------- */

/*
 * Each lcore's stack holds the flows that conf.steer assigns it (the
 * Toeplitz hash of the 4-tuple through the redirection table, ptcp_steer.h):
 * the port layer delivers every plain TCP segment to its owner (RSS with
 * the same key and table, and software steering for what arrived
 * elsewhere), so its segments, and ours answering them, are handled by one
 * lcore. Two kinds of datagram can only be placed after IP has done its
 * work, and so may be on the wrong lcore:
 *   - fragments: only the first one carries the ports; the reassembled TCP
 *     segment is on whichever lcore got the fragments;
 *   - ICMP errors: they quote our segment, but arrive by their own addresses.
 * For these the owner is computed from the 4-tuple they carry, and
 * conf.handoff_fn passes them to it (a ring in lib/port); `handed` is true
 * when they already came that way, and the owner processes them (a SYN
 * meets the listener, anything else its connection or "no connection").
 * No table is read across lcores, no locks: rings carry the datagrams.
 */
bool
ptcp_net_to_owner(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t laddr, uint16_t lport,
		  rte_be32_t raddr, uint16_t rport, bool handed, bool *owned)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	uint16_t to;

	*owned = ptcp_tcp_owns(st, laddr, lport, raddr, rport);
	if (*owned || handed || conf->steer == NULL || conf->handoff_fn == NULL)
		return true;
	to = ptcp_steer_owner(conf->steer, raddr, laddr, rport, lport);
	if (to == conf->steer_owner)
		return true;
	if (unlikely(conf->handoff_fn(conf->handoff_arg, m, to, PTCP_HANDOFF_DATAGRAM) != 0)) {
		PTCP_DROP(st, m, IP_HANDOFF_DROP);
		return false;
	}
	PTCP_INC(st, IP_HANDOFF_TX);
	return false;
}

/* ---- Input --------------------------------------------------------------- */

/* A TCP segment for this stack: m's data at the Ethernet header, l2_len/l3_len set. */
static void
tcp_deliver(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip)
{
	uint32_t l3_end = m->l2_len + m->l3_len;

	/* TCP reads its header (and options) from the first segment. */
	if (unlikely(ptcp_net_pullup(m, l3_end + RTE_MIN((uint32_t)ip->total_len - ip->hdr_len,
							 (uint32_t)PTCP_TCP_MAX_HDR_LEN)) != 0)) {
		PTCP_DROP(st, m, IP_BAD_HDR);
		return;
	}
	rte_pktmbuf_adj(m, (uint16_t)l3_end);
	ptcp_tcp_input(st, m, ip);
}

/*
 * A TCP segment its RX queue did not place by its 4-tuple (reassembled, or
 * handed over after `hops` lcores): to the owner first.
 */
static void
tcp_deliver_owner(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
		  bool handed)
{
	uint32_t l3_end = m->l2_len + m->l3_len;
	uint8_t ports[4];
	const uint8_t *p;
	bool owned;

	/* Shorter than the ports: TCP drops it as a bad header wherever it is. */
	p = rte_pktmbuf_read(m, l3_end, sizeof(ports), ports);
	if (p != NULL && (uint32_t)ip->total_len - ip->hdr_len >= sizeof(ports) &&
	    !ptcp_net_to_owner(st, m, ip->dst, (uint16_t)(p[2] << 8 | p[3]), ip->src,
			       (uint16_t)(p[0] << 8 | p[1]), handed, &owned))
		return;
	tcp_deliver(st, m, ip);
}

/* A complete datagram for us: m's data at the Ethernet header, l2_len/l3_len set. */
static void
deliver(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
	bool ip_bcast, bool reassembled)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* RFC 1122 3.2.2: no ICMP error about a link-layer broadcast/multicast. */
	bool l2_bcast = rte_is_multicast_ether_addr(&eth->dst_addr);

	switch (ip->proto) {
	case IPPROTO_TCP:
		if (unlikely(reassembled))
			tcp_deliver_owner(st, m, ip, false);
		else
			tcp_deliver(st, m, ip);
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
ptcp_net_handoff_input(struct ptcp_stack *st, struct rte_mbuf *m)
{
	struct ptcp_ipv4_info ip;

	PTCP_INC(st, IP_HANDOFF_RX);
	/* Checked by the lcore that received it; parsed again for its fields only. */
	if (unlikely(ptcp_ipv4_parse(rte_pktmbuf_mtod_offset(m, const void *, m->l2_len),
				     rte_pktmbuf_pkt_len(m) - m->l2_len, false, &ip) != 0 ||
		     ip.hdr_len != m->l3_len)) {
		PTCP_DROP(st, m, IP_BAD_HDR);
		return;
	}
	switch (ip.proto) {
	case IPPROTO_TCP:
		tcp_deliver_owner(st, m, &ip, true);
		return;
	case IPPROTO_ICMP:
		ptcp_icmp_error_input(st, m, &ip, true);
		return;
	default:
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
	if (unlikely(!ptcp_net_is_local(net, ip.dst))) {
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
		deliver(st, m, &ip, ip_bcast, true);
		return;
	}
	deliver(st, m, &ip, ip_bcast, false);
}

/* ---- Identification (RFC 6864, RFC 7739) --------------------------------- */

/*
 * One global counter would be a side channel: an off-path host that pings
 * us learns how many datagrams we sent to anyone in between, e.g. whether a
 * spoofed RST drew a challenge ACK, which tells it that its guessed sequence
 * number was in the window (Feng et al., "Off-Path TCP Exploits of the
 * Mixed IPID Assignment", CCS 2020; RFC 7739 3 lists the attacks).
 *
 * Atomic datagrams: RFC 6864 4.1 "Originating sources MAY set the IPv4 ID
 * field of atomic datagrams to any value", and a receiver or middlebox must
 * not rely on it (4.1, 4.2). We send 0, as FreeBSD does with
 * net.inet.ip.rfc6864 (its default): a constant carries no information, costs
 * nothing per segment and needs no state. Linux instead counts per socket
 * because its TSO hardware increments the ID across the segments of one
 * burst; polltcp does not use TSO, and Linux's own GRO accepts a fixed ID on
 * DF segments, so 0 loses nothing.
 *
 * Non-atomic datagrams (RFC 6864 4.1: "MUST NOT repeat the ID value within
 * one MSL for a given source address/destination address/protocol tuple"):
 * RFC 7739 5.1's per-destination counters, in Linux's hashed form
 * (ip_idents_reserve): SipHash under a secret key of (dst, src, proto)
 * picks one of PTCP_IP_IDENTS 16-bit counters, each starting at a random
 * value. A counter is bumped by a random 0..gap-1 extra when it was last
 * used gap ms ago (gap capped below 2^16, so the ID never repeats the
 * previous one), so a host that shares a bucket with another destination
 * cannot count our datagrams to that one exactly; within one millisecond the
 * IDs to a destination are consecutive. Counters, key and clock are this
 * lcore's: no locks, nothing shared. Two lcores sending fragmented or ICMP
 * datagrams to one destination use unrelated counters and may repeat an ID
 * within an MSL; such datagrams here are ICMP replies, rare enough that this
 * costs a (1/65536 per pair) chance of a misassembled echo reply.
 */
int
ptcp_ipv4_ident_init(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;
	uint32_t i;

	if (getrandom(&net->ident_key, sizeof(net->ident_key), 0) != sizeof(net->ident_key))
		return -EIO;
	for (i = 0; i < PTCP_IP_IDENTS; i++)
		net->ident[i] = (uint16_t)rte_rand();
	return 0;
}

uint32_t
ptcp_ipv4_ident_bucket(const struct ptcp_stack *st, rte_be32_t dst, uint8_t proto)
{
	const struct ptcp_net *net = st->net;
	const uint32_t words[3] = { dst, net->ip, proto };

	return (uint32_t)ptcp_siphash24(&net->ident_key, words, sizeof(words)) &
	       (PTCP_IP_IDENTS - 1);
}

/* The identification of the next non-atomic datagram to dst (see above). */
static uint16_t
ident_next(struct ptcp_stack *st, rte_be32_t dst, uint8_t proto)
{
	struct ptcp_net *net = st->net;
	uint32_t b = ptcp_ipv4_ident_bucket(st, dst, proto);
	uint32_t now_ms = (uint32_t)(st->now_us / 1000u);
	uint32_t gap = now_ms - net->ident_ms[b];
	uint16_t id = net->ident[b];

	if (gap != 0) {
		net->ident_ms[b] = now_ms;
		id = (uint16_t)(id + rte_rand_max(RTE_MIN(gap, (uint32_t)UINT16_MAX - 1u)));
	}
	net->ident[b] = (uint16_t)(id + 1u);
	return id;
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

void
ptcp_net_resolve_input(struct ptcp_stack *st, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *h;
	rte_be32_t nh;

	/* Built by ptcp_ipv4_output on another stack: Ethernet, then our IPv4 header. */
	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*h))) {
		PTCP_DROP(st, m, IP_BAD_HDR);
		return;
	}
	h = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	nh = route(st, h->dst_addr);
	if (unlikely(nh == 0)) {
		PTCP_DROP(st, m, IP_NO_ROUTE);
		return;
	}
	ptcp_arp_resolve(st, m, nh);
}

/*
 * Largest IPv4 packet that frag_output() puts in one mbuf: the MTU, or less
 * when the pool's buffers are smaller (the fragments are legal, just short).
 * rte_ipv4_fragment_copy_nonseg_packet() checks only the payload against the
 * tailroom, not payload + header, so the bound must hold here.
 */
static inline uint16_t
frag_mtu(const struct ptcp_stack *st)
{
	uint16_t room = rte_pktmbuf_data_room_size(st->pool);

	room = room > RTE_PKTMBUF_HEADROOM ? (uint16_t)(room - RTE_PKTMBUF_HEADROOM) : 0;
	return RTE_MIN(st->conf.mtu, room);
}

/*
 * RFC 791 3.2: send datagram m (data at room for the Ethernet header, then
 * the IPv4 header, built with DF clear) to next hop nh as fragments of at
 * most frag_mtu() bytes whose data lengths are multiples of 8, all with m's
 * identification, MF on all but the last. Consumes m.
 */
static int
frag_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t nh)
{
	struct rte_mbuf *frags[PTCP_IP_FRAG_MAX_OUT];
	uint16_t mtu = frag_mtu(st);
	uint32_t data = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN - sizeof(struct rte_ipv4_hdr);
	uint32_t per_frag = RTE_ALIGN_FLOOR((uint32_t)mtu - sizeof(struct rte_ipv4_hdr),
					    RTE_IPV4_HDR_OFFSET_UNITS);
	int32_t n, i;
	int rc;

	if (unlikely(mtu < RTE_ETHER_MIN_MTU ||
		     (data + per_frag - 1) / per_frag > PTCP_IP_FRAG_MAX_OUT)) {
		PTCP_DROP(st, m, IP_FRAG_TX_FAIL);
		return -EMSGSIZE;
	}
	/* DPDK's fragmenter wants the data at the IPv4 header. */
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	n = rte_ipv4_fragment_copy_nonseg_packet(m, frags, PTCP_IP_FRAG_MAX_OUT, mtu, st->pool);
	rte_pktmbuf_free(m);   /* the fragments hold copies */
	if (unlikely(n <= 0)) {
		PTCP_INC(st, IP_FRAG_TX_FAIL);
		if (n == -ENOMEM) {
			PTCP_INC(st, POOL_EMPTY);
			return -ENOBUFS;
		}
		return -EMSGSIZE;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *f = frags[i];
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(f, struct rte_ipv4_hdr *);
		/* a fresh mbuf: RTE_PKTMBUF_HEADROOM in front, ol_flags clear */
		void *eth = rte_pktmbuf_prepend(f, RTE_ETHER_HDR_LEN);

		h->hdr_checksum = ptcp_ipv4_hdr_cksum(h);   /* rte_ip_frag left it 0 */
		/* The destination MAC is filled in by ARP. */
		ptcp_eth_build(eth, &st->conf.mac, &st->conf.mac, RTE_ETHER_TYPE_IPV4);
		f->l2_len = RTE_ETHER_HDR_LEN;
		rc = ptcp_arp_output(st, f, nh);
		if (unlikely(rc != 0)) {
			/* Only the first can fail (ARP table full): the rest would too. */
			PTCP_INC(st, IP_FRAG_TX_FAIL);
			while (++i < n)
				rte_pktmbuf_free(frags[i]);
			return rc;
		}
		PTCP_INC(st, IP_FRAG_TX);
	}
	return 0;
}

int
ptcp_ipv4_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t dst, uint8_t proto)
{
	return ptcp_ipv4_output_from(st, m, st->net->ip, dst, proto);
}

int
ptcp_ipv4_output_from(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst,
		      uint8_t proto)
{
	uint32_t offloads = st->conf.offloads;
	uint32_t l4_len = rte_pktmbuf_pkt_len(m);
	/* Keep the flags that say how to free m; every TX flag is set anew below. */
	uint64_t ol = m->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL);
	bool ip_cksum_offload = (offloads & PTCP_OFFLOAD_TX_IPV4_CKSUM) != 0;
	bool frag = l4_len + sizeof(struct rte_ipv4_hdr) > st->conf.mtu;
	rte_be32_t nh = route(st, dst);
	struct rte_ipv4_hdr *ih;
	uint8_t *p;

	if (unlikely(nh == 0)) {
		PTCP_DROP(st, m, IP_NO_ROUTE);
		return -ENETUNREACH;
	}
	if (unlikely(frag) && (proto == IPPROTO_TCP ||
			       l4_len > UINT16_MAX - sizeof(struct rte_ipv4_hdr))) {
		PTCP_DROP(st, m, IP_TX_TOO_BIG);   /* DF, or too big for any datagram */
		return -EMSGSIZE;
	}
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod(m, struct rte_tcp_hdr *);

		if ((offloads & PTCP_OFFLOAD_TX_TCP_CKSUM) &&
		    (m->nb_segs == 1 || (offloads & PTCP_OFFLOAD_TX_CKSUM_SEGS))) {
			/* The NIC adds the segment to the pseudo-header sum we seed. */
			th->cksum = ptcp_l4_phdr_cksum(src, dst, IPPROTO_TCP, l4_len);
			ol |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		} else {
			uint16_t sum;

			th->cksum = 0;
			/* Every segment's sum recorded (an echo, tcp_output.c): no byte read. */
			if (ptcp_mbuf_sum_chain(m, &sum)) {
				th->cksum = ptcp_l4_cksum_from_sum(src, dst, IPPROTO_TCP, l4_len, sum);
				PTCP_INC(st, TCP_TX_CKSUM_REUSED);
			} else if (likely(rte_pktmbuf_is_contiguous(m)))
				th->cksum = ptcp_l4_cksum(src, dst, IPPROTO_TCP, th, l4_len);
			else
				th->cksum = ptcp_l4_cksum_mbuf(m, 0, src, dst, IPPROTO_TCP,
							       l4_len);
		}
	}
	p = (uint8_t *)rte_pktmbuf_prepend(m, PTCP_NET_HEADROOM);
	if (unlikely(p == NULL)) {
		PTCP_DROP(st, m, IP_TX_NO_HEADROOM);
		return -ENOSPC;
	}
	ih = (struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	if (proto == IPPROTO_TCP) {
		/* Atomic (DF): identification 0, see "Identification" above. */
		ptcp_ipv4_build(ih, src, dst, proto, (uint16_t)l4_len, 0, PTCP_IP_TTL,
				ip_cksum_offload);
	} else {
		/* ptcp_ipv4_build sets DF; RFC 791: "may fragment". */
		ptcp_ipv4_build(ih, src, dst, proto, (uint16_t)l4_len,
				ident_next(st, dst, proto), PTCP_IP_TTL, true);
		ih->fragment_offset = 0;
		if (unlikely(frag))   /* each fragment gets its checksum in frag_output() */
			return frag_output(st, m, nh);
		if (!ip_cksum_offload)
			ih->hdr_checksum = ptcp_ipv4_hdr_cksum(ih);
	}
	/* The destination MAC is filled in by ARP. */
	ptcp_eth_build(p, &st->conf.mac, &st->conf.mac, RTE_ETHER_TYPE_IPV4);
	if (ip_cksum_offload)
		ol |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m->ol_flags = ol;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	return ptcp_arp_output(st, m, nh);
}
