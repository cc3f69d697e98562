/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-only glue for tests/integration/radius.sh: lib/radius's client over a
 * plain UDP socket on 127.0.0.1 (the gateway uses the DPDK private port
 * instead; this socket is not part of the library). It runs one EAP-MD5
 * conversation (RFC 3748 §5.4) against a real RADIUS server: EAP-Response/
 * Identity, the Access-Challenge (authenticated by the library: Response
 * Authenticator and Message-Authenticator) with State, the MD5 response
 * sent back with that State, then Accept or Reject; then an
 * Accounting-Request Start. Prints one line per step; exits 0 when the
 * outcome is the one asked for (accept or reject).
 *
 *   radius_eap_md5 PORT SECRET USER PASSWORD accept|reject
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "radius.h"

static int fd = -1;
static const char *password;
static int outcome = -1; /* 0 accept, 1 reject, 2 timeout */
static int acct_done = -1;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
udp_send(void *arg, uint32_t addr, uint16_t port, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };

	(void)arg;
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		perror("sendto");
}

/* RFC 1994 §4.1 as EAP-MD5 uses it: MD5(identifier | secret | challenge). */
static void
md5_response(uint8_t out[16], uint8_t id, const uint8_t *chal, size_t chal_len)
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	unsigned n;

	EVP_DigestInit_ex(x, EVP_md5(), NULL);
	EVP_DigestUpdate(x, &id, 1);
	EVP_DigestUpdate(x, password, strlen(password));
	EVP_DigestUpdate(x, chal, chal_len);
	EVP_DigestFinal_ex(x, out, &n);
	EVP_MD_CTX_free(x);
}

static void
auth_cb(void *ctx, struct radius_session *s, const struct radius_auth_result *r)
{
	uint8_t resp[4 + 1 + 1 + 16];
	size_t i;

	(void)ctx;
	printf("%s: eap %zu octets%s%s, msk %zu, framed-ip %s\n", radius_result_name(r->result),
	       r->eap_len, r->reason[0] ? ", " : "", r->reason, r->msk_len,
	       r->has_framed_ip ? "yes" : "no");
	if (r->result == RADIUS_RESULT_CHALLENGE) {
		/* EAP-Request/MD5-Challenge: code 1, type 4, value-size, value */
		if (r->eap_len < 6 || r->eap[0] != 1 || r->eap[4] != 4 ||
		    r->eap[5] + 6u > r->eap_len) {
			printf("challenge is not an EAP-MD5 request (type %u)\n",
			       r->eap_len > 4 ? r->eap[4] : 0);
			outcome = 3;
			return;
		}
		resp[0] = 2;
		resp[1] = r->eap[1];
		resp[2] = 0;
		resp[3] = sizeof(resp);
		resp[4] = 4;
		resp[5] = 16;
		md5_response(resp + 6, r->eap[1], r->eap + 6, r->eap[5]);
		if (radius_access_request(s, resp, sizeof(resp), now_ms()) < 0)
			outcome = 3;
		return;
	}
	for (i = 0; i < r->eap_len && i < 8; i++)
		printf("%s%02x", i ? " " : "  eap: ", r->eap[i]);
	printf("\n");
	outcome = r->result == RADIUS_RESULT_ACCEPT ? 0 : r->result == RADIUS_RESULT_REJECT ? 1 : 2;
}

static void
acct_cb(void *ctx, int result, const char *reason)
{
	(void)ctx;
	printf("accounting: %s %s\n", result == 0 ? "response" : "failed:", reason);
	acct_done = result == 0 ? 0 : 1;
}

static void
run_until(struct radius_client *c, const int *done)
{
	uint8_t buf[RADIUS_PACKET_MAX + 64];
	struct sockaddr_in from;
	socklen_t fl;
	uint64_t end = now_ms() + 20000;

	while (*done < 0 && now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 50) > 0) {
			ssize_t n;

			fl = sizeof(from);
			n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n > 0)
				radius_input(c, buf, (size_t)n, ntohl(from.sin_addr.s_addr),
					     ntohs(from.sin_port), now_ms());
		}
		radius_timers(c, now_ms());
	}
}

int
main(int argc, char **argv)
{
	static const struct radius_ops ops = { .send = udp_send };
	struct conf_radius srv = { .addr = INADDR_LOOPBACK, .priority = 1, .timeout_ms = 1000,
				   .retries = 2 };
	struct radius_client_config cfg = { .servers = &srv, .n_servers = 1,
					    .nas_identifier = "p2sgw-test", .ops = &ops };
	struct radius_session_params sp = { .calling_station_id = "127.0.0.1[4500]",
					    .called_station_id = "127.0.0.1[4500]" };
	struct radius_acct_params ap = { .status = RADIUS_ACCT_START, .session_id = "p2s-test-1",
					 .framed_ip = 0xac100005 };
	uint8_t ident[64];
	struct radius_counters k;
	struct radius_client *c;
	struct radius_session *s;
	char err[160];
	size_t ulen;
	int want, rc = 1;
	unsigned i;

	if (argc != 6) {
		fprintf(stderr, "usage: %s PORT SECRET USER PASSWORD accept|reject\n", argv[0]);
		return 2;
	}
	srv.auth_port = (uint16_t)atoi(argv[1]);
	srv.acct_port = (uint16_t)(srv.auth_port + 1);
	snprintf(srv.secret, sizeof(srv.secret), "%s", argv[2]);
	sp.user_name = argv[3];
	ap.user_name = argv[3];
	password = argv[4];
	want = strcmp(argv[5], "accept") == 0 ? 0 : 1;
	ulen = strlen(argv[3]);
	if (ulen > sizeof(ident) - 5)
		return 2;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	c = radius_client_create(&cfg, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	s = radius_session_new(c, &sp, auth_cb, NULL);
	/* EAP-Response/Identity (RFC 3748 §5.1) */
	ident[0] = 2;
	ident[1] = 0;
	ident[2] = (uint8_t)((5 + ulen) >> 8);
	ident[3] = (uint8_t)(5 + ulen);
	ident[4] = 1;
	memcpy(ident + 5, argv[3], ulen);
	if (s == NULL || radius_access_request(s, ident, 5 + ulen, now_ms()) < 0)
		return 1;
	run_until(c, &outcome);
	if (outcome == want) {
		if (radius_accounting_request(c, &ap, acct_cb, NULL, now_ms()) == 0)
			run_until(c, &acct_done);
		rc = acct_done == 0 ? 0 : 1;
	}
	radius_counters(c, &k);
	for (i = 0; i < RADIUS_DROP_COUNT; i++)
		if (k.drops[i])
			printf("dropped %s: %llu\n", radius_drop_name(i),
			       (unsigned long long)k.drops[i]);
	radius_session_free(s);
	radius_client_free(c);
	close(fd);
	return rc;
}
