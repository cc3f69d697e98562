/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exchanges of the responder: IKE_SA_INIT (RFC 7296 §1.2, §2.6 cookies,
 * §2.23 NAT detection), IKE_AUTH with certificates (§2.15, RFC 7427) and the
 * configuration payload (§3.15), CREATE_CHILD_SA (§1.3: CHILD_SA and IKE_SA
 * rekeys) and INFORMATIONAL (§1.4: DELETE, liveness). Every payload is
 * parsed by lib/ike's validating parsers before anything here reads it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_log.h>

#include "exchange.h"
#include "pool.h"

#define CP_ATTRS_MAX (3 + CONF_DNS_MAX + CONF_VNET_MAX)
#define DH_SECRET_MAX 512

/* ---- small helpers ---- */

static void
be32_put(uint8_t *p, uint32_t v)
{
	uint32_t be = rte_cpu_to_be_32(v);

	memcpy(p, &be, 4);
}

static uint32_t
be32_get(const uint8_t *p)
{
	uint32_t be;

	memcpy(&be, p, 4);
	return rte_be_to_cpu_32(be);
}

static uint64_t
be64_get(const uint8_t *p)
{
	uint64_t be;

	memcpy(&be, p, 8);
	return rte_be_to_cpu_64(be);
}

static void
be64_put(uint8_t *p, uint64_t v)
{
	uint64_t be = rte_cpu_to_be_64(v);

	memcpy(p, &be, 8);
}

static int
find_parse_notify(const struct ike_chain *ch, uint16_t type, struct ike_notify *n)
{
	return ike_chain_find_notify(ch, type, n);
}

static void
addr_text(uint32_t addr, char *buf, size_t cap)
{
	struct in_addr a = { .s_addr = htonl(addr) };

	inet_ntop(AF_INET, &a, buf, (socklen_t)cap);
}

/* IKE_SA_INIT responses that create no state: COOKIE, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN. */
static void
init_notify(struct iked *ik, const struct ike_msg *msg, uint32_t addr, uint16_t port,
	    uint16_t local_port, uint16_t type, const void *data, size_t len)
{
	struct ike_header hdr = { .spi_i = msg->hdr.spi_i, .major = 2,
				  .exchange = IKE_EXCH_IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE };
	struct ike_writer w;
	int n;

	if (ike_writer_msg(&w, ik->out, sizeof(ik->out), &hdr) < 0 ||
	    ike_put_notify(&w, 0, NULL, 0, type, data, len) < 0)
		return;
	n = ike_writer_finish(&w);
	if (n > 0)
		iked_send_plain(ik, NULL, ik->out, (size_t)n, addr, port, local_port);
}

/* ---- IKE_SA_INIT ---- */

/* RFC 7296 §2.6: true if the request may go on (cookie fine or not needed). */
static bool
cookie_ok(struct iked *ik, const struct ike_msg *msg, const struct ike_nonce *ni, uint32_t addr,
	  uint16_t port, uint16_t local_port)
{
	const struct ike_chain *ch = &msg->chain;
	uint8_t ip[4], cookie[IKE_COOKIE_LEN];
	struct ike_notify n;
	uint32_t version;

	if (ik->half_open < ik->cfg.ike->cookie_threshold)
		return true;
	be32_put(ip, addr);
	if (ch->n > 0 && ch->pl[0].type == IKE_PL_NOTIFY &&
	    ike_notify_parse(IKE_PAYLOAD(ch, 0), &n) == 0 && n.type == IKE_N_COOKIE) {
		if (ike_cookie_version(n.data, n.len, &version) == 0 &&
		    (version == ik->cookie_version || version + 1 == ik->cookie_version) &&
		    ike_cookie_check(ik->cookie_secret[version == ik->cookie_version ? 0 : 1], 32,
				     n.data, n.len, ni->data, ni->len, ip, 4, msg->hdr.spi_i))
			return true;
		ik->drops[IKED_DROP_bad_cookie]++;
	}
	if (ike_cookie_make(ik->cookie_secret[0], 32, ik->cookie_version, ni->data, ni->len, ip,
			    4, msg->hdr.spi_i, cookie) == 0) {
		ik->events[IKED_EV_cookies_sent]++;
		init_notify(ik, msg, addr, port, local_port, IKE_N_COOKIE, cookie, sizeof(cookie));
	}
	return false;
}

/* §2.23: is either side behind a NAT? Hashes in the request are over SPIr = 0. */
static bool
nat_detected(const struct ike_msg *msg, uint32_t addr, uint16_t port, uint32_t local_addr,
	     uint16_t local_port)
{
	const struct ike_chain *ch = &msg->chain;
	bool saw_s = false, match_s = false, saw_d = false, match_d = false;
	uint8_t ip[4], hs[IKE_NATD_LEN], hd[IKE_NATD_LEN];
	struct ike_notify n;
	unsigned i;

	be32_put(ip, addr);
	ike_natd_hash(msg->hdr.spi_i, 0, ip, 4, port, hs);
	be32_put(ip, local_addr);
	ike_natd_hash(msg->hdr.spi_i, 0, ip, 4, local_port, hd);
	for (i = 0; i < ch->n; i++) {
		if (ch->pl[i].type != IKE_PL_NOTIFY || ike_notify_parse(IKE_PAYLOAD(ch, i), &n) < 0)
			continue;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP && n.len == IKE_NATD_LEN) {
			saw_s = true;
			match_s |= memcmp(n.data, hs, IKE_NATD_LEN) == 0;
		} else if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP && n.len == IKE_NATD_LEN) {
			saw_d = true;
			match_d |= memcmp(n.data, hd, IKE_NATD_LEN) == 0;
		}
	}
	return (saw_s && !match_s) || (saw_d && !match_d);
}

/* SKEYSEED and the IKE_SA's keys; 0 or -errno. */
static int
init_keys(struct iked_sa *sa, const uint8_t *g_ir, size_t g_ir_len)
{
	uint8_t skeyseed[IKE_PRF_MAX];
	int rc;

	rc = ike_skeyseed(sa->choice.prf, sa->ni, sa->ni_len, sa->nr, IKED_NR_LEN, g_ir, g_ir_len,
			  skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_derive(&sa->choice, skeyseed, sa->ni, sa->ni_len, sa->nr,
					IKED_NR_LEN, sa->spi_i, sa->spi_r, &sa->keys);
	if (rc == 0)
		rc = ike_sk_from_keys(&sa->choice, &sa->keys, &sa->sk_i, &sa->sk_r);
	ike_wipe(skeyseed, sizeof(skeyseed));
	return rc;
}

/* A DH key pair of the chosen group and g^ir with the peer's KE. Length or -errno. */
static int
dh_exchange(uint16_t group, const struct ike_ke *ke, uint8_t *pub, size_t pub_cap,
	    size_t *pub_len, uint8_t *g_ir, size_t g_ir_cap)
{
	struct ike_dh *dh = ike_dh_new(group);
	int rc, n;

	if (dh == NULL)
		return -ENOMEM;
	n = ike_dh_public(dh, pub, pub_cap);
	rc = n < 0 ? n : ike_dh_shared(dh, ke->data, ke->len, g_ir, g_ir_cap);
	ike_dh_free(dh);
	if (n >= 0)
		*pub_len = (size_t)n;
	return rc;
}

static uint8_t *
dup_bytes(const void *p, size_t len)
{
	uint8_t *d = malloc(len);

	if (d != NULL)
		memcpy(d, p, len);
	return d;
}

void
iked_init(struct iked *ik, const struct ike_msg *msg, uint32_t addr, uint16_t port,
	  uint16_t local_port, uint64_t now)
{
	static const uint8_t hashes[] = { 0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384,
					  0, IKE_HASH_SHA2_512 };
	const struct ike_chain *ch = &msg->chain;
	struct ike_header hdr;
	struct ike_sa_offer offer;
	struct ike_choice choice;
	struct ike_nonce ni;
	struct ike_notify n;
	struct ike_ke ke;
	struct ike_writer w;
	struct iked_sa *sa;
	uint8_t pub[IKE_DH_PUBLIC_MAX], g_ir[DH_SECRET_MAX], ip[4], h[IKE_NATD_LEN];
	int i_sa, i_ke, i_no, rc, len;
	size_t pub_len = 0;

	sa = iked_sa_find_init(ik, msg->hdr.spi_i, addr, port);
	if (sa != NULL) {
		/* §2.1: the same request again gets the same answer. */
		if (sa->state == IKED_HALF_OPEN && sa->resp.n != 0) {
			ik->events[IKED_EV_retransmits_answered]++;
			iked_send_plain(ik, NULL, sa->resp.buf, sa->resp.len, addr, port, local_port);
		}
		return;
	}
	i_sa = ike_chain_find(ch, IKE_PL_SA, 0);
	i_ke = ike_chain_find(ch, IKE_PL_KE, 0);
	i_no = ike_chain_find(ch, IKE_PL_NONCE, 0);
	if (msg->sk_type != 0 || i_sa < 0 || i_ke < 0 || i_no < 0 ||
	    ike_sa_parse(IKE_PAYLOAD(ch, i_sa), &offer) < 0 ||
	    ike_ke_parse(IKE_PAYLOAD(ch, i_ke), &ke) < 0 ||
	    ike_nonce_parse(IKE_PAYLOAD(ch, i_no), &ni) < 0) {
		ik->drops[IKED_DROP_malformed]++;
		return;
	}
	ik->events[IKED_EV_requests]++;
	if (ik->half_open >= ik->cfg.ike->half_open_max ||
	    iked_half_open_from(ik, addr) >= IKED_HALF_OPEN_PER_PEER) {
		ik->drops[IKED_DROP_half_open_full]++;
		return;
	}
	if (!cookie_ok(ik, msg, &ni, addr, port, local_port))
		return;

	rc = ike_proposal_match(ik->accept, &offer, IKE_PROTO_IKE, ke.group, &choice);
	if (rc == -EAGAIN) {
		uint8_t g[2] = { (uint8_t)(choice.dh >> 8), (uint8_t)choice.dh };

		ik->events[IKED_EV_invalid_ke]++;
		init_notify(ik, msg, addr, port, local_port, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	if (rc < 0) {
		ik->events[IKED_EV_no_proposal]++;
		init_notify(ik, msg, addr, port, local_port, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	len = dh_exchange(choice.dh, &ke, pub, sizeof(pub), &pub_len, g_ir, sizeof(g_ir));
	if (len < 0) {
		ik->drops[IKED_DROP_malformed]++;
		return;
	}
	sa = iked_sa_new(ik, msg->hdr.spi_i, addr, port, now);
	if (sa == NULL) {
		ike_wipe(g_ir, sizeof(g_ir));
		ik->drops[IKED_DROP_half_open_full]++;
		return;
	}
	sa->choice = choice;
	sa->local_port = local_port;
	sa->ni_len = ni.len;
	memcpy(sa->ni, ni.data, ni.len);
	RAND_bytes(sa->nr, IKED_NR_LEN);
	sa->nat = nat_detected(msg, addr, port, ik->cfg.local_addr, local_port);
	sa->frag_sup = find_parse_notify(ch, IKE_N_FRAGMENTATION_SUPPORTED, &n) == 0;
	sa->peer_hashes = find_parse_notify(ch, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n) == 0
				  ? auth_hash_mask(&n) : 0;
	rc = init_keys(sa, g_ir, (size_t)len);
	ike_wipe(g_ir, sizeof(g_ir));
	if (rc < 0) {
		iked_sa_destroy(ik, sa);
		ik->drops[IKED_DROP_malformed]++;
		return;
	}

	hdr = (struct ike_header){ .spi_i = sa->spi_i, .spi_r = sa->spi_r, .major = 2,
				   .exchange = IKE_EXCH_IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE };
	rc = ike_writer_msg(&w, ik->out, sizeof(ik->out), &hdr);
	rc |= ike_put_sa_choice(&w, &choice, NULL, 0) < 0;
	rc |= ike_put_ke(&w, choice.dh, pub, pub_len) < 0;
	rc |= ike_put_nonce(&w, sa->nr, IKED_NR_LEN) < 0;
	be32_put(ip, ik->cfg.local_addr);
	ike_natd_hash(sa->spi_i, sa->spi_r, ip, 4, local_port, h);
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h)) < 0;
	be32_put(ip, addr);
	ike_natd_hash(sa->spi_i, sa->spi_r, ip, 4, port, h);
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h)) < 0;
	if (ik->certreq_len > 0)
		rc |= ike_put_certreq(&w, IKE_CERT_X509_SIGNATURE, ik->certreq,
				      (size_t)ik->certreq_len) < 0;
	if (sa->frag_sup)
		rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0) < 0;
	rc |= ike_put_notify(&w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes,
			     sizeof(hashes)) < 0;
	len = ike_writer_finish(&w);
	sa->init_req = dup_bytes(msg->raw, msg->raw_len);
	sa->init_req_len = msg->raw_len;
	sa->init_resp = len > 0 ? dup_bytes(ik->out, (size_t)len) : NULL;
	sa->init_resp_len = len > 0 ? (size_t)len : 0;
	if (rc != 0 || len <= 0 || sa->init_req == NULL || sa->init_resp == NULL) {
		iked_sa_destroy(ik, sa);
		return;
	}
	sa->peer_next_id = 1;
	iked_send_plain(ik, sa, ik->out, (size_t)len, addr, port, local_port);
}

/* ---- IKE_AUTH ---- */

static void
id_text(const struct ike_id *id, const char *subject, char *out, size_t cap)
{
	size_t i, n = 0;

	switch (id->type) {
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_KEY_ID:
		for (i = 0; i < id->len && n + 1 < cap; i++)
			out[n++] = id->data[i] >= 0x20 && id->data[i] < 0x7f ? (char)id->data[i] : '?';
		out[n] = '\0';
		return;
	case IKE_ID_IPV4_ADDR:
		if (id->len == 4) {
			addr_text(be32_get(id->data), out, cap);
			return;
		}
		break;
	case IKE_ID_DER_ASN1_DN:
		n = strnlen(subject, cap - 1);
		memcpy(out, subject, n);
		out[n] = '\0';
		return;
	default:
		break;
	}
	snprintf(out, cap, "%s", ike_id_type_name(id->type) ? ike_id_type_name(id->type) : "?");
}

/* ESP parameters of one direction from a chosen proposal and its keys. */
static int
esp_params(const struct ike_choice *c, const uint8_t *ekey, const uint8_t *akey, size_t alen,
	   struct esp_sa_params *p)
{
	p->key_len = (uint8_t)(c->encr_key_len / 8);
	if (p->key_len != 16 && p->key_len != 32)
		return -ENOTSUP;
	memcpy(p->key, ekey, p->key_len);
	p->esn = c->esn == IKE_ESN_YES;
	if (c->encr == IKE_ENCR_AES_GCM_16) {
		p->cipher = ESP_CIPHER_AES_GCM_16;
		p->integ = ESP_INTEG_NONE;
		memcpy(p->salt, ekey + p->key_len, 4);
		return 0;
	}
	if (c->encr != IKE_ENCR_AES_CBC)
		return -ENOTSUP;
	p->cipher = ESP_CIPHER_AES_CBC;
	switch (c->integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		p->integ = ESP_INTEG_HMAC_SHA1_96;
		break;
	case IKE_INTEG_HMAC_SHA2_256_128:
		p->integ = ESP_INTEG_HMAC_SHA256_128;
		break;
	case IKE_INTEG_HMAC_SHA2_384_192:
		p->integ = ESP_INTEG_HMAC_SHA384_192;
		break;
	default:
		return -ENOTSUP;
	}
	if (alen > sizeof(p->auth_key))
		return -ENOTSUP;
	memcpy(p->auth_key, akey, alen);
	p->auth_key_len = (uint8_t)alen;
	return 0;
}

/* Both directions of a CHILD_SA for sa from KEYMAT (i: client to us). */
static int
child_params(const struct iked *ik, const struct iked_sa *sa, const struct ike_choice *c,
	     const struct ike_child_keys *k, uint32_t in_spi, struct iked_child_params *p)
{
	struct esp_sa_params *d[2] = { &p->in, &p->out };
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->inner_addr = sa->inner_addr;
	if (esp_params(c, k->ei, k->ai, k->a_len, &p->in) < 0 ||
	    esp_params(c, k->er, k->ar, k->a_len, &p->out) < 0)
		return -ENOTSUP;
	p->in.spi = in_spi;
	p->out.spi = be32_get(c->spi);
	for (i = 0; i < 2; i++) {
		d[i]->local_addr = ik->cfg.local_addr;
		d[i]->remote_addr = sa->peer_addr;
		d[i]->udp_encap = sa->nat;
		d[i]->local_port = 4500;
		d[i]->remote_port = sa->nat ? sa->peer_port : 0;
	}
	return 0;
}

/* A new CHILD_SA is in: its lifetime starts now. */
static void
child_installed(struct iked *ik, struct iked_sa *sa, uint64_t now)
{
	struct iked_tunnel_stats st;

	sa->child_ms = now;
	sa->child_bytes0 = 0;
	sa->rekey_after_ms = 0;
	if (ik->ops.tunnel_stats(ik->cfg.ops_arg, sa->tunnel_id, &st) == 0)
		sa->child_bytes0 = st.in_bytes + st.out_bytes;
}

/*
 * TSr narrowed to the VNet (§2.9): each of the client's any-protocol,
 * any-port ranges cut to each VNet prefix. Ranges with a protocol or port
 * limit are not offered: the data plane's policy is per address only.
 */
static unsigned
narrow_tsr(const struct iked *ik, const struct ike_ts *req, struct ike_ts_ipv4 *out)
{
	unsigned i, j, n = 0;

	for (i = 0; i < ik->cfg.n_vnet; i++) {
		const struct conf_prefix *v = &ik->cfg.vnet[i];
		uint32_t host = v->len >= 32 ? 0 : ~0u >> v->len;
		uint32_t lo = v->addr & ~host, hi = v->addr | host;
		for (j = 0; j < req->n && n < IKE_TS_MAX; j++) {
			const struct ike_ts_ipv4 *t = &req->ts[j];
			uint32_t s = RTE_MAX(lo, t->start_addr), e = RTE_MIN(hi, t->end_addr);

			if (t->ip_proto != 0 || t->start_port != 0 || t->end_port != 65535 || s > e)
				continue;
			out[n++] = (struct ike_ts_ipv4){ .ip_proto = 0, .start_port = 0,
							 .end_port = 65535, .start_addr = s,
							 .end_addr = e };
		}
	}
	return n;
}

/* Does TSi allow the client's address? */
static bool
tsi_covers(const struct ike_ts *tsi, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < tsi->n; i++)
		if (tsi->ts[i].start_addr <= addr && addr <= tsi->ts[i].end_addr)
			return true;
	return false;
}

/* Parse TSi and TSr of a request and narrow them; 0, or the notify to send. */
static uint16_t
selectors(const struct iked *ik, const struct ike_chain *ch, uint32_t inner,
	  struct ike_ts_ipv4 *tsi, struct ike_ts_ipv4 *tsr, unsigned *n_tsr)
{
	int i_tsi = ike_chain_find(ch, IKE_PL_TSI, 0), i_tsr = ike_chain_find(ch, IKE_PL_TSR, 0);
	struct ike_ts ti, tr;

	if (i_tsi < 0 || i_tsr < 0 || ike_ts_parse(IKE_PAYLOAD(ch, i_tsi), &ti) < 0 ||
	    ike_ts_parse(IKE_PAYLOAD(ch, i_tsr), &tr) < 0)
		return IKE_N_INVALID_SYNTAX;
	if (!tsi_covers(&ti, inner))
		return IKE_N_TS_UNACCEPTABLE;
	*n_tsr = narrow_tsr(ik, &tr, tsr);
	if (*n_tsr == 0)
		return IKE_N_TS_UNACCEPTABLE;
	*tsi = (struct ike_ts_ipv4){ .ip_proto = 0, .start_port = 0, .end_port = 65535,
				     .start_addr = inner, .end_addr = inner };
	return 0;
}

/* The CP reply: address, netmask, every DNS server, every VNet prefix (§3.15.1). */
static int
put_cp_reply(const struct iked *ik, const struct iked_sa *sa, struct ike_writer *w)
{
	struct ike_cp_attr a[CP_ATTRS_MAX];
	uint8_t v[CP_ATTRS_MAX][8];
	unsigned n = 0, i;

	be32_put(v[n], sa->inner_addr);
	a[n] = (struct ike_cp_attr){ IKE_CFGA_INTERNAL_IP4_ADDRESS, 4, v[n] };
	n++;
	be32_put(v[n], ik->cfg.pool_mask_len ? ~0u << (32 - ik->cfg.pool_mask_len) : 0);
	a[n] = (struct ike_cp_attr){ IKE_CFGA_INTERNAL_IP4_NETMASK, 4, v[n] };
	n++;
	for (i = 0; i < ik->cfg.n_dns; i++, n++) {
		be32_put(v[n], ik->cfg.dns[i]);
		a[n] = (struct ike_cp_attr){ IKE_CFGA_INTERNAL_IP4_DNS, 4, v[n] };
	}
	for (i = 0; i < ik->cfg.n_vnet; i++, n++) {
		const struct conf_prefix *p = &ik->cfg.vnet[i];

		be32_put(v[n], p->addr);
		be32_put(v[n] + 4, p->len ? ~0u << (32 - p->len) : 0);
		a[n] = (struct ike_cp_attr){ IKE_CFGA_INTERNAL_IP4_SUBNET, 8, v[n] };
	}
	return ike_put_cp(w, IKE_CFG_REPLY, a, n);
}

/* Our IDr: what the client asked for if our certificate carries it, else FQDN or DN. */
static int
our_id(const struct iked *ik, const struct ike_chain *ch, uint8_t *body, size_t cap)
{
	int i_idr = ike_chain_find(ch, IKE_PL_IDR, 0), len;
	char why[128];
	struct ike_id idr;

	memset(body, 0, 4);
	if (i_idr >= 0 && ike_id_parse(IKE_PAYLOAD(ch, i_idr), &idr) == 0 &&
	    auth_id_match(auth_key_cert(ik->cfg.key), &idr, why, sizeof(why)) == 0 &&
	    idr.body_len <= cap) {
		memcpy(body, idr.body, idr.body_len);
		return (int)idr.body_len;
	}
	body[0] = IKE_ID_FQDN;
	len = auth_key_id(ik->cfg.key, IKE_ID_FQDN, body + 4, cap - 4);
	if (len < 0) {
		body[0] = IKE_ID_DER_ASN1_DN;
		len = auth_key_id(ik->cfg.key, IKE_ID_DER_ASN1_DN, body + 4, cap - 4);
	}
	return len < 0 ? len : len + 4;
}

/* IKE_AUTH refused: one notify, then the IKE_SA goes. */
static void
auth_refuse(struct iked *ik, struct iked_sa *sa, enum iked_event ev, uint16_t type,
	    const char *why)
{
	char a[INET_ADDRSTRLEN];

	addr_text(sa->peer_addr, a, sizeof(a));
	ik->events[ev]++;
	IKED_LOG(NOTICE, "IKE_SA %u from %s:%u (%s): %s: %s\n", sa->id, a, sa->peer_port,
		 sa->identity[0] ? sa->identity : "?", ike_notify_name(type), why);
	iked_respond_notify(ik, sa, IKE_EXCH_IKE_AUTH, sa->peer_next_id - 1, type, NULL, 0);
	iked_sa_destroy(ik, sa);
}

/* Verify the client (§2.15): chain, identity, AUTH. 0, or -EACCES with why. */
static int
verify_client(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
	      const struct ike_id *idi, char *why, size_t whylen)
{
	struct ike_chunk certs[AUTH_CERTS_MAX], octets[3];
	uint8_t mac[IKE_PRF_MAX];
	struct auth_result res;
	struct ike_cert cert;
	struct ike_auth auth;
	unsigned i, n = 0;
	int i_auth = ike_chain_find(ch, IKE_PL_AUTH, 0), rc;

	if (i_auth < 0) {
		snprintf(why, whylen, "no AUTH payload (EAP is not offered)");
		return -EACCES;
	}
	if (ike_auth_parse(IKE_PAYLOAD(ch, i_auth), &auth) < 0) {
		snprintf(why, whylen, "malformed AUTH payload");
		return -EACCES;
	}
	for (i = 0; i < ch->n && n < AUTH_CERTS_MAX; i++)
		if (ch->pl[i].type == IKE_PL_CERT && ike_cert_parse(IKE_PAYLOAD(ch, i), &cert) == 0 &&
		    cert.encoding == IKE_CERT_X509_SIGNATURE)
			certs[n++] = (struct ike_chunk){ cert.data, cert.len };
	if (n == 0) {
		snprintf(why, whylen, "no X.509 certificate sent");
		return -EACCES;
	}
	memset(&res, 0, sizeof(res));
	rc = auth_verify_chain(ik->cfg.roots, ik->cfg.revoked, certs, n, time(NULL), &res);
	if (rc < 0) {
		snprintf(why, whylen, "certificate refused: %s: %.400s", auth_verdict_name(res.verdict),
			 res.text);
		auth_result_clear(&res);
		return -EACCES;
	}
	auth_cert_subject(res.leaf, sa->subject, sizeof(sa->subject));
	memcpy(sa->thumbprint, res.thumbprint, sizeof(sa->thumbprint));
	snprintf(sa->root, sizeof(sa->root), "%s", res.root);
	id_text(idi, sa->subject, sa->identity, sizeof(sa->identity));
	rc = auth_id_match(res.leaf, idi, why, whylen);
	if (rc == 0) {
		rc = ike_auth_id_mac(sa->choice.prf, sa->keys.sk_pi, sa->keys.p_len, idi->body,
				     idi->body_len, mac);
		octets[0] = (struct ike_chunk){ sa->init_req, sa->init_req_len };
		octets[1] = (struct ike_chunk){ sa->nr, IKED_NR_LEN };
		octets[2] = (struct ike_chunk){ mac, ike_prf_len(sa->choice.prf) };
		if (rc == 0)
			rc = auth_sig_verify(res.leaf, &auth, octets, 3, why, whylen);
		else
			snprintf(why, whylen, "cannot compute the AUTH octets");
	}
	auth_result_clear(&res);
	return rc < 0 ? -EACCES : 0;
}

/* INITIAL_CONTACT (§3.10.1): older IKE_SAs of this identity go, silently. */
static void
initial_contact(struct iked *ik, const struct iked_sa *sa)
{
	unsigned i;

	for (i = 0; i < ik->cap; i++) {
		struct iked_sa *o = ik->sas[i];

		if (o != NULL && o != sa && o->state == IKED_ESTABLISHED &&
		    strcmp(o->identity, sa->identity) == 0) {
			ik->events[IKED_EV_initial_contact]++;
			IKED_LOG(INFO, "IKE_SA %u (%s): replaced by IKE_SA %u (INITIAL_CONTACT)\n",
				 o->id, o->identity, sa->id);
			o->end = IKED_END_LOST;
			iked_sa_destroy(ik, o);
		}
	}
}

/* Our signed part (§2.15): IDr, CERT(s), AUTH with our key. 0 or -errno. */
static int
put_signed(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch, struct ike_writer *w)
{
	uint8_t idr[512], mac[IKE_PRF_MAX], sig[AUTH_SIG_MAX], method;
	struct ike_chunk octets[3];
	const uint8_t *der;
	size_t der_len;
	int idr_len, sig_len, rc = 0;
	unsigned i;

	idr_len = our_id(ik, ch, idr, sizeof(idr));
	if (idr_len < 4 || ike_auth_id_mac(sa->choice.prf, sa->keys.sk_pr, sa->keys.p_len, idr,
					   (size_t)idr_len, mac) < 0)
		return -EINVAL;
	octets[0] = (struct ike_chunk){ sa->init_resp, sa->init_resp_len };
	octets[1] = (struct ike_chunk){ sa->ni, sa->ni_len };
	octets[2] = (struct ike_chunk){ mac, ike_prf_len(sa->choice.prf) };
	sig_len = auth_sign(ik->cfg.key, sa->peer_hashes, octets, 3, &method, sig, sizeof(sig));
	if (sig_len < 0)
		return sig_len;
	rc |= ike_put_id(w, IKE_PL_IDR, idr[0], idr + 4, (size_t)idr_len - 4) < 0;
	for (i = 0; auth_key_cert_der(ik->cfg.key, i, &der, &der_len) == 0; i++)
		rc |= ike_put_cert(w, IKE_CERT_X509_SIGNATURE, der, der_len) < 0;
	rc |= ike_put_auth(w, method, sig, (size_t)sig_len) < 0;
	return rc != 0 ? -ENOSPC : 0;
}

/*
 * §2.16: AUTH with the EAP method's shared key (the MSK; SK_pi / SK_pr if
 * the method made none): prf(prf(key, "Key Pad for IKEv2"), octets), the
 * octets being the IKE_SA_INIT message, the other side's nonce and
 * prf(SK_p, ID') of the side that authenticates. out: prf length.
 */
static int
eap_auth_mac(const struct iked_sa *sa, bool ours, const uint8_t *id_body, size_t id_len,
	     uint8_t *out)
{
	uint8_t mac[IKE_PRF_MAX];
	struct ike_chunk octets[3];
	const uint8_t *sk_p = ours ? sa->keys.sk_pr : sa->keys.sk_pi;
	int rc;

	rc = ike_auth_id_mac(sa->choice.prf, sk_p, sa->keys.p_len, id_body, id_len, mac);
	if (rc < 0)
		return rc;
	octets[0] = ours ? (struct ike_chunk){ sa->init_resp, sa->init_resp_len }
			 : (struct ike_chunk){ sa->init_req, sa->init_req_len };
	octets[1] = ours ? (struct ike_chunk){ sa->ni, sa->ni_len }
			 : (struct ike_chunk){ sa->nr, IKED_NR_LEN };
	octets[2] = (struct ike_chunk){ mac, ike_prf_len(sa->choice.prf) };
	rc = sa->msk_len != 0
		     ? ike_auth_psk(sa->choice.prf, sa->msk, sa->msk_len, octets, 3, out)
		     : ike_auth_psk(sa->choice.prf, sk_p, sa->keys.p_len, octets, 3, out);
	ike_wipe(mac, sizeof(mac));
	return rc;
}

/*
 * The response that installs the CHILD_SA: IDr, CERT(s), AUTH (signed) for
 * certificate clients; AUTH with the MSK for EAP clients (§2.16: IDr and
 * CERT went in the first response); then CP, SA, TSi, TSr.
 */
static int
auth_response(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
	      const struct ike_ts_ipv4 *tsi, const struct ike_ts_ipv4 *tsr, unsigned n_tsr)
{
	uint8_t spi[4], idr[512], auth[IKE_PRF_MAX];
	struct ike_writer w;
	int rc = 0, idr_len;

	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (sa->eap_used) {
		idr_len = our_id(ik, ch, idr, sizeof(idr));
		if (idr_len < 4 || eap_auth_mac(sa, true, idr, (size_t)idr_len, auth) < 0)
			return -EINVAL;
		rc |= ike_put_auth(&w, IKE_AUTH_SHARED_KEY_MIC, auth, ike_prf_len(sa->choice.prf)) < 0;
	} else {
		rc = put_signed(ik, sa, ch, &w);
		if (rc < 0)
			return rc;
	}
	rc |= put_cp_reply(ik, sa, &w) < 0;
	be32_put(spi, sa->child_in_spi);
	rc |= ike_put_sa_choice(&w, &sa->child, spi, 4) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSI, tsi, 1) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSR, tsr, n_tsr) < 0;
	if (rc != 0)
		return -ENOSPC;
	return iked_respond(ik, sa, IKE_EXCH_IKE_AUTH, sa->peer_next_id - 1, &w);
}

/* The client is authenticated: address, selectors, CHILD_SA, the answer. ch: SA, CP, TS. */
static void
child_up(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch, uint64_t now)
{
	struct ike_ts_ipv4 tsi, tsr[IKE_TS_MAX];
	struct iked_child_params params;
	struct ike_child_keys keys;
	struct ike_sa_offer offer;
	struct ike_choice child;
	struct ike_notify n;
	struct ike_cp cp;
	char why[AUTH_ERR_MAX], a[INET_ADDRSTRLEN], in[INET_ADDRSTRLEN];
	int i_sa = ike_chain_find(ch, IKE_PL_SA, 0), i_cp = ike_chain_find(ch, IKE_PL_CP, 0), rc;
	unsigned n_tsr = 0;
	uint16_t refuse;

	if (find_parse_notify(ch, IKE_N_INITIAL_CONTACT, &n) == 0)
		initial_contact(ik, sa);

	/* The first CHILD_SA: no KE here (§1.2), so DH transforms are ignored. */
	if (i_sa < 0 || ike_sa_parse(IKE_PAYLOAD(ch, i_sa), &offer) < 0 ||
	    ike_proposal_match(ik->accept, &offer, IKE_PROTO_ESP, IKE_DH_NONE, &child) < 0 ||
	    child.spi_size != 4)
		return auth_refuse(ik, sa, IKED_EV_no_proposal, IKE_N_NO_PROPOSAL_CHOSEN,
				   "no acceptable ESP proposal");
	if (i_cp < 0 || ike_cp_parse(IKE_PAYLOAD(ch, i_cp), &cp) < 0 ||
	    cp.cfg_type != IKE_CFG_REQUEST)
		return auth_refuse(ik, sa, IKED_EV_no_address, IKE_N_FAILED_CP_REQUIRED,
				   "no configuration request: the client must ask for an address");
	if (sa->has_framed_ip) {
		/* The RADIUS server chose the address (Framed-IP-Address): it must be ours to give. */
		addr_text(sa->framed_ip, in, sizeof(in));
		if (!pool_contains(ik->cfg.pool, sa->framed_ip)) {
			snprintf(why, sizeof(why), "Framed-IP-Address %s from RADIUS is outside the "
				 "client pool", in);
			return auth_refuse(ik, sa, IKED_EV_no_address,
					   IKE_N_INTERNAL_ADDRESS_FAILURE, why);
		}
		if (pool_take_addr(ik->cfg.pool, sa->framed_ip) < 0) {
			snprintf(why, sizeof(why), "Framed-IP-Address %s from RADIUS is in use", in);
			return auth_refuse(ik, sa, IKED_EV_no_address,
					   IKE_N_INTERNAL_ADDRESS_FAILURE, why);
		}
		sa->inner_addr = sa->framed_ip;
	} else if (pool_take(ik->cfg.pool, &sa->inner_addr) < 0) {
		return auth_refuse(ik, sa, IKED_EV_no_address, IKE_N_INTERNAL_ADDRESS_FAILURE,
				   "client pool exhausted");
	}
	refuse = selectors(ik, ch, sa->inner_addr, &tsi, tsr, &n_tsr);
	if (refuse != 0)
		return auth_refuse(ik, sa, IKED_EV_ts_unacceptable, refuse,
				   "traffic selectors do not meet the VNet");

	sa->child = child;
	sa->child_in_spi = ik->ops.spi_new(ik->cfg.ops_arg);
	rc = ike_child_keys_derive(sa->choice.prf, sa->keys.sk_d, sa->keys.d_len, &child, NULL, 0,
				   sa->ni, sa->ni_len, sa->nr, IKED_NR_LEN, &keys);
	if (rc == 0)
		rc = child_params(ik, sa, &child, &keys, sa->child_in_spi, &params);
	ike_wipe(&keys, sizeof(keys));
	if (rc == 0)
		rc = ik->ops.tunnel_add(ik->cfg.ops_arg, &params, &sa->tunnel_id, why, sizeof(why));
	ike_wipe(&params, sizeof(params));
	if (rc < 0) {
		sa->tunnel_id = 0;
		return auth_refuse(ik, sa, IKED_EV_no_tunnel, IKE_N_NO_ADDITIONAL_SAS, why);
	}
	sa->child_out_spi = be32_get(child.spi);
	rc = auth_response(ik, sa, ch, &tsi, tsr, n_tsr);
	if (rc < 0) {
		IKED_LOG(ERR, "IKE_SA %u: cannot build the IKE_AUTH response (%d)\n", sa->id, rc);
		iked_sa_destroy(ik, sa);
		return;
	}
	iked_sa_established(ik, sa, now);
	child_installed(ik, sa, now);
	ik->events[IKED_EV_established]++;
	addr_text(sa->peer_addr, a, sizeof(a));
	addr_text(sa->inner_addr, in, sizeof(in));
	IKED_LOG(NOTICE, "IKE_SA %u: %s from %s:%u%s%s: address %s, tunnel %u\n", sa->id,
		 sa->identity, a, sa->peer_port, sa->nat ? " (NAT)" : "",
		 sa->eap_used ? " (EAP via RADIUS)" : "", in, sa->tunnel_id);
	if (sa->eap_used) {
		free(sa->eap_first);
		sa->eap_first = NULL;
		sa->eap_first_len = 0;
		ike_wipe(sa->msk, sizeof(sa->msk));
		if (ik->ops.eap_up != NULL)
			ik->ops.eap_up(ik->cfg.ops_arg, sa->id, sa->tunnel_id);
	}
}

/* ---- EAP through the authentication server (§2.16) ---- */

/* The conversation with the server is over (it answered Accept or Reject, or nobody did). */
static void
eap_done(struct iked *ik, struct iked_sa *sa)
{
	if (sa->eap_relay)
		ik->ops.eap_end(ik->cfg.ops_arg, sa->id);
	sa->eap_relay = false;
}

/*
 * The conversation with the server starts: sa->identity is the user name,
 * eap the EAP-Response/Identity to send. The request is held until the
 * server answers.
 */
static void
eap_relay_start(struct iked *ik, struct iked_sa *sa, const uint8_t *eap, size_t len)
{
	int rc;

	sa->eap = IKED_EAP_WAIT_SERVER;
	rc = ik->ops.eap_start(ik->cfg.ops_arg, sa->id, sa->identity, sa->peer_addr,
			       sa->peer_port);
	if (rc == 0) {
		sa->eap_relay = true;
		rc = ik->ops.eap_send(ik->cfg.ops_arg, sa->id, eap, len);
	}
	if (rc < 0) {
		char why[96];

		snprintf(why, sizeof(why), "EAP: the RADIUS client refused the request (%d)", rc);
		auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED, why);
	}
}

/*
 * The first IKE_AUTH without AUTH: keep its payloads. An IDi that is a user
 * name (e-mail, FQDN, key id) starts the conversation with the server at
 * once, with EAP-Response/Identity made of it (as strongSwan's eap-radius
 * does), and nothing is answered until the server has. Any other IDi (an
 * address, as Windows sends, or a DN) gets our signed part and an
 * EAP-Request/Identity: the client's answer names the user.
 */
static void
eap_begin(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
	  const struct ike_id *idi)
{
	static const uint8_t ask[] = { 1, 1, 0, 5, 1 }; /* Request/Identity */
	uint8_t eap[5 + IKED_ID_TEXT];
	struct ike_writer w;
	size_t n;

	if (ik->plain_len == 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: no request to keep");
	sa->eap_first = dup_bytes(ik->plain, ik->plain_len);
	if (sa->eap_first == NULL)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: out of memory");
	sa->eap_first_len = ik->plain_len;
	sa->eap_first_type = ik->plain_first;
	ik->events[IKED_EV_eap_started]++;
	id_text(idi, "", sa->identity, sizeof(sa->identity));
	n = strlen(sa->identity);
	if ((idi->type == IKE_ID_FQDN || idi->type == IKE_ID_RFC822_ADDR ||
	     idi->type == IKE_ID_KEY_ID) && n != 0) {
		eap[0] = 2; /* Response */
		eap[1] = 0;
		eap[2] = (uint8_t)((5 + n) >> 8);
		eap[3] = (uint8_t)(5 + n);
		eap[4] = 1; /* Identity */
		memcpy(eap + 5, sa->identity, n);
		return eap_relay_start(ik, sa, eap, 5 + n);
	}
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (put_signed(ik, sa, ch, &w) < 0 || ike_put_raw(&w, IKE_PL_EAP, ask, sizeof(ask)) < 0 ||
	    iked_respond(ik, sa, IKE_EXCH_IKE_AUTH, sa->peer_next_id - 1, &w) < 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: cannot build the IKE_AUTH response");
	sa->eap_answered = true;
	sa->eap = IKED_EAP_WAIT_IDENTITY;
}

/* The client's EAP-Response/Identity (we asked): the user name, then the server. */
static void
eap_identity(struct iked *ik, struct iked_sa *sa, const struct ike_eap *e)
{
	size_t i, n;

	if (e->code != 2 || e->type != 1 || e->len <= 5 || e->len - 5 >= sizeof(sa->identity))
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: expected an EAP-Response/Identity with a user name");
	n = e->len - 5;
	for (i = 0; i < n; i++)
		sa->identity[i] = e->data[5 + i] >= 0x20 && e->data[5 + i] < 0x7f
					  ? (char)e->data[5 + i] : '?';
	sa->identity[n] = '\0';
	eap_relay_start(ik, sa, e->data, e->len);
}

/* The last IKE_AUTH of an EAP client: its AUTH with the MSK (§2.16), then the tunnel. */
static void
eap_final(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch, uint64_t now)
{
	int i_auth = ike_chain_find(ch, IKE_PL_AUTH, 0), i_idi;
	uint8_t expect[IKE_PRF_MAX];
	size_t plen = ike_prf_len(sa->choice.prf);
	struct ike_chain first;
	struct ike_auth auth;
	struct ike_id idi;

	if (i_auth < 0 || ike_auth_parse(IKE_PAYLOAD(ch, i_auth), &auth) < 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: no AUTH payload after EAP-Success");
	if (ike_chain_parse(sa->eap_first_type, sa->eap_first, sa->eap_first_len, &first) < 0 ||
	    (i_idi = ike_chain_find(&first, IKE_PL_IDI, 0)) < 0 ||
	    ike_id_parse(IKE_PAYLOAD(&first, i_idi), &idi) < 0 ||
	    eap_auth_mac(sa, false, idi.body, idi.body_len, expect) < 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: cannot compute the AUTH octets");
	if (auth.method != IKE_AUTH_SHARED_KEY_MIC || auth.len != plen ||
	    CRYPTO_memcmp(auth.data, expect, plen) != 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: the client's AUTH does not verify with the MSK");
	sa->eap_used = true;
	sa->eap = IKED_EAP_NONE;
	child_up(ik, sa, &first, now);
}

static struct iked_sa *
sa_by_id(const struct iked *ik, uint32_t id)
{
	unsigned i;

	for (i = 0; i < ik->cap; i++)
		if (ik->sas[i] != NULL && ik->sas[i]->id == id)
			return ik->sas[i];
	return NULL;
}

void
iked_eap_result(struct iked *ik, uint32_t sa_id, const struct iked_eap_result *r, uint64_t now)
{
	struct iked_sa *sa = sa_by_id(ik, sa_id);
	uint8_t success[4] = { 3, 0, 0, 4 };
	struct ike_chain first;
	struct ike_writer w;
	char why[AUTH_ERR_MAX];
	int rc = 0;

	(void)now;
	if (sa == NULL || sa->eap != IKED_EAP_WAIT_SERVER)
		return;
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	switch (r->verdict) {
	case IKED_EAP_CHALLENGE:
	case IKED_EAP_ACCEPT:
		if (r->verdict == IKED_EAP_CHALLENGE && (r->eap == NULL || r->eap_len < 5 ||
							 r->eap[0] != 1))
			return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
					   "EAP: the server's challenge carries no EAP-Request");
		/* The first answer carries our identity, certificate and signature. */
		if (!sa->eap_answered) {
			rc = ike_chain_parse(sa->eap_first_type, sa->eap_first, sa->eap_first_len,
					     &first);
			if (rc == 0)
				rc = put_signed(ik, sa, &first, &w);
		}
		if (r->verdict == IKED_EAP_ACCEPT && (r->eap == NULL || r->eap_len < 4 ||
						      r->eap[0] != 3))
			rc |= ike_put_raw(&w, IKE_PL_EAP, success, sizeof(success)) < 0;
		else
			rc |= ike_put_raw(&w, IKE_PL_EAP, r->eap, r->eap_len) < 0;
		if (rc != 0 || iked_respond(ik, sa, IKE_EXCH_IKE_AUTH, sa->peer_next_id - 1, &w) < 0)
			return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
					   "EAP: cannot build the IKE_AUTH response");
		sa->eap_answered = true;
		if (r->verdict == IKED_EAP_CHALLENGE) {
			sa->eap = IKED_EAP_WAIT_CLIENT;
			return;
		}
		ik->events[IKED_EV_eap_accepted]++;
		sa->msk_len = r->msk != NULL ? RTE_MIN(r->msk_len, sizeof(sa->msk)) : 0;
		if (sa->msk_len != 0)
			memcpy(sa->msk, r->msk, sa->msk_len);
		sa->has_framed_ip = r->has_framed_ip;
		sa->framed_ip = r->framed_ip;
		sa->eap = IKED_EAP_WAIT_AUTH;
		eap_done(ik, sa);
		return;
	case IKED_EAP_REJECT:
		ik->events[IKED_EV_eap_rejected]++;
		eap_done(ik, sa);
		if (r->eap == NULL || r->eap_len < 4 || r->eap[0] != 4)
			return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
					   "EAP: the RADIUS server rejected the client");
		ik->events[IKED_EV_auth_failed]++;
		IKED_LOG(NOTICE, "IKE_SA %u (%s): EAP-Failure: the RADIUS server rejected the "
			 "client\n", sa->id, sa->identity);
		if (ike_put_raw(&w, IKE_PL_EAP, r->eap, r->eap_len) >= 0)
			iked_respond(ik, sa, IKE_EXCH_IKE_AUTH, sa->peer_next_id - 1, &w);
		iked_sa_destroy(ik, sa);
		return;
	case IKED_EAP_TIMEOUT:
	default:
		ik->events[IKED_EV_eap_timeouts]++;
		eap_done(ik, sa);
		snprintf(why, sizeof(why), "EAP: %.400s",
			 r->reason != NULL && r->reason[0] ? r->reason : "no RADIUS server answered");
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED, why);
	}
}

/* A later IKE_AUTH of an EAP conversation: the next EAP-Response, or the final AUTH. */
static void
eap_continue(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch, uint64_t now)
{
	int i = ike_chain_find(ch, IKE_PL_EAP, 0);
	struct ike_eap e;

	if (sa->eap == IKED_EAP_WAIT_AUTH)
		return eap_final(ik, sa, ch, now);
	if (i < 0 || ike_eap_parse(IKE_PAYLOAD(ch, i), &e) < 0 || e.code != 2)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: expected an EAP-Response");
	if (sa->eap == IKED_EAP_WAIT_IDENTITY)
		return eap_identity(ik, sa, &e);
	sa->eap = IKED_EAP_WAIT_SERVER;
	if (ik->ops.eap_send(ik->cfg.ops_arg, sa->id, e.data, e.len) < 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "EAP: the RADIUS client refused the request");
}

void
iked_auth(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch, uint64_t now)
{
	int i_idi = ike_chain_find(ch, IKE_PL_IDI, 0);
	char why[AUTH_ERR_MAX];
	struct ike_id idi;

	if (sa->eap == IKED_EAP_WAIT_CLIENT || sa->eap == IKED_EAP_WAIT_AUTH ||
	    sa->eap == IKED_EAP_WAIT_IDENTITY)
		return eap_continue(ik, sa, ch, now);
	if (i_idi < 0 || ike_id_parse(IKE_PAYLOAD(ch, i_idi), &idi) < 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "no valid IDi");
	/* §2.16: no AUTH payload means the client wants EAP. */
	if (ike_chain_find(ch, IKE_PL_AUTH, 0) < 0 && ik->eap)
		return eap_begin(ik, sa, ch, &idi);
	if (ik->cert_off && ike_chain_find(ch, IKE_PL_AUTH, 0) >= 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED,
				   "certificate authentication is switched off (auth)");
	if (verify_client(ik, sa, ch, &idi, why, sizeof(why)) < 0)
		return auth_refuse(ik, sa, IKED_EV_auth_failed, IKE_N_AUTHENTICATION_FAILED, why);
	child_up(ik, sa, ch, now);
}

/* ---- CREATE_CHILD_SA ---- */

static void
ccsa_refuse(struct iked *ik, struct iked_sa *sa, enum iked_event ev, uint16_t type,
	    const void *data, size_t len)
{
	if (ev < IKED_EV_COUNT)
		ik->events[ev]++;
	iked_respond_notify(ik, sa, IKE_EXCH_CREATE_CHILD_SA, sa->peer_next_id - 1, type, data,
			    len);
}

/* Match an offer with the KE that came with it; on refusal the answer is sent. */
static int
ccsa_match(struct iked *ik, struct iked_sa *sa, const struct ike_sa_offer *offer,
	   uint8_t protocol, const struct ike_ke *ke, struct ike_choice *c)
{
	int rc = ike_proposal_match(ik->accept, offer, protocol, ke ? ke->group : IKE_DH_NONE, c);

	if (rc == -EAGAIN) {
		uint8_t g[2] = { (uint8_t)(c->dh >> 8), (uint8_t)c->dh };

		ccsa_refuse(ik, sa, IKED_EV_invalid_ke, IKE_N_INVALID_KE_PAYLOAD, g, 2);
	} else if (rc < 0) {
		ccsa_refuse(ik, sa, IKED_EV_no_proposal, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	}
	return rc;
}

/* §1.3.2: a new IKE_SA replaces this one; children and the client's state move to it. */
static void
rekey_ike(struct iked *ik, struct iked_sa *sa, const struct ike_sa_offer *offer,
	  const struct ike_nonce *ni, const struct ike_ke *ke)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX], g_ir[DH_SECRET_MAX], skeyseed[IKE_PRF_MAX], spi[8];
	struct ike_choice c;
	struct ike_writer w;
	struct iked_sa *nsa;
	size_t pub_len = 0;
	int len, rc;

	if (ke == NULL)
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_INVALID_SYNTAX, NULL, 0);
	if (ccsa_match(ik, sa, offer, IKE_PROTO_IKE, ke, &c) < 0)
		return;
	if (c.spi_size != 8 || be64_get(c.spi) == 0)
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_INVALID_SYNTAX, NULL, 0);
	len = dh_exchange(c.dh, ke, pub, sizeof(pub), &pub_len, g_ir, sizeof(g_ir));
	if (len < 0)
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_INVALID_SYNTAX, NULL, 0);
	nsa = iked_sa_successor(ik, sa, be64_get(c.spi), 0);
	if (nsa == NULL) {
		ike_wipe(g_ir, sizeof(g_ir));
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	}
	nsa->choice = c;
	nsa->ni_len = ni->len;
	memcpy(nsa->ni, ni->data, ni->len);
	RAND_bytes(nsa->nr, IKED_NR_LEN);
	rc = ike_skeyseed_rekey(sa->choice.prf, sa->keys.sk_d, sa->keys.d_len, g_ir, (size_t)len,
				nsa->ni, nsa->ni_len, nsa->nr, IKED_NR_LEN, skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_derive(&c, skeyseed, nsa->ni, nsa->ni_len, nsa->nr, IKED_NR_LEN,
					nsa->spi_i, nsa->spi_r, &nsa->keys);
	if (rc == 0)
		rc = ike_sk_from_keys(&c, &nsa->keys, &nsa->sk_i, &nsa->sk_r);
	ike_wipe(skeyseed, sizeof(skeyseed));
	ike_wipe(g_ir, sizeof(g_ir));

	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	be64_put(spi, nsa->spi_r);
	if (rc < 0 || ike_put_sa_choice(&w, &c, spi, 8) < 0 ||
	    ike_put_nonce(&w, nsa->nr, IKED_NR_LEN) < 0 || ike_put_ke(&w, c.dh, pub, pub_len) < 0) {
		/* Cannot answer: the client keeps the old IKE_SA, so must we. */
		IKED_LOG(ERR, "IKE_SA %u: rekey failed (%d)\n", sa->id, rc);
		iked_sa_destroy(ik, nsa);
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_TEMPORARY_FAILURE, NULL, 0);
	}
	iked_respond(ik, sa, IKE_EXCH_CREATE_CHILD_SA, sa->peer_next_id - 1, &w);
	ik->events[IKED_EV_ike_rekeys]++;
	IKED_LOG(INFO, "IKE_SA %u (%s): rekeyed, now IKE_SA %u\n", sa->id, nsa->identity, nsa->id);
}

/* §1.3.3: a new CHILD_SA pair for the tunnel; the old inbound SA stays until its DELETE. */
static void
rekey_child(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
	    const struct ike_sa_offer *offer, const struct ike_nonce *ni, const struct ike_ke *ke,
	    uint32_t old_spi, uint64_t now)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX], g_ir[DH_SECRET_MAX], nr[IKED_NR_LEN], spi[4];
	struct ike_ts_ipv4 tsi, tsr[IKE_TS_MAX];
	struct iked_child_params params;
	struct ike_child_keys keys;
	struct ike_choice c;
	struct ike_writer w;
	char why[AUTH_ERR_MAX];
	size_t pub_len = 0;
	unsigned n_tsr = 0;
	uint32_t in_spi;
	uint16_t refuse;
	int len = 0, rc;

	if (sa->tunnel_id == 0 || (old_spi != sa->child_out_spi && old_spi != sa->child_in_spi))
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
	if (ccsa_match(ik, sa, offer, IKE_PROTO_ESP, ke, &c) < 0)
		return;
	if (c.spi_size != 4)
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_INVALID_SYNTAX, NULL, 0);
	refuse = selectors(ik, ch, sa->inner_addr, &tsi, tsr, &n_tsr);
	if (refuse != 0)
		return ccsa_refuse(ik, sa, IKED_EV_ts_unacceptable, refuse, NULL, 0);
	if (ke != NULL && c.dh != IKE_DH_NONE) {
		len = dh_exchange(c.dh, ke, pub, sizeof(pub), &pub_len, g_ir, sizeof(g_ir));
		if (len < 0)
			return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	RAND_bytes(nr, sizeof(nr));
	in_spi = ik->ops.spi_new(ik->cfg.ops_arg);
	rc = ike_child_keys_derive(sa->choice.prf, sa->keys.sk_d, sa->keys.d_len, &c,
				   len > 0 ? g_ir : NULL, (size_t)len, ni->data, ni->len, nr,
				   sizeof(nr), &keys);
	ike_wipe(g_ir, sizeof(g_ir));
	if (rc == 0)
		rc = child_params(ik, sa, &c, &keys, in_spi, &params);
	ike_wipe(&keys, sizeof(keys));
	snprintf(why, sizeof(why), "unsupported ESP transform");
	if (rc == 0)
		rc = ik->ops.tunnel_rekey(ik->cfg.ops_arg, sa->tunnel_id, &params, why, sizeof(why));
	ike_wipe(&params, sizeof(params));
	if (rc < 0) {
		IKED_LOG(WARNING, "IKE_SA %u (%s): CHILD_SA rekey refused: %s\n", sa->id,
			 sa->identity, why);
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	}
	/* A CHILD_SA from an earlier rekey the client never deleted goes now. */
	if (sa->old_in_spi != 0)
		ik->ops.child_remove(ik->cfg.ops_arg, sa->old_in_spi);
	sa->old_in_spi = sa->child_in_spi;
	sa->old_out_spi = sa->child_out_spi;
	sa->child_in_spi = in_spi;
	sa->child_out_spi = be32_get(c.spi);
	sa->child = c;
	child_installed(ik, sa, now);

	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	be32_put(spi, in_spi);
	rc = ike_put_sa_choice(&w, &c, spi, 4) < 0;
	rc |= ike_put_nonce(&w, nr, sizeof(nr)) < 0;
	if (len > 0)
		rc |= ike_put_ke(&w, c.dh, pub, pub_len) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSI, &tsi, 1) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSR, tsr, n_tsr) < 0;
	if (rc == 0)
		iked_respond(ik, sa, IKE_EXCH_CREATE_CHILD_SA, sa->peer_next_id - 1, &w);
	ik->events[IKED_EV_child_rekeys]++;
	IKED_LOG(INFO, "IKE_SA %u (%s): CHILD_SA rekeyed, in 0x%08x out 0x%08x\n", sa->id,
		 sa->identity, sa->child_in_spi, sa->child_out_spi);
}

void
iked_create_child(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch, uint64_t now)
{
	int i_sa = ike_chain_find(ch, IKE_PL_SA, 0), i_no = ike_chain_find(ch, IKE_PL_NONCE, 0);
	int i_ke = ike_chain_find(ch, IKE_PL_KE, 0);
	struct ike_sa_offer offer;
	struct ike_nonce ni;
	struct ike_notify n;
	struct ike_ke ke;

	if (i_sa < 0 || i_no < 0 || ike_sa_parse(IKE_PAYLOAD(ch, i_sa), &offer) < 0 ||
	    offer.n == 0 || ike_nonce_parse(IKE_PAYLOAD(ch, i_no), &ni) < 0 ||
	    (i_ke >= 0 && ike_ke_parse(IKE_PAYLOAD(ch, i_ke), &ke) < 0))
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_INVALID_SYNTAX, NULL, 0);
	if (offer.proposal[0].protocol == IKE_PROTO_IKE)
		return rekey_ike(ik, sa, &offer, &ni, i_ke >= 0 ? &ke : NULL);
	/* One CHILD_SA per client: a second one is refused, a rekey is fine. */
	if (find_parse_notify(ch, IKE_N_REKEY_SA, &n) != 0 || n.protocol != IKE_PROTO_ESP ||
	    n.spi_size != 4)
		return ccsa_refuse(ik, sa, IKED_EV_COUNT, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	rekey_child(ik, sa, ch, &offer, &ni, i_ke >= 0 ? &ke : NULL, be32_get(n.spi), now);
}

/* ---- INFORMATIONAL ---- */

void
iked_informational(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
		   uint64_t now)
{
	uint8_t ours[2][4];
	struct ike_writer w;
	struct ike_delete d;
	bool ike = false;
	unsigned i, j, n = 0;

	(void)now;
	for (i = 0; i < ch->n; i++) {
		if (ch->pl[i].type != IKE_PL_DELETE || ike_delete_parse(IKE_PAYLOAD(ch, i), &d) < 0)
			continue;
		if (d.protocol == IKE_PROTO_IKE) {
			ike = true;
			continue;
		}
		if (d.protocol != IKE_PROTO_ESP || d.spi_size != 4)
			continue;
		for (j = 0; j < d.n_spi; j++) {
			uint32_t spi = be32_get(d.spis + 4 * j);

			if (n == 2)
				break;
			if (spi != 0 && spi == sa->old_out_spi && sa->old_in_spi != 0) {
				ik->ops.child_remove(ik->cfg.ops_arg, sa->old_in_spi);
				be32_put(ours[n++], sa->old_in_spi);
				sa->old_in_spi = sa->old_out_spi = 0;
			} else if (spi != 0 && spi == sa->child_out_spi && sa->tunnel_id != 0) {
				ik->events[IKED_EV_deletes_received]++;
				be32_put(ours[n++], sa->child_in_spi);
				ik->ops.tunnel_del(ik->cfg.ops_arg, sa->tunnel_id, IKED_END_CLIENT);
				pool_give(ik->cfg.pool, sa->inner_addr);
				sa->tunnel_id = 0;
				sa->inner_addr = 0;
				sa->child_in_spi = sa->child_out_spi = 0;
				sa->old_in_spi = sa->old_out_spi = 0;
			}
		}
	}
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (!ike && n > 0)
		ike_put_delete(&w, IKE_PROTO_ESP, 4, ours[0], (uint16_t)n);
	iked_respond(ik, sa, IKE_EXCH_INFORMATIONAL, sa->peer_next_id - 1, &w);
	if (ike) {
		if (sa->state == IKED_ESTABLISHED) {
			ik->events[IKED_EV_deletes_received]++;
			IKED_LOG(INFO, "IKE_SA %u (%s): deleted by the client\n", sa->id,
				 sa->identity);
		}
		sa->end = IKED_END_CLIENT;
		iked_sa_destroy(ik, sa);
	}
}

/* ---- our CHILD_SA rekey (§1.3.3 with us as the initiator) ---- */

/* The VNet prefixes as selectors: our side of the CHILD_SA. */
static unsigned
vnet_selectors(const struct iked *ik, struct ike_ts_ipv4 *ts)
{
	unsigned i, n = 0;

	for (i = 0; i < ik->cfg.n_vnet && n < IKE_TS_MAX; i++) {
		const struct conf_prefix *v = &ik->cfg.vnet[i];
		uint32_t host = v->len >= 32 ? 0 : ~0u >> v->len;

		ts[n++] = (struct ike_ts_ipv4){ .ip_proto = 0, .start_port = 0, .end_port = 65535,
						.start_addr = v->addr & ~host,
						.end_addr = v->addr | host };
	}
	return n;
}

int
iked_rekey_child_start(struct iked *ik, struct iked_sa *sa, uint64_t now)
{
	struct ike_ts_ipv4 ours[IKE_TS_MAX], client;
	struct ike_choice offer;
	struct ike_writer w;
	uint8_t spi[4], old[4];
	unsigned n_ours;
	int rc = 0;

	if (sa->tunnel_id == 0 || sa->old_in_spi != 0)
		return -EBUSY;
	/* The same transforms as the CHILD_SA in use: the client took them once. */
	offer = sa->child;
	offer.number = 1;
	sa->rekey_in_spi = ik->ops.spi_new(ik->cfg.ops_arg);
	be32_put(spi, sa->rekey_in_spi);
	be32_put(old, sa->child_in_spi);
	RAND_bytes(sa->rekey_ni, sizeof(sa->rekey_ni));
	n_ours = vnet_selectors(ik, ours);
	client = (struct ike_ts_ipv4){ .ip_proto = 0, .start_port = 0, .end_port = 65535,
				       .start_addr = sa->inner_addr, .end_addr = sa->inner_addr };
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	rc |= ike_put_notify(&w, IKE_PROTO_ESP, old, 4, IKE_N_REKEY_SA, NULL, 0) < 0;
	rc |= ike_put_sa_choice(&w, &offer, spi, 4) < 0;
	rc |= ike_put_nonce(&w, sa->rekey_ni, sizeof(sa->rekey_ni)) < 0;
	/* We start this exchange: TSi is our side (the VNet), TSr the client. */
	rc |= ike_put_ts(&w, IKE_PL_TSI, ours, n_ours) < 0;
	rc |= ike_put_ts(&w, IKE_PL_TSR, &client, 1) < 0;
	if (rc != 0)
		return -ENOSPC;
	IKED_LOG(INFO, "IKE_SA %u (%s): CHILD_SA lifetime over, rekeying\n", sa->id, sa->identity);
	return iked_request(ik, sa, IKE_EXCH_CREATE_CHILD_SA, IKED_REQ_REKEY_CHILD, &w, now);
}

void
iked_rekey_child_done(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
		      uint64_t now)
{
	int i_sa = ike_chain_find(ch, IKE_PL_SA, 0), i_no = ike_chain_find(ch, IKE_PL_NONCE, 0);
	struct iked_child_params params;
	struct ike_child_keys keys;
	struct ike_sa_offer offer;
	struct ike_choice c;
	struct ike_nonce nr;
	struct ike_writer w;
	char why[AUTH_ERR_MAX];
	uint8_t old[4];
	int rc;

	snprintf(why, sizeof(why), "the client refused or answered without SA and nonce");
	rc = i_sa < 0 || i_no < 0 || ike_sa_parse(IKE_PAYLOAD(ch, i_sa), &offer) < 0 ||
			     offer.n != 1 || ike_nonce_parse(IKE_PAYLOAD(ch, i_no), &nr) < 0
		     ? -EINVAL : 0;
	/* The answer must be what we offered (one proposal, our transforms). */
	if (rc == 0 && (ike_proposal_match(ik->accept, &offer, IKE_PROTO_ESP, IKE_DH_NONE, &c) < 0 ||
			c.spi_size != 4 || c.encr != sa->child.encr ||
			c.encr_key_len != sa->child.encr_key_len || c.integ != sa->child.integ)) {
		snprintf(why, sizeof(why), "the client chose transforms we did not offer");
		rc = -EINVAL;
	}
	/* KEYMAT with our nonce first: the "i" keys carry our packets (§2.17). */
	if (rc == 0)
		rc = ike_child_keys_derive(sa->choice.prf, sa->keys.sk_d, sa->keys.d_len, &c, NULL, 0,
					   sa->rekey_ni, sizeof(sa->rekey_ni), nr.data, nr.len,
					   &keys);
	if (rc == 0) {
		struct ike_child_keys swapped = keys;

		memcpy(swapped.ei, keys.er, sizeof(keys.er));
		memcpy(swapped.ai, keys.ar, sizeof(keys.ar));
		memcpy(swapped.er, keys.ei, sizeof(keys.ei));
		memcpy(swapped.ar, keys.ai, sizeof(keys.ai));
		rc = child_params(ik, sa, &c, &swapped, sa->rekey_in_spi, &params);
		ike_wipe(&swapped, sizeof(swapped));
	}
	ike_wipe(&keys, sizeof(keys));
	if (rc == 0)
		rc = ik->ops.tunnel_rekey(ik->cfg.ops_arg, sa->tunnel_id, &params, why, sizeof(why));
	ike_wipe(&params, sizeof(params));
	if (rc < 0) {
		/* The CHILD_SA in use goes on; try again in a minute. */
		IKED_LOG(WARNING, "IKE_SA %u (%s): our CHILD_SA rekey failed: %s\n", sa->id,
			 sa->identity, why);
		sa->rekey_after_ms = now + 60000;
		return;
	}
	sa->old_in_spi = sa->child_in_spi;
	sa->old_out_spi = sa->child_out_spi;
	sa->child_in_spi = sa->rekey_in_spi;
	sa->child_out_spi = be32_get(c.spi);
	sa->child = c;
	child_installed(ik, sa, now);
	ik->events[IKED_EV_child_rekeys]++;
	IKED_LOG(INFO, "IKE_SA %u (%s): CHILD_SA rekeyed by us, in 0x%08x out 0x%08x\n", sa->id,
		 sa->identity, sa->child_in_spi, sa->child_out_spi);
	/* Then the old one goes (§1.4.1): its inbound SA stays until the answer. */
	be32_put(old, sa->old_in_spi);
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (ike_put_delete(&w, IKE_PROTO_ESP, 4, old, 1) >= 0)
		iked_request(ik, sa, IKE_EXCH_INFORMATIONAL, IKED_REQ_DELETE_CHILD, &w, now);
}

/* ---- our IKE_SA rekey (§1.3.2, §2.18 with us as the initiator) ---- */

int
iked_rekey_ike_start(struct iked *ik, struct iked_sa *sa, uint64_t now)
{
	uint8_t pub[IKE_DH_PUBLIC_MAX], spi[8];
	struct ike_choice offer;
	struct ike_writer w;
	int len, rc = 0;

	if (sa->state != IKED_ESTABLISHED)
		return -EBUSY;
	/* The transforms in use: the client chose them once. */
	offer = sa->choice;
	offer.number = 1;
	ike_dh_free(sa->rekey_dh);
	sa->rekey_dh = ike_dh_new(sa->choice.dh);
	if (sa->rekey_dh == NULL)
		return -ENOMEM;
	len = ike_dh_public(sa->rekey_dh, pub, sizeof(pub));
	if (len < 0)
		return len;
	sa->rekey_spi = iked_spi_new(ik);
	be64_put(spi, sa->rekey_spi);
	RAND_bytes(sa->rekey_ni, sizeof(sa->rekey_ni));
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	rc |= ike_put_sa_choice(&w, &offer, spi, 8) < 0;
	rc |= ike_put_nonce(&w, sa->rekey_ni, sizeof(sa->rekey_ni)) < 0;
	rc |= ike_put_ke(&w, sa->choice.dh, pub, (size_t)len) < 0;
	if (rc != 0)
		return -ENOSPC;
	IKED_LOG(INFO, "IKE_SA %u (%s): IKE_SA lifetime over, rekeying\n", sa->id, sa->identity);
	return iked_request(ik, sa, IKE_EXCH_CREATE_CHILD_SA, IKED_REQ_REKEY_IKE, &w, now);
}

void
iked_rekey_ike_done(struct iked *ik, struct iked_sa *sa, const struct ike_chain *ch,
		    uint64_t now)
{
	int i_sa = ike_chain_find(ch, IKE_PL_SA, 0), i_no = ike_chain_find(ch, IKE_PL_NONCE, 0);
	int i_ke = ike_chain_find(ch, IKE_PL_KE, 0), len = -EINVAL, rc = -EINVAL;
	uint8_t g_ir[DH_SECRET_MAX], skeyseed[IKE_PRF_MAX];
	struct ike_sk from_i, from_r;
	struct ike_sa_offer offer;
	struct ike_nonce nr;
	struct ike_choice c;
	struct ike_ke ke;
	struct iked_sa *nsa = NULL;
	struct ike_writer w;

	/* The answer must be our offer: one IKE proposal, our transforms, a KE. */
	if (i_sa >= 0 && i_no >= 0 && i_ke >= 0 && ike_sa_parse(IKE_PAYLOAD(ch, i_sa), &offer) == 0 &&
	    offer.n == 1 && ike_nonce_parse(IKE_PAYLOAD(ch, i_no), &nr) == 0 &&
	    ike_ke_parse(IKE_PAYLOAD(ch, i_ke), &ke) == 0 &&
	    ike_proposal_match(ik->accept, &offer, IKE_PROTO_IKE, ke.group, &c) == 0 &&
	    c.spi_size == 8 && be64_get(c.spi) != 0 && c.encr == sa->choice.encr &&
	    c.encr_key_len == sa->choice.encr_key_len && c.prf == sa->choice.prf &&
	    c.integ == sa->choice.integ && c.dh == sa->choice.dh && sa->rekey_dh != NULL)
		len = ike_dh_shared(sa->rekey_dh, ke.data, ke.len, g_ir, sizeof(g_ir));
	ike_dh_free(sa->rekey_dh);
	sa->rekey_dh = NULL;
	if (len >= 0)
		nsa = iked_sa_successor(ik, sa, be64_get(c.spi), sa->rekey_spi);
	if (nsa != NULL) {
		nsa->choice = c;
		/* We started the exchange: our nonce is Ni, the client's Nr (§2.18). */
		memcpy(nsa->ni, sa->rekey_ni, sizeof(sa->rekey_ni));
		nsa->ni_len = sizeof(sa->rekey_ni);
		memcpy(nsa->nr, nr.data, RTE_MIN(nr.len, sizeof(nsa->nr)));
		rc = ike_skeyseed_rekey(sa->choice.prf, sa->keys.sk_d, sa->keys.d_len, g_ir,
					(size_t)len, sa->rekey_ni, sizeof(sa->rekey_ni), nr.data,
					nr.len, skeyseed);
		if (rc == 0)
			rc = ike_sa_keys_derive(&c, skeyseed, sa->rekey_ni, sizeof(sa->rekey_ni),
						nr.data, nr.len, nsa->spi_i, nsa->spi_r, &nsa->keys);
		if (rc == 0)
			rc = ike_sk_from_keys(&c, &nsa->keys, &from_i, &from_r);
		if (rc == 0) {
			/* We are the initiator now: the client sends with the responder's keys. */
			nsa->sk_i = from_r;
			nsa->sk_r = from_i;
		}
		ike_sk_wipe(&from_i);
		ike_sk_wipe(&from_r);
	}
	ike_wipe(skeyseed, sizeof(skeyseed));
	ike_wipe(g_ir, sizeof(g_ir));
	if (rc != 0) {
		/* Both sides may now hold different IKE_SAs: end it cleanly. */
		IKED_LOG(WARNING, "IKE_SA %u (%s): our IKE_SA rekey failed, deleted\n", sa->id,
			 sa->identity);
		if (nsa != NULL) {
			/* The tunnel moved to nsa: it goes with it. */
			iked_sa_end(ik, nsa, IKED_END_ERROR, now);
			iked_sa_destroy(ik, sa);
		} else {
			iked_sa_end(ik, sa, IKED_END_ERROR, now);
		}
		return;
	}
	nsa->ike_ms = now;
	ik->events[IKED_EV_ike_rekeys]++;
	IKED_LOG(INFO, "IKE_SA %u (%s): rekeyed by us, now IKE_SA %u\n", sa->id, nsa->identity,
		 nsa->id);
	/* Then the old IKE_SA goes (§1.3.2): DELETE on it, freed on the answer. */
	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) >= 0)
		iked_request(ik, sa, IKE_EXCH_INFORMATIONAL, IKED_REQ_DELETE, &w, now);
}
