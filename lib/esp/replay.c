/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp/replay: the inbound anti-replay window. RFC 4303 §3.4.3 checks a
 * packet's sequence number twice: before the integrity check, to spare the
 * crypto of obvious replays, and again after it, when the window finally
 * moves — and only then, so a forged packet changes nothing. With extended
 * sequence numbers only the low 32 bits travel; the high ones are inferred
 * from the window (RFC 4303 Appendix A2.2) and confirmed by the ICV, which
 * covers them.
 *
 * The window is an RFC 6479 ring of 64-bit blocks: advancing clears whole
 * blocks instead of shifting a bitmap. The ring holds twice the window so
 * that its block count is a power of two (an index is a mask, not a modulo)
 * and at least one block is spare; the window itself is exactly W numbers.
 */
#include <string.h>

#include "esp_priv.h"

/* Is seq new and inside the window? (RFC 4303 §3.4.3) */
static enum esp_drop
replay_test(const struct esp_sa *sa, uint64_t seq)
{
	uint64_t top = sa->replay_top;
	uint64_t word;

	if (seq > top)
		return ESP_DROP_COUNT;
	/* Sequence numbers start at 1 (RFC 4303 §3.3.3): 0 is never valid. */
	if (seq == 0 || top - seq >= sa->replay_window)
		return ESP_DROP_too_old;
	word = sa->replay_bits[(seq >> 6) & sa->replay_words_mask];
	return word & (UINT64_C(1) << (seq & 63)) ? ESP_DROP_replayed : ESP_DROP_COUNT;
}

/*
 * RFC 4303 Appendix A2.2: with top T = Th:Tl and window W, the bottom of the
 * window is Bl = Tl - W + 1 (mod 2^32). Case A (Tl >= W - 1): the window
 * lies in one 2^32 subspace; seq_lo >= Bl is in it (Th), below it is the
 * next subspace (Th + 1). Case B (Tl < W - 1): the window straddles two;
 * seq_lo >= Bl belongs to the previous subspace (Th - 1), below to Th.
 */
static bool
esn_seq_hi(uint64_t top, uint32_t w, uint32_t seq_lo, uint32_t *seq_hi)
{
	uint32_t tl = (uint32_t)top, th = (uint32_t)(top >> 32);
	uint32_t bl = tl - w + 1;

	if (tl >= w - 1) {
		if (seq_lo >= bl) {
			*seq_hi = th;
		} else {
			if (th == UINT32_MAX)
				return false;   /* past 2^64: the sender must have rekeyed */
			*seq_hi = th + 1;
		}
	} else {
		if (seq_lo >= bl) {
			if (th == 0)
				return false;   /* before sequence number 1 */
			*seq_hi = th - 1;
		} else {
			*seq_hi = th;
		}
	}
	return true;
}

enum esp_drop
esp_replay_check(const struct esp_sa *sa, uint32_t seq_lo, uint64_t *seq)
{
	uint32_t seq_hi = 0;

	if ((sa->flags & ESP_SA_ESN) &&
	    !esn_seq_hi(sa->replay_top, sa->replay_window, seq_lo, &seq_hi))
		return ESP_DROP_too_old;
	*seq = (uint64_t)seq_hi << 32 | seq_lo;
	return replay_test(sa, *seq);
}

/* After the ICV: check again (a burst may carry the same number twice),
 * then slide and mark. RFC 6479 §2.3: advancing clears the blocks passed. */
enum esp_drop
esp_replay_update(struct esp_sa *sa, uint64_t seq)
{
	enum esp_drop d = replay_test(sa, seq);
	uint32_t mask = sa->replay_words_mask;

	if (d != ESP_DROP_COUNT)
		return d;
	if (seq > sa->replay_top) {
		uint64_t from = sa->replay_top >> 6, to = seq >> 6;

		if (to - from > mask) {
			memset(sa->replay_bits, 0, (mask + 1) * sizeof(sa->replay_bits[0]));
		} else {
			for (uint64_t b = from + 1; b <= to; b++)
				sa->replay_bits[b & mask] = 0;
		}
		sa->replay_top = seq;
	}
	sa->replay_bits[(seq >> 6) & mask] |= UINT64_C(1) << (seq & 63);
	sa->used_inbound = true;
	return ESP_DROP_COUNT;
}
