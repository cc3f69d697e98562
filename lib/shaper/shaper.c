/* SPDX-License-Identifier: BSD-3-Clause */
/* The shaper's arithmetic: see shaper.h for what and why. */
#include <errno.h>
#include <string.h>

#include "shaper.h"

#define NONE UINT32_MAX
#define QMASK (SHAPER_QUEUE_MAX - 1)

/* ---- the shared bucket (GCRA, virtual scheduling) ---- */

static uint64_t
cycles_per_kbyte(uint64_t rate_bps, uint64_t hz)
{
	/* 1024 bytes = 8192 bits take 8192 * hz / rate cycles; rounded up so the
	 * rate is never exceeded. */
	if (rate_bps == 0)
		return 0;
	return (uint64_t)(((unsigned __int128)8192 * hz + rate_bps - 1) / rate_bps);
}

void
shaper_bucket_init(struct shaper_bucket *b, uint64_t rate_bps, uint32_t burst_us, uint64_t hz)
{
	memset(b, 0, sizeof(*b));
	b->hz = hz;
	shaper_bucket_set_rate(b, rate_bps, burst_us);
}

void
shaper_bucket_set_rate(struct shaper_bucket *b, uint64_t rate_bps, uint32_t burst_us)
{
	__atomic_store_n(&b->burst_cycles, b->hz / 1000000 * burst_us, __ATOMIC_RELAXED);
	__atomic_store_n(&b->cycles_per_kbyte, cycles_per_kbyte(rate_bps, b->hz),
			 __ATOMIC_RELEASE);
}

bool
shaper_bucket_unlimited(const struct shaper_bucket *b)
{
	return __atomic_load_n(&b->cycles_per_kbyte, __ATOMIC_ACQUIRE) == 0;
}

uint32_t
shaper_bucket_take(struct shaper_bucket *b, uint32_t want, uint64_t now)
{
	uint64_t cpk = __atomic_load_n(&b->cycles_per_kbyte, __ATOMIC_ACQUIRE);
	uint64_t burst = __atomic_load_n(&b->burst_cycles, __ATOMIC_RELAXED);
	uint64_t tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED), start, room, grant, cost;

	if (cpk == 0)
		return want;
	do {
		/* Idle time earns credit up to the burst, never more. */
		start = tat > now ? tat : now;
		if (start >= now + burst)
			return 0;
		room = now + burst - start;
		grant = room * 1024 / cpk;
		if (grant > want)
			grant = want;
		if (grant == 0)
			return 0;
		cost = (grant * cpk + 1023) / 1024;
	} while (!__atomic_compare_exchange_n(&b->tat, &tat, start + cost, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return (uint32_t)grant;
}

void
shaper_bucket_refund(struct shaper_bucket *b, uint32_t bytes)
{
	uint64_t cpk = __atomic_load_n(&b->cycles_per_kbyte, __ATOMIC_ACQUIRE);

	/* Rounded down: a refund never gives back more than was taken. */
	if (cpk != 0 && bytes != 0)
		__atomic_fetch_sub(&b->tat, (uint64_t)bytes * cpk / 1024, __ATOMIC_RELAXED);
}

/* ---- deficit round robin over one worker's tunnels ---- */

void
shaper_drr_init(struct shaper_drr *d, struct shaper_queue *q, uint32_t n, uint32_t quantum,
		uint32_t limit)
{
	memset(d, 0, sizeof(*d));
	d->q = q;
	d->n = n;
	d->quantum = quantum;
	d->limit = limit;
	d->first = d->last = NONE;
}

static void
activate(struct shaper_drr *d, uint32_t i)
{
	struct shaper_queue *q = &d->q[i];

	q->active = true;
	q->next = NONE;
	if (d->last == NONE)
		d->first = i;
	else
		d->q[d->last].next = i;
	d->last = i;
	d->active++;
}

int
shaper_drr_enqueue(struct shaper_drr *d, uint32_t i, void *pkt, uint16_t len)
{
	struct shaper_queue *q = &d->q[i];
	uint32_t share = d->limit / (d->active + !q->active);

	if (share < SHAPER_QUEUE_MIN)
		share = SHAPER_QUEUE_MIN;
	if (share > SHAPER_QUEUE_MAX)
		share = SHAPER_QUEUE_MAX;
	if (q->tail - q->head >= share) {
		q->drops++;
		return -ENOBUFS;
	}
	q->len[q->tail & QMASK] = len;
	q->pkt[q->tail & QMASK] = pkt;
	q->tail++;
	q->bytes += len;
	d->packets++;
	d->bytes += len;
	if (!q->active) {
		q->deficit = 0;
		activate(d, i);
	}
	return 0;
}

/* The head queue leaves the active list; it goes to the tail again if it still has packets. */
static void
rotate(struct shaper_drr *d)
{
	uint32_t i = d->first;
	struct shaper_queue *q = &d->q[i];

	d->first = q->next;
	if (d->first == NONE)
		d->last = NONE;
	d->active--;
	q->active = false;
	if (q->tail != q->head)
		activate(d, i);
	else
		q->deficit = 0;
}

uint32_t
shaper_drr_dequeue(struct shaper_drr *d, uint32_t budget, void **pkts, uint32_t *which,
		   uint32_t max, uint32_t *used)
{
	uint32_t n = 0, bytes = 0;

	while (d->first != NONE && n < max) {
		uint32_t i = d->first;
		struct shaper_queue *q = &d->q[i];

		/* A queue's turn starts with one quantum more; a turn cut short by the
		 * budget or max goes on at the next call, without another quantum. */
		if (!d->in_turn) {
			q->deficit += (int32_t)d->quantum;
			d->in_turn = true;
		}
		while (q->tail != q->head && n < max) {
			uint16_t len = q->len[q->head & QMASK];

			if (len > (uint32_t)q->deficit)
				break;
			if (bytes + len > budget)
				goto out;
			pkts[n] = q->pkt[q->head & QMASK];
			if (which != NULL)
				which[n] = i;
			n++;
			bytes += len;
			q->deficit -= len;
			q->bytes -= len;
			q->head++;
		}
		if (n >= max && q->tail != q->head &&
		    q->len[q->head & QMASK] <= (uint32_t)q->deficit)
			break; /* the turn goes on next time */
		d->in_turn = false;
		rotate(d);
	}
out:
	d->packets -= n;
	d->bytes -= bytes;
	*used = bytes;
	return n;
}

uint32_t
shaper_drr_flush(struct shaper_drr *d, void (*free_pkt)(void *arg, void *pkt), void *arg)
{
	uint32_t i, n = 0;

	for (i = 0; i < d->n; i++) {
		struct shaper_queue *q = &d->q[i];

		for (; q->head != q->tail; q->head++, n++)
			free_pkt(arg, q->pkt[q->head & QMASK]);
		q->bytes = 0;
		q->deficit = 0;
		q->active = false;
	}
	d->first = d->last = NONE;
	d->active = 0;
	d->in_turn = false;
	d->packets = 0;
	d->bytes = 0;
	return n;
}
