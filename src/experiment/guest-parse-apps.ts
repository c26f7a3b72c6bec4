/** Parsers for the application scenarios' clients: wrk --latency and memcache-load's JSON. Pure. */

/** What one wrk run reports. */
export interface WrkReport {
  requests: number;
  seconds: number;
  /** Bytes read (wrk's binary units resolved). */
  bytes: number;
  requestsPerS: number;
  bytesPerS: number;
  p50Us: number;
  p99Us: number;
  /** Socket errors of every kind (connect, read, write, timeout: a reply slower than wrk's --timeout). */
  socketErrors: number;
  /** Responses other than 2xx/3xx. */
  non2xx: number;
}

const TIME_UNITS: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** "1.23ms" -> 1230 (microseconds). */
export function wrkTimeUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (m === null) throw new Error(`wrk time "${text}" not understood`);
  return Number(m[1]) * (TIME_UNITS[m[2] as string] as number);
}

/** "30.00MB" -> bytes (wrk's units are powers of 1024). */
export function wrkSizeBytes(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  if (m === null) throw new Error(`wrk size "${text}" not understood`);
  return Number(m[1]) * (SIZE_UNITS[m[2] as string] as number);
}

/** Reads `wrk --latency` output. Throws naming what is missing. */
export function parseWrk(text: string): WrkReport {
  const total = /(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/.exec(text);
  if (total === null) throw new Error(`wrk printed no summary: ${text.trim().split('\n').slice(-3).join(' | ')}`);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+\\w+)\\s*$`, 'm').exec(text);
    if (m === null) throw new Error(`wrk printed no ${p}% latency (was --latency given?)`);
    return wrkTimeUs(m[1] as string);
  };
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const transfer = /Transfer\/sec:\s+([\d.]+\w+)/.exec(text);
  if (rate === null || transfer === null) throw new Error('wrk printed no Requests/sec or Transfer/sec');
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: wrkTimeUs(total[2] as string) / 1e6,
    bytes: wrkSizeBytes(total[3] as string),
    requestsPerS: Number(rate[1]),
    bytesPerS: wrkSizeBytes(transfer[1] as string),
    p50Us: pct('50'),
    p99Us: pct('99'),
    socketErrors: sock === null ? 0 : sock.slice(1).reduce((s, v) => s + Number(v), 0),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
  };
}

/** memcache-load's JSON report (tools/memcache-load/memcache-load.c). */
export interface LoadReport {
  offered_rps: number;
  achieved_rps: number;
  sent: number;
  gets: number;
  sets: number;
  answered: number;
  hits: number;
  misses: number;
  errors: number;
  unanswered: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  send_lag_p99_us: number;
}

const LOAD_FIELDS = ['offered_rps', 'achieved_rps', 'sent', 'gets', 'sets', 'answered', 'hits', 'misses', 'errors', 'unanswered', 'p50_us', 'p99_us', 'p999_us', 'max_us', 'send_lag_p99_us'] as const;

/** Reads memcache-load's stdout (one JSON object). Throws naming a missing field. */
export function parseLoad(text: string): LoadReport {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text.trim()) as Record<string, unknown>;
  } catch {
    throw new Error(`memcache-load printed no JSON: ${text.trim().slice(0, 200)}`);
  }
  const out: Partial<LoadReport> = {};
  for (const k of LOAD_FIELDS) {
    const v = j[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`memcache-load's report has no ${k}`);
    out[k] = v;
  }
  return out as LoadReport;
}
