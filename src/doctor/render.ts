// How doctor's report is printed: one line per finding for people
// (severity, device, id, what, evidence, the fix as one command line, so
// grep finds a finding whole), and a JSON object with stable snake_case
// keys for scripts.
import { deviceText } from './path';
import type { Report } from './types';

/** The report as falconctl -j prints it. */
export function reportJson(r: Report): Record<string, unknown> {
  return {
    ok: r.ok,
    kernel: r.kernel,
    namespaces: r.namespaces,
    findings: r.findings.map((f) => ({
      id: f.id, severity: f.severity, netns: f.netns, device: f.device, what: f.what, evidence: f.evidence, fix: f.fix,
    })),
    skipped: r.skipped.map((s) => ({ check: s.check, reason: s.reason })),
  };
}

/** The report for people: a line per finding, a line per skipped check, and a verdict. */
export function reportText(r: Report, colour = false): string {
  const paint = (code: string, s: string): string => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const label = { error: paint('31', 'error'), warning: paint('33', 'warning'), info: paint('36', 'info') };
  const where = r.namespaces.map((n) => (n === null ? 'own namespace' : `netns ${n}`)).join(', ');
  const lines: string[] = [];
  const width = Math.max(0, ...r.findings.map((f) => f.severity.length));
  for (const f of r.findings) {
    const evidence = f.evidence.length ? ` [${f.evidence.join('; ')}]` : '';
    lines.push(`${label[f.severity]}${' '.repeat(width - f.severity.length)}  ${deviceText(f.netns, f.device)}  ${f.id}: ${f.what}${evidence}  fix: ${f.fix.join(' && ')}`);
  }
  for (const s of r.skipped) lines.push(`skipped: ${s.check}: ${s.reason}`);
  const count = (sev: string): number => r.findings.filter((f) => f.severity === sev).length;
  const tally = [['error', count('error')], ['warning', count('warning')], ['info', count('info')]]
    .filter(([, n]) => (n as number) > 0).map(([s, n]) => `${n as number} ${s as string}${n === 1 ? '' : 's'}`).join(', ');
  lines.push(`${r.ok ? paint('32', 'PASS') : paint('31', 'FAIL')}: ${tally === '' ? 'no findings' : tally} (kernel ${r.kernel}; ${where})`);
  return `${lines.join('\n')}\n`;
}
