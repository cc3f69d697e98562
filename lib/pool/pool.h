/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool: the client address pool, one for every tunnel protocol (IKEv2 now,
 * SSTP later), on the control core only. A bitmap over the prefix: the
 * network and broadcast addresses are never handed out. Allocation goes
 * round the pool from where it last stopped, so an address that was just
 * given back is the last to be reused (a reconnecting client's old packets
 * do not reach a new client).
 */
#ifndef P2SGW_POOL_H
#define P2SGW_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct pool;

/** A pool over addr/len (host order), 8 <= len <= 30. NULL on bad input or no memory. */
struct pool *pool_create(uint32_t addr, uint8_t len);
void pool_free(struct pool *p);

/** Take a free address: 0 and *addr, or -ENOSPC. */
int pool_take(struct pool *p, uint32_t *addr);
/** Take this address if it is in the pool and free: 0, -EBUSY or -ERANGE. */
int pool_take_addr(struct pool *p, uint32_t addr);
/** Give an address back: 0, or -ENOENT if it was not taken (nothing changes). */
int pool_give(struct pool *p, uint32_t addr);

bool pool_contains(const struct pool *p, uint32_t addr);
unsigned pool_in_use(const struct pool *p);
unsigned pool_capacity(const struct pool *p);

#endif
