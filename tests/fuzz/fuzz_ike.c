/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for everything of lib/ike a client controls: the input
 * goes, as a datagram, through the header and chain parser and every payload
 * parser, proposal matching (against the built-in sets, with the KE group
 * the input names) and, where there is an SK/SKF payload, decryption with
 * fixed keys of three transforms; as a bare chain through the same payload
 * parsers; and as plaintext that is protected, fragmented with a size from
 * the input, fed back out of order with duplicates and reassembled.
 * Invariants checked: pointers stay inside the input, what the responder
 * would answer (its SA choice) parses and is accepted again, and what is
 * encrypted or fragmented comes back byte for byte. The input is copied to
 * a heap buffer of its exact size so ASan sees any overread.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in_lo, *in_hi;

static void
check_inside(const void *p, size_t len)
{
	const uint8_t *b = p;

	assert(len == 0 || (b >= in_lo && b + len <= in_hi));
}

static void
fuzz_sa(const uint8_t *body, size_t len, uint16_t ke_group)
{
	struct ike_sa_offer sa;
	struct ike_choice c, again;
	struct ike_transform_iter it;
	struct ike_transform t;
	uint8_t reply[512];
	struct ike_writer w;
	unsigned i, n;
	int rc;

	if (ike_sa_parse(body, len, &sa) != 0)
		return;
	for (i = 0; i < sa.n; i++) {
		check_inside(sa.proposal[i].transforms, sa.proposal[i].transforms_len);
		ike_transform_iter_init(&it, &sa.proposal[i]);
		for (n = 0; ike_transform_next(&it, &t); n++)
			;
		assert(n == sa.proposal[i].n_transforms);
	}
	for (i = IKE_PROTO_IKE; i <= IKE_PROTO_ESP; i += 2) {
		rc = ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_ALL), &sa, (uint8_t)i,
					ke_group, &c);
		assert(rc == 0 || rc == -EAGAIN || rc == -ENOENT);
		if (rc != 0)
			continue;
		/* Our answer must be well formed and acceptable to ourselves. */
		ike_writer_chain(&w, reply, sizeof(reply));
		assert(ike_put_sa_choice(&w, &c, c.spi, c.spi_size) > 0);
		assert(ike_sa_parse(reply + 4, w.len - 4, &sa) == 0);
		assert(ike_proposal_match(ike_accept_builtin(IKE_ACCEPT_ALL), &sa, (uint8_t)i,
					  c.dh, &again) == 0);
		assert(again.encr == c.encr && again.integ == c.integ && again.prf == c.prf);
		return;
	}
}

static void
fuzz_payload(const struct ike_payload *p, uint16_t ke_group)
{
	union {
		struct ike_ke ke;
		struct ike_id id;
		struct ike_cert cert;
		struct ike_certreq cr;
		struct ike_auth auth;
		struct ike_nonce nonce;
		struct ike_notify n;
		struct ike_delete d;
		struct ike_ts ts;
		struct ike_cp cp;
		struct ike_eap eap;
	} u;
	unsigned i;

	check_inside(p->body, p->len);
	switch (p->type) {
	case IKE_PL_SA:
		fuzz_sa(p->body, p->len, ke_group);
		break;
	case IKE_PL_KE:
		if (ike_ke_parse(p->body, p->len, &u.ke) == 0)
			check_inside(u.ke.data, u.ke.len);
		break;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		if (ike_id_parse(p->body, p->len, &u.id) == 0)
			check_inside(u.id.data, u.id.len);
		break;
	case IKE_PL_CERT:
		if (ike_cert_parse(p->body, p->len, &u.cert) == 0)
			check_inside(u.cert.data, u.cert.len);
		break;
	case IKE_PL_CERTREQ:
		if (ike_certreq_parse(p->body, p->len, &u.cr) == 0)
			assert(u.cr.n_ca * 20 <= u.cr.len);
		break;
	case IKE_PL_AUTH:
		if (ike_auth_parse(p->body, p->len, &u.auth) == 0) {
			check_inside(u.auth.sig, u.auth.sig_len);
			check_inside(u.auth.alg_id, u.auth.alg_id_len);
		}
		break;
	case IKE_PL_NONCE:
		if (ike_nonce_parse(p->body, p->len, &u.nonce) == 0)
			assert(u.nonce.len >= IKE_NONCE_MIN && u.nonce.len <= IKE_NONCE_MAX);
		break;
	case IKE_PL_NOTIFY:
		if (ike_notify_parse(p->body, p->len, &u.n) == 0) {
			check_inside(u.n.data, u.n.len);
			for (i = 0; i < u.n.len / 2; i++)
				(void)ike_notify_hash_alg(&u.n, i);
			(void)ike_notify_ke_group(&u.n);
		}
		break;
	case IKE_PL_DELETE:
		if (ike_delete_parse(p->body, p->len, &u.d) == 0)
			check_inside(u.d.spis, (size_t)u.d.n_spi * u.d.spi_size);
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		if (ike_ts_parse(p->body, p->len, &u.ts) == 0)
			assert(u.ts.n <= IKE_TS_MAX);
		break;
	case IKE_PL_CP:
		if (ike_cp_parse(p->body, p->len, &u.cp) == 0)
			for (i = 0; i < u.cp.n; i++)
				check_inside(u.cp.attr[i].value, u.cp.attr[i].len);
		break;
	case IKE_PL_EAP:
		if (ike_eap_parse(p->body, p->len, &u.eap) == 0)
			check_inside(u.eap.data, u.eap.len);
		break;
	default:
		break;
	}
}

static void
fuzz_chain(const struct ike_chain *chain, uint16_t ke_group)
{
	struct ike_notify n;
	unsigned i;

	assert(chain->n <= IKE_PAYLOADS_MAX);
	for (i = 0; i < chain->n; i++)
		fuzz_payload(&chain->pl[i], ke_group);
	(void)ike_chain_find_notify(chain, IKE_N_COOKIE, &n);
}

/* Fixed keys for three transforms: CBC + HMAC, 3DES + HMAC, GCM. */
static struct ike_sk sks[3];

static void
sk_init_fixed(void)
{
	static int done;
	uint8_t key[64];
	size_t i;

	if (done)
		return;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 29 + 7);
	if (ike_sk_init(&sks[0], IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, key, 32, key,
			32) != 0 ||
	    ike_sk_init(&sks[1], IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96, key, 24, key, 20) != 0 ||
	    ike_sk_init(&sks[2], IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, key, 20, NULL, 0) != 0)
		abort();
	done = 1;
}

static void
fuzz_datagram(const uint8_t *buf, size_t size, uint16_t ke_group)
{
	static uint8_t plain[70000];
	struct ike_msg msg;
	struct ike_chain inner;
	int rc = ike_msg_parse(buf, size, &msg), i, n;

	if (rc == -EOPNOTSUPP)
		assert(msg.chain.unsupported_critical != 0);
	if (rc != 0 && rc != -EOPNOTSUPP)
		return;
	assert(msg.hdr.length == size);
	fuzz_chain(&msg.chain, ke_group);
	if (msg.sk_type == 0)
		return;
	assert(msg.sk_offset < size);
	for (i = 0; i < 3; i++) {
		n = ike_sk_decrypt(&sks[i], &msg, plain, sizeof(plain));
		if (n < 0)
			continue;
		assert((size_t)n < size);
		if (ike_chain_parse(msg.sk_next, plain, (size_t)n, &inner) == 0) {
			const uint8_t *lo = in_lo, *hi = in_hi;

			/* Inner payloads point into the plaintext, not the input. */
			in_lo = plain, in_hi = plain + n;
			fuzz_chain(&inner, ke_group);
			in_lo = lo, in_hi = hi;
		}
	}
}

/*
 * The input as plaintext: SK round trip, then fragments at a size the input
 * picks, delivered in an order with duplicates the input picks.
 */
static void
fuzz_protect(const uint8_t *data, size_t size, uint8_t pick)
{
	static uint8_t wire[IKE_FRAG_MAX * 2048], out[70000], rbuf[IKE_FRAG_BYTES_MAX];
	struct ike_header h = { .spi_i = 1, .spi_r = 2, .major = 2, .exchange = IKE_EXCH_IKE_AUTH,
				.message_id = 7 };
	const struct ike_sk *sk = &sks[pick % 3];
	struct ike_frag_slice s[IKE_FRAG_MAX];
	struct ike_frag_reasm r;
	struct ike_msg msg;
	uint8_t first;
	int n, i, rc = 0;

	n = ike_sk_encrypt(sk, &h, IKE_PL_VENDOR, data, size, wire, sizeof(wire));
	if (n > 0) {
		assert(ike_msg_parse(wire, (size_t)n, &msg) == 0);
		assert(ike_sk_decrypt(sk, &msg, out, sizeof(out)) == (int)size);
		assert(memcmp(out, data, size) == 0);
	}
	n = ike_frag_encrypt(sk, &h, IKE_PL_VENDOR, data, size, 80 + (size_t)pick * 8, wire,
			     sizeof(wire), s, IKE_FRAG_MAX);
	if (n <= 0)
		return;
	ike_frag_reasm_init(&r, rbuf, sizeof(rbuf));
	for (i = 0; i < 2 * n && rc != 1; i++) {
		/* Every fragment once, in an order the input decides, with repeats. */
		unsigned k = i < n ? (unsigned)(n - 1 - i) : (unsigned)(i - n);

		if (size > (size_t)i && (data[i] & 1))
			k = (unsigned)(data[i] >> 1) % (unsigned)n;
		assert(ike_msg_parse(wire + s[k].offset, s[k].len, &msg) == 0);
		rc = ike_frag_reasm_add(&r, sk, &msg);
		assert(rc == 0 || rc == 1 || rc == -EALREADY);
	}
	if (rc == 1) {
		assert(ike_frag_reasm_take(&r, out, sizeof(out), &first) == (int)size);
		assert(first == IKE_PL_VENDOR && memcmp(out, data, size) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	uint16_t ke_group;
	struct ike_chain chain;

	sk_init_fixed();
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	in_lo = buf;
	in_hi = buf + size;
	/* A KE group the input names: the last two bytes, often a real one. */
	ke_group = size >= 2 ? (uint16_t)(buf[size - 2] << 8 | buf[size - 1]) : IKE_DH_NONE;
	fuzz_datagram(buf, size, ke_group);
	if (size >= 1 && ike_chain_parse(buf[0], buf + 1, size - 1, &chain) == 0)
		fuzz_chain(&chain, ke_group);
	if (size <= 4096)
		fuzz_protect(buf, size, size ? buf[0] : 0);
	free(buf);
	return 0;
}
