/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA payloads (RFC 7296 §3.3): proposals, transforms and their attributes,
 * in and out, and the choice a responder makes (§2.7). The client's offer is
 * validated whole before anything is read from it; afterwards proposals are
 * references into the message and transforms are read with an iterator, so
 * an offer of any size costs no allocation.
 *
 * What we accept is a list of proposals, each a cross product of algorithm
 * lists in our order of preference. The choice takes the client's proposals
 * in the client's order (the client's preference, §2.7) and, within the
 * first acceptable one, each transform in our order. The built-in sets hold
 * what the clients we serve send by default (docs/ikev2.md says where each
 * comes from); ESP sets hold only what lib/esp can run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike_priv.h"

#define PROPOSAL_HDR_LEN 8
#define TRANSFORM_HDR_LEN 8
#define ATTR_KEY_LENGTH 14   /* RFC 7296 §3.3.5, the only attribute defined */
#define ATTR_TV 0x8000

/* ---- validation (§3.3.1, §3.3.2, §3.3.5) ---- */

static int
validate_attributes(const uint8_t *a, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 4)
			return -EINVAL;
		if (ike_get16(a + off) & ATTR_TV)
			off += 4;
		else if (ike_get16(a + off + 2) > len - off - 4)
			return -EINVAL;
		else
			off += 4u + ike_get16(a + off + 2);
	}
	return 0;
}

static int
validate_transform(const uint8_t *t, size_t len, bool last, size_t *t_len)
{
	uint16_t n;

	if (len < TRANSFORM_HDR_LEN)
		return -EINVAL;
	n = ike_get16(t + 2);
	if (n < TRANSFORM_HDR_LEN || n > len)
		return -EINVAL;
	/* "Last Substruc": 0 on the last transform, 3 on the others. */
	if (t[0] != (last ? 0 : 3))
		return -EINVAL;
	*t_len = n;
	return validate_attributes(t + TRANSFORM_HDR_LEN, n - TRANSFORM_HDR_LEN);
}

static int
validate_proposal(const uint8_t *p, size_t len, uint8_t number, bool last, size_t *p_len)
{
	size_t off, t_len;
	uint16_t n;
	unsigned i;

	if (len < PROPOSAL_HDR_LEN)
		return -EINVAL;
	n = ike_get16(p + 2);
	if (n < PROPOSAL_HDR_LEN || n > len || p[0] != (last ? 0 : 2))
		return -EINVAL;
	/* §3.3.1: numbered from one, each one more than the previous. */
	if (p[4] != number || p[6] > IKE_SPI_MAX || p[7] == 0)
		return -EINVAL;
	off = PROPOSAL_HDR_LEN + p[6];
	if (off > n)
		return -EINVAL;
	for (i = 0; i < p[7]; i++) {
		if (validate_transform(p + off, n - off, i + 1u == p[7], &t_len) != 0)
			return -EINVAL;
		off += t_len;
	}
	if (off != n)
		return -EINVAL;
	*p_len = n;
	return 0;
}

static int
validate_sa(const uint8_t *b, size_t len)
{
	size_t off = 0, p_len;
	unsigned n = 0;

	while (off < len) {
		bool last;

		if (len - off < PROPOSAL_HDR_LEN)
			return -EINVAL;
		if (n == IKE_PROPOSALS_MAX)
			return -E2BIG;
		last = b[off] == 0;
		if (validate_proposal(b + off, len - off, (uint8_t)(n + 1), last, &p_len) != 0)
			return -EINVAL;
		off += p_len;
		n++;
		if (last != (off == len))
			return -EINVAL;
	}
	return n > 0 ? 0 : -EINVAL;
}

int
ike_sa_parse(const uint8_t *b, size_t len, struct ike_sa_offer *sa)
{
	size_t off = 0;
	int rc = validate_sa(b, len);

	if (rc != 0)
		return rc;
	memset(sa, 0, sizeof(*sa));
	while (off < len) {
		struct ike_proposal_ref *p = &sa->proposal[sa->n++];
		uint16_t p_len = ike_get16(b + off + 2);

		p->number = b[off + 4];
		p->protocol = b[off + 5];
		p->spi_size = b[off + 6];
		p->n_transforms = b[off + 7];
		p->spi = b + off + PROPOSAL_HDR_LEN;
		p->transforms = p->spi + p->spi_size;
		p->transforms_len = p_len - PROPOSAL_HDR_LEN - p->spi_size;
		off += p_len;
	}
	return 0;
}

void
ike_transform_iter_init(struct ike_transform_iter *it, const struct ike_proposal_ref *p)
{
	it->pos = p->transforms;
	it->end = p->transforms + p->transforms_len;
}

/* Attributes of one transform: the key length, and whether any is unknown. */
static void
transform_attributes(const uint8_t *a, size_t len, struct ike_transform *t)
{
	size_t off = 0;

	while (len - off >= 4) {
		uint16_t type = ike_get16(a + off);

		if (type == (ATTR_TV | ATTR_KEY_LENGTH) && t->key_len == 0) {
			t->key_len = ike_get16(a + off + 2);
			off += 4;
			continue;
		}
		/* §3.3.6: a transform with an attribute we do not know is unusable. */
		t->unknown_attr = true;
		if (type & ATTR_TV)
			off += 4;
		else if (ike_get16(a + off + 2) <= len - off - 4)
			off += 4u + ike_get16(a + off + 2);
		else
			return;
	}
}

bool
ike_transform_next(struct ike_transform_iter *it, struct ike_transform *t)
{
	uint16_t n;

	/* Checked again: an iterator must be safe even on what was not validated. */
	if (it->end - it->pos < TRANSFORM_HDR_LEN)
		return false;
	n = ike_get16(it->pos + 2);
	if (n < TRANSFORM_HDR_LEN || n > it->end - it->pos)
		return false;
	memset(t, 0, sizeof(*t));
	t->type = it->pos[4];
	t->id = ike_get16(it->pos + 6);
	transform_attributes(it->pos + TRANSFORM_HDR_LEN, n - TRANSFORM_HDR_LEN, t);
	it->pos += n;
	return true;
}

/* ---- building (§3.3) ---- */

static size_t
transform_len(const struct ike_transform *t)
{
	return TRANSFORM_HDR_LEN + (t->key_len ? 4 : 0);
}

static size_t
proposal_len(const struct ike_proposal_out *p)
{
	size_t n = PROPOSAL_HDR_LEN + p->spi_size;
	unsigned i;

	for (i = 0; i < p->n; i++)
		n += transform_len(&p->t[i]);
	return n;
}

static uint8_t *
write_transform(uint8_t *o, const struct ike_transform *t, bool last)
{
	size_t n = transform_len(t);

	o[0] = last ? 0 : 3;
	o[1] = 0;
	ike_put16(o + 2, (uint16_t)n);
	o[4] = t->type;
	o[5] = 0;
	ike_put16(o + 6, t->id);
	if (t->key_len) {
		ike_put16(o + 8, ATTR_TV | ATTR_KEY_LENGTH);
		ike_put16(o + 10, t->key_len);
	}
	return o + n;
}

int
ike_put_sa(struct ike_writer *w, const struct ike_proposal_out *p, unsigned n)
{
	size_t total = 0;
	unsigned i, j;
	uint8_t *o;

	if (n == 0 || n > IKE_PROPOSALS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (p[i].n == 0 || p[i].n > UINT8_MAX || p[i].spi_size > IKE_SPI_MAX)
			return -EINVAL;
		total += proposal_len(&p[i]);
	}
	o = ike_put_begin(w, IKE_PL_SA, total);
	if (o == NULL)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		o[0] = i + 1 == n ? 0 : 2;
		o[1] = 0;
		ike_put16(o + 2, (uint16_t)proposal_len(&p[i]));
		o[4] = p[i].number ? p[i].number : (uint8_t)(i + 1);
		o[5] = p[i].protocol;
		o[6] = p[i].spi_size;
		o[7] = (uint8_t)p[i].n;
		if (p[i].spi_size)
			memcpy(o + PROPOSAL_HDR_LEN, p[i].spi, p[i].spi_size);
		o += PROPOSAL_HDR_LEN + p[i].spi_size;
		for (j = 0; j < p[i].n; j++)
			o = write_transform(o, &p[i].t[j], j + 1 == p[i].n);
	}
	return (int)(IKE_GENERIC_LEN + total);
}

int
ike_put_sa_choice(struct ike_writer *w, const struct ike_choice *c, const uint8_t *spi,
		  uint8_t spi_size)
{
	struct ike_transform t[5];
	struct ike_proposal_out p = { .number = c->number, .protocol = c->protocol,
				      .spi_size = spi_size, .spi = spi, .t = t };
	unsigned n = 0;

	memset(t, 0, sizeof(t));
	t[n++] = (struct ike_transform){ .type = IKE_XF_ENCR, .id = c->encr,
					 .key_len = c->encr_key_len };
	if (c->protocol == IKE_PROTO_IKE)
		t[n++] = (struct ike_transform){ .type = IKE_XF_PRF, .id = c->prf };
	if (!c->aead)
		t[n++] = (struct ike_transform){ .type = IKE_XF_INTEG, .id = c->integ };
	if (c->protocol == IKE_PROTO_IKE || c->dh != IKE_DH_NONE)
		t[n++] = (struct ike_transform){ .type = IKE_XF_DH, .id = c->dh };
	if (c->protocol != IKE_PROTO_IKE)
		t[n++] = (struct ike_transform){ .type = IKE_XF_ESN, .id = c->esn };
	p.n = n;
	return ike_put_sa(w, &p, 1);
}

/* ---- choosing (§2.7, §3.3.6) ---- */

bool
ike_encr_is_aead(uint16_t encr)
{
	const struct ike_encr_info *e = ike_encr_info(encr);

	return e != NULL && e->aead;
}

/* Does the client's proposal hold this transform, usable as it is? */
static bool
offered(const struct ike_proposal_ref *p, uint8_t type, uint16_t id, uint16_t key_len)
{
	struct ike_transform_iter it;
	struct ike_transform t;

	ike_transform_iter_init(&it, p);
	while (ike_transform_next(&it, &t))
		if (t.type == type && t.id == id && t.key_len == key_len && !t.unknown_attr)
			return true;
	return false;
}

/* Does it hold any transform of this type other than id? */
static bool
offered_other(const struct ike_proposal_ref *p, uint8_t type, uint16_t id)
{
	struct ike_transform_iter it;
	struct ike_transform t;

	ike_transform_iter_init(&it, p);
	while (ike_transform_next(&it, &t))
		if (t.type == type && t.id != id)
			return true;
	return false;
}

static bool
offered_type(const struct ike_proposal_ref *p, uint8_t type)
{
	struct ike_transform_iter it;
	struct ike_transform t;

	ike_transform_iter_init(&it, p);
	while (ike_transform_next(&it, &t))
		if (t.type == type)
			return true;
	return false;
}

/*
 * §3.3.6: a proposal with a transform type we do not understand, or one that
 * does not belong to its protocol (§3.3.3), is unacceptable as a whole.
 */
static bool
proposal_usable(const struct ike_proposal_ref *p, uint8_t protocol)
{
	struct ike_transform_iter it;
	struct ike_transform t;

	if (protocol == IKE_PROTO_IKE ? p->spi_size != 0 && p->spi_size != 8 : p->spi_size != 4)
		return false;
	ike_transform_iter_init(&it, p);
	while (ike_transform_next(&it, &t)) {
		if (t.type < IKE_XF_ENCR || t.type > IKE_XF_ESN)
			return false;
		if (protocol == IKE_PROTO_IKE ? t.type == IKE_XF_ESN : t.type == IKE_XF_PRF)
			return false;
	}
	return true;
}

/* First of ours (in our order) that the client offers; false if none. */
static bool
pick(const struct ike_proposal_ref *p, uint8_t type, const uint16_t *ours, unsigned n,
     uint16_t *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (offered(p, type, ours[i], 0)) {
			*out = ours[i];
			return true;
		}
	return false;
}

static bool
pick_encr(const struct ike_accept_proposal *a, const struct ike_proposal_ref *p,
	  struct ike_choice *c)
{
	unsigned i;

	for (i = 0; i < a->n_encr; i++)
		if (offered(p, IKE_XF_ENCR, a->encr[i].id, a->encr[i].key_len)) {
			c->encr = a->encr[i].id;
			c->encr_key_len = a->encr[i].key_len;
			c->aead = ike_encr_is_aead(c->encr);
			return true;
		}
	return false;
}

static bool
pick_integ(const struct ike_accept_proposal *a, const struct ike_proposal_ref *p,
	   struct ike_choice *c)
{
	c->integ = IKE_INTEG_NONE;
	/* RFC 5282 §8: with a combined-mode cipher, integ is absent or NONE. */
	if (c->aead)
		return !offered_other(p, IKE_XF_INTEG, IKE_INTEG_NONE);
	return pick(p, IKE_XF_INTEG, a->integ, a->n_integ, &c->integ);
}

static bool
pick_esn(const struct ike_accept_proposal *a, const struct ike_proposal_ref *p,
	 struct ike_choice *c)
{
	static const uint16_t esn_off[] = { IKE_ESN_NO };

	c->esn = IKE_ESN_NO;
	/* ESN is mandatory for ESP (§3.3.3), but a proposal without it means "off". */
	if (!offered_type(p, IKE_XF_ESN))
		return true;
	if (a->n_esn == 0)
		return pick(p, IKE_XF_ESN, esn_off, 1, &c->esn);
	return pick(p, IKE_XF_ESN, a->esn, a->n_esn, &c->esn);
}

/*
 * The key exchange group. Returns 0 when it agrees with the KE payload (or
 * none is needed), 1 when only the group is wrong (c->dh: what to ask for),
 * -1 when no group can be agreed.
 */
static int
pick_dh(const struct ike_accept_proposal *a, const struct ike_proposal_ref *p, uint16_t ke_group,
	struct ike_choice *c)
{
	unsigned i;

	c->dh = IKE_DH_NONE;
	/* No KE: the first CHILD_SA in IKE_AUTH ignores its DH transforms (§1.2). */
	if (a->protocol != IKE_PROTO_IKE && ke_group == IKE_DH_NONE)
		return 0;
	if (ke_group != IKE_DH_NONE && offered(p, IKE_XF_DH, ke_group, 0)) {
		for (i = 0; i < a->n_dh; i++)
			if (a->dh[i] == ke_group) {
				c->dh = ke_group;
				return 0;
			}
	}
	return pick(p, IKE_XF_DH, a->dh, a->n_dh, &c->dh) ? 1 : -1;
}

static int
match_one(const struct ike_accept_proposal *a, const struct ike_proposal_ref *p, uint16_t ke_group,
	  struct ike_choice *c)
{
	memset(c, 0, sizeof(*c));
	c->number = p->number;
	c->protocol = p->protocol;
	c->spi_size = p->spi_size;
	memcpy(c->spi, p->spi, p->spi_size);
	if (!pick_encr(a, p, c) || !pick_integ(a, p, c))
		return -1;
	if (a->protocol == IKE_PROTO_IKE) {
		if (!pick(p, IKE_XF_PRF, a->prf, a->n_prf, &c->prf))
			return -1;
	} else if (!pick_esn(a, p, c)) {
		return -1;
	}
	return pick_dh(a, p, ke_group, c);
}

int
ike_proposal_match(const struct ike_accept *acc, const struct ike_sa_offer *offer,
		   uint8_t protocol, uint16_t ke_group, struct ike_choice *c)
{
	struct ike_choice cand, tmp;
	bool have_cand = false;
	unsigned i, j;

	for (i = 0; i < offer->n; i++) {
		const struct ike_proposal_ref *p = &offer->proposal[i];

		if (p->protocol != protocol || !proposal_usable(p, protocol))
			continue;
		for (j = 0; j < acc->n; j++) {
			int rc;

			if (acc->p[j].protocol != protocol)
				continue;
			rc = match_one(&acc->p[j], p, ke_group, &tmp);
			if (rc == 0) {
				*c = tmp;
				return 0;
			}
			/*
			 * Right but for the group: remember the first such, and
			 * keep looking for one that needs no round trip.
			 */
			if (rc == 1 && !have_cand) {
				cand = tmp;
				have_cand = true;
			}
		}
	}
	if (have_cand) {
		*c = cand;
		return -EAGAIN;
	}
	return -ENOENT;
}

/* ---- checking a configured set ---- */

static int
check_fail(char *err, size_t errlen, const char *set, unsigned i, const char *what)
{
	snprintf(err, errlen, "%s: proposal %u: %s", set ? set : "accepted set", i + 1, what);
	return -EINVAL;
}

static const char *
check_lists(const struct ike_accept_proposal *a)
{
	unsigned i;
	bool aead;

	if (a->n_encr == 0 || a->n_encr > IKE_ALGS_MAX || a->n_integ > IKE_ALGS_MAX ||
	    a->n_prf > IKE_ALGS_MAX || a->n_dh > IKE_ALGS_MAX || a->n_esn > IKE_ALGS_MAX)
		return "encr needs 1 to 8 algorithms, the other lists at most 8";
	aead = ike_encr_is_aead(a->encr[0].id);
	for (i = 0; i < a->n_encr; i++) {
		const struct ike_encr_info *e = ike_encr_info(a->encr[i].id);

		if (e == NULL || !ike_encr_key_ok(e, a->encr[i].key_len))
			return "encr: allowed are AES-CBC and AES-GCM-16 (128, 192, 256) and 3DES";
		if (e->aead != aead)
			return "encr: AEAD and non-AEAD ciphers go in separate proposals (RFC 5282 §8)";
	}
	if (aead ? a->n_integ != 0 : a->n_integ == 0)
		return "integ: none with AES-GCM, at least one otherwise";
	for (i = 0; i < a->n_integ; i++)
		if (ike_integ_info(a->integ[i]) == NULL)
			return "integ: allowed are HMAC-SHA1-96, HMAC-SHA2-256-128, -384-192, -512-256";
	for (i = 0; i < a->n_esn; i++)
		if (a->esn[i] > IKE_ESN_YES)
			return "esn: allowed are 0 (off) and 1 (on)";
	return NULL;
}

static const char *
check_proposal(const struct ike_accept_proposal *a)
{
	const char *why;
	unsigned i;

	if (a->protocol != IKE_PROTO_IKE && a->protocol != IKE_PROTO_ESP)
		return "protocol: allowed are IKE (1) and ESP (3)";
	why = check_lists(a);
	if (why != NULL)
		return why;
	if (a->protocol == IKE_PROTO_IKE && (a->n_prf == 0 || a->n_dh == 0))
		return "an IKE proposal needs prf and dh";
	if (a->protocol == IKE_PROTO_ESP && a->n_prf != 0)
		return "an ESP proposal has no prf";
	for (i = 0; i < a->n_prf; i++)
		if (ike_prf_digest(a->prf[i]) == NULL)
			return "prf: allowed are HMAC-SHA1 and HMAC-SHA2-256, -384, -512";
	for (i = 0; i < a->n_dh; i++)
		if (!ike_dh_supported(a->dh[i]))
			return "dh: allowed are groups 2, 14, 19, 20, 24 and 31";
	return NULL;
}

int
ike_accept_check(const struct ike_accept *acc, char *err, size_t errlen)
{
	unsigned i;

	if (acc->n == 0)
		return check_fail(err, errlen, acc->name, 0, "no proposals");
	for (i = 0; i < acc->n; i++) {
		const char *why = check_proposal(&acc->p[i]);

		if (why != NULL)
			return check_fail(err, errlen, acc->name, i, why);
	}
	return 0;
}

/* ---- built-in sets (docs/ikev2.md: where each one comes from) ---- */

#define CBC(bits) { IKE_ENCR_AES_CBC, bits }
#define GCM(bits) { IKE_ENCR_AES_GCM_16, bits }
#define TDES { IKE_ENCR_3DES, 0 }
#define SHA1_96 IKE_INTEG_HMAC_SHA1_96
#define SHA256_128 IKE_INTEG_HMAC_SHA2_256_128
#define SHA384_192 IKE_INTEG_HMAC_SHA2_384_192
#define SHA512_256 IKE_INTEG_HMAC_SHA2_512_256
#define PRF_SHA1 IKE_PRF_HMAC_SHA1
#define PRF_SHA256 IKE_PRF_HMAC_SHA2_256
#define PRF_SHA384 IKE_PRF_HMAC_SHA2_384
#define PRF_SHA512 IKE_PRF_HMAC_SHA2_512
#define ESN_NO_YES .n_esn = 2, .esn = { IKE_ESN_NO, IKE_ESN_YES }

/* Windows built-in client: IKE AES-CBC/3DES x SHA1/SHA2 x MODP-1024. */
#define WINDOWS_IKE                                                                \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 4,                                   \
	  .encr = { CBC(256), CBC(192), CBC(128), TDES }, .n_integ = 3,             \
	  .integ = { SHA256_128, SHA384_192, SHA1_96 }, .n_prf = 3,                 \
	  .prf = { PRF_SHA256, PRF_SHA384, PRF_SHA1 }, .n_dh = 1,                   \
	  .dh = { IKE_DH_MODP_1024 } }
#define WINDOWS_ESP_CBC                                                            \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 2, .encr = { CBC(256), CBC(128) },   \
	  .n_integ = 2, .integ = { SHA1_96, SHA256_128 }, ESN_NO_YES }
#define WINDOWS_ESP_GCM                                                            \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 2, .encr = { GCM(256), GCM(128) },   \
	  ESN_NO_YES }

/* The original service's P2S defaults: GCM-AES-256, AES-256 + SHA-384/256. */
#define CLOUD_DH .n_dh = 5, .dh = { 24, 14, 20, 19, 2 }
#define CLOUD_PFS .n_dh = 4, .dh = { 24, 14, 20, 19 }
#define CLOUD_IKE_GCM                                                              \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 1, .encr = { GCM(256) }, .n_prf = 2, \
	  .prf = { PRF_SHA384, PRF_SHA256 }, CLOUD_DH }
#define CLOUD_IKE_CBC                                                              \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 1, .encr = { CBC(256) },             \
	  .n_integ = 2, .integ = { SHA384_192, SHA256_128 }, .n_prf = 2,            \
	  .prf = { PRF_SHA384, PRF_SHA256 }, CLOUD_DH }
#define CLOUD_ESP_GCM                                                              \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 1, .encr = { GCM(256) }, CLOUD_PFS,  \
	  ESN_NO_YES }
#define CLOUD_ESP_CBC                                                              \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 1, .encr = { CBC(256) },             \
	  .n_integ = 2, .integ = { SHA256_128, SHA1_96 }, CLOUD_PFS, ESN_NO_YES }

/* macOS / iOS: AES-256 + SHA2-256 + MODP-2048 by default, ECP and GCM offered. */
#define MACOS_DH .n_dh = 3, .dh = { 19, 20, 14 }
#define MACOS_IKE_GCM                                                              \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 2, .encr = { GCM(256), GCM(128) },   \
	  .n_prf = 3, .prf = { PRF_SHA256, PRF_SHA384, PRF_SHA512 }, MACOS_DH }
#define MACOS_IKE_CBC                                                              \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 2, .encr = { CBC(256), CBC(128) },   \
	  .n_integ = 3, .integ = { SHA256_128, SHA384_192, SHA512_256 }, .n_prf = 3, \
	  .prf = { PRF_SHA256, PRF_SHA384, PRF_SHA512 }, MACOS_DH }
#define MACOS_ESP_GCM                                                              \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 2, .encr = { GCM(256), GCM(128) },   \
	  MACOS_DH, ESN_NO_YES }
#define MACOS_ESP_CBC                                                              \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 2, .encr = { CBC(256), CBC(128) },   \
	  .n_integ = 2, .integ = { SHA256_128, SHA384_192 }, MACOS_DH, ESN_NO_YES }

/* strongSwan defaults: Curve25519 first, ECP, MODP-2048; AES-GCM, AES-CBC + SHA2. */
#define SWAN_DH .n_dh = 4, .dh = { 31, 19, 20, 14 }
#define SWAN_PRF .n_prf = 4, .prf = { PRF_SHA256, PRF_SHA384, PRF_SHA512, PRF_SHA1 }
#define SWAN_IKE_GCM                                                               \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 3,                                   \
	  .encr = { GCM(256), GCM(128), GCM(192) }, SWAN_PRF, SWAN_DH }
#define SWAN_IKE_CBC                                                               \
	{ .protocol = IKE_PROTO_IKE, .n_encr = 3,                                   \
	  .encr = { CBC(256), CBC(128), CBC(192) }, .n_integ = 4,                   \
	  .integ = { SHA256_128, SHA384_192, SHA512_256, SHA1_96 }, SWAN_PRF, SWAN_DH }
#define SWAN_ESP_GCM                                                               \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 2, .encr = { GCM(256), GCM(128) },   \
	  SWAN_DH, ESN_NO_YES }
#define SWAN_ESP_CBC                                                               \
	{ .protocol = IKE_PROTO_ESP, .n_encr = 2, .encr = { CBC(256), CBC(128) },   \
	  .n_integ = 3, .integ = { SHA256_128, SHA384_192, SHA1_96 }, SWAN_DH,      \
	  ESN_NO_YES }

static const struct ike_accept_proposal windows_set[] = { WINDOWS_IKE, WINDOWS_ESP_CBC,
							  WINDOWS_ESP_GCM };
static const struct ike_accept_proposal cloud_set[] = { CLOUD_IKE_GCM, CLOUD_IKE_CBC,
							CLOUD_ESP_GCM, CLOUD_ESP_CBC };
static const struct ike_accept_proposal macos_set[] = { MACOS_IKE_GCM, MACOS_IKE_CBC,
							MACOS_ESP_GCM, MACOS_ESP_CBC };
static const struct ike_accept_proposal swan_set[] = { SWAN_IKE_GCM, SWAN_IKE_CBC, SWAN_ESP_GCM,
						       SWAN_ESP_CBC };
/*
 * The gateway's default. Within a client's proposal the first of ours that
 * fits decides each transform, so the order is our preference: Curve25519
 * and ECP before MODP, MODP-1024 last (RFC 8247 §2.4), AEAD before CBC.
 */
static const struct ike_accept_proposal all_set[] = {
	SWAN_IKE_GCM,  MACOS_IKE_GCM, CLOUD_IKE_GCM,   SWAN_IKE_CBC,  MACOS_IKE_CBC,
	CLOUD_IKE_CBC, WINDOWS_IKE,   SWAN_ESP_GCM,    MACOS_ESP_GCM, CLOUD_ESP_GCM,
	WINDOWS_ESP_GCM, SWAN_ESP_CBC, MACOS_ESP_CBC,  CLOUD_ESP_CBC, WINDOWS_ESP_CBC,
};

#define SET(name, a) { name, sizeof(a) / sizeof(a[0]), a }
static const struct ike_accept builtin[IKE_ACCEPT_SETS] = {
	[IKE_ACCEPT_WINDOWS] = SET("windows", windows_set),
	[IKE_ACCEPT_CLOUD] = SET("cloud", cloud_set),
	[IKE_ACCEPT_MACOS] = SET("macos", macos_set),
	[IKE_ACCEPT_STRONGSWAN] = SET("strongswan", swan_set),
	[IKE_ACCEPT_ALL] = SET("all", all_set),
};

const struct ike_accept *
ike_accept_builtin(enum ike_accept_set set)
{
	return (unsigned)set < IKE_ACCEPT_SETS ? &builtin[set] : NULL;
}
