/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An independent opinion, before any timing: OpenSSL opens ESP packets made
 * by the stages under test (RFC 4106 AES-GCM with 8-byte IV and 16-byte ICV;
 * RFC 3602 AES-CBC with HMAC-SHA-256-128 per RFC 4868), checks the ICV and
 * the RFC 4303 §2.4 trailer, and gives back the inner packet; also the outer
 * IPv4 and UDP headers of a whole frame. Slow and thorough; never timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "bench.h"

static int
open_gcm(const struct bench_keys *k, const uint8_t *esp, unsigned ct_len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int outl, ok;

	if (ctx == NULL)
		return -1;
	memcpy(nonce, k->salt, 4);
	memcpy(nonce + 4, esp + 8, 8);
	/* RFC 4106 §5: AAD = SPI || 32-bit sequence number. */
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k->cipher, nonce) &&
	     EVP_DecryptUpdate(ctx, NULL, &outl, esp, 8) &&
	     EVP_DecryptUpdate(ctx, out, &outl, esp + 16, (int)ct_len) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(esp + 16 + ct_len)) &&
	     EVP_DecryptFinal_ex(ctx, out + outl, &outl);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int
open_cbc(const struct bench_keys *k, const uint8_t *esp, unsigned ct_len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned maclen;
	int outl, ok;

	/* RFC 4303 §3.4.4: integrity first, over SPI, seq, IV, ciphertext. */
	if (HMAC(EVP_sha256(), k->auth, sizeof(k->auth), esp, 24 + ct_len, mac, &maclen) == NULL ||
	    CRYPTO_memcmp(mac, esp + 24 + ct_len, 16) != 0)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -1;
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, k->cipher, esp + 8) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_DecryptUpdate(ctx, out, &outl, esp + 24, (int)ct_len);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
bench_check_esp(enum bench_xform x, unsigned tunnel, const uint8_t *esp, unsigned esp_len,
	       uint8_t *inner, unsigned *inner_len)
{
	unsigned hdr = x == BENCH_AES_GCM_256 ? 16 : 24, ct_len, pad, i;
	struct bench_keys k;
	uint8_t *pt;
	int rc = -1;

	if (esp_len < hdr + 16 + 2)
		return -1;
	ct_len = esp_len - hdr - 16;
	if (x == BENCH_AES_CBC_256_SHA256 && ct_len % 16 != 0)
		return -1;
	pt = malloc(ct_len);
	if (pt == NULL)
		return -1;
	bench_tunnel_keys(tunnel, &k);
	if ((x == BENCH_AES_GCM_256 ? open_gcm : open_cbc)(&k, esp, ct_len, pt) != 0)
		goto out;
	/* RFC 4303 §2.4-2.6: padding 1, 2, 3 ..., pad length, next header 4. */
	pad = pt[ct_len - 2];
	if (pt[ct_len - 1] != IPPROTO_IPIP || pad + 2u > ct_len)
		goto out;
	for (i = 0; i < pad; i++)
		if (pt[ct_len - 2 - pad + i] != i + 1)
			goto out;
	*inner_len = ct_len - 2 - pad;
	memcpy(inner, pt, *inner_len);
	rc = 0;
out:
	free(pt);
	return rc;
}

int
bench_check_frame(const struct bench_case *c, unsigned tunnel, bool to_gateway,
		  const uint8_t *frame, unsigned len, const uint8_t *inner, unsigned inner_len,
		  char *err, size_t errlen)
{
	uint32_t src = to_gateway ? bench_client_addr(tunnel) : BENCH_GW_ADDR;
	uint32_t dst = to_gateway ? BENCH_GW_ADDR : bench_client_addr(tunnel);
	uint16_t sport = to_gateway ? bench_client_port(tunnel) : 4500;
	uint16_t dport = to_gateway ? 4500 : bench_client_port(tunnel);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)frame;
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	unsigned off = sizeof(*ip) + (c->udp_encap ? sizeof(*udp) : 0), got;
	uint8_t out[BENCH_BUF_SIZE];

	if (len < off + 8 || ip->version_ihl != RTE_IPV4_VHL_DEF ||
	    rte_be_to_cpu_16(ip->total_length) != len || rte_ipv4_cksum(ip) != 0 ||
	    ip->src_addr != rte_cpu_to_be_32(src) || ip->dst_addr != rte_cpu_to_be_32(dst) ||
	    ip->next_proto_id != (c->udp_encap ? IPPROTO_UDP : IPPROTO_ESP)) {
		snprintf(err, errlen, "outer IPv4 header wrong (%u-byte frame, first byte %#x)",
			 len, frame[0]);
		return -1;
	}
	if (c->udp_encap && (udp->src_port != rte_cpu_to_be_16(sport) ||
			     udp->dst_port != rte_cpu_to_be_16(dport) ||
			     rte_be_to_cpu_16(udp->dgram_len) != len - sizeof(*ip))) {
		snprintf(err, errlen, "outer UDP header wrong (RFC 3948)");
		return -1;
	}
	if (bench_check_esp(c->xform, tunnel, frame + off, len - off, out, &got) != 0 ||
	    got != inner_len || memcmp(out, inner, inner_len) != 0) {
		snprintf(err, errlen, "OpenSSL cannot open the ESP packet, or it holds another "
			 "inner packet");
		return -1;
	}
	return 0;
}
