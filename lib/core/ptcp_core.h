/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_core.h - the per-lcore stack context shared by every layer.
 *
 * One struct ptcp_stack per lcore (share-nothing): configuration, the clock
 * of the current burst, the TX batch, counters, and the per-layer state
 * (opaque here: struct ptcp_net in lib/net, struct ptcp_tcp in lib/tcp).
 *
 * Time: microseconds (uint64_t) supplied by whoever drives the stack
 * (ptcp_stack_rx_burst / ptcp_stack_poll take `now`), so that the port
 * layer uses the TSC and unit tests use a synthetic clock. No layer reads a
 * clock itself.
 *
 * TX: layers append finished frames with ptcp_tx_enqueue(); the batch is
 * handed to conf.tx_fn when full and by ptcp_tx_flush() once per loop.
 */
#ifndef PTCP_CORE_H
#define PTCP_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_branch_prediction.h>

#include "ptcp_steer.h"

/* ---- Counters ----------------------------------------------------------- */

enum ptcp_ctr {
#define PTCP_CTR(name, desc) PTCP_CTR_##name,
#include "ptcp_counters.def"
#undef PTCP_CTR
	PTCP_CTR_MAX
};

/** Counter names ("RX_PKTS") and descriptions, indexed by enum ptcp_ctr. */
extern const char *const ptcp_ctr_names[PTCP_CTR_MAX];
extern const char *const ptcp_ctr_descs[PTCP_CTR_MAX];

#define PTCP_INC(st, name)      ((st)->ctr[PTCP_CTR_##name]++)
#define PTCP_ADD(st, name, n)   ((st)->ctr[PTCP_CTR_##name] += (n))

/* ---- Configuration ------------------------------------------------------ */

#define PTCP_TX_BURST 32

/**
 * Transmit callback: send up to n frames, return how many were taken. The
 * stack counts and frees the rest (TX_DROP); the callee owns the ones taken.
 */
typedef uint16_t (*ptcp_tx_fn)(void *arg, struct rte_mbuf **pkts, uint16_t n);

/* What a stack passes to another with conf.handoff_fn. */
enum ptcp_handoff_kind {
	/*
	 * A datagram whose TCP 4-tuple belongs to stack `to` but was
	 * reassembled or quoted (ICMP error) here; data at its Ethernet
	 * header, l2_len/l3_len set. Delivered with ptcp_stack_handoff_burst().
	 */
	PTCP_HANDOFF_DATAGRAM = 0,
	/* A received frame for the control path (ARP): ptcp_stack_rx_burst(). */
	PTCP_HANDOFF_FRAME,
	/*
	 * A finished frame of ours whose next hop has no resolved neighbour
	 * entry: the control path (stack 0) resolves it and sends it, or
	 * drops it with the entry. Delivered with ptcp_stack_resolve_burst().
	 */
	PTCP_HANDOFF_RESOLVE,
};

/**
 * Several stacks (conf.steer): pass m of the given kind to stack `to`
 * (conf.steer_owner of that stack). Returns 0 when taken (the callee owns
 * m and delivers it as its kind says), else a negative errno: the stack
 * counts the drop and frees m.
 */
typedef int (*ptcp_handoff_fn)(void *arg, struct rte_mbuf *m, uint16_t to,
			       enum ptcp_handoff_kind kind);

struct ptcp_neigh;

/* conf.offloads bits: what the port reported it can do. */
#define PTCP_OFFLOAD_RX_IPV4_CKSUM (1u << 0)  /* mbuf RX flags for IPv4 header checksum */
#define PTCP_OFFLOAD_RX_L4_CKSUM   (1u << 1)  /* mbuf RX flags for TCP checksum */
#define PTCP_OFFLOAD_TX_IPV4_CKSUM (1u << 2)
#define PTCP_OFFLOAD_TX_TCP_CKSUM  (1u << 3)
#define PTCP_OFFLOAD_TX_MULTI_SEG  (1u << 4)  /* the port sends mbuf chains */
#define PTCP_OFFLOAD_TX_CKSUM_SEGS (1u << 5)  /* ... and its TCP checksum offload covers them */

/* Defaults of struct ptcp_stack_conf that tests and applications refer to. */
#define PTCP_DEFAULT_MTU     1500u
#define PTCP_DEFAULT_ARP_ENTRIES 4096u
#define PTCP_DEFAULT_PMTU_EXPIRE_MS 600000u   /* RFC 1191 6.3: 10 minutes */
#define PTCP_DEFAULT_PMTU_MIN   576u          /* MSS 536: RFC 9293 3.7.1's default */
#define PTCP_DEFAULT_PMTU_CACHE 1024u
#define PTCP_DEFAULT_PMTU_BLACKHOLE_RTOS 2u
#define PTCP_DEFAULT_RCV_BUF 65535u
#define PTCP_DEFAULT_SND_BUF 65536u

/** Stack configuration; zero fields take the defaults in parentheses. */
struct ptcp_stack_conf {
	rte_be32_t ip;                 /* our (first) address (required) */
	/*
	 * Consecutive addresses we own from ip on (1): a load generator opens
	 * more connections to one server port than one address has ports.
	 * Every one is answered by ARP and ICMP echo and accepted by TCP.
	 */
	uint32_t ip_count;
	uint8_t prefix_len;            /* on-link prefix (24) */
	rte_be32_t gateway;            /* next hop for off-link; 0 = none */
	struct rte_ether_addr mac;     /* our MAC (required) */
	uint16_t mtu;                  /* IP MTU (1500) */
	struct rte_mempool *pool;      /* mbufs for frames we build (required) */
	/*
	 * Mbufs without data room for indirect mbufs: data segments then carry
	 * their payload as clones of the send queue's buffers (zero copy). Used
	 * only with PTCP_OFFLOAD_TX_MULTI_SEG; NULL: payloads are copied.
	 */
	struct rte_mempool *indirect_pool;
	ptcp_tx_fn tx_fn;              /* required */
	void *tx_arg;
	int socket_id;                 /* NUMA socket for tables (0 means socket 0) */
	uint32_t offloads;             /* PTCP_OFFLOAD_* */
	const char *name;              /* unique per process, for rte_hash etc. ("ptcp0") */
	/*
	 * More than one stack (one per lcore): steer (shared, read-only) names
	 * the owner of every TCP 4-tuple (ptcp_steer.h); this stack is owner
	 * steer_owner. Reassembled segments and ICMP errors about a flow owned
	 * elsewhere go to their owner through handoff_fn, and ptcp_connect
	 * picks source ports of flows this stack owns. NULL: this stack owns
	 * every flow it receives.
	 */
	const struct ptcp_steer *steer;
	uint16_t steer_owner;
	ptcp_handoff_fn handoff_fn;
	void *handoff_arg;
	/*
	 * Several stacks: one neighbour table (ptcp_neigh_create) they all
	 * read, written only by the control path, the stack with steer_owner
	 * 0: it receives every ARP frame (the port steers them there, other
	 * stacks pass on any they get) and resolves the next hops the others
	 * hand it (PTCP_HANDOFF_RESOLVE). NULL: a table of this stack's own.
	 */
	struct ptcp_neigh *neigh;

	uint32_t max_conns;            /* connection table size (4096) */
	uint32_t msl_ms;               /* TIME-WAIT lasts 2*MSL (30000) */
	uint32_t max_time_wait;        /* TIME-WAIT records, outside max_conns (8 * max_conns, */
	                               /* at most 262144) */
	uint32_t sack_scoreboards;     /* SACK scoreboards (tcp_sack.c) per lcore: connections
	                                * recovering with SACK at once (max_conns, at most
	                                * 65536; UINT32_MAX = none, NewReno recovery only) */
	uint32_t fin_timeout_ms;       /* FIN-WAIT-2 after ptcp_close lasts at most this
	                                * (60000, Linux tcp_fin_timeout; UINT32_MAX = never) */
	uint32_t rto_init_ms;          /* RFC 6298 2.1 initial RTO (1000) */
	uint32_t rto_min_ms;           /* RFC 6298 2.4 floor (200; the RFC says 1 s, Linux 200 ms) */
	uint32_t rto_max_ms;           /* RFC 6298 2.5 cap (60000) */
	uint8_t syn_retries;           /* active open SYN retransmissions before ETIMEDOUT (6) */
	uint8_t synack_retries;        /* SYN-ACK retransmissions before dropping (3: 15 s) */
	uint32_t backlog;              /* SYN-RECEIVED entries per listener; beyond it SYNs are
	                                  answered with SYN cookies (1024) */
	uint32_t syncache_size;        /* SYN-RECEIVED entries per lcore, all listeners (4096) */
	uint8_t data_retries;          /* RFC 9293 R2 for data/FIN (15) */
	uint32_t rcv_buf;              /* receive buffer bytes per connection (65535) */
	uint32_t snd_buf;              /* send buffer bytes per connection (65536) */
	uint32_t delack_ms;            /* delayed-ACK timeout, RFC 9293 3.8.6.3 (40; <= 200) */
	bool quickack;                 /* ACK every segment at once, no delayed ACKs (false) */
	uint32_t keepalive_idle_ms;    /* idle time before keepalive probes (0 = off) */
	uint32_t keepalive_intvl_ms;   /* between keepalive probes (75000) */
	uint8_t keepalive_cnt;         /* unanswered probes before abort (9) */
	bool nodelay;                  /* Nagle off for new connections (false) */
	/* Options offered in SYNs (each on unless turned off, as Linux's sysctls). */
	bool no_wscale;                /* RFC 7323 window scale not offered (false) */
	bool no_timestamps;            /* RFC 7323 timestamps not offered (false) */
	bool no_sack;                  /* RFC 2018 SACK-permitted not offered (false) */
	/*
	 * Congestion control of new connections: "cubic" (RFC 9438) or
	 * "newreno" (RFC 5681 with RFC 3465; "reno" too). NULL: "cubic". An
	 * unknown name fails ptcp_stack_create (EINVAL).
	 */
	const char *cc;
	uint32_t challenge_ack_limit;  /* RFC 5961 7 challenge ACKs per second per lcore,
	                                  randomised in [limit/2, limit*3/2) (1000) */
	uint32_t arp_timeout_ms;       /* ARP entry lifetime (60000) */
	uint32_t arp_retry_ms;         /* ARP request retry interval (1000) */
	uint8_t arp_retries;           /* ARP requests before giving up (3) */
	uint32_t arp_entries;          /* neighbour table entries (4096: a load generator's
	                                * address range, e.g. 687 for 10M connections,
	                                * fits without evictions); conf.neigh has its own */
	/*
	 * Memory (docs/architecture.md "Memory budget"), in mbufs of pool:
	 * what this stack may hold in TCP send, receive and out-of-order queues.
	 */
	uint32_t mem_limit;            /* hard limit on held mbufs (pool size * 3/4) */
	uint32_t mem_pressure;         /* pressure threshold: windows clamped, and the
	                                * ceiling of out-of-order data (mem_limit / 2) */
	uint32_t mbuf_reserve;         /* pool mbufs only control segments may take
	                                * (max(32, pool size / 32)) */
	/*
	 * Path MTU discovery (lib/tcp/tcp_pmtu.c, docs/architecture.md): a
	 * per-lcore cache of path MTUs lowered by ICMP or black-hole detection.
	 */
	uint32_t pmtu_expire_ms;       /* a lowered path MTU is raised again after (600000) */
	uint32_t pmtu_cache_size;      /* destinations remembered per lcore (1024) */
	uint16_t pmtu_min;             /* smallest path MTU believed; lower ICMP values are
	                                * raised to it (576: MSS 536) */
	uint8_t pmtu_blackhole_rtos;   /* consecutive RTOs of a large segment that lower the
	                                * MSS (2; UINT8_MAX = never) */
};

/* ---- The per-lcore context ---------------------------------------------- */

struct ptcp_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[PTCP_TX_BURST];
};

struct ptcp_net;
struct ptcp_tcp;

struct ptcp_stack {
	/* hot: touched on every burst */
	uint64_t now_us;               /* clock of the current burst / poll */
	struct ptcp_net *net;
	struct ptcp_tcp *tcp;
	struct rte_mempool *pool;
	struct ptcp_txbuf tx;
	uint32_t mem_held;             /* mbufs held by TCP queues (send, receive, out-of-order) */
	uint32_t mbuf_truesize;        /* bytes one pool mbuf costs (header + buffer) */
	struct rte_ring *pool_ring;    /* the pool's ring (ring mempool ops), else NULL */
	/*
	 * Set by the port layer while its TX path is backed up (frames already
	 * waiting for room): TCP sends no new data then, only ACKs and control,
	 * and resumes with the next ACK (ptcp_stack_tx_backed_up).
	 */
	bool tx_backed_up;

	struct ptcp_stack_conf conf;   /* with defaults filled in */
	char name[32];
	uint64_t ctr[PTCP_CTR_MAX];
} __rte_cache_aligned;

/** Fill zero fields of conf with defaults (documented in struct ptcp_stack_conf). */
void ptcp_conf_defaults(struct ptcp_stack_conf *conf);

/**
 * The port's TX path is backed up (true) or has room again (false). While
 * it is, data segments wait in their send queues instead of being built
 * and dropped at a full ring, which TCP would pay for with retransmission
 * timeouts; the ACKs of what is in flight clock them out later.
 */
static inline void
ptcp_stack_tx_backed_up(struct ptcp_stack *st, bool on)
{
	st->tx_backed_up = on;
}

/** Hand the TX batch to conf.tx_fn; frees and counts what it did not take. */
void ptcp_tx_flush(struct ptcp_stack *st);

/** Append a finished frame to the TX batch (flushing first if full). Consumes m. */
static inline void
ptcp_tx_enqueue(struct ptcp_stack *st, struct rte_mbuf *m)
{
	if (unlikely(st->tx.n == PTCP_TX_BURST))
		ptcp_tx_flush(st);
	st->tx.pkts[st->tx.n++] = m;
}

/*
 * Free mbufs of the stack's pool as far as this lcore can tell cheaply: the
 * pool's ring plus this lcore's cache (other lcores' caches are left out,
 * which errs on the side of "fewer"). Pools not backed by a ring take the
 * exact, slower count.
 */
static inline unsigned int
ptcp_pool_avail(const struct ptcp_stack *st)
{
	struct rte_mempool_cache *cache;

	if (unlikely(st->pool_ring == NULL))
		return rte_mempool_avail_count(st->pool);
	cache = rte_mempool_default_cache(st->pool, rte_lcore_id());
	return rte_ring_count(st->pool_ring) + (cache != NULL ? cache->len : 0);
}

/**
 * Allocate a control frame (ACK, RST, SYN, SYN-ACK, ARP, ICMP) from the
 * stack's pool. Control frames may dig into the reserve (conf.mbuf_reserve),
 * so the stack always answers; counts MBUF_RESERVE_USED when it does and
 * POOL_EMPTY on failure.
 */
static inline struct rte_mbuf *
ptcp_mbuf_alloc(struct ptcp_stack *st)
{
	struct rte_mbuf *m;

	if (unlikely(ptcp_pool_avail(st) <= st->conf.mbuf_reserve))
		PTCP_INC(st, MBUF_RESERVE_USED);
	m = rte_pktmbuf_alloc(st->pool);
	if (unlikely(m == NULL))
		PTCP_INC(st, POOL_EMPTY);
	return m;
}

/**
 * Allocate a data segment (a transmission or retransmission of queued
 * bytes): refused (DATA_ALLOC_REFUSED, NULL) once the pool is down to a
 * quarter of the reserve. Queued data may go out below the reserve because
 * sending it is how its memory comes back (the peer's ACK frees it); new
 * data is refused at the reserve itself (send space, out-of-order and
 * in-order receive, see docs/architecture.md "Memory budget").
 */
static inline struct rte_mbuf *
ptcp_mbuf_alloc_data(struct ptcp_stack *st)
{
	unsigned int avail = ptcp_pool_avail(st);
	struct rte_mbuf *m;

	if (unlikely(avail <= st->conf.mbuf_reserve)) {
		if (avail <= st->conf.mbuf_reserve / 4) {
			PTCP_INC(st, DATA_ALLOC_REFUSED);
			return NULL;
		}
		PTCP_INC(st, MBUF_RESERVE_USED);
	}
	m = rte_pktmbuf_alloc(st->pool);
	if (unlikely(m == NULL))
		PTCP_INC(st, POOL_EMPTY);
	return m;
}

/** Count then free: the one way to drop a packet. */
#define PTCP_DROP(st, m, name) do {		\
		PTCP_INC(st, name);		\
		rte_pktmbuf_free(m);		\
	} while (0)

/* Milliseconds to microseconds. */
#define PTCP_MS(ms) ((uint64_t)(ms) * 1000u)

#endif /* PTCP_CORE_H */
