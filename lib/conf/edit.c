/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changes to a running gateway's configuration file (p2sctl set ..., root
 * add ...): the file is read into libconfig's tree, the change is made
 * there, the whole result is checked by the same reader as at start-up
 * (so a change gets the same one-line errors and is refused whole), and
 * only then written: temporary file in the same folder, fsync, rename over
 * the old one, fsync of the folder. A crash leaves the old file or the new
 * one, never half of either. libconfig writes its tree without the
 * comments of the original; the values are all kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

static config_setting_t *
child(config_setting_t *parent, const char *name, int type)
{
	config_setting_t *s = config_setting_get_member(parent, name);

	if (s != NULL && config_setting_type(s) != type) {
		config_setting_remove(parent, name);
		s = NULL;
	}
	return s != NULL ? s : config_setting_add(parent, name, type);
}

/* protocols / auth: a list of names with one added or taken out. */
static int
edit_flags(config_setting_t *root, const char *field, const char *name, bool on, char *err,
	   size_t errlen)
{
	config_setting_t *list = config_setting_get_member(root, field);
	int i, n, found = -1;

	if (list == NULL || !config_setting_is_aggregate(list)) {
		snprintf(err, errlen, "%s: not a list in the file", field);
		return -EINVAL;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const char *s = config_setting_get_string_elem(list, i);

		if (s != NULL && strcasecmp(s, name) == 0)
			found = i;
	}
	if (on && found < 0)
		return config_setting_set_string_elem(list, -1, name) ? 0 : -ENOMEM;
	if (!on && found >= 0)
		return config_setting_remove_elem(list, (unsigned)found) ? 0 : -EINVAL;
	return 0;
}

/* trusted_roots / revoked: a list of groups, found by name. */
static int
find_named(config_setting_t *list, const char *name)
{
	int i, n = config_setting_length(list);
	const char *s;

	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned)i);

		if (e != NULL && config_setting_lookup_string(e, "name", &s) && strcmp(s, name) == 0)
			return i;
	}
	return -1;
}

static int
edit_named(config_setting_t *root, const char *field, const struct conf_change *ch, char *err,
	   size_t errlen)
{
	config_setting_t *list = child(root, field, CONFIG_TYPE_LIST), *e;
	int at;

	if (list == NULL)
		return -ENOMEM;
	at = find_named(list, ch->name);
	if (!ch->on) {
		if (at < 0) {
			snprintf(err, errlen, "%s: no entry named \"%s\"", field, ch->name);
			return -ENOENT;
		}
		config_setting_remove_elem(list, (unsigned)at);
		if (config_setting_length(list) == 0)
			config_setting_remove(root, field);
		return 0;
	}
	if (at >= 0) {
		snprintf(err, errlen, "%s: \"%s\" is there already; allowed: a new name", field,
			 ch->name);
		return -EEXIST;
	}
	e = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
	if (e == NULL ||
	    !config_setting_set_string(config_setting_add(e, "name", CONFIG_TYPE_STRING),
				       ch->name) ||
	    !config_setting_set_string(config_setting_add(e, ch->key, CONFIG_TYPE_STRING),
				       ch->value))
		return -ENOMEM;
	return 0;
}

static int
edit_addresses(config_setting_t *root, const char *field, const struct conf_change *ch)
{
	config_setting_t *list;
	unsigned i;

	config_setting_remove(root, field);
	if (ch->n == 0)
		return 0;
	list = config_setting_add(root, field, CONFIG_TYPE_ARRAY);
	for (i = 0; list != NULL && i < ch->n; i++)
		if (!config_setting_set_string_elem(list, -1, ch->list[i]))
			return -ENOMEM;
	return list == NULL ? -ENOMEM : 0;
}

static int
apply(config_t *cfg, const struct conf_change *ch, char *err, size_t errlen)
{
	config_setting_t *root = config_root_setting(cfg), *s;

	switch (ch->kind) {
	case CONF_CHANGE_SKU:
		s = child(root, "sku", CONFIG_TYPE_STRING);
		return s != NULL && config_setting_set_string(s, ch->value) ? 0 : -ENOMEM;
	case CONF_CHANGE_TUNNEL_LIMIT:
		s = child(root, "tunnel_limit", CONFIG_TYPE_INT);
		return s != NULL && config_setting_set_int(s, (int)ch->number) ? 0 : -ENOMEM;
	case CONF_CHANGE_RATE:
		s = child(root, "rate_mbps", CONFIG_TYPE_INT);
		return s != NULL && config_setting_set_int(s, (int)ch->number) ? 0 : -ENOMEM;
	case CONF_CHANGE_PROTOCOL:
		return edit_flags(root, "protocols", ch->name, ch->on, err, errlen);
	case CONF_CHANGE_AUTH:
		return edit_flags(root, "auth", ch->name, ch->on, err, errlen);
	case CONF_CHANGE_ROOT:
		return edit_named(root, "trusted_roots", ch, err, errlen);
	case CONF_CHANGE_REVOKED:
		return edit_named(root, "revoked", ch, err, errlen);
	case CONF_CHANGE_DNS:
		return edit_addresses(root, "dns", ch);
	case CONF_CHANGE_VNET:
		return edit_addresses(root, "vnet", ch);
	}
	snprintf(err, errlen, "unknown change");
	return -EINVAL;
}

/* Write text to path atomically: temporary file beside it, fsync, rename, fsync the folder. */
static int
write_atomic(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	char tmp[CONF_PATH_MAX + 16], dir[CONF_PATH_MAX];
	int fd, dfd, rc = 0;
	size_t off = 0;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write beside it: %s", path, strerror(-rc));
		return rc;
	}
	while (off < len && (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	if (off != len || fsync(fd) != 0)
		rc = errno ? -errno : -EIO;
	/* Keep the old file's mode: it may hold RADIUS secrets (0600). */
	if (rc == 0) {
		struct stat st;

		if (stat(path, &st) == 0 && fchmod(fd, st.st_mode & 07777) != 0)
			rc = -errno;
	}
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
conf_edit(const char *path, const struct conf_change *ch, struct conf *out, char *err,
	  size_t errlen)
{
	struct conf next;
	config_t cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&cfg),
			 config_error_text(&cfg) ? config_error_text(&cfg) : "cannot read");
		config_destroy(&cfg);
		return -EINVAL;
	}
	rc = apply(&cfg, ch, err, errlen);
	if (rc == 0) {
		mem = open_memstream(&text, &len);
		if (mem == NULL) {
			rc = -ENOMEM;
		} else {
			config_write(&cfg, mem);
			if (fclose(mem) != 0)
				rc = -ENOMEM;
		}
	}
	config_destroy(&cfg);
	/* The whole file as it would be, read the way start-up reads it. */
	if (rc == 0)
		rc = conf_load_string(text, path, &next, err, errlen);
	if (rc == 0) {
		rc = write_atomic(path, text, len, err, errlen);
		if (rc == 0)
			*out = next;
		else
			conf_free(&next);
	}
	free(text);
	return rc;
}
