/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp_priv: what the files of lib/esp share and nobody else sees — the SA
 * layout (a hot part read per packet, the replay window, then the key
 * material IPsec-MB reads), the per-worker burst state, the replay window
 * functions (RFC 4303 §3.4.3 and Appendix A, RFC 6479), the job builders
 * both directions use, and a few test-only setters the unit tests need to
 * drive published vectors and sequence-number edges through the real path.
 */
#ifndef P2SGW_ESP_PRIV_H
#define P2SGW_ESP_PRIV_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "esp.h"

#define ESP_HDR_LEN 8               /* SPI + sequence number (RFC 4303 §2) */
#define ESP_TRAILER_LEN 2           /* pad length + next header (RFC 4303 §2.4, §2.6) */
#define ESP_GCM_IV_LEN 8            /* RFC 4106 §3.1 */
#define ESP_GCM_ICV_LEN 16          /* RFC 4106 §6, the only length we offer */
#define ESP_CBC_IV_LEN 16           /* RFC 3602 §2.1 */
#define ESP_ICV_MAX 24              /* HMAC-SHA-384-192 */
#define ESP_NH_IPV4 4               /* tunnel mode, RFC 4303 §2.6 */
#define ESP_NH_NONE 59              /* dummy packet, RFC 4303 §2.6 */
#define ESP_OUTER_MAX (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
#define ESP_HDR_TMPL_LEN 32         /* outer IPv4, UDP and SPI: two 16-byte stores */
/* RFC 6479: a ring of 64-bit blocks; twice the window so that its block count
 * is a power of two and at least one block is spare. */
#define ESP_REPLAY_WORDS (2 * ESP_REPLAY_WINDOW_MAX / 64)

enum esp_sa_flag {
	ESP_SA_ESN = 1u << 0,
	ESP_SA_UDP = 1u << 1,
	ESP_SA_GCM = 1u << 2,
	ESP_SA_SEQ_DONE = 1u << 3,  /* outbound: the last sequence number has been used */
};

/*
 * One direction of a CHILD_SA. The first cache line is what every packet
 * reads: the outer headers as sent, with the SPI, which outbound copies and
 * patches and inbound compares against; the lengths and the GCM nonce
 * parts. The outbound counters and the inbound window follow; the keys,
 * which only IPsec-MB reads, come last.
 */
struct esp_sa {
	/* --- per packet, read-mostly --- */
	/* Outer IPv4 (version/IHL 0x45, TTL 64, protocol, addresses; TOS,
	 * length, ID and checksum zero) [UDP (ports; length and checksum
	 * zero)] | SPI, zero-filled to 32 bytes (RFC 4303 §3.1.2, RFC 3948 §2.1). */
	uint8_t hdr[ESP_HDR_TMPL_LEN] __rte_aligned(16);
	uint32_t spi;
	uint8_t flags;              /* enum esp_sa_flag */
	uint8_t iv_len;             /* 8 (GCM) or 16 (CBC) */
	uint8_t icv_len;            /* 16, 12, 16 or 24 */
	uint8_t block_mask;         /* padding alignment - 1: 3 (GCM) or 15 (CBC) */
	uint8_t next_header;        /* 4; a test may change it to run published vectors */
	uint8_t outer_len;          /* 20, or 28 with UDP */
	uint8_t head_len;           /* outer_len + ESP header + IV */
	uint8_t key_len;            /* 16 or 32 */
	uint8_t integ;              /* enum esp_integ */
	uint8_t hash_alg;           /* IMB_HASH_ALG */
	uint16_t reserved;
	uint32_t outer_sum;         /* one's-complement sum of the constant outer IPv4 words */
	uint8_t salt[4];            /* GCM nonce prefix, RFC 4106 §4 */
	uint64_t gcm_iv_mask;       /* XORed into the GCM IV; zero unless a test sets it */

	/* --- outbound state, written by the owning worker --- */
	uint64_t seq_last __rte_cache_aligned;   /* last sequence number sent; 0 = none */
	uint64_t seq_max;           /* 2^32 - 1, or 2^64 - 1 with ESN */
	uint64_t seq_soft;
	uint32_t events;            /* ESP_EVENT_*, read by the control core */
	uint16_t ip_id;
	bool used_inbound;          /* esp_sa_seq() reports the inbound top once set */

	/* --- inbound replay window (RFC 6479) --- */
	uint64_t replay_top;        /* highest authenticated sequence number */
	uint32_t replay_window;     /* W, a power of two */
	uint32_t replay_words_mask; /* 2W/64 - 1 */

	/* The packet and byte counters end the second line, so that a packet
	 * writes its SA's counters where it took its sequence number. */
	struct esp_sa_stats stats;
	uint64_t replay_bits[ESP_REPLAY_WORDS];

	/* --- key material (IPsec-MB) --- */
	struct gcm_key_data gcm_key __rte_aligned(64);
	uint32_t cbc_enc_keys[60] __rte_aligned(16);
	uint32_t cbc_dec_keys[60] __rte_aligned(16);
	uint8_t cbc_iv_block[16];   /* CBC: the secret chaining block (see outbound.c) */
	uint8_t hmac_ipad[64] __rte_aligned(16);  /* inner state after one block of key ^ ipad */
	uint8_t hmac_opad[64] __rte_aligned(16);
} __rte_cache_aligned;

static_assert(offsetof(struct esp_sa, seq_last) == RTE_CACHE_LINE_SIZE,
	      "the per-packet fields of struct esp_sa fill one cache line");
static_assert(offsetof(struct esp_sa, stats.bytes) + sizeof(uint64_t) <= 2 * RTE_CACHE_LINE_SIZE,
	      "sequence numbers, replay top and the packet counters share the second line");
static_assert(ESP_OUTER_MAX + ESP_HDR_LEN / 2 <= ESP_HDR_TMPL_LEN,
	      "the header template holds the outer headers and the SPI");

/* Where the template keeps what inbound checks and the getters report. */
#define ESP_TMPL_PROTO 9            /* IPv4 protocol */
#define ESP_TMPL_ADDRS 12           /* source (local), destination (remote) */
#define ESP_TMPL_PORTS 20           /* UDP source (local), destination (remote) */

/* AES-GCM without ESN (RFC 4106, 8-byte AAD): the fast path of both directions. */
static inline bool
esp_sa_gcm_fast(const struct esp_sa *sa)
{
	return (sa->flags & (ESP_SA_GCM | ESP_SA_ESN)) == ESP_SA_GCM;
}

/* Unaligned loads and stores of packet fields, in the bytes' own order. */
#define ESP_LOAD_STORE(bits)                                                                \
	static inline uint##bits##_t esp_load##bits(const void *p)                         \
	{                                                                                   \
		uint##bits##_t v;                                                           \
		memcpy(&v, p, sizeof(v));                                                   \
		return v;                                                                   \
	}                                                                                   \
	static inline void esp_store##bits(void *p, uint##bits##_t v)                      \
	{                                                                                   \
		memcpy(p, &v, sizeof(v));                                                   \
	}
ESP_LOAD_STORE(16)
ESP_LOAD_STORE(32)
ESP_LOAD_STORE(64)

/*
 * Network to host order without DPDK's rte_be_to_cpu_16/32/64, which are
 * asm volatile on x86 and can be neither scheduled nor folded into a compare.
 */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define ESP_BSWAP16(x) ((uint16_t)__builtin_bswap16(x))
#define ESP_BSWAP32(x) ((uint32_t)__builtin_bswap32(x))
#define ESP_BSWAP64(x) ((uint64_t)__builtin_bswap64(x))
#else
#define ESP_BSWAP16(x) ((uint16_t)(x))
#define ESP_BSWAP32(x) ((uint32_t)(x))
#define ESP_BSWAP64(x) ((uint64_t)(x))
#endif

/*
 * What one packet of a burst carries from the prepare pass to the finish
 * pass. Every packet sets sa and drop; outbound also inner_len (the rest
 * only for CBC, whose tag may need moving), inbound the rest (inner_len in
 * the finish pass).
 */
struct esp_pkt {
	struct esp_sa *sa;
	uint8_t *base;              /* outer IPv4 header */
	uint64_t seq;               /* full 64-bit sequence number */
	uint16_t ct_off;            /* first byte after the IV */
	uint16_t ct_len;            /* encrypted bytes after the IV, trailer included */
	uint16_t icv_off;           /* outbound CBC: where the ICV goes */
	uint16_t inner_len;         /* inner IPv4 bytes, for the counters */
	uint8_t drop;               /* enum esp_drop, ESP_DROP_COUNT while good */
};

/* Per-packet bytes IPsec-MB reads or writes that are not in the packet. */
struct esp_scratch {
	uint8_t nonce[16];          /* GCM: salt || IV (RFC 4106 §4) */
	uint8_t aad[16];            /* GCM with ESN: SPI || seq_hi || seq_lo (RFC 4106 §5) */
	uint8_t tag[32];            /* computed ICV */
	uint8_t icv[32];            /* inbound: received ICV, saved before seq_hi overwrites it */
} __rte_aligned(16);

struct esp_worker {
	IMB_MGR *mgr;
	IMB_ARCH arch;
	uint16_t njobs;             /* jobs taken for this chunk */
	uint16_t chunk;             /* packets in this chunk: jobs to ask IPsec-MB for */
	bool tag_moves;             /* outbound: a CBC-ESN tag in scratch must go to its packet */
	uint64_t failed;            /* bit i: pkt[i]'s job was queued and failed */
	IMB_JOB *jobs[ESP_BURST_MAX];
	struct esp_pkt pkt[ESP_BURST_MAX];
	struct esp_scratch scratch[ESP_BURST_MAX];
	struct rte_mbuf *bad[ESP_BURST_MAX];
	uint8_t bad_why[ESP_BURST_MAX];
} __rte_cache_aligned;

static_assert(ESP_BURST_MAX <= 64, "esp_worker.failed has a bit per packet of a chunk");

/*
 * Bring [p, p + len) towards the cache while the rest of the chunk is being
 * prepared, so that IPsec-MB, which runs the chunk's jobs one after the
 * other, finds each packet there. Received mbufs lie anywhere in the pool,
 * so the hardware prefetchers cannot run ahead from one packet to the next
 * as they do over a contiguous buffer: without this, 1420-byte packets lost
 * about a quarter of the ceiling in the worker path (docs/benchmarks.md).
 */
static inline void
esp_prefetch_range(const uint8_t *p, uint32_t len)
{
	const uint8_t *last = p + len - 1;

	/* The first and last lines, and every line in between (len > 0). */
	rte_prefetch0(p);
	for (p += RTE_CACHE_LINE_SIZE; p < last; p += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(p);
	rte_prefetch0(last);
}

/* worker.c: run a chunk's jobs (all submitted before any is flushed). */
#ifdef ESP_IMB_JOB_API
IMB_JOB *esp_job_get(struct esp_worker *w);
void esp_job_put(struct esp_worker *w, IMB_JOB *job);
#else
/* The manager's queue is empty between chunks (esp_jobs_run flushes it),
 * so a chunk of ESP_BURST_MAX <= IMB_MAX_BURST_SIZE always fits. Only as
 * many jobs as the chunk has packets: IPsec-MB's cost is per job asked for. */
static inline IMB_JOB *
esp_job_get(struct esp_worker *w)
{
	if (w->njobs == 0 && IMB_GET_NEXT_BURST(w->mgr, w->chunk, w->jobs) != w->chunk)
		return NULL;
	return w->jobs[w->njobs];
}

static inline void
esp_job_put(struct esp_worker *w, IMB_JOB *job)
{
	RTE_SET_USED(job);
	w->njobs++;
}
#endif
/* 0, or -EIO if IPsec-MB refused the chunk: every packet with a job failed.
 * Either way the failed packets are crypto_error, their bits set in w->failed. */
int esp_jobs_run(struct esp_worker *w);

/* One direction's halves of a burst: build the jobs, then settle results. */
typedef void (*esp_prepare_fn)(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[],
			       uint16_t n);
typedef void (*esp_finish_fn)(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n);

/*
 * Run esp_outbound/esp_inbound's loop: chunks of ESP_BURST_MAX prepared,
 * crypted in one IPsec-MB submission, finished, and partitioned good-first.
 */
uint16_t esp_burst_drive(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[],
			 uint16_t n, enum esp_drop why[], esp_prepare_fn prepare,
			 esp_finish_fn finish);

/*
 * The job fields that only depend on the SA and direction. With fast
 * (AES-GCM without ESN, known by the caller) they are constants but for
 * the key.
 */
static __rte_always_inline void
esp_job_fill_sa(IMB_JOB *job, const struct esp_sa *sa, bool encrypt, bool fast)
{
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	/* RFC 4303 §3.3.2 / §3.4.4: encrypt-then-MAC, check-then-decrypt. */
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->key_len_in_bytes = sa->key_len;
	if (fast || (sa->flags & ESP_SA_GCM)) {
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->auth_tag_output_len_in_bytes = ESP_GCM_ICV_LEN;
		job->enc_keys = &sa->gcm_key;
		job->dec_keys = &sa->gcm_key;
		job->iv_len_in_bytes = 12;
		job->u.GCM.aad_len_in_bytes = !fast && (sa->flags & ESP_SA_ESN) ? 12 : 8;
	} else {
		job->cipher_mode = IMB_CIPHER_CBC;
		job->hash_alg = (IMB_HASH_ALG)sa->hash_alg;
		job->auth_tag_output_len_in_bytes = sa->icv_len;
		job->enc_keys = sa->cbc_enc_keys;
		job->dec_keys = sa->cbc_dec_keys;
		job->iv_len_in_bytes = ESP_CBC_IV_LEN;
		job->u.HMAC._hashed_auth_key_xor_ipad = sa->hmac_ipad;
		job->u.HMAC._hashed_auth_key_xor_opad = sa->hmac_opad;
	}
}

/* burst.c: move good packets to the front of m[], the rest after with why[]. */
uint16_t esp_burst_partition(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n,
			     uint16_t good_before, uint16_t bad_before, enum esp_drop why[]);

/* replay.c (RFC 4303 §3.4.3, Appendix A; RFC 6479). */
enum esp_drop esp_replay_check(const struct esp_sa *sa, uint32_t seq_lo, uint64_t *seq);
enum esp_drop esp_replay_update(struct esp_sa *sa, uint64_t seq);

/*
 * The in-order case of both inline, the rest in replay.c. Without ESN a
 * number above the top is new and inside the window; marking it moves the
 * top within the same or into the next 64-bit block, of which only that
 * block needs clearing.
 */
static inline enum esp_drop
esp_replay_precheck(const struct esp_sa *sa, uint32_t seq_lo, uint64_t *seq)
{
	if (likely(!(sa->flags & ESP_SA_ESN) && seq_lo > sa->replay_top)) {
		*seq = seq_lo;
		return ESP_DROP_COUNT;
	}
	return esp_replay_check(sa, seq_lo, seq);
}

static inline enum esp_drop
esp_replay_advance(struct esp_sa *sa, uint64_t seq)
{
	uint64_t top = sa->replay_top;
	uint32_t mask = sa->replay_words_mask;

	if (likely(seq > top && (seq >> 6) - (top >> 6) <= 1)) {
		if ((seq >> 6) != (top >> 6))
			sa->replay_bits[(seq >> 6) & mask] = 0;
		sa->replay_top = seq;
		sa->replay_bits[(seq >> 6) & mask] |= UINT64_C(1) << (seq & 63);
		sa->used_inbound = true;
		return ESP_DROP_COUNT;
	}
	return esp_replay_update(sa, seq);
}

/*
 * Compare two ICVs (12, 16 or 24 bytes) with no branch on their contents,
 * as CRYPTO_memcmp does, but without a call: the barrier keeps the compiler
 * from turning the accumulated difference into an early exit.
 */
static inline bool
esp_icv_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	uint64_t d = 0, x, y;
	unsigned i = 0;

	if (likely(len == 16)) {       /* AES-GCM, HMAC-SHA-256-128 */
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		d = x ^ y;
		__asm__("" : "+r"(d));
		memcpy(&x, a + 8, 8);
		memcpy(&y, b + 8, 8);
		return (d | (x ^ y)) == 0;
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
		__asm__("" : "+r"(d));
	}
	if (i < len) {
		uint32_t x4, y4;

		memcpy(&x4, a + i, 4);
		memcpy(&y4, b + i, 4);
		d |= x4 ^ y4;
	}
	return d == 0;
}

/* Test-only setters (tests/unit/test_esp.c); never called by the data plane. */
/** Next outbound sequence number (1 .. 2^32 or 2^64-1). */
void esp_sa_set_seq(struct esp_sa *sa, uint64_t next);
/** Inbound: pretend seq top was the highest one authenticated; empties the window. */
void esp_sa_set_replay_top(struct esp_sa *sa, uint64_t top);
/** GCM: 8 bytes XORed into the IV; CBC: the 16-byte chaining block. */
void esp_sa_set_iv_mask(struct esp_sa *sa, const uint8_t mask[16]);
/** Next header written outbound and required inbound (4 unless a vector says otherwise). */
void esp_sa_set_next_header(struct esp_sa *sa, uint8_t nh);
/**
 * The SA's HMAC over msg with the precomputed pads, through one IPsec-MB job
 * built like the data path's: for RFC 2202 / RFC 4868 known answers.
 */
int esp_sa_icv(struct esp_worker *w, const struct esp_sa *sa, const uint8_t *msg, uint32_t len,
	       uint8_t *icv);

#endif
