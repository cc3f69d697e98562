/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port profiles: drivers-cfg/<name>.conf tells how to open one kind of port
 * (which PMD on which bus, its devargs template, descriptors, queues, RSS).
 * Profiles are read with the same reader and error lines as the gateway
 * configuration, and a port's devargs are expanded from the template here so
 * that the port library never pastes strings itself. The format is
 * documented in docs/configuration.md.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_ethdev.h>

#include "conf_int.h"

#define LISTED_MAX 32 /* profile names listed when one is not found */

static const char *const top_fields[] = { "profile", NULL };
static const char *const profile_fields[] = {
	"name", "description", "bus", "driver", "devargs", "rx_desc", "tx_desc", "max_queues",
	"rss", "rss_hash", "promiscuous", "needs_iface", "needs_pci", "mbufs", NULL
};

/*
 * rss_hash names are the RTE_ETH_RSS_* macro names of <rte_ethdev.h> in any
 * case, taken from the macros themselves so name and bit cannot drift apart.
 */
#define RSS_HASH(n) { #n, RTE_ETH_RSS_##n }
static const struct {
	const char *name;
	uint64_t bits;
} rss_hashes[] = {
	RSS_HASH(IP), RSS_HASH(UDP), RSS_HASH(TCP), RSS_HASH(SCTP), RSS_HASH(TUNNEL),
	RSS_HASH(VLAN), RSS_HASH(IPV4), RSS_HASH(FRAG_IPV4), RSS_HASH(NONFRAG_IPV4_TCP),
	RSS_HASH(NONFRAG_IPV4_UDP), RSS_HASH(NONFRAG_IPV4_SCTP), RSS_HASH(NONFRAG_IPV4_OTHER),
	RSS_HASH(IPV6), RSS_HASH(FRAG_IPV6), RSS_HASH(NONFRAG_IPV6_TCP),
	RSS_HASH(NONFRAG_IPV6_UDP), RSS_HASH(NONFRAG_IPV6_SCTP), RSS_HASH(NONFRAG_IPV6_OTHER),
	RSS_HASH(L2_PAYLOAD), RSS_HASH(IPV6_EX), RSS_HASH(IPV6_TCP_EX), RSS_HASH(IPV6_UDP_EX),
	RSS_HASH(PORT), RSS_HASH(VXLAN), RSS_HASH(GENEVE), RSS_HASH(NVGRE), RSS_HASH(GTPU),
	RSS_HASH(ETH), RSS_HASH(S_VLAN), RSS_HASH(C_VLAN), RSS_HASH(ESP), RSS_HASH(AH),
	RSS_HASH(L2TPV3), RSS_HASH(L2TPV2), RSS_HASH(PFCP), RSS_HASH(PPPOE), RSS_HASH(ECPRI),
	RSS_HASH(MPLS), RSS_HASH(IPV4_CHKSUM), RSS_HASH(L4_CHKSUM), RSS_HASH(L3_SRC_ONLY),
	RSS_HASH(L3_DST_ONLY), RSS_HASH(L4_SRC_ONLY), RSS_HASH(L4_DST_ONLY),
	RSS_HASH(L2_SRC_ONLY), RSS_HASH(L2_DST_ONLY),
};
#undef RSS_HASH

/* Placeholders of a devargs template, in the order of enum placeholder. */
enum placeholder { PH_IFACE, PH_PCI, PH_QUEUES, PH_INDEX, PH_COUNT };
static const char *const placeholders[PH_COUNT] = { "iface", "pci", "queues", "index" };
static const char placeholders_allowed[] = "{iface}, {pci}, {queues}, {index}";

/* The placeholder starting at t ('{'); -1 if unknown or unterminated. */
static int placeholder_at(const char *t, const char **end)
{
	const char *close = strchr(t, '}');

	if (close == NULL)
		return -1;
	for (int i = 0; i < PH_COUNT; i++) {
		const size_t n = strlen(placeholders[i]);

		if ((size_t)(close - t - 1) == n && strncmp(t + 1, placeholders[i], n) == 0) {
			*end = close + 1;
			return i;
		}
	}
	return -1;
}

/* NULL if the template is well formed, else the offending part. */
static const char *template_error(const char *t, const char **why)
{
	const char *end;

	for (; *t != '\0'; t++) {
		if (*t == '}') {
			*why = "a '}' without '{'";
			return t;
		}
		if (*t == ' ' || *t == '\t' || *t == '\n') {
			*why = "blank in devargs";
			return t;
		}
		if (*t != '{')
			continue;
		if (placeholder_at(t, &end) < 0) {
			*why = "unknown or unterminated placeholder";
			return t;
		}
		t = end - 1;
	}
	return NULL;
}

/* ---- reading ---- */

static int read_word(const struct conf_reader *rd, const struct conf_field *f, char *buf,
		     size_t size)
{
	static const char allowed[] = "1..63 letters, digits, '_', '-'";
	char q[CONF_QUOTE_MAX];

	if (conf_read_strbuf(rd, f, allowed, buf, size) < 0)
		return -EINVAL;
	if (!conf_is_name(buf, NULL)) {
		conf_err(rd, f->s, f->path, "%s is not a valid name; allowed: %s",
			 conf_quote(q, sizeof(q), buf), allowed);
		return -EINVAL;
	}
	return 0;
}

static int read_u32(const struct conf_reader *rd, const config_setting_t *g, const char *gpath,
		    const char *name, long long min, long long max, uint32_t *v)
{
	struct conf_field f;
	long long x;

	if (!conf_field(&f, g, gpath, name))
		return 0;
	if (conf_read_int(rd, &f, min, max, &x) < 0)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int read_flag(const struct conf_reader *rd, const config_setting_t *g, const char *gpath,
		     const char *name, bool *v)
{
	struct conf_field f;

	return conf_field(&f, g, gpath, name) ? conf_read_bool(rd, &f, v) : 0;
}

static int read_rss_hash(const struct conf_reader *rd, const struct conf_field *f,
			 uint64_t *hf)
{
	static const char allowed[] = "RTE_ETH_RSS_* names of rte_ethdev.h without the prefix, "
				      "e.g. ip, ipv4, nonfrag_ipv4_udp, udp, tcp, esp, ah";
	unsigned n;

	if (conf_read_seq(rd, f, 0, 64, allowed, &n) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct conf_field e;
		const char *s;
		size_t k;
		char q[CONF_QUOTE_MAX];

		conf_elem(&e, f->s, f->path, i);
		if (conf_read_str(rd, &e, allowed, &s) < 0)
			return -EINVAL;
		for (k = 0; k < RTE_DIM(rss_hashes) && strcasecmp(s, rss_hashes[k].name) != 0; k++)
			;
		if (k == RTE_DIM(rss_hashes)) {
			conf_err(rd, e.s, e.path, "unknown hash type %s; allowed: %s",
				 conf_quote(q, sizeof(q), s), allowed);
			return -EINVAL;
		}
		*hf |= rss_hashes[k].bits;
	}
	return 0;
}

static int read_bus(const struct conf_reader *rd, const struct conf_field *f,
		    enum conf_bus *bus)
{
	const char *s;
	char q[CONF_QUOTE_MAX];

	if (conf_read_str(rd, f, "vdev, pci", &s) < 0)
		return -EINVAL;
	if (strcmp(s, "vdev") == 0 || strcmp(s, "pci") == 0) {
		*bus = s[0] == 'v' ? CONF_BUS_VDEV : CONF_BUS_PCI;
		return 0;
	}
	conf_err(rd, f->s, f->path, "unknown bus %s; allowed: vdev, pci",
		 conf_quote(q, sizeof(q), s));
	return -EINVAL;
}

static int read_devargs(const struct conf_reader *rd, const struct conf_field *f,
			struct conf_profile *p)
{
	const char *bad, *why = NULL;
	char q[CONF_QUOTE_MAX];

	if (conf_read_strbuf(rd, f, "key=value pairs separated by ',' with placeholders "
			     "{iface}, {pci}, {queues}, {index}", p->devargs, sizeof(p->devargs)) < 0)
		return -EINVAL;
	bad = template_error(p->devargs, &why);
	if (bad != NULL) {
		conf_err(rd, f->s, f->path, "%s at %s; allowed: placeholders %s", why,
			 conf_quote(q, sizeof(q), bad), placeholders_allowed);
		return -EINVAL;
	}
	return 0;
}

/* Identity of the device: name, bus, driver, devargs. */
static int read_identity(const struct conf_reader *rd, const struct conf_field *f,
			 const char *expected, struct conf_profile *p)
{
	struct conf_field m;

	if (!conf_field(&m, f->s, f->path, "name"))
		return conf_missing(rd, f->s, &m, "the profile's file name without .conf");
	if (read_word(rd, &m, p->name, sizeof(p->name)) < 0)
		return -EINVAL;
	if (expected != NULL && strcmp(p->name, expected) != 0) {
		conf_err(rd, m.s, m.path, "\"%s\" does not match the file name; allowed: \"%s\"",
			 p->name, expected);
		return -EINVAL;
	}
	if (conf_field(&m, f->s, f->path, "description") &&
	    conf_read_strbuf(rd, &m, "one line of text", p->description,
			     sizeof(p->description)) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "bus"))
		return conf_missing(rd, f->s, &m, "vdev, pci");
	if (read_bus(rd, &m, &p->bus) < 0)
		return -EINVAL;
	if (!conf_field(&m, f->s, f->path, "driver"))
		return conf_missing(rd, f->s, &m, "the PMD's name, e.g. net_af_packet");
	if (read_word(rd, &m, p->driver, sizeof(p->driver)) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "devargs") && read_devargs(rd, &m, p) < 0)
		return -EINVAL;
	return 0;
}

static int read_queues(const struct conf_reader *rd, const struct conf_field *f,
		       struct conf_profile *p)
{
	struct conf_field m;
	uint32_t rx = p->rx_desc, tx = p->tx_desc, q = p->max_queues;

	if (read_u32(rd, f->s, f->path, "rx_desc", 64, 16384, &rx) < 0 ||
	    read_u32(rd, f->s, f->path, "tx_desc", 64, 16384, &tx) < 0 ||
	    read_u32(rd, f->s, f->path, "max_queues", 1, RTE_MAX_QUEUES_PER_PORT, &q) < 0 ||
	    read_u32(rd, f->s, f->path, "mbufs", 512, 1048576, &p->mbufs) < 0)
		return -EINVAL;
	p->rx_desc = (uint16_t)rx;
	p->tx_desc = (uint16_t)tx;
	p->max_queues = (uint16_t)q;
	if (read_flag(rd, f->s, f->path, "rss", &p->rss) < 0 ||
	    read_flag(rd, f->s, f->path, "promiscuous", &p->promiscuous) < 0 ||
	    read_flag(rd, f->s, f->path, "needs_iface", &p->needs_iface) < 0)
		return -EINVAL;
	if (conf_field(&m, f->s, f->path, "rss_hash")) {
		if (read_rss_hash(rd, &m, &p->rss_hf) < 0)
			return -EINVAL;
		if (p->rss_hf != 0 && !p->rss) {
			conf_err(rd, m.s, m.path, "hash types given but rss is false; allowed: "
				 "rss = true, or no rss_hash");
			return -EINVAL;
		}
	}
	return 0;
}

/* A PCI device is named by its address, which the PCI bus reads before the first ','. */
static int check_pci(const struct conf_reader *rd, const struct conf_field *f,
		     const struct conf_profile *p)
{
	struct conf_field m;

	if (p->bus != CONF_BUS_PCI)
		return 0;
	if (!p->needs_pci) {
		conf_field(&m, f->s, f->path, "needs_pci");
		conf_err(rd, m.s != NULL ? m.s : f->s, m.path,
			 "false on the pci bus; allowed: true (the port must name its device)");
		return -EINVAL;
	}
	if (strncmp(p->devargs, "{pci}", 5) != 0) {
		conf_field(&m, f->s, f->path, "devargs");
		conf_err(rd, m.s != NULL ? m.s : f->s, m.path, "a pci profile's devargs must "
			 "start with the device; allowed: \"{pci}\" or \"{pci},key=value,...\"");
		return -EINVAL;
	}
	return 0;
}

static int read_profile(const struct conf_reader *rd, const config_setting_t *root,
			const char *expected, struct conf_profile *p)
{
	struct conf_field f;

	if (conf_check_fields(rd, root, "", top_fields) < 0)
		return -EINVAL;
	if (!conf_field(&f, root, "", "profile"))
		return conf_missing(rd, root, &f, "a group profile = { name; bus; driver; ... }");
	if (conf_read_group(rd, &f, profile_fields) < 0 ||
	    read_identity(rd, &f, expected, p) < 0 || read_queues(rd, &f, p) < 0)
		return -EINVAL;
	p->needs_pci = p->bus == CONF_BUS_PCI;
	if (read_flag(rd, f.s, f.path, "needs_pci", &p->needs_pci) < 0)
		return -EINVAL;
	return check_pci(rd, &f, p);
}

static int load_profile(const struct conf_reader *rd, const char *text, size_t len,
			const char *expected, struct conf_profile *out)
{
	struct conf_profile p = {
		.bus = CONF_BUS_VDEV, .rx_desc = 1024, .tx_desc = 1024, .max_queues = 1,
		.mbufs = 8192,
	};
	config_t cfg;
	int rc;

	config_init(&cfg);
	rc = conf_parse_text(rd, &cfg, text, len);
	if (rc == 0)
		rc = read_profile(rd, config_root_setting(&cfg), expected, &p);
	config_destroy(&cfg);
	if (rc == 0)
		*out = p;
	return rc;
}

/* "dir/af_packet.conf" -> "af_packet", into buf; NULL without a usable name. */
static const char *expected_name(const char *file, char *buf, size_t size)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base != NULL ? base + 1 : file;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".conf") == 0)
		n -= 5;
	if (n == 0 || n >= size)
		return NULL;
	memcpy(buf, base, n);
	buf[n] = '\0';
	return buf;
}

int conf_profile_load_string(const char *text, const char *name, struct conf_profile *out,
			     char *err, size_t errlen)
{
	struct conf_reader rd;
	char expected[CONF_NAME_MAX];
	int rc;

	rc = conf_reader_init(&rd, name, err, errlen);
	if (rc < 0)
		return rc;
	if (text == NULL || out == NULL) {
		conf_err_at(&rd, 0, "nothing to load");
		return -EINVAL;
	}
	return load_profile(&rd, text, strlen(text),
			    name != NULL ? expected_name(name, expected, sizeof(expected)) : NULL,
			    out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": the profiles a folder does have, for the error about one it does not. */
static void list_profiles(const char *dir, char *buf, size_t size)
{
	char *names[LISTED_MAX + 1];
	unsigned n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	buf[0] = '\0';
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < LISTED_MAX) {
		const size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".conf") == 0 &&
		    (names[n] = strndup(de->d_name, len - 5)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	names[n] = NULL;
	conf_join(buf, size, (const char *const *)names);
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
}

int conf_profile_load(const char *dir, const char *name, struct conf_profile *out, char *err,
		      size_t errlen)
{
	char path[CONF_PATH_MAX], list[CONF_ERR_MAX / 2];
	struct conf_reader rd;
	char *text;
	size_t len;
	int rc;

	if (dir == NULL || dir[0] == '\0' || name == NULL || out == NULL ||
	    strlen(name) >= CONF_NAME_MAX || !conf_is_name(name, NULL)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "profile %s: not a profile name or no folder; allowed: "
				 "1..63 letters, digits, '_', '-' and a folder",
				 name != NULL ? name : "(none)");
		return -EINVAL;
	}
	if (snprintf(path, sizeof(path), "%s/%s.conf", dir, name) >= (int)sizeof(path)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: folder name too long", dir);
		return -ENAMETOOLONG;
	}
	rc = conf_reader_init(&rd, path, err, errlen);
	if (rc < 0)
		return rc;
	rc = conf_read_file(&rd, path, &text, &len);
	if (rc == -ENOENT) {
		list_profiles(dir, list, sizeof(list));
		conf_err_at(&rd, 0, "no port profile \"%s\" in %s; allowed: %s", name, dir,
			    list[0] != '\0' ? list : "(the folder has no *.conf)");
	}
	if (rc < 0)
		return rc;
	rc = load_profile(&rd, text, len, name, out);
	free(text);
	return rc;
}

/* ---- devargs ---- */

static int devargs_err(char *err, size_t errlen, int rc, const struct conf_profile *prof,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int devargs_err(char *err, size_t errlen, int rc, const struct conf_profile *prof,
		       const char *fmt, ...)
{
	char msg[CONF_ERR_MAX];
	va_list ap;

	if (err == NULL || errlen == 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "profile %s: devargs: %s", prof->name, msg);
	return rc;
}

/* The text a placeholder stands for, or NULL with *why set. */
static const char *placeholder_value(int ph, const struct conf_profile *prof,
				     const struct conf_port *port, unsigned queues,
				     unsigned index, char *num, size_t size, const char **why)
{
	switch (ph) {
	case PH_IFACE:
		*why = "{iface} but the port has no iface; allowed: set iface in the port";
		return port->iface[0] != '\0' ? port->iface : NULL;
	case PH_PCI:
		*why = "{pci} but the port has no pci address; allowed: set pci in the port";
		return port->pci[0] != '\0' ? port->pci : NULL;
	case PH_QUEUES:
		*why = "{queues} out of range; allowed: 1..max_queues";
		if (queues < 1 || queues > prof->max_queues)
			return NULL;
		snprintf(num, size, "%u", queues);
		return num;
	default:
		snprintf(num, size, "%u", index);
		return num;
	}
}

int conf_profile_devargs(const struct conf_profile *prof, const struct conf_port *port,
			 unsigned queues, unsigned index, char *buf, size_t len, char *err,
			 size_t errlen)
{
	size_t used = 0;
	const char *t;

	for (t = prof->devargs; *t != '\0';) {
		const char *v = t, *end = t + 1, *why = NULL;
		char num[16], q[CONF_QUOTE_MAX];
		size_t n = 1;

		if (*t == '}')
			return devargs_err(err, errlen, -EINVAL, prof, "a '}' without '{'; allowed: "
					   "placeholders %s", placeholders_allowed);
		if (*t == '{') {
			const int ph = placeholder_at(t, &end);

			if (ph < 0)
				return devargs_err(err, errlen, -EINVAL, prof, "unknown placeholder "
						   "at %s; allowed: %s", conf_quote(q, sizeof(q), t),
						   placeholders_allowed);
			v = placeholder_value(ph, prof, port, queues, index, num, sizeof(num), &why);
			if (v == NULL)
				return devargs_err(err, errlen, -EINVAL, prof, "%s", why);
			/* A value must not add keys of its own to the string. */
			if (strpbrk(v, ",={} \t\n") != NULL)
				return devargs_err(err, errlen, -EINVAL, prof, "value %s of {%s} would "
						   "break the devargs; allowed: no ',', '=', "
						   "braces or blanks", conf_quote(q, sizeof(q), v),
						   placeholders[ph]);
			n = strlen(v);
		}
		if (used + n >= len)
			return devargs_err(err, errlen, -ENOSPC, prof, "too long for a buffer of %zu "
					   "bytes; allowed: a shorter template or values", len);
		memcpy(buf + used, v, n);
		used += n;
		t = end;
	}
	if (len == 0)
		return devargs_err(err, errlen, -ENOSPC, prof, "no room; allowed: a buffer");
	buf[used] = '\0';
	return 0;
}
