/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keyed functions of IKEv2 behind small verbs: prf and prf+ (RFC 7296
 * §2.13), SKEYSEED and the IKE SA keys (§2.14), rekeyed SKEYSEED (§2.18),
 * CHILD_SA KEYMAT (§2.17), the octets AUTH covers (§2.15), NAT detection
 * (§2.23) and stateless cookies (§2.6). Only HMAC PRFs are implemented, so
 * the PRF key may be of any length and the preferred key size of SK_d, SK_pi
 * and SK_pr is the PRF's output size (§2.13). Everything goes through
 * OpenSSL 3's EVP_MAC and EVP_Digest; secrets on the stack are cleansed.
 *
 * The tables of what each transform needs (key, IV, block, ICV sizes) live
 * here too, so proposal checks, key derivation and the SK payload agree.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ike_priv.h"

/* ---- transform properties ---- */

static const struct ike_encr_info encr_table[] = {
	/* RFC 3602: AES-CBC, key length attribute required (RFC 7296 §3.3.5). */
	{ IKE_ENCR_AES_CBC, { 128, 192, 256 }, 0, 0, 16, 16, 0, false },
	/* RFC 2451: 3DES, fixed 24-byte key. */
	{ IKE_ENCR_3DES, { 0 }, 24, 0, 8, 8, 0, false },
	/* RFC 5282 §7: AES-GCM with a 16-octet ICV, 4-octet salt, 8-octet IV. */
	{ IKE_ENCR_AES_GCM_16, { 128, 192, 256 }, 0, 4, 8, 1, 16, true },
};

static const struct ike_integ_info integ_table[] = {
	{ IKE_INTEG_HMAC_SHA1_96, "SHA1", 20, 12 },       /* RFC 2404 */
	{ IKE_INTEG_HMAC_SHA2_256_128, "SHA256", 32, 16 }, /* RFC 4868 */
	{ IKE_INTEG_HMAC_SHA2_384_192, "SHA384", 48, 24 },
	{ IKE_INTEG_HMAC_SHA2_512_256, "SHA512", 64, 32 },
};

const struct ike_encr_info *
ike_encr_info(uint16_t encr)
{
	size_t i;

	for (i = 0; i < sizeof(encr_table) / sizeof(encr_table[0]); i++)
		if (encr_table[i].id == encr)
			return &encr_table[i];
	return NULL;
}

bool
ike_encr_key_ok(const struct ike_encr_info *e, uint16_t key_bits)
{
	size_t i;

	if (e->fixed_key)
		return key_bits == 0;
	for (i = 0; i < 3; i++)
		if (e->key_bits[i] != 0 && e->key_bits[i] == key_bits)
			return true;
	return false;
}

const struct ike_integ_info *
ike_integ_info(uint16_t integ)
{
	size_t i;

	for (i = 0; i < sizeof(integ_table) / sizeof(integ_table[0]); i++)
		if (integ_table[i].id == integ)
			return &integ_table[i];
	return NULL;
}

const char *
ike_prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1:
		return "SHA1";        /* RFC 2104 */
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA256";      /* RFC 4868 §2.1.2 */
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA512";
	default:
		return NULL;
	}
}

size_t
ike_prf_len(uint16_t prf)
{
	const char *d = ike_prf_digest(prf);

	if (d == NULL)
		return 0;
	return prf == IKE_PRF_HMAC_SHA1 ? 20 : prf == IKE_PRF_HMAC_SHA2_256 ? 32
					   : prf == IKE_PRF_HMAC_SHA2_384 ? 48 : 64;
}

size_t
ike_encr_key_len(uint16_t encr, uint16_t key_bits)
{
	const struct ike_encr_info *e = ike_encr_info(encr);

	if (e == NULL || !ike_encr_key_ok(e, key_bits))
		return 0;
	return (e->fixed_key ? e->fixed_key : key_bits / 8u) + e->salt_len;
}

size_t
ike_integ_key_len(uint16_t integ)
{
	const struct ike_integ_info *i = ike_integ_info(integ);

	return i != NULL ? i->key_len : 0;
}

void
ike_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

/* ---- HMAC, the one keyed hash everything here is made of ---- */

int
ike_hmac(const char *digest, const uint8_t *key, size_t key_len, const struct ike_chunk *in,
	 unsigned n_in, uint8_t *out, size_t *out_len)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	unsigned i;
	int rc = -EIO;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, key_len, params))
		goto out;
	for (i = 0; i < n_in; i++)
		if (in[i].len > 0 && !EVP_MAC_update(ctx, in[i].ptr, in[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, out_len, IKE_PRF_MAX))
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* ---- prf and prf+ (§2.13) ---- */

int
ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *in,
	unsigned n_in, uint8_t *out)
{
	const char *digest = ike_prf_digest(prf);
	size_t n;

	if (digest == NULL)
		return -ENOTSUP;
	if (key_len == 0)
		return -EINVAL;
	return ike_hmac(digest, key, key_len, in, n_in, out, &n);
}

#define PRF_PLUS_IN_MAX 8

/* prf+ (K,S) = T1 | T2 | ..., Tn = prf (K, Tn-1 | S | n), n from 0x01 to 0xff. */
int
ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *in,
	     unsigned n_in, uint8_t *out, size_t out_len)
{
	struct ike_chunk seed[PRF_PLUS_IN_MAX + 2];
	uint8_t t[IKE_PRF_MAX], counter = 1;
	size_t block = ike_prf_len(prf), done = 0;
	unsigned i;
	int rc = 0;

	if (block == 0)
		return -ENOTSUP;
	if (n_in > PRF_PLUS_IN_MAX || out_len > 255 * block)
		return -EINVAL;
	for (i = 0; i < n_in; i++)
		seed[i + 1] = in[i];
	seed[n_in + 1] = (struct ike_chunk){ &counter, 1 };
	while (done < out_len) {
		size_t take = out_len - done < block ? out_len - done : block;

		/* T1 has no predecessor: an empty chunk in its place. */
		seed[0] = (struct ike_chunk){ t, counter == 1 ? 0 : block };
		rc = ike_prf(prf, key, key_len, seed, n_in + 2, t);
		if (rc != 0)
			break;
		memcpy(out + done, t, take);
		done += take;
		counter++;
	}
	ike_wipe(t, sizeof(t));
	return rc;
}

/* ---- IKE SA keys (§2.14, §2.18) ---- */

int
ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
	     const uint8_t *g_ir, size_t g_ir_len, uint8_t *out)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	struct ike_chunk in = { g_ir, g_ir_len };
	int rc;

	/* The key is Ni | Nr, the whole nonces: HMAC takes any key length. */
	if (ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
		return -EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	rc = ike_prf(prf, key, ni_len + nr_len, &in, 1, out);
	ike_wipe(key, sizeof(key));
	return rc;
}

int
ike_skeyseed_rekey(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
		   const uint8_t *g_ir, size_t g_ir_len, const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	struct ike_chunk in[3] = { { g_ir, g_ir_len }, { ni, ni_len }, { nr, nr_len } };

	return ike_prf(prf_old, sk_d_old, sk_d_len, in, 3, out);
}

int
ike_sa_keys_derive(const struct ike_choice *c, const uint8_t *skeyseed, const uint8_t *ni,
		   size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i,
		   uint64_t spi_r, struct ike_sa_keys *k)
{
	uint8_t spis[16], keymat[3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX + 2 * IKE_ENCR_KEY_MAX];
	struct ike_chunk in[3] = { { ni, ni_len }, { nr, nr_len }, { spis, sizeof(spis) } };
	uint8_t *p = keymat;
	size_t total;
	int rc;

	memset(k, 0, sizeof(*k));
	k->d_len = k->p_len = ike_prf_len(c->prf);
	k->e_len = ike_encr_key_len(c->encr, c->encr_key_len);
	k->a_len = c->aead ? 0 : ike_integ_key_len(c->integ);
	if (k->d_len == 0 || k->e_len == 0 || (!c->aead && k->a_len == 0))
		return -ENOTSUP;
	ike_put64(spis, spi_i);
	ike_put64(spis + 8, spi_r);
	total = k->d_len + 2 * k->a_len + 2 * k->e_len + 2 * k->p_len;
	rc = ike_prf_plus(c->prf, skeyseed, k->d_len, in, 3, keymat, total);
	if (rc == 0) {
		/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} */
		memcpy(k->sk_d, p, k->d_len), p += k->d_len;
		memcpy(k->sk_ai, p, k->a_len), p += k->a_len;
		memcpy(k->sk_ar, p, k->a_len), p += k->a_len;
		memcpy(k->sk_ei, p, k->e_len), p += k->e_len;
		memcpy(k->sk_er, p, k->e_len), p += k->e_len;
		memcpy(k->sk_pi, p, k->p_len), p += k->p_len;
		memcpy(k->sk_pr, p, k->p_len);
	}
	ike_wipe(keymat, sizeof(keymat));
	return rc;
}

/* ---- CHILD_SA keys (§2.17) ---- */

int
ike_child_keys_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		      const struct ike_choice *esp, const uint8_t *g_ir, size_t g_ir_len,
		      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		      struct ike_child_keys *k)
{
	uint8_t keymat[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)], *p = keymat;
	struct ike_chunk in[3] = { { g_ir, g_ir ? g_ir_len : 0 }, { ni, ni_len }, { nr, nr_len } };
	int rc;

	memset(k, 0, sizeof(*k));
	k->e_len = ike_encr_key_len(esp->encr, esp->encr_key_len);
	k->a_len = esp->aead ? 0 : ike_integ_key_len(esp->integ);
	if (k->e_len == 0 || (!esp->aead && k->a_len == 0))
		return -ENOTSUP;
	rc = ike_prf_plus(prf, sk_d, sk_d_len, in, 3, keymat, 2 * (k->e_len + k->a_len));
	if (rc == 0) {
		/* Initiator to responder first; in each, encryption before integrity. */
		memcpy(k->ei, p, k->e_len), p += k->e_len;
		memcpy(k->ai, p, k->a_len), p += k->a_len;
		memcpy(k->er, p, k->e_len), p += k->e_len;
		memcpy(k->ar, p, k->a_len);
	}
	ike_wipe(keymat, sizeof(keymat));
	return rc;
}

/* ---- AUTH (§2.15) ---- */

int
ike_auth_id_mac(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *id_body,
		size_t id_len, uint8_t *out)
{
	struct ike_chunk in = { id_body, id_len };

	return ike_prf(prf, sk_p, sk_p_len, &in, 1, out);
}

int
ike_auth_psk(uint16_t prf, const uint8_t *secret, size_t secret_len,
	     const struct ike_chunk *octets, unsigned n_octets, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";   /* 17 ASCII octets, no NUL */
	struct ike_chunk in = { pad, sizeof(pad) - 1 };
	uint8_t key[IKE_PRF_MAX];
	int rc;

	rc = ike_prf(prf, secret, secret_len, &in, 1, key);
	if (rc == 0)
		rc = ike_prf(prf, key, ike_prf_len(prf), octets, n_octets, out);
	ike_wipe(key, sizeof(key));
	return rc;
}

/* ---- NAT detection (§2.23) and cookies (§2.6) ---- */

int
ike_natd_hash(uint64_t spi_i, uint64_t spi_r, const uint8_t *addr, size_t addr_len,
	      uint16_t port, uint8_t out[IKE_NATD_LEN])
{
	uint8_t buf[16 + 16 + 2];
	unsigned int n = 0;
	int ok;

	if (addr_len != 4 && addr_len != 16)
		return -EINVAL;
	ike_put64(buf, spi_i);
	ike_put64(buf + 8, spi_r);
	memcpy(buf + 16, addr, addr_len);
	ike_put16(buf + 16 + addr_len, port);
	ok = EVP_Digest(buf, 16 + addr_len + 2, out, &n, EVP_sha1(), NULL);
	return ok && n == IKE_NATD_LEN ? 0 : -EIO;
}

static int
cookie_mac(const uint8_t *secret, size_t secret_len, uint32_t version, const uint8_t *ni,
	   size_t ni_len, const uint8_t *ip, size_t ip_len, uint64_t spi_i,
	   uint8_t out[IKE_COOKIE_LEN])
{
	uint8_t v[4], spi[8], mac[IKE_PRF_MAX];
	struct ike_chunk in[4] = { { v, sizeof(v) }, { ni, ni_len }, { ip, ip_len },
				   { spi, sizeof(spi) } };
	size_t n;
	int rc;

	if (secret_len == 0)
		return -EINVAL;
	/* The version is covered too, so it cannot be changed to pick another secret. */
	ike_put32(v, version);
	ike_put64(spi, spi_i);
	rc = ike_hmac("SHA256", secret, secret_len, in, 4, mac, &n);
	if (rc != 0 || n != IKE_COOKIE_LEN - 4)
		return -EIO;
	memcpy(out, v, 4);
	memcpy(out + 4, mac, n);
	return 0;
}

int
ike_cookie_make(const uint8_t *secret, size_t secret_len, uint32_t version, const uint8_t *ni,
		size_t ni_len, const uint8_t *ip, size_t ip_len, uint64_t spi_i,
		uint8_t out[IKE_COOKIE_LEN])
{
	/* Cookie = <VersionIDofSecret> | HMAC-SHA-256(<secret>, version | Ni | IPi | SPIi). */
	return cookie_mac(secret, secret_len, version, ni, ni_len, ip, ip_len, spi_i, out);
}

int
ike_cookie_version(const uint8_t *cookie, size_t len, uint32_t *version)
{
	if (len != IKE_COOKIE_LEN)
		return -EINVAL;
	*version = ike_get32(cookie);
	return 0;
}

bool
ike_cookie_check(const uint8_t *secret, size_t secret_len, const uint8_t *cookie, size_t len,
		 const uint8_t *ni, size_t ni_len, const uint8_t *ip, size_t ip_len,
		 uint64_t spi_i)
{
	uint8_t want[IKE_COOKIE_LEN];
	uint32_t version;

	if (ike_cookie_version(cookie, len, &version) != 0)
		return false;
	if (cookie_mac(secret, secret_len, version, ni, ni_len, ip, ip_len, spi_i, want) != 0)
		return false;
	return CRYPTO_memcmp(want, cookie, IKE_COOKIE_LEN) == 0;
}
