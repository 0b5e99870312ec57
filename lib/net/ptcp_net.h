/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_net.h - Ethernet, ARP, IPv4 (with reassembly) and ICMP for one lcore.
 *
 * Input:  ptcp_net_input(st, m) -> eth -> arp | ipv4 -> (reassembly) ->
 *         icmp | ptcp_tcp_input() | ICMP protocol/port unreachable.
 * Output: ptcp_ipv4_output(st, m, dst, proto) prepends IPv4 + Ethernet,
 *         fills checksums (offload when the port has it), resolves the next
 *         hop by ARP (queueing a bounded number of packets while resolving),
 *         and appends the frame to the TX batch.
 */
#ifndef PTCP_NET_H
#define PTCP_NET_H

#include <stdint.h>

#include "ptcp_core.h"
#include "ptcp_wire.h"

/** Allocate st->net (ARP table, wait queues, fragment table). 0 or -errno. */
int ptcp_net_init(struct ptcp_stack *st);
/** Free st->net and every mbuf it holds. */
void ptcp_net_fini(struct ptcp_stack *st);

/**
 * Process one received Ethernet frame. Consumes m (delivered, answered or
 * dropped with a counter). Honors RTE_MBUF_F_RX_IP_CKSUM_GOOD/BAD when the
 * port reported PTCP_OFFLOAD_RX_IPV4_CKSUM.
 *
 * TCP segments reach ptcp_tcp_input() with the mbuf's data starting at the
 * TCP header and pkt_len trimmed to exactly the IPv4 payload (Ethernet
 * padding removed); l2_len/l3_len set.
 */
void ptcp_net_input(struct ptcp_stack *st, struct rte_mbuf *m);

/** Periodic work: ARP retries and expiry, fragment table expiry. */
void ptcp_net_poll(struct ptcp_stack *st);

/** Broadcast a gratuitous ARP request for our address (RFC 5227 announcement). */
void ptcp_net_announce(struct ptcp_stack *st);

/**
 * Send an IPv4 packet. m's data starts at the L4 header and holds the whole
 * L4 packet (single segment). Prepends the IPv4 header (src = our address),
 * and for IPPROTO_TCP fills the TCP checksum (software, or the pseudo-header
 * sum plus RTE_MBUF_F_TX_* flags when the port offloads it); other protocols
 * must have filled their own checksum. Resolves the next hop and enqueues.
 * Always consumes m. Returns 0 if sent or queued for ARP, else -errno
 * (counted: IP_NO_ROUTE, ARP_QUEUE_FULL, POOL_EMPTY).
 */
int ptcp_ipv4_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t dst, uint8_t proto);

/** Insert or refresh an ARP entry (also used by tests to seed neighbours). */
int ptcp_arp_update(struct ptcp_stack *st, rte_be32_t ip, const struct rte_ether_addr *mac);
/** Look up a resolved neighbour: 0 and *mac, or -ENOENT. */
int ptcp_arp_lookup(struct ptcp_stack *st, rte_be32_t ip, struct rte_ether_addr *mac);

/** Headroom a layer above IPv4 must leave in its mbufs (Ethernet + IPv4). */
#define PTCP_NET_HEADROOM (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))

#endif /* PTCP_NET_H */
