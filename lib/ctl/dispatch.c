/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table and what a request line means: commands are found by
 * whole words, longest path first, so "show sa 5" finds "show sa" even when
 * "show" exists too; the argument count is checked before the command runs;
 * and every refusal is one line that says what was wrong and what is allowed
 * (an unknown word and "try 'help'", the commands an incomplete line could
 * mean, the argument synopsis). The built-in "help" lives here too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl_priv.h"

/* Words of a command path: single spaces between printable, unquoted words. */
static int
path_words(const char *path)
{
	int words = 0;
	const char *p;

	if (path == NULL || path[0] == '\0' || path[0] == ' ')
		return -1;
	for (p = path; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x21 || c == 0x7f || c == '"' || c == '\\') {
			if (c != ' ' || p[1] == ' ' || p[1] == '\0')
				return -1;
			continue;
		}
		if (p == path || p[-1] == ' ')
			words++;
	}
	return words;
}

/*
 * How many leading words of argv equal the words of path; *whole says whether
 * all of path was matched.
 */
static int
path_prefix(const char *path, int argc, char **argv, bool *whole)
{
	const char *p = path;
	int n = 0;

	*whole = false;
	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (n == argc || strlen(argv[n]) != len || memcmp(argv[n], p, len) != 0)
			return n;
		n++;
		p += len;
		if (*p == ' ')
			p++;
	}
	*whole = true;
	return n;
}

/* What rte_telemetry accepts, and no ',' since that starts the parameters. */
static bool
telemetry_name_ok(const char *name)
{
	size_t len = name == NULL ? 0 : strlen(name);

	if (name == NULL)
		return true;
	if (len < 2 || len >= CTL_TELEMETRY_NAME_MAX || name[0] != '/')
		return false;
	return strspn(name, "/_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
	       len;
}

int
ctl_register(struct ctl_server *srv, const struct ctl_command *cmd)
{
	int words = cmd == NULL ? -1 : path_words(cmd->path);
	unsigned i;

	if (words < 0 || cmd->fn == NULL || cmd->min_args > cmd->max_args ||
	    cmd->max_args + (unsigned)words > CTL_ARGS_MAX || !telemetry_name_ok(cmd->telemetry))
		return -EINVAL;
	for (i = 0; i < srv->n_commands; i++)
		if (strcmp(srv->commands[i].path, cmd->path) == 0)
			return -EEXIST;
	if (srv->n_commands == CTL_COMMANDS_MAX)
		return -ENOSPC;
	srv->commands[srv->n_commands++] = *cmd;
	return 0;
}

static const struct ctl_command *
find_command(const struct ctl_server *srv, int argc, char **argv, int *used)
{
	const struct ctl_command *best = NULL;
	unsigned i;

	*used = 0;
	for (i = 0; i < srv->n_commands; i++) {
		bool whole;
		int n = path_prefix(srv->commands[i].path, argc, argv, &whole);

		if (whole && (best == NULL || n > *used)) {
			best = &srv->commands[i];
			*used = n;
		}
	}
	return best;
}

/* Append s to out (of size cap, at *len), keeping it NUL-terminated and whole-or-nothing. */
static bool
append(char *out, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > cap)
		return false;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return true;
}

static void
join_words(char *out, size_t cap, int argc, char **argv)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < argc; i++)
		if ((i > 0 && !append(out, cap, &len, " ")) || !append(out, cap, &len, argv[i]))
			break;
}

/* No command path matched all its words: say which words are wrong. */
static void
no_command_error(const struct ctl_server *srv, int argc, char **argv, char *err, size_t errlen)
{
	char words[CTL_ERR_MAX / 2];
	size_t len, room = errlen - sizeof(", ...");
	int longest = 0, listed = 0;
	unsigned i;
	bool whole;

	for (i = 0; i < srv->n_commands; i++) {
		int n = path_prefix(srv->commands[i].path, argc, argv, &whole);

		longest = n > longest ? n : longest;
	}
	join_words(words, sizeof(words), longest < argc ? longest + 1 : argc, argv);
	if (longest < argc) {
		snprintf(err, errlen, "unknown command '%s'; try 'help'", words);
		return;
	}
	/* Every word matched the start of some longer path: list those paths. */
	snprintf(err, errlen, "incomplete command '%s'; one of: ", words);
	len = strlen(err);
	for (i = 0; i < srv->n_commands; i++) {
		const char *path = srv->commands[i].path;

		if (path_prefix(path, argc, argv, &whole) != argc)
			continue;
		if ((listed > 0 && !append(err, room, &len, ", ")) || !append(err, room, &len, path)) {
			append(err, errlen, &len, listed > 0 ? ", ..." : "...");
			return;
		}
		listed++;
	}
}

static void
arg_count_error(const struct ctl_command *cmd, int argc, char *err, size_t errlen)
{
	unsigned want = (unsigned)argc < cmd->min_args ? cmd->min_args : cmd->max_args;
	const char *bound = cmd->min_args == cmd->max_args ? "" :
			    (unsigned)argc < cmd->min_args ? "at least " : "at most ";
	char synopsis[64] = "";

	if (cmd->args != NULL && want > 0)
		snprintf(synopsis, sizeof(synopsis), " (%s)", cmd->args);
	if (want == 0)
		snprintf(err, errlen, "%s: expected no arguments, got %d", cmd->path, argc);
	else
		snprintf(err, errlen, "%s: expected %s%u argument%s%s, got %d", cmd->path, bound,
			 want, want == 1 ? "" : "s", synopsis, argc);
}

/* A handler's message goes to the operator as one line, whatever it wrote. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int
ctl_command_call(const struct ctl_command *cmd, int argc, char **argv,
		 struct json_object **result, char *err, size_t errlen)
{
	int rc;

	*result = NULL;
	err[0] = '\0';
	if ((unsigned)argc < cmd->min_args || (unsigned)argc > cmd->max_args) {
		arg_count_error(cmd, argc, err, errlen);
		return -EINVAL;
	}
	rc = cmd->fn(cmd->ctx, argc, argv, result, err, errlen);
	err[errlen - 1] = '\0';
	if (rc >= 0)
		return 0;
	json_object_put(*result);
	*result = NULL;
	if (err[0] == '\0')
		snprintf(err, errlen, "%s: %s", cmd->path, strerror(-rc));
	one_line(err);
	return rc;
}

static struct json_object *
reply_new(bool ok, const char *key, struct json_object *value)
{
	struct json_object *reply = json_object_new_object();

	if (reply == NULL) {
		json_object_put(value);
		return NULL;
	}
	json_object_object_add(reply, "ok", json_object_new_boolean(ok));
	json_object_object_add(reply, key, value);
	return reply;
}

struct json_object *
ctl_reply_error(const char *err)
{
	return reply_new(false, "error", json_object_new_string(err));
}

struct json_object *
ctl_dispatch(struct ctl_server *srv, const char *line)
{
	char buf[CTL_LINE_MAX + 1];
	char *argv[CTL_ARGS_MAX];
	char err[CTL_ERR_MAX];
	const struct ctl_command *cmd;
	struct json_object *result;
	int argc, used;

	if (line == NULL)
		line = "";
	argc = ctl_split(line, buf, sizeof(buf), argv, CTL_ARGS_MAX, err, sizeof(err));
	if (argc < 0)
		return ctl_reply_error(err);
	if (argc == 0)
		return ctl_reply_error("empty command; try 'help'");
	cmd = find_command(srv, argc, argv, &used);
	if (cmd == NULL) {
		no_command_error(srv, argc, argv, err, sizeof(err));
		return ctl_reply_error(err);
	}
	if (ctl_command_call(cmd, argc - used, argv + used, &result, err, sizeof(err)) < 0)
		return ctl_reply_error(err);
	return reply_new(true, "result", result);
}

/* ---- help ---- */

/* Does path start with words, the last of which may be cut short ("help sh")? */
static bool
help_matches(const char *path, int argc, char **argv)
{
	bool whole;
	int n;

	if (argc == 0)
		return true;
	n = path_prefix(path, argc - 1, argv, &whole);
	if (n != argc - 1 || whole)
		return false;
	while (n-- > 0)
		path = strchr(path, ' ') + 1;
	return strncmp(path, argv[argc - 1], strlen(argv[argc - 1])) == 0;
}

static int
by_path(const void *a, const void *b)
{
	const struct ctl_command *x = *(const struct ctl_command *const *)a;
	const struct ctl_command *y = *(const struct ctl_command *const *)b;

	return strcmp(x->path, y->path);
}

static struct json_object *
help_entry(const struct ctl_command *cmd)
{
	struct json_object *entry = json_object_new_object();

	json_object_object_add(entry, "command", json_object_new_string(cmd->path));
	json_object_object_add(entry, "arguments",
			       cmd->args ? json_object_new_string(cmd->args) : NULL);
	json_object_object_add(entry, "help", json_object_new_string(cmd->help ? cmd->help : ""));
	return entry;
}

static int
help_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	const struct ctl_server *srv = ctx;
	const struct ctl_command *found[CTL_COMMANDS_MAX];
	unsigned i, n = 0;

	for (i = 0; i < srv->n_commands; i++)
		if (help_matches(srv->commands[i].path, argc, argv))
			found[n++] = &srv->commands[i];
	if (n == 0) {
		char words[CTL_ERR_MAX / 2];

		join_words(words, sizeof(words), argc, argv);
		snprintf(err, errlen, "help: no command starts with '%s'", words);
		return -ENOENT;
	}
	qsort(found, n, sizeof(found[0]), by_path);
	*result = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++)
		json_object_array_add(*result, help_entry(found[i]));
	return 0;
}

void
ctl_register_builtins(struct ctl_server *srv)
{
	const struct ctl_command help = {
		.path = "help",
		.args = "[WORDS...]",
		.help = "list the commands, or those that start with WORDS",
		.min_args = 0,
		.max_args = CTL_ARGS_MAX - 1,
		.fn = help_fn,
		.ctx = srv,
	};

	ctl_register(srv, &help);
}
