/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An IKEv2 initiator made of lib/ike's builders and crypto and lib/auth's
 * signatures, to drive lib/iked from tests/unit/test_iked.c and from
 * benchmarks/ike_rate.c: an in-memory PKI, the IKE_SA_INIT request (with
 * knobs for the odd cases the tests need), the IKE_SA keys from the answer,
 * the IKE_AUTH request with a client certificate, CP and a CHILD_SA, and the
 * SK protection of later requests. No cmocka and no DPDK here: functions
 * return 0 (or a length) and -errno, and the caller asserts or counts.
 */
#ifndef P2SGW_TESTS_IKE_INITIATOR_H
#define P2SGW_TESTS_IKE_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth.h"
#include "ike.h"

#define INI_REQ_MAX 2048        /* an IKE_SA_INIT request */
#define INI_RESP_MAX 8192       /* an IKE_SA_INIT response */
#define INI_NONCE_LEN 32
#define INI_ESP_SPI 0xe5e5e5e5u /* the client's inbound ESP SPI in IKE_AUTH */

/* v in network byte order at p (an address, an SPI). */
void ini_put_be32(uint8_t *p, uint32_t v);

/* ---- in-memory PKI ---- */

/* A root, the gateway's certificate (self-signed) and one client under the root. */
struct ini_pki {
	EVP_PKEY *gw_key, *root_key, *client_key;
	X509 *gw_cert, *root, *client;
	struct auth_roots *roots;       /* holds root */
	struct auth_key *gw, *client_auth;
};

/* Key algorithms for ini_pki_new(). */
enum ini_key { INI_KEY_P256, INI_KEY_RSA2048 };
const char *ini_key_name(enum ini_key k);

/* A new private key. NULL on failure. */
EVP_PKEY *ini_keygen(enum ini_key k);
/**
 * A v3 certificate "O=p2sgw test, CN=cn" for key, signed with SHA-256 by
 * issuer_key (issuer NULL: self-signed), valid from an hour ago for a year:
 * a CA (keyCertSign) or an end entity (digitalSignature; clientAuth when it
 * has an issuer). NULL on failure.
 */
X509 *ini_make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca);
/** Root "P2S Test Root", gateway "vpn.example.test", client "alice". 0 or -errno with err. */
int ini_pki_new(struct ini_pki *p, enum ini_key root, enum ini_key gw, enum ini_key client,
		char *err, size_t errlen);
void ini_pki_free(struct ini_pki *p);

/* ---- the initiator ---- */

/* How the IKE_SA_INIT request is made; all zero: AES-GCM-16-256, SHA2-256, Curve25519. */
struct ini_init_opts {
	uint16_t encr, encr_bits, integ, prf;  /* encr 0: AES-GCM-16-256 / SHA2-256 */
	const uint16_t *dh;                    /* groups offered; NULL: Curve25519 */
	unsigned n_dh;
	uint16_t ke_group;                     /* 0: dh[0] */
	const uint8_t *cookie;
	size_t cookie_len;
	bool no_natd;
	bool bad_natd_src, bad_natd_dst;
	bool frag_sup;
	bool no_hashes;                        /* no SIGNATURE_HASH_ALGORITHMS */
};

struct ini_client {
	uint64_t spi_i, spi_r;
	uint32_t addr, gw_addr;        /* host order */
	uint16_t port, lport;          /* ours, the gateway's (500 or 4500) */
	struct ike_dh *dh;
	uint8_t ni[INI_NONCE_LEN];
	uint8_t req[INI_REQ_MAX];      /* the IKE_SA_INIT request, for AUTH */
	size_t req_len;
	uint8_t resp[INI_RESP_MAX];    /* the IKE_SA_INIT response, for AUTH */
	size_t resp_len;
	/* after IKE_SA_INIT */
	struct ike_choice choice;
	uint8_t nr[IKE_NONCE_MAX];
	size_t nr_len;
	uint32_t gw_hashes;            /* auth_hash_mask() of the gateway's notify */
	bool have_keys;                /* the answer's KE was of our group: keys below */
	struct ike_sa_keys keys;
	struct ike_sk sk_i, sk_r;
	uint32_t next_id;
};

/* A client spi_i at addr:port talking to gw_addr:500. */
void ini_client_init(struct ini_client *c, uint64_t spi_i, uint32_t addr, uint16_t port,
		     uint32_t gw_addr);
void ini_client_free(struct ini_client *c);

/**
 * An IKE_SA_INIT request into c->req, like strongSwan's: [N(COOKIE)] SA KE
 * Ni N(NAT_S) N(NAT_D) [N(FRAG_SUP)] N(SIGNATURE_HASH_ALGORITHMS). A fresh
 * key pair of the KE group (an unsupported group gets filler bytes).
 * 0 or -errno.
 */
int ini_build_init(struct ini_client *c, const struct ini_init_opts *o);

/** The chosen transforms of the one proposal in a parsed SA payload. 0 or -EPROTO. */
int ini_sa_choice(const struct ike_chain *ch, struct ike_choice *choice);

/**
 * Take a full IKE_SA_INIT response (copied into c->resp): SPIr, the chosen
 * transforms, Nr, the gateway's hash algorithms and, if its KE is of our
 * key pair's group, g^ir and the IKE_SA keys (c->have_keys). Checks only
 * what it needs: 0, or -EPROTO for an answer it cannot use.
 */
int ini_take_init(struct ini_client *c, const uint8_t *resp, size_t len);

/**
 * Encrypt a payload chain (first payload type first) as the initiator's
 * request msg_id of exchange. Message length, or -errno.
 */
int ini_protect(const struct ini_client *c, uint8_t exchange, uint32_t msg_id, uint8_t first,
		const uint8_t *inner, size_t len, uint8_t *out, size_t cap);
/**
 * Check that dgram is the gateway's response msg_id of exchange for this
 * IKE_SA and decrypt it into plain and chain. 0, -EPROTO (not that
 * response) or the decryption's -errno.
 */
int ini_unprotect(const struct ini_client *c, const uint8_t *dgram, size_t len,
		  uint8_t exchange, uint32_t msg_id, uint8_t *plain, size_t cap,
		  struct ike_chain *chain);

/* How the IKE_AUTH request is made; all zero: a good one. */
struct ini_auth_opts {
	bool bad_sig;                  /* flip a bit of the AUTH signature */
	bool no_cp;                    /* no CP(CFG_REQUEST) */
	bool narrow_tsr_outside;       /* TSr 192.0.2.0/24 instead of everything */
	const char *eap_identity;      /* EAP (RFC 7296 §2.16): IDi FQDN this, no CERT, no AUTH */
	uint32_t eap_addr;             /* EAP with IDi ID_IPV4_ADDR this (as Windows), no CERT, no AUTH */
};

/**
 * The IKE_AUTH request (message ID 1): IDi (the certificate's subject DN)
 * CERT AUTH [CP(INTERNAL_IP4_ADDRESS)] SA(ESP AES-GCM-16-256, no ESN,
 * SPI INI_ESP_SPI) TSi TSr, signed with cred (certificate and key) over the
 * IKE_SA_INIT request, Nr and prf(SK_pi, IDi'). Message length or -errno.
 */
int ini_build_auth(const struct ini_client *c, const struct auth_key *cred,
		   const struct ini_auth_opts *o, uint8_t *out, size_t cap);

/** An INFORMATIONAL request msg_id with one DELETE of the IKE_SA. Length or -errno. */
int ini_build_delete_ike(const struct ini_client *c, uint32_t msg_id, uint8_t *out, size_t cap);

#endif
