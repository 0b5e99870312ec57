/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn.c - the per-lcore connection table, connection objects and
 * their lifetime (see tcp_private.h), listeners, receive window.
 *
 * ptcp_tcp_init() -> table + pool + wheel
 * ptcp_tcp_conn_new() -> insert; ... ptcp_tcp_conn_closed() -> out of the
 * table, onto the reap list -> ptcp_tcp_leave() -> on_closed, free.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "tcp_private.h"

static const char *const state_names[] = {
#define _(sym, str) [PTCP_TCP_##sym] = str,
	PTCP_FOREACH_TCP_STATE(_)
#undef _
};

const char *
ptcp_tcp_state_name(enum ptcp_tcp_state s)
{
	return (unsigned int)s < PTCP_TCP_N_STATES ? state_names[s] : "?";
}

static inline void
conn_put(struct ptcp_tcp *tcp, struct ptcp_conn *c)
{
	tcp->conn_free[tcp->nfree++] = (uint32_t)(c - tcp->conns);
}

/*
 * Bytes allocated from DPDK's heaps (all sockets). Stacks are created one
 * at a time on the main thread, so the difference around a table's
 * creation is what that table costs: pools, hash buckets, key store, rings.
 */
uint64_t
ptcp_heap_bytes(void)
{
	struct rte_malloc_socket_stats s;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &s) == 0)
			sum += s.heap_allocsz_bytes;
	return sum;
}

int
ptcp_tcp_init(struct ptcp_stack *st)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	struct ptcp_tcp *tcp;
	char name[RTE_HASH_NAMESIZE];
	uint64_t heap0;
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(conf->max_conns, 8u),
		.key_len = sizeof(struct ptcp_flow),
		.hash_func = rte_hash_crc,
		.socket_id = conf->socket_id,
		/* Never fail an insert because one bucket is full. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	unsigned int i;
	int cc = ptcp_tcp_cc_find(conf->cc);

	if (cc < 0)
		return cc;   /* unknown congestion control */
	st->conf.cc = ptcp_cc_algos[cc]->name;   /* not the caller's string */
	if (ptcp_tcp_reass_register() != 0)
		return -rte_errno;
	/* No free ol_flags bit: echoes are checksummed in full, nothing else changes. */
	(void)ptcp_mbuf_sum_register();
	tcp = rte_zmalloc_socket("ptcp_tcp", sizeof(*tcp), RTE_CACHE_LINE_SIZE,
				 conf->socket_id);
	if (tcp == NULL)
		return -ENOMEM;
	heap0 = ptcp_heap_bytes();
	snprintf(name, sizeof(name), "%.20s_ct", st->name);
	tcp->table = rte_hash_create(&hp);
	if (tcp->table == NULL)
		goto fail;
	snprintf(name, sizeof(name), "%.20s_cp", st->name);
	/*
	 * Connections: one array of max_conns objects and a stack of free
	 * indexes, both allocated here, used by this lcore only. An rte_mempool
	 * costs 80 bytes more a slot (a cache-line object header and a
	 * power-of-two ring of pointers; measured with ptcp_stack_mem_get at 1M
	 * slots: 482 bytes a slot with the mempool, 381 with this), and
	 * per-connection memory is what must stay small.
	 */
	tcp->conns = rte_zmalloc_socket("ptcp_conns", (size_t)conf->max_conns * sizeof(*tcp->conns),
					RTE_CACHE_LINE_SIZE, conf->socket_id);
	tcp->conn_free = rte_malloc_socket("ptcp_conn_free",
					   (size_t)conf->max_conns * sizeof(*tcp->conn_free), 0,
					   conf->socket_id);
	if (tcp->conns == NULL || tcp->conn_free == NULL)
		goto fail;
	/* Handed out from index 0 up: the first connections share pages. */
	for (i = 0; i < conf->max_conns; i++)
		tcp->conn_free[i] = conf->max_conns - 1 - i;
	tcp->nfree = conf->max_conns;
	tcp->conn_mem = ptcp_heap_bytes() - heap0;
	/* RFC 6528: the ISN secret must not be guessable. */
	if (getrandom(&tcp->isn_key, sizeof(tcp->isn_key), 0) != sizeof(tcp->isn_key))
		goto fail;
	for (i = 0; i < PTCP_TW_SLOTS; i++)
		LIST_INIT(&tcp->wheel[i]);
	LIST_INIT(&tcp->reap);
	LIST_INIT(&tcp->detached);
	TAILQ_INIT(&tcp->mem_wait);
	tcp->tw_tick = st->now_us / PTCP_TW_TICK_US;
	if (getrandom(&tcp->port_key, sizeof(tcp->port_key), 0) != sizeof(tcp->port_key))
		goto fail;
	for (i = 0; i < PTCP_TCP_PORT_TABLE; i++)
		tcp->port_perturb[i] = (uint16_t)rte_rand();
	tcp->chal_count = UINT32_MAX;   /* draw a budget at the first challenge ACK */
	tcp->cc_default = (uint8_t)cc;
	st->tcp = tcp;
	if (ptcp_tcp_syncache_init(st) != 0) {
		ptcp_tcp_syncache_fini(st);
		st->tcp = NULL;
		goto fail;
	}
	if (ptcp_tcp_timewait_init(st) != 0) {
		ptcp_tcp_syncache_fini(st);
		st->tcp = NULL;
		goto fail;
	}
	if (ptcp_tcp_pmtu_init(st) != 0) {
		ptcp_tcp_timewait_fini(st);
		ptcp_tcp_syncache_fini(st);
		st->tcp = NULL;
		goto fail;
	}
	if (ptcp_tcp_sack_init(st) != 0) {
		ptcp_tcp_pmtu_fini(st);
		ptcp_tcp_timewait_fini(st);
		ptcp_tcp_syncache_fini(st);
		st->tcp = NULL;
		goto fail;
	}
	return 0;
fail:
	rte_hash_free(tcp->table);
	rte_free(tcp->conns);
	rte_free(tcp->conn_free);
	rte_free(tcp);
	return rte_errno ? -rte_errno : -ENOMEM;
}

static void
conn_free_buffers(struct ptcp_conn *c)
{
	rte_pktmbuf_free(c->sndq_head);
	rte_pktmbuf_free(c->rcvq_head);
	ptcp_tcp_reass_free(c);
	ptcp_tcp_sack_free(c);
	c->sndq_head = c->sndq_tail = NULL;
	c->rcvq_head = c->rcvq_tail = NULL;
	c->sndq_bytes = c->rcvq_bytes = 0;
	c->st->mem_held -= c->rcv_mbufs + c->snd_mbufs;
	c->rcv_mbufs = c->snd_mbufs = 0;
}

void
ptcp_tcp_fini(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (tcp == NULL)
		return;
	while (rte_hash_iterate(tcp->table, &key, &data, &iter) >= 0) {
		struct ptcp_conn *c = data;

		conn_free_buffers(c);
		conn_put(tcp, c);
	}
	while (!LIST_EMPTY(&tcp->reap)) {
		struct ptcp_conn *c = LIST_FIRST(&tcp->reap);

		LIST_REMOVE(c, reap_link);
		conn_free_buffers(c);
		conn_put(tcp, c);
	}
	ptcp_tcp_syncache_fini(st);
	while (!LIST_EMPTY(&tcp->detached)) {
		struct ptcp_conn *c = LIST_FIRST(&tcp->detached);

		LIST_REMOVE(c, reap_link);
		conn_free_buffers(c);
		conn_put(tcp, c);
	}
	ptcp_tcp_timewait_fini(st);
	ptcp_tcp_pmtu_fini(st);
	ptcp_tcp_sack_fini(st);
	rte_hash_free(tcp->table);
	rte_free(tcp->conns);
	rte_free(tcp->conn_free);
	rte_free(tcp);
	st->tcp = NULL;
}

uint32_t
ptcp_tcp_conn_count(const struct ptcp_stack *st)
{
	return st->tcp->nconns + ptcp_tcp_syncache_count(st);
}

static inline bool
flow_eq(const struct ptcp_flow *a, const struct ptcp_flow *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport &&
	       a->rport == b->rport;
}

/* Take c out of the connection table (and the lookup caches: last, this burst's). */
static void
table_del(struct ptcp_tcp *tcp, struct ptcp_conn *c)
{
	uint16_t k;

	rte_hash_del_key(tcp->table, &c->flow);
	if (tcp->last_conn == c)
		tcp->last_conn = NULL;
	for (k = 0; k < tcp->pre_nkeys; k++)
		if (tcp->pre_c[k] == c)
			tcp->pre_c[k] = NULL;
}

#define PRE_NONE UINT8_MAX
#define PRE_SEEN 64          /* slots of the burst's flow index (a power of two) */

/*
 * A burst of distinct flows (64 request/response connections, a SYN flood
 * of lookups that miss) pays for one pipelined rte_hash_lookup_bulk_data
 * instead of one dependent lookup per segment. Frames of a flow already
 * seen in the burst (found through a 64-slot index on the ports and
 * addresses; a collision only costs a second key), or of the last
 * connection found, share that answer (TCP_FLOW_CACHE_HIT): a bulk
 * transfer's burst costs a compare per segment and no lookup. Bursts of one
 * frame skip all this.
 */
void
ptcp_tcp_prelookup(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_flow *keys = tcp->pre_f;
	const void *kp[PTCP_TCP_PRELOOK];
	void *data[PTCP_TCP_PRELOOK];
	uint8_t lookup[PTCP_TCP_PRELOOK];     /* keys to look up: their index in keys[] */
	uint8_t seen[PRE_SEEN];               /* flow index: key index + 1, 0 = empty */
	struct ptcp_conn *last = tcp->last_conn;
	uint16_t i, nk = 0, nl = 0;
	uint64_t hits = 0;

	tcp->pre_n = 0;
	tcp->pre_i = 0;
	tcp->pre_nkeys = 0;
	if (n < 2 || n > PTCP_TCP_PRELOOK)
		return;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		struct ptcp_frame_tuple t;
		struct ptcp_flow f;
		uint32_t h;
		uint8_t s;

		tcp->pre_m[i] = pkts[i];
		tcp->pre_k[i] = PRE_NONE;
		if (!ptcp_frame_tcp_tuple(pkts[i], &t))
			continue;
		f = (struct ptcp_flow){ .laddr = t.dst, .raddr = t.src, .lport = t.dport,
					.rport = t.sport };
		h = (uint32_t)t.sport ^ t.dport ^ rte_be_to_cpu_32(t.src) ^ rte_be_to_cpu_32(t.dst);
		h = (h ^ (h >> 6) ^ (h >> 12)) & (PRE_SEEN - 1);
		s = seen[h];
		if (s != 0 && flow_eq(&keys[s - 1], &f)) {
			tcp->pre_k[i] = (uint8_t)(s - 1);
			tcp->pre_left[s - 1]++;
			hits++;
			continue;
		}
		keys[nk] = f;
		seen[h] = (uint8_t)(nk + 1);
		tcp->pre_k[i] = (uint8_t)nk;
		tcp->pre_left[nk] = 1;
		if (last != NULL && flow_eq(&last->flow, &f)) {
			tcp->pre_c[nk] = last;
			hits++;
		} else {
			tcp->pre_c[nk] = NULL;
			kp[nl] = &keys[nk];
			lookup[nl++] = (uint8_t)nk;
		}
		nk++;
	}
	if (nl > 0) {
		uint64_t found = 0;

		/* Fails only on invalid arguments: the frames are then looked up one by one. */
		if (rte_hash_lookup_bulk_data(tcp->table, kp, nl, &found, data) < 0)
			return;
		for (i = 0; i < nl; i++)
			if (found & (1ull << i))
				tcp->pre_c[lookup[i]] = data[i];
		PTCP_ADD(st, TCP_BULK_LOOKUP, nl);
	}
	PTCP_ADD(st, TCP_FLOW_CACHE_HIT, hits);
	tcp->pre_n = n;
	tcp->pre_nkeys = nk;
	tcp->pre_gen = tcp->table_gen;
}

void
ptcp_tcp_prelookup_end(struct ptcp_stack *st)
{
	ptcp_tcp_defer_flush(st);
	st->tcp->pre_n = 0;
	st->tcp->pre_nkeys = 0;
}

/*
 * Frame m's connection from this burst's bulk lookup: *known is set when m
 * was looked up as flow f, and the answer still holds (a connection that
 * left the table was forgotten by table_del; an absent one is still absent
 * unless a connection was added since).
 */
struct ptcp_conn *
ptcp_tcp_prelooked(struct ptcp_stack *st, const struct rte_mbuf *m, const struct ptcp_flow *f,
		   bool *known)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_conn *c;
	uint16_t i;
	uint8_t k;

	*known = false;
	tcp->pre_more = false;
	/* A frame not of this burst (a reassembled datagram's head) leaves the cursor. */
	for (i = tcp->pre_i; i < tcp->pre_n && tcp->pre_m[i] != m; i++)
		;
	if (i == tcp->pre_n)
		return NULL;
	tcp->pre_i = i;
	k = tcp->pre_k[i];
	if (k == PRE_NONE || !flow_eq(&tcp->pre_f[k], f))
		return NULL;
	tcp->pre_more = --tcp->pre_left[k] > 0;
	c = tcp->pre_c[k];
	if (c != NULL) {
		tcp->last_conn = c;
		*known = true;
		return c;
	}
	*known = tcp->pre_gen == tcp->table_gen;
	return NULL;
}

/*
 * Consecutive segments of one flow (a burst of a bulk transfer, a
 * pipelined request stream) share one table lookup: the last connection
 * found is compared first (12 bytes). It always names a connection in the
 * table: table_del() forgets it.
 */
struct ptcp_conn *
ptcp_tcp_conn_lookup(struct ptcp_stack *st, const struct ptcp_flow *f)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_conn *last = tcp->last_conn;
	void *data;

	if (last != NULL && flow_eq(&last->flow, f)) {
		PTCP_INC(st, TCP_FLOW_CACHE_HIT);
		return last;
	}
	if (rte_hash_lookup_data(tcp->table, f, &data) < 0)
		return NULL;
	tcp->last_conn = data;
	return data;
}

bool
ptcp_tcp_owns(struct ptcp_stack *st, rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
	      uint16_t rport)
{
	const struct ptcp_flow f = { .laddr = laddr, .raddr = raddr, .lport = lport,
				     .rport = rport };

	return ptcp_tcp_conn_lookup(st, &f) != NULL || ptcp_tcp_syncache_has(st, &f) ||
		ptcp_tcp_timewait_lookup(st, &f) != NULL;
}

/* A new connection in CLOSED state, in the table. NULL if the pool is empty. */
struct ptcp_conn *
ptcp_tcp_conn_open(struct ptcp_stack *st, const struct ptcp_flow *f, uint32_t iss,
		   const struct ptcp_conn_ops *ops, void *arg)
{
	struct ptcp_conn *c = ptcp_tcp_conn_new(st, f);

	if (c == NULL)
		return NULL;
	c->ops = ops;
	c->arg = arg;
	if (st->conf.nodelay)
		c->flags |= PTCP_TF_NODELAY;
	if (st->conf.keepalive_idle_ms)
		c->flags |= PTCP_TF_KEEPALIVE;
	c->cc.algo = st->tcp->cc_default;
	c->iss = iss;
	c->snd_una = iss;
	c->snd_nxt = iss;
	c->snd_max = iss;
	c->sndq_seq = iss + 1;
	ptcp_tcp_opts_offer(c);
	return c;
}

struct ptcp_conn *
ptcp_tcp_connect(struct ptcp_stack *st, const struct ptcp_flow *f,
		 const struct ptcp_conn_ops *ops, void *arg)
{
	uint32_t iss = ptcp_tcp_isn(&st->tcp->isn_key, f->laddr, f->lport, f->raddr, f->rport,
				    st->now_us);
	struct ptcp_conn *c = ptcp_tcp_conn_open(st, f, iss, ops, arg);

	if (c == NULL)
		return NULL;
	c->flags |= PTCP_TF_APP_KNOWS;
	ptcp_tcp_set_state(c, PTCP_TCP_SYN_SENT);
	ptcp_tcp_send_syn(c);
	ptcp_tcp_rto_arm(c);
	return c;
}

struct ptcp_conn *
ptcp_tcp_conn_new(struct ptcp_stack *st, const struct ptcp_flow *f)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_conn *c;

	if (tcp->nfree == 0)
		return NULL;
	c = &tcp->conns[tcp->conn_free[--tcp->nfree]];
	memset(c, 0, sizeof(*c));
	c->flow = *f;
	c->st = st;
	c->rto_us = (uint32_t)PTCP_MS(st->conf.rto_init_ms);
	c->rcv_mss = (uint16_t)PTCP_TCP_MSS_FOR_MTU(st->conf.mtu);
	c->snd_mss = 536;   /* RFC 9293 3.7.1 default until the peer's MSS option */
	if (rte_hash_add_key_data(tcp->table, f, c) < 0) {
		conn_put(tcp, c);
		return NULL;
	}
	tcp->table_gen++;   /* a flow looked up in this burst as absent may be here now */
	tcp->nconns++;
	return c;
}

void
ptcp_tcp_set_state(struct ptcp_conn *c, enum ptcp_tcp_state s)
{
	c->state = (uint8_t)s;
}

/* Off the list of writers waiting for memory (ptcp_tcp_mem_wait). */
static void
mem_unwait(struct ptcp_conn *c)
{
	if (c->mem_link.tqe_prev != NULL) {
		TAILQ_REMOVE(&c->st->tcp->mem_wait, c, mem_link);
		c->mem_link.tqe_prev = NULL;
	}
}

/*
 * The connection is CLOSED: take it out of the table and the wheel now;
 * on_closed and the free happen in ptcp_tcp_leave().
 */
void
ptcp_tcp_conn_closed(struct ptcp_conn *c, int err)
{
	struct ptcp_tcp *tcp = c->st->tcp;

	if (c->flags & PTCP_TF_REAPED)
		return;
	c->state = PTCP_TCP_CLOSED;
	c->err = err;
	c->flags |= PTCP_TF_REAPED;
	mem_unwait(c);
	if (c->flags & PTCP_TF_DETACHED) {
		LIST_REMOVE(c, reap_link);   /* from the detached list; already out of the table */
	} else {
		ptcp_tcp_timer_cancel_all(c);
		table_del(tcp, c);
		tcp->nconns--;
		PTCP_INC(c->st, TCP_CONN_CLOSED);
	}
	LIST_INSERT_HEAD(&tcp->reap, c, reap_link);
}

/*
 * TIME-WAIT lives on as a record (tcp_timewait.c) but the application has
 * not read everything: keep the object for ptcp_recv only, out of the table
 * and the wheel (no segment or timer reaches it). ptcp_recv emptying the
 * queue, or ptcp_close, closes it (on_closed(0)).
 */
void
ptcp_tcp_conn_detach(struct ptcp_conn *c)
{
	struct ptcp_tcp *tcp = c->st->tcp;

	mem_unwait(c);
	ptcp_tcp_timer_cancel_all(c);
	table_del(tcp, c);
	tcp->nconns--;
	PTCP_INC(c->st, TCP_CONN_CLOSED);
	c->flags |= PTCP_TF_DETACHED;
	LIST_INSERT_HEAD(&tcp->detached, c, reap_link);
}

void
ptcp_tcp_enter(struct ptcp_stack *st)
{
	st->tcp->depth++;
}

void
ptcp_tcp_leave(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;

	if (tcp->depth > 1) {
		tcp->depth--;
		return;
	}
	/* Outermost: reap. on_closed may open or close others; keep depth 1 meanwhile. */
	while (!LIST_EMPTY(&tcp->reap)) {
		struct ptcp_conn *c = LIST_FIRST(&tcp->reap);

		LIST_REMOVE(c, reap_link);
		if ((c->flags & PTCP_TF_APP_KNOWS) && c->ops != NULL && c->ops->on_closed != NULL)
			c->ops->on_closed(c, c->arg, c->err);
		conn_free_buffers(c);
		conn_put(tcp, c);
	}
	tcp->depth--;
}

struct ptcp_listener *
ptcp_tcp_listener_find(struct ptcp_stack *st, uint16_t port)
{
	struct ptcp_listener *l = st->tcp->listeners;
	unsigned int i;

	for (i = 0; i < PTCP_TCP_MAX_LISTENERS; i++)
		if (l[i].port == port && port != 0)
			return &l[i];
	return NULL;
}

/*
 * The window to advertise (RFC 9293 3.8.6.2.2 receiver-side SWS avoidance):
 * the right edge moves only when it can move by min(RCV.BUFF/2, MSS); it
 * never moves left (3.8.6: "shrinking the window" is strongly discouraged).
 *
 * Memory (Linux tcp_mem ideas): with the stack above conf.mem_pressure held
 * mbufs the window opens by at most 4 MSS, above conf.mem_limit by at most
 * one MSS, so that new data slows down while what was promised stays
 * promised (the right edge is kept). The connection's own truesize budget
 * limits it the same way (a peer sending tiny segments in order costs one
 * mbuf per tail's room, not per byte).
 */
uint32_t
ptcp_tcp_rcv_window(const struct ptcp_conn *c)
{
	const struct ptcp_stack *st = c->st;
	uint32_t buf = st->conf.rcv_buf;
	uint32_t space = buf > c->rcvq_bytes ? buf - c->rcvq_bytes : 0;
	uint32_t cur = ptcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t thresh = RTE_MIN(buf / 2, (uint32_t)c->rcv_mss);
	uint32_t clamp = UINT32_MAX;

	/* RFC 7323 2.3: the largest window the 16-bit field can say with our shift. */
	space = RTE_MIN(space, PTCP_TCP_MAX_WND << c->rcv_wscale);
	if (st->mem_held >= st->conf.mem_limit || c->rcv_mbufs >= ptcp_tcp_rcv_mbufs_max(c))
		clamp = c->rcv_mss;
	else if (st->mem_held >= st->conf.mem_pressure)
		clamp = 4u * c->rcv_mss;
	if (space > clamp && space > cur) {
		space = clamp;
		PTCP_INC(c->st, TCP_WND_CLAMPED);
	}
	if (space <= cur)
		return cur;
	if (space - cur < thresh)
		return cur;
	return space;
}

/*
 * Send space was cut short by memory, not by snd_buf: the writer waits for
 * on_writable, which ptcp_tcp_mem_wake() delivers once memory is back (no
 * ACK may ever come to do it: the connection may have nothing in flight).
 */
void
ptcp_tcp_mem_wait(struct ptcp_conn *c)
{
	if (c->mem_link.tqe_prev != NULL || (c->flags & (PTCP_TF_REAPED | PTCP_TF_DETACHED)))
		return;
	TAILQ_INSERT_TAIL(&c->st->tcp->mem_wait, c, mem_link);
	PTCP_INC(c->st, TCP_SND_MEM_LIMITED);
}

/*
 * From the poll: once 1/16 of the budget is free again (and the pool is
 * well above its reserve), wake the waiting writers, oldest first.
 */
void
ptcp_tcp_mem_wake(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	uint32_t room = RTE_MAX(st->conf.mem_limit / 16, 1u);
	struct ptcp_conn *c;
	uint32_t n = 0, i;

	if (TAILQ_EMPTY(&tcp->mem_wait) || st->mem_held + room > st->conf.mem_limit ||
	    ptcp_pool_avail(st) <= 2u * st->conf.mbuf_reserve)
		return;
	TAILQ_FOREACH(c, &tcp->mem_wait, mem_link)
		n++;
	ptcp_tcp_enter(st);
	/* Only those waiting now: a writer may queue itself again from on_writable. */
	for (i = 0; i < n && (c = TAILQ_FIRST(&tcp->mem_wait)) != NULL; i++) {
		TAILQ_REMOVE(&tcp->mem_wait, c, mem_link);
		c->mem_link.tqe_prev = NULL;
		if (c->state != PTCP_TCP_CLOSED && (c->flags & PTCP_TF_APP_KNOWS) &&
		    c->ops != NULL && c->ops->on_writable != NULL)
			c->ops->on_writable(c, c->arg);
	}
	ptcp_tcp_leave(st);
}
