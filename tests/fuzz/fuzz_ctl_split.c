/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for what a client controls on the command socket: the
 * tokenizer (with buffers and word limits of every size, heap-allocated to
 * the byte so ASan sees any overrun), command lookup and its error lines, and
 * what the renderer and the telemetry converter make of a result built from
 * the input. Invariants checked: argc within the limit, words inside the
 * buffer, errors one NUL-terminated line, replies always {"ok":...}.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <rte_telemetry.h>

#include "ctl.h"
#include "ctl_priv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctl_server *srv;
static char dir[64];
static char path[128];
static FILE *devnull;

static int
echo_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	struct json_object *args = json_object_new_array();
	int i;

	(void)ctx, (void)err, (void)errlen;
	for (i = 0; i < argc; i++)
		json_object_array_add(args, json_object_new_string(argv[i]));
	*result = json_object_new_object();
	json_object_object_add(*result, "args", args);
	json_object_object_add(*result, "n", json_object_new_int(argc));
	return 0;
}

/* Hands a client-chosen word back as the error, as careless handlers might. */
static int
fail_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	(void)ctx, (void)result;
	snprintf(err, errlen, "%s", argc > 0 ? argv[0] : "");
	return -EINVAL;
}

/* A result of any shape the input describes, for the renderer and telemetry. */
static int
json_fn(void *ctx, int argc, char **argv, struct json_object **result, char *err, size_t errlen)
{
	(void)ctx, (void)argc, (void)err, (void)errlen;
	*result = json_tokener_parse(argv[0]);
	return 0;
}

static const struct ctl_command commands[] = {
	{ "show ports", NULL, "x", 0, 0, echo_fn, NULL, NULL },
	{ "show sa", "ID", "x", 0, 1, echo_fn, NULL, NULL },
	{ "set", "A B", "x", 1, 2, echo_fn, NULL, NULL },
	{ "set sku", "SKU", "x", 1, 1, echo_fn, NULL, NULL },
	{ "fail", "MSG", "x", 0, 3, fail_fn, NULL, NULL },
	{ "json", "DOC", "x", 1, 1, json_fn, NULL, NULL },
};

static void
cleanup(void)
{
	ctl_server_destroy(srv);
	if (devnull != NULL)
		fclose(devnull);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CTL_ERR_MAX];
	size_t i;

	(void)argc, (void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz_ctl.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/p2sgw.sock", dir);
	srv = ctl_server_create(path, 0600, "", err, sizeof(err));
	if (srv == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	/* Only dispatch is fuzzed: the socket file can go now, so no run leaves it. */
	unlink(path);
	rmdir(dir);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (ctl_register(srv, &commands[i]) != 0)
			abort();
	devnull = fopen("/dev/null", "w");
	atexit(cleanup);
	return 0;
}

static void
check_error(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen), i;

	assert(n < errlen);
	for (i = 0; i < n; i++)
		assert((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
}

static void
fuzz_split(const char *line, size_t buflen, int maxargs)
{
	char *buf = malloc(buflen ? buflen : 1), **argv = malloc(sizeof(char *) * (size_t)(maxargs + 1));
	char err[CTL_ERR_MAX];
	int argc, i;

	argc = ctl_split(line, buf, buflen, argv, maxargs, err, sizeof(err));
	if (argc < 0) {
		assert(argc == -EINVAL);
		check_error(err, sizeof(err));
	} else {
		assert(argc <= maxargs);
		for (i = 0; i < argc; i++) {
			assert(argv[i] >= buf && argv[i] < buf + buflen);
			assert(memchr(argv[i], '\0', (size_t)(buf + buflen - argv[i])) != NULL);
		}
	}
	free(argv);
	free(buf);
}

static void
fuzz_dispatch(const char *line)
{
	struct json_object *reply = ctl_dispatch(srv, line), *ok, *v;

	assert(reply != NULL);
	assert(json_object_object_get_ex(reply, "ok", &ok));
	if (json_object_get_boolean(ok)) {
		struct rte_tel_data *d = rte_tel_data_alloc();
		struct ctl_tel_made made;

		json_object_object_get_ex(reply, "result", &v);
		ctl_render_text(v, devnull);
		if (d != NULL) {
			assert(ctl_telemetry_from_json(v, d, &made) >= 0);
			ctl_telemetry_release(&made);
			rte_tel_data_free(d);
		}
	} else {
		assert(json_object_object_get_ex(reply, "error", &v));
		check_error(json_object_get_string(v), CTL_ERR_MAX);
	}
	json_object_put(reply);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[2 * CTL_LINE_MAX + 1];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

	memcpy(line, data, n);
	line[n] = '\0';
	fuzz_split(line, size > 0 ? data[0] % 80 : 0, size > 1 ? data[1] % (CTL_ARGS_MAX + 2) : 0);
	fuzz_split(line, CTL_LINE_MAX + 1, CTL_ARGS_MAX);
	fuzz_dispatch(line);
	return 0;
}
