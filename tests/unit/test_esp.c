/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/esp on a real EAL (no hugepages) and real IPsec-MB:
 * published known answers for every transform in both directions, each
 * vector first re-checked with OpenSSL so a mistyped byte fails loudly;
 * round trips of all eight transform combinations, with and without ESN, raw
 * and UDP-encapsulated, at every inner size 0..1500, whose output OpenSSL
 * decrypts from a hand parse (interoperability, not self-consistency); the
 * replay window; hostile input; sequence-number exhaustion; and that every
 * mbuf returns to its pool.
 */
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

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "esp.h"
#include "esp_priv.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define GW_ADDR IP(198, 51, 100, 1)
#define CLIENT_ADDR IP(203, 0, 113, 7)
#define CLIENT_PORT 34567
#define PKT_MAX 2048
#define NONE ESP_DROP_COUNT          /* "accepted" in expectations */

static struct rte_mempool *pool;
static struct esp_worker *wk;

/* ---------------------------------------------------------------- helpers */

/* Hex digits to bytes; spaces anywhere are ignored. */
static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	int hi = -1;

	for (; *s != '\0'; s++) {
		int v = 0;

		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			fail_msg("bad hex digit '%c'", *s);
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

static struct rte_mbuf *
mbuf_from(const uint8_t *d, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, len));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), d, len);
	return m;
}

static void
free_all(struct rte_mbuf *m[], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static struct esp_sa *
sa_make(const struct esp_sa_params *p)
{
	struct esp_sa *sa = rte_zmalloc("test_sa", esp_sa_size(), RTE_CACHE_LINE_SIZE);
	char err[128] = "";

	assert_non_null(sa);
	if (esp_sa_init(sa, wk, p, err, sizeof(err)) != 0)
		fail_msg("esp_sa_init: %s", err);
	return sa;
}

static void
sa_free(struct esp_sa *sa)
{
	esp_sa_clear(sa);
	rte_free(sa);
}

/* The eight transform combinations (index 0..7). */
struct suite {
	const char *name;
	enum esp_cipher cipher;
	uint8_t key_len;
	enum esp_integ integ;
	uint8_t auth_key_len;
};

static const struct suite suites[] = {
	{ "aes128gcm16", ESP_CIPHER_AES_GCM_16, 16, ESP_INTEG_NONE, 0 },
	{ "aes256gcm16", ESP_CIPHER_AES_GCM_16, 32, ESP_INTEG_NONE, 0 },
	{ "aes128-sha1", ESP_CIPHER_AES_CBC, 16, ESP_INTEG_HMAC_SHA1_96, 20 },
	{ "aes128-sha256", ESP_CIPHER_AES_CBC, 16, ESP_INTEG_HMAC_SHA256_128, 32 },
	{ "aes128-sha384", ESP_CIPHER_AES_CBC, 16, ESP_INTEG_HMAC_SHA384_192, 48 },
	{ "aes256-sha1", ESP_CIPHER_AES_CBC, 32, ESP_INTEG_HMAC_SHA1_96, 20 },
	{ "aes256-sha256", ESP_CIPHER_AES_CBC, 32, ESP_INTEG_HMAC_SHA256_128, 32 },
	{ "aes256-sha384", ESP_CIPHER_AES_CBC, 32, ESP_INTEG_HMAC_SHA384_192, 48 },
};
#define NSUITES RTE_DIM(suites)

/* Gateway-to-client parameters with keys derived from spi. */
static struct esp_sa_params
params_for(unsigned suite, bool esn, bool udp, uint32_t spi)
{
	const struct suite *s = &suites[suite];
	struct esp_sa_params p = {
		.spi = spi, .cipher = s->cipher, .key_len = s->key_len, .integ = s->integ,
		.auth_key_len = s->auth_key_len, .esn = esn, .udp_encap = udp,
		.local_addr = GW_ADDR, .remote_addr = CLIENT_ADDR,
		.local_port = udp ? ESP_UDP_PORT : 0, .remote_port = udp ? CLIENT_PORT : 0,
	};

	for (unsigned i = 0; i < ESP_KEY_MAX; i++)
		p.key[i] = (uint8_t)(spi * 7 + i * 13);
	for (unsigned i = 0; i < ESP_AUTH_KEY_MAX; i++)
		p.auth_key[i] = (uint8_t)(spi * 3 + i * 29 + 1);
	memcpy(p.salt, &spi, 4);
	return p;
}

/* The other end of the same SA: what the receiver of p's packets holds. */
static struct esp_sa_params
mirror(const struct esp_sa_params *p)
{
	struct esp_sa_params r = *p;

	r.local_addr = p->remote_addr;
	r.remote_addr = p->local_addr;
	r.local_port = p->remote_port;
	r.remote_port = p->local_port;
	return r;
}

/* An inner IPv4 packet with `payload` bytes after the header; id marks it. */
static uint32_t
build_inner(uint8_t *b, uint32_t payload, uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	uint32_t len = sizeof(*ip) + payload;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->type_of_service = 0xb8;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 63;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(IP(10, 1, 0, 9));
	ip->dst_addr = rte_cpu_to_be_32(IP(172, 16, 201, 5));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	for (uint32_t i = 0; i < payload; i++)
		b[sizeof(*ip) + i] = (uint8_t)(i * 31 + id);
	return len;
}

/* ------------------------------------------------- OpenSSL, independently */

static const EVP_CIPHER *
aes(bool gcm, unsigned key_len)
{
	if (gcm)
		return key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	return key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

/* AES-GCM (RFC 4106 view: 12-byte nonce, 16-byte tag). 0 if the tag verified. */
static int
ossl_gcm(bool enc, const uint8_t *key, unsigned key_len, const uint8_t *nonce, const uint8_t *aad,
	 unsigned aad_len, const uint8_t *in, unsigned len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l, ok;

	ok = EVP_CipherInit_ex(c, aes(true, key_len), NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) &&
	     EVP_CipherUpdate(c, NULL, &l, aad, aad_len) &&
	     (len == 0 || EVP_CipherUpdate(c, out, &l, in, len));
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
	ok = ok && EVP_CipherFinal_ex(c, out + len, &l);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void
ossl_cbc(bool enc, const uint8_t *key, unsigned key_len, const uint8_t *iv, const uint8_t *in,
	 unsigned len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l;

	assert_true(EVP_CipherInit_ex(c, aes(false, key_len), NULL, key, iv, enc));
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_true(EVP_CipherUpdate(c, out, &l, in, len));
	assert_true(EVP_CipherFinal_ex(c, out + l, &l));
	EVP_CIPHER_CTX_free(c);
}

static unsigned
ossl_hmac(enum esp_integ integ, const uint8_t *key, unsigned key_len, const uint8_t *d,
	  size_t len, uint8_t *md)
{
	const EVP_MD *h = integ == ESP_INTEG_HMAC_SHA1_96     ? EVP_sha1()
			  : integ == ESP_INTEG_HMAC_SHA256_128 ? EVP_sha256()
							       : EVP_sha384();
	unsigned md_len = 0;

	assert_non_null(HMAC(h, key, (int)key_len, d, len, md, &md_len));
	return md_len;
}

static unsigned
icv_len_of(const struct esp_sa_params *p)
{
	static const unsigned len[] = { 16, 12, 16, 24 };

	return len[p->integ];
}

/* What an independent sender puts in an ESP packet for the receiver rx. */
struct seal {
	uint64_t seq;
	const uint8_t *inner;
	uint32_t inner_len;
	int pad_len;                /* -1: the minimum */
	int pad_field;              /* -1: pad_len */
	bool bad_pad;               /* pad bytes 0xff instead of 1, 2, 3 .. */
	uint8_t nh;
};

static unsigned
esp_aad(const struct esp_sa_params *p, const uint8_t *esp, uint64_t seq, uint8_t *aad)
{
	uint32_t hi = rte_cpu_to_be_32((uint32_t)(seq >> 32));

	memcpy(aad, esp, 4);
	if (!p->esn) {
		memcpy(aad + 4, esp + 4, 4);
		return 8;
	}
	memcpy(aad + 4, &hi, 4);
	memcpy(aad + 8, esp + 4, 4);
	return 12;
}

/* The ESP part (SPI .. ICV) sealed with OpenSSL; returns its length. */
static uint32_t
ossl_seal_esp(const struct esp_sa_params *p, const struct seal *s, uint8_t *esp)
{
	bool gcm = p->cipher == ESP_CIPHER_AES_GCM_16;
	unsigned iv_len = gcm ? 8 : 16, block = gcm ? 4 : 16, icv = icv_len_of(p);
	uint8_t pt[PKT_MAX], aad[12], nonce[12], mac[64], *ct = esp + 8 + iv_len;
	uint32_t pad = s->pad_len >= 0 ? (uint32_t)s->pad_len
				       : (block - (s->inner_len + 2) % block) % block;
	uint32_t ct_len = s->inner_len + pad + 2, hi = rte_cpu_to_be_32((uint32_t)(s->seq >> 32));
	uint32_t v;

	v = rte_cpu_to_be_32(p->spi);
	memcpy(esp, &v, 4);
	v = rte_cpu_to_be_32((uint32_t)s->seq);
	memcpy(esp + 4, &v, 4);
	for (unsigned i = 0; i < iv_len; i++)
		esp[8 + i] = (uint8_t)(s->seq * 131 + i * 17 + 5);
	memcpy(pt, s->inner, s->inner_len);
	for (uint32_t i = 0; i < pad; i++)
		pt[s->inner_len + i] = s->bad_pad ? 0xff : (uint8_t)(i + 1);
	pt[ct_len - 2] = (uint8_t)(s->pad_field >= 0 ? s->pad_field : (int)pad);
	pt[ct_len - 1] = s->nh;
	if (gcm) {
		memcpy(nonce, p->salt, 4);
		memcpy(nonce + 4, esp + 8, 8);
		assert_int_equal(ossl_gcm(true, p->key, p->key_len, nonce, aad, esp_aad(p, esp, s->seq, aad),
					  pt, ct_len, ct, ct + ct_len), 0);
		return 8 + iv_len + ct_len + icv;
	}
	assert_int_equal(ct_len % 16, 0);
	ossl_cbc(true, p->key, p->key_len, esp + 8, pt, ct_len, ct);
	/* RFC 4303 §3.3.2.2: ICV over header..ciphertext, then seq_hi (ESN). */
	memcpy(ct + ct_len, &hi, 4);
	ossl_hmac(p->integ, p->auth_key, p->auth_key_len, esp, 8 + iv_len + ct_len + (p->esn ? 4 : 0),
		  mac);
	memcpy(ct + ct_len, mac, icv);
	return 8 + iv_len + ct_len + icv;
}

/* Outer IPv4 [+ UDP] from rx's peer to rx around esp_len bytes at out + hdr. */
static uint32_t
outer_wrap(const struct esp_sa_params *rx, uint8_t *out, uint32_t esp_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;
	uint32_t hdr = rx->udp_encap ? 28 : 20, total = hdr + esp_len;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->time_to_live = 50;
	ip->next_proto_id = rx->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
	ip->src_addr = rte_cpu_to_be_32(rx->remote_addr);
	ip->dst_addr = rte_cpu_to_be_32(rx->local_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (rx->udp_encap) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(rx->remote_port);
		udp->dst_port = rte_cpu_to_be_16(rx->local_port);
		udp->dgram_len = rte_cpu_to_be_16(total - 20);
		udp->dgram_cksum = 0;
	}
	return total;
}

static uint32_t
ossl_seal(const struct esp_sa_params *rx, const struct seal *s, uint8_t *out)
{
	uint32_t hdr = rx->udp_encap ? 28 : 20;

	return outer_wrap(rx, out, ossl_seal_esp(rx, s, out + hdr));
}

/*
 * Parse and open, by hand and with OpenSSL, an ESP packet that tx sent:
 * 0 and the decrypted payload (trailer included) if its ICV verifies.
 */
static int
ossl_open(const struct esp_sa_params *tx, uint64_t seq, const uint8_t *esp, uint32_t esp_len,
	  uint8_t *pt, uint32_t *pt_len)
{
	bool gcm = tx->cipher == ESP_CIPHER_AES_GCM_16;
	unsigned iv_len = gcm ? 8 : 16, icv = icv_len_of(tx);
	uint8_t buf[PKT_MAX], aad[12], nonce[12], mac[64], tag[16];
	uint32_t ct_len = esp_len - 8 - iv_len - icv, hi = rte_cpu_to_be_32((uint32_t)(seq >> 32));

	if (esp_len < 8 + iv_len + icv)
		return -1;
	*pt_len = ct_len;
	if (gcm) {
		memcpy(nonce, tx->salt, 4);
		memcpy(nonce + 4, esp + 8, 8);
		memcpy(tag, esp + esp_len - 16, 16);
		return ossl_gcm(false, tx->key, tx->key_len, nonce, aad, esp_aad(tx, esp, seq, aad),
				esp + 16, ct_len, pt, tag);
	}
	memcpy(buf, esp, esp_len - icv);
	memcpy(buf + esp_len - icv, &hi, 4);
	ossl_hmac(tx->integ, tx->auth_key, tx->auth_key_len, buf, esp_len - icv + (tx->esn ? 4 : 0),
		  mac);
	if (memcmp(mac, esp + esp_len - icv, icv) != 0)
		return -1;
	ossl_cbc(false, tx->key, tx->key_len, esp + 8, esp + 24, ct_len, pt);
	return 0;
}

/* Run one packet through esp_inbound; the verdict (NONE = accepted). */
static enum esp_drop
rx_bytes(struct esp_sa *sa, const uint8_t *pkt, uint32_t len, uint8_t *inner, uint32_t *inner_len)
{
	struct rte_mbuf *m = mbuf_from(pkt, len);
	enum esp_drop why = NONE;
	uint16_t k = esp_inbound(wk, &sa, &m, 1, &why);

	if (k == 1) {
		if (inner != NULL)
			memcpy(inner, rte_pktmbuf_mtod(m, uint8_t *), m->data_len);
		if (inner_len != NULL)
			*inner_len = m->data_len;
		assert_int_equal(m->data_len, m->pkt_len);
	}
	rte_pktmbuf_free(m);
	return k == 1 ? NONE : why;
}

static uint32_t
sealed(const struct esp_sa_params *rx, uint8_t *pkt, const struct seal *tmpl, uint32_t payload)
{
	uint8_t inner[PKT_MAX];
	struct seal s = *tmpl;

	s.inner = inner;
	s.inner_len = build_inner(inner, payload, 3);
	return ossl_seal(rx, &s, pkt);
}

static const struct seal plain = { .seq = 1, .pad_len = -1, .pad_field = -1, .nh = 4 };

static enum esp_drop
rx_seq(struct esp_sa *sa, const struct esp_sa_params *rx, uint64_t seq)
{
	uint8_t pkt[256];
	struct seal s = plain;

	s.seq = seq;
	return rx_bytes(sa, pkt, sealed(rx, pkt, &s, 12), NULL, NULL);
}

/* ------------------------------------------------------- known answers */

/*
 * draft-mcgrew-gcm-test-01 §4 (March 2009): complete ESP packets for
 * RFC 4106. The draft's payloads end in next header 1, not 4, so the SA
 * is told to use 1; several of its "IPv4" payloads count the ESP trailer in
 * their total length (or are not IPv4), which the inbound path rightly
 * refuses as inner_malformed after the ICV and padding checked out. Left
 * out: the all-zero key case (SPI 0, refused by RFC 4303 §2.1) and AES-192.
 */
struct gcm_vector {
	const char *cite;
	const char *key, *salt, *iv, *pt, *ct;   /* ct: ciphertext || ICV */
	uint32_t spi;
	uint64_t seq;
	bool esn;
	enum esp_drop in;
};

static const struct gcm_vector gcm_vectors[] = {
	{ "draft-mcgrew-gcm-test-01 s4 #1 (AES-128, ESN)", "4c80cdefbb5d10da906ac73c3613a634",
	  "2e443b68", "4956ed7e3b244cfe",
	  "45000048699a000080114db7c0a80102c0a801010a9bf15638d30100000100000000"
	  "0000045f736970045f756470037369700963796265726369747902646b000021000101020201",
	  "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf"
	  "65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe72"
	  "2fd04796562dfdb4",
	  0x4321, 0x8765432100000000, true, ESP_DROP_inner_malformed },
	{ "draft-mcgrew-gcm-test-01 s4 #2 (AES-128)", "feffe9928665731c6d6a8f9467308308",
	  "cafebabe", "facedbaddecaf888",
	  "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100000100000000"
	  "00000373697009637962 65726369747902646b00000100010001",
	  "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f"
	  "51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6ee4c309e9d85a41ad4a",
	  0xa5f8, 0xa, false, NONE },
	{ "draft-mcgrew-gcm-test-01 s4 #3 (AES-256)",
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "11223344",
	  "0102030405060708",
	  "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000"
	  "020405b40101040201020201",
	  "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d34"
	  "7f0545659f14e99def842d8eb335f4eecfdbf831824b4c4915956c96",
	  0x4a2cbfe3, 2, false, NONE },
	{ "draft-mcgrew-gcm-test-01 s4 #5 (AES-128, ESN)", "3de09874b388e6491988d0c3607eae1f",
	  "57690e43", "4e280000a2fca1a3",
	  "4500003c99c300008001cb7c40679318010101010800085c02004300616263646566676869"
	  "6a6b6c6d6e6f707172737475767761626364656667686901020201",
	  "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad7984"
	  "5bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320ae0d731cc978ecafaeae88f00e80d6e48",
	  0x42f67e3f, 0x1010101010101010, true, NONE },
	{ "draft-mcgrew-gcm-test-01 s4 #6 (AES-128, ESN)", "3de09874b388e6491988d0c3607eae1f",
	  "57690e43", "4e280000a2fca1a3", "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
	  "fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f35e034be95f112e4"
	  "e7d05d35",
	  0x42f67e3f, 0x1010101010101010, true, ESP_DROP_inner_malformed },
	{ "draft-mcgrew-gcm-test-01 s4 #8 (AES-128, ESN)", "abbccddef00112233445566778899aab",
	  "decaf888", "cafedebaceface74",
	  "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18"
	  "d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101",
	  "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb019"
	  "84e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e6"
	  "5f354f75ff17015769623436",
	  0x100, 1, true, NONE },
	{ "draft-mcgrew-gcm-test-01 s4 #9 (AES-256, ESN)",
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "73616c74",
	  "616e640169766563",
	  "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001",
	  "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e"
	  "451626c2415771e3b7eebca614c89b35",
	  0x17405e67, 0x156f3126dd0db99b, true, ESP_DROP_inner_malformed },
	{ "draft-mcgrew-gcm-test-01 s4 #10 (AES-128, ESN)", "3de09874b388e6491988d0c3607eae1f",
	  "57690e43", "4e280000a2fca1a3",
	  "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b000001e0001e8c18"
	  "d65759d52284a0352c71475c8880391c764d6e5ee0496b325ae270c03899493915010101",
	  "fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d54182800cadb0f68d99ef0"
	  "e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975cdb608c5"
	  "769189609763b8e18caa81e2",
	  0x42f67e3f, 0x1010101010101010, true, NONE },
	{ "draft-mcgrew-gcm-test-01 s4 #11 (AES-256, ESN)",
	  "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "73616c74",
	  "616e640169766563",
	  "636973636f0172756c6573017468650 16e6574776501646566696e65017468657465636"
	  "86e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f72726f7701020201",
	  "d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18d0a6df10e5487df0"
	  "74113e14c641024e3e6773d91a62ee429b043a10e3efe6b012a49363412364f8c0cac587f249e56b"
	  "11e24f30e44ccc76",
	  0x17405e67, 0x156f3126dd0db99b, true, ESP_DROP_inner_malformed },
	{ "draft-mcgrew-gcm-test-01 s4 #12 (AES-128, seq 2^32-1)", "7d773d00c144c525ac619d18c84a3f47",
	  "d9664267", "43457e9182443bc6", "01020201",
	  "437f866bcb3f699fe9b0822bac961c4504bef270", 0x335467ae, 0xffffffff, false,
	  ESP_DROP_inner_malformed },
	{ "draft-mcgrew-gcm-test-01 s4 #13 (AES-128, ESN)", "abbccddef00112233445566778899aab",
	  "decaf888", "cafedebaceface74", "746f016265016f72016e6f7401746f0162650001",
	  "29c9fc69a197d038ccdd14e2ddfcaa054333216441250352430 3ed3c6c5f283843af8c3e", 0x100, 1, true,
	  ESP_DROP_inner_malformed },
	{ "draft-mcgrew-gcm-test-01 s4 #14 (AES-256, ESN, seq 2^64-1)",
	  "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961", "7475726e",
	  "333021696765746d",
	  "45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c"
	  "6d6e6f707172737401020201",
	  "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a3"
	  "2b42458fb57dbe821dcc63b9d0937ba2945f669368661a329fb4c053",
	  0x796b6963, UINT64_MAX, true, NONE },
};

/* The vector's GCM parameters, as the sender (gateway) holds them. */
static struct esp_sa_params
gcm_params(const struct gcm_vector *v, uint8_t *pt, size_t *pt_len)
{
	struct esp_sa_params p = {
		.spi = v->spi, .cipher = ESP_CIPHER_AES_GCM_16, .esn = v->esn,
		.local_addr = GW_ADDR, .remote_addr = CLIENT_ADDR,
	};

	p.key_len = (uint8_t)unhex(v->key, p.key);
	assert_int_equal(unhex(v->salt, p.salt), 4);
	*pt_len = unhex(v->pt, pt);
	return p;
}

static void
kat_gcm_vector(const struct gcm_vector *v)
{
	uint8_t pt[256], ct[256], iv[8], esp[300], out[256], tag[16], nonce[12], aad[12], mask[16] = { 0 };
	size_t pt_len, ct_len;
	struct esp_sa_params p = gcm_params(v, pt, &pt_len), rx = mirror(&p);
	uint64_t seq_be = rte_cpu_to_be_64(v->seq);
	uint32_t inner_len = (uint32_t)pt_len - 2 - pt[pt_len - 2], esp_len, v32;
	struct esp_sa *sa;
	struct rte_mbuf *m;
	enum esp_drop why = NONE;

	ct_len = unhex(v->ct, ct);
	assert_int_equal(unhex(v->iv, iv), 8);
	assert_int_equal(ct_len, pt_len + 16);
	/* The vector itself, re-checked with OpenSSL. */
	v32 = rte_cpu_to_be_32(v->spi);
	memcpy(esp, &v32, 4);
	v32 = rte_cpu_to_be_32((uint32_t)v->seq);
	memcpy(esp + 4, &v32, 4);
	memcpy(esp + 8, iv, 8);
	memcpy(esp + 16, ct, ct_len);
	esp_len = 16 + (uint32_t)ct_len;
	memcpy(nonce, p.salt, 4);
	memcpy(nonce + 4, iv, 8);
	assert_int_equal(ossl_gcm(true, p.key, p.key_len, nonce, aad, esp_aad(&p, esp, v->seq, aad), pt,
				  (unsigned)pt_len, out, tag), 0);
	if (memcmp(out, ct, pt_len) != 0 || memcmp(tag, ct + pt_len, 16) != 0)
		fail_msg("%s: OpenSSL disagrees with the vector (mistyped?)", v->cite);

	/* Encrypt through esp_outbound: IV = seq ^ mask aimed at the vector's. */
	sa = sa_make(&p);
	esp_sa_set_seq(sa, v->seq);
	esp_sa_set_next_header(sa, pt[pt_len - 1]);
	for (int i = 0; i < 8; i++)
		mask[i] = iv[i] ^ ((uint8_t *)&seq_be)[i];
	esp_sa_set_iv_mask(sa, mask);
	m = mbuf_from(pt, inner_len);
	assert_int_equal(esp_outbound(wk, &sa, &m, 1, &why), 1);
	assert_int_equal(m->data_len, 20 + esp_len);
	if (memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 20), esp, esp_len) != 0)
		fail_msg("%s: esp_outbound differs from the vector", v->cite);
	rte_pktmbuf_free(m);
	sa_free(sa);

	/* Decrypt through esp_inbound. */
	sa = sa_make(&rx);
	esp_sa_set_next_header(sa, pt[pt_len - 1]);
	esp_sa_set_replay_top(sa, v->seq - 1);
	memcpy(out + 20, esp, esp_len);
	m = mbuf_from(out, outer_wrap(&rx, out, esp_len));
	assert_int_equal(esp_inbound(wk, &sa, &m, 1, &why), v->in == NONE ? 1 : 0);
	if (v->in == NONE) {
		assert_int_equal(m->data_len, inner_len);
		assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), pt, inner_len);
		assert_int_equal(esp_sa_seq(sa), v->seq);
	} else {
		assert_int_equal(why, v->in);
		/* Authentic, so decrypted in place: the published plaintext. */
		assert_memory_equal(rte_pktmbuf_mtod_offset(m, uint8_t *, 36), pt, pt_len);
	}
	rte_pktmbuf_free(m);
	sa_free(sa);
}

static void
kat_gcm_draft_mcgrew(void **state)
{
	(void)state;
	for (unsigned i = 0; i < RTE_DIM(gcm_vectors); i++)
		kat_gcm_vector(&gcm_vectors[i]);
}

/* RFC 3602 §4 cases #7 and #8: AES-128-CBC ESP tunnel-mode packets (cipher
 * part; the RFC gives no ICV, ours is checked against OpenSSL HMAC). */
struct cbc_vector {
	const char *cite, *key, *iv, *inner, *esp;
	uint32_t spi;
	uint64_t seq;
};

static const struct cbc_vector cbc_vectors[] = {
	{ "RFC 3602 s4 case #7", "0123456789abcdef0123456789abcdef",
	  "f4e765244f6407adf13dc1380f673f37",
	  "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d02a20400"
	  "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b"
	  "2c2d2e2f3031323334353637",
	  "0000876500000002f4e765244f6407adf13dc1380f673f37773b5241a4c449225e4f3ce5ed611b0c"
	  "237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad7a0f022b859243c647752e94a859352b"
	  "8a4d4d2decd136e5c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d",
	  0x8765, 2 },
	{ "RFC 3602 s4 case #8", "0123456789abcdef0123456789abcdef",
	  "85d47224b5f3dd5d2101d4ea8dffab22",
	  "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083da3de0300ffffffff"
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  "000087650000000585d47224b5f3dd5d2101d4ea8dffab2215b92683819596a8047232cc00f7048f"
	  "e45318e11f8a0f62ede3c3fc61203bb50f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de"
	  "435e7207ed971ef3d2726d9b5ef6affc6d17a0decbb13892",
	  0x8765, 5 },
};

/* The CBC chaining block that makes esp_outbound's IV for seq equal iv. */
static void
cbc_aim_iv(struct esp_sa *sa, const struct esp_sa_params *p, uint64_t seq, const uint8_t *iv)
{
	static const uint8_t zero[16];
	uint8_t mask[16];
	uint64_t seq_be = rte_cpu_to_be_64(seq);

	ossl_cbc(false, p->key, p->key_len, zero, iv, 16, mask);     /* AES^-1(iv) */
	for (int i = 0; i < 8; i++)
		mask[8 + i] ^= ((uint8_t *)&seq_be)[i];
	esp_sa_set_iv_mask(sa, mask);
}

/* esp_outbound(inner) with the IV aimed: the ESP part goes to esp. */
static uint32_t
cbc_encrypt_aimed(const struct esp_sa_params *p, uint64_t seq, const uint8_t *iv,
		  const uint8_t *inner, uint32_t inner_len, uint8_t *esp)
{
	struct esp_sa *sa = sa_make(p);
	struct rte_mbuf *m = mbuf_from(inner, inner_len);
	enum esp_drop why;
	uint32_t len;

	esp_sa_set_seq(sa, seq);
	cbc_aim_iv(sa, p, seq, iv);
	assert_int_equal(esp_outbound(wk, &sa, &m, 1, &why), 1);
	len = m->data_len - 20;
	memcpy(esp, rte_pktmbuf_mtod_offset(m, uint8_t *, 20), len);
	rte_pktmbuf_free(m);
	sa_free(sa);
	return len;
}

static void
kat_cbc_vector(const struct cbc_vector *v, enum esp_integ integ, bool esn)
{
	struct esp_sa_params p = params_for(2 + integ - 1, esn, false, v->spi), rx;
	uint8_t inner[128], ref[256], iv[16], pt[256], got[256], pkt[300], mac[64];
	uint32_t inner_len = (uint32_t)unhex(v->inner, inner), ref_len = (uint32_t)unhex(v->esp, ref);
	uint32_t ct_len = ref_len - 24, icv = icv_len_of(&p), got_len, hi = 0, out_len;
	struct esp_sa *sa;

	p.key_len = (uint8_t)unhex(v->key, p.key);
	unhex(v->iv, iv);
	/* The vector, re-checked with OpenSSL: minimal padding, next header 4. */
	ossl_cbc(false, p.key, 16, ref + 8, ref + 24, ct_len, pt);
	assert_memory_equal(pt, inner, inner_len);
	for (uint32_t k = 0; k < pt[ct_len - 2]; k++)
		assert_int_equal(pt[inner_len + k], k + 1);
	assert_int_equal(pt[ct_len - 1], 4);
	assert_int_equal(inner_len + pt[ct_len - 2] + 2, ct_len);

	got_len = cbc_encrypt_aimed(&p, v->seq, iv, inner, inner_len, got);
	assert_int_equal(got_len, ref_len + icv);
	if (memcmp(got, ref, ref_len) != 0)
		fail_msg("%s: esp_outbound differs from the RFC", v->cite);
	memcpy(pkt, ref, ref_len);
	memcpy(pkt + ref_len, &hi, 4);       /* seq_hi 0: RFC 4303 §3.3.2.2 */
	ossl_hmac(integ, p.auth_key, p.auth_key_len, pkt, ref_len + (esn ? 4 : 0), mac);
	assert_memory_equal(got + ref_len, mac, icv);

	rx = mirror(&p);
	sa = sa_make(&rx);
	memcpy(pkt + 20, got, got_len);
	out_len = outer_wrap(&rx, pkt, got_len);
	assert_int_equal(rx_bytes(sa, pkt, out_len, got, &got_len), NONE);
	assert_int_equal(got_len, inner_len);
	assert_memory_equal(got, inner, inner_len);
	sa_free(sa);
}

static void
kat_cbc_rfc3602(void **state)
{
	(void)state;
	for (unsigned i = 0; i < RTE_DIM(cbc_vectors); i++)
		for (int integ = ESP_INTEG_HMAC_SHA1_96; integ <= ESP_INTEG_HMAC_SHA384_192; integ++)
			for (int esn = 0; esn < 2; esn++)
				kat_cbc_vector(&cbc_vectors[i], integ, esn);
}

/*
 * AES-256-CBC has no published ESP vector: NIST SP 800-38A F.2.5
 * (CBC-AES256.Encrypt) instead. Outbound, the IV block is aimed so that the
 * packet's IV is C1 and the ciphertext C2..C4 for inner P2..P4. Inbound,
 * IV || C1..C4 (with an OpenSSL ICV) decrypts in place to P1..P4, whose last
 * bytes are no valid ESP trailer: bad_padding, after authentication.
 */
static void
kat_cbc256_sp800_38a(void **state)
{
	static const char *key = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
	static const char *p_hex = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
				   "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const char *c_hex = "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
				   "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b";
	uint8_t P[64], C[64], iv[16], out[64], esp[256], pkt[300], mac[64];
	(void)state;

	unhex(p_hex, P);
	unhex(c_hex, C);
	for (int i = 0; i < 16; i++)
		iv[i] = (uint8_t)i;
	for (int integ = ESP_INTEG_HMAC_SHA1_96; integ <= ESP_INTEG_HMAC_SHA384_192; integ++) {
		struct esp_sa_params p = params_for(5 + integ - 1, false, false, 0x1000), rx;
		struct rte_mbuf *m;
		struct esp_sa *sa;
		enum esp_drop why;
		uint32_t v, icv = icv_len_of(&p);

		p.key_len = (uint8_t)unhex(key, p.key);
		rx = mirror(&p);
		ossl_cbc(true, p.key, 32, iv, P, 64, out);
		assert_memory_equal(out, C, 64);

		/* Packet IV aimed at C1 = E(iv ^ P1): then P2..P4 encrypt to C2..C4. */
		cbc_encrypt_aimed(&p, 1, C, P + 16, 48, esp);
		assert_memory_equal(esp + 8, C, 64);

		v = rte_cpu_to_be_32(p.spi);
		memcpy(esp, &v, 4);
		v = rte_cpu_to_be_32(1);
		memcpy(esp + 4, &v, 4);
		memcpy(esp + 8, iv, 16);
		memcpy(esp + 24, C, 64);
		ossl_hmac(integ, p.auth_key, p.auth_key_len, esp, 88, mac);
		memcpy(esp + 88, mac, icv);
		memcpy(pkt + 20, esp, 88 + icv);
		sa = sa_make(&rx);
		m = mbuf_from(pkt, outer_wrap(&rx, pkt, 88 + icv));
		assert_int_equal(esp_inbound(wk, &sa, &m, 1, &why), 0);
		assert_int_equal(why, ESP_DROP_bad_padding);
		assert_memory_equal(rte_pktmbuf_mtod_offset(m, uint8_t *, 44), P, 64);
		assert_int_equal(esp_sa_stats(sa)->drops[ESP_DROP_bad_padding], 1);
		rte_pktmbuf_free(m);
		sa_free(sa);
	}
}

/* RFC 2202 §3 (HMAC-SHA-1, 20-byte keys: RFC 2404 §3) and RFC 4868 §2.7.2
 * (HMAC-SHA-256/384 with full-length keys), truncated as the transforms do. */
struct hmac_vector {
	const char *cite;
	enum esp_integ integ;
	uint8_t key_byte;            /* key = key_byte repeated, or ... */
	const char *key_text;        /* ... this text repeated */
	const char *data;            /* text, or NULL for 0xdd x 50 */
	const char *digest;
};

static const struct hmac_vector hmac_vectors[] = {
	{ "RFC 2202 s3 case 1", ESP_INTEG_HMAC_SHA1_96, 0x0b, NULL, "Hi There",
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "RFC 2202 s3 case 3", ESP_INTEG_HMAC_SHA1_96, 0xaa, NULL, NULL,
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ "RFC 2202 s3 case 5", ESP_INTEG_HMAC_SHA1_96, 0x0c, NULL, "Test With Truncation",
	  "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	{ "RFC 4868 s2.7.2.1 AUTH256-1", ESP_INTEG_HMAC_SHA256_128, 0x0b, NULL, "Hi There",
	  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
	{ "RFC 4868 s2.7.2.1 AUTH256-2", ESP_INTEG_HMAC_SHA256_128, 0, "Jefe",
	  "what do ya want for nothing?",
	  "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6" },
	{ "RFC 4868 s2.7.2.1 AUTH256-3", ESP_INTEG_HMAC_SHA256_128, 0xaa, NULL, NULL,
	  "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0" },
	{ "RFC 4868 s2.7.2.2 AUTH384-1", ESP_INTEG_HMAC_SHA384_192, 0x0b, NULL, "Hi There",
	  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee9737a959796489bddbc"
	  "4c5df61d5b3297b4fb68dab9f1b582c2" },
	{ "RFC 4868 s2.7.2.2 AUTH384-3", ESP_INTEG_HMAC_SHA384_192, 0xaa, NULL, NULL,
	  "809f439be00274321d4a538652164b53554a508184a0c3160353e3428597003d"
	  "35914a18770f9443987054944b7c4b4a" },
};

static void
kat_hmac(void **state)
{
	(void)state;
	for (unsigned i = 0; i < RTE_DIM(hmac_vectors); i++) {
		const struct hmac_vector *v = &hmac_vectors[i];
		struct esp_sa_params p = params_for(2 + v->integ - 1, false, false, 0x2000);
		uint8_t data[64], digest[64], md[64], icv[64];
		size_t dlen = v->data != NULL ? strlen(v->data) : 50;
		unsigned dig_len = (unsigned)unhex(v->digest, digest);
		struct esp_sa *sa;

		for (unsigned k = 0; k < p.auth_key_len; k++)
			p.auth_key[k] = v->key_text != NULL ? (uint8_t)v->key_text[k % 4] : v->key_byte;
		if (v->data != NULL)
			memcpy(data, v->data, dlen);
		else
			memset(data, 0xdd, dlen);
		assert_int_equal(ossl_hmac(v->integ, p.auth_key, p.auth_key_len, data, dlen, md), dig_len);
		if (memcmp(md, digest, dig_len) != 0)
			fail_msg("%s: OpenSSL disagrees with the vector (mistyped?)", v->cite);
		sa = sa_make(&p);
		memset(icv, 0, sizeof(icv));
		assert_int_equal(esp_sa_icv(wk, sa, data, (uint32_t)dlen, icv), 0);
		if (memcmp(icv, digest, icv_len_of(&p)) != 0)
			fail_msg("%s: IPsec-MB HMAC with precomputed pads differs", v->cite);
		sa_free(sa);
	}
}

/* ---------------------------------------------------------- round trips */

#define COMBOS (NSUITES * 4)        /* transforms x {ESN} x {UDP} */

static unsigned pool_mark;

/* Every test gives back what it took; a failed one cannot blame the next. */
static int
pool_note(void **state)
{
	(void)state;
	pool_mark = rte_mempool_in_use_count(pool);
	return 0;
}

static void
pool_balanced(void)
{
	assert_int_equal(rte_mempool_in_use_count(pool), pool_mark);
}

/* The outer headers esp_outbound wrote; returns where ESP starts. */
static uint32_t
check_outer(const struct esp_sa_params *tx, const uint8_t *pkt, uint32_t len, uint8_t tos)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)pkt;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);

	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(ip->type_of_service, tos);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), len);
	assert_int_equal(ip->fragment_offset, 0);     /* DF clear: the caller may fragment */
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	assert_int_equal(rte_be_to_cpu_32(ip->src_addr), tx->local_addr);
	assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), tx->remote_addr);
	if (!tx->udp_encap) {
		assert_int_equal(ip->next_proto_id, IPPROTO_ESP);
		return 20;
	}
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	assert_int_equal(rte_be_to_cpu_16(udp->src_port), tx->local_port);
	assert_int_equal(rte_be_to_cpu_16(udp->dst_port), tx->remote_port);
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), len - 20);
	assert_int_equal(udp->dgram_cksum, 0);        /* RFC 3948 §3.1.2 */
	return 28;
}

/* What OpenSSL makes of one packet esp_outbound produced with sequence seq. */
static void
check_sent(const struct esp_sa_params *tx, const struct esp_sa *sa, const uint8_t *pkt,
	   uint32_t len, const uint8_t *inner, uint32_t inner_len, uint64_t seq, uint8_t *prev_iv)
{
	bool gcm = tx->cipher == ESP_CIPHER_AES_GCM_16;
	uint32_t off = check_outer(tx, pkt, len, inner[1]), pt_len = 0, pad, block = gcm ? 4 : 16;
	const uint8_t *esp = pkt + off;
	uint64_t seq_be = rte_cpu_to_be_64(seq);
	uint8_t pt[PKT_MAX];

	assert_int_equal(rte_be_to_cpu_32(*(const uint32_t *)esp), tx->spi);
	assert_int_equal(rte_be_to_cpu_32(*(const uint32_t *)(esp + 4)), (uint32_t)seq);
	if (gcm)
		assert_memory_equal(esp + 8, &seq_be, 8);    /* RFC 4106 §3.1 */
	else
		assert_memory_not_equal(esp + 8, prev_iv, 16);
	if (!gcm)
		memcpy(prev_iv, esp + 8, 16);
	if (ossl_open(tx, seq, esp, len - off, pt, &pt_len) != 0)
		fail_msg("OpenSSL rejects the ICV of seq %" PRIu64 " len %u", seq, inner_len);
	pad = pt[pt_len - 2];
	assert_int_equal(pad, (block - (inner_len + 2) % block) % block);
	assert_int_equal(pt_len, inner_len + pad + 2);
	for (uint32_t k = 0; k < pad; k++)
		assert_int_equal(pt[inner_len + k], k + 1);
	assert_int_equal(pt[pt_len - 1], 4);
	assert_memory_equal(pt, inner, inner_len);
	assert_int_equal(esp_sa_overhead(sa, inner_len), len - inner_len);
}

static void
roundtrip_all_combos_openssl(void **state)
{
	struct esp_sa_params tp[COMBOS], rp[COMBOS];
	struct esp_sa *out[COMBOS], *in[COMBOS];
	uint64_t start[COMBOS], bytes = 0;
	uint8_t inner[PKT_MAX], prev_iv[COMBOS][16];
	struct rte_mbuf *m[COMBOS];
	enum esp_drop why[COMBOS];
	(void)state;

	memset(prev_iv, 0, sizeof(prev_iv));
	for (unsigned c = 0; c < COMBOS; c++) {
		tp[c] = params_for(c % NSUITES, c / NSUITES % 2, c / NSUITES / 2, 0x10000 + c);
		rp[c] = mirror(&tp[c]);
		out[c] = sa_make(&tp[c]);
		in[c] = sa_make(&rp[c]);
		/* ESN runs cross 2^32 halfway: seq_hi changes under the ICV. */
		start[c] = tp[c].esn ? (UINT64_C(1) << 32) - 700 : 1;
		esp_sa_set_seq(out[c], start[c]);
		esp_sa_set_replay_top(in[c], start[c] - 1);
	}
	for (uint32_t size = 0; size <= 1500; size++) {
		uint32_t len = build_inner(inner, size, (uint16_t)size);

		for (unsigned c = 0; c < COMBOS; c++)
			m[c] = mbuf_from(inner, len);
		assert_int_equal(esp_outbound(wk, out, m, COMBOS, why), COMBOS);
		for (unsigned c = 0; c < COMBOS; c++)
			check_sent(&tp[c], out[c], rte_pktmbuf_mtod(m[c], uint8_t *), m[c]->data_len,
				   inner, len, start[c] + size, prev_iv[c]);
		assert_int_equal(esp_inbound(wk, in, m, COMBOS, why), COMBOS);
		for (unsigned c = 0; c < COMBOS; c++) {
			assert_int_equal(m[c]->data_len, len);
			assert_memory_equal(rte_pktmbuf_mtod(m[c], uint8_t *), inner, len);
		}
		free_all(m, COMBOS);
		bytes += len;
	}
	for (unsigned c = 0; c < COMBOS; c++) {
		assert_int_equal(esp_sa_stats(out[c])->packets, 1501);
		assert_int_equal(esp_sa_stats(out[c])->bytes, bytes);
		assert_int_equal(esp_sa_stats(in[c])->packets, 1501);
		assert_int_equal(esp_sa_stats(in[c])->bytes, bytes);
		assert_int_equal(esp_sa_seq(out[c]), start[c] + 1501);
		assert_int_equal(esp_sa_seq(in[c]), start[c] + 1500);
		sa_free(out[c]);
		sa_free(in[c]);
	}
	pool_balanced();
}

/*
 * More packets than ESP_BURST_MAX, four SAs, some packets bad on the way out
 * (no tailroom; an exhausted SA) and some on the way in (ICV flipped): good
 * ones first in their order, bad ones after in theirs, why[] aligned.
 */
static void
burst_keeps_order_across_chunks(void **state)
{
	enum { N = 150 };
	struct esp_sa_params tp[4], rp[4];
	struct esp_sa *out[4], *in[4], *osa[N], *isa[2 * N];
	struct rte_mbuf *m[N], *orig[N], *im[2 * N], *iorig[2 * N];
	enum esp_drop why[2 * N], expect_why[2 * N];
	uint8_t inner[PKT_MAX];
	uint16_t ids[2 * N];
	unsigned k, g = 0, b = 0, ni = 0;
	(void)state;

	for (unsigned s = 0; s < 4; s++) {
		tp[s] = params_for(s == 1 ? 3 : s * 2, s == 2, s == 2, 0x20000 + s);
		rp[s] = mirror(&tp[s]);
		out[s] = sa_make(&tp[s]);
		in[s] = sa_make(&rp[s]);
	}
	esp_sa_set_seq(out[3], UINT64_C(1) << 32);   /* exhausted */
	for (unsigned i = 0; i < N; i++) {
		bool full = i % 10 == 4;
		uint32_t len = build_inner(inner, full ? 2028 : 40 + i, (uint16_t)i);

		m[i] = orig[i] = mbuf_from(inner, len);
		osa[i] = out[i % 10 == 9 ? 3 : i % 3];
	}
	k = esp_outbound(wk, osa, m, N, why);
	for (unsigned i = 0; i < N; i++) {
		if (i % 10 == 4 || i % 10 == 9)
			continue;
		assert_ptr_equal(m[g++], orig[i]);
	}
	assert_int_equal(k, g);
	for (unsigned i = 0; i < N; i++) {
		if (i % 10 != 4 && i % 10 != 9)
			continue;
		assert_ptr_equal(m[g + b], orig[i]);
		assert_int_equal(why[b++], i % 10 == 4 ? ESP_DROP_no_room : ESP_DROP_seq_exhausted);
	}
	assert_int_equal(esp_sa_stats(out[3])->drops[ESP_DROP_seq_exhausted], N / 10);

	/* Inbound: each good packet, and after every third a forged copy. */
	for (unsigned i = 0, j = 0; i < N; i++) {
		if (i % 10 == 4 || i % 10 == 9)
			continue;
		im[ni] = iorig[ni] = m[j];
		isa[ni] = in[i % 3];
		ids[ni] = (uint16_t)i;
		expect_why[ni++] = NONE;
		if (j++ % 3 == 0) {
			struct rte_mbuf *c = mbuf_from(rte_pktmbuf_mtod(m[j - 1], uint8_t *),
						       m[j - 1]->data_len);

			rte_pktmbuf_mtod(c, uint8_t *)[c->data_len - 1] ^= 0x80;
			im[ni] = iorig[ni] = c;
			isa[ni] = in[i % 3];
			expect_why[ni++] = ESP_DROP_auth_failed;
		}
	}
	free_all(m + k, N - k);
	assert_true(ni > 2 * ESP_BURST_MAX);
	k = esp_inbound(wk, isa, im, (uint16_t)ni, why);
	g = b = 0;
	for (unsigned i = 0; i < ni; i++) {
		if (expect_why[i] != NONE)
			continue;
		assert_ptr_equal(im[g], iorig[i]);
		assert_int_equal(rte_be_to_cpu_16(rte_pktmbuf_mtod(im[g], struct rte_ipv4_hdr *)->packet_id),
				 ids[i]);
		g++;
	}
	assert_int_equal(k, g);
	for (unsigned i = 0; i < ni; i++) {
		if (expect_why[i] == NONE)
			continue;
		assert_ptr_equal(im[g + b], iorig[i]);
		assert_int_equal(why[b++], expect_why[i]);
	}
	free_all(im, ni);
	for (unsigned s = 0; s < 4; s++) {
		sa_free(out[s]);
		sa_free(in[s]);
	}
	pool_balanced();
}

/* --------------------------------------------------------------- replay */

static void
replay_window_moves(void **state)
{
	static const uint32_t windows[] = { 0, 2048, 4096 };
	(void)state;

	for (unsigned t = 0; t < 2 * RTE_DIM(windows); t++) {
		struct esp_sa_params rx = params_for(t % 2 ? 2 : 0, t % 2, false, 0x30000 + t);
		uint32_t w = windows[t / 2] ? windows[t / 2] : 1024;
		/* With ESN a number left of the window reads as the next 2^32
		 * (Appendix A2.2), which the ICV then refutes. */
		enum esp_drop old = t % 2 ? ESP_DROP_auth_failed : ESP_DROP_too_old;
		struct esp_sa *sa;

		rx = mirror(&rx);
		rx.replay_window = windows[t / 2];
		sa = sa_make(&rx);
		assert_int_equal(rx_seq(sa, &rx, 1), NONE);
		assert_int_equal(rx_seq(sa, &rx, 1), ESP_DROP_replayed);
		assert_int_equal(rx_seq(sa, &rx, 3), NONE);
		assert_int_equal(rx_seq(sa, &rx, 2), NONE);
		assert_int_equal(rx_seq(sa, &rx, 2), ESP_DROP_replayed);
		assert_int_equal(rx_seq(sa, &rx, 0), ESP_DROP_too_old);
		/* Window of exactly w: top - (w - 1) is in, top - w is out. */
		assert_int_equal(rx_seq(sa, &rx, 10000), NONE);
		assert_int_equal(rx_seq(sa, &rx, 10000 - (w - 1)), NONE);
		assert_int_equal(rx_seq(sa, &rx, 10000 - w), old);
		/* All of the window, out of order (reversed). */
		assert_int_equal(rx_seq(sa, &rx, 20000), NONE);
		for (uint64_t s = 20000 - 1; s > 20000 - w; s--)
			assert_int_equal(rx_seq(sa, &rx, s), NONE);
		for (uint64_t s = 20000; s > 20000 - w; s -= 97)
			assert_int_equal(rx_seq(sa, &rx, s), ESP_DROP_replayed);
		/* Far ahead slides the whole window. */
		assert_int_equal(rx_seq(sa, &rx, 1000000), NONE);
		assert_int_equal(rx_seq(sa, &rx, 20000), old);
		assert_int_equal(rx_seq(sa, &rx, 999999), NONE);
		assert_int_equal(esp_sa_seq(sa), 1000000);
		assert_int_equal(esp_sa_stats(sa)->drops[ESP_DROP_too_old], t % 2 ? 1 : 3);
		sa_free(sa);
	}
	pool_balanced();
}

/* One burst carrying the same packet twice: the second is a replay. */
static void
replay_within_one_burst(void **state)
{
	struct esp_sa_params rx = params_for(1, false, true, 0x31000);
	uint8_t pkt[256];
	struct esp_sa *sa, *sas[2];
	struct rte_mbuf *m[2];
	enum esp_drop why[2];
	uint32_t len;
	(void)state;

	rx = mirror(&rx);
	sa = sas[0] = sas[1] = sa_make(&rx);
	len = sealed(&rx, pkt, &plain, 20);
	m[0] = mbuf_from(pkt, len);
	m[1] = mbuf_from(pkt, len);
	assert_int_equal(esp_inbound(wk, sas, m, 2, why), 1);
	assert_int_equal(why[0], ESP_DROP_replayed);
	free_all(m, 2);
	sa_free(sa);
	pool_balanced();
}

/*
 * ESN across 2^32 (RFC 4303 Appendix A2.2): seq 2^32-2 .. 2^32 from
 * esp_outbound; a late 2^32-16 still places itself before the wrap; a
 * packet whose seq_hi the window cannot guess fails its ICV.
 */
static void
replay_esn_wrap(void **state)
{
	struct esp_sa_params tx = params_for(4, true, true, 0x32000), rx = mirror(&tx);
	struct esp_sa *out = sa_make(&tx), *in = sa_make(&rx), *os[3] = { out, out, out };
	struct esp_sa *is[3] = { in, in, in };
	uint8_t inner[64];
	struct rte_mbuf *m[3];
	enum esp_drop why[3];
	uint32_t len = build_inner(inner, 30, 1);
	(void)state;

	esp_sa_set_seq(out, 0xfffffffe);
	esp_sa_set_replay_top(in, 0xfffffffd);
	for (int i = 0; i < 3; i++)
		m[i] = mbuf_from(inner, len);
	assert_int_equal(esp_outbound(wk, os, m, 3, why), 3);
	assert_int_equal(*rte_pktmbuf_mtod_offset(m[2], uint32_t *, 32), 0);   /* seq_lo 0 */
	assert_int_equal(esp_inbound(wk, is, m, 3, why), 3);
	assert_int_equal(esp_sa_seq(in), UINT64_C(1) << 32);
	free_all(m, 3);
	assert_int_equal(rx_seq(in, &rx, 0xfffffff0), NONE);
	assert_int_equal(rx_seq(in, &rx, 0xffffffff), ESP_DROP_replayed);
	assert_int_equal(rx_seq(in, &rx, (UINT64_C(2) << 32) + 5), ESP_DROP_auth_failed);
	assert_int_equal(esp_sa_seq(in), UINT64_C(1) << 32);
	sa_free(out);
	sa_free(in);
	pool_balanced();
}

/* A forged packet far ahead moves nothing: RFC 4303 §3.4.3. */
static void
replay_state_unchanged_by_forgery(void **state)
{
	struct esp_sa_params rx = params_for(6, false, false, 0x33000);
	uint8_t inner[64], pkt[256];
	struct seal s = { .seq = 5000, .inner = inner, .pad_len = -1, .pad_field = -1, .nh = 4 };
	struct esp_sa *sa;
	uint32_t len;
	(void)state;

	rx = mirror(&rx);
	sa = sa_make(&rx);
	assert_int_equal(rx_seq(sa, &rx, 100), NONE);
	s.inner_len = build_inner(inner, 20, 1);
	len = ossl_seal(&rx, &s, pkt);
	pkt[len - 1] ^= 1;
	assert_int_equal(rx_bytes(sa, pkt, len, NULL, NULL), ESP_DROP_auth_failed);
	assert_int_equal(esp_sa_seq(sa), 100);
	assert_int_equal(esp_sa_stats(sa)->packets, 1);
	assert_int_equal(rx_seq(sa, &rx, 99), NONE);        /* the window did not slide */
	pkt[len - 1] ^= 1;
	assert_int_equal(rx_bytes(sa, pkt, len, NULL, NULL), NONE);   /* nor mark 5000 */
	assert_int_equal(esp_sa_stats(sa)->drops[ESP_DROP_auth_failed], 1);
	sa_free(sa);
	pool_balanced();
}

/* ------------------------------------------------------------- hostile */

/* Lengths rewritten to cut, consistently (IPv4 total length and UDP length). */
static void
set_lengths(const struct esp_sa_params *rx, uint8_t *pkt, uint32_t cut)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;

	ip->total_length = rte_cpu_to_be_16(cut);
	if (rx->udp_encap && cut >= 28)
		((struct rte_udp_hdr *)(ip + 1))->dgram_len = rte_cpu_to_be_16(cut - 20);
}

static void
hostile_truncated_everywhere(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 2 * NSUITES; c++) {
		struct esp_sa_params rx = params_for(c % NSUITES, false, c >= NSUITES, 0x40000 + c);
		uint8_t pkt[512], cut_pkt[512];
		struct esp_sa *sa;
		uint32_t len;

		rx = mirror(&rx);
		sa = sa_make(&rx);
		len = sealed(&rx, pkt, &plain, 45);
		for (uint32_t cut = 0; cut < len; cut++) {
			enum esp_drop d;

			/* The headers promise more than there is. */
			assert_int_equal(rx_bytes(sa, pkt, cut, NULL, NULL), ESP_DROP_bad_outer);
			/* The headers agree with the cut. */
			memcpy(cut_pkt, pkt, len);
			set_lengths(&rx, cut_pkt, cut);
			d = rx_bytes(sa, cut_pkt, cut, NULL, NULL);
			assert_int_not_equal(d, NONE);
			if (cut == len - 1)
				assert_int_equal(d, ESP_DROP_bad_length);
		}
		/* Oversized lengths. */
		memcpy(cut_pkt, pkt, len);
		set_lengths(&rx, cut_pkt, len + 1);
		assert_int_equal(rx_bytes(sa, cut_pkt, len, NULL, NULL), ESP_DROP_bad_outer);
		if (rx.udp_encap) {
			memcpy(cut_pkt, pkt, len);
			((struct rte_udp_hdr *)(cut_pkt + 20))->dgram_len = rte_cpu_to_be_16(len - 19);
			assert_int_equal(rx_bytes(sa, cut_pkt, len, NULL, NULL), ESP_DROP_bad_outer);
		}
		memcpy(cut_pkt, pkt, len);
		cut_pkt[0] = 0x44;                       /* IHL below 5 */
		assert_int_equal(rx_bytes(sa, cut_pkt, len, NULL, NULL), ESP_DROP_bad_outer);
		assert_int_equal(rx_bytes(sa, pkt, len, NULL, NULL), NONE);
		assert_int_equal(esp_sa_stats(sa)->packets, 1);
		sa_free(sa);
	}
	pool_balanced();
}

/* Outer header mutations, one at a time: each a bad_outer. */
static void
hostile_outer(void **state)
{
	struct esp_sa_params rx = params_for(0, false, true, 0x41000), raw;
	struct esp_sa *sa, *sa_raw;
	uint8_t pkt[512], bad[512];
	uint32_t len, v = 0;
	(void)state;

	rx = mirror(&rx);
	raw = rx;
	raw.udp_encap = false;
	sa = sa_make(&rx);
	sa_raw = sa_make(&raw);
	len = sealed(&rx, pkt, &plain, 30);
	for (int t = 0; t < 7; t++) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)bad;

		memcpy(bad, pkt, len);
		switch (t) {
		case 0: ip->version_ihl = 0x65; break;
		case 1: ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG); break;
		case 2: ip->fragment_offset = rte_cpu_to_be_16(3); break;
		case 3: ip->dst_addr ^= 1; break;
		case 4: ip->src_addr ^= 1; break;
		case 5: bad[23] ^= 1; break;                  /* UDP destination port */
		case 6: memcpy(bad + 28, &v, 4); break;       /* non-ESP marker: IKE */
		}
		assert_int_equal(rx_bytes(sa, bad, len, NULL, NULL), ESP_DROP_bad_outer);
	}
	/* A UDP packet to a raw SA, and the other way round. */
	assert_int_equal(rx_bytes(sa_raw, pkt, len, NULL, NULL), ESP_DROP_bad_outer);
	len = sealed(&raw, pkt, &plain, 30);
	assert_int_equal(rx_bytes(sa, pkt, len, NULL, NULL), ESP_DROP_bad_outer);
	assert_int_equal(rx_bytes(sa_raw, pkt, len, NULL, NULL), NONE);
	sa_free(sa);
	sa_free(sa_raw);
	pool_balanced();
}

/* Flip each byte from the SPI to the last ICV byte. */
static void
hostile_flip_every_byte(void **state)
{
	(void)state;
	for (unsigned c = 0; c < NSUITES; c++) {
		struct esp_sa_params rx = params_for(c, c % 2, false, 0x42000 + c);
		uint8_t pkt[512], bad[512];
		struct esp_sa *sa;
		uint32_t len;

		rx = mirror(&rx);
		sa = sa_make(&rx);
		len = sealed(&rx, pkt, &(struct seal){ .seq = 2, .pad_len = -1, .pad_field = -1, .nh = 4 }, 33);
		for (uint32_t off = 20; off < len; off++) {
			enum esp_drop d;

			memcpy(bad, pkt, len);
			bad[off] ^= 0x01;
			d = rx_bytes(sa, bad, len, NULL, NULL);
			if (off < 24)
				assert_int_equal(d, ESP_DROP_spi_mismatch);
			else if (off < 28 && d != ESP_DROP_auth_failed)
				assert_true(d == ESP_DROP_too_old || d == ESP_DROP_replayed);
			else if (off >= 28)
				assert_int_equal(d, ESP_DROP_auth_failed);
		}
		assert_int_equal(esp_sa_stats(sa)->packets, 0);
		assert_int_equal(rx_bytes(sa, pkt, len, NULL, NULL), NONE);
		sa_free(sa);
	}
	pool_balanced();
}

/* Authentic packets with bad contents: padding, next header, inner IPv4. */
static void
hostile_after_authentication(void **state)
{
	(void)state;
	for (unsigned c = 0; c < NSUITES; c += 3) {
		struct esp_sa_params rx = params_for(c, false, true, 0x43000 + c);
		uint8_t inner[PKT_MAX], pkt[PKT_MAX];
		struct esp_sa *sa;
		struct seal s = plain;
		uint64_t seq = 1;

		rx = mirror(&rx);
		sa = sa_make(&rx);
		s.inner = inner;
#define EXPECT(field_setup, verdict)                                                   \
	do {                                                                           \
		s = plain;                                                             \
		s.inner = inner;                                                       \
		s.seq = seq++;                                                         \
		s.inner_len = build_inner(inner, 23, 9);                               \
		field_setup;                                                           \
		assert_int_equal(rx_bytes(sa, pkt, ossl_seal(&rx, &s, pkt), NULL, NULL), verdict); \
	} while (0)
		EXPECT(s.bad_pad = true, ESP_DROP_bad_padding);
		EXPECT(s.pad_field = 250, ESP_DROP_bad_padding);
		/* RFC 4303 §2.4: more padding than needed is fine. */
		EXPECT(s.pad_len = c ? 3 + 16 : 3 + 4, ESP_DROP_COUNT);
		EXPECT(s.nh = 59, ESP_DROP_dummy);
		EXPECT(s.nh = 6, ESP_DROP_next_header);
		EXPECT(inner[3] += 1, ESP_DROP_inner_malformed);        /* claims one byte more */
		EXPECT(inner[0] = 0x44, ESP_DROP_inner_malformed);      /* IHL 4 */
		EXPECT(inner[0] = 0x65, ESP_DROP_inner_malformed);      /* not IPv4 */
		EXPECT(s.inner_len = 10, ESP_DROP_inner_malformed);     /* shorter than a header */
		EXPECT(inner[3] -= 1, ESP_DROP_COUNT);                  /* shorter is trimmed */
#undef EXPECT
		assert_int_equal(esp_sa_stats(sa)->packets, 2);
		assert_int_equal(esp_sa_stats(sa)->drops[ESP_DROP_inner_malformed], 4);
		assert_int_equal(esp_sa_seq(sa), seq - 1);
		sa_free(sa);
	}
	pool_balanced();
}

static void
hostile_spi_and_random(void **state)
{
	struct esp_sa_params rx = params_for(3, true, false, 0x44000), other;
	uint8_t pkt[512];
	struct esp_sa *sa;
	(void)state;

	rx = mirror(&rx);
	other = rx;
	other.spi++;
	sa = sa_make(&rx);
	assert_int_equal(rx_bytes(sa, pkt, sealed(&other, pkt, &plain, 20), NULL, NULL),
			 ESP_DROP_spi_mismatch);
	srand(4303);
	for (int i = 0; i < 20000; i++) {
		uint32_t len = (uint32_t)rand() % 300;

		for (uint32_t k = 0; k < len; k++)
			pkt[k] = (uint8_t)rand();
		if (i % 2 && len >= 20) {
			/* Plausible outer header, random ESP. */
			outer_wrap(&rx, pkt, len - 20);
		}
		assert_int_not_equal(rx_bytes(sa, pkt, len, NULL, NULL), NONE);
	}
	assert_int_equal(esp_sa_stats(sa)->packets, 0);
	sa_free(sa);
	pool_balanced();
}

/* Chained mbufs are refused both ways, untouched. */
static void
multi_segment_refused(void **state)
{
	struct esp_sa_params tx = params_for(0, false, false, 0x45000), rx = mirror(&tx);
	struct esp_sa *out = sa_make(&tx), *in = sa_make(&rx);
	uint8_t inner[64];
	struct rte_mbuf *m = mbuf_from(inner, build_inner(inner, 10, 1));
	enum esp_drop why;
	(void)state;

	assert_int_equal(rte_pktmbuf_chain(m, mbuf_from(inner, 10)), 0);
	assert_int_equal(esp_outbound(wk, &out, &m, 1, &why), 0);
	assert_int_equal(why, ESP_DROP_no_room);
	assert_int_equal(esp_inbound(wk, &in, &m, 1, &why), 0);
	assert_int_equal(why, ESP_DROP_bad_outer);
	rte_pktmbuf_free(m);
	sa_free(out);
	sa_free(in);
	pool_balanced();
}

/* ---------------------------------------------------- sequence numbers */

static unsigned
tx_n(struct esp_sa *sa, unsigned n, enum esp_drop *why)
{
	struct esp_sa *sas[4] = { sa, sa, sa, sa };
	struct rte_mbuf *m[4];
	uint8_t inner[64];
	uint32_t len = build_inner(inner, 8, 1);
	unsigned k;

	for (unsigned i = 0; i < n; i++)
		m[i] = mbuf_from(inner, len);
	k = esp_outbound(wk, sas, m, (uint16_t)n, why);
	free_all(m, n);
	return k;
}

/* RFC 4303 §3.3.3: soft limit once, then the last number, then drops. */
static void
seq_soft_then_hard(void **state)
{
	struct esp_sa_params p = params_for(2, false, false, 0x50000);
	struct esp_sa *sa = sa_make(&p);
	enum esp_drop why[4];
	uint64_t soft = (UINT64_C(1) << 32) - (UINT64_C(1) << 22);
	(void)state;

	assert_int_equal(esp_sa_seq(sa), 1);
	esp_sa_set_seq(sa, soft - 1);
	assert_int_equal(tx_n(sa, 1, why), 1);
	assert_int_equal(esp_sa_events(sa), 0);
	assert_int_equal(tx_n(sa, 2, why), 2);
	assert_int_equal(esp_sa_events(sa), ESP_EVENT_SEQ_SOFT);
	esp_sa_set_seq(sa, UINT32_MAX - 1);
	assert_int_equal(tx_n(sa, 1, why), 1);
	assert_int_equal(esp_sa_events(sa), ESP_EVENT_SEQ_SOFT);
	assert_int_equal(tx_n(sa, 3, why), 1);          /* 2^32 - 1 is the last one sent */
	assert_int_equal(why[0], ESP_DROP_seq_exhausted);
	assert_int_equal(why[1], ESP_DROP_seq_exhausted);
	assert_int_equal(esp_sa_events(sa), ESP_EVENT_SEQ_SOFT | ESP_EVENT_SEQ_HARD);
	assert_int_equal(esp_sa_seq(sa), UINT64_C(1) << 32);
	assert_int_equal(esp_sa_stats(sa)->drops[ESP_DROP_seq_exhausted], 2);
	assert_int_equal(esp_sa_stats(sa)->packets, 5);
	sa_free(sa);

	/* With ESN 2^32 is just the next number; a given soft limit is honoured. */
	p = params_for(0, true, false, 0x50001);
	p.seq_soft_limit = 10;
	sa = sa_make(&p);
	assert_int_equal(tx_n(sa, 4, why) + tx_n(sa, 4, why) + tx_n(sa, 1, why), 9);
	assert_int_equal(esp_sa_events(sa), 0);
	assert_int_equal(tx_n(sa, 1, why), 1);
	assert_int_equal(esp_sa_events(sa), ESP_EVENT_SEQ_SOFT);
	esp_sa_set_seq(sa, UINT32_MAX);
	assert_int_equal(tx_n(sa, 3, why), 3);
	assert_int_equal(esp_sa_seq(sa), (UINT64_C(1) << 32) + 2);
	assert_int_equal(esp_sa_events(sa), ESP_EVENT_SEQ_SOFT);
	sa_free(sa);
	pool_balanced();
}

/* ------------------------------------------------------ API edges */

static void
params_refused_with_field_named(void **state)
{
	struct esp_sa_params good = params_for(3, false, true, 0x60000);
	struct esp_sa *sa = rte_zmalloc("sa", esp_sa_size(), RTE_CACHE_LINE_SIZE);
	char err[160];
	(void)state;

	for (int t = 0; t < 11; t++) {
		struct esp_sa_params p = good;
		const char *field = NULL;

		switch (t) {
		case 0: p.spi = 255; field = "spi"; break;
		case 1: p.cipher = 7; field = "cipher"; break;
		case 2: p.key_len = 24; field = "key_len"; break;
		case 3: p.integ = ESP_INTEG_NONE; field = "integ"; break;
		case 4: p.auth_key_len = 20; field = "auth_key_len"; break;
		case 5: p.replay_window = 3000; field = "replay_window"; break;
		case 6: p.replay_window = 8192; field = "replay_window"; break;
		case 7: p.remote_addr = 0; field = "remote_addr"; break;
		case 8: p.remote_port = 0; field = "remote_port"; break;
		case 9: p.seq_soft_limit = UINT64_C(1) << 33; field = "seq_soft_limit"; break;
		case 10: p = params_for(0, false, false, 0x60001); p.integ = ESP_INTEG_HMAC_SHA1_96;
			 field = "integ"; break;
		}
		err[0] = '\0';
		assert_int_equal(esp_sa_init(sa, wk, &p, err, sizeof(err)), -EINVAL);
		if (strstr(err, field) == NULL)
			fail_msg("case %d: \"%s\" does not name %s", t, err, field);
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(esp_sa_init((struct esp_sa *)((uint8_t *)sa + 8), wk, &good, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(esp_sa_init(sa, wk, &good, err, sizeof(err)), 0);
	assert_int_equal(esp_sa_spi(sa), 0x60000);
	sa_free(sa);
}

static void
peek_spi(void **state)
{
	struct esp_sa_params udp = params_for(0, false, true, 0x70000), raw;
	uint8_t pkt[256];
	uint32_t spi = 0, len, zero = 0;
	struct rte_mbuf *m;
	(void)state;

	udp = mirror(&udp);
	raw = udp;
	raw.udp_encap = false;
	len = sealed(&udp, pkt, &plain, 10);
	for (int t = 0; t < 8; t++) {
		uint8_t b[256];
		uint32_t l = len;
		bool u = true;
		int expect = -EINVAL;

		memcpy(b, pkt, len);
		switch (t) {
		case 0: expect = 0; break;
		case 1: u = false; break;                             /* UDP is not raw ESP */
		case 2: memcpy(b + 28, &zero, 4); break;              /* non-ESP marker */
		case 3: l = 35; break;                                /* headers promise more */
		case 4: b[6] = 0x20; break;                           /* a fragment */
		case 5: b[0] = 0x46; break;                           /* IHL past the data */
		case 6: l = sealed(&raw, b, &plain, 10); u = false; expect = 0; break;
		case 7: l = sealed(&raw, b, &plain, 10); break;       /* raw is not UDP */
		}
		if (t == 5)
			l = 22;
		m = mbuf_from(b, l);
		assert_int_equal(esp_peek_spi(m, u, &spi), expect);
		if (expect == 0)
			assert_int_equal(spi, 0x70000);
		rte_pktmbuf_free(m);
	}
	pool_balanced();
}

static void
names_and_worker(void **state)
{
	(void)state;
	for (int i = 0; i < ESP_DROP_COUNT; i++) {
		assert_true(strlen(esp_drop_name(i)) > 0 && strlen(esp_drop_help(i)) > 0);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(esp_drop_name(i), esp_drop_name(j));
	}
	assert_string_equal(esp_drop_name(ESP_DROP_COUNT), "unknown");
	assert_string_not_equal(esp_worker_arch(wk), "none");
	print_message("IPsec-MB %s, arch %s, struct esp_sa %zu bytes\n", imb_get_version_str(),
		      esp_worker_arch(wk), esp_sa_size());
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "lib.eal:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(names_and_worker, pool_note),
		cmocka_unit_test_setup(kat_gcm_draft_mcgrew, pool_note),
		cmocka_unit_test_setup(kat_cbc_rfc3602, pool_note),
		cmocka_unit_test_setup(kat_cbc256_sp800_38a, pool_note),
		cmocka_unit_test_setup(kat_hmac, pool_note),
		cmocka_unit_test_setup(roundtrip_all_combos_openssl, pool_note),
		cmocka_unit_test_setup(burst_keeps_order_across_chunks, pool_note),
		cmocka_unit_test_setup(replay_window_moves, pool_note),
		cmocka_unit_test_setup(replay_within_one_burst, pool_note),
		cmocka_unit_test_setup(replay_esn_wrap, pool_note),
		cmocka_unit_test_setup(replay_state_unchanged_by_forgery, pool_note),
		cmocka_unit_test_setup(hostile_truncated_everywhere, pool_note),
		cmocka_unit_test_setup(hostile_outer, pool_note),
		cmocka_unit_test_setup(hostile_flip_every_byte, pool_note),
		cmocka_unit_test_setup(hostile_after_authentication, pool_note),
		cmocka_unit_test_setup(hostile_spi_and_random, pool_note),
		cmocka_unit_test_setup(multi_segment_refused, pool_note),
		cmocka_unit_test_setup(seq_soft_then_hard, pool_note),
		cmocka_unit_test_setup(params_refused_with_field_named, pool_note),
		cmocka_unit_test_setup(peek_spi, pool_note),
	};
	int failed;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("esp_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	wk = esp_worker_create(SOCKET_ID_ANY);
	if (pool == NULL || wk == NULL)
		return 1;
	failed = cmocka_run_group_tests_name("esp", tests, NULL, NULL);
	esp_worker_free(wk);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed;
}
