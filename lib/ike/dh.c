/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key exchange groups for KE payloads (RFC 7296 §3.4), one struct dh_group
 * of function pointers per group as in OpenBSD iked's dh.c: MODP-1024 (2,
 * RFC 2409 §6.2), MODP-2048 (14, RFC 3526 §3), MODP-2048/256 (24, RFC 5114
 * §2.3), ECP-256 (19) and ECP-384 (20) (RFC 5903) and Curve25519 (31, RFC
 * 8031). All arithmetic is OpenSSL 3 EVP_PKEY; this file only encodes and
 * decodes what IKE puts on the wire, and checks the peer's value before it
 * is used: its exact length, 1 < y < p-1 and, for group 24, membership of
 * the order-q subgroup (RFC 6989 §2.2); a point on the curve for ECP; a
 * non-zero shared secret for Curve25519 (RFC 8031 §2.3).
 *
 * Wire forms: MODP values padded on the left to the prime's length (§3.4,
 * and g^ir likewise, §2.14); ECP public values x | y and shared secret x
 * (RFC 5903 §7, §9); Curve25519 the 32-octet u-coordinate.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "ike_priv.h"

/* ---- the primes, as printed in the RFCs (tests compare them to the text) ---- */

/* RFC 2409 §6.2, the Second Oakley Group: 2^1024 - 2^960 - 1 + 2^64 * { [2^894 pi] + 129093 } */
static const uint8_t modp_1024_p[128] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2,
	0x21, 0x68, 0xc2, 0x34, 0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1,
	0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b, 0xbe, 0xa6,
	0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
	0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d,
	0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45,
	0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9,
	0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
	0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11,
	0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe6, 0x53, 0x81,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* RFC 3526 §3: 2^2048 - 2^1984 - 1 + 2^64 * { [2^1918 pi] + 124476 } */
static const uint8_t modp_2048_p[256] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2,
	0x21, 0x68, 0xc2, 0x34, 0xc4, 0xc6, 0x62, 0x8b, 0x80, 0xdc, 0x1c, 0xd1,
	0x29, 0x02, 0x4e, 0x08, 0x8a, 0x67, 0xcc, 0x74, 0x02, 0x0b, 0xbe, 0xa6,
	0x3b, 0x13, 0x9b, 0x22, 0x51, 0x4a, 0x08, 0x79, 0x8e, 0x34, 0x04, 0xdd,
	0xef, 0x95, 0x19, 0xb3, 0xcd, 0x3a, 0x43, 0x1b, 0x30, 0x2b, 0x0a, 0x6d,
	0xf2, 0x5f, 0x14, 0x37, 0x4f, 0xe1, 0x35, 0x6d, 0x6d, 0x51, 0xc2, 0x45,
	0xe4, 0x85, 0xb5, 0x76, 0x62, 0x5e, 0x7e, 0xc6, 0xf4, 0x4c, 0x42, 0xe9,
	0xa6, 0x37, 0xed, 0x6b, 0x0b, 0xff, 0x5c, 0xb6, 0xf4, 0x06, 0xb7, 0xed,
	0xee, 0x38, 0x6b, 0xfb, 0x5a, 0x89, 0x9f, 0xa5, 0xae, 0x9f, 0x24, 0x11,
	0x7c, 0x4b, 0x1f, 0xe6, 0x49, 0x28, 0x66, 0x51, 0xec, 0xe4, 0x5b, 0x3d,
	0xc2, 0x00, 0x7c, 0xb8, 0xa1, 0x63, 0xbf, 0x05, 0x98, 0xda, 0x48, 0x36,
	0x1c, 0x55, 0xd3, 0x9a, 0x69, 0x16, 0x3f, 0xa8, 0xfd, 0x24, 0xcf, 0x5f,
	0x83, 0x65, 0x5d, 0x23, 0xdc, 0xa3, 0xad, 0x96, 0x1c, 0x62, 0xf3, 0x56,
	0x20, 0x85, 0x52, 0xbb, 0x9e, 0xd5, 0x29, 0x07, 0x70, 0x96, 0x96, 0x6d,
	0x67, 0x0c, 0x35, 0x4e, 0x4a, 0xbc, 0x98, 0x04, 0xf1, 0x74, 0x6c, 0x08,
	0xca, 0x18, 0x21, 0x7c, 0x32, 0x90, 0x5e, 0x46, 0x2e, 0x36, 0xce, 0x3b,
	0xe3, 0x9e, 0x77, 0x2c, 0x18, 0x0e, 0x86, 0x03, 0x9b, 0x27, 0x83, 0xa2,
	0xec, 0x07, 0xa2, 0x8f, 0xb5, 0xc5, 0x5d, 0xf0, 0x6f, 0x4c, 0x52, 0xc9,
	0xde, 0x2b, 0xcb, 0xf6, 0x95, 0x58, 0x17, 0x18, 0x39, 0x95, 0x49, 0x7c,
	0xea, 0x95, 0x6a, 0xe5, 0x15, 0xd2, 0x26, 0x18, 0x98, 0xfa, 0x05, 0x10,
	0x15, 0x72, 0x8e, 0x5a, 0x8a, 0xac, 0xaa, 0x68, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff,
};

/* RFC 5114 §2.3: 2048-bit MODP group with a 256-bit prime order subgroup */
static const uint8_t modp_2048_256_p[256] = {
	0x87, 0xa8, 0xe6, 0x1d, 0xb4, 0xb6, 0x66, 0x3c, 0xff, 0xbb, 0xd1, 0x9c,
	0x65, 0x19, 0x59, 0x99, 0x8c, 0xee, 0xf6, 0x08, 0x66, 0x0d, 0xd0, 0xf2,
	0x5d, 0x2c, 0xee, 0xd4, 0x43, 0x5e, 0x3b, 0x00, 0xe0, 0x0d, 0xf8, 0xf1,
	0xd6, 0x19, 0x57, 0xd4, 0xfa, 0xf7, 0xdf, 0x45, 0x61, 0xb2, 0xaa, 0x30,
	0x16, 0xc3, 0xd9, 0x11, 0x34, 0x09, 0x6f, 0xaa, 0x3b, 0xf4, 0x29, 0x6d,
	0x83, 0x0e, 0x9a, 0x7c, 0x20, 0x9e, 0x0c, 0x64, 0x97, 0x51, 0x7a, 0xbd,
	0x5a, 0x8a, 0x9d, 0x30, 0x6b, 0xcf, 0x67, 0xed, 0x91, 0xf9, 0xe6, 0x72,
	0x5b, 0x47, 0x58, 0xc0, 0x22, 0xe0, 0xb1, 0xef, 0x42, 0x75, 0xbf, 0x7b,
	0x6c, 0x5b, 0xfc, 0x11, 0xd4, 0x5f, 0x90, 0x88, 0xb9, 0x41, 0xf5, 0x4e,
	0xb1, 0xe5, 0x9b, 0xb8, 0xbc, 0x39, 0xa0, 0xbf, 0x12, 0x30, 0x7f, 0x5c,
	0x4f, 0xdb, 0x70, 0xc5, 0x81, 0xb2, 0x3f, 0x76, 0xb6, 0x3a, 0xca, 0xe1,
	0xca, 0xa6, 0xb7, 0x90, 0x2d, 0x52, 0x52, 0x67, 0x35, 0x48, 0x8a, 0x0e,
	0xf1, 0x3c, 0x6d, 0x9a, 0x51, 0xbf, 0xa4, 0xab, 0x3a, 0xd8, 0x34, 0x77,
	0x96, 0x52, 0x4d, 0x8e, 0xf6, 0xa1, 0x67, 0xb5, 0xa4, 0x18, 0x25, 0xd9,
	0x67, 0xe1, 0x44, 0xe5, 0x14, 0x05, 0x64, 0x25, 0x1c, 0xca, 0xcb, 0x83,
	0xe6, 0xb4, 0x86, 0xf6, 0xb3, 0xca, 0x3f, 0x79, 0x71, 0x50, 0x60, 0x26,
	0xc0, 0xb8, 0x57, 0xf6, 0x89, 0x96, 0x28, 0x56, 0xde, 0xd4, 0x01, 0x0a,
	0xbd, 0x0b, 0xe6, 0x21, 0xc3, 0xa3, 0x96, 0x0a, 0x54, 0xe7, 0x10, 0xc3,
	0x75, 0xf2, 0x63, 0x75, 0xd7, 0x01, 0x41, 0x03, 0xa4, 0xb5, 0x43, 0x30,
	0xc1, 0x98, 0xaf, 0x12, 0x61, 0x16, 0xd2, 0x27, 0x6e, 0x11, 0x71, 0x5f,
	0x69, 0x38, 0x77, 0xfa, 0xd7, 0xef, 0x09, 0xca, 0xdb, 0x09, 0x4a, 0xe9,
	0x1e, 0x1a, 0x15, 0x97,
};

static const uint8_t modp_2048_256_q[32] = {
	0x8c, 0xf8, 0x36, 0x42, 0xa7, 0x09, 0xa0, 0x97, 0xb4, 0x47, 0x99, 0x76,
	0x40, 0x12, 0x9d, 0xa2, 0x99, 0xb1, 0xa4, 0x7d, 0x1e, 0xb3, 0x75, 0x0b,
	0xa3, 0x08, 0xb0, 0xfe, 0x64, 0xf5, 0xfb, 0xd3,
};

static const uint8_t modp_2048_256_g[256] = {
	0x3f, 0xb3, 0x2c, 0x9b, 0x73, 0x13, 0x4d, 0x0b, 0x2e, 0x77, 0x50, 0x66,
	0x60, 0xed, 0xbd, 0x48, 0x4c, 0xa7, 0xb1, 0x8f, 0x21, 0xef, 0x20, 0x54,
	0x07, 0xf4, 0x79, 0x3a, 0x1a, 0x0b, 0xa1, 0x25, 0x10, 0xdb, 0xc1, 0x50,
	0x77, 0xbe, 0x46, 0x3f, 0xff, 0x4f, 0xed, 0x4a, 0xac, 0x0b, 0xb5, 0x55,
	0xbe, 0x3a, 0x6c, 0x1b, 0x0c, 0x6b, 0x47, 0xb1, 0xbc, 0x37, 0x73, 0xbf,
	0x7e, 0x8c, 0x6f, 0x62, 0x90, 0x12, 0x28, 0xf8, 0xc2, 0x8c, 0xbb, 0x18,
	0xa5, 0x5a, 0xe3, 0x13, 0x41, 0x00, 0x0a, 0x65, 0x01, 0x96, 0xf9, 0x31,
	0xc7, 0x7a, 0x57, 0xf2, 0xdd, 0xf4, 0x63, 0xe5, 0xe9, 0xec, 0x14, 0x4b,
	0x77, 0x7d, 0xe6, 0x2a, 0xaa, 0xb8, 0xa8, 0x62, 0x8a, 0xc3, 0x76, 0xd2,
	0x82, 0xd6, 0xed, 0x38, 0x64, 0xe6, 0x79, 0x82, 0x42, 0x8e, 0xbc, 0x83,
	0x1d, 0x14, 0x34, 0x8f, 0x6f, 0x2f, 0x91, 0x93, 0xb5, 0x04, 0x5a, 0xf2,
	0x76, 0x71, 0x64, 0xe1, 0xdf, 0xc9, 0x67, 0xc1, 0xfb, 0x3f, 0x2e, 0x55,
	0xa4, 0xbd, 0x1b, 0xff, 0xe8, 0x3b, 0x9c, 0x80, 0xd0, 0x52, 0xb9, 0x85,
	0xd1, 0x82, 0xea, 0x0a, 0xdb, 0x2a, 0x3b, 0x73, 0x13, 0xd3, 0xfe, 0x14,
	0xc8, 0x48, 0x4b, 0x1e, 0x05, 0x25, 0x88, 0xb9, 0xb7, 0xd2, 0xbb, 0xd2,
	0xdf, 0x01, 0x61, 0x99, 0xec, 0xd0, 0x6e, 0x15, 0x57, 0xcd, 0x09, 0x15,
	0xb3, 0x35, 0x3b, 0xbb, 0x64, 0xe0, 0xec, 0x37, 0x7f, 0xd0, 0x28, 0x37,
	0x0d, 0xf9, 0x2b, 0x52, 0xc7, 0x89, 0x14, 0x28, 0xcd, 0xc6, 0x7e, 0xb6,
	0x18, 0x4b, 0x52, 0x3d, 0x1d, 0xb2, 0x46, 0xc3, 0x2f, 0x63, 0x07, 0x84,
	0x90, 0xf0, 0x0e, 0xf8, 0xd6, 0x47, 0xd1, 0x48, 0xd4, 0x79, 0x54, 0x51,
	0x5e, 0x23, 0x27, 0xcf, 0xef, 0x98, 0xc5, 0x82, 0x66, 0x4b, 0x4c, 0x0f,
	0x6c, 0xc4, 0x16, 0x59,
};

static const uint8_t generator_2[] = { 0x02 };

struct dh_group {
	uint16_t id;
	size_t public_len;      /* KE data */
	size_t shared_len;      /* g^ir */
	/* MODP */
	const uint8_t *p, *g, *q;
	size_t p_len, g_len, q_len;
	/* ECP: OpenSSL group name and NID; Curve25519: key type name */
	const char *curve;
	int nid;
	EVP_PKEY *(*generate)(const struct dh_group *grp);
	EVP_PKEY *(*from_private)(const struct dh_group *grp, const uint8_t *priv, size_t len);
	int (*public_value)(const struct dh_group *grp, EVP_PKEY *key, uint8_t *out);
	EVP_PKEY *(*peer)(const struct dh_group *grp, const uint8_t *pub, size_t len);
};

struct ike_dh {
	const struct dh_group *group;
	EVP_PKEY *key;
};

/* ---- MODP (RFC 7296 §3.4) ---- */

/* The group's parameters, and optionally a private and/or public value. */
static EVP_PKEY *
modp_pkey(const struct dh_group *grp, const BIGNUM *priv, const BIGNUM *pub, int selection)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = BN_bin2bn(grp->p, (int)grp->p_len, NULL);
	BIGNUM *g = BN_bin2bn(grp->g, (int)grp->g_len, NULL);
	BIGNUM *q = grp->q ? BN_bin2bn(grp->q, (int)grp->q_len, NULL) : NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL || p == NULL || g == NULL || (grp->q && q == NULL))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) ||
	    (q && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, q)) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) ||
	    (pub && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	BN_free(q);
	return pkey;
}

static EVP_PKEY *
modp_generate(const struct dh_group *grp)
{
	EVP_PKEY *params = modp_pkey(grp, NULL, NULL, EVP_PKEY_KEY_PARAMETERS), *key = NULL;
	EVP_PKEY_CTX *ctx;

	if (params == NULL)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

static EVP_PKEY *
modp_from_private(const struct dh_group *grp, const uint8_t *priv, size_t len)
{
	BIGNUM *x = BN_bin2bn(priv, (int)len, NULL), *y = BN_new();
	BIGNUM *p = BN_bin2bn(grp->p, (int)grp->p_len, NULL);
	BIGNUM *g = BN_bin2bn(grp->g, (int)grp->g_len, NULL);
	BN_CTX *bn = BN_CTX_new();
	EVP_PKEY *key = NULL;

	if (x && y && p && g && bn && BN_mod_exp(y, g, x, p, bn))
		key = modp_pkey(grp, x, y, EVP_PKEY_KEYPAIR);
	BN_CTX_free(bn);
	BN_clear_free(x);
	BN_free(y);
	BN_free(p);
	BN_free(g);
	return key;
}

static int
modp_public(const struct dh_group *grp, EVP_PKEY *key, uint8_t *out)
{
	BIGNUM *y = NULL;
	int rc = -EIO;

	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
	    BN_bn2binpad(y, out, (int)grp->p_len) == (int)grp->p_len)
		rc = 0;
	BN_free(y);
	return rc;
}

/* 1 < y < p-1, and y^q = 1 (mod p) where the group has a subgroup order q. */
static bool
modp_peer_ok(const struct dh_group *grp, const BIGNUM *y)
{
	BIGNUM *p = BN_bin2bn(grp->p, (int)grp->p_len, NULL), *pm1 = BN_new(), *r = BN_new();
	BIGNUM *q = grp->q ? BN_bin2bn(grp->q, (int)grp->q_len, NULL) : NULL;
	BN_CTX *bn = BN_CTX_new();
	bool ok = false;

	if (p == NULL || pm1 == NULL || r == NULL || bn == NULL || (grp->q && q == NULL))
		goto out;
	if (!BN_sub(pm1, p, BN_value_one()))
		goto out;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	ok = q == NULL || (BN_mod_exp(r, y, q, p, bn) && BN_is_one(r));
out:
	BN_CTX_free(bn);
	BN_free(p);
	BN_free(pm1);
	BN_free(r);
	BN_free(q);
	return ok;
}

static EVP_PKEY *
modp_peer(const struct dh_group *grp, const uint8_t *pub, size_t len)
{
	BIGNUM *y;
	EVP_PKEY *key = NULL;

	if (len != grp->p_len)
		return NULL;
	y = BN_bin2bn(pub, (int)len, NULL);
	if (y != NULL && modp_peer_ok(grp, y))
		key = modp_pkey(grp, NULL, y, EVP_PKEY_PUBLIC_KEY);
	BN_free(y);
	return key;
}

/* ---- ECP (RFC 5903) ---- */

static EVP_PKEY *
ecp_generate(const struct dh_group *grp)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", grp->curve);
}

/* A key from the group name, an uncompressed point and optionally a scalar. */
static EVP_PKEY *
ecp_pkey(const struct dh_group *grp, const uint8_t *point, size_t point_len, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, grp->curve, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
ecp_from_private(const struct dh_group *grp, const uint8_t *priv, size_t len)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(grp->nid);
	EC_POINT *pt = group ? EC_POINT_new(group) : NULL;
	BIGNUM *d = BN_bin2bn(priv, (int)len, NULL);
	uint8_t point[1 + IKE_DH_PUBLIC_MAX];
	EVP_PKEY *key = NULL;
	size_t n;

	if (pt == NULL || d == NULL || !EC_POINT_mul(group, pt, d, NULL, NULL, NULL))
		goto out;
	n = EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point),
			       NULL);
	if (n == 1 + grp->public_len)
		key = ecp_pkey(grp, point, n, d);
out:
	BN_clear_free(d);
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	return key;
}

static int
ecp_public(const struct dh_group *grp, EVP_PKEY *key, uint8_t *out)
{
	size_t coord = grp->public_len / 2;
	BIGNUM *x = NULL, *y = NULL;
	int rc = -EIO;

	/* RFC 5903 §7: x | y, each padded to the field size. */
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) &&
	    BN_bn2binpad(x, out, (int)coord) == (int)coord &&
	    BN_bn2binpad(y, out + coord, (int)coord) == (int)coord)
		rc = 0;
	BN_free(x);
	BN_free(y);
	return rc;
}

static EVP_PKEY *
ecp_peer(const struct dh_group *grp, const uint8_t *pub, size_t len)
{
	uint8_t point[1 + IKE_DH_PUBLIC_MAX];

	if (len != grp->public_len)
		return NULL;
	/* OpenSSL refuses a point that is not on the curve when it imports it. */
	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, pub, len);
	return ecp_pkey(grp, point, 1 + len, NULL);
}

/* ---- Curve25519 (RFC 8031, RFC 7748) ---- */

static EVP_PKEY *
x25519_generate(const struct dh_group *grp)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, grp->curve);
}

static EVP_PKEY *
x25519_from_private(const struct dh_group *grp, const uint8_t *priv, size_t len)
{
	if (len != grp->public_len)
		return NULL;
	return EVP_PKEY_new_raw_private_key_ex(NULL, grp->curve, NULL, priv, len);
}

static int
x25519_public(const struct dh_group *grp, EVP_PKEY *key, uint8_t *out)
{
	size_t n = grp->public_len;

	return EVP_PKEY_get_raw_public_key(key, out, &n) && n == grp->public_len ? 0 : -EIO;
}

static EVP_PKEY *
x25519_peer(const struct dh_group *grp, const uint8_t *pub, size_t len)
{
	if (len != grp->public_len)
		return NULL;
	return EVP_PKEY_new_raw_public_key_ex(NULL, grp->curve, NULL, pub, len);
}

/* ---- the table ---- */

#define MODP(gid, prime, gen, order, order_len)                                     \
	{ .id = gid, .public_len = sizeof(prime), .shared_len = sizeof(prime),       \
	  .p = prime, .p_len = sizeof(prime), .g = gen, .g_len = sizeof(gen),        \
	  .q = order, .q_len = order_len, .generate = modp_generate, .from_private = modp_from_private,               \
	  .public_value = modp_public, .peer = modp_peer }
#define ECP(gid, coord, name, curve_nid)                                            \
	{ .id = gid, .public_len = 2 * (coord), .shared_len = coord, .curve = name,  \
	  .nid = curve_nid, .generate = ecp_generate, .from_private = ecp_from_private, \
	  .public_value = ecp_public, .peer = ecp_peer }

static const struct dh_group groups[] = {
	MODP(IKE_DH_MODP_1024, modp_1024_p, generator_2, NULL, 0),
	MODP(IKE_DH_MODP_2048, modp_2048_p, generator_2, NULL, 0),
	MODP(IKE_DH_MODP_2048_256, modp_2048_256_p, modp_2048_256_g, modp_2048_256_q,
	     sizeof(modp_2048_256_q)),
	ECP(IKE_DH_ECP_256, 32, "P-256", NID_X9_62_prime256v1),
	ECP(IKE_DH_ECP_384, 48, "P-384", NID_secp384r1),
	{ .id = IKE_DH_CURVE25519, .public_len = 32, .shared_len = 32, .curve = "X25519",
	  .generate = x25519_generate, .from_private = x25519_from_private,
	  .public_value = x25519_public, .peer = x25519_peer },
};

static const struct dh_group *
group_get(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

/* ---- the verbs ---- */

bool
ike_dh_supported(uint16_t group)
{
	return group_get(group) != NULL;
}

size_t
ike_dh_public_len(uint16_t group)
{
	const struct dh_group *grp = group_get(group);

	return grp ? grp->public_len : 0;
}

const uint8_t *
ike_dh_prime(uint16_t group, size_t *len)
{
	const struct dh_group *grp = group_get(group);

	*len = grp && grp->p ? grp->p_len : 0;
	return grp ? grp->p : NULL;
}

static struct ike_dh *
dh_wrap(const struct dh_group *grp, EVP_PKEY *key)
{
	struct ike_dh *dh;

	if (key == NULL)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (dh == NULL) {
		EVP_PKEY_free(key);
		return NULL;
	}
	dh->group = grp;
	dh->key = key;
	return dh;
}

struct ike_dh *
ike_dh_new(uint16_t group)
{
	const struct dh_group *grp = group_get(group);

	return grp ? dh_wrap(grp, grp->generate(grp)) : NULL;
}

struct ike_dh *
ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len)
{
	const struct dh_group *grp = group_get(group);

	return grp ? dh_wrap(grp, grp->from_private(grp, priv, len)) : NULL;
}

uint16_t
ike_dh_group(const struct ike_dh *dh)
{
	return dh->group->id;
}

int
ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap)
{
	const struct dh_group *grp = dh->group;
	int rc;

	if (cap < grp->public_len)
		return -ENOSPC;
	rc = grp->public_value(grp, dh->key, out);
	return rc == 0 ? (int)grp->public_len : rc;
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int
ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out, size_t cap)
{
	const struct dh_group *grp = dh->group;
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = grp->shared_len;
	int rc = -EIO;

	if (cap < grp->shared_len)
		return -ENOSPC;
	pk = grp->peer(grp, peer, peer_len);
	if (pk == NULL)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	/* §2.14: g^ir padded to the prime's length (OpenSSL strips zeros otherwise). */
	if (grp->p != NULL && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	/*
	 * MODP peers were checked by modp_peer_ok() as RFC 6989 §2.2 asks
	 * (1 < y < p-1, and y^q = 1 for group 24's subgroup); OpenSSL's own full
	 * check would add a 2047-bit exponentiation per handshake (about 5 ms of
	 * a 6.6 ms MODP-2048 exchange here). Curves keep OpenSSL's point check.
	 */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, grp->p == NULL) <= 0) {
		rc = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, out, &n) <= 0 || n != grp->shared_len) {
		rc = -EINVAL;   /* Curve25519: an all-zero result is refused here */
		goto out;
	}
	rc = all_zero(out, n) ? -EINVAL : (int)n;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

void
ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}
