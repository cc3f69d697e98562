/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * p2sctl: the operator's client for a running p2sgw. It joins its arguments
 * into one request line (quoting words that need it), sends it to the
 * gateway's unix socket, reads the one JSON reply and prints the result as
 * tables (or as JSON with -j, for scripts). It needs no EAL and no hugepages,
 * only the socket. Exit status tells scripts what went wrong: 1 the gateway
 * refused the command, 2 no usable answer from the gateway, 64 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

#define EXIT_REFUSED 1
#define EXIT_NO_ANSWER 2
#define EXIT_USAGE 64   /* EX_USAGE */
#define DEFAULT_SOCKET "/run/p2sgw/p2sgw.sock"
#define TIMEOUT_DEFAULT_S 10
#define TIMEOUT_MAX_S 3600
#define REPLY_MAX (64u << 20)

struct options {
	const char *socket;
	bool json;
	int timeout_s;
	int argc;       /* command words */
	char **argv;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: p2sctl [-s SOCKET] [-j] [-t SECONDS] COMMAND [ARGUMENT...]\n"
		"Send one command to a running p2sgw and print its answer.\n"
		"\n"
		"  -s, --socket=PATH      the gateway's CLI socket (default: $P2SGW_SOCKET,\n"
		"                         else " DEFAULT_SOCKET ")\n"
		"  -j, --json             print the result as JSON instead of tables\n"
		"  -t, --timeout=SECONDS  give up after SECONDS, 1..%d (default %d)\n"
		"  -h, --help             show this help and exit\n"
		"      --version          show the version and exit\n"
		"\n"
		"'p2sctl help' lists the gateway's commands.\n"
		"Exit status: 0 done, 1 the gateway refused the command, 2 no answer from\n"
		"the gateway, 64 usage error.\n",
		TIMEOUT_MAX_S, TIMEOUT_DEFAULT_S);
}

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "p2sctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'p2sctl --help'.\n");
	return EXIT_USAGE;
}

static int
parse_timeout(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > TIMEOUT_MAX_S)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* Returns -1 to go on, else the exit status. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("P2SGW_SOCKET");
	int c;

	o->socket = env != NULL && env[0] != '\0' ? env : DEFAULT_SOCKET;
	o->json = false;
	o->timeout_s = TIMEOUT_DEFAULT_S;
	opterr = 0;
	/* '+': stop at the first command word, so its arguments may start with '-'. */
	while ((c = getopt_long(argc, argv, "+:s:jt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			if (parse_timeout(optarg, &o->timeout_s) < 0)
				return usage_error("-t: expected whole seconds 1..3600, got '%s'",
						   optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("p2sctl %s\n", P2SGW_VERSION);
			return 0;
		case ':':
			return usage_error("%s: expected a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (o->argc == 0)
		return usage_error("no command given");
	if (strlen(o->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return usage_error("-s: expected a socket path of at most %zu bytes, got %zu",
				   sizeof(((struct sockaddr_un *)0)->sun_path) - 1, strlen(o->socket));
	return -1;
}

static bool
needs_quotes(const char *w)
{
	return w[0] == '\0' || strpbrk(w, " \t\"") != NULL;
}

/* Join words as the gateway splits them: "..." around blanks, \" and \\ inside. */
static int
build_line(const struct options *o, char *line, size_t len)
{
	size_t n = 0;
	int i;

	for (i = 0; i < o->argc; i++) {
		const char *w = o->argv[i], *p;
		bool quote = needs_quotes(w);

		for (p = w; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return usage_error("word %d ('%.20s...') contains control character 0x%02x",
						   i + 1, w, (unsigned char)*p);
		if (i > 0 && n < len)
			line[n++] = ' ';
		if (quote && n < len)
			line[n++] = '"';
		for (p = w; *p != '\0' && n < len; p++) {
			if (quote && (*p == '"' || *p == '\\') && n + 1 < len)
				line[n++] = '\\';
			line[n++] = *p;
		}
		if (quote && n < len)
			line[n++] = '"';
	}
	if (n > CTL_LINE_MAX)
		return usage_error("the command is longer than %d bytes", CTL_LINE_MAX);
	line[n++] = '\n';
	line[n] = '\0';
	return -1;
}

static int
connect_socket(const struct options *o)
{
	struct timeval tv = { .tv_sec = o->timeout_s };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, e;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "p2sctl: cannot create a socket: %s\n", strerror(errno));
		return -1;
	}
	/* A gateway whose backlog is full makes connect() wait: bound that too. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memcpy(sun.sun_path, o->socket, strlen(o->socket) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	e = errno;
	close(fd);
	fprintf(stderr, "p2sctl: cannot connect to %s: %s (%s)\n", o->socket, strerror(e),
		e == EACCES ? "are you in the socket's group?" : "is p2sgw running?");
	return -1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The gateway closes after its reply: read to EOF, within the deadline. */
static char *
read_reply(int fd, const struct options *o, size_t *lenp)
{
	uint64_t deadline = now_ms() + (uint64_t)o->timeout_s * 1000;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *grown;

	while (buf != NULL) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) == 0) {
			fprintf(stderr, "p2sctl: no reply from %s within %d s\n", o->socket,
				o->timeout_s);
			break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			fprintf(stderr, "p2sctl: reading from %s: %s\n", o->socket, strerror(errno));
			break;
		}
		if (n == 0) {
			buf[len] = '\0';
			*lenp = len;
			return buf;
		}
		len += (size_t)n;
		if (len + 1 < cap)
			continue;
		grown = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;
		if (grown == NULL) {
			fprintf(stderr, "p2sctl: reply from %s is larger than %u MB\n", o->socket,
				REPLY_MAX >> 20);
			break;
		}
		buf = grown;
		cap *= 2;
	}
	free(buf);
	return NULL;
}

static struct json_object *
parse_reply(const char *text, size_t len, const char *socket)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *doc = NULL;
	enum json_tokener_error jerr;
	size_t end;

	if (tok == NULL) {
		fprintf(stderr, "p2sctl: out of memory\n");
		return NULL;
	}
	doc = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_success && strspn(text + end, " \r\n") == len - end &&
	    json_object_is_type(doc, json_type_object))
		return doc;
	json_object_put(doc);
	if (len == 0)
		fprintf(stderr, "p2sctl: %s closed the connection without a reply\n", socket);
	else
		fprintf(stderr, "p2sctl: malformed reply from %s: %s\n", socket,
			jerr != json_tokener_success ? json_tokener_error_desc(jerr) :
						       "not one JSON object");
	return NULL;
}

static int
print_reply(struct json_object *doc, const struct options *o)
{
	struct json_object *ok = NULL, *result = NULL, *error = NULL;

	if (!json_object_object_get_ex(doc, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		fprintf(stderr, "p2sctl: malformed reply from %s: no \"ok\"\n", o->socket);
		return EXIT_NO_ANSWER;
	}
	if (!json_object_get_boolean(ok)) {
		fprintf(stderr, "p2sctl: ");
		/* rendered, so even a broken gateway cannot write controls to the terminal */
		if (json_object_object_get_ex(doc, "error", &error) &&
		    json_object_is_type(error, json_type_string))
			ctl_render_text(error, stderr);
		else
			fprintf(stderr, "command failed\n");
		return EXIT_REFUSED;
	}
	json_object_object_get_ex(doc, "result", &result);
	if (o->json)
		printf("%s\n", json_object_to_json_string_ext(
					result, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		ctl_render_text(result, stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "p2sctl: cannot write the output: %s\n", strerror(errno));
		return EXIT_REFUSED;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char line[CTL_LINE_MAX + 2];
	struct options o = { 0 };
	struct json_object *doc;
	char *reply;
	size_t len = 0;
	int rc, fd;

	rc = parse_options(argc, argv, &o);
	if (rc < 0)
		rc = build_line(&o, line, sizeof(line) - 1);
	if (rc >= 0)
		return rc;
	fd = connect_socket(&o);
	if (fd < 0)
		return EXIT_NO_ANSWER;
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "p2sctl: sending to %s: %s\n", o.socket, strerror(errno));
		close(fd);
		return EXIT_NO_ANSWER;
	}
	reply = read_reply(fd, &o, &len);
	close(fd);
	if (reply == NULL)
		return EXIT_NO_ANSWER;
	doc = parse_reply(reply, len, o.socket);
	free(reply);
	if (doc == NULL)
		return EXIT_NO_ANSWER;
	rc = print_reply(doc, &o);
	json_object_put(doc);
	return rc;
}
