/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf internals shared by the gateway configuration reader (conf.c) and the
 * port profile reader (profile.c): a reader that knows the file name and the
 * folder relative paths resolve against, one-line error reporting in the
 * "FILE:LINE: FIELD.PATH: what is wrong; allowed: WHAT" form, typed getters
 * over libconfig settings that name the expected type, and the lexical
 * pre-scan that catches what libconfig 1.5 would silently get wrong.
 */
#ifndef P2SGW_CONF_INT_H
#define P2SGW_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libconfig.h>

#include "conf.h"

#define CONF_FIELD_MAX 192        /* longest dotted field path we print */
#define CONF_TEXT_MAX (8u << 20)  /* largest configuration file we read */
#define CONF_QUOTE_MAX 80         /* a quoted value in an error line */

/* One load in progress: where the error line goes and how paths resolve. */
struct conf_reader {
	const char *file;          /* name printed in error lines */
	char *err;                 /* may be NULL */
	size_t errlen;
	char base[CONF_PATH_MAX];  /* folder relative paths resolve against */
};

/* A member of a group looked up by name; s is NULL when it is absent. */
struct conf_field {
	const config_setting_t *s;
	char path[CONF_FIELD_MAX];
};

/* reader.c */
int conf_reader_init(struct conf_reader *rd, const char *name, char *err, size_t errlen);
void conf_err_at(const struct conf_reader *rd, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_err(const struct conf_reader *rd, const config_setting_t *at, const char *field,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
unsigned conf_line(const config_setting_t *s);
int conf_read_file(const struct conf_reader *rd, const char *path, char **text, size_t *len);
int conf_prescan(const struct conf_reader *rd, const char *text, size_t len);
int conf_parse_text(const struct conf_reader *rd, config_t *cfg, const char *text, size_t len);

bool conf_field(struct conf_field *f, const config_setting_t *group, const char *gpath,
		const char *name);
void conf_elem(struct conf_field *f, const config_setting_t *seq, const char *spath,
	       unsigned i);
int conf_missing(const struct conf_reader *rd, const config_setting_t *group,
		 const struct conf_field *f, const char *allowed);
int conf_check_fields(const struct conf_reader *rd, const config_setting_t *group,
		      const char *gpath, const char *const *allowed);
int conf_read_group(const struct conf_reader *rd, const struct conf_field *f,
		    const char *const *allowed);
int conf_read_seq(const struct conf_reader *rd, const struct conf_field *f, unsigned min,
		  unsigned max, const char *allowed, unsigned *n);
int conf_read_int(const struct conf_reader *rd, const struct conf_field *f, long long min,
		  long long max, long long *v);
int conf_read_bool(const struct conf_reader *rd, const struct conf_field *f, bool *v);
int conf_read_str(const struct conf_reader *rd, const struct conf_field *f, const char *allowed,
		  const char **v);
int conf_read_strbuf(const struct conf_reader *rd, const struct conf_field *f,
		     const char *allowed, char *buf, size_t size);
int conf_resolve(const struct conf_reader *rd, const struct conf_field *f, const char *rel,
		 char *out, size_t size);
void conf_join(char *buf, size_t size, const char *const *names);
bool conf_is_name(const char *s, const char *extra);
const char *conf_quote(char *buf, size_t size, const char *s);

/* Values of the configuration, each with its own "allowed:" text. */
bool conf_is_unicast(uint32_t a);
int conf_read_name(const struct conf_reader *rd, const struct conf_field *f, const char *extra,
		   char *buf, size_t size);
int conf_read_ipv4(const struct conf_reader *rd, const struct conf_field *f, uint32_t *addr);
int conf_read_prefix(const struct conf_reader *rd, const struct conf_field *f, unsigned min,
		     unsigned max, struct conf_prefix *p);
int conf_read_uint(const struct conf_reader *rd, const struct conf_field *f, long long min,
		   long long max, unsigned *v);
int conf_read_file_path(const struct conf_reader *rd, const struct conf_field *f, char *out,
			size_t size);
int conf_read_flags(const struct conf_reader *rd, const struct conf_field *f,
		    const char *const *names, const unsigned *bits, unsigned *out);

/* parse.c */
int conf_parse_host_prefix(const char *s, uint32_t *addr, uint8_t *len);
uint32_t conf_mask(uint8_t len);
void conf_format_ipv4(uint32_t addr, char *buf, size_t size);
void conf_format_prefix(uint32_t addr, uint8_t len, char *buf, size_t size);

#endif
