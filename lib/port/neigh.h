/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh: the bounded neighbour (ARP) table. The control core is its only
 * writer: it learns from ARP, resolves next hops for frames that wait, probes
 * and ages entries. Workers only look up a MAC, lock-free; an entry removed
 * by the control core is reused only after every worker has passed a
 * quiescent state (rte_rcu_qsbr), so a reader never sees another host's MAC.
 */
#ifndef P2SGW_NEIGH_H
#define P2SGW_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "port.h"

#define NEIGH_PENDING_MAX 4    /**< frames held per unresolved next hop */
#define NEIGH_PROBES 3         /**< ARP requests before giving up */
#define NEIGH_PROBE_MS 1000    /**< between two probes */

enum neigh_state { NEIGH_INCOMPLETE, NEIGH_REACHABLE, NEIGH_STALE };

/** A read-only view for the CLI. */
struct neigh_info {
	enum port_index port;
	uint32_t ip;
	struct rte_ether_addr mac;     /**< zero while incomplete */
	enum neigh_state state;
	uint64_t age_ms;               /**< since last confirmed (or created) */
	unsigned probes;
	unsigned pending;
};

/** max entries in all; timeout_s: how long an answer keeps an entry reachable. */
struct neigh_table *neigh_create(unsigned max, unsigned timeout_s, struct rte_rcu_qsbr *qsbr,
				 int socket_id);
void neigh_free(struct neigh_table *t);

/** Worker: the MAC of ip on port, if known. Lock-free; call between quiescent states. */
bool neigh_lookup(const struct neigh_table *t, enum port_index port, uint32_t ip,
		  struct rte_ether_addr *mac);

/**
 * Worker: a number that changes whenever a resolved neighbour changes its
 * MAC or goes away. A MAC looked up while it had some value stays right
 * while it keeps that value, so callers may cache it (per tunnel).
 */
uint32_t neigh_generation(const struct neigh_table *t);

/** Control: what ARP taught a worker (RFC 826 merge: update, or create if solicited). */
void neigh_learn(struct neigh_table *t, struct dp *dp, const struct port_learn *l,
		 uint64_t now_tsc);

/**
 * Control: send frame m (port_meta(m) says the port and next hop) once its
 * next hop is known: at once if it is, else after ARP. Takes m in every case.
 */
void neigh_resolve(struct neigh_table *t, struct dp *dp, struct rte_mbuf *m, uint64_t now_tsc);

/** Control: probes, expiry, failures. Returns how many entries it acted on. */
unsigned neigh_timers(struct neigh_table *t, struct dp *dp, uint64_t now_tsc);

/** Control: free every waiting frame (shutdown). */
void neigh_flush(struct neigh_table *t);

/** Control: call fn for each entry; stops early if fn returns non-zero. */
void neigh_walk(const struct neigh_table *t, uint64_t now_tsc,
		int (*fn)(const struct neigh_info *n, void *arg), void *arg);

/** Entries in use and the table's size. */
unsigned neigh_count(const struct neigh_table *t);
unsigned neigh_capacity(const struct neigh_table *t);

const char *neigh_state_name(enum neigh_state s);

#endif
