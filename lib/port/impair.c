/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * impair.c - the seeded impairment stage (see ptcp_impair.h for the model).
 *
 * ptcp_impair_burst(): release_due(now) -> for each packet: decide (three
 * PRNG draws) -> drop | park (reorder) | pass (delay/jitter) [+ pass copy].
 * ptcp_impair_poll(): release_due(now).
 *
 * Two preallocated stores, conf.limit packets in all:
 *   heap  binary min-heap on (due, seq): delayed packets, and packets that
 *         found out[] full (due = now, so they lead the next call)
 *   park  FIFO of reordered packets (seq order, due = deadline). Whenever
 *         a packet is released, every parked packet that arrived before it
 *         follows it out: that is the reordering. A parked packet nobody
 *         overtakes leaves at its deadline.
 * seq numbers arrivals (copies right after their original), so equal times
 * keep arrival order and the parked packets a release overtook are exactly
 * those with a smaller seq.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ptcp_core.h"
#include "ptcp_impair.h"

#define SPEC_MAX 512

struct held {
	uint64_t due;                  /* release at or after this time (us) */
	uint64_t seq;                  /* arrival number */
	struct rte_mbuf *m;
};

struct ptcp_impair {
	/* hot */
	uint64_t rng[4];               /* xoshiro256** state */
	uint64_t seq;                  /* arrival number of the next packet */
	uint32_t nheap;
	uint32_t npark;
	uint32_t park_head;
	uint32_t limit;
	struct held *heap;             /* [limit] */
	struct held *park;             /* [limit], ring */
	struct rte_mempool *clone_pool;

	struct ptcp_impair_conf conf;
	struct ptcp_impair_stats st;
};

/* Where released packets go during one call. */
struct sink {
	struct rte_mbuf **out;
	uint16_t n;
	uint16_t max;
};

/* Count in the instance and, when given, in the stack's counters. */
#define IMP_COUNT(imp, ctr, field, name) do {                  \
		(imp)->st.field++;                              \
		if ((ctr) != NULL)                              \
			(ctr)[PTCP_CTR_##name]++;               \
	} while (0)

/* ---- PRNG: splitmix64 seeds xoshiro256** (Blackman, Vigna) ----------------- */

static inline uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct ptcp_impair *imp)
{
	uint64_t *s = imp->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, bound) from the top 32 bits (Lemire's multiply; bound < 2^32). */
static inline uint32_t
rng_below(uint64_t r, uint32_t bound)
{
	return (uint32_t)(((r >> 32) * (uint64_t)bound) >> 32);
}

/* True with probability ppm / 10^6: 0 never, 10^6 always. */
static inline bool
rng_hit(uint64_t r, uint32_t ppm)
{
	return rng_below(r, PTCP_IMPAIR_PPM) < ppm;
}

uint64_t
ptcp_impair_stream_seed(uint64_t seed, unsigned int lcore, unsigned int dir)
{
	uint64_t x = ((uint64_t)lcore << 1 | (dir & 1)) + 1;

	return seed ^ splitmix64(&x);
}

/* ---- The two stores ------------------------------------------------------------ */

static inline bool
held_before(const struct held *a, const struct held *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static inline uint32_t
held_count(const struct ptcp_impair *imp)
{
	return imp->nheap + imp->npark;
}

static void
heap_push(struct ptcp_impair *imp, const struct held *h)
{
	struct held *a = imp->heap;
	uint32_t i = imp->nheap++;

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!held_before(h, &a[p]))
			break;
		a[i] = a[p];
		i = p;
	}
	a[i] = *h;
}

static void
heap_pop(struct ptcp_impair *imp)
{
	struct held *a = imp->heap;
	uint32_t n = --imp->nheap, i = 0;
	struct held last = a[n];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && held_before(&a[c + 1], &a[c]))
			c++;
		if (!held_before(&a[c], &last))
			break;
		a[i] = a[c];
		i = c;
	}
	if (n > 0)
		a[i] = last;
}

static inline struct held *
park_front(struct ptcp_impair *imp)
{
	return &imp->park[imp->park_head];
}

static inline void
park_pop(struct ptcp_impair *imp)
{
	imp->park_head = imp->park_head + 1 == imp->limit ? 0 : imp->park_head + 1;
	imp->npark--;
}

/* ---- Releasing ------------------------------------------------------------------ */

/*
 * Release one packet, then the parked packets it overtook (arrived before
 * it), as far as out[] has room. False if out[] was full.
 */
static bool
emit(struct ptcp_impair *imp, struct sink *k, struct rte_mbuf *m, uint64_t seq)
{
	if (k->n == k->max)
		return false;
	k->out[k->n++] = m;
	imp->st.out++;
	while (imp->npark > 0 && k->n < k->max && park_front(imp)->seq < seq) {
		k->out[k->n++] = park_front(imp)->m;
		imp->st.out++;
		park_pop(imp);
	}
	return true;
}

/* Release everything due at now, earliest (due, seq) first, while out[] has room. */
static void
release_due(struct ptcp_impair *imp, struct sink *k, uint64_t now)
{
	while (k->n < k->max) {
		struct held *h = imp->nheap > 0 && imp->heap[0].due <= now ? &imp->heap[0] : NULL;
		struct held *p = imp->npark > 0 && park_front(imp)->due <= now ?
			park_front(imp) : NULL;
		struct held x;

		if (p != NULL && (h == NULL || held_before(p, h))) {
			k->out[k->n++] = p->m;
			imp->st.out++;
			park_pop(imp);
			continue;
		}
		if (h == NULL)
			break;
		x = *h;
		heap_pop(imp);
		emit(imp, k, x.m, x.seq);
	}
}

/* ---- Deciding ------------------------------------------------------------------- */

static void
overflow(struct ptcp_impair *imp, struct rte_mbuf *m, uint64_t *ctr)
{
	IMP_COUNT(imp, ctr, overflow, IMPAIR_OVERFLOW);
	rte_pktmbuf_free(m);
}

/* Reorder: hold m back until a later packet leaves, or until its deadline. */
static void
park(struct ptcp_impair *imp, struct rte_mbuf *m, uint64_t seq, uint64_t now, uint64_t *ctr)
{
	uint32_t tail;

	if (held_count(imp) >= imp->limit) {
		overflow(imp, m, ctr);
		return;
	}
	tail = imp->park_head + imp->npark;
	if (tail >= imp->limit)
		tail -= imp->limit;
	imp->park[tail] = (struct held){
		.due = now + imp->conf.delay_us + imp->conf.reorder_hold_us,
		.seq = seq,
		.m = m,
	};
	imp->npark++;
	IMP_COUNT(imp, ctr, reorder, IMPAIR_REORDER);
}

/*
 * Delay and jitter (r_jitter: this packet's draw): release m now if it is
 * due and out[] has room, else hold it.
 */
static void
pass(struct ptcp_impair *imp, struct sink *k, struct rte_mbuf *m, uint64_t seq, uint64_t now,
     uint64_t r_jitter, uint64_t *ctr)
{
	uint64_t due = now + imp->conf.delay_us;

	if (imp->conf.jitter_us != 0)
		due += rng_below(r_jitter, imp->conf.jitter_us + 1);
	/*
	 * Nothing in the heap is due at now unless out[] filled up (release_due
	 * ran first), so a packet due now leaves ahead of no older due one.
	 */
	if (due <= now && emit(imp, k, m, seq))
		return;
	if (held_count(imp) >= imp->limit) {
		overflow(imp, m, ctr);
		return;
	}
	heap_push(imp, &(struct held){ .due = due, .seq = seq, .m = m });
	if (due > now)
		IMP_COUNT(imp, ctr, delay, IMPAIR_DELAY);
}

static void
impair_one(struct ptcp_impair *imp, struct sink *k, struct rte_mbuf *m, uint64_t now,
	   uint64_t *ctr)
{
	/*
	 * Five draws whatever happens, so the fate of packet i depends on the
	 * seed and i alone: one knob never shifts another's decisions.
	 */
	uint64_t r_loss = rng_next(imp), r_dup = rng_next(imp), r_reorder = rng_next(imp);
	uint64_t r_jitter = rng_next(imp), r_jitter_copy = rng_next(imp);
	uint64_t seq = imp->seq++;
	struct rte_mbuf *copy = NULL;

	if (rng_hit(r_loss, imp->conf.loss_ppm)) {
		IMP_COUNT(imp, ctr, drop, IMPAIR_DROP);
		imp->st.drop_bytes += rte_pktmbuf_pkt_len(m);
		rte_pktmbuf_free(m);
		return;
	}
	if (rng_hit(r_dup, imp->conf.dup_ppm)) {
		copy = rte_pktmbuf_copy(m, imp->clone_pool, 0, UINT32_MAX);
		if (copy != NULL) {
			IMP_COUNT(imp, ctr, dup, IMPAIR_DUP);
		} else {
			IMP_COUNT(imp, ctr, clone_fail, POOL_EMPTY);
		}
	}
	if (rng_hit(r_reorder, imp->conf.reorder_ppm))
		park(imp, m, seq, now, ctr);
	else
		pass(imp, k, m, seq, now, r_jitter, ctr);
	if (copy != NULL)
		pass(imp, k, copy, imp->seq++, now, r_jitter_copy, ctr);
}

uint16_t
ptcp_impair_burst(struct ptcp_impair *imp, struct rte_mbuf **pkts, uint16_t n,
		  struct rte_mbuf **out, uint16_t out_max, uint64_t now_us, uint64_t *ctr)
{
	struct sink k = { .out = out, .n = 0, .max = out_max };
	uint16_t i;

	if (held_count(imp) > 0)
		release_due(imp, &k, now_us);
	imp->st.in += n;
	for (i = 0; i < n; i++)
		impair_one(imp, &k, pkts[i], now_us, ctr);
	return k.n;
}

uint16_t
ptcp_impair_poll(struct ptcp_impair *imp, struct rte_mbuf **out, uint16_t out_max,
		 uint64_t now_us)
{
	struct sink k = { .out = out, .n = 0, .max = out_max };

	if (held_count(imp) > 0)
		release_due(imp, &k, now_us);
	return k.n;
}

void
ptcp_impair_stats_get(const struct ptcp_impair *imp, struct ptcp_impair_stats *st)
{
	*st = imp->st;
	st->held = held_count(imp);
}

/* ---- Lifecycle ------------------------------------------------------------------ */

struct ptcp_impair *
ptcp_impair_create(const struct ptcp_impair_conf *conf, struct rte_mempool *clone_pool,
		   int socket)
{
	struct ptcp_impair *imp;
	size_t arr;
	uint64_t x;
	int i;

	if (conf == NULL || clone_pool == NULL || conf->loss_ppm > PTCP_IMPAIR_PPM ||
	    conf->dup_ppm > PTCP_IMPAIR_PPM || conf->reorder_ppm > PTCP_IMPAIR_PPM ||
	    conf->delay_us > PTCP_IMPAIR_MAX_US || conf->jitter_us > PTCP_IMPAIR_MAX_US ||
	    conf->reorder_hold_us > PTCP_IMPAIR_MAX_US || conf->limit > PTCP_IMPAIR_MAX_LIMIT) {
		rte_errno = EINVAL;
		return NULL;
	}
	imp = rte_zmalloc_socket("ptcp_impair", sizeof(*imp), RTE_CACHE_LINE_SIZE, socket);
	if (imp == NULL)
		goto nomem;
	imp->conf = *conf;
	if (imp->conf.limit == 0)
		imp->conf.limit = PTCP_IMPAIR_DEFAULT_LIMIT;
	if (imp->conf.reorder_hold_us == 0)
		imp->conf.reorder_hold_us = PTCP_IMPAIR_DEFAULT_HOLD_US;
	imp->limit = imp->conf.limit;
	imp->clone_pool = clone_pool;

	arr = sizeof(struct held) * imp->limit;
	imp->heap = rte_malloc_socket("ptcp_impair_heap", arr, RTE_CACHE_LINE_SIZE, socket);
	imp->park = rte_malloc_socket("ptcp_impair_park", arr, RTE_CACHE_LINE_SIZE, socket);
	if (imp->heap == NULL || imp->park == NULL)
		goto nomem;

	x = imp->conf.seed;
	for (i = 0; i < 4; i++)
		imp->rng[i] = splitmix64(&x);
	return imp;
nomem:
	ptcp_impair_free(imp);
	rte_errno = ENOMEM;
	return NULL;
}

void
ptcp_impair_free(struct ptcp_impair *imp)
{
	uint32_t i;

	if (imp == NULL)
		return;
	for (i = 0; i < imp->nheap; i++)
		rte_pktmbuf_free(imp->heap[i].m);
	while (imp->npark > 0) {
		rte_pktmbuf_free(park_front(imp)->m);
		park_pop(imp);
	}
	rte_free(imp->heap);
	rte_free(imp->park);
	rte_free(imp);
}

/* ---- Parsing and printing ----------------------------------------------------- */

static int __attribute__((format(printf, 3, 4)))
parse_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * "D[.F]" then the rest: the value scaled by 10^decimals into *out, the
 * number of fraction digits in *ndec. False if no digit or too large.
 */
static bool
parse_fixed(const char **sp, unsigned int max_dec, uint64_t *out, unsigned int *ndec)
{
	const char *s = *sp;
	uint64_t v = 0;
	unsigned int d = 0;
	bool digits = false;

	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s++ - '0');
		digits = true;
		if (v > UINT64_C(1) << 40)
			return false;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (d == max_dec)
				return false;
			v = v * 10 + (uint64_t)(*s++ - '0');
			d++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	*sp = s;
	*out = v;
	*ndec = d;
	return true;
}

static uint64_t
pow10u(unsigned int e)
{
	uint64_t p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

/* "2%", "0.5%", "0.0001%" -> parts per million. */
static int
parse_percent(const char *key, const char *val, uint32_t *ppm, char *err, size_t errlen)
{
	const char *s = val;
	uint64_t v;
	unsigned int d;

	if (!parse_fixed(&s, 4, &v, &d) || s[0] != '%' || s[1] != '\0')
		return parse_err(err, errlen, "%s=%s: not a percentage with at most 4 decimals "
				 "(e.g. %s=2%% or %s=0.5%%)", key, val, key, key);
	v *= pow10u(4 - d);                    /* 1% = 10000 ppm = 10^4 */
	if (v > PTCP_IMPAIR_PPM)
		return parse_err(err, errlen, "%s=%s: more than 100%%", key, val);
	*ppm = (uint32_t)v;
	return 0;
}

/* "5ms", "1.5ms", "200us", "1s" -> microseconds, in [min_us, PTCP_IMPAIR_MAX_US]. */
static int
parse_duration(const char *key, const char *val, uint32_t min_us, uint32_t *us, char *err,
	       size_t errlen)
{
	static const struct { const char *name; unsigned int exp; } units[] = {
		{ "us", 0 }, { "ms", 3 }, { "s", 6 },
	};
	const char *s = val;
	uint64_t v, r;
	unsigned int d, i;

	if (!parse_fixed(&s, 6, &v, &d))
		return parse_err(err, errlen, "%s=%s: not a duration (e.g. %s=5ms, 500us, 1.5ms)",
				 key, val, key);
	if (*s == '\0')
		return parse_err(err, errlen, "%s=%s: missing unit (us, ms or s)", key, val);
	for (i = 0; i < RTE_DIM(units); i++)
		if (strcmp(s, units[i].name) == 0)
			break;
	if (i == RTE_DIM(units))
		return parse_err(err, errlen, "%s=%s: unknown unit '%s' (us, ms or s)", key, val, s);
	if (d > units[i].exp)
		return parse_err(err, errlen, "%s=%s: finer than 1 us", key, val);
	r = v * pow10u(units[i].exp - d);
	if (r > PTCP_IMPAIR_MAX_US || r < min_us)
		return parse_err(err, errlen, "%s=%s: out of range (%" PRIu32 "us..60s)", key, val,
				 min_us);
	*us = (uint32_t)r;
	return 0;
}

static int
parse_u64(const char *key, const char *val, uint64_t min, uint64_t max, uint64_t *out,
	  char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (val[0] < '0' || val[0] > '9')
		goto bad;
	/* Not base 0: "010" is ten, not octal. */
	if (val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) {
		if (!isxdigit((unsigned char)val[2]))
			goto bad;
		v = strtoull(val + 2, &end, 16);
	} else {
		v = strtoull(val, &end, 10);
	}
	if (errno != 0 || *end != '\0')
		goto bad;
	if (v < min || v > max)
		return parse_err(err, errlen, "%s=%s: out of range (%" PRIu64 "..%" PRIu64 ")", key,
				 val, min, max);
	*out = v;
	return 0;
bad:
	return parse_err(err, errlen, "%s=%s: not a number", key, val);
}

enum impair_key { K_LOSS, K_DUP, K_REORDER, K_DELAY, K_JITTER, K_HOLD, K_SEED, K_LIMIT, K_MAX };

static const char *const key_names[K_MAX] = {
	[K_LOSS] = "loss", [K_DUP] = "dup", [K_REORDER] = "reorder", [K_DELAY] = "delay",
	[K_JITTER] = "jitter", [K_HOLD] = "reorder_hold", [K_SEED] = "seed", [K_LIMIT] = "limit",
};

static int
parse_item(enum impair_key k, const char *val, struct ptcp_impair_conf *c, char *err,
	   size_t errlen)
{
	const char *key = key_names[k];
	uint64_t v;
	int ret;

	switch (k) {
	case K_LOSS:
		return parse_percent(key, val, &c->loss_ppm, err, errlen);
	case K_DUP:
		return parse_percent(key, val, &c->dup_ppm, err, errlen);
	case K_REORDER:
		return parse_percent(key, val, &c->reorder_ppm, err, errlen);
	case K_DELAY:
		return parse_duration(key, val, 0, &c->delay_us, err, errlen);
	case K_JITTER:
		return parse_duration(key, val, 0, &c->jitter_us, err, errlen);
	case K_HOLD:
		return parse_duration(key, val, 1, &c->reorder_hold_us, err, errlen);
	case K_SEED:
		return parse_u64(key, val, 0, UINT64_MAX, &c->seed, err, errlen);
	case K_LIMIT:
		ret = parse_u64(key, val, 1, PTCP_IMPAIR_MAX_LIMIT, &v, err, errlen);
		if (ret == 0)
			c->limit = (uint32_t)v;
		return ret;
	default:
		return -EINVAL;
	}
}

int
ptcp_impair_parse(const char *spec, struct ptcp_impair_conf *out, char *err, size_t errlen)
{
	struct ptcp_impair_conf c = {
		.reorder_hold_us = PTCP_IMPAIR_DEFAULT_HOLD_US,
		.limit = PTCP_IMPAIR_DEFAULT_LIMIT,
		.seed = PTCP_IMPAIR_DEFAULT_SEED,
	};
	bool seen[K_MAX] = { false };
	char buf[SPEC_MAX];
	char *item, *save = NULL;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (spec == NULL || spec[0] == '\0')
		return parse_err(err, errlen, "empty specification (e.g. loss=2%%,delay=5ms)");
	if (strlen(spec) >= sizeof(buf))
		return parse_err(err, errlen, "specification longer than %d characters",
				 SPEC_MAX - 1);
	strcpy(buf, spec);
	if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,") != NULL)
		return parse_err(err, errlen, "'%s': empty item between commas", spec);

	for (item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		int k;

		if (eq == NULL || eq == item || eq[1] == '\0')
			return parse_err(err, errlen, "'%s': expected key=value", item);
		*eq = '\0';
		for (k = 0; k < K_MAX; k++)
			if (strcmp(item, key_names[k]) == 0)
				break;
		if (k == K_MAX)
			return parse_err(err, errlen, "unknown key '%s' (keys: loss, dup, reorder, "
					 "delay, jitter, reorder_hold, seed, limit)", item);
		if (seen[k])
			return parse_err(err, errlen, "'%s' given twice", item);
		seen[k] = true;
		ret = parse_item((enum impair_key)k, eq + 1, &c, err, errlen);
		if (ret != 0)
			return ret;
	}
	*out = c;
	return 0;
}

/* "2", "0.5", "0.0001": ppm as a percentage without trailing zeros. */
static void
format_percent(uint32_t ppm, char *buf, size_t len)
{
	uint32_t whole = ppm / 10000, frac = ppm % 10000;
	int w = 4;

	if (frac == 0) {
		snprintf(buf, len, "%" PRIu32, whole);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		w--;
	}
	snprintf(buf, len, "%" PRIu32 ".%0*" PRIu32, whole, w, frac);
}

int
ptcp_impair_format(const struct ptcp_impair_conf *c, char *buf, size_t len)
{
	char loss[16], reorder[16], dup[16], extra[96] = "";
	uint32_t hold = c->reorder_hold_us ? c->reorder_hold_us : PTCP_IMPAIR_DEFAULT_HOLD_US;
	uint32_t limit = c->limit ? c->limit : PTCP_IMPAIR_DEFAULT_LIMIT;
	size_t e = 0;

	format_percent(c->loss_ppm, loss, sizeof(loss));
	format_percent(c->reorder_ppm, reorder, sizeof(reorder));
	format_percent(c->dup_ppm, dup, sizeof(dup));
	if (c->jitter_us != 0)
		e += (size_t)snprintf(extra + e, sizeof(extra) - e, " jitter %" PRIu32 "us",
				      c->jitter_us);
	if (hold != PTCP_IMPAIR_DEFAULT_HOLD_US)
		e += (size_t)snprintf(extra + e, sizeof(extra) - e, " reorder_hold %" PRIu32 "us",
				      hold);
	if (limit != PTCP_IMPAIR_DEFAULT_LIMIT)
		snprintf(extra + e, sizeof(extra) - e, " limit %" PRIu32, limit);
	return snprintf(buf, len, "loss %s%% reorder %s%% dup %s%% delay %" PRIu32 "us seed %"
			PRIu64 "%s", loss, reorder, dup, c->delay_us, c->seed, extra);
}
