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
