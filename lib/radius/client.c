/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RADIUS client: servers in priority order, an identifier space per
 * server port, requests in flight with retransmission and back-off, fail-over
 * to the next server, sessions that carry State from one Access-Challenge to
 * the next request, and the input path that matches a reply to its request
 * and counts every drop by reason.
 *
 * Retransmission (RFC 2865 §2.5, RFC 5080 §2.2.1): the same bytes, same
 * identifier and authenticator, to the same server, after timeout_ms, then
 * twice as long each time (at most RADIUS_WAIT_MAX_MS), retries times; then
 * the server is marked down for dead_time_ms and the request is rebuilt for
 * the next server (new identifier, authenticator, secret). A session whose
 * conversation has State stays with the server that issued it: another
 * server would not know it, so that request fails instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "radius_priv.h"

static const char *const event_names[] = {
#define X(name, help) #name,
	RADIUS_EVENTS(X)
#undef X
};
static const char *const event_help[] = {
#define X(name, help) help,
	RADIUS_EVENTS(X)
#undef X
};

const char *
radius_event_name(enum radius_event e)
{
	return (unsigned)e < RADIUS_EV_COUNT ? event_names[e] : "?";
}

const char *
radius_event_help(enum radius_event e)
{
	return (unsigned)e < RADIUS_EV_COUNT ? event_help[e] : "?";
}

const char *
radius_result_name(enum radius_result r)
{
	static const char *const names[] = { "accept", "reject", "challenge", "timeout" };

	return (unsigned)r < 4 ? names[r] : "?";
}

/* ---- creation ---- */

static int __attribute__((format(printf, 3, 4)))
cfg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int
check_server(const struct conf_radius *r, unsigned i, char *err, size_t errlen)
{
	size_t n = strnlen(r->secret, sizeof(r->secret));

	if (r->addr == 0)
		return cfg_err(err, errlen, "radius[%u].address: must not be 0.0.0.0", i);
	if (r->auth_port == 0 || r->acct_port == 0)
		return cfg_err(err, errlen, "radius[%u]: auth_port and acct_port: allowed 1..65535",
			       i);
	if (n == 0 || n == sizeof(r->secret))
		return cfg_err(err, errlen, "radius[%u].secret: allowed 1..127 characters", i);
	if (r->timeout_ms == 0 || r->timeout_ms > RADIUS_WAIT_MAX_MS)
		return cfg_err(err, errlen, "radius[%u].timeout_ms: allowed 1..60000", i);
	if (r->retries > 10)
		return cfg_err(err, errlen, "radius[%u].retries: allowed 0..10", i);
	return 0;
}

static void
idspace_init(struct radius_idspace *sp)
{
	uint8_t r = 0;

	memset(sp, 0, sizeof(*sp));
	/* A random start, so that a restarted gateway does not reuse its last identifiers. */
	if (RAND_bytes(&r, 1) == 1)
		sp->next = r;
}

struct radius_client *
radius_client_create(const struct radius_client_config *cfg, char *err, size_t errlen)
{
	struct radius_client *c;
	unsigned i, j, max;

	if (cfg == NULL || cfg->ops == NULL || cfg->ops->send == NULL) {
		cfg_err(err, errlen, "radius: no send operation");
		return NULL;
	}
	if (cfg->n_servers == 0 || cfg->n_servers > CONF_RADIUS_MAX || cfg->servers == NULL) {
		cfg_err(err, errlen, "radius: allowed 1..%u servers", CONF_RADIUS_MAX);
		return NULL;
	}
	for (i = 0; i < cfg->n_servers; i++)
		if (check_server(&cfg->servers[i], i, err, errlen) < 0)
			return NULL;
	max = cfg->max_outstanding ? cfg->max_outstanding : RADIUS_OUTSTANDING_DEFAULT;
	if (max > RADIUS_OUTSTANDING_MAX) {
		cfg_err(err, errlen, "radius: max_outstanding: allowed 1..%u",
			RADIUS_OUTSTANDING_MAX);
		return NULL;
	}
	if (cfg->nas_identifier && strlen(cfg->nas_identifier) > RADIUS_ATTR_VALUE_MAX) {
		cfg_err(err, errlen, "radius: nas_identifier: allowed 1..%u characters",
			RADIUS_ATTR_VALUE_MAX);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->reqs = calloc(max, sizeof(*c->reqs))) == NULL) {
		free(c);
		cfg_err(err, errlen, "radius: out of memory");
		return NULL;
	}
	c->max_outstanding = max;
	/* Stable sort by priority: equal priorities keep the configuration's order. */
	for (i = 0; i < cfg->n_servers; i++) {
		struct radius_server *s;

		for (j = c->n_servers; j > 0 && c->servers[j - 1].conf.priority >
						    cfg->servers[i].priority; j--)
			c->servers[j] = c->servers[j - 1];
		s = &c->servers[j];
		memset(s, 0, sizeof(*s));
		s->conf = cfg->servers[i];
		s->secret_len = strlen(s->conf.secret);
		c->n_servers++;
	}
	for (i = 0; i < c->n_servers; i++) {
		idspace_init(&c->servers[i].auth);
		idspace_init(&c->servers[i].acct);
	}
	c->nas_ip = cfg->nas_ip;
	if (cfg->nas_identifier && cfg->nas_identifier[0])
		strcpy(c->nas_identifier, cfg->nas_identifier);
	else if (cfg->nas_ip == 0)
		strcpy(c->nas_identifier, "p2sgw"); /* RFC 2865 §4.1: one of the two is required */
	c->framed_mtu = cfg->framed_mtu;
	c->lax_msg_auth = cfg->lax_message_authenticator;
	c->dead_time_ms = cfg->dead_time_ms ? cfg->dead_time_ms : RADIUS_DEAD_TIME_DEFAULT;
	c->ops = cfg->ops;
	c->ops_arg = cfg->ops_arg;
	return c;
}

/* ---- identifiers ---- */

static struct radius_idspace *
space_of(struct radius_server *s, enum radius_kind kind)
{
	if (kind == RADIUS_KIND_ACCT && s->conf.acct_port != s->conf.auth_port)
		return &s->acct;
	return &s->auth;
}

static uint16_t
port_of(const struct radius_server *s, enum radius_kind kind)
{
	return kind == RADIUS_KIND_ACCT ? s->conf.acct_port : s->conf.auth_port;
}

/* Round robin from where the last one was taken. 0 and *id, or -EBUSY (all 256 in flight). */
static int
id_take(struct radius_idspace *sp, struct radius_request *req, uint8_t *id)
{
	unsigned i;

	if (sp->in_use >= 256)
		return -EBUSY;
	for (i = 0; i < 256; i++) {
		uint8_t x = (uint8_t)(sp->next + i);

		if (sp->out[x] == NULL) {
			sp->out[x] = req;
			sp->in_use++;
			sp->next = (uint8_t)(x + 1);
			*id = x;
			return 0;
		}
	}
	return -EBUSY;
}

/* The identifier is free again; its request's authenticator stays to recognise late replies. */
static void
id_give(struct radius_idspace *sp, const struct radius_request *req)
{
	if (sp->out[req->id] != req)
		return;
	sp->out[req->id] = NULL;
	sp->in_use--;
	memcpy(sp->last_auth[req->id], req->auth, RADIUS_AUTH_LEN);
	sp->last_valid[req->id / 8] |= (uint8_t)(1u << (req->id % 8));
}

/* ---- requests ---- */

static struct radius_request *
req_alloc(struct radius_client *c, enum radius_kind kind, uint64_t now)
{
	unsigned i;

	if (c->outstanding >= c->max_outstanding)
		return NULL;
	for (i = 0; i < c->max_outstanding; i++) {
		struct radius_request *r = &c->reqs[i];

		if (!r->used) {
			memset(r, 0, sizeof(*r));
			r->used = true;
			r->kind = kind;
			r->started = now;
			c->outstanding++;
			return r;
		}
	}
	return NULL;
}

/* Off its server (identifier given back), but still allocated. */
static void
req_detach(struct radius_client *c, struct radius_request *req)
{
	struct radius_server *s;

	if (!req->placed)
		return;
	req->placed = false;
	s = &c->servers[req->server];
	id_give(space_of(s, req->kind), req);
	s->outstanding--;
}

static void
req_release(struct radius_client *c, struct radius_request *req)
{
	req_detach(c, req);
	if (req->session && req->session->req == req)
		req->session->req = NULL;
	free(req->pkt);
	free(req->eap);
	if (req->acct)
		OPENSSL_cleanse(req->acct, sizeof(*req->acct));
	free(req->acct);
	memset(req, 0, sizeof(*req));
	c->outstanding--;
}

static void
req_send(struct radius_client *c, struct radius_request *req)
{
	const struct radius_server *s = &c->servers[req->server];

	c->ops->send(c->ops_arg, s->conf.addr, port_of(s, req->kind), req->pkt, req->len);
}

/*
 * Put req on server i: identifier, build, send, first deadline. 0, -EBUSY
 * (no identifier free there), or a build error.
 */
static int
req_place(struct radius_client *c, struct radius_request *req, unsigned i, uint64_t now)
{
	struct radius_server *s = &c->servers[i];
	struct radius_idspace *sp = space_of(s, req->kind);
	uint8_t id;
	int rc;

	if (id_take(sp, req, &id) < 0)
		return -EBUSY;
	req->id = id;
	rc = radius_request_build(c, req, s, id, now);
	if (rc < 0) {
		sp->out[id] = NULL;
		sp->in_use--;
		return rc;
	}
	req->server = i;
	req->placed = true;
	req->tried_mask |= 1u << i;
	req->tries = 1;
	req->wait_ms = s->conf.timeout_ms;
	req->deadline = now + req->wait_ms;
	s->outstanding++;
	s->requests++;
	c->events[RADIUS_EV_sent]++;
	req_send(c, req);
	return 0;
}

static bool
server_up(const struct radius_server *s, uint64_t now)
{
	return s->down_until == 0 || now >= s->down_until;
}

/*
 * The first server not yet tried, those that are up before those marked
 * down, in priority order. 0, -EBUSY (the candidates have no identifier
 * free), -ENOENT (none left), or a build error.
 */
static int
req_place_next(struct radius_client *c, struct radius_request *req, uint64_t now)
{
	int rc = -ENOENT, pass;
	unsigned i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < c->n_servers; i++) {
			if (req->tried_mask & (1u << i))
				continue;
			if (server_up(&c->servers[i], now) != (pass == 0))
				continue;
			rc = req_place(c, req, i, now);
			if (rc != -EBUSY)
				return rc;
		}
	}
	return rc;
}

static const char *
timeout_reason(struct radius_client *c, const struct radius_request *req, bool pinned)
{
	size_t n = 0;
	unsigned i;

	n += (size_t)snprintf(c->reason, sizeof(c->reason), "%s",
			      pinned ? "the RADIUS server that holds this EAP conversation "
				       "stopped answering:"
				     : "no answer from any RADIUS server tried:");
	for (i = 0; i < c->n_servers && n < sizeof(c->reason); i++) {
		const struct radius_server *s = &c->servers[i];
		uint32_t a = s->conf.addr;

		if (!(req->tried_mask & (1u << i)))
			continue;
		n += (size_t)snprintf(c->reason + n, sizeof(c->reason) - n,
				      " %u.%u.%u.%u:%u (%u tries)", a >> 24, (a >> 16) & 255,
				      (a >> 8) & 255, a & 255, port_of(s, req->kind),
				      s->conf.retries + 1u);
	}
	return c->reason;
}

/* The end of a request: release it first, so that the callback may start another. */
static void
req_fail(struct radius_client *c, struct radius_request *req, const char *reason)
{
	c->events[RADIUS_EV_timeouts]++;
	if (req->kind == RADIUS_KIND_ACCESS) {
		struct radius_session *ss = req->session;
		struct radius_auth_result r = { .result = RADIUS_RESULT_TIMEOUT, .reason = reason };

		req_release(c, req);
		ss->state_len = 0;
		ss->pinned = false;
		ss->cb(ss->ctx, ss, &r);
	} else {
		radius_acct_cb cb = req->acct_cb;
		void *ctx = req->acct_ctx;

		req_release(c, req);
		if (cb)
			cb(ctx, -ETIMEDOUT, reason);
	}
}

/* ---- timers ---- */

static void
req_expired(struct radius_client *c, struct radius_request *req, uint64_t now)
{
	struct radius_server *s = &c->servers[req->server];
	bool pinned = req->session && req->session->pinned;
	int rc;

	if (req->tries <= s->conf.retries) {
		req->tries++;
		req->wait_ms = req->wait_ms * 2 > RADIUS_WAIT_MAX_MS ? RADIUS_WAIT_MAX_MS
								     : req->wait_ms * 2;
		req->deadline = now + req->wait_ms;
		s->retransmits++;
		c->events[RADIUS_EV_retransmits]++;
		req_send(c, req);
		return;
	}
	s->timeouts++;
	if (server_up(s, now)) {
		s->down_until = now + c->dead_time_ms;
		c->events[RADIUS_EV_servers_down]++;
	}
	req_detach(c, req);
	if (pinned) {
		req_fail(c, req, timeout_reason(c, req, true));
		return;
	}
	rc = req_place_next(c, req, now);
	if (rc == 0) {
		c->events[RADIUS_EV_failovers]++;
		return;
	}
	req_fail(c, req, rc == -EBUSY ? "no answer, and every other RADIUS server has all "
					"256 identifiers in flight"
				      : timeout_reason(c, req, false));
}

unsigned
radius_timers(struct radius_client *c, uint64_t now_ms)
{
	unsigned i, n = 0;

	for (i = 0; i < c->max_outstanding; i++) {
		struct radius_request *req = &c->reqs[i];

		if (req->used && req->placed && now_ms >= req->deadline) {
			req_expired(c, req, now_ms);
			n++;
		}
	}
	return n;
}

uint64_t
radius_next_deadline(const struct radius_client *c)
{
	uint64_t d = UINT64_MAX;
	unsigned i;

	for (i = 0; i < c->max_outstanding; i++)
		if (c->reqs[i].used && c->reqs[i].placed && c->reqs[i].deadline < d)
			d = c->reqs[i].deadline;
	return d;
}

/* ---- sessions and access requests ---- */

static bool
copy_str(char *dst, size_t size, const char *src, bool required)
{
	size_t n = src ? strlen(src) : 0;

	if ((required && n == 0) || n >= size)
		return false;
	memcpy(dst, src ? src : "", n + 1);
	return true;
}

struct radius_session *
radius_session_new(struct radius_client *c, const struct radius_session_params *p,
		   radius_auth_cb cb, void *ctx)
{
	struct radius_session *s;

	if (c == NULL || p == NULL || cb == NULL)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	if (!copy_str(s->user_name, sizeof(s->user_name), p->user_name, true) ||
	    !copy_str(s->calling, sizeof(s->calling), p->calling_station_id, false) ||
	    !copy_str(s->called, sizeof(s->called), p->called_station_id, false)) {
		free(s);
		return NULL;
	}
	s->c = c;
	s->cb = cb;
	s->ctx = ctx;
	s->nas_port = p->nas_port;
	s->nas_port_type = p->nas_port_type ? p->nas_port_type : 5;
	s->service_type = p->service_type ? p->service_type : 2;
	s->next = c->sessions;
	if (c->sessions)
		c->sessions->prev = s;
	c->sessions = s;
	c->n_sessions++;
	return s;
}

void
radius_cancel(struct radius_session *s)
{
	if (s == NULL || s->req == NULL)
		return;
	s->c->events[RADIUS_EV_cancelled]++;
	req_release(s->c, s->req);
}

void
radius_session_free(struct radius_session *s)
{
	struct radius_client *c;

	if (s == NULL)
		return;
	c = s->c;
	radius_cancel(s);
	if (s->prev)
		s->prev->next = s->next;
	else
		c->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	c->n_sessions--;
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* RFC 3748 §4: code 1..4 and a Length that is the whole packet. */
static bool
eap_ok(const uint8_t *eap, size_t len)
{
	return eap && len >= 4 && len <= RADIUS_PACKET_MAX - RADIUS_HDR_LEN && eap[0] >= 1 &&
	       eap[0] <= 4 && (size_t)(eap[2] << 8 | eap[3]) == len;
}

static int
start(struct radius_client *c, struct radius_request *req, const struct radius_session *ss,
      uint64_t now)
{
	int rc;

	if (ss && ss->pinned)
		rc = req_place(c, req, ss->server, now);
	else
		rc = req_place_next(c, req, now);
	if (rc == -EBUSY || rc == -ENOENT) {
		c->events[RADIUS_EV_busy]++;
		rc = -EBUSY;
	}
	return rc;
}

int
radius_access_request(struct radius_session *s, const uint8_t *eap, size_t eap_len,
		      uint64_t now_ms)
{
	struct radius_client *c;
	struct radius_request *req;
	int rc;

	if (s == NULL || !eap_ok(eap, eap_len))
		return -EINVAL;
	c = s->c;
	if (s->req)
		return -EINPROGRESS;
	req = req_alloc(c, RADIUS_KIND_ACCESS, now_ms);
	if (req == NULL) {
		c->events[RADIUS_EV_busy]++;
		return -EBUSY;
	}
	req->session = s;
	req->eap = malloc(eap_len);
	if (req->eap == NULL) {
		req_release(c, req);
		return -ENOMEM;
	}
	memcpy(req->eap, eap, eap_len);
	req->eap_len = eap_len;
	s->req = req;
	rc = start(c, req, s, now_ms);
	if (rc < 0) {
		req_release(c, req);
		return rc;
	}
	c->events[RADIUS_EV_access_requests]++;
	return 0;
}

/* ---- accounting ---- */

int
radius_accounting_request(struct radius_client *c, const struct radius_acct_params *p,
			  radius_acct_cb cb, void *ctx, uint64_t now_ms)
{
	struct radius_request *req;
	struct radius_acct_copy *a;
	int rc;

	if (c == NULL || p == NULL ||
	    (p->status != RADIUS_ACCT_START && p->status != RADIUS_ACCT_STOP &&
	     p->status != RADIUS_ACCT_INTERIM) ||
	    p->class_len > RADIUS_ATTR_VALUE_MAX || (p->class_len && p->class_attr == NULL))
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->p = *p;
	if (!copy_str(a->session_id, sizeof(a->session_id), p->session_id, true) ||
	    !copy_str(a->user_name, sizeof(a->user_name), p->user_name, false) ||
	    !copy_str(a->calling_station_id, sizeof(a->calling_station_id),
		      p->calling_station_id, false)) {
		free(a);
		return -EINVAL;
	}
	if (p->class_len)
		memcpy(a->class_attr, p->class_attr, p->class_len);
	a->p.session_id = a->p.user_name = a->p.calling_station_id = NULL;
	a->p.class_attr = NULL;
	req = req_alloc(c, RADIUS_KIND_ACCT, now_ms);
	if (req == NULL) {
		free(a);
		c->events[RADIUS_EV_busy]++;
		return -EBUSY;
	}
	req->acct = a;
	req->acct_cb = cb;
	req->acct_ctx = ctx;
	rc = start(c, req, NULL, now_ms);
	if (rc < 0) {
		req_release(c, req);
		return rc;
	}
	c->events[RADIUS_EV_acct_requests]++;
	return 0;
}

/* ---- input ---- */

static int
find_server(const struct radius_client *c, uint32_t addr, uint16_t port)
{
	unsigned i;

	for (i = 0; i < c->n_servers; i++) {
		const struct conf_radius *r = &c->servers[i].conf;

		if (r->addr == addr && (r->auth_port == port || r->acct_port == port))
			return (int)i;
	}
	return -1;
}

/* A reply that verifies with the authenticator of the identifier's previous request. */
static bool
late_duplicate(const struct radius_idspace *sp, const struct radius_server *s,
	       const uint8_t *pkt, size_t len)
{
	uint8_t auth[RADIUS_AUTH_LEN];
	uint8_t id = pkt[1];

	if (!(sp->last_valid[id / 8] & (1u << (id % 8))))
		return false;
	return radius_response_auth(auth, pkt, len, sp->last_auth[id],
				    (const uint8_t *)s->conf.secret, s->secret_len) == 0 &&
	       CRYPTO_memcmp(auth, pkt + 4, RADIUS_AUTH_LEN) == 0;
}

static void
access_reply(struct radius_client *c, struct radius_request *req, const struct radius_reply *rp,
	     uint32_t server_addr)
{
	struct radius_session *ss = req->session;
	unsigned server = req->server;
	struct radius_auth_result r = {
		.reason = "",
		.eap = rp->eap_len ? rp->eap : NULL,
		.eap_len = rp->eap_len,
		.has_framed_ip = rp->has_framed_ip,
		.framed_ip = rp->framed_ip,
		.session_timeout = rp->session_timeout,
		.class_attr = rp->class_attr,
		.class_len = rp->class_len,
		.attrs = rp->attrs,
		.attrs_len = rp->attrs_len,
		.server_addr = server_addr,
	};

	req_release(c, req);
	ss->state_len = 0;
	ss->pinned = false;
	switch (rp->code) {
	case RADIUS_ACCESS_ACCEPT:
		c->events[RADIUS_EV_accepts]++;
		r.result = RADIUS_RESULT_ACCEPT;
		r.has_msk = rp->has_msk;
		r.msk = rp->has_msk ? rp->msk : NULL;
		r.msk_len = rp->msk_len;
		break;
	case RADIUS_ACCESS_CHALLENGE:
		c->events[RADIUS_EV_challenges]++;
		if (rp->eap_len == 0) {
			/* Nothing to relay: the conversation cannot go on. */
			r.result = RADIUS_RESULT_REJECT;
			r.reason = "Access-Challenge without EAP-Message";
			break;
		}
		r.result = RADIUS_RESULT_CHALLENGE;
		/* RFC 2865 §5.24 and RFC 3579 §2.1: State goes back to the server that sent it. */
		if (rp->state_len) {
			memcpy(ss->state, rp->state, rp->state_len);
			ss->state_len = rp->state_len;
		}
		ss->pinned = true;
		ss->server = server;
		break;
	default:
		c->events[RADIUS_EV_rejects]++;
		r.result = RADIUS_RESULT_REJECT;
		break;
	}
	ss->cb(ss->ctx, ss, &r);
}

static void
acct_reply(struct radius_client *c, struct radius_request *req)
{
	radius_acct_cb cb = req->acct_cb;
	void *ctx = req->acct_ctx;

	c->events[RADIUS_EV_acct_responses]++;
	req_release(c, req);
	if (cb)
		cb(ctx, 0, "");
}

void
radius_input(struct radius_client *c, const uint8_t *dgram, size_t len, uint32_t from_addr,
	     uint16_t from_port, uint64_t now_ms)
{
	struct radius_reply *rp;
	struct radius_server *s;
	struct radius_idspace *sp;
	struct radius_request *req;
	enum radius_kind kind;
	size_t plen;
	int i, drop;

	(void)now_ms;
	i = find_server(c, from_addr, from_port);
	if (i < 0) {
		c->drops[RADIUS_DROP_unknown_server]++;
		return;
	}
	s = &c->servers[i];
	if (radius_validate(dgram, len, &plen) < 0) {
		c->drops[RADIUS_DROP_malformed]++;
		return;
	}
	kind = dgram[0] == RADIUS_ACCOUNTING_RESPONSE ? RADIUS_KIND_ACCT : RADIUS_KIND_ACCESS;
	if (from_port != port_of(s, kind) ||
	    (kind == RADIUS_KIND_ACCESS && dgram[0] != RADIUS_ACCESS_ACCEPT &&
	     dgram[0] != RADIUS_ACCESS_REJECT && dgram[0] != RADIUS_ACCESS_CHALLENGE)) {
		c->drops[RADIUS_DROP_unexpected_code]++;
		return;
	}
	sp = space_of(s, kind);
	req = sp->out[dgram[1]];
	if (req == NULL || req->kind != kind) {
		c->drops[late_duplicate(sp, s, dgram, plen) ? RADIUS_DROP_late_duplicate
							    : RADIUS_DROP_unknown_identifier]++;
		return;
	}
	rp = malloc(sizeof(*rp));
	if (rp == NULL)
		return;
	drop = radius_reply_verify(dgram, plen, req->auth, (const uint8_t *)s->conf.secret,
				   s->secret_len, !c->lax_msg_auth, rp);
	if (drop == RADIUS_DROP_bad_authenticator && late_duplicate(sp, s, dgram, plen))
		drop = RADIUS_DROP_late_duplicate;
	if (drop >= 0) {
		c->drops[drop]++;
		goto out;
	}
	s->replies++;
	s->down_until = 0;
	if (kind == RADIUS_KIND_ACCESS)
		access_reply(c, req, rp, from_addr);
	else
		acct_reply(c, req);
out:
	OPENSSL_cleanse(rp->msk, sizeof(rp->msk));
	free(rp);
}

/* ---- views and teardown ---- */

int
radius_server_info(const struct radius_client *c, unsigned i, uint64_t now_ms,
		   struct radius_server_info *out)
{
	const struct radius_server *s;

	if (i >= c->n_servers)
		return -ENOENT;
	s = &c->servers[i];
	*out = (struct radius_server_info){
		.addr = s->conf.addr,
		.auth_port = s->conf.auth_port,
		.acct_port = s->conf.acct_port,
		.priority = s->conf.priority,
		.down = !server_up(s, now_ms),
		.down_for_ms = server_up(s, now_ms) ? 0 : s->down_until - now_ms,
		.outstanding = s->outstanding,
		.requests = s->requests,
		.retransmits = s->retransmits,
		.replies = s->replies,
		.timeouts = s->timeouts,
	};
	return 0;
}

void
radius_counters(const struct radius_client *c, struct radius_counters *out)
{
	memcpy(out->drops, c->drops, sizeof(out->drops));
	memcpy(out->events, c->events, sizeof(out->events));
	out->outstanding = c->outstanding;
	out->sessions = c->n_sessions;
}

void
radius_client_free(struct radius_client *c)
{
	unsigned i;

	if (c == NULL)
		return;
	for (i = 0; i < c->max_outstanding; i++)
		if (c->reqs[i].used)
			req_release(c, &c->reqs[i]);
	while (c->sessions)
		radius_session_free(c->sessions);
	free(c->reqs);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}
