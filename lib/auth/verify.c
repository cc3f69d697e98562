/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chain verification of a client's certificates (RFC 7296 §3.6 CERT
 * payloads) against the trusted roots with OpenSSL's X509_verify_cert(),
 * RFC 5280 §6 path validation: signatures, validity times, CA flags, path
 * length, depth. What OpenSSL's purposes do not say the way IKE wants is
 * checked here afterwards: the client certificate's extendedKeyUsage and
 * keyUsage (RFC 4945 §5.1.3.2, §5.1.3.12) and revocation by thumbprint,
 * both of the certificates presented and of the chain built. No CRL or OCSP
 * is fetched: the control core must never wait on the network, and the
 * service revokes by thumbprint. Every refusal is one verdict and one line
 * that names the certificate at fault.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "auth_priv.h"

#define AUTH_VERDICT_NAME(name, text) text,
static const char *const verdict_names[] = { AUTH_VERDICT_LIST(AUTH_VERDICT_NAME) };

const char *
auth_verdict_name(enum auth_verdict v)
{
	if ((unsigned)v >= sizeof(verdict_names) / sizeof(verdict_names[0]))
		return "unknown verdict";
	return verdict_names[v];
}

void
auth_result_clear(struct auth_result *res)
{
	X509_free(res->leaf);
	res->leaf = NULL;
}

static int
refuse(struct auth_result *res, enum auth_verdict v, int depth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
refuse(struct auth_result *res, enum auth_verdict v, int depth, const char *fmt, ...)
{
	char line[AUTH_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	res->verdict = v;
	res->depth = depth;
	auth_errf(res->text, sizeof(res->text), "%s", line);
	return -EACCES;
}

static int
out_of_memory(struct auth_result *res)
{
	refuse(res, AUTH_FAILED, -1, "out of memory");
	return -ENOMEM;
}

/* ---- the certificates as presented ---- */

/* Each CERT payload must be exactly one DER certificate. */
static int
parse_certs(const struct ike_chunk *certs, unsigned n, X509 **leaf, STACK_OF(X509) *untrusted,
	    struct auth_result *res)
{
	const uint8_t *p, *end;
	unsigned i;
	X509 *x;

	for (i = 0; i < n; i++) {
		p = certs[i].ptr;
		end = p + certs[i].len;
		x = certs[i].len <= LONG_MAX ? d2i_X509(NULL, &p, (long)certs[i].len) : NULL;
		if (x == NULL || p != end) {
			X509_free(x);
			return refuse(res, AUTH_MALFORMED, (int)i,
				      "certificate %u of %u (%s) is not one DER X.509 certificate: %s",
				      i + 1, n, i == 0 ? "the client's" : "an intermediate",
				      x == NULL ? auth_ssl_reason() : "bytes after its end");
		}
		if (i == 0) {
			*leaf = x;
		} else if (sk_X509_push(untrusted, x) <= 0) {
			X509_free(x);
			return out_of_memory(res);
		}
	}
	return 0;
}

static int
refuse_revoked(struct auth_result *res, X509 *x, int depth, const uint8_t sha1[20],
	       const char *entry)
{
	char subject[160], hex[AUTH_THUMBPRINT_HEX];

	auth_cert_subject(x, subject, sizeof(subject));
	auth_thumbprint_hex(sha1, hex);
	return refuse(res, AUTH_REVOKED, depth, "%s (thumbprint %s, chain depth %d) is revoked "
		      "(revoked entry \"%s\")", subject, hex, depth, entry);
}

/*
 * The thumbprints of the bytes as sent, which are what the operator hashed,
 * whatever re-encoding OpenSSL might do.
 */
static int
check_presented(const struct auth_revoked *rv, const struct ike_chunk *certs, unsigned n,
		X509 *leaf, STACK_OF(X509) *untrusted, struct auth_result *res)
{
	uint8_t sha1[AUTH_THUMBPRINT_LEN];
	const char *entry;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (EVP_Digest(certs[i].ptr, certs[i].len, sha1, NULL, EVP_sha1(), NULL) != 1)
			return out_of_memory(res);
		if (i == 0)
			memcpy(res->thumbprint, sha1, sizeof(sha1));
		entry = auth_revoked_find(rv, sha1);
		if (entry != NULL)
			return refuse_revoked(res, i == 0 ? leaf : sk_X509_value(untrusted, (int)i - 1),
					      (int)i, sha1, entry);
	}
	return 0;
}

/* ---- OpenSSL's verification ---- */

static enum auth_verdict
verdict_of(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return AUTH_UNKNOWN_ROOT;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return AUTH_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return AUTH_NOT_YET_VALID;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_NO_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH:
		return AUTH_BAD_SIGNATURE;
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		return AUTH_CHAIN_TOO_LONG;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
		return AUTH_NOT_CA;
	case X509_V_ERR_INVALID_PURPOSE:
		return AUTH_WRONG_USAGE;
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
	case X509_V_ERR_INVALID_EXTENSION:
		return AUTH_MALFORMED;
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return AUTH_WEAK;
	default:
		return AUTH_FAILED;
	}
}

static void
time_text(const ASN1_TIME *t, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	out[0] = '\0';
	if (b != NULL && t != NULL && ASN1_TIME_print(b, t) == 1)
		n = BIO_read(b, out, (int)cap - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* One line for a failed X509_verify_cert(). */
static int
refuse_ctx(X509_STORE_CTX *ctx, const struct auth_roots *roots, struct auth_result *res)
{
	int err = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
	enum auth_verdict v = verdict_of(err);
	char subject[160] = "(no certificate)", issuer[160] = "", when[40];

	if (cur != NULL) {
		auth_cert_subject(cur, subject, sizeof(subject));
		auth_name_text(X509_get_issuer_name(cur), issuer, sizeof(issuer));
	}
	switch (v) {
	case AUTH_UNKNOWN_ROOT:
		return refuse(res, v, depth, "%s (chain depth %d): no trusted root issued it or "
			      "its chain (issuer %s; trusted roots: %u)", subject, depth, issuer,
			      auth_roots_count(roots));
	case AUTH_EXPIRED:
		time_text(cur != NULL ? X509_get0_notAfter(cur) : NULL, when, sizeof(when));
		return refuse(res, v, depth, "%s (chain depth %d) expired: not valid after %s",
			      subject, depth, when);
	case AUTH_NOT_YET_VALID:
		time_text(cur != NULL ? X509_get0_notBefore(cur) : NULL, when, sizeof(when));
		return refuse(res, v, depth, "%s (chain depth %d) is not yet valid: not before %s",
			      subject, depth, when);
	case AUTH_WEAK:
		return refuse(res, v, depth, "%s (chain depth %d): %s; allowed: SHA-256 or better "
			      "signatures, RSA keys of 1024 bits or more", subject, depth,
			      X509_verify_cert_error_string(err));
	case AUTH_CHAIN_TOO_LONG:
		return refuse(res, v, depth, "%s (chain depth %d): %s; allowed: at most %d CA "
			      "certificates between a client and its root", subject, depth,
			      X509_verify_cert_error_string(err), AUTH_CHAIN_DEPTH_MAX);
	default:
		return refuse(res, v, depth, "%s (chain depth %d): %s", subject, depth,
			      X509_verify_cert_error_string(err));
	}
}

/*
 * X509_verify_cert() against one store. 0 and *chain (a reference), -EACCES
 * with res filled, -ENOMEM. Partial chains: a trusted intermediate (an
 * enterprise issuing CA uploaded as a "root") anchors a chain by itself.
 */
static int
run_verify(X509_STORE *store, const struct auth_roots *roots, X509 *leaf,
	   STACK_OF(X509) *untrusted, time_t now, STACK_OF(X509) **chain,
	   struct auth_result *res)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	int rc = 0;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		X509_STORE_CTX_free(ctx);
		return out_of_memory(res);
	}
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_depth(vp, AUTH_CHAIN_DEPTH_MAX);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	/*
	 * Outside TLS, OpenSSL checks no security level at all: MD5 and SHA-1
	 * signed certificates and 512-bit keys would pass. Level 1 refuses
	 * those (80 bits: RSA 1024 and up, no MD5 or SHA-1 signatures).
	 */
	X509_VERIFY_PARAM_set_auth_level(vp, AUTH_SECURITY_LEVEL);
	if (now != 0)
		X509_VERIFY_PARAM_set_time(vp, now);
	if (X509_verify_cert(ctx) == 1) {
		*chain = X509_STORE_CTX_get1_chain(ctx);
		if (*chain == NULL)
			rc = out_of_memory(res);
	} else {
		rc = refuse_ctx(ctx, roots, res);
	}
	X509_STORE_CTX_free(ctx);
	return rc;
}

/*
 * Roots often share a name (the original service's documentation calls
 * every one "P2SRootCert"); OpenSSL picks an issuer by name and key
 * identifier, not by signature, so a client certificate without an
 * authorityKeyIdentifier can be tried against the wrong one. Then each root
 * of such a name is tried alone before giving up.
 */
static int
verify_any(const struct auth_roots *roots, X509 *leaf, STACK_OF(X509) *untrusted, time_t now,
	   STACK_OF(X509) **chain, struct auth_result *res)
{
	struct auth_result first;
	unsigned i;
	int rc;

	rc = run_verify(roots->store, roots, leaf, untrusted, now, chain, res);
	if (rc != -EACCES || !roots->any_same_name)
		return rc;
	first = *res;
	for (i = 0; i < roots->n; i++) {
		if (!roots->root[i].same_name)
			continue;
		rc = run_verify(roots->root[i].alone, roots, leaf, untrusted, now, chain, res);
		if (rc != -EACCES)
			return rc;
	}
	*res = first;
	return -EACCES;
}

/* ---- after OpenSSL: revocation of the chain built, usages, the anchor ---- */

static int
check_chain_revoked(const struct auth_revoked *rv, STACK_OF(X509) *chain,
		    struct auth_result *res)
{
	uint8_t sha1[AUTH_THUMBPRINT_LEN];
	const char *entry;
	int i;

	for (i = 0; i < sk_X509_num(chain); i++) {
		if (auth_thumbprint(sk_X509_value(chain, i), sha1) != 0)
			return out_of_memory(res);
		entry = auth_revoked_find(rv, sha1);
		if (entry != NULL)
			return refuse_revoked(res, sk_X509_value(chain, i), i, sha1, entry);
	}
	return 0;
}

/* RFC 4945 §5.1.3.12; 1.3.6.1.5.5.8.2.2 is Windows' "IP security IKE intermediate". */
static bool
eku_allows_ike(X509 *leaf)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
	bool ok = false;
	char oid[64];
	int i, nid;

	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku) && !ok; i++) {
		nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		ok = nid == NID_client_auth || nid == NID_ipsec_IKE ||
		     nid == NID_anyExtendedKeyUsage;
		if (!ok && OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1) > 0)
			ok = strcmp(oid, "1.3.6.1.5.5.8.2.2") == 0;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

static int
check_leaf_usage(X509 *leaf, struct auth_result *res)
{
	uint32_t fl = X509_get_extension_flags(leaf);
	char subject[160];

	auth_cert_subject(leaf, subject, sizeof(subject));
	if ((fl & EXFLAG_XKUSAGE) && !eku_allows_ike(leaf))
		return refuse(res, AUTH_WRONG_USAGE, 0, "%s: its extendedKeyUsage has no "
			      "clientAuth; allowed: clientAuth, ipsecIKE, anyExtendedKeyUsage, "
			      "or no extendedKeyUsage", subject);
	/* RFC 4945 §5.1.3.2: it signs AUTH, so it must be allowed to sign. */
	if ((fl & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		return refuse(res, AUTH_WRONG_USAGE, 0, "%s: its keyUsage does not allow signing; "
			      "allowed: digitalSignature or nonRepudiation, or no keyUsage",
			      subject);
	return 0;
}

static void
name_anchor(const struct auth_roots *roots, STACK_OF(X509) *chain, struct auth_result *res)
{
	X509 *top = sk_X509_value(chain, sk_X509_num(chain) - 1);
	unsigned i;

	for (i = 0; i < roots->n; i++)
		if (X509_cmp(roots->root[i].cert, top) == 0) {
			snprintf(res->root, sizeof(res->root), "%s", roots->root[i].name);
			return;
		}
}

int
auth_verify_chain(const struct auth_roots *roots, const struct auth_revoked *rv,
		  const struct ike_chunk *certs, unsigned n_certs, time_t now,
		  struct auth_result *res)
{
	STACK_OF(X509) *untrusted = NULL, *chain = NULL;
	X509 *leaf = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->depth = -1;
	if (roots == NULL || roots->n == 0)
		return refuse(res, AUTH_UNKNOWN_ROOT, -1, "no trusted root is configured");
	if (n_certs == 0)
		return refuse(res, AUTH_MALFORMED, -1, "no certificate: the client sent no CERT "
			      "payload");
	if (n_certs > AUTH_CERTS_MAX)
		return refuse(res, AUTH_CHAIN_TOO_LONG, -1, "%u certificates; allowed: at most %u "
			      "(the client's and its intermediates)", n_certs, AUTH_CERTS_MAX);
	untrusted = sk_X509_new_null();
	if (untrusted == NULL)
		return out_of_memory(res);
	rc = parse_certs(certs, n_certs, &leaf, untrusted, res);
	if (rc == 0)
		rc = check_presented(rv, certs, n_certs, leaf, untrusted, res);
	if (rc == 0)
		rc = verify_any(roots, leaf, untrusted, now, &chain, res);
	if (rc == 0)
		rc = check_chain_revoked(rv, chain, res);
	if (rc == 0)
		rc = check_leaf_usage(leaf, res);
	if (rc == 0) {
		name_anchor(roots, chain, res);
		auth_cert_subject(leaf, res->text, sizeof(res->text));
		res->verdict = AUTH_OK;
		res->depth = -1;
		res->leaf = leaf;
		leaf = NULL;
	}
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
	ERR_clear_error();
	return rc;
}
