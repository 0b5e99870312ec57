/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_pmtu.c - path MTU discovery for TCP: RFC 1191 with the RFC 5927 4.1
 * validation, a per-lcore path-MTU cache with expiry (RFC 1191 6.3), and
 * black-hole detection for paths that filter ICMP (RFC 4821, RFC 8899
 * ideas; Linux tcp_mtu_probing=1).
 *
 * Every segment polltcp sends has DF set, so a router before a narrower
 * link drops it and (normally) answers with ICMP "fragmentation needed"
 * carrying the next-hop MTU:
 *
 *   icmp.c ptcp_icmp_error_input() at the lcore owning the quoted 4-tuple
 *     -> ptcp_tcp_pmtu_icmp(): the connection, RFC 5927 4.1 (the quoted
 *        sequence number in [SND.UNA, SND.MAX)), the MTU (plateau when 0,
 *        floor conf.pmtu_min) -> cache_lower() -> the connection's MSS
 *        lowered -> resend(): SND.NXT back to SND.UNA, output at once
 *        (no congestion response: nothing says the path is congested)
 *   tcp_timer.c rexmit_timeout() -> ptcp_tcp_pmtu_rto(): every
 *        conf.pmtu_blackhole_rtos consecutive timeouts of a segment larger
 *        than the next step (three times as many for the first step when
 *        a full-size segment of this MSS was acknowledged before:
 *        ptcp_tcp_pmtu_timed / _timed_acked, from output and input), the
 *        MSS steps down (1200-byte RFC 8899 BASE_PLPMTU, then
 *        conf.pmtu_min) and the cache learns it
 *   tcp_output.c output() -> ptcp_tcp_pmtu_check(): a connection whose
 *        destination's cache entry changed since it last looked (a
 *        generation compare, none until the lcore's cache first changes)
 *        takes the new MSS: lower, or raised again when the entry expired
 *   ptcp_tcp_poll() -> ptcp_tcp_pmtu_poll(): expiry from a FIFO
 *
 * The cache is per lcore (docs/architecture.md, "Path MTU"): an ICMP
 * reaches the lcore owning the connection it quotes and is validated
 * against that connection before it touches anything, so each lcore writes
 * only its own table; connections of other lcores to the same destination
 * learn from their own ICMP (a router answers every oversized datagram) or
 * their own timeouts. No shared state, no atomics.
 *
 * The MSS we announce is not changed by any of this: it comes from our
 * port's MTU (RFC 9293 3.7.1, RFC 1191 3: "the MSS option should reflect
 * the MTU of the interface"); only what we send follows the path MTU.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "tcp_private.h"

/* RFC 8899 5.1.2 BASE_PLPMTU for IPv4: the first step down on a black hole. */
#define PTCP_PMTU_BASE 1200u

struct pmtu_entry {
	rte_be32_t raddr;
	uint16_t mtu;
	uint64_t expire;                     /* absolute us */
	TAILQ_ENTRY(pmtu_entry) link;        /* fifo (by expire) or free list */
};

TAILQ_HEAD(pmtu_list, pmtu_entry);

struct ptcp_pmtu {
	struct rte_hash *table;              /* raddr -> struct pmtu_entry * */
	struct pmtu_entry *ent;              /* conf.pmtu_cache_size entries */
	struct pmtu_list fifo;               /* in use, soonest expiry first */
	struct pmtu_list free;
	uint32_t n;                          /* entries in use */
	uint64_t mem;                        /* bytes from DPDK's heaps (measured) */
};

/* RFC 1191 7, table 7-1: MTU plateaus, for routers that report no next-hop MTU. */
static const uint16_t plateaus[] = { 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };

uint16_t
ptcp_tcp_pmtu_plateau(uint16_t len)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(plateaus); i++)
		if (plateaus[i] < len)
			return plateaus[i];
	return plateaus[RTE_DIM(plateaus) - 1];
}

int
ptcp_tcp_pmtu_init(struct ptcp_stack *st)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	uint32_t size = RTE_MAX(conf->pmtu_cache_size, 8u), i;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = size,
		.key_len = sizeof(rte_be32_t),
		.hash_func = rte_hash_crc,
		.socket_id = conf->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint64_t heap0 = ptcp_heap_bytes();
	struct ptcp_pmtu *p;

	p = rte_zmalloc_socket("ptcp_pmtu", sizeof(*p), RTE_CACHE_LINE_SIZE, conf->socket_id);
	if (p == NULL)
		return -ENOMEM;
	p->ent = rte_zmalloc_socket("ptcp_pmtu_ent", (size_t)size * sizeof(*p->ent), 0,
				    conf->socket_id);
	snprintf(name, sizeof(name), "%.20s_pm", st->name);
	p->table = rte_hash_create(&hp);
	if (p->ent == NULL || p->table == NULL) {
		rte_hash_free(p->table);
		rte_free(p->ent);
		rte_free(p);
		return -ENOMEM;
	}
	TAILQ_INIT(&p->fifo);
	TAILQ_INIT(&p->free);
	for (i = 0; i < size; i++)
		TAILQ_INSERT_TAIL(&p->free, &p->ent[i], link);
	p->mem = ptcp_heap_bytes() - heap0;
	st->tcp->pmtu = p;
	return 0;
}

void
ptcp_tcp_pmtu_fini(struct ptcp_stack *st)
{
	struct ptcp_pmtu *p = st->tcp->pmtu;

	if (p == NULL)
		return;
	rte_hash_free(p->table);
	rte_free(p->ent);
	rte_free(p);
	st->tcp->pmtu = NULL;
}

/*
 * The cache changed: connections compare their pmtu_gen at their next
 * output. 0 means "never changed on this lcore" (ptcp_tcp_pmtu_check reads
 * no connection field then), so the counter skips it when it wraps.
 */
static void
gen_bump(struct ptcp_tcp *tcp)
{
	tcp->pmtu_gen = (uint16_t)((tcp->pmtu_gen + 1u) & PTCP_PMTU_GEN_MASK);
	if (tcp->pmtu_gen == 0)
		tcp->pmtu_gen = 1;
}

static void
entry_del(struct ptcp_stack *st, struct pmtu_entry *e)
{
	struct ptcp_pmtu *p = st->tcp->pmtu;

	(void)rte_hash_del_key(p->table, &e->raddr);
	TAILQ_REMOVE(&p->fifo, e, link);
	TAILQ_INSERT_HEAD(&p->free, e, link);
	p->n--;
	/* The caller bumps the generation once for all it deleted. */
}

static struct pmtu_entry *
entry_find(const struct ptcp_stack *st, rte_be32_t raddr)
{
	void *data;

	if (rte_hash_lookup_data(st->tcp->pmtu->table, &raddr, &data) < 0)
		return NULL;
	return data;
}

uint16_t
ptcp_tcp_pmtu_get(const struct ptcp_stack *st, rte_be32_t raddr)
{
	const struct pmtu_entry *e;

	/* Nothing cached (the common case): no lookup at all. */
	if (st->tcp->pmtu->n == 0)
		return st->conf.mtu;
	e = entry_find(st, raddr);
	/* An entry ptcp_tcp_pmtu_poll has not reached yet is as good as expired. */
	if (e == NULL || e->expire <= st->now_us)
		return st->conf.mtu;
	return e->mtu;
}

uint32_t
ptcp_tcp_pmtu_count(const struct ptcp_stack *st)
{
	return st->tcp->pmtu->n;
}

uint64_t
ptcp_tcp_pmtu_mem(const struct ptcp_stack *st)
{
	return st->tcp->pmtu->mem;
}

void
ptcp_tcp_pmtu_poll(struct ptcp_stack *st)
{
	struct ptcp_pmtu *p = st->tcp->pmtu;
	struct pmtu_entry *e;

	bool any = false;

	while ((e = TAILQ_FIRST(&p->fifo)) != NULL && e->expire <= st->now_us) {
		PTCP_INC(st, PMTU_CACHE_EXPIRED);
		entry_del(st, e);
		any = true;
	}
	/*
	 * Connections to those destinations take the first-hop MTU again at
	 * their next output: one generation for the pass (each bump costs every
	 * connection of the lcore a cache lookup at its next output).
	 */
	if (any)
		gen_bump(st->tcp);
}

/*
 * The path MTU towards raddr is at most mtu: lower (or create) its entry
 * and restart its lifetime. Never raises an entry; only expiry does (RFC
 * 1191 6.3). A full cache gives up the entry that would expire first.
 */
static void
cache_lower(struct ptcp_stack *st, rte_be32_t raddr, uint16_t mtu)
{
	struct ptcp_pmtu *p = st->tcp->pmtu;
	struct pmtu_entry *e = entry_find(st, raddr);

	if (e != NULL && e->expire > st->now_us) {
		if (mtu >= e->mtu)
			return;
		PTCP_INC(st, PMTU_CACHE_LOWER);
		TAILQ_REMOVE(&p->fifo, e, link);
	} else {
		if (e != NULL) {
			PTCP_INC(st, PMTU_CACHE_EXPIRED);
			entry_del(st, e);
		}
		if (TAILQ_EMPTY(&p->free)) {
			PTCP_INC(st, PMTU_CACHE_EVICT);
			entry_del(st, TAILQ_FIRST(&p->fifo));
		}
		e = TAILQ_FIRST(&p->free);
		if (rte_hash_add_key_data(p->table, &raddr, e) != 0) {
			/* Not cached: the connection keeps its lowered MSS all the same. */
			PTCP_INC(st, PMTU_CACHE_ADD_FAIL);
			gen_bump(st->tcp);   /* for what was deleted above */
			return;
		}
		TAILQ_REMOVE(&p->free, e, link);
		e->raddr = raddr;
		p->n++;
		PTCP_INC(st, PMTU_CACHE_ADD);
	}
	e->mtu = mtu;
	e->expire = st->now_us + PTCP_MS(st->conf.pmtu_expire_ms);
	TAILQ_INSERT_TAIL(&p->fifo, e, link);
	gen_bump(st->tcp);
}

/*
 * Bytes of options every segment of c carries (timestamps): snd_mss is the
 * payload of a full segment (RFC 9293 3.7.1), so they come off the MSS.
 */
static uint16_t
opt_len(const struct ptcp_conn *c)
{
	return (c->flags & PTCP_TF_TSTMP) ? PTCP_TCP_OPTS_TS_LEN : 0;
}

/* snd_mss for a path MTU of mtu: what the handshake allowed, within it, less options. */
static uint16_t
mss_for(const struct ptcp_conn *c, uint32_t mtu)
{
	return (uint16_t)(RTE_MIN((uint32_t)c->mss_clamp, PTCP_TCP_MSS_FOR_MTU(mtu)) - opt_len(c));
}

/* The send MSS for c's path. */
static uint16_t
path_mss(const struct ptcp_conn *c)
{
	return mss_for(c, ptcp_tcp_pmtu_get(c->st, c->flow.raddr));
}

void
ptcp_tcp_pmtu_set_mss(struct ptcp_conn *c, uint16_t mss)
{
	c->mss_clamp = mss;
	c->pmtu_gen = c->st->tcp->pmtu_gen;
	c->snd_mss = path_mss(c);
	c->pmtu_proven = 0;
	c->flags &= ~PTCP_TF_TIMED_FULL;
}

/*
 * Segments in flight may be larger than the new MSS: the router dropped
 * them. Send them again at once, cut by the new MSS from the send queue
 * (output cuts segments by snd_mss), as Linux tcp_simple_retransmit: SND.NXT
 * back to SND.UNA without the congestion response of a timeout (the loss
 * says nothing about congestion). Karn: no RTT sample across it.
 */
static void
resend(struct ptcp_conn *c)
{
	if (c->snd_nxt == c->snd_una || c->state == PTCP_TCP_SYN_SENT ||
	    c->state == PTCP_TCP_SYN_RECEIVED)
		return;
	PTCP_INC(c->st, TCP_PMTU_RESEND);
	c->snd_nxt = c->snd_una;
	c->flags &= ~PTCP_TF_RTT_TIMING;
	ptcp_tcp_rto_arm(c);
	ptcp_tcp_output(c);
}

void
ptcp_tcp_pmtu_sync(struct ptcp_conn *c)
{
	uint16_t old = c->snd_mss, mss;

	c->pmtu_gen = c->st->tcp->pmtu_gen;
	if (c->mss_clamp == 0)   /* no MSS negotiated yet (SYN-SENT) */
		return;
	mss = path_mss(c);
	if (mss == old)
		return;
	PTCP_INC(c->st, TCP_PMTU_SYNCED);
	c->snd_mss = mss;
	c->pmtu_proven = 0;
	/*
	 * Called from output, about to send: rewinding is enough, output goes on
	 * from SND.UNA with the new size.
	 */
	if (mss < old && c->snd_nxt != c->snd_una && c->state != PTCP_TCP_SYN_RECEIVED) {
		PTCP_INC(c->st, TCP_PMTU_RESEND);
		c->snd_nxt = c->snd_una;
		c->flags &= ~PTCP_TF_RTT_TIMING;
	}
}

void
ptcp_tcp_pmtu_icmp(struct ptcp_stack *st, rte_be32_t laddr, uint16_t lport, rte_be32_t raddr,
		   uint16_t rport, uint32_t seq, uint16_t mtu, uint16_t quoted_len)
{
	const struct ptcp_flow f = { .laddr = laddr, .raddr = raddr, .lport = lport,
				     .rport = rport };
	struct ptcp_conn *c = ptcp_tcp_conn_lookup(st, &f);
	uint16_t mss;

	/*
	 * RFC 5927 4.1: "TCP SHOULD check that the TCP sequence number contained
	 * in the payload of the ICMP error message is within the range
	 * SND.UNA =< SEG.SEQ < SND.NXT" (SND.MAX here: after a rewind SND.NXT is
	 * below segments still in flight). An attacker must then guess a
	 * sequence number in flight to shrink our segments.
	 */
	if (c == NULL || c->state == PTCP_TCP_CLOSED || c->state == PTCP_TCP_LISTEN ||
	    !(ptcp_seq_ge(seq, c->snd_una) && ptcp_seq_lt(seq, c->snd_max))) {
		PTCP_INC(st, TCP_PMTU_ICMP_REJECTED);
		return;
	}
	if (mtu == 0) {
		/* RFC 1191 5: a router of RFC 792's days; guess from the quoted length. */
		PTCP_INC(st, TCP_PMTU_PLATEAU);
		mtu = ptcp_tcp_pmtu_plateau(quoted_len);
	}
	if (mtu < st->conf.pmtu_min) {
		/*
		 * Below 576 (RFC 1122 3.3.3: every host accepts 576-byte datagrams):
		 * a forged ICMP shrinking segments to a few bytes is an attack (RFC
		 * 5927 7), and links that small are rare; Linux's min_pmtu does the
		 * same. Black-hole detection never goes below it either.
		 */
		PTCP_INC(st, TCP_PMTU_MTU_CLAMPED);
		mtu = st->conf.pmtu_min;
	}
	if (mtu >= st->conf.mtu) {
		/* No narrower than our own link: nothing to learn (or to cache). */
		PTCP_INC(st, TCP_PMTU_ICMP_NOCHANGE);
		return;
	}
	cache_lower(st, raddr, mtu);
	c->pmtu_gen = st->tcp->pmtu_gen;
	if (c->mss_clamp == 0 || (mss = mss_for(c, mtu)) >= c->snd_mss) {
		/* Already that small (an earlier ICMP of the same flight), or no MSS yet. */
		PTCP_INC(st, TCP_PMTU_ICMP_NOCHANGE);
		return;
	}
	c->snd_mss = mss;
	c->pmtu_proven = 0;
	PTCP_INC(st, TCP_PMTU_REDUCED);
	resend(c);
}

bool
ptcp_tcp_pmtu_rto(struct ptcp_conn *c)
{
	struct ptcp_stack *st = c->st;
	uint8_t n = st->conf.pmtu_blackhole_rtos;
	uint32_t mtu = (uint32_t)c->snd_mss + opt_len(c) + 20u + PTCP_TCP_HDR_LEN, target, need;
	uint16_t mss;

	if (n == UINT8_MAX || n == 0 || c->mss_clamp == 0)
		return false;
	/*
	 * A full-size segment of this MSS was acknowledged before (its RTT was
	 * measured): the path carried this size, so timeouts are most likely
	 * loss. Random loss of 5% each way gives two timeouts in a row dozens of
	 * times in a 16 MiB transfer, and each would cost the connection its MSS
	 * for pmtu_expire_ms; six in a row (12.6 s at a 200 ms RTO) are all but
	 * impossible from loss and still catch a path that narrowed later.
	 */
	need = c->pmtu_proven ? 3u * n : n;
	if (c->nrexmit < need || (c->nrexmit - need) % n != 0)
		return false;
	/* RFC 8899 5.1.2 BASE_PLPMTU first (unless the floor is above it), then the floor. */
	target = mtu > PTCP_PMTU_BASE && PTCP_PMTU_BASE > st->conf.pmtu_min ? PTCP_PMTU_BASE :
		st->conf.pmtu_min;
	if (target >= mtu)
		return false;
	mss = mss_for(c, target);
	/*
	 * Only a segment larger than the new size can be what the path drops:
	 * a timeout of small segments is loss, not an MTU (RFC 4821 3: "a loss
	 * of a packet ... does not alone indicate a black hole").
	 */
	if (c->sndq_seq + c->sndq_bytes - ptcp_seq_max(c->snd_una, c->sndq_seq) <= mss)
		return false;
	PTCP_INC(st, TCP_PMTU_BLACKHOLE);
	c->snd_mss = mss;
	c->pmtu_proven = 0;
	cache_lower(st, c->flow.raddr, (uint16_t)target);
	c->pmtu_gen = st->tcp->pmtu_gen;
	return true;
}
