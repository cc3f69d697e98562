/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shaper: what holds a SKU's aggregate rate across every worker, and shares
 * it fairly between tunnels.
 *
 *  - struct shaper_bucket: one per direction, shared by all workers. A GCRA
 *    ("virtual scheduling", ITU-T I.371) token bucket kept as one 64-bit
 *    theoretical arrival time in TSC cycles: a worker takes credit for a
 *    whole burst with one compare-and-swap, no lock, and may get less than
 *    it asked (a partial grant) when the bucket runs low. The rate can be
 *    changed at any time (the SKU): the next grant uses it.
 *  - struct shaper_drr: one per worker and direction, over the tunnels that
 *    worker owns (each tunnel has exactly one owner, so no sharing): deficit
 *    round robin (Shreedhar and Varghese, 1996) over per-tunnel FIFOs of
 *    packet lengths, dequeuing no more bytes than the bucket granted.
 *
 * Why not rte_sched: its port/subport/pipe/tc hierarchy is per port and per
 * lcore, so an aggregate cap shared by N workers would have to be split into
 * N fixed shares that idle workers waste; rte_meter colours packets but does
 * not queue them. The arithmetic here is small and is what the unit tests
 * pin down (tests/unit/test_shaper.c).
 */
#ifndef P2SGW_SHAPER_H
#define P2SGW_SHAPER_H

#include <stdbool.h>
#include <stdint.h>

/** A shared aggregate bucket. All fields are private; use the functions. */
struct shaper_bucket {
	uint64_t tat;                  /**< theoretical arrival time, TSC cycles (atomic) */
	uint64_t cycles_per_kbyte;     /**< cost of 1024 bytes at the rate, in cycles (atomic) */
	uint64_t burst_cycles;         /**< how far ahead of now tat may run (atomic) */
	uint64_t hz;
} __attribute__((aligned(64)));   /* every worker writes tat: a line of its own */

/**
 * rate_bps: bits per second (0 = no limit); burst_us: credit that may pile
 * up while idle, in microseconds of the rate; hz: the TSC's frequency.
 */
void shaper_bucket_init(struct shaper_bucket *b, uint64_t rate_bps, uint32_t burst_us,
			uint64_t hz);
/** Change the rate (the SKU); safe while workers take credit. */
void shaper_bucket_set_rate(struct shaper_bucket *b, uint64_t rate_bps, uint32_t burst_us);
/**
 * Take credit for up to want bytes at time now (TSC). Returns the bytes
 * granted (0..want); lock-free, any number of workers at once.
 */
uint32_t shaper_bucket_take(struct shaper_bucket *b, uint32_t want, uint64_t now);
/** Give back credit that was granted and not used (a queue was empty). */
void shaper_bucket_refund(struct shaper_bucket *b, uint32_t bytes);
bool shaper_bucket_unlimited(const struct shaper_bucket *b);

#define SHAPER_QUEUE_MAX 256           /**< packets queued per tunnel at most (power of two) */
#define SHAPER_QUEUE_MIN 4             /**< a tunnel may always queue this many */

/** One tunnel's FIFO of packet lengths (and the caller's packet handles). */
struct shaper_queue {
	uint32_t head, tail;           /**< free-running; tail - head = packets queued */
	uint32_t bytes;                /**< bytes queued */
	int32_t deficit;
	bool active;                   /**< in the round robin list */
	uint32_t next;                 /**< next active queue (index), when active */
	uint64_t drops;                /**< refused: queue full */
	uint16_t len[SHAPER_QUEUE_MAX];
	void *pkt[SHAPER_QUEUE_MAX];
};

/**
 * Deficit round robin over n queues, owned by one worker. The queues share
 * `limit` packets: a queue may hold its fair part of it, limit / (queues
 * with packets), but never less than SHAPER_QUEUE_MIN nor more than
 * SHAPER_QUEUE_MAX. So the packets held stay near limit however many
 * tunnels are busy, a tunnel that sends less than its share never finds its
 * queue full, and a heavy one cannot take the room of the others (the same
 * aim as fq_codel's drop from the fattest flow, without searching for it).
 */
struct shaper_drr {
	uint32_t quantum;              /**< bytes added per round, >= the largest packet */
	uint32_t n;
	uint32_t limit;                /**< packets queued in all, shared as above */
	uint32_t packets;              /**< queued now, in all queues */
	uint64_t bytes;                /**< queued now, in all queues */
	uint32_t first, last;          /**< active list, UINT32_MAX when empty */
	uint32_t active;
	bool in_turn;                  /**< the head queue's turn has begun (its quantum added) */
	struct shaper_queue *q;        /**< n queues */
};

/** q: n zeroed queues (the caller allocates); limit: packets shared by them (see above). */
void shaper_drr_init(struct shaper_drr *d, struct shaper_queue *q, uint32_t n, uint32_t quantum,
		     uint32_t limit);
/** Queue packet pkt of len bytes for queue i: 0, or -ENOBUFS (its share full; counted). */
int shaper_drr_enqueue(struct shaper_drr *d, uint32_t i, void *pkt, uint16_t len);
/**
 * Dequeue, in deficit round robin order, packets of at most budget bytes in
 * all, and at most max packets, into pkts (their queue in which[] if not
 * NULL). Returns how many; *used gets their bytes.
 */
uint32_t shaper_drr_dequeue(struct shaper_drr *d, uint32_t budget, void **pkts, uint32_t *which,
			    uint32_t max, uint32_t *used);
/** Bytes queued in all. */
static inline uint64_t
shaper_drr_backlog(const struct shaper_drr *d)
{
	return d->bytes;
}
/**
 * Drop every queued packet: free(arg, pkt) is called for each (a stopping
 * worker's mbufs). Returns how many.
 */
uint32_t shaper_drr_flush(struct shaper_drr *d, void (*free_pkt)(void *arg, void *pkt), void *arg);

#endif
