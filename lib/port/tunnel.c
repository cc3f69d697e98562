/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel paths of a worker. Inbound: ESP from a client is matched to its
 * SA by SPI, handed to the tunnel's owner if that is another worker,
 * decrypted in one IPsec-MB burst (lib/esp), then held to policy — the inner
 * source must be the client's own address and the destination a VNet prefix
 * (a client reaches only the VNet) — and routed out of the private port.
 * Outbound: a VNet packet to a client address finds the client's tunnel, is
 * checked against the tunnel MTU (a DF packet that does not fit gets ICMP
 * "fragmentation needed", RFC 1191), encrypted in one burst, fragmented on
 * the outside if it no longer fits the public MTU, and sent to the client's
 * outer address.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lpm.h>
#include <rte_ring.h>

#include "esp.h"
#include "l2l3.h"
#include "neigh.h"
#include "sa.h"
#include "worker_priv.h"

#define ETH_LEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define FRAGS_MAX 8

static inline struct rte_ipv4_hdr *
ip_hdr(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
}

static bool
in_vnet(const struct dp *dp, uint32_t addr)
{
	uint32_t hop;

	/* One load: the control core may swap the table (dp_set_vnet, RCU). */
	return rte_lpm_lookup(__atomic_load_n(&dp->vnet, __ATOMIC_ACQUIRE), addr, &hop) == 0;
}

/* RFC 1624 incremental update of the header checksum for TTL - 1. */
static inline void
ttl_decrement(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint32_t)ip->hdr_checksum + RTE_BE16(0x0100);

	ip->time_to_live--;
	ip->hdr_checksum = (uint16_t)(sum + (sum >> 16));
}

/* Give a frame to worker owner, which owns its tunnel. */
static void
hand_off(struct worker *w, uint16_t owner, struct rte_mbuf *m, enum port_handoff k,
	 enum port_index pi)
{
	port_meta(m)->kind = k;
	if (rte_ring_mp_enqueue(w->dp->workers[owner].handoff, m) != 0)
		drop_pkt(&w->ctr[pi], PORT_DROP_handoff_full, m);
	else
		w->ctr[pi].handoffs++;
}

static void
tunnel_drop(struct sa_tunnel *tun, enum sa_drop why, struct rte_mbuf *m)
{
	tun->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/*
 * lib/esp returns the good packets first, in their order, the rest after.
 * from[j] = the index in orig[] (the array as it was passed) of good packet
 * j in now[], so that what the caller keeps per packet follows its packet
 * without a field in the mbuf.
 */
static void
good_origin(struct rte_mbuf *const *orig, struct rte_mbuf *const *now, unsigned k,
	    unsigned good, uint8_t *from)
{
	unsigned i, j = 0;

	/* The common case: nothing failed, nothing moved. */
	if (likely(good == k)) {
		for (i = 0; i < k; i++)
			from[i] = (uint8_t)i;
		return;
	}
	for (i = 0; i < k && j < good; i++)
		if (orig[i] == now[j])
			from[j++] = (uint8_t)i;
}

/* ---- inbound: client -> VNet ---- */

/* What the inbound path keeps per packet through decryption. */
struct inbound_ctx {
	struct sa_child *child;
	uint32_t inner_addr;           /**< the client's address: the only allowed source */
};

/*
 * Find the SAs of in[] (SPIs spi[]) in one bulk lookup; keep the frames
 * this worker owns. The child's own cache line says all that is needed.
 */
static unsigned
inbound_select(struct worker *w, struct rte_mbuf **in, const uint32_t *spi, unsigned n,
	       struct esp_sa **sa, struct rte_mbuf **mine, struct inbound_ctx *ctx)
{
	struct port_counters *c = &w->ctr[PORT_PUBLIC];
	struct sa_child *child[TUNNEL_BATCH_MAX];
	unsigned i, k = 0;

	sa_lookup_spi_bulk(w->dp->sa, spi, n, child);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];

		if (child[i] == NULL) {
			drop_pkt(c, PORT_DROP_esp_no_sa, m);
			continue;
		}
		if (child[i]->owner != w->index) {
			hand_off(w, child[i]->owner, m, HANDOFF_ESP_IN, PORT_PUBLIC);
			continue;
		}
		ctx[k].child = child[i];
		ctx[k].inner_addr = child[i]->inner_addr;
		sa[k] = sa_child_esp(child[i]);
		mine[k++] = m;
	}
	return k;
}

/*
 * A decrypted packet: policy, TTL, Ethernet header. Its next hop on the
 * private port, or 0 when it was dropped (counted on its tunnel).
 */
static __rte_always_inline uint32_t
inbound_prepare(struct worker *w, struct rte_mbuf *m, const struct inbound_ctx *ctx)
{
	struct dp *dp = w->dp;
	struct rte_ipv4_hdr *ip = ip_hdr(m);
	uint32_t dst = L2L3_NTOHL(ip->dst_addr);
	const struct port *priv = &dp->ports[PORT_PRIVATE];
	enum sa_drop why;
	uint32_t hop = 0;

	if (L2L3_NTOHL(ip->src_addr) != ctx->inner_addr)
		why = SA_DROP_spoofed_source;
	else if (!in_vnet(dp, dst))
		why = SA_DROP_not_to_vnet;
	else if (ip->time_to_live <= 1)
		why = SA_DROP_ttl_expired;
	else if (rte_pktmbuf_pkt_len(m) > priv->mtu)
		why = SA_DROP_too_big;
	else if ((hop = l2l3_next_hop(priv, dst)) == 0)
		why = SA_DROP_no_route;
	else
		why = SA_DROP_COUNT;
	if (unlikely(why != SA_DROP_COUNT)) {
		tunnel_drop(ctx->child->tunnel, why, m);
		return 0;
	}
	ttl_decrement(ip);
	rte_pktmbuf_prepend(m, ETH_LEN);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	return hop;
}

/*
 * The SKU's rate, up: the frames ready to go (next hop in their metadata)
 * either go now or wait as they are in their tunnels' queues.
 */
static void
inbound_shape(struct worker *w, struct rte_mbuf **out, unsigned good, const uint8_t *from,
	      const struct inbound_ctx *ctx, struct tx_batch *tx)
{
	struct rte_mbuf *keep[TUNNEL_BATCH_MAX];
	struct sa_tunnel *tun[TUNNEL_BATCH_MAX];
	uint16_t len[TUNNEL_BATCH_MAX];
	unsigned i, k = 0;
	uint32_t hop;

	for (i = 0; i < good; i++) {
		/* The inner packet's own length, before its Ethernet header. */
		len[k] = (uint16_t)rte_pktmbuf_pkt_len(out[i]);
		hop = inbound_prepare(w, out[i], &ctx[from[i]]);
		if (hop == 0)
			continue;
		port_meta(out[i])->next_hop = hop;
		tun[k] = ctx[from[i]].child->tunnel;
		keep[k++] = out[i];
	}
	if (k != 0 && shape_offer(w, DP_UP, keep, tun, len, k))
		for (i = 0; i < k; i++)
			send_via(w, PORT_PRIVATE, port_meta(keep[i])->next_hop, keep[i], tx);
}

/* Frames that waited for the rate, up: they are ready to go. */
static void
inbound_release(struct worker *w, struct tx_batch *tx)
{
	struct rte_mbuf *m[TUNNEL_BATCH_MAX];
	unsigned n = shape_release(w, DP_UP, m, TUNNEL_BATCH_MAX), i;

	for (i = 0; i < n; i++)
		send_via(w, PORT_PRIVATE, port_meta(m[i])->next_hop, m[i], tx);
}

static void
inbound_run(struct worker *w, struct rte_mbuf **in, const uint32_t *spi, unsigned n,
	    struct tx_batch *tx)
{
	struct esp_sa *sa[TUNNEL_BATCH_MAX];
	struct rte_mbuf *mine[TUNNEL_BATCH_MAX], *out[TUNNEL_BATCH_MAX];
	struct inbound_ctx ctx[TUNNEL_BATCH_MAX];
	enum esp_drop why[TUNNEL_BATCH_MAX];
	uint8_t from[TUNNEL_BATCH_MAX];
	unsigned k, good, i;

	k = inbound_select(w, in, spi, n, sa, mine, ctx);
	if (k == 0)
		return;
	memcpy(out, mine, k * sizeof(out[0]));
	good = esp_inbound(w->esp, sa, out, k, why);
	/* lib/esp counted the failures on their SAs. */
	for (i = good; i < k; i++)
		rte_pktmbuf_free(out[i]);
	good_origin(mine, out, k, good, from);
	if (unlikely(shape_active(w, DP_UP)))
		return inbound_shape(w, out, good, from, ctx, tx);
	for (i = 0; i < good; i++) {
		uint32_t hop = inbound_prepare(w, out[i], &ctx[from[i]]);

		if (hop != 0)
			send_via(w, PORT_PRIVATE, hop, out[i], tx);
	}
}

/* ---- outbound: VNet -> client ---- */

/* The largest inner packet that still fits mtu once encapsulated by sa. */
static uint16_t
tunnel_mtu(const struct esp_sa *sa, unsigned mtu)
{
	unsigned len = mtu;

	while (len > 68 && len + esp_sa_overhead(sa, len) > mtu)
		len--;
	return len;
}

/* Tell the VNet sender of a DF packet too big for the tunnel (RFC 1191). */
static void
send_frag_needed(struct worker *w, struct rte_mbuf *orig, uint16_t mtu, struct tx_batch *tx)
{
	const struct port *priv = &w->dp->ports[PORT_PRIVATE];
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->mbufs);
	const struct rte_ipv4_hdr *ip = ip_hdr(orig);
	uint8_t *frame;
	uint32_t hop = l2l3_next_hop(priv, rte_be_to_cpu_32(ip->src_addr));

	if (m == NULL || hop == 0 || (frame = (uint8_t *)rte_pktmbuf_append(m, 128)) == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, 128 - l2l3_icmp_frag_needed(priv, (const uint8_t *)ip,
							rte_pktmbuf_data_len(orig), mtu, frame));
	send_via(w, PORT_PRIVATE, hop, m, tx);
}

/* Policy, TTL, tunnel MTU; true if m is to be encrypted by this worker through esp. */
static bool
outbound_admit(struct worker *w, struct sa_tunnel *tun, struct esp_sa *esp, struct rte_mbuf *m,
	       struct tx_batch *tx)
{
	const struct port *pub = &w->dp->ports[PORT_PUBLIC];
	struct rte_ipv4_hdr *ip = ip_hdr(m);
	uint16_t len = L2L3_NTOHS(ip->total_length);

	/* Ethernet padding is not part of the packet we encrypt. */
	if (rte_pktmbuf_pkt_len(m) > len)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - len);
	/* The exact overhead only for packets that may not fit. */
	if (unlikely(len + ESP_OVERHEAD_MAX > pub->mtu) && len + esp_sa_overhead(esp, len) > pub->mtu &&
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))) {
		send_frag_needed(w, m, tunnel_mtu(esp, pub->mtu), &tx[PORT_PRIVATE]);
		tunnel_drop(tun, SA_DROP_frag_needed, m);
		return false;
	}
	ttl_decrement(ip);
	return true;
}

/*
 * Find the tunnels of in[] by inner destination in one bulk lookup; keep
 * the frames this worker owns and admits, with their tunnels in tuns[].
 */
static unsigned
outbound_select(struct worker *w, struct rte_mbuf **in, unsigned n, struct esp_sa **sa,
		struct rte_mbuf **mine, struct sa_tunnel **tuns, struct tx_batch *tx)
{
	struct port_counters *c = &w->ctr[PORT_PRIVATE];
	struct rte_mbuf *cand[TUNNEL_BATCH_MAX];
	struct sa_tunnel *tun[TUNNEL_BATCH_MAX];
	uint32_t dst[TUNNEL_BATCH_MAX] = { 0 }; /* as for spi[] above */
	unsigned i, k = 0, nc = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_LEN);

		if (!in_vnet(w->dp, L2L3_NTOHL(ip->src_addr))) {
			drop_pkt(c, PORT_DROP_not_from_vnet, m);
			continue;
		}
		dst[nc] = L2L3_NTOHL(ip->dst_addr);
		cand[nc++] = m;
	}
	sa_lookup_addr_bulk(w->dp->sa, dst, nc, tun);
	for (i = 0; i < nc; i++) {
		struct rte_mbuf *m = cand[i];
		struct esp_sa *esp;

		if (tun[i] == NULL) {
			drop_pkt(c, PORT_DROP_no_tunnel, m);
			continue;
		}
		if (tun[i]->owner != w->index) {
			hand_off(w, tun[i]->owner, m, HANDOFF_TO_CLIENT, PORT_PRIVATE);
			continue;
		}
		rte_pktmbuf_adj(m, ETH_LEN);
		esp = sa_child_esp(sa_tunnel_out(tun[i]));
		if (!outbound_admit(w, tun[i], esp, m, tx))
			continue;
		tuns[k] = tun[i];
		sa[k] = esp;
		mine[k++] = m;
	}
	return k;
}

/*
 * To the client's outer address: the owner caches the next hop's MAC in the
 * tunnel while the neighbour table's generation stays the same, which saves
 * a hash lookup per packet.
 */
static __rte_always_inline void
outbound_send_one(struct worker *w, struct sa_tunnel *tun, uint32_t hop, uint32_t gen,
		  struct rte_mbuf *m, struct tx_batch *tx)
{
	struct dp *dp = w->dp;
	struct sa_tunnel_stats *st = &tun->stats;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, ETH_LEN);

	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (st->nh_valid && st->nh_gen == gen) {
		eth->src_addr = dp->ports[PORT_PUBLIC].mac;
		eth->dst_addr = st->nh_mac;
		return tx_push(w, PORT_PUBLIC, tx, m);
	}
	if (neigh_lookup(dp->neigh, PORT_PUBLIC, hop, &st->nh_mac)) {
		st->nh_gen = gen;
		st->nh_valid = 1;
	}
	send_via(w, PORT_PUBLIC, hop, m, tx);
}

/*
 * An encrypted packet: to the client's outer address, fragmented if need be;
 * gen is the neighbour table's generation, read once per burst.
 */
static __rte_always_inline void
outbound_send(struct worker *w, struct rte_mbuf *m, struct sa_tunnel *tun, uint32_t gen,
	      struct tx_batch *tx)
{
	struct dp *dp = w->dp;
	const struct port *pub = &dp->ports[PORT_PUBLIC];
	uint32_t hop = l2l3_next_hop(pub, tun->remote_addr);
	struct rte_mbuf *frags[FRAGS_MAX];
	int32_t n, i;

	if (hop == 0)
		return tunnel_drop(tun, SA_DROP_no_route, m);
	if (rte_pktmbuf_pkt_len(m) <= pub->mtu)
		return outbound_send_one(w, tun, hop, gen, m, tx);
	n = rte_ipv4_fragment_packet(m, frags, FRAGS_MAX, pub->mtu, dp->mbufs, dp->indirect);
	if (n < 0)
		return tunnel_drop(tun, SA_DROP_frag_failed, m);
	/* The fragments hold references to m's data. */
	rte_pktmbuf_free(m);
	for (i = 0; i < n; i++) {
		/* rte_ip_frag leaves the header checksum to the caller. */
		ip_hdr(frags[i])->hdr_checksum = 0;
		ip_hdr(frags[i])->hdr_checksum = rte_ipv4_cksum(ip_hdr(frags[i]));
		outbound_send_one(w, tun, hop, gen, frags[i], tx);
	}
}

/* Encrypt the k admitted packets mine[] (SAs sa[], tunnels tun[]) and send them. */
static void
outbound_crypt(struct worker *w, struct esp_sa **sa, struct rte_mbuf **mine,
	       struct sa_tunnel **tun, unsigned k, struct tx_batch tx[PORT_COUNT])
{
	struct rte_mbuf *out[TUNNEL_BATCH_MAX];
	enum esp_drop why[TUNNEL_BATCH_MAX];
	uint8_t from[TUNNEL_BATCH_MAX];
	unsigned good, i;
	uint32_t gen;

	memcpy(out, mine, k * sizeof(out[0]));
	good = esp_outbound(w->esp, sa, out, k, why);
	for (i = good; i < k; i++)
		rte_pktmbuf_free(out[i]);
	good_origin(mine, out, k, good, from);
	/* What the crypto pushed out of L1: the tunnels with their next-hop
	 * caches, and the line where each packet's Ethernet header goes. */
	for (i = 0; i < good; i++) {
		rte_prefetch0(tun[from[i]]);
		rte_prefetch0(&tun[from[i]]->stats);
		rte_prefetch0(rte_pktmbuf_mtod(out[i], uint8_t *) - ETH_LEN);
	}
	gen = neigh_generation(w->dp->neigh);
	for (i = 0; i < good; i++)
		outbound_send(w, out[i], tun[from[i]], gen, &tx[PORT_PUBLIC]);
}

static void
outbound_run(struct worker *w, struct rte_mbuf **in, unsigned n, struct tx_batch tx[PORT_COUNT])
{
	struct esp_sa *sa[TUNNEL_BATCH_MAX];
	struct rte_mbuf *mine[TUNNEL_BATCH_MAX];
	struct sa_tunnel *tun[TUNNEL_BATCH_MAX];
	uint16_t len[TUNNEL_BATCH_MAX];
	unsigned k, i;

	k = outbound_select(w, in, n, sa, mine, tun, tx);
	if (k == 0)
		return;
	if (unlikely(shape_active(w, DP_DOWN))) {
		/* Trimmed to the IPv4 packet by outbound_admit(). */
		for (i = 0; i < k; i++)
			len[i] = (uint16_t)rte_pktmbuf_pkt_len(mine[i]);
		if (!shape_offer(w, DP_DOWN, mine, tun, len, k))
			return;
	}
	outbound_crypt(w, sa, mine, tun, k, tx);
}

/*
 * Packets that waited for the rate, down: admitted before they waited, but
 * their tunnels may have gone since (RCU): found again by inner destination.
 */
static void
outbound_release(struct worker *w, struct tx_batch tx[PORT_COUNT])
{
	struct rte_mbuf *m[TUNNEL_BATCH_MAX], *mine[TUNNEL_BATCH_MAX];
	struct sa_tunnel *tun[TUNNEL_BATCH_MAX], *keep[TUNNEL_BATCH_MAX];
	struct esp_sa *sa[TUNNEL_BATCH_MAX];
	uint32_t dst[TUNNEL_BATCH_MAX];
	unsigned n = shape_release(w, DP_DOWN, m, TUNNEL_BATCH_MAX), i, k = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		dst[i] = L2L3_NTOHL(ip_hdr(m[i])->dst_addr);
	sa_lookup_addr_bulk(w->dp->sa, dst, n, tun);
	for (i = 0; i < n; i++) {
		if (tun[i] == NULL || tun[i]->owner != w->index) {
			drop_pkt(&w->ctr[PORT_PRIVATE], PORT_DROP_no_tunnel, m[i]);
			continue;
		}
		sa[k] = sa_child_esp(sa_tunnel_out(tun[i]));
		keep[k] = tun[i];
		mine[k++] = m[i];
	}
	if (k != 0)
		outbound_crypt(w, sa, mine, keep, k, tx);
}

/* Frames other workers handed to us: we own their tunnels. */
static void
handoff_drain(struct worker *w, struct tunnel_batch *b)
{
	struct rte_mbuf *m[PORT_BURST_MAX];
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst(w->handoff, (void **)m, PORT_BURST_MAX, NULL);
	for (i = 0; i < n; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod(m[i], const uint8_t *);

		if (port_meta(m[i])->kind == HANDOFF_ESP_IN && b->n_in < TUNNEL_BATCH_MAX) {
			/* The sender's classification checked the headers
			 * (L2L3_ESP): this only finds the SPI again. */
			if (esp_peek_spi(m[i], ip[9] == IPPROTO_UDP, &b->spi[b->n_in]) != 0)
				drop_pkt(&w->ctr[PORT_PUBLIC], PORT_DROP_esp_malformed, m[i]);
			else
				b->esp_in[b->n_in++] = m[i];
		} else if (port_meta(m[i])->kind == HANDOFF_TO_CLIENT && b->n_out < TUNNEL_BATCH_MAX) {
			b->to_client[b->n_out++] = m[i];
		} else {
			drop_pkt(&w->ctr[PORT_PUBLIC], PORT_DROP_handoff_full, m[i]);
		}
	}
}

void
tunnel_run(struct worker *w, struct tunnel_batch *b, struct tx_batch tx[PORT_COUNT])
{
	handoff_drain(w, b);
	if (b->n_in)
		inbound_run(w, b->esp_in, b->spi, b->n_in, &tx[PORT_PRIVATE]);
	if (b->n_out)
		outbound_run(w, b->to_client, b->n_out, tx);
	b->n_in = b->n_out = 0;
	/* What waits for the SKU's rate goes when the bucket allows. */
	if (unlikely(shape_waiting(w, DP_UP)))
		inbound_release(w, &tx[PORT_PRIVATE]);
	if (unlikely(shape_waiting(w, DP_DOWN)))
		outbound_release(w, tx);
}
