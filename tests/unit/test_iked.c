/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/iked, the IKEv2 responder, driven by an initiator made
 * of lib/ike's own builders and crypto: IKE_SA_INIT (the answer's payloads
 * and NAT-D hashes checked against values computed here, retransmissions,
 * INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, COOKIEs and their rotation, NAT
 * detection, half-open limits and expiry), datagrams that must be dropped
 * (each counted under its reason, nothing sent), and a whole IKE_AUTH with a
 * client certificate from a test root: the CHILD_SA handed to the data plane
 * is checked against KEYMAT derived here, the response is decrypted and its
 * AUTH verified with the gateway's certificate, and DELETEs take the tunnel
 * and the address back. Certificates and keys are made in memory; the
 * responder acts only through the callbacks captured below.
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
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <rte_common.h>
#include <rte_eal.h>

#include "auth.h"
#include "ike.h"
#include "iked.h"
#include "iked_priv.h"
#include "ike_initiator.h"
#include "pool.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW_ADDR IP(198, 51, 100, 1)
#define CLIENT_ADDR IP(203, 0, 113, 7)
#define CLIENT_PORT 500
#define POOL_NET IP(172, 16, 201, 0)
#define TUNNEL_ID 7
#define FIRST_SPI 0xc0000001u

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- what the responder does, captured ---- */

#define SENT_MAX 64
#define DGRAM_MAX 8192

struct dgram {
	uint16_t local_port, peer_port;
	uint32_t peer_addr;
	size_t len;
	uint8_t data[DGRAM_MAX];
};

static struct {
	unsigned n_sent;
	struct dgram sent[SENT_MAX];
	uint32_t next_spi;
	unsigned tunnel_adds, tunnel_rekeys, child_removes, tunnel_dels;
	enum iked_end last_why;
	uint32_t last_del;
	struct iked_child_params added, rekeyed;
	uint32_t removed_spi, rekey_tunnel;
	int tunnel_add_rc;
	/* EAP relay */
	unsigned eap_starts, eap_sends, eap_ends, eap_ups;
	uint32_t eap_sa;
	char eap_identity[64];
	uint8_t eap_last[64];
	size_t eap_last_len;
} cap;

static void
op_send(void *arg, uint16_t local_port, uint32_t peer_addr, uint16_t peer_port,
	const uint8_t *msg, size_t len)
{
	struct dgram *d;

	assert_ptr_equal(arg, &cap);
	assert_true(cap.n_sent < SENT_MAX);
	assert_true(len <= DGRAM_MAX);
	d = &cap.sent[cap.n_sent++];
	d->local_port = local_port;
	d->peer_addr = peer_addr;
	d->peer_port = peer_port;
	d->len = len;
	memcpy(d->data, msg, len);
}

static uint32_t
op_spi_new(void *arg)
{
	(void)arg;
	return cap.next_spi++;
}

static int
op_tunnel_add(void *arg, const struct iked_child_params *p, uint32_t *tunnel_id, char *err,
	      size_t errlen)
{
	(void)arg;
	cap.tunnel_adds++;
	cap.added = *p;
	if (cap.tunnel_add_rc < 0) {
		snprintf(err, errlen, "table full");
		return cap.tunnel_add_rc;
	}
	*tunnel_id = TUNNEL_ID;
	return 0;
}

static int
op_tunnel_rekey(void *arg, uint32_t tunnel_id, const struct iked_child_params *p, char *err,
		size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	cap.tunnel_rekeys++;
	cap.rekey_tunnel = tunnel_id;
	cap.rekeyed = *p;
	return 0;
}

static void
op_child_remove(void *arg, uint32_t in_spi)
{
	(void)arg;
	cap.child_removes++;
	cap.removed_spi = in_spi;
}

static void
op_tunnel_del(void *arg, uint32_t tunnel_id, enum iked_end why)
{
	(void)arg;
	cap.tunnel_dels++;
	cap.last_del = tunnel_id;
	cap.last_why = why;
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
	cap.eap_starts++;
	cap.eap_sa = sa_id;
	snprintf(cap.eap_identity, sizeof(cap.eap_identity), "%s", identity);
	return 0;
}

static int
op_eap_send(void *arg, uint32_t sa_id, const uint8_t *eap, size_t len)
{
	(void)arg;
	assert_int_equal(sa_id, cap.eap_sa);
	assert_true(len <= sizeof(cap.eap_last));
	cap.eap_sends++;
	memcpy(cap.eap_last, eap, len);
	cap.eap_last_len = len;
	return 0;
}

static void
op_eap_end(void *arg, uint32_t sa_id)
{
	(void)arg;
	assert_int_equal(sa_id, cap.eap_sa);
	cap.eap_ends++;
}

static void
op_eap_up(void *arg, uint32_t sa_id, uint32_t tunnel_id)
{
	(void)arg, (void)sa_id, (void)tunnel_id;
	cap.eap_ups++;
}

static const struct iked_ops ops = {
	.eap_start = op_eap_start,
	.eap_send = op_eap_send,
	.eap_end = op_eap_end,
	.eap_up = op_eap_up,
	.send = op_send,
	.spi_new = op_spi_new,
	.tunnel_add = op_tunnel_add,
	.tunnel_rekey = op_tunnel_rekey,
	.child_remove = op_child_remove,
	.tunnel_del = op_tunnel_del,
	.tunnel_stats = op_tunnel_stats,
};

/* ---- certificates: root, gateway and client, all ECDSA P-256 ---- */

static struct ini_pki pki;

static int
pki_setup(void **state)
{
	char err[AUTH_ERR_MAX];

	(void)state;
	if (ini_pki_new(&pki, INI_KEY_P256, INI_KEY_P256, INI_KEY_P256, err, sizeof(err)) < 0)
		fail_msg("test PKI: %s", err);
	return 0;
}

static int
pki_teardown(void **state)
{
	(void)state;
	ini_pki_free(&pki);
	return 0;
}

/* ---- the responder under test ---- */

static const struct conf_prefix vnet[] = { { IP(10, 1, 0, 0), 16 } };
static const uint32_t dns[] = { IP(10, 1, 0, 53) };

struct gw {
	struct conf_ikev2 ike;
	struct iked_config cfg;
	struct pool *pool;
	struct iked *ik;
};

static void
gw_default_ike(struct conf_ikev2 *k)
{
	memset(k, 0, sizeof(*k));
	k->proposals = CONF_IKE_ALL;
	k->liveness_s = 0;
	k->liveness_retries = 3;
	k->cookie_threshold = 1000;
	k->half_open_max = 64;
	k->fragment_size = 1280;
}

static void
gw_start(struct gw *g, const struct conf_ikev2 *k, bool roots)
{
	char err[256];

	memset(&cap, 0, sizeof(cap));
	cap.next_spi = FIRST_SPI;
	g->ike = *k;
	g->pool = pool_create(POOL_NET, 24);
	assert_non_null(g->pool);
	g->cfg = (struct iked_config){
		.local_addr = GW_ADDR, .pool_mask_len = 24, .vnet = vnet, .n_vnet = 1,
		.dns = dns, .n_dns = 1, .ike = &g->ike, .max_tunnels = 4,
		.roots = roots ? pki.roots : NULL, .key = pki.gw, .pool = g->pool,
		.ops = &ops, .ops_arg = &cap,
	};
	g->ik = iked_create(&g->cfg, err, sizeof(err));
	assert_non_null(g->ik);
}

static void
gw_start_default(struct gw *g)
{
	struct conf_ikev2 ike;

	gw_default_ike(&ike);
	gw_start(g, &ike, true);
}

static void
gw_stop(struct gw *g)
{
	iked_free(g->ik);
	pool_free(g->pool);
}

static void
counters(const struct gw *g, struct iked_counters *c)
{
	iked_counters(g->ik, c);
}

static uint64_t
total_drops(const struct iked_counters *c)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < IKED_DROP_COUNT; i++)
		n += c->drops[i];
	return n;
}

#define WALK_MAX 40
struct walk {
	unsigned n;
	struct iked_sa_info sa[WALK_MAX];
};

static int
walk_fn(const struct iked_sa_info *sa, void *arg)
{
	struct walk *w = arg;

	if (w->n < WALK_MAX)
		w->sa[w->n] = *sa;
	w->n++;
	return 0;
}

static void
walk(const struct gw *g, uint64_t now, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	iked_walk(g->ik, now, walk_fn, w);
}

/* ---- the initiator (tests/common/ike_initiator.c), asserting ---- */

static void
client_init(struct ini_client *c, uint64_t spi_i, uint32_t addr, uint16_t port)
{
	ini_client_init(c, spi_i, addr, port, GW_ADDR);
}

static void
build_init(struct ini_client *c, const struct ini_init_opts *o)
{
	assert_int_equal(ini_build_init(c, o), 0);
}

/* A datagram as the worker hands it over: with the non-ESP marker on 4500. */
static void
deliver(struct gw *g, const struct ini_client *c, const uint8_t *msg, size_t len, uint64_t now)
{
	uint8_t buf[DGRAM_MAX + 4];

	if (c->lport == 4500) {
		memset(buf, 0, 4);
		memcpy(buf + 4, msg, len);
		iked_input(g->ik, buf, len + 4, c->addr, c->port, 4500, now);
	} else {
		iked_input(g->ik, msg, len, c->addr, c->port, c->lport, now);
	}
}

/* Send c->req; returns how many datagrams came back. */
static unsigned
send_init(struct gw *g, struct ini_client *c, uint64_t now)
{
	unsigned before = cap.n_sent;

	deliver(g, c, c->req, c->req_len, now);
	return cap.n_sent - before;
}

static const struct dgram *
last_sent(void)
{
	assert_true(cap.n_sent > 0);
	return &cap.sent[cap.n_sent - 1];
}

/* The single notify of a stateless IKE_SA_INIT answer. */
static void
expect_init_notify(const struct ini_client *c, uint16_t type, struct ike_notify *n,
		   struct ike_msg *msg)
{
	const struct dgram *d = last_sent();

	assert_int_equal(ike_msg_parse(d->data, d->len, msg), 0);
	assert_true(msg->hdr.spi_i == c->spi_i);
	assert_true(msg->hdr.spi_r == 0);
	assert_int_equal(msg->hdr.exchange, IKE_EXCH_IKE_SA_INIT);
	assert_int_equal(msg->hdr.flags, IKE_FLAG_RESPONSE);
	assert_int_equal(msg->hdr.message_id, 0);
	assert_int_equal(msg->chain.n, 1);
	assert_int_equal(msg->chain.pl[0].type, IKE_PL_NOTIFY);
	assert_int_equal(ike_notify_parse(IKE_PAYLOAD(&msg->chain, 0), n), 0);
	assert_int_equal(n->type, type);
	assert_int_equal(d->peer_addr, c->addr);
	assert_int_equal(d->peer_port, c->port);
}

/*
 * Take a full IKE_SA_INIT response (last datagram): the initiator's keys, then
 * the payloads, the NAT-D hashes and the hash algorithms checked here.
 */
static void
take_init_response(struct ini_client *c, bool certreq)
{
	static const uint8_t want_types[] = { IKE_PL_SA, IKE_PL_KE, IKE_PL_NONCE, IKE_PL_NOTIFY,
					      IKE_PL_NOTIFY, IKE_PL_CERTREQ, IKE_PL_NOTIFY };
	const struct dgram *d = last_sent();
	uint8_t ip[4], h[IKE_NATD_LEN];
	struct ike_msg msg;
	struct ike_notify n;
	struct ike_nonce nr;
	struct ike_ke ke;
	unsigned i, k = 0;

	assert_int_equal(d->local_port, c->lport);
	assert_int_equal(ini_take_init(c, d->data, d->len), 0);
	assert_int_equal(ike_msg_parse(c->resp, c->resp_len, &msg), 0);
	assert_true(msg.hdr.spi_i == c->spi_i);
	assert_true(msg.hdr.spi_r != 0 && msg.hdr.spi_r == c->spi_r);
	assert_int_equal(msg.hdr.flags, IKE_FLAG_RESPONSE);
	assert_int_equal(msg.hdr.exchange, IKE_EXCH_IKE_SA_INIT);
	assert_int_equal(msg.hdr.message_id, 0);
	assert_int_equal(msg.sk_type, 0);

	/* SA KE Nr N(NAT_S) N(NAT_D) [CERTREQ] [N(FRAG)] N(SIGNATURE_HASH_ALGORITHMS) */
	for (i = 0; i < msg.chain.n; i++) {
		if (!certreq && want_types[k] == IKE_PL_CERTREQ)
			k++;
		if (msg.chain.pl[i].type == IKE_PL_NOTIFY &&
		    get16(msg.chain.pl[i].body + 2) == IKE_N_FRAGMENTATION_SUPPORTED)
			continue;
		assert_true(k < sizeof(want_types));
		assert_int_equal(msg.chain.pl[i].type, want_types[k]);
		k++;
	}
	assert_int_equal(k, sizeof(want_types));

	assert_int_equal(c->choice.number, 1);
	assert_int_equal(c->choice.protocol, IKE_PROTO_IKE);
	assert_int_equal(c->choice.spi_size, 0);
	assert_int_equal(ike_ke_parse(IKE_PAYLOAD(&msg.chain, 1), &ke), 0);
	assert_int_equal(ke.len, ike_dh_public_len(ke.group));
	assert_int_equal(ike_nonce_parse(IKE_PAYLOAD(&msg.chain, 2), &nr), 0);
	assert_int_equal(nr.len, IKED_NR_LEN);

	/* NAT-D with the real SPIr: the source is the gateway, the destination us. */
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_NAT_DETECTION_SOURCE_IP, &n), 0);
	ini_put_be32(ip, GW_ADDR);
	ike_natd_hash(c->spi_i, c->spi_r, ip, 4, c->lport, h);
	assert_int_equal(n.len, IKE_NATD_LEN);
	assert_memory_equal(n.data, h, IKE_NATD_LEN);
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_NAT_DETECTION_DESTINATION_IP, &n),
			 0);
	ini_put_be32(ip, c->addr);
	ike_natd_hash(c->spi_i, c->spi_r, ip, 4, c->port, h);
	assert_memory_equal(n.data, h, IKE_NATD_LEN);

	assert_int_equal(c->gw_hashes, 1u << IKE_HASH_SHA2_256 | 1u << IKE_HASH_SHA2_384 |
					       1u << IKE_HASH_SHA2_512);
	/* Keys whenever the gateway took our KE's group. */
	assert_int_equal(c->have_keys, c->dh != NULL && ike_dh_group(c->dh) == ke.group);
}

/* ---- IKE_SA_INIT ---- */

static void
test_init_response(void **state)
{
	struct ini_init_opts o = { 0 };
	struct iked_counters k;
	struct ini_client c;
	struct walk w;
	struct gw g;
	struct ike_msg msg;
	struct ike_certreq cr;
	uint8_t *spki = NULL, sha1[20];
	int i, spki_len;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0x1111222233334444ull, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &o);
	assert_int_equal(send_init(&g, &c, 1000), 1);
	take_init_response(&c, true);
	assert_int_equal(c.choice.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(c.choice.encr_key_len, 256);
	assert_int_equal(c.choice.integ, 0);
	assert_int_equal(c.choice.prf, IKE_PRF_HMAC_SHA2_256);
	assert_int_equal(c.choice.dh, IKE_DH_CURVE25519);

	/* CERTREQ: the SHA-1 of our one root's SubjectPublicKeyInfo (RFC 7296 §3.7). */
	assert_int_equal(ike_msg_parse(c.resp, c.resp_len, &msg), 0);
	i = ike_chain_find(&msg.chain, IKE_PL_CERTREQ, 0);
	assert_true(i >= 0);
	assert_int_equal(ike_certreq_parse(IKE_PAYLOAD(&msg.chain, (unsigned)i), &cr), 0);
	assert_int_equal(cr.encoding, IKE_CERT_X509_SIGNATURE);
	assert_int_equal(cr.n_ca, 1);
	spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(pki.root), &spki);
	assert_true(spki_len > 0);
	SHA1(spki, (size_t)spki_len, sha1);
	OPENSSL_free(spki);
	assert_memory_equal(cr.data, sha1, 20);
	/* No FRAGMENTATION_SUPPORTED unless the client sent it. */
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_FRAGMENTATION_SUPPORTED,
					       &(struct ike_notify){ 0 }), -ENOENT);

	counters(&g, &k);
	assert_int_equal(k.half_open, 1);
	assert_int_equal(k.established, 0);
	assert_int_equal(k.events[IKED_EV_requests], 1);
	assert_int_equal(total_drops(&k), 0);
	walk(&g, 3500, &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.sa[0].state, IKED_HALF_OPEN);
	assert_true(w.sa[0].spi_i == c.spi_i && w.sa[0].spi_r == c.spi_r);
	assert_int_equal(w.sa[0].peer_addr, CLIENT_ADDR);
	assert_int_equal(w.sa[0].peer_port, CLIENT_PORT);
	assert_int_equal(w.sa[0].local_port, 500);
	assert_false(w.sa[0].nat);
	assert_int_equal(w.sa[0].age_ms, 2500);
	assert_int_equal(w.sa[0].inner_addr, 0);
	assert_string_equal(w.sa[0].proposal, "AES_GCM_16-256/HMAC_SHA2_256/CURVE25519");
	assert_int_equal(cap.tunnel_adds, 0);
	ini_client_free(&c);
	gw_stop(&g);
}

/* Without roots no CERTREQ; FRAGMENTATION_SUPPORTED echoed; another group taken as sent. */
static void
test_init_no_roots_frag_ecp(void **state)
{
	static const uint16_t groups[] = { IKE_DH_CURVE25519, IKE_DH_ECP_256 };
	struct ini_init_opts o = { .dh = groups, .n_dh = 2, .ke_group = IKE_DH_ECP_256,
			       .frag_sup = true };
	struct conf_ikev2 ike;
	struct ike_msg msg;
	struct ike_notify n;
	struct ini_client c;
	struct gw g;

	(void)state;
	gw_default_ike(&ike);
	gw_start(&g, &ike, false);
	client_init(&c, 0x5555, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &o);
	assert_int_equal(send_init(&g, &c, 0), 1);
	take_init_response(&c, false);
	/* §1.2: the KE's group is offered and accepted, so it is used, no round trip. */
	assert_int_equal(c.choice.dh, IKE_DH_ECP_256);
	assert_int_equal(ike_msg_parse(c.resp, c.resp_len, &msg), 0);
	assert_int_equal(ike_chain_count(&msg.chain, IKE_PL_CERTREQ), 0);
	assert_int_equal(ike_chain_find_notify(&msg.chain, IKE_N_FRAGMENTATION_SUPPORTED, &n), 0);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
test_init_retransmit(void **state)
{
	struct iked_counters k;
	struct ini_client c;
	struct walk w;
	struct gw g;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0xabcdef0123456789ull, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(&g, &c, 10), 1);
	assert_int_equal(send_init(&g, &c, 20), 1);
	assert_int_equal(send_init(&g, &c, 30), 1);
	assert_int_equal(cap.sent[0].len, cap.sent[1].len);
	assert_memory_equal(cap.sent[0].data, cap.sent[1].data, cap.sent[0].len);
	assert_memory_equal(cap.sent[0].data, cap.sent[2].data, cap.sent[0].len);
	counters(&g, &k);
	assert_int_equal(k.half_open, 1);
	assert_int_equal(k.events[IKED_EV_retransmits_answered], 2);
	assert_int_equal(k.events[IKED_EV_requests], 1);
	walk(&g, 30, &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.sa[0].age_ms, 20);

	/* The same SPIi from another port is another client: a second IKE_SA. */
	c.port = 4501;
	build_init(&c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(&g, &c, 40), 1);
	counters(&g, &k);
	assert_int_equal(k.half_open, 2);
	assert_memory_not_equal(cap.sent[3].data + 8, cap.sent[0].data + 8, 8);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
assert_no_state(const struct gw *g)
{
	struct iked_counters k;
	struct walk w;

	counters(g, &k);
	assert_int_equal(k.half_open, 0);
	walk(g, 0, &w);
	assert_int_equal(w.n, 0);
}

static void
test_init_invalid_ke(void **state)
{
	static const uint16_t offer1[] = { IKE_DH_ECP_256, IKE_DH_CURVE25519 };
	static const uint16_t offer2[] = { IKE_DH_MODP_768, IKE_DH_ECP_256 };
	struct iked_counters k;
	struct ike_notify n;
	struct ike_msg msg;
	struct ini_client c;
	struct gw g;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0x77, CLIENT_ADDR, CLIENT_PORT);

	/* KE of a group the client does not offer: our preference of its offer. */
	build_init(&c, &(struct ini_init_opts){ .dh = offer1, .n_dh = 2, .ke_group = IKE_DH_MODP_2048 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	expect_init_notify(&c, IKE_N_INVALID_KE_PAYLOAD, &n, &msg);
	assert_int_equal(n.len, 2);
	assert_int_equal(ike_notify_ke_group(&n), IKE_DH_CURVE25519);
	assert_no_state(&g);

	/* KE of a group we never accept, offered next to one we do. */
	build_init(&c, &(struct ini_init_opts){ .dh = offer2, .n_dh = 2, .ke_group = IKE_DH_MODP_768 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	expect_init_notify(&c, IKE_N_INVALID_KE_PAYLOAD, &n, &msg);
	assert_int_equal(ike_notify_ke_group(&n), IKE_DH_ECP_256);
	assert_no_state(&g);

	/* The client then retries with what was asked for: a full answer. */
	build_init(&c, &(struct ini_init_opts){ .dh = offer2, .n_dh = 2, .ke_group = IKE_DH_ECP_256 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	take_init_response(&c, true);
	assert_int_equal(c.choice.dh, IKE_DH_ECP_256);

	counters(&g, &k);
	assert_int_equal(k.events[IKED_EV_invalid_ke], 2);
	assert_int_equal(k.half_open, 1);
	assert_int_equal(total_drops(&k), 0);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
test_init_no_proposal(void **state)
{
	static const uint16_t weak_dh[] = { IKE_DH_MODP_768 };
	struct iked_counters k;
	struct ike_notify n;
	struct ike_msg msg;
	struct ini_client c;
	struct gw g;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0x88, CLIENT_ADDR, CLIENT_PORT);
	/* Nothing we take: 3DES with MD5 and MODP-768. */
	build_init(&c, &(struct ini_init_opts){ .encr = IKE_ENCR_3DES, .integ = IKE_INTEG_HMAC_MD5_96,
					    .prf = IKE_PRF_HMAC_MD5, .dh = weak_dh, .n_dh = 1 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	expect_init_notify(&c, IKE_N_NO_PROPOSAL_CHOSEN, &n, &msg);
	assert_int_equal(n.len, 0);
	assert_no_state(&g);
	/* A good cipher but only MODP-768: still nothing. */
	build_init(&c, &(struct ini_init_opts){ .dh = weak_dh, .n_dh = 1 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	expect_init_notify(&c, IKE_N_NO_PROPOSAL_CHOSEN, &n, &msg);
	assert_no_state(&g);
	counters(&g, &k);
	assert_int_equal(k.events[IKED_EV_no_proposal], 2);
	assert_int_equal(k.events[IKED_EV_invalid_ke], 0);
	ini_client_free(&c);
	gw_stop(&g);
}

/* Send a request built with o; the answer must be a COOKIE demand, into cookie. */
static void
demand_cookie(struct gw *g, struct ini_client *c, const struct ini_init_opts *o, uint64_t now,
	      uint8_t cookie[IKE_COOKIE_LEN])
{
	struct iked_counters before, after;
	struct ike_notify n;
	struct ike_msg msg;

	counters(g, &before);
	build_init(c, o);
	assert_int_equal(send_init(g, c, now), 1);
	expect_init_notify(c, IKE_N_COOKIE, &n, &msg);
	assert_int_equal(n.len, IKE_COOKIE_LEN);
	memcpy(cookie, n.data, IKE_COOKIE_LEN);
	counters(g, &after);
	assert_int_equal(after.half_open, before.half_open);
}

static void
start_cookies(struct gw *g)
{
	struct conf_ikev2 ike;

	gw_default_ike(&ike);
	ike.cookie_threshold = 0;
	gw_start(g, &ike, true);
}

static void
test_init_cookie(void **state)
{
	uint8_t cookie[IKE_COOKIE_LEN], again[IKE_COOKIE_LEN], bad[IKE_COOKIE_LEN];
	struct iked_counters k;
	struct ini_client c;
	struct gw g;

	(void)state;
	start_cookies(&g);
	client_init(&c, 0x99, CLIENT_ADDR, CLIENT_PORT);
	demand_cookie(&g, &c, &(struct ini_init_opts){ 0 }, 0, cookie);
	/* Stateless: the same request gets the same cookie. */
	demand_cookie(&g, &c, &(struct ini_init_opts){ 0 }, 0, again);
	assert_memory_equal(again, cookie, IKE_COOKIE_LEN);

	/* A wrong cookie: counted, and a fresh demand. */
	memcpy(bad, cookie, IKE_COOKIE_LEN);
	bad[IKE_COOKIE_LEN - 1] ^= 1;
	demand_cookie(&g, &c, &(struct ini_init_opts){ .cookie = bad, .cookie_len = IKE_COOKIE_LEN },
		      0, again);
	assert_memory_equal(again, cookie, IKE_COOKIE_LEN);
	counters(&g, &k);
	assert_int_equal(k.drops[IKED_DROP_bad_cookie], 1);

	/* The cookie is bound to the client's address. */
	c.addr = CLIENT_ADDR + 1;
	demand_cookie(&g, &c, &(struct ini_init_opts){ .cookie = cookie, .cookie_len = IKE_COOKIE_LEN },
		      0, again);
	counters(&g, &k);
	assert_int_equal(k.drops[IKED_DROP_bad_cookie], 2);

	/* The right cookie first: a normal answer. */
	c.addr = CLIENT_ADDR;
	build_init(&c, &(struct ini_init_opts){ .cookie = cookie, .cookie_len = IKE_COOKIE_LEN });
	assert_int_equal(send_init(&g, &c, 0), 1);
	take_init_response(&c, true);
	counters(&g, &k);
	assert_int_equal(k.half_open, 1);
	assert_int_equal(k.events[IKED_EV_cookies_sent], 4);
	assert_int_equal(k.drops[IKED_DROP_bad_cookie], 2);
	ini_client_free(&c);
	gw_stop(&g);
}

/* A cookie outlives one secret rotation, not two. */
static void
test_cookie_rotation(void **state)
{
	uint8_t cookie[IKE_COOKIE_LEN], fresh[IKE_COOKIE_LEN];
	const struct ini_init_opts with = { .cookie = cookie, .cookie_len = IKE_COOKIE_LEN };
	struct iked_counters k;
	struct ini_client c;
	struct gw g;

	(void)state;
	start_cookies(&g);
	iked_timers(g.ik, 0);
	client_init(&c, 0x9a, CLIENT_ADDR, CLIENT_PORT);
	demand_cookie(&g, &c, &(struct ini_init_opts){ 0 }, 0, cookie);
	iked_timers(g.ik, IKED_COOKIE_ROTATE_MS);
	build_init(&c, &with);
	assert_int_equal(send_init(&g, &c, IKED_COOKIE_ROTATE_MS), 1);
	take_init_response(&c, true);

	c.spi_i++;
	demand_cookie(&g, &c, &(struct ini_init_opts){ 0 }, IKED_COOKIE_ROTATE_MS, cookie);
	iked_timers(g.ik, 2 * IKED_COOKIE_ROTATE_MS);
	iked_timers(g.ik, 3 * IKED_COOKIE_ROTATE_MS);
	demand_cookie(&g, &c, &with, 3 * IKED_COOKIE_ROTATE_MS, fresh);
	assert_memory_not_equal(fresh, cookie, IKE_COOKIE_LEN);
	counters(&g, &k);
	assert_int_equal(k.drops[IKED_DROP_bad_cookie], 1);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
test_init_nat(void **state)
{
	struct ini_client c;
	struct walk w;
	struct gw g;
	unsigned i;
	const struct {
		struct ini_init_opts o;
		bool nat;
	} cases[] = {
		{ { 0 }, false },
		{ { .bad_natd_src = true }, true },
		{ { .bad_natd_dst = true }, true },
		{ { .no_natd = true }, false },
	};

	(void)state;
	gw_start_default(&g);
	for (i = 0; i < RTE_DIM(cases); i++) {
		client_init(&c, 0x1000 + i, CLIENT_ADDR + i, 3000 + i);
		build_init(&c, &cases[i].o);
		assert_int_equal(send_init(&g, &c, 0), 1);
		take_init_response(&c, true);
		ini_client_free(&c);
	}
	walk(&g, 0, &w);
	assert_int_equal(w.n, RTE_DIM(cases));
	for (i = 0; i < w.n; i++) {
		unsigned j = (unsigned)(w.sa[i].spi_i - 0x1000);

		assert_true(j < RTE_DIM(cases));
		assert_int_equal(w.sa[i].peer_port, 3000 + j);
		assert_int_equal(w.sa[i].nat, cases[j].nat);
	}
	gw_stop(&g);
}

/* Via port 4500 (marker stripped): the NAT-D destination hash names 4500. */
static void
test_init_port_4500(void **state)
{
	struct iked_counters k;
	struct ini_client c;
	struct walk w;
	struct gw g;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0x4500450045004500ull, CLIENT_ADDR, 4500);
	c.lport = 4500;
	build_init(&c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	take_init_response(&c, true);
	walk(&g, 0, &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.sa[0].local_port, 4500);
	assert_false(w.sa[0].nat);
	/* Without the marker: dropped. */
	iked_input(g.ik, c.req, c.req_len, c.addr, c.port, 4500, 0);
	counters(&g, &k);
	assert_int_equal(k.drops[IKED_DROP_bad_marker], 1);
	assert_int_equal(cap.n_sent, 1);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
test_half_open_limits(void **state)
{
	struct conf_ikev2 ike;
	struct iked_counters k;
	struct ini_client c;
	struct gw g;
	unsigned i;

	(void)state;
	/* The global limit. */
	gw_default_ike(&ike);
	ike.half_open_max = 3;
	gw_start(&g, &ike, true);
	for (i = 0; i < 5; i++) {
		client_init(&c, 0x2000 + i, CLIENT_ADDR + i, CLIENT_PORT);
		build_init(&c, &(struct ini_init_opts){ 0 });
		assert_int_equal(send_init(&g, &c, 0), i < 3 ? 1 : 0);
		ini_client_free(&c);
	}
	counters(&g, &k);
	assert_int_equal(k.half_open, 3);
	assert_int_equal(k.drops[IKED_DROP_half_open_full], 2);
	assert_int_equal(cap.n_sent, 3);
	/* Once they expire there is room again. */
	iked_timers(g.ik, IKED_HALF_OPEN_MS);
	client_init(&c, 0x2100, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(&g, &c, IKED_HALF_OPEN_MS), 1);
	ini_client_free(&c);
	gw_stop(&g);

	/* One address may hold IKED_HALF_OPEN_PER_PEER, others still get in. */
	gw_start_default(&g);
	for (i = 0; i < IKED_HALF_OPEN_PER_PEER + 2; i++) {
		client_init(&c, 0x3000 + i, CLIENT_ADDR, (uint16_t)(1024 + i));
		build_init(&c, &(struct ini_init_opts){ 0 });
		assert_int_equal(send_init(&g, &c, 0), i < IKED_HALF_OPEN_PER_PEER ? 1 : 0);
		ini_client_free(&c);
	}
	client_init(&c, 0x3100, CLIENT_ADDR + 1, CLIENT_PORT);
	build_init(&c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(&g, &c, 0), 1);
	ini_client_free(&c);
	counters(&g, &k);
	assert_int_equal(k.half_open, IKED_HALF_OPEN_PER_PEER + 1);
	assert_int_equal(k.drops[IKED_DROP_half_open_full], 2);
	gw_stop(&g);
}

static void
test_half_open_expiry(void **state)
{
	struct iked_counters k;
	struct ini_client c;
	struct gw g;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0x4444, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(&g, &c, 5000), 1);
	assert_int_equal(iked_timers(g.ik, 5000 + IKED_HALF_OPEN_MS - 1), 0);
	counters(&g, &k);
	assert_int_equal(k.half_open, 1);
	assert_int_equal(iked_timers(g.ik, 5000 + IKED_HALF_OPEN_MS), 1);
	counters(&g, &k);
	assert_int_equal(k.half_open, 0);
	assert_int_equal(k.events[IKED_EV_half_open_expired], 1);
	assert_no_state(&g);
	assert_int_equal(cap.n_sent, 1);
	/* The same request again is a new IKE_SA with another SPIr. */
	assert_int_equal(send_init(&g, &c, 5000 + IKED_HALF_OPEN_MS), 1);
	assert_memory_not_equal(cap.sent[0].data + 8, cap.sent[1].data + 8, 8);
	counters(&g, &k);
	assert_int_equal(k.half_open, 1);
	ini_client_free(&c);
	gw_stop(&g);
}

/* ---- drops ---- */

static void
expect_drop(struct gw *g, const uint8_t *p, size_t len, uint16_t lport, enum iked_drop why)
{
	struct iked_counters before, after;
	unsigned sent = cap.n_sent, i;

	counters(g, &before);
	iked_input(g->ik, p, len, CLIENT_ADDR, CLIENT_PORT, lport, 0);
	counters(g, &after);
	assert_int_equal(cap.n_sent, sent);
	for (i = 0; i < IKED_DROP_COUNT; i++)
		assert_int_equal(after.drops[i], before.drops[i] + (i == why));
	assert_int_equal(after.half_open, before.half_open);
}

static void
test_malformed(void **state)
{
	uint8_t buf[2048 + 4], rnd[512];
	struct ini_client c;
	struct gw g;
	unsigned i;
	uint32_t x = 12345;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0x5151515151515151ull, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &(struct ini_init_opts){ 0 });

	/* Truncated anywhere: the header's length no longer fits. */
	for (i = 0; i < c.req_len; i += 7)
		expect_drop(&g, c.req, i, 500, IKED_DROP_malformed);
	/* A length field larger or smaller than the datagram. */
	memcpy(buf, c.req, c.req_len);
	buf[27]++;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_malformed);
	buf[27] -= 2;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_malformed);
	/* A payload length running past the end. */
	memcpy(buf, c.req, c.req_len);
	buf[28 + 2] = 0xff;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_malformed);
	/* Major version 1. */
	memcpy(buf, c.req, c.req_len);
	buf[17] = 0x10;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_malformed);
	/* Random bytes (never a valid header length by construction). */
	for (i = 0; i < sizeof(rnd); i++) {
		x = x * 1103515245u + 12345u;
		rnd[i] = (uint8_t)(x >> 16);
	}
	rnd[0] = 0x5a;
	rnd[24] = rnd[25] = rnd[26] = 0xff;
	expect_drop(&g, rnd, sizeof(rnd), 500, IKED_DROP_malformed);
	expect_drop(&g, rnd, 0, 500, IKED_DROP_malformed);
	expect_drop(&g, rnd, 1, 500, IKED_DROP_malformed);
	/* Port 4500: without the marker, too short for one, or ESP (a non-zero SPI). */
	expect_drop(&g, c.req, c.req_len, 4500, IKED_DROP_bad_marker);
	expect_drop(&g, (const uint8_t[]){ 0, 0, 0 }, 3, 4500, IKED_DROP_bad_marker);
	expect_drop(&g, rnd, sizeof(rnd), 4500, IKED_DROP_bad_marker);
	/* Marker and a truncated message. */
	memset(buf, 0, 4);
	memcpy(buf + 4, c.req, c.req_len);
	expect_drop(&g, buf, c.req_len + 3, 4500, IKED_DROP_malformed);

	/* IKE_SA_INIT that is a response, or has a message ID, or SPIi 0. */
	memcpy(buf, c.req, c.req_len);
	buf[19] = IKE_FLAG_RESPONSE;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_unexpected);
	buf[19] = IKE_FLAG_INITIATOR | IKE_FLAG_RESPONSE;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_unexpected);
	memcpy(buf, c.req, c.req_len);
	buf[23] = 1;
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_unexpected);
	memcpy(buf, c.req, c.req_len);
	memset(buf, 0, 8);
	expect_drop(&g, buf, c.req_len, 500, IKED_DROP_unexpected);

	/* Well-formed, but without a nonce: not an IKE_SA_INIT request. */
	{
		struct ike_header hdr = { .spi_i = 1, .major = 2, .exchange = IKE_EXCH_IKE_SA_INIT,
					  .flags = IKE_FLAG_INITIATOR };
		struct ike_writer w;
		int len;

		assert_int_equal(ike_writer_msg(&w, buf, sizeof(buf), &hdr), 0);
		assert_true(ike_put_notify(&w, 0, NULL, 0, IKE_N_REDIRECT_SUPPORTED, NULL, 0) > 0);
		len = ike_writer_finish(&w);
		expect_drop(&g, buf, (size_t)len, 500, IKED_DROP_malformed);
	}
	assert_no_state(&g);
	assert_int_equal(cap.n_sent, 0);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
test_unknown_spi(void **state)
{
	struct ike_header hdr = { .spi_i = 0x6161, .spi_r = 0x1234567890abcdefull, .major = 2,
				  .exchange = IKE_EXCH_IKE_AUTH, .flags = IKE_FLAG_INITIATOR,
				  .message_id = 1 };
	uint8_t buf[256], zero[16] = { 0 };
	struct ike_writer w;
	struct ini_client c;
	struct gw g;
	int len;

	(void)state;
	gw_start_default(&g);
	assert_int_equal(ike_writer_msg(&w, buf, sizeof(buf), &hdr), 0);
	assert_true(ike_put_raw(&w, IKE_PL_SK, zero, sizeof(zero)) > 0);
	len = ike_writer_finish(&w);
	assert_true(len > 0);
	expect_drop(&g, buf, (size_t)len, 500, IKED_DROP_unknown_spi);

	/* A real SPIr with the wrong SPIi is no better. */
	client_init(&c, 0x6161, CLIENT_ADDR, CLIENT_PORT);
	build_init(&c, &(struct ini_init_opts){ 0 });
	send_init(&g, &c, 0);
	take_init_response(&c, true);
	hdr.spi_i = c.spi_i + 1;
	hdr.spi_r = c.spi_r;
	assert_int_equal(ike_writer_msg(&w, buf, sizeof(buf), &hdr), 0);
	assert_true(ike_put_raw(&w, IKE_PL_SK, zero, sizeof(zero)) > 0);
	len = ike_writer_finish(&w);
	expect_drop(&g, buf, (size_t)len, 500, IKED_DROP_unknown_spi);
	/* The right SPIs, but a response to nothing we asked. */
	hdr.spi_i = c.spi_i;
	hdr.flags = IKE_FLAG_INITIATOR | IKE_FLAG_RESPONSE;
	hdr.exchange = IKE_EXCH_INFORMATIONAL;
	hdr.message_id = 0;
	assert_int_equal(ike_writer_msg(&w, buf, sizeof(buf), &hdr), 0);
	assert_true(ike_put_raw(&w, IKE_PL_SK, zero, sizeof(zero)) > 0);
	len = ike_writer_finish(&w);
	expect_drop(&g, buf, (size_t)len, 500, IKED_DROP_response);
	/* The right SPIs and a bad ICV. */
	hdr.flags = IKE_FLAG_INITIATOR;
	hdr.exchange = IKE_EXCH_IKE_AUTH;
	hdr.message_id = 1;
	assert_int_equal(ike_writer_msg(&w, buf, sizeof(buf), &hdr), 0);
	{
		uint8_t sk[8 + 16 + 16] = { 0 };

		assert_true(ike_put_raw(&w, IKE_PL_SK, sk, sizeof(sk)) > 0);
	}
	len = ike_writer_finish(&w);
	expect_drop(&g, buf, (size_t)len, 500, IKED_DROP_integrity);
	/* Message ID 2 before 1. */
	buf[23] = 2;
	expect_drop(&g, buf, (size_t)len, 500, IKED_DROP_bad_message_id);
	ini_client_free(&c);
	gw_stop(&g);
}

/* ---- IKE_AUTH, INFORMATIONAL ---- */

#define CLIENT_ESP_SPI INI_ESP_SPI

/* Encrypt inner (a chain starting with first) as the initiator's next request. */
static size_t
protect(const struct ini_client *c, uint8_t exchange, uint32_t msg_id, uint8_t first,
	const uint8_t *inner, size_t len, uint8_t *out, size_t cap_out)
{
	int n = ini_protect(c, exchange, msg_id, first, inner, len, out, cap_out);

	assert_true(n > 0);
	return (size_t)n;
}

/* Decrypt the last datagram, a response to msg_id, into plain and chain. */
static void
unprotect_last(const struct ini_client *c, uint8_t exchange, uint32_t msg_id, uint8_t *plain,
	       size_t cap_plain, struct ike_chain *chain)
{
	const struct dgram *d = last_sent();

	assert_int_equal(ini_unprotect(c, d->data, d->len, exchange, msg_id, plain, cap_plain,
				       chain), 0);
}

/* IKE_AUTH request as alice: IDi CERT AUTH CP(request) SA(ESP) TSi TSr, into out. */
static size_t
build_auth(const struct ini_client *c, const struct ini_auth_opts *o, uint8_t *out,
	   size_t cap_out)
{
	int n = ini_build_auth(c, pki.client_auth, o, out, cap_out);

	assert_true(n > 0);
	return (size_t)n;
}

/* IKE_SA_INIT for c through g, keys derived. */
static void
init_sa(struct gw *g, struct ini_client *c, uint64_t now)
{
	build_init(c, &(struct ini_init_opts){ 0 });
	assert_int_equal(send_init(g, c, now), 1);
	take_init_response(c, true);
}

static void
check_auth_response(const struct ini_client *c, uint32_t inner_addr)
{
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t mac[IKE_PRF_MAX], want_ip[4], want_mask[4] = { 255, 255, 255, 0 };
	char why[AUTH_ERR_MAX];
	struct ike_chunk octets[3];
	struct ike_chain ch;
	struct ike_id idr;
	struct ike_auth auth;
	struct ike_cp cp;
	struct ike_ts ts;
	struct ike_sa_offer sa;
	struct ike_cert cert;
	const uint8_t *gw_der;
	size_t gw_der_len;
	unsigned i;
	int k;

	unprotect_last(c, IKE_EXCH_IKE_AUTH, 1, plain, sizeof(plain), &ch);
	/* IDr CERT AUTH CP SA TSi TSr */
	{
		static const uint8_t want[] = { IKE_PL_IDR, IKE_PL_CERT, IKE_PL_AUTH, IKE_PL_CP,
						IKE_PL_SA,  IKE_PL_TSI,  IKE_PL_TSR };

		assert_int_equal(ch.n, sizeof(want));
		for (i = 0; i < ch.n; i++)
			assert_int_equal(ch.pl[i].type, want[i]);
	}
	assert_int_equal(ike_id_parse(IKE_PAYLOAD(&ch, 0), &idr), 0);
	assert_int_equal(idr.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(ike_cert_parse(IKE_PAYLOAD(&ch, 1), &cert), 0);
	assert_int_equal(auth_key_cert_der(pki.gw, 0, &gw_der, &gw_der_len), 0);
	assert_int_equal(cert.len, gw_der_len);
	assert_memory_equal(cert.data, gw_der, gw_der_len);

	/* AUTH verifies with the gateway's certificate over its IKE_SA_INIT response. */
	assert_int_equal(ike_auth_parse(IKE_PAYLOAD(&ch, 2), &auth), 0);
	assert_int_equal(ike_auth_id_mac(c->choice.prf, c->keys.sk_pr, c->keys.p_len, idr.body,
					 idr.body_len, mac), 0);
	octets[0] = (struct ike_chunk){ c->resp, c->resp_len };
	octets[1] = (struct ike_chunk){ c->ni, sizeof(c->ni) };
	octets[2] = (struct ike_chunk){ mac, ike_prf_len(c->choice.prf) };
	assert_int_equal(auth_sig_verify(pki.gw_cert, &auth, octets, 3, why, sizeof(why)), 0);
	/* ... and not over anything else. */
	octets[1] = (struct ike_chunk){ c->nr, c->nr_len };
	assert_int_not_equal(auth_sig_verify(pki.gw_cert, &auth, octets, 3, why, sizeof(why)), 0);

	/* CP: address, netmask, DNS, the VNet as a subnet. */
	assert_int_equal(ike_cp_parse(IKE_PAYLOAD(&ch, 3), &cp), 0);
	assert_int_equal(cp.cfg_type, IKE_CFG_REPLY);
	assert_int_equal(cp.n, 4);
	ini_put_be32(want_ip, inner_addr);
	assert_int_equal(cp.attr[0].type, IKE_CFGA_INTERNAL_IP4_ADDRESS);
	assert_int_equal(cp.attr[0].len, 4);
	assert_memory_equal(cp.attr[0].value, want_ip, 4);
	assert_int_equal(cp.attr[1].type, IKE_CFGA_INTERNAL_IP4_NETMASK);
	assert_memory_equal(cp.attr[1].value, want_mask, 4);
	assert_int_equal(cp.attr[2].type, IKE_CFGA_INTERNAL_IP4_DNS);
	assert_memory_equal(cp.attr[2].value, ((uint8_t[]){ 10, 1, 0, 53 }), 4);
	assert_int_equal(cp.attr[3].type, IKE_CFGA_INTERNAL_IP4_SUBNET);
	assert_memory_equal(cp.attr[3].value, ((uint8_t[]){ 10, 1, 0, 0, 255, 255, 0, 0 }), 8);

	/* SA: our SPI, the client's proposal echoed. */
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&ch, 4), &sa), 0);
	assert_int_equal(sa.n, 1);
	assert_int_equal(sa.proposal[0].protocol, IKE_PROTO_ESP);
	assert_int_equal(sa.proposal[0].number, 1);
	assert_int_equal(sa.proposal[0].spi_size, 4);
	assert_memory_equal(sa.proposal[0].spi, ((uint8_t[]){ 0xc0, 0, 0, 1 }), 4);

	/* TSi: the client's address alone; TSr: the VNet. */
	k = ike_ts_parse(IKE_PAYLOAD(&ch, 5), &ts);
	assert_int_equal(k, 0);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.ts[0].start_addr, inner_addr);
	assert_int_equal(ts.ts[0].end_addr, inner_addr);
	assert_int_equal(ike_ts_parse(IKE_PAYLOAD(&ch, 6), &ts), 0);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.ts[0].start_addr, IP(10, 1, 0, 0));
	assert_int_equal(ts.ts[0].end_addr, IP(10, 1, 255, 255));
	assert_int_equal(ts.ts[0].ip_proto, 0);
	assert_int_equal(ts.ts[0].start_port, 0);
	assert_int_equal(ts.ts[0].end_port, 65535);
}

/* The CHILD_SA given to the data plane, against KEYMAT derived here. */
static void
check_child(const struct ini_client *c, uint32_t inner_addr)
{
	const struct iked_child_params *p = &cap.added;
	struct ike_choice esp = { .number = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				  .encr = IKE_ENCR_AES_GCM_16, .encr_key_len = 256,
				  .esn = IKE_ESN_NO, .aead = true };
	struct ike_child_keys k;

	assert_int_equal(ike_child_keys_derive(c->choice.prf, c->keys.sk_d, c->keys.d_len, &esp,
					       NULL, 0, c->ni, sizeof(c->ni), c->nr, c->nr_len,
					       &k), 0);
	assert_int_equal(k.e_len, 36);
	assert_int_equal(p->inner_addr, inner_addr);
	assert_int_equal(p->in.spi, FIRST_SPI);
	assert_int_equal(p->out.spi, CLIENT_ESP_SPI);
	assert_int_equal(p->in.cipher, ESP_CIPHER_AES_GCM_16);
	assert_int_equal(p->out.cipher, ESP_CIPHER_AES_GCM_16);
	assert_int_equal(p->in.key_len, 32);
	assert_memory_equal(p->in.key, k.ei, 32);
	assert_memory_equal(p->in.salt, k.ei + 32, 4);
	assert_memory_equal(p->out.key, k.er, 32);
	assert_memory_equal(p->out.salt, k.er + 32, 4);
	assert_false(p->in.esn);
	assert_int_equal(p->in.local_addr, GW_ADDR);
	assert_int_equal(p->in.remote_addr, c->addr);
	assert_int_equal(p->out.local_addr, GW_ADDR);
	assert_int_equal(p->out.remote_addr, c->addr);
}

static void
establish(struct gw *g, struct ini_client *c, uint64_t now)
{
	uint8_t msg[8192];
	size_t len;

	init_sa(g, c, now);
	len = build_auth(c, &(struct ini_auth_opts){ 0 }, msg, sizeof(msg));
	deliver(g, c, msg, len, now);
	c->next_id = 2;
}

/* New VNet prefixes and DNS servers (p2sctl set vnet / set dns) reach the next client. */
static void
test_network_change_reaches_new_clients(void **state)
{
	static const struct conf_prefix vnet2[] = { { IP(10, 1, 0, 0), 16 }, { IP(10, 9, 0, 0), 24 } };
	static const uint32_t dns2[] = { IP(10, 1, 0, 5), IP(10, 1, 0, 6) };
	static uint8_t plain[IKE_MSG_MAX];
	struct ike_chain ch;
	struct ike_cp cp;
	struct ike_ts ts;
	struct ini_client c;
	struct gw g;
	unsigned i, dns_seen = 0, subnets_seen = 0, found = 0;

	(void)state;
	gw_start_default(&g);
	iked_set_network(g.ik, vnet2, 2, dns2, 2);
	client_init(&c, 0xd0d0d0d0e0e0e0e0ull, CLIENT_ADDR, CLIENT_PORT);
	establish(&g, &c, 1000);
	assert_int_equal(cap.tunnel_adds, 1);
	unprotect_last(&c, IKE_EXCH_IKE_AUTH, 1, plain, sizeof(plain), &ch);
	for (i = 0; i < ch.n; i++) {
		if (ch.pl[i].type == IKE_PL_CP) {
			assert_int_equal(ike_cp_parse(IKE_PAYLOAD(&ch, i), &cp), 0);
			for (unsigned a = 0; a < cp.n; a++) {
				uint8_t want[4] = { 10, 1, 0, (uint8_t)(5 + dns_seen) };

				if (cp.attr[a].type == IKE_CFGA_INTERNAL_IP4_DNS) {
					assert_memory_equal(cp.attr[a].value, want, 4);
					dns_seen++;
				}
				subnets_seen += cp.attr[a].type == IKE_CFGA_INTERNAL_IP4_SUBNET;
			}
			found++;
		} else if (ch.pl[i].type == IKE_PL_TSR) {
			assert_int_equal(ike_ts_parse(IKE_PAYLOAD(&ch, i), &ts), 0);
			assert_int_equal(ts.n, 2);
			assert_int_equal(ts.ts[1].start_addr, IP(10, 9, 0, 0));
			assert_int_equal(ts.ts[1].end_addr, IP(10, 9, 0, 255));
			found++;
		}
	}
	assert_int_equal(found, 2);
	assert_int_equal(dns_seen, 2);
	assert_int_equal(subnets_seen, 2);
	ini_client_free(&c);
	gw_stop(&g);
}

static void
test_auth_and_delete(void **state)
{
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t msg[8192], inner[64], resp1[DGRAM_MAX];
	uint8_t spi[4];
	struct iked_counters k;
	struct iked_sa_info info;
	struct ike_delete d;
	struct ike_writer w;
	struct ike_chain ch;
	struct ini_client c;
	struct walk wk;
	struct gw g;
	size_t len, resp1_len;
	uint32_t inner_addr = POOL_NET + 1;

	(void)state;
	ini_put_be32(spi, CLIENT_ESP_SPI);
	gw_start_default(&g);
	client_init(&c, 0xa1a1a1a1b2b2b2b2ull, CLIENT_ADDR, CLIENT_PORT);
	init_sa(&g, &c, 1000);
	len = build_auth(&c, &(struct ini_auth_opts){ 0 }, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 2000);
	assert_int_equal(cap.n_sent, 2);
	assert_int_equal(cap.tunnel_adds, 1);
	check_child(&c, inner_addr);
	check_auth_response(&c, inner_addr);
	resp1_len = last_sent()->len;
	memcpy(resp1, last_sent()->data, resp1_len);

	counters(&g, &k);
	assert_int_equal(k.established, 1);
	assert_int_equal(k.half_open, 0);
	assert_int_equal(k.events[IKED_EV_established], 1);
	assert_int_equal(total_drops(&k), 0);
	assert_int_equal(pool_in_use(g.pool), 1);
	assert_true(pool_contains(g.pool, inner_addr));
	walk(&g, 2500, &wk);
	assert_int_equal(wk.n, 1);
	assert_int_equal(wk.sa[0].state, IKED_ESTABLISHED);
	assert_int_equal(wk.sa[0].inner_addr, inner_addr);
	assert_int_equal(wk.sa[0].tunnel_id, TUNNEL_ID);
	assert_int_equal(wk.sa[0].child_in_spi, FIRST_SPI);
	assert_int_equal(wk.sa[0].child_out_spi, CLIENT_ESP_SPI);
	assert_int_equal(wk.sa[0].established_ms, 500);
	assert_int_equal(iked_tunnel_info(g.ik, TUNNEL_ID, 2500, &info), 0);
	assert_string_equal(info.subject, "CN=alice,O=p2sgw test");
	assert_string_equal(info.identity, "CN=alice,O=p2sgw test");
	assert_string_equal(info.child_proposal, "AES_GCM_16-256");
	assert_int_equal(iked_tunnel_info(g.ik, TUNNEL_ID + 1, 2500, &info), -ENOENT);

	/* The IKE_AUTH request again: the cached answer, no second tunnel. */
	deliver(&g, &c, msg, len, 2100);
	assert_int_equal(cap.n_sent, 3);
	assert_int_equal(last_sent()->len, resp1_len);
	assert_memory_equal(last_sent()->data, resp1, resp1_len);
	assert_int_equal(cap.tunnel_adds, 1);
	counters(&g, &k);
	assert_int_equal(k.events[IKED_EV_retransmits_answered], 1);

	/* INFORMATIONAL: DELETE of the CHILD_SA (its outbound SPI, ours to the client). */
	ike_writer_chain(&w, inner, sizeof(inner));
	assert_true(ike_put_delete(&w, IKE_PROTO_ESP, 4, spi, 1) > 0);
	len = protect(&c, IKE_EXCH_INFORMATIONAL, 2, w.first, inner, w.len, msg, sizeof(msg));
	/* A tampered copy first: dropped on its ICV, nothing done. */
	msg[len - 1] ^= 0x80;
	deliver(&g, &c, msg, len, 3000);
	assert_int_equal(cap.n_sent, 3);
	assert_int_equal(cap.tunnel_dels, 0);
	msg[len - 1] ^= 0x80;
	deliver(&g, &c, msg, len, 3000);
	assert_int_equal(cap.n_sent, 4);
	assert_int_equal(cap.tunnel_dels, 1);
	assert_int_equal(cap.last_del, TUNNEL_ID);
	assert_int_equal(cap.last_why, IKED_END_CLIENT);
	assert_int_equal(pool_in_use(g.pool), 0);
	unprotect_last(&c, IKE_EXCH_INFORMATIONAL, 2, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.pl[0].type, IKE_PL_DELETE);
	assert_int_equal(ike_delete_parse(IKE_PAYLOAD(&ch, 0), &d), 0);
	assert_int_equal(d.protocol, IKE_PROTO_ESP);
	assert_int_equal(d.n_spi, 1);
	assert_memory_equal(d.spis, ((uint8_t[]){ 0xc0, 0, 0, 1 }), 4);
	walk(&g, 3000, &wk);
	assert_int_equal(wk.n, 1);
	assert_int_equal(wk.sa[0].tunnel_id, 0);
	assert_int_equal(wk.sa[0].inner_addr, 0);

	/* Then DELETE of the IKE_SA: an empty answer and nothing left. */
	ike_writer_chain(&w, inner, sizeof(inner));
	assert_true(ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) > 0);
	len = protect(&c, IKE_EXCH_INFORMATIONAL, 3, w.first, inner, w.len, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 4000);
	assert_int_equal(cap.n_sent, 5);
	unprotect_last(&c, IKE_EXCH_INFORMATIONAL, 3, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 0);
	assert_int_equal(cap.tunnel_dels, 1);
	counters(&g, &k);
	assert_int_equal(k.established, 0);
	assert_int_equal(k.events[IKED_EV_deletes_received], 2);
	assert_int_equal(k.drops[IKED_DROP_integrity], 1);
	assert_no_state(&g);
	/* The retransmitted DELETE now meets no IKE_SA. */
	deliver(&g, &c, msg, len, 4100);
	counters(&g, &k);
	assert_int_equal(k.drops[IKED_DROP_unknown_spi], 1);
	assert_int_equal(cap.n_sent, 5);
	ini_client_free(&c);
	gw_stop(&g);
}

/* DELETE of the IKE_SA alone takes the tunnel and the address with it. */
static void
test_delete_ike_takes_tunnel(void **state)
{
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t msg[512], inner[64];
	struct iked_counters k;
	struct ike_writer w;
	struct ike_chain ch;
	struct ini_client c;
	struct gw g;
	size_t len;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0xb0b0, CLIENT_ADDR, CLIENT_PORT);
	establish(&g, &c, 0);
	assert_int_equal(cap.tunnel_adds, 1);
	assert_int_equal(pool_in_use(g.pool), 1);
	ike_writer_chain(&w, inner, sizeof(inner));
	assert_true(ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) > 0);
	len = protect(&c, IKE_EXCH_INFORMATIONAL, 2, w.first, inner, w.len, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 10);
	unprotect_last(&c, IKE_EXCH_INFORMATIONAL, 2, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 0);
	assert_int_equal(cap.tunnel_dels, 1);
	assert_int_equal(cap.last_del, TUNNEL_ID);
	assert_int_equal(cap.last_why, IKED_END_CLIENT);
	assert_int_equal(pool_in_use(g.pool), 0);
	counters(&g, &k);
	assert_int_equal(k.established, 0);
	assert_no_state(&g);

	/* iked_free() with an established client removes its tunnel too. */
	ini_client_free(&c);
	client_init(&c, 0xb0b1, CLIENT_ADDR, CLIENT_PORT);
	establish(&g, &c, 20);
	assert_int_equal(cap.tunnel_adds, 2);
	assert_int_equal(pool_in_use(g.pool), 1);
	iked_free(g.ik);
	g.ik = NULL;
	assert_int_equal(cap.tunnel_dels, 2);
	assert_int_equal(cap.last_why, IKED_END_SHUTDOWN);
	assert_int_equal(pool_in_use(g.pool), 0);
	ini_client_free(&c);
	pool_free(g.pool);
}

/* CREATE_CHILD_SA rekey of the CHILD_SA (§1.3.3), then DELETE of the old one. */
static void
test_child_rekey(void **state)
{
	static const struct ike_transform esp[] = {
		{ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128, false },
		{ IKE_XF_ESN, IKE_ESN_YES, 0, false },
	};
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t msg[2048], inner[512], old_spi[4], new_spi[4], ni[32], ours[4];
	struct ike_proposal_out p = { .number = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				      .spi = new_spi, .n = 2, .t = esp };
	struct ike_ts_ipv4 all = { 0, 0, 65535, 0, 0xffffffffu };
	struct ike_choice c2 = { .number = 1, .protocol = IKE_PROTO_ESP, .spi_size = 4,
				 .encr = IKE_ENCR_AES_GCM_16, .encr_key_len = 128,
				 .esn = IKE_ESN_YES, .aead = true };
	struct ike_child_keys keys;
	struct ike_sa_offer sa;
	struct ike_nonce nr;
	struct ike_delete d;
	struct ike_writer w;
	struct ike_chain ch;
	struct ini_client c;
	struct walk wk;
	struct gw g;
	size_t len;

	(void)state;
	gw_start_default(&g);
	client_init(&c, 0xc4c4, CLIENT_ADDR, CLIENT_PORT);
	establish(&g, &c, 0);
	assert_int_equal(cap.tunnel_adds, 1);
	ini_put_be32(old_spi, CLIENT_ESP_SPI);
	ini_put_be32(new_spi, 0xe6e6e6e6u);
	memset(ni, 0x6e, sizeof(ni));
	ike_writer_chain(&w, inner, sizeof(inner));
	assert_true(ike_put_notify(&w, IKE_PROTO_ESP, old_spi, 4, IKE_N_REKEY_SA, NULL, 0) > 0);
	assert_true(ike_put_sa(&w, &p, 1) > 0);
	assert_true(ike_put_nonce(&w, ni, sizeof(ni)) > 0);
	assert_true(ike_put_ts(&w, IKE_PL_TSI, &all, 1) > 0);
	assert_true(ike_put_ts(&w, IKE_PL_TSR, &all, 1) > 0);
	len = protect(&c, IKE_EXCH_CREATE_CHILD_SA, 2, w.first, inner, w.len, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 100);

	/* SA (our new SPI, AES-GCM-128 with ESN as offered) Nr TSi TSr */
	unprotect_last(&c, IKE_EXCH_CREATE_CHILD_SA, 2, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 4);
	assert_int_equal(ike_sa_parse(IKE_PAYLOAD(&ch, 0), &sa), 0);
	assert_int_equal(sa.proposal[0].spi_size, 4);
	assert_memory_equal(sa.proposal[0].spi, ((uint8_t[]){ 0xc0, 0, 0, 2 }), 4);
	assert_int_equal(ch.pl[1].type, IKE_PL_NONCE);
	assert_int_equal(ike_nonce_parse(IKE_PAYLOAD(&ch, 1), &nr), 0);
	assert_int_equal(ch.pl[2].type, IKE_PL_TSI);
	assert_int_equal(ch.pl[3].type, IKE_PL_TSR);

	/* The data plane got the new pair, keyed from SK_d and the new nonces. */
	assert_int_equal(cap.tunnel_rekeys, 1);
	assert_int_equal(cap.rekey_tunnel, TUNNEL_ID);
	assert_int_equal(ike_child_keys_derive(c.choice.prf, c.keys.sk_d, c.keys.d_len, &c2, NULL,
					       0, ni, sizeof(ni), nr.data, nr.len, &keys), 0);
	assert_int_equal(cap.rekeyed.in.spi, FIRST_SPI + 1);
	assert_int_equal(cap.rekeyed.out.spi, 0xe6e6e6e6u);
	assert_int_equal(cap.rekeyed.in.key_len, 16);
	assert_memory_equal(cap.rekeyed.in.key, keys.ei, 16);
	assert_memory_equal(cap.rekeyed.in.salt, keys.ei + 16, 4);
	assert_memory_equal(cap.rekeyed.out.key, keys.er, 16);
	assert_true(cap.rekeyed.in.esn && cap.rekeyed.out.esn);
	assert_int_equal(cap.rekeyed.inner_addr, POOL_NET + 1);
	assert_int_equal(cap.child_removes, 0);
	walk(&g, 100, &wk);
	assert_int_equal(wk.sa[0].child_in_spi, FIRST_SPI + 1);
	assert_int_equal(wk.sa[0].child_out_spi, 0xe6e6e6e6u);

	/* The client deletes the old CHILD_SA: our old inbound SA goes, the tunnel stays. */
	ike_writer_chain(&w, inner, sizeof(inner));
	assert_true(ike_put_delete(&w, IKE_PROTO_ESP, 4, old_spi, 1) > 0);
	len = protect(&c, IKE_EXCH_INFORMATIONAL, 3, w.first, inner, w.len, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 200);
	unprotect_last(&c, IKE_EXCH_INFORMATIONAL, 3, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ike_delete_parse(IKE_PAYLOAD(&ch, 0), &d), 0);
	ini_put_be32(ours, FIRST_SPI);
	assert_int_equal(d.n_spi, 1);
	assert_memory_equal(d.spis, ours, 4);
	assert_int_equal(cap.child_removes, 1);
	assert_int_equal(cap.removed_spi, FIRST_SPI);
	assert_int_equal(cap.tunnel_dels, 0);
	assert_int_equal(pool_in_use(g.pool), 1);
	ini_client_free(&c);
	gw_stop(&g);
	assert_int_equal(cap.tunnel_dels, 1);
}

/*
 * IKE_AUTH refused: one notify in the encrypted answer, then no IKE_SA, no
 * tunnel and no address left (one taken before the refusal goes back).
 */
static void
test_auth_refused(void **state)
{
	static uint8_t plain[IKE_MSG_MAX];
	static const struct {
		struct ini_auth_opts o;
		int tunnel_rc;
		uint16_t notify;
		enum iked_event ev;
		unsigned tunnel_adds;
	} cases[] = {
		{ { .bad_sig = true }, 0, IKE_N_AUTHENTICATION_FAILED, IKED_EV_auth_failed, 0 },
		{ { .no_cp = true }, 0, IKE_N_FAILED_CP_REQUIRED, IKED_EV_no_address, 0 },
		/* TSr outside the VNet. */
		{ { .narrow_tsr_outside = true }, 0, IKE_N_TS_UNACCEPTABLE,
		  IKED_EV_ts_unacceptable, 0 },
		/* The data plane's table is full. */
		{ { 0 }, -ENOSPC, IKE_N_NO_ADDITIONAL_SAS, IKED_EV_no_tunnel, 1 },
	};
	uint8_t msg[8192];
	struct iked_counters k;
	struct ike_notify n;
	struct ike_chain ch;
	struct ini_client c;
	struct gw g;
	unsigned i;
	size_t len;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		gw_start_default(&g);
		client_init(&c, 0xbad0 + i, CLIENT_ADDR, CLIENT_PORT);
		init_sa(&g, &c, 0);
		cap.tunnel_add_rc = cases[i].tunnel_rc;
		len = build_auth(&c, &cases[i].o, msg, sizeof(msg));
		deliver(&g, &c, msg, len, 0);
		assert_int_equal(cap.n_sent, 2);
		unprotect_last(&c, IKE_EXCH_IKE_AUTH, 1, plain, sizeof(plain), &ch);
		assert_int_equal(ch.n, 1);
		assert_int_equal(ike_chain_find_notify(&ch, cases[i].notify, &n), 0);
		assert_int_equal(cap.tunnel_adds, cases[i].tunnel_adds);
		assert_int_equal(cap.tunnel_dels, 0);
		assert_int_equal(pool_in_use(g.pool), 0);
		assert_no_state(&g);
		counters(&g, &k);
		assert_int_equal(k.events[cases[i].ev], 1);
		assert_int_equal(k.events[IKED_EV_established], 0);
		ini_client_free(&c);
		gw_stop(&g);
	}
}

/* ---- seeds for tests/fuzz/fuzz_iked.c are written by that harness ---- */

/* ---- EAP relayed to an authentication server (§2.16) ---- */

static const uint8_t eap_msk[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
				      32 };

/* A responder with EAP on. */
static void
gw_start_eap(struct gw *g)
{
	gw_start_default(g);
	iked_set_eap(g->ik, true);
}

/* An IKE_AUTH of the client with one payload (EAP or AUTH), as request msg_id. */
static size_t
eap_request(const struct ini_client *c, uint32_t msg_id, uint8_t type, const uint8_t *body,
	    size_t body_len, uint8_t *out, size_t cap_out)
{
	uint8_t inner[256];
	struct ike_writer w;

	ike_writer_chain(&w, inner, sizeof(inner));
	assert_true(ike_put_raw(&w, type, body, body_len) >= 0);
	return protect(c, IKE_EXCH_IKE_AUTH, msg_id, w.first, inner, w.len, out, cap_out);
}

/* The shared-key AUTH of §2.16 with the MSK, as either side computes it. */
static void
msk_auth(const struct ini_client *c, bool gateway, const uint8_t *id_body, size_t id_len,
	 const uint8_t *msk, size_t msk_len, uint8_t *out)
{
	uint8_t mac[IKE_PRF_MAX];
	struct ike_chunk octets[3];

	assert_int_equal(ike_auth_id_mac(c->choice.prf, gateway ? c->keys.sk_pr : c->keys.sk_pi,
					 c->keys.p_len, id_body, id_len, mac), 0);
	octets[0] = gateway ? (struct ike_chunk){ c->resp, c->resp_len }
			    : (struct ike_chunk){ c->req, c->req_len };
	octets[1] = gateway ? (struct ike_chunk){ c->ni, INI_NONCE_LEN }
			    : (struct ike_chunk){ c->nr, c->nr_len };
	octets[2] = (struct ike_chunk){ mac, ike_prf_len(c->choice.prf) };
	assert_int_equal(ike_auth_psk(c->choice.prf, msk, msk_len, octets, 3, out), 0);
}

/* IKE_SA_INIT, then the first IKE_AUTH without AUTH: held, RADIUS asked. */
static void
eap_first(struct gw *g, struct ini_client *c, uint64_t now)
{
	static const uint8_t identity[] = { 2, 0, 0, 10, 1, 'a', 'l', 'i', 'c', 'e' };
	uint8_t msg[8192];
	size_t len;
	unsigned sent, starts = cap.eap_starts, sends = cap.eap_sends;
	uint64_t pending;
	struct iked_counters k;

	counters(g, &k);
	pending = k.drops[IKED_DROP_eap_pending];
	init_sa(g, c, now);
	sent = cap.n_sent;
	len = build_auth(c, &(struct ini_auth_opts){ .eap_identity = "alice" }, msg, sizeof(msg));
	deliver(g, c, msg, len, now);
	assert_int_equal(cap.n_sent, sent); /* nothing until the server answers */
	assert_int_equal(cap.eap_starts, starts + 1);
	assert_string_equal(cap.eap_identity, "alice");
	assert_int_equal(cap.eap_sends, sends + 1);
	assert_memory_equal(cap.eap_last, identity, sizeof(identity));
	assert_int_equal(cap.eap_last_len, sizeof(identity));
	/* A retransmission meanwhile starts nothing and gets nothing. */
	deliver(g, c, msg, len, now + 500);
	assert_int_equal(cap.n_sent, sent);
	assert_int_equal(cap.eap_sends, sends + 1);
	counters(g, &k);
	assert_int_equal(k.drops[IKED_DROP_eap_pending], pending + 1);
}

/* The server's EAP-Request relayed: IDr CERT AUTH EAP first, then EAP alone. */
static void
eap_challenge(struct gw *g, struct ini_client *c, uint32_t msg_id, uint64_t now)
{
	static uint8_t plain[IKE_MSG_MAX];
	static const uint8_t req[] = { 1, 5, 0, 6, 26, 1 };
	struct ike_chain ch;
	struct ike_eap e;
	unsigned sent = cap.n_sent;

	iked_eap_result(g->ik, cap.eap_sa,
			&(struct iked_eap_result){ .verdict = IKED_EAP_CHALLENGE, .eap = req,
						   .eap_len = sizeof(req) }, now);
	assert_int_equal(cap.n_sent, sent + 1);
	unprotect_last(c, IKE_EXCH_IKE_AUTH, msg_id, plain, sizeof(plain), &ch);
	if (msg_id == 1) {
		assert_int_equal(ch.n, 4);
		assert_int_equal(ch.pl[0].type, IKE_PL_IDR);
		assert_int_equal(ch.pl[1].type, IKE_PL_CERT);
		assert_int_equal(ch.pl[2].type, IKE_PL_AUTH);
	} else {
		assert_int_equal(ch.n, 1);
	}
	assert_int_equal(ch.pl[ch.n - 1].type, IKE_PL_EAP);
	assert_int_equal(ike_eap_parse(IKE_PAYLOAD(&ch, ch.n - 1), &e), 0);
	assert_int_equal(e.len, sizeof(req));
	assert_memory_equal(e.data, req, sizeof(req));
}

/* The client's EAP-Response: relayed to the server, nothing sent back yet. */
static void
eap_respond(struct gw *g, struct ini_client *c, uint32_t msg_id, uint64_t now)
{
	static const uint8_t res[] = { 2, 5, 0, 6, 26, 2 };
	uint8_t msg[512];
	unsigned sent = cap.n_sent, sends = cap.eap_sends;
	size_t len = eap_request(c, msg_id, IKE_PL_EAP, res, sizeof(res), msg, sizeof(msg));

	deliver(g, c, msg, len, now);
	assert_int_equal(cap.n_sent, sent);
	assert_int_equal(cap.eap_sends, sends + 1);
	assert_memory_equal(cap.eap_last, res, sizeof(res));
}

static void
eap_accept(struct gw *g, struct ini_client *c, uint32_t msg_id, uint32_t framed, uint64_t now)
{
	static uint8_t plain[IKE_MSG_MAX];
	static const uint8_t success[] = { 3, 5, 0, 4 };
	struct ike_chain ch;
	struct ike_eap e;

	iked_eap_result(g->ik, cap.eap_sa,
			&(struct iked_eap_result){ .verdict = IKED_EAP_ACCEPT, .eap = success,
						   .eap_len = sizeof(success), .msk = eap_msk,
						   .msk_len = sizeof(eap_msk),
						   .has_framed_ip = framed != 0,
						   .framed_ip = framed }, now);
	unprotect_last(c, IKE_EXCH_IKE_AUTH, msg_id, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ike_eap_parse(IKE_PAYLOAD(&ch, 0), &e), 0);
	assert_int_equal(e.code, 3);
	assert_int_equal(cap.eap_ends, 1); /* the server's part is over */
}

static void
test_eap_accept(void **state)
{
	static uint8_t plain[IKE_MSG_MAX];
	uint8_t msg[512], auth[IKE_PRF_MAX], idi[4 + 5] = { IKE_ID_FQDN, 0, 0, 0, 'a', 'l', 'i',
							      'c', 'e' };
	uint8_t idr[600];
	struct ike_chain ch;
	struct ike_auth a;
	struct ike_id id;
	struct ini_client c;
	struct walk wk;
	struct gw g;
	size_t len, plen;
	uint32_t framed = POOL_NET + 77;

	(void)state;
	gw_start_eap(&g);
	client_init(&c, 0xe1e1e1e1e2e2e2e2ull, CLIENT_ADDR, CLIENT_PORT);
	eap_first(&g, &c, 1000);
	eap_challenge(&g, &c, 1, 1100);
	/* Our IDr, for the gateway's MSK AUTH at the end. */
	unprotect_last(&c, IKE_EXCH_IKE_AUTH, 1, plain, sizeof(plain), &ch);
	assert_int_equal(ike_id_parse(IKE_PAYLOAD(&ch, 0), &id), 0);
	assert_true(id.body_len <= sizeof(idr));
	memcpy(idr, id.body, id.body_len);
	plen = id.body_len;
	eap_respond(&g, &c, 2, 1200);
	eap_challenge(&g, &c, 2, 1300);
	eap_respond(&g, &c, 3, 1400);
	eap_accept(&g, &c, 3, framed, 1500);
	assert_int_equal(cap.tunnel_adds, 0);

	/* The client's AUTH with the MSK: the tunnel, our AUTH with the MSK, CP SA TSi TSr. */
	msk_auth(&c, false, idi, sizeof(idi), eap_msk, sizeof(eap_msk), auth);
	{
		uint8_t body[4 + IKE_PRF_MAX] = { IKE_AUTH_SHARED_KEY_MIC, 0, 0, 0 };

		memcpy(body + 4, auth, ike_prf_len(c.choice.prf));
		len = eap_request(&c, 4, IKE_PL_AUTH, body, 4 + ike_prf_len(c.choice.prf), msg,
				  sizeof(msg));
	}
	deliver(&g, &c, msg, len, 1600);
	assert_int_equal(cap.tunnel_adds, 1);
	assert_int_equal(cap.added.inner_addr, framed);
	assert_int_equal(cap.eap_ups, 1);
	unprotect_last(&c, IKE_EXCH_IKE_AUTH, 4, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 5);
	assert_int_equal(ch.pl[0].type, IKE_PL_AUTH);
	assert_int_equal(ch.pl[1].type, IKE_PL_CP);
	assert_int_equal(ch.pl[2].type, IKE_PL_SA);
	assert_int_equal(ch.pl[3].type, IKE_PL_TSI);
	assert_int_equal(ch.pl[4].type, IKE_PL_TSR);
	assert_int_equal(ike_auth_parse(IKE_PAYLOAD(&ch, 0), &a), 0);
	assert_int_equal(a.method, IKE_AUTH_SHARED_KEY_MIC);
	msk_auth(&c, true, idr, plen, eap_msk, sizeof(eap_msk), auth);
	assert_int_equal(a.len, ike_prf_len(c.choice.prf));
	assert_memory_equal(a.data, auth, a.len);
	walk(&g, 1700, &wk);
	assert_int_equal(wk.n, 1);
	assert_int_equal(wk.sa[0].state, IKED_ESTABLISHED);
	assert_string_equal(wk.sa[0].auth, "eap-radius");
	assert_string_equal(wk.sa[0].identity, "alice");
	assert_int_equal(wk.sa[0].inner_addr, framed);
	/* Trust changes do not concern EAP clients; switching EAP off ends them. */
	assert_int_equal(iked_set_trust(g.ik, pki.roots, NULL, 1800), 0);
	assert_int_equal(iked_set_auth(g.ik, false, true, 1800), 0);
	assert_int_equal(iked_set_auth(g.ik, true, false, 1900), 1);
	walk(&g, 1900, &wk);
	assert_int_equal(wk.n, 0);
	ini_client_free(&c);
	gw_stop(&g);
}

/* IDi an address (as Windows sends): we ask for the EAP identity, the answer names the user. */
static void
test_eap_identity_asked(void **state)
{
	static uint8_t plain[IKE_MSG_MAX];
	static const uint8_t ident[] = { 2, 1, 0, 8, 1, 'b', 'o', 'b' };
	uint8_t msg[8192];
	struct ike_chain ch;
	struct ike_eap e;
	struct ini_client c;
	struct walk wk;
	struct gw g;
	size_t len;

	(void)state;
	gw_start_eap(&g);
	client_init(&c, 0xd1d1d1d1d2d2d2d2ull, CLIENT_ADDR, CLIENT_PORT);
	init_sa(&g, &c, 1000);
	len = build_auth(&c, &(struct ini_auth_opts){ .eap_addr = CLIENT_ADDR }, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 1000);
	/* Answered at once: IDr CERT AUTH and EAP-Request/Identity; the server not asked yet. */
	assert_int_equal(cap.eap_starts, 0);
	unprotect_last(&c, IKE_EXCH_IKE_AUTH, 1, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 4);
	assert_int_equal(ch.pl[2].type, IKE_PL_AUTH);
	assert_int_equal(ike_eap_parse(IKE_PAYLOAD(&ch, 3), &e), 0);
	assert_int_equal(e.code, 1);
	assert_int_equal(e.type, 1);
	/* The client's identity starts the conversation with the server, as the user name. */
	len = eap_request(&c, 2, IKE_PL_EAP, ident, sizeof(ident), msg, sizeof(msg));
	deliver(&g, &c, msg, len, 1100);
	assert_int_equal(cap.eap_starts, 1);
	assert_string_equal(cap.eap_identity, "bob");
	assert_int_equal(cap.eap_sends, 1);
	assert_memory_equal(cap.eap_last, ident, sizeof(ident));
	/* The server's challenge is relayed alone (the signed part went already). */
	eap_challenge(&g, &c, 2, 1200);
	walk(&g, 1300, &wk);
	assert_int_equal(wk.n, 1);
	assert_string_equal(wk.sa[0].identity, "bob");
	ini_client_free(&c);
	gw_stop(&g);
	assert_int_equal(cap.eap_ends, 1);
}

/* The last response of a refused EAP client: one notify, or EAP-Failure. */
static void
expect_refusal(const struct ini_client *c, uint32_t msg_id, uint8_t type)
{
	static uint8_t plain[IKE_MSG_MAX];
	struct ike_chain ch;

	unprotect_last(c, IKE_EXCH_IKE_AUTH, msg_id, plain, sizeof(plain), &ch);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.pl[0].type, type);
}

static void
test_eap_reject_timeout_bad_auth(void **state)
{
	static const uint8_t failure[] = { 4, 5, 0, 4 };
	uint8_t msg[8192], body[4 + IKE_PRF_MAX] = { IKE_AUTH_SHARED_KEY_MIC, 0, 0, 0 };
	uint8_t idi[4 + 5] = { IKE_ID_FQDN, 0, 0, 0, 'a', 'l', 'i', 'c', 'e' };
	struct iked_counters k;
	struct ini_client c;
	struct walk wk;
	struct gw g;
	size_t len;

	(void)state;
	gw_start_eap(&g);
	/* Access-Reject after a round: EAP-Failure, the IKE_SA goes. */
	client_init(&c, 0xf1f1f1f1f2f2f2f2ull, CLIENT_ADDR, CLIENT_PORT);
	eap_first(&g, &c, 1000);
	eap_challenge(&g, &c, 1, 1100);
	eap_respond(&g, &c, 2, 1200);
	iked_eap_result(g.ik, cap.eap_sa,
			&(struct iked_eap_result){ .verdict = IKED_EAP_REJECT, .eap = failure,
						   .eap_len = sizeof(failure) }, 1300);
	expect_refusal(&c, 2, IKE_PL_EAP);
	assert_int_equal(cap.eap_ends, 1);
	walk(&g, 1400, &wk);
	assert_int_equal(wk.n, 0);
	/* A late answer for the gone IKE_SA is ignored. */
	iked_eap_result(g.ik, cap.eap_sa, &(struct iked_eap_result){ .verdict = IKED_EAP_ACCEPT },
			1500);
	ini_client_free(&c);

	/* No server answers: AUTHENTICATION_FAILED, nothing left. */
	client_init(&c, 0xf3f3f3f3f4f4f4f4ull, CLIENT_ADDR, CLIENT_PORT);
	eap_first(&g, &c, 2000);
	iked_eap_result(g.ik, cap.eap_sa,
			&(struct iked_eap_result){ .verdict = IKED_EAP_TIMEOUT,
						   .reason = "no answer" }, 9000);
	expect_refusal(&c, 1, IKE_PL_NOTIFY);
	assert_int_equal(cap.eap_ends, 2);
	walk(&g, 9100, &wk);
	assert_int_equal(wk.n, 0);
	ini_client_free(&c);

	/* Accepted, but the client's AUTH is not made with the MSK: refused, no tunnel. */
	client_init(&c, 0xf5f5f5f5f6f6f6f6ull, CLIENT_ADDR, CLIENT_PORT);
	eap_first(&g, &c, 10000);
	eap_challenge(&g, &c, 1, 10100);
	eap_respond(&g, &c, 2, 10200);
	cap.eap_ends = 0;
	eap_accept(&g, &c, 2, 0, 10300);
	msk_auth(&c, false, idi, sizeof(idi), eap_msk, 16, body + 4); /* half the MSK */
	len = eap_request(&c, 3, IKE_PL_AUTH, body, 4 + ike_prf_len(c.choice.prf), msg,
			  sizeof(msg));
	deliver(&g, &c, msg, len, 10400);
	expect_refusal(&c, 3, IKE_PL_NOTIFY);
	assert_int_equal(cap.tunnel_adds, 0);
	walk(&g, 10500, &wk);
	assert_int_equal(wk.n, 0);
	counters(&g, &k);
	assert_int_equal(k.events[IKED_EV_eap_started], 3);
	assert_int_equal(k.events[IKED_EV_eap_accepted], 1);
	assert_int_equal(k.events[IKED_EV_eap_rejected], 1);
	assert_int_equal(k.events[IKED_EV_eap_timeouts], 1);
	assert_int_equal(k.events[IKED_EV_auth_failed], 3);
	ini_client_free(&c);

	/* Certificates off: a client with AUTH is refused. */
	iked_set_auth(g.ik, false, true, 15000);
	client_init(&c, 0xf9f9f9f9fafafafaull, CLIENT_ADDR, CLIENT_PORT);
	init_sa(&g, &c, 15000);
	len = build_auth(&c, &(struct ini_auth_opts){ 0 }, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 15000);
	expect_refusal(&c, 1, IKE_PL_NOTIFY);
	assert_int_equal(cap.tunnel_adds, 0);
	ini_client_free(&c);
	iked_set_auth(g.ik, true, true, 15000);

	/* EAP off: an IKE_AUTH without AUTH is refused as before. */
	iked_set_eap(g.ik, false);
	client_init(&c, 0xf7f7f7f7f8f8f8f8ull, CLIENT_ADDR, CLIENT_PORT);
	init_sa(&g, &c, 20000);
	len = build_auth(&c, &(struct ini_auth_opts){ .eap_identity = "alice" }, msg, sizeof(msg));
	deliver(&g, &c, msg, len, 20000);
	expect_refusal(&c, 1, IKE_PL_NOTIFY);
	assert_int_equal(cap.eap_starts, 3);
	ini_client_free(&c);
	gw_stop(&g);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_response),
		cmocka_unit_test(test_init_no_roots_frag_ecp),
		cmocka_unit_test(test_init_retransmit),
		cmocka_unit_test(test_init_invalid_ke),
		cmocka_unit_test(test_init_no_proposal),
		cmocka_unit_test(test_init_cookie),
		cmocka_unit_test(test_cookie_rotation),
		cmocka_unit_test(test_init_nat),
		cmocka_unit_test(test_init_port_4500),
		cmocka_unit_test(test_half_open_limits),
		cmocka_unit_test(test_half_open_expiry),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown_spi),
		cmocka_unit_test(test_auth_and_delete),
		cmocka_unit_test(test_network_change_reaches_new_clients),
		cmocka_unit_test(test_delete_ike_takes_tunnel),
		cmocka_unit_test(test_child_rekey),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_eap_accept),
		cmocka_unit_test(test_eap_identity_asked),
		cmocka_unit_test(test_eap_reject_timeout_bad_auth),
	};
	int failed;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		return 1;
	failed = cmocka_run_group_tests(tests, pki_setup, pki_teardown);
	rte_eal_cleanup();
	return failed;
}
