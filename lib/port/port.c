/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.c - EAL, port setup and teardown, mbuf pools, checksum offloads,
 * link state, pcapng capture, reports.
 *
 * ptcp_port_init(): pick_port -> assign_queues -> configure (RSS, offloads,
 * MTU) -> create_pools -> setup_queues -> start -> wait_link -> open_pcap ->
 * create_stacks (impairers, then the stack and conf.stack_init, per lcore)
 * -> announce if the link is up.
 * ptcp_port_fini() undoes it in reverse, then rte_eal_cleanup().
 */
#define ALLOW_EXPERIMENTAL_API 1   /* rte_pcapng_*, rte_eth_link_to_str (DPDK 22.11) */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>

#include "ptcp_api.h"
#include "ptcp_net.h"
#include "port_private.h"

struct port_main ptcp_port_m;

#define M (&ptcp_port_m)

#define DEFAULT_NB_DESC         1024
#define DEFAULT_MBUFS_PER_LCORE 16384
#define POOL_CACHE              256
#define PCAP_POOL_SIZE          4095
#define PCAP_POOL_CACHE         32
#define LINK_POLL_MS            100
#define LINK_WAIT_DOWN_POLL_MS  10      /* ptcp_port_wait_link_down */
/* Ethernet header + one VLAN tag + FCS around the IP MTU. */
#define FRAME_OVERHEAD          (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN)

/* Record a one-line error for ptcp_port_errmsg(); returns -err. */
static int __rte_format_printf(2, 3)
fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(M->errmsg, sizeof(M->errmsg), fmt, ap);
	va_end(ap);
	return -err;
}

const char *
ptcp_port_errmsg(void)
{
	return M->errmsg;
}

unsigned int
ptcp_port_lcore_count(void)
{
	return M->nb_queues;
}

/* ---- EAL ------------------------------------------------------------------ */

int
ptcp_port_eal_init(int argc, char **argv)
{
	int ret = rte_eal_init(argc, argv);

	if (ret < 0)
		return fail(rte_errno, "EAL initialization failed (see the EAL options "
			    "before \"--\"): %s", rte_strerror(rte_errno));
	M->eal_up = true;
	M->tsc_hz = rte_get_tsc_hz();
	M->us_mult = port_us_mult(M->tsc_hz);
	M->start_tsc = rte_rdtsc();
	return ret;
}

/* ---- Setup steps ------------------------------------------------------------ */

static int
pick_port(int want)
{
	uint16_t pid;

	if (rte_eth_dev_count_avail() == 0)
		return fail(ENODEV, "no Ethernet device: give EAL one, e.g. "
			    "--vdev=net_tap0,iface=pt0 (or a PCI device bound to DPDK)");
	if (want == PTCP_PORT_ANY) {
		RTE_ETH_FOREACH_DEV(pid) {
			M->port_id = pid;
			return 0;
		}
		return fail(ENODEV, "no usable Ethernet device");
	}
	if (want < 0 || want >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(want))
		return fail(ENODEV, "Ethernet port %d does not exist (%u available)", want,
			    rte_eth_dev_count_avail());
	M->port_id = (uint16_t)want;
	return 0;
}

/* Every enabled lcore (main included) is a worker; queue = rank. */
static void
assign_queues(void)
{
	unsigned int lcore;
	uint16_t q = 0;

	RTE_LCORE_FOREACH(lcore)
		M->queue_of_lcore[lcore] = q++;
	M->nb_queues = q;
}

static int
lcore_socket(unsigned int lcore)
{
	int s = (int)rte_lcore_to_socket_id(lcore);

	return (s < 0 || s >= RTE_MAX_NUMA_NODES) ? 0 : s;
}

static const char *
hw_or_sw(uint32_t offloads, uint32_t bit)
{
	return (offloads & bit) ? "hw" : "sw";
}

/* Checksum offloads the port has, as conf bits and ethdev offload flags. */
static void
choose_offloads(const struct rte_eth_dev_info *di, struct rte_eth_conf *pc)
{
	uint32_t o = 0;

	if (!M->conf.no_offload) {
		if (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) {
			pc->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
			o |= PTCP_OFFLOAD_RX_IPV4_CKSUM;
		}
		if (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) {
			pc->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
			o |= PTCP_OFFLOAD_RX_L4_CKSUM;
		}
		if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
			pc->txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
			o |= PTCP_OFFLOAD_TX_IPV4_CKSUM;
		}
		if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
			pc->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
			o |= PTCP_OFFLOAD_TX_TCP_CKSUM;
		}
	}
	/* Chains (header mbuf + payload clones): what zero-copy TX sends. */
	if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		pc->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		o |= PTCP_OFFLOAD_TX_MULTI_SEG;
		/*
		 * net_tap (DPDK 22.11) emulates TCP checksum offload in software
		 * and gets it wrong for chains (seen: chained echo segments were
		 * dropped by the kernel as bad, the transfer stalled): the stack
		 * sums those itself.
		 */
		if ((o & PTCP_OFFLOAD_TX_TCP_CKSUM) && strcmp(di->driver_name, "net_tap") != 0)
			o |= PTCP_OFFLOAD_TX_CKSUM_SEGS;
	}
	M->offloads = o;
	printf("port %u: checksums: rx ipv4=%s tcp=%s, tx ipv4=%s tcp=%s%s\n", M->port_id,
	       hw_or_sw(o, PTCP_OFFLOAD_RX_IPV4_CKSUM), hw_or_sw(o, PTCP_OFFLOAD_RX_L4_CKSUM),
	       hw_or_sw(o, PTCP_OFFLOAD_TX_IPV4_CKSUM), hw_or_sw(o, PTCP_OFFLOAD_TX_TCP_CKSUM),
	       M->conf.no_offload ? " (offloads disabled)" : "");
}

static int
set_mtu(const struct rte_eth_dev_info *di)
{
	uint16_t cur = 0;
	int ret;

	if (rte_eth_dev_get_mtu(M->port_id, &cur) == 0 && cur == M->mtu)
		return 0;
	ret = rte_eth_dev_set_mtu(M->port_id, M->mtu);
	if (ret == -ENOTSUP)
		return fail(ENOTSUP, "port %u (%s): the driver cannot set the MTU to %u "
			    "(it is %u)", M->port_id, di->driver_name, M->mtu, cur);
	if (ret < 0)
		return fail(-ret, "port %u (%s): cannot set the MTU to %u: %s", M->port_id,
			    di->driver_name, M->mtu, rte_strerror(-ret));
	return 0;
}

static int steer_init(const struct rte_eth_dev_info *di, struct rte_eth_conf *pc);

static int
configure(void)
{
	struct rte_eth_conf pc;
	struct rte_eth_dev_info di;
	uint16_t port = M->port_id, nq = M->nb_queues;
	int ret;

	ret = rte_eth_dev_info_get(port, &di);
	if (ret != 0)
		return fail(-ret, "port %u: cannot get device info: %s", port, rte_strerror(-ret));

	M->nb_qp = RTE_MIN(nq, RTE_MIN(di.max_rx_queues, di.max_tx_queues));
	if (M->conf.queues != 0)
		M->nb_qp = RTE_MIN(M->nb_qp, M->conf.queues);
	if (M->nb_qp == 0)
		return fail(EINVAL, "port %u (%s) has no queue pair", port, di.driver_name);

	memset(&pc, 0, sizeof(pc));
	choose_offloads(&di, &pc);
	if (nq > 1) {
		ret = steer_init(&di, &pc);
		if (ret != 0)
			return ret;
	}

	if (M->mtu < di.min_mtu || M->mtu > di.max_mtu)
		return fail(EINVAL, "port %u (%s): MTU %u is outside what the device supports "
			    "(%u..%u)", port, di.driver_name, M->mtu, di.min_mtu, di.max_mtu);
	if (di.max_rx_pktlen != 0 &&
	    (uint32_t)M->mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN > di.max_rx_pktlen)
		return fail(EINVAL, "port %u (%s): MTU %u needs %u-byte frames, the device "
			    "receives at most %u", port, di.driver_name, M->mtu,
			    M->mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN, di.max_rx_pktlen);

	ret = rte_eth_dev_configure(port, M->nb_qp, M->nb_qp, &pc);
	if (ret < 0 && M->rss) {
		/* Some drivers take no key of ours: theirs, and software steering corrects. */
		pc.rx_adv_conf.rss_conf.rss_key = NULL;
		pc.rx_adv_conf.rss_conf.rss_key_len = 0;
		M->hw_hash = false;
		ret = rte_eth_dev_configure(port, M->nb_qp, M->nb_qp, &pc);
	}
	if (ret < 0)
		return fail(-ret, "port %u (%s): configure with %u queue pairs failed: %s", port,
			    di.driver_name, M->nb_qp, rte_strerror(-ret));
	M->port_configured = true;

	ret = set_mtu(&di);
	if (ret < 0)
		return ret;

	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &M->conf.nb_rxd, &M->conf.nb_txd);
	if (ret < 0)
		return fail(-ret, "port %u: cannot adjust descriptor counts: %s", port,
			    rte_strerror(-ret));

	printf("port %u: %s, %u queue pair%s for %u lcore%s, mtu %u, %u rx / %u tx descriptors\n",
	       port, di.driver_name, M->nb_qp, M->nb_qp == 1 ? "" : "s", nq, nq == 1 ? "" : "s",
	       M->mtu, M->conf.nb_rxd, M->conf.nb_txd);
	return 0;
}

/*
 * Several lcores: every TCP flow has one owner, ptcp_steer_owner() under a
 * symmetric Toeplitz key (both directions hash alike) and a round-robin
 * redirection table over the lcores. With RSS the NIC gets the same key
 * and table, so it delivers nearly every segment to its owner's queue;
 * each lcore still checks (the NIC's hash.rss when it is ours, else the
 * table hash) and passes the rest on (software steering): ports without
 * RSS, fewer RX queues than lcores, tun's own queue choice, a NIC that
 * refused the key.
 */
static int
steer_init(const struct rte_eth_dev_info *di, struct rte_eth_conf *pc)
{
	static uint8_t key[PTCP_STEER_KEY_MAX];
	uint64_t hf = di->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP);
	unsigned int key_len = 40, reta = 128;
	int ret;

	if (M->nb_qp > 1 && hf != 0) {
		M->rss = true;
		if (di->hash_key_size >= 16 && di->hash_key_size <= PTCP_STEER_KEY_MAX)
			key_len = di->hash_key_size;
		if (di->reta_size >= 64 && di->reta_size <= PTCP_STEER_RETA_MAX &&
		    rte_is_power_of_2(di->reta_size))
			reta = di->reta_size;
	}
	ptcp_steer_symmetric_key(key, key_len);
	M->steer = rte_zmalloc("ptcp_steer", sizeof(*M->steer), RTE_CACHE_LINE_SIZE);
	if (M->steer == NULL)
		return fail(ENOMEM, "out of memory for the steering table");
	ret = ptcp_steer_init(M->steer, key, key_len, reta, M->nb_queues);
	if (ret != 0)
		return fail(-ret, "cannot build the steering table for %u lcores", M->nb_queues);
	if (M->rss) {
		pc->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		pc->rx_adv_conf.rss_conf.rss_key = key;
		pc->rx_adv_conf.rss_conf.rss_key_len = (uint8_t)key_len;
		pc->rx_adv_conf.rss_conf.rss_hf = hf;
		if (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) {
			pc->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
			/* Trusted only if the queues match the owners (steer_reta). */
			M->hw_hash = M->nb_qp == M->nb_queues;
		}
	}
	return 0;
}

/* After configure: the NIC's redirection table as ours (entry i -> queue i % queues). */
static void
steer_reta(void)
{
	struct rte_eth_rss_reta_entry64 conf[PTCP_STEER_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	unsigned int size = M->steer->reta_mask + 1, i;
	struct rte_eth_rss_conf rc;
	uint8_t key[PTCP_STEER_KEY_MAX];

	if (!M->rss)
		return;
	memset(conf, 0, sizeof(conf));
	for (i = 0; i < size; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % M->nb_qp);
	}
	if (rte_eth_dev_rss_reta_update(M->port_id, conf, (uint16_t)size) != 0)
		M->hw_hash = false;
	/* The NIC's hash is ours only if it kept our key. */
	memset(&rc, 0, sizeof(rc));
	rc.rss_key = key;
	rc.rss_key_len = sizeof(key);
	if (M->hw_hash && (rte_eth_dev_rss_hash_conf_get(M->port_id, &rc) != 0 ||
			   rc.rss_key_len < M->steer->key_len ||
			   memcmp(key, M->steer->key, M->steer->key_len) != 0))
		M->hw_hash = false;
	printf("port %u: RSS over %u queue pairs, symmetric Toeplitz key, %u-entry table%s\n",
	       M->port_id, M->nb_qp, size, M->hw_hash ? "" : " (hash recomputed per segment)");
}

/* One pool per NUMA socket that has a worker lcore. */
static int
create_pools(void)
{
	unsigned int lcores_on[RTE_MAX_NUMA_NODES] = { 0 };
	uint32_t per_lcore, frame_max = M->mtu + FRAME_OVERHEAD;
	uint16_t room = RTE_PKTMBUF_HEADROOM +
		RTE_MAX(frame_max, (uint32_t)RTE_MBUF_DEFAULT_DATAROOM);
	unsigned int lcore;
	int s;

	RTE_LCORE_FOREACH(lcore)
		lcores_on[lcore_socket(lcore)]++;

	per_lcore = M->conf.nb_rxd + M->conf.nb_txd + 2 * PTCP_PORT_RX_BURST +
		2 * POOL_CACHE + M->conf.mbufs_per_lcore;
	if (M->conf.impair != NULL)    /* frames held by the RX and TX impairers */
		per_lcore += 2 * M->impair.limit;
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		uint32_t n = lcores_on[s] * per_lcore;
		struct rte_mempool *mp;

		if (lcores_on[s] == 0)
			continue;
		snprintf(name, sizeof(name), "ptcp_mbuf_s%d", s);
		mp = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0, room, s);
		if (mp == NULL && rte_errno == ENOMEM) {
			/* e.g. --no-huge: all memory is on one socket */
			mp = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0, room, SOCKET_ID_ANY);
			if (mp != NULL)
				printf("port %u: no memory on socket %d, its mbuf pool is on "
				       "socket %d\n", M->port_id, s, mp->socket_id);
		}
		if (mp == NULL)
			return fail(rte_errno, "cannot create a pool of %u mbufs (%u bytes each) "
				    "for socket %d: %s (give EAL more memory with -m, or lower "
				    "--mbufs)", n, room, s, rte_strerror(rte_errno));
		M->pools[s] = mp;
		/*
		 * Indirect mbufs (no data room) for zero-copy TX: one per payload
		 * piece of a segment between the stack and the end of the PMD's
		 * transmission (TX ring, impairer, capture), per lcore.
		 */
		/*
		 * Payloads go as clones only where that saves work: the port sends
		 * chains and checksums them itself. Without that the stack reads
		 * every payload byte anyway to sum it, and copying it into the header
		 * mbuf on the way beats a chain the PMD and the checksum walk segment
		 * by segment. Over memif (no offload), bench.sh's stream row: 4.00
		 * Gbit/s with chains, 5.69 and 5.61 copied (three runs; the rr rows
		 * of those runs varied more between runs than between the two ways).
		 */
		if (M->offloads & PTCP_OFFLOAD_TX_CKSUM_SEGS) {
			uint32_t ni = lcores_on[s] * (2 * M->conf.nb_txd + 4096 + 2 * POOL_CACHE);

			snprintf(name, sizeof(name), "ptcp_ind_s%d", s);
			mp = rte_pktmbuf_pool_create(name, ni, POOL_CACHE, 0, 0, s);
			if (mp == NULL && rte_errno == ENOMEM)
				mp = rte_pktmbuf_pool_create(name, ni, POOL_CACHE, 0, 0,
							     SOCKET_ID_ANY);
			if (mp == NULL)
				return fail(rte_errno, "cannot create a pool of %u indirect mbufs "
					    "for socket %d: %s", ni, s, rte_strerror(rte_errno));
			M->ind_pools[s] = mp;
		}
	}
	return 0;
}

static int
setup_queues(void)
{
	struct rte_eth_dev_info di;
	struct rte_eth_rxconf rxc;
	struct rte_eth_txconf txc;
	struct rte_eth_conf pc;
	uint16_t port = M->port_id;
	int port_socket = rte_eth_dev_socket_id(port);
	unsigned int lcore;
	int ret;

	ret = rte_eth_dev_info_get(port, &di);
	if (ret == 0)
		ret = rte_eth_dev_conf_get(port, &pc);
	if (ret != 0)
		return fail(-ret, "port %u: cannot read its configuration: %s", port,
			    rte_strerror(-ret));
	rxc = di.default_rxconf;
	rxc.offloads = pc.rxmode.offloads;
	txc = di.default_txconf;
	txc.offloads = pc.txmode.offloads;

	RTE_LCORE_FOREACH(lcore) {
		uint16_t q = M->queue_of_lcore[lcore];
		int s = lcore_socket(lcore);

		if (port_socket >= 0 && port_socket != s)
			printf("port %u: queue %u is polled by lcore %u on socket %d, the port is "
			       "on socket %d (cross-NUMA)\n", port, q, lcore, s, port_socket);
		if (q >= M->nb_qp)
			continue;      /* no queue: steered to, sends through lcore q % nb_qp */
		ret = rte_eth_rx_queue_setup(port, q, M->conf.nb_rxd, s, &rxc, M->pools[s]);
		if (ret < 0)
			return fail(-ret, "port %u: RX queue %u setup failed: %s", port, q,
				    rte_strerror(-ret));
		ret = rte_eth_tx_queue_setup(port, q, M->conf.nb_txd, s, &txc);
		if (ret < 0)
			return fail(-ret, "port %u: TX queue %u setup failed: %s", port, q,
				    rte_strerror(-ret));
	}
	return 0;
}

static int
start(void)
{
	uint16_t port = M->port_id;
	int ret;

	ret = rte_eth_dev_start(port);
	if (ret < 0)
		return fail(-ret, "port %u: start failed: %s", port, rte_strerror(-ret));
	M->port_started = true;
	if (M->steer != NULL) {
		if (M->rss)
			steer_reta();
		else
			printf("port %u: software steering of %u queue pair%s to %u lcores "
			       "(symmetric Toeplitz hash)\n", port, M->nb_qp,
			       M->nb_qp == 1 ? "" : "s", M->nb_queues);
	}

	/* Only frames for our MAC (and broadcast); not all drivers can say. */
	ret = rte_eth_promiscuous_disable(port);
	if (ret != 0 && ret != -ENOTSUP)
		printf("port %u: cannot disable promiscuous mode: %s\n", port,
		       rte_strerror(-ret));
	return 0;
}

static void
print_link(const struct rte_eth_link *link)
{
	char s[RTE_ETH_LINK_MAX_STR_LEN];

	rte_eth_link_to_str(s, sizeof(s), link);
	printf("port %u: %s\n", M->port_id, s);
	fflush(stdout);
}

/*
 * Poll the link every poll_ms until its status is want, timeout_ms passed
 * or *stop is non-zero; *link holds the last status read, *waited the ms
 * spent. Returns 0 (want reached), -ETIMEDOUT, -EINTR (stop) or -EIO (no
 * link status).
 */
static int
link_wait_for(uint8_t want, uint32_t timeout_ms, uint32_t poll_ms, const volatile int *stop,
	      struct rte_eth_link *link, uint32_t *waited)
{
	for (*waited = 0;; *waited += poll_ms) {
		memset(link, 0, sizeof(*link));
		if (rte_eth_link_get_nowait(M->port_id, link) != 0)
			return -EIO;
		if (link->link_status == want)
			return 0;
		if (*waited >= timeout_ms)
			return -ETIMEDOUT;
		if (stop != NULL && *stop != 0)
			return -EINTR;
		rte_delay_ms(poll_ms);
	}
}

static void
wait_link(void)
{
	struct rte_eth_link link;
	uint32_t waited;

	(void)link_wait_for(RTE_ETH_LINK_UP, M->conf.link_wait_ms, LINK_POLL_MS, &M->stop, &link,
			    &waited);

	M->link_up = link.link_status == RTE_ETH_LINK_UP;
	print_link(&link);
	if (!M->link_up)
		printf("port %u: link still down after %u ms; serving anyway, announcing "
		       "when it comes up\n", M->port_id, waited);
}

/* ---- pcapng capture (--pcap) ---------------------------------------------- */

/*
 * Timestamps. DPDK 22.11.11's rte_pcapng converts TSC to time with a base
 * it takes lazily inside the first rte_pcapng_copy/write_stats call; a
 * timestamp read before that call is "in the past" and the conversion
 * wraps (captures dated centuries ahead), and the base is updated without
 * synchronisation between lcores. So: start the library's clock with a
 * throw-away copy stamped just ahead of now, and stamp every Enhanced
 * Packet Block ourselves from a base taken here.
 */
struct pcapng_epb_head {            /* pcapng Enhanced Packet Block, first words */
	uint32_t block_type;
	uint32_t block_length;
	uint32_t interface_id;
	uint32_t timestamp_hi;
	uint32_t timestamp_lo;
};

static uint64_t pcap_ns0, pcap_tsc0;

static void
pcap_clock_init(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(M->pcap_pool), *c = NULL;
	struct timespec ts;

	if (m != NULL && rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN) != NULL)
		c = rte_pcapng_copy(M->port_id, 0, m, M->pcap_pool, UINT32_MAX,
				    rte_rdtsc() + M->tsc_hz / 1000, RTE_PCAPNG_DIRECTION_UNKNOWN);
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(m);

	clock_gettime(CLOCK_REALTIME, &ts);
	pcap_tsc0 = rte_rdtsc();
	pcap_ns0 = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static inline void
pcap_stamp(struct rte_mbuf *c, uint64_t tsc)
{
	struct pcapng_epb_head *epb = rte_pktmbuf_mtod(c, struct pcapng_epb_head *);
	uint64_t d = tsc - pcap_tsc0;
	uint64_t ns = pcap_ns0 + (d / M->tsc_hz) * NS_PER_S +
		(d % M->tsc_hz) * NS_PER_S / M->tsc_hz;

	epb->timestamp_hi = (uint32_t)(ns >> 32);
	epb->timestamp_lo = (uint32_t)ns;
}

static int
open_pcap(void)
{
	char os[sizeof(((struct utsname *)0)->sysname) +
		sizeof(((struct utsname *)0)->release) + 2] = "";
	struct utsname u;
	uint32_t room;
	int fd;

	if (M->conf.pcap_path == NULL)
		return 0;
	room = RTE_PKTMBUF_HEADROOM + rte_pcapng_mbuf_size(M->mtu + FRAME_OVERHEAD);
	if (room > UINT16_MAX)
		return fail(EINVAL, "--pcap: frames of MTU %u are too large to capture", M->mtu);
	M->pcap_pool = rte_pktmbuf_pool_create("ptcp_pcap", PCAP_POOL_SIZE, PCAP_POOL_CACHE,
					       0, (uint16_t)room, SOCKET_ID_ANY);
	if (M->pcap_pool == NULL)
		return fail(rte_errno, "--pcap: cannot create the capture pool: %s",
			    rte_strerror(rte_errno));

	fd = open(M->conf.pcap_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(errno, "--pcap %s: %s", M->conf.pcap_path, strerror(errno));
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	/* DPDK 22.11 writes one Interface Description Block per port here. */
	M->pcap = rte_pcapng_fdopen(fd, os[0] ? os : NULL, NULL,
				    program_invocation_short_name, NULL);
	if (M->pcap == NULL) {
		close(fd);
		return fail(rte_errno, "--pcap %s: cannot start pcapng: %s", M->conf.pcap_path,
			    rte_strerror(rte_errno));
	}
	rte_spinlock_init(&M->pcap_lock);
	pcap_clock_init();
	printf("capturing to %s (pcapng)\n", M->conf.pcap_path);
	return 0;
}

static void
close_pcap(void)
{
	if (M->pcap != NULL) {
		rte_pcapng_write_stats(M->pcap, M->port_id, NULL, 0, 0, M->pcap_frames,
				       M->pcap_dropped);
		rte_pcapng_close(M->pcap);     /* closes the fd */
		M->pcap = NULL;
		printf("capture: %" PRIu64 " frames written to %s, %" PRIu64 " dropped\n",
		       M->pcap_frames, M->conf.pcap_path, M->pcap_dropped);
	}
	rte_mempool_free(M->pcap_pool);
	M->pcap_pool = NULL;
}

void
ptcp_port_pcap_copy(struct port_lcore *lc, struct rte_mbuf **pkts, uint16_t n, bool tx,
		    struct rte_mbuf **copies)
{
	uint64_t tsc = rte_rdtsc();
	enum rte_pcapng_direction dir = tx ? RTE_PCAPNG_DIRECTION_OUT : RTE_PCAPNG_DIRECTION_IN;
	uint16_t i;

	for (i = 0; i < n; i++) {
		copies[i] = rte_pcapng_copy(lc->port_id, lc->queue, pkts[i], M->pcap_pool,
					    UINT32_MAX, tsc, dir);
		if (unlikely(copies[i] == NULL)) {
			PTCP_INC(lc->st, PCAP_DROP);
			continue;
		}
		pcap_stamp(copies[i], tsc);
		/*
		 * rte_pcapng_write_packets maps mbuf->port to the interface;
		 * 22.11's copy keeps the original's port, which is
		 * RTE_MBUF_PORT_INVALID for frames the stack built.
		 */
		copies[i]->port = lc->port_id;
	}
}

void
ptcp_port_pcap_write(struct port_lcore *lc, struct rte_mbuf **copies, uint16_t keep,
		     uint16_t n)
{
	uint16_t i, k = 0;
	ssize_t ret;

	for (i = 0; i < n; i++) {
		if (copies[i] == NULL)
			continue;
		if (i < keep)
			copies[k++] = copies[i];
		else
			rte_pktmbuf_free(copies[i]);
	}
	if (k == 0)
		return;
	rte_spinlock_lock(&M->pcap_lock);
	ret = rte_pcapng_write_packets(M->pcap, copies, k);
	if (ret < 0)
		M->pcap_dropped += k;
	else
		M->pcap_frames += k;
	rte_spinlock_unlock(&M->pcap_lock);
	/* Its 22.11 header says it frees them; the code (22.11 to 24.x) does not. */
	rte_pktmbuf_free_bulk(copies, k);
	if (ret < 0)
		PTCP_ADD(lc->st, PCAP_DROP, k);
}

/* ---- Impairment (--impair) ---------------------------------------------------- */

static int
create_impairers(struct port_lcore *lc)
{
	struct ptcp_impair_conf c = M->impair;

	if (M->conf.impair == NULL)
		return 0;
	c.seed = ptcp_impair_stream_seed(M->impair.seed, lc->lcore_id, PTCP_IMPAIR_RX);
	lc->imp_rx = ptcp_impair_create(&c, lc->pool, lc->socket_id);
	c.seed = ptcp_impair_stream_seed(M->impair.seed, lc->lcore_id, PTCP_IMPAIR_TX);
	if (lc->imp_rx != NULL)
		lc->imp_tx = ptcp_impair_create(&c, lc->pool, lc->socket_id);
	if (lc->imp_rx == NULL || lc->imp_tx == NULL)
		return fail(rte_errno, "--impair: cannot create the impairers of lcore %u: %s",
			    lc->lcore_id, rte_strerror(rte_errno));
	return 0;
}

static void
print_impair_conf(void)
{
	char s[256];

	if (M->conf.impair == NULL)
		return;
	ptcp_impair_format(&M->impair, s, sizeof(s));
	printf("impair: %s\n", s);
}

/* "impair rx: in N out N ..." per direction, summed over lcores. */
static void
print_impair_stats(FILE *f)
{
	static const char *const dir_name[2] = { "rx", "tx" };
	unsigned int d;
	uint16_t q;

	if (M->conf.impair == NULL)
		return;
	for (d = 0; d < 2; d++) {
		struct ptcp_impair_stats sum = { 0 }, s;

		for (q = 0; q < M->nb_queues; q++) {
			struct port_lcore *lc = M->lcores[q];
			struct ptcp_impair *imp = lc == NULL ? NULL : d == 0 ? lc->imp_rx : lc->imp_tx;

			if (imp == NULL)
				continue;
			ptcp_impair_stats_get(imp, &s);
			sum.in += s.in;
			sum.out += s.out;
			sum.drop += s.drop;
			sum.drop_bytes += s.drop_bytes;
			sum.dup += s.dup;
			sum.reorder += s.reorder;
			sum.delay += s.delay;
			sum.overflow += s.overflow;
			sum.held += s.held;
		}
		fprintf(f, "impair %s: in %" PRIu64 " out %" PRIu64 " drop %" PRIu64 " dup %" PRIu64
			" reorder %" PRIu64 " delay %" PRIu64 " overflow %" PRIu64 " held %" PRIu32
			" drop_bytes %" PRIu64 "\n", dir_name[d], sum.in, sum.out, sum.drop, sum.dup,
			sum.reorder, sum.delay, sum.overflow, sum.held, sum.drop_bytes);
	}
}

/* ---- Stacks ------------------------------------------------------------------ */

static int
create_stacks(void)
{
	struct rte_ether_addr mac;
	unsigned int lcore;
	int ret;

	ret = rte_eth_macaddr_get(M->port_id, &mac);
	if (ret != 0)
		return fail(-ret, "port %u: cannot read its MAC address: %s", M->port_id,
			    rte_strerror(-ret));

	if (M->nb_queues > 1) {
		M->neigh = ptcp_neigh_create("ptcp_neigh", SOCKET_ID_ANY, true,
					     M->conf.stack.arp_entries);
		if (M->neigh == NULL)
			return fail(rte_errno, "cannot create the neighbour table: %s",
				    rte_strerror(rte_errno));
	}
	RTE_LCORE_FOREACH(lcore) {
		uint16_t q = M->queue_of_lcore[lcore];
		int s = lcore_socket(lcore);
		struct ptcp_stack_conf sc = M->conf.stack;
		struct port_lcore *lc;

		lc = rte_zmalloc_socket("ptcp_port_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, s);
		if (lc == NULL)
			lc = rte_zmalloc("ptcp_port_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE);
		if (lc == NULL)
			return fail(ENOMEM, "out of memory for lcore %u", lcore);
		M->lcores[q] = lc;
		lc->port_id = M->port_id;
		lc->queue = q;
		lc->lcore_id = lcore;
		lc->socket_id = s;
		lc->pool = M->pools[s];
		snprintf(lc->name, sizeof(lc->name), "ptcp_l%u", lcore);

		if (M->nb_queues > 1) {
			char rname[RTE_RING_NAMESIZE];

			snprintf(rname, sizeof(rname), "ptcp_inbox_l%u", lcore);
			lc->inbox = rte_ring_create_elem(rname, sizeof(struct port_msg),
							 PORT_INBOX_SIZE, s, RING_F_SC_DEQ);
			if (lc->inbox == NULL)
				return fail(rte_errno, "cannot create ring %s: %s", rname,
					    rte_strerror(rte_errno));
		}

		if (q >= M->nb_qp)
			lc->tx_via = M->lcores[q % M->nb_qp];   /* created before: lower rank */
		if (M->nb_qp < M->nb_queues && q < M->nb_qp) {
			char rname[RTE_RING_NAMESIZE];

			snprintf(rname, sizeof(rname), "ptcp_txbox_l%u", lcore);
			lc->txbox = rte_ring_create(rname, PORT_TXBOX_SIZE, s, RING_F_SC_DEQ);
			if (lc->txbox == NULL)
				return fail(rte_errno, "cannot create ring %s: %s", rname,
					    rte_strerror(rte_errno));
		}

		ret = create_impairers(lc);
		if (ret != 0)
			return ret;

		rte_ether_addr_copy(&mac, &sc.mac);
		sc.mtu = M->mtu;
		sc.pool = lc->pool;
		sc.indirect_pool = M->ind_pools[s];
		sc.tx_fn = ptcp_port_tx;
		sc.tx_arg = lc;
		sc.socket_id = s;
		sc.offloads = M->offloads;
		sc.name = lc->name;
		if (M->nb_queues > 1) {
			sc.neigh = M->neigh;
			sc.steer = M->steer;
			sc.steer_owner = q;
			sc.handoff_fn = ptcp_port_handoff;
			sc.handoff_arg = lc;
		}
		/*
		 * The pool holds the rings, bursts and caches of every lcore plus
		 * mbufs_per_lcore each: that share bounds what this stack's queues
		 * may hold, less 1/8 kept for ARP and reassembly waits, transient
		 * TX copies and the control reserve. RX refills come from the
		 * ring share, so queues at their limit never starve the RX ring.
		 */
		if (sc.mem_limit == 0)
			sc.mem_limit = M->conf.mbufs_per_lcore / 8 * 7;
		if (sc.mbuf_reserve == 0)
			sc.mbuf_reserve = RTE_MAX(64u, M->conf.mbufs_per_lcore / 32);
		lc->st = ptcp_stack_create(&sc);
		if (lc->st == NULL)
			return fail(rte_errno ? rte_errno : ENOMEM, "cannot create the stack of "
				    "lcore %u: %s", lcore, rte_strerror(rte_errno));
		if (M->conf.stack_init != NULL) {
			ret = M->conf.stack_init(lc->st, lcore, M->conf.arg);
			if (ret < 0)
				ret = -ret;
			if (ret != 0)
				return fail(ret, "lcore %u: application setup failed: %s", lcore,
					    rte_strerror(ret));
		}
	}
	return 0;
}

/* RFC 5227 announcement from the calling lcore's stack. */
static void
announce(struct port_lcore *lc)
{
	ptcp_net_announce(lc->st);
	ptcp_stack_flush(lc->st);
	M->announced = true;
}

void
ptcp_port_link_check(struct port_lcore *lc, bool verbose)
{
	struct rte_eth_link link;
	bool up;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(M->port_id, &link) != 0)
		return;
	up = link.link_status == RTE_ETH_LINK_UP;
	if (up != M->link_up) {
		M->link_up = up;
		if (verbose)
			print_link(&link);
		if (up)
			M->announced = false;    /* announce again after a flap */
	}
	if (up && !M->announced)
		announce(lc);
}

int
ptcp_port_init(const struct ptcp_port_conf *conf)
{
	int ret;

	if (!M->eal_up)
		return fail(EINVAL, "ptcp_port_init before ptcp_port_eal_init");
	M->conf = *conf;
	if (conf->impair != NULL) {
		M->impair = *conf->impair;
		if (M->impair.limit == 0)
			M->impair.limit = PTCP_IMPAIR_DEFAULT_LIMIT;
		if (M->impair.reorder_hold_us == 0)
			M->impair.reorder_hold_us = PTCP_IMPAIR_DEFAULT_HOLD_US;
		M->conf.impair = &M->impair;
	}
	if (M->conf.nb_rxd == 0)
		M->conf.nb_rxd = DEFAULT_NB_DESC;
	if (M->conf.nb_txd == 0)
		M->conf.nb_txd = DEFAULT_NB_DESC;
	if (M->conf.mbufs_per_lcore == 0)
		M->conf.mbufs_per_lcore = DEFAULT_MBUFS_PER_LCORE;
	M->mtu = conf->stack.mtu != 0 ? conf->stack.mtu : RTE_ETHER_MTU;

	ret = pick_port(conf->port_id);
	if (ret == 0) {
		assign_queues();
		ret = configure();
	}
	if (ret == 0)
		ret = create_pools();
	if (ret == 0)
		ret = setup_queues();
	if (ret == 0)
		ret = start();
	if (ret == 0)
		wait_link();
	if (ret == 0)
		ret = open_pcap();
	if (ret == 0) {
		print_impair_conf();
		ret = create_stacks();
	}
	if (ret != 0)
		return ret;

	/* The main lcore's stack announces; the loop repeats it after a link flap. */
	if (M->link_up)
		announce(M->lcores[M->queue_of_lcore[rte_get_main_lcore()]]);
	fflush(stdout);
	return 0;
}

/* ---- Run, stop ------------------------------------------------------------------ */

/*
 * At the stop an lcore still draining its connections may hand work to one
 * that has already left its loop (a reassembled segment, an ICMP error, a
 * steered frame). Once every lcore has returned, what waits in the inboxes
 * is freed here and counted on the lcore it was meant for, so hand-offs
 * add up: IP_HANDOFF_TX = IP_HANDOFF_RX + IP_HANDOFF_STOP_FREED.
 */
static void
inboxes_release(void)
{
	uint16_t q;

	for (q = 0; q < RTE_MAX_LCORE; q++) {
		struct port_lcore *lc = M->lcores[q];
		struct port_msg msg;

		if (lc == NULL || lc->inbox == NULL || lc->st == NULL)
			continue;
		while (rte_ring_dequeue_elem(lc->inbox, &msg, sizeof(msg)) == 0) {
			PTCP_INC(lc->st, INBOX_STOP_FREED);
			if (msg.kind == PORT_MSG_HANDOFF)
				PTCP_INC(lc->st, IP_HANDOFF_STOP_FREED);
			rte_pktmbuf_free(msg.m);
		}
	}
}

int
ptcp_port_run(void)
{
	int ret = rte_eal_mp_remote_launch(ptcp_port_lcore_main, NULL, CALL_MAIN);

	if (ret < 0)
		return fail(-ret, "cannot launch the lcores: %s", rte_strerror(-ret));
	rte_eal_mp_wait_lcore();
	inboxes_release();
	return 0;
}

void
ptcp_port_stop(void)
{
	/* A lock-free int store: async-signal-safe. */
	int next = __atomic_load_n(&M->stop, __ATOMIC_RELAXED) == 0 ? 1 : 2;

	__atomic_store_n(&M->stop, next, __ATOMIC_RELEASE);
}

bool
ptcp_port_stopping(void)
{
	return __atomic_load_n(&M->stop, __ATOMIC_RELAXED) != 0;
}

int
ptcp_port_wait_link_down(uint32_t timeout_ms, const volatile int *cancel)
{
	struct rte_eth_link link;
	uint32_t waited;
	int ret = link_wait_for(RTE_ETH_LINK_DOWN, timeout_ms, LINK_WAIT_DOWN_POLL_MS, cancel,
				&link, &waited);

	return ret == 0 ? (int)RTE_MIN(waited, (uint32_t)INT32_MAX) : ret;
}

/* ---- Reports ------------------------------------------------------------------ */

void
ptcp_port_counters(uint64_t *sum)
{
	uint16_t q;

	memset(sum, 0, sizeof(*sum) * PTCP_CTR_MAX);
	for (q = 0; q < M->nb_queues; q++)
		if (M->lcores[q] != NULL && M->lcores[q]->st != NULL)
			ptcp_stack_counters_add(M->lcores[q]->st, sum);
}

/*
 * "mbufs: in use N of M": how much packet memory is held (RX rings, queues
 * of connections, ARP and reassembly waits). Read from the main lcore while
 * workers run, so approximate by the per-lcore caches; tests use it to show
 * that memory stays bounded when a peer stops reading.
 */
/*
 * "tcp memory: held N pressure P limit L reserve R": mbufs held by the TCP
 * queues of every lcore against the sum of their budgets (racy read of
 * plain counters while workers run; a report, not a measurement).
 */
static void
print_tcp_memory(FILE *f)
{
	uint64_t held = 0, pressure = 0, limit = 0, reserve = 0;
	uint16_t q;

	for (q = 0; q < M->nb_queues; q++) {
		const struct ptcp_stack *st = M->lcores[q] != NULL ? M->lcores[q]->st : NULL;

		if (st == NULL)
			continue;
		held += st->mem_held;
		pressure += st->conf.mem_pressure;
		limit += st->conf.mem_limit;
		reserve = st->conf.mbuf_reserve;
	}
	fprintf(f, "tcp memory: held %" PRIu64 " pressure %" PRIu64 " limit %" PRIu64
		" reserve %" PRIu64 "\n", held, pressure, limit, reserve);
}

static void
print_pool_use(FILE *f)
{
	unsigned int in_use = 0, size = 0, i;

	for (i = 0; i < RTE_MAX_NUMA_NODES; i++) {
		if (M->pools[i] == NULL)
			continue;
		in_use += rte_mempool_in_use_count(M->pools[i]);
		size += M->pools[i]->size;
	}
	fprintf(f, "mbufs: in use %u of %u\n", in_use, size);
	print_tcp_memory(f);
}

/*
 * "tcp: connections N time-wait records M": slots of the max_conns pools in
 * use and TIME-WAIT records (outside them), summed over the lcores; read
 * from the main lcore while workers run, so approximate.
 */
static void
print_tcp_use(FILE *f)
{
	uint32_t conns = 0, tw = 0;
	uint16_t q;

	for (q = 0; q < M->nb_queues; q++) {
		if (M->lcores[q] == NULL || M->lcores[q]->st == NULL)
			continue;
		conns += ptcp_stack_conn_count(M->lcores[q]->st);
		tw += ptcp_stack_time_wait_count(M->lcores[q]->st);
	}
	fprintf(f, "tcp: connections %" PRIu32 " time-wait records %" PRIu32 "\n", conns, tw);
}

static void
print_port_stats(FILE *f)
{
	struct rte_eth_stats s;

	if (!M->port_configured || rte_eth_stats_get(M->port_id, &s) != 0)
		return;
	fprintf(f, "port %u: ipackets %" PRIu64 " opackets %" PRIu64 " imissed %" PRIu64
		" ierrors %" PRIu64 " oerrors %" PRIu64 " rx_nombuf %" PRIu64 "\n",
		M->port_id, s.ipackets, s.opackets, s.imissed, s.ierrors, s.oerrors,
		s.rx_nombuf);
	print_pool_use(f);
	print_tcp_use(f);
}

static void
print_counters(FILE *f, const char *header)
{
	uint64_t sum[PTCP_CTR_MAX];
	int i;

	ptcp_port_counters(sum);
	fprintf(f, "%s\n", header);
	for (i = 0; i < PTCP_CTR_MAX; i++)
		if (sum[i] != 0)
			fprintf(f, "  %s %" PRIu64 "\n", ptcp_ctr_names[i], sum[i]);
}

/* With several lcores, how the load spread: "lcore 1 queue 1: rx N tx N accepted N". */
static void
print_lcore_split(FILE *f)
{
	uint16_t q;

	if (M->nb_queues < 2)
		return;
	for (q = 0; q < M->nb_queues; q++) {
		const struct port_lcore *lc = M->lcores[q];

		if (lc == NULL || lc->st == NULL)
			continue;
		fprintf(f, "lcore %u queue %u: rx %" PRIu64 " tx %" PRIu64 " accepted %" PRIu64
			" connected %" PRIu64 "\n", lc->lcore_id, q, lc->st->ctr[PTCP_CTR_RX_PKTS],
			lc->st->ctr[PTCP_CTR_TX_PKTS], lc->st->ctr[PTCP_CTR_TCP_ACCEPTED],
			lc->st->ctr[PTCP_CTR_TCP_CONNECTED]);
	}
}

void
ptcp_port_report(FILE *f)
{
	print_port_stats(f);
	print_lcore_split(f);
	print_impair_stats(f);
	print_counters(f, "counters:");
	fflush(f);
}

void
ptcp_port_report_periodic(FILE *f, uint64_t secs)
{
	char header[64];

	/* Not "counters:": tests take the last block with that header as final. */
	snprintf(header, sizeof(header), "stats (%" PRIu64 " s):", secs);
	print_port_stats(f);
	print_impair_stats(f);
	print_counters(f, header);
	fflush(f);
}

/* ---- Teardown ---------------------------------------------------------------- */

void
ptcp_port_fini(void)
{
	uint16_t q;
	int s;

	if (M->port_started) {
		rte_eth_dev_stop(M->port_id);
		M->port_started = false;
	}
	close_pcap();                  /* its statistics block needs a valid port */
	for (q = 0; q < RTE_MAX_LCORE; q++) {
		struct port_lcore *lc = M->lcores[q];

		if (lc == NULL)
			continue;
		if (lc->st != NULL)
			ptcp_stack_destroy(lc->st);
		ptcp_impair_free(lc->imp_rx);      /* frees the frames it still holds */
		ptcp_impair_free(lc->imp_tx);
		if (lc->inbox != NULL) {
			struct port_msg msg;

			while (rte_ring_dequeue_elem(lc->inbox, &msg, sizeof(msg)) == 0)
				rte_pktmbuf_free(msg.m);
			rte_ring_free(lc->inbox);
		}
		rte_pktmbuf_free_bulk(lc->hold, lc->nhold);
		lc->nhold = 0;
		if (lc->txbox != NULL) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(lc->txbox, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(lc->txbox);
		}
		rte_free(lc);
		M->lcores[q] = NULL;
	}
	ptcp_neigh_free(M->neigh);     /* after the stacks: lcore 0's freed its waiting frames */
	M->neigh = NULL;
	rte_free(M->steer);
	M->steer = NULL;
	if (M->port_configured) {
		rte_eth_dev_close(M->port_id);
		M->port_configured = false;
	}
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		rte_mempool_free(M->pools[s]);
		M->pools[s] = NULL;
		rte_mempool_free(M->ind_pools[s]);
		M->ind_pools[s] = NULL;
	}
	if (M->eal_up) {
		fflush(stdout);
		rte_eal_cleanup();
		M->eal_up = false;
	}
}
