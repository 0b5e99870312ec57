/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_port.h - the port layer: EAL, one Ethernet port, its queues, mbuf
 * pools, checksum offloads, an optional pcapng capture and the per-lcore
 * poll loop that drives one struct ptcp_stack per lcore. The only code in
 * polltcp that calls rte_eth_*.
 *
 * Call order (main thread):
 *
 *   n = ptcp_port_eal_init(argc, argv);     rte_eal_init
 *   ptcp_port_init(&conf);                  port, queues, pools, link, stacks,
 *                                           conf.stack_init() for each stack
 *   ptcp_port_run();                        every lcore runs the loop below
 *                                           until ptcp_port_stop()
 *   ptcp_port_report(stdout);               port stats + summed counters
 *   ptcp_port_fini();                       stacks, port, capture, pools, EAL
 *
 * Lcores and queues: every enabled lcore (main included) is a worker and
 * owns the stack attached to it and, while there are enough, RX/TX queue
 * pair i (i = its rank among enabled lcores; conf.queues caps them). With
 * more than one lcore every TCP flow has one owner (ptcp_steer.h): RSS
 * ports get the same symmetric key and table, and every lcore polling a
 * queue passes segments of flows it does not own to their owner's inbox
 * (software steering); an lcore without a queue pair hands its frames to
 * lcore (rank % queues) to send. ARP, ICMP and fragments go to lcore 0,
 * the control path, whose stack writes the one neighbour table all stacks
 * read; reassembled fragments and ICMP errors then go to the owner of the
 * 4-tuple they carry (lcore.c).
 *
 * The loop of one lcore:
 *
 *   rx_burst(32) -> [pcap copy] -> [impair RX] -> [steer: other lcores'
 *   segments, control frames to lcore 0] -> ptcp_stack_rx_burst(now_us)
 *   -> inbox: steered frames, hand-offs, frames to resolve (lcore 0)
 *   -> ptcp_stack_poll (every 100 us)
 *   -> conf.lcore_poll -> ptcp_stack_flush -> tx_fn: [impair TX], tx_prepare,
 *   [pcap copy], tx_burst (what does not fit waits, in order, in a
 *   bounded per-lcore hold, TX_HELD, and goes first on the next iteration;
 *   beyond it TX_DROP) -> [release due impaired TX frames]
 *   -> [frames queue-less lcores handed over: tx_burst]
 *
 * Impairment (conf.impair, off when NULL): one ptcp_impair per direction
 * per lcore sits between the wire and the stack, so a capture shows the
 * wire: RX frames as they arrived (before loss), TX frames as they left
 * (after it). Each impairer's seed is ptcp_impair_stream_seed(seed, lcore,
 * direction). The TX impairer takes every frame the stack hands it (the
 * stack counts them TX_PKTS); frames it releases that the TX queue does not
 * take are freed and counted TX_DROP by the port layer.
 *
 * After ptcp_port_stop(): ptcp_stack_close_all(), then the same loop until
 * ptcp_stack_conn_count() is 0 or PTCP_PORT_DRAIN_MS passed.
 */
#ifndef PTCP_PORT_H
#define PTCP_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ptcp_core.h"

struct ptcp_impair_conf;

/** Let ptcp_port_init pick the first available port. */
#define PTCP_PORT_ANY            (-1)
/** RX burst size of the lcore loop. */
#define PTCP_PORT_RX_BURST       32
/** Stack timers run when this much time passed since the last poll. */
#define PTCP_PORT_POLL_US        100
/** Graceful stop: give connections this long to close. */
#define PTCP_PORT_DRAIN_MS       2000

struct ptcp_port_conf {
	int port_id;                   /* ethdev port, or PTCP_PORT_ANY */
	uint16_t nb_rxd;               /* RX descriptors per queue (1024) */
	uint16_t nb_txd;               /* TX descriptors per queue (1024) */
	/*
	 * Queue pairs (0: one per lcore, as many as the port has). Fewer than
	 * lcores (a single-queue port): the lcores of the first ranks poll them
	 * and steer every TCP segment to the lcore owning its flow; an lcore
	 * without a queue hands its frames to lcore (rank % queues) to send.
	 */
	uint16_t queues;
	uint32_t mbufs_per_lcore;      /* pool share of one lcore beyond its rings (16384) */
	uint32_t link_wait_ms;         /* wait this long for link up at start; 0 = no wait */
	bool no_offload;               /* use software checksums even if the port offloads */
	const char *pcap_path;         /* capture every frame to this pcapng file; NULL = off */
	uint32_t stats_period_s;       /* print counters every N s from the main lcore; 0 = off */
	/* impair both directions of every lcore's queue pair (copied); NULL = off */
	const struct ptcp_impair_conf *impair;

	/*
	 * Template of every lcore's stack. The port layer fills mac, mtu (when
	 * 0: the port's), pool, tx_fn, tx_arg, socket_id, offloads and name.
	 */
	struct ptcp_stack_conf stack;

	/**
	 * Called on the main thread for each stack after it is created and
	 * before any lcore runs (e.g. to ptcp_listen). Non-zero fails
	 * ptcp_port_init with that value. May be NULL.
	 */
	int (*stack_init)(struct ptcp_stack *st, unsigned int lcore_id, void *arg);
	/** Called by each lcore once per loop iteration after the stack ran. May be NULL. */
	void (*lcore_poll)(struct ptcp_stack *st, unsigned int lcore_id, uint64_t now_us,
			   void *arg);
	void *arg;                     /* for stack_init and lcore_poll */
};

/**
 * rte_eal_init(argc, argv). Returns the number of arguments EAL consumed,
 * or -errno with ptcp_port_errmsg() describing the failure.
 */
int ptcp_port_eal_init(int argc, char **argv);

/**
 * Configure and start the port, one RX/TX queue pair per lcore, create the
 * per-socket mbuf pools, open the capture, wait for the link and create one
 * stack per lcore (then conf->stack_init). A gratuitous ARP is sent once
 * the link is up. Prints what it chose (queues, offloads, link) to stdout.
 * Returns 0, or -errno with ptcp_port_errmsg() set (one line, no newline).
 */
int ptcp_port_init(const struct ptcp_port_conf *conf);

/** Run the loop on every lcore (the caller's included); returns when all stopped. */
int ptcp_port_run(void);

/**
 * Ask every lcore to close its connections gracefully and return. Async-
 * signal-safe. A second call while stopping skips the graceful drain.
 */
void ptcp_port_stop(void);

/** True once ptcp_port_stop() was called. */
bool ptcp_port_stopping(void);

/**
 * After ptcp_port_run returned: wait until the port's link goes down (the
 * peer left), polling every 10 ms, at most timeout_ms, or until *cancel
 * (may be NULL) becomes non-zero. For a program that should leave a
 * point-to-point link (memif) after its peer: DPDK 22.11's net_memif
 * unmaps a departed peer's rings in its control thread while that side's
 * lcores may still be inside rx_burst. Returns the ms waited, -ETIMEDOUT,
 * -EINTR or -EIO (no link status).
 */
int ptcp_port_wait_link_down(uint32_t timeout_ms, const volatile int *cancel);

/** Sum of every lcore's counters into sum[PTCP_CTR_MAX] (zeroed first). */
void ptcp_port_counters(uint64_t *sum);

/**
 * Print the port's rte_eth_stats line and then the stack counters:
 *
 *   port 0: ipackets N opackets N imissed N ierrors N oerrors N rx_nombuf N
 *   impair rx: in N out N drop N dup N reorder N delay N overflow N held N drop_bytes N
 *   impair tx: ...                  (with conf.impair; summed over lcores)
 *   counters:
 *     NAME value          (non-zero counters, enum order)
 */
void ptcp_port_report(FILE *f);

/** Free the stacks, stop and close the port, close the capture, rte_eal_cleanup. */
void ptcp_port_fini(void);

/** The last error of ptcp_port_eal_init / ptcp_port_init, one line. */
const char *ptcp_port_errmsg(void);

/** Number of worker lcores (= queue pairs); valid after ptcp_port_init. */
unsigned int ptcp_port_lcore_count(void);

#endif /* PTCP_PORT_H */
