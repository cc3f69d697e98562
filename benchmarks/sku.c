/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p2s-sku-bench: does each SKU's rate hold on the real data path (issue 5,
 * item 5)? The gateway of the datapath stage (net_null ports, one worker,
 * AES-GCM-256, 128 tunnels, UDP-encapsulated ESP) gets the SKU's rate with
 * dp_set_rate(); an in-process generator, paced by the TSC, offers the VNet
 * side twice that rate in IMIX (7:4:1 of 64, 576 and 1500 bytes) through
 * dp_worker_input(), exactly as the poll loop would hand in RX bursts, and
 * polls the worker when it has nothing to offer (what waits for the rate
 * leaves then, as in the poll loop). 127 tunnels ask for equal shares of the
 * excess; tunnel 0 asks for half its fair share, and must get all of it.
 *
 * What is measured, per 1-second window (TSC): the inner IPv4 bytes the
 * gateway encrypted for all tunnels (each outbound SA's counter), as a
 * ratio of the rate (target: within ±3 % in every window); Jain's fairness
 * index over the 127 equal tunnels (target >= 0.98); what tunnel 0 got of
 * what it asked (target: all). The generator may not reach twice the rate
 * of the largest SKUs on one shared core: the offered ratio is reported,
 * and a SKU whose cap the core cannot even encrypt is marked cpu-bound
 * rather than counted as a pass or a failure of the scheduler (a SKU
 * offered between 1.05 and 1.9 times its rate is still judged, and says so).
 *
 * With --split the generator stays on the main lcore and the worker runs its
 * own poll loop on the next lcore, fed through a ring as from an RX queue
 * (--lcores 0@0,1@1: two CPUs), so the worker's core does only the
 * gateway's work and larger SKUs can be offered twice their rate.
 *
 *   p2s-sku-bench [EAL options] -- [--skus Basic,VpnGw1,...] [--windows N] [--csv FILE] [--split]
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_ring.h>
#include <rte_lcore.h>

#include "bench.h"
#include "conf.h"
#include "esp.h"
#include "port.h"
#include "sa.h"

#define TUNNELS 128
#define LIGHT 0                        /* the tunnel that asks for half its share */
#define FRAME_ROOM 1536
#define WARM_UP_S 0.5
#define WINDOWS_MAX 60

struct sku_result {
	const char *name;
	uint64_t rate_bps;
	unsigned windows;
	double win[WINDOWS_MAX];       /* delivered / rate, per window */
	double jain_min, jain_all;     /* over the equal tunnels: worst window, whole run */
	double light_got;              /* tunnel 0: delivered / asked, whole run */
	double offered;                /* offered / rate, whole run */
	uint64_t drops;                /* packets dropped at the queues */
	bool cpu_bound;                /* the core could not even offer the rate */
	bool worker_full;              /* --split: the worker's ring refused frames (> 1 %) */
};

/*
 * IMIX as every tunnel asks for it: the same 12-packet cycle (7 x 64,
 * 4 x 576, 1 x 1500 bytes, interleaved), so that equal tunnels ask for
 * equal bytes and Jain's index measures the scheduler, not the demand.
 */
#define CYCLE 12
static const uint16_t imix_cycle[CYCLE] = { 64, 576, 64, 64, 576, 64, 1500, 64, 576, 64, 64, 576 };

struct gen {
	struct dp *dp;
	struct worker *w;
	struct rte_ring *ring;         /* --split: to the worker on its own lcore, else NULL */
	bool stop;                     /* --split: the worker loop ends */
	uint64_t ring_full;            /* --split: frames the worker's ring refused */
	uint64_t ring_full_bytes;      /* ... their inner bytes */
	uint8_t *frames;               /* [tunnel][cycle position]: VNet frames of FRAME_ROOM */
	uint64_t next_heavy, next_light;
	uint32_t id[TUNNELS];
	uint64_t starved;              /* bursts the mbuf pool could not fill */
};

static uint8_t *
frame_of(const struct gen *g, unsigned t, unsigned k)
{
	return g->frames + ((size_t)t * CYCLE + k) * FRAME_ROOM;
}

static double
jain(const uint64_t *x, unsigned n)
{
	double sum = 0, sq = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		sum += (double)x[i];
		sq += (double)x[i] * (double)x[i];
	}
	return sq == 0 ? 0 : sum * sum / (n * sq);
}

static void
snapshot(const struct gen *g, uint64_t *bytes)
{
	unsigned t;

	for (t = 0; t < TUNNELS; t++) {
		struct sa_tunnel *tun = sa_tunnel_get(g->dp->sa, g->id[t]);

		bytes[t] = esp_sa_stats(sa_child_esp(sa_tunnel_out(tun)))->bytes;
	}
}

/* Frame j of a sequence: heavy ones go round the equal tunnels, light ones are tunnel 0's. */
static void
frame_at(uint64_t j, bool light, unsigned *t, unsigned *k)
{
	if (light) {
		*t = LIGHT;
		*k = (unsigned)(j % CYCLE);
	} else {
		*t = 1 + (unsigned)(j % (TUNNELS - 1));
		*k = (unsigned)(j / (TUNNELS - 1) % CYCLE);
	}
}

/*
 * Offer up to BENCH_BURST frames of a sequence (cursor *next) while their
 * bytes fit in *credit; returns the bytes offered.
 */
static uint64_t
offer(struct gen *g, bool light, uint64_t *next, double *credit)
{
	struct rte_mbuf *m[BENCH_BURST];
	unsigned n = 0, i, t, k;
	uint64_t bytes = 0;

	for (;;) {
		frame_at(*next + n, light, &t, &k);
		if (n == BENCH_BURST || *credit < imix_cycle[k])
			break;
		*credit -= imix_cycle[k];
		n++;
	}
	if (n == 0)
		return 0;
	if (rte_pktmbuf_alloc_bulk(g->dp->mbufs, m, n) != 0) {
		g->starved++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		frame_at((*next)++, light, &t, &k);
		rte_memcpy(rte_pktmbuf_append(m[i], RTE_ETHER_HDR_LEN + imix_cycle[k]),
			   frame_of(g, t, k), RTE_ETHER_HDR_LEN + imix_cycle[k]);
		bytes += imix_cycle[k];
	}
	if (g->ring == NULL) {
		dp_worker_input(g->w, PORT_PRIVATE, m, n);
		return bytes;
	}
	/* What the worker's ring does not take was not offered. */
	k = rte_ring_sp_enqueue_burst(g->ring, (void **)m, n, NULL);
	for (i = k; i < n; i++) {
		bytes -= rte_pktmbuf_data_len(m[i]) - RTE_ETHER_HDR_LEN;
		g->ring_full_bytes += rte_pktmbuf_data_len(m[i]) - RTE_ETHER_HDR_LEN;
		rte_pktmbuf_free(m[i]);
	}
	g->ring_full += n - k;
	return bytes;
}

/* --split: the worker's poll loop on its own lcore, the ring as its RX queue. */
static int
worker_loop(void *arg)
{
	struct gen *g = arg;
	struct rte_mbuf *m[BENCH_BURST];
	unsigned n;

	while (!__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
		n = rte_ring_sc_dequeue_burst(g->ring, (void **)m, BENCH_BURST, NULL);
		if (n != 0)
			dp_worker_input(g->w, PORT_PRIVATE, m, n);
		else
			dp_worker_input(g->w, PORT_PUBLIC, NULL, 0);
	}
	return 0;
}

/* The generator's pacing: credit in bytes for each list, refilled from the TSC. */
struct pace {
	double heavy_Bps, light_Bps;
	double heavy_credit, light_credit;
	uint64_t last;
	uint64_t heavy, light;         /* bytes offered */
};

/* Offer, and poll when there is nothing to offer, until the TSC reaches until. */
static void
pace_until(struct gen *g, struct pace *p, uint64_t until)
{
	double hz = (double)rte_get_tsc_hz();
	uint64_t now, l, h;

	while ((now = rte_rdtsc()) < until) {
		double dt = (double)(now - p->last) / hz;

		p->last = now;
		/* At most 10 ms of credit: a descheduled generator does not burst. */
		p->heavy_credit = RTE_MIN(p->heavy_credit + p->heavy_Bps * dt,
					  p->heavy_Bps * 0.01 + 1500);
		p->light_credit = RTE_MIN(p->light_credit + p->light_Bps * dt,
					  p->light_Bps * 0.01 + 1500);
		l = offer(g, true, &g->next_light, &p->light_credit);
		h = offer(g, false, &g->next_heavy, &p->heavy_credit);
		p->light += l;
		p->heavy += h;
		if (l + h == 0 && g->ring == NULL)
			dp_worker_input(g->w, PORT_PUBLIC, NULL, 0);
	}
}

static void
run_sku(struct gen *g, struct sku_result *r, unsigned windows)
{
	uint64_t hz = rte_get_tsc_hz(), t_a, t_b, elapsed = 0, drops0, sum;
	uint64_t refused0 = g->ring_full_bytes;
	uint64_t start[TUNNELS], prev[TUNNELS], cur[TUNNELS], eq[TUNNELS - 1];
	double rate_Bps = (double)r->rate_bps / 8;
	struct pace p = { 0 };
	struct dp_shape_stats ss;
	unsigned wi, t;

	p.light_Bps = rate_Bps / TUNNELS / 2;
	p.heavy_Bps = 2 * rate_Bps - p.light_Bps;
	dp_set_rate(g->dp, r->rate_bps);
	dp_shape_stats(g->dp, DP_DOWN, &ss);
	drops0 = ss.drops;
	p.last = rte_rdtsc();
	pace_until(g, &p, p.last + (uint64_t)(WARM_UP_S * hz));
	snapshot(g, start);
	memcpy(prev, start, sizeof(prev));
	p.heavy = p.light = 0;
	r->jain_min = 1;
	for (wi = 0; wi < windows; wi++) {
		t_a = rte_rdtsc();
		pace_until(g, &p, t_a + hz);
		t_b = rte_rdtsc();
		snapshot(g, cur);
		sum = 0;
		for (t = 0; t < TUNNELS; t++)
			sum += cur[t] - prev[t];
		for (t = 1; t < TUNNELS; t++)
			eq[t - 1] = cur[t] - prev[t];
		r->win[wi] = (double)sum / (rate_Bps * (double)(t_b - t_a) / (double)hz);
		r->jain_min = fmin(r->jain_min, jain(eq, TUNNELS - 1));
		elapsed += t_b - t_a;
		memcpy(prev, cur, sizeof(prev));
	}
	r->windows = windows;
	for (t = 1; t < TUNNELS; t++)
		eq[t - 1] = cur[t] - start[t];
	r->jain_all = jain(eq, TUNNELS - 1);
	r->light_got = p.light ? (double)(cur[LIGHT] - start[LIGHT]) / (double)p.light : 0;
	r->offered = (double)(p.heavy + p.light) / (rate_Bps * (double)elapsed / (double)hz);
	r->cpu_bound = r->offered < 1.05;
	/* Frames the worker could not take were lost before the scheduler, as at
	 * a NIC's full RX ring: then the worker's core, not the rate, limited. */
	r->worker_full = (double)(g->ring_full_bytes - refused0) >
			 0.01 * (double)(p.heavy + p.light);
	dp_shape_stats(g->dp, DP_DOWN, &ss);
	r->drops = ss.drops - drops0;
	/* What still waits leaves with the rate lifted, before the next SKU. */
	dp_set_rate(g->dp, 0);
	if (g->ring != NULL)
		rte_delay_ms(50);
	else
		for (t = 0; t < 256; t++)
			dp_worker_input(g->w, PORT_PUBLIC, NULL, 0);
}

/*
 * Every tunnel's frames of the cycle: the stream's IPv4/UDP packets (one
 * per size, the generator's headers and payload) with the tunnel's own
 * client address.
 */
static int
gen_init(struct gen *g, const struct bench_case *c, char *err, size_t errlen)
{
	struct bench_case one = *c;
	struct bench_stream *s[3];
	static const unsigned sizes[3] = { 64, 576, 1500 };
	unsigned i, t, k;

	g->dp = bench_dp(err, errlen);
	if (g->dp == NULL)
		return -1;
	dp_set_rate(g->dp, 0);
	g->w = &g->dp->workers[0];
	g->frames = malloc((size_t)FRAME_ROOM * CYCLE * TUNNELS);
	if (g->frames == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* One stream per size, TUNNELS packets: packet t is tunnel t's. */
	for (i = 0; i < 3; i++) {
		one.size = sizes[i];
		s[i] = bench_stream_build(&one, TUNNELS, 0x5eed + i);
		if (s[i] == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	for (t = 0; t < TUNNELS; t++)
		for (k = 0; k < CYCLE; k++) {
			for (i = 0; sizes[i] != imix_cycle[k]; i++)
				;
			if (s[i]->tunnel[t] != t) {
				snprintf(err, errlen, "stream: packet %u is not tunnel %u's", t, t);
				return -1;
			}
			bench_dp_vnet_frame(s[i], t, frame_of(g, t, k));
		}
	for (i = 0; i < 3; i++)
		bench_stream_free(s[i]);
	for (t = 0; t < TUNNELS; t++)
		if (bench_dp_tunnel_add(c, t, &g->id[t], err, errlen) != 0)
			return -1;
	return 0;
}

static const char *
verdict(const struct sku_result *r, double lo, double hi)
{
	bool ok = lo >= 0.97 && hi <= 1.03 && r->jain_min >= 0.98 && r->light_got >= 0.99;

	if (r->cpu_bound)
		return "cpu-bound";
	if (r->worker_full)
		return ok ? "met, worker saturated" : "cpu-bound (worker)";
	if (r->offered < 1.9)
		return ok ? "met, offered < 2x" : "MISSED, offered < 2x";
	return ok ? "met" : "MISSED";
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [--skus LIST] [--windows N] [--csv FILE] [--split]\n"
	       "  --skus     Basic,VpnGw1,VpnGw2,VpnGw3,VpnGw4,VpnGw5 (default: all)\n"
	       "  --windows  1-second windows measured per SKU, 1..%d (default 5)\n"
	       "  --csv      one row per SKU and window\n"
	       "  --split    the worker polls on its own lcore, fed by a ring\n", prog, WINDOWS_MAX);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "skus", required_argument, NULL, 's' },
		{ "windows", required_argument, NULL, 'w' },
		{ "csv", required_argument, NULL, 'c' },
		{ "split", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_case c = { .dir = BENCH_ENCRYPT, .xform = BENCH_AES_GCM_256,
				.size = BENCH_SIZE_IMIX, .tunnels = TUNNELS,
				.spread = BENCH_SPREAD_RR, .udp_encap = true };
	const char *skus = "Basic,VpnGw1,VpnGw2,VpnGw3,VpnGw4,VpnGw5", *csv = NULL;
	struct sku_result res[CONF_SKU_COUNT];
	unsigned windows = 5, n = 0, i, k, failed = 0, wl;
	bool split = false;
	char err[256], list[128], *tok, *save;
	struct gen g = { 0 };
	FILE *f = NULL;
	int ret, opt;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	argc -= ret;
	argv += ret;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': skus = optarg; break;
		case 'w': windows = (unsigned)atoi(optarg); break;
		case 'c': csv = optarg; break;
		case 'p': split = true; break;
		case 'h': usage(argv[0]); return 0;
		default: usage(argv[0]); return 1;
		}
	}
	if (windows < 1 || windows > WINDOWS_MAX) {
		fprintf(stderr, "p2s-sku-bench: --windows %u; allowed: 1..%d\n", windows, WINDOWS_MAX);
		return 1;
	}
	snprintf(list, sizeof(list), "%s", skus);
	for (tok = strtok_r(list, ",", &save); tok != NULL && n < CONF_SKU_COUNT;
	     tok = strtok_r(NULL, ",", &save)) {
		enum conf_sku sku;

		if (conf_sku_from_name(tok, &sku) != 0) {
			fprintf(stderr, "p2s-sku-bench: --skus: unknown SKU '%s'; allowed: Basic, "
				"VpnGw1..VpnGw5\n", tok);
			return 1;
		}
		res[n] = (struct sku_result){ .name = conf_sku_name(sku),
					      .rate_bps = conf_sku_rate_bps(sku) };
		n++;
	}
	if (gen_init(&g, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "p2s-sku-bench: %s\n", err);
		return 1;
	}
	/* The dp's worker lcore is the first after the main one. */
	wl = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	if (split) {
		g.ring = rte_ring_create("sku_rx", 4096, rte_socket_id(),
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (g.ring == NULL || wl >= RTE_MAX_LCORE ||
		    rte_eal_remote_launch(worker_loop, &g, wl) != 0) {
			fprintf(stderr, "p2s-sku-bench: --split needs a second lcore (--lcores 0@0,1@1)\n");
			return 1;
		}
	}
	printf("p2s-sku-bench: one worker, %u tunnels, AES-GCM-256, IMIX offered at 2x the rate "
	       "(tunnel 0 asks for half its share), %u x 1 s per SKU after %.1f s; generator %s\n",
	       TUNNELS, windows, WARM_UP_S,
	       split ? "on the main lcore, the worker on its own" : "and worker on one lcore");
	printf("  delivered = inner IPv4 bytes encrypted / the rate, per 1-second window\n\n");
	printf("  %-7s %10s %8s %8s %8s %8s %9s %9s %9s %9s  %s\n", "sku", "rate Mb/s", "offered",
	       "min", "median", "max", "Jain min", "Jain run", "light", "q drops", "verdict");
	if (csv != NULL && (f = fopen(csv, "w")) != NULL)
		fprintf(f, "sku,rate_bps,window,delivered_ratio,offered_ratio,jain_min,jain_run,"
			   "light_got,queue_drops,cpu_bound\n");
	for (i = 0; i < n; i++) {
		struct sku_result *r = &res[i];
		double sorted[WINDOWS_MAX], lo, hi;

		run_sku(&g, r, windows);
		memcpy(sorted, r->win, sizeof(double) * r->windows);
		for (k = 1; k < r->windows; k++)
			for (unsigned j = k; j > 0 && sorted[j - 1] > sorted[j]; j--) {
				double x = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = x;
			}
		lo = sorted[0];
		hi = sorted[r->windows - 1];
		printf("  %-7s %10.0f %7.2fx %7.1f%% %7.1f%% %7.1f%% %9.4f %9.4f %8.1f%% %9" PRIu64
		       "  %s\n", r->name, (double)r->rate_bps / 1e6, r->offered, 100 * lo,
		       100 * sorted[r->windows / 2], 100 * hi, r->jain_min, r->jain_all,
		       100 * r->light_got, r->drops, verdict(r, lo, hi));
		failed += strncmp(verdict(r, lo, hi), "MISSED", 6) == 0;
		for (k = 0; f != NULL && k < r->windows; k++)
			fprintf(f, "%s,%" PRIu64 ",%u,%.5f,%.4f,%.5f,%.5f,%.5f,%" PRIu64 ",%d\n", r->name,
				r->rate_bps, k + 1, r->win[k], r->offered, r->jain_min, r->jain_all,
				r->light_got, r->drops, r->cpu_bound);
	}
	if (f != NULL)
		fclose(f);
	printf("\n  target (issue 5): every window within 3 %% of the rate, Jain >= 0.98 over the "
	       "equal tunnels, the light tunnel gets all it asks (>= 99 %%)\n"
	       "  offered < 2x: the core(s) could not offer twice the rate (still more than the "
	       "rate)\n"
	       "  worker saturated / cpu-bound (worker), --split: the worker's core could not take "
	       "what was offered (frames lost before the scheduler, as at a full RX ring)\n"
	       "  cpu-bound: the core could not even offer the rate: the scheduler was not what "
	       "limited\n");
	if (g.starved)
		printf("  the generator found the mbuf pool empty %" PRIu64 " times\n", g.starved);
	if (g.ring_full)
		printf("  the worker's ring refused %" PRIu64 " frames (not counted as offered)\n",
		       g.ring_full);
	if (split) {
		__atomic_store_n(&g.stop, true, __ATOMIC_RELAXED);
		rte_eal_wait_lcore(wl);
	}
	return failed ? 2 : 0;
}
