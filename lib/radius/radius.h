/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * radius: the RADIUS client of the control core (RFC 2865, RFC 2866,
 * RFC 3579, RFC 2548). It relays EAP between IKEv2 (later PPP) clients and
 * the operator's RADIUS servers, and sends accounting. Like lib/iked it opens
 * no socket: datagrams leave through struct radius_ops.send, replies come in
 * through radius_input(), retransmissions and fail-over run from
 * radius_timers() on a clock the caller gives. Everything runs on one
 * thread; nothing here locks or logs. Secrets are never copied into any
 * output (results, reasons, counters, server views).
 *
 * Two layers:
 *  - a codec (radius_pkt_*, radius_attr_*, radius_validate, the
 *    authenticator and key helpers, radius_reply_verify) that touches no
 *    state: unit tests and the fuzz harness use it alone;
 *  - a client (radius_client_*, radius_session_*, radius_access_request,
 *    radius_accounting_request, radius_input, radius_timers) with several
 *    servers by priority, identifiers per server and port, retransmission
 *    with back-off, fail-over, and drop counters by reason.
 */
#ifndef P2SGW_RADIUS_H
#define P2SGW_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* ---- protocol constants ---- */

#define RADIUS_HDR_LEN 20          /**< code, identifier, length, authenticator */
#define RADIUS_AUTH_LEN 16         /**< Request/Response Authenticator */
#define RADIUS_PACKET_MIN 20       /**< RFC 2865 §3 */
#define RADIUS_PACKET_MAX 4096     /**< RFC 2865 §3 */
#define RADIUS_ATTR_VALUE_MAX 253  /**< 255 - type - length */
#define RADIUS_VSA_VALUE_MAX 247   /**< 253 - vendor id - vendor type - vendor length */
#define RADIUS_MSK_MAX 128         /**< Recv-Key | Send-Key, each at most 64 */
#define RADIUS_VENDOR_MICROSOFT 311

enum radius_code {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCOUNTING_REQUEST = 4,
	RADIUS_ACCOUNTING_RESPONSE = 5,
	RADIUS_ACCESS_CHALLENGE = 11,
};

/** Attribute types used here (RFC 2865 §5, RFC 2866 §5, RFC 2869 §5, RFC 3579 §3). */
enum radius_attr_type {
	RADIUS_ATTR_USER_NAME = 1,
	RADIUS_ATTR_USER_PASSWORD = 2,
	RADIUS_ATTR_NAS_IP_ADDRESS = 4,
	RADIUS_ATTR_NAS_PORT = 5,
	RADIUS_ATTR_SERVICE_TYPE = 6,
	RADIUS_ATTR_FRAMED_PROTOCOL = 7,
	RADIUS_ATTR_FRAMED_IP_ADDRESS = 8,
	RADIUS_ATTR_FRAMED_MTU = 12,
	RADIUS_ATTR_REPLY_MESSAGE = 18,
	RADIUS_ATTR_STATE = 24,
	RADIUS_ATTR_CLASS = 25,
	RADIUS_ATTR_VENDOR_SPECIFIC = 26,
	RADIUS_ATTR_SESSION_TIMEOUT = 27,
	RADIUS_ATTR_CALLED_STATION_ID = 30,
	RADIUS_ATTR_CALLING_STATION_ID = 31,
	RADIUS_ATTR_NAS_IDENTIFIER = 32,
	RADIUS_ATTR_ACCT_STATUS_TYPE = 40,
	RADIUS_ATTR_ACCT_DELAY_TIME = 41,
	RADIUS_ATTR_ACCT_INPUT_OCTETS = 42,
	RADIUS_ATTR_ACCT_OUTPUT_OCTETS = 43,
	RADIUS_ATTR_ACCT_SESSION_ID = 44,
	RADIUS_ATTR_ACCT_AUTHENTIC = 45,
	RADIUS_ATTR_ACCT_SESSION_TIME = 46,
	RADIUS_ATTR_ACCT_INPUT_PACKETS = 47,
	RADIUS_ATTR_ACCT_OUTPUT_PACKETS = 48,
	RADIUS_ATTR_ACCT_TERMINATE_CAUSE = 49,
	RADIUS_ATTR_ACCT_INPUT_GIGAWORDS = 52,
	RADIUS_ATTR_ACCT_OUTPUT_GIGAWORDS = 53,
	RADIUS_ATTR_NAS_PORT_TYPE = 61,
	RADIUS_ATTR_EAP_MESSAGE = 79,
	RADIUS_ATTR_MESSAGE_AUTHENTICATOR = 80,
};

/** Microsoft vendor attributes (RFC 2548 §2.4.2, §2.4.3). */
enum radius_ms_type {
	RADIUS_MS_MPPE_SEND_KEY = 16,
	RADIUS_MS_MPPE_RECV_KEY = 17,
};

/* ---- codec: building ---- */

/** A packet being built. Errors are sticky: check radius_pkt_finish_*()'s result. */
struct radius_pkt {
	uint8_t buf[RADIUS_PACKET_MAX];
	size_t len;
	size_t msg_auth_off;           /**< offset of the Message-Authenticator value, 0 = none */
	int err;                       /**< first error: -EMSGSIZE, -EINVAL */
};

/** Start a packet: header with code, identifier and authenticator (NULL: zeros). */
void radius_pkt_init(struct radius_pkt *p, uint8_t code, uint8_t id,
		     const uint8_t auth[RADIUS_AUTH_LEN]);
/** One attribute of 1..253 octets. 0 or -EMSGSIZE/-EINVAL (also kept in p->err). */
int radius_pkt_add(struct radius_pkt *p, uint8_t type, const void *value, size_t len);
int radius_pkt_add_u32(struct radius_pkt *p, uint8_t type, uint32_t value);
int radius_pkt_add_str(struct radius_pkt *p, uint8_t type, const char *s);
/** A Vendor-Specific attribute (RFC 2865 §5.26) with one vendor attribute of 1..247 octets. */
int radius_pkt_add_vsa(struct radius_pkt *p, uint32_t vendor, uint8_t vtype, const void *value,
		       size_t len);
/** An EAP packet as consecutive EAP-Message attributes of at most 253 octets (RFC 3579 §3.1). */
int radius_pkt_add_eap(struct radius_pkt *p, const uint8_t *eap, size_t len);
/** A zeroed Message-Authenticator, filled in by radius_pkt_finish_*(). At most one. */
int radius_pkt_add_msg_auth(struct radius_pkt *p);
/**
 * Access-Request: set the length and fill the Message-Authenticator, if
 * any, with HMAC-MD5 over the packet (RFC 3579 §3.2). 0 or the first error.
 */
int radius_pkt_finish_request(struct radius_pkt *p, const uint8_t *secret, size_t secret_len);
/**
 * Accounting-Request: length, Message-Authenticator if any, then the
 * Request Authenticator MD5(packet with a zero authenticator | secret)
 * (RFC 2866 §3). 0 or the first error.
 */
int radius_pkt_finish_accounting(struct radius_pkt *p, const uint8_t *secret, size_t secret_len);
/**
 * A reply (Accept, Reject, Challenge, Accounting-Response) to a request with
 * request_auth: length, Message-Authenticator computed with the Request
 * Authenticator in place, then the Response Authenticator (RFC 2865 §3).
 * For tests and the fuzz harness, which play the server.
 */
int radius_pkt_finish_reply(struct radius_pkt *p, const uint8_t request_auth[RADIUS_AUTH_LEN],
			    const uint8_t *secret, size_t secret_len);

/* ---- codec: reading ---- */

/**
 * Validate a received datagram before anything reads it (RFC 2865 §3): at
 * least 20 octets, a Length field of 20..4096 no larger than the datagram
 * (octets past Length are padding and ignored), attributes of at least 2
 * octets that end exactly at Length. 0 and *pkt_len, or -EBADMSG.
 */
int radius_validate(const uint8_t *dgram, size_t len, size_t *pkt_len);

struct radius_attr {
	uint8_t type;
	uint8_t len;                   /**< value length, 0..253 */
	const uint8_t *value;
};

/** Walks the attributes of a validated packet. */
struct radius_attr_iter {
	const uint8_t *pos, *end;
};
void radius_attr_iter_init(struct radius_attr_iter *it, const uint8_t *pkt, size_t pkt_len);
/** Walks a bare attribute area (e.g. radius_auth_result.attrs), validated already. */
void radius_attr_iter_area(struct radius_attr_iter *it, const uint8_t *attrs, size_t len);
bool radius_attr_next(struct radius_attr_iter *it, struct radius_attr *a);
/** Count of attributes of this type in a validated packet; the first one in *a if a. */
unsigned radius_attr_find(const uint8_t *pkt, size_t pkt_len, uint8_t type, struct radius_attr *a);
/**
 * The vendor attributes inside a Vendor-Specific value (RFC 2865 §5.26 in
 * its recommended type|length|value format): 0, *vendor and an iterator
 * over them (radius_attr_next), or -EBADMSG (shorter than vendor id and one
 * attribute, or vendor attributes that do not tile the value exactly).
 */
int radius_vsa_parse(const struct radius_attr *vsa, uint32_t *vendor, struct radius_attr_iter *sub);
/**
 * Join the EAP-Message attributes of a validated packet (RFC 3579 §3.1).
 * They must be consecutive; the EAP header's length must equal the joined
 * length. 0 and *len (0 if there is none), -EBADMSG, or -EMSGSIZE if
 * out_size is too small.
 */
int radius_eap_join(const uint8_t *pkt, size_t pkt_len, uint8_t *out, size_t out_size, size_t *len);

/* ---- codec: authenticators and hidden values ---- */

/** RFC 2865 §5.2 User-Password hiding: out_size >= padded length (multiple of 16, <= 128). */
int radius_password_hide(uint8_t *out, size_t out_size, size_t *out_len, const uint8_t *pw,
			 size_t pw_len, const uint8_t *secret, size_t secret_len,
			 const uint8_t request_auth[RADIUS_AUTH_LEN]);
/** The reverse; trailing zero padding removed. 0 or -EBADMSG. */
int radius_password_unhide(uint8_t *out, size_t out_size, size_t *out_len, const uint8_t *hidden,
			   size_t hidden_len, const uint8_t *secret, size_t secret_len,
			   const uint8_t request_auth[RADIUS_AUTH_LEN]);
/**
 * MD5(code|id|length|request_auth|attributes|secret) of a validated reply
 * of pkt_len octets (RFC 2865 §3 Response Authenticator, RFC 2866 §3 with a
 * zero request_auth for Accounting-Request). 0 or -EIO.
 */
int radius_response_auth(uint8_t out[RADIUS_AUTH_LEN], const uint8_t *pkt, size_t pkt_len,
			 const uint8_t request_auth[RADIUS_AUTH_LEN], const uint8_t *secret,
			 size_t secret_len);
/**
 * HMAC-MD5 Message-Authenticator of a packet (RFC 3579 §3.2): computed with
 * the authenticator field replaced by auth (NULL: as it is) and the value at
 * msg_auth_off (offset of the 16 octets) zeroed. 0 or -EIO.
 */
int radius_msg_auth(uint8_t out[RADIUS_AUTH_LEN], const uint8_t *pkt, size_t pkt_len,
		    size_t msg_auth_off, const uint8_t auth[RADIUS_AUTH_LEN],
		    const uint8_t *secret, size_t secret_len);
/**
 * RFC 2548 §2.4.2/§2.4.3 MS-MPPE-Send-Key / MS-MPPE-Recv-Key value
 * (salt(2) | encrypted string): the key, without its length octet and
 * padding. The salt's high bit must be set; the string is 16..240 octets in
 * blocks of 16; the key length octet must fit. 0 and *key_len, or -EBADMSG.
 */
int radius_mppe_decrypt(uint8_t *key, size_t key_size, size_t *key_len, const uint8_t *value,
			size_t value_len, const uint8_t *secret, size_t secret_len,
			const uint8_t request_auth[RADIUS_AUTH_LEN]);

/* ---- replies ---- */

/* Why a received datagram was dropped. X(name, help). */
#define RADIUS_DROP_REASONS(X)                                                           \
	X(malformed, "not a well-formed RADIUS packet, or bad attributes in a reply")  \
	X(unknown_server, "from an address and port that is no configured server")     \
	X(unexpected_code, "a code that is no reply to what was sent on that port")    \
	X(unknown_identifier, "identifier of no outstanding request")                  \
	X(late_duplicate, "a reply to a request already answered or moved on")         \
	X(bad_authenticator, "Response Authenticator does not verify")                 \
	X(bad_message_authenticator, "Message-Authenticator does not verify")          \
	X(missing_message_authenticator, "Access reply without Message-Authenticator")

#define RADIUS_DROP_ENUM(name, help) RADIUS_DROP_##name,
enum radius_drop { RADIUS_DROP_REASONS(RADIUS_DROP_ENUM) RADIUS_DROP_COUNT };
#undef RADIUS_DROP_ENUM
const char *radius_drop_name(enum radius_drop d);
const char *radius_drop_help(enum radius_drop d);

/** What a verified reply carries. Pointers go into the packet given to radius_reply_verify(). */
struct radius_reply {
	uint8_t code;
	uint8_t eap[RADIUS_PACKET_MAX]; /**< EAP-Message joined */
	size_t eap_len;
	const uint8_t *state;          /**< State (Access-Challenge), NULL if none */
	uint8_t state_len;
	bool has_framed_ip;
	uint32_t framed_ip;            /**< Framed-IP-Address, host order */
	uint32_t session_timeout;      /**< Session-Timeout seconds, 0 = none */
	bool has_msk;
	uint8_t msk[RADIUS_MSK_MAX];   /**< MS-MPPE-Recv-Key | MS-MPPE-Send-Key */
	size_t msk_len;
	const uint8_t *class_attr;     /**< Class (to echo in accounting), NULL if none */
	uint8_t class_len;
	const uint8_t *attrs;          /**< every attribute, validated */
	size_t attrs_len;
};

/**
 * Check and read a reply of pkt_len octets (validated) to a request sent
 * with request_auth: Response Authenticator, then Message-Authenticator
 * (HMAC-MD5 with the Request Authenticator in place; required on every
 * Access reply when require_msg_auth, else only when it carries
 * EAP-Message), then the attributes: EAP-Message joined, at most one State,
 * Framed-IP-Address, Session-Timeout, MS-MPPE keys decrypted. Returns -1
 * and fills out, or the drop reason (out then undefined).
 */
int radius_reply_verify(const uint8_t *pkt, size_t pkt_len,
			const uint8_t request_auth[RADIUS_AUTH_LEN], const uint8_t *secret,
			size_t secret_len, bool require_msg_auth, struct radius_reply *out);

/* ---- the client ---- */

/* What happened, for the CLI and telemetry. X(name, help). */
#define RADIUS_EVENTS(X)                                                                 \
	X(access_requests, "Access-Requests started")                                  \
	X(acct_requests, "Accounting-Requests started")                                \
	X(sent, "datagrams sent (first tries)")                                        \
	X(retransmits, "datagrams retransmitted")                                      \
	X(failovers, "requests moved to the next server")                              \
	X(servers_down, "servers marked down after retries")                           \
	X(accepts, "Access-Accepts")                                                   \
	X(rejects, "Access-Rejects")                                                   \
	X(challenges, "Access-Challenges")                                             \
	X(acct_responses, "Accounting-Responses")                                      \
	X(timeouts, "requests that no server answered")                                \
	X(cancelled, "requests cancelled by the caller")                               \
	X(busy, "requests refused: outstanding limit or no free identifier")

#define RADIUS_EVENT_ENUM(name, help) RADIUS_EV_##name,
enum radius_event { RADIUS_EVENTS(RADIUS_EVENT_ENUM) RADIUS_EV_COUNT };
#undef RADIUS_EVENT_ENUM
const char *radius_event_name(enum radius_event e);
const char *radius_event_help(enum radius_event e);

/** What the client needs from the gateway. arg is radius_client_config.ops_arg. */
struct radius_ops {
	/** Send one UDP datagram from the gateway's private address to a server (host order). */
	void (*send)(void *arg, uint32_t server_addr, uint16_t server_port, const uint8_t *pkt,
		     size_t len);
};

struct radius_client_config {
	const struct conf_radius *servers; /**< copied; tried by priority, lower first */
	unsigned n_servers;            /**< 1..CONF_RADIUS_MAX */
	uint32_t nas_ip;               /**< NAS-IP-Address (host order), 0 = not sent */
	const char *nas_identifier;    /**< NAS-Identifier, NULL or "" = not sent */
	unsigned max_outstanding;      /**< requests in flight, 1..4096, 0 = 256 */
	uint32_t dead_time_ms;         /**< a server that failed is skipped this long, 0 = 30000 */
	uint16_t framed_mtu;           /**< Framed-MTU in Access-Requests (EAP-TLS fragments), 0 = not sent */
	/**
	 * Accept Access replies without Message-Authenticator when they carry
	 * no EAP-Message (RFC 3579 §3.2's minimum). Default false: every Access
	 * reply must carry one (the BlastRADIUS, CVE-2024-3596, mitigation).
	 */
	bool lax_message_authenticator;
	const struct radius_ops *ops;
	void *ops_arg;
};

struct radius_client;
struct radius_session;

/** A client; NULL with a one-line err (names the field) on bad input or no memory. */
struct radius_client *radius_client_create(const struct radius_client_config *cfg, char *err,
					   size_t errlen);
/**
 * Forget every request (no callbacks), free every session left, wipe the
 * secrets, free.
 */
void radius_client_free(struct radius_client *c);

enum radius_result {
	RADIUS_RESULT_ACCEPT,
	RADIUS_RESULT_REJECT,
	RADIUS_RESULT_CHALLENGE,
	RADIUS_RESULT_TIMEOUT,
};
const char *radius_result_name(enum radius_result r);

/** What an Access-Request came to. Valid during the callback only. */
struct radius_auth_result {
	enum radius_result result;
	const char *reason;            /**< TIMEOUT: which servers were tried; else "" */
	const uint8_t *eap;            /**< EAP to relay (Request, Success, Failure), or NULL */
	size_t eap_len;
	bool has_msk;                  /**< ACCEPT: MS-MPPE keys were present */
	const uint8_t *msk;            /**< Recv-Key | Send-Key (docs/radius.md) */
	size_t msk_len;
	bool has_framed_ip;
	uint32_t framed_ip;            /**< Framed-IP-Address, host order */
	uint32_t session_timeout;      /**< seconds, 0 = none */
	const uint8_t *class_attr;     /**< Class, to echo in accounting; NULL if none */
	size_t class_len;
	const uint8_t *attrs;          /**< every attribute of the reply (radius_attr_iter_area) */
	size_t attrs_len;
	uint32_t server_addr;          /**< the server that answered (0 on TIMEOUT) */
};

/**
 * Called once per radius_access_request(). The session may be used again
 * (another request) or freed from inside the callback.
 */
typedef void (*radius_auth_cb)(void *ctx, struct radius_session *s,
			       const struct radius_auth_result *r);

/** Per-conversation attributes, copied by radius_session_new(). */
struct radius_session_params {
	const char *user_name;         /**< User-Name: the EAP identity (required, 1..253) */
	const char *calling_station_id; /**< the client, e.g. "198.51.100.7[4500]"; NULL = none */
	const char *called_station_id; /**< the gateway, NULL = none */
	uint32_t nas_port;             /**< NAS-Port (e.g. IKE_SA number) */
	uint32_t nas_port_type;        /**< NAS-Port-Type, 0 = 5 (Virtual) */
	uint32_t service_type;         /**< Service-Type, 0 = 2 (Framed) */
};

/**
 * One EAP conversation (one client's IKE_AUTH): keeps State between
 * requests and sticks to the server that sent it. NULL on bad params or no
 * memory.
 */
struct radius_session *radius_session_new(struct radius_client *c,
					  const struct radius_session_params *p, radius_auth_cb cb,
					  void *ctx);
/** Cancel what is outstanding (no callback) and free. NULL is fine. */
void radius_session_free(struct radius_session *s);
/** Cancel the outstanding request, if any (no callback); the session stays. */
void radius_cancel(struct radius_session *s);

/**
 * Send an Access-Request with this EAP packet (User-Name, NAS attributes,
 * the State of the last Access-Challenge, Message-Authenticator). The
 * callback comes later from radius_input() or radius_timers(). 0, or
 * -EINVAL (bad EAP), -EINPROGRESS (one is outstanding for this session),
 * -EBUSY (outstanding limit or identifiers of every server in use),
 * -EMSGSIZE, -EIO (no randomness).
 */
int radius_access_request(struct radius_session *s, const uint8_t *eap, size_t eap_len,
			  uint64_t now_ms);

/** RFC 2866 §5.1 Acct-Status-Type. */
enum radius_acct_status {
	RADIUS_ACCT_START = 1,
	RADIUS_ACCT_STOP = 2,
	RADIUS_ACCT_INTERIM = 3,
};

struct radius_acct_params {
	enum radius_acct_status status;
	const char *session_id;        /**< Acct-Session-Id (required, 1..253) */
	const char *user_name;         /**< NULL = none */
	const char *calling_station_id;
	uint32_t nas_port;
	uint32_t framed_ip;            /**< host order, 0 = none */
	const uint8_t *class_attr;     /**< Class from the Access-Accept, NULL = none */
	size_t class_len;
	uint64_t in_octets, out_octets; /**< sent as Octets + Gigawords (RFC 2869 §5.1/5.2) */
	uint64_t in_packets, out_packets; /**< modulo 2^32 */
	uint32_t session_time_s;       /**< Acct-Session-Time (Interim, Stop) */
	uint32_t terminate_cause;      /**< Acct-Terminate-Cause (Stop), 0 = none */
};

/** Accounting outcome: 0 (Accounting-Response), or -ETIMEDOUT with reason. */
typedef void (*radius_acct_cb)(void *ctx, int result, const char *reason);

/**
 * Send an Accounting-Request (RFC 2866). cb may be NULL. 0, -EINVAL,
 * -EBUSY, -EMSGSIZE, -EIO.
 */
int radius_accounting_request(struct radius_client *c, const struct radius_acct_params *p,
			      radius_acct_cb cb, void *ctx, uint64_t now_ms);

/**
 * One UDP datagram from a server: payload, the server's address and port
 * (host order). Callbacks run from here.
 */
void radius_input(struct radius_client *c, const uint8_t *dgram, size_t len, uint32_t from_addr,
		  uint16_t from_port, uint64_t now_ms);

/** Retransmissions, fail-over, timeouts. Returns the number of requests acted on. */
unsigned radius_timers(struct radius_client *c, uint64_t now_ms);
/** The earliest deadline of any outstanding request, UINT64_MAX if none. */
uint64_t radius_next_deadline(const struct radius_client *c);

/** A server as the CLI shows it (never the secret). */
struct radius_server_info {
	uint32_t addr;
	uint16_t auth_port, acct_port;
	uint8_t priority;
	bool down;                     /**< failed; skipped until down_for_ms passes */
	uint64_t down_for_ms;
	unsigned outstanding;
	uint64_t requests, retransmits, replies, timeouts;
};
/** Servers in the order they are tried (0 = first). 0, or -ENOENT past the last. */
int radius_server_info(const struct radius_client *c, unsigned i, uint64_t now_ms,
		       struct radius_server_info *out);

struct radius_counters {
	uint64_t drops[RADIUS_DROP_COUNT];
	uint64_t events[RADIUS_EV_COUNT];
	unsigned outstanding;
	unsigned sessions;
};
void radius_counters(const struct radius_client *c, struct radius_counters *out);

#endif
