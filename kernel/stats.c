// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: per-device counters. Every CPU counts in its own copy, so the
 * datapath never writes a shared cache line per packet; readers sum the
 * copies. The per-target breakdown is one u64 per possible CPU id.
 */
#include <linux/percpu.h>
#include "internal.h"

static size_t falcon_dev_stats_size(void)
{
	return struct_size((struct falcon_dev_stats *)NULL, target, nr_cpu_ids);
}

struct falcon_dev_stats __percpu *falcon_dev_stats_alloc(void)
{
	return __alloc_percpu(falcon_dev_stats_size(), __alignof__(u64));
}

void falcon_dev_stats_free(struct falcon_dev_stats __percpu *stats)
{
	free_percpu(stats);
}

void falcon_dev_stats_sum(struct falcon_dev_stats __percpu *stats,
			  struct falcon_dev_totals *t)
{
	unsigned int cpu, i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct falcon_dev_stats *s = per_cpu_ptr(stats, cpu);

		t->seen += READ_ONCE(s->seen);
		t->local += READ_ONCE(s->local);
		t->gated += READ_ONCE(s->gated);
		t->second += READ_ONCE(s->second);
		t->dropped += READ_ONCE(s->dropped);
		for (i = 0; i < nr_cpu_ids; i++)
			t->steered += READ_ONCE(s->target[i]);
	}
}

u64 falcon_dev_stats_target(struct falcon_dev_stats __percpu *stats,
			    unsigned int target)
{
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(stats, cpu)->target[target]);
	return sum;
}

/* Racy against a concurrent increment by design: a reset is not a barrier. */
void falcon_dev_stats_reset(struct falcon_dev_stats __percpu *stats)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(stats, cpu), 0, falcon_dev_stats_size());
}
