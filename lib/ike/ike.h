/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike: the stateless parts of the IKEv2 responder (RFC 7296). Everything here
 * is a pure function of its arguments: the message and payload codec
 * (msg.c, payload.c), SA proposal matching against a configured accepted set
 * (proposal.c), the PRF, PRF+ and key derivation (crypto.c), the key
 * exchange groups (dh.c), SK payload protection (sk.c), RFC 7383
 * fragmentation (fragment build and bounded reassembly, frag.c) and
 * enum-to-name tables (names.c). The IKE_SA state machine calls these; none
 * of them keeps or changes an SA.
 *
 * Conventions:
 *   - Parsers validate every length before reading a field, fill plain
 *     structs that point into the caller's buffer (no allocation) and return
 *     0 or -errno. What each errno means for the reply is said per function.
 *   - Builders write into the caller's buffer through a struct ike_writer and
 *     return the bytes they added or -ENOSPC, leaving the writer as it was.
 *   - Crypto goes through OpenSSL 3 EVP only; the library does not link DPDK
 *     and links alone into unit tests and the fuzz harness.
 *   - Multi-byte wire fields are big-endian on the wire and host order in the
 *     structs (SPIs included); addresses are host order uint32_t.
 */
#ifndef P2SGW_IKE_H
#define P2SGW_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- protocol numbers (IANA "IKEv2 Parameters"), one list per registry ----
 * Each list is an X-macro: the enums below and the name tables in names.c are
 * both generated from it, so a name can never drift from its number.
 */
#define IKE_ENUM_ENTRY(prefix, name, value) prefix##name = value,

/* RFC 7296 §3.1 */
#define IKE_EXCHANGE_LIST(X, P)                                                    \
	X(P, IKE_SA_INIT, 34) X(P, IKE_AUTH, 35) X(P, CREATE_CHILD_SA, 36)           \
	X(P, INFORMATIONAL, 37) X(P, IKE_SESSION_RESUME, 38) X(P, IKE_INTERMEDIATE, 43)
enum ike_exchange { IKE_EXCHANGE_LIST(IKE_ENUM_ENTRY, IKE_EXCH_) };

/* RFC 7296 §3.2, RFC 7383 (SKF) */
#define IKE_PAYLOAD_LIST(X, P)                                                     \
	X(P, NONE, 0) X(P, SA, 33) X(P, KE, 34) X(P, IDI, 35) X(P, IDR, 36)          \
	X(P, CERT, 37) X(P, CERTREQ, 38) X(P, AUTH, 39) X(P, NONCE, 40)              \
	X(P, NOTIFY, 41) X(P, DELETE, 42) X(P, VENDOR, 43) X(P, TSI, 44)             \
	X(P, TSR, 45) X(P, SK, 46) X(P, CP, 47) X(P, EAP, 48) X(P, SKF, 53)
enum ike_payload_type { IKE_PAYLOAD_LIST(IKE_ENUM_ENTRY, IKE_PL_) };

/* RFC 7296 §3.10.1 and later RFCs; errors are < 16384, status types above. */
#define IKE_NOTIFY_LIST(X, P)                                                      \
	X(P, UNSUPPORTED_CRITICAL_PAYLOAD, 1) X(P, INVALID_IKE_SPI, 4)               \
	X(P, INVALID_MAJOR_VERSION, 5) X(P, INVALID_SYNTAX, 7)                       \
	X(P, INVALID_MESSAGE_ID, 9) X(P, INVALID_SPI, 11)                            \
	X(P, NO_PROPOSAL_CHOSEN, 14) X(P, INVALID_KE_PAYLOAD, 17)                    \
	X(P, AUTHENTICATION_FAILED, 24) X(P, SINGLE_PAIR_REQUIRED, 34)               \
	X(P, NO_ADDITIONAL_SAS, 35) X(P, INTERNAL_ADDRESS_FAILURE, 36)               \
	X(P, FAILED_CP_REQUIRED, 37) X(P, TS_UNACCEPTABLE, 38)                       \
	X(P, INVALID_SELECTORS, 39) X(P, UNACCEPTABLE_ADDRESSES, 40)                 \
	X(P, UNEXPECTED_NAT_DETECTED, 41) X(P, USE_ASSIGNED_HOA, 42)                 \
	X(P, TEMPORARY_FAILURE, 43) X(P, CHILD_SA_NOT_FOUND, 44)                     \
	X(P, INVALID_GROUP_ID, 45) X(P, AUTHORIZATION_FAILED, 46)                    \
	X(P, INITIAL_CONTACT, 16384) X(P, SET_WINDOW_SIZE, 16385)                    \
	X(P, ADDITIONAL_TS_POSSIBLE, 16386) X(P, IPCOMP_SUPPORTED, 16387)            \
	X(P, NAT_DETECTION_SOURCE_IP, 16388)                                         \
	X(P, NAT_DETECTION_DESTINATION_IP, 16389) X(P, COOKIE, 16390)                \
	X(P, USE_TRANSPORT_MODE, 16391) X(P, HTTP_CERT_LOOKUP_SUPPORTED, 16392)      \
	X(P, REKEY_SA, 16393) X(P, ESP_TFC_PADDING_NOT_SUPPORTED, 16394)             \
	X(P, NON_FIRST_FRAGMENTS_ALSO, 16395) X(P, MOBIKE_SUPPORTED, 16396)          \
	X(P, ADDITIONAL_IP4_ADDRESS, 16397) X(P, ADDITIONAL_IP6_ADDRESS, 16398)      \
	X(P, NO_ADDITIONAL_ADDRESSES, 16399) X(P, UPDATE_SA_ADDRESSES, 16400)        \
	X(P, COOKIE2, 16401) X(P, NO_NATS_ALLOWED, 16402) X(P, AUTH_LIFETIME, 16403) \
	X(P, MULTIPLE_AUTH_SUPPORTED, 16404) X(P, ANOTHER_AUTH_FOLLOWS, 16405)       \
	X(P, REDIRECT_SUPPORTED, 16406) X(P, REDIRECT, 16407)                        \
	X(P, REDIRECTED_FROM, 16408) X(P, EAP_ONLY_AUTHENTICATION, 16417)            \
	X(P, CHILDLESS_IKEV2_SUPPORTED, 16418) X(P, QUICK_CRASH_DETECTION, 16419)    \
	X(P, IKEV2_MESSAGE_ID_SYNC_SUPPORTED, 16420)                                 \
	X(P, IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED, 16421)                             \
	X(P, IKEV2_MESSAGE_ID_SYNC, 16422) X(P, IPSEC_REPLAY_COUNTER_SYNC, 16423)    \
	X(P, SECURE_PASSWORD_METHODS, 16424) X(P, PSK_PERSIST, 16425)                \
	X(P, PSK_CONFIRM, 16426) X(P, ERX_SUPPORTED, 16427)                          \
	X(P, IFOM_CAPABILITY, 16428) X(P, SENDER_REQUEST_ID, 16429)                  \
	X(P, IKEV2_FRAGMENTATION_SUPPORTED, 16430)                                   \
	X(P, SIGNATURE_HASH_ALGORITHMS, 16431)
enum ike_notify_type { IKE_NOTIFY_LIST(IKE_ENUM_ENTRY, IKE_N_) };
#define IKE_N_FRAGMENTATION_SUPPORTED IKE_N_IKEV2_FRAGMENTATION_SUPPORTED
#define IKE_N_ERROR_MAX 16383 /**< types at or below are errors (RFC 7296 §3.10.1) */

/* RFC 7296 §3.3.1 */
#define IKE_PROTOCOL_LIST(X, P) X(P, IKE, 1) X(P, AH, 2) X(P, ESP, 3)
enum ike_protocol { IKE_PROTOCOL_LIST(IKE_ENUM_ENTRY, IKE_PROTO_) };

/* RFC 7296 §3.3.2 transform types */
#define IKE_XFORM_TYPE_LIST(X, P) X(P, ENCR, 1) X(P, PRF, 2) X(P, INTEG, 3) X(P, DH, 4) X(P, ESN, 5)
enum ike_xform_type { IKE_XFORM_TYPE_LIST(IKE_ENUM_ENTRY, IKE_XF_) };

#define IKE_ENCR_LIST(X, P)                                                        \
	X(P, 3DES, 3) X(P, NULL, 11) X(P, AES_CBC, 12) X(P, AES_CTR, 13)             \
	X(P, AES_CCM_8, 14) X(P, AES_CCM_12, 15) X(P, AES_CCM_16, 16)                \
	X(P, AES_GCM_8, 18) X(P, AES_GCM_12, 19) X(P, AES_GCM_16, 20)                \
	X(P, NULL_AUTH_AES_GMAC, 21) X(P, CAMELLIA_CBC, 23) X(P, CHACHA20_POLY1305, 28)
enum ike_encr { IKE_ENCR_LIST(IKE_ENUM_ENTRY, IKE_ENCR_) };

#define IKE_PRF_LIST(X, P)                                                         \
	X(P, HMAC_MD5, 1) X(P, HMAC_SHA1, 2) X(P, AES128_XCBC, 4)                    \
	X(P, HMAC_SHA2_256, 5) X(P, HMAC_SHA2_384, 6) X(P, HMAC_SHA2_512, 7)         \
	X(P, AES128_CMAC, 8)
enum ike_prf { IKE_PRF_LIST(IKE_ENUM_ENTRY, IKE_PRF_) };

#define IKE_INTEG_LIST(X, P)                                                       \
	X(P, NONE, 0) X(P, HMAC_MD5_96, 1) X(P, HMAC_SHA1_96, 2)                     \
	X(P, AES_XCBC_96, 5) X(P, AES_CMAC_96, 8) X(P, HMAC_SHA2_256_128, 12)        \
	X(P, HMAC_SHA2_384_192, 13) X(P, HMAC_SHA2_512_256, 14)
enum ike_integ { IKE_INTEG_LIST(IKE_ENUM_ENTRY, IKE_INTEG_) };

/* Key exchange method ("Diffie-Hellman group") numbers. */
#define IKE_DH_LIST(X, P)                                                          \
	X(P, NONE, 0) X(P, MODP_768, 1) X(P, MODP_1024, 2) X(P, MODP_1536, 5)        \
	X(P, MODP_2048, 14) X(P, MODP_3072, 15) X(P, MODP_4096, 16)                  \
	X(P, MODP_6144, 17) X(P, MODP_8192, 18) X(P, ECP_256, 19) X(P, ECP_384, 20)  \
	X(P, ECP_521, 21) X(P, MODP_1024_160, 22) X(P, MODP_2048_224, 23)            \
	X(P, MODP_2048_256, 24) X(P, ECP_192, 25) X(P, ECP_224, 26)                  \
	X(P, BRAINPOOL_P224, 27) X(P, BRAINPOOL_P256, 28) X(P, BRAINPOOL_P384, 29)   \
	X(P, BRAINPOOL_P512, 30) X(P, CURVE25519, 31) X(P, CURVE448, 32)
enum ike_dh_id { IKE_DH_LIST(IKE_ENUM_ENTRY, IKE_DH_) };

#define IKE_ESN_LIST(X, P) X(P, NO, 0) X(P, YES, 1)
enum ike_esn { IKE_ESN_LIST(IKE_ENUM_ENTRY, IKE_ESN_) };

/* RFC 7296 §3.5, RFC 7619 (NULL) */
#define IKE_ID_LIST(X, P)                                                          \
	X(P, IPV4_ADDR, 1) X(P, FQDN, 2) X(P, RFC822_ADDR, 3) X(P, IPV6_ADDR, 5)     \
	X(P, DER_ASN1_DN, 9) X(P, DER_ASN1_GN, 10) X(P, KEY_ID, 11) X(P, NULL, 13)
enum ike_id_type { IKE_ID_LIST(IKE_ENUM_ENTRY, IKE_ID_) };

/* RFC 7296 §3.8, RFC 4754 (ECDSA), RFC 7427 (digital signature) */
#define IKE_AUTH_LIST(X, P)                                                        \
	X(P, RSA_SIG, 1) X(P, SHARED_KEY_MIC, 2) X(P, DSS_SIG, 3)                    \
	X(P, ECDSA_SHA256_P256, 9) X(P, ECDSA_SHA384_P384, 10)                       \
	X(P, ECDSA_SHA512_P521, 11) X(P, GSPAM, 12) X(P, NULL, 13)                   \
	X(P, DIGITAL_SIGNATURE, 14)
enum ike_auth_method { IKE_AUTH_LIST(IKE_ENUM_ENTRY, IKE_AUTH_) };

/* RFC 7296 §3.6 */
#define IKE_CERT_LIST(X, P)                                                        \
	X(P, PKCS7_X509, 1) X(P, PGP, 2) X(P, DNS_SIGNED_KEY, 3)                     \
	X(P, X509_SIGNATURE, 4) X(P, KERBEROS, 6) X(P, CRL, 7) X(P, ARL, 8)          \
	X(P, SPKI, 9) X(P, X509_ATTRIBUTE, 10) X(P, RAW_RSA_KEY, 11)                 \
	X(P, HASH_URL_X509, 12) X(P, HASH_URL_X509_BUNDLE, 13)                       \
	X(P, OCSP_CONTENT, 14) X(P, RAW_PUBLIC_KEY, 15)
enum ike_cert_encoding { IKE_CERT_LIST(IKE_ENUM_ENTRY, IKE_CERT_) };

/* RFC 7296 §3.15 */
#define IKE_CFG_LIST(X, P) X(P, REQUEST, 1) X(P, REPLY, 2) X(P, SET, 3) X(P, ACK, 4)
enum ike_cfg_type { IKE_CFG_LIST(IKE_ENUM_ENTRY, IKE_CFG_) };

/* RFC 7296 §3.15.1, RFC 8598 (DNS domain) */
#define IKE_CFG_ATTR_LIST(X, P)                                                    \
	X(P, INTERNAL_IP4_ADDRESS, 1) X(P, INTERNAL_IP4_NETMASK, 2)                  \
	X(P, INTERNAL_IP4_DNS, 3) X(P, INTERNAL_IP4_NBNS, 4)                         \
	X(P, INTERNAL_IP4_DHCP, 6) X(P, APPLICATION_VERSION, 7)                      \
	X(P, INTERNAL_IP6_ADDRESS, 8) X(P, INTERNAL_IP6_DNS, 10)                     \
	X(P, INTERNAL_IP6_DHCP, 12) X(P, INTERNAL_IP4_SUBNET, 13)                    \
	X(P, SUPPORTED_ATTRIBUTES, 14) X(P, INTERNAL_IP6_SUBNET, 15)                 \
	X(P, INTERNAL_DNS_DOMAIN, 25)
enum ike_cfg_attr { IKE_CFG_ATTR_LIST(IKE_ENUM_ENTRY, IKE_CFGA_) };

/* RFC 7296 §3.13.1 */
#define IKE_TS_LIST(X, P) X(P, IPV4_ADDR_RANGE, 7) X(P, IPV6_ADDR_RANGE, 8)
enum ike_ts_type { IKE_TS_LIST(IKE_ENUM_ENTRY, IKE_TS_) };

/* RFC 7427 §7 (IANA "IKEv2 Hash Algorithms"), RFC 8420 (IDENTITY) */
#define IKE_HASH_LIST(X, P)                                                        \
	X(P, SHA1, 1) X(P, SHA2_256, 2) X(P, SHA2_384, 3) X(P, SHA2_512, 4) X(P, IDENTITY, 5)
enum ike_hash_alg { IKE_HASH_LIST(IKE_ENUM_ENTRY, IKE_HASH_) };

/* ---- limits ---- */
#define IKE_HDR_LEN 28          /**< RFC 7296 §3.1 */
#define IKE_GENERIC_LEN 4       /**< generic payload header, RFC 7296 §3.2 */
#define IKE_PAYLOADS_MAX 64     /**< payloads kept per chain; more is refused */
#define IKE_PROPOSALS_MAX 16    /**< proposals in one SA payload */
#define IKE_SPI_MAX 8
#define IKE_NONCE_MIN 16        /**< RFC 7296 §3.9 */
#define IKE_NONCE_MAX 256
#define IKE_TS_MAX 16
#define IKE_CP_ATTRS_MAX 32
#define IKE_COOKIE_MIN 1        /**< RFC 7296 §3.10.1: COOKIE data 1..64 octets */
#define IKE_COOKIE_MAX 64
#define IKE_COOKIE_LEN 36       /**< what ike_cookie_make() produces: version | HMAC-SHA-256 */
#define IKE_NATD_LEN 20         /**< SHA-1, RFC 7296 §2.23 */
#define IKE_PRF_MAX 64          /**< largest PRF output (HMAC-SHA2-512) */
#define IKE_ENCR_KEY_MAX 36     /**< AES-256 key + 4-byte GCM salt */
#define IKE_INTEG_KEY_MAX 64
#define IKE_DH_PUBLIC_MAX 256   /**< MODP-2048 */
#define IKE_MSG_MAX 65535       /**< IKE length field fits UDP */

/* RFC 7296 §3.1 header flags */
#define IKE_FLAG_INITIATOR 0x08
#define IKE_FLAG_VERSION 0x10
#define IKE_FLAG_RESPONSE 0x20

/* A byte string that is not ours: what crypto functions concatenate. */
struct ike_chunk {
	const void *ptr;
	size_t len;
};

/* ---- message and payload chain (msg.c) ---- */

struct ike_header {
	uint64_t spi_i;
	uint64_t spi_r;
	uint8_t next_payload;
	uint8_t major;          /**< must be 2 */
	uint8_t minor;
	uint8_t exchange;       /**< enum ike_exchange */
	uint8_t flags;          /**< IKE_FLAG_* */
	uint32_t message_id;
	uint32_t length;        /**< whole message, header included */
};

struct ike_payload {
	uint8_t type;           /**< enum ike_payload_type */
	bool critical;
	uint16_t len;           /**< body length (generic header excluded) */
	const uint8_t *body;
	uint32_t offset;        /**< of the generic header in the parsed buffer */
};

struct ike_chain {
	unsigned n;
	unsigned n_skipped;              /**< unknown, non-critical: ignored (RFC 7296 §2.5) */
	uint8_t unsupported_critical;    /**< first unknown critical type, 0 if none */
	struct ike_payload pl[IKE_PAYLOADS_MAX];
};

struct ike_msg {
	struct ike_header hdr;
	const uint8_t *raw;     /**< the datagram, IKE header first */
	size_t raw_len;
	struct ike_chain chain; /**< clear payloads; SK/SKF itself is not in it */
	uint8_t sk_type;        /**< IKE_PL_SK, IKE_PL_SKF or 0 */
	uint8_t sk_next;        /**< SK/SKF next payload: the first inner payload */
	uint32_t sk_offset;     /**< of the SK/SKF generic header in raw */
	uint16_t frag_number;   /**< SKF only (RFC 7383 §2.5) */
	uint16_t frag_total;
};

/** Decode the 28-byte header. 0, or -EINVAL if len < IKE_HDR_LEN. No checks on values. */
int ike_header_decode(const uint8_t *buf, size_t len, struct ike_header *hdr);
/** Encode hdr into out[IKE_HDR_LEN]. */
void ike_header_encode(const struct ike_header *hdr, uint8_t *out);

/**
 * Validate and parse a datagram (UDP payload, non-ESP marker already
 * stripped) into msg. Everything of msg points into buf.
 * @return 0;
 *   -EINVAL   malformed header or payload chain (INVALID_SYNTAX, or drop);
 *   -EMSGSIZE header length is not the datagram length (drop);
 *   -EPROTONOSUPPORT major version is not 2: msg->hdr is filled so the
 *             caller can answer INVALID_MAJOR_VERSION (RFC 7296 §2.5);
 *   -E2BIG    more than IKE_PAYLOADS_MAX payloads (drop);
 *   -EOPNOTSUPP an unknown payload had the critical bit:
 *             msg->chain.unsupported_critical names it for the
 *             UNSUPPORTED_CRITICAL_PAYLOAD notify (RFC 7296 §2.5).
 * An SK or SKF payload must be the last one (RFC 7296 §3.14); its contents
 * are left to ike_sk_decrypt().
 */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *msg);

/**
 * Validate and parse a bare payload chain (the plaintext of an SK payload)
 * starting with type first. Same errors as ike_msg_parse(); an SK or SKF
 * inside is -EINVAL.
 */
int ike_chain_parse(uint8_t first, const uint8_t *buf, size_t len, struct ike_chain *chain);

/** Index of the first payload of type at or after index from, or -1. */
int ike_chain_find(const struct ike_chain *chain, uint8_t type, unsigned from);
/** How many payloads of type the chain holds. */
unsigned ike_chain_count(const struct ike_chain *chain, uint8_t type);

/* ---- payloads (payload.c): each parser validates, then fills its struct ---- */

struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ike_id {
	uint8_t type;           /**< enum ike_id_type */
	const uint8_t *data;
	size_t len;
	const uint8_t *body;    /**< IDx' of RFC 7296 §2.15: type, reserved and data */
	size_t body_len;
};

struct ike_cert {
	uint8_t encoding;       /**< enum ike_cert_encoding */
	const uint8_t *data;
	size_t len;
};

struct ike_certreq {
	uint8_t encoding;
	const uint8_t *data;    /**< X509_SIGNATURE: SHA-1 hashes of CA SubjectPublicKeyInfos */
	size_t len;
	unsigned n_ca;          /**< X509_SIGNATURE: len / 20; trailing bytes ignored */
};

/* RFC 7427 AlgorithmIdentifiers we recognise in AUTH method 14. */
enum ike_sig_alg {
	IKE_SIG_UNKNOWN = 0,
	IKE_SIG_RSA_SHA1,
	IKE_SIG_RSA_SHA256,
	IKE_SIG_RSA_SHA384,
	IKE_SIG_RSA_SHA512,
	IKE_SIG_RSA_PSS,        /**< parameters in alg_id, for the verifier */
	IKE_SIG_ECDSA_SHA256,
	IKE_SIG_ECDSA_SHA384,
	IKE_SIG_ECDSA_SHA512,
	IKE_SIG_ED25519,
};

struct ike_auth {
	uint8_t method;         /**< enum ike_auth_method */
	const uint8_t *data;    /**< authentication data as sent */
	size_t len;
	/* method 14 only (RFC 7427 §3): */
	enum ike_sig_alg sig_alg;
	const uint8_t *alg_id;  /**< DER AlgorithmIdentifier */
	size_t alg_id_len;
	const uint8_t *sig;     /**< the signature proper */
	size_t sig_len;
};

struct ike_nonce {
	const uint8_t *data;
	size_t len;
};

struct ike_notify {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t type;          /**< enum ike_notify_type */
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};

struct ike_delete {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t n_spi;
	const uint8_t *spis;    /**< n_spi * spi_size bytes */
};

struct ike_ts_ipv4 {
	uint8_t ip_proto;       /**< 0: any */
	uint16_t start_port, end_port;
	uint32_t start_addr, end_addr;
};

struct ike_ts {
	unsigned n;
	unsigned n_other;       /**< IPv6 and unknown selector types, skipped */
	struct ike_ts_ipv4 ts[IKE_TS_MAX];
};

struct ike_cp_attr {
	uint16_t type;          /**< enum ike_cfg_attr */
	uint16_t len;
	const uint8_t *value;
};

struct ike_cp {
	uint8_t cfg_type;       /**< enum ike_cfg_type */
	unsigned n;
	unsigned n_skipped;     /**< unknown attribute types, skipped */
	struct ike_cp_attr attr[IKE_CP_ATTRS_MAX];
};

struct ike_eap {
	uint8_t code;           /**< 1 request, 2 response, 3 success, 4 failure */
	uint8_t identifier;
	uint8_t type;           /**< requests and responses, else 0 */
	const uint8_t *data;    /**< the whole EAP message, for RADIUS (RFC 3579) */
	size_t len;
};

/* Proposals are kept as references; their transforms are read with an iterator. */
struct ike_proposal_ref {
	uint8_t number;
	uint8_t protocol;       /**< enum ike_protocol */
	uint8_t spi_size;
	uint8_t n_transforms;
	const uint8_t *spi;
	const uint8_t *transforms;
	size_t transforms_len;
};

struct ike_sa_offer {
	unsigned n;
	struct ike_proposal_ref proposal[IKE_PROPOSALS_MAX];
};

struct ike_transform {
	uint8_t type;           /**< enum ike_xform_type */
	uint16_t id;
	uint16_t key_len;       /**< bits, from the Key Length attribute; 0 if absent */
	bool unknown_attr;      /**< an attribute we do not know: transform unusable */
};

struct ike_transform_iter {
	const uint8_t *pos;
	const uint8_t *end;
};

int ike_sa_parse(const uint8_t *body, size_t len, struct ike_sa_offer *sa);
void ike_transform_iter_init(struct ike_transform_iter *it, const struct ike_proposal_ref *p);
/** Next transform of a validated proposal; false at the end. */
bool ike_transform_next(struct ike_transform_iter *it, struct ike_transform *t);

int ike_ke_parse(const uint8_t *body, size_t len, struct ike_ke *ke);
int ike_id_parse(const uint8_t *body, size_t len, struct ike_id *id);
int ike_cert_parse(const uint8_t *body, size_t len, struct ike_cert *cert);
int ike_certreq_parse(const uint8_t *body, size_t len, struct ike_certreq *cr);
int ike_auth_parse(const uint8_t *body, size_t len, struct ike_auth *auth);
int ike_nonce_parse(const uint8_t *body, size_t len, struct ike_nonce *nonce);
/** Also checks the data length of the types a responder reads (COOKIE, NAT-D, ...). */
int ike_notify_parse(const uint8_t *body, size_t len, struct ike_notify *n);
int ike_delete_parse(const uint8_t *body, size_t len, struct ike_delete *d);
int ike_ts_parse(const uint8_t *body, size_t len, struct ike_ts *ts);
int ike_cp_parse(const uint8_t *body, size_t len, struct ike_cp *cp);
int ike_eap_parse(const uint8_t *body, size_t len, struct ike_eap *eap);

/** Parse the payload at index i of chain with the parser of its type. */
#define IKE_PAYLOAD(chain, i) (chain)->pl[i].body, (chain)->pl[i].len

/** Hash algorithm i of a SIGNATURE_HASH_ALGORITHMS notify (n->len / 2 of them). */
uint16_t ike_notify_hash_alg(const struct ike_notify *n, size_t i);
/** The group an INVALID_KE_PAYLOAD notify asks for; 0 if malformed. */
uint16_t ike_notify_ke_group(const struct ike_notify *n);
/** Find the first notify of type in chain; 0 and *n filled, or -ENOENT, or a parse error. */
int ike_chain_find_notify(const struct ike_chain *chain, uint16_t type, struct ike_notify *n);

/** The DER AlgorithmIdentifier of a signature algorithm (RFC 7427 Appendix A); NULL if none fixed. */
const uint8_t *ike_sig_alg_der(enum ike_sig_alg alg, size_t *len);
/** Which algorithm a DER AlgorithmIdentifier names. */
enum ike_sig_alg ike_sig_alg_from_der(const uint8_t *der, size_t len);

/* ---- builders (payload.c) ---- */

struct ike_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t np_at;           /**< where the next payload's type goes; SIZE_MAX: not yet */
	uint8_t first;          /**< first payload type, for bare chains */
	bool has_header;
};

/** Start a message: writes hdr (its next_payload and length are filled later). 0 or -ENOSPC. */
int ike_writer_msg(struct ike_writer *w, uint8_t *buf, size_t cap, const struct ike_header *hdr);
/** Start a bare chain (the plaintext of an SK payload). */
void ike_writer_chain(struct ike_writer *w, uint8_t *buf, size_t cap);
/** Close a message: writes the header's length. Returns the message length. */
int ike_writer_finish(struct ike_writer *w);

/** Any payload from a ready body. Length added or -ENOSPC (also if body > 65531). */
int ike_put_raw(struct ike_writer *w, uint8_t type, const void *body, size_t len);

struct ike_proposal_out {
	uint8_t number;         /**< 0: position in the list, from 1 */
	uint8_t protocol;
	uint8_t spi_size;
	const uint8_t *spi;
	unsigned n;
	const struct ike_transform *t;   /**< key_len 0: no Key Length attribute */
};

struct ike_choice;
int ike_put_sa(struct ike_writer *w, const struct ike_proposal_out *p, unsigned n);
/** The responder's SA payload: the one chosen proposal, with spi as our SPI (may be NULL, 0). */
int ike_put_sa_choice(struct ike_writer *w, const struct ike_choice *c, const uint8_t *spi,
		      uint8_t spi_size);
int ike_put_ke(struct ike_writer *w, uint16_t group, const uint8_t *data, size_t len);
int ike_put_id(struct ike_writer *w, uint8_t pl_type, uint8_t id_type, const void *data,
	       size_t len);
int ike_put_cert(struct ike_writer *w, uint8_t encoding, const uint8_t *data, size_t len);
int ike_put_certreq(struct ike_writer *w, uint8_t encoding, const uint8_t *data, size_t len);
int ike_put_auth(struct ike_writer *w, uint8_t method, const uint8_t *data, size_t len);
/** AUTH method 14 (RFC 7427 §3): length byte, AlgorithmIdentifier, signature. */
int ike_put_auth_sig(struct ike_writer *w, const uint8_t *alg_id, size_t alg_len,
		     const uint8_t *sig, size_t sig_len);
int ike_put_nonce(struct ike_writer *w, const uint8_t *nonce, size_t len);
int ike_put_notify(struct ike_writer *w, uint8_t protocol, const uint8_t *spi, uint8_t spi_size,
		   uint16_t type, const void *data, size_t len);
int ike_put_delete(struct ike_writer *w, uint8_t protocol, uint8_t spi_size, const uint8_t *spis,
		   uint16_t n_spi);
int ike_put_ts(struct ike_writer *w, uint8_t pl_type, const struct ike_ts_ipv4 *ts, unsigned n);
int ike_put_cp(struct ike_writer *w, uint8_t cfg_type, const struct ike_cp_attr *attr,
	       unsigned n);

/* ---- proposal matching (proposal.c) ---- */

#define IKE_ALGS_MAX 8

struct ike_encr_alg {
	uint16_t id;            /**< enum ike_encr */
	uint16_t key_len;       /**< bits; 0 for fixed-size ciphers (3DES) */
};

/**
 * One accepted proposal: any combination of one algorithm from each list
 * (a cross product, listed in our order of preference). An AEAD proposal
 * has no integ; an ESP proposal with no dh accepts no PFS only.
 */
struct ike_accept_proposal {
	uint8_t protocol;       /**< IKE_PROTO_IKE or IKE_PROTO_ESP */
	uint8_t n_encr, n_integ, n_prf, n_dh, n_esn;
	struct ike_encr_alg encr[IKE_ALGS_MAX];
	uint16_t integ[IKE_ALGS_MAX];
	uint16_t prf[IKE_ALGS_MAX];
	uint16_t dh[IKE_ALGS_MAX];
	uint16_t esn[IKE_ALGS_MAX];   /**< none listed: ESN off only */
};

struct ike_accept {
	const char *name;
	unsigned n;
	const struct ike_accept_proposal *p;
};

/** What was chosen from a client's offer. */
struct ike_choice {
	uint8_t number;         /**< the client's proposal number, echoed (RFC 7296 §3.3.1) */
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[IKE_SPI_MAX];   /**< the client's SPI (ESP: its inbound SPI) */
	uint16_t encr;
	uint16_t encr_key_len;  /**< bits; 0 for 3DES */
	uint16_t integ;         /**< IKE_INTEG_NONE for AEAD */
	uint16_t prf;           /**< IKE only */
	uint16_t dh;            /**< IKE_DH_NONE: no KE for this CHILD_SA */
	uint16_t esn;
	bool aead;
};

enum ike_accept_set {
	IKE_ACCEPT_WINDOWS,     /**< Windows built-in client */
	IKE_ACCEPT_CLOUD,       /**< the original service's P2S defaults */
	IKE_ACCEPT_MACOS,       /**< macOS / iOS built-in client */
	IKE_ACCEPT_STRONGSWAN,  /**< strongSwan defaults */
	IKE_ACCEPT_ALL,         /**< all of the above, strongest first: the gateway's default */
	IKE_ACCEPT_SETS
};

/** A built-in accepted set; NULL for an unknown one. */
const struct ike_accept *ike_accept_builtin(enum ike_accept_set set);

/**
 * Check an accepted set (from configuration): every algorithm implemented
 * here, lists within bounds, AEAD without integ, IKE with prf and dh.
 * 0, or -EINVAL with one line in err naming the proposal and field.
 */
int ike_accept_check(const struct ike_accept *acc, char *err, size_t errlen);

/**
 * Choose from the client's offer (RFC 7296 §2.7): the first of the client's
 * proposals of this protocol that one of ours accepts, each transform type
 * picked in our order of preference.
 * ke_group: the group of the KE payload that came with the SA (IKE_SA_INIT,
 * CREATE_CHILD_SA with PFS), or IKE_DH_NONE when there is none (the first
 * CHILD_SA in IKE_AUTH: its DH transforms are then ignored, RFC 7296 §1.2).
 * @return 0 and *c;
 *   -EAGAIN   a proposal is acceptable but with another group: c->dh is the
 *             group to ask for in INVALID_KE_PAYLOAD (RFC 7296 §1.2);
 *   -ENOENT   NO_PROPOSAL_CHOSEN.
 */
int ike_proposal_match(const struct ike_accept *acc, const struct ike_sa_offer *offer,
		       uint8_t protocol, uint16_t ke_group, struct ike_choice *c);

/** True for combined-mode ciphers (AES-GCM), which take no integ transform. */
bool ike_encr_is_aead(uint16_t encr);

/* ---- PRF, key derivation, NAT-D, COOKIE, AUTH octets (crypto.c) ---- */

/** PRF output (= preferred key) length in bytes; 0 for a transform this library does not support. */
size_t ike_prf_len(uint16_t prf);
/** Encryption key bytes, salt included (GCM: +4); 0 for a transform this library does not support. */
size_t ike_encr_key_len(uint16_t encr, uint16_t key_bits);
/** Integrity key bytes; 0 for NONE or unimplemented. */
size_t ike_integ_key_len(uint16_t integ);

/** prf(key, in[0] | in[1] | ...). out gets ike_prf_len(prf) bytes. 0 or -errno. */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *in,
	    unsigned n_in, uint8_t *out);
/** prf+ (RFC 7296 §2.13) of out_len bytes, at most 255 PRF blocks. 0 or -errno. */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *in,
		 unsigned n_in, uint8_t *out, size_t out_len);

struct ike_sa_keys {
	size_t d_len, a_len, e_len, p_len;
	uint8_t sk_d[IKE_PRF_MAX];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX], sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX], sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_MAX], sk_pr[IKE_PRF_MAX];
};

struct ike_child_keys {
	size_t e_len, a_len;
	/* i: initiator to responder (our inbound SA); r: responder to initiator */
	uint8_t ei[IKE_ENCR_KEY_MAX], ai[IKE_INTEG_KEY_MAX];
	uint8_t er[IKE_ENCR_KEY_MAX], ar[IKE_INTEG_KEY_MAX];
};

/** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). out: ike_prf_len() bytes. */
int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		 size_t nr_len, const uint8_t *g_ir, size_t g_ir_len, uint8_t *out);
/** Rekeyed IKE SA: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (RFC 7296 §2.18). */
int ike_skeyseed_rekey(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
		       const uint8_t *g_ir, size_t g_ir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t *out);
/** {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
int ike_sa_keys_derive(const struct ike_choice *c, const uint8_t *skeyseed, const uint8_t *ni,
		       size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i,
		       uint64_t spi_r, struct ike_sa_keys *k);
/**
 * CHILD_SA KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) (RFC 7296 §2.17),
 * split initiator-to-responder first, encryption key before integrity key.
 * g_ir may be NULL (no PFS). esp is the chosen ESP proposal.
 */
int ike_child_keys_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			  const struct ike_choice *esp, const uint8_t *g_ir, size_t g_ir_len,
			  const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			  struct ike_child_keys *k);
/** Overwrite secrets so they do not linger (OPENSSL_cleanse). */
void ike_wipe(void *p, size_t len);

/**
 * The octets that AUTH covers end in prf(SK_px, IDx') (RFC 7296 §2.15).
 * id_body is struct ike_id's body. out: ike_prf_len() bytes.
 */
int ike_auth_id_mac(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *id_body,
		    size_t id_len, uint8_t *out);
/**
 * Shared-key AUTH = prf(prf(secret, "Key Pad for IKEv2"), signed octets)
 * (RFC 7296 §2.15); with EAP the secret is the MSK (§2.16). out: prf length.
 */
int ike_auth_psk(uint16_t prf, const uint8_t *secret, size_t secret_len,
		 const struct ike_chunk *octets, unsigned n_octets, uint8_t *out);

/**
 * NAT detection hash (RFC 7296 §2.23): SHA-1(SPIi | SPIr | IP | port).
 * addr is 4 (IPv4) or 16 bytes in network order; port host order.
 * Before the responder's SPI is known, spi_r is 0.
 */
int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, const uint8_t *addr, size_t addr_len,
		  uint16_t port, uint8_t out[IKE_NATD_LEN]);

/**
 * Stateless COOKIE (RFC 7296 §2.6): version | HMAC-SHA-256(secret, version | Ni | IPi | SPIi),
 * version 4 bytes big-endian. out: IKE_COOKIE_LEN bytes.
 */
int ike_cookie_make(const uint8_t *secret, size_t secret_len, uint32_t version,
		    const uint8_t *ni, size_t ni_len, const uint8_t *ip, size_t ip_len,
		    uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN]);
/** The version in a cookie the client returned, to pick the secret; -EINVAL if malformed. */
int ike_cookie_version(const uint8_t *cookie, size_t len, uint32_t *version);
/** True if cookie is what ike_cookie_make() gives for these inputs (constant time). */
bool ike_cookie_check(const uint8_t *secret, size_t secret_len, const uint8_t *cookie,
		      size_t len, const uint8_t *ni, size_t ni_len, const uint8_t *ip,
		      size_t ip_len, uint64_t spi_i);

/* ---- key exchange (dh.c) ---- */

struct ike_dh;   /* one ephemeral key pair of one group */

/** True if the group is implemented here (2, 14, 19, 20, 24, 31). */
bool ike_dh_supported(uint16_t group);
/** The KE data length of a group (RFC 7296 §3.4, RFC 5903 §7, RFC 8031 §2); 0 if unsupported. */
size_t ike_dh_public_len(uint16_t group);
/** Generate a key pair. NULL if the group is unsupported or on failure. */
struct ike_dh *ike_dh_new(uint16_t group);
/** A key pair from a known private value, for known-answer tests. */
struct ike_dh *ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len);
uint16_t ike_dh_group(const struct ike_dh *dh);
/** Our KE data (MODP padded to the prime, ECP x | y, X25519 u). Length or -ENOSPC. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap);
/**
 * g^ir from the peer's KE data, checked first (length, range, point on the
 * curve, not all-zero for X25519). Length of the secret, or -EINVAL for a
 * bad peer value, -ENOSPC, -EIO.
 */
int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
		  size_t cap);
void ike_dh_free(struct ike_dh *dh);
/** The prime of a MODP group, big-endian (for tests against RFC 2409/3526/5114). */
const uint8_t *ike_dh_prime(uint16_t group, size_t *len);

/* ---- SK payload (sk.c): RFC 7296 §3.14, RFC 5282 ---- */

struct ike_sk {
	uint16_t encr;
	uint16_t integ;
	uint8_t key_len;        /**< cipher key bytes, salt excluded */
	uint8_t salt_len;       /**< GCM: 4 */
	uint8_t akey_len;
	uint8_t iv_len;
	uint8_t block_len;      /**< padding unit */
	uint8_t icv_len;
	bool aead;
	uint8_t ekey[IKE_ENCR_KEY_MAX];
	uint8_t akey[IKE_INTEG_KEY_MAX];
};

/**
 * Set one direction's keys. ekey holds key | salt for GCM. 0, or -ENOTSUP for
 * an algorithm this library does not support, -EINVAL for wrong key lengths.
 */
int ike_sk_init(struct ike_sk *sk, uint16_t encr, uint16_t key_bits, uint16_t integ,
		const uint8_t *ekey, size_t ekey_len, const uint8_t *akey, size_t akey_len);
/** The two directions of an IKE SA: what we decrypt (from the initiator) and send with. */
int ike_sk_from_keys(const struct ike_choice *c, const struct ike_sa_keys *k,
		     struct ike_sk *from_initiator, struct ike_sk *from_responder);
void ike_sk_wipe(struct ike_sk *sk);
/** Bytes an SK payload adds around inner_len bytes of plaintext (generic header included). */
size_t ike_sk_overhead(const struct ike_sk *sk, size_t inner_len);

/**
 * Build a whole protected message: hdr (next payload and length set here),
 * an SK payload whose next payload is first_inner, holding inner.
 * Returns the message length or -ENOSPC, -EIO.
 */
int ike_sk_encrypt(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
		   const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap);
/**
 * Check integrity, then decrypt the SK or SKF payload of a parsed message
 * into out. Returns the inner chain's length (its first payload type is
 * msg->sk_next); -EBADMSG on an integrity failure or bad padding (drop,
 * RFC 7296 §2.21.2), -EINVAL if malformed, -ENOSPC.
 */
int ike_sk_decrypt(const struct ike_sk *sk, const struct ike_msg *msg, uint8_t *out, size_t cap);

/* ---- fragmentation (frag.c): RFC 7383 ---- */

#define IKE_FRAG_MAX 32          /**< fragments per message we send or take */
#define IKE_FRAG_BYTES_MAX 65535 /**< reassembled plaintext ceiling */

struct ike_frag_slice {
	uint32_t offset;        /**< of one fragment message in the output buffer */
	uint16_t len;
};

/**
 * Split an SK-protected message into SKF messages of at most msg_max bytes
 * each (RFC 7383 §2.5), written one after another into out.
 * Returns the number of fragments, or -EMSGSIZE (more than max_frags or
 * msg_max too small), -ENOSPC, -EIO.
 */
int ike_frag_encrypt(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
		     const uint8_t *inner, size_t inner_len, size_t msg_max, uint8_t *out,
		     size_t cap, struct ike_frag_slice *slices, unsigned max_frags);

/** Reassembly of one message's fragments into a caller's buffer. */
struct ike_frag_reasm {
	uint8_t *buf;
	size_t cap;
	size_t used;
	uint32_t message_id;
	uint16_t total;         /**< 0: nothing received yet */
	uint16_t received;
	uint8_t first_payload;
	struct {
		uint32_t offset;
		uint16_t len;
		bool have;
	} frag[IKE_FRAG_MAX];
};

void ike_frag_reasm_init(struct ike_frag_reasm *r, uint8_t *buf, size_t cap);
void ike_frag_reasm_reset(struct ike_frag_reasm *r);
/**
 * Take one parsed SKF message (msg->sk_type == IKE_PL_SKF). Integrity is
 * checked before any of its fields changes the reassembly (RFC 7383 §2.6.1).
 * @return 1 complete; 0 more needed;
 *   -EALREADY duplicate fragment (ignored);
 *   -ESTALE   Total Fragments below the current one (discarded, §2.6.1);
 *   -EMSGSIZE too many fragments or too many bytes;
 *   -EBADMSG  integrity failure; -EINVAL malformed or another message ID.
 */
int ike_frag_reasm_add(struct ike_frag_reasm *r, const struct ike_sk *sk,
		       const struct ike_msg *msg);
/** Copy the complete plaintext chain into out, reset. Length, or -EAGAIN, -ENOSPC. */
int ike_frag_reasm_take(struct ike_frag_reasm *r, uint8_t *out, size_t cap,
			uint8_t *first_payload);

/* ---- names (names.c): NULL for a number with no name ---- */

const char *ike_exchange_name(uint8_t exchange);
const char *ike_payload_name(uint8_t type);
const char *ike_notify_name(uint16_t type);
const char *ike_protocol_name(uint8_t protocol);
const char *ike_xform_type_name(uint8_t type);
/** The name of transform id of type (ENCR, PRF, INTEG, DH, ESN). */
const char *ike_xform_name(uint8_t type, uint16_t id);
const char *ike_id_type_name(uint8_t type);
const char *ike_auth_method_name(uint8_t method);
const char *ike_cert_encoding_name(uint8_t encoding);
const char *ike_cfg_type_name(uint8_t type);
const char *ike_cfg_attr_name(uint16_t type);
const char *ike_hash_alg_name(uint16_t alg);

#endif /* P2SGW_IKE_H */
