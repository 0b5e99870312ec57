/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_wire.c - libFuzzer harness for every lib/wire parser.
 *
 * Input: byte 0 picks the target, the rest is the buffer it gets (with
 * exactly that many bytes: ASan catches a read past `avail`).
 *   0 ptcp_eth_parse         4 ptcp_tcp_parse (header + TCP options), and the
 *   1 ptcp_arp_parse           options round trip through ptcp_tcp_opts_build
 *   2 ptcp_ipv4_parse        5 a whole frame as the receive path parses it
 *     (checksum on and off)  6 ptcp_cksum_raw_mbuf on a 1-3 segment chain
 *   3 ptcp_icmp_parse          = ptcp_cksum_raw on the same bytes
 *                            7 ptcp_l4_cksum_mbuf = ptcp_l4_cksum
 * No EAL: the mbuf chains of 6 and 7 are plain structs over the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptcp_wire.h"

#define CHECK(cond, ...) do {						\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_wire: " __VA_ARGS__);	\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parsed options -> ptcp_tcp_opts_build -> parsed again: what was kept must match. */
static void
opts_round_trip(const struct ptcp_tcp_opts *o)
{
	uint8_t hdr[PTCP_TCP_MAX_HDR_LEN];
	struct ptcp_tcp_seg s;
	uint32_t olen, keep = PTCP_TCPOPT_F_MSS | PTCP_TCPOPT_F_WSCALE |
			      PTCP_TCPOPT_F_SACK_PERM | PTCP_TCPOPT_F_TS;

	memset(hdr, 0, sizeof(hdr));
	olen = ptcp_tcp_opts_build(hdr + PTCP_TCP_HDR_LEN, o);
	CHECK(olen % 4 == 0 && olen <= PTCP_TCP_MAX_HDR_LEN - PTCP_TCP_HDR_LEN,
	      "opts_build wrote %u bytes", olen);
	ptcp_tcp_build(hdr, 1, 2, 3, 4, RTE_TCP_ACK_FLAG, 5, olen);
	CHECK(ptcp_tcp_parse(hdr, PTCP_TCP_HDR_LEN + olen, &s) == 0, "built options do not parse");
	CHECK((s.opt.present & keep) == (o->present & keep), "present 0x%x became 0x%x",
	      o->present, s.opt.present);
	if (o->present & PTCP_TCPOPT_F_MSS)
		CHECK(s.opt.mss == o->mss, "mss %u became %u", o->mss, s.opt.mss);
	if (o->present & PTCP_TCPOPT_F_WSCALE)
		CHECK(s.opt.wscale == o->wscale, "wscale %u became %u", o->wscale, s.opt.wscale);
	if (o->present & PTCP_TCPOPT_F_TS)
		CHECK(s.opt.tsval == o->tsval && s.opt.tsecr == o->tsecr, "timestamps changed");
	if (s.opt.present & PTCP_TCPOPT_F_SACK) {
		CHECK((o->present & PTCP_TCPOPT_F_SACK) && s.opt.nsack <= o->nsack,
		      "SACK blocks appeared");
		for (unsigned int i = 0; i < s.opt.nsack; i++)
			CHECK(s.opt.sack[i].left == o->sack[i].left &&
			      s.opt.sack[i].right == o->sack[i].right, "SACK block %u changed", i);
	}
}

static void
fuzz_tcp(const uint8_t *p, uint32_t len)
{
	struct ptcp_tcp_seg s;

	if (ptcp_tcp_parse(p, len, &s) != 0)
		return;
	CHECK(s.hdr_len >= PTCP_TCP_HDR_LEN && s.hdr_len <= len, "hdr_len %u of %u", s.hdr_len,
	      len);
	CHECK(s.len == len - s.hdr_len, "payload length %u", s.len);
	CHECK(s.opt.nsack <= PTCP_TCP_MAX_SACK, "nsack %u", s.opt.nsack);
	CHECK(!(s.opt.present & PTCP_TCPOPT_F_WSCALE) || s.opt.wscale <= 14, "wscale %u",
	      s.opt.wscale);
	opts_round_trip(&s.opt);
}

/* The receive path's order: Ethernet -> ARP | IPv4 -> ICMP | TCP (checksums verified). */
static void
fuzz_frame(const uint8_t *p, uint32_t len)
{
	struct ptcp_ipv4_info ip;
	struct ptcp_arp_info arp;
	struct ptcp_icmp_info icmp;
	uint16_t et;
	const uint8_t *l4;
	uint32_t l4_len;

	if (ptcp_eth_parse(p, len, &et) != 0)
		return;
	p += RTE_ETHER_HDR_LEN;
	len -= RTE_ETHER_HDR_LEN;
	if (et == RTE_ETHER_TYPE_ARP) {
		ptcp_arp_parse(p, len, &arp);
		return;
	}
	if (et != RTE_ETHER_TYPE_IPV4 || ptcp_ipv4_parse(p, len, false, &ip) != 0)
		return;
	CHECK(ip.hdr_len >= 20 && ip.hdr_len <= ip.total_len && ip.total_len <= len,
	      "ipv4 lengths %u %u of %u", ip.hdr_len, ip.total_len, len);
	l4 = p + ip.hdr_len;
	l4_len = ip.total_len - ip.hdr_len;
	if (ip.proto == IPPROTO_ICMP)
		ptcp_icmp_parse(l4, l4_len, &icmp);
	else if (ip.proto == IPPROTO_TCP && ptcp_l4_cksum(ip.src, ip.dst, IPPROTO_TCP, l4,
							  l4_len) == 0)
		fuzz_tcp(l4, l4_len);
}

/*
 * A chain of 3 segments over the input, cut at b1 = cut1 * 8 and b2 = b1 +
 * cut2 * 8 (empty segments included), each at data offset 0..3 in its buffer.
 */
struct chain {
	struct rte_mbuf m[3];
	uint8_t buf[3][2048 + 8];
};

static struct rte_mbuf *
make_chain(struct chain *ch, const uint8_t *p, uint32_t len, uint8_t cut1, uint8_t cut2,
	   uint8_t offs)
{
	uint32_t b[4];
	unsigned int i;

	b[0] = 0;
	b[1] = RTE_MIN((uint32_t)cut1 * 8, len);
	b[2] = RTE_MIN(b[1] + (uint32_t)cut2 * 8, len);
	b[3] = len;
	memset(ch->m, 0, sizeof(ch->m));
	for (i = 0; i < 3; i++) {
		uint16_t off = (uint16_t)((offs >> (2 * i)) & 3);

		if (b[i + 1] - b[i] > 2048)
			return NULL;
		ch->m[i].buf_addr = ch->buf[i];
		ch->m[i].buf_len = sizeof(ch->buf[i]);
		ch->m[i].data_off = off;
		ch->m[i].data_len = (uint16_t)(b[i + 1] - b[i]);
		ch->m[i].nb_segs = 1;
		memcpy(ch->buf[i] + off, p + b[i], b[i + 1] - b[i]);
		if (i > 0)
			ch->m[i - 1].next = &ch->m[i];
	}
	ch->m[0].pkt_len = len;
	ch->m[0].nb_segs = 3;
	return &ch->m[0];
}

static void
fuzz_cksum_mbuf(const uint8_t *p, uint32_t len, bool l4)
{
	static struct chain ch;
	struct rte_mbuf *m;
	uint32_t off, n;
	uint16_t sum;

	if (len < 5)
		return;
	m = make_chain(&ch, p + 5, len - 5, p[0], p[1], p[2]);
	if (m == NULL)
		return;
	len -= 5;
	off = RTE_MIN((uint32_t)p[3], len);
	n = RTE_MIN((uint32_t)p[4] * 4 + (p[4] & 3), len - off);
	if (!l4) {
		CHECK(ptcp_cksum_raw_mbuf(m, off, n, &sum) == 0, "range refused");
		CHECK(sum == ptcp_cksum_raw(p + 5 + off, n),
		      "chained sum 0x%04x != contiguous 0x%04x (off %u len %u)", sum,
		      ptcp_cksum_raw(p + 5 + off, n), off, n);
		CHECK(ptcp_cksum_raw_mbuf(m, off, len - off + 1, &sum) != 0,
		      "range past pkt_len accepted");
	} else {
		rte_be32_t src = RTE_BE32(0xC6120001), dst = RTE_BE32(0xC6120002);

		CHECK(ptcp_l4_cksum_mbuf(m, off, src, dst, IPPROTO_TCP, n) ==
		      ptcp_l4_cksum(src, dst, IPPROTO_TCP, p + 5 + off, n),
		      "l4 checksum of a chain differs (off %u len %u)", off, n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptcp_arp_info arp;
	struct ptcp_ipv4_info ip, ip2;
	struct ptcp_icmp_info icmp;
	uint16_t et;
	uint8_t *p;
	uint32_t len;

	if (size < 1 || size > 65536 + 1)
		return -1;
	len = (uint32_t)size - 1;
	/* A heap copy of exactly len bytes: any read past it is an ASan report. */
	p = malloc(len ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data + 1, len);
	switch (data[0] & 7) {
	case 0:
		if (ptcp_eth_parse(p, len, &et) == 0)
			CHECK(len >= RTE_ETHER_HDR_LEN, "short Ethernet header accepted");
		break;
	case 1:
		if (ptcp_arp_parse(p, len, &arp) == 0)
			CHECK(len >= sizeof(struct rte_arp_hdr), "short ARP accepted");
		break;
	case 2:
		memset(&ip, 0, sizeof(ip));   /* padding: the structs are compared whole */
		memset(&ip2, 0, sizeof(ip2));
		if (ptcp_ipv4_parse(p, len, true, &ip) == 0) {
			/* A header that verifies also parses without verification, identically. */
			CHECK(ptcp_ipv4_parse(p, len, false, &ip2) == 0 &&
			      memcmp(&ip, &ip2, sizeof(ip)) == 0, "checksum flag changed the parse");
			CHECK(ip.hdr_len >= 20 && ip.hdr_len <= ip.total_len &&
			      ip.total_len <= len, "ipv4 lengths %u %u of %u", ip.hdr_len,
			      ip.total_len, len);
		} else {
			ptcp_ipv4_parse(p, len, false, &ip2);
		}
		break;
	case 3:
		ptcp_icmp_parse(p, len, &icmp);
		break;
	case 4:
		fuzz_tcp(p, len);
		break;
	case 5:
		fuzz_frame(p, len);
		break;
	case 6:
		fuzz_cksum_mbuf(p, len, false);
		break;
	case 7:
		fuzz_cksum_mbuf(p, len, true);
		break;
	}
	free(p);
	return 0;
}
