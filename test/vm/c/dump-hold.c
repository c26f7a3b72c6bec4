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
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/falcon.h>
#include "falcon_nl.h"

static int count_part(const struct nlmsghdr *h, void *ctx)
{
	(void)h;
	++*(int *)ctx;
	return 0;
}

int main(void)
{
	static struct fnl_msg m;
	struct fnl_ack ack;
	char drain[4096];
	int fd, fam, err, parts = 0;

	fd = fnl_open(NETLINK_GENERIC);
	if (fd < 0) {
		fprintf(stderr, "dump-hold: socket: %s\n", strerror(-fd));
		return 1;
	}
	fam = fnl_genl_family(fd, FALCON_FAMILY_NAME);
	if (fam < 0) {
		fprintf(stderr, "dump-hold: family %s: %s\n", FALCON_FAMILY_NAME, strerror(-fam));
		return 1;
	}
	fnl_begin(&m, fam, NLM_F_REQUEST | NLM_F_DUMP);
	fnl_put_genl(&m, FALCON_CMD_GET_STATS, FALCON_FAMILY_VERSION);
	err = fnl_finish(&m, 1);
	if (!err)
		err = fnl_send(fd, &m);
	if (err) {
		fprintf(stderr, "dump-hold: send: %s\n", strerror(-err));
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	while (read(0, drain, sizeof(drain)) > 0)
		;
	err = fnl_recv_answer(fd, 1, count_part, &parts, &ack);
	if (err) {
		fprintf(stderr, "dump-hold: dump: %s %s\n", strerror(-err), ack.msg);
		return 1;
	}
	printf("{\"parts\":%d}\n", parts);
	return 0;
}
