// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-generic: put a generic-mode (SKB mode) XDP program on a device, or take
 * it off, for VM tests of Falcon's refusal to attach to such a device. libc
 * and UAPI headers only: the raw bpf() syscall and one RTM_SETLINK (framed
 * by falcon_nl, the C tools' netlink library).
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
#include <linux/rtnetlink.h>
#include "falcon_nl.h"

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

/* RTM_SETLINK with IFLA_XDP { FD = @prog_fd, FLAGS = SKB mode }; 0 or -errno */
static int set_xdp(int ifindex, int prog_fd, struct fnl_ack *ack)
{
	static struct fnl_msg m;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	size_t nest;
	int sk, err;

	sk = fnl_open(NETLINK_ROUTE);
	if (sk < 0)
		return sk;
	fnl_begin(&m, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
	fnl_put(&m, &ifi, sizeof(ifi));
	nest = fnl_nest_start(&m, IFLA_XDP);
	fnl_attr_u32(&m, IFLA_XDP_FD, (uint32_t)prog_fd);
	fnl_attr_u32(&m, IFLA_XDP_FLAGS, XDP_FLAGS_SKB_MODE);
	fnl_nest_end(&m, nest);
	err = fnl_finish(&m, 1);
	if (!err)
		err = fnl_send(sk, &m);
	if (!err)
		err = fnl_recv_answer(sk, 1, NULL, NULL, ack);
	close(sk);
	return err;
}

int main(int argc, char **argv)
{
	struct fnl_ack ack = { .msg = "" };
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
	err = set_xdp(ifindex, fd, &ack);
	if (fd >= 0)
		close(fd);
	if (err) {
		fprintf(stderr, "RTM_SETLINK IFLA_XDP on %s: %s%s%s\n", argv[2],
			strerror(-err), ack.msg[0] ? ": " : "", ack.msg);
		return 1;
	}
	return 0;
}
