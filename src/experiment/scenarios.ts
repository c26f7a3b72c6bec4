/**
 * The scenarios: what each measures, in which placements, and how its
 * figures are read. The guest-side commands live in guest-traffic.ts.
 */
import { PlacementId, RunMetrics, ScenarioId } from './types';

/** Which figure a table column shows. */
export interface MetricSpec {
  key: keyof RunMetrics;
  label: string;
  unit: string;
  /** True when bigger is better (throughput); false for latency and loss. */
  higherIsBetter: boolean;
}

/** A scenario's description. */
export interface ScenarioSpec {
  id: ScenarioId;
  title: string;
  /** Placements it runs in, in order. */
  placements: PlacementId[];
  /** The figure ratios are computed on. */
  primary: MetricSpec;
  /** Further figures reported beside the primary one. */
  secondary: MetricSpec[];
  /** Tools it needs in the guest (the host's userland). */
  tools: string[];
  /**
   * An application scenario (web, cache): servers in every container of h2,
   * clients in h1's, Falcon and RPS on every container's eth0.
   */
  app?: boolean;
}

const GBPS: MetricSpec = { key: 'gbps', label: 'Gb/s', unit: 'Gb/s', higherIsBetter: true };
/** TCP's reordering evidence: steering that reorders a flow shows here first. */
const TCP_ORDER: MetricSpec[] = [
  { key: 'retransmits', label: 'retrans', unit: 'segs', higherIsBetter: false },
  { key: 'ofoQueue', label: 'OFO-queued', unit: 'segs', higherIsBetter: false },
  { key: 'reorderSeen', label: 'reorder seen', unit: 'events', higherIsBetter: false },
];

/** Every scenario, in the order they run and print. */
export const SCENARIOS: readonly ScenarioSpec[] = [
  { id: 'tcp', title: 'TCP single flow (iperf3)', placements: ['spare', 'nospare', 'pipeline'], primary: GBPS, secondary: TCP_ORDER, tools: ['iperf3'] },
  {
    id: 'udp',
    title: 'UDP single flow at fixed offered load (iperf3 -u)',
    placements: ['spare', 'nospare', 'pipeline'],
    primary: GBPS,
    secondary: [
      { key: 'lossPct', label: 'loss %', unit: '%', higherIsBetter: false },
      { key: 'sentGbps', label: 'sent Gb/s', unit: 'Gb/s', higherIsBetter: true },
    ],
    tools: ['iperf3'],
  },
  {
    id: 'latency',
    title: 'Request/response latency (sockperf ping-pong)',
    placements: ['spare', 'nospare', 'pipeline'],
    primary: { key: 'p99Us', label: 'p99 us', unit: 'us', higherIsBetter: false },
    secondary: [
      { key: 'p50Us', label: 'p50 us', unit: 'us', higherIsBetter: false },
      { key: 'p999Us', label: 'p99.9 us', unit: 'us', higherIsBetter: false },
    ],
    tools: ['sockperf'],
  },
  { id: 'parallel', title: 'TCP, 4 parallel flows (iperf3 -P 4)', placements: ['spare', 'nospare', 'pipeline'], primary: GBPS, secondary: TCP_ORDER, tools: ['iperf3'] },
  {
    id: 'contention',
    title: 'TCP single flow, a busy loop on one Falcon CPU',
    placements: ['spare', 'pipeline'],
    primary: GBPS,
    secondary: [],
    tools: ['iperf3'],
  },
  {
    id: 'web',
    title: 'Web serving (nginx, static 1 KB page and 64 KB object; wrk)',
    placements: ['spare', 'nospare', 'pipeline'],
    primary: { key: 'pageRps', label: '1KB req/s', unit: 'req/s', higherIsBetter: true },
    secondary: [
      { key: 'pageP99Us', label: '1KB p99 us', unit: 'us', higherIsBetter: false },
      { key: 'objRps', label: '64KB req/s', unit: 'req/s', higherIsBetter: true },
      { key: 'objMBps', label: '64KB MB/s', unit: 'MB/s', higherIsBetter: true },
      { key: 'objP99Us', label: '64KB p99 us', unit: 'us', higherIsBetter: false },
      { key: 'pageP50Us', label: '1KB p50 us', unit: 'us', higherIsBetter: false },
      { key: 'pageMBps', label: '1KB MB/s', unit: 'MB/s', higherIsBetter: true },
      { key: 'objP50Us', label: '64KB p50 us', unit: 'us', higherIsBetter: false },
    ],
    tools: ['nginx', 'wrk'],
    app: true,
  },
  {
    id: 'cache',
    title: 'Data caching (memcached, open-loop GET/SET 90/10; memcache-load)',
    placements: ['spare', 'nospare', 'pipeline'],
    primary: { key: 'p99Us', label: 'p99 us', unit: 'us', higherIsBetter: false },
    secondary: [
      { key: 'achievedRps', label: 'achieved req/s', unit: 'req/s', higherIsBetter: true },
      { key: 'p50Us', label: 'p50 us', unit: 'us', higherIsBetter: false },
      { key: 'p999Us', label: 'p99.9 us', unit: 'us', higherIsBetter: false },
      { key: 'sendLagP99Us', label: 'send lag p99 us', unit: 'us', higherIsBetter: false },
    ],
    tools: ['memcached'],
    app: true,
  },
];

/** Scenario ids in order. */
export const SCENARIO_IDS: readonly ScenarioId[] = SCENARIOS.map((s) => s.id);

/** The scenarios `--quick` runs. */
export const QUICK_SCENARIOS: readonly ScenarioId[] = ['tcp', 'udp', 'web', 'cache'];

/** The scenarios a plain run (no --scenario) runs: all. */
export const DEFAULT_SCENARIOS: readonly ScenarioId[] = SCENARIO_IDS;

/**
 * Offered rates of the cache scenario, requests/s over all containers: from
 * light load to past overlay vanilla's saturation in the 2-vCPU TCG guest
 * (about 4,000/s there with 2 containers; see docs/results.md).
 */
export const DEFAULT_CACHE_RATES: readonly number[] = [500, 1000, 2000, 4000];

/** The one cache rate `--quick` measures. */
export const QUICK_CACHE_RATE = 500;

/** wrk connections per client container (the paper's CloudSuite clients also hold a fixed set). */
export const DEFAULT_WEB_CONNECTIONS = 8;

/** The spec of one scenario. */
export function scenario(id: ScenarioId): ScenarioSpec {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(`unknown scenario ${id}`);
  return s;
}

/** Narrows a string to a scenario id. */
export function isScenarioId(s: string): s is ScenarioId {
  return (SCENARIO_IDS as readonly string[]).includes(s);
}
