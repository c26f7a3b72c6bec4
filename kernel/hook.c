// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: attachments. Each attached device gets a netfilter netdev ingress
 * hook at priority INT_MAX, so it runs after every other ingress hook
 * (nftables netdev chains included), after taps and tc ingress, and before
 * the device's rx_handler. The hook either lets the packet go on here or
 * steals it onto the target CPU's queue (queue.c), which reinjects it past
 * taps, tc and netfilter ingress: each of those runs once per device.
 *
 * An attachment dies with its device: NETDEV_UNREGISTER (also sent for a
 * namespace move, and re-sent while references remain) removes the hook
 * once, waits for hooks in flight, then purges the device's queued skbs.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/net_namespace.h>
#include "internal.h"
#include "falcon_messages.h"
#include "falcon_trace.h"

#ifndef CONFIG_NETFILTER_INGRESS
#error "Falcon needs netfilter netdev ingress hooks (CONFIG_NETFILTER_INGRESS)"
#endif

LIST_HEAD(falcon_devs);
unsigned int falcon_nr_attached;

/*
 * Devices detached while they may still have skbs queued (a plain detach
 * lets them drain). If such a device is unregistered before they have, its
 * NETDEV_UNREGISTER must purge them; every other unregister in the system
 * has nothing queued and need not walk the queues. One entry per device,
 * dropped when it is attached again or unregistered. Under falcon_mutex.
 */
struct falcon_detached {
	struct list_head list;
	const struct net_device *dev;
};

static LIST_HEAD(falcon_detached_devs);

static struct falcon_detached *falcon_detached_find(const struct net_device *dev)
{
	struct falcon_detached *d;

	list_for_each_entry(d, &falcon_detached_devs, list)
		if (d->dev == dev)
			return d;
	return NULL;
}

static void falcon_detached_forget(const struct net_device *dev)
{
	struct falcon_detached *d = falcon_detached_find(dev);

	if (d) {
		list_del(&d->list);
		kfree(d);
	}
}

static bool falcon_detached_remember(const struct net_device *dev)
{
	struct falcon_detached *d;

	if (falcon_detached_find(dev))
		return true;
	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return false;
	d->dev = dev;
	list_add(&d->list, &falcon_detached_devs);
	return true;
}

/* How often (in packets seen per CPU) the hook refreshes last_hash. */
#define FALCON_HASH_SAMPLE	64

static struct falcon_eset *falcon_eset_build(const struct cpumask *set)
{
	struct falcon_eset *e;
	unsigned int cpu, n = 0;

	for_each_cpu_and(cpu, set, falcon_usable)
		n++;
	e = kmalloc(struct_size(e, cpu, n), GFP_KERNEL);
	if (!e)
		return NULL;
	e->n = 0;
	for_each_cpu_and(cpu, set, falcon_usable)
		e->cpu[e->n++] = cpu;
	return e;
}

/* Re-evaluate one attachment's load gate. Under falcon_sets_mutex. */
static void falcon_gate_update(struct falcon_dev *fd)
{
	const struct falcon_eset *set;
	u32 load;
	bool closed;

	set = rcu_dereference_protected(fd->set,
					lockdep_is_held(&falcon_sets_mutex));
	closed = falcon_gate_next(set, READ_ONCE(falcon_cfg.threshold),
				  READ_ONCE(falcon_cfg.hysteresis),
				  fd->gate_closed, &load);
	if (closed != fd->gate_closed) {
		WRITE_ONCE(fd->gate_closed, closed);
		trace_falcon_gate(fd->dev, closed, load);
	}
}

/* Recompute one device's effective set. Under falcon_sets_mutex. */
static void falcon_dev_refresh(struct falcon_dev *fd)
{
	struct falcon_eset *e, *old;

	/* Out of memory: an empty set (steering off) rather than a stale one */
	e = falcon_eset_build(fd->has_cpus ? fd->cpus : falcon_cpus);
	old = rcu_replace_pointer(fd->set, e, lockdep_is_held(&falcon_sets_mutex));
	if (old)
		kfree_rcu(old, rcu);
	falcon_gate_update(fd);
}

/* The global set or the usable CPUs changed. Under falcon_sets_mutex. */
void falcon_refresh_sets(void)
{
	struct falcon_dev *fd;

	list_for_each_entry(fd, &falcon_devs, list)
		falcon_dev_refresh(fd);
}

/* A load, the threshold or the hysteresis changed. Under falcon_sets_mutex. */
void falcon_gates_update(void)
{
	struct falcon_dev *fd;

	lockdep_assert_held(&falcon_sets_mutex);
	list_for_each_entry(fd, &falcon_devs, list)
		falcon_gate_update(fd);
}

static void falcon_fill_in(const struct falcon_dev *fd,
			   const struct falcon_eset *set, u32 flow_hash,
			   struct falcon_place_in *in)
{
	in->enabled = READ_ONCE(falcon_cfg.enabled);
	in->mode = READ_ONCE(falcon_cfg.mode);
	in->policy = READ_ONCE(falcon_cfg.policy);
	in->threshold = READ_ONCE(falcon_cfg.threshold);
	in->gate_closed = READ_ONCE(fd->gate_closed);
	in->flow_hash = flow_hash;
	in->ifindex = fd->dev->ifindex;
	in->stage = fd->stage;
	in->set = set;
}

/* The pick command: the datapath's decision for @flow_hash on @fd. */
void falcon_place_dev(struct falcon_dev *fd, u32 flow_hash,
		      struct falcon_place_out *out)
{
	struct falcon_place_in in;

	rcu_read_lock();
	falcon_fill_in(fd, rcu_dereference(fd->set), flow_hash, &in);
	falcon_place(&in, out);
	rcu_read_unlock();
	falcon_order(fd->flows, flow_hash, -1, false, out);
}

static unsigned int falcon_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct falcon_dev *fd = priv;
	struct falcon_dev_stats __percpu *st = fd->stats;
	const struct falcon_eset *set;
	struct falcon_place_out out;
	struct falcon_place_in in;
	u32 hash, epoch, drop_reason;
	int wanted;
	u64 seen;

	/* Since the last reset: last-hash sampling restarts with the counts */
	seen = this_cpu_inc_return(st->now.seen) -
	       READ_ONCE(this_cpu_ptr(st)->base.seen);

	/*
	 * Never steer a pfmemalloc skb (it must not wait in a queue), nor on
	 * a device that gained a generic XDP program since attach (the second
	 * pass would run it again), nor for a device going down. Nor an skb
	 * whose noref dst cannot be made to outlive this RCU section.
	 */
	if (unlikely(skb_pfmemalloc(skb) ||
		     rcu_access_pointer(state->in->xdp_prog) ||
		     !netif_running(state->in)))
		goto local;

	/* Even with nothing to place: the flow may have packets queued */
	hash = skb_get_hash(skb);
	set = rcu_dereference(fd->set);
	if (READ_ONCE(falcon_cfg.enabled) && set && set->n &&
	    !READ_ONCE(fd->draining)) {
		if (unlikely(seen % FALCON_HASH_SAMPLE == 1)) {
			u64 h = FALCON_HASH_VALID | hash;

			if (READ_ONCE(fd->last_hash) != h)
				WRITE_ONCE(fd->last_hash, h);
		}
		falcon_fill_in(fd, set, hash, &in);
		falcon_place(&in, &out);
		if (out.reason == FALCON_REASON_SECOND)
			this_cpu_inc(st->now.second);
	} else {
		out.target = FALCON_NO_CPU;
		out.reason = FALCON_REASON_DISABLED;
	}

	/* Never ahead of the flow's packets still on their way (order.c) */
	wanted = out.target;
	falcon_order(fd->flows, hash, smp_processor_id(),
		     falcon_order_cold(fd), &out);
	if (out.target == FALCON_NO_CPU) {
		if (out.reason == FALCON_REASON_GATED)
			this_cpu_inc(st->now.gated);
		falcon_order_record(fd->flows, hash, smp_processor_id(),
				    falcon_queue_mark_local(), false);
		goto local;
	}
	if (skb_dst(skb) && unlikely(!skb_dst_force(skb)))
		goto local;
	if (out.reason == FALCON_REASON_DEFERRED ||
	    out.reason == FALCON_REASON_SLOT_BUSY) {
		this_cpu_inc(st->now.deferred);
		trace_falcon_defer(skb, state->in, hash, out.target, wanted,
				   out.reason);
	}

	/* Traced before the enqueue: the target may reinject it at once */
	if (trace_falcon_steer_enabled())
		trace_falcon_steer(skb, state->in, fd->stage, hash, out.target,
				   out.reason, falcon_queue_len(out.target));
	falcon_cb(skb)->enq_ns = trace_falcon_reinject_enabled() ?
				 (u32)ktime_get_ns() : 0;
	if (unlikely(!falcon_enqueue(out.target, skb,
				     &per_cpu_ptr(st, out.target)->steered_in,
				     &epoch, &drop_reason))) {
		this_cpu_inc(st->now.dropped);
		/* Seen by standard tools too, as enqueue_to_backlog() does */
		dev_core_stats_rx_dropped_inc(state->in);
		trace_falcon_drop(skb, state->in, drop_reason);
		return NF_DROP;
	}
	falcon_order_record(fd->flows, hash, out.target, epoch, true);
	return NF_STOLEN;

local:
	this_cpu_inc(st->now.local);
	return NF_ACCEPT;
}

struct falcon_dev *falcon_dev_find(const struct net_device *dev)
{
	struct falcon_dev *fd;

	list_for_each_entry(fd, &falcon_devs, list)
		if (fd->dev == dev)
			return fd;
	return NULL;
}

static u32 falcon_free_stage(void)
{
	DECLARE_BITMAP(used, FALCON_MAX_STAGE + 1);
	struct falcon_dev *fd;
	unsigned long s;

	bitmap_zero(used, FALCON_MAX_STAGE + 1);
	list_for_each_entry(fd, &falcon_devs, list)
		__set_bit(fd->stage, used);
	s = find_first_zero_bit(used, FALCON_MAX_STAGE + 1);
	/* Every number taken (256 attachments): share stage 0 */
	return s > FALCON_MAX_STAGE ? 0 : s;
}

static void falcon_dev_free(struct falcon_dev *fd)
{
	kfree(rcu_dereference_protected(fd->set, true));
	falcon_flows_free(fd->flows);
	falcon_dev_stats_free(fd->stats);
	free_cpumask_var(fd->cpus);
	kfree(fd);
}

/* After a grace period: no hook in flight still uses @fd (its priv). */
static void falcon_dev_free_rcu(struct rcu_head *head)
{
	falcon_dev_free(container_of(head, struct falcon_dev, rcu));
}

/*
 * Does another netdev ingress hook at priority INT_MAX run after Falcon's
 * (@ours) on @dev? It would never see the packets Falcon steals: their
 * reinjection skips netfilter ingress. A new hook goes before those of
 * equal priority, so such a hook was there first. Checked after Falcon's
 * hook is in (under nf_hook_mutex, not RTNL, a chain can come and go at
 * any time): one added later goes before Falcon's and is fine.
 */
static bool falcon_hook_conflict(const struct net_device *dev,
				 const struct nf_hook_ops *ours)
{
	const struct nf_hook_entries *e;
	struct nf_hook_ops **ops;
	bool after = false, conflict = false;
	unsigned int i;

	rcu_read_lock();
	e = rcu_dereference(dev->nf_hooks_ingress);
	if (e) {
		ops = nf_hook_entries_get_hook_ops(e);
		for (i = 0; i < e->num_hook_entries; i++) {
			if (ops[i] == ours)
				after = true;
			else if (after && ops[i]->priority == INT_MAX)
				conflict = true;
		}
	}
	rcu_read_unlock();
	return conflict;
}

/* Placement on @fd's device begins (both attach paths). */
static void falcon_attached(struct falcon_dev *fd, struct falcon_dev **out)
{
	/* Its unregister purges it now: no second entry for it */
	falcon_detached_forget(fd->dev);
	falcon_nr_attached++;
	falcon_gen++;
	falcon_monitor_start();
	*out = fd;
}

/*
 * Attach a device whose detach is still draining (drain.c): its hook never
 * left and its flow records still order what it queued, so take it back
 * with the new options and counters from zero.
 */
static int falcon_reattach(struct falcon_dev *fd, const struct cpumask *cpus,
			   bool has_stage, u32 stage, struct falcon_dev **out)
{
	fd->stage = has_stage ? stage : falcon_free_stage();
	fd->has_cpus = cpus;
	if (cpus)
		cpumask_copy(fd->cpus, cpus);
	falcon_dev_stats_reset(fd->stats);
	WRITE_ONCE(fd->last_hash, 0);
	mutex_lock(&falcon_sets_mutex);
	falcon_dev_refresh(fd);
	list_add_tail(&fd->list, &falcon_devs);
	mutex_unlock(&falcon_sets_mutex);
	WRITE_ONCE(fd->draining, false);
	falcon_attached(fd, out);
	return 0;
}

/*
 * Attach @dev. Caller holds RTNL (the device cannot go away) and
 * falcon_mutex, and has checked it is not attached yet.
 */
int falcon_attach(struct net_device *dev, const struct cpumask *cpus,
		  bool has_stage, u32 stage, struct falcon_dev **out,
		  bool *conflict)
{
	struct falcon_dev *fd;
	int err;

	ASSERT_RTNL();
	*conflict = false;
	fd = falcon_drain_take(dev);
	if (fd)
		return falcon_reattach(fd, cpus, has_stage, stage, out);
	fd = kzalloc(sizeof(*fd), GFP_KERNEL);
	if (!fd)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&fd->cpus, GFP_KERNEL)) {
		kfree(fd);
		return -ENOMEM;
	}
	fd->stats = falcon_dev_stats_alloc();
	fd->flows = falcon_flows_alloc();
	if (!fd->stats || !fd->flows) {
		err = -ENOMEM;
		goto err_free;
	}
	fd->dev = dev;
	fd->net = dev_net(dev);
	fd->net_cookie = fd->net->net_cookie;
	fd->stage = has_stage ? stage : falcon_free_stage();
	if (cpus) {
		fd->has_cpus = true;
		cpumask_copy(fd->cpus, cpus);
	}

	/* On the list first, so that hotplug keeps its set current */
	mutex_lock(&falcon_sets_mutex);
	falcon_dev_refresh(fd);
	list_add_tail(&fd->list, &falcon_devs);
	mutex_unlock(&falcon_sets_mutex);

	fd->ops.hook = falcon_hook;
	fd->ops.priv = fd;
	fd->ops.pf = NFPROTO_NETDEV;
	fd->ops.hooknum = NF_NETDEV_INGRESS;
	fd->ops.priority = INT_MAX;
	fd->ops.dev = dev;
	err = nf_register_net_hook(fd->net, &fd->ops);
	if (err)
		goto err_unlist;
	*conflict = falcon_hook_conflict(dev, &fd->ops);
	if (*conflict) {
		err = -FALCON_ERR_DEV_HOOK_CONFLICT;
		goto err_unhook;
	}
	falcon_order_warm_up(fd);
	falcon_attached(fd, out);
	return 0;

err_unhook:
	/* Its hook may have run (and queued): as a detach */
	nf_unregister_net_hook(fd->net, &fd->ops);
	falcon_detached_remember(dev);
	mutex_lock(&falcon_sets_mutex);
	list_del(&fd->list);
	mutex_unlock(&falcon_sets_mutex);
	call_rcu(&fd->rcu, falcon_dev_free_rcu);
	return err;

err_unlist:
	mutex_lock(&falcon_sets_mutex);
	list_del(&fd->list);
	mutex_unlock(&falcon_sets_mutex);

err_free:
	falcon_dev_free(fd);
	return err;
}

/*
 * Detach: off the attachment list at once. A plain detach leaves the hook in,
 * placing nothing, until the packets it queued have reached their next
 * stage (drain.c), then falcon_unhook(); an unregister unhooks at once.
 * Under RTNL and falcon_mutex.
 */
void falcon_detach(struct falcon_dev *fd, bool unregistering)
{
	ASSERT_RTNL();
	mutex_lock(&falcon_sets_mutex);
	list_del(&fd->list);
	mutex_unlock(&falcon_sets_mutex);
	falcon_nr_attached--;
	falcon_gen++;
	if (unregistering)
		falcon_unhook(fd, true);
	else
		falcon_drain_start(fd);
}

/*
 * Remove @fd's hook and free it after a grace period (hooks in flight use
 * it), with no synchronous wait under RTNL. @fd is on no list.
 *
 * @unregistering: from NETDEV_UNREGISTER. The core closed the device and
 * ran synchronize_net() before this notifier, and the hook never queues for
 * a device that is not running, so nothing of it can be queued any more:
 * purge what is. Otherwise (its drain is over) anything still queued
 * drains normally (a queued skb does not refer to its attachment) and the
 * device is remembered, so that its unregister purges what is still queued
 * then; when there is no memory to remember it, wait for hooks in flight
 * and purge now (counted, as purged). Under RTNL and falcon_mutex.
 */
void falcon_unhook(struct falcon_dev *fd, bool unregistering)
{
	bool purge = unregistering;

	ASSERT_RTNL();
	nf_unregister_net_hook(fd->net, &fd->ops);
	if (!unregistering && !falcon_detached_remember(fd->dev)) {
		synchronize_net();
		purge = true;
	}
	if (purge) {
		mutex_lock(&falcon_sets_mutex);
		falcon_queue_purge_dev(fd->dev);
		mutex_unlock(&falcon_sets_mutex);
	}
	call_rcu(&fd->rcu, falcon_dev_free_rcu);
}

static int falcon_netdev_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	bool attached, queued_earlier;
	struct falcon_dev *fd;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;

	mutex_lock(&falcon_mutex);
	/* Not found the second time round: detach is done once */
	fd = falcon_dev_find(dev);
	attached = fd;
	if (fd) {
		falcon_detach_notify(fd, FALCON_DETACH_REASON_UNREGISTERED);
	} else {
		fd = falcon_drain_take(dev);
		attached = fd;
		if (fd)
			falcon_unhook(fd, true);
	}
	queued_earlier = falcon_detached_find(dev);
	falcon_detached_forget(dev);
	if (queued_earlier) {
		/* Its hook went at detach: nothing can queue for it now */
		mutex_lock(&falcon_sets_mutex);
		falcon_queue_purge_dev(dev);
		mutex_unlock(&falcon_sets_mutex);
	}
	mutex_unlock(&falcon_mutex);
	/*
	 * A namespace move also sends NETDEV_UNREGISTER, but the device stays
	 * NETREG_REGISTERED, so a poll that dequeued its skbs before the purge
	 * reinjects them: let that finish before the device changes namespace.
	 * (A real unregister makes the poll free them instead.)
	 */
	if ((attached || queued_earlier) &&
	    dev->reg_state == NETREG_REGISTERED)
		synchronize_net();
	return NOTIFY_DONE;
}

static struct notifier_block falcon_netdev_nb = {
	.notifier_call = falcon_netdev_event,
};

int falcon_hook_init(void)
{
	return register_netdevice_notifier(&falcon_netdev_nb);
}

/*
 * Module unload: remove every hook, wait once for hooks in flight, then free
 * every queued skb (attached devices' and those a detach left to drain)
 * while RTNL still keeps their devices registered: once the notifier is gone
 * nothing would purge the skbs of a device unregistered before the NAPIs
 * stop. Nothing queues any more (hotplug went first, the hooks are gone).
 * rcu_barrier(): detached attachments freed by call_rcu() run our code.
 */
void falcon_hook_exit(void)
{
	struct falcon_detached *d, *dtmp;
	struct falcon_dev *fd, *tmp;
	LIST_HEAD(draining);

	falcon_drain_cancel();
	rtnl_lock();
	mutex_lock(&falcon_mutex);
	falcon_drain_take_all(&draining);
	list_for_each_entry(fd, &falcon_devs, list)
		nf_unregister_net_hook(fd->net, &fd->ops);
	list_for_each_entry(fd, &draining, list)
		nf_unregister_net_hook(fd->net, &fd->ops);
	synchronize_net();
	mutex_lock(&falcon_sets_mutex);
	list_for_each_entry_safe(fd, tmp, &falcon_devs, list) {
		list_del(&fd->list);
		falcon_dev_free(fd);
	}
	list_for_each_entry_safe(fd, tmp, &draining, list) {
		list_del(&fd->list);
		falcon_dev_free(fd);
	}
	falcon_nr_attached = 0;
	falcon_queue_purge_dev(NULL);
	mutex_unlock(&falcon_sets_mutex);
	list_for_each_entry_safe(d, dtmp, &falcon_detached_devs, list) {
		list_del(&d->list);
		kfree(d);
	}
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	unregister_netdevice_notifier(&falcon_netdev_nb);
	rcu_barrier();
}
