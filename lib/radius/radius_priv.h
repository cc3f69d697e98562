/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * radius internals: the client, its servers with their identifier spaces,
 * and the requests in flight. Shared by client.c (state, timers, input) and
 * request.c (building a request for one server).
 */
#ifndef P2SGW_RADIUS_PRIV_H
#define P2SGW_RADIUS_PRIV_H

#include "radius.h"

#define RADIUS_OUTSTANDING_DEFAULT 256
#define RADIUS_OUTSTANDING_MAX 4096
#define RADIUS_DEAD_TIME_DEFAULT 30000
#define RADIUS_WAIT_MAX_MS 60000       /* back-off never waits longer than this per try */
#define RADIUS_REASON_MAX 256

static inline void
radius_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
radius_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
radius_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Identifiers of one server port (RFC 2865 §3: the identifier matches
 * requests and replies per server and port). out[id] is the request in flight
 * with that identifier; last_auth[id] the Request Authenticator of the one
 * before it, so that its late replies are told from forgeries.
 */
struct radius_idspace {
	struct radius_request *out[256];
	uint8_t last_auth[256][RADIUS_AUTH_LEN];
	uint8_t last_valid[256 / 8];
	uint8_t next;                  /* round robin: an identifier is reused as late as possible */
	unsigned in_use;
};

struct radius_server {
	struct conf_radius conf;       /* secret inside: never copied out */
	size_t secret_len;
	uint64_t down_until;           /* 0 = up */
	struct radius_idspace auth, acct; /* acct unused when acct_port == auth_port */
	unsigned outstanding;
	uint64_t requests, retransmits, replies, timeouts;
};

enum radius_kind { RADIUS_KIND_ACCESS, RADIUS_KIND_ACCT };

/* What an accounting request says, copied so it can be rebuilt for another server. */
struct radius_acct_copy {
	struct radius_acct_params p;
	char session_id[254];
	char user_name[254];
	char calling_station_id[254];
	uint8_t class_attr[253];
};

struct radius_request {
	bool used;
	enum radius_kind kind;
	struct radius_session *session;   /* access */
	radius_acct_cb acct_cb;           /* accounting */
	void *acct_ctx;
	struct radius_acct_copy *acct;
	uint8_t *eap;                     /* access: the EAP packet, to rebuild */
	size_t eap_len;
	unsigned server;                  /* index in c->servers (priority order) */
	bool placed;                      /* on that server, holding an identifier */
	unsigned tried_mask;              /* servers tried, bit per index */
	unsigned tries;                   /* datagrams sent to this server */
	uint8_t id;
	uint8_t auth[RADIUS_AUTH_LEN];    /* Request Authenticator as sent */
	uint8_t *pkt;                     /* as sent, for retransmission */
	size_t len;
	uint32_t wait_ms;
	uint64_t deadline;
	uint64_t started;
};

struct radius_session {
	struct radius_client *c;
	struct radius_session *prev, *next;
	struct radius_request *req;       /* in flight, or NULL */
	radius_auth_cb cb;
	void *ctx;
	char user_name[254];
	char calling[254];
	char called[254];
	uint32_t nas_port, nas_port_type, service_type;
	uint8_t state[RADIUS_ATTR_VALUE_MAX];
	uint8_t state_len;
	bool pinned;                      /* State came from server: stay there */
	unsigned server;
};

struct radius_client {
	struct radius_server servers[CONF_RADIUS_MAX];
	unsigned n_servers;
	uint32_t nas_ip;
	char nas_identifier[254];
	uint16_t framed_mtu;
	bool lax_msg_auth;
	uint32_t dead_time_ms;
	const struct radius_ops *ops;
	void *ops_arg;
	struct radius_request *reqs;      /* max_outstanding slots */
	unsigned max_outstanding;
	unsigned outstanding;
	struct radius_session *sessions;
	unsigned n_sessions;
	uint64_t drops[RADIUS_DROP_COUNT];
	uint64_t events[RADIUS_EV_COUNT];
	char reason[RADIUS_REASON_MAX];
};

/*
 * request.c: build req's datagram for server s with identifier id (a new
 * authenticator), into req->pkt/len/auth/id. 0, -ENOMEM, -EIO, -EMSGSIZE.
 */
int radius_request_build(struct radius_client *c, struct radius_request *req,
			 const struct radius_server *s, uint8_t id, uint64_t now);

#endif
