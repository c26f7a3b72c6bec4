// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal C client for the falcon family: the baseline the SDK's round trips
 * are compared with (bench/sdk-roundtrip.ts). Blocking socket, one request at
 * a time, libc, UAPI headers and the C tools' netlink library (falcon_nl,
 * test/vm/c) only.
 *
 *   roundtrip <ifindex> <iterations>
 *
 * prints one JSON line: {"pick_per_s":..., "stats_per_s":...}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/falcon.h>
#include "falcon_nl.h"

static struct fnl_msg req;
static uint32_t seq;

/* One request with up to two u32 attributes (type 0: none); 0 when it ended well. */
static int transact(int fd, uint16_t family, uint16_t flags, uint8_t cmd,
		    uint16_t t1, uint32_t v1, uint16_t t2, uint32_t v2)
{
	int err;

	fnl_begin(&req, family, NLM_F_REQUEST | NLM_F_ACK | flags);
	fnl_put_genl(&req, cmd, FALCON_FAMILY_VERSION);
	if (t1)
		fnl_attr_u32(&req, t1, v1);
	if (t2)
		fnl_attr_u32(&req, t2, v2);
	err = fnl_finish(&req, ++seq);
	if (!err)
		err = fnl_send(fd, &req);
	return err ? err : fnl_recv_answer(fd, seq, NULL, NULL, NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint32_t ifindex;
	int fd, family, iterations, i, err;
	double t0, pick_s, stats_s;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <ifindex> <iterations>\n", argv[0]);
		return 1;
	}
	ifindex = strtoul(argv[1], NULL, 0);
	iterations = atoi(argv[2]);
	fd = fnl_open(NETLINK_GENERIC);
	if (fd < 0) {
		fprintf(stderr, "socket: %s\n", strerror(-fd));
		return 2;
	}
	family = fnl_genl_family(fd, FALCON_FAMILY_NAME);
	if (family < 0) {
		fprintf(stderr, "falcon family: %s\n", strerror(-family));
		return 2;
	}

	t0 = now();
	for (i = 0; i < iterations; i++) {
		err = transact(fd, family, 0, FALCON_CMD_PICK, FALCON_A_IFINDEX, ifindex,
			       FALCON_A_FLOW_HASH, (uint32_t)i * 2654435761u);
		if (err) {
			fprintf(stderr, "pick: %s\n", strerror(-err));
			return 2;
		}
	}
	pick_s = now() - t0;

	t0 = now();
	for (i = 0; i < iterations; i++) {
		err = transact(fd, family, NLM_F_DUMP, FALCON_CMD_GET_STATS, 0, 0, 0, 0);
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
