/* SPDX-License-Identifier: BSD-3-Clause */
/* Between iked.c (table, messages, timers) and exchange.c (what each exchange does). */
#ifndef P2SGW_IKED_EXCHANGE_H
#define P2SGW_IKED_EXCHANGE_H

#include "iked_priv.h"

/* iked.c */
struct iked_sa *iked_sa_find(const struct iked *ik, uint64_t spi_r);
struct iked_sa *iked_sa_find_init(const struct iked *ik, uint64_t spi_i, uint32_t addr,
				  uint16_t port);
unsigned iked_half_open_from(const struct iked *ik, uint32_t addr);
struct iked_sa *iked_sa_new(struct iked *ik, uint64_t spi_i, uint32_t addr, uint16_t port,
			    uint64_t now);
struct iked_sa *iked_sa_successor(struct iked *ik, struct iked_sa *old, uint64_t peer_spi,
				  uint64_t our_spi);
uint64_t iked_spi_new(const struct iked *ik);
void iked_sa_destroy(struct iked *ik, struct iked_sa *sa);
void iked_sa_established(struct iked *ik, struct iked_sa *sa, uint64_t now);
void iked_sa_end(struct iked *ik, struct iked_sa *sa, enum iked_end why, uint64_t now);
int iked_respond(struct iked *ik, struct iked_sa *sa, uint8_t exchange, uint32_t msg_id,
		 struct ike_writer *w);
int iked_respond_notify(struct iked *ik, struct iked_sa *sa, uint8_t exchange, uint32_t msg_id,
			uint16_t type, const void *data, size_t len);
int iked_request(struct iked *ik, struct iked_sa *sa, uint8_t exchange, enum iked_req why,
		 const struct ike_writer *w, uint64_t now);
int iked_send_plain(struct iked *ik, struct iked_sa *sa, const uint8_t *msg, size_t len,
		    uint32_t addr, uint16_t port, uint16_t local_port);

/* exchange.c: each takes a validated, decrypted request (message ID already counted). */
void iked_init(struct iked *ik, const struct ike_msg *msg, uint32_t addr, uint16_t port,
	       uint16_t local_port, uint64_t now);
void iked_auth(struct iked *ik, struct iked_sa *sa, const struct ike_chain *chain,
	       uint64_t now);
void iked_create_child(struct iked *ik, struct iked_sa *sa, const struct ike_chain *chain,
		       uint64_t now);
void iked_informational(struct iked *ik, struct iked_sa *sa, const struct ike_chain *chain,
			uint64_t now);
/* Our CHILD_SA rekey: start it (0, or -errno and nothing sent) and take its answer. */
int iked_rekey_child_start(struct iked *ik, struct iked_sa *sa, uint64_t now);
int iked_rekey_ike_start(struct iked *ik, struct iked_sa *sa, uint64_t now);
void iked_rekey_ike_done(struct iked *ik, struct iked_sa *sa, const struct ike_chain *chain,
			 uint64_t now);
void iked_rekey_child_done(struct iked *ik, struct iked_sa *sa, const struct ike_chain *chain,
			   uint64_t now);

#endif
