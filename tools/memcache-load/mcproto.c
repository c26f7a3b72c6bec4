// SPDX-License-Identifier: GPL-2.0
/* memcached's text protocol for the load generator (see mcproto.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcproto.h"

size_t mc_request_max(size_t key_size, size_t value_size)
{
	/* "set " key " 0 0 " digits "\r\n" value "\r\n" */
	return 4 + key_size + 5 + 20 + 2 + value_size + 2;
}

/* Key number @key as exactly @size bytes: "k" then zero-padded digits. */
static int format_key(char *out, uint32_t key, size_t size)
{
	char digits[16];
	int n = snprintf(digits, sizeof(digits), "%u", key);

	if (n < 0 || size < (size_t)n + 1)
		return -1;
	out[0] = 'k';
	memset(out + 1, '0', size - 1 - (size_t)n);
	memcpy(out + size - (size_t)n, digits, (size_t)n);
	return 0;
}

size_t mc_format(char *buf, size_t cap, enum lg_op op, uint32_t key, size_t key_size, size_t value_size)
{
	size_t len;
	int n;

	if (key_size < 2 || key_size > 250 || cap < mc_request_max(key_size, value_size))
		return 0;
	if (op == LG_GET) {
		memcpy(buf, "get ", 4);
		if (format_key(buf + 4, key, key_size))
			return 0;
		memcpy(buf + 4 + key_size, "\r\n", 2);
		return 4 + key_size + 2;
	}
	memcpy(buf, "set ", 4);
	if (format_key(buf + 4, key, key_size))
		return 0;
	len = 4 + key_size;
	n = snprintf(buf + len, cap - len, " 0 0 %zu\r\n", value_size);
	if (n < 0)
		return 0;
	len += (size_t)n;
	memset(buf + len, 'v', value_size);
	len += value_size;
	memcpy(buf + len, "\r\n", 2);
	return len + 2;
}

/* Length of the line at @buf including its "\r\n", or 0 when incomplete. */
static size_t line_len(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);

	return nl ? (size_t)(nl - buf) + 1 : 0;
}

static int starts(const char *buf, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && !memcmp(buf, word, n);
}

size_t mc_parse(const char *buf, size_t len, enum lg_reply *kind)
{
	size_t first = line_len(buf, len), need;
	unsigned long bytes;
	char head[128], *end;
	const char *sp;

	if (!first)
		return 0;
	if (starts(buf, first, "END\r\n")) {
		*kind = LG_REPLY_MISS;
		return first;
	}
	if (starts(buf, first, "STORED\r\n")) {
		*kind = LG_REPLY_STORED;
		return first;
	}
	if (!starts(buf, first, "VALUE ") || first >= sizeof(head)) {
		*kind = LG_REPLY_ERROR;
		return first;
	}
	/* VALUE <key> <flags> <bytes>: the byte count is the last field. */
	memcpy(head, buf, first - 2);
	head[first - 2] = '\0';
	sp = strrchr(head, ' ');
	bytes = strtoul(sp + 1, &end, 10);
	if (end == sp + 1 || *end) {
		*kind = LG_REPLY_ERROR;
		return first;
	}
	need = first + bytes + 2 + 5;
	if (len < need)
		return 0;
	if (memcmp(buf + first + bytes, "\r\nEND\r\n", 7)) {
		*kind = LG_REPLY_ERROR;
		return need;
	}
	*kind = LG_REPLY_HIT;
	return need;
}
