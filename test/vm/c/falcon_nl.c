// SPDX-License-Identifier: GPL-2.0
/* falcon_nl: see falcon_nl.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "falcon_nl.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

int fnl_open(int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	/* Both are best effort: old kernels answer without them */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

void fnl_put(struct fnl_msg *m, const void *data, size_t len)
{
	if (m->len + len > sizeof(m->buf)) {
		m->truncated = 1;
		return;
	}
	if (len)
		memcpy(m->buf + m->len, data, len);
	m->len += len;
}

void fnl_begin(struct fnl_msg *m, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags };

	m->len = 0;
	m->truncated = 0;
	fnl_put(m, &h, sizeof(h));
}

void fnl_put_genl(struct fnl_msg *m, uint8_t cmd, uint8_t version)
{
	struct genlmsghdr g = { .cmd = cmd, .version = version };

	fnl_put(m, &g, sizeof(g));
}

void fnl_attr(struct fnl_msg *m, uint16_t type, const void *data, size_t len)
{
	static const char zero[NLA_ALIGNTO];
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	if (NLA_HDRLEN + len > 0xffff || m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf)) {
		m->truncated = 1;
		return;
	}
	fnl_put(m, &a, sizeof(a));
	fnl_put(m, data, len);
	fnl_put(m, zero, NLA_ALIGN(len) - len);
}

void fnl_attr_u32(struct fnl_msg *m, uint16_t type, uint32_t v)
{
	fnl_attr(m, type, &v, sizeof(v));
}

void fnl_attr_u64(struct fnl_msg *m, uint16_t type, uint64_t v)
{
	fnl_attr(m, type, &v, sizeof(v));
}

void fnl_attr_str(struct fnl_msg *m, uint16_t type, const char *s)
{
	fnl_attr(m, type, s, strlen(s) + 1);
}

size_t fnl_nest_start(struct fnl_msg *m, uint16_t type)
{
	size_t start = m->len;

	fnl_attr(m, type | NLA_F_NESTED, NULL, 0);
	return start;
}

void fnl_nest_end(struct fnl_msg *m, size_t start)
{
	struct nlattr *a = (struct nlattr *)(m->buf + start);

	if (m->truncated || m->len - start > 0xffff) {
		m->truncated = 1;
		return;
	}
	a->nla_len = m->len - start;
}

int fnl_finish(struct fnl_msg *m, uint32_t seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;

	h->nlmsg_len = m->len;
	h->nlmsg_seq = seq;
	return m->truncated ? -EMSGSIZE : 0;
}

int fnl_send_bytes(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int fnl_send(int fd, const struct fnl_msg *m)
{
	return fnl_send_bytes(fd, m->buf, m->len);
}

void fnl_parse_ack(const struct nlmsghdr *h, struct fnl_ack *ack)
{
	const struct nlattr *a;
	const char *tlvs;
	int len, rem;

	ack->error = 0;
	ack->msg[0] = 0;
	ack->offset = -1;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
		return;
	memcpy(&ack->error, NLMSG_DATA(h), sizeof(int));
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (h->nlmsg_type == NLMSG_DONE) {
		tlvs = (const char *)NLMSG_DATA(h) + sizeof(int);
		len = h->nlmsg_len - NLMSG_LENGTH(sizeof(int));
	} else {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		/* the request's own header, or all of it without NLM_F_CAPPED */
		size_t echo = h->nlmsg_flags & NLM_F_CAPPED ? sizeof(e->msg) : e->msg.nlmsg_len;

		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e->error) + echo))
			return;
		tlvs = (const char *)&e->msg + NLMSG_ALIGN(echo);
		len = h->nlmsg_len - NLMSG_LENGTH(sizeof(e->error)) - NLMSG_ALIGN(echo);
	}
	fnl_for_each_attr(a, (const struct nlattr *)tlvs, len, rem) {
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			size_t n = strnlen(fnl_attr_data(a), fnl_attr_len(a));

			if (n >= sizeof(ack->msg))
				n = sizeof(ack->msg) - 1;
			memcpy(ack->msg, fnl_attr_data(a), n);
			ack->msg[n] = 0;
		} else if (a->nla_type == NLMSGERR_ATTR_OFFS && fnl_attr_len(a) == 4) {
			ack->offset = (int)fnl_attr_get_u32(a);
		}
	}
}

int fnl_recv_answer(int fd, uint32_t seq, fnl_reply_cb cb, void *ctx, struct fnl_ack *ack)
{
	static char rb[1 << 17];
	struct fnl_ack local;

	if (!ack)
		ack = &local;
	for (;;) {
		ssize_t n = recv(fd, rb, sizeof(rb), 0);
		const struct nlmsghdr *h;

		if (n < 0)
			return -errno;
		for (h = (const struct nlmsghdr *)rb; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			int err;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) {
				fnl_parse_ack(h, ack);
				return ack->error;
			}
			if (h->nlmsg_type < NLMSG_MIN_TYPE)
				continue;	/* NOOP, OVERRUN: not a reply */
			err = cb ? cb(h, ctx) : 0;
			if (err)
				return err;
		}
	}
}

const struct nlattr *fnl_genl_attrs(const struct nlmsghdr *h, int *len)
{
	*len = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	if (*len < 0)
		*len = 0;
	return (const struct nlattr *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
}

uint32_t fnl_attr_get_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (fnl_attr_len(a) >= (int)sizeof(v))
		memcpy(&v, fnl_attr_data(a), sizeof(v));
	return v;
}

uint64_t fnl_attr_get_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (fnl_attr_len(a) >= (int)sizeof(v))
		memcpy(&v, fnl_attr_data(a), sizeof(v));
	return v;
}

static int family_id_of(const struct nlmsghdr *h, void *ctx)
{
	const struct nlattr *a, *attrs;
	int len, rem;

	attrs = fnl_genl_attrs(h, &len);
	fnl_for_each_attr(a, attrs, len, rem)
		if (a->nla_type == CTRL_ATTR_FAMILY_ID && fnl_attr_len(a) >= 2)
			memcpy(ctx, fnl_attr_data(a), sizeof(uint16_t));
	return 0;
}

int fnl_genl_family(int fd, const char *name)
{
	static struct fnl_msg m;
	static uint32_t seq = 0x7fff0000;	/* out of the way of the caller's numbers */
	uint16_t id = 0;
	int err;

	fnl_begin(&m, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK);
	fnl_put_genl(&m, CTRL_CMD_GETFAMILY, 1);
	fnl_attr_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	err = fnl_finish(&m, ++seq);
	if (!err)
		err = fnl_send(fd, &m);
	if (!err)
		err = fnl_recv_answer(fd, seq, family_id_of, &id, NULL);
	if (err)
		return err;
	return id ? id : -ENOENT;
}
