/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's own certificate and private key, loaded once from PEM files
 * at start (and again when the operator replaces them), with the checks
 * whose failure would otherwise show up only as a client refusing to
 * connect: the key is one we can sign AUTH with and it belongs to the
 * certificate. The DER of the certificate and its chain is kept ready for
 * the CERT payloads of every IKE_AUTH response.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "auth_priv.h"

#define KEY_CHAIN_MAX 4   /* intermediates sent after our certificate */

struct key_der {
	uint8_t *der;
	size_t len;
};

struct auth_key {
	X509 *cert;
	EVP_PKEY *pkey;
	unsigned n_der;                           /* our certificate + chain */
	struct key_der der[1 + KEY_CHAIN_MAX];
};

void
auth_key_free(struct auth_key *key)
{
	unsigned i;

	if (key == NULL)
		return;
	for (i = 0; i < key->n_der; i++)
		OPENSSL_free(key->der[i].der);
	X509_free(key->cert);
	EVP_PKEY_free(key->pkey);
	free(key);
}

/* NULL if we can sign AUTH with pkey, else what is wrong with it. */
static const char *
key_unusable(EVP_PKEY *pkey)
{
	char group[32];

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		/* RFC 8247 §3.2: RSA keys of at least 2048 bits. */
		return EVP_PKEY_get_bits(pkey) >= 2048 ? NULL : "an RSA key shorter than 2048 bits";
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1)
			return "an EC key without a named curve";
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "secp521r1") == 0)
			return NULL;
		return "an EC key on a curve other than P-256, P-384 or P-521";
	case EVP_PKEY_ED25519:
		return NULL;
	case EVP_PKEY_RSA_PSS:
		return "an RSA-PSS-only key (we sign with PKCS#1 v1.5)";
	default:
		return "a key of a type we cannot sign IKE AUTH with";
	}
}

static int
keep_der(struct auth_key *key, X509 *x)
{
	uint8_t *der = NULL;
	int len = i2d_X509(x, &der);

	if (len <= 0)
		return -ENOMEM;
	key->der[key->n_der].der = der;
	key->der[key->n_der].len = (size_t)len;
	key->n_der++;
	return 0;
}

struct auth_key *
auth_key_new(X509 *cert, EVP_PKEY *pkey, char *err, size_t errlen)
{
	struct auth_key *key;
	const char *bad = key_unusable(pkey);
	char subject[160];

	auth_cert_subject(cert, subject, sizeof(subject));
	if (bad != NULL) {
		auth_errf(err, errlen, "server key: %s; allowed: RSA of 2048 bits or more, ECDSA "
			  "P-256/P-384/P-521, Ed25519", bad);
		return NULL;
	}
	if (X509_check_private_key(cert, pkey) != 1) {
		auth_errf(err, errlen, "server key: it is not the key of the server certificate "
			  "%s; allowed: the private key made with that certificate", subject);
		return NULL;
	}
	key = calloc(1, sizeof(*key));
	if (key == NULL || keep_der(key, cert) != 0 || X509_up_ref(cert) != 1) {
		auth_key_free(key);
		auth_errf(err, errlen, "server certificate: out of memory");
		return NULL;
	}
	key->cert = cert;
	if (EVP_PKEY_up_ref(pkey) != 1) {
		auth_key_free(key);
		auth_errf(err, errlen, "server key: out of memory");
		return NULL;
	}
	key->pkey = pkey;
	return key;
}

/* Our certificate first, then up to KEY_CHAIN_MAX intermediates. */
static int
read_certs(const char *path, X509 **certs, unsigned *n, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x;

	*n = 0;
	if (b == NULL) {
		auth_errf(err, errlen, "server certificate: cannot read %s: %s", path,
			  strerror(errno));
		return -ENOENT;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (*n == 1 + KEY_CHAIN_MAX) {
			X509_free(x);
			BIO_free(b);
			auth_errf(err, errlen, "server certificate: %s holds more than %u "
				  "certificates; allowed: ours and up to %u intermediates", path,
				  1 + KEY_CHAIN_MAX, KEY_CHAIN_MAX);
			return -EINVAL;
		}
		certs[(*n)++] = x;
	}
	BIO_free(b);
	if (*n == 0) {
		auth_errf(err, errlen, "server certificate: no PEM certificate in %s; allowed: "
			  "-----BEGIN CERTIFICATE----- blocks, ours first", path);
		return -EINVAL;
	}
	ERR_clear_error();   /* the end of the file reads as an error */
	return 0;
}

/* Refuse to prompt for a pass phrase: the gateway starts unattended. */
static int
no_pass_phrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)u = true;
	return -1;
}

static EVP_PKEY *
read_key(const char *path, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(path, "r");
	bool asked = false;
	EVP_PKEY *pkey;

	if (b == NULL) {
		auth_errf(err, errlen, "server key: cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(b, NULL, no_pass_phrase, &asked);
	BIO_free(b);
	if (pkey == NULL)
		auth_errf(err, errlen, "server key: %s %s; allowed: an unencrypted PEM private key "
			  "(openssl pkey -in KEY -out PLAIN)", path,
			  asked ? "is encrypted" : "holds no PEM private key");
	return pkey;
}

struct auth_key *
auth_key_load(const char *cert_file, const char *key_file, char *err, size_t errlen)
{
	X509 *certs[1 + KEY_CHAIN_MAX];
	struct auth_key *key = NULL;
	EVP_PKEY *pkey;
	unsigned n, i;

	if (read_certs(cert_file, certs, &n, err, errlen) != 0)
		return NULL;
	pkey = read_key(key_file, err, errlen);
	if (pkey != NULL)
		key = auth_key_new(certs[0], pkey, err, errlen);
	for (i = 1; key != NULL && i < n; i++)
		if (keep_der(key, certs[i]) != 0) {
			auth_key_free(key);
			key = NULL;
			auth_errf(err, errlen, "server certificate: out of memory");
		}
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	EVP_PKEY_free(pkey);
	ERR_clear_error();   /* decoders tried before the right one leave errors */
	return key;
}

X509 *
auth_key_cert(const struct auth_key *key)
{
	return key->cert;
}

EVP_PKEY *
auth_key_pkey(const struct auth_key *key)
{
	return key->pkey;
}

int
auth_key_cert_der(const struct auth_key *key, unsigned i, const uint8_t **der, size_t *len)
{
	if (i >= key->n_der)
		return -ENOENT;
	*der = key->der[i].der;
	*len = key->der[i].len;
	return 0;
}

static int
first_dns_name(X509 *cert, uint8_t *out, size_t cap)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	const GENERAL_NAME *gn;
	int i, rc = -ENOENT;

	for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans) && rc == -ENOENT; i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type != GEN_DNS || gn->d.dNSName->length <= 0)
			continue;
		if ((size_t)gn->d.dNSName->length > cap) {
			rc = -ENOSPC;
			break;
		}
		memcpy(out, gn->d.dNSName->data, (size_t)gn->d.dNSName->length);
		rc = gn->d.dNSName->length;
	}
	GENERAL_NAMES_free(sans);
	return rc;
}

int
auth_key_id(const struct auth_key *key, uint8_t id_type, uint8_t *out, size_t cap)
{
	uint8_t *der = NULL;
	int len;

	switch (id_type) {
	case IKE_ID_DER_ASN1_DN:
		len = i2d_X509_NAME(X509_get_subject_name(key->cert), &der);
		if (len <= 0)
			return -ENOMEM;
		if ((size_t)len > cap) {
			OPENSSL_free(der);
			return -ENOSPC;
		}
		memcpy(out, der, (size_t)len);
		OPENSSL_free(der);
		return len;
	case IKE_ID_FQDN:
		return first_dns_name(key->cert, out, cap);
	default:
		return -ENOTSUP;
	}
}
