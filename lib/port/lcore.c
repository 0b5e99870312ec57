/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcore.c - the per-lcore poll loop and the TX callback of its stack.
 *
 * ptcp_port_lcore_main():
 *   loop until ptcp_port_stop():
 *     rx_burst (lcores with a queue pair) -> [pcap copy] -> [impair RX:
 *     burst, or poll when nothing arrived] -> [steer_burst: other lcores'
 *     segments, and ARP/ICMP/fragments for lcore 0, to their inboxes]
 *     -> ptcp_stack_rx_burst (which may hand datagrams to their owner,
 *     or frames waiting for ARP to lcore 0: ptcp_port_handoff)
 *     -> the inbox: steered frames, hand-offs, frames to resolve
 *     -> ptcp_stack_poll (every 100 us)
 *     -> conf.lcore_poll -> ptcp_stack_flush -> ptcp_port_tx()
 *     -> [impair TX poll: send held frames that came due]
 *     -> [txbox: send the frames of queue-less lcores]
 *     main lcore only: link monitor (announce on link up), --stats-period
 *   then ptcp_stack_close_all() and the same loop until no connection is
 *   left or PTCP_PORT_DRAIN_MS passed; flush; return.
 *
 * ptcp_port_tx(): rte_eth_tx_prepare -> [pcap copy] -> rte_eth_tx_burst; what
 * a full queue did not take waits in the lcore's hold (TX_HELD; TCP sends
 * no new data while it fills: ptcp_stack_tx_backed_up), beyond it is
 * dropped (TX_DROP).
 * An lcore without a TX queue puts the frames into its sender's txbox.
 * With --impair the TX impairer takes every frame first (the stack sees
 * all taken); what it releases goes the same way, and the port layer
 * counts TX_DROP and frees what the queue did not take.
 */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ptcp_api.h"
#include "port_private.h"
#include "ptcp_wire.h"

#define M (&ptcp_port_m)

#define LINK_CHECK_MS 500
/* Frames one impairer call may release: a burst, its copies, and due ones. */
#define IMPAIR_OUT (2 * RTE_MAX(PTCP_PORT_RX_BURST, PTCP_TX_BURST))

static inline int
stop_state(void)
{
	return __atomic_load_n(&M->stop, __ATOMIC_ACQUIRE);
}

static inline uint64_t
now_us(void)
{
	return port_tsc_to_us(rte_rdtsc(), M->us_mult);
}

/* ---- TX ------------------------------------------------------------------- */

/*
 * Run rte_eth_tx_prepare over pkts[0..n). A frame it rejects is moved
 * behind the accepted ones (order of the accepted kept), so the caller's
 * "free what was not taken" covers it. Returns the number accepted.
 */
static uint16_t
tx_prepare(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t good = 0, end = n;

	while (good < end) {
		good += rte_eth_tx_prepare(lc->port_id, lc->queue, &pkts[good], end - good);
		if (good < end) {
			struct rte_mbuf *bad = pkts[good];

			memmove(&pkts[good], &pkts[good + 1], (end - good - 1) * sizeof(*pkts));
			pkts[--end] = bad;
			PTCP_INC(lc->st, TX_PREP_FAIL);
		}
	}
	return good;
}

static uint16_t
tx_burst(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *copies[PTCP_TX_BURST];
	uint16_t ok, sent;

	ok = tx_prepare(lc, pkts, n);
	if (unlikely(M->pcap != NULL))
		ptcp_port_pcap_copy(lc, pkts, ok, true, copies);

	/* No immediate retry: what the queue did not take waits in the hold. */
	sent = rte_eth_tx_burst(lc->port_id, lc->queue, pkts, ok);

	if (unlikely(M->pcap != NULL))
		ptcp_port_pcap_write(lc, copies, sent, ok);
	return sent;
}

/* Transmit pkts[0..n) in chunks of PTCP_TX_BURST; returns how many the queue took. */
static uint16_t
tx_queue(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t done = 0;

	while (done < n) {
		uint16_t k = RTE_MIN((uint16_t)(n - done), (uint16_t)PTCP_TX_BURST);
		uint16_t sent = tx_burst(lc, &pkts[done], k);

		done += sent;
		if (sent < k)
			break;
	}
	return done;
}

/*
 * Frames the TX queue had no room for wait in lc->hold (up to
 * PORT_TX_HOLD, in order) and go first at the next chance: every loop
 * iteration, and before any newer frame. A full ring is the peer (or the
 * NIC) being slower for a moment; dropping there would turn a burst into
 * losses that TCP pays for with retransmission timeouts (seen over memif:
 * a connection stalled for seconds behind backed-off RTOs). Returns true
 * when nothing is held any more.
 */
static bool
tx_hold_flush(struct port_lcore *lc)
{
	uint16_t sent = tx_queue(lc, lc->hold, lc->nhold);

	if (sent > 0) {
		memmove(lc->hold, &lc->hold[sent], (lc->nhold - sent) * sizeof(lc->hold[0]));
		lc->nhold = (uint16_t)(lc->nhold - sent);
	}
	if (lc->nhold < PORT_TX_HOLD / 4)
		ptcp_stack_tx_backed_up(lc->st, false);
	return lc->nhold == 0;
}

/* Keep pkts[0..n) for later (as many as fit); returns how many were kept. */
static uint16_t
tx_hold(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = RTE_MIN(n, (uint16_t)(PORT_TX_HOLD - lc->nhold));

	memcpy(&lc->hold[lc->nhold], pkts, k * sizeof(pkts[0]));
	lc->nhold = (uint16_t)(lc->nhold + k);
	PTCP_ADD(lc->st, TX_HELD, k);
	/* Tell TCP early (a quarter full): a window's worth may still be built. */
	if (lc->nhold >= PORT_TX_HOLD / 4)
		ptcp_stack_tx_backed_up(lc->st, true);
	return k;
}

/*
 * Send pkts[0..n) after what is held; returns how many were sent or held
 * (the caller frees and counts the rest).
 */
static uint16_t
tx_chunks(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t done = 0;

	if (lc->tx_via != NULL) {
		/* No TX queue here: the lcore owning one sends them (txbox_drain). */
		unsigned int free_left;

		done = (uint16_t)rte_ring_mp_enqueue_burst(lc->tx_via->txbox, (void **)pkts, n,
							   &free_left);
		ptcp_stack_tx_backed_up(lc->st, free_left < PORT_TXBOX_SIZE / 2);
		PTCP_ADD(lc->st, TX_HANDOFF, done);
		PTCP_ADD(lc->st, TX_HANDOFF_DROP, n - done);
		return done;
	}
	if (unlikely(lc->nhold > 0) && !tx_hold_flush(lc))
		return tx_hold(lc, pkts, n);
	done = tx_queue(lc, pkts, n);
	if (unlikely(done < n))
		done = (uint16_t)(done + tx_hold(lc, &pkts[done], (uint16_t)(n - done)));
	return done;
}

/* Frames the TX impairer released: send them; count and free what is left. */
static void
tx_released(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = tx_chunks(lc, pkts, n);

	if (unlikely(sent < n)) {
		PTCP_ADD(lc->st, TX_DROP, n - sent);
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

/* --impair: send the held TX frames whose time came (nothing new from the stack). */
static void
tx_impair_poll(struct port_lcore *lc, uint64_t now)
{
	struct rte_mbuf *out[IMPAIR_OUT];
	uint16_t k;

	do {
		k = ptcp_impair_poll(lc->imp_tx, out, IMPAIR_OUT, now);
		if (k > 0)
			tx_released(lc, out, k);
	} while (k == IMPAIR_OUT);
}

/* At exit: let the frames still delayed in the TX impairer leave (bounded wait). */
static void
tx_impair_drain(struct port_lcore *lc)
{
	const struct ptcp_impair_conf *c = M->conf.impair;
	uint64_t deadline = now_us() + c->delay_us + c->jitter_us + c->reorder_hold_us;
	struct ptcp_impair_stats s;

	do {
		tx_impair_poll(lc, now_us());
		ptcp_impair_stats_get(lc->imp_tx, &s);
	} while (s.held > 0 && now_us() <= deadline && stop_state() != 2);
}

uint16_t
ptcp_port_tx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_lcore *lc = arg;
	struct rte_mbuf *out[IMPAIR_OUT];
	uint16_t k;

	if (likely(lc->imp_tx == NULL))
		return tx_chunks(lc, pkts, n);

	/* The impairer owns all n now: dropped, held or in out[]. */
	k = ptcp_impair_burst(lc->imp_tx, pkts, n, out, IMPAIR_OUT, now_us(), lc->st->ctr);
	if (k > 0)
		tx_released(lc, out, k);
	return n;
}

/* ---- Steering and inboxes between lcores (more than one lcore) ------------ */

/*
 * Every lcore owns the TCP flows that ptcp_steer_owner() gives it (port.c
 * steer_init) and has one inbox (struct port_msg ring, multi-producer,
 * drained by its owner only) that carries three kinds of work from the
 * other lcores:
 *   - steered segments: every received IPv4 TCP segment (not a fragment)
 *     is classified once, and one whose flow another lcore owns goes to
 *     that lcore's inbox, in one bulk enqueue per owner per burst
 *     (STEER_TX here, STEER_RX there, STEER_DROP when the inbox is full);
 *     with RSS the NIC already put nearly all of them on the right queue;
 *   - the control path: everything else received (ARP, ICMP, fragments,
 *     malformed frames) goes to lcore 0 the same way; its stack alone
 *     writes the neighbour table every stack reads (lib/net/arp.c
 *     "Sharing"), so nothing is copied to every lcore;
 *   - hand-offs from stacks, ptcp_port_handoff() (their conf.handoff_fn):
 *     reassembled segments and ICMP errors, whose flow is known only after
 *     IP has worked on them, to the flow's owner (IP_HANDOFF_*); frames to
 *     a next hop without a resolved entry, to lcore 0, which resolves it
 *     and sends them (ARP_RESOLVE_HANDOFF*).
 * Stacks read no other table than the neighbour table; a flow is only
 * ever touched by its owner, and nothing on the data path takes a lock.
 */

static inline int
inbox_put(struct port_lcore *to, struct rte_mbuf *m, enum port_msg_kind kind)
{
	struct port_msg msg = { .m = m, .kind = kind };

	return rte_ring_mp_enqueue_elem(to->inbox, &msg, sizeof(msg)) == 0 ? 0 : -ENOBUFS;
}

int
ptcp_port_handoff(void *arg __rte_unused, struct rte_mbuf *m, uint16_t to,
		  enum ptcp_handoff_kind kind)
{
	static const enum port_msg_kind msg_kind[] = {
		[PTCP_HANDOFF_DATAGRAM] = PORT_MSG_HANDOFF,
		[PTCP_HANDOFF_FRAME] = PORT_MSG_FRAME,
		[PTCP_HANDOFF_RESOLVE] = PORT_MSG_RESOLVE,
	};

	if (unlikely(to >= M->nb_queues || (unsigned int)kind >= RTE_DIM(msg_kind)))
		return -EINVAL;
	return inbox_put(M->lcores[to], m, msg_kind[kind]);
}

/*
 * The owner of frame m: the lcore owning its flow for an IPv4 TCP segment
 * that is not a fragment, else the control lcore (0): ARP, ICMP, fragments
 * and anything malformed (its stack counts what is wrong with them).
 */
static inline uint16_t
frame_owner(const struct rte_mbuf *m)
{
	struct ptcp_frame_tuple t;

	if (!ptcp_frame_tcp_tuple(m, &t))
		return PORT_CONTROL;
	if (M->hw_hash && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
		return ptcp_steer_owner_of(M->steer, m->hash.rss);
	return ptcp_steer_owner(M->steer, t.src, t.dst, t.sport, t.dport);
}

/*
 * Software steering of one received burst: keep this lcore's frames in
 * pkts[] (order kept) and pass the others to their owners, one bulk
 * enqueue per owner. Returns the count kept.
 */
static uint16_t
steer_burst(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_msg out[PTCP_STEER_MAX_OWNERS > 8 ? 8 : PTCP_STEER_MAX_OWNERS]
			   [PTCP_PORT_RX_BURST];
	uint16_t cnt[RTE_DIM(out)] = { 0 };
	uint16_t owner[RTE_DIM(out)];
	uint16_t i, keep = 0, nout = 0, j;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t o = frame_owner(m);

		if (likely(o == lc->queue)) {
			pkts[keep++] = m;
			continue;
		}
		for (j = 0; j < nout && owner[j] != o; j++)
			;
		if (j == nout) {
			if (unlikely(nout == RTE_DIM(out))) {
				/* More owners in one burst than slots: one at a time. */
				if (inbox_put(M->lcores[o], m, PORT_MSG_FRAME) != 0) {
					PTCP_INC(lc->st, STEER_DROP);
					rte_pktmbuf_free(m);
				} else {
					PTCP_INC(lc->st, STEER_TX);
				}
				continue;
			}
			owner[nout++] = o;
		}
		out[j][cnt[j]++] = (struct port_msg){ .m = m, .kind = PORT_MSG_FRAME };
	}
	for (j = 0; j < nout; j++) {
		unsigned int sent = rte_ring_mp_enqueue_burst_elem(M->lcores[owner[j]]->inbox,
								   out[j], sizeof(out[j][0]),
								   cnt[j], NULL);

		PTCP_ADD(lc->st, STEER_TX, sent);
		for (i = (uint16_t)sent; i < cnt[j]; i++) {
			PTCP_INC(lc->st, STEER_DROP);
			rte_pktmbuf_free(out[j][i].m);
		}
	}
	return keep;
}

/* Send what queue-less lcores handed over (bounded per loop); free what did not fit. */
static inline void
txbox_drain(struct port_lcore *lc)
{
	struct rte_mbuf *pkts[2 * PTCP_TX_BURST];
	unsigned int n;
	uint16_t sent;

	/* The queue is backed up: leave them in the ring (the senders see it full). */
	if (lc->nhold > PORT_TX_HOLD / 2)
		return;
	n = rte_ring_sc_dequeue_burst(lc->txbox, (void **)pkts, RTE_DIM(pkts), NULL);
	if (n == 0)
		return;
	sent = tx_chunks(lc, pkts, (uint16_t)n);
	if (unlikely(sent < n)) {
		PTCP_ADD(lc->st, TX_DROP, n - sent);
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

/* Deliver what other lcores put in this lcore's inbox (bounded per loop). */
static inline void
inbox_drain(struct port_lcore *lc, uint64_t now)
{
	struct port_msg msg[PTCP_PORT_RX_BURST];
	struct rte_mbuf *fr[PTCP_PORT_RX_BURST], *ho[PTCP_PORT_RX_BURST];
	struct rte_mbuf *rs[PTCP_PORT_RX_BURST];
	uint16_t nf = 0, nh = 0, nr = 0;
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst_elem(lc->inbox, msg, sizeof(msg[0]), PTCP_PORT_RX_BURST,
					   NULL);
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		if (msg[i].kind == PORT_MSG_HANDOFF)
			ho[nh++] = msg[i].m;
		else if (msg[i].kind == PORT_MSG_RESOLVE)
			rs[nr++] = msg[i].m;
		else
			fr[nf++] = msg[i].m;
	}
	if (nr > 0)
		ptcp_stack_resolve_burst(lc->st, rs, nr, now);
	if (nf > 0) {
		PTCP_ADD(lc->st, STEER_RX, nf);
		ptcp_stack_rx_burst(lc->st, fr, nf, now);
	}
	if (nh > 0)
		ptcp_stack_handoff_burst(lc->st, ho, nh, now);
}

/* ---- The loop ------------------------------------------------------------------ */

/*
 * --impair, RX: the burst as it arrived (already captured) goes through
 * the impairer; *rx becomes what it releases now (held frames that came
 * due first). Called on every iteration, so delayed frames are delivered
 * when nothing new arrives. Returns the count in *rx.
 */
static inline uint16_t
rx_impair(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **out,
	  struct rte_mbuf ***rx, uint64_t now)
{
	*rx = out;
	if (n == 0)
		return ptcp_impair_poll(lc->imp_rx, out, IMPAIR_OUT, now);
	return ptcp_impair_burst(lc->imp_rx, pkts, n, out, IMPAIR_OUT, now, lc->st->ctr);
}

/* One pass of the loop; returns the TSC it read (the main lcore's duties reuse it). */
static inline uint64_t
iterate(struct port_lcore *lc)
{
	struct rte_mbuf *pkts[PTCP_PORT_RX_BURST];
	struct rte_mbuf *copies[PTCP_PORT_RX_BURST];
	struct rte_mbuf *impaired[IMPAIR_OUT];
	struct rte_mbuf **rx = pkts;
	struct ptcp_stack *st = lc->st;
	uint64_t now, tsc;
	uint16_t n;

	n = lc->queue < M->nb_qp ?
		rte_eth_rx_burst(lc->port_id, lc->queue, pkts, PTCP_PORT_RX_BURST) : 0;
	/*
	 * The clock after the burst: read before it, a preemption in between
	 * would date the frames too early (and --impair would release them
	 * before their delay).
	 */
	tsc = rte_rdtsc();
	now = port_tsc_to_us(tsc, M->us_mult);
	if (n > 0 && unlikely(M->pcap != NULL)) {
		ptcp_port_pcap_copy(lc, pkts, n, false, copies);
		ptcp_port_pcap_write(lc, copies, n, n);
	}
	if (unlikely(lc->imp_rx != NULL))
		n = rx_impair(lc, pkts, n, impaired, &rx, now);
	if (n > 0 && lc->inbox != NULL)
		n = steer_burst(lc, rx, n);
	if (n > 0)
		ptcp_stack_rx_burst(st, rx, n, now);
	if (lc->inbox != NULL)
		inbox_drain(lc, now);
	if (now - lc->last_poll_us >= PTCP_PORT_POLL_US) {
		ptcp_stack_poll(st, now);
		lc->last_poll_us = now;
	}
	if (M->conf.lcore_poll != NULL)
		M->conf.lcore_poll(st, lc->lcore_id, now, M->conf.arg);
	ptcp_stack_flush(st);
	if (unlikely(lc->imp_tx != NULL))
		tx_impair_poll(lc, now);
	if (lc->txbox != NULL)
		txbox_drain(lc);
	if (unlikely(lc->nhold > 0))
		tx_hold_flush(lc);
	/* A queue-less lcore's sender caught up: data may go again. */
	if (unlikely(st->tx_backed_up) && lc->tx_via != NULL &&
	    rte_ring_free_count(lc->tx_via->txbox) >= PORT_TXBOX_SIZE / 2)
		ptcp_stack_tx_backed_up(st, false);
	return tsc;
}

/* The port's link as the driver last set it (no wait). */
static bool
port_link_up(uint16_t port_id)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port_id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

/* Main lcore: link monitor and periodic stats, on TSC deadlines. */
struct main_duties {
	uint64_t next_link_tsc;
	uint64_t next_stats_tsc;
	uint64_t stats_period_tsc;
};

static void
run_main_duties(struct port_lcore *lc, struct main_duties *d, uint64_t tsc)
{
	if (tsc >= d->next_link_tsc) {
		ptcp_port_link_check(lc, true);
		d->next_link_tsc = tsc + M->tsc_hz * LINK_CHECK_MS / 1000;
	}
	if (d->stats_period_tsc != 0 && tsc >= d->next_stats_tsc) {
		ptcp_port_report_periodic(stdout, (tsc - M->start_tsc) / M->tsc_hz);
		d->next_stats_tsc += d->stats_period_tsc;
	}
}

int
ptcp_port_lcore_main(void *arg __rte_unused)
{
	unsigned int lcore = rte_lcore_id();
	struct port_lcore *lc = M->lcores[M->queue_of_lcore[lcore]];
	bool is_main = lcore == rte_get_main_lcore();
	struct main_duties d = { 0 };
	uint64_t deadline;

	if (lc == NULL || lc->lcore_id != lcore)
		return -1;
	if (is_main) {
		d.stats_period_tsc = (uint64_t)M->conf.stats_period_s * M->tsc_hz;
		d.next_stats_tsc = rte_rdtsc() + d.stats_period_tsc;
	}
	lc->last_poll_us = now_us();

	while (likely(stop_state() == 0)) {
		uint64_t tsc = iterate(lc);

		if (is_main)
			run_main_duties(lc, &d, tsc);
	}

	/*
	 * Graceful stop: FINs out, wait for the peers (TIME-WAIT counts too) -
	 * while the link is up: with nobody at the other end there is nothing to
	 * wait for.
	 */
	if (stop_state() == 1 && port_link_up(lc->port_id)) {
		ptcp_stack_close_all(lc->st);
		ptcp_stack_flush(lc->st);
		deadline = now_us() + PTCP_MS(PTCP_PORT_DRAIN_MS);
		while (stop_state() == 1 && ptcp_stack_conn_count(lc->st) > 0 &&
		       now_us() < deadline && port_link_up(lc->port_id))
			iterate(lc);
	}
	ptcp_stack_flush(lc->st);
	if (lc->imp_tx != NULL)
		tx_impair_drain(lc);
	/* What still waits for the queue: a bounded try (ptcp_port_fini frees the rest). */
	deadline = now_us() + 100000;
	while (lc->nhold > 0 && !tx_hold_flush(lc) && now_us() < deadline && stop_state() != 2)
		;
	return 0;
}
