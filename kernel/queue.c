// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: one bounded queue per CPU, drained by a NAPI instance hung on a
 * dummy netdev. A producer on another CPU kicks the target as RPS does: only
 * the caller that wins napi_schedule_prep() sends the IPI, so the SCHED bit
 * serialises the use of the target's csd. The poll finds its queue through
 * container_of(): after CPU hotplug the core may run a NAPI on another CPU.
 * That is how a dead CPU's queue drains: it is never moved (the core runs
 * its NAPI on a surviving CPU, and a kick to an offline CPU runs it on the
 * kicker's), so it drains in order, and flows waiting for it (order.c)
 * move on once the CPU that ran it is quiet.
 */
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include "internal.h"
#include "falcon_trace.h"

#ifndef CONFIG_NET_CLS_ACT
#error "Falcon needs skb->tc_skip_classify (CONFIG_NET_CLS_ACT)"
#endif

#define FALCON_NAPI_WEIGHT	64

struct falcon_cpu __percpu *falcon_pcpu;
static struct net_device *falcon_napi_dev;

static void falcon_csd_func(void *info)
{
	struct falcon_cpu *c = info;

	__napi_schedule_irqoff(&c->napi);
}

static void falcon_kick(struct falcon_cpu *c)
{
	if (!napi_schedule_prep(&c->napi))
		return;
	if (c->cpu == smp_processor_id()) {
		__napi_schedule(&c->napi);
		return;
	}
	WRITE_ONCE(c->counters.kicks, c->counters.kicks + 1);
	/*
	 * -ENXIO: the target went offline under us. -EBUSY (its csd still
	 * in flight) cannot happen while NAPI_STATE_SCHED guards the kick,
	 * but would lose the kick. Either way, run its NAPI here instead.
	 */
	if (smp_call_function_single_async(c->cpu, &c->csd))
		__napi_schedule(&c->napi);
}

/* How many skbs wait in @cpu's queue (a snapshot, for tracing). */
u32 falcon_queue_len(unsigned int cpu)
{
	return skb_queue_len_lockless(&per_cpu_ptr(falcon_pcpu, cpu)->queue);
}

/* Takes @skb off @c's queue; under its lock. */
static void falcon_unlink(struct falcon_cpu *c, struct sk_buff *skb)
{
	__skb_unlink(skb, &c->queue);
	c->bytes -= skb->truesize;
}

/*
 * Queue @skb on @cpu and kick it. False (nothing queued) when the queue
 * holds queue_limit packets, or would hold more than queue_limit times
 * FALCON_QUEUE_BYTES_PER_PACKET bytes (65536 GRO skbs of 64 KB each would
 * otherwise pin 4 GiB per CPU); an empty queue takes any one skb, however
 * large. Counted as enqueued, or as dropped, and in *@steered_in, a
 * counter of @cpu's that the queue lock serialises. *@epoch: @cpu's epoch
 * once the packet is in (order.c): read under the lock, so that a quiet
 * point counted after it has seen the packet.
 */
bool falcon_enqueue(unsigned int cpu, struct sk_buff *skb, u64 *steered_in,
		    u32 *epoch, u32 *drop_reason)
{
	struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);
	u32 limit = READ_ONCE(falcon_cfg.queue_limit);
	unsigned long flags;
	u32 len;

	spin_lock_irqsave(&c->queue.lock, flags);
	len = skb_queue_len(&c->queue);
	if (len >= limit ||
	    (len && (u64)c->bytes + skb->truesize >
		    (u64)limit * FALCON_QUEUE_BYTES_PER_PACKET)) {
		c->counters.dropped++;
		spin_unlock_irqrestore(&c->queue.lock, flags);
		*drop_reason = len >= limit ? FALCON_DROP_QUEUE_FULL :
					      FALCON_DROP_QUEUE_BYTES;
		return false;
	}
	__skb_queue_tail(&c->queue, skb);
	WRITE_ONCE(c->dirty, true);
	*epoch = c->epoch;
	c->bytes += skb->truesize;
	c->counters.enqueued++;
	WRITE_ONCE(*steered_in, *steered_in + 1);
	if (len + 1 > c->hwm)
		c->hwm = len + 1;
	spin_unlock_irqrestore(&c->queue.lock, flags);

	falcon_kick(c);
	return true;
}

/*
 * A packet ran in place on this CPU (its flow's record names this CPU's
 * epoch, order.c): returns the epoch. Only this CPU's NET_RX exit counts a
 * quiet point for it, and not while this packet is being processed.
 */
u32 falcon_queue_mark_local(void)
{
	struct falcon_cpu *c = this_cpu_ptr(falcon_pcpu);

	/* No lock: the quiet point that clears it runs on this CPU */
	if (!READ_ONCE(c->dirty))
		WRITE_ONCE(c->dirty, true);
	return READ_ONCE(c->epoch);
}

/* An attach: @cpu's next quiet point must count (order.c). Its epoch now. */
u32 falcon_queue_mark_dirty(unsigned int cpu)
{
	struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);
	unsigned long flags;
	u32 epoch;

	spin_lock_irqsave(&c->queue.lock, flags);
	WRITE_ONCE(c->dirty, true);
	epoch = c->epoch;
	spin_unlock_irqrestore(&c->queue.lock, flags);
	return epoch;
}

/* @c's queue is empty and nothing of it is being reinjected. Under its lock. */
static bool falcon_queue_empty(const struct falcon_cpu *c)
{
	return !skb_queue_len(&c->queue) && !READ_ONCE(c->inflight);
}

/* Counts a quiet point for @c if anything happened since the last. */
static void falcon_quiet_one(struct falcon_cpu *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->queue.lock, flags);
	if (c->dirty && falcon_queue_empty(c)) {
		WRITE_ONCE(c->epoch, c->epoch + 1);
		WRITE_ONCE(c->dirty, false);
	}
	spin_unlock_irqrestore(&c->queue.lock, flags);
}

/*
 * At NET_RX softirq exit (quiet.c), or in attach's IPI (order.c): when no
 * NAPI is left scheduled on this CPU, everything it ran (Falcon's queue,
 * and the per-CPU queues its packets went on to: GRO cells, the backlog,
 * veth's NAPI) has been run, so every packet it took has reached its next
 * Falcon queue or its socket. Queues of offline CPUs this CPU ran count as
 * quiet with it.
 */
void falcon_queue_quiet_point(void)
{
	struct falcon_cpu *c = this_cpu_ptr(falcon_pcpu);
	unsigned int cpu;

	if (!READ_ONCE(c->dirty) && !c->adopted)
		return;
	if (!list_empty(&this_cpu_ptr(&softnet_data)->poll_list))
		return;
	falcon_quiet_one(c);
	if (!c->adopted)
		return;
	c->adopted = false;
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			falcon_quiet_one(per_cpu_ptr(falcon_pcpu, cpu));
}

static void falcon_trace_reinject(struct sk_buff *skb)
{
	u32 stamp = falcon_cb(skb)->enq_ns;

	/* 0: queued while the tracepoint was off */
	trace_falcon_reinject(skb, stamp ? (u32)ktime_get_ns() - stamp : 0);
}

static int falcon_poll(struct napi_struct *napi, int budget)
{
	struct falcon_cpu *c = container_of(napi, struct falcon_cpu, napi);
	struct sk_buff_head batch;
	struct sk_buff *skb;
	int done = 0;

	__skb_queue_head_init(&batch);
	while (done < budget) {
		unsigned int n = 0;

		spin_lock_irq(&c->queue.lock);
		while (done + n < budget && (skb = skb_peek(&c->queue))) {
			falcon_unlink(c, skb);
			__skb_queue_tail(&batch, skb);
			n++;
		}
		WRITE_ONCE(c->inflight, n);
		spin_unlock_irq(&c->queue.lock);
		if (!n)
			break;
		/* An offline CPU's queue: its quiet point is this CPU's */
		if (c->cpu != smp_processor_id())
			this_cpu_ptr(falcon_pcpu)->adopted = true;

		while ((skb = __skb_dequeue(&batch))) {
			if (unlikely(skb->dev->reg_state != NETREG_REGISTERED)) {
				spin_lock_irq(&c->queue.lock);
				c->counters.purged++;
				spin_unlock_irq(&c->queue.lock);
				trace_falcon_drop(skb, skb->dev,
						  FALCON_DROP_PURGED);
				kfree_skb(skb);
			} else {
				if (trace_falcon_reinject_enabled())
					falcon_trace_reinject(skb);
				/*
				 * Taps, tc and netfilter ingress ran on the
				 * first pass: skip them on this one. The core
				 * clears the flag as it reads it.
				 */
				skb->tc_skip_classify = 1;
				netif_receive_skb_core(skb);
				WRITE_ONCE(c->counters.processed,
					   c->counters.processed + 1);
			}
			WRITE_ONCE(c->inflight, c->inflight - 1);
			done++;
		}
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/* Frees @list's skbs; @trace: their devices are still there to name. */
static unsigned int falcon_purge_list(struct sk_buff_head *list, bool trace,
				      u32 reason)
{
	struct sk_buff *skb;
	unsigned int n = 0;

	while ((skb = __skb_dequeue(list))) {
		if (trace)
			trace_falcon_drop(skb, skb->dev, reason);
		kfree_skb(skb);
		n++;
	}
	return n;
}

/*
 * Free every queued skb of @dev, or of every device when @dev is NULL (module
 * unload). Under falcon_sets_mutex. The caller has made sure nothing new of @dev can be queued (its hook is
 * gone and synchronize_net() has passed, or it never had one).
 *
 * A poll may still hold skbs of @dev that it dequeued before this, in its
 * batch. A poll runs in one BH-disabled section, and a device is freed only
 * after the synchronize_net() that unregister_netdevice_many_notify() runs
 * after the NETDEV_UNREGISTER notifiers (and, for a device unregistered after
 * module unload, the one it runs before them), so the batch is done with the
 * device before it goes; while the device is unregistering the poll frees
 * its skbs instead of reinjecting them. No grace period of our own is needed.
 */
void falcon_queue_purge_dev(const struct net_device *dev)
{
	struct sk_buff_head gone;
	unsigned int cpu;

	lockdep_assert_held(&falcon_sets_mutex);
	__skb_queue_head_init(&gone);
	for_each_possible_cpu(cpu) {
		struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);
		struct sk_buff *skb, *tmp;
		unsigned int n = 0;

		spin_lock_irq(&c->queue.lock);
		skb_queue_walk_safe(&c->queue, skb, tmp) {
			if (dev && skb->dev != dev)
				continue;
			falcon_unlink(c, skb);
			__skb_queue_tail(&gone, skb);
			n++;
		}
		c->counters.purged += n;
		spin_unlock_irq(&c->queue.lock);
	}
	falcon_purge_list(&gone, true,
			  dev ? FALCON_DROP_PURGED : FALCON_DROP_UNLOAD);
}

/* @cpu's counters since the last reset, and its queue. Under falcon_mutex. */
void falcon_queue_read(unsigned int cpu, struct falcon_cpu_counters *out,
		       u32 *hwm, u32 *len)
{
	struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);

	spin_lock_irq(&c->queue.lock);
	out->enqueued = c->counters.enqueued - c->base.enqueued;
	out->dropped = c->counters.dropped - c->base.dropped;
	out->purged = c->counters.purged - c->base.purged;
	*hwm = c->hwm;
	*len = skb_queue_len(&c->queue);
	spin_unlock_irq(&c->queue.lock);
	out->kicks = READ_ONCE(c->counters.kicks) - c->base.kicks;
	out->processed = READ_ONCE(c->counters.processed) - c->base.processed;
}

/*
 * Counting starts from zero again: the counters' current values become the
 * base readers subtract, so a reset never races with the poll's or a
 * kicker's lockless increments. Under falcon_mutex, like every reader.
 */
void falcon_queue_reset_stats(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);

		spin_lock_irq(&c->queue.lock);
		c->base.enqueued = c->counters.enqueued;
		c->base.dropped = c->counters.dropped;
		c->base.purged = c->counters.purged;
		c->hwm = skb_queue_len(&c->queue);
		spin_unlock_irq(&c->queue.lock);
		c->base.kicks = READ_ONCE(c->counters.kicks);
		c->base.processed = READ_ONCE(c->counters.processed);
	}
}

int falcon_queue_init(void)
{
	unsigned int cpu;

	falcon_pcpu = alloc_percpu(struct falcon_cpu);
	if (!falcon_pcpu)
		return -ENOMEM;
	falcon_napi_dev = kzalloc(sizeof(*falcon_napi_dev), GFP_KERNEL);
	if (!falcon_napi_dev) {
		free_percpu(falcon_pcpu);
		return -ENOMEM;
	}
	init_dummy_netdev(falcon_napi_dev);

	for_each_possible_cpu(cpu) {
		struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);

		c->cpu = cpu;
		skb_queue_head_init(&c->queue);
		INIT_CSD(&c->csd, falcon_csd_func, c);
		netif_napi_add_weight(falcon_napi_dev, &c->napi, falcon_poll,
				      FALCON_NAPI_WEIGHT);
		napi_enable(&c->napi);
	}
	return 0;
}

/*
 * Module unload, after every hook is gone, synchronize_net() has passed and
 * hotplug's move is unregistered: nothing queues or kicks any more.
 *
 * What guarantees that no kick is still in flight (an IPI whose handler
 * would run falcon_csd_func() on a freed csd): a kicker sets the NAPI's
 * SCHED bit (napi_schedule_prep()) before it sends the IPI, and only the
 * poll clears it, in napi_complete_done(). The poll runs after the handler
 * has scheduled it and returned (NET_RX runs on irq exit), and for an async
 * csd the core releases the csd before calling the handler. napi_disable()
 * waits for SCHED to clear, so once it returns for a CPU, that CPU's csd is
 * free and its handler done. (A kick whose IPI failed ran its NAPI on the
 * kicker's CPU: the same wait covers it.)
 *
 * (napi_schedule_prep() refuses new schedules once a disable is pending.)
 * What is still queued once napi_disable() returns is freed and counted in
 * the log. __netif_napi_del()
 * unhashes each NAPI; one synchronize_net() covers them all, where
 * netif_napi_del() would wait a grace period per CPU.
 */
void falcon_queue_exit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);
		struct sk_buff_head left;
		unsigned int n;

		napi_disable(&c->napi);
		__netif_napi_del(&c->napi);
		__skb_queue_head_init(&left);
		spin_lock_irq(&c->queue.lock);
		skb_queue_splice_init(&c->queue, &left);
		c->bytes = 0;
		spin_unlock_irq(&c->queue.lock);
		/* Their devices may be gone: counted in the log, not traced */
		n = falcon_purge_list(&left, false, FALCON_DROP_UNLOAD);
		if (n)
			pr_info("falcon: freed %u queued packets of CPU %u at unload\n",
				n, cpu);
	}
	synchronize_net();
	kfree(falcon_napi_dev);
	free_percpu(falcon_pcpu);
}
