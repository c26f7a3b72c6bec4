// SPDX-License-Identifier: GPL-2.0
/* Deliberate kernel WARNING, for testing falcon-testbed's splat detector. */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/bug.h>

static int __init falcon_splat_init(void)
{
	WARN(1, "falcon-testbed deliberate splat\n");
	return 0;
}

static void __exit falcon_splat_exit(void)
{
}

module_init(falcon_splat_init);
module_exit(falcon_splat_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("falcon-testbed: provokes one WARNING on load");
