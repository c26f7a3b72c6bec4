// single-cpu-bound: from a short profile, a flow whose receive stages all
// run on one CPU that is saturated in NET_RX while other CPUs idle: the
// case Falcon is for. The fix attaches the flow's devices in path order
// (underlay, VXLAN, container), so they get stages 0, 1, 2 and Falcon
// pipelines them over the idle CPUs. singleCpuBound() is pure over a
// Profile (src/profile/types.ts), so it is tested on constructed profiles.
import { formatCpuList } from '../../api/cpuset';
import type { CpuProfile, FlowProfile, Profile } from '../../profile/types';
import type { Check } from '../check';
import { attachCommand, deviceText, pathRank } from '../path';
import type { Finding, SteeredDevice } from '../types';

/** NET_RX's share of a CPU at which it is saturated: more receive work cannot fit. */
export const BUSY_SHARE = 0.8;
/** NET_RX's share below which a CPU counts as idle (room for a stage). */
export const IDLE_SHARE = 0.3;

/** What singleCpuBound needs besides the profile. */
export interface BoundOptions {
  readonly onlineCpus: readonly number[];
  /** A device's place on the receive path (lower first); default: the order the profile lists them. */
  readonly rank?: (ifname: string, netns: string | null) => number;
  /** The devices Falcon steers already (left out of the attach commands). */
  readonly steered?: readonly SteeredDevice[];
}

interface Stage {
  readonly ifname: string;
  readonly netns: string | null;
  readonly packets: number;
  readonly nsPerPacket: number;
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;
const flowText = (f: FlowProfile): string => `${f.proto} ${f.src}:${f.sport} > ${f.dst}:${f.dport}`;

/** The stages that ran on `cpu`: the busiest flow's that ran mostly there, else the CPU's own list. */
function stagesOn(cpu: CpuProfile, flows: readonly FlowProfile[]): { flow?: FlowProfile; stages: Stage[] } {
  for (const flow of [...flows].sort((a, b) => b.packets - a.packets)) {
    const here = flow.stages.filter((s) => s.cpu === cpu.cpu);
    const packetsHere = here.reduce((n, s) => n + s.packets, 0);
    const packetsAll = flow.stages.reduce((n, s) => n + s.packets, 0);
    if (here.length === 0 || packetsHere * 2 < packetsAll) continue;
    return { flow, stages: here.map((s) => ({ ifname: s.ifname, netns: s.netns, packets: s.packets, nsPerPacket: s.ns_per_packet })) };
  }
  return { stages: cpu.stages.map((s) => ({ ifname: s.ifname, netns: s.netns, packets: s.packets, nsPerPacket: s.packets > 0 ? s.ns / s.packets : 0 })) };
}

/**
 * Findings for every CPU whose NET_RX share is at least BUSY_SHARE while
 * some other online CPU's is below IDLE_SHARE, and on which two or more
 * device stages of one flow run (one stage alone cannot be pipelined).
 */
export function singleCpuBound(profile: Profile, opts: BoundOptions): Finding[] {
  const durationNs = profile.duration_ms * 1e6;
  if (!(durationNs > 0)) return [];
  const share = new Map(profile.cpus.map((c) => [c.cpu, c.net_rx_ns / durationNs]));
  const findings: Finding[] = [];
  for (const cpu of profile.cpus) {
    const busy = share.get(cpu.cpu) ?? 0;
    if (busy < BUSY_SHARE) continue;
    const idle = opts.onlineCpus.filter((c) => c !== cpu.cpu && (share.get(c) ?? 0) < IDLE_SHARE);
    if (idle.length === 0) continue;
    const { flow, stages } = stagesOn(cpu, profile.top_flows);
    const distinct = stages.filter((s, i) => stages.findIndex((t) => t.ifname === s.ifname && t.netns === s.netns) === i);
    if (distinct.length < 2) continue;
    const order = distinct.map((s, i) => ({ s, i, rank: opts.rank?.(s.ifname, s.netns) ?? 0 }));
    order.sort((a, b) => a.rank - b.rank || a.i - b.i);
    const path = order.map((o) => o.s);
    const steered = (s: Stage): boolean => (opts.steered ?? []).some((d) => d.ifname === s.ifname && (d.netns ?? null) === s.netns);
    const toAttach = path.filter((s) => !steered(s));
    // Every stage attached and still on one CPU: Falcon is off, or its load gate closed.
    const fix = toAttach.length === 0
      ? ['falconctl status']
      : [...(profile.falcon ? [] : ['modprobe falcon']), ...toAttach.map((s) => attachCommand(s.ifname, s.netns)), ...(profile.falcon ? [] : ['falconctl enable'])];
    findings.push({
      id: 'single-cpu-bound',
      severity: 'warning',
      netns: null,
      device: null,
      what: `${flow ? `flow ${flowText(flow)} is` : 'receive work is'} bound by CPU ${cpu.cpu}'s NET_RX (${pct(busy)} busy) while CPU${idle.length > 1 ? 's' : ''} ${formatCpuList(idle)} idle: ${toAttach.length === 0
        ? 'Falcon steers its devices already, yet they run on one CPU (is Falcon enabled, its load gate open?)'
        : `attach its devices in path order (${toAttach.map((s) => deviceText(s.netns, s.ifname)).join(', ')}) to pipeline them`}`,
      evidence: [
        `CPU ${cpu.cpu}: NET_RX ${pct(busy)} of ${profile.duration_ms} ms (${cpu.net_rx_count} runs)`,
        `idle (NET_RX < ${pct(IDLE_SHARE)}): ${idle.map((c) => `CPU ${c} ${pct(share.get(c) ?? 0)}`).join(', ')}`,
        `stages on CPU ${cpu.cpu}: ${path.map((s) => `${deviceText(s.netns, s.ifname)} ${Math.round(s.nsPerPacket)} ns/packet`).join(', ')}`,
      ],
      fix,
    });
  }
  return findings;
}

export const singleCpuBoundCheck: Check = {
  name: 'one CPU bound by NET_RX (profile)',
  ids: ['single-cpu-bound'],
  skip: (ctx) => (ctx.profile === undefined ? (ctx.noProfile ?? 'no profile taken') : undefined),
  run(ctx) {
    if (!ctx.profile) return [];
    return singleCpuBound(ctx.profile, {
      onlineCpus: ctx.host.onlineCpus,
      rank: (ifname, netns) => pathRank(ctx.host.namespaces, ifname, netns),
      ...(ctx.steered ? { steered: ctx.steered } : {}),
    });
  },
};
