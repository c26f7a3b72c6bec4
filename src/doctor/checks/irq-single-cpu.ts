// irq-single-cpu: every interrupt of a device that has IRQs (a NIC) lands
// on one CPU while others are online: its receive stage (and whatever runs
// after it in the same softirq) has one CPU however many queues it has. A
// device with several active IRQs gets a warning (spread them); one with a
// single IRQ cannot be spread by affinity (only RPS or Falcon move its work):
// an info that says so.
import { formatCpuList } from '../../api/cpuset';
import type { Check } from '../check';
import { attachCommand } from '../path';
import type { Finding, IrqFacts, Link } from '../types';

/** Fewer interrupts than this in total tell nothing about where they go. */
export const MIN_INTERRUPTS = 100;

/** The IRQs of a device: those sysfs names for it, else those whose /proc/interrupts name mentions it. */
function irqsOf(dev: Link, irqs: ReadonlyMap<number, IrqFacts>): IrqFacts[] {
  const named = [...irqs.values()].filter((i) => new RegExp(`(^|[\\s,])${dev.ifname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([-_:@.\\s,]|$)`).test(i.name));
  const bySysfs = dev.irqs.map((n) => irqs.get(n)).filter((i): i is IrqFacts => i !== undefined);
  return bySysfs.length > 0 ? bySysfs : named;
}

export const irqSingleCpu: Check = {
  name: 'IRQ spread of devices with IRQs',
  ids: ['irq-single-cpu'],
  skip: (ctx) => (ctx.host.onlineCpus.length < 2 ? 'one CPU online: nothing to spread IRQs over' : undefined),
  run({ host }) {
    const findings: Finding[] = [];
    for (const ns of host.namespaces) {
      for (const dev of ns.links) {
        // Only the interrupts that fired (a virtio device's config IRQ never does).
        const active = irqsOf(dev, host.irqs).filter((i) => i.counts.some((c) => c > 0));
        const total = active.reduce((s, i) => s + i.counts.reduce((a, b) => a + b, 0), 0);
        if (active.length === 0 || total < MIN_INTERRUPTS) continue;
        const cpusCounted = new Set<number>();
        for (const i of active) i.counts.forEach((c, col) => c > 0 && cpusCounted.add(host.irqCpus[col] ?? col));
        if (cpusCounted.size !== 1) continue;
        const cpu = [...cpusCounted][0] as number;
        const many = active.length > 1;
        const others = host.onlineCpus.filter((c) => c !== cpu);
        findings.push({
          id: 'irq-single-cpu',
          severity: many ? 'warning' : 'info',
          netns: ns.netns,
          device: dev.ifname,
          what: many
            ? `all ${active.length} active IRQs of this device are handled on CPU ${cpu} while CPUs ${formatCpuList(others)} are online: its queues share one CPU`
            : `this device's one active IRQ is handled on CPU ${cpu}: its receive stage has one CPU; only RPS or Falcon (falconctl attach) move work off it`,
          evidence: active.map((i) => `IRQ ${i.irq} (${i.name}): ${i.counts.reduce((a, b) => a + b, 0)} interrupts, all on CPU ${cpu}${i.affinity ? `, smp_affinity_list ${formatCpuList([...i.affinity])}` : ''}`),
          // One IRQ a CPU, round robin over the online CPUs (irqbalance would do it too).
          fix: many
            ? active.map((i, k) => `echo ${host.onlineCpus[k % host.onlineCpus.length] as number} > /proc/irq/${i.irq}/smp_affinity_list`)
            : [attachCommand(dev.ifname, ns.netns)],
        });
      }
    }
    return findings;
  },
};
