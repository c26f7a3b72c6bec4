// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: the Generic Netlink family "falcon", version 1. docs/protocol.md
 * is the contract (the TypeScript mock implements the same document): the
 * order of the checks below and every errno and message are part of it.
 *
 * Each op has its own strict policy over the whole attribute space, generated
 * with the ops table from the spec's checks (falcon_nl_gen.c), so an
 * attribute of the family that the op does not take is refused by the policy
 * layer ("Unsupported attribute"), one past the family's max as "Unknown
 * attribute type".
 */
#include <linux/capability.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/netlink.h>
#include "internal.h"
#include "falcon_messages.h"
#include "falcon_nl_gen.h"

/*
 * Who sees which attachments (dumps, pick). Falcon's state is host-wide,
 * like the net.core sysctls that exist only in init_net: an admin of the
 * initial namespace (CAP_NET_ADMIN in the initial user namespace, request
 * from init_net) sees every attachment; anyone else only those of the
 * network namespace their socket lives in. The capability check is audited:
 * do it once per request, not once per attachment.
 */
struct falcon_viewer {
	const struct net *net;
	bool all;
};

static struct falcon_viewer falcon_viewer_of(const struct sk_buff *skb)
{
	struct falcon_viewer v = { .net = sock_net(skb->sk) };

	v.all = net_eq(v.net, &init_net) && netlink_capable(skb, CAP_NET_ADMIN);
	return v;
}

static bool falcon_sees(const struct falcon_viewer *v,
			const struct falcon_dev *fd)
{
	return v->all || net_eq(fd->net, v->net);
}

/*
 * Every mutation comes from the initial network namespace. GENL_ADMIN_PERM
 * has checked CAP_NET_ADMIN in the initial user namespace, which a netns
 * admin without a user namespace (a CNI or VPN pod) also has.
 */
static int falcon_check_init_netns(struct genl_info *info)
{
	if (net_eq(genl_info_net(info), &init_net))
		return 0;
	GENL_SET_ERR_MSG(info, FALCON_MSG_NOT_INIT_NETNS);
	return -FALCON_ERR_NOT_INIT_NETNS;
}

/* ifindex xor ifname. */
static int falcon_check_dev_attrs(struct genl_info *info)
{
	struct nlattr **a = info->attrs;

	if (!a[FALCON_A_IFINDEX] && !a[FALCON_A_IFNAME]) {
		GENL_SET_ERR_MSG(info, FALCON_MSG_DEV_MISSING);
		return -FALCON_ERR_DEV_MISSING;
	}
	if (a[FALCON_A_IFINDEX] && a[FALCON_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[FALCON_A_IFNAME],
				    FALCON_MSG_DEV_BOTH);
		return -FALCON_ERR_DEV_BOTH;
	}
	return 0;
}

/*
 * The device the request names, in netns-fd's namespace or the caller's.
 * Under RTNL; the device stays valid until RTNL is dropped.
 */
static int falcon_lookup_dev(struct genl_info *info, struct net_device **devp)
{
	struct nlattr **a = info->attrs;
	struct net_device *dev;
	struct net *net;

	if (a[FALCON_A_NETNS_FD]) {
		net = get_net_ns_by_fd(nla_get_u32(a[FALCON_A_NETNS_FD]));
		if (IS_ERR(net)) {
			if (PTR_ERR(net) == -EBADF) {
				NL_SET_ERR_MSG_ATTR(info->extack,
						    a[FALCON_A_NETNS_FD],
						    FALCON_MSG_NETNS_BAD_FD);
				return -FALCON_ERR_NETNS_BAD_FD;
			}
			NL_SET_ERR_MSG_ATTR(info->extack, a[FALCON_A_NETNS_FD],
					    FALCON_MSG_NETNS_NOT_NETNS);
			return -FALCON_ERR_NETNS_NOT_NETNS;
		}
	} else {
		net = get_net(genl_info_net(info));
	}

	if (a[FALCON_A_IFINDEX])
		dev = __dev_get_by_index(net, nla_get_u32(a[FALCON_A_IFINDEX]));
	else
		dev = __dev_get_by_name(net, nla_data(a[FALCON_A_IFNAME]));
	put_net(net);
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[FALCON_A_IFINDEX] ?: a[FALCON_A_IFNAME],
				    FALCON_MSG_DEV_UNKNOWN);
		return -FALCON_ERR_DEV_UNKNOWN;
	}
	*devp = dev;
	return 0;
}

/* The attachment the request names; under RTNL and falcon_mutex. */
static int falcon_lookup_attached(const struct sk_buff *skb,
				  struct genl_info *info,
				  struct falcon_dev **fdp)
{
	struct falcon_viewer viewer;
	struct net_device *dev;
	struct falcon_dev *fd;
	int err;

	err = falcon_lookup_dev(info, &dev);
	if (err)
		return err;
	fd = falcon_dev_find(dev);
	viewer = falcon_viewer_of(skb);
	/* Another namespace's attachment is, to this caller, not attached */
	if (!fd || !falcon_sees(&viewer, fd)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[FALCON_A_IFINDEX] ?:
				    info->attrs[FALCON_A_IFNAME],
				    FALCON_MSG_DEV_NOT_ATTACHED);
		return -FALCON_ERR_DEV_NOT_ATTACHED;
	}
	*fdp = fd;
	return 0;
}

/* The configuration: get-config and set-config replies, config-ntf. */
int falcon_put_config(struct sk_buff *skb)
{
	if (nla_put_u32(skb, FALCON_A_ENABLED, falcon_cfg.enabled) ||
	    falcon_cpus_put(skb, FALCON_A_CPUS, falcon_cpus) ||
	    nla_put_u32(skb, FALCON_A_MODE, falcon_cfg.mode) ||
	    nla_put_u32(skb, FALCON_A_POLICY, falcon_cfg.policy) ||
	    nla_put_u32(skb, FALCON_A_THRESHOLD, falcon_cfg.threshold) ||
	    nla_put_u32(skb, FALCON_A_HYSTERESIS, falcon_cfg.hysteresis) ||
	    nla_put_u32(skb, FALCON_A_INTERVAL_MS, falcon_cfg.interval_ms) ||
	    nla_put_u32(skb, FALCON_A_QUEUE_LIMIT, falcon_cfg.queue_limit) ||
	    nla_put_u32(skb, FALCON_A_NR_CPU_IDS, nr_cpu_ids) ||
	    falcon_cpus_put(skb, FALCON_A_ONLINE_CPUS, falcon_usable) ||
	    nla_put_u32(skb, FALCON_A_TICK_MS, falcon_tick_ms()))
		return -EMSGSIZE;
	return 0;
}

/*
 * Replies in two steps, so that a request that changes something allocates
 * its reply first: once the change is applied, nothing can fail any more
 * (docs/protocol.md: a failed request changes nothing).
 */
struct falcon_reply {
	struct sk_buff *msg;
	void *hdr;
};

static int falcon_reply_prepare(struct genl_info *info, u8 cmd,
				struct falcon_reply *r)
{
	r->msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!r->msg)
		return -ENOMEM;
	r->hdr = genlmsg_put_reply(r->msg, info, &falcon_family, 0, cmd);
	if (!r->hdr) {
		nlmsg_free(r->msg);
		return -EMSGSIZE;
	}
	return 0;
}

/*
 * Fills and sends a prepared reply. Our replies are far below
 * NLMSG_GOODSIZE, so filling cannot run out of room; a reply the caller's
 * full socket cannot take is reported to it as ENOBUFS by netlink itself.
 * Neither undoes a change, so the request itself succeeded: return 0.
 */
static int falcon_reply_send(struct genl_info *info, struct falcon_reply *r,
			     int (*fill)(struct sk_buff *skb, const void *arg),
			     const void *arg)
{
	if (fill(r->msg, arg)) {
		nlmsg_free(r->msg);
		return 0;
	}
	genlmsg_end(r->msg, r->hdr);
	genlmsg_reply(r->msg, info);
	return 0;
}

/* Reply to a request that changed nothing with @cmd and what @fill puts. */
static int falcon_reply(struct genl_info *info, u8 cmd,
			int (*fill)(struct sk_buff *skb, const void *arg),
			const void *arg)
{
	struct falcon_reply r;
	int err;

	err = falcon_reply_prepare(info, cmd, &r);
	if (err)
		return err;
	err = fill(r.msg, arg);
	if (err) {
		nlmsg_free(r.msg);
		return err;
	}
	genlmsg_end(r.msg, r.hdr);
	return genlmsg_reply(r.msg, info);
}

static int falcon_fill_config(struct sk_buff *skb, const void *arg)
{
	return falcon_put_config(skb);
}

int falcon_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	mutex_lock(&falcon_mutex);
	err = falcon_reply(info, FALCON_CMD_GET_CONFIG, falcon_fill_config,
			   NULL);
	mutex_unlock(&falcon_mutex);
	return err;
}

int falcon_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct falcon_reply reply;
	cpumask_var_t cpus;
	u32 interval = 0;
	int err;

	err = falcon_check_init_netns(info);
	if (err)
		return err;
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	err = falcon_reply_prepare(info, FALCON_CMD_SET_CONFIG, &reply);
	if (err)
		goto out_free;
	mutex_lock(&falcon_mutex);

	/* Validate everything before changing anything */
	if (a[FALCON_A_CPUS]) {
		err = falcon_cpus_from_attr(a[FALCON_A_CPUS], cpus, info->extack);
		if (err)
			goto out;
	}
	if (a[FALCON_A_INTERVAL_MS]) {
		interval = nla_get_u32(a[FALCON_A_INTERVAL_MS]);
		if (interval % falcon_tick_ms()) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[FALCON_A_INTERVAL_MS],
					    FALCON_MSG_INTERVAL_NOT_TICK);
			err = -FALCON_ERR_INTERVAL_NOT_TICK;
			goto out;
		}
	}

	/*
	 * Under falcon_sets_mutex: the load gates are re-evaluated once, with
	 * the whole change, never by a monitor sample half-way through it.
	 */
	mutex_lock(&falcon_sets_mutex);
	if (a[FALCON_A_ENABLED])
		WRITE_ONCE(falcon_cfg.enabled, nla_get_u32(a[FALCON_A_ENABLED]));
	if (a[FALCON_A_MODE])
		WRITE_ONCE(falcon_cfg.mode, nla_get_u32(a[FALCON_A_MODE]));
	if (a[FALCON_A_POLICY])
		WRITE_ONCE(falcon_cfg.policy, nla_get_u32(a[FALCON_A_POLICY]));
	if (a[FALCON_A_THRESHOLD])
		WRITE_ONCE(falcon_cfg.threshold,
			   nla_get_u32(a[FALCON_A_THRESHOLD]));
	if (a[FALCON_A_HYSTERESIS])
		WRITE_ONCE(falcon_cfg.hysteresis,
			   nla_get_u32(a[FALCON_A_HYSTERESIS]));
	if (a[FALCON_A_QUEUE_LIMIT])
		WRITE_ONCE(falcon_cfg.queue_limit,
			   nla_get_u32(a[FALCON_A_QUEUE_LIMIT]));
	if (a[FALCON_A_CPUS]) {
		cpumask_copy(falcon_cpus, cpus);
		falcon_refresh_sets();
	}
	falcon_gates_update();
	mutex_unlock(&falcon_sets_mutex);
	if (a[FALCON_A_INTERVAL_MS] && interval != falcon_cfg.interval_ms) {
		WRITE_ONCE(falcon_cfg.interval_ms, interval);
		/* With nothing attached the monitor is stopped: leave it so */
		if (falcon_nr_attached)
			falcon_monitor_reschedule();
	}
	falcon_notify_config();

	err = falcon_reply_send(info, &reply, falcon_fill_config, NULL);
	mutex_unlock(&falcon_mutex);
	goto out_free;
out:
	mutex_unlock(&falcon_mutex);
	nlmsg_free(reply.msg);
out_free:
	free_cpumask_var(cpus);
	return err;
}

/* An attachment: attach replies, get-device, attach-ntf and detach-ntf. */
int falcon_put_dev(struct sk_buff *skb, const struct falcon_dev *fd)
{
	if (nla_put_u32(skb, FALCON_A_IFINDEX, fd->dev->ifindex) ||
	    nla_put_string(skb, FALCON_A_IFNAME, fd->dev->name) ||
	    nla_put_u64_64bit(skb, FALCON_A_NETNS_COOKIE, fd->net_cookie,
			      FALCON_A_PAD) ||
	    nla_put_u32(skb, FALCON_A_NETNS_INUM, fd->net->ns.inum) ||
	    nla_put_u32(skb, FALCON_A_STAGE, fd->stage))
		return -EMSGSIZE;
	if (fd->has_cpus && falcon_cpus_put(skb, FALCON_A_CPUS, fd->cpus))
		return -EMSGSIZE;
	return 0;
}

static int falcon_fill_dev(struct sk_buff *skb, const void *arg)
{
	return falcon_put_dev(skb, arg);
}

int falcon_nl_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct falcon_reply reply;
	struct net_device *dev;
	struct falcon_dev *fd;
	bool conflict = false;
	cpumask_var_t cpus;
	int err;

	err = falcon_check_init_netns(info);
	if (err)
		return err;
	err = falcon_check_dev_attrs(info);
	if (err)
		return err;
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	err = falcon_reply_prepare(info, FALCON_CMD_ATTACH, &reply);
	if (err)
		goto out_free;

	rtnl_lock();
	mutex_lock(&falcon_mutex);
	err = falcon_lookup_dev(info, &dev);
	if (err)
		goto out;
	if (falcon_dev_find(dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[FALCON_A_IFINDEX] ?: a[FALCON_A_IFNAME],
				    FALCON_MSG_DEV_ATTACHED);
		err = -FALCON_ERR_DEV_ATTACHED;
		goto out;
	}
	if (rtnl_dereference(dev->xdp_prog)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[FALCON_A_IFINDEX] ?: a[FALCON_A_IFNAME],
				    FALCON_MSG_DEV_GENERIC_XDP);
		err = -FALCON_ERR_DEV_GENERIC_XDP;
		goto out;
	}
	if (a[FALCON_A_CPUS]) {
		err = falcon_cpus_from_attr(a[FALCON_A_CPUS], cpus, info->extack);
		if (err)
			goto out;
	}
	if (falcon_nr_attached >= FALCON_MAX_ATTACHMENTS) {
		GENL_SET_ERR_MSG(info, FALCON_MSG_TOO_MANY_ATTACHMENTS);
		err = -FALCON_ERR_TOO_MANY_ATTACHMENTS;
		goto out;
	}

	err = falcon_attach(dev, a[FALCON_A_CPUS] ? cpus : NULL,
			    !!a[FALCON_A_STAGE],
			    a[FALCON_A_STAGE] ? nla_get_u32(a[FALCON_A_STAGE]) : 0,
			    &fd, &conflict);
	if (conflict)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[FALCON_A_IFINDEX] ?: a[FALCON_A_IFNAME],
				    FALCON_MSG_DEV_HOOK_CONFLICT);
	if (err)
		goto out;
	falcon_notify_attached(fd);
	err = falcon_reply_send(info, &reply, falcon_fill_dev, fd);
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	goto out_free;
out:
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	nlmsg_free(reply.msg);
out_free:
	free_cpumask_var(cpus);
	return err;
}

int falcon_nl_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct falcon_dev *fd;
	int err;

	err = falcon_check_init_netns(info);
	if (err)
		return err;
	err = falcon_check_dev_attrs(info);
	if (err)
		return err;
	rtnl_lock();
	mutex_lock(&falcon_mutex);
	err = falcon_lookup_attached(skb, info, &fd);
	if (!err)
		falcon_detach_notify(fd, FALCON_DETACH_REASON_REQUESTED);
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	return err;
}

static int falcon_fill_pick(struct sk_buff *skb, const void *arg)
{
	const struct falcon_place_out *out = arg;

	if (out->first != FALCON_NO_CPU &&
	    nla_put_u32(skb, FALCON_A_FIRST, out->first))
		return -EMSGSIZE;
	if (out->second != FALCON_NO_CPU &&
	    nla_put_u32(skb, FALCON_A_SECOND, out->second))
		return -EMSGSIZE;
	if (out->target != FALCON_NO_CPU &&
	    nla_put_u32(skb, FALCON_A_TARGET, out->target))
		return -EMSGSIZE;
	if (nla_put_u32(skb, FALCON_A_REASON, out->reason))
		return -EMSGSIZE;
	return 0;
}

int falcon_nl_pick_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct falcon_place_out out;
	struct falcon_dev *fd;
	int err;

	err = falcon_check_dev_attrs(info);
	if (err)
		return err;
	if (!info->attrs[FALCON_A_FLOW_HASH]) {
		GENL_SET_ERR_MSG(info, FALCON_MSG_FLOW_HASH_MISSING);
		return -FALCON_ERR_FLOW_HASH_MISSING;
	}
	rtnl_lock();
	mutex_lock(&falcon_mutex);
	err = falcon_lookup_attached(skb, info, &fd);
	if (!err)
		falcon_place_dev(fd, nla_get_u32(info->attrs[FALCON_A_FLOW_HASH]),
				 &out);
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	if (err)
		return err;
	return falcon_reply(info, FALCON_CMD_PICK, falcon_fill_pick, &out);
}

int falcon_nl_reset_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct falcon_dev *fd;
	int err;

	err = falcon_check_init_netns(info);
	if (err)
		return err;
	mutex_lock(&falcon_mutex);
	falcon_queue_reset_stats();
	list_for_each_entry(fd, &falcon_devs, list) {
		falcon_dev_stats_reset(fd->stats);
		WRITE_ONCE(fd->last_hash, 0);
	}
	mutex_unlock(&falcon_mutex);
	return 0;
}

static int falcon_get_cpu_attr(struct genl_info *info, u32 *cpu)
{
	struct nlattr *attr = info->attrs[FALCON_A_CPU];

	*cpu = nla_get_u32(attr);
	if (*cpu >= nr_cpu_ids) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, FALCON_MSG_CPU_BEYOND_NR);
		return -FALCON_ERR_CPU_BEYOND_NR;
	}
	return 0;
}

int falcon_nl_pin_load_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 cpu;
	int err;

	err = falcon_check_init_netns(info);
	if (err)
		return err;
	if (!info->attrs[FALCON_A_CPU]) {
		GENL_SET_ERR_MSG(info, FALCON_MSG_CPU_MISSING);
		return -FALCON_ERR_CPU_MISSING;
	}
	if (!info->attrs[FALCON_A_LOAD]) {
		GENL_SET_ERR_MSG(info, FALCON_MSG_LOAD_MISSING);
		return -FALCON_ERR_LOAD_MISSING;
	}
	err = falcon_get_cpu_attr(info, &cpu);
	if (err)
		return err;
	falcon_pin(cpu, nla_get_u32(info->attrs[FALCON_A_LOAD]));
	falcon_loads_changed();
	return 0;
}

int falcon_nl_unpin_load_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 cpu;
	int err;

	err = falcon_check_init_netns(info);
	if (err)
		return err;
	if (!info->attrs[FALCON_A_CPU]) {
		falcon_unpin_all();
	} else {
		err = falcon_get_cpu_attr(info, &cpu);
		if (err)
			return err;
		falcon_unpin(cpu);
	}
	falcon_loads_changed();
	return 0;
}

/*
 * Dumps. cb->args[0]: phase (stats: 0 CPUs, 1 devices); cb->args[1]: the
 * next CPU or device index. cb->seq follows falcon_gen, so a dump that raced
 * with attach/detach is flagged NLM_F_DUMP_INTR.
 */
static void *falcon_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			     u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &falcon_family, NLM_F_MULTI, cmd);
	if (hdr)
		nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));
	return hdr;
}

int falcon_nl_get_device_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct falcon_viewer viewer = falcon_viewer_of(cb->skb);
	long idx = 0, start = cb->args[1];
	struct falcon_dev *fd;
	void *hdr;

	rtnl_lock();
	mutex_lock(&falcon_mutex);
	cb->seq = falcon_gen;
	list_for_each_entry(fd, &falcon_devs, list) {
		if (!falcon_sees(&viewer, fd))
			continue;
		if (idx++ < start)
			continue;
		hdr = falcon_dump_put(skb, cb, FALCON_CMD_GET_DEVICE);
		if (!hdr)
			goto full;
		if (falcon_put_dev(skb, fd)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
	}
	idx++;
full:
	cb->args[1] = idx - 1;
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	return skb->len;
}

static int falcon_put_cpu_stats(struct sk_buff *skb, unsigned int cpu)
{
	struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);
	struct falcon_cpu_counters n;
	struct nlattr *nest;
	u32 hwm, len;

	falcon_queue_read(cpu, &n, &hwm, &len);
	nest = nla_nest_start(skb, FALCON_A_CPU_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FALCON_A_CPU_STATS_CPU, cpu) ||
	    nla_put_u64_64bit(skb, FALCON_A_CPU_STATS_ENQUEUED, n.enqueued,
			      FALCON_A_CPU_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_CPU_STATS_PROCESSED, n.processed,
			      FALCON_A_CPU_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_CPU_STATS_DROPPED, n.dropped,
			      FALCON_A_CPU_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_CPU_STATS_PURGED, n.purged,
			      FALCON_A_CPU_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_CPU_STATS_KICKS, n.kicks,
			      FALCON_A_CPU_STATS_PAD) ||
	    nla_put_u32(skb, FALCON_A_CPU_STATS_QUEUE_HWM, hwm) ||
	    nla_put_u32(skb, FALCON_A_CPU_STATS_QUEUE_LEN, len) ||
	    nla_put_u32(skb, FALCON_A_CPU_STATS_LOAD, falcon_cpu_load(cpu)) ||
	    nla_put_u32(skb, FALCON_A_CPU_STATS_PINNED, READ_ONCE(c->pinned))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The by-target breakdown: what each CPU's copy counted as queued to it. */
static int falcon_put_dev_targets(struct sk_buff *skb,
				  const struct falcon_dev *fd)
{
	struct falcon_dev_counters c;
	struct nlattr *tn;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		falcon_dev_stats_cpu(fd->stats, cpu, &c);
		if (!c.steered_in)
			continue;
		tn = nla_nest_start(skb, FALCON_A_DEV_STATS_TARGET);
		if (!tn)
			return -EMSGSIZE;
		if (nla_put_u32(skb, FALCON_A_TARGET_CPU, cpu) ||
		    nla_put_u64_64bit(skb, FALCON_A_TARGET_PACKETS,
				      c.steered_in, FALCON_A_TARGET_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, tn);
	}
	return 0;
}

static int falcon_put_dev_stats(struct sk_buff *skb,
				const struct falcon_dev *fd)
{
	struct falcon_dev_counters t;
	struct nlattr *nest;
	u64 hash;

	falcon_dev_stats_sum(fd->stats, &t);
	nest = nla_nest_start(skb, FALCON_A_DEV_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FALCON_A_DEV_STATS_IFINDEX, fd->dev->ifindex) ||
	    nla_put_string(skb, FALCON_A_DEV_STATS_IFNAME, fd->dev->name) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_NETNS_COOKIE,
			      fd->net_cookie, FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u32(skb, FALCON_A_DEV_STATS_STAGE, fd->stage) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_SEEN, t.seen,
			      FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_STEERED, t.steered_in,
			      FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_LOCAL, t.local,
			      FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_GATED, t.gated,
			      FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_SECOND, t.second,
			      FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_DROPPED, t.dropped,
			      FALCON_A_DEV_STATS_PAD) ||
	    nla_put_u64_64bit(skb, FALCON_A_DEV_STATS_DEFERRED, t.deferred,
			      FALCON_A_DEV_STATS_PAD))
		goto cancel;
	if (nla_put_u32(skb, FALCON_A_DEV_STATS_GATE_CLOSED,
			READ_ONCE(fd->gate_closed)) ||
	    nla_put_u32(skb, FALCON_A_DEV_STATS_NETNS_INUM, fd->net->ns.inum))
		goto cancel;
	hash = READ_ONCE(fd->last_hash);
	if ((hash & FALCON_HASH_VALID) &&
	    nla_put_u32(skb, FALCON_A_DEV_STATS_LAST_HASH, (u32)hash))
		goto cancel;
	if (falcon_put_dev_targets(skb, fd))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int falcon_nl_get_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct falcon_viewer viewer = falcon_viewer_of(cb->skb);
	long idx, start;
	struct falcon_dev *fd;
	void *hdr;

	rtnl_lock();
	mutex_lock(&falcon_mutex);
	cb->seq = falcon_gen;
	if (cb->args[0] == 0) {
		for (idx = cb->args[1]; idx < nr_cpu_ids; idx++) {
			if (!cpu_possible(idx))
				continue;
			hdr = falcon_dump_put(skb, cb, FALCON_CMD_GET_STATS);
			if (!hdr)
				goto full;
			if (falcon_put_cpu_stats(skb, idx)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
		}
		cb->args[0] = 1;
		cb->args[1] = 0;
	}

	start = cb->args[1];
	idx = 0;
	list_for_each_entry(fd, &falcon_devs, list) {
		if (!falcon_sees(&viewer, fd))
			continue;
		if (idx < start) {
			idx++;
			continue;
		}
		hdr = falcon_dump_put(skb, cb, FALCON_CMD_GET_STATS);
		if (!hdr)
			goto full;
		if (falcon_put_dev_stats(skb, fd)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
		idx++;
	}
full:
	cb->args[1] = idx;
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
	return skb->len;
}

/* netnsok: a group's listeners are those of the namespace it is sent in */
struct genl_family falcon_family = {
	.name = FALCON_FAMILY_NAME,
	.version = FALCON_FAMILY_VERSION,
	.maxattr = FALCON_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = falcon_nl_ops,
	.n_ops = ARRAY_SIZE(falcon_nl_ops),
	.mcgrps = falcon_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(falcon_nl_mcgrps),
};

int falcon_netlink_init(void)
{
	int err;

	err = genl_register_family(&falcon_family);
	if (!err)
		falcon_notify_start();
	return err;
}

void falcon_netlink_exit(void)
{
	falcon_notify_stop();
	genl_unregister_family(&falcon_family);
}
