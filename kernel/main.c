// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: pipelines the per-device receive stages of a flow (NIC, VXLAN,
 * bridge/veth, container eth0) across CPUs, balanced by load, controlled
 * over Generic Netlink. See docs/design.md and docs/protocol.md.
 *
 * Unload mirrors init, in reverse: the netlink family goes first, so
 * nothing new is configured; then hotplug; then every hook, after which
 * synchronize_net() means no skb is being queued; then the monitor, whose
 * samples write into the per-CPU area; then the quiet-point probe, which
 * reads it; then the queues: kicks in flight,
 * the NAPIs, what the queues still hold, and the per-CPU area itself.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include "internal.h"

static int __init falcon_init(void)
{
	int err;

	err = falcon_config_init();
	if (err)
		return err;
	err = falcon_queue_init();
	if (err)
		goto err_config;
	err = falcon_quiet_init();
	if (err)
		goto err_queue;
	err = falcon_monitor_init();
	if (err)
		goto err_quiet;
	err = falcon_hook_init();
	if (err)
		goto err_monitor;
	err = falcon_hotplug_init();
	if (err)
		goto err_hook;
	err = falcon_netlink_init();
	if (err)
		goto err_hotplug;
	return 0;

err_hotplug:
	falcon_hotplug_exit();
err_hook:
	falcon_hook_exit();
err_monitor:
	falcon_monitor_exit();
err_quiet:
	falcon_quiet_exit();
err_queue:
	falcon_queue_exit();
err_config:
	falcon_config_exit();
	return err;
}

static void __exit falcon_exit(void)
{
	falcon_netlink_exit();
	falcon_hotplug_exit();
	falcon_hook_exit();
	falcon_monitor_exit();
	falcon_quiet_exit();
	falcon_queue_exit();
	falcon_config_exit();
}

module_init(falcon_init);
module_exit(falcon_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Falcon developers");
MODULE_DESCRIPTION("Falcon: softirq pipelining for container overlay networks");
MODULE_ALIAS_GENL_FAMILY(FALCON_FAMILY_NAME);
