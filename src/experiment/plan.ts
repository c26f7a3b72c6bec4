/** Turns validated arguments into the plan the guest runs, and estimates how long it takes. */
import { ExperimentArgs } from './args';
import { scenario } from './scenarios';
import { ExperimentPlan, ModeId, PlanBlock } from './types';

/** Seconds a run costs beyond its measurement (setup, tool start, teardown) under TCG. */
export const RUN_OVERHEAD_S = 6;
/** Seconds a boot plus topology setup costs under TCG. */
export const BOOT_OVERHEAD_S = 45;

/** Builds the plan. `pending` names modes that cannot run here, with the reason. */
export function buildPlan(args: ExperimentArgs, rawFile: string, pending: Partial<Record<ModeId, string>>): ExperimentPlan {
  const blocks: PlanBlock[] = [];
  for (const s of args.scenarios) {
    const spec = scenario(s);
    for (const p of spec.placements) {
      if (!args.placements.includes(p)) continue;
      // --quick keeps CI short: the applications in one placement only.
      if (args.quick && spec.app === true && p !== 'spare' && args.placements.includes('spare')) continue;
      if (s === 'cache') for (const rateRps of args.cacheRates) blocks.push({ scenario: s, placement: p, modes: [...args.modes], rateRps });
      else blocks.push({ scenario: s, placement: p, modes: [...args.modes] });
    }
  }
  return {
    version: 1,
    cpus: args.cpus,
    reps: args.reps,
    durationS: args.durationS,
    udpRateMbps: args.udpRateMbps,
    accel: args.accel,
    gro: args.gro,
    containers: args.containers,
    webConnections: args.webConnections,
    ...(args.rules > 0 ? { rules: args.rules } : {}),
    attach: args.attach,
    blocks,
    pending,
    rawFile,
  };
}

/** Number of runs the plan performs (pending modes are skipped). */
export function runCount(plan: ExperimentPlan): number {
  let n = 0;
  for (const b of plan.blocks) n += b.modes.filter((m) => plan.pending[m] === undefined).length * plan.reps;
  return n;
}

/**
 * Seconds one run of `block` (default: a micro-benchmark's) is expected to
 * take: web measures two objects, cache adds its warmup and drain.
 */
export function runSeconds(plan: ExperimentPlan, block?: PlanBlock): number {
  if (block?.scenario === 'web') return 2 * plan.durationS + RUN_OVERHEAD_S + 2;
  if (block?.scenario === 'cache') return plan.durationS + RUN_OVERHEAD_S + 4;
  return plan.durationS + RUN_OVERHEAD_S;
}

/** Seconds a block costs beyond its runs (starting and stopping its servers). */
export function blockOverheadSeconds(block: PlanBlock, plan: ExperimentPlan): number {
  return scenario(block.scenario).app === true ? 5 * 2 * (plan.containers ?? 1) : 2;
}

/** Expected wall-clock seconds of the whole experiment, boot included. */
export function estimateSeconds(plan: ExperimentPlan): number {
  let s = BOOT_OVERHEAD_S;
  for (const b of plan.blocks) {
    const runs = b.modes.filter((m) => plan.pending[m] === undefined).length * plan.reps;
    s += runs * runSeconds(plan, b) + blockOverheadSeconds(b, plan);
  }
  return s;
}

/** "1h02m", "3m05s", "42s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
