// SPDX-License-Identifier: GPL-2.0
/*
 * Falcon: the load monitor. Every interval it samples each online CPU's
 * non-idle kcpustat time over wall-clock time. Under NO_HZ idle time is
 * accounted lazily, so busy / (busy + idle) would misread a CPU that has
 * just woken up; busy / wall does not. Busy time moves in ticks, so the
 * interval is a whole number of ticks and the result is smoothed,
 * load = (4 * old + new) / 5, in fixed point (percent * FALCON_LOAD_SCALE)
 * and rounded when read, so a CPU that stays busy reaches 100.
 *
 * It runs only while something is attached (the first attach starts it; a
 * sample that finds nothing attached resets the loads to 0 and stops), on
 * the unbound workqueue: a work bound to one CPU could starve on exactly the
 * softirq-saturated CPU it measures.
 */
#include <linux/kernel_stat.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/workqueue.h>
#include "internal.h"

static void falcon_monitor_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(falcon_monitor_dwork, falcon_monitor_work);

static u64 falcon_busy_ns(unsigned int cpu)
{
	struct kernel_cpustat kcs;

	kcpustat_cpu_fetch(&kcs, cpu);
	/* guest time is already part of user and nice */
	return kcs.cpustat[CPUTIME_USER] + kcs.cpustat[CPUTIME_NICE] +
	       kcs.cpustat[CPUTIME_SYSTEM] + kcs.cpustat[CPUTIME_IRQ] +
	       kcs.cpustat[CPUTIME_SOFTIRQ] + kcs.cpustat[CPUTIME_STEAL];
}

static void falcon_monitor_sample(void)
{
	u64 now = ktime_get_ns();
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);
		u64 busy = falcon_busy_ns(cpu);
		u64 dbusy, dwall;
		u32 pct, fp;

		if (c->last_wall && now > c->last_wall && busy >= c->last_busy) {
			dbusy = busy - c->last_busy;
			dwall = now - c->last_wall;
			pct = (u32)min_t(u64, div64_u64(dbusy * 100, dwall), 100);
			fp = (4 * c->load_fp + pct * FALCON_LOAD_SCALE) / 5;
			c->load_fp = fp;
			WRITE_ONCE(c->load, (fp + FALCON_LOAD_SCALE / 2) /
					    FALCON_LOAD_SCALE);
		}
		c->last_busy = busy;
		c->last_wall = now;
	}
}

/* Loads moved (a sample, a pin, an unpin): re-evaluate every load gate. */
void falcon_loads_changed(void)
{
	mutex_lock(&falcon_sets_mutex);
	falcon_gates_update();
	mutex_unlock(&falcon_sets_mutex);
}

/* Nothing attached: forget the loads, so a later start begins afresh. */
static void falcon_monitor_forget(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);

		c->last_wall = 0;
		c->load_fp = 0;
		WRITE_ONCE(c->load, 0);
	}
}

static void falcon_monitor_work(struct work_struct *work)
{
	bool idle;

	mutex_lock(&falcon_sets_mutex);
	idle = list_empty(&falcon_devs);
	mutex_unlock(&falcon_sets_mutex);
	if (idle) {
		falcon_monitor_forget();
		return;
	}
	falcon_monitor_sample();
	falcon_loads_changed();
	queue_delayed_work(system_unbound_wq, &falcon_monitor_dwork,
			   msecs_to_jiffies(READ_ONCE(falcon_cfg.interval_ms)));
}

/* Something was attached: sample from now on (no-op while running). */
void falcon_monitor_start(void)
{
	queue_delayed_work(system_unbound_wq, &falcon_monitor_dwork, 0);
}

/* The interval changed: take the next sample one new interval from now. */
void falcon_monitor_reschedule(void)
{
	mod_delayed_work(system_unbound_wq, &falcon_monitor_dwork,
			 msecs_to_jiffies(READ_ONCE(falcon_cfg.interval_ms)));
}

/* load(c) of the placement function: the pinned value, else the monitor's. */
u32 falcon_cpu_load(unsigned int cpu)
{
	struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);

	if (READ_ONCE(c->pinned))
		return READ_ONCE(c->pin);
	return READ_ONCE(c->load);
}

void falcon_pin(unsigned int cpu, u32 load)
{
	struct falcon_cpu *c = per_cpu_ptr(falcon_pcpu, cpu);

	WRITE_ONCE(c->pin, load);
	WRITE_ONCE(c->pinned, true);
}

void falcon_unpin(unsigned int cpu)
{
	WRITE_ONCE(per_cpu_ptr(falcon_pcpu, cpu)->pinned, false);
}

void falcon_unpin_all(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		falcon_unpin(cpu);
}

int falcon_monitor_init(void)
{
	return 0;
}

void falcon_monitor_exit(void)
{
	cancel_delayed_work_sync(&falcon_monitor_dwork);
}
