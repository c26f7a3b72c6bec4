// Decodes the stage profiler's maps (layouts in bpf/stage_profile.h) into a
// snapshot of cumulative counters. Two snapshots' difference is a profile
// (assemble.ts). Pure functions over raw bytes: unit-tested without a kernel.
import type { MapDump } from './addon';

/** A device across namespaces. */
export interface DevKey {
  readonly netnsCookie: number;
  readonly ifindex: number;
}

/** struct sp_stage, one CPU. ns and handoffNs are the timed NET_RX runs' only. */
export interface StageCounters {
  packets: number;
  ns: number;
  handoffPackets: number;
  handoffNs: number;
}

/** struct sp_cpu, one CPU. */
export interface CpuCounters {
  netRxCount: number;
  netRxNs: number;
  outsidePackets: number;
  queueWaitUnknown: number;
  /** Received on devices past the device table's size: in no stage. */
  untrackedPackets: number;
}

/** struct sp_flow. */
export interface FlowTuple {
  readonly proto: 'tcp' | 'udp' | 'other';
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
}

/** struct sp_flow_stage, one CPU. */
export interface FlowCounters {
  packets: number;
  ns: number;
}

/** One flow at one device. */
export interface FlowEntry {
  /** Same for the flow's entries at every device. */
  readonly flowId: string;
  readonly flow: FlowTuple;
  readonly dev: DevKey;
  readonly perCpu: FlowCounters[];
}

/** Everything the programs have counted so far (cumulative since load). */
export interface RawSnapshot {
  /** Index: CPU number (possible CPUs). */
  readonly cpus: CpuCounters[];
  /** Key: devKeyId(). Value per CPU. */
  readonly stages: Map<string, { key: DevKey; perCpu: StageCounters[] }>;
  /** Key: devKeyId(). */
  readonly names: Map<string, { ifname: string; netnsInum: number }>;
  /** Key: flow id + device id. */
  readonly flows: Map<string, FlowEntry>;
  /** [cpu][bucket]: reinjections whose wait fell in (2^(b-1), 2^b] ns. */
  readonly queueWait: number[][];
}

export const WAIT_BUCKETS = 64;

export function devKeyId(k: DevKey): string {
  return `${k.netnsCookie}/${k.ifindex}`;
}

const u64 = (b: Buffer, off: number): number => Number(b.readBigUInt64LE(off));

function devKeyAt(b: Buffer, off: number): DevKey {
  return { netnsCookie: u64(b, off), ifindex: b.readUInt32LE(off + 8) };
}

/** Each CPU's slot of a per-CPU value. */
function slots<T>(dump: MapDump, value: Buffer, decode: (b: Buffer, off: number) => T): T[] {
  return Array.from({ length: dump.nrCpus }, (_, c) => decode(value, c * dump.valueSize));
}

function formatAddress(bytes: Buffer, family: number): string {
  if (family === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes '::'.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** struct sp_flow at @off (40 bytes). */
export function decodeFlow(b: Buffer, off = 0): FlowTuple {
  const proto = b[off + 36];
  const family = b[off + 37] ?? 4;
  return {
    proto: proto === 6 ? 'tcp' : proto === 17 ? 'udp' : 'other',
    src: formatAddress(b.subarray(off, off + 16), family),
    dst: formatAddress(b.subarray(off + 16, off + 32), family),
    sport: b.readUInt16LE(off + 32),
    dport: b.readUInt16LE(off + 34),
  };
}

/**
 * The dumps of sp_cpus, sp_stages, sp_dev_names, sp_flows and sp_queue_wait as
 * one snapshot. sp_stages is an array: sp_dev_names gives each device's index in it.
 */
export function decodeSnapshot(d: {
  cpus: MapDump;
  stages: MapDump;
  names: MapDump;
  flows: MapDump;
  queueWait: MapDump;
}): RawSnapshot {
  const cpuEntry = d.cpus.entries[0];
  const cpus = cpuEntry
    ? slots(d.cpus, cpuEntry[1], (b, o) => ({
        netRxCount: u64(b, o),
        netRxNs: u64(b, o + 8),
        outsidePackets: u64(b, o + 16),
        queueWaitUnknown: u64(b, o + 24),
        untrackedPackets: u64(b, o + 32),
      }))
    : [];
  const stageValues = new Map<number, Buffer>(d.stages.entries.map(([k, v]) => [k.readUInt32LE(0), v]));
  const stages = new Map<string, { key: DevKey; perCpu: StageCounters[] }>();
  const names = new Map<string, { ifname: string; netnsInum: number }>();
  for (const [k, v] of d.names.entries) {
    const key = devKeyAt(k, 0);
    const end = v.indexOf(0);
    names.set(devKeyId(key), { ifname: v.toString('utf8', 0, end < 0 || end > 16 ? 16 : end), netnsInum: v.readUInt32LE(16) });
    const value = stageValues.get(v.readUInt32LE(20));
    if (value === undefined) continue;
    stages.set(devKeyId(key), {
      key,
      perCpu: slots(d.stages, value, (b, o) => ({ packets: u64(b, o), ns: u64(b, o + 8), handoffPackets: u64(b, o + 16), handoffNs: u64(b, o + 24) })),
    });
  }
  const flows = new Map<string, FlowEntry>();
  for (const [k, v] of d.flows.entries) {
    flows.set(k.toString('hex'), {
      flowId: k.toString('hex', 0, 40),
      flow: decodeFlow(k, 0),
      dev: devKeyAt(k, 40),
      perCpu: slots(d.flows, v, (b, o) => ({ packets: u64(b, o), ns: u64(b, o + 8) })),
    });
  }
  const queueWait = Array.from({ length: d.queueWait.nrCpus }, () => new Array<number>(WAIT_BUCKETS).fill(0));
  for (const [k, v] of d.queueWait.entries) {
    const bucket = k.readUInt32LE(0);
    if (bucket >= WAIT_BUCKETS) continue;
    slots(d.queueWait, v, (b, o) => u64(b, o)).forEach((n, cpu) => {
      (queueWait[cpu] as number[])[bucket] = n;
    });
  }
  return { cpus, stages, names, flows, queueWait };
}
