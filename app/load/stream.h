/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream.h - polltcp-load's seeded byte stream (stream.c), without DPDK
 * headers so that unit tests link it alone.
 */
#ifndef PTCP_LOAD_STREAM_H
#define PTCP_LOAD_STREAM_H

#include <stdint.h>

/*
 * The test stream. Connection k (0-based) of a run with seed S carries
 * bytes whose byte i is byte (i % 8), little-endian, of the (i / 8 + 1)-th
 * output of splitmix64 started from state key(S, k), where
 *
 *   mix(z)    = z ^= z >> 30, z *= 0xbf58476d1ce4e5b9,
 *               z ^= z >> 27, z *= 0x94d049bb133111eb, z ^ (z >> 31)
 *   key(S, k) = mix(S + k * 0x9e3779b97f4a7c15)
 *   output j  = mix(key + j * 0x9e3779b97f4a7c15)          (j = 1, 2, ...)
 *
 * Any byte can be computed from its offset, so a receiver can check data
 * at any point of the stream without keeping generator state.
 */
#define LOAD_GOLDEN 0x9e3779b97f4a7c15ull

static inline uint64_t
load_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t
load_stream_key(uint64_t seed, uint32_t conn)
{
	return load_mix64(seed + (uint64_t)conn * LOAD_GOLDEN);
}

/** Fill buf with len bytes of the stream of `key` starting at byte offset `off`. */
void load_stream_fill(uint64_t key, uint64_t off, uint8_t *buf, uint32_t len);

#endif /* PTCP_LOAD_STREAM_H */
