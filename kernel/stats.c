// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: per-device counters. Every CPU counts in its own copy of fixed
 * size, so the datapath never writes a shared cache line per packet and an
 * attachment costs O(nr_cpu_ids) memory. The steered-by-target breakdown
 * needs no array per CPU: a packet steered to CPU t is counted in t's copy
 * (steered_in), under t's queue lock, which every producer takes anyway.
 *
 * Resetting never writes a counter the datapath writes (that would race
 * with an increment and could be lost): it records the current values as a
 * base, under falcon_mutex, and readers report the difference. Counters are
 * u64 and only grow; falcon.ko builds for 64-bit kernels only, where a u64
 * read cannot tear.
 */
#include <linux/percpu.h>
#include "internal.h"

#ifndef CONFIG_64BIT
#error "Falcon's counters assume 64-bit loads and stores (no u64_stats_sync)"
#endif

struct falcon_dev_stats __percpu *falcon_dev_stats_alloc(void)
{
	return alloc_percpu(struct falcon_dev_stats);
}

void falcon_dev_stats_free(struct falcon_dev_stats __percpu *stats)
{
	free_percpu(stats);
}

static void falcon_counters_read(const struct falcon_dev_counters *c,
				 struct falcon_dev_counters *out)
{
	out->seen = READ_ONCE(c->seen);
	out->local = READ_ONCE(c->local);
	out->gated = READ_ONCE(c->gated);
	out->second = READ_ONCE(c->second);
	out->dropped = READ_ONCE(c->dropped);
	out->steered_in = READ_ONCE(c->steered_in);
}

/* One CPU's copy since the last reset. Under falcon_mutex. */
void falcon_dev_stats_cpu(struct falcon_dev_stats __percpu *stats,
			  unsigned int cpu, struct falcon_dev_counters *out)
{
	const struct falcon_dev_stats *s = per_cpu_ptr(stats, cpu);

	falcon_counters_read(&s->now, out);
	out->seen -= s->base.seen;
	out->local -= s->base.local;
	out->gated -= s->base.gated;
	out->second -= s->base.second;
	out->dropped -= s->base.dropped;
	out->steered_in -= s->base.steered_in;
}

/* Every CPU's copy since the last reset, summed. Under falcon_mutex. */
void falcon_dev_stats_sum(struct falcon_dev_stats __percpu *stats,
			  struct falcon_dev_counters *t)
{
	struct falcon_dev_counters c;
	unsigned int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		falcon_dev_stats_cpu(stats, cpu, &c);
		t->seen += c.seen;
		t->local += c.local;
		t->gated += c.gated;
		t->second += c.second;
		t->dropped += c.dropped;
		t->steered_in += c.steered_in;
	}
}

/* Start counting from zero again. Under falcon_mutex. */
void falcon_dev_stats_reset(struct falcon_dev_stats __percpu *stats)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct falcon_dev_stats *s = per_cpu_ptr(stats, cpu);

		falcon_counters_read(&s->now, &s->base);
	}
}
