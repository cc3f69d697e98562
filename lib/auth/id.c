/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Is the identity a client claims in IDi (RFC 7296 §3.5) one its verified
 * certificate names? RFC 4945 §3.1 pairs each ID type with a place in the
 * certificate: ID_DER_ASN1_DN with the subject, ID_FQDN with a dNSName
 * subjectAltName, ID_RFC822_ADDR with an rfc822Name, ID_IPV4_ADDR and
 * ID_IPV6_ADDR with an iPAddress. Clients are looser than the RFC: Windows
 * sends, for a user certificate without SANs, its CN as an FQDN or RFC822
 * ID, and enterprise user certificates carry the user's name as a UPN
 * (Microsoft's otherName) rather than an rfc822Name. Both are accepted,
 * because the CA that issued the certificate vouches for them as much as
 * for a SAN.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "auth_priv.h"

/* Names compare without regard to ASCII case (RFC 4343 for DNS names). */
static bool
same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;
	uint8_t x, y;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
		y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
		if (x != y)
			return false;
	}
	return true;
}

static bool
same_string(const ASN1_STRING *s, const struct ike_id *id)
{
	return s != NULL && s->length >= 0 &&
	       same_name(ASN1_STRING_get0_data(s), (size_t)s->length, id->data, id->len);
}

/* Subject attribute nid (CN, emailAddress) in any string type, as UTF-8. */
static bool
subject_attr_matches(X509 *cert, int nid, const struct ike_id *id)
{
	X509_NAME *name = X509_get_subject_name(cert);
	unsigned char *utf8;
	int i = -1, n;
	bool ok = false;

	while (!ok && (i = X509_NAME_get_index_by_NID(name, nid, i)) >= 0) {
		n = ASN1_STRING_to_UTF8(&utf8,
					X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
		if (n < 0)
			continue;
		ok = same_name(utf8, (size_t)n, id->data, id->len);
		OPENSSL_free(utf8);
	}
	return ok;
}

/* Microsoft's User Principal Name otherName, 1.3.6.1.4.1.311.20.2.3. */
static bool
upn_matches(const GENERAL_NAME *gn, const struct ike_id *id)
{
	ASN1_OBJECT *oid;
	ASN1_TYPE *value;
	char txt[32];

	if (GENERAL_NAME_get0_otherName(gn, &oid, &value) != 1 || value == NULL ||
	    value->type != V_ASN1_UTF8STRING)
		return false;
	if (OBJ_obj2txt(txt, sizeof(txt), oid, 1) <= 0 || strcmp(txt, "1.3.6.1.4.1.311.20.2.3"))
		return false;
	return same_string(value->value.utf8string, id);
}

static bool
san_matches(const GENERAL_NAME *gn, const struct ike_id *id)
{
	switch (id->type) {
	case IKE_ID_FQDN:
		return gn->type == GEN_DNS && same_string(gn->d.dNSName, id);
	case IKE_ID_RFC822_ADDR:
		if (gn->type == GEN_EMAIL)
			return same_string(gn->d.rfc822Name, id);
		return gn->type == GEN_OTHERNAME && upn_matches(gn, id);
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		/* Octets in network order on both sides (RFC 5280 §4.2.1.6). */
		return gn->type == GEN_IPADD && gn->d.iPAddress->length >= 0 &&
		       (size_t)gn->d.iPAddress->length == id->len &&
		       memcmp(gn->d.iPAddress->data, id->data, id->len) == 0;
	default:
		return false;
	}
}

static bool
any_san_matches(X509 *cert, const struct ike_id *id)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	bool ok = false;
	int i;

	for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans) && !ok; i++)
		ok = san_matches(sk_GENERAL_NAME_value(sans, i), id);
	GENERAL_NAMES_free(sans);
	return ok;
}

/* RFC 7296 §3.5: the DER of a Name; equal as DER or in canonical form. */
static int
dn_matches(X509 *cert, const struct ike_id *id, char *why, size_t whylen)
{
	const uint8_t *p = id->data;
	X509_NAME *dn;
	char text[160];
	int cmp;

	dn = id->len <= INT32_MAX ? d2i_X509_NAME(NULL, &p, (long)id->len) : NULL;
	if (dn == NULL || p != id->data + id->len) {
		X509_NAME_free(dn);
		auth_errf(why, whylen, "IDi of type DER_ASN1_DN is not one DER Name (%zu bytes)",
			  id->len);
		return -EINVAL;
	}
	/* X509_NAME_cmp() compares the canonical encodings: case and spaces folded. */
	cmp = X509_NAME_cmp(dn, X509_get_subject_name(cert));
	auth_name_text(dn, text, sizeof(text));
	X509_NAME_free(dn);
	if (cmp == 0) {
		auth_errf(why, whylen, "IDi %s is the certificate's subject", text);
		return 0;
	}
	auth_errf(why, whylen, "IDi %s is not the certificate's subject", text);
	return -EACCES;
}

/* The claimed name, quoted; control and non-ASCII bytes as \xNN (the client's text). */
static void
quote_id(const struct ike_id *id, char *out, size_t cap)
{
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < id->len && o + 10 < cap; i++) {
		if (id->data[i] >= 0x20 && id->data[i] < 0x7f && id->data[i] != '"' &&
		    id->data[i] != '\\')
			out[o++] = (char)id->data[i];
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", id->data[i]);
	}
	if (i < id->len)
		o += (size_t)snprintf(out + o, cap - o, "...");
	snprintf(out + o, cap - o, "\"");
}

static void
id_text(const struct ike_id *id, char *out, size_t cap)
{
	if ((id->type == IKE_ID_FQDN || id->type == IKE_ID_RFC822_ADDR) && cap > 8)
		quote_id(id, out, cap);
	else if (id->type == IKE_ID_IPV4_ADDR && id->len == 4)
		snprintf(out, cap, "%u.%u.%u.%u", id->data[0], id->data[1], id->data[2],
			 id->data[3]);
	else
		snprintf(out, cap, "(%zu bytes)", id->len);
}

int
auth_id_match(X509 *cert, const struct ike_id *id, char *why, size_t whylen)
{
	const char *type = ike_id_type_name(id->type);
	char claimed[128], subject[160];
	bool ok;

	switch (id->type) {
	case IKE_ID_DER_ASN1_DN:
		return dn_matches(cert, id, why, whylen);
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		/* Windows: a user certificate's CN, as FQDN or RFC822 ID. */
		ok = any_san_matches(cert, id) || subject_attr_matches(cert, NID_commonName, id) ||
		     (id->type == IKE_ID_RFC822_ADDR &&
		      subject_attr_matches(cert, NID_pkcs9_emailAddress, id));
		break;
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		ok = any_san_matches(cert, id);
		break;
	default:
		auth_errf(why, whylen, "IDi of type %s (%u) is not matched to certificates; "
			  "allowed: DER_ASN1_DN, FQDN, RFC822_ADDR, IPV4_ADDR, IPV6_ADDR",
			  type != NULL ? type : "unknown", id->type);
		return -ENOTSUP;
	}
	id_text(id, claimed, sizeof(claimed));
	auth_cert_subject(cert, subject, sizeof(subject));
	auth_errf(why, whylen, "IDi %s %s %s %s", type, claimed,
		  ok ? "is named by" : "is named neither by a subjectAltName nor the CN of", subject);
	return ok ? 0 : -EACCES;
}
