/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_dpdk.c - polltcp-load's polltcp backend (the default): the modes
 * of modes.c over ptcp_connect / ptcp_send / ptcp_recv and the stack's
 * callbacks.
 *
 * load_dpdk_main: EAL -> one worker per lcore (the lcore with index r is
 * worker r: connections i with i % lcores == r, its own histogram and
 * counters) -> ptcp_port_init (stack_init binds each lcore's stack to its
 * worker) -> ptcp_port_run; each lcore's lcore_poll hook is the worker's
 * poll step (load_tick), the stack's callbacks its events -> once every
 * worker is done the main lcore stops the port -> report.
 *
 * Teardown: ptcp_close detaches the connection from its lconn (the
 * connection's arg becomes &linger_tag) so a crr worker reconnects at once
 * while the FIN exchange finishes; on_closed of such a connection only
 * counts it off (W_LINGER waits for them). ptcp_abort sets arg NULL:
 * nothing more to hear.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "ptcp_api.h"
#include "ptcp_port.h"
#include "modes.h"

/*
 * Lcores the load generator may run on: any number. Replies to a connection
 * reach the lcore that opened it because ptcp_connect picks source ports of
 * flows its lcore owns (ptcp_steer.h), and the port layer steers every
 * segment to its flow's owner.
 */
#define LOAD_DPDK_MAX_LCORES RTE_MAX_LCORE

struct dworker {
	struct ptcp_stack *st;
	uint64_t lingering;            /* ptcp_close'd, on_closed not yet */
};

static struct load_worker *lcore_worker[RTE_MAX_LCORE];
static const struct load_args *da;
static char linger_tag;

static inline struct dworker *
DW(struct load_worker *w)
{
	return w->bctx;
}

static inline struct ptcp_conn *
CONN(const struct lconn *lc)
{
	return lc->h.fd == -1 ? NULL : lc->h.p;
}

static void
d_on_established(struct ptcp_conn *c __rte_unused, void *arg)
{
	if (arg != NULL && arg != &linger_tag)
		load_ev_connected(lcore_worker[rte_lcore_id()], arg);
}

static void
d_on_readable(struct ptcp_conn *c __rte_unused, void *arg)
{
	if (arg != NULL && arg != &linger_tag)
		load_ev_readable(lcore_worker[rte_lcore_id()], arg);
}

static void
d_on_writable(struct ptcp_conn *c __rte_unused, void *arg)
{
	if (arg != NULL && arg != &linger_tag)
		load_ev_writable(lcore_worker[rte_lcore_id()], arg);
}

static void
d_on_closed(struct ptcp_conn *c __rte_unused, void *arg, int err)
{
	struct load_worker *w = lcore_worker[rte_lcore_id()];
	struct lconn *lc = arg;

	if (arg == NULL)
		return;
	if (arg == &linger_tag) {
		DW(w)->lingering--;
		if (err != 0)
			load_ev_close_failed(w, err);
		return;
	}
	lc->h.fd = -1;
	load_ev_closed(w, lc, err);
}

static const struct ptcp_conn_ops d_ops = {
	.on_established = d_on_established,
	.on_readable = d_on_readable,
	.on_writable = d_on_writable,
	.on_closed = d_on_closed,
};

static int
d_open(struct load_worker *w, struct lconn *lc)
{
	struct ptcp_conn *c = ptcp_connect(DW(w)->st, da->raddr, da->rport, 0, &d_ops, lc);

	if (c == NULL)
		return -rte_errno;
	lc->h.p = c;
	return 0;
}

static int32_t
d_send(struct load_worker *w __rte_unused, struct lconn *lc, const void *buf, uint32_t len)
{
	return ptcp_send(CONN(lc), buf, len);
}

static uint32_t
d_space(struct load_worker *w __rte_unused, struct lconn *lc)
{
	return ptcp_send_space(CONN(lc));
}

static int32_t
d_recv(struct load_worker *w __rte_unused, struct lconn *lc, void *buf, uint32_t len)
{
	uint32_t n = ptcp_recv(CONN(lc), buf, len);

	if (n > 0)
		return (int32_t)n;
	return ptcp_conn_eof(CONN(lc)) ? LOAD_IO_EOF : 0;
}

static void
d_close(struct load_worker *w, struct lconn *lc)
{
	struct ptcp_conn *c = CONN(lc);

	if (c == NULL)
		return;
	lc->h.fd = -1;
	ptcp_conn_set_arg(c, &linger_tag);
	DW(w)->lingering++;            /* before: on_closed may come from inside ptcp_close */
	if (ptcp_close(c) != 0)
		ptcp_abort(c);
}

static void
d_abort(struct load_worker *w __rte_unused, struct lconn *lc)
{
	struct ptcp_conn *c = CONN(lc);

	if (c == NULL)
		return;
	lc->h.fd = -1;
	ptcp_conn_set_arg(c, NULL);
	ptcp_abort(c);
}

static bool
d_tx_busy(struct load_worker *w)
{
	return ptcp_stack_tx_busy(DW(w)->st);
}

static uint64_t
d_lingering(struct load_worker *w)
{
	return DW(w)->lingering;
}

static void
pool_walk(struct rte_mempool *mp, void *arg)
{
	uint64_t *sum = arg;

	*sum += (uint64_t)rte_mempool_in_use_count(mp) *
		(mp->header_size + mp->elt_size + mp->trailer_size);
}

static struct dworker dws[RTE_MAX_LCORE];

/*
 * Bytes of every mempool's objects in use (mbufs, TIME-WAIT records) and
 * of the stacks' connections in use, each at what a connection slot costs
 * with its share of the table (ptcp_stack_mem_get: connections live in a
 * preallocated array, not a mempool).
 */
static uint64_t
d_pool_bytes(void)
{
	uint64_t sum = 0;
	unsigned int i;

	rte_mempool_walk(pool_walk, &sum);
	for (i = 0; i < RTE_DIM(dws); i++) {
		struct ptcp_stack_mem m;

		if (dws[i].st == NULL)
			continue;
		ptcp_stack_mem_get(dws[i].st, &m);
		if (m.conn_slots != 0)
			sum += (uint64_t)m.conns * (m.conn_bytes / m.conn_slots);
	}
	return sum;
}

static const struct load_backend dpdk_backend = {
	.name = "dpdk",
	.open = d_open,
	.send = d_send,
	.space = d_space,
	.recv = d_recv,
	.close = d_close,
	.abort = d_abort,
	.lingering = d_lingering,
	.pool_bytes = d_pool_bytes,
	.tx_busy = d_tx_busy,
};

static int
stack_init(struct ptcp_stack *st, unsigned int lcore_id, void *arg __rte_unused)
{
	int r = rte_lcore_index((int)lcore_id);

	if (r < 0 || (unsigned int)r >= load_g.nworkers)
		return -EINVAL;
	dws[r].st = st;
	load_g.w[r].bctx = &dws[r];
	lcore_worker[lcore_id] = &load_g.w[r];
	return 0;
}

static void
lcore_poll(struct ptcp_stack *st __rte_unused, unsigned int lcore_id, uint64_t now_us __rte_unused,
	   void *arg __rte_unused)
{
	struct load_worker *w = lcore_worker[lcore_id];

	if (w == NULL)
		return;
	load_tick(w, load_now_ns());
	if (lcore_id == rte_get_main_lcore() &&
	    __atomic_load_n(&load_g.done_workers, __ATOMIC_ACQUIRE) == load_g.nworkers &&
	    !ptcp_port_stopping()) {
		/* Twice: skip the port's graceful drain, the workers did their own. */
		ptcp_port_stop();
		ptcp_port_stop();
	}
}

static void
on_signal(int sig __rte_unused)
{
	/* First: the workers end the run. Again: stop at once. */
	if (load_g.stop)
		ptcp_port_stop();
	load_g.stop = 1;
}

/*
 * mbufs per lcore: enough for every connection's unacknowledged data (up
 * to the send buffer, in mbufs of about one MTU) in the modes that send;
 * hold needs only handshakes.
 */
static uint32_t
mbufs_wanted(const struct load_args *a)
{
	uint64_t snd = a->s.snd_buf != 0 ? a->s.snd_buf : 65536, per, need;

	if (a->s.mbufs != 0)
		return a->s.mbufs;
	switch (a->mode) {
	case LOAD_MODE_RR:
		per = RTE_MIN(snd, (uint64_t)a->size * a->pipeline) / 1500 + 6;
		break;
	case LOAD_MODE_STREAM:
		per = snd / 1500 + 6;
		break;
	case LOAD_MODE_CRR:
		per = 2 * (RTE_MIN(snd, (uint64_t)a->size) / 1500 + 6);
		break;
	default:
		per = 0;
		break;
	}
	need = (uint64_t)a->conns * per + 64ull * a->pending;
	return (uint32_t)RTE_MIN(RTE_MAX(need, (uint64_t)16384), (uint64_t)(1u << 24));
}

void
load_wait_peer(uint32_t ms, const volatile int *cancel)
{
	int ret;

	if (ms == 0)
		return;
	printf("waiting up to %" PRIu32 " ms for the peer to leave\n", ms);
	fflush(stdout);
	ret = ptcp_port_wait_link_down(ms, cancel);
	if (ret >= 0)
		printf("peer left: link down after %d ms\n", ret);
	else if (ret == -ETIMEDOUT)
		printf("peer still there after %" PRIu32 " ms: closing the port\n", ms);
	else if (ret == -EINTR)
		printf("interrupted while waiting for the peer: closing the port\n");
	else
		printf("no link status (%s): closing the port\n", strerror(-ret));
	fflush(stdout);
}

int
load_dpdk_main(struct load_args *a, int eal_argc, char **argv)
{
	struct ptcp_port_conf pc;
	char ipstr[INET_ADDRSTRLEN], rstr[INET_ADDRSTRLEN];
	struct sigaction sa;
	uint32_t nip = a->s.ip_count > 0 ? a->s.ip_count : 1;
	int ret;

	da = a;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (ptcp_port_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, LOAD_NAME ": error: %s\n", ptcp_port_errmsg());
		return 1;
	}
	load_tsc_mult = (uint64_t)(((unsigned __int128)1000000000u << 32) / rte_get_tsc_hz());
	if (rte_lcore_count() > LOAD_DPDK_MAX_LCORES) {
		fprintf(stderr, LOAD_NAME ": error: %u lcores given; at most %u\n",
			rte_lcore_count(), LOAD_DPDK_MAX_LCORES);
		ptcp_port_fini();
		return 1;
	}
	if (load_workers_init(a, &dpdk_backend, rte_lcore_count()) != 0) {
		ptcp_port_fini();
		return 1;
	}

	app_port_conf(&a->s, &pc);
	pc.mbufs_per_lcore = mbufs_wanted(a);
	/*
	 * Slots per lcore: its connections, plus (crr) those closing in the
	 * background; TIME-WAIT records live outside them, one per port and
	 * address for 2*MSL, so crr gets room for all of them.
	 */
	pc.stack.max_conns = a->max_conns != 0 ? a->max_conns :
		(uint32_t)RTE_MIN((uint64_t)a->conns / rte_lcore_count() *
				  (a->mode == LOAD_MODE_CRR ? 4 : 1) + 64, (uint64_t)UINT32_MAX);
	if (pc.stack.max_conns < 4096)
		pc.stack.max_conns = 0;    /* the stack's default */
	if (a->mode == LOAD_MODE_CRR)
		pc.stack.max_time_wait = LOAD_PORTS_PER_ADDR * nip;
	pc.stack_init = stack_init;
	pc.lcore_poll = lcore_poll;

	ret = ptcp_port_init(&pc);
	if (ret != 0) {
		fprintf(stderr, LOAD_NAME ": error: %s\n", ptcp_port_errmsg());
		ptcp_port_fini();
		return 1;
	}
	inet_ntop(AF_INET, &a->s.ip, ipstr, sizeof(ipstr));
	inet_ntop(AF_INET, &a->raddr, rstr, sizeof(rstr));
	printf("ready to connect %s -> %s:%u: backend dpdk, mode %s, %" PRIu32 " connection%s, %"
	       PRIu32 " address%s, %u lcore%s\n", ipstr, rstr, a->rport, load_mode_name(a->mode),
	       a->conns, a->conns == 1 ? "" : "s", nip, nip == 1 ? "" : "es", rte_lcore_count(),
	       rte_lcore_count() == 1 ? "" : "s");
	if (a->mode == LOAD_MODE_CRR)
		printf("note: crr: TIME-WAIT keeps each of %u ports x %" PRIu32 " address%s 2*MSL "
		       "(--msl-ms) after our close: that bounds the sustained conn/s\n",
		       LOAD_PORTS_PER_ADDR, nip, nip == 1 ? "" : "es");
	load_workers_start();
	ret = 0;
	if (!load_g.stop)
		ret = ptcp_port_run();
	if (ret != 0)
		fprintf(stderr, LOAD_NAME ": error: %s\n", ptcp_port_errmsg());
	ret = load_workers_report() != 0 || ret != 0;
	ptcp_port_report(stdout);
	fflush(stdout);
	load_wait_peer(a->wait_peer_ms, &load_g.stop);
	ptcp_port_fini();
	load_workers_free();
	return ret;
}
