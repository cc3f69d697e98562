/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload bodies (RFC 7296 §3.4–§3.16) in both directions. Each parser runs
 * a validate_x() that checks every length and count against the body first,
 * then reads fields into a plain struct pointing into the body, as OpenBSD
 * iked does: a parser that reads is never the one that checks. Parsers and
 * builders touch nothing but their arguments. The SA payload lives in
 * proposal.c with the rest of proposal handling.
 *
 * Builders append to a struct ike_writer and patch the previous payload's
 * Next Payload field, so a message is built in order without knowing its
 * payloads in advance; a builder that does not fit changes nothing.
 */
#include <errno.h>
#include <string.h>

#include "ike_priv.h"

/* ---- DER, only as deep as IKE needs: one TLV's header ---- */

/*
 * The tag and content of the DER element at p (X.690 §8.1), which must fill
 * exactly len bytes. Lengths up to 4 octets; indefinite form is not DER.
 */
static int
der_exact(const uint8_t *p, size_t len, uint8_t tag)
{
	size_t n, hdr = 2, content = 0, i;

	if (len < 2 || p[0] != tag)
		return -EINVAL;
	if (p[1] < 0x80) {
		content = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 4 || len < 2 + n)
			return -EINVAL;
		for (i = 0; i < n; i++)
			content = content << 8 | p[2 + i];
		hdr += n;
	}
	return content == len - hdr ? 0 : -EINVAL;
}

/* ---- KE (§3.4), ID (§3.5), CERT (§3.6), CERTREQ (§3.7) ---- */

static int
validate_ke(const uint8_t *b, size_t len)
{
	/* Group, reserved (ignored on receipt), and some data. */
	(void)b;
	return len > 4 ? 0 : -EINVAL;
}

int
ike_ke_parse(const uint8_t *b, size_t len, struct ike_ke *ke)
{
	if (validate_ke(b, len) != 0)
		return -EINVAL;
	ke->group = ike_get16(b);
	ke->data = b + 4;
	ke->len = len - 4;
	return 0;
}

static int
validate_id(const uint8_t *b, size_t len)
{
	size_t n;

	if (len < 4)
		return -EINVAL;
	n = len - 4;
	switch (b[0]) {
	case IKE_ID_IPV4_ADDR:
		return n == 4 ? 0 : -EINVAL;
	case IKE_ID_IPV6_ADDR:
		return n == 16 ? 0 : -EINVAL;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		/* RFC 7296 §3.5: no terminators, so no NUL inside. */
		return n > 0 && memchr(b + 4, 0, n) == NULL ? 0 : -EINVAL;
	case IKE_ID_DER_ASN1_DN:
		return der_exact(b + 4, n, 0x30);   /* a Name is a SEQUENCE */
	case IKE_ID_NULL:
		return 0;                           /* RFC 7619 §3: data ignored */
	default:
		return n > 0 ? 0 : -EINVAL;         /* KEY_ID, GN, unknown: opaque */
	}
}

int
ike_id_parse(const uint8_t *b, size_t len, struct ike_id *id)
{
	if (validate_id(b, len) != 0)
		return -EINVAL;
	id->type = b[0];
	id->data = b + 4;
	id->len = len - 4;
	id->body = b;
	id->body_len = len;
	return 0;
}

static int
validate_cert(const uint8_t *b, size_t len)
{
	if (len < 2)
		return -EINVAL;
	switch (b[0]) {
	case IKE_CERT_X509_SIGNATURE:
		return der_exact(b + 1, len - 1, 0x30);
	case IKE_CERT_HASH_URL_X509:
	case IKE_CERT_HASH_URL_X509_BUNDLE:
		return len > 1 + 20 ? 0 : -EINVAL;   /* SHA-1 hash, then a URL */
	default:
		return 0;
	}
}

int
ike_cert_parse(const uint8_t *b, size_t len, struct ike_cert *cert)
{
	if (validate_cert(b, len) != 0)
		return -EINVAL;
	cert->encoding = b[0];
	cert->data = b + 1;
	cert->len = len - 1;
	return 0;
}

int
ike_certreq_parse(const uint8_t *b, size_t len, struct ike_certreq *cr)
{
	/* A hint only (RFC 7296 §3.7): any length after the encoding will do. */
	if (len < 1)
		return -EINVAL;
	cr->encoding = b[0];
	cr->data = b + 1;
	cr->len = len - 1;
	cr->n_ca = cr->encoding == IKE_CERT_X509_SIGNATURE ? (unsigned)(cr->len / 20) : 0;
	return 0;
}

/* ---- AUTH (§3.8, RFC 4754, RFC 7427) ---- */

/* RFC 7427 Appendix A: AlgorithmIdentifiers as clients send them. */
static const struct {
	enum ike_sig_alg alg;
	uint8_t len;
	uint8_t der[15];
} sig_algs[] = {
	{ IKE_SIG_RSA_SHA1, 15, { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				  0x01, 0x01, 0x05, 0x05, 0x00 } },
	{ IKE_SIG_RSA_SHA256, 15, { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				    0x01, 0x01, 0x0b, 0x05, 0x00 } },
	{ IKE_SIG_RSA_SHA384, 15, { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				    0x01, 0x01, 0x0c, 0x05, 0x00 } },
	{ IKE_SIG_RSA_SHA512, 15, { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				    0x01, 0x01, 0x0d, 0x05, 0x00 } },
	{ IKE_SIG_ECDSA_SHA256, 12, { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
				      0x03, 0x02 } },
	{ IKE_SIG_ECDSA_SHA384, 12, { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
				      0x03, 0x03 } },
	{ IKE_SIG_ECDSA_SHA512, 12, { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
				      0x03, 0x04 } },
	{ IKE_SIG_ED25519, 7, { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70 } },
};

/* id-RSASSA-PSS (1.2.840.113549.1.1.10): its parameters vary, the OID does not. */
static const uint8_t oid_rsassa_pss[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					  0x0d, 0x01, 0x01, 0x0a };

const uint8_t *
ike_sig_alg_der(enum ike_sig_alg alg, size_t *len)
{
	size_t i;

	for (i = 0; i < sizeof(sig_algs) / sizeof(sig_algs[0]); i++)
		if (sig_algs[i].alg == alg) {
			*len = sig_algs[i].len;
			return sig_algs[i].der;
		}
	*len = 0;
	return NULL;
}

enum ike_sig_alg
ike_sig_alg_from_der(const uint8_t *der, size_t len)
{
	size_t i, hdr;

	for (i = 0; i < sizeof(sig_algs) / sizeof(sig_algs[0]); i++)
		if (sig_algs[i].len == len && memcmp(sig_algs[i].der, der, len) == 0)
			return sig_algs[i].alg;
	if (der_exact(der, len, 0x30) != 0)
		return IKE_SIG_UNKNOWN;
	hdr = der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7fu);
	if (len - hdr >= sizeof(oid_rsassa_pss) &&
	    memcmp(der + hdr, oid_rsassa_pss, sizeof(oid_rsassa_pss)) == 0)
		return IKE_SIG_RSA_PSS;
	return IKE_SIG_UNKNOWN;
}

static int
validate_auth(const uint8_t *b, size_t len)
{
	size_t n, alg_len;

	if (len < 5)
		return -EINVAL;
	n = len - 4;
	switch (b[0]) {
	case IKE_AUTH_ECDSA_SHA256_P256:   /* RFC 4754 §7: r | s, fixed size */
		return n == 64 ? 0 : -EINVAL;
	case IKE_AUTH_ECDSA_SHA384_P384:
		return n == 96 ? 0 : -EINVAL;
	case IKE_AUTH_ECDSA_SHA512_P521:
		return n == 132 ? 0 : -EINVAL;
	case IKE_AUTH_DIGITAL_SIGNATURE:
		/* RFC 7427 §3: length octet, AlgorithmIdentifier, signature. */
		alg_len = b[4];
		if (alg_len < 2 || 1 + alg_len >= n)
			return -EINVAL;
		return der_exact(b + 5, alg_len, 0x30);
	default:
		return 0;
	}
}

int
ike_auth_parse(const uint8_t *b, size_t len, struct ike_auth *auth)
{
	if (validate_auth(b, len) != 0)
		return -EINVAL;
	memset(auth, 0, sizeof(*auth));
	auth->method = b[0];
	auth->data = b + 4;
	auth->len = len - 4;
	if (auth->method == IKE_AUTH_DIGITAL_SIGNATURE) {
		auth->alg_id_len = b[4];
		auth->alg_id = b + 5;
		auth->sig = auth->alg_id + auth->alg_id_len;
		auth->sig_len = auth->len - 1 - auth->alg_id_len;
		auth->sig_alg = ike_sig_alg_from_der(auth->alg_id, auth->alg_id_len);
	} else {
		auth->sig = auth->data;
		auth->sig_len = auth->len;
	}
	return 0;
}

/* ---- Nonce (§3.9) ---- */

int
ike_nonce_parse(const uint8_t *b, size_t len, struct ike_nonce *nonce)
{
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		return -EINVAL;
	nonce->data = b;
	nonce->len = len;
	return 0;
}

/* ---- Notify (§3.10) ---- */

/* The data lengths of the notifies whose data a responder reads. */
static int
validate_notify_data(uint16_t type, uint8_t protocol, uint8_t spi_size, size_t n)
{
	switch (type) {
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD:
		return n == 1 ? 0 : -EINVAL;
	case IKE_N_INVALID_KE_PAYLOAD:
		return n == 2 ? 0 : -EINVAL;
	case IKE_N_COOKIE:
		return n >= IKE_COOKIE_MIN && n <= IKE_COOKIE_MAX ? 0 : -EINVAL;
	case IKE_N_NAT_DETECTION_SOURCE_IP:
	case IKE_N_NAT_DETECTION_DESTINATION_IP:
		return n == IKE_NATD_LEN ? 0 : -EINVAL;
	case IKE_N_SIGNATURE_HASH_ALGORITHMS:
		return n % 2 == 0 ? 0 : -EINVAL;   /* RFC 7427 §4: 2-octet IDs */
	case IKE_N_REKEY_SA:
		/* RFC 7296 §1.3.3: the SPI of the CHILD_SA being rekeyed. */
		return (protocol == IKE_PROTO_ESP || protocol == IKE_PROTO_AH) && spi_size == 4
			       ? 0
			       : -EINVAL;
	default:
		return 0;
	}
}

static int
validate_notify(const uint8_t *b, size_t len)
{
	uint8_t spi_size;

	if (len < 4)
		return -EINVAL;
	spi_size = b[1];
	if (spi_size > IKE_SPI_MAX || len - 4 < spi_size)
		return -EINVAL;
	return validate_notify_data(ike_get16(b + 2), b[0], spi_size, len - 4 - spi_size);
}

int
ike_notify_parse(const uint8_t *b, size_t len, struct ike_notify *n)
{
	if (validate_notify(b, len) != 0)
		return -EINVAL;
	n->protocol = b[0];
	n->spi_size = b[1];
	n->type = ike_get16(b + 2);
	n->spi = b + 4;
	n->data = b + 4 + n->spi_size;
	n->len = len - 4 - n->spi_size;
	return 0;
}

uint16_t
ike_notify_hash_alg(const struct ike_notify *n, size_t i)
{
	return 2 * i + 1 < n->len ? ike_get16(n->data + 2 * i) : 0;
}

uint16_t
ike_notify_ke_group(const struct ike_notify *n)
{
	return n->type == IKE_N_INVALID_KE_PAYLOAD && n->len == 2 ? ike_get16(n->data) : 0;
}

int
ike_chain_find_notify(const struct ike_chain *chain, uint16_t type, struct ike_notify *n)
{
	int i = -1;

	while ((i = ike_chain_find(chain, IKE_PL_NOTIFY, (unsigned)(i + 1))) >= 0) {
		const struct ike_payload *p = &chain->pl[i];

		/* Peek at the type only after the payload is known to hold one. */
		if (p->len >= 4 && ike_get16(p->body + 2) == type)
			return ike_notify_parse(p->body, p->len, n);
	}
	return -ENOENT;
}

/* ---- Delete (§3.11) ---- */

static int
validate_delete(const uint8_t *b, size_t len)
{
	uint8_t protocol, spi_size;
	uint16_t n;

	if (len < 4)
		return -EINVAL;
	protocol = b[0];
	spi_size = b[1];
	n = ike_get16(b + 2);
	if (protocol == IKE_PROTO_IKE)
		return spi_size == 0 && n == 0 && len == 4 ? 0 : -EINVAL;
	if (spi_size != 4 || n == 0)
		return -EINVAL;
	return (size_t)n * spi_size == len - 4 ? 0 : -EINVAL;
}

int
ike_delete_parse(const uint8_t *b, size_t len, struct ike_delete *d)
{
	if (validate_delete(b, len) != 0)
		return -EINVAL;
	d->protocol = b[0];
	d->spi_size = b[1];
	d->n_spi = ike_get16(b + 2);
	d->spis = b + 4;
	return 0;
}

/* ---- Traffic selectors (§3.13) ---- */

#define TS_HDR_LEN 8    /* type, protocol, selector length, ports */
#define TS_IPV4_LEN 16
#define TS_IPV6_LEN 40

static int
validate_ts(const uint8_t *b, size_t len)
{
	unsigned n, i, n_ipv4 = 0;
	size_t off = 4;

	if (len < 4 || b[0] == 0)
		return -EINVAL;
	n = b[0];
	for (i = 0; i < n; i++) {
		uint16_t sel_len;

		if (len - off < TS_HDR_LEN)
			return -EINVAL;
		sel_len = ike_get16(b + off + 2);
		if (sel_len < TS_HDR_LEN || sel_len > len - off)
			return -EINVAL;
		if (b[off] == IKE_TS_IPV4_ADDR_RANGE) {
			if (sel_len != TS_IPV4_LEN)
				return -EINVAL;
			if (++n_ipv4 > IKE_TS_MAX)
				return -E2BIG;
		} else if (b[off] == IKE_TS_IPV6_ADDR_RANGE && sel_len != TS_IPV6_LEN) {
			return -EINVAL;
		}
		off += sel_len;
	}
	return off == len ? 0 : -EINVAL;
}

int
ike_ts_parse(const uint8_t *b, size_t len, struct ike_ts *ts)
{
	size_t off = 4;
	unsigned i;
	int rc = validate_ts(b, len);

	if (rc != 0)
		return rc;
	memset(ts, 0, sizeof(*ts));
	for (i = 0; i < b[0]; i++) {
		const uint8_t *s = b + off;

		if (s[0] == IKE_TS_IPV4_ADDR_RANGE) {
			struct ike_ts_ipv4 *t = &ts->ts[ts->n++];

			t->ip_proto = s[1];
			t->start_port = ike_get16(s + 4);
			t->end_port = ike_get16(s + 6);
			t->start_addr = ike_get32(s + 8);
			t->end_addr = ike_get32(s + 12);
		} else {
			ts->n_other++;
		}
		off += ike_get16(s + 2);
	}
	return 0;
}

/* ---- Configuration (§3.15) ---- */

/* Allowed value lengths of the attributes we know, as a bit set of lengths. */
static bool
cp_attr_len_ok(uint16_t type, uint16_t len)
{
	switch (type) {
	case IKE_CFGA_INTERNAL_IP4_ADDRESS:
	case IKE_CFGA_INTERNAL_IP4_NETMASK:
	case IKE_CFGA_INTERNAL_IP4_DNS:
	case IKE_CFGA_INTERNAL_IP4_NBNS:
	case IKE_CFGA_INTERNAL_IP4_DHCP:
		return len == 0 || len == 4;
	case IKE_CFGA_INTERNAL_IP4_SUBNET:
		return len == 0 || len == 8;
	case IKE_CFGA_INTERNAL_IP6_ADDRESS:
	case IKE_CFGA_INTERNAL_IP6_SUBNET:
		return len == 0 || len == 17;
	case IKE_CFGA_INTERNAL_IP6_DNS:
	case IKE_CFGA_INTERNAL_IP6_DHCP:
		return len == 0 || len == 16;
	case IKE_CFGA_SUPPORTED_ATTRIBUTES:
		return len % 2 == 0;
	default:
		return true;
	}
}

static bool
cp_attr_known(uint16_t type)
{
	return ike_cfg_attr_name(type) != NULL;
}

static int
validate_cp(const uint8_t *b, size_t len)
{
	size_t off = 4;
	unsigned kept = 0;

	if (len < 4)
		return -EINVAL;
	while (off < len) {
		uint16_t type, alen;

		if (len - off < 4)
			return -EINVAL;
		type = ike_get16(b + off) & 0x7fff;
		alen = ike_get16(b + off + 2);
		if (alen > len - off - 4)
			return -EINVAL;
		if (cp_attr_known(type)) {
			if (!cp_attr_len_ok(type, alen))
				return -EINVAL;
			if (++kept > IKE_CP_ATTRS_MAX)
				return -E2BIG;
		}
		off += 4u + alen;
	}
	return 0;
}

int
ike_cp_parse(const uint8_t *b, size_t len, struct ike_cp *cp)
{
	size_t off = 4;
	int rc = validate_cp(b, len);

	if (rc != 0)
		return rc;
	memset(cp, 0, sizeof(*cp));
	cp->cfg_type = b[0];
	while (off < len) {
		uint16_t type = ike_get16(b + off) & 0x7fff, alen = ike_get16(b + off + 2);

		if (cp_attr_known(type)) {
			struct ike_cp_attr *a = &cp->attr[cp->n++];

			a->type = type;
			a->len = alen;
			a->value = b + off + 4;
		} else {
			cp->n_skipped++;
		}
		off += 4u + alen;
	}
	return 0;
}

/* ---- EAP (§3.16): opaque, but its own length must agree ---- */

static int
validate_eap(const uint8_t *b, size_t len)
{
	if (len < 4 || ike_get16(b + 2) != len)
		return -EINVAL;
	if ((b[0] == 1 || b[0] == 2) && len < 5)
		return -EINVAL;   /* RFC 3748 §4: requests and responses carry a type */
	return b[0] >= 1 && b[0] <= 4 ? 0 : -EINVAL;
}

int
ike_eap_parse(const uint8_t *b, size_t len, struct ike_eap *eap)
{
	if (validate_eap(b, len) != 0)
		return -EINVAL;
	eap->code = b[0];
	eap->identifier = b[1];
	eap->type = eap->code <= 2 ? b[4] : 0;
	eap->data = b;
	eap->len = len;
	return 0;
}

/* ---- the writer ---- */

int
ike_writer_msg(struct ike_writer *w, uint8_t *buf, size_t cap, const struct ike_header *hdr)
{
	struct ike_header h = *hdr;

	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	if (cap < IKE_HDR_LEN)
		return -ENOSPC;
	h.next_payload = IKE_PL_NONE;
	h.length = IKE_HDR_LEN;
	ike_header_encode(&h, buf);
	w->len = IKE_HDR_LEN;
	w->np_at = 16;
	w->has_header = true;
	return 0;
}

void
ike_writer_chain(struct ike_writer *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->np_at = SIZE_MAX;
}

int
ike_writer_finish(struct ike_writer *w)
{
	if (w->has_header)
		ike_put32(w->buf + 24, (uint32_t)w->len);
	return (int)w->len;
}

/*
 * Reserve a payload of body_len bytes and link it into the chain. Returns
 * its body, or NULL (nothing changed) if it does not fit.
 */
uint8_t *
ike_put_begin(struct ike_writer *w, uint8_t type, size_t body_len)
{
	size_t total;
	uint8_t *p;

	if (body_len > UINT16_MAX - IKE_GENERIC_LEN || w->cap < w->len)
		return NULL;
	total = IKE_GENERIC_LEN + body_len;
	if (w->cap - w->len < total)
		return NULL;
	p = w->buf + w->len;
	p[0] = IKE_PL_NONE;
	p[1] = 0;
	ike_put16(p + 2, (uint16_t)total);
	if (w->np_at == SIZE_MAX)
		w->first = type;
	else
		w->buf[w->np_at] = type;
	w->np_at = w->len;
	w->len += total;
	return p + IKE_GENERIC_LEN;
}

int
ike_put_raw(struct ike_writer *w, uint8_t type, const void *body, size_t len)
{
	uint8_t *p = ike_put_begin(w, type, len);

	if (p == NULL)
		return -ENOSPC;
	if (len > 0)
		memcpy(p, body, len);
	return (int)(IKE_GENERIC_LEN + len);
}

/* A body of a fixed 4-byte lead-in and data, the shape of most payloads. */
static int
put_lead4(struct ike_writer *w, uint8_t type, const uint8_t lead[4], const void *data,
	  size_t len)
{
	uint8_t *p = ike_put_begin(w, type, 4 + len);

	if (p == NULL)
		return -ENOSPC;
	memcpy(p, lead, 4);
	if (len > 0)
		memcpy(p + 4, data, len);
	return (int)(IKE_GENERIC_LEN + 4 + len);
}

int
ike_put_ke(struct ike_writer *w, uint16_t group, const uint8_t *data, size_t len)
{
	uint8_t lead[4] = { (uint8_t)(group >> 8), (uint8_t)group, 0, 0 };

	return put_lead4(w, IKE_PL_KE, lead, data, len);
}

int
ike_put_id(struct ike_writer *w, uint8_t pl_type, uint8_t id_type, const void *data, size_t len)
{
	uint8_t lead[4] = { id_type, 0, 0, 0 };

	return put_lead4(w, pl_type, lead, data, len);
}

/* A body of one lead octet and data: CERT and CERTREQ (§3.6, §3.7). */
static int
put_lead1(struct ike_writer *w, uint8_t type, uint8_t lead, const uint8_t *data, size_t len)
{
	uint8_t *p = ike_put_begin(w, type, 1 + len);

	if (p == NULL)
		return -ENOSPC;
	p[0] = lead;
	if (len > 0)
		memcpy(p + 1, data, len);
	return (int)(IKE_GENERIC_LEN + 1 + len);
}

int
ike_put_cert(struct ike_writer *w, uint8_t encoding, const uint8_t *data, size_t len)
{
	return put_lead1(w, IKE_PL_CERT, encoding, data, len);
}

int
ike_put_certreq(struct ike_writer *w, uint8_t encoding, const uint8_t *data, size_t len)
{
	return put_lead1(w, IKE_PL_CERTREQ, encoding, data, len);
}

int
ike_put_auth(struct ike_writer *w, uint8_t method, const uint8_t *data, size_t len)
{
	uint8_t lead[4] = { method, 0, 0, 0 };

	return put_lead4(w, IKE_PL_AUTH, lead, data, len);
}

int
ike_put_auth_sig(struct ike_writer *w, const uint8_t *alg_id, size_t alg_len, const uint8_t *sig,
		 size_t sig_len)
{
	uint8_t *p;

	if (alg_len == 0 || alg_len > UINT8_MAX)
		return -EINVAL;
	p = ike_put_begin(w, IKE_PL_AUTH, 4 + 1 + alg_len + sig_len);
	if (p == NULL)
		return -ENOSPC;
	memset(p, 0, 4);
	p[0] = IKE_AUTH_DIGITAL_SIGNATURE;
	p[4] = (uint8_t)alg_len;
	memcpy(p + 5, alg_id, alg_len);
	if (sig_len > 0)
		memcpy(p + 5 + alg_len, sig, sig_len);
	return (int)(IKE_GENERIC_LEN + 5 + alg_len + sig_len);
}

int
ike_put_nonce(struct ike_writer *w, const uint8_t *nonce, size_t len)
{
	return ike_put_raw(w, IKE_PL_NONCE, nonce, len);
}

int
ike_put_notify(struct ike_writer *w, uint8_t protocol, const uint8_t *spi, uint8_t spi_size,
	       uint16_t type, const void *data, size_t len)
{
	uint8_t *p = ike_put_begin(w, IKE_PL_NOTIFY, 4 + (size_t)spi_size + len);

	if (p == NULL)
		return -ENOSPC;
	p[0] = protocol;
	p[1] = spi_size;
	ike_put16(p + 2, type);
	if (spi_size > 0)
		memcpy(p + 4, spi, spi_size);
	if (len > 0)
		memcpy(p + 4 + spi_size, data, len);
	return (int)(IKE_GENERIC_LEN + 4 + spi_size + len);
}

int
ike_put_delete(struct ike_writer *w, uint8_t protocol, uint8_t spi_size, const uint8_t *spis,
	       uint16_t n_spi)
{
	uint8_t lead[4] = { protocol, spi_size, (uint8_t)(n_spi >> 8), (uint8_t)n_spi };

	return put_lead4(w, IKE_PL_DELETE, lead, spis, (size_t)spi_size * n_spi);
}

int
ike_put_ts(struct ike_writer *w, uint8_t pl_type, const struct ike_ts_ipv4 *ts, unsigned n)
{
	uint8_t *p;
	unsigned i;

	if (n == 0 || n > UINT8_MAX)
		return -EINVAL;
	p = ike_put_begin(w, pl_type, 4 + (size_t)n * TS_IPV4_LEN);
	if (p == NULL)
		return -ENOSPC;
	memset(p, 0, 4);
	p[0] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		uint8_t *s = p + 4 + i * TS_IPV4_LEN;

		s[0] = IKE_TS_IPV4_ADDR_RANGE;
		s[1] = ts[i].ip_proto;
		ike_put16(s + 2, TS_IPV4_LEN);
		ike_put16(s + 4, ts[i].start_port);
		ike_put16(s + 6, ts[i].end_port);
		ike_put32(s + 8, ts[i].start_addr);
		ike_put32(s + 12, ts[i].end_addr);
	}
	return (int)(IKE_GENERIC_LEN + 4 + n * TS_IPV4_LEN);
}

int
ike_put_cp(struct ike_writer *w, uint8_t cfg_type, const struct ike_cp_attr *attr, unsigned n)
{
	size_t body = 4, off = 4;
	unsigned i;
	uint8_t *p;

	for (i = 0; i < n; i++)
		body += 4u + attr[i].len;
	p = ike_put_begin(w, IKE_PL_CP, body);
	if (p == NULL)
		return -ENOSPC;
	memset(p, 0, 4);
	p[0] = cfg_type;
	for (i = 0; i < n; i++) {
		ike_put16(p + off, attr[i].type & 0x7fff);
		ike_put16(p + off + 2, attr[i].len);
		if (attr[i].len > 0)
			memcpy(p + off + 4, attr[i].value, attr[i].len);
		off += 4u + attr[i].len;
	}
	return (int)(IKE_GENERIC_LEN + body);
}
