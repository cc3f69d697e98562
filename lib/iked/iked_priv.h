/* SPDX-License-Identifier: BSD-3-Clause */
/* iked internals shared by its files. */
#ifndef P2SGW_IKED_PRIV_H
#define P2SGW_IKED_PRIV_H

#include <openssl/x509.h>
#include <rte_log.h>

#include "auth.h"
#include "ike.h"
#include "iked.h"

/* Log lines of the responder (control core only). */
#define IKED_LOG(level, ...) rte_log(RTE_LOG_##level, RTE_LOGTYPE_USER1, "iked: " __VA_ARGS__)

#define IKED_NR_LEN 32              /* our nonces: 256 bits */
#define IKED_HALF_OPEN_MS 30000     /* a half-open IKE_SA lives this long */
#define IKED_REKEYED_MS 30000       /* an IKE_SA replaced by a rekey waits this long for its DELETE */
#define IKED_HALF_OPEN_PER_PEER 16  /* half-open IKE_SAs one address may hold */
#define IKED_COOKIE_ROTATE_MS 60000 /* COOKIE secret lifetime; the previous one still counts */
#define IKED_RETRY_FIRST_MS 1000    /* our requests: first retransmission, then doubling */
#define IKED_ID_TEXT 128
#define IKED_SUBJECT_TEXT 256
#define IKED_CACHE_MAX (IKE_FRAG_MAX * 1600)

#define IKED_EAP_MAX 4096           /* an EAP packet relayed (RADIUS joins at most 4096) */

/* Where an EAP conversation (§2.16) is. */
enum iked_eap_state {
	IKED_EAP_NONE,         /* not EAP (certificates), or not started */
	IKED_EAP_WAIT_IDENTITY, /* IDi is no user name: we asked the client for its EAP identity */
	IKED_EAP_WAIT_SERVER,  /* a request of the client is held until the server answers */
	IKED_EAP_WAIT_CLIENT,  /* we relayed an EAP-Request: the client's next IKE_AUTH */
	IKED_EAP_WAIT_AUTH,    /* EAP-Success sent: the client's AUTH with the MSK comes next */
};

/* Why we sent a request of our own. */
enum iked_req {
	IKED_REQ_NONE,
	IKED_REQ_LIVENESS,     /* empty INFORMATIONAL */
	IKED_REQ_DELETE,       /* DELETE of the IKE_SA */
	IKED_REQ_REKEY_CHILD,  /* CREATE_CHILD_SA with REKEY_SA: a lifetime ran out */
	IKED_REQ_DELETE_CHILD, /* DELETE of the CHILD_SA our rekey replaced */
	IKED_REQ_REKEY_IKE,    /* CREATE_CHILD_SA with an IKE SA: ike_lifetime_s ran out */
};

/* Datagrams of one message, as sent (a whole message or its fragments). */
struct iked_cache {
	uint8_t *buf;
	size_t len;
	unsigned n;
	uint16_t dlen[IKE_FRAG_MAX];
};

struct iked_sa {
	uint32_t id;
	enum iked_state state;
	/* SPIs as in the header. We are the responder (our SPI is spi_r) unless
	 * we started the rekey that made this IKE_SA: then we are its original
	 * initiator (§2.18), our SPI is spi_i and our messages carry the I flag. */
	uint64_t spi_i, spi_r;
	uint64_t spi_ours;             /* the key of iked.by_spi */
	bool initiator;
	uint32_t peer_addr;
	uint16_t peer_port, local_port;
	bool nat;
	bool frag_sup;
	uint32_t peer_hashes;          /* auth_hash_mask() of SIGNATURE_HASH_ALGORITHMS */

	struct ike_choice choice;
	struct ike_sa_keys keys;
	/* sk_i checks and decrypts what the client sends, sk_r protects what we
	 * send (the initiator's and responder's keys, swapped when we are the
	 * original initiator). */
	struct ike_sk sk_i, sk_r;
	uint8_t ni[IKE_NONCE_MAX], nr[IKED_NR_LEN];
	size_t ni_len;
	uint8_t *init_req, *init_resp; /* for the AUTH octets; freed once established */
	size_t init_req_len, init_resp_len;

	/* Requests from the client. */
	uint32_t peer_next_id;         /* the message ID expected next */
	struct iked_cache resp;        /* our response to peer_next_id - 1 */
	struct ike_frag_reasm reasm;
	uint8_t *reasm_buf;

	/* Requests of ours. */
	uint32_t our_next_id;
	enum iked_req pending;
	struct iked_cache req;
	unsigned tries;
	uint64_t retry_ms;

	/* EAP (§2.16): the first IKE_AUTH's payloads (a copy of its decrypted
	 * chain: SA, TSi, TSr, CP, IDi, IDr), kept until the client's AUTH. */
	enum iked_eap_state eap;
	bool eap_used;                 /* authenticated by EAP ("eap-radius") */
	bool eap_relay;                /* ops.eap_start was called: eap_end is owed */
	uint8_t end;                   /* enum iked_end: why it goes, when it goes */
	bool eap_answered;             /* the first response (IDr, CERT, AUTH) went out */
	uint8_t *eap_first;
	size_t eap_first_len;
	uint8_t eap_first_type;
	uint8_t msk[128];
	size_t msk_len;
	bool has_framed_ip;
	uint32_t framed_ip;

	/* Who and what, once authenticated. */
	char identity[IKED_ID_TEXT];
	char subject[IKED_SUBJECT_TEXT];
	uint8_t thumbprint[AUTH_THUMBPRINT_LEN]; /* of the client certificate */
	char root[AUTH_NAME_MAX];      /* the trusted root its chain ended at */
	uint32_t inner_addr;
	uint32_t tunnel_id;
	struct ike_choice child;
	uint32_t child_in_spi, child_out_spi;
	uint32_t old_in_spi, old_out_spi; /* the CHILD_SA a rekey replaced, until its DELETE */

	/* Our CHILD_SA rekey (lifetime by time, bytes or sequence numbers). */
	uint64_t child_ms;             /* when the current CHILD_SA was installed */
	uint64_t child_bytes0;         /* tunnel bytes (both ways) at that moment */
	uint64_t rekey_after_ms;       /* no rekey of ours before this (after a refusal) */
	uint32_t rekey_in_spi;         /* the inbound SPI we offered */
	uint8_t rekey_ni[IKED_NR_LEN]; /* our nonce in that exchange */
	uint64_t ike_ms;               /* when this IKE_SA's keys were made */
	uint64_t rekey_spi;            /* our IKE_SA rekey: the SPI we offered */
	struct ike_dh *rekey_dh;       /* ... and our key pair */

	uint64_t created_ms, established_ms, heard_ms, rekeyed_ms;
	uint64_t seen_in_packets;      /* tunnel's inbound packets at the last look */
	int32_t pos;                   /* index in iked.sas */
};

struct iked {
	struct iked_config cfg;
	struct iked_ops ops;
	const struct ike_accept *accept;
	bool disabled;                 /* IKEv2 switched off: every datagram dropped */
	struct rte_hash *by_spi;       /* spi_r -> index */
	struct rte_hash *by_init;      /* (spi_i, addr, port) of half-open SAs -> index */
	struct iked_sa **sas;
	unsigned cap, n, half_open, established;
	uint32_t next_id;
	uint8_t certreq[AUTH_ROOTS_MAX * 20];
	int certreq_len;
	uint8_t cookie_secret[2][32];
	uint32_t cookie_version;
	uint64_t cookie_rotate_ms;
	uint64_t drops[IKED_DROP_COUNT];
	uint64_t events[IKED_EV_COUNT];
	bool eap;                      /* EAP offered (cfg.eap and the ops) */
	bool cert_off;                 /* certificate clients refused */
	uint8_t plain[IKE_MSG_MAX];    /* decrypted requests */
	size_t plain_len;              /* of the request being handled, and its first payload */
	uint8_t plain_first;
	uint8_t inner[IKE_MSG_MAX];    /* plaintext of what we send */
	uint8_t out[IKED_CACHE_MAX];   /* encrypted datagrams before they are cached */
};

#endif
