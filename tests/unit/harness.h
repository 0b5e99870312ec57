/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h - shared fixtures for cmocka unit tests.
 *
 * A test stack lives at 198.18.0.2 (MAC 02:00:00:00:00:02) with its peer
 * 198.18.0.1 (MAC 02:00:00:00:00:01) already in the ARP table. Frames the
 * stack transmits are captured in order (no port, no network); frames are
 * fed in with ptest_rx(). Time is synthetic: ctx->now (microseconds).
 *
 *   struct ptest_ctx *t = ptest_new(NULL);
 *   ptest_rx(t, ptest_tcp_frame(t, &(struct ptest_seg){ .flags = SYN, ... }));
 *   assert_int_equal(ptest_pop_tcp(t, &seg, NULL, 0), 0);   -- exactly what was sent
 *   ptest_assert_nothing_sent(t);
 *   ptest_free(t);                                           -- asserts no mbuf leaked
 */
#ifndef PTCP_TEST_HARNESS_H
#define PTCP_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ptcp_core.h"
#include "ptcp_wire.h"
#include "ptcp_net.h"
#include "ptcp_tcp.h"
#include "ptcp_api.h"

#define PTEST_MAX_SENT 512

#define PTEST_LOCAL_IP   RTE_BE32(UINT32_C(0xC6120002))   /* 198.18.0.2 */
#define PTEST_PEER_IP    RTE_BE32(UINT32_C(0xC6120001))   /* 198.18.0.1 */
#define PTEST_OTHER_IP   RTE_BE32(UINT32_C(0xC6120003))   /* 198.18.0.3: on-link, not in ARP */

extern const struct rte_ether_addr ptest_local_mac;
extern const struct rte_ether_addr ptest_peer_mac;

struct ptest_ctx {
	struct ptcp_stack *st;
	struct rte_mempool *pool;
	uint64_t now;                           /* microseconds */
	unsigned int nsent;                     /* captured frames not yet popped */
	struct rte_mbuf *sent[PTEST_MAX_SENT];
	char name_buf[32];
	struct rte_mempool *ind_pool;           /* ptest_new_zc: the clones' pool */
};

/** A segment to craft (host order). Peer -> us unless src/dst set. */
struct ptest_seg {
	rte_be32_t src;          /* 0 = PTEST_PEER_IP */
	rte_be32_t dst;          /* 0 = PTEST_LOCAL_IP */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;           /* RTE_TCP_*_FLAG */
	uint16_t wnd;            /* 0 means 0; tests set it */
	const void *data;
	uint32_t len;
	const struct ptcp_tcp_opts *opt;
	bool bad_cksum;          /* corrupt the TCP checksum */
};

/** Initialise EAL once per process (--no-huge, no PCI, no shared config). */
void ptest_eal_init(void);

/**
 * New stack with the test addresses. conf may be NULL or a conf whose zero
 * fields take test defaults (ip, mac, pool, tx_fn are always the harness's).
 */
struct ptest_ctx *ptest_new(const struct ptcp_stack_conf *conf);
/**
 * ptest_new for TCP tests: as ptest_new, but ARP entries live 24 h unless
 * conf says otherwise, so the seeded peer survives long retransmission and
 * TIME-WAIT timelines.
 */
struct ptest_ctx *ptest_new_tcp(const struct ptcp_stack_conf *conf);
/*
 * A test holds one context at a time: a context a failed test left behind
 * (it never reached ptest_free) is destroyed by the next ptest_new, without
 * assertions, so one failure does not exhaust memory for the tests after it.
 */
/** Destroy the stack, free captured frames, and assert every mbuf returned to the pool. */
void ptest_free(struct ptest_ctx *t);
/**
 * As ptest_new_tcp, with zero-copy TX: an indirect-mbuf pool of its own
 * (conf.indirect_pool) and PTCP_OFFLOAD_TX_MULTI_SEG; ptest_free checks
 * that pool is full again too.
 */
struct ptest_ctx *ptest_new_zc(const struct ptcp_stack_conf *conf);
/** Indirect mbufs of t's clone pool in use (frames captured or queued for TX). */
unsigned int ptest_ind_held(const struct ptest_ctx *t);

/** Build an Ethernet+IPv4+TCP frame with valid checksums (unless bad_cksum). */
struct rte_mbuf *ptest_tcp_frame(struct ptest_ctx *t, const struct ptest_seg *s);
/** Build an Ethernet frame around an arbitrary IPv4 payload (proto, bytes). */
struct rte_mbuf *ptest_ipv4_frame(struct ptest_ctx *t, rte_be32_t src, rte_be32_t dst,
				  uint8_t proto, const void *l4, uint32_t l4_len);
/** Build a frame from raw bytes (Ethernet header included). */
struct rte_mbuf *ptest_raw_frame(struct ptest_ctx *t, const void *bytes, uint32_t len);

/** Feed one frame at t->now, then flush the TX batch into the capture. */
void ptest_rx(struct ptest_ctx *t, struct rte_mbuf *m);
/** Craft and feed a TCP segment in one call. */
void ptest_rx_seg(struct ptest_ctx *t, const struct ptest_seg *s);
/** Advance the clock by us microseconds, run timers, flush. */
void ptest_advance(struct ptest_ctx *t, uint64_t us);

/**
 * Pop the oldest captured frame, assert it is a well-formed IPv4/TCP frame
 * from us (checksums verified), decode it into seg and copy up to cap bytes
 * of payload. Returns the payload length; fails the test if nothing was sent.
 */
uint32_t ptest_pop_tcp(struct ptest_ctx *t, struct ptcp_tcp_seg *seg, void *payload,
		       uint32_t cap);
/** Pop the oldest captured frame as raw bytes (Ethernet header first). Returns length. */
uint32_t ptest_pop_raw(struct ptest_ctx *t, void *buf, uint32_t cap);
/** Assert nothing was transmitted since the last pop. */
void ptest_assert_nothing_sent(struct ptest_ctx *t);
/** Free all captured frames. */
void ptest_clear(struct ptest_ctx *t);

/** Mbufs of the test pool held by the stack (not free, not in the capture). */
unsigned int ptest_pool_held(const struct ptest_ctx *t);

/** Current value of a counter. */
#define PTEST_CTR(t, name) ((t)->st->ctr[PTCP_CTR_##name])


/* ---- TCP connection fixtures (tests of lib/tcp and lib/api) -------------- */

#define PTEST_PEER_ISN      0xFFFFFFF0u  /* peer ISN just below 2^32: data crosses the wrap */
#define PTEST_LPORT         7            /* our listening port */
#define PTEST_RPORT         40000        /* the peer's port */
#define PTEST_ACTIVE_LPORT  50000        /* our port for ptcp_connect fixtures */
#define PTEST_MSS           PTCP_TCP_MSS_FOR_MTU(PTCP_DEFAULT_MTU)   /* 1460 */
#define PTEST_WND           RTE_MIN(PTCP_DEFAULT_RCV_BUF, PTCP_TCP_MAX_WND)   /* 65535 */
#define PTEST_WND_ANY       (-1)         /* struct ptest_exp.wnd: do not check */
#define PTEST_SLACK_US      10000        /* timer lateness tolerated (wheel granularity) */

/* Short TCP flag names for tests. */
#define PT_FIN RTE_TCP_FIN_FLAG
#define PT_SYN RTE_TCP_SYN_FLAG
#define PT_RST RTE_TCP_RST_FLAG
#define PT_PSH RTE_TCP_PSH_FLAG
#define PT_ACK RTE_TCP_ACK_FLAG

/**
 * Callback recorder: pass &rec as the arg of ptcp_listen/ptcp_connect with
 * ptest_rec_ops. Counts every event; optional behaviours in on_readable.
 */
struct ptest_rec {
	struct ptcp_conn *conn;        /* from on_established/connect; NULL after on_closed */
	struct ptcp_conn *closed_conn; /* the connection of the last on_closed */
	unsigned int n_established;
	unsigned int n_readable;
	unsigned int n_writable;
	unsigned int n_closed;
	int closed_err;                /* err of the last on_closed */
	bool eof;                      /* ptcp_conn_eof() was true in an on_readable */
	bool auto_read;                /* on_readable: ptcp_recv() everything into rx[] */
	bool echo;                     /* on_readable: ptcp_send() back what it read (auto_read) */
	bool close_on_eof;             /* on_readable: ptcp_close() once ptcp_conn_eof() */
	bool close_done;               /* close_on_eof did its ptcp_close() */
	const void *greet;             /* on_established: ptcp_send() these greet_len bytes */
	uint32_t greet_len;
	uint32_t rx_len;
	uint8_t rx[1u << 17];
};

extern const struct ptcp_conn_ops ptest_rec_ops;

/**
 * One connection between the stack and the synthetic peer, with the
 * sequence state the test expects (the stack's point of view: snd_nxt is
 * our SND.NXT, rcv_nxt our RCV.NXT = the peer's next sequence number).
 * Set fields after ptest_conn_init() and before a fixture to change the
 * handshake (peer_mss 0 = no MSS option, peer_wnd = the peer's window).
 */
struct ptest_conn {
	struct ptest_ctx *t;
	struct ptest_rec rec;
	uint16_t lport;                /* our port */
	uint16_t rport;                /* the peer's port */
	rte_be32_t peer_ip;            /* the peer's address, 0 = PTEST_PEER_IP (same MAC) */
	uint32_t iss;                  /* our ISS (read from our SYN or SYN-ACK) */
	uint32_t snd_nxt;
	uint32_t irs;                  /* the peer's ISN (PTEST_PEER_ISN) */
	uint32_t rcv_nxt;
	uint16_t peer_wnd;             /* window in the peer's segments */
	uint16_t peer_mss;             /* MSS option of the peer's SYN / SYN-ACK; 0 = none */
	uint32_t rcv_wnd;              /* our window with an empty receive buffer */
	uint32_t unread;               /* bytes delivered and not read */
	uint32_t rcv_adv;              /* right edge we last advertised (RCV.NXT + window) */
	const uint8_t *stream;         /* what the application sends (ptest_stream_*) */
	uint32_t stream_base;          /* sequence number of stream[0] */
	uint32_t stream_queued;        /* bytes of stream given to ptcp_send so far */
	/*
	 * Options beyond MSS (RFC 7323, RFC 2018): set peer_opts before a
	 * fixture to have the peer's SYN or SYN-ACK carry them. The handshake
	 * fixtures record what was agreed; with timestamps on, every segment
	 * ptest_conn_rx sends carries TSval peer_tsval (the test moves it) and
	 * TSecr ts_echo, the TSval of the last segment of ours that
	 * ptest_conn_expect_at popped; with window scaling on, our window
	 * fields are taken << rcv_wscale.
	 */
	uint8_t peer_opts;             /* PTCP_TCPOPT_F_WSCALE | _SACK_PERM | _TS; 0 = MSS only */
	uint8_t peer_wscale;           /* the shift the peer's SYN offers (F_WSCALE) */
	uint8_t rcv_wscale;            /* our shift, from our SYN / SYN-ACK (wscale_on) */
	bool wscale_on;                /* both SYNs carried window scale */
	bool ts_on;                    /* both SYNs carried timestamps */
	uint32_t peer_tsval;
	uint32_t ts_echo;
};

/** Defaults: passive ports, peer ISN PTEST_PEER_ISN, peer MSS 1460 and window 65535. */
void ptest_conn_init(struct ptest_ctx *t, struct ptest_conn *pc);
/** ptcp_listen(lport) with the recorder. */
void ptest_conn_listen(struct ptest_conn *pc);
/** Peer SYN to a listener; asserts the SYN-ACK; leaves SYN-RECEIVED (pc->iss set). */
void ptest_conn_syn_received(struct ptest_conn *pc);
/** Passive open: listen, SYN, SYN-ACK, ACK -> ESTABLISHED (on_established seen). */
void ptest_conn_passive(struct ptest_conn *pc);
/** ptcp_connect from PTEST_ACTIVE_LPORT; asserts the SYN; leaves SYN-SENT. */
void ptest_conn_syn_sent(struct ptest_conn *pc);
/** Active open: SYN, SYN-ACK, ACK -> ESTABLISHED. */
void ptest_conn_active(struct ptest_conn *pc);
/** ESTABLISHED -> ptcp_shutdown -> FIN sent -> FIN-WAIT-1 (snd_nxt counts the FIN). */
void ptest_conn_fin_wait_1(struct ptest_conn *pc);
/** FIN-WAIT-1 -> ACK of our FIN -> FIN-WAIT-2. */
void ptest_conn_fin_wait_2(struct ptest_conn *pc);
/**
 * FIN-WAIT-2 -> peer FIN -> our ACK -> TIME-WAIT: asserts one more TIME-WAIT
 * record and on_closed(0) (the connection is released when TIME-WAIT starts).
 */
void ptest_conn_time_wait(struct ptest_conn *pc);
/** ESTABLISHED -> peer FIN -> our ACK -> CLOSE-WAIT. */
void ptest_conn_close_wait(struct ptest_conn *pc);
/** CLOSE-WAIT -> ptcp_shutdown -> FIN sent -> LAST-ACK. */
void ptest_conn_last_ack(struct ptest_conn *pc);
/** FIN-WAIT-1 -> peer FIN not acking ours -> our ACK -> CLOSING. */
void ptest_conn_closing(struct ptest_conn *pc);

/** Peer segment on pc's ports with pc->peer_wnd. */
void ptest_conn_rx(struct ptest_conn *pc, uint8_t flags, uint32_t seq, uint32_t ack,
		   const void *data, uint32_t len);
/** In-order data from the peer (ACK of snd_nxt); rcv_nxt and unread advance by len. */
void ptest_conn_rx_data(struct ptest_conn *pc, const void *data, uint32_t len);
/** Pure ACK of snd_nxt at rcv_nxt. */
void ptest_conn_rx_ack(struct ptest_conn *pc);
/** FIN|ACK at rcv_nxt acking snd_nxt; rcv_nxt advances by 1. */
void ptest_conn_rx_fin(struct ptest_conn *pc);

/** The connection the recorder holds, asserted non-NULL. */
struct ptcp_conn *ptest_conn_c(struct ptest_conn *pc);
/**
 * The window field our next segment must carry, by RFC 9293 3.8.6.2.2
 * (receiver SWS avoidance): the free buffer min(rcv_buf - unread,
 * 65535 << rcv_wscale) if that moves the advertised right edge (rcv_adv)
 * by at least min(rcv_buf / 2, MSS), else the window that keeps the right
 * edge; with window scaling, >> rcv_wscale, the free buffer rounded up,
 * the kept edge rounded down (RFC 7323 2.3, 2.4).
 */
int32_t ptest_conn_wnd(const struct ptest_conn *pc);

/** New stack with conf (NULL = test defaults) and a passive open on pc: ESTABLISHED. */
struct ptest_ctx *ptest_established(struct ptest_conn *pc, const struct ptcp_stack_conf *conf);
/** As ptest_established, the peer's segments carrying window peer_wnd. */
struct ptest_ctx *ptest_established_wnd(struct ptest_conn *pc, const struct ptcp_stack_conf *conf,
					uint16_t peer_wnd);

/*
 * Sender side: the application sends consecutive bytes of one buffer, the
 * stream, whose first byte goes at SND.NXT when ptest_stream_start() is
 * called; segments are checked against it.
 */
void ptest_stream_start(struct ptest_conn *pc, const uint8_t *stream);
/** ptcp_send of the next len stream bytes (asserted all taken), then run and flush. */
void ptest_stream_send(struct ptest_conn *pc, uint32_t len);
/** The next new data segment: len stream bytes at snd_nxt (which advances). */
#define PTEST_EXPECT_NEW(pc, len) \
	PTEST_EXPECT_DATA(pc, (pc)->stream + ((pc)->snd_nxt - (pc)->stream_base), (len))
/** A retransmission of len stream bytes at sequence number sq. */
#define PTEST_EXPECT_REXMIT(pc, sq, len) \
	PTEST_EXPECT_SEG(pc, (sq), (len), (pc)->stream + ((sq) - (pc)->stream_base))
/**
 * ptcp_send of n full segments of stream bytes, each asserted sent at once
 * (all within the windows: e.g. the initial window of 10), nothing else.
 */
void ptest_stream_send_segs(struct ptest_conn *pc, unsigned int n);
/** The peer acknowledges up to ack (no data, its window pc->peer_wnd). */
void ptest_conn_rx_ack_to(struct ptest_conn *pc, uint32_t ack);

/**
 * The peer acknowledges up to ack with n SACK blocks (RFC 2018, most
 * recent first as the peer would send them), its window pc->peer_wnd.
 */
void ptest_conn_rx_sack(struct ptest_conn *pc, uint32_t ack, const struct ptcp_sack_block *b,
			unsigned int n);

/** ptcp_send of all len bytes (asserted taken), then flush what it caused. */
void ptest_conn_send(struct ptest_conn *pc, const void *data, uint32_t len);
/**
 * ptcp_recv of up to cap bytes from outside any callback, then flush what it
 * caused (a window update, if the receive window opened far enough); unread
 * goes down by what was read. Returns the bytes read. The caller asserts
 * the window update (see ptest_conn_wnd_update_due) or its absence.
 */
uint32_t ptest_conn_read(struct ptest_conn *pc, void *buf, uint32_t cap);
/**
 * True if our next segment advertises a larger window than the right edge
 * last advertised allows, i.e. reading made a window update due (RFC 9293
 * 3.8.6.2.2): ptest_conn_wnd(pc) > rcv_adv - rcv_nxt.
 */
bool ptest_conn_wnd_update_due(const struct ptest_conn *pc);

/** Run timers at the current time and flush (after API calls outside callbacks). */
void ptest_kick(struct ptest_ctx *t);

/** Deterministic payload bytes: buf[i] = (seed + i * 7) & 0xff. */
void ptest_pattern(void *buf, uint32_t len, uint8_t seed);

/** What one sent segment must look like (see PTEST_EXPECT). */
struct ptest_exp {
	uint16_t sport;                /* 0 = do not check */
	uint16_t dport;                /* 0 = do not check */
	uint8_t flags;                 /* exact, PSH ignored */
	uint8_t flags_opt;             /* flags that may be present or not */
	uint32_t seq;
	uint32_t ack;                  /* checked when ACK is present */
	int32_t wnd;                   /* PTEST_WND_ANY = do not check */
	uint32_t len;
	const void *data;              /* expected payload, or NULL */
};

/** Pop one segment and assert it; fails at file:line. Returns the segment in *out. */
void ptest_expect_at(const char *file, int line, struct ptest_ctx *t,
		     const struct ptest_exp *e, struct ptcp_tcp_seg *out);
void ptest_nothing_sent_at(const char *file, int line, struct ptest_ctx *t);
uint64_t ptest_expect_sent_after_at(const char *file, int line, struct ptest_ctx *t,
				    uint64_t us);
void ptest_expect_sent_at_at(const char *file, int line, struct ptest_ctx *t, uint64_t us);

/** As ptest_expect_at on pc's ports; also records the right edge the segment advertised. */
void ptest_conn_expect_at(const char *file, int line, struct ptest_conn *pc,
			  const struct ptest_exp *e, struct ptcp_tcp_seg *out);

/** Exactly one segment with these fields from pc's ports. */
#define PTEST_EXPECT(pc, fl, sq, ak, wn, ln, dt, out) \
	ptest_conn_expect_at(__FILE__, __LINE__, (pc), &(struct ptest_exp){ \
		.sport = (pc)->lport, .dport = (pc)->rport, .flags = (fl), .seq = (sq), \
		.ack = (ak), .wnd = (wn), .len = (ln), .data = (dt) }, (out))
/** A pure ACK <SEQ=snd_nxt><ACK=rcv_nxt> with our tracked window. */
#define PTEST_EXPECT_ACK(pc) \
	PTEST_EXPECT(pc, RTE_TCP_ACK_FLAG, (pc)->snd_nxt, (pc)->rcv_nxt, ptest_conn_wnd(pc), \
		     0, NULL, NULL)
/** A data segment <SEQ=snd_nxt><ACK=rcv_nxt> of len bytes equal to dt; snd_nxt advances. */
#define PTEST_EXPECT_DATA(pc, dt, ln) do { \
		PTEST_EXPECT(pc, RTE_TCP_ACK_FLAG, (pc)->snd_nxt, (pc)->rcv_nxt, \
			     ptest_conn_wnd(pc), (ln), (dt), NULL); \
		(pc)->snd_nxt += (ln); \
	} while (0)
/** A data segment <SEQ=sq><ACK=rcv_nxt> of ln bytes equal to dt (a retransmission). */
#define PTEST_EXPECT_SEG(pc, sq, ln, dt) \
	PTEST_EXPECT(pc, RTE_TCP_ACK_FLAG, (sq), (pc)->rcv_nxt, ptest_conn_wnd(pc), (ln), (dt), \
		     NULL)
/** A FIN <SEQ=sq><ACK=rcv_nxt><CTL=FIN,ACK> without data. */
#define PTEST_EXPECT_FIN(pc, sq) \
	PTEST_EXPECT(pc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, (sq), (pc)->rcv_nxt, \
		     ptest_conn_wnd(pc), 0, NULL, NULL)
/** A RST <SEQ=sq> (an ACK bit, if present, must carry rcv_nxt). */
#define PTEST_EXPECT_RST(pc, sq) \
	ptest_conn_expect_at(__FILE__, __LINE__, (pc), &(struct ptest_exp){ \
		.sport = (pc)->lport, .dport = (pc)->rport, .flags = RTE_TCP_RST_FLAG, \
		.flags_opt = RTE_TCP_ACK_FLAG, .seq = (sq), .ack = (pc)->rcv_nxt, \
		.wnd = PTEST_WND_ANY }, NULL)
/** Assert nothing was transmitted. */
#define PTEST_NOTHING_SENT(t) ptest_nothing_sent_at(__FILE__, __LINE__, (t))
/**
 * Timers: nothing is sent during the next us - 1 ms, then something is sent
 * at us (within PTEST_SLACK_US, probed in 1 ms steps). Returns the elapsed time.
 */
#define PTEST_EXPECT_SENT_AFTER(t, us) ptest_expect_sent_after_at(__FILE__, __LINE__, (t), (us))
/**
 * Timers, to the tick: nothing is sent while the clock advances by us - 1 ms,
 * something is sent during the last 1 ms (us >= 1 ms). With the clock on a
 * 1 ms boundary this pins a timer to its 1 ms wheel tick: a timer due at
 * now + x fires at the first tick >= now + x.
 */
#define PTEST_EXPECT_SENT_AT(t, us) ptest_expect_sent_at_at(__FILE__, __LINE__, (t), (us))

#endif /* PTCP_TEST_HARNESS_H */
