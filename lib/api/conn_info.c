/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_info.c - per-connection introspection: struct ptcp_conn_info (the
 * fields Linux's tcp_info has that polltcp keeps), a one-line printable
 * form, and a walk over a stack's connections (rte_hash_iterate over the
 * connection table, so it costs nothing until called).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ptcp_api.h"
#include "tcp_private.h"

void
ptcp_conn_info_get(const struct ptcp_conn *c, struct ptcp_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = (enum ptcp_tcp_state)c->state;
	info->laddr = c->flow.laddr;
	info->raddr = c->flow.raddr;
	info->lport = c->flow.lport;
	info->rport = c->flow.rport;
	if (c->flags & PTCP_TF_WSCALE)
		info->options |= PTCP_INFO_OPT_WSCALE;
	if (c->flags & PTCP_TF_TSTMP)
		info->options |= PTCP_INFO_OPT_TSTMP;
	if (c->flags & PTCP_TF_SACK_PERMIT)
		info->options |= PTCP_INFO_OPT_SACK;
	info->snd_wscale = c->snd_wscale;
	info->rcv_wscale = c->rcv_wscale;
	info->in_recovery = (c->flags & PTCP_TF_RECOVERY) != 0;
	info->snd_mss = c->snd_mss;
	info->rcv_mss = c->rcv_mss;
	info->cwnd = c->cwnd;
	info->ssthresh = c->ssthresh;
	info->srtt_us = (c->flags & PTCP_TF_RTT_VALID) ? c->srtt_us : 0;
	info->rttvar_us = (c->flags & PTCP_TF_RTT_VALID) ? c->rttvar_us : 0;
	info->rto_us = c->rto_us;
	info->flight = c->snd_max - c->snd_una;
	info->snd_wnd = c->snd_wnd;
	info->rcv_wnd = ptcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	info->snd_queued = c->sndq_bytes;
	info->rcv_queued = c->rcvq_bytes;
	info->ooo_bytes = c->ooo_bytes;
	info->ts_recent = c->ts_recent;
	info->rexmits = c->rexmit_segs;
	info->rexmit_bytes = c->rexmit_bytes;
	info->nrexmit = c->nrexmit;
	info->dupacks = c->dupacks;
	info->cc = ptcp_conn_cc(c);
	info->pipe = ptcp_tcp_sack_pipe(c);
	info->sacked = c->sb != NULL ? c->sb->sacked_bytes : 0;
	info->lost = ptcp_tcp_sack_lost_bytes(c);
}

int
ptcp_conn_info_format(const struct ptcp_conn_info *i, char *buf, size_t len)
{
	char la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &i->laddr, la, sizeof(la));
	inet_ntop(AF_INET, &i->raddr, ra, sizeof(ra));
	return snprintf(buf, len,
			"%s:%u %s:%u state=%s opts=%s%s%s wscale=%u/%u mss=%u/%u cwnd=%" PRIu32
			" ssthresh=%" PRId64 " srtt_us=%" PRIu32 " rttvar_us=%" PRIu32
			" rto_us=%" PRIu32 " flight=%" PRIu32 " snd_wnd=%" PRIu32
			" rcv_wnd=%" PRIu32 " snd_q=%" PRIu32 " rcv_q=%" PRIu32 " ooo=%" PRIu32
			" recovery=%u rexmits=%" PRIu32 " rexmit_bytes=%" PRIu32
			" rto_run=%u dupacks=%u pipe=%" PRIu32 " sacked=%" PRIu32
			" lost=%" PRIu32 " cc=%s",
			la, i->lport, ra, i->rport, ptcp_tcp_state_name(i->state),
			(i->options & PTCP_INFO_OPT_WSCALE) ? "w" : "-",
			(i->options & PTCP_INFO_OPT_TSTMP) ? "t" : "-",
			(i->options & PTCP_INFO_OPT_SACK) ? "s" : "-",
			i->snd_wscale, i->rcv_wscale, i->snd_mss, i->rcv_mss, i->cwnd,
			i->ssthresh == UINT32_MAX ? (int64_t)-1 : (int64_t)i->ssthresh,
			i->srtt_us, i->rttvar_us, i->rto_us, i->flight, i->snd_wnd, i->rcv_wnd,
			i->snd_queued, i->rcv_queued, i->ooo_bytes, i->in_recovery, i->rexmits,
			i->rexmit_bytes, i->nrexmit,
			i->dupacks, i->pipe, i->sacked, i->lost, i->cc != NULL ? i->cc : "-");
}

uint32_t
ptcp_stack_conn_foreach(struct ptcp_stack *st, void (*fn)(struct ptcp_conn *c, void *arg),
			void *arg)
{
	const void *key;
	void *data;
	uint32_t iter = 0, n = 0;

	while (rte_hash_iterate(st->tcp->table, &key, &data, &iter) >= 0) {
		fn(data, arg);
		n++;
	}
	return n;
}
