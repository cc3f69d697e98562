/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/port: the frame handling of l2l3 (ARP, proxy ARP, ICMP
 * echo, every drop reason) on byte buffers, and the neighbour table on a real
 * EAL (no hugepages): resolution by ARP, learning, probing, failure, bounds,
 * and that every mbuf goes back to its pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "l2l3.h"
#include "neigh.h"

#define GW_MAC { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } }
#define HOST_MAC { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 } }
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static const struct rte_ether_addr gw_mac = GW_MAC;
static const struct rte_ether_addr host_mac = HOST_MAC;
static const struct conf_prefix pool = { .addr = IP(172, 16, 201, 0), .len = 24 };

static struct port
test_port(int proxy)
{
	struct port p = {
		.mac = GW_MAC,
		.addr = IP(10, 1, 0, 1),
		.mask = 0xffffff00,
		.next_hop = IP(10, 1, 0, 254),
		.proxy_arp_pool = proxy,
		.outside = !proxy,
	};
	return p;
}

/* ---- frame builders ---- */

static uint32_t
build_arp(uint8_t *f, uint16_t op, uint32_t sip, uint32_t tip, const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(f, 0, 64);
	eth->dst_addr = *dst;
	eth->src_addr = host_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = 6;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = host_mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return sizeof(*eth) + sizeof(*arp);
}

/* An echo request of `payload` bytes from src to dst; returns the frame length. */
static uint32_t
build_echo(uint8_t *f, uint32_t src, uint32_t dst, uint32_t payload)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	uint32_t i, icmp_len = sizeof(*icmp) + payload;

	memset(f, 0, sizeof(*eth) + sizeof(*ip) + icmp_len);
	eth->dst_addr = gw_mac;
	eth->src_addr = host_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + icmp_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(0x1234);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(7);
	for (i = 0; i < payload; i++)
		((uint8_t *)(icmp + 1))[i] = (uint8_t)i;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, icmp_len);
	return sizeof(*eth) + sizeof(*ip) + icmp_len;
}

static struct rte_ipv4_hdr *
ip_of(uint8_t *f)
{
	return (struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
}

static void
refresh_ip_cksum(uint8_t *f)
{
	ip_of(f)->hdr_checksum = 0;
	ip_of(f)->hdr_checksum = rte_ipv4_cksum(ip_of(f));
}

static enum l2l3_verdict
run(struct port *p, enum port_index pi, uint8_t *f, uint32_t len, struct l2l3_result *r)
{
	return l2l3_input(p, pi, &pool, f, len, r);
}

static void
expect_drop(struct port *p, uint8_t *f, uint32_t len, enum port_drop why)
{
	struct l2l3_result r;

	assert_int_equal(run(p, PORT_PUBLIC, f, len, &r), L2L3_DROP);
	assert_string_equal(port_drop_name(r.drop), port_drop_name(why));
}

/* ---- ARP ---- */

static void
arp_request_for_us_is_answered(void **state)
{
	struct port p = test_port(0);
	struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	uint8_t f[64];
	struct l2l3_result r;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(f + 14);
	uint32_t len = build_arp(f, RTE_ARP_OP_REQUEST, IP(10, 1, 0, 7), p.addr, &bcast);

	(void)state;
	assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_TX);
	assert_int_equal(r.len, len);
	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
	assert_memory_equal(&arp->arp_data.arp_sha, &gw_mac, 6);
	assert_memory_equal(&arp->arp_data.arp_tha, &host_mac, 6);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_sip), p.addr);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), IP(10, 1, 0, 7));
	assert_memory_equal(f, &host_mac, 6);     /* Ethernet destination */
	assert_memory_equal(f + 6, &gw_mac, 6);   /* Ethernet source */
	/* RFC 826: a request to us teaches us the sender and may create an entry. */
	assert_true(r.learn);
	assert_int_equal(r.learn_msg.ip, IP(10, 1, 0, 7));
	assert_true(r.learn_msg.solicited);
	assert_memory_equal(&r.learn_msg.mac, &host_mac, 6);
}

static void
proxy_arp_only_for_pool_on_private(void **state)
{
	struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct port priv = test_port(1), pub = test_port(0);
	struct l2l3_result r;
	uint8_t f[64];
	uint32_t len;

	(void)state;
	len = build_arp(f, RTE_ARP_OP_REQUEST, IP(10, 1, 0, 7), IP(172, 16, 201, 5), &bcast);
	assert_int_equal(run(&priv, PORT_PRIVATE, f, len, &r), L2L3_TX);
	assert_int_equal(rte_be_to_cpu_32(((struct rte_arp_hdr *)(f + 14))->arp_data.arp_sip),
			 IP(172, 16, 201, 5));
	/* A request to us from outside our subnet's pool is not learned as solicited. */
	assert_false(r.learn_msg.solicited);

	len = build_arp(f, RTE_ARP_OP_REQUEST, IP(10, 1, 0, 7), IP(172, 16, 201, 5), &bcast);
	assert_int_equal(run(&pub, PORT_PUBLIC, f, len, &r), L2L3_DROP);
	assert_int_equal(r.drop, PORT_DROP_arp_not_for_us);

	len = build_arp(f, RTE_ARP_OP_REQUEST, IP(10, 1, 0, 7), IP(10, 1, 0, 9), &bcast);
	assert_int_equal(run(&priv, PORT_PRIVATE, f, len, &r), L2L3_DROP);
	assert_int_equal(r.drop, PORT_DROP_arp_not_for_us);
}

static void
arp_reply_is_learned_not_created(void **state)
{
	struct port p = test_port(0);
	struct l2l3_result r;
	uint8_t f[64];
	uint32_t len = build_arp(f, RTE_ARP_OP_REPLY, IP(10, 1, 0, 254), p.addr, &gw_mac);

	(void)state;
	assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_CONSUMED);
	assert_true(r.learn);
	assert_false(r.learn_msg.solicited);
	assert_int_equal(r.learn_msg.ip, IP(10, 1, 0, 254));
}

static void
arp_malformed_and_foreign(void **state)
{
	struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct port p = test_port(0);
	uint8_t f[64];
	uint32_t len;

	(void)state;
	len = build_arp(f, RTE_ARP_OP_REQUEST, IP(10, 1, 0, 7), p.addr, &bcast);
	expect_drop(&p, f, len - 1, PORT_DROP_arp_malformed);
	f[14 + 4] = 8; /* hardware address length */
	expect_drop(&p, f, len, PORT_DROP_arp_malformed);
	len = build_arp(f, 9, IP(10, 1, 0, 7), p.addr, &bcast);
	expect_drop(&p, f, len, PORT_DROP_arp_malformed);
	len = build_arp(f, RTE_ARP_OP_REQUEST, IP(10, 1, 0, 7), IP(10, 1, 0, 8), &bcast);
	expect_drop(&p, f, len, PORT_DROP_arp_not_for_us);
}

/* ---- layer 2 ---- */

static void
l2_filters(void **state)
{
	struct port p = test_port(0);
	uint8_t f[128];
	uint32_t len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;

	(void)state;
	expect_drop(&p, f, 13, PORT_DROP_runt);
	eth->src_addr = gw_mac;
	expect_drop(&p, f, len, PORT_DROP_own_frame);
	eth->src_addr = host_mac;
	eth->dst_addr.addr_bytes[5] = 0x42;
	expect_drop(&p, f, len, PORT_DROP_l2_not_for_us);
	eth->dst_addr = gw_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	expect_drop(&p, f, len, PORT_DROP_ethertype);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	expect_drop(&p, f, len, PORT_DROP_ethertype);
}

/* ---- IPv4 and ICMP ---- */

static void
echo_request_gets_reply(void **state)
{
	struct port p = test_port(0);
	uint8_t f[256];
	struct l2l3_result r;
	uint32_t len = build_echo(f, IP(10, 1, 0, 7), p.addr, 56);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip_of(f) + 1);

	(void)state;
	/* Ethernet padding after the IP packet must not be echoed. */
	assert_int_equal(run(&p, PORT_PUBLIC, f, len + 6, &r), L2L3_TX_RESOLVE);
	assert_int_equal(r.len, len);
	assert_int_equal(r.next_hop, IP(10, 1, 0, 7));
	assert_int_equal(rte_be_to_cpu_32(ip_of(f)->src_addr), p.addr);
	assert_int_equal(rte_be_to_cpu_32(ip_of(f)->dst_addr), IP(10, 1, 0, 7));
	assert_int_equal(rte_raw_cksum(ip_of(f), 20), 0xffff);
	assert_int_equal(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_seq_nb), 7);
	assert_int_equal(rte_raw_cksum(icmp, 8 + 56), 0xffff);
	assert_memory_equal(f + 6, &gw_mac, 6);
}

static void
echo_from_far_away_goes_to_next_hop(void **state)
{
	struct port p = test_port(0);
	uint8_t f[128];
	struct l2l3_result r;
	uint32_t len = build_echo(f, IP(203, 0, 113, 9), p.addr, 0);

	(void)state;
	assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_TX_RESOLVE);
	assert_int_equal(r.next_hop, p.next_hop);

	p.next_hop = 0;
	len = build_echo(f, IP(203, 0, 113, 9), p.addr, 0);
	expect_drop(&p, f, len, PORT_DROP_no_route);
}

static void
ipv4_drops(void **state)
{
	struct port p = test_port(0);
	uint8_t f[128];
	uint32_t len;

	(void)state;
	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	expect_drop(&p, f, 14 + 19, PORT_DROP_runt);
	ip_of(f)->version_ihl = 0x65;
	expect_drop(&p, f, len, PORT_DROP_ip_malformed);
	ip_of(f)->version_ihl = 0x44;
	expect_drop(&p, f, len, PORT_DROP_ip_malformed);
	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	expect_drop(&p, f, len - 1, PORT_DROP_ip_malformed); /* total length beyond frame */
	ip_of(f)->hdr_checksum ^= 1;
	expect_drop(&p, f, len, PORT_DROP_ip_checksum);

	len = build_echo(f, IP(10, 1, 0, 255), p.addr, 8); /* subnet broadcast */
	expect_drop(&p, f, len, PORT_DROP_ip_martian);
	len = build_echo(f, IP(127, 0, 0, 1), p.addr, 8);
	expect_drop(&p, f, len, PORT_DROP_ip_martian);
	len = build_echo(f, p.addr, p.addr, 8);
	expect_drop(&p, f, len, PORT_DROP_ip_martian);
	len = build_echo(f, IP(10, 1, 0, 7), IP(10, 1, 0, 8), 8);
	expect_drop(&p, f, len, PORT_DROP_ip_not_for_us);

	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	ip_of(f)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	refresh_ip_cksum(f);
	expect_drop(&p, f, len, PORT_DROP_ip_fragment);
	/* A UDP fragment to the public address may be IKE: to the control core. */
	ip_of(f)->next_proto_id = IPPROTO_UDP;
	refresh_ip_cksum(f);
	{
		struct l2l3_result r;
		struct port priv = test_port(1);

		assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_IKE);
		ip_of(f)->dst_addr = rte_cpu_to_be_32(priv.addr);
		refresh_ip_cksum(f);
		expect_drop(&priv, f, len, PORT_DROP_ip_fragment); /* not on the private port */
		ip_of(f)->dst_addr = rte_cpu_to_be_32(p.addr);
	}

	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	ip_of(f)->next_proto_id = IPPROTO_TCP;
	refresh_ip_cksum(f);
	expect_drop(&p, f, len, PORT_DROP_no_service);
}

/* ---- tunnels: what the public port hands to ESP and IKE, the private port to clients ---- */

/* A UDP datagram to dport carrying payload; returns the frame length. */
static uint32_t
build_udp(uint8_t *f, uint32_t src, uint32_t dst, uint16_t dport, const uint8_t *payload,
	  uint32_t plen)
{
	struct rte_udp_hdr *udp;
	uint32_t len = build_echo(f, src, dst, 0);

	udp = (struct rte_udp_hdr *)(ip_of(f) + 1);
	memset(udp, 0, sizeof(*udp));
	udp->src_port = rte_cpu_to_be_16(4500);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + plen);
	memcpy(udp + 1, payload, plen);
	len = 14 + 20 + sizeof(*udp) + plen;
	ip_of(f)->next_proto_id = IPPROTO_UDP;
	ip_of(f)->total_length = rte_cpu_to_be_16(len - 14);
	refresh_ip_cksum(f);
	return len;
}

static void
public_udp_classified(void **state)
{
	static const uint8_t ike[] = { 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t esp[] = { 0xc0, 0x01, 0x02, 0x03, 0, 0, 0, 1, 0xaa, 0xbb };
	static const uint8_t keepalive[] = { 0xff };
	struct port p = test_port(0);
	struct l2l3_result r;
	uint8_t f[256];
	uint32_t len;

	(void)state;
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 500, esp, sizeof(esp));
	assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_IKE);
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 4500, ike, sizeof(ike));
	assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_IKE);
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 4500, esp, sizeof(esp));
	assert_int_equal(run(&p, PORT_PUBLIC, f, len, &r), L2L3_ESP);
	assert_true(r.udp_encap);
	assert_int_equal(r.spi, 0xc0010203);
	/* ESP must fill the IP packet exactly (what esp_peek_spi and lib/esp want). */
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 4500, esp, sizeof(esp));
	((struct rte_udp_hdr *)(ip_of(f) + 1))->dgram_len = rte_cpu_to_be_16(8 + sizeof(esp) - 1);
	expect_drop(&p, f, len, PORT_DROP_esp_malformed);
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 4500, keepalive, sizeof(keepalive));
	expect_drop(&p, f, len, PORT_DROP_nat_keepalive);
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 4500, esp, 5);
	expect_drop(&p, f, len, PORT_DROP_esp_malformed);
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 53, esp, sizeof(esp));
	expect_drop(&p, f, len, PORT_DROP_no_service);
	/* The UDP length may not run past the IP packet. */
	len = build_udp(f, IP(203, 0, 113, 9), p.addr, 4500, esp, sizeof(esp));
	((struct rte_udp_hdr *)(ip_of(f) + 1))->dgram_len = rte_cpu_to_be_16(100);
	expect_drop(&p, f, len, PORT_DROP_udp_malformed);
}

static void
raw_esp_only_on_public(void **state)
{
	struct port pub = test_port(0), priv = test_port(1);
	struct l2l3_result r;
	uint8_t f[256];
	uint32_t len;

	(void)state;
	len = build_echo(f, IP(203, 0, 113, 9), pub.addr, 16);
	ip_of(f)->next_proto_id = IPPROTO_ESP;
	refresh_ip_cksum(f);
	assert_int_equal(run(&pub, PORT_PUBLIC, f, len, &r), L2L3_ESP);
	assert_false(r.udp_encap);
	assert_int_equal(r.spi >> 24, RTE_IP_ICMP_ECHO_REQUEST); /* the echo's first bytes */
	/* RFC 4303 §2.1: SPI 0 is nobody's. */
	memset(ip_of(f) + 1, 0, 4);
	expect_drop(&pub, f, len, PORT_DROP_esp_malformed);
	len = build_echo(f, IP(10, 1, 0, 7), priv.addr, 16);
	ip_of(f)->next_proto_id = IPPROTO_ESP;
	refresh_ip_cksum(f);
	assert_int_equal(run(&priv, PORT_PRIVATE, f, len, &r), L2L3_DROP);
	assert_int_equal(r.drop, PORT_DROP_no_service);
}

/* UDP to the private address: RADIUS replies on our client port, nothing else. */
static void
private_udp_radius_only(void **state)
{
	static const uint8_t reply[] = { 2, 7, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8,
					 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 };
	struct port pub = test_port(0), priv = test_port(1);
	struct l2l3_result r;
	uint8_t f[256];
	uint32_t len;

	(void)state;
	len = build_udp(f, IP(10, 1, 0, 10), priv.addr, L2L3_RADIUS_PORT, reply, sizeof(reply));
	assert_int_equal(run(&priv, PORT_PRIVATE, f, len, &r), L2L3_RADIUS);
	len = build_udp(f, IP(10, 1, 0, 10), priv.addr, 1812, reply, sizeof(reply));
	expect_drop(&priv, f, len, PORT_DROP_no_service);
	len = build_udp(f, IP(10, 1, 0, 10), priv.addr, 500, reply, sizeof(reply));
	expect_drop(&priv, f, len, PORT_DROP_no_service);
	len = build_udp(f, IP(10, 1, 0, 10), priv.addr, L2L3_RADIUS_PORT, reply, sizeof(reply));
	((struct rte_udp_hdr *)(ip_of(f) + 1))->dgram_len = rte_cpu_to_be_16(100);
	expect_drop(&priv, f, len, PORT_DROP_udp_malformed);
	/* Not on the public port. */
	len = build_udp(f, IP(203, 0, 113, 9), pub.addr, L2L3_RADIUS_PORT, reply, sizeof(reply));
	expect_drop(&pub, f, len, PORT_DROP_no_service);
}

/*
 * l2l3_input_fast() may only accept what l2l3_input_full() classifies the
 * same way: the three frames it is for, and every one-byte change of them
 * (each byte set to a few values) and every shorter length, on both ports.
 * expect: its verdict on the frame as built, L2L3_DROP if it must decline it.
 */
static void
fast_path_agrees_with_full(struct port *p, enum port_index pi, const uint8_t *orig,
			   uint32_t len, enum l2l3_verdict expect)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x11, 0x32, 0x45, 0x46, 0x7f, 0xff };
	struct l2l3_result fast, full;
	enum l2l3_verdict vf, v;
	uint8_t f[256], g[256];

	for (uint32_t pos = 0; pos <= len; pos++) {
		for (unsigned k = 0; k < (pos < len ? sizeof(values) : 1); k++) {
			/* pos == len: the unchanged frame, cut at every length. */
			for (uint32_t n = pos < len ? len : 0; n <= len; n++) {
				memcpy(f, orig, len);
				if (pos < len)
					f[pos] = values[k];
				memcpy(g, f, len);
				if (!l2l3_input_fast(p, &pool, f, n, &fast, &vf))
					continue;
				v = l2l3_input_full(p, pi, &pool, g, n, &full);
				assert_int_equal(vf, v);
				assert_int_equal(fast.learn, 0);
				assert_int_equal(full.learn, 0);
				if (v == L2L3_ESP) {
					assert_int_equal(fast.spi, full.spi);
					assert_int_equal(fast.udp_encap, full.udp_encap);
				}
			}
		}
	}
	memcpy(f, orig, len);
	if (expect == L2L3_DROP) {
		assert_false(l2l3_input_fast(p, &pool, f, len, &fast, &vf));
		return;
	}
	assert_true(l2l3_input_fast(p, &pool, f, len, &fast, &vf));
	assert_int_equal(vf, expect);
}

static void
fast_path_same_verdicts(void **state)
{
	static const uint8_t esp[] = { 0xc0, 0x01, 0x02, 0x03, 0, 0, 0, 1, 0xaa, 0xbb, 1, 2 };
	struct port pub = test_port(0), priv = test_port(1);
	uint8_t f[256];
	uint32_t len;

	(void)state;
	len = build_udp(f, IP(203, 0, 113, 9), pub.addr, 4500, esp, sizeof(esp));
	fast_path_agrees_with_full(&pub, PORT_PUBLIC, f, len, L2L3_ESP);
	fast_path_agrees_with_full(&priv, PORT_PRIVATE, f, len, L2L3_DROP);
	len = build_echo(f, IP(203, 0, 113, 9), pub.addr, 16);
	ip_of(f)->next_proto_id = IPPROTO_ESP;
	refresh_ip_cksum(f);
	fast_path_agrees_with_full(&pub, PORT_PUBLIC, f, len, L2L3_ESP);
	len = build_echo(f, IP(10, 1, 0, 7), IP(172, 16, 201, 5), 16);
	fast_path_agrees_with_full(&priv, PORT_PRIVATE, f, len, L2L3_TO_CLIENT);
	fast_path_agrees_with_full(&pub, PORT_PUBLIC, f, len, L2L3_DROP);
}

static void
private_to_pool_goes_to_tunnels(void **state)
{
	struct port pub = test_port(0), priv = test_port(1);
	struct l2l3_result r;
	uint8_t f[256];
	uint32_t len;

	(void)state;
	len = build_echo(f, IP(10, 1, 0, 7), IP(172, 16, 201, 5), 16);
	assert_int_equal(run(&priv, PORT_PRIVATE, f, len, &r), L2L3_TO_CLIENT);
	/* Never from the internet side. */
	len = build_echo(f, IP(10, 1, 0, 7), IP(172, 16, 201, 5), 16);
	assert_int_equal(run(&pub, PORT_PUBLIC, f, len, &r), L2L3_DROP);
	assert_int_equal(r.drop, PORT_DROP_ip_not_for_us);
	len = build_echo(f, IP(10, 1, 0, 7), IP(172, 16, 201, 5), 16);
	ip_of(f)->time_to_live = 1;
	refresh_ip_cksum(f);
	assert_int_equal(run(&priv, PORT_PRIVATE, f, len, &r), L2L3_DROP);
	assert_int_equal(r.drop, PORT_DROP_ttl_expired);
}

static void
icmp_frag_needed_is_well_formed(void **state)
{
	struct port priv = test_port(1);
	uint8_t orig[256], f[256];
	uint32_t olen = build_echo(orig, IP(10, 1, 0, 7), IP(172, 16, 201, 5), 100);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip_of(f) + 1);
	uint32_t len;

	(void)state;
	len = l2l3_icmp_frag_needed(&priv, orig + 14, olen - 14, 1418, f);
	assert_int_equal(len, 14 + 20 + 8 + 20 + 8);
	assert_int_equal(rte_raw_cksum(ip_of(f), 20), 0xffff);
	assert_int_equal(rte_be_to_cpu_32(ip_of(f)->dst_addr), IP(10, 1, 0, 7));
	assert_int_equal(rte_be_to_cpu_32(ip_of(f)->src_addr), priv.addr);
	assert_int_equal(icmp->icmp_type, 3);
	assert_int_equal(icmp->icmp_code, 4);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_seq_nb), 1418);
	assert_int_equal(rte_raw_cksum(icmp, len - 34), 0xffff);
	assert_memory_equal(icmp + 1, orig + 14, 28);
}

static void
icmp_drops(void **state)
{
	struct port p = test_port(0);
	uint8_t f[128];
	uint32_t len;
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip_of(f) + 1);

	(void)state;
	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	icmp->icmp_cksum ^= 0x100;
	expect_drop(&p, f, len, PORT_DROP_icmp_malformed);

	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 0);
	ip_of(f)->total_length = rte_cpu_to_be_16(20 + 4); /* ICMP shorter than its header */
	refresh_ip_cksum(f);
	expect_drop(&p, f, len, PORT_DROP_icmp_malformed);

	len = build_echo(f, IP(10, 1, 0, 7), p.addr, 8);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, 16);
	expect_drop(&p, f, len, PORT_DROP_icmp_type);
}

/* The fast 20-byte header sum agrees with DPDK's on random headers. */
static void
ipv4_cksum_matches_rte(void **state)
{
	uint8_t hdr[64];
	unsigned i, j, ihl;

	(void)state;
	srand(7);
	for (i = 0; i < 20000; i++) {
		ihl = i % 4 == 0 ? 24 : 20;
		for (j = 0; j < ihl; j++)
			hdr[j] = (uint8_t)rand();
		if (i % 2) { /* make it valid half of the time */
			uint16_t c;

			hdr[10] = hdr[11] = 0;
			c = ~rte_raw_cksum(hdr, ihl);
			memcpy(&hdr[10], &c, sizeof(c));
		}
		assert_int_equal(l2l3_ipv4_cksum_ok(hdr, ihl), rte_raw_cksum(hdr, ihl) == 0xffff);
	}
}

static void
drop_names_are_unique(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < PORT_DROP_COUNT; i++) {
		assert_true(strlen(port_drop_name(i)) > 0);
		assert_true(strlen(port_drop_help(i)) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(port_drop_name(i), port_drop_name(j));
	}
}

/* ---- neighbour table, on a real EAL ---- */

static struct dp dp;
static struct worker worker;
static uint64_t hz;

static int
neigh_setup(void **state)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	unsigned pi;

	(void)state;
	memset(&dp, 0, sizeof(dp));
	memset(&worker, 0, sizeof(worker));
	dp.ports[PORT_PUBLIC] = test_port(0);
	dp.ports[PORT_PRIVATE] = test_port(1);
	dp.ports[PORT_PRIVATE].addr = IP(10, 2, 0, 1);
	dp.mbufs = rte_pktmbuf_pool_create("test_mbufs", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	dp.qsbr = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);
	assert_non_null(dp.mbufs);
	assert_int_equal(rte_rcu_qsbr_init(dp.qsbr, 1), 0);
	/* This thread plays the worker: it reads the table between quiescent states. */
	rte_rcu_qsbr_thread_register(dp.qsbr, 0);
	rte_rcu_qsbr_thread_online(dp.qsbr, 0);
	dp.workers = &worker;
	dp.n_workers = 1;
	worker.dp = &dp;
	for (pi = 0; pi < PORT_COUNT; pi++) {
		char name[32];

		snprintf(name, sizeof(name), "test_tx%u", pi);
		worker.tx_ring[pi] = rte_ring_create(name, 64, 0, 0);
		assert_non_null(worker.tx_ring[pi]);
	}
	dp.neigh = neigh_create(4, 300, dp.qsbr, 0);
	assert_non_null(dp.neigh);
	return 0;
}

static int
neigh_teardown(void **state)
{
	unsigned pi;
	void *m;

	(void)state;
	for (pi = 0; pi < PORT_COUNT; pi++) {
		while (rte_ring_dequeue(worker.tx_ring[pi], &m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(worker.tx_ring[pi]);
	}
	neigh_free(dp.neigh);
	/* Every mbuf a test made came back. */
	assert_int_equal(rte_mempool_in_use_count(dp.mbufs), 0);
	rte_rcu_qsbr_thread_offline(dp.qsbr, 0);
	rte_mempool_free(dp.mbufs);
	rte_free(dp.qsbr);
	return 0;
}

static struct rte_mbuf *
waiting_frame(uint32_t next_hop)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mbufs);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 60));
	memset(rte_pktmbuf_mtod(m, void *), 0, 60);
	port_meta(m)->next_hop = next_hop;
	port_meta(m)->port = PORT_PUBLIC;
	return m;
}

static struct rte_mbuf *
sent(enum port_index pi)
{
	void *m = NULL;

	if (rte_ring_dequeue(worker.tx_ring[pi], &m) != 0)
		return NULL;
	return m;
}

static void
resolve_then_learn_sends_waiting_frame(void **state)
{
	struct port_learn l = { .ip = IP(10, 1, 0, 7), .port = PORT_PUBLIC, .mac = HOST_MAC };
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	struct rte_arp_hdr *arp;
	uint64_t now = rte_rdtsc();

	(void)state;
	neigh_resolve(dp.neigh, &dp, waiting_frame(IP(10, 1, 0, 7)), now);
	assert_false(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 7), &mac));
	assert_int_equal(neigh_count(dp.neigh), 1);

	/* First the ARP request, broadcast, for the next hop. */
	m = sent(PORT_PUBLIC);
	assert_non_null(m);
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14);
	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), IP(10, 1, 0, 7));
	assert_true(rte_is_broadcast_ether_addr(rte_pktmbuf_mtod(m, struct rte_ether_addr *)));
	rte_pktmbuf_free(m);
	assert_null(sent(PORT_PUBLIC));

	/* The answer releases the waiting frame with the right addresses. */
	neigh_learn(dp.neigh, &dp, &l, now);
	m = sent(PORT_PUBLIC);
	assert_non_null(m);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), &host_mac, 6);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *) + 6, &gw_mac, 6);
	rte_pktmbuf_free(m);
	assert_true(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 7), &mac));
	assert_memory_equal(&mac, &host_mac, 6);
	/* Same address, other port: a different neighbour. */
	assert_false(neigh_lookup(dp.neigh, PORT_PRIVATE, IP(10, 1, 0, 7), &mac));

	/* Known now: the next frame goes out at once, no ARP. */
	neigh_resolve(dp.neigh, &dp, waiting_frame(IP(10, 1, 0, 7)), now);
	m = sent(PORT_PUBLIC);
	assert_non_null(m);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), &host_mac, 6);
	rte_pktmbuf_free(m);
}

static void
unsolicited_reply_creates_nothing(void **state)
{
	struct port_learn l = { .ip = IP(10, 1, 0, 8), .port = PORT_PUBLIC, .mac = HOST_MAC };
	struct rte_ether_addr mac;

	(void)state;
	neigh_learn(dp.neigh, &dp, &l, rte_rdtsc());
	assert_false(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 8), &mac));
	assert_int_equal(neigh_count(dp.neigh), 0);
	l.solicited = 1;
	neigh_learn(dp.neigh, &dp, &l, rte_rdtsc());
	assert_true(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 8), &mac));
}

static void
unanswered_arp_fails_and_frees(void **state)
{
	uint64_t now = rte_rdtsc();
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	unsigned i, probes = 0;

	(void)state;
	for (i = 0; i < NEIGH_PENDING_MAX + 2; i++)
		neigh_resolve(dp.neigh, &dp, waiting_frame(IP(10, 1, 0, 9)), now);
	assert_int_equal(dp.ctl_ctr[PORT_PUBLIC].drops[PORT_DROP_neigh_queue_full], 2);
	/* Probes a second apart, then give up and drop what waited. */
	for (i = 0; i < 2 * NEIGH_PROBES + 2; i++) {
		now += hz;
		neigh_timers(dp.neigh, &dp, now);
		rte_rcu_qsbr_quiescent(dp.qsbr, 0);
	}
	while ((m = sent(PORT_PUBLIC)) != NULL) {
		probes++;
		rte_pktmbuf_free(m);
	}
	assert_int_equal(probes, NEIGH_PROBES); /* the first request and its repeats */
	assert_int_equal(dp.ctl_ctr[PORT_PUBLIC].drops[PORT_DROP_neigh_failed], NEIGH_PENDING_MAX);
	assert_int_equal(neigh_count(dp.neigh), 0);
	assert_false(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 9), &mac));
}

static void
reachable_goes_stale_and_is_probed(void **state)
{
	struct port_learn l = { .ip = IP(10, 1, 0, 7), .port = PORT_PUBLIC, .mac = HOST_MAC,
				.solicited = 1 };
	uint64_t now = rte_rdtsc();
	struct rte_ether_addr mac;
	struct rte_mbuf *m;

	(void)state;
	neigh_learn(dp.neigh, &dp, &l, now);
	now += 301 * hz;
	assert_int_equal(neigh_timers(dp.neigh, &dp, now), 1);
	/* Stale is still usable while we ask again. */
	assert_true(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 7), &mac));
	m = sent(PORT_PUBLIC);
	assert_non_null(m);
	rte_pktmbuf_free(m);
	/* An answer makes it reachable again. */
	l.solicited = 0;
	neigh_learn(dp.neigh, &dp, &l, now);
	assert_int_equal(neigh_timers(dp.neigh, &dp, now + hz), 0);
}

static void
table_is_bounded(void **state)
{
	struct port_learn l = { .port = PORT_PUBLIC, .mac = HOST_MAC, .solicited = 1 };
	struct rte_ether_addr mac;
	uint64_t now = rte_rdtsc();
	unsigned i;

	(void)state;
	for (i = 0; i < 10; i++) {
		l.ip = IP(10, 1, 0, 10 + i);
		neigh_learn(dp.neigh, &dp, &l, now + i);
		rte_rcu_qsbr_quiescent(dp.qsbr, 0);
		assert_true(neigh_count(dp.neigh) <= neigh_capacity(dp.neigh));
	}
	assert_int_equal(neigh_count(dp.neigh), 4);
	/* The oldest were evicted, the newest are there. */
	assert_false(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 10), &mac));
	assert_true(neigh_lookup(dp.neigh, PORT_PUBLIC, IP(10, 1, 0, 19), &mac));
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "lib.eal:error" };
	const struct CMUnitTest frames[] = {
		cmocka_unit_test(arp_request_for_us_is_answered),
		cmocka_unit_test(proxy_arp_only_for_pool_on_private),
		cmocka_unit_test(arp_reply_is_learned_not_created),
		cmocka_unit_test(arp_malformed_and_foreign),
		cmocka_unit_test(l2_filters),
		cmocka_unit_test(echo_request_gets_reply),
		cmocka_unit_test(echo_from_far_away_goes_to_next_hop),
		cmocka_unit_test(ipv4_drops),
		cmocka_unit_test(icmp_drops),
		cmocka_unit_test(drop_names_are_unique),
		cmocka_unit_test(ipv4_cksum_matches_rte),
		cmocka_unit_test(public_udp_classified),
		cmocka_unit_test(raw_esp_only_on_public),
		cmocka_unit_test(private_udp_radius_only),
		cmocka_unit_test(private_to_pool_goes_to_tunnels),
		cmocka_unit_test(fast_path_same_verdicts),
		cmocka_unit_test(icmp_frag_needed_is_well_formed),
	};
	const struct CMUnitTest neigh[] = {
		cmocka_unit_test_setup_teardown(resolve_then_learn_sends_waiting_frame, neigh_setup,
						neigh_teardown),
		cmocka_unit_test_setup_teardown(unsolicited_reply_creates_nothing, neigh_setup,
						neigh_teardown),
		cmocka_unit_test_setup_teardown(unanswered_arp_fails_and_frees, neigh_setup,
						neigh_teardown),
		cmocka_unit_test_setup_teardown(reachable_goes_stale_and_is_probed, neigh_setup,
						neigh_teardown),
		cmocka_unit_test_setup_teardown(table_is_bounded, neigh_setup, neigh_teardown),
	};
	int failed;

	(void)argc;
	failed = cmocka_run_group_tests_name("l2l3", frames, NULL, NULL);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		return 1;
	hz = rte_get_tsc_hz();
	if (port_meta_register() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("neigh", neigh, NULL, NULL);
	rte_eal_cleanup();
	return failed;
}
