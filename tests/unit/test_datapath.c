/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ESP data path end to end inside one process: the real dp (ports on
 * net_ring, whose TX loops back to RX so the test reads what the gateway
 * sent), the real SA table and lib/esp, driven through dp_worker_input()
 * exactly as the poll loop drives it. A second pair of SAs plays the client.
 * Checks decryption and routing into the VNet, encryption towards the
 * client, every policy drop, replay, the tunnel MTU (ICMP fragmentation
 * needed for DF, outer fragments otherwise), the hand-off to the owning
 * worker, and that every mbuf goes back to its pool.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "conf.h"
#include "esp.h"
#include "esp_priv.h"
#include "neigh.h"
#include "port.h"
#include "sa.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define GW_PUB IP(198, 51, 100, 1)
#define CLIENT_OUTER IP(198, 51, 100, 10)
#define CLIENT_PORT 40123
#define CLIENT_INNER IP(172, 16, 201, 2)
#define VNET_HOST IP(10, 1, 0, 10)
#define SPI_GW_IN 0x1000a001u
#define SPI_GW_OUT 0x2000b002u

static const struct rte_ether_addr client_mac = { { 0x02, 0xc1, 0, 0, 0, 0x10 } };
static const struct rte_ether_addr vnet_mac = { { 0x02, 0xd1, 0, 0, 0, 0x0a } };

static const char config[] =
	"name = \"dp-test\";\n"
	"ports = {\n"
	"  public  = { profile = \"ring\"; address = \"198.51.100.1/24\"; mtu = 1500; };\n"
	"  private = { profile = \"ring\"; address = \"10.1.0.1/24\"; mtu = 1500; };\n"
	"};\n"
	"client_pool = \"172.16.201.0/24\";\n"
	"vnet = [ \"10.1.0.0/16\" ];\n"
	"sku = \"VpnGw1\";\n"
	"protocols = [ \"ikev2\" ];\n"
	"auth = [ \"certificate\" ];\n"
	"cli = { socket = \"/tmp/p2sgw-dp-test.sock\"; };\n";

static struct conf conf;
static struct dp dp;
static struct esp_worker *client_crypto;
static struct esp_sa *client_out, *client_in;
static uint32_t tunnel_id;
static unsigned baseline;

static void
key_params(struct esp_sa_params *p, uint32_t spi, uint32_t local, uint32_t remote,
	   uint16_t lport, uint16_t rport)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->cipher = ESP_CIPHER_AES_GCM_16;
	p->key_len = 32;
	for (i = 0; i < 32; i++)
		p->key[i] = (uint8_t)(spi >> (i % 4 * 8)) ^ (uint8_t)i;
	memcpy(p->salt, "salt", 4);
	p->integ = ESP_INTEG_NONE;
	p->local_addr = local;
	p->remote_addr = remote;
	p->udp_encap = true;
	p->local_port = lport;
	p->remote_port = rport;
}

static struct esp_sa *
client_sa(uint32_t spi)
{
	struct esp_sa *sa = rte_zmalloc(NULL, esp_sa_size(), RTE_CACHE_LINE_SIZE);
	struct esp_sa_params p;
	char err[128];

	assert_non_null(sa);
	/* The client's end of both SAs: its own outer address and port. */
	key_params(&p, spi, CLIENT_OUTER, GW_PUB, CLIENT_PORT, 4500);
	assert_int_equal(esp_sa_init(sa, client_crypto, &p, err, sizeof(err)), 0);
	return sa;
}

static void
add_tunnel(int owner)
{
	struct sa_tunnel_params tp = { .inner_addr = CLIENT_INNER, .owner = owner };
	char err[128];

	key_params(&tp.in, SPI_GW_IN, GW_PUB, CLIENT_OUTER, 4500, CLIENT_PORT);
	key_params(&tp.out, SPI_GW_OUT, GW_PUB, CLIENT_OUTER, 4500, CLIENT_PORT);
	assert_int_equal(sa_tunnel_add(dp.sa, dp.ctl_esp, &tp, &tunnel_id, err, sizeof(err)), 0);
	client_out = client_sa(SPI_GW_IN);
	client_in = client_sa(SPI_GW_OUT);
}

static void
remove_tunnel(void)
{
	assert_int_equal(sa_tunnel_del(dp.sa, tunnel_id), 0);
	sa_table_reclaim(dp.sa);
	esp_sa_clear(client_out);
	esp_sa_clear(client_in);
	rte_free(client_out);
	rte_free(client_in);
}

/* An IPv4 ICMP echo of total length len, in a fresh mbuf, with room for Ethernet. */
static struct rte_mbuf *
inner_packet(uint32_t src, uint32_t dst, uint16_t len, bool df)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mbufs);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint16_t i;

	assert_non_null(m);
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, len);
	assert_non_null(ip);
	if (ip == NULL) /* gcc -O3 does not know that assert_non_null() returns only on success */
		return NULL;
	memset(ip, 0, len);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->fragment_offset = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	for (i = sizeof(*ip) + sizeof(*icmp); i < len; i++)
		((uint8_t *)ip)[i] = (uint8_t)i;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, len - sizeof(*ip));
	return m;
}

static void
add_ether(struct rte_mbuf *m, const struct rte_ether_addr *src, const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));

	assert_non_null(eth);
	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
}

/* The client encrypts an inner packet and sends it to the gateway's public port. */
static struct rte_mbuf *
from_client(struct rte_mbuf *inner)
{
	enum esp_drop why;

	assert_int_equal(esp_outbound(client_crypto, &client_out, &inner, 1, &why), 1);
	add_ether(inner, &client_mac, &dp.ports[PORT_PUBLIC].mac);
	return inner;
}

static void
input(unsigned worker, enum port_index pi, struct rte_mbuf *m)
{
	dp_worker_input(&dp.workers[worker], pi, &m, m ? 1 : 0);
}

/* What the gateway sent on port pi (ring loopback), from every worker's queue. */
static unsigned
sent(enum port_index pi, struct rte_mbuf **out, unsigned max)
{
	unsigned q, n = 0;

	for (q = 0; q < dp.n_workers && n < max; q++)
		n += rte_eth_rx_burst(dp.ports[pi].port_id, q, out + n, max - n);
	return n;
}

static struct rte_ipv4_hdr *
ip_after_ether(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

static void
inbound_decrypts_and_routes(void **state)
{
	struct rte_mbuf *out[8];
	struct rte_ipv4_hdr *ip;
	struct rte_ether_hdr *eth;
	const struct esp_sa_stats *st;
	struct port_counters before, after;

	(void)state;
	dp_port_counters(&dp, PORT_PRIVATE, &before);
	input(0, PORT_PUBLIC, from_client(inner_packet(CLIENT_INNER, VNET_HOST, 100, false)));
	dp_port_counters(&dp, PORT_PRIVATE, &after);
	assert_int_equal(after.tx_packets - before.tx_packets, 1);
	assert_int_equal(after.tx_bytes - before.tx_bytes, 14 + 100);
	assert_int_equal(sent(PORT_PRIVATE, out, 8), 1);
	eth = rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *);
	assert_memory_equal(&eth->dst_addr, &vnet_mac, 6);
	assert_memory_equal(&eth->src_addr, &dp.ports[PORT_PRIVATE].mac, 6);
	ip = ip_after_ether(out[0]);
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), 14 + 100);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), CLIENT_INNER);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), VNET_HOST);
	assert_int_equal(ip->time_to_live, 63);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(((uint8_t *)ip)[99], 99);
	rte_pktmbuf_free(out[0]);
	st = esp_sa_stats(sa_tunnel_get(dp.sa, tunnel_id)->in[0]->esp);
	assert_int_equal(st->packets, 1);
	assert_int_equal(st->bytes, 100);
}

static void
outbound_encrypts_to_client(void **state)
{
	struct rte_mbuf *m = inner_packet(VNET_HOST, CLIENT_INNER, 200, true), *out[8];
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	enum esp_drop why;

	(void)state;
	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	input(0, PORT_PRIVATE, m);
	assert_int_equal(sent(PORT_PUBLIC, out, 8), 1);
	assert_memory_equal(rte_pktmbuf_mtod(out[0], uint8_t *), &client_mac, 6);
	ip = ip_after_ether(out[0]);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), GW_PUB);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), CLIENT_OUTER);
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	udp = (struct rte_udp_hdr *)(ip + 1);
	assert_int_equal(rte_be_to_cpu_16(udp->src_port), 4500);
	assert_int_equal(rte_be_to_cpu_16(udp->dst_port), CLIENT_PORT);
	/* The client decrypts what the gateway sent. */
	rte_pktmbuf_adj(out[0], 14);
	assert_int_equal(esp_inbound(client_crypto, &client_in, &out[0], 1, &why), 1);
	ip = rte_pktmbuf_mtod(out[0], struct rte_ipv4_hdr *);
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), 200);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), VNET_HOST);
	assert_int_equal(ip->time_to_live, 63);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	rte_pktmbuf_free(out[0]);
}

static uint64_t
tunnel_drops(enum sa_drop d)
{
	return sa_tunnel_get(dp.sa, tunnel_id)->stats.drops[d];
}

static uint64_t
port_drops(enum port_index pi, enum port_drop d)
{
	struct port_counters c;

	dp_port_counters(&dp, pi, &c);
	return c.drops[d];
}

static void
policy_drops(void **state)
{
	struct rte_mbuf *out[8], *m;
	uint64_t before;

	(void)state;
	/* A client may only send from its own address ... */
	input(0, PORT_PUBLIC, from_client(inner_packet(IP(172, 16, 201, 3), VNET_HOST, 60, false)));
	assert_int_equal(tunnel_drops(SA_DROP_spoofed_source), 1);
	/* ... and only to the VNet. */
	input(0, PORT_PUBLIC, from_client(inner_packet(CLIENT_INNER, IP(8, 8, 8, 8), 60, false)));
	assert_int_equal(tunnel_drops(SA_DROP_not_to_vnet), 1);
	assert_int_equal(sent(PORT_PRIVATE, out, 8), 0);

	/* An SPI nobody has. */
	before = port_drops(PORT_PUBLIC, PORT_DROP_esp_no_sa);
	m = from_client(inner_packet(CLIENT_INNER, VNET_HOST, 60, false));
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 20 + 8)[0] ^= 0x80;
	input(0, PORT_PUBLIC, m);
	assert_int_equal(port_drops(PORT_PUBLIC, PORT_DROP_esp_no_sa), before + 1);

	/* VNet to a pool address with no client; and from outside the VNet to a client. */
	m = inner_packet(VNET_HOST, IP(172, 16, 201, 99), 60, false);
	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	input(0, PORT_PRIVATE, m);
	assert_int_equal(port_drops(PORT_PRIVATE, PORT_DROP_no_tunnel), 1);
	m = inner_packet(IP(192, 0, 2, 1), CLIENT_INNER, 60, false);
	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	input(0, PORT_PRIVATE, m);
	assert_int_equal(port_drops(PORT_PRIVATE, PORT_DROP_not_from_vnet), 1);
	assert_int_equal(sent(PORT_PUBLIC, out, 8), 0);
}

static void
replay_is_dropped(void **state)
{
	struct rte_mbuf *m = from_client(inner_packet(CLIENT_INNER, VNET_HOST, 80, false));
	struct rte_mbuf *copy = rte_pktmbuf_copy(m, dp.mbufs, 0, UINT32_MAX), *out[8];
	const struct esp_sa_stats *st = esp_sa_stats(sa_tunnel_get(dp.sa, tunnel_id)->in[0]->esp);

	(void)state;
	assert_non_null(copy);
	input(0, PORT_PUBLIC, m);
	input(0, PORT_PUBLIC, copy);
	assert_int_equal(sent(PORT_PRIVATE, out, 8), 1);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(st->drops[ESP_DROP_replayed], 1);
}

static void
df_too_big_gets_frag_needed(void **state)
{
	struct rte_mbuf *m = inner_packet(VNET_HOST, CLIENT_INNER, 1500, true), *out[8];
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint16_t mtu;

	(void)state;
	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	input(0, PORT_PRIVATE, m);
	assert_int_equal(sent(PORT_PUBLIC, out, 8), 0);
	assert_int_equal(sent(PORT_PRIVATE, out, 8), 1);
	ip = ip_after_ether(out[0]);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), VNET_HOST);
	assert_int_equal(icmp->icmp_type, 3);
	assert_int_equal(icmp->icmp_code, 4);
	mtu = rte_be_to_cpu_16(icmp->icmp_seq_nb);
	/* The announced MTU fits the tunnel, and one byte more would not. */
	assert_true(mtu < 1500 && mtu > 1300);
	assert_true(mtu + esp_sa_overhead(client_out, mtu) <= 1500);
	assert_true(mtu + 1 + esp_sa_overhead(client_out, mtu + 1) > 1500);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(tunnel_drops(SA_DROP_frag_needed), 1);
}

static void
non_df_too_big_is_fragmented_outside(void **state)
{
	struct rte_mbuf *m = inner_packet(VNET_HOST, CLIENT_INNER, 1500, false), *out[8];
	struct rte_ipv4_hdr *ip;
	uint32_t total = 0;
	unsigned n, i;

	(void)state;
	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	input(0, PORT_PRIVATE, m);
	n = sent(PORT_PUBLIC, out, 8);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		ip = ip_after_ether(out[i]);
		assert_true(rte_pktmbuf_pkt_len(out[i]) - 14 <= 1500);
		assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
		assert_int_equal(!!(rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_MF_FLAG),
				 i == 0);
		total += rte_be_to_cpu_16(ip->total_length) - 20;
		rte_pktmbuf_free(out[i]);
	}
	/* Outer IP payload: UDP + ESP + IV + 1500 + padding + ICV. */
	assert_true(total > 1500 + 8 + 8 + 8 + 16);
}

static void
other_worker_hands_off_to_owner(void **state)
{
	struct rte_mbuf *out[8];
	struct port_counters c;

	(void)state;
	if (dp.n_workers < 2)
		skip();
	remove_tunnel();
	add_tunnel(1);
	input(0, PORT_PUBLIC, from_client(inner_packet(CLIENT_INNER, VNET_HOST, 100, false)));
	assert_int_equal(sent(PORT_PRIVATE, out, 8), 0);
	dp_port_counters(&dp, PORT_PUBLIC, &c);
	assert_int_equal(c.handoffs, 1);
	/* The owner's next poll takes it from its ring. */
	input(1, PORT_PUBLIC, NULL);
	assert_int_equal(sent(PORT_PRIVATE, out, 8), 1);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(esp_sa_stats(sa_tunnel_get(dp.sa, tunnel_id)->in[0]->esp)->packets, 1);
}

static void
long_input_is_taken_a_burst_at_a_time(void **state)
{
	struct rte_mbuf *in[100], *out[128];
	unsigned i, n;

	(void)state;
	for (i = 0; i < RTE_DIM(in); i++)
		in[i] = from_client(inner_packet(CLIENT_INNER, VNET_HOST, 80, false));
	dp_worker_input(&dp.workers[0], PORT_PUBLIC, in, RTE_DIM(in));
	n = sent(PORT_PRIVATE, out, RTE_DIM(out));
	assert_int_equal(n, RTE_DIM(in));
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
}

/* ---- the SKU's rate (lib/port/shape.c) ---- */

static int tunnel_teardown(void **state);

/*
 * 8 kbit/s: the bucket's 10 ms of idle credit is 10 bytes and a 100-byte
 * packet earns its credit in 0.1 s, so nothing of these tests can pass
 * before the rate is lifted (unless the test stalls for seconds).
 */
#define SLOW_BPS 8000u
#define WAVE 40

static struct rte_mbuf *
vnet_to_client(uint16_t len)
{
	struct rte_mbuf *m = inner_packet(VNET_HOST, CLIENT_INNER, len, false);

	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	return m;
}

/* Down: packets wait for the rate in order, and go in order when it allows. */
static void
rate_holds_down_and_releases_in_order(void **state)
{
	struct rte_mbuf *in[WAVE], *out[WAVE + 8];
	struct dp_shape_stats st, st0;
	enum esp_drop why;
	unsigned i, n;

	(void)state;
	dp_shape_stats(&dp, DP_DOWN, &st0);
	dp_set_rate(&dp, SLOW_BPS);
	for (i = 0; i < WAVE; i++)
		in[i] = vnet_to_client((uint16_t)(100 + i));
	dp_worker_input(&dp.workers[0], PORT_PRIVATE, in, WAVE);
	assert_int_equal(sent(PORT_PUBLIC, out, RTE_DIM(out)), 0);
	dp_shape_stats(&dp, DP_DOWN, &st);
	assert_int_equal(st.rate_bps, SLOW_BPS);
	assert_int_equal(st.queued_packets, WAVE);
	assert_int_equal(st.waited - st0.waited, WAVE);
	assert_int_equal(st.drops, st0.drops);
	/* Polls while the bucket is empty send nothing and lose nothing. */
	input(0, PORT_PUBLIC, NULL);
	assert_int_equal(sent(PORT_PUBLIC, out, RTE_DIM(out)), 0);
	/* The rate lifted (a new SKU): the next poll sends them, in order. */
	dp_set_rate(&dp, 0);
	input(0, PORT_PUBLIC, NULL);
	n = sent(PORT_PUBLIC, out, RTE_DIM(out));
	assert_int_equal(n, WAVE);
	for (i = 0; i < n; i++) {
		rte_pktmbuf_adj(out[i], 14);
		assert_int_equal(esp_inbound(client_crypto, &client_in, &out[i], 1, &why), 1);
		assert_int_equal(rte_pktmbuf_pkt_len(out[i]), 100 + i);
		rte_pktmbuf_free(out[i]);
	}
	dp_shape_stats(&dp, DP_DOWN, &st);
	assert_int_equal(st.queued_packets, 0);
	assert_int_equal(st.queued_bytes, 0);
	assert_int_equal(st.sent_packets - st0.sent_packets, WAVE);
	assert_int_equal(st.sent_bytes - st0.sent_bytes, WAVE * 100 + WAVE * (WAVE - 1) / 2);
}

/* Up: decrypted frames wait as they are, and reach the VNet in order. */
static void
rate_holds_up_and_releases_in_order(void **state)
{
	struct rte_mbuf *in[WAVE], *out[WAVE + 8];
	struct dp_shape_stats st;
	unsigned i, n;

	(void)state;
	dp_set_rate(&dp, SLOW_BPS);
	for (i = 0; i < WAVE; i++)
		in[i] = from_client(inner_packet(CLIENT_INNER, VNET_HOST, (uint16_t)(100 + i), false));
	dp_worker_input(&dp.workers[0], PORT_PUBLIC, in, WAVE);
	assert_int_equal(sent(PORT_PRIVATE, out, RTE_DIM(out)), 0);
	dp_shape_stats(&dp, DP_UP, &st);
	assert_int_equal(st.queued_packets, WAVE);
	/* Decrypted (and counted on the SA) before they waited. */
	assert_int_equal(esp_sa_stats(sa_tunnel_get(dp.sa, tunnel_id)->in[0]->esp)->packets, WAVE);
	dp_set_rate(&dp, 0);
	input(0, PORT_PUBLIC, NULL);
	n = sent(PORT_PRIVATE, out, RTE_DIM(out));
	assert_int_equal(n, WAVE);
	for (i = 0; i < n; i++) {
		assert_memory_equal(rte_pktmbuf_mtod(out[i], uint8_t *), &vnet_mac, 6);
		assert_int_equal(rte_pktmbuf_pkt_len(out[i]), 14 + 100 + i);
		assert_int_equal(ip_after_ether(out[i])->time_to_live, 63);
		rte_pktmbuf_free(out[i]);
	}
}

/* Beyond its queue's share a tunnel's packets are dropped and counted on it. */
static void
rate_queue_share_full_is_dropped_per_tunnel(void **state)
{
	enum { N = SHAPER_QUEUE_MAX + 44 };
	struct rte_mbuf *in[N], *out[64];
	struct dp_shape_stats st0, st;
	unsigned i, n, total = 0;

	(void)state;
	dp_shape_stats(&dp, DP_DOWN, &st0);
	dp_set_rate(&dp, SLOW_BPS);
	for (i = 0; i < N; i++)
		in[i] = vnet_to_client(100);
	dp_worker_input(&dp.workers[0], PORT_PRIVATE, in, N);
	dp_shape_stats(&dp, DP_DOWN, &st);
	/* One busy tunnel: its share is capped at SHAPER_QUEUE_MAX. */
	assert_int_equal(st.queued_packets, SHAPER_QUEUE_MAX);
	assert_int_equal(st.drops - st0.drops, 44);
	assert_int_equal(tunnel_drops(SA_DROP_rate_queue_full), 44);
	dp_set_rate(&dp, 0);
	while ((st.queued_packets != 0)) {
		input(0, PORT_PUBLIC, NULL);
		while ((n = sent(PORT_PUBLIC, out, RTE_DIM(out))) != 0) {
			total += n;
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(out[i]);
		}
		dp_shape_stats(&dp, DP_DOWN, &st);
	}
	assert_int_equal(total, SHAPER_QUEUE_MAX);
}

/* Over the rate: n packets from the VNet to the client wait on worker 0. */
static void
wait_down(unsigned n)
{
	struct rte_mbuf *in[16];
	unsigned i;

	assert_true(n <= RTE_DIM(in));
	dp_set_rate(&dp, SLOW_BPS);
	for (i = 0; i < n; i++)
		in[i] = vnet_to_client(100);
	dp_worker_input(&dp.workers[0], PORT_PRIVATE, in, n);
}

/* A tunnel that goes while its packets wait: they are dropped when they would leave. */
static void
rate_waiting_packets_of_a_removed_tunnel(void **state)
{
	struct rte_mbuf *out[8];
	uint64_t before = port_drops(PORT_PRIVATE, PORT_DROP_no_tunnel);

	(void)state;
	wait_down(8);
	assert_int_equal(sa_tunnel_del(dp.sa, tunnel_id), 0);
	sa_table_reclaim(dp.sa);
	dp_set_rate(&dp, 0);
	input(0, PORT_PUBLIC, NULL);
	assert_int_equal(sent(PORT_PUBLIC, out, RTE_DIM(out)), 0);
	assert_int_equal(port_drops(PORT_PRIVATE, PORT_DROP_no_tunnel), before + 8);
	add_tunnel(0); /* for the teardown */
	esp_sa_clear(client_out);
	esp_sa_clear(client_in);
}

/* Packets still waiting when the data plane stops go back to the pool (group teardown checks). */
static void
rate_waiting_at_stop(void **state)
{
	struct rte_mbuf *in[8];
	unsigned i;

	(void)state;
	wait_down(RTE_DIM(in));
	for (i = 0; i < RTE_DIM(in); i++)
		in[i] = from_client(inner_packet(CLIENT_INNER, VNET_HOST, 100, false));
	dp_worker_input(&dp.workers[0], PORT_PUBLIC, in, RTE_DIM(in));
	assert_int_equal(dp_mbufs_in_use(&dp), baseline + 2 * RTE_DIM(in));
}

static int
rate_teardown(void **state)
{
	(void)state;
	dp_set_rate(&dp, conf_rate_bps(&conf));
	return tunnel_teardown(state);
}

static int
rate_stop_teardown(void **state)
{
	(void)state;
	/* Leaves the packets waiting: the group teardown's dp_stop() frees them. */
	remove_tunnel();
	return 0;
}

static void
seq_soft_limit_reaches_control(void **state)
{
	struct sa_child *out_sa = sa_tunnel_get(dp.sa, tunnel_id)->out;
	struct rte_mbuf *m = inner_packet(VNET_HOST, CLIENT_INNER, 60, false), *out[8];
	uint64_t before = dp.rekeys_wanted, now = rte_rdtsc();

	(void)state;
	/* Without ESN the automatic soft limit is 2^32 - 2^22 (lib/esp). */
	esp_sa_set_seq(out_sa->esp, (1ull << 32) - (1ull << 22));
	add_ether(m, &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	input(0, PORT_PRIVATE, m);
	assert_int_equal(sent(PORT_PUBLIC, out, 8), 1);
	rte_pktmbuf_free(out[0]);
	dp_control_poll(&dp, now + rte_get_tsc_hz());
	assert_int_equal(dp.rekeys_wanted, before + 1);
	/* Reported once, not on every timer tick. */
	dp_control_poll(&dp, now + 2 * rte_get_tsc_hz());
	assert_int_equal(dp.rekeys_wanted, before + 1);
}

/*
 * lib/esp moves the packets it drops behind the good ones; what the worker
 * keeps per packet (tunnel, inner address) must follow its packet. Bursts
 * of three over two tunnels with a drop in the middle, both ways: a packet
 * checked against the other tunnel would be a spoofed source inbound, and
 * would go to the other client outbound.
 */
static void
per_packet_state_follows_esp_drops(void **state)
{
	const uint32_t inner2 = CLIENT_INNER + 1, outer2 = CLIENT_OUTER + 1;
	const struct rte_ether_addr mac2 = { { 0x02, 0xc1, 0, 0, 0, 0x11 } };
	struct sa_tunnel_params tp = { .inner_addr = inner2, .owner = 0 };
	struct port_learn l = { .port = PORT_PUBLIC, .ip = outer2, .mac = mac2, .solicited = 1 };
	struct sa_tunnel *t1 = sa_tunnel_get(dp.sa, tunnel_id), *t2;
	struct rte_mbuf *burst[3], *out[8];
	struct esp_sa *client2 = rte_zmalloc(NULL, esp_sa_size(), RTE_CACHE_LINE_SIZE);
	struct esp_sa_params cp;
	enum esp_drop why;
	uint32_t id2;
	char err[128];
	unsigned i, n;

	(void)state;
	assert_non_null(client2);
	key_params(&tp.in, SPI_GW_IN + 1, GW_PUB, outer2, 4500, CLIENT_PORT);
	key_params(&tp.out, SPI_GW_OUT + 1, GW_PUB, outer2, 4500, CLIENT_PORT);
	assert_int_equal(sa_tunnel_add(dp.sa, dp.ctl_esp, &tp, &id2, err, sizeof(err)), 0);
	t2 = sa_tunnel_get(dp.sa, id2);
	neigh_learn(dp.neigh, &dp, &l, rte_rdtsc());
	key_params(&cp, SPI_GW_IN + 1, outer2, GW_PUB, CLIENT_PORT, 4500);
	assert_int_equal(esp_sa_init(client2, client_crypto, &cp, err, sizeof(err)), 0);

	/* Inbound: tunnel 1 with a broken ICV, tunnel 2, tunnel 1. */
	burst[0] = from_client(inner_packet(CLIENT_INNER, VNET_HOST, 60, false));
	rte_pktmbuf_mtod(burst[0], uint8_t *)[rte_pktmbuf_data_len(burst[0]) - 1] ^= 1;
	burst[1] = inner_packet(inner2, VNET_HOST, 61, false);
	assert_int_equal(esp_outbound(client_crypto, &client2, &burst[1], 1, &why), 1);
	add_ether(burst[1], &mac2, &dp.ports[PORT_PUBLIC].mac);
	burst[2] = from_client(inner_packet(CLIENT_INNER, VNET_HOST, 62, false));
	dp_worker_input(&dp.workers[0], PORT_PUBLIC, burst, 3);
	n = sent(PORT_PRIVATE, out, 8);
	assert_int_equal(n, 2);
	assert_int_equal(rte_be_to_cpu_32(ip_after_ether(out[0])->src_addr), inner2);
	assert_int_equal(rte_be_to_cpu_32(ip_after_ether(out[1])->src_addr), CLIENT_INNER);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	assert_int_equal(esp_sa_stats(t1->in[0]->esp)->drops[ESP_DROP_auth_failed], 1);
	assert_int_equal(t1->stats.drops[SA_DROP_spoofed_source], 0);
	assert_int_equal(t2->stats.drops[SA_DROP_spoofed_source], 0);

	/* Outbound: tunnel 2, tunnel 1 (its sequence numbers used up), tunnel 2. */
	esp_sa_set_seq(t1->out->esp, 1ull << 32);
	for (i = 0; i < 3; i++) {
		burst[i] = inner_packet(VNET_HOST, i == 1 ? CLIENT_INNER : inner2, 100 + i, false);
		add_ether(burst[i], &vnet_mac, &dp.ports[PORT_PRIVATE].mac);
	}
	dp_worker_input(&dp.workers[0], PORT_PRIVATE, burst, 3);
	n = sent(PORT_PUBLIC, out, 8);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_memory_equal(rte_pktmbuf_mtod(out[i], uint8_t *), &mac2, 6);
		assert_int_equal(rte_be_to_cpu_32(ip_after_ether(out[i])->dst_addr), outer2);
		rte_pktmbuf_free(out[i]);
	}
	assert_int_equal(esp_sa_stats(t1->out->esp)->drops[ESP_DROP_seq_exhausted], 1);

	assert_int_equal(sa_tunnel_del(dp.sa, id2), 0);
	sa_table_reclaim(dp.sa);
	esp_sa_clear(client2);
	rte_free(client2);
}

/*
 * lib/sa: keys whose low bits collide (a manual SPI, an aliasing address)
 * spill from the direct slots to the hash and are still found, before and
 * after the slot's owner goes; SPIs from sa_table_spi_new() take free slots;
 * a rekeyed tunnel answers on both SPIs until the old one is removed.
 */
static void
sa_lookups_survive_collisions(void **state)
{
	/* Same low bits as the fixture's SPI and address: only bit 31 / bit 20 differ. */
	const uint32_t spi2 = SPI_GW_IN ^ 0x80000000u, addr2 = CLIENT_INNER ^ 0x00100000u;
	struct sa_tunnel_params tp = { .inner_addr = addr2, .owner = 0 };
	struct sa_tunnel *t1 = sa_tunnel_get(dp.sa, tunnel_id), *t2;
	struct esp_sa_params in, out;
	uint32_t keys[3], id2, spi_new;
	struct sa_child *c[3];
	struct sa_tunnel *tun[2];
	char err[128];

	(void)state;
	key_params(&tp.in, spi2, GW_PUB, CLIENT_OUTER, 4500, CLIENT_PORT);
	key_params(&tp.out, SPI_GW_OUT + 1, GW_PUB, CLIENT_OUTER, 4500, CLIENT_PORT);
	assert_int_equal(sa_tunnel_add(dp.sa, dp.ctl_esp, &tp, &id2, err, sizeof(err)), 0);
	t2 = sa_tunnel_get(dp.sa, id2);
	/* The same SPI or address again is refused, whichever way it is stored. */
	tp.inner_addr = addr2 ^ 1;
	assert_int_equal(sa_tunnel_add(dp.sa, dp.ctl_esp, &tp, &keys[0], err, sizeof(err)),
			 -EEXIST);

	keys[0] = SPI_GW_IN;
	keys[1] = spi2;
	keys[2] = SPI_GW_IN ^ 0x40000000u; /* nobody's */
	sa_lookup_spi_bulk(dp.sa, keys, 3, c);
	assert_ptr_equal(c[0], t1->in[0]);
	assert_ptr_equal(c[1], t2->in[0]);
	assert_null(c[2]);
	keys[0] = CLIENT_INNER;
	keys[1] = addr2;
	sa_lookup_addr_bulk(dp.sa, keys, 2, tun);
	assert_ptr_equal(tun[0], t1);
	assert_ptr_equal(tun[1], t2);
	assert_null(sa_lookup_addr(dp.sa, CLIENT_INNER ^ 0x00200000u));

	/* Rekey the second tunnel with an SPI the table hands out. */
	spi_new = sa_table_spi_new(dp.sa);
	assert_true(spi_new >= 256);
	assert_null(sa_lookup_spi(dp.sa, spi_new));
	key_params(&in, spi_new, GW_PUB, CLIENT_OUTER, 4500, CLIENT_PORT);
	key_params(&out, SPI_GW_OUT + 2, GW_PUB, CLIENT_OUTER, 4500, CLIENT_PORT);
	assert_int_equal(sa_tunnel_rekey(dp.sa, dp.ctl_esp, id2, &in, &out, err, sizeof(err)), 0);
	assert_ptr_equal(sa_lookup_spi(dp.sa, spi_new), t2->in[1]);
	assert_ptr_equal(sa_lookup_spi(dp.sa, spi2), t2->in[0]);
	assert_int_equal(sa_child_remove(dp.sa, spi2), 0);
	assert_null(sa_lookup_spi(dp.sa, spi2));
	assert_ptr_equal(sa_lookup_spi(dp.sa, spi_new), t2->in[1]);

	/* The fixture's tunnel goes: the spilled address is found without its slot's owner. */
	remove_tunnel();
	assert_null(sa_lookup_spi(dp.sa, SPI_GW_IN));
	assert_null(sa_lookup_addr(dp.sa, CLIENT_INNER));
	assert_ptr_equal(sa_lookup_addr(dp.sa, addr2), t2);
	add_tunnel(0);
	assert_ptr_equal(sa_lookup_addr(dp.sa, CLIENT_INNER), sa_tunnel_get(dp.sa, tunnel_id));
	assert_ptr_equal(sa_lookup_addr(dp.sa, addr2), t2);
	assert_int_equal(sa_tunnel_del(dp.sa, id2), 0);
	assert_null(sa_lookup_spi(dp.sa, spi_new));
	assert_null(sa_lookup_addr(dp.sa, addr2));
	sa_table_reclaim(dp.sa);
}

static int
group_setup(void **state)
{
	struct port_learn l = { .solicited = 1 };
	char err[CONF_ERR_MAX];

	(void)state;
	assert_int_equal(conf_load_string(config, "dp-test.conf", &conf, err, sizeof(err)), 0);
	snprintf(conf.profile_dir, sizeof(conf.profile_dir), "%s/../drivers-cfg", TEST_SRCDIR);
	if (dp_create(&dp, &conf, err, sizeof(err)) != 0) {
		print_error("dp_create: %s\n", err);
		return -1;
	}
	client_crypto = esp_worker_create(0);
	assert_non_null(client_crypto);
	/* The gateway knows both neighbours already. */
	l.port = PORT_PUBLIC;
	l.ip = CLIENT_OUTER;
	l.mac = client_mac;
	neigh_learn(dp.neigh, &dp, &l, rte_rdtsc());
	l.port = PORT_PRIVATE;
	l.ip = VNET_HOST;
	l.mac = vnet_mac;
	neigh_learn(dp.neigh, &dp, &l, rte_rdtsc());
	baseline = dp_mbufs_in_use(&dp);
	return 0;
}

static int
group_teardown(void **state)
{
	unsigned left;

	(void)state;
	esp_worker_free(client_crypto);
	dp_stop(&dp);
	left = dp_mbufs_in_use(&dp);
	dp_destroy(&dp);
	conf_free(&conf);
	if (left != 0)
		print_error("%u mbufs not returned\n", left);
	return left != 0 ? -1 : 0;
}


/* ---- IPv4-fragmented IKE: reassembled on the control core (ikefrag.c) ---- */

static struct rte_mbuf *ike_got;
static unsigned ike_calls;

static void
ike_catch(void *arg, struct rte_mbuf *m, uint64_t now)
{
	(void)arg, (void)now;
	ike_calls++;
	rte_pktmbuf_free(ike_got);
	ike_got = m;
}

/* One fragment of a UDP datagram to the public address: bytes [off, off + len) of it. */
static struct rte_mbuf *
udp_fragment(const uint8_t *dgram, uint16_t off, uint16_t len, bool more, uint16_t id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mbufs);
	struct rte_ipv4_hdr *ip;

	assert_non_null(m);
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*ip) + len));
	assert_non_null(ip);
	if (ip == NULL)
		return NULL;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = rte_cpu_to_be_16((uint16_t)((off / 8) | (more ? RTE_IPV4_HDR_MF_FLAG : 0)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(CLIENT_OUTER);
	ip->dst_addr = rte_cpu_to_be_32(GW_PUB);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(ip + 1, dgram + off, len);
	add_ether(m, &client_mac, &dp.ports[PORT_PUBLIC].mac);
	return m;
}

static void
fragmented_ike_is_reassembled(void **state)
{
	uint8_t dgram[3000], flat[3100];
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)dgram;
	const uint8_t *got;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)(i * 7);
	udp->src_port = rte_cpu_to_be_16(500);
	udp->dst_port = rte_cpu_to_be_16(500);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(dgram));
	udp->dgram_cksum = 0;
	dp.ike_input = ike_catch;
	ike_calls = 0;
	/* Out of order: the last fragment first, then the two before it. */
	input(0, PORT_PUBLIC, udp_fragment(dgram, 2960, 40, false, 77));
	input(0, PORT_PUBLIC, udp_fragment(dgram, 0, 1480, true, 77));
	dp_control_poll(&dp, rte_rdtsc());
	assert_int_equal(ike_calls, 0); /* incomplete: kept */
	input(0, PORT_PUBLIC, udp_fragment(dgram, 1480, 1480, true, 77));
	dp_control_poll(&dp, rte_rdtsc());
	assert_int_equal(ike_calls, 1);
	assert_non_null(ike_got);
	assert_int_equal(rte_pktmbuf_pkt_len(ike_got), 14 + 20 + sizeof(dgram));
	got = rte_pktmbuf_read(ike_got, 0, rte_pktmbuf_pkt_len(ike_got), flat);
	assert_memory_equal(got + 14 + 20, dgram, sizeof(dgram));
	assert_int_equal(dp.ike_fragments, 3);
	assert_int_equal(dp.ike_reassembled, 1);
	rte_pktmbuf_free(ike_got);
	ike_got = NULL;

	/* A lone fragment is held; freeing the table (dp_stop() does) gives it back. */
	input(0, PORT_PUBLIC, udp_fragment(dgram, 0, 1480, true, 78));
	dp_control_poll(&dp, rte_rdtsc());
	assert_int_equal(ike_calls, 1);
	assert_int_equal(dp_mbufs_in_use(&dp), baseline + 1);
	dp_ike_frag_free(&dp);
	assert_int_equal(dp_mbufs_in_use(&dp), baseline);
	assert_int_equal(dp_ike_frag_create(&dp, SOCKET_ID_ANY), 0);
	dp.ike_input = NULL;
}

static int
tunnel_setup(void **state)
{
	(void)state;
	add_tunnel(0);
	return 0;
}

static int
tunnel_teardown(void **state)
{
	(void)state;
	remove_tunnel();
	/* Nothing left in flight and every mbuf back. */
	assert_int_equal(dp_mbufs_in_use(&dp), baseline);
	return 0;
}

int
main(int argc, char **argv)
{
	/* Three lcores on whatever CPU there is: a control core and two workers. */
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
			"--no-telemetry", "--lcores", "0@0,1@0,2@0", "--log-level", "lib.eal:error",
			"--log-level", "p2sgw.*:warning" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fragmented_ike_is_reassembled),
		cmocka_unit_test_setup_teardown(inbound_decrypts_and_routes, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(outbound_encrypts_to_client, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(policy_drops, tunnel_setup, tunnel_teardown),
		cmocka_unit_test_setup_teardown(replay_is_dropped, tunnel_setup, tunnel_teardown),
		cmocka_unit_test_setup_teardown(df_too_big_gets_frag_needed, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(non_df_too_big_is_fragmented_outside, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(other_worker_hands_off_to_owner, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(seq_soft_limit_reaches_control, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(long_input_is_taken_a_burst_at_a_time, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(sa_lookups_survive_collisions, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(per_packet_state_follows_esp_drops, tunnel_setup,
						tunnel_teardown),
		cmocka_unit_test_setup_teardown(rate_holds_down_and_releases_in_order, tunnel_setup,
						rate_teardown),
		cmocka_unit_test_setup_teardown(rate_holds_up_and_releases_in_order, tunnel_setup,
						rate_teardown),
		cmocka_unit_test_setup_teardown(rate_queue_share_full_is_dropped_per_tunnel,
						tunnel_setup, rate_teardown),
		cmocka_unit_test_setup_teardown(rate_waiting_packets_of_a_removed_tunnel,
						tunnel_setup, rate_teardown),
		/* Last: it leaves packets waiting for dp_stop(). */
		cmocka_unit_test_setup_teardown(rate_waiting_at_stop, tunnel_setup, rate_stop_teardown),
	};
	int failed;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		return 1;
	failed = cmocka_run_group_tests_name("datapath", tests, group_setup, group_teardown);
	rte_eal_cleanup();
	return failed;
}
