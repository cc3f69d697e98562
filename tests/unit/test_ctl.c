/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ctl against the real library: the tokenizer, command
 * lookup and its error lines, the unix socket server driven by real client
 * sockets in a temporary directory (modes, stale and live sockets, hostile and
 * idle clients), the text renderer compared byte for byte, and the telemetry
 * bridge, first by converting results directly and then, when an EAL can be
 * started here, through DPDK's own telemetry socket as dpdk-telemetry.py
 * would read it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_telemetry.h>

#include "ctl.h"
#include "ctl_priv.h"

static char tmpdir[64];

/* ---- helpers ---- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sock_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

/* Echo: {"command": ctx, "args": [argv...]} so tests see what the handler got. */
static int
echo_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	struct json_object *args = json_object_new_array();
	int i;

	(void)err;
	(void)errlen;
	for (i = 0; i < argc; i++)
		json_object_array_add(args, json_object_new_string(argv[i]));
	*result = json_object_new_object();
	json_object_object_add(*result, "command", json_object_new_string(ctx));
	json_object_object_add(*result, "args", args);
	return 0;
}

static int
fail_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	(void)ctx;
	*result = json_object_new_string("must be freed, not sent");
	snprintf(err, errlen, "fail: no such thing '%s'", argc > 0 ? argv[0] : "");
	return -ENOENT;
}

static int
silent_fail_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err,
	       size_t errlen)
{
	(void)ctx, (void)argc, (void)argv, (void)result, (void)err, (void)errlen;
	return -EIO;
}

static int
null_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	(void)ctx, (void)argc, (void)argv, (void)err, (void)errlen;
	*result = NULL;
	return 0;
}

/* A reply of about 600 KB, more than a socket buffer holds. */
static int
big_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	char text[1000];
	int i;

	(void)ctx, (void)argc, (void)argv, (void)err, (void)errlen;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	*result = json_object_new_array();
	for (i = 0; i < 600; i++)
		json_object_array_add(*result, json_object_new_string(text));
	return 0;
}

static const struct ctl_command test_commands[] = {
	{ "show ports", NULL, "list ports", 0, 0, echo_fn, "show ports", "/p2sgw/test_ports" },
	{ "show workers", NULL, "list workers", 0, 0, echo_fn, "show workers", NULL },
	{ "show sa", "ID", "show SAs, or one", 0, 1, echo_fn, "show sa", "/p2sgw/test" },
	{ "set sku", "SKU", "change the SKU", 1, 1, echo_fn, "set sku", NULL },
	{ "clear", "[WHAT [ID]]", "clear things", 0, 2, echo_fn, "clear", NULL },
	{ "clear counters", NULL, "zero the counters", 0, 0, echo_fn, "clear counters", NULL },
	{ "fail", "THING", "always fails", 0, 1, fail_fn, NULL, "/p2sgw/test_fail" },
	{ "show broken", NULL, "fails without a message", 0, 0, silent_fail_fn, NULL, NULL },
	{ "show nothing", NULL, "returns no result", 0, 0, null_fn, NULL, NULL },
	{ "show big", NULL, "a large reply", 0, 0, big_fn, NULL, NULL },
};

static struct ctl_server *
server_new(const char *name)
{
	char path[108], err[CTL_ERR_MAX];
	struct ctl_server *srv;
	size_t i;

	sock_path(path, sizeof(path), name);
	srv = ctl_server_create(path, 0660, "", err, sizeof(err));
	if (srv == NULL)
		fail_msg("ctl_server_create: %s", err);
	for (i = 0; i < sizeof(test_commands) / sizeof(test_commands[0]); i++)
		assert_int_equal(ctl_register(srv, &test_commands[i]), 0);
	return srv;
}

/* Dispatch a line and return its reply as compact JSON text (static buffer). */
static const char *
dispatch_text(struct ctl_server *srv, const char *line)
{
	static char text[4096];
	struct json_object *reply = ctl_dispatch(srv, line);

	assert_non_null(reply);
	snprintf(text, sizeof(text), "%s",
		 json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(reply);
	return text;
}

static const char *
dispatch_error(struct ctl_server *srv, const char *line)
{
	static char error[CTL_ERR_MAX + 32];
	struct json_object *reply = ctl_dispatch(srv, line), *ok, *msg;

	assert_non_null(reply);
	assert_true(json_object_object_get_ex(reply, "ok", &ok));
	assert_false(json_object_get_boolean(ok));
	assert_true(json_object_object_get_ex(reply, "error", &msg));
	snprintf(error, sizeof(error), "%s", json_object_get_string(msg));
	json_object_put(reply);
	return error;
}

/* ---- ctl_split ---- */

static int
split(const char *line, char **argv, char *buf, size_t len, int maxargs, char *err)
{
	return ctl_split(line, buf, len, argv, maxargs, err, CTL_ERR_MAX);
}

static void
test_split_plain(void **state)
{
	char buf[64], err[CTL_ERR_MAX], *argv[8];

	(void)state;
	assert_int_equal(split("  show \t sa  5\n", argv, buf, sizeof(buf), 8, err), 3);
	assert_string_equal(argv[0], "show");
	assert_string_equal(argv[1], "sa");
	assert_string_equal(argv[2], "5");
	assert_int_equal(split("help\r\n", argv, buf, sizeof(buf), 8, err), 1);
	assert_string_equal(argv[0], "help");
	assert_int_equal(split("", argv, buf, sizeof(buf), 8, err), 0);
	assert_int_equal(split(" \t \n", argv, buf, sizeof(buf), 8, err), 0);
	assert_int_equal(split("caf\xc3\xa9 \xe2\x82\xac", argv, buf, sizeof(buf), 8, err), 2);
	assert_string_equal(argv[1], "\xe2\x82\xac");
}

static void
test_split_quotes(void **state)
{
	char buf[64], err[CTL_ERR_MAX], *argv[8];

	(void)state;
	assert_int_equal(split("set name \"a b\" \"\" x\"y z\"w", argv, buf, sizeof(buf), 8, err),
			 5);
	assert_string_equal(argv[2], "a b");
	assert_string_equal(argv[3], "");
	assert_string_equal(argv[4], "xy zw");
}

static void
test_split_escapes(void **state)
{
	char buf[64], err[CTL_ERR_MAX], *argv[8];

	(void)state;
	assert_int_equal(split("\"a\\\"b\" \"c\\\\d\" \"e\\f\" g\\h \"\\\"\"", argv, buf,
			       sizeof(buf), 8, err), 5);
	assert_string_equal(argv[0], "a\"b");
	assert_string_equal(argv[1], "c\\d");
	assert_string_equal(argv[2], "e\\f"); /* as in sh: other escapes stay */
	assert_string_equal(argv[3], "g\\h"); /* outside quotes a backslash is a byte */
	assert_string_equal(argv[4], "\"");
}

static void
test_split_unterminated(void **state)
{
	char buf[64], err[CTL_ERR_MAX], *argv[8];

	(void)state;
	assert_int_equal(split("show \"abc", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "unterminated quote starting at position 6");
	assert_int_equal(split("a \"b\\\"", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "unterminated quote starting at position 3");
}

static void
test_split_control(void **state)
{
	char buf[64], err[CTL_ERR_MAX], *argv[8];

	(void)state;
	assert_int_equal(split("show\x01", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "control character 0x01 at position 5");
	assert_int_equal(split("a\nb", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "control character 0x0a at position 2");
	assert_int_equal(split("a\r", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "control character 0x0d at position 2");
	assert_int_equal(split("\"a\x7f\"", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "control character 0x7f at position 3");
	assert_int_equal(split("a \"b\tc\"", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "control character 0x09 at position 5");
	assert_int_equal(split("ab \xff", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "invalid UTF-8 at position 4");
	assert_int_equal(split("\xc3(", argv, buf, sizeof(buf), 8, err), -EINVAL);
	assert_string_equal(err, "invalid UTF-8 at position 1");
	assert_int_equal(split("\xed\xa0\x80", argv, buf, sizeof(buf), 8, err), -EINVAL);
}

static void
test_split_too_many(void **state)
{
	char buf[128], err[CTL_ERR_MAX], *argv[CTL_ARGS_MAX];
	char line[128] = "";
	int i;

	(void)state;
	for (i = 0; i < CTL_ARGS_MAX; i++)
		strcat(line, "w ");
	assert_int_equal(split(line, argv, buf, sizeof(buf), CTL_ARGS_MAX, err), CTL_ARGS_MAX);
	strcat(line, "x");
	assert_int_equal(split(line, argv, buf, sizeof(buf), CTL_ARGS_MAX, err), -EINVAL);
	assert_string_equal(err, "too many words (at most 16): word 17 starts at position 33");
}

static void
test_split_too_long(void **state)
{
	char line[CTL_LINE_MAX + 3], buf[CTL_LINE_MAX + 1], err[CTL_ERR_MAX], *argv[4];

	(void)state;
	memset(line, 'a', CTL_LINE_MAX);
	strcpy(line + CTL_LINE_MAX, "\r\n");
	assert_int_equal(split(line, argv, buf, sizeof(buf), 4, err), 1);
	assert_int_equal(strlen(argv[0]), CTL_LINE_MAX);
	line[CTL_LINE_MAX] = 'a';
	line[CTL_LINE_MAX + 1] = '\0';
	assert_int_equal(split(line, argv, buf, sizeof(buf), 4, err), -EINVAL);
	assert_string_equal(err, "request longer than 1024 bytes");
	assert_int_equal(split("abc", argv, buf, 3, 4, err), -EINVAL);
	assert_string_equal(err, "request longer than 2 bytes");
	assert_int_equal(split("a b", argv, buf, 4, 4, err), 2);
}

/* ---- dispatch ---- */

static void
test_dispatch_exact(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");

	(void)state;
	assert_string_equal(dispatch_text(srv, "show ports\n"),
			    "{\"ok\":true,\"result\":{\"command\":\"show ports\",\"args\":[]}}");
	assert_string_equal(dispatch_text(srv, "show sa \"7 8\""),
			    "{\"ok\":true,\"result\":{\"command\":\"show sa\",\"args\":[\"7 8\"]}}");
	assert_string_equal(dispatch_text(srv, "show nothing"), "{\"ok\":true,\"result\":null}");
	ctl_server_destroy(srv);
}

static void
test_dispatch_longest_prefix(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");

	(void)state;
	assert_string_equal(dispatch_text(srv, "clear counters"),
			    "{\"ok\":true,\"result\":{\"command\":\"clear counters\",\"args\":[]}}");
	assert_string_equal(dispatch_text(srv, "clear sa 5"),
			    "{\"ok\":true,\"result\":{\"command\":\"clear\",\"args\":[\"sa\",\"5\"]}}");
	assert_string_equal(dispatch_text(srv, "clear"),
			    "{\"ok\":true,\"result\":{\"command\":\"clear\",\"args\":[]}}");
	ctl_server_destroy(srv);
}

static void
test_dispatch_arg_counts(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");

	(void)state;
	assert_string_equal(dispatch_error(srv, "show sa 1 2"),
			    "show sa: expected at most 1 argument (ID), got 2");
	assert_string_equal(dispatch_error(srv, "show ports x"),
			    "show ports: expected no arguments, got 1");
	assert_string_equal(dispatch_error(srv, "set sku"),
			    "set sku: expected 1 argument (SKU), got 0");
	assert_string_equal(dispatch_error(srv, "set sku a b"),
			    "set sku: expected 1 argument (SKU), got 2");
	assert_string_equal(dispatch_error(srv, "clear counters now"),
			    "clear counters: expected no arguments, got 1");
	ctl_server_destroy(srv);
}

static void
test_dispatch_unknown(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");

	(void)state;
	assert_string_equal(dispatch_error(srv, "show foo"), "unknown command 'show foo'; try 'help'");
	assert_string_equal(dispatch_error(srv, "show foo bar"),
			    "unknown command 'show foo'; try 'help'");
	assert_string_equal(dispatch_error(srv, "bogus"), "unknown command 'bogus'; try 'help'");
	assert_string_equal(dispatch_error(srv, ""), "empty command; try 'help'");
	assert_string_equal(dispatch_error(srv, "show \"x"),
			    "unterminated quote starting at position 6");
	ctl_server_destroy(srv);
}

static void
test_dispatch_ambiguous(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");

	(void)state;
	assert_string_equal(dispatch_error(srv, "show"),
			    "incomplete command 'show'; one of: show ports, show workers, show sa, "
			    "show broken, show nothing, show big");
	assert_string_equal(dispatch_error(srv, "set"), "incomplete command 'set'; one of: set sku");
	ctl_server_destroy(srv);
}

static void
test_dispatch_ambiguous_truncated(void **state)
{
	char path[108], err[CTL_ERR_MAX];
	struct ctl_server *srv;
	const char *msg;
	int i;

	(void)state;
	sock_path(path, sizeof(path), "many.sock");
	srv = ctl_server_create(path, 0660, "", err, sizeof(err));
	assert_non_null(srv);
	for (i = 0; i < 40; i++) {
		char *name = malloc(32);
		struct ctl_command cmd = { .path = name, .help = "x", .fn = echo_fn, .ctx = "x" };

		snprintf(name, 32, "show counter%02d", i);
		assert_int_equal(ctl_register(srv, &cmd), 0);
	}
	msg = dispatch_error(srv, "show");
	assert_true(strlen(msg) < CTL_ERR_MAX);
	assert_non_null(strstr(msg, "show counter00, show counter01"));
	assert_string_equal(msg + strlen(msg) - 5, ", ...");
	for (i = 1; i < (int)srv->n_commands; i++)
		free((char *)srv->commands[i].path);
	ctl_server_destroy(srv);
}

static void
test_dispatch_help(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");
	struct json_object *reply = ctl_dispatch(srv, "help"), *result, *first, *v;

	(void)state;
	assert_true(json_object_object_get_ex(reply, "result", &result));
	assert_int_equal(json_object_array_length(result), 11);
	first = json_object_array_get_idx(result, 0);
	assert_true(json_object_object_get_ex(first, "command", &v));
	assert_string_equal(json_object_get_string(v), "clear");
	assert_true(json_object_object_get_ex(first, "arguments", &v));
	assert_string_equal(json_object_get_string(v), "[WHAT [ID]]");
	assert_true(json_object_object_get_ex(first, "help", &v));
	assert_string_equal(json_object_get_string(v), "clear things");
	json_object_put(reply);

	reply = ctl_dispatch(srv, "help sh");
	assert_true(json_object_object_get_ex(reply, "result", &result));
	assert_int_equal(json_object_array_length(result), 6);
	json_object_put(reply);
	reply = ctl_dispatch(srv, "help show sa");
	assert_true(json_object_object_get_ex(reply, "result", &result));
	assert_int_equal(json_object_array_length(result), 1);
	json_object_put(reply);
	assert_string_equal(dispatch_error(srv, "help nope"), "help: no command starts with 'nope'");
	ctl_server_destroy(srv);
}

static void
test_dispatch_handler_error(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");

	(void)state;
	assert_string_equal(dispatch_error(srv, "fail widget"), "fail: no such thing 'widget'");
	assert_string_equal(dispatch_error(srv, "show broken"), "show broken: Input/output error");
	ctl_server_destroy(srv);
}

static void
test_register_errors(void **state)
{
	struct ctl_server *srv = server_new("dispatch.sock");
	struct ctl_command cmd = { .path = "show ports", .help = "x", .fn = echo_fn };
	char names[CTL_COMMANDS_MAX][16];
	unsigned i;

	(void)state;
	assert_int_equal(ctl_register(srv, &cmd), -EEXIST);
	cmd.path = " show";
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.path = "show  x";
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.path = "show \"x\"";
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.path = "show x";
	cmd.min_args = 2;
	cmd.max_args = 1;
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.min_args = 0;
	cmd.max_args = CTL_ARGS_MAX;
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.max_args = 0;
	cmd.telemetry = "/p2sgw/a,b";
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.telemetry = "p2sgw";
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.telemetry = NULL;
	cmd.fn = NULL;
	assert_int_equal(ctl_register(srv, &cmd), -EINVAL);
	cmd.fn = echo_fn;
	for (i = srv->n_commands; i < CTL_COMMANDS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "cmd%u", i);
		cmd.path = names[i];
		assert_int_equal(ctl_register(srv, &cmd), 0);
	}
	cmd.path = "one too many";
	assert_int_equal(ctl_register(srv, &cmd), -ENOSPC);
	ctl_server_destroy(srv);
}

/* ---- socket ---- */

static int
client_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
client_send(int fd, const char *data, size_t len)
{
	assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * Serve and read until the server closes fd or timeout_ms passes; returns the
 * bytes read (caller frees) or NULL on timeout.
 */
static char *
client_reply(struct ctl_server *srv, int fd, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);

	while (now_ms() < end) {
		ssize_t n;

		ctl_server_poll(srv, 5);
		while ((n = recv(fd, buf + len, cap - len - 1, 0)) > 0)
			len += (size_t)n;
		if (n == 0) {
			buf[len] = '\0';
			return buf;
		}
	}
	free(buf);
	return NULL;
}

static void
test_socket_round_trip(void **state)
{
	mode_t old_umask = umask(077); /* the mode asked for wins over a strict umask */
	struct ctl_server *srv = server_new("round.sock");
	char path[108], *reply;
	struct stat st;
	int fd;

	(void)state;
	umask(old_umask);
	sock_path(path, sizeof(path), "round.sock");
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(ctl_server_fd(srv) >= 0, 1);

	fd = client_connect(path);
	client_send(fd, "show sa 5\n", 10);
	assert_int_equal(ctl_server_poll(srv, 100), 1);
	reply = client_reply(srv, fd, 1000);
	assert_non_null(reply);
	assert_string_equal(reply,
			    "{\"ok\":true,\"result\":{\"command\":\"show sa\",\"args\":[\"5\"]}}\n");
	free(reply);
	close(fd);

	/* A client that shuts its side without a newline still gets its answer. */
	fd = client_connect(path);
	client_send(fd, "bogus", 5);
	shutdown(fd, SHUT_WR);
	reply = client_reply(srv, fd, 1000);
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"unknown command 'bogus'; try 'help'\"}\n");
	free(reply);
	close(fd);
	ctl_server_destroy(srv);
	assert_int_equal(stat(path, &st), -1);
	ctl_server_destroy(NULL);
}

static void
test_socket_group_and_dir(void **state)
{
	char path[108], err[CTL_ERR_MAX];
	struct group *gr = getgrgid(getgid());
	struct ctl_server *srv;
	struct stat st;

	(void)state;
	assert_non_null(gr);
	sock_path(path, sizeof(path), "run/p2sgw.sock");
	srv = ctl_server_create(path, 0660, gr->gr_name, err, sizeof(err));
	assert_non_null(srv);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_gid, getgid());
	sock_path(path, sizeof(path), "run");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	ctl_server_destroy(srv);
	rmdir(path);

	sock_path(path, sizeof(path), "nogroup.sock");
	assert_null(ctl_server_create(path, 0660, "no-such-group-p2s", err, sizeof(err)));
	assert_string_equal(err, "cli.group: no group named 'no-such-group-p2s'");
	assert_null(ctl_server_create("", 0660, "", err, sizeof(err)));
	assert_string_equal(err, "cli.socket: expected a path of 1..107 bytes, got 0");
	sock_path(path, sizeof(path), "missing/deeper/p2sgw.sock");
	assert_null(ctl_server_create(path, 0660, "", err, sizeof(err)));
	assert_non_null(strstr(err, "cli.socket: cannot create directory "));
}

static void
test_socket_stale_replaced(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[108], err[CTL_ERR_MAX], *reply;
	struct ctl_server *srv;
	int fd;

	(void)state;
	sock_path(path, sizeof(path), "stale.sock");
	/* What a crashed gateway leaves: a bound socket file nobody listens on. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	srv = ctl_server_create(path, 0660, "", err, sizeof(err));
	assert_non_null(srv);
	fd = client_connect(path);
	client_send(fd, "help\n", 5);
	reply = client_reply(srv, fd, 1000);
	assert_non_null(strstr(reply, "\"ok\":true"));
	free(reply);
	close(fd);
	ctl_server_destroy(srv);
}

static void
test_socket_live_refused(void **state)
{
	char path[108], err[CTL_ERR_MAX], expect[256], *reply;
	struct ctl_server *srv = server_new("live.sock"), *second;
	int fd;

	(void)state;
	sock_path(path, sizeof(path), "live.sock");
	second = ctl_server_create(path, 0660, "", err, sizeof(err));
	assert_null(second);
	snprintf(expect, sizeof(expect), "cli.socket: %s is in use by a running p2sgw", path);
	assert_string_equal(err, expect);
	/* The running one keeps its socket (the probe connection is just closed). */
	fd = client_connect(path);
	client_send(fd, "show ports\n", 11);
	reply = client_reply(srv, fd, 1000);
	assert_non_null(strstr(reply, "\"ok\":true"));
	free(reply);
	close(fd);
	ctl_server_destroy(srv);

	sock_path(path, sizeof(path), "regular-file");
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_null(ctl_server_create(path, 0660, "", err, sizeof(err)));
	snprintf(expect, sizeof(expect), "cli.socket: %s exists and is not a socket", path);
	assert_string_equal(err, expect);
	unlink(path);
}

static void
test_socket_too_long(void **state)
{
	struct ctl_server *srv = server_new("long.sock");
	char path[108], line[3000], *reply;
	int fd;

	(void)state;
	sock_path(path, sizeof(path), "long.sock");
	/* Exactly CTL_LINE_MAX bytes before the newline is fine... */
	memset(line, ' ', sizeof(line));
	memcpy(line, "show ports", 10);
	line[CTL_LINE_MAX] = '\n';
	fd = client_connect(path);
	client_send(fd, line, CTL_LINE_MAX + 1);
	reply = client_reply(srv, fd, 1000);
	assert_non_null(strstr(reply, "\"ok\":true"));
	free(reply);
	close(fd);
	/* ...one more is not, */
	line[CTL_LINE_MAX] = ' ';
	line[CTL_LINE_MAX + 1] = '\n';
	fd = client_connect(path);
	client_send(fd, line, CTL_LINE_MAX + 2);
	reply = client_reply(srv, fd, 1000);
	assert_string_equal(reply,
			    "{\"ok\":false,\"error\":\"request longer than 1024 bytes\"}\n");
	free(reply);
	close(fd);
	/* ...and a stream with no newline at all is cut off without waiting for one. */
	fd = client_connect(path);
	client_send(fd, line, sizeof(line));
	reply = client_reply(srv, fd, 500);
	assert_string_equal(reply,
			    "{\"ok\":false,\"error\":\"request longer than 1024 bytes\"}\n");
	free(reply);
	close(fd);
	fd = client_connect(path);
	client_send(fd, "show\0ports\n", 11);
	reply = client_reply(srv, fd, 500);
	assert_string_equal(reply,
			    "{\"ok\":false,\"error\":\"control character 0x00 at position 5\"}\n");
	free(reply);
	close(fd);
	ctl_server_destroy(srv);
}

static void
test_socket_idle_timeout(void **state)
{
	struct ctl_server *srv = server_new("idle.sock");
	char path[108], *reply;
	uint64_t start;
	int idle, busy;

	(void)state;
	sock_path(path, sizeof(path), "idle.sock");
	idle = client_connect(path);
	client_send(idle, "show", 4); /* and then nothing */
	ctl_server_poll(srv, 0);
	start = now_ms();
	busy = client_connect(path);
	client_send(busy, "show ports\n", 11);
	reply = client_reply(srv, busy, 2000);
	assert_non_null(reply);
	assert_true(now_ms() - start < 200);
	free(reply);
	close(busy);
	reply = client_reply(srv, idle, 3000);
	assert_non_null(reply);
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"no request line within 1 second; "
				   "closing\"}\n");
	assert_true(now_ms() - start >= 800 && now_ms() - start < 1500);
	free(reply);
	close(idle);
	ctl_server_destroy(srv);
}

static void
test_socket_too_many(void **state)
{
	struct ctl_server *srv = server_new("many.sock");
	char path[108], *reply;
	int fds[CTL_CONN_MAX], extra, i;

	(void)state;
	sock_path(path, sizeof(path), "many.sock");
	for (i = 0; i < CTL_CONN_MAX; i++) {
		fds[i] = client_connect(path);
		ctl_server_poll(srv, 0);
	}
	extra = client_connect(path);
	ctl_server_poll(srv, 0);
	reply = client_reply(srv, extra, 500);
	assert_string_equal(reply, "{\"ok\":false,\"error\":\"too many connections (at most 16); "
				   "try again\"}\n");
	free(reply);
	close(extra);
	for (i = 0; i < CTL_CONN_MAX; i++)
		close(fds[i]);
	ctl_server_poll(srv, 0);
	extra = client_connect(path);
	client_send(extra, "help\n", 5);
	reply = client_reply(srv, extra, 500);
	assert_non_null(strstr(reply, "\"ok\":true"));
	free(reply);
	close(extra);
	ctl_server_destroy(srv);
}

/* A client that asks for a large reply and never reads it costs no waiting. */
static void
test_socket_slow_reader(void **state)
{
	struct ctl_server *srv = server_new("slow.sock");
	char path[108], *reply;
	uint64_t start;
	int stuck, fd;

	(void)state;
	sock_path(path, sizeof(path), "slow.sock");
	stuck = client_connect(path);
	client_send(stuck, "show big\n", 9);
	/* A server that blocked on the unread reply would never come back from a
	 * poll here (the test would time out); no wall-clock bound is asserted,
	 * the machine may be busy. */
	start = now_ms();
	while (now_ms() - start < 1500)
		ctl_server_poll(srv, 0);
	/* By now it has been dropped, and others are served. */
	fd = client_connect(path);
	client_send(fd, "show ports\n", 11);
	reply = client_reply(srv, fd, 500);
	assert_non_null(strstr(reply, "\"ok\":true"));
	free(reply);
	close(fd);
	close(stuck);
	/* And one that reads gets all 600 KB. */
	fd = client_connect(path);
	client_send(fd, "show big\n", 9);
	reply = client_reply(srv, fd, 2000);
	assert_non_null(reply);
	assert_true(strlen(reply) > 600000);
	assert_int_equal(reply[strlen(reply) - 1], '\n');
	free(reply);
	close(fd);
	ctl_server_destroy(srv);
}

/* Garbage on the socket: every connection is answered or dropped, nothing crashes. */
static void
test_socket_garbage(void **state)
{
	struct ctl_server *srv = server_new("garbage.sock");
	char path[108], data[1500], *reply;
	unsigned seed = 1;
	int round, fd;
	size_t i, len;

	(void)state;
	sock_path(path, sizeof(path), "garbage.sock");
	for (round = 0; round < 200; round++) {
		len = (size_t)rand_r(&seed) % sizeof(data);
		for (i = 0; i < len; i++)
			data[i] = (char)(rand_r(&seed) % (round % 2 ? 256 : 96) + (round % 2 ? 0 : 32));
		fd = client_connect(path);
		client_send(fd, data, len);
		shutdown(fd, SHUT_WR);
		reply = client_reply(srv, fd, 1000);
		if (len > 0) {
			assert_non_null(reply);
			assert_true(strncmp(reply, "{\"ok\":", 6) == 0);
		}
		free(reply);
		close(fd);
	}
	ctl_server_destroy(srv);
}

/* ---- render ---- */

static char *
render(const char *json)
{
	struct json_object *v = json_tokener_parse(json);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	ctl_render_text(v, out);
	fclose(out);
	json_object_put(v);
	return text;
}

static void
assert_render(const char *json, const char *expect)
{
	char *text = render(json);

	if (strcmp(text, expect) != 0)
		fail_msg("rendering %s\n--- got:\n%s--- expected:\n%s---", json, text, expect);
	free(text);
}

static void
test_render_scalars(void **state)
{
	(void)state;
	assert_render("{\"version\":\"0.1.0\",\"uptime_s\":3600,\"sku\":\"VpnGw1\",\"ikev2\":true,"
		      "\"sstp\":false,\"load\":0.25,\"peer\":null}",
		      "version:  0.1.0\n"
		      "uptime_s: 3600\n"
		      "sku:      VpnGw1\n"
		      "ikev2:    yes\n"
		      "sstp:     no\n"
		      "load:     0.25\n"
		      "peer:     -\n");
	assert_render("\"just text\"", "just text\n");
	assert_render("18446744073709551615", "18446744073709551615\n");
	assert_render("{\"name\":\"\"}", "name:\n");
}

static void
test_render_table(void **state)
{
	(void)state;
	assert_render("[{\"name\":\"public\",\"rx_packets\":120,\"link\":true},"
		      "{\"name\":\"private\",\"rx_packets\":80000,\"link\":false,\"drops\":3}]",
		      "NAME     RX_PACKETS  LINK  DROPS\n"
		      "public          120  yes       -\n"
		      "private       80000  no        3\n");
	/* A column with any text in it is text: left-aligned, header too. */
	assert_render("[{\"id\":1,\"peer\":\"a\"},{\"id\":\"x\",\"peer\":\"bb\"}]",
		      "ID  PEER\n"
		      "1   a\n"
		      "x   bb\n");
	assert_render("[{\"city\":\"K\xc3\xb8" "benhavn\",\"n\":1},{\"city\":\"Oslo\",\"n\":22}]",
		      "CITY        N\n"
		      "K\xc3\xb8" "benhavn   1\n"
		      "Oslo       22\n");
}

static void
test_render_sections(void **state)
{
	(void)state;
	assert_render("{\"gateway\":\"gw1\",\"ports\":[{\"name\":\"public\",\"rx\":1},"
		      "{\"name\":\"private\",\"rx\":22}],\"tunnels\":128,"
		      "\"limits\":{\"rate_mbps\":650,\"ikev2\":true},\"dns\":[\"10.0.0.1\",\"10.0.0.2\"]}",
		      "gateway: gw1\n"
		      "tunnels: 128\n"
		      "\n"
		      "ports:\n"
		      "  NAME     RX\n"
		      "  public    1\n"
		      "  private  22\n"
		      "\n"
		      "limits:\n"
		      "  rate_mbps: 650\n"
		      "  ikev2:     yes\n"
		      "\n"
		      "dns:\n"
		      "  10.0.0.1\n"
		      "  10.0.0.2\n");
	assert_render("{\"ports\":[{\"a\":1}],\"workers\":[{\"b\":2}]}",
		      "ports:\n"
		      "  A\n"
		      "  1\n"
		      "\n"
		      "workers:\n"
		      "  B\n"
		      "  2\n");
}

static void
test_render_empty(void **state)
{
	(void)state;
	assert_render("[]", "(none)\n");
	assert_render("{}", "(none)\n");
	assert_render("{\"count\":0,\"tunnels\":[]}",
		      "count: 0\n"
		      "\n"
		      "tunnels:\n"
		      "  (none)\n");
	assert_render("null", "");
	ctl_render_text(NULL, stdout);
}

static void
test_render_nested(void **state)
{
	(void)state;
	assert_render("[{\"name\":\"a\",\"addr\":{\"ip\":\"1.2.3.4\"},\"tags\":[1,2]},"
		      "{\"name\":\"bb\",\"tags\":[]}]",
		      "NAME  ADDR              TAGS\n"
		      "a     {\"ip\":\"1.2.3.4\"}  [1,2]\n"
		      "bb    -                 []\n");
	assert_render("{\"a\":{\"b\":{\"c\":{\"d\":1},\"e\":2}}}",
		      "a:\n"
		      "  b:\n"
		      "    c: {\"d\":1}\n"
		      "    e: 2\n");
	assert_render("[1,\"two\",[3],{\"four\":4}]",
		      "1\n"
		      "two\n"
		      "[3]\n"
		      "{\"four\":4}\n");
}

static void
test_render_hostile(void **state)
{
	(void)state;
	/* A peer-chosen string must not drive the operator's terminal. */
	assert_render("{\"cn\":\"evil\\u001b[31m\\nnext\\u0000end\\u0085\",\"k\\tey\":1}",
		      "cn:    evil\\x1b[31m\\nnext\\x00end\\xc2\\x85\n"
		      "k\\tey: 1\n");
}

/* ---- telemetry conversion ---- */

static int
convert(const char *json)
{
	struct json_object *v = json_tokener_parse(json);
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct ctl_tel_made made;
	int rc;

	assert_non_null(d);
	if (v == NULL && strcmp(json, "null") != 0)
		fail_msg("bad test JSON: %s", json);
	rc = ctl_telemetry_from_json(v, d, &made);
	ctl_telemetry_release(&made); /* what telemetry does once it has sent d */
	rte_tel_data_free(d);
	json_object_put(v);
	return rc;
}

enum item { ITEM_INT, ITEM_MEMBER, ITEM_TUNNEL };

/* open, n comma-separated items numbered 0..n-1, close */
static char *
repeat_json(const char *open, enum item item, int n, const char *close)
{
	size_t cap = strlen(open) + 160 * (size_t)n + strlen(close) + 1;
	char *s = malloc(cap), *p = s;
	int i;

	p += sprintf(p, "%s", open);
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		if (item == ITEM_INT)
			p += sprintf(p, "%d", i);
		else if (item == ITEM_MEMBER)
			p += sprintf(p, "\"k%d\":1", i);
		else
			p += sprintf(p, "{\"name\":\"tunnel%d\",\"peer\":\"203.0.113.1\","
				     "\"rx\":123456,\"user\":\"%040d@example.com\"}", i, i);
	}
	sprintf(p, "%s", close);
	return s;
}

static void
test_telemetry_convert(void **state)
{
	char *json;

	(void)state;
	assert_int_equal(convert("null"), 0);
	assert_int_equal(convert("{\"a\":1,\"b\":-2,\"c\":-3000000000,\"d\":1.5,\"e\":true,"
				 "\"f\":\"x\",\"g\":null,\"h\":18446744073709551615}"), 0);
	assert_int_equal(convert("[1,2,3]"), 0);
	assert_int_equal(convert("[-1,2]"), 0);
	assert_int_equal(convert("[\"a\",1,null,true]"), 0);
	assert_int_equal(convert("\"top\""), 0);
	assert_int_equal(convert("42"), 0);
	assert_int_equal(convert("{\"port\":{\"drops\":{\"bad_checksum\":1,\"x\":[1,{\"y\":2}]}}}"), 0);
	assert_int_equal(convert("[{\"name\":\"a\",\"n\":1},{\"name\":\"b\",\"n\":2},3]"), 0);
	assert_int_equal(convert("{\"bad key!\":1,\"\":2,\"k\":[[1,2],[3]]}"), 0);

	json = repeat_json("[", ITEM_INT, 600, "]");
	assert_int_equal(convert(json), 600 - RTE_TEL_MAX_ARRAY_ENTRIES);
	free(json);
	json = repeat_json("{", ITEM_MEMBER, 300, "}");
	assert_int_equal(convert(json), 300 - RTE_TEL_MAX_DICT_ENTRIES);
	free(json);
	json = repeat_json("{\"c\":{", ITEM_MEMBER, 300, "}}");
	assert_int_equal(convert(json), 300 - RTE_TEL_MAX_DICT_ENTRIES);
	free(json);
	/* 16 KB is all telemetry can send: the rest is counted, not built. */
	json = repeat_json("[", ITEM_TUNNEL, 200, "]");
	assert_in_range(convert(json), 50, 80); /* about 130 of 200 rows fit */
	free(json);
}

/* ---- telemetry through DPDK's own socket ---- */

static bool eal_up;

/* EAL once per process, and only for the test that needs it. */
static void
eal_setup(void)
{
	char prefix[64], lcore[16];
	cpu_set_t set;
	int cpu = 0;
	char *argv[] = { "test_ctl", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 prefix, "-l", lcore, "--log-level=lib.eal:error", NULL };

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
			cpu++;
	snprintf(lcore, sizeof(lcore), "%d", cpu);
	snprintf(prefix, sizeof(prefix), "--file-prefix=ctltest%d", (int)getpid());
	eal_up = rte_eal_init(10, argv) >= 0;
	if (!eal_up)
		print_message("EAL did not start (%s): telemetry bridge not tested\n",
			      strerror(rte_errno));
}

static int
tel_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char info[1024];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct timeval tv = { .tv_sec = 5 };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		fail_msg("connect %s: %s", sun.sun_path, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_true(read(fd, info, sizeof(info)) > 0); /* {"version":...,"max_output_len":...} */
	return fd;
}

/* Ask telemetry for request; return the value under the command's name. */
static struct json_object *
tel_ask(int fd, const char *request, const char *name)
{
	static char reply[16384 + 1];
	struct json_object *doc, *value = NULL;
	ssize_t n;

	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	n = read(fd, reply, sizeof(reply) - 1);
	assert_true(n > 0);
	reply[n] = '\0';
	doc = json_tokener_parse(reply);
	if (doc == NULL)
		fail_msg("telemetry sent invalid JSON: %s", reply);
	assert_true(json_object_object_get_ex(doc, name, &value));
	json_object_get(value);
	json_object_put(doc);
	return value;
}

static void
assert_json(struct json_object *v, const char *expect)
{
	const char *got = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);

	if (strcmp(got, expect) != 0)
		fail_msg("got %s\nexpected %s", got, expect);
	json_object_put(v);
}

static int
shape_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	(void)ctx, (void)err, (void)errlen;
	*result = json_tokener_parse(argc > 0 ? argv[0] : "null");
	return 0;
}

static void
test_telemetry_bridge(void **state)
{
	struct ctl_command shape = { .path = "show shape", .args = "JSON", .help = "echo JSON",
				     .min_args = 0, .max_args = 1, .fn = shape_fn,
				     .telemetry = "/p2sgw/test_shape" };
	struct ctl_server *srv;
	int fd;

	(void)state;
	eal_setup();
	if (!eal_up)
		skip();
	srv = server_new("telemetry.sock");
	assert_int_equal(ctl_register(srv, &shape), 0);
	assert_int_equal(ctl_telemetry_register(srv), 0);
	fd = tel_connect();
	assert_json(tel_ask(fd, "/p2sgw/test,arg", "/p2sgw/test"),
		    "{\"command\":\"show sa\",\"args\":[\"arg\"]}");
	assert_json(tel_ask(fd, "/p2sgw/test_ports", "/p2sgw/test_ports"),
		    "{\"command\":\"show ports\",\"args\":[]}");
	assert_json(tel_ask(fd, "/p2sgw/test,1,2", "/p2sgw/test"),
		    "{\"error\":\"show sa: expected at most 1 argument (ID), got 2\"}");
	assert_json(tel_ask(fd, "/p2sgw/test_fail,x", "/p2sgw/test_fail"),
		    "{\"error\":\"fail: no such thing 'x'\"}");
	assert_json(tel_ask(fd, "/p2sgw/test_shape,\"{\\\"port\\\":{\\\"drops\\\":{\\\"bad\\\":1},"
				"\\\"name\\\":\\\"p\\\\u00e9\\\\n\\\"},\\\"n\\\":-5,\\\"ok\\\":true,"
				"\\\"list\\\":[3,4],\\\"bad key\\\":1.5}\"",
			    "/p2sgw/test_shape"),
		    "{\"port\":{\"drops/bad\":1,\"name\":\"p??\"},\"n\":-5,\"ok\":1,\"list\":[3,4],"
		    "\"bad_key\":\"1.5\"}");
	assert_json(tel_ask(fd, "/p2sgw/test_shape,\"[{\\\"a\\\":1},{\\\"a\\\":2,\\\"b\\\":[5]}]\"",
			    "/p2sgw/test_shape"),
		    "{\"0\":{\"a\":1},\"1\":{\"a\":2,\"b/0\":5}}");
	assert_json(tel_ask(fd, "/p2sgw/test_shape,\"\\\"text\\\"\"", "/p2sgw/test_shape"),
		    "\"text\"");
	assert_json(tel_ask(fd, "/p2sgw/test_shape", "/p2sgw/test_shape"), "{}");
	close(fd);

	/* Once the server is gone its commands answer null, not a dangling call. */
	ctl_server_destroy(srv);
	fd = tel_connect();
	assert_json(tel_ask(fd, "/p2sgw/test,arg", "/p2sgw/test"), "null");
	close(fd);
	/* A new server in the same process takes the names over. */
	srv = server_new("telemetry.sock");
	assert_int_equal(ctl_telemetry_register(srv), 0);
	fd = tel_connect();
	assert_json(tel_ask(fd, "/p2sgw/test,9", "/p2sgw/test"),
		    "{\"command\":\"show sa\",\"args\":[\"9\"]}");
	close(fd);
	ctl_server_destroy(srv);
}

/* ---- main ---- */

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ctl.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	(void)state;
	if (eal_up) {
		/* Telemetry removes its socket only at exit: take the folder now. */
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		if (system(cmd) != 0)
			return -1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_plain),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_escapes),
		cmocka_unit_test(test_split_unterminated),
		cmocka_unit_test(test_split_control),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_split_too_long),
		cmocka_unit_test(test_dispatch_exact),
		cmocka_unit_test(test_dispatch_longest_prefix),
		cmocka_unit_test(test_dispatch_arg_counts),
		cmocka_unit_test(test_dispatch_unknown),
		cmocka_unit_test(test_dispatch_ambiguous),
		cmocka_unit_test(test_dispatch_ambiguous_truncated),
		cmocka_unit_test(test_dispatch_help),
		cmocka_unit_test(test_dispatch_handler_error),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_socket_round_trip),
		cmocka_unit_test(test_socket_group_and_dir),
		cmocka_unit_test(test_socket_stale_replaced),
		cmocka_unit_test(test_socket_live_refused),
		cmocka_unit_test(test_socket_too_long),
		cmocka_unit_test(test_socket_idle_timeout),
		cmocka_unit_test(test_socket_too_many),
		cmocka_unit_test(test_socket_slow_reader),
		cmocka_unit_test(test_socket_garbage),
		cmocka_unit_test(test_render_scalars),
		cmocka_unit_test(test_render_table),
		cmocka_unit_test(test_render_sections),
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test(test_render_nested),
		cmocka_unit_test(test_render_hostile),
		cmocka_unit_test(test_telemetry_convert),
		cmocka_unit_test(test_telemetry_bridge),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
