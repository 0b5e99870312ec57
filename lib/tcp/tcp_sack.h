/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sack.h - the sender's SACK scoreboard (RFC 6675 section 2 and 4) and
 * SACK-based loss recovery (RFC 6675 section 5, RFC 3042 limited transmit),
 * internal to lib/tcp. See tcp_sack.c for the call order.
 */
#ifndef PTCP_TCP_SACK_H
#define PTCP_TCP_SACK_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

struct ptcp_conn;
struct ptcp_stack;
struct ptcp_tcp_seg;

/*
 * SACKed ranges one scoreboard holds. A receiver reports at most 3-4 blocks
 * per ACK, but remembers holes for ever; 16 ranges means 16 holes in one
 * window, far beyond what recovery at 1-5 % loss sees, and 8 bytes each.
 * When full, the highest range is forgotten (TCP_SACK_SB_FULL): forgetting
 * SACKed data is safe (at worst it is resent), inventing it is not.
 */
#define PTCP_SACK_SB_RANGES 16

/* RFC 6675 DupThresh. */
#define PTCP_SACK_DUPTHRESH 3

struct ptcp_sack_range {
	uint32_t start;
	uint32_t end;                    /* exclusive */
};

/*
 * One connection's scoreboard: allocated from the stack's pool when the
 * first SACK block above SND.UNA arrives, returned when SND.UNA passes
 * every SACKed byte outside recovery. Sorted, disjoint, non-adjacent
 * ranges, all above SND.UNA.
 */
struct ptcp_sack_sb {
	uint32_t high_rxt;               /* RFC 6675 HighRxt: highest retransmitted + 1 */
	uint32_t rescue_rxt;             /* RFC 6675 RescueRxt (valid if rescue_valid) */
	uint32_t lost_end;               /* unSACKed bytes below are lost (RTO, RACK) */
	uint32_t sacked_bytes;           /* bytes in r[] */
	uint32_t rxt_bytes;              /* bytes retransmitted in this episode */
	uint32_t dsack_bytes;            /* of those, reported by D-SACK (RFC 3708) */
	uint32_t episode_start;          /* SND.UNA when the episode began */
	uint32_t undo_end;               /* after the episode: undo given up past this ACK */
	/*
	 * RACK (tcp_rack.c), time order without per-segment times: holes below
	 * a newly SACKed byte were sent before it and become lost once the
	 * reordering window has passed since that delivery was seen.
	 */
	uint64_t reo_deadline[2];        /* when holes below reo_end[i] become lost */
	uint32_t reo_end[2];
	uint8_t reo_n;                   /* pending deadlines (oldest first) */
	uint8_t rxt_mark_valid;          /* rxt_new_seq / rxt_cover describe a send */
	uint8_t rerxt_pending;           /* rerxt_deadline armed */
	uint8_t last_rxt_valid;          /* last_rxt_* describe a retransmission */
	/*
	 * Lost retransmissions, from two marks: new data first sent at
	 * rxt_new_seq after the holes below rxt_cover were resent (any byte
	 * delivered above rxt_new_seq was sent after them), and the latest
	 * retransmission [last_rxt_seq, last_rxt_end), sent after every other
	 * one below last_rxt_cover (its delivery counts once min_RTT has
	 * passed, as RFC 8985 step 2: earlier it may be the original's). Either
	 * delivered means those retransmissions should have arrived: after the
	 * reordering window the unSACKed ones in [rerxt_from, rerxt_end) are
	 * sent again.
	 */
	uint32_t rxt_new_seq;
	uint32_t rxt_cover;
	uint32_t last_rxt_seq;
	uint32_t last_rxt_end;
	uint32_t last_rxt_cover;
	uint64_t last_rxt_ts;
	uint32_t rerxt_from;
	uint32_t rerxt_end;
	uint32_t rerxt_cover;            /* rxt_cover when the deadline was armed */
	uint64_t rerxt_deadline;
	uint8_t n;                       /* ranges in r[] */
	uint8_t rescue_valid;
	uint8_t rto_recovery;            /* RFC 6675 5.1: resending after an RTO */
	uint8_t undo_wait;               /* RFC 3708: the episode's D-SACKs may still come */
	struct ptcp_sack_range r[PTCP_SACK_SB_RANGES];
};
static_assert(sizeof(struct ptcp_sack_sb) <= 256, "a scoreboard is at most 256 bytes");

/** Create the stack's scoreboard pool (conf.sack_scoreboards objects). */
int ptcp_tcp_sack_init(struct ptcp_stack *st);
void ptcp_tcp_sack_fini(struct ptcp_stack *st);
/** Return c's scoreboard to the pool, if it holds one (connection teardown). */
void ptcp_tcp_sack_free(struct ptcp_conn *c);

/**
 * RFC 6675 Update(): record seg's SACK blocks (SND.UNA already moved by the
 * ACK). Blocks outside [SND.UNA, SND.MAX] are ignored (RFC 2018), D-SACK
 * blocks (RFC 2883) feed undo only. Returns the bytes newly SACKed.
 */
uint32_t ptcp_tcp_sack_update(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg);
/** RFC 6675 IsLost(seq). */
bool ptcp_tcp_sack_is_lost(const struct ptcp_conn *c, uint32_t seq);
/** RFC 6675 SetPipe(): bytes estimated in flight. */
uint32_t ptcp_tcp_sack_pipe(const struct ptcp_conn *c);
/** UnSACKed bytes deemed lost (IsLost or RACK): 0 without a scoreboard. */
uint32_t ptcp_tcp_sack_lost_bytes(const struct ptcp_conn *c);
/** True when byte seq is SACKed. */
bool ptcp_tcp_sack_is_sacked(const struct ptcp_conn *c, uint32_t seq);

/**
 * ACK processing of a connection that negotiated SACK (tcp_recovery.c):
 * newack when SEG.ACK moved SND.UNA by acked (rtt_us its RTT sample, 0:
 * none), else dupack with classic_dup = the RFC 5681 duplicate ACK test.
 * Both run the RFC 6675 recovery and send what it allows. They return
 * false, having only updated the (absent) scoreboard, when the connection
 * holds no scoreboard: the caller runs NewReno.
 */
bool ptcp_tcp_sack_newack(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg, uint32_t acked,
			  uint32_t rtt_us);
bool ptcp_tcp_sack_dupack(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg, bool classic_dup);
/**
 * Any timeout (retransmission, or into a zero window): the RACK deadlines,
 * the probe episode and a D-SACK undo wait end (tcp_recovery.c).
 */
void ptcp_tcp_sack_timeout(struct ptcp_conn *c);
/**
 * Retransmission timeout with a scoreboard (RFC 6675 5.1): keep it, mark
 * every unSACKed byte lost and resend holes only, one cwnd at a time.
 * Returns false when there is no scoreboard (the caller goes back N).
 */
bool ptcp_tcp_sack_rto(struct ptcp_conn *c);
/** RACK marked bytes lost (tcp_rack.c): start recovery, or send what pipe allows. */
void ptcp_tcp_sack_lost_marked(struct ptcp_conn *c);
/** RFC 6675 5 (C) outside ACK processing (RACK timer). */
void ptcp_tcp_sack_send(struct ptcp_conn *c);

/* tcp_rack.c: RFC 8985 RACK-TLP for connections that negotiated SACK */
/** [l, r) was just delivered (newly SACKed, or cumulatively acknowledged). */
void ptcp_tcp_rack_delivered(struct ptcp_conn *c, uint32_t l, uint32_t r);
/** RACK.reo_wnd (RFC 8985 6.2.4), microseconds. */
uint32_t ptcp_tcp_rack_reo_wnd(const struct ptcp_conn *c);
/** A D-SACK arrived: the reordering window widens (RFC 8985 6.2.4). */
void ptcp_tcp_rack_dsack(struct ptcp_conn *c);
/** A recovery ended: a widened window narrows after 16 of them (RFC 8985 6.2.4). */
void ptcp_tcp_rack_recovery(struct ptcp_conn *c);
/**
 * (Re)arm the RACK timer: the earliest reordering deadline, else the TLP
 * PTO (ptcp_tcp_rack_arm in tcp_private.h first skips the connections with
 * nothing to arm).
 */
void ptcp_tcp_rack_rearm(struct ptcp_conn *c);
/** The RACK timer fired (tcp_timer.c). */
void ptcp_tcp_rack_timeout(struct ptcp_conn *c);
/** An ACK moved SND.UNA to ack: TLP episode bookkeeping (RFC 8985 7.4). */
void ptcp_tcp_tlp_ack(struct ptcp_conn *c, uint32_t ack);
/** Forget pending RACK deadlines (timeout, recovery end). */
void ptcp_tcp_rack_reset(struct ptcp_conn *c);

#endif /* PTCP_TCP_SACK_H */
