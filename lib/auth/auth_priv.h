/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of lib/auth share and nobody else sees: the layout of the
 * root store (verify.c walks it) and the one-line error writer.
 */
#ifndef P2SGW_AUTH_PRIV_H
#define P2SGW_AUTH_PRIV_H

#include <stdarg.h>

#include "auth.h"

struct auth_root {
	char name[AUTH_NAME_MAX];
	X509 *cert;
	X509_STORE *alone;       /**< a store of this root only: see verify.c, same_name */
	bool same_name;          /**< another root has the same subject DN */
	uint8_t spki_sha1[AUTH_THUMBPRINT_LEN]; /**< for CERTREQ, RFC 7296 §3.7 */
};

struct auth_roots {
	X509_STORE *store;       /**< all roots, for X509_verify_cert() */
	unsigned n;
	bool any_same_name;
	struct auth_root root[AUTH_ROOTS_MAX];
};

/**
 * snprintf into err, then make it one line: a subject or a file name can
 * hold a line break, and the log and CLI show one line per error. Also
 * clears OpenSSL's error queue, so no failure leaks into the next call.
 * Does nothing if err is NULL.
 */
void auth_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** A name as one escaped RFC 4514 line (what auth_cert_subject() prints). */
void auth_name_text(const X509_NAME *name, char *out, size_t cap);

/** The gateway's private key, for sign.c (borrowed). */
EVP_PKEY *auth_key_pkey(const struct auth_key *key);

/** The first OpenSSL error reason on the queue, or "unknown" (for error text). */
const char *auth_ssl_reason(void);

#endif /* P2SGW_AUTH_PRIV_H */
