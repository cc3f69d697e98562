/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MD5-based pieces of RADIUS, with OpenSSL's EVP: Request and Response
 * Authenticators (RFC 2865 §3, RFC 2866 §3), Message-Authenticator
 * (HMAC-MD5, RFC 3579 §3.2), User-Password hiding (RFC 2865 §5.2) and the
 * MS-MPPE key decryption (RFC 2548 §2.4.2/§2.4.3). Intermediate values that
 * derive from the secret are wiped before return.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius_priv.h"

struct part {
	const uint8_t *p;
	size_t n;
};

/* MD5 over up to four parts. 0 or -EIO. */
static int
md5_parts(uint8_t out[16], const struct part *parts, unsigned n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned i, len = 0;
	int ok;

	if (ctx == NULL)
		return -EIO;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].p, parts[i].n);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) && len == 16;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int
radius_response_auth(uint8_t out[RADIUS_AUTH_LEN], const uint8_t *pkt, size_t pkt_len,
		     const uint8_t request_auth[RADIUS_AUTH_LEN], const uint8_t *secret,
		     size_t secret_len)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	const struct part parts[] = {
		{ pkt, 4 },
		{ request_auth ? request_auth : zero, RADIUS_AUTH_LEN },
		{ pkt + RADIUS_HDR_LEN, pkt_len - RADIUS_HDR_LEN },
		{ secret, secret_len },
	};

	if (pkt_len < RADIUS_HDR_LEN || pkt_len > RADIUS_PACKET_MAX)
		return -EINVAL;
	return md5_parts(out, parts, 4);
}

int
radius_msg_auth(uint8_t out[RADIUS_AUTH_LEN], const uint8_t *pkt, size_t pkt_len,
		size_t msg_auth_off, const uint8_t auth[RADIUS_AUTH_LEN], const uint8_t *secret,
		size_t secret_len)
{
	static const uint8_t nokey;
	uint8_t buf[RADIUS_PACKET_MAX];
	unsigned len = 0;
	uint8_t *r;

	if (pkt_len < RADIUS_HDR_LEN || pkt_len > RADIUS_PACKET_MAX ||
	    msg_auth_off < RADIUS_HDR_LEN + 2 || msg_auth_off + RADIUS_AUTH_LEN > pkt_len)
		return -EINVAL;
	memcpy(buf, pkt, pkt_len);
	if (auth)
		memcpy(buf + 4, auth, RADIUS_AUTH_LEN);
	memset(buf + msg_auth_off, 0, RADIUS_AUTH_LEN);
	r = HMAC(EVP_md5(), secret_len ? secret : &nokey, (int)secret_len, buf, pkt_len, out,
		 &len);
	return r != NULL && len == RADIUS_AUTH_LEN ? 0 : -EIO;
}

static void
set_length(struct radius_pkt *p)
{
	radius_put16(p->buf + 2, (uint16_t)p->len);
}

static int
fill_msg_auth(struct radius_pkt *p, const uint8_t *auth, const uint8_t *secret, size_t secret_len)
{
	uint8_t mac[RADIUS_AUTH_LEN];

	if (p->msg_auth_off == 0)
		return 0;
	if (radius_msg_auth(mac, p->buf, p->len, p->msg_auth_off, auth, secret, secret_len) < 0)
		return -EIO;
	memcpy(p->buf + p->msg_auth_off, mac, RADIUS_AUTH_LEN);
	return 0;
}

int
radius_pkt_finish_request(struct radius_pkt *p, const uint8_t *secret, size_t secret_len)
{
	if (p->err)
		return p->err;
	set_length(p);
	return fill_msg_auth(p, NULL, secret, secret_len);
}

/* RFC 2866 §3: the authenticator is MD5 over the packet with 16 zero octets in its place. */
int
radius_pkt_finish_accounting(struct radius_pkt *p, const uint8_t *secret, size_t secret_len)
{
	uint8_t auth[RADIUS_AUTH_LEN];

	if (p->err)
		return p->err;
	set_length(p);
	memset(p->buf + 4, 0, RADIUS_AUTH_LEN);
	if (fill_msg_auth(p, NULL, secret, secret_len) < 0 ||
	    radius_response_auth(auth, p->buf, p->len, NULL, secret, secret_len) < 0)
		return -EIO;
	memcpy(p->buf + 4, auth, RADIUS_AUTH_LEN);
	return 0;
}

int
radius_pkt_finish_reply(struct radius_pkt *p, const uint8_t request_auth[RADIUS_AUTH_LEN],
			const uint8_t *secret, size_t secret_len)
{
	uint8_t auth[RADIUS_AUTH_LEN];

	if (p->err)
		return p->err;
	set_length(p);
	if (fill_msg_auth(p, request_auth, secret, secret_len) < 0 ||
	    radius_response_auth(auth, p->buf, p->len, request_auth, secret, secret_len) < 0)
		return -EIO;
	memcpy(p->buf + 4, auth, RADIUS_AUTH_LEN);
	return 0;
}

/*
 * The MD5 chain shared by User-Password (RFC 2865 §5.2) and the MPPE keys
 * (RFC 2548 §2.4.2): b(1) = MD5(S | first), b(i) = MD5(S | c(i-1)), where
 * c is the cipher text; p xor b gives c (hide) or back (unhide). first is
 * the Request Authenticator, plus the salt for MPPE keys.
 */
static int
md5_chain(uint8_t *out, const uint8_t *in, size_t len, bool hide, const uint8_t *secret,
	  size_t secret_len, const uint8_t *first, size_t first_len)
{
	uint8_t b[16];
	const uint8_t *prev = first;
	size_t prev_len = first_len, i, j;
	int rc = 0;

	for (i = 0; i < len; i += 16) {
		struct part parts[] = { { secret, secret_len }, { prev, prev_len } };

		rc = md5_parts(b, parts, 2);
		if (rc < 0)
			break;
		for (j = 0; j < 16; j++)
			out[i + j] = in[i + j] ^ b[j];
		prev = hide ? out + i : in + i;
		prev_len = 16;
	}
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

int
radius_password_hide(uint8_t *out, size_t out_size, size_t *out_len, const uint8_t *pw,
		     size_t pw_len, const uint8_t *secret, size_t secret_len,
		     const uint8_t request_auth[RADIUS_AUTH_LEN])
{
	uint8_t padded[128] = { 0 };
	size_t n = pw_len == 0 ? 16 : (pw_len + 15) / 16 * 16;
	int rc;

	if (pw_len > 128 || out_size < n)
		return -EINVAL;
	memcpy(padded, pw, pw_len);
	rc = md5_chain(out, padded, n, true, secret, secret_len, request_auth, RADIUS_AUTH_LEN);
	OPENSSL_cleanse(padded, sizeof(padded));
	if (rc == 0)
		*out_len = n;
	return rc;
}

int
radius_password_unhide(uint8_t *out, size_t out_size, size_t *out_len, const uint8_t *hidden,
		       size_t hidden_len, const uint8_t *secret, size_t secret_len,
		       const uint8_t request_auth[RADIUS_AUTH_LEN])
{
	size_t n = hidden_len;

	if (hidden_len < 16 || hidden_len > 128 || hidden_len % 16 || out_size < hidden_len)
		return -EBADMSG;
	if (md5_chain(out, hidden, hidden_len, false, secret, secret_len, request_auth,
		      RADIUS_AUTH_LEN) < 0)
		return -EIO;
	while (n > 0 && out[n - 1] == 0)
		n--;
	*out_len = n;
	return 0;
}

/* RFC 2548 §2.4.2: Salt(2, high bit set) | String, String = Key-Length | Key | padding. */
int
radius_mppe_decrypt(uint8_t *key, size_t key_size, size_t *key_len, const uint8_t *value,
		    size_t value_len, const uint8_t *secret, size_t secret_len,
		    const uint8_t request_auth[RADIUS_AUTH_LEN])
{
	uint8_t first[RADIUS_AUTH_LEN + 2], plain[240];
	size_t n;
	int rc = -EBADMSG;

	if (value_len < 2 + 16 || value_len > 2 + sizeof(plain) || (value_len - 2) % 16 ||
	    !(value[0] & 0x80))
		return -EBADMSG;
	n = value_len - 2;
	memcpy(first, request_auth, RADIUS_AUTH_LEN);
	memcpy(first + RADIUS_AUTH_LEN, value, 2);
	if (md5_chain(plain, value + 2, n, false, secret, secret_len, first, sizeof(first)) < 0) {
		rc = -EIO;
		goto out;
	}
	if (plain[0] == 0 || plain[0] > n - 1 || plain[0] > key_size)
		goto out;
	memcpy(key, plain + 1, plain[0]);
	*key_len = plain[0];
	rc = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}
