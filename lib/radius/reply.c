/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verifying and reading a reply to one of our requests: the Response
 * Authenticator (RFC 2865 §3), the Message-Authenticator (RFC 3579 §3.2),
 * then what the gateway uses: EAP-Message joined, State, Framed-IP-Address,
 * Session-Timeout, Class, and the MSK from MS-MPPE-Recv-Key |
 * MS-MPPE-Send-Key (RFC 2548). Nothing is read before it is authenticated,
 * and nothing but the header and attribute lengths before that.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "radius_priv.h"

static const char *const drop_names[] = {
#define X(name, help) #name,
	RADIUS_DROP_REASONS(X)
#undef X
};
static const char *const drop_help[] = {
#define X(name, help) help,
	RADIUS_DROP_REASONS(X)
#undef X
};

const char *
radius_drop_name(enum radius_drop d)
{
	return (unsigned)d < RADIUS_DROP_COUNT ? drop_names[d] : "?";
}

const char *
radius_drop_help(enum radius_drop d)
{
	return (unsigned)d < RADIUS_DROP_COUNT ? drop_help[d] : "?";
}

static bool
is_access_reply(uint8_t code)
{
	return code == RADIUS_ACCESS_ACCEPT || code == RADIUS_ACCESS_REJECT ||
	       code == RADIUS_ACCESS_CHALLENGE;
}

/* RFC 3579 §3.2: HMAC-MD5 over the reply with the Request Authenticator in place. */
static int
check_msg_auth(const uint8_t *pkt, size_t pkt_len, const uint8_t *request_auth,
	       const uint8_t *secret, size_t secret_len, bool required)
{
	struct radius_attr a;
	uint8_t mac[RADIUS_AUTH_LEN];
	unsigned n = radius_attr_find(pkt, pkt_len, RADIUS_ATTR_MESSAGE_AUTHENTICATOR, &a);

	if (n == 0)
		return required ? RADIUS_DROP_missing_message_authenticator : -1;
	if (n > 1 || a.len != RADIUS_AUTH_LEN)
		return RADIUS_DROP_malformed;
	if (radius_msg_auth(mac, pkt, pkt_len, (size_t)(a.value - pkt), request_auth, secret,
			    secret_len) < 0 ||
	    CRYPTO_memcmp(mac, a.value, RADIUS_AUTH_LEN) != 0)
		return RADIUS_DROP_bad_message_authenticator;
	return -1;
}

/* One MS-MPPE key into its half of the MSK; a second copy of either is malformed. */
static int
mppe_key(const struct radius_attr *sub, uint8_t *half, size_t *half_len, const uint8_t *secret,
	 size_t secret_len, const uint8_t *request_auth)
{
	if (*half_len)
		return -EBADMSG;
	return radius_mppe_decrypt(half, RADIUS_MSK_MAX / 2, half_len, sub->value, sub->len, secret,
				   secret_len, request_auth);
}

static int
read_vsa(const struct radius_attr *a, uint8_t *recv, size_t *recv_len, uint8_t *send,
	 size_t *send_len, const uint8_t *secret, size_t secret_len, const uint8_t *request_auth)
{
	struct radius_attr_iter sub;
	struct radius_attr s;
	uint32_t vendor;
	int rc = 0;

	/* Other vendors' formats are theirs: only Microsoft's is read here. */
	if (a->len < 4 || radius_get32(a->value) != RADIUS_VENDOR_MICROSOFT)
		return 0;
	if (radius_vsa_parse(a, &vendor, &sub) < 0)
		return -EBADMSG;
	while (rc == 0 && radius_attr_next(&sub, &s)) {
		if (s.type == RADIUS_MS_MPPE_RECV_KEY)
			rc = mppe_key(&s, recv, recv_len, secret, secret_len, request_auth);
		else if (s.type == RADIUS_MS_MPPE_SEND_KEY)
			rc = mppe_key(&s, send, send_len, secret, secret_len, request_auth);
	}
	return rc;
}

static int
read_attrs(const uint8_t *pkt, size_t pkt_len, const uint8_t *request_auth,
	   const uint8_t *secret, size_t secret_len, struct radius_reply *out)
{
	uint8_t recv[RADIUS_MSK_MAX / 2], send[RADIUS_MSK_MAX / 2];
	size_t recv_len = 0, send_len = 0;
	struct radius_attr_iter it;
	struct radius_attr a;
	unsigned n_state = 0, n_ip = 0, n_timeout = 0;
	int rc = 0;

	radius_attr_iter_init(&it, pkt, pkt_len);
	while (rc == 0 && radius_attr_next(&it, &a)) {
		switch (a.type) {
		case RADIUS_ATTR_STATE:
			if (n_state++ || a.len == 0)
				rc = -EBADMSG;
			out->state = a.value;
			out->state_len = a.len;
			break;
		case RADIUS_ATTR_FRAMED_IP_ADDRESS:
			if (n_ip++ || a.len != 4)
				rc = -EBADMSG;
			else
				out->framed_ip = radius_get32(a.value);
			out->has_framed_ip = true;
			break;
		case RADIUS_ATTR_SESSION_TIMEOUT:
			if (n_timeout++ || a.len != 4)
				rc = -EBADMSG;
			else
				out->session_timeout = radius_get32(a.value);
			break;
		case RADIUS_ATTR_CLASS:
			if (out->class_attr == NULL && a.len > 0) {
				out->class_attr = a.value;
				out->class_len = a.len;
			}
			break;
		case RADIUS_ATTR_VENDOR_SPECIFIC:
			if (out->code == RADIUS_ACCESS_ACCEPT)
				rc = read_vsa(&a, recv, &recv_len, send, &send_len, secret,
					      secret_len, request_auth);
			break;
		default:
			break;
		}
	}
	if (rc == 0 && recv_len && send_len) {
		/* MSK = Recv-Key | Send-Key, as strongSwan and FreeRADIUS (docs/radius.md). */
		memcpy(out->msk, recv, recv_len);
		memcpy(out->msk + recv_len, send, send_len);
		out->msk_len = recv_len + send_len;
		out->has_msk = true;
	}
	OPENSSL_cleanse(recv, sizeof(recv));
	OPENSSL_cleanse(send, sizeof(send));
	return rc;
}

int
radius_reply_verify(const uint8_t *pkt, size_t pkt_len,
		    const uint8_t request_auth[RADIUS_AUTH_LEN], const uint8_t *secret,
		    size_t secret_len, bool require_msg_auth, struct radius_reply *out)
{
	uint8_t auth[RADIUS_AUTH_LEN];
	bool has_eap, access;
	int drop;

	if (pkt_len < RADIUS_HDR_LEN || pkt_len > RADIUS_PACKET_MAX ||
	    radius_get16(pkt + 2) != pkt_len)
		return RADIUS_DROP_malformed;
	access = is_access_reply(pkt[0]);
	if (!access && pkt[0] != RADIUS_ACCOUNTING_RESPONSE)
		return RADIUS_DROP_unexpected_code;
	if (radius_response_auth(auth, pkt, pkt_len, request_auth, secret, secret_len) < 0 ||
	    CRYPTO_memcmp(auth, pkt + 4, RADIUS_AUTH_LEN) != 0)
		return RADIUS_DROP_bad_authenticator;
	has_eap = radius_attr_find(pkt, pkt_len, RADIUS_ATTR_EAP_MESSAGE, NULL) > 0;
	drop = check_msg_auth(pkt, pkt_len, request_auth, secret, secret_len,
			      access && (require_msg_auth || has_eap));
	if (drop >= 0)
		return drop;

	memset(out, 0, offsetof(struct radius_reply, eap));
	memset((uint8_t *)out + offsetof(struct radius_reply, eap_len), 0,
	       sizeof(*out) - offsetof(struct radius_reply, eap_len));
	out->code = pkt[0];
	out->attrs = pkt + RADIUS_HDR_LEN;
	out->attrs_len = pkt_len - RADIUS_HDR_LEN;
	if (radius_eap_join(pkt, pkt_len, out->eap, sizeof(out->eap), &out->eap_len) < 0 ||
	    read_attrs(pkt, pkt_len, request_auth, secret, secret_len, out) < 0)
		return RADIUS_DROP_malformed;
	return -1;
}
