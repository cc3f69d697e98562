/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker poll loop and the control core's side of the hand-offs. A
 * worker reads a burst from its queue of each port, answers what is for the
 * gateway itself, sends replies back out of the same port in one TX burst,
 * and hands frames that need ARP to the control core. No locks, no syscalls
 * and no allocation here, apart from the optional idle back-off (a nanosleep
 * the operator asks for with dataplane.idle_sleep_us on shared machines).
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_prefetch.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "l2l3.h"
#include "neigh.h"
#include "sa.h"
#include "worker_priv.h"

/* Polls with nothing to do before a worker backs off (when allowed to). */
#define IDLE_POLLS_BEFORE_SLEEP 64

void
tx_flush(struct worker *w, enum port_index pi, struct tx_batch *b)
{
	const struct port *p = &w->dp->ports[pi];
	struct port_counters *c = &w->ctr[pi];
	uint16_t sent = 0, i;

	while (sent < b->n) {
		uint16_t k = rte_eth_tx_burst(p->port_id, w->queue, b->pkts + sent, b->n - sent);

		if (k == 0)
			break;
		sent += k;
	}
	/* What was sent belongs to the driver now: count from b->bytes. */
	for (i = sent; i < b->n; i++) {
		b->bytes -= rte_pktmbuf_pkt_len(b->pkts[i]);
		drop_pkt(c, PORT_DROP_tx_full, b->pkts[i]);
	}
	c->tx_bytes += b->bytes;
	c->tx_packets += sent;
	b->n = 0;
	b->bytes = 0;
}

void
send_via_lookup(struct worker *w, enum port_index pi, uint32_t hop, struct rte_mbuf *m,
		struct tx_batch *tx)
{
	struct dp *dp = w->dp;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (neigh_lookup(dp->neigh, pi, hop, &eth->dst_addr)) {
		tx->last_hop = hop;
		tx->last_mac = eth->dst_addr;
		return tx_push(w, pi, tx, m);
	}
	port_meta(m)->next_hop = hop;
	port_meta(m)->port = pi;
	if (rte_ring_mp_enqueue(dp->punt_ring, m) != 0)
		drop_pkt(&w->ctr[pi], PORT_DROP_ring_full, m);
}

static void
frame_input(struct worker *w, enum port_index pi, struct rte_mbuf *m, struct tx_batch *tx,
	    struct tunnel_batch *tb)
{
	struct dp *dp = w->dp;
	const struct port *p = &dp->ports[pi];
	struct port_counters *c = &w->ctr[pi];
	struct l2l3_result res;
	enum l2l3_verdict v;

	c->rx_packets++;
	c->rx_bytes += rte_pktmbuf_pkt_len(m);
	if (m->nb_segs != 1)
		return drop_pkt(c, PORT_DROP_multi_seg, m);

	v = l2l3_input(p, pi, &dp->pool, rte_pktmbuf_mtod(m, uint8_t *), m->data_len, &res);
	if (res.learn && rte_ring_mp_enqueue_elem(dp->learn_ring, &res.learn_msg,
						  sizeof(res.learn_msg)) != 0)
		c->drops[PORT_DROP_ring_full]++;

	switch (v) {
	case L2L3_DROP:
		return drop_pkt(c, res.drop, m);
	case L2L3_CONSUMED:
		rte_pktmbuf_free(m);
		return;
	case L2L3_TX:
		c->arp_replies++;
		return tx_push(w, pi, tx, m);
	case L2L3_TX_RESOLVE:
		rte_pktmbuf_trim(m, m->data_len - res.len);
		c->echo_replies++;
		return send_via(w, pi, res.next_hop, m, tx);
	case L2L3_ESP:
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
		tb->spi[tb->n_in] = res.spi;
		tb->esp_in[tb->n_in++] = m;
		return;
	case L2L3_TO_CLIENT:
		/* ESP's outer headers will go in the line in front of the frame,
		 * which the NIC did not write: start fetching it now. */
		rte_prefetch0(rte_pktmbuf_mtod(m, uint8_t *) - RTE_CACHE_LINE_SIZE);
		tb->to_client[tb->n_out++] = m;
		return;
	case L2L3_IKE:
	case L2L3_RADIUS: /* the control core tells them apart by address */
		if (rte_ring_mp_enqueue(dp->ike_ring, m) != 0)
			drop_pkt(c, PORT_DROP_ike_ring_full, m);
		return;
	}
}

/*
 * Frames ahead of the one being classified whose headers are fetched (and
 * twice as far ahead, their mbufs, which say where the headers are): the
 * NIC wrote them to memory, and nothing else would bring them in before
 * the classification stalls on them.
 */
#define PREFETCH_AHEAD 4

unsigned
dp_worker_input(struct worker *w, enum port_index pi, struct rte_mbuf **pkts, unsigned n)
{
	struct tx_batch tx[PORT_COUNT];
	struct tunnel_batch tb;
	unsigned i, p;

	tb.n_in = tb.n_out = 0;
	for (p = 0; p < PORT_COUNT; p++) {
		tx[p].n = 0;
		tx[p].bytes = 0;
		tx[p].last_hop = 0;
	}
	/* The tunnel batch holds one burst plus one hand-off burst: take
	 * longer inputs a burst at a time. */
	for (i = 0; i < n && i < 2 * PREFETCH_AHEAD; i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + 2 * PREFETCH_AHEAD < n)
			rte_prefetch0(pkts[i + 2 * PREFETCH_AHEAD]);
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		frame_input(w, pi, pkts[i], &tx[pi], &tb);
		if ((i + 1) % PORT_BURST_MAX == 0 && i + 1 < n)
			tunnel_run(w, &tb, tx);
	}
	tunnel_run(w, &tb, tx);
	for (p = 0; p < PORT_COUNT; p++)
		tx_flush(w, p, &tx[p]);
	return n;
}

/* What the control core queued for us to send. */
static unsigned
ctl_tx_drain(struct worker *w, enum port_index pi)
{
	struct tx_batch tx;
	unsigned i, n;

	tx.last_hop = 0;
	tx.bytes = 0;
	n = tx.n = rte_ring_sc_dequeue_burst(w->tx_ring[pi], (void **)tx.pkts, PORT_BURST_MAX, NULL);
	for (i = 0; i < n; i++)
		tx.bytes += rte_pktmbuf_pkt_len(tx.pkts[i]);
	if (n)
		tx_flush(w, pi, &tx);
	return n; /* tx_flush empties tx */
}

/*
 * One burst from our queue of each port (and hand-offs, and what waits for
 * the SKU's rate), then the control core's frames.
 */
static unsigned
poll_once(struct worker *w)
{
	struct rte_mbuf *rx[PORT_BURST_MAX];
	unsigned work = 0, pi, n;

	for (pi = 0; pi < PORT_COUNT; pi++) {
		n = rte_eth_rx_burst(w->dp->ports[pi].port_id, w->queue, rx, PORT_BURST_MAX);
		/* Hand-offs ride along with the public port's burst (or run alone). */
		if (n || (pi == PORT_PUBLIC && (rte_ring_count(w->handoff) ||
						shape_waiting(w, DP_UP) || shape_waiting(w, DP_DOWN))))
			dp_worker_input(w, pi, rx, n);
		work += n + ctl_tx_drain(w, pi);
	}
	return work;
}

static void
idle_sleep(struct worker *w, unsigned us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	rte_rcu_qsbr_thread_offline(w->dp->qsbr, w->index);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->dp->qsbr, w->index);
	w->idle_sleeps++;
}

int
dp_worker_main(void *arg)
{
	struct worker *w = arg;
	struct dp *dp = w->dp;
	unsigned idle = 0, work;

	rte_rcu_qsbr_thread_register(dp->qsbr, w->index);
	rte_rcu_qsbr_thread_online(dp->qsbr, w->index);
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		work = poll_once(w);
		rte_rcu_qsbr_quiescent(dp->qsbr, w->index);
		w->polls++;
		if (work) {
			w->busy_polls++;
			idle = 0;
		} else if (dp->idle_sleep_us && ++idle >= IDLE_POLLS_BEFORE_SLEEP) {
			idle_sleep(w, dp->idle_sleep_us);
		}
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, w->index);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, w->index);
	return 0;
}

void
dp_ctl_tx(struct dp *dp, enum port_index p, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(dp->workers[0].tx_ring[p], m) != 0) {
		dp->ctl_ctr[p].drops[PORT_DROP_ring_full]++;
		rte_pktmbuf_free(m);
	}
}

void
dp_ctl_send_ip(struct dp *dp, enum port_index p, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t hop = l2l3_next_hop(&dp->ports[p], rte_be_to_cpu_32(ip->dst_addr));
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL || hop == 0) {
		dp->ctl_ctr[p].drops[eth == NULL ? PORT_DROP_multi_seg : PORT_DROP_no_route]++;
		rte_pktmbuf_free(m);
		return;
	}
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	eth->src_addr = dp->ports[p].mac;
	port_meta(m)->next_hop = hop;
	port_meta(m)->port = p;
	neigh_resolve(dp->neigh, dp, m, now);
}

/*
 * A worker saw an outbound SA near the end of its sequence numbers. Until
 * IKEv2 rekeys (CHILD_SA rekey comes with the responder), say so once.
 */
static void
seq_event(struct sa_tunnel *tun, struct sa_child *c, unsigned events, void *arg)
{
	struct dp *dp = arg;

	if (events & ESP_EVENT_SEQ_SOFT)
		dp->rekeys_wanted++;
	rte_log(RTE_LOG_WARNING, port_logtype, "port: tunnel %u SA 0x%08x: %s\n", tun->id, c->spi,
		events & ESP_EVENT_SEQ_HARD ? "sequence numbers exhausted, the SA sends no more"
					    : "sequence numbers near exhaustion, rekey needed");
}

unsigned
dp_control_poll(struct dp *dp, uint64_t now)
{
	struct port_learn learn[PORT_BURST_MAX];
	struct rte_mbuf *m[PORT_BURST_MAX];
	unsigned n, i, work = 0;

	n = rte_ring_sc_dequeue_burst_elem(dp->learn_ring, learn, sizeof(learn[0]), PORT_BURST_MAX,
					   NULL);
	for (i = 0; i < n; i++)
		neigh_learn(dp->neigh, dp, &learn[i], now);
	work += n;

	n = rte_ring_sc_dequeue_burst(dp->punt_ring, (void **)m, PORT_BURST_MAX, NULL);
	for (i = 0; i < n; i++)
		neigh_resolve(dp->neigh, dp, m[i], now);
	work += n;

	n = rte_ring_sc_dequeue_burst(dp->ike_ring, (void **)m, PORT_BURST_MAX, NULL);
	dp->ike_received += n;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *d = dp_ike_frag_input(dp, m[i], now);

		if (d == NULL)
			continue;
		if (dp->ike_input == NULL)
			rte_pktmbuf_free(d);
		else
			dp->ike_input(dp->ike_arg, d, now);
	}
	work += n;

	/* Neighbour timers have a 100 ms granularity: probes are a second apart. */
	if (now >= dp->next_timer_tsc) {
		work += neigh_timers(dp->neigh, dp, now);
		work += sa_table_reclaim(dp->sa);
		work += sa_table_poll_events(dp->sa, seq_event, dp);
		dp_shape_sample(dp, now);
		dp->next_timer_tsc = now + rte_get_tsc_hz() / 10;
	}
	return work;
}
