/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_opts.c - what a connection offers, negotiates and carries in TCP
 * options: MSS (RFC 9293 3.7.1), window scale and timestamps (RFC 7323),
 * SACK-permitted and SACK blocks (RFC 2018, D-SACK RFC 2883).
 *
 * The wire format (one parser, one builder) is lib/wire's. Here the rules:
 *   - an option is used only when both SYNs carried it; the connection
 *     records the outcome in conn->flags (PTCP_TF_WSCALE, PTCP_TF_TSTMP,
 *     PTCP_TF_SACK_PERMIT) and never looks at SYN options again;
 *   - window scale: our shift is the smallest that lets the 16-bit field
 *     cover the receive buffer (at most 14); a SYN's window is never scaled;
 *   - timestamps: a 1 ms clock plus a per address pair offset (RFC 7323
 *     5.4: one offset for every connection between two hosts keeps TSval
 *     monotonic across incarnations, which RFC 6191 TIME-WAIT reuse needs);
 *     every non-RST segment carries TSval and TS.Recent, and the effective
 *     send MSS is 12 bytes smaller (the option is in every segment);
 *   - SACK blocks: on ACKs while out-of-order data is held, the block of
 *     the segment that triggered the ACK first, then the highest others
 *     (the data most recently sent, hence most recently received), a
 *     D-SACK block first of all when a duplicate arrived; as many as fit
 *     (3 with timestamps, 4 without) and, on a data segment, only within
 *     the peer's MSS.
 * The SYN cache (tcp_syncache.c) and SYN cookies keep the same rules for
 * passive opens; TIME-WAIT records keep the shifts and TS.Recent.
 */
#include <string.h>

#include "tcp_private.h"

uint8_t
ptcp_tcp_rcv_wscale_for(const struct ptcp_stack *st)
{
	uint8_t shift = 0;

	if (st->conf.no_wscale)
		return 0;
	while (shift < PTCP_TCP_WSCALE_MAX && (st->conf.rcv_buf >> shift) > PTCP_TCP_MAX_WND)
		shift++;
	return shift;
}

uint32_t
ptcp_tcp_ts_offset(const struct ptcp_stack *st, const struct ptcp_flow *f)
{
	uint8_t msg[9];

	memcpy(msg, &f->laddr, 4);
	memcpy(msg + 4, &f->raddr, 4);
	msg[8] = 'T';   /* apart from the ISN's inputs, which have ports */
	return (uint32_t)ptcp_siphash24(&st->tcp->isn_key, msg, sizeof(msg));
}

void
ptcp_tcp_opts_offer(struct ptcp_conn *c)
{
	const struct ptcp_stack_conf *conf = &c->st->conf;

	c->flags &= ~(PTCP_TF_WSCALE | PTCP_TF_TSTMP | PTCP_TF_SACK_PERMIT);
	if (!conf->no_wscale)
		c->flags |= PTCP_TF_WSCALE;
	if (!conf->no_timestamps)
		c->flags |= PTCP_TF_TSTMP;
	if (!conf->no_sack)
		c->flags |= PTCP_TF_SACK_PERMIT;
	c->rcv_wscale = ptcp_tcp_rcv_wscale_for(c->st);
	c->snd_wscale = 0;
	c->ts_offset = ptcp_tcp_ts_offset(c->st, &c->flow);
	c->ts_recent = 0;
	c->ts_recent_age = 0;
}

void
ptcp_tcp_opts_negotiate(struct ptcp_conn *c, const struct ptcp_tcp_opts *o)
{
	struct ptcp_stack *st = c->st;
	uint16_t peer_mss = (o->present & PTCP_TCPOPT_F_MSS) ? o->mss : 536;

	/* RFC 7323 2.2: scaling both ways only if both SYNs carried the option. */
	if ((c->flags & PTCP_TF_WSCALE) && (o->present & PTCP_TCPOPT_F_WSCALE)) {
		c->snd_wscale = RTE_MIN(o->wscale, (uint8_t)PTCP_TCP_WSCALE_MAX);
		PTCP_INC(st, TCP_OPT_WSCALE);
	} else {
		c->flags &= ~PTCP_TF_WSCALE;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	/* RFC 7323 3.2: timestamps only if the SYN carried them (and we offer them). */
	if ((c->flags & PTCP_TF_TSTMP) && (o->present & PTCP_TCPOPT_F_TS)) {
		c->ts_recent = o->tsval;
		c->ts_recent_age = ptcp_tcp_paws_clock(st);
		PTCP_INC(st, TCP_OPT_TSTMP);
	} else {
		c->flags &= ~PTCP_TF_TSTMP;
	}
	if ((c->flags & PTCP_TF_SACK_PERMIT) && (o->present & PTCP_TCPOPT_F_SACK_PERM))
		PTCP_INC(st, TCP_OPT_SACK_PERMIT);
	else
		c->flags &= ~PTCP_TF_SACK_PERMIT;
	/*
	 * RFC 9293 3.7.1: the effective MSS leaves room for the options every
	 * segment has, within the path MTU (tcp_pmtu.c, after the flags above).
	 */
	ptcp_tcp_pmtu_set_mss(c, ptcp_tcp_clamp_snd_mss(peer_mss, c->rcv_mss));
}

static void
scratch_claim(struct ptcp_conn *c)
{
	struct ptcp_tcp *tcp = c->st->tcp;

	if (tcp->sack_conn != c) {
		tcp->sack_conn = c;
		tcp->sack_trigger = c->rcv_nxt;
		tcp->dsack_left = tcp->dsack_right = 0;
	}
}

void
ptcp_tcp_dsack_note(struct ptcp_conn *c, uint32_t left, uint32_t right)
{
	struct ptcp_tcp *tcp = c->st->tcp;

	if (!(c->flags & PTCP_TF_SACK_PERMIT) || left == right)
		return;
	scratch_claim(c);
	tcp->dsack_left = left;
	tcp->dsack_right = right;
}

void
ptcp_tcp_sack_note(struct ptcp_conn *c, uint32_t seq)
{
	if (!(c->flags & PTCP_TF_SACK_PERMIT))
		return;
	scratch_claim(c);
	c->st->tcp->sack_trigger = seq;
}

/*
 * Add [l, r) to opt unless full or already there from block `from` on (a
 * D-SACK block before `from` may equal the SACK block holding it: RFC 2883 4
 * wants both).
 */
static void
sack_add(struct ptcp_tcp_opts *opt, uint32_t max, uint32_t from, uint32_t l, uint32_t r)
{
	uint32_t i;

	if (opt->nsack >= max)
		return;
	for (i = from; i < opt->nsack; i++)
		if (opt->sack[i].left == l && opt->sack[i].right == r)
			return;
	opt->sack[opt->nsack].left = l;
	opt->sack[opt->nsack].right = r;
	opt->nsack++;
}

/*
 * The blocks of the out-of-order queue (held blocks that touch are one SACK
 * block), at most max: the one holding the trigger first, then the highest.
 */
static void
sack_blocks(struct ptcp_conn *c, struct ptcp_tcp_opts *opt, uint32_t max)
{
	const struct ptcp_tcp *tcp = c->st->tcp;
	struct ptcp_sack_block high[PTCP_TCP_MAX_SACK], trig = { 0, 0 };
	uint32_t nhigh = 0, l = 0, r = 0, i, from = opt->nsack;
	bool have = false, has_trig = tcp->sack_conn == c;
	struct rte_mbuf *m;

	for (m = c->ooo_head; ; m = ptcp_tcp_blk(m)->next) {
		const struct ptcp_tcp_blk *b = m != NULL ? ptcp_tcp_blk(m) : NULL;

		if (b != NULL && have && b->seq == r) {
			r += b->len;
			continue;
		}
		if (have) {
			/* [l, r) is complete: keep it among the highest max. */
			if (nhigh == max) {
				memmove(high, high + 1, (max - 1) * sizeof(high[0]));
				nhigh--;
			}
			high[nhigh].left = l;
			high[nhigh].right = r;
			nhigh++;
			if (has_trig && ptcp_seq_in(tcp->sack_trigger, l, r)) {
				trig.left = l;
				trig.right = r;
			}
		}
		if (b == NULL)
			break;
		l = b->seq;
		r = b->seq + b->len;
		have = true;
	}
	if (trig.left != trig.right)
		sack_add(opt, max, from, trig.left, trig.right);
	for (i = nhigh; i > 0; i--)
		sack_add(opt, max, from, high[i - 1].left, high[i - 1].right);
}

uint32_t
ptcp_tcp_opts_for(struct ptcp_conn *c, uint8_t flags, uint32_t len, struct ptcp_tcp_opts *opt)
{
	struct ptcp_tcp *tcp = c->st->tcp;
	uint32_t space = 40, max, optlen = 0;
	bool ack = (flags & RTE_TCP_ACK_FLAG) != 0;

	opt->present = 0;
	opt->nsack = 0;
	if (flags & RTE_TCP_RST_FLAG)
		return 0;
	if (flags & RTE_TCP_SYN_FLAG) {
		/* SYN: what we offer; SYN-ACK (simultaneous open): what was agreed. */
		opt->present = PTCP_TCPOPT_F_MSS;
		opt->mss = c->rcv_mss;
		if (c->flags & PTCP_TF_WSCALE) {
			opt->present |= PTCP_TCPOPT_F_WSCALE;
			opt->wscale = c->rcv_wscale;
		}
		if (c->flags & PTCP_TF_SACK_PERMIT)
			opt->present |= PTCP_TCPOPT_F_SACK_PERM;
		if (c->flags & PTCP_TF_TSTMP) {
			opt->present |= PTCP_TCPOPT_F_TS;
			opt->tsval = ptcp_tcp_tsval(c);
			opt->tsecr = ack ? c->ts_recent : 0;   /* RFC 7323 3.2 */
		}
		return ptcp_tcp_opts_len(opt);
	}
	if (c->flags & PTCP_TF_TSTMP) {
		optlen = ptcp_tcp_opts_ts(c, opt);
		space -= optlen;
	}
	if (!(c->flags & PTCP_TF_SACK_PERMIT) || !ack || !ptcp_tcp_sack_due(c))
		return optlen;
	/* SACK blocks take 2 + 8n bytes, NOP-padded: n <= (space - 4) / 8. */
	if (len != 0)   /* a data segment stays within the peer's MSS */
		space = RTE_MIN(space, c->snd_mss > len + 4 ? c->snd_mss - len : 0u);
	max = space >= 12 ? RTE_MIN((space - 4) / 8, (uint32_t)PTCP_TCP_MAX_SACK) : 0;
	if (max == 0)
		return optlen;
	if (tcp->sack_conn == c && tcp->dsack_left != tcp->dsack_right) {
		/* RFC 2883 4: the duplicate first, reported once. */
		sack_add(opt, max, 0, tcp->dsack_left, tcp->dsack_right);
		tcp->dsack_left = tcp->dsack_right;
		PTCP_INC(c->st, TCP_DSACK_TX);
	}
	if (c->ooo_head != NULL)
		sack_blocks(c, opt, max);
	if (opt->nsack == 0)
		return optlen;
	opt->present |= PTCP_TCPOPT_F_SACK;
	PTCP_INC(c->st, TCP_SACK_TX);
	return ptcp_tcp_opts_len(opt);
}
