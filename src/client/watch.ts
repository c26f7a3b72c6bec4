// watchStats: stats sampled on a fixed schedule, with per-second rates
// computed from the time measured between replies (timers fire late on a
// busy loop, so the nominal interval would overstate or understate rates).
import { performance } from 'node:perf_hooks';
import { FalconError } from '../api/errors';
import type { CallOptions, CpuRates, DeviceRates, Stats, StatsRates, StatsSample, WatchStatsOptions } from '../api/types';

/** What a watch needs from its handle. */
export interface StatsSource {
  stats(options: CallOptions): Promise<Stats>;
  /** Runs `hook` when the handle closes; returns the unregistration. */
  onClose(hook: () => void): () => void;
}

/** The default time between samples. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;
const MAX_INTERVAL_MS = 0x7fffffff;

/** Counter deltas per second; a counter that went down restarted from zero (reset-stats, re-attach). */
function perSecond(now: number, before: number, seconds: number): number {
  if (seconds <= 0) return 0;
  return (now >= before ? now - before : now) / seconds;
}

/** Rates between two snapshots taken `elapsedMs` apart. */
export function ratesBetween(previous: Stats, current: Stats, elapsedMs: number): StatsRates {
  const s = elapsedMs / 1000;
  const oldCpus = new Map(previous.cpus.map((c) => [c.cpu, c]));
  const cpus = current.cpus.map((c): CpuRates => {
    const p = oldCpus.get(c.cpu);
    return {
      cpu: c.cpu,
      enqueued: perSecond(c.enqueued, p?.enqueued ?? 0, s),
      processed: perSecond(c.processed, p?.processed ?? 0, s),
      dropped: perSecond(c.dropped, p?.dropped ?? 0, s),
      purged: perSecond(c.purged, p?.purged ?? 0, s),
      kicks: perSecond(c.kicks, p?.kicks ?? 0, s),
    };
  });
  // An attachment is its device: (namespace cookie, ifindex).
  const key = (d: { netnsCookie: number; ifindex: number }): string => `${d.netnsCookie}/${d.ifindex}`;
  const oldDevices = new Map(previous.devices.map((d) => [key(d), d]));
  const devices: DeviceRates[] = [];
  for (const d of current.devices) {
    const p = oldDevices.get(key(d));
    if (!p) continue;
    devices.push({
      ifindex: d.ifindex,
      ifname: d.ifname,
      netnsCookie: d.netnsCookie,
      ...(d.netns !== undefined ? { netns: d.netns } : {}),
      seen: perSecond(d.seen, p.seen, s),
      steered: perSecond(d.steered, p.steered, s),
      local: perSecond(d.local, p.local, s),
      gated: perSecond(d.gated, p.gated, s),
      second: perSecond(d.second, p.second, s),
      dropped: perSecond(d.dropped, p.dropped, s),
      deferred: perSecond(d.deferred, p.deferred, s),
    });
  }
  return { cpus, devices };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

async function* samples(source: StatsSource, intervalMs: number, signal: AbortSignal | undefined): AsyncGenerator<StatsSample> {
  // Aborted by the caller's signal or by close(): either way the watch just ends.
  const stop = new AbortController();
  const end = (): void => stop.abort();
  if (signal?.aborted) return;
  signal?.addEventListener('abort', end, { once: true });
  const unhook = source.onClose(end);
  try {
    let previous: { stats: Stats; at: number } | undefined;
    let due = performance.now();
    while (!stop.signal.aborted) {
      let stats: Stats;
      try {
        stats = await source.stats({ signal: stop.signal });
      } catch (error) {
        if (stop.signal.aborted) return;
        throw error;
      }
      const at = performance.now();
      if (previous) {
        const elapsedMs = at - previous.at;
        yield { stats, elapsedMs, rates: ratesBetween(previous.stats, stats, elapsedMs) };
      } else {
        yield { stats, elapsedMs: 0 };
      }
      previous = { stats, at };
      // A fixed schedule; a sample that overran starts the next one at once.
      due = Math.max(due + intervalMs, performance.now());
      await sleep(due - performance.now(), stop.signal);
    }
  } finally {
    signal?.removeEventListener('abort', end);
    unhook();
  }
}

/** An AsyncIterable of StatsSample; bad options are refused here, before any request. */
export function watchStats(source: StatsSource, options: WatchStatsOptions = {}): AsyncIterable<StatsSample> {
  const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  if (!(typeof intervalMs === 'number' && intervalMs > 0 && intervalMs <= MAX_INTERVAL_MS)) {
    throw new FalconError({
      code: 'EINVAL',
      message: `intervalMs must be a number of milliseconds above 0 and at most ${MAX_INTERVAL_MS}, got ${String(intervalMs)}`,
      syscall: 'get-stats',
    });
  }
  const { signal } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
    throw new FalconError({ code: 'EINVAL', message: 'signal must be an AbortSignal', syscall: 'get-stats' });
  }
  return { [Symbol.asyncIterator]: () => samples(source, intervalMs, signal) };
}
