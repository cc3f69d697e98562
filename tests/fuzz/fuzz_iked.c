/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for lib/iked, the IKEv2 responder: a fresh responder per
 * input (stub callbacks, real lib/ike, lib/auth, lib/pool and rte_hash) takes
 * a series of datagrams from one client, with iked_timers() between them on
 * a clock the input advances, and is freed at the end, so no state outlives
 * an input.
 *
 * Input: one control byte, then records (a 2-byte big-endian length and that
 * many bytes; the last may be short).
 *   bit 0     the records arrive on port 4500 (else 500)
 *   bit 3     ... with the non-ESP marker added here
 *   bits 1-2  mode: 0 records are raw datagrams;
 *             1 a valid IKE_SA_INIT is done first and each raw record gets
 *               that IKE_SA's SPIs written over its first 16 bytes;
 *             2 the same, and each record is a plaintext chain that is
 *               protected here with the IKE_SA's keys (so the fuzzer gets
 *               past the ICV): exchange, message ID, control (flags 0x28,
 *               bit 0: send as RFC 7383 fragments, bits 1-2: their size,
 *               bits 6-7: what the RADIUS server answers if the record sent
 *               it an EAP packet — challenge, accept, reject, timeout; bit 4:
 *               the accept carries a Framed-IP-Address in the pool),
 *               first payload type, then the chain;
 *             3 as 2, after a valid IKE_AUTH with a client certificate (the
 *               records meet an established IKE_SA with a tunnel).
 *   bits 4-7  the clock advances this many 2.5 s steps after each record
 *
 * Invariants: a valid IKE_SA_INIT is answered and a valid IKE_AUTH
 * establishes; iked_free() gives every address back, removes every tunnel
 * it added and ends every EAP conversation it started; ASan/LSan watch the
 * rest. EAP (an IKE_AUTH without AUTH) goes to a stub server answered from
 * the record's control byte.
 *
 * FUZZ_IKED_SEEDS=DIR ./fuzz_iked writes seed inputs into DIR and exits
 * (tests/fuzz/corpus/iked/ holds what it wrote).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <rte_common.h>
#include <rte_eal.h>

#include "auth.h"
#include "conf.h"
#include "ike.h"
#include "iked.h"
#include "pool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GW_ADDR 0xc6336401u       /* 198.51.100.1 */
#define CLIENT_ADDR 0xcb007107u   /* 203.0.113.7 */
#define POOL_NET 0xac10c900u      /* 172.16.201.0/24 */
#define CLIENT_SPI_I 0x0123456789abcdefull
#define CLIENT_ESP_SPI 0xe5e5e5e5u
#define RECORDS_MAX 16
#define STEP_MS 2500

static void
need(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_iked: %s\n", what);
		abort();
	}
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* ---- stub data plane ---- */

static struct {
	uint8_t last[IKE_MSG_MAX];
	size_t last_len;
	unsigned sent;
	uint32_t next_spi;
	unsigned tunnels;          /* added and not deleted */
	unsigned eap_open;         /* EAP conversations started and not ended */
	bool eap_pending;          /* an EAP packet waits for the stub server's answer */
	uint32_t eap_sa;
} dp;

static void
op_send(void *arg, uint16_t local_port, uint32_t peer_addr, uint16_t peer_port,
	const uint8_t *msg, size_t len)
{
	(void)arg, (void)peer_addr, (void)peer_port;
	need(local_port == 500 || local_port == 4500, "send from a port not ours");
	need(len >= 28 && len <= sizeof(dp.last), "sent datagram of impossible size");
	memcpy(dp.last, msg, len);
	dp.last_len = len;
	dp.sent++;
}

static uint32_t
op_spi_new(void *arg)
{
	(void)arg;
	return dp.next_spi++;
}

static int
op_tunnel_add(void *arg, const struct iked_child_params *p, uint32_t *tunnel_id, char *err,
	      size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	need(p->inner_addr != 0, "tunnel without an address");
	*tunnel_id = 1 + dp.tunnels++;
	return 0;
}

static int
op_tunnel_rekey(void *arg, uint32_t tunnel_id, const struct iked_child_params *p, char *err,
		size_t errlen)
{
	(void)arg, (void)p;
	if (tunnel_id == 0) {
		snprintf(err, errlen, "no such tunnel");
		return -ENOENT;
	}
	return 0;
}

static void
op_child_remove(void *arg, uint32_t in_spi)
{
	(void)arg, (void)in_spi;
}

static void
op_tunnel_del(void *arg, uint32_t tunnel_id, enum iked_end why)
{
	(void)arg, (void)tunnel_id, (void)why;
	need(dp.tunnels > 0, "tunnel deleted twice");
	dp.tunnels--;
}

static int
op_tunnel_stats(void *arg, uint32_t tunnel_id, struct iked_tunnel_stats *st)
{
	(void)arg, (void)tunnel_id;
	memset(st, 0, sizeof(*st));
	return 0;
}

static int
op_eap_start(void *arg, uint32_t sa_id, const char *identity, uint32_t peer_addr,
	     uint16_t peer_port)
{
	(void)arg, (void)peer_addr, (void)peer_port;
	need(identity[0] != '\0', "EAP without an identity");
	dp.eap_open++;
	dp.eap_sa = sa_id;
	return 0;
}

static int
op_eap_send(void *arg, uint32_t sa_id, const uint8_t *eap, size_t len)
{
	(void)arg;
	need(dp.eap_open > 0 && sa_id == dp.eap_sa, "EAP sent outside a conversation");
	need(len >= 4 && eap[0] == 2, "EAP relayed that is no Response");
	need(!dp.eap_pending, "a second EAP packet before the server answered");
	dp.eap_pending = true;
	return 0;
}

static void
op_eap_end(void *arg, uint32_t sa_id)
{
	(void)arg, (void)sa_id;
	need(dp.eap_open > 0, "EAP conversation ended twice");
	dp.eap_open--;
	dp.eap_pending = false;
}

static const struct iked_ops ops = {
	.send = op_send, .spi_new = op_spi_new, .tunnel_add = op_tunnel_add,
	.tunnel_rekey = op_tunnel_rekey, .child_remove = op_child_remove,
	.tunnel_del = op_tunnel_del, .tunnel_stats = op_tunnel_stats,
	.eap_start = op_eap_start, .eap_send = op_eap_send, .eap_end = op_eap_end,
};

/* The stub RADIUS server answers what iked relayed, as the record's control byte says. */
static void eap_answer(uint8_t control);

/* ---- certificates, made once ---- */

static struct {
	EVP_PKEY *gw_key, *root_key, *client_key;
	X509 *gw_cert, *root, *client;
	struct auth_roots *roots;
	struct auth_key *gw, *client_auth;
	uint8_t *client_der;
	int client_der_len;
	uint8_t idi[512];          /* IDi' body: DER_ASN1_DN, 3 reserved, the subject */
	size_t idi_len;
} pki;

static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	X509V3_CTX ctx;
	const char *ext[3][2] = {
		{ "basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE" },
		{ "keyUsage", ca ? "critical,keyCertSign" : "critical,digitalSignature" },
		{ "extendedKeyUsage", "clientAuth" },
	};
	unsigned i;

	need(x != NULL, "X509_new");
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const uint8_t *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	for (i = 0; i < (ca ? 2u : 3u); i++) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, ext[i][0], ext[i][1]);

		need(e != NULL && X509_add_ext(x, e, -1) == 1, "extension");
		X509_EXTENSION_free(e);
	}
	need(X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
	return x;
}

static void
pki_make(void)
{
	char err[AUTH_ERR_MAX];
	uint8_t *der = NULL, *dn = NULL;
	int len;

	pki.gw_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	pki.root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	pki.client_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	need(pki.gw_key && pki.root_key && pki.client_key, "keygen");
	pki.gw_cert = make_cert("vpn.fuzz.test", pki.gw_key, NULL, NULL, false);
	pki.root = make_cert("Fuzz Root", pki.root_key, NULL, NULL, true);
	pki.client = make_cert("fuzz-client", pki.client_key, pki.root, pki.root_key, false);
	pki.gw = auth_key_new(pki.gw_cert, pki.gw_key, err, sizeof(err));
	pki.client_auth = auth_key_new(pki.client, pki.client_key, err, sizeof(err));
	pki.roots = auth_roots_new();
	need(pki.gw && pki.client_auth && pki.roots, err);
	len = i2d_X509(pki.root, &der);
	need(len > 0 && auth_roots_add(pki.roots, "root", der, (size_t)len, err,
				       sizeof(err)) == 0, err);
	OPENSSL_free(der);
	pki.client_der_len = i2d_X509(pki.client, &pki.client_der);
	need(pki.client_der_len > 0, "client DER");
	len = i2d_X509_NAME(X509_get_subject_name(pki.client), &dn);
	need(len > 0 && (size_t)len + 4 <= sizeof(pki.idi), "client DN");
	memset(pki.idi, 0, 4);
	pki.idi[0] = IKE_ID_DER_ASN1_DN;
	memcpy(pki.idi + 4, dn, (size_t)len);
	pki.idi_len = (size_t)len + 4;
	OPENSSL_free(dn);
}

/* ---- the initiator's side ---- */

static struct {
	struct ike_dh *dh;         /* fixed private value: the request is the same every time */
	uint8_t ni[32];
	uint8_t req[1024];
	size_t req_len;
} init;

static struct {
	uint64_t spi_r;
	struct ike_choice choice;
	struct ike_sa_keys keys;
	struct ike_sk sk_i, sk_r;
	uint8_t resp[4096];
	size_t resp_len;
	uint8_t nr[IKE_NONCE_MAX];
	size_t nr_len;
	uint32_t gw_hashes;
} sa;

static void
natd(uint64_t spi_i, uint32_t addr, uint16_t port, uint8_t h[IKE_NATD_LEN])
{
	uint8_t ip[4];

	put_be32(ip, addr);
	ike_natd_hash(spi_i, 0, ip, 4, port, h);
}

/* IKE_SA_INIT: AES-GCM-256, SHA2-256, Curve25519; FRAG_SUP so fragments are taken. */
static void
build_init(void)
{
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4 };
	static const uint8_t priv[32] = { 0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d,
					  0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
					  0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a,
					  0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a };
	static const struct ike_transform t[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0, false },
		{ IKE_XF_DH, IKE_DH_CURVE25519, 0, false },
	};
	struct ike_proposal_out p = { .number = 1, .protocol = IKE_PROTO_IKE, .n = 3, .t = t };
	struct ike_header hdr = { .spi_i = CLIENT_SPI_I, .major = 2,
				  .exchange = IKE_EXCH_IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR };
	uint8_t ke[32], h[IKE_NATD_LEN];
	struct ike_writer w;
	int rc, len;

	init.dh = ike_dh_new_private(IKE_DH_CURVE25519, priv, sizeof(priv));
	need(init.dh != NULL && ike_dh_public(init.dh, ke, sizeof(ke)) == 32, "X25519 key");
	memset(init.ni, 0x4e, sizeof(init.ni));
	rc = ike_writer_msg(&w, init.req, sizeof(init.req), &hdr);
	rc |= ike_put_sa(&w, &p, 1) < 0;
	rc |= ike_put_ke(&w, IKE_DH_CURVE25519, ke, sizeof(ke)) < 0;
	rc |= ike_put_nonce(&w, init.ni, sizeof(init.ni)) < 0;
	natd(CLIENT_SPI_I, CLIENT_ADDR, 500, h);
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h)) < 0;
	natd(CLIENT_SPI_I, GW_ADDR, 500, h);
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h)) < 0;
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0) < 0;
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes,
			     sizeof(hashes)) < 0;
	len = ike_writer_finish(&w);
	need(rc == 0 && len > 0, "IKE_SA_INIT request");
	init.req_len = (size_t)len;
}

/* The responder's answer to init.req (in dp.last): SPIr, Nr, keys. */
static void
take_init_response(void)
{
	uint8_t g_ir[64], skeyseed[IKE_PRF_MAX];
	struct ike_msg msg;
	struct ike_notify n;
	struct ike_nonce nr;
	struct ike_ke ke;
	int i_ke, i_no, len;

	need(dp.last_len <= sizeof(sa.resp), "IKE_SA_INIT response size");
	memcpy(sa.resp, dp.last, dp.last_len);
	sa.resp_len = dp.last_len;
	need(ike_msg_parse(sa.resp, sa.resp_len, &msg) == 0 && msg.hdr.spi_r != 0,
	     "IKE_SA_INIT response");
	sa.spi_r = msg.hdr.spi_r;
	i_ke = ike_chain_find(&msg.chain, IKE_PL_KE, 0);
	i_no = ike_chain_find(&msg.chain, IKE_PL_NONCE, 0);
	need(i_ke >= 0 && i_no >= 0 && ike_ke_parse(IKE_PAYLOAD(&msg.chain, i_ke), &ke) == 0 &&
	     ike_nonce_parse(IKE_PAYLOAD(&msg.chain, i_no), &nr) == 0 &&
	     ke.group == IKE_DH_CURVE25519, "KE and Nr");
	memcpy(sa.nr, nr.data, nr.len);
	sa.nr_len = nr.len;
	sa.gw_hashes = ike_chain_find_notify(&msg.chain, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n) == 0
			       ? auth_hash_mask(&n) : 0;
	memset(&sa.choice, 0, sizeof(sa.choice));
	sa.choice.protocol = IKE_PROTO_IKE;
	sa.choice.encr = IKE_ENCR_AES_GCM_16;
	sa.choice.encr_key_len = 256;
	sa.choice.prf = IKE_PRF_HMAC_SHA2_256;
	sa.choice.dh = IKE_DH_CURVE25519;
	sa.choice.aead = true;
	len = ike_dh_shared(init.dh, ke.data, ke.len, g_ir, sizeof(g_ir));
	need(len > 0 &&
	     ike_skeyseed(sa.choice.prf, init.ni, sizeof(init.ni), sa.nr, sa.nr_len, g_ir,
			  (size_t)len, skeyseed) == 0 &&
	     ike_sa_keys_derive(&sa.choice, skeyseed, init.ni, sizeof(init.ni), sa.nr, sa.nr_len,
				CLIENT_SPI_I, sa.spi_r, &sa.keys) == 0 &&
	     ike_sk_from_keys(&sa.choice, &sa.keys, &sa.sk_i, &sa.sk_r) == 0, "IKE_SA keys");
}

static uint8_t inner[IKE_MSG_MAX];
static uint8_t wire[IKE_FRAG_MAX * 1600];

/* An IKE_AUTH chain into inner (sign: a valid AUTH, else a made-up one). Length. */
static size_t
auth_chain(bool sign, uint8_t *first)
{
	static const struct ike_transform esp[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_ESN, IKE_ESN_NO, 0, false },
	};
	uint8_t spi[4], mac[IKE_PRF_MAX], sig[AUTH_SIG_MAX], method = IKE_AUTH_DIGITAL_SIGNATURE;
	struct ike_proposal_out p = { .number = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				      .spi = spi, .n = 2, .t = esp };
	struct ike_ts_ipv4 all = { 0, 0, 65535, 0, 0xffffffffu };
	struct ike_cp_attr attr = { IKE_CFGA_INTERNAL_IP4_ADDRESS, 0, spi };
	struct ike_chunk octets[3];
	struct ike_writer w;
	int sig_len = 64, rc;

	put_be32(spi, CLIENT_ESP_SPI);
	memset(sig, 0x5a, sizeof(sig));
	if (sign) {
		need(ike_auth_id_mac(sa.choice.prf, sa.keys.sk_pi, sa.keys.p_len, pki.idi,
				     pki.idi_len, mac) == 0, "IDi MAC");
		octets[0] = (struct ike_chunk){ init.req, init.req_len };
		octets[1] = (struct ike_chunk){ sa.nr, sa.nr_len };
		octets[2] = (struct ike_chunk){ mac, ike_prf_len(sa.choice.prf) };
		sig_len = auth_sign(pki.client_auth, sa.gw_hashes, octets, 3, &method, sig,
				    sizeof(sig));
		need(sig_len > 0, "client signature");
	}
	ike_writer_chain(&w, inner, sizeof(inner));
	rc = ike_put_id(&w, IKE_PL_IDI, IKE_ID_DER_ASN1_DN, pki.idi + 4, pki.idi_len - 4) < 0;
	rc |= ike_put_cert(&w, IKE_CERT_X509_SIGNATURE, pki.client_der,
			   (size_t)pki.client_der_len) < 0;
	rc |= ike_put_auth(&w, method, sig, (size_t)sig_len) < 0;
	rc |= ike_put_cp(&w, IKE_CFG_REQUEST, &attr, 1) < 0;
	rc |= ike_put_sa(&w, &p, 1) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSI, &all, 1) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSR, &all, 1) < 0;
	need(rc == 0, "IKE_AUTH chain");
	*first = w.first;
	return w.len;
}

/* ---- delivering ---- */

static struct iked *ik;
static uint16_t rx_port;
static bool add_marker;
static uint64_t now;

static void
deliver(const uint8_t *p, size_t len)
{
	static uint8_t buf[4 + sizeof(wire)];

	if (rx_port == 4500 && add_marker && len <= sizeof(wire)) {
		memset(buf, 0, 4);
		memcpy(buf + 4, p, len);
		iked_input(ik, buf, len + 4, CLIENT_ADDR, 4500, 4500, now);
	} else {
		iked_input(ik, p, len, CLIENT_ADDR, rx_port == 4500 ? 4500 : 500, rx_port, now);
	}
}

/* Protect a plaintext chain as the initiator and deliver it, whole or in fragments. */
static void
deliver_protected(uint8_t exchange, uint32_t msg_id, uint8_t control, uint8_t first,
		  const uint8_t *chain, size_t len)
{
	struct ike_header hdr = { .spi_i = CLIENT_SPI_I, .spi_r = sa.spi_r, .major = 2,
				  .exchange = exchange, .flags = (uint8_t)(control & 0x28),
				  .message_id = msg_id };
	struct ike_frag_slice slices[IKE_FRAG_MAX];
	int n, i;

	if (control & 1) {
		n = ike_frag_encrypt(&sa.sk_i, &hdr, first, chain, len,
				     100 + 150 * (size_t)((control >> 1) & 3), wire, sizeof(wire),
				     slices, IKE_FRAG_MAX);
		for (i = 0; i < n; i++)
			deliver(wire + slices[i].offset, slices[i].len);
		return;
	}
	n = ike_sk_encrypt(&sa.sk_i, &hdr, first, chain, len, wire, sizeof(wire));
	if (n > 0)
		deliver(wire, (size_t)n);
}

static void
establish(void)
{
	struct iked_counters k;
	uint8_t first;
	size_t len = auth_chain(true, &first);
	uint16_t port = rx_port;

	/* On port 500, as IKE_SA_INIT was: the records may then move to 4500. */
	rx_port = 500;
	deliver_protected(IKE_EXCH_IKE_AUTH, 1, IKE_FLAG_INITIATOR, first, inner, len);
	rx_port = port;
	iked_counters(ik, &k);
	need(k.established == 1 && dp.tunnels == 1, "a valid IKE_AUTH did not establish");
}

static void
eap_answer(uint8_t control)
{
	static const uint8_t req[] = { 1, 9, 0, 6, 26, 1 }, ok[] = { 3, 9, 0, 4 },
			     fail[] = { 4, 9, 0, 4 }, msk[32] = { 0x6d };
	static const enum iked_eap_verdict v[] = { IKED_EAP_CHALLENGE, IKED_EAP_ACCEPT,
						   IKED_EAP_REJECT, IKED_EAP_TIMEOUT };
	struct iked_eap_result r = { .verdict = v[(control >> 6) & 3], .reason = "stub" };

	if (!dp.eap_pending)
		return;
	dp.eap_pending = false;
	if (r.verdict == IKED_EAP_CHALLENGE) {
		r.eap = req;
		r.eap_len = sizeof(req);
	} else if (r.verdict == IKED_EAP_ACCEPT) {
		r.eap = ok;
		r.eap_len = sizeof(ok);
		r.msk = msk;
		r.msk_len = sizeof(msk);
		r.has_framed_ip = control & 0x10;
		r.framed_ip = POOL_NET + 77;
	} else if (r.verdict == IKED_EAP_REJECT) {
		r.eap = fail;
		r.eap_len = sizeof(fail);
	}
	iked_eap_result(ik, dp.eap_sa, &r, now);
}

static bool verbose;

/* FUZZ_IKED_VERBOSE=1: what each input did, to check that seeds go where they should. */
static void
report(const struct iked_counters *k)
{
	unsigned i;

	fprintf(stderr, "fuzz_iked: half-open %u established %u sent %u |", k->half_open,
		k->established, dp.sent);
	for (i = 0; i < IKED_EV_COUNT; i++)
		if (k->events[i])
			fprintf(stderr, " %s=%llu", iked_event_name(i),
				(unsigned long long)k->events[i]);
	fprintf(stderr, " | drops:");
	for (i = 0; i < IKED_DROP_COUNT; i++)
		if (k->drops[i])
			fprintf(stderr, " %s=%llu", iked_drop_name(i), (unsigned long long)k->drops[i]);
	fprintf(stderr, "\n");
}

static int
walk_fn(const struct iked_sa_info *info, void *arg)
{
	(void)arg;
	need(info->spi_r != 0 && strlen(info->proposal) < sizeof(info->proposal), "walk");
	return 0;
}

/* ---- one input ---- */

static const struct conf_prefix vnet[] = { { 0x0a010000u, 16 } };
static const uint32_t dns[] = { 0x0a010035u };
static struct conf_ikev2 ike_conf = {
	.proposals = CONF_IKE_ALL, .liveness_s = 10, .liveness_retries = 2,
	.ike_lifetime_s = 60, .cookie_threshold = 4, .half_open_max = 8,
	.fragment_size = 576,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iked_config cfg = {
		.local_addr = GW_ADDR, .pool_mask_len = 24, .vnet = vnet, .n_vnet = 1, .dns = dns,
		.n_dns = 1, .ike = &ike_conf, .max_tunnels = 2, .roots = pki.roots,
		.key = pki.gw, .ops = &ops, .eap = true,
	};
	struct iked_sa_info info;
	struct iked_counters k;
	struct pool *pool;
	char err[256];
	unsigned mode, step, records = 0;
	size_t off = 1;

	if (size < 1)
		return 0;
	rx_port = (data[0] & 1) ? 4500 : 500;
	add_marker = data[0] & 8;
	mode = (data[0] >> 1) & 3;
	step = data[0] >> 4;
	now = 1000;
	memset(&dp, 0, sizeof(dp));
	dp.next_spi = 0xc0000001u;
	pool = pool_create(POOL_NET, 24);
	need(pool != NULL, "pool");
	cfg.pool = pool;
	ik = iked_create(&cfg, err, sizeof(err));
	need(ik != NULL, err);

	if (mode != 0) {
		iked_input(ik, init.req, init.req_len, CLIENT_ADDR, 500, 500, now);
		need(dp.sent == 1, "a valid IKE_SA_INIT was not answered");
		take_init_response();
		if (mode == 3)
			establish();
	}

	while (size - off >= 2 && records++ < RECORDS_MAX) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		const uint8_t *rec = data + off + 2;
		uint8_t *copy;

		off += 2;
		if (len > size - off)
			len = size - off;
		off += len;
		if (mode >= 2) {
			if (len >= 4) {
				deliver_protected(rec[0], rec[1], rec[2], rec[3], rec + 4, len - 4);
				eap_answer(rec[2]);
			}
		} else {
			/* An exact-size copy, so ASan sees any read past the datagram. */
			copy = malloc(len ? len : 1);
			need(copy != NULL, "malloc");
			memcpy(copy, rec, len);
			if (mode == 1) {
				size_t at = rx_port == 4500 && !add_marker ? 4 : 0;

				if (len >= at + 16) {
					put_be64(copy + at, CLIENT_SPI_I);
					put_be64(copy + at + 8, sa.spi_r);
				}
			}
			deliver(copy, len);
			free(copy);
		}
		now += (uint64_t)step * STEP_MS;
		iked_timers(ik, now);
	}

	iked_walk(ik, now, walk_fn, NULL);
	iked_counters(ik, &k);
	if (verbose)
		report(&k);
	need(k.half_open + k.established <= ike_conf.half_open_max + 2 * cfg.max_tunnels,
	     "more IKE_SAs than room");
	if (iked_tunnel_info(ik, 1, now, &info) == 0)
		iked_disconnect(ik, 1, now);
	iked_free(ik);
	ik = NULL;
	need(dp.tunnels == 0, "iked_free() left a tunnel behind");
	need(pool_in_use(pool) == 0, "iked_free() left an address taken");
	need(dp.eap_open == 0, "iked_free() left an EAP conversation open");
	pool_free(pool);
	return 0;
}

/* ---- seeds ---- */

static void
seed_write(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	need(f != NULL && fwrite(p, 1, len, f) == len && fclose(f) == 0, path);
}

struct seed {
	uint8_t buf[8192];
	size_t len;
};

static void
seed_start(struct seed *s, uint8_t control)
{
	s->buf[0] = control;
	s->len = 1;
}

static void
seed_add(struct seed *s, const uint8_t *p, size_t len)
{
	need(s->len + 2 + len <= sizeof(s->buf), "seed too big");
	s->buf[s->len++] = (uint8_t)(len >> 8);
	s->buf[s->len++] = (uint8_t)len;
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* A protected record: exchange, message ID, control, first payload, chain. */
static void
seed_add_chain(struct seed *s, uint8_t exchange, uint8_t msg_id, uint8_t control,
	       const struct ike_writer *w)
{
	uint8_t rec[4096];

	need(w->len + 4 <= sizeof(rec), "seed record too big");
	rec[0] = exchange;
	rec[1] = msg_id;
	rec[2] = control;
	rec[3] = w->first;
	memcpy(rec + 4, w->buf, w->len);
	seed_add(s, rec, w->len + 4);
}

static void
seeds(const char *dir)
{
	static const struct ike_transform esp[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_ESN, IKE_ESN_NO, 0, false },
	};
	static const struct ike_transform ikex[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
		{ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0, false },
		{ IKE_XF_DH, IKE_DH_CURVE25519, 0, false },
	};
	uint8_t spi[8], nonce[32], ke[32], hdr_only[28 + 4 + 32], chain[4096], big[1500];
	struct ike_proposal_out p = { .number = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				      .spi = spi, .n = 2, .t = esp };
	struct ike_ts_ipv4 all = { 0, 0, 65535, 0, 0xffffffffu };
	struct ike_writer w;
	struct seed s;
	uint8_t first;
	size_t len;

	memset(nonce, 0x61, sizeof(nonce));
	need(ike_dh_public(init.dh, ke, sizeof(ke)) == 32, "KE");
	/* Raw IKE_SA_INIT on 500, and on 4500 with the marker added. */
	seed_start(&s, 0x00);
	seed_add(&s, init.req, init.req_len);
	seed_write(dir, "init-500", s.buf, s.len);
	seed_start(&s, 0x09);
	seed_add(&s, init.req, init.req_len);
	seed_add(&s, init.req, init.req_len);
	seed_write(dir, "init-4500-twice", s.buf, s.len);
	/* After IKE_SA_INIT: the request again (retransmit) and an IKE_AUTH header with
	 * an SK of zeros (integrity). */
	seed_start(&s, 0x02);
	seed_add(&s, init.req, init.req_len);
	memset(hdr_only, 0, sizeof(hdr_only));
	{
		struct ike_header h = { .major = 2, .exchange = IKE_EXCH_IKE_AUTH,
					.flags = IKE_FLAG_INITIATOR, .message_id = 1 };

		need(ike_writer_msg(&w, hdr_only, sizeof(hdr_only), &h) == 0 &&
		     ike_put_raw(&w, IKE_PL_SK, nonce, sizeof(nonce)) > 0 &&
		     ike_writer_finish(&w) == (int)sizeof(hdr_only), "SK header");
	}
	seed_add(&s, hdr_only, sizeof(hdr_only));
	seed_write(dir, "init-then-raw", s.buf, s.len);
	/* A protected IKE_AUTH whose AUTH does not verify; and the same fragmented. */
	seed_start(&s, 0x04);
	len = auth_chain(false, &first);
	w = (struct ike_writer){ .buf = inner, .len = len, .first = first };
	seed_add_chain(&s, IKE_EXCH_IKE_AUTH, 1, IKE_FLAG_INITIATOR, &w);
	seed_write(dir, "auth-bad-signature", s.buf, s.len);
	seed_start(&s, 0x04);
	seed_add_chain(&s, IKE_EXCH_IKE_AUTH, 1, IKE_FLAG_INITIATOR | 1 | 2, &w);
	seed_write(dir, "auth-fragmented", s.buf, s.len);

	/* EAP: IKE_AUTH without AUTH (challenge), an EAP-Response (accept with a
	 * Framed-IP-Address), an AUTH that is not made with the MSK. */
	{
		static const uint8_t res[] = { 2, 9, 0, 6, 26, 2 };
		uint8_t body[4 + 32] = { IKE_AUTH_SHARED_KEY_MIC };
		struct ike_cp_attr attr = { IKE_CFGA_INTERNAL_IP4_ADDRESS, 0, spi };

		seed_start(&s, 0x04);
		put_be32(spi, CLIENT_ESP_SPI);
		ike_writer_chain(&w, chain, sizeof(chain));
		need(ike_put_id(&w, IKE_PL_IDI, IKE_ID_FQDN, "alice", 5) > 0 &&
		     ike_put_cp(&w, IKE_CFG_REQUEST, &attr, 1) > 0 && ike_put_sa(&w, &p, 1) > 0 &&
		     ike_put_ts(&w, IKE_PL_TSI, &all, 1) > 0 &&
		     ike_put_ts(&w, IKE_PL_TSR, &all, 1) > 0, "EAP IKE_AUTH chain");
		seed_add_chain(&s, IKE_EXCH_IKE_AUTH, 1, IKE_FLAG_INITIATOR, &w);
		ike_writer_chain(&w, chain, sizeof(chain));
		need(ike_put_raw(&w, IKE_PL_EAP, res, sizeof(res)) > 0, "EAP response");
		seed_add_chain(&s, IKE_EXCH_IKE_AUTH, 2, IKE_FLAG_INITIATOR | 0x40 | 0x10, &w);
		ike_writer_chain(&w, chain, sizeof(chain));
		need(ike_put_raw(&w, IKE_PL_AUTH, body, sizeof(body)) > 0, "MSK AUTH");
		seed_add_chain(&s, IKE_EXCH_IKE_AUTH, 3, IKE_FLAG_INITIATOR, &w);
		seed_write(dir, "eap-accept-bad-auth", s.buf, s.len);
	}

	/* Established: liveness from the client, a CHILD_SA rekey, DELETE of the old
	 * CHILD_SA, DELETE of the IKE_SA. */
	seed_start(&s, 0x06 | 0x10);
	ike_writer_chain(&w, chain, sizeof(chain));
	seed_add_chain(&s, IKE_EXCH_INFORMATIONAL, 2, IKE_FLAG_INITIATOR, &w);
	put_be32(spi, 0xe6e6e6e6u);
	ike_writer_chain(&w, chain, sizeof(chain));
	put_be32(spi + 4, CLIENT_ESP_SPI);
	need(ike_put_notify(&w, IKE_PROTO_ESP, spi + 4, 4, IKE_N_REKEY_SA, NULL, 0) > 0 &&
	     ike_put_sa(&w, &p, 1) > 0 && ike_put_nonce(&w, nonce, sizeof(nonce)) > 0 &&
	     ike_put_ts(&w, IKE_PL_TSI, &all, 1) > 0 && ike_put_ts(&w, IKE_PL_TSR, &all, 1) > 0,
	     "rekey chain");
	seed_add_chain(&s, IKE_EXCH_CREATE_CHILD_SA, 3, IKE_FLAG_INITIATOR, &w);
	ike_writer_chain(&w, chain, sizeof(chain));
	need(ike_put_delete(&w, IKE_PROTO_ESP, 4, spi + 4, 1) > 0, "delete");
	seed_add_chain(&s, IKE_EXCH_INFORMATIONAL, 4, IKE_FLAG_INITIATOR, &w);
	ike_writer_chain(&w, chain, sizeof(chain));
	need(ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) > 0, "delete IKE");
	seed_add_chain(&s, IKE_EXCH_INFORMATIONAL, 5, IKE_FLAG_INITIATOR, &w);
	seed_write(dir, "established-rekey-delete", s.buf, s.len);

	/* Established: an IKE_SA rekey, then a big INFORMATIONAL in fragments, time passing. */
	seed_start(&s, 0x06 | 0x40);
	put_be64(spi, 0x0badc0ffee000001ull);
	{
		struct ike_proposal_out pi = { .number = 1, .protocol = IKE_PROTO_IKE,
					       .spi_size = 8, .spi = spi, .n = 3, .t = ikex };

		ike_writer_chain(&w, chain, sizeof(chain));
		need(ike_put_sa(&w, &pi, 1) > 0 && ike_put_nonce(&w, nonce, sizeof(nonce)) > 0 &&
		     ike_put_ke(&w, IKE_DH_CURVE25519, ke, sizeof(ke)) > 0, "IKE rekey chain");
	}
	seed_add_chain(&s, IKE_EXCH_CREATE_CHILD_SA, 2, IKE_FLAG_INITIATOR, &w);
	memset(big, 0x42, sizeof(big));
	ike_writer_chain(&w, chain, sizeof(chain));
	need(ike_put_raw(&w, IKE_PL_VENDOR, big, sizeof(big)) > 0, "vendor");
	seed_add_chain(&s, IKE_EXCH_INFORMATIONAL, 3, IKE_FLAG_INITIATOR | 1 | 4, &w);
	seed_write(dir, "established-ike-rekey-fragments", s.buf, s.len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { (*argv)[0], "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "*:emerg" };
	const char *seed_dir = getenv("FUZZ_IKED_SEEDS");

	(void)argc;
	verbose = getenv("FUZZ_IKED_VERBOSE") != NULL;
	need(rte_eal_init(RTE_DIM(eal), eal) >= 0, "rte_eal_init");
	pki_make();
	build_init();
	if (seed_dir != NULL) {
		seeds(seed_dir);
		exit(0);
	}
	return 0;
}
