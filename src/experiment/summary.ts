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
      const runs = raw.runs.filter((r) => r.scenario === b.scenario && r.placement === b.placement && r.mode === m);
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
      if (withFalcon.length > 0) ms.falconShare = medianVector(withFalcon.map((r) => shares(r.falcon?.processedPerCpu ?? [])));
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
      title: spec.title,
      placementLabel: placementSpec(b.placement).label,
      primary: spec.primary.key,
      primaryUnit: spec.primary.unit,
      higherIsBetter: spec.primary.higherIsBetter,
      modes,
    };
    const native = modes.find((m) => m.mode === 'native')?.metrics[spec.primary.key]?.median;
    const ovn = ratio(base, native);
    if (ovn !== undefined) block.overlayOverNative = ovn;
    out.push(block);
  }
  return out;
}
