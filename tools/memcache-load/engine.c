// SPDX-License-Identifier: GPL-2.0
/* The load generator's engine (see engine.h): pure, no I/O, no clock. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

uint64_t lg_sched_time(const struct lg_config *cfg, uint64_t i)
{
	/* Exact for any integer rate: no accumulated rounding drift. */
	return cfg->start_ns + i / cfg->rate_per_s * 1000000000ull +
	       i % cfg->rate_per_s * 1000000000ull / cfg->rate_per_s;
}

/* xorshift64*: deterministic for a seed, so runs are repeatable. */
static uint64_t lg_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static int fifo_push(struct lg_fifo *f, const struct lg_request *r)
{
	if (f->len == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64, i;
		struct lg_request *slot = malloc(cap * sizeof(*slot));

		if (!slot)
			return -1;
		for (i = 0; i < f->len; i++)
			slot[i] = f->slot[(f->head + i) % f->cap];
		free(f->slot);
		f->slot = slot;
		f->cap = cap;
		f->head = 0;
	}
	f->slot[(f->head + f->len) % f->cap] = *r;
	f->len++;
	return 0;
}

static bool fifo_pop(struct lg_fifo *f, struct lg_request *r)
{
	if (!f->len)
		return false;
	*r = f->slot[f->head];
	f->head = (f->head + 1) % f->cap;
	f->len--;
	return true;
}

int lg_samples_add(struct lg_samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void lg_samples_sort(struct lg_samples *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
}

int lg_percentile(const uint64_t *sorted, size_t n, double p, uint64_t *out)
{
	double rank;
	size_t k;

	if (!n || !(p > 0.0) || p > 100.0)
		return -1;
	/* Smallest k with k >= p/100 * n; the epsilon absorbs 99.9/100*1000 = 999.0000000000001. */
	rank = ceil(p / 100.0 * (double)n - 1e-9);
	k = rank < 1.0 ? 1 : (size_t)rank;
	if (k > n)
		k = n;
	*out = sorted[k - 1];
	return 0;
}

int lg_engine_init(struct lg_engine *e, const struct lg_config *cfg)
{
	memset(e, 0, sizeof(*e));
	if (!cfg->rate_per_s || !cfg->conns || !cfg->keys || cfg->set_permille > 1000) {
		errno = EINVAL;
		return -1;
	}
	e->cfg = *cfg;
	e->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ull;
	e->fifo = calloc(cfg->conns, sizeof(*e->fifo));
	if (!e->fifo) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void lg_engine_free(struct lg_engine *e)
{
	unsigned int c;

	if (e->fifo)
		for (c = 0; c < e->cfg.conns; c++)
			free(e->fifo[c].slot);
	free(e->fifo);
	free(e->latency.v);
	free(e->send_lag.v);
	memset(e, 0, sizeof(*e));
}

bool lg_engine_schedule_done(const struct lg_engine *e)
{
	return e->next >= e->cfg.count;
}

uint64_t lg_engine_wait_ns(const struct lg_engine *e, uint64_t now_ns)
{
	uint64_t t;

	if (lg_engine_schedule_done(e))
		return UINT64_MAX;
	t = lg_sched_time(&e->cfg, e->next);
	return t > now_ns ? t - now_ns : 0;
}

bool lg_engine_next_due(struct lg_engine *e, uint64_t now_ns, struct lg_request *req)
{
	uint64_t t;

	if (lg_engine_schedule_done(e))
		return false;
	t = lg_sched_time(&e->cfg, e->next);
	if (t > now_ns)
		return false;
	req->index = e->next;
	req->sched_ns = t;
	req->conn = (unsigned int)(e->next % e->cfg.conns);
	req->op = lg_rand(&e->rng) % 1000 < e->cfg.set_permille ? LG_SET : LG_GET;
	req->key = (uint32_t)(lg_rand(&e->rng) % e->cfg.keys);
	if (fifo_push(&e->fifo[req->conn], req) || lg_samples_add(&e->send_lag, now_ns - t))
		return false;
	e->next++;
	e->sent++;
	if (req->op == LG_GET)
		e->gets++;
	else
		e->sets++;
	return true;
}

size_t lg_engine_in_flight(const struct lg_engine *e)
{
	size_t n = 0;
	unsigned int c;

	for (c = 0; c < e->cfg.conns; c++)
		n += e->fifo[c].len;
	return n;
}

int lg_engine_reply(struct lg_engine *e, unsigned int conn, enum lg_reply kind, uint64_t now_ns)
{
	struct lg_request r;

	if (conn >= e->cfg.conns || !fifo_pop(&e->fifo[conn], &r))
		return -1;
	e->answered++;
	switch (kind) {
	case LG_REPLY_HIT:
		e->hits++;
		break;
	case LG_REPLY_MISS:
		e->misses++;
		break;
	case LG_REPLY_STORED:
		e->stored++;
		break;
	case LG_REPLY_ERROR:
		e->errors++;
		break;
	}
	return lg_samples_add(&e->latency, now_ns > r.sched_ns ? now_ns - r.sched_ns : 0);
}

uint64_t lg_engine_finish(struct lg_engine *e, uint64_t now_ns)
{
	uint64_t lost = 0;
	unsigned int c;
	struct lg_request r;

	for (c = 0; c < e->cfg.conns; c++) {
		while (fifo_pop(&e->fifo[c], &r)) {
			lg_samples_add(&e->latency, now_ns > r.sched_ns ? now_ns - r.sched_ns : 0);
			lost++;
		}
	}
	return lost;
}
