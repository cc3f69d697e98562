/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The esp stage: the project's ESP library (lib/esp) on mbuf bursts, one
 * esp_worker, one SA per tunnel. Outbound encrypts the stream's inner
 * packets. Inbound decrypts ESP frames that a mirror SA (the client's side)
 * made with esp_outbound during set-up; before each pass every mbuf gets a
 * fresh copy of its frame and the inbound SAs are initialised again so the
 * replay window starts empty. Those copies and re-initialisations are the
 * untimed refill; the timed pass is esp_outbound/esp_inbound alone. Set-up
 * checks that inbound gives back exactly the inner packets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "bench.h"
#include "esp.h"

#define GW_SPI_BASE 0x1000u

struct esp_state {
	struct esp_worker *w;
	bool enc;
	unsigned n;
	unsigned tunnels;
	size_t sa_stride;
	uint8_t *sa_mem;               /* the gateway's SAs, one per tunnel */
	struct esp_sa_params *params;  /* kept to re-initialise inbound SAs */
	struct esp_sa **sa;            /* SA of packet i */
	struct rte_mbuf **m;
	const uint8_t **frame;         /* what refill copies into m[i] */
	uint16_t *frame_len;
	uint8_t *frame_mem;            /* inbound: the pre-encrypted frames */
	uint64_t drops[ESP_DROP_COUNT];
	bool broken;                   /* re-initialising an SA failed */
	char init_err[128];
};

static struct esp_sa *
sa_at(uint8_t *mem, size_t stride, unsigned t)
{
	return (struct esp_sa *)(mem + stride * t);
}

/* The gateway's side of tunnel t; mirror: the client's side. */
static void
sa_params(const struct bench_case *c, unsigned t, bool mirror, struct esp_sa_params *p)
{
	struct bench_keys k;

	bench_tunnel_keys(t, &k);
	memset(p, 0, sizeof(*p));
	p->spi = GW_SPI_BASE + t;
	p->key_len = 32;
	memcpy(p->key, k.cipher, sizeof(k.cipher));
	if (c->xform == BENCH_AES_GCM_256) {
		p->cipher = ESP_CIPHER_AES_GCM_16;
		p->integ = ESP_INTEG_NONE;
		memcpy(p->salt, k.salt, sizeof(k.salt));
	} else {
		p->cipher = ESP_CIPHER_AES_CBC;
		p->integ = ESP_INTEG_HMAC_SHA256_128;
		memcpy(p->auth_key, k.auth, sizeof(k.auth));
		p->auth_key_len = sizeof(k.auth);
	}
	p->local_addr = mirror ? bench_client_addr(t) : BENCH_GW_ADDR;
	p->remote_addr = mirror ? BENCH_GW_ADDR : bench_client_addr(t);
	p->udp_encap = c->udp_encap;
	if (c->udp_encap) {
		p->local_port = mirror ? bench_client_port(t) : ESP_UDP_PORT;
		p->remote_port = mirror ? ESP_UDP_PORT : bench_client_port(t);
	}
}

static int
bench_esp_sas(struct esp_state *st, uint8_t *mem, const struct esp_sa_params *p)
{
	unsigned t;

	for (t = 0; t < st->tunnels; t++) {
		struct esp_sa *sa = sa_at(mem, st->sa_stride, t);

		esp_sa_clear(sa);
		if (esp_sa_init(sa, st->w, &p[t], st->init_err, sizeof(st->init_err)) != 0)
			return -1;
	}
	return 0;
}

static void
bench_esp_refill(void *arg)
{
	struct esp_state *st = arg;
	unsigned i;

	for (i = 0; i < st->n; i++) {
		struct rte_mbuf *m = st->m[i];

		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = st->frame_len[i];
		m->pkt_len = st->frame_len[i];
		m->nb_segs = 1;
		m->next = NULL;
		m->ol_flags = 0;
		m->packet_type = 0;
		m->tx_offload = 0;
		rte_memcpy(rte_pktmbuf_mtod(m, void *), st->frame[i], st->frame_len[i]);
	}
	/* A new pass replays the same sequence numbers: start a new window. */
	if (!st->enc && bench_esp_sas(st, st->sa_mem, st->params) != 0)
		st->broken = true;  /* not after a good set-up; the pass then fails */
}

static unsigned
bench_esp_pass(void *arg)
{
	struct esp_state *st = arg;
	enum esp_drop why[BENCH_BURST];
	unsigned i, j, k, good = 0;

	if (unlikely(st->broken))
		return 0;
	for (i = 0; i < st->n; i += BENCH_BURST) {
		if (st->enc)
			k = esp_outbound(st->w, &st->sa[i], &st->m[i], BENCH_BURST, why);
		else
			k = esp_inbound(st->w, &st->sa[i], &st->m[i], BENCH_BURST, why);
		for (j = k; j < BENCH_BURST; j++)
			st->drops[why[j - k]]++;
		good += k;
	}
	return good;
}

static void
bench_esp_explain(void *arg, char *buf, size_t len)
{
	struct esp_state *st = arg;
	size_t off = 0;
	unsigned d;

	buf[0] = '\0';
	if (st->init_err[0] != '\0')
		off += snprintf(buf, len, "esp_sa_init: %s; ", st->init_err);
	for (d = 0; d < ESP_DROP_COUNT && off < len; d++)
		if (st->drops[d] != 0)
			off += snprintf(buf + off, len - off, "%s: %" PRIu64 " ",
					esp_drop_name(d), st->drops[d]);
}

static const char *
bench_esp_arch(void *arg)
{
	struct esp_state *st = arg;

	return esp_worker_arch(st->w);
}

static void
bench_esp_teardown(void *arg)
{
	struct esp_state *st = arg;
	unsigned t;

	if (st == NULL)
		return;
	if (st->m != NULL) {
		for (t = 0; t < st->n && st->m[t] != NULL; t++)
			rte_pktmbuf_free(st->m[t]);
	}
	for (t = 0; st->sa_mem != NULL && t < st->tunnels; t++)
		esp_sa_clear(sa_at(st->sa_mem, st->sa_stride, t));
	if (st->w != NULL)
		esp_worker_free(st->w);
	rte_free(st->sa_mem);
	rte_free(st->params);
	rte_free(st->sa);
	rte_free(st->m);
	rte_free(st->frame);
	rte_free(st->frame_len);
	rte_free(st->frame_mem);
	rte_free(st);
}

/*
 * Inbound: the client's side encrypts the stream once, in stream order, so
 * each SA sees rising sequence numbers; the frames are kept as templates.
 */
static int
bench_esp_frames(struct esp_state *st, const struct bench_case *c,
		 const struct bench_stream *s, char *err, size_t errlen)
{
	struct esp_sa_params *mirror = rte_zmalloc("mirror", sizeof(*mirror) * st->tunnels, 0);
	uint8_t *mem = rte_zmalloc("mirror_sa", st->sa_stride * st->tunnels, RTE_CACHE_LINE_SIZE);
	struct esp_sa *sa[BENCH_BURST];
	enum esp_drop why[BENCH_BURST];
	unsigned i, j, t;
	int rc = -1;

	if (mirror == NULL || mem == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (t = 0; t < st->tunnels; t++)
		sa_params(c, t, true, &mirror[t]);
	if (bench_esp_sas(st, mem, mirror) != 0) {
		snprintf(err, errlen, "esp_sa_init (client side): %s", st->init_err);
		goto out;
	}
	st->enc = true;
	bench_esp_refill(st);
	for (i = 0; i < st->n; i += BENCH_BURST) {
		for (j = 0; j < BENCH_BURST; j++)
			sa[j] = sa_at(mem, st->sa_stride, s->tunnel[i + j]);
		if (esp_outbound(st->w, sa, &st->m[i], BENCH_BURST, why) != BENCH_BURST) {
			snprintf(err, errlen, "esp_outbound (client side) dropped: %s",
				 esp_drop_name(why[0]));
			goto out;
		}
	}
	for (i = 0; i < st->n; i++) {
		const struct rte_mbuf *m = st->m[i];
		char msg[160];

		if (m->nb_segs != 1 || m->data_len > BENCH_BUF_SIZE) {
			snprintf(err, errlen, "esp_outbound made a %u-byte frame in %u segments",
				 m->pkt_len, m->nb_segs);
			goto out;
		}
		if (bench_check_frame(c, s->tunnel[i], true, rte_pktmbuf_mtod(m, const uint8_t *),
				      m->data_len, s->inner[i], s->len[i], msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "esp_outbound (client side): packet %u: %s", i, msg);
			goto out;
		}
		st->frame_len[i] = m->data_len;
		memcpy(st->frame_mem + (size_t)i * BENCH_BUF_SIZE, rte_pktmbuf_mtod(m, void *),
		       m->data_len);
		st->frame[i] = st->frame_mem + (size_t)i * BENCH_BUF_SIZE;
	}
	rc = 0;
out:
	st->enc = false;
	for (t = 0; mem != NULL && t < st->tunnels; t++)
		esp_sa_clear(sa_at(mem, st->sa_stride, t));
	rte_free(mem);
	rte_free(mirror);
	return rc;
}

/*
 * Set-up check: one pass loses nothing; outbound frames open with OpenSSL to
 * the inner packets; inbound gives back exactly the inner packets.
 */
static int
verify(struct esp_state *st, const struct bench_case *c, const struct bench_stream *s,
       char *err, size_t errlen)
{
	unsigned i, good;

	bench_esp_refill(st);
	good = bench_esp_pass(st);
	if (good != st->n) {
		bench_esp_explain(st, err, errlen);
		return -1;
	}
	for (i = 0; st->enc && i < st->n; i++) {
		const struct rte_mbuf *m = st->m[i];
		char why[160];

		if (bench_check_frame(c, s->tunnel[i], false, rte_pktmbuf_mtod(m, const uint8_t *),
				      m->data_len, s->inner[i], s->len[i], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "esp_outbound: packet %u: %s", i, why);
			return -1;
		}
	}
	for (i = 0; !st->enc && i < st->n; i++) {
		const struct rte_mbuf *m = st->m[i];

		if (m->pkt_len != s->len[i] ||
		    memcmp(rte_pktmbuf_mtod(m, void *), s->inner[i], s->len[i]) != 0) {
			snprintf(err, errlen, "esp_inbound: packet %u (%u bytes) came back as %u "
				 "different bytes", i, s->len[i], m->pkt_len);
			return -1;
		}
	}
	return 0;
}

static void *
bench_esp_setup(const struct bench_env *env, const struct bench_case *c,
		const struct bench_stream *s, char *err, size_t errlen)
{
	struct esp_state *st = rte_zmalloc_socket("esp_state", sizeof(*st), 0, env->socket);
	unsigned i;

	if (st == NULL)
		goto nomem;
	st->n = s->n;
	st->tunnels = c->tunnels;
	st->enc = c->dir == BENCH_ENCRYPT;
	st->sa_stride = RTE_ALIGN_CEIL(esp_sa_size(), RTE_CACHE_LINE_SIZE);
	st->w = esp_worker_create(env->socket);
	if (st->w == NULL) {
		snprintf(err, errlen, "esp_worker_create failed");
		goto fail;
	}
	st->sa_mem = rte_zmalloc_socket("esp_sa", st->sa_stride * c->tunnels,
					RTE_CACHE_LINE_SIZE, env->socket);
	st->params = rte_zmalloc_socket("esp_params", sizeof(*st->params) * c->tunnels, 0,
					env->socket);
	st->sa = rte_zmalloc_socket("esp_sa_ptr", sizeof(*st->sa) * s->n, 0, env->socket);
	st->m = rte_zmalloc_socket("esp_mbufs", sizeof(*st->m) * s->n, 0, env->socket);
	st->frame = rte_zmalloc_socket("esp_frame", sizeof(*st->frame) * s->n, 0, env->socket);
	st->frame_len = rte_zmalloc_socket("esp_flen", sizeof(*st->frame_len) * s->n, 0,
					   env->socket);
	if (st->sa_mem == NULL || st->params == NULL || st->sa == NULL || st->m == NULL ||
	    st->frame == NULL || st->frame_len == NULL)
		goto nomem;
	if (rte_pktmbuf_alloc_bulk(env->pool, st->m, s->n) != 0) {
		memset(st->m, 0, sizeof(*st->m) * s->n);
		snprintf(err, errlen, "mbuf pool too small for %u packets", s->n);
		goto fail;
	}
	for (i = 0; i < c->tunnels; i++)
		sa_params(c, i, false, &st->params[i]);
	if (bench_esp_sas(st, st->sa_mem, st->params) != 0) {
		snprintf(err, errlen, "esp_sa_init: %s", st->init_err);
		goto fail;
	}
	for (i = 0; i < s->n; i++) {
		st->sa[i] = sa_at(st->sa_mem, st->sa_stride, s->tunnel[i]);
		st->frame[i] = s->inner[i];
		st->frame_len[i] = s->len[i];
	}
	if (!st->enc) {
		st->frame_mem = rte_malloc_socket("esp_frames", (size_t)s->n * BENCH_BUF_SIZE, 0,
						  env->socket);
		if (st->frame_mem == NULL)
			goto nomem;
		if (bench_esp_frames(st, c, s, err, errlen) != 0)
			goto fail;
	}
	if (verify(st, c, s, err, errlen) != 0)
		goto fail;
	return st;
nomem:
	snprintf(err, errlen, "out of memory (-m too small?)");
fail:
	bench_esp_teardown(st);
	return NULL;
}

const struct bench_stage bench_stage_esp = {
	.name = "esp",
	.setup = bench_esp_setup,
	.refill = bench_esp_refill,
	.pass = bench_esp_pass,
	.explain = bench_esp_explain,
	.teardown = bench_esp_teardown,
	.arch = bench_esp_arch,
};
