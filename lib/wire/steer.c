/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * steer.c - the Toeplitz tables and redirection table of ptcp_steer.h.
 */
#include <errno.h>
#include <string.h>

#include "ptcp_steer.h"

void
ptcp_steer_symmetric_key(uint8_t *key, unsigned int key_len)
{
	unsigned int i;

	for (i = 0; i < key_len; i++)
		key[i] = (i & 1) ? 0x5a : 0x6d;
}

/* The 32 key bits starting at bit `bit` (bit 0 = the most significant of key[0]). */
static uint32_t
key_window(const uint8_t *key, unsigned int bit)
{
	unsigned int byte = bit / 8, shift = bit % 8;
	uint64_t w = 0;
	unsigned int i;

	for (i = 0; i < 5; i++)
		w = (w << 8) | key[byte + i];
	return (uint32_t)(w >> (8 - shift));
}

int
ptcp_steer_init(struct ptcp_steer *s, const uint8_t *key, unsigned int key_len,
		unsigned int reta_size, unsigned int n_owners)
{
	unsigned int b, v, j, i;

	/* Bit 95 of the tuple reads key bits 95..126: 16 bytes. */
	if (key_len < 16 || key_len > PTCP_STEER_KEY_MAX || reta_size == 0 ||
	    reta_size > PTCP_STEER_RETA_MAX || !rte_is_power_of_2(reta_size) || n_owners == 0 ||
	    n_owners > PTCP_STEER_MAX_OWNERS)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	memcpy(s->key, key, key_len);
	s->key_len = (uint8_t)key_len;
	for (b = 0; b < PTCP_STEER_TUPLE_LEN; b++)
		for (v = 0; v < 256; v++)
			for (j = 0; j < 8; j++)
				if (v & (0x80u >> j))
					s->tbl[b][v] ^= key_window(s->key, b * 8 + j);
	s->reta_mask = reta_size - 1;
	s->n_owners = (uint16_t)n_owners;
	for (i = 0; i < PTCP_STEER_RETA_MAX; i++)
		s->reta[i] = (uint16_t)((i & s->reta_mask) % n_owners);
	return 0;
}
