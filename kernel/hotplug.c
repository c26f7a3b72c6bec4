// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: CPU hotplug. A CPU leaves every effective set before it goes
 * offline (teardown of an AP_ONLINE_DYN state runs on the outgoing CPU while
 * it is still online), and after the grace period no hook can pick it any
 * more. What its queue still holds stays there: the core runs the dead
 * CPU's NAPI on a surviving CPU until it is empty (queue.c), in order, so
 * flows waiting for it (order.c) move on only after it. The configured sets
 * keep the CPU; it comes back into the effective sets when it comes online.
 *
 * The callbacks run under the CPU hotplug lock and take falcon_sets_mutex,
 * never falcon_mutex: attach and detach hold falcon_mutex across
 * nf_(un)register_net_hook(), which takes the hotplug lock (static keys).
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/netdevice.h>
#include "internal.h"

static enum cpuhp_state falcon_online_state;

static int falcon_cpu_online(unsigned int cpu)
{
	mutex_lock(&falcon_sets_mutex);
	cpumask_set_cpu(cpu, falcon_usable);
	falcon_refresh_sets();
	mutex_unlock(&falcon_sets_mutex);
	return 0;
}

static int falcon_cpu_offline(unsigned int cpu)
{
	mutex_lock(&falcon_sets_mutex);
	cpumask_clear_cpu(cpu, falcon_usable);
	falcon_refresh_sets();
	mutex_unlock(&falcon_sets_mutex);
	/* No hook still running places on @cpu after this (a flow deferred
	 * to its queue may still join it: queue.c drains it elsewhere)
	 */
	synchronize_net();
	return 0;
}

int falcon_hotplug_init(void)
{
	int ret;

	cpus_read_lock();
	mutex_lock(&falcon_sets_mutex);
	cpumask_copy(falcon_usable, cpu_online_mask);
	mutex_unlock(&falcon_sets_mutex);
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "net/falcon:online",
						   falcon_cpu_online,
						   falcon_cpu_offline);
	if (ret < 0)
		goto out;
	falcon_online_state = ret;
	ret = 0;
out:
	cpus_read_unlock();
	return ret;
}

void falcon_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(falcon_online_state);
}
