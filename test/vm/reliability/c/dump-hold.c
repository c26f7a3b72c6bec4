// SPDX-License-Identifier: GPL-2.0
/*
 * dump-hold: starts a falcon get-stats dump and does not read it, so the
 * dump stays open (and, by design, pins falcon.ko) until this process is
 * told to finish.
 *
 *   dump-hold        prints "held" once the request is sent, then waits for
 *                    EOF on stdin; then reads the dump to its end, prints
 *                    {"parts":N} and exits 0
 *
 * Why this holds the dump open: the netlink core runs the first round of
 * the dump when the request arrives and queues its output; NLMSG_DONE (and
 * the module reference's release) only comes from a later round, which runs
 * when the reader calls recvmsg(). Not reading keeps the dump mid-way.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "../../../../kernel/include/uapi/linux/falcon.h"

static char buf[1 << 16];

static int request(int fd, uint16_t type, uint16_t flags, uint8_t cmd, const char *name)
{
	struct nlmsghdr *h = (void *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;

	memset(buf, 0, len);
	if (name) {
		struct nlattr *a = (void *)(buf + len);

		a->nla_type = CTRL_ATTR_FAMILY_NAME;
		a->nla_len = NLA_HDRLEN + strlen(name) + 1;
		strcpy((char *)a + NLA_HDRLEN, name);
		len += NLA_ALIGN(a->nla_len);
	}
	h->nlmsg_len = len;
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = 1;
	g->cmd = cmd;
	g->version = 1;
	return send(fd, buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static int family_id(int fd)
{
	ssize_t n;
	struct nlmsghdr *h;

	if (request(fd, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, FALCON_FAMILY_NAME))
		return -1;
	n = recv(fd, buf, sizeof(buf), 0);
	for (h = (void *)buf; n > 0 && NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		int l = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);

		if (h->nlmsg_type == NLMSG_ERROR)
			return -1;
		for (; l >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= l;
		     l -= NLA_ALIGN(a->nla_len), a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				return *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	return -1;
}

int main(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int fam, parts = 0, done = 0;

	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) || (fam = family_id(fd)) < 0) {
		perror("dump-hold: setup");
		return 1;
	}
	if (request(fd, fam, NLM_F_REQUEST | NLM_F_DUMP, FALCON_CMD_GET_STATS, NULL)) {
		perror("dump-hold: send");
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0) {
			perror("dump-hold: recv");
			return 1;
		}
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				done = 1;
			else
				parts++;
		}
	}
	printf("{\"parts\":%d}\n", parts);
	return 0;
}
