/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf: the gateway's configuration, loaded from one libconfig file and
 * validated in full before anything starts, and the port profiles of
 * drivers-cfg/ that tell how to open a port (PMD, devargs, queues, RSS).
 *
 * Every load error is one line that names the file, the line and the field
 * and says what is allowed, e.g.
 *   "p2sgw.conf:12: client_pool: expected an IPv4 prefix a.b.c.d/len with len 8..30, got \"10.0.0.0/33\""
 * A failed load leaves *out untouched.
 */
#ifndef P2SGW_CONF_H
#define P2SGW_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* Limits the product promises (DESIGN.md). */
#define CONF_VNET_MAX 32     /**< VNet prefixes */
#define CONF_DNS_MAX 8       /**< DNS servers pushed to clients */
#define CONF_ROOTS_MAX 20    /**< trusted client roots */
#define CONF_REVOKED_MAX 4096 /**< revoked client thumbprints */
#define CONF_RADIUS_MAX 8    /**< RADIUS servers */
#define CONF_RATE_MBPS_MAX 10000 /**< rate_mbps ceiling: the largest SKU (VpnGw5) */
#define CONF_TUNNELS_MAX 1024 /**< tunnel_limit ceiling (the data plane's SA table, lib/port) */
#define CONF_NAME_MAX 64
#define CONF_IFNAME_MAX 64
#define CONF_SECRET_MAX 128
#define CONF_PATH_MAX 512
#define CONF_ERR_MAX 512     /**< room for one error line */

/** Gateway SKU: aggregate throughput tier. */
enum conf_sku {
	CONF_SKU_BASIC,
	CONF_SKU_VPNGW1,
	CONF_SKU_VPNGW2,
	CONF_SKU_VPNGW3,
	CONF_SKU_VPNGW4,
	CONF_SKU_VPNGW5,
	CONF_SKU_COUNT
};

/** Protocol bits of conf.protocols. */
#define CONF_PROTO_IKEV2 (1u << 0)
#define CONF_PROTO_SSTP (1u << 1)

/** Authentication bits of conf.auth. */
#define CONF_AUTH_CERT (1u << 0)
#define CONF_AUTH_RADIUS (1u << 1)

/** An IPv4 prefix, host byte order, address already masked to len. */
struct conf_prefix {
	uint32_t addr;
	uint8_t len;
};

/** One of the gateway's two ports. */
struct conf_port {
	char profile[CONF_NAME_MAX];   /**< drivers-cfg profile name, e.g. "af_packet" */
	char iface[CONF_IFNAME_MAX];   /**< kernel interface (af_packet, tap); may be "" */
	char pci[32];                  /**< PCI address for physical NICs; may be "" */
	uint32_t addr;                 /**< gateway's own address, host order */
	uint8_t prefix_len;            /**< connected subnet length (8..30) */
	uint32_t next_hop;             /**< default next hop, host order; 0 = none */
	uint16_t mtu;                  /**< 576..9000 */
};

/** A trusted client root: either a file or inline data (PEM, DER-in-Base64). */
struct conf_root {
	char name[CONF_NAME_MAX];
	char file[CONF_PATH_MAX];      /**< resolved against the config file's folder; "" if inline */
	char *data;                    /**< inline Base64/PEM text, heap, or NULL */
};

/** A revoked client certificate thumbprint (SHA-1 of the DER certificate). */
struct conf_revoked {
	char name[CONF_NAME_MAX];
	uint8_t sha1[20];
};

/** A RADIUS server. */
struct conf_radius {
	uint32_t addr;                 /**< host order */
	uint16_t auth_port;            /**< default 1812 */
	uint16_t acct_port;            /**< default 1813 */
	char secret[CONF_SECRET_MAX];  /**< never printed */
	uint8_t priority;              /**< lower is tried first; 1..255 */
	uint32_t timeout_ms;           /**< per try, 100..60000, default 3000 */
	uint8_t retries;               /**< 0..10, default 3 */
};

/** The whole configuration. Plain data: copy with conf_copy(), free with conf_free(). */
struct conf {
	char path[CONF_PATH_MAX];      /**< file it was loaded from */
	char name[CONF_NAME_MAX];      /**< gateway name, default "p2sgw" */

	struct conf_port pub;          /**< "public": internet side */
	struct conf_port priv;         /**< "private": VNet side */

	struct conf_prefix pool;       /**< client address pool */
	struct conf_prefix vnet[CONF_VNET_MAX];
	unsigned n_vnet;
	uint32_t dns[CONF_DNS_MAX];    /**< host order */
	unsigned n_dns;

	enum conf_sku sku;
	unsigned tunnel_limit;         /**< tunnels at once, IKEv2 and SSTP together; default 128 */
	unsigned rate_mbps;            /**< aggregate rate each way below the SKU's, 0 = the SKU's */
	unsigned protocols;            /**< CONF_PROTO_* bits */
	unsigned auth;                 /**< CONF_AUTH_* bits */

	char server_cert[CONF_PATH_MAX]; /**< gateway certificate (PEM), may be "" */
	char server_key[CONF_PATH_MAX];  /**< its private key (PEM), may be "" */

	struct conf_root roots[CONF_ROOTS_MAX];
	unsigned n_roots;
	struct conf_revoked *revoked;  /**< heap array of n_revoked, or NULL */
	unsigned n_revoked;
	struct conf_radius radius[CONF_RADIUS_MAX];
	unsigned n_radius;

	char cli_socket[CONF_PATH_MAX];  /**< default "/run/p2sgw/p2sgw.sock" */
	char cli_group[CONF_NAME_MAX];   /**< group owning the socket, "" = process group */
	int log_level;                   /**< RTE_LOG_ERR..RTE_LOG_DEBUG, default RTE_LOG_INFO */
	char profile_dir[CONF_PATH_MAX]; /**< port profile folder, "" = built-in default */
	unsigned idle_sleep_us;          /**< worker back-off when idle, 0 = pure poll (default) */
	unsigned neigh_max;              /**< neighbour table size, 16..65536, default 1024 */
	unsigned neigh_timeout_s;        /**< reachable lifetime, 5..86400, default 300 */

	struct conf_ikev2 {
		unsigned proposals;            /**< enum conf_ike_proposals */
		unsigned liveness_s;           /**< idle seconds before a liveness check, 0 = off */
		unsigned liveness_retries;     /**< unanswered checks before the client is reaped */
		unsigned ike_lifetime_s;       /**< IKE_SA reauthentication deadline, 0 = none */
		unsigned child_lifetime_s;     /**< CHILD_SA rekey after this long, 0 = none */
		unsigned long long child_lifetime_bytes; /**< ... or after this many bytes, 0 = none */
		unsigned cookie_threshold;     /**< half-open IKE_SAs before COOKIEs are demanded */
		unsigned half_open_max;        /**< half-open IKE_SAs kept at most */
		unsigned fragment_size;        /**< largest IKE datagram sent (RFC 7383), 576..9000 */
	} ikev2;
};

/** The proposal sets the gateway accepts (lib/ike ike_accept_builtin()). */
enum conf_ike_proposals {
	CONF_IKE_WINDOWS, CONF_IKE_CLOUD, CONF_IKE_MACOS, CONF_IKE_STRONGSWAN, CONF_IKE_ALL
};
const char *conf_ike_proposals_name(unsigned set);

/**
 * Load and validate a configuration file. On success fills *out (the caller
 * frees it with conf_free()) and returns 0; on failure returns -errno
 * (-ENOENT for a missing file, -EINVAL for bad content), writes one error line
 * into err and leaves *out untouched.
 */
int conf_load(const char *path, struct conf *out, char *err, size_t errlen);

/** As conf_load(), from text in memory; name is used in error lines and for relative paths. */
int conf_load_string(const char *text, const char *name, struct conf *out, char *err,
		     size_t errlen);

/** Release heap parts of a configuration (safe on a zeroed struct). */
void conf_free(struct conf *c);

/** Deep copy; 0 or -ENOMEM. */
int conf_copy(struct conf *dst, const struct conf *src);

/** The configuration as JSON for `show config`; secrets are replaced by "********". */
struct json_object *conf_to_json(const struct conf *c);

/** SKU name ("VpnGw1"), aggregate rate in bit/s, and lookup by name (case-insensitive). */
const char *conf_sku_name(enum conf_sku sku);
uint64_t conf_sku_rate_bps(enum conf_sku sku);
int conf_sku_from_name(const char *name, enum conf_sku *sku);
/** The rate in force each way, bit/s: rate_mbps if set, else the SKU's. */
uint64_t conf_rate_bps(const struct conf *c);

/** Parse "a.b.c.d/len" into a masked prefix; 0 or -EINVAL. */
int conf_parse_prefix(const char *s, struct conf_prefix *p);
/** Parse a dotted quad into host order; 0 or -EINVAL. */
int conf_parse_ipv4(const char *s, uint32_t *addr);
/** Parse a SHA-1 thumbprint: 40 hex digits in any case, spaces and colons ignored; 0 or -EINVAL. */
int conf_parse_thumbprint(const char *s, uint8_t sha1[20]);
/** True if the two prefixes share any address. */
bool conf_prefix_overlap(const struct conf_prefix *a, const struct conf_prefix *b);

/* ---- Changes to a running gateway's file (edit.c) ---- */

enum conf_change_kind {
	CONF_CHANGE_SKU,           /**< value: the SKU's name */
	CONF_CHANGE_TUNNEL_LIMIT,  /**< number */
	CONF_CHANGE_RATE,          /**< number: rate_mbps (0: the SKU's rate) */
	CONF_CHANGE_PROTOCOL,      /**< name ("ikev2", "sstp"), on */
	CONF_CHANGE_AUTH,          /**< name ("certificate", "radius"), on */
	CONF_CHANGE_ROOT,          /**< on: add {name, key ("file" or "data"): value}; off: remove name */
	CONF_CHANGE_REVOKED,       /**< on: add {name, key "thumbprint": value}; off: remove name */
	CONF_CHANGE_DNS,           /**< list of n addresses (0: none) */
	CONF_CHANGE_VNET,          /**< list of n prefixes */
};

struct conf_change {
	enum conf_change_kind kind;
	const char *name;
	const char *key;
	const char *value;
	long long number;
	bool on;
	const char *const *list;
	unsigned n;
};

/**
 * Make one change to the configuration file at path: applied to the file's
 * settings, the whole result validated as conf_load() does (same one-line
 * errors; nothing is written if it fails), then written atomically (a
 * temporary file beside it, fsync, rename, fsync of the folder; the old
 * file's mode kept). 0 and the new configuration in *out, or -errno with
 * err. Comments of the file are not kept (libconfig writes its tree).
 */
int conf_edit(const char *path, const struct conf_change *ch, struct conf *out, char *err,
	      size_t errlen);

/* ---- Port profiles (drivers-cfg/<name>.conf) ---- */

enum conf_bus { CONF_BUS_VDEV, CONF_BUS_PCI };

/** How to open a port of some kind. */
struct conf_profile {
	char name[CONF_NAME_MAX];
	char description[128];
	enum conf_bus bus;
	char driver[CONF_NAME_MAX];    /**< vdev driver ("net_af_packet") or PCI PMD name */
	char devargs[256];             /**< template: {iface} {queues} {pci} {index} are expanded */
	uint16_t rx_desc, tx_desc;     /**< descriptors per queue, 64..16384 */
	uint16_t max_queues;           /**< most queues per direction the device takes */
	bool rss;                      /**< spread RX over workers with RSS */
	uint64_t rss_hf;               /**< RTE_ETH_RSS_* bits (from names: ipv4, udp, tcp …) */
	bool promiscuous;
	bool needs_iface;              /**< port must name an iface */
	bool needs_pci;                /**< port must name a pci address */
	uint32_t mbufs;                /**< mbufs this port adds to the pool, 512..1048576 */
};

/**
 * Load profile `name` from folder dir (file dir/name.conf) and validate it;
 * 0 or -errno with one error line in err.
 */
int conf_profile_load(const char *dir, const char *name, struct conf_profile *out, char *err,
		      size_t errlen);

/**
 * As conf_profile_load(), from text in memory: name is used in error lines, and
 * the profile's name must equal its last component without ".conf"
 * ("drivers-cfg/tap.conf" -> "tap"). For tests and the fuzz harness.
 */
int conf_profile_load_string(const char *text, const char *name, struct conf_profile *out,
			     char *err, size_t errlen);

/**
 * Expand the profile's devargs template for a port into buf: "{iface}", "{pci}",
 * "{queues}" and "{index}" (the vdev instance number). 0, or -ENOSPC / -EINVAL
 * (unknown placeholder, or one the port does not provide) with an error line.
 */
int conf_profile_devargs(const struct conf_profile *prof, const struct conf_port *port,
			 unsigned queues, unsigned index, char *buf, size_t len, char *err,
			 size_t errlen);

#endif
