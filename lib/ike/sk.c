/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Encrypted payload (RFC 7296 §3.14) and the Encrypted Fragment payload
 * (RFC 7383 §2.5), which differ only in four clear octets before the IV.
 * Ciphers: AES-CBC-128/192/256 and 3DES with HMAC-SHA1-96 or HMAC-SHA2
 * (RFC 4868) over everything from the IKE header to the Pad Length, and
 * AES-GCM-16 (RFC 5282) with the clear part of the message as additional
 * data and salt | IV as nonce (RFC 5282 §4, §5.1). On receipt the ICV is
 * checked, in constant time, before any byte is decrypted, and padding is
 * checked only for fitting (its contents are the sender's choice, §3.14).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_priv.h"

#define SKF_EXTRA 4   /* Fragment Number, Total Fragments */

int
ike_sk_init(struct ike_sk *sk, uint16_t encr, uint16_t key_bits, uint16_t integ,
	    const uint8_t *ekey, size_t ekey_len, const uint8_t *akey, size_t akey_len)
{
	const struct ike_encr_info *e = ike_encr_info(encr);
	const struct ike_integ_info *ii = NULL;
	size_t key_len;

	if (e == NULL || !ike_encr_key_ok(e, key_bits))
		return -ENOTSUP;
	key_len = e->fixed_key ? e->fixed_key : key_bits / 8u;
	if (ekey_len != key_len + e->salt_len)
		return -EINVAL;
	if (e->aead) {
		if (integ != IKE_INTEG_NONE || akey_len != 0)
			return -EINVAL;
	} else {
		ii = ike_integ_info(integ);
		if (ii == NULL)
			return -ENOTSUP;
		if (akey_len != ii->key_len)
			return -EINVAL;
	}
	memset(sk, 0, sizeof(*sk));
	sk->encr = encr;
	sk->integ = integ;
	sk->key_len = (uint8_t)key_len;
	sk->salt_len = e->salt_len;
	sk->iv_len = e->iv_len;
	sk->block_len = e->block_len;
	sk->aead = e->aead;
	sk->icv_len = e->aead ? e->icv_len : ii->icv_len;
	sk->akey_len = (uint8_t)akey_len;
	memcpy(sk->ekey, ekey, ekey_len);
	if (akey_len > 0)
		memcpy(sk->akey, akey, akey_len);
	return 0;
}

int
ike_sk_from_keys(const struct ike_choice *c, const struct ike_sa_keys *k,
		 struct ike_sk *from_initiator, struct ike_sk *from_responder)
{
	int rc = ike_sk_init(from_initiator, c->encr, c->encr_key_len, c->integ, k->sk_ei,
			     k->e_len, k->sk_ai, k->a_len);

	if (rc == 0)
		rc = ike_sk_init(from_responder, c->encr, c->encr_key_len, c->integ, k->sk_er,
				 k->e_len, k->sk_ar, k->a_len);
	return rc;
}

void
ike_sk_wipe(struct ike_sk *sk)
{
	ike_wipe(sk, sizeof(*sk));
}

static const EVP_CIPHER *
sk_cipher(const struct ike_sk *sk)
{
	switch (sk->encr) {
	case IKE_ENCR_AES_CBC:
		return sk->key_len == 16 ? EVP_aes_128_cbc()
		       : sk->key_len == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
	case IKE_ENCR_AES_GCM_16:
		return sk->key_len == 16 ? EVP_aes_128_gcm()
		       : sk->key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	case IKE_ENCR_3DES:
		return EVP_des_ede3_cbc();
	default:
		return NULL;
	}
}

/* Plaintext, Pad Length octet included, rounded up to the cipher's block. */
static size_t
padded_len(const struct ike_sk *sk, size_t inner_len)
{
	size_t n = inner_len + 1;

	return (n + sk->block_len - 1) / sk->block_len * sk->block_len;
}

size_t
ike_sk_overhead(const struct ike_sk *sk, size_t inner_len)
{
	return IKE_GENERIC_LEN + sk->iv_len + padded_len(sk, inner_len) - inner_len + sk->icv_len;
}

/*
 * Run the cipher over n bytes from in to out (which may be the same). For
 * GCM, aad and the 12-octet nonce go in first, and tag is written (encrypt)
 * or checked (decrypt). Returns 0, -EBADMSG on a tag mismatch, -EIO.
 */
static int
sk_cipher_run(const struct ike_sk *sk, bool enc, const uint8_t *iv, const uint8_t *aad,
	      size_t aad_len, const uint8_t *in, size_t n, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int len, rc = -EIO;

	if (ctx == NULL)
		return -EIO;
	if (sk->aead) {
		memcpy(nonce, sk->ekey + sk->key_len, 4);   /* RFC 5282 §4: salt | IV */
		memcpy(nonce + 4, iv, 8);
		iv = nonce;
	}
	if (!EVP_CipherInit_ex(ctx, sk_cipher(sk), NULL, sk->ekey, iv, enc) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto out;
	if (sk->aead && ((!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
						       sk->icv_len, tag)) ||
			 !EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aad_len)))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &len, in, (int)n))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + len, &len)) {
		rc = sk->aead && !enc ? -EBADMSG : -EIO;
		goto out;
	}
	if (sk->aead && enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, sk->icv_len, tag))
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* HMAC over msg[0..n), truncated to the ICV length (RFC 7296 §3.14). */
static int
sk_icv(const struct ike_sk *sk, const uint8_t *msg, size_t n, uint8_t *icv)
{
	const struct ike_integ_info *ii = ike_integ_info(sk->integ);
	struct ike_chunk in = { msg, n };
	uint8_t mac[IKE_PRF_MAX];
	size_t mac_len;
	int rc;

	if (ii == NULL)
		return -EIO;
	rc = ike_hmac(ii->digest, sk->akey, sk->akey_len, &in, 1, mac, &mac_len);
	if (rc == 0)
		memcpy(icv, mac, sk->icv_len);
	return rc;
}

/*
 * Write header, SK or SKF payload and its protected contents. frag_total 0
 * means SK. Returns the message length.
 */
static int
sk_build(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
	 uint16_t frag_number, uint16_t frag_total, const uint8_t *inner, size_t inner_len,
	 uint8_t *out, size_t cap)
{
	size_t extra = frag_total ? SKF_EXTRA : 0, padded = padded_len(sk, inner_len);
	size_t pl_len = IKE_GENERIC_LEN + extra + sk->iv_len + padded + sk->icv_len;
	size_t iv_off = IKE_HDR_LEN + IKE_GENERIC_LEN + extra, ct_off = iv_off + sk->iv_len;
	size_t total = IKE_HDR_LEN + pl_len;
	struct ike_header h = *hdr;
	int rc;

	if (pl_len > UINT16_MAX || total > cap)
		return -ENOSPC;
	/* The plaintext first, in place: inner may be anywhere, even in out. */
	memmove(out + ct_off, inner, inner_len);
	memset(out + ct_off + inner_len, 0, padded - inner_len - 1);
	out[ct_off + padded - 1] = (uint8_t)(padded - inner_len - 1);
	h.next_payload = frag_total ? IKE_PL_SKF : IKE_PL_SK;
	h.length = (uint32_t)total;
	ike_header_encode(&h, out);
	out[IKE_HDR_LEN] = first_inner;
	out[IKE_HDR_LEN + 1] = 0;
	ike_put16(out + IKE_HDR_LEN + 2, (uint16_t)pl_len);
	if (frag_total) {
		ike_put16(out + IKE_HDR_LEN + 4, frag_number);
		ike_put16(out + IKE_HDR_LEN + 6, frag_total);
	}
	if (RAND_bytes(out + iv_off, sk->iv_len) != 1)
		return -EIO;
	rc = sk_cipher_run(sk, true, out + iv_off, out, iv_off, out + ct_off, padded, out + ct_off,
			   out + ct_off + padded);
	if (rc == 0 && !sk->aead)
		rc = sk_icv(sk, out, total - sk->icv_len, out + total - sk->icv_len);
	return rc == 0 ? (int)total : rc;
}

int
ike_sk_encrypt(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
	       const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap)
{
	return sk_build(sk, hdr, first_inner, 0, 0, inner, inner_len, out, cap);
}

int
ike_sk_encrypt_frag(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
		    uint16_t number, uint16_t total, const uint8_t *inner, size_t inner_len,
		    uint8_t *out, size_t cap)
{
	return sk_build(sk, hdr, first_inner, number, total, inner, inner_len, out, cap);
}

int
ike_sk_decrypt(const struct ike_sk *sk, const struct ike_msg *msg, uint8_t *out, size_t cap)
{
	const uint8_t *raw = msg->raw;
	size_t iv_off, ct_off, ct_len, end, pl_len;
	uint8_t icv[IKE_PRF_MAX], pad;
	int rc;

	if (msg->sk_type != IKE_PL_SK && msg->sk_type != IKE_PL_SKF)
		return -EINVAL;
	pl_len = ike_get16(raw + msg->sk_offset + 2);
	end = msg->sk_offset + pl_len;
	iv_off = msg->sk_offset + IKE_GENERIC_LEN + (msg->sk_type == IKE_PL_SKF ? SKF_EXTRA : 0);
	ct_off = iv_off + sk->iv_len;
	/* At least one cipher block (or, for GCM, the Pad Length octet). */
	if (end > msg->raw_len || end < ct_off + sk->icv_len + sk->block_len)
		return -EINVAL;
	ct_len = end - sk->icv_len - ct_off;
	if (ct_len % sk->block_len != 0)
		return -EINVAL;
	if (ct_len > cap)
		return -ENOSPC;
	if (!sk->aead) {
		/* RFC 7296 §2.21.2: integrity first; a failure is silently dropped. */
		rc = sk_icv(sk, raw, end - sk->icv_len, icv);
		if (rc != 0)
			return rc;
		if (CRYPTO_memcmp(icv, raw + end - sk->icv_len, sk->icv_len) != 0)
			return -EBADMSG;
	}
	memcpy(icv, raw + end - sk->icv_len, sk->icv_len);
	rc = sk_cipher_run(sk, false, raw + iv_off, raw, iv_off, raw + ct_off, ct_len, out, icv);
	if (rc != 0)
		return rc;
	pad = out[ct_len - 1];
	if ((size_t)pad + 1 > ct_len)
		return -EBADMSG;
	return (int)(ct_len - pad - 1);
}
