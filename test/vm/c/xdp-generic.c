// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-generic: put a generic-mode (SKB mode) XDP program on a device, or take
 * it off, for VM tests of Falcon's refusal to attach to such a device. libc
 * and UAPI headers only: the raw bpf() syscall and one RTM_SETLINK.
 *
 *   xdp-generic attach IFNAME   load "r0 = XDP_PASS; exit" and attach it
 *   xdp-generic detach IFNAME   remove the generic-mode program
 *
 * The device holds its own reference on an attached program, so it stays
 * after this process exits. Exit 0 on success; 1 with a message otherwise.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static int load_prog(void)
{
	struct bpf_insn insns[2];
	char log[1024] = "";
	union bpf_attr attr;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;	/* r0 = XDP_PASS */
	insns[0].dst_reg = BPF_REG_0;
	insns[0].imm = XDP_PASS;
	insns[1].code = BPF_JMP | BPF_EXIT;		/* exit */

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	attr.log_buf = (unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		fprintf(stderr, "BPF_PROG_LOAD: %s\n%s\n", strerror(errno), log);
	return fd;
}

struct req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

static struct rtattr *put_attr(struct nlmsghdr *nh, unsigned short type,
			       const void *data, unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

/* RTM_SETLINK with IFLA_XDP { FD = @prog_fd, FLAGS = SKB mode }; 0 or -errno */
static int set_xdp(int ifindex, int prog_fd)
{
	__u32 flags = XDP_FLAGS_SKB_MODE;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *nh;
	struct rtattr *nest;
	struct req req;
	ssize_t n;
	int sk, err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_SETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	nest = put_attr(&req.nh, IFLA_XDP | NLA_F_NESTED, NULL, 0);
	put_attr(&req.nh, IFLA_XDP_FD, &prog_fd, sizeof(prog_fd));
	put_attr(&req.nh, IFLA_XDP_FLAGS, &flags, sizeof(flags));
	nest->rta_len = (char *)&req + req.nh.nlmsg_len - (char *)nest;

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sk < 0)
		return -errno;
	if (sendto(sk, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(sk, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n) || nh->nlmsg_type != NLMSG_ERROR) {
		err = -EPROTO;
		goto out;
	}
	err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
out:
	close(sk);
	return err;
}

int main(int argc, char **argv)
{
	int ifindex, fd = -1, err;

	if (argc != 3 || (strcmp(argv[1], "attach") && strcmp(argv[1], "detach"))) {
		fprintf(stderr, "usage: xdp-generic attach|detach IFNAME\n");
		return 1;
	}
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "attach")) {
		fd = load_prog();
		if (fd < 0)
			return 1;
	}
	err = set_xdp(ifindex, fd);
	if (fd >= 0)
		close(fd);
	if (err) {
		fprintf(stderr, "RTM_SETLINK IFLA_XDP on %s: %s\n", argv[2],
			strerror(-err));
		return 1;
	}
	return 0;
}
