/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's CLI commands. Each builds a JSON value that p2sctl renders
 * as tables (or prints with -j) and that DPDK telemetry serves under the
 * same name: one function per command, for both.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <intel-ipsec-mb.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "app.h"
#include "esp.h"
#include "neigh.h"
#include "iked.h"
#include "pool.h"
#include "sa.h"

void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

void
add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

void
ipv4_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static void
mac_str(const struct rte_ether_addr *mac, char *buf, size_t len)
{
	snprintf(buf, len, RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(mac));
}

static int
no_such_arg(const char *cmd, const char *arg, const char *allowed, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: unknown argument '%s'; allowed: %s", cmd, arg, allowed);
	return -EINVAL;
}

static int
cmd_version(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	    size_t errlen)
{
	struct app *a = ctx;
	struct json_object *o = json_object_new_object();

	(void)argc, (void)argv, (void)err, (void)errlen;
	add_str(o, "p2sgw", P2SGW_VERSION);
	add_str(o, "dpdk", rte_version());
	add_str(o, "ipsec_mb", imb_get_version_str());
	add_str(o, "openssl", OpenSSL_version(OPENSSL_VERSION));
	add_str(o, "json_c", json_c_version());
	add_str(o, "gateway", a->conf.name);
	add_u64(o, "uptime_s", (uint64_t)(time(NULL) - a->started));
	*res = o;
	return 0;
}

static const char *
link_state(uint16_t port_id, uint32_t *speed)
{
	struct rte_eth_link link;

	*speed = 0;
	if (port_id == RTE_MAX_ETHPORTS || rte_eth_link_get_nowait(port_id, &link) != 0)
		return "unknown";
	*speed = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
	return link.link_status ? "up" : "down";
}

/* Who the port is: one row of the "ports" table. */
static struct json_object *
port_row(const struct port *p)
{
	struct json_object *o = json_object_new_object();
	uint32_t speed;
	char buf[64], ip[16];

	add_str(o, "port", p->name);
	add_str(o, "device", p->devname);
	add_str(o, "link", link_state(p->port_id, &speed));
	add_u64(o, "speed_mbps", speed);
	mac_str(&p->mac, buf, sizeof(buf));
	add_str(o, "mac", buf);
	ipv4_str(p->addr, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), "%s/%u", ip, (unsigned)__builtin_popcount(p->mask));
	add_str(o, "address", buf);
	add_u64(o, "mtu", p->mtu);
	add_u64(o, "queues", p->rx_queues);
	add_str(o, "rss", p->rss ? "yes" : "no");
	return o;
}

/* What went through it: one row of the "counters" table. */
static struct json_object *
counter_row(const struct port *p, const struct port_counters *c)
{
	struct json_object *o = json_object_new_object();
	struct rte_eth_stats hw = { 0 };
	uint64_t drops = 0;
	unsigned d;

	for (d = 0; d < PORT_DROP_COUNT; d++)
		drops += c->drops[d];
	rte_eth_stats_get(p->port_id, &hw);
	add_str(o, "port", p->name);
	add_u64(o, "rx_packets", c->rx_packets);
	add_u64(o, "rx_bytes", c->rx_bytes);
	add_u64(o, "tx_packets", c->tx_packets);
	add_u64(o, "tx_bytes", c->tx_bytes);
	add_u64(o, "drops", drops);
	add_u64(o, "arp_replies", c->arp_replies);
	add_u64(o, "echo_replies", c->echo_replies);
	add_u64(o, "handoffs", c->handoffs);
	add_u64(o, "nic_rx_missed", hw.imissed);
	add_u64(o, "nic_rx_errors", hw.ierrors);
	add_u64(o, "nic_tx_errors", hw.oerrors);
	return o;
}

static int
cmd_ports(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct app *a = ctx;
	struct json_object *ports = json_object_new_array();
	struct json_object *counters = json_object_new_array();
	struct json_object *drops = json_object_new_array();
	struct json_object *o;
	struct port_counters c;
	int all = 0;
	unsigned pi, d;

	if (argc == 1 && strcmp(argv[0], "all") != 0)
		return no_such_arg("show ports", argv[0], "all", err, errlen);
	all = argc == 1;
	for (pi = 0; pi < PORT_COUNT; pi++) {
		dp_port_counters(&a->dp, pi, &c);
		json_object_array_add(ports, port_row(&a->dp.ports[pi]));
		json_object_array_add(counters, counter_row(&a->dp.ports[pi], &c));
		for (d = 0; d < PORT_DROP_COUNT; d++) {
			if (!all && c.drops[d] == 0)
				continue;
			o = json_object_new_object();
			add_str(o, "port", a->dp.ports[pi].name);
			add_str(o, "reason", port_drop_name(d));
			add_u64(o, "packets", c.drops[d]);
			add_str(o, "meaning", port_drop_help(d));
			json_object_array_add(drops, o);
		}
	}
	*res = json_object_new_object();
	json_object_object_add(*res, "ports", ports);
	json_object_object_add(*res, "counters", counters);
	json_object_object_add(*res, "drops", drops);
	return 0;
}

static int
cmd_workers(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	    size_t errlen)
{
	struct app *a = ctx;
	struct json_object *arr = json_object_new_array();
	unsigned i, pi;

	(void)argc, (void)argv, (void)err, (void)errlen;
	for (i = 0; i < a->dp.n_workers; i++) {
		const struct worker *w = &a->dp.workers[i];
		struct json_object *o = json_object_new_object();
		uint64_t rx = 0, tx = 0, drops = 0;
		unsigned d;

		for (pi = 0; pi < PORT_COUNT; pi++) {
			rx += w->ctr[pi].rx_packets;
			tx += w->ctr[pi].tx_packets;
			for (d = 0; d < PORT_DROP_COUNT; d++)
				drops += w->ctr[pi].drops[d];
		}
		add_u64(o, "worker", i);
		add_u64(o, "lcore", w->lcore_id);
		add_u64(o, "socket", rte_lcore_to_socket_id(w->lcore_id));
		add_u64(o, "queue", w->queue);
		add_u64(o, "polls", w->polls);
		add_u64(o, "busy_pct", w->polls ? w->busy_polls * 100 / w->polls : 0);
		add_u64(o, "idle_sleeps", w->idle_sleeps);
		add_u64(o, "rx_packets", rx);
		add_u64(o, "tx_packets", tx);
		add_u64(o, "drops", drops);
		json_object_array_add(arr, o);
	}
	*res = json_object_new_object();
	json_object_object_add(*res, "control_lcore", json_object_new_uint64(rte_get_main_lcore()));
	json_object_object_add(*res, "ike_messages", json_object_new_uint64(a->dp.ike_received));
	add_u64(*res, "ike_fragments", a->dp.ike_fragments);
	add_u64(*res, "ike_reassembled", a->dp.ike_reassembled);
	json_object_object_add(*res, "workers", arr);
	return 0;
}

static int
neigh_row(const struct neigh_info *n, void *arg)
{
	struct json_object *o = json_object_new_object();
	char buf[32];

	add_str(o, "port", n->port == PORT_PUBLIC ? "public" : "private");
	ipv4_str(n->ip, buf, sizeof(buf));
	add_str(o, "address", buf);
	mac_str(&n->mac, buf, sizeof(buf));
	add_str(o, "mac", n->state == NEIGH_INCOMPLETE ? "-" : buf);
	add_str(o, "state", neigh_state_name(n->state));
	add_u64(o, "age_ms", n->age_ms);
	add_u64(o, "probes", n->probes);
	add_u64(o, "waiting", n->pending);
	json_object_array_add(arg, o);
	return 0;
}

static int
cmd_neighbours(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	       size_t errlen)
{
	struct app *a = ctx;
	struct json_object *arr = json_object_new_array();

	(void)argc, (void)argv, (void)err, (void)errlen;
	neigh_walk(a->dp.neigh, rte_rdtsc(), neigh_row, arr);
	*res = json_object_new_object();
	add_u64(*res, "entries", neigh_count(a->dp.neigh));
	add_u64(*res, "capacity", neigh_capacity(a->dp.neigh));
	json_object_object_add(*res, "neighbours", arr);
	return 0;
}

struct sa_walk {
	struct json_object *sas;
	struct json_object *drops;
	uint32_t only;                 /* tunnel id, 0 = all */
	uint64_t now;
};

static void
sa_drop_rows(struct sa_walk *sw, const struct sa_tunnel *tun, const struct sa_child *c)
{
	const struct esp_sa_stats *st = esp_sa_stats(c->esp);
	struct json_object *o;
	char spi[16];
	unsigned d;

	snprintf(spi, sizeof(spi), "0x%08x", c->spi);
	for (d = 0; d < ESP_DROP_COUNT; d++) {
		if (st->drops[d] == 0)
			continue;
		o = json_object_new_object();
		add_u64(o, "tunnel", tun->id);
		add_str(o, "spi", spi);
		add_str(o, "reason", esp_drop_name(d));
		add_u64(o, "packets", st->drops[d]);
		json_object_array_add(sw->drops, o);
	}
}

static void
sa_row(struct sa_walk *sw, const struct sa_tunnel *tun, const struct sa_child *c)
{
	const struct esp_sa_stats *st = esp_sa_stats(c->esp);
	struct json_object *o = json_object_new_object();
	uint64_t drops = 0;
	char buf[48], ip[16];
	unsigned d;

	for (d = 0; d < ESP_DROP_COUNT; d++)
		drops += st->drops[d];
	add_u64(o, "tunnel", tun->id);
	add_str(o, "dir", c->inbound ? "in" : "out");
	snprintf(buf, sizeof(buf), "0x%08x", c->spi);
	add_str(o, "spi", buf);
	ipv4_str(tun->inner_addr, ip, sizeof(ip));
	add_str(o, "client", ip);
	ipv4_str(tun->remote_addr, ip, sizeof(ip));
	if (tun->udp_encap)
		snprintf(buf, sizeof(buf), "%s:%u", ip, tun->remote_port);
	else
		snprintf(buf, sizeof(buf), "%s", ip);
	add_str(o, "outer", buf);
	add_u64(o, "worker", tun->owner);
	add_u64(o, "packets", st->packets);
	add_u64(o, "bytes", st->bytes);
	add_u64(o, "drops", drops);
	add_u64(o, "seq", esp_sa_seq(c->esp));
	json_object_array_add(sw->sas, o);
	sa_drop_rows(sw, tun, c);
}

static void
tunnel_drop_rows(struct sa_walk *sw, const struct sa_tunnel *tun)
{
	struct json_object *o;
	unsigned d;

	for (d = 0; d < SA_DROP_COUNT; d++) {
		if (tun->stats.drops[d] == 0)
			continue;
		o = json_object_new_object();
		add_u64(o, "tunnel", tun->id);
		add_str(o, "spi", "-");
		add_str(o, "reason", sa_drop_name(d));
		add_u64(o, "packets", tun->stats.drops[d]);
		json_object_array_add(sw->drops, o);
	}
}

static int
sa_walk_one(struct sa_tunnel *tun, void *arg)
{
	struct sa_walk *sw = arg;
	unsigned i;

	if (sw->only && tun->id != sw->only)
		return 0;
	for (i = 0; i < SA_IN_MAX; i++)
		if (tun->in[i] != NULL)
			sa_row(sw, tun, tun->in[i]);
	sa_row(sw, tun, tun->out);
	tunnel_drop_rows(sw, tun);
	return 0;
}

static int
cmd_sa(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct app *a = ctx;
	struct sa_walk sw = { 0 };
	char *end;

	if (argc == 1) {
		unsigned long id = strtoul(argv[0], &end, 10);

		if (*argv[0] == '\0' || *end != '\0' || id == 0 || id > UINT32_MAX ||
		    sa_tunnel_get(a->dp.sa, (uint32_t)id) == NULL) {
			snprintf(err, errlen, "show sa: no tunnel '%s'; allowed: a tunnel id from 'show sa'",
				 argv[0]);
			return -ENOENT;
		}
		sw.only = (uint32_t)id;
	}
	sw.sas = json_object_new_array();
	sw.drops = json_object_new_array();
	sa_table_walk(a->dp.sa, sa_walk_one, &sw);
	*res = json_object_new_object();
	add_u64(*res, "tunnels", sa_table_count(a->dp.sa));
	add_u64(*res, "rekeys_wanted", a->dp.rekeys_wanted);
	json_object_object_add(*res, "sas", sw.sas);
	json_object_object_add(*res, "drops", sw.drops);
	return 0;
}

/* Manual keying (AES-256-GCM) for interop tests: "sa add" and "sa del". */

static int
parse_key(const char *what, const char *hex, struct esp_sa_params *p, char *err, size_t errlen)
{
	uint8_t raw[36];
	unsigned i;

	for (i = 0; i < sizeof(raw); i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]))
			break;
		raw[i] = (uint8_t)v;
	}
	if (i != sizeof(raw) || hex[2 * sizeof(raw)] != '\0') {
		snprintf(err, errlen,
			 "sa add: %s: expected 72 hex digits (AES-256 key and 4-byte salt)", what);
		return -EINVAL;
	}
	p->cipher = ESP_CIPHER_AES_GCM_16;
	p->integ = ESP_INTEG_NONE;
	p->key_len = 32;
	memcpy(p->key, raw, 32);
	memcpy(p->salt, raw + 32, 4);
	return 0;
}

static int
parse_spi(const char *what, const char *s, uint32_t *spi, char *err, size_t errlen)
{
	char *end;
	unsigned long v = strtoul(s, &end, 16);

	if (*s == '\0' || *end != '\0' || v == 0 || v > UINT32_MAX) {
		snprintf(err, errlen, "sa add: %s '%s': expected a non-zero 32-bit hex SPI", what, s);
		return -EINVAL;
	}
	*spi = (uint32_t)v;
	return 0;
}

static int
parse_outer(const char *s, uint32_t *addr, uint16_t *port, char *err, size_t errlen)
{
	char buf[32], *colon, *end;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (colon != NULL)
		*colon = '\0';
	v = colon ? strtoul(colon + 1, &end, 10) : 4500;
	if (conf_parse_ipv4(buf, addr) != 0 || (colon && (*end != '\0' || v == 0 || v > 65535))) {
		snprintf(err, errlen, "sa add: OUTER '%s': expected a.b.c.d or a.b.c.d:port", s);
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

static int
cmd_sa_add(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct app *a = ctx;
	struct sa_tunnel_params tp = { .owner = -1 };
	const struct conf_prefix *pool = &a->conf.pool;
	uint32_t outer, id;
	uint16_t port;
	int rc;

	(void)argc;
	if (conf_parse_ipv4(argv[0], &tp.inner_addr) != 0 ||
	    ((tp.inner_addr ^ pool->addr) >> (32 - pool->len)) != 0) {
		snprintf(err, errlen, "sa add: INNER '%s': expected an address in the client pool",
			 argv[0]);
		return -EINVAL;
	}
	if ((rc = parse_outer(argv[1], &outer, &port, err, errlen)) != 0 ||
	    (rc = parse_spi("IN_SPI", argv[2], &tp.in.spi, err, errlen)) != 0 ||
	    (rc = parse_key("IN_KEY", argv[3], &tp.in, err, errlen)) != 0 ||
	    (rc = parse_spi("OUT_SPI", argv[4], &tp.out.spi, err, errlen)) != 0 ||
	    (rc = parse_key("OUT_KEY", argv[5], &tp.out, err, errlen)) != 0)
		return rc;
	tp.in.local_addr = tp.out.local_addr = a->conf.pub.addr;
	tp.in.remote_addr = tp.out.remote_addr = outer;
	tp.in.udp_encap = tp.out.udp_encap = true;
	tp.in.local_port = tp.out.local_port = 4500;
	tp.in.remote_port = tp.out.remote_port = port;
	rc = tunnel_admit(a, err, errlen);
	if (rc != 0) {
		explicit_bzero(&tp, sizeof(tp));
		return rc;
	}
	/* The address comes out of the pool IKEv2 hands out from. */
	if (pool_take_addr(a->pool, tp.inner_addr) != 0) {
		snprintf(err, errlen, "sa add: INNER '%s' is in use; allowed: a free pool address",
			 argv[0]);
		explicit_bzero(&tp, sizeof(tp));
		return -EEXIST;
	}
	rc = sa_tunnel_add(a->dp.sa, a->dp.ctl_esp, &tp, &id, err, errlen);
	if (rc != 0)
		pool_give(a->pool, tp.inner_addr);
	explicit_bzero(&tp, sizeof(tp));
	if (rc != 0)
		return rc;
	*res = json_object_new_object();
	add_u64(*res, "tunnel", id);
	return 0;
}

static int
cmd_sa_del(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct app *a = ctx;
	char *end;
	unsigned long id = strtoul(argv[0], &end, 10);
	const struct sa_tunnel *tun;
	uint32_t inner;

	(void)argc, (void)res;
	tun = *argv[0] != '\0' && *end == '\0' && id <= UINT32_MAX
		      ? sa_tunnel_get(a->dp.sa, (uint32_t)id) : NULL;
	/* Tunnels of IKEv2 clients go with 'disconnect', which tells the client. */
	if (tun != NULL && a->ike != NULL && iked_disconnect(a->ike, (uint32_t)id,
							     app_ms(rte_rdtsc())) == 0)
		return 0;
	inner = tun != NULL ? tun->inner_addr : 0;
	if (tun == NULL || sa_tunnel_del(a->dp.sa, (uint32_t)id) != 0) {
		snprintf(err, errlen, "sa del: no tunnel '%s'; allowed: a tunnel id from 'show sa'",
			 argv[0]);
		return -ENOENT;
	}
	pool_give(a->pool, inner);
	return 0;
}

static int
cmd_config(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct app *a = ctx;

	(void)argc, (void)argv;
	*res = conf_to_json(&a->conf);
	if (*res == NULL) {
		snprintf(err, errlen, "show config: out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
commands_add(struct app *a, const struct ctl_command *cmds, unsigned n)
{
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = ctl_register(a->ctl, &cmds[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
commands_register(struct app *a)
{
	const struct ctl_command cmds[] = {
		{ "show version", NULL, "versions of p2sgw and its libraries, uptime", 0, 0,
		  cmd_version, a, "/p2sgw/version" },
		{ "show ports", "[all]",
		  "link, packets and bytes each way, drops by reason ('all': zero reasons too)", 0,
		  1, cmd_ports, a, "/p2sgw/ports" },
		{ "show workers", NULL, "worker lcores, their queues and load", 0, 0, cmd_workers, a,
		  "/p2sgw/workers" },
		{ "show neighbours", NULL, "the ARP neighbour table", 0, 0, cmd_neighbours, a,
		  "/p2sgw/neighbours" },
		{ "show config", NULL, "the configuration in force (secrets hidden)", 0, 0,
		  cmd_config, a, "/p2sgw/config" },
		{ "show sa", "[TUNNEL]",
		  "ESP SAs: SPI, client, outer address, owning worker, packets, bytes, drops by reason",
		  0, 1, cmd_sa, a, "/p2sgw/sa" },
		{ "sa add", "INNER OUTER[:PORT] IN_SPI IN_KEY OUT_SPI OUT_KEY",
		  "manually keyed AES-256-GCM tunnel over UDP 4500 (interop tests); keys: 72 hex digits",
		  6, 6, cmd_sa_add, a, NULL },
		{ "sa del", "TUNNEL", "remove a tunnel", 1, 1, cmd_sa_del, a, NULL },
	};

	return commands_add(a, cmds, RTE_DIM(cmds));
}
