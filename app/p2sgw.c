/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p2sgw: the point-to-site VPN gateway appliance.
 *
 *   p2sgw [EAL options] -- [-f CONFIG] [--check]
 *
 * The configuration is loaded and validated before EAL starts, so a bad file
 * stops the gateway with one error line and no side effects. The main lcore
 * becomes the control core; every other lcore is a worker with one RX and
 * one TX queue on each port. SIGINT or SIGTERM stops it cleanly: workers
 * stopped, ports closed, and every mbuf back in its pool (checked, and the
 * exit status says so).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "app.h"

#define DEFAULT_CONFIG "/etc/p2sgw/p2sgw.conf"
#define EXIT_LEAK 3

RTE_LOG_REGISTER(app_logtype, p2sgw.app, INFO);
#define APP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, app_logtype, "p2sgw: " fmt "\n", ##__VA_ARGS__)

struct opts {
	const char *config;
	int check;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: p2sgw [EAL options] -- [-f CONFIG] [--check]\n"
		"  -f, --config CONFIG  configuration file (default " DEFAULT_CONFIG ")\n"
		"      --check          validate the configuration and exit\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version and exit\n"
		"example: p2sgw -l 0,1 --no-huge -m 512 --no-pci -- -f p2sgw.conf\n");
}

/* Parse the words after "--"; returns -1 to exit 0, 1 to exit 64 (usage), 0 to go on. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->config = DEFAULT_CONFIG;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->config = optarg;
			break;
		case 'c':
			o->check = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("p2sgw %s\n", P2SGW_VERSION);
			return -1;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "p2sgw: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	app_quit = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
start(struct app *a)
{
	char err[CONF_ERR_MAX];
	int rc;

	rc = dp_create(&a->dp, &a->conf, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "p2sgw: %s\n", err);
		return rc;
	}
	rc = ike_start(a, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "p2sgw: %s\n", err);
		return rc;
	}
	a->ctl = ctl_server_create(a->conf.cli_socket, 0660, a->conf.cli_group, err, sizeof(err));
	if (a->ctl == NULL) {
		fprintf(stderr, "p2sgw: %s\n", err);
		return -EINVAL;
	}
	rc = commands_register(a);
	if (rc == 0)
		rc = ike_commands_register(a);
	if (rc == 0)
		rc = admin_commands_register(a);
	if (rc == 0)
		rc = radius_commands_register(a);
	if (rc == 0)
		rc = ctl_telemetry_register(a->ctl);
	if (rc != 0) {
		fprintf(stderr, "p2sgw: cannot register commands: %s\n", strerror(-rc));
		return rc;
	}
	a->started = time(NULL);
	return dp_start_workers(&a->dp);
}

/* Stop everything; returns the process exit status. */
static int
stop(struct app *a, int failed)
{
	unsigned in_use, total;

	dp_stop(&a->dp);
	ike_stop(a);
	ctl_server_destroy(a->ctl);
	a->ctl = NULL;
	in_use = dp_mbufs_in_use(&a->dp);
	total = a->dp.mbufs ? a->dp.mbufs->size : 0;
	APP_LOG(NOTICE, "stopped: ports closed, %u of %u mbufs in use", in_use, total);
	dp_destroy(&a->dp);
	if (in_use != 0)
		return EXIT_LEAK;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	static struct app a;
	char err[CONF_ERR_MAX];
	struct opts o = { 0 };
	int sep, rc, status;

	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	/* Without "--" every word is ours and EAL runs with its defaults. */
	if (sep == argc) {
		rc = parse_opts(argc, argv, &o);
		sep = 1;
	} else {
		argv[sep] = argv[0];
		rc = parse_opts(argc - sep, argv + sep, &o);
	}
	if (rc != 0)
		return rc < 0 ? EXIT_SUCCESS : 64;

	rc = conf_load(o.config, &a.conf, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "p2sgw: %s\n", err);
		return EXIT_FAILURE;
	}
	if (o.check) {
		printf("p2sgw: %s: configuration is valid\n", o.config);
		conf_free(&a.conf);
		return EXIT_SUCCESS;
	}

	if (rte_eal_init(sep, argv) < 0) {
		fprintf(stderr, "p2sgw: EAL: cannot initialise: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	rte_log_set_level_pattern("p2sgw.*", a.conf.log_level);
	install_signals();
	umask(0007);

	rc = start(&a);
	if (rc == 0) {
		APP_LOG(NOTICE, "running %s with %u worker(s); CLI on %s", a.conf.name,
			a.dp.n_workers, a.conf.cli_socket);
		control_run(&a);
		APP_LOG(NOTICE, "stopping on signal");
	}
	status = stop(&a, rc != 0);
	conf_free(&a.conf);
	rte_eal_cleanup();
	return status;
}
