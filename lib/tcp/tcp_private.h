/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_private.h - TCP internals shared by tcp_*.c and lib/api.
 *
 * Ownership: every struct here belongs to one lcore's struct ptcp_stack.
 * Connections come from a per-stack mempool (no malloc per connection),
 * are found by 4-tuple in a per-stack rte_hash, and have one entry in the
 * per-stack timer wheel holding the earliest of their timers.
 *
 * Lifetime: a connection that reaches CLOSED is taken out of the table at
 * once and put on the stack's reap list; the reap list is emptied (on_closed
 * callback, buffers freed, object returned to the pool) when the outermost
 * stack entry point (rx burst, poll, API call) returns, so no caller ever
 * holds a pointer to a freed connection.
 *
 * TIME-WAIT is not a connection: entering it (after the segment's events
 * and final ACK) moves the tuple into a 64-byte struct ptcp_timewait
 * record (tcp_timewait.c) and closes the connection, on_closed(0). If the
 * application still has bytes to read (it half-closed and reads later) the
 * connection is detached instead: out of the table, no timers, on the
 * detached list until ptcp_recv empties it or ptcp_close; then closed.
 */
#ifndef PTCP_TCP_PRIVATE_H
#define PTCP_TCP_PRIVATE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_hash.h>
#include <rte_mempool.h>
#include <rte_mbuf_dyn.h>

#include "ptcp_core.h"
#include "ptcp_wire.h"
#include "ptcp_tcp.h"
#include "ptcp_api.h"
#include "tcp_seq.h"
#include "tcp_cc.h"
#include "tcp_sack.h"

/* 4-tuple key of the connection table: addresses network order, ports host order. */
struct ptcp_flow {
	rte_be32_t laddr;
	rte_be32_t raddr;
	uint16_t lport;
	uint16_t rport;
};

/* Per-connection timers; conn->timer_expire is the earliest armed one. */
enum ptcp_tcp_timer {
	PTCP_TCP_T_REXMIT,    /* RFC 6298 retransmission (SYN, SYN-ACK, data, FIN) */
	PTCP_TCP_T_PERSIST,   /* RFC 9293 3.8.6.1 zero-window probe / SWS override */
	PTCP_TCP_T_DELACK,    /* RFC 9293 3.8.6.3 delayed ACK */
	PTCP_TCP_T_KEEPALIVE, /* RFC 9293 3.8.4 */
	PTCP_TCP_T_FIN_WAIT_2, /* orphaned FIN-WAIT-2: conf.fin_timeout_ms (tcp_fin_timeout) */
	PTCP_TCP_T_MAX
};
/*
 * RFC 8985 reordering timer or tail loss probe (tcp_rack.c). It shares the
 * FIN-WAIT-2 slot rather than growing every connection by 8 bytes: RACK
 * and TLP run only while data is in flight, FIN-WAIT-2 only once our FIN
 * (the last of it) is acknowledged, and tcp_rack.c clears the slot when
 * nothing is in flight, before an ACK of the FIN can move to FIN-WAIT-2.
 */
#define PTCP_TCP_T_RACK PTCP_TCP_T_FIN_WAIT_2

/* conn->flags */
#define PTCP_TF_ACK_NOW      (1u << 0)   /* send an ACK at the next output */
#define PTCP_TF_FIN_QUEUED   (1u << 1)   /* shutdown: FIN follows the send queue */
#define PTCP_TF_PASSIVE      (1u << 2)   /* created by a listener */
#define PTCP_TF_APP_KNOWS    (1u << 3)   /* app holds the pointer: on_closed owed */
#define PTCP_TF_IN_INPUT     (1u << 4)   /* a segment of this conn is being processed */
#define PTCP_TF_APP_CLOSED   (1u << 5)   /* ptcp_close: app reads no more */
#define PTCP_TF_RTT_TIMING   (1u << 6)   /* rtt_seq/rtt_start hold a sample in flight */
#define PTCP_TF_SYN_REXMIT   (1u << 7)   /* SYN or SYN-ACK was retransmitted (RFC 6298 5.7) */
#define PTCP_TF_RTT_VALID    (1u << 8)   /* srtt/rttvar hold a measurement */
#define PTCP_TF_REAPED       (1u << 9)   /* on the reap list */
#define PTCP_TF_DELACK       (1u << 10)  /* an ACK is owed, the delayed-ACK timer runs */
#define PTCP_TF_NODELAY      (1u << 11)  /* Nagle off */
#define PTCP_TF_FIN_OOO      (1u << 12)  /* a FIN arrived beyond a gap at ooo_fin_seq */
#define PTCP_TF_KEEPALIVE    (1u << 13)  /* keepalive on for this connection */
#define PTCP_TF_RECOVERY     (1u << 14)  /* in fast recovery (RFC 5681 3.2, RFC 6582) */
#define PTCP_TF_DETACHED     (1u << 15)  /* TIME-WAIT is a record now; kept for unread bytes */
/* More segments of this flow follow in the receive burst: events and output wait for them. */
#define PTCP_TF_DEFERRED     (1u << 16)  /* on tcp->pre_defer[] */
#define PTCP_TF_DEFER_RD     (1u << 17)  /* on_readable owed at the flush */
#define PTCP_TF_DEFER_WR     (1u << 18)  /* on_writable owed at the flush */
/*
 * Options (FreeBSD TF_RCVD_SCALE, TF_RCVD_TSTMP, TF_SACK_PERMIT): set in
 * ptcp_tcp_conn_open from what the stack offers, then kept only if the
 * peer's SYN carried the option too (tcp_opts.c ptcp_tcp_opts_negotiate).
 */
#define PTCP_TF_WSCALE       (1u << 19)  /* RFC 7323 2: both SYNs carried window scale */
#define PTCP_TF_TSTMP        (1u << 20)  /* RFC 7323 3: timestamps on every segment */
#define PTCP_TF_SACK_PERMIT  (1u << 21)  /* RFC 2018: SACK-permitted both ways */
#define PTCP_TF_TIMED_FULL   (1u << 22)  /* the segment timed for RTT (rtt_seq) is full-size (tcp_pmtu.c) */

/* Ceiling on cwnd (bytes): far beyond any window without scaling, far from 2^32. */
#define PTCP_TCP_CWND_MAX (1u << 30)

/*
 * RFC 5961 7 and RFC 9293 3.10.7.4 ACKs to unacceptable segments: at most
 * one per connection per PTCP_TCP_OOW_RATELIMIT_US (Linux
 * tcp_invalid_ratelimit), and challenge ACKs also under a per-lcore ceiling
 * of conf.challenge_ack_limit per second, randomised each second.
 */
#define PTCP_TCP_OOW_RATELIMIT_US 500000u

struct ptcp_conn {
	/* Cache line 0 (checked below): what every segment of the connection reads. */
	struct ptcp_flow flow;
	uint8_t state;               /* enum ptcp_tcp_state */
	uint8_t nrexmit;             /* consecutive retransmissions (R1/R2) */
	uint8_t dupacks;             /* consecutive duplicate ACKs */
	uint8_t nprobe;              /* unanswered persist / keepalive probes */
	uint32_t flags;              /* PTCP_TF_* */
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;            /* highest sequence number sent + 1 */
	uint32_t snd_wnd;
	uint32_t snd_wl1;
	uint32_t snd_wl2;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;            /* right edge of the window we advertised */
	uint32_t cwnd;               /* RFC 5681 congestion window, bytes */
	uint16_t snd_mss;            /* effective send MSS (RFC 9293 3.7.1) */
	uint16_t rcv_mss;            /* what we announced */
	uint16_t rcv_seg_mss;        /* largest segment seen from the peer (delayed ACK) */
	uint8_t persist_shift;       /* persist backoff exponent */
	uint8_t ooo_blocks;          /* out-of-order blocks held (<= PTCP_TCP_MAX_OOO_BLOCKS) */

	/* Cache line 1: the queues (every data segment) and the rest of congestion control. */
	struct rte_mbuf *sndq_head __rte_cache_aligned;  /* unacked + unsent, linked by ->next */
	struct rte_mbuf *sndq_tail;
	struct rte_mbuf *rcvq_head;  /* in-order bytes not yet read by the app */
	struct rte_mbuf *rcvq_tail;
	struct rte_mbuf *ooo_head;   /* out-of-order blocks, sorted (ptcp_tcp_blk) */
	uint32_t sndq_seq;           /* sequence number of the first byte in sndq */
	uint32_t sndq_bytes;
	uint32_t rcvq_bytes;
	uint32_t ssthresh;
	uint32_t recover;            /* RFC 6582 recover: SND.MAX at loss detection */
	uint32_t rcv_acked;          /* RCV.NXT last sent in an ACK */

	/* Cache lines 2 and beyond: timers, RTT, memory accounting, application. */
	uint64_t timer_expire;               /* wheel position: <= min of timer[] (lazy) */
	LIST_ENTRY(ptcp_conn) timer_link;
	uint64_t timer[PTCP_TCP_T_MAX];      /* absolute us; 0 = not armed */
	uint32_t iss;
	uint32_t irs;
	uint32_t max_snd_wnd;                /* RFC 5961 5.2 MAX.SND.WND */
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint32_t rto_us;
	uint32_t rtt_seq;
	uint32_t ooo_fin_seq;
	uint32_t ooo_bytes;
	uint32_t rcv_mbufs;                  /* mbufs held by rcvq + out-of-order blocks */
	uint32_t snd_mbufs;                  /* mbufs held by sndq */
	int err;                             /* reason given to on_closed */
	TAILQ_ENTRY(ptcp_conn) mem_link;     /* on tcp->mem_wait when tqe_prev != NULL */
	uint64_t last_rx;                    /* time of the last segment received */
	uint32_t rtt_start;                  /* now_us's low 32 bits when rtt_seq was sent */
	uint32_t rexmit_bytes;               /* payload bytes retransmitted, saturating (info) */
	uint64_t oow_last;                   /* last rate-limited ACK (OOW, challenge) */
	const struct ptcp_conn_ops *ops;
	void *arg;
	struct ptcp_stack *st;
	LIST_ENTRY(ptcp_conn) reap_link;

	/*
	 * Cache line 5, shared by later additions: congestion control's 24
	 * bytes (tcp_cc.h), read on every ACK that moves SND.UNA.
	 */
	struct ptcp_cc_state cc __rte_cache_aligned;
	/* Negotiated options (tcp_opts.c). */
	uint32_t ts_recent;                  /* RFC 7323 4.3 TS.Recent */
	uint32_t ts_recent_age;              /* ptcp_tcp_paws_clock() when TS.Recent was set (5.5) */
	uint32_t ts_offset;                  /* our TSval = ms clock + ts_offset (5.4) */
	uint8_t snd_wscale;                  /* the peer's shift: its windows are << this */
	uint8_t rcv_wscale;                  /* ours: the windows we send are >> this */
	/* Path MTU (tcp_pmtu.c). */
	uint16_t mss_clamp;                  /* MSS the handshake allowed (0: not yet); snd_mss
	                                      * = min(it, path MTU - 40) less options */
	uint16_t pmtu_gen : 14;              /* tcp->pmtu_gen when snd_mss last followed it */
	uint16_t pmtu_proven : 1;            /* a full-size segment got through at this snd_mss */
	uint16_t rexmit_segs;                /* segments retransmitted, saturating (conn info) */
	/*
	 * Loss recovery with SACK (tcp_sack.c, tcp_rack.c): the scoreboard
	 * exists only while SACKed data above SND.UNA is remembered or
	 * recovery runs. (RACK.min_RTT first: it fills the hole before the
	 * pointer's alignment, so line 5 keeps room for these 19 bytes.)
	 */
	uint32_t rack_min_rtt_us;            /* RFC 8985 RACK.min_RTT (0: no sample yet) */
	struct ptcp_sack_sb *sb;
	uint32_t tlp_end_seq;                /* RFC 8985 TLP.end_seq (tlp_flags & OUT) */
	uint8_t rack_reo_mult;               /* RACK.reo_wnd_mult - 1 (D-SACK widens it) */
	uint8_t rack_reo_persist;            /* RACK.reo_wnd_persist: recoveries left */
	uint8_t tlp_flags;                   /* PTCP_TLP_* */
} __rte_cache_aligned;

/* conn->tlp_flags */
#define PTCP_TLP_OUT   (1u << 0)   /* a probe is outstanding (TLP.end_seq valid) */
#define PTCP_TLP_RXT   (1u << 1)   /* it was a retransmission (TLP.is_retrans) */
#define PTCP_TLP_DSACK (1u << 2)   /* a D-SACK reported the probe a duplicate */

/* The layout claims above, held by the compiler. */
static_assert(offsetof(struct ptcp_conn, ooo_blocks) < RTE_CACHE_LINE_SIZE,
	      "per-segment fields in cache line 0");
static_assert(offsetof(struct ptcp_conn, sndq_head) == RTE_CACHE_LINE_SIZE,
	      "queues start cache line 1");
static_assert(offsetof(struct ptcp_conn, rcv_acked) + sizeof(uint32_t) <=
	      2 * RTE_CACHE_LINE_SIZE, "queues and congestion control in cache line 1");
static_assert(offsetof(struct ptcp_conn, cc) == 5 * RTE_CACHE_LINE_SIZE,
	      "congestion control state starts cache line 5");
static_assert(sizeof(struct ptcp_conn) <= 6 * RTE_CACHE_LINE_SIZE,
	      "a connection is at most six cache lines");

#define PTCP_TCP_MAX_LISTENERS 16

/* Ephemeral ports (RFC 6056 section 2.1: the IANA range). */
#define PTCP_TCP_EPHEMERAL_MIN 49152u
#define PTCP_TCP_EPHEMERAL_MAX 65535u
/* Ports tried on one local address before the next (conf.ip_count > 1). */
#define PTCP_TCP_PORT_TRIES 64u
#define PTCP_TCP_PORT_TABLE    256u   /* RFC 6056 algorithm 4 TABLE_LENGTH */

struct ptcp_listener {
	uint16_t port;                       /* 0 = free slot */
	const struct ptcp_conn_ops *ops;
	void *arg;
	uint32_t backlog;                    /* bound on nsyn (conf.backlog) */
	uint32_t nsyn;                       /* its SYN cache entries (SYN-RECEIVED) */
};

struct ptcp_syncache;

/* Timer wheel: 1 ms ticks, 4096 slots; later expiries wait in their slot for a lap. */
#define PTCP_TW_TICK_US   1000u
#define PTCP_TW_SLOTS     4096u

LIST_HEAD(ptcp_conn_list, ptcp_conn);
TAILQ_HEAD(ptcp_conn_tailq, ptcp_conn);

/*
 * TIME-WAIT record (FreeBSD struct tcptw, Linux inet_timewait_sock): what
 * RFC 9293 3.10.7.4 needs of a connection in TIME-WAIT, one cache line,
 * outside the connection pool. Entering TIME-WAIT moves the connection
 * here and frees the 384-byte struct ptcp_conn (tcp_timewait.c).
 */
struct ptcp_timewait {
	struct ptcp_flow flow;
	uint32_t snd_nxt;                    /* SND.NXT = SND.UNA = SND.MAX: our FIN + 1 */
	uint32_t rcv_nxt;                    /* the peer's FIN + 1 */
	uint32_t ts_recent;                  /* RFC 7323 TS.Recent (TW_F_TSTMP) */
	uint16_t rcv_wnd;                    /* the window field our last ACK carried */
	uint16_t max_snd_wnd;                /* RFC 5961 5.2 MAX.SND.WND >> snd_wscale, rounded up */
	uint8_t rcv_wscale;
	uint8_t snd_wscale;
	uint8_t flags;                       /* TW_F_* */
	uint64_t oow_last;                   /* last rate-limited ACK (as struct ptcp_conn) */
	uint64_t expire;                     /* absolute us: 2*MSL after the last FIN seen */
	TAILQ_ENTRY(ptcp_timewait) link;     /* FIFO ordered by expire */
};

#define TW_F_TSTMP 0x01                      /* the connection had timestamps */
static_assert(sizeof(struct ptcp_timewait) == 64, "a TIME-WAIT record is one cache line");

TAILQ_HEAD(ptcp_timewait_list, ptcp_timewait);

struct ptcp_tcp {
	struct ptcp_conn *last_conn;         /* last found by ptcp_tcp_conn_lookup, in the table */
	/*
	 * What the segment being processed tells the ACK that answers it
	 * (tcp_opts.c): RFC 2018 4 wants the block holding the segment that
	 * triggered the ACK first, RFC 2883 a duplicate reported once. Valid
	 * for sack_conn only, until its next segment; no per-connection bytes.
	 */
	struct ptcp_conn *sack_conn;
	uint32_t sack_trigger;               /* a sequence number inside the newest block */
	uint32_t dsack_left;                 /* D-SACK range; dsack_left == dsack_right: none */
	uint32_t dsack_right;
	/*
	 * The receive burst's flows, looked up together (tcp_conn.c
	 * ptcp_tcp_prelookup): frame i is pre_m[i], its flow's key index
	 * pre_k[i] (PRE_NONE: not a TCP frame), the key's connection
	 * pre_c[k] (NULL: none when looked up). Frames are processed in
	 * order, so pre_i only moves forward.
	 */
	uint16_t pre_n;
	uint16_t pre_i;
	uint16_t pre_nkeys;
	uint32_t table_gen;                  /* connections added to the table, ever */
	uint32_t pre_gen;                    /* table_gen when pre_c[] was filled */
	uint16_t pre_ndefer;
	bool pre_more;                       /* the frame in ptcp_tcp_input: more of its flow follow */
	uint8_t pre_k[PTCP_TCP_PRELOOK];
	uint8_t pre_left[PTCP_TCP_PRELOOK];  /* per key: frames not yet through ptcp_tcp_input */
	struct ptcp_conn *pre_defer[PTCP_TCP_PRELOOK];   /* PTCP_TF_DEFERRED connections */
	struct rte_mbuf *pre_m[PTCP_TCP_PRELOOK];
	struct ptcp_conn *pre_c[PTCP_TCP_PRELOOK];
	struct ptcp_flow pre_f[PTCP_TCP_PRELOOK];   /* per key: the flow looked up */
	uint64_t conn_mem;                   /* connection pool + table bytes (measured) */
	uint64_t timewait_mem;               /* TIME-WAIT pool + table bytes (measured) */
	struct rte_hash *table;              /* struct ptcp_flow -> struct ptcp_conn * */
	struct ptcp_conn *conns;             /* max_conns connections */
	uint32_t *conn_free;                 /* stack of free indexes into conns[] */
	uint32_t nfree;
	uint32_t nconns;                     /* in the table */
	uint32_t depth;                      /* nesting of stack entry points */
	struct ptcp_isn_key port_key;        /* RFC 6056 algorithm 4 F() and G() */
	uint16_t port_perturb[PTCP_TCP_PORT_TABLE];   /* RFC 6056 table[] */
	uint32_t laddr_next;                 /* conf.ip_count > 1: next source address to try */
	uint32_t chal_count;                 /* challenge ACKs left in chal_second */
	uint64_t chal_second;                /* now / 1 s when chal_count was drawn */
	struct ptcp_isn_key isn_key;
	struct ptcp_conn_list reap;
	struct ptcp_conn_list detached;      /* PTCP_TF_DETACHED, linked by reap_link */
	struct ptcp_conn_tailq mem_wait;     /* writers waiting for memory (on_writable owed) */
	struct ptcp_listener listeners[PTCP_TCP_MAX_LISTENERS];
	struct ptcp_syncache *syncache;      /* tcp_syncache.c: SYN-RECEIVED of listeners */
	struct ptcp_isn_key cookie_key;      /* tcp_syncookie.c: RFC 4987 3.6 secret */
	uint64_t cookie_last_us;             /* last SYN cookie sent (0 = never) */
	uint64_t tw_tick;                    /* last tick processed */
	struct ptcp_conn_list wheel[PTCP_TW_SLOTS];
	/* TIME-WAIT records (tcp_timewait.c): their own pool, table and expiry FIFO. */
	struct rte_hash *timewait_table;     /* struct ptcp_flow -> struct ptcp_timewait * */
	struct rte_mempool *timewait_pool;
	uint32_t ntimewait;                  /* records in use */
	struct ptcp_timewait_list timewait_fifo;   /* oldest (first to expire) first */
	/* tcp_pmtu.c: path-MTU cache of this lcore; pmtu_gen counts its changes. */
	struct ptcp_pmtu *pmtu;
	uint16_t pmtu_gen;                   /* PTCP_PMTU_GEN_MASK bits, 0 = never changed */
	uint8_t cc_default;                  /* conf.cc: enum ptcp_cc_algo of new connections */
	struct rte_mempool *sack_pool;       /* struct ptcp_sack_sb (tcp_sack.c); NULL: none */
	uint64_t sack_mem;                   /* its bytes (measured) */
};

static inline struct ptcp_tcp *
tcp_of(const struct ptcp_stack *st)
{
	return st->tcp;
}

/*
 * Out-of-order blocks: each is a payload mbuf (chain) whose sequence range
 * and list link live in an mbuf dynamic field, so a connection with no
 * reordering pays one pointer.
 */
struct ptcp_tcp_blk {
	uint32_t seq;
	uint32_t len;
	struct rte_mbuf *next;
};

extern int ptcp_tcp_blk_offset;

static inline struct ptcp_tcp_blk *
ptcp_tcp_blk(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, ptcp_tcp_blk_offset, struct ptcp_tcp_blk *);
}

/* Bound on out-of-order blocks per connection (a list walked on insert). */
#define PTCP_TCP_MAX_OOO_BLOCKS 64
static_assert(PTCP_TCP_MAX_OOO_BLOCKS <= UINT8_MAX, "conn->ooo_blocks is 8 bits");

/*
 * Memory charging (docs/architecture.md "Memory budget"). Every mbuf a
 * connection's queues hold is charged to the connection (rcv_mbufs,
 * snd_mbufs) and to its stack (st->mem_held); its truesize in bytes is that
 * count times st->mbuf_truesize, whatever the payload length (Linux's skb
 * truesize). Receive queue + out-of-order blocks may hold at most
 * PTCP_TCP_RCV_TRUESIZE_MULT * rcv_buf bytes of truesize.
 */
#define PTCP_TCP_RCV_TRUESIZE_MULT 2
/* Send-queue mbufs every connection may hold above the stack's mem_limit. */
#define PTCP_TCP_SND_MIN_MBUFS 2

static inline void
ptcp_tcp_rmem_charge(struct ptcp_conn *c, uint32_t n)
{
	c->rcv_mbufs += n;
	c->st->mem_held += n;
}

static inline void
ptcp_tcp_rmem_uncharge(struct ptcp_conn *c, uint32_t n)
{
	c->rcv_mbufs -= n;
	c->st->mem_held -= n;
}

/* Most mbufs the receive side of c may hold (at least two). */
static inline uint32_t
ptcp_tcp_rcv_mbufs_max(const struct ptcp_conn *c)
{
	uint64_t bytes = (uint64_t)PTCP_TCP_RCV_TRUESIZE_MULT * c->st->conf.rcv_buf;

	return (uint32_t)RTE_MAX(bytes / c->st->mbuf_truesize, (uint64_t)2);
}

/*
 * Shared by connections (tcp_input.c, tcp_output.c) and TIME-WAIT records
 * (tcp_timewait.c), so the rules exist once.
 */

/*
 * RFC 9293 3.10.7.4 first check: is a segment of seg_len (payload + SYN +
 * FIN) at seq acceptable for the window [rcv_nxt, rcv_nxt + wnd)? A
 * zero-length non-RST segment exactly at the right edge is accepted too (as
 * Linux and the BSDs do): a peer that filled our window sends its pure ACKs
 * at SND.NXT = our right edge, and the strict test would drop every one of
 * them while the data before it is being retransmitted.
 */
static inline bool
ptcp_tcp_seq_acceptable(uint32_t rcv_nxt, uint32_t wnd, uint32_t seq, uint32_t seg_len, bool rst)
{
	uint32_t wnd_end = rcv_nxt + wnd;

	if (seg_len == 0)
		return wnd == 0 ? seq == rcv_nxt :
			ptcp_seq_in(seq, rcv_nxt, wnd_end) || (seq == wnd_end && !rst);
	return wnd != 0 && (ptcp_seq_in(seq, rcv_nxt, wnd_end) ||
			    ptcp_seq_in(seq + seg_len - 1, rcv_nxt, wnd_end));
}

/*
 * An unacceptable segment carrying data or FIN that ends within one window
 * below RCV.NXT: most likely a retransmission after our ACK was lost, which
 * must be ACKed at once or the peer keeps retransmitting until it gives up.
 * Everything else (pure ACKs, data far from the window, beyond it) draws a
 * rate-limited ACK: Linux exempts all data segments from its limit, which
 * lets a blind attacker draw one ACK per spoofed segment.
 */
static inline bool
ptcp_tcp_plausible_rexmit(const struct ptcp_stack *st, uint32_t rcv_nxt, uint32_t seq,
			  uint32_t seg_len)
{
	uint32_t wnd_max = RTE_MAX(st->conf.rcv_buf, PTCP_TCP_MAX_WND);

	return seg_len != 0 && ptcp_seq_le(seq + seg_len, rcv_nxt) &&
		ptcp_seq_ge(seq + seg_len, rcv_nxt - wnd_max);
}

/*
 * RFC 7323 5.3 R1 (PAWS), for connections and TIME-WAIT records alike: the
 * segment carries a TSval older than ts_recent (RSTs are exempt).
 */
static inline bool
ptcp_tcp_ts_old(const struct ptcp_tcp_seg *seg, uint32_t ts_recent)
{
	return (seg->opt.present & PTCP_TCPOPT_F_TS) && !(seg->flags & RTE_TCP_RST_FLAG) &&
		(int32_t)(seg->opt.tsval - ts_recent) < 0;
}

/*
 * At most one answer per PTCP_TCP_OOW_RATELIMIT_US per tuple (Linux
 * __tcp_oow_rate_limited): true when this one is to be skipped, else *last
 * records now. The caller counts what it skipped.
 */
static inline bool
ptcp_tcp_ratelimited(const struct ptcp_stack *st, uint64_t *last)
{
	if (*last != 0 && st->now_us - *last < PTCP_TCP_OOW_RATELIMIT_US)
		return true;
	*last = st->now_us ? st->now_us : 1;
	return false;
}

/* One segment of len payload bytes retransmitted: the stack's counters and the connection's. */
static inline void
ptcp_tcp_rexmit_count(struct ptcp_conn *c, uint32_t len)
{
	PTCP_INC(c->st, TCP_REXMIT);
	PTCP_ADD(c->st, TCP_REXMIT_BYTES, len);
	if (c->rexmit_segs != UINT16_MAX)
		c->rexmit_segs++;
	c->rexmit_bytes = c->rexmit_bytes > UINT32_MAX - len ? UINT32_MAX : c->rexmit_bytes + len;
}

/*
 * The congestion window the sender uses: never less than one segment (RFC
 * 5681's loss window is 1 SMSS). cwnd counts bytes, so when the MSS grows
 * (a path-MTU entry expired, or a black-hole step was undone) a cwnd set
 * from the smaller MSS can be below one segment, and sender-side SWS
 * avoidance (or SACK recovery's pipe test) would then hold every segment
 * with nothing in flight to end it. Every sender uses this.
 */
static inline uint32_t
ptcp_tcp_send_cwnd(const struct ptcp_conn *c)
{
	return RTE_MAX(c->cwnd, (uint32_t)c->snd_mss);
}

/* tcp_conn.c */
struct ptcp_conn *ptcp_tcp_conn_lookup(struct ptcp_stack *st, const struct ptcp_flow *f);
/**
 * The burst's bulk lookup answer for frame m of flow f (*known false: look
 * it up). Sets tcp->pre_more when more frames of the flow follow.
 */
struct ptcp_conn *ptcp_tcp_prelooked(struct ptcp_stack *st, const struct rte_mbuf *m,
				     const struct ptcp_flow *f, bool *known);
/** tcp_input.c: events and output that connections deferred within the burst. */
void ptcp_tcp_defer_flush(struct ptcp_stack *st);
struct ptcp_conn *ptcp_tcp_conn_new(struct ptcp_stack *st, const struct ptcp_flow *f);
/** Bytes allocated from DPDK's heaps, all sockets (to measure what a table costs). */
uint64_t ptcp_heap_bytes(void);
/**
 * The one connection setup, for both opens: a new connection of flow f
 * with the application's ops/arg, the stack's per-connection defaults
 * (Nagle, keepalive) and send sequence state from iss (SND.UNA = SND.NXT =
 * ISS; the send queue starts at ISS+1). NULL when the pool is empty.
 */
struct ptcp_conn *ptcp_tcp_conn_open(struct ptcp_stack *st, const struct ptcp_flow *f,
				     uint32_t iss, const struct ptcp_conn_ops *ops, void *arg);
/** Active open of flow f (RFC 9293 3.10.1): SYN-SENT, SYN sent, RTO armed. NULL: pool empty. */
struct ptcp_conn *ptcp_tcp_connect(struct ptcp_stack *st, const struct ptcp_flow *f,
				   const struct ptcp_conn_ops *ops, void *arg);
void ptcp_tcp_conn_closed(struct ptcp_conn *c, int err);
void ptcp_tcp_conn_detach(struct ptcp_conn *c);
void ptcp_tcp_enter(struct ptcp_stack *st);
void ptcp_tcp_leave(struct ptcp_stack *st);
struct ptcp_listener *ptcp_tcp_listener_find(struct ptcp_stack *st, uint16_t port);
uint32_t ptcp_tcp_rcv_window(const struct ptcp_conn *c);
void ptcp_tcp_mem_wait(struct ptcp_conn *c);
void ptcp_tcp_mem_wake(struct ptcp_stack *st);
void ptcp_tcp_set_state(struct ptcp_conn *c, enum ptcp_tcp_state s);

/* tcp_output.c */
void ptcp_tcp_output(struct ptcp_conn *c);
void ptcp_tcp_send_probe(struct ptcp_conn *c);
void ptcp_tcp_output_force(struct ptcp_conn *c);
void ptcp_tcp_retransmit_first(struct ptcp_conn *c);
uint32_t ptcp_tcp_retransmit_range(struct ptcp_conn *c, uint32_t seq, uint32_t len);
uint32_t ptcp_tcp_send_new_segment(struct ptcp_conn *c);
void ptcp_tcp_send_ack(struct ptcp_conn *c);
void ptcp_tcp_send_syn(struct ptcp_conn *c);
void ptcp_tcp_send_rst(struct ptcp_conn *c);
void ptcp_tcp_send_challenge_ack(struct ptcp_conn *c);
bool ptcp_tcp_challenge_budget(struct ptcp_stack *st);
void ptcp_tcp_send_oow_ack(struct ptcp_conn *c);
void ptcp_tcp_reply_rst(struct ptcp_stack *st, const struct ptcp_ipv4_info *ip,
			const struct ptcp_tcp_seg *seg);
uint32_t ptcp_tcp_fin_seq(const struct ptcp_conn *c);

/* tcp_opts.c: TCP options (RFC 7323 window scale and timestamps, RFC 2018 / 2883 SACK) */
#define PTCP_TCP_WSCALE_MAX  14u
/*
 * RFC 7323 5.5: a TS.Recent idle for more than 24 days is no reference.
 * Its age is kept in ticks of 2^20 us (1.05 s): a shift of the stack's
 * clock on every segment where whole seconds cost a division. Ages are
 * differences of truncated ticks (one tick off either way), so the limit
 * is one tick above 24 days: never early, at most 2.1 s late.
 */
#define PTCP_TCP_PAWS_TICK_SHIFT 20
#define PTCP_TCP_PAWS_IDLE_TICKS \
	((uint32_t)((24ull * 86400u * 1000000u) >> PTCP_TCP_PAWS_TICK_SHIFT) + 1u)
/** Our window shift for the stack's receive buffer (0 with scaling off). */
uint8_t ptcp_tcp_rcv_wscale_for(const struct ptcp_stack *st);
/** RFC 7323 5.4: the per address pair offset of our timestamp clock. */
uint32_t ptcp_tcp_ts_offset(const struct ptcp_stack *st, const struct ptcp_flow *f);
/** Our timestamp clock (1 ms ticks) without the offset. */
static inline uint32_t
ptcp_tcp_ts_clock(const struct ptcp_stack *st)
{
	return (uint32_t)(st->now_us / 1000u);
}
/** The options a new connection offers: flags PTCP_TF_WSCALE/TSTMP/SACK_PERMIT, shifts, offset. */
void ptcp_tcp_opts_offer(struct ptcp_conn *c);
/**
 * The peer's SYN (or SYN-ACK) options o: keep what both sides carried, take
 * its shift, TS.Recent and MSS (RFC 9293 3.7.1: 536 without the option).
 */
void ptcp_tcp_opts_negotiate(struct ptcp_conn *c, const struct ptcp_tcp_opts *o);
/**
 * Options for a segment of c with flags and len payload bytes into opt; the
 * option bytes it will take are returned (a multiple of 4, at most 40).
 */
uint32_t ptcp_tcp_opts_for(struct ptcp_conn *c, uint8_t flags, uint32_t len,
			   struct ptcp_tcp_opts *opt);
/** The window scale rule: a segment's window field in bytes (SYNs are never scaled). */
static inline uint32_t
ptcp_tcp_seg_wnd(const struct ptcp_conn *c, const struct ptcp_tcp_seg *seg)
{
	if (seg->flags & RTE_TCP_SYN_FLAG)
		return seg->wnd;
	return (uint32_t)seg->wnd << c->snd_wscale;
}
/** FlightSize (RFC 5681): bytes sent and not yet acknowledged. */
static inline uint32_t
ptcp_tcp_cc_flight(const struct ptcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

/** RFC 7661's clock (tcp_cc.c): 2^PTCP_CC_CWV_TICK_SHIFT us ticks, 16 bits. */
static inline uint16_t
ptcp_tcp_cc_cwv_now(const struct ptcp_stack *st)
{
	return (uint16_t)(st->now_us >> PTCP_CC_CWV_TICK_SHIFT);
}

/**
 * RFC 7661 4.4.3, at each ACK and before sending after a pause: a
 * connection in the non-validated phase for longer than the NVP reduces
 * cwnd. An application-limited connection (request/response) is in the
 * NVP all the time: the test is inline, the reduction is not.
 */
static inline void
ptcp_tcp_cc_nvp_check(struct ptcp_conn *c)
{
	if ((c->cc.flags & PTCP_CC_F_NVP) &&
	    (uint16_t)(ptcp_tcp_cc_cwv_now(c->st) - c->cc.cwv_tick) >= PTCP_CC_NVP_TICKS)
		ptcp_tcp_cc_nvp_expire(c);
}

/* RFC 8985 7.2 WCDelAckT: the worst-case delayed ACK timer of the peer. */
#define PTCP_TLP_WCDELACK_US 200000u
/* A floor under the PTO, as Linux (a timer below the wheel's precision is noise). */
#define PTCP_TLP_MIN_PTO_US  10000u

/** When the tail loss probe is due (RFC 8985 7.2), or 0 when none may be scheduled. */
static inline uint64_t
ptcp_tcp_tlp_when(const struct ptcp_conn *c)
{
	uint64_t now = c->st->now_us, pto;

	/*
	 * The conditions in the order that ends request/response soonest:
	 * nothing in flight (after an ACK), then the RTO coming first (after
	 * sending one segment, whose probe waits for the delayed ACK).
	 */
	if (c->snd_una == c->snd_max || !(c->flags & PTCP_TF_SACK_PERMIT))
		return 0;
	pto = 2ull * c->srtt_us;
	if (c->snd_max - c->snd_una <= c->snd_mss)
		pto += PTCP_TLP_WCDELACK_US;
	pto = RTE_MAX(pto, (uint64_t)PTCP_TLP_MIN_PTO_US);
	/* "If the RTO timer would fire sooner, schedule no TLP." */
	if (c->timer[PTCP_TCP_T_REXMIT] != 0 && now + pto >= c->timer[PTCP_TCP_T_REXMIT])
		return 0;
	if ((c->flags & (PTCP_TF_RECOVERY | PTCP_TF_RTT_VALID)) != PTCP_TF_RTT_VALID ||
	    (c->sb != NULL && c->sb->rto_recovery) || (c->tlp_flags & PTCP_TLP_OUT) ||
	    c->snd_nxt != c->snd_max || c->nrexmit != 0)
		return 0;
	return now + pto;
}

/**
 * (Re)arm the RACK timer (tcp_rack.c). In request/response nearly every
 * call has nothing to arm: no scoreboard, no timer to stop, and no probe
 * (nothing in flight after an ACK; after a send, one segment in flight,
 * whose probe would wait for the peer's delayed ACK and come after the
 * RTO).
 */
static inline void
ptcp_tcp_rack_arm(struct ptcp_conn *c)
{
	if (ptcp_tcp_tlp_when(c) == 0 && c->sb == NULL && c->timer[PTCP_TCP_T_RACK] == 0)
		return;
	ptcp_tcp_rack_rearm(c);
}

/** TSval of the next segment of c (RFC 7323 3.2 and 5.4: the clock plus c's offset). */
static inline uint32_t
ptcp_tcp_tsval(const struct ptcp_conn *c)
{
	return ptcp_tcp_ts_clock(c->st) + c->ts_offset;
}

/** Timestamps of a non-SYN segment of c (RFC 7323 3.2) into opt: their length. */
static inline uint32_t
ptcp_tcp_opts_ts(const struct ptcp_conn *c, struct ptcp_tcp_opts *opt)
{
	opt->present = PTCP_TCPOPT_F_TS;
	opt->nsack = 0;
	opt->tsval = ptcp_tcp_tsval(c);
	opt->tsecr = c->ts_recent;
	return PTCP_TCP_OPTS_TS_LEN;
}

/** c's next ACK has SACK blocks to carry: data held out of order, or a D-SACK due. */
static inline bool
ptcp_tcp_sack_due(const struct ptcp_conn *c)
{
	const struct ptcp_tcp *tcp = c->st->tcp;

	return c->ooo_head != NULL || (tcp->sack_conn == c && tcp->dsack_left != tcp->dsack_right);
}

/** The clock of TS.Recent's age (PTCP_TCP_PAWS_IDLE_TICKS). */
static inline uint32_t
ptcp_tcp_paws_clock(const struct ptcp_stack *st)
{
	return (uint32_t)(st->now_us >> PTCP_TCP_PAWS_TICK_SHIFT);
}

/** RFC 7323 5.5: TS.Recent was set more than 24 days ago. */
static inline bool
ptcp_tcp_ts_recent_stale(const struct ptcp_conn *c)
{
	return ptcp_tcp_paws_clock(c->st) - c->ts_recent_age > PTCP_TCP_PAWS_IDLE_TICKS;
}

/**
 * RFC 7323 5.3 R1 (PAWS): true when the segment's TSval is older than
 * TS.Recent while TS.Recent is valid, i.e. the segment must be dropped.
 */
static inline bool
ptcp_tcp_paws_reject(const struct ptcp_conn *c, const struct ptcp_tcp_seg *seg)
{
	return (c->flags & PTCP_TF_TSTMP) && ptcp_tcp_ts_old(seg, c->ts_recent) &&
		!ptcp_tcp_ts_recent_stale(c);
}

/** RFC 7323 4.3 (R3): record SEG.TSval in TS.Recent when the segment may. */
static inline void
ptcp_tcp_ts_update(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg)
{
	if (!(c->flags & PTCP_TF_TSTMP) || !(seg->opt.present & PTCP_TCPOPT_F_TS))
		return;
	/* SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent (RFC 7323 4.3 (2)). */
	if (ptcp_seq_le(seg->seq, c->rcv_acked) &&
	    ((int32_t)(seg->opt.tsval - c->ts_recent) >= 0 || ptcp_tcp_ts_recent_stale(c))) {
		c->ts_recent = seg->opt.tsval;
		c->ts_recent_age = ptcp_tcp_paws_clock(c->st);
	}
}
/** RFC 2883: the next ACK of c reports [left, right) as a duplicate. */
void ptcp_tcp_dsack_note(struct ptcp_conn *c, uint32_t left, uint32_t right);
/** RFC 2018 4: the block holding seq was received last. */
void ptcp_tcp_sack_note(struct ptcp_conn *c, uint32_t seq);

/* tcp_cc.c, tcp_cc_*.c: congestion control, declared in tcp_cc.h */

/* tcp_recovery.c: loss recovery (what is retransmitted), reports to congestion control */
/** Connection established: recover = ISS, no duplicate ACKs, not in recovery. */
void ptcp_tcp_recovery_init(struct ptcp_conn *c);
/**
 * An ACK that advanced SND.UNA (already updated) by acked bytes; rtt_us the
 * RTT sample it gave (0: none); seg the segment (its SACK blocks).
 */
void ptcp_tcp_recovery_on_ack(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us,
			      const struct ptcp_tcp_seg *seg);
/** An RFC 5681 section 2 duplicate ACK. */
void ptcp_tcp_recovery_on_dupack(struct ptcp_conn *c);
/**
 * A connection that negotiated SACK: an ACK with SEG.ACK = SND.UNA (its SACK
 * blocks may say more than a duplicate ACK does); classic_dup the RFC 5681
 * section 2 test.
 */
void ptcp_tcp_recovery_on_sack_dupack(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg,
				      bool classic_dup);
/** Retransmission timeout (the caller rewinds SND.NXT and resends). */
void ptcp_tcp_recovery_on_rto(struct ptcp_conn *c);
/** Loss detected: congestion event, retransmit SND.UNA, PTCP_TF_RECOVERY. */
void ptcp_tcp_recovery_enter(struct ptcp_conn *c);
/** Recovery complete: congestion control deflates cwnd. */
void ptcp_tcp_recovery_exit(struct ptcp_conn *c);

/* tcp_timer.c */
void ptcp_tcp_timer_set(struct ptcp_conn *c, enum ptcp_tcp_timer t, uint64_t expire_us);
/**
 * Stop timer t. Lazy, as a timer moving later: the wheel keeps the
 * connection where it is (timer_expire stays at most the earliest armed
 * timer), and that slot's visit files it again by the timers armed then,
 * or leaves it out when none is. Request/response stops the delayed ACK
 * and the RTO on nearly every segment and arms them again on the next:
 * finding the earliest timer and moving the connection between slot lists
 * each time cost more than one visit per timeout.
 */
static inline void
ptcp_tcp_timer_stop(struct ptcp_conn *c, enum ptcp_tcp_timer t)
{
	c->timer[t] = 0;
}
void ptcp_tcp_timer_cancel_all(struct ptcp_conn *c);
void ptcp_tcp_rto_arm(struct ptcp_conn *c);
void ptcp_tcp_rtt_sample(struct ptcp_conn *c, uint32_t rtt_us);
/** The same from a timestamp echo (1 ms ticks): SRTT and RTO only, not RACK.min_RTT. */
void ptcp_tcp_rtt_sample_ts(struct ptcp_conn *c, uint32_t rtt_us);
void ptcp_tcp_enter_time_wait(struct ptcp_conn *c);
void ptcp_tcp_fin_wait_2_arm(struct ptcp_conn *c);
void ptcp_tcp_persist_arm(struct ptcp_conn *c);
void ptcp_tcp_keepalive_arm(struct ptcp_conn *c);

/* tcp_input.c */
/** Keep only the first len bytes of a payload chain (frees the rest). */
void ptcp_tcp_mbuf_cut(struct rte_mbuf *m, uint32_t len);
/** Drop the first n bytes of a payload chain; returns the new head. */
struct rte_mbuf *ptcp_tcp_mbuf_skip(struct rte_mbuf *m, uint32_t n);

/* tcp_queue.c: the send and receive queues (the one module touching them) */
/* Payloads shorter than this are copied into the header mbuf: cheaper than a clone. */
#define PTCP_TCP_ZC_MIN      256u
/* Queue mbufs one zero-copy segment may span (more: copied). */
#define PTCP_TCP_ZC_MAX_SEGS 8u
/** Copy len bytes in behind the queued ones; returns bytes queued (pool empty: fewer). */
uint32_t ptcp_tcp_sndq_append(struct ptcp_conn *c, const uint8_t *data, uint32_t len);
/** Queue payload chain m (taken over: charged to c, freed as acknowledged). */
void ptcp_tcp_sndq_append_mbuf(struct ptcp_conn *c, struct rte_mbuf *m);
/** Free n acknowledged bytes from the head of the send queue. */
void ptcp_tcp_sndq_trim(struct ptcp_conn *c, uint32_t n);
/**
 * Append len bytes from byte off of the send queue to header mbuf h:
 * indirect mbufs (conf.indirect_pool, len >= PTCP_TCP_ZC_MIN) or a copy.
 * 0, or -EMSGSIZE (no room to copy).
 */
int ptcp_tcp_sndq_payload(struct ptcp_conn *c, uint32_t off, uint32_t len, struct rte_mbuf *h);
/**
 * The one's-complement sum of len bytes from byte off of the send queue,
 * from the sums recorded at receive, without reading them: true only when
 * the range is made of whole queue mbufs whose sums are all known.
 */
bool ptcp_tcp_sndq_sum(const struct ptcp_conn *c, uint32_t off, uint32_t len, uint16_t *sum);
/**
 * Queue in-order payload m (len bytes). sum, when not NULL, is the sum of
 * those bytes as verified at receive; it is recorded on m (single-segment
 * payloads) for ptcp_tcp_sndq_sum should the application echo m.
 */
void ptcp_tcp_rcvq_append(struct ptcp_conn *c, struct rte_mbuf *m, uint32_t len,
			  const uint16_t *sum);
/** Copy up to len queued bytes into buf; returns the count. */
uint32_t ptcp_tcp_rcvq_peek(const struct ptcp_conn *c, void *buf, uint32_t len);
/** Free up to len bytes from the head; returns the count. */
uint32_t ptcp_tcp_rcvq_drop(struct ptcp_conn *c, uint32_t len);
/**
 * Unlink the longest run of whole head mbufs holding at most max bytes, as
 * one chain (nb_segs, pkt_len set; *len its bytes), uncharged. NULL when
 * the first mbuf alone holds more than max, or nothing is queued.
 */
struct rte_mbuf *ptcp_tcp_rcvq_take(struct ptcp_conn *c, uint32_t max, uint32_t *len);

/* tcp_syncache.c: passive SYN-RECEIVED as compact entries, SYN cookies when full */
int ptcp_tcp_syncache_init(struct ptcp_stack *st);
void ptcp_tcp_syncache_fini(struct ptcp_stack *st);
/** A segment for no connection to listener l: SYN, RST, or the handshake's ACK. */
void ptcp_tcp_syncache_input(struct ptcp_stack *st, struct ptcp_listener *l,
			     const struct ptcp_flow *f, const struct ptcp_ipv4_info *ip,
			     const struct ptcp_tcp_seg *seg, struct rte_mbuf *m, uint32_t min_iss);
/** Retransmit SYN-ACKs and expire entries that are due at st->now_us. */
void ptcp_tcp_syncache_poll(struct ptcp_stack *st);
/** Drop every entry of listener l (ptcp_unlisten, close_all). */
void ptcp_tcp_syncache_purge(struct ptcp_stack *st, const struct ptcp_listener *l);
/** Entries in the SYN cache. */
uint32_t ptcp_tcp_syncache_count(const struct ptcp_stack *st);
/** True when the SYN cache holds an entry for f (ptcp_tcp_owns). */
bool ptcp_tcp_syncache_has(struct ptcp_stack *st, const struct ptcp_flow *f);

/* tcp_input.c: the SYN cache hands a completed handshake to connection input */
void ptcp_tcp_input_conn(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg,
			 struct rte_mbuf *m, const struct ptcp_ipv4_info *ip);
uint16_t ptcp_tcp_clamp_snd_mss(uint16_t peer_mss, uint16_t rcv_mss);

/* tcp_syncookie.c: RFC 4987 3.6 SYN cookies (layout in the file) */
#define PTCP_SYNCOOKIE_PERIOD_US (64ull * 1000000u)  /* the coarse counter ticks */
#define PTCP_SYNCOOKIE_MAX_AGE   2u                  /* counter periods accepted */
enum ptcp_syncookie_res {
	PTCP_SYNCOOKIE_OK,
	PTCP_SYNCOOKIE_INVALID,
	PTCP_SYNCOOKIE_EXPIRED,
};
/** The MSS encoded for a peer MSS (the largest table value not above it). */
uint16_t ptcp_syncookie_mss(uint16_t peer_mss);
/** ISS for a cookie SYN-ACK answering a SYN with sequence irs and MSS peer_mss. */
uint32_t ptcp_syncookie_make(const struct ptcp_isn_key *key, const struct ptcp_flow *f,
			     uint32_t irs, uint16_t peer_mss, uint64_t now_us);
/** Check ACK-1 = cookie against SEQ-1 = irs; on OK *mss is the encoded MSS. */
enum ptcp_syncookie_res ptcp_syncookie_check(const struct ptcp_isn_key *key,
					     const struct ptcp_flow *f, uint32_t cookie,
					     uint32_t irs, uint64_t now_us, uint16_t *mss);

/**
 * Our SYN-ACK's TSval (before the offset) for a cookie: the clock with its
 * low 6 bits replaced by the SYN's window scale (0xf: none) and
 * SACK-permitted, never ahead of the clock (Linux cookie_init_timestamp).
 */
uint32_t ptcp_syncookie_ts_encode(uint32_t clock, bool wscale_ok, uint8_t wscale, bool sack_ok);
/**
 * Decode the TSecr (less the offset) of a cookie's ACK into out (adds
 * PTCP_TCPOPT_F_WSCALE / F_SACK_PERM and wscale). False when it cannot be
 * one of ours: ahead of the clock.
 */
bool ptcp_syncookie_ts_decode(uint32_t tsecr, uint32_t clock, struct ptcp_tcp_opts *out);
/* tcp_pmtu.c: path MTU discovery (RFC 1191, RFC 5927 4.1, RFC 4821), per-lcore cache */
int ptcp_tcp_pmtu_init(struct ptcp_stack *st);
void ptcp_tcp_pmtu_fini(struct ptcp_stack *st);
/** Expire cache entries due at st->now_us (RFC 1191 6.3). */
void ptcp_tcp_pmtu_poll(struct ptcp_stack *st);
/** RFC 1191 7 plateau: the largest plateau below len (68 at least). */
uint16_t ptcp_tcp_pmtu_plateau(uint16_t len);
/** The handshake allowed mss: c->snd_mss = min(mss, path MTU - 40). */
void ptcp_tcp_pmtu_set_mss(struct ptcp_conn *c, uint16_t mss);
/** Follow a cache change of c's destination (ptcp_tcp_pmtu_check). */
void ptcp_tcp_pmtu_sync(struct ptcp_conn *c);
/** A retransmission timeout of c (nrexmit counted): true when the MSS was lowered. */
bool ptcp_tcp_pmtu_rto(struct ptcp_conn *c);

#define PTCP_PMTU_GEN_MASK 0x3fffu   /* conn->pmtu_gen's width */

/*
 * Black-hole evidence (tcp_pmtu.c): output starts timing a new segment of
 * len payload bytes; "full-size" is within 40 bytes of snd_mss, as options
 * beyond timestamps (SACK blocks) may take from a full segment's payload.
 */
static inline void
ptcp_tcp_pmtu_timed(struct ptcp_conn *c, uint32_t len)
{
	if (len + 40u >= c->snd_mss)
		c->flags |= PTCP_TF_TIMED_FULL;
	else
		c->flags &= ~PTCP_TF_TIMED_FULL;
}

/* The segment timed for RTT was acknowledged: if full-size, this MSS passes the path. */
static inline void
ptcp_tcp_pmtu_timed_acked(struct ptcp_conn *c)
{
	if (c->flags & PTCP_TF_TIMED_FULL)
		c->pmtu_proven = 1;
}

/*
 * Before c sends: has this lcore's path-MTU cache changed since c's MSS
 * last followed it? Until the first change (tcp->pmtu_gen 0, the common
 * case) not even c's cache line 5 is read.
 */
static inline void
ptcp_tcp_pmtu_check(struct ptcp_conn *c)
{
	uint16_t gen = c->st->tcp->pmtu_gen;

	if (unlikely(gen != 0) && unlikely((uint16_t)c->pmtu_gen != gen))
		ptcp_tcp_pmtu_sync(c);
}

/* tcp_timewait.c */
int ptcp_tcp_timewait_init(struct ptcp_stack *st);
void ptcp_tcp_timewait_fini(struct ptcp_stack *st);
struct ptcp_timewait *ptcp_tcp_timewait_lookup(struct ptcp_stack *st,
						const struct ptcp_flow *f);
void ptcp_tcp_timewait_from_conn(struct ptcp_conn *c);
void ptcp_tcp_timewait_input(struct ptcp_stack *st, struct ptcp_timewait *tw,
			     const struct ptcp_tcp_seg *seg);
void ptcp_tcp_timewait_free(struct ptcp_stack *st, struct ptcp_timewait *tw);
void ptcp_tcp_timewait_poll(struct ptcp_stack *st);

/* tcp_reass.c */
void ptcp_tcp_reass_insert(struct ptcp_conn *c, struct rte_mbuf *m, uint32_t seq, uint32_t len);
void ptcp_tcp_reass_drain(struct ptcp_conn *c);
void ptcp_tcp_reass_free(struct ptcp_conn *c);
void ptcp_tcp_reass_cut(struct ptcp_conn *c, uint32_t end);
bool ptcp_tcp_reass_prune(struct ptcp_conn *c, uint32_t after);
int ptcp_tcp_reass_register(void);

#endif /* PTCP_TCP_PRIVATE_H */
