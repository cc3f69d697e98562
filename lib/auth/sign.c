/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AUTH payload signatures (RFC 7296 §2.15): verifying a client's and making
 * the gateway's. The signed octets come from the caller in pieces (message,
 * nonce, prf(SK_px, IDx')) and are streamed into the digest, so nothing is
 * copied except for Ed25519, which signs the message itself.
 *
 * Methods and what fixes the algorithm:
 *   1  RSA PKCS#1 v1.5 over SHA-1 (RFC 7296 §3.8; what IKEv2 had first);
 *   9, 10, 11  ECDSA with SHA-256/384/512 on P-256/384/521, signature r | s
 *      of fixed size (RFC 4754 §3, §7), converted to DER for OpenSSL;
 *   14 the AlgorithmIdentifier that prefixes the signature (RFC 7427 §3):
 *      RSA PKCS#1 v1.5 and ECDSA (DER signature) with SHA-256/384/512,
 *      RSASSA-PSS with SHA-256/384/512 as its parameters say (RFC 4055 §3.1),
 *      Ed25519 (RFC 8420).
 * SHA-1 is taken in method 1 only, which defines it; in method 14 it would
 * be our own choice, and RFC 8247 §3.2 says not to make it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "auth_priv.h"

/* How to run one signature: a key type, a digest, RSA padding. */
struct sig_params {
	const char *what;       /* for messages: "RSA PKCS#1 v1.5 with SHA-256" */
	int key_type;           /* EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_ED25519 */
	const char *md;         /* NULL: the message itself is signed (Ed25519) */
	int padding;            /* RSA only */
	const char *mgf1_md;    /* RSASSA-PSS only */
	int salt_len;
};

/* ---- one signature, streamed over the octets ---- */

static uint8_t *
join(const struct ike_chunk *octets, unsigned n, size_t *len)
{
	uint8_t *buf;
	size_t total = 0, at = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		total += octets[i].len;
	buf = malloc(total > 0 ? total : 1);
	if (buf == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (octets[i].len > 0)
			memcpy(buf + at, octets[i].ptr, octets[i].len);
		at += octets[i].len;
	}
	*len = total;
	return buf;
}

/* Padding, MGF1 and salt on a context that EVP_Digest{Sign,Verify}Init made. */
static int
set_padding(EVP_PKEY_CTX *pctx, const struct sig_params *sp)
{
	if (sp->padding == 0)
		return 0;
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, sp->padding) <= 0)
		return -EINVAL;
	if (sp->padding != RSA_PKCS1_PSS_PADDING)
		return 0;
	if (EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, sp->mgf1_md, NULL) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sp->salt_len) <= 0)
		return -EINVAL;
	return 0;
}

/* 0 good, -EBADMSG bad, -EINVAL the parameters do not fit the key, -ENOMEM. */
static int
digest_verify(EVP_PKEY *pkey, const struct sig_params *sp, const uint8_t *sig, size_t sig_len,
	      const struct ike_chunk *octets, unsigned n)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	unsigned i;
	int rc = -EINVAL, ok = 0;

	if (mctx == NULL)
		return -ENOMEM;
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, sp->md, NULL, NULL, pkey, NULL) != 1 ||
	    set_padding(pctx, sp) != 0)
		goto out;
	if (sp->md == NULL) {
		rc = -ENOMEM;
		msg = join(octets, n, &msg_len);
		if (msg == NULL)
			goto out;
		ok = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len);
	} else {
		for (i = 0; i < n; i++)
			if (EVP_DigestVerifyUpdate(mctx, octets[i].ptr, octets[i].len) != 1)
				goto out;
		ok = EVP_DigestVerifyFinal(mctx, sig, sig_len);
	}
	rc = ok == 1 ? 0 : -EBADMSG;
out:
	free(msg);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return rc;
}

/* Length of the signature, or -EIO. */
static int
digest_sign(EVP_PKEY *pkey, const struct sig_params *sp, const struct ike_chunk *octets,
	    unsigned n, uint8_t *sig, size_t cap)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *msg = NULL;
	size_t msg_len, len = 0;
	unsigned i;
	int rc = -EIO;

	if (mctx == NULL)
		return -EIO;
	if (EVP_DigestSignInit_ex(mctx, &pctx, sp->md, NULL, NULL, pkey, NULL) != 1 ||
	    set_padding(pctx, sp) != 0)
		goto out;
	if (sp->md == NULL) {
		msg = join(octets, n, &msg_len);
		if (msg == NULL || EVP_DigestSign(mctx, NULL, &len, msg, msg_len) != 1)
			goto out;
		rc = -ENOSPC;
		if (len > cap || EVP_DigestSign(mctx, sig, &len, msg, msg_len) != 1)
			goto out;
	} else {
		for (i = 0; i < n; i++)
			if (EVP_DigestSignUpdate(mctx, octets[i].ptr, octets[i].len) != 1)
				goto out;
		if (EVP_DigestSignFinal(mctx, NULL, &len) != 1)
			goto out;
		rc = -ENOSPC;
		if (len > cap)
			goto out;
		rc = -EIO;
		if (EVP_DigestSignFinal(mctx, sig, &len) != 1)
			goto out;
	}
	rc = (int)len;
out:
	free(msg);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return rc;
}

/* ---- ECDSA r | s (RFC 4754 §7) <-> DER ECDSA-Sig-Value ---- */

/* P-256 -> 32 octets each of r and s, P-384 -> 48, P-521 -> 66; 0 otherwise. */
static size_t
ec_field_len(EVP_PKEY *pkey, uint8_t *method, const char **md)
{
	char group[32];

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1)
		return 0;
	if (strcmp(group, "prime256v1") == 0) {
		*method = IKE_AUTH_ECDSA_SHA256_P256;
		*md = "SHA256";
		return 32;
	}
	if (strcmp(group, "secp384r1") == 0) {
		*method = IKE_AUTH_ECDSA_SHA384_P384;
		*md = "SHA384";
		return 48;
	}
	if (strcmp(group, "secp521r1") == 0) {
		*method = IKE_AUTH_ECDSA_SHA512_P521;
		*md = "SHA512";
		return 66;
	}
	return 0;
}

/* DER of r | s into der (at least 2 * half + 16 bytes). Length or -ENOMEM. */
static int
rs_to_der(const uint8_t *rs, size_t half, uint8_t *der)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *sv = BN_bin2bn(rs + half, (int)half, NULL);
	uint8_t *p = der;
	int len = -ENOMEM;

	if (s != NULL && r != NULL && sv != NULL && ECDSA_SIG_set0(s, r, sv) == 1) {
		r = sv = NULL;  /* owned by s now */
		len = i2d_ECDSA_SIG(s, &p);
		if (len <= 0)
			len = -ENOMEM;
	}
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(s);
	return len;
}

/* r | s from DER into out[2 * half]. 0 or -EIO. */
static int
der_to_rs(const uint8_t *der, size_t len, size_t half, uint8_t *out)
{
	const uint8_t *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *sv;
	int rc = -EIO;

	if (s != NULL) {
		ECDSA_SIG_get0(s, &r, &sv);
		if (BN_bn2binpad(r, out, (int)half) == (int)half &&
		    BN_bn2binpad(sv, out + half, (int)half) == (int)half)
			rc = 0;
	}
	ECDSA_SIG_free(s);
	return rc;
}

/* ---- RFC 7427 AlgorithmIdentifiers ---- */

struct md_name {
	int nid;
	const char *name;
	uint16_t hash;          /* enum ike_hash_alg */
};

static const struct md_name sha2[] = {
	{ NID_sha256, "SHA256", IKE_HASH_SHA2_256 },
	{ NID_sha384, "SHA384", IKE_HASH_SHA2_384 },
	{ NID_sha512, "SHA512", IKE_HASH_SHA2_512 },
};

static const char *
sha2_name(int nid)
{
	size_t i;

	for (i = 0; i < sizeof(sha2) / sizeof(sha2[0]); i++)
		if (sha2[i].nid == nid)
			return sha2[i].name;
	return NULL;
}

/* The hash of an AlgorithmIdentifier inside PSS parameters; absent = SHA-1. */
static const char *
pss_hash(const X509_ALGOR *alg)
{
	return sha2_name(alg != NULL ? OBJ_obj2nid(alg->algorithm) : NID_sha1);
}

/* RFC 4055 §3.1 MGF1's hash: an AlgorithmIdentifier as the parameter. */
static const char *
pss_mgf1_hash(const X509_ALGOR *mgf)
{
	const ASN1_STRING *seq;
	const uint8_t *p;
	X509_ALGOR *h;
	const char *name;

	if (mgf == NULL)
		return NULL;    /* default MGF1 with SHA-1 */
	if (OBJ_obj2nid(mgf->algorithm) != NID_mgf1 || mgf->parameter == NULL ||
	    mgf->parameter->type != V_ASN1_SEQUENCE)
		return NULL;
	seq = mgf->parameter->value.sequence;
	p = seq->data;
	h = d2i_X509_ALGOR(NULL, &p, seq->length);
	name = h != NULL && p == seq->data + seq->length ? pss_hash(h) : NULL;
	X509_ALGOR_free(h);
	return name;
}

static bool
pss_decode(const RSA_PSS_PARAMS *pss, struct sig_params *sp)
{
	long salt = pss->saltLength != NULL ? ASN1_INTEGER_get(pss->saltLength) : 20;
	long trailer = pss->trailerField != NULL ? ASN1_INTEGER_get(pss->trailerField) : 1;

	sp->md = pss_hash(pss->hashAlgorithm);
	sp->mgf1_md = pss_mgf1_hash(pss->maskGenAlgorithm);
	if (sp->md == NULL || sp->mgf1_md == NULL || salt < 0 || salt > 1024 || trailer != 1)
		return false;
	sp->salt_len = (int)salt;
	return true;
}

/* RSASSA-PSS-params (RFC 4055 §3.1), all of them explicit or SHA-2 defaults. */
static int
pss_params(const uint8_t *alg_id, size_t len, struct sig_params *sp, char *why, size_t whylen)
{
	const uint8_t *p = alg_id, *q;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	RSA_PSS_PARAMS *pss = NULL;
	const ASN1_STRING *seq;
	int rc = -ENOTSUP;

	sp->what = "RSASSA-PSS";
	sp->key_type = EVP_PKEY_RSA;
	sp->padding = RSA_PKCS1_PSS_PADDING;
	if (alg == NULL || p != alg_id + len || OBJ_obj2nid(alg->algorithm) != NID_rsassaPss ||
	    alg->parameter == NULL || alg->parameter->type != V_ASN1_SEQUENCE) {
		auth_errf(why, whylen, "AUTH method 14: RSASSA-PSS AlgorithmIdentifier without "
			  "parameters (SHA-1 defaults) or malformed; allowed: SHA-256/384/512 with "
			  "MGF1 of the same family, trailer 1");
		goto out;
	}
	seq = alg->parameter->value.sequence;
	q = seq->data;
	pss = d2i_RSA_PSS_PARAMS(NULL, &q, seq->length);
	if (pss == NULL || q != seq->data + seq->length || !pss_decode(pss, sp)) {
		auth_errf(why, whylen, "AUTH method 14: RSASSA-PSS parameters malformed or with "
			  "SHA-1; allowed: SHA-256/384/512, MGF1 with SHA-256/384/512, salt "
			  "0..1024, trailer 1");
		goto out;
	}
	rc = 0;
out:
	RSA_PSS_PARAMS_free(pss);
	X509_ALGOR_free(alg);
	return rc;
}

/* The fixed AlgorithmIdentifiers, by what ike_sig_alg_from_der() recognised. */
static int
alg_params(const struct ike_auth *auth, struct sig_params *sp, char *why, size_t whylen)
{
	static const struct {
		enum ike_sig_alg alg;
		struct sig_params sp;
	} fixed[] = {
		{ IKE_SIG_RSA_SHA256, { "RSA PKCS#1 v1.5 with SHA-256", EVP_PKEY_RSA, "SHA256",
					RSA_PKCS1_PADDING, NULL, 0 } },
		{ IKE_SIG_RSA_SHA384, { "RSA PKCS#1 v1.5 with SHA-384", EVP_PKEY_RSA, "SHA384",
					RSA_PKCS1_PADDING, NULL, 0 } },
		{ IKE_SIG_RSA_SHA512, { "RSA PKCS#1 v1.5 with SHA-512", EVP_PKEY_RSA, "SHA512",
					RSA_PKCS1_PADDING, NULL, 0 } },
		{ IKE_SIG_ECDSA_SHA256, { "ECDSA with SHA-256", EVP_PKEY_EC, "SHA256", 0, NULL, 0 } },
		{ IKE_SIG_ECDSA_SHA384, { "ECDSA with SHA-384", EVP_PKEY_EC, "SHA384", 0, NULL, 0 } },
		{ IKE_SIG_ECDSA_SHA512, { "ECDSA with SHA-512", EVP_PKEY_EC, "SHA512", 0, NULL, 0 } },
		{ IKE_SIG_ED25519, { "Ed25519", EVP_PKEY_ED25519, NULL, 0, NULL, 0 } },
	};
	size_t i;

	if (auth->sig_alg == IKE_SIG_RSA_PSS)
		return pss_params(auth->alg_id, auth->alg_id_len, sp, why, whylen);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i].alg == auth->sig_alg) {
			*sp = fixed[i].sp;
			return 0;
		}
	auth_errf(why, whylen, "AUTH method 14: %s AlgorithmIdentifier; allowed: RSA PKCS#1 "
		  "v1.5 or ECDSA with SHA-256/384/512, RSASSA-PSS, Ed25519",
		  auth->sig_alg == IKE_SIG_RSA_SHA1 ? "SHA-1 (sha1WithRSAEncryption)" : "an unknown");
	return -ENOTSUP;
}

/* ---- verification ---- */

static bool
key_fits(EVP_PKEY *pkey, int key_type)
{
	int t = EVP_PKEY_get_base_id(pkey);

	/* An RSA-PSS key (id-RSASSA-PSS in the certificate) signs PSS only. */
	return t == key_type || (key_type == EVP_PKEY_RSA && t == EVP_PKEY_RSA_PSS);
}

static const char *
key_name(EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_ED25519:
		return "Ed25519";
	default:
		return "unknown";
	}
}

/* Method 9/10/11: check key and length, then r | s to DER into der. */
static int
fixed_ecdsa_der(EVP_PKEY *pkey, const struct ike_auth *auth, struct sig_params *sp,
		uint8_t *der, size_t *der_len, char *why, size_t whylen)
{
	uint8_t method = 0;
	size_t half = ec_field_len(pkey, &method, &sp->md);
	int len;

	sp->what = "ECDSA r|s";
	sp->key_type = EVP_PKEY_EC;
	sp->padding = 0;
	if (half == 0 || method != auth->method) {
		auth_errf(why, whylen, "AUTH method %u needs an ECDSA key on P-%s; the "
			  "certificate's is %s", auth->method,
			  auth->method == IKE_AUTH_ECDSA_SHA256_P256   ? "256"
			  : auth->method == IKE_AUTH_ECDSA_SHA384_P384 ? "384"
								       : "521",
			  half == 0 ? key_name(pkey) : "on another curve");
		return -EINVAL;
	}
	if (auth->sig_len != 2 * half) {
		auth_errf(why, whylen, "AUTH method %u: %zu octets of signature; allowed: %zu (r|s, "
			  "RFC 4754 §7)", auth->method, auth->sig_len, 2 * half);
		return -EINVAL;
	}
	len = rs_to_der(auth->sig, half, der);
	if (len < 0)
		return len;
	*der_len = (size_t)len;
	return 0;
}

/* What each method needs: its parameters, the key type, the signature as OpenSSL takes it. */
static int
method_params(EVP_PKEY *pkey, const struct ike_auth *auth, struct sig_params *sp,
	      uint8_t *der, const uint8_t **sig, size_t *sig_len, char *why, size_t whylen)
{
	*sig = auth->sig;
	*sig_len = auth->sig_len;
	switch (auth->method) {
	case IKE_AUTH_RSA_SIG:
		/* RFC 7296 §3.8: PKCS#1 v1.5 with SHA-1, a plain RSA key. */
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
			sp->key_type = EVP_PKEY_NONE;
		return 0;
	case IKE_AUTH_ECDSA_SHA256_P256:
	case IKE_AUTH_ECDSA_SHA384_P384:
	case IKE_AUTH_ECDSA_SHA512_P521:
		*sig = der;
		return fixed_ecdsa_der(pkey, auth, sp, der, sig_len, why, whylen);
	case IKE_AUTH_DIGITAL_SIGNATURE:
		return alg_params(auth, sp, why, whylen);
	default:
		auth_errf(why, whylen, "AUTH method %u is not a signature; allowed: 1, 9, 10, 11, 14",
			  auth->method);
		return -ENOTSUP;
	}
}

int
auth_sig_verify(X509 *cert, const struct ike_auth *auth, const struct ike_chunk *octets,
		unsigned n_octets, char *why, size_t whylen)
{
	struct sig_params sp = { "RSA PKCS#1 v1.5 with SHA-1", EVP_PKEY_RSA, "SHA1",
				 RSA_PKCS1_PADDING, NULL, 0 };
	EVP_PKEY *pkey = X509_get0_pubkey(cert);
	uint8_t der[2 * 66 + 16];
	const uint8_t *sig;
	char subject[160];
	size_t sig_len;
	int rc;

	auth_cert_subject(cert, subject, sizeof(subject));
	if (pkey == NULL) {
		auth_errf(why, whylen, "%s: its public key does not parse", subject);
		return -EINVAL;
	}
	rc = method_params(pkey, auth, &sp, der, &sig, &sig_len, why, whylen);
	if (rc != 0)
		return rc;
	if (!key_fits(pkey, sp.key_type)) {
		auth_errf(why, whylen, "AUTH method %u: %s does not fit the %s key of %s",
			  auth->method, sp.what, key_name(pkey), subject);
		return -EINVAL;
	}
	rc = digest_verify(pkey, &sp, sig, sig_len, octets, n_octets);
	if (rc == 0)
		auth_errf(why, whylen, "AUTH method %u (%s) verified with the key of %s",
			  auth->method, sp.what, subject);
	else if (rc == -EBADMSG)
		auth_errf(why, whylen, "AUTH method %u (%s): the signature does not verify with the "
			  "key of %s", auth->method, sp.what, subject);
	else if (rc == -EINVAL)
		auth_errf(why, whylen, "AUTH method %u: %s parameters do not fit the key of %s",
			  auth->method, sp.what, subject);
	else
		auth_errf(why, whylen, "AUTH method %u: out of memory", auth->method);
	return rc;
}

/* ---- signing ---- */

uint32_t
auth_hash_mask(const struct ike_notify *n)
{
	uint32_t mask = 0;
	uint16_t h;
	size_t i;

	if (n == NULL)
		return 0;
	for (i = 0; i < n->len / 2; i++) {
		h = ike_notify_hash_alg(n, i);
		if (h < 32)
			mask |= 1u << h;
	}
	return mask;
}

/* RFC 7427 §4: the first of SHA-256, SHA-384, SHA-512 the peer takes; else NULL. */
static const struct md_name *
peer_sha2(uint32_t peer, const char *prefer)
{
	size_t i;

	for (i = 0; prefer != NULL && i < sizeof(sha2) / sizeof(sha2[0]); i++)
		if (strcmp(sha2[i].name, prefer) == 0 && (peer & 1u << sha2[i].hash))
			return &sha2[i];
	for (i = 0; i < sizeof(sha2) / sizeof(sha2[0]); i++)
		if (peer & 1u << sha2[i].hash)
			return &sha2[i];
	return NULL;
}

/* Method 14: length octet, AlgorithmIdentifier, then the signature. */
static int
sign_rfc7427(EVP_PKEY *pkey, const struct sig_params *sp, enum ike_sig_alg alg,
	     const struct ike_chunk *octets, unsigned n, uint8_t *out, size_t cap)
{
	size_t alg_len;
	const uint8_t *alg_id = ike_sig_alg_der(alg, &alg_len);
	int len;

	if (alg_id == NULL)
		return -ENOTSUP;
	if (cap < 1 + alg_len)
		return -ENOSPC;
	out[0] = (uint8_t)alg_len;
	memcpy(out + 1, alg_id, alg_len);
	len = digest_sign(pkey, sp, octets, n, out + 1 + alg_len, cap - 1 - alg_len);
	return len < 0 ? len : (int)(1 + alg_len + (size_t)len);
}

static int
sign_rsa(EVP_PKEY *pkey, uint32_t peer, const struct ike_chunk *octets, unsigned n,
	 uint8_t *method, uint8_t *out, size_t cap)
{
	static const enum ike_sig_alg algs[] = { IKE_SIG_RSA_SHA256, IKE_SIG_RSA_SHA384,
						 IKE_SIG_RSA_SHA512 };
	const struct md_name *h = peer_sha2(peer, "SHA256");
	struct sig_params sp = { "RSA", EVP_PKEY_RSA, "SHA1", RSA_PKCS1_PADDING, NULL, 0 };

	if (h == NULL) {
		*method = IKE_AUTH_RSA_SIG;     /* RFC 7296 §3.8 */
		return digest_sign(pkey, &sp, octets, n, out, cap);
	}
	*method = IKE_AUTH_DIGITAL_SIGNATURE;
	sp.md = h->name;
	return sign_rfc7427(pkey, &sp, algs[h - sha2], octets, n, out, cap);
}

static int
sign_ecdsa(EVP_PKEY *pkey, uint32_t peer, const struct ike_chunk *octets, unsigned n,
	   uint8_t *method, uint8_t *out, size_t cap)
{
	static const enum ike_sig_alg algs[] = { IKE_SIG_ECDSA_SHA256, IKE_SIG_ECDSA_SHA384,
						 IKE_SIG_ECDSA_SHA512 };
	struct sig_params sp = { "ECDSA", EVP_PKEY_EC, NULL, 0, NULL, 0 };
	uint8_t der[2 * 66 + 16];
	const struct md_name *h;
	size_t half = ec_field_len(pkey, method, &sp.md);
	int len;

	if (half == 0)
		return -ENOTSUP;
	h = peer_sha2(peer, sp.md);     /* the curve's own hash first */
	if (h != NULL) {
		*method = IKE_AUTH_DIGITAL_SIGNATURE;
		sp.md = h->name;
		return sign_rfc7427(pkey, &sp, algs[h - sha2], octets, n, out, cap);
	}
	/* RFC 4754: the method fixes curve and hash; the signature is r | s. */
	if (cap < 2 * half)
		return -ENOSPC;
	len = digest_sign(pkey, &sp, octets, n, der, sizeof(der));
	if (len < 0)
		return len;
	return der_to_rs(der, (size_t)len, half, out) == 0 ? (int)(2 * half) : -EIO;
}

int
auth_sign(const struct auth_key *key, uint32_t peer_hashes, const struct ike_chunk *octets,
	  unsigned n_octets, uint8_t *method, uint8_t *out, size_t cap)
{
	struct sig_params ed = { "Ed25519", EVP_PKEY_ED25519, NULL, 0, NULL, 0 };
	EVP_PKEY *pkey = auth_key_pkey(key);

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		return sign_rsa(pkey, peer_hashes, octets, n_octets, method, out, cap);
	case EVP_PKEY_EC:
		return sign_ecdsa(pkey, peer_hashes, octets, n_octets, method, out, cap);
	case EVP_PKEY_ED25519:
		/* RFC 8420 §2: only with method 14, and only if the peer takes Identity. */
		if (!(peer_hashes & 1u << IKE_HASH_IDENTITY))
			return -ENOTSUP;
		*method = IKE_AUTH_DIGITAL_SIGNATURE;
		return sign_rfc7427(pkey, &ed, IKE_SIG_ED25519, octets, n_octets, out, cap);
	default:
		return -ENOTSUP;
	}
}
