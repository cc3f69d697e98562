/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKE header and the generic payload chain (RFC 7296 §3.1, §3.2). The
 * datagram comes from anyone on the internet, so each generic header is
 * checked against what is left of the buffer before its type or body is
 * trusted, the chain must end exactly where the header's length says, and
 * the number of payloads is bounded. Unknown payloads are skipped unless
 * their critical bit is set, which is reported rather than acted on: what
 * to answer is the state machine's business (RFC 7296 §2.5). Nothing here
 * looks inside a payload body; that is payload.c's job.
 */
#include <errno.h>
#include <string.h>

#include "ike_priv.h"

int
ike_header_decode(const uint8_t *buf, size_t len, struct ike_header *hdr)
{
	if (len < IKE_HDR_LEN)
		return -EINVAL;
	hdr->spi_i = ike_get64(buf);
	hdr->spi_r = ike_get64(buf + 8);
	hdr->next_payload = buf[16];
	hdr->major = buf[17] >> 4;
	hdr->minor = buf[17] & 0x0f;
	hdr->exchange = buf[18];
	hdr->flags = buf[19];
	hdr->message_id = ike_get32(buf + 20);
	hdr->length = ike_get32(buf + 24);
	return 0;
}

void
ike_header_encode(const struct ike_header *hdr, uint8_t *out)
{
	ike_put64(out, hdr->spi_i);
	ike_put64(out + 8, hdr->spi_r);
	out[16] = hdr->next_payload;
	out[17] = (uint8_t)(hdr->major << 4 | (hdr->minor & 0x0f));
	out[18] = hdr->exchange;
	out[19] = hdr->flags;
	ike_put32(out + 20, hdr->message_id);
	ike_put32(out + 24, hdr->length);
}

/* The payload types whose bodies payload.c understands (RFC 7296 §3.2). */
static bool
payload_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

static bool
payload_encrypted(uint8_t type)
{
	return type == IKE_PL_SK || type == IKE_PL_SKF;
}

/*
 * One step of the walk: the generic header at buf[off] must fit, and so must
 * the length it claims. Reads nothing before checking that it is there.
 */
static int
generic_validate(const uint8_t *buf, size_t len, size_t off, uint16_t *pl_len)
{
	uint16_t n;

	if (len - off < IKE_GENERIC_LEN)
		return -EINVAL;
	n = ike_get16(buf + off + 2);
	if (n < IKE_GENERIC_LEN || n > len - off)
		return -EINVAL;
	*pl_len = n;
	return 0;
}

/*
 * Walk payloads of buf[start..len) beginning with type first. When stop_at_sk
 * is set, an SK/SKF payload ends the walk and must end the buffer; its offset
 * goes to *sk_off. Returns 0 or the errors of ike_msg_parse().
 */
static int
chain_walk(uint8_t first, const uint8_t *buf, size_t len, size_t start, bool stop_at_sk,
	   struct ike_chain *chain, size_t *sk_off, uint8_t *sk_type)
{
	uint8_t type = first;
	size_t off = start;
	uint16_t pl_len;
	int rc;

	memset(chain, 0, sizeof(*chain));
	while (type != IKE_PL_NONE) {
		rc = generic_validate(buf, len, off, &pl_len);
		if (rc != 0)
			return rc;
		if (payload_encrypted(type)) {
			/* RFC 7296 §3.14: the Encrypted payload is the last one. */
			if (!stop_at_sk || off + pl_len != len)
				return -EINVAL;
			*sk_off = off;
			*sk_type = type;
			return chain->unsupported_critical ? -EOPNOTSUPP : 0;
		}
		if (payload_known(type)) {
			struct ike_payload *p;

			if (chain->n == IKE_PAYLOADS_MAX)
				return -E2BIG;
			p = &chain->pl[chain->n++];
			p->type = type;
			p->critical = (buf[off + 1] & 0x80) != 0;
			p->len = (uint16_t)(pl_len - IKE_GENERIC_LEN);
			p->body = buf + off + IKE_GENERIC_LEN;
			p->offset = (uint32_t)off;
		} else {
			/* RFC 7296 §2.5: skip it, unless it says it is critical. */
			if (++chain->n_skipped > IKE_PAYLOADS_MAX)
				return -E2BIG;
			if ((buf[off + 1] & 0x80) && chain->unsupported_critical == 0)
				chain->unsupported_critical = type;
		}
		type = buf[off];
		off += pl_len;
	}
	if (off != len)
		return -EINVAL;   /* bytes after the last payload */
	return chain->unsupported_critical ? -EOPNOTSUPP : 0;
}

int
ike_chain_parse(uint8_t first, const uint8_t *buf, size_t len, struct ike_chain *chain)
{
	return chain_walk(first, buf, len, 0, false, chain, NULL, NULL);
}

/* After SK/SKF was found: read what the chain walk could not. */
static int
msg_encrypted_tail(struct ike_msg *msg, size_t sk_off)
{
	const uint8_t *sk = msg->raw + sk_off;
	uint16_t pl_len = ike_get16(sk + 2);

	msg->sk_next = sk[0];
	msg->sk_offset = (uint32_t)sk_off;
	if (msg->sk_type == IKE_PL_SKF) {
		/* RFC 7383 §2.5: Fragment Number and Total Fragments, both from 1. */
		if (pl_len < IKE_GENERIC_LEN + 4)
			return -EINVAL;
		msg->frag_number = ike_get16(sk + 4);
		msg->frag_total = ike_get16(sk + 6);
		if (msg->frag_number == 0 || msg->frag_total == 0 ||
		    msg->frag_number > msg->frag_total)
			return -EINVAL;
	}
	return 0;
}

int
ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *msg)
{
	size_t sk_off = 0;
	int rc;

	memset(msg, 0, sizeof(*msg));
	if (ike_header_decode(buf, len, &msg->hdr) != 0)
		return -EINVAL;
	msg->raw = buf;
	msg->raw_len = len;
	/* RFC 7296 §2.5: a newer major version gets INVALID_MAJOR_VERSION. */
	if (msg->hdr.major != 2)
		return -EPROTONOSUPPORT;
	if (msg->hdr.length != len || len > IKE_MSG_MAX)
		return -EMSGSIZE;
	rc = chain_walk(msg->hdr.next_payload, buf, len, IKE_HDR_LEN, true, &msg->chain, &sk_off,
			&msg->sk_type);
	if (rc != 0 && rc != -EOPNOTSUPP)
		return rc;
	if (sk_off != 0) {
		int rc2 = msg_encrypted_tail(msg, sk_off);

		if (rc2 != 0)
			return rc2;
	}
	return rc;
}

int
ike_chain_find(const struct ike_chain *chain, uint8_t type, unsigned from)
{
	unsigned i;

	for (i = from; i < chain->n; i++)
		if (chain->pl[i].type == type)
			return (int)i;
	return -1;
}

unsigned
ike_chain_count(const struct ike_chain *chain, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < chain->n; i++)
		n += chain->pl[i].type == type;
	return n;
}
