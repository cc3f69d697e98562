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

/* Outer IPv4 [and UDP]: sets *esp_off and returns the ESP length, or 0. */
static inline uint32_t
inbound_outer(const struct esp_sa *sa, const uint8_t *base, uint32_t len, uint32_t *esp_off)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)base;
	uint32_t ihl, total;

	if (outer_ipv4(base, len, &ihl, &total) != 0)
		return 0;
	/* The SA's endpoints (the caller looked the SA up by SPI only); the
	 * template holds them as sent, source local, destination remote. */
	if (ip->src_addr != esp_load32(sa->hdr + ESP_TMPL_ADDRS + 4) ||
	    ip->dst_addr != esp_load32(sa->hdr + ESP_TMPL_ADDRS))
		return 0;
	if (sa->flags & ESP_SA_UDP) {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(base + ihl);

		/* RFC 3948 §3.4: only the destination port is ours to check; a
		 * NAT may move the source port, and IKE follows it. The UDP
		 * checksum is not looked at (§3.1.2); the ICV covers the data. */
		if (ip->next_proto_id != IPPROTO_UDP || total < ihl + sizeof(*udp) ||
		    rte_be_to_cpu_16(udp->dgram_len) != total - ihl ||
		    udp->dst_port != esp_load16(sa->hdr + ESP_TMPL_PORTS))
			return 0;
		ihl += sizeof(*udp);
	} else if (ip->next_proto_id != IPPROTO_ESP) {
		return 0;
	}
	*esp_off = ihl;
	/* Never 0 here unless the ESP part is empty, which is truncated too. */
	return total - ihl;
}

/* Headers, lengths, SPI and the replay pre-check. ESP_DROP_COUNT if good. */
static enum esp_drop
inbound_parse(struct esp_sa *sa, struct rte_mbuf *m, struct esp_pkt *p)
{
	uint32_t esp_len, min, ct_len, esp_off = 0;
	const uint8_t *esp;
	rte_be32_t v;

	if (unlikely(m->nb_segs != 1 || (m->ol_flags & RTE_MBUF_F_INDIRECT)))
		return ESP_DROP_bad_outer;
	p->base = rte_pktmbuf_mtod(m, uint8_t *);
	esp_len = inbound_outer(sa, p->base, m->data_len, &esp_off);
	if (unlikely(esp_len == 0)) {
		/* An empty UDP payload after a valid header is a truncated ESP. */
		return esp_off != 0 ? ESP_DROP_truncated : ESP_DROP_bad_outer;
	}
	esp = p->base + esp_off;
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
	if (unlikely(v != esp_load32(sa->hdr + sa->outer_len)))
		return ESP_DROP_spi_mismatch;
	memcpy(&v, esp + 4, sizeof(v));
	p->ct_off = esp_off + ESP_HDR_LEN + sa->iv_len;
	p->ct_len = ct_len;
	return esp_replay_precheck(sa, rte_be_to_cpu_32(v), &p->seq);
}

/*
 * The common packet of an AES-GCM SA without ESN, in one pass over the
 * header template: IPv4 without options or fragmentation, the SA's
 * protocol, addresses (swapped: the template is as sent), destination port
 * and SPI, consistent lengths and whole 4-byte blocks. True if every check
 * of inbound_parse up to the replay pre-check would pass (p filled in);
 * false sends the packet through inbound_parse, which names the reason.
 */
static __rte_always_inline bool
inbound_parse_fast(const struct esp_sa *sa, struct rte_mbuf *m, struct esp_pkt *p)
{
	/* Header, IV, ICV and one 4-byte block. */
	const uint32_t min = ESP_HDR_LEN + ESP_GCM_IV_LEN + ESP_GCM_ICV_LEN + 4;
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t olen = sa->outer_len, total;
	uint64_t addrs;

	if (unlikely(m->data_len < ESP_HDR_TMPL_LEN || m->nb_segs != 1 ||
		     (m->ol_flags & RTE_MBUF_F_INDIRECT)))
		return false;
	total = ESP_BSWAP16(esp_load16(b + offsetof(struct rte_ipv4_hdr, total_length)));
	addrs = esp_load64(b + ESP_TMPL_ADDRS);
	addrs = addrs << 32 | addrs >> 32;
	if (unlikely(b[0] != 0x45 || total > m->data_len ||
		     (esp_load16(b + offsetof(struct rte_ipv4_hdr, fragment_offset)) &
		      RTE_BE16(IPV4_FRAG_MASK)) != 0 ||
		     b[ESP_TMPL_PROTO] != sa->hdr[ESP_TMPL_PROTO] ||
		     addrs != esp_load64(sa->hdr + ESP_TMPL_ADDRS) ||
		     esp_load32(b + olen) != esp_load32(sa->hdr + olen) ||
		     total < olen + min || ((total - olen) & 3) != 0))
		return false;
	if (sa->flags & ESP_SA_UDP) {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(b + sizeof(struct rte_ipv4_hdr));

		if (unlikely(udp->dst_port != esp_load16(sa->hdr + ESP_TMPL_PORTS) ||
			     ESP_BSWAP16(udp->dgram_len) != total - sizeof(struct rte_ipv4_hdr)))
			return false;
	}
	p->base = b;
	p->ct_off = olen + ESP_HDR_LEN + ESP_GCM_IV_LEN;
	p->ct_len = total - olen - ESP_HDR_LEN - ESP_GCM_IV_LEN - ESP_GCM_ICV_LEN;
	return true;
}

/*
 * The job: RFC 4106 §4-§5 for GCM (nonce = salt || the packet's IV, AAD as
 * on the way out); RFC 4303 §3.4.4.1 for CBC (ICV over ESP header ..
 * ciphertext; with ESN seq_hi is appended for the computation only,
 * §2.2.1, where the received ICV lay — so that ICV is saved first).
 */
static __rte_always_inline void
inbound_job(IMB_JOB *job, const struct esp_sa *sa, struct esp_pkt *p, struct esp_scratch *s,
	    bool fast)
{
	const uint8_t *esp = p->base + p->ct_off - ESP_HDR_LEN - (fast ? ESP_GCM_IV_LEN : sa->iv_len);
	uint8_t *icv = p->base + p->ct_off + p->ct_len;

	esp_job_fill_sa(job, sa, false, fast);
	job->src = p->base;
	job->user_data = p;
	/* IPsec-MB offsets apply to src only: dst is where output starts. */
	job->cipher_start_src_offset_in_bytes = p->ct_off;
	job->dst = p->base + p->ct_off;
	job->msg_len_to_cipher_in_bytes = p->ct_len;
	job->auth_tag_output = s->tag;
	if (fast || (sa->flags & ESP_SA_GCM)) {
		memcpy(s->nonce, sa->salt, 4);
		memcpy(s->nonce + 4, esp + ESP_HDR_LEN, ESP_GCM_IV_LEN);
		job->iv = s->nonce;
		job->hash_start_src_offset_in_bytes = p->ct_off;
		job->msg_len_to_hash_in_bytes = p->ct_len;
		if (!fast && (sa->flags & ESP_SA_ESN)) {
			esp_store32(s->aad, esp_load32(esp));
			esp_store32(s->aad + 4, ESP_BSWAP32((uint32_t)(p->seq >> 32)));
			esp_store32(s->aad + 8, esp_load32(esp + 4));
			job->u.GCM.aad = s->aad;
		} else {
			job->u.GCM.aad = esp;
		}
		return;
	}
	job->iv = esp + ESP_HDR_LEN;
	job->hash_start_src_offset_in_bytes = esp - p->base;
	job->msg_len_to_hash_in_bytes = ESP_HDR_LEN + ESP_CBC_IV_LEN + p->ct_len;
	if (sa->flags & ESP_SA_ESN) {
		memcpy(s->icv, icv, sa->icv_len);
		esp_store32(icv, ESP_BSWAP32((uint32_t)(p->seq >> 32)));
		job->msg_len_to_hash_in_bytes += 4;
	}
}

/* Parse one packet and queue its job. ESP_DROP_COUNT if queued. */
static __rte_always_inline enum esp_drop
inbound_one(struct esp_worker *w, struct esp_sa *sa, struct rte_mbuf *m, struct esp_pkt *p,
	    struct esp_scratch *s, bool fast)
{
	enum esp_drop d;
	IMB_JOB *job;

	if (fast && likely(inbound_parse_fast(sa, m, p))) {
		uint32_t seq_lo = ESP_BSWAP32(esp_load32(p->base + sa->outer_len + 4));

		/* Without ESN a number above the top is new (esp_replay_precheck). */
		if (likely(seq_lo > sa->replay_top))
			p->seq = seq_lo;
		else if ((d = esp_replay_check(sa, seq_lo, &p->seq)) != ESP_DROP_COUNT)
			return d;
	} else if ((d = inbound_parse(sa, m, p)) != ESP_DROP_COUNT) {
		return d;
	}
	job = esp_job_get(w);
	if (unlikely(job == NULL))
		return ESP_DROP_crypto_error;
	esp_prefetch_range(p->base + p->ct_off, p->ct_len + (fast ? ESP_GCM_ICV_LEN : sa->icv_len));
	inbound_job(job, sa, p, s, fast);
	esp_job_put(w, job);
	return ESP_DROP_COUNT;
}

static void
inbound_prepare(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->pkt[i];

		if (i + 2 < n)
			rte_prefetch0(m[i + 2]);
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		p->sa = sa[i];
		if (likely(esp_sa_gcm_fast(sa[i])))
			p->drop = inbound_one(w, sa[i], m[i], p, &w->scratch[i], true);
		else
			p->drop = inbound_one(w, sa[i], m[i], p, &w->scratch[i], false);
	}
}

/*
 * RFC 4303 §2.4: pad bytes 1, 2, 3, ... The usual 1..8 of them are the top
 * bytes of the 8 in front of the pad length field: one masked compare.
 */
static inline bool
pad_ok(const uint8_t *pt, uint32_t len, uint32_t pad)
{
	if (likely(pad - 1 < 8 && len + pad >= 8)) {
		uint32_t shift = 8 * (8 - pad);
		uint64_t x = rte_le_to_cpu_64(esp_load64(pt + len + pad - 8));

		return ((x ^ (UINT64_C(0x0807060504030201) << shift)) & (~UINT64_C(0) << shift)) == 0;
	}
	for (uint32_t k = 0; k < pad; k++)
		if (pt[len + k] != (uint8_t)(k + 1))
			return false;
	return true;
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
	if (!pad_ok(pt, len, pad))
		return ESP_DROP_bad_padding;
	if (nh == ESP_NH_NONE)
		return ESP_DROP_dummy;
	if (nh != sa->next_header)
		return ESP_DROP_next_header;
	/* Version 4 and IHL >= 5: the first byte is 0x45 .. 0x4f. */
	if (len < sizeof(struct rte_ipv4_hdr) || (uint8_t)(pt[0] - 0x45) > 0x0a)
		return ESP_DROP_inner_malformed;
	ihl = (pt[0] & 0xf) * 4u;
	total = (uint32_t)pt[2] << 8 | pt[3];
	if (total < ihl || total > len)
		return ESP_DROP_inner_malformed;
	p->inner_len = total;
	return ESP_DROP_COUNT;
}

static __rte_always_inline enum esp_drop
inbound_verify(struct esp_worker *w, uint16_t i, bool fast)
{
	struct esp_pkt *p = &w->pkt[i];
	struct esp_sa *sa = p->sa;
	const struct esp_scratch *s = &w->scratch[i];
	const uint8_t *icv = p->base + p->ct_off + p->ct_len;
	enum esp_drop d;

	if (!fast && (sa->flags & (ESP_SA_GCM | ESP_SA_ESN)) == ESP_SA_ESN)
		icv = s->icv;
	if (!esp_icv_equal(s->tag, icv, fast ? ESP_GCM_ICV_LEN : sa->icv_len))
		return ESP_DROP_auth_failed;
	d = inbound_payload(sa, p);
	if (d != ESP_DROP_COUNT)
		return d;
	/* RFC 4303 §3.4.3: the window moves only for an authentic packet. */
	return esp_replay_advance(sa, p->seq);
}

/* Each packet's counters go straight to its SA, whose line the packet has
 * just used (a run of packets on one SA is short with many tunnels). */
static void
inbound_finish(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->pkt[i];
		struct esp_sa *sa = p->sa;

		if (p->drop == ESP_DROP_COUNT)
			p->drop = esp_sa_gcm_fast(sa) ? inbound_verify(w, i, true)
						      : inbound_verify(w, i, false);
		if (p->drop != ESP_DROP_COUNT) {
			sa->stats.drops[p->drop]++;
			continue;
		}
		/* The inner packet is what the caller gets; RX checksum flags
		 * described the outer one. */
		m[i]->data_off += p->ct_off;
		m[i]->data_len = p->inner_len;
		m[i]->pkt_len = p->inner_len;
		m[i]->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
		sa->stats.packets++;
		sa->stats.bytes += p->inner_len;
	}
}

uint16_t
esp_inbound(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n,
	    enum esp_drop why[])
{
	return esp_burst_drive(w, sa, m, n, why, inbound_prepare, inbound_finish);
}
