/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eth.c - the net layer's entry points: init/fini, Ethernet input and the
 * periodic work.
 *
 * ptcp_net_input() -> ptcp_eth_parse() -> our MAC or broadcast?
 *                  -> ptcp_arp_input() | ptcp_ipv4_input()
 * ptcp_net_poll()  -> ptcp_arp_poll() (retries, expiry) + ptcp_ipv4_poll() (reassembly)
 */
#include <errno.h>

#include <rte_malloc.h>

#include "net_private.h"

int
ptcp_net_init(struct ptcp_stack *st)
{
	const struct ptcp_stack_conf *conf = &st->conf;
	struct ptcp_net *net;
	uint32_t mask;
	int rc;

	if (conf->prefix_len > 32)
		return -EINVAL;
	net = rte_zmalloc_socket("ptcp_net", sizeof(*net), RTE_CACHE_LINE_SIZE,
				 conf->socket_id);
	if (net == NULL)
		return -ENOMEM;
	st->net = net;

	mask = conf->prefix_len == 0 ? 0 : ~0u << (32 - conf->prefix_len);
	net->ip = conf->ip;
	net->ip_count = conf->ip_count;
	net->mask = rte_cpu_to_be_32(mask);
	/* The range stays inside the prefix: no wrap, no network or broadcast address. */
	if (conf->ip_count == 0 ||
	    (uint64_t)rte_be_to_cpu_32(conf->ip) + conf->ip_count - 1 > UINT32_MAX ||
	    ((rte_be_to_cpu_32(conf->ip) + conf->ip_count - 1) & mask) !=
	    (rte_be_to_cpu_32(conf->ip) & mask)) {
		rte_free(net);
		st->net = NULL;
		return -EINVAL;
	}
	/* RFC 3021: /31 and /32 have no broadcast address. */
	if (conf->prefix_len <= 30) {
		net->bcast = conf->ip | ~net->mask;
		net->net0 = conf->ip & net->mask;
	} else {
		net->bcast = RTE_BE32(0xffffffff);
		net->net0 = RTE_BE32(0xffffffff);
	}
	if (ptcp_net_is_local(net, net->bcast) || ptcp_net_is_local(net, net->net0)) {
		rte_free(net);
		st->net = NULL;
		return -EINVAL;
	}
	rc = ptcp_ipv4_ident_init(st);
	if (rc == 0)
		rc = ptcp_arp_init(st);
	if (rc == 0)
		rc = ptcp_ipv4_init(st);
	if (rc != 0) {
		ptcp_net_fini(st);
		return rc;
	}
	ptcp_icmp_init(st);
	return 0;
}

void
ptcp_net_fini(struct ptcp_stack *st)
{
	if (st->net == NULL)
		return;
	ptcp_ipv4_fini(st);
	ptcp_arp_fini(st);
	rte_free(st->net);
	st->net = NULL;
}

/*
 * We accept frames to our MAC and to broadcast; we join no multicast group,
 * so other group addresses are "not ours" like foreign unicast.
 */
void
ptcp_net_input(struct ptcp_stack *st, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	uint16_t type;

	if (unlikely(ptcp_eth_parse(rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m),
				    &type) != 0)) {
		PTCP_DROP(st, m, ETH_BAD_HDR);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &st->conf.mac) &&
		     !rte_is_broadcast_ether_addr(&eth->dst_addr))) {
		PTCP_DROP(st, m, ETH_NOT_OURS);
		return;
	}
	m->l2_len = RTE_ETHER_HDR_LEN;
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		ptcp_ipv4_input(st, m);
		break;
	case RTE_ETHER_TYPE_ARP:
		ptcp_arp_input(st, m);
		break;
	default:
		PTCP_DROP(st, m, ETH_UNKNOWN_TYPE);
		break;
	}
}

void
ptcp_net_poll(struct ptcp_stack *st)
{
	ptcp_arp_poll(st);
	ptcp_ipv4_poll(st);
}

void
ptcp_net_announce(struct ptcp_stack *st)
{
	uint32_t i;

	/* RFC 5227 2.3: an ARP request with sender and target IP both ours, per address. */
	for (i = 0; i < st->net->ip_count; i++)
		ptcp_arp_announce(st, rte_cpu_to_be_32(rte_be_to_cpu_32(st->conf.ip) + i));
}
