/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel table. Workers find an inbound child by SPI and a tunnel by
 * inner address first in a direct-indexed slot array — the key's low bits
 * are the index, and the object found must carry the key itself, so a
 * lookup is a mask, a load and a compare (as VPP does with SPIs it hands
 * out). SPIs from sa_table_spi_new() are made to land in a free slot; a key
 * whose slot is taken (a manual SPI, an address that aliases another) spills
 * to an rte_hash table with lock-free readers, which also holds every key
 * for the control core's own checks. The control core is the only writer.
 * A removed object stays readable until every worker has passed a
 * quiescent state: it goes on an rte_rcu_qsbr defer queue together with its
 * hash key position, and both are released by sa_table_reclaim().
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_random.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "sa.h"

#define DROP_NAME(name, help) #name,
#define DROP_HELP(name, help) help,
static const char *const drop_names[] = { SA_DROP_REASONS(DROP_NAME) };
static const char *const drop_helps[] = { SA_DROP_REASONS(DROP_HELP) };

const char *
sa_drop_name(enum sa_drop d)
{
	return d < SA_DROP_COUNT ? drop_names[d] : "?";
}

const char *
sa_drop_help(enum sa_drop d)
{
	return d < SA_DROP_COUNT ? drop_helps[d] : "?";
}

/* What waits for a grace period: an object and the hash slot that named it. */
struct garbage {
	void *obj;
	struct rte_hash *hash;         /**< NULL if no key position to free */
	int32_t pos;
	uint32_t is_child;
};

/*
 * One key space (SPIs or inner addresses): slot[key & mask] holds an object
 * with that key when it was free at insertion; every key is also in hash.
 * spilled counts the keys found only in hash: workers skip the hash while
 * it is 0.
 */
struct sa_index {
	void **slot;
	uint32_t mask;
	uint32_t spilled;
	struct rte_hash *hash;
};

struct sa_table {
	struct sa_index spi;           /**< inbound children by SPI */
	struct sa_index addr;          /**< tunnels by inner address */
	struct rte_rcu_qsbr_dq *dq;
	struct sa_tunnel **tunnels;    /**< by id - 1; control core only */
	unsigned max;
	unsigned count;
	unsigned n_workers;
	unsigned *owned;               /**< tunnels per worker */
	uint32_t next_id;
	int socket;
};

static void
garbage_free(void *p, void *e, unsigned n)
{
	struct garbage *g = e;
	unsigned i;

	(void)p;
	for (i = 0; i < n; i++) {
		if (g[i].hash != NULL)
			rte_hash_free_key_with_position(g[i].hash, g[i].pos);
		if (g[i].is_child)
			esp_sa_clear(((struct sa_child *)g[i].obj)->esp);
		rte_free(g[i].obj);
	}
}

/* A key space for at most keys keys: 0 or -ENOMEM. */
static int
index_init(struct sa_index *x, const char *what, unsigned keys, int socket)
{
	static unsigned instance;
	struct rte_hash_parameters hp = { 0 };
	char name[RTE_HASH_NAMESIZE];
	/* At most half full, so that a random SPI finds a free slot at the
	 * first or second try and pool addresses rarely alias. */
	uint32_t slots = rte_align32pow2(2 * keys);

	snprintf(name, sizeof(name), "sa_%s%u", what, instance++);
	hp.name = name;
	hp.entries = keys;
	hp.key_len = sizeof(uint32_t);
	hp.socket_id = socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	x->hash = rte_hash_create(&hp);
	x->slot = rte_zmalloc_socket(name, sizeof(x->slot[0]) * slots, RTE_CACHE_LINE_SIZE, socket);
	x->mask = slots - 1;
	return x->hash != NULL && x->slot != NULL ? 0 : -ENOMEM;
}

static void
index_free(struct sa_index *x)
{
	rte_hash_free(x->hash);
	rte_free(x->slot);
}

/*
 * Add obj under key (not present): into the hash, and into its slot if the
 * slot is free. The position of the key in the hash in *pos; 0 or -ENOSPC.
 * obj is complete before a worker can find it (release store; rte_hash's
 * lock-free mode orders its own).
 */
static int
index_add(struct sa_index *x, uint32_t key, void *obj, int32_t *pos)
{
	void **slot = &x->slot[key & x->mask];

	if (rte_hash_add_key_data(x->hash, &key, obj) != 0)
		return -ENOSPC;
	*pos = rte_hash_lookup(x->hash, &key);
	if (*slot == NULL)
		__atomic_store_n(slot, obj, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&x->spilled, x->spilled + 1, __ATOMIC_RELAXED);
	return 0;
}

/* Take obj (present under key) out; its hash position is freed by retire(). */
static void
index_del(struct sa_index *x, uint32_t key, const void *obj)
{
	void **slot = &x->slot[key & x->mask];

	rte_hash_del_key(x->hash, &key);
	if (*slot == obj)
		__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&x->spilled, x->spilled - 1, __ATOMIC_RELAXED);
}

/* Control core: the object with this key, or NULL. */
static void *
index_find(const struct sa_index *x, uint32_t key)
{
	void *data;

	return rte_hash_lookup_data(x->hash, &key, &data) < 0 ? NULL : data;
}

/*
 * Worker: n keys at once; the 32-bit key of an object is at key_off in it.
 * A slot counts only if its object has the key (a slot may hold another
 * key with the same low bits, or an object just removed and not yet
 * reclaimed — still readable); what is not found there is looked up in the
 * hash, in one bulk call, if any key lives only there.
 */
static inline void
index_lookup_bulk(const struct sa_index *x, const uint32_t *keys, unsigned n, void **out,
		  size_t key_off)
{
	const void *kp[SA_BULK_MAX];
	void *found[SA_BULK_MAX];
	uint8_t miss[SA_BULK_MAX];
	uint64_t hits = 0;
	unsigned i, nm = 0;

	for (i = 0; i < n; i++) {
		void *o = __atomic_load_n(&x->slot[keys[i] & x->mask], __ATOMIC_ACQUIRE);

		if (likely(o != NULL && *(const uint32_t *)((const uint8_t *)o + key_off) == keys[i])) {
			out[i] = o;
			continue;
		}
		out[i] = NULL;
		miss[nm] = (uint8_t)i;
		kp[nm++] = &keys[i];
	}
	if (likely(nm == 0) || __atomic_load_n(&x->spilled, __ATOMIC_RELAXED) == 0)
		return;
	if (rte_hash_lookup_bulk_data(x->hash, kp, nm, &hits, found) < 0)
		return;
	for (i = 0; i < nm; i++)
		if (hits & (1ull << i))
			out[miss[i]] = found[i];
}

struct sa_table *
sa_table_create(unsigned max_tunnels, unsigned n_workers, struct rte_rcu_qsbr *qsbr,
		int socket)
{
	static unsigned instance;
	struct rte_rcu_qsbr_dq_parameters dqp = { 0 };
	struct sa_table *t;
	char name[32];
	int rc;

	if (max_tunnels == 0 || max_tunnels > SA_TUNNELS_MAX || n_workers == 0)
		return NULL;
	t = rte_zmalloc_socket("sa_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	t->max = max_tunnels;
	t->n_workers = n_workers;
	t->socket = socket;
	t->tunnels = rte_zmalloc_socket("sa_tunnels", sizeof(*t->tunnels) * max_tunnels, 0, socket);
	t->owned = rte_zmalloc_socket("sa_owned", sizeof(*t->owned) * n_workers, 0, socket);
	/* Room for a rekey in progress on every tunnel, twice over. */
	rc = index_init(&t->spi, "spi", 2 * SA_IN_MAX * max_tunnels, socket);
	rc |= index_init(&t->addr, "addr", 2 * max_tunnels, socket);
	snprintf(name, sizeof(name), "sa_dq%u", instance++);
	dqp.name = name;
	dqp.size = 8 * max_tunnels + 64;
	dqp.esize = sizeof(struct garbage);
	dqp.trigger_reclaim_limit = 1;
	dqp.max_reclaim_size = dqp.size;
	dqp.free_fn = garbage_free;
	dqp.p = t;
	dqp.v = qsbr;
	t->dq = rte_rcu_qsbr_dq_create(&dqp);
	if (t->tunnels == NULL || t->owned == NULL || rc != 0 || t->dq == NULL) {
		sa_table_free(t);
		return NULL;
	}
	return t;
}

static void
retire(struct sa_table *t, void *obj, struct rte_hash *h, int32_t pos, bool is_child)
{
	struct garbage g = { .obj = obj, .hash = h, .pos = pos, .is_child = is_child };

	/* The queue is sized for every object the table can hold; if it is
	 * ever full, wait for the grace period here rather than leak. */
	while (rte_rcu_qsbr_dq_enqueue(t->dq, &g) != 0)
		rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, NULL, NULL, NULL);
}

void
sa_table_free(struct sa_table *t)
{
	unsigned i;

	if (t == NULL)
		return;
	for (i = 0; t->tunnels && i < t->max; i++)
		if (t->tunnels[i] != NULL)
			sa_tunnel_del(t, t->tunnels[i]->id);
	if (t->dq != NULL)
		rte_rcu_qsbr_dq_delete(t->dq); /* reclaims everything; workers are stopped */
	index_free(&t->spi);
	index_free(&t->addr);
	rte_free(t->tunnels);
	rte_free(t->owned);
	rte_free(t);
}

static_assert(sizeof(struct sa_child) <= SA_CHILD_HEAD, "a child fits in its head room");

/* A child of tun, with its SA. */
static struct sa_child *
child_new(struct sa_table *t, struct esp_worker *crypto, const struct esp_sa_params *p,
	  struct sa_tunnel *tun, bool inbound, char *err, size_t errlen)
{
	struct sa_child *c;

	c = rte_zmalloc_socket("sa_child", SA_CHILD_HEAD + esp_sa_size(), RTE_CACHE_LINE_SIZE,
			       t->socket);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory for an SA");
		return NULL;
	}
	c->esp = sa_child_esp(c);
	c->spi = p->spi;
	c->inbound = inbound;
	c->tunnel = tun;
	c->owner = tun->owner;
	c->inner_addr = tun->inner_addr;
	c->hash_pos = -1;
	if (esp_sa_init(c->esp, crypto, p, err, errlen) != 0) {
		rte_free(c);
		return NULL;
	}
	return c;
}

static void
child_free_now(struct sa_child *c)
{
	if (c != NULL) {
		esp_sa_clear(c->esp);
		rte_free(c);
	}
}

/* Make inbound child c findable by its SPI. */
static int
child_publish(struct sa_table *t, struct sa_child *c, char *err, size_t errlen)
{
	if (c->spi == 0 || index_find(&t->spi, c->spi) != NULL) {
		snprintf(err, errlen, "inbound SPI 0x%08x is zero or already in use", c->spi);
		return -EEXIST;
	}
	if (index_add(&t->spi, c->spi, c, &c->hash_pos) != 0) {
		snprintf(err, errlen, "SPI table full");
		return -ENOSPC;
	}
	return 0;
}

static uint16_t
pick_owner(const struct sa_table *t, int wanted)
{
	unsigned w, best = 0;

	if (wanted >= 0 && (unsigned)wanted < t->n_workers)
		return wanted;
	for (w = 1; w < t->n_workers; w++)
		if (t->owned[w] < t->owned[best])
			best = w;
	return best;
}

static int
free_slot(const struct sa_table *t)
{
	unsigned i;

	for (i = 0; i < t->max; i++)
		if (t->tunnels[i] == NULL)
			return i;
	return -1;
}

int
sa_tunnel_add(struct sa_table *t, struct esp_worker *crypto, const struct sa_tunnel_params *p,
	      uint32_t *id, char *err, size_t errlen)
{
	struct sa_tunnel *tun;
	struct sa_child *in = NULL, *out = NULL;
	int slot = free_slot(t), rc = -EINVAL;

	if (slot < 0) {
		snprintf(err, errlen, "tunnel table full (%u tunnels)", t->max);
		return -ENOSPC;
	}
	if (index_find(&t->addr, p->inner_addr) != NULL) {
		snprintf(err, errlen, "inner address already has a tunnel");
		return -EEXIST;
	}
	tun = rte_zmalloc_socket("sa_tunnel", sizeof(*tun), RTE_CACHE_LINE_SIZE, t->socket);
	if (tun == NULL) {
		snprintf(err, errlen, "out of memory for a tunnel");
		return -ENOMEM;
	}
	tun->id = slot + 1;
	tun->inner_addr = p->inner_addr;
	tun->remote_addr = p->out.remote_addr;
	tun->remote_port = p->out.remote_port;
	tun->udp_encap = p->out.udp_encap;
	tun->owner = pick_owner(t, p->owner);
	tun->created_tsc = rte_rdtsc();
	in = child_new(t, crypto, &p->in, tun, true, err, errlen);
	if (in == NULL)
		goto fail;
	out = child_new(t, crypto, &p->out, tun, false, err, errlen);
	if (out == NULL)
		goto fail;
	tun->in[0] = in;
	tun->out = out;
	/* Publish last: the tunnel is complete before a worker can find it. */
	rc = child_publish(t, in, err, errlen);
	if (rc != 0)
		goto fail;
	if (index_add(&t->addr, p->inner_addr, tun, &tun->addr_pos) != 0) {
		index_del(&t->spi, in->spi, in);
		retire(t, in, t->spi.hash, in->hash_pos, true);
		in = NULL;
		snprintf(err, errlen, "address table full");
		rc = -ENOSPC;
		goto fail;
	}
	t->tunnels[slot] = tun;
	t->owned[tun->owner]++;
	t->count++;
	*id = tun->id;
	return 0;
fail:
	child_free_now(in);
	child_free_now(out);
	rte_free(tun);
	return rc;
}

/*
 * Random, and in a free slot of the SPI index (at least half of them are
 * free), so that workers find it without the hash. SPIs below 256 are
 * reserved by IANA (RFC 4303 §2.1).
 */
uint32_t
sa_table_spi_new(const struct sa_table *t)
{
	unsigned tries = 0;
	uint32_t spi;

	do
		spi = (uint32_t)rte_rand();
	while (spi < 256 || (t->spi.slot[spi & t->spi.mask] != NULL && ++tries < 64) ||
	       index_find(&t->spi, spi) != NULL);
	return spi;
}

struct sa_tunnel *
sa_tunnel_get(const struct sa_table *t, uint32_t id)
{
	return id >= 1 && id <= t->max ? t->tunnels[id - 1] : NULL;
}

int
sa_tunnel_rekey(struct sa_table *t, struct esp_worker *crypto, uint32_t id,
		const struct esp_sa_params *inp, const struct esp_sa_params *outp, char *err,
		size_t errlen)
{
	struct sa_tunnel *tun = sa_tunnel_get(t, id);
	struct sa_child *in, *out, *old_out;
	int slot, rc;

	if (tun == NULL) {
		snprintf(err, errlen, "no tunnel %u", id);
		return -ENOENT;
	}
	for (slot = 0; slot < SA_IN_MAX && tun->in[slot] != NULL; slot++)
		;
	if (slot == SA_IN_MAX) {
		snprintf(err, errlen, "tunnel %u already has %d inbound SAs; remove the old one first",
			 id, SA_IN_MAX);
		return -EBUSY;
	}
	in = child_new(t, crypto, inp, tun, true, err, errlen);
	out = in ? child_new(t, crypto, outp, tun, false, err, errlen) : NULL;
	if (in == NULL || out == NULL) {
		child_free_now(in);
		return -EINVAL;
	}
	rc = child_publish(t, in, err, errlen);
	if (rc != 0) {
		child_free_now(in);
		child_free_now(out);
		return rc;
	}
	tun->in[slot] = in;
	old_out = tun->out;
	__atomic_store_n(&tun->out, out, __ATOMIC_RELEASE);
	retire(t, old_out, NULL, 0, true);
	return 0;
}

int
sa_child_remove(struct sa_table *t, uint32_t spi)
{
	struct sa_child *c = index_find(&t->spi, spi);
	struct sa_tunnel *tun;
	unsigned i;

	if (c == NULL)
		return -ENOENT;
	tun = c->tunnel;
	for (i = 0; i < SA_IN_MAX; i++)
		if (tun->in[i] == c)
			tun->in[i] = NULL;
	index_del(&t->spi, spi, c);
	retire(t, c, t->spi.hash, c->hash_pos, true);
	return 0;
}

int
sa_tunnel_del(struct sa_table *t, uint32_t id)
{
	struct sa_tunnel *tun = sa_tunnel_get(t, id);
	unsigned i;

	if (tun == NULL)
		return -ENOENT;
	index_del(&t->addr, tun->inner_addr, tun);
	for (i = 0; i < SA_IN_MAX; i++) {
		struct sa_child *c = tun->in[i];

		if (c == NULL)
			continue;
		index_del(&t->spi, c->spi, c);
		retire(t, c, t->spi.hash, c->hash_pos, true);
	}
	retire(t, tun->out, NULL, 0, true);
	retire(t, tun, t->addr.hash, tun->addr_pos, false);
	t->tunnels[id - 1] = NULL;
	t->owned[tun->owner]--;
	t->count--;
	return 0;
}

unsigned
sa_table_poll_events(struct sa_table *t,
		     void (*fn)(struct sa_tunnel *tun, struct sa_child *c, unsigned events, void *arg),
		     void *arg)
{
	unsigned i, n = 0;

	for (i = 0; i < t->max; i++) {
		struct sa_tunnel *tun = t->tunnels[i];
		struct sa_child *c = tun ? tun->out : NULL;
		unsigned ev;

		if (c == NULL)
			continue;
		ev = esp_sa_events(c->esp) & ~c->events_seen;
		if (ev == 0)
			continue;
		c->events_seen |= ev;
		fn(tun, c, ev, arg);
		n++;
	}
	return n;
}

unsigned
sa_table_reclaim(struct sa_table *t)
{
	unsigned freed = 0;

	rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, &freed, NULL, NULL);
	return freed;
}

void
sa_table_walk(const struct sa_table *t, int (*fn)(struct sa_tunnel *tun, void *arg), void *arg)
{
	unsigned i;

	for (i = 0; i < t->max; i++)
		if (t->tunnels[i] != NULL && fn(t->tunnels[i], arg) != 0)
			return;
}

unsigned
sa_table_count(const struct sa_table *t)
{
	return t->count;
}

unsigned
sa_table_capacity(const struct sa_table *t)
{
	return t->max;
}

struct sa_child *
sa_lookup_spi(const struct sa_table *t, uint32_t spi)
{
	struct sa_child *c;

	sa_lookup_spi_bulk(t, &spi, 1, &c);
	return c;
}

struct sa_tunnel *
sa_lookup_addr(const struct sa_table *t, uint32_t addr)
{
	struct sa_tunnel *tun;

	sa_lookup_addr_bulk(t, &addr, 1, &tun);
	return tun;
}

void
sa_lookup_spi_bulk(const struct sa_table *t, const uint32_t *spi, unsigned n,
		   struct sa_child **out)
{
	index_lookup_bulk(&t->spi, spi, RTE_MIN(n, (unsigned)SA_BULK_MAX), (void **)out,
			  offsetof(struct sa_child, spi));
}

void
sa_lookup_addr_bulk(const struct sa_table *t, const uint32_t *addr, unsigned n,
		    struct sa_tunnel **out)
{
	index_lookup_bulk(&t->addr, addr, RTE_MIN(n, (unsigned)SA_BULK_MAX), (void **)out,
			  offsetof(struct sa_tunnel, inner_addr));
}
