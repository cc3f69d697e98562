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
};

/* JSON and text helpers of the CLI commands (commands.c). */
void add_str(struct json_object *o, const char *k, const char *v);
void add_u64(struct json_object *o, const char *k, uint64_t v);
void ipv4_str(uint32_t ip, char *buf, size_t len);

/** Pool, certificates and the IKEv2 responder, after dp_create(). 0 or -errno with err. */
int ike_start(struct app *a, char *err, size_t errlen);
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

/** Register every CLI (and telemetry) command; 0 or -errno. */
int commands_register(struct app *a);

/** Run the control core's loop until app_quit. */
void control_run(struct app *a);

#endif
