// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal C client for the falcon family: the baseline the SDK's round trips
 * are compared with (bench/sdk-roundtrip.ts). Blocking socket, one request at
 * a time, libc and UAPI headers only.
 *
 *   roundtrip <ifindex> <iterations>
 *
 * prints one JSON line: {"pick_per_s":..., "stats_per_s":...}
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../kernel/include/uapi/linux/falcon.h"

static char rxbuf[65536];
static uint32_t seq;

static size_t put_attr(char *buf, size_t off, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *nla = (struct nlattr *)(buf + off);

	nla->nla_len = NLA_HDRLEN + len;
	nla->nla_type = type;
	memcpy(buf + off + NLA_HDRLEN, data, len);
	return off + NLA_ALIGN(nla->nla_len);
}

/* Sends genlmsghdr + attrs; returns 0 when the answer ended well. */
static int transact(int fd, uint16_t family, uint16_t flags, uint8_t cmd, uint8_t version,
		    const char *attrs, size_t attrs_len, uint16_t *reply_family)
{
	char buf[256];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *genl = NLMSG_DATA(nlh);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + attrs_len);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	nlh->nlmsg_pid = 0;
	genl->cmd = cmd;
	genl->version = version;
	genl->reserved = 0;
	memcpy((char *)genl + GENL_HDRLEN, attrs, attrs_len);
	if (sendto(fd, buf, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, rxbuf, sizeof(rxbuf), 0);
		struct nlmsghdr *msg;

		if (n < 0)
			return -errno;
		for (msg = (struct nlmsghdr *)rxbuf; NLMSG_OK(msg, n); msg = NLMSG_NEXT(msg, n)) {
			if (msg->nlmsg_seq != seq)
				continue;
			if (msg->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(msg))->error;
			if (msg->nlmsg_type == NLMSG_DONE)
				return 0;
			if (reply_family) {
				/* CTRL_CMD_GETFAMILY: find CTRL_ATTR_FAMILY_ID. */
				char *p = (char *)NLMSG_DATA(msg) + GENL_HDRLEN;
				char *end = (char *)msg + msg->nlmsg_len;

				while (p + NLA_HDRLEN <= end) {
					struct nlattr *a = (struct nlattr *)p;

					if (a->nla_len < NLA_HDRLEN)
						break;
					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						memcpy(reply_family, p + NLA_HDRLEN, 2);
					p += NLA_ALIGN(a->nla_len);
				}
			}
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char attrs[64];
	size_t len;
	uint16_t family = 0;
	uint32_t ifindex, hash;
	int fd, one = 1, iterations, i, err;
	double t0, pick_s, stats_s;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <ifindex> <iterations>\n", argv[0]);
		return 1;
	}
	ifindex = strtoul(argv[1], NULL, 0);
	iterations = atoi(argv[2]);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	len = put_attr(attrs, 0, CTRL_ATTR_FAMILY_NAME, FALCON_FAMILY_NAME, sizeof(FALCON_FAMILY_NAME));
	err = transact(fd, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 2, attrs, len, &family);
	if (err || !family) {
		fprintf(stderr, "falcon family: %s\n", strerror(-err));
		return 2;
	}

	t0 = now();
	for (i = 0; i < iterations; i++) {
		hash = (uint32_t)i * 2654435761u;
		len = put_attr(attrs, 0, FALCON_A_IFINDEX, &ifindex, 4);
		len = put_attr(attrs, len, FALCON_A_FLOW_HASH, &hash, 4);
		err = transact(fd, family, 0, FALCON_CMD_PICK, FALCON_FAMILY_VERSION, attrs, len, NULL);
		if (err) {
			fprintf(stderr, "pick: %s\n", strerror(-err));
			return 2;
		}
	}
	pick_s = now() - t0;

	t0 = now();
	for (i = 0; i < iterations; i++) {
		err = transact(fd, family, NLM_F_DUMP, FALCON_CMD_GET_STATS, FALCON_FAMILY_VERSION, attrs, 0, NULL);
		if (err) {
			fprintf(stderr, "stats: %s\n", strerror(-err));
			return 2;
		}
	}
	stats_s = now() - t0;
	printf("{\"pick_per_s\":%.0f,\"stats_per_s\":%.0f}\n", iterations / pick_s, iterations / stats_s);
	close(fd);
	return 0;
}
