/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the whole worker path: any frame into either port of
 * a real dp (net_ring ports, one manually keyed tunnel), through
 * dp_worker_input() exactly as the poll loop runs it — classification, SA
 * lookup, lib/esp, policy, routing, ICMP, fragmentation, TX. The first byte
 * picks the port; with its bit 1 set the rest is an inner packet that the
 * client's SA seals first, so the fuzzer also reaches the code after a
 * successful decryption; with bit 2 the SKU's rate is nearly zero, so what
 * passes the tunnel paths waits in its queue and leaves when the rate is
 * lifted. Whatever the input, nothing may crash and every
 * mbuf must come back to the pool.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "conf.h"
#include "esp.h"
#include "neigh.h"
#include "port.h"
#include "sa.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GW_PUB 0xc6336401u        /* 198.51.100.1 */
#define CLIENT_OUTER 0xc633640au  /* 198.51.100.10 */
#define CLIENT_INNER 0xac10c902u  /* 172.16.201.2 */

static const char config[] =
	"name = \"fuzz\";\n"
	"ports = {\n"
	"  public  = { profile = \"ring\"; address = \"198.51.100.1/24\"; next_hop = \"198.51.100.254\"; mtu = 1500; };\n"
	"  private = { profile = \"ring\"; address = \"10.1.0.1/24\"; mtu = 1500; };\n"
	"};\n"
	"client_pool = \"172.16.201.0/24\";\n"
	"vnet = [ \"10.1.0.0/16\" ];\n"
	"sku = \"VpnGw1\";\n"
	"protocols = [ \"ikev2\" ];\n"
	"auth = [ \"certificate\" ];\n"
	"cli = { socket = \"/tmp/p2sgw-fuzz.sock\"; };\n"
	"dataplane = { profile_dir = \"" P2SGW_SOURCE_DRIVERS_CFG_DIR "\"; };\n";

static struct conf conf;
static struct dp dp;
static struct esp_worker *client_crypto;
static struct esp_sa *client_out;
static unsigned baseline;

static void
params(struct esp_sa_params *p, uint32_t spi, uint32_t local, uint32_t remote, uint16_t lport,
       uint16_t rport)
{
	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->cipher = ESP_CIPHER_AES_GCM_16;
	p->key_len = 32;
	memset(p->key, 0x5a, 32);
	memcpy(p->salt, "fuzz", 4);
	p->local_addr = local;
	p->remote_addr = remote;
	p->udp_encap = true;
	p->local_port = lport;
	p->remote_port = rport;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { (*argv)[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
			"--no-telemetry", "--lcores", "0@0,1@0", "--log-level", "*:error" };
	struct sa_tunnel_params tp = { .inner_addr = CLIENT_INNER, .owner = 0 };
	struct port_learn l = { .solicited = 1, .mac = { { 2, 0, 0, 0, 0, 9 } } };
	struct esp_sa_params cp;
	char err[CONF_ERR_MAX];
	uint32_t id;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0 ||
	    conf_load_string(config, "fuzz.conf", &conf, err, sizeof(err)) != 0 ||
	    dp_create(&dp, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_datapath: set-up failed: %s\n", err);
		abort();
	}
	params(&tp.in, 0x100, GW_PUB, CLIENT_OUTER, 4500, 4500);
	params(&tp.out, 0x200, GW_PUB, CLIENT_OUTER, 4500, 4500);
	client_crypto = esp_worker_create(0);
	client_out = rte_zmalloc(NULL, esp_sa_size(), RTE_CACHE_LINE_SIZE);
	params(&cp, 0x100, CLIENT_OUTER, GW_PUB, 4500, 4500);
	if (sa_tunnel_add(dp.sa, dp.ctl_esp, &tp, &id, err, sizeof(err)) != 0 ||
	    client_crypto == NULL || client_out == NULL ||
	    esp_sa_init(client_out, client_crypto, &cp, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_datapath: tunnel: %s\n", err);
		abort();
	}
	/* Both neighbours known, so frames leave instead of waiting for ARP. */
	l.port = PORT_PUBLIC;
	l.ip = CLIENT_OUTER;
	neigh_learn(dp.neigh, &dp, &l, 0);
	l.port = PORT_PRIVATE;
	l.ip = 0x0a01000a;
	neigh_learn(dp.neigh, &dp, &l, 0);
	baseline = dp_mbufs_in_use(&dp);
	return 0;
}

/* The client seals an inner packet into an Ethernet frame for the public port. */
static struct rte_mbuf *
sealed(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth;
	enum esp_drop why;

	if (esp_outbound(client_crypto, &client_out, &m, 1, &why) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	eth->dst_addr = dp.ports[PORT_PUBLIC].mac;
	memset(&eth->src_addr, 0, sizeof(eth->src_addr));
	eth->src_addr.addr_bytes[0] = 2;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	return m;
}

static void
drain(void)
{
	struct rte_mbuf *out[32];
	struct port_learn learn[32];
	unsigned p;
	uint16_t n, i;

	for (p = 0; p < PORT_COUNT; p++)
		while ((n = rte_eth_rx_burst(dp.ports[p].port_id, 0, out, 32)) > 0)
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(out[i]);
	/* What went to the control core: frames waiting for ARP, IKE messages,
	 * neighbour news. Not resolved here: held frames would look like leaks. */
	while (rte_ring_dequeue(dp.punt_ring, (void **)out) == 0)
		rte_pktmbuf_free(out[0]);
	while (rte_ring_dequeue(dp.ike_ring, (void **)out) == 0)
		rte_pktmbuf_free(out[0]);
	while (rte_ring_dequeue_burst_elem(dp.learn_ring, learn, sizeof(learn[0]), 32, NULL) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m;
	enum port_index pi;
	char *room;

	if (size < 1 || size > 1600)
		return 0;
	pi = data[0] & 1 ? PORT_PRIVATE : PORT_PUBLIC;
	m = rte_pktmbuf_alloc(dp.mbufs);
	if (m == NULL)
		abort();
	room = rte_pktmbuf_append(m, size - 1 ? size - 1 : 1);
	memcpy(room, data + 1, size - 1);
	if (size == 1)
		rte_pktmbuf_trim(m, 1);
	if (data[0] & 2) {
		pi = PORT_PUBLIC;
		m = sealed(m);
	}
	/* Bit 2: over the SKU's rate, so the frame waits in its tunnel's queue
	 * (lib/port/shape.c) and leaves when the rate is lifted. */
	dp_set_rate(&dp, data[0] & 4 ? 8000 : 0);
	if (m != NULL)
		dp_worker_input(&dp.workers[0], pi, &m, 1);
	if (data[0] & 4) {
		dp_set_rate(&dp, 0);
		dp_worker_input(&dp.workers[0], PORT_PUBLIC, NULL, 0);
	}
	drain();
	if (dp_mbufs_in_use(&dp) != baseline) {
		fprintf(stderr, "fuzz_datapath: %u mbufs not returned\n",
			dp_mbufs_in_use(&dp) - baseline);
		abort();
	}
	return 0;
}
