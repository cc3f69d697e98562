/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/conf against the real library: every kind of bad input
 * gets its own test that pins the exact "FILE:LINE: FIELD" of the error and
 * checks that the output structure was not touched; then the shipped example
 * configuration, defaults, value parsers, JSON, copies, the SKU table, every
 * profile of drivers-cfg/ and devargs expansion.
 *
 * Test configurations are a fixed base text, one setting per line, with
 * single lines replaced, so each test knows the line its error must name.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "conf.h"

#define EXAMPLE TEST_SRCDIR "/../docs/p2sgw.conf.example"
#define PROFILES TEST_SRCDIR "/../drivers-cfg"
#define TP1 "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4"
#define TP2 "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Line numbers of the base configuration, named for the tests. */
enum {
	L_NAME = 1, L_PORTS, L_PUBLIC, L_PRIVATE, L_PORTS_END, L_POOL, L_VNET, L_DNS, L_SKU,
	L_PROTOCOLS, L_AUTH, L_ROOTS, L_REVOKED, L_RADIUS, L_LOG, L_END
};

static const char *const base_lines[L_END] = {
	[L_NAME] = "name = \"gw-test\";",
	[L_PORTS] = "ports = {",
	[L_PUBLIC] = "  public = { profile = \"af_packet\"; iface = \"gw-pub\"; "
		     "address = \"198.51.100.1/24\"; next_hop = \"198.51.100.254\"; mtu = 1500; };",
	[L_PRIVATE] = "  private = { profile = \"af_packet\"; iface = \"gw-priv\"; "
		      "address = \"10.1.0.1/24\"; };",
	[L_PORTS_END] = "};",
	[L_POOL] = "client_pool = \"172.16.201.0/24\";",
	[L_VNET] = "vnet = [ \"10.1.0.0/16\" ];",
	[L_DNS] = "dns = [ \"10.1.0.4\" ];",
	[L_SKU] = "sku = \"VpnGw1\";",
	[L_PROTOCOLS] = "protocols = [ \"ikev2\", \"sstp\" ];",
	[L_AUTH] = "auth = [ \"certificate\" ];",
	[L_ROOTS] = "trusted_roots = ( { name = \"P2SRootCert\"; data = \"MIIC\"; } );",
	[L_REVOKED] = "revoked = ( { name = \"laptop-42\"; thumbprint = \"" TP1 "\"; } );",
	[L_RADIUS] = "radius = ( { address = \"10.1.0.10\"; secret = \"s3cret\"; } );",
	[L_LOG] = "log = { level = \"info\"; };",
};

static char tmpdir[64];
static char text[1 << 16];

/* The base text with lines replaced: pairs of (line, text), ended by 0. */
static const char *conf_text(unsigned line, ...)
{
	const char *repl[L_END + 8] = { NULL };
	size_t used = 0;
	va_list ap;

	va_start(ap, line);
	for (; line != 0; line = va_arg(ap, unsigned))
		repl[line] = va_arg(ap, const char *);
	va_end(ap);
	for (unsigned i = 1; i < L_END + 8; i++) {
		const char *l = repl[i] != NULL ? repl[i] : i < L_END ? base_lines[i] : "";

		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\n", l);
	}
	assert_true(used < sizeof(text));
	return text;
}

#define BASE() conf_text(0)
#define EDIT(...) conf_text(__VA_ARGS__, 0)

/* Load must fail with rc, an error containing each of the needles, *out untouched. */
static void expect_fail_rc(const char *conf, int rc, const char *want, const char *want2)
{
	struct conf c, before;
	char err[CONF_ERR_MAX];
	int got;

	memset(&c, 0xa5, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	got = conf_load_string(conf, "t.conf", &c, err, sizeof(err));
	if (got != rc)
		fail_msg("rc %d, expected %d; error: %s", got, rc, err);
	if (strstr(err, want) == NULL || (want2 != NULL && strstr(err, want2) == NULL))
		fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", err, want, want2 ? want2 : "");
	assert_null(strchr(err, '\n'));
	assert_memory_equal(&c, &before, sizeof(c));
}

static void expect_fail(const char *conf, const char *want, const char *want2)
{
	expect_fail_rc(conf, -EINVAL, want, want2);
}

static void expect_ok(const char *conf, struct conf *c)
{
	char err[CONF_ERR_MAX];
	int rc = conf_load_string(conf, "t.conf", c, err, sizeof(err));

	if (rc != 0)
		fail_msg("rc %d: %s", rc, err);
}

static void write_file(const char *name, const char *content, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
}

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *const tmp_files[] = {
	"roots/p2sroot.cer", "server.pem", "server.key", "p2sgw.conf", "bad.conf", "nul.conf",
	"edit.conf",
	"profiles/good.conf", "profiles/bad.conf", "profiles/other.conf", NULL
};

static int setup(void **state)
{
	char sub[128];

	(void)state;
	strcpy(tmpdir, "/tmp/test_conf.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;

	snprintf(sub, sizeof(sub), "%s/roots", tmpdir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/profiles", tmpdir);
	mkdir(sub, 0700);
	write_file("roots/p2sroot.cer", "-----BEGIN CERTIFICATE-----\n", 28);
	write_file("server.pem", "pem\n", 4);
	write_file("server.key", "key\n", 4);
	return 0;
}

static int teardown(void **state)
{
	char path[256];

	(void)state;
	for (unsigned i = 0; tmp_files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, tmp_files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/roots", tmpdir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/profiles", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
	return 0;
}

/* ---- bad input: one test per kind ---- */

static void test_wrong_type(void **state)
{
	(void)state;
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"af_packet\"; address = \"198.51.100.1/24\"; "
			 "mtu = \"1500\"; };"),
		    "t.conf:3: ports.public.mtu: expected an integer, got a string", "576..9000");
	expect_fail(EDIT(L_VNET, "vnet = \"10.1.0.0/16\";"),
		    "t.conf:7: vnet: expected a list, got a string", NULL);
	expect_fail(EDIT(L_PORTS, "ports = 5;", L_PUBLIC, "", L_PRIVATE, "", L_PORTS_END, ""),
		    "t.conf:2: ports: expected a group { }, got an integer", "public, private");
	expect_fail(EDIT(L_SKU, "sku = 1;"), "t.conf:9: sku: expected a string, got an integer",
		    "VpnGw1");
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"s\"; "
			 "retries = 2.5; } );"),
		    "t.conf:14: radius[0].retries: expected an integer, got a float", NULL);
	expect_fail(EDIT(L_LOG, "log = { level = true; };"),
		    "t.conf:15: log.level: expected a string, got a boolean", NULL);
	expect_fail(EDIT(L_PROTOCOLS, "protocols = [ 1 ];"),
		    "t.conf:10: protocols[0]: expected a string, got an integer", "ikev2, sstp");
}

static void test_out_of_range(void **state)
{
	(void)state;
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"af_packet\"; address = \"198.51.100.1/24\"; "
			 "mtu = 9001; };"),
		    "t.conf:3: ports.public.mtu: 9001 is out of range; allowed: 576..9000", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"a\"; },",
			 L_LOG, "  { address = \"10.1.0.11\"; secret = \"b\"; timeout_ms = 50; } );"),
		    "t.conf:15: radius[1].timeout_ms: 50 is out of range; allowed: 100..60000", NULL);
	expect_fail(EDIT(L_LOG, "dataplane = { neigh_max = 15; };"),
		    "t.conf:15: dataplane.neigh_max: 15 is out of range; allowed: 16..65536", NULL);
	expect_fail(EDIT(L_LOG, "dataplane = { neigh_timeout_s = 86401; };"),
		    "t.conf:15: dataplane.neigh_timeout_s: 86401 is out of range", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"s\"; "
			 "priority = 0; } );"),
		    "t.conf:14: radius[0].priority: 0 is out of range; allowed: 1..255", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"s\"; "
			 "auth_port = 65536; } );"),
		    "t.conf:14: radius[0].auth_port: 65536 is out of range", NULL);
	/* A 64-bit literal cannot sneak past a 32-bit field either. */
	expect_fail(EDIT(L_LOG, "dataplane = { neigh_max = 4294968320L; };"),
		    "t.conf:15: dataplane.neigh_max: 4294968320 is out of range", NULL);
}

/* libconfig 1.5 would read 4294968796 as 1500; the pre-scan refuses it. */
static void test_integer_wrap(void **state)
{
	(void)state;
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"af_packet\"; address = \"198.51.100.1/24\"; "
			 "mtu = 4294968796; };"),
		    "t.conf:3: integer 4294968796 does not fit in 32 bits", NULL);
	expect_fail(EDIT(L_LOG, "dataplane = { neigh_max = 0x100000400; };"),
		    "t.conf:15: integer 0x100000400 does not fit in 32 bits", NULL);
	expect_fail(EDIT(L_LOG, "dataplane = { neigh_max = 99999999999999999999L; };"),
		    "t.conf:15: integer 99999999999999999999 does not fit in 64 bits", NULL);
	/* Digits inside strings, names and floats are not integers. */
	expect_fail(EDIT(L_LOG, "dataplane = { neigh_max = 99999999999.0; };"),
		    "t.conf:15: dataplane.neigh_max: expected an integer, got a float", NULL);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"af_packet\"; address = \"198.51.100.1/24\"; "
			 "foo = 1; };"),
		    "t.conf:3: ports.public.foo: unknown field 'foo' in ports.public; "
		    "allowed: profile, iface, pci, address, next_hop, mtu", NULL);
	expect_fail(EDIT(L_LOG, "foo = 1;"), "t.conf:15: foo: unknown field 'foo' at top level",
		    "allowed: name, ports, client_pool");
	expect_fail(EDIT(L_PORTS_END, "  dmz = { }; };"),
		    "t.conf:5: ports.dmz: unknown field 'dmz' in ports; allowed: public, private", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"s\"; port = 1; } );"),
		    "t.conf:14: radius[0].port: unknown field 'port' in radius[0]", "auth_port");
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; data = \"x\"; pem = \"y\"; } );"),
		    "t.conf:12: trusted_roots[0].pem: unknown field 'pem' in trusted_roots[0]", NULL);
	expect_fail(EDIT(L_LOG, "log = { level = \"info\"; file = \"/x\"; };"),
		    "t.conf:15: log.file: unknown field 'file' in log; allowed: level", NULL);
	expect_fail(EDIT(L_LOG, "dataplane = { workers = 4; };"),
		    "t.conf:15: dataplane.workers: unknown field", "neigh_timeout_s");
	expect_fail(EDIT(L_LOG, "server_certificate = { cert = \"a\"; chain = \"b\"; };"),
		    "t.conf:15: server_certificate.chain: unknown field", "cert, key");
}

static void test_missing_required(void **state)
{
	(void)state;
	expect_fail(EDIT(L_POOL, ""), "t.conf:1: client_pool: required field is missing", NULL);
	expect_fail(EDIT(L_SKU, ""), "t.conf:1: sku: required field is missing", "VpnGw1");
	expect_fail(EDIT(L_VNET, ""), "t.conf:1: vnet: required field is missing", NULL);
	expect_fail(EDIT(L_PROTOCOLS, ""), "t.conf:1: protocols: required field is missing", NULL);
	expect_fail(EDIT(L_AUTH, ""), "t.conf:1: auth: required field is missing", NULL);
	expect_fail(EDIT(L_PORTS, "", L_PUBLIC, "", L_PRIVATE, "", L_PORTS_END, ""),
		    "t.conf:1: ports: required field is missing", NULL);
	expect_fail(EDIT(L_PRIVATE, ""), "t.conf:2: ports.private: required field is missing",
		    NULL);
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"af_packet\"; iface = \"gw-pub\"; };"),
		    "t.conf:3: ports.public.address: required field is missing", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { address = \"10.1.0.1/24\"; };"),
		    "t.conf:4: ports.private.profile: required field is missing", "af_packet");
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; } );"),
		    "t.conf:14: radius[0].secret: required field is missing", NULL);
	expect_fail(EDIT(L_REVOKED, "revoked = ( { name = \"x\"; } );"),
		    "t.conf:13: revoked[0].thumbprint: required field is missing", NULL);
	expect_fail(EDIT(L_LOG, "server_certificate = { cert = \"/etc/hostname\"; };"),
		    "t.conf:15: server_certificate.key: required field is missing", NULL);
	/* Empty lists count as missing entries. */
	expect_fail(EDIT(L_PROTOCOLS, "protocols = [ ];"),
		    "t.conf:10: protocols: 0 entries; allowed: 1..2 entries of ikev2, sstp", NULL);
	expect_fail(EDIT(L_VNET, "vnet = [ ];"), "t.conf:7: vnet: 0 entries; allowed: 1..32", NULL);
}

static void test_malformed_address(void **state)
{
	(void)state;
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"p\"; address = \"198.51.100.1\"; };"),
		    "t.conf:3: ports.public.address: expected the port's address and subnet length",
		    "\"198.51.100.1\"");
	expect_fail(EDIT(L_POOL, "client_pool = \"10.0.0.0/33\";"),
		    "t.conf:6: client_pool: expected an IPv4 prefix a.b.c.d/len with len 8..30, "
		    "got \"10.0.0.0/33\"", NULL);
	expect_fail(EDIT(L_POOL, "client_pool = \"172.16.0.0/7\";"),
		    "t.conf:6: client_pool: expected an IPv4 prefix", "len 8..30");
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.1.0.0/16\", \"256.0.0.0/8\" ];"),
		    "t.conf:7: vnet[1]: expected an IPv4 prefix", "\"256.0.0.0/8\"");
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.01.0.0/16\" ];"),
		    "t.conf:7: vnet[0]: expected an IPv4 prefix", NULL);
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.1.0.1/16\" ];"),
		    "t.conf:7: vnet[0]: 10.1.0.1/16 has host bits set; allowed: the network "
		    "address, e.g. 10.1.0.0/16", NULL);
	expect_fail(EDIT(L_DNS, "dns = [ \"10.1.0.x\" ];"),
		    "t.conf:8: dns[0]: expected an IPv4 address a.b.c.d", NULL);
	expect_fail(EDIT(L_DNS, "dns = [ \"224.0.0.1\" ];"),
		    "t.conf:8: dns[0]: 224.0.0.1 is not a unicast address", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10 \"; secret = \"s\"; } );"),
		    "t.conf:14: radius[0].address: expected an IPv4 address", NULL);
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"p\"; address = \"198.51.100.0/24\"; };"),
		    "t.conf:3: ports.public.address: 198.51.100.0/24 is the subnet's network address",
		    NULL);
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"p\"; address = \"198.51.100.255/24\"; };"),
		    "t.conf:3: ports.public.address: 198.51.100.255/24 is the subnet's broadcast", NULL);
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"p\"; address = \"198.51.100.1/24\"; "
			 "next_hop = \"198.51.101.1\"; };"),
		    "t.conf:3: ports.public.next_hop: 198.51.101.1 cannot be the next hop; allowed: "
		    "a host address in 198.51.100.0/24 other than the port's own", NULL);
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"p\"; address = \"198.51.100.1/24\"; "
			 "next_hop = \"198.51.100.1\"; };"),
		    "t.conf:3: ports.public.next_hop: 198.51.100.1 cannot be the next hop", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"p\"; address = \"10.1.0.1/24\"; "
			 "pci = \"0000:3b:00.8\"; };"),
		    "t.conf:4: ports.private.pci: \"0000:3b:00.8\" is not valid", "DDDD:BB:DD.F");
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"p\"; address = \"10.1.0.1/24\"; "
			 "iface = \"a,b=c\"; };"),
		    "t.conf:4: ports.private.iface: \"a,b=c\" is not valid", NULL);
}

static void test_pool_overlaps_vnet(void **state)
{
	(void)state;
	expect_fail(EDIT(L_POOL, "client_pool = \"10.1.5.0/24\";"),
		    "t.conf:6: client_pool: 10.1.5.0/24 overlaps vnet[0] 10.1.0.0/16; allowed: a "
		    "prefix outside every VNet prefix and both port subnets", NULL);
	expect_fail(EDIT(L_POOL, "client_pool = \"10.0.0.0/8\";", L_VNET,
			 "vnet = [ \"192.168.0.0/16\", \"10.200.0.0/16\" ];"),
		    "t.conf:6: client_pool: 10.0.0.0/8 overlaps vnet[1] 10.200.0.0/16", NULL);
}

static void test_pool_overlaps_port(void **state)
{
	(void)state;
	expect_fail(EDIT(L_POOL, "client_pool = \"198.51.100.128/25\";"),
		    "t.conf:6: client_pool: 198.51.100.128/25 overlaps the subnet of ports.public "
		    "198.51.100.0/24", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"p\"; address = \"192.168.50.1/24\"; };",
			 L_POOL, "client_pool = \"192.168.50.128/25\";"),
		    "t.conf:6: client_pool: 192.168.50.128/25 overlaps the subnet of ports.private",
		    NULL);
	expect_fail(EDIT(L_POOL, "client_pool = \"198.51.100.0/24\";"),
		    "t.conf:6: client_pool: 198.51.100.0/24 duplicates the subnet of ports.public",
		    NULL);
}

static void test_vnet_overlaps(void **state)
{
	(void)state;
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.1.0.0/16\",", L_DNS, "  \"10.1.0.0/16\" ];"),
		    "t.conf:8: vnet[1]: 10.1.0.0/16 duplicates vnet[0]; allowed: prefixes that do "
		    "not overlap each other", NULL);
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.1.0.0/16\", \"10.1.2.0/24\" ];"),
		    "t.conf:7: vnet[1]: 10.1.2.0/24 overlaps vnet[0] 10.1.0.0/16", NULL);
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.1.0.0/16\", \"198.51.0.0/16\" ];"),
		    "t.conf:7: vnet[1]: 198.51.0.0/16 overlaps the subnet of ports.public", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"p\"; iface = \"gw-pub\"; "
			 "address = \"10.1.0.1/24\"; };"),
		    "t.conf:4: ports.private.iface: the same device as ports.public.iface", NULL);
	expect_fail(EDIT(L_PUBLIC, "  public = { profile = \"p\"; pci = \"3b:00.0\"; address = "
			 "\"198.51.100.1/24\"; };", L_PRIVATE, "  private = { profile = \"p\"; "
			 "pci = \"0000:3B:00.0\"; address = \"10.1.0.1/24\"; };"),
		    "t.conf:4: ports.private.pci: the same device as ports.public.pci", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"p\"; address = \"198.51.100.7/28\"; };"),
		    "t.conf:4: ports.private.address: 198.51.100.0/28 overlaps the subnet of "
		    "ports.public 198.51.100.0/24", NULL);
}

static void test_too_many_roots(void **state)
{
	char roots[4096];
	size_t used = 0;

	(void)state;
	used += (size_t)snprintf(roots, sizeof(roots), "trusted_roots = (");
	for (int i = 0; i < 21; i++)
		used += (size_t)snprintf(roots + used, sizeof(roots) - used,
					 "%s { name = \"r%d\"; data = \"MIIC\"; }", i ? "," : "", i);
	snprintf(roots + used, sizeof(roots) - used, " );");
	expect_fail(EDIT(L_ROOTS, roots), "t.conf:12: trusted_roots: 21 entries; allowed: 0..20",
		    NULL);
}

static void test_bad_roots(void **state)
{
	(void)state;
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; data = \"x\"; file = \"y\"; } );"),
		    "t.conf:12: trusted_roots[0]: has both file and data; allowed: exactly one of "
		    "file, data", NULL);
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; } );"),
		    "t.conf:12: trusted_roots[0]: has neither file nor data", NULL);
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; data = \"x\"; }, "
			 "{ name = \"a\"; data = \"y\"; } );"),
		    "t.conf:12: trusted_roots[1].name: \"a\" is also the name of trusted_roots[0]",
		    NULL);
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; file = \"/nonexistent/r.cer\"; } );"),
		    "t.conf:12: trusted_roots[0].file: cannot read /nonexistent/r.cer: No such file",
		    NULL);
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; file = \"/tmp\"; } );"),
		    "t.conf:12: trusted_roots[0].file: cannot read /tmp: not a regular file", NULL);
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a b\"; data = \"x\"; } );"),
		    "t.conf:12: trusted_roots[0].name: \"a b\" is not a valid name", NULL);
	expect_fail(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; data = \"\"; } );"),
		    "t.conf:12: trusted_roots[0].data: 0 characters; allowed: 1..65536", NULL);
}

static void test_bad_thumbprint(void **state)
{
	(void)state;
	expect_fail(EDIT(L_REVOKED, "revoked = ( { name = \"x\"; thumbprint = \"a1b2\"; } );"),
		    "t.conf:13: revoked[0].thumbprint: \"a1b2\" is not a SHA-1 thumbprint; allowed: "
		    "40 hex digits", NULL);
	expect_fail(EDIT(L_REVOKED, "revoked = ( { name = \"x\"; thumbprint = "
			 "\"g1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4\"; } );"),
		    "t.conf:13: revoked[0].thumbprint: ", "is not a SHA-1 thumbprint");
	expect_fail(EDIT(L_REVOKED, "revoked = ( { name = \"x\"; thumbprint = \"" TP1 "00\"; } );"),
		    "t.conf:13: revoked[0].thumbprint: ", "is not a SHA-1 thumbprint");
	expect_fail(EDIT(L_REVOKED, "revoked = ( { name = \"x\"; thumbprint = 42; } );"),
		    "t.conf:13: revoked[0].thumbprint: expected a string, got an integer", NULL);
}

static void test_duplicate_thumbprint(void **state)
{
	(void)state;
	expect_fail(EDIT(L_REVOKED, "revoked = ( { name = \"a\"; thumbprint = \"" TP1 "\"; },",
			 L_RADIUS, "  { name = \"b\"; thumbprint = \"A1:B2:C3:D4:E5:F6:07:18:29:3A:"
			 "4B:5C:6D:7E:8F:90:A1:B2:C3:D4\"; } );"),
		    "t.conf:14: revoked[1].thumbprint: duplicate thumbprint, already revoked[0] (a)",
		    NULL);
}

static void test_basic_ikev2(void **state)
{
	(void)state;
	expect_fail(EDIT(L_SKU, "sku = \"Basic\";"),
		    "t.conf:9: sku: Basic supports neither IKEv2 nor RADIUS; use VpnGw1 or higher",
		    NULL);
}

static void test_basic_radius(void **state)
{
	(void)state;
	expect_fail(EDIT(L_SKU, "sku = \"basic\";", L_PROTOCOLS, "protocols = [ \"sstp\" ];",
			 L_AUTH, "auth = [ \"certificate\", \"radius\" ];"),
		    "t.conf:9: sku: Basic supports neither IKEv2 nor RADIUS; use VpnGw1 or higher",
		    NULL);
}

static void test_radius_without_servers(void **state)
{
	(void)state;
	expect_fail(EDIT(L_AUTH, "auth = [ \"radius\" ];", L_RADIUS, ""),
		    "t.conf:11: radius: auth includes \"radius\" but no RADIUS server is configured",
		    "allowed: 1..8 servers");
	expect_fail(EDIT(L_AUTH, "auth = [ \"radius\" ];", L_RADIUS, "radius = ( );"),
		    "t.conf:11: radius: auth includes \"radius\"", NULL);
}

static void test_bad_lists(void **state)
{
	(void)state;
	expect_fail(EDIT(L_PROTOCOLS, "protocols = [ \"ikev2\", \"IKEv2\" ];"),
		    "t.conf:10: protocols[1]: \"ikev2\" is listed twice; allowed: each of ikev2, "
		    "sstp once", NULL);
	expect_fail(EDIT(L_PROTOCOLS, "protocols = [ \"l2tp\" ];"),
		    "t.conf:10: protocols[0]: unknown value \"l2tp\"; allowed: ikev2, sstp", NULL);
	expect_fail(EDIT(L_AUTH, "auth = [ \"aad\" ];"),
		    "t.conf:11: auth[0]: unknown value \"aad\"; allowed: certificate, radius", NULL);
	expect_fail(EDIT(L_SKU, "sku = \"VpnGw9\";"),
		    "t.conf:9: sku: unknown SKU \"VpnGw9\"; allowed: Basic, VpnGw1", NULL);
	expect_fail(EDIT(L_DNS, "dns = [ \"10.1.0.4\", \"10.1.0.4\" ];"),
		    "t.conf:8: dns[1]: 10.1.0.4 is listed twice", NULL);
	expect_fail(EDIT(L_LOG, "log = { level = \"verbose\"; };"),
		    "t.conf:15: log.level: unknown level \"verbose\"; allowed: error, warning, "
		    "notice, info, debug", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"a\"; }, "
			 "{ address = \"10.1.0.10\"; secret = \"b\"; } );"),
		    "t.conf:14: radius[1]: same address and auth_port as radius[0]", NULL);
}

static void test_string_limits(void **state)
{
	char line[512], secret[129];

	(void)state;
	memset(secret, 'x', 128);
	secret[128] = '\0';
	snprintf(line, sizeof(line), "radius = ( { address = \"10.1.0.10\"; secret = \"%s\"; } );",
		 secret);
	expect_fail(EDIT(L_RADIUS, line),
		    "t.conf:14: radius[0].secret: too long (128 characters); allowed: at most 127 "
		    "characters", NULL);
	expect_fail(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"\"; } );"),
		    "t.conf:14: radius[0].secret: empty secret; allowed: 1..127 characters", NULL);
	snprintf(line, sizeof(line), "name = \"%.64s\";", secret);
	expect_fail(EDIT(L_NAME, line),
		    "t.conf:1: name: too long (64 characters); allowed: at most 63 characters", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"p\"; address = \"10.1.0.1/24\"; "
			 "iface = \"a-very-long-ifname\"; };"),
		    "t.conf:4: ports.private.iface: \"a-very-long-ifname\" is not valid; allowed: a "
		    "Linux interface name of 1..15 characters", NULL);
	expect_fail(EDIT(L_PRIVATE, "  private = { profile = \"../x\"; address = \"10.1.0.1/24\"; };"),
		    "t.conf:4: ports.private.profile: \"../x\" is not a valid name", NULL);
	expect_fail(EDIT(L_LOG, "cli = { socket = \"run/p2sgw.sock\"; };"),
		    "t.conf:15: cli.socket: cannot bind a unix socket there; allowed: an absolute "
		    "path of at most 107 characters", NULL);
	expect_fail(EDIT(L_LOG, "dataplane = { profile_dir = \"/nonexistent\"; };"),
		    "t.conf:15: dataplane.profile_dir: /nonexistent is not a folder", NULL);
}

static void test_missing_file(void **state)
{
	struct conf c, before;
	char err[CONF_ERR_MAX];

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	before = c;
	assert_int_equal(conf_load("/nonexistent/p2sgw.conf", &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/p2sgw.conf: cannot open: No such file"));
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(conf_load("/tmp", &c, err, sizeof(err)), -EISDIR);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_syntax_error(void **state)
{
	(void)state;
	/* libconfig's own line: where the parser noticed the missing "];". */
	expect_fail(EDIT(L_VNET, "vnet = [ \"10.1.0.0/16\""),
		    "t.conf:8: syntax error: syntax error", NULL);
	expect_fail(EDIT(L_SKU, "sku = \"VpnGw1\"; sku = \"VpnGw2\";"),
		    "t.conf:9: syntax error: duplicate setting name", NULL);
	expect_fail(EDIT(L_LOG, "@include \"/etc/passwd\""),
		    "t.conf:15: @include is not supported", NULL);
}

/* The file name and line reach the error through conf_load() too; NUL bytes are refused. */
static void test_file_errors(void **state)
{
	char path[128], err[CONF_ERR_MAX], want[200];
	const char *bad = EDIT(L_LOG, "log = { level = 3; };");
	struct conf c;

	(void)state;
	write_file("bad.conf", bad, strlen(bad));
	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:15: log.level: expected a string", path);
	assert_non_null(strstr(err, want));

	write_file("nul.conf", "name = \"a\";\n\0x", 14);
	snprintf(path, sizeof(path), "%s/nul.conf", tmpdir);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: NUL byte", path);
	assert_non_null(strstr(err, want));
}

/* ---- good input ---- */

static void check_example(const struct conf *c)
{
	char want[256];

	assert_string_equal(c->name, "p2sgw-demo");
	assert_string_equal(c->pub.profile, "af_packet");
	assert_string_equal(c->pub.iface, "gw-pub");
	assert_int_equal(c->pub.addr, 0xc6336401);
	assert_int_equal(c->pub.prefix_len, 24);
	assert_int_equal(c->pub.next_hop, 0xc63364fe);
	assert_int_equal(c->priv.next_hop, 0);
	assert_int_equal(c->pool.addr, 0xac10c900);
	assert_int_equal(c->n_vnet, 2);
	assert_int_equal(c->n_dns, 2);
	assert_int_equal(c->sku, CONF_SKU_VPNGW1);
	assert_int_equal(c->protocols, CONF_PROTO_IKEV2 | CONF_PROTO_SSTP);
	assert_int_equal(c->auth, CONF_AUTH_CERT | CONF_AUTH_RADIUS);
	assert_int_equal(c->n_roots, 2);
	snprintf(want, sizeof(want), "%s/roots/p2sroot.cer", tmpdir);
	assert_string_equal(c->roots[0].file, want);
	assert_null(c->roots[0].data);
	assert_non_null(c->roots[1].data);
	assert_string_equal(c->roots[1].file, "");
	snprintf(want, sizeof(want), "%s/server.key", tmpdir);
	assert_string_equal(c->server_key, want);
	assert_int_equal(c->n_revoked, 2);
	assert_int_equal(c->revoked[1].sha1[0], 0x0f);
	assert_int_equal(c->n_radius, 2);
	assert_int_equal(c->radius[1].priority, 2);
	assert_int_equal(c->radius[1].timeout_ms, 3000);
	assert_int_equal(c->log_level, RTE_LOG_INFO);
}

static void test_example(void **state)
{
	char *example = read_whole(EXAMPLE), name[128], err[CONF_ERR_MAX];
	struct conf c;
	int rc;

	(void)state;
	/* As text named after a file in the scratch folder, so relative paths land there. */
	snprintf(name, sizeof(name), "%s/p2sgw.conf", tmpdir);
	rc = conf_load_string(example, name, &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("example: %s", err);
	check_example(&c);
	conf_free(&c);

	/* And as a file, the way the daemon reads it. */
	write_file("p2sgw.conf", example, strlen(example));
	rc = conf_load(name, &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("example file: %s", err);
	check_example(&c);
	assert_string_equal(c.path, name);
	conf_free(&c);
	free(example);
}

static void test_defaults(void **state)
{
	struct conf c;

	(void)state;
	expect_ok(EDIT(L_NAME, "", L_PUBLIC, "  public = { profile = \"null\"; "
		       "address = \"198.51.100.1/24\"; };", L_DNS, "", L_ROOTS, "", L_REVOKED, "",
		       L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"s\"; } );",
		       L_LOG, ""), &c);
	assert_string_equal(c.name, "p2sgw");
	assert_int_equal(c.pub.mtu, 1500);
	assert_int_equal(c.priv.mtu, 1500);
	assert_int_equal(c.pub.next_hop, 0);
	assert_string_equal(c.pub.iface, "");
	assert_string_equal(c.pub.pci, "");
	assert_int_equal(c.n_dns, 0);
	assert_int_equal(c.n_roots, 0);
	assert_int_equal(c.n_revoked, 0);
	assert_null(c.revoked);
	assert_string_equal(c.server_cert, "");
	assert_string_equal(c.cli_socket, "/run/p2sgw/p2sgw.sock");
	assert_string_equal(c.cli_group, "");
	assert_int_equal(c.log_level, RTE_LOG_INFO);
	assert_string_equal(c.profile_dir, "");
	assert_int_equal(c.idle_sleep_us, 0);
	assert_int_equal(c.neigh_max, 1024);
	assert_int_equal(c.neigh_timeout_s, 300);
	assert_int_equal(c.radius[0].auth_port, 1812);
	assert_int_equal(c.radius[0].acct_port, 1813);
	assert_int_equal(c.radius[0].priority, 1);
	assert_int_equal(c.radius[0].timeout_ms, 3000);
	assert_int_equal(c.radius[0].retries, 3);
	conf_free(&c);
}

/* Relative paths of a string load start at the current directory. */
static void test_relative_paths(void **state)
{
	char cwd[256], want[300];
	struct conf c;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	expect_ok(EDIT(L_ROOTS, "trusted_roots = ( { name = \"a\"; file = \"roots/p2sroot.cer\"; } );",
		       L_LOG, "dataplane = { profile_dir = \".\"; };"), &c);
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof(want), "%s/roots/p2sroot.cer", tmpdir);
	assert_string_equal(c.roots[0].file, want);
	snprintf(want, sizeof(want), "%s/.", tmpdir);
	assert_string_equal(c.profile_dir, want);
	conf_free(&c);
}

static void test_thumbprint_forms(void **state)
{
	static const uint8_t want[20] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a,
					  0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4 };
	static const char *const good[] = {
		TP1,
		"A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4",
		"A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4",
		"a1 b2 c3 d4 e5 f6 07 18 29 3a 4b 5c 6d 7e 8f 90 a1 b2 c3 d4",
		"A1b2 C3d4:e5F6 0718 293a 4B5C 6d7E 8F90 a1B2 c3D4",
		/* Windows' certificate dialog copies an invisible U+200E in front. */
		("\xe2\x80\x8e" "a1 b2 c3 d4 e5 f6 07 18 29 3a 4b 5c 6d 7e 8f 90 a1 b2 c3 d4"),
	};
	static const char *const bad[] = {
		"", "a1b2", (TP1 "0"), (TP1 "00"), "g1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4",
		"a1-b2-c3-d4-e5-f6-07-18-29-3a-4b-5c-6d-7e-8f-90-a1-b2-c3-d4", ("0x" TP1),
	};
	uint8_t sha1[20];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(sha1, 0, sizeof(sha1));
		assert_int_equal(conf_parse_thumbprint(good[i], sha1), 0);
		assert_memory_equal(sha1, want, sizeof(want));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(sha1, 0x77, sizeof(sha1));
		assert_int_equal(conf_parse_thumbprint(bad[i], sha1), -EINVAL);
		assert_int_equal(sha1[0], 0x77);
	}
}

static void test_parse_values(void **state)
{
	struct conf_prefix p, q;
	uint32_t a;

	(void)state;
	assert_int_equal(conf_parse_ipv4("10.1.0.4", &a), 0);
	assert_int_equal(a, 0x0a010004);
	assert_int_equal(conf_parse_ipv4("255.255.255.255", &a), 0);
	assert_int_equal(conf_parse_ipv4("256.0.0.1", &a), -EINVAL);
	assert_int_equal(conf_parse_ipv4("1.2.3", &a), -EINVAL);
	assert_int_equal(conf_parse_ipv4("1.2.3.4.5", &a), -EINVAL);
	assert_int_equal(conf_parse_ipv4("01.2.3.4", &a), -EINVAL);
	assert_int_equal(conf_parse_ipv4(" 1.2.3.4", &a), -EINVAL);
	assert_int_equal(conf_parse_ipv4("1.2.3.4 ", &a), -EINVAL);
	assert_int_equal(conf_parse_ipv4("1..3.4", &a), -EINVAL);
	assert_int_equal(conf_parse_prefix("10.1.2.3/16", &p), 0);
	assert_int_equal(p.addr, 0x0a010000);
	assert_int_equal(p.len, 16);
	assert_int_equal(conf_parse_prefix("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(conf_parse_prefix("10.0.0.0/33", &p), -EINVAL);
	assert_int_equal(conf_parse_prefix("10.0.0.0/", &p), -EINVAL);
	assert_int_equal(conf_parse_prefix("10.0.0.0/08", &p), -EINVAL);
	assert_int_equal(conf_parse_prefix("10.0.0.0", &p), -EINVAL);
	conf_parse_prefix("10.1.0.0/16", &p);
	conf_parse_prefix("10.1.200.0/24", &q);
	assert_true(conf_prefix_overlap(&p, &q));
	assert_true(conf_prefix_overlap(&q, &p));
	conf_parse_prefix("10.2.0.0/16", &q);
	assert_false(conf_prefix_overlap(&p, &q));
	conf_parse_prefix("0.0.0.0/0", &q);
	assert_true(conf_prefix_overlap(&p, &q));
	conf_parse_prefix("10.1.255.255/32", &q);
	assert_true(conf_prefix_overlap(&p, &q));
}

static void test_ikev2(void **state)
{
	struct conf c;

	(void)state;
	/* Defaults. */
	expect_ok(EDIT(0), &c);
	assert_int_equal(c.ikev2.proposals, CONF_IKE_ALL);
	assert_int_equal(c.ikev2.liveness_s, 30);
	assert_int_equal(c.ikev2.liveness_retries, 5);
	assert_int_equal(c.ikev2.ike_lifetime_s, 28800);
	assert_int_equal(c.ikev2.child_lifetime_s, 27000);
	assert_int_equal(c.ikev2.cookie_threshold, 64);
	assert_int_equal(c.ikev2.half_open_max, 1024);
	assert_int_equal(c.ikev2.fragment_size, 1280);
	conf_free(&c);
	/* Every field set. */
	expect_ok(EDIT(L_LOG, "ikev2 = { proposals = \"Windows\"; liveness_s = 0; liveness_retries = 2; "
			      "ike_lifetime_s = 3600; child_lifetime_s = 600; "
			      "child_lifetime_bytes = 1000000000000L; cookie_threshold = 0; "
			      "half_open_max = 16; fragment_size = 576; };"),
		  &c);
	assert_int_equal(c.ikev2.proposals, CONF_IKE_WINDOWS);
	assert_int_equal(c.ikev2.liveness_s, 0);
	assert_int_equal(c.ikev2.liveness_retries, 2);
	assert_int_equal(c.ikev2.child_lifetime_s, 600);
	assert_true(c.ikev2.child_lifetime_bytes == 1000000000000ull);
	assert_int_equal(c.ikev2.cookie_threshold, 0);
	assert_int_equal(c.ikev2.fragment_size, 576);
	conf_free(&c);
	/* Refused, one line naming the field and what is allowed. */
	expect_fail(EDIT(L_LOG, "ikev2 = { proposals = \"openbsd\"; };"),
		    "t.conf:15: ikev2.proposals: unknown set \"openbsd\"",
		    "allowed: windows, cloud, macos, strongswan, all");
	expect_fail(EDIT(L_LOG, "ikev2 = { proposals = 3; };"),
		    "t.conf:15: ikev2.proposals: expected a string", NULL);
	expect_fail(EDIT(L_LOG, "ikev2 = { liveness_s = 3601; };"),
		    "t.conf:15: ikev2.liveness_s: 3601 is out of range", "0..3600");
	expect_fail(EDIT(L_LOG, "ikev2 = { liveness_retries = 0; };"),
		    "t.conf:15: ikev2.liveness_retries: 0 is out of range", "1..20");
	expect_fail(EDIT(L_LOG, "ikev2 = { half_open_max = 15; };"),
		    "t.conf:15: ikev2.half_open_max: 15 is out of range", "16..65536");
	expect_fail(EDIT(L_LOG, "ikev2 = { fragment_size = 9001; };"),
		    "t.conf:15: ikev2.fragment_size: 9001 is out of range", "576..9000");
	expect_fail(EDIT(L_LOG, "ikev2 = { child_lifetime_bytes = -1; };"),
		    "t.conf:15: ikev2.child_lifetime_bytes: -1 is out of range", NULL);
	expect_fail(EDIT(L_LOG, "ikev2 = { dpd = 10; };"),
		    "t.conf:15: ikev2.dpd: unknown field", "liveness_s");
	expect_fail(EDIT(L_LOG, "ikev2 = 5;"), "t.conf:15: ikev2: expected a group", NULL);
}

/* conf_edit(): a change is validated whole, written atomically, and refused whole. */
static void test_edit(void **state)
{
	static const char *const dns2[] = { "10.1.0.7", "10.1.0.8" };
	static const char *const dns_bad[] = { "10.1.0.7", "not-an-address" };
	char path[256], err[CONF_ERR_MAX];
	struct conf c, again;
	struct conf_change ch;
	char *before, *after;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/edit.conf", tmpdir);
	write_file("edit.conf", EDIT(0), strlen(EDIT(0)));
	chmod(path, 0640);

	ch = (struct conf_change){ .kind = CONF_CHANGE_SKU, .value = "VpnGw3" };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.sku, CONF_SKU_VPNGW3);
	conf_free(&c);
	/* What was written is what a restart reads. */
	assert_int_equal(conf_load(path, &again, err, sizeof(err)), 0);
	assert_int_equal(again.sku, CONF_SKU_VPNGW3);
	conf_free(&again);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	ch = (struct conf_change){ .kind = CONF_CHANGE_TUNNEL_LIMIT, .number = 2 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.tunnel_limit, 2);
	conf_free(&c);
	/* A rate below the SKU's; 0 is the SKU's own again. */
	ch = (struct conf_change){ .kind = CONF_CHANGE_RATE, .number = 50 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.rate_mbps, 50);
	assert_int_equal(conf_rate_bps(&c), 50000000ull);
	conf_free(&c);
	ch = (struct conf_change){ .kind = CONF_CHANGE_RATE, .number = 0 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(conf_rate_bps(&c), 1250000000ull);
	conf_free(&c);
	ch = (struct conf_change){ .kind = CONF_CHANGE_RATE, .number = 50 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	conf_free(&c);
	ch = (struct conf_change){ .kind = CONF_CHANGE_PROTOCOL, .name = "sstp", .on = false };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.protocols, CONF_PROTO_IKEV2);
	conf_free(&c);
	ch = (struct conf_change){ .kind = CONF_CHANGE_REVOKED, .on = true, .name = "lost-laptop",
				   .key = "thumbprint", .value = TP2 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_revoked, 2);
	conf_free(&c);
	ch = (struct conf_change){ .kind = CONF_CHANGE_REVOKED, .name = "laptop-42" };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_revoked, 1);
	assert_string_equal(c.revoked[0].name, "lost-laptop");
	conf_free(&c);
	ch = (struct conf_change){ .kind = CONF_CHANGE_DNS, .list = dns2, .n = 2 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_dns, 2);
	assert_int_equal(c.dns[1], IP(10, 1, 0, 8));
	conf_free(&c);

	/* Refused changes: one line naming the field, the file not touched. */
	before = read_whole(path);
	ch = (struct conf_change){ .kind = CONF_CHANGE_SKU, .value = "Basic" };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "sku"));
	ch = (struct conf_change){ .kind = CONF_CHANGE_SKU, .value = "VpnGw9" };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown SKU"));
	/* Never above the SKU: VpnGw3 is 1250 Mbit/s. */
	ch = (struct conf_change){ .kind = CONF_CHANGE_RATE, .number = 1251 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "rate_mbps: 1251 Mbit/s is above the VpnGw3 SKU's rate"));
	assert_null(strchr(err, '\n'));
	ch = (struct conf_change){ .kind = CONF_CHANGE_DNS, .list = dns_bad, .n = 2 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dns[1]"));
	ch = (struct conf_change){ .kind = CONF_CHANGE_REVOKED, .on = true, .name = "lost-laptop",
				   .key = "thumbprint", .value = TP1 };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EEXIST);
	ch = (struct conf_change){ .kind = CONF_CHANGE_ROOT, .name = "nobody" };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -ENOENT);
	ch = (struct conf_change){ .kind = CONF_CHANGE_ROOT, .on = true, .name = "r2", .key = "file",
				   .value = "roots/missing.cer" };
	assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "trusted_roots"));
	after = read_whole(path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* Roots: 20 at most; the 21st is refused and changes nothing. */
	for (unsigned i = 2; i <= 21; i++) {
		char name[16];

		snprintf(name, sizeof(name), "root%u", i);
		ch = (struct conf_change){ .kind = CONF_CHANGE_ROOT, .on = true, .name = name,
					   .key = "data", .value = "MIIC" };
		if (i <= 20) {
			assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), 0);
			assert_int_equal(c.n_roots, i);
			conf_free(&c);
			continue;
		}
		before = read_whole(path);
		assert_int_equal(conf_edit(path, &ch, &c, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "trusted_roots: 21 entries; allowed: 0..20"));
		after = read_whole(path);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
	/* No temporary file left beside it. */
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "test $(ls %s | grep -c 'edit.conf.') -eq 0", tmpdir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_json(void **state)
{
	struct json_object *o, *v;
	const char *s;
	struct conf c;

	(void)state;
	expect_ok(EDIT(L_RADIUS, "radius = ( { address = \"10.1.0.10\"; secret = \"s3cret-value\"; } );"),
		  &c);
	o = conf_to_json(&c);
	assert_non_null(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_null(strstr(s, "s3cret-value"));
	assert_non_null(strstr(s, "\"secret\":\"********\""));
	assert_non_null(strstr(s, "\"thumbprint\":\"A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4\""));
	assert_true(json_object_object_get_ex(o, "ports", &v));
	assert_true(json_object_object_get_ex(v, "public", &v));
	assert_true(json_object_object_get_ex(v, "address", &v));
	assert_string_equal(json_object_get_string(v), "198.51.100.1/24");
	assert_true(json_object_object_get_ex(o, "sku", &v));
	assert_true(json_object_object_get_ex(v, "rate_bps", &v));
	assert_int_equal(json_object_get_uint64(v), 650000000ull);
	assert_true(json_object_object_get_ex(o, "client_pool", &v));
	assert_string_equal(json_object_get_string(v), "172.16.201.0/24");
	assert_true(json_object_object_get_ex(o, "protocols", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "ikev2");
	assert_true(json_object_object_get_ex(o, "trusted_roots", &v));
	v = json_object_array_get_idx(v, 0);
	assert_true(json_object_object_get_ex(v, "inline", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "log", &v));
	assert_true(json_object_object_get_ex(v, "level", &v));
	assert_string_equal(json_object_get_string(v), "info");
	json_object_put(o);
	conf_free(&c);
}

static void test_copy_free(void **state)
{
	struct conf a, b, zero;

	(void)state;
	expect_ok(BASE(), &a);
	assert_int_equal(conf_copy(&b, &a), 0);
	assert_ptr_not_equal(b.revoked, a.revoked);
	assert_ptr_not_equal(b.roots[0].data, a.roots[0].data);
	assert_memory_equal(b.revoked, a.revoked, sizeof(*a.revoked));
	conf_free(&a);
	assert_null(a.revoked);
	assert_null(a.roots[0].data);
	conf_free(&a); /* twice is harmless */
	assert_string_equal(b.roots[0].data, "MIIC");
	assert_int_equal(b.revoked[0].sha1[0], 0xa1);
	assert_int_equal(conf_copy(&b, &b), 0);
	conf_free(&b);
	memset(&zero, 0, sizeof(zero));
	conf_free(&zero);
	conf_free(NULL);
}

static void test_sku(void **state)
{
	static const struct {
		const char *name;
		enum conf_sku sku;
		uint64_t bps;
	} want[] = {
		{ "Basic", CONF_SKU_BASIC, 100000000ull },
		{ "VpnGw1", CONF_SKU_VPNGW1, 650000000ull },
		{ "VpnGw2", CONF_SKU_VPNGW2, 1000000000ull },
		{ "VpnGw3", CONF_SKU_VPNGW3, 1250000000ull },
		{ "VpnGw4", CONF_SKU_VPNGW4, 5000000000ull },
		{ "VpnGw5", CONF_SKU_VPNGW5, 10000000000ull },
	};
	enum conf_sku sku;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(conf_sku_name(want[i].sku), want[i].name);
		assert_int_equal(conf_sku_rate_bps(want[i].sku), want[i].bps);
		assert_int_equal(conf_sku_from_name(want[i].name, &sku), 0);
		assert_int_equal(sku, want[i].sku);
	}
	assert_int_equal(conf_sku_from_name("vpngw3", &sku), 0);
	assert_int_equal(sku, CONF_SKU_VPNGW3);
	assert_int_equal(conf_sku_from_name("VpnGw6", &sku), -EINVAL);
	assert_int_equal(conf_sku_from_name("", &sku), -EINVAL);
	assert_null(conf_sku_name(CONF_SKU_COUNT));
	assert_int_equal(conf_sku_rate_bps(CONF_SKU_COUNT), 0);
}

/* ---- port profiles ---- */

static const char good_profile[] =
	"profile = {\n"
	"  name = \"good\";\n"
	"  bus = \"vdev\";\n"
	"  driver = \"net_af_packet\";\n"
	"  devargs = \"iface={iface},qpairs={queues}\";\n"
	"  max_queues = 8;\n"
	"  rss = true;\n"
	"  rss_hash = [ \"ipv4\", \"udp\" ];\n"
	"  needs_iface = true;\n"
	"};\n";

static void test_all_profiles(void **state)
{
	char err[CONF_ERR_MAX], name[64];
	struct conf_profile p;
	unsigned n = 0;
	struct dirent *de;
	DIR *d = opendir(PROFILES);

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		if (conf_profile_load(PROFILES, name, &p, err, sizeof(err)) != 0)
			fail_msg("profile %s: %s", name, err);
		assert_string_equal(p.name, name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 7);
}

static void test_shipped_profiles(void **state)
{
	struct conf_port port = { .iface = "gw-pub", .pci = "0000:3b:00.0" };
	char err[CONF_ERR_MAX], buf[256];
	struct conf_profile p;

	(void)state;
	assert_int_equal(conf_profile_load(PROFILES, "af_packet", &p, err, sizeof(err)), 0);
	assert_int_equal(p.bus, CONF_BUS_VDEV);
	assert_string_equal(p.driver, "net_af_packet");
	assert_int_equal(p.max_queues, 16);
	assert_true(p.rss && p.needs_iface && !p.needs_pci);
	assert_int_equal(p.rss_hf, 0);
	assert_int_equal(conf_profile_devargs(&p, &port, 4, 0, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "iface=gw-pub,qpairs=4,blocksz=4096,framesz=2048,framecnt=1024,"
			    "qdisc_bypass=0");
	assert_int_equal(conf_profile_load(PROFILES, "i40e", &p, err, sizeof(err)), 0);
	assert_int_equal(p.bus, CONF_BUS_PCI);
	assert_true(p.needs_pci);
	assert_int_equal(p.rx_desc, 1024);
	assert_int_equal(p.tx_desc, 2048);
	assert_int_equal(p.rss_hf, RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
			 RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_OTHER);
	assert_int_equal(conf_profile_devargs(&p, &port, 4, 0, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "0000:3b:00.0");
	assert_int_equal(conf_profile_load(PROFILES, "mlx5", &p, err, sizeof(err)), 0);
	assert_true(p.rss_hf & RTE_ETH_RSS_ESP);
	assert_int_equal(conf_profile_load(PROFILES, "ring", &p, err, sizeof(err)), 0);
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 3, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "");
}

static void test_unknown_profile(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf_profile p, before;

	(void)state;
	memset(&p, 0x3c, sizeof(p));
	before = p;
	assert_int_equal(conf_profile_load(PROFILES, "e1000", &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "e1000.conf: no port profile \"e1000\""));
	assert_non_null(strstr(err, "allowed: af_packet, i40e, ice, mlx5, null, ring, tap"));
	assert_int_equal(conf_profile_load(PROFILES, "../docs/x", &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a profile name"));
	assert_int_equal(conf_profile_load("", "tap", &p, err, sizeof(err)), -EINVAL);
	assert_memory_equal(&p, &before, sizeof(p));
}

/* good_profile with line `line` (1-based) replaced; name "good.conf". */
static void expect_profile_fail(unsigned line, const char *repl, const char *want)
{
	char buf[2048], err[CONF_ERR_MAX];
	const char *t = good_profile;
	struct conf_profile p, before;
	size_t used = 0;
	int rc;

	for (unsigned l = 1; *t != '\0'; l++) {
		const char *eol = strchr(t, '\n');

		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%.*s\n",
					 l == line ? (int)strlen(repl) : (int)(eol - t),
					 l == line ? repl : t);
		t = eol + 1;
	}
	memset(&p, 0x3c, sizeof(p));
	before = p;
	rc = conf_profile_load_string(buf, "drivers-cfg/good.conf", &p, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_profile_errors(void **state)
{
	struct conf_profile p;
	char err[CONF_ERR_MAX];

	(void)state;
	assert_int_equal(conf_profile_load_string(good_profile, "drivers-cfg/good.conf", &p, err,
						  sizeof(err)), 0);
	assert_int_equal(p.rss_hf, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_UDP);
	assert_int_equal(p.rx_desc, 1024);
	assert_int_equal(p.mbufs, 8192);
	expect_profile_fail(2, "  name = \"bad\";", "good.conf:2: profile.name: \"bad\" does not "
			    "match the file name; allowed: \"good\"");
	expect_profile_fail(3, "  bus = \"usb\";", "good.conf:3: profile.bus: unknown bus \"usb\"; "
			    "allowed: vdev, pci");
	expect_profile_fail(4, "", "good.conf:1: profile.driver: required field is missing");
	expect_profile_fail(5, "  devargs = \"iface={ifname}\";", "good.conf:5: profile.devargs: "
			    "unknown or unterminated placeholder at \"{ifname}\"");
	expect_profile_fail(5, "  devargs = \"iface={iface\";", "good.conf:5: profile.devargs: "
			    "unknown or unterminated placeholder");
	expect_profile_fail(5, "  devargs = \"a=b}\";", "good.conf:5: profile.devargs: a '}' without");
	expect_profile_fail(6, "  max_queues = 0;", "good.conf:6: profile.max_queues: 0 is out of "
			    "range; allowed: 1..1024");
	expect_profile_fail(6, "  rx_desc = 32;", "good.conf:6: profile.rx_desc: 32 is out of "
			    "range; allowed: 64..16384");
	expect_profile_fail(6, "  mbufs = 100;", "good.conf:6: profile.mbufs: 100 is out of range");
	expect_profile_fail(7, "  rss = \"yes\";", "good.conf:7: profile.rss: expected a boolean, "
			    "got a string; allowed: true, false");
	expect_profile_fail(7, "  rss = false;", "good.conf:8: profile.rss_hash: hash types given "
			    "but rss is false");
	expect_profile_fail(8, "  rss_hash = [ \"ipv4\", \"crc\" ];", "good.conf:8: "
			    "profile.rss_hash[1]: unknown hash type \"crc\"");
	expect_profile_fail(9, "  queues = 4;", "good.conf:9: profile.queues: unknown field "
			    "'queues' in profile; allowed: name, description, bus");
	expect_profile_fail(3, "  bus = \"pci\";", "good.conf:5: profile.devargs: a pci profile's "
			    "devargs must start with the device");
	expect_profile_fail(10, "}; extra = 1;", "good.conf:10: extra: unknown field 'extra' at "
			    "top level; allowed: profile");
	expect_profile_fail(1, "profile = (", "good.conf:2: syntax error");
}

static void test_profile_file_errors(void **state)
{
	char dir[128], err[CONF_ERR_MAX], want[200];
	struct conf_profile p;
	static const char other[] = "profile = { name = \"good\"; bus = \"vdev\"; driver = \"x\"; };\n";

	(void)state;
	snprintf(dir, sizeof(dir), "%s/profiles", tmpdir);
	write_file("profiles/good.conf", good_profile, strlen(good_profile));
	write_file("profiles/other.conf", other, strlen(other));
	assert_int_equal(conf_profile_load(dir, "good", &p, err, sizeof(err)), 0);
	assert_int_equal(conf_profile_load(dir, "other", &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/other.conf:1: profile.name: \"good\" does not match", dir);
	assert_non_null(strstr(err, want));
	assert_int_equal(conf_profile_load(dir, "gone", &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "allowed: good, other"));
}

static void test_devargs(void **state)
{
	struct conf_profile p = { .name = "t", .max_queues = 8,
				  .devargs = "if={iface},pci={pci},q={queues},i={index}" };
	struct conf_port port = { .iface = "veth0", .pci = "0000:01:00.1" };
	char buf[128], err[CONF_ERR_MAX];
	size_t n;

	(void)state;
	assert_int_equal(conf_profile_devargs(&p, &port, 8, 3, buf, sizeof(buf), err, sizeof(err)),
			 0);
	assert_string_equal(buf, "if=veth0,pci=0000:01:00.1,q=8,i=3");
	/* Exactly fits with its NUL; one byte less does not. */
	n = strlen(buf);
	assert_int_equal(conf_profile_devargs(&p, &port, 8, 3, buf, n + 1, err, sizeof(err)), 0);
	assert_int_equal(conf_profile_devargs(&p, &port, 8, 3, buf, n, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "profile t: devargs: too long for a buffer of 33 bytes"));
	assert_int_equal(conf_profile_devargs(&p, &port, 9, 3, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "{queues} out of range; allowed: 1..max_queues"));
	assert_int_equal(conf_profile_devargs(&p, &port, 0, 3, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	port.iface[0] = '\0';
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 0, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "profile t: devargs: {iface} but the port has no iface"));
	strcpy(port.iface, "veth0");
	port.pci[0] = '\0';
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 0, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "{pci} but the port has no pci address"));
	strcpy(p.devargs, "x={foo}");
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 0, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown placeholder at \"{foo}\"; allowed: {iface}, {pci}, "
				    "{queues}, {index}"));
	strcpy(p.devargs, "iface={iface}");
	strcpy(port.iface, "a,qpairs=9");
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 0, buf, sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "would break the devargs"));
	strcpy(p.devargs, "");
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 0, buf, sizeof(buf), NULL, 0), 0);
	assert_string_equal(buf, "");
	assert_int_equal(conf_profile_devargs(&p, &port, 1, 0, buf, 0, NULL, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_integer_wrap),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_malformed_address),
		cmocka_unit_test(test_pool_overlaps_vnet),
		cmocka_unit_test(test_pool_overlaps_port),
		cmocka_unit_test(test_vnet_overlaps),
		cmocka_unit_test(test_too_many_roots),
		cmocka_unit_test(test_bad_roots),
		cmocka_unit_test(test_bad_thumbprint),
		cmocka_unit_test(test_duplicate_thumbprint),
		cmocka_unit_test(test_basic_ikev2),
		cmocka_unit_test(test_basic_radius),
		cmocka_unit_test(test_radius_without_servers),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_thumbprint_forms),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_copy_free),
		cmocka_unit_test(test_sku),
		cmocka_unit_test(test_all_profiles),
		cmocka_unit_test(test_shipped_profiles),
		cmocka_unit_test(test_unknown_profile),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_profile_file_errors),
		cmocka_unit_test(test_devargs),
		cmocka_unit_test(test_ikev2),
		cmocka_unit_test(test_edit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
