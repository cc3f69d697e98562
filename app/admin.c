/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changing a running gateway from the CLI: SKU, rate and tunnel limit, protocols,
 * authentication modes, trusted roots, revoked thumbprints, DNS servers.
 * Each change goes through conf_edit() (lib/conf/edit.c): the configuration
 * file is changed, the whole result validated as at start-up and written
 * atomically — or nothing happens and the operator gets the one-line error.
 * Then the running gateway takes the new configuration: what is still
 * allowed keeps running; a client whose certificate is now revoked or whose
 * root was removed, or whose protocol or authentication mode was switched
 * off, is ended with a DELETE. The CLI server runs on the control core, so
 * nothing here races with the IKE responder.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_cycles.h>

#include "app.h"
#include "auth.h"
#include "iked.h"
#include "sa.h"

static bool
vnet_changed(const struct conf *a, const struct conf *b)
{
	unsigned i;

	if (a->n_vnet != b->n_vnet)
		return true;
	for (i = 0; i < a->n_vnet; i++)
		if (a->vnet[i].addr != b->vnet[i].addr || a->vnet[i].len != b->vnet[i].len)
			return true;
	return false;
}

/* The running gateway takes next (a validated configuration just written). */
static int
take(struct app *a, struct conf *next, struct json_object **res, char *err, size_t errlen)
{
	struct auth_roots *roots = NULL;
	struct auth_revoked *revoked = NULL;
	uint64_t now = app_ms(rte_rdtsc());
	struct conf old = a->conf;
	unsigned ended = 0;
	int rc = 0;

	/* Certificates first: a root file that does not load refuses nothing else. */
	if (a->ike != NULL && ike_trust_load(next, &roots, &revoked, err, errlen) < 0) {
		conf_free(next);
		return -EINVAL;
	}
	/* struct conf stays where it is: the responder points into it (vnet, dns, ikev2). */
	a->conf = *next;
	/* The SKU's rate holds from the workers' next burst. */
	if (conf_rate_bps(&a->conf) != a->dp.rate_bps)
		dp_set_rate(&a->dp, conf_rate_bps(&a->conf));
	/* New VNet prefixes: the data plane's policy now, new clients' routes (CP, TSr). */
	if (vnet_changed(&old, &a->conf) && dp_set_vnet(&a->dp, &a->conf) != 0) {
		snprintf(err, errlen, "vnet: saved, but out of memory for the new table (restart)");
		rc = -ENOMEM;
	}
	if (a->ike != NULL) {
		iked_set_network(a->ike, a->conf.vnet, a->conf.n_vnet, a->conf.dns, a->conf.n_dns);
		ended += iked_set_trust(a->ike, roots, revoked, now);
		auth_roots_free(a->roots);
		auth_revoked_free(a->revoked);
		a->roots = roots;
		a->revoked = revoked;
	}
	/* RADIUS switched on: the client now. Clients of a mode switched off are ended. */
	if (rc == 0)
		rc = radius_app_start(a, err, errlen);
	if (a->ike != NULL)
		ended += iked_set_auth(a->ike, a->conf.auth & CONF_AUTH_CERT,
				       radius_app_eap_ready(a), now);
	if (!(a->conf.protocols & CONF_PROTO_IKEV2) ||
	    !(a->conf.auth & (CONF_AUTH_CERT | CONF_AUTH_RADIUS))) {
		/* IKEv2 off, or no way left to authenticate an IKEv2 client. */
		if (a->ike != NULL)
			ended += iked_set_enabled(a->ike, false, now);
	} else if (a->ike != NULL) {
		iked_set_enabled(a->ike, true, now);
	} else if (rc == 0) {
		rc = ike_responder_start(a, err, errlen);
	}
	conf_free(&old);
	*res = json_object_new_object();
	add_u64(*res, "clients_ended", ended);
	add_str(*res, "saved", a->conf.path);
	return rc;
}

static int
change(struct app *a, const struct conf_change *ch, struct json_object **res, char *err,
       size_t errlen)
{
	struct conf next;
	int rc = conf_edit(a->conf.path, ch, &next, err, errlen);

	return rc < 0 ? rc : take(a, &next, res, err, errlen);
}

static int
on_off(const char *cmd, const char *word, bool *on, char *err, size_t errlen)
{
	if (strcmp(word, "enable") == 0 || strcmp(word, "disable") == 0) {
		*on = word[0] == 'e';
		return 0;
	}
	snprintf(err, errlen, "%s: '%s'; allowed: enable, disable", cmd, word);
	return -EINVAL;
}

static int
cmd_set_sku(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	    size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_SKU, .value = argv[0] };

	(void)argc;
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_set_tunnel_limit(void *ctx, int argc, char **argv, struct json_object **res, char *err,
		     size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_TUNNEL_LIMIT };
	char *end;

	(void)argc;
	ch.number = strtoll(argv[0], &end, 10);
	if (*argv[0] == '\0' || *end != '\0' || ch.number < 1 || ch.number > CONF_TUNNELS_MAX) {
		snprintf(err, errlen, "set tunnel_limit: '%s'; allowed: 1..%d", argv[0],
			 CONF_TUNNELS_MAX);
		return -EINVAL;
	}
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_set_rate(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	     size_t errlen)
{
	struct app *a = ctx;
	struct conf_change ch = { .kind = CONF_CHANGE_RATE };
	uint64_t sku_mbps = conf_sku_rate_bps(a->conf.sku) / 1000000u;
	char *end;

	(void)argc;
	if (strcmp(argv[0], "sku") == 0)
		return change(ctx, &ch, res, err, errlen);
	ch.number = strtoll(argv[0], &end, 10);
	if (*argv[0] == '\0' || *end != '\0' || ch.number < 1 || (uint64_t)ch.number > sku_mbps) {
		snprintf(err, errlen, "set rate: '%s'; allowed: 1..%" PRIu64 " (Mbit/s, at most the "
			 "%s SKU's rate) or sku", argv[0], sku_mbps, conf_sku_name(a->conf.sku));
		return -EINVAL;
	}
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_protocol(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	     size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_PROTOCOL, .name = argv[1] };

	(void)argc;
	if (on_off("protocol", argv[0], &ch.on, err, errlen) < 0)
		return -EINVAL;
	if (strcmp(argv[1], "ikev2") != 0 && strcmp(argv[1], "sstp") != 0) {
		snprintf(err, errlen, "protocol: '%s'; allowed: ikev2, sstp", argv[1]);
		return -EINVAL;
	}
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_auth(void *ctx, int argc, char **argv, struct json_object **res, char *err, size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_AUTH, .name = argv[1] };

	(void)argc;
	if (on_off("auth", argv[0], &ch.on, err, errlen) < 0)
		return -EINVAL;
	if (strcmp(argv[1], "certificate") != 0 && strcmp(argv[1], "radius") != 0) {
		snprintf(err, errlen, "auth: '%s'; allowed: certificate, radius", argv[1]);
		return -EINVAL;
	}
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_root_add(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	     size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_ROOT, .on = true, .name = argv[0],
				  .key = "file", .value = argv[1] };

	(void)argc;
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_root_remove(void *ctx, int argc, char **argv, struct json_object **res, char *err,
		size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_ROOT, .name = argv[0] };

	(void)argc;
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_revoke_add(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	       size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_REVOKED, .on = true, .name = argv[0],
				  .key = "thumbprint", .value = argv[1] };

	(void)argc;
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_revoke_remove(void *ctx, int argc, char **argv, struct json_object **res, char *err,
		  size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_REVOKED, .name = argv[0] };

	(void)argc;
	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_set_dns(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	    size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_DNS, .list = (const char *const *)argv,
				  .n = (unsigned)argc };

	return change(ctx, &ch, res, err, errlen);
}

/* One direction of the rate: use, queues, drops. */
static struct json_object *
direction_json(const struct dp *dp, enum dp_dir d)
{
	struct json_object *o = json_object_new_object();
	struct dp_shape_stats s;

	dp_shape_stats(dp, d, &s);
	add_u64(o, "use_bps", s.use_bps);
	add_u64(o, "sent_bytes", s.sent_bytes);
	add_u64(o, "sent_packets", s.sent_packets);
	add_u64(o, "queued_packets", s.queued_packets);
	add_u64(o, "queued_bytes", s.queued_bytes);
	add_u64(o, "waited", s.waited);
	add_u64(o, "drops", s.drops);
	return o;
}

static int
cmd_set_vnet(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	     size_t errlen)
{
	struct conf_change ch = { .kind = CONF_CHANGE_VNET, .list = (const char *const *)argv,
				  .n = (unsigned)argc };

	return change(ctx, &ch, res, err, errlen);
}

static int
cmd_show_sku(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	     size_t errlen)
{
	struct app *a = ctx;
	const char *name = conf_sku_name(a->conf.sku);

	(void)argc, (void)argv, (void)err, (void)errlen;
	*res = json_object_new_object();
	add_str(*res, "sku", name != NULL ? name : "?");
	add_u64(*res, "sku_rate_bps", conf_sku_rate_bps(a->conf.sku));
	add_u64(*res, "rate_bps", a->dp.rate_bps);
	json_object_object_add(*res, "up", direction_json(&a->dp, DP_UP));
	json_object_object_add(*res, "down", direction_json(&a->dp, DP_DOWN));
	add_u64(*res, "tunnels", sa_table_count(a->dp.sa));
	add_u64(*res, "tunnel_limit", a->conf.tunnel_limit);
	add_u64(*res, "refused_at_limit", a->limit_refusals);
	add_str(*res, "ikev2", a->ike != NULL && (a->conf.protocols & CONF_PROTO_IKEV2) ? "on" : "off");
	return 0;
}

int
admin_commands_register(struct app *a)
{
	const struct ctl_command cmds[] = {
		{ "set sku", "NAME",
		  "change the SKU (Basic, VpnGw1..5); saved to the configuration file", 1, 1,
		  cmd_set_sku, a, NULL },
		{ "set rate", "MBPS|sku",
		  "hold each direction below the SKU's rate (Mbit/s), or at it again (sku); saved",
		  1, 1, cmd_set_rate, a, NULL },
		{ "set tunnel_limit", "N", "tunnels at once, every protocol (1..1024); saved", 1, 1,
		  cmd_set_tunnel_limit, a, NULL },
		{ "protocol", "enable|disable ikev2|sstp",
		  "switch a protocol; its clients are ended when it goes off; saved", 2, 2,
		  cmd_protocol, a, NULL },
		{ "auth", "enable|disable certificate|radius",
		  "switch an authentication mode; saved", 2, 2, cmd_auth, a, NULL },
		{ "root add", "NAME FILE",
		  "trust a root (PEM, DER or Base64 file; relative to the configuration's folder); "
		  "saved", 2, 2, cmd_root_add, a, NULL },
		{ "root remove", "NAME",
		  "stop trusting a root; its connected clients are ended; saved", 1, 1,
		  cmd_root_remove, a, NULL },
		{ "revoke add", "NAME THUMBPRINT",
		  "refuse a client certificate (SHA-1); a connected client with it is ended; saved",
		  2, 2, cmd_revoke_add, a, NULL },
		{ "revoke remove", "NAME", "take a thumbprint off the revoked list; saved", 1, 1,
		  cmd_revoke_remove, a, NULL },
		{ "set dns", "[ADDRESS...]", "DNS servers for new clients (0..8); saved", 0, 8,
		  cmd_set_dns, a, NULL },
		{ "set vnet", "PREFIX...",
		  "the VNet prefixes (up to 14 here, 32 in the file): clients reach only these from "
		  "now on, new clients get them as routes; saved",
		  1, CTL_ARGS_MAX - 2, cmd_set_vnet, a, NULL },
		{ "show sku", NULL,
		  "the SKU, the rate in force, each direction's use, queues and drops, tunnels", 0, 0,
		  cmd_show_sku, a, "/p2sgw/sku" },
	};

	return commands_add(a, cmds, RTE_DIM(cmds));
}
