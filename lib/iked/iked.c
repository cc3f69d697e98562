/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The responder's frame: IKE_SA table, message ID and retransmission rules
 * (RFC 7296 §2.1–2.2), the response cache, our own requests (liveness,
 * DELETE), timers and the CLI view. The exchanges are in exchange.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_log.h>

#include "iked_priv.h"
#include "exchange.h"
#include "pool.h"


struct init_key {
	uint64_t spi_i;
	uint32_t addr;
	uint16_t port;
	uint16_t pad;
};

#define X_NAME(name, help) #name,
static const char *const drop_names[] = { IKED_DROP_REASONS(X_NAME) };
static const char *const event_names[] = { IKED_EVENTS(X_NAME) };
#undef X_NAME

const char *
iked_drop_name(enum iked_drop d)
{
	return d < IKED_DROP_COUNT ? drop_names[d] : "?";
}

const char *
iked_event_name(enum iked_event e)
{
	return e < IKED_EV_COUNT ? event_names[e] : "?";
}

const char *
iked_state_name(enum iked_state s)
{
	static const char *const names[] = { "half-open", "established", "rekeyed", "deleting" };

	return (unsigned)s < RTE_DIM(names) ? names[s] : "?";
}

/* ---- table ---- */

static struct rte_hash *
hash_new(const char *what, unsigned entries, uint32_t key_len, const void *owner)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries < 8 ? 8 : entries,
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};

	snprintf(name, sizeof(name), "iked_%s_%p", what, owner);
	return rte_hash_create(&hp);
}

struct iked_sa *
iked_sa_find(const struct iked *ik, uint64_t spi_ours)
{
	void *data;

	if (rte_hash_lookup_data(ik->by_spi, &spi_ours, &data) < 0)
		return NULL;
	return ik->sas[(uintptr_t)data];
}

static struct init_key
init_key(uint64_t spi_i, uint32_t addr, uint16_t port)
{
	struct init_key k;

	memset(&k, 0, sizeof(k));
	k.spi_i = spi_i;
	k.addr = addr;
	k.port = port;
	return k;
}

struct iked_sa *
iked_sa_find_init(const struct iked *ik, uint64_t spi_i, uint32_t addr, uint16_t port)
{
	struct init_key k = init_key(spi_i, addr, port);
	void *data;

	if (rte_hash_lookup_data(ik->by_init, &k, &data) < 0)
		return NULL;
	return ik->sas[(uintptr_t)data];
}

unsigned
iked_half_open_from(const struct iked *ik, uint32_t addr)
{
	unsigned i, n = 0;

	for (i = 0; i < ik->cap; i++)
		if (ik->sas[i] != NULL && ik->sas[i]->state == IKED_HALF_OPEN &&
		    ik->sas[i]->peer_addr == addr)
			n++;
	return n;
}

uint64_t
iked_spi_new(const struct iked *ik)
{
	uint64_t spi;

	do
		RAND_bytes((uint8_t *)&spi, sizeof(spi));
	while (spi == 0 || iked_sa_find(ik, spi) != NULL);
	return spi;
}

struct iked_sa *
iked_sa_new(struct iked *ik, uint64_t spi_i, uint32_t addr, uint16_t port, uint64_t now)
{
	struct init_key k = init_key(spi_i, addr, port);
	struct iked_sa *sa;
	unsigned i;

	for (i = 0; i < ik->cap && ik->sas[i] != NULL; i++)
		;
	if (i == ik->cap)
		return NULL;
	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return NULL;
	sa->spi_ours = iked_spi_new(ik);
	sa->spi_r = sa->spi_ours;
	if (rte_hash_add_key_data(ik->by_spi, &sa->spi_ours, (void *)(uintptr_t)i) < 0 ||
	    rte_hash_add_key_data(ik->by_init, &k, (void *)(uintptr_t)i) < 0) {
		rte_hash_del_key(ik->by_spi, &sa->spi_ours);
		free(sa);
		return NULL;
	}
	sa->id = ++ik->next_id;
	sa->state = IKED_HALF_OPEN;
	sa->spi_i = spi_i;
	sa->peer_addr = addr;
	sa->peer_port = port;
	sa->created_ms = sa->heard_ms = now;
	sa->pos = (int32_t)i;
	ik->sas[i] = sa;
	ik->n++;
	ik->half_open++;
	return sa;
}

/*
 * A rekeyed IKE_SA's successor: same peer, new SPIs, everything else moves.
 * The client rekeyed: peer_spi is its SPIi, ours is made here. We rekeyed:
 * our_spi (the one we offered) is SPIi, peer_spi the client's SPIr.
 */
struct iked_sa *
iked_sa_successor(struct iked *ik, struct iked_sa *old, uint64_t peer_spi, uint64_t our_spi)
{
	struct iked_sa *sa = iked_sa_new(ik, peer_spi, old->peer_addr, old->peer_port,
					 old->heard_ms);
	struct init_key k;

	if (sa == NULL)
		return NULL;
	k = init_key(peer_spi, old->peer_addr, old->peer_port);
	rte_hash_del_key(ik->by_init, &k);
	ik->half_open--;
	if (our_spi != 0) {
		rte_hash_del_key(ik->by_spi, &sa->spi_ours);
		if (iked_sa_find(ik, our_spi) != NULL ||
		    rte_hash_add_key_data(ik->by_spi, &our_spi, (void *)(uintptr_t)sa->pos) < 0) {
			ik->sas[sa->pos] = NULL;
			ik->n--;
			free(sa);
			return NULL;
		}
		sa->spi_ours = sa->spi_i = our_spi;
		sa->spi_r = peer_spi;
		sa->initiator = true;
	}
	sa->state = IKED_ESTABLISHED;
	ik->established++;
	sa->local_port = old->local_port;
	sa->nat = old->nat;
	sa->frag_sup = old->frag_sup;
	sa->peer_hashes = old->peer_hashes;
	memcpy(sa->identity, old->identity, sizeof(sa->identity));
	memcpy(sa->subject, old->subject, sizeof(sa->subject));
	memcpy(sa->thumbprint, old->thumbprint, sizeof(sa->thumbprint));
	memcpy(sa->root, old->root, sizeof(sa->root));
	sa->eap_used = old->eap_used;
	sa->inner_addr = old->inner_addr;
	sa->tunnel_id = old->tunnel_id;
	sa->child = old->child;
	sa->child_in_spi = old->child_in_spi;
	sa->child_out_spi = old->child_out_spi;
	sa->old_in_spi = old->old_in_spi;
	sa->old_out_spi = old->old_out_spi;
	sa->created_ms = old->created_ms;
	sa->established_ms = old->established_ms;
	sa->seen_in_packets = old->seen_in_packets;
	sa->child_ms = old->child_ms;
	sa->child_bytes0 = old->child_bytes0;
	sa->rekey_after_ms = old->rekey_after_ms;
	sa->ike_ms = old->heard_ms;
	/* The old IKE_SA keeps no tunnel: its DELETE must not take the client down. */
	old->inner_addr = 0;
	old->tunnel_id = 0;
	old->old_in_spi = old->old_out_spi = 0;
	old->state = IKED_REKEYED;
	old->rekeyed_ms = old->heard_ms;
	ik->established--;
	return sa;
}

static void
cache_clear(struct iked_cache *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

void
iked_sa_destroy(struct iked *ik, struct iked_sa *sa)
{
	struct init_key k = init_key(sa->spi_i, sa->peer_addr, sa->peer_port);

	if (sa->eap_relay)
		ik->ops.eap_end(ik->cfg.ops_arg, sa->id);
	if (sa->tunnel_id != 0)
		ik->ops.tunnel_del(ik->cfg.ops_arg, sa->tunnel_id, (enum iked_end)sa->end);
	if (sa->inner_addr != 0)
		pool_give(ik->cfg.pool, sa->inner_addr);
	rte_hash_del_key(ik->by_spi, &sa->spi_ours);
	if (sa->state == IKED_HALF_OPEN) {
		rte_hash_del_key(ik->by_init, &k);
		ik->half_open--;
	} else if (sa->state == IKED_ESTABLISHED) {
		ik->established--;
	}
	ik->sas[sa->pos] = NULL;
	ik->n--;
	cache_clear(&sa->resp);
	cache_clear(&sa->req);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->reasm_buf);
	free(sa->eap_first);
	ike_wipe(sa->msk, sizeof(sa->msk));
	ike_sk_wipe(&sa->sk_i);
	ike_sk_wipe(&sa->sk_r);
	ike_dh_free(sa->rekey_dh);
	ike_wipe(&sa->keys, sizeof(sa->keys));
	free(sa);
}

/* The IKE_SA is authenticated now: it counts as established, not half-open. */
void
iked_sa_established(struct iked *ik, struct iked_sa *sa, uint64_t now)
{
	struct init_key k = init_key(sa->spi_i, sa->peer_addr, sa->peer_port);

	if (sa->state == IKED_HALF_OPEN) {
		rte_hash_del_key(ik->by_init, &k);
		ik->half_open--;
	}
	sa->state = IKED_ESTABLISHED;
	ik->established++;
	sa->established_ms = sa->ike_ms = now;
	free(sa->init_req);
	free(sa->init_resp);
	sa->init_req = sa->init_resp = NULL;
}

/* ---- sending ---- */

static void
cache_send(const struct iked *ik, const struct iked_cache *c, uint32_t addr, uint16_t port,
	   uint16_t local_port)
{
	size_t off = 0;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		ik->ops.send(ik->cfg.ops_arg, local_port, addr, port, c->buf + off, c->dlen[i]);
		off += c->dlen[i];
	}
}

static int
cache_fill(struct iked_cache *c, const uint8_t *data, size_t len,
	   const struct ike_frag_slice *slices, unsigned n)
{
	unsigned i;

	cache_clear(c);
	c->buf = malloc(len);
	if (c->buf == NULL)
		return -ENOMEM;
	memcpy(c->buf, data, len);
	c->len = len;
	c->n = n;
	for (i = 0; i < n; i++)
		c->dlen[i] = slices[i].len;
	return 0;
}

/* Datagram room for an IKE message: fragment_size less IPv4, UDP and the marker. */
static size_t
msg_room(const struct iked *ik, const struct iked_sa *sa)
{
	return ik->cfg.ike->fragment_size - 20 - 8 - (sa->local_port == 4500 ? 4 : 0);
}

/*
 * Protect ik->inner (a chain starting with first, len bytes) for sa, in one
 * message or in RFC 7383 fragments, into cache c, and send it.
 */
static int
protect_and_send(struct iked *ik, struct iked_sa *sa, struct iked_cache *c, uint8_t exchange,
		 bool response, uint32_t msg_id, uint8_t first, size_t len)
{
	struct ike_header hdr = {
		.spi_i = sa->spi_i, .spi_r = sa->spi_r, .major = 2, .exchange = exchange,
		.flags = (response ? IKE_FLAG_RESPONSE : 0) | (sa->initiator ? IKE_FLAG_INITIATOR : 0),
		.message_id = msg_id,
	};
	struct ike_frag_slice slices[IKE_FRAG_MAX];
	size_t room = msg_room(ik, sa);
	int rc, n = 1;

	rc = ike_sk_encrypt(&sa->sk_r, &hdr, first, ik->inner, len, ik->out, sizeof(ik->out));
	if (rc < 0)
		return rc;
	if ((size_t)rc > room && sa->frag_sup) {
		n = ike_frag_encrypt(&sa->sk_r, &hdr, first, ik->inner, len, room, ik->out,
				     sizeof(ik->out), slices, IKE_FRAG_MAX);
		if (n < 0)
			return n;
		rc = (int)(slices[n - 1].offset + slices[n - 1].len);
	} else {
		slices[0] = (struct ike_frag_slice){ .offset = 0, .len = (uint16_t)rc };
	}
	rc = cache_fill(c, ik->out, (size_t)rc, slices, (unsigned)n);
	if (rc < 0)
		return rc;
	cache_send(ik, c, sa->peer_addr, sa->peer_port, sa->local_port);
	return 0;
}

int
iked_respond(struct iked *ik, struct iked_sa *sa, uint8_t exchange, uint32_t msg_id,
	     struct ike_writer *w)
{
	return protect_and_send(ik, sa, &sa->resp, exchange, true, msg_id, w->first, w->len);
}

/* A response of a single notify, protected. */
int
iked_respond_notify(struct iked *ik, struct iked_sa *sa, uint8_t exchange, uint32_t msg_id,
		    uint16_t type, const void *data, size_t len)
{
	struct ike_writer w;

	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (ike_put_notify(&w, 0, NULL, 0, type, data, len) < 0)
		return -ENOSPC;
	return iked_respond(ik, sa, exchange, msg_id, &w);
}

/* Unprotected datagram (IKE_SA_INIT responses): sent and, if c, cached. */
int
iked_send_plain(struct iked *ik, struct iked_sa *sa, const uint8_t *msg, size_t len,
		uint32_t addr, uint16_t port, uint16_t local_port)
{
	struct ike_frag_slice one = { .offset = 0, .len = (uint16_t)len };

	if (sa != NULL) {
		if (cache_fill(&sa->resp, msg, len, &one, 1) < 0)
			return -ENOMEM;
	}
	ik->ops.send(ik->cfg.ops_arg, local_port, addr, port, msg, len);
	return 0;
}

/* Our own request: exchange with ik->inner (first, len; len may be 0). */
static int
request(struct iked *ik, struct iked_sa *sa, uint8_t exchange, enum iked_req why, uint8_t first,
	size_t len, uint64_t now)
{
	int rc = protect_and_send(ik, sa, &sa->req, exchange, false, sa->our_next_id, first, len);

	if (rc < 0)
		return rc;
	sa->pending = why;
	sa->tries = 1;
	sa->retry_ms = now + IKED_RETRY_FIRST_MS;
	return 0;
}

static int
request_delete_ike(struct iked *ik, struct iked_sa *sa, uint64_t now)
{
	struct ike_writer w;

	ike_writer_chain(&w, ik->inner, sizeof(ik->inner));
	if (ike_put_delete(&w, IKE_PROTO_IKE, 0, NULL, 0) < 0)
		return -ENOSPC;
	return request(ik, sa, IKE_EXCH_INFORMATIONAL, IKED_REQ_DELETE, w.first, w.len, now);
}

int
iked_request(struct iked *ik, struct iked_sa *sa, uint8_t exchange, enum iked_req why,
	     const struct ike_writer *w, uint64_t now)
{
	return request(ik, sa, exchange, why, w->first, w->len, now);
}

/*
 * Tell the client this IKE_SA ends and forget it now: the tunnel and address
 * go at once. The DELETE is sent once (a state kept only to retransmit a
 * DELETE would outlive the tunnel it talks about).
 */
void
iked_sa_end(struct iked *ik, struct iked_sa *sa, enum iked_end why, uint64_t now)
{
	sa->end = (uint8_t)why;
	if (sa->state == IKED_ESTABLISHED)
		request_delete_ike(ik, sa, now);
	iked_sa_destroy(ik, sa);
}

/* ---- input ---- */

static void
response_input(struct iked *ik, struct iked_sa *sa, const struct ike_msg *msg, uint64_t now)
{
	struct ike_chain chain;
	enum iked_req why;
	int len;

	if (sa->pending == IKED_REQ_NONE || msg->hdr.message_id != sa->our_next_id ||
	    msg->sk_type != IKE_PL_SK) {
		ik->drops[IKED_DROP_response]++;
		return;
	}
	len = ike_sk_decrypt(&sa->sk_i, msg, ik->plain, sizeof(ik->plain));
	if (len < 0) {
		ik->drops[IKED_DROP_integrity]++;
		return;
	}
	if (ike_chain_parse(msg->sk_next, ik->plain, (size_t)len, &chain) < 0) {
		ik->drops[IKED_DROP_malformed]++;
		return;
	}
	why = sa->pending;
	sa->our_next_id++;
	sa->heard_ms = now;
	sa->pending = IKED_REQ_NONE;
	cache_clear(&sa->req);
	switch (why) {
	case IKED_REQ_DELETE:
		iked_sa_destroy(ik, sa);
		return;
	case IKED_REQ_REKEY_CHILD:
		iked_rekey_child_done(ik, sa, &chain, now);
		return;
	case IKED_REQ_REKEY_IKE:
		iked_rekey_ike_done(ik, sa, &chain, now);
		return;
	case IKED_REQ_DELETE_CHILD:
		if (sa->old_in_spi != 0)
			ik->ops.child_remove(ik->cfg.ops_arg, sa->old_in_spi);
		sa->old_in_spi = sa->old_out_spi = 0;
		return;
	default:
		return;
	}
}

/* Reassemble RFC 7383 fragments; 1 and the chain in ik->plain when complete. */
static int
fragment_input(struct iked *ik, struct iked_sa *sa, const struct ike_msg *msg, size_t *len,
	       uint8_t *first)
{
	int rc;

	if (sa->reasm_buf == NULL) {
		sa->reasm_buf = malloc(IKE_FRAG_BYTES_MAX);
		if (sa->reasm_buf == NULL)
			return -ENOMEM;
		ike_frag_reasm_init(&sa->reasm, sa->reasm_buf, IKE_FRAG_BYTES_MAX);
	}
	if (sa->reasm.total != 0 && sa->reasm.message_id != msg->hdr.message_id)
		ike_frag_reasm_reset(&sa->reasm);
	rc = ike_frag_reasm_add(&sa->reasm, &sa->sk_i, msg);
	if (rc == -EBADMSG)
		ik->drops[IKED_DROP_integrity]++;
	else if (rc < 0 && rc != -EALREADY)
		ik->drops[IKED_DROP_fragment]++;
	if (rc != 1)
		return 0;
	rc = ike_frag_reasm_take(&sa->reasm, ik->plain, sizeof(ik->plain), first);
	if (rc < 0) {
		ik->drops[IKED_DROP_fragment]++;
		return 0;
	}
	*len = (size_t)rc;
	return 1;
}

static void
request_input(struct iked *ik, struct iked_sa *sa, const struct ike_msg *msg, uint32_t addr,
	      uint16_t port, uint16_t local_port, uint64_t now)
{
	struct ike_chain chain;
	uint8_t first;
	size_t len;
	int rc;

	/* §2.16: the IKE_AUTH held while the RADIUS server is asked is answered
	 * once; copies of it meanwhile start nothing. */
	if (sa->eap == IKED_EAP_WAIT_SERVER && msg->hdr.message_id + 1 == sa->peer_next_id) {
		ik->drops[IKED_DROP_eap_pending]++;
		return;
	}
	if (msg->hdr.message_id + 1 == sa->peer_next_id && sa->resp.n != 0) {
		/* RFC 7383 §2.6.1: a fragmented request is answered again on its first fragment. */
		if (msg->sk_type == IKE_PL_SKF && msg->frag_number != 1)
			return;
		/* Only a genuine copy gets the answer again, not a forged header. */
		if (msg->sk_type == 0 ||
		    ike_sk_decrypt(&sa->sk_i, msg, ik->plain, sizeof(ik->plain)) < 0) {
			ik->drops[IKED_DROP_integrity]++;
			return;
		}
		ik->events[IKED_EV_retransmits_answered]++;
		cache_send(ik, &sa->resp, addr, port, local_port);
		return;
	}
	if (msg->hdr.message_id != sa->peer_next_id) {
		ik->drops[IKED_DROP_bad_message_id]++;
		return;
	}
	if (msg->sk_type == IKE_PL_SKF) {
		if (!sa->frag_sup) {
			ik->drops[IKED_DROP_fragment]++;
			return;
		}
		if (fragment_input(ik, sa, msg, &len, &first) != 1)
			return;
	} else if (msg->sk_type == IKE_PL_SK) {
		rc = ike_sk_decrypt(&sa->sk_i, msg, ik->plain, sizeof(ik->plain));
		if (rc < 0) {
			ik->drops[rc == -EBADMSG ? IKED_DROP_integrity : IKED_DROP_malformed]++;
			return;
		}
		len = (size_t)rc;
		first = msg->sk_next;
	} else {
		ik->drops[IKED_DROP_unexpected]++;
		return;
	}
	if (ike_chain_parse(first, ik->plain, len, &chain) < 0) {
		ik->drops[IKED_DROP_malformed]++;
		return;
	}
	ik->plain_len = len;
	ik->plain_first = first;
	/* Authenticated: the client may have moved (NAT rebinding, switch to 4500). */
	sa->peer_addr = addr;
	sa->peer_port = port;
	sa->local_port = local_port;
	sa->heard_ms = now;
	ik->events[IKED_EV_requests]++;

	switch (msg->hdr.exchange) {
	case IKE_EXCH_IKE_AUTH:
		/* The first IKE_AUTH, or the next round of an EAP conversation (§2.16). */
		if (sa->state != IKED_HALF_OPEN ||
		    (msg->hdr.message_id != 1 && sa->eap != IKED_EAP_WAIT_CLIENT &&
		     sa->eap != IKED_EAP_WAIT_AUTH && sa->eap != IKED_EAP_WAIT_IDENTITY)) {
			ik->drops[IKED_DROP_unexpected]++;
			return;
		}
		sa->peer_next_id++;
		iked_auth(ik, sa, &chain, now);
		return;
	case IKE_EXCH_CREATE_CHILD_SA:
		if (sa->state != IKED_ESTABLISHED) {
			ik->drops[IKED_DROP_unexpected]++;
			return;
		}
		sa->peer_next_id++;
		iked_create_child(ik, sa, &chain, now);
		return;
	case IKE_EXCH_INFORMATIONAL:
		if (sa->state == IKED_HALF_OPEN) {
			ik->drops[IKED_DROP_unexpected]++;
			return;
		}
		sa->peer_next_id++;
		iked_informational(ik, sa, &chain, now);
		return;
	default:
		ik->drops[IKED_DROP_unexpected]++;
	}
}

void
iked_input(struct iked *ik, const uint8_t *payload, size_t len, uint32_t addr, uint16_t port,
	   uint16_t local_port, uint64_t now)
{
	static const uint8_t marker[4];
	struct ike_msg msg;
	struct iked_sa *sa;

	if (ik->disabled) {
		ik->drops[IKED_DROP_disabled]++;
		return;
	}
	if (local_port == 4500) {
		if (len < sizeof(marker) || memcmp(payload, marker, sizeof(marker)) != 0) {
			ik->drops[IKED_DROP_bad_marker]++;
			return;
		}
		payload += sizeof(marker);
		len -= sizeof(marker);
	}
	if (ike_msg_parse(payload, len, &msg) < 0) {
		ik->drops[IKED_DROP_malformed]++;
		return;
	}
	if (msg.hdr.exchange == IKE_EXCH_IKE_SA_INIT && msg.hdr.spi_r == 0) {
		if ((msg.hdr.flags & (IKE_FLAG_RESPONSE | IKE_FLAG_INITIATOR)) !=
			    IKE_FLAG_INITIATOR ||
		    msg.hdr.message_id != 0 || msg.hdr.spi_i == 0) {
			ik->drops[IKED_DROP_unexpected]++;
			return;
		}
		iked_init(ik, &msg, addr, port, local_port, now);
		return;
	}
	/* The client's I flag says which SPI is ours (§2.18 after our rekey). */
	sa = iked_sa_find(ik, msg.hdr.flags & IKE_FLAG_INITIATOR ? msg.hdr.spi_r : msg.hdr.spi_i);
	if (sa == NULL || sa->spi_i != msg.hdr.spi_i || sa->spi_r != msg.hdr.spi_r ||
	    !(msg.hdr.flags & IKE_FLAG_INITIATOR) != sa->initiator) {
		ik->drops[IKED_DROP_unknown_spi]++;
		return;
	}
	if (msg.hdr.flags & IKE_FLAG_RESPONSE)
		response_input(ik, sa, &msg, now);
	else if (msg.hdr.exchange == IKE_EXCH_IKE_SA_INIT)
		/* A retransmitted IKE_SA_INIT already answered (it carries our SPI only if
		 * the client is confused): nothing to do. */
		ik->drops[IKED_DROP_unexpected]++;
	else
		request_input(ik, sa, &msg, addr, port, local_port, now);
}

/* ---- timers ---- */

static void
liveness(struct iked *ik, struct iked_sa *sa, uint64_t now)
{
	const struct conf_ikev2 *k = ik->cfg.ike;
	struct iked_tunnel_stats st;

	if (sa->pending != IKED_REQ_NONE) {
		if (now < sa->retry_ms)
			return;
		if (sa->tries > k->liveness_retries || sa->pending == IKED_REQ_DELETE) {
			if (sa->pending == IKED_REQ_LIVENESS) {
				sa->end = IKED_END_LOST;
				ik->events[IKED_EV_reaped]++;
				IKED_LOG(NOTICE, "IKE_SA %u (%s): no answer to %u liveness checks, "
					 "client reaped\n", sa->id, sa->identity, sa->tries);
			}
			iked_sa_destroy(ik, sa);
			return;
		}
		cache_send(ik, &sa->req, sa->peer_addr, sa->peer_port, sa->local_port);
		sa->retry_ms = now + ((uint64_t)IKED_RETRY_FIRST_MS << sa->tries);
		sa->tries++;
		return;
	}
	if (sa->tunnel_id != 0 && ik->ops.tunnel_stats(ik->cfg.ops_arg, sa->tunnel_id, &st) == 0) {
		if (st.in_packets != sa->seen_in_packets) {
			sa->seen_in_packets = st.in_packets;
			sa->heard_ms = now;
		}
		/* The CHILD_SA's lifetime (time, bytes, sequence numbers): we rekey it. */
		if (now >= sa->rekey_after_ms &&
		    ((k->child_lifetime_s != 0 &&
		      now - sa->child_ms >= (uint64_t)k->child_lifetime_s * 1000) ||
		     (k->child_lifetime_bytes != 0 &&
		      st.in_bytes + st.out_bytes - sa->child_bytes0 >= k->child_lifetime_bytes) ||
		     st.seq_soft)) {
			if (iked_rekey_child_start(ik, sa, now) < 0)
				sa->rekey_after_ms = now + 60000;
			return;
		}
	}
	if (k->liveness_s != 0 && now - sa->heard_ms >= (uint64_t)k->liveness_s * 1000) {
		ik->events[IKED_EV_liveness_sent]++;
		request(ik, sa, IKE_EXCH_INFORMATIONAL, IKED_REQ_LIVENESS, IKE_PL_NONE, 0, now);
	}
}

unsigned
iked_timers(struct iked *ik, uint64_t now)
{
	const struct conf_ikev2 *k = ik->cfg.ike;
	unsigned i, work = 0;

	if (now >= ik->cookie_rotate_ms) {
		memcpy(ik->cookie_secret[1], ik->cookie_secret[0], sizeof(ik->cookie_secret[0]));
		RAND_bytes(ik->cookie_secret[0], sizeof(ik->cookie_secret[0]));
		ik->cookie_version++;
		ik->cookie_rotate_ms = now + IKED_COOKIE_ROTATE_MS;
	}
	for (i = 0; i < ik->cap; i++) {
		struct iked_sa *sa = ik->sas[i];

		if (sa == NULL)
			continue;
		switch (sa->state) {
		case IKED_HALF_OPEN:
			if (now - sa->created_ms >= IKED_HALF_OPEN_MS) {
				ik->events[IKED_EV_half_open_expired]++;
				iked_sa_destroy(ik, sa);
				work++;
			}
			break;
		case IKED_REKEYED:
			if (now - sa->rekeyed_ms >= IKED_REKEYED_MS) {
				iked_sa_destroy(ik, sa);
				work++;
			}
			break;
		case IKED_DELETING:
		case IKED_ESTABLISHED:
			if (k->ike_lifetime_s != 0 && sa->pending == IKED_REQ_NONE &&
			    sa->state == IKED_ESTABLISHED && now >= sa->rekey_after_ms &&
			    now - sa->ike_ms >= (uint64_t)k->ike_lifetime_s * 1000) {
				/* New keys for the IKE_SA; if the client will not, it goes. */
				if (iked_rekey_ike_start(ik, sa, now) < 0) {
					ik->events[IKED_EV_expired]++;
					IKED_LOG(INFO, "IKE_SA %u (%s): lifetime over and no rekey, "
						 "deleted\n", sa->id, sa->identity);
					iked_sa_end(ik, sa, IKED_END_EXPIRED, now);
				}
				work++;
				break;
			}
			liveness(ik, sa, now);
			break;
		}
	}
	return work;
}

int
iked_disconnect(struct iked *ik, uint32_t tunnel_id, uint64_t now)
{
	unsigned i;

	for (i = 0; i < ik->cap; i++) {
		struct iked_sa *sa = ik->sas[i];

		if (sa != NULL && sa->state == IKED_ESTABLISHED && sa->tunnel_id == tunnel_id) {
			ik->events[IKED_EV_disconnects]++;
			IKED_LOG(NOTICE, "IKE_SA %u (%s): disconnected by the operator\n", sa->id,
				 sa->identity);
			iked_sa_end(ik, sa, IKED_END_ADMIN, now);
			return 0;
		}
	}
	return -ENOENT;
}

static bool
root_trusted(const struct auth_roots *roots, const char *name)
{
	unsigned i, n = roots != NULL ? auth_roots_count(roots) : 0;

	for (i = 0; i < n; i++)
		if (strcmp(auth_roots_name(roots, i), name) == 0)
			return true;
	return false;
}

void
iked_set_network(struct iked *ik, const struct conf_prefix *vnet, unsigned n_vnet,
		 const uint32_t *dns, unsigned n_dns)
{
	ik->cfg.vnet = vnet;
	ik->cfg.n_vnet = n_vnet;
	ik->cfg.dns = dns;
	ik->cfg.n_dns = n_dns;
}

unsigned
iked_set_trust(struct iked *ik, const struct auth_roots *roots,
	       const struct auth_revoked *revoked, uint64_t now)
{
	unsigned i, n = 0;
	int len;

	ik->cfg.roots = roots;
	ik->cfg.revoked = revoked;
	len = roots ? auth_roots_certreq(roots, ik->certreq, sizeof(ik->certreq)) : 0;
	ik->certreq_len = len < 0 ? 0 : len;
	for (i = 0; i < ik->cap; i++) {
		struct iked_sa *sa = ik->sas[i];
		const char *why;

		/* EAP clients hold no certificate: trust does not concern them. */
		if (sa == NULL || sa->state != IKED_ESTABLISHED || sa->eap_used)
			continue;
		if (auth_revoked_find(revoked, sa->thumbprint) != NULL)
			why = "its certificate is revoked now";
		else if (!root_trusted(roots, sa->root))
			why = "its root is no longer trusted";
		else
			continue;
		ik->events[IKED_EV_trust_revoked]++;
		IKED_LOG(NOTICE, "IKE_SA %u (%s): ended: %s\n", sa->id, sa->identity, why);
		iked_sa_end(ik, sa, IKED_END_ADMIN, now);
		n++;
	}
	return n;
}

void
iked_set_eap(struct iked *ik, bool on)
{
	ik->eap = on && ik->ops.eap_start != NULL && ik->ops.eap_send != NULL &&
		  ik->ops.eap_end != NULL;
}

unsigned
iked_set_auth(struct iked *ik, bool cert, bool eap, uint64_t now)
{
	unsigned i, n = 0;

	ik->cert_off = !cert;
	iked_set_eap(ik, eap);
	for (i = 0; i < ik->cap; i++) {
		struct iked_sa *sa = ik->sas[i];

		if (sa == NULL || sa->state != IKED_ESTABLISHED ||
		    (sa->eap_used ? eap : cert))
			continue;
		IKED_LOG(NOTICE, "IKE_SA %u (%s): ended: %s authentication is switched off\n",
			 sa->id, sa->identity, sa->eap_used ? "radius" : "certificate");
		iked_sa_end(ik, sa, IKED_END_ADMIN, now);
		n++;
	}
	return n;
}

unsigned
iked_set_enabled(struct iked *ik, bool on, uint64_t now)
{
	unsigned i, n = 0;

	ik->disabled = !on;
	if (on)
		return 0;
	for (i = 0; i < ik->cap; i++) {
		if (ik->sas[i] == NULL)
			continue;
		n += ik->sas[i]->state == IKED_ESTABLISHED;
		iked_sa_end(ik, ik->sas[i], IKED_END_ADMIN, now);
	}
	return n;
}

/* ---- views ---- */

static void
choice_text(const struct ike_choice *c, char *buf, size_t cap)
{
	const char *e = ike_xform_name(IKE_XF_ENCR, c->encr);
	const char *i = c->aead ? NULL : ike_xform_name(IKE_XF_INTEG, c->integ);
	const char *p = c->protocol == IKE_PROTO_IKE ? ike_xform_name(IKE_XF_PRF, c->prf) : NULL;
	const char *d = c->dh != IKE_DH_NONE ? ike_xform_name(IKE_XF_DH, c->dh) : NULL;
	int n;

	if (c->encr == 0) {
		snprintf(buf, cap, "-");
		return;
	}
	n = snprintf(buf, cap, "%s", e ? e : "?");
	if (c->encr_key_len && n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - n, "-%u", c->encr_key_len);
	if (i && n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - n, "/%s", i);
	if (p && n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - n, "/%s", p);
	if (d && n >= 0 && (size_t)n < cap)
		snprintf(buf + n, cap - n, "/%s", d);
}

static void
sa_info(const struct iked_sa *sa, uint64_t now, struct iked_sa_info *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sa->id;
	o->state = sa->state;
	o->spi_i = sa->spi_i;
	o->spi_r = sa->spi_r;
	o->peer_addr = sa->peer_addr;
	o->peer_port = sa->peer_port;
	o->local_port = sa->local_port;
	o->nat = sa->nat;
	o->identity = sa->identity;
	o->subject = sa->subject;
	o->auth = sa->state == IKED_HALF_OPEN ? "" : sa->eap_used ? "eap-radius" : "certificate";
	choice_text(&sa->choice, o->proposal, sizeof(o->proposal));
	choice_text(&sa->child, o->child_proposal, sizeof(o->child_proposal));
	o->inner_addr = sa->inner_addr;
	o->tunnel_id = sa->tunnel_id;
	o->child_in_spi = sa->child_in_spi;
	o->child_out_spi = sa->child_out_spi;
	o->age_ms = now - sa->created_ms;
	o->established_ms = sa->established_ms ? now - sa->established_ms : 0;
	o->idle_ms = now - sa->heard_ms;
	o->liveness_unanswered = sa->pending == IKED_REQ_LIVENESS ? sa->tries : 0;
}

void
iked_walk(const struct iked *ik, uint64_t now, int (*fn)(const struct iked_sa_info *, void *),
	  void *arg)
{
	struct iked_sa_info info;
	unsigned i;

	for (i = 0; i < ik->cap; i++) {
		if (ik->sas[i] == NULL)
			continue;
		sa_info(ik->sas[i], now, &info);
		if (fn(&info, arg) != 0)
			return;
	}
}

int
iked_tunnel_info(const struct iked *ik, uint32_t tunnel_id, uint64_t now,
		 struct iked_sa_info *out)
{
	unsigned i;

	for (i = 0; i < ik->cap; i++) {
		if (ik->sas[i] != NULL && ik->sas[i]->tunnel_id == tunnel_id && tunnel_id != 0) {
			sa_info(ik->sas[i], now, out);
			return 0;
		}
	}
	return -ENOENT;
}

void
iked_counters(const struct iked *ik, struct iked_counters *out)
{
	memcpy(out->drops, ik->drops, sizeof(out->drops));
	memcpy(out->events, ik->events, sizeof(out->events));
	out->half_open = ik->half_open;
	out->established = ik->established;
}

/* ---- life ---- */

struct iked *
iked_create(const struct iked_config *cfg, char *err, size_t errlen)
{
	struct iked *ik;

	if (cfg->key == NULL || cfg->pool == NULL || cfg->ops == NULL || cfg->ike == NULL) {
		snprintf(err, errlen, "IKEv2 needs the gateway's certificate and key "
			 "(server_certificate) and a client pool");
		return NULL;
	}
	ik = calloc(1, sizeof(*ik));
	if (ik == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ik->cfg = *cfg;
	ik->ops = *cfg->ops;
	ik->accept = ike_accept_builtin((enum ike_accept_set)cfg->ike->proposals);
	iked_set_eap(ik, cfg->eap);
	ik->cert_off = cfg->cert_off;
	ik->cap = cfg->max_tunnels * 2 + cfg->ike->half_open_max;
	ik->sas = calloc(ik->cap, sizeof(*ik->sas));
	ik->by_spi = hash_new("spi", ik->cap, sizeof(uint64_t), ik);
	ik->by_init = hash_new("init", ik->cap, sizeof(struct init_key), ik);
	ik->certreq_len = cfg->roots ? auth_roots_certreq(cfg->roots, ik->certreq,
							   sizeof(ik->certreq)) : 0;
	if (ik->accept == NULL || ik->sas == NULL || ik->by_spi == NULL || ik->by_init == NULL ||
	    ik->certreq_len < 0) {
		snprintf(err, errlen, "IKEv2 responder: cannot set up (%s)",
			 ik->accept == NULL ? "unknown proposal set" : "out of memory");
		iked_free(ik);
		return NULL;
	}
	RAND_bytes(ik->cookie_secret[0], sizeof(ik->cookie_secret[0]));
	RAND_bytes(ik->cookie_secret[1], sizeof(ik->cookie_secret[1]));
	return ik;
}

void
iked_free(struct iked *ik)
{
	unsigned i;

	if (ik == NULL)
		return;
	for (i = 0; ik->sas != NULL && i < ik->cap; i++)
		if (ik->sas[i] != NULL) {
			ik->sas[i]->end = IKED_END_SHUTDOWN;
			iked_sa_destroy(ik, ik->sas[i]);
		}
	free(ik->sas);
	rte_hash_free(ik->by_spi);
	rte_hash_free(ik->by_init);
	ike_wipe(ik->cookie_secret, sizeof(ik->cookie_secret));
	free(ik);
}
