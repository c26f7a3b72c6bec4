// The mock's stage profile: what the mock datapath did (src/mock/profile-ledger.ts)
// priced by a fixed cost model, so user code can be unit-tested against the
// same Profile shape the kernel gives. The model (docs/profiler.md):
//   a stage costs stageNs per packet (per-ifname overrides: VXLAN decap dearer),
//   a packet Falcon takes costs handoffNs on its arrival CPU,
//   a reinjected packet waited queueWakeNs plus stageNs per packet ahead of it,
//   a NET_RX run costs netRxRunNs on top of its stages.
import { setTimeout as sleep } from 'timers/promises';
import { FalconError } from '../api/errors';
import { checkFlowSampling, checkTimeSampling } from './sampling';
import type { MockModel } from '../mock/model';
import type { LedgerStage } from '../mock/profile-ledger';
import type { MockDevice } from '../mock/netns';
import type { CpuProfile, FlowProfile, HistogramBucket, Profile, ProfileOptions, QueueWaitProfile, StageProfile, WatchProfileOptions } from './types';

/** The prices of the mock's cost model, in ns. */
export interface MockCostModel {
  /** One packet's stage at a device, unless stageNsByIfname names it. */
  readonly stageNs: number;
  readonly stageNsByIfname: Readonly<Record<string, number>>;
  /** Arrival to steer, on the arrival CPU, per packet Falcon takes. */
  readonly handoffNs: number;
  /** Enqueue to reinjection for a packet with nothing ahead of it (IPI, NAPI schedule). */
  readonly queueWakeNs: number;
  /** A NET_RX softirq run's own cost (driver poll, loop), beyond its stages. */
  readonly netRxRunNs: number;
}

/**
 * The defaults: round figures chosen to be easy to assert on, not
 * measurements (docs/results.md has the testbed's); vx0 costs twice a
 * plain stage.
 */
export const DEFAULT_MOCK_COSTS: MockCostModel = {
  stageNs: 1000,
  stageNsByIfname: { vx0: 2000 },
  handoffNs: 300,
  queueWakeNs: 4000,
  netRxRunNs: 500,
};

/** A reading of the ledger's cumulative counts. */
interface Reading {
  readonly netRx: Map<number, number>;
  readonly stages: Map<string, { cell: LedgerStage; packets: number; handoffPackets: number }>;
  readonly flows: Map<string, number>;
  readonly waits: Map<string, number>;
}

function read(model: MockModel): Reading {
  const l = model.ledger;
  return {
    netRx: new Map(l.netRxRuns),
    stages: new Map([...l.stages].map(([k, c]) => [k, { cell: c, packets: c.packets, handoffPackets: c.handoffPackets }])),
    flows: new Map([...l.flowStages].map(([k, f]) => [k, f.packets])),
    waits: new Map([...l.waits].map(([k, w]) => [k, w.count])),
  };
}

function stageCost(costs: MockCostModel, dev: MockDevice): number {
  return costs.stageNsByIfname[dev.ifname] ?? costs.stageNs;
}

function netnsName(dev: MockDevice): string | null {
  return dev.netns.name ?? null;
}

function wanted(options: ProfileOptions, dev: MockDevice): boolean {
  const d = options.devices;
  return !d || d.length === 0 || d.some((x) => x.ifname === dev.ifname && (x.netns === undefined || x.netns === netnsName(dev)));
}

/** ceil(log2(ns)), as the kernel program buckets. */
function bucketOf(ns: number): number {
  return ns <= 1 ? 0 : Math.ceil(Math.log2(ns));
}

/** The profile of what the mock did between two readings. */
function profileBetween(model: MockModel, a: Reading, b: Reading, durationMs: number, options: ProfileOptions, costs: MockCostModel): Profile {
  const byCpu = new Map<number, StageProfile[]>();
  const spent = new Map<number, number>();
  for (const [key, now] of b.stages) {
    const was = a.stages.get(key);
    const packets = now.packets - (was?.packets ?? 0);
    const handoff = now.handoffPackets - (was?.handoffPackets ?? 0);
    if (packets === 0 && handoff === 0) continue;
    const { cpu, device } = now.cell;
    const ns = packets * stageCost(costs, device);
    const handoffNs = handoff * costs.handoffNs;
    spent.set(cpu, (spent.get(cpu) ?? 0) + ns + handoffNs);
    if (!wanted(options, device)) continue;
    const list = byCpu.get(cpu) ?? [];
    list.push({
      ifname: device.ifname, ifindex: device.ifindex, netns: netnsName(device), netns_cookie: device.netns.cookie, packets, ns,
      ...(handoff > 0 ? { handoff_packets: handoff, handoff_ns: handoffNs } : {}),
    });
    byCpu.set(cpu, list);
  }
  const cpus: CpuProfile[] = model.onlineCpus().map((cpu) => {
    const runs = (b.netRx.get(cpu) ?? 0) - (a.netRx.get(cpu) ?? 0);
    return {
      cpu,
      net_rx_count: runs,
      net_rx_ns: runs * costs.netRxRunNs + (spent.get(cpu) ?? 0),
      stages: (byCpu.get(cpu) ?? []).sort((x, y) => y.ns - x.ns || y.packets - x.packets),
    };
  });

  const waits = new Map<number, Map<number, number>>();
  for (const [key, count] of b.waits) {
    const n = count - (a.waits.get(key) ?? 0);
    if (n === 0) continue;
    const w = model.ledger.waits.get(key);
    if (!w) continue;
    const bucket = bucketOf(costs.queueWakeNs + w.ahead * stageCost(costs, w.device));
    const hist = waits.get(w.cpu) ?? new Map<number, number>();
    hist.set(bucket, (hist.get(bucket) ?? 0) + n);
    waits.set(w.cpu, hist);
  }
  const queue_wait: QueueWaitProfile[] = [...waits.entries()].sort(([x], [y]) => x - y).map(([cpu, hist]) => {
    const buckets: HistogramBucket[] = [...hist.entries()].sort(([x], [y]) => x - y).map(([bucket, count]) => ({ le_ns: 2 ** bucket, count }));
    return { cpu, count: buckets.reduce((s, x) => s + x.count, 0), buckets };
  });

  const flows = new Map<string, FlowProfile & { stages: FlowProfile['stages'][number][] }>();
  const perDevice = new Map<string, number>();
  for (const [key, packetsNow] of b.flows) {
    const f = model.ledger.flowStages.get(key);
    const n = packetsNow - (a.flows.get(key) ?? 0);
    if (!f || n === 0 || !wanted(options, f.device)) continue;
    const entry = flows.get(f.flowId) ?? { ...f.flow, packets: 0, stages: [] };
    entry.stages.push({ ifname: f.device.ifname, netns: netnsName(f.device), cpu: f.cpu, packets: n, ns_per_packet: stageCost(costs, f.device) });
    const devKey = `${f.flowId}/${f.device.netns.cookie}/${f.device.ifindex}`;
    perDevice.set(devKey, (perDevice.get(devKey) ?? 0) + n);
    flows.set(f.flowId, { ...entry, packets: Math.max(entry.packets, perDevice.get(devKey) ?? 0) });
  }
  const topFlows = options.topFlows ?? 10;

  return {
    duration_ms: durationMs,
    source: 'mock',
    falcon: true,
    cpus,
    queue_wait,
    top_flows: [...flows.values()].sort((x, y) => y.packets - x.packets).slice(0, Math.max(0, topFlows)),
  };
}

function checkMs(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < 0) throw new FalconError({ code: 'EINVAL', message: `${what} must be a number of milliseconds >= 0`, syscall: 'profile' });
  return ms;
}

function abortError(cause: unknown): FalconError {
  return new FalconError({ code: 'ECANCELED', message: 'The operation was aborted', syscall: 'profile', name: 'AbortError', cause });
}

/**
 * Profiles the mock host for options.durationMs (default 1000) of real time:
 * what was injected meanwhile, priced by `costs`.
 */
export async function mockProfile(model: MockModel, options: ProfileOptions = {}, costs: MockCostModel = DEFAULT_MOCK_COSTS): Promise<Profile> {
  const durationMs = checkMs(options.durationMs ?? 1000, 'durationMs');
  checkFlowSampling(options.flowSampling);
  checkTimeSampling(options.timeSampling);
  const before = read(model);
  await sleep(durationMs, undefined, options.signal ? { signal: options.signal } : {}).catch((e: unknown) => {
    throw abortError(e);
  });
  return profileBetween(model, before, read(model), durationMs, options, costs);
}

/** Mock profiles back to back, every options.intervalMs (default 1000), until the signal aborts. */
export async function* watchMockProfiles(model: MockModel, options: WatchProfileOptions = {}, costs: MockCostModel = DEFAULT_MOCK_COSTS): AsyncGenerator<Profile, void, undefined> {
  const intervalMs = checkMs(options.intervalMs ?? 1000, 'intervalMs');
  checkFlowSampling(options.flowSampling);
  checkTimeSampling(options.timeSampling);
  let before = read(model);
  while (options.signal?.aborted !== true) {
    try {
      await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      return;
    }
    const after = read(model);
    yield profileBetween(model, before, after, intervalMs, options, costs);
    before = after;
  }
}
