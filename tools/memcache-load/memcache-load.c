// SPDX-License-Identifier: GPL-2.0
/*
 * memcache-load: an open-loop memcached load generator. It sends GET/SET
 * requests (fixed key and value sizes, a fixed share of SETs) at a fixed
 * rate over a few TCP connections, on schedule whatever the replies do, and
 * prints one JSON object: offered and achieved rate, counts, and latency
 * percentiles measured from each request's scheduled send time.
 *
 *   memcache-load --server 10.0.2.1 --rate 2000 --duration 5
 *
 * The schedule, bookkeeping and percentiles live in engine.c, the protocol
 * in mcproto.c (both pure and unit-tested); this file does the sockets.
 */
#define _GNU_SOURCE /* ppoll */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "mcproto.h"

struct options {
	const char *server;
	const char *port;
	uint64_t rate;
	double duration_s;
	double drain_s;
	unsigned int conns;
	uint32_t keys;
	size_t key_size, value_size;
	unsigned int set_permille;
	uint64_t seed;
	bool no_warmup;
};

/* A byte buffer: what is waiting to be written, or read and not parsed yet. */
struct buf {
	char *data;
	size_t len, cap;
};

struct conn {
	int fd;
	struct buf tx, rx;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "memcache-load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "memcache-load: %s (see --help)\n", msg);
	exit(2);
}

static const char USAGE[] =
	"Usage: memcache-load --server HOST [OPTIONS]\n"
	"Open-loop memcached load: requests are sent on a fixed schedule whatever\n"
	"the replies do; latency is measured from each request's scheduled time.\n"
	"  --server HOST      memcached address (required)\n"
	"  --port N           port (default 11211)\n"
	"  --rate N           requests per second (default 1000)\n"
	"  --duration S       seconds of schedule (default 5)\n"
	"  --drain S          seconds to wait for late replies after it (default 2)\n"
	"  --conns N          TCP connections, requests round-robin (default 4)\n"
	"  --keys N           distinct keys, SET before the run (default 1000)\n"
	"  --key-size N       bytes per key (default 16)\n"
	"  --value-size N     bytes per value (default 100)\n"
	"  --set-pct P        percent of requests that are SETs (default 10)\n"
	"  --seed N           PRNG seed for the op/key sequence (default 1)\n"
	"  --no-warmup        skip storing every key first\n"
	"Prints one JSON object on stdout.\n";

static uint64_t parse_uint(const char *s, const char *opt, uint64_t min, uint64_t max)
{
	char *end, msg[160];
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		snprintf(msg, sizeof(msg), "%s needs an integer from %llu to %llu, got '%s'", opt,
			 (unsigned long long)min, (unsigned long long)max, s);
		usage_error(msg);
	}
	return v;
}

static double parse_seconds(const char *s, const char *opt, double min, double max)
{
	char *end, msg[160];
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min) || v > max) {
		snprintf(msg, sizeof(msg), "%s needs seconds from %g to %g, got '%s'", opt, min, max, s);
		usage_error(msg);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "drain", required_argument, NULL, 'D' },
		{ "conns", required_argument, NULL, 'c' },
		{ "keys", required_argument, NULL, 'k' },
		{ "key-size", required_argument, NULL, 'K' },
		{ "value-size", required_argument, NULL, 'V' },
		{ "set-pct", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 'x' },
		{ "no-warmup", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .port = "11211", .rate = 1000, .duration_s = 5, .drain_s = 2, .conns = 4,
			       .keys = 1000, .key_size = 16, .value_size = 100, .set_permille = 100, .seed = 1 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->server = optarg; break;
		case 'p': o->port = optarg; parse_uint(optarg, "--port", 1, 65535); break;
		case 'r': o->rate = parse_uint(optarg, "--rate", 1, 10000000); break;
		case 'd': o->duration_s = parse_seconds(optarg, "--duration", 0.001, 3600); break;
		case 'D': o->drain_s = parse_seconds(optarg, "--drain", 0, 600); break;
		case 'c': o->conns = (unsigned int)parse_uint(optarg, "--conns", 1, 1024); break;
		case 'k': o->keys = (uint32_t)parse_uint(optarg, "--keys", 1, 10000000); break;
		case 'K': o->key_size = parse_uint(optarg, "--key-size", 9, 250); break;
		case 'V': o->value_size = parse_uint(optarg, "--value-size", 1, 1000000); break;
		case 'S': o->set_permille = (unsigned int)parse_uint(optarg, "--set-pct", 0, 100) * 10; break;
		case 'x': o->seed = parse_uint(optarg, "--seed", 0, UINT64_MAX); break;
		case 'W': o->no_warmup = true; break;
		case 'h': fputs(USAGE, stdout); exit(0);
		default: usage_error("unknown option");
		}
	}
	if (optind < argc)
		usage_error("unexpected argument");
	if (!o->server)
		usage_error("--server is required");
	if ((double)o->rate * o->duration_s > 50e6)
		usage_error("--rate x --duration exceeds 50 million requests");
}

static void buf_append(struct buf *b, const char *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data)
			die("realloc");
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void buf_consume(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

static int connect_to(const struct options *o)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	int fd, one = 1, rc;

	rc = getaddrinfo(o->server, o->port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "memcache-load: %s: %s\n", o->server, gai_strerror(rc));
		exit(1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect");
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		die("fcntl");
	return fd;
}

/* Writes what the connection has queued, as far as the socket takes it. */
static void flush(struct conn *c)
{
	while (c->tx.len) {
		ssize_t n = write(c->fd, c->tx.data, c->tx.len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			die("write");
		}
		buf_consume(&c->tx, (size_t)n);
	}
}

/* Reads what arrived and hands each complete reply to @e (when given). */
static uint64_t receive(struct conn *c, unsigned int idx, struct lg_engine *e, uint64_t *replies)
{
	char chunk[65536];
	enum lg_reply kind;
	ssize_t n = read(c->fd, chunk, sizeof(chunk));
	uint64_t t = now_ns();
	size_t used;

	if (n == 0) {
		fprintf(stderr, "memcache-load: the server closed connection %u\n", idx);
		exit(1);
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return t;
		die("read");
	}
	buf_append(&c->rx, chunk, (size_t)n);
	while ((used = mc_parse(c->rx.data, c->rx.len, &kind)) > 0) {
		buf_consume(&c->rx, used);
		if (replies)
			(*replies)++;
		if (e && lg_engine_reply(e, idx, kind, t)) {
			fprintf(stderr, "memcache-load: a reply on connection %u answers no request\n", idx);
			exit(1);
		}
	}
	return t;
}

/* Stores every key once over the first connection (closed loop: not measured). */
static void warmup(struct conn *c, const struct options *o)
{
	size_t max = mc_request_max(o->key_size, o->value_size);
	char *req = malloc(max);
	uint64_t replies = 0;
	uint32_t k;

	if (!req)
		die("malloc");
	for (k = 0; k < o->keys; k++) {
		buf_append(&c->tx, req, mc_format(req, max, LG_SET, k, o->key_size, o->value_size));
		/* Keep at most 256 in flight: memcached answers in order. */
		while (c->tx.len && (k % 256 == 255 || k + 1 == o->keys)) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT | POLLIN };

			flush(c);
			if (poll(&p, 1, 10000) <= 0)
				usage_error("warmup: the server does not answer");
			if (p.revents & POLLIN)
				receive(c, 0, NULL, &replies);
		}
	}
	while (replies < o->keys) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };

		if (poll(&p, 1, 10000) <= 0) {
			fprintf(stderr, "memcache-load: warmup: %llu of %u SETs answered\n", (unsigned long long)replies, o->keys);
			exit(1);
		}
		receive(c, 0, NULL, &replies);
	}
	free(req);
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static double pct_us(const struct lg_samples *s, double p)
{
	uint64_t v;

	return lg_percentile(s->v, s->n, p, &v) ? -1 : us(v);
}

static void report(const struct options *o, struct lg_engine *e, uint64_t unanswered, double elapsed_s)
{
	double sched_s = (double)e->cfg.count / (double)o->rate;
	uint64_t max_lat = 0;

	lg_samples_sort(&e->latency);
	lg_samples_sort(&e->send_lag);
	if (e->latency.n)
		max_lat = e->latency.v[e->latency.n - 1];
	printf("{\"offered_rps\":%llu,\"duration_s\":%.3f,\"elapsed_s\":%.3f,\"achieved_rps\":%.1f,"
	       "\"sent\":%llu,\"gets\":%llu,\"sets\":%llu,\"answered\":%llu,\"hits\":%llu,\"misses\":%llu,"
	       "\"stored\":%llu,\"errors\":%llu,\"unanswered\":%llu,\"conns\":%u,\"key_size\":%zu,\"value_size\":%zu,"
	       "\"set_pct\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
	       "\"send_lag_p50_us\":%.1f,\"send_lag_p99_us\":%.1f}\n",
	       (unsigned long long)o->rate, sched_s, elapsed_s, (double)e->answered / elapsed_s,
	       (unsigned long long)e->sent, (unsigned long long)e->gets, (unsigned long long)e->sets,
	       (unsigned long long)e->answered, (unsigned long long)e->hits, (unsigned long long)e->misses,
	       (unsigned long long)e->stored, (unsigned long long)e->errors, (unsigned long long)unanswered,
	       o->conns, o->key_size, o->value_size, o->set_permille / 10.0, pct_us(&e->latency, 50),
	       pct_us(&e->latency, 99), pct_us(&e->latency, 99.9), us(max_lat), pct_us(&e->send_lag, 50),
	       pct_us(&e->send_lag, 99));
}

int main(int argc, char **argv)
{
	struct options o;
	struct lg_engine e;
	struct lg_config cfg;
	struct conn *conns;
	struct pollfd *pfd;
	struct lg_request req;
	size_t max;
	char *msg;
	uint64_t t, end_ns, last_reply, first_sched;
	unsigned int i;

	parse_options(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	/* Wake on schedule: the default 50 us timer slack would add to every send. */
	prctl(PR_SET_TIMERSLACK, 1000UL);
	conns = calloc(o.conns, sizeof(*conns));
	pfd = calloc(o.conns, sizeof(*pfd));
	max = mc_request_max(o.key_size, o.value_size);
	msg = malloc(max);
	if (!conns || !pfd || !msg)
		die("calloc");
	for (i = 0; i < o.conns; i++)
		conns[i].fd = connect_to(&o);
	if (!o.no_warmup)
		warmup(&conns[0], &o);

	cfg = (struct lg_config){ .start_ns = now_ns() + 1000000, .rate_per_s = o.rate,
				  .count = (uint64_t)(o.rate * o.duration_s + 0.5), .conns = o.conns,
				  .keys = o.keys, .set_permille = o.set_permille, .seed = o.seed };
	if (!cfg.count)
		cfg.count = 1;
	if (lg_engine_init(&e, &cfg))
		die("engine");
	first_sched = cfg.start_ns;
	end_ns = UINT64_MAX;
	last_reply = first_sched;
	for (;;) {
		uint64_t wait;
		struct timespec ts;

		t = now_ns();
		while (lg_engine_next_due(&e, t, &req)) {
			size_t n = mc_format(msg, max, req.op, req.key, o.key_size, o.value_size);

			buf_append(&conns[req.conn].tx, msg, n);
		}
		for (i = 0; i < o.conns; i++)
			flush(&conns[i]);
		if (lg_engine_schedule_done(&e) && end_ns == UINT64_MAX)
			end_ns = t + (uint64_t)(o.drain_s * 1e9);
		if (lg_engine_schedule_done(&e) && (!lg_engine_in_flight(&e) || t >= end_ns))
			break;
		/* Sleep until the next send is due or a reply arrives, never longer. */
		wait = lg_engine_wait_ns(&e, t);
		if (wait == UINT64_MAX)
			wait = end_ns > t ? end_ns - t : 0;
		ts.tv_sec = (time_t)(wait / 1000000000ull);
		ts.tv_nsec = (long)(wait % 1000000000ull);
		for (i = 0; i < o.conns; i++)
			pfd[i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN | (conns[i].tx.len ? POLLOUT : 0) };
		if (ppoll(pfd, o.conns, &ts, NULL) < 0 && errno != EINTR)
			die("ppoll");
		for (i = 0; i < o.conns; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				last_reply = receive(&conns[i], i, &e, NULL);
	}
	t = now_ns();
	{
		uint64_t unanswered = lg_engine_finish(&e, t);
		/* Achieved rate over the schedule, or until the last reply when replies ran late. */
		uint64_t span = last_reply > lg_sched_time(&cfg, cfg.count) ? last_reply : lg_sched_time(&cfg, cfg.count);

		report(&o, &e, unanswered, (double)(span - first_sched) / 1e9);
	}
	for (i = 0; i < o.conns; i++)
		close(conns[i].fd);
	lg_engine_free(&e);
	return 0;
}
