/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the data plane's frame parser (l2l3_input): any bytes
 * on either port, with or without proxy ARP. The parser may rewrite the frame
 * into a reply but must never read or write past it, whatever it holds; and
 * whatever its fast path accepts, the full path must classify the same way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2l3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct conf_prefix pool = { .addr = 0xac10c900, .len = 24 };
	struct port p = {
		.mac = { { 0x02, 0, 0, 0, 0, 1 } },
		.addr = 0x0a010001,
		.mask = 0xffffff00,
		.next_hop = 0x0a0100fe,
	};
	struct l2l3_result res, fast;
	enum l2l3_verdict v, vf;
	uint8_t *frame;

	if (size < 1 || size > 9000)
		return 0;
	/* The first byte picks the port's role; the rest is the frame, in a buffer of its exact size. */
	p.proxy_arp_pool = data[0] & 1;
	p.outside = !(data[0] & 1);
	frame = malloc(size - 1 ? size - 1 : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 1, size - 1);
	if (l2l3_input_fast(&p, &pool, frame, size - 1, &fast, &vf)) {
		v = l2l3_input_full(&p, data[0] & 2 ? PORT_PRIVATE : PORT_PUBLIC, &pool, frame,
				    size - 1, &res);
		if (v != vf || res.learn || fast.learn ||
		    (v == L2L3_ESP && (res.spi != fast.spi || res.udp_encap != fast.udp_encap)))
			abort();
		memcpy(frame, data + 1, size - 1);
	}
	v = l2l3_input(&p, data[0] & 2 ? PORT_PRIVATE : PORT_PUBLIC, &pool, frame, size - 1, &res);
	if ((v == L2L3_TX || v == L2L3_TX_RESOLVE) && res.len > size - 1)
		abort();
	if (v == L2L3_DROP && res.drop >= PORT_DROP_COUNT)
		abort();
	free(frame);
	return 0;
}
