/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_net.h - Ethernet, ARP, IPv4 (with reassembly) and ICMP for one lcore.
 *
 * Input:  ptcp_net_input(st, m) -> eth -> arp | ipv4 -> (reassembly) ->
 *         icmp | ptcp_tcp_input() | ICMP protocol/port unreachable.
 *         With several stacks (conf.steer), reassembled TCP segments and
 *         ICMP errors about TCP go to the stack owning the 4-tuple
 *         (ptcp_net_handoff_input() there).
 * Output: ptcp_ipv4_output(st, m, dst, proto) prepends IPv4 + Ethernet,
 *         fills checksums (offload when the port has it), fragments a
 *         non-TCP datagram larger than the MTU, resolves the next hop by ARP
 *         (queueing a bounded number of frames while resolving), and appends
 *         the frame(s) to the TX batch.
 */
#ifndef PTCP_NET_H
#define PTCP_NET_H

#include <stdbool.h>
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

/**
 * A datagram another stack passed on with conf.handoff_fn because this
 * stack owns its TCP 4-tuple (conf.steer): a reassembled TCP segment or an
 * ICMP error quoting one, m's data at the Ethernet header, l2_len and
 * l3_len set, already validated by the stack that received it. Processed
 * here (a SYN meets the listener, anything else its connection or "no
 * connection"). Counted IP_HANDOFF_RX. Consumes m. See ptcp_net_to_owner()
 * in ipv4.c.
 */
void ptcp_net_handoff_input(struct ptcp_stack *st, struct rte_mbuf *m);

/**
 * The control path: frame m (Ethernet header first, our IPv4 datagram) that
 * a stack sharing this one's neighbour table could not address; it waits
 * here for ARP and is sent from this stack. Consumes m.
 */
void ptcp_net_resolve_input(struct ptcp_stack *st, struct rte_mbuf *m);

/**
 * A neighbour table of `entries` neighbours (0: PTCP_DEFAULT_ARP_ENTRIES)
 * for conf.neigh, shared by the stacks of several lcores (shared = true:
 * lock-free readers; see arp.c "Sharing"), or NULL with rte_errno. Created
 * before the stacks, freed after them.
 */
struct ptcp_neigh *ptcp_neigh_create(const char *name, int socket_id, bool shared,
				     uint32_t entries);
void ptcp_neigh_free(struct ptcp_neigh *nb);

/** Periodic work: ARP retries and expiry, fragment table expiry. */
void ptcp_net_poll(struct ptcp_stack *st);

/** Broadcast a gratuitous ARP request for our address (RFC 5227 announcement). */
void ptcp_net_announce(struct ptcp_stack *st);

/**
 * Send an IPv4 datagram from our address to dst. Always consumes m.
 *
 * m's data starts at the L4 header and holds the whole L4 packet; it may be
 * an mbuf chain, and its first segment needs PTCP_NET_HEADROOM bytes of
 * headroom. For IPPROTO_TCP the TCP checksum is filled here (software, or
 * the pseudo-header sum plus RTE_MBUF_F_TX_* flags when the port offloads
 * it); other protocols must have filled their own checksum.
 *
 * The datagram gets a 20-byte header and TTL 64. IPPROTO_TCP datagrams
 * carry DF and identification 0 (atomic, RFC 6864 4.1); the others carry no
 * DF and an identification from a counter per destination (RFC 7739 5.1,
 * hashed under a secret key), so the IDs one host sees reveal nothing about
 * our traffic to others.
 * - Fits conf.mtu: sent as one frame (the IPv4 header checksum offloaded
 *   when the port can).
 * - Larger, IPPROTO_TCP: TCP always sends DF and sizes segments to the MTU,
 *   so this is refused: -EMSGSIZE (IP_TX_TOO_BIG).
 * - Larger, any other protocol (an echo reply to a fragmented request):
 *   sent as RFC 791 fragments sharing one identification, each a
 *   single-segment frame of at most conf.mtu bytes (less if the pool's
 *   buffers are smaller) with its own
 *   software header checksum (IP_FRAG_TX per fragment). Fails with
 *   -ENOBUFS when the pool runs out, or -EMSGSIZE when it would take more
 *   than 120 fragments, which only an MTU below 576 can cause
 *   (IP_FRAG_TX_FAIL, nothing sent).
 * Each frame then goes to the next hop (dst on-link, else conf.gateway):
 * to the TX batch if its MAC is known, else into the neighbour's ARP wait
 * queue (the oldest queued frame is dropped when full, ARP_QUEUE_FULL).
 *
 * Returns 0 if sent or queued for ARP, else a negative errno, counted:
 *   -ENETUNREACH  no route: dst is not a unicast address, or off-link without
 *                 a gateway (IP_NO_ROUTE);
 *   -EMSGSIZE     TCP beyond the MTU, or any datagram beyond 65535 bytes
 *                 (IP_TX_TOO_BIG); too many fragments (IP_FRAG_TX_FAIL);
 *   -ENOSPC       too little headroom in m (IP_TX_NO_HEADROOM);
 *   -ENOBUFS      the ARP table is full of unresolved entries (ARP_TABLE_FULL,
 *                 and IP_FRAG_TX_FAIL for fragments), or no mbufs for the
 *                 fragments (IP_FRAG_TX_FAIL, POOL_EMPTY).
 */
int ptcp_ipv4_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t dst, uint8_t proto);
/** ptcp_ipv4_output from our address src (one of conf.ip .. + conf.ip_count - 1). */
int ptcp_ipv4_output_from(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t src,
			  rte_be32_t dst, uint8_t proto);

/**
 * Insert or refresh an ARP entry (also used by tests to seed neighbours).
 * -EPERM on a stack that only reads a shared table (conf.neigh, not 0).
 */
int ptcp_arp_update(struct ptcp_stack *st, rte_be32_t ip, const struct rte_ether_addr *mac);
/** Look up a resolved neighbour: 0 and *mac, or -ENOENT. */
int ptcp_arp_lookup(struct ptcp_stack *st, rte_be32_t ip, struct rte_ether_addr *mac);

/** Headroom a layer above IPv4 must leave in its mbufs (Ethernet + IPv4). */
#define PTCP_NET_HEADROOM (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))

#endif /* PTCP_NET_H */
