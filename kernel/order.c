// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: per-flow tails (docs/protocol.md, "Ordering"). Each attachment
 * remembers, per flow-table slot, the CPU its flow's last packet ran on or
 * was queued to, and that CPU's epoch then. The flow moves elsewhere only
 * once that CPU has had a quiet point since (quiet.c): it has then run the
 * packet all the way to its next Falcon queue or its socket, so a packet
 * sent elsewhere now cannot overtake it. As the kernel's RFS moves a flow
 * only once the old CPU's backlog has passed the flow's last packet; here
 * the old CPU's other per-CPU queues (GRO cells, backlog) count too.
 *
 * One flow's packets reach a device's hook one at a time: on one CPU, or,
 * when the stage before moves, only after the old CPU's quiet point, when
 * they had all come through here. So a flow's record has one writer at a
 * time. Two flows may share a slot: a record is one u64, never torn.
 */
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include "internal.h"

#define FALCON_FLOW_SLOTS	1024
#define FALCON_FLOW_TAG_SHIFT	10
#define FALCON_FLOW_TAG_MASK	0x3fff

/*
 * A record: bit 63 valid, 62 queued (not run in place), 61-48 tag, 47-32
 * CPU, 31-0 that CPU's epoch
 */
#define FALCON_REC_VALID	BIT_ULL(63)
#define FALCON_REC_QUEUED	BIT_ULL(62)

struct falcon_flows {
	u64 slot[FALCON_FLOW_SLOTS];
};

static u32 falcon_flow_tag(u32 hash)
{
	return (hash >> FALCON_FLOW_TAG_SHIFT) & FALCON_FLOW_TAG_MASK;
}

static u64 *falcon_flow_slot(struct falcon_flows *flows, u32 hash)
{
	return &flows->slot[hash % FALCON_FLOW_SLOTS];
}

static u32 falcon_rec_tag(u64 rec)
{
	return (rec >> 48) & FALCON_FLOW_TAG_MASK;
}

static int falcon_rec_cpu(u64 rec)
{
	return (rec >> 32) & 0xffff;
}

/* May a packet of the record still be on its way on its CPU? */
static bool falcon_rec_pending(u64 rec)
{
	return (rec & FALCON_REC_VALID) &&
	       falcon_queue_pending(falcon_rec_cpu(rec), (u32)rec);
}

struct falcon_flows *falcon_flows_alloc(void)
{
	/* A record holds a CPU number in 16 bits */
	BUILD_BUG_ON(CONFIG_NR_CPUS > 0x10000);
	return kvzalloc(sizeof(struct falcon_flows), GFP_KERNEL);
}

void falcon_flows_free(struct falcon_flows *flows)
{
	kvfree(flows);
}

/*
 * The ordering step, after the placement: may replace @out's target and
 * reason. A pending record wins: the packet goes where the slot's last
 * packet went (deferred when the record is the flow's own, slot-busy when
 * another flow's, which the two then share: the record stays on that CPU,
 * so it still covers the other flow). @here: the CPU the packet arrived
 * on, which as target means in place; -1 for pick, which reports a target
 * as is. @cold: @here has not been quiet since the attach, so packets that
 * ran here before the hook existed may still be on their way: in place.
 * On return out->target is where the packet goes (FALCON_NO_CPU: in place,
 * here).
 */
void falcon_order(struct falcon_flows *flows, u32 hash, int here, bool cold,
		  struct falcon_place_out *out)
{
	u64 rec = READ_ONCE(*falcon_flow_slot(flows, hash));

	if (!falcon_rec_pending(rec)) {
		if (out->target == here || cold)
			out->target = FALCON_NO_CPU;
		return;
	}
	/*
	 * Its last packet ran in place here and may still be on its way
	 * here: in place again runs behind it (this CPU's queues are FIFO).
	 */
	if (!(rec & FALCON_REC_QUEUED) && falcon_rec_cpu(rec) == here) {
		out->target = FALCON_NO_CPU;
		return;
	}
	if (out->target != falcon_rec_cpu(rec)) {
		out->target = falcon_rec_cpu(rec);
		out->reason = falcon_rec_tag(rec) == falcon_flow_tag(hash) ?
			      FALCON_REASON_DEFERRED : FALCON_REASON_SLOT_BUSY;
	}
}

/* A packet of @hash went to @cpu, @queued or in place there, at @epoch. */
void falcon_order_record(struct falcon_flows *flows, u32 hash,
			 unsigned int cpu, u32 epoch, bool queued)
{
	WRITE_ONCE(*falcon_flow_slot(flows, hash),
		   FALCON_REC_VALID | (queued ? FALCON_REC_QUEUED : 0) |
		   (u64)falcon_flow_tag(hash) << 48 | (u64)cpu << 32 | epoch);
}

/*
 * Is this CPU cold for @fd: not quiet since the attach? Packets that ran
 * here without a hook may still be on their way. Hook only (this CPU).
 */
bool falcon_order_cold(const struct falcon_dev *fd)
{
	/* Acquire: attach_epoch is set on every CPU once this reads true */
	if (!smp_load_acquire(&fd->warm_ready))
		return true;
	return falcon_queue_pending(smp_processor_id(),
				    this_cpu_ptr(fd->stats)->attach_epoch);
}

/*
 * On each CPU, in the IPI: unless it interrupted a softirq (whose NET_RX
 * run may hold NAPIs off the list), an empty NAPI list means a quiet point
 * now. An idle CPU runs no softirq to count one at.
 */
static void falcon_quiet_now(void *unused)
{
	if (!in_serving_softirq())
		falcon_queue_quiet_point();
}

/*
 * Attach, once the hook is in: every CPU is cold until its next quiet
 * point, which is after every packet that ran there without the hook.
 * Idle CPUs get theirs at once. Process context, interrupts on.
 */
void falcon_order_warm_up(struct falcon_dev *fd)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		per_cpu_ptr(fd->stats, cpu)->attach_epoch =
			falcon_queue_mark_dirty(cpu);
	/* Release: pairs with falcon_order_cold() */
	smp_store_release(&fd->warm_ready, true);
	on_each_cpu(falcon_quiet_now, NULL, 1);
}

/*
 * Is a packet queued to some CPU still on its way? What a detach waits for
 * (drain.c): after it, packets run in place where they arrive, behind any
 * that ran in place there before.
 */
bool falcon_order_queued(struct falcon_flows *flows)
{
	unsigned int i;

	for (i = 0; i < FALCON_FLOW_SLOTS; i++) {
		u64 rec = READ_ONCE(flows->slot[i]);

		if ((rec & FALCON_REC_QUEUED) && falcon_rec_pending(rec))
			return true;
	}
	return false;
}
