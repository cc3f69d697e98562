/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request line tokenizer. The line comes from whoever can reach the socket, so
 * it is treated as hostile: every byte is checked, output never exceeds the
 * caller's buffer, and each refusal names the position (1-based byte offset)
 * so an operator can see what to fix. The quoting rules are the shell's
 * double-quote rules cut down to what a command line needs: blanks (space,
 * tab) separate words, "..." groups, and inside quotes \" and \\ are the only
 * escapes (any other backslash stays as it is, as in sh). No word ever holds a
 * control character, not even a quoted tab.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl_priv.h"

struct splitter {
	const char *line;
	size_t pos;       /* next byte of line */
	char *out;        /* next free byte of buf */
	char *end;        /* one past buf */
	char *err;
	size_t errlen;
};

static size_t
content_len(const char *line)
{
	size_t n = strlen(line);

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r' && line[n] == '\n')
		n--;
	return n;
}

static int
split_fail(struct splitter *s, const char *what, size_t at)
{
	snprintf(s->err, s->errlen, "%s at position %zu", what, at + 1);
	return -EINVAL;
}

/* The line may end in "\n" or "\r\n"; any other control byte is refused. */
static bool
is_line_end(const char *p)
{
	return (p[0] == '\n' && p[1] == '\0') || (p[0] == '\r' && p[1] == '\n' && p[2] == '\0');
}

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int
check_control(struct splitter *s)
{
	unsigned char c = (unsigned char)s->line[s->pos];
	char what[48];

	snprintf(what, sizeof(what), "control character 0x%02x", c);
	return split_fail(s, what, s->pos);
}

/*
 * Words end up in JSON replies and error lines, so a byte that does not start
 * a well-formed UTF-8 sequence (RFC 3629 §4) is refused here, once, rather
 * than escaped everywhere else. Returns the sequence length, 0 if malformed.
 */
size_t
ctl_utf8_len(const unsigned char *p, size_t avail)
{
	size_t n, i;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3- and 4-byte forms, surrogates, and code points past U+10FFFF */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

static int
put(struct splitter *s, char c)
{
	/* Unreachable after the length check in ctl_split; kept as the bound. */
	if (s->out == s->end) {
		snprintf(s->err, s->errlen, "request does not fit its buffer");
		return -EINVAL;
	}
	*s->out++ = c;
	return 0;
}

/* Copy one word starting at s->pos into the buffer; stops after its last byte. */
static int
split_word(struct splitter *s)
{
	bool quoted = false;
	size_t quote_at = 0;

	for (;;) {
		const char *p = s->line + s->pos;
		unsigned char c = (unsigned char)*p;
		int rc;

		if (c == '\0' || is_line_end(p) || (!quoted && (c == ' ' || c == '\t')))
			break;
		if (is_control(c)) /* a tab separates words, but is no part of one */
			return check_control(s);
		if (c >= 0x80) {
			size_t n = ctl_utf8_len((const unsigned char *)p, 4); /* a NUL stops it */

			if (n == 0)
				return split_fail(s, "invalid UTF-8", s->pos);
			while (n-- > 0) {
				rc = put(s, s->line[s->pos++]);
				if (rc < 0)
					return rc;
			}
			continue;
		}
		if (c == '"') {
			quoted = !quoted;
			quote_at = s->pos++;
			continue;
		}
		if (quoted && c == '\\' && (p[1] == '"' || p[1] == '\\')) {
			s->pos++;
			c = (unsigned char)p[1];
		}
		rc = put(s, (char)c);
		if (rc < 0)
			return rc;
		s->pos++;
	}
	if (quoted)
		return split_fail(s, "unterminated quote starting", quote_at);
	return put(s, '\0');
}

int
ctl_split(const char *line, char *buf, size_t len, char **argv, int maxargs, char *err,
	  size_t errlen)
{
	struct splitter s = { line, 0, buf, buf + len, err, errlen };
	int argc = 0;

	if (errlen > 0)
		err[0] = '\0';
	/* Words never take more room than the line they came from, plus a NUL. */
	if (content_len(line) >= len && content_len(line) > 0) {
		snprintf(err, errlen, "request longer than %zu bytes", len > 0 ? len - 1 : 0);
		return -EINVAL;
	}
	for (;;) {
		const char *p;
		int rc;

		while (line[s.pos] == ' ' || line[s.pos] == '\t')
			s.pos++;
		p = line + s.pos;
		if (*p == '\0' || is_line_end(p))
			return argc;
		if (argc >= maxargs) {
			char what[64];

			snprintf(what, sizeof(what), "too many words (at most %d): word %d starts",
				 maxargs, argc + 1);
			return split_fail(&s, what, s.pos);
		}
		argv[argc++] = s.out;
		rc = split_word(&s);
		if (rc < 0)
			return rc;
	}
}
