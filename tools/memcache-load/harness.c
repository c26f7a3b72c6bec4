// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness for the load generator's pure parts: reads one command per
 * line on stdin, prints one answer per line. test/unit/memcache-load.test.ts
 * drives it.
 *
 *   pct P V1 V2 ...          nearest-rank percentile P of the values
 *   sched RATE I             when request I is due (start 0), ns
 *   sim RATE COUNT CONNS SERVICE_US SLOW_INDEX SLOW_US
 *                            runs the engine against a fake clock and a fake
 *                            single-threaded FIFO server that takes SERVICE_US
 *                            per request and SLOW_US more for request
 *                            SLOW_INDEX; prints "req I SCHED SENT LATENCY" (ns)
 *                            per request, then "sum SENT ANSWERED P50 P99 P999"
 *   format get|set KEY KSIZE VSIZE   the request, with \r and \n escaped
 *   parse TEXT               mc_parse on TEXT (\r \n unescaped): "KIND USED"
 *                            or "incomplete"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "mcproto.h"

static void cmd_pct(char *args)
{
	struct lg_samples s = { 0 };
	char *tok = strtok(args, " ");
	double p = tok ? atof(tok) : 0;
	uint64_t v;

	while ((tok = strtok(NULL, " ")))
		lg_samples_add(&s, strtoull(tok, NULL, 10));
	lg_samples_sort(&s);
	if (lg_percentile(s.v, s.n, p, &v))
		printf("error\n");
	else
		printf("%llu\n", (unsigned long long)v);
	free(s.v);
}

static void cmd_sched(char *args)
{
	unsigned long long rate, i;
	struct lg_config cfg = { 0 };

	if (sscanf(args, "%llu %llu", &rate, &i) != 2 || !rate) {
		printf("error\n");
		return;
	}
	cfg.rate_per_s = rate;
	printf("%llu\n", (unsigned long long)lg_sched_time(&cfg, i));
}

struct pending {
	unsigned int conn;
	uint64_t done;
};

static void cmd_sim(char *args)
{
	unsigned long long rate, count, service_us, slow_index, slow_us;
	unsigned int conns;
	struct lg_config cfg = { 0 };
	struct lg_engine e;
	struct lg_request req;
	struct pending *q;
	uint64_t *sent, now = 0, server_free = 0, p50 = 0, p99 = 0, p999 = 0;
	size_t qhead = 0, qlen = 0, i;

	if (sscanf(args, "%llu %llu %u %llu %llu %llu", &rate, &count, &conns, &service_us, &slow_index, &slow_us) != 6) {
		printf("error\n");
		return;
	}
	cfg = (struct lg_config){ .start_ns = 0, .rate_per_s = rate, .count = count, .conns = conns, .keys = 100,
				  .set_permille = 100, .seed = 1 };
	if (lg_engine_init(&e, &cfg)) {
		printf("error\n");
		return;
	}
	q = calloc(count, sizeof(*q));
	sent = calloc(count, sizeof(*sent));
	for (;;) {
		uint64_t wait, next;

		/* What the real loop does on waking: send everything due now. */
		while (lg_engine_next_due(&e, now, &req)) {
			uint64_t begin = now > server_free ? now : server_free;

			sent[req.index] = now;
			server_free = begin + service_us * 1000 + (req.index == slow_index ? slow_us * 1000 : 0);
			q[qhead + qlen++] = (struct pending){ .conn = req.conn, .done = server_free };
		}
		if (lg_engine_schedule_done(&e) && !qlen)
			break;
		/* Then sleep until the next send is due or a reply arrives. */
		wait = lg_engine_wait_ns(&e, now);
		next = wait == UINT64_MAX ? UINT64_MAX : now + wait;
		if (qlen && q[qhead].done < next)
			next = q[qhead].done;
		now = next;
		while (qlen && q[qhead].done <= now) {
			lg_engine_reply(&e, q[qhead].conn, LG_REPLY_HIT, now);
			qhead++;
			qlen--;
		}
	}
	/* A FIFO server answers in send order, so sample i is request i's latency. */
	for (i = 0; i < count; i++)
		printf("req %zu %llu %llu %llu\n", i, (unsigned long long)lg_sched_time(&cfg, i),
		       (unsigned long long)sent[i], (unsigned long long)e.latency.v[i]);
	lg_samples_sort(&e.latency);
	lg_percentile(e.latency.v, e.latency.n, 50, &p50);
	lg_percentile(e.latency.v, e.latency.n, 99, &p99);
	lg_percentile(e.latency.v, e.latency.n, 99.9, &p999);
	printf("sum %llu %llu %llu %llu %llu\n", (unsigned long long)e.sent, (unsigned long long)e.answered,
	       (unsigned long long)p50, (unsigned long long)p99, (unsigned long long)p999);
	free(q);
	free(sent);
	lg_engine_free(&e);
}

static void print_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r')
			fputs("\\r", stdout);
		else if (s[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(s[i]);
	}
	putchar('\n');
}

static void cmd_format(char *args)
{
	char op[8], buf[4096];
	unsigned int key;
	size_t ks, vs, n;

	if (sscanf(args, "%7s %u %zu %zu", op, &key, &ks, &vs) != 4 || vs > 1000) {
		printf("error\n");
		return;
	}
	n = mc_format(buf, sizeof(buf), strcmp(op, "set") ? LG_GET : LG_SET, key, ks, vs);
	if (!n)
		printf("error\n");
	else
		print_escaped(buf, n);
}

static void cmd_parse(const char *args)
{
	static const char *const names[] = { "hit", "miss", "stored", "error" };
	char buf[4096];
	size_t n = 0, used;
	enum lg_reply kind;

	for (; *args && n < sizeof(buf); args++) {
		if (args[0] == '\\' && args[1] == 'r') {
			buf[n++] = '\r';
			args++;
		} else if (args[0] == '\\' && args[1] == 'n') {
			buf[n++] = '\n';
			args++;
		} else {
			buf[n++] = *args;
		}
	}
	used = mc_parse(buf, n, &kind);
	if (!used)
		printf("incomplete\n");
	else
		printf("%s %zu\n", names[kind], used);
}

int main(void)
{
	char line[1 << 16];

	while (fgets(line, sizeof(line), stdin)) {
		char *args;

		line[strcspn(line, "\n")] = '\0';
		args = strchr(line, ' ');
		if (args)
			*args++ = '\0';
		else
			args = line + strlen(line);
		if (!strcmp(line, "pct"))
			cmd_pct(args);
		else if (!strcmp(line, "sched"))
			cmd_sched(args);
		else if (!strcmp(line, "sim"))
			cmd_sim(args);
		else if (!strcmp(line, "format"))
			cmd_format(args);
		else if (!strcmp(line, "parse"))
			cmd_parse(args);
		else
			printf("unknown command\n");
		fflush(stdout);
	}
	return 0;
}
