// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: pipelines container-overlay packet processing across cores.
 *
 * Skeleton from the testbed issue: it only loads and unloads cleanly, so the
 * build and the QEMU testbed can be exercised before the datapath exists.
 */
#include <linux/module.h>
#include <linux/init.h>

static int __init falcon_init(void)
{
	return 0;
}

static void __exit falcon_exit(void)
{
}

module_init(falcon_init);
module_exit(falcon_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Falcon developers");
MODULE_DESCRIPTION("Falcon: softirq pipelining for container overlay networks");
