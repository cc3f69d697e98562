/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for lib/radius: the codec on its own, and the client's
 * input path with requests in flight. A fresh client per input (two servers
 * by priority, a stub send that keeps what went out) with one EAP session
 * and one accounting request outstanding; the input's records arrive as
 * replies, with radius_timers() between them on a clock the input advances,
 * and the client is freed at the end.
 *
 * Input: one control byte, then records (a 2-byte big-endian length and that
 * many bytes; the last may be short).
 *   bits 0-1  mode: 0 each record goes through the codec alone (validate,
 *               attributes, Vendor-Specific, EAP join, password unhide,
 *               MPPE decrypt, reply verification raw and signed);
 *             1 records are raw datagrams to the client;
 *             2 records are flags + a reply that the harness fits to the
 *               outstanding Access-Request: identifier, Length, MS-MPPE
 *               key plaintexts encrypted, Message-Authenticator and Response
 *               Authenticator computed with the server's secret, so the
 *               parser goes past authentication;
 *             3 the same for the outstanding Accounting-Request.
 *   bits 2-3  who sends: 0 the server the request went to, 1 the other
 *             server, 2 an unknown address, 3 the right server, other port
 *   bits 4-7  the clock advances this many 250 ms steps after each record
 * Record flags (modes 2, 3): bit 0 keep the record's identifier, bit 1 keep
 * its Message-Authenticator, bit 2 no MPPE encryption, bit 3 keep its
 * Response Authenticator, bit 4 after a CHALLENGE send the next request.
 *
 * Invariants: what a callback gets is well-formed (EAP with its own Length,
 * MSK of 2..128 octets, a reason on TIMEOUT that never holds a secret); the
 * client never has more in flight than was asked. ASan/LSan watch the rest.
 *
 * FUZZ_RADIUS_SEEDS=DIR ./fuzz_radius writes seed inputs into DIR and exits
 * (tests/fuzz/corpus/radius/ holds what it wrote); FUZZ_RADIUS_VERBOSE=1
 * prints what each callback got.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "radius.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SRV1 0x0a000001u
#define SRV2 0x0a000002u
static const char *const secrets[2] = { "fuzz-secret-1", "fuzz-secret-2" };
static bool verbose;

static void
need(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_radius: invariant failed: %s\n", what);
		abort();
	}
}

/* ---- what the client sent ---- */

struct sent {
	uint32_t addr;
	uint16_t port;
	uint8_t pkt[RADIUS_PACKET_MAX];
	size_t len;
};
static struct sent last_access, last_acct;

static void
stub_send(void *arg, uint32_t addr, uint16_t port, const uint8_t *pkt, size_t len)
{
	struct sent *s = pkt[0] == RADIUS_ACCESS_REQUEST ? &last_access : &last_acct;

	(void)arg;
	need(len >= RADIUS_PACKET_MIN && len <= RADIUS_PACKET_MAX, "sent length");
	s->addr = addr;
	s->port = port;
	memcpy(s->pkt, pkt, len);
	s->len = len;
}

static const struct radius_ops ops = { .send = stub_send };

static const uint8_t eap_identity[] = { 2, 7, 0, 9, 1, 'f', 'u', 'z', 'z' };

static bool eap_wellformed(const uint8_t *e, size_t n)
{
	return n >= 4 && e[0] >= 1 && e[0] <= 4 && (size_t)(e[2] << 8 | e[3]) == n;
}

struct run {
	struct radius_client *c;
	struct radius_session *s;
	uint64_t now;
	bool continue_on_challenge;
	unsigned callbacks;
};

static void
auth_cb(void *ctx, struct radius_session *s, const struct radius_auth_result *r)
{
	struct run *run = ctx;

	run->callbacks++;
	if (verbose)
		fprintf(stderr, "auth: %s eap %zu msk %zu framed %d state-timeout %u\n",
			radius_result_name(r->result), r->eap_len, r->msk_len, r->has_framed_ip,
			r->session_timeout);
	need(r->eap_len == 0 || eap_wellformed(r->eap, r->eap_len), "EAP well-formed");
	need(r->result != RADIUS_RESULT_CHALLENGE || r->eap_len > 0, "challenge carries EAP");
	need(!r->has_msk || (r->msk_len >= 2 && r->msk_len <= RADIUS_MSK_MAX), "MSK length");
	need(r->reason != NULL, "reason");
	if (r->result == RADIUS_RESULT_TIMEOUT)
		need(r->reason[0] && !strstr(r->reason, "fuzz-secret"), "timeout reason");
	if (r->result == RADIUS_RESULT_CHALLENGE && run->continue_on_challenge)
		radius_access_request(s, eap_identity, sizeof(eap_identity), run->now);
}

static void
acct_cb(void *ctx, int result, const char *reason)
{
	struct run *run = ctx;

	run->callbacks++;
	if (verbose)
		fprintf(stderr, "acct: %d %s\n", result, reason);
	need(result == 0 || (reason && !strstr(reason, "fuzz-secret")), "acct reason");
}

/* ---- fitting a reply to a request ---- */

/* RFC 2548 §2.4.2, written for the harness: value = salt | plaintext, encrypted in place. */
static void
mppe_encrypt(uint8_t *v, size_t len, const char *secret, const uint8_t *req_auth)
{
	uint8_t b[16], first[18];
	const uint8_t *prev = first;
	size_t prev_len = 18, i, j;
	unsigned n;

	if (len < 18 || (len - 2) % 16)
		return;
	memcpy(first, req_auth, 16);
	memcpy(first + 16, v, 2);
	for (i = 2; i + 16 <= len; i += 16) {
		EVP_MD_CTX *x = EVP_MD_CTX_new();

		need(x != NULL, "md ctx");
		EVP_DigestInit_ex(x, EVP_md5(), NULL);
		EVP_DigestUpdate(x, secret, strlen(secret));
		EVP_DigestUpdate(x, prev, prev_len);
		EVP_DigestFinal_ex(x, b, &n);
		EVP_MD_CTX_free(x);
		for (j = 0; j < 16; j++)
			v[i + j] ^= b[j];
		prev = v + i;
		prev_len = 16;
	}
}

static void
encrypt_mppe(uint8_t *pkt, size_t len, const char *secret, const uint8_t *req_auth)
{
	struct radius_attr_iter it, sub;
	struct radius_attr a, s;
	uint32_t vendor;

	radius_attr_iter_init(&it, pkt, len);
	while (radius_attr_next(&it, &a)) {
		if (a.type != RADIUS_ATTR_VENDOR_SPECIFIC ||
		    radius_vsa_parse(&a, &vendor, &sub) < 0 || vendor != RADIUS_VENDOR_MICROSOFT)
			continue;
		while (radius_attr_next(&sub, &s))
			if (s.type == RADIUS_MS_MPPE_SEND_KEY || s.type == RADIUS_MS_MPPE_RECV_KEY)
				mppe_encrypt((uint8_t *)(uintptr_t)s.value, s.len, secret,
					     req_auth);
	}
}

/*
 * Make rec (flags, packet) a reply to req: identifier, Length, MPPE, then
 * Message-Authenticator and Response Authenticator, as flags allow. The
 * packet goes to out; its length is returned.
 */
static size_t
fit(uint8_t *out, const uint8_t *rec, size_t n, const struct sent *req, const char *secret)
{
	uint8_t flags, mac[16];
	struct radius_attr a;
	size_t len, plen;

	if (n < 1)
		return 0;
	flags = rec[0];
	len = n - 1 > RADIUS_PACKET_MAX ? RADIUS_PACKET_MAX : n - 1;
	memcpy(out, rec + 1, len);
	if (len < RADIUS_HDR_LEN)
		return len;
	if (!(flags & 1))
		out[1] = req->pkt[1];
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	if (radius_validate(out, len, &plen) < 0)
		return len;
	if (!(flags & 4))
		encrypt_mppe(out, plen, secret, req->pkt + 4);
	if (!(flags & 2) &&
	    radius_attr_find(out, plen, RADIUS_ATTR_MESSAGE_AUTHENTICATOR, &a) >= 1 && a.len == 16 &&
	    radius_msg_auth(mac, out, plen, (size_t)(a.value - out), req->pkt + 4,
			    (const uint8_t *)secret, strlen(secret)) == 0)
		memcpy(out + (a.value - out), mac, 16);
	if (!(flags & 8) && radius_response_auth(mac, out, plen, req->pkt + 4,
						 (const uint8_t *)secret, strlen(secret)) == 0)
		memcpy(out + 4, mac, 16);
	return len;
}

/* ---- mode 0: the codec alone ---- */

static void
codec(const uint8_t *rec, size_t n)
{
	static const uint8_t ra[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static struct radius_reply rp;
	static uint8_t eap[RADIUS_PACKET_MAX], buf[RADIUS_PACKET_MAX + 1];
	struct radius_attr_iter it, sub;
	struct radius_attr a, s;
	uint8_t out[256];
	uint32_t vendor;
	size_t plen, m;
	uint8_t *copy;

	/* an exact-size copy so that ASan sees any read past the end */
	copy = malloc(n ? n : 1);
	need(copy != NULL, "malloc");
	memcpy(copy, rec, n);
	if (radius_validate(copy, n, &plen) == 0) {
		need(plen >= RADIUS_PACKET_MIN && plen <= n && plen <= RADIUS_PACKET_MAX, "plen");
		radius_attr_iter_init(&it, copy, plen);
		while (radius_attr_next(&it, &a)) {
			if (a.type == RADIUS_ATTR_VENDOR_SPECIFIC &&
			    radius_vsa_parse(&a, &vendor, &sub) == 0)
				while (radius_attr_next(&sub, &s))
					radius_mppe_decrypt(out, sizeof(out), &m, s.value, s.len,
							    ra, 16, ra);
			if (a.type == RADIUS_ATTR_USER_PASSWORD &&
			    radius_password_unhide(out, sizeof(out), &m, a.value, a.len, ra, 16,
						   ra) == 0)
				need(m <= a.len, "unhidden length");
		}
		if (radius_eap_join(copy, plen, eap, sizeof(eap), &m) == 0)
			need(m == 0 || eap_wellformed(eap, m), "joined EAP");
		radius_reply_verify(copy, plen, ra, ra, 16, true, &rp);
		/* and signed with the key "k", so that the attributes are read */
		{
			struct sent req = { .len = RADIUS_HDR_LEN };

			memcpy(req.pkt + 4, ra, 16);
			req.pkt[1] = copy[1];
			buf[0] = 0;
			memcpy(buf + 1, copy, plen);
			m = fit(eap, buf, plen + 1, &req, "k");
			need(m == plen, "fitted length");
			need(radius_reply_verify(eap, m, ra, (const uint8_t *)"k", 1, false, &rp) !=
				     RADIUS_DROP_bad_authenticator,
			     "fitted reply authenticates");
		}
	}
	free(copy);
}

/* ---- modes 1-3: the client ---- */

static void
client_run(uint8_t ctl, const uint8_t *data, size_t size)
{
	static uint8_t pkt[RADIUS_PACKET_MAX + 1];
	struct conf_radius srv[2] = {
		{ .addr = SRV1, .auth_port = 1812, .acct_port = 1813, .priority = 1,
		  .timeout_ms = 1000, .retries = 1 },
		{ .addr = SRV2, .auth_port = 1812, .acct_port = 1813, .priority = 2,
		  .timeout_ms = 700, .retries = 0 },
	};
	struct radius_client_config cfg = { .servers = srv, .n_servers = 2, .nas_ip = 0x0a000063,
					    .max_outstanding = 4, .ops = &ops };
	struct radius_session_params sp = { .user_name = "fuzz", .calling_station_id = "x" };
	struct radius_acct_params ap = { .status = RADIUS_ACCT_INTERIM, .session_id = "s1",
					 .in_octets = 1ull << 33 };
	struct radius_counters k;
	struct run run = { 0 };
	unsigned mode = ctl & 3, who = (ctl >> 2) & 3, step = ctl >> 4;

	strcpy(srv[0].secret, secrets[0]);
	strcpy(srv[1].secret, secrets[1]);
	run.c = radius_client_create(&cfg, NULL, 0);
	need(run.c != NULL, "client");
	run.s = radius_session_new(run.c, &sp, auth_cb, &run);
	need(run.s != NULL, "session");
	need(radius_access_request(run.s, eap_identity, sizeof(eap_identity), 0) == 0, "request");
	need(radius_accounting_request(run.c, &ap, acct_cb, &run, 0) == 0, "acct request");

	while (size >= 2) {
		size_t n = (size_t)(data[0] << 8 | data[1]), len;
		const struct sent *req = mode == 3 ? &last_acct : &last_access;
		const char *secret = req->addr == SRV2 ? secrets[1] : secrets[0];
		uint32_t from = req->addr;
		uint16_t port = req->port;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (mode == 1) {
			len = n > sizeof(pkt) ? sizeof(pkt) : n;
			memcpy(pkt, data, len);
		} else {
			run.continue_on_challenge = n && (data[0] & 16);
			len = fit(pkt, data, n, req, secret);
		}
		if (who == 1)
			from = from == SRV1 ? SRV2 : SRV1;
		else if (who == 2)
			from = 0xc0000201u;
		else if (who == 3)
			port = port == 1812 ? 1813 : 1812;
		{
			/* exact size, as a NIC would hand it */
			uint8_t *dgram = malloc(len ? len : 1);

			need(dgram != NULL, "malloc");
			memcpy(dgram, pkt, len);
			radius_input(run.c, dgram, len, from, port, run.now);
			free(dgram);
		}
		data += n;
		size -= n;
		run.now += 250u * step;
		radius_timers(run.c, run.now);
		radius_counters(run.c, &k);
		need(k.outstanding <= 2, "outstanding");
		/* keep a request in flight so that later records have something to meet */
		if (k.outstanding == 0)
			radius_access_request(run.s, eap_identity, sizeof(eap_identity), run.now);
	}
	radius_client_free(run.c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if ((data[0] & 3) == 0) {
		const uint8_t *p = data + 1;
		size_t left = size - 1;

		while (left >= 2) {
			size_t n = (size_t)(p[0] << 8 | p[1]);

			p += 2;
			left -= 2;
			if (n > left)
				n = left;
			codec(p, n);
			p += n;
			left -= n;
		}
		return 0;
	}
	client_run(data[0], data + 1, size - 1);
	return 0;
}

/* ---- seeds ---- */

static void
put_record(FILE *f, const uint8_t *rec, size_t n)
{
	uint8_t h[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	fwrite(h, 1, 2, f);
	fwrite(rec, 1, n, f);
}

static void
seed(const char *dir, const char *name, uint8_t ctl, const struct radius_pkt *const *recs,
     unsigned n, uint8_t flags)
{
	char path[512];
	FILE *f;
	uint8_t rec[RADIUS_PACKET_MAX + 1];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	need(f != NULL, "seed file");
	fwrite(&ctl, 1, 1, f);
	for (unsigned i = 0; i < n; i++) {
		size_t off = (ctl & 3) >= 2 ? 1 : 0;

		rec[0] = flags;
		memcpy(rec + off, recs[i]->buf, recs[i]->len);
		rec[off + 2] = (uint8_t)(recs[i]->len >> 8);
		rec[off + 3] = (uint8_t)recs[i]->len;
		put_record(f, rec, recs[i]->len + off);
	}
	fclose(f);
}

static void
seeds(const char *dir)
{
	static struct radius_pkt ch, acc, rej, acct, bad;
	uint8_t eap[600], key[1 + 2 + 48] = { 0 };

	/* Access-Challenge: Message-Authenticator, EAP-Request over three attributes, State. */
	eap[0] = 1;
	eap[1] = 8;
	eap[2] = sizeof(eap) >> 8;
	eap[3] = sizeof(eap) & 255;
	memset(eap + 4, 0x55, sizeof(eap) - 4);
	eap[4] = 13;
	radius_pkt_init(&ch, RADIUS_ACCESS_CHALLENGE, 0, NULL);
	radius_pkt_add_msg_auth(&ch);
	radius_pkt_add_eap(&ch, eap, sizeof(eap));
	radius_pkt_add_str(&ch, RADIUS_ATTR_STATE, "state-0123456789");
	radius_pkt_finish_request(&ch, (const uint8_t *)"x", 1);
	/* Access-Accept: EAP-Success, MPPE plaintexts (salt | length 32 | key | pad), Framed-IP. */
	radius_pkt_init(&acc, RADIUS_ACCESS_ACCEPT, 0, NULL);
	radius_pkt_add_msg_auth(&acc);
	radius_pkt_add_eap(&acc, (const uint8_t[]){ 3, 8, 0, 4 }, 4);
	key[0] = 0x80;
	key[1] = 0x01;
	key[2] = 32;
	memset(key + 3, 0x11, 32);
	radius_pkt_add_vsa(&acc, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_MPPE_RECV_KEY, key, 50);
	key[1] = 0x02;
	memset(key + 3, 0x22, 32);
	radius_pkt_add_vsa(&acc, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_MPPE_SEND_KEY, key, 50);
	radius_pkt_add_u32(&acc, RADIUS_ATTR_FRAMED_IP_ADDRESS, 0xac100005);
	radius_pkt_add_u32(&acc, RADIUS_ATTR_SESSION_TIMEOUT, 3600);
	radius_pkt_add_str(&acc, RADIUS_ATTR_CLASS, "class");
	radius_pkt_finish_request(&acc, (const uint8_t *)"x", 1);
	radius_pkt_init(&rej, RADIUS_ACCESS_REJECT, 0, NULL);
	radius_pkt_add_msg_auth(&rej);
	radius_pkt_add_eap(&rej, (const uint8_t[]){ 4, 8, 0, 4 }, 4);
	radius_pkt_add_str(&rej, RADIUS_ATTR_REPLY_MESSAGE, "no");
	radius_pkt_finish_request(&rej, (const uint8_t *)"x", 1);
	radius_pkt_init(&acct, RADIUS_ACCOUNTING_RESPONSE, 0, NULL);
	radius_pkt_finish_request(&acct, (const uint8_t *)"x", 1);
	radius_pkt_init(&bad, RADIUS_ACCESS_ACCEPT, 0, NULL);
	radius_pkt_add(&bad, RADIUS_ATTR_USER_PASSWORD, eap + 4, 32);
	radius_pkt_add(&bad, RADIUS_ATTR_FRAMED_IP_ADDRESS, "abc", 3);
	radius_pkt_finish_request(&bad, (const uint8_t *)"x", 1);

	{
		const struct radius_pkt *const conv[] = { &ch, &ch, &acc };
		const struct radius_pkt *const one_ch[] = { &ch };
		const struct radius_pkt *const one_acc[] = { &acc };
		const struct radius_pkt *const one_rej[] = { &rej };
		const struct radius_pkt *const one_acct[] = { &acct };
		const struct radius_pkt *const all[] = { &ch, &acc, &rej, &acct, &bad };

		seed(dir, "codec-all", 0, all, 5, 0);
		seed(dir, "raw-challenge", 1, one_ch, 1, 0);
		seed(dir, "signed-conversation", 2, conv, 3, 16);
		seed(dir, "signed-accept", 2, one_acc, 1, 0);
		seed(dir, "signed-reject-late-clock", 2 | 0xf0, one_rej, 1, 0);
		seed(dir, "signed-acct", 3, one_acct, 1, 0);
		seed(dir, "signed-other-server", 2 | 4, one_ch, 1, 0);
		seed(dir, "signed-unsigned-msgauth", 2, one_ch, 1, 2);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_RADIUS_SEEDS");

	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_RADIUS_VERBOSE") != NULL;
	if (dir) {
		seeds(dir);
		exit(0);
	}
	return 0;
}
