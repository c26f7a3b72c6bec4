/** From raw runs to per-block, per-mode medians, spreads, ratios and CPU shares. */
import { BASELINE_MODE, mode as modeSpec } from './modes';
import { placement as placementSpec } from './placements';
import { scenario as scenarioSpec } from './scenarios';
import { medianVector, ratio, shares, Summary, summarize } from './stats';
import { ModeId, PlacementId, RawResults, RawRun, RunMetrics, ScenarioId } from './types';

/** One mode's figures in one block. */
export interface ModeSummary {
  mode: ModeId;
  label: string;
  /** Why the mode did not run, when it did not. */
  pending?: string;
  okRuns: number;
  failedRuns: number;
  /** Errors of failed runs (distinct). */
  errors: string[];
  metrics: Partial<Record<keyof RunMetrics, Summary>>;
  /** Median of the primary metric divided by overlay vanilla's. */
  ratioToVanilla?: number;
  /** CPU seconds (all vCPUs, busy time) per GB received. */
  cpuSecondsPerGB?: Summary;
  /** Median per-CPU share (%) of NET_RX softirqs. */
  netRxShare: number[];
  /** Median per-CPU share (%) of softirq time. */
  softirqShare: number[];
  /** Median per-CPU share (%) of packets Falcon's queues processed (Falcon modes). */
  falconShare?: number[];
  /** Falcon modes: per attached device (stage), over all the mode's runs, how much was steered and where. */
  stages?: StageSpread[];
}

/** Where Falcon sent one attached device's packets, summed over a mode's runs. */
export interface StageSpread {
  /** "h2/w2", "h2c1/eth0"... */
  device: string;
  stage: number;
  seen: number;
  /** Percent of the seen packets steered to another CPU. */
  steeredPct: number;
  /** Percent of the steered packets per target CPU, indexed by CPU. */
  targetShare: number[];
}

/** Sums each attached device's counters over the runs: the per-stage view of a Falcon mode. */
export function stageSpread(runs: readonly RawRun[], cpus: number): StageSpread[] {
  const byDev = new Map<string, { stage: number; seen: number; steered: number; targets: number[] }>();
  for (const r of runs) {
    for (const d of r.falcon?.devices ?? []) {
      const name = `${d.netns ?? '?'}/${d.ifname}`;
      const acc = byDev.get(name) ?? { stage: d.stage, seen: 0, steered: 0, targets: new Array<number>(cpus).fill(0) };
      acc.seen += d.seen;
      acc.steered += d.steered;
      for (const t of d.targets ?? []) if (t.cpu < cpus) acc.targets[t.cpu] = (acc.targets[t.cpu] ?? 0) + t.packets;
      byDev.set(name, acc);
    }
  }
  return [...byDev.entries()]
    .sort((a, b) => a[1].stage - b[1].stage || a[0].localeCompare(b[0]))
    .map(([device, a]) => ({ device, stage: a.stage, seen: a.seen, steeredPct: a.seen > 0 ? (100 * a.steered) / a.seen : 0, targetShare: shares(a.targets) }));
}

/** One scenario in one placement. */
export interface BlockSummary {
  scenario: ScenarioId;
  placement: PlacementId;
  title: string;
  placementLabel: string;
  primary: keyof RunMetrics;
  primaryUnit: string;
  higherIsBetter: boolean;
  /** Cache: the block's offered rate, requests/s. */
  rateRps?: number;
  modes: ModeSummary[];
  /** Overlay vanilla's primary median divided by native's. */
  overlayOverNative?: number;
}

function cpuPerGB(r: RawRun): number | undefined {
  if (r.metrics.bytes === undefined || r.metrics.bytes <= 0) return undefined;
  return r.busyS.reduce((s, v) => s + v, 0) / (r.metrics.bytes / 1e9);
}

/** Summarizes every block of the plan. */
export function summarizeResults(raw: RawResults): BlockSummary[] {
  const out: BlockSummary[] = [];
  for (const b of raw.plan.blocks) {
    const spec = scenarioSpec(b.scenario);
    const keys = [spec.primary, ...spec.secondary].map((m) => m.key);
    const modes: ModeSummary[] = b.modes.map((m) => {
      const runs = raw.runs.filter((r) => r.scenario === b.scenario && r.placement === b.placement && r.mode === m && r.rateRps === b.rateRps);
      const ok = runs.filter((r) => r.ok);
      const metrics: Partial<Record<keyof RunMetrics, Summary>> = {};
      for (const k of keys) {
        const s = summarize(ok.map((r) => r.metrics[k]).filter((v): v is number => v !== undefined));
        if (s !== undefined) metrics[k] = s;
      }
      const ms: ModeSummary = {
        mode: m,
        label: modeSpec(m).label,
        okRuns: ok.length,
        failedRuns: runs.length - ok.length,
        errors: [...new Set(runs.filter((r) => !r.ok).map((r) => r.error ?? 'unknown error'))],
        metrics,
        netRxShare: medianVector(ok.map((r) => shares(r.netRx))),
        softirqShare: medianVector(ok.map((r) => shares(r.softirqS))),
      };
      const pending = raw.plan.pending[m];
      if (pending !== undefined) ms.pending = pending;
      const cpu = summarize(ok.map(cpuPerGB).filter((v): v is number => v !== undefined));
      if (cpu !== undefined) ms.cpuSecondsPerGB = cpu;
      const withFalcon = ok.filter((r) => r.falcon !== undefined);
      if (withFalcon.length > 0) {
        ms.falconShare = medianVector(withFalcon.map((r) => shares(r.falcon?.processedPerCpu ?? [])));
        ms.stages = stageSpread(withFalcon, raw.guest.vcpus);
      }
      return ms;
    });
    const base = modes.find((m) => m.mode === BASELINE_MODE)?.metrics[spec.primary.key]?.median;
    for (const m of modes) {
      const r = ratio(m.metrics[spec.primary.key]?.median, base);
      if (r !== undefined) m.ratioToVanilla = r;
    }
    const block: BlockSummary = {
      scenario: b.scenario,
      placement: b.placement,
      title: b.rateRps === undefined ? spec.title : `${spec.title}, ${b.rateRps} req/s offered`,
      placementLabel: placementSpec(b.placement).label,
      primary: spec.primary.key,
      primaryUnit: spec.primary.unit,
      higherIsBetter: spec.primary.higherIsBetter,
      modes,
    };
    if (b.rateRps !== undefined) block.rateRps = b.rateRps;
    const native = modes.find((m) => m.mode === 'native')?.metrics[spec.primary.key]?.median;
    const ovn = ratio(base, native);
    if (ovn !== undefined) block.overlayOverNative = ovn;
    out.push(block);
  }
  return out;
}
