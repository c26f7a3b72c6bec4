// A Profile from two snapshots of the programs' cumulative counters: the
// difference is what happened in between. Pure: unit-tested without a kernel.
import type { CpuProfile, FlowProfile, FlowStageProfile, HistogramBucket, Profile, ProfileOptions, QueueWaitProfile, StageProfile } from './types';
import { RawSnapshot, WAIT_BUCKETS, devKeyId } from './maps';

/** What the snapshots do not say. */
export interface AssembleContext {
  readonly durationMs: number;
  /** CPUs to report (the online ones), ascending. */
  readonly cpus: readonly number[];
  /** Namespace inode -> ip netns name; null (or absent) for unnamed ones such as the initial namespace. */
  readonly netnsNames: ReadonlyMap<number, string | null>;
  readonly falcon: boolean;
  readonly notes: readonly string[];
  readonly devices?: ProfileOptions['devices'];
  readonly topFlows: number;
  /** Flows were accounted on one timed stage run in this many: their packets are scaled by it (default 1). */
  readonly flowSampling?: number;
  /** Stages were timed in one NET_RX run in this many (default 1): scales the flows' packets too. */
  readonly timeSampling?: number;
}

/** A snapshot with nothing counted: the baseline of the first profile after load. */
export function emptySnapshot(): RawSnapshot {
  return { cpus: [], stages: new Map(), names: new Map(), flows: new Map(), queueWait: [] };
}

function wanted(ctx: AssembleContext, ifname: string, netns: string | null): boolean {
  if (!ctx.devices || ctx.devices.length === 0) return true;
  return ctx.devices.some((d) => d.ifname === ifname && (d.netns === undefined || d.netns === netns));
}

function sampling(ctx: AssembleContext): Pick<Profile, 'sampling'> {
  const time = ctx.timeSampling ?? 1;
  const flows = ctx.topFlows > 0 ? (ctx.flowSampling ?? 1) : 1;
  return time > 1 || flows > 1 ? { sampling: { time, flows } } : {};
}

export function assembleProfile(before: RawSnapshot, after: RawSnapshot, ctx: AssembleContext): Profile {
  const nameOf = (id: string): { ifname: string; netns: string | null } => {
    const n = after.names.get(id) ?? before.names.get(id);
    return { ifname: n?.ifname ?? '?', netns: n === undefined ? null : (ctx.netnsNames.get(n.netnsInum) ?? null) };
  };

  const timeScale = ctx.timeSampling ?? 1;
  const stagesByCpu = new Map<number, StageProfile[]>();
  for (const [id, now] of after.stages) {
    const was = before.stages.get(id);
    const { ifname, netns } = nameOf(id);
    if (!wanted(ctx, ifname, netns)) continue;
    now.perCpu.forEach((c, cpu) => {
      const p = was?.perCpu[cpu];
      const packets = c.packets - (p?.packets ?? 0);
      const handoffPackets = c.handoffPackets - (p?.handoffPackets ?? 0);
      // Each NET_RX run was timed with probability 1/timeSampling: the
      // timed runs' time times timeSampling estimates all runs' (unbiased,
      // and exact at 1; time outside NET_RX is 0 either way).
      const ns = (c.ns - (p?.ns ?? 0)) * timeScale;
      const handoffNs = (c.handoffNs - (p?.handoffNs ?? 0)) * timeScale;
      if (packets === 0 && ns === 0 && handoffPackets === 0) return;
      const stage: StageProfile = {
        ifname, ifindex: now.key.ifindex, netns, netns_cookie: now.key.netnsCookie, packets, ns,
        ...(handoffPackets > 0 ? { handoff_packets: handoffPackets, handoff_ns: handoffNs } : {}),
      };
      const list = stagesByCpu.get(cpu) ?? [];
      list.push(stage);
      stagesByCpu.set(cpu, list);
    });
  }

  const cpus: CpuProfile[] = ctx.cpus.map((cpu) => {
    const now = after.cpus[cpu];
    const was = before.cpus[cpu];
    const outside = (now?.outsidePackets ?? 0) - (was?.outsidePackets ?? 0);
    const untracked = (now?.untrackedPackets ?? 0) - (was?.untrackedPackets ?? 0);
    const stages = (stagesByCpu.get(cpu) ?? []).sort((a, b) => b.ns - a.ns || b.packets - a.packets);
    return {
      cpu,
      net_rx_count: (now?.netRxCount ?? 0) - (was?.netRxCount ?? 0),
      net_rx_ns: (now?.netRxNs ?? 0) - (was?.netRxNs ?? 0),
      stages,
      ...(outside > 0 ? { outside_packets: outside } : {}),
      ...(untracked > 0 ? { untracked_packets: untracked } : {}),
    };
  });

  const queue_wait: QueueWaitProfile[] = [];
  if (ctx.falcon) {
    for (const cpu of ctx.cpus) {
      const buckets: HistogramBucket[] = [];
      let count = 0;
      for (let b = 0; b < WAIT_BUCKETS; b++) {
        const n = (after.queueWait[cpu]?.[b] ?? 0) - (before.queueWait[cpu]?.[b] ?? 0);
        if (n === 0) continue;
        buckets.push({ le_ns: 2 ** b, count: n });
        count += n;
      }
      const unknown = (after.cpus[cpu]?.queueWaitUnknown ?? 0) - (before.cpus[cpu]?.queueWaitUnknown ?? 0);
      if (count > 0 || unknown > 0) queue_wait.push({ cpu, count, buckets, ...(unknown > 0 ? { unknown } : {}) });
    }
  }

  return {
    duration_ms: ctx.durationMs,
    source: 'kernel',
    falcon: ctx.falcon,
    cpus,
    queue_wait,
    top_flows: ctx.topFlows > 0 ? topFlows(before, after, ctx, nameOf) : [],
    ...sampling(ctx),
    ...(ctx.notes.length > 0 ? { notes: [...ctx.notes] } : {}),
  };
}

/**
 * The busiest flows. A flow's packets are its busiest device's (each device
 * counts a packet once, so every device of the path sees about the same);
 * when sampled, the mean of its devices' estimates (the busiest of several
 * noisy estimates would overstate it).
 */
function topFlows(
  before: RawSnapshot,
  after: RawSnapshot,
  ctx: AssembleContext,
  nameOf: (id: string) => { ifname: string; netns: string | null },
): FlowProfile[] {
  const flows = new Map<string, { tuple: FlowProfile; stages: FlowStageProfile[]; devices: number[] }>();
  const scale = (ctx.flowSampling ?? 1) * (ctx.timeSampling ?? 1);
  for (const [id, now] of after.flows) {
    const was = before.flows.get(id);
    const { ifname, netns } = nameOf(devKeyId(now.dev));
    if (!wanted(ctx, ifname, netns)) continue;
    let devPackets = 0;
    const stages: FlowStageProfile[] = [];
    now.perCpu.forEach((c, cpu) => {
      const sampled = c.packets - (was?.perCpu[cpu]?.packets ?? 0);
      const ns = c.ns - (was?.perCpu[cpu]?.ns ?? 0);
      if (sampled <= 0) return;
      const packets = sampled * scale;
      devPackets += packets;
      stages.push({ ifname, netns, cpu, packets, ns_per_packet: Math.round(ns / sampled) });
    });
    // A device where the flow was seen but not sampled this time counts as
    // 0 in the mean: leaving it out would overstate sparse flows.
    const f = flows.get(now.flowId) ?? { tuple: { ...now.flow, packets: 0, stages: [] }, stages: [], devices: [] };
    f.stages.push(...stages);
    f.devices.push(devPackets);
    flows.set(now.flowId, f);
  }
  const packetsOf = (devices: number[]): number =>
    scale > 1 ? Math.round(devices.reduce((a, b) => a + b, 0) / devices.length) : Math.max(...devices);
  return [...flows.values()]
    .map((f) => ({ ...f, packets: packetsOf(f.devices) }))
    .filter((f) => f.packets > 0)
    .sort((a, b) => b.packets - a.packets)
    .slice(0, ctx.topFlows)
    .map((f) => ({ ...f.tuple, packets: f.packets, stages: f.stages }));
}
