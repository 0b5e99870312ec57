/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_sack.c - the sender side of SACK: the scoreboard (RFC 6675 sections
 * 2 and 4), conservative SACK-based loss recovery (RFC 6675 section 5 and
 * 5.1), limited transmit (RFC 3042) and D-SACK undo (RFC 2883, RFC 3708).
 *
 * Read first: RFC 2018 (the option), RFC 6675 (IsLost, SetPipe, NextSeg,
 * the recovery algorithm), RFC 3042, RFC 2883 and RFC 3708.
 *
 * Call order, for a connection that negotiated SACK (PTCP_TF_SACK_PERMIT):
 *   tcp_input.c check_ack -> ptcp_tcp_sack_newack() (SND.UNA moved) or
 *                            ptcp_tcp_sack_dupack() (SEG.ACK = SND.UNA)
 *     -> ptcp_tcp_sack_update() (RFC 6675 Update())
 *     -> enter_recovery() / sack_send() (NextSeg() while cwnd - pipe >= SMSS)
 *       -> ptcp_tcp_retransmit_range() / ptcp_tcp_send_new_segment()
 *   tcp_timer.c rexmit_timeout -> ptcp_tcp_sack_rto() (RFC 6675 5.1)
 *
 * Memory: a connection pays one pointer (conn->sb). The scoreboard, with
 * up to PTCP_SACK_SB_RANGES SACKed ranges and the recovery state (HighRxt,
 * RescueRxt, undo), comes from a per-stack rte_mempool of
 * conf.sack_scoreboards objects created at stack init, taken when the first
 * SACK block above SND.UNA arrives and returned when SND.UNA passes every
 * SACKed byte outside recovery. No allocation on the data path beyond that
 * pool; when it is empty the connection recovers with NewReno (RFC 6582).
 *
 * Ranges are kept in sequence order, disjoint and not adjacent, all above
 * SND.UNA. RFC 6675 IsLost() is monotonic in the sequence number (the more
 * SACKed data above a byte the likelier it is lost), so the lost bytes are
 * the holes below one boundary (lost_bound()), which makes IsLost, SetPipe
 * and NextSeg walks of at most PTCP_SACK_SB_RANGES ranges.
 *
 * Congestion control (tcp_cc.h) sets cwnd and ssthresh at the events this
 * file reports: ptcp_tcp_cc_congestion_event() on entering recovery (RFC
 * 6675 4.2; no inflation follows, the pipe counts what left the network),
 * ptcp_tcp_recovery_exit() at the full ACK, ptcp_tcp_cc_ack() outside
 * recovery and ptcp_tcp_cc_undo() when D-SACK proves the episode spurious.
 * ACKs during recovery do not change cwnd.
 */
#include <string.h>

#include <rte_errno.h>

#include "tcp_private.h"

int
ptcp_tcp_sack_init(struct ptcp_stack *st)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	struct ptcp_tcp *tcp = st->tcp;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint64_t heap0;

	tcp->sack_pool = NULL;
	if (conf->sack_scoreboards == 0 || conf->sack_scoreboards == UINT32_MAX)
		return 0;
	heap0 = ptcp_heap_bytes();
	snprintf(name, sizeof(name), "%.20s_sb", st->name);
	tcp->sack_pool = rte_mempool_create(name, conf->sack_scoreboards,
					    sizeof(struct ptcp_sack_sb), 0, 0, NULL, NULL, NULL,
					    NULL, conf->socket_id,
					    RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET |
					    RTE_MEMPOOL_F_NO_SPREAD);
	if (tcp->sack_pool == NULL)
		return -(rte_errno ? rte_errno : ENOMEM);
	tcp->sack_mem = ptcp_heap_bytes() - heap0;
	return 0;
}

void
ptcp_tcp_sack_fini(struct ptcp_stack *st)
{
	rte_mempool_free(st->tcp->sack_pool);
	st->tcp->sack_pool = NULL;
}

static struct ptcp_sack_sb *
sb_alloc(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	struct ptcp_sack_sb *sb;
	void *o;

	if (st->tcp->sack_pool == NULL || rte_mempool_get(st->tcp->sack_pool, &o) != 0) {
		PTCP_INC(st, TCP_SACK_SB_NOMEM);
		return NULL;
	}
	sb = o;
	memset(sb, 0, sizeof(*sb));
	sb->high_rxt = c->snd_una;
	sb->lost_end = c->snd_una;
	c->sb = sb;
	PTCP_INC(st, TCP_SACK_SB_ALLOC);
	return sb;
}

void
ptcp_tcp_sack_free(struct ptcp_conn *c)
{
	if (c->sb == NULL)
		return;
	rte_mempool_put(c->st->tcp->sack_pool, c->sb);
	c->sb = NULL;
}

/*
 * Forget what SND.UNA passed. A SACKed range that SND.UNA reaches but does
 * not pass means the receiver discarded data it had SACKed (it would
 * acknowledge it otherwise): RFC 2018 8 reneging. Every range goes then,
 * so that data is sent again (counted, TCP_SACK_RENEGE).
 */
static void
sb_trim(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;
	uint32_t una = c->snd_una;
	unsigned int i = 0;

	while (i < sb->n && ptcp_seq_le(sb->r[i].end, una)) {
		sb->sacked_bytes -= sb->r[i].end - sb->r[i].start;
		i++;
	}
	if (i != 0) {
		memmove(&sb->r[0], &sb->r[i], (sb->n - i) * sizeof(sb->r[0]));
		sb->n = (uint8_t)(sb->n - i);
	}
	if (sb->n != 0 && ptcp_seq_le(sb->r[0].start, una)) {
		PTCP_INC(c->st, TCP_SACK_RENEGE);
		sb->n = 0;
		sb->sacked_bytes = 0;
		sb->lost_end = una;
	}
	sb->high_rxt = ptcp_seq_max(sb->high_rxt, una);
	sb->lost_end = ptcp_seq_max(sb->lost_end, una);
}

/* Add [l, r) to the ranges; returns the bytes that were not SACKed before. */
static uint32_t
sb_insert(struct ptcp_conn *c, struct ptcp_sack_sb *sb, uint32_t l, uint32_t r)
{
	unsigned int i = 0, j, k;
	uint32_t old = 0, s, e;

	while (i < sb->n && ptcp_seq_lt(sb->r[i].end, l))
		i++;
	j = i;
	while (j < sb->n && ptcp_seq_le(sb->r[j].start, r))
		j++;
	if (i == j) {
		if (sb->n == PTCP_SACK_SB_RANGES) {
			/* Full: the highest range goes (the least urgent to know). */
			PTCP_INC(c->st, TCP_SACK_SB_FULL);
			if (i == sb->n)
				return 0;
			sb->n--;
			sb->sacked_bytes -= sb->r[sb->n].end - sb->r[sb->n].start;
		}
		memmove(&sb->r[i + 1], &sb->r[i], (sb->n - i) * sizeof(sb->r[0]));
		sb->r[i].start = l;
		sb->r[i].end = r;
		sb->n++;
		sb->sacked_bytes += r - l;
		return r - l;
	}
	for (k = i; k < j; k++)
		old += sb->r[k].end - sb->r[k].start;
	s = ptcp_seq_lt(l, sb->r[i].start) ? l : sb->r[i].start;
	e = ptcp_seq_gt(r, sb->r[j - 1].end) ? r : sb->r[j - 1].end;
	sb->r[i].start = s;
	sb->r[i].end = e;
	memmove(&sb->r[i + 1], &sb->r[j], (sb->n - j) * sizeof(sb->r[0]));
	sb->n = (uint8_t)(sb->n - (j - i - 1));
	sb->sacked_bytes += (e - s) - old;
	return (e - s) - old;
}

/*
 * RFC 2883 4: the first block reports a duplicate when it lies below the
 * cumulative ACK, or within the second block. RFC 3708: when every byte
 * retransmitted in the episode has been reported so, the retransmissions
 * were spurious.
 */
static bool
is_dsack(const struct ptcp_tcp_seg *seg)
{
	const struct ptcp_sack_block *b = seg->opt.sack;

	if (ptcp_seq_lt(b[0].left, seg->ack))
		return true;
	return seg->opt.nsack >= 2 && ptcp_seq_ge(b[0].left, b[1].left) &&
		ptcp_seq_le(b[0].right, b[1].right);
}

static void undo_check(struct ptcp_conn *c);

static void
dsack(struct ptcp_conn *c, uint32_t l, uint32_t r)
{
	struct ptcp_sack_sb *sb = c->sb;

	PTCP_INC(c->st, TCP_DSACK_RX);
	ptcp_tcp_rack_dsack(c);
	if ((c->tlp_flags & PTCP_TLP_RXT) && ptcp_seq_in(c->tlp_end_seq - 1, l, r))
		c->tlp_flags |= PTCP_TLP_DSACK;
	if (sb == NULL || sb->rxt_bytes == 0 || !ptcp_seq_lt(l, r) ||
	    ptcp_seq_lt(l, sb->episode_start))
		return;
	sb->dsack_bytes += RTE_MIN(r - l, sb->rxt_bytes - RTE_MIN(sb->dsack_bytes, sb->rxt_bytes));
	undo_check(c);
}

uint32_t
ptcp_tcp_sack_update(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg)
{
	uint32_t newly = 0, n;
	unsigned int k;

	if (!(seg->opt.present & PTCP_TCPOPT_F_SACK) || seg->opt.nsack == 0) {
		if (c->sb != NULL)
			sb_trim(c);
		return 0;
	}
	for (k = 0; k < seg->opt.nsack && k < PTCP_TCP_MAX_SACK; k++) {
		uint32_t l = seg->opt.sack[k].left, r = seg->opt.sack[k].right;

		PTCP_INC(c->st, TCP_SACK_BLOCKS_RX);
		if (k == 0 && is_dsack(seg)) {
			dsack(c, l, r);
			continue;
		}
		/* RFC 2018: nothing outside what is outstanding can be SACKed. */
		if (!ptcp_seq_lt(l, r) || ptcp_seq_lt(l, c->snd_una) ||
		    ptcp_seq_gt(r, c->snd_max)) {
			PTCP_INC(c->st, TCP_SACK_BAD_BLOCK);
			continue;
		}
		if (c->sb == NULL && sb_alloc(c) == NULL)
			return newly;
		n = sb_insert(c, c->sb, l, r);
		if (n != 0)
			ptcp_tcp_rack_delivered(c, l, r);
		newly += n;
	}
	if (c->sb != NULL)
		sb_trim(c);
	return newly;
}

bool
ptcp_tcp_sack_is_sacked(const struct ptcp_conn *c, uint32_t seq)
{
	const struct ptcp_sack_sb *sb = c->sb;
	unsigned int i;

	for (i = 0; sb != NULL && i < sb->n; i++)
		if (ptcp_seq_in(seq, sb->r[i].start, sb->r[i].end))
			return true;
	return false;
}

/*
 * The unSACKed bytes below the returned sequence number are lost: RFC 6675
 * IsLost() ("DupThresh discontiguous SACKed sequences ... or more than
 * (DupThresh - 1) * SMSS bytes ... SACKed" above them), or marked lost by a
 * timeout (lost_end).
 */
static uint32_t
lost_bound(const struct ptcp_conn *c)
{
	const struct ptcp_sack_sb *sb = c->sb;
	uint32_t mss = c->snd_mss, bytes = 0, segs = 0, bound = c->snd_una;
	int i;

	for (i = (int)sb->n - 1; i >= 0; i--) {
		uint32_t len = sb->r[i].end - sb->r[i].start;

		bytes += len;
		segs += (len + mss - 1) / mss;
		if (segs >= PTCP_SACK_DUPTHRESH || bytes > (PTCP_SACK_DUPTHRESH - 1) * mss) {
			bound = sb->r[i].start;
			break;
		}
	}
	return ptcp_seq_max(bound, sb->lost_end);
}

bool
ptcp_tcp_sack_is_lost(const struct ptcp_conn *c, uint32_t seq)
{
	if (c->sb == NULL || ptcp_tcp_sack_is_sacked(c, seq))
		return false;
	return ptcp_seq_lt(seq, lost_bound(c));
}

/* Bytes of [a, b) below x. */
static uint32_t
below(uint32_t a, uint32_t b, uint32_t x)
{
	if (ptcp_seq_le(x, a))
		return 0;
	return (ptcp_seq_lt(x, b) ? x : b) - a;
}

/*
 * RFC 6675 SetPipe(): every unSACKed byte between HighACK and HighData
 * counts once if it is not lost, and once more if it was retransmitted
 * (at or below HighRxt).
 */
uint32_t
ptcp_tcp_sack_pipe(const struct ptcp_conn *c)
{
	const struct ptcp_sack_sb *sb = c->sb;
	uint32_t lost, a = c->snd_una, pipe = 0;
	unsigned int i;

	if (sb == NULL)
		return c->snd_max - c->snd_una;
	lost = lost_bound(c);
	for (i = 0; i <= sb->n; i++) {
		uint32_t b = i < sb->n ? sb->r[i].start : c->snd_max;

		if (ptcp_seq_lt(a, b))
			pipe += (b - a) - below(a, b, lost) + below(a, b, sb->high_rxt);
		if (i < sb->n)
			a = sb->r[i].end;
	}
	return pipe;
}

uint32_t
ptcp_tcp_sack_lost_bytes(const struct ptcp_conn *c)
{
	const struct ptcp_sack_sb *sb = c->sb;
	uint32_t lost, a = c->snd_una, n = 0;
	unsigned int i;

	if (sb == NULL)
		return 0;
	lost = lost_bound(c);
	for (i = 0; i <= sb->n; i++) {
		uint32_t b = i < sb->n ? sb->r[i].start : c->snd_max;

		if (ptcp_seq_lt(a, b))
			n += below(a, b, lost);
		if (i < sb->n)
			a = sb->r[i].end;
	}
	return n;
}

enum next_rule { NEXT_NONE, NEXT_RELOST, NEXT_LOST, NEXT_NEW, NEXT_UNSACKED, NEXT_RESCUE };

/* The first unSACKed byte at or above seq and the end of its hole. */
static uint32_t
hole_at(const struct ptcp_conn *c, uint32_t seq, uint32_t *hole_end)
{
	const struct ptcp_sack_sb *sb = c->sb;
	unsigned int i;

	for (i = 0; i < sb->n; i++) {
		if (ptcp_seq_lt(seq, sb->r[i].start)) {
			*hole_end = sb->r[i].start;
			return seq;
		}
		if (ptcp_seq_lt(seq, sb->r[i].end))
			seq = sb->r[i].end;
	}
	*hole_end = c->snd_max;
	return seq;
}

static bool
new_data_allowed(const struct ptcp_conn *c)
{
	uint32_t data_end = c->sndq_seq + c->sndq_bytes;

	return c->snd_nxt == c->snd_max && ptcp_seq_lt(c->snd_max, data_end) &&
		ptcp_seq_lt(c->snd_max, c->snd_una + c->snd_wnd);
}

/* RFC 6675 NextSeg(): which rule applies, and the range it names. */
static enum next_rule
next_seg(const struct ptcp_conn *c, bool rescued, uint32_t *seq, uint32_t *len)
{
	const struct ptcp_sack_sb *sb = c->sb;
	uint32_t mss = c->snd_mss, hole_end, s, high_sacked;

	high_sacked = sb->n != 0 ? sb->r[sb->n - 1].end : c->snd_una;
	/* RACK: retransmissions found lost (tcp_rack.c) go again first. */
	if (ptcp_seq_lt(sb->rerxt_from, sb->rerxt_end)) {
		s = hole_at(c, ptcp_seq_max(sb->rerxt_from, c->snd_una), &hole_end);
		if (ptcp_seq_lt(s, sb->rerxt_end) && ptcp_seq_lt(s, c->snd_max)) {
			*seq = s;
			*len = RTE_MIN(RTE_MIN(hole_end, sb->rerxt_end) - s, mss);
			return NEXT_RELOST;
		}
	}
	s = hole_at(c, ptcp_seq_max(sb->high_rxt, c->snd_una), &hole_end);
	/* (1) the first lost unSACKed byte above HighRxt */
	if (ptcp_seq_lt(s, c->snd_max) && ptcp_seq_lt(s, lost_bound(c))) {
		*seq = s;
		*len = RTE_MIN(hole_end - s, mss);
		return NEXT_LOST;
	}
	/* (2) new data the receiver's window takes */
	if (new_data_allowed(c))
		return NEXT_NEW;
	/* (3) an unSACKed byte above HighRxt with SACKed data above it */
	if (ptcp_seq_lt(s, high_sacked)) {
		*seq = s;
		*len = RTE_MIN(hole_end - s, mss);
		return NEXT_UNSACKED;
	}
	/*
	 * (4) once per ACK and once per RecoveryPoint: the segment holding the
	 * highest unSACKed byte, so a loss at the tail is repaired without a
	 * timeout.
	 */
	if ((c->flags & PTCP_TF_RECOVERY) && !rescued &&
	    (!sb->rescue_valid || ptcp_seq_gt(c->snd_una, sb->rescue_rxt))) {
		uint32_t end = c->snd_max, start = c->snd_una;
		int i;

		for (i = (int)sb->n - 1; i >= 0 && sb->r[i].end == end; i--)
			end = sb->r[i].start;
		if (i >= 0)
			start = sb->r[i].end;
		/* Already resent in this recovery: it is not outstanding unrepaired. */
		if (ptcp_seq_le(end, sb->high_rxt) || !ptcp_seq_lt(start, end))
			return NEXT_NONE;
		*seq = end - start > mss ? end - mss : start;
		*len = end - *seq;
		return NEXT_RESCUE;
	}
	return NEXT_NONE;
}

/* RFC 6675 5 (C): send while cwnd - pipe >= 1 SMSS. */
static void
sack_send(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;
	uint32_t pipe = ptcp_tcp_sack_pipe(c);
	bool rescued = false;

	while ((uint64_t)pipe + c->snd_mss <= ptcp_tcp_send_cwnd(c)) {
		uint32_t seq = 0, len = 0, n;
		enum next_rule rule = next_seg(c, rescued, &seq, &len);

		if (rule == NEXT_NONE)
			break;
		if (rule == NEXT_NEW) {
			/* The first new data after retransmissions orders them (tcp_rack.c). */
			if (sb->rxt_bytes != 0 && !sb->rxt_mark_valid) {
				sb->rxt_mark_valid = 1;
				sb->rxt_new_seq = c->snd_max;
				sb->rxt_cover = sb->high_rxt;
			}
			n = ptcp_tcp_send_new_segment(c);
			if (n == 0)
				break;
			pipe += n;
			continue;
		}
		n = ptcp_tcp_retransmit_range(c, seq, len);
		if (n == 0)
			break;
		PTCP_INC(c->st, TCP_SACK_REXMIT);
		/* (C.2) HighRxt: not for the rescue retransmission. */
		if (rule == NEXT_RELOST) {
			sb->rerxt_from = seq + n;
		} else if (rule == NEXT_RESCUE) {
			PTCP_INC(c->st, TCP_SACK_RESCUE);
			sb->rescue_rxt = c->recover;
			sb->rescue_valid = 1;
			rescued = true;
		} else {
			sb->high_rxt = ptcp_seq_max(sb->high_rxt, seq + n);
		}
		sb->rxt_bytes += n;
		/* The latest retransmission: every other one went before it (tcp_rack.c). */
		sb->last_rxt_valid = 1;
		sb->last_rxt_seq = seq;
		sb->last_rxt_end = seq + n;
		sb->last_rxt_cover = ptcp_seq_max(sb->high_rxt, seq + n);
		sb->last_rxt_ts = c->st->now_us;
		pipe += n;
	}
}

/* RFC 6675 section 5 steps (4.1) - (4.4). */
static void
enter_recovery(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;
	uint32_t hole_end, s;

	PTCP_INC(c->st, TCP_FAST_REXMIT);
	PTCP_INC(c->st, TCP_SACK_RECOVERY);
	/*
	 * (4.2) ssthresh and cwnd from congestion control (FlightSize / 2 for
	 * NewReno), which remembers the old values for undo; no inflation:
	 * pipe, not cwnd, counts what has left the network.
	 */
	ptcp_tcp_cc_congestion_event(c);
	sb->undo_wait = 1;
	c->recover = c->snd_max;                   /* (4.1) RecoveryPoint = HighData */
	c->flags |= PTCP_TF_RECOVERY;
	sb->high_rxt = c->snd_una;
	sb->rescue_valid = 0;
	sb->rxt_bytes = 0;
	sb->dsack_bytes = 0;
	sb->episode_start = c->snd_una;
	sb->rxt_mark_valid = 0;
	sb->last_rxt_valid = 0;
	sb->rerxt_pending = 0;
	sb->rerxt_end = sb->rerxt_from;
	/* (4.3) the first segment presumed dropped: HighACK + 1, whatever pipe says. */
	s = hole_at(c, c->snd_una, &hole_end);
	if (ptcp_seq_lt(s, c->snd_max)) {
		uint32_t n = ptcp_tcp_retransmit_range(c, s, RTE_MIN(hole_end - s,
								      (uint32_t)c->snd_mss));

		if (n != 0) {
			PTCP_INC(c->st, TCP_SACK_REXMIT);
			sb->high_rxt = s + n;
			sb->rxt_bytes += n;
		}
	}
	sack_send(c);                              /* (4.4) SetPipe, then (C) */
}

/* What one recovery episode marked (lost, resent, RACK deadlines) is forgotten. */
static void
episode_reset(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;

	sb->high_rxt = c->snd_una;
	sb->rescue_valid = 0;
	sb->lost_end = c->snd_una;
	ptcp_tcp_rack_reset(c);
}

/*
 * RFC 3708 2: every retransmission of the episode reported by D-SACK, so
 * none was needed: congestion control restores cwnd and ssthresh.
 */
static void
undo_check(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;

	if (!sb->undo_wait || sb->rxt_bytes == 0 || sb->dsack_bytes < sb->rxt_bytes)
		return;
	sb->undo_wait = 0;
	sb->rxt_bytes = 0;
	sb->dsack_bytes = 0;
	if (c->flags & PTCP_TF_RECOVERY) {
		/* The episode's losses were none: forget them, or the next ACK starts it again. */
		c->flags &= ~PTCP_TF_RECOVERY;
		c->recover = c->snd_max;   /* RFC 6582: no second reduction for this data */
		episode_reset(c);
	}
	if (ptcp_tcp_cc_undo(c))
		PTCP_INC(c->st, TCP_SPURIOUS_UNDO);
}

/* A full ACK (covering RecoveryPoint): recovery ends. */
static void
exit_recovery(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;

	ptcp_tcp_recovery_exit(c);   /* congestion control deflates cwnd */
	ptcp_tcp_rack_recovery(c);
	episode_reset(c);
	/*
	 * D-SACKs for the episode's retransmissions arrive up to an RTT later
	 * (the late original closed the hole first): the scoreboard waits for
	 * them until what is sent from now on is acknowledged.
	 */
	sb->undo_end = c->snd_max;
}

/*
 * The scoreboard goes back to the pool when nothing is left to remember:
 * no SACKed range, no recovery, and no undo decision pending (one is given
 * up once the data sent after the episode is acknowledged).
 */
static void
maybe_free(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;

	if (sb == NULL || sb->n != 0 || (c->flags & PTCP_TF_RECOVERY) || sb->rto_recovery)
		return;
	if (sb->undo_wait && sb->rxt_bytes != 0 && !ptcp_seq_gt(c->snd_una, sb->undo_end))
		return;
	ptcp_tcp_sack_free(c);
}

static bool
should_enter(const struct ptcp_conn *c)
{
	if (c->sb == NULL || (c->flags & PTCP_TF_RECOVERY) || c->sb->rto_recovery ||
	    c->snd_una == c->snd_max)
		return false;
	/* RFC 6675 5.1 and RFC 6582: not again before HighACK reaches RecoveryPoint. */
	if (ptcp_seq_lt(c->snd_una, c->recover))
		return false;
	return c->dupacks >= PTCP_SACK_DUPTHRESH || ptcp_tcp_sack_is_lost(c, c->snd_una);
}

bool
ptcp_tcp_sack_newack(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg, uint32_t acked,
		     uint32_t rtt_us)
{
	struct ptcp_sack_sb *sb;

	ptcp_tcp_sack_update(c, seg);
	ptcp_tcp_rack_delivered(c, c->snd_una - acked, c->snd_una);
	ptcp_tcp_tlp_ack(c, c->snd_una);
	sb = c->sb;
	if (sb == NULL)
		return false;   /* nothing SACKed: RFC 5681 / RFC 6582 */
	c->dupacks = 0;
	if (c->flags & PTCP_TF_RECOVERY) {
		/* RFC 6675 5 (A): a partial ACK only updates the scoreboard and sends. */
		if (ptcp_seq_ge(c->snd_una, c->recover))
			exit_recovery(c);
		else
			sack_send(c);
	} else if (sb->rto_recovery) {
		ptcp_tcp_cc_ack(c, acked, rtt_us);
		if (ptcp_seq_ge(c->snd_una, c->recover)) {
			sb->rto_recovery = 0;
			sb->lost_end = c->snd_una;
		} else {
			sack_send(c);
		}
	} else {
		ptcp_tcp_cc_ack(c, acked, rtt_us);
		if (should_enter(c))
			enter_recovery(c);
	}
	maybe_free(c);
	return true;   /* the caller arms RACK / TLP once the RTO is restarted */
}

/*
 * RFC 3042: on each of the first two duplicate ACKs one new segment, if
 * the peer's window takes it and FlightSize stays within cwnd + 2 SMSS;
 * cwnd itself does not change.
 */
static void
limited_transmit(struct ptcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	if ((uint64_t)flight + c->snd_mss > (uint64_t)ptcp_tcp_send_cwnd(c) + 2u * c->snd_mss)
		return;
	if (ptcp_tcp_send_new_segment(c) != 0)
		PTCP_INC(c->st, TCP_LIMITED_TRANSMIT);
}

bool
ptcp_tcp_sack_dupack(struct ptcp_conn *c, const struct ptcp_tcp_seg *seg, bool classic_dup)
{
	uint32_t newly = ptcp_tcp_sack_update(c, seg);

	if (c->sb == NULL)
		return false;   /* no scoreboard (nothing SACKed, pool empty): NewReno */
	/* RFC 6675 2: with SACK, an ACK bringing new SACK information is a duplicate too. */
	if (c->snd_una == c->snd_max || (!classic_dup && newly == 0)) {
		maybe_free(c);
		ptcp_tcp_rack_arm(c);
		return true;
	}
	if (c->dupacks < UINT8_MAX)
		c->dupacks++;
	if ((c->flags & PTCP_TF_RECOVERY) || c->sb->rto_recovery)
		sack_send(c);
	else if (should_enter(c))
		enter_recovery(c);
	else if (c->dupacks < PTCP_SACK_DUPTHRESH)
		limited_transmit(c);
	ptcp_tcp_rack_arm(c);
	return true;
}

void
ptcp_tcp_sack_lost_marked(struct ptcp_conn *c)
{
	if (c->sb == NULL)
		return;
	if ((c->flags & PTCP_TF_RECOVERY) || c->sb->rto_recovery)
		sack_send(c);
	else if (should_enter(c))
		enter_recovery(c);
}

void
ptcp_tcp_sack_timeout(struct ptcp_conn *c)
{
	/* RFC 8985: a timeout ends the probe episode and every pending deadline. */
	ptcp_tcp_rack_reset(c);
	if (c->timer[PTCP_TCP_T_RACK] != 0 && c->state != PTCP_TCP_FIN_WAIT_2)
		ptcp_tcp_timer_stop(c, PTCP_TCP_T_RACK);
	if (c->sb != NULL)
		c->sb->undo_wait = 0;   /* no D-SACK undo across a timeout */
}

bool
ptcp_tcp_sack_rto(struct ptcp_conn *c)
{
	struct ptcp_sack_sb *sb = c->sb;

	if (sb == NULL || sb->n == 0) {
		/* Nothing SACKed to remember (partial ACKs passed it all): go back N. */
		ptcp_tcp_sack_free(c);
		return false;
	}
	/*
	 * RFC 6675 5.1: recovery ends (RecoveryPoint = HighData, set by the
	 * RTO response) and the sender slow-starts; like Linux, the SACK
	 * information is kept (the receiver may renege, RFC 2018 8, but then
	 * the next timeout finds no SACKed range and goes back N), so only
	 * the holes are resent.
	 */
	PTCP_ADD(c->st, TCP_SACK_RTO_SKIPPED, sb->sacked_bytes);
	sb->rto_recovery = 1;
	sb->lost_end = c->snd_max;
	sb->high_rxt = c->snd_una;
	sb->rescue_valid = 0;
	c->snd_nxt = c->snd_max;
	sack_send(c);
	return true;
}
