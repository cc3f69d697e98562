/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Results of p2s-bench and how they are written: a testpmd-like table on
 * stdout, one CSV row per measurement (medians and spread over the
 * repetitions, with the machine and the commit), one CSV row per
 * repetition, and the targets checked against the medians.
 */
#ifndef P2S_BENCH_REPORT_H
#define P2S_BENCH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "bench.h"

#define BENCH_REPS_MAX 99

/* Where and how the run was made; the same for every row. */
struct bench_meta {
	char date[32];            /* ISO 8601, UTC */
	char commit[64];
	char cpu[128];
	unsigned cores;
	double tsc_hz;
	char imb_arch[96];        /* what the ceiling's IPsec-MB manager runs */
	const char *imb_version;
	const char *imb_api;      /* "burst" or "job" (ceiling) */
	unsigned stream;          /* packets in the stream */
	unsigned reps;
	double duration;          /* timed seconds per repetition, or 0 */
	uint64_t packets;         /* packets per repetition, or 0 */
	const char *memory;       /* "hugepages" or "no-huge" */
};

struct bench_stat {
	double median, min, max;
};

struct bench_result {
	const char *stage;
	char arch[96];            /* IPsec-MB architecture the stage ran on */
	struct bench_case c;
	double mean_bytes;        /* inner IPv4 bytes per packet */
	unsigned reps;
	uint64_t pkts[BENCH_REPS_MAX];
	uint64_t cycles[BENCH_REPS_MAX];
	struct bench_stat mpps, gbps, cpp;
	/* Mpps / the ceiling's in the same repetition (interleaved in time). */
	bool has_ratio;
	struct bench_stat ratio;
	char error[256];          /* not empty: the measurement failed */
};

/* Medians and spreads from pkts[] and cycles[]; ratios to ceiling if given. */
void bench_result_finish(struct bench_result *r, double tsc_hz, const struct bench_result *ceiling);

void report_header(FILE *f, const struct bench_meta *m);
void report_row(FILE *f, const struct bench_result *r);
/* The target (AES-GCM-256, one worker, 128 tunnels); 0 if met. */
int report_targets(FILE *f, const struct bench_result *r, unsigned n);
int report_csv(const char *path, const struct bench_meta *m, const struct bench_result *r,
	       unsigned n);
int report_reps_csv(const char *path, const struct bench_meta *m,
		    const struct bench_result *r, unsigned n);

#endif
