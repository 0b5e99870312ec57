/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_impair.c - unit tests for lib/port/impair.c, the seeded impairment
 * stage behind --impair: the spec parser and its errors, loss, duplication,
 * reordering, delay and jitter, the bounded queue, determinism, rates over
 * 100000 packets, and mbuf accounting (every test ends with the pool full).
 *
 * Two groups: "impair_parse" needs nothing; "impair" starts a hugepage-free
 * EAL once for an mbuf pool. Packets carry their number in the first four
 * bytes (ids 0, 1, 2, ... in arrival order). The clock is synthetic (us).
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp_core.h"
#include "ptcp_impair.h"

#define POOL_SIZE  8191
#define PKT_LEN    64
#define T0         1000000u          /* 1 s */
#define BURST      32
#define OUT_MAX    (4 * BURST)
#define PCT(p)     ((uint32_t)((p) * 10000))    /* percent -> ppm, integral p */

static struct rte_mempool *pool;

/* ---- Fixtures ----------------------------------------------------------------- */

static int
eal_setup(void **state)
{
	char prefix[64];

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=ptimp%d", (int)getpid());
	char *argv[] = { "test_impair", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			 "--no-telemetry", "-l", "0", "--log-level=*:error", prefix };

	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	/* No per-lcore cache: the available count is exact after every test. */
	pool = rte_pktmbuf_pool_create("imp_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int
eal_teardown(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_mempool_free(pool);
	rte_eal_cleanup();
	rmdir(dir);            /* EAL leaves its (empty) /var/run/dpdk/<prefix> behind */
	return 0;
}

/* Every mbuf is back: the test leaked nothing and the impairer freed what it held. */
static int
assert_pool_full(void **state)
{
	(void)state;
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

/* Packet number id: PKT_LEN bytes, id in the first four, a pattern after. */
static struct rte_mbuf *
pkt(uint32_t id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	uint32_t i;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, PKT_LEN);
	assert_non_null(p);
	memcpy(p, &id, sizeof(id));
	for (i = sizeof(id); i < PKT_LEN; i++)
		p[i] = (uint8_t)(id * 31 + i);
	return m;
}

static uint32_t
id_of(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod(m, const void *), sizeof(id));
	return id;
}

static void
free_all(struct rte_mbuf **m, uint16_t n)
{
	rte_pktmbuf_free_bulk(m, n);
}

static struct ptcp_impair *
make(const struct ptcp_impair_conf *c)
{
	struct ptcp_impair *imp = ptcp_impair_create(c, pool, SOCKET_ID_ANY);

	assert_non_null(imp);
	return imp;
}

/* Feed packets first..first+n-1 in one burst at now; ids of what came out go to ids[]. */
static uint16_t
feed(struct ptcp_impair *imp, uint32_t first, uint16_t n, uint64_t now, uint64_t *ctr,
     uint32_t *ids)
{
	struct rte_mbuf *in[OUT_MAX], *out[OUT_MAX];
	uint16_t i, k;

	assert_true(n <= OUT_MAX);
	for (i = 0; i < n; i++)
		in[i] = pkt(first + i);
	k = ptcp_impair_burst(imp, in, n, out, OUT_MAX, now, ctr);
	for (i = 0; i < k; i++)
		if (ids != NULL)
			ids[i] = id_of(out[i]);
	free_all(out, k);
	return k;
}

static uint16_t
poll_ids(struct ptcp_impair *imp, uint64_t now, uint32_t *ids)
{
	struct rte_mbuf *out[OUT_MAX];
	uint16_t i, k = ptcp_impair_poll(imp, out, OUT_MAX, now);

	for (i = 0; i < k; i++)
		if (ids != NULL)
			ids[i] = id_of(out[i]);
	free_all(out, k);
	return k;
}

static uint32_t
held(const struct ptcp_impair *imp)
{
	struct ptcp_impair_stats s;

	ptcp_impair_stats_get(imp, &s);
	return s.held;
}

/* ---- Parsing -------------------------------------------------------------------- */

static void
test_parse_accepts_the_issue_example(void **state)
{
	/* Ensure that the example of the issue parses into ppm, microseconds and the seed. */
	struct ptcp_impair_conf c;
	char err[160];

	(void)state;
	assert_int_equal(ptcp_impair_parse("loss=2%,reorder=1%,dup=1%,delay=5ms,seed=42", &c,
					   err, sizeof(err)), 0);
	assert_int_equal(c.loss_ppm, 20000);
	assert_int_equal(c.reorder_ppm, 10000);
	assert_int_equal(c.dup_ppm, 10000);
	assert_int_equal(c.delay_us, 5000);
	assert_int_equal(c.jitter_us, 0);
	assert_int_equal(c.seed, 42);
	assert_int_equal(c.limit, PTCP_IMPAIR_DEFAULT_LIMIT);
	assert_int_equal(c.reorder_hold_us, PTCP_IMPAIR_DEFAULT_HOLD_US);
}

static void
test_parse_accepts_fractions_units_and_bounds(void **state)
{
	/* Ensure that fractional percentages, every delay unit, hex seeds and the bounds parse. */
	struct ptcp_impair_conf c;
	char err[160];

	(void)state;
	assert_int_equal(ptcp_impair_parse("loss=0.5%,dup=100%,reorder=0.0001%", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.loss_ppm, 5000);
	assert_int_equal(c.dup_ppm, PTCP_IMPAIR_PPM);
	assert_int_equal(c.reorder_ppm, 1);
	assert_int_equal(c.seed, PTCP_IMPAIR_DEFAULT_SEED);    /* none given */

	assert_int_equal(ptcp_impair_parse("delay=250us,jitter=1.5ms,reorder_hold=2s", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.delay_us, 250);
	assert_int_equal(c.jitter_us, 1500);
	assert_int_equal(c.reorder_hold_us, 2000000);
	assert_int_equal(c.loss_ppm, 0);

	assert_int_equal(ptcp_impair_parse("seed=0xFFFFFFFFFFFFFFFF,limit=1,delay=60s,loss=0%",
					   &c, err, sizeof(err)), 0);
	assert_true(c.seed == UINT64_MAX);
	assert_int_equal(c.limit, 1);
	assert_int_equal(c.delay_us, 60000000);

	assert_int_equal(ptcp_impair_parse("seed=010", &c, err, sizeof(err)), 0);
	assert_int_equal(c.seed, 10);                          /* decimal, not octal */
}

static void
test_parse_rejects_each_error_with_a_message(void **state)
{
	/* Ensure that every malformed spec fails with -EINVAL and a message naming the problem. */
	static const struct { const char *spec; const char *msg; } bad[] = {
		{ "", "empty" },
		{ "loss", "expected key=value" },
		{ "loss=", "expected key=value" },
		{ "=2%", "expected key=value" },
		{ "loss=2%,,dup=1%", "empty item" },
		{ "loss=2%,", "empty item" },
		{ "drop=2%", "unknown key 'drop'" },
		{ "loss=2", "not a percentage" },
		{ "loss=2x%", "not a percentage" },
		{ "loss=-1%", "not a percentage" },
		{ "loss=0.00001%", "not a percentage" },
		{ "loss=100.5%", "more than 100%" },
		{ "dup=101%", "more than 100%" },
		{ "reorder=1000%", "more than 100%" },
		{ "delay=5", "missing unit" },
		{ "delay=5min", "unknown unit" },
		{ "delay=ms", "not a duration" },
		{ "delay=1.5us", "finer than 1 us" },
		{ "delay=61s", "out of range" },
		{ "jitter=-1ms", "not a duration" },
		{ "reorder_hold=0ms", "out of range" },
		{ "seed=abc", "not a number" },
		{ "seed=-1", "not a number" },
		{ "seed=0x", "not a number" },
		{ "seed=18446744073709551616", "not a number" },
		{ "limit=0", "out of range" },
		{ "limit=2000000", "out of range" },
		{ "loss=1%,loss=2%", "given twice" },
	};
	struct ptcp_impair_conf c;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		memset(err, 0, sizeof(err));
		if (ptcp_impair_parse(bad[i].spec, &c, err, sizeof(err)) != -EINVAL ||
		    strstr(err, bad[i].msg) == NULL)
			fail_msg("spec '%s': expected -EINVAL and \"%s\", got \"%s\"", bad[i].spec,
				 bad[i].msg, err);
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(ptcp_impair_parse(NULL, &c, NULL, 0), -EINVAL);
}

static void
test_format_prints_the_active_impairment(void **state)
{
	/* Ensure that the start-up line reads as the issue shows, extras only when set. */
	struct ptcp_impair_conf c;
	char err[160], s[256];

	(void)state;
	assert_int_equal(ptcp_impair_parse("loss=2%,reorder=1%,dup=1%,delay=5ms,seed=42", &c,
					   err, sizeof(err)), 0);
	ptcp_impair_format(&c, s, sizeof(s));
	assert_string_equal(s, "loss 2% reorder 1% dup 1% delay 5000us seed 42");

	assert_int_equal(ptcp_impair_parse("loss=0.25%,jitter=1ms,limit=100", &c, err,
					   sizeof(err)), 0);
	ptcp_impair_format(&c, s, sizeof(s));
	assert_string_equal(s, "loss 0.25% reorder 0% dup 0% delay 0us seed 1 jitter 1000us "
			    "limit 100");
}

static void
test_stream_seeds_differ_per_lcore_and_direction(void **state)
{
	/* Ensure that each lcore and direction gets its own, reproducible, seed. */
	uint64_t a = ptcp_impair_stream_seed(42, 0, PTCP_IMPAIR_RX);

	(void)state;
	assert_true(a == ptcp_impair_stream_seed(42, 0, PTCP_IMPAIR_RX));
	assert_true(a != ptcp_impair_stream_seed(42, 0, PTCP_IMPAIR_TX));
	assert_true(a != ptcp_impair_stream_seed(42, 1, PTCP_IMPAIR_RX));
	assert_true(a != ptcp_impair_stream_seed(43, 0, PTCP_IMPAIR_RX));
	assert_true(ptcp_impair_stream_seed(42, 1, PTCP_IMPAIR_RX) !=
		    ptcp_impair_stream_seed(42, 0, PTCP_IMPAIR_TX));
}

/* ---- Create ----------------------------------------------------------------------- */

static void
test_create_rejects_bad_conf(void **state)
{
	/* Ensure that create refuses rates above 100%, no clone pool and a huge limit. */
	struct ptcp_impair_conf c = { .loss_ppm = PTCP_IMPAIR_PPM + 1 };

	(void)state;
	assert_null(ptcp_impair_create(&c, pool, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	c.loss_ppm = 0;
	assert_null(ptcp_impair_create(&c, NULL, SOCKET_ID_ANY));
	c.limit = PTCP_IMPAIR_MAX_LIMIT + 1;
	assert_null(ptcp_impair_create(&c, pool, SOCKET_ID_ANY));
	assert_null(ptcp_impair_create(NULL, pool, SOCKET_ID_ANY));
	ptcp_impair_free(NULL);
}

/* ---- Pass-through and loss ---------------------------------------------------------- */

static void
test_no_impairment_passes_everything_in_order_at_once(void **state)
{
	/* Ensure that with every knob at 0 each burst comes straight out, in order, uncounted. */
	struct ptcp_impair_conf c = { .seed = 7 };
	struct ptcp_impair *imp = make(&c);
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	uint32_t ids[OUT_MAX];
	uint32_t b, i;

	(void)state;
	for (b = 0; b < 100; b++) {
		assert_int_equal(feed(imp, b * BURST, BURST, T0 + b, ctr, ids), BURST);
		for (i = 0; i < BURST; i++)
			assert_int_equal(ids[i], b * BURST + i);
	}
	assert_int_equal(held(imp), 0);
	for (i = 0; i < PTCP_CTR_MAX; i++)
		assert_true(ctr[i] == 0);
	ptcp_impair_free(imp);
}

static void
test_loss_100_percent_drops_all_and_counts(void **state)
{
	/*
	 * Ensure that loss=100% frees every packet and counts each in IMPAIR_DROP, and its
	 * bytes in drop_bytes.
	 */
	struct ptcp_impair_conf c = { .loss_ppm = PTCP_IMPAIR_PPM, .seed = 7 };
	struct ptcp_impair *imp = make(&c);
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	struct ptcp_impair_stats s;
	uint32_t b;

	(void)state;
	for (b = 0; b < 10; b++)
		assert_int_equal(feed(imp, b * BURST, BURST, T0, ctr, NULL), 0);
	assert_int_equal(poll_ids(imp, T0 + 60000000, NULL), 0);
	assert_true(ctr[PTCP_CTR_IMPAIR_DROP] == 10 * BURST);
	ptcp_impair_stats_get(imp, &s);
	assert_true(s.in == 10 * BURST && s.drop == 10 * BURST && s.out == 0 && s.held == 0);
	assert_true(s.drop_bytes == 10ull * BURST * PKT_LEN);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	ptcp_impair_free(imp);
}

/* ---- Rates over 100000 packets ------------------------------------------------------- */

#define RATE_PKTS 100000u

/* Push RATE_PKTS packets through at a slowly advancing clock; return the stats. */
static void
run_rate(const struct ptcp_impair_conf *c, struct ptcp_impair_stats *s, uint64_t *ctr)
{
	struct ptcp_impair *imp = make(c);
	uint64_t now = T0;
	uint32_t sent = 0;

	while (sent < RATE_PKTS) {
		uint16_t n = (uint16_t)RTE_MIN((uint32_t)BURST, RATE_PKTS - sent);

		feed(imp, sent, n, now, ctr, NULL);
		sent += n;
		now += 100;
	}
	while (held(imp) > 0)
		poll_ids(imp, now += 1000, NULL);
	ptcp_impair_stats_get(imp, s);
	ptcp_impair_free(imp);
}

/* Within +-0.3 percentage points of ppm over RATE_PKTS. */
static void
assert_rate(uint64_t count, uint32_t ppm)
{
	uint64_t lo = (uint64_t)(ppm - PCT(0.3)) * RATE_PKTS / PTCP_IMPAIR_PPM;
	uint64_t hi = (uint64_t)(ppm + PCT(0.3)) * RATE_PKTS / PTCP_IMPAIR_PPM;

	if (count < lo || count > hi)
		fail_msg("%llu of %u packets, expected %llu..%llu", (unsigned long long)count,
			 RATE_PKTS, (unsigned long long)lo, (unsigned long long)hi);
}

static void
test_loss_rate_is_2_percent_within_0_3(void **state)
{
	/* Ensure that loss=2% drops 2% +- 0.3% of 100000 packets and passes the rest. */
	struct ptcp_impair_conf c = { .loss_ppm = PCT(2), .seed = 12345 };
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	struct ptcp_impair_stats s;

	(void)state;
	run_rate(&c, &s, ctr);
	assert_rate(s.drop, c.loss_ppm);
	assert_true(ctr[PTCP_CTR_IMPAIR_DROP] == s.drop);
	assert_true(s.out + s.drop == RATE_PKTS);
}

static void
test_dup_rate_is_1_percent_within_0_3(void **state)
{
	/* Ensure that dup=1% copies 1% +- 0.3% of 100000 packets and both copies leave. */
	struct ptcp_impair_conf c = { .dup_ppm = PCT(1), .seed = 99 };
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	struct ptcp_impair_stats s;

	(void)state;
	run_rate(&c, &s, ctr);
	assert_rate(s.dup, c.dup_ppm);
	assert_true(ctr[PTCP_CTR_IMPAIR_DUP] == s.dup);
	assert_true(s.out == RATE_PKTS + s.dup);
}

static void
test_reorder_rate_is_1_percent_within_0_3(void **state)
{
	/* Ensure that reorder=1% holds back 1% +- 0.3% of 100000 packets and loses none. */
	struct ptcp_impair_conf c = { .reorder_ppm = PCT(1), .seed = 2024 };
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	struct ptcp_impair_stats s;

	(void)state;
	run_rate(&c, &s, ctr);
	assert_rate(s.reorder, c.reorder_ppm);
	assert_true(ctr[PTCP_CTR_IMPAIR_REORDER] == s.reorder);
	assert_true(s.out == RATE_PKTS);
}

/* ---- Determinism --------------------------------------------------------------------- */

#define DET_BURSTS 200

/* The output id sequence of a mixed impairment over DET_BURSTS bursts; returns its length. */
static uint32_t
trace(uint64_t seed, uint32_t *ids, uint32_t cap)
{
	struct ptcp_impair_conf c = {
		.loss_ppm = PCT(10), .dup_ppm = PCT(10), .reorder_ppm = PCT(10),
		.delay_us = 500, .jitter_us = 300, .seed = seed,
	};
	struct ptcp_impair *imp = make(&c);
	uint32_t n = 0, b;
	uint64_t now = T0;

	for (b = 0; b < DET_BURSTS; b++) {
		assert_true(n + OUT_MAX <= cap);
		n += feed(imp, b * 8, 8, now, NULL, &ids[n]);
		now += 97;
	}
	while (held(imp) > 0) {
		assert_true(n + OUT_MAX <= cap);
		n += poll_ids(imp, now += 97, &ids[n]);
	}
	ptcp_impair_free(imp);
	return n;
}

static void
test_same_seed_same_decisions(void **state)
{
	/* Ensure that two impairers with one seed, fed the same, release the same sequence. */
	static uint32_t a[DET_BURSTS * 8 * 3], b[DET_BURSTS * 8 * 3];
	uint32_t na, nb;

	(void)state;
	na = trace(42, a, RTE_DIM(a));
	nb = trace(42, b, RTE_DIM(b));
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(a[0]));
}

static void
test_different_seeds_different_decisions(void **state)
{
	/* Ensure that another seed gives another sequence. */
	static uint32_t a[DET_BURSTS * 8 * 3], b[DET_BURSTS * 8 * 3];
	uint32_t na, nb;

	(void)state;
	na = trace(42, a, RTE_DIM(a));
	nb = trace(43, b, RTE_DIM(b));
	assert_true(na != nb || memcmp(a, b, na * sizeof(a[0])) != 0);
}

static void
test_loss_decisions_do_not_depend_on_other_knobs(void **state)
{
	/* Ensure that with one seed packet i is lost or not whatever dup and reorder say. */
	struct ptcp_impair_conf c1 = { .loss_ppm = PCT(30), .seed = 5 };
	struct ptcp_impair_conf c2 = { .loss_ppm = PCT(30), .dup_ppm = PCT(50),
				       .reorder_ppm = PCT(50), .jitter_us = 10, .seed = 5 };
	struct ptcp_impair *i1 = make(&c1), *i2 = make(&c2);
	struct ptcp_impair_stats s1, s2;
	uint32_t id;

	(void)state;
	for (id = 0; id < 2000; id++) {
		feed(i1, id, 1, T0 + id * 100, NULL, NULL);
		feed(i2, id, 1, T0 + id * 100, NULL, NULL);
		ptcp_impair_stats_get(i1, &s1);
		ptcp_impair_stats_get(i2, &s2);
		assert_true(s1.drop == s2.drop);
	}
	assert_true(s1.drop > 0);
	ptcp_impair_free(i1);
	ptcp_impair_free(i2);
}

/* ---- Duplication ------------------------------------------------------------------------ */

static void
test_dup_copies_are_byte_identical_and_separate(void **state)
{
	/* Ensure that dup=100% sends each packet twice, original first, as separate equal mbufs. */
	struct ptcp_impair_conf c = { .dup_ppm = PTCP_IMPAIR_PPM, .seed = 3 };
	struct ptcp_impair *imp = make(&c);
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	struct rte_mbuf *in[4], *out[OUT_MAX];
	uint16_t i, k;

	(void)state;
	for (i = 0; i < 4; i++)
		in[i] = pkt(i);
	in[3]->ol_flags |= RTE_MBUF_F_TX_IPV4;      /* metadata travels with the copy */
	k = ptcp_impair_burst(imp, in, 4, out, OUT_MAX, T0, ctr);
	assert_int_equal(k, 8);
	for (i = 0; i < 8; i += 2) {
		assert_ptr_not_equal(out[i], out[i + 1]);
		assert_int_equal(id_of(out[i]), i / 2);
		assert_int_equal(rte_pktmbuf_pkt_len(out[i]), rte_pktmbuf_pkt_len(out[i + 1]));
		assert_memory_equal(rte_pktmbuf_mtod(out[i], void *),
				    rte_pktmbuf_mtod(out[i + 1], void *), PKT_LEN);
		assert_int_equal(rte_mbuf_refcnt_read(out[i + 1]), 1);
	}
	assert_true(out[7]->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_true(ctr[PTCP_CTR_IMPAIR_DUP] == 4);
	free_all(out, k);
	ptcp_impair_free(imp);
}

static void
test_dup_copies_a_chained_mbuf_whole(void **state)
{
	/* Ensure that a two-segment packet is copied with all of its bytes. */
	struct ptcp_impair_conf c = { .dup_ppm = PTCP_IMPAIR_PPM, .seed = 3 };
	struct ptcp_impair *imp = make(&c);
	struct rte_mbuf *m = pkt(1), *tail = pkt(2), *out[4];
	uint8_t a[2 * PKT_LEN], b[2 * PKT_LEN];
	const void *pa, *pb;

	(void)state;
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	assert_int_equal(ptcp_impair_burst(imp, &m, 1, out, 4, T0, NULL), 2);
	assert_int_equal(rte_pktmbuf_pkt_len(out[1]), 2 * PKT_LEN);
	/* rte_pktmbuf_read copies only when the bytes are not contiguous. */
	pa = rte_pktmbuf_read(out[0], 0, sizeof(a), a);
	pb = rte_pktmbuf_read(out[1], 0, sizeof(b), b);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_memory_equal(pa, pb, sizeof(a));
	assert_int_equal(id_of(out[1]), 1);
	free_all(out, 2);
	ptcp_impair_free(imp);
}

/* ---- Delay and jitter ---------------------------------------------------------------------- */

static void
test_delay_holds_until_now_plus_delay_and_not_before(void **state)
{
	/* Ensure that delay=5ms releases a burst at exactly +5000 us, in order, and not at +4999. */
	struct ptcp_impair_conf c = { .delay_us = 5000, .seed = 1 };
	struct ptcp_impair *imp = make(&c);
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	uint32_t ids[OUT_MAX], i;

	(void)state;
	assert_int_equal(feed(imp, 0, 10, T0, ctr, NULL), 0);
	assert_int_equal(feed(imp, 10, 10, T0 + 1000, ctr, NULL), 0);
	assert_true(ctr[PTCP_CTR_IMPAIR_DELAY] == 20);
	assert_int_equal(poll_ids(imp, T0 + 4999, NULL), 0);
	assert_int_equal(poll_ids(imp, T0 + 5000, ids), 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(ids[i], i);
	/* A new burst releases what came due before itself; the burst waits its turn. */
	assert_int_equal(feed(imp, 20, 5, T0 + 6000, ctr, ids), 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(ids[i], 10 + i);
	assert_int_equal(poll_ids(imp, T0 + 10999, NULL), 0);
	assert_int_equal(poll_ids(imp, T0 + 11000, ids), 5);
	assert_int_equal(ids[0], 20);
	ptcp_impair_free(imp);
}

static void
test_jitter_stays_within_delay_plus_jitter(void **state)
{
	/* Ensure that with jitter each packet leaves between +delay and +delay+jitter, none lost. */
	struct ptcp_impair_conf c = { .delay_us = 1000, .jitter_us = 500, .seed = 77 };
	struct ptcp_impair *imp = make(&c);
	uint32_t ids[OUT_MAX], seen = 0, t, i, early = 0;
	bool got[64] = { false };

	(void)state;
	assert_int_equal(feed(imp, 0, 64, T0, NULL, NULL), 0);
	for (t = 0; t <= 1500; t++) {
		uint16_t k = poll_ids(imp, T0 + t, ids);

		if (k > 0 && t < 1000)
			early++;
		for (i = 0; i < k; i++) {
			assert_false(got[ids[i]]);
			got[ids[i]] = true;
		}
		seen += k;
	}
	assert_int_equal(early, 0);
	assert_int_equal(seen, 64);
	assert_int_equal(held(imp), 0);
	ptcp_impair_free(imp);
}

/* ---- Reordering ------------------------------------------------------------------------------ */

static void
test_reorder_releases_held_packet_right_after_the_next(void **state)
{
	/*
	 * Ensure that a held-back packet leaves right behind the next packet that
	 * passes (its order swapped), not at its deadline. Seeds are searched for
	 * one whose first packet is held and second is not.
	 */
	struct ptcp_impair_conf c = { .reorder_ppm = PCT(50) };
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	uint32_t ids[OUT_MAX];
	struct ptcp_impair *imp;

	(void)state;
	for (c.seed = 1; c.seed < 1000; c.seed++) {
		imp = make(&c);
		memset(ctr, 0, sizeof(ctr));
		if (feed(imp, 0, 1, T0, ctr, NULL) == 0) {
			if (feed(imp, 1, 1, T0 + 10, ctr, ids) == 2)
				break;
		}
		ptcp_impair_free(imp);
		assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	}
	assert_true(c.seed < 1000);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 0);
	assert_true(ctr[PTCP_CTR_IMPAIR_REORDER] == 1);
	ptcp_impair_free(imp);
}

static void
test_reorder_without_later_packet_releases_at_deadline(void **state)
{
	/* Ensure that a held-back packet nobody overtakes leaves at +delay+reorder_hold. */
	struct ptcp_impair_conf c = { .reorder_ppm = PTCP_IMPAIR_PPM, .delay_us = 200,
				      .reorder_hold_us = 3000, .seed = 9 };
	struct ptcp_impair *imp = make(&c);
	uint32_t ids[OUT_MAX];

	(void)state;
	assert_int_equal(feed(imp, 0, 3, T0, NULL, NULL), 0);
	assert_int_equal(poll_ids(imp, T0 + 3199, NULL), 0);
	assert_int_equal(poll_ids(imp, T0 + 3200, ids), 3);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[2], 2);
	ptcp_impair_free(imp);
}

static void
test_reorder_changes_order_but_loses_nothing(void **state)
{
	/* Ensure that reorder=20% over 3200 packets changes the order, and all arrive once. */
	struct ptcp_impair_conf c = { .reorder_ppm = PCT(20), .delay_us = 300, .seed = 11 };
	struct ptcp_impair *imp = make(&c);
	static uint32_t ids[4000];
	static bool got[3200];
	uint32_t n = 0, b, i, inversions = 0;
	uint64_t now = T0;

	(void)state;
	for (b = 0; b < 100; b++) {
		n += feed(imp, b * BURST, BURST, now, NULL, &ids[n]);
		now += 50;
	}
	while (held(imp) > 0)
		n += poll_ids(imp, now += 50, &ids[n]);
	assert_int_equal(n, 3200);
	for (i = 0; i < n; i++) {
		assert_false(got[ids[i]]);
		got[ids[i]] = true;
		if (i > 0 && ids[i] < ids[i - 1])
			inversions++;
	}
	assert_true(inversions > 100);
	ptcp_impair_free(imp);
}

/* ---- Bounds ----------------------------------------------------------------------------------- */

static void
test_overflow_drops_beyond_limit_and_counts(void **state)
{
	/* Ensure that beyond limit held packets the rest are freed and counted IMPAIR_OVERFLOW. */
	struct ptcp_impair_conf c = { .delay_us = 1000, .limit = 4, .seed = 1 };
	struct ptcp_impair *imp = make(&c);
	uint64_t ctr[PTCP_CTR_MAX] = { 0 };
	uint32_t ids[OUT_MAX];

	(void)state;
	assert_int_equal(feed(imp, 0, 10, T0, ctr, NULL), 0);
	assert_int_equal(held(imp), 4);
	assert_true(ctr[PTCP_CTR_IMPAIR_OVERFLOW] == 6);
	assert_true(ctr[PTCP_CTR_IMPAIR_DELAY] == 4);
	assert_int_equal(poll_ids(imp, T0 + 1000, ids), 4);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[3], 3);
	ptcp_impair_free(imp);
}

static void
test_full_out_array_keeps_the_rest_in_order(void **state)
{
	/* Ensure that what does not fit in out[] stays held and leaves next, in order. */
	struct ptcp_impair_conf c = { .seed = 1 };
	struct ptcp_impair *imp = make(&c);
	struct rte_mbuf *in[10], *out[4];
	uint16_t i, k;
	uint32_t next = 0;

	(void)state;
	for (i = 0; i < 10; i++)
		in[i] = pkt(i);
	k = ptcp_impair_burst(imp, in, 10, out, 4, T0, NULL);
	assert_int_equal(k, 4);
	for (;;) {
		for (i = 0; i < k; i++)
			assert_int_equal(id_of(out[i]), next++);
		free_all(out, k);
		if (next == 10)
			break;
		k = ptcp_impair_poll(imp, out, 4, T0);
		assert_true(k > 0);
	}
	assert_int_equal(held(imp), 0);
	ptcp_impair_free(imp);
}

static void
test_free_releases_every_held_mbuf(void **state)
{
	/* Ensure that freeing an impairer holding delayed and reordered packets returns them all. */
	struct ptcp_impair_conf c = { .delay_us = 100000, .reorder_ppm = PCT(30),
				      .dup_ppm = PCT(30), .seed = 8 };
	struct ptcp_impair *imp = make(&c);
	uint32_t b;

	(void)state;
	for (b = 0; b < 50; b++)
		assert_int_equal(feed(imp, b * BURST, BURST, T0 + b, NULL, NULL), 0);
	assert_true(held(imp) > 50 * BURST);     /* copies held too */
	assert_true(rte_mempool_avail_count(pool) < POOL_SIZE);
	ptcp_impair_free(imp);
	/* assert_pool_full (teardown) checks the pool */
}

#define T(f) cmocka_unit_test_teardown(f, assert_pool_full)

int
main(void)
{
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(test_parse_accepts_the_issue_example),
		cmocka_unit_test(test_parse_accepts_fractions_units_and_bounds),
		cmocka_unit_test(test_parse_rejects_each_error_with_a_message),
		cmocka_unit_test(test_format_prints_the_active_impairment),
		cmocka_unit_test(test_stream_seeds_differ_per_lcore_and_direction),
	};
	const struct CMUnitTest impair[] = {
		T(test_create_rejects_bad_conf),
		T(test_no_impairment_passes_everything_in_order_at_once),
		T(test_loss_100_percent_drops_all_and_counts),
		T(test_loss_rate_is_2_percent_within_0_3),
		T(test_dup_rate_is_1_percent_within_0_3),
		T(test_reorder_rate_is_1_percent_within_0_3),
		T(test_same_seed_same_decisions),
		T(test_different_seeds_different_decisions),
		T(test_loss_decisions_do_not_depend_on_other_knobs),
		T(test_dup_copies_are_byte_identical_and_separate),
		T(test_dup_copies_a_chained_mbuf_whole),
		T(test_delay_holds_until_now_plus_delay_and_not_before),
		T(test_jitter_stays_within_delay_plus_jitter),
		T(test_reorder_releases_held_packet_right_after_the_next),
		T(test_reorder_without_later_packet_releases_at_deadline),
		T(test_reorder_changes_order_but_loses_nothing),
		T(test_overflow_drops_beyond_limit_and_counts),
		T(test_full_out_array_keeps_the_rest_in_order),
		T(test_free_releases_every_held_mbuf),
	};
	int failed;

	failed = cmocka_run_group_tests_name("impair_parse", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("impair", impair, eal_setup, eal_teardown);
	return failed;
}
