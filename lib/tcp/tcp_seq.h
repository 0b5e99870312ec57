/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_seq.h - sequence number arithmetic modulo 2^32 (RFC 9293 3.4).
 * Compare sequence numbers only through these (FreeBSD tcp_seq.h).
 */
#ifndef PTCP_TCP_SEQ_H
#define PTCP_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool ptcp_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool ptcp_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool ptcp_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool ptcp_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t ptcp_seq_max(uint32_t a, uint32_t b) { return ptcp_seq_gt(a, b) ? a : b; }
static inline uint32_t ptcp_seq_min(uint32_t a, uint32_t b) { return ptcp_seq_lt(a, b) ? a : b; }

/** lo <= x < hi (modulo 2^32). */
static inline bool
ptcp_seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return ptcp_seq_ge(x, lo) && ptcp_seq_lt(x, hi);
}

#endif /* PTCP_TCP_SEQ_H */
