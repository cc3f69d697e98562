/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RADIUS packets and attributes (RFC 2865 §3, §5): building into a fixed
 * 4096-octet buffer with sticky errors, validating a received datagram
 * before anything reads it, walking attributes, Vendor-Specific values
 * (§5.26) and EAP-Message split and join (RFC 3579 §3.1). No state, no
 * crypto here (crypto.c).
 */
#include <errno.h>
#include <string.h>

#include "radius_priv.h"

void
radius_pkt_init(struct radius_pkt *p, uint8_t code, uint8_t id, const uint8_t auth[RADIUS_AUTH_LEN])
{
	p->buf[0] = code;
	p->buf[1] = id;
	radius_put16(p->buf + 2, RADIUS_HDR_LEN);
	if (auth)
		memcpy(p->buf + 4, auth, RADIUS_AUTH_LEN);
	else
		memset(p->buf + 4, 0, RADIUS_AUTH_LEN);
	p->len = RADIUS_HDR_LEN;
	p->msg_auth_off = 0;
	p->err = 0;
}

static int
pkt_fail(struct radius_pkt *p, int err)
{
	if (p->err == 0)
		p->err = err;
	return err;
}

int
radius_pkt_add(struct radius_pkt *p, uint8_t type, const void *value, size_t len)
{
	if (p->err)
		return p->err;
	if (len == 0 || len > RADIUS_ATTR_VALUE_MAX || (value == NULL))
		return pkt_fail(p, -EINVAL);
	if (p->len + 2 + len > RADIUS_PACKET_MAX)
		return pkt_fail(p, -EMSGSIZE);
	p->buf[p->len] = type;
	p->buf[p->len + 1] = (uint8_t)(2 + len);
	memcpy(p->buf + p->len + 2, value, len);
	p->len += 2 + len;
	return 0;
}

int
radius_pkt_add_u32(struct radius_pkt *p, uint8_t type, uint32_t value)
{
	uint8_t v[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
			 (uint8_t)value };

	return radius_pkt_add(p, type, v, sizeof(v));
}

int
radius_pkt_add_str(struct radius_pkt *p, uint8_t type, const char *s)
{
	return radius_pkt_add(p, type, s, s ? strlen(s) : 0);
}

/* RFC 2865 §5.26: Vendor-Id(4) then, as the RFC suggests, vendor type|length|value. */
int
radius_pkt_add_vsa(struct radius_pkt *p, uint32_t vendor, uint8_t vtype, const void *value,
		   size_t len)
{
	uint8_t v[RADIUS_ATTR_VALUE_MAX];

	if (len == 0 || len > RADIUS_VSA_VALUE_MAX || value == NULL)
		return pkt_fail(p, -EINVAL);
	v[0] = (uint8_t)(vendor >> 24);
	v[1] = (uint8_t)(vendor >> 16);
	v[2] = (uint8_t)(vendor >> 8);
	v[3] = (uint8_t)vendor;
	v[4] = vtype;
	v[5] = (uint8_t)(2 + len);
	memcpy(v + 6, value, len);
	return radius_pkt_add(p, RADIUS_ATTR_VENDOR_SPECIFIC, v, 6 + len);
}

/* RFC 3579 §3.1: consecutive attributes of at most 253 octets, in order. */
int
radius_pkt_add_eap(struct radius_pkt *p, const uint8_t *eap, size_t len)
{
	size_t off = 0, chunk;

	if (len == 0 || eap == NULL)
		return pkt_fail(p, -EINVAL);
	if (p->err)
		return p->err;
	/* All or nothing: the fragments must fit together. */
	if (p->len + len + 2 * ((len + RADIUS_ATTR_VALUE_MAX - 1) / RADIUS_ATTR_VALUE_MAX) >
	    RADIUS_PACKET_MAX)
		return pkt_fail(p, -EMSGSIZE);
	while (off < len) {
		chunk = len - off < RADIUS_ATTR_VALUE_MAX ? len - off : RADIUS_ATTR_VALUE_MAX;
		radius_pkt_add(p, RADIUS_ATTR_EAP_MESSAGE, eap + off, chunk);
		off += chunk;
	}
	return p->err;
}

int
radius_pkt_add_msg_auth(struct radius_pkt *p)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];

	if (p->err)
		return p->err;
	if (p->msg_auth_off)
		return pkt_fail(p, -EINVAL);
	if (radius_pkt_add(p, RADIUS_ATTR_MESSAGE_AUTHENTICATOR, zero, sizeof(zero)) < 0)
		return p->err;
	p->msg_auth_off = p->len - RADIUS_AUTH_LEN;
	return 0;
}

/* RFC 2865 §3: Length is within 20..4096, the rest of the datagram is padding. */
int
radius_validate(const uint8_t *dgram, size_t len, size_t *pkt_len)
{
	size_t plen, off;

	if (dgram == NULL || len < RADIUS_PACKET_MIN)
		return -EBADMSG;
	plen = radius_get16(dgram + 2);
	if (plen < RADIUS_PACKET_MIN || plen > RADIUS_PACKET_MAX || plen > len)
		return -EBADMSG;
	for (off = RADIUS_HDR_LEN; off < plen;) {
		if (plen - off < 2 || dgram[off + 1] < 2 || dgram[off + 1] > plen - off)
			return -EBADMSG;
		off += dgram[off + 1];
	}
	*pkt_len = plen;
	return 0;
}

void
radius_attr_iter_area(struct radius_attr_iter *it, const uint8_t *attrs, size_t len)
{
	it->pos = attrs;
	it->end = attrs + len;
}

void
radius_attr_iter_init(struct radius_attr_iter *it, const uint8_t *pkt, size_t pkt_len)
{
	radius_attr_iter_area(it, pkt + RADIUS_HDR_LEN, pkt_len - RADIUS_HDR_LEN);
}

/* Checks again: a caller may hand an area that radius_validate() never saw. */
bool
radius_attr_next(struct radius_attr_iter *it, struct radius_attr *a)
{
	size_t left = (size_t)(it->end - it->pos);

	if (left < 2 || it->pos[1] < 2 || it->pos[1] > left)
		return false;
	a->type = it->pos[0];
	a->len = (uint8_t)(it->pos[1] - 2);
	a->value = it->pos + 2;
	it->pos += it->pos[1];
	return true;
}

unsigned
radius_attr_find(const uint8_t *pkt, size_t pkt_len, uint8_t type, struct radius_attr *a)
{
	struct radius_attr_iter it;
	struct radius_attr x;
	unsigned n = 0;

	radius_attr_iter_init(&it, pkt, pkt_len);
	while (radius_attr_next(&it, &x)) {
		if (x.type != type)
			continue;
		if (n++ == 0 && a)
			*a = x;
	}
	return n;
}

int
radius_vsa_parse(const struct radius_attr *vsa, uint32_t *vendor, struct radius_attr_iter *sub)
{
	size_t off;

	if (vsa->type != RADIUS_ATTR_VENDOR_SPECIFIC || vsa->len < 4 + 2)
		return -EBADMSG;
	for (off = 4; off < vsa->len;) {
		if (vsa->len - off < 2 || vsa->value[off + 1] < 2 ||
		    vsa->value[off + 1] > vsa->len - off)
			return -EBADMSG;
		off += vsa->value[off + 1];
	}
	*vendor = radius_get32(vsa->value);
	radius_attr_iter_area(sub, vsa->value + 4, vsa->len - 4u);
	return 0;
}

/*
 * RFC 3579 §3.1: several EAP-Message attributes are consecutive and in
 * order; the joined whole is one EAP packet (RFC 3748 §4: code 1..4, Length
 * equal to what was joined).
 */
int
radius_eap_join(const uint8_t *pkt, size_t pkt_len, uint8_t *out, size_t out_size, size_t *len)
{
	struct radius_attr_iter it;
	struct radius_attr a;
	size_t n = 0;
	bool seen = false, ended = false;

	radius_attr_iter_init(&it, pkt, pkt_len);
	while (radius_attr_next(&it, &a)) {
		if (a.type != RADIUS_ATTR_EAP_MESSAGE) {
			ended = seen;
			continue;
		}
		if (ended || a.len == 0)
			return -EBADMSG;
		if (n + a.len > out_size)
			return -EMSGSIZE;
		memcpy(out + n, a.value, a.len);
		n += a.len;
		seen = true;
	}
	if (seen && (n < 4 || out[0] < 1 || out[0] > 4 || radius_get16(out + 2) != n))
		return -EBADMSG;
	*len = n;
	return 0;
}
