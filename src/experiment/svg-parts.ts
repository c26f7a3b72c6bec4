/**
 * What the hand-written SVG charts (svg.ts, svg-lines.ts, stage-chart.ts)
 * draw alike: the document and its title, the axes, a linear y grid, legend
 * entries. Each piece returns SVG lines for the chart to add to its own.
 */

/** Series colours of the bar and line charts, in series order. */
export const SERIES_PALETTE: readonly string[] = ['#7f7f7f', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

/** Where the plot sits in the document, in pixels. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

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

/** A coordinate to a tenth of a pixel, so the documents stay short. */
export function px(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** The document's start: XML declaration, svg element, white background and centred title. */
export function documentStart(width: number, height: number, title: string, titleFontSize = 14): string[] {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="${titleFontSize}">${xmlEscape(title)}</text>`,
  ];
}

/** The whole document: `parts` from documentStart on, closed. */
export function documentText(parts: readonly string[]): string {
  return `${[...parts, '</svg>'].join('\n')}\n`;
}

/** The y and x axes along the plot's left and bottom edges, and the y label up the left side. */
export function axes(area: PlotArea, yLabel: string): string[] {
  const { left, top, width, height } = area;
  return [
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + height}" stroke="#000"/>`,
    `<line x1="${left}" x2="${left + width}" y1="${top + height}" y2="${top + height}" stroke="#000"/>`,
    `<text transform="translate(16 ${top + height / 2}) rotate(-90)" text-anchor="middle">${xmlEscape(yLabel)}</text>`,
  ];
}

/** Six grid lines from 0 to yMax, each labelled on the left; `y` maps a value to its pixel row. */
export function linearYGrid(area: PlotArea, yMax: number, y: (v: number) => number): string[] {
  const { left, width } = area;
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    parts.push(`<line x1="${left}" x2="${left + width}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${left - 6}" y="${px(y(v) + 4)}" text-anchor="end">${xmlEscape(Number(v.toPrecision(3)).toString())}</text>`);
  }
  return parts;
}

/** One legend entry: a swatch of `color` at x, and the label after it on baseline y. */
export function legendEntry(x: number, y: number, color: string, label: string): string[] {
  return [`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${color}"/>`, `<text x="${x + 14}" y="${y}">${xmlEscape(label)}</text>`];
}
