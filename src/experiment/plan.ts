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
    for (const p of scenario(s).placements) {
      if (!args.placements.includes(p)) continue;
      blocks.push({ scenario: s, placement: p, modes: [...args.modes] });
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

/** Seconds one run is expected to take. */
export function runSeconds(plan: ExperimentPlan): number {
  return plan.durationS + RUN_OVERHEAD_S;
}

/** Expected wall-clock seconds of the whole experiment, boot included. */
export function estimateSeconds(plan: ExperimentPlan): number {
  return BOOT_OVERHEAD_S + runCount(plan) * runSeconds(plan);
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
