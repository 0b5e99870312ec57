/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_reass.c - out-of-order segment reassembly (RFC 9293 3.10.7.4 seventh
 * step; RFC 5681 4.2 immediate ACKs are the caller's).
 *
 * Segments beyond RCV.NXT are kept as blocks: payload mbuf chains as they
 * arrived, sorted by sequence, never overlapping. The range and the link of
 * each block live in an mbuf dynamic field (struct ptcp_tcp_blk). A new
 * block is trimmed against what is already held (held data wins, so a byte
 * is never delivered twice) and swallows blocks it covers entirely. The
 * caller accepts only bytes inside the advertised window, so held bytes
 * never exceed the receive buffer; the block count is bounded too.
 *
 * Memory (docs/architecture.md "Memory budget"): a block costs whole mbufs
 * (truesize), not its bytes. A segment that continues a held block is
 * copied into that block's free room (or in front of the block it
 * precedes), so a run of tiny segments pins one mbuf, not one each. A new
 * mbuf is held only within the connection's budget (receive queue + blocks
 * <= PTCP_TCP_RCV_TRUESIZE_MULT * rcv_buf of truesize) and under the
 * stack's out-of-order ceiling (conf.mem_pressure held mbufs): otherwise
 * blocks beyond the new one are pruned (Linux tcp_prune_ofo_queue: the
 * highest sequence numbers first, they are needed last) and, if that is
 * not enough, the segment is dropped. In-order data is never dropped for
 * memory. Nothing beyond a FIN the peer sent is held (RFC 9293 3.10.7.4:
 * the FIN is the last octet of the stream).
 *
 * ptcp_tcp_reass_insert() on arrival; ptcp_tcp_reass_drain() after
 * RCV.NXT advanced moves what became in-order to the receive queue;
 * ptcp_tcp_reass_cut() drops what lies beyond a FIN; ptcp_tcp_reass_prune()
 * gives memory back.
 */
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "tcp_private.h"

int ptcp_tcp_blk_offset = -1;

int
ptcp_tcp_reass_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "ptcp_tcp_reass_blk",
		.size = sizeof(struct ptcp_tcp_blk),
		.align = __alignof__(struct ptcp_tcp_blk),
	};

	if (ptcp_tcp_blk_offset >= 0)
		return 0;
	ptcp_tcp_blk_offset = rte_mbuf_dynfield_register(&desc);
	return ptcp_tcp_blk_offset < 0 ? -rte_errno : 0;
}

static inline uint32_t
blk_end(struct rte_mbuf *m)
{
	return ptcp_tcp_blk(m)->seq + ptcp_tcp_blk(m)->len;
}

/* Unlink-free a block (the caller unlinked it), uncharging its mbufs. */
static void
blk_free(struct ptcp_conn *c, struct rte_mbuf *m)
{
	c->ooo_bytes -= ptcp_tcp_blk(m)->len;
	c->ooo_blocks--;
	ptcp_tcp_rmem_uncharge(c, m->nb_segs);
	rte_pktmbuf_free(m);
}

/* A segment we may write into: not shared with anyone. */
static inline bool
writable(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1;
}

/* Append len bytes of src (a payload chain) to block b if its last mbuf has room. */
static bool
blk_append(struct rte_mbuf *b, const struct rte_mbuf *src, uint32_t len)
{
	struct rte_mbuf *last = rte_pktmbuf_lastseg(b);
	uint8_t *dst;
	const void *p;

	if (len > rte_pktmbuf_tailroom(last) || !writable(last))
		return false;
	dst = rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len);
	p = rte_pktmbuf_read(src, 0, len, dst);
	if (p != dst)
		memcpy(dst, p, len);
	last->data_len = (uint16_t)(last->data_len + len);
	b->pkt_len += len;
	ptcp_tcp_blk(b)->len += len;
	return true;
}

/* Put len bytes of src in front of block b if its first mbuf has headroom. */
static bool
blk_prepend(struct rte_mbuf *b, const struct rte_mbuf *src, uint32_t len)
{
	uint8_t *dst, buf[RTE_PKTMBUF_HEADROOM];
	const void *p;

	if (len > rte_pktmbuf_headroom(b) || len > sizeof(buf) || !writable(b))
		return false;
	p = rte_pktmbuf_read(src, 0, len, buf);
	dst = (uint8_t *)rte_pktmbuf_prepend(b, (uint16_t)len);
	memcpy(dst, p, len);
	ptcp_tcp_blk(b)->seq -= len;
	ptcp_tcp_blk(b)->len += len;
	return true;
}

/*
 * Give memory back: free held blocks that lie entirely after `after`, the
 * highest sequence numbers first, until the connection is within its
 * budget and the stack under its out-of-order ceiling. Returns true if
 * that was reached.
 */
static bool
within_budget(const struct ptcp_conn *c, uint32_t need)
{
	const struct ptcp_stack *st = c->st;

	return c->rcv_mbufs + need <= ptcp_tcp_rcv_mbufs_max(c) &&
		st->mem_held + need <= st->conf.mem_pressure &&
		ptcp_pool_avail(st) > st->conf.mbuf_reserve + need;
}

static bool
prune(struct ptcp_conn *c, uint32_t after, uint32_t need)
{
	while (!within_budget(c, need)) {
		struct rte_mbuf **pp = &c->ooo_head, **last = NULL;

		for (; *pp != NULL; pp = &ptcp_tcp_blk(*pp)->next)
			if (ptcp_seq_ge(ptcp_tcp_blk(*pp)->seq, after))
				last = pp;
		if (last == NULL)
			return false;
		PTCP_INC(c->st, TCP_OOO_PRUNE);
		{
			struct rte_mbuf *victim = *last;

			*last = ptcp_tcp_blk(victim)->next;
			blk_free(c, victim);
		}
	}
	return true;
}

bool
ptcp_tcp_reass_prune(struct ptcp_conn *c, uint32_t after)
{
	return prune(c, after, 0);
}

/* Block *pp is followed by a block it now touches: absorb that one if it fits. */
static void
absorb_next(struct ptcp_conn *c, struct rte_mbuf *b)
{
	struct rte_mbuf *next = ptcp_tcp_blk(b)->next;

	if (next == NULL || blk_end(b) != ptcp_tcp_blk(next)->seq)
		return;
	if (!blk_append(b, next, ptcp_tcp_blk(next)->len))
		return;
	/* blk_append counted next's bytes in b; blk_free takes them off once. */
	ptcp_tcp_blk(b)->next = ptcp_tcp_blk(next)->next;
	c->ooo_bytes += ptcp_tcp_blk(next)->len;
	blk_free(c, next);
	PTCP_INC(c->st, TCP_OOO_MERGED);
}

void
ptcp_tcp_reass_insert(struct ptcp_conn *c, struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	struct ptcp_stack *st = c->st;
	uint32_t end = seq + len;
	struct rte_mbuf **pp = &c->ooo_head, *prev = NULL;

	/* Blocks entirely before the new one. */
	while (*pp != NULL && ptcp_seq_le(blk_end(*pp), seq)) {
		prev = *pp;
		pp = &ptcp_tcp_blk(*pp)->next;
	}
	/* A block overlapping the new one's head: held bytes win. */
	if (*pp != NULL && ptcp_seq_le(ptcp_tcp_blk(*pp)->seq, seq)) {
		uint32_t held_end = blk_end(*pp);

		/* RFC 2883 4: the duplicated part is the next ACK's D-SACK block. */
		ptcp_tcp_dsack_note(c, seq, ptcp_seq_ge(held_end, end) ? end : held_end);
		if (ptcp_seq_ge(held_end, end)) {
			PTCP_ADD(st, TCP_OOO_DUP, len);
			rte_pktmbuf_free(m);
			return;
		}
		PTCP_ADD(st, TCP_OOO_DUP, held_end - seq);
		m = ptcp_tcp_mbuf_skip(m, held_end - seq);
		len -= held_end - seq;
		seq = held_end;
		prev = *pp;
		pp = &ptcp_tcp_blk(*pp)->next;
	}
	/* Blocks the new one covers entirely are replaced by it. */
	while (*pp != NULL && ptcp_seq_le(blk_end(*pp), end)) {
		struct rte_mbuf *victim = *pp;

		PTCP_ADD(st, TCP_OOO_DUP, ptcp_tcp_blk(victim)->len);
		*pp = ptcp_tcp_blk(victim)->next;
		blk_free(c, victim);
	}
	/* A block overlapping the new one's tail: cut the new one short. */
	if (*pp != NULL && ptcp_seq_lt(ptcp_tcp_blk(*pp)->seq, end)) {
		uint32_t keep = ptcp_tcp_blk(*pp)->seq - seq;

		PTCP_ADD(st, TCP_OOO_DUP, len - keep);
		if (keep == 0) {
			/* Covered by held blocks that touch each other. */
			rte_pktmbuf_free(m);
			return;
		}
		ptcp_tcp_mbuf_cut(m, keep);
		len = keep;
		end = seq + len;
	}
	/* Continues the previous block, or leads into the next: copy, pin nothing. */
	if (prev != NULL && blk_end(prev) == seq && blk_append(prev, m, len)) {
		c->ooo_bytes += len;
		rte_pktmbuf_free(m);
		PTCP_INC(st, TCP_OOO_QUEUED);
		PTCP_INC(st, TCP_OOO_MERGED);
		absorb_next(c, prev);
		return;
	}
	if (*pp != NULL && ptcp_tcp_blk(*pp)->seq == end && blk_prepend(*pp, m, len)) {
		c->ooo_bytes += len;
		rte_pktmbuf_free(m);
		PTCP_INC(st, TCP_OOO_QUEUED);
		PTCP_INC(st, TCP_OOO_MERGED);
		return;
	}
	if (c->ooo_blocks >= PTCP_TCP_MAX_OOO_BLOCKS) {
		PTCP_INC(st, TCP_OOO_DROP);
		rte_pktmbuf_free(m);
		return;
	}
	/* A new block pins m's mbufs: within the budgets, pruning later blocks if need be. */
	if (!within_budget(c, m->nb_segs) && !prune(c, end, m->nb_segs)) {
		PTCP_INC(st, TCP_OOO_DROP_MEM);
		rte_pktmbuf_free(m);
		return;
	}
	/* Pruning may have freed *pp's successors but never what precedes end. */
	ptcp_tcp_blk(m)->seq = seq;
	ptcp_tcp_blk(m)->len = len;
	ptcp_tcp_blk(m)->next = *pp;
	*pp = m;
	c->ooo_blocks++;
	c->ooo_bytes += len;
	ptcp_tcp_rmem_charge(c, m->nb_segs);
	PTCP_INC(st, TCP_OOO_QUEUED);
	absorb_next(c, m);
}

/*
 * The peer's FIN is at `end`: nothing at or beyond it is data. Drop held
 * bytes there (RFC 9293 3.10.7.4: the FIN is the last octet).
 */
void
ptcp_tcp_reass_cut(struct ptcp_conn *c, uint32_t end)
{
	struct rte_mbuf **pp = &c->ooo_head;

	while (*pp != NULL && ptcp_seq_le(blk_end(*pp), end))
		pp = &ptcp_tcp_blk(*pp)->next;
	while (*pp != NULL) {
		struct rte_mbuf *m = *pp;
		uint32_t seq = ptcp_tcp_blk(m)->seq, len = ptcp_tcp_blk(m)->len;

		if (ptcp_seq_lt(seq, end)) {
			/* Straddles the FIN: keep the part before it. */
			uint32_t keep = end - seq;
			uint16_t segs = m->nb_segs;

			PTCP_ADD(c->st, TCP_OOO_BEYOND_FIN, len - keep);
			ptcp_tcp_mbuf_cut(m, keep);
			ptcp_tcp_rmem_uncharge(c, segs - m->nb_segs);
			ptcp_tcp_blk(m)->len = keep;
			c->ooo_bytes -= len - keep;
			pp = &ptcp_tcp_blk(m)->next;
			continue;
		}
		PTCP_ADD(c->st, TCP_OOO_BEYOND_FIN, len);
		*pp = ptcp_tcp_blk(m)->next;
		blk_free(c, m);
	}
}

void
ptcp_tcp_reass_drain(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	bool filled = false;

	while (c->ooo_head != NULL && ptcp_seq_le(ptcp_tcp_blk(c->ooo_head)->seq, c->rcv_nxt)) {
		struct rte_mbuf *m = c->ooo_head;
		uint32_t seq = ptcp_tcp_blk(m)->seq, len = ptcp_tcp_blk(m)->len;
		uint32_t skip;

		c->ooo_head = ptcp_tcp_blk(m)->next;
		c->ooo_blocks--;
		c->ooo_bytes -= len;
		/* The receive queue charges what it keeps. */
		ptcp_tcp_rmem_uncharge(c, m->nb_segs);
		if (ptcp_seq_le(seq + len, c->rcv_nxt)) {
			rte_pktmbuf_free(m);
			continue;
		}
		skip = c->rcv_nxt - seq;
		if (skip)
			m = ptcp_tcp_mbuf_skip(m, skip);
		len -= skip;
		ptcp_tcp_rcvq_append(c, m, len, NULL);   /* held data: no sum kept */
		c->rcv_nxt += len;
		PTCP_ADD(st, TCP_DATA_RX, len);
		filled = true;
	}
	if (filled)
		PTCP_INC(st, TCP_OOO_FILLED);
}

void
ptcp_tcp_reass_free(struct ptcp_conn *c)
{
	while (c->ooo_head != NULL) {
		struct rte_mbuf *m = c->ooo_head;

		c->ooo_head = ptcp_tcp_blk(m)->next;
		ptcp_tcp_rmem_uncharge(c, m->nb_segs);
		rte_pktmbuf_free(m);
	}
	c->ooo_blocks = 0;
	c->ooo_bytes = 0;
}
