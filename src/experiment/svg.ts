/**
 * Hand-written SVG charts: grouped bars with optional min/max whiskers. No
 * dependencies; the output is standalone, well-formed XML.
 */
import { BlockSummary } from './summary';
import { axes, documentStart, documentText, legendEntry, linearYGrid, niceMax, PlotArea, px, SERIES_PALETTE, xmlEscape } from './svg-parts';

/** One bar. */
export interface Bar {
  label: string;
  value: number;
  min?: number;
  max?: number;
}

/** A group of bars sharing an x position. */
export interface BarGroup {
  label: string;
  bars: Bar[];
}

/** A grouped bar chart. */
export interface BarChart {
  title: string;
  yLabel: string;
  groups: BarGroup[];
  /** Legend entries in bar order (bar i of every group has colour i). */
  series: string[];
  /** Fixed top of the y axis (e.g. 100 for percentages); default from the data. */
  yMax?: number;
}

/** Renders a chart as an SVG document. */
export function renderBarChart(c: BarChart): string {
  const barW = 18;
  const gap = 24;
  const left = 70;
  const top = 40;
  const plotH = 240;
  const maxBars = Math.max(1, ...c.groups.map((g) => g.bars.length));
  // Wide enough for the group's bars and for its label under them.
  const groupW = Math.max(maxBars * barW + gap, 110);
  const plotW = Math.max(200, c.groups.length * groupW);
  const legendH = 18 * Math.ceil(c.series.length / 3);
  const width = Math.max(left + plotW + 20, left + 3 * 180);
  const height = top + plotH + 50 + legendH;
  const dataMax = Math.max(0, ...c.groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.max ?? 0))));
  const yMax = c.yMax ?? niceMax(dataMax);
  const y = (v: number): number => top + plotH - (plotH * Math.min(Math.max(v, 0), yMax)) / yMax;
  const area: PlotArea = { left, top, width: plotW, height: plotH };
  const parts = documentStart(width, height, c.title);
  parts.push(...linearYGrid(area, yMax, y));
  parts.push(...axes(area, c.yLabel));
  c.groups.forEach((g, gi) => {
    const gx = left + gi * groupW + (groupW - g.bars.length * barW) / 2;
    g.bars.forEach((b, bi) => {
      const x = gx + bi * barW;
      const color = SERIES_PALETTE[bi % SERIES_PALETTE.length] as string;
      const h = top + plotH - y(b.value);
      parts.push(`<rect x="${px(x)}" y="${px(y(b.value))}" width="${barW - 2}" height="${px(h)}" fill="${color}"><title>${xmlEscape(`${g.label} ${b.label}: ${b.value.toPrecision(4)}`)}</title></rect>`);
      if (b.min !== undefined && b.max !== undefined && b.max > b.min) {
        const cx = x + (barW - 2) / 2;
        parts.push(`<line x1="${px(cx)}" x2="${px(cx)}" y1="${px(y(b.max))}" y2="${px(y(b.min))}" stroke="#000"/>`);
        parts.push(`<line x1="${px(cx - 4)}" x2="${px(cx + 4)}" y1="${px(y(b.max))}" y2="${px(y(b.max))}" stroke="#000"/>`);
        parts.push(`<line x1="${px(cx - 4)}" x2="${px(cx + 4)}" y1="${px(y(b.min))}" y2="${px(y(b.min))}" stroke="#000"/>`);
      }
    });
    parts.push(`<text x="${px(gx + (g.bars.length * barW) / 2)}" y="${top + plotH + 16}" text-anchor="middle">${xmlEscape(g.label)}</text>`);
  });
  c.series.forEach((s, i) => {
    const lx = left + (i % 3) * 180;
    const ly = top + plotH + 34 + Math.floor(i / 3) * 18;
    parts.push(...legendEntry(lx, ly, SERIES_PALETTE[i % SERIES_PALETTE.length] as string, s));
  });
  return documentText(parts);
}

/** Per scenario: one chart, groups = placements, bars = modes (median, whiskers min-max). */
export function scenarioChart(blocks: readonly BlockSummary[]): BarChart {
  const first = blocks[0];
  if (first === undefined) throw new Error('no blocks');
  const modes = first.modes.map((m) => m.label);
  return {
    title: `${first.title}: median of repetitions, whiskers min-max`,
    yLabel: `${first.primary === 'gbps' ? 'throughput' : first.primary} (${first.primaryUnit})`,
    series: modes,
    groups: blocks.map((b) => ({
      label: b.placementLabel,
      bars: b.modes.map((m) => {
        const s = m.metrics[b.primary];
        return s === undefined ? { label: m.label, value: 0 } : { label: m.label, value: s.median, min: s.min, max: s.max };
      }),
    })),
  };
}

/** Per block: groups = modes, bars = vCPUs' share of softirq time (%). */
export function softirqChart(b: BlockSummary, cpus: number): BarChart {
  const series = Array.from({ length: cpus }, (_, i) => `vCPU ${i}`);
  return {
    title: `${b.scenario}${b.rateRps !== undefined ? ` @${b.rateRps} req/s` : ''} / ${b.placementLabel}: share of softirq time per vCPU`,
    yLabel: 'share of softirq time (%)',
    yMax: 100,
    series,
    groups: b.modes
      .filter((m) => m.okRuns > 0)
      .map((m) => ({ label: m.label.replace('overlay + ', '+').replace('overlay ', ''), bars: series.map((s, i) => ({ label: s, value: m.softirqShare[i] ?? 0 })) })),
  };
}
