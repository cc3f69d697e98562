/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and tearing down the data plane: the mbuf pool, the hand-off
 * rings, RCU, the neighbour table, and the two ports opened from their
 * drivers-cfg profiles with one RX and one TX queue per worker. Teardown
 * gives every mbuf back to its pool, which the shutdown check relies on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <rte_lpm.h>

#include "esp.h"
#include "neigh.h"
#include "port.h"
#include "sa.h"
#include "worker_priv.h"

RTE_LOG_REGISTER(port_logtype, p2sgw.port, INFO);
#define PORT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, port_logtype, "port: " fmt "\n", ##__VA_ARGS__)

#define RING_SIZE 1024
#define MBUF_CACHE 256
#define INDIRECT_MBUFS 8191
/* Tunnel table size; the SKU's tunnel limit (128 by default) is enforced above it. */
#define SA_TABLE_SIZE 1024

int port_meta_offset = -1;

#define DROP_NAME(name, help) #name,
#define DROP_HELP(name, help) help,
static const char *const drop_names[] = { PORT_DROP_REASONS(DROP_NAME) };
static const char *const drop_helps[] = { PORT_DROP_REASONS(DROP_HELP) };

const char *
port_drop_name(enum port_drop d)
{
	return d < PORT_DROP_COUNT ? drop_names[d] : "?";
}

const char *
port_drop_help(enum port_drop d)
{
	return d < PORT_DROP_COUNT ? drop_helps[d] : "?";
}

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...) __rte_format_printf(4, 5);

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* The configured folder, else the installed one, else the source tree's. */
static const char *
profile_dir(const struct conf *c)
{
	if (c->profile_dir[0])
		return c->profile_dir;
	if (access(P2SGW_DRIVERS_CFG_DIR, R_OK) == 0)
		return P2SGW_DRIVERS_CFG_DIR;
	return P2SGW_SOURCE_DRIVERS_CFG_DIR;
}

static uint16_t
find_port(const char *name)
{
	uint16_t id;

	return rte_eth_dev_get_port_by_name(name, &id) == 0 ? id : RTE_MAX_ETHPORTS;
}

/* Create (vdev) or probe (PCI) the device behind a port; sets p->port_id. */
static int
port_attach(struct port *p, const char *field, const struct conf_port *cp, unsigned nq,
	    unsigned index, char *err, size_t errlen)
{
	char devargs[256], probe[400], name[sizeof(p->devname)];
	int rc;

	rc = conf_profile_devargs(&p->profile, cp, nq, index, devargs, sizeof(devargs), err,
				  errlen);
	if (rc != 0)
		return rc;
	/* Through a local buffer: gcc 12 cannot tell p->devname from p->profile (-Wrestrict). */
	if (p->profile.bus == CONF_BUS_VDEV)
		snprintf(name, sizeof(name), "%s%u", p->profile.driver, index);
	else
		snprintf(name, sizeof(name), "%s", cp->pci);
	memcpy(p->devname, name, sizeof(p->devname));
	if (p->profile.bus == CONF_BUS_VDEV) {
		/* A vdev is probed by "name,args"; a PCI device by its devargs. */
		if (snprintf(probe, sizeof(probe), "%s%s%s", name, devargs[0] ? "," : "",
			     devargs) >= (int)sizeof(probe))
			return fail(err, errlen, -ENOSPC, "%s: devargs too long", field);
	} else {
		snprintf(probe, sizeof(probe), "%s", devargs);
	}
	rc = rte_dev_probe(probe);
	if (rc != 0)
		return fail(err, errlen, rc < 0 ? rc : -ENODEV,
			    "%s: cannot create device %s (%s%s%s): %s", field, p->devname,
			    p->profile.driver, devargs[0] ? "," : "", devargs, rte_strerror(-rc));
	p->port_id = find_port(p->devname);
	if (p->port_id == RTE_MAX_ETHPORTS)
		return fail(err, errlen, -ENODEV, "%s: device %s has no ethdev port", field,
			    p->devname);
	return 0;
}

static int
port_configure(struct port *p, const char *field, unsigned nq, struct rte_mempool *mp,
	       char *err, size_t errlen)
{
	struct rte_eth_conf ec = { 0 };
	struct rte_eth_dev_info info;
	uint16_t rxd = p->profile.rx_desc, txd = p->profile.tx_desc, q;
	int socket = rte_eth_dev_socket_id(p->port_id);
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot query %s", field, p->devname);
	if (nq > info.max_rx_queues || nq > info.max_tx_queues)
		return fail(err, errlen, -EINVAL,
			    "%s: %s takes at most %u queues but there are %u workers; use fewer lcores",
			    field, p->devname, RTE_MIN(info.max_rx_queues, info.max_tx_queues), nq);
	ec.rx_adv_conf.rss_conf.rss_hf = p->profile.rss_hf & info.flow_type_rss_offloads;
	if (nq > 1 && p->profile.rss && ec.rx_adv_conf.rss_conf.rss_hf)
		ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	else
		ec.rx_adv_conf.rss_conf.rss_hf = 0;
	/* af_packet spreads its queue pairs with PACKET_FANOUT, without RSS offloads. */
	p->rss = nq > 1 && p->profile.rss;

	rc = rte_eth_dev_configure(p->port_id, nq, nq, &ec);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	for (q = 0; rc == 0 && q < nq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, rxd, socket, NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, txd, socket, NULL);
	}
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot set up %s with %u queues: %s", field,
			    p->devname, nq, rte_strerror(-rc));
	p->rx_queues = p->tx_queues = nq;
	return 0;
}

static int
port_open(struct dp *dp, enum port_index pi, const struct conf_port *cp, const char *dir,
	  char *err, size_t errlen)
{
	struct port *p = &dp->ports[pi];
	char field[32];
	uint16_t mtu;
	int rc;

	snprintf(field, sizeof(field), "ports.%s", p->name);
	rc = port_attach(p, field, cp, dp->n_workers, pi, err, errlen);
	if (rc == 0)
		rc = port_configure(p, field, dp->n_workers, dp->mbufs, err, errlen);
	if (rc != 0)
		return rc;
	if (rte_eth_dev_get_mtu(p->port_id, &mtu) == 0 && mtu != p->mtu &&
	    rte_eth_dev_set_mtu(p->port_id, p->mtu) != 0)
		PORT_LOG(WARNING, "%s: %s keeps MTU %u (cannot set %u)", field, p->devname, mtu,
			 p->mtu);
	if (p->profile.promiscuous && rte_eth_promiscuous_enable(p->port_id) != 0)
		PORT_LOG(WARNING, "%s: %s cannot be made promiscuous", field, p->devname);
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot start %s: %s", field, p->devname,
			    rte_strerror(-rc));
	rte_eth_macaddr_get(p->port_id, &p->mac);
	PORT_LOG(INFO, "%s: %s (%s, profile %s from %s) " RTE_ETHER_ADDR_PRT_FMT
		 ", %u queue pair(s)%s", field, p->devname, p->profile.driver, p->profile.name,
		 dir, RTE_ETHER_ADDR_BYTES(&p->mac), p->rx_queues, p->rss ? ", RSS" : "");
	return 0;
}

static void
port_init_from_conf(struct port *p, const char *name, const struct conf_port *cp)
{
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->port_id = RTE_MAX_ETHPORTS;
	p->addr = cp->addr;
	p->mask = cp->prefix_len ? ~0u << (32 - cp->prefix_len) : 0;
	p->next_hop = cp->next_hop;
	p->mtu = cp->mtu;
}

static unsigned
pool_size(const struct dp *dp)
{
	unsigned n = 4 * RING_SIZE + (dp->n_workers + 1) * MBUF_CACHE * 2;
	unsigned pi;

	for (pi = 0; pi < PORT_COUNT; pi++) {
		const struct conf_profile *pr = &dp->ports[pi].profile;

		n += pr->mbufs + dp->n_workers * (pr->rx_desc + pr->tx_desc + 2 * RING_SIZE);
	}
	/* What may wait for the SKU's rate (a little above the limit when many tunnels are busy). */
	return n + dp->n_workers * DP_DIRS * (SHAPE_LIMIT + 1024);
}

static int
make_rings(struct dp *dp, int socket)
{
	char name[RTE_RING_NAMESIZE];
	unsigned i, pi;

	dp->learn_ring = rte_ring_create_elem("p2s_learn", sizeof(struct port_learn), RING_SIZE,
					      socket, RING_F_SC_DEQ);
	dp->punt_ring = rte_ring_create("p2s_punt", RING_SIZE, socket, RING_F_SC_DEQ);
	dp->ike_ring = rte_ring_create("p2s_ike", RING_SIZE, socket, RING_F_SC_DEQ);
	if (dp->learn_ring == NULL || dp->punt_ring == NULL || dp->ike_ring == NULL ||
	    dp_ike_frag_create(dp, socket) != 0)
		return -ENOMEM;
	for (i = 0; i < dp->n_workers; i++) {
		snprintf(name, sizeof(name), "p2s_handoff%u", i);
		dp->workers[i].handoff = rte_ring_create(name, RING_SIZE, socket, RING_F_SC_DEQ);
		if (dp->workers[i].handoff == NULL)
			return -ENOMEM;
		for (pi = 0; pi < PORT_COUNT; pi++) {
			snprintf(name, sizeof(name), "p2s_tx%u_%u", i, pi);
			dp->workers[i].tx_ring[pi] = rte_ring_create(
				name, RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (dp->workers[i].tx_ring[pi] == NULL)
				return -ENOMEM;
		}
	}
	return 0;
}

static int
make_workers(struct dp *dp, char *err, size_t errlen)
{
	unsigned lcore, i = 0;

	dp->n_workers = rte_lcore_count() - 1;
	if (dp->n_workers == 0)
		return fail(err, errlen, -EINVAL,
			    "EAL: p2sgw needs at least two lcores (one control core and one worker), e.g. -l 0,1");
	dp->workers = rte_zmalloc("workers", sizeof(*dp->workers) * dp->n_workers,
				  RTE_CACHE_LINE_SIZE);
	if (dp->workers == NULL)
		return fail(err, errlen, -ENOMEM, "out of memory for workers");
	RTE_LCORE_FOREACH_WORKER(lcore) {
		dp->workers[i].dp = dp;
		dp->workers[i].lcore_id = lcore;
		dp->workers[i].queue = i;
		dp->workers[i].index = i;
		i++;
	}
	return 0;
}

/* The VNet prefixes as an LPM table; names must be unique, so each has a generation. */
static struct rte_lpm *
vnet_lpm(const struct conf *c, int socket)
{
	static unsigned generation;
	struct rte_lpm_config lc = { .max_rules = 2 * CONF_VNET_MAX, .number_tbl8s = 256 };
	char name[RTE_LPM_NAMESIZE];
	struct rte_lpm *lpm;
	unsigned i;

	snprintf(name, sizeof(name), "p2s_vnet_%u", generation++);
	lpm = rte_lpm_create(name, socket, &lc);
	for (i = 0; lpm != NULL && i < c->n_vnet; i++)
		if (rte_lpm_add(lpm, c->vnet[i].addr, c->vnet[i].len, 1) != 0) {
			rte_lpm_free(lpm);
			return NULL;
		}
	return lpm;
}

static int
make_vnet(struct dp *dp, const struct conf *c, int socket)
{
	dp->vnet = vnet_lpm(c, socket);
	return dp->vnet == NULL ? -ENOMEM : 0;
}

int
dp_set_vnet(struct dp *dp, const struct conf *c)
{
	struct rte_lpm *next = vnet_lpm(c, (int)rte_socket_id()), *old = dp->vnet;

	if (next == NULL)
		return -ENOMEM;
	/* Workers load the pointer once per lookup; the old table goes once
	 * every worker has passed a quiescent state since the swap. */
	__atomic_store_n(&dp->vnet, next, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
	rte_lpm_free(old);
	return 0;
}

/*
 * A worker's queues for the SKU's rate, one per tunnel id and direction.
 * DRR's quantum must be at least the largest packet: the larger MTU.
 */
static int
make_shapes(struct dp *dp, struct worker *w)
{
	size_t sz = sizeof(struct worker_shape) + SA_TABLE_SIZE * sizeof(struct shaper_queue);
	uint32_t quantum = RTE_MAX(dp->ports[PORT_PUBLIC].mtu, dp->ports[PORT_PRIVATE].mtu);
	unsigned d;

	for (d = 0; d < DP_DIRS; d++) {
		w->shape[d] = rte_zmalloc_socket("shape", sz, RTE_CACHE_LINE_SIZE,
						 (int)rte_lcore_to_socket_id(w->lcore_id));
		if (w->shape[d] == NULL)
			return -ENOMEM;
		shaper_drr_init(&w->shape[d]->drr, w->shape[d]->q, SA_TABLE_SIZE, quantum,
				SHAPE_LIMIT);
	}
	return 0;
}

static int
make_tables(struct dp *dp, const struct conf *c, int socket)
{
	size_t sz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	unsigned i, d;

	dp->qsbr = rte_zmalloc_socket("qsbr", sz, RTE_CACHE_LINE_SIZE, socket);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, dp->n_workers) != 0)
		return -ENOMEM;
	dp->neigh = neigh_create(c->neigh_max, c->neigh_timeout_s, dp->qsbr, socket);
	dp->sa = sa_table_create(SA_TABLE_SIZE, dp->n_workers, dp->qsbr, socket);
	dp->ctl_esp = esp_worker_create(socket);
	if (dp->neigh == NULL || dp->sa == NULL || dp->ctl_esp == NULL)
		return -ENOMEM;
	for (i = 0; i < dp->n_workers; i++) {
		dp->workers[i].esp =
			esp_worker_create((int)rte_lcore_to_socket_id(dp->workers[i].lcore_id));
		if (dp->workers[i].esp == NULL || make_shapes(dp, &dp->workers[i]) != 0)
			return -ENOMEM;
	}
	for (d = 0; d < DP_DIRS; d++)
		shaper_bucket_init(&dp->rate[d], 0, SHAPE_BURST_US, rte_get_tsc_hz());
	dp_set_rate(dp, conf_rate_bps(c));
	return make_vnet(dp, c, socket);
}

int
port_meta_register(void)
{
	static const struct rte_mbuf_dynfield meta_desc = {
		.name = "p2sgw_port_meta",
		.size = sizeof(struct port_meta),
		.align = __alignof__(struct port_meta),
	};

	port_meta_offset = rte_mbuf_dynfield_register(&meta_desc);
	return port_meta_offset < 0 ? -rte_errno : 0;
}

int
dp_create(struct dp *dp, const struct conf *c, char *err, size_t errlen)
{
	int socket = (int)rte_socket_id();
	const char *dir = profile_dir(c);
	unsigned n;
	int rc;

	memset(dp, 0, sizeof(*dp));
	dp->pool = c->pool;
	dp->idle_sleep_us = c->idle_sleep_us;
	port_init_from_conf(&dp->ports[PORT_PUBLIC], "public", &c->pub);
	port_init_from_conf(&dp->ports[PORT_PRIVATE], "private", &c->priv);
	dp->ports[PORT_PRIVATE].proxy_arp_pool = true;
	dp->ports[PORT_PUBLIC].outside = true;

	rc = conf_profile_load(dir, c->pub.profile, &dp->ports[PORT_PUBLIC].profile, err, errlen);
	if (rc == 0)
		rc = conf_profile_load(dir, c->priv.profile, &dp->ports[PORT_PRIVATE].profile, err,
				       errlen);
	if (rc == 0)
		rc = make_workers(dp, err, errlen);
	if (rc != 0)
		return rc;

	rc = port_meta_register();
	n = pool_size(dp);
	dp->mbufs = rte_pktmbuf_pool_create("p2s_mbufs", n, MBUF_CACHE, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	/* Outer fragments point into the encrypted packet through indirect mbufs. */
	dp->indirect = rte_pktmbuf_pool_create("p2s_indirect", INDIRECT_MBUFS, MBUF_CACHE, 0, 0,
					       socket);
	if (rc != 0 || dp->mbufs == NULL || dp->indirect == NULL)
		return fail(err, errlen, -ENOMEM,
			    "EAL: cannot create a pool of %u mbufs (%u MiB); give EAL more memory (-m)",
			    n, (unsigned)((uint64_t)n * 2432 >> 20));
	if (make_rings(dp, socket) != 0 || make_tables(dp, c, socket) != 0)
		return fail(err, errlen, -ENOMEM, "EAL: out of memory for rings and tables");

	rc = port_open(dp, PORT_PUBLIC, &c->pub, dir, err, errlen);
	if (rc == 0)
		rc = port_open(dp, PORT_PRIVATE, &c->priv, dir, err, errlen);
	return rc;
}

int
dp_start_workers(struct dp *dp)
{
	unsigned i;
	int rc;

	__atomic_store_n(&dp->stop, false, __ATOMIC_RELEASE);
	for (i = 0; i < dp->n_workers; i++) {
		rc = rte_eal_remote_launch(dp_worker_main, &dp->workers[i],
					   dp->workers[i].lcore_id);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
mbuf_free_cb(void *arg, void *m)
{
	(void)arg;
	rte_pktmbuf_free(m);
}

static void
ring_free_mbufs(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

void
dp_stop(struct dp *dp)
{
	unsigned i, pi;

	__atomic_store_n(&dp->stop, true, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	ring_free_mbufs(dp->punt_ring);
	ring_free_mbufs(dp->ike_ring);
	dp_ike_frag_free(dp);
	for (i = 0; i < dp->n_workers; i++) {
		struct worker *w = &dp->workers[i];

		ring_free_mbufs(w->handoff);
		for (pi = 0; pi < PORT_COUNT; pi++)
			ring_free_mbufs(w->tx_ring[pi]);
		for (pi = 0; pi < DP_DIRS; pi++)
			if (w->shape[pi] != NULL)
				shaper_drr_flush(&w->shape[pi]->drr, mbuf_free_cb, NULL);
	}
	if (dp->neigh)
		neigh_flush(dp->neigh);
	for (pi = 0; pi < PORT_COUNT; pi++) {
		struct port *p = &dp->ports[pi];

		if (p->port_id == RTE_MAX_ETHPORTS)
			continue;
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
		p->port_id = RTE_MAX_ETHPORTS;
	}
}

void
dp_destroy(struct dp *dp)
{
	unsigned i, pi;

	neigh_free(dp->neigh);
	sa_table_free(dp->sa);
	esp_worker_free(dp->ctl_esp);
	rte_lpm_free(dp->vnet);
	rte_ring_free(dp->learn_ring);
	rte_ring_free(dp->punt_ring);
	rte_ring_free(dp->ike_ring);
	for (i = 0; dp->workers && i < dp->n_workers; i++) {
		esp_worker_free(dp->workers[i].esp);
		rte_free(dp->workers[i].shape[DP_UP]);
		rte_free(dp->workers[i].shape[DP_DOWN]);
		rte_ring_free(dp->workers[i].handoff);
		for (pi = 0; pi < PORT_COUNT; pi++)
			rte_ring_free(dp->workers[i].tx_ring[pi]);
	}
	rte_free(dp->workers);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->mbufs);
	rte_mempool_free(dp->indirect);
	memset(dp, 0, sizeof(*dp));
}

unsigned
dp_mbufs_in_use(const struct dp *dp)
{
	return dp->mbufs ? rte_mempool_in_use_count(dp->mbufs) : 0;
}

void
dp_set_rate(struct dp *dp, uint64_t bps)
{
	unsigned d;

	for (d = 0; d < DP_DIRS; d++)
		shaper_bucket_set_rate(&dp->rate[d], bps, SHAPE_BURST_US);
	dp->rate_bps = bps;
}

/* Control core: the use of each direction over the last second (or more). */
void
dp_shape_sample(struct dp *dp, uint64_t now)
{
	uint64_t hz = rte_get_tsc_hz();
	struct dp_shape_stats s;
	unsigned d;

	if (now - dp->use_tsc < hz)
		return;
	for (d = 0; d < DP_DIRS; d++) {
		dp_shape_stats(dp, d, &s);
		if (dp->use_tsc != 0)
			dp->use_bps[d] = (uint64_t)((double)(s.sent_bytes - dp->use_bytes[d]) * 8 *
						    (double)hz / (double)(now - dp->use_tsc));
		dp->use_bytes[d] = s.sent_bytes;
	}
	dp->use_tsc = now;
}

void
dp_shape_stats(const struct dp *dp, enum dp_dir d, struct dp_shape_stats *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->rate_bps = dp->rate_bps;
	s->use_bps = dp->use_bps[d];
	for (i = 0; i < dp->n_workers; i++) {
		const struct worker_shape *w = dp->workers[i].shape[d];

		s->sent_bytes += __atomic_load_n(&w->sent_bytes, __ATOMIC_RELAXED);
		s->sent_packets += __atomic_load_n(&w->sent_packets, __ATOMIC_RELAXED);
		s->waited += __atomic_load_n(&w->waited, __ATOMIC_RELAXED);
		s->drops += __atomic_load_n(&w->drops, __ATOMIC_RELAXED);
		s->queued_packets += __atomic_load_n(&w->drr.packets, __ATOMIC_RELAXED);
		s->queued_bytes += __atomic_load_n(&w->drr.bytes, __ATOMIC_RELAXED);
	}
}

static void
counters_add(struct port_counters *sum, const struct port_counters *c)
{
	unsigned d;

	sum->rx_packets += c->rx_packets;
	sum->rx_bytes += c->rx_bytes;
	sum->tx_packets += c->tx_packets;
	sum->tx_bytes += c->tx_bytes;
	sum->arp_replies += c->arp_replies;
	sum->echo_replies += c->echo_replies;
	sum->handoffs += c->handoffs;
	for (d = 0; d < PORT_DROP_COUNT; d++)
		sum->drops[d] += c->drops[d];
}

void
dp_port_counters(const struct dp *dp, enum port_index p, struct port_counters *sum)
{
	unsigned i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < dp->n_workers; i++)
		counters_add(sum, &dp->workers[i].ctr[p]);
	counters_add(sum, &dp->ctl_ctr[p]);
}
