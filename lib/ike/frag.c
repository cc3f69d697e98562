/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE fragmentation (RFC 7383): an SK-protected message too big for the path
 * is sent as several SKF messages, each protected on its own, so nothing has
 * to rely on IP fragments that NATs and firewalls drop. An IKE_AUTH with an
 * RSA certificate is the usual case (INTEROP.md).
 *
 * Reassembly works in a caller's buffer with hard limits: at most
 * IKE_FRAG_MAX fragments, at most the buffer's (and IKE_FRAG_BYTES_MAX)
 * bytes. Each fragment is authenticated before it is stored or before its
 * Total Fragments may change anything (RFC 7383 §2.6.1); duplicates are
 * dropped before any crypto is spent on them. Fragments are kept in arrival
 * order and put in order when the message is taken.
 */
#include <errno.h>
#include <string.h>

#include "ike_priv.h"

#define SKF_FIXED (IKE_HDR_LEN + IKE_GENERIC_LEN + 4)

int
ike_frag_encrypt(const struct ike_sk *sk, const struct ike_header *hdr, uint8_t first_inner,
		 const uint8_t *inner, size_t inner_len, size_t msg_max, uint8_t *out, size_t cap,
		 struct ike_frag_slice *slices, unsigned max_frags)
{
	size_t fixed = SKF_FIXED + sk->iv_len + sk->icv_len, chunk, off = 0, done = 0;
	unsigned n, i;

	if (msg_max <= fixed + sk->block_len)
		return -EMSGSIZE;
	/* The largest plaintext whose padded form, Pad Length octet included, fits. */
	chunk = (msg_max - fixed) / sk->block_len * sk->block_len - 1;
	if (chunk == 0)
		return -EMSGSIZE;
	n = inner_len == 0 ? 1 : (unsigned)((inner_len + chunk - 1) / chunk);
	if (n > max_frags || n > IKE_FRAG_MAX)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		size_t len = inner_len - done < chunk ? inner_len - done : chunk;
		/* §2.5: only the first fragment names the first inner payload. */
		int rc = ike_sk_encrypt_frag(sk, hdr, i == 0 ? first_inner : IKE_PL_NONE,
					     (uint16_t)(i + 1), (uint16_t)n, inner + done, len,
					     out + off, cap - off);

		if (rc < 0)
			return rc;
		slices[i].offset = (uint32_t)off;
		slices[i].len = (uint16_t)rc;
		off += (size_t)rc;
		done += len;
	}
	return (int)n;
}

void
ike_frag_reasm_init(struct ike_frag_reasm *r, uint8_t *buf, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = cap < IKE_FRAG_BYTES_MAX ? cap : IKE_FRAG_BYTES_MAX;
}

void
ike_frag_reasm_reset(struct ike_frag_reasm *r)
{
	ike_frag_reasm_init(r, r->buf, r->cap);
}

/* What can be decided from the clear fields alone, before decrypting. */
static int
frag_screen(const struct ike_frag_reasm *r, const struct ike_msg *msg)
{
	if (msg->sk_type != IKE_PL_SKF || msg->frag_number == 0 ||
	    msg->frag_number > msg->frag_total)
		return -EINVAL;
	if (msg->frag_total > IKE_FRAG_MAX)
		return -EMSGSIZE;
	if (r->total == 0)
		return 0;
	if (msg->hdr.message_id != r->message_id)
		return -EINVAL;
	/* §2.6.1: fewer fragments than before is an old retransmission. */
	if (msg->frag_total < r->total)
		return -ESTALE;
	if (msg->frag_total == r->total && r->frag[msg->frag_number - 1].have)
		return -EALREADY;
	return 0;
}

int
ike_frag_reasm_add(struct ike_frag_reasm *r, const struct ike_sk *sk, const struct ike_msg *msg)
{
	unsigned idx;
	int n = frag_screen(r, msg);

	if (n != 0)
		return n;
	n = ike_sk_decrypt(sk, msg, r->buf + r->used, r->cap - r->used);
	if (n < 0)
		return n == -ENOSPC ? -EMSGSIZE : n;
	if (r->total != msg->frag_total) {
		/*
		 * First fragment, or §2.6.1: more fragments than before means
		 * the peer split again for a smaller path; start over with it.
		 */
		memmove(r->buf, r->buf + r->used, (size_t)n);
		ike_frag_reasm_reset(r);
		r->total = msg->frag_total;
		r->message_id = msg->hdr.message_id;
	}
	idx = msg->frag_number - 1u;
	r->frag[idx].offset = (uint32_t)r->used;
	r->frag[idx].len = (uint16_t)n;
	r->frag[idx].have = true;
	r->used += (size_t)n;
	r->received++;
	if (idx == 0)
		r->first_payload = msg->sk_next;
	return r->received == r->total ? 1 : 0;
}

int
ike_frag_reasm_take(struct ike_frag_reasm *r, uint8_t *out, size_t cap, uint8_t *first_payload)
{
	size_t total = 0, off = 0;
	unsigned i;

	if (r->total == 0 || r->received != r->total)
		return -EAGAIN;
	for (i = 0; i < r->total; i++)
		total += r->frag[i].len;
	if (total > cap)
		return -ENOSPC;
	for (i = 0; i < r->total; i++) {
		memcpy(out + off, r->buf + r->frag[i].offset, r->frag[i].len);
		off += r->frag[i].len;
	}
	*first_payload = r->first_payload;
	ike_frag_reasm_reset(r);
	return (int)total;
}
