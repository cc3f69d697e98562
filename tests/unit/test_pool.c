/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/pool, the client address pool: what is handed out (never
 * the network or broadcast address), exhaustion, round-robin reuse (a freed
 * address is the last one taken again), taking a given address, giving back
 * what was not taken, and the prefix lengths accepted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pool.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void
test_prefix_lengths(void **state)
{
	static const uint8_t bad[] = { 0, 1, 7, 31, 32, 33, 255 };
	struct pool *p;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++)
		assert_null(pool_create(IP(10, 0, 0, 0), bad[i]));
	/* The configuration allows client_pool lengths 8..30. */
	p = pool_create(IP(10, 0, 0, 0), 8);
	assert_non_null(p);
	assert_int_equal(pool_capacity(p), (1u << 24) - 2);
	pool_free(p);
	p = pool_create(IP(10, 0, 0, 0), 16);
	assert_non_null(p);
	assert_int_equal(pool_capacity(p), 65534);
	assert_int_equal(pool_in_use(p), 0);
	pool_free(p);
	p = pool_create(IP(10, 0, 0, 0), 30);
	assert_non_null(p);
	assert_int_equal(pool_capacity(p), 2);
	pool_free(p);
	p = pool_create(IP(10, 0, 0, 0), 24);
	assert_int_equal(pool_capacity(p), 254);
	pool_free(p);
	pool_free(NULL);
}

/* Host bits in the address are ignored: the pool is the whole prefix. */
static void
test_take_and_give(void **state)
{
	struct pool *p = pool_create(IP(172, 16, 201, 77), 24);
	uint32_t a, b;

	(void)state;
	assert_non_null(p);
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(172, 16, 201, 1));
	assert_int_equal(pool_take(p, &b), 0);
	assert_int_equal(b, IP(172, 16, 201, 2));
	assert_int_equal(pool_in_use(p), 2);
	assert_int_equal(pool_give(p, a), 0);
	assert_int_equal(pool_in_use(p), 1);
	/* Twice: the second is -ENOENT and changes nothing. */
	assert_int_equal(pool_give(p, a), -ENOENT);
	assert_int_equal(pool_in_use(p), 1);
	assert_int_equal(pool_give(p, b), 0);
	assert_int_equal(pool_in_use(p), 0);
	pool_free(p);
}

static void
test_contains(void **state)
{
	struct pool *p = pool_create(IP(192, 168, 7, 0), 24);

	(void)state;
	assert_false(pool_contains(p, IP(192, 168, 7, 0)));
	assert_true(pool_contains(p, IP(192, 168, 7, 1)));
	assert_true(pool_contains(p, IP(192, 168, 7, 254)));
	assert_false(pool_contains(p, IP(192, 168, 7, 255)));
	assert_false(pool_contains(p, IP(192, 168, 6, 255)));
	assert_false(pool_contains(p, IP(192, 168, 8, 1)));
	assert_false(pool_contains(p, 0));
	assert_false(pool_contains(p, 0xffffffffu));
	pool_free(p);
}

/* Every address of a /24 once, in order, never .0 or .255; then -ENOSPC. */
static void
test_exhaust_24(void **state)
{
	struct pool *p = pool_create(IP(10, 9, 8, 0), 24);
	static uint8_t seen[256];
	uint32_t a = 0xdeadbeef;
	unsigned i;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 1; i <= 254; i++) {
		assert_int_equal(pool_take(p, &a), 0);
		assert_int_equal(a, IP(10, 9, 8, i));
		seen[a & 0xff]++;
	}
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[255], 0);
	assert_int_equal(pool_in_use(p), 254);
	a = 0xdeadbeef;
	assert_int_equal(pool_take(p, &a), -ENOSPC);
	assert_int_equal(a, 0xdeadbeef);
	assert_int_equal(pool_in_use(p), 254);
	/* One back, one out again: that one. */
	assert_int_equal(pool_give(p, IP(10, 9, 8, 100)), 0);
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(10, 9, 8, 100));
	assert_int_equal(pool_take(p, &a), -ENOSPC);
	pool_free(p);
}

/* A /30 has two usable addresses. */
static void
test_exhaust_30(void **state)
{
	struct pool *p = pool_create(IP(100, 64, 0, 4), 30);
	uint32_t a, b, c = 0;

	(void)state;
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(pool_take(p, &b), 0);
	assert_int_equal(a, IP(100, 64, 0, 5));
	assert_int_equal(b, IP(100, 64, 0, 6));
	assert_int_equal(pool_take(p, &c), -ENOSPC);
	assert_int_equal(c, 0);
	/* The network and broadcast addresses cannot be taken or given. */
	assert_int_equal(pool_take_addr(p, IP(100, 64, 0, 4)), -ERANGE);
	assert_int_equal(pool_take_addr(p, IP(100, 64, 0, 7)), -ERANGE);
	assert_int_equal(pool_give(p, IP(100, 64, 0, 4)), -ENOENT);
	assert_int_equal(pool_give(p, IP(100, 64, 0, 7)), -ENOENT);
	assert_int_equal(pool_in_use(p), 2);
	assert_int_equal(pool_give(p, b), 0);
	assert_int_equal(pool_take(p, &c), 0);
	assert_int_equal(c, b);
	pool_free(p);
}

/* A just-freed address is the last one handed out again. */
static void
test_round_robin(void **state)
{
	struct pool *p = pool_create(IP(10, 20, 30, 0), 24);
	uint32_t first, a;
	unsigned i;

	(void)state;
	assert_int_equal(pool_take(p, &first), 0);
	assert_int_equal(pool_give(p, first), 0);
	for (i = 0; i < pool_capacity(p) - 1; i++) {
		assert_int_equal(pool_take(p, &a), 0);
		assert_int_not_equal(a, first);
	}
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, first);
	assert_int_equal(pool_take(p, &a), -ENOSPC);

	/* The scan goes on from just after the last address taken (.1): .50
	 * before .60, whatever order they came back in. */
	assert_int_equal(pool_give(p, IP(10, 20, 30, 60)), 0);
	assert_int_equal(pool_give(p, IP(10, 20, 30, 50)), 0);
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(10, 20, 30, 50));
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(10, 20, 30, 60));
	pool_free(p);
}

/* The wrap-around skips the broadcast and network addresses. */
static void
test_wraps(void **state)
{
	struct pool *p = pool_create(IP(10, 0, 0, 0), 29);
	uint32_t a;
	unsigned i;

	(void)state;
	for (i = 0; i < 6; i++)
		assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 6));
	assert_int_equal(pool_give(p, IP(10, 0, 0, 1)), 0);
	assert_int_equal(pool_give(p, IP(10, 0, 0, 3)), 0);
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 1));
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 3));
	assert_int_equal(pool_take(p, &a), -ENOSPC);
	pool_free(p);
}

static void
test_take_addr(void **state)
{
	struct pool *p = pool_create(IP(172, 16, 0, 0), 24);
	uint32_t a;

	(void)state;
	assert_int_equal(pool_take_addr(p, IP(172, 16, 0, 2)), 0);
	assert_int_equal(pool_in_use(p), 1);
	assert_int_equal(pool_take_addr(p, IP(172, 16, 0, 2)), -EBUSY);
	assert_int_equal(pool_in_use(p), 1);
	assert_int_equal(pool_take_addr(p, IP(172, 16, 1, 2)), -ERANGE);
	assert_int_equal(pool_take_addr(p, IP(172, 15, 255, 254)), -ERANGE);
	assert_int_equal(pool_in_use(p), 1);
	/* pool_take() skips what pool_take_addr() took. */
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(172, 16, 0, 1));
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(a, IP(172, 16, 0, 3));
	assert_int_equal(pool_take_addr(p, IP(172, 16, 0, 3)), -EBUSY);
	assert_int_equal(pool_give(p, IP(172, 16, 0, 2)), 0);
	assert_int_equal(pool_take_addr(p, IP(172, 16, 0, 2)), 0);
	assert_int_equal(pool_in_use(p), 3);
	pool_free(p);
}

/* Giving back a free, a foreign or a reserved address changes nothing. */
static void
test_give_free(void **state)
{
	struct pool *p = pool_create(IP(10, 1, 1, 0), 30);
	uint32_t a, b;

	(void)state;
	assert_int_equal(pool_give(p, IP(10, 1, 1, 1)), -ENOENT);
	assert_int_equal(pool_give(p, IP(10, 1, 1, 0)), -ENOENT);
	assert_int_equal(pool_give(p, IP(10, 1, 1, 3)), -ENOENT);
	assert_int_equal(pool_give(p, IP(9, 9, 9, 9)), -ENOENT);
	assert_int_equal(pool_in_use(p), 0);
	/* Still exactly two addresses, the usable ones. */
	assert_int_equal(pool_take(p, &a), 0);
	assert_int_equal(pool_take(p, &b), 0);
	assert_int_equal(a, IP(10, 1, 1, 1));
	assert_int_equal(b, IP(10, 1, 1, 2));
	assert_int_equal(pool_take(p, &a), -ENOSPC);
	assert_int_equal(pool_in_use(p), 2);
	pool_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_lengths),
		cmocka_unit_test(test_take_and_give),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_exhaust_24),
		cmocka_unit_test(test_exhaust_30),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_wraps),
		cmocka_unit_test(test_take_addr),
		cmocka_unit_test(test_give_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
