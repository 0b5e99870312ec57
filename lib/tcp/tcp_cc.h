/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_cc.h - congestion control behind an ops struct (as VPP's
 * tcp_cc_algorithm_t or FreeBSD's struct cc_algo).
 *
 * Congestion control decides cwnd and ssthresh, nothing else: it never
 * transmits and never decides what is sent. Loss recovery (tcp_recovery.c)
 * decides what is retransmitted and calls the algorithm at the events
 * below; tcp_output.c sends within min(cwnd, snd_wnd).
 *
 *   tcp_input.c check_ack -> ptcp_tcp_recovery_on_ack / _on_dupack
 *   tcp_timer.c RTO       -> ptcp_tcp_recovery_on_rto
 *   tcp_recovery.c        -> ptcp_tcp_cc_ack (outside recovery)
 *                            ptcp_tcp_cc_congestion_event (fast retransmit)
 *                            ptcp_tcp_cc_recovery_exit (full ACK)
 *                            ptcp_tcp_cc_rto
 *   (spurious-retransmission detection) -> ptcp_tcp_cc_undo
 *
 * The generic layer (tcp_cc.c) keeps what every algorithm shares: the
 * RFC 6928 initial window, the "was sending cwnd-limited?" test and RFC
 * 7661 congestion window validation, counters, and the per-stack /
 * per-connection choice of algorithm. Algorithms: tcp_cc_newreno.c
 * (RFC 5681 with RFC 3465 byte counting), tcp_cc_cubic.c (RFC 9438, the
 * default).
 */
#ifndef PTCP_TCP_CC_H
#define PTCP_TCP_CC_H

#include <assert.h>
#include <stdint.h>

struct ptcp_conn;
struct ptcp_stack;

/* Algorithm indexes: c->cc.algo indexes ptcp_cc_algos[] (one byte, not a pointer). */
enum ptcp_cc_algo {
	PTCP_CC_NEWRENO,
	PTCP_CC_CUBIC,
	PTCP_CC_NALGOS
};
#define PTCP_CC_DEFAULT PTCP_CC_CUBIC

/**
 * One congestion control algorithm. Every hook sets c->cwnd / c->ssthresh
 * (bytes; cwnd at most PTCP_TCP_CWND_MAX) and its private state
 * c->cc.priv; none transmits. c->snd_una, snd_max, snd_mss and the stack's
 * clock (c->st->now_us) are current when a hook runs.
 */
struct ptcp_cc_ops {
	const char *name;
	/** Connection established: private state only (cwnd/ssthresh are set already). */
	void (*init)(struct ptcp_conn *c);
	/**
	 * New data acknowledged outside recovery while sending was
	 * cwnd-limited: acked bytes, rtt_us the RTT sample this ACK gave (0: none).
	 */
	void (*on_ack)(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us);
	/** An ACK outside recovery that found sending not cwnd-limited (optional). */
	void (*on_app_limited)(struct ptcp_conn *c);
	/**
	 * Loss detected without a timeout (fast retransmit, SACK loss): set
	 * ssthresh and cwnd. Recovery may then inflate cwnd by what it knows
	 * has left the network (RFC 5681 3.2 step 3).
	 */
	void (*on_congestion_event)(struct ptcp_conn *c);
	/** Retransmission timeout: ssthresh (first timeout of a run) and the loss window. */
	void (*on_rto)(struct ptcp_conn *c);
	/** Recovery ended (a full ACK): deflate cwnd after recovery's inflation. */
	void (*on_recovery_exit)(struct ptcp_conn *c);
	/** The last reduction was spurious: restore what it took (optional). */
	void (*on_undo)(struct ptcp_conn *c);
};

/* c->cc.flags: shared bits 0-3, the algorithm's own bits 4-7. */
#define PTCP_CC_F_RTO_SS     (1u << 0)   /* slow start after an RTO: ABC limit L = 1 SMSS */
#define PTCP_CC_F_NVP        (1u << 1)   /* RFC 7661 non-validated phase */
#define PTCP_CC_F_PRIOR_INF  (1u << 2)   /* undo: ssthresh was "arbitrarily high" before */
#define PTCP_CC_F_UNDO       (1u << 3)   /* a reduction that ptcp_tcp_cc_undo may revert */
#define PTCP_CC_F_PRIV0      (1u << 4)
#define PTCP_CC_F_PRIV1      (1u << 5)
#define PTCP_CC_F_PRIV2      (1u << 6)
#define PTCP_CC_F_PRIV3      (1u << 7)

/* NewReno (RFC 5681, RFC 3465). */
struct ptcp_cc_reno {
	uint32_t bytes_acked;        /* RFC 3465 2.1: bytes acknowledged in congestion avoidance */
	uint32_t prior_cwnd;         /* undo: cwnd before the last reduction */
};

/* CUBIC (RFC 9438; tcp_cc_cubic.c). */
struct ptcp_cc_cubic {
	uint32_t w_max;              /* W_max, bytes (4.6, 4.7) */
	uint32_t t_epoch;            /* t_epoch: start of the congestion avoidance stage, ms */
	uint32_t w_est;              /* W_est, bytes (4.3) */
	int32_t k_ms : 20;           /* K, ms (4.2; negative when cwnd_epoch > W_max) */
	uint32_t w_est_frac : 12;    /* W_est's fraction of a byte, 1/4096 */
};
static_assert(sizeof(struct ptcp_cc_cubic) == 16, "CUBIC state: 16 bytes");

/*
 * Per-connection congestion control state: 24 bytes in the connection's
 * cache line 5 (the budget the layout gives it; checked below).
 */
struct ptcp_cc_state {
	uint8_t algo;                /* enum ptcp_cc_algo */
	uint8_t flags;               /* PTCP_CC_F_* */
	/*
	 * RFC 7661, in ticks of 2^20 us (~1.05 s), modulo 2^16: while
	 * validated, the start of the current pipeACK sampling period; in the
	 * non-validated phase, when it began.
	 */
	uint16_t cwv_tick;
	uint32_t pipeack;            /* RFC 7661 pipeACK, bytes; 0 = undefined */
	union {
		struct ptcp_cc_reno reno;
		struct ptcp_cc_cubic cubic;
		uint32_t u32[4];
	} priv;
};
static_assert(sizeof(struct ptcp_cc_state) == 24, "congestion control: 24 bytes a connection");

/* RFC 3465 2.2: slow start grows cwnd by at most L*SMSS per ACK. */
#define PTCP_CC_ABC_L 2u

/* RFC 7661 4.4.3: the non-validated period (5 minutes), in cwv ticks (rounded up). */
#define PTCP_CC_CWV_TICK_SHIFT 20
#define PTCP_CC_NVP_TICKS ((300000000u >> PTCP_CC_CWV_TICK_SHIFT) + 1)

/** The algorithms, indexed by enum ptcp_cc_algo. */
extern const struct ptcp_cc_ops *const ptcp_cc_algos[PTCP_CC_NALGOS];
extern const struct ptcp_cc_ops ptcp_cc_newreno;
extern const struct ptcp_cc_ops ptcp_cc_cubic;

/** The index of the algorithm called name, or -EINVAL. NULL: the default. */
int ptcp_tcp_cc_find(const char *name);
/** Switch c to algorithm algo (keeps cwnd and ssthresh, resets its private state). */
void ptcp_tcp_cc_select(struct ptcp_conn *c, uint8_t algo);

/** Connection established: RFC 6928 initial window, ssthresh "arbitrarily high", algo init. */
void ptcp_tcp_cc_init(struct ptcp_conn *c);
/** RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)). */
uint32_t ptcp_tcp_cc_iw(const struct ptcp_conn *c);
/** New data acknowledged outside recovery (RFC 7661 bookkeeping, then on_ack if cwnd-limited). */
void ptcp_tcp_cc_ack(struct ptcp_conn *c, uint32_t acked, uint32_t rtt_us);
/** Fast retransmit or another loss without a timeout: the algorithm reduces. */
void ptcp_tcp_cc_congestion_event(struct ptcp_conn *c);
/** Retransmission timeout. */
void ptcp_tcp_cc_rto(struct ptcp_conn *c);
/** Recovery ended. */
void ptcp_tcp_cc_recovery_exit(struct ptcp_conn *c);
/**
 * The last reduction (congestion event or RTO) was spurious (D-SACK, Eifel):
 * restore cwnd/ssthresh as the algorithm saved them. Call outside recovery.
 * Returns false when there is nothing to undo.
 */
bool ptcp_tcp_cc_undo(struct ptcp_conn *c);
/**
 * RFC 7661 4.4.3: a connection in the non-validated phase for longer than
 * the NVP reduces cwnd (ptcp_tcp_cc_nvp_check in tcp_private.h decides
 * whether it has).
 */
void ptcp_tcp_cc_nvp_expire(struct ptcp_conn *c);

/* Shared by the algorithms (tcp_cc.c). */
/** RFC 5681 3.1 slow start with RFC 3465 byte counting: cwnd += min(acked, L*SMSS). */
void ptcp_tcp_cc_slow_start(struct ptcp_conn *c, uint32_t acked);
/** RFC 6582 3.2 step 3 (1): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS). */
void ptcp_tcp_cc_deflate(struct ptcp_conn *c);
/** Undo helper: ssthresh back to what it was before the reduction (as remembered). */
void ptcp_tcp_cc_undo_ssthresh(struct ptcp_conn *c, uint32_t prior_cwnd);

/* CUBIC internals the unit tests check against hand-computed values. */
/** W_cubic(t) in bytes, t_ms after the current epoch began (RFC 9438 Figure 1). */
uint64_t ptcp_tcp_cubic_w(const struct ptcp_conn *c, int64_t t_ms);
/** Integer cube root (floor) of x. */
uint32_t ptcp_cbrt64(uint64_t x);

#endif /* PTCP_TCP_CC_H */
