/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wiring of the IKEv2 responder (lib/iked) into the appliance: the client
 * pool, the trusted roots, revoked thumbprints and the gateway's key from
 * the configuration; IKE frames from the workers' ring into iked_input();
 * its datagrams out through the public port (IPv4 fragmented when an
 * unfragmented IKE message is larger than the MTU); CHILD_SAs into the ESP
 * table (lib/sa); and the CLI commands show tunnels, show ike, disconnect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "app.h"
#include "auth.h"
#include "l2l3.h"
#include "esp.h"
#include "iked.h"
#include "pool.h"
#include "sa.h"

#define IKE_FRAGS_MAX 48          /* a 64 KiB message in 1500-byte IPv4 fragments */
#define IKE_TIMER_MS 100

uint64_t
app_ms(uint64_t tsc)
{
	return tsc / (rte_get_tsc_hz() / 1000);
}

/* ---- iked_ops ---- */

/* A chain of mbufs holding hdr_len bytes of room for headers, then data. */
static struct rte_mbuf *
mbuf_chain(struct rte_mempool *mp, size_t hdr_len, const uint8_t *data, size_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(mp), *seg = head;
	size_t off = 0, room;
	char *p;

	if (head == NULL || rte_pktmbuf_append(head, (uint16_t)hdr_len) == NULL)
		goto fail;
	while (off < len) {
		room = rte_pktmbuf_tailroom(seg);
		if (room == 0) {
			struct rte_mbuf *next = rte_pktmbuf_alloc(mp);

			if (next == NULL || rte_pktmbuf_chain(head, next) != 0) {
				rte_pktmbuf_free(next);
				goto fail;
			}
			seg = next;
			continue;
		}
		room = RTE_MIN(room, len - off);
		p = rte_pktmbuf_mtod_offset(seg, char *, seg->data_len);
		memcpy(p, data + off, room);
		seg->data_len += (uint16_t)room;
		head->pkt_len += (uint32_t)room;
		off += room;
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

void
app_udp_send(struct app *a, enum port_index pi, uint16_t local_port, uint32_t peer,
	     uint16_t peer_port, bool marker4, const uint8_t *msg, size_t len)
{
	struct dp *dp = &a->dp;
	const struct conf_port *cp = pi == PORT_PUBLIC ? &a->conf.pub : &a->conf.priv;
	size_t marker = marker4 ? 4 : 0;
	size_t hdrs = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + marker;
	uint64_t now = rte_rdtsc();
	struct rte_mbuf *m, *frags[IKE_FRAGS_MAX];
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	int32_t n, i;

	if (len + hdrs > UINT16_MAX)
		return;
	m = mbuf_chain(dp->mbufs, hdrs, msg, len);
	if (m == NULL) {
		dp->ctl_ctr[pi].drops[PORT_DROP_ring_full]++;
		return;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	memset(ip, 0, hdrs);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len + hdrs));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(cp->addr);
	ip->dst_addr = rte_cpu_to_be_32(peer);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(local_port);
	udp->dst_port = rte_cpu_to_be_16(peer_port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len + marker + sizeof(*udp)));
	/* UDP checksum 0: allowed over IPv4 (RFC 768), and what IKE stacks accept. */
	if (len + hdrs <= cp->mtu) {
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		dp_ctl_send_ip(dp, pi, m, now);
		return;
	}
	n = rte_ipv4_fragment_packet(m, frags, IKE_FRAGS_MAX, cp->mtu, dp->mbufs, dp->indirect);
	rte_pktmbuf_free(m);
	if (n < 0) {
		dp->ctl_ctr[pi].drops[PORT_DROP_ring_full]++;
		return;
	}
	for (i = 0; i < n; i++) {
		ip = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		dp_ctl_send_ip(dp, pi, frags[i], now);
	}
}

static void
ike_send(void *arg, uint16_t local_port, uint32_t peer, uint16_t peer_port, const uint8_t *msg,
	 size_t len)
{
	app_udp_send(arg, PORT_PUBLIC, local_port, peer, peer_port, local_port == 4500, msg, len);
}

static uint32_t
ike_spi_new(void *arg)
{
	struct app *a = arg;

	return sa_table_spi_new(a->dp.sa);
}

int
tunnel_admit(struct app *a, char *err, size_t errlen)
{
	unsigned n = sa_table_count(a->dp.sa), limit = a->conf.tunnel_limit;

	if (n < limit) {
		a->limit_logged = false;
		return 0;
	}
	a->limit_refusals++;
	snprintf(err, errlen, "the SKU's tunnel limit (%u) is reached", limit);
	if (!a->limit_logged)
		rte_log(RTE_LOG_WARNING, RTE_LOGTYPE_USER1,
			"p2sgw: %u tunnels: tunnel_limit reached, new clients are refused until "
			"one leaves (counted in 'show tunnels')\n", n);
	a->limit_logged = true;
	return -EDQUOT;
}

static int
ike_tunnel_add(void *arg, const struct iked_child_params *p, uint32_t *id, char *err,
	       size_t errlen)
{
	struct app *a = arg;
	struct sa_tunnel_params tp = { .inner_addr = p->inner_addr, .in = p->in, .out = p->out,
				       .owner = -1 };
	int rc = tunnel_admit(a, err, errlen);

	if (rc == 0)
		rc = sa_tunnel_add(a->dp.sa, a->dp.ctl_esp, &tp, id, err, errlen);

	explicit_bzero(&tp, sizeof(tp));
	return rc;
}

static int
ike_tunnel_rekey(void *arg, uint32_t id, const struct iked_child_params *p, char *err,
		 size_t errlen)
{
	struct app *a = arg;

	return sa_tunnel_rekey(a->dp.sa, a->dp.ctl_esp, id, &p->in, &p->out, err, errlen);
}

static void
ike_child_remove(void *arg, uint32_t in_spi)
{
	struct app *a = arg;

	sa_child_remove(a->dp.sa, in_spi);
}


/* RFC 2866 §5.10 Acct-Terminate-Cause for why the responder ended a tunnel. */
static uint32_t
terminate_cause(enum iked_end why)
{
	switch (why) {
	case IKED_END_CLIENT: return 1;    /* User Request */
	case IKED_END_LOST: return 2;      /* Lost Carrier */
	case IKED_END_ADMIN: return 6;     /* Admin Reset */
	case IKED_END_EXPIRED: return 10;  /* NAS Request */
	case IKED_END_SHUTDOWN: return 7;  /* Admin Reboot */
	case IKED_END_ERROR: break;
	}
	return 9;                          /* NAS Error */
}

static void
ike_tunnel_del(void *arg, uint32_t id, enum iked_end why)
{
	struct app *a = arg;
	struct iked_tunnel_stats st;

	if (ike_tunnel_stats(a, id, &st) == 0)
		radius_app_tunnel_down(a, id, st.in_packets, st.in_bytes, st.out_packets,
				       st.out_bytes, terminate_cause(why));
	sa_tunnel_del(a->dp.sa, id);
}

int
ike_tunnel_stats(void *arg, uint32_t id, struct iked_tunnel_stats *st)
{
	struct app *a = arg;
	const struct sa_tunnel *tun = sa_tunnel_get(a->dp.sa, id);
	const struct sa_child *out;
	unsigned i;

	memset(st, 0, sizeof(*st));
	if (tun == NULL)
		return -ENOENT;
	for (i = 0; i < SA_IN_MAX; i++) {
		if (tun->in[i] == NULL)
			continue;
		st->in_packets += esp_sa_stats(tun->in[i]->esp)->packets;
		st->in_bytes += esp_sa_stats(tun->in[i]->esp)->bytes;
	}
	out = __atomic_load_n(&tun->out, __ATOMIC_ACQUIRE);
	st->out_packets = esp_sa_stats(out->esp)->packets;
	st->out_bytes = esp_sa_stats(out->esp)->bytes;
	st->seq_soft = (esp_sa_events(out->esp) & ESP_EVENT_SEQ_SOFT) != 0;
	return 0;
}

static const struct iked_ops ike_ops = {
	.send = ike_send,
	.spi_new = ike_spi_new,
	.tunnel_add = ike_tunnel_add,
	.tunnel_rekey = ike_tunnel_rekey,
	.child_remove = ike_child_remove,
	.tunnel_del = ike_tunnel_del,
	.tunnel_stats = ike_tunnel_stats,
	.eap_start = radius_app_eap_start,
	.eap_send = radius_app_eap_send,
	.eap_end = radius_app_eap_end,
	.eap_up = radius_app_eap_up,
};

/* ---- IKE frames from the workers ---- */

static void
ike_frame(void *arg, struct rte_mbuf *m, uint64_t now_tsc)
{
	/* A reassembled datagram comes as a chain: read it into one buffer. */
	static uint8_t buf[RTE_ETHER_HDR_LEN + UINT16_MAX];
	struct app *a = arg;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	size_t len = rte_pktmbuf_pkt_len(m), ihl, ulen;
	const uint8_t *p;

	/* The worker classified it; check the lengths again before reading. */
	if (len < RTE_ETHER_HDR_LEN + sizeof(*ip) + sizeof(*udp) || len > sizeof(buf))
		goto out;
	p = rte_pktmbuf_read(m, 0, (uint32_t)len, buf);
	ip = (const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	ihl = (size_t)(ip->version_ihl & 0x0f) * 4;
	if (ihl < sizeof(*ip) || len < RTE_ETHER_HDR_LEN + ihl + sizeof(*udp))
		goto out;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || RTE_ETHER_HDR_LEN + ihl + ulen > len)
		goto out;
	/* The private port's verdict L2L3_RADIUS: a RADIUS server's reply. */
	if (rte_be_to_cpu_32(ip->dst_addr) == a->conf.priv.addr) {
		if (udp->dst_port == RTE_BE16(L2L3_RADIUS_PORT))
			radius_app_input(a, (const uint8_t *)(udp + 1), ulen - sizeof(*udp),
					 rte_be_to_cpu_32(ip->src_addr),
					 rte_be_to_cpu_16(udp->src_port), app_ms(now_tsc));
		goto out;
	}
	/* Reassembled fragments may be any UDP: only IKE's ports go on. */
	if (udp->dst_port != RTE_BE16(500) && udp->dst_port != RTE_BE16(4500))
		goto out;
	if (a->ike != NULL)
		iked_input(a->ike, (const uint8_t *)(udp + 1), ulen - sizeof(*udp),
			   rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_16(udp->src_port),
			   rte_be_to_cpu_16(udp->dst_port), app_ms(now_tsc));
out:
	rte_pktmbuf_free(m);
}

/* ---- start and stop ---- */

int
ike_trust_load(const struct conf *c, struct auth_roots **roots_out,
	       struct auth_revoked **revoked_out, char *err, size_t errlen)
{
	struct auth_roots *roots = auth_roots_new();
	struct auth_revoked *revoked = auth_revoked_new(c->n_revoked ? c->n_revoked : 1);
	char why[AUTH_ERR_MAX];
	unsigned i;
	int rc = 0;

	if (roots == NULL || revoked == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	for (i = 0; rc == 0 && i < c->n_roots; i++) {
		const struct conf_root *r = &c->roots[i];

		rc = r->data != NULL
			     ? auth_roots_add(roots, r->name, r->data, strlen(r->data), why,
					      sizeof(why))
			     : auth_roots_add_file(roots, r->name, r->file, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "trusted_roots.[%u] %s: %.400s", i, r->name, why);
	}
	for (i = 0; rc == 0 && i < c->n_revoked; i++)
		auth_revoked_add(revoked, c->revoked[i].name, c->revoked[i].sha1);
	if (rc == 0 && (rc = auth_revoked_seal(revoked, why, sizeof(why))) < 0)
		snprintf(err, errlen, "revoked: %.480s", why);
	if (rc < 0) {
		auth_roots_free(roots);
		auth_revoked_free(revoked);
		return rc;
	}
	*roots_out = roots;
	*revoked_out = revoked;
	return 0;
}

int
ike_responder_start(struct app *a, char *err, size_t errlen)
{
	const struct conf *c = &a->conf;
	struct iked_config ic;
	char why[AUTH_ERR_MAX];

	if (c->server_cert[0] == '\0') {
		/* The data plane (and manual keying) still runs; the operator sees why
		 * IKEv2 does not, here and in 'show ike'. */
		rte_log(RTE_LOG_WARNING, RTE_LOGTYPE_USER1, "p2sgw: IKEv2 not started: "
			"server_certificate is not set (the gateway's certificate and key)\n");
		return 0;
	}
	a->key = auth_key_load(c->server_cert, c->server_key, why, sizeof(why));
	if (a->key == NULL) {
		snprintf(err, errlen, "server_certificate: %.480s", why);
		return -EINVAL;
	}
	if (ike_trust_load(c, &a->roots, &a->revoked, err, errlen) < 0)
		return -EINVAL;
	memset(&ic, 0, sizeof(ic));
	ic.local_addr = c->pub.addr;
	ic.pool_mask_len = c->pool.len;
	ic.vnet = c->vnet;
	ic.n_vnet = c->n_vnet;
	ic.dns = c->dns;
	ic.n_dns = c->n_dns;
	ic.ike = &c->ikev2;
	ic.max_tunnels = sa_table_capacity(a->dp.sa);
	ic.roots = a->roots;
	ic.revoked = a->revoked;
	ic.key = a->key;
	ic.pool = a->pool;
	ic.eap = radius_app_eap_ready(a);
	ic.cert_off = !(c->auth & CONF_AUTH_CERT);
	ic.ops = &ike_ops;
	ic.ops_arg = a;
	a->ike = iked_create(&ic, err, errlen);
	if (a->ike == NULL)
		return -EINVAL;
	a->dp.ike_input = ike_frame;
	a->dp.ike_arg = a;
	return 0;
}

int
ike_start(struct app *a, char *err, size_t errlen)
{
	const struct conf *c = &a->conf;

	a->pool = pool_create(c->pool.addr, c->pool.len);
	if (a->pool == NULL) {
		snprintf(err, errlen, "client_pool: cannot make a pool of a /%u", c->pool.len);
		return -EINVAL;
	}
	if (radius_app_start(a, err, errlen) < 0)
		return -EINVAL;
	if (!(c->protocols & CONF_PROTO_IKEV2))
		return 0;
	return ike_responder_start(a, err, errlen);
}

void
ike_stop(struct app *a)
{
	a->dp.ike_input = NULL;
	/* RADIUS first: IKE_SAs that go now send no accounting into a stopped data plane. */
	radius_app_stop(a);
	iked_free(a->ike);
	a->ike = NULL;
	auth_key_free(a->key);
	auth_roots_free(a->roots);
	auth_revoked_free(a->revoked);
	pool_free(a->pool);
	a->key = NULL;
	a->roots = NULL;
	a->revoked = NULL;
	a->pool = NULL;
}

unsigned
ike_poll(struct app *a, uint64_t now_tsc)
{
	if (a->ike == NULL || now_tsc < a->next_ike_tsc)
		return 0;
	a->next_ike_tsc = now_tsc + rte_get_tsc_hz() / 1000 * IKE_TIMER_MS;
	return iked_timers(a->ike, app_ms(now_tsc));
}

/* ---- CLI ---- */

static void
duration(struct json_object *o, const char *k, uint64_t ms)
{
	add_u64(o, k, ms / 1000);
}

static int
tunnel_row(struct sa_tunnel *tun, void *arg)
{
	struct app *a = ((void **)arg)[0];
	struct json_object *rows = ((void **)arg)[1];
	struct json_object *o = json_object_new_object();
	uint64_t now = app_ms(rte_rdtsc());
	struct iked_tunnel_stats st;
	struct iked_sa_info info;
	char buf[48], ip[16];
	bool ike = a->ike != NULL && iked_tunnel_info(a->ike, tun->id, now, &info) == 0;

	ike_tunnel_stats(a, tun->id, &st);
	add_u64(o, "id", tun->id);
	add_str(o, "identity", ike ? info.identity : "-");
	ipv4_str(tun->remote_addr, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), "%s:%u", ip, tun->udp_encap ? tun->remote_port : 0);
	add_str(o, "outer", tun->udp_encap ? buf : ip);
	ipv4_str(tun->inner_addr, ip, sizeof(ip));
	add_str(o, "inner", ip);
	add_str(o, "protocol", ike ? "ikev2" : "manual");
	add_str(o, "auth", ike ? info.auth : "-");
	duration(o, "uptime_s", ike ? info.established_ms
				    : (rte_rdtsc() - tun->created_tsc) / (rte_get_tsc_hz() / 1000));
	add_u64(o, "in_packets", st.in_packets);
	add_u64(o, "in_bytes", st.in_bytes);
	add_u64(o, "out_packets", st.out_packets);
	add_u64(o, "out_bytes", st.out_bytes);
	/* Over the SKU's rate with its queue share full (written by the owner). */
	add_u64(o, "rate_drops", tun->stats.drops[SA_DROP_rate_queue_full]);
	add_u64(o, "worker", tun->owner);
	json_object_array_add(rows, o);
	return 0;
}

static int
cmd_tunnels(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	    size_t errlen)
{
	struct app *a = ctx;
	void *arg[2] = { a, json_object_new_array() };

	(void)argc, (void)argv, (void)err, (void)errlen;
	sa_table_walk(a->dp.sa, tunnel_row, arg);
	*res = json_object_new_object();
	add_u64(*res, "tunnels", sa_table_count(a->dp.sa));
	add_u64(*res, "pool_in_use", pool_in_use(a->pool));
	add_u64(*res, "pool_size", pool_capacity(a->pool));
	add_u64(*res, "tunnel_limit", a->conf.tunnel_limit);
	add_u64(*res, "refused_at_limit", a->limit_refusals);
	json_object_object_add(*res, "clients", arg[1]);
	return 0;
}

static int
ike_row(const struct iked_sa_info *s, void *arg)
{
	struct json_object *o = json_object_new_object();
	char buf[48], ip[16];

	add_u64(o, "id", s->id);
	add_str(o, "state", iked_state_name(s->state));
	ipv4_str(s->peer_addr, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), "%s:%u", ip, s->peer_port);
	add_str(o, "peer", buf);
	add_str(o, "identity", s->identity[0] ? s->identity : "-");
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)s->spi_i);
	add_str(o, "spi_i", buf);
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)s->spi_r);
	add_str(o, "spi_r", buf);
	add_str(o, "nat", s->nat ? "yes" : "no");
	add_str(o, "ike", s->proposal);
	add_str(o, "esp", s->child_proposal);
	if (s->inner_addr != 0) {
		ipv4_str(s->inner_addr, ip, sizeof(ip));
		add_str(o, "inner", ip);
	}
	add_u64(o, "tunnel", s->tunnel_id);
	duration(o, "age_s", s->age_ms);
	duration(o, "idle_s", s->idle_ms);
	json_object_array_add(arg, o);
	return 0;
}

static int
cmd_ike(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct app *a = ctx;
	struct json_object *rows, *drops, *events;
	struct iked_counters c;
	unsigned i;

	(void)argc, (void)argv;
	if (a->ike == NULL) {
		snprintf(err, errlen, "show ike: IKEv2 is not running; it needs \"ikev2\" in "
			 "protocols and a server_certificate");
		return -ENOENT;
	}
	rows = json_object_new_array();
	iked_walk(a->ike, app_ms(rte_rdtsc()), ike_row, rows);
	iked_counters(a->ike, &c);
	*res = json_object_new_object();
	add_u64(*res, "established", c.established);
	add_u64(*res, "half_open", c.half_open);
	json_object_object_add(*res, "ike_sas", rows);
	events = json_object_new_object();
	for (i = 0; i < IKED_EV_COUNT; i++)
		add_u64(events, iked_event_name(i), c.events[i]);
	json_object_object_add(*res, "events", events);
	drops = json_object_new_object();
	for (i = 0; i < IKED_DROP_COUNT; i++)
		add_u64(drops, iked_drop_name(i), c.drops[i]);
	json_object_object_add(*res, "drops", drops);
	return 0;
}

static int
cmd_disconnect(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	       size_t errlen)
{
	struct app *a = ctx;
	char *end;
	unsigned long id = strtoul(argv[0], &end, 10);

	(void)argc, (void)res;
	if (*argv[0] == '\0' || *end != '\0' || id == 0 || id > UINT32_MAX || a->ike == NULL ||
	    iked_disconnect(a->ike, (uint32_t)id, app_ms(rte_rdtsc())) != 0) {
		snprintf(err, errlen, "disconnect: no IKEv2 client with tunnel id '%s'; allowed: an "
			 "id from 'show tunnels'", argv[0]);
		return -ENOENT;
	}
	return 0;
}

int
ike_commands_register(struct app *a)
{
	const struct ctl_command cmds[] = {
		{ "show tunnels", NULL,
		  "connected clients: identity, outer and inner address, protocol, uptime, traffic",
		  0, 0, cmd_tunnels, a, "/p2sgw/tunnels" },
		{ "show ike", NULL, "IKE_SAs and their state, IKE counters and drops", 0, 0, cmd_ike,
		  a, "/p2sgw/ike" },
		{ "disconnect", "ID", "end a client's tunnel (IKEv2: DELETE sent)", 1, 1,
		  cmd_disconnect, a, NULL },
	};

	return commands_add(a, cmds, RTE_DIM(cmds));
}
