/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_syncache.c - the passive SYN-RECEIVED state as a compact entry, and
 * SYN cookies when there is no room for one (RFC 4987 3.5 / 3.6; the design
 * of FreeBSD's tcp_syncache.c and Linux's request socks).
 *
 * A SYN to a listener creates a 64-byte entry (4-tuple, ISS, IRS, the
 * peer's MSS, retransmission count and time) in this lcore's SYN cache,
 * not a struct ptcp_conn: half-open connections never take connection pool
 * slots, so a SYN flood cannot starve ptcp_connect nor the established
 * connections. The full connection is made when the handshake's ACK
 * arrives, and that ACK is then processed as by a SYN-RECEIVED connection
 * (RFC 9293 3.10.7.4), so data or a FIN on the third segment are kept.
 *
 * Bounds: at most conf.backlog entries per listener and conf.syncache_size
 * per lcore. A SYN beyond them, or while the connection pool could not
 * hold every pending handshake, is answered with a SYN cookie
 * (tcp_syncookie.c) and leaves no state at all; its ACK, validated,
 * creates the connection ESTABLISHED directly.
 *
 * SYN-ACK retransmission: at rto_init, doubling, conf.synack_retries
 * times (default 3: SYN-ACKs at 0, 1, 3, 7 s, entry dropped at 15 s, as
 * FreeBSD's syncache; Linux sends 5 over 63 s). Every retransmission is a
 * packet reflected towards a possibly spoofed source; the peer's own SYN
 * retransmissions recover a lost SYN-ACK anyway (each draws one), and
 * cookies cover the overflow. A duplicate SYN draws at most one SYN-ACK per
 * 500 ms per entry (Linux tcp_oow_rate_limited on request socks).
 *
 * Timers: every entry at retransmission level n (n SYN-ACKs retransmitted)
 * expires at the time it entered the level plus rto_init << n (capped at
 * rto_max), the same for all, so each level is a FIFO list ordered by
 * expiry: ptcp_tcp_syncache_poll() looks at the heads only.
 *
 * ptcp_tcp_input() -> listener, no connection -> ptcp_tcp_syncache_input()
 *   SYN     -> entry + SYN-ACK | cookie SYN-ACK
 *   ACK     -> entry: conn_make() -> ptcp_tcp_input_conn() | cookie check
 *   RST     -> entry removed (SEG.SEQ = RCV.NXT) | challenge ACK | ignored
 */
#include <assert.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>
#include <sys/queue.h>
#include <sys/random.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "ptcp_net.h"
#include "tcp_private.h"

#define ENT_F_DUP_RESENT 0x01   /* a SYN-ACK was resent for a duplicate SYN */
/* Options both sides carried (the SYN, and our offer: conf). */
#define ENT_F_WSCALE     0x02
#define ENT_F_SACK       0x04
#define ENT_F_TSTMP      0x08

/* The compact SYN-RECEIVED state: one cache line. */
struct ptcp_syncache_ent {
	struct ptcp_flow flow;                  /* hash key */
	uint32_t iss;
	uint32_t irs;
	uint16_t peer_mss;                      /* the SYN's MSS option (536 without) */
	uint8_t nrexmit;                        /* SYN-ACK retransmissions: the level */
	uint8_t listener;                       /* index in tcp->listeners */
	uint32_t ack_ms;                        /* last rate-limited answer (ms); 0 = none */
	uint8_t flags;                          /* ENT_F_* */
	uint8_t peer_wscale;                    /* the SYN's shift (ENT_F_WSCALE) */
	uint8_t spare[2];
	uint32_t synack_us;                     /* first SYN-ACK sent, low 32 bits (RTT) */
	uint32_t ts_recent;                     /* the SYN's TSval (ENT_F_TSTMP) */
	uint64_t expire_us;
	TAILQ_ENTRY(ptcp_syncache_ent) link;    /* in level[nrexmit] */
};

static_assert(sizeof(struct ptcp_syncache_ent) == 64, "one cache line per SYN-RECEIVED");

TAILQ_HEAD(ptcp_syncache_list, ptcp_syncache_ent);

struct ptcp_syncache {
	struct rte_hash *table;                 /* struct ptcp_flow -> entry */
	struct ptcp_syncache_ent *ents;         /* size entries */
	struct ptcp_syncache_ent **free;        /* stack of free entries */
	uint32_t nfree;
	uint32_t size;
	uint32_t count;
	uint32_t nlevels;                       /* synack_retries + 1 */
	struct ptcp_syncache_list level[];
};

/* ---- Table ------------------------------------------------------------------- */

int
ptcp_tcp_syncache_init(struct ptcp_stack *st)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	uint32_t size = conf->syncache_size, nlevels = conf->synack_retries + 1u, i;
	struct ptcp_syncache *sc;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(size, 8u),
		.key_len = sizeof(struct ptcp_flow),
		.hash_func = rte_hash_crc,
		.socket_id = conf->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	sc = rte_zmalloc_socket("ptcp_syncache", sizeof(*sc) + nlevels * sizeof(sc->level[0]),
				RTE_CACHE_LINE_SIZE, conf->socket_id);
	if (sc == NULL)
		return -ENOMEM;
	sc->size = size;
	sc->nlevels = nlevels;
	for (i = 0; i < nlevels; i++)
		TAILQ_INIT(&sc->level[i]);
	sc->ents = rte_zmalloc_socket("ptcp_syncache_ents", sizeof(sc->ents[0]) * size,
				      RTE_CACHE_LINE_SIZE, conf->socket_id);
	sc->free = rte_malloc_socket("ptcp_syncache_free", sizeof(sc->free[0]) * size, 0,
				     conf->socket_id);
	snprintf(name, sizeof(name), "%.20s_sc", st->name);
	sc->table = rte_hash_create(&hp);
	st->tcp->syncache = sc;
	if (sc->ents == NULL || sc->free == NULL || sc->table == NULL)
		return -ENOMEM;
	for (i = 0; i < size; i++)
		sc->free[i] = &sc->ents[size - 1 - i];
	sc->nfree = size;
	/* RFC 4987 3.6: the cookie secret, apart from the ISN secret. */
	if (getrandom(&st->tcp->cookie_key, sizeof(st->tcp->cookie_key), 0) !=
	    sizeof(st->tcp->cookie_key))
		return -EIO;
	return 0;
}

void
ptcp_tcp_syncache_fini(struct ptcp_stack *st)
{
	struct ptcp_syncache *sc = st->tcp->syncache;

	if (sc == NULL)
		return;
	rte_hash_free(sc->table);
	rte_free(sc->free);
	rte_free(sc->ents);
	rte_free(sc);
	st->tcp->syncache = NULL;
}

uint32_t
ptcp_tcp_syncache_count(const struct ptcp_stack *st)
{
	return st->tcp->syncache->count;
}

static struct ptcp_syncache_ent *
ent_lookup(struct ptcp_syncache *sc, const struct ptcp_flow *f)
{
	void *data;

	if (sc->count == 0 || rte_hash_lookup_data(sc->table, f, &data) < 0)
		return NULL;
	return data;
}

bool
ptcp_tcp_syncache_has(struct ptcp_stack *st, const struct ptcp_flow *f)
{
	return ent_lookup(st->tcp->syncache, f) != NULL;
}

static void
ent_remove(struct ptcp_stack *st, struct ptcp_syncache_ent *e)
{
	struct ptcp_syncache *sc = st->tcp->syncache;

	rte_hash_del_key(sc->table, &e->flow);
	TAILQ_REMOVE(&sc->level[e->nrexmit], e, link);
	st->tcp->listeners[e->listener].nsyn--;
	sc->free[sc->nfree++] = e;
	sc->count--;
}

void
ptcp_tcp_syncache_purge(struct ptcp_stack *st, const struct ptcp_listener *l)
{
	struct ptcp_syncache *sc = st->tcp->syncache;
	uint8_t idx = (uint8_t)(l - st->tcp->listeners);
	struct ptcp_syncache_ent *e, *next;
	uint32_t i;

	for (i = 0; i < sc->nlevels; i++)
		for (e = TAILQ_FIRST(&sc->level[i]); e != NULL; e = next) {
			next = TAILQ_NEXT(e, link);
			if (e->listener == idx)
				ent_remove(st, e);
		}
}

/* ---- Segments without a connection ------------------------------------------- */

/* The window of our SYN-ACK: an empty receive buffer, unscaled. */
static uint32_t
synack_wnd(const struct ptcp_stack *st)
{
	return RTE_MIN(st->conf.rcv_buf, PTCP_TCP_MAX_WND);
}

static uint16_t
our_mss(const struct ptcp_stack *st)
{
	return (uint16_t)PTCP_TCP_MSS_FOR_MTU(st->conf.mtu);
}

/*
 * <SEQ=seq><ACK=ack><CTL=flags> on flow f with options opt (NULL: none),
 * the SYN-ACK's window >> shift (RFC 7323 2.2: only a SYN's is unscaled).
 */
static void
send_ctl(struct ptcp_stack *st, const struct ptcp_flow *f, uint32_t seq, uint32_t ack,
	 uint8_t flags, const struct ptcp_tcp_opts *opt, uint8_t shift)
{
	uint32_t optlen = opt != NULL ? ptcp_tcp_opts_len(opt) : 0;
	struct rte_mbuf *m = ptcp_mbuf_alloc(st);
	uint8_t *p;

	if (unlikely(m == NULL))
		return;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(PTCP_TCP_HDR_LEN + optlen));
	if (unlikely(p == NULL)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (optlen != 0)
		ptcp_tcp_opts_build(p + PTCP_TCP_HDR_LEN, opt);
	ptcp_tcp_build(p, f->lport, f->rport, seq, ack, flags, (uint16_t)(synack_wnd(st) >> shift),
		       optlen);
	PTCP_INC(st, TCP_TX);
	ptcp_ipv4_output_from(st, m, f->laddr, f->raddr, IPPROTO_TCP);
}

/* Our timestamp for flow f: the 1 ms clock plus the address pair's offset. */
static uint32_t
ent_tsval(const struct ptcp_stack *st, const struct ptcp_flow *f)
{
	return ptcp_tcp_ts_clock(st) + ptcp_tcp_ts_offset(st, f);
}

/* The options of an entry's segments: the SYN-ACK's, or (ack_only) the TS of an ACK. */
static const struct ptcp_tcp_opts *
ent_opts(const struct ptcp_stack *st, const struct ptcp_syncache_ent *e, bool ack_only,
	 uint32_t tsval, struct ptcp_tcp_opts *opt)
{
	opt->present = 0;
	opt->nsack = 0;
	if (!ack_only) {
		opt->present = PTCP_TCPOPT_F_MSS;
		opt->mss = our_mss(st);
		if (e->flags & ENT_F_WSCALE) {
			opt->present |= PTCP_TCPOPT_F_WSCALE;
			opt->wscale = ptcp_tcp_rcv_wscale_for(st);
		}
		if (e->flags & ENT_F_SACK)
			opt->present |= PTCP_TCPOPT_F_SACK_PERM;
	}
	if (e->flags & ENT_F_TSTMP) {
		opt->present |= PTCP_TCPOPT_F_TS;
		opt->tsval = tsval;
		opt->tsecr = e->ts_recent;
	}
	return opt;
}

/* The SYN-ACK of e with timestamp tsval (a cookie's carries options in it). */
static void
send_synack_ts(struct ptcp_stack *st, const struct ptcp_syncache_ent *e, uint32_t tsval)
{
	struct ptcp_tcp_opts opt;

	send_ctl(st, &e->flow, e->iss, e->irs + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		 ent_opts(st, e, false, tsval, &opt), 0);
}

static void
send_synack(struct ptcp_stack *st, const struct ptcp_syncache_ent *e)
{
	send_synack_ts(st, e, ent_tsval(st, &e->flow));
}

/*
 * One answer per 500 ms per entry to segments that draw one without
 * progress (duplicate SYNs, challenge ACKs, unacceptable segments): true
 * if this one must go unanswered.
 */
static bool
ent_rate_limited(struct ptcp_stack *st, struct ptcp_syncache_ent *e)
{
	uint32_t now_ms = (uint32_t)(st->now_us / 1000u);

	if (e->ack_ms != 0 && now_ms - e->ack_ms < PTCP_TCP_OOW_RATELIMIT_US / 1000u)
		return true;
	e->ack_ms = now_ms ? now_ms : 1;
	return false;
}

/* <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>: what SYN-RECEIVED answers with an ACK (rate-limited). */
static void
ent_send_ack(struct ptcp_stack *st, struct ptcp_syncache_ent *e, bool challenge)
{
	struct ptcp_tcp_opts opt;

	if (ent_rate_limited(st, e)) {
		PTCP_INC(st, TCP_SYNCACHE_ACK_LIMIT);
		return;
	}
	if (challenge)
		PTCP_INC(st, TCP_CHALLENGE_ACK);
	send_ctl(st, &e->flow, e->iss + 1, e->irs + 1, RTE_TCP_ACK_FLAG,
		 ent_opts(st, e, true, ent_tsval(st, &e->flow), &opt),
		 (e->flags & ENT_F_WSCALE) ? ptcp_tcp_rcv_wscale_for(st) : 0);
}

static uint64_t
level_rto(const struct ptcp_stack *st, uint32_t n)
{
	uint64_t rto = PTCP_MS(st->conf.rto_init_ms) << RTE_MIN(n, 20u);

	return RTE_MIN(rto, PTCP_MS(st->conf.rto_max_ms));
}

/* A full connection in SYN-RECEIVED from what the handshake established. */
static struct ptcp_conn *
conn_make(struct ptcp_stack *st, const struct ptcp_listener *l, const struct ptcp_flow *f,
	  uint32_t iss, uint32_t irs, const struct ptcp_tcp_opts *peer)
{
	struct ptcp_conn *c = ptcp_tcp_conn_open(st, f, iss, l->ops, l->arg);

	if (c == NULL) {
		PTCP_INC(st, TCP_ACCEPT_POOL_FULL);
		return NULL;
	}
	c->flags |= PTCP_TF_PASSIVE;
	c->irs = irs;
	c->rcv_nxt = irs + 1;
	c->rcv_adv = c->rcv_nxt + synack_wnd(st);   /* what our SYN-ACK offered */
	c->rcv_acked = c->rcv_nxt;                  /* and acknowledged */
	c->snd_nxt = iss + 1;         /* our SYN-ACK was sent */
	c->snd_max = iss + 1;
	ptcp_tcp_opts_negotiate(c, peer);
	c->snd_wl1 = irs;
	c->snd_wl2 = iss;
	ptcp_tcp_set_state(c, PTCP_TCP_SYN_RECEIVED);
	return c;
}

/* RFC 9293 3.10.7.4 first check for SYN-RECEIVED: RCV.NXT = IRS+1, the SYN-ACK's window. */
static bool
ent_seq_ok(const struct ptcp_stack *st, const struct ptcp_syncache_ent *e,
	   const struct ptcp_tcp_seg *seg)
{
	uint32_t rcv_nxt = e->irs + 1;

	return ptcp_seq_ge(seg->seq, rcv_nxt) && ptcp_seq_le(seg->seq, rcv_nxt + synack_wnd(st));
}

/* The handshake's ACK for an entry: the connection is made and takes the segment. */
static void
ent_complete(struct ptcp_stack *st, struct ptcp_syncache_ent *e, const struct ptcp_tcp_seg *seg,
	     struct rte_mbuf *m, const struct ptcp_ipv4_info *ip)
{
	const struct ptcp_listener *l = &st->tcp->listeners[e->listener];
	struct ptcp_tcp_opts peer = {
		.present = PTCP_TCPOPT_F_MSS, .mss = e->peer_mss, .wscale = e->peer_wscale,
		.tsval = e->ts_recent,
	};
	struct ptcp_conn *c;

	if (e->flags & ENT_F_WSCALE)
		peer.present |= PTCP_TCPOPT_F_WSCALE;
	if (e->flags & ENT_F_SACK)
		peer.present |= PTCP_TCPOPT_F_SACK_PERM;
	if (e->flags & ENT_F_TSTMP)
		peer.present |= PTCP_TCPOPT_F_TS;
	c = conn_make(st, l, &e->flow, e->iss, e->irs, &peer);

	if (c == NULL) {
		/* The entry stays: its next SYN-ACK draws another ACK, maybe with room then. */
		rte_pktmbuf_free(m);
		return;
	}
	if (e->nrexmit == 0 && !(e->flags & ENT_F_DUP_RESENT)) {
		/* RFC 6298: the handshake gives an RTT sample when nothing was resent. */
		c->flags |= PTCP_TF_RTT_TIMING;
		c->rtt_seq = e->iss;
		c->rtt_start = e->synack_us;
	} else {
		c->flags |= PTCP_TF_SYN_REXMIT;
	}
	ent_remove(st, e);
	ptcp_tcp_input_conn(c, seg, m, ip);
}

/* An ACK to a listener with no entry: a SYN cookie, or a LISTEN segment (RST). */
static void
cookie_ack(struct ptcp_stack *st, const struct ptcp_listener *l, const struct ptcp_flow *f,
	   const struct ptcp_tcp_seg *seg, struct rte_mbuf *m, const struct ptcp_ipv4_info *ip)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_tcp_opts peer = { .present = PTCP_TCPOPT_F_MSS };
	uint16_t mss = 0;
	struct ptcp_conn *c;

	/*
	 * Cookies are checked only while we have been sending them (Linux
	 * tcp_synq_no_recent_overflow): otherwise every stray ACK would be a
	 * guess at the cookie MAC.
	 */
	if (tcp->cookie_last_us == 0 ||
	    st->now_us - tcp->cookie_last_us >= PTCP_SYNCOOKIE_MAX_AGE * PTCP_SYNCOOKIE_PERIOD_US ||
	    (seg->flags & RTE_TCP_SYN_FLAG)) {
		ptcp_tcp_reply_rst(st, ip, seg);   /* RFC 9293 3.10.7.2 second */
		rte_pktmbuf_free(m);
		return;
	}
	switch (ptcp_syncookie_check(&tcp->cookie_key, f, seg->ack - 1, seg->seq - 1, st->now_us,
				     &mss)) {
	case PTCP_SYNCOOKIE_OK:
		break;
	case PTCP_SYNCOOKIE_EXPIRED:
		/* As for any ACK in LISTEN (RFC 9293 3.10.7.2; Linux resets too). */
		PTCP_INC(st, TCP_COOKIE_EXPIRED);
		ptcp_tcp_reply_rst(st, ip, seg);
		rte_pktmbuf_free(m);
		return;
	default:
		PTCP_INC(st, TCP_COOKIE_INVALID);
		ptcp_tcp_reply_rst(st, ip, seg);
		rte_pktmbuf_free(m);
		return;
	}
	/*
	 * The options the SYN had come back in the TSecr of the ACK (RFC 7323
	 * echoes our TSval); an ACK without timestamps gets MSS only (RFC 4987).
	 */
	if ((seg->opt.present & PTCP_TCPOPT_F_TS) && !st->conf.no_timestamps) {
		if (!ptcp_syncookie_ts_decode(seg->opt.tsecr - ptcp_tcp_ts_offset(st, f),
					      ptcp_tcp_ts_clock(st), &peer)) {
			PTCP_INC(st, TCP_COOKIE_INVALID);
			ptcp_tcp_reply_rst(st, ip, seg);
			rte_pktmbuf_free(m);
			return;
		}
		peer.present |= PTCP_TCPOPT_F_TS;
		peer.tsval = seg->opt.tsval;
		if (peer.present & (PTCP_TCPOPT_F_WSCALE | PTCP_TCPOPT_F_SACK_PERM))
			PTCP_INC(st, TCP_COOKIE_OPTS);
	}
	peer.mss = mss;
	PTCP_INC(st, TCP_COOKIE_VALID);
	c = conn_make(st, l, f, seg->ack - 1, seg->seq - 1, &peer);
	if (c == NULL) {
		/* No room: dropped; the peer's retransmission validates again. */
		rte_pktmbuf_free(m);
		return;
	}
	ptcp_tcp_input_conn(c, seg, m, ip);
}

/* A RST for an entry (RFC 9293 3.10.7.4 second, RFC 5961 3.2). */
static void
ent_rst(struct ptcp_stack *st, struct ptcp_syncache_ent *e, const struct ptcp_tcp_seg *seg)
{
	uint32_t rcv_nxt = e->irs + 1;

	if (seg->seq == rcv_nxt) {
		/* Back to LISTEN: this attempt is gone, nothing told to anyone. */
		PTCP_INC(st, TCP_SYNCACHE_RST);
		ent_remove(st, e);
		return;
	}
	if (ptcp_seq_in(seg->seq, rcv_nxt, rcv_nxt + synack_wnd(st))) {
		ent_send_ack(st, e, true);
		return;
	}
	PTCP_INC(st, TCP_RST_IGNORED);
}

/* A segment for an entry: the rest of SYN-RECEIVED (RFC 9293 3.10.7.4). */
static void
ent_input(struct ptcp_stack *st, struct ptcp_syncache_ent *e, const struct ptcp_tcp_seg *seg,
	  struct rte_mbuf *m, const struct ptcp_ipv4_info *ip)
{
	if (seg->flags & RTE_TCP_SYN_FLAG) {
		if (!(seg->flags & RTE_TCP_ACK_FLAG) && seg->seq == e->irs) {
			/* Our SYN-ACK was lost (or is slow): the peer resent its SYN. */
			if (ent_rate_limited(st, e)) {
				PTCP_INC(st, TCP_SYNACK_DUP_LIMIT);
			} else {
				PTCP_INC(st, TCP_SYNACK_DUP_RESEND);
				e->flags |= ENT_F_DUP_RESENT;
				send_synack(st, e);
			}
		} else {
			ent_send_ack(st, e, true);   /* RFC 5961 4.2 */
		}
		goto drop;
	}
	if (!(seg->flags & RTE_TCP_ACK_FLAG)) {
		PTCP_INC(st, TCP_NO_ACK_DROP);
		goto drop;
	}
	if (seg->ack != e->iss + 1) {
		/* RFC 9293 3.10.7.4 fifth: not SND.UNA < SEG.ACK =< SND.NXT. */
		PTCP_INC(st, TCP_BAD_ACK);
		ptcp_tcp_reply_rst(st, ip, seg);
		goto drop;
	}
	if (!ent_seq_ok(st, e, seg)) {
		PTCP_INC(st, TCP_OUT_OF_WINDOW);
		ent_send_ack(st, e, false);
		goto drop;
	}
	ent_complete(st, e, seg, m, ip);
	return;
drop:
	rte_pktmbuf_free(m);
}

/* A new SYN: an entry if there is room, else a cookie. */
static void
new_syn(struct ptcp_stack *st, struct ptcp_listener *l, const struct ptcp_flow *f,
	const struct ptcp_tcp_seg *seg, uint32_t min_iss)
{
	struct ptcp_tcp *tcp = st->tcp;
	struct ptcp_syncache *sc = tcp->syncache;
	const struct ptcp_tcp_opts *o = &seg->opt;
	struct ptcp_syncache_ent *e, ce;
	bool cookie = false;
	uint32_t iss;

	/* Every pending handshake may complete: does the pool hold one more? */
	if (tcp->nfree <= sc->count) {
		PTCP_INC(st, TCP_SYN_POOL_FULL);
		cookie = true;
	} else if (l->nsyn >= l->backlog || sc->nfree == 0) {
		PTCP_INC(st, TCP_SYN_BACKLOG_FULL);
		cookie = true;
	}
	if (cookie && min_iss != 0) {
		/* A cookie cannot keep a TIME-WAIT reuse ISS floor: the peer resends. */
		PTCP_INC(st, TCP_SYN_DROP);
		return;
	}
	e = cookie ? &ce : sc->free[sc->nfree - 1];
	memset(e, 0, sizeof(*e));
	e->flow = *f;
	e->irs = seg->seq;
	e->peer_mss = (o->present & PTCP_TCPOPT_F_MSS) ? o->mss : 536;
	/* What both sides carry (tcp_opts.c has the rules). */
	if ((o->present & PTCP_TCPOPT_F_WSCALE) && !st->conf.no_wscale) {
		e->flags |= ENT_F_WSCALE;
		e->peer_wscale = o->wscale;
	}
	if ((o->present & PTCP_TCPOPT_F_SACK_PERM) && !st->conf.no_sack)
		e->flags |= ENT_F_SACK;
	if ((o->present & PTCP_TCPOPT_F_TS) && !st->conf.no_timestamps) {
		e->flags |= ENT_F_TSTMP;
		e->ts_recent = o->tsval;
	}
	if (cookie) {
		uint32_t tsval = 0;

		/*
		 * Only the TSval can carry window scale and SACK-permitted through a
		 * cookie: without timestamps the SYN-ACK must not offer them, or the
		 * peer would scale windows the connection reads unscaled (Linux
		 * clears them too when it sends a cookie, tcp_conn_request).
		 */
		if (!(e->flags & ENT_F_TSTMP))
			e->flags &= (uint8_t)~(ENT_F_WSCALE | ENT_F_SACK);

		e->iss = ptcp_syncookie_make(&tcp->cookie_key, f, seg->seq, e->peer_mss,
					     st->now_us);
		tcp->cookie_last_us = st->now_us ? st->now_us : 1;
		PTCP_INC(st, TCP_COOKIE_SENT);
		if (e->flags & ENT_F_TSTMP)
			tsval = ptcp_syncookie_ts_encode(ptcp_tcp_ts_clock(st),
							 (e->flags & ENT_F_WSCALE) != 0,
							 e->peer_wscale,
							 (e->flags & ENT_F_SACK) != 0) +
				ptcp_tcp_ts_offset(st, f);
		send_synack_ts(st, e, tsval);
		return;
	}
	iss = ptcp_tcp_isn(&tcp->isn_key, f->laddr, f->lport, f->raddr, f->rport, st->now_us);
	if (min_iss != 0 && ptcp_seq_lt(iss, min_iss))
		iss = min_iss;
	if (rte_hash_add_key_data(sc->table, f, e) < 0) {
		PTCP_INC(st, TCP_SYN_DROP);
		return;
	}
	sc->nfree--;
	sc->count++;
	l->nsyn++;
	e->iss = iss;
	e->listener = (uint8_t)(l - tcp->listeners);
	e->synack_us = (uint32_t)st->now_us;
	e->expire_us = st->now_us + level_rto(st, 0);
	TAILQ_INSERT_TAIL(&sc->level[0], e, link);
	PTCP_INC(st, TCP_SYN_QUEUED);
	send_synack(st, e);
}

void
ptcp_tcp_syncache_input(struct ptcp_stack *st, struct ptcp_listener *l, const struct ptcp_flow *f,
			const struct ptcp_ipv4_info *ip, const struct ptcp_tcp_seg *seg,
			struct rte_mbuf *m, uint32_t min_iss)
{
	struct ptcp_syncache_ent *e = ent_lookup(st->tcp->syncache, f);

	/* RFC 9293 3.10.7.2: first RST (ignore), second ACK (reset), third SYN. */
	if (seg->flags & RTE_TCP_RST_FLAG) {
		PTCP_INC(st, TCP_RST_RX);
		if (e != NULL)
			ent_rst(st, e, seg);
		else
			PTCP_INC(st, TCP_RST_IGNORED);
		rte_pktmbuf_free(m);
		return;
	}
	if (e != NULL) {
		ent_input(st, e, seg, m, ip);
		return;
	}
	if (seg->flags & RTE_TCP_ACK_FLAG) {
		cookie_ack(st, l, f, seg, m, ip);
		return;
	}
	rte_pktmbuf_free(m);
	if (!(seg->flags & RTE_TCP_SYN_FLAG)) {
		PTCP_INC(st, TCP_NO_CONN);
		return;
	}
	/* SYN+FIN is no opening anyone sends; scanners do (Linux and FreeBSD drop it). */
	if (seg->flags & RTE_TCP_FIN_FLAG) {
		PTCP_INC(st, TCP_SYN_FIN_DROP);
		return;
	}
	PTCP_INC(st, TCP_SYN_RX);
	new_syn(st, l, f, seg, min_iss);
}

/* ---- Timers ------------------------------------------------------------------ */

void
ptcp_tcp_syncache_poll(struct ptcp_stack *st)
{
	struct ptcp_syncache *sc = st->tcp->syncache;
	uint64_t now = st->now_us;
	struct ptcp_syncache_ent *e;
	uint32_t n;

	if (sc->count == 0)
		return;
	for (n = 0; n < sc->nlevels; n++) {
		while ((e = TAILQ_FIRST(&sc->level[n])) != NULL && e->expire_us <= now) {
			if (n + 1 >= sc->nlevels) {
				/* synack_retries SYN-ACKs unanswered: back to LISTEN, silently. */
				PTCP_INC(st, TCP_SYNCACHE_EXPIRED);
				ent_remove(st, e);
				continue;
			}
			TAILQ_REMOVE(&sc->level[n], e, link);
			e->nrexmit = (uint8_t)(n + 1);
			e->expire_us = now + level_rto(st, n + 1);
			TAILQ_INSERT_TAIL(&sc->level[n + 1], e, link);
			PTCP_INC(st, TCP_RTO);
			PTCP_INC(st, TCP_REXMIT);
			PTCP_INC(st, TCP_SYNACK_REXMIT);
			send_synack(st, e);
		}
	}
}
