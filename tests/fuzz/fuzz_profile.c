/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for port profiles: arbitrary bytes go to
 * conf_profile_load_string() as the text of drivers-cfg/fuzz.conf, and every
 * profile that loads has its devargs template expanded for a port, the way
 * the port library will.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct conf_port port = { .iface = "veth0", .pci = "0000:3b:00.0" };
	char err[CONF_ERR_MAX], devargs[256];
	struct conf_profile p;
	char *text;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_profile_load_string(text, "drivers-cfg/fuzz.conf", &p, err, sizeof(err)) == 0) {
		conf_profile_devargs(&p, &port, 1, 0, devargs, sizeof(devargs), err, sizeof(err));
		conf_profile_devargs(&p, &port, p.max_queues, 7, devargs, 16, err, sizeof(err));
	} else if (strchr(err, '\n') != NULL || err[0] == '\0') {
		abort();
	}
	free(text);
	return 0;
}
