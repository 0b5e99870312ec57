/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_private.h - state and internal entry points of the net layer
 * (Ethernet, ARP, IPv4 with reassembly, ICMP). Not for other layers: they
 * use ptcp_net.h.
 *
 * Input:  ptcp_net_input() (eth.c) -> ptcp_arp_input() (arp.c)
 *                                  -> ptcp_ipv4_input() (ipv4.c) -> reasm()
 *                                     -> ptcp_tcp_input() | ptcp_icmp_input() (icmp.c)
 *                                     | ptcp_icmp_unreach()
 *         reassembled TCP, ICMP errors about TCP -> ptcp_net_to_owner() (ipv4.c)
 *         -> here | conf.handoff_fn -> (other lcore) ptcp_net_handoff_input()
 * Output: ptcp_ipv4_output() (ipv4.c) -> ptcp_arp_output() (arp.c) -> ptcp_tx_enqueue()
 * Timers: ptcp_net_poll() -> ptcp_arp_poll() + ptcp_ipv4_poll()
 */
#ifndef PTCP_NET_PRIVATE_H
#define PTCP_NET_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip_frag.h>

#include "ptcp_net.h"
#include "ptcp_tcp.h"

/* ---- Limits (all memory is allocated by ptcp_net_init) ------------------- */

#define PTCP_ARP_QUEUE_LEN      8       /* packets waiting per unresolved neighbour */

#define PTCP_REASM_MAX          256     /* datagrams being reassembled at once */
#define PTCP_REASM_BUCKETS      64      /* rte_ip_frag: 64 buckets x 8 ways x 2 hashes */
#define PTCP_REASM_BUCKET_WAYS  8
/*
 * RFC 1122 3.3.2 recommends 60-120 s. Like Linux (ipfrag_time) we use 30 s:
 * with a bounded table a shorter timeout limits how long junk fragments can
 * hold entries.
 */
#define PTCP_REASM_TIMEOUT_MS   30000

#define PTCP_IP_TTL             64      /* RFC 1700 default TTL */
/*
 * Identification counters of non-atomic datagrams (RFC 7739 5.1, like
 * Linux's ip_idents): a keyed hash of (destination, source, protocol) picks
 * one of PTCP_IP_IDENTS counters (a power of two).
 */
#define PTCP_IP_IDENTS          2048
/*
 * Fragments one sent datagram may take (an array on the stack): enough for
 * any datagram (65515 bytes of data) at an MTU of 576 or more (119 of 552
 * bytes); below that, large datagrams are refused (IP_FRAG_TX_FAIL).
 */
#define PTCP_IP_FRAG_MAX_OUT    120     /* ptcp_net.h documents this value */
#define PTCP_IPV4_MAX_HDR_LEN   60u
#define PTCP_ICMP_HDR_LEN       8u
#define PTCP_ICMP_ERR_MAX_LEN   576u    /* RFC 1812 4.3.2.3: error datagram <= 576 bytes */
#define PTCP_ICMP_ERR_RATE      100u    /* ICMP errors per second (token bucket) */
#define PTCP_ICMP_ERR_BURST     10u     /* bucket depth */

/* RFC 792 types and codes that DPDK 22.11's rte_icmp.h lacks. */
#define PTCP_ICMP_DEST_UNREACH          3
#define PTCP_ICMP_SOURCE_QUENCH         4
#define PTCP_ICMP_REDIRECT              5
#define PTCP_ICMP_TIME_EXCEEDED         11
#define PTCP_ICMP_PARAM_PROBLEM         12
#define PTCP_ICMP_CODE_PROTO_UNREACH    2
#define PTCP_ICMP_CODE_PORT_UNREACH     3
#define PTCP_ICMP_CODE_FRAG_NEEDED      4   /* RFC 1191: next-hop MTU in bytes 6-7 */

/* ---- Neighbour table (arp.c) ----------------------------------------------- */

enum ptcp_arp_state {
	PTCP_ARP_FREE = 0,
	PTCP_ARP_INCOMPLETE,    /* request sent, packets may wait in q[] */
	PTCP_ARP_REACHABLE,     /* mac valid until deadline_us */
	PTCP_ARP_PROBE,         /* expired while in use: mac still used, unicast re-requests */
};

/* hw: the MAC in bits 0-47 (byte i at bit 8i), this bit when senders may use it */
#define PTCP_ARP_HW_VALID (1ull << 63)

struct ptcp_arp_entry {
	/*
	 * Read by every stack sharing the table, without locks (arp.c
	 * "Sharing"): hw is stored with release after ip, loaded with acquire
	 * before it, so a sender that finds hw valid and ip its next hop uses
	 * that neighbour's MAC.
	 */
	uint64_t hw;
	rte_be32_t ip;
	uint8_t used;           /* a frame was sent through it since the last refresh */
	/* the control path's only */
	uint8_t state;          /* enum ptcp_arp_state */
	uint8_t tries;          /* requests sent in this resolution / probe */
	uint8_t qhead;          /* wait queue: a ring of PTCP_ARP_QUEUE_LEN */
	uint8_t qlen;
	uint64_t deadline_us;   /* next retry (INCOMPLETE, PROBE) or expiry (REACHABLE) */
	uint64_t updated_us;    /* last refresh, for eviction */
	struct rte_mbuf *q[PTCP_ARP_QUEUE_LEN];
};

/* One neighbour table: a stack's own, or one that several stacks share (conf.neigh). */
struct ptcp_neigh {
	struct rte_hash *hash;          /* ip -> index into e[] (lock-free readers when shared) */
	struct ptcp_arp_entry *e;
	uint32_t slots;                 /* entries in e[] */
	bool shared;
};

/* ---- Per-lcore net state ------------------------------------------------- */

struct ptcp_net {
	/* hot: read for every packet */
	rte_be32_t ip;                  /* our (first) address */
	uint32_t ip_count;              /* ip .. ip + ip_count - 1 are ours (>= 1) */
	rte_be32_t mask;                /* on-link prefix */
	rte_be32_t bcast;               /* {net, -1}; 255.255.255.255 on /31 and /32 */
	rte_be32_t net0;                /* {net, 0}, the old BSD broadcast (RFC 1122 3.3.6) */
	struct ptcp_neigh *neigh;       /* conf.neigh, or this stack's own table */
	struct ptcp_arp_entry *nh_last; /* entry of the last next hop sent to (arp.c arp_hw) */
	bool control;                   /* this stack writes neigh (its own, or steer_owner 0) */
	uint64_t arp_next_us;           /* earliest ARP deadline (UINT64_MAX: none) */

	/* reassembly (RFC 791 3.2, RFC 1122 3.3.2) */
	struct rte_ip_frag_tbl *frag_tbl;

	/* ICMP error token bucket, in micro-tokens (1 token = 1000000) */
	uint64_t icmp_credit;
	uint64_t icmp_last_us;

	/* mbufs rte_ip_frag gave up on; freed after each call */
	struct rte_ip_frag_death_row dr;

	/*
	 * IPv4 identification of non-atomic datagrams (ipv4.c ident_next()):
	 * counter ident[b] for the destinations hashing to bucket b under the
	 * secret ident_key; ident_ms[b] is when it was last used (ms).
	 */
	struct ptcp_isn_key ident_key;
	uint16_t ident[PTCP_IP_IDENTS];
	uint32_t ident_ms[PTCP_IP_IDENTS];
} __rte_cache_aligned;

/* ---- Address classes ----------------------------------------------------- */

/** Limited, directed or old-style ({net, 0}) broadcast of our subnet. */
static inline bool
ptcp_net_is_bcast(const struct ptcp_net *net, rte_be32_t a)
{
	return a == RTE_BE32(0xffffffff) || a == net->bcast || a == net->net0;
}

/**
 * RFC 1122 3.2.1.3: an address that cannot name one host, so can be neither
 * a source nor a unicast destination: 0/8 ("this network"), 127/8, class D
 * (multicast) and class E (which holds 255.255.255.255), our subnet's
 * broadcast forms, and our own address (only we may use it).
 */
/* a is one of our addresses (conf.ip .. conf.ip + conf.ip_count - 1). */
static inline bool
ptcp_net_is_local(const struct ptcp_net *net, rte_be32_t a)
{
	return rte_be_to_cpu_32(a) - rte_be_to_cpu_32(net->ip) < net->ip_count;
}

static inline bool
ptcp_net_is_martian(const struct ptcp_net *net, rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);
	uint32_t top = h >> 24;

	return top == 0 || top == 127 || top >= 224 || ptcp_net_is_local(net, a) ||
	       ptcp_net_is_bcast(net, a);
}

/* ---- mbuf helper --------------------------------------------------------- */

int ptcp_net_pullup_slow(struct rte_mbuf *m, uint32_t len);

/**
 * Make the first len bytes of m contiguous in its first segment (moving bytes
 * from the following segments into its tailroom). 0, or -1 if m is shorter
 * than len or the first segment has no room.
 */
static inline int
ptcp_net_pullup(struct rte_mbuf *m, uint32_t len)
{
	if (likely(rte_pktmbuf_data_len(m) >= len))
		return 0;
	return ptcp_net_pullup_slow(m, len);
}

/* ---- Internal entry points ----------------------------------------------- */

/* arp.c */
int ptcp_arp_init(struct ptcp_stack *st);
void ptcp_arp_fini(struct ptcp_stack *st);
/** m's data at the Ethernet header (l2_len set). Consumes m. */
void ptcp_arp_input(struct ptcp_stack *st, struct rte_mbuf *m);
void ptcp_arp_poll(struct ptcp_stack *st);
/** Send a broadcast ARP request for tpa (gratuitous when tpa is our address). */
void ptcp_arp_request(struct ptcp_stack *st, rte_be32_t tpa);
/* RFC 5227 2.3 announcement of our address ip (sender and target ip). */
void ptcp_arp_announce(struct ptcp_stack *st, rte_be32_t ip);
/**
 * Fill the Ethernet destination of frame m (data at its Ethernet header) with
 * next hop nh's MAC and enqueue it, or queue it while nh resolves (on the
 * control path: a stack sharing its table passes m there).
 * Consumes m; 0 if sent or queued, else -errno (counted).
 */
int ptcp_arp_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t nh);
/** The control path: frame m, passed on by another stack, waits for nh here. */
void ptcp_arp_resolve(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t nh);

/* ipv4.c */
int ptcp_ipv4_init(struct ptcp_stack *st);
void ptcp_ipv4_fini(struct ptcp_stack *st);
/** m's data at the Ethernet header (l2_len set). Consumes m. */
void ptcp_ipv4_input(struct ptcp_stack *st, struct rte_mbuf *m);
void ptcp_ipv4_poll(struct ptcp_stack *st);
/**
 * Deliver to owner: m (data at the Ethernet header, l2_len/l3_len set) is
 * about TCP connection (laddr, lport, raddr, rport) (ports host order) and
 * its RX queue was not chosen by that 4-tuple; `handed` when another stack
 * already passed it here, its owner. True: process m here, *owned telling
 * whether this stack holds the connection. False: m was passed to the
 * owning stack (IP_HANDOFF_TX) or dropped (IP_HANDOFF_DROP); it is no
 * longer the caller's.
 */
bool ptcp_net_to_owner(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t laddr,
		       uint16_t lport, rte_be32_t raddr, uint16_t rport, bool handed,
		       bool *owned);
/** Random key and starting values of the identification counters. 0 or -errno. */
int ptcp_ipv4_ident_init(struct ptcp_stack *st);
/** Bucket of the identification counter of datagrams to dst with proto (tests use it). */
uint32_t ptcp_ipv4_ident_bucket(const struct ptcp_stack *st, rte_be32_t dst, uint8_t proto);

/* icmp.c */
void ptcp_icmp_init(struct ptcp_stack *st);
/**
 * An ICMP message: m's data at the Ethernet header, l2_len/l3_len set, pkt_len
 * trimmed to the datagram; ip_bcast when sent to a broadcast address. Consumes m.
 */
void ptcp_icmp_input(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip,
		     bool ip_bcast);
/**
 * An ICMP error message (verified), as for ptcp_icmp_input: when it quotes
 * a TCP segment of ours it goes to the lcore owning that connection
 * (ptcp_net_to_owner, `handed` as there) and is counted ICMP_ERR_TCP or
 * ICMP_ERR_TCP_NO_CONN; otherwise ICMP_OTHER. Consumes m.
 */
void ptcp_icmp_error_input(struct ptcp_stack *st, struct rte_mbuf *m,
			   const struct ptcp_ipv4_info *ip, bool handed);
/**
 * Send destination unreachable `code` about datagram m (as for
 * ptcp_icmp_input), unless RFC 1122 3.2.2 forbids it or the rate limit is
 * reached. Does not consume m.
 */
void ptcp_icmp_unreach(struct ptcp_stack *st, const struct rte_mbuf *m,
		       const struct ptcp_ipv4_info *ip, uint8_t code, bool l2_bcast);

#endif /* PTCP_NET_PRIVATE_H */
