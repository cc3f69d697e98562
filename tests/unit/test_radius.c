/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/radius. Known answers: RFC 2865 §7.1 (User-Password
 * hiding with secret "xyzzy5461", the Access-Request bytes, the Response
 * Authenticator of the Access-Accept). RFC 3579, RFC 2866 and RFC 2548 give
 * no vectors with a secret, so the Message-Authenticator, Accounting-Request
 * authenticator and MS-MPPE key vectors were computed once with Python's
 * hashlib/hmac (an independent implementation) and are checked here, and
 * the test also re-implements the RFC 2548 encryption and the HMAC-MD5 with
 * plain OpenSSL EVP calls to play the server. Then: EAP-Message split at 253
 * and joined back, every malformed-input class, and the client with a stub
 * send: challenge/accept with State and MSK, drops by reason, retransmission
 * timing on an injected clock, fail-over by priority, identifier wrap and
 * exhaustion, cancel, accounting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define SECRET "xyzzy5461"
#define SEC ((const uint8_t *)SECRET)
#define SECLEN (sizeof(SECRET) - 1)

static void
unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t i = 0;
	unsigned v;

	while (*hex && i < n) {
		if (*hex == ' ' || *hex == '\n') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[i++] = (uint8_t)v;
		hex += 2;
	}
	assert_int_equal(i, n);
}

/* RFC 2865 §7.1 */
static const char rfc_req_auth[] = "0f403f9473978057bd83d5cb98f4227a";
static const char rfc_request[] = "01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb"
				  "98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d"
				  "93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8"
				  "01 10 05 06 00 00 00 03";
static const char rfc_accept[] = "02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf"
				 "9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00"
				 "0e 06 c0 a8 01 03";

/* ---- independent crypto, plain OpenSSL ---- */

static void
t_md5(uint8_t out[16], const void *a, size_t an, const void *b, size_t bn, const void *c,
      size_t cn)
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	unsigned n;

	assert_non_null(x);
	assert_int_equal(EVP_DigestInit_ex(x, EVP_md5(), NULL), 1);
	EVP_DigestUpdate(x, a, an);
	if (bn)
		EVP_DigestUpdate(x, b, bn);
	if (cn)
		EVP_DigestUpdate(x, c, cn);
	assert_int_equal(EVP_DigestFinal_ex(x, out, &n), 1);
	EVP_MD_CTX_free(x);
}

static void
t_hmac(uint8_t out[16], const char *secret, const uint8_t *pkt, size_t len)
{
	unsigned n = 0;

	assert_non_null(HMAC(EVP_md5(), secret, (int)strlen(secret), pkt, len, out, &n));
	assert_int_equal(n, 16);
}

/* RFC 2548 §2.4.2 encryption, written again from the RFC for the test's server. */
static size_t
t_mppe_encrypt(uint8_t *out, const uint8_t *key, size_t key_len, uint16_t salt,
	       const char *secret, const uint8_t *req_auth)
{
	uint8_t plain[256] = { 0 }, b[16], first[18];
	size_t n = (1 + key_len + 15) / 16 * 16, i, j;
	const uint8_t *prev = first;
	size_t prev_len = 18;

	plain[0] = (uint8_t)key_len;
	memcpy(plain + 1, key, key_len);
	out[0] = (uint8_t)(salt >> 8);
	out[1] = (uint8_t)salt;
	memcpy(first, req_auth, 16);
	memcpy(first + 16, out, 2);
	for (i = 0; i < n; i += 16) {
		t_md5(b, secret, strlen(secret), prev, prev_len, NULL, 0);
		for (j = 0; j < 16; j++)
			out[2 + i + j] = plain[i + j] ^ b[j];
		prev = out + 2 + i;
		prev_len = 16;
	}
	return 2 + n;
}

/* ---- codec known answers ---- */

static void
test_rfc2865_password(void **state)
{
	uint8_t ra[16], want[16], out[128], back[128];
	size_t n;

	(void)state;
	unhex(ra, 16, rfc_req_auth);
	unhex(want, 16, "0dbe708d93d413ce3196e43f782a0aee");
	assert_int_equal(radius_password_hide(out, sizeof(out), &n, (const uint8_t *)"arctangent",
					      10, SEC, SECLEN, ra), 0);
	assert_int_equal(n, 16);
	assert_memory_equal(out, want, 16);
	assert_int_equal(radius_password_unhide(back, sizeof(back), &n, out, 16, SEC, SECLEN, ra),
			 0);
	assert_int_equal(n, 10);
	assert_memory_equal(back, "arctangent", 10);

	/* Longer than 16: the chain goes on with the cipher text; 128 at most. */
	memset(back, 'p', 128);
	assert_int_equal(radius_password_hide(out, sizeof(out), &n, back, 40, SEC, SECLEN, ra), 0);
	assert_int_equal(n, 48);
	assert_int_equal(radius_password_unhide(back, sizeof(back), &n, out, 48, SEC, SECLEN, ra),
			 0);
	assert_int_equal(n, 40);
	assert_int_equal(radius_password_hide(out, sizeof(out), &n, back, 129, SEC, SECLEN, ra),
			 -EINVAL);
	assert_int_equal(radius_password_unhide(back, sizeof(back), &n, out, 15, SEC, SECLEN, ra),
			 -EBADMSG);
	assert_int_equal(radius_password_unhide(back, sizeof(back), &n, out, 17, SEC, SECLEN, ra),
			 -EBADMSG);
}

/* The §7.1 Access-Request, built attribute by attribute, is the RFC's bytes. */
static void
test_rfc2865_request_bytes(void **state)
{
	uint8_t ra[16], want[56], hidden[16];
	struct radius_pkt p;
	struct radius_attr a;
	size_t n, plen;

	(void)state;
	unhex(ra, 16, rfc_req_auth);
	unhex(want, sizeof(want), rfc_request);
	radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 0, ra);
	assert_int_equal(radius_pkt_add_str(&p, RADIUS_ATTR_USER_NAME, "nemo"), 0);
	assert_int_equal(radius_password_hide(hidden, sizeof(hidden), &n,
					      (const uint8_t *)"arctangent", 10, SEC, SECLEN, ra), 0);
	assert_int_equal(radius_pkt_add(&p, RADIUS_ATTR_USER_PASSWORD, hidden, n), 0);
	assert_int_equal(radius_pkt_add_u32(&p, RADIUS_ATTR_NAS_IP_ADDRESS, IP(192, 168, 1, 16)),
			 0);
	assert_int_equal(radius_pkt_add_u32(&p, RADIUS_ATTR_NAS_PORT, 3), 0);
	assert_int_equal(radius_pkt_finish_request(&p, SEC, SECLEN), 0);
	assert_int_equal(p.len, sizeof(want));
	assert_memory_equal(p.buf, want, sizeof(want));

	/* And read back. */
	assert_int_equal(radius_validate(want, sizeof(want), &plen), 0);
	assert_int_equal(plen, 56);
	assert_int_equal(radius_attr_find(want, plen, RADIUS_ATTR_USER_NAME, &a), 1);
	assert_int_equal(a.len, 4);
	assert_memory_equal(a.value, "nemo", 4);
	assert_int_equal(radius_attr_find(want, plen, RADIUS_ATTR_NAS_PORT, &a), 1);
	assert_int_equal(a.value[3], 3);
	assert_int_equal(radius_attr_find(want, plen, RADIUS_ATTR_STATE, NULL), 0);
}

/* §7.1's Access-Accept: its Response Authenticator verifies with the request's. */
static void
test_rfc2865_response_auth(void **state)
{
	uint8_t ra[16], acc[38], auth[16];
	struct radius_reply *r = malloc(sizeof(*r));
	struct radius_attr_iter it;
	struct radius_attr a;
	unsigned n = 0;
	size_t plen;

	(void)state;
	assert_non_null(r);
	unhex(ra, 16, rfc_req_auth);
	unhex(acc, sizeof(acc), rfc_accept);
	assert_int_equal(radius_validate(acc, sizeof(acc), &plen), 0);
	assert_int_equal(radius_response_auth(auth, acc, plen, ra, SEC, SECLEN), 0);
	assert_memory_equal(auth, acc + 4, 16);
	/* No Message-Authenticator: taken only when the client is lax (no EAP in it). */
	assert_int_equal(radius_reply_verify(acc, plen, ra, SEC, SECLEN, false, r), -1);
	assert_int_equal(r->code, RADIUS_ACCESS_ACCEPT);
	assert_int_equal(r->eap_len, 0);
	assert_false(r->has_msk);
	assert_int_equal(r->attrs_len, 18);
	radius_attr_iter_area(&it, r->attrs, r->attrs_len);
	while (radius_attr_next(&it, &a))
		n++;
	assert_int_equal(n, 3); /* Service-Type, Login-Service, Login-IP-Host */
	assert_int_equal(radius_reply_verify(acc, plen, ra, SEC, SECLEN, true, r),
			 RADIUS_DROP_missing_message_authenticator);
	assert_int_equal(radius_reply_verify(acc, plen, ra, (const uint8_t *)"xyzzy5462", SECLEN,
					     false, r), RADIUS_DROP_bad_authenticator);
	ra[0] ^= 1;
	assert_int_equal(radius_reply_verify(acc, plen, ra, SEC, SECLEN, false, r),
			 RADIUS_DROP_bad_authenticator);
	free(r);
}

/*
 * RFC 3579 §3.2 HMAC-MD5 on the §7.1 request with a Message-Authenticator
 * appended (length 74). Expected value from Python's hmac module.
 */
static void
test_message_authenticator(void **state)
{
	uint8_t ra[16], want[16], mac[16], copy[80];
	struct radius_pkt p;

	(void)state;
	unhex(ra, 16, rfc_req_auth);
	unhex(want, 16, "63b78a6b9d2f149989fbf57ea21d194c");
	radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 0, ra);
	radius_pkt_add_str(&p, RADIUS_ATTR_USER_NAME, "nemo");
	unhex(copy, 16, "0dbe708d93d413ce3196e43f782a0aee");
	radius_pkt_add(&p, RADIUS_ATTR_USER_PASSWORD, copy, 16);
	radius_pkt_add_u32(&p, RADIUS_ATTR_NAS_IP_ADDRESS, IP(192, 168, 1, 16));
	radius_pkt_add_u32(&p, RADIUS_ATTR_NAS_PORT, 3);
	assert_int_equal(radius_pkt_add_msg_auth(&p), 0);
	assert_int_equal(radius_pkt_add_msg_auth(&p), -EINVAL); /* one only */
	p.err = 0;
	assert_int_equal(radius_pkt_finish_request(&p, SEC, SECLEN), 0);
	assert_int_equal(p.len, 74);
	assert_int_equal(p.msg_auth_off, 58);
	assert_memory_equal(p.buf + 58, want, 16);
	/* The same with the test's own HMAC over the zeroed field. */
	memcpy(copy, p.buf, 74);
	memset(copy + 58, 0, 16);
	t_hmac(mac, SECRET, copy, 74);
	assert_memory_equal(mac, want, 16);
	assert_int_equal(radius_msg_auth(mac, p.buf, p.len, 58, NULL, SEC, SECLEN), 0);
	assert_memory_equal(mac, want, 16);
	/* Bad offsets are refused, never read. */
	assert_int_equal(radius_msg_auth(mac, p.buf, p.len, 60, NULL, SEC, SECLEN), -EINVAL);
	assert_int_equal(radius_msg_auth(mac, p.buf, p.len, 10, NULL, SEC, SECLEN), -EINVAL);
}

/*
 * RFC 2866 §3: MD5(code|id|length|16 zero octets|attributes|secret). A
 * Start with Acct-Status-Type, Acct-Session-Id "p2s-0001", NAS-Identifier
 * "p2sgw", identifier 7; expected value from Python's hashlib.
 */
static void
test_accounting_authenticator(void **state)
{
	uint8_t want[16], zero[16] = { 0 }, md[16];
	struct radius_pkt p;

	(void)state;
	unhex(want, 16, "f0c0333910ca3ef51fcf95a164a063d4");
	radius_pkt_init(&p, RADIUS_ACCOUNTING_REQUEST, 7, NULL);
	radius_pkt_add_u32(&p, RADIUS_ATTR_ACCT_STATUS_TYPE, RADIUS_ACCT_START);
	radius_pkt_add_str(&p, RADIUS_ATTR_ACCT_SESSION_ID, "p2s-0001");
	radius_pkt_add_str(&p, RADIUS_ATTR_NAS_IDENTIFIER, "p2sgw");
	assert_int_equal(radius_pkt_finish_accounting(&p, SEC, SECLEN), 0);
	assert_int_equal(p.len, 43);
	assert_memory_equal(p.buf + 4, want, 16);
	{
		uint8_t buf[64];

		memcpy(buf, p.buf, 4);
		memcpy(buf + 4, zero, 16);
		memcpy(buf + 20, p.buf + 20, p.len - 20);
		t_md5(md, buf, p.len, SECRET, SECLEN, NULL, 0);
	}
	assert_memory_equal(md, want, 16);
}

/*
 * RFC 2548 §2.4.2: salt 0x8001, key 00..1f, the §7.1 Request Authenticator;
 * cipher text from Python's hashlib, and from the test's own encryption.
 */
static void
test_mppe_decrypt(void **state)
{
	uint8_t ra[16], val[50], key[64], want[32], enc[64];
	size_t n, i;

	(void)state;
	unhex(ra, 16, rfc_req_auth);
	unhex(val, 50, "8001e74fd77a66159af1c00e2603ed8f8a2d775b72924f399d2c98d1909d856dfa86"
		       "08c3baf92fc0c0313d7dd2b3bb1fe1e7");
	for (i = 0; i < 32; i++)
		want[i] = (uint8_t)i;
	assert_int_equal(radius_mppe_decrypt(key, sizeof(key), &n, val, 50, SEC, SECLEN, ra), 0);
	assert_int_equal(n, 32);
	assert_memory_equal(key, want, 32);
	assert_int_equal(t_mppe_encrypt(enc, want, 32, 0x8001, SECRET, ra), 50);
	assert_memory_equal(enc, val, 50);

	/* A 16-octet key (MS-CHAPv2) fits in two blocks. */
	n = t_mppe_encrypt(enc, want, 16, 0xabcd, SECRET, ra);
	assert_int_equal(n, 2 + 32);
	assert_int_equal(radius_mppe_decrypt(key, sizeof(key), &n, enc, n, SEC, SECLEN, ra), 0);
	assert_int_equal(n, 16);
	assert_memory_equal(key, want, 16);

	/* Malformed: salt high bit clear, partial block, too short, key length too big. */
	val[0] &= 0x7f;
	assert_int_equal(radius_mppe_decrypt(key, sizeof(key), &n, val, 50, SEC, SECLEN, ra),
			 -EBADMSG);
	val[0] |= 0x80;
	assert_int_equal(radius_mppe_decrypt(key, sizeof(key), &n, val, 49, SEC, SECLEN, ra),
			 -EBADMSG);
	assert_int_equal(radius_mppe_decrypt(key, sizeof(key), &n, val, 17, SEC, SECLEN, ra),
			 -EBADMSG);
	assert_int_equal(radius_mppe_decrypt(key, 31, &n, val, 50, SEC, SECLEN, ra), -EBADMSG);
	/* Encrypted with another secret: refused or garbage, never the key. */
	t_mppe_encrypt(enc, want, 32, 0x8001, "other", ra);
	{
		int rc = radius_mppe_decrypt(key, sizeof(key), &n, enc, 50, SEC, SECLEN, ra);

		assert_false(rc == 0 && n == 32 && memcmp(key, want, 32) == 0);
	}
}

/* ---- EAP-Message split and join ---- */

static size_t
make_eap(uint8_t *eap, size_t len, uint8_t code)
{
	size_t i;

	eap[0] = code;
	eap[1] = 9;
	eap[2] = (uint8_t)(len >> 8);
	eap[3] = (uint8_t)len;
	for (i = 4; i < len; i++)
		eap[i] = (uint8_t)(i * 7);
	return len;
}

static void
test_eap_split_join(void **state)
{
	static const size_t lens[] = { 4, 252, 253, 254, 506, 507, 1000, 4000 };
	uint8_t eap[4096], back[4096];
	struct radius_pkt p;
	struct radius_attr_iter it;
	struct radius_attr a;
	size_t i, n, plen, total;
	unsigned count;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		make_eap(eap, lens[i], 2);
		radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 1, NULL);
		radius_pkt_add_str(&p, RADIUS_ATTR_USER_NAME, "alice");
		assert_int_equal(radius_pkt_add_eap(&p, eap, lens[i]), 0);
		radius_pkt_add_u32(&p, RADIUS_ATTR_NAS_PORT, 1);
		assert_int_equal(radius_pkt_finish_request(&p, SEC, SECLEN), 0);
		assert_int_equal(radius_validate(p.buf, p.len, &plen), 0);
		count = 0;
		total = 0;
		radius_attr_iter_init(&it, p.buf, plen);
		while (radius_attr_next(&it, &a)) {
			if (a.type != RADIUS_ATTR_EAP_MESSAGE)
				continue;
			count++;
			total += a.len;
			/* every one full but the last */
			if (total < lens[i])
				assert_int_equal(a.len, 253);
		}
		assert_int_equal(count, (lens[i] + 252) / 253);
		assert_int_equal(total, lens[i]);
		assert_int_equal(radius_eap_join(p.buf, plen, back, sizeof(back), &n), 0);
		assert_int_equal(n, lens[i]);
		assert_memory_equal(back, eap, n);
		assert_int_equal(radius_eap_join(p.buf, plen, back, lens[i] - 1, &n), -EMSGSIZE);
	}
	/* Too big for one packet: refused whole, nothing half-added. */
	radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 1, NULL);
	radius_pkt_add_str(&p, RADIUS_ATTR_USER_NAME, "alice");
	make_eap(eap, 4060, 2);
	assert_int_equal(radius_pkt_add_eap(&p, eap, 4060), -EMSGSIZE);
	assert_int_equal(p.len, 27);
	assert_int_equal(radius_pkt_finish_request(&p, SEC, SECLEN), -EMSGSIZE);

	/* No EAP-Message: length 0. */
	radius_pkt_init(&p, RADIUS_ACCESS_REJECT, 1, NULL);
	radius_pkt_finish_request(&p, SEC, SECLEN);
	assert_int_equal(radius_eap_join(p.buf, p.len, back, sizeof(back), &n), 0);
	assert_int_equal(n, 0);

	/* Not consecutive: refused (RFC 3579 §3.1). */
	make_eap(eap, 300, 1);
	radius_pkt_init(&p, RADIUS_ACCESS_CHALLENGE, 1, NULL);
	radius_pkt_add(&p, RADIUS_ATTR_EAP_MESSAGE, eap, 253);
	radius_pkt_add_str(&p, RADIUS_ATTR_REPLY_MESSAGE, "hi");
	radius_pkt_add(&p, RADIUS_ATTR_EAP_MESSAGE, eap + 253, 47);
	radius_pkt_finish_request(&p, SEC, SECLEN);
	assert_int_equal(radius_eap_join(p.buf, p.len, back, sizeof(back), &n), -EBADMSG);

	/* EAP Length that is not the joined length, bad codes, too short. */
	make_eap(eap, 300, 1);
	eap[3]++;
	radius_pkt_init(&p, RADIUS_ACCESS_CHALLENGE, 1, NULL);
	radius_pkt_add_eap(&p, eap, 300);
	radius_pkt_finish_request(&p, SEC, SECLEN);
	assert_int_equal(radius_eap_join(p.buf, p.len, back, sizeof(back), &n), -EBADMSG);
	make_eap(eap, 8, 5);
	radius_pkt_init(&p, RADIUS_ACCESS_CHALLENGE, 1, NULL);
	radius_pkt_add_eap(&p, eap, 8);
	radius_pkt_finish_request(&p, SEC, SECLEN);
	assert_int_equal(radius_eap_join(p.buf, p.len, back, sizeof(back), &n), -EBADMSG);
	radius_pkt_init(&p, RADIUS_ACCESS_CHALLENGE, 1, NULL);
	radius_pkt_add_eap(&p, eap, 3);
	radius_pkt_finish_request(&p, SEC, SECLEN);
	assert_int_equal(radius_eap_join(p.buf, p.len, back, sizeof(back), &n), -EBADMSG);
}

/* ---- malformed input, every class ---- */

static void
test_validate_malformed(void **state)
{
	uint8_t b[4200];
	size_t plen;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0] = RADIUS_ACCESS_ACCEPT;
	/* shorter than a header */
	b[3] = 20;
	assert_int_equal(radius_validate(b, 19, &plen), -EBADMSG);
	assert_int_equal(radius_validate(NULL, 0, &plen), -EBADMSG);
	assert_int_equal(radius_validate(b, 20, &plen), 0);
	assert_int_equal(plen, 20);
	/* Length below 20, above 4096, above the datagram */
	b[3] = 19;
	assert_int_equal(radius_validate(b, 40, &plen), -EBADMSG);
	b[2] = 0x10;
	b[3] = 0x01; /* 4097 */
	assert_int_equal(radius_validate(b, sizeof(b), &plen), -EBADMSG);
	b[2] = 0;
	b[3] = 30;
	assert_int_equal(radius_validate(b, 29, &plen), -EBADMSG);
	/* Octets past Length are padding, ignored */
	b[20] = 1;
	b[21] = 10;
	assert_int_equal(radius_validate(b, 100, &plen), 0);
	assert_int_equal(plen, 30);
	/* attribute length 0, 1, past the end, a lone trailing octet */
	b[21] = 0;
	assert_int_equal(radius_validate(b, 30, &plen), -EBADMSG);
	b[21] = 1;
	assert_int_equal(radius_validate(b, 30, &plen), -EBADMSG);
	b[21] = 11;
	assert_int_equal(radius_validate(b, 40, &plen), -EBADMSG);
	b[21] = 9;
	assert_int_equal(radius_validate(b, 30, &plen), -EBADMSG);
	/* a 2-octet attribute (empty value) is well-formed */
	b[21] = 2;
	b[22] = 1;
	b[23] = 8;
	assert_int_equal(radius_validate(b, 30, &plen), 0);
	/* exactly 4096 */
	b[2] = 0x10;
	b[3] = 0;
	for (size_t off = 20; off < 4096; off += 254 < 4096 - off ? 254 : 4096 - off) {
		b[off] = 18;
		b[off + 1] = (uint8_t)(4096 - off < 254 ? 4096 - off : 254);
	}
	assert_int_equal(radius_validate(b, 4096, &plen), 0);
	assert_int_equal(plen, 4096);
}

static void
test_builder_limits(void **state)
{
	uint8_t v[300] = { 0 };
	struct radius_pkt p;
	struct radius_attr_iter sub;
	struct radius_attr a, s;
	uint32_t vendor;
	int i;

	(void)state;
	radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 1, NULL);
	assert_int_equal(radius_pkt_add(&p, 1, v, 0), -EINVAL);
	p.err = 0;
	assert_int_equal(radius_pkt_add(&p, 1, v, 254), -EINVAL);
	assert_int_equal(radius_pkt_add(&p, 1, v, 1), -EINVAL); /* sticky */
	radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 1, NULL);
	assert_int_equal(radius_pkt_add(&p, 1, v, 253), 0);
	assert_int_equal(radius_pkt_add_vsa(&p, 311, 1, v, 248), -EINVAL);
	radius_pkt_init(&p, RADIUS_ACCESS_REQUEST, 1, NULL);
	for (i = 0; i < 15; i++)
		assert_int_equal(radius_pkt_add(&p, 18, v, 253), 0);
	assert_int_equal(radius_pkt_add(&p, 18, v, 250), -EMSGSIZE); /* 4097 */
	p.err = 0;
	assert_int_equal(radius_pkt_add(&p, 18, v, 249), 0);
	assert_int_equal(p.len, RADIUS_PACKET_MAX);
	assert_int_equal(radius_pkt_add(&p, 18, v, 1), -EMSGSIZE);
	/* VSA round trip and its malformed forms */
	radius_pkt_init(&p, RADIUS_ACCESS_ACCEPT, 1, NULL);
	assert_int_equal(radius_pkt_add_vsa(&p, RADIUS_VENDOR_MICROSOFT, 16, "abc", 3), 0);
	radius_pkt_finish_request(&p, SEC, SECLEN);
	assert_int_equal(radius_attr_find(p.buf, p.len, RADIUS_ATTR_VENDOR_SPECIFIC, &a), 1);
	assert_int_equal(radius_vsa_parse(&a, &vendor, &sub), 0);
	assert_int_equal(vendor, 311);
	assert_true(radius_attr_next(&sub, &s));
	assert_int_equal(s.type, 16);
	assert_int_equal(s.len, 3);
	assert_memory_equal(s.value, "abc", 3);
	assert_false(radius_attr_next(&sub, &s));
	p.buf[20 + 2 + 5] = 6; /* vendor length past the value */
	assert_int_equal(radius_vsa_parse(&a, &vendor, &sub), -EBADMSG);
	p.buf[20 + 2 + 5] = 1;
	assert_int_equal(radius_vsa_parse(&a, &vendor, &sub), -EBADMSG);
	p.buf[20 + 2 + 5] = 4; /* one octet left over */
	assert_int_equal(radius_vsa_parse(&a, &vendor, &sub), -EBADMSG);
	a.len = 5;
	assert_int_equal(radius_vsa_parse(&a, &vendor, &sub), -EBADMSG);
	a.type = 1;
	assert_int_equal(radius_vsa_parse(&a, &vendor, &sub), -EBADMSG);
	/* names */
	assert_string_equal(radius_drop_name(RADIUS_DROP_late_duplicate), "late_duplicate");
	assert_string_equal(radius_drop_name(RADIUS_DROP_COUNT), "?");
	assert_string_equal(radius_event_name(RADIUS_EV_failovers), "failovers");
	assert_string_equal(radius_result_name(RADIUS_RESULT_CHALLENGE), "challenge");
}

/* ---- the client, with a stub send and a test server ---- */

#define RING 64
static struct sent {
	uint32_t addr;
	uint16_t port;
	uint8_t pkt[RADIUS_PACKET_MAX];
	size_t len;
} ring[RING];
static unsigned n_sent;

static void
t_send(void *arg, uint32_t addr, uint16_t port, const uint8_t *pkt, size_t len)
{
	struct sent *s = &ring[n_sent++ % RING];

	(void)arg;
	assert_true(len <= RADIUS_PACKET_MAX);
	s->addr = addr;
	s->port = port;
	memcpy(s->pkt, pkt, len);
	s->len = len;
}

static const struct radius_ops ops = { .send = t_send };

static struct sent *
last(void)
{
	assert_true(n_sent > 0);
	return &ring[(n_sent - 1) % RING];
}

struct got {
	unsigned n;
	enum radius_result result;
	uint8_t eap[RADIUS_PACKET_MAX];
	size_t eap_len;
	bool has_msk, has_ip;
	uint8_t msk[RADIUS_MSK_MAX];
	size_t msk_len;
	uint32_t ip, server, session_timeout;
	uint8_t class_attr[253];
	size_t class_len;
	char reason[256];
	bool free_session;
};

static void
t_cb(void *ctx, struct radius_session *s, const struct radius_auth_result *r)
{
	struct got *g = ctx;

	g->n++;
	g->result = r->result;
	g->eap_len = r->eap_len;
	if (r->eap_len)
		memcpy(g->eap, r->eap, r->eap_len);
	g->has_msk = r->has_msk;
	g->msk_len = r->msk_len;
	if (r->has_msk)
		memcpy(g->msk, r->msk, r->msk_len);
	g->has_ip = r->has_framed_ip;
	g->ip = r->framed_ip;
	g->server = r->server_addr;
	g->session_timeout = r->session_timeout;
	g->class_len = r->class_len;
	if (r->class_len)
		memcpy(g->class_attr, r->class_attr, r->class_len);
	snprintf(g->reason, sizeof(g->reason), "%s", r->reason ? r->reason : "(null)");
	if (g->free_session)
		radius_session_free(s);
}

static struct conf_radius
srv(uint32_t addr, uint8_t prio, const char *secret, uint32_t timeout_ms, uint8_t retries)
{
	struct conf_radius r = { .addr = addr, .auth_port = 1812, .acct_port = 1813,
				 .priority = prio, .timeout_ms = timeout_ms, .retries = retries };

	snprintf(r.secret, sizeof(r.secret), "%s", secret);
	return r;
}

static struct radius_client *
client(const struct conf_radius *s, unsigned n, unsigned max_out)
{
	struct radius_client_config cfg = { .servers = s, .n_servers = n, .nas_ip = IP(10, 1, 0, 4),
					    .nas_identifier = "gw1", .max_outstanding = max_out,
					    .ops = &ops };
	char err[128];
	struct radius_client *c = radius_client_create(&cfg, err, sizeof(err));

	assert_non_null(c);
	return c;
}

static const struct radius_session_params sparams = {
	.user_name = "alice",
	.calling_station_id = "198.51.100.7[4500]",
	.called_station_id = "203.0.113.1[4500]",
	.nas_port = 42,
};

/* What the test's server puts in a reply. */
struct rep {
	uint8_t code;
	int id_delta;
	const uint8_t *eap;
	size_t eap_len;
	const char *state;
	bool no_msg_auth, bad_msg_auth, bad_auth, mppe;
	uint32_t framed_ip;
	const char *class_attr;
};

static const uint8_t recv_key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const uint8_t send_key[32] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				      0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
				      0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
				      0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf };

/* A reply to req built with the library's codec, then checked/tampered as asked. */
static size_t
reply(uint8_t *out, const struct sent *req, const char *secret, const struct rep *r)
{
	struct radius_pkt p;
	uint8_t v[64];
	size_t n;

	radius_pkt_init(&p, r->code, (uint8_t)(req->pkt[1] + r->id_delta), NULL);
	if (!r->no_msg_auth)
		radius_pkt_add_msg_auth(&p);
	if (r->eap_len)
		radius_pkt_add_eap(&p, r->eap, r->eap_len);
	if (r->state)
		radius_pkt_add_str(&p, RADIUS_ATTR_STATE, r->state);
	if (r->framed_ip)
		radius_pkt_add_u32(&p, RADIUS_ATTR_FRAMED_IP_ADDRESS, r->framed_ip);
	if (r->class_attr)
		radius_pkt_add_str(&p, RADIUS_ATTR_CLASS, r->class_attr);
	if (r->mppe) {
		n = t_mppe_encrypt(v, send_key, 32, 0x8123, secret, req->pkt + 4);
		radius_pkt_add_vsa(&p, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_MPPE_SEND_KEY, v, n);
		n = t_mppe_encrypt(v, recv_key, 32, 0x8456, secret, req->pkt + 4);
		radius_pkt_add_vsa(&p, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_MPPE_RECV_KEY, v, n);
	}
	assert_int_equal(radius_pkt_finish_reply(&p, req->pkt + 4, (const uint8_t *)secret,
						 strlen(secret)), 0);
	if (r->bad_msg_auth) {
		/* Flip a bit of the MAC and make the Response Authenticator fit again. */
		uint8_t auth[16];

		p.buf[p.msg_auth_off] ^= 1;
		assert_int_equal(radius_response_auth(auth, p.buf, p.len, req->pkt + 4,
						      (const uint8_t *)secret, strlen(secret)), 0);
		memcpy(p.buf + 4, auth, 16);
	}
	if (r->bad_auth)
		p.buf[4] ^= 0x40;
	memcpy(out, p.buf, p.len);
	return p.len;
}

/* Checks on every Access-Request the client sends, with the server's secret. */
static void
check_request(const struct sent *s, const char *secret, size_t *eap_len, uint8_t *eap)
{
	struct radius_attr a;
	uint8_t copy[RADIUS_PACKET_MAX], mac[16];
	size_t plen, n;

	assert_int_equal(radius_validate(s->pkt, s->len, &plen), 0);
	assert_int_equal(plen, s->len);
	assert_int_equal(s->pkt[0], RADIUS_ACCESS_REQUEST);
	/* Message-Authenticator first, and right (test's own HMAC) */
	assert_int_equal(s->pkt[20], RADIUS_ATTR_MESSAGE_AUTHENTICATOR);
	assert_int_equal(s->pkt[21], 18);
	memcpy(copy, s->pkt, plen);
	memset(copy + 22, 0, 16);
	t_hmac(mac, secret, copy, plen);
	assert_memory_equal(mac, s->pkt + 22, 16);
	assert_int_equal(radius_attr_find(s->pkt, plen, RADIUS_ATTR_USER_NAME, &a), 1);
	assert_int_equal(a.len, 5);
	assert_memory_equal(a.value, "alice", 5);
	assert_int_equal(radius_attr_find(s->pkt, plen, RADIUS_ATTR_NAS_IP_ADDRESS, &a), 1);
	assert_int_equal(radius_attr_find(s->pkt, plen, RADIUS_ATTR_NAS_IDENTIFIER, &a), 1);
	assert_int_equal(radius_attr_find(s->pkt, plen, RADIUS_ATTR_NAS_PORT_TYPE, &a), 1);
	assert_int_equal(a.value[3], 5);
	assert_int_equal(radius_attr_find(s->pkt, plen, RADIUS_ATTR_CALLING_STATION_ID, &a), 1);
	assert_int_equal(radius_eap_join(s->pkt, plen, eap, RADIUS_PACKET_MAX, &n), 0);
	*eap_len = n;
}

static const uint8_t eap_identity[] = { 2, 1, 0, 10, 1, 'a', 'l', 'i', 'c', 'e' };

static void
test_challenge_accept(void **state)
{
	struct conf_radius s = srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 2);
	struct radius_client *c = client(&s, 1, 0);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	uint8_t eap[RADIUS_PACKET_MAX], big[600], rep_buf[RADIUS_PACKET_MAX], want[64];
	struct radius_counters k;
	struct radius_attr a;
	size_t n, len;

	(void)state;
	assert_non_null(ss);
	n_sent = 0;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0),
			 -EINPROGRESS);
	assert_int_equal(n_sent, 1);
	assert_int_equal(last()->addr, IP(10, 1, 0, 9));
	assert_int_equal(last()->port, 1812);
	check_request(last(), "s3cret", &n, eap);
	assert_int_equal(n, sizeof(eap_identity));
	assert_memory_equal(eap, eap_identity, n);
	assert_int_equal(radius_attr_find(last()->pkt, last()->len, RADIUS_ATTR_STATE, NULL), 0);

	/* Access-Challenge with a 600-octet EAP-Request (three attributes) and State. */
	make_eap(big, sizeof(big), 1);
	len = reply(rep_buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCESS_CHALLENGE, .eap = big,
				   .eap_len = sizeof(big), .state = "st-1" });
	radius_input(c, rep_buf, len, IP(10, 1, 0, 9), 1812, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->result, RADIUS_RESULT_CHALLENGE);
	assert_int_equal(g->eap_len, sizeof(big));
	assert_memory_equal(g->eap, big, sizeof(big));
	/* the same reply again: a late duplicate */
	radius_input(c, rep_buf, len, IP(10, 1, 0, 9), 1812, 11);
	radius_counters(c, &k);
	assert_int_equal(k.drops[RADIUS_DROP_late_duplicate], 1);
	assert_int_equal(g->n, 1);

	/* The next request carries the State back. */
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 20), 0);
	check_request(last(), "s3cret", &n, eap);
	assert_int_equal(radius_attr_find(last()->pkt, last()->len, RADIUS_ATTR_STATE, &a), 1);
	assert_int_equal(a.len, 4);
	assert_memory_equal(a.value, "st-1", 4);

	/* Access-Accept with EAP-Success, MPPE keys, Framed-IP-Address, Class. */
	len = reply(rep_buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCESS_ACCEPT,
				   .eap = (const uint8_t[]){ 3, 2, 0, 4 }, .eap_len = 4,
				   .mppe = true, .framed_ip = IP(172, 16, 0, 77),
				   .class_attr = "cls" });
	radius_input(c, rep_buf, len, IP(10, 1, 0, 9), 1812, 30);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->result, RADIUS_RESULT_ACCEPT);
	assert_int_equal(g->eap_len, 4);
	assert_int_equal(g->eap[0], 3);
	assert_true(g->has_msk);
	assert_int_equal(g->msk_len, 64);
	memcpy(want, recv_key, 32);
	memcpy(want + 32, send_key, 32);
	assert_memory_equal(g->msk, want, 64); /* Recv-Key | Send-Key */
	assert_true(g->has_ip);
	assert_int_equal(g->ip, IP(172, 16, 0, 77));
	assert_int_equal(g->server, IP(10, 1, 0, 9));
	assert_int_equal(g->class_len, 3);

	/* After the end of the conversation, no State any more. */
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 40), 0);
	assert_int_equal(radius_attr_find(last()->pkt, last()->len, RADIUS_ATTR_STATE, NULL), 0);
	len = reply(rep_buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCESS_REJECT,
				   .eap = (const uint8_t[]){ 4, 3, 0, 4 }, .eap_len = 4 });
	radius_input(c, rep_buf, len, IP(10, 1, 0, 9), 1812, 50);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->result, RADIUS_RESULT_REJECT);
	assert_int_equal(g->eap[0], 4);

	radius_counters(c, &k);
	assert_int_equal(k.events[RADIUS_EV_access_requests], 3);
	assert_int_equal(k.events[RADIUS_EV_challenges], 1);
	assert_int_equal(k.events[RADIUS_EV_accepts], 1);
	assert_int_equal(k.events[RADIUS_EV_rejects], 1);
	assert_int_equal(k.outstanding, 0);
	assert_int_equal(k.sessions, 1);
	radius_session_free(ss);
	radius_client_free(c);
	free(g);
}

/* Replies that are wrong in one way each: dropped, counted, the request still waits. */
static void
test_bad_replies(void **state)
{
	struct conf_radius s[2] = { srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 2),
				    srv(IP(10, 1, 0, 10), 2, "other", 1000, 2) };
	struct radius_client *c = client(s, 2, 0);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	uint8_t buf[RADIUS_PACKET_MAX], eap[8];
	const struct rep ok = { .code = RADIUS_ACCESS_CHALLENGE, .eap = eap, .eap_len = 8 };
	struct radius_counters k;
	struct rep r;
	size_t len;

	(void)state;
	make_eap(eap, 8, 1);
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);

	r = ok;
	r.bad_auth = true;
	len = reply(buf, last(), "s3cret", &r);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	len = reply(buf, last(), "wrong-secret", &ok);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	r = ok;
	r.bad_msg_auth = true;
	len = reply(buf, last(), "s3cret", &r);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	r = ok;
	r.no_msg_auth = true;
	len = reply(buf, last(), "s3cret", &r);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	r = ok;
	r.id_delta = 1;
	len = reply(buf, last(), "s3cret", &r);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	/* right bytes, wrong source: another server, a wrong port, a stranger */
	len = reply(buf, last(), "s3cret", &ok);
	radius_input(c, buf, len, IP(10, 1, 0, 10), 1812, 1);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1813, 1);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1814, 1);
	radius_input(c, buf, len, IP(10, 9, 9, 9), 1812, 1);
	/* malformed: truncated, Length past the datagram */
	radius_input(c, buf, 19, IP(10, 1, 0, 9), 1812, 1);
	radius_input(c, buf, len - 1, IP(10, 1, 0, 9), 1812, 1);
	/* an Accounting-Response code on the auth port, an Access-Request code */
	buf[0] = RADIUS_ACCESS_REQUEST;
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	buf[0] = RADIUS_ACCOUNTING_RESPONSE;
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	buf[0] = RADIUS_ACCESS_CHALLENGE;
	/* two State attributes in an authentic reply: malformed */
	{
		struct radius_pkt p;

		radius_pkt_init(&p, RADIUS_ACCESS_CHALLENGE, last()->pkt[1], NULL);
		radius_pkt_add_msg_auth(&p);
		radius_pkt_add_eap(&p, eap, 8);
		radius_pkt_add_str(&p, RADIUS_ATTR_STATE, "a");
		radius_pkt_add_str(&p, RADIUS_ATTR_STATE, "b");
		radius_pkt_finish_reply(&p, last()->pkt + 4, (const uint8_t *)"s3cret", 6);
		radius_input(c, p.buf, p.len, IP(10, 1, 0, 9), 1812, 1);
		/* Framed-IP-Address of 3 octets */
		radius_pkt_init(&p, RADIUS_ACCESS_ACCEPT, last()->pkt[1], NULL);
		radius_pkt_add_msg_auth(&p);
		radius_pkt_add(&p, RADIUS_ATTR_FRAMED_IP_ADDRESS, "abc", 3);
		radius_pkt_finish_reply(&p, last()->pkt + 4, (const uint8_t *)"s3cret", 6);
		radius_input(c, p.buf, p.len, IP(10, 1, 0, 9), 1812, 1);
		/* a broken Microsoft VSA */
		radius_pkt_init(&p, RADIUS_ACCESS_ACCEPT, last()->pkt[1], NULL);
		radius_pkt_add_msg_auth(&p);
		radius_pkt_add(&p, RADIUS_ATTR_VENDOR_SPECIFIC,
			       (const uint8_t[]){ 0, 0, 1, 0x37, 17, 40, 0x80 }, 7);
		radius_pkt_finish_reply(&p, last()->pkt + 4, (const uint8_t *)"s3cret", 6);
		radius_input(c, p.buf, p.len, IP(10, 1, 0, 9), 1812, 1);
		/* two Message-Authenticators */
		radius_pkt_init(&p, RADIUS_ACCESS_ACCEPT, last()->pkt[1], NULL);
		radius_pkt_add_msg_auth(&p);
		radius_pkt_add(&p, RADIUS_ATTR_MESSAGE_AUTHENTICATOR, eap, 8);
		radius_pkt_finish_reply(&p, last()->pkt + 4, (const uint8_t *)"s3cret", 6);
		radius_input(c, p.buf, p.len, IP(10, 1, 0, 9), 1812, 1);
	}
	assert_int_equal(g->n, 0);
	radius_counters(c, &k);
	assert_int_equal(k.drops[RADIUS_DROP_bad_authenticator], 2);
	assert_int_equal(k.drops[RADIUS_DROP_bad_message_authenticator], 1);
	assert_int_equal(k.drops[RADIUS_DROP_missing_message_authenticator], 1);
	assert_int_equal(k.drops[RADIUS_DROP_unknown_identifier], 2); /* id+1, server 2 */
	assert_int_equal(k.drops[RADIUS_DROP_unknown_server], 2);
	assert_int_equal(k.drops[RADIUS_DROP_unexpected_code], 3);
	assert_int_equal(k.drops[RADIUS_DROP_malformed], 6);
	assert_int_equal(k.drops[RADIUS_DROP_late_duplicate], 0);
	assert_int_equal(k.outstanding, 1);

	/* The right one still works. */
	len = reply(buf, last(), "s3cret", &ok);
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 2);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->result, RADIUS_RESULT_CHALLENGE);
	radius_client_free(c); /* frees the session too */
	free(g);
}

/* Access-Challenge without EAP: nothing to relay, reported as a reject. Lax mode. */
static void
test_challenge_without_eap_and_lax(void **state)
{
	struct conf_radius s = srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 2);
	struct radius_client_config cfg = { .servers = &s, .n_servers = 1,
					    .lax_message_authenticator = true, .ops = &ops };
	struct radius_client *c = radius_client_create(&cfg, NULL, 0);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	uint8_t buf[RADIUS_PACKET_MAX];
	struct radius_attr a;
	size_t len;

	(void)state;
	assert_non_null(c);
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	/* nas_ip 0 and no identifier: NAS-Identifier "p2sgw" (RFC 2865 §4.1 wants one) */
	assert_int_equal(radius_attr_find(last()->pkt, last()->len, RADIUS_ATTR_NAS_IDENTIFIER, &a),
			 1);
	assert_memory_equal(a.value, "p2sgw", 5);
	assert_int_equal(radius_attr_find(last()->pkt, last()->len, RADIUS_ATTR_NAS_IP_ADDRESS,
					  NULL), 0);
	len = reply(buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCESS_CHALLENGE, .no_msg_auth = true });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->result, RADIUS_RESULT_REJECT);
	assert_string_equal(g->reason, "Access-Challenge without EAP-Message");
	/* lax still demands it with EAP-Message */
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	len = reply(buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCESS_REJECT, .no_msg_auth = true,
				   .eap = (const uint8_t[]){ 4, 3, 0, 4 }, .eap_len = 4 });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	assert_int_equal(g->n, 1);
	len = reply(buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCESS_REJECT, .no_msg_auth = true });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->result, RADIUS_RESULT_REJECT);
	radius_client_free(c);
	free(g);
}

/*
 * Retransmission on an injected clock: timeout 1000 ms, retries 2 → sends
 * at 0, 1000, 3000 (back-off doubles), the server is given up at 7000 and
 * the request moves to the next server with a fresh identifier and
 * authenticator signed with that server's secret.
 */
static void
test_retransmit_timing(void **state)
{
	struct conf_radius s[2] = { srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 2),
				    srv(IP(10, 1, 0, 10), 2, "other", 500, 0) };
	struct radius_client *c = client(s, 2, 0);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	uint8_t first[RADIUS_PACKET_MAX], eap[RADIUS_PACKET_MAX];
	struct radius_server_info si;
	struct radius_counters k;
	size_t first_len, n;

	(void)state;
	n_sent = 0;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	memcpy(first, last()->pkt, last()->len);
	first_len = last()->len;
	assert_int_equal(radius_next_deadline(c), 1000);
	assert_int_equal(radius_timers(c, 999), 0);
	assert_int_equal(n_sent, 1);
	assert_int_equal(radius_timers(c, 1000), 1);
	assert_int_equal(n_sent, 2);
	assert_int_equal(last()->len, first_len);
	assert_memory_equal(last()->pkt, first, first_len); /* same bytes */
	assert_int_equal(radius_next_deadline(c), 3000);
	assert_int_equal(radius_timers(c, 2999), 0);
	assert_int_equal(radius_timers(c, 3000), 1);
	assert_int_equal(n_sent, 3);
	assert_memory_equal(last()->pkt, first, first_len);
	assert_int_equal(radius_next_deadline(c), 7000);
	assert_int_equal(radius_timers(c, 6999), 0);
	assert_int_equal(radius_timers(c, 7000), 1);
	assert_int_equal(n_sent, 4);
	assert_int_equal(last()->addr, IP(10, 1, 0, 10));
	assert_memory_not_equal(last()->pkt + 4, first + 4, 16);
	check_request(last(), "other", &n, eap); /* signed with server 2's secret */
	assert_int_equal(radius_server_info(c, 0, 7000, &si), 0);
	assert_true(si.down);
	assert_int_equal(si.down_for_ms, 30000);
	assert_int_equal(si.requests, 1);
	assert_int_equal(si.retransmits, 2);
	assert_int_equal(si.timeouts, 1);
	assert_int_equal(radius_server_info(c, 2, 7000, &si), -ENOENT);
	/* A late reply from server 1 to the abandoned request: a late duplicate. */
	{
		uint8_t buf[RADIUS_PACKET_MAX];
		struct sent old = { .len = first_len };
		size_t len;

		memcpy(old.pkt, first, first_len);
		len = reply(buf, &old, "s3cret",
			    &(struct rep){ .code = RADIUS_ACCESS_CHALLENGE,
					   .eap = (const uint8_t[]){ 1, 2, 0, 4 },
					   .eap_len = 4 });
		radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 7100);
		radius_counters(c, &k);
		assert_int_equal(k.drops[RADIUS_DROP_late_duplicate], 1);
		assert_int_equal(g->n, 0);
	}
	/* Server 2: no retries, 500 ms; then everything has been tried. */
	assert_int_equal(radius_timers(c, 7499), 0);
	assert_int_equal(radius_timers(c, 7500), 1);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->result, RADIUS_RESULT_TIMEOUT);
	assert_string_equal(g->reason, "no answer from any RADIUS server tried: 10.1.0.9:1812 "
				       "(3 tries) 10.1.0.10:1812 (1 tries)");
	assert_null(strstr(g->reason, "s3cret"));
	assert_int_equal(radius_next_deadline(c), UINT64_MAX);
	radius_counters(c, &k);
	assert_int_equal(k.events[RADIUS_EV_retransmits], 2);
	assert_int_equal(k.events[RADIUS_EV_failovers], 1);
	assert_int_equal(k.events[RADIUS_EV_servers_down], 2);
	assert_int_equal(k.events[RADIUS_EV_timeouts], 1);
	assert_int_equal(k.events[RADIUS_EV_sent], 2);
	assert_int_equal(k.outstanding, 0);

	/* Both down: a new request still goes out, to the first by priority. */
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 8000), 0);
	assert_int_equal(last()->addr, IP(10, 1, 0, 9));
	radius_cancel(ss);
	radius_client_free(c);
	free(g);
}

static void
test_failover_priority(void **state)
{
	struct conf_radius s[3] = { srv(IP(10, 0, 0, 5), 5, "five", 100, 0),
				    srv(IP(10, 0, 0, 1), 1, "one", 100, 1),
				    srv(IP(10, 0, 0, 3), 3, "three", 100, 0) };
	struct radius_client *c = client(s, 3, 0);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	struct radius_server_info si;
	uint8_t buf[RADIUS_PACKET_MAX];
	uint64_t now = 0;
	size_t len;

	(void)state;
	/* listed by priority */
	assert_int_equal(radius_server_info(c, 0, 0, &si), 0);
	assert_int_equal(si.addr, IP(10, 0, 0, 1));
	assert_int_equal(radius_server_info(c, 1, 0, &si), 0);
	assert_int_equal(si.addr, IP(10, 0, 0, 3));
	assert_int_equal(radius_server_info(c, 2, 0, &si), 0);
	assert_int_equal(si.addr, IP(10, 0, 0, 5));

	n_sent = 0;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), now), 0);
	assert_int_equal(last()->addr, IP(10, 0, 0, 1));
	radius_timers(c, now += 100); /* retry */
	assert_int_equal(last()->addr, IP(10, 0, 0, 1));
	radius_timers(c, now += 200); /* give up: to priority 3 */
	assert_int_equal(last()->addr, IP(10, 0, 0, 3));
	radius_timers(c, now += 100); /* to priority 5 */
	assert_int_equal(last()->addr, IP(10, 0, 0, 5));
	assert_int_equal(n_sent, 4);
	radius_timers(c, now += 100);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->result, RADIUS_RESULT_TIMEOUT);
	assert_non_null(strstr(g->reason, "10.0.0.1:1812 (2 tries) 10.0.0.3:1812 (1 tries) "
					  "10.0.0.5:1812 (1 tries)"));

	/* All down; 1 and 3 come back after their dead time, in that order of priority. */
	now += 30000;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), now), 0);
	assert_int_equal(last()->addr, IP(10, 0, 0, 1));
	/* It answers: up again. */
	len = reply(buf, last(), "one",
		    &(struct rep){ .code = RADIUS_ACCESS_REJECT,
				   .eap = (const uint8_t[]){ 4, 1, 0, 4 }, .eap_len = 4 });
	radius_input(c, buf, len, IP(10, 0, 0, 1), 1812, now);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->result, RADIUS_RESULT_REJECT);
	assert_int_equal(radius_server_info(c, 0, now, &si), 0);
	assert_false(si.down);
	assert_int_equal(si.replies, 1);

	/* Priority 1 down, the others up: a new request skips it. */
	radius_access_request(ss, eap_identity, sizeof(eap_identity), now);
	radius_timers(c, now += 100);
	radius_timers(c, now += 200);
	assert_int_equal(last()->addr, IP(10, 0, 0, 3));
	len = reply(buf, last(), "three",
		    &(struct rep){ .code = RADIUS_ACCESS_CHALLENGE,
				   .eap = (const uint8_t[]){ 1, 1, 0, 4 }, .eap_len = 4,
				   .state = "x" });
	radius_input(c, buf, len, IP(10, 0, 0, 3), 1812, now);
	assert_int_equal(g->result, RADIUS_RESULT_CHALLENGE);
	/* pinned to 3 by State; a fresh session starts at 3 too (1 still down) */
	{
		struct got *g2 = calloc(1, sizeof(*g2));
		struct radius_session *s2 = radius_session_new(c, &sparams, t_cb, g2);

		assert_int_equal(radius_access_request(s2, eap_identity, sizeof(eap_identity),
						       now), 0);
		assert_int_equal(last()->addr, IP(10, 0, 0, 3));
		radius_session_free(s2);
		free(g2);
	}
	/* The pinned session's server stops answering: no fail-over mid-conversation. */
	radius_access_request(ss, eap_identity, sizeof(eap_identity), now);
	assert_int_equal(last()->addr, IP(10, 0, 0, 3));
	radius_timers(c, now += 100);
	assert_int_equal(g->result, RADIUS_RESULT_TIMEOUT);
	assert_non_null(strstr(g->reason, "stopped answering"));
	assert_non_null(strstr(g->reason, "10.0.0.3:1812"));
	radius_client_free(c);
	free(g);
}

/* Identifiers: +1 each time, round the 8 bits; 256 in flight at most per server port. */
static void
test_identifiers(void **state)
{
	struct conf_radius s[2] = { srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 2),
				    srv(IP(10, 1, 0, 10), 2, "other", 1000, 2) };
	struct radius_client *c = client(s, 1, 600);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	static struct radius_session *many[600];
	uint8_t buf[RADIUS_PACKET_MAX], id0, seen[256] = { 0 };
	struct radius_counters k;
	unsigned i;
	size_t len;

	(void)state;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	id0 = last()->pkt[1];
	for (i = 0; i < 300; i++) {
		if (i) {
			assert_int_equal(radius_access_request(ss, eap_identity,
							       sizeof(eap_identity), i), 0);
			assert_int_equal(last()->pkt[1], (uint8_t)(id0 + i));
		}
		len = reply(buf, last(), "s3cret",
			    &(struct rep){ .code = RADIUS_ACCESS_REJECT });
		radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, i);
		assert_int_equal(g->n, i + 1);
	}
	radius_session_free(ss);

	/* 256 in flight to one server: the 257th is refused, no packet sent. */
	for (i = 0; i < 257; i++) {
		many[i] = radius_session_new(c, &sparams, t_cb, g);
		assert_non_null(many[i]);
	}
	for (i = 0; i < 256; i++) {
		assert_int_equal(radius_access_request(many[i], eap_identity, sizeof(eap_identity),
						       1000), 0);
		assert_int_equal(seen[last()->pkt[1]], 0);
		seen[last()->pkt[1]] = 1;
	}
	i = n_sent;
	assert_int_equal(radius_access_request(many[256], eap_identity, sizeof(eap_identity), 1000),
			 -EBUSY);
	assert_int_equal(n_sent, i);
	radius_counters(c, &k);
	assert_int_equal(k.events[RADIUS_EV_busy], 1);
	assert_int_equal(k.outstanding, 256);
	/* One answered: its identifier is free again and the next takes it. */
	len = reply(buf, last(), "s3cret", &(struct rep){ .code = RADIUS_ACCESS_REJECT });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 1001);
	assert_int_equal(radius_access_request(many[256], eap_identity, sizeof(eap_identity), 1001),
			 0);
	assert_int_equal(last()->pkt[1], buf[1]);
	/* A retransmission timer for all 256 at once still keeps them apart. */
	assert_int_equal(radius_timers(c, 2001), 256);
	radius_client_free(c);

	/* With a second server, the 257th goes there. */
	c = client(s, 2, 600);
	for (i = 0; i < 257; i++) {
		many[i] = radius_session_new(c, &sparams, t_cb, g);
		assert_int_equal(radius_access_request(many[i], eap_identity, sizeof(eap_identity),
						       0), 0);
		assert_int_equal(last()->addr, i < 256 ? IP(10, 1, 0, 9) : IP(10, 1, 0, 10));
	}
	radius_client_free(c);

	/* The outstanding limit. */
	c = client(s, 2, 2);
	for (i = 0; i < 3; i++) {
		many[i] = radius_session_new(c, &sparams, t_cb, g);
		assert_int_equal(radius_access_request(many[i], eap_identity, sizeof(eap_identity),
						       0), i < 2 ? 0 : -EBUSY);
	}
	radius_cancel(many[0]);
	assert_int_equal(radius_access_request(many[2], eap_identity, sizeof(eap_identity), 0), 0);
	radius_counters(c, &k);
	assert_int_equal(k.events[RADIUS_EV_cancelled], 1);
	radius_client_free(c);
	free(g);
}

/* Cancel: no callback, a later reply is a late duplicate; freeing inside the callback. */
static void
test_cancel_and_free_in_callback(void **state)
{
	struct conf_radius s = srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 0);
	struct radius_client *c = client(&s, 1, 0);
	struct got *g = calloc(1, sizeof(*g));
	struct radius_session *ss = radius_session_new(c, &sparams, t_cb, g);
	uint8_t buf[RADIUS_PACKET_MAX];
	struct radius_counters k;
	size_t len;

	(void)state;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	radius_cancel(ss);
	radius_cancel(ss);
	len = reply(buf, last(), "s3cret", &(struct rep){ .code = RADIUS_ACCESS_REJECT });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 5);
	assert_int_equal(g->n, 0);
	assert_int_equal(radius_timers(c, 5000), 0);
	radius_counters(c, &k);
	assert_int_equal(k.drops[RADIUS_DROP_late_duplicate], 1);
	assert_int_equal(k.outstanding, 0);

	/* The callback frees its session: from input and from a timeout. */
	g->free_session = true;
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	len = reply(buf, last(), "s3cret", &(struct rep){ .code = RADIUS_ACCESS_REJECT });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 5);
	assert_int_equal(g->n, 1);
	ss = radius_session_new(c, &sparams, t_cb, g);
	assert_int_equal(radius_access_request(ss, eap_identity, sizeof(eap_identity), 0), 0);
	assert_int_equal(radius_timers(c, 1000), 1);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->result, RADIUS_RESULT_TIMEOUT);
	radius_counters(c, &k);
	assert_int_equal(k.sessions, 0);
	radius_client_free(c);
	free(g);
}

static void
test_bad_arguments(void **state)
{
	struct conf_radius s = srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 0), b;
	struct radius_client_config cfg = { .servers = &s, .n_servers = 1, .ops = &ops };
	struct radius_session_params sp = sparams;
	struct radius_client *c;
	char err[160];
	uint8_t eap[8];

	(void)state;
	b = s;
	b.secret[0] = 0;
	cfg.servers = &b;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	assert_string_equal(err, "radius[0].secret: allowed 1..127 characters");
	b = s;
	b.timeout_ms = 0;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "timeout_ms"));
	b = s;
	b.retries = 11;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	b = s;
	b.addr = 0;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	cfg.servers = &s;
	cfg.n_servers = 0;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	cfg.n_servers = 1;
	cfg.max_outstanding = 5000;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	cfg.max_outstanding = 0;
	cfg.ops = NULL;
	assert_null(radius_client_create(&cfg, err, sizeof(err)));
	cfg.ops = &ops;
	c = radius_client_create(&cfg, err, sizeof(err));
	assert_non_null(c);

	sp.user_name = "";
	assert_null(radius_session_new(c, &sp, t_cb, NULL));
	sp.user_name = NULL;
	assert_null(radius_session_new(c, &sp, t_cb, NULL));
	assert_null(radius_session_new(c, &sparams, NULL, NULL));
	{
		struct radius_session *ss = radius_session_new(c, &sparams, t_cb, NULL);

		make_eap(eap, 8, 2);
		eap[3] = 9; /* EAP Length wrong */
		assert_int_equal(radius_access_request(ss, eap, 8, 0), -EINVAL);
		assert_int_equal(radius_access_request(ss, eap, 3, 0), -EINVAL);
		assert_int_equal(radius_access_request(ss, NULL, 8, 0), -EINVAL);
		eap[3] = 8;
		eap[0] = 7;
		assert_int_equal(radius_access_request(ss, eap, 8, 0), -EINVAL);
	}
	{
		struct radius_acct_params ap = { .status = 9, .session_id = "x" };

		assert_int_equal(radius_accounting_request(c, &ap, NULL, NULL, 0), -EINVAL);
		ap.status = RADIUS_ACCT_START;
		ap.session_id = "";
		assert_int_equal(radius_accounting_request(c, &ap, NULL, NULL, 0), -EINVAL);
	}
	radius_session_free(NULL);
	radius_cancel(NULL);
	radius_client_free(c);
	radius_client_free(NULL);
}

/* ---- accounting ---- */

static int acct_result = 1;
static char acct_reason[256];

static void
t_acct_cb(void *ctx, int result, const char *reason)
{
	(*(unsigned *)ctx)++;
	acct_result = result;
	snprintf(acct_reason, sizeof(acct_reason), "%s", reason);
}

static uint32_t
attr_u32(const struct sent *s, uint8_t type)
{
	struct radius_attr a;

	assert_int_equal(radius_attr_find(s->pkt, s->len, type, &a), 1);
	assert_int_equal(a.len, 4);
	return (uint32_t)a.value[0] << 24 | (uint32_t)a.value[1] << 16 |
	       (uint32_t)a.value[2] << 8 | a.value[3];
}

static void
test_accounting(void **state)
{
	struct conf_radius s[2] = { srv(IP(10, 1, 0, 9), 1, "s3cret", 1000, 1),
				    srv(IP(10, 1, 0, 10), 2, "other", 1000, 0) };
	struct radius_client *c = client(s, 2, 0);
	struct radius_acct_params ap = {
		.status = RADIUS_ACCT_STOP,
		.session_id = "p2s-00000007",
		.user_name = "alice",
		.calling_station_id = "198.51.100.7[4500]",
		.nas_port = 7,
		.framed_ip = IP(172, 16, 0, 77),
		.class_attr = (const uint8_t *)"cls",
		.class_len = 3,
		.in_octets = 5ull * 4294967296ull + 1234,
		.out_octets = 99,
		.in_packets = 4294967296ull + 3,
		.out_packets = 8,
		.session_time_s = 3600,
		.terminate_cause = 1,
	};
	uint8_t buf[RADIUS_PACKET_MAX], md[16], copy[RADIUS_PACKET_MAX];
	struct radius_attr a;
	struct radius_counters k;
	unsigned calls = 0;
	size_t plen, len;

	(void)state;
	assert_int_equal(radius_accounting_request(c, &ap, t_acct_cb, &calls, 0), 0);
	assert_int_equal(last()->port, 1813);
	assert_int_equal(radius_validate(last()->pkt, last()->len, &plen), 0);
	assert_int_equal(last()->pkt[0], RADIUS_ACCOUNTING_REQUEST);
	/* RFC 2866 §3 authenticator, the test's own MD5 */
	memcpy(copy, last()->pkt, plen);
	memset(copy + 4, 0, 16);
	t_md5(md, copy, plen, "s3cret", 6, NULL, 0);
	assert_memory_equal(md, last()->pkt + 4, 16);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_STATUS_TYPE), 2);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_INPUT_OCTETS), 1234);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_INPUT_GIGAWORDS), 5);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_OUTPUT_OCTETS), 99);
	assert_int_equal(radius_attr_find(last()->pkt, plen, RADIUS_ATTR_ACCT_OUTPUT_GIGAWORDS,
					  NULL), 0);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_INPUT_PACKETS), 3);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_OUTPUT_PACKETS), 8);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_SESSION_TIME), 3600);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_TERMINATE_CAUSE), 1);
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_FRAMED_IP_ADDRESS), IP(172, 16, 0, 77));
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_DELAY_TIME), 0);
	assert_int_equal(radius_attr_find(last()->pkt, plen, RADIUS_ATTR_ACCT_SESSION_ID, &a), 1);
	assert_int_equal(a.len, 12);
	assert_memory_equal(a.value, "p2s-00000007", 12);
	assert_int_equal(radius_attr_find(last()->pkt, plen, RADIUS_ATTR_CLASS, &a), 1);
	assert_int_equal(radius_attr_find(last()->pkt, plen, RADIUS_ATTR_MESSAGE_AUTHENTICATOR,
					  NULL), 0);

	/* Accounting-Response: on the acct port only, authenticated. */
	len = reply(buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCOUNTING_RESPONSE, .no_msg_auth = true });
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1812, 5);
	buf[len - 1] ^= 1;
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1813, 5); /* length 20: flips the auth */
	assert_int_equal(calls, 0);
	buf[len - 1] ^= 1;
	radius_input(c, buf, len, IP(10, 1, 0, 9), 1813, 5);
	assert_int_equal(calls, 1);
	assert_int_equal(acct_result, 0);
	radius_counters(c, &k);
	assert_int_equal(k.drops[RADIUS_DROP_unexpected_code], 1);
	assert_int_equal(k.drops[RADIUS_DROP_bad_authenticator], 1);
	assert_int_equal(k.events[RADIUS_EV_acct_responses], 1);

	/* Start carries no counters; a retransmission, then the second server, then timeout. */
	ap.status = RADIUS_ACCT_START;
	n_sent = 0;
	assert_int_equal(radius_accounting_request(c, &ap, t_acct_cb, &calls, 10000), 0);
	assert_int_equal(radius_attr_find(last()->pkt, last()->len, RADIUS_ATTR_ACCT_INPUT_OCTETS,
					  NULL), 0);
	assert_int_equal(radius_timers(c, 11000), 1);
	assert_int_equal(n_sent, 2);
	assert_int_equal(radius_timers(c, 13000), 1);
	assert_int_equal(n_sent, 3);
	assert_int_equal(last()->addr, IP(10, 1, 0, 10));
	assert_int_equal(last()->port, 1813);
	/* rebuilt 3 s later: Acct-Delay-Time says so, authenticator with the new secret */
	assert_int_equal(attr_u32(last(), RADIUS_ATTR_ACCT_DELAY_TIME), 3);
	memcpy(copy, last()->pkt, last()->len);
	memset(copy + 4, 0, 16);
	t_md5(md, copy, last()->len, "other", 5, NULL, 0);
	assert_memory_equal(md, last()->pkt + 4, 16);
	assert_int_equal(radius_timers(c, 14000), 1);
	assert_int_equal(calls, 2);
	assert_int_equal(acct_result, -ETIMEDOUT);
	assert_non_null(strstr(acct_reason, "10.1.0.9:1813 (2 tries) 10.1.0.10:1813 (1 tries)"));
	/* A NULL callback is fine. */
	assert_int_equal(radius_accounting_request(c, &ap, NULL, NULL, 20000), 0);
	len = reply(buf, last(), "s3cret",
		    &(struct rep){ .code = RADIUS_ACCOUNTING_RESPONSE, .no_msg_auth = true });
	radius_input(c, buf, len, last()->addr, 1813, 20001);
	radius_counters(c, &k);
	assert_int_equal(k.events[RADIUS_EV_acct_responses], 2);
	assert_int_equal(k.outstanding, 0);
	radius_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2865_password),
		cmocka_unit_test(test_rfc2865_request_bytes),
		cmocka_unit_test(test_rfc2865_response_auth),
		cmocka_unit_test(test_message_authenticator),
		cmocka_unit_test(test_accounting_authenticator),
		cmocka_unit_test(test_mppe_decrypt),
		cmocka_unit_test(test_eap_split_join),
		cmocka_unit_test(test_validate_malformed),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_challenge_accept),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_challenge_without_eap_and_lax),
		cmocka_unit_test(test_retransmit_timing),
		cmocka_unit_test(test_failover_priority),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_cancel_and_free_in_callback),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_accounting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
