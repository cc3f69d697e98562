/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp/sa: turning what IKEv2 negotiated (struct esp_sa_params) into the SA
 * the data path reads: parameters checked with a one-line error naming the
 * field, AES keys expanded and the GHASH key precomputed by IPsec-MB, HMAC
 * inner and outer states precomputed once (IPsec-MB 1.3 has no helper for
 * that: one compression of key ^ ipad / key ^ opad with its one-block SHA
 * functions), the constant part of the outer IPv4 checksum summed, and the
 * random per-SA block that makes CBC IVs unpredictable drawn. Also the
 * getters, the drop names and the test-only setters.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <rte_byteorder.h>

#include "esp_priv.h"

#define ESP_DROP_NAME(name, help) [ESP_DROP_##name] = #name,
#define ESP_DROP_HELP(name, help) [ESP_DROP_##name] = help,
static const char *const drop_names[ESP_DROP_COUNT] = { ESP_DROP_REASONS(ESP_DROP_NAME) };
static const char *const drop_helps[ESP_DROP_COUNT] = { ESP_DROP_REASONS(ESP_DROP_HELP) };
#undef ESP_DROP_NAME
#undef ESP_DROP_HELP

/* RFC 4303 §3.3.3: soft limits leave the control core room to rekey. */
#define SEQ_SOFT_32 ((UINT64_C(1) << 32) - (UINT64_C(1) << 22))
#define SEQ_SOFT_64 (UINT64_MAX - UINT32_MAX)

const char *
esp_drop_name(enum esp_drop d)
{
	return (unsigned)d < ESP_DROP_COUNT ? drop_names[d] : "unknown";
}

const char *
esp_drop_help(enum esp_drop d)
{
	return (unsigned)d < ESP_DROP_COUNT ? drop_helps[d] : "unknown";
}

size_t
esp_sa_size(void)
{
	return sizeof(struct esp_sa);
}

static int
sa_error(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

/* The first error in p, or NULL. */
static const char *
params_check(const struct esp_sa_params *p)
{
	static const uint8_t auth_len[] = {
		[ESP_INTEG_HMAC_SHA1_96] = 20,    /* RFC 2404 §3 */
		[ESP_INTEG_HMAC_SHA256_128] = 32, /* RFC 4868 §2.1.1 */
		[ESP_INTEG_HMAC_SHA384_192] = 48,
	};
	uint32_t w = p->replay_window;

	/* RFC 4303 §2.1: 0 is never sent, 1..255 are reserved by IANA. */
	if (p->spi < 256)
		return "spi: 0..255 are reserved (RFC 4303 2.1); allowed 256..4294967295";
	if (p->cipher != ESP_CIPHER_AES_GCM_16 && p->cipher != ESP_CIPHER_AES_CBC)
		return "cipher: allowed ESP_CIPHER_AES_GCM_16 or ESP_CIPHER_AES_CBC";
	if (p->key_len != 16 && p->key_len != 32)
		return "key_len: allowed 16 (AES-128) or 32 (AES-256)";
	if (p->cipher == ESP_CIPHER_AES_GCM_16 && p->integ != ESP_INTEG_NONE)
		return "integ: AES-GCM is combined mode; allowed ESP_INTEG_NONE only";
	if (p->cipher == ESP_CIPHER_AES_CBC) {
		if (p->integ < ESP_INTEG_HMAC_SHA1_96 || p->integ > ESP_INTEG_HMAC_SHA384_192)
			return "integ: AES-CBC needs HMAC-SHA1-96, HMAC-SHA-256-128 or HMAC-SHA-384-192";
		if (p->auth_key_len != auth_len[p->integ])
			return "auth_key_len: allowed 20 (SHA1-96), 32 (SHA-256-128), 48 (SHA-384-192)";
	}
	if (w != 0 && (w < ESP_REPLAY_WINDOW_MIN || w > ESP_REPLAY_WINDOW_MAX || (w & (w - 1))))
		return "replay_window: allowed 0 (= 1024), 1024, 2048 or 4096";
	if (p->local_addr == 0 || p->remote_addr == 0)
		return "local_addr/remote_addr: tunnel endpoints must be set";
	if (p->udp_encap && (p->local_port == 0 || p->remote_port == 0))
		return "local_port/remote_port: UDP encapsulation needs both ports (RFC 3948)";
	if (p->seq_soft_limit != 0 && !p->esn && p->seq_soft_limit > UINT32_MAX)
		return "seq_soft_limit: without ESN allowed 1..4294967295 (0 = automatic)";
	return NULL;
}

/* RFC 2104 §2: the states after H(K ^ ipad) and H(K ^ opad), once per SA. */
static void
hmac_precompute(struct esp_sa *sa, IMB_MGR *mgr, const struct esp_sa_params *p)
{
	uint8_t block[128];
	unsigned bs = p->integ == ESP_INTEG_HMAC_SHA384_192 ? 128 : 64;
	unsigned i;

	for (int pass = 0; pass < 2; pass++) {
		uint8_t pad = pass == 0 ? 0x36 : 0x5c;
		uint8_t *out = pass == 0 ? sa->hmac_ipad : sa->hmac_opad;

		memset(block, pad, bs);
		for (i = 0; i < p->auth_key_len; i++)
			block[i] ^= p->auth_key[i];
		if (p->integ == ESP_INTEG_HMAC_SHA1_96)
			IMB_SHA1_ONE_BLOCK(mgr, block, out);
		else if (p->integ == ESP_INTEG_HMAC_SHA256_128)
			IMB_SHA256_ONE_BLOCK(mgr, block, out);
		else
			IMB_SHA384_ONE_BLOCK(mgr, block, out);
	}
	OPENSSL_cleanse(block, sizeof(block));
}

static void
keys_expand(struct esp_sa *sa, IMB_MGR *mgr, const struct esp_sa_params *p)
{
	if (p->cipher == ESP_CIPHER_AES_GCM_16) {
		if (p->key_len == 16)
			IMB_AES128_GCM_PRE(mgr, p->key, &sa->gcm_key);
		else
			IMB_AES256_GCM_PRE(mgr, p->key, &sa->gcm_key);
		return;
	}
	if (p->key_len == 16)
		IMB_AES_KEYEXP_128(mgr, p->key, sa->cbc_enc_keys, sa->cbc_dec_keys);
	else
		IMB_AES_KEYEXP_256(mgr, p->key, sa->cbc_enc_keys, sa->cbc_dec_keys);
	hmac_precompute(sa, mgr, p);
}

/* RFC 1071: the outer header words that never change for this SA (TTL and
 * protocol, addresses), summed once; per packet only TOS, length and ID are
 * added. */
static uint32_t
outer_sum(const struct esp_sa_params *p)
{
	uint32_t proto = p->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;

	return (64u << 8 | proto) + (p->local_addr >> 16) + (p->local_addr & 0xffff) +
	       (p->remote_addr >> 16) + (p->remote_addr & 0xffff);
}

/*
 * The outer headers as every packet of this SA sends them (RFC 4303
 * §3.1.2, RFC 4301 §5.1.2.1: DF clear, TTL 64; RFC 3948 §2.1: UDP checksum
 * zero), then the SPI; the per-packet fields (TOS, lengths, ID, checksum)
 * are left zero for outbound to patch.
 */
static void
hdr_template(struct esp_sa *sa, const struct esp_sa_params *p)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)sa->hdr;
	rte_be32_t spi = rte_cpu_to_be_32(p->spi);

	memset(sa->hdr, 0, sizeof(sa->hdr));
	ip->version_ihl = 0x45;
	ip->time_to_live = 64;
	ip->next_proto_id = p->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
	ip->src_addr = rte_cpu_to_be_32(p->local_addr);
	ip->dst_addr = rte_cpu_to_be_32(p->remote_addr);
	if (p->udp_encap) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(p->local_port);
		udp->dst_port = rte_cpu_to_be_16(p->remote_port);
	}
	memcpy(sa->hdr + sa->outer_len, &spi, sizeof(spi));
}

static void
sa_fill(struct esp_sa *sa, const struct esp_sa_params *p)
{
	static const uint8_t icv_len[] = {
		[ESP_INTEG_NONE] = ESP_GCM_ICV_LEN,
		[ESP_INTEG_HMAC_SHA1_96] = 12,
		[ESP_INTEG_HMAC_SHA256_128] = 16,
		[ESP_INTEG_HMAC_SHA384_192] = 24,
	};
	static const IMB_HASH_ALG hash[] = {
		[ESP_INTEG_NONE] = IMB_AUTH_AES_GMAC,
		[ESP_INTEG_HMAC_SHA1_96] = IMB_AUTH_HMAC_SHA_1,
		[ESP_INTEG_HMAC_SHA256_128] = IMB_AUTH_HMAC_SHA_256,
		[ESP_INTEG_HMAC_SHA384_192] = IMB_AUTH_HMAC_SHA_384,
	};
	bool gcm = p->cipher == ESP_CIPHER_AES_GCM_16;

	sa->spi = p->spi;
	sa->flags = (p->esn ? ESP_SA_ESN : 0) | (p->udp_encap ? ESP_SA_UDP : 0) |
		    (gcm ? ESP_SA_GCM : 0);
	sa->iv_len = gcm ? ESP_GCM_IV_LEN : ESP_CBC_IV_LEN;
	sa->icv_len = icv_len[p->integ];
	/* RFC 4303 §2.4: the trailer ends on a 4-byte boundary (GCM, RFC 4106
	 * §3.2) or on the cipher block (CBC, RFC 3602 §2.4). */
	sa->block_mask = gcm ? 3 : 15;
	sa->next_header = ESP_NH_IPV4;
	sa->outer_len = sizeof(struct rte_ipv4_hdr) + (p->udp_encap ? sizeof(struct rte_udp_hdr) : 0);
	sa->head_len = sa->outer_len + ESP_HDR_LEN + sa->iv_len;
	sa->key_len = p->key_len;
	sa->integ = p->integ;
	sa->hash_alg = hash[p->integ];
	hdr_template(sa, p);
	sa->outer_sum = outer_sum(p);
	memcpy(sa->salt, p->salt, sizeof(sa->salt));

	sa->seq_max = p->esn ? UINT64_MAX : UINT32_MAX;
	sa->seq_soft = p->seq_soft_limit != 0 ? p->seq_soft_limit
					      : (p->esn ? SEQ_SOFT_64 : SEQ_SOFT_32);
	sa->replay_window = p->replay_window != 0 ? p->replay_window : ESP_REPLAY_WINDOW_MIN;
	sa->replay_words_mask = 2 * sa->replay_window / 64 - 1;
}

int
esp_sa_init(struct esp_sa *sa, struct esp_worker *w, const struct esp_sa_params *p, char *err,
	    size_t errlen)
{
	const char *msg;

	if (sa == NULL || w == NULL || p == NULL)
		return sa_error(err, errlen, "sa, worker and params are required");
	if ((uintptr_t)sa % RTE_CACHE_LINE_SIZE != 0)
		return sa_error(err, errlen, "sa: must be cache-line aligned (esp_sa_size)");
	msg = params_check(p);
	if (msg != NULL)
		return sa_error(err, errlen, msg);

	memset(sa, 0, sizeof(*sa));
	sa_fill(sa, p);
	keys_expand(sa, w->mgr, p);
	/* RFC 3602 §2.1: CBC IVs must be unpredictable; outbound.c derives them
	 * by encrypting this secret block XOR the sequence number. */
	if (p->cipher == ESP_CIPHER_AES_CBC && RAND_bytes(sa->cbc_iv_block, sizeof(sa->cbc_iv_block)) != 1) {
		esp_sa_clear(sa);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "random: RAND_bytes failed for the CBC IV block");
		return -EIO;
	}
	return 0;
}

void
esp_sa_clear(struct esp_sa *sa)
{
	if (sa != NULL)
		OPENSSL_cleanse(sa, sizeof(*sa));
}

uint32_t
esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

const struct esp_sa_stats *
esp_sa_stats(const struct esp_sa *sa)
{
	return &sa->stats;
}

uint64_t
esp_sa_seq(const struct esp_sa *sa)
{
	if (sa->used_inbound)
		return sa->replay_top;
	return sa->seq_last + 1;
}

unsigned
esp_sa_events(const struct esp_sa *sa)
{
	return __atomic_load_n(&sa->events, __ATOMIC_RELAXED);
}

static_assert(ESP_OUTER_MAX + ESP_HDR_LEN + ESP_CBC_IV_LEN + 15 + ESP_TRAILER_LEN + ESP_ICV_MAX ==
		      ESP_OVERHEAD_MAX, "ESP_OVERHEAD_MAX is esp_sa_overhead()'s largest value");

unsigned
esp_sa_overhead(const struct esp_sa *sa, unsigned len)
{
	unsigned pad = (0u - (len + ESP_TRAILER_LEN)) & sa->block_mask;

	return sa->outer_len + ESP_HDR_LEN + sa->iv_len + pad + ESP_TRAILER_LEN + sa->icv_len;
}

int
esp_sa_icv(struct esp_worker *w, const struct esp_sa *sa, const uint8_t *msg, uint32_t len,
	   uint8_t *icv)
{
	struct esp_pkt pkt = { .drop = ESP_DROP_COUNT };
	IMB_JOB *job;

	if (sa->flags & ESP_SA_GCM)
		return -EINVAL;
	w->chunk = 1;
	job = esp_job_get(w);
	if (job == NULL)
		return -EIO;
	esp_job_fill_sa(job, sa, true, false);
	job->cipher_mode = IMB_CIPHER_NULL;
	job->src = msg;
	job->dst = icv;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = 0;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = len;
	job->iv = msg;
	job->iv_len_in_bytes = 0;
	job->auth_tag_output = icv;
	job->user_data = &pkt;
	esp_job_put(w, job);
	if (esp_jobs_run(w) != 0)
		return -EIO;
	return pkt.drop == ESP_DROP_COUNT ? 0 : -EIO;
}

void
esp_sa_set_seq(struct esp_sa *sa, uint64_t next)
{
	sa->seq_last = next - 1;
	sa->flags &= ~ESP_SA_SEQ_DONE;
	if (next - 1 == sa->seq_max)
		sa->flags |= ESP_SA_SEQ_DONE;
}

void
esp_sa_set_replay_top(struct esp_sa *sa, uint64_t top)
{
	sa->replay_top = top;
	memset(sa->replay_bits, 0, sizeof(sa->replay_bits));
}

void
esp_sa_set_iv_mask(struct esp_sa *sa, const uint8_t mask[16])
{
	memcpy(&sa->gcm_iv_mask, mask, sizeof(sa->gcm_iv_mask));
	memcpy(sa->cbc_iv_block, mask, sizeof(sa->cbc_iv_block));
}

void
esp_sa_set_next_header(struct esp_sa *sa, uint8_t nh)
{
	sa->next_header = nh;
}
