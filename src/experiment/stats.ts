/** Order statistics for repeated measurements: median and spread. */

/** Median, min and max of a sample, and how many values it had. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The median (mean of the two middle values for an even count); NaN for an empty sample. */
export function median(values: readonly number[]): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

/** Median and spread of the finite values; undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return undefined;
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** a / b, or undefined when either is missing or b is zero. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

/** Each value's share of the sum, in percent (all zero when the sum is zero). */
export function shares(values: readonly number[]): number[] {
  const sum = values.reduce((s, v) => s + v, 0);
  return values.map((v) => (sum > 0 ? (100 * v) / sum : 0));
}

/** Element-wise median of equally long vectors (shorter ones are padded with zeros). */
export function medianVector(vectors: readonly (readonly number[])[]): number[] {
  const len = Math.max(0, ...vectors.map((v) => v.length));
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(median(vectors.map((v) => v[i] ?? 0)));
  return out;
}
