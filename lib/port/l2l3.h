/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l2l3: what the data plane does with a frame addressed to the gateway
 * itself, on plain bytes so that unit tests and the fuzz harness need no EAL.
 * Every header is validated before it is read; a frame that fails gets a
 * drop reason and is left as it was.
 */
#ifndef P2SGW_L2L3_H
#define P2SGW_L2L3_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

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
 * for proxy ARP). May rewrite the frame in place into a reply.
 */
enum l2l3_verdict l2l3_input(const struct port *p, enum port_index pi,
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

#endif
