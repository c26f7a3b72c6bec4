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
}

const GBPS: MetricSpec = { key: 'gbps', label: 'Gb/s', unit: 'Gb/s', higherIsBetter: true };

/** Every scenario, in the order they run and print. */
export const SCENARIOS: readonly ScenarioSpec[] = [
  { id: 'tcp', title: 'TCP single flow (iperf3)', placements: ['spare', 'nospare'], primary: GBPS, secondary: [], tools: ['iperf3'] },
  {
    id: 'udp',
    title: 'UDP single flow at fixed offered load (iperf3 -u)',
    placements: ['spare', 'nospare'],
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
    placements: ['spare', 'nospare'],
    primary: { key: 'p99Us', label: 'p99 us', unit: 'us', higherIsBetter: false },
    secondary: [
      { key: 'p50Us', label: 'p50 us', unit: 'us', higherIsBetter: false },
      { key: 'p999Us', label: 'p99.9 us', unit: 'us', higherIsBetter: false },
    ],
    tools: ['sockperf'],
  },
  { id: 'parallel', title: 'TCP, 4 parallel flows (iperf3 -P 4)', placements: ['spare', 'nospare'], primary: GBPS, secondary: [], tools: ['iperf3'] },
  {
    id: 'contention',
    title: 'TCP single flow, a busy loop on one Falcon CPU',
    placements: ['spare'],
    primary: GBPS,
    secondary: [],
    tools: ['iperf3'],
  },
];

/** Scenario ids in order. */
export const SCENARIO_IDS: readonly ScenarioId[] = SCENARIOS.map((s) => s.id);

/** The scenarios `--quick` runs. */
export const QUICK_SCENARIOS: readonly ScenarioId[] = ['tcp', 'udp'];

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
