/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge from DPDK telemetry to the ctl commands, so dpdk-telemetry.py and
 * collectors read the figures p2sctl shows from the same command functions.
 * rte_telemetry callbacks carry no context, so a static table maps each
 * telemetry name to its server and command; the callback runs the command on
 * telemetry's thread under the server's lock and converts the json-c result.
 *
 * DPDK 22.11 telemetry is narrower than JSON, and this file is where the two
 * meet: dict names may hold only [A-Za-z0-9_/]; an array container may hold
 * only arrays of scalars; strings are 127 bytes at most and their escaping
 * mangles control and non-ASCII bytes; a dict holds 256 entries, an array 512,
 * and the whole reply 16 KB. So: objects become dicts and nested objects are
 * flattened one level down with '/'-joined names ("drops/bad_checksum"),
 * arrays of objects become dicts keyed by index, strings are cut to printable
 * ASCII, and whatever does not fit is left out and counted, never overflowed.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_telemetry.h>

#include "ctl_priv.h"

#define TEL_OUTPUT_MAX (16 * 1024) /* telemetry's reply buffer (MAX_OUTPUT_LEN) */
#define FLATTEN_DEPTH_MAX 8        /* deeper values are sent as JSON text */

struct binding {
	char name[CTL_TELEMETRY_NAME_MAX];
	char help[RTE_TEL_MAX_STRING_LEN];
	struct ctl_server *srv;          /* NULL once that server is destroyed */
	const struct ctl_command *cmd;
};

/* Telemetry registrations cannot be withdrawn, so bindings outlive servers. */
static pthread_mutex_t bindings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct binding bindings[CTL_COMMANDS_MAX];
static unsigned n_bindings;

struct conv {
	int dropped;     /* values left out */
	size_t budget;   /* bytes of JSON telemetry still has room for, roughly */
	struct ctl_tel_made *made;
};

static_assert(RTE_TEL_MAX_DICT_ENTRIES == sizeof(((struct ctl_tel_made *)0)->containers) /
					 sizeof(struct rte_tel_data *),
	      "one container per top-level dict entry at most");

/* ---- json-c -> rte_tel_data ---- */

/* Printable ASCII only, since 22.11 corrupts the rest; one '?' per character. */
static void
tel_string(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 && (c & 0xc0) == 0x80)
			continue;
		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

static void
tel_name(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < len; s++)
		out[o++] = (isalnum((unsigned char)*s) && (unsigned char)*s < 0x80) || *s == '/' ?
				   *s : '_';
	if (o == 0 && len > 1)
		out[o++] = '_';
	out[o] = '\0';
}

static void
scalar_string(char *out, size_t len, const struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		tel_string(out, len, json_object_get_string((struct json_object *)v));
		break;
	case json_type_double:
		snprintf(out, len, "%.15g", json_object_get_double(v));
		break;
	case json_type_int:
		if (json_object_get_int64(v) == INT64_MAX)
			snprintf(out, len, "%" PRIu64, json_object_get_uint64(v));
		else
			snprintf(out, len, "%" PRId64, json_object_get_int64(v));
		break;
	case json_type_boolean:
		snprintf(out, len, "%s", json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_null:
		snprintf(out, len, "null");
		break;
	default: /* too deep to flatten: its JSON, as text */
		tel_string(out, len, json_object_to_json_string_ext(
				(struct json_object *)v, JSON_C_TO_STRING_PLAIN));
		break;
	}
}

static bool
charge(struct conv *cv, size_t bytes)
{
	if (bytes > cv->budget) {
		cv->budget = 0;
		cv->dropped++;
		return false;
	}
	cv->budget -= bytes;
	return true;
}

static bool
is_scalar(const struct json_object *v)
{
	enum json_type t = json_object_get_type(v);

	return t != json_type_object && t != json_type_array;
}

static int
dict_add_scalar(struct rte_tel_data *d, const char *name, const struct json_object *v,
		struct conv *cv)
{
	char key[RTE_TEL_MAX_STRING_LEN], text[RTE_TEL_MAX_STRING_LEN];
	int64_t x = json_object_get_int64(v);

	tel_name(key, sizeof(key), name);
	scalar_string(text, sizeof(text), v);
	if (!charge(cv, strlen(key) + strlen(text) + 6))
		return 0;
	if (json_object_is_type(v, json_type_boolean))
		return rte_tel_data_add_dict_u64(d, key, json_object_get_boolean(v) ? 1 : 0);
	if (json_object_is_type(v, json_type_int) && x >= 0)
		return rte_tel_data_add_dict_u64(d, key, x == INT64_MAX ?
							 json_object_get_uint64(v) : (uint64_t)x);
	if (json_object_is_type(v, json_type_int) && x >= INT_MIN)
		return rte_tel_data_add_dict_int(d, key, (int)x);
	return rte_tel_data_add_dict_string(d, key, text);
}

/* Non-negative integers and booleans as u64, int32 as int, anything else as text. */
static enum rte_tel_value_type
array_type(const struct json_object *arr)
{
	bool u64 = true, i32 = true;
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		const struct json_object *v = json_object_array_get_idx(arr, i);
		int64_t x = json_object_get_int64(v);

		if (json_object_is_type(v, json_type_boolean))
			continue;
		if (!json_object_is_type(v, json_type_int))
			return RTE_TEL_STRING_VAL;
		u64 = u64 && x >= 0;
		i32 = i32 && x >= INT_MIN && x <= INT_MAX;
	}
	return u64 ? RTE_TEL_U64_VAL : i32 ? RTE_TEL_INT_VAL : RTE_TEL_STRING_VAL;
}

static int
array_add(struct rte_tel_data *d, enum rte_tel_value_type type, const struct json_object *v,
	  struct conv *cv)
{
	char text[RTE_TEL_MAX_STRING_LEN];
	int64_t x = json_object_get_int64(v);

	scalar_string(text, sizeof(text), v);
	if (!charge(cv, strlen(text) + 3))
		return 0;
	if (type == RTE_TEL_U64_VAL)
		return rte_tel_data_add_array_u64(d, x == INT64_MAX ? json_object_get_uint64(v) :
								   (uint64_t)x);
	if (type == RTE_TEL_INT_VAL)
		return rte_tel_data_add_array_int(d, (int)x);
	return rte_tel_data_add_array_string(d, text);
}

static int
scalar_array(struct rte_tel_data *d, const struct json_object *arr, struct conv *cv)
{
	enum rte_tel_value_type type = array_type(arr);
	size_t i, n = json_object_array_length(arr);
	int rc = rte_tel_data_start_array(d, type);

	for (i = 0; rc == 0 && i < n; i++) {
		if (i == RTE_TEL_MAX_ARRAY_ENTRIES) {
			cv->dropped += (int)(n - i);
			break;
		}
		rc = array_add(d, type, json_object_array_get_idx(arr, i), cv);
	}
	return rc;
}

static bool
all_scalars(const struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++)
		if (!is_scalar(json_object_array_get_idx(arr, i)))
			return false;
	return true;
}

/* Put every scalar under v into d, named by its path below the container. */
static int
flatten(struct rte_tel_data *d, const char *prefix, const struct json_object *v, int depth,
	struct conv *cv, unsigned *entries)
{
	char name[RTE_TEL_MAX_STRING_LEN];
	const char *sep = prefix[0] != '\0' ? "/" : "";
	size_t i, n;
	int rc = 0;

	if (json_object_is_type(v, json_type_null))
		return 0;
	if (is_scalar(v) || depth == FLATTEN_DEPTH_MAX) {
		if (*entries == RTE_TEL_MAX_DICT_ENTRIES) {
			cv->dropped++;
			return 0;
		}
		(*entries)++;
		return dict_add_scalar(d, prefix, v, cv);
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			snprintf(name, sizeof(name), "%s%s%s", prefix, sep, key);
			rc = flatten(d, name, val, depth + 1, cv, entries);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	n = json_object_array_length(v);
	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(name, sizeof(name), "%s%s%zu", prefix, sep, i);
		rc = flatten(d, name, json_object_array_get_idx(v, i), depth + 1, cv, entries);
	}
	return rc;
}

/* One member of the top-level dict: a scalar, or one container of scalars. */
static int
dict_add_member(struct rte_tel_data *d, const char *name, const struct json_object *v,
		struct conv *cv)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	struct rte_tel_data *c;
	unsigned entries = 0;
	int rc;

	if (json_object_is_type(v, json_type_null))
		return 0;
	if (is_scalar(v))
		return dict_add_scalar(d, name, v, cv);
	tel_name(key, sizeof(key), name);
	if (!charge(cv, strlen(key) + 5))
		return 0;
	c = rte_tel_data_alloc();
	if (c == NULL)
		return -ENOMEM;
	if (json_object_is_type(v, json_type_array) && all_scalars(v))
		rc = scalar_array(c, v, cv);
	else {
		rc = rte_tel_data_start_dict(c);
		if (rc == 0)
			rc = flatten(c, "", v, 0, cv, &entries);
	}
	if (rc == 0)
		rc = rte_tel_data_add_dict_container(d, key, c, 0);
	if (rc != 0) {
		rte_tel_data_free(c);
		return rc;
	}
	cv->made->containers[cv->made->n++] = c;
	return 0;
}

/* An object, or an array holding containers (as a dict keyed by index). */
static int
top_dict(struct rte_tel_data *d, const struct json_object *v, struct conv *cv)
{
	unsigned entries = 0;
	char index[24];
	size_t i, n;
	int rc = rte_tel_data_start_dict(d);

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			if (rc != 0)
				break;
			if (entries++ == RTE_TEL_MAX_DICT_ENTRIES) {
				cv->dropped += json_object_object_length(v) - RTE_TEL_MAX_DICT_ENTRIES;
				break;
			}
			rc = dict_add_member(d, key, val, cv);
		}
		return rc;
	}
	n = json_object_array_length(v);
	for (i = 0; rc == 0 && i < n; i++) {
		if (i == RTE_TEL_MAX_DICT_ENTRIES) {
			cv->dropped += (int)(n - i);
			break;
		}
		snprintf(index, sizeof(index), "%zu", i);
		rc = dict_add_member(d, index, json_object_array_get_idx(v, i), cv);
	}
	return rc;
}

void
ctl_telemetry_release(struct ctl_tel_made *made)
{
	while (made->n > 0)
		rte_tel_data_free(made->containers[--made->n]);
}

int
ctl_telemetry_from_json(const struct json_object *value, struct rte_tel_data *d,
			struct ctl_tel_made *made)
{
	struct conv cv = { .dropped = 0, .budget = TEL_OUTPUT_MAX, .made = made };
	char *text;
	int rc;

	made->n = 0;
	switch (json_object_get_type(value)) {
	case json_type_null: /* "nothing to print": an empty dict, not telemetry's null */
		rc = rte_tel_data_start_dict(d);
		break;
	case json_type_object:
		rc = top_dict(d, value, &cv);
		break;
	case json_type_array:
		rc = all_scalars(value) ? scalar_array(d, value, &cv) : top_dict(d, value, &cv);
		break;
	default:
		text = malloc(RTE_TEL_MAX_SINGLE_STRING_LEN);
		if (text == NULL)
			return -ENOMEM;
		scalar_string(text, RTE_TEL_MAX_SINGLE_STRING_LEN, value);
		rc = rte_tel_data_string(d, text);
		free(text);
		break;
	}
	if (rc < 0)
		ctl_telemetry_release(made); /* telemetry sends null and frees nothing */
	return rc < 0 ? rc : cv.dropped;
}

/* ---- the bridge ---- */

static struct binding *
binding_find(const char *name)
{
	unsigned i;

	for (i = 0; i < n_bindings; i++)
		if (strcmp(bindings[i].name, name) == 0)
			return &bindings[i];
	return NULL;
}

/* Telemetry's own error is a bare null; a reason is worth more to an operator. */
static int
tel_error(struct rte_tel_data *d, const char *err)
{
	char text[RTE_TEL_MAX_STRING_LEN];

	tel_string(text, sizeof(text), err);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", text);
	return 0;
}

/* "5,detail" and "5 detail" both give two words; quoted commas stay. */
static int
params_line(const char *params, char *line, size_t len, char *err, size_t errlen)
{
	bool quoted = false;
	size_t i, n = params == NULL ? 0 : strlen(params);

	if (n >= len) {
		snprintf(err, errlen, "parameters longer than %zu bytes", len - 1);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		char c = params[i];

		if (quoted && c == '\\' && params[i + 1] != '\0') {
			line[i] = c;
			line[i + 1] = params[i + 1];
			i++;
			continue;
		}
		quoted = c == '"' ? !quoted : quoted;
		line[i] = c == ',' && !quoted ? ' ' : c;
	}
	line[n] = '\0';
	return 0;
}

static int
tel_callback(const char *name, const char *params, struct rte_tel_data *d)
{
	char line[CTL_LINE_MAX + 1], buf[CTL_LINE_MAX + 1], err[CTL_ERR_MAX];
	char *argv[CTL_ARGS_MAX];
	struct json_object *result = NULL;
	struct ctl_tel_made made;
	struct binding *b;
	int argc, rc;

	if (params_line(params, line, sizeof(line), err, sizeof(err)) < 0)
		return tel_error(d, err);
	argc = ctl_split(line, buf, sizeof(buf), argv, CTL_ARGS_MAX, err, sizeof(err));
	if (argc < 0)
		return tel_error(d, err);
	/* Held across the call so the server cannot be destroyed under it. */
	pthread_mutex_lock(&bindings_lock);
	b = binding_find(name);
	if (b == NULL || b->srv == NULL) {
		pthread_mutex_unlock(&bindings_lock);
		return -ENOENT;
	}
	ctl_lock(b->srv);
	rc = ctl_command_call(b->cmd, argc, argv, &result, err, sizeof(err));
	ctl_unlock(b->srv);
	pthread_mutex_unlock(&bindings_lock);
	if (rc < 0)
		return tel_error(d, err);
	rc = ctl_telemetry_from_json(result, d, &made);
	json_object_put(result);
	return rc < 0 ? rc : 0;
}

static int
bind_command(struct ctl_server *srv, const struct ctl_command *cmd)
{
	struct binding *b = binding_find(cmd->telemetry);
	int rc;

	if (b != NULL) { /* registered by an earlier server in this process */
		b->srv = srv;
		b->cmd = cmd;
		return 0;
	}
	if (n_bindings == CTL_COMMANDS_MAX)
		return -ENOSPC;
	b = &bindings[n_bindings];
	snprintf(b->name, sizeof(b->name), "%s", cmd->telemetry);
	if (cmd->args != NULL)
		snprintf(b->help, sizeof(b->help), "%s. Parameters: %s", cmd->help ? cmd->help : "",
			 cmd->args);
	else
		snprintf(b->help, sizeof(b->help), "%s", cmd->help ? cmd->help : "");
	tel_string(b->help, sizeof(b->help), b->help);
	rc = rte_telemetry_register_cmd(b->name, tel_callback, b->help);
	if (rc < 0)
		return rc;
	b->srv = srv;
	b->cmd = cmd;
	n_bindings++;
	return 0;
}

int
ctl_telemetry_register(struct ctl_server *srv)
{
	unsigned i;
	int rc = 0;

	pthread_mutex_lock(&bindings_lock);
	for (i = 0; rc == 0 && i < srv->n_commands; i++)
		if (srv->commands[i].telemetry != NULL)
			rc = bind_command(srv, &srv->commands[i]);
	pthread_mutex_unlock(&bindings_lock);
	return rc;
}

void
ctl_telemetry_forget(const struct ctl_server *srv)
{
	unsigned i;

	pthread_mutex_lock(&bindings_lock);
	for (i = 0; i < n_bindings; i++)
		if (bindings[i].srv == srv) {
			bindings[i].srv = NULL;
			bindings[i].cmd = NULL;
		}
	pthread_mutex_unlock(&bindings_lock);
}
