/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table: rte_hash (lock-free readers, one writer) from
 * (port, IPv4) to an entry whose MAC workers load atomically. Entries retire
 * through the hash's RCU defer queue, so a slot is reused only after every
 * worker has been quiescent. States follow a reduced RFC 4861-style machine
 * (incomplete, reachable, stale) with ARP probes, as Linux does for IPv4.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "l2l3.h"
#include "neigh.h"

#define MAC_VALID (1ull << 48)

struct neigh_entry {
	uint64_t mac_bits;             /**< MAC in the low 48 bits | MAC_VALID; atomic */
	uint32_t ip;
	uint8_t port;
	uint8_t state;
	uint8_t probes;
	uint8_t n_pending;
	uint8_t in_use;
	uint64_t confirmed_tsc;        /**< last answer (or creation) */
	uint64_t next_tsc;             /**< next probe or expiry check */
	struct rte_mbuf *pending[NEIGH_PENDING_MAX];
	struct neigh_entry *next_free;
};

struct neigh_table {
	struct rte_hash *hash;
	struct neigh_entry *entries;   /**< 2 * max: retired slots wait out a grace period */
	struct neigh_entry *free_list;
	unsigned n_entries;
	unsigned max;
	unsigned used;
	uint32_t generation;           /**< bumped when a resolved MAC changes or goes */
	uint64_t timeout_tsc;
	uint64_t probe_tsc;
};

static inline uint64_t
neigh_key(enum port_index port, uint32_t ip)
{
	return (uint64_t)port << 32 | ip;
}

static uint64_t
mac_pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v | MAC_VALID;
}

static void
mac_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
}

/* RCU reclaim callback: the slot is no longer visible to any worker. */
static void
entry_reclaim(void *p, void *key_data)
{
	struct neigh_table *t = p;
	struct neigh_entry *e = key_data;

	e->next_free = t->free_list;
	t->free_list = e;
}

struct neigh_table *
neigh_create(unsigned max, unsigned timeout_s, struct rte_rcu_qsbr *qsbr, int socket_id)
{
	static unsigned instance;
	struct rte_hash_rcu_config rcu = { 0 };
	struct rte_hash_parameters hp = { 0 };
	struct neigh_table *t;
	char name[RTE_HASH_NAMESIZE];
	unsigned i;

	t = rte_zmalloc_socket("neigh", sizeof(*t), RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL)
		return NULL;
	t->max = max;
	t->n_entries = 2 * max;
	t->timeout_tsc = (uint64_t)timeout_s * rte_get_tsc_hz();
	t->probe_tsc = rte_get_tsc_hz() / 1000 * NEIGH_PROBE_MS;
	t->entries = rte_zmalloc_socket("neigh_entries", sizeof(*t->entries) * t->n_entries,
					RTE_CACHE_LINE_SIZE, socket_id);
	if (t->entries == NULL)
		goto fail;
	for (i = t->n_entries; i-- > 0;)
		entry_reclaim(t, &t->entries[i]);

	snprintf(name, sizeof(name), "neigh%u", instance++);
	hp.name = name;
	hp.entries = t->n_entries;
	hp.key_len = sizeof(uint64_t);
	hp.socket_id = socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto fail;
	rcu.v = qsbr;
	rcu.mode = RTE_HASH_QSBR_MODE_DQ;
	rcu.trigger_reclaim_limit = 1;
	rcu.key_data_ptr = t;
	rcu.free_key_data_func = entry_reclaim;
	if (rte_hash_rcu_qsbr_add(t->hash, &rcu) != 0)
		goto fail;
	return t;
fail:
	neigh_free(t);
	return NULL;
}

void
neigh_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	neigh_flush(t);
	rte_hash_free(t->hash);
	rte_free(t->entries);
	rte_free(t);
}

bool
neigh_lookup(const struct neigh_table *t, enum port_index port, uint32_t ip,
	     struct rte_ether_addr *mac)
{
	uint64_t key = neigh_key(port, ip);
	void *data;
	uint64_t v;

	if (rte_hash_lookup_data(t->hash, &key, &data) < 0)
		return false;
	v = __atomic_load_n(&((struct neigh_entry *)data)->mac_bits, __ATOMIC_ACQUIRE);
	if (!(v & MAC_VALID))
		return false;
	mac_unpack(v, mac);
	return true;
}

static struct neigh_entry *
entry_find(const struct neigh_table *t, enum port_index port, uint32_t ip)
{
	uint64_t key = neigh_key(port, ip);
	void *data;

	return rte_hash_lookup_data(t->hash, &key, &data) < 0 ? NULL : data;
}

static void
bump_generation(struct neigh_table *t)
{
	__atomic_store_n(&t->generation, t->generation + 1, __ATOMIC_RELEASE);
}

uint32_t
neigh_generation(const struct neigh_table *t)
{
	return __atomic_load_n(&t->generation, __ATOMIC_ACQUIRE);
}

static void
entry_remove(struct neigh_table *t, struct neigh_entry *e)
{
	uint64_t key = neigh_key(e->port, e->ip);

	__atomic_store_n(&e->mac_bits, 0, __ATOMIC_RELEASE);
	bump_generation(t);
	e->in_use = 0;
	t->used--;
	/* The slot comes back through entry_reclaim() after a grace period. */
	rte_hash_del_key(t->hash, &key);
}

/* Make room by evicting the resolved entry confirmed longest ago. */
static bool
evict_oldest(struct neigh_table *t)
{
	struct neigh_entry *old = NULL;
	unsigned i;

	for (i = 0; i < t->n_entries; i++) {
		struct neigh_entry *e = &t->entries[i];

		if (e->in_use && e->state != NEIGH_INCOMPLETE &&
		    (old == NULL || e->confirmed_tsc < old->confirmed_tsc))
			old = e;
	}
	if (old == NULL)
		return false;
	entry_remove(t, old);
	return true;
}

static struct neigh_entry *
entry_add(struct neigh_table *t, enum port_index port, uint32_t ip, uint64_t now)
{
	uint64_t key = neigh_key(port, ip);
	struct neigh_entry *e;

	if (t->used >= t->max && !evict_oldest(t))
		return NULL;
	e = t->free_list;
	if (e == NULL)
		return NULL;
	/* Pop before adding: the add may reclaim retired slots onto the list. */
	t->free_list = e->next_free;
	memset(e, 0, sizeof(*e));
	e->ip = ip;
	e->port = port;
	e->state = NEIGH_INCOMPLETE;
	e->confirmed_tsc = now;
	e->next_tsc = now;
	if (rte_hash_add_key_data(t->hash, &key, e) != 0) {
		entry_reclaim(t, e);
		return NULL;
	}
	e->in_use = 1;
	t->used++;
	return e;
}

static void
send_probe(struct dp *dp, struct neigh_entry *e)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mbufs);
	uint8_t *frame;

	if (m == NULL)
		return;
	frame = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (frame == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, 64 - l2l3_arp_request(&dp->ports[e->port], e->ip, frame));
	dp_ctl_tx(dp, e->port, m);
}

/* Fill in the Ethernet addresses and send. */
static void
send_to(struct dp *dp, enum port_index port, const struct rte_ether_addr *mac,
	struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = *mac;
	eth->src_addr = dp->ports[port].mac;
	dp_ctl_tx(dp, port, m);
}

static void
confirm(struct neigh_table *t, struct dp *dp, struct neigh_entry *e,
	const struct rte_ether_addr *mac, uint64_t now)
{
	uint64_t bits = mac_pack(mac);
	unsigned i;

	if (e->mac_bits != bits) {
		__atomic_store_n(&e->mac_bits, bits, __ATOMIC_RELEASE);
		bump_generation(t);
	}
	e->state = NEIGH_REACHABLE;
	e->probes = 0;
	e->confirmed_tsc = now;
	e->next_tsc = now + t->timeout_tsc;
	for (i = 0; i < e->n_pending; i++)
		send_to(dp, e->port, mac, e->pending[i]);
	e->n_pending = 0;
}

void
neigh_learn(struct neigh_table *t, struct dp *dp, const struct port_learn *l, uint64_t now)
{
	struct neigh_entry *e;

	if (l->port >= PORT_COUNT)
		return;
	e = entry_find(t, l->port, l->ip);
	if (e == NULL && l->solicited)
		e = entry_add(t, l->port, l->ip, now);
	if (e != NULL)
		confirm(t, dp, e, &l->mac, now);
}

static void
drop_ctl(struct dp *dp, enum port_index port, enum port_drop why, struct rte_mbuf *m)
{
	dp->ctl_ctr[port].drops[why]++;
	rte_pktmbuf_free(m);
}

void
neigh_resolve(struct neigh_table *t, struct dp *dp, struct rte_mbuf *m, uint64_t now)
{
	struct port_meta *meta = port_meta(m);
	enum port_index port = meta->port < PORT_COUNT ? meta->port : PORT_PUBLIC;
	struct neigh_entry *e = entry_find(t, port, meta->next_hop);
	struct rte_ether_addr mac;

	if (e == NULL) {
		e = entry_add(t, port, meta->next_hop, now);
		if (e == NULL)
			return drop_ctl(dp, port, PORT_DROP_neigh_table_full, m);
		/* Ask at once; the timers repeat the question. */
		send_probe(dp, e);
		e->probes = 1;
		e->next_tsc = now + t->probe_tsc;
	}
	if (e->state != NEIGH_INCOMPLETE) {
		mac_unpack(e->mac_bits, &mac);
		return send_to(dp, port, &mac, m);
	}
	if (e->n_pending >= NEIGH_PENDING_MAX)
		return drop_ctl(dp, port, PORT_DROP_neigh_queue_full, m);
	e->pending[e->n_pending++] = m;
}

/* One entry's timer: probe, give up, or let it go stale. Returns 1 if it acted. */
static int
entry_timer(struct neigh_table *t, struct dp *dp, struct neigh_entry *e, uint64_t now)
{
	unsigned i;

	if (now < e->next_tsc)
		return 0;
	if (e->state == NEIGH_REACHABLE) {
		/* Still usable while we ask again. */
		e->state = NEIGH_STALE;
		e->probes = 0;
	}
	if (e->probes >= NEIGH_PROBES) {
		for (i = 0; i < e->n_pending; i++)
			drop_ctl(dp, e->port, PORT_DROP_neigh_failed, e->pending[i]);
		e->n_pending = 0;
		entry_remove(t, e);
		return 1;
	}
	send_probe(dp, e);
	e->probes++;
	e->next_tsc = now + t->probe_tsc;
	return 1;
}

unsigned
neigh_timers(struct neigh_table *t, struct dp *dp, uint64_t now)
{
	unsigned i, acted = 0;

	for (i = 0; i < t->n_entries; i++)
		if (t->entries[i].in_use)
			acted += entry_timer(t, dp, &t->entries[i], now);
	return acted;
}

void
neigh_flush(struct neigh_table *t)
{
	unsigned i, j;

	for (i = 0; i < t->n_entries; i++) {
		struct neigh_entry *e = &t->entries[i];

		for (j = 0; j < e->n_pending; j++)
			rte_pktmbuf_free(e->pending[j]);
		e->n_pending = 0;
	}
}

void
neigh_walk(const struct neigh_table *t, uint64_t now,
	   int (*fn)(const struct neigh_info *n, void *arg), void *arg)
{
	uint64_t ms = rte_get_tsc_hz() / 1000;
	struct neigh_info n;
	unsigned i;

	for (i = 0; i < t->n_entries; i++) {
		const struct neigh_entry *e = &t->entries[i];

		if (!e->in_use)
			continue;
		memset(&n, 0, sizeof(n));
		n.port = e->port;
		n.ip = e->ip;
		if (e->mac_bits & MAC_VALID)
			mac_unpack(e->mac_bits, &n.mac);
		n.state = e->state;
		n.age_ms = (now - e->confirmed_tsc) / ms;
		n.probes = e->probes;
		n.pending = e->n_pending;
		if (fn(&n, arg) != 0)
			return;
	}
}

unsigned
neigh_count(const struct neigh_table *t)
{
	return t->used;
}

unsigned
neigh_capacity(const struct neigh_table *t)
{
	return t->max;
}

const char *
neigh_state_name(enum neigh_state s)
{
	switch (s) {
	case NEIGH_INCOMPLETE:
		return "incomplete";
	case NEIGH_REACHABLE:
		return "reachable";
	case NEIGH_STALE:
		return "stale";
	}
	return "?";
}
