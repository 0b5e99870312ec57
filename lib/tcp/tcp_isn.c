/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_isn.c - initial sequence numbers per RFC 6528:
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * M is a 4-microsecond clock, F is SipHash-2-4 keyed with a per-stack
 * random secret (DPDK has no keyed PRF; rte_jhash is not one).
 */
#include <string.h>

#include "tcp_private.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do {						\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t
ptcp_siphash24(const struct ptcp_isn_key *key, const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t v0 = 0x736f6d6570736575ull ^ key->k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ key->k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ key->k0;
	uint64_t v3 = 0x7465646279746573ull ^ key->k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = load_le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t
ptcp_tcp_isn(const struct ptcp_isn_key *key, rte_be32_t laddr, uint16_t lport,
	     rte_be32_t raddr, uint16_t rport, uint64_t now_us)
{
	uint8_t msg[12];

	memcpy(msg, &laddr, 4);
	memcpy(msg + 4, &raddr, 4);
	msg[8] = (uint8_t)lport;
	msg[9] = (uint8_t)(lport >> 8);
	msg[10] = (uint8_t)rport;
	msg[11] = (uint8_t)(rport >> 8);
	return (uint32_t)(now_us / 4) + (uint32_t)ptcp_siphash24(key, msg, sizeof(msg));
}
