/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream.c - the seeded byte stream every connection sends and verifies
 * (load.h load_stream_fill).
 */
#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "stream.h"

/*
 * Word b of the stream is mix64(key + (b + 1) * golden), little-endian.
 * Whole words go out with one 8-byte store each (no dependency between
 * them, so the multiplies overlap); only a first and last partial word
 * take the byte path. A stream client spent 30 % of its cycles here when
 * every word took it.
 */
void
load_stream_fill(uint64_t key, uint64_t off, uint8_t *buf, uint32_t len)
{
	uint64_t blk = off / 8, w;
	uint32_t skip = (uint32_t)(off % 8), done = 0, n;

	if (skip != 0 && len > 0) {
		w = htole64(load_mix64(key + (blk + 1) * LOAD_GOLDEN));
		n = (8u - skip < len ? 8u - skip : len);
		memcpy(buf, (const uint8_t *)&w + skip, n);
		done = n;
		blk++;
	}
	for (; len - done >= 8; done += 8, blk++) {
		w = htole64(load_mix64(key + (blk + 1) * LOAD_GOLDEN));
		memcpy(buf + done, &w, 8);
	}
	if (done < len) {
		w = htole64(load_mix64(key + (blk + 1) * LOAD_GOLDEN));
		memcpy(buf + done, &w, len - done);
	}
}

