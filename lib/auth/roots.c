/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trusted root store. Operators paste roots in whatever form their tool
 * exported: OpenSSL and certutil write PEM (LF or CRLF), MakeCert and
 * Export-Certificate write DER, PowerShell's [Convert]::ToBase64String
 * gives one long Base64 line and the portals of the original service take
 * that Base64 without the BEGIN/END lines; Windows PowerShell 5 saves text as
 * UTF-16LE with a byte-order mark. All of these come down to one DER
 * certificate here, decoded by our own strict Base64 reader so that an error
 * can say which character at which offset is wrong. A root must be a CA,
 * and when it is not, the error says what it lacks and how the usual tools
 * make one that is.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "auth_priv.h"

/* ---- helpers shared by the library ---- */

void
auth_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		for (p = err; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	ERR_clear_error();
}

const char *
auth_ssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_error());

	return r != NULL ? r : "unknown reason";
}

void
auth_name_text(const X509_NAME *name, char *out, size_t cap)
{
	BIO *b;
	int n;

	if (cap == 0)
		return;
	out[0] = '\0';
	b = BIO_new(BIO_s_mem());
	if (b == NULL)
		return;
	/*
	 * RFC 4514 order and escaping, control characters and non-ASCII bytes
	 * escaped: a subject is the client's text, and must not forge log lines.
	 */
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_read(b, out, (int)(cap - 1));
		out[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
	if (out[0] == '\0')
		snprintf(out, cap, "(empty name)");
}

void
auth_cert_subject(X509 *cert, char *out, size_t cap)
{
	auth_name_text(X509_get_subject_name(cert), out, cap);
}

/* ---- Base64 and PEM, strictly ---- */

static int
b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void
quote_char(char *out, size_t cap, uint8_t c)
{
	if (c > 0x20 && c < 0x7f && c != '\'')
		snprintf(out, cap, "'%c'", c);
	else
		snprintf(out, cap, "byte 0x%02x", c);
}

/*
 * Decode Base64 (RFC 4648 §4) with whitespace anywhere and padding optional,
 * but only at the end. out needs len * 3 / 4 + 3 bytes. Returns the bytes
 * decoded, or -EINVAL with why naming the offending offset (from base).
 */
static long
b64_decode(const uint8_t *in, size_t len, size_t base, uint8_t *out, char *why, size_t whylen)
{
	uint32_t acc = 0;
	size_t i, n = 0, sextets = 0, pad = 0;
	char q[16];
	int v;

	for (i = 0; i < len; i++) {
		if (is_space(in[i]))
			continue;
		if (in[i] == '=' && sextets > 0) {
			pad++;
			continue;
		}
		v = b64_value(in[i]);
		if (v < 0 || pad > 0) {
			quote_char(q, sizeof(q), in[i]);
			snprintf(why, whylen, "%s at offset %zu is not Base64%s", q, base + i,
				 pad > 0 ? " (after '=' padding)" : "");
			return -EINVAL;
		}
		acc = acc << 6 | (uint32_t)v;
		if (++sextets % 4 == 0) {
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
		}
	}
	switch (sextets % 4) {
	case 1:
		snprintf(why, whylen, "the Base64 text is cut short (%zu characters)", sextets);
		return -EINVAL;
	case 2:
		out[n++] = (uint8_t)(acc >> 4);
		break;
	case 3:
		out[n++] = (uint8_t)(acc >> 10);
		out[n++] = (uint8_t)(acc >> 2);
		break;
	}
	if (pad > 2 || (pad > 0 && (sextets + pad) % 4 != 0)) {
		snprintf(why, whylen, "wrong Base64 padding ('=' x%zu after %zu characters)", pad,
			 sextets);
		return -EINVAL;
	}
	return (long)n;
}

static const uint8_t *
find(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || len < n)
		return NULL;
	return memmem(hay, len, needle, n);
}

/* The labels of RFC 7468 §5 and the two older ones OpenSSL writes. */
static bool
pem_cert_label(const uint8_t *label, size_t len, bool *trusted)
{
	static const char *const ok[] = { "CERTIFICATE", "X509 CERTIFICATE",
					  "TRUSTED CERTIFICATE" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (strlen(ok[i]) == len && memcmp(ok[i], label, len) == 0) {
			*trusted = i == 2;
			return true;
		}
	return false;
}

/* The Base64 body of the only PEM block in text; the label is checked. */
static int
pem_body(const uint8_t *text, size_t len, const uint8_t **body, size_t *body_len,
	 bool *trusted, char *why, size_t whylen)
{
	const uint8_t *begin = find(text, len, "-----BEGIN "), *label, *end, *after;
	size_t label_len, rest;

	label = begin + 11;
	rest = len - (size_t)(label - text);
	end = find(label, rest, "-----");
	if (end == NULL) {
		snprintf(why, whylen, "the -----BEGIN line at offset %zu is not closed by -----",
			 (size_t)(begin - text));
		return -EINVAL;
	}
	label_len = (size_t)(end - label);
	if (!pem_cert_label(label, label_len, trusted)) {
		snprintf(why, whylen, "a PEM block of type \"%.*s\", not a certificate",
			 (int)(label_len < 40 ? label_len : 40), (const char *)label);
		return -EINVAL;
	}
	*body = end + 5;
	rest = len - (size_t)(*body - text);
	end = find(*body, rest, "-----END ");
	if (end == NULL) {
		snprintf(why, whylen, "no -----END line after -----BEGIN %.*s-----",
			 (int)label_len, (const char *)label);
		return -EINVAL;
	}
	*body_len = (size_t)(end - *body);
	after = end + 9;
	if (find(after, len - (size_t)(after - text), "-----BEGIN ") != NULL) {
		snprintf(why, whylen, "more than one PEM block (a chain or a bundle)");
		return -EINVAL;
	}
	return 0;
}

/* ---- from what the operator gave to one X509 ---- */

/*
 * UTF-16LE with a byte-order mark, as Windows PowerShell 5's Out-File and
 * Set-Content -Encoding Unicode write, narrowed to ASCII. Anything else
 * non-ASCII in it cannot be part of a certificate's text form.
 */
static uint8_t *
utf16le_to_ascii(const uint8_t *in, size_t len, size_t *out_len, char *why, size_t whylen)
{
	uint8_t *out;
	size_t i;

	if (len % 2 != 0) {
		snprintf(why, whylen, "UTF-16 text of an odd number of bytes (%zu)", len);
		return NULL;
	}
	out = malloc(len / 2 + 1);
	if (out == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	for (i = 0; i < len; i += 2) {
		if (in[i + 1] != 0 || in[i] >= 0x80) {
			snprintf(why, whylen, "UTF-16 text with a non-ASCII character at offset %zu", i);
			free(out);
			return NULL;
		}
		out[i / 2] = in[i];
	}
	*out_len = len / 2;
	return out;
}

static X509 *
der_to_x509(const uint8_t *der, size_t len, bool trusted, const char *form, char *why,
	    size_t whylen)
{
	const uint8_t *p = der;
	X509 *x;

	if (len > LONG_MAX)
		return NULL;
	/* TRUSTED CERTIFICATE carries OpenSSL's trust settings after the DER. */
	x = trusted ? d2i_X509_AUX(NULL, &p, (long)len) : d2i_X509(NULL, &p, (long)len);
	if (x == NULL) {
		snprintf(why, whylen, "%s of %zu bytes that is not an X.509 certificate (OpenSSL: %s)",
			 form, len, auth_ssl_reason());
		return NULL;
	}
	if (p != der + len) {
		snprintf(why, whylen, "%s with %zu bytes after the certificate", form,
			 (size_t)(der + len - p));
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Base64 text, PEM or bare: decode and parse. */
static X509 *
text_to_x509(const uint8_t *text, size_t len, char *why, size_t whylen)
{
	const uint8_t *body = text;
	size_t body_len = len;
	bool trusted = false, pem = find(text, len, "-----BEGIN ") != NULL;
	uint8_t *der;
	long n;
	X509 *x = NULL;

	if (pem && pem_body(text, len, &body, &body_len, &trusted, why, whylen) != 0)
		return NULL;
	der = malloc(body_len / 4 * 3 + 3);
	if (der == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	n = b64_decode(body, body_len, (size_t)(body - text), der, why, whylen);
	if (n == 0)
		snprintf(why, whylen, "no certificate in the %s", pem ? "PEM block" : "text");
	else if (n > 0)
		x = der_to_x509(der, (size_t)n, trusted, pem ? "a PEM block" : "Base64 text",
				why, whylen);
	free(der);
	return x;
}

static bool
looks_like_der(const uint8_t *d, size_t len)
{
	/* SEQUENCE with a long-form length: no text starts with '0' then >= 0x80. */
	return len >= 2 && d[0] == 0x30 && (d[1] & 0x80) != 0;
}

/*
 * One certificate from any accepted form, or NULL with why saying what the
 * data looked like and where it went wrong.
 */
static X509 *
decode_root(const uint8_t *data, size_t len, char *why, size_t whylen)
{
	uint8_t *narrow = NULL;
	size_t narrow_len;
	X509 *x;

	if (len == 0) {
		snprintf(why, whylen, "empty");
		return NULL;
	}
	if (len > AUTH_ROOT_BYTES_MAX) {
		snprintf(why, whylen, "%zu bytes, more than a root certificate can be", len);
		return NULL;
	}
	if (looks_like_der(data, len))
		return der_to_x509(data, len, false, "DER", why, whylen);
	if (len >= 2 && data[0] == 0xff && data[1] == 0xfe) {
		narrow = utf16le_to_ascii(data + 2, len - 2, &narrow_len, why, whylen);
		if (narrow == NULL)
			return NULL;
		x = text_to_x509(narrow, narrow_len, why, whylen);
		free(narrow);
		return x;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) { /* UTF-8 byte-order mark */
		data += 3;
		len -= 3;
	}
	return text_to_x509(data, len, why, whylen);
}

/* ---- is it a CA? (RFC 5280 §4.2.1.9, §6.1.4 (k)) ---- */

/* NULL if x may anchor client chains, else what it lacks. */
static const char *
root_not_ca(X509 *x)
{
	uint32_t fl = X509_get_extension_flags(x);
	int ca = X509_check_ca(x);
	bool self = X509_self_signed(x, 0) == 1;

	if (fl & EXFLAG_INVALID)
		return "it has an extension that does not parse";
	if (ca == 1 || ca == 3)
		return NULL;    /* basicConstraints CA:TRUE, or a self-signed v1 root */
	/*
	 * keyUsage keyCertSign without basicConstraints: the root that the
	 * original service's documentation makes with New-SelfSignedCertificate.
	 * OpenSSL accepts it at the top of a chain, and so do we.
	 */
	if (ca == 4 && self)
		return NULL;
	if ((fl & EXFLAG_BCONS) && !(fl & EXFLAG_CA))
		return "basicConstraints says CA:FALSE, so it is an end-entity (client or server) "
		       "certificate";
	if ((fl & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & KU_KEY_CERT_SIGN))
		return "its keyUsage lacks keyCertSign";
	if (ca == 4)
		return "it is not self-signed and has no basicConstraints CA:TRUE";
	return "it has neither basicConstraints CA:TRUE nor keyUsage keyCertSign (MakeCert: add "
	       "-cy authority; New-SelfSignedCertificate: -KeyUsage CertSign)";
}

/* A self-issued root whose signature does not verify is corrupt, not merely odd. */
static bool
self_signature_bad(X509 *x)
{
	if (X509_check_issued(x, x) != X509_V_OK)
		return false;
	return X509_self_signed(x, 1) != 1;
}

/* ---- the store ---- */

struct auth_roots *
auth_roots_new(void)
{
	struct auth_roots *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->store = X509_STORE_new();
	if (r->store == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
auth_roots_free(struct auth_roots *roots)
{
	unsigned i;

	if (roots == NULL)
		return;
	for (i = 0; i < roots->n; i++) {
		X509_free(roots->root[i].cert);
		X509_STORE_free(roots->root[i].alone);
	}
	X509_STORE_free(roots->store);
	free(roots);
}

static int
spki_sha1(X509 *x, uint8_t out[AUTH_THUMBPRINT_LEN])
{
	uint8_t *der = NULL;
	unsigned md_len;
	int len, rc;

	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (len <= 0)
		return -ENOMEM;
	rc = EVP_Digest(der, (size_t)len, out, &md_len, EVP_sha1(), NULL) == 1 ? 0 : -ENOMEM;
	OPENSSL_free(der);
	return rc;
}

/* Name rules and room: -ENOSPC, -EINVAL, -EEXIST, with err set. */
static int
check_name(const struct auth_roots *roots, const char *name, char *err, size_t errlen)
{
	unsigned i;

	if (roots->n >= AUTH_ROOTS_MAX) {
		auth_errf(err, errlen, "root \"%s\": there are %u trusted roots already; allowed: "
			  "at most %u", name, roots->n, AUTH_ROOTS_MAX);
		return -ENOSPC;
	}
	if (name[0] == '\0' || strlen(name) >= AUTH_NAME_MAX) {
		auth_errf(err, errlen, "root \"%.*s\": a name of %zu characters; allowed: 1..%d",
			  AUTH_NAME_MAX, name, strlen(name), AUTH_NAME_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < roots->n; i++)
		if (strcmp(roots->root[i].name, name) == 0) {
			auth_errf(err, errlen, "root \"%s\": the name is taken; allowed: distinct "
				  "names", name);
			return -EEXIST;
		}
	return 0;
}

/* Refuse what cannot anchor a chain; -EINVAL or -EEXIST with err set. */
static int
check_root(const struct auth_roots *roots, const char *name, X509 *x, char *err,
	   size_t errlen)
{
	char subject[160];
	const char *not_ca;
	unsigned i;

	auth_cert_subject(x, subject, sizeof(subject));
	not_ca = root_not_ca(x);
	if (not_ca != NULL) {
		auth_errf(err, errlen, "root \"%s\": %s is not a CA certificate: %s; allowed: a CA "
			  "certificate (basicConstraints CA:TRUE, or self-signed with keyUsage "
			  "keyCertSign, or a self-signed v1 root)", name, subject, not_ca);
		return -EINVAL;
	}
	if (self_signature_bad(x)) {
		auth_errf(err, errlen, "root \"%s\": the self-signature of %s does not verify (a "
			  "damaged copy?); allowed: the certificate as exported", name, subject);
		return -EINVAL;
	}
	for (i = 0; i < roots->n; i++)
		if (X509_cmp(roots->root[i].cert, x) == 0) {
			auth_errf(err, errlen, "root \"%s\": %s is already trusted as root \"%s\"; "
				  "allowed: each certificate once", name, subject,
				  roots->root[i].name);
			return -EEXIST;
		}
	return 0;
}

/* Takes x: on failure it is freed. */
static int
store_root(struct auth_roots *roots, const char *name, X509 *x, char *err, size_t errlen)
{
	struct auth_root *r = &roots->root[roots->n];
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->alone = X509_STORE_new();
	if (r->alone == NULL || X509_STORE_add_cert(r->alone, x) != 1 ||
	    X509_STORE_add_cert(roots->store, x) != 1 || spki_sha1(x, r->spki_sha1) != 0) {
		/* A half-added root makes the store unusable: the caller drops it. */
		X509_STORE_free(r->alone);
		X509_free(x);
		auth_errf(err, errlen, "root \"%s\": out of memory", name);
		return -ENOMEM;
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->cert = x;
	for (i = 0; i < roots->n; i++)
		if (X509_NAME_cmp(X509_get_subject_name(roots->root[i].cert),
				  X509_get_subject_name(x)) == 0) {
			roots->root[i].same_name = r->same_name = true;
			roots->any_same_name = true;
		}
	roots->n++;
	return 0;
}

int
auth_roots_add(struct auth_roots *roots, const char *name, const void *data, size_t len,
	       char *err, size_t errlen)
{
	char why[AUTH_ERR_MAX / 2];
	X509 *x;
	int rc;

	if (name == NULL)
		name = "";
	rc = check_name(roots, name, err, errlen);
	if (rc != 0)
		return rc;
	why[0] = '\0';
	x = decode_root(data, len, why, sizeof(why));
	if (x == NULL) {
		auth_errf(err, errlen, "root \"%s\": %s; allowed: a PEM certificate, DER, or the "
			  "Base64 of the DER with or without -----BEGIN/END CERTIFICATE----- lines",
			  name, why);
		return -EINVAL;
	}
	rc = check_root(roots, name, x, err, errlen);
	if (rc != 0) {
		X509_free(x);
		return rc;
	}
	rc = store_root(roots, name, x, err, errlen);
	ERR_clear_error();
	return rc;
}

/* Whole file into a heap buffer; at most AUTH_ROOT_BYTES_MAX. */
static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	uint8_t *buf;
	ssize_t n;
	size_t have = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(AUTH_ROOT_BYTES_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (have <= AUTH_ROOT_BYTES_MAX) {
		n = read(fd, buf + have, AUTH_ROOT_BYTES_MAX + 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		have += (size_t)n;
	}
	close(fd);
	if (rc == 0 && have > AUTH_ROOT_BYTES_MAX)
		rc = -EFBIG;
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = have;
	return 0;
}

int
auth_roots_add_file(struct auth_roots *roots, const char *name, const char *path, char *err,
		    size_t errlen)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	if (name == NULL)
		name = "";
	rc = check_name(roots, name, err, errlen);
	if (rc != 0)
		return rc;
	rc = read_file(path, &data, &len);
	if (rc == -EFBIG) {
		auth_errf(err, errlen, "root \"%s\": %s is larger than %u bytes; allowed: one "
			  "certificate", name, path, AUTH_ROOT_BYTES_MAX);
		return -EINVAL;
	}
	if (rc != 0) {
		auth_errf(err, errlen, "root \"%s\": cannot read %s: %s", name, path,
			  strerror(-rc));
		return rc;
	}
	rc = auth_roots_add(roots, name, data, len, err, errlen);
	free(data);
	return rc;
}

unsigned
auth_roots_count(const struct auth_roots *roots)
{
	return roots != NULL ? roots->n : 0;
}

const char *
auth_roots_name(const struct auth_roots *roots, unsigned i)
{
	return roots != NULL && i < roots->n ? roots->root[i].name : NULL;
}

X509 *
auth_roots_cert(const struct auth_roots *roots, unsigned i)
{
	return roots != NULL && i < roots->n ? roots->root[i].cert : NULL;
}

int
auth_roots_certreq(const struct auth_roots *roots, uint8_t *out, size_t cap)
{
	unsigned i;

	if ((size_t)roots->n * AUTH_THUMBPRINT_LEN > cap)
		return -ENOSPC;
	for (i = 0; i < roots->n; i++)
		memcpy(out + i * AUTH_THUMBPRINT_LEN, roots->root[i].spki_sha1,
		       AUTH_THUMBPRINT_LEN);
	return (int)(roots->n * AUTH_THUMBPRINT_LEN);
}
