/* SPDX-License-Identifier: GPL-2.0 */
/*
 * falcon_nl: the one small netlink library of the project's C tools (the
 * fuzzer, the test helpers under test/vm/c, the benchmark's C client).
 * libc and UAPI headers only. Family-neutral framing (nlmsghdr, an optional
 * fixed header, attributes, nests) plus what Generic Netlink adds (the genl
 * header, family lookup through nlctrl), replies with their extended ack
 * (message and offending-attribute offset) and dumps to their end.
 *
 * Errors are returned as negative errno values, as the kernel sends them.
 * Builders never write past the buffer: an attribute that does not fit is
 * left out and the message marked truncated (fnl_finish then fails).
 */
#ifndef FALCON_NL_H
#define FALCON_NL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define FNL_MSG_MAX (1 << 16)

/* A message, or any run of attributes, being built. */
struct fnl_msg {
	size_t len;
	int truncated;
	char buf[FNL_MSG_MAX];
};

/* How the kernel answered one request. */
struct fnl_ack {
	int error;		/* 0 or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" when none */
	int offset;		/* NLMSGERR_ATTR_OFFS (from the request's nlmsghdr), -1 when none */
};

/*
 * A socket of @protocol (NETLINK_GENERIC, NETLINK_ROUTE), bound, with extended
 * and capped acks on; or -errno.
 */
int fnl_open(int protocol);

/*
 * Message building. fnl_begin() starts @m with an nlmsghdr; fnl_put() appends
 * raw bytes (a fixed header such as ifinfomsg, or deliberate garbage).
 */
void fnl_begin(struct fnl_msg *m, uint16_t type, uint16_t flags);
void fnl_put(struct fnl_msg *m, const void *data, size_t len);
void fnl_put_genl(struct fnl_msg *m, uint8_t cmd, uint8_t version);
void fnl_attr(struct fnl_msg *m, uint16_t type, const void *data, size_t len);
void fnl_attr_u32(struct fnl_msg *m, uint16_t type, uint32_t v);
void fnl_attr_u64(struct fnl_msg *m, uint16_t type, uint64_t v);
void fnl_attr_str(struct fnl_msg *m, uint16_t type, const char *s);
/* A nest: the offset fnl_nest_start() returns goes back to fnl_nest_end(). */
size_t fnl_nest_start(struct fnl_msg *m, uint16_t type);
void fnl_nest_end(struct fnl_msg *m, size_t start);
/* Sets nlmsg_len and nlmsg_seq; 0, or -EMSGSIZE if anything was left out. */
int fnl_finish(struct fnl_msg *m, uint32_t seq);

/* Sends @len bytes (one message or a batch) to the kernel; 0 or -errno. */
int fnl_send_bytes(int fd, const void *buf, size_t len);
int fnl_send(int fd, const struct fnl_msg *m);

/* Fills @ack from an NLMSG_ERROR or NLMSG_DONE message, extended ack included. */
void fnl_parse_ack(const struct nlmsghdr *h, struct fnl_ack *ack);

/*
 * Reads the answer to request @seq: calls @cb (if not NULL) for every reply
 * message (a do's reply, each part of a dump) until the ack, NLMSG_DONE or a
 * callback's non-zero return. Messages of other sequence numbers are skipped.
 * Returns 0, the kernel's -errno (detailed in @ack if not NULL), a
 * callback's return value, or -errno of recv().
 */
typedef int (*fnl_reply_cb)(const struct nlmsghdr *h, void *ctx);
int fnl_recv_answer(int fd, uint32_t seq, fnl_reply_cb cb, void *ctx, struct fnl_ack *ack);

/* The id of Generic Netlink family @name (via nlctrl), or -errno. */
int fnl_genl_family(int fd, const char *name);

/* Attributes after a genl reply's headers, and iteration over any run of them. */
const struct nlattr *fnl_genl_attrs(const struct nlmsghdr *h, int *len);
#define fnl_attr_ok(a, rem) \
	((rem) >= NLA_HDRLEN && (a)->nla_len >= NLA_HDRLEN && (a)->nla_len <= (rem))
#define fnl_attr_next(a, rem) \
	((rem) -= NLA_ALIGN((a)->nla_len), \
	 (const struct nlattr *)((const char *)(a) + NLA_ALIGN((a)->nla_len)))
#define fnl_for_each_attr(a, first, len, rem) \
	for ((rem) = (len), (a) = (first); fnl_attr_ok(a, rem); (a) = fnl_attr_next(a, rem))
#define fnl_attr_type(a) ((a)->nla_type & NLA_TYPE_MASK)
#define fnl_attr_data(a) ((const void *)((const char *)(a) + NLA_HDRLEN))
#define fnl_attr_len(a) ((int)(a)->nla_len - NLA_HDRLEN)
uint32_t fnl_attr_get_u32(const struct nlattr *a);
uint64_t fnl_attr_get_u64(const struct nlattr *a);

#endif
