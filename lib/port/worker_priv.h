/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the worker loop (worker.c) and the tunnel paths (tunnel.c) share:
 * the per-iteration TX batches and the frames collected for the tunnel
 * paths. Private to lib/port.
 */
#ifndef P2SGW_WORKER_PRIV_H
#define P2SGW_WORKER_PRIV_H

#include "port.h"

/** lib/port's log type (p2sgw.port), registered in port.c. */
extern int port_logtype;

#define TX_BATCH_MAX 128
#define TUNNEL_BATCH_MAX (2 * PORT_BURST_MAX)

struct tx_batch {
	struct rte_mbuf *pkts[TX_BATCH_MAX];
	unsigned n;
	uint64_t bytes;                /**< of pkts[0..n), counted while they are in cache */
	/* The last next hop resolved for this port in this burst: a burst
	 * often goes to one VNet host, and no quiescent state passes within it. */
	uint32_t last_hop;
	struct rte_ether_addr last_mac;
};

/** Frames of one loop iteration that take the tunnel paths. */
struct tunnel_batch {
	struct rte_mbuf *esp_in[TUNNEL_BATCH_MAX];   /**< from the public port, from outer IPv4 on */
	uint32_t spi[TUNNEL_BATCH_MAX];              /**< their SPIs */
	unsigned n_in;
	struct rte_mbuf *to_client[TUNNEL_BATCH_MAX];/**< from the private port, Ethernet on */
	unsigned n_out;
};

void tx_flush(struct worker *w, enum port_index pi, struct tx_batch *b);

/** Send on port pi in this iteration's burst (flushing first if full). */
static inline void
tx_push(struct worker *w, enum port_index pi, struct tx_batch *b, struct rte_mbuf *m)
{
	if (unlikely(b->n == TX_BATCH_MAX))
		tx_flush(w, pi, b);
	b->bytes += rte_pktmbuf_pkt_len(m);
	b->pkts[b->n++] = m;
}

/** send_via() when the next hop is not the burst's last one: neighbour table or ARP. */
void send_via_lookup(struct worker *w, enum port_index pi, uint32_t hop, struct rte_mbuf *m,
		     struct tx_batch *tx);

/**
 * Frame m (Ethernet header on, source MAC not yet set) leaves by port pi
 * towards next hop hop: send now if the neighbour is known, else hand it to
 * the control core to resolve.
 */
static inline void
send_via(struct worker *w, enum port_index pi, uint32_t hop, struct rte_mbuf *m,
	 struct tx_batch *tx)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->src_addr = w->dp->ports[pi].mac;
	if (likely(hop != 0 && hop == tx->last_hop)) {
		eth->dst_addr = tx->last_mac;
		return tx_push(w, pi, tx, m);
	}
	send_via_lookup(w, pi, hop, m, tx);
}

static inline void
drop_pkt(struct port_counters *c, enum port_drop why, struct rte_mbuf *m)
{
	c->drops[why]++;
	rte_pktmbuf_free(m);
}

/*
 * One worker's side of the SKU's rate for one direction (shape.c): its
 * tunnels' queues in deficit round robin, and the credit it holds from the
 * shared bucket (dp->rate). Written by the worker only; the control core
 * reads the counters for show sku.
 */
#define SHAPE_LIMIT 2048               /**< packets a worker holds per direction (shared fairly) */
#define SHAPE_BURST_US 10000           /**< idle credit the bucket keeps: 10 ms of the rate */

struct worker_shape {
	struct shaper_drr drr;
	uint32_t credit;               /**< bytes the bucket granted that queued packets will use */
	uint64_t sent_bytes;           /**< passed, fast or after waiting (inner IPv4 bytes) */
	uint64_t sent_packets;
	uint64_t waited;               /**< packets that were queued */
	uint64_t drops;                /**< queue share full */
	struct shaper_queue q[];       /**< one per tunnel id (id - 1) */
} __rte_cache_aligned;

/** Does direction d go through the shaper now (a rate, or packets still waiting)? */
static inline bool
shape_active(const struct worker *w, enum dp_dir d)
{
	return !shaper_bucket_unlimited(&w->dp->rate[d]) || w->shape[d]->drr.packets != 0;
}

struct sa_tunnel;

/**
 * The n packets m[] (inner bytes len[], of tunnels tun[]) ask to go in
 * direction d. true: nothing waits and the bucket granted them all, the
 * caller sends them now. false: they were queued behind their tunnels
 * (or dropped and counted if a queue share was full); shape_release()
 * gives them back when the rate allows.
 */
bool shape_offer(struct worker *w, enum dp_dir d, struct rte_mbuf **m, struct sa_tunnel *const *tun,
		 const uint16_t *len, unsigned n);
/** Up to max queued packets of direction d that may go now, in fair order. */
unsigned shape_release(struct worker *w, enum dp_dir d, struct rte_mbuf **out, unsigned max);
/** Control core: take the use of each direction about once a second (dp_shape_stats). */
void dp_shape_sample(struct dp *dp, uint64_t now);

/** Packets waiting in direction d on this worker. */
static inline uint32_t
shape_waiting(const struct worker *w, enum dp_dir d)
{
	return w->shape[d]->drr.packets;
}

/** Run the ESP paths on what the iteration collected; empties b. */
void tunnel_run(struct worker *w, struct tunnel_batch *b, struct tx_batch tx[PORT_COUNT]);

#endif
