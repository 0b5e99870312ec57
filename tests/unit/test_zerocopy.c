/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zerocopy.c - the mbuf API (ptcp_send_mbuf, ptcp_recv_mbuf) and
 * zero-copy transmission: payloads as indirect mbufs attached to the send
 * queue, their ownership, retransmission from clones, and that every mbuf
 * of both pools comes back (ptest_free asserts it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "tcp_private.h"

static uint8_t stream[1u << 16];

/* A payload chain of the lengths in lens[] (0-terminated), bytes from stream[off..]. */
static struct rte_mbuf *
chain_of(struct ptest_ctx *t, uint32_t off, const uint16_t *lens)
{
	struct rte_mbuf *head = NULL;

	for (; *lens != 0; lens++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
		uint8_t *p;

		assert_non_null(m);
		p = (uint8_t *)rte_pktmbuf_append(m, *lens);
		assert_non_null(p);
		memcpy(p, stream + off, *lens);
		off += *lens;
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

static struct ptest_ctx *
zc_established(struct ptest_conn *pc)
{
	struct ptest_ctx *t = ptest_new_zc(NULL);

	ptest_conn_init(t, pc);
	ptest_conn_passive(pc);
	ptcp_conn_set_nodelay(ptest_conn_c(pc), true);   /* no Nagle: every segment now */
	ptest_pattern(stream, sizeof(stream), 0x5a);
	ptest_stream_start(pc, stream);
	return t;
}

static void
test_zerocopy_send_mbuf_segments_reference_queue_buffers(void **state)
{
	/*
	 * Ensure that a chain given to ptcp_send_mbuf is taken whole (return
	 * value = pkt_len), goes out as MSS-sized segments whose payloads are
	 * indirect mbufs attached to the queued buffers (TCP_TX_ZEROCOPY, the
	 * clone pool in use, the queued mbufs' reference counts raised), with
	 * exactly the bytes given; a short tail (< PTCP_TCP_ZC_MIN) is copied.
	 * Once the frames are freed and everything is acknowledged, every mbuf
	 * of both pools is back.
	 */
	static const uint16_t lens[] = { 1500, 1500, 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = zc_established(&pc);
	struct rte_mbuf *m = chain_of(t, 0, lens);
	struct ptcp_conn *c = ptest_conn_c(&pc);

	(void)state;
	assert_int_equal(ptcp_send_mbuf(c, m), 3000);
	ptest_kick(t);
	assert_int_equal(t->nsent, 3);
	assert_int_equal(PTEST_CTR(t, TCP_TX_ZEROCOPY), 2);
	assert_true(ptest_ind_held(t) >= 2);
	assert_true(rte_mbuf_refcnt_read(c->sndq_head) >= 2);
	assert_int_equal(t->sent[0]->nb_segs, 2);       /* header + one clone */
	assert_int_equal(t->sent[1]->nb_segs, 3);       /* 40 + 1420 across two buffers */
	assert_int_equal(t->sent[2]->nb_segs, 1);       /* 80 bytes: copied */
	PTEST_EXPECT_NEW(&pc, 1460);
	PTEST_EXPECT_NEW(&pc, 1460);
	PTEST_EXPECT_NEW(&pc, 80);
	assert_int_equal(ptest_ind_held(t), 0);
	ptest_conn_rx_ack_to(&pc, pc.snd_nxt);
	assert_null(c->sndq_head);
	assert_int_equal(c->snd_mbufs, 0);
	ptest_free(t);
}

static void
test_zerocopy_rexmit_after_partial_ack_from_clones(void **state)
{
	/*
	 * Ensure that after a partial ACK (1000 of 2920 bytes) the RTO
	 * retransmits from byte 1000 with the right bytes, again as clones of
	 * the queue (no copy of the payload), while the first transmission's
	 * clones may still be held by the NIC (captured frames not freed):
	 * trimming the queue head does not move their data.
	 */
	static const uint16_t lens[] = { 2000, 920, 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = zc_established(&pc);
	struct ptcp_conn *c = ptest_conn_c(&pc);
	uint32_t base = pc.snd_nxt;
	struct rte_mbuf *held[2];
	uint8_t got[1460];
	struct ptcp_tcp_seg seg;
	uint64_t zc;

	(void)state;
	assert_int_equal(ptcp_send_mbuf(c, chain_of(t, 0, lens)), 2920);
	ptest_kick(t);
	assert_int_equal(t->nsent, 2);
	/* The "NIC" still holds the first transmission. */
	held[0] = t->sent[0];
	held[1] = t->sent[1];
	t->nsent = 0;
	ptest_conn_rx_ack_to(&pc, base + 1000);
	zc = PTEST_CTR(t, TCP_TX_ZEROCOPY);
	ptest_advance(t, 1100000);      /* past the RTO (1 s initial) */
	assert_true(t->nsent >= 1);
	assert_int_equal(ptest_pop_tcp(t, &seg, got, sizeof(got)), 1460);
	assert_int_equal(seg.seq, base + 1000);
	assert_memory_equal(got, stream + 1000, 1460);
	assert_true(PTEST_CTR(t, TCP_TX_ZEROCOPY) > zc);
	/* The held first transmission still carries its original bytes. */
	assert_int_equal(rte_pktmbuf_read(held[0], 54, 1460, got) != NULL, 1);
	assert_memory_equal(rte_pktmbuf_read(held[0], 54, 1460, got), stream, 1460);
	rte_pktmbuf_free(held[0]);
	rte_pktmbuf_free(held[1]);
	ptest_clear(t);
	ptest_conn_rx_ack_to(&pc, base + 2920);
	assert_null(c->sndq_head);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_zerocopy_recv_mbuf_then_send_mbuf_echoes_without_copy(void **state)
{
	/*
	 * Ensure that ptcp_recv_mbuf hands over the received payload mbufs as
	 * one chain (nb_segs, pkt_len, the bytes), uncharged from the receive
	 * side, and that ptcp_send_mbuf of that chain sends the same bytes back
	 * as clones of the received buffers: an echo that copies no payload.
	 */
	struct ptest_conn pc;
	struct ptest_ctx *t = zc_established(&pc);
	struct ptcp_conn *c = ptest_conn_c(&pc);
	uint8_t a[1000], b[1000], got[2000];
	struct ptcp_tcp_seg seg;
	struct rte_mbuf *m;

	(void)state;
	ptest_pattern(a, sizeof(a), 1);
	ptest_pattern(b, sizeof(b), 2);
	ptest_conn_rx_data(&pc, a, sizeof(a));
	ptest_conn_rx_data(&pc, b, sizeof(b));
	ptest_clear(t);                 /* our ACKs */
	assert_int_equal(ptcp_readable(c), 2000);
	m = ptcp_recv_mbuf(c, 4096);
	assert_non_null(m);
	assert_int_equal(m->pkt_len, 2000);
	assert_int_equal(m->nb_segs, 2);
	assert_int_equal(ptcp_readable(c), 0);
	assert_int_equal(c->rcv_mbufs, 0);
	pc.unread = 0;
	/* Reading opened the window: an update (outside a callback: sent at once). */
	ptest_kick(t);
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);
	assert_int_equal(seg.flags, PT_ACK);
	assert_int_equal(seg.wnd, 65535);
	assert_memory_equal(rte_pktmbuf_read(m, 0, 2000, got), a, 1000);
	assert_memory_equal(rte_pktmbuf_read(m, 1000, 1000, got + 1000), b, 1000);
	assert_int_equal(ptcp_send_mbuf(c, m), 2000);
	ptest_kick(t);
	assert_int_equal(PTEST_CTR(t, TCP_TX_ZEROCOPY), 2);
	memcpy(got, a, 1000);
	memcpy(got + 1000, b, 1000);
	PTEST_EXPECT_SEG(&pc, pc.snd_nxt, 1460, got);
	PTEST_EXPECT_SEG(&pc, pc.snd_nxt + 1460, 540, got + 1460);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_zerocopy_send_mbuf_beyond_space_eagain_keeps_ownership(void **state)
{
	/*
	 * Ensure that a chain longer than ptcp_send_space() is refused whole
	 * (-EAGAIN) and stays the caller's (freeing it returns the pool to its
	 * level), and that after shutdown ptcp_send_mbuf says -EPIPE.
	 */
	static const uint16_t lens[] = { 2000, 2000, 2000, 0 };
	struct ptcp_stack_conf conf = { .snd_buf = 4096 };
	struct ptest_conn pc;
	struct ptest_ctx *t = ptest_new_zc(&conf);
	struct rte_mbuf *m;

	(void)state;
	ptest_conn_init(t, &pc);
	ptest_conn_passive(&pc);
	m = chain_of(t, 0, lens);
	assert_true(ptcp_send_space(ptest_conn_c(&pc)) < 6000);
	assert_int_equal(ptcp_send_mbuf(ptest_conn_c(&pc), m), -EAGAIN);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_int_equal(ptcp_shutdown(ptest_conn_c(&pc)), 0);
	assert_int_equal(ptcp_send_mbuf(ptest_conn_c(&pc), m), -EPIPE);
	rte_pktmbuf_free(m);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_zerocopy_recv_mbuf_limits(void **state)
{
	/*
	 * Ensure that ptcp_recv_mbuf returns NULL with nothing queued or when
	 * the first queued mbuf alone exceeds max (ptcp_recv still reads it),
	 * and returns only whole mbufs within max.
	 */
	struct ptest_conn pc;
	struct ptest_ctx *t = zc_established(&pc);
	struct ptcp_conn *c = ptest_conn_c(&pc);
	uint8_t a[1000], got[1000];
	struct rte_mbuf *m;

	(void)state;
	assert_null(ptcp_recv_mbuf(c, 4096));
	ptest_pattern(a, sizeof(a), 3);
	ptest_conn_rx_data(&pc, a, sizeof(a));
	ptest_conn_rx_data(&pc, a, sizeof(a));
	ptest_clear(t);
	assert_null(ptcp_recv_mbuf(c, 999));
	m = ptcp_recv_mbuf(c, 1999);
	assert_non_null(m);
	assert_int_equal(m->pkt_len, 1000);
	assert_int_equal(m->nb_segs, 1);
	rte_pktmbuf_free(m);
	assert_int_equal(ptcp_recv(c, got, sizeof(got)), 1000);
	assert_memory_equal(got, a, 1000);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_zerocopy_copying_send_still_works_with_clones_in_flight(void **state)
{
	/*
	 * Ensure that ptcp_send (copying) after a zero-copy send never writes
	 * into a buffer that clones in flight share: it starts a new queue
	 * mbuf, and both transmissions carry their own bytes.
	 */
	static const uint16_t lens[] = { 600, 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = zc_established(&pc);
	struct ptcp_conn *c = ptest_conn_c(&pc);

	(void)state;
	assert_int_equal(ptcp_send_mbuf(c, chain_of(t, 0, lens)), 600);
	ptest_kick(t);
	assert_int_equal(t->nsent, 1);
	pc.stream_queued = 600;
	ptest_stream_send(&pc, 700);
	PTEST_EXPECT_NEW(&pc, 600);
	PTEST_EXPECT_NEW(&pc, 700);
	assert_int_equal(c->snd_mbufs, 2);
	ptest_conn_rx_ack_to(&pc, pc.snd_nxt);
	ptest_clear(t);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zerocopy_send_mbuf_segments_reference_queue_buffers),
		cmocka_unit_test(test_zerocopy_rexmit_after_partial_ack_from_clones),
		cmocka_unit_test(test_zerocopy_recv_mbuf_then_send_mbuf_echoes_without_copy),
		cmocka_unit_test(test_zerocopy_send_mbuf_beyond_space_eagain_keeps_ownership),
		cmocka_unit_test(test_zerocopy_recv_mbuf_limits),
		cmocka_unit_test(test_zerocopy_copying_send_still_works_with_clones_in_flight),
	};

	return cmocka_run_group_tests_name("zerocopy", tests, NULL, NULL);
}
