/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process traffic generator: a stream of inner IPv4/UDP packets
 * (client pool -> VNet host, valid checksums, pseudo-random payload) of one
 * fixed size or the simple IMIX (7:4:1 of 64, 576 and 1500 bytes, shuffled),
 * each assigned to a tunnel round-robin or at random. Everything is drawn
 * from a fixed seed before timing starts, so every stage and every run sees
 * the same packets. Also the per-tunnel keys and addresses all stages share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "bench.h"

static const unsigned imix_sizes[12] = {
	64, 64, 64, 64, 64, 64, 64, 576, 576, 576, 576, 1500,
};

const char *
bench_dir_name(enum bench_dir d)
{
	return d == BENCH_ENCRYPT ? "enc" : "dec";
}

const char *
bench_xform_name(enum bench_xform x)
{
	return x == BENCH_AES_GCM_256 ? "aes-gcm-256" : "aes-cbc-256-sha256";
}

const char *
bench_size_name(unsigned size, char *buf, size_t len)
{
	if (size == BENCH_SIZE_IMIX)
		snprintf(buf, len, "imix");
	else
		snprintf(buf, len, "%u", size);
	return buf;
}

double
bench_size_mean(unsigned size)
{
	double sum = 0;
	unsigned i;

	if (size != BENCH_SIZE_IMIX)
		return size;
	for (i = 0; i < RTE_DIM(imix_sizes); i++)
		sum += imix_sizes[i];
	return sum / RTE_DIM(imix_sizes);
}

/* splitmix64: small, good enough for test data, same everywhere. */
static uint64_t
rnd_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
rnd_fill(uint64_t *s, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd_next(s);
}

void
bench_tunnel_keys(unsigned t, struct bench_keys *k)
{
	uint64_t s = 0x70327362656e6368ull + t;

	rnd_fill(&s, k->cipher, sizeof(k->cipher));
	rnd_fill(&s, k->salt, sizeof(k->salt));
	rnd_fill(&s, k->auth, sizeof(k->auth));
}

uint32_t
bench_client_addr(unsigned t)
{
	return BENCH_CLIENT_NET + t % 250 + 1;
}

uint16_t
bench_client_port(unsigned t)
{
	return (uint16_t)(40000 + t);
}

unsigned
bench_esp_payload_len(enum bench_xform x, unsigned inner_len)
{
	/* RFC 4303 §2.4: pad so that pad length and next header end on the
	 * cipher's block (CBC: 16) or on 4 bytes (GCM, RFC 4106 §3). */
	unsigned align = x == BENCH_AES_GCM_256 ? 4 : 16;

	return RTE_ALIGN_CEIL(inner_len + 2, align);
}

static void
build_inner(uint8_t *p, unsigned len, unsigned t, unsigned id, uint64_t *s)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)id);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(BENCH_POOL_NET + 2 + t);
	ip->dst_addr = rte_cpu_to_be_32(BENCH_VNET_HOST);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(10000 + t));
	udp->dst_port = rte_cpu_to_be_16(5001);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	udp->dgram_cksum = 0;
	rnd_fill(s, (uint8_t *)(udp + 1), len - sizeof(*ip) - sizeof(*udp));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
}

void
bench_stream_free(struct bench_stream *s)
{
	if (s == NULL)
		return;
	free(s->inner ? s->inner[0] : NULL);
	free(s->inner);
	free(s->len);
	free(s->tunnel);
	free(s);
}

struct bench_stream *
bench_stream_build(const struct bench_case *c, unsigned n, uint64_t seed)
{
	struct bench_stream *s = calloc(1, sizeof(*s));
	uint8_t *bytes;
	unsigned i, j;

	if (s == NULL)
		return NULL;
	n = RTE_ALIGN_CEIL(n, BENCH_STREAM_ALIGN);
	s->n = n;
	s->len = calloc(n, sizeof(*s->len));
	s->tunnel = calloc(n, sizeof(*s->tunnel));
	s->inner = calloc(n, sizeof(*s->inner));
	bytes = malloc((size_t)n * 1536);
	if (s->len == NULL || s->tunnel == NULL || s->inner == NULL || bytes == NULL) {
		free(bytes);
		bench_stream_free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		s->len[i] = c->size == BENCH_SIZE_IMIX ? imix_sizes[i % 12] : c->size;
		s->tunnel[i] = c->spread == BENCH_SPREAD_RR ? i % c->tunnels
			       : rnd_next(&seed) % c->tunnels;
		s->inner[i] = bytes + (size_t)i * 1536;
	}
	/* Fisher-Yates over the sizes: IMIX stays exactly 7:4:1 but unordered. */
	for (i = n - 1; c->size == BENCH_SIZE_IMIX && i > 0; i--) {
		uint16_t tmp = s->len[i];

		j = rnd_next(&seed) % (i + 1);
		s->len[i] = s->len[j];
		s->len[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		build_inner(s->inner[i], s->len[i], s->tunnel[i], i, &seed);
		s->bytes += s->len[i];
	}
	return s;
}
