// The module's state as the mock keeps it: the global configuration, the
// attachments with their counters, and each possible CPU's queue and counters.
import type { Mode, Policy } from '../api/types';
import type { MockDevice } from './netns';

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
  /** Steered packets by target CPU. */
  targets: Map<number, number>;
  /** Packets seen per arrival CPU: the hook samples last-hash on the 1st, 65th, ... of each. */
  seenOn: Map<number, number>;
  /** The sampled flow hash (dev-stats last-hash); absent until sampled, and after reset. */
  lastHash?: number;
}

/** Zeroed device counters. */
export function zeroDeviceCounters(): DeviceCounters {
  return { seen: 0, steered: 0, local: 0, gated: 0, second: 0, dropped: 0, targets: new Map(), seenOn: new Map() };
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
  /** Queued packets, each remembered by the device it belongs to. */
  queue: MockDevice[];
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
    queue: [], scheduled: false, monitorLoad: 0,
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
