// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: notifications to the family's multicast groups (docs/protocol.md
 * "Notifications"): a device attached, an attachment ended (and why), the
 * configuration changed.
 *
 * Who hears what follows who sees what (netlink.c's falcon_viewer): a
 * namespace's listeners hear about its own attachments only; host-wide
 * events go to the initial namespace; an admin of the initial namespace
 * hears every attachment. Multicast delivery is per namespace and the
 * genetlink core checks a group's flags at join, so two groups express it:
 * "monitor" (anyone: the listener's namespace) and "admin" (CAP_NET_ADMIN
 * over the listener's namespace: in the initial one, everything).
 *
 * Every notification is sent after its change is complete, under
 * falcon_mutex, so listeners see changes in the order they were made.
 * Nothing here takes a lock: netlink_broadcast() only queues to the
 * listeners' sockets (GFP_KERNEL: every caller may sleep). A notification
 * that cannot be built or copied sets ENOBUFS on the listeners it missed, as
 * an overrun does, so they know to read the state again.
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include "internal.h"
#include "falcon_nl_gen.h"

/* Under falcon_mutex: false while the family (and its groups) is not registered */
static bool falcon_ntf_live;

void falcon_notify_start(void)
{
	mutex_lock(&falcon_mutex);
	falcon_ntf_live = true;
	mutex_unlock(&falcon_mutex);
}

void falcon_notify_stop(void)
{
	mutex_lock(&falcon_mutex);
	falcon_ntf_live = false;
	mutex_unlock(&falcon_mutex);
}

/* A notification of @cmd being built; NULL when out of memory. */
static struct sk_buff *falcon_ntf_new(u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &falcon_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Sends a copy of @msg (NULL: it could not be built) to @group's listeners
 * in @net.
 */
static void falcon_ntf_send(struct sk_buff *msg, struct net *net,
			    unsigned int group)
{
	struct sk_buff *copy;

	if (!genl_has_listeners(&falcon_family, net, group))
		return;
	copy = msg ? skb_clone(msg, GFP_KERNEL) : NULL;
	if (!copy) {
		genl_set_err(&falcon_family, net, 0, group, -ENOBUFS);
		return;
	}
	genlmsg_multicast_netns(&falcon_family, net, copy, 0, group,
				GFP_KERNEL);
}

/*
 * An attachment event of a device in @net: its namespace's listeners, and
 * the initial namespace's admins. Frees @msg.
 */
static void falcon_ntf_send_dev(struct sk_buff *msg, struct net *net)
{
	lockdep_assert_held(&falcon_mutex);
	if (falcon_ntf_live) {
		falcon_ntf_send(msg, net, FALCON_NLGRP_MONITOR);
		falcon_ntf_send(msg, net, FALCON_NLGRP_ADMIN);
		if (!net_eq(net, &init_net))
			falcon_ntf_send(msg, &init_net, FALCON_NLGRP_ADMIN);
	}
	nlmsg_free(msg);
}

/* attach-ntf or detach-ntf of @fd; NULL when out of memory. */
static struct sk_buff *falcon_ntf_dev(const struct falcon_dev *fd, u8 cmd,
				      bool has_reason, u32 reason)
{
	struct sk_buff *msg;
	void *hdr;

	msg = falcon_ntf_new(cmd, &hdr);
	if (!msg)
		return NULL;
	if (falcon_put_dev(msg, fd) ||
	    (has_reason && nla_put_u32(msg, FALCON_A_DETACH_REASON, reason))) {
		nlmsg_free(msg);
		return NULL;
	}
	genlmsg_end(msg, hdr);
	return msg;
}

/* @fd was just attached. Under RTNL and falcon_mutex. */
void falcon_notify_attached(const struct falcon_dev *fd)
{
	falcon_ntf_send_dev(falcon_ntf_dev(fd, FALCON_CMD_ATTACH_NTF, false, 0),
			    fd->net);
}

/*
 * Detaches @fd, then tells the listeners why (enum falcon_detach_reason).
 * The notification is built first, while @fd is whole (falcon_detach()
 * hands it to RCU to free), and sent once the detach is done. Under RTNL
 * and falcon_mutex; @fd's namespace outlives the call (its device pins it).
 */
void falcon_detach_notify(struct falcon_dev *fd, u32 reason)
{
	struct net *net = fd->net;
	struct sk_buff *msg;

	msg = falcon_ntf_dev(fd, FALCON_CMD_DETACH_NTF, true, reason);
	falcon_detach(fd, reason == FALCON_DETACH_REASON_UNREGISTERED);
	falcon_ntf_send_dev(msg, net);
}

/*
 * set-config changed the configuration. Host-wide: the initial
 * namespace's listeners only. Under falcon_mutex.
 */
void falcon_notify_config(void)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&falcon_mutex);
	if (!falcon_ntf_live)
		return;
	msg = falcon_ntf_new(FALCON_CMD_CONFIG_NTF, &hdr);
	if (msg && falcon_put_config(msg)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if (msg)
		genlmsg_end(msg, hdr);
	falcon_ntf_send(msg, &init_net, FALCON_NLGRP_MONITOR);
	falcon_ntf_send(msg, &init_net, FALCON_NLGRP_ADMIN);
	nlmsg_free(msg);
}
