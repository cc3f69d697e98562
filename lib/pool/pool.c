/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A plain bitmap: DPDK's rte_bitmap is built for scanning set bits in the
 * fast path and has no "find a clear bit from here" operation, which is the
 * one thing this pool does; a /16 is 8 KiB of bits, the largest pool the
 * configuration allows (a /8) 2 MiB.
 */
#include <errno.h>
#include <stdlib.h>

#include "pool.h"

struct pool {
	uint32_t base;        /* network address */
	uint32_t size;        /* addresses in the prefix */
	uint32_t next;        /* offset to try first */
	uint32_t in_use;
	uint64_t bits[];      /* 1 = taken; offsets 0 and size - 1 are never free */
};

static bool
bit_get(const struct pool *p, uint32_t off)
{
	return (p->bits[off / 64] >> (off % 64)) & 1;
}

static void
bit_set(struct pool *p, uint32_t off, bool v)
{
	if (v)
		p->bits[off / 64] |= 1ull << (off % 64);
	else
		p->bits[off / 64] &= ~(1ull << (off % 64));
}

struct pool *
pool_create(uint32_t addr, uint8_t len)
{
	struct pool *p;
	uint32_t size;

	if (len < 8 || len > 30)
		return NULL;
	size = 1u << (32 - len);
	p = calloc(1, sizeof(*p) + (size + 63) / 64 * sizeof(uint64_t));
	if (p == NULL)
		return NULL;
	p->base = addr & ~(size - 1);
	p->size = size;
	p->next = 1;
	bit_set(p, 0, true);
	bit_set(p, size - 1, true);
	return p;
}

void
pool_free(struct pool *p)
{
	free(p);
}

int
pool_take(struct pool *p, uint32_t *addr)
{
	uint32_t i, off;

	for (i = 0; i < p->size; i++) {
		off = (p->next + i) % p->size;
		if (!bit_get(p, off)) {
			bit_set(p, off, true);
			p->in_use++;
			p->next = (off + 1) % p->size;
			*addr = p->base + off;
			return 0;
		}
	}
	return -ENOSPC;
}

bool
pool_contains(const struct pool *p, uint32_t addr)
{
	return addr - p->base > 0 && addr - p->base < p->size - 1;
}

int
pool_take_addr(struct pool *p, uint32_t addr)
{
	if (!pool_contains(p, addr))
		return -ERANGE;
	if (bit_get(p, addr - p->base))
		return -EBUSY;
	bit_set(p, addr - p->base, true);
	p->in_use++;
	return 0;
}

int
pool_give(struct pool *p, uint32_t addr)
{
	if (!pool_contains(p, addr) || !bit_get(p, addr - p->base))
		return -ENOENT;
	bit_set(p, addr - p->base, false);
	p->in_use--;
	return 0;
}

unsigned
pool_in_use(const struct pool *p)
{
	return p->in_use;
}

unsigned
pool_capacity(const struct pool *p)
{
	return p->size - 2;
}
