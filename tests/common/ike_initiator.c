/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IKEv2 initiator of tests/unit/test_iked.c and benchmarks/ike_rate.c
 * (ike_initiator.h). Everything is lib/ike and lib/auth, the same code the
 * responder uses, so a bug shared by both sides would not show here: the
 * unit tests also check known answers (NAT-D, KEYMAT) computed apart.
 */
#include "ike_initiator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

void
ini_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- PKI ---- */

const char *
ini_key_name(enum ini_key k)
{
	return k == INI_KEY_RSA2048 ? "RSA-2048" : "ECDSA P-256";
}

EVP_PKEY *
ini_keygen(enum ini_key k)
{
	if (k == INI_KEY_RSA2048)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -ENOMEM;
}

X509 *
ini_make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509 *signer = issuer != NULL ? issuer : x;
	X509_NAME *name;
	int rc = 0;

	if (x == NULL)
		return NULL;
	name = X509_get_subject_name(x);
	rc |= X509_set_version(x, X509_VERSION_3) != 1;
	rc |= ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) != 1;
	rc |= X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const uint8_t *)"p2sgw test",
					 -1, -1, 0) != 1;
	rc |= X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const uint8_t *)cn, -1, -1,
					 0) != 1;
	rc |= X509_set_issuer_name(x, X509_get_subject_name(signer)) != 1;
	rc |= X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL;
	rc |= X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) == NULL;
	rc |= X509_set_pubkey(x, key) != 1;
	rc |= add_ext(x, signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	rc |= add_ext(x, signer, NID_key_usage,
		      ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (!ca && issuer != NULL)
		rc |= add_ext(x, issuer, NID_ext_key_usage, "clientAuth");
	if (rc != 0 || X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int
ini_pki_new(struct ini_pki *p, enum ini_key root, enum ini_key gw, enum ini_key client,
	    char *err, size_t errlen)
{
	uint8_t *der = NULL;
	int len, rc;

	memset(p, 0, sizeof(*p));
	p->gw_key = ini_keygen(gw);
	p->root_key = ini_keygen(root);
	p->client_key = ini_keygen(client);
	if (p->gw_key == NULL || p->root_key == NULL || p->client_key == NULL) {
		snprintf(err, errlen, "key generation failed");
		goto fail;
	}
	p->gw_cert = ini_make_cert("vpn.example.test", p->gw_key, NULL, NULL, false);
	p->root = ini_make_cert("P2S Test Root", p->root_key, NULL, NULL, true);
	if (p->root != NULL)
		p->client = ini_make_cert("alice", p->client_key, p->root, p->root_key, false);
	if (p->gw_cert == NULL || p->root == NULL || p->client == NULL) {
		snprintf(err, errlen, "certificate creation failed");
		goto fail;
	}
	p->gw = auth_key_new(p->gw_cert, p->gw_key, err, errlen);
	if (p->gw == NULL)
		goto fail;
	p->client_auth = auth_key_new(p->client, p->client_key, err, errlen);
	if (p->client_auth == NULL)
		goto fail;
	p->roots = auth_roots_new();
	len = i2d_X509(p->root, &der);
	if (p->roots == NULL || len <= 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	rc = auth_roots_add(p->roots, "test-root", der, (size_t)len, err, errlen);
	OPENSSL_free(der);
	if (rc == 0)
		return 0;
fail:
	ini_pki_free(p);
	return -EINVAL;
}

void
ini_pki_free(struct ini_pki *p)
{
	auth_roots_free(p->roots);
	auth_key_free(p->gw);
	auth_key_free(p->client_auth);
	X509_free(p->gw_cert);
	X509_free(p->root);
	X509_free(p->client);
	EVP_PKEY_free(p->gw_key);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->client_key);
	memset(p, 0, sizeof(*p));
}

/* ---- IKE_SA_INIT ---- */

void
ini_client_init(struct ini_client *c, uint64_t spi_i, uint32_t addr, uint16_t port,
		uint32_t gw_addr)
{
	memset(c, 0, sizeof(*c));
	c->spi_i = spi_i;
	c->addr = addr;
	c->gw_addr = gw_addr;
	c->port = port;
	c->lport = 500;
	memset(c->ni, (int)(spi_i & 0xff) | 1, sizeof(c->ni));
	c->ni[0] = 0x4e;
	c->next_id = 1;
}

void
ini_client_free(struct ini_client *c)
{
	ike_dh_free(c->dh);
	c->dh = NULL;
	ike_sk_wipe(&c->sk_i);
	ike_sk_wipe(&c->sk_r);
}

/* Both NAT-D notifies of a request (§2.23: SPIr is 0 in them). */
static int
put_natd(struct ike_writer *w, const struct ini_client *c, const struct ini_init_opts *o)
{
	uint8_t ip[4], h[IKE_NATD_LEN];
	int rc = 0;

	ini_put_be32(ip, c->addr);
	ike_natd_hash(c->spi_i, 0, ip, 4, c->port, h);
	h[0] ^= o->bad_natd_src;
	rc |= ike_put_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h)) < 0;
	ini_put_be32(ip, c->gw_addr);
	ike_natd_hash(c->spi_i, 0, ip, 4, c->lport, h);
	h[0] ^= o->bad_natd_dst;
	rc |= ike_put_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h)) < 0;
	return rc ? -ENOSPC : 0;
}

int
ini_build_init(struct ini_client *c, const struct ini_init_opts *o)
{
	static const uint16_t x25519[] = { IKE_DH_CURVE25519 };
	static const uint8_t hashes[] = { 0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384, 0,
					  IKE_HASH_SHA2_512 };
	struct ike_transform t[12];
	struct ike_proposal_out p = { .number = 1, .protocol = IKE_PROTO_IKE, .t = t };
	struct ike_header hdr = { .spi_i = c->spi_i, .major = 2, .exchange = IKE_EXCH_IKE_SA_INIT,
				  .flags = IKE_FLAG_INITIATOR };
	const uint16_t *dh = o->dh != NULL ? o->dh : x25519;
	unsigned n_dh = o->dh != NULL ? o->n_dh : 1, i, n = 0;
	uint16_t group = o->ke_group ? o->ke_group : dh[0];
	uint8_t ke[IKE_DH_PUBLIC_MAX];
	struct ike_writer w;
	int ke_len, len, rc = 0;

	if (n_dh > 8)
		return -EINVAL;
	t[n++] = (struct ike_transform){ IKE_XF_ENCR, o->encr ? o->encr : IKE_ENCR_AES_GCM_16,
					 o->encr ? o->encr_bits : 256, false };
	if (o->integ)
		t[n++] = (struct ike_transform){ IKE_XF_INTEG, o->integ, 0, false };
	t[n++] = (struct ike_transform){ IKE_XF_PRF, o->prf ? o->prf : IKE_PRF_HMAC_SHA2_256, 0,
					 false };
	for (i = 0; i < n_dh; i++)
		t[n++] = (struct ike_transform){ IKE_XF_DH, dh[i], 0, false };
	p.n = n;

	ike_dh_free(c->dh);
	c->dh = NULL;
	if (ike_dh_supported(group)) {
		c->dh = ike_dh_new(group);
		if (c->dh == NULL)
			return -ENOMEM;
		ke_len = ike_dh_public(c->dh, ke, sizeof(ke));
		if (ke_len <= 0)
			return -EIO;
	} else {
		ke_len = 32;
		memset(ke, 0x33, (size_t)ke_len);
	}

	if (ike_writer_msg(&w, c->req, sizeof(c->req), &hdr) < 0)
		return -ENOSPC;
	if (o->cookie != NULL)
		rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_COOKIE, o->cookie, o->cookie_len) < 0;
	rc |= ike_put_sa(&w, &p, 1) < 0;
	rc |= ike_put_ke(&w, group, ke, (size_t)ke_len) < 0;
	rc |= ike_put_nonce(&w, c->ni, sizeof(c->ni)) < 0;
	if (!o->no_natd)
		rc |= put_natd(&w, c, o) < 0;
	if (o->frag_sup)
		rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0) < 0;
	if (!o->no_hashes)
		rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes,
				     sizeof(hashes)) < 0;
	len = ike_writer_finish(&w);
	if (rc != 0 || len <= 0)
		return -ENOSPC;
	c->req_len = (size_t)len;
	return 0;
}

int
ini_sa_choice(const struct ike_chain *ch, struct ike_choice *choice)
{
	struct ike_transform_iter it;
	struct ike_transform t;
	struct ike_sa_offer sa;
	int i = ike_chain_find(ch, IKE_PL_SA, 0);

	if (i < 0 || ike_sa_parse(IKE_PAYLOAD(ch, (unsigned)i), &sa) < 0 || sa.n != 1)
		return -EPROTO;
	memset(choice, 0, sizeof(*choice));
	choice->number = sa.proposal[0].number;
	choice->protocol = sa.proposal[0].protocol;
	choice->spi_size = sa.proposal[0].spi_size;
	ike_transform_iter_init(&it, &sa.proposal[0]);
	while (ike_transform_next(&it, &t)) {
		switch (t.type) {
		case IKE_XF_ENCR:
			choice->encr = t.id;
			choice->encr_key_len = t.key_len;
			choice->aead = ike_encr_is_aead(t.id);
			break;
		case IKE_XF_INTEG:
			choice->integ = t.id;
			break;
		case IKE_XF_PRF:
			choice->prf = t.id;
			break;
		case IKE_XF_DH:
			choice->dh = t.id;
			break;
		case IKE_XF_ESN:
			choice->esn = t.id;
			break;
		}
	}
	return 0;
}

/* g^ir, SKEYSEED and the IKE_SA keys as the initiator (RFC 7296 §2.14). */
static int
derive_keys(struct ini_client *c, const struct ike_ke *ke)
{
	uint8_t g_ir[512], skeyseed[IKE_PRF_MAX];
	int len, rc;

	len = ike_dh_shared(c->dh, ke->data, ke->len, g_ir, sizeof(g_ir));
	if (len <= 0)
		return len < 0 ? len : -EIO;
	rc = ike_skeyseed(c->choice.prf, c->ni, sizeof(c->ni), c->nr, c->nr_len, g_ir,
			  (size_t)len, skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_derive(&c->choice, skeyseed, c->ni, sizeof(c->ni), c->nr,
					c->nr_len, c->spi_i, c->spi_r, &c->keys);
	if (rc == 0)
		rc = ike_sk_from_keys(&c->choice, &c->keys, &c->sk_i, &c->sk_r);
	ike_wipe(g_ir, sizeof(g_ir));
	ike_wipe(skeyseed, sizeof(skeyseed));
	c->have_keys = rc == 0;
	return rc;
}

int
ini_take_init(struct ini_client *c, const uint8_t *resp, size_t len)
{
	struct ike_msg msg;
	struct ike_notify n;
	struct ike_nonce nr;
	struct ike_ke ke;
	int i_ke, i_no;

	if (len > sizeof(c->resp))
		return -ENOSPC;
	memcpy(c->resp, resp, len);
	c->resp_len = len;
	c->have_keys = false;
	if (ike_msg_parse(c->resp, c->resp_len, &msg) < 0 || msg.hdr.spi_i != c->spi_i ||
	    msg.hdr.spi_r == 0 || msg.hdr.exchange != IKE_EXCH_IKE_SA_INIT ||
	    msg.hdr.flags != IKE_FLAG_RESPONSE || msg.hdr.message_id != 0 || msg.sk_type != 0)
		return -EPROTO;
	c->spi_r = msg.hdr.spi_r;
	i_ke = ike_chain_find(&msg.chain, IKE_PL_KE, 0);
	i_no = ike_chain_find(&msg.chain, IKE_PL_NONCE, 0);
	if (ini_sa_choice(&msg.chain, &c->choice) < 0 || i_ke < 0 || i_no < 0 ||
	    ike_ke_parse(IKE_PAYLOAD(&msg.chain, (unsigned)i_ke), &ke) < 0 ||
	    ike_nonce_parse(IKE_PAYLOAD(&msg.chain, (unsigned)i_no), &nr) < 0 ||
	    ke.group != c->choice.dh)
		return -EPROTO;
	memcpy(c->nr, nr.data, nr.len);
	c->nr_len = nr.len;
	c->gw_hashes = ike_chain_find_notify(&msg.chain, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n) == 0
			       ? auth_hash_mask(&n) : 0;
	if (c->dh == NULL || ike_dh_group(c->dh) != ke.group)
		return 0;
	return derive_keys(c, &ke);
}

/* ---- protected exchanges ---- */

int
ini_protect(const struct ini_client *c, uint8_t exchange, uint32_t msg_id, uint8_t first,
	    const uint8_t *inner, size_t len, uint8_t *out, size_t cap)
{
	struct ike_header hdr = { .spi_i = c->spi_i, .spi_r = c->spi_r, .major = 2,
				  .exchange = exchange, .flags = IKE_FLAG_INITIATOR,
				  .message_id = msg_id };

	if (!c->have_keys)
		return -EINVAL;
	return ike_sk_encrypt(&c->sk_i, &hdr, first, inner, len, out, cap);
}

int
ini_unprotect(const struct ini_client *c, const uint8_t *dgram, size_t len, uint8_t exchange,
	      uint32_t msg_id, uint8_t *plain, size_t cap, struct ike_chain *chain)
{
	struct ike_msg msg;
	int n;

	if (ike_msg_parse(dgram, len, &msg) < 0 || msg.hdr.spi_i != c->spi_i ||
	    msg.hdr.spi_r != c->spi_r || msg.hdr.exchange != exchange ||
	    msg.hdr.flags != IKE_FLAG_RESPONSE || msg.hdr.message_id != msg_id ||
	    msg.sk_type != IKE_PL_SK)
		return -EPROTO;
	n = ike_sk_decrypt(&c->sk_r, &msg, plain, cap);
	if (n < 0)
		return n;
	return ike_chain_parse(msg.sk_next, plain, (size_t)n, chain) < 0 ? -EPROTO : 0;
}

/* ---- IKE_AUTH ---- */

/* AUTH data (RFC 7296 §2.15) over IKE_SA_INIT request | Nr | prf(SK_pi, IDi'). */
static int
sign_auth(const struct ini_client *c, const struct auth_key *cred, const uint8_t *idi,
	  size_t idi_len, uint8_t *method, uint8_t *sig, size_t cap)
{
	uint8_t mac[IKE_PRF_MAX];
	struct ike_chunk octets[3];

	if (ike_auth_id_mac(c->choice.prf, c->keys.sk_pi, c->keys.p_len, idi, idi_len, mac) < 0)
		return -EIO;
	octets[0] = (struct ike_chunk){ c->req, c->req_len };
	octets[1] = (struct ike_chunk){ c->nr, c->nr_len };
	octets[2] = (struct ike_chunk){ mac, ike_prf_len(c->choice.prf) };
	return auth_sign(cred, c->gw_hashes, octets, 3, method, sig, cap);
}

int
ini_build_auth(const struct ini_client *c, const struct auth_key *cred,
	       const struct ini_auth_opts *o, uint8_t *out, size_t cap)
{
	static const struct ike_transform esp[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_ESN, IKE_ESN_NO, 0, false },
	};
	uint8_t inner[8192], idi[512], sig[AUTH_SIG_MAX], spi[4], method, *dn = NULL;
	struct ike_proposal_out p = { .number = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				      .spi = spi, .n = 2, .t = esp };
	const struct ike_ts_ipv4 all = { 0, 0, 65535, 0, 0xffffffffu };
	const struct ike_ts_ipv4 outside = { 0, 0, 65535, 0xc0000200u, 0xc00002ffu };
	struct ike_cp_attr attr = { IKE_CFGA_INTERNAL_IP4_ADDRESS, 0, spi };
	const uint8_t *der;
	struct ike_writer w;
	size_t der_len;
	int dn_len, sig_len, rc = 0;

	if (!c->have_keys)
		return -EINVAL;
	ike_writer_chain(&w, inner, sizeof(inner));
	ini_put_be32(spi, INI_ESP_SPI);
	if (o->eap_identity != NULL) {
		rc |= ike_put_id(&w, IKE_PL_IDI, IKE_ID_FQDN, o->eap_identity,
				 strlen(o->eap_identity)) < 0;
		goto rest;
	}
	if (o->eap_addr != 0) {
		uint8_t ip[4];

		ini_put_be32(ip, o->eap_addr);
		rc |= ike_put_id(&w, IKE_PL_IDI, IKE_ID_IPV4_ADDR, ip, 4) < 0;
		goto rest;
	}
	if (auth_key_cert_der(cred, 0, &der, &der_len) < 0)
		return -EINVAL;
	/* IDi' is the ID payload's body: type, three reserved octets, the DN. */
	dn_len = i2d_X509_NAME(X509_get_subject_name(auth_key_cert(cred)), &dn);
	if (dn_len <= 0 || (size_t)dn_len + 4 > sizeof(idi)) {
		OPENSSL_free(dn);
		return -ENOSPC;
	}
	memset(idi, 0, 4);
	idi[0] = IKE_ID_DER_ASN1_DN;
	memcpy(idi + 4, dn, (size_t)dn_len);
	OPENSSL_free(dn);
	sig_len = sign_auth(c, cred, idi, (size_t)dn_len + 4, &method, sig, sizeof(sig));
	if (sig_len <= 0)
		return sig_len < 0 ? sig_len : -EIO;
	if (o->bad_sig)
		sig[sig_len - 1] ^= 0x01;

	rc |= ike_put_id(&w, IKE_PL_IDI, IKE_ID_DER_ASN1_DN, idi + 4, (size_t)dn_len) < 0;
	rc |= ike_put_cert(&w, IKE_CERT_X509_SIGNATURE, der, der_len) < 0;
	rc |= ike_put_auth(&w, method, sig, (size_t)sig_len) < 0;
rest:
	if (!o->no_cp)
		rc |= ike_put_cp(&w, IKE_CFG_REQUEST, &attr, 1) < 0;
	rc |= ike_put_sa(&w, &p, 1) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSI, &all, 1) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSR, o->narrow_tsr_outside ? &outside : &all, 1) < 0;
	if (rc != 0)
		return -ENOSPC;
	return ini_protect(c, IKE_EXCH_IKE_AUTH, 1, w.first, inner, w.len, out, cap);
}

int
ini_build_delete_ike(const struct ini_client *c, uint32_t msg_id, uint8_t *out, size_t cap)
{
	uint8_t inner[16];
	struct ike_writer w;

	ike_writer_chain(&w, inner, sizeof(inner));
	if (ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) < 0)
		return -ENOSPC;
	return ini_protect(c, IKE_EXCH_INFORMATIONAL, msg_id, w.first, inner, w.len, out, cap);
}
