// rps-double-steering: RPS configured on a device Falcon steers. RPS moves
// a packet to another CPU's backlog before the device's receive stage runs,
// and Falcon's ingress hook then moves the stage again: two queue hops and
// two IPIs per packet, and RPS's choice of CPU undoes Falcon's placement.
import type { Check } from '../check';
import { shInNetns } from '../path';
import type { Finding } from '../types';

/** Whether an rps_cpus mask ("00000000,0000000f") names any CPU. */
export function rpsMaskSet(mask: string): boolean {
  return /[1-9a-f]/i.test(mask.replace(/,/g, ''));
}

export const rpsDoubleSteering: Check = {
  name: 'RPS on devices Falcon steers',
  ids: ['rps-double-steering'],
  skip: (ctx) => (ctx.steered === undefined ? 'falcon.ko is not loaded: no device is steered' : undefined),
  run({ host, steered }) {
    const findings: Finding[] = [];
    for (const s of steered ?? []) {
      const ns = host.namespaces.find((n) => n.netns === (s.netns ?? null));
      const dev = ns?.links.find((l) => l.ifname === s.ifname);
      if (!ns || !dev) continue;
      const queues = Object.entries(dev.rps).filter(([, mask]) => rpsMaskSet(mask)).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
      if (queues.length === 0) continue;
      findings.push({
        id: 'rps-double-steering',
        severity: 'warning',
        netns: ns.netns,
        device: dev.ifname,
        what: 'RPS is configured on a device Falcon steers: each packet is moved to another CPU twice (RPS, then Falcon), and RPS overrides Falcon\'s placement',
        evidence: queues.map(([q, mask]) => `/sys/class/net/${dev.ifname}/queues/${q}/rps_cpus: ${mask}`),
        fix: queues.map(([q]) => shInNetns(ns.netns, `echo 0 > /sys/class/net/${dev.ifname}/queues/${q}/rps_cpus`)),
      });
    }
    return findings;
  },
};
