// The public shape of the Falcon SDK: what openFalcon() returns, whichever
// backend (the kernel module or the TypeScript mock) answers.

import type { Profile, ProfileOptions, WatchProfileOptions } from '../profile/types';

/** Which backend answers: the real module over Generic Netlink, or the mock. */
export type BackendName = 'kernel' | 'mock';

/** How a flow's first-choice slot is computed (see docs/protocol.md). */
export type Mode = 'stage' | 'paper';

/** Whether steering follows the first choice only or balances by load. */
export type Policy = 'static' | 'balanced';

/**
 * Why pick chose its target: the placement's reason, or `deferred` /
 * `slot-busy` when the flow's earlier packets (or those of another flow
 * sharing its flow-table slot) may still be on their way on another CPU, so
 * the packet follows them there (docs/protocol.md, "Ordering").
 */
export type PickReason = 'disabled' | 'no-cpus' | 'gated' | 'first' | 'second' | 'first-kept' | 'deferred' | 'slot-busy';

/** A CPU set: an array of CPU numbers or a cpuset string such as "1-3,6". */
export type CpuSetInput = readonly number[] | string;

/** The global configuration. */
export interface FalconConfig {
  /** Attached devices are steered only when enabled. */
  readonly enabled: boolean;
  /** The global CPU set, ascending. */
  readonly cpus: number[];
  readonly mode: Mode;
  readonly policy: Policy;
  /** Load threshold in percent (0-100). */
  readonly threshold: number;
  /**
   * Load-gate hysteresis in percentage points (0-100): a closed gate opens
   * again only when the set's average load falls below threshold - hysteresis.
   */
  readonly hysteresis: number;
  /** Load-monitor sample interval in milliseconds. */
  readonly intervalMs: number;
  /** Packets each CPU's queue may hold. */
  readonly queueLimit: number;
  /** The kernel's nr_cpu_ids. */
  readonly nrCpuIds: number;
  /** CPUs online now, ascending. */
  readonly onlineCpus: number[];
  /** Scheduler tick length in ms; intervalMs must be a multiple. */
  readonly tickMs: number;
}

/** Any subset of the configuration to change; validated as a whole. */
export interface ConfigChange {
  enabled?: boolean;
  cpus?: CpuSetInput;
  mode?: Mode;
  policy?: Policy;
  threshold?: number;
  hysteresis?: number;
  intervalMs?: number;
  queueLimit?: number;
}

/** Names a device: by ifname or ifindex, in a network namespace. */
export interface DeviceRef {
  ifname?: string;
  ifindex?: number;
  /** A namespace name (as in /run/netns) or a path to a namespace file; default: the caller's. */
  netns?: string;
}

/** What attach takes: the device plus optional CPU set and stage. */
export interface AttachOptions extends DeviceRef {
  /** The attachment's own CPU set; default: the global set. */
  cpus?: CpuSetInput;
  /** Stage number (0-255); default: the lowest number not in use. */
  stage?: number;
}

/** An attached device. */
export interface Attachment {
  readonly ifindex: number;
  readonly ifname: string;
  /** The device's namespace cookie (unique per boot). */
  readonly netnsCookie: number;
  /** The inode number of the device's namespace (as stat(2) shows it). */
  readonly netnsInum: number;
  /**
   * The device's namespace, named so that it can be passed back as `netns`:
   * absent for the caller's own namespace, else its `ip netns` name, a
   * /proc/<pid>/ns/net path, or `netns:[<inum>]` when nothing names it.
   */
  readonly netns?: string;
  readonly stage: number;
  /** Present when the attachment has its own CPU set. */
  readonly cpus?: number[];
}

/** Counters of one CPU's Falcon queue. */
export interface CpuStats {
  readonly cpu: number;
  readonly enqueued: number;
  readonly processed: number;
  /** Dropped because the queue was full. */
  readonly dropped: number;
  /** Freed from the queue: device gone, CPU offline, module unload. */
  readonly purged: number;
  /** IPIs sent to wake this CPU. */
  readonly kicks: number;
  readonly queueHwm: number;
  readonly queueLen: number;
  /** Smoothed busy percentage, or the pinned value. */
  readonly load: number;
  readonly pinned: boolean;
}

/** Counters of one attached device (seen = local + steered + dropped). */
export interface DeviceStats {
  readonly ifindex: number;
  readonly ifname: string;
  readonly netnsCookie: number;
  /** As Attachment.netnsInum. */
  readonly netnsInum: number;
  /** As Attachment.netns. */
  readonly netns?: string;
  readonly stage: number;
  readonly seen: number;
  readonly steered: number;
  readonly local: number;
  readonly gated: number;
  readonly second: number;
  readonly dropped: number;
  /**
   * Packets sent to their flow's previous CPU instead of the placement's
   * target, to keep the flow in order (pick reasons deferred and slot-busy):
   * a subset of steered, or of dropped when that CPU's queue was full.
   */
  readonly deferred: number;
  /** The attachment's load gate is closed now (balanced policy: its packets stay in place). */
  readonly gateClosed: boolean;
  /** Steered packets by target CPU (only CPUs with a non-zero count). */
  readonly targets: ReadonlyArray<{ readonly cpu: number; readonly packets: number }>;
  /**
   * Flow hash of a recent packet on this device (sampled every 64th packet
   * per CPU); absent until one is seen. With one flow it is that flow's
   * hash, to give to pick.
   */
  readonly lastHash?: number;
}

/** A stats snapshot. */
export interface Stats {
  readonly cpus: CpuStats[];
  readonly devices: DeviceStats[];
}

/** What pick takes: a device and a flow hash (u32). */
export interface PickRequest extends DeviceRef {
  flowHash: number;
}

/** Where the datapath would send the flow now, and why. */
export interface PickResult {
  /** First-choice CPU (absent when disabled or no CPUs). */
  readonly first?: number;
  /** Second-choice CPU, when it was computed. */
  readonly second?: number;
  /** Target CPU; absent when the packet stays in place. */
  readonly target?: number;
  readonly reason: PickReason;
}

/**
 * Per-call options. A signal or timeout ends the wait, not the request: a
 * request already sent to the kernel cannot be unsent, so a mutation may
 * still take effect; its late reply is dropped.
 */
export interface CallOptions {
  /** Rejects the call with ECANCELED (name 'AbortError') when it aborts; an aborted signal sends nothing. */
  readonly signal?: AbortSignal;
  /** Rejects the call with ETIMEDOUT (name 'TimeoutError') after this many milliseconds (> 0). */
  readonly timeoutMs?: number;
}

/** What watchStats takes. */
export interface WatchStatsOptions {
  /** Time between the starts of two samples in ms (> 0; default 1000). */
  readonly intervalMs?: number;
  /** Ends the iteration (without an error) when it aborts. */
  readonly signal?: AbortSignal;
}

/** One CPU's counters per second between two samples (the cumulative counters of CpuStats). */
export type CpuRates = Pick<CpuStats, 'cpu' | 'enqueued' | 'processed' | 'dropped' | 'purged' | 'kicks'>;

/** One attachment's counters per second between two samples (its identity, and DeviceStats' cumulative counters). */
export type DeviceRates = Pick<
  DeviceStats,
  'ifindex' | 'ifname' | 'netnsCookie' | 'netns' | 'seen' | 'steered' | 'local' | 'gated' | 'second' | 'dropped' | 'deferred'
>;

/**
 * Rates between two samples, per second of measured time. A counter that
 * went down since the previous sample (reset-stats, a re-attach) counts from
 * zero; an attachment not in the previous sample has no rates yet.
 */
export interface StatsRates {
  readonly cpus: CpuRates[];
  readonly devices: DeviceRates[];
}

/** One sample of watchStats. */
export interface StatsSample {
  readonly stats: Stats;
  /**
   * Measured milliseconds since the previous sample's reply (0 for the
   * first): the divisor of `rates`, since timers run late on a busy loop.
   */
  readonly elapsedMs: number;
  /** Absent on the first sample. */
  readonly rates?: StatsRates;
}

/**
 * Why an attachment ended: a detach request, or its device was unregistered
 * (deleted, or its namespace went away) or moved to another namespace.
 */
export type DetachReason = 'requested' | 'unregistered';

/** A device was attached. */
export interface AttachEvent {
  readonly type: 'attach';
  /** As attach() returned it. */
  readonly attachment: Attachment;
}

/** An attachment ended. */
export interface DetachEvent {
  readonly type: 'detach';
  /** The attachment as it was (as devices() showed it). */
  readonly attachment: Attachment;
  readonly reason: DetachReason;
}

/** setConfig() succeeded (host-wide: heard in the initial namespace only). */
export interface ConfigEvent {
  readonly type: 'config';
  /** The whole configuration after the change. */
  readonly config: FalconConfig;
}

/**
 * Events were lost: the kernel dropped some because the listener fell behind
 * (its socket overflowed), or more than EVENT_QUEUE_LIMIT waited unread.
 * Read the state again (devices(), getConfig()) to resynchronise.
 */
export interface LostEvent {
  readonly type: 'lost';
}

/** One notification of events(); `type` tells which (and narrows to it). */
export type FalconEvent = AttachEvent | DetachEvent | ConfigEvent | LostEvent;

/** What events() takes. */
export interface EventsOptions {
  /** Ends the iteration (without an error) when it aborts. */
  readonly signal?: AbortSignal;
}

/** One Falcon instance: the same calls and the same errors on every backend. */
export interface Falcon {
  /** Which backend this instance talks to. */
  readonly backend: BackendName;
  getConfig(options?: CallOptions): Promise<FalconConfig>;
  /** Applies a change (all or nothing) and returns the new configuration. */
  setConfig(change: ConfigChange, options?: CallOptions): Promise<FalconConfig>;
  enable(options?: CallOptions): Promise<FalconConfig>;
  disable(options?: CallOptions): Promise<FalconConfig>;
  attach(attachOptions: AttachOptions, options?: CallOptions): Promise<Attachment>;
  detach(device: DeviceRef, options?: CallOptions): Promise<void>;
  /** Attached devices visible to the caller. */
  devices(options?: CallOptions): Promise<Attachment[]>;
  stats(options?: CallOptions): Promise<Stats>;
  resetStats(options?: CallOptions): Promise<void>;
  pick(request: PickRequest, options?: CallOptions): Promise<PickResult>;
  /** Testing aid: pin a CPU's load (0-100) so balancing is deterministic. */
  pinLoad(cpu: number, load: number, options?: CallOptions): Promise<void>;
  /** Gives one CPU, or every CPU, back to the load monitor. */
  unpinLoad(cpu?: number, options?: CallOptions): Promise<void>;
  /**
   * Samples stats every intervalMs (the first at once), with rates from the
   * second sample on. Ends when the signal aborts, the loop breaks, or the
   * handle is closed; a failed sample is thrown from the iterator.
   */
  watchStats(options?: WatchStatsOptions): AsyncIterable<StatsSample>;
  /**
   * Subscribes to Falcon's notifications at once (every change made after
   * this returns is reported) and yields them in order, as the caller may
   * see them (docs/protocol.md "Notifications"): an admin of the initial
   * namespace hears every attachment and every configuration change; anyone
   * else the attachments of their own namespace, and configuration changes
   * when in the initial namespace. Iterate once. Ends when the signal
   * aborts, the loop breaks, or the handle is closed; a subscription that
   * cannot be made (EBADF after close) is thrown from the first next().
   */
  events(options?: EventsOptions): AsyncIterable<FalconEvent>;
  /**
   * Profiles the host's receive path for durationMs (docs/profiler.md): on
   * the kernel backend with eBPF (root, BTF and libbpf needed; falcon.ko
   * need not be loaded), on the mock from its datapath and cost model.
   */
  profile(options?: ProfileOptions): Promise<Profile>;
  /** Profiles back to back every intervalMs until the signal aborts, the loop breaks or the handle closes. */
  watchProfiles(options?: WatchProfileOptions): AsyncIterable<Profile>;
  /**
   * Closes the backend. Calls still pending reject with ECANCELED, later
   * calls with EBADF; closing again does nothing.
   */
  close(): Promise<void>;
  /** close(), for `await using falcon = await openFalcon(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}
