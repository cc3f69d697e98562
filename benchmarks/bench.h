/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p2s-bench: the testpmd-style ESP benchmark. A case is one combination of
 * direction, transform, inner packet size and tunnel count; a stage is one
 * piece of code measured on that case (raw IPsec-MB as the ceiling, the esp
 * library, later the whole worker path). Every stage works on the same
 * pre-built stream of packets, in bursts of BENCH_BURST, on the calling core.
 *
 * A stage is four functions: setup builds its buffers and SAs from the
 * stream, refill restores them before each pass (untimed), pass processes
 * the whole stream once (timed) and returns how many packets came out good,
 * teardown frees. Adding a stage is one file with a struct bench_stage and
 * one line in the stage table of main.c.
 */
#ifndef P2S_BENCH_H
#define P2S_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

#define BENCH_BURST 32
/* A repetition is cut into this many slices; the stages take turns. */
#define BENCH_SLICES 10
/* The stream length is rounded to this: whole bursts, whole IMIX cycles (12). */
#define BENCH_STREAM_ALIGN 96
#define BENCH_SIZE_IMIX 0
#define BENCH_TUNNELS_MAX 1024
/* Largest inner packet (IMIX has 1500) plus the ESP overhead and some. */
#define BENCH_BUF_SIZE 2048

/* Addresses of the simulated tunnels (RFC 5737 documentation ranges). */
#define BENCH_GW_ADDR 0xc0000201u       /* 192.0.2.1: the gateway */
#define BENCH_CLIENT_NET 0xc6336400u    /* 198.51.100.0: client t is .(t % 250 + 1) */
#define BENCH_POOL_NET 0x0a080000u      /* 10.8.0.0/16: inner client addresses */
#define BENCH_VNET_HOST 0x0a01000au     /* 10.1.0.10: the VNet host */

enum bench_dir { BENCH_ENCRYPT, BENCH_DECRYPT, BENCH_DIR_COUNT };

enum bench_xform {
	BENCH_AES_GCM_256,        /* RFC 4106, 16-byte ICV, 8-byte AAD (SPI, 32-bit seq) */
	BENCH_AES_CBC_256_SHA256, /* RFC 3602 + RFC 4868 HMAC-SHA-256-128 */
	BENCH_XFORM_COUNT
};

enum bench_spread {
	BENCH_SPREAD_RR,          /* packet i goes to tunnel i mod T */
	BENCH_SPREAD_RANDOM,      /* each packet to a random tunnel (drawn before timing) */
};

struct bench_case {
	enum bench_dir dir;
	enum bench_xform xform;
	unsigned size;            /* inner IPv4 packet bytes, or BENCH_SIZE_IMIX */
	unsigned tunnels;
	enum bench_spread spread;
	bool udp_encap;           /* ESP in UDP 4500 (RFC 3948), as NAT-T clients send it */
};

/* Keys of one tunnel, derived from its index so every stage uses the same. */
struct bench_keys {
	uint8_t cipher[32];
	uint8_t salt[4];
	uint8_t auth[32];
};

/* The generator's output: inner IPv4/UDP packets and the tunnel of each. */
struct bench_stream {
	unsigned n;
	uint16_t *len;            /* inner IPv4 bytes of packet i */
	uint16_t *tunnel;         /* tunnel (SA index) of packet i */
	uint8_t **inner;          /* the inner packet bytes */
	uint64_t bytes;           /* sum of len[] */
};

/* What every stage may use; owned by main. */
struct bench_env {
	struct rte_mempool *pool; /* mbufs with BENCH_BUF_SIZE of data room */
	int socket;
	const char *imb_arch;     /* IPsec-MB architecture for the ceiling */
	bool imb_burst_api;       /* ceiling: burst API (true) or job API */
};

struct bench_stage {
	const char *name;
	/* NULL, or a one-line reason in err; the state otherwise. */
	void *(*setup)(const struct bench_env *env, const struct bench_case *c,
		       const struct bench_stream *s, char *err, size_t errlen);
	void (*refill)(void *state);
	unsigned (*pass)(void *state);
	/* After a pass that lost packets: one line saying why. */
	void (*explain)(void *state, char *buf, size_t len);
	void (*teardown)(void *state);
	/* Optional: the IPsec-MB architecture this stage runs on. */
	const char *(*arch)(void *state);
	/* Run only when named in --stages (a variant for a breakdown). */
	bool optional;
};

extern const struct bench_stage bench_stage_ceiling;
extern const struct bench_stage bench_stage_ceiling_checked;
#ifdef P2S_BENCH_ESP
extern const struct bench_stage bench_stage_esp;
#endif
#ifdef P2S_BENCH_DATAPATH
extern const struct bench_stage bench_stage_datapath;
extern const struct bench_stage bench_stage_datapath_rate;
/* What the SKU benchmark (sku.c) uses of the datapath stage's gateway. */
struct dp;
struct dp *bench_dp(char *err, size_t errlen);
int bench_dp_tunnel_add(const struct bench_case *c, unsigned t, uint32_t *id, char *err,
			size_t errlen);
void bench_dp_vnet_frame(const struct bench_stream *s, unsigned i, uint8_t *frame);
#endif

/* traffic.c */
const char *bench_dir_name(enum bench_dir d);
const char *bench_xform_name(enum bench_xform x);
const char *bench_size_name(unsigned size, char *buf, size_t len);
double bench_size_mean(unsigned size);
void bench_tunnel_keys(unsigned t, struct bench_keys *k);
uint32_t bench_client_addr(unsigned t);
uint16_t bench_client_port(unsigned t);
struct bench_stream *bench_stream_build(const struct bench_case *c, unsigned n, uint64_t seed);
void bench_stream_free(struct bench_stream *s);
/* ESP payload bytes (inner packet, padding, pad length, next header). */
unsigned bench_esp_payload_len(enum bench_xform x, unsigned inner_len);

/* check.c: OpenSSL's view. The ESP packet from the SPI to the ICV. 0 or -1. */
int bench_check_esp(enum bench_xform x, unsigned tunnel, const uint8_t *esp, unsigned esp_len,
		   uint8_t *inner, unsigned *inner_len);
/* A whole frame from the outer IPv4 header, gateway -> client or the other
 * way; 0 or -1 and why in err. */
int bench_check_frame(const struct bench_case *c, unsigned tunnel, bool to_gateway,
		      const uint8_t *frame, unsigned len, const uint8_t *inner,
		      unsigned inner_len, char *err, size_t errlen);

/* stage_ceiling.c: checks the ceiling's job set-up against OpenSSL. 0 or -1. */
int bench_ceiling_selfcheck(const char *arch, char *err, size_t errlen);
/* The IPsec-MB architecture name and features actually picked for arch. */
const char *bench_imb_arch_describe(const char *arch, char *buf, size_t len);

#endif
