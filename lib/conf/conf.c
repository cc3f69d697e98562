/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway configuration: reads one libconfig file into a struct conf,
 * field by field, then checks what no single field can (overlapping
 * prefixes, SKU limits, RADIUS servers for RADIUS auth). The result is
 * built in a private copy and handed over only when everything holds, so a
 * failed load or reload never leaves the caller with half a configuration.
 * The file format is documented in docs/configuration.md.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_log.h>

#include "conf_int.h"

#define ROOT_DATA_MAX 65536 /* inline root text: a PEM certificate is a few KiB */
#define SOCKET_PATH_MAX 107 /* sun_path holds 108 bytes with the NUL */
#define IFACE_LEN_MAX 15    /* Linux IFNAMSIZ - 1 */
#define PORT_PREFIX_MIN 8
#define PORT_PREFIX_MAX 30
#define CONF_QUOTE_MAX 80

static const char *const top_fields[] = {
	"name", "ports", "client_pool", "vnet", "dns", "sku", "tunnel_limit", "rate_mbps", "protocols", "auth",
	"server_certificate", "trusted_roots", "revoked", "radius", "cli", "log", "dataplane",
	"ikev2", NULL
};
static const char *const ports_fields[] = { "public", "private", NULL };
static const char *const port_fields[] = {
	"profile", "iface", "pci", "address", "next_hop", "mtu", NULL
};
static const char *const cert_fields[] = { "cert", "key", NULL };
static const char *const root_fields[] = { "name", "file", "data", NULL };
static const char *const revoked_fields[] = { "name", "thumbprint", NULL };
static const char *const radius_fields[] = {
	"address", "secret", "priority", "auth_port", "acct_port", "timeout_ms", "retries", NULL
};
static const char *const cli_fields[] = { "socket", "group", NULL };
static const char *const log_fields[] = { "level", NULL };
static const char *const dataplane_fields[] = {
	"profile_dir", "idle_sleep_us", "neigh_max", "neigh_timeout_s", NULL
};

static const char *const ikev2_fields[] = {
	"proposals", "liveness_s", "liveness_retries", "ike_lifetime_s", "child_lifetime_s",
	"child_lifetime_bytes", "cookie_threshold", "half_open_max", "fragment_size", NULL
};
/* In the order of enum conf_ike_proposals. */
static const char *const ike_proposal_names[] = {
	"windows", "cloud", "macos", "strongswan", "all", NULL
};

static const char *const protocol_names[] = { "ikev2", "sstp", NULL };
static const unsigned protocol_bits[] = { CONF_PROTO_IKEV2, CONF_PROTO_SSTP };
static const char *const auth_names[] = { "certificate", "radius", NULL };
static const unsigned auth_bits[] = { CONF_AUTH_CERT, CONF_AUTH_RADIUS };
static const char *const log_names[] = { "error", "warning", "notice", "info", "debug", NULL };
static const int log_levels[] = {
	RTE_LOG_ERR, RTE_LOG_WARNING, RTE_LOG_NOTICE, RTE_LOG_INFO, RTE_LOG_DEBUG
};

/* ---- single values ---- */

/* Each 'x' of the pattern is a hex digit, each '7' an octal one, the rest literal. */
static bool matches(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++) {
		if (*pattern == 'x' ? !isxdigit((unsigned char)*s) :
		    *pattern == '7' ? !(*s >= '0' && *s <= '7') : *s != *pattern)
			return false;
	}
	return *s == '\0';
}

/* "DDDD:BB:DD.F" or "BB:DD.F", as lspci and dpdk-devbind print it; devices 0..1f. */
static bool is_pci_addr(const char *s)
{
	const char *dev;

	if (matches(s, "xxxx:xx:xx.7"))
		dev = s + 8;
	else if (matches(s, "xx:xx.7"))
		dev = s + 3;
	else
		return false;
	return dev[0] == '0' || dev[0] == '1';
}

/*
 * Linux interface names (dev_valid_name()), minus what would break the
 * devargs string the name is pasted into: ',', '=' and braces.
 */
static bool is_iface_name(const char *s)
{
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strlen(s) > IFACE_LEN_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr("/:,={}", *s) != NULL)
			return false;
	return true;
}

static int read_checked(const struct conf_reader *rd, const struct conf_field *f,
			bool (*valid)(const char *), const char *allowed, char *buf, size_t size)
{
	char q[CONF_QUOTE_MAX];

	if (conf_read_strbuf(rd, f, allowed, buf, size) < 0)
		return -EINVAL;
	if (!valid(buf)) {
		conf_err(rd, f->s, f->path, "%s is not valid; allowed: %s",
			 conf_quote(q, sizeof(q), buf), allowed);
		return -EINVAL;
	}
	return 0;
}

/* ---- ports ---- */

static int read_port_address(const struct conf_reader *rd, const struct conf_field *f,
			     struct conf_port *p)
{
	struct conf_prefix net;
	char q[CONF_QUOTE_MAX];
	const char *s;
	uint32_t host;

	if (conf_read_str(rd, f, "an address with its subnet length a.b.c.d/len", &s) < 0)
		return -EINVAL;
	if (conf_parse_host_prefix(s, &p->addr, &p->prefix_len) < 0 ||
	    p->prefix_len < PORT_PREFIX_MIN || p->prefix_len > PORT_PREFIX_MAX) {
		conf_err(rd, f->s, f->path, "expected the port's address and subnet length "
			 "a.b.c.d/len with len %u..%u, got %s; allowed: e.g. 198.51.100.1/24",
			 PORT_PREFIX_MIN, PORT_PREFIX_MAX, conf_quote(q, sizeof(q), s));
		return -EINVAL;
	}
	net.len = p->prefix_len;
	net.addr = p->addr & conf_mask(net.len);
	host = p->addr & ~conf_mask(net.len);
	if (host == 0 || host == ~conf_mask(net.len) || !conf_is_unicast(p->addr)) {
		conf_err(rd, f->s, f->path, "%s is the %s; allowed: a unicast host address inside "
			 "the subnet", s, host == 0 ? "subnet's network address" :
			 host == ~conf_mask(net.len) ? "subnet's broadcast address" :
			 "not a unicast address");
		return -EINVAL;
	}
	return 0;
}

static int read_next_hop(const struct conf_reader *rd, const struct conf_field *f,
			 struct conf_port *p)
{
	const uint32_t mask = conf_mask(p->prefix_len);
	char net[24];

	if (conf_read_ipv4(rd, f, &p->next_hop) < 0)
		return -EINVAL;
	conf_format_prefix(p->addr & mask, p->prefix_len, net, sizeof(net));
	if ((p->next_hop & mask) != (p->addr & mask) || p->next_hop == p->addr ||
	    (p->next_hop & ~mask) == 0 || (p->next_hop & ~mask) == ~mask) {
		conf_err(rd, f->s, f->path, "%s cannot be the next hop; allowed: a host address "
			 "in %s other than the port's own", config_setting_get_string(f->s), net);
		return -EINVAL;
	}
	return 0;
}

static int read_port(const struct conf_reader *rd, const struct conf_field *f,
		     struct conf_port *p)
{
	struct conf_field m;

	if (conf_read_group(rd, f, port_fields) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "profile"))
		return conf_missing(rd, f->s, &m, "a profile name of drivers-cfg, e.g. \"af_packet\"");
	if (conf_read_name(rd, &m, NULL, p->profile, sizeof(p->profile)) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "iface") &&
	    read_checked(rd, &m, is_iface_name, "a Linux interface name of 1..15 characters "
			 "without blanks, '/', ':', ',', '=' or braces", p->iface,
			 sizeof(p->iface)) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "pci") &&
	    read_checked(rd, &m, is_pci_addr, "a PCI address DDDD:BB:DD.F or BB:DD.F", p->pci,
			 sizeof(p->pci)) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "address"))
		return conf_missing(rd, f->s, &m, "the port's address and subnet a.b.c.d/len");
	if (read_port_address(rd, &m, p) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "next_hop") && read_next_hop(rd, &m, p) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "mtu")) {
		unsigned mtu;

		if (conf_read_uint(rd, &m, 576, 9000, &mtu) < 0)
			return -EINVAL;
		p->mtu = (uint16_t)mtu;
	}
	return 0;
}

static int read_ports(const struct conf_reader *rd, const config_setting_t *root,
		      struct conf *c)
{
	struct conf_field f, m;

	if (!conf_field(&f, root, "", "ports"))
		return conf_missing(rd, root, &f, "a group { public = { ... }; private = { ... }; }");
	if (conf_read_group(rd, &f, ports_fields) < 0)
		return -EINVAL;
	if (!conf_field(&m, f.s, f.path, "public"))
		return conf_missing(rd, f.s, &m, "a group of profile, iface, pci, address, next_hop, mtu");
	if (read_port(rd, &m, &c->pub) < 0)
		return -EINVAL;
	if (!conf_field(&m, f.s, f.path, "private"))
		return conf_missing(rd, f.s, &m, "a group of profile, iface, pci, address, next_hop, mtu");
	return read_port(rd, &m, &c->priv);
}

/* ---- addresses handed to clients ---- */

static int read_networks(const struct conf_reader *rd, const config_setting_t *root,
			 struct conf *c)
{
	struct conf_field f, e;

	if (!conf_field(&f, root, "", "client_pool"))
		return conf_missing(rd, root, &f, "an IPv4 prefix a.b.c.d/len, len 8..30");
	if (conf_read_prefix(rd, &f, 8, 30, &c->pool) < 0)
		return -EINVAL;
	if (!conf_field(&f, root, "", "vnet"))
		return conf_missing(rd, root, &f, "a list of 1..32 IPv4 prefixes");
	if (conf_read_seq(rd, &f, 1, CONF_VNET_MAX, "IPv4 prefixes a.b.c.d/len", &c->n_vnet) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < c->n_vnet; i++) {
		conf_elem(&e, f.s, f.path, i);
		if (conf_read_prefix(rd, &e, 1, 32, &c->vnet[i]) < 0)
			return -EINVAL;
	}
	if (!conf_field(&f, root, "", "dns"))
		return 0;
	if (conf_read_seq(rd, &f, 0, CONF_DNS_MAX, "IPv4 addresses", &c->n_dns) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < c->n_dns; i++) {
		conf_elem(&e, f.s, f.path, i);
		if (conf_read_ipv4(rd, &e, &c->dns[i]) < 0)
			return -EINVAL;
		for (unsigned j = 0; j < i; j++) {
			if (c->dns[j] == c->dns[i]) {
				conf_err(rd, e.s, e.path, "%s is listed twice; allowed: distinct "
					 "addresses", config_setting_get_string(e.s));
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* ---- SKU, protocols, authentication ---- */

static int read_service(const struct conf_reader *rd, const config_setting_t *root,
			struct conf *c)
{
	static const char sku_list[] = "Basic, VpnGw1, VpnGw2, VpnGw3, VpnGw4, VpnGw5";
	struct conf_field f;
	const char *s;

	if (!conf_field(&f, root, "", "sku"))
		return conf_missing(rd, root, &f, sku_list);
	if (conf_read_str(rd, &f, sku_list, &s) < 0)
		return -EINVAL;
	if (conf_sku_from_name(s, &c->sku) < 0) {
		char q[CONF_QUOTE_MAX];

		conf_err(rd, f.s, f.path, "unknown SKU %s; allowed: %s", conf_quote(q, sizeof(q), s),
			 sku_list);
		return -EINVAL;
	}
	/* Every SKU admits 128 tunnels (IKEv2 and SSTP together) unless told otherwise. */
	if (conf_field(&f, root, "", "tunnel_limit") &&
	    conf_read_uint(rd, &f, 1, CONF_TUNNELS_MAX, &c->tunnel_limit) < 0)
		return -EINVAL;
	/* An operator may hold the gateway below its SKU, never above (check_service). */
	if (conf_field(&f, root, "", "rate_mbps") &&
	    conf_read_uint(rd, &f, 0, CONF_RATE_MBPS_MAX, &c->rate_mbps) < 0)
		return -EINVAL;
	if (!conf_field(&f, root, "", "protocols"))
		return conf_missing(rd, root, &f, "a list of ikev2, sstp");
	if (conf_read_flags(rd, &f, protocol_names, protocol_bits, &c->protocols) < 0)
		return -EINVAL;
	if (!conf_field(&f, root, "", "auth"))
		return conf_missing(rd, root, &f, "a list of certificate, radius");
	return conf_read_flags(rd, &f, auth_names, auth_bits, &c->auth);
}

/* ---- certificates ---- */

static int read_server_cert(const struct conf_reader *rd, const config_setting_t *root,
			    struct conf *c)
{
	struct conf_field f, m;

	if (!conf_field(&f, root, "", "server_certificate"))
		return 0;
	if (conf_read_group(rd, &f, cert_fields) < 0)
		return -EINVAL;
	/* One without the other is useless, and the mistake is easy to make. */
	if (!conf_field(&m, f.s, f.path, "cert"))
		return conf_missing(rd, f.s, &m, "the server certificate's PEM file");
	if (conf_read_file_path(rd, &m, c->server_cert, sizeof(c->server_cert)) < 0)
		return -EINVAL;
	if (!conf_field(&m, f.s, f.path, "key"))
		return conf_missing(rd, f.s, &m, "the server key's PEM file");
	return conf_read_file_path(rd, &m, c->server_key, sizeof(c->server_key));
}

static int read_root_data(const struct conf_reader *rd, const struct conf_field *f,
			  struct conf_root *r)
{
	const char *s;
	size_t n;

	if (conf_read_str(rd, f, "the certificate as PEM or Base64 text", &s) < 0)
		return -EINVAL;
	n = strlen(s);
	if (n == 0 || n > ROOT_DATA_MAX) {
		conf_err(rd, f->s, f->path, "%zu characters; allowed: 1..%u characters of PEM or "
			 "Base64", n, ROOT_DATA_MAX);
		return -EINVAL;
	}
	r->data = strdup(s);
	if (r->data == NULL) {
		conf_err(rd, f->s, f->path, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int read_root(const struct conf_reader *rd, const struct conf_field *f, struct conf *c,
		     unsigned i)
{
	struct conf_root *r = &c->roots[i];
	struct conf_field m, d;
	bool has_file, has_data;

	if (conf_read_group(rd, f, root_fields) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "name"))
		return conf_missing(rd, f->s, &m, "a name of 1..63 letters, digits, '_', '-', '.'");
	if (conf_read_name(rd, &m, ".", r->name, sizeof(r->name)) < 0)
		return -EINVAL;
	for (unsigned j = 0; j < i; j++) {
		if (strcmp(c->roots[j].name, r->name) == 0) {
			conf_err(rd, m.s, m.path, "\"%s\" is also the name of trusted_roots[%u]; "
				 "allowed: distinct names", r->name, j);
			return -EINVAL;
		}
	}
	has_file = conf_field(&m, f->s, f->path, "file");
	has_data = conf_field(&d, f->s, f->path, "data");
	if (has_file == has_data) {
		conf_err(rd, f->s, f->path, "has %s; allowed: exactly one of file, data",
			 has_file ? "both file and data" : "neither file nor data");
		return -EINVAL;
	}
	if (has_file)
		return conf_read_file_path(rd, &m, r->file, sizeof(r->file));
	return read_root_data(rd, &d, r);
}

static int read_roots(const struct conf_reader *rd, const config_setting_t *root,
		      struct conf *c)
{
	struct conf_field f, e;
	unsigned n;

	if (!conf_field(&f, root, "", "trusted_roots"))
		return 0;
	if (conf_read_seq(rd, &f, 0, CONF_ROOTS_MAX, "groups { name; file or data; }", &n) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		int rc;

		conf_elem(&e, f.s, f.path, i);
		rc = read_root(rd, &e, c, i);
		c->n_roots = i + 1; /* so that conf_free() sees what was allocated */
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int read_revoked_one(const struct conf_reader *rd, const struct conf_field *f,
			    struct conf *c, unsigned i)
{
	struct conf_revoked *r = &c->revoked[i];
	struct conf_field m;
	char q[CONF_QUOTE_MAX];
	const char *s;

	if (conf_read_group(rd, f, revoked_fields) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "name"))
		return conf_missing(rd, f->s, &m, "a name of 1..63 letters, digits, '_', '-', '.'");
	if (conf_read_name(rd, &m, ".", r->name, sizeof(r->name)) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "thumbprint"))
		return conf_missing(rd, f->s, &m, "40 hex digits");
	if (conf_read_str(rd, &m, "40 hex digits", &s) < 0)
		return -EINVAL;
	if (conf_parse_thumbprint(s, r->sha1) < 0) {
		conf_err(rd, m.s, m.path, "%s is not a SHA-1 thumbprint; allowed: 40 hex digits, "
			 "spaces and colons ignored", conf_quote(q, sizeof(q), s));
		return -EINVAL;
	}
	for (unsigned j = 0; j < i; j++) {
		if (memcmp(c->revoked[j].sha1, r->sha1, sizeof(r->sha1)) == 0) {
			conf_err(rd, m.s, m.path, "duplicate thumbprint, already revoked[%u] (%s); "
				 "allowed: each certificate once", j, c->revoked[j].name);
			return -EINVAL;
		}
	}
	return 0;
}

static int read_revoked(const struct conf_reader *rd, const config_setting_t *root,
			struct conf *c)
{
	struct conf_field f, e;
	unsigned n;

	if (!conf_field(&f, root, "", "revoked"))
		return 0;
	if (conf_read_seq(rd, &f, 0, CONF_REVOKED_MAX, "groups { name; thumbprint; }", &n) < 0)
		return -EINVAL;
	if (n == 0)
		return 0;
	c->revoked = calloc(n, sizeof(*c->revoked));
	if (c->revoked == NULL) {
		conf_err(rd, f.s, f.path, "out of memory");
		return -ENOMEM;
	}
	c->n_revoked = n;
	for (unsigned i = 0; i < n; i++) {
		conf_elem(&e, f.s, f.path, i);
		if (read_revoked_one(rd, &e, c, i) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- RADIUS ---- */

static int read_radius_opts(const struct conf_reader *rd, const struct conf_field *f,
			    struct conf_radius *r)
{
	struct conf_field m;
	unsigned v;

	if (conf_field(&m, f->s, f->path, "priority")) {
		if (conf_read_uint(rd, &m, 1, 255, &v) < 0)
			return -EINVAL;
		r->priority = (uint8_t)v;
	}
	if (conf_field(&m, f->s, f->path, "auth_port")) {
		if (conf_read_uint(rd, &m, 1, 65535, &v) < 0)
			return -EINVAL;
		r->auth_port = (uint16_t)v;
	}
	if (conf_field(&m, f->s, f->path, "acct_port")) {
		if (conf_read_uint(rd, &m, 1, 65535, &v) < 0)
			return -EINVAL;
		r->acct_port = (uint16_t)v;
	}
	if (conf_field(&m, f->s, f->path, "timeout_ms") &&
	    conf_read_uint(rd, &m, 100, 60000, &r->timeout_ms) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "retries")) {
		if (conf_read_uint(rd, &m, 0, 10, &v) < 0)
			return -EINVAL;
		r->retries = (uint8_t)v;
	}
	return 0;
}

static int read_radius_one(const struct conf_reader *rd, const struct conf_field *f,
			   struct conf *c, unsigned i)
{
	struct conf_radius *r = &c->radius[i];
	struct conf_field m;

	*r = (struct conf_radius){ .auth_port = 1812, .acct_port = 1813, .priority = 1,
				   .timeout_ms = 3000, .retries = 3 };
	if (conf_read_group(rd, f, radius_fields) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "address"))
		return conf_missing(rd, f->s, &m, "the server's IPv4 address");
	if (conf_read_ipv4(rd, &m, &r->addr) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "secret"))
		return conf_missing(rd, f->s, &m, "the shared secret, 1..127 characters");
	if (conf_read_strbuf(rd, &m, "the shared secret, 1..127 characters", r->secret,
			     sizeof(r->secret)) < 0)
		return -EINVAL;
	if (r->secret[0] == '\0') {
		conf_err(rd, m.s, m.path, "empty secret; allowed: 1..127 characters");
		return -EINVAL;
	}
	if (read_radius_opts(rd, f, r) < 0)
		return -EINVAL;
	for (unsigned j = 0; j < i; j++) {
		if (c->radius[j].addr == r->addr && c->radius[j].auth_port == r->auth_port) {
			conf_err(rd, f->s, f->path, "same address and auth_port as radius[%u]; "
				 "allowed: distinct servers", j);
			return -EINVAL;
		}
	}
	return 0;
}

static int read_radius(const struct conf_reader *rd, const config_setting_t *root,
		       struct conf *c)
{
	struct conf_field f, e;

	if (!conf_field(&f, root, "", "radius"))
		return 0;
	if (conf_read_seq(rd, &f, 0, CONF_RADIUS_MAX, "groups { address; secret; ... }",
			  &c->n_radius) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < c->n_radius; i++) {
		conf_elem(&e, f.s, f.path, i);
		if (read_radius_one(rd, &e, c, i) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- operation ---- */

static int read_cli(const struct conf_reader *rd, const config_setting_t *root, struct conf *c)
{
	static const char sock_allowed[] = "an absolute path of at most 107 characters";
	struct conf_field f, m;

	if (!conf_field(&f, root, "", "cli"))
		return 0;
	if (conf_read_group(rd, &f, cli_fields) < 0)
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "socket")) {
		if (conf_read_strbuf(rd, &m, sock_allowed, c->cli_socket, sizeof(c->cli_socket)) < 0)
			return -EINVAL;
		if (c->cli_socket[0] != '/' || strlen(c->cli_socket) > SOCKET_PATH_MAX) {
			conf_err(rd, m.s, m.path, "cannot bind a unix socket there; allowed: %s",
				 sock_allowed);
			return -EINVAL;
		}
	}
	if (conf_field(&m, f.s, f.path, "group")) {
		if (conf_read_strbuf(rd, &m, "a group name, or \"\"", c->cli_group,
				     sizeof(c->cli_group)) < 0)
			return -EINVAL;
		if (c->cli_group[0] != '\0' && !conf_is_name(c->cli_group, ".$")) {
			conf_err(rd, m.s, m.path, "not a group name; allowed: \"\" or a name of "
				 "letters, digits, '_', '-', '.'");
			return -EINVAL;
		}
	}
	return 0;
}

static int read_log(const struct conf_reader *rd, const config_setting_t *root, struct conf *c)
{
	struct conf_field f, m;
	char allowed[64], q[CONF_QUOTE_MAX];
	const char *s;

	if (!conf_field(&f, root, "", "log"))
		return 0;
	if (conf_read_group(rd, &f, log_fields) < 0)
		return -EINVAL;
	if (!conf_field(&m, f.s, f.path, "level"))
		return 0;
	conf_join(allowed, sizeof(allowed), log_names);
	if (conf_read_str(rd, &m, allowed, &s) < 0)
		return -EINVAL;
	for (unsigned i = 0; log_names[i] != NULL; i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			c->log_level = log_levels[i];
			return 0;
		}
	}
	conf_err(rd, m.s, m.path, "unknown level %s; allowed: %s", conf_quote(q, sizeof(q), s),
		 allowed);
	return -EINVAL;
}

static int read_profile_dir(const struct conf_reader *rd, const struct conf_field *f,
			    struct conf *c)
{
	struct stat st;
	const char *s;

	if (conf_read_str(rd, f, "a folder of port profiles, or \"\"", &s) < 0)
		return -EINVAL;
	if (s[0] == '\0')
		return 0;
	if (conf_resolve(rd, f, s, c->profile_dir, sizeof(c->profile_dir)) < 0)
		return -EINVAL;
	if (stat(c->profile_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		conf_err(rd, f->s, f->path, "%s is not a folder; allowed: an existing folder of "
			 "port profiles, or \"\" for the built-in one", c->profile_dir);
		return -EINVAL;
	}
	return 0;
}

static int read_dataplane(const struct conf_reader *rd, const config_setting_t *root,
			  struct conf *c)
{
	struct conf_field f, m;

	if (!conf_field(&f, root, "", "dataplane"))
		return 0;
	if (conf_read_group(rd, &f, dataplane_fields) < 0)
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "profile_dir") && read_profile_dir(rd, &m, c) < 0)
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "idle_sleep_us") &&
	    conf_read_uint(rd, &m, 0, 100000, &c->idle_sleep_us) < 0)
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "neigh_max") &&
	    conf_read_uint(rd, &m, 16, 65536, &c->neigh_max) < 0)
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "neigh_timeout_s") &&
	    conf_read_uint(rd, &m, 5, 86400, &c->neigh_timeout_s) < 0)
		return -EINVAL;
	return 0;
}

const char *conf_ike_proposals_name(unsigned set)
{
	return set < CONF_IKE_ALL + 1 ? ike_proposal_names[set] : "?";
}

static int read_ikev2(const struct conf_reader *rd, const config_setting_t *root, struct conf *c)
{
	struct conf_ikev2 *k = &c->ikev2;
	struct conf_field f, m;
	char allowed[64], q[CONF_QUOTE_MAX];
	long long bytes;
	const char *s;
	unsigned i;

	if (!conf_field(&f, root, "", "ikev2"))
		return 0;
	if (conf_read_group(rd, &f, ikev2_fields) < 0)
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "proposals")) {
		conf_join(allowed, sizeof(allowed), ike_proposal_names);
		if (conf_read_str(rd, &m, allowed, &s) < 0)
			return -EINVAL;
		for (i = 0; ike_proposal_names[i] != NULL; i++)
			if (strcasecmp(s, ike_proposal_names[i]) == 0)
				break;
		if (ike_proposal_names[i] == NULL) {
			conf_err(rd, m.s, m.path, "unknown set %s; allowed: %s",
				 conf_quote(q, sizeof(q), s), allowed);
			return -EINVAL;
		}
		k->proposals = i;
	}
	if ((conf_field(&m, f.s, f.path, "liveness_s") &&
	     conf_read_uint(rd, &m, 0, 3600, &k->liveness_s) < 0) ||
	    (conf_field(&m, f.s, f.path, "liveness_retries") &&
	     conf_read_uint(rd, &m, 1, 20, &k->liveness_retries) < 0) ||
	    (conf_field(&m, f.s, f.path, "ike_lifetime_s") &&
	     conf_read_uint(rd, &m, 0, 604800, &k->ike_lifetime_s) < 0) ||
	    (conf_field(&m, f.s, f.path, "child_lifetime_s") &&
	     conf_read_uint(rd, &m, 0, 604800, &k->child_lifetime_s) < 0) ||
	    (conf_field(&m, f.s, f.path, "cookie_threshold") &&
	     conf_read_uint(rd, &m, 0, 65536, &k->cookie_threshold) < 0) ||
	    (conf_field(&m, f.s, f.path, "half_open_max") &&
	     conf_read_uint(rd, &m, 16, 65536, &k->half_open_max) < 0) ||
	    (conf_field(&m, f.s, f.path, "fragment_size") &&
	     conf_read_uint(rd, &m, 576, 9000, &k->fragment_size) < 0))
		return -EINVAL;
	if (conf_field(&m, f.s, f.path, "child_lifetime_bytes")) {
		if (conf_read_int(rd, &m, 0, (long long)1 << 50, &bytes) < 0)
			return -EINVAL;
		k->child_lifetime_bytes = (unsigned long long)bytes;
	}
	return 0;
}

/* ---- what no single field can check ---- */

static struct conf_prefix port_subnet(const struct conf_port *p)
{
	return (struct conf_prefix){ .addr = p->addr & conf_mask(p->prefix_len),
				     .len = p->prefix_len };
}

/* The setting at "a.b" or element i of list "a" (i >= 0), for its line. */
static const config_setting_t *setting_at(const config_setting_t *root, const char *path, int i)
{
	const config_setting_t *s = config_setting_lookup((config_setting_t *)root, path);

	return s != NULL && i >= 0 ? config_setting_get_elem(s, (unsigned)i) : s;
}

static int overlap_err(const struct conf_reader *rd, const config_setting_t *at,
		       const char *field, const struct conf_prefix *a, const char *other,
		       const struct conf_prefix *b, const char *allowed)
{
	char pa[24], pb[24];

	conf_format_prefix(a->addr, a->len, pa, sizeof(pa));
	conf_format_prefix(b->addr, b->len, pb, sizeof(pb));
	if (a->addr == b->addr && a->len == b->len)
		conf_err(rd, at, field, "%s duplicates %s; allowed: %s", pa, other, allowed);
	else
		conf_err(rd, at, field, "%s overlaps %s %s; allowed: %s", pa, other, pb, allowed);
	return -EINVAL;
}

static int check_pool(const struct conf_reader *rd, const config_setting_t *root,
		      const struct conf *c)
{
	static const char allowed[] = "a prefix outside every VNet prefix and both port subnets";
	const config_setting_t *at = setting_at(root, "client_pool", -1);
	const struct conf_prefix pub = port_subnet(&c->pub), priv = port_subnet(&c->priv);
	char other[32];

	for (unsigned i = 0; i < c->n_vnet; i++) {
		if (conf_prefix_overlap(&c->pool, &c->vnet[i])) {
			snprintf(other, sizeof(other), "vnet[%u]", i);
			return overlap_err(rd, at, "client_pool", &c->pool, other, &c->vnet[i],
					   allowed);
		}
	}
	if (conf_prefix_overlap(&c->pool, &pub))
		return overlap_err(rd, at, "client_pool", &c->pool, "the subnet of ports.public",
				   &pub, allowed);
	if (conf_prefix_overlap(&c->pool, &priv))
		return overlap_err(rd, at, "client_pool", &c->pool, "the subnet of ports.private",
				   &priv, allowed);
	return 0;
}

/* "0000:3b:00.0" and "3b:00.0" are one device: domain 0 is the short form's. */
static bool same_pci(const char *a, const char *b)
{
	if (strncmp(a, "0000:", 5) == 0 && strlen(a) == 12)
		a += 5;
	if (strncmp(b, "0000:", 5) == 0 && strlen(b) == 12)
		b += 5;
	return strcasecmp(a, b) == 0;
}

/* Two ports on one device would steal each other's packets. */
static int check_devices(const struct conf_reader *rd, const config_setting_t *root,
			 const struct conf *c)
{
	static const size_t prefix = sizeof("ports.private.") - 1;
	const char *field;

	if (c->pub.iface[0] != '\0' && strcmp(c->pub.iface, c->priv.iface) == 0)
		field = "ports.private.iface";
	else if (c->pub.pci[0] != '\0' && c->priv.pci[0] != '\0' && same_pci(c->pub.pci, c->priv.pci))
		field = "ports.private.pci";
	else
		return 0;
	conf_err(rd, setting_at(root, field, -1), field,
		 "the same device as ports.public.%s; allowed: a device of its own", field + prefix);
	return -EINVAL;
}

static int check_subnets(const struct conf_reader *rd, const config_setting_t *root,
			 const struct conf *c)
{
	const struct conf_prefix pub = port_subnet(&c->pub), priv = port_subnet(&c->priv);
	char field[32], other[32];

	if (check_devices(rd, root, c) < 0)
		return -EINVAL;
	if (conf_prefix_overlap(&pub, &priv))
		return overlap_err(rd, setting_at(root, "ports.private.address", -1),
				   "ports.private.address", &priv, "the subnet of ports.public",
				   &pub, "a subnet apart from the public one");
	for (unsigned i = 0; i < c->n_vnet; i++) {
		const config_setting_t *at = setting_at(root, "vnet", (int)i);

		snprintf(field, sizeof(field), "vnet[%u]", i);
		for (unsigned j = 0; j < i; j++) {
			if (conf_prefix_overlap(&c->vnet[i], &c->vnet[j])) {
				snprintf(other, sizeof(other), "vnet[%u]", j);
				return overlap_err(rd, at, field, &c->vnet[i], other, &c->vnet[j],
						   "prefixes that do not overlap each other");
			}
		}
		if (conf_prefix_overlap(&c->vnet[i], &pub))
			return overlap_err(rd, at, field, &c->vnet[i], "the subnet of ports.public",
					   &pub, "prefixes outside the public subnet");
	}
	return check_pool(rd, root, c);
}

static int check_service(const struct conf_reader *rd, const config_setting_t *root,
			 const struct conf *c)
{
	/* Basic has neither on the product it mirrors; refusing beats surprising. */
	if (c->sku == CONF_SKU_BASIC &&
	    ((c->protocols & CONF_PROTO_IKEV2) || (c->auth & CONF_AUTH_RADIUS))) {
		conf_err(rd, setting_at(root, "sku", -1), "sku",
			 "Basic supports neither IKEv2 nor RADIUS; use VpnGw1 or higher");
		return -EINVAL;
	}
	if ((uint64_t)c->rate_mbps * 1000000u > conf_sku_rate_bps(c->sku)) {
		conf_err(rd, setting_at(root, "rate_mbps", -1), "rate_mbps",
			 "%u Mbit/s is above the %s SKU's rate; allowed: 0 (the SKU's rate) or "
			 "1..%" PRIu64, c->rate_mbps, conf_sku_name(c->sku),
			 conf_sku_rate_bps(c->sku) / 1000000u);
		return -EINVAL;
	}
	if ((c->auth & CONF_AUTH_RADIUS) && c->n_radius == 0) {
		conf_err(rd, setting_at(root, "auth", -1), "radius",
			 "auth includes \"radius\" but no RADIUS server is configured; allowed: "
			 "1..%u servers in radius = ( { address; secret; } )", CONF_RADIUS_MAX);
		return -EINVAL;
	}
	return 0;
}

/* ---- loading ---- */

static void set_defaults(struct conf *c)
{
	strcpy(c->name, "p2sgw");
	c->pub.mtu = 1500;
	c->priv.mtu = 1500;
	strcpy(c->cli_socket, "/run/p2sgw/p2sgw.sock");
	c->log_level = RTE_LOG_INFO;
	c->neigh_max = 1024;
	c->neigh_timeout_s = 300;
	c->tunnel_limit = 128;
	c->ikev2.proposals = CONF_IKE_ALL;
	c->ikev2.liveness_s = 30;
	c->ikev2.liveness_retries = 5;
	c->ikev2.ike_lifetime_s = 28800;       /* the original service: 8 hours */
	c->ikev2.child_lifetime_s = 27000;     /* 7.5 hours */
	c->ikev2.child_lifetime_bytes = 0;
	c->ikev2.cookie_threshold = 64;
	c->ikev2.half_open_max = 1024;
	c->ikev2.fragment_size = 1280;
}

static int read_conf(const struct conf_reader *rd, const config_setting_t *root, struct conf *c)
{
	struct conf_field f;
	int rc;

	set_defaults(c);
	if (conf_check_fields(rd, root, "", top_fields) < 0)
		return -EINVAL;
	if (conf_field(&f, root, "", "name") && conf_read_name(rd, &f, ".", c->name, sizeof(c->name)) < 0)
		return -EINVAL;
	if (read_ports(rd, root, c) < 0 || read_networks(rd, root, c) < 0 ||
	    read_service(rd, root, c) < 0 || read_server_cert(rd, root, c) < 0)
		return -EINVAL;
	rc = read_roots(rd, root, c);
	if (rc == 0)
		rc = read_revoked(rd, root, c);
	if (rc < 0)
		return rc;
	if (read_radius(rd, root, c) < 0 || read_cli(rd, root, c) < 0 ||
	    read_log(rd, root, c) < 0 || read_dataplane(rd, root, c) < 0 ||
	    read_ikev2(rd, root, c) < 0)
		return -EINVAL;
	if (check_subnets(rd, root, c) < 0 || check_service(rd, root, c) < 0)
		return -EINVAL;
	return 0;
}

static int load_text(const struct conf_reader *rd, const char *text, size_t len,
		     const char *path, struct conf *out)
{
	struct conf *c = calloc(1, sizeof(*c));
	config_t cfg;
	int rc;

	if (c == NULL) {
		conf_err_at(rd, 0, "out of memory");
		return -ENOMEM;
	}
	if (snprintf(c->path, sizeof(c->path), "%s", path) >= (int)sizeof(c->path)) {
		conf_err_at(rd, 0, "file name too long; allowed: at most %d characters",
			    CONF_PATH_MAX - 1);
		free(c);
		return -ENAMETOOLONG;
	}
	config_init(&cfg);
	rc = conf_parse_text(rd, &cfg, text, len);
	if (rc == 0)
		rc = read_conf(rd, config_root_setting(&cfg), c);
	config_destroy(&cfg);
	if (rc == 0)
		*out = *c; /* ownership of the heap parts moves to *out */
	else
		conf_free(c);
	free(c);
	return rc;
}

int conf_load_string(const char *text, const char *name, struct conf *out, char *err,
		     size_t errlen)
{
	struct conf_reader rd;
	int rc;

	rc = conf_reader_init(&rd, name, err, errlen);
	if (rc < 0)
		return rc;
	if (text == NULL || out == NULL) {
		conf_err_at(&rd, 0, "nothing to load");
		return -EINVAL;
	}
	return load_text(&rd, text, strlen(text), rd.file, out);
}

int conf_load(const char *path, struct conf *out, char *err, size_t errlen)
{
	struct conf_reader rd;
	char abs[CONF_PATH_MAX];
	const char *base;
	char *text;
	size_t len;
	int rc;

	rc = conf_reader_init(&rd, path, err, errlen);
	if (rc < 0)
		return rc;
	if (path == NULL || out == NULL) {
		conf_err_at(&rd, 0, "nothing to load");
		return -EINVAL;
	}
	rc = conf_read_file(&rd, path, &text, &len);
	if (rc < 0)
		return rc;
	/* Remember the absolute name, so a reload after chdir() finds the same file. */
	base = strrchr(path, '/');
	if (path[0] == '/' || snprintf(abs, sizeof(abs), "%s/%s", rd.base,
				       base != NULL ? base + 1 : path) >= (int)sizeof(abs))
		snprintf(abs, sizeof(abs), "%s", path);
	rc = load_text(&rd, text, len, abs, out);
	free(text);
	return rc;
}

void conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < CONF_ROOTS_MAX; i++) {
		free(c->roots[i].data);
		c->roots[i].data = NULL;
	}
	free(c->revoked);
	c->revoked = NULL;
	c->n_revoked = 0;
}

int conf_copy(struct conf *dst, const struct conf *src)
{
	char *data[CONF_ROOTS_MAX] = { NULL };
	struct conf_revoked *revoked = NULL;

	if (dst == src)
		return 0;
	if (src->n_revoked > 0) {
		revoked = malloc(src->n_revoked * sizeof(*revoked));
		if (revoked == NULL)
			return -ENOMEM;
		memcpy(revoked, src->revoked, src->n_revoked * sizeof(*revoked));
	}
	for (unsigned i = 0; i < CONF_ROOTS_MAX; i++) {
		if (src->roots[i].data == NULL)
			continue;
		data[i] = strdup(src->roots[i].data);
		if (data[i] == NULL)
			goto fail;
	}
	memcpy(dst, src, sizeof(*dst));
	dst->revoked = revoked;
	for (unsigned i = 0; i < CONF_ROOTS_MAX; i++)
		dst->roots[i].data = data[i];
	return 0;
fail:
	for (unsigned i = 0; i < CONF_ROOTS_MAX; i++)
		free(data[i]);
	free(revoked);
	return -ENOMEM;
}
