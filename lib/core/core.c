/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.c - counter names, configuration defaults, TX batch flush.
 */
#include "ptcp_core.h"

const char *const ptcp_ctr_names[PTCP_CTR_MAX] = {
#define PTCP_CTR(name, desc) [PTCP_CTR_##name] = #name,
#include "ptcp_counters.def"
#undef PTCP_CTR
};

const char *const ptcp_ctr_descs[PTCP_CTR_MAX] = {
#define PTCP_CTR(name, desc) [PTCP_CTR_##name] = desc,
#include "ptcp_counters.def"
#undef PTCP_CTR
};

#define DEFAULT(field, value) do {		\
		if (conf->field == 0)		\
			conf->field = (value);	\
	} while (0)

void
ptcp_conf_defaults(struct ptcp_stack_conf *conf)
{
	DEFAULT(prefix_len, 24);
	DEFAULT(ip_count, 1);
	DEFAULT(mtu, PTCP_DEFAULT_MTU);
	DEFAULT(max_conns, 4096);
	DEFAULT(msl_ms, 30000);
	DEFAULT(fin_timeout_ms, 60000);
	/*
	 * 8 per connection slot, at most 2^18 (52 MiB at 201 bytes a record,
	 * ptcp_stack_mem_get): a server sized for millions of idle connections
	 * should not pay gigabytes for TIME-WAIT it rarely holds (the side that
	 * closes first holds it); 2^18 records carry 4369 active closes per second
	 * at the default 2*MSL.
	 */
	DEFAULT(max_time_wait, (uint32_t)RTE_MIN(8ull * conf->max_conns, 1ull << 18));
	/*
	 * A scoreboard is held only while a connection has SACKed data above
	 * SND.UNA; 65536 (12 MiB) covers that many connections losing at once.
	 */
	DEFAULT(sack_scoreboards, RTE_MIN(conf->max_conns, 1u << 16));
	DEFAULT(rto_init_ms, 1000);
	DEFAULT(rto_min_ms, 200);
	DEFAULT(rto_max_ms, 60000);
	DEFAULT(syn_retries, 6);
	DEFAULT(synack_retries, 3);
	DEFAULT(backlog, 1024);
	DEFAULT(syncache_size, 4096);
	DEFAULT(data_retries, 15);
	DEFAULT(rcv_buf, PTCP_DEFAULT_RCV_BUF);
	DEFAULT(snd_buf, PTCP_DEFAULT_SND_BUF);
	DEFAULT(delack_ms, 40);
	if (conf->delack_ms > 200)
		conf->delack_ms = 200;   /* RFC 9293 3.8.6.3: MUST be less than 0.5 s */
	DEFAULT(keepalive_intvl_ms, 75000);
	DEFAULT(keepalive_cnt, 9);
	DEFAULT(challenge_ack_limit, 1000);
	DEFAULT(arp_timeout_ms, 60000);
	DEFAULT(arp_retry_ms, 1000);
	DEFAULT(arp_retries, 3);
	DEFAULT(arp_entries, PTCP_DEFAULT_ARP_ENTRIES);
	DEFAULT(pmtu_expire_ms, PTCP_DEFAULT_PMTU_EXPIRE_MS);
	DEFAULT(pmtu_cache_size, PTCP_DEFAULT_PMTU_CACHE);
	DEFAULT(pmtu_min, PTCP_DEFAULT_PMTU_MIN);
	DEFAULT(pmtu_blackhole_rtos, PTCP_DEFAULT_PMTU_BLACKHOLE_RTOS);
	/* An MSS of at least 64 (the smallest tcp_input.c accepts), at most the MTU's. */
	conf->pmtu_min = RTE_MIN(RTE_MAX(conf->pmtu_min, (uint16_t)104), conf->mtu);
	if (conf->name == NULL)
		conf->name = "ptcp0";
	if (conf->pool != NULL) {
		DEFAULT(mbuf_reserve, RTE_MAX(32u, conf->pool->size / 32));
		DEFAULT(mem_limit, conf->pool->size / 4 * 3);
	}
	DEFAULT(mem_pressure, conf->mem_limit / 2);
	if (conf->mem_pressure > conf->mem_limit)
		conf->mem_pressure = conf->mem_limit;
}

void
ptcp_tx_flush(struct ptcp_stack *st)
{
	uint16_t n = st->tx.n, sent;

	if (n == 0)
		return;
	sent = st->conf.tx_fn(st->conf.tx_arg, st->tx.pkts, n);
	PTCP_ADD(st, TX_PKTS, sent);
	if (unlikely(sent < n)) {
		PTCP_ADD(st, TX_DROP, n - sent);
		rte_pktmbuf_free_bulk(&st->tx.pkts[sent], n - sent);
	}
	st->tx.n = 0;
}
