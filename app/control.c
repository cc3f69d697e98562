/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control core's event loop: hand-offs from the workers (neighbour
 * learning, frames waiting for ARP, IKE messages), neighbour and IKE timers
 * and the CLI socket.
 * When there is nothing to do it sleeps in poll() on the CLI socket for a
 * millisecond rather than spinning, so the control core leaves the CPU to
 * the workers and to other processes on small machines.
 */
#include <rte_cycles.h>

#include "app.h"

volatile sig_atomic_t app_quit;

void
control_run(struct app *a)
{
	unsigned work;
	uint64_t now;

	while (!app_quit) {
		ctl_lock(a->ctl);
		now = rte_rdtsc();
		work = dp_control_poll(&a->dp, now);
		work += ike_poll(a, now);
		work += radius_poll(a, now);
		ctl_unlock(a->ctl);
		ctl_server_poll(a->ctl, work ? 0 : 1);
	}
}
