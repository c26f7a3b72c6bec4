// falconctl doctor: a pre-flight check of a host's overlay path. Facts in
// (src/doctor/reader.ts reads them, or a recorded file), findings out, each
// with its evidence and the command that fixes it. docs/doctor.md.
import type { CheckContext } from './check';
import { CHECKS } from './checks';
import type { Finding, Report, Severity, Skipped } from './types';

export { CHECKS } from './checks';
export { collect, systemReader, ReadError } from './reader';
export type { HostReader, Scope } from './reader';
export { parseHost, FactsError } from './facts';
export { singleCpuBound } from './checks/single-cpu-bound';
export * from './types';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Whether a finding fails the check (exit status 3). */
export function fails(f: Finding): boolean {
  return f.severity !== 'info';
}

/** Runs every check on the context: findings worst first (then in check order), and the checks that could not run. */
export function diagnose(ctx: CheckContext): Report {
  const findings: Finding[] = [];
  const skipped: Skipped[] = [];
  for (const check of CHECKS) {
    const why = check.skip?.(ctx);
    if (why !== undefined) {
      skipped.push({ check: check.name, reason: why });
      continue;
    }
    findings.push(...check.run(ctx));
  }
  const ordered = findings.map((f, i) => ({ f, i })).sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i).map((x) => x.f);
  return {
    ok: !ordered.some(fails),
    kernel: ctx.host.kernelRelease,
    namespaces: ctx.host.namespaces.map((n) => n.netns),
    findings: ordered,
    skipped,
  };
}
