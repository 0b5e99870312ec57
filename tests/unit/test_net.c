/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_net.c - Ethernet, ARP, IPv4 (with reassembly) and ICMP (lib/net).
 *
 * Frames are crafted byte by byte here (not with the stack's own builders
 * where the bytes are what is tested), fed with ptest_rx(), and what the
 * stack transmits is popped raw and decoded (fragments it sends are checked
 * one by one and reassembled here). The stack is 198.18.0.2/24 with
 * the peer 198.18.0.1 in its ARP table; 198.18.0.3 (OTHER) is on-link but
 * unknown. ptest_free() asserts that no mbuf leaked.
 */
#include <string.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "harness.h"
#include "net_private.h"   /* ptcp_ipv4_ident_bucket() */

static const struct rte_ether_addr other_mac = {{ 0x02, 0, 0, 0, 0, 0x03 }};
static const struct rte_ether_addr new_mac = {{ 0x02, 0, 0, 0, 0, 0x33 }};
static const struct rte_ether_addr bcast_mac = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
static const struct rte_ether_addr zero_mac = {{ 0 }};

/* unsigned operands: RTE_IPV4(198, ...) shifts a signed int into its sign bit */
#define IP4(a, b, c, d)  RTE_BE32(RTE_IPV4((uint32_t)(a), (uint32_t)(b), (uint32_t)(c), \
					    (uint32_t)(d)))
#define NOWHERE_IP       IP4(198, 18, 0, 9)    /* on-link, nobody */
#define OFFLINK_IP       IP4(198, 19, 0, 1)
#define SUBNET_BCAST     IP4(198, 18, 0, 255)
#define LIMITED_BCAST    IP4(255, 255, 255, 255)
#define MS               1000u

/* ---- Crafting ------------------------------------------------------------ */

/* An IPv4 frame to craft; zero fields take the usual values (peer -> us, TTL 64). */
struct ipspec {
	rte_be32_t src;                       /* 0: the peer, unless src_set */
	bool src_set;
	rte_be32_t dst;
	uint8_t proto;
	uint16_t id;
	uint16_t frag;                        /* flags + offset field, host order */
	bool ttl_set;
	uint8_t ttl;
	const uint8_t *opts;                  /* IP options, a multiple of 4 bytes */
	uint8_t optlen;
	const void *data;                     /* the IPv4 payload */
	uint32_t len;
	const struct rte_ether_addr *eth_dst; /* NULL: our MAC */
	uint32_t pad;                         /* Ethernet padding after the datagram */
	int tot_adj;                          /* added to the total length field */
	uint8_t version;                      /* 0: 4 */
	uint8_t ihl;                          /* 0: computed */
	bool bad_cksum;
};

static uint32_t
ip_bytes(uint8_t *f, const struct ipspec *s)
{
	uint32_t hlen = 20u + s->optlen;
	uint8_t *ip = f + RTE_ETHER_HDR_LEN;
	uint16_t tot = (uint16_t)((int)(hlen + s->len) + s->tot_adj);
	rte_be32_t src = s->src || s->src_set ? s->src : PTEST_PEER_IP;
	rte_be32_t dst = s->dst ? s->dst : PTEST_LOCAL_IP;
	uint16_t ck;

	memcpy(f, s->eth_dst ? s->eth_dst : &ptest_local_mac, 6);
	memcpy(f + 6, &ptest_peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = (uint8_t)(((s->version ? s->version : 4) << 4) | (s->ihl ? s->ihl : hlen / 4));
	ip[1] = 0;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[4] = (uint8_t)(s->id >> 8);
	ip[5] = (uint8_t)s->id;
	ip[6] = (uint8_t)(s->frag >> 8);
	ip[7] = (uint8_t)s->frag;
	ip[8] = s->ttl_set ? s->ttl : 64;
	ip[9] = s->proto;
	ip[10] = 0;
	ip[11] = 0;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	if (s->optlen)
		memcpy(ip + 20, s->opts, s->optlen);
	ck = (uint16_t)~ptcp_cksum_raw(ip, hlen);
	if (s->bad_cksum)
		ck ^= 0x0101;
	memcpy(ip + 10, &ck, 2);
	if (s->len)
		memcpy(ip + hlen, s->data, s->len);
	memset(ip + hlen + s->len, 0xaa, s->pad);
	return RTE_ETHER_HDR_LEN + hlen + s->len + s->pad;
}

static struct rte_mbuf *
ip_frame(struct ptest_ctx *t, const struct ipspec *s)
{
	uint8_t f[2048];

	return ptest_raw_frame(t, f, ip_bytes(f, s));
}

static void
fill(uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* An ICMP echo request/reply message; returns its length. */
static uint32_t
echo_msg(uint8_t *buf, uint8_t type, uint16_t ident, uint16_t seq, const uint8_t *data,
	 uint32_t len)
{
	uint16_t ck;

	buf[0] = type;
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = 0;
	buf[4] = (uint8_t)(ident >> 8);
	buf[5] = (uint8_t)ident;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	if (len)
		memcpy(buf + 8, data, len);
	ck = (uint16_t)~ptcp_cksum_raw(buf, 8 + len);
	memcpy(buf + 2, &ck, 2);
	return 8 + len;
}

/* A 60-byte Ethernet/ARP frame from sha. */
static struct rte_mbuf *
arp_frame(struct ptest_ctx *t, const struct rte_ether_addr *eth_dst, uint16_t op,
	  const struct rte_ether_addr *sha, rte_be32_t spa, const struct rte_ether_addr *tha,
	  rte_be32_t tpa)
{
	uint8_t f[60] = { 0 };

	ptcp_eth_build(f, eth_dst, sha, RTE_ETHER_TYPE_ARP);
	ptcp_arp_build(f + RTE_ETHER_HDR_LEN, op, sha, spa, tha, tpa);
	return ptest_raw_frame(t, f, sizeof(f));
}

/* The ARP reply of OTHER to our request. */
static void
rx_other_reply(struct ptest_ctx *t)
{
	ptest_rx(t, arp_frame(t, &ptest_local_mac, RTE_ARP_OP_REPLY, &other_mac, PTEST_OTHER_IP,
			      &ptest_local_mac, PTEST_LOCAL_IP));
}

/* Send a 20-byte TCP segment with source port sport through ptcp_ipv4_output. */
static int
send_tcp(struct ptest_ctx *t, rte_be32_t dst, uint16_t sport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
	uint8_t *p;
	int rc;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, PTCP_TCP_HDR_LEN);
	assert_non_null(p);
	ptcp_tcp_build(p, sport, 80, 1, 0, RTE_TCP_SYN_FLAG, 1000, 0);
	t->st->now_us = t->now;
	rc = ptcp_ipv4_output(t->st, m, dst, IPPROTO_TCP);
	ptcp_stack_flush(t->st);
	return rc;
}

/* ---- Decoding what the stack sent ---------------------------------------- */

struct sent {
	uint8_t f[4096];
	uint32_t len;
	struct ptcp_ipv4_info ip;
	const uint8_t *l4;
	uint32_t l4_len;
};

static void
assert_nothing_sent(struct ptest_ctx *t)
{
	assert_int_equal(t->nsent, 0);
}

/* Pop an IPv4 frame from us to eth_dst carrying proto; check the IPv4 header. */
static void
pop_ipv4(struct ptest_ctx *t, struct sent *d, const struct rte_ether_addr *eth_dst,
	 uint8_t proto)
{
	uint16_t et;

	d->len = ptest_pop_raw(t, d->f, sizeof(d->f));
	assert_true(d->len <= sizeof(d->f));
	assert_int_equal(ptcp_eth_parse(d->f, d->len, &et), 0);
	assert_int_equal(et, RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(d->f, eth_dst, 6);
	assert_memory_equal(d->f + 6, &ptest_local_mac, 6);
	assert_int_equal(ptcp_ipv4_parse(d->f + 14, d->len - 14, true, &d->ip), 0);
	assert_int_equal(d->ip.total_len, d->len - 14);
	assert_int_equal(d->ip.hdr_len, 20);
	assert_int_equal(d->ip.src, PTEST_LOCAL_IP);
	assert_int_equal(d->ip.proto, proto);
	assert_int_equal(d->ip.ttl, 64);
	/* RFC 6864 4.1: TCP atomic (DF) with ID 0; ICMP without DF (Linux's choice). */
	if (proto == IPPROTO_TCP) {
		assert_int_equal(d->ip.frag, RTE_IPV4_HDR_DF_FLAG);
		assert_int_equal(d->ip.id, 0);
	} else {
		assert_int_equal(d->ip.frag, 0);
	}
	d->l4 = d->f + 14 + 20;
	d->l4_len = d->ip.total_len - 20u;
}

/* Pop an echo reply to the peer and check it carries exactly data[0..len). */
static void
pop_echo_reply(struct ptest_ctx *t, uint16_t ident, uint16_t seq, const uint8_t *data,
	       uint32_t len)
{
	struct sent d;
	struct ptcp_icmp_info ic;

	pop_ipv4(t, &d, &ptest_peer_mac, IPPROTO_ICMP);
	assert_int_equal(d.ip.dst, PTEST_PEER_IP);
	assert_int_equal(d.l4_len, 8 + len);
	assert_int_equal(ptcp_icmp_parse(d.l4, d.l4_len, &ic), 0);
	assert_int_equal(ic.type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(ic.code, 0);
	assert_int_equal(ic.ident, ident);
	assert_int_equal(ic.seq, seq);
	if (len)
		assert_memory_equal(d.l4 + 8, data, len);
}

/* Pop a TCP segment we sent to eth_dst/dst; returns its source port. */
static uint16_t
pop_tcp_to(struct ptest_ctx *t, const struct rte_ether_addr *eth_dst, rte_be32_t dst)
{
	struct ptcp_tcp_seg seg;
	struct sent d;

	pop_ipv4(t, &d, eth_dst, IPPROTO_TCP);
	assert_int_equal(d.ip.dst, dst);
	assert_int_equal(ptcp_l4_cksum(d.ip.src, d.ip.dst, IPPROTO_TCP, d.l4, d.l4_len), 0);
	assert_int_equal(ptcp_tcp_parse(d.l4, d.l4_len, &seg), 0);
	return seg.sport;
}

/* Pop an ARP frame (42 bytes) and decode it. */
static void
pop_arp(struct ptest_ctx *t, const struct rte_ether_addr *eth_dst, struct ptcp_arp_info *a)
{
	uint8_t f[64];
	uint16_t et;

	assert_int_equal(ptest_pop_raw(t, f, sizeof(f)), 42);
	assert_int_equal(ptcp_eth_parse(f, 42, &et), 0);
	assert_int_equal(et, RTE_ETHER_TYPE_ARP);
	assert_memory_equal(f, eth_dst, 6);
	assert_memory_equal(f + 6, &ptest_local_mac, 6);
	assert_int_equal(ptcp_arp_parse(f + 14, 28, a), 0);
}

/* Pop our ARP request for tpa (broadcast unless eth_dst is given). */
static void
pop_arp_request(struct ptest_ctx *t, const struct rte_ether_addr *eth_dst, rte_be32_t tpa)
{
	struct ptcp_arp_info a;

	pop_arp(t, eth_dst ? eth_dst : &bcast_mac, &a);
	assert_int_equal(a.op, RTE_ARP_OP_REQUEST);
	assert_memory_equal(&a.sha, &ptest_local_mac, 6);
	assert_int_equal(a.spa, PTEST_LOCAL_IP);
	assert_memory_equal(&a.tha, &zero_mac, 6);
	assert_int_equal(a.tpa, tpa);
}

static unsigned int
pool_avail(struct ptest_ctx *t)
{
	return rte_mempool_avail_count(t->pool);
}

/* ---- Ethernet (RFC 894) -------------------------------------------------- */

static void
test_rfc894_runt_frame_dropped(void **state)
{
	/* Ensure that a frame shorter than an Ethernet header is counted and dropped. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t f[13] = { 0 };

	(void)state;
	ptest_rx(t, ptest_raw_frame(t, f, sizeof(f)));
	assert_int_equal(PTEST_CTR(t, ETH_BAD_HDR), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc894_frame_for_other_mac_dropped(void **state)
{
	/* Ensure that an echo request framed to another host's MAC is not answered. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, NULL, 0);

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n,
						  .eth_dst = &other_mac }));
	assert_int_equal(PTEST_CTR(t, ETH_NOT_OURS), 1);
	assert_int_equal(PTEST_CTR(t, IP_RX), 0);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc894_unknown_ethertype_dropped(void **state)
{
	/* Ensure that a frame of an ethertype we do not speak (IPv6) is counted and dropped. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t f[60] = { 0 };

	(void)state;
	ptcp_eth_build(f, &ptest_local_mac, &ptest_peer_mac, RTE_ETHER_TYPE_IPV6);
	ptest_rx(t, ptest_raw_frame(t, f, sizeof(f)));
	assert_int_equal(PTEST_CTR(t, ETH_UNKNOWN_TYPE), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc894_padding_trimmed(void **state)
{
	/* Ensure that Ethernet padding after a short datagram is not taken as payload. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[4] = { 1, 2, 3, 4 }, msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 7, 8, data, sizeof(data));

	(void)state;
	/* 14 + 20 + 12 = 46 bytes: padded to the 60-byte minimum with 0xaa. */
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n,
						  .pad = 14 }));
	pop_echo_reply(t, 7, 8, data, sizeof(data));
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc894_tcp_segment_trimmed_to_ip_length(void **state)
{
	/* Ensure that TCP receives a padded segment trimmed to the IPv4 payload. */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_mbuf *m = ptest_tcp_frame(t, &(struct ptest_seg){ .sport = 40000, .dport = 9,
								     .seq = 100,
								     .flags = RTE_TCP_SYN_FLAG,
								     .wnd = 1000 });
	struct ptcp_tcp_seg seg;
	uint8_t *pad;

	(void)state;
	pad = (uint8_t *)rte_pktmbuf_append(m, 6);   /* 54 -> 60 bytes */
	assert_non_null(pad);
	memset(pad, 0xaa, 6);
	ptest_rx(t, m);
	/* padding counted as payload would break the TCP checksum */
	assert_int_equal(PTEST_CTR(t, TCP_BAD_CSUM), 0);
	assert_int_equal(PTEST_CTR(t, TCP_NO_CONN), 1);
	ptest_pop_tcp(t, &seg, NULL, 0);
	assert_true(seg.flags & RTE_TCP_RST_FLAG);
	assert_int_equal(seg.ack, 101);
	ptest_free(t);
}

/* ---- ARP (RFC 826, RFC 1122 2.3.2, RFC 5227) ----------------------------- */

static void
test_rfc826_request_for_us_gets_reply(void **state)
{
	/* Ensure that a request for our address gets a unicast reply, byte for byte. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint8_t want[42] = {
		0x02, 0, 0, 0, 0, 0x03,   0x02, 0, 0, 0, 0, 0x02,   0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02,
		0x02, 0, 0, 0, 0, 0x02,   198, 18, 0, 2,
		0x02, 0, 0, 0, 0, 0x03,   198, 18, 0, 3,
	};
	uint8_t got[64];

	(void)state;
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_OTHER_IP,
			      &zero_mac, PTEST_LOCAL_IP));
	assert_int_equal(ptest_pop_raw(t, got, sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(PTEST_CTR(t, ARP_REQ_RX), 1);
	assert_int_equal(PTEST_CTR(t, ARP_REPLY_TX), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc826_request_for_us_adds_sender(void **state)
{
	/* Ensure that the sender of a request for us is added to the table (Merge_flag false). */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), -ENOENT);
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_OTHER_IP,
			      &zero_mac, PTEST_LOCAL_IP));
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), 0);
	assert_memory_equal(&mac, &other_mac, 6);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc826_request_for_someone_else_ignored(void **state)
{
	/* Ensure that a request for another address is not answered and teaches us nothing. */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_ether_addr mac;

	(void)state;
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_OTHER_IP,
			      &zero_mac, NOWHERE_IP));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ARP_RX), 1);
	assert_int_equal(PTEST_CTR(t, ARP_REQ_RX), 0);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), -ENOENT);
	ptest_free(t);
}

static void
test_rfc826_known_sender_refreshed_by_any_packet(void **state)
{
	/* Ensure that any ARP packet from a known sender updates its MAC (Merge_flag true). */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_ether_addr mac;

	(void)state;
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &new_mac, PTEST_PEER_IP,
			      &zero_mac, NOWHERE_IP));
	assert_nothing_sent(t);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_PEER_IP, &mac), 0);
	assert_memory_equal(&mac, &new_mac, 6);
	ptest_free(t);
}

static void
test_rfc826_bad_hardware_type_dropped(void **state)
{
	/* Ensure that an ARP packet for another hardware type is counted and ignored. */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_mbuf *m;

	(void)state;
	m = arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_OTHER_IP, &zero_mac,
		      PTEST_LOCAL_IP);
	rte_pktmbuf_mtod(m, uint8_t *)[15] = 6;   /* htype 6: IEEE 802 */
	ptest_rx(t, m);
	assert_int_equal(PTEST_CTR(t, ARP_BAD), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc826_truncated_packet_dropped(void **state)
{
	/* Ensure that an ARP packet shorter than 28 bytes is counted and ignored. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t f[14 + 20] = { 0 };

	(void)state;
	ptcp_eth_build(f, &bcast_mac, &other_mac, RTE_ETHER_TYPE_ARP);
	ptest_rx(t, ptest_raw_frame(t, f, sizeof(f)));
	assert_int_equal(PTEST_CTR(t, ARP_BAD), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc5227_probe_for_our_address_answered(void **state)
{
	/* Ensure that a probe (sender IP 0) for our address is answered but not learnt. */
	struct ptest_ctx *t = ptest_new(NULL);
	struct ptcp_arp_info a;
	struct rte_ether_addr mac;

	(void)state;
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, 0, &zero_mac,
			      PTEST_LOCAL_IP));
	pop_arp(t, &other_mac, &a);
	assert_int_equal(a.op, RTE_ARP_OP_REPLY);
	assert_memory_equal(&a.sha, &ptest_local_mac, 6);
	assert_int_equal(a.spa, PTEST_LOCAL_IP);
	assert_memory_equal(&a.tha, &other_mac, 6);
	assert_int_equal(a.tpa, 0);
	assert_int_equal(ptcp_arp_lookup(t->st, 0, &mac), -ENOENT);
	ptest_free(t);
}

static void
test_rfc5227_conflict_counted(void **state)
{
	/* Ensure that another host claiming our address is counted and never cached. */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_ether_addr mac;

	(void)state;
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_LOCAL_IP,
			      &zero_mac, PTEST_LOCAL_IP));
	assert_int_equal(PTEST_CTR(t, ARP_CONFLICT), 1);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_LOCAL_IP, &mac), -ENOENT);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc5227_2_3_announcement_format(void **state)
{
	/* Ensure that the announcement is a broadcast request with sender = target = us. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,   0x02, 0, 0, 0, 0, 0x02,   0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x02,   198, 18, 0, 2,
		0, 0, 0, 0, 0, 0,         198, 18, 0, 2,
	};
	uint8_t got[64];

	(void)state;
	ptcp_net_announce(t->st);
	ptcp_stack_flush(t->st);
	assert_int_equal(ptest_pop_raw(t, got, sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(PTEST_CTR(t, ARP_REQ_TX), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_2_resolution_queues_then_flushes(void **state)
{
	/* Ensure that packets wait for resolution and leave in order to the answered MAC. */
	struct ptest_ctx *t = ptest_new(NULL);

	(void)state;
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(send_tcp(t, PTEST_OTHER_IP, (uint16_t)(1000 + i)), 0);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	assert_nothing_sent(t);   /* one request, no packet */
	assert_int_equal(PTEST_CTR(t, ARP_QUEUED), 3);
	assert_int_equal(PTEST_CTR(t, ARP_MISS), 3);

	rx_other_reply(t);
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 1000 + i);
	assert_nothing_sent(t);

	/* resolved: the next one goes at once */
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 2000), 0);
	assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 2000);
	assert_int_equal(PTEST_CTR(t, ARP_MISS), 3);
	assert_int_equal(PTEST_CTR(t, IP_TX), 4);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_2_request_retried_every_arp_retry_ms(void **state)
{
	/* Ensure that an unanswered request is repeated every arp_retry_ms, arp_retries in all. */
	struct ptcp_stack_conf c = { .arp_retry_ms = 500, .arp_retries = 3 };
	struct ptest_ctx *t = ptest_new(&c);

	(void)state;
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1000), 0);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	ptest_advance(t, 500 * MS - 1);
	assert_nothing_sent(t);
	ptest_advance(t, 1);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	ptest_advance(t, 500 * MS);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	ptest_advance(t, 500 * MS);
	assert_nothing_sent(t);   /* three requests, then it gives up */
	assert_int_equal(PTEST_CTR(t, ARP_REQ_TX), 3);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_2_give_up_drops_queued_packets(void **state)
{
	/* Ensure that when resolution gives up the waiting packets are freed and counted. */
	struct ptest_ctx *t = ptest_new(NULL);
	unsigned int base = pool_avail(t);

	(void)state;
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1000), 0);
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1001), 0);
	for (int i = 0; i < 3; i++) {
		pop_arp_request(t, NULL, PTEST_OTHER_IP);
		ptest_advance(t, 1000 * MS);
	}
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ARP_TIMEOUT_DROP), 2);
	assert_int_equal(pool_avail(t), base);

	/* the entry is gone: the next packet starts a new resolution */
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1002), 0);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_2_wait_queue_bounded_keeps_latest(void **state)
{
	/* Ensure that the wait queue holds 8 packets, dropping the oldest to keep the latest. */
	struct ptest_ctx *t = ptest_new(NULL);

	(void)state;
	for (uint16_t i = 0; i < 10; i++)
		assert_int_equal(send_tcp(t, PTEST_OTHER_IP, (uint16_t)(1000 + i)), 0);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	assert_int_equal(PTEST_CTR(t, ARP_QUEUE_FULL), 2);
	rx_other_reply(t);
	for (uint16_t i = 2; i < 10; i++)
		assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 1000 + i);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_2_table_bounded(void **state)
{
	/*
	 * Ensure that the table holds conf.arp_entries (256 here) neighbours, evicting resolved
	 * ones before refusing.
	 */
	struct ptcp_stack_conf c = { .prefix_len = 16, .arp_entries = 256 };
	struct ptest_ctx *t = ptest_new(&c);
	struct rte_ether_addr mac;
	unsigned int i;

	(void)state;
	/* the peer plus 255 resolving entries fill the table */
	for (i = 0; i < 255; i++)
		assert_int_equal(send_tcp(t, IP4(198, 18, 1 + i / 200, 10 + i % 200), 1), 0);
	assert_int_equal(PTEST_CTR(t, ARP_TABLE_FULL), 0);
	/* the next one evicts the only resolved entry, the peer */
	assert_int_equal(send_tcp(t, IP4(198, 18, 3, 1), 1), 0);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_PEER_IP, &mac), -ENOENT);
	/* then nothing is left to evict */
	assert_int_equal(send_tcp(t, IP4(198, 18, 3, 2), 1), -ENOBUFS);
	assert_int_equal(PTEST_CTR(t, ARP_TABLE_FULL), 1);
	assert_int_equal(PTEST_CTR(t, ARP_REQ_TX), 256);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_1_idle_entry_expires(void **state)
{
	/* Ensure that an entry nobody used is forgotten after arp_timeout_ms, silently. */
	struct ptcp_stack_conf c = { .arp_timeout_ms = 5000 };
	struct ptest_ctx *t = ptest_new(&c);
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(ptcp_arp_update(t->st, PTEST_OTHER_IP, &other_mac), 0);
	ptest_advance(t, 5000 * MS - 1);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), 0);
	ptest_advance(t, 1);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), -ENOENT);
	assert_true(PTEST_CTR(t, ARP_EXPIRED) >= 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_1_used_entry_revalidated_by_unicast_request(void **state)
{
	/* Ensure that an expired entry in use keeps its MAC while a unicast request rechecks it. */
	struct ptcp_stack_conf c = { .arp_timeout_ms = 5000 };
	struct ptest_ctx *t = ptest_new(&c);
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(ptcp_arp_update(t->st, PTEST_OTHER_IP, &other_mac), 0);
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1000), 0);
	assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 1000);
	ptest_advance(t, 5000 * MS);
	pop_arp_request(t, &other_mac, PTEST_OTHER_IP);
	/* meanwhile traffic still flows to the old MAC */
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1001), 0);
	assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 1001);
	/* the answer makes it valid again: no more requests */
	rx_other_reply(t);
	ptest_advance(t, 3000 * MS);
	assert_nothing_sent(t);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), 0);
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_1_unanswered_revalidation_removes_entry(void **state)
{
	/* Ensure that an entry whose unicast re-requests go unanswered is removed. */
	struct ptcp_stack_conf c = { .arp_timeout_ms = 5000 };
	struct ptest_ctx *t = ptest_new(&c);
	struct rte_ether_addr mac;

	(void)state;
	assert_int_equal(ptcp_arp_update(t->st, PTEST_OTHER_IP, &other_mac), 0);
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 1000), 0);
	assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 1000);
	ptest_advance(t, 5000 * MS);
	for (int i = 0; i < 3; i++) {
		pop_arp_request(t, &other_mac, PTEST_OTHER_IP);
		ptest_advance(t, 1000 * MS);
	}
	assert_nothing_sent(t);
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), -ENOENT);
	ptest_free(t);
}

/* ---- IPv4 input (RFC 791, RFC 1122 3.2.1) -------------------------------- */

/* Feed an echo request with the given header faults; expect it dropped. */
static void
expect_ip_drop(const struct ipspec *spec, enum ptcp_ctr ctr)
{
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[64];
	struct ipspec s = *spec;

	s.proto = IPPROTO_ICMP;
	s.data = msg;
	s.len = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, NULL, 0);
	ptest_rx(t, ip_frame(t, &s));
	assert_int_equal(t->st->ctr[ctr], 1);
	assert_int_equal(PTEST_CTR(t, ICMP_RX), 0);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_bad_version_dropped(void **state)
{
	/* Ensure that a header with version 6 is counted IP_BAD_HDR and dropped. */
	(void)state;
	expect_ip_drop(&(struct ipspec){ .version = 6 }, PTCP_CTR_IP_BAD_HDR);
}

static void
test_rfc791_ihl_below_5_dropped(void **state)
{
	/* Ensure that an IHL of 4 (16 bytes) is counted IP_BAD_HDR and dropped. */
	(void)state;
	expect_ip_drop(&(struct ipspec){ .ihl = 4 }, PTCP_CTR_IP_BAD_HDR);
}

static void
test_rfc791_total_length_beyond_frame_dropped(void **state)
{
	/* Ensure that a total length longer than the frame is counted IP_BAD_HDR and dropped. */
	(void)state;
	expect_ip_drop(&(struct ipspec){ .tot_adj = 40 }, PTCP_CTR_IP_BAD_HDR);
}

static void
test_rfc791_total_length_below_header_dropped(void **state)
{
	/* Ensure that a total length shorter than the header is counted IP_BAD_HDR and dropped. */
	(void)state;
	expect_ip_drop(&(struct ipspec){ .tot_adj = -16 }, PTCP_CTR_IP_BAD_HDR);
}

static void
test_rfc791_truncated_header_dropped(void **state)
{
	/* Ensure that a frame holding less than a 20-byte header is counted and dropped. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t f[2048];

	(void)state;
	ip_bytes(f, &(struct ipspec){ .proto = IPPROTO_ICMP });
	ptest_rx(t, ptest_raw_frame(t, f, 14 + 12));
	assert_int_equal(PTEST_CTR(t, IP_BAD_HDR), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_3_2_1_2_bad_header_checksum_dropped(void **state)
{
	/* Ensure that a header with a bad checksum is counted IP_BAD_CSUM and dropped. */
	(void)state;
	expect_ip_drop(&(struct ipspec){ .bad_cksum = true }, PTCP_CTR_IP_BAD_CSUM);
}

static void
test_rfc1122_3_2_1_2_nic_verified_checksum_trusted(void **state)
{
	/* Ensure that with RX offload a NIC "checksum good" flag skips the software check. */
	struct ptcp_stack_conf c = { .offloads = PTCP_OFFLOAD_RX_IPV4_CKSUM };
	struct ptest_ctx *t = ptest_new(&c);
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 3, 4, NULL, 0);
	struct rte_mbuf *m;

	(void)state;
	/* A wrong checksum the NIC claims is good: proof that software did not look. */
	m = ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n,
					  .bad_cksum = true });
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	ptest_rx(t, m);
	pop_echo_reply(t, 3, 4, NULL, 0);
	assert_int_equal(PTEST_CTR(t, IP_BAD_CSUM), 0);
	ptest_free(t);
}

static void
test_rfc1122_3_2_1_2_nic_bad_checksum_dropped(void **state)
{
	/* Ensure that with RX offload a NIC "checksum bad" flag drops the datagram. */
	struct ptcp_stack_conf c = { .offloads = PTCP_OFFLOAD_RX_IPV4_CKSUM };
	struct ptest_ctx *t = ptest_new(&c);
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 3, 4, NULL, 0);
	struct rte_mbuf *m;

	(void)state;
	m = ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n });
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	ptest_rx(t, m);
	assert_int_equal(PTEST_CTR(t, IP_BAD_CSUM), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_not_for_us_dropped(void **state)
{
	/* Ensure that a datagram for another address is counted IP_NOT_OURS and dropped. */
	(void)state;
	expect_ip_drop(&(struct ipspec){ .dst = NOWHERE_IP }, PTCP_CTR_IP_NOT_OURS);
}

static void
test_rfc1122_3_2_1_3_bad_source_dropped(void **state)
{
	/* Ensure that sources naming no single host are silently discarded. */
	static const rte_be32_t bad[] = {
		IP4(0, 0, 0, 0), IP4(0, 1, 2, 3), IP4(127, 0, 0, 1), IP4(224, 0, 0, 1),
		IP4(240, 0, 0, 1), IP4(255, 255, 255, 255), IP4(198, 18, 0, 255),
		IP4(198, 18, 0, 0), IP4(198, 18, 0, 2),
	};

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		expect_ip_drop(&(struct ipspec){ .src = bad[i], .src_set = true },
			       PTCP_CTR_IP_BAD_SRC);
}

static void
test_rfc791_options_skipped(void **state)
{
	/* Ensure that a header with options (IHL 7) is accepted and its payload found. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint8_t opts[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };   /* NOPs, EOL */
	uint8_t data[10], msg[64];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 1);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 5, 6, data, sizeof(data));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n,
						  .opts = opts, .optlen = sizeof(opts) }));
	pop_echo_reply(t, 5, 6, data, sizeof(data));
	ptest_free(t);
}

static void
test_rfc1122_3_2_1_7_ttl_below_2_accepted(void **state)
{
	/* Ensure that datagrams received with TTL 0 or 1 are not discarded. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 9, 0, NULL, 0);

	(void)state;
	for (uint8_t ttl = 0; ttl < 2; ttl++) {
		ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg,
							  .len = n, .ttl_set = true, .ttl = ttl }));
		pop_echo_reply(t, 9, 0, NULL, 0);
	}
	ptest_free(t);
}

/* ---- Reassembly (RFC 791 3.2, RFC 1122 3.3.2) ---------------------------- */

/* Send msg[0..len) as ICMP fragments cut at the given offsets, in the order given. */
static void
rx_fragments(struct ptest_ctx *t, const uint8_t *msg, uint32_t len, const uint32_t *cuts,
	     unsigned int ncuts, const unsigned int *order)
{
	for (unsigned int k = 0; k <= ncuts; k++) {
		unsigned int i = order[k];
		uint32_t from = i == 0 ? 0 : cuts[i - 1];
		uint32_t to = i == ncuts ? len : cuts[i];
		uint16_t frag = (uint16_t)(from / 8);

		if (i != ncuts)
			frag |= RTE_IPV4_HDR_MF_FLAG;
		ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .id = 0x4242,
							  .frag = frag, .data = msg + from,
							  .len = to - from }));
	}
}

static void
test_rfc791_two_fragments_reassembled(void **state)
{
	/* Ensure that an echo request in two fragments is reassembled and answered in full. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint32_t cuts[] = { 512 };
	static const unsigned int order[] = { 0, 1 };
	uint8_t data[1000], msg[1008];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 3);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0x1234, 1, data, sizeof(data));
	rx_fragments(t, msg, n, cuts, 1, order);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0]->nb_segs, 1);   /* linearized for single-segment ports */
	pop_echo_reply(t, 0x1234, 1, data, sizeof(data));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_RX), 2);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_REASM), 1);
	ptest_free(t);
}

static void
test_rfc791_three_fragments_out_of_order_reassembled(void **state)
{
	/* Ensure that three fragments arriving last, first, middle are reassembled. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint32_t cuts[] = { 400, 800 };
	static const unsigned int order[] = { 2, 0, 1 };
	uint8_t data[1200], msg[1208];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 11);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0x4321, 77, data, sizeof(data));
	rx_fragments(t, msg, n, cuts, 2, order);
	pop_echo_reply(t, 0x4321, 77, data, sizeof(data));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_RX), 3);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_REASM), 1);
	ptest_free(t);
}

static void
test_rfc791_jumbo_echo_answered_as_chain(void **state)
{
	/* Ensure that a reassembled echo too big for one mbuf is answered as an mbuf chain. */
	struct ptcp_stack_conf c = { .mtu = 9000 };
	struct ptest_ctx *t = ptest_new(&c);
	static const uint32_t cuts[] = { 1480, 2960 };
	static const unsigned int order[] = { 1, 2, 0 };
	static uint8_t data[3000], msg[3008];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 17);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0x7777, 3, data, sizeof(data));
	rx_fragments(t, msg, n, cuts, 2, order);
	assert_int_equal(t->nsent, 1);
	assert_true(t->sent[0]->nb_segs > 1);
	pop_echo_reply(t, 0x7777, 3, data, sizeof(data));
	assert_int_equal(PTEST_CTR(t, IP_FRAG_REASM), 1);
	ptest_free(t);
}

static void
test_rfc1122_3_3_2_lone_fragment_times_out(void **state)
{
	/* Ensure that a fragment whose siblings never come is freed after the timeout, silently. */
	struct ptest_ctx *t = ptest_new(NULL);
	unsigned int base = pool_avail(t);
	uint8_t data[1000], msg[1008];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 5);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, data, sizeof(data));
	/* the last fragment only: offset 512, no MF */
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .id = 7, .frag = 512 / 8,
						  .data = msg + 512, .len = n - 512 }));
	assert_int_equal(pool_avail(t), base - 1);  /* held by the table */
	ptest_advance(t, 30000 * MS);
	assert_int_equal(pool_avail(t), base - 1);
	ptest_advance(t, 1);
	assert_int_equal(pool_avail(t), base);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_DROP), 1);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_REASM), 0);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_empty_fragment_dropped(void **state)
{
	/* Ensure that a fragment without data is counted IP_FRAG_DROP and not held. */
	struct ptest_ctx *t = ptest_new(NULL);
	unsigned int base = pool_avail(t);

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP,
						  .frag = RTE_IPV4_HDR_MF_FLAG }));
	assert_int_equal(PTEST_CTR(t, IP_FRAG_DROP), 1);
	assert_int_equal(pool_avail(t), base);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_fragmented_tcp_reaches_tcp(void **state)
{
	/* Ensure that a TCP segment split inside its header is reassembled and handed to TCP. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[100], l4[20 + sizeof(data)];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
	struct ptcp_tcp_seg seg;

	(void)state;
	fill(data, sizeof(data), 1);
	ptcp_tcp_build(l4, 40000, 9, 100, 0, RTE_TCP_SYN_FLAG, 1000, 0);
	memcpy(l4 + 20, data, sizeof(data));
	th->cksum = 0;
	th->cksum = ptcp_l4_cksum(PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_TCP, l4, sizeof(l4));
	/* 8 bytes of the TCP header, then the rest */
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_TCP, .id = 9,
						  .frag = RTE_IPV4_HDR_MF_FLAG, .data = l4,
						  .len = 8 }));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_TCP, .id = 9, .frag = 1,
						  .data = l4 + 8, .len = sizeof(l4) - 8 }));
	assert_int_equal(PTEST_CTR(t, IP_FRAG_REASM), 1);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_CSUM), 0);
	assert_int_equal(PTEST_CTR(t, TCP_BAD_HDR), 0);
	assert_int_equal(PTEST_CTR(t, TCP_NO_CONN), 1);
	ptest_pop_tcp(t, &seg, NULL, 0);
	assert_true(seg.flags & RTE_TCP_RST_FLAG);
	assert_int_equal(seg.ack, 100 + 1 + sizeof(data));
	ptest_free(t);
}

/* ---- ICMP echo (RFC 792) ------------------------------------------------- */

static void
echo_roundtrip(uint32_t len)
{
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[1472], msg[1480];
	uint32_t n;

	fill(data, len, (uint8_t)len);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0xbeef, (uint16_t)len, data, len);
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	pop_echo_reply(t, 0xbeef, (uint16_t)len, data, len);
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ICMP_ECHO_RX), 1);
	assert_int_equal(PTEST_CTR(t, ICMP_ECHO_TX), 1);
	ptest_free(t);
}

static void
test_rfc792_echo_reply_0_bytes(void **state)
{
	/* Ensure that an echo request without data is answered with none. */
	(void)state;
	echo_roundtrip(0);
}

static void
test_rfc792_echo_reply_1_byte(void **state)
{
	/* Ensure that an odd-sized (1 byte) echo payload comes back intact. */
	(void)state;
	echo_roundtrip(1);
}

static void
test_rfc792_echo_reply_56_bytes(void **state)
{
	/* Ensure that ping's default 56-byte payload comes back intact. */
	(void)state;
	echo_roundtrip(56);
}

static void
test_rfc1071_echo_reply_to_all_zero_request_verifies(void **state)
{
	/*
	 * Ensure that the reply to an echo request whose reply is all zero
	 * (ident 0, seq 0, 56 zero bytes; request checksum f7ff) carries the
	 * checksum ffff, the only one that verifies (RFC 1071), not the 0000 an
	 * RFC 1624 eqn. 3 update gives for it. Found by fuzz_rx.
	 */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[56] = { 0 }, msg[64];
	uint32_t n;

	(void)state;
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0, 0, data, sizeof(data));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	pop_echo_reply(t, 0, 0, data, sizeof(data));
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc792_echo_reply_1472_bytes(void **state)
{
	/* Ensure that the largest echo fitting a 1500-byte MTU comes back intact. */
	(void)state;
	echo_roundtrip(1472);
}

static void
test_rfc792_echo_bad_checksum_dropped(void **state)
{
	/* Ensure that an echo request with a bad ICMP checksum is counted and not answered. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[8] = { 0 }, msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, data, sizeof(data));

	(void)state;
	msg[9] ^= 0x40;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	assert_int_equal(PTEST_CTR(t, ICMP_BAD), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc792_truncated_message_dropped(void **state)
{
	/* Ensure that an ICMP message shorter than its 8-byte header is counted and dropped. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[4] = { 8, 0, 0xf7, 0xff };   /* checksum right for these 4 bytes */

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = 4 }));
	assert_int_equal(PTEST_CTR(t, ICMP_BAD), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_3_2_2_6_echo_to_broadcast_ignored(void **state)
{
	/* Ensure that echo requests to the limited or subnet broadcast are not answered. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, NULL, 0);

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n,
						  .dst = LIMITED_BCAST, .eth_dst = &bcast_mac }));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n,
						  .dst = SUBNET_BCAST, .eth_dst = &bcast_mac }));
	assert_int_equal(PTEST_CTR(t, ICMP_ECHO_BCAST), 2);
	assert_int_equal(PTEST_CTR(t, IP_NOT_OURS), 0);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc792_other_types_counted(void **state)
{
	/* Ensure that an ICMP type we do not handle (echo reply) is counted ICMP_OTHER. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REPLY, 1, 1, NULL, 0);

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	assert_int_equal(PTEST_CTR(t, ICMP_OTHER), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

/* ---- ICMP errors (RFC 1122 3.2.2) ---------------------------------------- */

/* Pop a destination unreachable to the peer quoting orig[0..qlen) (the datagram as sent). */
static void
pop_unreach(struct ptest_ctx *t, uint8_t code, const uint8_t *orig, uint32_t qlen)
{
	struct sent d;
	struct ptcp_icmp_info ic;

	pop_ipv4(t, &d, &ptest_peer_mac, IPPROTO_ICMP);
	assert_int_equal(d.ip.dst, PTEST_PEER_IP);
	assert_int_equal(d.l4_len, 8 + qlen);
	assert_int_equal(ptcp_icmp_parse(d.l4, d.l4_len, &ic), 0);
	assert_int_equal(ic.type, 3);
	assert_int_equal(ic.code, code);
	assert_int_equal(d.l4[4] | d.l4[5] | d.l4[6] | d.l4[7], 0);   /* unused: zero */
	assert_memory_equal(d.l4 + 8, orig, qlen);
}

static void
test_rfc1122_3_2_2_1_protocol_unreachable_contents(void **state)
{
	/* Ensure that an unknown protocol gets code 2 quoting its IP header and data. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[30], f[2048];
	uint32_t flen;

	(void)state;
	fill(data, sizeof(data), 9);
	flen = ip_bytes(f, &(struct ipspec){ .proto = 253, .id = 77, .data = data,
					     .len = sizeof(data) });
	ptest_rx(t, ptest_raw_frame(t, f, flen));
	pop_unreach(t, 2, f + 14, 20 + sizeof(data));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_UNKNOWN_PROTO), 1);
	assert_int_equal(PTEST_CTR(t, ICMP_UNREACH_TX), 1);
	ptest_free(t);
}

static void
test_rfc1122_3_2_2_1_udp_port_unreachable(void **state)
{
	/* Ensure that UDP (which this stack lacks) gets code 3, port unreachable. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t udp[16] = { 0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0, 0 }, f[2048];
	uint32_t flen;

	(void)state;
	flen = ip_bytes(f, &(struct ipspec){ .proto = IPPROTO_UDP, .data = udp,
					     .len = sizeof(udp) });
	ptest_rx(t, ptest_raw_frame(t, f, flen));
	pop_unreach(t, 3, f + 14, 20 + sizeof(udp));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_NO_UDP), 1);
	ptest_free(t);
}

static void
test_rfc1812_4_3_2_3_error_quote_fits_576_bytes(void **state)
{
	/* Ensure that an error quotes as much of a long datagram as fits in 576 bytes. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t data[1000], f[2048];
	uint32_t flen;

	(void)state;
	fill(data, sizeof(data), 21);
	flen = ip_bytes(f, &(struct ipspec){ .proto = IPPROTO_UDP, .data = data,
					     .len = sizeof(data) });
	ptest_rx(t, ptest_raw_frame(t, f, flen));
	pop_unreach(t, 3, f + 14, 576 - 28);
	ptest_free(t);
}

static void
test_rfc1122_3_2_2_no_icmp_error_for_ip_broadcast(void **state)
{
	/* Ensure that UDP to a broadcast address draws no port unreachable. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t udp[8] = { 0 };

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_UDP, .data = udp, .len = 8,
						  .dst = LIMITED_BCAST, .eth_dst = &bcast_mac }));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_UDP, .data = udp, .len = 8,
						  .dst = SUBNET_BCAST, .eth_dst = &bcast_mac }));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ICMP_UNREACH_TX), 0);
	ptest_free(t);
}

static void
test_rfc1122_3_2_2_no_icmp_error_for_link_broadcast(void **state)
{
	/* Ensure that UDP to our address in a link-layer broadcast draws no error. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t udp[8] = { 0 };

	(void)state;
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_UDP, .data = udp, .len = 8,
						  .eth_dst = &bcast_mac }));
	assert_int_equal(PTEST_CTR(t, IP_NO_UDP), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_3_2_2_no_icmp_error_for_icmp_error(void **state)
{
	/* Ensure that a received ICMP error (destination unreachable) draws nothing back. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t msg[8 + 28] = { 3, 3 }, orig[14 + 28], udp[8] = { 0 };
	uint16_t ck;

	(void)state;
	/* port unreachable quoting a UDP datagram we "sent" to the peer */
	ip_bytes(orig, &(struct ipspec){ .src = PTEST_LOCAL_IP, .dst = PTEST_PEER_IP,
					 .proto = IPPROTO_UDP, .data = udp, .len = sizeof(udp) });
	memcpy(msg + 8, orig + 14, 28);
	ck = (uint16_t)~ptcp_cksum_raw(msg, sizeof(msg));
	memcpy(msg + 2, &ck, 2);
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg,
						  .len = sizeof(msg) }));
	assert_int_equal(PTEST_CTR(t, ICMP_OTHER), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc1122_3_2_2_icmp_errors_rate_limited(void **state)
{
	/* Ensure that errors beyond the token bucket are suppressed and counted. */
	struct ptest_ctx *t = ptest_new(NULL);
	uint8_t udp[8] = { 0 };

	(void)state;
	for (int i = 0; i < 15; i++)
		ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_UDP, .data = udp,
							  .len = 8 }));
	assert_int_equal(t->nsent, 10);
	assert_int_equal(PTEST_CTR(t, ICMP_RATE_LIMITED), 5);
	ptest_clear(t);
	/* 100 per second: one more token after 10 ms */
	ptest_advance(t, 10 * MS);
	for (int i = 0; i < 2; i++)
		ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_UDP, .data = udp,
							  .len = 8 }));
	assert_int_equal(t->nsent, 1);
	assert_int_equal(PTEST_CTR(t, ICMP_RATE_LIMITED), 6);
	ptest_free(t);
}

/* ---- IPv4 output --------------------------------------------------------- */

static void
test_rfc791_output_header_fields(void **state)
{
	/* Ensure that output carries a valid 20-byte header, DF and TTL 64 (pop_ipv4). */
	struct ptest_ctx *t = ptest_new(NULL);
	struct sent a;

	(void)state;
	assert_int_equal(send_tcp(t, PTEST_PEER_IP, 1), 0);
	pop_ipv4(t, &a, &ptest_peer_mac, IPPROTO_TCP);
	assert_int_equal(a.ip.dst, PTEST_PEER_IP);
	assert_int_equal(a.ip.total_len, 40);
	assert_int_equal(ptcp_l4_cksum(a.ip.src, a.ip.dst, IPPROTO_TCP, a.l4, a.l4_len), 0);
	ptest_free(t);
}

static void
test_rfc1122_3_3_1_off_link_without_gateway_no_route(void **state)
{
	/* Ensure that an off-link destination without a gateway is dropped as IP_NO_ROUTE. */
	struct ptest_ctx *t = ptest_new(NULL);
	unsigned int base = pool_avail(t);

	(void)state;
	assert_int_equal(send_tcp(t, OFFLINK_IP, 1), -ENETUNREACH);
	assert_int_equal(PTEST_CTR(t, IP_NO_ROUTE), 1);
	assert_nothing_sent(t);
	assert_int_equal(pool_avail(t), base);
	ptest_free(t);
}

static void
test_rfc1122_3_3_1_off_link_via_gateway(void **state)
{
	/* Ensure that an off-link destination is framed to the gateway's MAC. */
	struct ptcp_stack_conf c = { .gateway = PTEST_PEER_IP };
	struct ptest_ctx *t = ptest_new(&c);

	(void)state;
	assert_int_equal(send_tcp(t, OFFLINK_IP, 1), 0);
	assert_int_equal(pop_tcp_to(t, &ptest_peer_mac, OFFLINK_IP), 1);
	ptest_free(t);
}

static void
test_rfc1191_tcp_beyond_mtu_dropped_not_fragmented(void **state)
{
	/* Ensure that a TCP segment larger than the MTU is refused (DF), never fragmented. */
	struct ptcp_stack_conf c = { .mtu = 576 };
	struct ptest_ctx *t = ptest_new(&c);
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
	uint8_t *p;

	(void)state;
	p = (uint8_t *)rte_pktmbuf_append(m, 576 - 20 + 1);
	assert_non_null(p);
	ptcp_tcp_build(p, 1, 80, 1, 0, RTE_TCP_ACK_FLAG, 1000, 0);
	assert_int_equal(ptcp_ipv4_output(t->st, m, PTEST_PEER_IP, IPPROTO_TCP), -EMSGSIZE);
	ptcp_stack_flush(t->st);
	assert_int_equal(PTEST_CTR(t, IP_TX_TOO_BIG), 1);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX), 0);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc9293_3_1_tx_cksum_offload_seeds_pseudo_header(void **state)
{
	/* Ensure that with TX offload the TCP checksum holds the pseudo-header sum and flags. */
	struct ptcp_stack_conf c = { .offloads = PTCP_OFFLOAD_TX_TCP_CKSUM |
						 PTCP_OFFLOAD_TX_IPV4_CKSUM };
	struct ptest_ctx *t = ptest_new(&c);
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	(void)state;
	assert_int_equal(send_tcp(t, PTEST_PEER_IP, 1), 0);
	assert_int_equal(t->nsent, 1);
	m = t->sent[0];
	assert_true((m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM |
				    RTE_MBUF_F_TX_IP_CKSUM)) ==
		    (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IP_CKSUM));
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 20);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 14);
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, 34);
	assert_int_equal(ip->hdr_checksum, 0);
	assert_int_equal(th->cksum, ptcp_l4_phdr_cksum(PTEST_LOCAL_IP, PTEST_PEER_IP,
						       IPPROTO_TCP, 20));
	ptest_free(t);
}

/* ---- IPv4 output fragmentation (RFC 791 3.2, RFC 1122 3.3.3) ------------- */

/* Data bytes in every fragment but the last, at IP MTU mtu. */
#define FRAG_DATA(mtu)   (((mtu) - 20u) & ~7u)

/*
 * Pop n frames that must be the fragments of one datagram from us to dst
 * (framed to eth_dst), in order: single-segment, at most mtu bytes of IPv4,
 * valid header checksums, no DF, one identification, offsets following each
 * other, MF on all but the last, every fragment but the last full and a
 * multiple of 8 bytes. Copies the datagram's data into buf; returns its length.
 */
static uint32_t
pop_fragments(struct ptest_ctx *t, unsigned int n, uint16_t mtu, rte_be32_t dst,
	      const struct rte_ether_addr *eth_dst, uint8_t proto, uint8_t *buf, uint32_t cap)
{
	static struct sent d;
	uint32_t next = 0;
	uint16_t id = 0, et;

	assert_true(t->nsent >= n);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t ofs;
		bool last = i + 1 == n;

		assert_int_equal(t->sent[0]->nb_segs, 1);
		d.len = ptest_pop_raw(t, d.f, sizeof(d.f));
		assert_int_equal(ptcp_eth_parse(d.f, d.len, &et), 0);
		assert_int_equal(et, RTE_ETHER_TYPE_IPV4);
		assert_memory_equal(d.f, eth_dst, 6);
		assert_memory_equal(d.f + 6, &ptest_local_mac, 6);
		/* verify = true: each fragment carries its own header checksum */
		assert_int_equal(ptcp_ipv4_parse(d.f + 14, d.len - 14, true, &d.ip), 0);
		assert_int_equal(d.ip.total_len, d.len - 14);
		assert_true(d.ip.total_len <= mtu);
		assert_int_equal(d.ip.hdr_len, 20);
		assert_int_equal(d.ip.src, PTEST_LOCAL_IP);
		assert_int_equal(d.ip.dst, dst);
		assert_int_equal(d.ip.proto, proto);
		assert_int_equal(d.ip.ttl, 64);
		assert_int_equal(d.ip.frag & RTE_IPV4_HDR_DF_FLAG, 0);
		assert_int_equal((d.ip.frag & RTE_IPV4_HDR_MF_FLAG) != 0, !last);
		ofs = (uint32_t)(d.ip.frag & RTE_IPV4_HDR_OFFSET_MASK) * 8u;
		assert_int_equal(ofs, next);
		if (i == 0)
			id = d.ip.id;
		assert_int_equal(d.ip.id, id);
		d.l4_len = d.ip.total_len - 20u;
		if (!last)
			assert_int_equal(d.l4_len, FRAG_DATA(mtu));
		assert_true(d.l4_len > 0 && ofs + d.l4_len <= cap);
		memcpy(buf + ofs, d.f + 34, d.l4_len);
		next = ofs + d.l4_len;
	}
	return next;
}

/* Pop the n fragments of an echo reply to the peer; check it carries exactly data[0..len). */
static void
pop_fragmented_echo_reply(struct ptest_ctx *t, unsigned int n, uint16_t mtu, uint16_t ident,
			  uint16_t seq, const uint8_t *data, uint32_t len)
{
	static uint8_t msg[65536];
	struct ptcp_icmp_info ic;

	assert_int_equal(pop_fragments(t, n, mtu, PTEST_PEER_IP, &ptest_peer_mac, IPPROTO_ICMP,
				       msg, sizeof(msg)), 8 + len);
	assert_int_equal(ptcp_icmp_parse(msg, 8 + len, &ic), 0);   /* checksum over all of it */
	assert_int_equal(ic.type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(ic.code, 0);
	assert_int_equal(ic.ident, ident);
	assert_int_equal(ic.seq, seq);
	assert_memory_equal(msg + 8, data, len);
}

/* ping -s len with the request cut like Linux at MTU 1500; n fragments each way. */
static void
echo_fragmented_roundtrip(uint32_t len, unsigned int n, const unsigned int *order)
{
	struct ptest_ctx *t = ptest_new(NULL);
	unsigned int base = pool_avail(t);
	static uint8_t data[8000], msg[8008];
	uint32_t cuts[8], mlen;

	fill(data, len, 0x5a);
	mlen = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0x0bad, 42, data, len);
	for (unsigned int i = 0; i + 1 < n; i++)
		cuts[i] = (i + 1) * 1480u;
	rx_fragments(t, msg, mlen, cuts, n - 1, order);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_REASM), 1);
	assert_int_equal(t->nsent, n);
	pop_fragmented_echo_reply(t, n, 1500, 0x0bad, 42, data, len);
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ICMP_ECHO_TX), 1);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX), n);
	assert_int_equal(PTEST_CTR(t, IP_TX), n);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX_FAIL), 0);
	assert_int_equal(pool_avail(t), base);
	ptest_free(t);
}

static void
test_rfc791_3_2_echo_3000_bytes_answered_in_fragments(void **state)
{
	/* Ensure that ping -s 3000 (3 fragments in) is answered by 3 fragments, byte-exact. */
	static const unsigned int order[] = { 0, 1, 2 };

	(void)state;
	echo_fragmented_roundtrip(3000, 3, order);
}

static void
test_rfc791_3_2_echo_8000_bytes_answered_in_fragments(void **state)
{
	/* Ensure that ping -s 8000 (6 fragments, out of order) is answered by 6 fragments. */
	static const unsigned int order[] = { 5, 2, 0, 4, 1, 3 };

	(void)state;
	echo_fragmented_roundtrip(8000, 6, order);
}

static void
test_rfc791_3_2_fragments_sized_to_mtu(void **state)
{
	/* Ensure that at MTU 576 a 1000-byte echo reply leaves as 552 + 456 data bytes. */
	struct ptcp_stack_conf c = { .mtu = 576 };
	struct ptest_ctx *t = ptest_new(&c);
	uint8_t data[1000], msg[1008];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 0);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 1, 2, data, sizeof(data));
	/* one unfragmented request, larger than our MTU: accepted, answered in pieces */
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	assert_int_equal(t->nsent, 2);
	assert_int_equal(rte_pktmbuf_pkt_len(t->sent[0]), 14 + 20 + 552);
	assert_int_equal(rte_pktmbuf_pkt_len(t->sent[1]), 14 + 20 + 1008 - 552);
	pop_fragmented_echo_reply(t, 2, 576, 1, 2, data, sizeof(data));
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc792_echo_that_fits_sent_whole(void **state)
{
	/* Ensure that a reassembled echo whose reply fits the MTU is sent whole, without DF. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint32_t cuts[] = { 1000 };
	static const unsigned int order[] = { 0, 1 };
	uint8_t data[1472], msg[1480];
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 8);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 3, 3, data, sizeof(data));
	rx_fragments(t, msg, n, cuts, 1, order);
	pop_echo_reply(t, 3, 3, data, sizeof(data));   /* asserts no DF, one frame */
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX), 0);
	ptest_free(t);
}

/* A chain of len pattern bytes (seed) in segments of lens[], then of 2000 bytes. */
static struct rte_mbuf *
chain_datagram(struct ptest_ctx *t, uint32_t len, uint8_t seed, const uint16_t *lens,
	       unsigned int nlens)
{
	static uint8_t buf[65536];
	struct rte_mbuf *head = NULL;
	uint32_t done = 0;

	fill(buf, len, seed);
	for (unsigned int i = 0; done < len; i++) {
		uint16_t l = (uint16_t)RTE_MIN(i < nlens ? lens[i] : 2000u, len - done);
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
		uint8_t *p;

		assert_non_null(m);
		p = (uint8_t *)rte_pktmbuf_append(m, l);
		assert_non_null(p);
		memcpy(p, buf + done, l);
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
		done += l;
	}
	return head;
}

/* Send a proto-253 datagram through ptcp_ipv4_output, then flush. */
static int
send_raw(struct ptest_ctx *t, struct rte_mbuf *m, rte_be32_t dst)
{
	int rc;

	t->st->now_us = t->now;
	rc = ptcp_ipv4_output(t->st, m, dst, 253);
	ptcp_stack_flush(t->st);
	return rc;
}

static void
test_rfc791_3_2_chain_split_at_odd_bytes_fragmented(void **state)
{
	/* Ensure that a chained datagram cut at odd byte counts is fragmented byte-exact. */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint16_t lens[] = { 1, 777, 1333, 3, 1471 };
	static uint8_t want[4001], got[4001];
	unsigned int base = pool_avail(t);

	(void)state;
	fill(want, sizeof(want), 99);
	assert_int_equal(send_raw(t, chain_datagram(t, sizeof(want), 99, lens, RTE_DIM(lens)),
				  PTEST_PEER_IP), 0);
	/* 1480 + 1480 + 1041 */
	assert_int_equal(pop_fragments(t, 3, 1500, PTEST_PEER_IP, &ptest_peer_mac, 253, got,
				       sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_nothing_sent(t);
	assert_int_equal(pool_avail(t), base);
	ptest_free(t);
}

static void
test_rfc791_3_2_datagrams_get_distinct_ids(void **state)
{
	/* Ensure that two fragmented datagrams in a row carry different identifications. */
	struct ptest_ctx *t = ptest_new(NULL);
	static uint8_t got[3000];
	uint16_t id1;

	(void)state;
	assert_int_equal(send_raw(t, chain_datagram(t, 3000, 1, NULL, 0), PTEST_PEER_IP), 0);
	assert_int_equal(send_raw(t, chain_datagram(t, 3000, 2, NULL, 0), PTEST_PEER_IP), 0);
	assert_int_equal(t->nsent, 6);
	id1 = rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(t->sent[0], struct rte_ipv4_hdr *,
							14)->packet_id);
	pop_fragments(t, 3, 1500, PTEST_PEER_IP, &ptest_peer_mac, 253, got, sizeof(got));
	assert_int_not_equal(rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(
				     t->sent[0], struct rte_ipv4_hdr *, 14)->packet_id), id1);
	pop_fragments(t, 3, 1500, PTEST_PEER_IP, &ptest_peer_mac, 253, got, sizeof(got));
	ptest_free(t);
}

static void
test_rfc1122_2_3_2_2_fragments_wait_for_arp_in_order(void **state)
{
	/* Ensure that fragments to an unresolved neighbour wait for ARP, then leave in order. */
	struct ptest_ctx *t = ptest_new(NULL);
	static uint8_t want[3000], got[3000];

	(void)state;
	fill(want, sizeof(want), 7);
	assert_int_equal(send_raw(t, chain_datagram(t, sizeof(want), 7, NULL, 0), PTEST_OTHER_IP),
			 0);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ARP_QUEUED), 3);
	rx_other_reply(t);
	assert_int_equal(pop_fragments(t, 3, 1500, PTEST_OTHER_IP, &other_mac, 253, got,
				       sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_3_2_fragment_checksums_in_software_under_offload(void **state)
{
	/* Ensure that with IPv4 checksum offload each fragment still carries its own checksum. */
	struct ptcp_stack_conf c = { .offloads = PTCP_OFFLOAD_TX_IPV4_CKSUM };
	struct ptest_ctx *t = ptest_new(&c);
	static uint8_t got[3000];

	(void)state;
	assert_int_equal(send_raw(t, chain_datagram(t, 3000, 3, NULL, 0), PTEST_PEER_IP), 0);
	assert_int_equal(t->nsent, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(t->sent[i]->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM |
							 RTE_MBUF_F_TX_IPV4), 0);
	pop_fragments(t, 3, 1500, PTEST_PEER_IP, &ptest_peer_mac, 253, got, sizeof(got));
	ptest_free(t);
}

static void
test_rfc791_3_2_pool_empty_mid_datagram_sends_nothing(void **state)
{
	/* Ensure that running out of mbufs after one fragment sends nothing, leaks nothing. */
	struct ptest_ctx *t = ptest_new(NULL);
	static struct rte_mbuf *hog[4096];
	struct rte_mbuf *m = chain_datagram(t, 3000, 4, NULL, 0);
	unsigned int base = pool_avail(t), nhog = base - 1;

	(void)state;
	/* one mbuf left: the first fragment gets it, the second finds none */
	assert_int_equal(rte_pktmbuf_alloc_bulk(t->pool, hog, nhog), 0);
	assert_int_equal(send_raw(t, m, PTEST_PEER_IP), -ENOBUFS);
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX_FAIL), 1);
	assert_int_equal(PTEST_CTR(t, POOL_EMPTY), 1);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX), 0);
	/* the datagram (2 mbufs) and the lone fragment are back */
	assert_int_equal(pool_avail(t), 1 + 2);
	for (unsigned int i = 0; i < nhog; i++)
		rte_pktmbuf_free(hog[i]);
	assert_int_equal(pool_avail(t), base + 2);
	ptest_free(t);
}

static void
test_rfc791_3_2_too_many_fragments_refused(void **state)
{
	/* Ensure that a datagram needing more than 120 fragments is refused and counted. */
	struct ptcp_stack_conf c = { .mtu = 68 };
	struct ptest_ctx *t = ptest_new(&c);
	static uint8_t got[5760];

	(void)state;
	/* 48 data bytes per fragment: 5760 bytes is 120 fragments, 5761 is 121 */
	assert_int_equal(send_raw(t, chain_datagram(t, 5761, 5, NULL, 0), PTEST_PEER_IP),
			 -EMSGSIZE);
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_FRAG_TX_FAIL), 1);
	assert_int_equal(send_raw(t, chain_datagram(t, 5760, 5, NULL, 0), PTEST_PEER_IP), 0);
	assert_int_equal(pop_fragments(t, 120, 68, PTEST_PEER_IP, &ptest_peer_mac, 253, got,
				       sizeof(got)), 5760);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_datagram_beyond_65535_bytes_refused(void **state)
{
	/* Ensure that data that cannot fit any IPv4 datagram (> 65515 bytes) is refused. */
	struct ptest_ctx *t = ptest_new(NULL);

	(void)state;
	assert_int_equal(send_raw(t, chain_datagram(t, 65516, 6, NULL, 0), PTEST_PEER_IP),
			 -EMSGSIZE);
	assert_int_equal(PTEST_CTR(t, IP_TX_TOO_BIG), 1);
	assert_nothing_sent(t);
	ptest_free(t);
}

static void
test_rfc791_3_2_largest_datagram_fragmented(void **state)
{
	/* Ensure that the largest datagram (65515 data bytes) leaves in 45 fragments. */
	struct ptest_ctx *t = ptest_new(NULL);
	static uint8_t want[65515], got[65515];

	(void)state;
	fill(want, sizeof(want), 11);
	assert_int_equal(send_raw(t, chain_datagram(t, sizeof(want), 11, NULL, 0), PTEST_PEER_IP),
			 0);
	assert_int_equal(pop_fragments(t, 45, 1500, PTEST_PEER_IP, &ptest_peer_mac, 253, got,
				       sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_nothing_sent(t);
	ptest_free(t);
}

/* ---- IPv4 identification (RFC 6864, RFC 7739) ---------------------------- */

/* An echo request from src; pops the reply (to eth_dst, no DF) and returns its ID. */
static uint16_t
ping_id(struct ptest_ctx *t, rte_be32_t src, const struct rte_ether_addr *eth_dst,
	uint16_t seq)
{
	static struct sent d;
	uint8_t msg[64];
	uint32_t n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0x5151, seq, NULL, 0);

	ptest_rx(t, ip_frame(t, &(struct ipspec){ .src = src, .proto = IPPROTO_ICMP, .data = msg,
						  .len = n }));
	pop_ipv4(t, &d, eth_dst, IPPROTO_ICMP);   /* asserts no DF */
	assert_int_equal(d.ip.dst, src);
	return d.ip.id;
}

/* Pop every frame sent: each must be TCP to the peer, DF, ID 0. Returns the count. */
static unsigned int
pop_atomic_tcp(struct ptest_ctx *t)
{
	static struct sent d;
	unsigned int n = 0;

	while (t->nsent > 0) {
		pop_ipv4(t, &d, &ptest_peer_mac, IPPROTO_TCP);
		assert_int_equal(d.ip.frag, RTE_IPV4_HDR_DF_FLAG);
		assert_int_equal(d.ip.id, 0);
		n++;
	}
	return n;
}

/*
 * An on-link host, seeded in ARP with other_mac, whose ICMP identification
 * counter is not the peer's (buckets come from a random key: look for one).
 */
static rte_be32_t
host_in_other_bucket(struct ptest_ctx *t)
{
	uint32_t peer_b = ptcp_ipv4_ident_bucket(t->st, PTEST_PEER_IP, IPPROTO_ICMP);

	for (uint32_t h = 3; h < 250; h++) {
		rte_be32_t a = IP4(198, 18, 0, h);

		if (ptcp_ipv4_ident_bucket(t->st, a, IPPROTO_ICMP) != peer_b) {
			assert_int_equal(ptcp_arp_update(t->st, a, &other_mac), 0);
			return a;
		}
	}
	fail_msg("every host hashes to the peer's bucket");
	return 0;
}

static void
test_rfc6864_4_1_atomic_datagram_id_zero(void **state)
{
	/*
	 * Ensure that every TCP segment (SYN-ACK, ACK, data, challenge ACK, RST) is
	 * an atomic datagram: DF set, identification 0.
	 */
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_established(&pc, NULL);
	uint8_t data[100];

	(void)state;
	fill(data, sizeof(data), 1);
	ptest_conn_rx_data(&pc, data, sizeof(data));              /* -> ACK */
	assert_int_equal(pop_atomic_tcp(t), 1);
	ptcp_send(ptest_conn_c(&pc), data, sizeof(data));         /* -> data */
	ptest_advance(t, 0);
	assert_int_equal(pop_atomic_tcp(t), 1);
	pc.snd_nxt += sizeof(data);
	ptest_conn_rx(&pc, PT_RST, pc.rcv_nxt + 1, 0, NULL, 0);  /* -> challenge ACK */
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(pop_atomic_tcp(t), 1);
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = 40001, .dport = 9, .seq = 1,
					     .flags = PT_ACK, .ack = 1, .wnd = 1000 });
	assert_int_equal(pop_atomic_tcp(t), 1);                   /* -> RST */
	ptest_rx_seg(t, &(struct ptest_seg){ .sport = 40002, .dport = pc.lport, .seq = 1,
					     .flags = PT_SYN, .wnd = 1000 });
	assert_int_equal(pop_atomic_tcp(t), 1);                   /* -> SYN-ACK */
	assert_int_equal(send_tcp(t, PTEST_PEER_IP, 3), 0);
	assert_int_equal(pop_atomic_tcp(t), 1);
	ptest_free(t);
}

static void
test_rfc6864_4_2_non_atomic_ids_to_one_destination_differ(void **state)
{
	/*
	 * Ensure that consecutive non-atomic datagrams (echo replies, no DF) to one
	 * destination carry different IDs: consecutive within a millisecond, a
	 * random step of at most the idle milliseconds after a pause, never the
	 * previous ID however long the pause.
	 */
	struct ptest_ctx *t = ptest_new(NULL);
	uint16_t id, prev;
	uint16_t step;

	(void)state;
	prev = ping_id(t, PTEST_PEER_IP, &ptest_peer_mac, 0);
	for (uint16_t i = 1; i < 5; i++) {
		id = ping_id(t, PTEST_PEER_IP, &ptest_peer_mac, i);
		assert_int_equal(id, (uint16_t)(prev + 1));
		prev = id;
	}
	for (int k = 0; k < 50; k++) {
		ptest_advance(t, 3 * MS);
		id = ping_id(t, PTEST_PEER_IP, &ptest_peer_mac, 9);
		step = (uint16_t)(id - prev);
		assert_true(step >= 1 && step <= 3);
		prev = id;
	}
	for (int k = 0; k < 20; k++) {
		ptest_advance(t, 70000 * MS);   /* past 2^16 ms */
		id = ping_id(t, PTEST_PEER_IP, &ptest_peer_mac, 10);
		assert_int_not_equal(id, prev);
		prev = id;
	}
	ptest_free(t);
}

static void
test_rfc7739_5_1_per_destination_id_counters_independent(void **state)
{
	/*
	 * Ensure that what we send to one peer (data ACKs, a challenge ACK to a
	 * spoofed in-window RST, echo replies) leaves the ID sequence another host's
	 * echo replies see unchanged: it learns nothing (Feng et al., CCS 2020).
	 */
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_established(&pc, NULL);
	rte_be32_t x = host_in_other_bucket(t);
	uint8_t data[100];
	uint16_t id0, id1, p0, p1;

	(void)state;
	fill(data, sizeof(data), 2);
	id0 = ping_id(t, x, &other_mac, 1);
	assert_int_equal(ping_id(t, x, &other_mac, 2), (uint16_t)(id0 + 1));

	ptest_conn_rx(&pc, PT_RST, pc.rcv_nxt + 1000, 0, NULL, 0);  /* in window, not exact */
	assert_int_equal(PTEST_CTR(t, TCP_CHALLENGE_ACK), 1);
	assert_int_equal(pop_atomic_tcp(t), 1);
	for (int i = 0; i < 10; i++) {
		ptest_conn_rx_data(&pc, data, sizeof(data));
		assert_int_equal(pop_atomic_tcp(t), 1);
	}
	p0 = ping_id(t, PTEST_PEER_IP, &ptest_peer_mac, 3);
	p1 = ping_id(t, PTEST_PEER_IP, &ptest_peer_mac, 4);
	assert_int_equal(p1, (uint16_t)(p0 + 1));

	id1 = ping_id(t, x, &other_mac, 3);
	assert_int_equal(id1, (uint16_t)(id0 + 2));
	ptest_free(t);
}

static void
test_rfc6864_4_1_fragments_of_one_datagram_share_one_id(void **state)
{
	/*
	 * Ensure that the fragments of one reply share its ID (pop_fragments) and
	 * that the next fragmented reply to the same destination has another.
	 */
	struct ptest_ctx *t = ptest_new(NULL);
	static const uint32_t cuts[] = { 1480 };
	static const unsigned int order[] = { 0, 1 };
	static uint8_t data[2000], msg[2008];
	uint16_t id1, id2;
	uint32_t n;

	(void)state;
	fill(data, sizeof(data), 4);
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 0x77, 1, data, sizeof(data));
	rx_fragments(t, msg, n, cuts, 1, order);
	assert_int_equal(t->nsent, 2);
	id1 = rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(t->sent[0], struct rte_ipv4_hdr *,
							14)->packet_id);
	pop_fragmented_echo_reply(t, 2, 1500, 0x77, 1, data, sizeof(data));
	rx_fragments(t, msg, n, cuts, 1, order);
	assert_int_equal(t->nsent, 2);
	id2 = rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(t->sent[0], struct rte_ipv4_hdr *,
							14)->packet_id);
	pop_fragmented_echo_reply(t, 2, 1500, 0x77, 1, data, sizeof(data));
	assert_int_equal(id2, (uint16_t)(id1 + 1));
	ptest_free(t);
}

/* ---- Deliver to owner: stacks of several lcores (ipv4.c ptcp_net_to_owner) -- */

/*
 * Two stacks A (owner 0) and B (owner 1) in one process, as two lcores,
 * sharing one steering table whose redirection table the test points at
 * one of them (two_owner), so the owner of every flow is known. Each
 * stack's conf.handoff_fn puts the mbuf into the ring of the stack named
 * by `to`, which drains it with ptcp_stack_handoff_burst(), as lib/port
 * does between lcores.
 */
struct two {
	struct ptest_ctx *a, *b;
	struct rte_ring *ring[2];     /* datagrams into A, into B */
	struct rte_ring *frames;      /* PTCP_HANDOFF_FRAME into A (the control path) */
	struct rte_ring *resolve;     /* PTCP_HANDOFF_RESOLVE into A */
	struct ptcp_neigh *neigh;     /* shared by A and B, or NULL: a table each */
	bool refuse[2];               /* act as a full ring */
};

static struct ptcp_steer two_steer;

static int
ho_fn(void *arg, struct rte_mbuf *m, uint16_t to, enum ptcp_handoff_kind kind)
{
	struct two *w = arg;
	struct rte_ring *r = w->ring[to];

	assert_true(to < 2);
	if (kind != PTCP_HANDOFF_DATAGRAM) {
		assert_int_equal(to, 0);      /* only the control path takes these */
		r = kind == PTCP_HANDOFF_FRAME ? w->frames : w->resolve;
	}
	if (w->refuse[to] || rte_ring_sp_enqueue(r, m) != 0)
		return -ENOBUFS;
	return 0;
}

static uint16_t
capture_b(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct ptest_ctx *t = arg;
	uint16_t i;

	for (i = 0; i < n && t->nsent < PTEST_MAX_SENT; i++)
		t->sent[t->nsent++] = pkts[i];
	return i;
}

static struct rte_ring *
ho_ring(const char *tag)
{
	static unsigned int seq;
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "ptest_ho_%s%u", tag, seq++);
	r = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(r);
	return r;
}

/* Every flow owned by stack `owner` (0 = A, 1 = B). */
static void
two_owner(uint16_t owner)
{
	for (unsigned int i = 0; i < PTCP_STEER_RETA_MAX; i++)
		two_steer.reta[i] = owner;
}

/*
 * A as ptest_new_tcp() makes it; B by hand alike (the harness holds one live
 * context). shared: one neighbour table, A the control path, as lib/port
 * sets up several lcores.
 */
static void
two_setup(struct two *w, uint16_t owner, bool shared)
{
	static unsigned int seq;
	struct ptcp_stack_conf c = { .steer = &two_steer, .steer_owner = 0,
				     .handoff_fn = ho_fn };
	uint8_t key[40];
	struct ptest_ctx *b;
	char name[32];

	memset(w, 0, sizeof(*w));
	ptcp_steer_symmetric_key(key, sizeof(key));
	assert_int_equal(ptcp_steer_init(&two_steer, key, sizeof(key), 128, 2), 0);
	two_owner(owner);
	w->ring[0] = ho_ring("a");
	w->ring[1] = ho_ring("b");
	w->frames = ho_ring("f");
	w->resolve = ho_ring("r");
	if (shared) {
		snprintf(name, sizeof(name), "ptest_nb%u", seq);
		w->neigh = ptcp_neigh_create(name, SOCKET_ID_ANY, true, 0);
		assert_non_null(w->neigh);
		c.neigh = w->neigh;
	}
	c.handoff_arg = w;
	w->a = ptest_new_tcp(&c);

	b = calloc(1, sizeof(*b));
	assert_non_null(b);
	snprintf(name, sizeof(name), "ptest_bpool%u", seq);
	b->pool = rte_pktmbuf_pool_create(name, 4095 /* harness.c PTEST_POOL_SIZE */, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(b->pool);
	c = w->a->st->conf;
	c.pool = b->pool;
	c.tx_fn = capture_b;
	c.tx_arg = b;
	c.steer_owner = 1;
	snprintf(b->name_buf, sizeof(b->name_buf), "ptest_b%u", seq++);
	c.name = b->name_buf;
	b->now = w->a->now;
	b->st = ptcp_stack_create(&c);
	assert_non_null(b->st);
	b->st->now_us = b->now;
	if (!shared)      /* shared: A's entry for the peer serves both */
		assert_int_equal(ptcp_arp_update(b->st, PTEST_PEER_IP, &ptest_peer_mac), 0);
	w->b = b;
}

static void
two_new(struct two *w, uint16_t owner)
{
	two_setup(w, owner, false);
}

static void
two_free(struct two *w)
{
	/* B first: it may hold mbufs of A's pool, which ptest_free(A) counts. */
	assert_int_equal(rte_ring_count(w->ring[0]), 0);
	assert_int_equal(rte_ring_count(w->ring[1]), 0);
	assert_int_equal(rte_ring_count(w->frames), 0);
	assert_int_equal(rte_ring_count(w->resolve), 0);
	ptest_free(w->b);
	ptest_free(w->a);
	ptcp_neigh_free(w->neigh);   /* after its stacks, as lib/port does */
	rte_ring_free(w->ring[0]);
	rte_ring_free(w->ring[1]);
	rte_ring_free(w->frames);
	rte_ring_free(w->resolve);
}

/* Deliver to A what B passed to the control path: frames, then frames waiting for ARP. */
static unsigned int
control_drain(struct two *w)
{
	struct rte_mbuf *pkts[8];
	unsigned int n, r;

	n = rte_ring_sc_dequeue_burst(w->frames, (void **)pkts, 8, NULL);
	ptcp_stack_rx_burst(w->a->st, pkts, (uint16_t)n, w->a->now);
	r = rte_ring_sc_dequeue_burst(w->resolve, (void **)pkts, 8, NULL);
	ptcp_stack_resolve_burst(w->a->st, pkts, (uint16_t)r, w->a->now);
	ptcp_stack_flush(w->a->st);
	return n + r;
}

/* What the ring into t (stack `owner`) holds, delivered as lib/port does; returns the count. */
static unsigned int
ho_drain(struct two *w, uint16_t owner)
{
	struct ptest_ctx *t = owner == 0 ? w->a : w->b;
	struct rte_mbuf *pkts[8];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst(w->ring[owner], (void **)pkts, 8, NULL);
	ptcp_stack_handoff_burst(t->st, pkts, (uint16_t)n, t->now);
	ptcp_stack_flush(t->st);
	return n;
}

/* The peer's TCP segment (20-byte header, then data) into l4; returns its length. */
static uint32_t
peer_tcp_bytes(uint8_t *l4, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	       uint8_t flags, const uint8_t *data, uint32_t len)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

	ptcp_tcp_build(l4, sport, dport, seq, ack, flags, 65535, 0);
	if (len)
		memcpy(l4 + 20, data, len);
	th->cksum = 0;
	th->cksum = ptcp_l4_cksum(PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_TCP, l4, 20 + len);
	return 20 + len;
}

/* Feed segment l4[0..len) to t as two fragments cut at `cut` (a multiple of 8). */
static void
rx_tcp_in_two(struct ptest_ctx *t, const uint8_t *l4, uint32_t len, uint32_t cut, uint16_t id)
{
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_TCP, .id = id,
						  .frag = RTE_IPV4_HDR_MF_FLAG, .data = l4,
						  .len = cut }));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_TCP, .id = id,
						  .frag = (uint16_t)(cut / 8), .data = l4 + cut,
						  .len = len - cut }));
}

static void
test_rfc791_reassembled_tcp_handed_to_owning_stack(void **state)
{
	/*
	 * Ensure that a segment reassembled by a stack that does not hold its
	 * connection (nor answers it from its listener) is passed through the ring
	 * to the stack that holds it, which delivers the data and ACKs it.
	 */
	static struct ptest_conn pc, la;
	static uint8_t data[1024], l4[20 + 1024];
	struct ptcp_tcp_seg seg;
	struct two w;
	uint32_t n;

	(void)state;
	two_new(&w, 1);                          /* B owns every flow */
	ptest_conn_init(w.a, &la);
	ptest_conn_listen(&la);                  /* both lcores listen, as polltcp-echo */
	ptest_conn_init(w.b, &pc);
	pc.rec.auto_read = true;
	ptest_conn_passive(&pc);
	fill(data, sizeof(data), 9);
	n = peer_tcp_bytes(l4, pc.rport, pc.lport, pc.rcv_nxt, pc.snd_nxt, PT_ACK | PT_PSH, data,
			   sizeof(data));
	rx_tcp_in_two(w.a, l4, n, 520, 0x1111);  /* the 1024 bytes in two ~512-byte pieces */

	assert_int_equal(PTEST_CTR(w.a, IP_FRAG_REASM), 1);
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 1);
	assert_int_equal(PTEST_CTR(w.a, TCP_RX), 0);
	assert_nothing_sent(w.a);

	assert_int_equal(ho_drain(&w, 1), 1);
	assert_int_equal(PTEST_CTR(w.b, IP_HANDOFF_RX), 1);
	assert_int_equal(PTEST_CTR(w.b, IP_HANDOFF_TX), 0);
	assert_int_equal(pc.rec.rx_len, sizeof(data));
	assert_memory_equal(pc.rec.rx, data, sizeof(data));
	ptest_pop_tcp(w.b, &seg, NULL, 0);
	assert_int_equal(seg.flags, PT_ACK);
	assert_int_equal(seg.ack, (uint32_t)(pc.rcv_nxt + sizeof(data)));
	assert_nothing_sent(w.b);
	two_free(&w);
}

static void
test_rfc791_reassembled_tcp_owned_here_not_handed_off(void **state)
{
	/* Ensure that a reassembled segment of a connection the stack holds stays there. */
	static struct ptest_conn pc;
	static uint8_t data[1024], l4[20 + 1024];
	struct ptcp_tcp_seg seg;
	struct two w;
	uint32_t n;

	(void)state;
	two_new(&w, 0);                          /* A owns every flow */
	ptest_conn_init(w.a, &pc);
	pc.rec.auto_read = true;
	ptest_conn_passive(&pc);
	fill(data, sizeof(data), 10);
	n = peer_tcp_bytes(l4, pc.rport, pc.lport, pc.rcv_nxt, pc.snd_nxt, PT_ACK | PT_PSH, data,
			   sizeof(data));
	rx_tcp_in_two(w.a, l4, n, 520, 0x2222);
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 0);
	assert_int_equal(pc.rec.rx_len, sizeof(data));
	ptest_pop_tcp(w.a, &seg, NULL, 0);
	assert_int_equal(seg.ack, (uint32_t)(pc.rcv_nxt + sizeof(data)));
	assert_int_equal(rte_ring_count(w.ring[1]), 0);
	two_free(&w);
}

static void
test_rfc791_reassembled_handshake_ack_stays_with_syn_cache(void **state)
{
	/*
	 * Ensure that the stack holding a SYN-RECEIVED entry in its SYN cache owns
	 * the 4-tuple: the handshake's ACK (with data), reassembled there, completes
	 * the connection there instead of visiting the other stack's listener.
	 */
	static struct ptest_conn pc, la;
	static uint8_t data[1024], l4[20 + 1024];
	struct ptcp_tcp_seg seg;
	struct two w;
	uint32_t n;

	(void)state;
	two_new(&w, 1);
	ptest_conn_init(w.a, &la);
	ptest_conn_listen(&la);
	ptest_conn_init(w.b, &pc);
	pc.rec.auto_read = true;
	ptest_conn_listen(&pc);
	ptest_conn_syn_received(&pc);
	fill(data, sizeof(data), 13);
	n = peer_tcp_bytes(l4, pc.rport, pc.lport, pc.rcv_nxt, pc.snd_nxt, PT_ACK | PT_PSH, data,
			   sizeof(data));
	rx_tcp_in_two(w.b, l4, n, 520, 0x5555);
	assert_int_equal(PTEST_CTR(w.b, IP_HANDOFF_TX), 0);
	assert_int_equal(pc.rec.n_established, 1);
	assert_int_equal(pc.rec.rx_len, sizeof(data));
	ptest_pop_tcp(w.b, &seg, NULL, 0);
	assert_int_equal(seg.ack, (uint32_t)(pc.rcv_nxt + sizeof(data)));
	assert_int_equal(la.rec.n_established, 0);
	two_free(&w);
}

static void
test_rfc9293_3_10_7_1_no_conn_answered_by_owner(void **state)
{
	/*
	 * Ensure that a segment reassembled by a stack that does not own its
	 * 4-tuple, and for which no connection exists, goes to the owning stack,
	 * which answers it as CLOSED (RST); the first stack sends nothing and
	 * nothing comes back to it.
	 */
	static uint8_t data[1024], l4[20 + 1024];
	struct ptcp_tcp_seg seg;
	struct two w;
	uint32_t n;

	(void)state;
	two_new(&w, 1);
	fill(data, sizeof(data), 11);
	n = peer_tcp_bytes(l4, 40123, 9, 1000, 5000, PT_ACK, data, sizeof(data));
	rx_tcp_in_two(w.a, l4, n, 520, 0x3333);
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 1);
	assert_nothing_sent(w.a);
	assert_int_equal(ho_drain(&w, 1), 1);
	assert_int_equal(PTEST_CTR(w.b, IP_HANDOFF_TX), 0);
	assert_int_equal(PTEST_CTR(w.b, TCP_NO_CONN), 1);
	ptest_pop_tcp(w.b, &seg, NULL, 0);
	assert_int_equal(seg.flags, PT_RST);
	assert_int_equal(seg.seq, 5000);
	assert_nothing_sent(w.b);
	assert_int_equal(rte_ring_count(w.ring[0]), 0);
	two_free(&w);
}

static void
test_rfc791_reassembled_tcp_owned_by_this_stack_processed_here(void **state)
{
	/*
	 * Ensure that a reassembled segment whose 4-tuple this stack owns is
	 * processed here even without a connection (RST from here), and is
	 * not handed anywhere.
	 */
	static uint8_t data[1024], l4[20 + 1024];
	struct ptcp_tcp_seg seg;
	struct two w;
	uint32_t n;

	(void)state;
	two_new(&w, 0);
	fill(data, sizeof(data), 14);
	n = peer_tcp_bytes(l4, 40125, 9, 1000, 6000, PT_ACK, data, sizeof(data));
	rx_tcp_in_two(w.a, l4, n, 520, 0x6666);
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 0);
	assert_int_equal(PTEST_CTR(w.a, TCP_NO_CONN), 1);
	ptest_pop_tcp(w.a, &seg, NULL, 0);
	assert_int_equal(seg.flags, PT_RST);
	assert_int_equal(seg.seq, 6000);
	assert_int_equal(rte_ring_count(w.ring[1]), 0);
	two_free(&w);
}

static void
test_rfc791_handoff_ring_full_counted_dropped(void **state)
{
	/* Ensure that a datagram the next stack's ring cannot take is counted and freed. */
	static uint8_t data[1024], l4[20 + 1024];
	struct two w;
	unsigned int base;
	uint32_t n;

	(void)state;
	two_new(&w, 1);
	base = pool_avail(w.a);
	w.refuse[1] = true;
	fill(data, sizeof(data), 12);
	n = peer_tcp_bytes(l4, 40124, 7, 1000, 5000, PT_ACK, data, sizeof(data));
	rx_tcp_in_two(w.a, l4, n, 520, 0x4444);
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_DROP), 1);
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 0);
	assert_int_equal(pool_avail(w.a), base);
	assert_nothing_sent(w.a);
	two_free(&w);
}

/* ICMP destination unreachable (code) from the peer quoting our TCP segment lport->rport. */
static uint32_t
icmp_err_about_tcp(uint8_t *msg, uint8_t code, uint16_t lport, uint16_t rport, uint32_t seq)
{
	uint8_t *q = msg + 8, *th = q + 20;
	uint16_t ck;

	memset(msg, 0, 8);
	msg[0] = 3;                  /* destination unreachable */
	msg[1] = code;
	msg[6] = 0x02;               /* next-hop MTU 576 (code 4) */
	msg[7] = 0x40;
	ptcp_ipv4_build(q, PTEST_LOCAL_IP, PTEST_PEER_IP, IPPROTO_TCP, 1460, 0, 64, false);
	th[0] = (uint8_t)(lport >> 8);
	th[1] = (uint8_t)lport;
	th[2] = (uint8_t)(rport >> 8);
	th[3] = (uint8_t)rport;
	th[4] = (uint8_t)(seq >> 24);
	th[5] = (uint8_t)(seq >> 16);
	th[6] = (uint8_t)(seq >> 8);
	th[7] = (uint8_t)seq;
	ck = (uint16_t)~ptcp_cksum_raw(msg, 8 + 20 + 8);
	memcpy(msg + 2, &ck, 2);
	return 8 + 20 + 8;
}

static void
test_rfc1122_4_2_3_9_icmp_error_handed_to_owning_stack(void **state)
{
	/*
	 * Ensure that an ICMP error quoting a segment of a connection another stack
	 * owns goes to that stack (ICMP_ERR_TCP there), and that one quoting a
	 * flow of that stack without a connection is counted ICMP_ERR_TCP_NO_CONN
	 * there.
	 */
	static struct ptest_conn pc;
	uint8_t msg[64];
	struct two w;
	uint32_t n;

	(void)state;
	two_new(&w, 1);
	ptest_conn_init(w.b, &pc);
	ptest_conn_passive(&pc);
	n = icmp_err_about_tcp(msg, 4, pc.lport, pc.rport, pc.snd_nxt);
	ptest_rx(w.a, ip_frame(w.a, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg,
						      .len = n }));
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 1);
	assert_int_equal(PTEST_CTR(w.a, ICMP_ERR_TCP), 0);
	assert_int_equal(PTEST_CTR(w.a, ICMP_OTHER), 0);
	assert_int_equal(ho_drain(&w, 1), 1);
	assert_int_equal(PTEST_CTR(w.b, ICMP_ERR_TCP), 1);
	assert_int_equal(ptcp_conn_state(ptest_conn_c(&pc)), PTCP_TCP_ESTABLISHED);

	n = icmp_err_about_tcp(msg, 1, pc.lport, pc.rport + 1, 1);
	ptest_rx(w.a, ip_frame(w.a, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg,
						      .len = n }));
	assert_int_equal(ho_drain(&w, 1), 1);
	assert_int_equal(PTEST_CTR(w.b, ICMP_ERR_TCP_NO_CONN), 1);
	assert_nothing_sent(w.a);
	assert_nothing_sent(w.b);
	two_free(&w);
}

static void
test_rfc1191_frag_needed_handed_to_owner_lowers_mss(void **state)
{
	/*
	 * Ensure that a fragmentation-needed (next-hop MTU 576) that reaches the
	 * control stack about a connection another stack owns is acted on by the
	 * owner: its MSS drops to 536, the flight is resent cut by it, and the
	 * path MTU is cached there (per-lcore caches), not on the control stack.
	 */
	static struct ptest_conn pc;
	static uint8_t data[2 * PTEST_MSS];
	uint8_t msg[64];
	struct two w;
	uint32_t n, off;

	(void)state;
	two_new(&w, 1);
	ptest_conn_init(w.b, &pc);
	ptest_conn_passive(&pc);
	ptest_pattern(data, sizeof(data), 9);
	ptest_stream_start(&pc, data);
	ptest_stream_send(&pc, sizeof(data));
	PTEST_EXPECT_NEW(&pc, PTEST_MSS);
	PTEST_EXPECT_NEW(&pc, PTEST_MSS);
	n = icmp_err_about_tcp(msg, 4, pc.lport, pc.rport, pc.stream_base + PTEST_MSS);
	ptest_rx(w.a, ip_frame(w.a, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg,
						      .len = n }));
	assert_int_equal(PTEST_CTR(w.a, IP_HANDOFF_TX), 1);
	assert_int_equal(PTEST_CTR(w.a, ICMP_FRAG_NEEDED_RX), 0);
	assert_int_equal(ho_drain(&w, 1), 1);
	assert_int_equal(PTEST_CTR(w.b, ICMP_FRAG_NEEDED_RX), 1);
	assert_int_equal(PTEST_CTR(w.b, TCP_PMTU_REDUCED), 1);
	for (off = 0; off < sizeof(data); off += 536)
		PTEST_EXPECT_REXMIT(&pc, pc.stream_base + off, RTE_MIN(536u, sizeof(data) - off));
	PTEST_NOTHING_SENT(w.b);
	assert_int_equal(ptcp_tcp_pmtu_get(w.b->st, PTEST_PEER_IP), 576);
	assert_int_equal(ptcp_tcp_pmtu_get(w.a->st, PTEST_PEER_IP), PTCP_DEFAULT_MTU);
	assert_nothing_sent(w.a);
	two_free(&w);
}

static void
test_rfc1122_4_2_3_9_icmp_error_about_tcp_one_stack(void **state)
{
	/* Ensure that with one stack an ICMP error about its connection is counted there. */
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_established(&pc, NULL);
	uint8_t msg[64];
	uint32_t n;

	(void)state;
	n = icmp_err_about_tcp(msg, 4, pc.lport, pc.rport, pc.snd_nxt);
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	assert_int_equal(PTEST_CTR(t, ICMP_ERR_TCP), 1);
	assert_int_equal(PTEST_CTR(t, IP_HANDOFF_TX), 0);
	n = icmp_err_about_tcp(msg, 4, pc.lport, 1, pc.snd_nxt);
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .proto = IPPROTO_ICMP, .data = msg, .len = n }));
	assert_int_equal(PTEST_CTR(t, ICMP_ERR_TCP_NO_CONN), 1);
	assert_int_equal(PTEST_CTR(t, ICMP_OTHER), 0);
	assert_nothing_sent(t);
	ptest_free(t);
}

/* ---- Several local addresses (conf.ip_count) ------------------------------ */

#define SECOND_IP IP4(198, 18, 0, 3)   /* PTEST_LOCAL_IP + 1 */
#define PAST_IP   IP4(198, 18, 0, 5)   /* just past a 3-address range */

static struct ptest_ctx *
new_multi(uint32_t n)
{
	struct ptcp_stack_conf c = { .ip_count = n };

	return ptest_new(&c);
}

static void
test_multiaddr_arp_request_for_second_address_answered(void **state)
{
	/*
	 * Ensure that with conf.ip_count 3 an ARP request for our second
	 * address is answered with that address as the sender protocol
	 * address (RFC 826), and one past the range is not answered.
	 */
	struct ptest_ctx *t = new_multi(3);
	struct ptcp_arp_info a;
	uint8_t got[64];
	uint32_t len;

	(void)state;
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_PEER_IP,
			      &zero_mac, SECOND_IP));
	len = ptest_pop_raw(t, got, sizeof(got));
	assert_int_equal(ptcp_arp_parse(got + RTE_ETHER_HDR_LEN, len - RTE_ETHER_HDR_LEN, &a), 0);
	assert_int_equal(a.op, RTE_ARP_OP_REPLY);
	assert_int_equal(a.spa, SECOND_IP);
	assert_int_equal(a.tpa, PTEST_PEER_IP);
	assert_memory_equal(&a.sha, &ptest_local_mac, 6);
	ptest_rx(t, arp_frame(t, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_PEER_IP,
			      &zero_mac, PAST_IP));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ARP_REPLY_TX), 1);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_multiaddr_echo_to_second_address_answered_from_it(void **state)
{
	/*
	 * Ensure that an echo request to our second address is answered from
	 * that address (RFC 1122 3.2.2.6: the reply's source is the request's
	 * destination), and a datagram past the range is IP_NOT_OURS.
	 */
	struct ptest_ctx *t = new_multi(3);
	uint8_t data[8] = "multiad", msg[16];
	struct sent d;
	uint32_t n;

	(void)state;
	n = echo_msg(msg, RTE_IP_ICMP_ECHO_REQUEST, 7, 1, data, sizeof(data));
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .dst = SECOND_IP, .proto = IPPROTO_ICMP,
						   .data = msg, .len = n }));
	d.len = ptest_pop_raw(t, d.f, sizeof(d.f));
	assert_int_equal(ptcp_ipv4_parse(d.f + RTE_ETHER_HDR_LEN, d.len - RTE_ETHER_HDR_LEN,
					 true, &d.ip), 0);
	assert_int_equal(d.ip.proto, IPPROTO_ICMP);
	assert_int_equal(d.ip.src, SECOND_IP);
	assert_int_equal(d.ip.dst, PTEST_PEER_IP);
	ptest_rx(t, ip_frame(t, &(struct ipspec){ .dst = PAST_IP, .proto = IPPROTO_ICMP,
						   .data = msg, .len = n }));
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, IP_NOT_OURS), 1);
	ptest_free(t);
}

static void
test_multiaddr_range_must_stay_in_prefix(void **state)
{
	/*
	 * Ensure that a stack is refused (EINVAL) when its address range
	 * reaches the broadcast address or leaves the on-link prefix, and
	 * accepted when it ends just below the broadcast address.
	 */
	struct ptcp_stack_conf c = { 0 };
	struct ptest_ctx *t = ptest_new(NULL);
	struct ptcp_stack *st;

	(void)state;
	c = t->st->conf;
	c.name = "ptest_multi";
	c.ip_count = 253;              /* .2 .. .254 */
	st = ptcp_stack_create(&c);
	assert_non_null(st);
	ptcp_stack_destroy(st);
	c.ip_count = 254;              /* .2 .. .255: the broadcast address */
	assert_null(ptcp_stack_create(&c));
	assert_int_equal(rte_errno, EINVAL);
	c.prefix_len = 31;             /* .2 and .3 make a /31 (RFC 3021): fine */
	c.ip_count = 2;
	st = ptcp_stack_create(&c);
	assert_non_null(st);
	ptcp_stack_destroy(st);
	c.ip_count = 3;                /* .4 is outside 198.18.0.2/31 */
	assert_null(ptcp_stack_create(&c));
	ptest_free(t);
}

/* ---- One neighbour table, one control path (arp.c "Sharing") ------------- */

static void
test_neigh_shared_entry_used_by_other_lcore_without_arp(void **state)
{
	/*
	 * Ensure that with one shared neighbour table an entry the control stack (A) learned is
	 * used by the other stack (B) directly: B sends to the neighbour's MAC with no ARP
	 * request, no miss and nothing passed to A.
	 */
	struct two w;

	(void)state;
	two_setup(&w, 1, true);
	rx_other_reply(w.a);        /* addressed to us: A learns OTHER (RFC 826 merge) */
	assert_nothing_sent(w.a);
	assert_int_equal(send_tcp(w.b, PTEST_OTHER_IP, 40000), 0);
	assert_int_equal(pop_tcp_to(w.b, &other_mac, PTEST_OTHER_IP), 40000);
	assert_int_equal(PTEST_CTR(w.b, ARP_MISS), 0);
	assert_int_equal(PTEST_CTR(w.b, ARP_REQ_TX), 0);
	assert_int_equal(PTEST_CTR(w.b, ARP_RESOLVE_HANDOFF), 0);
	assert_int_equal(control_drain(&w), 0);
	assert_nothing_sent(w.a);
	assert_nothing_sent(w.b);
	two_free(&w);
}

static void
test_neigh_miss_on_other_lcore_resolved_and_sent_by_control(void **state)
{
	/*
	 * Ensure that a frame another stack (B) sends to an unresolved neighbour goes to the
	 * control stack (A), which sends the one ARP request, keeps the frame until the reply
	 * and then sends it to the learned MAC; B's next frame goes out from B directly.
	 */
	struct two w;
	uint16_t sport;

	(void)state;
	two_setup(&w, 1, true);
	assert_int_equal(send_tcp(w.b, PTEST_OTHER_IP, 40001), 0);
	assert_nothing_sent(w.b);
	assert_int_equal(PTEST_CTR(w.b, ARP_MISS), 1);
	assert_int_equal(PTEST_CTR(w.b, ARP_RESOLVE_HANDOFF), 1);
	assert_int_equal(PTEST_CTR(w.b, ARP_REQ_TX), 0);
	assert_int_equal(control_drain(&w), 1);
	pop_arp_request(w.a, NULL, PTEST_OTHER_IP);
	assert_nothing_sent(w.a);
	assert_int_equal(PTEST_CTR(w.a, ARP_QUEUED), 1);

	rx_other_reply(w.a);
	sport = pop_tcp_to(w.a, &other_mac, PTEST_OTHER_IP);
	assert_int_equal(sport, 40001);
	assert_nothing_sent(w.a);

	assert_int_equal(send_tcp(w.b, PTEST_OTHER_IP, 40002), 0);
	assert_int_equal(pop_tcp_to(w.b, &other_mac, PTEST_OTHER_IP), 40002);
	assert_int_equal(PTEST_CTR(w.b, ARP_RESOLVE_HANDOFF), 1);
	assert_int_equal(control_drain(&w), 0);
	two_free(&w);
}

static void
test_neigh_miss_with_control_inbox_full_counted_dropped(void **state)
{
	/*
	 * Ensure that when the control path cannot take a frame to resolve (its inbox full) the
	 * sender frees it, counts ARP_RESOLVE_HANDOFF_DROP and reports -ENOBUFS.
	 */
	struct two w;

	(void)state;
	two_setup(&w, 1, true);
	w.refuse[0] = true;
	assert_int_equal(send_tcp(w.b, PTEST_OTHER_IP, 40003), -ENOBUFS);
	assert_int_equal(PTEST_CTR(w.b, ARP_RESOLVE_HANDOFF_DROP), 1);
	assert_nothing_sent(w.b);
	w.refuse[0] = false;
	two_free(&w);            /* counts B's pool back to its level */
}

static void
test_rfc826_request_on_other_lcore_answered_by_control(void **state)
{
	/*
	 * Ensure that an ARP request reaching a stack that only reads the shared table is
	 * passed to the control stack, which answers it and learns the sender, so both stacks
	 * then see the entry; the reading stack neither answers nor writes.
	 */
	struct rte_ether_addr mac;
	struct ptcp_arp_info a;
	struct two w;

	(void)state;
	two_setup(&w, 1, true);
	ptest_rx(w.b, arp_frame(w.b, &bcast_mac, RTE_ARP_OP_REQUEST, &other_mac, PTEST_OTHER_IP,
				&zero_mac, PTEST_LOCAL_IP));
	assert_nothing_sent(w.b);
	assert_int_equal(PTEST_CTR(w.b, ARP_TO_CONTROL), 1);
	assert_int_equal(PTEST_CTR(w.b, ARP_RX), 0);
	assert_int_equal(ptcp_arp_lookup(w.b->st, PTEST_OTHER_IP, &mac), -ENOENT);
	assert_int_equal(control_drain(&w), 1);
	pop_arp(w.a, &other_mac, &a);
	assert_int_equal(a.op, RTE_ARP_OP_REPLY);
	assert_int_equal(a.tpa, PTEST_OTHER_IP);
	assert_int_equal(ptcp_arp_lookup(w.b->st, PTEST_OTHER_IP, &mac), 0);
	assert_memory_equal(&mac, &other_mac, 6);
	assert_int_equal(ptcp_arp_lookup(w.a->st, PTEST_OTHER_IP, &mac), 0);
	assert_int_equal(ptcp_arp_update(w.b->st, PTEST_OTHER_IP, &new_mac), -EPERM);
	two_free(&w);
}

static void
test_neigh_reused_slots_never_give_another_hosts_mac(void **state)
{
	/*
	 * Ensure that as the control stack fills the shared table past its size (entries evicted
	 * and their slots reused), the reading stack finds for every address either its own MAC
	 * or nothing, never the MAC of the host that held the slot before.
	 */
	const uint32_t n = 3 * PTCP_DEFAULT_ARP_ENTRIES;
	struct rte_ether_addr mac, want;
	uint32_t i, found = 0;
	struct two w;

	(void)state;
	two_setup(&w, 1, true);
	for (i = 0; i < n; i++) {
		rte_be32_t ip = rte_cpu_to_be_32(0xC6130000u + i);   /* 198.19.x.x: off-link */

		memset(&want, 0, sizeof(want));
		want.addr_bytes[0] = 0x02;
		want.addr_bytes[4] = (uint8_t)(i >> 8);
		want.addr_bytes[5] = (uint8_t)i;
		w.a->now += 1000;
		w.a->st->now_us = w.a->now;
		assert_int_equal(ptcp_arp_update(w.a->st, ip, &want), 0);
		assert_int_equal(ptcp_arp_lookup(w.b->st, ip, &mac), 0);
		assert_memory_equal(&mac, &want, 6);
	}
	for (i = 0; i < n; i++) {
		rte_be32_t ip = rte_cpu_to_be_32(0xC6130000u + i);

		if (ptcp_arp_lookup(w.b->st, ip, &mac) != 0)
			continue;
		found++;
		assert_int_equal(mac.addr_bytes[4], (uint8_t)(i >> 8));
		assert_int_equal(mac.addr_bytes[5], (uint8_t)i);
	}
	assert_true(found > 0 && found <= PTCP_DEFAULT_ARP_ENTRIES + PTCP_DEFAULT_ARP_ENTRIES / 2);
	assert_true(PTEST_CTR(w.a, ARP_EXPIRED) >= n - found);
	two_free(&w);
}

static void
test_neigh_shared_without_handoff_refused(void **state)
{
	/*
	 * Ensure that a stack other than 0 on a shared neighbour table needs conf.handoff_fn
	 * (where its unresolved frames would go): ptcp_stack_create fails with EINVAL.
	 */
	struct ptest_ctx *t = ptest_new(NULL);
	struct ptcp_stack_conf c = t->st->conf;
	struct ptcp_neigh *nb = ptcp_neigh_create("ptest_nb_noho", SOCKET_ID_ANY, true, 0);

	(void)state;
	assert_non_null(nb);
	c.neigh = nb;
	c.steer_owner = 1;
	c.handoff_fn = NULL;
	c.name = "ptest_noho";
	assert_null(ptcp_stack_create(&c));
	assert_int_equal(rte_errno, EINVAL);
	ptcp_neigh_free(nb);
	ptest_free(t);
}

static void
test_neigh_last_next_hop_entry_reused_is_a_miss(void **state)
{
	/*
	 * Ensure that the entry a sender remembers for its last next hop, once evicted and
	 * reused for other neighbours, is not used for the old one: the next frame to it is a
	 * miss that sends an ARP request, never a frame to another host's MAC.
	 */
	struct ptest_ctx *t = ptest_new(NULL);
	struct rte_ether_addr mac;
	uint32_t i;

	(void)state;
	assert_int_equal(ptcp_arp_update(t->st, PTEST_OTHER_IP, &other_mac), 0);
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 40010), 0);
	assert_int_equal(pop_tcp_to(t, &other_mac, PTEST_OTHER_IP), 40010);
	for (i = 0; i < 2 * PTCP_DEFAULT_ARP_ENTRIES; i++) {
		memset(&mac, 0, sizeof(mac));
		mac.addr_bytes[0] = 0x02;
		mac.addr_bytes[4] = (uint8_t)(i >> 8);
		mac.addr_bytes[5] = (uint8_t)i;
		t->now += 1000;
		t->st->now_us = t->now;
		assert_int_equal(ptcp_arp_update(t->st, rte_cpu_to_be_32(0xC6130000u + i), &mac),
				 0);
	}
	assert_int_equal(ptcp_arp_lookup(t->st, PTEST_OTHER_IP, &mac), -ENOENT);
	assert_int_equal(send_tcp(t, PTEST_OTHER_IP, 40011), 0);
	pop_arp_request(t, NULL, PTEST_OTHER_IP);
	assert_nothing_sent(t);
	assert_int_equal(PTEST_CTR(t, ARP_MISS), 1);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc894_runt_frame_dropped),
		cmocka_unit_test(test_rfc894_frame_for_other_mac_dropped),
		cmocka_unit_test(test_rfc894_unknown_ethertype_dropped),
		cmocka_unit_test(test_rfc894_padding_trimmed),
		cmocka_unit_test(test_rfc894_tcp_segment_trimmed_to_ip_length),
		cmocka_unit_test(test_rfc826_request_for_us_gets_reply),
		cmocka_unit_test(test_rfc826_request_for_us_adds_sender),
		cmocka_unit_test(test_rfc826_request_for_someone_else_ignored),
		cmocka_unit_test(test_rfc826_known_sender_refreshed_by_any_packet),
		cmocka_unit_test(test_rfc826_bad_hardware_type_dropped),
		cmocka_unit_test(test_rfc826_truncated_packet_dropped),
		cmocka_unit_test(test_rfc5227_probe_for_our_address_answered),
		cmocka_unit_test(test_rfc5227_conflict_counted),
		cmocka_unit_test(test_rfc5227_2_3_announcement_format),
		cmocka_unit_test(test_rfc1122_2_3_2_2_resolution_queues_then_flushes),
		cmocka_unit_test(test_rfc1122_2_3_2_2_request_retried_every_arp_retry_ms),
		cmocka_unit_test(test_rfc1122_2_3_2_2_give_up_drops_queued_packets),
		cmocka_unit_test(test_rfc1122_2_3_2_2_wait_queue_bounded_keeps_latest),
		cmocka_unit_test(test_rfc1122_2_3_2_2_table_bounded),
		cmocka_unit_test(test_rfc1122_2_3_2_1_idle_entry_expires),
		cmocka_unit_test(test_rfc1122_2_3_2_1_used_entry_revalidated_by_unicast_request),
		cmocka_unit_test(test_rfc1122_2_3_2_1_unanswered_revalidation_removes_entry),
		cmocka_unit_test(test_rfc791_bad_version_dropped),
		cmocka_unit_test(test_rfc791_ihl_below_5_dropped),
		cmocka_unit_test(test_rfc791_total_length_beyond_frame_dropped),
		cmocka_unit_test(test_rfc791_total_length_below_header_dropped),
		cmocka_unit_test(test_rfc791_truncated_header_dropped),
		cmocka_unit_test(test_rfc1122_3_2_1_2_bad_header_checksum_dropped),
		cmocka_unit_test(test_rfc1122_3_2_1_2_nic_verified_checksum_trusted),
		cmocka_unit_test(test_rfc1122_3_2_1_2_nic_bad_checksum_dropped),
		cmocka_unit_test(test_rfc791_not_for_us_dropped),
		cmocka_unit_test(test_rfc1122_3_2_1_3_bad_source_dropped),
		cmocka_unit_test(test_rfc791_options_skipped),
		cmocka_unit_test(test_rfc1122_3_2_1_7_ttl_below_2_accepted),
		cmocka_unit_test(test_rfc791_two_fragments_reassembled),
		cmocka_unit_test(test_rfc791_three_fragments_out_of_order_reassembled),
		cmocka_unit_test(test_rfc791_jumbo_echo_answered_as_chain),
		cmocka_unit_test(test_rfc1122_3_3_2_lone_fragment_times_out),
		cmocka_unit_test(test_rfc791_empty_fragment_dropped),
		cmocka_unit_test(test_rfc791_fragmented_tcp_reaches_tcp),
		cmocka_unit_test(test_rfc792_echo_reply_0_bytes),
		cmocka_unit_test(test_rfc792_echo_reply_1_byte),
		cmocka_unit_test(test_rfc792_echo_reply_56_bytes),
		cmocka_unit_test(test_rfc792_echo_reply_1472_bytes),
		cmocka_unit_test(test_rfc1071_echo_reply_to_all_zero_request_verifies),
		cmocka_unit_test(test_rfc792_echo_bad_checksum_dropped),
		cmocka_unit_test(test_rfc792_truncated_message_dropped),
		cmocka_unit_test(test_rfc1122_3_2_2_6_echo_to_broadcast_ignored),
		cmocka_unit_test(test_rfc792_other_types_counted),
		cmocka_unit_test(test_rfc1122_3_2_2_1_protocol_unreachable_contents),
		cmocka_unit_test(test_rfc1122_3_2_2_1_udp_port_unreachable),
		cmocka_unit_test(test_rfc1812_4_3_2_3_error_quote_fits_576_bytes),
		cmocka_unit_test(test_rfc1122_3_2_2_no_icmp_error_for_ip_broadcast),
		cmocka_unit_test(test_rfc1122_3_2_2_no_icmp_error_for_link_broadcast),
		cmocka_unit_test(test_rfc1122_3_2_2_no_icmp_error_for_icmp_error),
		cmocka_unit_test(test_rfc1122_3_2_2_icmp_errors_rate_limited),
		cmocka_unit_test(test_rfc791_output_header_fields),
		cmocka_unit_test(test_rfc1122_3_3_1_off_link_without_gateway_no_route),
		cmocka_unit_test(test_rfc1122_3_3_1_off_link_via_gateway),
		cmocka_unit_test(test_rfc1191_tcp_beyond_mtu_dropped_not_fragmented),
		cmocka_unit_test(test_rfc9293_3_1_tx_cksum_offload_seeds_pseudo_header),
		cmocka_unit_test(test_rfc791_3_2_echo_3000_bytes_answered_in_fragments),
		cmocka_unit_test(test_rfc791_3_2_echo_8000_bytes_answered_in_fragments),
		cmocka_unit_test(test_rfc791_3_2_fragments_sized_to_mtu),
		cmocka_unit_test(test_rfc792_echo_that_fits_sent_whole),
		cmocka_unit_test(test_rfc791_3_2_chain_split_at_odd_bytes_fragmented),
		cmocka_unit_test(test_rfc791_3_2_datagrams_get_distinct_ids),
		cmocka_unit_test(test_rfc1122_2_3_2_2_fragments_wait_for_arp_in_order),
		cmocka_unit_test(test_multiaddr_arp_request_for_second_address_answered),
		cmocka_unit_test(test_multiaddr_echo_to_second_address_answered_from_it),
		cmocka_unit_test(test_multiaddr_range_must_stay_in_prefix),
		cmocka_unit_test(test_rfc791_3_2_fragment_checksums_in_software_under_offload),
		cmocka_unit_test(test_rfc791_3_2_pool_empty_mid_datagram_sends_nothing),
		cmocka_unit_test(test_rfc791_3_2_too_many_fragments_refused),
		cmocka_unit_test(test_rfc791_datagram_beyond_65535_bytes_refused),
		cmocka_unit_test(test_rfc791_3_2_largest_datagram_fragmented),
		cmocka_unit_test(test_rfc6864_4_1_atomic_datagram_id_zero),
		cmocka_unit_test(test_rfc6864_4_2_non_atomic_ids_to_one_destination_differ),
		cmocka_unit_test(test_rfc7739_5_1_per_destination_id_counters_independent),
		cmocka_unit_test(test_rfc6864_4_1_fragments_of_one_datagram_share_one_id),
		cmocka_unit_test(test_rfc791_reassembled_tcp_handed_to_owning_stack),
		cmocka_unit_test(test_rfc791_reassembled_tcp_owned_here_not_handed_off),
		cmocka_unit_test(test_rfc791_reassembled_handshake_ack_stays_with_syn_cache),
		cmocka_unit_test(test_rfc9293_3_10_7_1_no_conn_answered_by_owner),
		cmocka_unit_test(test_rfc791_reassembled_tcp_owned_by_this_stack_processed_here),
		cmocka_unit_test(test_rfc791_handoff_ring_full_counted_dropped),
		cmocka_unit_test(test_rfc1122_4_2_3_9_icmp_error_handed_to_owning_stack),
		cmocka_unit_test(test_rfc1122_4_2_3_9_icmp_error_about_tcp_one_stack),
		cmocka_unit_test(test_rfc1191_frag_needed_handed_to_owner_lowers_mss),
		cmocka_unit_test(test_neigh_shared_entry_used_by_other_lcore_without_arp),
		cmocka_unit_test(test_neigh_miss_on_other_lcore_resolved_and_sent_by_control),
		cmocka_unit_test(test_neigh_miss_with_control_inbox_full_counted_dropped),
		cmocka_unit_test(test_rfc826_request_on_other_lcore_answered_by_control),
		cmocka_unit_test(test_neigh_reused_slots_never_give_another_hosts_mac),
		cmocka_unit_test(test_neigh_shared_without_handoff_refused),
		cmocka_unit_test(test_neigh_last_next_hop_entry_reused_is_a_miss),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
