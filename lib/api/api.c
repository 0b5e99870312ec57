/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api.c - listen / connect / send / recv / shutdown / close / abort.
 *
 * Calls made from inside a callback of the same connection (PTCP_TF_IN_INPUT)
 * only queue work: tcp_input sends once when the segment is done, so an
 * echo reply carries the ACK. Calls from elsewhere send at once.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "ptcp_api.h"
#include "ptcp_net.h"
#include "tcp_private.h"

static void
kick(struct ptcp_conn *c)
{
	if (!(c->flags & PTCP_TF_IN_INPUT))
		ptcp_tcp_output(c);
}

int
ptcp_listen(struct ptcp_stack *st, uint16_t port, const struct ptcp_conn_ops *ops, void *arg)
{
	struct ptcp_listener *l = NULL;

	if (port == 0)
		return -EINVAL;
	if (ptcp_tcp_listener_find(st, port) != NULL)
		return -EADDRINUSE;
	for (unsigned int i = 0; l == NULL && i < PTCP_TCP_MAX_LISTENERS; i++)
		if (st->tcp->listeners[i].port == 0)
			l = &st->tcp->listeners[i];
	if (l == NULL)
		return -ENOSPC;
	l->port = port;
	l->ops = ops;
	l->arg = arg;
	l->backlog = st->conf.backlog;
	l->nsyn = 0;
	return 0;
}

int
ptcp_unlisten(struct ptcp_stack *st, uint16_t port)
{
	struct ptcp_listener *l = ptcp_tcp_listener_find(st, port);

	if (l == NULL)
		return -ENOENT;
	ptcp_tcp_syncache_purge(st, l);
	memset(l, 0, sizeof(*l));
	return 0;
}

/*
 * RFC 6056 3.3.4 algorithm 4 (double-hash port selection):
 *   offset = F(laddr, raddr, rport, key1); index = G(laddr, raddr, rport, key2)
 *   port = min + (offset + table[index]++) % num, until a suitable one.
 * Each destination sees its own sequence from an unpredictable start, so an
 * observer of one connection's port learns nothing of ports used towards
 * other destinations, and reconnecting to one destination still walks away
 * from recently used (possibly TIME-WAIT) ports. F and G are the two halves
 * of one SipHash-2-4 output under a per-stack random key. With several
 * lcores a port is suitable only if this stack owns the flow
 * (ptcp_steer_owner, the hash RSS and software steering use), so the
 * replies come back to the lcore that opened the connection: about one in
 * n ports of the walk, still in the keyed order.
 *
 * With several local addresses (conf.ip_count) the first address tried
 * rotates per call, and an address is left after PTCP_TCP_PORT_TRIES
 * unsuitable ports: a load generator spreads its connections evenly, and
 * a nearly full address costs a bounded walk, not 16384 lookups.
 */
static inline bool
flow_is_ours(const struct ptcp_stack *st, const struct ptcp_flow *f)
{
	const struct ptcp_stack_conf *conf = &st->conf;

	return conf->steer == NULL ||
	       ptcp_steer_owner(conf->steer, f->raddr, f->laddr, f->rport, f->lport) ==
	       conf->steer_owner;
}

static bool
port_suitable(struct ptcp_stack *st, const struct ptcp_flow *f)
{
	return flow_is_ours(st, f) && ptcp_tcp_listener_find(st, f->lport) == NULL &&
		ptcp_tcp_conn_lookup(st, f) == NULL && ptcp_tcp_timewait_lookup(st, f) == NULL;
}

static int
pick_port_from(struct ptcp_stack *st, struct ptcp_flow *f, uint32_t tries)
{
	struct ptcp_tcp *tcp = st->tcp;
	const uint32_t num = PTCP_TCP_EPHEMERAL_MAX - PTCP_TCP_EPHEMERAL_MIN + 1;
	struct { rte_be32_t laddr, raddr; uint16_t rport; } __rte_packed msg = {
		.laddr = f->laddr, .raddr = f->raddr, .rport = f->rport };
	uint64_t h = ptcp_siphash24(&tcp->port_key, &msg, sizeof(msg));
	uint32_t offset = (uint32_t)h;
	uint16_t *perturb = &tcp->port_perturb[(h >> 32) % PTCP_TCP_PORT_TABLE];
	uint32_t count;

	for (count = 0; count < RTE_MIN(num, tries); count++) {
		f->lport = (uint16_t)(PTCP_TCP_EPHEMERAL_MIN + (offset + *perturb) % num);
		(*perturb)++;
		if (port_suitable(st, f))
			return 0;
	}
	return -EADDRINUSE;
}

static int
pick_port(struct ptcp_stack *st, struct ptcp_flow *f)
{
	uint32_t n = st->conf.ip_count, first, i;

	if (n <= 1) {
		f->laddr = st->conf.ip;
		return pick_port_from(st, f, UINT32_MAX);
	}
	first = st->tcp->laddr_next++ % n;
	for (i = 0; i < n; i++) {
		f->laddr = rte_cpu_to_be_32(rte_be_to_cpu_32(st->conf.ip) + (first + i) % n);
		if (pick_port_from(st, f, PTCP_TCP_PORT_TRIES) == 0)
			return 0;
	}
	/* Every address nearly full: walk each one to its end. */
	for (i = 0; i < n; i++) {
		f->laddr = rte_cpu_to_be_32(rte_be_to_cpu_32(st->conf.ip) + (first + i) % n);
		if (pick_port_from(st, f, UINT32_MAX) == 0)
			return 0;
	}
	return -EADDRINUSE;
}

struct ptcp_conn *
ptcp_connect(struct ptcp_stack *st, rte_be32_t raddr, uint16_t rport, uint16_t lport,
	     const struct ptcp_conn_ops *ops, void *arg)
{
	struct ptcp_flow f = { .laddr = st->conf.ip, .raddr = raddr, .lport = lport,
			       .rport = rport };
	struct ptcp_conn *c;

	if (raddr == 0 || rport == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (lport == 0 && pick_port(st, &f) != 0) {
		rte_errno = EADDRINUSE;
		return NULL;
	}
	/* Another lcore would receive the replies (several lcores, a port given). */
	if (lport != 0 && !flow_is_ours(st, &f)) {
		rte_errno = EXDEV;
		return NULL;
	}
	/* A tuple in TIME-WAIT is in use too (RFC 9293 3.10.7.4: 2*MSL before reuse). */
	if (lport != 0 && (ptcp_tcp_conn_lookup(st, &f) != NULL ||
			   ptcp_tcp_timewait_lookup(st, &f) != NULL)) {
		rte_errno = EADDRINUSE;
		return NULL;
	}
	c = ptcp_tcp_connect(st, &f, ops, arg);
	if (c == NULL)
		rte_errno = ENOSPC;
	return c;
}

/* Bytes one fresh send-queue mbuf holds (queue buffers need no headroom). */
static inline uint32_t
sndq_room(const struct ptcp_stack *st)
{
	return rte_pktmbuf_data_room_size(st->pool);
}

/*
 * Send space is a promise (ptcp_api.h): snd_buf less what is queued, cut to
 * what memory allows now, i.e. the tail's free room plus as many new mbufs
 * as both the stack's budget (conf.mem_limit held mbufs, or the
 * connection's guaranteed minimum) and the pool above its reserve can
 * give. ptcp_send takes exactly that much without another check, so
 * nothing between the two calls on this lcore can break it. When memory,
 * not snd_buf, is the limit the connection waits for on_writable
 * (ptcp_tcp_mem_wait).
 */
static uint32_t
send_space(struct ptcp_conn *c, bool wait)
{
	struct ptcp_stack *st = c->st;
	uint32_t buf = st->conf.snd_buf;
	uint32_t want = buf > c->sndq_bytes ? buf - c->sndq_bytes : 0;
	uint32_t room = c->sndq_tail != NULL ? rte_pktmbuf_tailroom(c->sndq_tail) : 0;
	uint32_t per = sndq_room(st), need, budget, avail;

	if (want <= room)
		return want;
	need = (want - room + per - 1) / per;
	budget = st->mem_held < st->conf.mem_limit ? st->conf.mem_limit - st->mem_held : 0;
	/*
	 * Every connection may queue PTCP_TCP_SND_MIN_MBUFS whatever the stack
	 * holds (Linux guarantees tcp_wmem[0] the same way): an application
	 * that moves received bytes to the send queue (echo) frees receive
	 * memory only after it could send, so without it connections holding
	 * receive memory beyond the limit would wait for each other for ever.
	 */
	avail = ptcp_pool_avail(st);
	budget = RTE_MIN(budget, avail > st->conf.mbuf_reserve ? avail - st->conf.mbuf_reserve : 0);
	/* The minimum may dig into the reserve's upper half: queues must drain. */
	if (c->snd_mbufs < PTCP_TCP_SND_MIN_MBUFS) {
		uint32_t floor = st->conf.mbuf_reserve / 2;
		uint32_t min = RTE_MIN(PTCP_TCP_SND_MIN_MBUFS - c->snd_mbufs,
				       avail > floor ? avail - floor : 0);

		budget = RTE_MAX(budget, min);
	}
	if (need <= budget)
		return want;
	if (wait)
		ptcp_tcp_mem_wait(c);
	return room + budget * per;
}

uint32_t
ptcp_send_space(struct ptcp_conn *c)
{
	return send_space(c, true);
}

static int may_send(const struct ptcp_conn *c);

int32_t
ptcp_send(struct ptcp_conn *c, const void *data, uint32_t len)
{
	uint32_t n;
	int rc = may_send(c);

	if (rc != 0)
		return rc;
	n = RTE_MIN(len, send_space(c, false));
	if (n < len)
		send_space(c, true);   /* on_writable owed if memory cut it short */
	if (n == 0)
		return 0;
	/* Within send_space(): the budget was checked, no reserve test applies. */
	n = ptcp_tcp_sndq_append(c, data, n);
	kick(c);
	return (int32_t)n;
}

/* ptcp_send's state checks: 0 if c may queue data, else -ENOTCONN / -EPIPE. */
static int
may_send(const struct ptcp_conn *c)
{
	switch (c->state) {
	case PTCP_TCP_SYN_SENT:
	case PTCP_TCP_SYN_RECEIVED:
	case PTCP_TCP_ESTABLISHED:
	case PTCP_TCP_CLOSE_WAIT:
		return (c->flags & PTCP_TF_FIN_QUEUED) ? -EPIPE : 0;
	case PTCP_TCP_CLOSED:
		return -ENOTCONN;
	default:
		return -EPIPE;
	}
}

int32_t
ptcp_send_mbuf(struct ptcp_conn *c, struct rte_mbuf *m)
{
	int rc = may_send(c);

	if (rc != 0)
		return rc;
	if (m->pkt_len > send_space(c, false)) {
		send_space(c, true);   /* on_writable owed if memory cut it short */
		return -EAGAIN;
	}
	if (m->pkt_len == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	rc = (int)m->pkt_len;
	ptcp_tcp_sndq_append_mbuf(c, m);
	kick(c);
	return rc;
}

uint32_t
ptcp_readable(const struct ptcp_conn *c)
{
	return c->rcvq_bytes;
}

bool
ptcp_conn_eof(const struct ptcp_conn *c)
{
	switch (c->state) {
	case PTCP_TCP_CLOSE_WAIT:
	case PTCP_TCP_LAST_ACK:
	case PTCP_TCP_CLOSING:
	case PTCP_TCP_TIME_WAIT:
		return c->rcvq_bytes == 0;
	default:
		return false;
	}
}

uint32_t
ptcp_peek(const struct ptcp_conn *c, void *buf, uint32_t len)
{
	return ptcp_tcp_rcvq_peek(c, buf, len);
}

/* The application read `done` bytes: close a detached connection, or open the window. */
static void
after_read(struct ptcp_conn *c, uint32_t before)
{
	if (c->flags & PTCP_TF_DETACHED) {
		/* TIME-WAIT is a record now: the last byte read ends the connection. */
		if (c->rcvq_bytes == 0) {
			ptcp_tcp_enter(c->st);
			ptcp_tcp_conn_closed(c, 0);
			ptcp_tcp_leave(c->st);
		}
		return;
	}
	/* Window update when the window opens by the SWS threshold (3.8.6.2.2). */
	if (c->state != PTCP_TCP_CLOSED && ptcp_tcp_rcv_window(c) > before) {
		c->flags |= PTCP_TF_ACK_NOW;
		kick(c);
	}
}

static inline uint32_t
adv_left(const struct ptcp_conn *c)
{
	return ptcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
}

struct rte_mbuf *
ptcp_recv_mbuf(struct ptcp_conn *c, uint32_t max)
{
	uint32_t before = adv_left(c), len;
	struct rte_mbuf *m;

	if (c->rcvq_bytes == 0)
		return NULL;
	m = ptcp_tcp_rcvq_take(c, max, &len);
	if (m != NULL)
		after_read(c, before);
	return m;
}

uint32_t
ptcp_consume(struct ptcp_conn *c, uint32_t len)
{
	uint32_t done, before;

	if (c->rcvq_bytes == 0)
		return 0;
	before = adv_left(c);
	done = ptcp_tcp_rcvq_drop(c, len);
	after_read(c, before);
	return done;
}

uint32_t
ptcp_recv(struct ptcp_conn *c, void *buf, uint32_t len)
{
	return ptcp_consume(c, ptcp_peek(c, buf, len));
}

int
ptcp_shutdown(struct ptcp_conn *c)
{
	if (c->flags & PTCP_TF_FIN_QUEUED)
		return 0;
	switch (c->state) {
	case PTCP_TCP_SYN_SENT:
	case PTCP_TCP_SYN_RECEIVED:
		/* RFC 9293 3.10.4: queued until ESTABLISHED is reached. */
		c->flags |= PTCP_TF_FIN_QUEUED;
		return 0;
	case PTCP_TCP_ESTABLISHED:
		ptcp_tcp_set_state(c, PTCP_TCP_FIN_WAIT_1);
		break;
	case PTCP_TCP_CLOSE_WAIT:
		ptcp_tcp_set_state(c, PTCP_TCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	c->flags |= PTCP_TF_FIN_QUEUED;
	kick(c);
	return 0;
}

static void
abort_conn(struct ptcp_conn *c, int err)
{
	switch (c->state) {
	case PTCP_TCP_SYN_RECEIVED:
	case PTCP_TCP_ESTABLISHED:
	case PTCP_TCP_FIN_WAIT_1:
	case PTCP_TCP_FIN_WAIT_2:
	case PTCP_TCP_CLOSE_WAIT:
		ptcp_tcp_send_rst(c);
		break;
	default:
		break;
	}
	ptcp_tcp_conn_closed(c, err);
}

int
ptcp_close(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	int ret = 0;

	if (c->state == PTCP_TCP_CLOSED)
		return -ENOTCONN;
	ptcp_tcp_enter(st);
	c->flags |= PTCP_TF_APP_CLOSED;
	if (c->state == PTCP_TCP_SYN_SENT || (c->flags & PTCP_TF_DETACHED)) {
		ptcp_tcp_conn_closed(c, 0);
	} else if (c->rcvq_bytes > 0 ||
		   (c->state == PTCP_TCP_SYN_RECEIVED && !(c->flags & PTCP_TF_APP_KNOWS))) {
		/* RFC 1122 4.2.2.13: unread data (or a handshake nobody owns): reset. */
		abort_conn(c, -ECONNABORTED);
	} else if (c->state != PTCP_TCP_TIME_WAIT) {
		ret = ptcp_shutdown(c);
		if (ret == -ENOTCONN)
			ret = 0;   /* already closing */
		ptcp_tcp_fin_wait_2_arm(c);   /* half-closed before: FIN-WAIT-2 is orphaned now */
	}
	ptcp_tcp_leave(st);
	return ret;
}

void
ptcp_abort(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;

	if (c->state == PTCP_TCP_CLOSED)
		return;
	ptcp_tcp_enter(st);
	abort_conn(c, -ECONNABORTED);
	ptcp_tcp_leave(st);
}

void
ptcp_conn_set_nodelay(struct ptcp_conn *c, bool on)
{
	if (on)
		c->flags |= PTCP_TF_NODELAY;
	else
		c->flags &= ~PTCP_TF_NODELAY;
	kick(c);
}

int
ptcp_conn_set_cc(struct ptcp_conn *c, const char *name)
{
	int algo = name != NULL ? ptcp_tcp_cc_find(name) : -EINVAL;

	if (algo < 0)
		return algo;
	ptcp_tcp_cc_select(c, (uint8_t)algo);
	return 0;
}

int
ptcp_cc_check(const char *name)
{
	return name != NULL && ptcp_tcp_cc_find(name) >= 0 ? 0 : -EINVAL;
}

const char *
ptcp_conn_cc(const struct ptcp_conn *c)
{
	return ptcp_cc_algos[c->cc.algo]->name;
}

int
ptcp_conn_set_keepalive(struct ptcp_conn *c, bool on)
{
	if (on && c->st->conf.keepalive_idle_ms == 0)
		return -EINVAL;
	if (on) {
		c->flags |= PTCP_TF_KEEPALIVE;
		if (c->state == PTCP_TCP_ESTABLISHED || c->state == PTCP_TCP_CLOSE_WAIT)
			ptcp_tcp_keepalive_arm(c);
	} else {
		c->flags &= ~PTCP_TF_KEEPALIVE;
		ptcp_tcp_timer_stop(c, PTCP_TCP_T_KEEPALIVE);
	}
	return 0;
}

void
ptcp_conn_set_arg(struct ptcp_conn *c, void *arg)
{
	c->arg = arg;
}

enum ptcp_tcp_state
ptcp_conn_state(const struct ptcp_conn *c)
{
	return (enum ptcp_tcp_state)c->state;
}

void
ptcp_conn_tuple(const struct ptcp_conn *c, rte_be32_t *laddr, uint16_t *lport,
		rte_be32_t *raddr, uint16_t *rport)
{
	*laddr = c->flow.laddr;
	*lport = c->flow.lport;
	*raddr = c->flow.raddr;
	*rport = c->flow.rport;
}
