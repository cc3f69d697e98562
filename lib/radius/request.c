/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building a request for one server: an Access-Request carrying EAP (RFC
 * 2865 §4.1, RFC 3579 §3) or an Accounting-Request (RFC 2866 §4.1). A
 * request is rebuilt, with a fresh identifier and authenticator and that
 * server's secret, each time it moves to another server; retransmissions to
 * the same server resend the same bytes (RFC 5080 §2.2.1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "radius_priv.h"

#define NAS_PORT_TYPE_VIRTUAL 5
#define SERVICE_TYPE_FRAMED 2
#define ACCT_AUTHENTIC_RADIUS 1

static void
add_nas(const struct radius_client *c, struct radius_pkt *p)
{
	if (c->nas_ip)
		radius_pkt_add_u32(p, RADIUS_ATTR_NAS_IP_ADDRESS, c->nas_ip);
	if (c->nas_identifier[0])
		radius_pkt_add_str(p, RADIUS_ATTR_NAS_IDENTIFIER, c->nas_identifier);
}

static int
build_access(const struct radius_client *c, const struct radius_request *req,
	     const struct radius_server *s, struct radius_pkt *p, uint8_t id)
{
	const struct radius_session *ss = req->session;
	uint8_t auth[RADIUS_AUTH_LEN];

	/* RFC 2865 §3: unpredictable, unique over the secret's lifetime. */
	if (RAND_bytes(auth, sizeof(auth)) != 1)
		return -EIO;
	radius_pkt_init(p, RADIUS_ACCESS_REQUEST, id, auth);
	/* First, as the BlastRADIUS advisories recommend for every packet. */
	radius_pkt_add_msg_auth(p);
	radius_pkt_add_str(p, RADIUS_ATTR_USER_NAME, ss->user_name);
	add_nas(c, p);
	radius_pkt_add_u32(p, RADIUS_ATTR_NAS_PORT, ss->nas_port);
	radius_pkt_add_u32(p, RADIUS_ATTR_NAS_PORT_TYPE, ss->nas_port_type);
	radius_pkt_add_u32(p, RADIUS_ATTR_SERVICE_TYPE, ss->service_type);
	if (ss->called[0])
		radius_pkt_add_str(p, RADIUS_ATTR_CALLED_STATION_ID, ss->called);
	if (ss->calling[0])
		radius_pkt_add_str(p, RADIUS_ATTR_CALLING_STATION_ID, ss->calling);
	if (c->framed_mtu)
		radius_pkt_add_u32(p, RADIUS_ATTR_FRAMED_MTU, c->framed_mtu);
	/* RFC 2865 §5.24: the State of the Access-Challenge, unmodified. */
	if (ss->state_len)
		radius_pkt_add(p, RADIUS_ATTR_STATE, ss->state, ss->state_len);
	radius_pkt_add_eap(p, req->eap, req->eap_len);
	return radius_pkt_finish_request(p, (const uint8_t *)s->conf.secret, s->secret_len);
}

/* RFC 2869 §5.1/§5.2: the high 32 bits of a 64-bit count go in Gigawords. */
static void
add_octets(struct radius_pkt *p, uint8_t type, uint8_t giga_type, uint64_t v)
{
	radius_pkt_add_u32(p, type, (uint32_t)v);
	if (v >> 32)
		radius_pkt_add_u32(p, giga_type, (uint32_t)(v >> 32));
}

static int
build_acct(const struct radius_client *c, const struct radius_request *req,
	   const struct radius_server *s, struct radius_pkt *p, uint8_t id, uint64_t now)
{
	const struct radius_acct_copy *a = req->acct;
	uint64_t delay = now > req->started ? (now - req->started) / 1000 : 0;

	radius_pkt_init(p, RADIUS_ACCOUNTING_REQUEST, id, NULL);
	radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_STATUS_TYPE, a->p.status);
	radius_pkt_add_str(p, RADIUS_ATTR_ACCT_SESSION_ID, a->session_id);
	if (a->user_name[0])
		radius_pkt_add_str(p, RADIUS_ATTR_USER_NAME, a->user_name);
	add_nas(c, p);
	radius_pkt_add_u32(p, RADIUS_ATTR_NAS_PORT, a->p.nas_port);
	radius_pkt_add_u32(p, RADIUS_ATTR_NAS_PORT_TYPE, NAS_PORT_TYPE_VIRTUAL);
	if (a->calling_station_id[0])
		radius_pkt_add_str(p, RADIUS_ATTR_CALLING_STATION_ID, a->calling_station_id);
	if (a->p.framed_ip)
		radius_pkt_add_u32(p, RADIUS_ATTR_FRAMED_IP_ADDRESS, a->p.framed_ip);
	if (a->p.class_len)
		radius_pkt_add(p, RADIUS_ATTR_CLASS, a->class_attr, a->p.class_len);
	radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_AUTHENTIC, ACCT_AUTHENTIC_RADIUS);
	/* RFC 2866 §5.2: how long this record waited; a new value needs a new identifier. */
	radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_DELAY_TIME,
			   delay > UINT32_MAX ? UINT32_MAX : (uint32_t)delay);
	if (a->p.status != RADIUS_ACCT_START) {
		add_octets(p, RADIUS_ATTR_ACCT_INPUT_OCTETS, RADIUS_ATTR_ACCT_INPUT_GIGAWORDS,
			   a->p.in_octets);
		add_octets(p, RADIUS_ATTR_ACCT_OUTPUT_OCTETS, RADIUS_ATTR_ACCT_OUTPUT_GIGAWORDS,
			   a->p.out_octets);
		radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_INPUT_PACKETS, (uint32_t)a->p.in_packets);
		radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_OUTPUT_PACKETS, (uint32_t)a->p.out_packets);
		radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_SESSION_TIME, a->p.session_time_s);
	}
	if (a->p.status == RADIUS_ACCT_STOP && a->p.terminate_cause)
		radius_pkt_add_u32(p, RADIUS_ATTR_ACCT_TERMINATE_CAUSE, a->p.terminate_cause);
	return radius_pkt_finish_accounting(p, (const uint8_t *)s->conf.secret, s->secret_len);
}

int
radius_request_build(struct radius_client *c, struct radius_request *req,
		     const struct radius_server *s, uint8_t id, uint64_t now)
{
	struct radius_pkt *p = malloc(sizeof(*p));
	uint8_t *bytes;
	int rc;

	if (p == NULL)
		return -ENOMEM;
	if (req->kind == RADIUS_KIND_ACCESS)
		rc = build_access(c, req, s, p, id);
	else
		rc = build_acct(c, req, s, p, id, now);
	if (rc == 0) {
		bytes = realloc(req->pkt, p->len);
		if (bytes == NULL) {
			rc = -ENOMEM;
		} else {
			memcpy(bytes, p->buf, p->len);
			req->pkt = bytes;
			req->len = p->len;
			req->id = id;
			memcpy(req->auth, p->buf + 4, RADIUS_AUTH_LEN);
		}
	}
	free(p);
	return rc;
}
