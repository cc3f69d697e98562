/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iked: the IKEv2 responder (RFC 7296) of the control core. It takes the UDP
 * payloads the workers put on the IKE ring, keeps every IKE_SA's state, and
 * acts through a small set of callbacks (struct iked_ops): send a datagram,
 * put a CHILD_SA into the ESP data plane or take it out, read a tunnel's
 * counters. The stateless parts (codec, proposals, key derivation, SK,
 * fragments) are lib/ike; certificates and signatures lib/auth; addresses
 * lib/pool.
 *
 * Exchanges: IKE_SA_INIT (COOKIE under load, INVALID_KE_PAYLOAD, NAT
 * detection, FRAG_SUP, SIGNATURE_HASH_ALGORITHMS), IKE_AUTH with
 * certificates (RFC 7296 §2.15, RFC 7427) and a configuration payload,
 * CREATE_CHILD_SA (CHILD_SA and IKE_SA rekeys started by the client),
 * INFORMATIONAL (DELETE, liveness both ways). Retransmitted requests get the
 * cached response. Everything runs on one thread: nothing here locks.
 */
#ifndef P2SGW_IKED_H
#define P2SGW_IKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "esp.h"

struct auth_roots;
struct auth_revoked;
struct auth_key;
struct pool;
struct iked;

/* Why an IKE datagram was dropped without an answer. X(name, help). */
#define IKED_DROP_REASONS(X)                                                        \
	X(malformed, "not a well-formed IKEv2 message")                             \
	X(bad_marker, "on port 4500 without the non-ESP marker")                    \
	X(unknown_spi, "no IKE_SA with this responder SPI")                         \
	X(bad_message_id, "message ID neither the expected one nor a retransmit")   \
	X(integrity, "SK payload failed its integrity check")                       \
	X(unexpected, "exchange or payloads not expected in this state")            \
	X(half_open_full, "too many half-open IKE_SAs")                             \
	X(bad_cookie, "COOKIE missing or wrong while cookies are demanded")         \
	X(fragment, "IKE fragment refused (RFC 7383)")                              \
	X(response, "a response to nothing we asked")                              \
	X(disabled, "IKEv2 is switched off (p2sctl protocol disable ikev2)")        \
	X(eap_pending, "IKE_AUTH retransmitted while the RADIUS server is asked")

#define IKED_DROP_ENUM(name, help) IKED_DROP_##name,
enum iked_drop { IKED_DROP_REASONS(IKED_DROP_ENUM) IKED_DROP_COUNT };
#undef IKED_DROP_ENUM
const char *iked_drop_name(enum iked_drop d);

/* What happened, for `show ike` and telemetry. */
#define IKED_EVENTS(X)                                                              \
	X(requests, "requests taken")                                               \
	X(retransmits_answered, "retransmitted requests answered from the cache")  \
	X(cookies_sent, "COOKIE demanded")                                          \
	X(invalid_ke, "INVALID_KE_PAYLOAD sent")                                    \
	X(no_proposal, "NO_PROPOSAL_CHOSEN sent")                                   \
	X(auth_failed, "AUTHENTICATION_FAILED sent")                                \
	X(ts_unacceptable, "TS_UNACCEPTABLE sent")                                  \
	X(no_address, "INTERNAL_ADDRESS_FAILURE sent (pool empty)")                 \
	X(no_tunnel, "CHILD_SA refused by the data plane (table full)")             \
	X(established, "IKE_SAs authenticated")                                     \
	X(child_rekeys, "CHILD_SA rekeys")                                          \
	X(ike_rekeys, "IKE_SA rekeys")                                              \
	X(deletes_received, "DELETEs from clients")                                 \
	X(liveness_sent, "liveness checks sent")                                    \
	X(reaped, "clients reaped after unanswered liveness checks")                \
	X(initial_contact, "older IKE_SAs removed by INITIAL_CONTACT")              \
	X(expired, "IKE_SAs ended by their lifetime")                               \
	X(half_open_expired, "half-open IKE_SAs that timed out")                    \
	X(disconnects, "disconnected by the operator")                              \
	X(trust_revoked, "ended: certificate revoked or its root removed while connected") \
	X(eap_started, "EAP conversations started (IKE_AUTH without AUTH)")          \
	X(eap_accepted, "EAP conversations the server accepted")                     \
	X(eap_rejected, "EAP conversations the server rejected")                     \
	X(eap_timeouts, "EAP conversations no server answered")

#define IKED_EVENT_ENUM(name, help) IKED_EV_##name,
enum iked_event { IKED_EVENTS(IKED_EVENT_ENUM) IKED_EV_COUNT };
#undef IKED_EVENT_ENUM
const char *iked_event_name(enum iked_event e);

/** A CHILD_SA for the data plane: both directions and where the client is. */
struct iked_child_params {
	uint32_t inner_addr;           /**< the client's pool address, host order */
	struct esp_sa_params in;       /**< client -> gateway (our SPI) */
	struct esp_sa_params out;      /**< gateway -> client (its SPI) */
};

/** Data-plane counters of a tunnel. */
struct iked_tunnel_stats {
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	bool seq_soft;                 /**< the outbound SA is near the end of its sequence numbers */
};

/** Why a client's tunnel ended (RADIUS accounting's Acct-Terminate-Cause). */
enum iked_end {
	IKED_END_ERROR = 0,            /**< something failed on our side */
	IKED_END_CLIENT,               /**< the client deleted it */
	IKED_END_LOST,                 /**< the client stopped answering, or came back anew */
	IKED_END_ADMIN,                /**< the operator: disconnect, revoke, root, auth, protocol */
	IKED_END_EXPIRED,              /**< IKE_SA lifetime over and not rekeyed */
	IKED_END_SHUTDOWN,             /**< the gateway stops */
};

/** What the responder needs from the rest of the gateway. arg is iked_config.ops_arg. */
struct iked_ops {
	/** Send payload (an IKE message; the non-ESP marker is added for port 4500). */
	void (*send)(void *arg, uint16_t local_port, uint32_t peer_addr, uint16_t peer_port,
		     const uint8_t *msg, size_t len);
	/** A fresh inbound SPI (lib/sa sa_table_spi_new()). */
	uint32_t (*spi_new)(void *arg);
	/** First CHILD_SA of a client: 0 and the tunnel's id, or -errno with err. */
	int (*tunnel_add)(void *arg, const struct iked_child_params *p, uint32_t *tunnel_id,
			  char *err, size_t errlen);
	/** A rekeyed CHILD_SA pair for the tunnel. 0 or -errno with err. */
	int (*tunnel_rekey)(void *arg, uint32_t tunnel_id, const struct iked_child_params *p,
			    char *err, size_t errlen);
	/** The old inbound SA of a rekey goes. */
	void (*child_remove)(void *arg, uint32_t in_spi);
	/** The tunnel and all its SAs go, for reason why. */
	void (*tunnel_del)(void *arg, uint32_t tunnel_id, enum iked_end why);
	/** The tunnel's counters: 0, or -ENOENT. */
	int (*tunnel_stats)(void *arg, uint32_t tunnel_id, struct iked_tunnel_stats *st);

	/*
	 * EAP through an authentication server (RFC 7296 §2.16), e.g. RADIUS;
	 * NULL (or iked_config.eap false) = no EAP. The answer to every
	 * eap_send that returned 0 comes back later through iked_eap_result()
	 * with the same sa_id (or never, after eap_end).
	 */
	/** A conversation for IKE_SA sa_id begins: identity is IDi as text. 0 or -errno. */
	int (*eap_start)(void *arg, uint32_t sa_id, const char *identity, uint32_t peer_addr,
			 uint16_t peer_port);
	/** Relay one EAP packet (a Response) of sa_id to the server. 0 or -errno. */
	int (*eap_send)(void *arg, uint32_t sa_id, const uint8_t *eap, size_t len);
	/** The conversation of sa_id is over: forget it (no result expected any more). */
	void (*eap_end)(void *arg, uint32_t sa_id);
	/** A client authenticated by EAP has a tunnel now (accounting Start). May be NULL. */
	void (*eap_up)(void *arg, uint32_t sa_id, uint32_t tunnel_id);
};

/** What the authentication server said to one eap_send. */
enum iked_eap_verdict {
	IKED_EAP_CHALLENGE,            /**< eap: the next EAP-Request for the client */
	IKED_EAP_ACCEPT,               /**< eap: EAP-Success (or NULL), msk, framed address */
	IKED_EAP_REJECT,               /**< eap: EAP-Failure (or NULL) */
	IKED_EAP_TIMEOUT,              /**< no server answered; reason says which were tried */
};

struct iked_eap_result {
	enum iked_eap_verdict verdict;
	const uint8_t *eap;            /**< EAP packet to relay, NULL = none */
	size_t eap_len;
	const uint8_t *msk;            /**< ACCEPT: the MSK, NULL = none (then AUTH cannot verify) */
	size_t msk_len;
	bool has_framed_ip;            /**< ACCEPT: an address for the client (Framed-IP-Address) */
	uint32_t framed_ip;            /**< host order */
	const char *reason;            /**< for the log, NULL = none */
};

/**
 * The server's answer for IKE_SA sa_id (see iked_ops.eap_send): the held
 * IKE_AUTH request is answered now. Unknown sa_id (the IKE_SA went): ignored.
 */
void iked_eap_result(struct iked *ik, uint32_t sa_id, const struct iked_eap_result *r,
		     uint64_t now_ms);

/** EAP on or off for IKE_AUTHs from now on (the `auth` modes changed). */
void iked_set_eap(struct iked *ik, bool on);

/**
 * The authentication modes changed: certificates and EAP on or off for the
 * next IKE_AUTHs, and every connected client whose mode is now off is ended
 * (DELETE sent). Returns how many.
 */
unsigned iked_set_auth(struct iked *ik, bool cert, bool eap, uint64_t now_ms);

struct iked_config {
	uint32_t local_addr;           /**< the public address, host order */
	uint32_t pool_mask_len;        /**< prefix length pushed as INTERNAL_IP4_NETMASK */
	const struct conf_prefix *vnet; /**< prefixes clients may reach (TSr, SUBNET) */
	unsigned n_vnet;
	const uint32_t *dns;           /**< pushed as INTERNAL_IP4_DNS */
	unsigned n_dns;
	const struct conf_ikev2 *ike;  /**< timers, limits, proposal set */
	unsigned max_tunnels;          /**< established IKE_SAs at most */
	const struct auth_roots *roots;
	const struct auth_revoked *revoked;
	const struct auth_key *key;    /**< our certificate and key */
	struct pool *pool;             /**< shared with other protocols */
	bool eap;                      /**< EAP offered (ops.eap_* set): IKE_AUTH without AUTH */
	bool cert_off;                 /**< certificate clients refused (auth without certificate) */
	const struct iked_ops *ops;
	void *ops_arg;
};

struct iked;

/** A responder; NULL with err on failure (no memory, no key). */
struct iked *iked_create(const struct iked_config *cfg, char *err, size_t errlen);
/** Forget every IKE_SA (tunnels removed, addresses returned), free. */
void iked_free(struct iked *ik);

/**
 * One UDP datagram to the public address: payload is the UDP payload
 * (with its non-ESP marker on port 4500). now_ms: a monotonic clock.
 */
void iked_input(struct iked *ik, const uint8_t *payload, size_t len, uint32_t peer_addr,
		uint16_t peer_port, uint16_t local_port, uint64_t now_ms);

/** Timers: retransmissions, liveness, lifetimes, half-open expiry. Returns work done. */
unsigned iked_timers(struct iked *ik, uint64_t now_ms);

/**
 * New trusted roots and revoked thumbprints (the configuration changed):
 * used for the next IKE_AUTH, and every connected client whose certificate
 * is now revoked, or whose chain ended at a root no longer trusted, is
 * ended (DELETE sent). Returns how many. The caller frees the old objects.
 */
unsigned iked_set_trust(struct iked *ik, const struct auth_roots *roots,
			const struct auth_revoked *revoked, uint64_t now_ms);

/**
 * The VNet prefixes and DNS servers for clients that authenticate from now
 * on (CP, TSr); connected clients keep what they were given. The arrays
 * must outlive the responder or the next call.
 */
void iked_set_network(struct iked *ik, const struct conf_prefix *vnet, unsigned n_vnet,
		      const uint32_t *dns, unsigned n_dns);

/**
 * Switch IKEv2 off (every IKE_SA ended with a DELETE, every datagram dropped
 * and counted as disabled) or on again. Returns how many IKE_SAs ended.
 */
unsigned iked_set_enabled(struct iked *ik, bool on, uint64_t now_ms);

/** End the IKE_SA of this tunnel (DELETE sent to the client). 0 or -ENOENT. */
int iked_disconnect(struct iked *ik, uint32_t tunnel_id, uint64_t now_ms);

enum iked_state { IKED_HALF_OPEN, IKED_ESTABLISHED, IKED_REKEYED, IKED_DELETING };
const char *iked_state_name(enum iked_state s);

/** A read-only view of one IKE_SA for the CLI. */
struct iked_sa_info {
	uint32_t id;                   /**< IKE_SA number, for the CLI */
	enum iked_state state;
	uint64_t spi_i, spi_r;
	uint32_t peer_addr;
	uint16_t peer_port, local_port;
	bool nat;                      /**< NAT detected: ESP in UDP 4500 */
	const char *identity;          /**< IDi as text, "" before IKE_AUTH */
	const char *subject;           /**< the client certificate's subject */
	const char *auth;              /**< "certificate" or "eap-radius" */
	char proposal[96];             /**< IKE proposal, e.g. AES_GCM_16-256/HMAC_SHA2_256/CURVE25519 */
	char child_proposal[96];
	uint32_t inner_addr;           /**< 0 before IKE_AUTH */
	uint32_t tunnel_id;            /**< 0: no tunnel */
	uint32_t child_in_spi, child_out_spi;
	uint64_t age_ms;               /**< since IKE_SA_INIT */
	uint64_t established_ms;       /**< since IKE_AUTH, 0 if not */
	uint64_t idle_ms;              /**< since the client was last heard from */
	unsigned liveness_unanswered;
};

/** Call fn for every IKE_SA until it returns non-zero. */
void iked_walk(const struct iked *ik, uint64_t now_ms,
	       int (*fn)(const struct iked_sa_info *sa, void *arg), void *arg);
/** The IKE_SA that owns tunnel_id: 0 and *out, or -ENOENT. */
int iked_tunnel_info(const struct iked *ik, uint32_t tunnel_id, uint64_t now_ms,
		     struct iked_sa_info *out);

struct iked_counters {
	uint64_t drops[IKED_DROP_COUNT];
	uint64_t events[IKED_EV_COUNT];
	unsigned half_open;
	unsigned established;
};
void iked_counters(const struct iked *ik, struct iked_counters *out);

#endif
