/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp/worker: the per-worker crypto context — one IPsec-MB manager on the
 * worker's NUMA socket, initialised for the best instruction set the CPU has
 * — and the two burst-level chores every direction shares: running a
 * chunk's jobs through IPsec-MB (every job of the chunk is submitted before
 * any is flushed, so the multi-buffer lanes fill up), and moving the good
 * packets to the front of the caller's array.
 *
 * IPsec-MB 1.3 offers the job API (get/submit/flush one job at a time) and
 * the burst API (get/submit/flush an array). Both are here; the burst API is
 * the default because it measured faster (docs/esp.md); build with
 * -DESP_IMB_JOB_API to compare.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "esp_priv.h"

struct esp_worker *
esp_worker_create(int socket_id)
{
	struct esp_worker *w;
	void *mem;

	w = rte_zmalloc_socket("esp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket_id);
	if (w == NULL)
		return NULL;
	mem = rte_zmalloc_socket("esp_imb_mgr", imb_get_mb_mgr_size(), 64, socket_id);
	if (mem == NULL)
		goto free_worker;
	w->mgr = imb_set_pointers_mb_mgr(mem, 0, 1);
	if (w->mgr == NULL)
		goto free_mem;
	init_mb_mgr_auto(w->mgr, &w->arch);
	w->chunk = 1;
	if (imb_get_errno(w->mgr) != 0 || w->arch == IMB_ARCH_NONE)
		goto free_mem;
	return w;

free_mem:
	rte_free(mem);
free_worker:
	rte_free(w);
	return NULL;
}

void
esp_worker_free(struct esp_worker *w)
{
	if (w == NULL)
		return;
	rte_free(w->mgr);
	rte_free(w);
}

const char *
esp_worker_arch(const struct esp_worker *w)
{
	switch (w->arch) {
	case IMB_ARCH_NOAESNI: return "NOAESNI";
	case IMB_ARCH_SSE: return "SSE";
	case IMB_ARCH_AVX: return "AVX";
	case IMB_ARCH_AVX2: return "AVX2";
	case IMB_ARCH_AVX512: return "AVX512";
	default: return "none";
	}
}

static inline void
job_fail(struct esp_worker *w, struct esp_pkt *p)
{
	p->drop = ESP_DROP_crypto_error;
	w->failed |= UINT64_C(1) << (p - w->pkt);
}

static inline void
job_done(struct esp_worker *w, const IMB_JOB *job)
{
	if (unlikely(job->status != IMB_STATUS_COMPLETED))
		job_fail(w, job->user_data);
}

#ifdef ESP_IMB_JOB_API

IMB_JOB *
esp_job_get(struct esp_worker *w)
{
	return IMB_GET_NEXT_JOB(w->mgr);
}

/* A job must be submitted before the next is taken; what comes back
 * completed is recorded at once (the slot is reused by the next get). */
void
esp_job_put(struct esp_worker *w, IMB_JOB *job)
{
	job = IMB_SUBMIT_JOB(w->mgr);
	while (job != NULL) {
		job_done(w, job);
		job = IMB_GET_COMPLETED_JOB(w->mgr);
	}
}

int
esp_jobs_run(struct esp_worker *w)
{
	IMB_JOB *job;

	while ((job = IMB_FLUSH_JOB(w->mgr)) != NULL)
		job_done(w, job);
	return 0;
}

#else

/* esp_job_get() and esp_job_put() are inline (esp_priv.h). */

int
esp_jobs_run(struct esp_worker *w)
{
	uint32_t done, left, i;

	if (w->njobs == 0)
		return 0;
	/*
	 * The unchecked submit: every field of our jobs comes from an SA that
	 * esp_sa_init() validated and from lengths the parsers checked, so
	 * IPsec-MB's per-job validation would only repeat them — at about half
	 * of lib/esp's cost over raw IPsec-MB at 64 bytes (docs/benchmarks.md).
	 * Build with -DESP_IMB_CHECKED to have IPsec-MB check them again.
	 */
#ifdef ESP_IMB_CHECKED
	done = IMB_SUBMIT_BURST(w->mgr, w->njobs, w->jobs);
#else
	done = IMB_SUBMIT_BURST_NOCHECK(w->mgr, w->njobs, w->jobs);
#endif
	if (unlikely(done == 0 && imb_get_errno(w->mgr) != 0)) {
		/* The whole burst was refused before any job ran; jobs[0] now
		 * names the culprit, so the caller marks the packets. */
		w->njobs = 0;
		return -EIO;
	}
	for (i = 0; i < done; i++)
		job_done(w, w->jobs[i]);
	left = w->njobs - done;
	while (left > 0) {
		done = IMB_FLUSH_BURST(w->mgr, left, w->jobs);
		if (done == 0)
			break;
		for (i = 0; i < done; i++)
			job_done(w, w->jobs[i]);
		left -= done;
	}
	w->njobs = 0;
	return 0;
}

#endif

/*
 * The chunk m[good + bad .. + n) has been processed (w->pkt[i].drop). Make
 * m[] read: all good packets so far, in order, then all bad ones in order,
 * with why[] aligned to the bad ones. Only multi-chunk calls move the
 * earlier bad packets.
 */
uint16_t
esp_burst_partition(struct esp_worker *w, struct rte_mbuf *m[], uint16_t n, uint16_t good,
		    uint16_t bad, enum esp_drop why[])
{
	struct rte_mbuf **chunk = m + good + bad;
	struct rte_mbuf *goods[ESP_BURST_MAX];
	uint16_t g = 0, b = 0, i;

	/* Usually nothing moves: every packet so far was good. */
	while (g < n && w->pkt[g].drop == ESP_DROP_COUNT)
		g++;
	if (g == n && bad == 0)
		return g;
	for (i = 0, g = 0; i < n; i++) {
		if (w->pkt[i].drop == ESP_DROP_COUNT) {
			goods[g++] = chunk[i];
		} else {
			w->bad[b] = chunk[i];
			w->bad_why[b++] = w->pkt[i].drop;
		}
	}
	if (bad > 0 && g > 0)
		memmove(&m[good + g], &m[good], bad * sizeof(m[0]));
	memcpy(&m[good], goods, g * sizeof(m[0]));
	memcpy(&m[good + g + bad], w->bad, b * sizeof(m[0]));
	for (i = 0; i < b; i++)
		why[bad + i] = (enum esp_drop)w->bad_why[i];
	return g;
}

uint16_t
esp_burst_drive(struct esp_worker *w, struct esp_sa *sa[], struct rte_mbuf *m[], uint16_t n,
		enum esp_drop why[], esp_prepare_fn prepare, esp_finish_fn finish)
{
	uint16_t good = 0, bad = 0;

	while (good + bad < n) {
		uint16_t done = good + bad, k = RTE_MIN(n - done, ESP_BURST_MAX), g;

		w->chunk = k;
		w->failed = 0;
		w->tag_moves = false;
		prepare(w, sa + done, m + done, k);
		if (unlikely(esp_jobs_run(w) != 0)) {
			for (uint16_t i = 0; i < k; i++)
				if (w->pkt[i].drop == ESP_DROP_COUNT)
					job_fail(w, &w->pkt[i]);
		}
		finish(w, m + done, k);
		g = esp_burst_partition(w, m, k, good, bad, why);
		good += g;
		bad += k - g;
	}
	return good;
}
