/**
 * Placements: which vCPUs the sender and receiver are pinned to (taskset), and
 * which vCPUs the steering modes (RPS masks, Falcon's CPU set) may use.
 */
import { PlacementId } from './types';

/** The CPUs of one placement on a guest with `cpus` vCPUs. */
export interface PlacementCpus {
  sender: number;
  receiver: number;
  /** CPUs RPS and Falcon steer to, ascending. */
  steer: number[];
  /** CPU the contention scenario's busy loop occupies (one of `steer`). */
  busy: number;
}

/** A placement's description. */
export interface PlacementSpec {
  id: PlacementId;
  label: string;
  /** Fewest vCPUs it can be laid out on. */
  minCpus: number;
  describe: string;
}

/** Every placement. */
export const PLACEMENTS: readonly PlacementSpec[] = [
  {
    id: 'spare',
    label: 'spare core',
    minCpus: 1,
    describe: 'sender and receiver pinned to vCPU 0; the other vCPUs are free and form the steering set',
  },
  {
    id: 'pipeline',
    label: 'pipelining',
    minCpus: 3,
    describe: 'sender and receiver pinned to vCPU 0; two or more free vCPUs, so the stages can spread where RPS moves the whole chain to one',
  },
  {
    id: 'nospare',
    label: 'no spare core',
    minCpus: 2,
    describe: 'sender on vCPU 0, receiver on vCPU 1; the steering set is every vCPU',
  },
];

/** The spec of one placement. */
export function placement(id: PlacementId): PlacementSpec {
  const p = PLACEMENTS.find((x) => x.id === id);
  if (p === undefined) throw new Error(`unknown placement ${id}`);
  return p;
}

function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i <= to; i++) r.push(i);
  return r;
}

/** Lays a placement out on `cpus` vCPUs. */
export function placementCpus(id: PlacementId, cpus: number): PlacementCpus {
  if (!Number.isInteger(cpus) || cpus < placement(id).minCpus) {
    throw new Error(`placement ${id} needs at least ${placement(id).minCpus} vCPUs, got ${cpus}`);
  }
  if (id === 'spare' || id === 'pipeline') {
    const steer = cpus > 1 ? range(1, cpus - 1) : [0];
    return { sender: 0, receiver: 0, steer, busy: steer[steer.length - 1] as number };
  }
  const steer = range(0, cpus - 1);
  return { sender: 0, receiver: 1, steer, busy: cpus - 1 };
}

/** A CPU list as a hex mask for /sys/class/net/<dev>/queues/rx-N/rps_cpus. */
export function cpuMaskHex(cpus: readonly number[]): string {
  let mask = 0n;
  for (const c of cpus) mask |= 1n << BigInt(c);
  const hex = mask.toString(16);
  // sysfs takes comma-separated 32-bit words, most significant first.
  const words: string[] = [];
  for (let end = hex.length; end > 0; end -= 8) words.unshift(hex.slice(Math.max(0, end - 8), end));
  return words.join(',');
}
