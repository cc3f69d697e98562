/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Value parsers of the configuration: IPv4 addresses and prefixes, SHA-1
 * thumbprints as operators paste them, and the SKU table. They take text and
 * fill plain values; they know nothing of files or lines, so the CLI can use
 * them on its arguments too.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"

static const struct {
	const char *name;
	uint64_t rate_bps;
} skus[CONF_SKU_COUNT] = {
	[CONF_SKU_BASIC] = { "Basic", 100000000ull },
	[CONF_SKU_VPNGW1] = { "VpnGw1", 650000000ull },
	[CONF_SKU_VPNGW2] = { "VpnGw2", 1000000000ull },
	[CONF_SKU_VPNGW3] = { "VpnGw3", 1250000000ull },
	[CONF_SKU_VPNGW4] = { "VpnGw4", 5000000000ull },
	[CONF_SKU_VPNGW5] = { "VpnGw5", 10000000000ull },
};

const char *conf_sku_name(enum conf_sku sku)
{
	return (unsigned)sku < CONF_SKU_COUNT ? skus[sku].name : NULL;
}

uint64_t conf_sku_rate_bps(enum conf_sku sku)
{
	return (unsigned)sku < CONF_SKU_COUNT ? skus[sku].rate_bps : 0;
}

uint64_t conf_rate_bps(const struct conf *c)
{
	return c->rate_mbps ? (uint64_t)c->rate_mbps * 1000000u : conf_sku_rate_bps(c->sku);
}

int conf_sku_from_name(const char *name, enum conf_sku *sku)
{
	for (unsigned i = 0; name != NULL && i < CONF_SKU_COUNT; i++) {
		if (strcasecmp(name, skus[i].name) == 0) {
			*sku = (enum conf_sku)i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * A decimal number of 1..3 digits without leading zeros: inet_aton() would
 * read "010" as octal 8, which no operator means.
 */
static const char *parse_dec(const char *s, unsigned max, unsigned *v)
{
	unsigned x = 0, n = 0;

	while (isdigit((unsigned char)s[n]) && n < 3)
		x = x * 10 + (unsigned)(s[n++] - '0');
	if (n == 0 || isdigit((unsigned char)s[n]) || (n > 1 && s[0] == '0') || x > max)
		return NULL;
	*v = x;
	return s + n;
}

static const char *parse_quad(const char *s, uint32_t *addr)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned octet;

		if (i > 0 && *s++ != '.')
			return NULL;
		s = parse_dec(s, 255, &octet);
		if (s == NULL)
			return NULL;
		a = a << 8 | octet;
	}
	*addr = a;
	return s;
}

int conf_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t a;

	if (s == NULL)
		return -EINVAL;
	s = parse_quad(s, &a);
	if (s == NULL || *s != '\0')
		return -EINVAL;
	*addr = a;
	return 0;
}

uint32_t conf_mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - (len > 32 ? 32 : len));
}

/* "a.b.c.d/len" with the host bits kept: a port's own address and its subnet. */
int conf_parse_host_prefix(const char *s, uint32_t *addr, uint8_t *len)
{
	uint32_t a;
	unsigned l;

	if (s == NULL)
		return -EINVAL;
	s = parse_quad(s, &a);
	if (s == NULL || *s++ != '/')
		return -EINVAL;
	s = parse_dec(s, 32, &l);
	if (s == NULL || *s != '\0')
		return -EINVAL;
	*addr = a;
	*len = (uint8_t)l;
	return 0;
}

int conf_parse_prefix(const char *s, struct conf_prefix *p)
{
	uint32_t a;
	uint8_t l;

	if (conf_parse_host_prefix(s, &a, &l) < 0)
		return -EINVAL;
	p->addr = a & conf_mask(l);
	p->len = l;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Thumbprints are pasted from certmgr ("a1 b2 ..."), OpenSSL ("A1:B2:...") or
 * PowerShell ("A1B2..."). Windows' certificate dialog also prefixes an
 * invisible LEFT-TO-RIGHT MARK (U+200E) that operators cannot see, so it is
 * skipped too.
 */
int conf_parse_thumbprint(const char *s, uint8_t sha1[20])
{
	static const char lrm[] = "\xe2\x80\x8e";
	uint8_t out[20];
	unsigned digits = 0;

	if (s == NULL)
		return -EINVAL;
	while (*s != '\0') {
		int h;

		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		if (strncmp(s, lrm, sizeof(lrm) - 1) == 0) {
			s += sizeof(lrm) - 1;
			continue;
		}
		h = hex_value(*s++);
		if (h < 0 || digits >= 40)
			return -EINVAL;
		if (digits % 2 == 0)
			out[digits / 2] = (uint8_t)(h << 4);
		else
			out[digits / 2] |= (uint8_t)h;
		digits++;
	}
	if (digits != 40)
		return -EINVAL;
	memcpy(sha1, out, sizeof(out));
	return 0;
}

bool conf_prefix_overlap(const struct conf_prefix *a, const struct conf_prefix *b)
{
	const uint32_t m = conf_mask(a->len < b->len ? a->len : b->len);

	return ((a->addr ^ b->addr) & m) == 0;
}

void conf_format_ipv4(uint32_t addr, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		 addr & 0xff);
}

void conf_format_prefix(uint32_t addr, uint8_t len, char *buf, size_t size)
{
	char a[16];

	conf_format_ipv4(addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, len);
}
