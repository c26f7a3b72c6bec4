// SPDX-License-Identifier: GPL-2.0
/*
 * falcon-probe: a tiny Generic Netlink client for the falcon family, for VM
 * tests written before the SDK. libc and the UAPI header only.
 *
 *   falcon-probe [--dump] CMD [NAME=VALUE ...]
 *
 * CMD is a command name (get-config, attach, ...) or number. NAME is an
 * attribute of the falcon set; its type comes from the table below:
 * numbers for u32/u64, a CPU list ("1-3,5") for cpus, a path (opened, its fd
 * sent) or "fd:N" for netns-fd, text for ifname. "#TYPE:KIND:VALUE" sends
 * any attribute number with KIND u8, u16, u32, u64, str, hex. Replies are
 * printed one JSON object per message; an error prints
 * {"errno":N,"msg":"...","offset":N} and exits 2. Usage errors exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include "../../../kernel/include/uapi/linux/falcon.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

enum kind { K_NONE, K_U32, K_U64, K_STR, K_BIN, K_NEST, K_PAD };

struct aname {
	const char *name;
	enum kind kind;
	int nest;	/* for K_NEST: index into sets[] */
};

static const struct aname top[] = {
	[FALCON_A_ENABLED] = { "enabled", K_U32 },
	[FALCON_A_CPUS] = { "cpus", K_BIN },
	[FALCON_A_MODE] = { "mode", K_U32 },
	[FALCON_A_POLICY] = { "policy", K_U32 },
	[FALCON_A_THRESHOLD] = { "threshold", K_U32 },
	[FALCON_A_HYSTERESIS] = { "hysteresis", K_U32 },
	[FALCON_A_NETNS_INUM] = { "netns-inum", K_U32 },
	[FALCON_A_DETACH_REASON] = { "detach-reason", K_U32 },
	[FALCON_A_INTERVAL_MS] = { "interval-ms", K_U32 },
	[FALCON_A_QUEUE_LIMIT] = { "queue-limit", K_U32 },
	[FALCON_A_IFINDEX] = { "ifindex", K_U32 },
	[FALCON_A_IFNAME] = { "ifname", K_STR },
	[FALCON_A_NETNS_FD] = { "netns-fd", K_U32 },
	[FALCON_A_STAGE] = { "stage", K_U32 },
	[FALCON_A_NETNS_COOKIE] = { "netns-cookie", K_U64 },
	[FALCON_A_FLOW_HASH] = { "flow-hash", K_U32 },
	[FALCON_A_FIRST] = { "first", K_U32 },
	[FALCON_A_SECOND] = { "second", K_U32 },
	[FALCON_A_TARGET] = { "target", K_U32 },
	[FALCON_A_REASON] = { "reason", K_U32 },
	[FALCON_A_CPU] = { "cpu", K_U32 },
	[FALCON_A_LOAD] = { "load", K_U32 },
	[FALCON_A_CPU_STATS] = { "cpu-stats", K_NEST, 1 },
	[FALCON_A_DEV_STATS] = { "dev-stats", K_NEST, 2 },
	[FALCON_A_NR_CPU_IDS] = { "nr-cpu-ids", K_U32 },
	[FALCON_A_ONLINE_CPUS] = { "online-cpus", K_BIN },
	[FALCON_A_TICK_MS] = { "tick-ms", K_U32 },
	[FALCON_A_PAD] = { "pad", K_PAD },
};

static const struct aname cpu_stats[] = {
	[FALCON_A_CPU_STATS_CPU] = { "cpu", K_U32 },
	[FALCON_A_CPU_STATS_ENQUEUED] = { "enqueued", K_U64 },
	[FALCON_A_CPU_STATS_PROCESSED] = { "processed", K_U64 },
	[FALCON_A_CPU_STATS_DROPPED] = { "dropped", K_U64 },
	[FALCON_A_CPU_STATS_PURGED] = { "purged", K_U64 },
	[FALCON_A_CPU_STATS_KICKS] = { "kicks", K_U64 },
	[FALCON_A_CPU_STATS_QUEUE_HWM] = { "queue-hwm", K_U32 },
	[FALCON_A_CPU_STATS_QUEUE_LEN] = { "queue-len", K_U32 },
	[FALCON_A_CPU_STATS_LOAD] = { "load", K_U32 },
	[FALCON_A_CPU_STATS_PINNED] = { "pinned", K_U32 },
	[FALCON_A_CPU_STATS_PAD] = { "pad", K_PAD },
};

static const struct aname dev_stats[] = {
	[FALCON_A_DEV_STATS_IFINDEX] = { "ifindex", K_U32 },
	[FALCON_A_DEV_STATS_IFNAME] = { "ifname", K_STR },
	[FALCON_A_DEV_STATS_NETNS_COOKIE] = { "netns-cookie", K_U64 },
	[FALCON_A_DEV_STATS_STAGE] = { "stage", K_U32 },
	[FALCON_A_DEV_STATS_SEEN] = { "seen", K_U64 },
	[FALCON_A_DEV_STATS_STEERED] = { "steered", K_U64 },
	[FALCON_A_DEV_STATS_LOCAL] = { "local", K_U64 },
	[FALCON_A_DEV_STATS_GATED] = { "gated", K_U64 },
	[FALCON_A_DEV_STATS_SECOND] = { "second", K_U64 },
	[FALCON_A_DEV_STATS_DROPPED] = { "dropped", K_U64 },
	[FALCON_A_DEV_STATS_TARGET] = { "target", K_NEST, 3 },
	[FALCON_A_DEV_STATS_PAD] = { "pad", K_PAD },
	[FALCON_A_DEV_STATS_LAST_HASH] = { "last-hash", K_U32 },
	[FALCON_A_DEV_STATS_GATE_CLOSED] = { "gate-closed", K_U32 },
	[FALCON_A_DEV_STATS_NETNS_INUM] = { "netns-inum", K_U32 },
};

static const struct aname target[] = {
	[FALCON_A_TARGET_CPU] = { "cpu", K_U32 },
	[FALCON_A_TARGET_PACKETS] = { "packets", K_U64 },
	[FALCON_A_TARGET_PAD] = { "pad", K_PAD },
};

static const struct {
	const struct aname *names;
	int max;
} sets[] = {
	{ top, FALCON_A_MAX },
	{ cpu_stats, FALCON_A_CPU_STATS_MAX },
	{ dev_stats, FALCON_A_DEV_STATS_MAX },
	{ target, FALCON_A_TARGET_MAX },
};

static const char *const cmds[] = {
	[FALCON_CMD_GET_CONFIG] = "get-config",
	[FALCON_CMD_SET_CONFIG] = "set-config",
	[FALCON_CMD_ATTACH] = "attach",
	[FALCON_CMD_DETACH] = "detach",
	[FALCON_CMD_GET_DEVICE] = "get-device",
	[FALCON_CMD_GET_STATS] = "get-stats",
	[FALCON_CMD_RESET_STATS] = "reset-stats",
	[FALCON_CMD_PICK] = "pick",
	[FALCON_CMD_PIN_LOAD] = "pin-load",
	[FALCON_CMD_UNPIN_LOAD] = "unpin-load",
};

static char buf[1 << 16];
static size_t len;

static void die(const char *msg)
{
	fprintf(stderr, "falcon-probe: %s\n", msg);
	exit(1);
}

static void put_attr(int type, const void *data, size_t dlen)
{
	struct nlattr *a = (struct nlattr *)(buf + len);

	if (len + NLA_HDRLEN + NLA_ALIGN(dlen) > sizeof(buf))
		die("message too long");
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + dlen;
	memcpy((char *)a + NLA_HDRLEN, data, dlen);
	memset((char *)a + NLA_HDRLEN + dlen, 0, NLA_ALIGN(dlen) - dlen);
	len += NLA_HDRLEN + NLA_ALIGN(dlen);
}

static void put_cpus(int type, const char *list)
{
	unsigned char bits[1024] = { 0 };
	unsigned int maxbyte = 0;
	const char *p = list;

	/* "hex:0e00" sends raw bytes; "" an empty bitmap */
	if (!strncmp(list, "hex:", 4)) {
		size_t n = strlen(list + 4) / 2, i;

		for (i = 0; i < n && i < sizeof(bits); i++)
			sscanf(list + 4 + 2 * i, "%2hhx", &bits[i]);
		put_attr(type, bits, n);
		return;
	}
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a, c;

		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b >= 8192)
			die("cpu out of range");
		for (c = a; c <= b; c++) {
			bits[c / 8] |= 1u << (c % 8);
			if (c / 8 + 1 > maxbyte)
				maxbyte = c / 8 + 1;
		}
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			die("bad cpu list");
	}
	put_attr(type, bits, maxbyte);
}

static void put_raw(const char *spec)
{
	int type;
	char kind[8], val[512];
	uint64_t v;

	if (sscanf(spec, "#%d:%7[^:]:%511[^\n]", &type, kind, val) != 3) {
		if (sscanf(spec, "#%d:%7[^:]:", &type, kind) != 2)
			die("bad raw attribute");
		val[0] = 0;
	}
	v = strtoull(val, NULL, 0);
	if (!strcmp(kind, "u8")) {
		uint8_t x = v;

		put_attr(type, &x, 1);
	} else if (!strcmp(kind, "u16")) {
		uint16_t x = v;

		put_attr(type, &x, 2);
	} else if (!strcmp(kind, "u32")) {
		uint32_t x = v;

		put_attr(type, &x, 4);
	} else if (!strcmp(kind, "u64")) {
		put_attr(type, &v, 8);
	} else if (!strcmp(kind, "str")) {
		put_attr(type, val, strlen(val) + 1);
	} else if (!strcmp(kind, "hex")) {
		unsigned char b[256];
		size_t n = strlen(val) / 2, i;

		for (i = 0; i < n && i < sizeof(b); i++)
			sscanf(val + 2 * i, "%2hhx", &b[i]);
		put_attr(type, b, n);
	} else {
		die("bad raw kind");
	}
}

static void put_named(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int t;

	if (arg[0] == '#') {
		put_raw(arg);
		return;
	}
	if (!eq)
		die("expected NAME=VALUE");
	nlen = eq - arg;
	for (t = 1; t <= FALCON_A_MAX; t++) {
		if (!top[t].name || strlen(top[t].name) != nlen ||
		    strncmp(top[t].name, arg, nlen))
			continue;
		if (t == FALCON_A_NETNS_FD) {
			uint32_t fd;

			if (!strncmp(eq + 1, "fd:", 3)) {
				fd = strtoul(eq + 4, NULL, 0);
			} else {
				int f = open(eq + 1, O_RDONLY);

				if (f < 0)
					die("cannot open netns path");
				fd = f;
			}
			put_attr(t, &fd, 4);
			return;
		}
		switch (top[t].kind) {
		case K_U32: {
			uint32_t v = strtoul(eq + 1, NULL, 0);

			put_attr(t, &v, 4);
			return;
		}
		case K_U64: {
			uint64_t v = strtoull(eq + 1, NULL, 0);

			put_attr(t, &v, 8);
			return;
		}
		case K_STR:
			put_attr(t, eq + 1, strlen(eq + 1) + 1);
			return;
		case K_BIN:
			put_cpus(t, eq + 1);
			return;
		default:
			die("attribute cannot be sent by name");
		}
	}
	die("unknown attribute name");
}

static int print_attrs(const char *data, int dlen, int set, int multi_open)
{
	const struct aname *names = sets[set].names;
	int first = 1, open_multi = 0;
	const struct nlattr *a;

	(void)multi_open;
	putchar('{');
	for (a = (const void *)data; dlen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	     a->nla_len <= dlen;
	     dlen -= NLA_ALIGN(a->nla_len),
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		int t = a->nla_type & NLA_TYPE_MASK;
		const char *p = (const char *)a + NLA_HDRLEN;
		int plen = a->nla_len - NLA_HDRLEN;
		const struct aname *n = t <= sets[set].max ? &names[t] : NULL;

		if (n && n->kind == K_PAD)
			continue;
		/* multi-attr target entries become one array */
		if (n && n->kind == K_NEST && n->nest == 3) {
			if (!open_multi) {
				printf("%s\"target\":[", first ? "" : ",");
				open_multi = 1;
			} else {
				putchar(',');
			}
			print_attrs(p, plen, 3, 0);
			first = 0;
			continue;
		}
		if (open_multi) {
			putchar(']');
			open_multi = 0;
		}
		if (!n || !n->name)
			printf("%s\"#%d\":%d", first ? "" : ",", t, plen);
		else if (n->kind == K_U32 && plen == 4)
			printf("%s\"%s\":%u", first ? "" : ",", n->name,
			       *(const uint32_t *)p);
		else if (n->kind == K_U64 && plen == 8)
			printf("%s\"%s\":%llu", first ? "" : ",", n->name,
			       (unsigned long long)*(const uint64_t *)p);
		else if (n->kind == K_STR)
			printf("%s\"%s\":\"%.*s\"", first ? "" : ",", n->name,
			       (int)strnlen(p, plen), p);
		else if (n->kind == K_NEST) {
			printf("%s\"%s\":", first ? "" : ",", n->name);
			print_attrs(p, plen, n->nest, 0);
		} else {
			int i;

			printf("%s\"%s\":\"", first ? "" : ",", n->name);
			for (i = 0; i < plen; i++)
				printf("%02x", (unsigned char)p[i]);
			putchar('"');
		}
		first = 0;
	}
	if (open_multi)
		putchar(']');
	putchar('}');
	return 0;
}

static int sock_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)))
		die("netlink socket");
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

static void begin(uint16_t type, uint16_t flags, uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *nlh = (void *)buf;
	struct genlmsghdr *g = (void *)(buf + NLMSG_HDRLEN);

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = 1;
	len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static void send_msg(int fd)
{
	((struct nlmsghdr *)buf)->nlmsg_len = len;
	if (send(fd, buf, len, 0) != (ssize_t)len)
		die("send");
}

/* Print replies; return 0, or the errno of an error (after printing it). */
static int recv_all(int fd, int quiet, int *family)
{
	static char rb[1 << 17];

	for (;;) {
		ssize_t n = recv(fd, rb, sizeof(rb), 0);
		struct nlmsghdr *h;

		if (n < 0)
			die("recv");
		for (h = (void *)rb; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				const char *msg = "";
				int off = -1, alen;
				struct nlattr *a;

				if (!e->error)
					return 0;
				a = (void *)((char *)e + sizeof(*e));
				alen = h->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
				if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
					alen = 0;
				for (; alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
				     a->nla_len <= alen;
				     alen -= NLA_ALIGN(a->nla_len),
				     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
					if (a->nla_type == NLMSGERR_ATTR_MSG)
						msg = (char *)a + NLA_HDRLEN;
					if (a->nla_type == NLMSGERR_ATTR_OFFS)
						off = *(uint32_t *)((char *)a + NLA_HDRLEN);
				}
				if (!quiet) {
					printf("{\"errno\":%d,\"msg\":\"%s\",\"offset\":%d}\n",
					       -e->error, msg, off);
				}
				return -e->error;
			}
			if (family) {
				/* CTRL_CMD_NEWFAMILY: find CTRL_ATTR_FAMILY_ID */
				char *p = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
				int l = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
				struct nlattr *a = (void *)p;

				for (; l >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
				     l -= NLA_ALIGN(a->nla_len),
				     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						*family = *(uint16_t *)((char *)a + NLA_HDRLEN);
				continue;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				printf("{\"dump-intr\":1}\n");
			print_attrs((char *)NLMSG_DATA(h) + GENL_HDRLEN,
				    h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, 0, 0);
			putchar('\n');
		}
	}
}

int main(int argc, char **argv)
{
	int dump = 0, family = -1, fd, i, cmd = -1, err;

	if (argc > 1 && !strcmp(argv[1], "--dump")) {
		dump = 1;
		argv++;
		argc--;
	}
	if (argc < 2)
		die("usage: falcon-probe [--dump] CMD [NAME=VALUE ...]");
	for (i = 1; i < (int)(sizeof(cmds) / sizeof(cmds[0])); i++)
		if (cmds[i] && !strcmp(cmds[i], argv[1]))
			cmd = i;
	if (cmd < 0) {
		char *end;

		cmd = strtol(argv[1], &end, 0);
		if (*end)
			die("unknown command");
	}
	if (cmd == FALCON_CMD_GET_DEVICE || cmd == FALCON_CMD_GET_STATS)
		dump = 1;

	fd = sock_open();
	begin(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	put_attr(CTRL_ATTR_FAMILY_NAME, FALCON_FAMILY_NAME,
		 sizeof(FALCON_FAMILY_NAME));
	send_msg(fd);
	if (recv_all(fd, 1, &family) || family < 0) {
		printf("{\"errno\":%d,\"msg\":\"family not found\",\"offset\":-1}\n",
		       ENOENT);
		return 2;
	}

	begin(family, NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0),
	      cmd, 2);
	for (i = 2; i < argc; i++)
		put_named(argv[i]);
	send_msg(fd);
	err = recv_all(fd, 0, NULL);
	return err ? 2 : 0;
}
