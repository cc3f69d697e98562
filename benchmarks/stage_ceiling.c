/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ceiling stage: raw IPsec-MB doing exactly the crypto that ESP needs
 * for each packet of the stream, and nothing else. Plain buffers laid out as
 * an ESP payload (SPI and sequence number, explicit IV, inner packet with its
 * RFC 4303 trailer, ICV), the tunnel's own keys, in place, bursts of 32 with
 * every job of a burst completed before the next (as a data path must), the
 * burst or job API without parameter checks. Decryption compares each ICV.
 * A variant, ceiling-checked, submits with IPsec-MB's parameter checks, to
 * put a number on what they cost.
 * This is the figure the data path is compared against; at start-up OpenSSL
 * opens what it encrypts (bench_ceiling_selfcheck).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <intel-ipsec-mb.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_malloc.h>

#include "bench.h"

/* Buffer stride: not a power of two, like mempool objects, to avoid aliasing. */
#define CEIL_STRIDE 2304
#define CEIL_ICV 16
#define CEIL_SPI_BASE 0x1000u

struct ceil_tunnel {
	struct gcm_key_data gcm;
	uint8_t enc_keys[16 * 15] __rte_aligned(16);
	uint8_t dec_keys[16 * 15] __rte_aligned(16);
	uint8_t ipad[32] __rte_aligned(16);
	uint8_t opad[32] __rte_aligned(16);
	uint8_t salt[4];
} __rte_cache_aligned;

struct ceil_state {
	IMB_MGR *mgr;
	enum bench_xform xform;
	bool enc;
	bool burst_api;
	bool checked;             /* IPsec-MB validates every job */
	unsigned n;
	unsigned hdr;             /* SPI, seq and IV before the ciphertext */
	struct ceil_tunnel *tun;
	uint8_t *work;            /* n buffers processed in place */
	uint8_t *tmpl;            /* n buffers restored into work before each pass */
	uint16_t *plen;           /* ESP payload (ciphertext) bytes */
	const uint16_t *tunnel;
	uint64_t bad_status;
	uint64_t bad_icv;
};

static IMB_MGR *
imb_open(const char *arch, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint64_t needs;
		void (*init)(IMB_MGR *);
	} archs[] = {
		{ "sse", IMB_CPUFLAGS_SSE, init_mb_mgr_sse },
		{ "avx", IMB_CPUFLAGS_AVX, init_mb_mgr_avx },
		{ "avx2", IMB_CPUFLAGS_AVX2, init_mb_mgr_avx2 },
		{ "avx512", IMB_CPUFLAGS_AVX512, init_mb_mgr_avx512 },
	};
	/* In DPDK memory, as a worker would have it (hugepages when present). */
	void *mem = rte_zmalloc("ceil_imb_mgr", imb_get_mb_mgr_size(), 64);
	IMB_MGR *m = mem ? imb_set_pointers_mb_mgr(mem, 0, 1) : NULL;
	unsigned i;

	if (m == NULL) {
		snprintf(err, errlen, "no memory for an IPsec-MB manager");
		rte_free(mem);
		return NULL;
	}
	if (strcmp(arch, "auto") == 0) {
		init_mb_mgr_auto(m, NULL);
	} else {
		for (i = 0; i < RTE_DIM(archs) && strcmp(arch, archs[i].name) != 0; i++)
			;
		if (i == RTE_DIM(archs) || (m->features & archs[i].needs) != archs[i].needs) {
			snprintf(err, errlen, "--arch %s: not %s on this CPU (auto, sse, avx, avx2, avx512)",
				 arch, i == RTE_DIM(archs) ? "known" : "supported");
			rte_free(m);
			return NULL;
		}
		archs[i].init(m);
	}
	if (imb_get_errno(m) != 0) {
		snprintf(err, errlen, "IPsec-MB init: %s", imb_get_strerror(imb_get_errno(m)));
		rte_free(m);
		return NULL;
	}
	return m;
}

const char *
bench_imb_arch_describe(const char *arch, char *buf, size_t len)
{
	static const char *const names[IMB_ARCH_NUM] = {
		"none", "no-aesni", "SSE", "AVX", "AVX2", "AVX512",
	};
	char err[128];
	IMB_MGR *m = imb_open(arch, err, sizeof(err));
	const char *type2 = "";

	if (m == NULL) {
		snprintf(buf, len, "%s", err);
		return buf;
	}
	if ((m->used_arch == IMB_ARCH_AVX2 &&
	     (m->features & IMB_CPUFLAGS_AVX2_T2) == IMB_CPUFLAGS_AVX2_T2) ||
	    (m->used_arch == IMB_ARCH_AVX512 &&
	     (m->features & IMB_CPUFLAGS_AVX512_T2) == IMB_CPUFLAGS_AVX512_T2))
		type2 = " type 2 (VAES)";
	snprintf(buf, len, "%s%s%s", m->used_arch < IMB_ARCH_NUM ? names[m->used_arch] : "?",
		 type2, (m->features & IMB_FEATURE_SHANI) ? " SHA-NI" : "");
	rte_free(m);
	return buf;
}

static void
tunnel_init(IMB_MGR *mgr, struct ceil_tunnel *t, unsigned idx)
{
	struct bench_keys k;
	uint8_t block[64];
	unsigned i;

	bench_tunnel_keys(idx, &k);
	IMB_AES256_GCM_PRE(mgr, k.cipher, &t->gcm);
	IMB_AES_KEYEXP_256(mgr, k.cipher, t->enc_keys, t->dec_keys);
	memcpy(t->salt, k.salt, sizeof(t->salt));
	/* RFC 2104: hash of (key ^ ipad) and (key ^ opad), one block each. */
	memset(block, 0, sizeof(block));
	memcpy(block, k.auth, sizeof(k.auth));
	for (i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36;
	IMB_SHA256_ONE_BLOCK(mgr, block, t->ipad);
	for (i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36 ^ 0x5c;
	IMB_SHA256_ONE_BLOCK(mgr, block, t->opad);
}

static inline uint8_t *
buf_at(uint8_t *base, unsigned i)
{
	return base + (size_t)i * CEIL_STRIDE + RTE_CACHE_LINE_SIZE;
}

static inline void
fill_job(const struct ceil_state *st, IMB_JOB *job, unsigned i, uint8_t *iv, uint8_t *icv)
{
	uint8_t *b = buf_at(st->work, i);
	const struct ceil_tunnel *t = &st->tun[st->tunnel[i]];
	unsigned p = st->plen[i];

	job->src = b;
	job->dst = b + st->hdr;
	job->cipher_start_src_offset_in_bytes = st->hdr;
	job->msg_len_to_cipher_in_bytes = p;
	job->cipher_direction = st->enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = st->enc ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->key_len_in_bytes = IMB_KEY_256_BYTES;
	job->auth_tag_output = st->enc ? b + st->hdr + p : icv;
	job->auth_tag_output_len_in_bytes = CEIL_ICV;
	job->user_data = b + st->hdr + p;
	if (st->xform == BENCH_AES_GCM_256) {
		/* RFC 4106 §4: nonce = salt || explicit IV; §5: AAD = SPI || seq. */
		memcpy(iv, t->salt, 4);
		memcpy(iv + 4, b + 8, 8);
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->enc_keys = &t->gcm;
		job->dec_keys = &t->gcm;
		job->iv = iv;
		job->iv_len_in_bytes = 12;
		job->hash_start_src_offset_in_bytes = st->hdr;
		job->msg_len_to_hash_in_bytes = p;
		job->u.GCM.aad = b;
		job->u.GCM.aad_len_in_bytes = 8;
	} else {
		/* RFC 4303 §2.8 and RFC 4868: ICV over ESP header, IV, ciphertext. */
		job->cipher_mode = IMB_CIPHER_CBC;
		job->hash_alg = IMB_AUTH_HMAC_SHA_256;
		job->enc_keys = t->enc_keys;
		job->dec_keys = t->dec_keys;
		job->iv = b + 8;
		job->iv_len_in_bytes = 16;
		job->hash_start_src_offset_in_bytes = 0;
		job->msg_len_to_hash_in_bytes = st->hdr + p;
		job->u.HMAC._hashed_auth_key_xor_ipad = t->ipad;
		job->u.HMAC._hashed_auth_key_xor_opad = t->opad;
	}
}

/* 1 if the job completed and, decrypting, its ICV matched. */
static inline unsigned
job_good(struct ceil_state *st, const IMB_JOB *job)
{
	uint64_t a[2], b[2];

	if (unlikely(job->status != IMB_STATUS_COMPLETED)) {
		st->bad_status++;
		return 0;
	}
	if (st->enc)
		return 1;
	/* The received ICV is only 4-byte aligned (RFC 4303 §2.4). */
	memcpy(a, job->auth_tag_output, CEIL_ICV);
	memcpy(b, job->user_data, CEIL_ICV);
	if (unlikely(((a[0] ^ b[0]) | (a[1] ^ b[1])) != 0)) {
		st->bad_icv++;
		return 0;
	}
	return 1;
}

static unsigned
ceil_burst_api(struct ceil_state *st, unsigned first)
{
	IMB_JOB *jobs[BENCH_BURST];
	uint8_t iv[BENCH_BURST][16] __rte_aligned(16);
	uint8_t icv[BENCH_BURST][CEIL_ICV] __rte_aligned(16);
	unsigned j, done, got, good = 0;

	got = IMB_GET_NEXT_BURST(st->mgr, BENCH_BURST, jobs);
	if (unlikely(got < BENCH_BURST))
		return 0;
	for (j = 0; j < BENCH_BURST; j++)
		fill_job(st, jobs[j], first + j, iv[j], icv[j]);
	done = st->checked ? IMB_SUBMIT_BURST(st->mgr, BENCH_BURST, jobs)
			   : IMB_SUBMIT_BURST_NOCHECK(st->mgr, BENCH_BURST, jobs);
	for (j = 0; j < done; j++)
		good += job_good(st, jobs[j]);
	while (done < BENCH_BURST) {
		got = IMB_FLUSH_BURST(st->mgr, BENCH_BURST - done, jobs);
		if (got == 0)
			break;
		for (j = 0; j < got; j++)
			good += job_good(st, jobs[j]);
		done += got;
	}
	return good;
}

static unsigned
ceil_job_api(struct ceil_state *st, unsigned first)
{
	uint8_t iv[BENCH_BURST][16] __rte_aligned(16);
	uint8_t icv[BENCH_BURST][CEIL_ICV] __rte_aligned(16);
	IMB_JOB *job;
	unsigned j, good = 0;

	for (j = 0; j < BENCH_BURST; j++) {
		job = IMB_GET_NEXT_JOB(st->mgr);
		fill_job(st, job, first + j, iv[j], icv[j]);
		job = st->checked ? IMB_SUBMIT_JOB(st->mgr) : IMB_SUBMIT_JOB_NOCHECK(st->mgr);
		while (job != NULL) {
			good += job_good(st, job);
			job = IMB_GET_COMPLETED_JOB(st->mgr);
		}
	}
	while ((job = IMB_FLUSH_JOB(st->mgr)) != NULL)
		good += job_good(st, job);
	return good;
}

static unsigned
ceil_pass(void *arg)
{
	struct ceil_state *st = arg;
	unsigned i, good = 0;

	for (i = 0; i < st->n; i += BENCH_BURST)
		good += st->burst_api ? ceil_burst_api(st, i) : ceil_job_api(st, i);
	return good;
}

static void
ceil_refill(void *arg)
{
	struct ceil_state *st = arg;
	unsigned i;

	for (i = 0; i < st->n; i++)
		memcpy(buf_at(st->work, i), buf_at(st->tmpl, i), st->hdr + st->plen[i] + CEIL_ICV);
}

static void
ceil_explain(void *arg, char *buf, size_t len)
{
	struct ceil_state *st = arg;

	snprintf(buf, len, "IPsec-MB job status not completed: %" PRIu64 ", ICV mismatch: %" PRIu64,
		 st->bad_status, st->bad_icv);
}

static void
ceil_teardown(void *arg)
{
	struct ceil_state *st = arg;

	if (st == NULL)
		return;
	if (st->mgr != NULL)
		rte_free(st->mgr);
	rte_free(st->tun);
	rte_free(st->work);
	rte_free(st->tmpl);
	rte_free(st->plen);
	rte_free(st);
}

/* The plaintext ESP payload of packet i in tmpl: header, IV, inner, trailer. */
static void
tmpl_build(struct ceil_state *st, const struct bench_stream *s, unsigned i, uint32_t seq)
{
	uint8_t *b = buf_at(st->tmpl, i);
	unsigned len = s->len[i], p = st->plen[i], k;
	uint32_t spi_be = rte_cpu_to_be_32(CEIL_SPI_BASE + s->tunnel[i]);
	uint32_t seq_be = rte_cpu_to_be_32(seq);
	uint64_t iv = rte_cpu_to_be_64(((uint64_t)s->tunnel[i] << 32) | seq);

	memcpy(b, &spi_be, 4);
	memcpy(b + 4, &seq_be, 4);
	memcpy(b + 8, &iv, 8);
	if (st->hdr > 16)
		memcpy(b + 16, &iv, 8);
	memcpy(b + st->hdr, s->inner[i], len);
	/* RFC 4303 §2.4: padding bytes 1, 2, 3 ..., then pad length, next header. */
	for (k = 0; len + k < p - 2; k++)
		b[st->hdr + len + k] = (uint8_t)(k + 1);
	b[st->hdr + p - 2] = (uint8_t)k;
	b[st->hdr + p - 1] = IPPROTO_IPIP;
	memset(b + st->hdr + p, 0, CEIL_ICV);
}

/* For decryption: encrypt the templates once with the same code. */
static int
tmpl_encrypt(struct ceil_state *st)
{
	unsigned i, good;

	st->enc = true;
	ceil_refill(st);
	good = ceil_pass(st);
	st->enc = false;
	if (good != st->n)
		return -1;
	for (i = 0; i < st->n; i++)
		memcpy(buf_at(st->tmpl, i), buf_at(st->work, i), st->hdr + st->plen[i] + CEIL_ICV);
	return 0;
}

static void *
ceil_setup(const struct bench_env *env, const struct bench_case *c,
	   const struct bench_stream *s, char *err, size_t errlen)
{
	struct ceil_state *st = rte_zmalloc_socket("ceil", sizeof(*st), 0, env->socket);
	uint32_t seq[BENCH_TUNNELS_MAX] = { 0 };
	unsigned i;

	if (st == NULL || c->tunnels > BENCH_TUNNELS_MAX) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	st->mgr = imb_open(env->imb_arch, err, errlen);
	if (st->mgr == NULL)
		goto fail;
	st->xform = c->xform;
	st->enc = c->dir == BENCH_ENCRYPT;
	st->burst_api = env->imb_burst_api;
	st->n = s->n;
	st->hdr = 8 + (c->xform == BENCH_AES_GCM_256 ? 8 : 16);
	st->tunnel = s->tunnel;
	st->tun = rte_zmalloc_socket("ceil_tun", sizeof(*st->tun) * c->tunnels, 0, env->socket);
	st->work = rte_malloc_socket("ceil_work", (size_t)s->n * CEIL_STRIDE, 0, env->socket);
	st->tmpl = rte_malloc_socket("ceil_tmpl", (size_t)s->n * CEIL_STRIDE, 0, env->socket);
	st->plen = rte_malloc_socket("ceil_plen", sizeof(*st->plen) * s->n, 0, env->socket);
	if (st->tun == NULL || st->work == NULL || st->tmpl == NULL || st->plen == NULL) {
		snprintf(err, errlen, "out of memory (-m too small?)");
		goto fail;
	}
	for (i = 0; i < c->tunnels; i++)
		tunnel_init(st->mgr, &st->tun[i], i);
	for (i = 0; i < s->n; i++) {
		st->plen[i] = (uint16_t)bench_esp_payload_len(c->xform, s->len[i]);
		tmpl_build(st, s, i, ++seq[s->tunnel[i]]);
	}
	if (!st->enc && tmpl_encrypt(st) != 0) {
		ceil_explain(st, err, errlen);
		goto fail;
	}
	return st;
fail:
	ceil_teardown(st);
	return NULL;
}

const struct bench_stage bench_stage_ceiling = {
	.name = "ceiling",
	.setup = ceil_setup,
	.refill = ceil_refill,
	.pass = ceil_pass,
	.explain = ceil_explain,
	.teardown = ceil_teardown,
};

static void *
ceil_setup_checked(const struct bench_env *env, const struct bench_case *c,
		   const struct bench_stream *s, char *err, size_t errlen)
{
	struct ceil_state *st = ceil_setup(env, c, s, err, errlen);

	if (st != NULL)
		st->checked = true;
	return st;
}

const struct bench_stage bench_stage_ceiling_checked = {
	.name = "ceiling-checked",
	.setup = ceil_setup_checked,
	.refill = ceil_refill,
	.pass = ceil_pass,
	.explain = ceil_explain,
	.teardown = ceil_teardown,
	.optional = true,
};

int
bench_ceiling_selfcheck(const char *arch, char *err, size_t errlen)
{
	static const unsigned sizes[] = { 64, 99, 1420, 1500 };
	struct bench_env env = { .socket = SOCKET_ID_ANY, .imb_arch = arch };
	uint8_t out[BENCH_BUF_SIZE];
	unsigned x, z, i, api, len;
	int rc = -1;

	for (api = 0; api < 2; api++)
	for (x = 0; x < BENCH_XFORM_COUNT; x++)
	for (z = 0; z < RTE_DIM(sizes); z++) {
		struct bench_case c = { .dir = BENCH_ENCRYPT, .xform = x, .size = sizes[z],
					.tunnels = 3, .spread = BENCH_SPREAD_RR };
		struct bench_stream *s = bench_stream_build(&c, BENCH_STREAM_ALIGN, 1);
		struct ceil_state *st;

		env.imb_burst_api = api;
		st = s ? ceil_setup(&env, &c, s, err, errlen) : NULL;
		if (st == NULL) {
			bench_stream_free(s);
			return -1;
		}
		ceil_refill(st);
		rc = ceil_pass(st) == st->n ? 0 : -1;
		for (i = 0; rc == 0 && i < st->n; i++) {
			const uint8_t *b = buf_at(st->work, i);

			if (bench_check_esp(x, s->tunnel[i], b, st->hdr + st->plen[i] + CEIL_ICV,
					   out, &len) != 0 ||
			    len != s->len[i] || memcmp(out, s->inner[i], len) != 0)
				rc = -1;
		}
		if (rc != 0)
			snprintf(err, errlen, "%s %s API, %u bytes: IPsec-MB and OpenSSL disagree",
				 bench_xform_name(x), api ? "burst" : "job", sizes[z]);
		ceil_teardown(st);
		bench_stream_free(s);
		if (rc != 0)
			return -1;
	}
	return 0;
}
