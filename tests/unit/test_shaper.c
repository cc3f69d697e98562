/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/shaper: the token arithmetic of the shared SKU bucket (rate held over
 * every one-second window, burst cap after idle, partial grants, refunds,
 * rate changes, several threads at once) and deficit round robin fairness
 * (Jain's index over equal-demand tunnels, a light tunnel gets all it asks,
 * full queues counted). The clock is simulated: no timing can fail a test.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shaper.h"

#define HZ 1000000000ull  /* a 1 GHz simulated TSC: one cycle = 1 ns */

/* Bytes granted in [t0, t1) when asking for want every step cycles. */
static uint64_t
drain(struct shaper_bucket *b, uint64_t t0, uint64_t t1, uint64_t step, uint32_t want)
{
	uint64_t t, got = 0;

	for (t = t0; t < t1; t += step)
		got += shaper_bucket_take(b, want, t);
	return got;
}

static void
rate_held_every_second(void **state)
{
	static const uint64_t rates[] = { 100000000ull, 650000000ull, 1000000000ull,
					  1250000000ull, 5000000000ull, 10000000000ull };
	struct shaper_bucket b;
	unsigned i, s;

	(void)state;
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t per_s = rates[i] / 8;

		shaper_bucket_init(&b, rates[i], 1000, HZ);
		/* Offered far more than the rate (64 KiB every 10 us = 52 Gbit/s). */
		for (s = 0; s < 3; s++) {
			uint64_t got = drain(&b, s * HZ, (s + 1) * HZ, 10000, 65536);

			/* The first second may add the initial burst (1 ms of rate). */
			assert_true(got <= per_s + per_s / 1000 + 65536);
			assert_true(got >= per_s - per_s / 100);
		}
	}
}

static void
idle_credit_is_capped_by_burst(void **state)
{
	struct shaper_bucket b;
	uint32_t got;

	(void)state;
	shaper_bucket_init(&b, 100000000ull, 1000, HZ); /* 12 500 bytes of burst */
	assert_true(drain(&b, 0, HZ, 10000, 65536) > 0);
	/* Ten idle seconds earn one burst, not ten seconds of rate. */
	got = shaper_bucket_take(&b, 1u << 30, 11 * HZ);
	assert_true(got <= 12500);
	assert_true(got >= 12400);
	/* And right after, nothing is left. */
	assert_int_equal(shaper_bucket_take(&b, 1500, 11 * HZ), 0);
	/* 120 us later: 1500 bytes at 100 Mbit/s. */
	assert_int_equal(shaper_bucket_take(&b, 1500, 11 * HZ + 120000), 1500);
}

static void
partial_grants_and_refunds(void **state)
{
	struct shaper_bucket b;
	uint32_t got;

	(void)state;
	shaper_bucket_init(&b, 8000000ull, 1000, HZ); /* 1 000 000 bytes/s, 1000 bytes of burst */
	got = shaper_bucket_take(&b, 5000, 0);
	assert_true(got >= 999 && got <= 1000); /* partial: the burst */
	assert_int_equal(shaper_bucket_take(&b, 5000, 0), 0);
	/* Refunded credit can be taken again at once. */
	shaper_bucket_refund(&b, 500);
	got = shaper_bucket_take(&b, 5000, 0);
	assert_true(got >= 499 && got <= 500);
	/* Unlimited: everything, always. */
	shaper_bucket_set_rate(&b, 0, 1000);
	assert_true(shaper_bucket_unlimited(&b));
	assert_int_equal(shaper_bucket_take(&b, 1u << 31, 0), 1u << 31);
}

static void
rate_change_applies_at_once(void **state)
{
	struct shaper_bucket b;
	uint64_t got;

	(void)state;
	shaper_bucket_init(&b, 100000000ull, 1000, HZ);
	drain(&b, 0, HZ, 10000, 65536);
	/* VpnGw1 -> Basic -> VpnGw2 within the next 100 ms each. */
	shaper_bucket_set_rate(&b, 650000000ull, 1000);
	got = drain(&b, HZ, 2 * HZ, 10000, 65536);
	assert_true(got >= 650000000ull / 8 * 99 / 100 && got <= 650000000ull / 8 * 101 / 100);
	shaper_bucket_set_rate(&b, 1000000000ull, 1000);
	got = drain(&b, 2 * HZ, 2 * HZ + HZ / 10, 10000, 65536);
	assert_true(got >= 1000000000ull / 80 * 98 / 100 && got <= 1000000000ull / 80 * 102 / 100);
}

/* Several workers take from one bucket at once: the total still keeps the rate. */
struct taker {
	struct shaper_bucket *b;
	uint64_t *clock;
	uint64_t got;
};

static void *
take_loop(void *arg)
{
	struct taker *t = arg;
	uint64_t now;

	while ((now = __atomic_fetch_add(t->clock, 1000, __ATOMIC_RELAXED)) < 2 * HZ)
		t->got += shaper_bucket_take(t->b, 4096, now);
	return NULL;
}

static void
concurrent_takers_keep_the_rate(void **state)
{
	struct shaper_bucket b;
	struct taker t[4];
	pthread_t th[4];
	uint64_t clock = 0, total = 0, want = 2 * 1000000000ull / 8;
	unsigned i;

	(void)state;
	shaper_bucket_init(&b, 1000000000ull, 1000, HZ);
	for (i = 0; i < 4; i++) {
		t[i] = (struct taker){ .b = &b, .clock = &clock };
		assert_int_equal(pthread_create(&th[i], NULL, take_loop, &t[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += t[i].got;
	}
	/* Two simulated seconds at 1 Gbit/s, plus at most one burst (125 000 bytes). */
	assert_true(total <= want + 125000 + 4096);
	/* Takers interleave out of clock order, so some credit expires unused:
	 * no more than a few percent here. */
	assert_true(total >= want * 90 / 100);
}

/* ---- deficit round robin ---- */

#define TUNNELS 128

static struct shaper_queue queues[TUNNELS];

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
drr_is_fair_between_equal_tunnels(void **state)
{
	static const uint16_t imix[] = { 64, 64, 64, 64, 64, 64, 64, 576, 576, 576, 576, 1500 };
	struct shaper_drr d;
	uint64_t bytes[TUNNELS] = { 0 };
	uint32_t which[64], used, n, i, k, round;
	void *pkts[64];
	unsigned seq = 0;

	(void)state;
	memset(queues, 0, sizeof(queues));
	shaper_drr_init(&d, queues, TUNNELS, 1500, 2048);
	for (round = 0; round < 20000; round++) {
		uint16_t lens[64];

		/* Every tunnel always has more than it can send (twice the cap and more). */
		for (i = 0; i < TUNNELS; i++)
			while (queues[i].tail - queues[i].head < 8) {
				uint16_t len = imix[(seq++ * 7 + i) % 12];

				shaper_drr_enqueue(&d, i, (void *)(uintptr_t)len, len);
			}
		n = shaper_drr_dequeue(&d, 16384, pkts, which, 64, &used);
		for (k = 0; k < n; k++) {
			lens[k] = (uint16_t)(uintptr_t)pkts[k];
			bytes[which[k]] += lens[k];
		}
	}
	/* The bar is 0.98; DRR over long runs is close to 1. */
	assert_true(jain(bytes, TUNNELS) >= 0.98);
}

static void
drr_light_tunnel_gets_all_it_asks(void **state)
{
	struct shaper_drr d;
	uint32_t which[64], used, n, k, i, round, light_sent = 0, light_asked = 0;
	void *pkts[64];

	(void)state;
	memset(queues, 0, sizeof(queues));
	shaper_drr_init(&d, queues, TUNNELS, 1500, 2048);
	for (round = 0; round < 10000; round++) {
		for (i = 1; i < TUNNELS; i++)
			while (queues[i].tail - queues[i].head < 8)
				shaper_drr_enqueue(&d, i, NULL, 1500);
		/* Tunnel 0 asks for one 576-byte packet every 10th round: far below
		 * its fair share. */
		if (round % 10 == 0) {
			assert_int_equal(shaper_drr_enqueue(&d, 0, NULL, 576), 0);
			light_asked++;
		}
		n = shaper_drr_dequeue(&d, 16384, pkts, which, 64, &used);
		for (k = 0; k < n; k++)
			light_sent += which[k] == 0;
	}
	/* All it asked went, but maybe the last one, still waiting its turn. */
	assert_true(light_sent + 1 >= light_asked);
	assert_true(queues[0].tail - queues[0].head <= 1);
	assert_int_equal(queues[0].drops, 0);
}

static void
drr_full_queue_and_small_budget(void **state)
{
	struct shaper_drr d;
	uint32_t used, i;
	void *pkts[8];

	(void)state;
	memset(queues, 0, sizeof(queues));
	shaper_drr_init(&d, queues, 2, 1500, 1u << 20);
	for (i = 0; i < SHAPER_QUEUE_MAX; i++)
		assert_int_equal(shaper_drr_enqueue(&d, 1, NULL, 1500), 0);
	assert_int_equal(shaper_drr_enqueue(&d, 1, NULL, 1500), -ENOBUFS);
	assert_int_equal(queues[1].drops, 1);
	assert_int_equal(shaper_drr_backlog(&d), (uint64_t)SHAPER_QUEUE_MAX * 1500);
	/* A budget below the head packet sends nothing and loses nothing. */
	assert_int_equal(shaper_drr_dequeue(&d, 1000, pkts, NULL, 8, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(shaper_drr_dequeue(&d, 3000, pkts, NULL, 8, &used), 2);
	assert_int_equal(used, 3000);
	assert_int_equal(shaper_drr_backlog(&d), (uint64_t)(SHAPER_QUEUE_MAX - 2) * 1500);
	/* max bounds the count. */
	assert_int_equal(shaper_drr_dequeue(&d, 1u << 30, pkts, NULL, 8, &used), 8);
}

static void
free_count(void *arg, void *pkt)
{
	(*(uint32_t *)arg) += (uint32_t)(uintptr_t)pkt;
}

/* The queues share the limit: each busy one gets its part, never less than the minimum. */
static void
drr_queues_share_the_limit(void **state)
{
	struct shaper_drr d;
	uint32_t i, k, used, sum = 0;
	void *pkts[64];

	(void)state;
	memset(queues, 0, sizeof(queues));
	shaper_drr_init(&d, queues, TUNNELS, 1500, 64);
	/* Alone, a queue may take the whole limit. */
	for (i = 0; i < 64; i++)
		assert_int_equal(shaper_drr_enqueue(&d, 0, (void *)1, 100), 0);
	assert_int_equal(shaper_drr_enqueue(&d, 0, (void *)1, 100), -ENOBUFS);
	/* A second busy queue halves the share: queue 1 gets 32, queue 0 no more. */
	for (i = 0; i < 32; i++)
		assert_int_equal(shaper_drr_enqueue(&d, 1, (void *)1, 100), 0);
	assert_int_equal(shaper_drr_enqueue(&d, 1, (void *)1, 100), -ENOBUFS);
	assert_int_equal(shaper_drr_enqueue(&d, 0, (void *)1, 100), -ENOBUFS);
	/* With many busy queues, each still gets the minimum. */
	for (k = 2; k < TUNNELS; k++)
		for (i = 0; i < SHAPER_QUEUE_MIN; i++)
			assert_int_equal(shaper_drr_enqueue(&d, k, (void *)1, 100), 0);
	assert_int_equal(shaper_drr_enqueue(&d, TUNNELS - 1, (void *)1, 100), -ENOBUFS);
	assert_int_equal(queues[0].drops, 2);
	assert_int_equal(queues[1].drops, 1);
	assert_int_equal(queues[TUNNELS - 1].drops, 1);
	/* The totals follow enqueue and dequeue. */
	assert_int_equal(d.packets, 64 + 32 + (TUNNELS - 2) * SHAPER_QUEUE_MIN);
	assert_int_equal(shaper_drr_backlog(&d), (uint64_t)d.packets * 100);
	assert_int_equal(shaper_drr_dequeue(&d, 1000, pkts, NULL, 64, &used), 10);
	assert_int_equal(d.packets, 64 + 32 + (TUNNELS - 2) * SHAPER_QUEUE_MIN - 10);
	/* Flush hands every packet back once and leaves nothing. */
	assert_int_equal(shaper_drr_flush(&d, free_count, &sum), 64 + 32 + (TUNNELS - 2) * SHAPER_QUEUE_MIN - 10);
	assert_int_equal(sum, 64 + 32 + (TUNNELS - 2) * SHAPER_QUEUE_MIN - 10);
	assert_int_equal(shaper_drr_backlog(&d), 0);
	assert_int_equal(shaper_drr_dequeue(&d, 1u << 30, pkts, NULL, 64, &used), 0);
	assert_int_equal(shaper_drr_enqueue(&d, 5, (void *)1, 100), 0);
	assert_int_equal(shaper_drr_dequeue(&d, 1u << 30, pkts, NULL, 64, &used), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rate_held_every_second),
		cmocka_unit_test(idle_credit_is_capped_by_burst),
		cmocka_unit_test(partial_grants_and_refunds),
		cmocka_unit_test(rate_change_applies_at_once),
		cmocka_unit_test(concurrent_takers_keep_the_rate),
		cmocka_unit_test(drr_is_fair_between_equal_tunnels),
		cmocka_unit_test(drr_light_tunnel_gets_all_it_asks),
		cmocka_unit_test(drr_full_queue_and_small_budget),
		cmocka_unit_test(drr_queues_share_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
