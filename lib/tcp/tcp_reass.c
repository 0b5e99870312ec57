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
 * ptcp_tcp_reass_insert() on arrival; ptcp_tcp_reass_drain() after
 * RCV.NXT advanced moves what became in-order to the receive queue.
 */
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

static void
blk_free(struct ptcp_conn *c, struct rte_mbuf *m)
{
	c->ooo_bytes -= ptcp_tcp_blk(m)->len;
	c->ooo_blocks--;
	rte_pktmbuf_free(m);
}

void
ptcp_tcp_reass_insert(struct ptcp_conn *c, struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	struct ptcp_stack *st = c->st;
	uint32_t end = seq + len;
	struct rte_mbuf **pp = &c->ooo_head;

	/* Blocks entirely before the new one. */
	while (*pp != NULL && ptcp_seq_le(blk_end(*pp), seq))
		pp = &ptcp_tcp_blk(*pp)->next;
	/* A block overlapping the new one's head: held bytes win. */
	if (*pp != NULL && ptcp_seq_le(ptcp_tcp_blk(*pp)->seq, seq)) {
		uint32_t held_end = blk_end(*pp);

		if (ptcp_seq_ge(held_end, end)) {
			PTCP_ADD(st, TCP_OOO_DUP, len);
			rte_pktmbuf_free(m);
			return;
		}
		PTCP_ADD(st, TCP_OOO_DUP, held_end - seq);
		m = ptcp_tcp_mbuf_skip(m, held_end - seq);
		len -= held_end - seq;
		seq = held_end;
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
	}
	if (c->ooo_blocks >= PTCP_TCP_MAX_OOO_BLOCKS) {
		PTCP_INC(st, TCP_OOO_DROP);
		rte_pktmbuf_free(m);
		return;
	}
	ptcp_tcp_blk(m)->seq = seq;
	ptcp_tcp_blk(m)->len = len;
	ptcp_tcp_blk(m)->next = *pp;
	*pp = m;
	c->ooo_blocks++;
	c->ooo_bytes += len;
	PTCP_INC(st, TCP_OOO_QUEUED);
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
		if (ptcp_seq_le(seq + len, c->rcv_nxt)) {
			rte_pktmbuf_free(m);
			continue;
		}
		skip = c->rcv_nxt - seq;
		if (skip)
			m = ptcp_tcp_mbuf_skip(m, skip);
		len -= skip;
		ptcp_tcp_rcvq_append(c, m, len);
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
		rte_pktmbuf_free(m);
	}
	c->ooo_blocks = 0;
	c->ooo_bytes = 0;
}
