/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration as JSON for `show config`: a nested object that mirrors
 * the file, so an operator can compare the two field by field. Addresses are
 * printed as the file writes them, thumbprints as uppercase hex without
 * separators (as PowerShell shows them), and RADIUS secrets never leave the
 * process: they are printed as "********".
 */
#include <stdio.h>

#include <json-c/json.h>
#include <rte_log.h>

#include "conf_int.h"

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_ipv4(struct json_object *o, const char *key, uint32_t a)
{
	char buf[16];

	conf_format_ipv4(a, buf, sizeof(buf));
	add_str(o, key, buf);
}

static struct json_object *new_prefix(uint32_t addr, uint8_t len)
{
	char buf[24];

	conf_format_prefix(addr, len, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *port_json(const struct conf_port *p)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "profile", p->profile);
	add_str(o, "iface", p->iface);
	add_str(o, "pci", p->pci);
	json_object_object_add(o, "address", new_prefix(p->addr, p->prefix_len));
	if (p->next_hop != 0)
		add_ipv4(o, "next_hop", p->next_hop);
	else
		json_object_object_add(o, "next_hop", NULL);
	add_int(o, "mtu", p->mtu);
	return o;
}

static struct json_object *flags_json(unsigned flags, const char *const *names)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; names[i] != NULL; i++)
		if (flags & (1u << i))
			json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

static void networks_json(const struct conf *c, struct json_object *o)
{
	struct json_object *vnet = json_object_new_array(), *dns = json_object_new_array();
	struct json_object *ports = json_object_new_object();
	char buf[16];

	json_object_object_add(ports, "public", port_json(&c->pub));
	json_object_object_add(ports, "private", port_json(&c->priv));
	json_object_object_add(o, "ports", ports);
	json_object_object_add(o, "client_pool", new_prefix(c->pool.addr, c->pool.len));
	for (unsigned i = 0; i < c->n_vnet; i++)
		json_object_array_add(vnet, new_prefix(c->vnet[i].addr, c->vnet[i].len));
	json_object_object_add(o, "vnet", vnet);
	for (unsigned i = 0; i < c->n_dns; i++) {
		conf_format_ipv4(c->dns[i], buf, sizeof(buf));
		json_object_array_add(dns, json_object_new_string(buf));
	}
	json_object_object_add(o, "dns", dns);
}

static void service_json(const struct conf *c, struct json_object *o)
{
	/* Bit i of the masks is name i: CONF_PROTO_* and CONF_AUTH_* are in that order. */
	static const char *const protocols[] = { "ikev2", "sstp", NULL };
	static const char *const auth[] = { "certificate", "radius", NULL };
	struct json_object *sku = json_object_new_object();
	const char *name = conf_sku_name(c->sku);

	add_str(sku, "name", name != NULL ? name : "unknown");
	json_object_object_add(sku, "rate_bps", json_object_new_uint64(conf_sku_rate_bps(c->sku)));
	json_object_object_add(sku, "tunnel_limit", json_object_new_uint64(c->tunnel_limit));
	json_object_object_add(sku, "rate_mbps", json_object_new_uint64(c->rate_mbps));
	json_object_object_add(sku, "rate_in_force_bps", json_object_new_uint64(conf_rate_bps(c)));
	json_object_object_add(o, "sku", sku);
	json_object_object_add(o, "protocols", flags_json(c->protocols, protocols));
	json_object_object_add(o, "auth", flags_json(c->auth, auth));
}

static void certs_json(const struct conf *c, struct json_object *o)
{
	struct json_object *cert = json_object_new_object(), *roots = json_object_new_array();
	struct json_object *revoked = json_object_new_array();

	add_str(cert, "cert", c->server_cert);
	add_str(cert, "key", c->server_key);
	json_object_object_add(o, "server_certificate", cert);
	for (unsigned i = 0; i < c->n_roots; i++) {
		struct json_object *r = json_object_new_object();

		add_str(r, "name", c->roots[i].name);
		if (c->roots[i].data != NULL)
			json_object_object_add(r, "inline", json_object_new_boolean(1));
		else
			add_str(r, "file", c->roots[i].file);
		json_object_array_add(roots, r);
	}
	json_object_object_add(o, "trusted_roots", roots);
	for (unsigned i = 0; i < c->n_revoked; i++) {
		struct json_object *r = json_object_new_object();
		char hex[41];

		for (unsigned k = 0; k < 20; k++)
			snprintf(hex + 2 * k, 3, "%02X", c->revoked[i].sha1[k]);
		add_str(r, "name", c->revoked[i].name);
		add_str(r, "thumbprint", hex);
		json_object_array_add(revoked, r);
	}
	json_object_object_add(o, "revoked", revoked);
}

static void radius_json(const struct conf *c, struct json_object *o)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < c->n_radius; i++) {
		const struct conf_radius *r = &c->radius[i];
		struct json_object *s = json_object_new_object();

		add_ipv4(s, "address", r->addr);
		add_str(s, "secret", "********");
		add_int(s, "priority", r->priority);
		add_int(s, "auth_port", r->auth_port);
		add_int(s, "acct_port", r->acct_port);
		add_int(s, "timeout_ms", r->timeout_ms);
		add_int(s, "retries", r->retries);
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "radius", a);
}

static const char *level_name(int level)
{
	switch (level) {
	case RTE_LOG_ERR: return "error";
	case RTE_LOG_WARNING: return "warning";
	case RTE_LOG_NOTICE: return "notice";
	case RTE_LOG_INFO: return "info";
	case RTE_LOG_DEBUG: return "debug";
	default: return "unknown";
	}
}

static void operation_json(const struct conf *c, struct json_object *o)
{
	struct json_object *cli = json_object_new_object(), *log = json_object_new_object();
	struct json_object *dp = json_object_new_object();

	add_str(cli, "socket", c->cli_socket);
	add_str(cli, "group", c->cli_group);
	json_object_object_add(o, "cli", cli);
	add_str(log, "level", level_name(c->log_level));
	json_object_object_add(o, "log", log);
	add_str(dp, "profile_dir", c->profile_dir);
	add_int(dp, "idle_sleep_us", c->idle_sleep_us);
	add_int(dp, "neigh_max", c->neigh_max);
	add_int(dp, "neigh_timeout_s", c->neigh_timeout_s);
	json_object_object_add(o, "dataplane", dp);
}

static void ikev2_json(const struct conf *c, struct json_object *o)
{
	const struct conf_ikev2 *k = &c->ikev2;
	struct json_object *ike = json_object_new_object();

	add_str(ike, "proposals", conf_ike_proposals_name(k->proposals));
	add_int(ike, "liveness_s", k->liveness_s);
	add_int(ike, "liveness_retries", k->liveness_retries);
	add_int(ike, "ike_lifetime_s", k->ike_lifetime_s);
	add_int(ike, "child_lifetime_s", k->child_lifetime_s);
	json_object_object_add(ike, "child_lifetime_bytes",
			       json_object_new_int64((int64_t)k->child_lifetime_bytes));
	add_int(ike, "cookie_threshold", k->cookie_threshold);
	add_int(ike, "half_open_max", k->half_open_max);
	add_int(ike, "fragment_size", k->fragment_size);
	json_object_object_add(o, "ikev2", ike);
}

struct json_object *conf_to_json(const struct conf *c)
{
	struct json_object *o;

	if (c == NULL)
		return NULL;
	o = json_object_new_object();
	if (o == NULL)
		return NULL;
	add_str(o, "path", c->path);
	add_str(o, "name", c->name);
	networks_json(c, o);
	service_json(c, o);
	certs_json(c, o);
	radius_json(c, o);
	operation_json(c, o);
	ikev2_json(c, o);
	return o;
}
