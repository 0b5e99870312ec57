/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_rx.c - libFuzzer harness for the whole receive path: frames in,
 * Ethernet -> ARP / IPv4 (+ reassembly) -> ICMP / TCP, output captured and
 * checked.
 *
 * Every input starts from the same fresh stack (fuzz_stack_new: fixed ISN
 * key and clock, so a run is deterministic) holding a listener on port 7
 * and one connection in each state, built by the unit-test fixtures:
 *   slot 0 ESTABLISHED            slot 5 CLOSING
 *   slot 1 ESTABLISHED, 3000 bytes slot 6 LAST-ACK
 *          in flight, 2 ooo blocks slot 7 TIME-WAIT
 *   slot 2 FIN-WAIT-1             slot 8 SYN-RECEIVED
 *   slot 3 FIN-WAIT-2             slot 9 SYN-SENT (active open)
 *   slot 4 CLOSE-WAIT
 * The input is a sequence of records, each starting with an op byte:
 *   0 raw frame:   len16, bytes (Ethernet header first), fed as is
 *   1 IPv4 frame:  proto-sel, src-sel, frag16, len16, bytes; the harness
 *                  writes Ethernet + IPv4 headers and fixes the ICMP/TCP
 *                  checksum of unfragmented datagrams
 *   2 TCP segment: slot, flags, ctl, seq32|16, ack32|16, wnd16, optlen,
 *                  option bytes, len16 [, payload]; to a slot's connection
 *                  with seq/ack relative to its RCV.NXT / SND.UNA, or
 *                  (slots >= 10) from a new peer port, absolute
 *   3 time:        v16: advance the clock by (v & 1023) << (v >> 10) us
 *   4 ICMP error:  slot, type, code, seq16: quoting our segment of a slot
 * After each record every sent frame is checked (fuzz_check_sent) and every
 * connection's invariants (fuzz_check_all); at the end fuzz_teardown()
 * closes all with a cooperative peer and asserts no connection and no mbuf
 * is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#define NSLOT 10

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ptest_conn slots[NSLOT];
static int debug;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_init();
	debug = getenv("FUZZ_DEBUG") != NULL;
	return 0;
}

/* A passive connection on slot i, ESTABLISHED, reported to slots[i].rec. */
static void
passive(struct ptest_ctx *t, unsigned int i)
{
	struct ptest_conn *pc = &slots[i];
	struct ptcp_conn *first = slots[0].rec.conn;

	ptest_conn_init(t, pc);
	pc->rport = (uint16_t)(PTEST_RPORT + i);
	ptest_conn_syn_received(pc);
	ptest_conn_rx_ack(pc);
	/* The listener reports to slot 0's recorder: move the new connection over. */
	pc->rec.conn = slots[0].rec.conn;
	slots[0].rec.conn = first;
	ptcp_conn_set_arg(pc->rec.conn, &pc->rec);
	fuzz_check_sent(t);
}

static struct ptest_ctx *
fixture(void)
{
	struct ptest_ctx *t = fuzz_stack_new();
	uint8_t buf[3000];
	struct ptest_conn *pc;

	memset(slots, 0, sizeof(slots));
	ptest_conn_init(t, &slots[0]);
	ptest_conn_passive(&slots[0]);

	passive(t, 1);
	pc = &slots[1];
	ptest_pattern(buf, sizeof(buf), 1);
	ptest_conn_send(pc, buf, sizeof(buf));
	pc->snd_nxt += sizeof(buf);
	/* Two out-of-order blocks: [rcv_nxt+100, +200) and [+400, +450). */
	ptest_conn_rx(pc, RTE_TCP_ACK_FLAG, pc->rcv_nxt + 100, pc->snd_nxt - sizeof(buf), buf,
		      100);
	ptest_conn_rx(pc, RTE_TCP_ACK_FLAG, pc->rcv_nxt + 400, pc->snd_nxt - sizeof(buf), buf,
		      50);
	fuzz_check_sent(t);

	passive(t, 2);
	ptest_conn_fin_wait_1(&slots[2]);
	passive(t, 3);
	ptest_conn_fin_wait_2(&slots[3]);
	passive(t, 4);
	ptest_conn_close_wait(&slots[4]);
	passive(t, 5);
	ptest_conn_closing(&slots[5]);
	passive(t, 6);
	ptest_conn_last_ack(&slots[6]);
	passive(t, 7);
	ptest_conn_time_wait(&slots[7]);

	pc = &slots[8];
	ptest_conn_init(t, pc);
	pc->rport = PTEST_RPORT + 8;
	ptest_conn_syn_received(pc);

	pc = &slots[9];
	ptest_conn_init(t, pc);
	pc->rport = PTEST_RPORT + 9;
	ptest_conn_syn_sent(pc);

	fuzz_check_sent(t);
	fuzz_check_all(t);
	return t;
}

static void
op_raw(struct ptest_ctx *t, struct fuzz_in *in)
{
	uint16_t len = fuzz_u16(in) % 1600;
	size_t got;
	const uint8_t *p = fuzz_bytes(in, len, &got);

	if (got == 0)
		return;
	ptest_rx(t, ptest_raw_frame(t, p, (uint32_t)got));
}

/* ICMP/TCP checksum over an unfragmented datagram's payload (if long enough). */
static void
fix_l4_cksum(uint8_t *l4, uint32_t len, uint8_t proto, rte_be32_t src, rte_be32_t dst)
{
	if (proto == IPPROTO_TCP && len >= sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->cksum = 0;
		th->cksum = ptcp_l4_cksum(src, dst, IPPROTO_TCP, l4, len);
	} else if (proto == IPPROTO_ICMP && len >= sizeof(struct rte_icmp_hdr)) {
		struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)l4;

		ih->icmp_cksum = 0;
		ih->icmp_cksum = (uint16_t)~ptcp_cksum_raw(l4, len);
	}
}

static rte_be32_t
pick_src(uint8_t sel)
{
	switch (sel & 3) {
	case 0: return PTEST_PEER_IP;
	case 1: return PTEST_OTHER_IP;
	case 2: return PTEST_LOCAL_IP;
	default: return RTE_BE32(UINT32_C(0xC612FFFF));   /* the subnet's broadcast */
	}
}

static void
op_ipv4(struct ptest_ctx *t, struct fuzz_in *in)
{
	static const uint8_t protos[4] = { IPPROTO_TCP, IPPROTO_ICMP, IPPROTO_UDP, 0 };
	uint8_t psel = fuzz_u8(in), ssel = fuzz_u8(in);
	uint16_t frag = fuzz_u16(in), len = fuzz_u16(in) % 1600;
	uint8_t proto = (psel & 3) == 3 ? psel : protos[psel & 3];
	rte_be32_t src = pick_src(ssel), dst = (ssel & 4) ? PTEST_OTHER_IP : PTEST_LOCAL_IP;
	uint8_t l4[1600];
	size_t got;
	const uint8_t *p = fuzz_bytes(in, len, &got);
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;

	memcpy(l4, p, got);
	if ((frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0)
		fix_l4_cksum(l4, (uint32_t)got, proto, src, dst);
	m = ptest_ipv4_frame(t, src, dst, proto, l4, (uint32_t)got);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(ssel >> 3));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = ptcp_ipv4_hdr_cksum(ip);
	ptest_rx(t, m);
}

/* The current (or, once gone, last known) sequence state of a slot. */
static void
slot_seq(struct ptest_conn *pc, uint32_t *rcv_nxt, uint32_t *snd_una)
{
	struct ptcp_conn *c = fuzz_conn_lookup(pc);

	if (c != NULL) {
		pc->rcv_nxt = c->rcv_nxt;
		pc->snd_nxt = c->snd_una;
	}
	*rcv_nxt = pc->rcv_nxt;
	*snd_una = pc->snd_nxt;
}

static void
op_tcp(struct ptest_ctx *t, struct fuzz_in *in)
{
	uint8_t slot = fuzz_u8(in), flags = fuzz_u8(in), ctl = fuzz_u8(in);
	uint32_t seq = (ctl & 1) ? fuzz_u32(in) : (uint32_t)(int32_t)(int16_t)fuzz_u16(in);
	uint32_t ack = (ctl & 2) ? fuzz_u32(in) : (uint32_t)(int32_t)(int16_t)fuzz_u16(in);
	uint16_t wnd = fuzz_u16(in), sport, dport, plen;
	uint8_t optlen = fuzz_u8(in) % 41;
	uint8_t l4[PTCP_TCP_MAX_HDR_LEN + 1500];
	uint32_t hlen, base_seq = 0, base_ack = 0;
	const uint8_t *p;
	size_t got;

	slot %= NSLOT + 6;
	if (slot < NSLOT) {
		slot_seq(&slots[slot], &base_seq, &base_ack);
		sport = slots[slot].rport;
		dport = slots[slot].lport;
	} else {
		sport = (uint16_t)(41000 + slot);   /* a new peer port */
		dport = (slot & 1) ? PTEST_LPORT : 9;   /* the listener, or a closed port */
	}
	memset(l4, 0, sizeof(l4));
	p = fuzz_bytes(in, optlen, &got);
	memcpy(l4 + PTCP_TCP_HDR_LEN, p, got);
	optlen = (uint8_t)((got + 3) & ~3u);   /* EOL-padded (zeros) */
	ptcp_tcp_build(l4, sport, dport, base_seq + seq, base_ack + ack, flags, wnd, optlen);
	hlen = PTCP_TCP_HDR_LEN + optlen;
	plen = fuzz_u16(in) % 1461;
	if (ctl & 8) {
		p = fuzz_bytes(in, plen, &got);
		memcpy(l4 + hlen, p, got);
		plen = (uint16_t)got;
	} else {
		ptest_pattern(l4 + hlen, plen, ctl);
	}
	((struct rte_tcp_hdr *)l4)->cksum =
		ptcp_l4_cksum(PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_TCP, l4, hlen + plen);
	if (ctl & 4)
		((struct rte_tcp_hdr *)l4)->cksum ^= 0x0101;
	ptest_rx(t, ptest_ipv4_frame(t, PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_TCP, l4,
				     hlen + plen));
}

static void
op_time(struct ptest_ctx *t, struct fuzz_in *in)
{
	uint16_t v = fuzz_u16(in);

	ptest_advance(t, (uint64_t)(v & 1023) << RTE_MIN(v >> 10, 30));
}

/* ICMP error from the peer quoting an IPv4 header and 8 bytes of our TCP segment. */
static void
op_icmp(struct ptest_ctx *t, struct fuzz_in *in)
{
	uint8_t slot = fuzz_u8(in) % NSLOT, type = fuzz_u8(in), code = fuzz_u8(in);
	uint16_t dseq = fuzz_u16(in);
	uint8_t msg[8 + 20 + 8];
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)msg;
	uint8_t *q = msg + 28;   /* the quoted first 8 bytes of our TCP header */
	rte_be16_t port;
	rte_be32_t seq;
	uint32_t rcv_nxt, snd_una;

	slot_seq(&slots[slot], &rcv_nxt, &snd_una);
	memset(msg, 0, sizeof(msg));
	ih->icmp_type = type;
	ih->icmp_code = code;
	ptcp_ipv4_build(msg + 8, PTEST_LOCAL_IP, PTEST_PEER_IP, IPPROTO_TCP, 20, 1, 64, false);
	port = rte_cpu_to_be_16(slots[slot].lport);
	memcpy(q, &port, 2);
	port = rte_cpu_to_be_16(slots[slot].rport);
	memcpy(q + 2, &port, 2);
	seq = rte_cpu_to_be_32(snd_una + (uint32_t)(int32_t)(int16_t)dseq);
	memcpy(q + 4, &seq, 4);
	ih->icmp_cksum = (uint16_t)~ptcp_cksum_raw(msg, sizeof(msg));
	ptest_rx(t, ptest_ipv4_frame(t, PTEST_PEER_IP, PTEST_LOCAL_IP, IPPROTO_ICMP, msg,
				     sizeof(msg)));
}

/* FUZZ_DEBUG=1: the state of every slot after each record, on stderr. */
static void
debug_slots(struct ptest_ctx *t, unsigned int nrec)
{
	fprintf(stderr, "record %u: %u frames sent\n", nrec, t->nsent);
	for (unsigned int i = 0; i < NSLOT; i++) {
		struct ptcp_conn *c = fuzz_conn_lookup(&slots[i]);

		if (c == NULL) {
			fprintf(stderr, "  slot %u: gone\n", i);
			continue;
		}
		fprintf(stderr, "  slot %u: %s una %u nxt %u max %u rcv_nxt %u rcvq %u ooo %u/%u"
			" flags 0x%x\n", i, ptcp_tcp_state_name(c->state), c->snd_una, c->snd_nxt,
			c->snd_max, c->rcv_nxt, c->rcvq_bytes, c->ooo_bytes, c->ooo_blocks,
			c->flags);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { .p = data, .len = size };
	struct ptest_ctx *t;
	unsigned int nrec = 0;

	if (size > 16384)
		return -1;
	t = fixture();
	while (fuzz_more(&in) && nrec++ < 256) {
		switch (fuzz_u8(&in) % 5) {
		case 0: op_raw(t, &in); break;
		case 1: op_ipv4(t, &in); break;
		case 2: op_tcp(t, &in); break;
		case 3: op_time(t, &in); break;
		default: op_icmp(t, &in); break;
		}
		if (debug)
			debug_slots(t, nrec);
		fuzz_check_sent(t);
		fuzz_check_all(t);
	}
	fuzz_teardown(t);
	return 0;
}
