/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port: the gateway's two DPDK ports and the layer-2/3 duties of the data
 * plane. The control core opens the ports from drivers-cfg profiles (one RX
 * and one TX queue per worker, RSS across them), then runs the workers' poll
 * loops on the other lcores. Workers answer ARP and ICMP echo for the
 * gateway's own addresses, proxy-ARP for the client pool on the private port,
 * and drop and count by reason everything else. Next hops are resolved by ARP
 * on the control core into a bounded neighbour table that workers read
 * without locks (rte_hash lock-free readers, entries retired with
 * rte_rcu_qsbr).
 */
#ifndef P2SGW_PORT_H
#define P2SGW_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "conf.h"
#include "shaper.h"

enum port_index { PORT_PUBLIC = 0, PORT_PRIVATE = 1, PORT_COUNT = 2 };

#define PORT_BURST_MAX 32

/*
 * Why a frame was dropped. X(name, help): one list gives the enum, the
 * counter names shown by the CLI and their help text.
 */
#define PORT_DROP_REASONS(X)                                                   \
	X(runt, "frame shorter than its headers")                             \
	X(multi_seg, "frame in several segments")                              \
	X(own_frame, "frame the gateway sent itself (seen again by af_packet)") \
	X(l2_not_for_us, "destination MAC neither ours nor broadcast")         \
	X(ethertype, "neither IPv4 nor ARP")                                   \
	X(arp_malformed, "ARP not Ethernet/IPv4 or too short")                 \
	X(arp_not_for_us, "ARP for an address the gateway does not own")       \
	X(ip_malformed, "bad IPv4 version, header or total length")            \
	X(ip_checksum, "bad IPv4 header checksum")                             \
	X(ip_martian, "source address broadcast, multicast, loopback or ours") \
	X(ip_fragment, "IPv4 fragment addressed to the gateway")               \
	X(ip_not_for_us, "IPv4 not addressed to the gateway (no route)")       \
	X(icmp_malformed, "ICMP too short or bad checksum")                    \
	X(icmp_type, "ICMP other than echo request")                           \
	X(no_service, "UDP, TCP or other protocol with no service on the port") \
	X(udp_malformed, "UDP length field inconsistent with the IPv4 packet")  \
	X(nat_keepalive, "NAT-T keepalive (RFC 3948 2.3), counted and dropped") \
	X(ike_ring_full, "IKE packet and the ring to the control core was full") \
	X(esp_no_sa, "ESP with an SPI the gateway does not have")            \
	X(esp_malformed, "ESP too short to carry an SPI")                     \
	X(no_tunnel, "to a pool address that has no client connected")        \
	X(not_from_vnet, "to a client from outside the VNet prefixes")        \
	X(ttl_expired, "TTL would reach zero on the way to a client")         \
	X(handoff_full, "the tunnel owner's hand-off ring was full")          \
	X(no_route, "no next hop for the reply")                               \
	X(neigh_queue_full, "waiting for ARP and the queue was full")          \
	X(neigh_table_full, "neighbour table full, next hop not resolved")     \
	X(neigh_failed, "next hop did not answer ARP")                         \
	X(ring_full, "hand-off ring to the control core was full")             \
	X(tx_full, "TX queue full")

#define PORT_DROP_ENUM(name, help) PORT_DROP_##name,
enum port_drop { PORT_DROP_REASONS(PORT_DROP_ENUM) PORT_DROP_COUNT };
#undef PORT_DROP_ENUM

/** Counter name ("ip_checksum") and help line of a drop reason. */
const char *port_drop_name(enum port_drop d);
const char *port_drop_help(enum port_drop d);

/** One worker's counters for one port; written by that worker only. */
struct port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t arp_replies;
	uint64_t echo_replies;
	uint64_t handoffs;             /**< frames passed to the worker owning their tunnel */
	uint64_t drops[PORT_DROP_COUNT];
} __rte_cache_aligned;

/** What the data plane knows about one of its ports. */
struct port {
	char name[16];                 /**< "public" / "private" */
	uint16_t port_id;              /**< DPDK port id */
	struct rte_ether_addr mac;
	uint32_t addr;                 /**< own address, host order */
	uint32_t mask;                 /**< connected subnet mask, host order */
	uint32_t next_hop;             /**< default next hop, 0 = none */
	uint16_t mtu;
	bool proxy_arp_pool;           /**< answer ARP for the client pool */
	bool outside;                  /**< internet side: tunnels (ESP, IKE) end here */
	struct conf_profile profile;
	char devname[128];             /**< DPDK device name */
	uint16_t rx_queues, tx_queues;
	bool rss;                      /**< RSS really enabled on the device */
};

struct neigh_table;
struct sa_table;
struct esp_worker;
struct rte_lpm;
struct rte_ring;
struct rte_rcu_qsbr;
struct rte_mempool;

struct dp;
struct worker_shape;

/**
 * The two directions of the SKU's rate, each held separately: up is what
 * clients send into the VNet (shaped once decrypted, so only authentic
 * packets use it), down what the VNet sends to clients (shaped before
 * encryption, so no crypto is spent on what will wait or be dropped).
 * Both count inner IPv4 bytes: what the client's applications see.
 */
enum dp_dir { DP_UP = 0, DP_DOWN = 1, DP_DIRS = 2 };

/** A worker lcore: polls queue `queue` of every port. */
struct worker {
	struct dp *dp;
	unsigned lcore_id;
	uint16_t queue;
	unsigned index;                /**< 0..n_workers-1, also its RCU thread id */
	struct rte_ring *tx_ring[PORT_COUNT]; /**< frames the control core asks it to send */
	struct rte_ring *handoff;      /**< frames of tunnels it owns, from other workers */
	struct esp_worker *esp;        /**< its IPsec-MB manager */
	struct worker_shape *shape[DP_DIRS]; /**< its tunnels' queues for the SKU's rate (worker_priv.h) */
	struct port_counters ctr[PORT_COUNT];
	uint64_t polls;                /**< loop iterations */
	uint64_t busy_polls;           /**< iterations that moved at least one frame */
	uint64_t idle_sleeps;
} __rte_cache_aligned;

/** Message from a worker to the control core: learn this neighbour. */
struct port_learn {
	uint32_t ip;                   /**< host order */
	uint8_t port;                  /**< enum port_index */
	uint8_t solicited;             /**< 1 when the sender asked us (RFC 826: may create) */
	struct rte_ether_addr mac;
};

/** What the rate of one direction did (dp_shape_stats()). */
struct dp_shape_stats {
	uint64_t rate_bps;             /**< in force; 0 = no limit */
	uint64_t use_bps;              /**< what passed over the last second or so */
	uint64_t sent_bytes;           /**< passed the shaper (inner IPv4 bytes) */
	uint64_t sent_packets;
	uint64_t waited;               /**< packets that had to wait in a queue */
	uint64_t queued_packets;       /**< waiting now, every worker */
	uint64_t queued_bytes;
	uint64_t drops;                /**< queue share full (also per tunnel: rate_queue_full) */
};

/** The whole data plane, owned by the control core. */
struct dp {
	struct port ports[PORT_COUNT];
	struct conf_prefix pool;
	struct rte_mempool *mbufs;
	struct neigh_table *neigh;
	struct rte_rcu_qsbr *qsbr;
	struct rte_ring *learn_ring;   /**< workers -> control: struct port_learn */
	struct rte_ring *punt_ring;    /**< workers -> control: mbufs waiting for a next hop */
	struct rte_ring *ike_ring;     /**< workers -> control: IKE messages (UDP 500/4500) */
	struct sa_table *sa;           /**< client tunnels and their ESP SAs */
	struct esp_worker *ctl_esp;    /**< the control core's IPsec-MB manager (key set-up) */
	struct rte_lpm *vnet;          /**< VNet prefixes: where clients may send */
	struct rte_mempool *indirect;  /**< indirect mbufs for outer fragmentation */
	uint64_t ike_received;         /**< IKE messages the control core took */
	uint64_t ike_fragments;        /**< IPv4 fragments of them (ikefrag.c) */
	uint64_t ike_reassembled;      /**< datagrams reassembled from those */
	struct rte_ip_frag_tbl *ike_frag;
	struct rte_ip_frag_death_row ike_dr;
	/** Control core: where IKE frames from ike_ring go (takes the mbuf);
	 *  NULL = count and free them. */
	void (*ike_input)(void *arg, struct rte_mbuf *m, uint64_t now_tsc);
	void *ike_arg;
	uint64_t rekeys_wanted;        /**< outbound SAs that passed their soft sequence limit */
	struct worker *workers;        /**< n_workers, rte_zmalloc'ed */
	struct port_counters ctl_ctr[PORT_COUNT]; /**< drops decided on the control core */
	unsigned n_workers;
	unsigned idle_sleep_us;
	uint64_t next_timer_tsc;       /**< control core: next neighbour timer run */
	struct shaper_bucket rate[DP_DIRS]; /**< the SKU's rate, shared by every worker */
	uint64_t rate_bps;             /**< what rate[] holds (0 = no limit) */
	uint64_t use_tsc;              /**< control core: when use_bytes was taken */
	uint64_t use_bytes[DP_DIRS];   /**< sent_bytes then */
	uint64_t use_bps[DP_DIRS];     /**< the rate between the last two samples */
	bool stop;                     /**< set by dp_stop(), read by workers */
};

/**
 * Per-mbuf metadata while a frame waits on the control core: which port it
 * leaves by and which next hop it needs. Lives in an mbuf dynamic field.
 */
struct port_meta {
	uint32_t next_hop;             /**< host order */
	uint8_t port;
	uint8_t kind;                  /**< enum port_handoff, on a hand-off ring */
	void *ctx;                     /**< the tunnel, through ESP processing */
};

/** Why a frame is on a worker's hand-off ring. */
enum port_handoff {
	HANDOFF_ESP_IN = 1,            /**< ESP from a client, for the tunnel's owner */
	HANDOFF_TO_CLIENT,             /**< a VNet packet for the tunnel's owner to encrypt */
};
extern int port_meta_offset;

/** Register the metadata field (dp_create() does it); 0 or -errno. */
int port_meta_register(void);
static inline struct port_meta *
port_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, port_meta_offset, struct port_meta *);
}

/**
 * Create the data plane after rte_eal_init(): mbuf pool, rings, neighbour
 * table, RCU, and both ports opened from their profiles with one RX and one
 * TX queue per worker lcore, started. 0 or -errno with one error line.
 */
int dp_create(struct dp *dp, const struct conf *c, char *err, size_t errlen);

/** Launch the worker loops on every worker lcore. */
int dp_start_workers(struct dp *dp);

/**
 * Stop the workers and wait for them, then give back every mbuf still held
 * in rings and neighbour queues, and stop and close both ports.
 */
void dp_stop(struct dp *dp);

/** Free what dp_create() made (after dp_stop()). */
void dp_destroy(struct dp *dp);

/** Mbufs of the pool not back in it (0 after a clean dp_stop()). */
unsigned dp_mbufs_in_use(const struct dp *dp);

/**
 * Hold each direction to bps bits per second of inner IPv4 traffic (0 = no
 * limit), shared by every worker. In force for the next burst; safe while
 * the workers run.
 */
void dp_set_rate(struct dp *dp, uint64_t bps);

/**
 * Control core: the VNet prefixes of c become the data plane's (where
 * clients may send, whom the VNet may reach them from): a new table is
 * swapped in and the old one freed after every worker was quiescent.
 * Blocks for that grace period (a poll loop's iteration). 0 or -ENOMEM.
 */
int dp_set_vnet(struct dp *dp, const struct conf *c);

/** What the rate of direction d did, summed over the workers. */
void dp_shape_stats(const struct dp *dp, enum dp_dir d, struct dp_shape_stats *s);

/** Sum of every worker's counters for one port. */
void dp_port_counters(const struct dp *dp, enum port_index p, struct port_counters *sum);

/**
 * Hand a frame built on the control core to worker 0 for transmission on
 * port p. Takes the mbuf in every case (freed and counted if the ring is full).
 */
void dp_ctl_tx(struct dp *dp, enum port_index p, struct rte_mbuf *m);

/**
 * Control core: send an IPv4 packet built in m (m's data starts at the IPv4
 * header; at least RTE_ETHER_HDR_LEN of headroom) out of port p: Ethernet
 * header added, next hop chosen from the port's subnet and default route,
 * resolved by ARP if needed. Takes the mbuf in every case.
 */
void dp_ctl_send_ip(struct dp *dp, enum port_index p, struct rte_mbuf *m, uint64_t now_tsc);

/**
 * Control core: reassembly of IPv4-fragmented IKE (ikefrag.c). dp_create()
 * and dp_stop() call create and free. dp_ike_frag_input() takes a frame
 * from the IKE ring: a non-fragment comes back as it is; a fragment is kept
 * (NULL) until its datagram is complete, which comes back as an mbuf chain
 * (Ethernet header first).
 */
int dp_ike_frag_create(struct dp *dp, int socket);
void dp_ike_frag_free(struct dp *dp);
struct rte_mbuf *dp_ike_frag_input(struct dp *dp, struct rte_mbuf *m, uint64_t now_tsc);

/**
 * Control core: drain the learn and punt rings and run neighbour timers.
 * Returns how much work it did (0 = idle).
 */
unsigned dp_control_poll(struct dp *dp, uint64_t now_tsc);

/**
 * Worker w handles a burst of frames as if it had received them on port pi:
 * replies, tunnel paths (and its hand-off ring), TX. The poll loop calls it
 * for every burst; benchmarks and tests call it to drive the real data path
 * from an in-process generator. Takes every mbuf. Returns n.
 */
unsigned dp_worker_input(struct worker *w, enum port_index pi, struct rte_mbuf **pkts,
			 unsigned n);

/** The worker loop (rte_eal_remote_launch entry); arg is the struct worker. */
int dp_worker_main(void *arg);

#endif
