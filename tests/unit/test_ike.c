/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ike against the real library: the message and payload
 * codec (built with the library's own writers, then broken byte by byte),
 * proposal matching with offers shaped like those of the clients we serve,
 * known-answer tests from published vectors (HMAC: RFC 2202, RFC 4231,
 * RFC 4868; IKEv2 key derivation: NIST CAVP SP 800-135 IKEv2 vectors; ECDH:
 * RFC 5903 §8; X25519: RFC 7748 §6.1; MODP primes: RFC 2409, RFC 3526,
 * RFC 5114 as printed), prf+ cross-checked against a straightforward EVP
 * implementation, SK payload round trips and tampering for every transform,
 * and RFC 7383 fragmentation and reassembly with its failure cases.
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
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ike.h"

/* ---- helpers ---- */

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

static void
assert_hex(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[1024];
	size_t n = unhex(want_hex, want, sizeof(want));

	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

static const struct ike_header init_hdr = {
	.spi_i = 0x0102030405060708ull, .spi_r = 0, .major = 2, .minor = 0,
	.exchange = IKE_EXCH_IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR, .message_id = 0,
};

/* A strongSwan-like IKE_SA_INIT request (INTEROP.md): SA KE No N N N N N. */
static int
build_init_request(uint8_t *buf, size_t cap, uint16_t ke_group)
{
	static const struct ike_transform t[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128, false },
		{ IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256, false },
		{ IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, false },
		{ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0, false },
		{ IKE_XF_DH, IKE_DH_CURVE25519, 0, false },
		{ IKE_XF_DH, IKE_DH_ECP_256, 0, false },
		{ IKE_XF_DH, IKE_DH_MODP_2048, 0, false },
	};
	static const struct ike_transform aead[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384, 0, false },
		{ IKE_XF_DH, IKE_DH_CURVE25519, 0, false },
	};
	struct ike_proposal_out p[2] = {
		{ .protocol = IKE_PROTO_IKE, .n = 7, .t = t },
		{ .protocol = IKE_PROTO_IKE, .n = 3, .t = aead },
	};
	uint8_t ke[32], nonce[32], natd[IKE_NATD_LEN] = { 1 };
	uint8_t hash_algs[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	struct ike_writer w;

	memset(ke, 0x42, sizeof(ke));
	memset(nonce, 0x17, sizeof(nonce));
	assert_int_equal(ike_writer_msg(&w, buf, cap, &init_hdr), 0);
	assert_true(ike_put_sa(&w, p, 2) > 0);
	assert_true(ike_put_ke(&w, ke_group, ke, sizeof(ke)) > 0);
	assert_true(ike_put_nonce(&w, nonce, sizeof(nonce)) > 0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, natd, 20) > 0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, 20) >
		    0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0) > 0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hash_algs,
				   sizeof(hash_algs)) > 0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_REDIRECT_SUPPORTED, NULL, 0) > 0);
	return ike_writer_finish(&w);
}

/* ---- header and chain ---- */

static void
test_header_codec(void **state)
{
	struct ike_header h = init_hdr, back;
	uint8_t raw[IKE_HDR_LEN];

	(void)state;
	h.spi_r = 0x1122334455667788ull;
	h.next_payload = IKE_PL_SA;
	h.message_id = 0xdeadbeef;
	h.length = 1234;
	h.flags = IKE_FLAG_RESPONSE;
	ike_header_encode(&h, raw);
	assert_int_equal(raw[17], 0x20);
	assert_int_equal(ike_header_decode(raw, sizeof(raw), &back), 0);
	assert_memory_equal(&back.spi_i, &h.spi_i, 8);
	assert_true(back.spi_r == h.spi_r && back.message_id == h.message_id);
	assert_true(back.length == 1234 && back.exchange == h.exchange && back.major == 2);
	assert_int_equal(ike_header_decode(raw, IKE_HDR_LEN - 1, &back), -EINVAL);
}

static void
test_msg_parse_init(void **state)
{
	static const uint8_t want[] = { IKE_PL_SA, IKE_PL_KE, IKE_PL_NONCE, IKE_PL_NOTIFY,
					IKE_PL_NOTIFY, IKE_PL_NOTIFY, IKE_PL_NOTIFY,
					IKE_PL_NOTIFY };
	uint8_t buf[2048];
	struct ike_msg msg;
	struct ike_notify n;
	struct ike_ke ke;
	struct ike_nonce nonce;
	int len = build_init_request(buf, sizeof(buf), IKE_DH_CURVE25519);
	unsigned i;

	(void)state;
	assert_true(len > 0);
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), 0);
	assert_int_equal(msg.chain.n, sizeof(want));
	for (i = 0; i < sizeof(want); i++)
		assert_int_equal(msg.chain.pl[i].type, want[i]);
	assert_int_equal(msg.sk_type, 0);
	assert_int_equal(ike_ke_parse(IKE_PAYLOAD(&msg.chain, 1), &ke), 0);
	assert_int_equal(ke.group, IKE_DH_CURVE25519);
	assert_int_equal(ke.len, 32);
	assert_int_equal(ike_nonce_parse(IKE_PAYLOAD(&msg.chain, 2), &nonce), 0);
	assert_int_equal(nonce.len, 32);
	assert_int_equal(ike_chain_count(&msg.chain, IKE_PL_NOTIFY), 5);
	assert_int_equal(ike_chain_find(&msg.chain, IKE_PL_NOTIFY, 0), 3);
	assert_int_equal(ike_chain_find(&msg.chain, IKE_PL_EAP, 0), -1);
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n), 0);
	assert_int_equal(n.len, 8);
	assert_int_equal(ike_notify_hash_alg(&n, 0), IKE_HASH_SHA2_256);
	assert_int_equal(ike_notify_hash_alg(&n, 3), IKE_HASH_IDENTITY);
	assert_int_equal(ike_notify_hash_alg(&n, 4), 0);
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_COOKIE, &n), -ENOENT);
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_FRAGMENTATION_SUPPORTED, &n), 0);
}

/* Every shorter datagram is refused; none is read past its end (ASan watches). */
static void
test_msg_truncated(void **state)
{
	uint8_t buf[2048];
	struct ike_msg msg;
	int len = build_init_request(buf, sizeof(buf), IKE_DH_CURVE25519);
	size_t n;

	(void)state;
	for (n = 0; n < (size_t)len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, buf, n);
		assert_true(ike_msg_parse(copy, n, &msg) < 0);
		/* With the length field fixed up, the chain itself is short. */
		if (n >= IKE_HDR_LEN) {
			copy[24] = (uint8_t)(n >> 24), copy[25] = (uint8_t)(n >> 16);
			copy[26] = (uint8_t)(n >> 8), copy[27] = (uint8_t)n;
			assert_true(ike_msg_parse(copy, n, &msg) < 0);
		}
		free(copy);
	}
}

static void
test_msg_header_checks(void **state)
{
	uint8_t buf[2048];
	struct ike_msg msg;
	int len = build_init_request(buf, sizeof(buf), IKE_DH_CURVE25519);

	(void)state;
	/* RFC 7296 §2.5: a newer major version is reported with the header read. */
	buf[17] = 0x30;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), -EPROTONOSUPPORT);
	assert_true(msg.hdr.spi_i == init_hdr.spi_i);
	buf[17] = 0x21;   /* minor versions are ignored */
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), 0);
	assert_int_equal(ike_msg_parse(buf, (size_t)len + 1, &msg), -EMSGSIZE);
	assert_int_equal(ike_msg_parse(buf, (size_t)len - 1, &msg), -EMSGSIZE);
	/* A payload length past the end, and one below the generic header. */
	buf[IKE_HDR_LEN + 2] = 0xff;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), -EINVAL);
	buf[IKE_HDR_LEN + 2] = 0;
	buf[IKE_HDR_LEN + 3] = 3;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), -EINVAL);
}

/* Hand-made chains of generic payloads. */
static size_t
raw_chain(uint8_t *buf, const uint8_t *types, const uint8_t *flags, unsigned n, size_t body)
{
	size_t off = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		buf[off] = i + 1 < n ? types[i + 1] : 0;
		buf[off + 1] = flags ? flags[i] : 0;
		buf[off + 2] = (uint8_t)((4 + body) >> 8);
		buf[off + 3] = (uint8_t)(4 + body);
		memset(buf + off + 4, 0x5a, body);
		off += 4 + body;
	}
	return off;
}

static void
test_chain_unknown_and_limits(void **state)
{
	uint8_t buf[8192], types[200], flags[3] = { 0, 0, 0 };
	struct ike_chain chain;
	size_t len;
	unsigned i;

	(void)state;
	/* RFC 7296 §2.5: unknown and not critical: skipped. */
	types[0] = IKE_PL_VENDOR, types[1] = 99, types[2] = IKE_PL_VENDOR;
	len = raw_chain(buf, types, flags, 3, 4);
	assert_int_equal(ike_chain_parse(types[0], buf, len, &chain), 0);
	assert_int_equal(chain.n, 2);
	assert_int_equal(chain.n_skipped, 1);
	assert_int_equal(chain.pl[1].offset, 16);
	/* Unknown and critical: reported, named. */
	flags[1] = 0x80;
	len = raw_chain(buf, types, flags, 3, 4);
	assert_int_equal(ike_chain_parse(types[0], buf, len, &chain), -EOPNOTSUPP);
	assert_int_equal(chain.unsupported_critical, 99);
	/* The critical bit on a known payload means nothing. */
	flags[1] = 0, flags[0] = 0x80;
	len = raw_chain(buf, types, flags, 3, 4);
	assert_int_equal(ike_chain_parse(types[0], buf, len, &chain), 0);
	assert_true(chain.pl[0].critical);
	/* Trailing bytes after the last payload. */
	assert_int_equal(ike_chain_parse(types[0], buf, len + 1, &chain), -EINVAL);
	/* More payloads than we keep. */
	for (i = 0; i < 200; i++)
		types[i] = IKE_PL_VENDOR;
	len = raw_chain(buf, types, NULL, IKE_PAYLOADS_MAX + 1, 0);
	assert_int_equal(ike_chain_parse(IKE_PL_VENDOR, buf, len, &chain), -E2BIG);
	len = raw_chain(buf, types, NULL, IKE_PAYLOADS_MAX, 0);
	assert_int_equal(ike_chain_parse(IKE_PL_VENDOR, buf, len, &chain), 0);
	/* An SK payload inside a decrypted chain is not allowed. */
	types[0] = IKE_PL_SK;
	len = raw_chain(buf, types, NULL, 1, 8);
	assert_int_equal(ike_chain_parse(IKE_PL_SK, buf, len, &chain), -EINVAL);
	/* An SK payload that is not the last one of a message. */
	{
		uint8_t msg_buf[256];
		struct ike_header h = init_hdr;
		struct ike_msg msg;

		h.next_payload = IKE_PL_SK;
		types[0] = IKE_PL_SK, types[1] = IKE_PL_VENDOR;
		len = raw_chain(msg_buf + IKE_HDR_LEN, types, NULL, 2, 8);
		h.length = (uint32_t)(IKE_HDR_LEN + len);
		ike_header_encode(&h, msg_buf);
		assert_int_equal(ike_msg_parse(msg_buf, h.length, &msg), -EINVAL);
	}
}

/* ---- payloads ---- */

static int
put_and_get(int (*put)(struct ike_writer *w), struct ike_chain *chain, uint8_t *buf, size_t cap)
{
	struct ike_writer w;
	int rc;

	ike_writer_chain(&w, buf, cap);
	rc = put(&w);
	if (rc < 0)
		return rc;
	return ike_chain_parse(w.first, buf, w.len, chain);
}

static void
test_payload_id(void **state)
{
	static const uint8_t ipv4[] = { 10, 0, 0, 1 };
	static const uint8_t dn[] = { 0x30, 0x03, 0x31, 0x01, 0x00 };
	uint8_t buf[256];
	struct ike_writer w;
	struct ike_chain chain;
	struct ike_id id;

	(void)state;
	ike_writer_chain(&w, buf, sizeof(buf));
	assert_true(ike_put_id(&w, IKE_PL_IDI, IKE_ID_IPV4_ADDR, ipv4, 4) > 0);
	assert_true(ike_put_id(&w, IKE_PL_IDR, IKE_ID_FQDN, "vpn.example.net", 15) > 0);
	assert_true(ike_put_id(&w, IKE_PL_IDI, IKE_ID_RFC822_ADDR, "alice@example.net", 17) > 0);
	assert_true(ike_put_id(&w, IKE_PL_IDI, IKE_ID_DER_ASN1_DN, dn, sizeof(dn)) > 0);
	assert_true(ike_put_id(&w, IKE_PL_IDI, IKE_ID_KEY_ID, "k", 1) > 0);
	assert_int_equal(w.first, IKE_PL_IDI);
	assert_int_equal(ike_chain_parse(w.first, buf, w.len, &chain), 0);
	assert_int_equal(chain.n, 5);
	assert_int_equal(ike_id_parse(IKE_PAYLOAD(&chain, 0), &id), 0);
	assert_int_equal(id.type, IKE_ID_IPV4_ADDR);
	assert_memory_equal(id.data, ipv4, 4);
	assert_int_equal(id.body_len, 8);
	assert_int_equal(ike_id_parse(IKE_PAYLOAD(&chain, 1), &id), 0);
	assert_int_equal(id.len, 15);
	assert_int_equal(ike_id_parse(IKE_PAYLOAD(&chain, 3), &id), 0);
	assert_int_equal(id.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(ike_id_parse(IKE_PAYLOAD(&chain, 4), &id), 0);
	/* Wrong lengths and bad contents. */
	{
		uint8_t b[32] = { IKE_ID_IPV4_ADDR, 0, 0, 0, 1, 2, 3 };

		assert_int_equal(ike_id_parse(b, 7, &id), -EINVAL);
		b[0] = IKE_ID_FQDN;
		b[5] = 0;
		assert_int_equal(ike_id_parse(b, 7, &id), -EINVAL);   /* NUL inside */
		assert_int_equal(ike_id_parse(b, 4, &id), -EINVAL);   /* empty */
		b[0] = IKE_ID_DER_ASN1_DN;
		b[4] = 0x30, b[5] = 0x05;
		assert_int_equal(ike_id_parse(b, 8, &id), -EINVAL);   /* DER length lies */
		b[5] = 0x81, b[6] = 0x01, b[7] = 0;
		assert_int_equal(ike_id_parse(b, 8, &id), 0);          /* long form */
		assert_int_equal(ike_id_parse(b, 9, &id), -EINVAL);
		assert_int_equal(ike_id_parse(b, 3, &id), -EINVAL);
	}
}

static void
test_payload_cert_auth(void **state)
{
	uint8_t cert[] = { 0x30, 0x82, 0x00, 0x02, 0x05, 0x00 };
	uint8_t hashes[40], sig[64], b[300];
	struct ike_cert c;
	struct ike_certreq cr;
	struct ike_auth a;
	size_t alg_len;
	const uint8_t *alg;
	struct ike_writer w;
	struct ike_chain chain;
	int alg_i;

	(void)state;
	memset(hashes, 0xab, sizeof(hashes));
	memset(sig, 0x33, sizeof(sig));
	ike_writer_chain(&w, b, sizeof(b));
	assert_true(ike_put_cert(&w, IKE_CERT_X509_SIGNATURE, cert, sizeof(cert)) > 0);
	assert_true(ike_put_certreq(&w, IKE_CERT_X509_SIGNATURE, hashes, 40) > 0);
	assert_true(ike_put_auth(&w, IKE_AUTH_ECDSA_SHA256_P256, sig, 64) > 0);
	assert_int_equal(ike_chain_parse(w.first, b, w.len, &chain), 0);
	assert_int_equal(ike_cert_parse(IKE_PAYLOAD(&chain, 0), &c), 0);
	assert_int_equal(c.len, sizeof(cert));
	assert_int_equal(ike_certreq_parse(IKE_PAYLOAD(&chain, 1), &cr), 0);
	assert_int_equal(cr.n_ca, 2);
	assert_int_equal(ike_auth_parse(IKE_PAYLOAD(&chain, 2), &a), 0);
	assert_int_equal(a.method, IKE_AUTH_ECDSA_SHA256_P256);
	assert_int_equal(a.sig_len, 64);
	/* RFC 4754: ECDSA signatures have a fixed size. */
	b[0] = IKE_AUTH_ECDSA_SHA384_P384;
	assert_int_equal(ike_auth_parse(b, 4 + 64, &a), -EINVAL);
	/* X.509 that is not one DER SEQUENCE. */
	assert_int_equal(ike_cert_parse((uint8_t[]){ 4, 0x30, 0x82, 0x00, 0x03, 5, 0 }, 7, &c),
			 -EINVAL);
	/* RFC 7427 §3: each recognised AlgorithmIdentifier, round trip. */
	for (alg_i = IKE_SIG_RSA_SHA1; alg_i <= IKE_SIG_ED25519; alg_i++) {
		alg = ike_sig_alg_der((enum ike_sig_alg)alg_i, &alg_len);
		if (alg == NULL) {
			assert_int_equal(alg_i, IKE_SIG_RSA_PSS);
			continue;
		}
		ike_writer_chain(&w, b, sizeof(b));
		assert_true(ike_put_auth_sig(&w, alg, alg_len, sig, 64) > 0);
		assert_int_equal(ike_auth_parse(b + 4, w.len - 4, &a), 0);
		assert_int_equal(a.method, IKE_AUTH_DIGITAL_SIGNATURE);
		assert_int_equal(a.sig_alg, alg_i);
		assert_int_equal(a.alg_id_len, alg_len);
		assert_int_equal(a.sig_len, 64);
		assert_memory_equal(a.sig, sig, 64);
	}
	/* RSASSA-PSS with parameters: known by its OID. */
	{
		static const uint8_t pss[] = { 0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					       0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x02,
					       0x05, 0x00 };

		assert_int_equal(ike_sig_alg_from_der(pss, sizeof(pss)), IKE_SIG_RSA_PSS);
	}
	/* Length octet past the data; AlgorithmIdentifier not a SEQUENCE; no signature. */
	memset(b, 0, sizeof(b));
	b[0] = IKE_AUTH_DIGITAL_SIGNATURE;
	b[4] = 200;
	assert_int_equal(ike_auth_parse(b, 20, &a), -EINVAL);
	b[4] = 2, b[5] = 0x31, b[6] = 0;
	assert_int_equal(ike_auth_parse(b, 10, &a), -EINVAL);
	b[5] = 0x30;
	assert_int_equal(ike_auth_parse(b, 7, &a), -EINVAL);
	assert_int_equal(ike_auth_parse(b, 8, &a), 0);
	assert_int_equal(a.sig_alg, IKE_SIG_UNKNOWN);
}

static void
test_payload_nonce_notify_delete(void **state)
{
	uint8_t b[600], spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spi4[4] = { 9, 9, 9, 9 };
	struct ike_nonce nonce;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_writer w;
	struct ike_chain chain;

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(ike_nonce_parse(b, 15, &nonce), -EINVAL);
	assert_int_equal(ike_nonce_parse(b, 16, &nonce), 0);
	assert_int_equal(ike_nonce_parse(b, 256, &nonce), 0);
	assert_int_equal(ike_nonce_parse(b, 257, &nonce), -EINVAL);

	ike_writer_chain(&w, b, sizeof(b));
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_INVALID_KE_PAYLOAD, "\x00\x13", 2) > 0);
	assert_true(ike_put_notify(&w, IKE_PROTO_ESP, spi4, 4, IKE_N_REKEY_SA, NULL, 0) > 0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_COOKIE, spis, 8) > 0);
	assert_true(ike_put_delete(&w, IKE_PROTO_ESP, 4, spis, 2) > 0);
	assert_true(ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) > 0);
	assert_int_equal(ike_chain_parse(w.first, b, w.len, &chain), 0);
	assert_int_equal(ike_notify_parse(IKE_PAYLOAD(&chain, 0), &n), 0);
	assert_int_equal(ike_notify_ke_group(&n), IKE_DH_ECP_256);
	assert_int_equal(ike_notify_parse(IKE_PAYLOAD(&chain, 1), &n), 0);
	assert_int_equal(n.spi_size, 4);
	assert_memory_equal(n.spi, spi4, 4);
	assert_int_equal(ike_notify_parse(IKE_PAYLOAD(&chain, 2), &n), 0);
	assert_int_equal(n.len, 8);
	assert_int_equal(ike_delete_parse(IKE_PAYLOAD(&chain, 3), &d), 0);
	assert_int_equal(d.n_spi, 2);
	assert_memory_equal(d.spis, spis, 8);
	assert_int_equal(ike_delete_parse(IKE_PAYLOAD(&chain, 4), &d), 0);
	assert_int_equal(d.protocol, IKE_PROTO_IKE);

	/* Notify data lengths of the types a responder reads. */
	{
		uint8_t nb[100] = { 0, 0, 0, 0 };
		static const struct {
			uint16_t type;
			size_t bad, good;
		} cases[] = {
			{ IKE_N_INVALID_KE_PAYLOAD, 3, 2 },
			{ IKE_N_NAT_DETECTION_SOURCE_IP, 19, 20 },
			{ IKE_N_NAT_DETECTION_DESTINATION_IP, 21, 20 },
			{ IKE_N_COOKIE, 65, 64 },
			{ IKE_N_COOKIE, 0, 1 },
			{ IKE_N_SIGNATURE_HASH_ALGORITHMS, 3, 4 },
			{ IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 2, 1 },
		};
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			nb[2] = (uint8_t)(cases[i].type >> 8);
			nb[3] = (uint8_t)cases[i].type;
			assert_int_equal(ike_notify_parse(nb, 4 + cases[i].bad, &n), -EINVAL);
			assert_int_equal(ike_notify_parse(nb, 4 + cases[i].good, &n), 0);
		}
		/* REKEY_SA names an ESP SPI; SPI size beyond 8 or beyond the data. */
		nb[2] = IKE_N_REKEY_SA >> 8, nb[3] = IKE_N_REKEY_SA & 0xff;
		assert_int_equal(ike_notify_parse(nb, 4, &n), -EINVAL);
		nb[1] = 9;
		assert_int_equal(ike_notify_parse(nb, 20, &n), -EINVAL);
		nb[1] = 4;
		assert_int_equal(ike_notify_parse(nb, 7, &n), -EINVAL);
		assert_int_equal(ike_notify_parse(nb, 3, &n), -EINVAL);
	}
	/* Delete: IKE with SPIs, ESP with a bad count or size. */
	{
		uint8_t db[16] = { IKE_PROTO_IKE, 0, 0, 1 };

		assert_int_equal(ike_delete_parse(db, 4, &d), -EINVAL);
		db[0] = IKE_PROTO_ESP, db[1] = 4, db[3] = 2;
		assert_int_equal(ike_delete_parse(db, 8, &d), -EINVAL);
		assert_int_equal(ike_delete_parse(db, 12, &d), 0);
		db[1] = 8;
		assert_int_equal(ike_delete_parse(db, 16, &d), -EINVAL);
		db[1] = 4, db[3] = 0;
		assert_int_equal(ike_delete_parse(db, 4, &d), -EINVAL);
	}
}

static void
test_payload_ts(void **state)
{
	const struct ike_ts_ipv4 ts_in[2] = {
		{ 0, 0, 65535, 0x0a000000, 0x0affffff },
		{ 17, 53, 53, 0xc0a80101, 0xc0a80101 },
	};
	uint8_t b[256];
	struct ike_writer w;
	struct ike_ts ts;
	size_t len;

	(void)state;
	ike_writer_chain(&w, b, sizeof(b));
	assert_int_equal(ike_put_ts(&w, IKE_PL_TSI, ts_in, 2), 4 + 4 + 32);
	assert_int_equal(ike_ts_parse(b + 4, w.len - 4, &ts), 0);
	assert_int_equal(ts.n, 2);
	assert_true(ts.ts[0].ip_proto == 0 && ts.ts[0].start_port == 0 &&
		    ts.ts[0].end_port == 65535 && ts.ts[0].start_addr == 0x0a000000 &&
		    ts.ts[0].end_addr == 0x0affffff);
	assert_true(ts.ts[1].ip_proto == 17 && ts.ts[1].start_port == 53 &&
		    ts.ts[1].end_addr == 0xc0a80101);
	/* An IPv6 selector (strongSwan with ::/0) is skipped, not refused. */
	memmove(b, b + 4, 4 + 32);
	b[0] = 3;
	len = 4 + 32;
	memset(b + len, 0, 40);
	b[len] = IKE_TS_IPV6_ADDR_RANGE, b[len + 3] = 40;
	len += 40;
	assert_int_equal(ike_ts_parse(b, len, &ts), 0);
	assert_int_equal(ts.n, 2);
	assert_int_equal(ts.n_other, 1);
	/* Lengths that do not add up; no selectors; an IPv4 one of the wrong size. */
	assert_int_equal(ike_ts_parse(b, len - 1, &ts), -EINVAL);
	assert_int_equal(ike_ts_parse(b, len + 1, &ts), -EINVAL);
	b[0] = 0;
	assert_int_equal(ike_ts_parse(b, 4, &ts), -EINVAL);
	b[0] = 1, b[4 + 3] = 20;
	assert_int_equal(ike_ts_parse(b, 4 + 20, &ts), -EINVAL);
	b[4 + 3] = 4;
	assert_int_equal(ike_ts_parse(b, 4 + 16, &ts), -EINVAL);
	assert_int_equal(ike_put_ts(&w, IKE_PL_TSR, ts_in, 0), -EINVAL);
}

static void
test_payload_cp_eap(void **state)
{
	static const uint8_t addr[4] = { 172, 16, 201, 5 }, mask[4] = { 255, 255, 255, 255 };
	static const uint8_t subnet[8] = { 10, 1, 0, 0, 255, 255, 0, 0 };
	const struct ike_cp_attr req[] = {
		{ IKE_CFGA_INTERNAL_IP4_ADDRESS, 0, NULL },
		{ IKE_CFGA_INTERNAL_IP4_DNS, 0, NULL },
		{ 0x5ba0, 0, NULL },                     /* Windows private: unknown */
		{ IKE_CFGA_INTERNAL_IP6_ADDRESS, 0, NULL },
	};
	const struct ike_cp_attr reply[] = {
		{ IKE_CFGA_INTERNAL_IP4_ADDRESS, 4, addr },
		{ IKE_CFGA_INTERNAL_IP4_NETMASK, 4, mask },
		{ IKE_CFGA_INTERNAL_IP4_SUBNET, 8, subnet },
	};
	uint8_t b[256], eap[] = { 1, 7, 0, 5, 1 };
	struct ike_writer w;
	struct ike_chain chain;
	struct ike_cp cp;
	struct ike_eap e;

	(void)state;
	ike_writer_chain(&w, b, sizeof(b));
	assert_true(ike_put_cp(&w, IKE_CFG_REQUEST, req, 4) > 0);
	assert_true(ike_put_cp(&w, IKE_CFG_REPLY, reply, 3) > 0);
	assert_true(ike_put_raw(&w, IKE_PL_EAP, eap, sizeof(eap)) > 0);
	assert_int_equal(ike_chain_parse(w.first, b, w.len, &chain), 0);
	assert_int_equal(ike_cp_parse(IKE_PAYLOAD(&chain, 0), &cp), 0);
	assert_int_equal(cp.cfg_type, IKE_CFG_REQUEST);
	assert_int_equal(cp.n, 3);
	assert_int_equal(cp.n_skipped, 1);
	assert_int_equal(cp.attr[2].type, IKE_CFGA_INTERNAL_IP6_ADDRESS);
	assert_int_equal(ike_cp_parse(IKE_PAYLOAD(&chain, 1), &cp), 0);
	assert_int_equal(cp.n, 3);
	assert_memory_equal(cp.attr[0].value, addr, 4);
	assert_int_equal(cp.attr[2].len, 8);
	assert_int_equal(ike_eap_parse(IKE_PAYLOAD(&chain, 2), &e), 0);
	assert_true(e.code == 1 && e.identifier == 7 && e.type == 1 && e.len == 5);
	/* An address of 3 bytes; an attribute running past the end. */
	{
		uint8_t cb[16] = { 1, 0, 0, 0, 0, 1, 0, 3, 1, 2, 3 };

		assert_int_equal(ike_cp_parse(cb, 11, &cp), -EINVAL);
		cb[7] = 8;
		assert_int_equal(ike_cp_parse(cb, 11, &cp), -EINVAL);
		cb[5] = 0x77, cb[7] = 3;   /* unknown type: any length */
		assert_int_equal(ike_cp_parse(cb, 11, &cp), 0);
		assert_int_equal(ike_cp_parse(cb, 9, &cp), -EINVAL);
	}
	/* EAP: its own length must be the payload's; Success is 4 octets. */
	eap[3] = 6;
	assert_int_equal(ike_eap_parse(eap, 5, &e), -EINVAL);
	eap[0] = 3, eap[3] = 4;
	assert_int_equal(ike_eap_parse(eap, 4, &e), 0);
	assert_int_equal(e.type, 0);
	eap[0] = 1;
	assert_int_equal(ike_eap_parse(eap, 4, &e), -EINVAL);
	eap[0] = 9;
	assert_int_equal(ike_eap_parse(eap, 4, &e), -EINVAL);
}

static int
put_big(struct ike_writer *w)
{
	static uint8_t big[70000];

	return ike_put_raw(w, IKE_PL_VENDOR, big, sizeof(big));
}

static void
test_writer_bounds(void **state)
{
	uint8_t b[64], nonce[32] = { 0 };
	struct ike_writer w;
	struct ike_chain chain;
	size_t before;

	(void)state;
	assert_int_equal(ike_writer_msg(&w, b, IKE_HDR_LEN - 1, &init_hdr), -ENOSPC);
	assert_int_equal(ike_writer_msg(&w, b, sizeof(b), &init_hdr), 0);
	assert_int_equal(ike_put_nonce(&w, nonce, 32), 36);
	before = w.len;
	/* Does not fit: -ENOSPC and the writer exactly as it was. */
	assert_int_equal(ike_put_nonce(&w, nonce, 1), -ENOSPC);
	assert_int_equal(w.len, before);
	assert_int_equal(b[16], IKE_PL_NONCE);
	assert_int_equal(b[IKE_HDR_LEN], IKE_PL_NONE);
	assert_int_equal(ike_writer_finish(&w), 64);
	assert_int_equal(put_and_get(put_big, &chain, b, sizeof(b)), -ENOSPC);
}

/* ---- SA payloads and proposal matching ---- */

static void
test_sa_parse(void **state)
{
	uint8_t buf[2048];
	struct ike_msg msg;
	struct ike_sa_offer sa;
	struct ike_transform_iter it;
	struct ike_transform t;
	int len = build_init_request(buf, sizeof(buf), IKE_DH_CURVE25519);
	unsigned n = 0;
	uint8_t *body;

	(void)state;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), 0);
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), 0);
	assert_int_equal(sa.n, 2);
	assert_int_equal(sa.proposal[0].number, 1);
	assert_int_equal(sa.proposal[1].number, 2);
	assert_int_equal(sa.proposal[0].n_transforms, 7);
	ike_transform_iter_init(&it, &sa.proposal[0]);
	while (ike_transform_next(&it, &t)) {
		if (n == 0)
			assert_true(t.type == IKE_XF_ENCR && t.key_len == 128);
		if (n == 2)
			assert_true(t.type == IKE_XF_INTEG && t.key_len == 0);
		n++;
	}
	assert_int_equal(n, 7);

	/* Break it in the ways §3.3 forbids, one at a time. */
	body = (uint8_t *)msg.chain.pl[0].body;
	body[4] = 2;    /* first proposal numbered 2 */
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), -EINVAL);
	body[4] = 1;
	body[0] = 0;    /* "last" on a proposal that is not */
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), -EINVAL);
	body[0] = 2;
	body[7] = 8;    /* more transforms than there are */
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), -EINVAL);
	body[7] = 6;    /* fewer */
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), -EINVAL);
	body[7] = 7;
	body[8] = 0;    /* first transform says it is the last */
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), -EINVAL);
	body[8] = 3;
	/* Key Length as TLV whose length runs past its transform. */
	assert_int_equal(body[16], 0x80);
	body[16] = 0x00, body[18] = 0x00, body[19] = 0x40;
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), -EINVAL);
	body[16] = 0x80, body[19] = 128;
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), 0);
	assert_int_equal(ike_sa_parse(body, 7, &sa), -EINVAL);
	assert_int_equal(ike_sa_parse(body, 0, &sa), -EINVAL);
}

/* An offer of single transforms per type, the way Windows sends it. */
static size_t
build_offer(uint8_t *buf, size_t cap, const struct ike_proposal_out *p, unsigned n,
	    struct ike_sa_offer *sa)
{
	struct ike_writer w;

	ike_writer_chain(&w, buf, cap);
	assert_true(ike_put_sa(&w, p, n) > 0);
	assert_int_equal(ike_sa_parse(buf + 4, w.len - 4, sa), 0);
	return w.len;
}

#define XF(type, id, bits) { IKE_XF_##type, id, bits, false }

static void
test_match_windows(void **state)
{
	/* Windows: AES-CBC-256/SHA1/MODP-1024 first, then 3DES, then SHA-256. */
	static const struct ike_transform p1[] = { XF(ENCR, IKE_ENCR_AES_CBC, 256),
						   XF(INTEG, IKE_INTEG_HMAC_SHA1_96, 0),
						   XF(PRF, IKE_PRF_HMAC_SHA1, 0),
						   XF(DH, IKE_DH_MODP_1024, 0) };
	static const struct ike_transform p2[] = { XF(ENCR, IKE_ENCR_3DES, 0),
						   XF(INTEG, IKE_INTEG_HMAC_SHA1_96, 0),
						   XF(PRF, IKE_PRF_HMAC_SHA1, 0),
						   XF(DH, IKE_DH_MODP_1024, 0) };
	struct ike_proposal_out p[2] = { { .protocol = IKE_PROTO_IKE, .n = 4, .t = p1 },
					 { .protocol = IKE_PROTO_IKE, .n = 4, .t = p2 } };
	uint8_t buf[512];
	struct ike_sa_offer sa;
	struct ike_choice c;
	enum ike_accept_set set;

	(void)state;
	build_offer(buf, sizeof(buf), p, 2, &sa);
	for (set = IKE_ACCEPT_WINDOWS; set <= IKE_ACCEPT_ALL; set++) {
		int rc = ike_proposal_match(ike_accept_builtin(set), &sa, IKE_PROTO_IKE,
					    IKE_DH_MODP_1024, &c);

		if (set == IKE_ACCEPT_WINDOWS || set == IKE_ACCEPT_ALL) {
			assert_int_equal(rc, 0);
			assert_int_equal(c.number, 1);
			assert_true(c.encr == IKE_ENCR_AES_CBC && c.encr_key_len == 256);
			assert_true(c.integ == IKE_INTEG_HMAC_SHA1_96 && c.prf == IKE_PRF_HMAC_SHA1);
			assert_int_equal(c.dh, IKE_DH_MODP_1024);
			assert_false(c.aead);
		} else if (set == IKE_ACCEPT_CLOUD) {
			/* CBC-256 + SHA-1 is not in the cloud set. */
			assert_int_equal(rc, -ENOENT);
		}
	}
	/* Windows ESP: AES-CBC-256 + SHA1, no PFS, with an ESN transform. */
	{
		static const struct ike_transform e1[] = { XF(ENCR, IKE_ENCR_AES_CBC, 256),
							   XF(INTEG, IKE_INTEG_HMAC_SHA1_96, 0),
							   XF(ESN, IKE_ESN_NO, 0) };
		static const uint8_t spi[4] = { 0xc0, 0xff, 0xee, 0x01 };
		struct ike_proposal_out e = { .protocol = IKE_PROTO_ESP, .spi_size = 4, .spi = spi,
					      .n = 3, .t = e1 };

		build_offer(buf, sizeof(buf), &e, 1, &sa);
		assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_WINDOWS), &sa,
						    IKE_PROTO_ESP, IKE_DH_NONE, &c),
				 0);
		assert_true(c.encr == IKE_ENCR_AES_CBC && c.integ == IKE_INTEG_HMAC_SHA1_96);
		assert_true(c.esn == IKE_ESN_NO && c.dh == IKE_DH_NONE && c.spi_size == 4);
		assert_memory_equal(c.spi, spi, 4);
		/* Asking for ESP when the offer is IKE finds nothing. */
		assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_WINDOWS), &sa,
						    IKE_PROTO_IKE, IKE_DH_MODP_1024, &c),
				 -ENOENT);
	}
}

static void
test_match_strongswan_and_ke(void **state)
{
	uint8_t buf[2048];
	struct ike_msg msg;
	struct ike_sa_offer sa;
	struct ike_choice c;
	const struct ike_accept *all = ike_accept_builtin(IKE_ACCEPT_ALL);
	int len = build_init_request(buf, sizeof(buf), IKE_DH_CURVE25519);

	(void)state;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), 0);
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), 0);
	/* The client's first proposal wins; within it, our preference (AES-256). */
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_CURVE25519, &c), 0);
	assert_int_equal(c.number, 1);
	assert_true(c.encr == IKE_ENCR_AES_CBC && c.encr_key_len == 256);
	assert_true(c.integ == IKE_INTEG_HMAC_SHA2_256_128 && c.prf == IKE_PRF_HMAC_SHA2_256);
	assert_int_equal(c.dh, IKE_DH_CURVE25519);
	/* KE with a group it also offers: taken as it is, no round trip. */
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_MODP_2048, &c), 0);
	assert_int_equal(c.dh, IKE_DH_MODP_2048);
	/* KE with a group not offered: INVALID_KE_PAYLOAD with our preferred one. */
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_384, &c), -EAGAIN);
	assert_int_equal(c.dh, IKE_DH_CURVE25519);
	/* The cloud set has no Curve25519: it asks for MODP-2048, which the client offers. */
	assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_CLOUD), &sa,
					    IKE_PROTO_IKE, IKE_DH_CURVE25519, &c),
			 -EAGAIN);
	assert_int_equal(c.dh, IKE_DH_MODP_2048);
	assert_int_equal(c.number, 1);
	assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_STRONGSWAN), &sa,
					    IKE_PROTO_IKE, IKE_DH_CURVE25519, &c),
			 0);
}

static void
test_match_aead_and_rules(void **state)
{
	/* AEAD with an integ other than NONE: not acceptable (RFC 5282 §8). */
	static const struct ike_transform bad_aead[] = { XF(ENCR, IKE_ENCR_AES_GCM_16, 256),
							 XF(INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
							 XF(PRF, IKE_PRF_HMAC_SHA2_256, 0),
							 XF(DH, IKE_DH_ECP_256, 0) };
	static const struct ike_transform aead_none[] = { XF(ENCR, IKE_ENCR_AES_GCM_16, 256),
							  XF(INTEG, IKE_INTEG_NONE, 0),
							  XF(PRF, IKE_PRF_HMAC_SHA2_384, 0),
							  XF(DH, IKE_DH_ECP_384, 0) };
	/* A transform type nobody knows makes the whole proposal unacceptable. */
	static const struct ike_transform unknown_type[] = { XF(ENCR, IKE_ENCR_AES_CBC, 256),
							     XF(INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
							     XF(PRF, IKE_PRF_HMAC_SHA2_256, 0),
							     XF(DH, IKE_DH_ECP_256, 0),
							     { 77, 1, 0, false } };
	/* Missing key length: that AES transform is not the one we accept. */
	static const struct ike_transform no_keylen[] = { XF(ENCR, IKE_ENCR_AES_CBC, 0),
							  XF(INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
							  XF(PRF, IKE_PRF_HMAC_SHA2_256, 0),
							  XF(DH, IKE_DH_ECP_256, 0) };
	/* No PRF in an IKE proposal. */
	static const struct ike_transform no_prf[] = { XF(ENCR, IKE_ENCR_AES_CBC, 256),
						       XF(INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
						       XF(DH, IKE_DH_ECP_256, 0) };
	const struct ike_accept *all = ike_accept_builtin(IKE_ACCEPT_ALL);
	struct ike_proposal_out p = { .protocol = IKE_PROTO_IKE, .n = 4 };
	uint8_t buf[512];
	struct ike_sa_offer sa;
	struct ike_choice c;

	(void)state;
	p.t = bad_aead;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_256, &c), -ENOENT);
	p.t = aead_none;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_384, &c), 0);
	assert_true(c.aead && c.integ == IKE_INTEG_NONE && c.prf == IKE_PRF_HMAC_SHA2_384);
	p.t = unknown_type, p.n = 5;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_256, &c), -ENOENT);
	p.t = no_keylen, p.n = 4;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_256, &c), -ENOENT);
	p.t = no_prf, p.n = 3;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_256, &c), -ENOENT);
	/* An IKE proposal with an SPI of 4 octets is not IKE's. */
	p.t = aead_none, p.n = 4, p.spi_size = 4, p.spi = (const uint8_t *)"abcd";
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_384, &c), -ENOENT);
	/* An unknown attribute makes a transform unusable (§3.3.6). */
	{
		size_t len;

		p.spi_size = 0, p.spi = NULL;
		len = build_offer(buf, sizeof(buf), &p, 1, &sa);
		assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_384, &c), 0);
		/* Turn GCM's Key Length (type 14) into type 15. */
		assert_int_equal(buf[4 + 8 + 8 + 1], 14);
		buf[4 + 8 + 8 + 1] = 15;
		assert_int_equal(ike_sa_parse(buf + 4, len - 4, &sa), 0);
		assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_IKE, IKE_DH_ECP_384, &c),
				 -ENOENT);
	}
}

static void
test_match_esp_pfs_esn(void **state)
{
	static const uint8_t spi[4] = { 1, 2, 3, 4 };
	static const struct ike_transform gcm_pfs[] = { XF(ENCR, IKE_ENCR_AES_GCM_16, 256),
							XF(DH, IKE_DH_ECP_256, 0),
							XF(ESN, IKE_ESN_YES, 0),
							XF(ESN, IKE_ESN_NO, 0) };
	static const struct ike_transform esn_only_yes[] = { XF(ENCR, IKE_ENCR_AES_GCM_16, 128),
							     XF(ESN, IKE_ESN_YES, 0) };
	static const struct ike_transform prf_in_esp[] = { XF(ENCR, IKE_ENCR_AES_GCM_16, 128),
							   XF(PRF, IKE_PRF_HMAC_SHA2_256, 0) };
	const struct ike_accept *all = ike_accept_builtin(IKE_ACCEPT_ALL);
	struct ike_proposal_out p = { .protocol = IKE_PROTO_ESP, .spi_size = 4, .spi = spi };
	uint8_t buf[512];
	struct ike_sa_offer sa;
	struct ike_choice c;

	(void)state;
	p.t = gcm_pfs, p.n = 4;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	/* In IKE_AUTH there is no KE: DH transforms are ignored. */
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_ESP, IKE_DH_NONE, &c), 0);
	assert_int_equal(c.dh, IKE_DH_NONE);
	assert_int_equal(c.esn, IKE_ESN_NO);   /* our preference among what is offered */
	/* CREATE_CHILD_SA with PFS. */
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_ESP, IKE_DH_ECP_256, &c), 0);
	assert_int_equal(c.dh, IKE_DH_ECP_256);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_ESP, IKE_DH_ECP_384, &c), -EAGAIN);
	assert_int_equal(c.dh, IKE_DH_ECP_256);
	/* The Windows set takes no PFS. */
	assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_WINDOWS), &sa,
					    IKE_PROTO_ESP, IKE_DH_ECP_256, &c),
			 -ENOENT);
	p.t = esn_only_yes, p.n = 2;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_ESP, IKE_DH_NONE, &c), 0);
	assert_int_equal(c.esn, IKE_ESN_YES);
	p.t = prf_in_esp, p.n = 2;
	build_offer(buf, sizeof(buf), &p, 1, &sa);
	assert_int_equal(ike_proposal_match(all, &sa, IKE_PROTO_ESP, IKE_DH_NONE, &c), -ENOENT);
}

static void
test_sa_choice_round_trip(void **state)
{
	uint8_t buf[2048], reply[512], our_spi[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
	struct ike_msg msg;
	struct ike_sa_offer sa, back;
	struct ike_choice c, c2;
	struct ike_writer w;
	int len = build_init_request(buf, sizeof(buf), IKE_DH_CURVE25519);

	(void)state;
	assert_int_equal(ike_msg_parse(buf, (size_t)len, &msg), 0);
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&msg.chain, 0), &sa), 0);
	assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_STRONGSWAN), &sa,
					    IKE_PROTO_IKE, IKE_DH_CURVE25519, &c),
			 0);
	ike_writer_chain(&w, reply, sizeof(reply));
	assert_true(ike_put_sa_choice(&w, &c, NULL, 0) > 0);
	assert_int_equal(ike_sa_parse(reply + 4, w.len - 4, &back), 0);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.proposal[0].number, c.number);
	assert_int_equal(back.proposal[0].n_transforms, 4);
	/* What we answer is acceptable to us as an offer: same choice. */
	assert_int_equal(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_STRONGSWAN), &back,
					    IKE_PROTO_IKE, c.dh, &c2),
			 0);
	assert_true(c2.encr == c.encr && c2.encr_key_len == c.encr_key_len &&
		    c2.integ == c.integ && c2.prf == c.prf && c2.dh == c.dh);
	/* An ESP reply carries our SPI and an ESN transform. */
	c.protocol = IKE_PROTO_ESP, c.dh = IKE_DH_NONE, c.esn = IKE_ESN_NO;
	ike_writer_chain(&w, reply, sizeof(reply));
	assert_true(ike_put_sa_choice(&w, &c, our_spi, 4) > 0);
	assert_int_equal(ike_sa_parse(reply + 4, w.len - 4, &back), 0);
	assert_int_equal(back.proposal[0].spi_size, 4);
	assert_memory_equal(back.proposal[0].spi, our_spi, 4);
	assert_int_equal(back.proposal[0].n_transforms, 3);
}

static void
test_accept_sets(void **state)
{
	struct ike_accept_proposal bad = { .protocol = IKE_PROTO_IKE, .n_encr = 1,
					   .encr = { { IKE_ENCR_AES_GCM_16, 256 } },
					   .n_integ = 1,
					   .integ = { IKE_INTEG_HMAC_SHA2_256_128 },
					   .n_prf = 1, .prf = { IKE_PRF_HMAC_SHA2_256 },
					   .n_dh = 1, .dh = { IKE_DH_ECP_256 } };
	struct ike_accept acc = { "test", 1, &bad };
	char err[160];
	int i;

	(void)state;
	for (i = 0; i < IKE_ACCEPT_SETS; i++) {
		const struct ike_accept *a = ike_accept_builtin((enum ike_accept_set)i);

		assert_non_null(a);
		assert_int_equal(ike_accept_check(a, err, sizeof(err)), 0);
	}
	assert_null(ike_accept_builtin(IKE_ACCEPT_SETS));
	assert_int_equal(ike_accept_check(&acc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "test: proposal 1: integ"));
	bad.n_integ = 0;
	bad.dh[0] = IKE_DH_MODP_1536;
	assert_int_equal(ike_accept_check(&acc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dh"));
	bad.dh[0] = IKE_DH_ECP_256;
	bad.encr[0].key_len = 100;
	assert_int_equal(ike_accept_check(&acc, err, sizeof(err)), -EINVAL);
	bad.encr[0].key_len = 128;
	assert_int_equal(ike_accept_check(&acc, err, sizeof(err)), 0);
	bad.protocol = IKE_PROTO_ESP;
	assert_int_equal(ike_accept_check(&acc, err, sizeof(err)), -EINVAL);
}

/* ---- crypto known answers ---- */

struct hmac_kat {
	uint16_t prf;
	const char *key;      /* hex */
	const char *data;     /* ASCII */
	const char *mac;      /* hex */
};

static void
test_prf_kat(void **state)
{
	static const struct hmac_kat kats[] = {
		/* RFC 2202 §3, test cases 1 and 2 */
		{ IKE_PRF_HMAC_SHA1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ IKE_PRF_HMAC_SHA1, "4a656665", "what do ya want for nothing?",
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		/* RFC 4231 §4.2, §4.3 */
		{ IKE_PRF_HMAC_SHA2_256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ IKE_PRF_HMAC_SHA2_384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
		  "faea9ea9076ede7f4af152e8b2fa9cb6" },
		{ IKE_PRF_HMAC_SHA2_512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
		{ IKE_PRF_HMAC_SHA2_256, "4a656665", "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ IKE_PRF_HMAC_SHA2_384, "4a656665", "what do ya want for nothing?",
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
		  "8e2240ca5e69e2c78b3239ecfab21649" },
		{ IKE_PRF_HMAC_SHA2_512, "4a656665", "what do ya want for nothing?",
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
		/* RFC 4868 §2.7.1, PRF-1: keys of the PRF's own size */
		{ IKE_PRF_HMAC_SHA2_256,
		  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
		{ IKE_PRF_HMAC_SHA2_384,
		  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
		  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "Hi There",
		  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee9737a959796489bddbc"
		  "4c5df61d5b3297b4fb68dab9f1b582c2" },
		{ IKE_PRF_HMAC_SHA2_512,
		  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
		  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "Hi There",
		  "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"
		  "ac2878ebd5803f6f0b61dbce5e251ff8789a4722c1be65aea45fd464e89f8f5b" },
	};
	uint8_t key[128], out[IKE_PRF_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		size_t klen = unhex(kats[i].key, key, sizeof(key));
		/* Split the data in two chunks: concatenation must not matter. */
		struct ike_chunk in[2] = { { kats[i].data, 3 },
					   { kats[i].data + 3, strlen(kats[i].data) - 3 } };

		assert_int_equal(ike_prf(kats[i].prf, key, klen, in, 2, out), 0);
		assert_hex(out, ike_prf_len(kats[i].prf), kats[i].mac);
	}
	assert_int_equal(ike_prf(IKE_PRF_AES128_XCBC, key, 16, NULL, 0, out), -ENOTSUP);
}

/* prf+ by the book, with EVP's one-shot HMAC: the cross-check reference. */
static void
ref_prf_plus(const EVP_MD *md, const uint8_t *key, size_t klen, const uint8_t *s, size_t slen,
	     uint8_t *out, size_t out_len)
{
	uint8_t t[64], in[64 + 600];
	unsigned int tlen = 0, n = 1;
	size_t done = 0;

	while (done < out_len) {
		size_t inlen = 0;

		memcpy(in, t, tlen);
		inlen += tlen;
		memcpy(in + inlen, s, slen);
		inlen += slen;
		in[inlen++] = (uint8_t)n++;
		assert_non_null(HMAC(md, key, (int)klen, in, inlen, t, &tlen));
		memcpy(out + done, t, out_len - done < tlen ? out_len - done : tlen);
		done += out_len - done < tlen ? out_len - done : tlen;
	}
}

static void
test_prf_plus_reference(void **state)
{
	static const struct {
		uint16_t prf;
		const EVP_MD *(*md)(void);
	} prfs[] = { { IKE_PRF_HMAC_SHA1, EVP_sha1 }, { IKE_PRF_HMAC_SHA2_256, EVP_sha256 },
		     { IKE_PRF_HMAC_SHA2_384, EVP_sha384 }, { IKE_PRF_HMAC_SHA2_512, EVP_sha512 } };
	uint8_t key[48], seed[100], got[1000], want[1000];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(255 - i);
	for (i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++) {
		for (len = 1; len <= sizeof(got); len += 97) {
			struct ike_chunk in[2] = { { seed, 40 }, { seed + 40, 60 } };

			assert_int_equal(ike_prf_plus(prfs[i].prf, key, sizeof(key), in, 2, got, len),
					 0);
			ref_prf_plus(prfs[i].md(), key, sizeof(key), seed, sizeof(seed), want, len);
			assert_memory_equal(got, want, len);
		}
	}
	/* At most 255 blocks. */
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 20, NULL, 0, got, 255 * 20 + 1),
			 -EINVAL);
}

/*
 * NIST CAVP SP 800-135 IKEv2 KDF vectors (ikev2.zip, HMAC-SHA-1, COUNT 0):
 * SKEYSEED, DKM (1056 bits), DKM(Child SA), DKM(Child SA D-H), SKEYSEED(Rekey).
 */
static const char cavp_ni[] = "3651fef5c9c35e93";
static const char cavp_nr[] = "c09a8b90a3f04d59";
static const char cavp_gir[] =
	"d084a30166a50fb7325c3960874a839449ef9741c2f4f947d0201dd8c1269273"
	"d79509f37e3ca3eb4fa2fe2a28254e289cd3f34dad4eb4df1a07685a4b8a94fa"
	"61e2491f7598b3ce65547ff133b3f63d1ac4175eaa695033f3cedb026a6873a3"
	"6455172a8540b8a5d23a0143bed0390ee49b168269d75fffee9fb62be965993c";
static const char cavp_gir_new[] =
	"52f00ab174c25d5b7139ae5ff4e8e9eddee5992d2e36adf8a559ffd90dab1442"
	"e4fbe429d320c0f33552a17d1557fa41ea70e8fb916c4fa27ed52b5f8ebd8461"
	"afa78f1159159a64055ac5f6319e29c28eae58cbc6847770f32c3fed1d047504"
	"84f854790f95e9ec01bc5bc461f24966462e359511329305038e94deb6dd42c2";

static void
test_kdf_cavp(void **state)
{
	uint8_t ni[8], nr[8], gir[128], gir_new[128], skeyseed[20], dkm[132], spis[16], sk_d[20];
	struct ike_chunk seed[3] = { { ni, 8 }, { nr, 8 }, { spis, 16 } };
	struct ike_choice esp = { .protocol = IKE_PROTO_ESP, .encr = IKE_ENCR_AES_CBC,
				  .encr_key_len = 256, .integ = IKE_INTEG_HMAC_SHA2_256_128 };
	struct ike_child_keys ck;

	(void)state;
	unhex(cavp_ni, ni, 8);
	unhex(cavp_nr, nr, 8);
	unhex(cavp_gir, gir, sizeof(gir));
	unhex(cavp_gir_new, gir_new, sizeof(gir_new));
	unhex("8e5c3ae507221684b1f201bb155c3acd", spis, 16);

	assert_int_equal(ike_skeyseed(IKE_PRF_HMAC_SHA1, ni, 8, nr, 8, gir, 128, skeyseed), 0);
	assert_hex(skeyseed, 20, "cd2e8050137832245f1dbacc6e4f0a92f94d45d6");
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, skeyseed, 20, seed, 3, dkm, 132), 0);
	assert_hex(dkm, 132,
		   "6f1b12cad3cbe097b35430356d869d54cddb0198ec859174d53ceb92dddedbe2436db69f"
		   "60977c58fa63bbb667f8d36920b109baae8f6c61a9ac49feda01843225d080ec5539d588"
		   "1a25521ffb2a0a91874a9c0a27fcc2d717eb8963a9e3a89c7ab264757284c28cf8c3ca40"
		   "576f4220b052b1fb8e9ad60ba3c80557323331a8cbb89f20");
	/* SK_d is the first 20 octets of DKM. */
	memcpy(sk_d, dkm, 20);
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA1, sk_d, 20, seed, 2, dkm, 132), 0);
	assert_hex(dkm, 132,
		   "4727dc0ef94eb326ce131cf282fb652faa638ad0ddae3786a11bcc0309876009f8c485de"
		   "011ad962c5b1ca8a41ff8145445749079c5686e26ffebbc342f06981f3da745e11ca0976"
		   "424d1f8caec623d59dc7186deb20a27b411d1dcb70a365440bf7de905088b0692e8addc0"
		   "94e18d1939bdb67e89798ca6b239e2ccb81c2409dac0106c");
	/* The same through ike_child_keys_derive: KEYMAT split ei | ai | er | ar. */
	unhex("6f1b12cad3cbe097b35430356d869d54cddb0198", skeyseed, 20);
	assert_int_equal(ike_child_keys_derive(IKE_PRF_HMAC_SHA1, skeyseed, 20, &esp, NULL, 0, ni,
					       8, nr, 8, &ck),
			 0);
	assert_int_equal(ck.e_len, 32);
	assert_int_equal(ck.a_len, 32);
	assert_memory_equal(ck.ei, dkm, 32);
	assert_memory_equal(ck.ai, dkm + 32, 32);
	assert_memory_equal(ck.er, dkm + 64, 32);
	assert_memory_equal(ck.ar, dkm + 96, 32);
	/* With PFS: prf+(SK_d, g^ir (new) | Ni | Nr). */
	assert_int_equal(ike_child_keys_derive(IKE_PRF_HMAC_SHA1, skeyseed, 20, &esp, gir_new, 128,
					       ni, 8, nr, 8, &ck),
			 0);
	assert_hex(ck.ei, 32, "b109c21ad4c0797768c1cec9e63554681e48f224bca7f23c20c4ea7041983451");
	/* Rekeyed IKE SA: prf(SK_d (old), g^ir (new) | Ni | Nr). */
	assert_int_equal(ike_skeyseed_rekey(IKE_PRF_HMAC_SHA1, skeyseed, 20, gir_new, 128, ni, 8,
					    nr, 8, dkm),
			 0);
	assert_hex(dkm, 20, "3b03bce748c96d5e8306918d2ff89b68f0648da3");
}

static void
test_sa_keys_split(void **state)
{
	uint8_t ni[32], nr[32], skeyseed[48], keymat[400], spis[16];
	struct ike_choice c = { .protocol = IKE_PROTO_IKE, .encr = IKE_ENCR_AES_GCM_16,
				.encr_key_len = 256, .prf = IKE_PRF_HMAC_SHA2_384, .aead = true };
	struct ike_chunk seed[3] = { { ni, 32 }, { nr, 32 }, { spis, 16 } };
	struct ike_sa_keys k;
	struct ike_sk from_i, from_r;

	(void)state;
	memset(ni, 1, sizeof(ni));
	memset(nr, 2, sizeof(nr));
	memset(skeyseed, 3, sizeof(skeyseed));
	unhex("0102030405060708a1a2a3a4a5a6a7a8", spis, 16);
	assert_int_equal(ike_sa_keys_derive(&c, skeyseed, ni, 32, nr, 32, 0x0102030405060708ull,
					    0xa1a2a3a4a5a6a7a8ull, &k),
			 0);
	/* AEAD: no SK_a; SK_e carries 4 octets of salt (RFC 5282 §7.1). */
	assert_true(k.d_len == 48 && k.a_len == 0 && k.e_len == 36 && k.p_len == 48);
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_384, skeyseed, 48, seed, 3, keymat,
				      48 + 72 + 96),
			 0);
	assert_memory_equal(k.sk_d, keymat, 48);
	assert_memory_equal(k.sk_ei, keymat + 48, 36);
	assert_memory_equal(k.sk_er, keymat + 84, 36);
	assert_memory_equal(k.sk_pi, keymat + 120, 48);
	assert_memory_equal(k.sk_pr, keymat + 168, 48);
	assert_int_equal(ike_sk_from_keys(&c, &k, &from_i, &from_r), 0);
	assert_memory_equal(from_r.ekey, k.sk_er, 36);
	/* CBC + SHA-256: SK_a of 32 octets each, in its place. */
	c.encr = IKE_ENCR_AES_CBC, c.encr_key_len = 128, c.aead = false;
	c.integ = IKE_INTEG_HMAC_SHA2_256_128, c.prf = IKE_PRF_HMAC_SHA2_256;
	assert_int_equal(ike_sa_keys_derive(&c, skeyseed, ni, 32, nr, 32, 0x0102030405060708ull,
					    0xa1a2a3a4a5a6a7a8ull, &k),
			 0);
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, skeyseed, 32, seed, 3, keymat,
				      32 + 64 + 32 + 64),
			 0);
	assert_memory_equal(k.sk_ai, keymat + 32, 32);
	assert_memory_equal(k.sk_ar, keymat + 64, 32);
	assert_memory_equal(k.sk_ei, keymat + 96, 16);
	assert_memory_equal(k.sk_pr, keymat + 160, 32);
	c.prf = IKE_PRF_AES128_XCBC;
	assert_int_equal(ike_sa_keys_derive(&c, skeyseed, ni, 32, nr, 32, 1, 2, &k), -ENOTSUP);
}

static void
test_auth_natd_cookie(void **state)
{
	uint8_t out[IKE_PRF_MAX], want[IKE_PRF_MAX], key[IKE_PRF_MAX], natd[20], buf[34];
	uint8_t ip[4] = { 192, 0, 2, 1 }, ni[32], cookie[IKE_COOKIE_LEN];
	uint8_t secret[32], old[32];
	struct ike_chunk octets[2] = { { "message", 7 }, { "nonce", 5 } };
	unsigned int n;
	uint32_t version;

	(void)state;
	/* AUTH = prf(prf(secret, "Key Pad for IKEv2"), octets), by hand. */
	assert_int_equal(ike_auth_psk(IKE_PRF_HMAC_SHA2_256, (const uint8_t *)"s3cret", 6, octets,
				      2, out),
			 0);
	HMAC(EVP_sha256(), "s3cret", 6, (const uint8_t *)"Key Pad for IKEv2", 17, key, &n);
	HMAC(EVP_sha256(), key, 32, (const uint8_t *)"messagenonce", 12, want, &n);
	assert_memory_equal(out, want, 32);
	assert_int_equal(ike_auth_id_mac(IKE_PRF_HMAC_SHA2_256, key, 32,
					 (const uint8_t *)"\x02\0\0\0vpn", 7, out),
			 0);
	HMAC(EVP_sha256(), key, 32, (const uint8_t *)"\x02\0\0\0vpn", 7, want, &n);
	assert_memory_equal(out, want, 32);

	/* NAT-D: SHA-1(SPIi | SPIr | IP | port). */
	assert_int_equal(ike_natd_hash(0x0102030405060708ull, 0, ip, 4, 4500, natd), 0);
	unhex("0102030405060708 0000000000000000 c0000201 1194", buf, sizeof(buf));
	EVP_Digest(buf, 22, want, &n, EVP_sha1(), NULL);
	assert_memory_equal(natd, want, 20);
	assert_int_equal(ike_natd_hash(1, 2, ip, 5, 500, natd), -EINVAL);

	/* Cookies: checked with the secret of their version, bound to Ni, IP and SPIi. */
	memset(ni, 9, sizeof(ni));
	memset(secret, 0x5e, sizeof(secret));
	memset(old, 0x01, sizeof(old));
	assert_int_equal(ike_cookie_make(secret, 32, 7, ni, 32, ip, 4, 0xabcdull, cookie), 0);
	assert_int_equal(ike_cookie_version(cookie, sizeof(cookie), &version), 0);
	assert_int_equal(version, 7);
	assert_true(ike_cookie_check(secret, 32, cookie, sizeof(cookie), ni, 32, ip, 4, 0xabcdull));
	assert_false(ike_cookie_check(old, 32, cookie, sizeof(cookie), ni, 32, ip, 4, 0xabcdull));
	assert_false(ike_cookie_check(secret, 32, cookie, sizeof(cookie), ni, 32, ip, 4, 0xabceull));
	ip[3] = 2;
	assert_false(ike_cookie_check(secret, 32, cookie, sizeof(cookie), ni, 32, ip, 4, 0xabcdull));
	ip[3] = 1;
	assert_false(ike_cookie_check(secret, 32, cookie, 20, ni, 32, ip, 4, 0xabcdull));
	cookie[0] ^= 1;   /* another version: another secret, wrong MAC */
	assert_false(ike_cookie_check(secret, 32, cookie, sizeof(cookie), ni, 32, ip, 4, 0xabcdull));
}

/* ---- key exchange ---- */

static void
dh_kat(uint16_t group, const char *i_hex, const char *gi_hex, const char *r_hex,
       const char *gr_hex, const char *gir_hex)
{
	uint8_t priv[64], pub[IKE_DH_PUBLIC_MAX], peer[IKE_DH_PUBLIC_MAX], shared[64];
	size_t plen = unhex(i_hex, priv, sizeof(priv)), peer_len;
	struct ike_dh *i = ike_dh_new_private(group, priv, plen), *r;

	assert_non_null(i);
	assert_int_equal(ike_dh_public(i, pub, sizeof(pub)), (int)ike_dh_public_len(group));
	assert_hex(pub, ike_dh_public_len(group), gi_hex);
	plen = unhex(r_hex, priv, sizeof(priv));
	r = ike_dh_new_private(group, priv, plen);
	assert_non_null(r);
	assert_int_equal(ike_dh_public(r, pub, sizeof(pub)), (int)ike_dh_public_len(group));
	assert_hex(pub, ike_dh_public_len(group), gr_hex);
	peer_len = unhex(gr_hex, peer, sizeof(peer));
	assert_true(ike_dh_shared(i, peer, peer_len, shared, sizeof(shared)) > 0);
	assert_hex(shared, strlen(gir_hex) / 2, gir_hex);
	peer_len = unhex(gi_hex, peer, sizeof(peer));
	assert_true(ike_dh_shared(r, peer, peer_len, shared, sizeof(shared)) > 0);
	assert_hex(shared, strlen(gir_hex) / 2, gir_hex);
	ike_dh_free(i);
	ike_dh_free(r);
}

static void
test_dh_ecp_rfc5903(void **state)
{
	(void)state;
	/* RFC 5903 §8.1: KE data is g^i x | g^i y, the shared secret g^ir x. */
	dh_kat(IKE_DH_ECP_256, "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
	       "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	       "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	       "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
	       "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	       "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
	       "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");
	/* RFC 5903 §8.2 */
	dh_kat(IKE_DH_ECP_384,
	       "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
	       "E35B538041E649EE3FAEF896783AB194",
	       "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
	       "DE3AC808ACB4BDB4C88732AEE95F41AA9482ED1FC0EEB9CAFC4984625CCFC23F"
	       "65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
	       "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
	       "E0308312916B8ED2960E4BD55A7448FC",
	       "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
	       "0D1AC43A0336DEF96FDA41D0774A3571DCFBEC7AACF3196472169E838430367F"
	       "66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
	       "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
	       "D603135569B9E9D09CF5D4A270F59746");
}

static void
test_dh_x25519_rfc7748(void **state)
{
	uint8_t zero[32] = { 0 }, out[32];
	struct ike_dh *dh;

	(void)state;
	/* RFC 7748 §6.1 */
	dh_kat(IKE_DH_CURVE25519, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	       "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	       "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	       "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	       "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	/* RFC 8031 §2.3: a low-order point gives all zeros, which is refused. */
	dh = ike_dh_new(IKE_DH_CURVE25519);
	assert_non_null(dh);
	assert_int_equal(ike_dh_shared(dh, zero, 32, out, sizeof(out)), -EINVAL);
	assert_int_equal(ike_dh_shared(dh, zero, 31, out, sizeof(out)), -EINVAL);
	assert_int_equal(ike_dh_shared(dh, zero, 32, out, 31), -ENOSPC);
	ike_dh_free(dh);
}

/* The primes as the RFCs print them. */
static const char rfc2409_group2[] =
	"FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74"
	"020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437"
	"4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED"
	"EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381 FFFFFFFF FFFFFFFF";
static const char rfc3526_group14[] =
	"FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74"
	"020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437"
	"4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED"
	"EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D C2007CB8 A163BF05"
	"98DA4836 1C55D39A 69163FA8 FD24CF5F 83655D23 DCA3AD96 1C62F356 208552BB"
	"9ED52907 7096966D 670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B"
	"E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9 DE2BCBF6 95581718"
	"3995497C EA956AE5 15D22618 98FA0510 15728E5A 8AACAA68 FFFFFFFF FFFFFFFF";
static const char rfc5114_2048_256_p[] =
	"87A8E61D B4B6663C FFBBD19C 65195999 8CEEF608 660DD0F2 5D2CEED4 435E3B00"
	"E00DF8F1 D61957D4 FAF7DF45 61B2AA30 16C3D911 34096FAA 3BF4296D 830E9A7C"
	"209E0C64 97517ABD 5A8A9D30 6BCF67ED 91F9E672 5B4758C0 22E0B1EF 4275BF7B"
	"6C5BFC11 D45F9088 B941F54E B1E59BB8 BC39A0BF 12307F5C 4FDB70C5 81B23F76"
	"B63ACAE1 CAA6B790 2D525267 35488A0E F13C6D9A 51BFA4AB 3AD83477 96524D8E"
	"F6A167B5 A41825D9 67E144E5 14056425 1CCACB83 E6B486F6 B3CA3F79 71506026"
	"C0B857F6 89962856 DED4010A BD0BE621 C3A3960A 54E710C3 75F26375 D7014103"
	"A4B54330 C198AF12 6116D227 6E11715F 693877FA D7EF09CA DB094AE9 1E1A1597";

static void
test_dh_modp_primes(void **state)
{
	static const struct {
		uint16_t group;
		const char *text;
	} primes[] = { { IKE_DH_MODP_1024, rfc2409_group2 },
		       { IKE_DH_MODP_2048, rfc3526_group14 },
		       { IKE_DH_MODP_2048_256, rfc5114_2048_256_p } };
	uint8_t want[256];
	const uint8_t *p;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++) {
		p = ike_dh_prime(primes[i].group, &len);
		assert_non_null(p);
		assert_int_equal(len, unhex(primes[i].text, want, sizeof(want)));
		assert_memory_equal(p, want, len);
		assert_int_equal(ike_dh_public_len(primes[i].group), len);
	}
	/* A second source for the Oakley primes: OpenSSL's own copies. */
	{
		BIGNUM *bn = BN_get_rfc2409_prime_1024(NULL);

		assert_int_equal(BN_bn2binpad(bn, want, 128), 128);
		p = ike_dh_prime(IKE_DH_MODP_1024, &len);
		assert_memory_equal(p, want, 128);
		BN_free(bn);
		bn = BN_get_rfc3526_prime_2048(NULL);
		assert_int_equal(BN_bn2binpad(bn, want, 256), 256);
		p = ike_dh_prime(IKE_DH_MODP_2048, &len);
		assert_memory_equal(p, want, 256);
		BN_free(bn);
	}
	assert_null(ike_dh_prime(IKE_DH_ECP_256, &len));
	assert_int_equal(len, 0);
	/* Small exponents by hand: g^3 = 8, g^5 = 32, g^15 = 2^15, all padded to the prime. */
	{
		struct ike_dh *a = ike_dh_new_private(IKE_DH_MODP_2048, (const uint8_t *)"\x03", 1);
		struct ike_dh *b = ike_dh_new_private(IKE_DH_MODP_2048, (const uint8_t *)"\x05", 1);
		uint8_t pub[256], shared[256], zero[256] = { 0 };

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(ike_dh_public(a, pub, sizeof(pub)), 256);
		assert_memory_equal(pub, zero, 255);
		assert_int_equal(pub[255], 8);
		assert_int_equal(ike_dh_public(b, pub, sizeof(pub)), 256);
		assert_int_equal(pub[255], 32);
		assert_int_equal(ike_dh_shared(a, pub, 256, shared, sizeof(shared)), 256);
		assert_memory_equal(shared, zero, 254);
		assert_int_equal(shared[254], 0x80);
		assert_int_equal(shared[255], 0);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

static void
test_dh_round_trip_and_peer_checks(void **state)
{
	static const uint16_t groups[] = { IKE_DH_MODP_1024, IKE_DH_MODP_2048,
					   IKE_DH_MODP_2048_256, IKE_DH_ECP_256,
					   IKE_DH_ECP_384, IKE_DH_CURVE25519 };
	uint8_t pa[IKE_DH_PUBLIC_MAX], pb[IKE_DH_PUBLIC_MAX], sa[256], sb[256], bad[256];
	size_t i;

	(void)state;
	assert_false(ike_dh_supported(IKE_DH_MODP_1536));
	assert_null(ike_dh_new(IKE_DH_CURVE448));
	assert_int_equal(ike_dh_public_len(IKE_DH_NONE), 0);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct ike_dh *a = ike_dh_new(groups[i]), *b = ike_dh_new(groups[i]);
		int la, lb, n;
		size_t plen = ike_dh_public_len(groups[i]), modp_len;

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(ike_dh_group(a), groups[i]);
		la = ike_dh_public(a, pa, sizeof(pa));
		lb = ike_dh_public(b, pb, sizeof(pb));
		assert_int_equal(la, (int)plen);
		assert_int_equal(lb, (int)plen);
		assert_int_equal(ike_dh_public(a, pa, plen - 1), -ENOSPC);
		n = ike_dh_shared(a, pb, plen, sa, sizeof(sa));
		assert_true(n > 0);
		assert_int_equal(ike_dh_shared(b, pa, plen, sb, sizeof(sb)), n);
		assert_memory_equal(sa, sb, (size_t)n);
		/* Wrong lengths. */
		assert_int_equal(ike_dh_shared(a, pb, plen - 1, sa, sizeof(sa)), -EINVAL);
		/* Zeros: y = 0 for MODP, the point (0, 0), the zero u. */
		memset(bad, 0, sizeof(bad));
		assert_int_equal(ike_dh_shared(a, bad, plen, sa, sizeof(sa)), -EINVAL);
		if (groups[i] == IKE_DH_ECP_256 || groups[i] == IKE_DH_ECP_384) {
			/* A point off the curve: y changed by one. */
			memcpy(bad, pb, plen);
			bad[plen - 1] ^= 1;
			assert_int_equal(ike_dh_shared(a, bad, plen, sa, sizeof(sa)), -EINVAL);
		}
		if (ike_dh_prime(groups[i], &modp_len) != NULL) {
			const uint8_t *p;
			size_t len;

			/* y = 1, y = p, y = p - 1: outside 1 < y < p-1. */
			bad[plen - 1] = 1;
			assert_int_equal(ike_dh_shared(a, bad, plen, sa, sizeof(sa)), -EINVAL);
			p = ike_dh_prime(groups[i], &len);
			memcpy(bad, p, len);
			assert_int_equal(ike_dh_shared(a, bad, plen, sa, sizeof(sa)), -EINVAL);
			bad[len - 1] -= 1;
			assert_int_equal(ike_dh_shared(a, bad, plen, sa, sizeof(sa)), -EINVAL);
			if (groups[i] == IKE_DH_MODP_2048_256) {
				/* RFC 6989: 2 is not in the order-q subgroup. */
				memset(bad, 0, sizeof(bad));
				bad[plen - 1] = 2;
				assert_int_equal(ike_dh_shared(a, bad, plen, sa, sizeof(sa)),
						 -EINVAL);
			}
		}
		ike_dh_free(a);
		ike_dh_free(b);
	}
	ike_dh_free(NULL);
}

/* ---- SK payload ---- */

struct sk_case {
	uint16_t encr, bits, integ;
};

static const struct sk_case sk_cases[] = {
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96 },
	{ IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96 },
	{ IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA2_384_192 },
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE },
};

static void
sk_setup(const struct sk_case *c, struct ike_sk *sk, uint8_t seed)
{
	uint8_t ekey[IKE_ENCR_KEY_MAX], akey[IKE_INTEG_KEY_MAX];
	size_t elen = ike_encr_key_len(c->encr, c->bits), alen = ike_integ_key_len(c->integ);
	size_t i;

	for (i = 0; i < sizeof(ekey); i++)
		ekey[i] = (uint8_t)(seed + i * 3);
	for (i = 0; i < sizeof(akey); i++)
		akey[i] = (uint8_t)(seed ^ (i * 5));
	assert_int_equal(ike_sk_init(sk, c->encr, c->bits, c->integ, ekey, elen, akey, alen), 0);
}

/* An IKE_AUTH-like inner chain: IDi CERT N AUTH, some hundreds of bytes. */
static size_t
build_inner(uint8_t *buf, size_t cap, size_t cert_len, uint8_t *first)
{
	static uint8_t cert[8192];
	struct ike_writer w;
	size_t i;

	for (i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)i;
	ike_writer_chain(&w, buf, cap);
	assert_true(ike_put_id(&w, IKE_PL_IDI, IKE_ID_FQDN, "client.example.net", 18) > 0);
	assert_true(ike_put_cert(&w, 6, cert, cert_len) > 0);
	assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0) > 0);
	assert_true(ike_put_auth(&w, IKE_AUTH_RSA_SIG, cert, 64) > 0);
	*first = w.first;
	return w.len;
}

static void
test_sk_round_trip(void **state)
{
	static const size_t sizes[] = { 0, 1, 7, 15, 16, 17, 100, 1000 };
	struct ike_header h = { .spi_i = 11, .spi_r = 22, .major = 2,
				.exchange = IKE_EXCH_IKE_AUTH, .flags = IKE_FLAG_INITIATOR,
				.message_id = 1 };
	uint8_t inner[1200], out[1400], plain[1400];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(inner); i++)
		inner[i] = (uint8_t)(i * 13);
	for (i = 0; i < sizeof(sk_cases) / sizeof(sk_cases[0]); i++) {
		struct ike_sk sk;

		sk_setup(&sk_cases[i], &sk, (uint8_t)i);
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			struct ike_msg msg;
			int len = ike_sk_encrypt(&sk, &h, IKE_PL_IDI, inner, sizes[j], out,
						 sizeof(out));

			assert_true(len > 0);
			assert_int_equal((size_t)len,
					 IKE_HDR_LEN + sizes[j] + ike_sk_overhead(&sk, sizes[j]));
			assert_int_equal(ike_msg_parse(out, (size_t)len, &msg), 0);
			assert_int_equal(msg.sk_type, IKE_PL_SK);
			assert_int_equal(msg.sk_next, IKE_PL_IDI);
			assert_int_equal(msg.hdr.message_id, 1);
			assert_int_equal(ike_sk_decrypt(&sk, &msg, plain, sizeof(plain)),
					 (int)sizes[j]);
			assert_memory_equal(plain, inner, sizes[j]);
			/* Not enough room for the plaintext. */
			if (sizes[j] > 16)
				assert_int_equal(ike_sk_decrypt(&sk, &msg, plain, 8), -ENOSPC);
		}
		assert_int_equal(ike_sk_encrypt(&sk, &h, IKE_PL_IDI, inner, 100, out, 100), -ENOSPC);
	}
}

/* RFC 7296 §2.21.2 / RFC 5282: every byte flipped must fail parse or integrity. */
static void
test_sk_tamper(void **state)
{
	struct ike_header h = { .spi_i = 11, .spi_r = 22, .major = 2,
				.exchange = IKE_EXCH_INFORMATIONAL, .message_id = 9 };
	uint8_t inner[200], out[400], plain[400], first;
	size_t i, k, inner_len = build_inner(inner, sizeof(inner), 20, &first);

	(void)state;
	for (i = 0; i < sizeof(sk_cases) / sizeof(sk_cases[0]); i++) {
		struct ike_sk sk, other;
		struct ike_msg msg;
		int len;

		sk_setup(&sk_cases[i], &sk, 0x40);
		sk_setup(&sk_cases[i], &other, 0x41);
		len = ike_sk_encrypt(&sk, &h, first, inner, inner_len, out, sizeof(out));
		assert_true(len > 0);
		assert_int_equal(ike_msg_parse(out, (size_t)len, &msg), 0);
		/* The other direction's keys do not open it. */
		assert_int_equal(ike_sk_decrypt(&other, &msg, plain, sizeof(plain)), -EBADMSG);
		for (k = 0; k < (size_t)len; k++) {
			out[k] ^= 0x01;
			if (ike_msg_parse(out, (size_t)len, &msg) == 0)
				assert_int_equal(ike_sk_decrypt(&sk, &msg, plain, sizeof(plain)),
						 -EBADMSG);
			out[k] ^= 0x01;
		}
		assert_int_equal(ike_msg_parse(out, (size_t)len, &msg), 0);
		assert_int_equal(ike_sk_decrypt(&sk, &msg, plain, sizeof(plain)), (int)inner_len);
		/* Ciphertext cut short of a block. */
		{
			uint8_t cut[400];
			size_t cl = (size_t)len - 1;

			memcpy(cut, out, cl);
			cut[24] = (uint8_t)(cl >> 24), cut[25] = (uint8_t)(cl >> 16);
			cut[26] = (uint8_t)(cl >> 8), cut[27] = (uint8_t)cl;
			cut[IKE_HDR_LEN + 2] = (uint8_t)((cl - IKE_HDR_LEN) >> 8);
			cut[IKE_HDR_LEN + 3] = (uint8_t)(cl - IKE_HDR_LEN);
			assert_int_equal(ike_msg_parse(cut, cl, &msg), 0);
			assert_true(ike_sk_decrypt(&sk, &msg, plain, sizeof(plain)) < 0);
		}
	}
}

static void
test_sk_init_errors(void **state)
{
	uint8_t key[64] = { 0 };
	struct ike_sk sk;

	(void)state;
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA1_96, key, 20,
				     key, 20),
			 -ENOTSUP);
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 100, IKE_INTEG_HMAC_SHA1_96, key, 16,
				     key, 20),
			 -ENOTSUP);
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, key, 17,
				     key, 20),
			 -EINVAL);
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 128, IKE_INTEG_AES_XCBC_96, key, 16,
				     key, 16),
			 -ENOTSUP);
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA1_96, key,
				     20, key, 20),
			 -EINVAL);
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, key, 16,
				     NULL, 0),
			 -EINVAL);   /* the salt is missing */
	assert_int_equal(ike_sk_init(&sk, IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96, key, 24, key,
				     20),
			 0);
	ike_sk_wipe(&sk);
}

/* ---- fragmentation (RFC 7383) ---- */

struct frag_set {
	uint8_t buf[16384];
	struct ike_frag_slice s[IKE_FRAG_MAX];
	struct ike_msg msg[IKE_FRAG_MAX];
	int n;
};

static void
frag_make(struct frag_set *f, const struct ike_sk *sk, const uint8_t *inner, size_t len,
	  uint8_t first, size_t mtu, uint32_t message_id)
{
	struct ike_header h = { .spi_i = 5, .spi_r = 6, .major = 2, .exchange = IKE_EXCH_IKE_AUTH,
				.flags = IKE_FLAG_INITIATOR, .message_id = message_id };
	int i;

	f->n = ike_frag_encrypt(sk, &h, first, inner, len, mtu, f->buf, sizeof(f->buf), f->s,
				IKE_FRAG_MAX);
	assert_true(f->n > 0);
	for (i = 0; i < f->n; i++) {
		assert_true(f->s[i].len <= mtu);
		assert_int_equal(ike_msg_parse(f->buf + f->s[i].offset, f->s[i].len, &f->msg[i]), 0);
		assert_int_equal(f->msg[i].sk_type, IKE_PL_SKF);
		assert_int_equal(f->msg[i].frag_number, i + 1);
		assert_int_equal(f->msg[i].frag_total, f->n);
		assert_int_equal(f->msg[i].sk_next, i == 0 ? first : 0);
	}
}

static void
test_frag_round_trip(void **state)
{
	static struct frag_set f;
	static uint8_t inner[6000], rbuf[8192], out[8192];
	struct ike_frag_reasm r;
	uint8_t first, got_first;
	size_t c, inner_len = build_inner(inner, sizeof(inner), 3000, &first);
	int i;

	(void)state;
	for (c = 0; c < sizeof(sk_cases) / sizeof(sk_cases[0]); c++) {
		struct ike_sk sk;

		sk_setup(&sk_cases[c], &sk, (uint8_t)c);
		frag_make(&f, &sk, inner, inner_len, first, 576, 1);
		assert_true(f.n >= 6);
		ike_frag_reasm_init(&r, rbuf, sizeof(rbuf));
		/* Out of order: last first, then the rest backwards, with duplicates. */
		for (i = f.n - 1; i >= 0; i--) {
			int rc = ike_frag_reasm_add(&r, &sk, &f.msg[i]);

			assert_int_equal(rc, i == 0 ? 1 : 0);
			if (i > 0)
				assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[i]), -EALREADY);
		}
		assert_int_equal(ike_frag_reasm_take(&r, out, sizeof(out), &got_first),
				 (int)inner_len);
		assert_int_equal(got_first, first);
		assert_memory_equal(out, inner, inner_len);
		/* Taken: the reassembly is empty again. */
		assert_int_equal(ike_frag_reasm_take(&r, out, sizeof(out), &got_first), -EAGAIN);
	}
	/* One fragment only, and too small a limit. */
	{
		struct ike_sk sk;

		sk_setup(&sk_cases[0], &sk, 1);
		frag_make(&f, &sk, inner, 10, first, 1280, 3);
		assert_int_equal(f.n, 1);
		assert_int_equal(ike_frag_encrypt(&sk, &init_hdr, first, inner, 10, 60, f.buf,
						  sizeof(f.buf), f.s, IKE_FRAG_MAX),
				 -EMSGSIZE);
		/* More fragments than allowed. */
		assert_int_equal(ike_frag_encrypt(&sk, &init_hdr, first, inner, inner_len, 120,
						  f.buf, sizeof(f.buf), f.s, IKE_FRAG_MAX),
				 -EMSGSIZE);
		assert_int_equal(ike_frag_encrypt(&sk, &init_hdr, first, inner, inner_len, 576,
						  f.buf, 1000, f.s, IKE_FRAG_MAX),
				 -ENOSPC);
	}
}

static void
test_frag_failures(void **state)
{
	static struct frag_set f, g;
	static uint8_t inner[6000], rbuf[8192], out[8192], copy[2048];
	struct ike_frag_reasm r;
	struct ike_sk sk, other;
	struct ike_msg m;
	uint8_t first, got_first;
	size_t inner_len = build_inner(inner, sizeof(inner), 3000, &first);
	int i;

	(void)state;
	sk_setup(&sk_cases[10], &sk, 7);
	sk_setup(&sk_cases[10], &other, 8);
	frag_make(&f, &sk, inner, inner_len, first, 1280, 2);
	assert_int_equal(f.n, 3);
	ike_frag_reasm_init(&r, rbuf, sizeof(rbuf));

	/* Missing: never complete. */
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[0]), 0);
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[2]), 0);
	assert_int_equal(ike_frag_reasm_take(&r, out, sizeof(out), &got_first), -EAGAIN);
	/* A forged fragment is refused and changes nothing. */
	assert_int_equal(ike_frag_reasm_add(&r, &other, &f.msg[1]), -EBADMSG);
	assert_int_equal(r.received, 2);
	/* Another message ID in the middle of a reassembly. */
	frag_make(&g, &sk, inner, inner_len, first, 1280, 3);
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &g.msg[1]), -EINVAL);
	/* Now the missing one: complete, but no room to take it. */
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[1]), 1);
	assert_int_equal(ike_frag_reasm_take(&r, out, 100, &got_first), -ENOSPC);
	assert_int_equal(ike_frag_reasm_take(&r, out, sizeof(out), &got_first), (int)inner_len);

	/* §2.6.1: split again smaller (more fragments): start over with those. */
	frag_make(&g, &sk, inner, inner_len, first, 576, 2);
	assert_true(g.n > f.n);
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[0]), 0);
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &g.msg[0]), 0);
	assert_int_equal(r.total, g.n);
	assert_int_equal(r.received, 1);
	/* ...and the old, larger fragments are now stale. */
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[1]), -ESTALE);
	for (i = 1; i < g.n; i++)
		assert_int_equal(ike_frag_reasm_add(&r, &sk, &g.msg[i]), i + 1 == g.n ? 1 : 0);
	assert_int_equal(ike_frag_reasm_take(&r, out, sizeof(out), &got_first), (int)inner_len);
	assert_memory_equal(out, inner, inner_len);

	/* Oversized total: more than the buffer holds. */
	ike_frag_reasm_init(&r, rbuf, 1500);
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[0]), 0);
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &f.msg[1]), -EMSGSIZE);
	ike_frag_reasm_reset(&r);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.cap, 1500);

	/* Total Fragments beyond IKE_FRAG_MAX: refused before any crypto. */
	memcpy(copy, f.buf + f.s[1].offset, f.s[1].len);
	copy[IKE_HDR_LEN + 6] = 0, copy[IKE_HDR_LEN + 7] = IKE_FRAG_MAX + 1;
	assert_int_equal(ike_msg_parse(copy, f.s[1].len, &m), 0);
	ike_frag_reasm_init(&r, rbuf, sizeof(rbuf));
	assert_int_equal(ike_frag_reasm_add(&r, &sk, &m), -EMSGSIZE);
	/* Fragment number 0, or above the total: malformed at parse. */
	copy[IKE_HDR_LEN + 7] = 3, copy[IKE_HDR_LEN + 5] = 0;
	assert_int_equal(ike_msg_parse(copy, f.s[1].len, &m), -EINVAL);
	copy[IKE_HDR_LEN + 5] = 4;
	assert_int_equal(ike_msg_parse(copy, f.s[1].len, &m), -EINVAL);
	/* A plain SK message is not a fragment. */
	{
		int len = ike_sk_encrypt(&sk, &init_hdr, first, inner, 50, copy, sizeof(copy));

		assert_int_equal(ike_msg_parse(copy, (size_t)len, &m), 0);
		assert_int_equal(ike_frag_reasm_add(&r, &sk, &m), -EINVAL);
	}
}

/* ---- names ---- */

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(ike_exchange_name(IKE_EXCH_IKE_SA_INIT), "IKE_SA_INIT");
	assert_string_equal(ike_payload_name(IKE_PL_SKF), "SKF");
	assert_string_equal(ike_notify_name(IKE_N_INVALID_KE_PAYLOAD), "INVALID_KE_PAYLOAD");
	assert_string_equal(ike_notify_name(IKE_N_FRAGMENTATION_SUPPORTED),
			    "IKEV2_FRAGMENTATION_SUPPORTED");
	assert_string_equal(ike_xform_name(IKE_XF_ENCR, IKE_ENCR_3DES), "3DES");
	assert_string_equal(ike_xform_name(IKE_XF_ENCR, IKE_ENCR_NULL), "NULL");
	assert_string_equal(ike_xform_name(IKE_XF_DH, IKE_DH_CURVE25519), "CURVE25519");
	assert_string_equal(ike_xform_name(IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384), "HMAC_SHA2_384");
	assert_string_equal(ike_xform_name(IKE_XF_INTEG, IKE_INTEG_HMAC_SHA1_96), "HMAC_SHA1_96");
	assert_string_equal(ike_xform_name(IKE_XF_ESN, IKE_ESN_NO), "NO");
	assert_string_equal(ike_xform_type_name(IKE_XF_DH), "DH");
	assert_string_equal(ike_protocol_name(IKE_PROTO_ESP), "ESP");
	assert_string_equal(ike_id_type_name(IKE_ID_DER_ASN1_DN), "DER_ASN1_DN");
	assert_string_equal(ike_auth_method_name(14), "DIGITAL_SIGNATURE");
	assert_string_equal(ike_cert_encoding_name(4), "X509_SIGNATURE");
	assert_string_equal(ike_cfg_type_name(IKE_CFG_REPLY), "REPLY");
	assert_string_equal(ike_cfg_attr_name(13), "INTERNAL_IP4_SUBNET");
	assert_string_equal(ike_hash_alg_name(2), "SHA2_256");
	assert_null(ike_notify_name(12345));
	assert_null(ike_xform_name(9, 1));
	assert_null(ike_payload_name(99));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_codec),
		cmocka_unit_test(test_msg_parse_init),
		cmocka_unit_test(test_msg_truncated),
		cmocka_unit_test(test_msg_header_checks),
		cmocka_unit_test(test_chain_unknown_and_limits),
		cmocka_unit_test(test_payload_id),
		cmocka_unit_test(test_payload_cert_auth),
		cmocka_unit_test(test_payload_nonce_notify_delete),
		cmocka_unit_test(test_payload_ts),
		cmocka_unit_test(test_payload_cp_eap),
		cmocka_unit_test(test_writer_bounds),
		cmocka_unit_test(test_sa_parse),
		cmocka_unit_test(test_match_windows),
		cmocka_unit_test(test_match_strongswan_and_ke),
		cmocka_unit_test(test_match_aead_and_rules),
		cmocka_unit_test(test_match_esp_pfs_esn),
		cmocka_unit_test(test_sa_choice_round_trip),
		cmocka_unit_test(test_accept_sets),
		cmocka_unit_test(test_prf_kat),
		cmocka_unit_test(test_prf_plus_reference),
		cmocka_unit_test(test_kdf_cavp),
		cmocka_unit_test(test_sa_keys_split),
		cmocka_unit_test(test_auth_natd_cookie),
		cmocka_unit_test(test_dh_ecp_rfc5903),
		cmocka_unit_test(test_dh_x25519_rfc7748),
		cmocka_unit_test(test_dh_modp_primes),
		cmocka_unit_test(test_dh_round_trip_and_peer_checks),
		cmocka_unit_test(test_sk_round_trip),
		cmocka_unit_test(test_sk_tamper),
		cmocka_unit_test(test_sk_init_errors),
		cmocka_unit_test(test_frag_round_trip),
		cmocka_unit_test(test_frag_failures),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
