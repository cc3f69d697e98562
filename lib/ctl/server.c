/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command server: a unix socket on the control core, one request line per
 * connection, one JSON reply, then close. Everything here runs on the control
 * core, so nothing may block it: sockets are non-blocking, at most
 * CTL_CONN_MAX clients are served at once, a client gets CTL_IDLE_MS of
 * silence and CTL_REQUEST_MS in all for its request (and the same for taking
 * its reply) before it is dropped, and a line longer than CTL_LINE_MAX is
 * refused as soon as it is seen. What a line means is dispatch.c's business.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl_priv.h"

#define ACCEPT_BURST 32 /* per poll, so a connect flood cannot hold the core */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- socket setup ---- */

static int
make_parent_dir(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "cli.socket: cannot create directory %s: %s", dir, strerror(errno));
	return -errno;
}

static void
fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/*
 * A socket file left by a dead gateway refuses connections: replace it. One
 * that accepts belongs to a running gateway, which must not lose its socket.
 */
static int
claim_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int probe, rc, e;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cli.socket: cannot inspect %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "cli.socket: %s exists and is not a socket", path);
		return -EEXIST;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		snprintf(err, errlen, "cli.socket: cannot check %s: %s", path, strerror(errno));
		return -errno;
	}
	fill_addr(&sun, path);
	rc = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	close(probe);
	if (rc == 0 || e == EAGAIN) {
		snprintf(err, errlen, "cli.socket: %s is in use by a running p2sgw", path);
		return -EADDRINUSE;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen, "cli.socket: cannot check %s: %s", path, strerror(e));
		return -e;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cli.socket: cannot remove stale %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int
lookup_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
	struct group *gr;

	errno = 0;
	gr = getgrnam(group);
	if (gr == NULL) {
		if (errno != 0 && errno != ENOENT)
			snprintf(err, errlen, "cli.group: cannot look up group '%s': %s", group,
				 strerror(errno));
		else
			snprintf(err, errlen, "cli.group: no group named '%s'", group);
		return -ENOENT;
	}
	*gid = gr->gr_gid;
	return 0;
}

static int
setup_fail(const char *field, const char *what, const char *path, char *err, size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: cannot %s %s: %s", field, what, path, strerror(e));
	return -e;
}

static int
open_socket(struct ctl_server *srv, mode_t mode, gid_t gid, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int rc;

	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0)
		return setup_fail("cli.socket", "create a socket for", srv->path, err, errlen);
	/*
	 * Linux gives the new node the socket inode's mode less the umask, so
	 * setting it first means the socket is never wider open than asked.
	 */
	if (fchmod(srv->fd, mode) < 0)
		return setup_fail("cli.socket", "set the mode of", srv->path, err, errlen);
	fill_addr(&sun, srv->path);
	if (bind(srv->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return setup_fail("cli.socket", "bind", srv->path, err, errlen);
	if (gid != (gid_t)-1 && chown(srv->path, (uid_t)-1, gid) < 0)
		rc = setup_fail("cli.group", "give the group of", srv->path, err, errlen);
	else if (chmod(srv->path, mode) < 0) /* the umask may have taken bits away */
		rc = setup_fail("cli.socket", "set the mode of", srv->path, err, errlen);
	else if (stat(srv->path, &st) < 0)
		rc = setup_fail("cli.socket", "inspect", srv->path, err, errlen);
	else if (listen(srv->fd, CTL_CONN_MAX) < 0)
		rc = setup_fail("cli.socket", "listen on", srv->path, err, errlen);
	else
		rc = 0;
	if (rc < 0) {
		unlink(srv->path);
		return rc;
	}
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	return 0;
}

struct ctl_server *
ctl_server_create(const char *path, mode_t mode, const char *group, char *err, size_t errlen)
{
	struct ctl_server *srv;
	pthread_mutexattr_t attr;
	gid_t gid = (gid_t)-1;
	unsigned i;

	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof(srv->path)) {
		snprintf(err, errlen, "cli.socket: expected a path of 1..%zu bytes, got %zu",
			 sizeof(srv->path) - 1, path == NULL ? 0 : strlen(path));
		return NULL;
	}
	if (group != NULL && group[0] != '\0' && lookup_group(group, &gid, err, errlen) < 0)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(err, errlen, "cli.socket: out of memory");
		return NULL;
	}
	srv->fd = -1;
	for (i = 0; i < CTL_CONN_MAX; i++)
		srv->conns[i].fd = -1;
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	if (make_parent_dir(path, err, errlen) < 0 || claim_path(path, err, errlen) < 0 ||
	    open_socket(srv, mode & 07777, gid, err, errlen) < 0)
		goto fail;
	/*
	 * Recursive, so a control loop that holds the lock around
	 * ctl_server_poll() (which takes it around each command) cannot deadlock.
	 */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&srv->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	ctl_register_builtins(srv);
	return srv;
fail:
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv);
	return NULL;
}

int
ctl_server_fd(const struct ctl_server *srv)
{
	return srv->fd;
}

void
ctl_lock(struct ctl_server *srv)
{
	pthread_mutex_lock(&srv->lock);
}

void
ctl_unlock(struct ctl_server *srv)
{
	pthread_mutex_unlock(&srv->lock);
}

static void
conn_close(struct ctl_conn *c)
{
	close(c->fd);
	free(c->reply);
	c->fd = -1;
	c->len = 0;
	c->replying = false;
	c->reply = NULL;
	c->reply_len = 0;
	c->reply_off = 0;
}

void
ctl_server_destroy(struct ctl_server *srv)
{
	struct stat st;
	unsigned i;

	if (srv == NULL)
		return;
	ctl_telemetry_forget(srv);
	for (i = 0; i < CTL_CONN_MAX; i++)
		if (srv->conns[i].fd >= 0)
			conn_close(&srv->conns[i]);
	close(srv->fd);
	/* A successor may already have replaced a socket we were told was stale. */
	if (stat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino)
		unlink(srv->path);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

/* ---- connections ---- */

/* Best effort: a refusal to a client that cannot take it is not worth waiting for. */
static void
refuse(int fd, const char *err)
{
	struct json_object *reply = ctl_reply_error(err);
	char text[CTL_ERR_MAX + 64];
	int n;

	if (reply == NULL)
		return;
	n = snprintf(text, sizeof(text), "%s\n",
		     json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	if (n > 0 && (size_t)n < sizeof(text))
		(void)!send(fd, text, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(reply);
}

/* Returns true when the connection is done with (written out, or given up on). */
static bool
conn_write(struct ctl_conn *c)
{
	while (c->reply_off < c->reply_len) {
		ssize_t n = send(c->fd, c->reply + c->reply_off, c->reply_len - c->reply_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK;
		c->reply_off += (size_t)n;
		c->idle_deadline = now_ms() + CTL_IDLE_MS;
	}
	return true;
}

/* Turn the reply document into bytes to send; takes the reference to doc. */
static void
conn_set_reply(struct ctl_conn *c, struct json_object *doc)
{
	static const char oom[] = "{\"ok\":false,\"error\":\"out of memory\"}";
	const char *text = NULL;
	size_t len;

	if (doc != NULL)
		text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL)
		text = oom;
	len = strlen(text);
	c->replying = true;
	if (len > CTL_REPLY_MAX) {
		json_object_put(doc);
		doc = ctl_reply_error("reply too large; narrow the command");
		conn_set_reply(c, doc);
		return;
	}
	c->reply = malloc(len + 1);
	if (c->reply != NULL) {
		memcpy(c->reply, text, len);
		c->reply[len] = '\n';
		c->reply_len = len + 1;
	}
	json_object_put(doc);
	c->reply_off = 0;
	c->idle_deadline = now_ms() + CTL_IDLE_MS;
	c->deadline = now_ms() + CTL_REQUEST_MS;
}

/* The request line is c->line[0..len): check what ctl_split cannot see, then run it. */
static void
conn_request(struct ctl_server *srv, struct ctl_conn *c, size_t len)
{
	char err[CTL_ERR_MAX];
	const char *nul;

	if (len > 0 && c->line[len - 1] == '\r')
		len--;
	if (len > CTL_LINE_MAX) {
		snprintf(err, sizeof(err), "request longer than %d bytes", CTL_LINE_MAX);
		conn_set_reply(c, ctl_reply_error(err));
		return;
	}
	nul = memchr(c->line, '\0', len);
	if (nul != NULL) {
		snprintf(err, sizeof(err), "control character 0x00 at position %zu",
			 (size_t)(nul - c->line) + 1);
		conn_set_reply(c, ctl_reply_error(err));
		return;
	}
	c->line[len] = '\0';
	ctl_lock(srv);
	conn_set_reply(c, ctl_dispatch(srv, c->line));
	ctl_unlock(srv);
}

/* Read what is there; returns 1 if a request was answered. */
static int
conn_read(struct ctl_server *srv, struct ctl_conn *c)
{
	for (;;) {
		size_t room = sizeof(c->line) - c->len;
		ssize_t n = recv(c->fd, c->line + c->len, room, MSG_DONTWAIT);
		const char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 || (n == 0 && c->len == 0)) {
			conn_close(c);
			return 0;
		}
		if (n == 0) { /* the client shut down its side: take the line as it is */
			conn_request(srv, c, c->len);
			return 1;
		}
		nl = memchr(c->line + c->len, '\n', (size_t)n);
		c->len += (size_t)n;
		c->idle_deadline = now_ms() + CTL_IDLE_MS;
		if (nl != NULL) {
			conn_request(srv, c, (size_t)(nl - c->line));
			return 1;
		}
		if (c->len == sizeof(c->line)) {
			conn_request(srv, c, c->len); /* refused as too long */
			return 0;
		}
	}
}

/* Serve one ready connection; returns the number of requests answered. */
static int
conn_service(struct ctl_server *srv, struct ctl_conn *c)
{
	int answered = 0;

	if (!c->replying) {
		answered = conn_read(srv, c);
		if (c->fd < 0 || !c->replying)
			return answered;
	}
	if (c->reply == NULL || conn_write(c))
		conn_close(c);
	return answered;
}

static struct ctl_conn *
conn_slot(struct ctl_server *srv)
{
	unsigned i;

	for (i = 0; i < CTL_CONN_MAX; i++)
		if (srv->conns[i].fd < 0)
			return &srv->conns[i];
	return NULL;
}

static int
accept_pending(struct ctl_server *srv)
{
	int answered = 0, i;

	for (i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_conn *c;
		uint64_t now;

		if (fd < 0)
			break;
		c = conn_slot(srv);
		if (c == NULL) {
			char err[64];

			snprintf(err, sizeof(err), "too many connections (at most %d); try again",
				 CTL_CONN_MAX);
			refuse(fd, err);
			close(fd);
			continue;
		}
		now = now_ms();
		c->fd = fd;
		c->idle_deadline = now + CTL_IDLE_MS;
		c->deadline = now + CTL_REQUEST_MS;
		/* p2sctl writes as soon as it connects: answer now if the line is there. */
		answered += conn_service(srv, c);
	}
	return answered;
}

static void
conn_expire(struct ctl_conn *c, uint64_t now)
{
	char err[80];

	if (now < c->idle_deadline && now < c->deadline)
		return;
	if (!c->replying) {
		if (now >= c->deadline)
			snprintf(err, sizeof(err), "request line not complete within %d seconds",
				 CTL_REQUEST_MS / 1000);
		else
			snprintf(err, sizeof(err), "no request line within %d second%s; closing",
				 CTL_IDLE_MS / 1000, CTL_IDLE_MS == 1000 ? "" : "s");
		refuse(c->fd, err);
	}
	conn_close(c);
}

static int
poll_wait(const struct ctl_server *srv, int timeout_ms, uint64_t now)
{
	uint64_t first = UINT64_MAX;
	unsigned i;

	for (i = 0; i < CTL_CONN_MAX; i++) {
		const struct ctl_conn *c = &srv->conns[i];

		if (c->fd < 0)
			continue;
		first = c->idle_deadline < first ? c->idle_deadline : first;
		first = c->deadline < first ? c->deadline : first;
	}
	if (first == UINT64_MAX)
		return timeout_ms;
	first = first > now ? first - now : 0;
	if (timeout_ms < 0 || first < (uint64_t)timeout_ms)
		return (int)first;
	return timeout_ms;
}

int
ctl_server_poll(struct ctl_server *srv, int timeout_ms)
{
	struct pollfd pfd[1 + CTL_CONN_MAX];
	struct ctl_conn *conn[1 + CTL_CONN_MAX];
	int answered = 0, nfds = 1, i, rc;
	uint64_t now = now_ms();

	pfd[0] = (struct pollfd){ .fd = srv->fd, .events = POLLIN };
	for (i = 0; i < CTL_CONN_MAX; i++) {
		struct ctl_conn *c = &srv->conns[i];

		if (c->fd < 0)
			continue;
		conn[nfds] = c;
		pfd[nfds++] = (struct pollfd){ .fd = c->fd,
					       .events = c->replying ? POLLOUT : POLLIN };
	}
	rc = poll(pfd, (nfds_t)nfds, poll_wait(srv, timeout_ms, now));
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 1; i < nfds; i++)
		if (pfd[i].revents != 0)
			answered += conn_service(srv, conn[i]);
	now = now_ms();
	for (i = 0; i < CTL_CONN_MAX; i++)
		if (srv->conns[i].fd >= 0)
			conn_expire(&srv->conns[i], now);
	if (pfd[0].revents & POLLIN)
		answered += accept_pending(srv);
	return answered;
}
