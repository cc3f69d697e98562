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

struct app {
	struct conf conf;
	struct dp dp;
	struct ctl_server *ctl;
	time_t started;
};

/** Set by SIGINT/SIGTERM. */
extern volatile sig_atomic_t app_quit;

/** Register every CLI (and telemetry) command; 0 or -errno. */
int commands_register(struct app *a);

/** Run the control core's loop until app_quit. */
void control_run(struct app *a);

#endif
