/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for everything of lib/auth that a client or an operator
 * feeds bytes to. The first input byte picks a target; the rest goes:
 *   0  to the root loader as a file's contents (PEM, DER, Base64, UTF-16...);
 *   1  to chain verification as a list of length-prefixed DER
 *      "certificates" against a fixed store (and, if one verifies, to IDi
 *      matching with the input as the ID data);
 *   2  as patches (offset, byte) to a valid client chain before verification,
 *      so that parsing and verification run deep on nearly valid DER;
 *   3  as patches to the PEM and the Base64 text of a valid root;
 *   4  as an AUTH payload body to ike_auth_parse() and signature
 *      verification with RSA, ECDSA and Ed25519 certificates;
 *   5  as a signature after a known RFC 7427 AlgorithmIdentifier, as
 *      RSASSA-PSS parameters, as an r|s ECDSA signature (methods 9-11);
 *   6  as an ID payload body to ike_id_parse() and auth_id_match().
 * Invariants: every error is one line; a chain verifies exactly when a
 * leaf comes back; OpenSSL's error queue is left empty. The PKI is made
 * once, in LLVMFuzzerInitialize(). Inputs are copied to heap buffers of
 * their exact size so that ASan sees any overread.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "auth.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	struct auth_roots *roots;
	struct auth_revoked *rv;
	X509 *root, *rsa_root, *inter, *client, *rsa_client, *ed_client;
	uint8_t *client_der, *inter_der;
	size_t client_len, inter_len;
	char *root_pem;
} f;

/* ---- the fixed PKI ---- */

static void
ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509_EXTENSION *e;
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert(e != NULL);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

static X509 *
cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	EVP_PKEY *signer = issuer_key != NULL ? issuer_key : key;

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const uint8_t *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 86400);
	X509_set_pubkey(x, key);
	ext(x, issuer != NULL ? issuer : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (!ca) {
		ext(x, issuer, NID_ext_key_usage, "clientAuth");
		ext(x, issuer, NID_subject_alt_name,
		    "DNS:client.example,email:c@example.com,IP:192.0.2.1,"
		    "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:c@ad.example");
	}
	ext(x, issuer != NULL ? issuer : x, NID_subject_key_identifier, "hash");
	ext(x, issuer != NULL ? issuer : x, NID_authority_key_identifier, "keyid");
	X509_sign(x, signer,
		  EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? NULL : EVP_sha256());
	return x;
}

static uint8_t *
der(X509 *x, size_t *len)
{
	uint8_t *d = NULL;
	int n = i2d_X509(x, &d);

	assert(n > 0);
	*len = (size_t)n;
	return d;
}

static void
add_root(X509 *x, const char *name)
{
	char err[AUTH_ERR_MAX];
	size_t len;
	uint8_t *d = der(x, &len);

	if (auth_roots_add(f.roots, name, d, len, err, sizeof(err)) != 0)
		abort();
	OPENSSL_free(d);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ik = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ck = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t sha1[AUTH_THUMBPRINT_LEN];
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	(void)argc;
	(void)argv;
	f.root = cert("Fuzz Root", rk, NULL, NULL, true);
	f.rsa_root = cert("Fuzz RSA Root", rsa, NULL, NULL, true);
	f.inter = cert("Fuzz CA", ik, f.root, rk, true);
	f.client = cert("fuzz client", ck, f.inter, ik, false);
	f.rsa_client = cert("rsa client", rsa, f.rsa_root, rsa, false);
	f.ed_client = cert("ed client", ed, f.root, rk, false);
	f.roots = auth_roots_new();
	add_root(f.root, "fuzz");
	add_root(f.rsa_root, "fuzz-rsa");
	f.rv = auth_revoked_new(1);
	auth_thumbprint(f.rsa_root, sha1);
	sha1[0] ^= 1;   /* a near miss, so the lookup runs on every verification */
	auth_revoked_add(f.rv, "near-miss", sha1);
	auth_revoked_seal(f.rv, NULL, 0);
	f.client_der = der(f.client, &f.client_len);
	f.inter_der = der(f.inter, &f.inter_len);
	PEM_write_bio_X509(b, f.root);
	n = BIO_get_mem_data(b, &p);
	f.root_pem = calloc(1, (size_t)n + 1);
	memcpy(f.root_pem, p, (size_t)n);
	BIO_free(b);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	return 0;
}

/* ---- invariants ---- */

static void
one_line(const char *s)
{
	assert(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
	assert(ERR_peek_error() == 0);
}

static void
check_result(int rc, struct auth_result *res)
{
	assert(rc == 0 || rc == -EACCES);
	assert((rc == 0) == (res->verdict == AUTH_OK));
	assert((res->leaf != NULL) == (rc == 0));
	assert(res->text[0] != '\0');
	one_line(res->text);
	assert(auth_verdict_name(res->verdict) != NULL);
}

/* ---- targets ---- */

static void
fuzz_root(const uint8_t *in, size_t len)
{
	struct auth_roots *r = auth_roots_new();
	char err[AUTH_ERR_MAX] = "";
	uint8_t req[AUTH_ROOTS_MAX * AUTH_THUMBPRINT_LEN];
	int rc = auth_roots_add(r, "fuzz", in, len, err, sizeof(err));

	if (rc == 0) {
		assert(auth_roots_count(r) == 1);
		assert(auth_roots_certreq(r, req, sizeof(req)) == AUTH_THUMBPRINT_LEN);
	} else {
		assert(rc == -EINVAL || rc == -EEXIST || rc == -ENOMEM);
		assert(strncmp(err, "root \"fuzz\": ", 13) == 0);
	}
	one_line(err);
	auth_roots_free(r);
}

/* Identity matching against a verified certificate. */
static void
fuzz_id_match(X509 *x, uint8_t type, const uint8_t *data, size_t len)
{
	struct ike_id id = { type, data, len, NULL, 0 };
	char why[AUTH_ERR_MAX] = "";
	int rc = auth_id_match(x, &id, why, sizeof(why));

	assert(rc == 0 || rc == -EACCES || rc == -EINVAL || rc == -ENOTSUP);
	one_line(why);
}

/* [len16][der]... up to AUTH_CERTS_MAX + 1 pieces, each in its own buffer. */
static void
fuzz_chain(const uint8_t *in, size_t len)
{
	struct ike_chunk c[AUTH_CERTS_MAX + 1];
	uint8_t *piece[AUTH_CERTS_MAX + 1];
	struct auth_result res;
	unsigned n = 0, i;
	size_t at = 0, l;
	int rc;

	while (n < AUTH_CERTS_MAX + 1 && at + 2 <= len) {
		l = (size_t)in[at] << 8 | in[at + 1];
		at += 2;
		if (l > len - at)
			l = len - at;
		piece[n] = malloc(l > 0 ? l : 1);
		memcpy(piece[n], in + at, l);
		c[n] = (struct ike_chunk){ piece[n], l };
		n++;
		at += l;
	}
	rc = auth_verify_chain(f.roots, f.rv, c, n, 0, &res);
	check_result(rc, &res);
	if (rc == 0 && len > 0)
		fuzz_id_match(res.leaf, in[0] % 12, in, len);
	auth_result_clear(&res);
	for (i = 0; i < n; i++)
		free(piece[i]);
}

/* Patches (offset16, xor byte) to the client certificate and intermediate. */
static void
fuzz_chain_patched(const uint8_t *in, size_t len)
{
	uint8_t *leaf = malloc(f.client_len), *inter = malloc(f.inter_len);
	struct ike_chunk c[2] = { { leaf, f.client_len }, { inter, f.inter_len } };
	struct auth_result res;
	size_t i, off;
	time_t now;
	int rc;

	memcpy(leaf, f.client_der, f.client_len);
	memcpy(inter, f.inter_der, f.inter_len);
	for (i = 0; i + 3 <= len; i += 3) {
		off = (size_t)in[i] << 8 | in[i + 1];
		if (off < f.client_len)
			leaf[off] ^= in[i + 2];
		else if (off - f.client_len < f.inter_len)
			inter[off - f.client_len] ^= in[i + 2];
	}
	/* The last byte moves the clock by up to 70 years either way. */
	now = len > 0 ? time(NULL) + (int8_t)in[len - 1] * 200L * 86400 : 0;
	rc = auth_verify_chain(f.roots, f.rv, c, len % 2 == 0 ? 2 : 1, now, &res);
	check_result(rc, &res);
	if (rc == 0 && len > 0)
		fuzz_id_match(res.leaf, in[len - 1] % 12, in, len);
	auth_result_clear(&res);
	free(leaf);
	free(inter);
}

/* Patches to a valid root as PEM, then as one line of Base64. */
static void
fuzz_root_patched(const uint8_t *in, size_t len)
{
	size_t n = strlen(f.root_pem), i, off;
	char *text = malloc(n);

	memcpy(text, f.root_pem, n);
	for (i = 0; i + 3 <= len; i += 3) {
		off = ((size_t)in[i] << 8 | in[i + 1]) % n;
		text[off] = (char)in[i + 2];
	}
	fuzz_root((const uint8_t *)text, n - (len % 7));
	free(text);
}

static const uint8_t octets[] = "IKE_SA_INIT message | Nr | prf(SK_pi, IDi')";

static void
verify_auth(const struct ike_auth *a, X509 *x)
{
	struct ike_chunk o[2] = { { octets, 20 }, { octets + 20, sizeof(octets) - 20 } };
	char why[AUTH_ERR_MAX] = "";
	int rc = auth_sig_verify(x, a, o, 2, why, sizeof(why));

	/* Nobody can forge these signatures; a fuzzer least of all. */
	assert(rc == -EBADMSG || rc == -EINVAL || rc == -ENOTSUP);
	one_line(why);
}

static void
fuzz_auth_body(const uint8_t *in, size_t len)
{
	struct ike_auth a;
	X509 *certs[3] = { f.rsa_client, f.client, f.ed_client };
	unsigned i;

	if (ike_auth_parse(in, len, &a) != 0)
		return;
	for (i = 0; i < 3; i++)
		verify_auth(&a, certs[i]);
}

/* RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (RFC 7427 A.4.3), to be patched. */
static const uint8_t pss_template[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34,
	0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
};

/* AUTH body: method, reserved, then head and tail. */
static void
fuzz_auth_parts(uint8_t method, const uint8_t *head, size_t head_len, const uint8_t *tail,
		size_t tail_len)
{
	uint8_t *body = malloc(4 + head_len + tail_len);

	body[0] = method;
	memset(body + 1, 0, 3);
	memcpy(body + 4, head, head_len);
	if (tail_len > 0)
		memcpy(body + 4 + head_len, tail, tail_len);
	fuzz_auth_body(body, 4 + head_len + tail_len);
	free(body);
}

/*
 * Selector in[0] % 11: 0-7 a known RFC 7427 AlgorithmIdentifier, the rest
 * of the input the signature; 8 RSASSA-PSS parameters patched by the input; 9 methods 9/10/11 with the input cut or
 * padded to the r|s size; 10 the input as AUTH data of method 14.
 */
static void
fuzz_rfc7427(const uint8_t *in, size_t len)
{
	static const enum ike_sig_alg algs[] = {
		IKE_SIG_RSA_SHA1,     IKE_SIG_RSA_SHA256,   IKE_SIG_RSA_SHA384,
		IKE_SIG_RSA_SHA512,   IKE_SIG_ECDSA_SHA256, IKE_SIG_ECDSA_SHA384,
		IKE_SIG_ECDSA_SHA512, IKE_SIG_ED25519,
	};
	static const size_t rs_len[3] = { 64, 96, 132 };
	uint8_t head[256], rs[132];
	const uint8_t *alg;
	size_t alg_len = 0, p;

	if (len < 2)
		return;
	switch (in[0] % 11) {
	case 8:
		/* in[1]: pairs of (offset, value) patches that follow; then the signature. */
		memcpy(head + 1, pss_template, sizeof(pss_template));
		head[0] = sizeof(pss_template);
		for (p = 0; p < in[1] % 8 && 2 + 2 * p + 1 < len; p++)
			head[1 + in[2 + 2 * p] % sizeof(pss_template)] = in[3 + 2 * p];
		p = 2 + 2 * p < len ? 2 + 2 * p : len;
		fuzz_auth_parts(IKE_AUTH_DIGITAL_SIGNATURE, head, 1 + sizeof(pss_template), in + p,
				len - p);
		break;
	case 9:
		memset(rs, 0, sizeof(rs));
		p = rs_len[in[1] % 3];
		memcpy(rs, in + 2, len - 2 < p ? len - 2 : p);
		fuzz_auth_parts((uint8_t)(IKE_AUTH_ECDSA_SHA256_P256 + in[1] % 3), rs, p, NULL, 0);
		break;
	case 10:
		fuzz_auth_parts(IKE_AUTH_DIGITAL_SIGNATURE, in + 1, len - 1, NULL, 0);
		break;
	default:
		alg = ike_sig_alg_der(algs[in[0] % 11], &alg_len);
		head[0] = (uint8_t)alg_len;
		memcpy(head + 1, alg, alg_len);
		fuzz_auth_parts(IKE_AUTH_DIGITAL_SIGNATURE, head, 1 + alg_len, in + 1, len - 1);
	}
}

static void
fuzz_id(const uint8_t *in, size_t len)
{
	struct ike_id id;
	char why[AUTH_ERR_MAX] = "";
	int rc;

	if (ike_id_parse(in, len, &id) != 0)
		return;
	rc = auth_id_match(f.client, &id, why, sizeof(why));
	assert(rc == 0 || rc == -EACCES || rc == -EINVAL || rc == -ENOTSUP);
	one_line(why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	in = malloc(len > 0 ? len : 1);
	memcpy(in, data + 1, len);
	switch (data[0] % 7) {
	case 0:
		fuzz_root(in, len);
		break;
	case 1:
		fuzz_chain(in, len);
		break;
	case 2:
		fuzz_chain_patched(in, len);
		break;
	case 3:
		fuzz_root_patched(in, len);
		break;
	case 4:
		fuzz_auth_body(in, len);
		break;
	case 5:
		fuzz_rfc7427(in, len);
		break;
	default:
		fuzz_id(in, len);
		break;
	}
	free(in);
	return 0;
}
