// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: quiet points. A flow moves to another CPU only once the CPU its
 * earlier packets went to has run them all the way to their next Falcon
 * queue or their socket (order.c). Between Falcon's stages a packet also
 * waits in per-CPU queues Falcon does not own (a VXLAN device's GRO cell,
 * the backlog a veth feeds), so Falcon's own queue being past it is not
 * enough; a CPU whose NET_RX softirq ends with no NAPI left scheduled has
 * run them all. The softirq_exit tracepoint is where to see that: a probe
 * of our own, as any module may attach one.
 */
#include <linux/interrupt.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "internal.h"

static struct tracepoint *falcon_softirq_exit_tp;

static void falcon_softirq_exit(void *data, unsigned int vec_nr)
{
	if (vec_nr == NET_RX_SOFTIRQ)
		falcon_queue_quiet_point();
}

static void falcon_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "softirq_exit"))
		falcon_softirq_exit_tp = tp;
}

int falcon_quiet_init(void)
{
	for_each_kernel_tracepoint(falcon_find_tp, NULL);
	if (!falcon_softirq_exit_tp) {
		pr_err("falcon: the softirq_exit tracepoint is missing\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(falcon_softirq_exit_tp,
					 falcon_softirq_exit, NULL);
}

void falcon_quiet_exit(void)
{
	tracepoint_probe_unregister(falcon_softirq_exit_tp,
				    falcon_softirq_exit, NULL);
	/* No probe still running our code once this returns */
	tracepoint_synchronize_unregister();
}
