/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth: certificate authentication for IKEv2 (and later SSTP), stateless and
 * OpenSSL-only. The trusted root store (roots.c) takes the forms operators
 * export roots in (PEM, DER, Base64 with or without BEGIN/END lines);
 * revocation is a set of SHA-1 thumbprints (revoke.c); a client's chain from
 * its CERT payloads is verified against both (verify.c); its IDi is matched
 * against the verified certificate (id.c); AUTH payload signatures are
 * verified and made, RFC 7296 §2.15, RFC 4754 and RFC 7427 (sign.c), with
 * the gateway's own certificate and key (key.c).
 *
 * Conventions:
 *   - Stores (struct auth_roots, struct auth_revoked) are built completely,
 *     then published: once a verification may use one it is never changed.
 *     Adding or removing a root builds a new store; the caller swaps its
 *     pointer and frees the old one when no verification runs (the control
 *     core is single-threaded, so right away).
 *   - Functions return 0 or -errno; what went wrong is one line of text in a
 *     caller's buffer (at least AUTH_ERR_MAX bytes), naming the root, the
 *     certificate or the payload, and what is allowed.
 *   - X509 and EVP_PKEY handed out are OpenSSL's reference-counted objects:
 *     the caller frees what it is given (auth_result_clear() for a result).
 */
#ifndef P2SGW_AUTH_H
#define P2SGW_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "ike.h"

#define AUTH_ROOTS_MAX 20        /**< trusted roots, = CONF_ROOTS_MAX (lib/conf) */
#define AUTH_NAME_MAX 64         /**< root and revocation entry names, = CONF_NAME_MAX */
#define AUTH_ERR_MAX 512         /**< one line of error text, = CONF_ERR_MAX */
#define AUTH_THUMBPRINT_LEN 20   /**< SHA-1 of the DER certificate */
#define AUTH_THUMBPRINT_HEX 41   /**< 40 uppercase hex digits and a NUL */
#define AUTH_CHAIN_DEPTH_MAX 8   /**< CA certificates between a client and its root */
#define AUTH_CERTS_MAX 10        /**< certificates a client may present (leaf first) */
#define AUTH_ROOT_BYTES_MAX (256 * 1024) /**< a root file or text; a PEM root is a few KiB */
#define AUTH_SIG_MAX 1280        /**< AUTH data we make: length octet, AlgorithmIdentifier,
				      a signature of up to RSA-8192 */
#define AUTH_SECURITY_LEVEL 1    /**< OpenSSL's, for chains: no MD5/SHA-1 signatures, RSA >= 1024 */

/* ---- trusted roots (roots.c) ---- */

struct auth_roots;

/** An empty store. NULL when out of memory. */
struct auth_roots *auth_roots_new(void);
void auth_roots_free(struct auth_roots *roots);

/**
 * Add a root from text or bytes: PEM ("-----BEGIN CERTIFICATE-----"), DER,
 * or the Base64 of the DER with or without BEGIN/END lines, line breaks,
 * CRLF, spaces or a byte-order mark (UTF-8, or UTF-16LE as Windows
 * PowerShell 5's Out-File writes). It must be a CA certificate:
 * basicConstraints CA:TRUE, a self-signed v1 root, or a self-signed
 * certificate with keyUsage keyCertSign and no basicConstraints (what
 * New-SelfSignedCertificate -KeyUsage CertSign makes).
 * @return 0;
 *   -ENOSPC  AUTH_ROOTS_MAX roots already;
 *   -EEXIST  the name or the certificate is already in the store;
 *   -EINVAL  not a certificate in any accepted form, or not a CA;
 *   -ENOMEM.
 * err gets one line starting with the root's name.
 */
int auth_roots_add(struct auth_roots *roots, const char *name, const void *data, size_t len,
		   char *err, size_t errlen);
/** The same from a file (at most AUTH_ROOT_BYTES_MAX bytes); -errno of open/read too. */
int auth_roots_add_file(struct auth_roots *roots, const char *name, const char *path,
			char *err, size_t errlen);
unsigned auth_roots_count(const struct auth_roots *roots);
/** Name and certificate of root i (borrowed; NULL past the end). */
const char *auth_roots_name(const struct auth_roots *roots, unsigned i);
X509 *auth_roots_cert(const struct auth_roots *roots, unsigned i);
/**
 * CERTREQ data (RFC 7296 §3.7): the SHA-1 hashes of the roots'
 * SubjectPublicKeyInfo, concatenated, for an X509_SIGNATURE CERTREQ.
 * Windows picks the client certificate by them. Bytes written, or -ENOSPC.
 */
int auth_roots_certreq(const struct auth_roots *roots, uint8_t *out, size_t cap);

/* ---- revocation by thumbprint (revoke.c) ---- */

struct auth_revoked;

/** An empty set for up to cap thumbprints. NULL when out of memory. */
struct auth_revoked *auth_revoked_new(unsigned cap);
void auth_revoked_free(struct auth_revoked *rv);
/** Add one thumbprint (lib/conf's conf_parse_thumbprint() reads the text). 0 or -ENOSPC. */
int auth_revoked_add(struct auth_revoked *rv, const char *name,
		     const uint8_t sha1[AUTH_THUMBPRINT_LEN]);
/**
 * Sort for lookups; call after the last add, before publishing. 0, or
 * -EEXIST with err naming both entries of a duplicate thumbprint.
 */
int auth_revoked_seal(struct auth_revoked *rv, char *err, size_t errlen);
unsigned auth_revoked_count(const struct auth_revoked *rv);
/** The entry's name if sha1 is revoked, else NULL. rv may be NULL (nothing revoked). */
const char *auth_revoked_find(const struct auth_revoked *rv,
			      const uint8_t sha1[AUTH_THUMBPRINT_LEN]);

/** SHA-1 of the certificate's DER: what certmgr and PowerShell call its thumbprint. */
int auth_thumbprint(X509 *cert, uint8_t sha1[AUTH_THUMBPRINT_LEN]);
/** 40 uppercase hex digits, as the operator sees them in PowerShell. */
void auth_thumbprint_hex(const uint8_t sha1[AUTH_THUMBPRINT_LEN], char out[AUTH_THUMBPRINT_HEX]);
/** The subject as one RFC 4514 line ("CN=alice,O=Contoso"), truncated to cap. */
void auth_cert_subject(X509 *cert, char *out, size_t cap);

/* ---- chain verification (verify.c) ---- */

/** Why a chain was refused. */
#define AUTH_VERDICT_LIST(X)                                                        \
	X(OK, "ok") X(MALFORMED, "malformed certificate") X(UNKNOWN_ROOT, "unknown root") \
	X(EXPIRED, "expired") X(NOT_YET_VALID, "not yet valid") X(REVOKED, "revoked")    \
	X(BAD_SIGNATURE, "bad signature") X(CHAIN_TOO_LONG, "chain too long")            \
	X(NOT_CA, "issuer is not a CA") X(WRONG_USAGE, "wrong key usage")                \
	X(WEAK, "weak algorithm or key") X(FAILED, "verification failed")
#define AUTH_VERDICT_ENUM(name, text) AUTH_##name,
enum auth_verdict { AUTH_VERDICT_LIST(AUTH_VERDICT_ENUM) };

struct auth_result {
	enum auth_verdict verdict;
	int depth;                      /**< chain position at fault: 0 the client's, -1 none */
	char text[AUTH_ERR_MAX];        /**< one line for the log and the CLI; the subject if OK */
	uint8_t thumbprint[AUTH_THUMBPRINT_LEN]; /**< the client certificate's, once parsed */
	char root[AUTH_NAME_MAX];       /**< the trusted root that anchors the chain */
	X509 *leaf;                     /**< verified client certificate, a reference; else NULL */
};

/** "expired", "unknown root", ...: the short name of a verdict. */
const char *auth_verdict_name(enum auth_verdict v);

/**
 * Verify a client's certificates, DER as in its CERT payloads (RFC 7296
 * §3.6: the first is the one whose key signs AUTH; the rest are
 * intermediates in any order, X509_SIGNATURE encoding), against roots at
 * time now (0: the current time). Checked: every certificate parses as DER
 * with nothing after it; a chain to a trusted root of at most
 * AUTH_CHAIN_DEPTH_MAX CAs; signatures; validity times at every level; the
 * issuers are CAs (RFC 5280 §4.2.1.9); the client certificate's
 * extendedKeyUsage, if it has one, allows clientAuth, ipsecIKE (RFC 4945
 * §5.1.3.12) or anyExtendedKeyUsage, and its keyUsage, if any, allows
 * digitalSignature or nonRepudiation; signatures and keys meet
 * AUTH_SECURITY_LEVEL; no certificate presented or in the chain built has a
 * revoked thumbprint (rv may be NULL). No CRL or OCSP fetching. IDi is
 * matched separately (auth_id_match()). roots NULL or empty: UNKNOWN_ROOT.
 * @return 0 with res->verdict AUTH_OK and res->leaf set;
 *   -EACCES refused, res->verdict and res->text say why;
 *   -ENOMEM (res->verdict AUTH_FAILED).
 * Call auth_result_clear() in either case.
 */
int auth_verify_chain(const struct auth_roots *roots, const struct auth_revoked *rv,
		      const struct ike_chunk *certs, unsigned n_certs, time_t now,
		      struct auth_result *res);
/** Drop the leaf reference; the struct can be reused. */
void auth_result_clear(struct auth_result *res);

/* ---- identity (id.c) ---- */

/**
 * Does the peer's ID payload name the certificate's subject (RFC 7296 §3.5,
 * RFC 4945 §3.1)? ID_DER_ASN1_DN: the subject DN (DER equal, or equal after
 * OpenSSL's canonical form: case and spaces folded); ID_FQDN: a dNSName SAN;
 * ID_RFC822_ADDR: an rfc822Name SAN, a UPN SAN (Windows) or the subject's
 * emailAddress; ID_IPV4_ADDR/ID_IPV6_ADDR: an iPAddress SAN. Also ID_FQDN
 * and ID_RFC822_ADDR equal to a subject CN, which is what Windows sends for
 * user certificates without SANs. Names compare without regard to ASCII case.
 * @return 0 match; -EACCES no match (AUTHENTICATION_FAILED); -EINVAL a DN
 *   that does not parse; -ENOTSUP an ID type we do not match to certificates.
 *   why gets one line either way.
 */
int auth_id_match(X509 *cert, const struct ike_id *id, char *why, size_t whylen);

/* ---- the gateway's certificate and key (key.c) ---- */

struct auth_key;

/**
 * Load the gateway's certificate (PEM; more certificates after it are its
 * chain, sent as further CERT payloads) and unencrypted private key (PEM,
 * PKCS#8 or traditional). RSA (2048 bits or more), ECDSA P-256/384/521 or
 * Ed25519; the key must match the certificate. NULL with err set.
 */
struct auth_key *auth_key_load(const char *cert_file, const char *key_file, char *err,
			       size_t errlen);
/** The same from objects (references are taken); for tests and later SSTP. */
struct auth_key *auth_key_new(X509 *cert, EVP_PKEY *pkey, char *err, size_t errlen);
void auth_key_free(struct auth_key *key);
X509 *auth_key_cert(const struct auth_key *key);
/**
 * DER of certificate i for a CERT payload: 0 the gateway's, 1.. its chain.
 * 0, or -ENOENT past the end.
 */
int auth_key_cert_der(const struct auth_key *key, unsigned i, const uint8_t **der,
		      size_t *len);
/**
 * Our ID data of type ID_DER_ASN1_DN (subject DER) or ID_FQDN (the first
 * dNSName SAN). Length, or -ENOENT (no such name), -ENOTSUP, -ENOSPC.
 */
int auth_key_id(const struct auth_key *key, uint8_t id_type, uint8_t *out, size_t cap);

/* ---- AUTH signatures (sign.c): RFC 7296 §2.15, RFC 4754, RFC 7427 ---- */

/**
 * The hash algorithms of a peer's SIGNATURE_HASH_ALGORITHMS notify as a
 * mask of bits (1u << enum ike_hash_alg). 0 when n is NULL: the peer did not
 * send one, so it cannot take AUTH method 14 (RFC 7427 §4).
 */
uint32_t auth_hash_mask(const struct ike_notify *n);

/**
 * Verify a peer's AUTH payload (parsed by ike_auth_parse()) over the signed
 * octets, given in pieces (RFC 7296 §2.15: the message, the other side's
 * nonce, prf(SK_px, IDx')), with the certificate's public key.
 * Methods: 1 (RSA PKCS#1 v1.5, SHA-1), 9/10/11 (ECDSA r|s, the curve fixed by
 * the method, RFC 4754), 14 (RFC 7427: RSA PKCS#1 v1.5 with SHA-256/384/512,
 * RSASSA-PSS with SHA-256/384/512 as its parameters say, ECDSA with a DER
 * signature, Ed25519).
 * @return 0 good signature;
 *   -EBADMSG the signature does not verify;
 *   -EINVAL  malformed AUTH data, or an algorithm that does not fit the key;
 *   -ENOTSUP a method or algorithm not accepted here (SHA-1 in method 14,
 *            unknown AlgorithmIdentifier);
 *   -ENOMEM.
 * Each of these is AUTHENTICATION_FAILED; why says which for the log.
 */
int auth_sig_verify(X509 *cert, const struct ike_auth *auth, const struct ike_chunk *octets,
		    unsigned n_octets, char *why, size_t whylen);

/**
 * Sign our AUTH payload (RFC 7296 §2.15). peer_hashes is auth_hash_mask() of
 * the client's notify: with one, method 14 with SHA-256 if offered (else
 * SHA-384, SHA-512; Ed25519 needs Identity); without one, RSA uses method 1
 * (SHA-1) and ECDSA methods 9/10/11 by curve. out gets the Authentication
 * Data (for ike_put_auth(w, *method, out, len)): at most AUTH_SIG_MAX bytes.
 * @return its length, or -ENOTSUP (no method fits key and peer), -ENOSPC,
 *   -EIO.
 */
int auth_sign(const struct auth_key *key, uint32_t peer_hashes, const struct ike_chunk *octets,
	      unsigned n_octets, uint8_t *method, uint8_t *out, size_t cap);

#endif /* P2SGW_AUTH_H */
