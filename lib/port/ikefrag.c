/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4-fragmented IKE on the public port. A client that does not speak
 * RFC 7383 sends a large IKE_AUTH (a certificate chain) as IPv4 fragments;
 * workers pass fragments of UDP addressed to the gateway to the control core
 * on the IKE ring, and it reassembles them here with DPDK's rte_ip_frag
 * (bounded table, per-flow timeout, overlapping or excess fragments dropped
 * by the library) before the datagram goes to the IKE responder.
 */
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "port.h"
#include "worker_priv.h"

#define IKE_FRAG_FLOWS 256      /* datagrams being reassembled at once */
#define IKE_FRAG_BUCKETS 64
#define IKE_FRAG_TIMEOUT_S 5

int
dp_ike_frag_create(struct dp *dp, int socket)
{
	dp->ike_frag = rte_ip_frag_table_create(IKE_FRAG_BUCKETS, IKE_FRAG_FLOWS / IKE_FRAG_BUCKETS,
						IKE_FRAG_FLOWS,
						rte_get_tsc_hz() * IKE_FRAG_TIMEOUT_S, socket);
	return dp->ike_frag == NULL ? -ENOMEM : 0;
}

void
dp_ike_frag_free(struct dp *dp)
{
	if (dp->ike_frag == NULL)
		return;
	rte_ip_frag_free_death_row(&dp->ike_dr, 0);
	/* Frees the fragments still waiting. */
	rte_ip_frag_table_destroy(dp->ike_frag);
	dp->ike_frag = NULL;
}

struct rte_mbuf *
dp_ike_frag_input(struct dp *dp, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *out;

	/* The worker checked the headers; a frame shorter than them is not ours. */
	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip))
		return m;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	if (!rte_ipv4_frag_pkt_is_fragmented(ip))
		return m;
	dp->ike_fragments++;
	if (dp->ike_frag == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = (ip->version_ihl & 0x0f) * 4;
	out = rte_ipv4_frag_reassemble_packet(dp->ike_frag, &dp->ike_dr, m, now, ip);
	rte_ip_frag_free_death_row(&dp->ike_dr, 0);
	if (out != NULL)
		dp->ike_reassembled++;
	return out;
}
