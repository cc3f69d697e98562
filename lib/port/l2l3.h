/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l2l3: what the data plane does with a frame addressed to the gateway
 * itself, on plain bytes so that unit tests and the fuzz harness need no EAL.
 * Every header is validated before it is read; a frame that fails gets a
 * drop reason and is left as it was.
 */
#ifndef P2SGW_L2L3_H
#define P2SGW_L2L3_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "port.h"

enum l2l3_verdict {
	L2L3_DROP,       /**< drop and count result.drop */
	L2L3_CONSUMED,   /**< fully handled (ARP reply learned): free, no drop */
	L2L3_TX,         /**< reply built in place, Ethernet addresses set: send back */
	L2L3_TX_RESOLVE, /**< reply built in place: needs the MAC of result.next_hop */
	L2L3_ESP,        /**< public: ESP to our address, raw or in UDP 4500 (result.udp_encap),
			  *   headers as esp_peek_spi() wants them, SPI in result.spi */
	L2L3_IKE,        /**< public: IKE on UDP 500, or 4500 with the non-ESP marker */
	L2L3_TO_CLIENT,  /**< private: IPv4 to a client-pool address, for the tunnel path */
	L2L3_RADIUS,     /**< private: UDP to our address on L2L3_RADIUS_PORT (a RADIUS reply),
			  *   for the control core on the IKE ring */
};

/** UDP port of IKE and ESP behind NAT (RFC 3948). */
#define L2L3_NATT_PORT 4500

/** The gateway's RADIUS client port: requests leave from it, replies come back to it. */
#define L2L3_RADIUS_PORT 49812

struct l2l3_result {
	enum port_drop drop;           /**< with L2L3_DROP */
	uint32_t next_hop;             /**< with L2L3_TX_RESOLVE, host order */
	uint32_t len;                  /**< frame length after the reply was built */
	int udp_encap;                 /**< with L2L3_ESP: ESP in UDP (RFC 3948) */
	uint32_t spi;                  /**< with L2L3_ESP: the SPI, host order, never 0 */
	int learn;                     /**< 1: result.learn_msg should reach the control core */
	struct port_learn learn_msg;
};

/**
 * Handle one received frame of len bytes on port p (pool: the client pool,
 * for proxy ARP), every frame type and every drop reason. May rewrite the
 * frame in place into a reply. l2l3_input() is what callers use.
 */
enum l2l3_verdict l2l3_input_full(const struct port *p, enum port_index pi,
				  const struct conf_prefix *pool, uint8_t *frame, uint32_t len,
				  struct l2l3_result *res);

/** True if an IPv4 header of ihl bytes has a valid checksum (RFC 1071). */
bool l2l3_ipv4_cksum_ok(const void *hdr, uint32_t ihl);

/** Build an ARP request from port p for ip into frame (at least 60 bytes); returns its length. */
uint32_t l2l3_arp_request(const struct port *p, uint32_t ip, uint8_t *frame);

/**
 * Build into frame an ICMP "fragmentation needed" (RFC 792, RFC 1191) from
 * port p to the sender of the IPv4 packet orig (orig_len bytes, header
 * already validated), announcing mtu; returns the frame length. The caller
 * fills in the Ethernet destination. frame must hold 14 + 20 + 8 + 68 bytes.
 */
uint32_t l2l3_icmp_frag_needed(const struct port *p, const uint8_t *orig, uint32_t orig_len,
			       uint16_t mtu, uint8_t *frame);

/*
 * Network to host order on the fast path. DPDK's rte_be_to_cpu_16/32() are
 * asm volatile on x86 (unless DPDK is built with RTE_FORCE_INTRINSICS),
 * which the compiler can neither schedule nor fold into a comparison; these
 * are the same swaps as builtins. Constants stay with RTE_BE16()/RTE_BE32().
 */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define L2L3_NTOHS(x) ((uint16_t)__builtin_bswap16(x))
#define L2L3_NTOHL(x) ((uint32_t)__builtin_bswap32(x))
#else
#define L2L3_NTOHS(x) ((uint16_t)(x))
#define L2L3_NTOHL(x) ((uint32_t)(x))
#endif

/** The next hop towards dst from port p: dst itself when connected, else the port's next hop (0 = none). */
static inline uint32_t
l2l3_next_hop(const struct port *p, uint32_t dst)
{
	if (((dst ^ p->addr) & p->mask) == 0)
		return dst;
	return p->next_hop;
}

/** rte_is_same_ether_addr() with one 32-bit and one 16-bit compare. */
static inline bool
l2l3_ether_equal(const struct rte_ether_addr *a, const struct rte_ether_addr *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a->addr_bytes + 4, 2);
	memcpy(&b2, b->addr_bytes + 4, 2);
	return ((a4 ^ b4) | (uint32_t)(a2 ^ b2)) == 0;
}

/**
 * The 6-byte MAC at a equals the one at b, both readable for 8 bytes (the
 * frame's addresses are followed by more header, a port's by its address):
 * two loads and a shift instead of four loads.
 */
static inline bool
l2l3_mac_equal8(const void *a, const void *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return ((x ^ y) << 16) == 0;
#else
	return ((x ^ y) >> 16) == 0;
#endif
}

static_assert(offsetof(struct port, mac) + 8 <= sizeof(struct port),
	      "a port's MAC can be read as 8 bytes");

/** ip within net/len. */
static inline bool
l2l3_in_prefix(uint32_t ip, uint32_t net, uint8_t len)
{
	uint32_t mask = len ? ~0u << (32 - len) : 0;

	return ((ip ^ net) & mask) == 0;
}

/**
 * RFC 1071: a 20-byte IPv4 header's one's complement sum must be all ones;
 * five 32-bit loads (the sum does not depend on the word size or byte order
 * once folded).
 */
static inline bool
l2l3_ipv4_cksum20_ok(const void *hdr)
{
	const uint8_t *b = hdr;
	uint64_t sum = 0;
	uint32_t w;

	for (unsigned i = 0; i < 20; i += 4) {
		memcpy(&w, b + i, sizeof(w));
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/** Addresses no host may send from (RFC 1122 §3.2.1.3, RFC 5735), src in host order. */
static inline bool
l2l3_martian_source(const struct port *p, uint32_t src)
{
	uint8_t first = src >> 24;

	/* 0.x and 224.x and above in one compare; a source on the port's
	 * subnet with all host bits set is its broadcast address. */
	return (uint8_t)(first - 1) >= 223 || first == 127 || src == p->addr ||
	       src == (p->addr | ~p->mask);
}

/**
 * The two frames a worker mostly sees, classified in one pass: on the public
 * port ESP to our address, raw or in UDP 4500 (L2L3_ESP); on the private
 * port IPv4 to a client-pool address (L2L3_TO_CLIENT). Unicast to the
 * port's MAC, IPv4 without options or fragmentation, valid checksum, no
 * martian source. Returns true with *v, res->learn, and for ESP res->spi and
 * res->udp_encap set, exactly as l2l3_input_full() would set them (it makes
 * the same checks; the fuzz harness compares the two); false for anything
 * else, which l2l3_input_full() then classifies and names the drop of.
 */
static inline bool
l2l3_input_fast(const struct port *p, const struct conf_prefix *pool, const uint8_t *frame,
		uint32_t len, struct l2l3_result *res, enum l2l3_verdict *v)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const uint8_t *l4 = (const uint8_t *)(ip + 1);
	uint32_t tot, dst;
	rte_be32_t spi;

	if (len < sizeof(*eth) + sizeof(*ip) || eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    !l2l3_mac_equal8(&eth->dst_addr, &p->mac) || l2l3_mac_equal8(&eth->src_addr, &p->mac) ||
	    ip->version_ihl != 0x45)
		return false;
	tot = L2L3_NTOHS(ip->total_length);
	if (tot < sizeof(*ip) || tot > len - sizeof(*eth) || !l2l3_ipv4_cksum20_ok(ip) ||
	    l2l3_martian_source(p, L2L3_NTOHL(ip->src_addr)))
		return false;
	dst = L2L3_NTOHL(ip->dst_addr);
	if (dst != p->addr) {
		/* pool->len 1..32 here: the mask needs no /0 case. */
		if (p->outside || pool == NULL || pool->len == 0 ||
		    ((dst ^ pool->addr) & (~0u << (32 - pool->len))) != 0 || ip->time_to_live <= 1)
			return false;
		res->learn = 0;
		*v = L2L3_TO_CLIENT;
		return true;
	}
	if (!p->outside ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return false;
	if (ip->next_proto_id == IPPROTO_UDP) {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;

		/* RFC 3948 §2.2: on 4500, ESP (SPI not 0) filling the IP packet. */
		if (tot < sizeof(*ip) + sizeof(*udp) + 8 || udp->dst_port != RTE_BE16(L2L3_NATT_PORT) ||
		    L2L3_NTOHS(udp->dgram_len) != tot - sizeof(*ip))
			return false;
		memcpy(&spi, udp + 1, sizeof(spi));
		res->udp_encap = 1;
	} else if (ip->next_proto_id == IPPROTO_ESP) {
		if (tot < sizeof(*ip) + 8)
			return false;
		memcpy(&spi, l4, sizeof(spi));
		res->udp_encap = 0;
	} else {
		return false;
	}
	if (spi == 0)
		return false;
	res->learn = 0;
	res->spi = L2L3_NTOHL(spi);
	*v = L2L3_ESP;
	return true;
}

/**
 * Handle one received frame of len bytes on port p (pool: the client pool,
 * for proxy ARP). May rewrite the frame in place into a reply. The common
 * frames take l2l3_input_fast(); the rest, and every drop, l2l3_input_full().
 */
static inline enum l2l3_verdict
l2l3_input(const struct port *p, enum port_index pi, const struct conf_prefix *pool,
	   uint8_t *frame, uint32_t len, struct l2l3_result *res)
{
	enum l2l3_verdict v;

	if (likely(l2l3_input_fast(p, pool, frame, len, res, &v)))
		return v;
	return l2l3_input_full(p, pi, pool, frame, len, res);
}

#endif
