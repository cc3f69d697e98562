/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Human rendering of a command result, generic over its JSON shape so that
 * commands only build data and never format it: an object of scalars becomes
 * aligned "key: value" lines, an array of objects a table whose header is the
 * union of their keys (numbers right-aligned, "-" where a row has no value),
 * and an object's arrays and sub-objects become titled sections below its
 * scalars. Strings may carry what a remote peer chose (a certificate's
 * subject, a RADIUS reply), so every byte that is not printable UTF-8 is
 * shown escaped rather than passed to the operator's terminal.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl_priv.h"

#define SECTION_DEPTH_MAX 2 /* sections and sub-sections; deeper values print as JSON */
#define INDENT 2
#define COLUMN_GAP 2

struct cell {
	char *text;      /* escaped, printable; NULL only when out of memory */
	size_t width;    /* terminal columns */
	bool number;
};

/* Columns a printable UTF-8 string takes: one per character. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static bool
is_c1_control(const unsigned char *p, size_t n)
{
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/* Printable copy of len bytes: controls, C1 controls and broken UTF-8 as \xNN. */
static char *
escape(const char *s, size_t len)
{
	char *out = malloc(len * 4 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (out == NULL)
		return NULL;
	while (p < end) {
		size_t n = *p == '\0' ? 0 : ctl_utf8_len(p, (size_t)(end - p));

		if (n == 0 || *p < 0x20 || *p == 0x7f || is_c1_control(p, n)) {
			if (*p == '\n' || *p == '\t' || *p == '\r')
				o += sprintf(o, "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
			else
				o += sprintf(o, "\\x%02x", *p);
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

static char *
scalar_text(const struct json_object *v)
{
	char num[32];

	switch (json_object_get_type(v)) {
	case json_type_null:
		return strdup("-");
	case json_type_boolean:
		return strdup(json_object_get_boolean(v) ? "yes" : "no");
	case json_type_int:
		if (json_object_get_int64(v) == INT64_MAX)
			snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(v));
		else
			snprintf(num, sizeof(num), "%" PRId64, json_object_get_int64(v));
		return strdup(num);
	case json_type_double:
		snprintf(num, sizeof(num), "%.15g", json_object_get_double(v));
		return strdup(num);
	case json_type_string:
		return escape(json_object_get_string((struct json_object *)v),
			      (size_t)json_object_get_string_len(v));
	default: {
		/* json-c caches the serialisation in the object, hence the cast. */
		const char *json = json_object_to_json_string_ext(
			(struct json_object *)v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

		return escape(json, strlen(json));
	}
	}
}

static void
cell_set(struct cell *c, const struct json_object *v)
{
	enum json_type t = json_object_get_type(v);

	c->text = scalar_text(v);
	c->width = c->text != NULL ? text_width(c->text) : 1;
	c->number = t == json_type_int || t == json_type_double;
}

static void
cell_print(const struct cell *c, FILE *out)
{
	fputs(c->text != NULL ? c->text : "?", out);
}

static void
pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static bool
is_container(const struct json_object *v)
{
	enum json_type t = json_object_get_type(v);

	return t == json_type_object || t == json_type_array;
}

/* ---- tables ---- */

struct table {
	size_t rows, cols;
	const char **keys;
	struct cell *head;   /* cols */
	struct cell *cells;  /* rows * cols */
	size_t *width;       /* cols */
	bool *numeric;       /* cols: every value present is a number */
};

static bool
table_add_key(struct table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->cols; i++)
		if (strcmp(t->keys[i], key) == 0)
			return false;
	t->keys[t->cols++] = key;
	return true;
}

static char *
header_text(const char *key)
{
	char *text = escape(key, strlen(key)), *p;

	for (p = text; p != NULL && *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return text;
}

static int
table_fill(struct table *t, const struct json_object *rows)
{
	size_t r, c, max_keys = 0;

	for (r = 0; r < t->rows; r++)
		max_keys += (size_t)json_object_object_length(json_object_array_get_idx(rows, r));
	t->keys = calloc(max_keys + 1, sizeof(*t->keys));
	if (t->keys == NULL)
		return -1;
	for (r = 0; r < t->rows; r++) {
		json_object_object_foreach(json_object_array_get_idx(rows, r), key, val) {
			(void)val;
			table_add_key(t, key);
		}
	}
	t->head = calloc(t->cols + 1, sizeof(*t->head));
	t->cells = calloc(t->rows * t->cols + 1, sizeof(*t->cells));
	t->width = calloc(t->cols + 1, sizeof(*t->width));
	t->numeric = calloc(t->cols + 1, sizeof(*t->numeric));
	if (t->head == NULL || t->cells == NULL || t->width == NULL || t->numeric == NULL)
		return -1;
	for (c = 0; c < t->cols; c++) {
		t->head[c].text = header_text(t->keys[c]);
		t->head[c].width = t->head[c].text ? text_width(t->head[c].text) : 1;
		t->width[c] = t->head[c].width;
		t->numeric[c] = true;
	}
	for (r = 0; r < t->rows; r++) {
		const struct json_object *row = json_object_array_get_idx(rows, r);

		for (c = 0; c < t->cols; c++) {
			struct cell *cell = &t->cells[r * t->cols + c];
			struct json_object *v = NULL;

			json_object_object_get_ex(row, t->keys[c], &v);
			cell_set(cell, v);
			if (v != NULL && !cell->number)
				t->numeric[c] = false;
			t->width[c] = cell->width > t->width[c] ? cell->width : t->width[c];
		}
	}
	return 0;
}

static void
table_print_row(const struct table *t, const struct cell *row, FILE *out, int indent)
{
	size_t c;

	pad(out, (size_t)indent);
	for (c = 0; c < t->cols; c++) {
		size_t gap = t->width[c] - row[c].width;

		if (c > 0)
			pad(out, COLUMN_GAP);
		if (t->numeric[c])
			pad(out, gap);
		cell_print(&row[c], out);
		if (!t->numeric[c] && c + 1 < t->cols)
			pad(out, gap);
	}
	fputc('\n', out);
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; t->head != NULL && i < t->cols; i++)
		free(t->head[i].text);
	for (i = 0; t->cells != NULL && i < t->rows * t->cols; i++)
		free(t->cells[i].text);
	free(t->keys);
	free(t->head);
	free(t->cells);
	free(t->width);
	free(t->numeric);
}

static void
render_table(const struct json_object *rows, FILE *out, int indent)
{
	struct table t = { .rows = json_object_array_length(rows) };
	size_t r;

	if (table_fill(&t, rows) == 0) {
		table_print_row(&t, t.head, out, indent);
		for (r = 0; r < t.rows; r++)
			table_print_row(&t, &t.cells[r * t.cols], out, indent);
	} else {
		fputs("(out of memory)\n", out);
	}
	table_free(&t);
}

/* ---- lists, objects, sections ---- */

static void
render_line(const struct json_object *v, FILE *out, int indent)
{
	struct cell c;

	cell_set(&c, v);
	pad(out, (size_t)indent);
	cell_print(&c, out);
	fputc('\n', out);
	free(c.text);
}

static void
render_array(const struct json_object *arr, FILE *out, int indent)
{
	size_t i, n = json_object_array_length(arr);
	bool rows = n > 0;

	for (i = 0; i < n; i++)
		rows = rows && json_object_is_type(json_object_array_get_idx(arr, i),
						   json_type_object);
	if (n == 0) {
		pad(out, (size_t)indent);
		fputs("(none)\n", out);
	} else if (rows) {
		render_table(arr, out, indent);
	} else {
		for (i = 0; i < n; i++)
			render_line(json_object_array_get_idx(arr, i), out, indent);
	}
}

static bool
is_section(const struct json_object *v, int depth)
{
	return is_container(v) && depth < SECTION_DEPTH_MAX;
}

static void
render_pair(const char *key, size_t width, const struct json_object *v, FILE *out, int indent)
{
	char *k = escape(key, strlen(key));
	struct cell c;

	cell_set(&c, v);
	pad(out, (size_t)indent);
	fprintf(out, "%s:", k != NULL ? k : "?");
	if (c.width > 0) {
		pad(out, width - (k != NULL ? text_width(k) : 1) + 1);
		cell_print(&c, out);
	}
	fputc('\n', out);
	free(c.text);
	free(k);
}

static void
render_title(const char *key, FILE *out, int indent)
{
	char *k = escape(key, strlen(key));

	pad(out, (size_t)indent);
	fprintf(out, "%s:\n", k != NULL ? k : "?");
	free(k);
}

static void render_value(const struct json_object *v, FILE *out, int indent, int depth);

static void
render_object(const struct json_object *obj, FILE *out, int indent, int depth)
{
	size_t width = 0, len;
	bool above = false;

	if (json_object_object_length(obj) == 0) {
		pad(out, (size_t)indent);
		fputs("(none)\n", out);
		return;
	}
	json_object_object_foreach(obj, k1, v1) {
		char *k = escape(k1, strlen(k1));

		len = k != NULL ? text_width(k) : 1;
		if (!is_section(v1, depth) && len > width)
			width = len;
		free(k);
	}
	json_object_object_foreach(obj, k2, v2) {
		if (!is_section(v2, depth)) {
			render_pair(k2, width, v2, out, indent);
			above = true;
		}
	}
	json_object_object_foreach(obj, k3, v3) {
		if (!is_section(v3, depth))
			continue;
		if (above && depth == 0)
			fputc('\n', out);
		render_title(k3, out, indent);
		render_value(v3, out, indent + INDENT, depth + 1);
		above = true;
	}
}

static void
render_value(const struct json_object *v, FILE *out, int indent, int depth)
{
	if (json_object_is_type(v, json_type_object))
		render_object(v, out, indent, depth);
	else if (json_object_is_type(v, json_type_array))
		render_array(v, out, indent);
	else
		render_line(v, out, indent);
}

void
ctl_render_text(const struct json_object *result, FILE *out)
{
	if (result == NULL)
		return;
	render_value(result, out, 0, 0);
}
