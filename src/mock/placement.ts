// The placement function of docs/design.md / docs/protocol.md, bit-exact with the
// kernel module: pure, u32 arithmetic throughout. The one piece of state, an
// attachment's load gate, is an input here; gateNext() is how the module moves
// it. The mock's pick and datapath both call place(), and the conformance
// suite compares the kernel's answers with it.
import type { Mode, PickReason, Policy } from '../api/types';

/** The kernel's GOLDEN_RATIO_32 (include/linux/hash.h). */
export const GOLDEN_RATIO_32 = 0x61c88647;

/**
 * The kernel's hash_32(val, bits) for 1 <= bits <= 32: the u32 product
 * val * GOLDEN_RATIO_32, top `bits` bits. Math.imul keeps the product exact
 * in 32 bits where a float multiply would lose the low bits.
 */
export function hash32(value: number, bits: number): number {
  if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw new RangeError('bits must be 1-32');
  const product = Math.imul(value >>> 0, GOLDEN_RATIO_32) >>> 0;
  return bits === 32 ? product : product >>> (32 - bits);
}

/** Everything placement depends on for one packet of one flow on one device. */
export interface PlacementInput {
  readonly enabled: boolean;
  /** The effective CPU set E: ascending, online CPUs only. */
  readonly cpus: readonly number[];
  readonly mode: Mode;
  readonly policy: Policy;
  /** Load threshold in percent. */
  readonly threshold: number;
  /** load(c): the pinned value if pinned, else the monitor's smoothed value. */
  readonly load: (cpu: number) => number;
  /** The attachment's load gate is closed (see gateNext). */
  readonly gateClosed: boolean;
  /** The attachment's stage number. */
  readonly stage: number;
  /** The device's ifindex (paper mode only). */
  readonly ifindex: number;
  /** The flow hash (u32). */
  readonly flowHash: number;
}

/** The decision, shaped like the pick reply. */
export interface Placement {
  readonly first?: number;
  readonly second?: number;
  /** Absent when the packet stays in place. */
  readonly target?: number;
  readonly reason: PickReason;
}

/** Computes where a packet goes, exactly as the module does. */
export function place(input: PlacementInput): Placement {
  const set = input.cpus;
  const n = set.length;
  if (!input.enabled) return { reason: 'disabled' };
  if (n === 0) return { reason: 'no-cpus' };

  const stageMode = input.mode === 'stage';
  const h = stageMode ? hash32(input.flowHash, 16) : hash32((input.flowHash + input.ifindex) >>> 0, 16);
  // h < 2^16 and stage <= 255, so h + stage never leaves the u32 range.
  const i1 = stageMode ? (h + input.stage) % n : h % n;
  const first = set[i1];
  if (input.policy === 'static') return { first, target: first, reason: 'first' };

  if (input.gateClosed) return { first, reason: 'gated' };

  const loadFirst = input.load(first);
  if (loadFirst < input.threshold) return { first, target: first, reason: 'first' };

  const h2 = hash32(h, 16);
  const i2 = stageMode ? (h2 + input.stage) % n : h2 % n;
  const second = set[i2];
  if (input.load(second) < loadFirst) return { first, second, target: second, reason: 'second' };
  return { first, second, target: first, reason: 'first-kept' };
}

/** What an attachment's load gate depends on. */
export interface GateInput {
  /** The effective CPU set E. */
  readonly cpus: readonly number[];
  readonly threshold: number;
  /** Percentage points below the threshold the average must fall before a closed gate opens. */
  readonly hysteresis: number;
  readonly load: (cpu: number) => number;
  /** The gate's state before this evaluation. */
  readonly closed: boolean;
}

/**
 * The load gate's next state, evaluated whenever a load or an input changes
 * (each monitor sample, pin, unpin, config or set change): closed once the
 * set's average load reaches the threshold, open again only below
 * threshold - hysteresis. An empty set's gate is open.
 */
export function gateNext(input: GateInput): boolean {
  const n = input.cpus.length;
  if (n === 0) return false;
  let sum = 0;
  for (const cpu of input.cpus) sum += input.load(cpu);
  const bar = input.closed ? input.threshold - Math.min(input.threshold, input.hysteresis) : input.threshold;
  return Math.floor(sum / n) >= bar;
}
