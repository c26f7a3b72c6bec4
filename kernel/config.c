// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: the global configuration and the CPU bitmap format.
 *
 * A CPU bitmap on the wire is bit (i % 8) of byte (i / 8) for CPU i, so its
 * meaning does not depend on the word size or byte order of either side.
 */
#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <net/netlink.h>
#include "internal.h"
#include "falcon_messages.h"

struct falcon_config falcon_cfg = {
	.enabled = 1,
	.mode = FALCON_MODE_STAGE,
	.policy = FALCON_POLICY_BALANCED,
	.threshold = 80,
	.hysteresis = 20,
	.interval_ms = 12,
	.queue_limit = 1000,
};

DEFINE_MUTEX(falcon_mutex);
DEFINE_MUTEX(falcon_sets_mutex);
cpumask_var_t falcon_cpus;
cpumask_var_t falcon_usable;
unsigned int falcon_gen = 1;

unsigned int falcon_tick_ms(void)
{
	return jiffies_to_msecs(1);
}

unsigned int falcon_cpus_bytes(void)
{
	return DIV_ROUND_UP(nr_cpu_ids, 8);
}

/*
 * Parse a CPU bitmap attribute, checking in the documented order: a bit at
 * or past nr_cpu_ids, then an empty set, then an offline CPU.
 */
int falcon_cpus_from_attr(const struct nlattr *attr, struct cpumask *mask,
			  struct netlink_ext_ack *extack)
{
	const u8 *bytes = nla_data(attr);
	unsigned int len = nla_len(attr);
	unsigned int i;

	cpumask_clear(mask);
	for (i = 0; i < len * 8; i++) {
		if (!(bytes[i / 8] & BIT(i % 8)))
			continue;
		if (i >= nr_cpu_ids) {
			NL_SET_ERR_MSG_ATTR(extack, attr, FALCON_MSG_CPUS_BEYOND_NR);
			return -FALCON_ERR_CPUS_BEYOND_NR;
		}
		cpumask_set_cpu(i, mask);
	}
	if (cpumask_empty(mask)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, FALCON_MSG_CPUS_EMPTY);
		return -FALCON_ERR_CPUS_EMPTY;
	}
	if (!cpumask_subset(mask, falcon_usable)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, FALCON_MSG_CPUS_OFFLINE);
		return -FALCON_ERR_CPUS_OFFLINE;
	}
	return 0;
}

int falcon_cpus_put(struct sk_buff *skb, int type, const struct cpumask *mask)
{
	unsigned int len = falcon_cpus_bytes();
	struct nlattr *attr;
	unsigned int cpu;
	u8 *bytes;

	attr = nla_reserve(skb, type, len);
	if (!attr)
		return -EMSGSIZE;
	bytes = nla_data(attr);
	memset(bytes, 0, len);
	for_each_cpu(cpu, mask)
		bytes[cpu / 8] |= BIT(cpu % 8);
	return 0;
}

int falcon_config_init(void)
{
	if (!zalloc_cpumask_var(&falcon_cpus, GFP_KERNEL))
		return -ENOMEM;
	if (!zalloc_cpumask_var(&falcon_usable, GFP_KERNEL)) {
		free_cpumask_var(falcon_cpus);
		return -ENOMEM;
	}
	/* hotplug.c sets falcon_usable under the hotplug lock */
	cpumask_copy(falcon_cpus, cpu_online_mask);
	cpumask_copy(falcon_usable, cpu_online_mask);
	return 0;
}

void falcon_config_exit(void)
{
	free_cpumask_var(falcon_usable);
	free_cpumask_var(falcon_cpus);
}
