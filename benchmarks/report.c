/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Turning repetitions into figures and writing them: medians with min-max
 * spreads (the machine is shared and noisy, a single run means little),
 * the testpmd-like table, the CSV files and the target check of issue 3.
 * Gbit/s counts inner IPv4 packet bits only: no Ethernet, no ESP overhead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "report.h"

static const struct {
	unsigned size;
	double ratio;
} targets[] = {
	{ 1420, 0.70 },
	{ 64, 0.50 },
};
#define TARGET_TUNNELS 128

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct bench_stat
stat_of(double *v, unsigned n)
{
	struct bench_stat s = { 0, 0, 0 };

	if (n == 0)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static double
rep_mpps(const struct bench_result *r, unsigned i, double tsc_hz)
{
	return (double)r->pkts[i] / ((double)r->cycles[i] / tsc_hz) / 1e6;
}

void
bench_result_finish(struct bench_result *r, double tsc_hz, const struct bench_result *ceiling)
{
	double mpps[BENCH_REPS_MAX], gbps[BENCH_REPS_MAX], cpp[BENCH_REPS_MAX];
	double ratio[BENCH_REPS_MAX];
	unsigned i;

	if (r->error[0] != '\0')
		r->reps = 0;
	r->has_ratio = ceiling != NULL && ceiling->error[0] == '\0' && r->reps > 0 &&
		       ceiling->reps == r->reps;
	for (i = 0; i < r->reps; i++) {
		mpps[i] = rep_mpps(r, i, tsc_hz);
		gbps[i] = mpps[i] * r->mean_bytes * 8 / 1e3;
		cpp[i] = (double)r->cycles[i] / (double)r->pkts[i];
		if (r->has_ratio)
			ratio[i] = mpps[i] / rep_mpps(ceiling, i, tsc_hz);
	}
	if (r->has_ratio)
		r->ratio = stat_of(ratio, r->reps);
	r->mpps = stat_of(mpps, r->reps);
	r->gbps = stat_of(gbps, r->reps);
	r->cpp = stat_of(cpp, r->reps);
}

void
report_header(FILE *f, const struct bench_meta *m)
{
	fprintf(f, "\n  ---------------- p2s-bench: ESP on one worker core -----------------\n");
	fprintf(f, "  CPU %s, %u cores, TSC %.0f MHz, %s\n", m->cpu, m->cores, m->tsc_hz / 1e6,
		m->memory);
	fprintf(f, "  IPsec-MB %s, ceiling on %s, %s API\n", m->imb_version, m->imb_arch,
		m->imb_api);
	fprintf(f, "  bursts of %u, stream of %u packets, median of %u repetitions of ",
		BENCH_BURST, m->stream, m->reps);
	if (m->packets)
		fprintf(f, "%" PRIu64 " packets\n", m->packets);
	else
		fprintf(f, "%.2f s\n", m->duration);
	fprintf(f, "  Gbit/s: inner IPv4 packet bits. ratio: median over the repetitions of Mpps\n"
		"  / the ceiling's Mpps in the same repetition (stages take turns in %u slices)\n\n",
		BENCH_SLICES);
	fprintf(f, "  %-15s %-3s %-18s %4s %4s %8s %17s %7s %8s %7s\n", "stage", "dir",
		"transform", "size", "tun", "Mpps", "(min - max)", "Gbit/s", "cyc/pkt", "ratio");
	fprintf(f, "  %.*s\n", 99,
		"----------------------------------------------------------------------"
		"----------------------------------------------------------------------");
}

void
report_row(FILE *f, const struct bench_result *r)
{
	char size[16], ratio[16] = "";

	bench_size_name(r->c.size, size, sizeof(size));
	fprintf(f, "  %-15s %-3s %-18s %4s %4u ", r->stage, bench_dir_name(r->c.dir),
		bench_xform_name(r->c.xform), size, r->c.tunnels);
	if (r->error[0] != '\0') {
		fprintf(f, "FAILED: %s\n", r->error);
		return;
	}
	if (r->has_ratio)
		snprintf(ratio, sizeof(ratio), "%6.1f%%", 100 * r->ratio.median);
	fprintf(f, "%8.3f  (%6.3f - %6.3f) %7.2f %8.1f %7s\n", r->mpps.median, r->mpps.min,
		r->mpps.max, r->gbps.median, r->cpp.median, ratio);
	fflush(f);
}

int
report_targets(FILE *f, const struct bench_result *r, unsigned n)
{
	unsigned i, t, seen = 0, missed = 0;

	fprintf(f, "\n  target (issue 3): AES-GCM-256, one worker, %u tunnels, each direction "
		"at least 70%% of the ceiling at 1420 bytes and 50%% at 64 bytes\n",
		TARGET_TUNNELS);
	for (i = 0; i < n; i++) {
		/* The data path's stages only, not the ceiling or its variants. */
		if (strncmp(r[i].stage, "ceiling", 7) == 0 || r[i].c.xform != BENCH_AES_GCM_256 ||
		    r[i].c.tunnels != TARGET_TUNNELS)
			continue;
		for (t = 0; t < RTE_DIM(targets); t++) {
			bool met;

			if (r[i].c.size != targets[t].size)
				continue;
			met = r[i].has_ratio && r[i].ratio.median >= targets[t].ratio;
			seen++;
			missed += !met;
			fprintf(f, "  %-15s %s %4u bytes: %5.1f%% of the ceiling, target %2.0f%%: %s\n",
				r[i].stage, bench_dir_name(r[i].c.dir), r[i].c.size,
				r[i].has_ratio ? 100 * r[i].ratio.median : 0.0, 100 * targets[t].ratio,
				met ? "met" : "MISSED");
		}
	}
	if (seen == 0)
		fprintf(f, "  (not measured in this run)\n");
	return missed ? -1 : 0;
}

static void
csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
csv_meta(FILE *f, const struct bench_meta *m)
{
	fprintf(f, "%s,", m->date);
	csv_quoted(f, m->commit);
	fputc(',', f);
	csv_quoted(f, m->cpu);
	fprintf(f, ",%u,%.0f,%s,", m->cores, m->tsc_hz / 1e6, m->imb_version);
	csv_quoted(f, m->imb_arch);
	fprintf(f, ",%s,%s", m->imb_api, m->memory);
}

static void
csv_case(FILE *f, const struct bench_result *r)
{
	char size[16];

	fputc(',', f);
	csv_quoted(f, r->stage);
	fputc(',', f);
	csv_quoted(f, r->arch);
	fprintf(f, ",%s,%s,%s,%.2f,%u,%s,%s", bench_dir_name(r->c.dir),
		bench_xform_name(r->c.xform), bench_size_name(r->c.size, size, sizeof(size)),
		r->mean_bytes, r->c.tunnels, r->c.spread == BENCH_SPREAD_RR ? "rr" : "random",
		r->c.udp_encap ? "udp" : "raw");
}

#define CSV_META "date,commit,cpu,cores,tsc_mhz,ipsec_mb_version,ipsec_mb_arch,imb_api,memory"
#define CSV_CASE "stage,stage_arch,direction,transform,size,mean_inner_bytes,tunnels,spread,encap"

int
report_csv(const char *path, const struct bench_meta *m, const struct bench_result *r,
	   unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	if (f == NULL)
		return -errno;
	fprintf(f, CSV_META "," CSV_CASE ",burst,stream,reps,duration_s,packets_per_rep,"
		"mpps_median,mpps_min,mpps_max,gbps_median,gbps_min,gbps_max,"
		"cycles_per_pkt_median,cycles_per_pkt_min,cycles_per_pkt_max,"
		"ratio_to_ceiling,ratio_min,ratio_max,status\n");
	for (i = 0; i < n; i++) {
		uint64_t pkts = r[i].reps ? r[i].pkts[r[i].reps / 2] : 0;

		csv_meta(f, m);
		csv_case(f, &r[i]);
		fprintf(f, ",%u,%u,%u,%.3f,%" PRIu64, BENCH_BURST, m->stream, r[i].reps,
			m->duration, pkts);
		fprintf(f, ",%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.1f,%.1f,%.1f,", r[i].mpps.median,
			r[i].mpps.min, r[i].mpps.max, r[i].gbps.median, r[i].gbps.min,
			r[i].gbps.max, r[i].cpp.median, r[i].cpp.min, r[i].cpp.max);
		if (r[i].has_ratio)
			fprintf(f, "%.4f,%.4f,%.4f", r[i].ratio.median, r[i].ratio.min,
				r[i].ratio.max);
		else
			fprintf(f, ",,");
		fputc(',', f);
		csv_quoted(f, r[i].error[0] ? r[i].error : "ok");
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -errno;
}

int
report_reps_csv(const char *path, const struct bench_meta *m, const struct bench_result *r,
		unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned i, k;

	if (f == NULL)
		return -errno;
	fprintf(f, CSV_META "," CSV_CASE ",rep,packets,cycles,mpps,gbps,cycles_per_pkt\n");
	for (i = 0; i < n; i++) {
		for (k = 0; k < r[i].reps; k++) {
			double mpps = (double)r[i].pkts[k] / ((double)r[i].cycles[k] / m->tsc_hz) / 1e6;

			csv_meta(f, m);
			csv_case(f, &r[i]);
			fprintf(f, ",%u,%" PRIu64 ",%" PRIu64 ",%.4f,%.4f,%.1f\n", k + 1,
				r[i].pkts[k], r[i].cycles[k], mpps, mpps * r[i].mean_bytes * 8 / 1e3,
				(double)r[i].cycles[k] / (double)r[i].pkts[k]);
		}
	}
	return fclose(f) == 0 ? 0 : -errno;
}
