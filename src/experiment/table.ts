/** The terminal table: absolute figures with spread, ratio to overlay vanilla, CPU cost, softirq spread. */
import { scenario as scenarioSpec } from './scenarios';
import { Summary } from './stats';
import { BlockSummary, ModeSummary } from './summary';

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function digitsFor(unit: string): number {
  if (unit === 'segs' || unit === 'events') return 0;
  return unit === 'Gb/s' ? 3 : unit === '%' ? 2 : 1;
}

function withSpread(s: Summary | undefined, digits: number): string {
  if (s === undefined) return '-';
  if (s.n === 1) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}-${fmt(s.max, digits)}]`;
}

function pad(cells: string[][]): string[] {
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd());
}

function modeRow(b: BlockSummary, m: ModeSummary): string[] {
  const spec = scenarioSpec(b.scenario);
  const metricCols = [spec.primary, ...spec.secondary];
  if (m.pending !== undefined) return [m.label, ...metricCols.map(() => 'pending'), '', '', ''];
  if (m.okRuns === 0) return [m.label, ...metricCols.map(() => 'failed'), '', '', ''];
  return [
    m.label,
    ...metricCols.map((c) => withSpread(m.metrics[c.key], digitsFor(c.unit))),
    m.ratioToVanilla === undefined ? '-' : `x${m.ratioToVanilla.toFixed(2)}`,
    withSpread(m.cpuSecondsPerGB, 2),
    m.softirqShare.map((v) => v.toFixed(0)).join('/'),
  ];
}

/** "h2/w2 s0 60% steered -> vCPU1 100% | ...": where Falcon sent each attached device's packets. */
function stagesText(m: ModeSummary): string {
  return (m.stages ?? [])
    .map((d) => {
      const to = d.targetShare.map((v, cpu) => (v >= 0.5 ? `vCPU${cpu} ${v.toFixed(0)}%` : '')).filter((x) => x !== '');
      return `${d.device} s${d.stage} ${d.steeredPct.toFixed(0)}% steered${to.length > 0 ? ` -> ${to.join(' ')}` : ''}`;
    })
    .join(' | ');
}

/** Renders every block as aligned text (no colours: it also goes into files and CI logs). */
export function renderTable(blocks: readonly BlockSummary[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    const spec = scenarioSpec(b.scenario);
    const metricCols = [spec.primary, ...spec.secondary];
    out.push(`${b.title} — ${b.placementLabel}`);
    const header = ['mode', ...metricCols.map((c) => `${c.label} median [min-max]`), 'vs vanilla', 'CPU s/GB', 'softirq % per CPU'];
    const rows = [header, ...b.modes.map((m) => modeRow(b, m))];
    for (const line of pad(rows)) out.push('  ' + line);
    if (b.overlayOverNative !== undefined) out.push(`  overlay vanilla / native: x${b.overlayOverNative.toFixed(2)}`);
    for (const m of b.modes) for (const e of m.errors) out.push(`  ! ${m.label}: ${e}`);
    if (spec.app === true) for (const m of b.modes) if (m.stages !== undefined && m.stages.length > 0) out.push(`  ${m.label} per stage: ${stagesText(m)}`);
    out.push('');
  }
  return out.join('\n');
}
