/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp_cksum.c - echoed payloads are checksummed once: the payload sum
 * learnt when a received segment verified travels with its mbuf, and a
 * segment made of whole such mbufs (ptcp_recv_mbuf -> ptcp_send_mbuf) is
 * checksummed from it (TCP_TX_CKSUM_REUSED) without reading the payload.
 * Everything else (trimmed, copied into, split, retransmitted, reassembled,
 * chained on receive, vouched for by the NIC) is summed in full.
 *
 * Every segment the stack emits is checked by full recomputation twice: on
 * the mbuf chain as sent (ptcp_l4_cksum_mbuf) and by ptest_pop_tcp on the
 * flattened frame. The harness port has no checksum offload, like net_memif.
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

#define L4_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))

/* A deterministic generator: a failing case reproduces. */
static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* The application: echo each received chain at once, or hold them to send as one. */
struct echo_app {
	bool hold;
	struct rte_mbuf *held;       /* hold: the received chains, chained */
	uint32_t held_len;
	const void *prefix;          /* copied with ptcp_send before the echoed chain */
	uint32_t prefix_len;
	const void *suffix;          /* copied with ptcp_send after it */
	uint32_t suffix_len;
	void (*edit)(struct rte_mbuf *m);   /* applied to the chain before it is sent */
};

static void
echo_readable(struct ptcp_conn *c, void *arg)
{
	struct echo_app *app = arg;
	struct rte_mbuf *m;

	while ((m = ptcp_recv_mbuf(c, UINT32_MAX)) != NULL) {
		uint32_t len = m->pkt_len;

		if (app->hold) {
			if (app->held == NULL)
				app->held = m;
			else
				assert_int_equal(rte_pktmbuf_chain(app->held, m), 0);
			app->held_len += len;
			continue;
		}
		if (app->edit != NULL) {
			app->edit(m);
			len = m->pkt_len;
		}
		if (app->prefix_len != 0)
			assert_int_equal(ptcp_send(c, app->prefix, app->prefix_len),
					 (int32_t)app->prefix_len);
		assert_int_equal(ptcp_send_mbuf(c, m), (int32_t)len);
		if (app->suffix_len != 0)
			assert_int_equal(ptcp_send(c, app->suffix, app->suffix_len),
					 (int32_t)app->suffix_len);
	}
}

static const struct ptcp_conn_ops echo_ops = { .on_readable = echo_readable };

static struct ptest_ctx *
echo_established(struct ptest_conn *pc, struct echo_app *app, bool zc, uint16_t peer_wnd,
		 const struct ptcp_stack_conf *conf)
{
	struct ptest_ctx *t;
	struct ptcp_conn *c;

	if (zc) {
		t = ptest_new_zc(conf);
		ptest_conn_init(t, pc);
		pc->peer_wnd = peer_wnd;
		ptest_conn_passive(pc);
	} else {
		t = ptest_established_wnd(pc, conf, peer_wnd);
	}
	c = ptest_conn_c(pc);
	ptcp_conn_set_nodelay(c, true);
	/* Taken over from the recorder: this test's application answers from now on. */
	c->ops = &echo_ops;
	c->arg = app;
	return t;
}

/* Full recomputation over the chain as it leaves the stack: 0 when the checksum is right. */
static uint16_t
sent_cksum_residue(const struct rte_mbuf *m)
{
	return ptcp_l4_cksum_mbuf(m, L4_OFF, PTEST_LOCAL_IP, PTEST_PEER_IP, IPPROTO_TCP,
				  rte_pktmbuf_pkt_len(m) - L4_OFF);
}

/*
 * Pop every captured frame: each must verify (chain and flat), its data
 * segments must carry the next bytes of want at pc->snd_nxt (which
 * advances). Returns the payload bytes popped.
 */
static uint32_t
pop_echo(struct ptest_conn *pc, const uint8_t *want, uint32_t want_len)
{
	struct ptest_ctx *t = pc->t;
	uint32_t done = 0;
	uint8_t got[PTEST_MSS];

	while (t->nsent != 0) {
		struct ptcp_tcp_seg seg;
		uint32_t n;

		assert_int_equal(sent_cksum_residue(t->sent[0]), 0);
		n = ptest_pop_tcp(t, &seg, got, sizeof(got));
		if (n == 0)
			continue;   /* a window update or bare ACK */
		assert_int_equal(seg.seq, pc->snd_nxt);
		assert_true(done + n <= want_len);
		assert_memory_equal(got, want + done, n);
		pc->snd_nxt += n;
		done += n;
	}
	return done;
}

static void
echo_each_received_segment(bool zc)
{
	struct echo_app app = { 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, zc, 65535, NULL);
	static uint8_t data[PTEST_MSS];
	unsigned int i, odd = 0;

	rng_state = zc ? 0x9e3779b97f4a7c15ull : 0x243f6a8885a308d3ull;
	for (i = 0; i < 300; i++) {
		uint32_t len = 1 + rng() % PTEST_MSS;
		uint64_t reused = PTEST_CTR(t, TCP_TX_CKSUM_REUSED);
		uint32_t k;

		for (k = 0; k < len; k++)
			data[k] = (uint8_t)rng();
		odd += len & 1;
		ptest_conn_rx_data(&pc, data, len);
		assert_int_equal(pop_echo(&pc, data, len), len);
		assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), reused + 1);
	}
	assert_true(odd > 50 && odd < 250);   /* both parities were exercised */
	ptest_conn_rx_ack(&pc);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_echo_of_each_received_segment_reuses_its_sum_copied_payload(void **state)
{
	/*
	 * Ensure that, on a port without chained TX (net_memif: the payload is
	 * copied behind the header), the echo of each received segment of
	 * random length (odd and even, random bytes) is checksummed from the
	 * sum known at receive (one TCP_TX_CKSUM_REUSED per segment) and that
	 * every checksum equals a full recomputation.
	 */
	(void)state;
	echo_each_received_segment(false);
}

static void
test_echo_of_each_received_segment_reuses_its_sum_clone_payload(void **state)
{
	/*
	 * Ensure the same where payloads of 256 bytes and more go out as
	 * indirect mbufs attached to the received buffers: the clones carry
	 * the sums of the buffers they cover whole.
	 */
	(void)state;
	echo_each_received_segment(true);
}

/*
 * Segments are cut at MSS multiples of the queued bytes; a segment reuses
 * the sums when both its ends fall on boundaries of the received mbufs.
 */
static unsigned int
expected_reuse(const uint32_t *bounds, unsigned int nb, uint32_t total)
{
	unsigned int n = 0;
	uint32_t start;

	for (start = 0; start < total; start += PTEST_MSS) {
		uint32_t end = RTE_MIN(start + PTEST_MSS, total);
		bool s_ok = false, e_ok = false;
		unsigned int i;

		for (i = 0; i <= nb; i++) {
			s_ok |= bounds[i] == start;
			e_ok |= bounds[i] == end;
		}
		n += s_ok && e_ok;
	}
	return n;
}

static void
echo_chains_of_received_segments(bool zc)
{
	struct echo_app app = { .hold = true };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, zc, 65535, NULL);
	struct ptcp_conn *c = ptest_conn_c(&pc);
	static uint8_t data[6 * PTEST_MSS];
	unsigned int round, reused_total = 0, split_total = 0;

	rng_state = zc ? 0x452821e638d01377ull : 0xbe5466cf34e90c6cull;
	for (round = 0; round < 200; round++) {
		unsigned int nb = 1 + rng() % 6, i;
		uint32_t bounds[7] = { 0 }, total = 0;
		uint64_t reused = PTEST_CTR(t, TCP_TX_CKSUM_REUSED);
		unsigned int want;

		for (i = 0; i < nb; i++) {
			/* Short pieces often, so several fit one segment. */
			uint32_t len = 1 + rng() % (rng() % 2 ? 400 : PTEST_MSS);
			uint32_t k;

			for (k = 0; k < len; k++)
				data[total + k] = (uint8_t)rng();
			ptest_conn_rx_data(&pc, data + total, len);
			total += len;
			bounds[i + 1] = total;
		}
		ptest_clear(t);   /* our ACKs of the data */
		assert_int_equal(app.held_len, total);
		assert_int_equal(ptcp_send_mbuf(c, app.held), (int32_t)total);
		app.held = NULL;
		app.held_len = 0;
		ptest_kick(t);
		assert_int_equal(pop_echo(&pc, data, total), total);
		want = expected_reuse(bounds, nb, total);
		assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED) - reused, want);
		reused_total += want;
		split_total += (total + PTEST_MSS - 1) / PTEST_MSS - want;
		ptest_conn_rx_ack(&pc);
		ptest_clear(t);
	}
	/* Both paths were taken many times. */
	assert_true(reused_total > 50);
	assert_true(split_total > 50);
	ptest_free(t);
}

static void
test_echo_of_chains_reuses_sums_where_segments_cover_whole_mbufs_copied(void **state)
{
	/*
	 * Ensure that chains of 1..6 received mbufs of random lengths, echoed
	 * as one ptcp_send_mbuf, reuse the sums exactly for the segments made
	 * of whole mbufs (odd offsets inside a segment included) and sum in
	 * full those that split an mbuf; every checksum verifies.
	 */
	(void)state;
	echo_chains_of_received_segments(false);
}

static void
test_echo_of_chains_reuses_sums_where_segments_cover_whole_mbufs_clones(void **state)
{
	/* Ensure the same with payloads attached as indirect mbufs. */
	(void)state;
	echo_chains_of_received_segments(true);
}

static void
test_rexmit_after_partial_ack_sums_in_full(void **state)
{
	/*
	 * Ensure that after a partial ACK (500 of 1400 echoed bytes) the
	 * retransmission of the rest, which starts inside the received mbuf,
	 * is summed in full and verifies; so is a retransmission of a whole
	 * mbuf (the RTO again): retransmissions never reuse a sum.
	 */
	static const bool zcs[] = { false, true };
	unsigned int z;

	(void)state;
	for (z = 0; z < RTE_DIM(zcs); z++) {
		struct echo_app app = { 0 };
		struct ptest_conn pc;
		struct ptest_ctx *t = echo_established(&pc, &app, zcs[z], 65535, NULL);
		uint8_t data[1400], got[1400];
		struct ptcp_tcp_seg seg;
		uint32_t base = pc.snd_nxt;
		uint64_t reused;

		ptest_pattern(data, sizeof(data), 0x33);
		data[7] ^= 0xff;
		ptest_conn_rx_data(&pc, data, sizeof(data));
		assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
		assert_int_equal(sent_cksum_residue(t->sent[0]), 0);
		assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 1400);
		reused = PTEST_CTR(t, TCP_TX_CKSUM_REUSED);
		ptest_conn_rx_ack_to(&pc, base + 500);
		ptest_clear(t);
		ptest_advance(t, 1100000);      /* past the RTO */
		assert_true(t->nsent >= 1);
		assert_int_equal(sent_cksum_residue(t->sent[0]), 0);
		assert_int_equal(ptest_pop_tcp(t, &seg, got, sizeof(got)), 900);
		assert_int_equal(seg.seq, base + 500);
		assert_memory_equal(got, data + 500, 900);
		assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), reused);
		ptest_clear(t);
		ptest_conn_rx_ack_to(&pc, base + 1400);
		ptest_clear(t);
		ptest_free(t);
	}
}

static void
test_whole_mbuf_rexmit_sums_in_full(void **state)
{
	/*
	 * Ensure that the retransmission of a segment that was a whole echoed
	 * mbuf (its sum is still recorded) sums in full all the same: a
	 * retransmission is what repairs a wrong recorded sum.
	 */
	struct echo_app app = { 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, NULL);
	uint8_t data[777], got[777];
	struct ptcp_tcp_seg seg;
	uint32_t base = pc.snd_nxt;

	(void)state;
	ptest_pattern(data, sizeof(data), 0x44);
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 777);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
	ptest_advance(t, 1100000);
	assert_true(t->nsent >= 1);
	assert_int_equal(sent_cksum_residue(t->sent[0]), 0);
	assert_int_equal(ptest_pop_tcp(t, &seg, got, sizeof(got)), 777);
	assert_int_equal(seg.seq, base);
	assert_memory_equal(got, data, 777);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
	ptest_clear(t);
	ptest_conn_rx_ack_to(&pc, base + 777);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_first_transmission_split_by_peer_window_sums_in_full(void **state)
{
	/*
	 * Ensure that a received mbuf sent in two parts because the peer's
	 * window (1000) cuts it sums both parts in full, and both verify.
	 */
	struct echo_app app = { 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 1000, NULL);
	uint8_t data[1400];
	uint32_t base = pc.snd_nxt;

	(void)state;
	ptest_pattern(data, sizeof(data), 0x55);
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(pop_echo(&pc, data, sizeof(data)), 1000);
	ptest_conn_rx_ack_to(&pc, base + 1000);
	assert_int_equal(pop_echo(&pc, data + 1000, 400), 400);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	ptest_conn_rx_ack_to(&pc, base + 1400);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_mixed_copy_and_mbuf_queue_sums_in_full(void **state)
{
	/*
	 * Ensure that a segment holding copied bytes (ptcp_send) before an
	 * echoed mbuf, or an echoed mbuf that ptcp_send then appended bytes
	 * into (its tail room), is summed in full and verifies; an echo alone
	 * afterwards reuses again.
	 */
	static const char pre[] = "copied before the echo, odd length";
	static const char post[] = "copied into the echoed mbuf's tail room";
	struct echo_app app = { 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, NULL);
	uint8_t data[601], want[sizeof(pre) + sizeof(data) + sizeof(post)];

	(void)state;
	ptest_pattern(data, sizeof(data), 0x66);
	/* Copy, then the mbuf: one segment of both. */
	app.prefix = pre;
	app.prefix_len = sizeof(pre);
	memcpy(want, pre, sizeof(pre));
	memcpy(want + sizeof(pre), data, sizeof(data));
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(pop_echo(&pc, want, sizeof(pre) + sizeof(data)),
			 sizeof(pre) + sizeof(data));
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	/* The mbuf, then a copy that lands in its tail room. */
	app.prefix_len = 0;
	app.suffix = post;
	app.suffix_len = sizeof(post);
	memcpy(want, data, sizeof(data));
	memcpy(want + sizeof(data), post, sizeof(post));
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(pop_echo(&pc, want, sizeof(data) + sizeof(post)),
			 sizeof(data) + sizeof(post));
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	/* The echo alone. */
	app.suffix_len = 0;
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(pop_echo(&pc, data, sizeof(data)), sizeof(data));
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
	ptest_conn_rx_ack(&pc);
	ptest_clear(t);
	ptest_free(t);
}

static void
adj_3(struct rte_mbuf *m)
{
	assert_non_null(rte_pktmbuf_adj(m, 3));
}

static void
flip_byte_and_clear(struct rte_mbuf *m)
{
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 10) ^= 0x5a;
	ptcp_mbuf_sum_clear(m);
}

static void
flip_byte(struct rte_mbuf *m)
{
	*rte_pktmbuf_mtod_offset(m, uint8_t *, 10) ^= 0x5a;
}

static void
test_application_trim_of_received_mbuf_sums_in_full(void **state)
{
	/*
	 * Ensure that an application that moves the data window of a received
	 * mbuf (rte_pktmbuf_adj) before sending it gets a full sum: the
	 * recorded sum names the window it covers.
	 */
	struct echo_app app = { .edit = adj_3 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, NULL);
	uint8_t data[500];

	(void)state;
	ptest_pattern(data, sizeof(data), 0x77);
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(pop_echo(&pc, data + 3, sizeof(data) - 3), sizeof(data) - 3);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	ptest_conn_rx_ack(&pc);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_application_rewrite_with_sum_clear_sums_in_full(void **state)
{
	/*
	 * Ensure that an application that rewrites received bytes in place and
	 * says so (ptcp_mbuf_sum_clear) gets a correct checksum at once.
	 */
	struct echo_app app = { .edit = flip_byte_and_clear };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, NULL);
	uint8_t data[500], want[500];

	(void)state;
	ptest_pattern(data, sizeof(data), 0x78);
	memcpy(want, data, sizeof(data));
	want[10] ^= 0x5a;
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(pop_echo(&pc, want, sizeof(want)), sizeof(want));
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	ptest_conn_rx_ack(&pc);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_application_rewrite_without_sum_clear_repaired_by_rexmit(void **state)
{
	/*
	 * Ensure that the failure an application causes by rewriting received
	 * bytes in place without ptcp_mbuf_sum_clear is a dropped first
	 * transmission, not wrong data: that segment's checksum does not
	 * verify (the peer discards it), and the retransmission, summed in
	 * full, carries the rewritten bytes with a correct checksum.
	 */
	struct echo_app app = { .edit = flip_byte };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, NULL);
	uint8_t data[500], want[500], got[500];
	struct ptcp_tcp_seg seg;
	uint32_t base = pc.snd_nxt;

	(void)state;
	ptest_pattern(data, sizeof(data), 0x79);
	memcpy(want, data, sizeof(data));
	want[10] ^= 0x5a;
	ptest_conn_rx_data(&pc, data, sizeof(data));
	assert_int_equal(t->nsent, 1);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
	assert_int_not_equal(sent_cksum_residue(t->sent[0]), 0);
	ptest_clear(t);
	ptest_advance(t, 1100000);
	assert_true(t->nsent >= 1);
	assert_int_equal(sent_cksum_residue(t->sent[0]), 0);
	assert_int_equal(ptest_pop_tcp(t, &seg, got, sizeof(got)), 500);
	assert_int_equal(seg.seq, base);
	assert_memory_equal(got, want, sizeof(want));
	ptest_clear(t);
	ptest_conn_rx_ack_to(&pc, base + 500);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_trimmed_duplicate_and_reassembled_data_sum_in_full(void **state)
{
	/*
	 * Ensure that payload input trimmed (a retransmission overlapping
	 * bytes already received) or took from reassembly (out of order)
	 * carries no sum: its echo is summed in full and verifies, while the
	 * untrimmed in-order segment before it reused.
	 */
	struct echo_app app = { 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, NULL);
	struct ptcp_conn *c = ptest_conn_c(&pc);
	uint8_t data[3000];
	uint32_t r0 = pc.rcv_nxt;

	(void)state;
	ptest_pattern(data, sizeof(data), 0x7a);
	data[1] = 0;
	ptest_conn_rx_data(&pc, data, 500);
	assert_int_equal(pop_echo(&pc, data, 500), 500);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
	/* [300, 1001): 200 bytes already had, 501 new. */
	ptest_conn_rx(&pc, PT_ACK, r0 + 300, pc.snd_nxt, data + 300, 701);
	pc.rcv_nxt = r0 + 1001;
	assert_int_equal(pop_echo(&pc, data + 500, 501), 501);
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 1);
	/* [2001, 3000) beyond a gap, then [1001, 2001). */
	ptest_conn_rx(&pc, PT_ACK, r0 + 2001, pc.snd_nxt, data + 2001, 999);
	ptest_clear(t);   /* the duplicate ACK */
	assert_non_null(c->ooo_head);
	ptest_conn_rx(&pc, PT_ACK, r0 + 1001, pc.snd_nxt, data + 1001, 1000);
	pc.rcv_nxt = r0 + 3000;
	assert_int_equal(pop_echo(&pc, data + 1001, 1999), 1999);
	assert_true(PTEST_CTR(t, TCP_TX_CKSUM_REUSED) <= 2);   /* [1001, 2001) at most */
	ptest_conn_rx_ack(&pc);
	ptest_clear(t);
	ptest_free(t);
}

static void
test_nic_verified_and_chained_receive_sum_in_full(void **state)
{
	/*
	 * Ensure that payloads whose sum input did not compute (the NIC
	 * vouched for the checksum; a segment received as a chain) are echoed
	 * with a full sum that verifies.
	 */
	struct ptcp_stack_conf conf = { .offloads = PTCP_OFFLOAD_RX_L4_CKSUM };
	struct echo_app app = { 0 };
	struct ptest_conn pc;
	struct ptest_ctx *t = echo_established(&pc, &app, false, 65535, &conf);
	uint8_t data[1001];
	struct rte_mbuf *m, *tail;
	uint32_t at;
	uint8_t *p;

	(void)state;
	ptest_pattern(data, sizeof(data), 0x7b);
	m = ptest_tcp_frame(t, &(struct ptest_seg){ .sport = pc.rport, .dport = pc.lport,
		.seq = pc.rcv_nxt, .ack = pc.snd_nxt, .flags = PT_ACK, .wnd = pc.peer_wnd,
		.data = data, .len = sizeof(data) });
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	ptest_rx(t, m);
	pc.rcv_nxt += sizeof(data);
	assert_int_equal(pop_echo(&pc, data, sizeof(data)), sizeof(data));
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	/* The same bytes as a chain split at an odd offset, checked in software. */
	m = ptest_tcp_frame(t, &(struct ptest_seg){ .sport = pc.rport, .dport = pc.lport,
		.seq = pc.rcv_nxt, .ack = pc.snd_nxt, .flags = PT_ACK, .wnd = pc.peer_wnd,
		.data = data, .len = sizeof(data) });
	at = (uint32_t)L4_OFF + 20 + 333;
	tail = rte_pktmbuf_alloc(t->pool);
	assert_non_null(tail);
	p = (uint8_t *)rte_pktmbuf_append(tail, (uint16_t)(m->data_len - at));
	memcpy(p, rte_pktmbuf_mtod_offset(m, uint8_t *, at), m->data_len - at);
	assert_int_equal(rte_pktmbuf_trim(m, (uint16_t)(m->data_len - at)), 0);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	ptest_rx(t, m);
	pc.rcv_nxt += sizeof(data);
	assert_int_equal(PTEST_CTR(t, TCP_RX), 4);   /* handshake SYN, ACK, these two */
	assert_int_equal(pop_echo(&pc, data, sizeof(data)), sizeof(data));
	assert_int_equal(PTEST_CTR(t, TCP_TX_CKSUM_REUSED), 0);
	ptest_conn_rx_ack(&pc);
	ptest_clear(t);
	ptest_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_of_each_received_segment_reuses_its_sum_copied_payload),
		cmocka_unit_test(test_echo_of_each_received_segment_reuses_its_sum_clone_payload),
		cmocka_unit_test(
			test_echo_of_chains_reuses_sums_where_segments_cover_whole_mbufs_copied),
		cmocka_unit_test(
			test_echo_of_chains_reuses_sums_where_segments_cover_whole_mbufs_clones),
		cmocka_unit_test(test_rexmit_after_partial_ack_sums_in_full),
		cmocka_unit_test(test_whole_mbuf_rexmit_sums_in_full),
		cmocka_unit_test(test_first_transmission_split_by_peer_window_sums_in_full),
		cmocka_unit_test(test_mixed_copy_and_mbuf_queue_sums_in_full),
		cmocka_unit_test(test_application_trim_of_received_mbuf_sums_in_full),
		cmocka_unit_test(test_application_rewrite_with_sum_clear_sums_in_full),
		cmocka_unit_test(test_application_rewrite_without_sum_clear_repaired_by_rexmit),
		cmocka_unit_test(test_trimmed_duplicate_and_reassembled_data_sum_in_full),
		cmocka_unit_test(test_nic_verified_and_chained_receive_sum_in_full),
	};

	ptest_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
