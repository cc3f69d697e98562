/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p2s-ike-bench: IKE_SA establishments per second of lib/iked, the IKEv2
 * responder, on one control core (docs/benchmarks.md).
 *
 * In process, no sockets: the responder's ops are stubs (send copies the
 * datagram out, tunnel_add hands out increasing ids, spi_new is random, the
 * rest do nothing) and a real lib/pool gives out the addresses. The
 * initiator is tests/common/ike_initiator.c, the one the unit tests drive
 * iked with. Each case (DH group, IKE transforms, client key) gets its own
 * in-memory PKI: an RSA-2048 root and gateway certificate, as
 * scripts/lib/pki.sh makes them, and an ECDSA P-256 or RSA-2048 client.
 *
 * A repetition of a case runs --count complete establishments one after
 * the other (IKE_SA_INIT, then IKE_AUTH with CERT, CP and the first
 * CHILD_SA, ESP AES-GCM-256), then DELETEs every IKE_SA, so the responder
 * holds up to --count IKE_SAs. Only iked_input() is timed, with
 * clock_gettime(CLOCK_MONOTONIC) and rte_rdtsc() around each call; the
 * initiator's own crypto runs between the timed calls. Every answer is
 * checked (decrypted, AUTH and CP there) outside the timed sections.
 *
 * In the same repetition the "crypto ceiling" is measured, one round after
 * each establishment: the public-key work a responder cannot avoid, through
 * the same lib/ike and lib/auth calls iked makes (ephemeral key and g^ir
 * for the group, the gateway's AUTH signature, the client's chain
 * verification, the client's AUTH signature verification). The responder's
 * time over the ceiling's says how much the state machine adds to its
 * mandatory crypto. Cases run interleaved in every repetition, so the
 * machine's noise hits all of them alike; medians and min-max are reported.
 *
 *   p2s-ike-bench [--reps R] [--count N] [--cases a,b|all] [--lcore N]
 *                 [--csv FILE] [--txt FILE] [--commit ID] [--cpu MODEL]
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_random.h>

#include "auth.h"
#include "ike.h"
#include "ike_initiator.h"
#include "iked.h"
#include "pool.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW_ADDR IP(192, 0, 2, 1)          /* RFC 5737 */
#define CLIENT_NET IP(100, 64, 0, 0)      /* client i is CLIENT_NET + 1 + i: no per-peer limit */
#define POOL_NET IP(172, 16, 0, 0)        /* /16: room for any --count we allow */
#define COUNT_MAX 20000
#define REPS_MAX 99
#define DGRAM_CAP 16384

/* ---- cases ---- */

struct ike_case {
	const char *name;
	uint16_t dh;                       /* the only group offered, and the KE's */
	uint16_t encr, encr_bits, integ;   /* encr 0: AES-GCM-16-256 */
	enum ini_key client;
	const char *ike;                   /* for the table */
};

static const struct ike_case cases[] = {
	{ "x25519-gcm-ecdsa", IKE_DH_CURVE25519, 0, 0, 0, INI_KEY_P256, "AES-GCM-256" },
	{ "x25519-gcm-rsa", IKE_DH_CURVE25519, 0, 0, 0, INI_KEY_RSA2048, "AES-GCM-256" },
	{ "ecp256-gcm-ecdsa", IKE_DH_ECP_256, 0, 0, 0, INI_KEY_P256, "AES-GCM-256" },
	{ "ecp256-gcm-rsa", IKE_DH_ECP_256, 0, 0, 0, INI_KEY_RSA2048, "AES-GCM-256" },
	{ "modp2048-gcm-ecdsa", IKE_DH_MODP_2048, 0, 0, 0, INI_KEY_P256, "AES-GCM-256" },
	{ "modp2048-gcm-rsa", IKE_DH_MODP_2048, 0, 0, 0, INI_KEY_RSA2048, "AES-GCM-256" },
	{ "x25519-cbc-ecdsa", IKE_DH_CURVE25519, IKE_ENCR_AES_CBC, 256,
	  IKE_INTEG_HMAC_SHA2_256_128, INI_KEY_P256, "AES-CBC-256/SHA-256" },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* The ceiling's parts, in the order the responder meets them. */
enum ceil_op { CEIL_DH, CEIL_SIGN, CEIL_CHAIN, CEIL_VERIFY, CEIL_OPS };
static const char *const ceil_op_name[CEIL_OPS] = { "dh", "sign", "chain", "verify" };
/* Inside "chain", measured apart too: the DER parse, and the one signature check. */
enum chain_part { PART_PARSE, PART_CERT_SIG, PARTS };

/* Time spent in some calls: nanoseconds and TSC cycles. */
struct span {
	uint64_t ns, cycles;
};

/* One repetition of one case, per establishment where it says so. */
struct rep {
	struct span init, auth, del;       /* responder, summed over --count */
	struct span ceil[CEIL_OPS];        /* ceiling, summed over --count */
	struct span part[PARTS];           /* the chain's parts, not in the ceiling's sum */
	double pair_ratio;                 /* median over establishments of responder/ceiling */
};

/* What one case keeps across repetitions. */
struct case_state {
	const struct ike_case *c;
	bool on;
	struct ini_pki pki;
	/* Inputs of the ceiling, made once from a real exchange. */
	uint8_t peer_ke[IKE_DH_PUBLIC_MAX];
	size_t peer_ke_len;
	uint8_t init_req[INI_REQ_MAX], init_resp[INI_RESP_MAX], nonce[IKE_NONCE_MAX];
	size_t init_req_len, init_resp_len, nonce_len;
	uint8_t mac[IKE_PRF_MAX];
	size_t mac_len;
	uint32_t peer_hashes;
	uint8_t auth_pl[AUTH_SIG_MAX + 8]; /* the client's AUTH payload (for its parse) */
	struct ike_auth client_auth;
	struct rep reps[REPS_MAX];
};

struct options {
	unsigned reps, count;
	int lcore;                         /* -1: not pinned */
	const char *csv, *txt, *commit, *cpu; /* cpu, commit: for the results */
};

/* ---- the responder's world: stub ops ---- */

static struct {
	unsigned n_sent;
	size_t len;
	uint8_t last[DGRAM_CAP];           /* the last datagram sent */
	uint32_t next_tunnel;
	unsigned tunnel_adds, tunnel_dels;
	bool overflow;
} sink;

static void
op_send(void *arg, uint16_t local_port, uint32_t peer_addr, uint16_t peer_port,
	const uint8_t *msg, size_t len)
{
	(void)arg, (void)local_port, (void)peer_addr, (void)peer_port;
	sink.n_sent++;
	if (len > sizeof(sink.last)) {
		sink.overflow = true;
		return;
	}
	memcpy(sink.last, msg, len);
	sink.len = len;
}

static uint32_t
op_spi_new(void *arg)
{
	(void)arg;
	return (uint32_t)rte_rand() | 0x100; /* never one of the reserved SPIs 0..255 */
}

static int
op_tunnel_add(void *arg, const struct iked_child_params *p, uint32_t *tunnel_id, char *err,
	      size_t errlen)
{
	(void)arg, (void)p, (void)err, (void)errlen;
	sink.tunnel_adds++;
	*tunnel_id = ++sink.next_tunnel;
	return 0;
}

static int
op_tunnel_rekey(void *arg, uint32_t tunnel_id, const struct iked_child_params *p, char *err,
		size_t errlen)
{
	(void)arg, (void)tunnel_id, (void)p, (void)err, (void)errlen;
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
	sink.tunnel_dels++;
}

static int
op_tunnel_stats(void *arg, uint32_t tunnel_id, struct iked_tunnel_stats *st)
{
	(void)arg, (void)tunnel_id;
	memset(st, 0, sizeof(*st));
	return 0;
}

static const struct iked_ops stub_ops = {
	.send = op_send,
	.spi_new = op_spi_new,
	.tunnel_add = op_tunnel_add,
	.tunnel_rekey = op_tunnel_rekey,
	.child_remove = op_child_remove,
	.tunnel_del = op_tunnel_del,
	.tunnel_stats = op_tunnel_stats,
};

static const struct conf_prefix vnet[] = { { IP(10, 1, 0, 0), 16 } };
static const uint32_t dns[] = { IP(10, 1, 0, 53) };

/* A responder for count clients: no COOKIEs, no liveness, every proposal set. */
struct gw {
	struct conf_ikev2 ike;
	struct pool *pool;
	struct iked *ik;
};

static int
gw_start(struct gw *g, const struct ini_pki *pki, unsigned count, char *err, size_t errlen)
{
	struct iked_config cfg;

	memset(g, 0, sizeof(*g));
	g->ike = (struct conf_ikev2){ .proposals = CONF_IKE_ALL, .liveness_retries = 3,
				      .cookie_threshold = 1000000, .half_open_max = 64,
				      .fragment_size = 1280 };
	g->pool = pool_create(POOL_NET, 16);
	if (g->pool == NULL) {
		snprintf(err, errlen, "pool_create failed");
		return -ENOMEM;
	}
	cfg = (struct iked_config){
		.local_addr = GW_ADDR, .pool_mask_len = 16, .vnet = vnet, .n_vnet = 1,
		.dns = dns, .n_dns = 1, .ike = &g->ike, .max_tunnels = count,
		.roots = pki->roots, .key = pki->gw, .pool = g->pool, .ops = &stub_ops,
	};
	g->ik = iked_create(&cfg, err, errlen);
	if (g->ik == NULL) {
		pool_free(g->pool);
		return -ENOMEM;
	}
	return 0;
}

static void
gw_stop(struct gw *g)
{
	iked_free(g->ik);
	pool_free(g->pool);
}

/* ---- timing ---- */

/* The start of a timed section: both clocks. */
struct stamp {
	struct timespec t;
	uint64_t cycles;
};

static uint64_t
ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static inline void
stamp_start(struct stamp *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->t);
	s->cycles = rte_rdtsc();
}

/* Add the time since s to acc. */
static inline void
stamp_stop(const struct stamp *s, struct span *acc)
{
	uint64_t c1 = rte_rdtsc();
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	acc->cycles += c1 - s->cycles;
	acc->ns += ts_ns(&t1) - ts_ns(&s->t);
}

/* One datagram into the responder, timed into acc. Returns how many it sent. */
static unsigned
timed_input(struct gw *g, const struct ini_client *c, const uint8_t *msg, size_t len,
	    struct span *acc)
{
	unsigned before = sink.n_sent;
	struct stamp s;

	stamp_start(&s);
	iked_input(g->ik, msg, len, c->addr, c->port, c->lport, ts_ns(&s.t) / 1000000u);
	stamp_stop(&s, acc);
	return sink.n_sent - before;
}

/* ---- the responder's part ---- */

static void
init_opts(const struct ike_case *k, struct ini_init_opts *o)
{
	*o = (struct ini_init_opts){ .encr = k->encr, .encr_bits = k->encr_bits,
				     .integ = k->integ, .dh = &k->dh, .n_dh = 1 };
}

/* Is the IKE_AUTH answer a success: IDr CERT AUTH CP SA TSi TSr? */
static int
check_auth_answer(const struct ini_client *c)
{
	static uint8_t plain[IKE_MSG_MAX];
	struct ike_chain ch;
	int rc = ini_unprotect(c, sink.last, sink.len, IKE_EXCH_IKE_AUTH, 1, plain, sizeof(plain),
			       &ch);

	if (rc < 0)
		return rc;
	return ike_chain_find(&ch, IKE_PL_AUTH, 0) >= 0 && ike_chain_find(&ch, IKE_PL_CP, 0) >= 0 &&
			       ike_chain_find(&ch, IKE_PL_SA, 0) >= 0
		       ? 0 : -EACCES;
}

/* IKE_SA_INIT and IKE_AUTH of client c, the responder's two calls timed. */
static int
establish(struct gw *g, const struct case_state *cs, struct ini_client *c, struct rep *r,
	  char *err, size_t errlen)
{
	uint8_t msg[8192];
	struct ini_init_opts o;
	int len, rc;

	init_opts(cs->c, &o);
	rc = ini_build_init(c, &o);
	if (rc < 0) {
		snprintf(err, errlen, "IKE_SA_INIT request: %s", strerror(-rc));
		return rc;
	}
	if (timed_input(g, c, c->req, c->req_len, &r->init) != 1 || sink.overflow) {
		snprintf(err, errlen, "no IKE_SA_INIT answer");
		return -EPROTO;
	}
	rc = ini_take_init(c, sink.last, sink.len);
	if (rc < 0 || !c->have_keys) {
		snprintf(err, errlen, "IKE_SA_INIT answer refused or not keyed (%d)", rc);
		return -EPROTO;
	}
	len = ini_build_auth(c, cs->pki.client_auth, &(struct ini_auth_opts){ 0 }, msg,
			     sizeof(msg));
	if (len < 0) {
		snprintf(err, errlen, "IKE_AUTH request: %s", strerror(-len));
		return len;
	}
	if (timed_input(g, c, msg, (size_t)len, &r->auth) != 1 || sink.overflow) {
		snprintf(err, errlen, "no IKE_AUTH answer");
		return -EPROTO;
	}
	rc = check_auth_answer(c);
	if (rc < 0)
		snprintf(err, errlen, "IKE_AUTH answer is not a success (%s)", strerror(-rc));
	return rc;
}

/* DELETE of client c's IKE_SA, timed. */
static int
delete_sa(struct gw *g, struct ini_client *c, struct rep *r, char *err, size_t errlen)
{
	uint8_t msg[256], plain[256];
	struct ike_chain ch;
	int len = ini_build_delete_ike(c, 2, msg, sizeof(msg));

	if (len < 0 || timed_input(g, c, msg, (size_t)len, &r->del) != 1 ||
	    ini_unprotect(c, sink.last, sink.len, IKE_EXCH_INFORMATIONAL, 2, plain, sizeof(plain),
			  &ch) < 0) {
		snprintf(err, errlen, "DELETE not answered");
		return -EPROTO;
	}
	return 0;
}

static int ceiling_once(const struct case_state *cs, struct rep *r, char *err, size_t errlen);
static struct span ceil_sum(const struct rep *r);
static double median(double *v, unsigned n);

/*
 * One repetition: n establishments, then n DELETEs, all checked. With
 * ceiling, one round of the ceiling after each establishment: both see the
 * same moments of a noisy machine. spi_base makes the SPIs of this
 * repetition new.
 */
static int
run_responder(const struct case_state *cs, struct ini_client *clients, unsigned n,
	      uint64_t spi_base, bool ceiling, struct rep *r, char *err, size_t errlen)
{
	static double ratio[COUNT_MAX];    /* responder/ceiling of each establishment */
	struct iked_counters k;
	struct gw g;
	unsigned i;
	int rc;

	memset(&sink, 0, sizeof(sink));
	rc = gw_start(&g, &cs->pki, n, err, errlen);
	if (rc < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		ini_client_init(&clients[i], spi_base + i + 1, CLIENT_NET + 1 + i, 500, GW_ADDR);
		uint64_t resp0 = r->init.cycles + r->auth.cycles, ceil0 = ceil_sum(r).cycles;

		rc = establish(&g, cs, &clients[i], r, err, errlen);
		if (rc == 0 && ceiling)
			rc = ceiling_once(cs, r, err, errlen);
		if (ceiling)
			ratio[i] = (double)(r->init.cycles + r->auth.cycles - resp0) /
				   (double)(ceil_sum(r).cycles - ceil0);
	}
	if (rc == 0 && ceiling)
		r->pair_ratio = median(ratio, n);
	iked_counters(g.ik, &k);
	if (rc == 0 && (k.established != n || sink.tunnel_adds != n)) {
		snprintf(err, errlen, "%u IKE_SAs established of %u", k.established, n);
		rc = -EPROTO;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = delete_sa(&g, &clients[i], r, err, errlen);
	iked_counters(g.ik, &k);
	if (rc == 0 && (k.established != 0 || k.half_open != 0 || sink.tunnel_dels != n)) {
		snprintf(err, errlen, "IKE_SAs left after the DELETEs");
		rc = -EPROTO;
	}
	for (i = 0; i < n; i++)
		ini_client_free(&clients[i]);
	gw_stop(&g);
	return rc;
}

/* ---- the crypto ceiling ---- */

/*
 * The ceiling's inputs from one real establishment: the IKE_SA_INIT
 * messages, Nr and prf(SK_pi, IDi') that AUTH signs, the client's AUTH
 * payload as it sent it, and a client KE of the group.
 */
static int
ceiling_prepare(struct case_state *cs, char *err, size_t errlen)
{
	uint8_t idi[512], sig[AUTH_SIG_MAX], method, *dn = NULL;
	struct ike_chunk octets[3];
	struct ike_writer w;
	struct ike_chain ch;
	struct ini_client c;
	struct rep scratch = { 0 };
	struct ike_dh *dh;
	int rc, len, dn_len;

	rc = run_responder(cs, &c, 1, 0xfeed000000000000ull, false, &scratch, err, errlen);
	if (rc < 0)
		return rc;
	/* run_responder() freed c's key pair and SK keys; messages and SK_pi remain. */
	memcpy(cs->init_req, c.req, c.req_len);
	cs->init_req_len = c.req_len;
	memcpy(cs->init_resp, c.resp, c.resp_len);
	cs->init_resp_len = c.resp_len;
	memcpy(cs->nonce, c.nr, c.nr_len);
	cs->nonce_len = c.nr_len;
	cs->peer_hashes = c.gw_hashes; /* the same three SHA-2 the initiator offers */

	dh = ike_dh_new(cs->c->dh);
	len = dh != NULL ? ike_dh_public(dh, cs->peer_ke, sizeof(cs->peer_ke)) : -ENOMEM;
	ike_dh_free(dh);
	if (len <= 0) {
		snprintf(err, errlen, "client key pair of group %u", cs->c->dh);
		return -EIO;
	}
	cs->peer_ke_len = (size_t)len;

	dn_len = i2d_X509_NAME(X509_get_subject_name(cs->pki.client), &dn);
	if (dn_len <= 0 || (size_t)dn_len + 4 > sizeof(idi)) {
		OPENSSL_free(dn);
		snprintf(err, errlen, "client DN");
		return -ENOSPC;
	}
	memset(idi, 0, 4);
	idi[0] = IKE_ID_DER_ASN1_DN;
	memcpy(idi + 4, dn, (size_t)dn_len);
	OPENSSL_free(dn);
	cs->mac_len = ike_prf_len(c.choice.prf);
	rc = ike_auth_id_mac(c.choice.prf, c.keys.sk_pi, c.keys.p_len, idi, (size_t)dn_len + 4,
			     cs->mac);
	ike_wipe(&c.keys, sizeof(c.keys));
	octets[0] = (struct ike_chunk){ cs->init_req, cs->init_req_len };
	octets[1] = (struct ike_chunk){ cs->nonce, cs->nonce_len };
	octets[2] = (struct ike_chunk){ cs->mac, cs->mac_len };
	len = rc < 0 ? rc : auth_sign(cs->pki.client_auth, cs->peer_hashes, octets, 3, &method,
				      sig, sizeof(sig));
	ike_writer_chain(&w, cs->auth_pl, sizeof(cs->auth_pl));
	if (len <= 0 || ike_put_auth(&w, method, sig, (size_t)len) < 0 ||
	    ike_chain_parse(w.first, cs->auth_pl, w.len, &ch) < 0 ||
	    ike_auth_parse(IKE_PAYLOAD(&ch, 0), &cs->client_auth) < 0) {
		snprintf(err, errlen, "client AUTH for the ceiling");
		return -EIO;
	}
	return 0;
}

/* Ephemeral key pair and g^ir, as iked's dh_exchange(). */
static int
ceil_dh(const struct case_state *cs)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX], g_ir[512];
	struct ike_dh *dh = ike_dh_new(cs->c->dh);
	int bad = dh == NULL || ike_dh_public(dh, pub, sizeof(pub)) <= 0 ||
		  ike_dh_shared(dh, cs->peer_ke, cs->peer_ke_len, g_ir, sizeof(g_ir)) <= 0;

	ike_dh_free(dh);
	ike_wipe(g_ir, sizeof(g_ir));
	return bad ? -EIO : 0;
}

/* Our AUTH over our IKE_SA_INIT answer | Ni | prf(SK_pr, IDr') (same sizes here). */
static int
ceil_sign(const struct case_state *cs)
{
	const struct ike_chunk octets[3] = { { cs->init_resp, cs->init_resp_len },
					     { cs->nonce, cs->nonce_len },
					     { cs->mac, cs->mac_len } };
	uint8_t sig[AUTH_SIG_MAX], method;

	return auth_sign(cs->pki.gw, cs->peer_hashes, octets, 3, &method, sig, sizeof(sig)) > 0
		       ? 0 : -EIO;
}

/* The client's certificate (DER, as in its CERT payload) to the root. */
static int
ceil_chain(const struct case_state *cs)
{
	struct auth_result res;
	struct ike_chunk cert;
	const uint8_t *der;
	size_t der_len;
	int rc;

	auth_key_cert_der(cs->pki.client_auth, 0, &der, &der_len);
	cert = (struct ike_chunk){ der, der_len };
	rc = auth_verify_chain(cs->pki.roots, NULL, &cert, 1, time(NULL), &res);
	auth_result_clear(&res);
	return rc;
}

/* The client's AUTH over its request | Nr | prf(SK_pi, IDi'). */
static int
ceil_verify(const struct case_state *cs)
{
	const struct ike_chunk octets[3] = { { cs->init_req, cs->init_req_len },
					     { cs->nonce, cs->nonce_len },
					     { cs->mac, cs->mac_len } };
	char why[AUTH_ERR_MAX];

	return auth_sig_verify(cs->pki.client, &cs->client_auth, octets, 3, why, sizeof(why));
}

/* d2i_X509() of the client's DER: what a CERT payload costs before any check. */
static int
part_parse(const struct case_state *cs)
{
	const uint8_t *der, *p;
	size_t der_len;
	X509 *x;

	auth_key_cert_der(cs->pki.client_auth, 0, &der, &der_len);
	p = der;
	x = d2i_X509(NULL, &p, (long)der_len);
	X509_free(x);
	return x != NULL ? 0 : -EINVAL;
}

/* The root's signature on the client certificate alone (RSA-2048, SHA-256). */
static int
part_cert_sig(const struct case_state *cs)
{
	return X509_verify(cs->pki.client, X509_get0_pubkey(cs->pki.root)) == 1 ? 0 : -EBADMSG;
}

static int (*const part_fn[PARTS])(const struct case_state *cs) = {
	[PART_PARSE] = part_parse, [PART_CERT_SIG] = part_cert_sig,
};

static int (*const ceil_fn[CEIL_OPS])(const struct case_state *cs) = {
	[CEIL_DH] = ceil_dh, [CEIL_SIGN] = ceil_sign, [CEIL_CHAIN] = ceil_chain,
	[CEIL_VERIFY] = ceil_verify,
};

/* The public-key work of one establishment, each part timed apart. */
static int
ceiling_once(const struct case_state *cs, struct rep *r, char *err, size_t errlen)
{
	struct stamp s;
	unsigned op;
	int rc;

	for (op = 0; op < CEIL_OPS; op++) {
		stamp_start(&s);
		rc = ceil_fn[op](cs);
		stamp_stop(&s, &r->ceil[op]);
		if (rc != 0) {
			snprintf(err, errlen, "ceiling: %s failed (%d)", ceil_op_name[op], rc);
			return rc;
		}
	}
	for (op = 0; op < PARTS; op++) {
		stamp_start(&s);
		rc = part_fn[op](cs);
		stamp_stop(&s, &r->part[op]);
		if (rc != 0) {
			snprintf(err, errlen, "ceiling: chain part %u failed (%d)", op, rc);
			return rc;
		}
	}
	return 0;
}

/* ---- statistics and report ---- */

struct stat3 {
	double median, min, max;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v. */
static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median, min and max of one value computed from each repetition. */
static struct stat3
over_reps(const struct case_state *cs, unsigned reps, unsigned count,
	  double (*f)(const struct rep *r, unsigned count))
{
	double v[REPS_MAX], m;
	unsigned i;

	for (i = 0; i < reps; i++)
		v[i] = f(&cs->reps[i], count);
	m = median(v, reps);
	return (struct stat3){ m, v[0], v[reps - 1] };
}

static double
resp_ns(const struct rep *r)
{
	return (double)(r->init.ns + r->auth.ns);
}

/* The whole ceiling of a repetition. */
static struct span
ceil_sum(const struct rep *r)
{
	struct span t = { 0, 0 };
	unsigned i;

	for (i = 0; i < CEIL_OPS; i++) {
		t.ns += r->ceil[i].ns;
		t.cycles += r->ceil[i].cycles;
	}
	return t;
}

/* The figures of the table, each from one repetition. */
static double
f_rate(const struct rep *r, unsigned n)
{
	return n / (resp_ns(r) / 1e9);
}

static double
f_init_share(const struct rep *r, unsigned n)
{
	(void)n;
	return 100.0 * (double)r->init.cycles / (double)(r->init.cycles + r->auth.cycles);
}

static double
f_ceil_rate(const struct rep *r, unsigned n)
{
	return n / ((double)ceil_sum(r).ns / 1e9);
}

static double
f_pair_ratio(const struct rep *r, unsigned n)
{
	(void)n;
	return r->pair_ratio;
}

/* kcycles per establishment of some part of a repetition. */
#define PER_EST(name, cycles)                                                       \
	static double name(const struct rep *r, unsigned n)                         \
	{                                                                           \
		return (double)(cycles) / n / 1e3;                                  \
	}
PER_EST(f_kcyc, r->init.cycles + r->auth.cycles)
PER_EST(f_init_kcyc, r->init.cycles)
PER_EST(f_auth_kcyc, r->auth.cycles)
PER_EST(f_del_kcyc, r->del.cycles)
PER_EST(f_ceil_kcyc, ceil_sum(r).cycles)
PER_EST(f_ceil_DH, r->ceil[CEIL_DH].cycles)
PER_EST(f_ceil_SIGN, r->ceil[CEIL_SIGN].cycles)
PER_EST(f_ceil_CHAIN, r->ceil[CEIL_CHAIN].cycles)
PER_EST(f_ceil_VERIFY, r->ceil[CEIL_VERIFY].cycles)
PER_EST(f_parse, r->part[PART_PARSE].cycles)
PER_EST(f_cert_sig, r->part[PART_CERT_SIG].cycles)
PER_EST(f_other, (double)(r->init.cycles + r->auth.cycles) - (double)ceil_sum(r).cycles)

static double
f_ratio(const struct rep *r, unsigned n)
{
	(void)n;
	return (double)(r->init.cycles + r->auth.cycles) / (double)ceil_sum(r).cycles;
}

static double (*const f_ceil_op[CEIL_OPS])(const struct rep *, unsigned) = {
	f_ceil_DH, f_ceil_SIGN, f_ceil_CHAIN, f_ceil_VERIFY
};

/* printf to stdout and, if open, the text file. */
static FILE *txt;

static void __attribute__((format(printf, 1, 2)))
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (txt != NULL) {
		va_start(ap, fmt);
		vfprintf(txt, fmt, ap);
		va_end(ap);
	}
}

/* "median (min-max)" of a stat with prec decimals; buf of at least 64 bytes. */
static const char *
fmt3(char *buf, int prec, struct stat3 s)
{
	snprintf(buf, 64, "%.*f (%.*f-%.*f)", prec, s.median, prec, s.min, prec, s.max);
	return buf;
}

static void
report(const struct case_state *cs, const struct options *o, double tsc_hz)
{
	char b1[64], b2[64], b3[64], b4[64];
	unsigned i, j;

	if (o->lcore < 0)
		snprintf(b1, sizeof(b1), "not pinned");
	else
		snprintf(b1, sizeof(b1), "CPU %d", o->lcore);
	out("\nIKE_SA establishments on one core: lib/iked, in process (p2s-ike-bench)\n");
	out("  %u establishments x %u repetitions per case, median (min-max); gateway RSA-2048,\n"
	    "  ESP AES-GCM-256; %s; %s; TSC %.3f GHz; commit %s\n\n", o->count, o->reps, b1, o->cpu,
	    tsc_hz / 1e9, o->commit);
	out("%-19s %-20s %-20s %-6s %-20s %-18s %s\n", "case", "establishments/s", "kcycles/est",
	    "INIT%", "ceiling est/s", "resp/ceiling", "per-est");
	for (i = 0; i < N_CASES; i++) {
		if (!cs[i].on)
			continue;
		out("%-19s %-20s %-20s %-6.0f %-20s %-18s %.2f\n", cs[i].c->name,
		    fmt3(b1, 0, over_reps(&cs[i], o->reps, o->count, f_rate)),
		    fmt3(b2, 0, over_reps(&cs[i], o->reps, o->count, f_kcyc)),
		    over_reps(&cs[i], o->reps, o->count, f_init_share).median,
		    fmt3(b3, 0, over_reps(&cs[i], o->reps, o->count, f_ceil_rate)),
		    fmt3(b4, 2, over_reps(&cs[i], o->reps, o->count, f_ratio)),
		    over_reps(&cs[i], o->reps, o->count, f_pair_ratio).median);
	}
	out("\nWhere the cycles go, kcycles per establishment (medians)\n");
	out("%-19s %8s %8s %8s | %8s %8s %8s %8s %8s | %8s | %8s %8s\n", "case", "INIT", "AUTH",
	    "total", "DH", "sign", "chain", "verify", "ceiling", "other", "parse", "cert-sig");
	for (i = 0; i < N_CASES; i++) {
		double resp, ceil;

		if (!cs[i].on)
			continue;
		resp = over_reps(&cs[i], o->reps, o->count, f_kcyc).median;
		ceil = over_reps(&cs[i], o->reps, o->count, f_ceil_kcyc).median;
		out("%-19s %8.0f %8.0f %8.0f |", cs[i].c->name,
		    over_reps(&cs[i], o->reps, o->count, f_init_kcyc).median,
		    over_reps(&cs[i], o->reps, o->count, f_auth_kcyc).median, resp);
		for (j = 0; j < CEIL_OPS; j++)
			out(" %8.0f", over_reps(&cs[i], o->reps, o->count, f_ceil_op[j]).median);
		out(" %8.0f | %8.0f | %8.0f %8.0f\n", ceil,
		    over_reps(&cs[i], o->reps, o->count, f_other).median,
		    over_reps(&cs[i], o->reps, o->count, f_parse).median,
		    over_reps(&cs[i], o->reps, o->count, f_cert_sig).median);
	}
	out("\n  INIT/AUTH: the responder's iked_input() of IKE_SA_INIT and IKE_AUTH.\n"
	    "  ceiling: the same lib/ike and lib/auth public-key calls alone: DH (key pair +\n"
	    "  g^ir), sign (gateway AUTH, RSA PKCS#1 v1.5 SHA-256, RFC 7427), chain (client\n"
	    "  certificate to the root, auth_verify_chain()), verify (client AUTH).\n"
	    "  other = total - ceiling. Inside chain, measured apart: parse (d2i_X509 of\n"
	    "  the client's DER) and cert-sig (X509_verify with the root's key alone).\n"
	    "  resp/ceiling: the responder's cycles over the ceiling's in a repetition;\n"
	    "  per-est: the median over establishments of the same ratio (one ceiling round\n"
	    "  runs right after each establishment), less hit by preemption.\n");
}

static int
write_csv(const char *path, const struct case_state *cs, const struct options *o,
	  double tsc_hz)
{
	static const struct {
		const char *name;
		double (*f)(const struct rep *, unsigned);
	} cols[] = {
		{ "est_per_s", f_rate },         { "kcycles_per_est", f_kcyc },
		{ "init_kcycles", f_init_kcyc }, { "auth_kcycles", f_auth_kcyc },
		{ "init_share_pct", f_init_share }, { "delete_kcycles", f_del_kcyc },
		{ "ceil_dh_kcycles", f_ceil_DH }, { "ceil_sign_kcycles", f_ceil_SIGN },
		{ "ceil_chain_kcycles", f_ceil_CHAIN }, { "ceil_verify_kcycles", f_ceil_VERIFY },
		{ "chain_parse_kcycles", f_parse }, { "chain_cert_sig_kcycles", f_cert_sig },
		{ "ceil_kcycles", f_ceil_kcyc }, { "ceil_est_per_s", f_ceil_rate },
		{ "ratio", f_ratio }, { "ratio_per_est_median", f_pair_ratio },
		{ "other_kcycles", f_other },
	};
	char date[32];
	time_t now = time(NULL);
	FILE *f = fopen(path, "w");
	unsigned i, j;

	if (f == NULL)
		return -errno;
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "case,dh,ike,client,gateway,esp,count,reps");
	for (j = 0; j < sizeof(cols) / sizeof(cols[0]); j++)
		fprintf(f, ",%s_median,%s_min,%s_max", cols[j].name, cols[j].name, cols[j].name);
	fprintf(f, ",tsc_hz,lcore,cpu,commit,date\n");
	for (i = 0; i < N_CASES; i++) {
		if (!cs[i].on)
			continue;
		fprintf(f, "%s,%s,%s,%s,RSA-2048,AES-GCM-256,%u,%u", cs[i].c->name,
			ike_xform_name(IKE_XF_DH, cs[i].c->dh), cs[i].c->ike,
			ini_key_name(cs[i].c->client), o->count, o->reps);
		for (j = 0; j < sizeof(cols) / sizeof(cols[0]); j++) {
			struct stat3 s = over_reps(&cs[i], o->reps, o->count, cols[j].f);

			fprintf(f, ",%.4g,%.4g,%.4g", s.median, s.min, s.max);
		}
		fprintf(f, ",%.0f,%d,\"%s\",%s,%s\n", tsc_hz, o->lcore, o->cpu, o->commit, date);
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* ---- options, main ---- */

static void
usage(const char *prog)
{
	unsigned i;

	fprintf(stderr,
		"usage: %s [--reps R] [--count N] [--cases a,b|all] [--lcore N]\n"
		"          [--csv FILE] [--txt FILE] [--commit ID] [--cpu MODEL]\n"
		"  --reps R     repetitions, median and min-max reported (5)\n"
		"  --count N    establishments per repetition and case (200)\n"
		"  --lcore N    run pinned to CPU N (default: not pinned)\n"
		"  --csv, --txt results files (benchmarks/results/ike_rate.{csv,txt}; '' none)\n"
		"  --cases      all, or some of:",
		prog);
	for (i = 0; i < N_CASES; i++)
		fprintf(stderr, " %s", cases[i].name);
	fprintf(stderr, "\n");
}

static int
select_cases(const char *list, struct case_state *cs)
{
	char buf[512], *tok, *save = NULL;
	unsigned i;

	for (i = 0; i < N_CASES; i++)
		cs[i].on = strcmp(list, "all") == 0;
	if (strcmp(list, "all") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < N_CASES && strcmp(tok, cases[i].name) != 0; i++)
			;
		if (i == N_CASES) {
			fprintf(stderr, "unknown case %s\n", tok);
			return -EINVAL;
		}
		cs[i].on = true;
	}
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *o, struct case_state *cs)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },  { "count", required_argument, NULL, 'n' },
		{ "cases", required_argument, NULL, 'c' }, { "lcore", required_argument, NULL, 'l' },
		{ "csv", required_argument, NULL, 'C' },   { "txt", required_argument, NULL, 'T' },
		{ "commit", required_argument, NULL, 'g' }, { "cpu", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *list = "all";
	int c;

	*o = (struct options){ .reps = 5, .count = 200, .lcore = -1,
			       .csv = "benchmarks/results/ike_rate.csv",
			       .txt = "benchmarks/results/ike_rate.txt", .commit = "unknown",
			       .cpu = "unknown" };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->reps = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			o->count = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			list = optarg;
			break;
		case 'l':
			o->lcore = atoi(optarg);
			break;
		case 'C':
			o->csv = optarg;
			break;
		case 'T':
			o->txt = optarg;
			break;
		case 'g':
			o->commit = optarg;
			break;
		case 'm':
			o->cpu = optarg;
			break;
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind != argc || o->reps < 1 || o->reps > REPS_MAX || o->count < 1 ||
	    o->count > COUNT_MAX || o->lcore < -1 || o->lcore >= CPU_SETSIZE) {
		fprintf(stderr, "bad arguments: reps 1..%d, count 1..%d\n", REPS_MAX, COUNT_MAX);
		usage(argv[0]);
		return -EINVAL;
	}
	return select_cases(list, cs);
}

/*
 * EAL for rte_hash and rte_rand only: no hugepages, devices or shared
 * files. --lcore pins the main thread there; without it the thread keeps
 * the affinity it was started with.
 */
static int
eal_start(const char *prog, int lcore)
{
	char lc[16];
	char *eal[] = { (char *)prog, "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", "--log-level", "*:error", "-l", lc };
	cpu_set_t before;
	int rc;

	snprintf(lc, sizeof(lc), "%d", lcore < 0 ? 0 : lcore);
	if (lcore < 0 && sched_getaffinity(0, sizeof(before), &before) != 0)
		return -errno;
	rc = rte_eal_init(sizeof(eal) / sizeof(eal[0]), eal);
	if (rc < 0)
		return rc;
	if (lcore < 0 && sched_setaffinity(0, sizeof(before), &before) != 0)
		return -errno;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct case_state cs[N_CASES];
	struct ini_client *clients;
	struct options o;
	char err[AUTH_ERR_MAX];
	unsigned i, rep;
	double tsc_hz;
	int rc = 0;

	for (i = 0; i < N_CASES; i++)
		cs[i].c = &cases[i];
	if (parse_options(argc, argv, &o, cs) < 0)
		return 2;
	if (eal_start(argv[0], o.lcore) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	tsc_hz = (double)rte_get_tsc_hz();
	clients = calloc(o.count, sizeof(*clients));
	if (clients == NULL)
		return 1;

	/* Setup, untimed: a PKI per case and the ceiling's inputs from one exchange. */
	for (i = 0; i < N_CASES && rc == 0; i++) {
		if (!cs[i].on)
			continue;
		fprintf(stderr, "setup %s\n", cases[i].name);
		rc = ini_pki_new(&cs[i].pki, INI_KEY_RSA2048, INI_KEY_RSA2048, cases[i].client, err,
				 sizeof(err));
		if (rc == 0)
			rc = ceiling_prepare(&cs[i], err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "%s: setup: %s\n", cases[i].name, err);
	}
	/* Repetitions: every case in turn, responder and ceiling interleaved. */
	for (rep = 0; rep < o.reps && rc == 0; rep++) {
		fprintf(stderr, "repetition %u/%u\n", rep + 1, o.reps);
		for (i = 0; i < N_CASES && rc == 0; i++) {
			if (!cs[i].on)
				continue;
			rc = run_responder(&cs[i], clients, o.count, (uint64_t)(rep + 1) << 40, true,
					   &cs[i].reps[rep], err, sizeof(err));
			if (rc < 0)
				fprintf(stderr, "%s: repetition %u: %s\n", cases[i].name, rep + 1, err);
		}
	}
	if (rc == 0) {
		if (o.txt[0] != '\0' && (txt = fopen(o.txt, "w")) == NULL)
			fprintf(stderr, "cannot write %s: %s\n", o.txt, strerror(errno));
		report(cs, &o, tsc_hz);
		if (txt != NULL)
			fclose(txt);
		if (o.csv[0] != '\0' && write_csv(o.csv, cs, &o, tsc_hz) < 0)
			fprintf(stderr, "cannot write %s\n", o.csv);
	}
	for (i = 0; i < N_CASES; i++)
		if (cs[i].pki.gw != NULL)
			ini_pki_free(&cs[i].pki);
	free(clients);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
