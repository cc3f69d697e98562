/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike internals shared by its files: big-endian field access, the HMAC verb
 * that the PRF, the integrity transforms, NAT-D and COOKIE all use, and the
 * transform property table (key, IV, block and ICV sizes) that proposal
 * checks, key derivation and the SK payload must agree on.
 */
#ifndef P2SGW_IKE_PRIV_H
#define P2SGW_IKE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

static inline uint16_t
ike_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
ike_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
ike_get64(const uint8_t *p)
{
	return (uint64_t)ike_get32(p) << 32 | ike_get32(p + 4);
}

static inline void
ike_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
ike_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
ike_put64(uint8_t *p, uint64_t v)
{
	ike_put32(p, (uint32_t)(v >> 32));
	ike_put32(p + 4, (uint32_t)v);
}

/* What the SK payload and key derivation need to know of a cipher. */
struct ike_encr_info {
	uint16_t id;
	uint16_t key_bits[3];   /* accepted key lengths; {0} for fixed-size ciphers */
	uint8_t fixed_key;      /* bytes, fixed-size ciphers only */
	uint8_t salt_len;
	uint8_t iv_len;
	uint8_t block_len;
	uint8_t icv_len;        /* AEAD tag */
	bool aead;
};

struct ike_integ_info {
	uint16_t id;
	const char *digest;     /* OpenSSL digest name */
	uint8_t key_len;
	uint8_t icv_len;
};

const struct ike_encr_info *ike_encr_info(uint16_t encr);
/** Valid key length (bits) for this cipher; 0 bits for fixed-size ones. */
bool ike_encr_key_ok(const struct ike_encr_info *e, uint16_t key_bits);
const struct ike_integ_info *ike_integ_info(uint16_t integ);
/** The OpenSSL digest name of a PRF; NULL for a PRF this library does not support. */
const char *ike_prf_digest(uint16_t prf);

/** HMAC(key, in...) with an OpenSSL digest into out[IKE_PRF_MAX]; *out_len set. 0 or -EIO. */
int ike_hmac(const char *digest, const uint8_t *key, size_t key_len, const struct ike_chunk *in,
	     unsigned n_in, uint8_t *out, size_t *out_len);

/**
 * Reserve a payload of body_len bytes at the end of w and link it into the
 * chain. Returns its body to fill, or NULL (w unchanged) if it does not fit.
 */
uint8_t *ike_put_begin(struct ike_writer *w, uint8_t type, size_t body_len);

/** One SKF message (RFC 7383 §2.5): sk.c builds it for frag.c. Length or -errno. */
int ike_sk_encrypt_frag(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
			uint16_t number, uint16_t total, const uint8_t *inner, size_t inner_len,
			uint8_t *out, size_t cap);

#endif /* P2SGW_IKE_PRIV_H */
