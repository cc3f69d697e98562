/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath stage: the gateway's whole per-burst worker path, as the poll
 * loop runs it — classification of the frame, SA lookup by SPI or tunnel by
 * client address, ESP through lib/esp, policy, TTL, neighbour lookup and
 * TX — through dp_worker_input() on a real dp whose two ports are net_null
 * (TX frees what it is given, as a NIC would take it). Only rte_eth_rx_burst
 * is left out: the generator hands the burst in directly.
 *
 * Outbound (enc) sends the stream's inner packets as VNet frames into the
 * private port; inbound (dec) sends ESP frames that the clients' side of
 * each tunnel made (with lib/esp) into the public port. The refill between
 * passes allocates fresh mbufs, copies the frames in, and for inbound
 * re-encrypts them with the next sequence numbers so the gateway's replay
 * windows keep moving as on a real link; none of that is timed.
 *
 * Both MTUs are 9000 so that IMIX's 1500-byte packets are not fragmented
 * after encryption: fragments would count as extra packets.
 *
 * The datapath stage runs without the SKU's rate (dp_set_rate(0)): the ESP
 * path alone. datapath-rate (optional) is the same with the rate on but set
 * where one core cannot reach it, so the scheduler's bucket is asked every
 * burst and never says wait: its cost when nothing is capped (issue 5). The
 * two stages of a case share its tunnels, frames and the clients' sequence
 * numbers (one state; each stage's refill sets its own rate). A pass that
 * had to wait shows as lost packets.
 *
 * The dp is made once per process (its vdevs cannot be probed twice) and
 * tunnels are added and removed per case. It needs two lcores for one
 * worker: run with --lcores 0@N,1@N (benchmarks/run.sh does).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "bench.h"
#include "conf.h"
#include "esp.h"
#include "neigh.h"
#include "port.h"
#include "sa.h"

#define GW_SPI_BASE 0x1000u
/* datapath-rate: 100 Gbit/s, five times what the ceiling reaches here at 1420 bytes. */
#define UNREACHED_RATE_BPS 100000000000ull
#define CLIENT_SPI_BASE 0x800000u

/* Addresses as the bench's traffic uses them (bench.h). */
static const char dp_config[] =
	"name = \"p2s-bench\";\n"
	"ports = {\n"
	"  public  = { profile = \"null\"; address = \"198.51.100.254/24\"; mtu = 9000; };\n"
	"  private = { profile = \"null\"; address = \"10.1.0.1/24\"; mtu = 9000; };\n"
	"};\n"
	"client_pool = \"10.8.0.0/16\";\n"
	"vnet = [ \"10.1.0.0/16\" ];\n"
	"sku = \"VpnGw5\";\n"
	"protocols = [ \"ikev2\" ];\n"
	"auth = [ \"certificate\" ];\n"
	"cli = { socket = \"/tmp/p2s-bench.sock\"; };\n"
	"dataplane = { profile_dir = \"" P2SGW_SOURCE_DRIVERS_CFG_DIR "\"; };\n";

static struct conf dp_conf;
static struct dp the_dp;
static bool dp_ready;

struct dp_state {
	const struct bench_case *c;
	const struct bench_stream *s;
	struct worker *w;
	struct esp_worker *client_crypto;
	size_t sa_stride;
	uint8_t *client_sa;            /* the client's outbound SA of each tunnel (dec) */
	uint32_t *tunnel_id;
	struct rte_mbuf **m;
	uint8_t *frames;               /* enc: the VNet frames to copy in */
	unsigned frame_room;
	uint64_t tx_before;
	char err[160];
};

struct dp *
bench_dp(char *err, size_t errlen)
{
	struct port_learn l = { .port = PORT_PRIVATE, .solicited = 1,
				.mac = { { 0x02, 0, 0, 0, 0x0a, 0x0a } } };

	if (dp_ready)
		return &the_dp;
	if (conf_load_string(dp_config, "p2s-bench.conf", &dp_conf, err, errlen) != 0 ||
	    dp_create(&the_dp, &dp_conf, err, errlen) != 0)
		return NULL;
	l.ip = BENCH_VNET_HOST;
	neigh_learn(the_dp.neigh, &the_dp, &l, 0);
	dp_ready = true;
	return &the_dp;
}

static void
sa_params(const struct bench_case *c, unsigned t, bool client, bool to_gw,
	  struct esp_sa_params *p)
{
	struct bench_keys k;
	uint32_t gw = dp_conf.pub.addr, cl = bench_client_addr(t);

	bench_tunnel_keys(t, &k);
	memset(p, 0, sizeof(*p));
	/* One key per tunnel and direction is enough for a benchmark. */
	p->spi = to_gw ? GW_SPI_BASE + t : CLIENT_SPI_BASE + t;
	p->key_len = 32;
	memcpy(p->key, k.cipher, sizeof(k.cipher));
	if (c->xform == BENCH_AES_GCM_256) {
		p->cipher = ESP_CIPHER_AES_GCM_16;
		memcpy(p->salt, k.salt, sizeof(k.salt));
	} else {
		p->cipher = ESP_CIPHER_AES_CBC;
		p->integ = ESP_INTEG_HMAC_SHA256_128;
		memcpy(p->auth_key, k.auth, sizeof(k.auth));
		p->auth_key_len = sizeof(k.auth);
	}
	p->local_addr = client ? cl : gw;
	p->remote_addr = client ? gw : cl;
	p->udp_encap = c->udp_encap;
	if (c->udp_encap) {
		p->local_port = client ? bench_client_port(t) : ESP_UDP_PORT;
		p->remote_port = client ? ESP_UDP_PORT : bench_client_port(t);
	}
}

/* Tunnel t of case c on the gateway (worker 0 owns it), its client's MAC known. */
int
bench_dp_tunnel_add(const struct bench_case *c, unsigned t, uint32_t *id, char *err,
		    size_t errlen)
{
	struct port_learn l = { .port = PORT_PUBLIC, .solicited = 1,
				.mac = { { 0x02, 0, 0, 0, 0xc1, (uint8_t)t } } };
	struct sa_tunnel_params tp = { .inner_addr = BENCH_POOL_NET + 2 + t, .owner = 0 };

	sa_params(c, t, false, true, &tp.in);
	sa_params(c, t, false, false, &tp.out);
	if (sa_tunnel_add(the_dp.sa, the_dp.ctl_esp, &tp, id, err, errlen) != 0)
		return -1;
	l.ip = bench_client_addr(t);
	neigh_learn(the_dp.neigh, &the_dp, &l, 0);
	return 0;
}

static int
add_tunnels(struct dp_state *st)
{
	unsigned t;

	for (t = 0; t < st->c->tunnels; t++) {
		if (bench_dp_tunnel_add(st->c, t, &st->tunnel_id[t], st->err, sizeof(st->err)) != 0)
			return -1;
		if (st->client_sa != NULL) {
			struct esp_sa_params cp;

			sa_params(st->c, t, true, true, &cp);
			if (esp_sa_init((struct esp_sa *)(st->client_sa + t * st->sa_stride),
					st->client_crypto, &cp, st->err, sizeof(st->err)) != 0)
				return -1;
		}
	}
	return 0;
}

static void
put_ether(uint8_t *frame, const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;

	eth->dst_addr = *dst;
	memset(&eth->src_addr, 0, sizeof(eth->src_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0x99;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
}

/* Packet i of s as the VNet host sends it to its client: Ethernet + IPv4, turned round. */
void
bench_dp_vnet_frame(const struct bench_stream *s, unsigned i, uint8_t *f)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	uint32_t src;

	put_ether(f, &the_dp.ports[PORT_PRIVATE].mac);
	rte_memcpy(ip, s->inner[i], s->len[i]);
	src = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = src;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* enc: the VNet host's frames to each client (the stream's packets, turned round). */
static void
build_vnet_frames(struct dp_state *st)
{
	unsigned i;

	for (i = 0; i < st->s->n; i++)
		bench_dp_vnet_frame(st->s, i, st->frames + (size_t)i * st->frame_room);
}

static void *
dp_setup_state(const struct bench_env *env, const struct bench_case *c,
	       const struct bench_stream *s, char *err, size_t errlen)
{
	struct dp_state *st;

	(void)env;
	if (bench_dp(err, errlen) == NULL)
		return NULL;
	st = rte_zmalloc(NULL, sizeof(*st), 0);
	if (st == NULL)
		return NULL;
	st->c = c;
	st->s = s;
	st->w = &the_dp.workers[0];
	st->sa_stride = RTE_ALIGN_CEIL(esp_sa_size(), RTE_CACHE_LINE_SIZE);
	st->frame_room = RTE_ETHER_HDR_LEN + BENCH_BUF_SIZE;  /* up to IMIX's 1500 bytes */
	st->tunnel_id = rte_zmalloc(NULL, sizeof(uint32_t) * c->tunnels, 0);
	st->m = rte_zmalloc(NULL, sizeof(*st->m) * s->n, 0);
	st->frames = rte_zmalloc(NULL, (size_t)st->frame_room * s->n, 0);
	if (c->dir == BENCH_DECRYPT) {
		st->client_crypto = esp_worker_create(rte_socket_id());
		st->client_sa = rte_zmalloc(NULL, st->sa_stride * c->tunnels, RTE_CACHE_LINE_SIZE);
	}
	if (st->tunnel_id == NULL || st->m == NULL || st->frames == NULL ||
	    (c->dir == BENCH_DECRYPT && (st->client_crypto == NULL || st->client_sa == NULL)) ||
	    add_tunnels(st) != 0) {
		snprintf(err, errlen, "datapath set-up: %s", st->err[0] ? st->err : "out of memory");
		return st; /* teardown frees; the harness reports err */
	}
	if (c->dir == BENCH_ENCRYPT)
		build_vnet_frames(st);
	return st;
}

/* The datapath stage's state of the case being run, for datapath-rate to share. */
static struct dp_state *case_state;

static void *
dp_setup(const struct bench_env *env, const struct bench_case *c, const struct bench_stream *s,
	 char *err, size_t errlen)
{
	return case_state = dp_setup_state(env, c, s, err, errlen);
}

/* datapath-rate: the state it runs on (its own if datapath is off). */
struct dp_rate_state {
	struct dp_state *st;
	bool owns;
};

static void *
dp_setup_shaped(const struct bench_env *env, const struct bench_case *c,
		const struct bench_stream *s, char *err, size_t errlen)
{
	struct dp_rate_state *r = rte_zmalloc(NULL, sizeof(*r), 0);

	if (r == NULL)
		return NULL;
	if (case_state != NULL && case_state->c == c) {
		r->st = case_state;
	} else {
		r->st = dp_setup_state(env, c, s, err, errlen);
		r->owns = true;
	}
	return r;
}

/* dec: the clients encrypt their packets with the next sequence numbers. */
static void
seal_client_frames(struct dp_state *st)
{
	struct esp_sa *sa[BENCH_BURST];
	enum esp_drop why[BENCH_BURST];
	unsigned i, j, k;

	for (i = 0; i < st->s->n; i += BENCH_BURST) {
		k = RTE_MIN((unsigned)BENCH_BURST, st->s->n - i);
		for (j = 0; j < k; j++) {
			struct rte_mbuf *m = st->m[i + j];

			rte_memcpy(rte_pktmbuf_append(m, st->s->len[i + j]), st->s->inner[i + j],
				   st->s->len[i + j]);
			sa[j] = (struct esp_sa *)(st->client_sa +
						  st->s->tunnel[i + j] * st->sa_stride);
		}
		/* Every packet of a valid stream encrypts; a failure shows as loss. */
		esp_outbound(st->client_crypto, sa, &st->m[i], k, why);
		for (j = 0; j < k; j++)
			put_ether((uint8_t *)rte_pktmbuf_prepend(st->m[i + j], RTE_ETHER_HDR_LEN),
				  &the_dp.ports[PORT_PUBLIC].mac);
	}
}

static void
dp_refill_rate(struct dp_state *st, uint64_t rate_bps)
{
	unsigned i;
	struct port_counters c;

	if (rte_pktmbuf_alloc_bulk(the_dp.mbufs, st->m, st->s->n) != 0) {
		memset(st->m, 0, sizeof(*st->m) * st->s->n);
		return;
	}
	if (st->c->dir == BENCH_DECRYPT) {
		seal_client_frames(st);
	} else {
		for (i = 0; i < st->s->n; i++) {
			unsigned len = RTE_ETHER_HDR_LEN + st->s->len[i];

			rte_memcpy(rte_pktmbuf_append(st->m[i], len),
				   st->frames + (size_t)i * st->frame_room, len);
		}
	}
	dp_port_counters(&the_dp, st->c->dir == BENCH_DECRYPT ? PORT_PRIVATE : PORT_PUBLIC, &c);
	st->tx_before = c.tx_packets;
	/* The stages take turns on one dp: each sets its own rate. */
	if (the_dp.rate_bps != rate_bps)
		dp_set_rate(&the_dp, rate_bps);
}

static void
dp_refill(void *arg)
{
	struct dp_state *st = arg;

	dp_refill_rate(st, 0);
}

static void
dp_refill_shaped(void *arg)
{
	dp_refill_rate(((struct dp_rate_state *)arg)->st, UNREACHED_RATE_BPS);
}

static unsigned dp_pass(void *arg);
static void dp_explain(void *arg, char *buf, size_t len);
static void dp_teardown(void *arg);

static unsigned
dp_pass_shaped(void *arg)
{
	return dp_pass(((struct dp_rate_state *)arg)->st);
}

static void
dp_explain_shaped(void *arg, char *buf, size_t len)
{
	dp_explain(((struct dp_rate_state *)arg)->st, buf, len);
}

static void
dp_teardown_shaped(void *arg)
{
	struct dp_rate_state *r = arg;

	if (r == NULL)
		return;
	if (r->owns)
		dp_teardown(r->st);
	rte_free(r);
}

static unsigned
dp_pass(void *arg)
{
	struct dp_state *st = arg;
	struct port_counters c;
	unsigned i;

	if (st->m[0] == NULL)
		return 0;
	for (i = 0; i < st->s->n; i += BENCH_BURST)
		dp_worker_input(st->w, st->c->dir == BENCH_DECRYPT ? PORT_PUBLIC : PORT_PRIVATE,
				&st->m[i], RTE_MIN((unsigned)BENCH_BURST, st->s->n - i));
	/* What left the other port is what got through. */
	dp_port_counters(&the_dp, st->c->dir == BENCH_DECRYPT ? PORT_PRIVATE : PORT_PUBLIC, &c);
	return (unsigned)(c.tx_packets - st->tx_before);
}

static void
dp_explain(void *arg, char *buf, size_t len)
{
	struct dp_state *st = arg;
	struct port_counters c;
	size_t off = 0;
	unsigned p, d;

	struct dp_shape_stats ss;

	buf[0] = '\0';
	if (st->err[0])
		off += snprintf(buf, len, "%s; ", st->err);
	dp_shape_stats(&the_dp, st->c->dir == BENCH_DECRYPT ? DP_UP : DP_DOWN, &ss);
	if (ss.waited != 0 && off < len)
		off += snprintf(buf + off, len - off, "waited for the rate: %" PRIu64 " ", ss.waited);
	for (p = 0; p < PORT_COUNT; p++) {
		dp_port_counters(&the_dp, p, &c);
		for (d = 0; d < PORT_DROP_COUNT && off < len; d++)
			if (c.drops[d])
				off += snprintf(buf + off, len - off, "%s %s: %" PRIu64 " ",
						the_dp.ports[p].name, port_drop_name(d), c.drops[d]);
	}
}

static const char *
dp_arch(void *arg)
{
	(void)arg;
	return esp_worker_arch(the_dp.workers[0].esp);
}

static void
dp_teardown(void *arg)
{
	struct dp_state *st = arg;
	unsigned t;

	if (st == NULL)
		return;
	if (st == case_state)
		case_state = NULL;
	for (t = 0; st->tunnel_id && t < st->c->tunnels; t++)
		if (st->tunnel_id[t] != 0)
			sa_tunnel_del(the_dp.sa, st->tunnel_id[t]);
	sa_table_reclaim(the_dp.sa);
	for (t = 0; st->client_sa && t < st->c->tunnels; t++)
		esp_sa_clear((struct esp_sa *)(st->client_sa + t * st->sa_stride));
	esp_worker_free(st->client_crypto);
	rte_free(st->client_sa);
	rte_free(st->tunnel_id);
	rte_free(st->m);
	rte_free(st->frames);
	rte_free(st);
}

const struct bench_stage bench_stage_datapath = {
	.name = "datapath",
	.setup = dp_setup,
	.refill = dp_refill,
	.pass = dp_pass,
	.explain = dp_explain,
	.teardown = dp_teardown,
	.arch = dp_arch,
};

const struct bench_stage bench_stage_datapath_rate = {
	.name = "datapath-rate",
	.setup = dp_setup_shaped,
	.refill = dp_refill_shaped,
	.pass = dp_pass_shaped,
	.explain = dp_explain_shaped,
	.teardown = dp_teardown_shaped,
	.arch = dp_arch,
	.optional = true,
};
