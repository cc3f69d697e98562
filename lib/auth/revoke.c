/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revocation by thumbprint. The original service revokes a client
 * certificate by the SHA-1 of its DER, the "thumbprint" that certmgr and
 * PowerShell show, instead of CRLs: nothing to fetch, and the operator
 * already has the number. The set is a sorted array searched with bsearch:
 * a few thousand entries at most (CONF_REVOKED_MAX), looked up a few times
 * per IKE_AUTH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "auth_priv.h"

struct revoked_entry {
	uint8_t sha1[AUTH_THUMBPRINT_LEN];   /* first: the sort key */
	char name[AUTH_NAME_MAX];
};

struct auth_revoked {
	unsigned n, cap;
	bool sealed;
	struct revoked_entry e[];
};

struct auth_revoked *
auth_revoked_new(unsigned cap)
{
	struct auth_revoked *rv;

	rv = calloc(1, sizeof(*rv) + (size_t)cap * sizeof(rv->e[0]));
	if (rv == NULL)
		return NULL;
	rv->cap = cap;
	rv->sealed = true;      /* empty is sorted */
	return rv;
}

void
auth_revoked_free(struct auth_revoked *rv)
{
	free(rv);
}

int
auth_revoked_add(struct auth_revoked *rv, const char *name,
		 const uint8_t sha1[AUTH_THUMBPRINT_LEN])
{
	struct revoked_entry *e;

	if (rv->n >= rv->cap)
		return -ENOSPC;
	e = &rv->e[rv->n++];
	memcpy(e->sha1, sha1, AUTH_THUMBPRINT_LEN);
	snprintf(e->name, sizeof(e->name), "%s", name != NULL ? name : "");
	rv->sealed = false;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, AUTH_THUMBPRINT_LEN);
}

int
auth_revoked_seal(struct auth_revoked *rv, char *err, size_t errlen)
{
	char hex[AUTH_THUMBPRINT_HEX];
	unsigned i;

	qsort(rv->e, rv->n, sizeof(rv->e[0]), entry_cmp);
	for (i = 1; i < rv->n; i++)
		if (entry_cmp(&rv->e[i - 1], &rv->e[i]) == 0) {
			auth_thumbprint_hex(rv->e[i].sha1, hex);
			auth_errf(err, errlen, "revoked \"%s\" and \"%s\" both give thumbprint %s; "
				  "allowed: each certificate once", rv->e[i - 1].name, rv->e[i].name,
				  hex);
			return -EEXIST;
		}
	rv->sealed = true;
	return 0;
}

unsigned
auth_revoked_count(const struct auth_revoked *rv)
{
	return rv != NULL ? rv->n : 0;
}

const char *
auth_revoked_find(const struct auth_revoked *rv, const uint8_t sha1[AUTH_THUMBPRINT_LEN])
{
	const struct revoked_entry *e = NULL;
	unsigned i;

	if (rv == NULL || rv->n == 0)
		return NULL;
	if (rv->sealed) {
		e = bsearch(sha1, rv->e, rv->n, sizeof(rv->e[0]), entry_cmp);
	} else {
		/* Not sealed yet (a caller's mistake): slower, still right. */
		for (i = 0; i < rv->n && e == NULL; i++)
			if (entry_cmp(sha1, &rv->e[i]) == 0)
				e = &rv->e[i];
	}
	return e != NULL ? e->name : NULL;
}

int
auth_thumbprint(X509 *cert, uint8_t sha1[AUTH_THUMBPRINT_LEN])
{
	unsigned len = 0;

	if (X509_digest(cert, EVP_sha1(), sha1, &len) != 1 || len != AUTH_THUMBPRINT_LEN) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

void
auth_thumbprint_hex(const uint8_t sha1[AUTH_THUMBPRINT_LEN], char out[AUTH_THUMBPRINT_HEX])
{
	static const char digits[] = "0123456789ABCDEF";
	unsigned i;

	for (i = 0; i < AUTH_THUMBPRINT_LEN; i++) {
		out[2 * i] = digits[sha1[i] >> 4];
		out[2 * i + 1] = digits[sha1[i] & 0x0f];
	}
	out[2 * AUTH_THUMBPRINT_LEN] = '\0';
}
