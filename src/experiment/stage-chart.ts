/**
 * Where the receive time goes, per mode: for one block, each mode's vCPUs as
 * bars stacked by device stage (the stage profiler's per-CPU time, as a share
 * of the run's wall time, mean over the repetitions), plus the NET_RX time
 * outside any stage. A standalone SVG, like svg.ts's charts.
 */
import { mode as modeSpec } from './modes';
import { axes, documentStart, documentText, legendEntry, linearYGrid, niceMax, PlotArea, px, xmlEscape } from './svg-parts';
import type { PlacementId, RawRun, ScenarioId } from './types';

/** One bar: a vCPU in a mode, its segments in `series` order (% of the CPU). */
interface StackedBar {
  readonly label: string;
  readonly segments: number[];
}

/** The chart's data. */
export interface StageChart {
  readonly title: string;
  readonly series: string[];
  readonly groups: Array<{ label: string; bars: StackedBar[] }>;
}

const OTHER = 'NET_RX outside stages';
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** Per mode (runs with a profile), per vCPU, per device stage: mean % of the CPU over the repetitions. */
export function stageChart(runs: readonly RawRun[], scenario: ScenarioId, placement: PlacementId, modes: readonly string[], cpus: number): StageChart | undefined {
  const mine = runs.filter((r) => r.ok && r.profile && r.scenario === scenario && r.placement === placement);
  if (mine.length === 0) return undefined;
  const devices = new Set<string>();
  for (const r of mine) for (const c of r.profile?.cpus ?? []) for (const s of c.stages) devices.add(s.netns ? `${s.netns}/${s.ifname}` : s.ifname);
  const series = [...[...devices].sort(), OTHER];
  const groups = modes.flatMap((m) => {
    const rs = mine.filter((r) => r.mode === m);
    if (rs.length === 0) return [];
    const bars: StackedBar[] = Array.from({ length: cpus }, (_, cpu) => {
      const segments = new Array<number>(series.length).fill(0);
      for (const r of rs) {
        const p = r.profile;
        const c = p?.cpus.find((x) => x.cpu === cpu);
        if (!p || !c || p.duration_ms <= 0) continue;
        const toPct = (ns: number): number => (ns / (p.duration_ms * 1e6)) * 100 / rs.length;
        let staged = 0;
        for (const s of c.stages) {
          const ns = s.ns + (s.handoff_ns ?? 0);
          staged += ns;
          const i = series.indexOf(s.netns ? `${s.netns}/${s.ifname}` : s.ifname);
          segments[i] = (segments[i] ?? 0) + toPct(ns);
        }
        segments[series.length - 1] = (segments[series.length - 1] ?? 0) + toPct(Math.max(0, c.net_rx_ns - staged));
      }
      return { label: `vCPU ${cpu}`, segments };
    });
    return [{ label: modeSpec(m as RawRun['mode']).label.replace('overlay + ', '+').replace('overlay ', ''), bars }];
  });
  return { title: `${scenario} / ${placement}: receive time per vCPU by device stage (stage profiler, % of the CPU)`, series, groups };
}

/** Renders a stacked bar chart: groups of bars (vCPUs) per mode, one colour per stage. */
export function renderStageChart(c: StageChart): string {
  const barW = 16;
  const left = 70;
  const top = 40;
  const plotH = 240;
  const groupW = Math.max(...c.groups.map((g) => g.bars.length * barW), 0) + 40;
  const plotW = Math.max(200, c.groups.length * groupW);
  const legendH = 18 * Math.ceil(c.series.length / 3);
  const width = Math.max(left + plotW + 20, left + 3 * 200);
  const height = top + plotH + 60 + legendH;
  const yMax = niceMax(Math.max(0, ...c.groups.flatMap((g) => g.bars.map((b) => b.segments.reduce((s, v) => s + v, 0)))));
  const y = (v: number): number => top + plotH - (plotH * Math.min(Math.max(v, 0), yMax)) / yMax;
  const area: PlotArea = { left, top, width: plotW, height: plotH };
  const parts = documentStart(width, height, c.title, 13);
  parts.push(...linearYGrid(area, yMax, y));
  parts.push(...axes(area, '% of the vCPU'));
  c.groups.forEach((g, gi) => {
    const gx = left + gi * groupW + 20;
    g.bars.forEach((b, bi) => {
      const x = gx + bi * barW;
      let base = 0;
      b.segments.forEach((v, si) => {
        if (v <= 0) return;
        parts.push(`<rect x="${px(x)}" y="${px(y(base + v))}" width="${barW - 2}" height="${px(y(base) - y(base + v))}" fill="${PALETTE[si % PALETTE.length] as string}"><title>${xmlEscape(`${g.label} ${b.label} ${c.series[si] ?? ''}: ${v.toFixed(2)} %`)}</title></rect>`);
        base += v;
      });
      parts.push(`<text x="${px(x + (barW - 2) / 2)}" y="${top + plotH + 12}" text-anchor="middle" font-size="9">${bi}</text>`);
    });
    parts.push(`<text x="${px(gx + (g.bars.length * barW) / 2)}" y="${top + plotH + 28}" text-anchor="middle">${xmlEscape(g.label)}</text>`);
  });
  c.series.forEach((s, i) => {
    const lx = left + (i % 3) * 200;
    const ly = top + plotH + 48 + Math.floor(i / 3) * 18;
    parts.push(...legendEntry(lx, ly, PALETTE[i % PALETTE.length] as string, s));
  });
  return documentText(parts);
}
