/**
 * Hand-written SVG line charts (latency against offered load): one line per
 * series, a log-scale y axis (latency spans orders of magnitude once a mode
 * saturates), min-max whiskers. Standalone, well-formed XML.
 */
import { BlockSummary } from './summary';
import { axes, documentStart, documentText, legendEntry, PlotArea, px, SERIES_PALETTE, xmlEscape } from './svg-parts';

/** One point of a line. */
export interface LinePoint {
  x: number;
  y: number;
  min?: number;
  max?: number;
}

/** One line. */
export interface LineSeries {
  label: string;
  points: LinePoint[];
}

/** A line chart. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}

/** Renders a line chart as an SVG document (x linear from 0, y log10). */
export function renderLineChart(c: LineChart): string {
  const left = 70;
  const top = 40;
  const plotW = 460;
  const plotH = 260;
  const legendH = 18 * c.series.length;
  const width = left + plotW + 30;
  const height = top + plotH + 50 + legendH;
  const pts = c.series.flatMap((s) => s.points);
  const ys = pts.flatMap((p) => [p.y, p.min ?? p.y, p.max ?? p.y]).filter((v) => v > 0);
  const xMax = Math.max(1, ...pts.map((p) => p.x)) * 1.05;
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...ys, 1e9))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...ys, lo * 10))));
  const yLo = ys.length > 0 ? lo : 1;
  const yHi = ys.length > 0 ? Math.max(hi, yLo * 10) : 10;
  const x = (v: number): number => left + (plotW * v) / xMax;
  const y = (v: number): number => top + plotH - (plotH * (Math.log10(Math.max(v, yLo)) - Math.log10(yLo))) / (Math.log10(yHi) - Math.log10(yLo));
  const area: PlotArea = { left, top, width: plotW, height: plotH };
  const parts = documentStart(width, height, c.title);
  for (let d = yLo; d <= yHi * 1.0001; d *= 10) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${px(y(d))}" y2="${px(y(d))}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${left - 6}" y="${px(y(d) + 4)}" text-anchor="end">${xmlEscape(String(d))}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax * i) / 5;
    parts.push(`<text x="${px(x(v))}" y="${top + plotH + 16}" text-anchor="middle">${xmlEscape(Number(v.toPrecision(3)).toString())}</text>`);
  }
  parts.push(...axes(area, c.yLabel));
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle">${xmlEscape(c.xLabel)}</text>`);
  c.series.forEach((s, si) => {
    const color = SERIES_PALETTE[si % SERIES_PALETTE.length] as string;
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${px(x(p.x))},${px(y(p.y))}`).join(' ')}"/>`);
    for (const p of sorted) {
      if (p.min !== undefined && p.max !== undefined && p.max > p.min) {
        parts.push(`<line x1="${px(x(p.x))}" x2="${px(x(p.x))}" y1="${px(y(p.max))}" y2="${px(y(p.min))}" stroke="${color}"/>`);
      }
      parts.push(`<circle cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="3" fill="${color}"><title>${xmlEscape(`${s.label} @ ${p.x}: ${p.y.toPrecision(4)}`)}</title></circle>`);
    }
    const ly = top + plotH + 54 + si * 18;
    parts.push(...legendEntry(left, ly, color, s.label));
  });
  return documentText(parts);
}

/**
 * The cache scenario in one placement: p99 latency (median of repetitions,
 * whiskers min-max) against offered rate, one line per mode.
 */
export function cacheLatencyChart(blocks: readonly BlockSummary[]): LineChart {
  const first = blocks[0];
  if (first === undefined) throw new Error('no blocks');
  const labels = first.modes.map((m) => m.label);
  return {
    title: `memcached p99 latency vs offered load, ${first.placementLabel}`,
    xLabel: 'offered load (requests/s, all containers)',
    yLabel: 'p99 latency (us, log scale)',
    series: labels.map((label, i) => ({
      label,
      points: blocks.flatMap((b) => {
        const s = b.modes[i]?.metrics.p99Us;
        return s === undefined || b.rateRps === undefined ? [] : [{ x: b.rateRps, y: s.median, min: s.min, max: s.max }];
      }),
    })),
  };
}
