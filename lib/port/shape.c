/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SKU's rate on a worker (issue 5): lib/shaper's shared bucket and
 * deficit round robin, put where the tunnel paths hand packets on.
 *
 * The common case costs one bucket grant per burst: while nothing waits,
 * a burst the bucket grants whole goes on at once. Only when the rate is
 * reached do packets wait, each in its tunnel's queue, and leave in deficit
 * round robin order as the bucket grants credit again (every poll of the
 * worker asks while something waits). A queued packet keeps nothing that
 * RCU may free: down, the tunnel paths look the tunnel up again by the
 * inner destination when it leaves; up, it waits as a finished frame with
 * its next hop in the mbuf's metadata.
 */
#include <rte_cycles.h>

#include "sa.h"
#include "worker_priv.h"

/* Bytes asked of the bucket per release: a few bursts' worth. */
#define SHAPE_CHUNK (64u * 1024u)

bool
shape_offer(struct worker *w, enum dp_dir d, struct rte_mbuf **m, struct sa_tunnel *const *tun,
	    const uint16_t *len, unsigned n)
{
	struct worker_shape *s = w->shape[d];
	uint32_t want = 0, got;
	unsigned i;

	for (i = 0; i < n; i++)
		want += len[i];
	if (s->drr.packets == 0) {
		got = shaper_bucket_take(&w->dp->rate[d], want, rte_rdtsc());
		if (got == want) {
			s->sent_bytes += want;
			s->sent_packets += n;
			return true;
		}
		/* Part of it: the queued packets will use it first. */
		s->credit += got;
	}
	for (i = 0; i < n; i++) {
		if (shaper_drr_enqueue(&s->drr, tun[i]->id - 1, m[i], len[i]) == 0) {
			s->waited++;
			continue;
		}
		s->drops++;
		tun[i]->stats.drops[SA_DROP_rate_queue_full]++;
		rte_pktmbuf_free(m[i]);
	}
	return false;
}

unsigned
shape_release(struct worker *w, enum dp_dir d, struct rte_mbuf **out, unsigned max)
{
	struct worker_shape *s = w->shape[d];
	struct shaper_bucket *b = &w->dp->rate[d];
	uint64_t backlog = shaper_drr_backlog(&s->drr);
	uint32_t want, used, n;

	if (backlog == 0)
		return 0;
	want = backlog < SHAPE_CHUNK ? (uint32_t)backlog : SHAPE_CHUNK;
	if (s->credit < want)
		s->credit += shaper_bucket_take(b, want - s->credit, rte_rdtsc());
	n = shaper_drr_dequeue(&s->drr, s->credit, (void **)out, NULL, max, &used);
	s->credit -= used;
	s->sent_bytes += used;
	s->sent_packets += n;
	/* Nothing waits any more: credit not used goes back to every worker. */
	if (s->drr.packets == 0 && s->credit != 0) {
		shaper_bucket_refund(b, s->credit);
		s->credit = 0;
	}
	return n;
}
