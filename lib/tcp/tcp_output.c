/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_output.c - building and sending segments.
 *
 * ptcp_tcp_output(c) sends what the state, the send queue, the peer's
 * window, the congestion window and sender-side SWS avoidance / Nagle
 * (RFC 9293 3.8.6.2.1, RFC 896) allow: data segments of at most snd_mss,
 * the FIN after the last byte, or a bare ACK when one is owed. When data
 * waits with nothing in flight (zero window, or SWS holding a runt) the
 * persist timer is armed. Every segment goes through xmit() ->
 * ptcp_ipv4_output() -> the TX batch.
 *
 * The payload comes from the send queue through ptcp_tcp_sndq_payload()
 * (tcp_queue.c): indirect mbufs attached to the queue's buffers behind the
 * header mbuf (zero copy; the queue keeps its reference for
 * retransmission), or a copy for short payloads.
 *
 * Checksums are the IPv4 layer's (offload or software). Where they are
 * software, a first transmission made of whole received mbufs (an echo)
 * records its header + payload sum on the header mbuf from the payload
 * sums known at receive (payload_sum_reuse()), and ptcp_ipv4_output()
 * checksums it without reading the payload (TCP_TX_CKSUM_REUSED).
 */
#include <string.h>

#include <rte_random.h>

#include "ptcp_net.h"
#include "tcp_private.h"

uint32_t
ptcp_tcp_fin_seq(const struct ptcp_conn *c)
{
	return c->sndq_seq + c->sndq_bytes;
}

/*
 * The window field of a segment, and rcv_adv its right edge. RFC 7323 2.3:
 * a SYN's window is never scaled; other windows are shifted right by our
 * shift, rounded up (as Linux) so the right edge never moves left of where
 * an earlier segment put it.
 *
 * Except when the edge is only kept (ptcp_tcp_rcv_window offers no new
 * space): rounding that up again on every ACK would move it right by up to
 * 2^shift - 1 bytes beyond the buffer each time, without bound (1-byte
 * segments would hold the window open forever). There the field is
 * rounded down, a retraction of less than 2^shift that RFC 7323 2.4
 * allows, and rcv_adv keeps the edge announced before, which check_seq
 * honours ("any segment that would have been in window for any <ACK>").
 */
static uint16_t
window_field(struct ptcp_conn *c, uint8_t flags)
{
	uint32_t wnd = ptcp_tcp_rcv_window(c);
	uint8_t shift = (flags & RTE_TCP_SYN_FLAG) ? 0 : c->rcv_wscale;
	uint32_t field = (wnd + (1u << shift) - 1) >> shift;

	if (shift != 0 && c->rcv_nxt + wnd == c->rcv_adv)
		return (uint16_t)RTE_MIN(wnd >> shift, PTCP_TCP_MAX_WND);
	field = RTE_MIN(field, PTCP_TCP_MAX_WND);
	c->rcv_adv = c->rcv_nxt + (field << shift);
	return (uint16_t)field;
}

/*
 * Whether the segment of len bytes at seq can take its payload's sum from
 * the send queue's recorded sums (then in *sum): software checksums, and a
 * first transmission only. A retransmission always sums its bytes: should
 * a recorded sum ever be wrong (an application that rewrote a received
 * payload in place without ptcp_mbuf_sum_clear), the peer drops the first
 * transmission and the retransmission, summed in full, repairs it.
 */
static bool
payload_sum_reuse(const struct ptcp_conn *c, uint32_t seq, uint32_t len, uint16_t *sum)
{
	if (len == 0 || (c->st->conf.offloads & PTCP_OFFLOAD_TX_TCP_CKSUM) ||
	    ptcp_seq_lt(seq, c->snd_max))
		return false;
	return ptcp_tcp_sndq_sum(c, seq - c->sndq_seq, len, sum);
}

/*
 * Record on header mbuf m (hlen header bytes at p, then len payload bytes
 * copied in, or none when the payload is chained as clones, which carry
 * their queue mbufs' sums) the sum of its own data.
 */
static void
header_sum_record(struct rte_mbuf *m, const uint8_t *p, uint32_t hlen, uint32_t len,
		  uint16_t psum)
{
	uint16_t sum = ptcp_cksum_raw(p, hlen);

	if (m->data_len == hlen + len)
		sum = ptcp_cksum_add(sum, ptcp_cksum_at(psum, hlen));
	else if (m->data_len != hlen)
		return;
	ptcp_mbuf_sum_set(m, sum);
}

/*
 * The options of nearly every segment, decided here: none (none
 * negotiated), or timestamps alone (nothing out of order to SACK, no
 * D-SACK due), which xmit writes itself. Returns their length, or -1 for
 * SYNs, RSTs and SACK blocks, which ptcp_tcp_opts_for lays out.
 */
static inline int
opts_common(const struct ptcp_conn *c, uint8_t flags)
{
	if (unlikely(flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)))
		return -1;
	if (!(c->flags & (PTCP_TF_TSTMP | PTCP_TF_SACK_PERMIT)))
		return 0;
	if (ptcp_tcp_sack_due(c))
		return -1;
	return (c->flags & PTCP_TF_TSTMP) ? (int)PTCP_TCP_OPTS_TS_LEN : 0;
}

/*
 * Build and send one segment of the connection: seq, flags, and len bytes
 * of the send queue from seq (data), with the MSS option on SYNs.
 */
static int
xmit(struct ptcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
{
	struct ptcp_stack *st = c->st;
	struct ptcp_tcp_opts opt;
	uint32_t optlen, hlen;
	struct rte_mbuf *m;
	uint8_t *p;
	uint16_t wnd, psum;
	int o;

	/* Data waits when the pool is down to the reserve; control always goes. */
	m = len != 0 ? ptcp_mbuf_alloc_data(st) : ptcp_mbuf_alloc(st);
	if (unlikely(m == NULL))
		return -ENOBUFS;
	o = opts_common(c, flags);
	optlen = o >= 0 ? (uint32_t)o : ptcp_tcp_opts_for(c, flags, len, &opt);
	hlen = PTCP_TCP_HDR_LEN + optlen;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)hlen);
	if (unlikely(p == NULL || (len != 0 &&
				   ptcp_tcp_sndq_payload(c, seq - c->sndq_seq, len, m) != 0))) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	if (o > 0)
		ptcp_tcp_opts_build_ts(p + PTCP_TCP_HDR_LEN, ptcp_tcp_tsval(c), c->ts_recent);
	else if (o < 0 && optlen != 0)
		ptcp_tcp_opts_build(p + PTCP_TCP_HDR_LEN, &opt);
	wnd = (flags & RTE_TCP_RST_FLAG) ? 0 : window_field(c, flags);
	ptcp_tcp_build(p, c->flow.lport, c->flow.rport, seq,
		       (flags & RTE_TCP_ACK_FLAG) ? c->rcv_nxt : 0, flags, wnd, optlen);
	if (payload_sum_reuse(c, seq, len, &psum))
		header_sum_record(m, p, hlen, len, psum);
	if (flags & RTE_TCP_ACK_FLAG) {
		/* Any ACK we send carries RCV.NXT: nothing is owed any more. */
		c->flags &= ~PTCP_TF_ACK_NOW;
		c->rcv_acked = c->rcv_nxt;
		if (c->flags & PTCP_TF_DELACK) {
			c->flags &= ~PTCP_TF_DELACK;
			ptcp_tcp_timer_stop(c, PTCP_TCP_T_DELACK);
		}
	}
	PTCP_INC(st, TCP_TX);
	if (flags & RTE_TCP_RST_FLAG)
		PTCP_INC(st, TCP_RST_TX);
	return ptcp_ipv4_output_from(st, m, c->flow.laddr, c->flow.raddr, IPPROTO_TCP);
}

/*
 * Time the new segment of len bytes at seq for an RTT sample (RFC 6298),
 * and tell black-hole detection whether it is full-size (tcp_pmtu.c).
 */
static void
rtt_timing_start(struct ptcp_conn *c, uint32_t seq, uint32_t len)
{
	c->flags |= PTCP_TF_RTT_TIMING;
	c->rtt_seq = seq;
	c->rtt_start = (uint32_t)c->st->now_us;
	ptcp_tcp_pmtu_timed(c, len);
}

/*
 * A pure ACK carries SND.MAX, not SND.NXT: after a timeout rewinds SND.NXT
 * the peer has already received up to SND.MAX and would discard an ACK with
 * an older sequence number as a duplicate, losing its window and
 * acknowledgment (FreeBSD tcp_output does the same).
 */
void
ptcp_tcp_send_ack(struct ptcp_conn *c)
{
	xmit(c, c->snd_max, RTE_TCP_ACK_FLAG, 0);
}

/*
 * <SEQ=SND.MAX><CTL=RST>. RFC 9293 3.10.5 ABORT and 3.8.3 R2 say SND.NXT; after
 * a timeout rewound SND.NXT that can lie below the peer's RCV.NXT (it received
 * up to SND.MAX), where a RST is out of window and ignored. A receiver takes a
 * RST only at exactly its RCV.NXT (RFC 5961 3.2), which is SND.MAX whenever
 * everything sent arrived.
 */
void
ptcp_tcp_send_rst(struct ptcp_conn *c)
{
	xmit(c, c->snd_max, RTE_TCP_RST_FLAG, 0);
}

/* SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED) with our ISS; times the handshake RTT. */
void
ptcp_tcp_send_syn(struct ptcp_conn *c)
{
	uint8_t flags = RTE_TCP_SYN_FLAG;

	if (c->state == PTCP_TCP_SYN_RECEIVED)
		flags |= RTE_TCP_ACK_FLAG;
	c->snd_nxt = c->iss + 1;
	c->snd_max = ptcp_seq_max(c->snd_max, c->snd_nxt);
	if (!(c->flags & PTCP_TF_SYN_REXMIT)) {
		c->flags |= PTCP_TF_RTT_TIMING;
		c->rtt_seq = c->iss;
		c->rtt_start = (uint32_t)c->st->now_us;
	}
	xmit(c, c->iss, flags, 0);
}

/*
 * Per-connection limit on ACKs drawn by unacceptable segments (Linux
 * __tcp_oow_rate_limited, tcp_invalid_ratelimit = 500 ms): a flood of
 * spoofed segments draws at most two ACKs per second per connection.
 * Returns true (and counts) when the ACK must be skipped.
 */
static bool
oow_rate_limited(struct ptcp_conn *c)
{
	if (ptcp_tcp_ratelimited(c->st, &c->oow_last)) {
		PTCP_INC(c->st, TCP_OOW_ACK_LIMIT);
		return true;
	}
	return false;
}

/* RFC 9293 3.10.7.4 first step: the ACK an unacceptable segment draws, rate-limited. */
void
ptcp_tcp_send_oow_ack(struct ptcp_conn *c)
{
	if (!oow_rate_limited(c))
		c->flags |= PTCP_TF_ACK_NOW;
}

/*
 * RFC 5961 7: "an implementation SHOULD include an ACK throttling mechanism".
 * First the per-connection limit, then a per-lcore ceiling drawn afresh
 * each second uniformly from [limit/2, limit*3/2), as Linux's
 * tcp_send_challenge_ack() does since CVE-2016-5696: a fixed shared budget
 * lets an off-path attacker count challenge ACKs (and so learn whether a
 * guessed RST or SYN was in window) by exhausting it; a per-connection
 * budget of N lets N spoofed segments silence a restarted peer.
 */
void
ptcp_tcp_send_challenge_ack(struct ptcp_conn *c)
{
	if (oow_rate_limited(c)) {
		PTCP_INC(c->st, TCP_CHALLENGE_LIMIT);
		return;
	}
	if (!ptcp_tcp_challenge_budget(c->st))
		return;
	ptcp_tcp_send_ack(c);
}

/*
 * The per-lcore part of the challenge ACK limit (above), shared with the
 * TIME-WAIT records (tcp_timewait.c). True, and counted as sent, when one
 * more challenge ACK may go this second.
 */
bool
ptcp_tcp_challenge_budget(struct ptcp_stack *st)
{
	struct ptcp_tcp *tcp = st->tcp;
	uint64_t second = st->now_us / PTCP_MS(1000);
	uint32_t limit = st->conf.challenge_ack_limit;

	if (second != tcp->chal_second || tcp->chal_count == UINT32_MAX) {
		uint32_t half = (limit + 1) / 2;

		tcp->chal_second = second;
		tcp->chal_count = half + (uint32_t)(rte_rand() % limit);
	}
	if (tcp->chal_count == 0) {
		PTCP_INC(st, TCP_CHALLENGE_LIMIT);
		return false;
	}
	tcp->chal_count--;
	PTCP_INC(st, TCP_CHALLENGE_ACK);
	return true;
}

/*
 * RST for a segment that has no connection (RFC 9293 3.10.7.1):
 *   ACK set:  <SEQ=SEG.ACK><CTL=RST>
 *   ACK off:  <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
 * Never for an incoming RST (the caller checks).
 */
void
ptcp_tcp_reply_rst(struct ptcp_stack *st, const struct ptcp_ipv4_info *ip,
		   const struct ptcp_tcp_seg *seg)
{
	struct rte_mbuf *m = ptcp_mbuf_alloc(st);
	uint32_t seq = 0, ack = 0;
	uint8_t flags = RTE_TCP_RST_FLAG;
	void *p;

	if (m == NULL)
		return;
	p = rte_pktmbuf_append(m, PTCP_TCP_HDR_LEN);
	if (seg->flags & RTE_TCP_ACK_FLAG) {
		seq = seg->ack;
	} else {
		ack = seg->seq + seg->len + !!(seg->flags & RTE_TCP_SYN_FLAG) +
			!!(seg->flags & RTE_TCP_FIN_FLAG);
		flags |= RTE_TCP_ACK_FLAG;
	}
	ptcp_tcp_build(p, seg->dport, seg->sport, seq, ack, flags, 0, 0);
	PTCP_INC(st, TCP_TX);
	PTCP_INC(st, TCP_RST_TX);
	ptcp_ipv4_output_from(st, m, ip->dst, ip->src, IPPROTO_TCP);
}

/*
 * Zero-window probe and keepalive probe: a segment at SND.UNA-1 with no
 * data. The sequence number is unacceptable to the peer, which therefore
 * answers with an ACK carrying its current window (RFC 9293 3.10.7.4). RFC
 * 9293 3.8.6.1 describes a one-octet probe; like Linux we send none, which
 * works with every conforming receiver and consumes no sequence space.
 */
void
ptcp_tcp_send_probe(struct ptcp_conn *c)
{
	xmit(c, c->snd_una - 1, RTE_TCP_ACK_FLAG, 0);
}

static bool can_send_data(const struct ptcp_conn *c);

/*
 * Fast retransmit: resend the first unacknowledged segment (or the FIN)
 * without moving SND.NXT (the first range ptcp_tcp_retransmit_range sends).
 */
void
ptcp_tcp_retransmit_first(struct ptcp_conn *c)
{
	uint32_t start = ptcp_seq_max(c->snd_una, c->sndq_seq);

	ptcp_tcp_retransmit_range(c, start, c->snd_max - start);
}

/*
 * Resend len bytes of sequence space from seq (SACK recovery, RFC 6675
 * NextSeg rules 1, 3 and 4): at most one segment of snd_mss payload bytes,
 * the FIN with it when the range reaches past the data and the FIN was
 * sent. SND.NXT and SND.MAX do not move. Karn: the RTT sample in flight is
 * dropped if the range covers it. Returns the sequence space sent (0: none).
 */
uint32_t
ptcp_tcp_retransmit_range(struct ptcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t data_end = c->sndq_seq + c->sndq_bytes;
	uint32_t plen = 0;
	uint8_t flags = RTE_TCP_ACK_FLAG;
	bool fin_sent = (c->flags & PTCP_TF_FIN_QUEUED) && ptcp_seq_gt(c->snd_max, data_end);

	if (!can_send_data(c) || len == 0 || ptcp_seq_lt(seq, c->snd_una) ||
	    ptcp_seq_lt(seq, c->sndq_seq) || !ptcp_seq_lt(seq, c->snd_max))
		return 0;
	len = RTE_MIN(len, c->snd_max - seq);
	if (ptcp_seq_lt(seq, data_end))
		plen = RTE_MIN(RTE_MIN(len, data_end - seq), (uint32_t)c->snd_mss);
	if (seq + plen == data_end) {
		if (plen != 0)
			flags |= RTE_TCP_PSH_FLAG;
		if (fin_sent)
			flags |= RTE_TCP_FIN_FLAG;
	}
	if (plen == 0 && !(flags & RTE_TCP_FIN_FLAG))
		return 0;
	if ((c->flags & PTCP_TF_RTT_TIMING) &&
	    ptcp_seq_in(c->rtt_seq, seq, seq + plen + !!(flags & RTE_TCP_FIN_FLAG)))
		c->flags &= ~PTCP_TF_RTT_TIMING;
	if (xmit(c, seq, flags, plen) != 0)
		return 0;
	ptcp_tcp_rexmit_count(c, plen);
	if (c->timer[PTCP_TCP_T_REXMIT] == 0)
		ptcp_tcp_rto_arm(c);
	return plen + !!(flags & RTE_TCP_FIN_FLAG);
}

/*
 * One new segment at SND.MAX, limited by the peer's window and snd_mss but
 * not by cwnd: RFC 3042 limited transmit and RFC 6675 NextSeg rule 2, whose
 * callers did their own accounting (cwnd + 2 SMSS, cwnd - pipe). The FIN
 * rides on the last byte. Returns the payload bytes sent.
 */
uint32_t
ptcp_tcp_send_new_segment(struct ptcp_conn *c)
{
	uint32_t data_end = c->sndq_seq + c->sndq_bytes;
	uint32_t wnd_end = c->snd_una + c->snd_wnd;
	uint32_t avail, win, len;
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (!can_send_data(c) || c->snd_nxt != c->snd_max || !ptcp_seq_lt(c->snd_max, data_end) ||
	    ptcp_seq_lt(c->snd_max, c->sndq_seq))
		return 0;
	avail = data_end - c->snd_max;
	win = ptcp_seq_lt(c->snd_max, wnd_end) ? wnd_end - c->snd_max : 0;
	len = RTE_MIN(RTE_MIN(avail, win), (uint32_t)c->snd_mss);
	if (len == 0)
		return 0;
	if (len == avail) {
		flags |= RTE_TCP_PSH_FLAG;
		if (c->flags & PTCP_TF_FIN_QUEUED)
			flags |= RTE_TCP_FIN_FLAG;
	}
	if (!(c->flags & PTCP_TF_RTT_TIMING))
		rtt_timing_start(c, c->snd_max, len);
	if (xmit(c, c->snd_max, flags, len) != 0)
		return 0;
	PTCP_ADD(c->st, TCP_DATA_TX, len);
	c->snd_max += len + !!(flags & RTE_TCP_FIN_FLAG);
	c->snd_nxt = c->snd_max;
	if (c->timer[PTCP_TCP_T_REXMIT] == 0)
		ptcp_tcp_rto_arm(c);
	return len;
}

static bool
can_send_data(const struct ptcp_conn *c)
{
	switch (c->state) {
	case PTCP_TCP_ESTABLISHED:
	case PTCP_TCP_CLOSE_WAIT:
	case PTCP_TCP_FIN_WAIT_1:
	case PTCP_TCP_CLOSING:
	case PTCP_TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

/*
 * Sender-side SWS avoidance and Nagle (RFC 9293 3.8.6.2.1): send when a
 * full segment fits, or everything queued fits and (Nagle) nothing is in
 * flight or no-delay is set, or at least half the largest window the peer
 * ever offered fits. `force` is the persist timer's override.
 */
static bool
sws_ok(const struct ptcp_conn *c, uint32_t len, uint32_t avail, bool force)
{
	if (len == c->snd_mss || force)
		return true;
	if (len == avail &&
	    ((c->flags & PTCP_TF_NODELAY) || c->snd_max == c->snd_una || c->snd_nxt != c->snd_max))
		return true;
	return len >= c->max_snd_wnd / 2 && c->max_snd_wnd != 0;
}

static void
output(struct ptcp_conn *c, bool force)
{
	struct ptcp_stack *st = c->st;
	bool sent = false;

	if (c->state == PTCP_TCP_CLOSED || (c->flags & PTCP_TF_REAPED))
		return;
	if (can_send_data(c)) {
		uint32_t data_end = c->sndq_seq + c->sndq_bytes;
		uint32_t wnd_end;
		bool fin = (c->flags & PTCP_TF_FIN_QUEUED) != 0;

		ptcp_tcp_pmtu_check(c);   /* before snd_mss cuts segments */
		/* RFC 7661 4.4.3: an idle sender's cwnd ages before it sends again. */
		if (c->snd_nxt == c->snd_max && ptcp_seq_lt(c->snd_nxt, data_end))
			ptcp_tcp_cc_nvp_check(c);
		wnd_end = c->snd_una + RTE_MIN(c->snd_wnd, ptcp_tcp_send_cwnd(c));
		if (ptcp_seq_lt(c->snd_nxt, c->sndq_seq))
			c->snd_nxt = c->sndq_seq;
		while (ptcp_seq_lt(c->snd_nxt, data_end)) {
			uint32_t avail = data_end - c->snd_nxt;
			uint32_t win = ptcp_seq_lt(c->snd_nxt, wnd_end) ? wnd_end - c->snd_nxt : 0;
			uint32_t len = RTE_MIN(RTE_MIN(avail, win), (uint32_t)c->snd_mss);
			uint8_t flags = RTE_TCP_ACK_FLAG;

			if (len == 0 || !sws_ok(c, len, avail, force))
				break;
			/* Nothing in flight to clock it out later: send anyway. */
			if (unlikely(st->tx_backed_up) && c->snd_max != c->snd_una) {
				PTCP_INC(st, TCP_TX_DEFERRED);
				break;
			}
			force = false;
			if (len == avail) {
				flags |= RTE_TCP_PSH_FLAG;
				if (fin)
					flags |= RTE_TCP_FIN_FLAG;
			}
			if (c->snd_nxt == c->snd_max && !(c->flags & PTCP_TF_RTT_TIMING))
				rtt_timing_start(c, c->snd_nxt, len);
			if (xmit(c, c->snd_nxt, flags, len) == -ENOBUFS)
				break;
			if (ptcp_seq_ge(c->snd_nxt, c->snd_max)) {
				PTCP_ADD(st, TCP_DATA_TX, len);
			} else {
				ptcp_tcp_rexmit_count(c, len);
			}
			c->snd_nxt += len + !!(flags & RTE_TCP_FIN_FLAG);
			c->snd_max = ptcp_seq_max(c->snd_max, c->snd_nxt);
			sent = true;
		}
		/* FIN alone: no data left to carry it. */
		if (fin && c->snd_nxt == data_end) {
			if (xmit(c, c->snd_nxt, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 0) == 0) {
				if (ptcp_seq_lt(c->snd_nxt, c->snd_max))
					ptcp_tcp_rexmit_count(c, 0);
				c->snd_nxt++;
				c->snd_max = ptcp_seq_max(c->snd_max, c->snd_nxt);
				sent = true;
			}
		}
		/*
		 * Data waits and nothing in flight will bring an ACK: persist. That
		 * is nothing sent at all, or everything rewound to SND.UNA by a
		 * timeout into a zero window (no retransmission timer then).
		 */
		if (ptcp_seq_lt(c->snd_nxt, data_end) && c->snd_nxt == c->snd_una &&
		    (c->snd_max == c->snd_una || c->timer[PTCP_TCP_T_REXMIT] == 0)) {
			if (c->timer[PTCP_TCP_T_PERSIST] == 0)
				ptcp_tcp_persist_arm(c);
		} else if (c->timer[PTCP_TCP_T_PERSIST] != 0) {
			ptcp_tcp_timer_stop(c, PTCP_TCP_T_PERSIST);
		}
	}
	if (sent) {
		if (c->timer[PTCP_TCP_T_REXMIT] == 0)
			ptcp_tcp_rto_arm(c);
		if (c->flags & PTCP_TF_SACK_PERMIT)
			ptcp_tcp_rack_arm(c);   /* RFC 8985 7.2: the PTO follows new data */
	} else if (c->flags & PTCP_TF_ACK_NOW) {
		ptcp_tcp_send_ack(c);
	}
}

void
ptcp_tcp_output(struct ptcp_conn *c)
{
	output(c, false);
}

/* The persist timer's SWS override: send what the window allows now. */
void
ptcp_tcp_output_force(struct ptcp_conn *c)
{
	output(c, true);
}
