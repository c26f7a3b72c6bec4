/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Falcon: internal interfaces between the module's files.
 *
 * Locking, outermost first: genl_lock (netlink ops) -> RTNL -> falcon_mutex
 * -> falcon_sets_mutex. falcon_mutex guards the configuration and the
 * attachment list. falcon_sets_mutex guards what CPU hotplug touches: the
 * global set, falcon_usable, every effective set, and the queues' purge and
 * move; and every load gate, which the monitor re-evaluates each sample.
 * Changes to the attachment list hold both, so either is enough to walk it.
 * The hotplug callbacks and the monitor take only falcon_sets_mutex: the
 * callbacks run under the CPU hotplug lock, which nf_(un)register_net_hook()
 * takes (static keys) under falcon_mutex, so taking falcon_mutex there could
 * deadlock. The datapath reads scalars and the gate with READ_ONCE and a
 * device's effective CPU set under RCU, and touches only per-CPU counters and
 * the target CPU's queue.
 */
#ifndef _FALCON_INTERNAL_H
#define _FALCON_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/smp.h>
#include <linux/types.h>
#include <uapi/linux/falcon.h>

/* config.c: global configuration */
struct falcon_config {
	u32 enabled;
	u32 mode;
	u32 policy;
	u32 threshold;
	u32 hysteresis;
	u32 interval_ms;
	u32 queue_limit;
};

extern struct falcon_config falcon_cfg;
extern struct mutex falcon_mutex;
extern struct mutex falcon_sets_mutex;
extern cpumask_var_t falcon_cpus;	/* the global CPU set */
extern cpumask_var_t falcon_usable;	/* online CPUs, as hotplug tells us */
extern unsigned int falcon_gen;		/* bumped on attach/detach (dumps) */

int falcon_config_init(void);
void falcon_config_exit(void);
unsigned int falcon_tick_ms(void);
unsigned int falcon_cpus_bytes(void);
int falcon_cpus_from_attr(const struct nlattr *attr, struct cpumask *mask,
			  struct netlink_ext_ack *extack);
int falcon_cpus_put(struct sk_buff *skb, int type, const struct cpumask *mask);

/* placement.c: the normative placement function (docs/protocol.md) */
struct falcon_eset {
	struct rcu_head rcu;
	u32 n;
	u32 cpu[];		/* ascending */
};

struct falcon_place_in {
	u32 enabled;
	u32 mode;
	u32 policy;
	u32 threshold;
	bool gate_closed;	/* the attachment's load gate */
	u32 flow_hash;
	u32 ifindex;
	u32 stage;
	const struct falcon_eset *set;	/* NULL means empty */
};

#define FALCON_NO_CPU	(-1)

struct falcon_place_out {
	u32 reason;		/* enum falcon_reason */
	int first;		/* FALCON_NO_CPU when absent */
	int second;
	int target;
};

void falcon_place(const struct falcon_place_in *in,
		  struct falcon_place_out *out);
bool falcon_gate_next(const struct falcon_eset *set, u32 threshold,
		      u32 hysteresis, bool closed, u32 *avg_load);

/* queue.c: per-CPU queues, NAPI, kicks, reinjection */

/* Why a packet of Falcon's was dropped (the falcon_drop tracepoint's reason) */
enum falcon_drop_reason {
	FALCON_DROP_QUEUE_FULL,		/* the target queue held queue_limit */
	FALCON_DROP_QUEUE_BYTES,	/* ... or its byte bound */
	FALCON_DROP_PURGED,		/* its device went (unregister, detach) */
	FALCON_DROP_UNLOAD,		/* still queued at module unload */
};

/*
 * What a queued skb carries: its enqueue time, low 32 bits of ns, for the
 * falcon_reinject tracepoint (0 when that was off). It lives in the last
 * bytes of skb->cb, which nothing uses between netdev ingress and
 * reinjection: tc ingress ran before the hook and its tc_skb_cb ends before
 * them (trace.c checks), and the reinjection skips tc.
 */
struct falcon_skb_cb {
	u32 enq_ns;
};

#define FALCON_CB_OFF	(sizeof_field(struct sk_buff, cb) - \
			 sizeof(struct falcon_skb_cb))

static inline struct falcon_skb_cb *falcon_cb(struct sk_buff *skb)
{
	return (struct falcon_skb_cb *)(skb->cb + FALCON_CB_OFF);
}

struct falcon_cpu_counters {
	u64 enqueued;
	u64 dropped;
	u64 purged;
	u64 kicks;
	u64 processed;
};

struct falcon_cpu {
	/* queue.lock also guards bytes, hwm and counters' first three */
	struct sk_buff_head queue;
	u32 bytes;		/* truesize of what the queue holds */
	u32 hwm;
	struct napi_struct napi;
	call_single_data_t csd;
	unsigned int cpu;
	unsigned int inflight;	/* taken off the queue, not yet reinjected */
	/*
	 * Quiet points (order.c): epoch counts the times this CPU's NET_RX
	 * went idle with nothing of Falcon's left to run since dirty was
	 * set. Under queue.lock; readers use READ_ONCE.
	 */
	u32 epoch;
	bool dirty;
	bool adopted;		/* ran an offline CPU's queue; this CPU's */
	/* kicks: serialised by the NAPI SCHED bit; processed: the poll's */
	struct falcon_cpu_counters counters;
	struct falcon_cpu_counters base;	/* at the last reset */

	/*
	 * monitor.c. On a line of their own: every CPU's hook reads these on
	 * every packet, while producers and the poll write the lines above.
	 */
	u64 last_busy ____cacheline_aligned_in_smp;
	u64 last_wall;
	u32 load_fp;		/* smoothed load, percent * FALCON_LOAD_SCALE */
	u32 load;		/* smoothed load, percent, rounded */
	u32 pin;
	bool pinned;
};

extern struct falcon_cpu __percpu *falcon_pcpu;

int falcon_queue_init(void);
void falcon_queue_exit(void);
u32 falcon_queue_len(unsigned int cpu);
bool falcon_enqueue(unsigned int cpu, struct sk_buff *skb, u64 *steered_in,
		    u32 *epoch, u32 *drop_reason);
void falcon_queue_purge_dev(const struct net_device *dev);
u32 falcon_queue_mark_local(void);
u32 falcon_queue_mark_dirty(unsigned int cpu);
void falcon_queue_quiet_point(void);

/* Has @cpu not been quiet since its epoch was @epoch? (order.c) */
static inline bool falcon_queue_pending(unsigned int cpu, u32 epoch)
{
	return READ_ONCE(per_cpu_ptr(falcon_pcpu, cpu)->epoch) == epoch;
}
void falcon_queue_read(unsigned int cpu, struct falcon_cpu_counters *out,
		       u32 *hwm, u32 *len);
void falcon_queue_reset_stats(void);

/* monitor.c: load monitor and pins */
#define FALCON_LOAD_SCALE	1000

int falcon_monitor_init(void);
void falcon_monitor_exit(void);
void falcon_monitor_start(void);
void falcon_monitor_reschedule(void);
u32 falcon_cpu_load(unsigned int cpu);
void falcon_pin(unsigned int cpu, u32 load);
void falcon_unpin(unsigned int cpu);
void falcon_unpin_all(void);
void falcon_loads_changed(void);

/* stats.c: per-CPU per-device counters */
struct falcon_dev_counters {
	u64 seen;
	u64 local;
	u64 gated;
	u64 second;
	u64 dropped;
	u64 deferred;		/* sent after the flow's earlier packets */
	u64 steered_in;		/* queued to this CPU */
};

/*
 * One CPU's copy. The hook on this CPU writes the first line; producers on
 * every CPU write steered_in, under this CPU's queue lock: a line of its own.
 */
struct falcon_dev_stats {
	struct falcon_dev_counters now;		/* steered_in unused here */
	u32 attach_epoch;	/* this CPU's epoch at attach (order.c) */
	struct falcon_dev_counters base;	/* at the last reset */
	u64 steered_in ____cacheline_aligned_in_smp;
};

struct falcon_dev_stats __percpu *falcon_dev_stats_alloc(void);
void falcon_dev_stats_free(struct falcon_dev_stats __percpu *stats);
void falcon_dev_stats_cpu(struct falcon_dev_stats __percpu *stats,
			  unsigned int cpu, struct falcon_dev_counters *out);
void falcon_dev_stats_sum(struct falcon_dev_stats __percpu *stats,
			  struct falcon_dev_counters *t);
void falcon_dev_stats_reset(struct falcon_dev_stats __percpu *stats);

/* hook.c: attachments */
#define FALCON_HASH_VALID	BIT_ULL(32)

struct falcon_dev {
	struct list_head list;		/* falcon_devs or draining; falcon_mutex */
	struct rcu_head rcu;		/* freed after hooks in flight */
	struct net_device *dev;		/* valid until NETDEV_UNREGISTER */
	struct net *net;		/* no reference: the device pins it */
	u64 net_cookie;
	u32 stage;
	bool has_cpus;
	cpumask_var_t cpus;		/* own set when has_cpus */
	struct falcon_eset __rcu *set;	/* effective set */
	bool gate_closed;		/* under falcon_sets_mutex; hook reads */
	struct nf_hook_ops ops;
	struct falcon_dev_stats __percpu *stats;
	u64 last_hash;			/* FALCON_HASH_VALID | hash, or 0 */
	struct falcon_flows *flows;	/* per-flow tails (order.c) */
	bool warm_ready;		/* attach_epoch is set on every CPU */
	bool draining;			/* detached, hook still in (drain.c) */
	unsigned long drain_gp;		/* RCU state to wait for (drain.c) */
	unsigned long drain_deadline;	/* jiffies */
	bool drain_clean;		/* one scan found nothing on its way */
};

extern struct list_head falcon_devs;
extern unsigned int falcon_nr_attached;	/* under falcon_mutex */

int falcon_hook_init(void);
void falcon_hook_exit(void);
struct falcon_dev *falcon_dev_find(const struct net_device *dev);
int falcon_attach(struct net_device *dev, const struct cpumask *cpus,
		  bool has_stage, u32 stage, struct falcon_dev **out,
		  bool *conflict);
void falcon_detach(struct falcon_dev *fd, bool unregistering);
void falcon_unhook(struct falcon_dev *fd, bool unregistering);
void falcon_refresh_sets(void);
void falcon_gates_update(void);
void falcon_place_dev(struct falcon_dev *fd, u32 flow_hash,
		      struct falcon_place_out *out);

/* order.c: per-flow tails, so that no flow is reordered */
struct falcon_flows;

struct falcon_flows *falcon_flows_alloc(void);
void falcon_flows_free(struct falcon_flows *flows);
void falcon_order(struct falcon_flows *flows, u32 hash, int here, bool cold,
		  struct falcon_place_out *out);
void falcon_order_record(struct falcon_flows *flows, u32 hash,
			 unsigned int cpu, u32 epoch, bool queued);
bool falcon_order_cold(const struct falcon_dev *fd);
void falcon_order_warm_up(struct falcon_dev *fd);
bool falcon_order_queued(struct falcon_flows *flows);

/* drain.c: detached attachments whose hooks wait for their packets */
void falcon_drain_start(struct falcon_dev *fd);
struct falcon_dev *falcon_drain_take(const struct net_device *dev);
void falcon_drain_take_all(struct list_head *to);
void falcon_drain_cancel(void);
int falcon_quiet_init(void);
void falcon_quiet_exit(void);

/* hotplug.c */
int falcon_hotplug_init(void);
void falcon_hotplug_exit(void);

/* netlink.c */
extern struct genl_family falcon_family;

int falcon_netlink_init(void);
void falcon_netlink_exit(void);
int falcon_put_config(struct sk_buff *skb);
int falcon_put_dev(struct sk_buff *skb, const struct falcon_dev *fd);

/*
 * notify.c: notifications to the family's multicast groups. Each is sent
 * after its change, under falcon_mutex (the order of the changes).
 */
void falcon_notify_start(void);
void falcon_notify_stop(void);
void falcon_notify_attached(const struct falcon_dev *fd);
void falcon_detach_notify(struct falcon_dev *fd, u32 reason);
void falcon_notify_config(void);

#endif /* _FALCON_INTERNAL_H */
