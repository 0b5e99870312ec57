/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_api.h - what an application sees of polltcp.
 *
 * Lifecycle of one per-lcore stack (all calls from its own lcore only):
 *
 *   st = ptcp_stack_create(&conf);
 *   ptcp_listen(st, 7, &ops, arg);                 or ptcp_connect(...)
 *   loop:
 *     n = rte_eth_rx_burst(...);
 *     ptcp_stack_rx_burst(st, pkts, n, now_us);     callbacks run in here
 *     ptcp_stack_handoff_burst(st, ...);            several lcores: datagrams
 *                                                   other stacks passed on
 *     ptcp_stack_resolve_burst(st, ...);            the control lcore: frames
 *                                                   waiting for ARP
 *     ptcp_stack_poll(st, now_us);                  timers; callbacks too
 *     ptcp_stack_flush(st);                         TX batch -> conf.tx_fn
 *   ptcp_stack_destroy(st);
 *
 * Events are callbacks (struct ptcp_conn_ops). Inside a callback the
 * application may call any function below on any connection; segments it
 * causes are sent once the current segment has been processed, so an echo
 * reply carries the ACK of the data it echoes. A connection is valid from
 * on_established (or ptcp_connect's return) until on_closed returns.
 */
#ifndef PTCP_API_H
#define PTCP_API_H

#include <stdbool.h>
#include <stdint.h>

#include "ptcp_core.h"

/* RFC 9293 3.3.2 states, from one list. */
#define PTCP_FOREACH_TCP_STATE(_) \
	_(CLOSED, "CLOSED") \
	_(LISTEN, "LISTEN") \
	_(SYN_SENT, "SYN-SENT") \
	_(SYN_RECEIVED, "SYN-RECEIVED") \
	_(ESTABLISHED, "ESTABLISHED") \
	_(FIN_WAIT_1, "FIN-WAIT-1") \
	_(FIN_WAIT_2, "FIN-WAIT-2") \
	_(CLOSE_WAIT, "CLOSE-WAIT") \
	_(CLOSING, "CLOSING") \
	_(LAST_ACK, "LAST-ACK") \
	_(TIME_WAIT, "TIME-WAIT")

enum ptcp_tcp_state {
#define _(sym, str) PTCP_TCP_##sym,
	PTCP_FOREACH_TCP_STATE(_)
#undef _
	PTCP_TCP_N_STATES
};

/** "SYN-RECEIVED" etc. */
const char *ptcp_tcp_state_name(enum ptcp_tcp_state s);

struct ptcp_conn;

/**
 * Connection events. Any callback may be NULL. `arg` is the value given to
 * ptcp_listen/ptcp_connect (or set by ptcp_conn_set_arg).
 */
struct ptcp_conn_ops {
	/** Handshake complete (passive: accepted; active: connected). */
	void (*on_established)(struct ptcp_conn *c, void *arg);
	/** New in-order data, or the peer's FIN (ptcp_conn_eof() true), is readable. */
	void (*on_readable)(struct ptcp_conn *c, void *arg);
	/** Send buffer space was freed by an ACK. */
	void (*on_writable)(struct ptcp_conn *c, void *arg);
	/**
	 * The connection is gone: err 0 after an orderly close, -ECONNRESET
	 * (reset by peer), -ECONNREFUSED (active open refused), -ETIMEDOUT
	 * (retransmission limit, or FIN-WAIT-2 after ptcp_close outlasting
	 * conf.fin_timeout_ms), -ECONNABORTED (ptcp_abort or stack teardown).
	 * c must not be used after this returns.
	 *
	 * An orderly close is reported when the connection is done for the
	 * application: when the ACK of our FIN arrives in LAST-ACK, and, for the
	 * side that sent its FIN first, when TIME-WAIT is entered (not 2*MSL
	 * later): the stack then answers for the tuple from a compact record
	 * (ptcp_stack_time_wait_count). The segment that enters TIME-WAIT
	 * delivers its on_readable (the peer's FIN, ptcp_conn_eof() true) first;
	 * bytes still unread when on_closed runs are discarded.
	 */
	void (*on_closed)(struct ptcp_conn *c, void *arg, int err);
};

/* ---- Stack lifecycle ---------------------------------------------------- */

/** Create a stack from conf (defaults applied to zero fields). NULL on error (rte_errno). */
struct ptcp_stack *ptcp_stack_create(const struct ptcp_stack_conf *conf);
/** Free the stack: connections are dropped without sending anything. */
void ptcp_stack_destroy(struct ptcp_stack *st);

/** Process a burst of received frames at time now_us. Consumes all; returns n. */
uint16_t ptcp_stack_rx_burst(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n,
			     uint64_t now_us);
/**
 * Process datagrams another stack passed on with its conf.handoff_fn (see
 * ptcp_handoff_fn): reassembled segments and ICMP errors of flows this
 * stack owns. Callbacks run in here. Consumes all; returns n.
 */
uint16_t ptcp_stack_handoff_burst(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n,
				  uint64_t now_us);
/**
 * The control path (conf.neigh, steer_owner 0): frames other stacks could
 * not address because their next hop is unresolved (PTCP_HANDOFF_RESOLVE).
 * Each waits for ARP here and is sent from this stack. Consumes all;
 * returns n.
 */
uint16_t ptcp_stack_resolve_burst(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n,
				  uint64_t now_us);
/** Run timers (TCP, ARP, reassembly) at now_us. */
void ptcp_stack_poll(struct ptcp_stack *st, uint64_t now_us);
/** Transmit the pending TX batch. */
void ptcp_stack_flush(struct ptcp_stack *st);

/**
 * Graceful stop: close every listener and ptcp_close() every connection.
 * Keep polling until ptcp_stack_conn_count() is 0 (or give up and destroy).
 */
void ptcp_stack_close_all(struct ptcp_stack *st);
/**
 * Connections not yet CLOSED, and half-open passive ones (SYN cache).
 * TIME-WAIT is not among them: a connection entering TIME-WAIT is closed
 * for the application (on_closed(0)) and the stack keeps a compact record
 * of the tuple for 2*MSL.
 */
uint32_t ptcp_stack_conn_count(const struct ptcp_stack *st);
/** TIME-WAIT records held (outside conf.max_conns, at most conf.max_time_wait). */
uint32_t ptcp_stack_time_wait_count(const struct ptcp_stack *st);
/**
 * What connections cost this stack, measured when its tables were created
 * (DPDK heap bytes before and after: pool objects with their headers, hash
 * buckets, key store, free-slot rings). Everything is allocated up front,
 * so an idle connection (empty queues, no mbufs) costs conn_bytes /
 * conn_slots, whether the table is full or not.
 */
struct ptcp_stack_mem {
	uint32_t conn_slots;           /* conf.max_conns */
	uint32_t conn_struct;          /* sizeof(struct ptcp_conn) */
	uint64_t conn_bytes;           /* connection pool + table */
	uint32_t tw_slots;             /* conf.max_time_wait */
	uint32_t tw_struct;            /* one TIME-WAIT record */
	uint64_t tw_bytes;             /* TIME-WAIT pool + table */
	uint32_t conns;                /* connections now (ptcp_stack_conn_count) */
	uint32_t time_wait;            /* TIME-WAIT records now */
	uint32_t pmtu_slots;           /* path-MTU cache entries (conf.pmtu_cache_size) */
	uint32_t pmtu_entries;         /* ... in use now */
	uint64_t pmtu_bytes;           /* path-MTU cache: entries + table */
	uint32_t sack_slots;           /* conf.sack_scoreboards (0: none) */
	uint32_t sack_struct;          /* one SACK scoreboard */
	uint64_t sack_bytes;           /* the scoreboard pool */
	uint32_t sack_used;            /* scoreboards held now */
};

void ptcp_stack_mem_get(const struct ptcp_stack *st, struct ptcp_stack_mem *m);

/** Add this stack's counters into sum[PTCP_CTR_MAX]. */
void ptcp_stack_counters_add(const struct ptcp_stack *st, uint64_t *sum);

/**
 * True while the port's TX path is backed up (frames already wait for room
 * in the TX queue). TCP holds back new data by itself then; an application
 * that makes many control segments at once (a load generator resetting a
 * million connections) waits for false before making more, or the TX hold
 * overflows and they are dropped (TX_DROP).
 */
bool ptcp_stack_tx_busy(const struct ptcp_stack *st);

/* ---- Connections -------------------------------------------------------- */

/**
 * Accept connections on our address, TCP port `port`. 0 or -EADDRINUSE/-ENOSPC.
 * At most conf.backlog handshakes are held half-open (SYN-RECEIVED) per
 * listener; SYNs beyond it are answered with SYN cookies (RFC 4987), and the
 * application sees a connection only once its handshake has completed.
 */
int ptcp_listen(struct ptcp_stack *st, uint16_t port, const struct ptcp_conn_ops *ops, void *arg);
/** Stop listening (established connections are not affected). */
int ptcp_unlisten(struct ptcp_stack *st, uint16_t port);

/**
 * Active open to raddr:rport from local port lport (0 = pick a free
 * ephemeral port, RFC 6056 algorithm 4; with conf.ip_count > 1 also the
 * source address, rotating over ours; from conf.ip otherwise). Sends the
 * SYN; on_established or on_closed follows. With several lcores
 * (conf.steer) the port is one whose flow this lcore owns, so replies come
 * back here; a given lport of a flow another lcore owns is EXDEV.
 * Returns the connection, or NULL with rte_errno set (ENOSPC, EADDRINUSE,
 * EXDEV).
 */
struct ptcp_conn *ptcp_connect(struct ptcp_stack *st, rte_be32_t raddr, uint16_t rport,
			       uint16_t lport, const struct ptcp_conn_ops *ops, void *arg);

/**
 * Queue up to len bytes for sending. Returns the number of bytes taken
 * (0 when the send buffer is full or memory is short; wait for
 * on_writable), or -ENOTCONN / -EPIPE (after shutdown or close).
 */
int32_t ptcp_send(struct ptcp_conn *c, const void *data, uint32_t len);
/**
 * Bytes ptcp_send will take now: the free send buffer, cut to what the
 * stack's memory budget allows. A promise: ptcp_send(c, buf, N) right
 * after it returned N takes all N. When memory (not the buffer) cut it
 * short, on_writable follows once memory is back.
 */
uint32_t ptcp_send_space(struct ptcp_conn *c);

/**
 * Zero copy: queue payload chain m (its pkt_len bytes, any segment
 * layout, from any pool) for sending. All or nothing: returns pkt_len when
 * the stack took m (it owns m then: retransmissions send indirect mbufs
 * attached to its buffers, never a copy, and m is freed once acknowledged),
 * or a negative errno and m stays the caller's: -EAGAIN when pkt_len
 * exceeds ptcp_send_space(c) (on_writable follows), -ENOTCONN, -EPIPE.
 * A received chain (ptcp_recv_mbuf) may be sent as it is: an echo moves
 * no payload byte.
 */
int32_t ptcp_send_mbuf(struct ptcp_conn *c, struct rte_mbuf *m);

/**
 * Zero copy: take the received in-order payload as an mbuf chain of at
 * most max bytes (whole queued mbufs: nb_segs and pkt_len set, data at the
 * payload), which the caller then owns (free it, or ptcp_send_mbuf it).
 * Opens the receive window like ptcp_recv. NULL when nothing is queued or
 * the first queued mbuf alone holds more than max bytes (ptcp_recv then).
 * The mbufs may carry the sum of their payload, so that sending them back
 * costs no checksum pass (ptcp_wire.h "Payload sums carried with mbufs"):
 * an application that rewrites payload bytes in place before
 * ptcp_send_mbuf calls ptcp_mbuf_sum_clear() on those mbufs (moving the
 * data window, rte_pktmbuf_adj/trim, needs nothing). Forgetting it costs a
 * retransmission (the first transmission fails the peer's checksum;
 * retransmissions are always summed in full), not wrong data.
 */
struct rte_mbuf *ptcp_recv_mbuf(struct ptcp_conn *c, uint32_t max);

/**
 * Copy up to len in-order received bytes into buf and open the receive
 * window by that much. Returns bytes copied, 0 if none are queued.
 */
uint32_t ptcp_recv(struct ptcp_conn *c, void *buf, uint32_t len);
/** Copy up to len in-order received bytes into buf without consuming them. */
uint32_t ptcp_peek(const struct ptcp_conn *c, void *buf, uint32_t len);
/**
 * Consume up to len received bytes (after ptcp_peek) and open the receive
 * window by that much. Returns bytes consumed.
 */
uint32_t ptcp_consume(struct ptcp_conn *c, uint32_t len);
/** Bytes queued for ptcp_recv. */
uint32_t ptcp_readable(const struct ptcp_conn *c);
/** True once the peer's FIN arrived and every byte before it has been read. */
bool ptcp_conn_eof(const struct ptcp_conn *c);

/** Half-close: send FIN after the queued data; receiving continues. */
int ptcp_shutdown(struct ptcp_conn *c);
/**
 * Full close: shutdown and stop reading. Unread or later data makes the
 * stack reset the connection (RFC 1122 4.2.2.13). on_closed follows. Once
 * our FIN is acknowledged the peer has conf.fin_timeout_ms to send its own
 * (FIN-WAIT-2); after that the connection is dropped: on_closed(-ETIMEDOUT).
 * A ptcp_shutdown half-close has no such limit.
 */
int ptcp_close(struct ptcp_conn *c);
/** Send RST and drop the connection now; on_closed(-ECONNABORTED) follows. */
void ptcp_abort(struct ptcp_conn *c);

/**
 * Nagle's algorithm (RFC 896) is on unless conf.nodelay; this turns it off
 * (on = true) or on for one connection. Off suits request/response traffic
 * such as echo, where holding a small reply waits for a delayed ACK.
 */
void ptcp_conn_set_nodelay(struct ptcp_conn *c, bool on);
/**
 * Keepalive (RFC 9293 3.8.4) for one connection, with the stack's
 * keepalive_idle_ms / keepalive_intvl_ms / keepalive_cnt. -EINVAL if the
 * stack has no keepalive_idle_ms. New connections get it when that is set.
 */
int ptcp_conn_set_keepalive(struct ptcp_conn *c, bool on);

/**
 * Congestion control of one connection: "cubic" or "newreno" ("reno" is
 * accepted too); new connections take the stack's conf.cc. Allowed at any
 * time: cwnd and ssthresh carry over, the algorithm's own state starts
 * afresh. 0, or -EINVAL for an unknown name (the connection keeps its own).
 */
int ptcp_conn_set_cc(struct ptcp_conn *c, const char *name);
/** Name of the connection's congestion control ("cubic", "newreno"). */
const char *ptcp_conn_cc(const struct ptcp_conn *c);
/** 0 if conf.cc and ptcp_conn_set_cc accept name, else -EINVAL. */
int ptcp_cc_check(const char *name);

void ptcp_conn_set_arg(struct ptcp_conn *c, void *arg);
enum ptcp_tcp_state ptcp_conn_state(const struct ptcp_conn *c);
/** 4-tuple: addresses network order, ports host order. */
void ptcp_conn_tuple(const struct ptcp_conn *c, rte_be32_t *laddr, uint16_t *lport,
		     rte_be32_t *raddr, uint16_t *rport);

/*
 * Per-connection introspection (Linux struct tcp_info): a snapshot of one
 * connection, taken on its own lcore (connections are not shared).
 */
#define PTCP_INFO_OPT_WSCALE 0x01   /* window scaling in use (both SYNs carried it) */
#define PTCP_INFO_OPT_TSTMP  0x02   /* timestamps in use */
#define PTCP_INFO_OPT_SACK   0x04   /* SACK permitted */

struct ptcp_conn_info {
	enum ptcp_tcp_state state;
	rte_be32_t laddr;              /* network order */
	rte_be32_t raddr;
	uint16_t lport;                /* host order */
	uint16_t rport;
	uint8_t options;               /* PTCP_INFO_OPT_* */
	uint8_t snd_wscale;            /* the peer's shift (its windows are << this) */
	uint8_t rcv_wscale;            /* ours */
	bool in_recovery;              /* fast recovery */
	uint16_t snd_mss;              /* effective send MSS (payload of a full segment) */
	uint16_t rcv_mss;              /* MSS we announced */
	uint32_t cwnd;                 /* bytes */
	uint32_t ssthresh;             /* bytes; UINT32_MAX: not yet set */
	uint32_t srtt_us;              /* 0 until the first sample */
	uint32_t rttvar_us;
	uint32_t rto_us;
	uint32_t flight;               /* SND.MAX - SND.UNA: bytes sent, not acknowledged */
	uint32_t snd_wnd;              /* the peer's window, scaled, bytes */
	uint32_t rcv_wnd;              /* the window we last advertised, bytes */
	uint32_t snd_queued;           /* send queue bytes (unacknowledged + unsent) */
	uint32_t rcv_queued;           /* bytes received in order, not yet read */
	uint32_t ooo_bytes;            /* out-of-order bytes held */
	uint32_t ts_recent;            /* RFC 7323 TS.Recent (timestamps) */
	uint32_t rexmits;              /* segments retransmitted (saturates at 65535) */
	uint32_t rexmit_bytes;         /* payload bytes retransmitted (saturates at 2^32 - 1) */
	uint8_t nrexmit;               /* consecutive retransmission timeouts */
	uint8_t dupacks;               /* consecutive duplicate ACKs */
	uint32_t pipe;                 /* RFC 6675 pipe (flight without SACK information) */
	uint32_t sacked;               /* bytes SACKed above SND.UNA (the scoreboard) */
	uint32_t lost;                 /* unSACKed bytes deemed lost (RFC 6675 IsLost, RACK) */
	const char *cc;                /* congestion control: "cubic", "newreno" */
};

/** Fill *info with a snapshot of c. */
void ptcp_conn_info_get(const struct ptcp_conn *c, struct ptcp_conn_info *info);
/**
 * One line "key=value ..." (no newline) for info into buf; returns what
 * snprintf returns.
 */
int ptcp_conn_info_format(const struct ptcp_conn_info *info, char *buf, size_t len);
/**
 * Call fn for every connection of the stack (in its connection table; not
 * TIME-WAIT records). From the stack's own lcore; fn must not close or
 * open connections. Returns the number visited.
 */
uint32_t ptcp_stack_conn_foreach(struct ptcp_stack *st,
				 void (*fn)(struct ptcp_conn *c, void *arg), void *arg);

#endif /* PTCP_API_H */
