/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_private.h - state shared by port.c (setup, teardown, reports) and
 * lcore.c (the poll loop, TX callback, capture, the inbox rings between
 * lcores: steering, the control path and the hand-off of datagrams).
 */
#ifndef PTCP_PORT_PRIVATE_H
#define PTCP_PORT_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "ptcp_impair.h"
#include "ptcp_port.h"

/*
 * Each lcore's inbox: one multi-producer, single-consumer ring of struct
 * port_msg that other lcores fill (lcore.c): TCP segments that arrived on
 * another lcore's queue (software steering), reassembled segments or ICMP
 * errors for the flows this lcore owns, and on the control lcore (0) the
 * ARP, ICMP and fragments that arrived elsewhere and the frames of other
 * lcores waiting for ARP. Bounded: a full inbox drops (STEER_DROP,
 * IP_HANDOFF_DROP, ARP_RESOLVE_HANDOFF_DROP, ARP_TO_CONTROL_DROP at the
 * sender).
 */
#define PORT_INBOX_SIZE 4096
/* The lcore whose stack is the control path: ARP, ICMP, fragments (conf.neigh). */
#define PORT_CONTROL 0
/* Frames queue-less lcores hand to one with a TX queue. */
#define PORT_TXBOX_SIZE 4096
/* Frames one lcore keeps while its TX queue is full (lcore.c tx_hold). */
#define PORT_TX_HOLD 1024

enum port_msg_kind {
	PORT_MSG_FRAME = 0,    /* a received frame for ptcp_stack_rx_burst (steered) */
	PORT_MSG_HANDOFF,      /* a datagram for ptcp_stack_handoff_burst */
	PORT_MSG_RESOLVE,      /* the control lcore: a frame for ptcp_stack_resolve_burst */
};

struct port_msg {
	struct rte_mbuf *m;
	uint64_t kind;         /* enum port_msg_kind (16 bytes: rte_ring elements are 4n) */
};

/* One worker lcore: its queue pair and its stack. */
struct port_lcore {
	/* hot: read on every loop iteration */
	struct ptcp_stack *st;
	uint16_t port_id;
	uint16_t queue;
	unsigned int lcore_id;
	struct rte_ring *inbox;        /* struct port_msg from other lcores; NULL if alone */
	/* Fewer queue pairs than lcores: */
	struct port_lcore *tx_via;     /* no queue of its own: frames go to its txbox */
	struct rte_ring *txbox;        /* frames of queue-less lcores to send (mbuf *) */
	uint16_t nhold;                /* frames in hold[] */
	struct rte_mbuf *hold[PORT_TX_HOLD];   /* waiting for room in the TX queue, in order */
	uint64_t last_poll_us;
	struct ptcp_impair *imp_rx;    /* --impair: wire -> stack; NULL = off */
	struct ptcp_impair *imp_tx;    /* --impair: stack -> wire; NULL = off */

	struct rte_mempool *pool;      /* this lcore's socket pool */
	int socket_id;
	char name[32];                 /* stack name "ptcp_l<lcore>" */
} __rte_cache_aligned;

/* The process-wide port state (one port). */
struct port_main {
	struct ptcp_port_conf conf;
	struct ptcp_impair_conf impair;   /* copy of *conf.impair (conf.impair points here) */
	uint16_t port_id;
	uint16_t nb_queues;            /* = number of worker lcores = TX queues = flow owners */
	uint16_t nb_qp;               /* RX queues: lcores of rank < nb_qp poll one */
	bool rss;                      /* the NIC spreads flows (RSS with our key and table) */
	bool hw_hash;                  /* ... and its mbuf hash.rss is our Toeplitz hash */
	struct ptcp_steer *steer;      /* several lcores: who owns which flow (read-only) */
	struct ptcp_neigh *neigh;      /* several lcores: the neighbour table lcore 0 writes */
	uint16_t mtu;
	uint32_t offloads;             /* PTCP_OFFLOAD_* in use */
	uint64_t tsc_hz;
	uint64_t us_mult;              /* port_us_mult(tsc_hz) */
	uint64_t start_tsc;

	struct port_lcore *lcores[RTE_MAX_LCORE];   /* by queue */
	unsigned int queue_of_lcore[RTE_MAX_LCORE];

	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	struct rte_mempool *ind_pools[RTE_MAX_NUMA_NODES];   /* zero-copy TX clones */

	/* --pcap: copies come from pcap_pool; writes serialised by pcap_lock */
	void *pcap;                    /* rte_pcapng_t * */
	struct rte_mempool *pcap_pool;
	rte_spinlock_t pcap_lock;
	uint64_t pcap_frames;          /* under pcap_lock */
	uint64_t pcap_dropped;         /* under pcap_lock */

	bool eal_up;
	bool port_configured;
	bool port_started;
	bool link_up;                  /* last link state seen by the main lcore */
	bool announced;                /* gratuitous ARP sent */

	/* 0 running, 1 stopping (graceful), 2 stop now; written by signal handlers,
	 * read by every lcore on every iteration: its own cache line. */
	volatile int stop __rte_cache_aligned;

	char errmsg[256];
};

extern struct port_main ptcp_port_m;

/* lcore.c */
uint16_t ptcp_port_tx(void *arg, struct rte_mbuf **pkts, uint16_t n);
/* The stacks' conf.handoff_fn (arg: the port_lcore): into lcore `to`'s inbox. */
int ptcp_port_handoff(void *arg, struct rte_mbuf *m, uint16_t to, enum ptcp_handoff_kind kind);
int ptcp_port_lcore_main(void *arg);

/*
 * port.c, --pcap only: copy n frames into copies[] (NULL where the capture
 * pool was empty, counted PCAP_DROP), then write the first `keep` of them
 * and free the rest (TX: only what the queue took).
 */
void ptcp_port_pcap_copy(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n, bool tx,
			 struct rte_mbuf **copies);
void ptcp_port_pcap_write(struct port_lcore *lc, struct rte_mbuf **copies, uint16_t keep,
			  uint16_t n);
/* port.c: link monitor run by the main lcore; announces on link up. */
void ptcp_port_link_check(struct port_lcore *lc, bool verbose);
/* port.c: periodic report ("stats (N s):") from the main lcore. */
void ptcp_port_report_periodic(FILE *f, uint64_t secs);

/*
 * Microseconds since the epoch of the TSC, for every loop iteration:
 * tsc * (10^6 * 2^40 / hz) >> 40 in 128-bit arithmetic, a multiply and a
 * shift. The division it replaces ((tsc / hz) * 10^6 + (tsc % hz) * 10^6 /
 * hz) took a quarter of an idle lcore's samples (docs/performance.md). The
 * factor is exact to 2^-40 relative per unit, so the clock drifts from the
 * division's by well under a millisecond a day.
 */
#define PORT_US_SHIFT 40

static inline uint64_t
port_us_mult(uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)1000000u << PORT_US_SHIFT) / hz);
}

static inline uint64_t
port_tsc_to_us(uint64_t tsc, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)tsc * mult) >> PORT_US_SHIFT);
}

#endif /* PTCP_PORT_PRIVATE_H */
