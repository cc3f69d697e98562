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
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "l2l3.h"
#include "neigh.h"

/* Polls with nothing to do before a worker backs off (when allowed to). */
#define IDLE_POLLS_BEFORE_SLEEP 64

struct tx_batch {
	struct rte_mbuf *pkts[2 * PORT_BURST_MAX];
	unsigned n;
};

static void
tx_flush(struct worker *w, enum port_index pi, struct tx_batch *b)
{
	const struct port *p = &w->dp->ports[pi];
	struct port_counters *c = &w->ctr[pi];
	uint16_t sent, i;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(p->port_id, w->queue, b->pkts, b->n);
	for (i = 0; i < sent; i++)
		c->tx_bytes += rte_pktmbuf_pkt_len(b->pkts[i]);
	c->tx_packets += sent;
	for (i = sent; i < b->n; i++) {
		c->drops[PORT_DROP_tx_full]++;
		rte_pktmbuf_free(b->pkts[i]);
	}
	b->n = 0;
}

static void
drop_pkt(struct port_counters *c, enum port_drop why, struct rte_mbuf *m)
{
	c->drops[why]++;
	rte_pktmbuf_free(m);
}

static void
frame_input(struct worker *w, enum port_index pi, struct rte_mbuf *m, struct tx_batch *tx)
{
	struct dp *dp = w->dp;
	const struct port *p = &dp->ports[pi];
	struct port_counters *c = &w->ctr[pi];
	struct rte_ether_hdr *eth;
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
		if (res.len < m->data_len)
			rte_pktmbuf_trim(m, m->data_len - res.len);
		c->arp_replies++;
		tx->pkts[tx->n++] = m;
		return;
	case L2L3_TX_RESOLVE:
		rte_pktmbuf_trim(m, m->data_len - res.len);
		c->echo_replies++;
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (neigh_lookup(dp->neigh, pi, res.next_hop, &eth->dst_addr)) {
			tx->pkts[tx->n++] = m;
			return;
		}
		port_meta(m)->next_hop = res.next_hop;
		port_meta(m)->port = pi;
		if (rte_ring_mp_enqueue(dp->punt_ring, m) != 0)
			drop_pkt(c, PORT_DROP_ring_full, m);
		return;
	}
}

/* One port: a burst from our queue, then what the control core left us to send. */
static unsigned
poll_port(struct worker *w, enum port_index pi)
{
	struct rte_mbuf *rx[PORT_BURST_MAX];
	struct tx_batch tx;
	uint16_t n, i;
	unsigned extra;

	tx.n = 0;
	n = rte_eth_rx_burst(w->dp->ports[pi].port_id, w->queue, rx, PORT_BURST_MAX);
	for (i = 0; i < n; i++)
		frame_input(w, pi, rx[i], &tx);
	extra = rte_ring_sc_dequeue_burst(w->tx_ring[pi], (void **)&tx.pkts[tx.n], PORT_BURST_MAX,
					  NULL);
	tx.n += extra;
	tx_flush(w, pi, &tx);
	return n + extra;
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
	unsigned idle = 0, work, pi;

	rte_rcu_qsbr_thread_register(dp->qsbr, w->index);
	rte_rcu_qsbr_thread_online(dp->qsbr, w->index);
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED)) {
		work = 0;
		for (pi = 0; pi < PORT_COUNT; pi++)
			work += poll_port(w, pi);
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

	/* Neighbour timers have a 100 ms granularity: probes are a second apart. */
	if (now >= dp->next_timer_tsc) {
		work += neigh_timers(dp->neigh, dp, now);
		dp->next_timer_tsc = now + rte_get_tsc_hz() / 10;
	}
	return work;
}
