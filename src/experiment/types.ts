import type { Profile } from '../profile/types';

/**
 * Shared vocabulary of the experiment runner: the plan the host hands to the
 * guest, and the raw results the guest hands back. Both cross a process (and
 * VM) boundary as JSON, so everything here is plain data.
 */

/**
 * The paper's micro-benchmarks the testbed reproduces, and its two
 * applications: web serving (nginx + wrk) and data caching (memcached +
 * tools/memcache-load).
 */
export type ScenarioId = 'tcp' | 'udp' | 'latency' | 'parallel' | 'contention' | 'web' | 'cache';

/** How the receiving side's datapath is configured for a run. */
export type ModeId = 'native' | 'vanilla' | 'rps' | 'falcon-static' | 'falcon-balanced';

/**
 * Where the applications run: with a spare core left to the datapath, with
 * none, or with two or more spare cores (the pipelining case: the stages can
 * spread over several CPUs, where RPS can only move the whole chain to one).
 */
export type PlacementId = 'spare' | 'nospare' | 'pipeline';

/**
 * Which hosts' overlay devices the steering modes (RPS, Falcon) act on: the
 * receiving host's only, or every overlay device of both hosts (`w`, `vx0`,
 * every container's `eth0`), as operators attach it.
 */
export type AttachScope = 'receiver' | 'everywhere' | 'everywhere-tx';

/** One measured figure of a run; which keys are present depends on the scenario. */
export interface RunMetrics {
  /** Goodput at the receiver, Gb/s (throughput scenarios; UDP: received). */
  gbps?: number;
  /** UDP: rate the sender achieved, Gb/s (below the offered load when the sender is the bottleneck). */
  sentGbps?: number;
  /** UDP: datagrams lost, percent. */
  lossPct?: number;
  /** Latency scenario: one-way latency percentiles (sockperf: half round trip), microseconds. */
  p50Us?: number;
  p99Us?: number;
  p999Us?: number;
  /** Bytes the receiver got (throughput scenarios), for CPU time per GB. */
  bytes?: number;
  /** TCP: segments the sender retransmitted (reordering and loss show up here). */
  retransmits?: number;
  /** TCP: segments the receiver queued out of order (TcpExtTCPOFOQueue delta). */
  ofoQueue?: number;
  /** TCP: reorderings the sender detected (TcpExt *Reorder deltas). */
  reorderSeen?: number;
  /** Web, the ~1 KB page: requests/s (all containers), MB/s transferred, latency p50/p99 (us; worst container). */
  pageRps?: number;
  pageMBps?: number;
  pageP50Us?: number;
  pageP99Us?: number;
  /** Web, the ~64 KB object: as for the page. */
  objRps?: number;
  objMBps?: number;
  objP50Us?: number;
  objP99Us?: number;
  /** Web: requests wrk completed over both objects (the VM test checks nginx logged them). */
  requests?: number;
  /** Web: wrk's socket errors over both objects (connect, read, write, and replies slower than its 10 s timeout). */
  socketErrors?: number;
  /** Cache: offered and achieved request rate (all containers), requests/s. */
  offeredRps?: number;
  achievedRps?: number;
  /** Cache: requests still unanswered when the load generator gave up waiting. */
  unanswered?: number;
  /** Cache: p99 of how late the generator sent after the schedule, us (it keeps up when this is small). */
  sendLagP99Us?: number;
  /** Cache: GETs the load generators sent (the VM test checks memcached's cmd_get). */
  gets?: number;
}

/** Falcon's counters over one run (deltas: stats are reset before the run). */
export interface FalconRunStats {
  /** Packets each CPU's Falcon queue processed, indexed by CPU. */
  processedPerCpu: number[];
  /**
   * Per attached device: packets seen, steered, kept local, gated, second
   * choices, deferred moves (absent in runs before the ordering rule),
   * dropped, and where steered packets went (CPU -> packets).
   */
  devices: Array<{
    ifname: string;
    netns?: string;
    stage: number;
    seen: number;
    steered: number;
    local: number;
    gated: number;
    second: number;
    deferred?: number;
    dropped: number;
    targets?: Array<{ cpu: number; packets: number }>;
  }>;
}

/** One run of one scenario in one mode and placement. */
export interface RawRun {
  scenario: ScenarioId;
  placement: PlacementId;
  mode: ModeId;
  /** 1-based repetition number. */
  rep: number;
  /** Cache: the block's offered rate, requests/s. */
  rateRps?: number;
  /** False when the run failed; `error` says why. */
  ok: boolean;
  error?: string;
  metrics: RunMetrics;
  /** NET_RX softirq count per CPU over the run (/proc/softirqs delta). */
  netRx: number[];
  /** Time in softirq per CPU over the run, seconds (/proc/stat delta). */
  softirqS: number[];
  /** Busy (non-idle, non-iowait) time per CPU over the run, seconds (/proc/stat delta). */
  busyS: number[];
  /** Wall-clock length of the measured part, seconds. */
  wallS: number;
  /** Packets dropped at each CPU's input backlog over the run (softnet_stat delta): loss outside Falcon's queues. */
  backlogDropped?: number[];
  /** Falcon's stats, in Falcon modes. */
  falcon?: FalconRunStats;
  /** The stage profiler's profile of the run (absent where the profiler cannot run). */
  profile?: Profile;
}

/** A group of interleaved runs: one scenario in one placement, every selected mode per repetition. */
export interface PlanBlock {
  scenario: ScenarioId;
  placement: PlacementId;
  modes: ModeId[];
  /** Cache: offered rate of every run of the block, requests/s (one block per rate). */
  rateRps?: number;
}

/** Everything the guest needs to perform the experiment. */
export interface ExperimentPlan {
  version: 1;
  /** vCPUs of the guest. */
  cpus: number;
  reps: number;
  /** Length of each measurement (iperf3 -t / sockperf -t), seconds. */
  durationS: number;
  /** Offered load of the UDP scenario, Mb/s. */
  udpRateMbps: number;
  /** QEMU accelerator asked for (the testbed may fall back to tcg). */
  accel?: 'tcg' | 'kvm';
  /** Put the wire in veth's NAPI/GRO mode (falcon-topology --gro). */
  gro: boolean;
  /**
   * Server containers on h2 (and client containers on h1) of the web and
   * cache scenarios; the micro-benchmarks use the first only. Absent in
   * plans written before the application scenarios: 1.
   */
  containers?: number;
  /** Web: wrk's connections per client container. */
  webConnections?: number;
  /** Non-matching nftables input rules in each server container (a heavy last stage); absent: none. */
  rules?: number;
  /** Devices the steering modes act on; absent in plans written before it existed: receiver. */
  attach?: AttachScope;
  blocks: PlanBlock[];
  /** Modes that are requested but cannot run (mode -> reason); the guest skips them. */
  pending: Partial<Record<ModeId, string>>;
  /** Where the guest writes its raw results (a path on the results share). */
  rawFile: string;
}

/** What the guest hands back. */
export interface RawResults {
  version: 1;
  plan: ExperimentPlan;
  guest: {
    kernel: string;
    vcpus: number;
    /** USER_HZ the /proc/stat times were converted with. */
    userHz: number;
    startedAt: string;
    finishedAt: string;
  };
  runs: RawRun[];
  /** Guest-side notes (mode skipped, tool failed...). */
  notes: string[];
}
