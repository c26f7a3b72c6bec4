/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load generator's engine: the open-loop schedule, which request goes
 * where, the requests in flight per connection and the latency samples. No
 * I/O and no clock: the caller passes the time in, so the same code runs
 * against sockets (memcache-load.c) and against a fake clock (harness.c).
 *
 * Open loop: request i is due at start + i / rate whatever the replies do,
 * and its latency is measured from that scheduled time, so a stalled server
 * (or a stalled generator) shows up in the tail instead of silently pausing
 * the schedule (coordinated omission).
 */
#ifndef MEMCACHE_LOAD_ENGINE_H
#define MEMCACHE_LOAD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lg_op { LG_GET, LG_SET };

/* One scheduled request. */
struct lg_request {
	uint64_t index;
	uint64_t sched_ns;
	unsigned int conn;
	enum lg_op op;
	uint32_t key;
};

/* Requests sent on one connection and not answered yet, oldest first. */
struct lg_fifo {
	struct lg_request *slot;
	size_t cap, head, len;
};

/* A growable array of samples (nanoseconds). */
struct lg_samples {
	uint64_t *v;
	size_t n, cap;
};

struct lg_config {
	uint64_t start_ns;
	uint64_t rate_per_s;
	uint64_t count;		/* requests in the measured schedule */
	unsigned int conns;
	uint32_t keys;
	unsigned int set_permille; /* share of SETs, per mille */
	uint64_t seed;
};

struct lg_engine {
	struct lg_config cfg;
	uint64_t next;		/* index of the next request to send */
	uint64_t rng;
	struct lg_fifo *fifo;	/* one per connection */
	struct lg_samples latency;	/* scheduled send -> reply, every answered request */
	struct lg_samples send_lag;	/* scheduled send -> actual send */
	uint64_t sent, gets, sets, answered, hits, misses, stored, errors;
};

/* When request @i is due. */
uint64_t lg_sched_time(const struct lg_config *cfg, uint64_t i);

/* 0 on success, -1 (errno ENOMEM or EINVAL) on failure. */
int lg_engine_init(struct lg_engine *e, const struct lg_config *cfg);
void lg_engine_free(struct lg_engine *e);

/*
 * The next request due at @now_ns, if any: fills @req, records it as in
 * flight on its connection and its send lag, and returns true. Call until it
 * returns false; then send what it gave.
 */
bool lg_engine_next_due(struct lg_engine *e, uint64_t now_ns, struct lg_request *req);

/* Nanoseconds until the next request is due (0: one is due; UINT64_MAX: schedule done). */
uint64_t lg_engine_wait_ns(const struct lg_engine *e, uint64_t now_ns);

/* True when every request of the schedule has been handed out. */
bool lg_engine_schedule_done(const struct lg_engine *e);

/* Requests in flight on all connections. */
size_t lg_engine_in_flight(const struct lg_engine *e);

enum lg_reply { LG_REPLY_HIT, LG_REPLY_MISS, LG_REPLY_STORED, LG_REPLY_ERROR };

/*
 * The reply to the oldest request in flight on @conn arrived at @now_ns:
 * records its latency from the scheduled time. -1 when nothing is in flight
 * there (a protocol error).
 */
int lg_engine_reply(struct lg_engine *e, unsigned int conn, enum lg_reply kind, uint64_t now_ns);

/*
 * The run is over at @now_ns: requests still in flight are counted as
 * unanswered and their age at @now_ns enters the latency samples (a lower
 * bound on their latency, so losses raise the tail instead of vanishing).
 * Returns how many there were.
 */
uint64_t lg_engine_finish(struct lg_engine *e, uint64_t now_ns);

int lg_samples_add(struct lg_samples *s, uint64_t v);
void lg_samples_sort(struct lg_samples *s);

/*
 * The @p-th percentile (0 < p <= 100) of @n sorted values by the nearest-rank
 * method: the smallest value with at least p % of the values at or below it.
 * -1 when @n is 0 or @p is out of range.
 */
int lg_percentile(const uint64_t *sorted, size_t n, double p, uint64_t *out);

#endif
