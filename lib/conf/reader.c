/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reading half shared by the configuration and the port profiles: it
 * reads a file whole, pre-scans the text for what libconfig 1.5 gets wrong
 * without a word, hands it to libconfig, and walks the settings with typed
 * getters. Every getter that fails writes the one error line of the load,
 * "FILE:LINE: FIELD.PATH: what is wrong; allowed: WHAT", and returns -EINVAL;
 * callers stop at the first error, so the line is never overwritten.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

int conf_reader_init(struct conf_reader *rd, const char *name, char *err, size_t errlen)
{
	const char *slash;
	char cwd[CONF_PATH_MAX];
	int n;

	rd->file = name != NULL ? name : "<string>";
	rd->err = errlen > 0 ? err : NULL;
	rd->errlen = errlen;
	if (rd->err != NULL)
		rd->err[0] = '\0';

	/* Relative paths in the file resolve against its folder, made absolute now so
	 * that a later chdir() of the daemon cannot change what they mean. */
	slash = strrchr(rd->file, '/');
	if (slash == rd->file) {
		strcpy(rd->base, "/");
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, ".");
	if (slash == NULL)
		n = snprintf(rd->base, sizeof(rd->base), "%s", cwd);
	else if (rd->file[0] == '/')
		n = snprintf(rd->base, sizeof(rd->base), "%.*s", (int)(slash - rd->file), rd->file);
	else
		n = snprintf(rd->base, sizeof(rd->base), "%s/%.*s", cwd, (int)(slash - rd->file),
			     rd->file);
	if (n < 0 || (size_t)n >= sizeof(rd->base)) {
		conf_err_at(rd, 0, "folder name too long; allowed: at most %d characters",
			    CONF_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

static void verr(const struct conf_reader *rd, unsigned line, const char *field, const char *fmt,
		 va_list ap) __attribute__((format(printf, 4, 0)));

static void verr(const struct conf_reader *rd, unsigned line, const char *field, const char *fmt,
		 va_list ap)
{
	char msg[CONF_ERR_MAX];

	if (rd->err == NULL)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line == 0)
		snprintf(rd->err, rd->errlen, "%s: %s", rd->file, msg);
	else if (field == NULL)
		snprintf(rd->err, rd->errlen, "%s:%u: %s", rd->file, line, msg);
	else
		snprintf(rd->err, rd->errlen, "%s:%u: %s: %s", rd->file, line, field, msg);
}

/* An error tied to a line but to no field (syntax), or to neither (line 0). */
void conf_err_at(const struct conf_reader *rd, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(rd, line, NULL, fmt, ap);
	va_end(ap);
}

void conf_err(const struct conf_reader *rd, const config_setting_t *at, const char *field,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(rd, conf_line(at), field, fmt, ap);
	va_end(ap);
}

/* libconfig leaves the root group at line 0: errors about it go to line 1. */
unsigned conf_line(const config_setting_t *s)
{
	for (; s != NULL; s = config_setting_parent(s))
		if (config_setting_source_line(s) != 0)
			return config_setting_source_line(s);
	return 1;
}

static int read_fd(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* shrank while we read it */
		got += (size_t)r;
	}
	return 0;
}

/* Read a whole regular file; anything else (a FIFO, a device) could block us. */
int conf_read_file(const struct conf_reader *rd, const char *path, char **text, size_t *len)
{
	struct stat st;
	char *buf;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		conf_err_at(rd, 0, "cannot open: %s", strerror(-rc));
		return rc;
	}
	rc = fstat(fd, &st) < 0 ? -errno : 0;
	if (rc == 0 && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (rc == 0 && !S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if (rc == 0 && (uint64_t)st.st_size > CONF_TEXT_MAX)
		rc = -EFBIG;
	if (rc < 0) {
		conf_err_at(rd, 0, "cannot read: %s; allowed: a regular file of at most %u bytes",
			    rc == -EINVAL ? "not a regular file" : strerror(-rc), CONF_TEXT_MAX);
		close(fd);
		return rc;
	}
	buf = malloc((size_t)st.st_size + 1);
	rc = buf == NULL ? -ENOMEM : read_fd(fd, buf, (size_t)st.st_size);
	close(fd);
	if (rc < 0) {
		conf_err_at(rd, 0, "cannot read: %s", strerror(-rc));
		free(buf);
		return rc;
	}
	buf[st.st_size] = '\0';
	*text = buf;
	*len = (size_t)st.st_size;
	return 0;
}

/* ---- pre-scan ---- */

struct scan {
	const char *t;
	size_t len, i;
	unsigned line;
};

static void skip_to_eol(struct scan *sc)
{
	while (sc->i < sc->len && sc->t[sc->i] != '\n')
		sc->i++;
}

static void skip_block_comment(struct scan *sc)
{
	for (sc->i += 2; sc->i < sc->len; sc->i++) {
		if (sc->t[sc->i] == '\n')
			sc->line++;
		if (sc->t[sc->i] == '*' && sc->i + 1 < sc->len && sc->t[sc->i + 1] == '/') {
			sc->i += 2;
			return;
		}
	}
}

static void skip_string(struct scan *sc)
{
	for (sc->i++; sc->i < sc->len && sc->t[sc->i] != '"'; sc->i++) {
		if (sc->t[sc->i] == '\\' && sc->i + 1 < sc->len)
			sc->i++;
		if (sc->t[sc->i] == '\n')
			sc->line++;
	}
	sc->i++;
}

/* Fractions and exponents make a float, which libconfig keeps as it is. */
static void skip_float(struct scan *sc)
{
	while (sc->i < sc->len) {
		char c = sc->t[sc->i];

		if (isdigit((unsigned char)c) || c == '.' || c == 'e' || c == 'E')
			sc->i++;
		else if ((c == '+' || c == '-') && (sc->t[sc->i - 1] == 'e' || sc->t[sc->i - 1] == 'E'))
			sc->i++;
		else
			break;
	}
}

/*
 * libconfig 1.5 converts an integer literal with strtoll() and then stores it
 * in an int unless it ends in L: "mtu = 4294968796;" reads as 1500. Refuse
 * every literal that its type cannot hold, so no value is silently wrapped.
 */
static int scan_number(const struct conf_reader *rd, struct scan *sc)
{
	const size_t start = sc->i;
	bool neg = false, hex = false, wide, big = false;
	uint64_t v = 0, limit;
	unsigned base = 10;

	if (sc->t[sc->i] == '-' || sc->t[sc->i] == '+')
		neg = sc->t[sc->i++] == '-';
	if (sc->t[sc->i] == '0' && sc->i + 2 < sc->len && (sc->t[sc->i + 1] | 0x20) == 'x' &&
	    isxdigit((unsigned char)sc->t[sc->i + 2])) {
		hex = true;
		base = 16;
		sc->i += 2;
	}
	for (; sc->i < sc->len && (hex ? isxdigit((unsigned char)sc->t[sc->i])
				      : isdigit((unsigned char)sc->t[sc->i])); sc->i++) {
		unsigned d = isdigit((unsigned char)sc->t[sc->i]) ? (unsigned)(sc->t[sc->i] - '0')
				: (unsigned)((sc->t[sc->i] | 0x20) - 'a' + 10);

		if (v > (UINT64_MAX - d) / base)
			big = true;
		else
			v = v * base + d;
	}
	if (!hex && sc->i < sc->len && strchr(".eE", sc->t[sc->i]) != NULL) {
		skip_float(sc);
		return 0;
	}
	wide = sc->i < sc->len && sc->t[sc->i] == 'L';
	if (hex)
		limit = wide ? UINT64_MAX : INT32_MAX;
	else
		limit = wide ? (uint64_t)INT64_MAX + neg : (uint64_t)INT32_MAX + neg;
	if (big || v > limit) {
		conf_err_at(rd, sc->line,
			    "integer %.*s does not fit in %s bits; allowed: %s", (int)(sc->i - start),
			    sc->t + start, wide ? "64" : "32",
			    wide ? "-9223372036854775808..9223372036854775807"
				 : "-2147483648..2147483647, or a suffix L for 64 bits");
		return -EINVAL;
	}
	return 0;
}

static bool at_include(const struct scan *sc)
{
	static const char kw[] = "@include";

	return sc->len - sc->i >= sizeof(kw) - 1 && memcmp(sc->t + sc->i, kw, sizeof(kw) - 1) == 0;
}

static int scan_token(const struct conf_reader *rd, struct scan *sc, bool line_start)
{
	const char c = sc->t[sc->i];
	const char next = sc->i + 1 < sc->len ? sc->t[sc->i + 1] : '\0';

	if (c == '@' && line_start && at_include(sc)) {
		/* libconfig would open it relative to the working directory, and its
		 * lines would be reported against this file. */
		conf_err_at(rd, sc->line, "@include is not supported; allowed: one self-contained file");
		return -EINVAL;
	}
	if (c == '#' || (c == '/' && next == '/'))
		skip_to_eol(sc);
	else if (c == '/' && next == '*')
		skip_block_comment(sc);
	else if (c == '"')
		skip_string(sc);
	else if (isalpha((unsigned char)c) || c == '*')
		while (sc->i < sc->len && (isalnum((unsigned char)sc->t[sc->i]) ||
					   strchr("-_*", sc->t[sc->i]) != NULL))
			sc->i++;
	else if (c == '.')
		skip_float(sc);
	else if (isdigit((unsigned char)c) ||
		 ((c == '-' || c == '+') && isdigit((unsigned char)next)))
		return scan_number(rd, sc);
	else
		sc->i++;
	return 0;
}

int conf_prescan(const struct conf_reader *rd, const char *text, size_t len)
{
	struct scan sc = { .t = text, .len = len, .line = 1 };
	bool line_start = true;

	while (sc.i < sc.len) {
		const char c = text[sc.i];

		if (c == '\0') {
			conf_err_at(rd, sc.line, "NUL byte; allowed: text");
			return -EINVAL;
		}
		if (c == '\n') {
			sc.line++;
			sc.i++;
			line_start = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			sc.i++;
			continue;
		}
		if (scan_token(rd, &sc, line_start) < 0)
			return -EINVAL;
		line_start = false;
	}
	return 0;
}

/* Pre-scan, then parse; a syntax error is reported with libconfig's own line. */
int conf_parse_text(const struct conf_reader *rd, config_t *cfg, const char *text, size_t len)
{
	if (conf_prescan(rd, text, len) < 0)
		return -EINVAL;
	if (config_read_string(cfg, text) != CONFIG_TRUE) {
		const char *what = config_error_text(cfg);
		int line = config_error_line(cfg);

		conf_err_at(rd, line > 0 ? (unsigned)line : 1, "syntax error: %s",
			    what != NULL ? what : "unreadable");
		return -EINVAL;
	}
	return 0;
}

/* ---- walking settings ---- */

static void set_path(char *buf, size_t size, const char *parent, const char *name)
{
	if (parent == NULL || parent[0] == '\0')
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s.%s", parent, name);
}

bool conf_field(struct conf_field *f, const config_setting_t *group, const char *gpath,
		const char *name)
{
	set_path(f->path, sizeof(f->path), gpath, name);
	f->s = config_setting_get_member(group, name);
	return f->s != NULL;
}

void conf_elem(struct conf_field *f, const config_setting_t *seq, const char *spath, unsigned i)
{
	snprintf(f->path, sizeof(f->path), "%.*s[%u]", (int)sizeof(f->path) - 13, spath, i);
	f->s = config_setting_get_elem(seq, i);
}

int conf_missing(const struct conf_reader *rd, const config_setting_t *group,
		 const struct conf_field *f, const char *allowed)
{
	conf_err(rd, group, f->path, "required field is missing; allowed: %s", allowed);
	return -EINVAL;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT: return "an integer";
	case CONFIG_TYPE_INT64: return "a 64-bit integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	default: return "nothing";
	}
}

static void wrong_type(const struct conf_reader *rd, const struct conf_field *f,
		       const char *expected, const char *allowed)
{
	conf_err(rd, f->s, f->path, "expected %s, got %s; allowed: %s", expected,
		 type_name(config_setting_type(f->s)), allowed);
}

void conf_join(char *buf, size_t size, const char *const *names)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; names[i] != NULL && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static bool is_allowed(const char *name, const char *const *allowed)
{
	for (unsigned i = 0; allowed[i] != NULL; i++)
		if (strcmp(name, allowed[i]) == 0)
			return true;
	return false;
}

int conf_check_fields(const struct conf_reader *rd, const config_setting_t *group,
		      const char *gpath, const char *const *allowed)
{
	const int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(m);
		char list[CONF_ERR_MAX / 2], path[CONF_FIELD_MAX];

		if (name == NULL || is_allowed(name, allowed))
			continue;
		conf_join(list, sizeof(list), allowed);
		set_path(path, sizeof(path), gpath, name);
		if (gpath == NULL || gpath[0] == '\0')
			conf_err(rd, m, path, "unknown field '%s' at top level; allowed: %s", name,
				 list);
		else
			conf_err(rd, m, path, "unknown field '%s' in %s; allowed: %s", name, gpath,
				 list);
		return -EINVAL;
	}
	return 0;
}

int conf_read_group(const struct conf_reader *rd, const struct conf_field *f,
		    const char *const *allowed)
{
	if (config_setting_type(f->s) != CONFIG_TYPE_GROUP) {
		char list[CONF_ERR_MAX / 2], what[CONF_ERR_MAX / 2 + 32];

		conf_join(list, sizeof(list), allowed);
		snprintf(what, sizeof(what), "a group { } of %s", list);
		wrong_type(rd, f, "a group { }", what);
		return -EINVAL;
	}
	return conf_check_fields(rd, f->s, f->path, allowed);
}

/* Lists of scalars may be written either way: [ "a", "b" ] or ( "a", "b" ). */
int conf_read_seq(const struct conf_reader *rd, const struct conf_field *f, unsigned min,
		  unsigned max, const char *allowed, unsigned *n)
{
	const int type = config_setting_type(f->s);
	int len;

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		wrong_type(rd, f, "a list", allowed);
		return -EINVAL;
	}
	len = config_setting_length(f->s);
	if (len < 0 || (unsigned)len < min || (unsigned)len > max) {
		conf_err(rd, f->s, f->path, "%d entries; allowed: %u..%u entries of %s", len, min,
			 max, allowed);
		return -EINVAL;
	}
	*n = (unsigned)len;
	return 0;
}

int conf_read_int(const struct conf_reader *rd, const struct conf_field *f, long long min,
		  long long max, long long *v)
{
	const int type = config_setting_type(f->s);
	char range[64];
	long long x;

	snprintf(range, sizeof(range), "an integer %lld..%lld", min, max);
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		wrong_type(rd, f, "an integer", range);
		return -EINVAL;
	}
	x = config_setting_get_int64(f->s);
	if (x < min || x > max) {
		conf_err(rd, f->s, f->path, "%lld is out of range; allowed: %lld..%lld", x, min,
			 max);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

int conf_read_bool(const struct conf_reader *rd, const struct conf_field *f, bool *v)
{
	if (config_setting_type(f->s) != CONFIG_TYPE_BOOL) {
		wrong_type(rd, f, "a boolean", "true, false");
		return -EINVAL;
	}
	*v = config_setting_get_bool(f->s) != 0;
	return 0;
}

int conf_read_str(const struct conf_reader *rd, const struct conf_field *f, const char *allowed,
		  const char **v)
{
	if (config_setting_type(f->s) != CONFIG_TYPE_STRING) {
		wrong_type(rd, f, "a string", allowed);
		return -EINVAL;
	}
	*v = config_setting_get_string(f->s);
	return 0;
}

int conf_read_strbuf(const struct conf_reader *rd, const struct conf_field *f,
		     const char *allowed, char *buf, size_t size)
{
	const char *s = NULL;
	size_t n;

	if (conf_read_str(rd, f, allowed, &s) < 0)
		return -EINVAL;
	n = strlen(s);
	if (n >= size) {
		conf_err(rd, f->s, f->path, "too long (%zu characters); allowed: at most %zu characters",
			 n, size - 1);
		return -EINVAL;
	}
	memcpy(buf, s, n + 1);
	return 0;
}

/* A path from the file, made absolute against the file's folder. */
int conf_resolve(const struct conf_reader *rd, const struct conf_field *f, const char *rel,
		 char *out, size_t size)
{
	int n;

	if (rel[0] == '\0') {
		conf_err(rd, f->s, f->path, "empty path; allowed: a path, relative to %s", rd->base);
		return -EINVAL;
	}
	if (rel[0] == '/')
		n = snprintf(out, size, "%s", rel);
	else
		n = snprintf(out, size, "%s%s%s", rd->base, strcmp(rd->base, "/") ? "/" : "", rel);
	if (n < 0 || (size_t)n >= size) {
		conf_err(rd, f->s, f->path, "path too long (%d characters once resolved against %s); "
			 "allowed: at most %zu characters", n, rd->base, size - 1);
		return -EINVAL;
	}
	return 0;
}

/* Letters, digits, '_', '-' and the extra characters given; never empty. */
bool conf_is_name(const char *s, const char *extra)
{
	if (s[0] == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    (extra == NULL || strchr(extra, *s) == NULL))
			return false;
	return true;
}

/*
 * A value from the file as it may appear in the one-line error: quoted, cut
 * at 48 characters, control and non-ASCII bytes escaped so that no newline
 * or terminal escape from a hostile file reaches a log.
 */
const char *conf_quote(char *buf, size_t size, const char *s)
{
	size_t o = 0;
	unsigned n = 0;

	if (size < 8) {
		buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (; *s != '\0' && o + 8 < size; s++, n++) {
		const unsigned char c = (unsigned char)*s;

		if (n == 48) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* ---- values of the configuration ---- */

/* Neither "this network" (0/8), loopback, nor multicast or the reserved 240/4. */
bool conf_is_unicast(uint32_t a)
{
	return (a >> 24) != 0 && (a >> 24) != 127 && (a >> 29) != 7;
}

int conf_read_name(const struct conf_reader *rd, const struct conf_field *f,
		   const char *extra, char *buf, size_t size)
{
	char allowed[96];

	snprintf(allowed, sizeof(allowed), "1..%zu letters, digits, '_', '-'%s%s", size - 1,
		 extra != NULL ? " or " : "", extra != NULL ? extra : "");
	if (conf_read_strbuf(rd, f, allowed, buf, size) < 0)
		return -EINVAL;
	if (!conf_is_name(buf, extra)) {
		char q[CONF_QUOTE_MAX];

		conf_err(rd, f->s, f->path, "%s is not a valid name; allowed: %s",
			 conf_quote(q, sizeof(q), buf), allowed);
		return -EINVAL;
	}
	return 0;
}

int conf_read_ipv4(const struct conf_reader *rd, const struct conf_field *f, uint32_t *addr)
{
	const char *s;
	char q[CONF_QUOTE_MAX];

	if (conf_read_str(rd, f, "an IPv4 address a.b.c.d", &s) < 0)
		return -EINVAL;
	if (conf_parse_ipv4(s, addr) < 0) {
		conf_err(rd, f->s, f->path, "expected an IPv4 address a.b.c.d, got %s; allowed: "
			 "four decimal numbers 0..255 separated by dots", conf_quote(q, sizeof(q), s));
		return -EINVAL;
	}
	if (!conf_is_unicast(*addr)) {
		conf_err(rd, f->s, f->path, "%s is not a unicast address; allowed: an address "
			 "outside 0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0/3", s);
		return -EINVAL;
	}
	return 0;
}

/* A prefix "a.b.c.d/len": the length in range and no host bits set. */
int conf_read_prefix(const struct conf_reader *rd, const struct conf_field *f, unsigned min,
		     unsigned max, struct conf_prefix *p)
{
	char q[CONF_QUOTE_MAX], net[24];
	const char *s;
	uint32_t a;
	uint8_t len;

	if (conf_read_str(rd, f, "an IPv4 prefix a.b.c.d/len", &s) < 0)
		return -EINVAL;
	if (conf_parse_host_prefix(s, &a, &len) < 0 || len < min || len > max) {
		conf_err(rd, f->s, f->path, "expected an IPv4 prefix a.b.c.d/len with len %u..%u, "
			 "got %s; allowed: a.b.c.d/len, len %u..%u", min, max,
			 conf_quote(q, sizeof(q), s), min, max);
		return -EINVAL;
	}
	if ((a & ~conf_mask(len)) != 0) {
		conf_format_prefix(a & conf_mask(len), len, net, sizeof(net));
		conf_err(rd, f->s, f->path, "%s has host bits set; allowed: the network address, "
			 "e.g. %s", s, net);
		return -EINVAL;
	}
	p->addr = a;
	p->len = len;
	return 0;
}

int conf_read_uint(const struct conf_reader *rd, const struct conf_field *f, long long min,
		   long long max, unsigned *v)
{
	long long x;

	if (conf_read_int(rd, f, min, max, &x) < 0)
		return -EINVAL;
	*v = (unsigned)x;
	return 0;
}

/* A readable regular file; the certificate store parses it later. */
static int check_readable(const struct conf_reader *rd, const struct conf_field *f,
			  const char *path)
{
	struct stat st;
	const char *why = NULL;

	if (stat(path, &st) < 0 || access(path, R_OK) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	if (why == NULL)
		return 0;
	conf_err(rd, f->s, f->path, "cannot read %s: %s; allowed: a readable file (relative "
		 "paths start at %s)", path, why, rd->base);
	return -EINVAL;
}

int conf_read_file_path(const struct conf_reader *rd, const struct conf_field *f, char *out,
			size_t size)
{
	const char *s;

	if (conf_read_str(rd, f, "a file name", &s) < 0 || conf_resolve(rd, f, s, out, size) < 0)
		return -EINVAL;
	return check_readable(rd, f, out);
}

/* A list of distinct names from a fixed set, e.g. protocols = [ "ikev2", "sstp" ]. */
int conf_read_flags(const struct conf_reader *rd, const struct conf_field *f,
		    const char *const *names, const unsigned *bits, unsigned *out)
{
	char allowed[CONF_ERR_MAX / 4], q[CONF_QUOTE_MAX];
	unsigned n, count = 0, flags = 0;

	while (names[count] != NULL)
		count++;
	conf_join(allowed, sizeof(allowed), names);
	if (conf_read_seq(rd, f, 1, count, allowed, &n) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct conf_field e;
		const char *s;
		unsigned k;

		conf_elem(&e, f->s, f->path, i);
		if (conf_read_str(rd, &e, allowed, &s) < 0)
			return -EINVAL;
		for (k = 0; k < count && strcasecmp(s, names[k]) != 0; k++)
			;
		if (k == count) {
			conf_err(rd, e.s, e.path, "unknown value %s; allowed: %s",
				 conf_quote(q, sizeof(q), s), allowed);
			return -EINVAL;
		}
		if (flags & bits[k]) {
			conf_err(rd, e.s, e.path, "\"%s\" is listed twice; allowed: each of %s once",
				 names[k], allowed);
			return -EINVAL;
		}
		flags |= bits[k];
	}
	*out = flags;
	return 0;
}
