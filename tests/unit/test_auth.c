/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/auth against the real library and a test PKI made here
 * with OpenSSL's APIs (no shelling out): RSA-2048 and ECDSA P-256 roots, an
 * intermediate, RSA, ECDSA and Ed25519 clients, expired and not-yet-valid
 * ones, one from an unknown root, one with every kind of SAN, roots that
 * share a name. Checked: every form a root is exported in and the errors
 * for what is not one; the 20-root limit; CA rules; chains direct and via
 * intermediates, with every refusal verdict; revocation with the thumbprint
 * in each form lib/conf accepts; IDi matching both ways; AUTH signatures of
 * every method made and verified, each then tampered with; RFC 7427
 * AlgorithmIdentifiers that do not fit the key or the signature; loading
 * the gateway's certificate and key from files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "auth.h"
#include "conf.h"

/* What a test allocated with keep() is freed, and its temp_file()s removed, by drop(). */
static void *kept[32];
static unsigned n_kept;
static char *temps[8];
static unsigned n_temps;

static void *
keep(void *p)
{
	assert_true(n_kept < sizeof(kept) / sizeof(kept[0]));
	kept[n_kept++] = p;
	return p;
}

static void
drop(void)
{
	while (n_temps > 0)
		unlink(temps[--n_temps]);
	while (n_kept > 0)
		free(kept[--n_kept]);
}

static char *
temp_file(const void *data, size_t len)
{
	char *path = keep(strdup("/tmp/test_auth_XXXXXX"));
	int fd = mkstemp(path);

	assert_true(n_temps < sizeof(temps) / sizeof(temps[0]));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	temps[n_temps++] = path;
	return path;
}

/* ---- making certificates ---- */

struct spec {
	const char *cn;
	X509 *issuer;           /* NULL: self-signed */
	EVP_PKEY *issuer_key;
	EVP_PKEY *key;
	int ca;                 /* 1 CA:TRUE, 0 CA:FALSE, -1 no basicConstraints */
	const char *ku;         /* keyUsage value or NULL */
	const char *eku;        /* extendedKeyUsage value or NULL */
	const char *san;        /* subjectAltName value or NULL */
	long from, to;          /* validity, seconds from now */
	bool v1;                /* version 1, no extensions */
	bool no_akid;
	const char *md;         /* signature digest, NULL: SHA-256 */
};

static long serial = 1;

static EVP_PKEY *
keygen(const char *type, const char *curve_or_null, size_t bits)
{
	EVP_PKEY *k;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
	else if (strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve_or_null);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	assert_non_null(k);
	return k;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509_EXTENSION *ext;
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static void
add_extensions(X509 *x, X509 *issuer, const struct spec *s)
{
	if (s->ca >= 0)
		add_ext(x, issuer, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (s->ku != NULL)
		add_ext(x, issuer, NID_key_usage, s->ku);
	if (s->eku != NULL)
		add_ext(x, issuer, NID_ext_key_usage, s->eku);
	if (s->san != NULL)
		add_ext(x, issuer, NID_subject_alt_name, s->san);
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (!s->no_akid)
		add_ext(x, issuer, NID_authority_key_identifier, "keyid");
}

static X509 *
make_cert(const struct spec *s)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	EVP_PKEY *signer = s->issuer_key != NULL ? s->issuer_key : s->key;
	bool ed = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, s->v1 ? X509_VERSION_1 : X509_VERSION_3), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const uint8_t *)"p2sgw test", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const uint8_t *)s->cn, -1, -1, 0);
	X509_set_issuer_name(x, s->issuer != NULL ? X509_get_subject_name(s->issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(x), s->from);
	X509_gmtime_adj(X509_getm_notAfter(x), s->to);
	assert_int_equal(X509_set_pubkey(x, s->key), 1);
	if (!s->v1)
		add_extensions(x, s->issuer != NULL ? s->issuer : x, s);
	assert_true(X509_sign(x, signer, ed ? NULL : EVP_get_digestbyname(s->md != NULL ? s->md
										       : "SHA256")) > 0);
	return x;
}

/* The usual shapes. */
static X509 *
make_ca(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
	struct spec s = { cn, issuer, issuer_key, key, 1, "critical,keyCertSign,cRLSign", NULL,
			  NULL, -86400, 10L * 365 * 86400, false, false };

	return make_cert(&s);
}

static X509 *
make_client(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
	struct spec s = { cn, issuer, issuer_key, key, 0, "critical,digitalSignature",
			  "clientAuth", NULL, -3600, 365L * 86400, false, false };

	return make_cert(&s);
}

static struct ike_chunk
der_of(X509 *x)
{
	uint8_t *der = NULL;
	int len = i2d_X509(x, &der);

	assert_true(len > 0);
	return (struct ike_chunk){ der, (size_t)len };
}

static void
chunk_free(struct ike_chunk c)
{
	OPENSSL_free((void *)c.ptr);
}

static char *
pem_of(X509 *x, bool aux)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	assert_int_equal(aux ? PEM_write_bio_X509_AUX(b, x) : PEM_write_bio_X509(b, x), 1);
	n = BIO_get_mem_data(b, &p);
	out = keep(calloc(1, (size_t)n + 1));
	memcpy(out, p, (size_t)n);
	BIO_free(b);
	return out;
}

/* Base64 of the DER: one line, or lines of width ending in eol. */
static char *
b64_of(X509 *x, size_t width, const char *eol)
{
	struct ike_chunk d = der_of(x);
	size_t n = 4 * ((d.len + 2) / 3), i, o = 0;
	char *line = calloc(1, n + 1), *out = keep(calloc(1, 2 * n + 16));

	EVP_EncodeBlock((uint8_t *)line, d.ptr, (int)d.len);
	for (i = 0; i < n; i++) {
		out[o++] = line[i];
		if (width > 0 && (i + 1) % width == 0) {
			memcpy(out + o, eol, strlen(eol));
			o += strlen(eol);
		}
	}
	out[o] = '\0';
	free(line);
	chunk_free(d);
	return out;
}

/* ---- the test PKI, made once ---- */

static struct {
	EVP_PKEY *rsa_root_key, *ec_root_key, *inter_key, *rsa_key, *ec_key, *other_key;
	EVP_PKEY *p384_key, *p521_key, *ed_key;
	X509 *rsa_root, *ec_root, *inter, *rsa_client, *ec_client, *inter_client;
	X509 *expired, *future, *unknown_root, *unknown_client, *san_client;
	X509 *p384_client, *p521_client, *ed_client;
} pki;

static int
pki_setup(void **state)
{
	struct spec s;

	(void)state;
	pki.rsa_root_key = keygen("RSA", NULL, 2048);
	pki.rsa_key = keygen("RSA", NULL, 2048);
	pki.ec_root_key = keygen("EC", "P-256", 0);
	pki.inter_key = keygen("EC", "P-256", 0);
	pki.ec_key = keygen("EC", "P-256", 0);
	pki.other_key = keygen("EC", "P-256", 0);
	pki.p384_key = keygen("EC", "P-384", 0);
	pki.p521_key = keygen("EC", "P-521", 0);
	pki.ed_key = keygen("ED25519", NULL, 0);

	pki.rsa_root = make_ca("P2S RSA Root", pki.rsa_root_key, NULL, NULL);
	pki.ec_root = make_ca("P2S EC Root", pki.ec_root_key, NULL, NULL);
	pki.inter = make_ca("P2S Issuing CA", pki.inter_key, pki.rsa_root, pki.rsa_root_key);
	pki.rsa_client = make_client("alice", pki.rsa_key, pki.rsa_root, pki.rsa_root_key);
	pki.ec_client = make_client("bob", pki.ec_key, pki.ec_root, pki.ec_root_key);
	pki.inter_client = make_client("carol", pki.ec_key, pki.inter, pki.inter_key);
	pki.p384_client = make_client("p384", pki.p384_key, pki.ec_root, pki.ec_root_key);
	pki.p521_client = make_client("p521", pki.p521_key, pki.ec_root, pki.ec_root_key);
	pki.ed_client = make_client("ed", pki.ed_key, pki.ec_root, pki.ec_root_key);
	s = (struct spec){ "expired", pki.rsa_root, pki.rsa_root_key, pki.ec_key, 0, NULL, NULL,
			   NULL, -2 * 86400, -86400, false, false };
	pki.expired = make_cert(&s);
	s.cn = "future";
	s.from = 86400;
	s.to = 2 * 86400;
	pki.future = make_cert(&s);
	pki.unknown_root = make_ca("P2S RSA Root", pki.other_key, NULL, NULL); /* same name! */
	pki.unknown_client = make_client("mallory", pki.ec_key, pki.unknown_root,
					 pki.other_key);
	s = (struct spec){ "dave@corp.example", pki.ec_root, pki.ec_root_key, pki.ec_key, 0,
			   "digitalSignature", "clientAuth,1.3.6.1.5.5.7.3.17",
			   "DNS:Laptop7.Corp.Example,email:dave.smith@corp.example,IP:10.1.2.3,"
			   "IP:2001:db8::7,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:dave@ad.corp.example",
			   -3600, 86400, false, false };
	pki.san_client = make_cert(&s);
	return 0;
}

static int
pki_teardown(void **state)
{
	X509 **certs[] = { &pki.rsa_root, &pki.ec_root, &pki.inter, &pki.rsa_client,
			   &pki.ec_client, &pki.inter_client, &pki.expired, &pki.future,
			   &pki.unknown_root, &pki.unknown_client, &pki.san_client,
			   &pki.p384_client, &pki.p521_client, &pki.ed_client };
	EVP_PKEY **keys[] = { &pki.rsa_root_key, &pki.ec_root_key, &pki.inter_key, &pki.rsa_key,
			      &pki.ec_key, &pki.other_key, &pki.p384_key, &pki.p521_key,
			      &pki.ed_key };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
		X509_free(*certs[i]);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EVP_PKEY_free(*keys[i]);
	return 0;
}

static void
assert_one_line(const char *s)
{
	assert_true(s[0] != '\0');
	assert_null(strchr(s, '\n'));
	assert_null(strchr(s, '\r'));
}

/* ---- roots: every form ---- */

static void
expect_root_ok(const void *data, size_t len, X509 *want, const char *form)
{
	struct auth_roots *r = auth_roots_new();
	char err[AUTH_ERR_MAX] = "";
	int rc = auth_roots_add(r, "corp", data, len, err, sizeof(err));

	if (rc != 0)
		fail_msg("%s: %d %s", form, rc, err);
	assert_int_equal(auth_roots_count(r), 1);
	assert_string_equal(auth_roots_name(r, 0), "corp");
	assert_int_equal(X509_cmp(auth_roots_cert(r, 0), want), 0);
	assert_null(auth_roots_cert(r, 1));
	auth_roots_free(r);
}

static char *
crlf(const char *s)
{
	char *out = keep(calloc(1, 2 * strlen(s) + 1)), *o = out;

	for (; *s; s++) {
		if (*s == '\n')
			*o++ = '\r';
		*o++ = *s;
	}
	return out;
}

static char *
concat(const char *a, const char *b, const char *c)
{
	char *out = keep(calloc(1, strlen(a) + strlen(b) + strlen(c) + 1));

	sprintf(out, "%s%s%s", a, b, c);
	return out;
}

static void
test_root_forms(void **state)
{
	X509 *x = pki.rsa_root;
	struct ike_chunk der = der_of(x);
	char *pem = pem_of(x, false), *aux = pem_of(x, true), *pem_crlf = crlf(pem);
	char *one = b64_of(x, 0, ""), *b64_lf = b64_of(x, 64, "\n"), *b64_crlf = b64_of(x, 76, "\r\n");
	char *b64_sp = b64_of(x, 4, " "), *oneline_pem, *text_pem, *bom, *tab;
	uint8_t *u16;
	size_t i, n;

	(void)state;
	expect_root_ok(pem, strlen(pem), x, "PEM");
	expect_root_ok(pem_crlf, strlen(pem_crlf), x, "PEM with CRLF");
	expect_root_ok(aux, strlen(aux), x, "TRUSTED CERTIFICATE");
	expect_root_ok(der.ptr, der.len, x, "DER");
	expect_root_ok(one, strlen(one), x, "Base64, one line (PowerShell RawData)");
	expect_root_ok(b64_lf, strlen(b64_lf), x, "Base64, LF every 64");
	expect_root_ok(b64_crlf, strlen(b64_crlf), x, "Base64, CRLF every 76");
	expect_root_ok(b64_sp, strlen(b64_sp), x, "Base64 with spaces");
	oneline_pem = concat("-----BEGIN CERTIFICATE-----", one, "-----END CERTIFICATE-----");
	expect_root_ok(oneline_pem, strlen(oneline_pem), x, "PEM lines on one line");
	text_pem = concat("Certificate:\n    Data: (openssl x509 -text)\n", pem, "\n\n");
	expect_root_ok(text_pem, strlen(text_pem), x, "PEM after openssl -text output");
	bom = concat("\xef\xbb\xbf", one, "\r\n");
	expect_root_ok(bom, strlen(bom), x, "UTF-8 BOM");
	tab = concat("\t  ", b64_lf, "  \n\n");
	expect_root_ok(tab, strlen(tab), x, "Base64 with blank lines around");
	/* Windows PowerShell 5: Out-File writes UTF-16LE with a BOM. */
	n = strlen(b64_crlf);
	u16 = keep(calloc(1, 2 * n + 2));
	u16[0] = 0xff;
	u16[1] = 0xfe;
	for (i = 0; i < n; i++)
		u16[2 + 2 * i] = (uint8_t)b64_crlf[i];
	expect_root_ok(u16, 2 * n + 2, x, "UTF-16LE");
	/* Without '=' padding. */
	while (one[strlen(one) - 1] == '=')
		one[strlen(one) - 1] = '\0';
	expect_root_ok(one, strlen(one), x, "Base64 without padding");
	chunk_free(der);
	drop();
}

static void
test_root_files(void **state)
{
	struct ike_chunk der = der_of(pki.ec_root);
	char *pem = pem_of(pki.rsa_root, false), *p1 = temp_file(der.ptr, der.len);
	char *p2 = temp_file(pem, strlen(pem)), err[AUTH_ERR_MAX];
	struct auth_roots *r = auth_roots_new();

	(void)state;
	assert_int_equal(auth_roots_add_file(r, "ec", p1, err, sizeof(err)), 0);
	assert_int_equal(auth_roots_add_file(r, "rsa", p2, err, sizeof(err)), 0);
	assert_int_equal(auth_roots_count(r), 2);
	assert_int_equal(auth_roots_add_file(r, "gone", "/nonexistent/root.cer", err,
					     sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "root \"gone\": cannot read /nonexistent/root.cer"));
	assert_one_line(err);
	auth_roots_free(r);
	chunk_free(der);
	drop();
}

static void
expect_root_error(const void *data, size_t len, int want, const char *needle)
{
	struct auth_roots *r = auth_roots_new();
	char err[AUTH_ERR_MAX] = "";
	int rc = auth_roots_add(r, "Contoso-Root", data, len, err, sizeof(err));

	if (rc != want || strstr(err, needle) == NULL)
		fail_msg("want %d \"%s\", got %d: %s", want, needle, rc, err);
	assert_one_line(err);
	assert_non_null(strstr(err, "root \"Contoso-Root\""));
	assert_non_null(strstr(err, "allowed:"));
	assert_int_equal(auth_roots_count(r), 0);
	assert_int_equal(ERR_peek_error(), 0);
	auth_roots_free(r);
}

static void
test_root_garbage(void **state)
{
	struct ike_chunk der = der_of(pki.rsa_root);
	char *pem = pem_of(pki.rsa_root, false), *two, *one = b64_of(pki.rsa_root, 0, "");
	char *cut, *mid, *key_pem;
	uint8_t *trail;
	BIO *b;
	long n;

	(void)state;
	expect_root_error("", 0, -EINVAL, "empty");
	expect_root_error("hello, world", 12, -EINVAL, "',' at offset 5 is not Base64");
	expect_root_error("\x00\x01\x02", 3, -EINVAL, "byte 0x00 at offset 0");
	expect_root_error("TUlJQg==", 8, -EINVAL, "Base64 text of 4 bytes that is not an X.509");
	expect_root_error(der.ptr, der.len - 1, -EINVAL, "DER of");
	trail = keep(malloc(der.len + 1));
	memcpy(trail, der.ptr, der.len);
	trail[der.len] = 0;
	expect_root_error(trail, der.len + 1, -EINVAL, "1 bytes after the certificate");
	two = concat(pem, "", pem);
	expect_root_error(two, strlen(two), -EINVAL, "more than one PEM block");
	cut = keep(strdup(pem));
	*strstr(cut, "-----END") = '\0';
	expect_root_error(cut, strlen(cut), -EINVAL, "no -----END line");
	mid = keep(strdup(one));
	mid[10] = '=';
	expect_root_error(mid, strlen(mid), -EINVAL, "after '=' padding");
	mid[10] = '*';
	expect_root_error(mid, strlen(mid), -EINVAL, "'*' at offset 10");
	one[strlen(one) - 3] = '\0';  /* cut inside a quantum: 4n + 1 characters */
	if (strlen(one) % 4 == 1)
		expect_root_error(one, strlen(one), -EINVAL, "cut short");
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, pki.ec_key, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &key_pem);
	expect_root_error(key_pem, (size_t)n, -EINVAL, "PEM block of type \"PRIVATE KEY\"");
	BIO_free(b);
	chunk_free(der);
	drop();
}

static void
test_root_limit(void **state)
{
	struct auth_roots *r = auth_roots_new();
	char name[32], err[AUTH_ERR_MAX];
	struct ike_chunk der;
	X509 *x;
	unsigned i;

	(void)state;
	for (i = 0; i <= AUTH_ROOTS_MAX; i++) {
		snprintf(name, sizeof(name), "Root %u", i);
		x = make_ca(name, pki.other_key, NULL, NULL);
		der = der_of(x);
		if (i < AUTH_ROOTS_MAX) {
			assert_int_equal(auth_roots_add(r, name, der.ptr, der.len, err, sizeof(err)),
					 0);
		} else {
			assert_int_equal(auth_roots_add(r, "twenty-first", der.ptr, der.len, err,
							sizeof(err)), -ENOSPC);
			assert_string_equal(err, "root \"twenty-first\": there are 20 trusted roots "
					    "already; allowed: at most 20");
		}
		chunk_free(der);
		X509_free(x);
	}
	assert_int_equal(auth_roots_count(r), AUTH_ROOTS_MAX);
	auth_roots_free(r);

	/* The same name twice, the same certificate twice. */
	r = auth_roots_new();
	der = der_of(pki.rsa_root);
	assert_int_equal(auth_roots_add(r, "a", der.ptr, der.len, err, sizeof(err)), 0);
	assert_int_equal(auth_roots_add(r, "a", der.ptr, der.len, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "the name is taken"));
	assert_int_equal(auth_roots_add(r, "b", der.ptr, der.len, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "is already trusted as root \"a\""));
	assert_int_equal(auth_roots_add(r, "", der.ptr, der.len, err, sizeof(err)), -EINVAL);
	chunk_free(der);
	auth_roots_free(r);
}

static void
expect_ca(const struct spec *s, int want, const char *needle)
{
	X509 *x = make_cert(s);
	struct ike_chunk der = der_of(x);
	struct auth_roots *r = auth_roots_new();
	char err[AUTH_ERR_MAX] = "";
	int rc = auth_roots_add(r, "ca-test", der.ptr, der.len, err, sizeof(err));

	if (rc != want || (needle != NULL && strstr(err, needle) == NULL))
		fail_msg("%s: want %d \"%s\", got %d: %s", s->cn, want, needle, rc, err);
	if (rc != 0) {
		assert_one_line(err);
		assert_non_null(strstr(err, "root \"ca-test\""));
	}
	auth_roots_free(r);
	chunk_free(der);
	X509_free(x);
}

static void
test_root_must_be_ca(void **state)
{
	struct spec s = { "x", NULL, NULL, NULL, 1, NULL, NULL, NULL, -60, 86400, false, false };

	(void)state;
	s.key = pki.other_key;
	s.cn = "bc-ca";
	expect_ca(&s, 0, NULL);
	s.cn = "v1-root";
	s.v1 = true;
	expect_ca(&s, 0, NULL);
	s.v1 = false;
	/* New-SelfSignedCertificate -KeyUsage CertSign: no basicConstraints. */
	s.cn = "powershell-root";
	s.ca = -1;
	s.ku = "keyCertSign,digitalSignature";
	expect_ca(&s, 0, NULL);
	s.cn = "no-extensions";
	s.ku = NULL;
	expect_ca(&s, -EINVAL, "neither basicConstraints CA:TRUE nor keyUsage keyCertSign");
	s.cn = "end-entity";
	s.ca = 0;
	expect_ca(&s, -EINVAL, "CA:FALSE");
	s.cn = "ca-without-certsign";
	s.ca = 1;
	s.ku = "digitalSignature";
	expect_ca(&s, -EINVAL, "keyUsage lacks keyCertSign");
	/* A client certificate uploaded by mistake. */
	s = (struct spec){ "client", pki.rsa_root, pki.rsa_root_key, pki.ec_key, -1,
			   "digitalSignature", NULL, NULL, -60, 86400, false, false };
	expect_ca(&s, -EINVAL, "is not a CA certificate");
	/* An issuing CA (not self-signed) may anchor chains. */
	s.ca = 1;
	s.ku = "keyCertSign";
	expect_ca(&s, 0, NULL);
}

static void
test_root_bad_self_signature(void **state)
{
	struct ike_chunk der = der_of(pki.ec_root);
	uint8_t *bad = malloc(der.len);
	struct auth_roots *r = auth_roots_new();
	char err[AUTH_ERR_MAX];

	(void)state;
	memcpy(bad, der.ptr, der.len);
	bad[der.len - 8] ^= 0x01;   /* inside the signature's r or s */
	assert_int_equal(auth_roots_add(r, "damaged", bad, der.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "self-signature"));
	auth_roots_free(r);
	free(bad);
	chunk_free(der);
}

static void
test_certreq(void **state)
{
	struct auth_roots *r = auth_roots_new();
	struct ike_chunk a = der_of(pki.rsa_root), b = der_of(pki.ec_root);
	uint8_t out[64], want[20], *spki = NULL;
	char err[AUTH_ERR_MAX];
	unsigned md_len;
	int len;

	(void)state;
	assert_int_equal(auth_roots_add(r, "a", a.ptr, a.len, err, sizeof(err)), 0);
	assert_int_equal(auth_roots_add(r, "b", b.ptr, b.len, err, sizeof(err)), 0);
	assert_int_equal(auth_roots_certreq(r, out, 39), -ENOSPC);
	assert_int_equal(auth_roots_certreq(r, out, sizeof(out)), 40);
	/* RFC 7296 §3.7: SHA-1 of the whole SubjectPublicKeyInfo. */
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(pki.ec_root), &spki);
	EVP_Digest(spki, (size_t)len, want, &md_len, EVP_sha1(), NULL);
	assert_memory_equal(out + 20, want, 20);
	OPENSSL_free(spki);
	auth_roots_free(r);
	chunk_free(a);
	chunk_free(b);
}

/* ---- chains ---- */

static struct auth_roots *
store_of(X509 *a, X509 *b)
{
	struct auth_roots *r = auth_roots_new();
	struct ike_chunk d;
	char err[AUTH_ERR_MAX];

	d = der_of(a);
	assert_int_equal(auth_roots_add(r, "first", d.ptr, d.len, err, sizeof(err)), 0);
	chunk_free(d);
	if (b != NULL) {
		d = der_of(b);
		assert_int_equal(auth_roots_add(r, "second", d.ptr, d.len, err, sizeof(err)), 0);
		chunk_free(d);
	}
	return r;
}

/* Verify a chain; check what holds whatever the verdict. */
static enum auth_verdict
verify_list(const struct auth_roots *r, const struct auth_revoked *rv, time_t now,
	    struct auth_result *res, X509 *const *xs, unsigned n)
{
	struct ike_chunk c[AUTH_CERTS_MAX + 4];
	unsigned i;
	int rc;

	for (i = 0; i < n; i++)
		c[i] = der_of(xs[i]);
	rc = auth_verify_chain(r, rv, c, n, now, res);
	assert_int_equal(rc, res->verdict == AUTH_OK ? 0 : -EACCES);
	assert_one_line(res->text);
	assert_true((res->leaf != NULL) == (res->verdict == AUTH_OK));
	assert_int_equal(ERR_peek_error(), 0);
	for (i = 0; i < n; i++)
		chunk_free(c[i]);
	return res->verdict;
}

/* The chain x0, x1, ... up to NULL: with res kept (verify_at), or only its verdict. */
static enum auth_verdict
verify_at(const struct auth_roots *r, const struct auth_revoked *rv, time_t now,
	  struct auth_result *res, X509 *x0, ...)
{
	X509 *xs[AUTH_CERTS_MAX + 4];
	struct auth_result local;
	enum auth_verdict v;
	unsigned n = 0;
	va_list ap;

	va_start(ap, x0);
	for (xs[0] = x0; xs[n] != NULL; xs[++n] = va_arg(ap, X509 *))
		;
	va_end(ap);
	v = verify_list(r, rv, now, res != NULL ? res : &local, xs, n);
	if (res == NULL)
		auth_result_clear(&local);
	return v;
}

#define VERIFY(r, rv, res, ...) verify_at(r, rv, 0, res, __VA_ARGS__, (X509 *)NULL)
#define VERDICT(r, rv, ...) verify_at(r, rv, 0, NULL, __VA_ARGS__, (X509 *)NULL)

static void
test_chain_ok(void **state)
{
	struct auth_roots *r = store_of(pki.rsa_root, pki.ec_root);
	struct auth_result res;
	uint8_t tp[20];

	(void)state;
	assert_int_equal(VERIFY(r, NULL, &res, pki.rsa_client), AUTH_OK);
	assert_string_equal(res.root, "first");
	assert_int_equal(X509_cmp(res.leaf, pki.rsa_client), 0);
	assert_int_equal(auth_thumbprint(pki.rsa_client, tp), 0);
	assert_memory_equal(res.thumbprint, tp, 20);
	assert_string_equal(res.text, "CN=alice,O=p2sgw test");
	auth_result_clear(&res);
	assert_null(res.leaf);
	assert_int_equal(VERIFY(r, NULL, &res, pki.ec_client), AUTH_OK);
	assert_string_equal(res.root, "second");
	auth_result_clear(&res);
	/* Via an intermediate, and with an unrelated certificate in between. */
	assert_int_equal(VERIFY(r, NULL, &res, pki.inter_client, pki.inter), AUTH_OK);
	assert_string_equal(res.root, "first");
	auth_result_clear(&res);
	assert_int_equal(VERDICT(r, NULL, pki.inter_client, pki.ec_client, pki.inter),
			 AUTH_OK);
	/* A client that also sends the root. */
	assert_int_equal(VERDICT(r, NULL, pki.rsa_client, pki.rsa_root), AUTH_OK);
	/* The result leaf outlives the store: it is a reference. */
	assert_int_equal(VERIFY(r, NULL, &res, pki.ec_client), AUTH_OK);
	auth_roots_free(r);
	assert_int_equal(X509_cmp(res.leaf, pki.ec_client), 0);
	auth_result_clear(&res);
}

static void
test_chain_unknown_root(void **state)
{
	struct auth_roots *r = store_of(pki.ec_root, NULL);
	struct auth_result res;

	(void)state;
	assert_int_equal(VERIFY(r, NULL, &res, pki.rsa_client), AUTH_UNKNOWN_ROOT);
	assert_non_null(strstr(res.text, "CN=alice"));
	assert_non_null(strstr(res.text, "no trusted root"));
	assert_int_equal(res.depth, 0);
	auth_result_clear(&res);
	/* The intermediate is missing. */
	auth_roots_free(r);
	r = store_of(pki.rsa_root, NULL);
	assert_int_equal(VERDICT(r, NULL, pki.inter_client), AUTH_UNKNOWN_ROOT);
	/* A self-signed client, and a root the store does not hold. */
	assert_int_equal(VERDICT(r, NULL, pki.ec_root), AUTH_UNKNOWN_ROOT);
	/* Same subject as our root, another key: not ours. */
	assert_int_equal(VERDICT(r, NULL, pki.unknown_client), AUTH_UNKNOWN_ROOT);
	assert_int_equal(VERDICT(r, NULL, pki.unknown_client, pki.unknown_root),
			 AUTH_UNKNOWN_ROOT);
	auth_roots_free(r);
}

/*
 * Roots that share a name and a key type, a client without
 * authorityKeyIdentifier: OpenSSL may try the wrong one first.
 */
static void
test_chain_same_name_roots(void **state)
{
	X509 *twin = make_ca("P2S EC Root", pki.other_key, NULL, NULL);
	struct spec s = { "no-akid", twin, pki.other_key, pki.ec_key, 0, NULL, NULL, NULL, -60,
			  86400, false, true };
	X509 *client = make_cert(&s);
	struct auth_roots *r = store_of(pki.ec_root, twin);
	struct auth_result res;

	(void)state;
	assert_int_equal(VERIFY(r, NULL, &res, client), AUTH_OK);
	assert_string_equal(res.root, "second");
	auth_result_clear(&res);
	assert_int_equal(VERIFY(r, NULL, &res, pki.ec_client), AUTH_OK);
	assert_string_equal(res.root, "first");
	auth_result_clear(&res);
	auth_roots_free(r);
	r = store_of(twin, pki.ec_root);
	assert_int_equal(VERIFY(r, NULL, &res, client), AUTH_OK);
	assert_string_equal(res.root, "first");
	auth_result_clear(&res);
	assert_int_equal(VERIFY(r, NULL, &res, pki.ec_client), AUTH_OK);
	assert_string_equal(res.root, "second");
	auth_result_clear(&res);
	auth_roots_free(r);
	/* Without the twin, the client's signature is a forgery of ec_root's. */
	r = store_of(pki.ec_root, NULL);
	assert_int_equal(VERDICT(r, NULL, client), AUTH_BAD_SIGNATURE);
	auth_roots_free(r);
	X509_free(client);
	X509_free(twin);
}

static void
test_chain_times(void **state)
{
	struct auth_roots *r = store_of(pki.rsa_root, pki.ec_root);
	struct auth_result res;
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(VERIFY(r, NULL, &res, pki.expired), AUTH_EXPIRED);
	assert_non_null(strstr(res.text, "CN=expired"));
	assert_non_null(strstr(res.text, "not valid after"));
	auth_result_clear(&res);
	assert_int_equal(VERIFY(r, NULL, &res, pki.future), AUTH_NOT_YET_VALID);
	assert_non_null(strstr(res.text, "not before"));
	auth_result_clear(&res);
	/* The caller's clock: two years on, a year before. */
	assert_int_equal(verify_at(r, NULL, now + 2 * 365 * 86400L, NULL, pki.ec_client,
				   (X509 *)NULL), AUTH_EXPIRED);
	assert_int_equal(verify_at(r, NULL, now - 365 * 86400L, NULL, pki.ec_client,
				   (X509 *)NULL), AUTH_NOT_YET_VALID);
	assert_int_equal(verify_at(r, NULL, now + 86400, NULL, pki.ec_client, (X509 *)NULL),
			 AUTH_OK);
	/* The root expires too. */
	assert_int_equal(verify_at(r, NULL, now + 11 * 365 * 86400L, NULL, pki.inter_client,
				   pki.inter, (X509 *)NULL), AUTH_EXPIRED);
	auth_roots_free(r);
}

/* Roots accepted for what they are, not for basicConstraints: chains through them verify. */
static void
test_chain_unusual_roots(void **state)
{
	struct spec s = { "PowerShell Root", NULL, NULL, pki.other_key, -1,
			  "keyCertSign,digitalSignature", NULL, NULL, -60, 86400, false, false }, c;
	X509 *root, *client;
	struct auth_roots *r;
	struct auth_result res;
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		if (i == 1) {
			s.cn = "V1 Root";
			s.v1 = true;
		}
		root = make_cert(&s);
		c = (struct spec){ "eve", root, pki.other_key, pki.ec_key, 0, NULL, NULL, NULL,
				   -60, 86400, false, s.v1 };   /* a v1 root has no key id */
		client = make_cert(&c);
		r = store_of(root, NULL);
		if (VERIFY(r, NULL, &res, client) != AUTH_OK)
			fail_msg("%s: %s", s.cn, res.text);
		auth_result_clear(&res);
		auth_roots_free(r);
		X509_free(client);
		X509_free(root);
	}
	/* An issuing CA trusted by itself anchors its clients (partial chain). */
	r = store_of(pki.inter, NULL);
	assert_int_equal(VERDICT(r, NULL, pki.inter_client), AUTH_OK);
	assert_int_equal(VERDICT(r, NULL, pki.rsa_client), AUTH_UNKNOWN_ROOT);
	auth_roots_free(r);
}

static void
expect_revoked(const struct auth_roots *r, const char *thumbprint_text, X509 *x0, X509 *x1)
{
	struct auth_revoked *rv = auth_revoked_new(4);
	uint8_t sha1[20], other[20];
	char err[AUTH_ERR_MAX];
	struct auth_result res;

	assert_int_equal(conf_parse_thumbprint(thumbprint_text, sha1), 0);
	memset(other, 0xab, sizeof(other));
	assert_int_equal(auth_revoked_add(rv, "someone-else", other), 0);
	assert_int_equal(auth_revoked_add(rv, "lost-laptop", sha1), 0);
	assert_int_equal(auth_revoked_seal(rv, err, sizeof(err)), 0);
	assert_int_equal(VERIFY(r, rv, &res, x0, x1), AUTH_REVOKED);
	assert_non_null(strstr(res.text, "revoked entry \"lost-laptop\""));
	auth_result_clear(&res);
	auth_revoked_free(rv);
}

static void
test_chain_revoked(void **state)
{
	struct auth_roots *r = store_of(pki.rsa_root, pki.ec_root);
	char hex[AUTH_THUMBPRINT_HEX], form[128];
	struct auth_revoked *rv;
	uint8_t sha1[20];
	unsigned i;

	(void)state;
	assert_int_equal(auth_thumbprint(pki.inter_client, sha1), 0);
	auth_thumbprint_hex(sha1, hex);
	assert_int_equal(strlen(hex), 40);
	/* PowerShell: uppercase, no separators. */
	expect_revoked(r, hex, pki.inter_client, pki.inter);
	/* certmgr: lowercase pairs with spaces, after an invisible LEFT-TO-RIGHT MARK. */
	strcpy(form, "\xe2\x80\x8e");
	for (i = 0; i < 20; i++)
		snprintf(form + strlen(form), 8, "%s%02x", i ? " " : "", sha1[i]);
	expect_revoked(r, form, pki.inter_client, pki.inter);
	/* OpenSSL: colons. */
	form[0] = '\0';
	for (i = 0; i < 20; i++)
		snprintf(form + strlen(form), 8, "%s%02X", i ? ":" : "", sha1[i]);
	expect_revoked(r, form, pki.inter_client, pki.inter);
	/* The intermediate, and the root itself (from the store, not presented). */
	auth_thumbprint(pki.inter, sha1);
	auth_thumbprint_hex(sha1, hex);
	expect_revoked(r, hex, pki.inter_client, pki.inter);
	auth_thumbprint(pki.rsa_root, sha1);
	auth_thumbprint_hex(sha1, hex);
	expect_revoked(r, hex, pki.inter_client, pki.inter);
	/* Others are untouched. */
	rv = auth_revoked_new(1);
	auth_revoked_add(rv, "x", sha1);
	auth_revoked_seal(rv, NULL, 0);
	assert_int_equal(VERDICT(r, rv, pki.ec_client), AUTH_OK);
	auth_revoked_free(rv);
	auth_roots_free(r);
}

static void
test_revoked_set(void **state)
{
	struct auth_revoked *rv = auth_revoked_new(3);
	uint8_t a[20], b[20], c[20];
	char err[AUTH_ERR_MAX];

	(void)state;
	memset(a, 1, 20);
	memset(b, 2, 20);
	memset(c, 0, 20);
	assert_int_equal(auth_revoked_add(rv, "b", b), 0);
	assert_int_equal(auth_revoked_add(rv, "a", a), 0);
	assert_string_equal(auth_revoked_find(rv, a), "a");   /* unsealed: still found */
	assert_int_equal(auth_revoked_add(rv, "b-again", b), 0);
	assert_int_equal(auth_revoked_add(rv, "full", c), -ENOSPC);
	assert_int_equal(auth_revoked_seal(rv, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "\"b\""));
	assert_non_null(strstr(err, "\"b-again\""));
	assert_non_null(strstr(err, "0202020202"));
	assert_int_equal(auth_revoked_count(rv), 3);
	assert_null(auth_revoked_find(rv, c));
	assert_null(auth_revoked_find(NULL, c));
	auth_revoked_free(rv);
}

static void
test_thumbprint(void **state)
{
	struct ike_chunk d = der_of(pki.rsa_client);
	uint8_t want[20], got[20], parsed[20];
	char hex[AUTH_THUMBPRINT_HEX];
	unsigned i;

	(void)state;
	EVP_Digest(d.ptr, d.len, want, NULL, EVP_sha1(), NULL);
	assert_int_equal(auth_thumbprint(pki.rsa_client, got), 0);
	assert_memory_equal(got, want, 20);
	auth_thumbprint_hex(got, hex);
	for (i = 0; i < 40; i++)
		assert_true((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'A' && hex[i] <= 'F'));
	assert_int_equal(conf_parse_thumbprint(hex, parsed), 0);
	assert_memory_equal(parsed, want, 20);
	chunk_free(d);
}

static void
test_chain_malformed(void **state)
{
	struct auth_roots *r = store_of(pki.rsa_root, NULL);
	struct ike_chunk c[AUTH_CERTS_MAX + 1], d = der_of(pki.rsa_client);
	uint8_t *trail = malloc(d.len + 1);
	struct auth_result res;
	unsigned i;

	(void)state;
	assert_int_equal(auth_verify_chain(r, NULL, c, 0, 0, &res), -EACCES);
	assert_int_equal(res.verdict, AUTH_MALFORMED);
	c[0] = (struct ike_chunk){ "\x30\x03\x02\x01\x01", 5 };
	assert_int_equal(auth_verify_chain(r, NULL, c, 1, 0, &res), -EACCES);
	assert_int_equal(res.verdict, AUTH_MALFORMED);
	assert_non_null(strstr(res.text, "certificate 1 of 1 (the client's)"));
	memcpy(trail, d.ptr, d.len);
	trail[d.len] = 0;
	c[0] = d;
	c[1] = (struct ike_chunk){ trail, d.len + 1 };
	assert_int_equal(auth_verify_chain(r, NULL, c, 2, 0, &res), -EACCES);
	assert_int_equal(res.verdict, AUTH_MALFORMED);
	assert_non_null(strstr(res.text, "bytes after its end"));
	assert_int_equal(res.depth, 1);
	c[0] = (struct ike_chunk){ d.ptr, d.len - 1 };
	assert_int_equal(auth_verify_chain(r, NULL, c, 1, 0, &res), -EACCES);
	assert_int_equal(res.verdict, AUTH_MALFORMED);
	for (i = 0; i <= AUTH_CERTS_MAX; i++)
		c[i] = d;
	assert_int_equal(auth_verify_chain(r, NULL, c, AUTH_CERTS_MAX + 1, 0, &res), -EACCES);
	assert_int_equal(res.verdict, AUTH_CHAIN_TOO_LONG);
	/* A damaged signature on the client certificate. */
	memcpy(trail, d.ptr, d.len);
	trail[d.len - 10] ^= 0x40;
	c[0] = (struct ike_chunk){ trail, d.len };
	assert_int_equal(auth_verify_chain(r, NULL, c, 1, 0, &res), -EACCES);
	assert_int_equal(res.verdict, AUTH_BAD_SIGNATURE);
	assert_int_equal(ERR_peek_error(), 0);
	free(trail);
	chunk_free(d);
	auth_roots_free(r);
}

/* root -> ca[0] -> ... -> ca[n-1] -> client */
static void
check_depth(const struct auth_roots *r, unsigned n, enum auth_verdict want)
{
	struct ike_chunk c[AUTH_CERTS_MAX + 2];
	X509 *ca[AUTH_CERTS_MAX + 1], *client, *issuer = pki.ec_root;
	EVP_PKEY *issuer_key = pki.ec_root_key;
	struct auth_result res;
	char cn[16];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(cn, sizeof(cn), "CA %u", i);
		ca[i] = make_ca(cn, pki.inter_key, issuer, issuer_key);
		issuer = ca[i];
		issuer_key = pki.inter_key;
	}
	client = make_client("deep", pki.ec_key, issuer, issuer_key);
	c[0] = der_of(client);
	for (i = 0; i < n; i++)
		c[1 + i] = der_of(ca[n - 1 - i]);
	auth_verify_chain(r, NULL, c, 1 + n, 0, &res);
	if (res.verdict != want)
		fail_msg("%u intermediates: %s", n, res.text);
	auth_result_clear(&res);
	for (i = 0; i < 1 + n; i++)
		chunk_free(c[i]);
	for (i = 0; i < n; i++)
		X509_free(ca[i]);
	X509_free(client);
}

static void
test_chain_depth(void **state)
{
	struct auth_roots *r = store_of(pki.ec_root, NULL);

	(void)state;
	check_depth(r, AUTH_CHAIN_DEPTH_MAX, AUTH_OK);
	check_depth(r, AUTH_CHAIN_DEPTH_MAX + 1, AUTH_CHAIN_TOO_LONG);
	auth_roots_free(r);
}

static void
expect_usage(const struct auth_roots *r, const char *ku, const char *eku,
	     enum auth_verdict want)
{
	struct spec s = { "usage", pki.ec_root, pki.ec_root_key, pki.ec_key, -1, ku, eku, NULL,
			  -60, 86400, false, false };
	X509 *x = make_cert(&s);
	struct auth_result res;

	if (VERIFY(r, NULL, &res, x) != want)
		fail_msg("ku %s eku %s: %s", ku, eku, res.text);
	auth_result_clear(&res);
	X509_free(x);
}

static void
test_chain_usage(void **state)
{
	struct auth_roots *r = store_of(pki.ec_root, NULL);
	struct spec s = { "not-a-ca", pki.ec_root, pki.ec_root_key, pki.inter_key, 0,
			  "digitalSignature", NULL, NULL, -60, 86400, false, false };
	X509 *not_ca = make_cert(&s), *client;

	(void)state;
	expect_usage(r, NULL, NULL, AUTH_OK);
	expect_usage(r, NULL, "clientAuth", AUTH_OK);
	expect_usage(r, NULL, "serverAuth,clientAuth", AUTH_OK);
	expect_usage(r, NULL, "1.3.6.1.5.5.7.3.17", AUTH_OK);           /* ipsecIKE */
	expect_usage(r, NULL, "anyExtendedKeyUsage", AUTH_OK);
	expect_usage(r, NULL, "1.3.6.1.5.5.8.2.2", AUTH_OK);            /* IKE intermediate */
	expect_usage(r, "nonRepudiation", NULL, AUTH_OK);
	expect_usage(r, NULL, "serverAuth", AUTH_WRONG_USAGE);
	expect_usage(r, NULL, "emailProtection,codeSigning", AUTH_WRONG_USAGE);
	expect_usage(r, "keyEncipherment", NULL, AUTH_WRONG_USAGE);
	/* An end-entity certificate cannot issue. */
	client = make_client("under-ee", pki.ec_key, not_ca, pki.inter_key);
	assert_int_equal(VERDICT(r, NULL, client, not_ca), AUTH_NOT_CA);
	X509_free(client);
	X509_free(not_ca);
	auth_roots_free(r);
}

/* OpenSSL checks no security level by itself outside TLS; we ask for level 1. */
static void
test_chain_weak(void **state)
{
	struct auth_roots *r = store_of(pki.rsa_root, NULL);
	struct spec s = { "sha1-signed", pki.rsa_root, pki.rsa_root_key, pki.ec_key, 0, NULL,
			  NULL, NULL, -60, 86400, false, false, "SHA1" };
	EVP_PKEY *small = keygen("RSA", NULL, 768);
	struct auth_result res;
	X509 *x;

	(void)state;
	x = make_cert(&s);
	assert_int_equal(VERIFY(r, NULL, &res, x), AUTH_WEAK);
	assert_non_null(strstr(res.text, "allowed: SHA-256 or better"));
	auth_result_clear(&res);
	X509_free(x);
	s.md = "MD5";
	x = make_cert(&s);
	assert_int_equal(VERDICT(r, NULL, x), AUTH_WEAK);
	X509_free(x);
	s.md = NULL;
	s.key = small;
	x = make_cert(&s);
	assert_int_equal(VERDICT(r, NULL, x), AUTH_WEAK);
	X509_free(x);
	EVP_PKEY_free(small);
	auth_roots_free(r);
	/* No roots at all. */
	r = auth_roots_new();
	assert_int_equal(VERIFY(r, NULL, &res, pki.rsa_client), AUTH_UNKNOWN_ROOT);
	assert_int_equal(VERIFY(NULL, NULL, &res, pki.rsa_client), AUTH_UNKNOWN_ROOT);
	auth_roots_free(r);
}

static void
test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(auth_verdict_name(AUTH_OK), "ok");
	assert_string_equal(auth_verdict_name(AUTH_REVOKED), "revoked");
	assert_string_equal(auth_verdict_name(AUTH_UNKNOWN_ROOT), "unknown root");
	assert_string_equal(auth_verdict_name((enum auth_verdict)99), "unknown verdict");
}

/* ---- identity ---- */

static int
id_match(X509 *x, uint8_t type, const void *data, size_t len)
{
	struct ike_id id = { type, data, len, NULL, 0 };
	char why[AUTH_ERR_MAX] = "";
	int rc = auth_id_match(x, &id, why, sizeof(why));

	assert_one_line(why);
	return rc;
}

#define ID_STR(x, type, s) id_match(x, type, s, strlen(s))

static void
test_id_dn(void **state)
{
	X509 *x = pki.san_client;
	uint8_t *der = NULL;
	X509_NAME *other;
	int len;

	(void)state;
	len = i2d_X509_NAME(X509_get_subject_name(x), &der);
	assert_int_equal(id_match(x, IKE_ID_DER_ASN1_DN, der, (size_t)len), 0);
	assert_int_equal(id_match(x, IKE_ID_DER_ASN1_DN, der, (size_t)len - 1), -EINVAL);
	OPENSSL_free(der);
	/* Canonical: other case and spaces, as another encoder would write it. */
	other = X509_NAME_new();
	X509_NAME_add_entry_by_txt(other, "O", MBSTRING_ASC, (const uint8_t *)"P2SGW  Test", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(other, "CN", MBSTRING_ASC,
				   (const uint8_t *)" DAVE@corp.example", -1, -1, 0);
	der = NULL;
	len = i2d_X509_NAME(other, &der);
	assert_int_equal(id_match(x, IKE_ID_DER_ASN1_DN, der, (size_t)len), 0);
	OPENSSL_free(der);
	X509_NAME_free(other);
	/* Another subject. */
	der = NULL;
	len = i2d_X509_NAME(X509_get_subject_name(pki.ec_client), &der);
	assert_int_equal(id_match(x, IKE_ID_DER_ASN1_DN, der, (size_t)len), -EACCES);
	OPENSSL_free(der);
}

static void
test_id_names(void **state)
{
	static const uint8_t v4[4] = { 10, 1, 2, 3 }, v4_other[4] = { 10, 1, 2, 4 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	X509 *x = pki.san_client;

	(void)state;
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "laptop7.corp.example"), 0);
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "LAPTOP7.CORP.EXAMPLE"), 0);
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "laptop7.corp"), -EACCES);
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "laptop7.corp.example.evil"), -EACCES);
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "laptop8.corp.example"), -EACCES);
	assert_int_equal(ID_STR(x, IKE_ID_RFC822_ADDR, "dave.smith@corp.example"), 0);
	assert_int_equal(ID_STR(x, IKE_ID_RFC822_ADDR, "Dave.Smith@Corp.Example"), 0);
	assert_int_equal(ID_STR(x, IKE_ID_RFC822_ADDR, "dave@ad.corp.example"), 0);  /* UPN */
	assert_int_equal(ID_STR(x, IKE_ID_RFC822_ADDR, "eve@corp.example"), -EACCES);
	/* The DNS name is not an email address, nor the email a DNS name. */
	assert_int_equal(ID_STR(x, IKE_ID_RFC822_ADDR, "laptop7.corp.example"), -EACCES);
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "dave.smith@corp.example"), -EACCES);
	/* Windows user certificates: the CN as FQDN or RFC822 ID. */
	assert_int_equal(ID_STR(x, IKE_ID_FQDN, "dave@corp.example"), 0);
	assert_int_equal(ID_STR(x, IKE_ID_RFC822_ADDR, "dave@corp.example"), 0);
	assert_int_equal(ID_STR(pki.rsa_client, IKE_ID_FQDN, "alice"), 0);
	assert_int_equal(ID_STR(pki.rsa_client, IKE_ID_FQDN, "p2sgw test"), -EACCES); /* O */
	assert_int_equal(id_match(x, IKE_ID_IPV4_ADDR, v4, 4), 0);
	assert_int_equal(id_match(x, IKE_ID_IPV4_ADDR, v4_other, 4), -EACCES);
	assert_int_equal(id_match(x, IKE_ID_IPV6_ADDR, v6, 16), 0);
	assert_int_equal(id_match(pki.rsa_client, IKE_ID_IPV4_ADDR, v4, 4), -EACCES);
	assert_int_equal(ID_STR(x, IKE_ID_KEY_ID, "key"), -ENOTSUP);
	assert_int_equal(ID_STR(x, IKE_ID_DER_ASN1_GN, "gn"), -ENOTSUP);
}

/* The client's text reaches logs escaped: no terminal escapes, no forged lines. */
static void
test_id_escaping(void **state)
{
	static const char evil[] = "\x1b[2J\nroot ok\xc3\xa9";
	struct ike_id id = { IKE_ID_FQDN, (const uint8_t *)evil, sizeof(evil) - 1, NULL, 0 };
	struct spec s = { "line\nbreak\x1b\xc3\xa9", pki.ec_root, pki.ec_root_key, pki.ec_key, 0,
			  NULL, NULL, NULL, -60, 86400, false, false };
	X509 *x = make_cert(&s);
	struct auth_roots *r = store_of(pki.ec_root, NULL);
	char why[AUTH_ERR_MAX];
	struct auth_result res;

	(void)state;
	assert_int_equal(auth_id_match(pki.ec_client, &id, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "\"\\x1b[2J\\x0aroot ok\\xc3\\xa9\""));
	assert_int_equal(VERIFY(r, NULL, &res, x), AUTH_OK);
	assert_null(strchr(res.text, 0x1b));
	assert_null(strchr(res.text, '\n'));
	assert_non_null(strstr(res.text, "\\C3\\A9"));
	auth_result_clear(&res);
	auth_roots_free(r);
	X509_free(x);
}

/* ---- signatures ---- */

static const uint8_t msg1[] = "IKE_SA_INIT request as sent: header, SA, KE, Ni, N...";
static const uint8_t nonce_r[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const uint8_t maced_id[32] = { 0xaa, 0xbb, 0xcc };

static void
octets_of(struct ike_chunk o[3])
{
	o[0] = (struct ike_chunk){ msg1, sizeof(msg1) };
	o[1] = (struct ike_chunk){ nonce_r, sizeof(nonce_r) };
	o[2] = (struct ike_chunk){ maced_id, sizeof(maced_id) };
}

/* AUTH payload body (RFC 7296 §3.8) from a method and its data, parsed back. */
static void
auth_body(uint8_t method, const uint8_t *data, size_t len, uint8_t *body, struct ike_auth *a)
{
	body[0] = method;
	memset(body + 1, 0, 3);
	memcpy(body + 4, data, len);
	assert_int_equal(ike_auth_parse(body, 4 + len, a), 0);
}

static int
verify_body(X509 *x, uint8_t method, const uint8_t *data, size_t len)
{
	uint8_t body[4 + AUTH_SIG_MAX + 64];
	char why[AUTH_ERR_MAX] = "";
	struct ike_chunk o[3];
	struct ike_auth a;
	int rc;

	octets_of(o);
	assert_true(len <= AUTH_SIG_MAX + 64);
	body[0] = method;
	memset(body + 1, 0, 3);
	memcpy(body + 4, data, len);
	if (ike_auth_parse(body, 4 + len, &a) != 0)
		return -EINVAL;  /* lib/ike refused it first */
	rc = auth_sig_verify(x, &a, o, 3, why, sizeof(why));
	assert_one_line(why);
	assert_int_equal(ERR_peek_error(), 0);
	return rc;
}

/* Sign with key/cert for a peer; verify; then every kind of tampering. */
static void
round_trip(X509 *cert, EVP_PKEY *pkey, uint32_t peer, int want_method, const void *want_alg)
{
	struct auth_key *k = auth_key_new(cert, pkey, NULL, 0);
	uint8_t out[AUTH_SIG_MAX], method = 0, saved;
	struct ike_chunk o[3];
	struct ike_auth a;
	uint8_t body[4 + AUTH_SIG_MAX];
	size_t i;
	int len, rc;

	assert_non_null(k);
	octets_of(o);
	len = auth_sign(k, peer, o, 3, &method, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(method, want_method);
	if (want_alg != NULL) {
		auth_body(method, out, (size_t)len, body, &a);
		assert_int_equal(a.sig_alg, *(const enum ike_sig_alg *)want_alg);
	}
	assert_int_equal(verify_body(cert, method, out, (size_t)len), 0);
	/* Flip one bit of each signature byte (and of the AlgorithmIdentifier). */
	for (i = 0; i < (size_t)len; i++) {
		saved = out[i];
		out[i] ^= 0x01;
		rc = verify_body(cert, method, out, (size_t)len);
		if (rc == 0)
			fail_msg("method %u: byte %zu flipped, still verifies", method, i);
		out[i] = saved;
	}
	/* Signed over other octets: another message. */
	o[0].len--;
	len = auth_sign(k, peer, o, 3, &method, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(verify_body(cert, method, out, (size_t)len), -EBADMSG);
	/* Not enough room. */
	assert_true(auth_sign(k, peer, o, 3, &method, out, 16) < 0);
	auth_key_free(k);
}

#define HASH(h) (1u << IKE_HASH_##h)

static void
test_sign_rsa(void **state)
{
	enum ike_sig_alg s256 = IKE_SIG_RSA_SHA256, s384 = IKE_SIG_RSA_SHA384,
			 s512 = IKE_SIG_RSA_SHA512;

	(void)state;
	round_trip(pki.rsa_client, pki.rsa_key, 0, IKE_AUTH_RSA_SIG, NULL);
	round_trip(pki.rsa_client, pki.rsa_key, HASH(SHA1), IKE_AUTH_RSA_SIG, NULL);
	round_trip(pki.rsa_client, pki.rsa_key, HASH(SHA2_256) | HASH(SHA2_512),
		   IKE_AUTH_DIGITAL_SIGNATURE, &s256);
	round_trip(pki.rsa_client, pki.rsa_key, HASH(SHA2_384), IKE_AUTH_DIGITAL_SIGNATURE,
		   &s384);
	round_trip(pki.rsa_client, pki.rsa_key, HASH(SHA2_512) | HASH(IDENTITY),
		   IKE_AUTH_DIGITAL_SIGNATURE, &s512);
}

static void
test_sign_ecdsa(void **state)
{
	enum ike_sig_alg s256 = IKE_SIG_ECDSA_SHA256, s384 = IKE_SIG_ECDSA_SHA384,
			 s512 = IKE_SIG_ECDSA_SHA512;

	(void)state;
	round_trip(pki.ec_client, pki.ec_key, 0, IKE_AUTH_ECDSA_SHA256_P256, NULL);
	round_trip(pki.p384_client, pki.p384_key, 0, IKE_AUTH_ECDSA_SHA384_P384, NULL);
	round_trip(pki.p521_client, pki.p521_key, HASH(SHA1), IKE_AUTH_ECDSA_SHA512_P521, NULL);
	round_trip(pki.ec_client, pki.ec_key, HASH(SHA2_256) | HASH(SHA2_384),
		   IKE_AUTH_DIGITAL_SIGNATURE, &s256);
	round_trip(pki.p384_client, pki.p384_key, HASH(SHA2_256) | HASH(SHA2_384),
		   IKE_AUTH_DIGITAL_SIGNATURE, &s384);     /* the curve's own hash first */
	round_trip(pki.ec_client, pki.ec_key, HASH(SHA2_512), IKE_AUTH_DIGITAL_SIGNATURE, &s512);
}

static void
test_sign_ed25519(void **state)
{
	enum ike_sig_alg ed = IKE_SIG_ED25519;
	struct auth_key *k = auth_key_new(pki.ed_client, pki.ed_key, NULL, 0);
	uint8_t out[AUTH_SIG_MAX], method;
	struct ike_chunk o[3];

	(void)state;
	octets_of(o);
	/* RFC 8420: only when the peer announced Identity. */
	assert_int_equal(auth_sign(k, HASH(SHA2_256), o, 3, &method, out, sizeof(out)), -ENOTSUP);
	auth_key_free(k);
	round_trip(pki.ed_client, pki.ed_key, HASH(SHA2_256) | HASH(IDENTITY),
		   IKE_AUTH_DIGITAL_SIGNATURE, &ed);
}

/* RFC 7427 §3 data from an AlgorithmIdentifier and a signature. */
static size_t
rfc7427(uint8_t *out, const uint8_t *alg, size_t alg_len, const uint8_t *sig, size_t sig_len)
{
	out[0] = (uint8_t)alg_len;
	memcpy(out + 1, alg, alg_len);
	memcpy(out + 1 + alg_len, sig, sig_len);
	return 1 + alg_len + sig_len;
}

/* A signature over the test octets, made directly with EVP. */
static size_t
evp_sign(EVP_PKEY *pkey, const char *md, int pss_salt, uint8_t *sig, size_t cap)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p = NULL;
	struct ike_chunk o[3];
	size_t len = cap;
	int i;

	octets_of(o);
	assert_int_equal(EVP_DigestSignInit_ex(m, &p, md, NULL, NULL, pkey, NULL), 1);
	if (pss_salt >= 0) {
		assert_true(EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md_name(p, md, NULL) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(p, pss_salt) > 0);
	}
	for (i = 0; i < 3; i++)
		EVP_DigestSignUpdate(m, o[i].ptr, o[i].len);
	assert_int_equal(EVP_DigestSignFinal(m, sig, &len), 1);
	EVP_MD_CTX_free(m);
	return len;
}

/* RSASSA-PSS AlgorithmIdentifiers (RFC 4055 §3.1, as in RFC 7427 Appendix A.4.3). */
static const uint8_t pss_sha256_salt32[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34,
	0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
};

static void
test_verify_pss(void **state)
{
	uint8_t sig[512], data[600], alg[sizeof(pss_sha256_salt32) + 8];
	static const uint8_t no_params[] = { 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					     0xf7, 0x0d, 0x01, 0x01, 0x0a };
	size_t sig_len, len, i;

	(void)state;
	sig_len = evp_sign(pki.rsa_key, "SHA256", 32, sig, sizeof(sig));
	len = rfc7427(data, pss_sha256_salt32, sizeof(pss_sha256_salt32), sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), 0);
	for (i = 0; i < len; i += 7) {
		data[i] ^= 0x80;
		assert_int_not_equal(verify_body(pki.rsa_client, 14, data, len), 0);
		data[i] ^= 0x80;
	}
	/* The parameters say salt 32; a signature with salt 20 is not that. */
	sig_len = evp_sign(pki.rsa_key, "SHA256", 20, sig, sizeof(sig));
	len = rfc7427(data, pss_sha256_salt32, sizeof(pss_sha256_salt32), sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -EBADMSG);
	/* SHA-512 with salt 64: change the hash OIDs and the salt. */
	memcpy(alg, pss_sha256_salt32, sizeof(pss_sha256_salt32));
	alg[29] = 0x03;
	alg[59] = 0x03;
	alg[sizeof(pss_sha256_salt32) - 1] = 0x40;
	sig_len = evp_sign(pki.rsa_key, "SHA512", 64, sig, sizeof(sig));
	len = rfc7427(data, alg, sizeof(pss_sha256_salt32), sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), 0);
	/* SHA-1 defaults (no parameters), a trailer other than 1: refused. */
	len = rfc7427(data, no_params, sizeof(no_params), sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -ENOTSUP);
	memcpy(alg, pss_sha256_salt32, sizeof(pss_sha256_salt32));
	alg[1] += 5;
	alg[14] += 5;
	memcpy(alg + sizeof(pss_sha256_salt32), "\xa3\x03\x02\x01\x02", 5);
	len = rfc7427(data, alg, sizeof(pss_sha256_salt32) + 5, sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -ENOTSUP);
	/* PSS with an EC key. */
	len = rfc7427(data, pss_sha256_salt32, sizeof(pss_sha256_salt32), sig, sig_len);
	assert_int_equal(verify_body(pki.ec_client, 14, data, len), -EINVAL);
}

static const uint8_t *
alg_der(enum ike_sig_alg alg, size_t *len)
{
	const uint8_t *d = ike_sig_alg_der(alg, len);

	assert_non_null(d);
	return d;
}

static void
test_verify_mismatch(void **state)
{
	static const uint8_t dsa_sha256[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					      0x65, 0x03, 0x04, 0x03, 0x02 };
	uint8_t sig[600], data[700], rs[64];
	size_t sig_len, len, alg_len;
	const uint8_t *alg;
	ECDSA_SIG *es;
	const BIGNUM *r, *s;
	const uint8_t *p;

	(void)state;
	/* RSA SHA-256 signature under an ECDSA AlgorithmIdentifier, and the reverse. */
	sig_len = evp_sign(pki.rsa_key, "SHA256", -1, sig, sizeof(sig));
	alg = alg_der(IKE_SIG_ECDSA_SHA256, &alg_len);
	len = rfc7427(data, alg, alg_len, sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -EINVAL);
	alg = alg_der(IKE_SIG_RSA_SHA256, &alg_len);
	len = rfc7427(data, alg, alg_len, sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), 0);
	assert_int_equal(verify_body(pki.ec_client, 14, data, len), -EINVAL);
	/* The hash named is not the one signed with. */
	alg = alg_der(IKE_SIG_RSA_SHA384, &alg_len);
	len = rfc7427(data, alg, alg_len, sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -EBADMSG);
	/* SHA-1 in method 14, an unknown algorithm: not accepted. */
	sig_len = evp_sign(pki.rsa_key, "SHA1", -1, sig, sizeof(sig));
	alg = alg_der(IKE_SIG_RSA_SHA1, &alg_len);
	len = rfc7427(data, alg, alg_len, sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -ENOTSUP);
	len = rfc7427(data, dsa_sha256, sizeof(dsa_sha256), sig, sig_len);
	assert_int_equal(verify_body(pki.rsa_client, 14, data, len), -ENOTSUP);
	/* ...but SHA-1 is what method 1 is. */
	assert_int_equal(verify_body(pki.rsa_client, IKE_AUTH_RSA_SIG, sig, sig_len), 0);
	assert_int_equal(verify_body(pki.ec_client, IKE_AUTH_RSA_SIG, sig, sig_len), -EINVAL);
	/* ECDSA: method 14 wants DER, methods 9-11 r|s on their own curve. */
	sig_len = evp_sign(pki.ec_key, "SHA256", -1, sig, sizeof(sig));
	alg = alg_der(IKE_SIG_ECDSA_SHA256, &alg_len);
	len = rfc7427(data, alg, alg_len, sig, sig_len);
	assert_int_equal(verify_body(pki.ec_client, 14, data, len), 0);
	p = sig;
	es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
	ECDSA_SIG_get0(es, &r, &s);
	BN_bn2binpad(r, rs, 32);
	BN_bn2binpad(s, rs + 32, 32);
	ECDSA_SIG_free(es);
	assert_int_equal(verify_body(pki.ec_client, IKE_AUTH_ECDSA_SHA256_P256, rs, 64), 0);
	assert_int_equal(verify_body(pki.p384_client, IKE_AUTH_ECDSA_SHA256_P256, rs, 64),
			 -EINVAL);
	assert_int_equal(verify_body(pki.rsa_client, IKE_AUTH_ECDSA_SHA256_P256, rs, 64),
			 -EINVAL);
	len = rfc7427(data, alg, alg_len, rs, 64);
	assert_int_equal(verify_body(pki.ec_client, 14, data, len), -EBADMSG);
	/* Not signature methods. */
	assert_int_equal(verify_body(pki.ec_client, IKE_AUTH_SHARED_KEY_MIC, rs, 32), -ENOTSUP);
	assert_int_equal(verify_body(pki.ec_client, IKE_AUTH_DSS_SIG, rs, 40), -ENOTSUP);
	/* Ed25519 named, an ECDSA key. */
	alg = alg_der(IKE_SIG_ED25519, &alg_len);
	len = rfc7427(data, alg, alg_len, rs, 64);
	assert_int_equal(verify_body(pki.ec_client, 14, data, len), -EINVAL);
}

/* ---- the gateway's key from files ---- */

static char *
pem_file(X509 *a, X509 *b, EVP_PKEY *key, const char *pass)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *path;
	long n;

	if (a != NULL)
		PEM_write_bio_X509(bio, a);
	if (b != NULL)
		PEM_write_bio_X509(bio, b);
	if (key != NULL)
		PEM_write_bio_PrivateKey(bio, key, pass != NULL ? EVP_aes_128_cbc() : NULL,
					 (const uint8_t *)pass, pass != NULL ? (int)strlen(pass) : 0,
					 NULL, NULL);
	n = BIO_get_mem_data(bio, &data);
	path = temp_file(data, (size_t)n);
	BIO_free(bio);
	return path;
}

static void
expect_key_error(const char *cert, const char *key, const char *needle)
{
	char err[AUTH_ERR_MAX] = "";

	assert_null(auth_key_load(cert, key, err, sizeof(err)));
	if (strstr(err, needle) == NULL)
		fail_msg("want \"%s\", got: %s", needle, err);
	assert_one_line(err);
	assert_int_equal(ERR_peek_error(), 0);
}

static void
test_key_load(void **state)
{
	char *cert = pem_file(pki.inter_client, pki.inter, NULL, NULL);
	char *key = pem_file(NULL, NULL, pki.ec_key, NULL);
	char *wrong = pem_file(NULL, NULL, pki.p384_key, NULL);
	char *locked = pem_file(NULL, NULL, pki.ec_key, "secret");
	char *empty = temp_file("nothing here\n", 13), err[AUTH_ERR_MAX];
	struct ike_chunk want = der_of(pki.inter_client), want1 = der_of(pki.inter);
	struct auth_key *k;
	uint8_t id[256], *subject = NULL;
	const uint8_t *der;
	size_t len;
	int n;

	(void)state;
	k = auth_key_load(cert, key, err, sizeof(err));
	if (k == NULL)
		fail_msg("%s", err);
	assert_int_equal(X509_cmp(auth_key_cert(k), pki.inter_client), 0);
	assert_int_equal(auth_key_cert_der(k, 0, &der, &len), 0);
	assert_int_equal(len, want.len);
	assert_memory_equal(der, want.ptr, len);
	assert_int_equal(auth_key_cert_der(k, 1, &der, &len), 0);
	assert_memory_equal(der, want1.ptr, want1.len);
	assert_int_equal(auth_key_cert_der(k, 2, &der, &len), -ENOENT);
	n = i2d_X509_NAME(X509_get_subject_name(pki.inter_client), &subject);
	assert_int_equal(auth_key_id(k, IKE_ID_DER_ASN1_DN, id, sizeof(id)), n);
	assert_memory_equal(id, subject, (size_t)n);
	assert_int_equal(auth_key_id(k, IKE_ID_DER_ASN1_DN, id, 4), -ENOSPC);
	assert_int_equal(auth_key_id(k, IKE_ID_FQDN, id, sizeof(id)), -ENOENT);
	assert_int_equal(auth_key_id(k, IKE_ID_KEY_ID, id, sizeof(id)), -ENOTSUP);
	OPENSSL_free(subject);
	auth_key_free(k);

	expect_key_error(cert, wrong, "not the key of the server certificate");
	expect_key_error(cert, locked, "is encrypted");
	expect_key_error(cert, empty, "holds no PEM private key");
	expect_key_error(empty, key, "no PEM certificate");
	expect_key_error("/nonexistent/server.pem", key, "cannot read /nonexistent/server.pem");
	expect_key_error(cert, "/nonexistent/server.key", "cannot read /nonexistent/server.key");
	chunk_free(want);
	chunk_free(want1);
	drop();
}

static void
test_key_rules(void **state)
{
	EVP_PKEY *small = keygen("RSA", NULL, 1024);
	X509 *x = make_client("small", small, pki.rsa_root, pki.rsa_root_key);
	struct spec s = { "gw.example", pki.ec_root, pki.ec_root_key, pki.ec_key, 0, NULL,
			  "serverAuth", "DNS:vpn.gw.example,DNS:other.example", -60, 86400, false,
			  false };
	X509 *gw = make_cert(&s);
	char err[AUTH_ERR_MAX];
	struct auth_key *k;
	uint8_t id[64];

	(void)state;
	assert_null(auth_key_new(x, small, err, sizeof(err)));
	assert_non_null(strstr(err, "shorter than 2048 bits"));
	k = auth_key_new(gw, pki.ec_key, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(auth_key_id(k, IKE_ID_FQDN, id, sizeof(id)), 14);
	assert_memory_equal(id, "vpn.gw.example", 14);
	auth_key_free(k);
	X509_free(gw);
	X509_free(x);
	EVP_PKEY_free(small);
}

static void
test_hash_mask(void **state)
{
	static const uint8_t data[] = { 0, 2, 0, 3, 0, 4, 0, 5, 0xff, 0xff };
	struct ike_notify n = { 0, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, NULL, data, sizeof(data) };

	(void)state;
	assert_int_equal(auth_hash_mask(NULL), 0);
	assert_int_equal(auth_hash_mask(&n),
			 HASH(SHA2_256) | HASH(SHA2_384) | HASH(SHA2_512) | HASH(IDENTITY));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_forms),
		cmocka_unit_test(test_root_files),
		cmocka_unit_test(test_root_garbage),
		cmocka_unit_test(test_root_limit),
		cmocka_unit_test(test_root_must_be_ca),
		cmocka_unit_test(test_root_bad_self_signature),
		cmocka_unit_test(test_certreq),
		cmocka_unit_test(test_chain_ok),
		cmocka_unit_test(test_chain_unknown_root),
		cmocka_unit_test(test_chain_same_name_roots),
		cmocka_unit_test(test_chain_times),
		cmocka_unit_test(test_chain_unusual_roots),
		cmocka_unit_test(test_chain_revoked),
		cmocka_unit_test(test_revoked_set),
		cmocka_unit_test(test_thumbprint),
		cmocka_unit_test(test_chain_malformed),
		cmocka_unit_test(test_chain_depth),
		cmocka_unit_test(test_chain_usage),
		cmocka_unit_test(test_chain_weak),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_id_dn),
		cmocka_unit_test(test_id_names),
		cmocka_unit_test(test_id_escaping),
		cmocka_unit_test(test_sign_rsa),
		cmocka_unit_test(test_sign_ecdsa),
		cmocka_unit_test(test_sign_ed25519),
		cmocka_unit_test(test_verify_pss),
		cmocka_unit_test(test_verify_mismatch),
		cmocka_unit_test(test_key_load),
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_hash_mask),
	};

	return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
