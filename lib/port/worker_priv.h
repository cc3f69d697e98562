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

/** Run the ESP paths on what the iteration collected; empties b. */
void tunnel_run(struct worker *w, struct tunnel_batch *b, struct tx_batch tx[PORT_COUNT]);

#endif
