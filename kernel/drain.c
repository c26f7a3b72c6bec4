// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: detaching in the background. A detached device leaves the
 * attachment list at once (the caller sees it gone), but its hook stays,
 * placing nothing (fd->draining), until every packet it queued elsewhere
 * has reached its next stage (order.c): removing the hook earlier would let
 * the packets that follow run in place ahead of them. How long that takes
 * depends on traffic (a target CPU must have a quiet point), so nobody waits
 * for it holding RTNL: a delayed work checks every jiffy. Done once two
 * scans a grace period apart find nothing on its way (a hook may have
 * queued between its read of the record and its write), or after
 * FALCON_DRAIN_MS, logged: a CPU that is never quiet does not keep a
 * detached device's hook forever.
 *
 * Attaching the device again takes its draining attachment back, records
 * and hook included; unregistering it ends the drain at once (its packets
 * are purged); module unload removes every hook (hook.c).
 */
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include "internal.h"

#define FALCON_DRAIN_MS		1000

/* Detached attachments whose hooks are still in. Under falcon_mutex. */
static LIST_HEAD(falcon_draining);

static void falcon_drain_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(falcon_drain_work, falcon_drain_fn);

/* @fd is off the attachment list. Under RTNL and falcon_mutex. */
void falcon_drain_start(struct falcon_dev *fd)
{
	WRITE_ONCE(fd->draining, true);
	/* Hooks that read draining as false may still record: wait them out */
	fd->drain_gp = get_state_synchronize_rcu();
	fd->drain_clean = false;
	fd->drain_deadline = jiffies + msecs_to_jiffies(FALCON_DRAIN_MS);
	list_add_tail(&fd->list, &falcon_draining);
	mod_delayed_work(system_wq, &falcon_drain_work, 1);
}

/* @dev's draining attachment, off the draining list, or NULL. */
struct falcon_dev *falcon_drain_take(const struct net_device *dev)
{
	struct falcon_dev *fd;

	lockdep_assert_held(&falcon_mutex);
	list_for_each_entry(fd, &falcon_draining, list) {
		if (fd->dev == dev) {
			list_del(&fd->list);
			return fd;
		}
	}
	return NULL;
}

/* Module unload: every draining attachment onto @to, no work running. */
void falcon_drain_take_all(struct list_head *to)
{
	lockdep_assert_held(&falcon_mutex);
	list_splice_init(&falcon_draining, to);
}

void falcon_drain_cancel(void)
{
	cancel_delayed_work_sync(&falcon_drain_work);
}

/* May @fd's hook go? Advances its two-scan state. Under falcon_mutex. */
static bool falcon_drain_done(struct falcon_dev *fd)
{
	if (!poll_state_synchronize_rcu(fd->drain_gp))
		return false;
	if (falcon_order_queued(fd->flows)) {
		fd->drain_clean = false;
		if (!time_after(jiffies, fd->drain_deadline))
			return false;
		pr_info("falcon: %s detached with packets still on their way after %u ms: later packets may overtake them\n",
			netdev_name(fd->dev), FALCON_DRAIN_MS);
		return true;
	}
	if (fd->drain_clean)
		return true;
	/* Clean once: again after hooks that were recording have finished */
	fd->drain_clean = true;
	fd->drain_gp = get_state_synchronize_rcu();
	return false;
}

static void falcon_drain_fn(struct work_struct *work)
{
	struct falcon_dev *fd, *tmp;
	bool more = false;

	rtnl_lock();
	mutex_lock(&falcon_mutex);
	list_for_each_entry_safe(fd, tmp, &falcon_draining, list) {
		if (!falcon_drain_done(fd)) {
			more = true;
			continue;
		}
		list_del(&fd->list);
		falcon_unhook(fd, false);
	}
	if (more)
		schedule_delayed_work(&falcon_drain_work, 1);
	mutex_unlock(&falcon_mutex);
	rtnl_unlock();
}
