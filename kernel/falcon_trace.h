/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Falcon's tracepoints (docs/tracepoints.md). Every field is fixed-size so
 * that eBPF programs can read an event with a hand-written context struct
 * (falcon.ko has no BTF); the profiler checks these layouts against the
 * format files, so a change here is caught there.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM falcon

#if !defined(_FALCON_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FALCON_TRACE_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tracepoint.h>
#include <net/net_namespace.h>
#include "internal.h"

/* User space (perf, trace-cmd) resolves the symbols of the print formats */
TRACE_DEFINE_ENUM(FALCON_REASON_DISABLED);
TRACE_DEFINE_ENUM(FALCON_REASON_NO_CPUS);
TRACE_DEFINE_ENUM(FALCON_REASON_GATED);
TRACE_DEFINE_ENUM(FALCON_REASON_FIRST);
TRACE_DEFINE_ENUM(FALCON_REASON_SECOND);
TRACE_DEFINE_ENUM(FALCON_REASON_FIRST_KEPT);
TRACE_DEFINE_ENUM(FALCON_REASON_DEFERRED);
TRACE_DEFINE_ENUM(FALCON_REASON_SLOT_BUSY);
TRACE_DEFINE_ENUM(FALCON_DROP_QUEUE_FULL);
TRACE_DEFINE_ENUM(FALCON_DROP_QUEUE_BYTES);
TRACE_DEFINE_ENUM(FALCON_DROP_PURGED);
TRACE_DEFINE_ENUM(FALCON_DROP_UNLOAD);

#define falcon_show_reason(r)					\
	__print_symbolic(r,					\
			 { FALCON_REASON_DISABLED, "disabled" },	\
			 { FALCON_REASON_NO_CPUS, "no-cpus" },	\
			 { FALCON_REASON_GATED, "gated" },		\
			 { FALCON_REASON_FIRST, "first" },		\
			 { FALCON_REASON_SECOND, "second" },	\
			 { FALCON_REASON_FIRST_KEPT, "first-kept" },	\
			 { FALCON_REASON_DEFERRED, "deferred" },	\
			 { FALCON_REASON_SLOT_BUSY, "slot-busy" })

#define falcon_show_drop(r)					\
	__print_symbolic(r,					\
			 { FALCON_DROP_QUEUE_FULL, "queue-full" },	\
			 { FALCON_DROP_QUEUE_BYTES, "queue-bytes" },	\
			 { FALCON_DROP_PURGED, "purged" },		\
			 { FALCON_DROP_UNLOAD, "unload" })

/* The hook queued @skb, received on @dev, to @to_cpu. */
TRACE_EVENT(falcon_steer,
	TP_PROTO(const struct sk_buff *skb, const struct net_device *dev,
		 u32 stage, u32 hash, int to_cpu, u32 reason, u32 qlen),
	TP_ARGS(skb, dev, stage, hash, to_cpu, reason, qlen),
	TP_STRUCT__entry(
		__field(const void *, skbaddr)
		__field(u64, netns_cookie)
		__field(int, ifindex)
		__array(char, ifname, IFNAMSIZ)
		__field(u32, stage)
		__field(u32, hash)
		__field(int, from_cpu)
		__field(int, to_cpu)
		__field(u32, reason)
		__field(u32, qlen)
	),
	TP_fast_assign(
		__entry->skbaddr = skb;
		__entry->netns_cookie = dev_net(dev)->net_cookie;
		__entry->ifindex = dev->ifindex;
		memcpy(__entry->ifname, dev->name, IFNAMSIZ);
		__entry->stage = stage;
		__entry->hash = hash;
		__entry->from_cpu = raw_smp_processor_id();
		__entry->to_cpu = to_cpu;
		__entry->reason = reason;
		__entry->qlen = qlen;
	),
	TP_printk("dev=%s ifindex=%d netns_cookie=%llu stage=%u hash=0x%08x from=%d to=%d reason=%s qlen=%u skbaddr=%p",
		  __entry->ifname, __entry->ifindex, __entry->netns_cookie,
		  __entry->stage, __entry->hash, __entry->from_cpu,
		  __entry->to_cpu, falcon_show_reason(__entry->reason),
		  __entry->qlen, __entry->skbaddr)
);

/* A queued @skb is about to run its device's stage on this CPU. */
TRACE_EVENT(falcon_reinject,
	TP_PROTO(const struct sk_buff *skb, u64 wait_ns),
	TP_ARGS(skb, wait_ns),
	TP_STRUCT__entry(
		__field(const void *, skbaddr)
		__field(u64, netns_cookie)
		__field(int, ifindex)
		__array(char, ifname, IFNAMSIZ)
		__field(int, cpu)
		__field(u64, wait_ns)
	),
	TP_fast_assign(
		__entry->skbaddr = skb;
		__entry->netns_cookie = dev_net(skb->dev)->net_cookie;
		__entry->ifindex = skb->dev->ifindex;
		memcpy(__entry->ifname, skb->dev->name, IFNAMSIZ);
		__entry->cpu = raw_smp_processor_id();
		__entry->wait_ns = wait_ns;
	),
	TP_printk("dev=%s ifindex=%d netns_cookie=%llu cpu=%d wait_ns=%llu skbaddr=%p",
		  __entry->ifname, __entry->ifindex, __entry->netns_cookie,
		  __entry->cpu, __entry->wait_ns, __entry->skbaddr)
);

/* Falcon dropped @skb (counted in its statistics too). */
TRACE_EVENT(falcon_drop,
	TP_PROTO(const struct sk_buff *skb, const struct net_device *dev,
		 u32 reason),
	TP_ARGS(skb, dev, reason),
	TP_STRUCT__entry(
		__field(const void *, skbaddr)
		__field(u64, netns_cookie)
		__field(int, ifindex)
		__array(char, ifname, IFNAMSIZ)
		__field(int, cpu)
		__field(u32, reason)
	),
	TP_fast_assign(
		__entry->skbaddr = skb;
		__entry->netns_cookie = dev_net(dev)->net_cookie;
		__entry->ifindex = dev->ifindex;
		memcpy(__entry->ifname, dev->name, IFNAMSIZ);
		__entry->cpu = raw_smp_processor_id();
		__entry->reason = reason;
	),
	TP_printk("dev=%s ifindex=%d netns_cookie=%llu cpu=%d reason=%s skbaddr=%p",
		  __entry->ifname, __entry->ifindex, __entry->netns_cookie,
		  __entry->cpu, falcon_show_drop(__entry->reason),
		  __entry->skbaddr)
);

/*
 * The placement wanted @to_cpu (-1: in place) for @skb, but its flow's
 * earlier packets are still on their way on @from_cpu: it follows them.
 */
TRACE_EVENT(falcon_defer,
	TP_PROTO(const struct sk_buff *skb, const struct net_device *dev,
		 u32 hash, int from_cpu, int to_cpu, u32 reason),
	TP_ARGS(skb, dev, hash, from_cpu, to_cpu, reason),
	TP_STRUCT__entry(
		__field(const void *, skbaddr)
		__field(u64, netns_cookie)
		__field(int, ifindex)
		__array(char, ifname, IFNAMSIZ)
		__field(u32, hash)
		__field(int, from_cpu)
		__field(int, to_cpu)
		__field(u32, reason)
	),
	TP_fast_assign(
		__entry->skbaddr = skb;
		__entry->netns_cookie = dev_net(dev)->net_cookie;
		__entry->ifindex = dev->ifindex;
		memcpy(__entry->ifname, dev->name, IFNAMSIZ);
		__entry->hash = hash;
		__entry->from_cpu = from_cpu;
		__entry->to_cpu = to_cpu;
		__entry->reason = reason;
	),
	TP_printk("dev=%s ifindex=%d netns_cookie=%llu hash=0x%08x from=%d to=%d reason=%s skbaddr=%p",
		  __entry->ifname, __entry->ifindex, __entry->netns_cookie,
		  __entry->hash, __entry->from_cpu, __entry->to_cpu,
		  falcon_show_reason(__entry->reason), __entry->skbaddr)
);

/* An attachment's load gate opened or closed at average load @load (%). */
TRACE_EVENT(falcon_gate,
	TP_PROTO(const struct net_device *dev, bool closed, u32 load),
	TP_ARGS(dev, closed, load),
	TP_STRUCT__entry(
		__field(u64, netns_cookie)
		__field(int, ifindex)
		__array(char, ifname, IFNAMSIZ)
		__field(u32, closed)
		__field(u32, load)
	),
	TP_fast_assign(
		__entry->netns_cookie = dev_net(dev)->net_cookie;
		__entry->ifindex = dev->ifindex;
		memcpy(__entry->ifname, dev->name, IFNAMSIZ);
		__entry->closed = closed;
		__entry->load = load;
	),
	TP_printk("dev=%s ifindex=%d netns_cookie=%llu %s load=%u",
		  __entry->ifname, __entry->ifindex, __entry->netns_cookie,
		  __entry->closed ? "closed" : "open", __entry->load)
);

#endif /* _FALCON_TRACE_H */

/* Out of tree: the header is found next to the sources (Kbuild adds -I$(src)) */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE falcon_trace
#include <trace/define_trace.h>
