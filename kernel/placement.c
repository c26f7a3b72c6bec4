// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: the placement function. Normative: docs/protocol.md gives it in
 * pseudo code and the TypeScript mock implements the same, bit for bit. The
 * datapath and the pick command both call falcon_place(), so what pick says
 * is what the datapath does.
 */
#include <linux/math64.h>
#include "internal.h"

/*
 * The kernel's generic hash_32(), spelt out: an architecture may override
 * hash_32(), and the protocol fixes this exact function.
 */
static inline u32 falcon_hash_32(u32 v, unsigned int bits)
{
	return (u32)(v * 0x61C88647u) >> (32 - bits);
}

static u32 falcon_slot(const struct falcon_place_in *in, u32 h)
{
	if (in->mode == FALCON_MODE_PAPER)
		return h % in->set->n;
	return (u32)(h + in->stage) % in->set->n;
}

/*
 * The balanced policy's load gate: closed when the set's average load
 * reaches the threshold, open again only below threshold - hysteresis. It is
 * re-evaluated whenever a load or its inputs change (each monitor sample, pin,
 * unpin, config change, set change), not per packet. Without the band,
 * steering's own work lifts the average over the threshold, the gate closes,
 * the average falls back, the gate opens, and every flip reorders the flow.
 */
bool falcon_gate_next(const struct falcon_eset *set, u32 threshold,
		      u32 hysteresis, bool closed, u32 *avg_load)
{
	u32 i, bar;
	u64 sum = 0;

	*avg_load = 0;
	if (!set || !set->n)
		return false;
	for (i = 0; i < set->n; i++)
		sum += falcon_cpu_load(set->cpu[i]);
	*avg_load = div_u64(sum, set->n);
	bar = closed ? threshold - min(threshold, hysteresis) : threshold;
	return *avg_load >= bar;
}

void falcon_place(const struct falcon_place_in *in,
		  struct falcon_place_out *out)
{
	const struct falcon_eset *set = in->set;
	u32 h, h2, load1, load2;
	int first, second;

	out->first = FALCON_NO_CPU;
	out->second = FALCON_NO_CPU;
	out->target = FALCON_NO_CPU;

	if (!in->enabled) {
		out->reason = FALCON_REASON_DISABLED;
		return;
	}
	if (!set || !set->n) {
		out->reason = FALCON_REASON_NO_CPUS;
		return;
	}

	if (in->mode == FALCON_MODE_PAPER)
		h = falcon_hash_32(in->flow_hash + in->ifindex, 16);
	else
		h = falcon_hash_32(in->flow_hash, 16);
	first = set->cpu[falcon_slot(in, h)];
	out->first = first;

	if (in->policy == FALCON_POLICY_STATIC) {
		out->target = first;
		out->reason = FALCON_REASON_FIRST;
		return;
	}

	if (in->gate_closed) {
		out->reason = FALCON_REASON_GATED;
		return;
	}

	load1 = falcon_cpu_load(first);
	if (load1 < in->threshold) {
		out->target = first;
		out->reason = FALCON_REASON_FIRST;
		return;
	}

	h2 = falcon_hash_32(h, 16);
	second = set->cpu[falcon_slot(in, h2)];
	out->second = second;
	load2 = falcon_cpu_load(second);
	if (load2 < load1) {
		out->target = second;
		out->reason = FALCON_REASON_SECOND;
	} else {
		out->target = first;
		out->reason = FALCON_REASON_FIRST_KEPT;
	}
}
