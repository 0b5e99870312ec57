/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_tcp.h - the TCP layer's entry points for the rest of the stack.
 * The application interface is lib/api/ptcp_api.h.
 */
#ifndef PTCP_TCP_H
#define PTCP_TCP_H

#include "ptcp_core.h"
#include <stddef.h>

#include "ptcp_wire.h"

/** The largest window a segment can announce without window scaling (RFC 7323). */
#define PTCP_TCP_MAX_WND 65535u

/** MSS for an IP MTU: the MTU less the IPv4 and TCP headers without options. */
#define PTCP_TCP_MSS_FOR_MTU(mtu) ((mtu) - 20u - PTCP_TCP_HDR_LEN)

/** Allocate st->tcp: connection table, connection pool, timer wheel. 0 or -errno. */
int ptcp_tcp_init(struct ptcp_stack *st);
/** Free st->tcp, every connection and every mbuf it holds (no segments sent). */
void ptcp_tcp_fini(struct ptcp_stack *st);

/**
 * Process one received TCP segment. m's data starts at the TCP header and
 * pkt_len is the TCP length; ip is the parsed IPv4 header. Consumes m.
 */
void ptcp_tcp_input(struct ptcp_stack *st, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip);

/**
 * ICMP destination unreachable, fragmentation needed and DF set (RFC 1191),
 * quoting our segment (laddr, lport) -> (raddr, rport) (ports host order)
 * with sequence number seq; mtu is the next-hop MTU (0: the router gave
 * none), quoted_len the quoted datagram's total length. Call on the lcore
 * owning the 4-tuple. Lowers the connection's MSS and the path-MTU cache
 * when seq is in flight (RFC 5927 4.1), and resends what no longer fits.
 */
void ptcp_tcp_pmtu_icmp(struct ptcp_stack *st, rte_be32_t laddr, uint16_t lport,
			rte_be32_t raddr, uint16_t rport, uint32_t seq, uint16_t mtu,
			uint16_t quoted_len);
/** Path MTU this lcore believes towards raddr: its cache entry, or conf.mtu. */
uint16_t ptcp_tcp_pmtu_get(const struct ptcp_stack *st, rte_be32_t raddr);
/** Path-MTU cache entries in use on this lcore. */
uint32_t ptcp_tcp_pmtu_count(const struct ptcp_stack *st);
/** Bytes the path-MTU cache took from DPDK's heaps (measured at init). */
uint64_t ptcp_tcp_pmtu_mem(const struct ptcp_stack *st);

/** Run expired timers (retransmission, TIME-WAIT, ...) at st->now_us. */
void ptcp_tcp_poll(struct ptcp_stack *st);

/**
 * True when this stack holds the connection of 4-tuple (laddr, lport,
 * raddr, rport) (ports host order) in any state, TIME-WAIT and SYN cache
 * entries included; false when a segment of it would meet only a listener
 * (SYN cookies included) or nothing here. A lookup
 * in this stack's own table: call it on the lcore that runs st.
 */
bool ptcp_tcp_owns(struct ptcp_stack *st, rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
		   uint16_t rport);

/* Frames one ptcp_tcp_prelookup() call takes (the port's RX burst). */
#define PTCP_TCP_PRELOOK 32

/**
 * Before frames pkts[0..n) (n <= PTCP_TCP_PRELOOK, data at the Ethernet
 * header) go through ptcp_net_input in this order: look up the
 * connections of their TCP flows together (one rte_hash bulk lookup for
 * the distinct flows), so that ptcp_tcp_input() finds each frame's
 * connection without a lookup of its own. ptcp_tcp_prelookup_end() after
 * the frames: the results name mbufs and are valid for this burst only.
 */
void ptcp_tcp_prelookup(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n);
void ptcp_tcp_prelookup_end(struct ptcp_stack *st);

/** Connections in the table plus SYN cache entries (any state but LISTEN and TIME-WAIT). */
uint32_t ptcp_tcp_conn_count(const struct ptcp_stack *st);
/** Number of TIME-WAIT records (tcp_timewait.c; outside the connection table). */
uint32_t ptcp_tcp_timewait_count(const struct ptcp_stack *st);

/* ---- Initial sequence numbers (RFC 6528) ---------------------------------- */

struct ptcp_isn_key {
	uint64_t k0;
	uint64_t k1;
};

/** SipHash-2-4 (Aumasson & Bernstein) of len bytes under key. */
uint64_t ptcp_siphash24(const struct ptcp_isn_key *key, const void *data, size_t len);

/**
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * with M a 4-microsecond timer (now_us / 4) and F the low 32 bits of
 * SipHash-2-4 over the 4-tuple (addresses network order, ports host order
 * packed little-endian: laddr, raddr, lport, rport).
 */
uint32_t ptcp_tcp_isn(const struct ptcp_isn_key *key, rte_be32_t laddr, uint16_t lport,
		      rte_be32_t raddr, uint16_t rport, uint64_t now_us);

#endif /* PTCP_TCP_H */
