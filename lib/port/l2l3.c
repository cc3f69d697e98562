/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames addressed to the gateway itself: ARP (RFC 826) for its own address
 * and, on the private port, proxy ARP for the client pool so that VNet hosts
 * send client-bound traffic to the gateway; ICMP echo (RFC 792) for its own
 * address. Everything else is dropped with a reason. Replies are built in
 * the received frame, which is why this works on plain bytes.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "l2l3.h"

#define ETH_LEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define ARP_LEN ((uint32_t)sizeof(struct rte_arp_hdr))
#define IP_MIN_LEN ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define ICMP_MIN_LEN ((uint32_t)sizeof(struct rte_icmp_hdr))
#define ETH_MIN_FRAME 60u
#define REPLY_TTL 64
#define IKE_PORT 500
#define IKE_NATT_PORT L2L3_NATT_PORT
#define ICMP_DEST_UNREACH 3

static enum l2l3_verdict
drop(struct l2l3_result *res, enum port_drop why)
{
	res->drop = why;
	return L2L3_DROP;
}

static int
in_subnet(const struct port *p, uint32_t ip)
{
	return ((ip ^ p->addr) & p->mask) == 0;
}

/*
 * RFC 1071: the header's one's complement sum must be all ones. The usual
 * 20-byte header is summed with five 32-bit loads (the sum does not depend
 * on the word size or byte order once folded); options take rte_raw_cksum.
 */
static inline bool
ipv4_cksum_ok(const void *hdr, uint32_t ihl)
{
	if (ihl != IP_MIN_LEN)
		return rte_raw_cksum(hdr, ihl) == 0xffff;
	return l2l3_ipv4_cksum20_ok(hdr);
}

bool
l2l3_ipv4_cksum_ok(const void *hdr, uint32_t ihl)
{
	return ipv4_cksum_ok(hdr, ihl);
}

/* Should the gateway answer an ARP request for target on this port? */
static int
arp_owns(const struct port *p, const struct conf_prefix *pool, uint32_t target, uint32_t sender)
{
	if (target == p->addr)
		return 1;
	/* Proxy ARP for clients; never for a pool address asking about itself. */
	return p->proxy_arp_pool && pool && l2l3_in_prefix(target, pool->addr, pool->len) &&
	       target != sender && !l2l3_in_prefix(sender, pool->addr, pool->len);
}

static void
arp_make_reply(const struct port *p, struct rte_ether_hdr *eth, struct rte_arp_hdr *arp)
{
	struct rte_arp_ipv4 *a = &arp->arp_data;
	uint32_t target_ip = a->arp_tip;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	a->arp_tha = a->arp_sha;
	a->arp_tip = a->arp_sip;
	a->arp_sha = p->mac;
	a->arp_sip = target_ip;
	eth->dst_addr = eth->src_addr;
	eth->src_addr = p->mac;
}

static enum l2l3_verdict
arp_input(const struct port *p, enum port_index pi, const struct conf_prefix *pool,
	  struct rte_ether_hdr *eth, uint32_t len, struct l2l3_result *res)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	uint32_t sip, tip;
	uint16_t op;

	if (len < ETH_LEN + ARP_LEN || arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != 6 ||
	    arp->arp_plen != 4)
		return drop(res, PORT_DROP_arp_malformed);
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return drop(res, PORT_DROP_arp_malformed);
	if (!rte_is_unicast_ether_addr(&arp->arp_data.arp_sha))
		return drop(res, PORT_DROP_arp_malformed);

	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);

	/* Learn only senders on the connected subnet; a probe (sender 0) teaches nothing. */
	if (sip != 0 && sip != p->addr && in_subnet(p, sip)) {
		res->learn = 1;
		res->learn_msg.ip = sip;
		res->learn_msg.port = pi;
		res->learn_msg.mac = arp->arp_data.arp_sha;
		/* RFC 826: a request to us may create an entry; anything else only updates. */
		res->learn_msg.solicited = op == RTE_ARP_OP_REQUEST && tip == p->addr;
	}

	if (op == RTE_ARP_OP_REPLY) {
		if (tip != p->addr && sip != tip)
			return drop(res, PORT_DROP_arp_not_for_us);
		return L2L3_CONSUMED;
	}
	if (!arp_owns(p, pool, tip, sip)) {
		/* A gratuitous ARP still refreshes what we know. */
		return res->learn && sip == tip ? L2L3_CONSUMED : drop(res, PORT_DROP_arp_not_for_us);
	}
	arp_make_reply(p, eth, arp);
	res->len = len;
	return L2L3_TX;
}

static enum l2l3_verdict
icmp_input(const struct port *p, struct rte_ether_hdr *eth, struct rte_ipv4_hdr *ip,
	   uint32_t ihl, uint32_t tot, struct l2l3_result *res)
{
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	uint32_t icmp_len = tot - ihl;
	uint32_t src, hop;

	if (icmp_len < ICMP_MIN_LEN || rte_raw_cksum(icmp, icmp_len) != 0xffff)
		return drop(res, PORT_DROP_icmp_malformed);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return drop(res, PORT_DROP_icmp_type);

	src = rte_be_to_cpu_32(ip->src_addr);
	hop = l2l3_next_hop(p, src);
	if (hop == 0)
		return drop(res, PORT_DROP_no_route);

	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, icmp_len);
	ip->dst_addr = ip->src_addr;
	ip->src_addr = rte_cpu_to_be_32(p->addr);
	ip->time_to_live = REPLY_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	eth->src_addr = p->mac;
	res->next_hop = hop;
	/* Ethernet padding of the request is not echoed; NICs pad short frames. */
	res->len = ETH_LEN + tot;
	return L2L3_TX_RESOLVE;
}

/* RFC 3948 §2.2: four zero bytes where ESP would have its SPI. */
static inline bool
non_esp_marker(const uint8_t *payload)
{
	uint32_t v;

	memcpy(&v, payload, sizeof(v));
	return v == 0;
}

/* The SPI of an ESP header whose 8 bytes are there; 0 is nobody's (RFC 4303 §2.1). */
static enum l2l3_verdict
esp_found(const uint8_t *esp, struct l2l3_result *res)
{
	rte_be32_t spi;

	memcpy(&spi, esp, sizeof(spi));
	if (spi == 0)
		return drop(res, PORT_DROP_esp_malformed);
	res->spi = L2L3_NTOHL(spi);
	return L2L3_ESP;
}

/*
 * UDP to the public address: IKE on 500; on 4500 (RFC 3948 §2.2) a zero
 * non-ESP marker means IKE, a single 0xff byte a NAT keepalive, else ESP —
 * which must then fill the IP packet exactly, as lib/esp requires.
 */
static enum l2l3_verdict
udp_input(struct rte_ipv4_hdr *ip, uint32_t ihl, uint32_t tot, struct l2l3_result *res)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)((uint8_t *)ip + ihl);
	const uint8_t *payload = (const uint8_t *)(udp + 1);
	uint32_t dlen, plen;

	if (tot - ihl < sizeof(*udp))
		return drop(res, PORT_DROP_udp_malformed);
	dlen = L2L3_NTOHS(udp->dgram_len);
	if (dlen < sizeof(*udp) || dlen > tot - ihl)
		return drop(res, PORT_DROP_udp_malformed);
	plen = dlen - sizeof(*udp);
	switch (udp->dst_port) {
	case RTE_BE16(IKE_PORT):
		return L2L3_IKE;
	case RTE_BE16(IKE_NATT_PORT):
		if (plen == 1 && payload[0] == 0xff)
			return drop(res, PORT_DROP_nat_keepalive);
		if (plen >= 4 && non_esp_marker(payload))
			return L2L3_IKE;
		if (plen < 8 || dlen != tot - ihl)
			return drop(res, PORT_DROP_esp_malformed);
		res->udp_encap = 1;
		return esp_found(payload, res);
	default:
		return drop(res, PORT_DROP_no_service);
	}
}

/* UDP to the private address: only replies of the RADIUS servers, on our client port. */
static enum l2l3_verdict
radius_udp_input(struct rte_ipv4_hdr *ip, uint32_t ihl, uint32_t tot, struct l2l3_result *res)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)((uint8_t *)ip + ihl);
	uint32_t dlen;

	if (tot - ihl < sizeof(*udp))
		return drop(res, PORT_DROP_udp_malformed);
	if (udp->dst_port != RTE_BE16(L2L3_RADIUS_PORT))
		return drop(res, PORT_DROP_no_service);
	dlen = L2L3_NTOHS(udp->dgram_len);
	if (dlen < sizeof(*udp) || dlen > tot - ihl)
		return drop(res, PORT_DROP_udp_malformed);
	return L2L3_RADIUS;
}

static int
in_pool(const struct conf_prefix *pool, uint32_t ip)
{
	return pool != NULL && pool->len != 0 && l2l3_in_prefix(ip, pool->addr, pool->len);
}

/* Not for the gateway itself: a client-bound packet on the private port? */
static enum l2l3_verdict
transit_input(const struct port *p, const struct conf_prefix *pool, struct rte_ipv4_hdr *ip,
	      struct l2l3_result *res)
{
	if (p->outside || !in_pool(pool, L2L3_NTOHL(ip->dst_addr)))
		return drop(res, PORT_DROP_ip_not_for_us);
	if (ip->time_to_live <= 1)
		return drop(res, PORT_DROP_ttl_expired);
	return L2L3_TO_CLIENT;
}

static enum l2l3_verdict
ipv4_input(const struct port *p, const struct conf_prefix *pool, struct rte_ether_hdr *eth,
	   uint32_t len, struct l2l3_result *res)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint32_t ihl, tot;

	if (len < ETH_LEN + IP_MIN_LEN)
		return drop(res, PORT_DROP_runt);
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = L2L3_NTOHS(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < IP_MIN_LEN || tot < ihl || tot > len - ETH_LEN)
		return drop(res, PORT_DROP_ip_malformed);
	if (!ipv4_cksum_ok(ip, ihl))
		return drop(res, PORT_DROP_ip_checksum);
	if (l2l3_martian_source(p, L2L3_NTOHL(ip->src_addr)))
		return drop(res, PORT_DROP_ip_martian);
	if (L2L3_NTOHL(ip->dst_addr) != p->addr)
		return transit_input(p, pool, ip, res);
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		/* UDP fragments on the public port may be IKE (a large IKE_AUTH from a
		 * client without RFC 7383): the control core reassembles them. */
		if (p->outside && ip->next_proto_id == IPPROTO_UDP)
			return L2L3_IKE;
		return drop(res, PORT_DROP_ip_fragment);
	}
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		return icmp_input(p, eth, ip, ihl, tot, res);
	case IPPROTO_ESP:
		if (!p->outside) /* tunnels end on the public port only */
			return drop(res, PORT_DROP_no_service);
		if (tot - ihl < 8)
			return drop(res, PORT_DROP_esp_malformed);
		return esp_found((const uint8_t *)ip + ihl, res);
	case IPPROTO_UDP:
		if (!p->outside)
			return radius_udp_input(ip, ihl, tot, res);
		return udp_input(ip, ihl, tot, res);
	default:
		return drop(res, PORT_DROP_no_service);
	}
}

enum l2l3_verdict
l2l3_input_full(const struct port *p, enum port_index pi, const struct conf_prefix *pool,
		uint8_t *frame, uint32_t len, struct l2l3_result *res)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;

	memset(res, 0, sizeof(*res));
	if (len < ETH_LEN)
		return drop(res, PORT_DROP_runt);
	/* af_packet hands back the frames we sent on another queue's socket. */
	if (l2l3_ether_equal(&eth->src_addr, &p->mac))
		return drop(res, PORT_DROP_own_frame);
	if (!l2l3_ether_equal(&eth->dst_addr, &p->mac) &&
	    !rte_is_broadcast_ether_addr(&eth->dst_addr))
		return drop(res, PORT_DROP_l2_not_for_us);

	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return arp_input(p, pi, pool, eth, len, res);
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		if (rte_is_broadcast_ether_addr(&eth->dst_addr))
			return drop(res, PORT_DROP_l2_not_for_us);
		return ipv4_input(p, pool, eth, len, res);
	default:
		return drop(res, PORT_DROP_ethertype);
	}
}

uint32_t
l2l3_arp_request(const struct port *p, uint32_t ip, uint8_t *frame)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(frame, 0, ETH_MIN_FRAME);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = p->mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(p->addr);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(ip);
	return ETH_MIN_FRAME;
}

uint32_t
l2l3_icmp_frag_needed(const struct port *p, const uint8_t *orig, uint32_t orig_len,
		      uint16_t mtu, uint8_t *frame)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	const struct rte_ipv4_hdr *o = (const struct rte_ipv4_hdr *)orig;
	/* RFC 792: the original IP header and the first 64 bits of its data. */
	uint32_t quote = RTE_MIN(orig_len, (uint32_t)(o->version_ihl & 0x0f) * 4 + 8);
	uint32_t icmp_len = ICMP_MIN_LEN + quote;

	memset(frame, 0, ETH_LEN + IP_MIN_LEN + ICMP_MIN_LEN);
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(IP_MIN_LEN + icmp_len);
	ip->time_to_live = REPLY_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(p->addr);
	ip->dst_addr = o->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = ICMP_DEST_UNREACH;
	icmp->icmp_code = 4; /* fragmentation needed and DF set; RFC 1191 §4: MTU in the low 16 bits */
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, orig, quote);
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, icmp_len);
	return ETH_LEN + IP_MIN_LEN + icmp_len;
}
