/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the gateway configuration: arbitrary bytes go to
 * conf_load_string() as a file's text. Whatever loads is also rendered as
 * JSON, copied and freed, so those paths see fuzzed configurations too.
 * Build with CC=clang -Dfuzz=true; the run command is in
 * docs/configuration.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_MAX];
	struct conf c, copy;
	char *text;

	/* The loader takes a C string; the file reader refuses NUL bytes itself. */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_load_string(text, "fuzz.conf", &c, err, sizeof(err)) == 0) {
		json_object_put(conf_to_json(&c));
		if (conf_copy(&copy, &c) == 0)
			conf_free(&copy);
		conf_free(&c);
	} else if (strchr(err, '\n') != NULL || err[0] == '\0') {
		abort(); /* every failure is exactly one line */
	}
	free(text);
	return 0;
}
