// The stage profile: where a host's receive time goes, per CPU and per device
// stage. Its keys are those of `falconctl profile -j` (snake_case, as the JSON
// is what scripts and the experiment store), so one shape serves the SDK, the
// CLI and results.json. docs/profiler.md defines every figure.

/** One device's receive stage on one CPU during the profile. */
export interface StageProfile {
  readonly ifname: string;
  readonly ifindex: number;
  /** The namespace's name where one is known (ip netns), else null. */
  readonly netns: string | null;
  /** The namespace's cookie (unique per boot). */
  readonly netns_cookie: number;
  /** Packets whose stage for this device ran on this CPU (each counted once). */
  readonly packets: number;
  /** Time spent in this device's stage on this CPU (docs/profiler.md). */
  readonly ns: number;
  /**
   * Packets of this device that arrived on this CPU and that falcon.ko took
   * (steered to another CPU, or dropped): their stage is counted where it
   * ran; here only the time from arrival to the steer (handoff_ns). Absent
   * where nothing was handed off.
   */
  readonly handoff_packets?: number;
  readonly handoff_ns?: number;
}

/** One CPU's receive work during the profile. */
export interface CpuProfile {
  readonly cpu: number;
  /** NET_RX softirq runs on this CPU. */
  readonly net_rx_count: number;
  /** Time inside NET_RX softirq on this CPU (irq:softirq_entry to _exit). */
  readonly net_rx_ns: number;
  /** Stages that ran here, busiest first. */
  readonly stages: readonly StageProfile[];
  /** netif_receive_skb calls outside NET_RX on this CPU: in stages' packets, with no time. */
  readonly outside_packets?: number;
  /** Packets on devices past the profiler's table of 1024 devices: in no stage (only if any). */
  readonly untracked_packets?: number;
}

/** One bucket of a log2 histogram: count of waits with le_ns/2 < wait <= le_ns. */
export interface HistogramBucket {
  readonly le_ns: number;
  readonly count: number;
}

/** Falcon's queue wait (steered to reinjected) on one target CPU. */
export interface QueueWaitProfile {
  readonly cpu: number;
  readonly count: number;
  readonly buckets: readonly HistogramBucket[];
  /** Reinjections whose wait falcon.ko did not know (wait_ns 0), not in buckets. */
  readonly unknown?: number;
}

/** One flow's share of a device stage. */
export interface FlowStageProfile {
  readonly ifname: string;
  readonly netns: string | null;
  readonly cpu: number;
  readonly packets: number;
  readonly ns_per_packet: number;
}

/** One of the busiest flows, by its inner 5-tuple. */
export interface FlowProfile {
  readonly proto: 'tcp' | 'udp' | 'other';
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  readonly packets: number;
  readonly stages: readonly FlowStageProfile[];
}

/** A whole profile. */
export interface Profile {
  readonly duration_ms: number;
  /** 'kernel' (eBPF) or 'mock' (the mock's cost model). */
  readonly source: 'kernel' | 'mock';
  /** Whether falcon.ko was loaded (its steering and queue figures are present). */
  readonly falcon: boolean;
  readonly cpus: readonly CpuProfile[];
  /** Empty without falcon.ko. */
  readonly queue_wait: readonly QueueWaitProfile[];
  readonly top_flows: readonly FlowProfile[];
  /**
   * What the kernel sampled, one in N (docs/profiler.md): stage time over
   * NET_RX runs, flows over timed stage runs. Absent when nothing was.
   */
  readonly sampling?: { readonly time: number; readonly flows: number };
  /** What limits this profile, in words (e.g. falcon.ko loaded without its tracepoints). */
  readonly notes?: readonly string[];
}

/** What to profile. */
export interface ProfileOptions {
  /** How long to measure (default 1000). */
  readonly durationMs?: number;
  /** Only these devices' stages (default: every device). */
  readonly devices?: readonly { readonly ifname: string; readonly netns?: string }[];
  /** How many flows to report (default 10; 0 for none). */
  readonly topFlows?: number;
  /**
   * The kernel accounts flows on one timed stage run in this many, drawn at
   * random, and scales their packets (a power of two, 1 to 1024; default 8;
   * 1: every timed one). The mock counts every packet whatever the value.
   */
  readonly flowSampling?: number;
  /**
   * The kernel times the stages of one NET_RX run in this many, drawn at
   * random at its entry; a stage's ns are the timed runs' ns times this (a
   * power of two, 1 to 1024; default 8; 1: every run, exact).
   * Packets and NET_RX time are always exact; the mock's figures too.
   */
  readonly timeSampling?: number;
  readonly signal?: AbortSignal;
}

/** What a periodic profile takes: ProfileOptions, with the period as durationMs. */
export interface WatchProfileOptions extends Omit<ProfileOptions, 'durationMs'> {
  /** Length of each profile in ms (default 1000); profiles follow each other without gaps. */
  readonly intervalMs?: number;
}
