/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp_steer.h - which lcore owns a TCP flow: the Toeplitz hash of its
 * 4-tuple (the function RSS NICs compute) through a redirection table.
 *
 * One function decides everywhere: the port layer programs the NIC's RSS
 * with the same key and table (so the NIC usually delivers a flow to its
 * owner's queue), checks every received segment against it and hands the
 * ones that arrived elsewhere to their owner (software steering: ports
 * without RSS, single-queue ports, tun's own queue choice); the stack sends
 * reassembled segments and ICMP errors to the owner of the 4-tuple they
 * carry; ptcp_connect picks source ports whose flow it owns.
 *
 * The default key is symmetric: its 16-bit pattern 0x6d5a repeats, so
 * swapping source and destination (addresses and ports together) gives
 * the same hash, and both directions of a flow have one owner (Woo and
 * Park, "Scalable TCP Session Monitoring with Symmetric Receive-side
 * Scaling", 2012). The hash then depends only on the XOR of the tuple's
 * 16-bit words: enough to spread flows over lcores, and it is never used
 * as a table hash.
 *
 * The hash is computed from a table of 12 x 256 words built from the key
 * once (one lookup per input byte), the classic byte-wise form of
 * Toeplitz; rte_softrss() walks the 96 input bits one by one. The unit
 * test checks that both agree on random tuples and keys.
 */
#ifndef PTCP_STEER_H
#define PTCP_STEER_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

/* Toeplitz input of an IPv4 TCP flow: source, destination address, ports. */
#define PTCP_STEER_TUPLE_LEN 12
/* The longest key used (NICs take 40 or 52 bytes; a 12-byte tuple reads 15). */
#define PTCP_STEER_KEY_MAX   52
/* Redirection table entries at most (a power of two; NICs have 64..512). */
#define PTCP_STEER_RETA_MAX  512
/* Owners at most. */
#define PTCP_STEER_MAX_OWNERS 128

struct ptcp_steer {
	uint32_t tbl[PTCP_STEER_TUPLE_LEN][256];  /* Toeplitz contribution per byte */
	uint32_t reta_mask;                       /* reta entries - 1 */
	uint16_t n_owners;
	uint16_t reta[PTCP_STEER_RETA_MAX];       /* hash & reta_mask -> owner */
	uint8_t key[PTCP_STEER_KEY_MAX];
	uint8_t key_len;
};

/** The symmetric key (0x6d5a repeated) of key_len bytes into key. */
void ptcp_steer_symmetric_key(uint8_t *key, unsigned int key_len);

/**
 * Build s for n_owners owners: Toeplitz tables from key (at least 16
 * bytes), and a redirection table of reta_size entries (a power of two,
 * at most PTCP_STEER_RETA_MAX) with entry i owned by i % n_owners, the
 * round robin NICs use by default. Returns 0 or -EINVAL.
 */
int ptcp_steer_init(struct ptcp_steer *s, const uint8_t *key, unsigned int key_len,
		    unsigned int reta_size, unsigned int n_owners);

/**
 * Toeplitz hash of (saddr, daddr, sport, dport) as an RSS NIC computes it
 * for IPv4 TCP: addresses network order, ports host order.
 */
static inline uint32_t
ptcp_steer_hash(const struct ptcp_steer *s, rte_be32_t saddr, rte_be32_t daddr, uint16_t sport,
		uint16_t dport)
{
	const uint8_t *a = (const uint8_t *)&saddr, *b = (const uint8_t *)&daddr;

	return s->tbl[0][a[0]] ^ s->tbl[1][a[1]] ^ s->tbl[2][a[2]] ^ s->tbl[3][a[3]] ^
	       s->tbl[4][b[0]] ^ s->tbl[5][b[1]] ^ s->tbl[6][b[2]] ^ s->tbl[7][b[3]] ^
	       s->tbl[8][sport >> 8] ^ s->tbl[9][sport & 0xff] ^
	       s->tbl[10][dport >> 8] ^ s->tbl[11][dport & 0xff];
}

/** Owner of a hash (as the NIC's redirection table maps it to a queue). */
static inline uint16_t
ptcp_steer_owner_of(const struct ptcp_steer *s, uint32_t hash)
{
	return s->reta[hash & s->reta_mask];
}

/** Owner of the flow (saddr, daddr, sport, dport); either direction with a symmetric key. */
static inline uint16_t
ptcp_steer_owner(const struct ptcp_steer *s, rte_be32_t saddr, rte_be32_t daddr, uint16_t sport,
		 uint16_t dport)
{
	return ptcp_steer_owner_of(s, ptcp_steer_hash(s, saddr, daddr, sport, dport));
}

#endif /* PTCP_STEER_H */
