// falconctl stats [--reset] [--watch S] | pin <cpu> <load> | unpin [<cpu>]
import type { Stats } from '../api/types';
import { hasOption, parseDecimal, Parsed, stringOption as optionValue, UsageError } from '../args/parse';
import type { Command, CommandContext } from './command';
import { netnsText } from './format';
import { printJson, printTable } from './output';
import { parseUint } from './values';

/** Stats as falconctl's JSON. */
export function statsJson(s: Stats): Record<string, unknown> {
  return {
    cpus: s.cpus.map((c) => ({
      cpu: c.cpu, enqueued: c.enqueued, processed: c.processed, dropped: c.dropped, purged: c.purged,
      kicks: c.kicks, queue_hwm: c.queueHwm, queue_len: c.queueLen, load: c.load, pinned: c.pinned,
    })),
    devices: s.devices.map((d) => ({
      ifindex: d.ifindex, ifname: d.ifname, netns: d.netns ?? null, netns_cookie: d.netnsCookie, netns_inum: d.netnsInum,
      stage: d.stage, seen: d.seen,
      steered: d.steered, local: d.local, gated: d.gated, second: d.second, dropped: d.dropped, deferred: d.deferred,
      gate_closed: d.gateClosed,
      targets: d.targets.map((t) => ({ cpu: t.cpu, packets: t.packets })),
      last_hash: d.lastHash ?? null,
    })),
  };
}

function showStats(ctx: CommandContext, s: Stats): void {
  if (ctx.out.json) return printJson(ctx.out, statsJson(s));
  printTable(
    ctx.out,
    ['CPU', 'ENQUEUED', 'PROCESSED', 'DROPPED', 'PURGED', 'KICKS', 'HWM', 'LEN', 'LOAD'],
    s.cpus.map((c) => [
      String(c.cpu), String(c.enqueued), String(c.processed), String(c.dropped), String(c.purged),
      String(c.kicks), String(c.queueHwm), String(c.queueLen), `${c.load}%${c.pinned ? ' (pinned)' : ''}`,
    ]),
  );
  if (!s.devices.length) return;
  ctx.out.write('\n');
  printTable(
    ctx.out,
    ['IFNAME', 'NETNS', 'IFINDEX', 'STAGE', 'GATE', 'SEEN', 'LOCAL', 'STEERED', 'GATED', 'SECOND', 'DROPPED', 'DEFERRED', 'TARGETS'],
    s.devices.map((d) => [
      d.ifname, netnsText(d.netns), String(d.ifindex), String(d.stage), d.gateClosed ? 'closed' : 'open', String(d.seen), String(d.local), String(d.steered),
      String(d.gated), String(d.second), String(d.dropped), String(d.deferred), d.targets.map((t) => `${t.cpu}:${t.packets}`).join(' ') || '-',
    ]),
  );
}

/** The shortest --watch interval: a redraw costs a dump of every CPU and device. */
export const WATCH_MIN_S = 0.1;
/** The longest --watch interval. */
export const WATCH_MAX_S = 3600;

/** One CPU's rates between two samples `elapsedS` seconds apart (falconctl's JSON keys). */
export interface CpuRates {
  readonly cpu: number;
  readonly enqueued_pps: number;
  readonly processed_pps: number;
  readonly dropped_pps: number;
  readonly kicks_ps: number;
  readonly queue_len: number;
  readonly load: number;
}

/** Per-CPU rates from two samples, divided by the time measured between them (not the nominal interval). */
export function cpuRates(previous: Stats, now: Stats, elapsedS: number): CpuRates[] {
  const rate = (a: number, b: number): number => (elapsedS > 0 ? Math.round((a - b) / elapsedS) : 0);
  return now.cpus.map((c) => {
    const p = previous.cpus.find((x) => x.cpu === c.cpu) ?? c;
    return {
      cpu: c.cpu, enqueued_pps: rate(c.enqueued, p.enqueued), processed_pps: rate(c.processed, p.processed),
      dropped_pps: rate(c.dropped, p.dropped), kicks_ps: rate(c.kicks, p.kicks), queue_len: c.queueLen, load: c.load,
    };
  });
}

/** Where --watch takes its time from (milliseconds; tests pass their own). */
export type Clock = () => number;

/**
 * Redraws per-CPU packet rates every `seconds` until SIGINT/SIGTERM, or until
 * stdout's reader goes away. Each rate is divided by the time measured
 * between the two samples (a slow dump or a late timer lengthens it).
 */
export async function watch(ctx: CommandContext, seconds: number, clock: Clock = () => performance.now()): Promise<void> {
  let previous = await ctx.falcon.stats();
  let previousAt = clock();
  let stop: () => void = () => undefined;
  let stopped = false;
  const stopping = new Promise<'stop'>((resolve) => {
    stop = () => {
      stopped = true;
      resolve('stop');
    };
  });
  const onSignal = (): void => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unsubscribe = ctx.out.onClosed?.(() => stop());
  try {
    while (!stopped) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => {
        timer = setTimeout(() => resolve('tick'), seconds * 1000);
      });
      const woke = await Promise.race([tick, stopping]);
      clearTimeout(timer);
      if (woke === 'stop') return;
      const now = await ctx.falcon.stats();
      const at = clock();
      const elapsedS = (at - previousAt) / 1000;
      const rows = cpuRates(previous, now, elapsedS);
      previous = now;
      previousAt = at;
      if (ctx.out.json) {
        // One JSON object per interval: a stream a script can read line by line.
        ctx.out.write(`${JSON.stringify({ interval_s: seconds, elapsed_s: Math.round(elapsedS * 1000) / 1000, cpus: rows })}\n`);
        continue;
      }
      if (ctx.out.colour) ctx.out.write('\x1b[H\x1b[2J');
      ctx.out.write(`every ${seconds}s (last ${elapsedS.toFixed(3)}s), Ctrl-C to stop\n`);
      printTable(
        ctx.out,
        ['CPU', 'ENQUEUED/s', 'PROCESSED/s', 'DROPPED/s', 'KICKS/s', 'LEN', 'LOAD'],
        rows.map((r) => [String(r.cpu), String(r.enqueued_pps), String(r.processed_pps), String(r.dropped_pps), String(r.kicks_ps), String(r.queue_len), `${r.load}%`]),
      );
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    unsubscribe?.();
  }
}

/** The --watch interval: decimal seconds from WATCH_MIN_S to WATCH_MAX_S. */
export function watchSeconds(args: Parsed): number | undefined {
  const text = optionValue(args, 'watch');
  if (text === undefined) return undefined;
  return parseDecimal(text, '--watch', { min: WATCH_MIN_S, max: WATCH_MAX_S }, ' seconds');
}

/** `stats [--reset] [--watch S]`. */
export const stats: Command = {
  name: 'stats',
  summary: 'show per-CPU and per-device counters',
  usage: 'stats [--reset] [--watch <seconds>]',
  help: [
    '--watch rates are per second of the time measured between two samples; with -j, one JSON',
    'line per sample: {"interval_s", "elapsed_s", "cpus": [...]}. It stops on Ctrl-C, SIGTERM, or',
    'when the reader of its output goes away.',
  ].join('\n'),
  options: [
    { name: 'reset', value: false, description: 'print the counters, then zero them (not queue lengths, loads or pins)' },
    {
      name: 'watch', value: true, valueName: '<seconds>',
      description: `redraw per-CPU rates every <seconds> (decimal, ${WATCH_MIN_S} to ${WATCH_MAX_S}) until interrupted`,
    },
  ],
  check(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    if (watchSeconds(args) !== undefined && hasOption(args, 'reset')) throw new UsageError('--reset and --watch do not go together');
  },
  async run(ctx) {
    const seconds = watchSeconds(ctx.args);
    if (seconds !== undefined) return watch(ctx, seconds);
    showStats(ctx, await ctx.falcon.stats());
    if (hasOption(ctx.args, 'reset')) await ctx.falcon.resetStats();
  },
};

/** `pin <cpu> <load>`. */
export const pin: Command = {
  name: 'pin',
  summary: "pin a CPU's load (testing aid)",
  usage: 'pin <cpu> <load>',
  options: [],
  operands: 'cpu',
  check(args) {
    if (args.positionals.length !== 2) throw new UsageError('pin needs <cpu> <load>');
    parseUint(args.positionals[0] as string, 'cpu');
    parseUint((args.positionals[1] as string).replace(/%$/, ''), 'load');
  },
  async run(ctx) {
    const [cpu, load] = ctx.args.positionals as [string, string];
    await ctx.falcon.pinLoad(parseUint(cpu, 'cpu'), parseUint(load.replace(/%$/, ''), 'load'));
  },
};

/** `unpin [<cpu>]`. */
export const unpin: Command = {
  name: 'unpin',
  summary: 'give one CPU, or every CPU, back to the load monitor',
  usage: 'unpin [<cpu>]',
  options: [],
  operands: 'cpu',
  check(args) {
    if (args.positionals.length > 1) throw new UsageError('unpin takes at most one <cpu>');
    if (args.positionals[0] !== undefined) parseUint(args.positionals[0], 'cpu');
  },
  async run(ctx) {
    const cpu = ctx.args.positionals[0];
    await ctx.falcon.unpinLoad(cpu === undefined ? undefined : parseUint(cpu, 'cpu'));
  },
};
