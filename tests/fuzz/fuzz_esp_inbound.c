/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the inbound ESP path: esp_peek_spi and esp_inbound
 * on whatever arrives, through four fixed SAs (raw and UDP-encapsulated, GCM
 * and CBC+HMAC, with and without ESN). Random bytes rarely get past the ICV,
 * so in "authentic" mode the input is instead the plaintext ESP payload
 * (padding, pad length and next header included, as the fuzzer likes) that
 * the harness seals with OpenSSL into a packet the SA accepts as genuine:
 * that reaches the trailer and inner-header checks. Every mbuf must go back
 * to the pool, every accepted packet must fit in what came in.
 *
 * Input: byte 0 = mode (bits 0-1 the SA, bit 2 authentic, bit 3 a burst of
 * the same packet twice), bytes 1-4 the sequence number in authentic mode,
 * the rest the packet (from its outer IPv4 header) or the payload.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "esp.h"
#include "esp_priv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GW 0xc6336401u       /* 198.51.100.1 */
#define CLIENT 0xcb007107u   /* 203.0.113.7 */

static struct rte_mempool *pool;
static struct esp_worker *wk;
static struct esp_sa *sas[4];
static struct esp_sa_params params[4];

static void
sa_setup(unsigned i, enum esp_cipher c, uint8_t key_len, enum esp_integ integ, bool esn, bool udp)
{
	static const uint8_t auth_len[] = { 0, 20, 32, 48 };
	struct esp_sa_params *p = &params[i];

	memset(p, 0, sizeof(*p));
	p->spi = 0x1000 + i;
	p->cipher = c;
	p->key_len = key_len;
	p->integ = integ;
	p->auth_key_len = auth_len[integ];
	p->esn = esn;
	p->udp_encap = udp;
	p->local_addr = GW;
	p->remote_addr = CLIENT;
	p->local_port = udp ? 4500 : 0;
	p->remote_port = udp ? 40000 : 0;
	for (unsigned k = 0; k < ESP_KEY_MAX; k++)
		p->key[k] = (uint8_t)(k * 7 + i);
	for (unsigned k = 0; k < ESP_AUTH_KEY_MAX; k++)
		p->auth_key[k] = (uint8_t)(k * 11 + i);
	memcpy(p->salt, "salt", 4);
	sas[i] = rte_zmalloc("fuzz_sa", esp_sa_size(), RTE_CACHE_LINE_SIZE);
	if (sas[i] == NULL || esp_sa_init(sas[i], wk, p, NULL, 0) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz_esp_inbound", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "lib.eal:error" };

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		abort();
	pool = rte_pktmbuf_pool_create("fuzz_esp", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	wk = esp_worker_create(SOCKET_ID_ANY);
	if (pool == NULL || wk == NULL)
		abort();
	sa_setup(0, ESP_CIPHER_AES_GCM_16, 16, ESP_INTEG_NONE, false, false);
	sa_setup(1, ESP_CIPHER_AES_GCM_16, 32, ESP_INTEG_NONE, true, true);
	sa_setup(2, ESP_CIPHER_AES_CBC, 32, ESP_INTEG_HMAC_SHA384_192, true, false);
	sa_setup(3, ESP_CIPHER_AES_CBC, 16, ESP_INTEG_HMAC_SHA1_96, false, true);
	return 0;
}

/* RFC 4106 / RFC 3602 + RFC 4303 §3.3.2.2, with OpenSSL: payload (len a
 * multiple of the block) sealed for p with sequence number seq (seq_hi 0).
 * Returns the ESP length written at esp. */
static uint32_t
seal(const struct esp_sa_params *p, uint32_t seq, const uint8_t *pt, uint32_t len, uint8_t *esp)
{
	bool gcm = p->cipher == ESP_CIPHER_AES_GCM_16;
	uint32_t iv_len = gcm ? 8 : 16, v, hi = 0;
	uint8_t *ct = esp + 8 + iv_len, nonce[12], aad[12], mac[64];
	static const uint8_t icv_len[] = { 16, 12, 16, 24 };
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	unsigned md_len;
	int l;

	v = rte_cpu_to_be_32(p->spi);
	memcpy(esp, &v, 4);
	v = rte_cpu_to_be_32(seq);
	memcpy(esp + 4, &v, 4);
	memset(esp + 8, 0x5a, iv_len);
	if (gcm) {
		memcpy(nonce, p->salt, 4);
		memcpy(nonce + 4, esp + 8, 8);
		memcpy(aad, esp, 4);
		memcpy(aad + 4, p->esn ? (const void *)&hi : (const void *)(esp + 4), 4);
		memcpy(aad + 8, esp + 4, 4);
		EVP_EncryptInit_ex(c, p->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL,
				   p->key, nonce);
		EVP_EncryptUpdate(c, NULL, &l, aad, p->esn ? 12 : 8);
		EVP_EncryptUpdate(c, ct, &l, pt, (int)len);
		EVP_EncryptFinal_ex(c, ct + len, &l);
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + len);
	} else {
		EVP_EncryptInit_ex(c, p->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(), NULL,
				   p->key, esp + 8);
		EVP_CIPHER_CTX_set_padding(c, 0);
		EVP_EncryptUpdate(c, ct, &l, pt, (int)len);
		memcpy(ct + len, &hi, 4);
		HMAC(p->integ == ESP_INTEG_HMAC_SHA1_96 ? EVP_sha1() : EVP_sha384(), p->auth_key,
		     p->auth_key_len, esp, 8 + iv_len + len + (p->esn ? 4 : 0), mac, &md_len);
		memcpy(ct + len, mac, icv_len[p->integ]);
	}
	EVP_CIPHER_CTX_free(c);
	return 8 + iv_len + len + icv_len[p->integ];
}

/* Outer IPv4 [+ UDP] from the client to us around esp_len bytes. */
static uint32_t
wrap(const struct esp_sa_params *p, uint8_t *pkt, uint32_t esp_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	uint32_t total = (p->udp_encap ? 28 : 20) + esp_len;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->time_to_live = 64;
	ip->next_proto_id = p->udp_encap ? IPPROTO_UDP : IPPROTO_ESP;
	ip->src_addr = rte_cpu_to_be_32(CLIENT);
	ip->dst_addr = rte_cpu_to_be_32(GW);
	if (p->udp_encap) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(p->remote_port);
		udp->dst_port = rte_cpu_to_be_16(p->local_port);
		udp->dgram_len = rte_cpu_to_be_16(total - 20);
		udp->dgram_cksum = 0;
	}
	return total;
}

static void
check(struct rte_mbuf *m[], uint16_t n, uint16_t k, const enum esp_drop why[], uint32_t in_len)
{
	for (uint16_t i = 0; i < k; i++) {
		const uint8_t *inner = rte_pktmbuf_mtod(m[i], const uint8_t *);

		if (m[i]->data_len != m[i]->pkt_len || m[i]->data_len > in_len ||
		    m[i]->data_len < 20 || (inner[0] >> 4) != 4 ||
		    (uint32_t)(inner[2] << 8 | inner[3]) != m[i]->data_len)
			abort();
	}
	for (uint16_t i = k; i < n; i++)
		if ((unsigned)why[i - k] >= ESP_DROP_COUNT)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[1600];
	struct rte_mbuf *m[2];
	struct esp_sa *sa_burst[2];
	enum esp_drop why[2];
	unsigned mode, i;
	struct esp_sa_params *p;
	uint32_t len, spi;
	uint16_t n, k;

	if (size < 5 || size > 1400)
		return 0;
	mode = data[0];
	p = &params[mode & 3];
	if (mode & 4) {
		uint32_t seq, pt_len = (uint32_t)size - 5;

		memcpy(&seq, data + 1, 4);
		pt_len &= p->cipher == ESP_CIPHER_AES_GCM_16 ? ~3u : ~15u;
		len = wrap(p, pkt, seal(p, seq, data + 5, pt_len, pkt + (p->udp_encap ? 28 : 20)));
	} else {
		len = (uint32_t)size - 5;
		memcpy(pkt, data + 5, len);
	}
	/* Deterministic: the window starts empty for every input. */
	esp_sa_set_replay_top(sas[mode & 3], 0);
	n = mode & 8 ? 2 : 1;
	for (i = 0; i < n; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		if (m[i] == NULL || rte_pktmbuf_append(m[i], (uint16_t)len) == NULL)
			abort();
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), pkt, len);
		sa_burst[i] = sas[mode & 3];
	}
	if (esp_peek_spi(m[0], p->udp_encap, &spi) == 0 && spi == 0)
		abort();
	k = esp_inbound(wk, sa_burst, m, n, why);
	if (k > 1)
		abort();       /* the second copy is a replay */
	check(m, n, k, why, len);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
	if (rte_mempool_in_use_count(pool) != 0)
		abort();
	return 0;
}
