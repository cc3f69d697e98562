/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp: ESP tunnel mode (RFC 4303) for IPv4 in IPv4, raw (protocol 50) or
 * UDP-encapsulated (RFC 3948), with every transform done by Intel IPsec-MB:
 * AES-GCM-128/256 with a 16-byte ICV (RFC 4106) and AES-CBC-128/256
 * (RFC 3602) with HMAC-SHA1-96, HMAC-SHA-256-128 or HMAC-SHA-384-192
 * (RFC 2404, RFC 4868). 64-bit extended sequence numbers and an RFC
 * 6479-style anti-replay window.
 *
 * One direction of a CHILD_SA is one struct esp_sa. The caller allocates it
 * (esp_sa_size()/alignment by type), esp_sa_init() fills it. Packets are
 * processed in bursts with one IMB_MGR per worker (struct esp_worker): the
 * crypto of a whole burst is submitted to IPsec-MB together.
 *
 * The library knows nothing of Ethernet: outbound packets start at the inner
 * IPv4 header and leave starting at the outer one; inbound the reverse.
 */
#ifndef P2SGW_ESP_H
#define P2SGW_ESP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#define ESP_BURST_MAX 64
#define ESP_KEY_MAX 32            /**< AES-256 */
#define ESP_AUTH_KEY_MAX 48       /**< HMAC-SHA-384 key length */
#define ESP_REPLAY_WINDOW_MIN 1024
#define ESP_REPLAY_WINDOW_MAX 4096
#define ESP_UDP_PORT 4500
/** Most bytes esp_sa_overhead() can add: outer IPv4 + UDP, ESP header, CBC IV,
 *  15 bytes of padding, pad length, next header, a 24-byte ICV. */
#define ESP_OVERHEAD_MAX (20 + 8 + 8 + 16 + 15 + 2 + 24)

enum esp_cipher {
	ESP_CIPHER_AES_GCM_16,    /**< RFC 4106, 16-byte ICV; key 16 or 32 bytes + 4-byte salt */
	ESP_CIPHER_AES_CBC,       /**< RFC 3602; key 16 or 32 bytes */
};

enum esp_integ {
	ESP_INTEG_NONE,           /**< only with AES-GCM */
	ESP_INTEG_HMAC_SHA1_96,   /**< RFC 2404, key 20 bytes */
	ESP_INTEG_HMAC_SHA256_128,/**< RFC 4868, key 32 bytes */
	ESP_INTEG_HMAC_SHA384_192,/**< RFC 4868, key 48 bytes */
};

/*
 * Why an ESP packet was dropped, per SA. X(name, help): one list gives the
 * enum and the counter names.
 */
#define ESP_DROP_REASONS(X)                                                       \
	X(truncated, "shorter than ESP header, IV and ICV")                         \
	X(bad_length, "ciphertext not a multiple of the cipher block")              \
	X(bad_outer, "outer IPv4 or UDP header malformed")                          \
	X(spi_mismatch, "SPI is not this SA's")                                     \
	X(replayed, "sequence number already seen")                                 \
	X(too_old, "sequence number left of the replay window")                     \
	X(auth_failed, "integrity check value did not match")                       \
	X(bad_padding, "padding bytes not 1, 2, 3 ... (RFC 4303 2.4)")             \
	X(next_header, "next header not IPv4 (4)")                                  \
	X(dummy, "dummy packet (next header 59)")                                   \
	X(inner_malformed, "decrypted inner IPv4 header malformed")                 \
	X(seq_exhausted, "outbound sequence number space used up")                  \
	X(no_room, "no head- or tailroom for ESP headers and trailer")              \
	X(too_big, "packet with ESP overhead exceeds 65535 bytes")                  \
	X(crypto_error, "IPsec-MB returned an error")

#define ESP_DROP_ENUM(name, help) ESP_DROP_##name,
enum esp_drop { ESP_DROP_REASONS(ESP_DROP_ENUM) ESP_DROP_COUNT };
#undef ESP_DROP_ENUM

const char *esp_drop_name(enum esp_drop d);
const char *esp_drop_help(enum esp_drop d);

/** What the control core (IKEv2) hands over to make one SA. */
struct esp_sa_params {
	uint32_t spi;                  /**< host order */
	enum esp_cipher cipher;
	uint8_t key[ESP_KEY_MAX];
	uint8_t key_len;               /**< 16 or 32 */
	uint8_t salt[4];               /**< AES-GCM only (RFC 4106 §8.1: last 4 bytes of KEYMAT) */
	enum esp_integ integ;
	uint8_t auth_key[ESP_AUTH_KEY_MAX];
	uint8_t auth_key_len;
	bool esn;                      /**< 64-bit extended sequence numbers */
	uint32_t replay_window;        /**< inbound: 1024..4096, a power of two; 0 = 1024 */
	/* Tunnel endpoints, host order. Outbound: local -> remote. Inbound: checked. */
	uint32_t local_addr;
	uint32_t remote_addr;
	bool udp_encap;                /**< RFC 3948 on UDP 4500 (NAT-T) */
	uint16_t local_port;           /**< with udp_encap, usually 4500 */
	uint16_t remote_port;          /**< with udp_encap: the NAT'ed client port */
	uint64_t seq_soft_limit;       /**< outbound: raise ESP_EVENT_SEQ_SOFT at this seq; 0 = automatic */
};

/** Per-SA counters, written by the owning worker only. */
struct esp_sa_stats {
	uint64_t packets;
	uint64_t bytes;                /**< inner IPv4 bytes */
	uint64_t drops[ESP_DROP_COUNT];
};

#define ESP_EVENT_SEQ_SOFT (1u << 0)   /**< outbound seq passed the soft limit: rekey */
#define ESP_EVENT_SEQ_HARD (1u << 1)   /**< outbound seq space exhausted: packets dropped */

struct esp_sa;

/** Bytes and alignment to allocate for one SA (cache-line aligned). */
size_t esp_sa_size(void);

/** Per-worker crypto context: one IPsec-MB manager, best architecture found. */
struct esp_worker;
struct esp_worker *esp_worker_create(int socket_id);
void esp_worker_free(struct esp_worker *w);
/** The architecture IPsec-MB picked ("AVX512", "AVX2", "SSE"...). */
const char *esp_worker_arch(const struct esp_worker *w);

/**
 * Fill sa from p (keys expanded, HMAC pads precomputed with IPsec-MB).
 * 0, or -EINVAL with one error line naming the parameter in err.
 */
int esp_sa_init(struct esp_sa *sa, struct esp_worker *w, const struct esp_sa_params *p,
		char *err, size_t errlen);

/** Wipe keys. */
void esp_sa_clear(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
const struct esp_sa_stats *esp_sa_stats(const struct esp_sa *sa);
/** Next outbound sequence number / highest inbound one seen (64-bit). */
uint64_t esp_sa_seq(const struct esp_sa *sa);
/** ESP_EVENT_* bits raised so far (read by the control core). */
unsigned esp_sa_events(const struct esp_sa *sa);
/** Bytes added around an inner packet of len bytes (outer IP, UDP, ESP, IV, pad, ICV). */
unsigned esp_sa_overhead(const struct esp_sa *sa, unsigned len);

/**
 * Encrypt a burst. m[i] starts at an inner IPv4 packet and goes out through
 * sa[i]. On return the first k mbufs (k is returned) start at the outer IPv4
 * header, ready for an Ethernet header; the rest, in drop order, were not
 * sent and why[i - k] says why (the caller frees them). Counters updated.
 */
uint16_t esp_outbound(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[],
		      uint16_t n, enum esp_drop why[]);

/**
 * Decrypt a burst. m[i] starts at the outer IPv4 header of an ESP packet
 * (raw, or UDP with the caller having checked port 4500 and the non-ESP
 * marker) whose SPI selected sa[i]. On return the first k mbufs start at the
 * inner IPv4 packet, trimmed to its length; the rest as for esp_outbound().
 * Integrity is checked before the replay window moves.
 */
uint16_t esp_inbound(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[],
		     uint16_t n, enum esp_drop why[]);

/**
 * The SPI of an ESP packet starting at the outer IPv4 header, for SA lookup:
 * 0 and the SPI (host order) in *spi, or -EINVAL if the headers are not
 * there. Validates before it reads.
 */
int esp_peek_spi(const struct rte_mbuf *m, bool udp_encap, uint32_t *spi);

#endif
