/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h - shared fixtures for cmocka unit tests.
 *
 * A test stack lives at 198.18.0.2 (MAC 02:00:00:00:00:02) with its peer
 * 198.18.0.1 (MAC 02:00:00:00:00:01) already in the ARP table. Frames the
 * stack transmits are captured in order (no port, no network); frames are
 * fed in with ptest_rx(). Time is synthetic: ctx->now (microseconds).
 *
 *   struct ptest_ctx *t = ptest_new(NULL);
 *   ptest_rx(t, ptest_tcp_frame(t, &(struct ptest_seg){ .flags = SYN, ... }));
 *   assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);   -- exactly what was sent
 *   ptest_assert_nothing_sent(t);
 *   ptest_free(t);                                           -- asserts no mbuf leaked
 */
#ifndef PTCP_TEST_HARNESS_H
#define PTCP_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ptcp_core.h"
#include "ptcp_wire.h"
#include "ptcp_net.h"
#include "ptcp_tcp.h"
#include "ptcp_api.h"

#define PTEST_MAX_SENT 512

#define PTEST_LOCAL_IP   RTE_BE32(RTE_IPV4(198, 18, 0, 2))
#define PTEST_PEER_IP    RTE_BE32(RTE_IPV4(198, 18, 0, 1))
#define PTEST_OTHER_IP   RTE_BE32(RTE_IPV4(198, 18, 0, 3))   /* on-link, not in ARP */

extern const struct rte_ether_addr ptest_local_mac;
extern const struct rte_ether_addr ptest_peer_mac;

struct ptest_ctx {
	struct ptcp_stack *st;
	struct rte_mempool *pool;
	uint64_t now;                           /* microseconds */
	unsigned int nsent;                     /* captured frames not yet popped */
	struct rte_mbuf *sent[PTEST_MAX_SENT];
	char name_buf[32];
};

/** A segment to craft (host order). Peer -> us unless src/dst set. */
struct ptest_seg {
	rte_be32_t src;          /* 0 = PTEST_PEER_IP */
	rte_be32_t dst;          /* 0 = PTEST_LOCAL_IP */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;           /* RTE_TCP_*_FLAG */
	uint16_t wnd;            /* 0 means 0; tests set it */
	const void *data;
	uint32_t len;
	const struct ptcp_tcp_opts *opt;
	bool bad_cksum;          /* corrupt the TCP checksum */
};

/** Initialise EAL once per process (--no-huge, no PCI, no shared config). */
void ptest_eal_init(void);

/**
 * New stack with the test addresses. conf may be NULL or a conf whose zero
 * fields take test defaults (ip, mac, pool, tx_fn are always the harness's).
 */
struct ptest_ctx *ptest_new(const struct ptcp_stack_conf *conf);
/** Destroy the stack, free captured frames, and assert every mbuf returned to the pool. */
void ptest_free(struct ptest_ctx *t);

/** Build an Ethernet+IPv4+TCP frame with valid checksums (unless bad_cksum). */
struct rte_mbuf *ptest_tcp_frame(struct ptest_ctx *t, const struct ptest_seg *s);
/** Build an Ethernet frame around an arbitrary IPv4 payload (proto, bytes). */
struct rte_mbuf *ptest_ipv4_frame(struct ptest_ctx *t, rte_be32_t src, rte_be32_t dst,
				  uint8_t proto, const void *l4, uint32_t l4_len);
/** Build a frame from raw bytes (Ethernet header included). */
struct rte_mbuf *ptest_raw_frame(struct ptest_ctx *t, const void *bytes, uint32_t len);

/** Feed one frame at t->now, then flush the TX batch into the capture. */
void ptest_rx(struct ptest_ctx *t, struct rte_mbuf *m);
/** Craft and feed a TCP segment in one call. */
void ptest_rx_seg(struct ptest_ctx *t, const struct ptest_seg *s);
/** Advance the clock by us microseconds, run timers, flush. */
void ptest_advance(struct ptest_ctx *t, uint64_t us);

/**
 * Pop the oldest captured frame, assert it is a well-formed IPv4/TCP frame
 * from us (checksums verified), decode it into seg and copy up to cap bytes
 * of payload. Returns the payload length; fails the test if nothing was sent.
 */
uint32_t ptest_pop_tcp(struct ptest_ctx *t, struct ptcp_tcp_seg *seg, void *payload,
		       uint32_t cap);
/** Pop the oldest captured frame as raw bytes (Ethernet header first). Returns length. */
uint32_t ptest_pop_raw(struct ptest_ctx *t, void *buf, uint32_t cap);
/** Assert nothing was transmitted since the last pop. */
void ptest_assert_nothing_sent(struct ptest_ctx *t);
/** Free all captured frames. */
void ptest_clear(struct ptest_ctx *t);

/** Current value of a counter. */
#define PTEST_CTR(t, name) ((t)->st->ctr[PTCP_CTR_##name])

#endif /* PTCP_TEST_HARNESS_H */
