/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp.c - ARP (RFC 826) for Ethernet/IPv4: answering requests for our
 * address, the neighbour table with its wait queues, resolution retries,
 * expiry, and the gratuitous announcement (RFC 5227 2.3).
 *
 * Input:  ptcp_arp_input() -> arp_merge() (RFC 826 "packet reception")
 *                          -> arp_send() of the reply
 * Output: ptcp_arp_output() -> cached MAC -> ptcp_tx_enqueue()
 *                           | arp_create() + ptcp_arp_request() -> wait queue
 *         arp_resolved() flushes the wait queue when the answer arrives.
 * Timers: ptcp_arp_poll() -> arp_timer() per due entry.
 *
 * The table is an rte_hash (ip -> slot) over a fixed array of entries, both
 * allocated at init. Entry life cycle (RFC 1122 2.3.2.1 and 2.3.2.2):
 *
 *   INCOMPLETE  a broadcast request is sent every arp_retry_ms, arp_retries
 *               in all; packets sent meanwhile wait in a ring of
 *               PTCP_ARP_QUEUE_LEN (when full the oldest is dropped, since
 *               2.3.2.2 says to save "at least one (the latest) packet");
 *               no answer: the queued packets are dropped (ARP_TIMEOUT_DROP)
 *               and the entry removed.
 *   REACHABLE   any ARP packet from the neighbour refreshes it (RFC 826
 *               merge). After arp_timeout_ms without refresh it expires:
 *               if no packet used it since the last refresh it is removed;
 *   PROBE       otherwise the old MAC keeps being used while we re-validate
 *               it with unicast requests to that MAC (2.3.2.1 "unicast
 *               poll"), arp_retries of them arp_retry_ms apart; an answer
 *               makes it REACHABLE again, silence removes it.
 *
 * When the table is full a new entry replaces the resolved entry refreshed
 * longest ago; entries still resolving are never evicted.
 *
 * Sharing (conf.neigh): with several lcores there is one table and one
 * control path, the stack of lcore 0. The port steers every ARP frame to
 * it, and only it writes the table: entries, MACs, timers, wait queues.
 * The other stacks read it on their data path without a lock: the rte_hash
 * is created with lock-free reader/writer concurrency, and an entry's MAC
 * sits in one 64-bit word (hw) published with a release store after its ip
 * field; a reader loads hw with acquire, then ip, and uses the MAC only
 * when ip is the neighbour it looked up, so an entry deleted and reused
 * under a reader reads as a miss, never as another host's MAC. Key slots
 * are freed right after the delete for that reason: a reader racing with
 * their reuse at worst misses. On a miss another stack passes its frame to
 * the control path (PTCP_HANDOFF_RESOLVE, ARP_RESOLVE_HANDOFF), where it
 * waits in the entry's queue and leaves from lcore 0 once resolved. There
 * are no per-lcore copies and no ARP reply is fanned out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "net_private.h"

static const struct rte_ether_addr ether_bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
static const struct rte_ether_addr ether_zero = {{ 0 }};

/* ---- Table --------------------------------------------------------------- */

static inline uint64_t
hw_pack(const struct rte_ether_addr *mac)
{
	uint64_t hw = PTCP_ARP_HW_VALID;
	unsigned int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		hw |= (uint64_t)mac->addr_bytes[i] << (8 * i);
	return hw;
}

static inline void
hw_unpack(uint64_t hw, struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(hw >> (8 * i));
}

struct ptcp_neigh *
ptcp_neigh_create(const char *name, int socket_id, bool shared, uint32_t entries)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries != 0 ? entries : PTCP_DEFAULT_ARP_ENTRIES,
		.key_len = sizeof(rte_be32_t),
		.hash_func = rte_hash_crc,
		.socket_id = socket_id,
		/* the extendable table guarantees room for every one of .entries */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE |
			      (shared ? RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF : 0),
	};
	struct ptcp_neigh *nb;
	int32_t max_id;

	nb = rte_zmalloc_socket("ptcp_neigh", sizeof(*nb), RTE_CACHE_LINE_SIZE, socket_id);
	if (nb == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	nb->shared = shared;
	nb->hash = rte_hash_create(&p);
	if (nb->hash == NULL)
		goto fail;
	/* rte_hash_add_key() returns slots 0 .. max key id. */
	max_id = rte_hash_max_key_id(nb->hash);
	if (max_id < 0) {
		rte_errno = EINVAL;
		goto fail;
	}
	nb->slots = (uint32_t)max_id + 1;
	nb->e = rte_zmalloc_socket("ptcp_arp", nb->slots * sizeof(nb->e[0]), RTE_CACHE_LINE_SIZE,
				   socket_id);
	if (nb->e == NULL) {
		rte_errno = ENOMEM;
		goto fail;
	}
	return nb;
fail:
	rte_hash_free(nb->hash);
	rte_free(nb);
	if (rte_errno == 0)
		rte_errno = ENOMEM;
	return NULL;
}

static void
queue_free(struct ptcp_arp_entry *e)
{
	while (e->qlen > 0) {
		rte_pktmbuf_free(e->q[e->qhead]);
		e->qhead = (uint8_t)((e->qhead + 1) % PTCP_ARP_QUEUE_LEN);
		e->qlen--;
	}
}

void
ptcp_neigh_free(struct ptcp_neigh *nb)
{
	uint32_t i;

	if (nb == NULL)
		return;
	for (i = 0; i < nb->slots; i++)
		queue_free(&nb->e[i]);
	rte_free(nb->e);
	rte_hash_free(nb->hash);
	rte_free(nb);
}

int
ptcp_arp_init(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;
	char name[RTE_HASH_NAMESIZE];
	int n;

	net->arp_next_us = UINT64_MAX;
	if (st->conf.neigh != NULL) {
		net->neigh = st->conf.neigh;
		net->control = st->conf.steer_owner == 0;
		return 0;
	}
	n = snprintf(name, sizeof(name), "%s_arp", st->name);
	if (n < 0 || (size_t)n >= sizeof(name))
		return -ENAMETOOLONG;
	net->neigh = ptcp_neigh_create(name, st->conf.socket_id, false, st->conf.arp_entries);
	if (net->neigh == NULL)
		return rte_errno != 0 ? -rte_errno : -ENOMEM;
	net->control = true;
	return 0;
}

void
ptcp_arp_fini(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;
	uint32_t i;

	if (net->neigh == NULL)
		return;
	if (!net->neigh->shared) {
		ptcp_neigh_free(net->neigh);
	} else if (net->control) {
		/* the frames waiting on lcore 0 go with its stack; the table with its creator */
		for (i = 0; i < net->neigh->slots; i++)
			queue_free(&net->neigh->e[i]);
	}
	net->neigh = NULL;
}

/* Any stack: the entry of ip, or NULL. */
static inline struct ptcp_arp_entry *
arp_find(const struct ptcp_neigh *nb, rte_be32_t ip)
{
	int32_t pos = rte_hash_lookup(nb->hash, &ip);

	if (pos < 0 || (uint32_t)pos >= nb->slots)
		return NULL;
	return &nb->e[pos];
}

/* e's usable MAC word if e is ip's entry now, else 0 (the check of "Sharing" above). */
static inline uint64_t
entry_hw(struct ptcp_arp_entry *e, rte_be32_t ip)
{
	uint64_t hw = __atomic_load_n(&e->hw, __ATOMIC_ACQUIRE);

	if (!(hw & PTCP_ARP_HW_VALID) || __atomic_load_n(&e->ip, __ATOMIC_RELAXED) != ip)
		return 0;
	return hw;
}

/*
 * Any stack: ip's usable MAC word (PTCP_ARP_HW_VALID set), else 0.
 * Marks the entry used (once per refresh: a store only when it changes, so
 * senders on several lcores do not bounce its cache line). The entry of
 * the last next hop is tried first: nearly every frame goes to one
 * gateway or one peer, and the check above makes a stale pointer harmless
 * (entries are never freed, only reused), so this skips the hash lookup.
 */
static inline uint64_t
arp_hw(struct ptcp_net *net, rte_be32_t ip, bool mark_used)
{
	struct ptcp_arp_entry *e = net->nh_last;
	uint64_t hw;

	if (e == NULL || (hw = entry_hw(e, ip)) == 0) {
		e = arp_find(net->neigh, ip);
		if (e == NULL || (hw = entry_hw(e, ip)) == 0)
			return 0;
		net->nh_last = e;
	}
	if (mark_used && !__atomic_load_n(&e->used, __ATOMIC_RELAXED))
		__atomic_store_n(&e->used, 1, __ATOMIC_RELAXED);
	return hw;
}

static void
arp_arm(struct ptcp_net *net, struct ptcp_arp_entry *e, uint64_t deadline)
{
	e->deadline_us = deadline;
	if (deadline < net->arp_next_us)
		net->arp_next_us = deadline;
}

/* Remove e, dropping any packets still waiting on it (counted as ARP_TIMEOUT_DROP). */
static void
arp_delete(struct ptcp_stack *st, struct ptcp_arp_entry *e)
{
	struct ptcp_neigh *nb = st->net->neigh;
	int32_t pos;

	__atomic_store_n(&e->hw, 0, __ATOMIC_RELEASE);   /* senders stop using it */
	PTCP_ADD(st, ARP_TIMEOUT_DROP, e->qlen);
	queue_free(e);
	pos = rte_hash_del_key(nb->hash, &e->ip);
	/* Lock-free tables keep deleted key slots until told (see "Sharing" above). */
	if (pos >= 0 && nb->shared)
		rte_hash_free_key_with_position(nb->hash, pos);
	e->state = PTCP_ARP_FREE;
}

/* Table full: evict the resolved entry refreshed longest ago, if any. */
static bool
arp_evict(struct ptcp_stack *st)
{
	struct ptcp_neigh *nb = st->net->neigh;
	struct ptcp_arp_entry *victim = NULL;
	uint32_t i;

	for (i = 0; i < nb->slots; i++) {
		struct ptcp_arp_entry *e = &nb->e[i];

		if (e->state != PTCP_ARP_REACHABLE && e->state != PTCP_ARP_PROBE)
			continue;
		if (victim == NULL || e->updated_us < victim->updated_us)
			victim = e;
	}
	if (victim == NULL)
		return false;
	PTCP_INC(st, ARP_EXPIRED);
	arp_delete(st, victim);
	return true;
}

/*
 * The control path: a new entry for ip (state FREE, no MAC: the caller sets
 * them), or NULL counted ARP_TABLE_FULL.
 */
static struct ptcp_arp_entry *
arp_create(struct ptcp_stack *st, rte_be32_t ip)
{
	struct ptcp_neigh *nb = st->net->neigh;
	struct ptcp_arp_entry *e;
	int32_t pos;

	pos = rte_hash_add_key(nb->hash, &ip);
	if (pos == -ENOSPC && arp_evict(st))
		pos = rte_hash_add_key(nb->hash, &ip);
	if (pos < 0 || (uint32_t)pos >= nb->slots) {
		if (pos >= 0)
			rte_hash_del_key(nb->hash, &ip);
		PTCP_INC(st, ARP_TABLE_FULL);
		return NULL;
	}
	e = &nb->e[pos];
	/* hw is 0 since the delete: readers see no MAC whatever ip they read */
	__atomic_store_n(&e->ip, ip, __ATOMIC_RELAXED);
	__atomic_store_n(&e->used, 0, __ATOMIC_RELAXED);
	e->state = PTCP_ARP_FREE;
	e->tries = 0;
	e->qhead = 0;
	e->qlen = 0;
	e->deadline_us = 0;
	e->updated_us = 0;
	return e;
}

/* A frame for the control path (lcore 0's stack); 0, or -ENOBUFS counted `drop`. */
static int
to_control(struct ptcp_stack *st, struct rte_mbuf *m, enum ptcp_handoff_kind kind,
	   enum ptcp_ctr sent, enum ptcp_ctr drop)
{
	const struct ptcp_stack_conf *conf = &st->conf;

	if (unlikely(conf->handoff_fn(conf->handoff_arg, m, 0, kind) != 0)) {
		st->ctr[drop]++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	st->ctr[sent]++;
	return 0;
}

/* ---- Sending ARP --------------------------------------------------------- */

/* Build and enqueue one ARP packet from us. */
static void
arp_send(struct ptcp_stack *st, uint16_t op, const struct rte_ether_addr *eth_dst,
	 rte_be32_t spa, const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	struct rte_mbuf *m = ptcp_mbuf_alloc(st);
	uint8_t *p;

	if (unlikely(m == NULL))
		return;
	p = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr));
	if (unlikely(p == NULL)) {
		rte_pktmbuf_free(m);
		return;
	}
	ptcp_eth_build(p, eth_dst, &st->conf.mac, RTE_ETHER_TYPE_ARP);
	ptcp_arp_build(p + RTE_ETHER_HDR_LEN, op, &st->conf.mac, spa, tha, tpa);
	if (op == RTE_ARP_OP_REQUEST)
		PTCP_INC(st, ARP_REQ_TX);
	else
		PTCP_INC(st, ARP_REPLY_TX);
	ptcp_tx_enqueue(st, m);
}

void
ptcp_arp_request(struct ptcp_stack *st, rte_be32_t tpa)
{
	/* RFC 826: the target hardware address of a request is "don't care": zero. */
	arp_send(st, RTE_ARP_OP_REQUEST, &ether_bcast, st->conf.ip, &ether_zero, tpa);
}

void
ptcp_arp_announce(struct ptcp_stack *st, rte_be32_t ip)
{
	arp_send(st, RTE_ARP_OP_REQUEST, &ether_bcast, ip, &ether_zero, ip);
}

/* Hand a frame to the TX batch with MAC word hw (PTCP_ARP_HW_VALID set). */
static inline void
arp_xmit(struct ptcp_stack *st, uint64_t hw, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	hw_unpack(hw, &eth->dst_addr);
	PTCP_INC(st, IP_TX);
	ptcp_tx_enqueue(st, m);
}

/* e's MAC is (re)confirmed: REACHABLE for arp_timeout_ms; send what waited. */
static void
arp_resolved(struct ptcp_stack *st, struct ptcp_arp_entry *e, const struct rte_ether_addr *mac)
{
	uint64_t hw = hw_pack(mac);

	if (__atomic_load_n(&e->hw, __ATOMIC_RELAXED) != hw)
		__atomic_store_n(&e->hw, hw, __ATOMIC_RELEASE);
	e->state = PTCP_ARP_REACHABLE;
	e->tries = 0;
	__atomic_store_n(&e->used, 0, __ATOMIC_RELAXED);
	e->updated_us = st->now_us;
	arp_arm(st->net, e, st->now_us + PTCP_MS(st->conf.arp_timeout_ms));
	if (e->qlen > 0)
		__atomic_store_n(&e->used, 1, __ATOMIC_RELAXED);
	while (e->qlen > 0) {
		struct rte_mbuf *m = e->q[e->qhead];

		e->qhead = (uint8_t)((e->qhead + 1) % PTCP_ARP_QUEUE_LEN);
		e->qlen--;
		arp_xmit(st, hw, m);
	}
}

/* The control path: m waits for nh (a request goes out for a new entry). */
static int
arp_wait(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t nh)
{
	struct ptcp_net *net = st->net;
	struct ptcp_arp_entry *e = arp_find(net->neigh, nh);

	if (e == NULL) {
		e = arp_create(st, nh);
		if (e == NULL) {
			rte_pktmbuf_free(m);   /* counted ARP_TABLE_FULL */
			return -ENOBUFS;
		}
		e->state = PTCP_ARP_INCOMPLETE;
		e->updated_us = st->now_us;
		e->tries = 1;
		ptcp_arp_request(st, nh);
		arp_arm(net, e, st->now_us + PTCP_MS(st->conf.arp_retry_ms));
	}
	if (e->qlen == PTCP_ARP_QUEUE_LEN) {
		/* RFC 1122 2.3.2.2: keep the latest packet; drop the oldest. */
		PTCP_DROP(st, e->q[e->qhead], ARP_QUEUE_FULL);
		e->qhead = (uint8_t)((e->qhead + 1) % PTCP_ARP_QUEUE_LEN);
		e->qlen--;
	}
	e->q[(e->qhead + e->qlen) % PTCP_ARP_QUEUE_LEN] = m;
	e->qlen++;
	PTCP_INC(st, ARP_QUEUED);
	return 0;
}

int
ptcp_arp_output(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t nh)
{
	struct ptcp_net *net = st->net;
	uint64_t hw = arp_hw(net, nh, true);

	if (likely(hw != 0)) {
		arp_xmit(st, hw, m);
		return 0;
	}
	PTCP_INC(st, ARP_MISS);
	if (!net->control)
		return to_control(st, m, PTCP_HANDOFF_RESOLVE, PTCP_CTR_ARP_RESOLVE_HANDOFF,
				  PTCP_CTR_ARP_RESOLVE_HANDOFF_DROP);
	return arp_wait(st, m, nh);
}

void
ptcp_arp_resolve(struct ptcp_stack *st, struct rte_mbuf *m, rte_be32_t nh)
{
	uint64_t hw;

	if (unlikely(!st->net->control)) {
		PTCP_DROP(st, m, ARP_RESOLVE_NOT_CONTROL);
		return;
	}
	/* resolved since the sender looked */
	hw = arp_hw(st->net, nh, true);
	if (hw != 0)
		arp_xmit(st, hw, m);
	else
		(void)arp_wait(st, m, nh);
}

/* ---- Receiving ARP ------------------------------------------------------- */

/*
 * RFC 826 "Packet Reception": if the sender is in the table, update its
 * MAC (Merge_flag); if we are the target and it was not, add it.
 */
static void
arp_merge(struct ptcp_stack *st, const struct ptcp_arp_info *a, bool for_us)
{
	struct ptcp_arp_entry *e = arp_find(st->net->neigh, a->spa);

	if (e == NULL) {
		if (!for_us)
			return;
		e = arp_create(st, a->spa);
		if (e == NULL)
			return;
	}
	arp_resolved(st, e, &a->sha);
}

void
ptcp_arp_input(struct ptcp_stack *st, struct rte_mbuf *m)
{
	struct ptcp_arp_info a;
	bool for_us;

	if (unlikely(!st->net->control)) {
		/* only the control path writes the shared table (the port steers ARP there) */
		(void)to_control(st, m, PTCP_HANDOFF_FRAME, PTCP_CTR_ARP_TO_CONTROL,
				 PTCP_CTR_ARP_TO_CONTROL_DROP);
		return;
	}
	PTCP_INC(st, ARP_RX);
	if (unlikely(ptcp_arp_parse(rte_pktmbuf_mtod_offset(m, const void *, m->l2_len),
				    rte_pktmbuf_data_len(m) - m->l2_len, &a) != 0 ||
		     (a.op != RTE_ARP_OP_REQUEST && a.op != RTE_ARP_OP_REPLY) ||
		     !rte_is_valid_assigned_ether_addr(&a.sha))) {
		PTCP_DROP(st, m, ARP_BAD);
		return;
	}
	if (unlikely(ptcp_net_is_local(st->net, a.spa))) {
		/* RFC 5227 2.4: someone else claims our address. We only count it. */
		if (!rte_is_same_ether_addr(&a.sha, &st->conf.mac))
			PTCP_INC(st, ARP_CONFLICT);
		rte_pktmbuf_free(m);
		return;
	}
	for_us = ptcp_net_is_local(st->net, a.tpa);
	/* An RFC 5227 probe has sender IP 0: answer it, but learn nothing. */
	if (a.spa != 0) {
		if (unlikely(ptcp_net_is_martian(st->net, a.spa))) {
			PTCP_DROP(st, m, ARP_BAD);
			return;
		}
		arp_merge(st, &a, for_us);
	}
	if (for_us && a.op == RTE_ARP_OP_REQUEST) {
		/* RFC 826: swap, our addresses as sender, reply to the requester. */
		PTCP_INC(st, ARP_REQ_RX);
		arp_send(st, RTE_ARP_OP_REPLY, &a.sha, a.tpa, &a.sha, a.spa);
	}
	rte_pktmbuf_free(m);
}

/* ---- Timers -------------------------------------------------------------- */

static void
arp_timer(struct ptcp_stack *st, struct ptcp_arp_entry *e)
{
	uint64_t now = st->now_us;
	struct rte_ether_addr mac;

	switch (e->state) {
	case PTCP_ARP_INCOMPLETE:
		if (e->tries >= st->conf.arp_retries) {
			arp_delete(st, e);   /* queued packets count ARP_TIMEOUT_DROP */
			return;
		}
		e->tries++;
		ptcp_arp_request(st, e->ip);
		break;
	case PTCP_ARP_REACHABLE:
		if (!__atomic_load_n(&e->used, __ATOMIC_RELAXED)) {
			PTCP_INC(st, ARP_EXPIRED);
			arp_delete(st, e);
			return;
		}
		e->state = PTCP_ARP_PROBE;
		e->tries = 0;
		/* fall through */
	case PTCP_ARP_PROBE:
		if (e->tries >= st->conf.arp_retries) {
			PTCP_INC(st, ARP_EXPIRED);
			arp_delete(st, e);
			return;
		}
		e->tries++;
		hw_unpack(e->hw, &mac);
		arp_send(st, RTE_ARP_OP_REQUEST, &mac, st->conf.ip, &ether_zero, e->ip);
		break;
	default:
		return;
	}
	arp_arm(st->net, e, now + PTCP_MS(st->conf.arp_retry_ms));
}

void
ptcp_arp_poll(struct ptcp_stack *st)
{
	struct ptcp_net *net = st->net;
	uint64_t now = st->now_us, next = UINT64_MAX;
	uint32_t i;

	/* arp_next_us stays UINT64_MAX on stacks that only read a shared table */
	if (likely(now < net->arp_next_us))
		return;
	/* arp_arm() may lower arp_next_us meanwhile; the scan recomputes it. */
	for (i = 0; i < net->neigh->slots; i++) {
		struct ptcp_arp_entry *e = &net->neigh->e[i];

		if (e->state == PTCP_ARP_FREE)
			continue;
		if (now >= e->deadline_us)
			arp_timer(st, e);
		if (e->state != PTCP_ARP_FREE && e->deadline_us < next)
			next = e->deadline_us;
	}
	net->arp_next_us = next;
}

/* ---- Public table access ------------------------------------------------- */

int
ptcp_arp_update(struct ptcp_stack *st, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	struct ptcp_arp_entry *e;

	if (ptcp_net_is_martian(st->net, ip) || !rte_is_valid_assigned_ether_addr(mac))
		return -EINVAL;
	if (!st->net->control)
		return -EPERM;
	e = arp_find(st->net->neigh, ip);
	if (e == NULL) {
		e = arp_create(st, ip);
		if (e == NULL)
			return -ENOSPC;
	}
	arp_resolved(st, e, mac);
	return 0;
}

int
ptcp_arp_lookup(struct ptcp_stack *st, rte_be32_t ip, struct rte_ether_addr *mac)
{
	uint64_t hw = arp_hw(st->net, ip, false);

	if (hw == 0)
		return -ENOENT;
	hw_unpack(hw, mac);
	return 0;
}
