/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stage profiler's map layouts, shared by the eBPF programs
 * (stage_profile.bpf.c) and read field by field by the SDK
 * (src/profile/maps.ts decodes these exact offsets; change both together).
 */
#ifndef FALCON_STAGE_PROFILE_H
#define FALCON_STAGE_PROFILE_H

/* A device, the same across namespaces: (netns cookie, ifindex). 16 bytes. */
struct sp_dev_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 pad;
};

#define SP_MAX_DEVICES 1024	/* entries of sp_stages and sp_dev_names */

/* Name, namespace inode and sp_stages index of a device, written once when first seen. 24 bytes. */
struct sp_dev_name {
	char ifname[16];
	__u32 netns_inum;
	__u32 index;
};

/* One device's stage on one CPU (per-CPU value, indexed by sp_dev_name.index). 32 bytes. */
struct sp_stage {
	__u64 packets;		/* stages run on this CPU, each skb counted once */
	__u64 ns;		/* their time in timed NET_RX runs, docs/profiler.md */
	__u64 handoff_packets;	/* arrived here, steered away by Falcon (or dropped by it) */
	__u64 handoff_ns;	/* arrival to steer (or drop), in timed runs */
};

/* One CPU's NET_RX softirq totals (per-CPU value, index 0). 40 bytes. */
struct sp_cpu {
	__u64 net_rx_count;
	__u64 net_rx_ns;
	__u64 outside_packets;	/* netif_receive_skb outside NET_RX: counted, not timed */
	__u64 queue_wait_unknown; /* falcon_reinject with wait_ns 0 */
	__u64 untracked_packets; /* passes on devices past SP_MAX_DEVICES: in no stage */
};

/* The inner 5-tuple, addresses as 16 bytes (IPv4 in the first 4). 40 bytes. */
struct sp_flow {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;		/* host order */
	__u16 dport;
	__u8 proto;		/* IPPROTO_TCP, IPPROTO_UDP, other */
	__u8 family;		/* 4 or 6 */
	__u16 pad;
};

/* A flow's stage at a device. 56 bytes. */
struct sp_flow_key {
	struct sp_flow flow;
	struct sp_dev_key dev;
};

/* Per CPU. 16 bytes. */
struct sp_flow_stage {
	__u64 packets;
	__u64 ns;
};

#define SP_WAIT_BUCKETS 64	/* bucket i counts waits in (2^(i-1), 2^i] ns */

#endif /* FALCON_STAGE_PROFILE_H */
