// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon's stage profiler: where a host's receive time goes, per CPU and per
 * device stage. docs/profiler.md defines every figure; in short, on each CPU
 * a "slot" is open from a netif_receive_skb (the skb's device stage begins)
 * until the next thing begins: another netif_receive_skb, Falcon steering or
 * dropping that skb, Falcon reinjecting another one, or the end of the
 * NET_RX softirq. The slot's packet is counted to its device on that CPU,
 * and, in the NET_RX runs drawn to be timed (one in sp_config's period), its
 * time: timing every slot is most of what these programs cost.
 *
 * A steered skb passes netif_receive_skb twice: on arrival (Falcon's hook
 * then takes it: falcon_steer closes the slot as a "handoff", no packet
 * counted) and on reinjection on the target CPU (counted there, once).
 *
 * Everything is aggregated in per-CPU maps; user space reads them.
 */
#include "falcon_min_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "stage_profile.h"

#define NET_RX_SOFTIRQ	3
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define VXLAN_PORT	4789
#define VXLAN_PORT_LINUX 8472	/* the Linux default before IANA's */
#define VXLAN_HLEN	8
#define UDP_HLEN	8
#define ETH_HLEN	14

#define MAX_FLOW_STAGES	8192
#define DEV_CACHE_SIZE	64	/* a power of two */

/* A device's index in sp_stages, as this CPU last looked it up. */
struct sp_dev_cache_entry {
	u64 netns_cookie;
	u32 ifindex;
	u32 index_plus1;	/* 0: empty; DEV_UNTRACKED: the table was full */
};

#define DEV_UNTRACKED	0xffffffffu

/* This CPU's open slot, NET_RX run and device cache (never read by user space). */
struct sp_state {
	u64 net_rx_start;	/* 0: not in NET_RX */
	u64 slot_start;		/* when the open slot began; only in a timed run */
	u32 slot_open;
	u32 timed;		/* this NET_RX run's stages are timed (drawn at its entry) */
	u64 slot_skb;
	struct sp_dev_key slot_dev;
	struct sp_flow slot_flow;
	u32 slot_index;		/* the open slot's device in sp_stages */
	u32 slot_has_flow;
	/*
	 * A hash lookup of the device costs more than the rest of a stage's
	 * accounting together: this direct-mapped cache answers it for the
	 * few devices a path crosses.
	 */
	struct sp_dev_cache_entry dev_cache[DEV_CACHE_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct sp_state);
} sp_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct sp_cpu);
} sp_cpus SEC(".maps");

/* Indexed by the device's index in sp_dev_names (an array lookup is inlined). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SP_MAX_DEVICES);
	__type(key, u32);
	__type(value, struct sp_stage);
} sp_stages SEC(".maps");

/* Every device seen: its name, namespace and index in sp_stages. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SP_MAX_DEVICES);
	__type(key, struct sp_dev_key);
	__type(value, struct sp_dev_name);
} sp_dev_names SEC(".maps");

/* Index 0: the next free index in sp_stages (may run past SP_MAX_DEVICES). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} sp_next_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, MAX_FLOW_STAGES);
	__type(key, struct sp_flow_key);
	__type(value, struct sp_flow_stage);
} sp_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SP_WAIT_BUCKETS);
	__type(key, u32);
	__type(value, u64);
} sp_queue_wait SEC(".maps");

/*
 * User space sets both after load, and scales what they sample.
 * SP_CONFIG_FLOWS: flow accounting off (0), or on for one timed slot in N
 * drawn at random (N a power of two; 1: every timed slot).
 * SP_CONFIG_TIMING: one NET_RX run in N, drawn at its entry, has its stages
 * timed (N a power of two; 0 or 1: every run). Packets are always counted.
 */
#define SP_CONFIG_FLOWS		0
#define SP_CONFIG_TIMING	1
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u32);
} sp_config SEC(".maps");

static __always_inline struct sp_state *this_state(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&sp_state, &zero);
}

static __always_inline struct sp_cpu *this_cpu_totals(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&sp_cpus, &zero);
}

static __always_inline struct sp_flow_stage *flow_stage(struct sp_flow_key *key)
{
	static const struct sp_flow_stage zero;
	struct sp_flow_stage *v = bpf_map_lookup_elem(&sp_flows, key);

	if (v)
		return v;
	bpf_map_update_elem(&sp_flows, key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sp_flows, key);
}

/*
 * Counts the open slot's packet (or handoff) to its device and closes it; in
 * a timed run, charges its time too (and its flow's, if sampled). @now: the
 * time, read only in a timed run.
 */
static __always_inline void close_slot(struct sp_state *s, u64 now, bool handoff)
{
	struct sp_flow_key fkey;
	struct sp_flow_stage *fs;
	struct sp_stage *st;
	u64 d;

	if (!s->slot_open)
		return;
	s->slot_open = 0;
	st = bpf_map_lookup_elem(&sp_stages, &s->slot_index);
	if (!st)
		return;
	d = now - s->slot_start;
	if (handoff) {
		st->handoff_packets++;
		if (s->timed)
			st->handoff_ns += d;
		return;
	}
	st->packets++;
	if (!s->timed)
		return;
	st->ns += d;
	if (!s->slot_has_flow)
		return;
	__builtin_memcpy(&fkey.flow, &s->slot_flow, sizeof(fkey.flow));
	__builtin_memcpy(&fkey.dev, &s->slot_dev, sizeof(fkey.dev));
	fs = flow_stage(&fkey);
	if (fs) {
		fs->packets++;
		fs->ns += d;
	}
}

/* The time now if this run is timed (else 0: nothing will read it). */
static __always_inline u64 now_if_timed(struct sp_state *s)
{
	return s->timed ? bpf_ktime_get_ns() : 0;
}

/*
 * Reads one IP header at @p (ethertype @proto, host order) into @f; returns
 * the UDP destination port (0 when not UDP) so the caller can spot VXLAN, or
 * -1 when @p holds no IPv4/IPv6 header. @l4 gets the transport header.
 */
static __always_inline int parse_ip(const u8 *p, u16 proto, struct sp_flow *f, const u8 **l4)
{
	u8 h[40];
	u16 ports[2];

	__builtin_memset(f, 0, sizeof(*f));
	if (proto == ETH_P_IP) {
		u16 frag;

		if (bpf_probe_read_kernel(h, 20, p))
			return -1;
		f->family = 4;
		f->proto = h[9];
		__builtin_memcpy(f->saddr, &h[12], 4);
		__builtin_memcpy(f->daddr, &h[16], 4);
		*l4 = p + (h[0] & 0xf) * 4;
		frag = ((u16)h[6] << 8 | h[7]) & 0x1fff;
		if (frag)
			return 0;	/* no ports in a later fragment */
	} else if (proto == ETH_P_IPV6) {
		if (bpf_probe_read_kernel(h, 40, p))
			return -1;
		f->family = 6;
		f->proto = h[6];	/* extension headers: reported as that protocol, no ports */
		__builtin_memcpy(f->saddr, &h[8], 16);
		__builtin_memcpy(f->daddr, &h[24], 16);
		*l4 = p + 40;
	} else {
		return -1;
	}
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return 0;
	if (bpf_probe_read_kernel(ports, sizeof(ports), *l4))
		return 0;
	f->sport = __builtin_bswap16(ports[0]);
	f->dport = __builtin_bswap16(ports[1]);
	return f->proto == IPPROTO_UDP ? f->dport : 0;
}

/* Fills @f from an IPv4 header without options at @ip, its ports right after it. */
static __always_inline void flow_from_v4(const u8 *ip, struct sp_flow *f)
{
	__builtin_memset(f, 0, sizeof(*f));
	f->family = 4;
	f->proto = ip[9];
	__builtin_memcpy(f->saddr, &ip[12], 4);
	__builtin_memcpy(f->daddr, &ip[16], 4);
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return;
	f->sport = (u16)ip[20] << 8 | ip[21];
	f->dport = (u16)ip[22] << 8 | ip[23];
}

/* Outer IPv4 + UDP + VXLAN + inner Ethernet + inner IPv4 + ports. */
#define FAST_LEN	(20 + UDP_HLEN + VXLAN_HLEN + ETH_HLEN + 20 + 4)
#define FAST_INNER_IP	(20 + UDP_HLEN + VXLAN_HLEN + ETH_HLEN)

/*
 * The common shape in one read (every extra bpf_probe_read_kernel costs a
 * call on the hot path): IPv4 without options or fragment offset, and for
 * VXLAN an inner IPv4 likewise. Bytes past a short packet's end are read but
 * never used. False: not that shape, the general parser decides.
 */
static __always_inline bool parse_flow_fast(const u8 *p, struct sp_flow *f)
{
	u8 b[FAST_LEN];
	const u8 *in = &b[FAST_INNER_IP];
	u16 dport;

	if (bpf_probe_read_kernel(b, sizeof(b), p))
		return false;
	if (b[0] != 0x45 || (((u16)b[6] << 8 | b[7]) & 0x1fff))
		return false;
	dport = (u16)b[22] << 8 | b[23];
	if (b[9] != IPPROTO_UDP || (dport != VXLAN_PORT && dport != VXLAN_PORT_LINUX)) {
		flow_from_v4(b, f);
		return true;
	}
	if (in[-2] != 0x08 || in[-1] != 0x00 || in[0] != 0x45 || (((u16)in[6] << 8 | in[7]) & 0x1fff))
		return false;
	flow_from_v4(in, f);
	return true;
}

/* The skb's inner 5-tuple: for a VXLAN packet (outer UDP 4789/8472), the encapsulated one. */
static __always_inline bool parse_flow(struct sk_buff *skb, struct sp_flow *f)
{
	/* tp_btf: the skb is a trusted BTF pointer, read directly (no helper call). */
	const u8 *p = skb->data;
	u16 proto = __builtin_bswap16(skb->protocol);
	struct sp_flow in;
	const u8 *l4 = 0;
	u16 inner;
	int udp;

	if (proto == ETH_P_IP && parse_flow_fast(p, f))
		return true;

	udp = parse_ip(p, proto, f, &l4);
	if (udp < 0)
		return false;
	if (udp != VXLAN_PORT && udp != VXLAN_PORT_LINUX)
		return true;
	p = l4 + UDP_HLEN + VXLAN_HLEN;
	if (bpf_probe_read_kernel(&inner, sizeof(inner), p + 12))
		return true;
	if (parse_ip(p + ETH_HLEN, __builtin_bswap16(inner), &in, &l4) >= 0)
		__builtin_memcpy(f, &in, sizeof(in));
	return true;	/* else the outer 5-tuple */
}

/* Whether this slot's flow is accounted: flows on, and this slot drawn. */
static __always_inline bool flow_sampled(void)
{
	u32 key = SP_CONFIG_FLOWS;
	u32 *period = bpf_map_lookup_elem(&sp_config, &key);

	if (!period || !*period)
		return false;
	return *period == 1 || !(bpf_get_prandom_u32() & (*period - 1));
}

/* Whether the NET_RX run beginning now has its stages timed. */
static __always_inline bool run_timed(void)
{
	u32 key = SP_CONFIG_TIMING;
	u32 *period = bpf_map_lookup_elem(&sp_config, &key);

	if (!period || *period <= 1)
		return true;
	return !(bpf_get_prandom_u32() & (*period - 1));
}

enum index_result { INDEX_FOUND, INDEX_TABLE_FULL, INDEX_FAILED };

/*
 * The device's index in sp_stages from sp_dev_names, given (with its name)
 * on first sight. INDEX_TABLE_FULL for good; INDEX_FAILED may pass.
 */
static __always_inline enum index_result index_of(struct net_device *dev, struct sp_dev_key *key,
						  u32 *index)
{
	struct sp_dev_name name = {};
	struct sp_dev_name *known;
	u32 zero = 0;
	u32 *next;

	known = bpf_map_lookup_elem(&sp_dev_names, key);
	if (known) {
		*index = known->index;
		return INDEX_FOUND;
	}
	next = bpf_map_lookup_elem(&sp_next_index, &zero);
	if (!next)
		return INDEX_FAILED;
	if (*next >= SP_MAX_DEVICES)
		return INDEX_TABLE_FULL;
	name.index = __sync_fetch_and_add(next, 1);
	if (name.index >= SP_MAX_DEVICES)
		return INDEX_TABLE_FULL;
	BPF_CORE_READ_STR_INTO(&name.ifname, dev, name);
	name.netns_inum = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	/* Another CPU may have named it meanwhile: its index wins, this one stays unused. */
	bpf_map_update_elem(&sp_dev_names, key, &name, BPF_NOEXIST);
	known = bpf_map_lookup_elem(&sp_dev_names, key);
	if (!known)
		return INDEX_FAILED;
	*index = known->index;
	return INDEX_FOUND;
}

/* The device's index in sp_stages: from this CPU's cache, else looked up and cached. */
static __always_inline bool cached_index_of(struct sp_state *s, struct net_device *dev,
					    struct sp_dev_key *key, u32 *index)
{
	u32 h = (key->ifindex * 0x9e3779b1u ^ (u32)key->netns_cookie * 0x85ebca6bu) >> 26;
	struct sp_dev_cache_entry *e = &s->dev_cache[h & (DEV_CACHE_SIZE - 1)];

	if (e->index_plus1 && e->ifindex == key->ifindex && e->netns_cookie == key->netns_cookie) {
		*index = e->index_plus1 - 1;
		return e->index_plus1 != DEV_UNTRACKED;
	}
	/* Emptied first: a nested run must not pair the new key with the old index. */
	e->index_plus1 = 0;
	e->netns_cookie = key->netns_cookie;
	e->ifindex = key->ifindex;
	switch (index_of(dev, key, index)) {
	case INDEX_FOUND:
		break;
	case INDEX_TABLE_FULL:
		e->index_plus1 = DEV_UNTRACKED;	/* not looked up again for every packet */
		return false;
	default:
		return false;
	}
	e->index_plus1 = *index + 1;
	return true;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(sp_receive, struct sk_buff *skb)
{
	struct sp_state *s = this_state();
	struct sp_dev_key key = {};
	struct net_device *dev;
	struct sp_stage *st;
	struct sp_cpu *c;
	u32 index;
	u64 now;

	if (!s)
		return 0;
	now = now_if_timed(s);
	close_slot(s, now, false);
	dev = skb->dev;
	if (!dev)
		return 0;
	key.ifindex = dev->ifindex;
	key.netns_cookie = dev->nd_net.net->net_cookie;
	if (!cached_index_of(s, dev, &key, &index)) {
		c = this_cpu_totals();
		if (c)
			c->untracked_packets++;
		return 0;
	}
	if (!s->net_rx_start) {
		/* Not in a NET_RX softirq: counted, not timed. */
		st = bpf_map_lookup_elem(&sp_stages, &index);
		if (st)
			st->packets++;
		c = this_cpu_totals();
		if (c)
			c->outside_packets++;
		return 0;
	}
	s->slot_open = 1;
	s->slot_start = now;
	s->slot_skb = (u64)skb;
	s->slot_dev = key;
	s->slot_index = index;
	s->slot_has_flow = s->timed && flow_sampled() && parse_flow(skb, &s->slot_flow);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(sp_softirq_entry, unsigned int vec_nr)
{
	struct sp_state *s;

	if (vec_nr != NET_RX_SOFTIRQ)
		return 0;
	s = this_state();
	if (s) {
		s->net_rx_start = bpf_ktime_get_ns();
		s->slot_open = 0;
		s->timed = run_timed();
	}
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(sp_softirq_exit, unsigned int vec_nr)
{
	struct sp_state *s;
	struct sp_cpu *c;
	u64 now;

	if (vec_nr != NET_RX_SOFTIRQ)
		return 0;
	s = this_state();
	c = this_cpu_totals();
	if (!s || !c)
		return 0;
	now = bpf_ktime_get_ns();
	close_slot(s, now, false);
	s->timed = 0;
	if (s->net_rx_start) {	/* 0 when attached mid-softirq */
		c->net_rx_count++;
		c->net_rx_ns += now - s->net_rx_start;
		s->net_rx_start = 0;
	}
	return 0;
}

/*
 * falcon.ko's classic tracepoints (the module has no BTF). Layouts as in
 * /sys/kernel/tracing/events/falcon/<event>/format; the SDK checks the
 * format file against these offsets before attaching (src/profile/falcon-events.ts).
 */
struct falcon_steer_ctx {
	u64 common;
	u64 skbaddr;
	u64 netns_cookie;
	int ifindex;
	char ifname[16];
	u32 stage;
	u32 hash;
	int from_cpu;
	int to_cpu;
	u32 reason;
	u32 qlen;
};

struct falcon_reinject_ctx {
	u64 common;
	u64 skbaddr;
	u64 netns_cookie;
	int ifindex;
	char ifname[16];
	int cpu;
	u64 wait_ns;
};

struct falcon_drop_ctx {
	u64 common;
	u64 skbaddr;
	u64 netns_cookie;
	int ifindex;
	char ifname[16];
	int cpu;
	u32 reason;
};

/* Falcon took (or dropped) the skb whose stage is open here: its arrival ends as a handoff. */
static __always_inline void handoff(u64 skbaddr)
{
	struct sp_state *s = this_state();

	if (s && s->slot_open && s->slot_skb == skbaddr)
		close_slot(s, now_if_timed(s), true);
}

SEC("tracepoint/falcon/falcon_steer")
int sp_falcon_steer(struct falcon_steer_ctx *ctx)
{
	handoff(ctx->skbaddr);
	return 0;
}

SEC("tracepoint/falcon/falcon_drop")
int sp_falcon_drop(struct falcon_drop_ctx *ctx)
{
	handoff(ctx->skbaddr);
	return 0;
}

/* ceil(log2(v)) for v >= 1: the bucket whose upper bound 2^i holds v. */
static __always_inline u32 wait_bucket(u64 v)
{
	u64 x = v - 1;
	u32 b = 0;

	if (x >> 32) {
		b += 32;
		x >>= 32;
	}
	if (x >> 16) {
		b += 16;
		x >>= 16;
	}
	if (x >> 8) {
		b += 8;
		x >>= 8;
	}
	if (x >> 4) {
		b += 4;
		x >>= 4;
	}
	if (x >> 2) {
		b += 2;
		x >>= 2;
	}
	if (x >> 1) {
		b += 1;
		x >>= 1;
	}
	return v <= 1 ? 0 : b + x;
}

SEC("tracepoint/falcon/falcon_reinject")
int sp_falcon_reinject(struct falcon_reinject_ctx *ctx)
{
	struct sp_state *s = this_state();
	u64 wait = ctx->wait_ns;
	u32 bucket;
	u64 *n;

	/* The previous skb's stage ends where Falcon's next handoff begins. */
	if (s)
		close_slot(s, now_if_timed(s), false);
	if (!wait) {
		struct sp_cpu *c = this_cpu_totals();

		if (c)
			c->queue_wait_unknown++;
		return 0;
	}
	bucket = wait_bucket(wait);
	if (bucket >= SP_WAIT_BUCKETS)
		bucket = SP_WAIT_BUCKETS - 1;
	n = bpf_map_lookup_elem(&sp_queue_wait, &bucket);
	if (n)
		(*n)++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
