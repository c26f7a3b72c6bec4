// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: per-device counters. Every CPU counts in its own copy of fixed
 * size, so an attachment costs O(nr_cpu_ids) memory and the hook writes
 * only its own CPU's line. The steered-by-target breakdown needs no array
 * per CPU: a packet steered to CPU t is counted in t's copy (steered_in, on
 * a line of its own), under t's queue lock, which every producer takes and
 * whose line bounces between them anyway.
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

/* One CPU's current values. */
static void falcon_counters_read(const struct falcon_dev_stats *s,
				 struct falcon_dev_counters *out)
{
	out->seen = READ_ONCE(s->now.seen);
	out->local = READ_ONCE(s->now.local);
	out->gated = READ_ONCE(s->now.gated);
	out->second = READ_ONCE(s->now.second);
	out->dropped = READ_ONCE(s->now.dropped);
	out->deferred = READ_ONCE(s->now.deferred);
	out->steered_in = READ_ONCE(s->steered_in);
}

/* One CPU's copy since the last reset. Under falcon_mutex. */
void falcon_dev_stats_cpu(struct falcon_dev_stats __percpu *stats,
			  unsigned int cpu, struct falcon_dev_counters *out)
{
	const struct falcon_dev_stats *s = per_cpu_ptr(stats, cpu);

	falcon_counters_read(s, out);
	out->seen -= s->base.seen;
	out->local -= s->base.local;
	out->gated -= s->base.gated;
	out->second -= s->base.second;
	out->dropped -= s->base.dropped;
	out->deferred -= s->base.deferred;
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
		t->deferred += c.deferred;
		t->steered_in += c.steered_in;
	}
}

/*
 * Start counting from zero again. Under falcon_mutex. The hook reads
 * base.seen (last-hash sampling) without it: WRITE_ONCE.
 */
void falcon_dev_stats_reset(struct falcon_dev_stats __percpu *stats)
{
	struct falcon_dev_counters c;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct falcon_dev_stats *s = per_cpu_ptr(stats, cpu);

		falcon_counters_read(s, &c);
		WRITE_ONCE(s->base.seen, c.seen);
		WRITE_ONCE(s->base.local, c.local);
		WRITE_ONCE(s->base.gated, c.gated);
		WRITE_ONCE(s->base.second, c.second);
		WRITE_ONCE(s->base.dropped, c.dropped);
		WRITE_ONCE(s->base.deferred, c.deferred);
		WRITE_ONCE(s->base.steered_in, c.steered_in);
	}
}
