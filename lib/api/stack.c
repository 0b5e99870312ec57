/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stack.c - lifecycle of one per-lcore stack and the burst entry points.
 *
 * ptcp_stack_rx_burst() -> ptcp_net_input() per frame -> (ptcp_tcp_input())
 * ptcp_stack_handoff_burst() -> ptcp_net_handoff_input() per datagram
 * ptcp_stack_poll()     -> ptcp_net_poll(), ptcp_tcp_poll()
 * ptcp_stack_flush()    -> conf.tx_fn
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "ptcp_api.h"
#include "ptcp_net.h"
#include "tcp_private.h"

struct ptcp_stack *
ptcp_stack_create(const struct ptcp_stack_conf *conf)
{
	struct ptcp_stack *st;
	int ret;

	if (conf == NULL || conf->ip == 0 || conf->pool == NULL || conf->tx_fn == NULL ||
	    rte_is_zero_ether_addr(&conf->mac)) {
		rte_errno = EINVAL;
		return NULL;
	}
	st = rte_zmalloc_socket("ptcp_stack", sizeof(*st), RTE_CACHE_LINE_SIZE, conf->socket_id);
	if (st == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	st->conf = *conf;
	ptcp_conf_defaults(&st->conf);
	if (st->conf.mtu < 68 || st->conf.prefix_len > 32 || st->conf.max_conns == 0 ||
	    st->conf.rto_min_ms > st->conf.rto_max_ms || st->conf.rto_init_ms > st->conf.rto_max_ms ||
	    /* a shared neighbour table: stacks other than 0 hand unresolved frames to 0 */
	    (st->conf.neigh != NULL && st->conf.steer_owner != 0 && st->conf.handoff_fn == NULL)) {
		rte_free(st);
		rte_errno = EINVAL;
		return NULL;
	}
	snprintf(st->name, sizeof(st->name), "%s", st->conf.name);
	st->conf.name = st->name;
	st->pool = st->conf.pool;
	if (!(st->conf.offloads & PTCP_OFFLOAD_TX_MULTI_SEG))
		st->conf.indirect_pool = NULL;   /* the port would not send the chains */
	st->mbuf_truesize = st->pool->elt_size;   /* header + buffer of one mbuf */
	if (strncmp(rte_mempool_get_ops(st->pool->ops_index)->name, "ring_", 5) == 0)
		st->pool_ring = st->pool->pool_data;
	ret = ptcp_net_init(st);
	if (ret == 0) {
		ret = ptcp_tcp_init(st);
		if (ret != 0)
			ptcp_net_fini(st);
	}
	if (ret != 0) {
		rte_free(st);
		rte_errno = -ret;
		return NULL;
	}
	return st;
}

void
ptcp_stack_destroy(struct ptcp_stack *st)
{
	if (st == NULL)
		return;
	ptcp_tcp_fini(st);
	ptcp_net_fini(st);
	rte_pktmbuf_free_bulk(st->tx.pkts, st->tx.n);
	rte_free(st);
}

uint16_t
ptcp_stack_rx_burst(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n, uint64_t now_us)
{
	uint16_t i, j, chunk;

	st->now_us = now_us;
	PTCP_ADD(st, RX_PKTS, n);
	ptcp_tcp_enter(st);
	for (i = 0; i < n; i += chunk) {
		chunk = (uint16_t)RTE_MIN(n - i, PTCP_TCP_PRELOOK);
		ptcp_tcp_prelookup(st, pkts + i, chunk);
		for (j = i; j < i + chunk; j++)
			ptcp_net_input(st, pkts[j]);
		ptcp_tcp_prelookup_end(st);
	}
	ptcp_tcp_leave(st);
	return n;
}

uint16_t
ptcp_stack_handoff_burst(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n,
			 uint64_t now_us)
{
	uint16_t i;

	st->now_us = now_us;
	ptcp_tcp_enter(st);
	for (i = 0; i < n; i++)
		ptcp_net_handoff_input(st, pkts[i]);
	ptcp_tcp_leave(st);
	return n;
}

uint16_t
ptcp_stack_resolve_burst(struct ptcp_stack *st, struct rte_mbuf **pkts, uint16_t n,
			 uint64_t now_us)
{
	uint16_t i;

	st->now_us = now_us;
	for (i = 0; i < n; i++)
		ptcp_net_resolve_input(st, pkts[i]);
	return n;
}

void
ptcp_stack_poll(struct ptcp_stack *st, uint64_t now_us)
{
	st->now_us = now_us;
	ptcp_net_poll(st);
	ptcp_tcp_poll(st);
}

void
ptcp_stack_flush(struct ptcp_stack *st)
{
	ptcp_tx_flush(st);
}

uint32_t
ptcp_stack_conn_count(const struct ptcp_stack *st)
{
	return ptcp_tcp_conn_count(st);
}

uint32_t
ptcp_stack_time_wait_count(const struct ptcp_stack *st)
{
	return ptcp_tcp_timewait_count(st);
}

void
ptcp_stack_counters_add(const struct ptcp_stack *st, uint64_t *sum)
{
	unsigned int i;

	for (i = 0; i < PTCP_CTR_MAX; i++)
		sum[i] += st->ctr[i];
}

bool
ptcp_stack_tx_busy(const struct ptcp_stack *st)
{
	return st->tx_backed_up;
}

void
ptcp_stack_close_all(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	const void *key;
	void *data;
	uint32_t iter = 0, n = 0, i;
	struct ptcp_conn **all;

	for (i = 0; i < PTCP_TCP_MAX_LISTENERS; i++)
		if (tcp->listeners[i].port != 0)
			ptcp_tcp_syncache_purge(st, &tcp->listeners[i]);
	memset(tcp->listeners, 0, sizeof(tcp->listeners));
	if (tcp->nconns == 0)
		return;
	/* Snapshot first: closing changes the table. */
	all = rte_malloc("ptcp_close_all", sizeof(*all) * tcp->nconns, 0);
	if (all == NULL)
		return;
	while (n < tcp->nconns && rte_hash_iterate(tcp->table, &key, &data, &iter) >= 0)
		all[n++] = data;
	ptcp_tcp_enter(st);
	for (i = 0; i < n; i++)
		if (all[i]->state != PTCP_TCP_CLOSED && all[i]->state != PTCP_TCP_TIME_WAIT)
			ptcp_close(all[i]);
	ptcp_tcp_leave(st);
	rte_free(all);
}

void
ptcp_stack_mem_get(const struct ptcp_stack *st, struct ptcp_stack_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->conn_slots = st->conf.max_conns;
	m->conn_struct = sizeof(struct ptcp_conn);
	m->conn_bytes = st->tcp->conn_mem;
	m->tw_slots = st->conf.max_time_wait;
	m->tw_struct = sizeof(struct ptcp_timewait);
	m->tw_bytes = st->tcp->timewait_mem;
	m->conns = ptcp_stack_conn_count(st);
	m->time_wait = ptcp_stack_time_wait_count(st);
	m->pmtu_slots = RTE_MAX(st->conf.pmtu_cache_size, 8u);
	m->pmtu_entries = ptcp_tcp_pmtu_count(st);
	m->pmtu_bytes = ptcp_tcp_pmtu_mem(st);
	if (st->tcp->sack_pool != NULL) {
		m->sack_slots = st->tcp->sack_pool->size;
		m->sack_struct = sizeof(struct ptcp_sack_sb);
		m->sack_bytes = st->tcp->sack_mem;
		m->sack_used = rte_mempool_in_use_count(st->tcp->sack_pool);
	}
}
