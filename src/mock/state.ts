// The module's state as the mock keeps it: the global configuration, the
// attachments with their counters, and each possible CPU's queue and counters.
import type { Mode, Policy } from '../api/types';
import type { MockDevice } from './netns';
import type { FlowRecord } from './order';

/** The global configuration (docs/protocol.md "Defaults"). */
export interface ConfigState {
  enabled: boolean;
  /** The configured global set, ascending (may hold CPUs now offline). */
  cpus: number[];
  mode: Mode;
  policy: Policy;
  threshold: number;
  hysteresis: number;
  intervalMs: number;
  queueLimit: number;
}

/** The defaults at module load, for a host whose online CPUs are given. */
export function defaultConfig(online: readonly number[]): ConfigState {
  return {
    enabled: true,
    cpus: [...online].sort((a, b) => a - b),
    mode: 'stage',
    policy: 'balanced',
    threshold: 80,
    hysteresis: 20,
    intervalMs: 12,
    queueLimit: 1000,
  };
}

/** Counters of one attachment. */
export interface DeviceCounters {
  seen: number;
  steered: number;
  local: number;
  gated: number;
  second: number;
  dropped: number;
  /** Packets sent to their flow's previous CPU instead of the placement's target (deferred, slot-busy). */
  deferred: number;
  /** Steered packets by target CPU. */
  targets: Map<number, number>;
  /** Packets seen per arrival CPU: the hook samples last-hash on the 1st, 65th, ... of each. */
  seenOn: Map<number, number>;
  /** The sampled flow hash (dev-stats last-hash); absent until sampled, and after reset. */
  lastHash?: number;
}

/** Zeroed device counters. */
export function zeroDeviceCounters(): DeviceCounters {
  return { seen: 0, steered: 0, local: 0, gated: 0, second: 0, dropped: 0, deferred: 0, targets: new Map(), seenOn: new Map() };
}

/** An attached device. */
export interface AttachmentState {
  readonly device: MockDevice;
  readonly stage: number;
  /** The attachment's own CPU set, when attach gave one. */
  readonly cpus?: number[];
  counters: DeviceCounters;
  /** The load gate (placement.ts gateNext), re-evaluated by MockModel.refreshGates(). */
  gateClosed: boolean;
  /** The flow table (order.ts), by slot: empty slots are absent. Kept by a re-attach while draining. */
  readonly flows: Map<number, FlowRecord>;
  /**
   * Each possible CPU's epoch at the attach: a CPU is cold (keeps its
   * arrivals in place) while its epoch is still this one.
   */
  readonly attachEpochs: readonly number[];
}

/** A packet in a CPU's Falcon queue. */
export interface QueuedPacket {
  readonly dev: MockDevice;
  readonly flowHash: number;
}

/** One possible CPU: its Falcon queue and counters. */
export interface CpuState {
  readonly cpu: number;
  online: boolean;
  enqueued: number;
  processed: number;
  dropped: number;
  purged: number;
  kicks: number;
  queueHwm: number;
  /** Queued packets, oldest first. */
  queue: QueuedPacket[];
  /**
   * Goes up by one at each quiet point: when the CPU's queue is empty after
   * processing (the mock's NET_RX exit with nothing left to run). A flow
   * record naming this CPU is pending while the epoch is still its own.
   */
  epoch: number;
  /** The CPU's NAPI is scheduled (a kick is pending or it is polling). */
  scheduled: boolean;
  /** The load monitor's smoothed value. */
  monitorLoad: number;
  /** The pinned value, when pinned. */
  pinned?: number;
}

/** A fresh CPU. */
export function newCpu(cpu: number, online: boolean): CpuState {
  return {
    cpu, online, enqueued: 0, processed: 0, dropped: 0, purged: 0, kicks: 0, queueHwm: 0,
    queue: [], epoch: 0, scheduled: false, monitorLoad: 0,
  };
}

/** reset-stats on one CPU: counters and high-water mark, not the queue, loads or pins. */
export function resetCpuCounters(state: CpuState): void {
  state.enqueued = 0;
  state.processed = 0;
  state.dropped = 0;
  state.purged = 0;
  state.kicks = 0;
  state.queueHwm = 0;
}
