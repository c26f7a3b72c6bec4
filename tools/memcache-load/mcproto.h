/* SPDX-License-Identifier: GPL-2.0 */
/* memcached's text protocol, the part the load generator speaks: pure, no I/O. */
#ifndef MEMCACHE_LOAD_MCPROTO_H
#define MEMCACHE_LOAD_MCPROTO_H

#include <stddef.h>

#include "engine.h"

/* Longest request mc_format writes for a value of @value_size bytes. */
size_t mc_request_max(size_t key_size, size_t value_size);

/*
 * Writes the request for @op on key number @key (a fixed @key_size-byte
 * name) into @buf; a SET carries @value_size bytes. Returns its length, or 0
 * when @cap is too small or @key_size cannot hold the key number.
 */
size_t mc_format(char *buf, size_t cap, enum lg_op op, uint32_t key, size_t key_size, size_t value_size);

/*
 * Parses the reply at the start of @buf: returns the bytes it takes and sets
 * @kind, or 0 when the reply is not complete yet. A GET hit is
 * "VALUE k f n\r\n<n bytes>\r\nEND\r\n", a miss "END\r\n", a SET "STORED\r\n";
 * any other line is an error reply (one line).
 */
size_t mc_parse(const char *buf, size_t len, enum lg_reply *kind);

#endif
