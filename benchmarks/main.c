/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p2s-bench: measures ESP on one core the way testpmd measures forwarding.
 * For every case (direction, transform, size, tunnel count) it builds one
 * stream of packets, sets up every stage on it, then measures the stages in
 * turn, R times each (alternating their order), timing with the TSC only the
 * passes over the stream, never the set-up or the untimed refill between
 * passes. It prints a table, writes CSV files and says whether the target of
 * issue 3 is met. Everything runs on the main lcore: no worker is launched.
 *
 *   p2s-bench [EAL options] -- [options]     (p2s-bench -- --help)
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <intel-ipsec-mb.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "report.h"

/* The stage table: the ceiling first (ratios refer to it). */
static const struct bench_stage *const stages[] = {
	&bench_stage_ceiling,
	&bench_stage_ceiling_checked,
#ifdef P2S_BENCH_ESP
	&bench_stage_esp,
#endif
#ifdef P2S_BENCH_DATAPATH
	&bench_stage_datapath,  /* classify, SA lookup, ESP, route, TX */
	&bench_stage_datapath_rate, /* the same with the SKU's rate on, never reached */
#endif
};
#define STAGE_COUNT RTE_DIM(stages)
#define LIST_MAX 8
#define STREAM_SEED 0x5eed
#define WARM_UP_S 0.05

struct options {
	bool stage_on[STAGE_COUNT];
	bool dir_on[BENCH_DIR_COUNT];
	bool xform_on[BENCH_XFORM_COUNT];
	unsigned sizes[LIST_MAX], n_sizes;
	unsigned tunnels[LIST_MAX], n_tunnels;
	enum bench_spread spread;
	bool udp_encap;
	unsigned reps;
	double duration;
	uint64_t packets;
	unsigned stream;
	const char *arch;
	bool burst_api;
	const char *csv;
	const char *reps_csv;
	const char *commit;
};

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- [options]\n"
		"  --stages LIST     of:", prog);
	for (unsigned i = 0; i < STAGE_COUNT; i++)
		fprintf(f, " %s", stages[i]->name);
	fprintf(f, " (default: all but ceiling-checked)\n"
		"  --dirs LIST       enc,dec (default: both)\n"
		"  --xforms LIST     gcm,cbc: AES-GCM-256 / AES-256-CBC+HMAC-SHA-256-128 (both)\n"
		"  --sizes LIST      inner IPv4 bytes 64..1500 or imix (64,512,1420,imix)\n"
		"  --tunnels LIST    tunnel (SA) counts 1..%u (1,128)\n"
		"  --spread rr|random  tunnel of each packet: round robin or random (rr)\n"
		"  --raw-esp         ESP without UDP encapsulation (default: UDP 4500)\n"
		"  --reps R          repetitions per measurement, median reported (5)\n"
		"  --duration S      timed seconds per repetition, in %u slices (0.5)\n"
		"  --packets N       or: packets per repetition\n"
		"  --stream N        packets in the pre-built stream, rounded up to %u (1536)\n"
		"  --arch A          IPsec-MB for the ceiling: auto,sse,avx,avx2,avx512 (auto)\n"
		"  --imb-api A       ceiling: burst or job (burst)\n"
		"  --csv FILE        one row per measurement\n"
		"  --reps-csv FILE   one row per repetition\n"
		"  --commit STR      recorded in the CSV (git describe)\n",
		BENCH_TUNNELS_MAX, BENCH_SLICES, BENCH_STREAM_ALIGN);
}

/* Splits a comma list; calls one() on each item. 0, or -1 naming the bad item. */
static int
parse_list(const char *opt, const char *arg, int (*one)(struct options *, const char *),
	   struct options *o)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (one(o, tok) != 0) {
			fprintf(stderr, "p2s-bench: --%s: '%s' is not allowed here\n", opt, tok);
			return -1;
		}
	}
	return 0;
}

static int
one_stage(struct options *o, const char *s)
{
	for (unsigned i = 0; i < STAGE_COUNT; i++)
		if (strcmp(s, stages[i]->name) == 0)
			return o->stage_on[i] = true, 0;
	return -1;
}

static int
one_dir(struct options *o, const char *s)
{
	if (strcmp(s, "enc") == 0)
		return o->dir_on[BENCH_ENCRYPT] = true, 0;
	if (strcmp(s, "dec") == 0)
		return o->dir_on[BENCH_DECRYPT] = true, 0;
	return -1;
}

static int
one_xform(struct options *o, const char *s)
{
	if (strcmp(s, "gcm") == 0)
		return o->xform_on[BENCH_AES_GCM_256] = true, 0;
	if (strcmp(s, "cbc") == 0)
		return o->xform_on[BENCH_AES_CBC_256_SHA256] = true, 0;
	return -1;
}

static int
one_size(struct options *o, const char *s)
{
	char *end;
	unsigned long v = strcmp(s, "imix") == 0 ? BENCH_SIZE_IMIX : strtoul(s, &end, 10);

	if (o->n_sizes == LIST_MAX ||
	    (strcmp(s, "imix") != 0 && (*end != '\0' || v < 64 || v > 1500)))
		return -1;
	o->sizes[o->n_sizes++] = (unsigned)v;
	return 0;
}

static int
one_tunnels(struct options *o, const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (o->n_tunnels == LIST_MAX || *end != '\0' || v < 1 || v > BENCH_TUNNELS_MAX)
		return -1;
	o->tunnels[o->n_tunnels++] = (unsigned)v;
	return 0;
}

static bool
any(const bool *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i])
			return true;
	return false;
}

static void
set_all(bool *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		v[i] = true;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_STAGES = 256, O_DIRS, O_XFORMS, O_SIZES, O_TUNNELS, O_SPREAD, O_RAW, O_REPS,
	       O_DURATION, O_PACKETS, O_STREAM, O_ARCH, O_API, O_CSV, O_REPS_CSV, O_COMMIT,
	       O_HELP };
	static const struct option longopts[] = {
		{ "stages", required_argument, NULL, O_STAGES },
		{ "dirs", required_argument, NULL, O_DIRS },
		{ "xforms", required_argument, NULL, O_XFORMS },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "tunnels", required_argument, NULL, O_TUNNELS },
		{ "spread", required_argument, NULL, O_SPREAD },
		{ "raw-esp", no_argument, NULL, O_RAW },
		{ "reps", required_argument, NULL, O_REPS },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "packets", required_argument, NULL, O_PACKETS },
		{ "stream", required_argument, NULL, O_STREAM },
		{ "arch", required_argument, NULL, O_ARCH },
		{ "imb-api", required_argument, NULL, O_API },
		{ "csv", required_argument, NULL, O_CSV },
		{ "reps-csv", required_argument, NULL, O_REPS_CSV },
		{ "commit", required_argument, NULL, O_COMMIT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	*o = (struct options){ .spread = BENCH_SPREAD_RR, .udp_encap = true, .reps = 5,
			       .duration = 0.5, .stream = 1536, .arch = "auto",
			       .burst_api = true, .commit = "unknown" };
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_STAGES: rc = parse_list("stages", optarg, one_stage, o); break;
		case O_DIRS: rc = parse_list("dirs", optarg, one_dir, o); break;
		case O_XFORMS: rc = parse_list("xforms", optarg, one_xform, o); break;
		case O_SIZES: rc = parse_list("sizes", optarg, one_size, o); break;
		case O_TUNNELS: rc = parse_list("tunnels", optarg, one_tunnels, o); break;
		case O_SPREAD:
			if (strcmp(optarg, "rr") != 0 && strcmp(optarg, "random") != 0) {
				fprintf(stderr, "p2s-bench: --spread: rr or random\n");
				rc = -1;
			}
			o->spread = strcmp(optarg, "rr") == 0 ? BENCH_SPREAD_RR : BENCH_SPREAD_RANDOM;
			break;
		case O_RAW: o->udp_encap = false; break;
		case O_REPS:
			o->reps = (unsigned)strtoul(optarg, NULL, 10);
			if (o->reps < 1 || o->reps > BENCH_REPS_MAX) {
				fprintf(stderr, "p2s-bench: --reps: 1..%u\n", BENCH_REPS_MAX);
				rc = -1;
			}
			break;
		case O_DURATION:
			o->duration = strtod(optarg, NULL);
			if (!(o->duration > 0 && o->duration <= 60)) {
				fprintf(stderr, "p2s-bench: --duration: seconds, above 0, at most 60\n");
				rc = -1;
			}
			break;
		case O_PACKETS: o->packets = strtoull(optarg, NULL, 10); break;
		case O_STREAM:
			o->stream = (unsigned)strtoul(optarg, NULL, 10);
			if (o->stream < BENCH_STREAM_ALIGN || o->stream > 65536) {
				fprintf(stderr, "p2s-bench: --stream: %u..65536 packets\n",
					BENCH_STREAM_ALIGN);
				rc = -1;
			}
			break;
		case O_ARCH: o->arch = optarg; break;
		case O_API:
			if (strcmp(optarg, "burst") != 0 && strcmp(optarg, "job") != 0) {
				fprintf(stderr, "p2s-bench: --imb-api: burst or job\n");
				rc = -1;
			}
			o->burst_api = strcmp(optarg, "burst") == 0;
			break;
		case O_CSV: o->csv = optarg; break;
		case O_REPS_CSV: o->reps_csv = optarg; break;
		case O_COMMIT: o->commit = optarg; break;
		case O_HELP: usage(stdout, argv[0]); exit(0);
		default: rc = -1; break;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "p2s-bench: unexpected argument '%s'\n", argv[optind]);
		rc = -1;
	}
	if (!any(o->stage_on, STAGE_COUNT))
		for (unsigned i = 0; i < STAGE_COUNT; i++)
			o->stage_on[i] = !stages[i]->optional;
	if (!any(o->dir_on, BENCH_DIR_COUNT))
		set_all(o->dir_on, BENCH_DIR_COUNT);
	if (!any(o->xform_on, BENCH_XFORM_COUNT))
		set_all(o->xform_on, BENCH_XFORM_COUNT);
	if (o->n_sizes == 0)
		memcpy(o->sizes, (unsigned[]){ 64, 512, 1420, BENCH_SIZE_IMIX },
		       sizeof(unsigned) * (o->n_sizes = 4));
	if (o->n_tunnels == 0)
		memcpy(o->tunnels, (unsigned[]){ 1, 128 }, sizeof(unsigned) * (o->n_tunnels = 2));
	o->stream = RTE_ALIGN_CEIL(o->stream, BENCH_STREAM_ALIGN);
	return rc;
}

static void
cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
			snprintf(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	if (f != NULL)
		fclose(f);
}

/* Kept out of line: callgrind collects inside it only (--toggle-collect). */
__attribute__((noinline)) unsigned bench_timed_pass(const struct bench_stage *st, void *state);
__attribute__((noinline)) unsigned
bench_timed_pass(const struct bench_stage *st, void *state)
{
	return st->pass(state);
}

/*
 * One slice of a repetition: whole passes until the slice's share of the
 * time or packet budget is spent; adds to *pkts and *cycles.
 */
static int
measure_slice(const struct bench_stage *st, void *state, unsigned n, const struct options *o,
	      double tsc_hz, uint64_t *pkts, uint64_t *cycles)
{
	uint64_t budget = (uint64_t)(o->duration * tsc_hz / BENCH_SLICES), t0, t1;
	uint64_t want = o->packets / BENCH_SLICES, got = 0, spent = 0;
	unsigned good;

	do {
		st->refill(state);
		t0 = rte_rdtsc_precise();
		good = bench_timed_pass(st, state);
		t1 = rte_rdtsc_precise();
		if (good != n)
			return -1;
		spent += t1 - t0;
		got += good;
	} while (o->packets ? got < want : spent < budget);
	*pkts += got;
	*cycles += spent;
	return 0;
}

/*
 * Untimed passes for a while: caches, branch predictors, and the host's
 * clock for this vCPU (the first tenth of a second ran ~1.6x slower here).
 */
static void
warm_up(const struct bench_stage *st, void *state, double tsc_hz)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(WARM_UP_S * tsc_hz);

	do {
		st->refill(state);
		st->pass(state);
	} while (rte_rdtsc() < end);
}

/* All stages on one case; res[] gets one result per stage that is on. */
static unsigned
run_case(const struct bench_case *c, const struct options *o, const struct bench_env *env,
	 const struct bench_meta *meta, struct bench_result *res)
{
	void *state[STAGE_COUNT] = { NULL };
	struct bench_result *r[STAGE_COUNT] = { NULL };
	struct bench_stream *s = bench_stream_build(c, o->stream, STREAM_SEED);
	unsigned i, k, rep, slice, nres = 0;

	if (s == NULL) {
		fprintf(stderr, "p2s-bench: out of memory for the stream\n");
		return 0;
	}
	for (i = 0; i < STAGE_COUNT; i++) {
		if (!o->stage_on[i])
			continue;
		r[i] = &res[nres++];
		memset(r[i], 0, sizeof(*r[i]));
		r[i]->stage = stages[i]->name;
		r[i]->c = *c;
		r[i]->mean_bytes = (double)s->bytes / s->n;
		state[i] = stages[i]->setup(env, c, s, r[i]->error, sizeof(r[i]->error));
		if (state[i] == NULL)
			continue;
		snprintf(r[i]->arch, sizeof(r[i]->arch), "%s",
			 stages[i]->arch ? stages[i]->arch(state[i]) : meta->imb_arch);
		warm_up(stages[i], state[i], meta->tsc_hz);
	}
	/*
	 * The host's load changes within a fraction of a second here: each
	 * repetition is cut into slices and the stages take turns slice by
	 * slice, so that every stage of a repetition sees the same weather.
	 */
	for (rep = 0; rep < o->reps; rep++) {
		for (slice = 0; slice < BENCH_SLICES; slice++) {
			for (k = 0; k < STAGE_COUNT; k++) {
				i = slice % 2 ? STAGE_COUNT - 1 - k : k;
				if (state[i] == NULL || r[i]->error[0] != '\0')
					continue;
				if (measure_slice(stages[i], state[i], s->n, o, meta->tsc_hz,
						  &r[i]->pkts[rep], &r[i]->cycles[rep]) != 0)
					stages[i]->explain(state[i], r[i]->error,
							   sizeof(r[i]->error));
			}
		}
		for (i = 0; i < STAGE_COUNT; i++)
			if (r[i] != NULL && r[i]->error[0] == '\0' && state[i] != NULL)
				r[i]->reps = rep + 1;
	}
	for (i = 0; i < STAGE_COUNT; i++) {
		if (r[i] == NULL)
			continue;
		if (state[i] != NULL)
			stages[i]->teardown(state[i]);
		bench_result_finish(r[i], meta->tsc_hz, stages[0] == &bench_stage_ceiling ? r[0] : NULL);
	}
	bench_stream_free(s);
	return nres;
}

static void
meta_fill(struct bench_meta *m, const struct options *o)
{
	time_t now = time(NULL);

	memset(m, 0, sizeof(*m));
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(m->commit, sizeof(m->commit), "%s", o->commit);
	cpu_model(m->cpu, sizeof(m->cpu));
	m->cores = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	m->tsc_hz = (double)rte_get_tsc_hz();
	bench_imb_arch_describe(o->arch, m->imb_arch, sizeof(m->imb_arch));
	m->imb_version = imb_get_version_str();
	m->imb_api = o->burst_api ? "burst" : "job";
	m->stream = o->stream;
	m->reps = o->reps;
	m->duration = o->packets ? 0 : o->duration;
	m->packets = o->packets;
	m->memory = rte_eal_has_hugepages() ? "hugepages" : "no-huge";
}

int
main(int argc, char **argv)
{
	struct options o;
	struct bench_meta meta;
	struct bench_env env;
	struct bench_result *res;
	char err[256];
	unsigned x, d, t, z, n = 0, i, failed = 0;
	int ret = rte_eal_init(argc, argv);

	if (ret < 0) {
		fprintf(stderr, "p2s-bench: EAL init failed (try --no-huge -m 1024 --no-pci "
			"--no-shconf)\n");
		return 2;
	}
	argv[ret] = argv[0];
	if (parse_options(argc - ret, argv + ret, &o) != 0) {
		usage(stderr, argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	meta_fill(&meta, &o);
	if (bench_ceiling_selfcheck(o.arch, err, sizeof(err)) != 0) {
		fprintf(stderr, "p2s-bench: self-check of the ceiling failed: %s\n", err);
		rte_eal_cleanup();
		return 1;
	}
	env = (struct bench_env){ .socket = (int)rte_socket_id(), .imb_arch = o.arch,
				  .imb_burst_api = o.burst_api };
	env.pool = rte_pktmbuf_pool_create("bench", o.stream + 512, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, env.socket);
	res = calloc((size_t)BENCH_XFORM_COUNT * BENCH_DIR_COUNT * LIST_MAX * LIST_MAX *
		     STAGE_COUNT, sizeof(*res));
	if (env.pool == NULL || res == NULL) {
		fprintf(stderr, "p2s-bench: no memory for %u mbufs (raise -m)\n", o.stream + 512);
		rte_eal_cleanup();
		return 1;
	}
	report_header(stdout, &meta);
	for (x = 0; x < BENCH_XFORM_COUNT; x++)
	for (d = 0; d < BENCH_DIR_COUNT; d++)
	for (t = 0; t < o.n_tunnels; t++)
	for (z = 0; z < o.n_sizes; z++) {
		struct bench_case c = { .dir = d, .xform = x, .size = o.sizes[z],
					.tunnels = o.tunnels[t], .spread = o.spread,
					.udp_encap = o.udp_encap };
		unsigned got;

		if (!o.xform_on[x] || !o.dir_on[d])
			continue;
		got = run_case(&c, &o, &env, &meta, res + n);
		for (i = n; i < n + got; i++) {
			report_row(stdout, &res[i]);
			failed += res[i].error[0] != '\0';
		}
		n += got;
	}
	report_targets(stdout, res, n);
	if (o.csv != NULL && (ret = report_csv(o.csv, &meta, res, n)) != 0)
		fprintf(stderr, "p2s-bench: %s: %s\n", o.csv, strerror(-ret));
	if (o.reps_csv != NULL && (ret = report_reps_csv(o.reps_csv, &meta, res, n)) != 0)
		fprintf(stderr, "p2s-bench: %s: %s\n", o.reps_csv, strerror(-ret));
	free(res);
	rte_mempool_free(env.pool);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
