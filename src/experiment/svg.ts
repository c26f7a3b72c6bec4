/**
 * Hand-written SVG charts: grouped bars with optional min/max whiskers. No
 * dependencies; the output is standalone, well-formed XML.
 */
import { BlockSummary } from './summary';

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

const PALETTE = ['#7f7f7f', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

/** Escapes text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A "nice" axis top: 1, 2 or 5 times a power of ten, at least `v`. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function n(x: number): string {
  return (Math.round(x * 10) / 10).toString();
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
  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${xmlEscape(c.title)}</text>`);
  // Axis and grid.
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${left - 6}" y="${n(y(v) + 4)}" text-anchor="end">${xmlEscape(Number(v.toPrecision(3)).toString())}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#000"/>`);
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#000"/>`);
  parts.push(`<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${xmlEscape(c.yLabel)}</text>`);
  c.groups.forEach((g, gi) => {
    const gx = left + gi * groupW + (groupW - g.bars.length * barW) / 2;
    g.bars.forEach((b, bi) => {
      const x = gx + bi * barW;
      const color = PALETTE[bi % PALETTE.length] as string;
      const h = top + plotH - y(b.value);
      parts.push(`<rect x="${n(x)}" y="${n(y(b.value))}" width="${barW - 2}" height="${n(h)}" fill="${color}"><title>${xmlEscape(`${g.label} ${b.label}: ${b.value.toPrecision(4)}`)}</title></rect>`);
      if (b.min !== undefined && b.max !== undefined && b.max > b.min) {
        const cx = x + (barW - 2) / 2;
        parts.push(`<line x1="${n(cx)}" x2="${n(cx)}" y1="${n(y(b.max))}" y2="${n(y(b.min))}" stroke="#000"/>`);
        parts.push(`<line x1="${n(cx - 4)}" x2="${n(cx + 4)}" y1="${n(y(b.max))}" y2="${n(y(b.max))}" stroke="#000"/>`);
        parts.push(`<line x1="${n(cx - 4)}" x2="${n(cx + 4)}" y1="${n(y(b.min))}" y2="${n(y(b.min))}" stroke="#000"/>`);
      }
    });
    parts.push(`<text x="${n(gx + (g.bars.length * barW) / 2)}" y="${top + plotH + 16}" text-anchor="middle">${xmlEscape(g.label)}</text>`);
  });
  c.series.forEach((s, i) => {
    const lx = left + (i % 3) * 180;
    const ly = top + plotH + 34 + Math.floor(i / 3) * 18;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[i % PALETTE.length] as string}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly}">${xmlEscape(s)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
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
