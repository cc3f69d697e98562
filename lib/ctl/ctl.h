/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl: the operator's command interface. A unix-socket server on the control
 * core takes one command line per connection and answers one JSON document;
 * `p2sctl` renders it as readable tables or passes the JSON through (-j).
 * The same command functions are registered with DPDK telemetry, so
 * dpdk-telemetry.py reads the same figures: CLI and telemetry call one core
 * function per command.
 *
 * Wire protocol (one request per connection):
 *   request : command words separated by blanks, "double quotes" group words,
 *             terminated by '\n'; at most CTL_LINE_MAX bytes.
 *   reply   : {"ok":true,"result":<value>} or {"ok":false,"error":"<one line>"},
 *             then the server closes the connection.
 */
#ifndef P2SGW_CTL_H
#define P2SGW_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct json_object;

#define CTL_LINE_MAX 1024
#define CTL_ARGS_MAX 16
#define CTL_ERR_MAX 256

/**
 * A command's core function. argv holds the words after the command's path.
 * On success sets *result (a new json_object the caller owns; NULL means
 * "nothing to print") and returns 0. On failure returns -errno and writes one
 * line into err naming the argument and what is allowed.
 */
typedef int (*ctl_fn_t)(void *ctx, int argc, char **argv, struct json_object **result, char *err,
			size_t errlen);

struct ctl_command {
	const char *path;      /**< words that select it, e.g. "show ports" */
	const char *args;      /**< argument synopsis for help, e.g. "ID", or NULL */
	const char *help;      /**< one line */
	unsigned min_args;     /**< words after path */
	unsigned max_args;
	ctl_fn_t fn;
	void *ctx;
	const char *telemetry; /**< if set, also registered as this telemetry command, e.g. "/p2sgw/ports" */
};

struct ctl_server;

/**
 * Create the server and bind its socket at path with the given mode (0660);
 * group, if not "", becomes the socket's group. A stale socket file from a
 * dead process is replaced; a live one is an error. NULL with one error line on failure.
 */
struct ctl_server *ctl_server_create(const char *path, mode_t mode, const char *group, char *err,
				     size_t errlen);

/** Add a command (copied; strings must outlive the server). 0, -EEXIST or -ENOSPC. */
int ctl_register(struct ctl_server *srv, const struct ctl_command *cmd);

/**
 * Register every command that has a telemetry name with rte_telemetry. Must be
 * called once after EAL init. Telemetry runs its callbacks on its own thread:
 * each call is made while holding the server's lock (see ctl_lock()).
 */
int ctl_telemetry_register(struct ctl_server *srv);

/** The listening fd, for the control core's poll(). */
int ctl_server_fd(const struct ctl_server *srv);

/**
 * Serve what is pending without blocking longer than timeout_ms: accept
 * connections, read complete request lines, answer them. Connections that
 * send nothing for a second, or more than CTL_LINE_MAX bytes, are closed.
 * Returns the number of requests answered.
 */
int ctl_server_poll(struct ctl_server *srv, int timeout_ms);

/** Close the socket, unlink it, free everything. Safe with NULL. */
void ctl_server_destroy(struct ctl_server *srv);

/**
 * The lock that serialises command functions with the control core's own
 * work: the control loop holds it while it changes state that commands read,
 * and telemetry callbacks hold it while they run a command.
 */
void ctl_lock(struct ctl_server *srv);
void ctl_unlock(struct ctl_server *srv);

/**
 * Run one request line and return the reply document (a new json_object:
 * {"ok":…}). This is what the socket and the tests call.
 */
struct json_object *ctl_dispatch(struct ctl_server *srv, const char *line);

/**
 * Split a request line into words (blanks separate, "…" groups, \" and \\
 * escape inside quotes). Writes into buf (len bytes) and argv; returns argc,
 * or -EINVAL with an error line for an unterminated quote, a control
 * character, or more than maxargs words.
 */
int ctl_split(const char *line, char *buf, size_t len, char **argv, int maxargs, char *err,
	      size_t errlen);

/**
 * Render a command result for people: an object of scalars as "key: value"
 * lines, an array of flat objects as an aligned table with a header row, an
 * object holding such arrays as one titled section each. Anything deeper is
 * printed as compact JSON in its cell.
 */
void ctl_render_text(const struct json_object *result, FILE *out);

#endif
