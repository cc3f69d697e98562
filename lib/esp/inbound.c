/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp/inbound: ESP tunnel-mode decapsulation (RFC 4303 §3.4) of a burst
 * whose packets may belong to different SAs, and the SPI peek the caller
 * uses to find the SA. The input is hostile: every length is checked before
 * the byte it covers is read, in the order RFC 4303 §3.4 gives — headers,
 * SPI, replay pre-check, then the ICV (IPsec-MB computes it; we compare in
 * constant time), and only for an authentic packet the padding, next header
 * and inner IPv4 header, the replay window update and the strip. A packet
 * that fails changes nothing of its SA but one drop counter.
 *
 * Per chunk: parse every packet and queue its job; run the chunk's crypto;
 * then verify and settle in arrival order, so the replay window sees the
 * packets as they came.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "esp_priv.h"

#define IPV4_FRAG_MASK (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

/* The outer IPv4 header: 0 and its header length and total length, or -1. */
static inline int
outer_ipv4(const uint8_t *base, uint32_t len, uint32_t *ihl, uint32_t *total)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)base;

	if (len < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return -1;
	*ihl = (ip->version_ihl & 0xf) * 4u;
	*total = rte_be_to_cpu_16(ip->total_length);
	if (*ihl < sizeof(*ip) || *ihl > len || *total < *ihl || *total > len)
		return -1;
	/* RFC 4303 §3.4.1: fragments are reassembled before ESP sees them. */
	if (rte_be_to_cpu_16(ip->fragment_offset) & IPV4_FRAG_MASK)
		return -1;
	return 0;
}

int
esp_peek_spi(const struct rte_mbuf *m, bool udp_encap, uint32_t *spi)
{
	const uint8_t *base = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t ihl, total, off;
	rte_be32_t v;

	if (outer_ipv4(base, m->data_len, &ihl, &total) != 0)
		return -EINVAL;
	off = ihl;
	if (udp_encap) {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(base + ihl);

		if (base[9] != IPPROTO_UDP || total < ihl + sizeof(*udp) + ESP_HDR_LEN ||
		    rte_be_to_cpu_16(udp->dgram_len) != total - ihl)
			return -EINVAL;
		off += sizeof(*udp);
	} else if (base[9] != IPPROTO_ESP || total < ihl + ESP_HDR_LEN) {
		return -EINVAL;
	}
	memcpy(&v, base + off, sizeof(v));
	/* RFC 3948 §2.2: a zero SPI is the non-ESP marker (IKE); RFC 4303
	 * §2.1: zero is never an SA's SPI anyway. */
	if (v == 0)
		return -EINVAL;
	*spi = rte_be_to_cpu_32(v);
	return 0;
}

/* Outer IPv4 [and UDP] of p: sets esp_off and returns the ESP length, or 0. */
static inline uint32_t
inbound_outer(const struct esp_sa *sa, struct esp_pkt *p, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p->base;
	uint32_t ihl, total;

	if (outer_ipv4(p->base, len, &ihl, &total) != 0)
		return 0;
	/* The SA's endpoints (the caller looked the SA up by SPI only). */
	if (ip->src_addr != sa->remote_addr_be || ip->dst_addr != sa->local_addr_be)
		return 0;
	if (sa->flags & ESP_SA_UDP) {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(p->base + ihl);

		/* RFC 3948 §3.4: only the destination port is ours to check; a
		 * NAT may move the source port, and IKE follows it. The UDP
		 * checksum is not looked at (§3.1.2); the ICV covers the data. */
		if (ip->next_proto_id != IPPROTO_UDP || total < ihl + sizeof(*udp) ||
		    rte_be_to_cpu_16(udp->dgram_len) != total - ihl ||
		    udp->dst_port != sa->local_port_be)
			return 0;
		ihl += sizeof(*udp);
	} else if (ip->next_proto_id != IPPROTO_ESP) {
		return 0;
	}
	p->esp_off = ihl;
	/* Never 0 here unless the ESP part is empty, which is truncated too. */
	return total - ihl;
}

/* Headers, lengths, SPI and the replay pre-check. ESP_DROP_COUNT if good. */
static inline enum esp_drop
inbound_parse(struct esp_sa *sa, struct rte_mbuf *m, struct esp_pkt *p)
{
	uint32_t esp_len, min, ct_len;
	const uint8_t *esp;
	rte_be32_t v;

	if (unlikely(m->nb_segs != 1 || (m->ol_flags & RTE_MBUF_F_INDIRECT)))
		return ESP_DROP_bad_outer;
	p->base = rte_pktmbuf_mtod(m, uint8_t *);
	esp_len = inbound_outer(sa, p, m->data_len);
	if (unlikely(esp_len == 0)) {
		/* An empty UDP payload after a valid header is a truncated ESP. */
		return p->esp_off != 0 ? ESP_DROP_truncated : ESP_DROP_bad_outer;
	}
	esp = p->base + p->esp_off;
	if (unlikely(esp_len < 4))
		return ESP_DROP_truncated;
	memcpy(&v, esp, sizeof(v));
	if (unlikely(v == 0 && (sa->flags & ESP_SA_UDP)))
		return ESP_DROP_bad_outer;      /* RFC 3948 §2.2 non-ESP marker: IKE */
	/* Header, IV, ICV and at least one block holding the trailer. */
	min = ESP_HDR_LEN + sa->iv_len + sa->icv_len + sa->block_mask + 1u;
	if (unlikely(esp_len < min))
		return ESP_DROP_truncated;
	ct_len = esp_len - ESP_HDR_LEN - sa->iv_len - sa->icv_len;
	if (unlikely(ct_len & sa->block_mask))
		return ESP_DROP_bad_length;
	if (unlikely(v != sa->spi_be))
		return ESP_DROP_spi_mismatch;
	memcpy(&v, esp + 4, sizeof(v));
	p->ct_off = p->esp_off + ESP_HDR_LEN + sa->iv_len;
	p->ct_len = ct_len;
	p->icv_off = p->ct_off + ct_len;
	return esp_replay_precheck(sa, rte_be_to_cpu_32(v), &p->seq);
}

/* RFC 4106 §4-§5: nonce = salt || the packet's IV; AAD as on the way out. */
static inline void
gcm_job(IMB_JOB *job, const struct esp_sa *sa, struct esp_pkt *p, struct esp_scratch *s)
{
	const uint8_t *esp = p->base + p->esp_off;

	memcpy(s->nonce, sa->salt, 4);
	memcpy(s->nonce + 4, esp + ESP_HDR_LEN, ESP_GCM_IV_LEN);
	job->iv = s->nonce;
	if (sa->flags & ESP_SA_ESN) {
		rte_be32_t hi = rte_cpu_to_be_32((uint32_t)(p->seq >> 32));

		memcpy(s->aad, esp, 4);
		memcpy(s->aad + 4, &hi, 4);
		memcpy(s->aad + 8, esp + 4, 4);
		job->u.GCM.aad = s->aad;
	} else {
		job->u.GCM.aad = esp;
	}
	/* IPsec-MB offsets apply to src only: dst is where output starts. */
	job->cipher_start_src_offset_in_bytes = p->ct_off;
	job->dst = p->base + p->ct_off;
	job->msg_len_to_cipher_in_bytes = p->ct_len;
	job->hash_start_src_offset_in_bytes = p->ct_off;
	job->msg_len_to_hash_in_bytes = p->ct_len;
	job->auth_tag_output = s->tag;
}

/* RFC 4303 §3.4.4.1: ICV over ESP header..ciphertext; with ESN seq_hi is
 * appended for the computation only (§2.2.1), where the received ICV lay —
 * so that ICV is saved first. */
static inline void
cbc_job(IMB_JOB *job, const struct esp_sa *sa, struct esp_pkt *p, struct esp_scratch *s)
{
	uint32_t hash_len = ESP_HDR_LEN + ESP_CBC_IV_LEN + p->ct_len;

	job->iv = p->base + p->esp_off + ESP_HDR_LEN;
	job->cipher_start_src_offset_in_bytes = p->ct_off;
	job->dst = p->base + p->ct_off;
	job->msg_len_to_cipher_in_bytes = p->ct_len;
	job->hash_start_src_offset_in_bytes = p->esp_off;
	if (sa->flags & ESP_SA_ESN) {
		rte_be32_t hi = rte_cpu_to_be_32((uint32_t)(p->seq >> 32));

		memcpy(s->icv, p->base + p->icv_off, sa->icv_len);
		memcpy(p->base + p->icv_off, &hi, 4);
		hash_len += 4;
	}
	job->msg_len_to_hash_in_bytes = hash_len;
	job->auth_tag_output = s->tag;
}

static void
inbound_prepare(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->pkt[i];
		IMB_JOB *job;

		if (i + 2 < n)
			rte_prefetch0(m[i + 2]);
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		p->sa = sa[i];
		p->esp_off = 0;
		p->drop = inbound_parse(sa[i], m[i], p);
		if (p->drop != ESP_DROP_COUNT)
			continue;
		job = esp_job_get(w);
		if (unlikely(job == NULL)) {
			p->drop = ESP_DROP_crypto_error;
			continue;
		}
		esp_prefetch_range(p->base + p->ct_off, p->ct_len + sa[i]->icv_len);
		esp_job_fill_sa(job, sa[i], false);
		job->src = p->base;
		job->user_data = p;
		if (sa[i]->flags & ESP_SA_GCM)
			gcm_job(job, sa[i], p, &w->scratch[i]);
		else
			cbc_job(job, sa[i], p, &w->scratch[i]);
		esp_job_put(w, job);
	}
}

/*
 * After the ICV matched: RFC 4303 §2.4 padding 1, 2, 3.., §2.6 next header
 * (59 = dummy, dropped silently), and an inner IPv4 header that fits in
 * what was decrypted. Sets inner_len. ESP_DROP_COUNT if good.
 */
static inline enum esp_drop
inbound_payload(const struct esp_sa *sa, struct esp_pkt *p)
{
	const uint8_t *pt = p->base + p->ct_off;
	uint32_t pad = pt[p->ct_len - 2], nh = pt[p->ct_len - 1], len, ihl, total;

	if (pad + ESP_TRAILER_LEN > p->ct_len)
		return ESP_DROP_bad_padding;
	len = p->ct_len - ESP_TRAILER_LEN - pad;
	for (uint32_t k = 0; k < pad; k++)
		if (pt[len + k] != (uint8_t)(k + 1))
			return ESP_DROP_bad_padding;
	if (nh == ESP_NH_NONE)
		return ESP_DROP_dummy;
	if (nh != sa->next_header)
		return ESP_DROP_next_header;
	if (len < sizeof(struct rte_ipv4_hdr) || (pt[0] >> 4) != 4)
		return ESP_DROP_inner_malformed;
	ihl = (pt[0] & 0xf) * 4u;
	total = (uint32_t)pt[2] << 8 | pt[3];
	if (ihl < sizeof(struct rte_ipv4_hdr) || total < ihl || total > len)
		return ESP_DROP_inner_malformed;
	p->inner_len = total;
	return ESP_DROP_COUNT;
}

static inline enum esp_drop
inbound_verify(struct esp_worker *w, uint16_t i)
{
	struct esp_pkt *p = &w->pkt[i];
	struct esp_sa *sa = p->sa;
	const struct esp_scratch *s = &w->scratch[i];
	const uint8_t *icv;
	enum esp_drop d;

	icv = (sa->flags & (ESP_SA_GCM | ESP_SA_ESN)) == ESP_SA_ESN ? s->icv
								       : p->base + p->icv_off;
	if (!esp_icv_equal(s->tag, icv, sa->icv_len))
		return ESP_DROP_auth_failed;
	d = inbound_payload(sa, p);
	if (d != ESP_DROP_COUNT)
		return d;
	/* RFC 4303 §3.4.3: the window moves only for an authentic packet. */
	return esp_replay_advance(sa, p->seq);
}

static void
inbound_finish(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n)
{
	struct esp_sa *cur = NULL;
	uint64_t pkts = 0, bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->pkt[i];

		if (p->sa != cur) {
			if (cur != NULL) {
				cur->stats.packets += pkts;
				cur->stats.bytes += bytes;
			}
			cur = p->sa;
			pkts = bytes = 0;
		}
		if (p->drop == ESP_DROP_COUNT)
			p->drop = inbound_verify(w, i);
		if (p->drop != ESP_DROP_COUNT) {
			p->sa->stats.drops[p->drop]++;
			continue;
		}
		/* The inner packet is what the caller gets; RX checksum flags
		 * described the outer one. */
		m[i]->data_off += p->ct_off;
		m[i]->data_len = p->inner_len;
		m[i]->pkt_len = p->inner_len;
		m[i]->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
		pkts++;
		bytes += p->inner_len;
	}
	if (cur != NULL) {
		cur->stats.packets += pkts;
		cur->stats.bytes += bytes;
	}
}

uint16_t
esp_inbound(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n,
	    enum esp_drop why[])
{
	return esp_burst_drive(w, sa, m, n, why, inbound_prepare, inbound_finish);
}
