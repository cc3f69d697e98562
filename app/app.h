/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The p2sgw appliance: what main() wires together and hands to the control
 * loop and the CLI commands.
 */
#ifndef P2SGW_APP_H
#define P2SGW_APP_H

#include <signal.h>
#include <time.h>

#include "conf.h"
#include "ctl.h"
#include "port.h"

struct json_object;
struct iked;
struct pool;
struct auth_roots;
struct auth_revoked;
struct auth_key;
struct radius_client;
struct app_eap;

struct app {
	struct conf conf;
	struct dp dp;
	struct ctl_server *ctl;
	time_t started;
	struct pool *pool;             /**< client addresses, every protocol */
	struct iked *ike;              /**< IKEv2 responder, NULL when IKEv2 is off */
	struct auth_roots *roots;
	struct auth_revoked *revoked;
	struct auth_key *key;          /**< the gateway's certificate and key */
	uint64_t next_ike_tsc;         /**< control core: next IKE timer run */
	uint64_t limit_refusals;       /**< tunnels refused at the SKU's tunnel_limit */
	bool limit_logged;             /**< said once until a tunnel frees up */
	struct radius_client *radius;  /**< RADIUS client (auth radius and servers), or NULL */
	struct app_eap *eap;           /**< EAP conversations and accounting records (radius.c) */
	uint64_t next_radius_tsc;      /**< control core: next RADIUS timer run */
};

/**
 * May one more tunnel start (the SKU's tunnel_limit, every protocol)? 0, or
 * -EDQUOT with one line in err; the first refusal of a run at the limit is
 * logged, every one counted.
 */
int tunnel_admit(struct app *a, char *err, size_t errlen);

/* JSON and text helpers of the CLI commands (commands.c). */
void add_str(struct json_object *o, const char *k, const char *v);
void add_u64(struct json_object *o, const char *k, uint64_t v);
void ipv4_str(uint32_t ip, char *buf, size_t len);

/** Pool, certificates and the IKEv2 responder, after dp_create(). 0 or -errno with err. */
int ike_start(struct app *a, char *err, size_t errlen);
/** The IKEv2 responder alone (IKEv2 switched on at run time). 0 or -errno with err. */
int ike_responder_start(struct app *a, char *err, size_t errlen);
/** Trusted roots and revoked thumbprints of a configuration. 0 or -errno with err. */
int ike_trust_load(const struct conf *c, struct auth_roots **roots,
		   struct auth_revoked **revoked, char *err, size_t errlen);
/** Register set sku, protocol, auth, root, revoke, set dns, show sku (admin.c). */
int admin_commands_register(struct app *a);
/** Free what ike_start() made (tunnels go with the data plane). */
void ike_stop(struct app *a);
/** Control core: IKE timers when due. Returns work done. */
unsigned ike_poll(struct app *a, uint64_t now_tsc);
/** Register show tunnels, show ike, disconnect. */
int ike_commands_register(struct app *a);
/**
 * One UDP datagram from the gateway's address on port pi (public: IKE,
 * private: RADIUS) to peer, IPv4-fragmented above the port's MTU; marker4:
 * the 4-octet non-ESP marker goes in front (IKE on 4500). UDP checksum 0.
 */
void app_udp_send(struct app *a, enum port_index pi, uint16_t local_port, uint32_t peer,
		  uint16_t peer_port, bool marker4, const uint8_t *msg, size_t len);

/* The RADIUS client (radius.c): EAP relay for IKEv2 and accounting. */
/** The client, if auth has radius and servers are configured. 0 or -errno with err. */
int radius_app_start(struct app *a, char *err, size_t errlen);
void radius_app_stop(struct app *a);
/** May IKEv2 clients use EAP now (a client exists and auth has radius)? */
bool radius_app_eap_ready(const struct app *a);
/** A UDP payload to our RADIUS port on the private address. */
void radius_app_input(struct app *a, const uint8_t *dgram, size_t len, uint32_t from,
		      uint16_t from_port, uint64_t now_ms);
/** Control core: RADIUS retransmissions and time-outs when due. Returns work done. */
unsigned radius_poll(struct app *a, uint64_t now_tsc);
/**
 * A tunnel goes: accounting Stop if its client came through RADIUS, with
 * Acct-Terminate-Cause cause (RFC 2866 §5.10; Session-Timeout if we ended
 * it for that).
 */
void radius_app_tunnel_down(struct app *a, uint32_t tunnel_id, uint64_t in_packets,
			    uint64_t in_bytes, uint64_t out_packets, uint64_t out_bytes,
			    uint32_t cause);
/* iked_ops for EAP (arg: the app). */
int radius_app_eap_start(void *arg, uint32_t sa_id, const char *identity, uint32_t peer_addr,
			 uint16_t peer_port);
int radius_app_eap_send(void *arg, uint32_t sa_id, const uint8_t *eap, size_t len);
void radius_app_eap_end(void *arg, uint32_t sa_id);
void radius_app_eap_up(void *arg, uint32_t sa_id, uint32_t tunnel_id);
/** Register show radius. */
int radius_commands_register(struct app *a);

struct iked_tunnel_stats;
/** A tunnel's packets and bytes each way (arg: the app). 0 or -ENOENT. */
int ike_tunnel_stats(void *arg, uint32_t id, struct iked_tunnel_stats *st);
/** Milliseconds of the TSC clock. */
uint64_t app_ms(uint64_t tsc);

/** Set by SIGINT/SIGTERM. */
extern volatile sig_atomic_t app_quit;

/** Register n commands with the CLI server (and telemetry); 0 or -errno. */
int commands_add(struct app *a, const struct ctl_command *cmds, unsigned n);
/** Register every CLI (and telemetry) command; 0 or -errno. */
int commands_register(struct app *a);

/** Run the control core's loop until app_quit. */
void control_run(struct app *a);

#endif
