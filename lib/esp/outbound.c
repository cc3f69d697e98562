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
static bool
seq_next_slow(struct esp_sa *sa, uint64_t *seq)
{
	if (unlikely(sa->flags & ESP_SA_SEQ_DONE)) {
		raise_event(sa, ESP_EVENT_SEQ_HARD);
		return false;
	}
	*seq = ++sa->seq_last;
	if (*seq >= sa->seq_soft)
		raise_event(sa, ESP_EVENT_SEQ_SOFT);
	if (*seq == sa->seq_max) {
		sa->flags |= ESP_SA_SEQ_DONE;
		raise_event(sa, ESP_EVENT_SEQ_HARD);
	}
	return true;
}

/* Below the soft limit (which is at most the last number) nothing else can
 * happen: one compare. Once used up, seq_last is the last number, which is
 * not below seq_soft - 1 either (seq_soft >= 1). */
static inline bool
seq_next(struct esp_sa *sa, uint64_t *seq)
{
	if (likely(sa->seq_last < sa->seq_soft - 1)) {
		*seq = ++sa->seq_last;
		return true;
	}
	return seq_next_slow(sa, seq);
}

/*
 * Outer IPv4 [UDP] and SPI: the SA's template (RFC 4303 §3.1.2 / RFC 4301
 * §5.1.2.1: DF clear so the caller may fragment the outer packet, TTL 64),
 * then per packet the TOS copied from the inner header (DSCP, and ECN in
 * RFC 6040 §4.1 normal mode), the lengths, the ID from a per-SA counter and
 * the checksum, which adds these words to the SA's constant sum. The UDP
 * length is written without a branch: without UDP those two bytes are the
 * sequence number's, written afterwards.
 */
static inline void
outer_write(struct esp_sa *sa, uint8_t *base, uint32_t total, uint8_t tos)
{
	uint16_t id = sa->ip_id++;
	uint32_t sum = sa->outer_sum + (0x45u << 8 | tos) + total + id;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	memcpy(base, sa->hdr, ESP_HDR_TMPL_LEN);
	esp_store32(base, 0x45u | (uint32_t)tos << 8 | (uint32_t)ESP_BSWAP16((uint16_t)total) << 16);
	esp_store16(base + offsetof(struct rte_ipv4_hdr, packet_id), ESP_BSWAP16(id));
	esp_store16(base + offsetof(struct rte_ipv4_hdr, hdr_checksum),
		    ESP_BSWAP16((uint16_t)~sum));
	/* RFC 3948 §2.1 and §3.1.2: UDP checksum zero is allowed over IPv4. */
	esp_store16(base + sizeof(struct rte_ipv4_hdr) + offsetof(struct rte_udp_hdr, dgram_len),
		    ESP_BSWAP16((uint16_t)(total - sizeof(struct rte_ipv4_hdr))));
}

/*
 * RFC 4106 §3.1: the IV is the 64-bit sequence number (XOR a per-SA mask,
 * zero unless a test sets it), unique per key; nonce = salt || IV (§4);
 * AAD = SPI || seq, or SPI || seq_hi || seq_lo with ESN (§5).
 */
static __rte_always_inline void
gcm_job(IMB_JOB *job, const struct esp_sa *sa, uint8_t *esp, uint64_t seq,
	struct esp_scratch *s, bool fast)
{
	uint64_t iv = ESP_BSWAP64(seq) ^ sa->gcm_iv_mask;

	memcpy(esp + ESP_HDR_LEN, &iv, sizeof(iv));
	memcpy(s->nonce, sa->salt, 4);
	memcpy(s->nonce + 4, &iv, sizeof(iv));
	job->iv = s->nonce;
	if (!fast && (sa->flags & ESP_SA_ESN)) {
		esp_store32(s->aad, esp_load32(esp));
		esp_store32(s->aad + 4, ESP_BSWAP32((uint32_t)(seq >> 32)));
		esp_store32(s->aad + 8, esp_load32(esp + 4));
		job->u.GCM.aad = s->aad;
	} else {
		job->u.GCM.aad = esp;
	}
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
	uint8_t *esp = p->base + sa->outer_len;
	uint64_t seq = ESP_BSWAP64(p->seq);
	uint32_t hash_len = ESP_HDR_LEN + ESP_CBC_IV_LEN + p->ct_len;

	memset(esp + ESP_HDR_LEN, 0, 8);
	memcpy(esp + ESP_HDR_LEN + 8, &seq, 8);
	job->iv = sa->cbc_iv_block;
	job->cipher_start_src_offset_in_bytes = sa->outer_len + ESP_HDR_LEN;
	job->dst = esp + ESP_HDR_LEN;
	job->msg_len_to_cipher_in_bytes = ESP_CBC_IV_LEN + p->ct_len;
	job->hash_start_src_offset_in_bytes = sa->outer_len;
	if (sa->flags & ESP_SA_ESN) {
		esp_store32(p->base + p->icv_off, ESP_BSWAP32((uint32_t)(p->seq >> 32)));
		hash_len += 4;
		job->auth_tag_output = s->tag;
	} else {
		job->auth_tag_output = p->base + p->icv_off;
	}
	job->msg_len_to_hash_in_bytes = hash_len;
}

/*
 * One packet: checks, headers, trailer, job. ESP_DROP_COUNT if good. With
 * fast (AES-GCM without ESN, known by the caller) the transform's lengths
 * are constants and the compiler drops the other branches: the per-packet
 * function is chosen once per SA, as DPDK's lib/ipsec does, without a call.
 */
static __rte_always_inline enum esp_drop
outbound_one(struct esp_worker *w, struct esp_sa *sa, struct rte_mbuf *m, struct esp_pkt *p,
	     struct esp_scratch *s, bool fast)
{
	uint32_t len = m->data_len, block_mask = fast ? 3 : sa->block_mask;
	uint32_t icv_len = fast ? ESP_GCM_ICV_LEN : sa->icv_len;
	uint32_t head = sa->head_len, pad, tail, total, ct_len;
	uint8_t *inner = rte_pktmbuf_mtod(m, uint8_t *), *base, *trailer;
	uint64_t seq;
	IMB_JOB *job;

	if (unlikely(m->nb_segs != 1 || (m->ol_flags & RTE_MBUF_F_INDIRECT)))
		return ESP_DROP_no_room;
	pad = (0u - (len + ESP_TRAILER_LEN)) & block_mask;
	ct_len = len + pad + ESP_TRAILER_LEN;
	tail = pad + ESP_TRAILER_LEN + icv_len;
	total = head + ct_len + icv_len;
	if (unlikely(total > UINT16_MAX))
		return ESP_DROP_too_big;
	if (unlikely(m->data_off < head || rte_pktmbuf_tailroom(m) < tail))
		return ESP_DROP_no_room;
	if (unlikely(!seq_next(sa, &seq)))
		return ESP_DROP_seq_exhausted;
	job = esp_job_get(w);
	if (unlikely(job == NULL))
		return ESP_DROP_crypto_error;

	base = inner - head;
	p->inner_len = len;
	/* Counted as sent now; outbound_finish takes it back if IPsec-MB fails it. */
	sa->stats.packets++;
	sa->stats.bytes += len;
	outer_write(sa, base, total, len >= 2 ? inner[1] : 0);
	esp_store32(base + sa->outer_len + 4, ESP_BSWAP32((uint32_t)seq));
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

	esp_prefetch_range(inner, ct_len + icv_len);
	esp_job_fill_sa(job, sa, true, fast);
	job->src = base;
	job->user_data = p;
	if (fast || (sa->flags & ESP_SA_GCM)) {
		gcm_job(job, sa, base + sa->outer_len, seq, s, fast);
		/* IPsec-MB offsets apply to src only: dst is where output starts. */
		job->cipher_start_src_offset_in_bytes = head;
		job->dst = inner;
		job->msg_len_to_cipher_in_bytes = ct_len;
		job->hash_start_src_offset_in_bytes = head;
		job->msg_len_to_hash_in_bytes = ct_len;
		job->auth_tag_output = inner + ct_len;
	} else {
		p->base = base;
		p->seq = seq;
		p->ct_len = ct_len;
		p->icv_off = head + ct_len;
		cbc_job(job, sa, p, s);
		w->tag_moves |= (sa->flags & ESP_SA_ESN) != 0;
	}
	esp_job_put(w, job);
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

		p->sa = sa[i];
		if (likely(esp_sa_gcm_fast(sa[i])))
			p->drop = outbound_one(w, sa[i], m[i], p, &w->scratch[i], true);
		else
			p->drop = outbound_one(w, sa[i], m[i], p, &w->scratch[i], false);
		if (unlikely(p->drop != ESP_DROP_COUNT))
			sa[i]->stats.drops[p->drop]++;
	}
}

/*
 * Usually nothing is left to do: the prepare pass counted every packet on
 * its SA (whose line had just given it its sequence number), as sent or
 * dropped. Here only CBC-ESN tags move from scratch over seq_hi, and a
 * packet that IPsec-MB failed is counted as a drop instead.
 */
static void
outbound_finish(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n)
{
	RTE_SET_USED(m); /* the tags are restored from the scratch area, by index */

	for (uint64_t failed = w->failed; failed != 0; failed &= failed - 1) {
		struct esp_pkt *p = &w->pkt[__builtin_ctzll(failed)];

		p->sa->stats.packets--;
		p->sa->stats.bytes -= p->inner_len;
		p->sa->stats.drops[ESP_DROP_crypto_error]++;
	}
	if (likely(!w->tag_moves))
		return;
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->pkt[i];

		/* CBC with ESN: the tag went to scratch, seq_hi is where it goes. */
		if (p->drop == ESP_DROP_COUNT &&
		    (p->sa->flags & (ESP_SA_GCM | ESP_SA_ESN)) == ESP_SA_ESN)
			memcpy(p->base + p->icv_off, w->scratch[i].tag, p->sa->icv_len);
	}
}

uint16_t
esp_outbound(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n,
	     enum esp_drop why[])
{
	return esp_burst_drive(w, sa, m, n, why, outbound_prepare, outbound_finish);
}
