/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl internals shared by server.c, dispatch.c and telemetry.c, and reachable
 * from the unit tests and the fuzz harness (which include this header
 * directly). Not part of the library's public face: the app includes ctl.h.
 */
#ifndef P2SGW_CTL_PRIV_H
#define P2SGW_CTL_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ctl.h"

struct rte_tel_data;

#define CTL_COMMANDS_MAX 128
#define CTL_CONN_MAX 16       /* concurrent client connections */
#define CTL_IDLE_MS 1000      /* a client that sends nothing for this long is dropped */
#define CTL_REQUEST_MS 5000   /* whole request (or reply), however slowly it trickles */
#define CTL_TELEMETRY_NAME_MAX 56 /* rte_telemetry's MAX_CMD_LEN */
#define CTL_REPLY_MAX (16u << 20) /* a reply larger than this is replaced by an error */

struct ctl_conn {
	int fd;                 /* -1: slot free */
	uint64_t idle_deadline; /* ms, CLOCK_MONOTONIC */
	uint64_t deadline;      /* ms: end of the whole request or of the reply */
	size_t len;             /* bytes of request read so far */
	bool replying;          /* request read; reply (if any) being written */
	char *reply;            /* NULL if the reply could not be built: just close */
	size_t reply_len;
	size_t reply_off;
	char line[CTL_LINE_MAX + 2]; /* room for the line and its "\r\n" */
};

struct ctl_server {
	int fd;
	char path[108];
	dev_t dev;              /* identity of the socket we bound, so destroy */
	ino_t ino;              /* never unlinks a successor's socket */
	pthread_mutex_t lock;
	unsigned n_commands;
	struct ctl_command commands[CTL_COMMANDS_MAX];
	struct ctl_conn conns[CTL_CONN_MAX];
};

/*
 * Length of the well-formed UTF-8 sequence (RFC 3629) at p, or 0 if there is
 * none; reads at most avail bytes and never past a NUL.
 */
size_t ctl_utf8_len(const unsigned char *p, size_t avail);

/*
 * Check the argument count of cmd and call it; err gets one line on failure.
 * Shared by the socket path and the telemetry bridge so both refuse the same
 * requests with the same words.
 */
int ctl_command_call(const struct ctl_command *cmd, int argc, char **argv,
		     struct json_object **result, char *err, size_t errlen);

/* {"ok":false,"error":err}, or NULL if out of memory. */
struct json_object *ctl_reply_error(const char *err);

/* Register the commands every server has ("help"). */
void ctl_register_builtins(struct ctl_server *srv);

/* Forget srv's telemetry bindings; their commands then answer null. */
void ctl_telemetry_forget(const struct ctl_server *srv);

/*
 * Containers made for one telemetry reply. Telemetry frees them once it has
 * sent the reply; whoever does not get that far (a failed conversion, a test)
 * frees them with ctl_telemetry_release().
 */
struct ctl_tel_made {
	unsigned n;
	struct rte_tel_data *containers[256]; /* RTE_TEL_MAX_DICT_ENTRIES */
};

/*
 * Convert a json-c value into a telemetry reply. Returns the number of values
 * that did not fit the telemetry limits and were left out (0: everything is
 * there), or -errno (and then has released what it made).
 */
int ctl_telemetry_from_json(const struct json_object *value, struct rte_tel_data *d,
			    struct ctl_tel_made *made);
void ctl_telemetry_release(struct ctl_tel_made *made);

#endif
