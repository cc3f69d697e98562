/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp/outbound: ESP tunnel-mode encapsulation (RFC 4303 §3.3) of a burst of
 * inner IPv4 packets, each through its own SA. Three passes per chunk of at
 * most ESP_BURST_MAX: build every packet's headers and trailer in place and
 * hand its job to IPsec-MB; run the whole chunk's crypto; then settle ICVs,
 * counters and order. Sequence numbers are taken in the first pass, so a
 * packet dropped by IPsec-MB leaves a gap, never a reused number.
 *
 * Packet as sent:
 *   outer IPv4 (20) [UDP (8), RFC 3948] | SPI | seq_lo | IV (8 GCM, 16 CBC) |
 *   inner packet | pad 1,2,3.. | pad length | next header 4 | ICV
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "esp_priv.h"

/* RFC 4303 §2.4: the default padding is 1, 2, 3, ... */
static const uint8_t pad_bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static inline void
raise_event(struct esp_sa *sa, uint32_t ev)
{
	if (!(sa->events & ev))
		__atomic_store_n(&sa->events, sa->events | ev, __ATOMIC_RELAXED);
}

/*
 * RFC 4303 §3.3.3: a counter that never cycles. Without ESN 2^32 - 1 is the
 * last number sent; the control core hears of it (HARD) as soon as it is
 * used, and of the soft limit once, to rekey in time.
 */
static inline bool
seq_next(struct esp_sa *sa, uint64_t *seq)
{
	if (unlikely(sa->flags & ESP_SA_SEQ_DONE)) {
		raise_event(sa, ESP_EVENT_SEQ_HARD);
		return false;
	}
	*seq = ++sa->seq_last;
	if (unlikely(*seq >= sa->seq_soft))
		raise_event(sa, ESP_EVENT_SEQ_SOFT);
	if (unlikely(*seq == sa->seq_max)) {
		sa->flags |= ESP_SA_SEQ_DONE;
		raise_event(sa, ESP_EVENT_SEQ_HARD);
	}
	return true;
}

/*
 * Outer IPv4, RFC 4303 §3.1.2 / RFC 4301 §5.1.2.1: TOS copied from the
 * inner header (DSCP, and ECN in RFC 6040 §4.1 normal mode), DF clear so
 * the caller may fragment the outer packet, TTL 64, ID from a per-SA
 * counter. The checksum adds the per-packet words to the SA's constant sum.
 */
static inline void
outer_write(struct esp_sa *sa, uint8_t *base, uint16_t total, uint8_t tos)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)base;
	uint16_t id = sa->ip_id++;
	uint32_t sum = sa->outer_sum + (0x45u << 8 | tos) + total + id;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->version_ihl = 0x45;
	ip->type_of_service = tos;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = sa->flags & ESP_SA_UDP ? IPPROTO_UDP : IPPROTO_ESP;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
	ip->src_addr = sa->local_addr_be;
	ip->dst_addr = sa->remote_addr_be;
	if (sa->flags & ESP_SA_UDP) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		/* RFC 3948 §2.1 and §3.1.2: checksum zero is allowed over IPv4. */
		udp->src_port = sa->local_port_be;
		udp->dst_port = sa->remote_port_be;
		udp->dgram_len = rte_cpu_to_be_16(total - sizeof(*ip));
		udp->dgram_cksum = 0;
	}
}

/*
 * RFC 4106 §3.1: the IV is the 64-bit sequence number (XOR a per-SA mask,
 * zero unless a test sets it), unique per key; nonce = salt || IV (§4);
 * AAD = SPI || seq, or SPI || seq_hi || seq_lo with ESN (§5).
 */
static inline void
gcm_job(IMB_JOB *job, const struct esp_sa *sa, struct esp_pkt *p, struct esp_scratch *s)
{
	uint64_t iv = rte_cpu_to_be_64(p->seq);
	uint8_t *esp = p->base + p->esp_off;
	uint64_t mask;

	memcpy(&mask, sa->iv_mask, sizeof(mask));
	iv ^= mask;
	memcpy(esp + ESP_HDR_LEN, &iv, sizeof(iv));
	memcpy(s->nonce, sa->salt, 4);
	memcpy(s->nonce + 4, &iv, sizeof(iv));
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
	job->auth_tag_output = p->base + p->icv_off;
}

/*
 * RFC 3602 §2.1 wants unpredictable IVs. The IV field is filled with the
 * sequence number and encrypted as the first CBC block, chained from the
 * SA's secret random block: IV = AES_K(secret ^ seq), NIST SP 800-38A
 * Appendix C's "encrypt a nonce under the data key", done by the same job.
 * RFC 4303 §2.2.1 / §3.3.2.2: with ESN the ICV also covers seq_hi, placed
 * after the ciphertext for the computation only.
 */
static inline void
cbc_job(IMB_JOB *job, const struct esp_sa *sa, struct esp_pkt *p, struct esp_scratch *s)
{
	uint8_t *esp = p->base + p->esp_off;
	uint64_t seq = rte_cpu_to_be_64(p->seq);
	uint32_t hash_len = ESP_HDR_LEN + ESP_CBC_IV_LEN + p->ct_len;

	memset(esp + ESP_HDR_LEN, 0, 8);
	memcpy(esp + ESP_HDR_LEN + 8, &seq, 8);
	job->iv = sa->iv_mask;
	job->cipher_start_src_offset_in_bytes = p->esp_off + ESP_HDR_LEN;
	job->dst = esp + ESP_HDR_LEN;
	job->msg_len_to_cipher_in_bytes = ESP_CBC_IV_LEN + p->ct_len;
	job->hash_start_src_offset_in_bytes = p->esp_off;
	if (sa->flags & ESP_SA_ESN) {
		rte_be32_t hi = rte_cpu_to_be_32((uint32_t)(p->seq >> 32));

		memcpy(p->base + p->icv_off, &hi, 4);
		hash_len += 4;
		job->auth_tag_output = s->tag;
		p->tag_in_scratch = 1;
	} else {
		job->auth_tag_output = p->base + p->icv_off;
	}
	job->msg_len_to_hash_in_bytes = hash_len;
}

/* Checks, headers, trailer: everything but the crypto. ESP_DROP_COUNT if good. */
static inline enum esp_drop
outbound_build(struct esp_sa *sa, struct rte_mbuf *m, struct esp_pkt *p)
{
	uint32_t len = m->data_len, pad, tail, head, total;
	uint8_t *inner = rte_pktmbuf_mtod(m, uint8_t *), *trailer;
	rte_be32_t seq_lo;

	if (unlikely(m->nb_segs != 1 || (m->ol_flags & RTE_MBUF_F_INDIRECT)))
		return ESP_DROP_no_room;
	pad = (0u - (len + ESP_TRAILER_LEN)) & sa->block_mask;
	tail = pad + ESP_TRAILER_LEN + sa->icv_len;
	head = sa->outer_len + ESP_HDR_LEN + sa->iv_len;
	total = head + len + tail;
	if (unlikely(total > UINT16_MAX))
		return ESP_DROP_too_big;
	if (unlikely(m->data_off < head || rte_pktmbuf_tailroom(m) < tail))
		return ESP_DROP_no_room;
	if (unlikely(!seq_next(sa, &p->seq)))
		return ESP_DROP_seq_exhausted;

	p->base = inner - head;
	p->esp_off = sa->outer_len;
	p->ct_off = head;
	p->ct_len = len + pad + ESP_TRAILER_LEN;
	p->icv_off = head + p->ct_len;
	p->inner_len = len;
	outer_write(sa, p->base, total, len >= 2 ? inner[1] : 0);
	seq_lo = rte_cpu_to_be_32((uint32_t)p->seq);
	memcpy(p->base + p->esp_off, &sa->spi_be, 4);
	memcpy(p->base + p->esp_off + 4, &seq_lo, 4);
	trailer = inner + len;
	/* One 16-byte store where the tail has room for it (the pad length,
	 * next header and ICV overwrite the excess), else byte by byte. */
	if (likely(tail >= sizeof(pad_bytes)))
		memcpy(trailer, pad_bytes, sizeof(pad_bytes));
	else
		for (uint32_t k = 0; k < pad; k++)
			trailer[k] = pad_bytes[k];
	trailer[pad] = pad;
	trailer[pad + 1] = sa->next_header;

	m->data_off -= head;
	m->data_len = total;
	m->pkt_len = total;
	return ESP_DROP_COUNT;
}

static void
outbound_prepare(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n)
{
	/*
	 * The outer headers go in front of each packet, in headroom that
	 * nothing has touched since the mbuf was last used, somewhere else in
	 * the pool: ask for all of the chunk's lines at once (the head is at
	 * most 52 bytes, so the line before the packet's first is the only one).
	 */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(m[i], uint8_t *) -
			      (ESP_OUTER_MAX + ESP_HDR_LEN + ESP_CBC_IV_LEN));
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->pkt[i];
		IMB_JOB *job;

		p->sa = sa[i];
		p->tag_in_scratch = 0;
		p->drop = outbound_build(sa[i], m[i], p);
		if (p->drop != ESP_DROP_COUNT)
			continue;
		job = esp_job_get(w);
		if (unlikely(job == NULL)) {
			p->drop = ESP_DROP_crypto_error;
			continue;
		}
		esp_prefetch_range(p->base + p->ct_off, p->ct_len + sa[i]->icv_len);
		esp_job_fill_sa(job, sa[i], true);
		job->src = p->base;
		job->user_data = p;
		if (sa[i]->flags & ESP_SA_GCM)
			gcm_job(job, sa[i], p, &w->scratch[i]);
		else
			cbc_job(job, sa[i], p, &w->scratch[i]);
		esp_job_put(w, job);
	}
}

/* Counters are added per run of packets on one SA, as VPP does. */
static void
outbound_finish(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n)
{
	RTE_SET_USED(m); /* the tags are restored from the scratch area, by index */
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
		if (p->drop != ESP_DROP_COUNT) {
			p->sa->stats.drops[p->drop]++;
			continue;
		}
		if (p->tag_in_scratch)
			memcpy(p->base + p->icv_off, w->scratch[i].tag, p->sa->icv_len);
		pkts++;
		bytes += p->inner_len;
	}
	if (cur != NULL) {
		cur->stats.packets += pkts;
		cur->stats.bytes += bytes;
	}
}

uint16_t
esp_outbound(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n,
	     enum esp_drop why[])
{
	return esp_burst_drive(w, sa, m, n, why, outbound_prepare, outbound_finish);
}
