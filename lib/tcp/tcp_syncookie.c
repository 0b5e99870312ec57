/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_syncookie.c - SYN cookies (RFC 4987 3.6): a SYN-ACK that keeps no
 * state, whose ISS lets the returning ACK rebuild the connection.
 *
 * Used by tcp_syncache.c when a SYN cannot have a SYN cache entry (the
 * listener's backlog or the cache is full, or the connection pool is). The
 * layout follows Linux's (net/ipv4/syncookies.c), with SipHash-2-4 (the RFC
 * 6528 PRF of tcp_isn.c) under a secret of its own:
 *
 *   ISS = H1 + IRS + (count << 24) + ((H2(count, IRS) + mssind) mod 2^24)
 *
 *     H1        low 32 bits of SipHash(K, laddr raddr lport rport 0x01)
 *     H2(c, i)  low 24 bits of SipHash(K, laddr raddr lport rport 0x02 c i)
 *     IRS       the SYN's sequence number (so each SYN gets its own ISS)
 *     count     now / 64 s; its low 8 bits survive in bits 24..31 of ISS-H1-IRS
 *     mssind    2 bits, index into msstab[] (the largest entry <= the peer's MSS)
 *
 *       31            24 23                                              0
 *      +----------------+-------------------------------------------------+
 *      |  count mod 256 |    (H2(count, IRS) + mssind) mod 2^24 (MAC+data) |
 *      +----------------+-------------------------------------------------+
 *                        ... then H1 + IRS added mod 2^32 (whitening)
 *
 * Check of an ACK (cookie = SEG.ACK - 1, IRS = SEG.SEQ - 1): v = cookie - H1
 * - IRS; age = (count_now - v >> 24) mod 256; data = (v - H2(count_now -
 * age, IRS)) mod 2^24. data < 4 is a cookie we made: accepted when age <
 * PTCP_SYNCOOKIE_MAX_AGE (so a cookie lives 64 to 128 s), "expired"
 * otherwise. Anything else is forged (probability 4 in 2^24 per guess and
 * counter value). Unlike Linux, whose MAC leaves IRS out (it is only
 * added), H2 covers IRS as FreeBSD's MAC does: an ACK whose SEG.SEQ is off
 * by a few bytes would otherwise shift mssind and validate with a wrong
 * RCV.NXT. So only the first segment after the handshake (SEG.SEQ = IRS+1)
 * carries a valid cookie.
 *
 * What a cookie loses: the peer's window scale and SACK-permitted (and any
 * later option). Plan, once the stack negotiates options (as Linux's
 * cookie_init_timestamp): when the SYN carried timestamps, our SYN-ACK's
 * TSval low 6 bits hold wscale (4 bits, 0xf = none), SACK-permitted (1 bit)
 * and ECN (1 bit); the ACK's TSecr echoes them back. Without timestamps a
 * cookie connection gets neither, which is what RFC 4987 3.6 describes.
 */
#include <string.h>

#include "tcp_private.h"

/* IPv4 MSS values a cookie can say (Linux msstab): 2 bits. */
static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

#define COOKIE_BITS 24
#define COOKIE_MASK ((1u << COOKIE_BITS) - 1)

static uint64_t
cookie_hash(const struct ptcp_isn_key *key, const struct ptcp_flow *f, uint8_t tag,
	    uint32_t count, uint32_t irs)
{
	uint8_t msg[21];

	memcpy(msg, &f->laddr, 4);
	memcpy(msg + 4, &f->raddr, 4);
	msg[8] = (uint8_t)f->lport;
	msg[9] = (uint8_t)(f->lport >> 8);
	msg[10] = (uint8_t)f->rport;
	msg[11] = (uint8_t)(f->rport >> 8);
	msg[12] = tag;
	msg[13] = (uint8_t)count;
	msg[14] = (uint8_t)(count >> 8);
	msg[15] = (uint8_t)(count >> 16);
	msg[16] = (uint8_t)(count >> 24);
	memcpy(msg + 17, &irs, 4);
	return ptcp_siphash24(key, msg, tag == 1 ? 13 : sizeof(msg));
}

static uint32_t
cookie_count(uint64_t now_us)
{
	return (uint32_t)(now_us / PTCP_SYNCOOKIE_PERIOD_US);
}

static unsigned int
mss_index(uint16_t peer_mss)
{
	unsigned int i;

	for (i = RTE_DIM(msstab) - 1; i > 0; i--)
		if (peer_mss >= msstab[i])
			break;
	return i;
}

uint16_t
ptcp_syncookie_mss(uint16_t peer_mss)
{
	return msstab[mss_index(peer_mss)];
}

uint32_t
ptcp_syncookie_make(const struct ptcp_isn_key *key, const struct ptcp_flow *f, uint32_t irs,
		    uint16_t peer_mss, uint64_t now_us)
{
	uint32_t count = cookie_count(now_us);
	uint32_t h1 = (uint32_t)cookie_hash(key, f, 1, 0, 0);
	uint32_t h2 = (uint32_t)cookie_hash(key, f, 2, count, irs);

	return h1 + irs + (count << COOKIE_BITS) + ((h2 + mss_index(peer_mss)) & COOKIE_MASK);
}

enum ptcp_syncookie_res
ptcp_syncookie_check(const struct ptcp_isn_key *key, const struct ptcp_flow *f, uint32_t cookie,
		     uint32_t irs, uint64_t now_us, uint16_t *mss)
{
	uint32_t count = cookie_count(now_us);
	uint32_t v = cookie - (uint32_t)cookie_hash(key, f, 1, 0, 0) - irs;
	uint32_t age = (count - (v >> COOKIE_BITS)) & 0xff;
	uint32_t data = (v - (uint32_t)cookie_hash(key, f, 2, count - age, irs)) & COOKIE_MASK;

	if (data >= RTE_DIM(msstab))
		return PTCP_SYNCOOKIE_INVALID;
	if (age >= PTCP_SYNCOOKIE_MAX_AGE)
		return PTCP_SYNCOOKIE_EXPIRED;
	*mss = msstab[data];
	return PTCP_SYNCOOKIE_OK;
}

/* Cookie options in TSval: bits 0-3 window scale (0xf none), bit 4 SACK-permitted. */
#define COOKIE_TS_BITS    6u
#define COOKIE_TS_MASK    ((1u << COOKIE_TS_BITS) - 1)
#define COOKIE_TS_WS_NONE 0xfu
#define COOKIE_TS_SACK    0x10u

uint32_t
ptcp_syncookie_ts_encode(uint32_t clock, bool wscale_ok, uint8_t wscale, bool sack_ok)
{
	uint32_t bits = wscale_ok ? RTE_MIN(wscale, (uint8_t)PTCP_TCP_WSCALE_MAX) :
		COOKIE_TS_WS_NONE;
	uint32_t ts;

	if (sack_ok)
		bits |= COOKIE_TS_SACK;
	ts = (clock & ~COOKIE_TS_MASK) | bits;
	if ((int32_t)(ts - clock) > 0)
		ts -= 1u << COOKIE_TS_BITS;   /* a TSval ahead of the clock would trip PAWS later */
	return ts;
}

bool
ptcp_syncookie_ts_decode(uint32_t tsecr, uint32_t clock, struct ptcp_tcp_opts *out)
{
	uint32_t ws = tsecr & COOKIE_TS_WS_NONE;

	if ((int32_t)(tsecr - clock) > 0)
		return false;
	if (ws != COOKIE_TS_WS_NONE) {   /* 4 bits: 0..14, 15 means none */
		out->present |= PTCP_TCPOPT_F_WSCALE;
		out->wscale = (uint8_t)ws;
	}
	if (tsecr & COOKIE_TS_SACK)
		out->present |= PTCP_TCPOPT_F_SACK_PERM;
	return true;
}
