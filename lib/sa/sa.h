/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sa: the table of client tunnels and their ESP SAs, shared by the control
 * core (the only writer) and the workers (lock-free readers). This is the
 * API IKEv2 (and later SSTP) call to put a tunnel into the data plane:
 *
 *   sa_tunnel_add()     a client's first CHILD_SA: inbound + outbound SA,
 *                       the client's inner address, its outer address
 *   sa_tunnel_rekey()   a new CHILD_SA pair for the tunnel: the new inbound
 *                       SA is looked up at once, the outbound SA is swapped
 *                       atomically; the old inbound SA keeps working until
 *                       sa_child_remove() (RFC 7296 §2.8: until its DELETE)
 *   sa_tunnel_del()     the tunnel goes (DELETE, liveness, disconnect)
 *
 * Lookups: inbound by SPI, outbound by the client's inner address, each
 * first in a slot array indexed by the key's low bits (a mask, a load and a
 * compare; the SPIs sa_table_spi_new() hands out always land in a free
 * slot), then, for keys whose slot was taken, in an rte_hash table with
 * lock-free readers. Removed entries are freed only
 * after every worker has been quiescent (rte_rcu_qsbr defer queue, reclaimed
 * by sa_table_reclaim() on the control core). Each tunnel is owned by one
 * worker, which alone writes its sequence numbers, replay window and
 * counters; a packet that lands elsewhere is handed to the owner.
 */
#ifndef P2SGW_SA_H
#define P2SGW_SA_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>

#include "esp.h"

#define SA_TUNNELS_MAX 4096   /**< hard ceiling of the table; the SKU limit is lower */
#define SA_IN_MAX 2           /**< inbound SAs per tunnel: current and the one being rekeyed */

/* Why a decrypted or client-bound packet was dropped, per tunnel. */
#define SA_DROP_REASONS(X)                                                        \
	X(spoofed_source, "inner source is not the client's assigned address")      \
	X(not_to_vnet, "inner destination outside the VNet prefixes")               \
	X(ttl_expired, "inner TTL would reach zero")                                \
	X(too_big, "decrypted packet larger than the private port's MTU")          \
	X(frag_needed, "DF packet too big for the tunnel: ICMP sent to the sender") \
	X(frag_failed, "outer fragmentation failed (no mbufs)")                     \
	X(no_route, "no next hop on the outgoing port")                             \
	X(rate_queue_full, "over the SKU's rate and the tunnel's queue share was full")

#define SA_DROP_ENUM(name, help) SA_DROP_##name,
enum sa_drop { SA_DROP_REASONS(SA_DROP_ENUM) SA_DROP_COUNT };
#undef SA_DROP_ENUM

const char *sa_drop_name(enum sa_drop d);
const char *sa_drop_help(enum sa_drop d);

struct sa_tunnel;

/**
 * One direction of a CHILD_SA in the table: one cache line, followed by its
 * ESP SA (sa_child_esp()). An inbound child carries copies of what the
 * inbound path needs from its tunnel, so that a packet reads one line to
 * find its SA, its owner and its policy.
 */
struct sa_child {
	struct sa_tunnel *tunnel;
	uint32_t spi;
	bool inbound;
	uint16_t owner;                /**< the tunnel's owner (copy) */
	uint32_t inner_addr;           /**< the tunnel's inner address (copy) */
	int32_t hash_pos;              /**< position in the SPI hash (inbound) */
	unsigned events_seen;          /**< ESP_EVENT_* already reported (control core) */
	struct esp_sa *esp;            /**< in the same allocation, at SA_CHILD_HEAD */
};

/** Bytes from a child to its ESP SA. */
#define SA_CHILD_HEAD RTE_CACHE_LINE_SIZE

/** Per-tunnel counters of the data path, written by the owning worker. */
struct sa_tunnel_stats {
	uint64_t drops[SA_DROP_COUNT];
	/* The owner's cache of the outer next hop's MAC, valid while the
	 * neighbour table's generation is nh_gen (lib/port). */
	uint32_t nh_gen;
	uint8_t nh_valid;
	struct rte_ether_addr nh_mac;
};

/** A client tunnel. Fields above `stats` are fixed while it is in the table. */
struct sa_tunnel {
	uint32_t id;
	uint32_t inner_addr;           /**< client's assigned address, host order */
	uint32_t remote_addr;          /**< client's outer address (after NAT) */
	uint16_t remote_port;          /**< with UDP encapsulation */
	bool udp_encap;
	uint16_t owner;                /**< worker index */
	uint64_t created_tsc;
	struct sa_child *out;          /**< current outbound SA (atomic pointer) */
	struct sa_child *in[SA_IN_MAX];/**< inbound SAs, NULL where free */
	int32_t addr_pos;              /**< position in the address hash */
	struct sa_tunnel_stats stats __rte_cache_aligned;
};

/** What sa_tunnel_add() needs. */
struct sa_tunnel_params {
	uint32_t inner_addr;
	struct esp_sa_params in;       /**< SA the client sends on (our SPI) */
	struct esp_sa_params out;      /**< SA we send on (the client's SPI) */
	int owner;                     /**< worker index, or -1 to pick the least loaded */
};

struct sa_table;
struct rte_rcu_qsbr;

/**
 * Create the table for at most max_tunnels tunnels owned by n_workers
 * workers; removed entries are reclaimed after a grace period of qsbr.
 */
struct sa_table *sa_table_create(unsigned max_tunnels, unsigned n_workers,
				 struct rte_rcu_qsbr *qsbr, int socket_id);
/** Free the table and every tunnel (workers must be stopped). */
void sa_table_free(struct sa_table *t);

/**
 * Control core: add a tunnel. Keys are expanded with crypto (the control
 * core's own esp_worker). 0 and the tunnel's id in *id, or -EEXIST (SPI or
 * inner address in use), -ENOSPC (table full), -EINVAL (bad parameters,
 * with one line in err).
 */
int sa_tunnel_add(struct sa_table *t, struct esp_worker *crypto, const struct sa_tunnel_params *p,
		  uint32_t *id, char *err, size_t errlen);

/** Control core: a new CHILD_SA pair for tunnel id (see the file comment). */
int sa_tunnel_rekey(struct sa_table *t, struct esp_worker *crypto, uint32_t id,
		    const struct esp_sa_params *in, const struct esp_sa_params *out, char *err,
		    size_t errlen);

/**
 * Control core: an inbound SPI for a new CHILD_SA: non-zero, not in use, and
 * of the form the table looks up fastest. IKEv2 (and any other caller that
 * may choose) takes its SPIs from here; sa_tunnel_add() also accepts any
 * other unused SPI (manual keying). Not reserved: use it before the next call.
 */
uint32_t sa_table_spi_new(const struct sa_table *t);

/** Control core: stop accepting the inbound SA with this SPI (old CHILD_SA deleted). */
int sa_child_remove(struct sa_table *t, uint32_t spi);

/** Control core: remove tunnel id and all its SAs; -ENOENT if unknown. */
int sa_tunnel_del(struct sa_table *t, uint32_t id);

/**
 * Control core: report ESP events (ESP_EVENT_SEQ_SOFT: rekey now;
 * ESP_EVENT_SEQ_HARD: the SA can send no more) that workers raised on
 * outbound SAs since the last call, once each, through fn. Returns how many.
 */
unsigned sa_table_poll_events(struct sa_table *t,
			      void (*fn)(struct sa_tunnel *tun, struct sa_child *c, unsigned events,
					 void *arg),
			      void *arg);

/** Control core: free what workers can no longer see. Returns how many objects. */
unsigned sa_table_reclaim(struct sa_table *t);

/** Control core: the tunnel with this id, or NULL. */
struct sa_tunnel *sa_tunnel_get(const struct sa_table *t, uint32_t id);
/** Control core: call fn for each tunnel until it returns non-zero. */
void sa_table_walk(const struct sa_table *t, int (*fn)(struct sa_tunnel *tun, void *arg),
		   void *arg);
unsigned sa_table_count(const struct sa_table *t);
unsigned sa_table_capacity(const struct sa_table *t);

/** Worker: the inbound SA with this SPI, or NULL. Lock-free. */
struct sa_child *sa_lookup_spi(const struct sa_table *t, uint32_t spi);
/** Worker: the tunnel of a client address, or NULL. Lock-free. */
struct sa_tunnel *sa_lookup_addr(const struct sa_table *t, uint32_t inner_addr);

/**
 * Worker: look n (at most SA_BULK_MAX) keys up at once — SPIs for inbound
 * children, inner addresses for tunnels; misses come back NULL. One bulk
 * hash lookup prefetches for the whole burst.
 */
#define SA_BULK_MAX 64
void sa_lookup_spi_bulk(const struct sa_table *t, const uint32_t *spi, unsigned n,
			struct sa_child **out);
void sa_lookup_addr_bulk(const struct sa_table *t, const uint32_t *addr, unsigned n,
			 struct sa_tunnel **out);

/** Worker: the tunnel's current outbound SA. */
static inline struct sa_child *
sa_tunnel_out(const struct sa_tunnel *tun)
{
	return __atomic_load_n(&tun->out, __ATOMIC_ACQUIRE);
}

/** The ESP SA of child c (c->esp), found without reading c. */
static inline struct esp_sa *
sa_child_esp(const struct sa_child *c)
{
	return (struct esp_sa *)((uintptr_t)c + SA_CHILD_HEAD);
}

#endif
