// SPDX-License-Identifier: GPL-2.0
/*
 * udp-count: a UDP sender and receiver that count exactly, for the
 * accounting test (test/vm/reliability/4-accounting.test.ts).
 *
 *   udp-count send ADDR PORT N [PAYLOAD [BURST GAP_US]]
 *                                          sendto() until N calls succeeded,
 *                                          pausing GAP_US after each BURST
 *   udp-count recv PORT RCVBUF IDLE_MS     count datagrams until IDLE_MS of
 *                                          silence after the first one
 *
 * The sender does not set IP_RECVERR, so a local ENOBUFS from the first
 * device is swallowed by UDP (counted in SndbufErrors) and sendto() still
 * succeeds: the packet then shows up in that device's tx_dropped, which the
 * test adds up. Setting IP_RECVERR would make sendto() fail *and* the device
 * count the drop, i.e. count the packet twice.
 *
 * Both print one JSON object on stdout. recv prints "ready" on stderr once
 * bound, so the test can start the sender without racing the bind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int do_send(const char *addr, int port, unsigned long n, size_t payload,
		   unsigned long burst, unsigned int gap_us)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	unsigned long ok = 0, failed = 0;
	char buf[1400] = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || inet_pton(AF_INET, addr, &to.sin_addr) != 1) {
		perror("udp-count send");
		return 1;
	}
	if (payload < sizeof(uint64_t) || payload > sizeof(buf))
		payload = 64;
	while (ok < n) {
		uint64_t seq = ok;

		memcpy(buf, &seq, sizeof(seq));
		if (sendto(fd, buf, payload, 0, (void *)&to, sizeof(to)) == (ssize_t)payload) {
			ok++;
			/* pacing keeps the veth backlogs from overflowing: a backlog
			 * drop is counted twice (softnet_stat and the veth's
			 * tx_dropped), which would blur the sum */
			if (burst && ok % burst == 0)
				usleep(gap_us);
		} else {
			/* not sent, not counted: try the same sequence number again */
			failed++;
			if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
				perror("udp-count sendto");
				return 1;
			}
		}
	}
	printf("{\"sent\":%lu,\"failedCalls\":%lu}\n", ok, failed);
	return 0;
}

static int do_recv(int port, int rcvbuf, int idle_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	unsigned long got = 0;
	char buf[2048];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* before the first packet, wait long; after it, IDLE_MS of silence ends */
	int timeout = 60000;

	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa))) {
		perror("udp-count recv");
		return 1;
	}
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	fprintf(stderr, "ready\n");
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, timeout);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			got++;
		timeout = idle_ms;
	}
	printf("{\"received\":%lu}\n", got);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 0),
			       argc > 5 ? strtoul(argv[5], NULL, 0) : 64,
			       argc > 7 ? strtoul(argv[6], NULL, 0) : 0,
			       argc > 7 ? strtoul(argv[7], NULL, 0) : 0);
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return do_recv(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: udp-count send ADDR PORT N [PAYLOAD [BURST GAP_US]] | recv PORT RCVBUF IDLE_MS\n");
	return 1;
}
