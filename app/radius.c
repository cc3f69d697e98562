/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wiring of the RADIUS client (lib/radius) into the appliance. The servers
 * are in the VNet, which the gateway's kernel does not reach: requests leave
 * through the DPDK private port from the private address and UDP port
 * L2L3_RADIUS_PORT (49812) with the control core's send path (app_udp_send);
 * replies to that address and port are classified by the workers
 * (L2L3_RADIUS) and come up the IKE ring to ike_frame(), which hands them
 * here. The responder's EAP relay (iked_ops.eap_*) becomes one RADIUS
 * session per IKE_SA; its answers go back with iked_eap_result(). Clients
 * accepted by RADIUS get accounting Start when their tunnel is up and Stop
 * (with the tunnel's counters) when it goes. `show radius`: servers, state,
 * counters by reason; never the secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_cycles.h>
#include <rte_log.h>

#include "app.h"
#include "iked.h"
#include "l2l3.h"
#include "radius.h"
#include "sa.h"

#define RADIUS_TIMER_MS 100
#define ATTR_ACCT_INTERIM_INTERVAL 85 /* RFC 2869 §5.16 (not in lib/radius's list) */
#define ACCT_PENDING_MS 60000  /* an accepted client that never reaches its tunnel: forgotten */

/* One EAP conversation: an IKE_SA and its RADIUS session. */
struct eap_conv {
	struct eap_conv *next;
	struct app *a;
	uint32_t sa_id;
	struct radius_session *s;
	char user[254];
	char calling[48];
};

/* A client accepted by RADIUS, for accounting (tunnel_id 0: not up yet). */
struct acct_rec {
	struct acct_rec *next;
	uint32_t sa_id, tunnel_id;
	uint64_t made_ms, start_ms;
	uint32_t framed_ip;
	char user[254];
	char calling[48];
	char session_id[32];
	uint8_t class_attr[253];
	size_t class_len;
	uint64_t interim_ms;           /* Acct-Interim-Interval of the Accept, 0 = none */
	uint64_t next_interim_ms;
	uint64_t session_timeout_ms;   /* Session-Timeout of the Accept, 0 = none */
	bool timed_out;                /* we ended it for Session-Timeout */
};

struct app_eap {
	struct eap_conv *convs;
	struct acct_rec *accts;
	uint32_t acct_seq;
	uint64_t acct_start, acct_stop, acct_interim, acct_answered, acct_failed;
};

#define RLOG(level, ...) rte_log(RTE_LOG_##level, RTE_LOGTYPE_USER1, "radius: " __VA_ARGS__)

/* ---- sending ---- */

static void
radius_send(void *arg, uint32_t server, uint16_t port, const uint8_t *pkt, size_t len)
{
	app_udp_send(arg, PORT_PRIVATE, L2L3_RADIUS_PORT, server, port, false, pkt, len);
}

static const struct radius_ops radius_ops = { .send = radius_send };

void
radius_app_input(struct app *a, const uint8_t *dgram, size_t len, uint32_t from,
		 uint16_t from_port, uint64_t now_ms)
{
	if (a->radius != NULL)
		radius_input(a->radius, dgram, len, from, from_port, now_ms);
}

/* ---- EAP relay (iked_ops) ---- */

static struct eap_conv **
conv_find(struct app *a, uint32_t sa_id)
{
	struct eap_conv **p;

	if (a->eap == NULL)
		return NULL;
	for (p = &a->eap->convs; *p != NULL; p = &(*p)->next)
		if ((*p)->sa_id == sa_id)
			return p;
	return NULL;
}

static void
acct_pending(struct app *a, const struct eap_conv *cv, const struct radius_auth_result *r)
{
	struct acct_rec *rec = calloc(1, sizeof(*rec));

	if (rec == NULL)
		return;
	rec->sa_id = cv->sa_id;
	rec->made_ms = app_ms(rte_rdtsc());
	snprintf(rec->user, sizeof(rec->user), "%s", cv->user);
	snprintf(rec->calling, sizeof(rec->calling), "%s", cv->calling);
	if (r->class_attr != NULL && r->class_len <= sizeof(rec->class_attr)) {
		memcpy(rec->class_attr, r->class_attr, r->class_len);
		rec->class_len = r->class_len;
	}
	/* RFC 2869 §5.16: Acct-Interim-Interval, in seconds; RFC 2865 §5.27 Session-Timeout. */
	{
		struct radius_attr_iter it;
		struct radius_attr at;

		radius_attr_iter_area(&it, r->attrs, r->attrs_len);
		while (radius_attr_next(&it, &at))
			if (at.type == ATTR_ACCT_INTERIM_INTERVAL && at.len == 4)
				rec->interim_ms = (uint64_t)((uint32_t)at.value[0] << 24 |
							     (uint32_t)at.value[1] << 16 |
							     (uint32_t)at.value[2] << 8 | at.value[3]) *
						  1000;
	}
	rec->session_timeout_ms = (uint64_t)r->session_timeout * 1000;
	rec->next = a->eap->accts;
	a->eap->accts = rec;
}

static void
auth_cb(void *ctx, struct radius_session *s, const struct radius_auth_result *r)
{
	struct eap_conv *cv = ctx;
	struct app *a = cv->a;
	struct iked_eap_result e;
	uint32_t sa_id = cv->sa_id;

	(void)s;
	memset(&e, 0, sizeof(e));
	e.eap = r->eap;
	e.eap_len = r->eap_len;
	e.reason = r->reason;
	switch (r->result) {
	case RADIUS_RESULT_CHALLENGE:
		e.verdict = IKED_EAP_CHALLENGE;
		break;
	case RADIUS_RESULT_ACCEPT:
		e.verdict = IKED_EAP_ACCEPT;
		e.msk = r->has_msk ? r->msk : NULL;
		e.msk_len = r->has_msk ? r->msk_len : 0;
		e.has_framed_ip = r->has_framed_ip;
		e.framed_ip = r->framed_ip;
		if (!r->has_msk)
			RLOG(WARNING, "IKE_SA %u (%s): Access-Accept without MS-MPPE keys: the "
			     "client's AUTH will not verify\n", sa_id, cv->user);
		acct_pending(a, cv, r);
		break;
	case RADIUS_RESULT_REJECT:
		e.verdict = IKED_EAP_REJECT;
		break;
	case RADIUS_RESULT_TIMEOUT:
	default:
		e.verdict = IKED_EAP_TIMEOUT;
		RLOG(WARNING, "IKE_SA %u (%s): %s\n", sa_id, cv->user, r->reason);
		break;
	}
	/* This may end the conversation (eap_end frees cv and the session): last. */
	if (a->ike != NULL)
		iked_eap_result(a->ike, sa_id, &e, app_ms(rte_rdtsc()));
}

int
radius_app_eap_start(void *arg, uint32_t sa_id, const char *identity, uint32_t peer_addr,
		     uint16_t peer_port)
{
	struct app *a = arg;
	struct eap_conv *cv;
	char ip[16];

	if (a->radius == NULL || a->eap == NULL)
		return -ENOTCONN;
	if (conv_find(a, sa_id) != NULL)
		return -EALREADY;
	cv = calloc(1, sizeof(*cv));
	if (cv == NULL)
		return -ENOMEM;
	cv->a = a;
	cv->sa_id = sa_id;
	snprintf(cv->user, sizeof(cv->user), "%s", identity);
	ipv4_str(peer_addr, ip, sizeof(ip));
	snprintf(cv->calling, sizeof(cv->calling), "%s[%u]", ip, peer_port);
	cv->s = radius_session_new(a->radius,
				   &(struct radius_session_params){
					   .user_name = cv->user,
					   .calling_station_id = cv->calling,
					   .nas_port = sa_id,
				   },
				   auth_cb, cv);
	if (cv->s == NULL) {
		free(cv);
		return -EINVAL;
	}
	cv->next = a->eap->convs;
	a->eap->convs = cv;
	return 0;
}

int
radius_app_eap_send(void *arg, uint32_t sa_id, const uint8_t *eap, size_t len)
{
	struct app *a = arg;
	struct eap_conv **p = conv_find(a, sa_id);

	if (p == NULL)
		return -ENOENT;
	return radius_access_request((*p)->s, eap, len, app_ms(rte_rdtsc()));
}

void
radius_app_eap_end(void *arg, uint32_t sa_id)
{
	struct app *a = arg;
	struct eap_conv **p = conv_find(a, sa_id), *cv;

	if (p == NULL)
		return;
	cv = *p;
	*p = cv->next;
	radius_session_free(cv->s);
	free(cv);
}

/* ---- accounting ---- */

static void
acct_cb(void *ctx, int result, const char *reason)
{
	struct app *a = ctx;

	if (a->eap == NULL)
		return;
	if (result == 0) {
		a->eap->acct_answered++;
	} else {
		a->eap->acct_failed++;
		RLOG(WARNING, "accounting: %s\n", reason ? reason : "no answer");
	}
}

static void
acct_send(struct app *a, struct acct_rec *rec, enum radius_acct_status status,
	  const struct radius_acct_params *extra)
{
	struct radius_acct_params p;
	uint64_t now = app_ms(rte_rdtsc());
	int rc;

	p = extra != NULL ? *extra : (struct radius_acct_params){ 0 };
	p.status = status;
	p.session_id = rec->session_id;
	p.user_name = rec->user;
	p.calling_station_id = rec->calling;
	p.nas_port = rec->sa_id;
	p.framed_ip = rec->framed_ip;
	p.class_attr = rec->class_len ? rec->class_attr : NULL;
	p.class_len = rec->class_len;
	if (status != RADIUS_ACCT_START)
		p.session_time_s = (uint32_t)((now - rec->start_ms) / 1000);
	rc = radius_accounting_request(a->radius, &p, acct_cb, a, now);
	if (rc < 0) {
		a->eap->acct_failed++;
		RLOG(WARNING, "accounting %s for %s not sent (%d)\n",
		     status == RADIUS_ACCT_START ? "Start" : status == RADIUS_ACCT_STOP ? "Stop"
										 : "Interim-Update",
		     rec->user, rc);
		return;
	}
	if (status == RADIUS_ACCT_START)
		a->eap->acct_start++;
	else if (status == RADIUS_ACCT_STOP)
		a->eap->acct_stop++;
	else
		a->eap->acct_interim++;
}

void
radius_app_eap_up(void *arg, uint32_t sa_id, uint32_t tunnel_id)
{
	struct app *a = arg;
	const struct sa_tunnel *tun;
	struct acct_rec *rec;

	if (a->radius == NULL || a->eap == NULL)
		return;
	for (rec = a->eap->accts; rec != NULL; rec = rec->next)
		if (rec->sa_id == sa_id && rec->tunnel_id == 0)
			break;
	if (rec == NULL)
		return;
	rec->tunnel_id = tunnel_id;
	rec->start_ms = app_ms(rte_rdtsc());
	rec->next_interim_ms = rec->interim_ms ? rec->start_ms + rec->interim_ms : 0;
	tun = sa_tunnel_get(a->dp.sa, tunnel_id);
	rec->framed_ip = tun != NULL ? tun->inner_addr : 0;
	snprintf(rec->session_id, sizeof(rec->session_id), "%08x-%u", ++a->eap->acct_seq ^
		 (uint32_t)a->started, tunnel_id);
	acct_send(a, rec, RADIUS_ACCT_START, NULL);
}

void
radius_app_tunnel_down(struct app *a, uint32_t tunnel_id, uint64_t in_packets,
		       uint64_t in_bytes, uint64_t out_packets, uint64_t out_bytes, uint32_t cause)
{
	struct acct_rec **p, *rec;

	if (a->radius == NULL || a->eap == NULL || tunnel_id == 0)
		return;
	for (p = &a->eap->accts; *p != NULL; p = &(*p)->next)
		if ((*p)->tunnel_id == tunnel_id)
			break;
	if (*p == NULL)
		return;
	rec = *p;
	*p = rec->next;
	/* Input: from the client (RFC 2866 §5.3: what the NAS received from the port). */
	acct_send(a, rec, RADIUS_ACCT_STOP,
		  &(struct radius_acct_params){ .in_octets = in_bytes, .out_octets = out_bytes,
						.in_packets = in_packets,
						.out_packets = out_packets,
						/* RFC 2866 §5.10: 5 Session-Timeout */
						.terminate_cause = rec->timed_out ? 5 : cause });
	free(rec);
}

/* Interim-Updates when due; Session-Timeout ends the client (DELETE sent). */
static void
acct_tick(struct app *a, uint64_t now)
{
	struct acct_rec *rec;

	for (rec = a->eap->accts; rec != NULL; rec = rec->next) {
		struct iked_tunnel_stats st;

		if (rec->tunnel_id == 0)
			continue;
		if (rec->session_timeout_ms != 0 && !rec->timed_out &&
		    now - rec->start_ms >= rec->session_timeout_ms && a->ike != NULL) {
			rec->timed_out = true;
			RLOG(NOTICE, "%s: Session-Timeout reached, disconnected\n", rec->user);
			/* The tunnel goes now; its Stop is sent from radius_app_tunnel_down(),
			 * which frees rec: leave the walk. */
			iked_disconnect(a->ike, rec->tunnel_id, now);
			return;
		}
		if (rec->next_interim_ms != 0 && now >= rec->next_interim_ms &&
		    ike_tunnel_stats(a, rec->tunnel_id, &st) == 0) {
			rec->next_interim_ms = now + rec->interim_ms;
			acct_send(a, rec, RADIUS_ACCT_INTERIM,
				  &(struct radius_acct_params){ .in_octets = st.in_bytes,
								.out_octets = st.out_bytes,
								.in_packets = st.in_packets,
								.out_packets = st.out_packets });
		}
	}
}

/* Accepted clients whose tunnel never came (their final AUTH failed): forgotten. */
static void
acct_expire(struct app *a, uint64_t now)
{
	struct acct_rec **p = &a->eap->accts, *rec;

	while (*p != NULL) {
		rec = *p;
		if (rec->tunnel_id == 0 && now - rec->made_ms >= ACCT_PENDING_MS) {
			*p = rec->next;
			free(rec);
			continue;
		}
		p = &rec->next;
	}
}

/* ---- start, stop, timers ---- */

bool
radius_app_eap_ready(const struct app *a)
{
	return a->radius != NULL && (a->conf.auth & CONF_AUTH_RADIUS);
}

int
radius_app_start(struct app *a, char *err, size_t errlen)
{
	const struct conf *c = &a->conf;
	struct radius_client_config rc;
	char why[256];

	if (a->radius != NULL || !(c->auth & CONF_AUTH_RADIUS) || c->n_radius == 0)
		return 0;
	a->eap = calloc(1, sizeof(*a->eap));
	if (a->eap == NULL) {
		snprintf(err, errlen, "radius: out of memory");
		return -ENOMEM;
	}
	memset(&rc, 0, sizeof(rc));
	rc.servers = c->radius;
	rc.n_servers = c->n_radius;
	rc.nas_ip = c->priv.addr;
	rc.nas_identifier = c->name;
	rc.ops = &radius_ops;
	rc.ops_arg = a;
	a->radius = radius_client_create(&rc, why, sizeof(why));
	if (a->radius == NULL) {
		snprintf(err, errlen, "radius: %s", why);
		free(a->eap);
		a->eap = NULL;
		return -EINVAL;
	}
	return 0;
}

void
radius_app_stop(struct app *a)
{
	struct eap_conv *cv;
	struct acct_rec *rec;

	if (a->eap != NULL) {
		while ((cv = a->eap->convs) != NULL) {
			a->eap->convs = cv->next;
			radius_session_free(cv->s);
			free(cv);
		}
		while ((rec = a->eap->accts) != NULL) {
			a->eap->accts = rec->next;
			free(rec);
		}
	}
	radius_client_free(a->radius);
	a->radius = NULL;
	free(a->eap);
	a->eap = NULL;
}

unsigned
radius_poll(struct app *a, uint64_t now_tsc)
{
	uint64_t now;

	if (a->radius == NULL || now_tsc < a->next_radius_tsc)
		return 0;
	a->next_radius_tsc = now_tsc + rte_get_tsc_hz() / 1000 * RADIUS_TIMER_MS;
	now = app_ms(now_tsc);
	acct_expire(a, now);
	acct_tick(a, now);
	return radius_timers(a->radius, now);
}

/* ---- CLI ---- */

static int
cmd_radius(void *ctx, int argc, char **argv, struct json_object **res, char *err,
	   size_t errlen)
{
	struct app *a = ctx;
	struct json_object *servers, *drops, *events, *acct;
	struct radius_server_info si;
	struct radius_counters c;
	uint64_t now = app_ms(rte_rdtsc());
	struct eap_conv *cv;
	unsigned i, n = 0;
	char ip[16];

	(void)argc, (void)argv;
	if (a->radius == NULL) {
		snprintf(err, errlen, "show radius: RADIUS is not running; it needs \"radius\" in "
			 "auth and at least one radius server");
		return -ENOENT;
	}
	servers = json_object_new_array();
	for (i = 0; radius_server_info(a->radius, i, now, &si) == 0; i++) {
		struct json_object *o = json_object_new_object();

		ipv4_str(si.addr, ip, sizeof(ip));
		add_str(o, "address", ip);
		add_u64(o, "auth_port", si.auth_port);
		add_u64(o, "acct_port", si.acct_port);
		add_u64(o, "priority", si.priority);
		add_str(o, "state", si.down ? "down" : "up");
		if (si.down)
			add_u64(o, "down_for_s", si.down_for_ms / 1000);
		add_u64(o, "outstanding", si.outstanding);
		add_u64(o, "requests", si.requests);
		add_u64(o, "retransmits", si.retransmits);
		add_u64(o, "replies", si.replies);
		add_u64(o, "timeouts", si.timeouts);
		json_object_array_add(servers, o);
	}
	radius_counters(a->radius, &c);
	for (cv = a->eap->convs; cv != NULL; cv = cv->next)
		n++;
	*res = json_object_new_object();
	add_u64(*res, "client_port", L2L3_RADIUS_PORT);
	ipv4_str(a->conf.priv.addr, ip, sizeof(ip));
	add_str(*res, "nas_ip", ip);
	add_str(*res, "nas_identifier", a->conf.name);
	add_str(*res, "eap", radius_app_eap_ready(a) ? "on" : "off");
	add_u64(*res, "eap_conversations", n);
	add_u64(*res, "outstanding", c.outstanding);
	json_object_object_add(*res, "servers", servers);
	events = json_object_new_object();
	for (i = 0; i < RADIUS_EV_COUNT; i++)
		add_u64(events, radius_event_name(i), c.events[i]);
	json_object_object_add(*res, "events", events);
	drops = json_object_new_object();
	for (i = 0; i < RADIUS_DROP_COUNT; i++)
		add_u64(drops, radius_drop_name(i), c.drops[i]);
	json_object_object_add(*res, "drops", drops);
	acct = json_object_new_object();
	add_u64(acct, "start", a->eap->acct_start);
	add_u64(acct, "stop", a->eap->acct_stop);
	add_u64(acct, "interim", a->eap->acct_interim);
	add_u64(acct, "answered", a->eap->acct_answered);
	add_u64(acct, "failed", a->eap->acct_failed);
	json_object_object_add(*res, "accounting", acct);
	return 0;
}

int
radius_commands_register(struct app *a)
{
	const struct ctl_command cmds[] = {
		{ "show radius", NULL,
		  "RADIUS servers and their state, EAP and accounting counters, drops (no secrets)",
		  0, 0, cmd_radius, a, "/p2sgw/radius" },
	};

	return commands_add(a, cmds, RTE_DIM(cmds));
}
