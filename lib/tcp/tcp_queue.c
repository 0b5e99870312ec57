/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_queue.c - the send and receive queues of a connection: the one module
 * that adds to, reads, trims and transmits from them.
 *
 * Both queues are lists of payload mbufs linked by ->next (not one mbuf
 * chain: head fields are not maintained), each charged to the connection
 * (snd_mbufs, rcv_mbufs) and its stack (mem_held), tcp_private.h.
 *
 * Send queue (unacknowledged and unsent bytes from SND.UNA on):
 *   ptcp_tcp_sndq_append       copy bytes in (ptcp_send), filling the tail
 *   ptcp_tcp_sndq_append_mbuf  take an application's mbufs (ptcp_send_mbuf)
 *   ptcp_tcp_sndq_payload      a segment's payload: copied into the header
 *                              mbuf when short, else indirect mbufs attached
 *                              to the queue's buffers (zero copy; the queue
 *                              keeps its reference for retransmission)
 *   ptcp_tcp_sndq_sum          a segment's payload sum from the sums known
 *                              at receive (ptcp_mbuf_sum_*), if it has them
 *   ptcp_tcp_sndq_trim         free what the peer acknowledged
 * Receive queue (in-order bytes not yet read):
 *   ptcp_tcp_rcvq_append       in-order payload from input or reassembly
 *   ptcp_tcp_rcvq_peek/_drop   copy out / free what the application read
 *   ptcp_tcp_rcvq_take         hand whole mbufs to the application
 *                              (ptcp_recv_mbuf: zero copy)
 *
 * Payload sums (ptcp_wire.h "Payload sums carried with mbufs"): an mbuf
 * enters the receive queue with the sum of its payload recorded only when
 * input vouches for it (a whole verified segment); everything here that
 * copies bytes into a queued buffer or moves its data window forgets the
 * sum of that buffer, so a recorded sum is always the sum of the bytes.
 */
#include <string.h>

#include "tcp_private.h"

/* ---- Send queue ------------------------------------------------------------ */

/* True when bytes may be copied behind the data of queue mbuf t. */
static inline bool
writable_tail(const struct rte_mbuf *t)
{
	return RTE_MBUF_DIRECT(t) && rte_mbuf_refcnt_read(t) == 1;
}

uint32_t
ptcp_tcp_sndq_append(struct ptcp_conn *c, const uint8_t *data, uint32_t len)
{
	uint32_t done = 0;

	while (done < len) {
		struct rte_mbuf *t = c->sndq_tail;
		uint32_t room = t != NULL && writable_tail(t) ? rte_pktmbuf_tailroom(t) : 0;
		uint32_t n;

		if (room == 0) {
			t = rte_pktmbuf_alloc(c->st->pool);
			if (t == NULL) {
				PTCP_INC(c->st, POOL_EMPTY);
				break;
			}
			t->data_off = 0;   /* a queue buffer needs no headroom */
			if (c->sndq_tail == NULL)
				c->sndq_head = t;
			else
				c->sndq_tail->next = t;
			c->sndq_tail = t;
			c->snd_mbufs++;
			c->st->mem_held++;
			room = rte_pktmbuf_tailroom(t);
		}
		n = RTE_MIN(room, len - done);
		ptcp_mbuf_sum_clear(t);   /* its bytes change (an echoed mbuf's tail room too) */
		memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len), data + done, n);
		t->data_len = (uint16_t)(t->data_len + n);
		done += n;
	}
	c->sndq_bytes += done;
	return done;
}

void
ptcp_tcp_sndq_append_mbuf(struct ptcp_conn *c, struct rte_mbuf *m)
{
	/* The head's pkt_len and nb_segs describe the chain (ptcp_send_mbuf's contract). */
	uint32_t bytes = m->pkt_len, segs = m->nb_segs;

	if (c->sndq_tail == NULL)
		c->sndq_head = m;
	else
		c->sndq_tail->next = m;
	c->sndq_tail = rte_pktmbuf_lastseg(m);
	c->sndq_bytes += bytes;
	c->snd_mbufs += segs;
	c->st->mem_held += segs;
}

void
ptcp_tcp_sndq_trim(struct ptcp_conn *c, uint32_t n)
{
	c->sndq_bytes -= n;
	c->sndq_seq += n;
	while (n > 0 && c->sndq_head != NULL) {
		struct rte_mbuf *m = c->sndq_head;

		if (n < m->data_len) {
			/* In-flight clones keep their own offsets: only ours moves. */
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			ptcp_mbuf_sum_clear(m);   /* a partial ACK: the rest's sum is unknown */
			return;
		}
		n -= m->data_len;
		c->sndq_head = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		c->snd_mbufs--;
		c->st->mem_held--;
	}
	/* Zero-length mbufs (an application's empty segments) at the head go too. */
	while (c->sndq_head != NULL && c->sndq_head->data_len == 0 &&
	       c->sndq_head != c->sndq_tail) {
		struct rte_mbuf *m = c->sndq_head;

		c->sndq_head = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		c->snd_mbufs--;
		c->st->mem_held--;
	}
	if (c->sndq_head == NULL)
		c->sndq_tail = NULL;
}

/* The queue mbuf holding byte off (updated to the offset inside it). */
static struct rte_mbuf *
sndq_seek(const struct ptcp_conn *c, uint32_t *off)
{
	struct rte_mbuf *m = c->sndq_head;

	while (m != NULL && *off >= m->data_len) {
		*off -= m->data_len;
		m = m->next;
	}
	return m;
}

/* Copy len bytes from byte off of the send queue to dst. */
static void
sndq_copy(const struct ptcp_conn *c, uint32_t off, uint32_t len, uint8_t *dst)
{
	const struct rte_mbuf *m = sndq_seek(c, &off);

	while (len > 0 && m != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		dst += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

/*
 * Indirect mbufs for len bytes from byte off of the send queue, chained
 * behind h. Fails (-ENOBUFS, h unchanged) when the clone pool is empty or
 * the payload spans more than PTCP_TCP_ZC_MAX_SEGS queue mbufs.
 */
static int
sndq_attach(struct ptcp_conn *c, uint32_t off, uint32_t len, struct rte_mbuf *h)
{
	struct rte_mempool *pool = c->st->conf.indirect_pool;
	struct rte_mbuf *clones[PTCP_TCP_ZC_MAX_SEGS];
	struct rte_mbuf *m = sndq_seek(c, &off);
	uint32_t n = 0, left = len, i;

	for (; left > 0 && m != NULL; m = m->next, off = 0) {
		uint32_t take = RTE_MIN(left, (uint32_t)m->data_len - off);

		if (take == 0)
			continue;
		if (n == PTCP_TCP_ZC_MAX_SEGS)
			goto undo;
		clones[n] = rte_pktmbuf_alloc(pool);
		if (unlikely(clones[n] == NULL))
			goto undo;
		rte_pktmbuf_attach(clones[n], m);   /* copies m's recorded sum too */
		if (off != 0 || take != m->data_len)
			ptcp_mbuf_sum_clear(clones[n]);   /* part of m: not m's sum */
		clones[n]->data_off = (uint16_t)(m->data_off + off);
		clones[n]->data_len = (uint16_t)take;
		clones[n]->pkt_len = take;
		n++;
		left -= take;
	}
	if (unlikely(left > 0))
		goto undo;
	for (i = 0; i < n; i++)
		if (unlikely(rte_pktmbuf_chain(h, clones[i]) != 0))
			goto undo_chained;
	return 0;
undo_chained:
	/* Chained clones are freed with h's chain cut back to h. */
	rte_pktmbuf_free(h->next);
	h->next = NULL;
	h->nb_segs = 1;
	h->pkt_len = h->data_len;
	for (; i < n; i++)
		rte_pktmbuf_free(clones[i]);
	return -ENOBUFS;
undo:
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(clones[i]);
	return -ENOBUFS;
}

/*
 * All or nothing: the payload sum of a segment made of whole queue mbufs
 * whose sums are all known (an echo of received mbufs, cut at the same
 * boundaries); false when any byte of the range lies in an mbuf it covers
 * only in part or whose sum is unknown (copied data, a trimmed head).
 */
bool
ptcp_tcp_sndq_sum(const struct ptcp_conn *c, uint32_t off, uint32_t len, uint16_t *sum)
{
	const struct rte_mbuf *m = sndq_seek(c, &off);
	uint32_t acc = 0, done = 0;

	if (off != 0)
		return false;   /* starts inside an mbuf */
	for (; done < len && m != NULL; m = m->next) {
		uint16_t s;

		if (m->data_len > len - done || !ptcp_mbuf_sum_get(m, &s))
			return false;
		acc = ptcp_cksum_add((uint16_t)acc, ptcp_cksum_at(s, done));
		done += m->data_len;
	}
	if (done != len)
		return false;
	*sum = (uint16_t)acc;
	return true;
}

int
ptcp_tcp_sndq_payload(struct ptcp_conn *c, uint32_t off, uint32_t len, struct rte_mbuf *h)
{
	uint8_t *p;

	if (len >= PTCP_TCP_ZC_MIN && c->st->conf.indirect_pool != NULL &&
	    sndq_attach(c, off, len, h) == 0) {
		PTCP_INC(c->st, TCP_TX_ZEROCOPY);
		return 0;
	}
	p = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)len);
	if (unlikely(p == NULL))
		return -EMSGSIZE;
	sndq_copy(c, off, len, p);
	return 0;
}

/* ---- Receive queue --------------------------------------------------------- */

/*
 * Queue in-order payload for the application. Small payloads are copied
 * into the tail's free room, so a stream of tiny segments does not pin one
 * mbuf each (memory stays proportional to the bytes queued). m comes
 * uncharged; the mbufs kept are charged to the connection.
 */
void
ptcp_tcp_rcvq_append(struct ptcp_conn *c, struct rte_mbuf *m, uint32_t len, const uint16_t *sum)
{
	struct rte_mbuf *tail = c->rcvq_tail, *seg;

	c->rcvq_bytes += len;
	if (tail != NULL && len <= rte_pktmbuf_tailroom(tail) && writable_tail(tail)) {
		uint8_t *dst = rte_pktmbuf_mtod_offset(tail, uint8_t *, tail->data_len);
		const void *src = rte_pktmbuf_read(m, 0, len, dst);

		if (src != dst)
			memcpy(dst, src, len);
		tail->data_len = (uint16_t)(tail->data_len + len);
		ptcp_mbuf_sum_clear(tail);
		rte_pktmbuf_free(m);
		return;
	}
	/*
	 * Whatever flags the buffers came with (the PMD's, a previous life's),
	 * only a sum input vouches for, of exactly this one buffer, is kept.
	 */
	for (seg = m; seg != NULL; seg = seg->next)
		ptcp_mbuf_sum_clear(seg);
	if (sum != NULL && m->nb_segs == 1 && m->data_len == len)
		ptcp_mbuf_sum_set(m, *sum);
	if (tail == NULL)
		c->rcvq_head = m;
	else
		tail->next = m;
	c->rcvq_tail = rte_pktmbuf_lastseg(m);
	ptcp_tcp_rmem_charge(c, m->nb_segs);
}

uint32_t
ptcp_tcp_rcvq_peek(const struct ptcp_conn *c, void *buf, uint32_t len)
{
	const struct rte_mbuf *m = c->rcvq_head;
	uint8_t *dst = buf;
	uint32_t done = 0;

	while (done < len && m != NULL) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)m->data_len);

		memcpy(dst + done, rte_pktmbuf_mtod(m, const void *), n);
		done += n;
		m = m->next;
	}
	return done;
}

uint32_t
ptcp_tcp_rcvq_drop(struct ptcp_conn *c, uint32_t len)
{
	uint32_t done = 0;

	len = RTE_MIN(len, c->rcvq_bytes);
	while (c->rcvq_head != NULL) {
		struct rte_mbuf *m = c->rcvq_head;
		uint32_t n = RTE_MIN(len - done, (uint32_t)m->data_len);

		done += n;
		if (n < m->data_len) {
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			ptcp_mbuf_sum_clear(m);
			break;
		}
		/* Whole mbuf read (zero-length ones of a consumed chain too). */
		c->rcvq_head = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		ptcp_tcp_rmem_uncharge(c, 1);
		if (done == len && (c->rcvq_head == NULL || c->rcvq_head->data_len != 0))
			break;
	}
	if (c->rcvq_head == NULL)
		c->rcvq_tail = NULL;
	c->rcvq_bytes -= done;
	return done;
}

struct rte_mbuf *
ptcp_tcp_rcvq_take(struct ptcp_conn *c, uint32_t max, uint32_t *len)
{
	struct rte_mbuf *head = c->rcvq_head, *last = NULL, *m;
	uint32_t bytes = 0;
	uint16_t segs = 0;

	for (m = head; m != NULL && bytes + m->data_len <= max && segs < UINT16_MAX;
	     m = m->next) {
		bytes += m->data_len;
		segs++;
		last = m;
	}
	*len = bytes;
	if (last == NULL)
		return NULL;
	c->rcvq_head = last->next;
	if (c->rcvq_head == NULL)
		c->rcvq_tail = NULL;
	last->next = NULL;
	c->rcvq_bytes -= bytes;
	ptcp_tcp_rmem_uncharge(c, segs);
	/* A chain of its own now: head fields, no receive flags. */
	head->nb_segs = segs;
	head->pkt_len = bytes;
	head->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL | ptcp_mbuf_sum_flag;
	head->packet_type = 0;
	return head;
}
