// falconctl stats [--reset] [--watch S] | pin <cpu> <load> | unpin [<cpu>]
import type { Stats } from '../api/types';
import { optionValue, parseUint, ParsedArgs, UsageError } from './args';
import type { Command, CommandContext } from './command';
import { netnsText } from './format';
import { printJson, printTable } from './output';

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
      steered: d.steered, local: d.local, gated: d.gated, second: d.second, dropped: d.dropped,
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
    ['IFNAME', 'NETNS', 'IFINDEX', 'STAGE', 'GATE', 'SEEN', 'LOCAL', 'STEERED', 'GATED', 'SECOND', 'DROPPED', 'TARGETS'],
    s.devices.map((d) => [
      d.ifname, netnsText(d.netns), String(d.ifindex), String(d.stage), d.gateClosed ? 'closed' : 'open', String(d.seen), String(d.local), String(d.steered),
      String(d.gated), String(d.second), String(d.dropped), d.targets.map((t) => `${t.cpu}:${t.packets}`).join(' ') || '-',
    ]),
  );
}

// Redraws per-CPU packet rates every `seconds` until SIGINT/SIGTERM.
async function watch(ctx: CommandContext, seconds: number): Promise<void> {
  let previous = await ctx.falcon.stats();
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  for (;;) {
    const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), seconds * 1000));
    if ((await Promise.race([tick, stopped.then(() => 'stop' as const)])) === 'stop') return;
    const now = await ctx.falcon.stats();
    const rate = (a: number, b: number): number => Math.round((a - b) / seconds);
    const rows = now.cpus.map((c) => {
      const p = previous.cpus.find((x) => x.cpu === c.cpu) ?? c;
      return {
        cpu: c.cpu, enqueued_pps: rate(c.enqueued, p.enqueued), processed_pps: rate(c.processed, p.processed),
        dropped_pps: rate(c.dropped, p.dropped), kicks_ps: rate(c.kicks, p.kicks), queue_len: c.queueLen, load: c.load,
      };
    });
    previous = now;
    if (ctx.out.json) {
      // One JSON object per interval: a stream a script can read line by line.
      ctx.out.write(`${JSON.stringify({ interval_s: seconds, cpus: rows })}\n`);
      continue;
    }
    if (ctx.out.colour) ctx.out.write('\x1b[H\x1b[2J');
    ctx.out.write(`every ${seconds}s, Ctrl-C to stop\n`);
    printTable(
      ctx.out,
      ['CPU', 'ENQUEUED/s', 'PROCESSED/s', 'DROPPED/s', 'KICKS/s', 'LEN', 'LOAD'],
      rows.map((r) => [String(r.cpu), String(r.enqueued_pps), String(r.processed_pps), String(r.dropped_pps), String(r.kicks_ps), String(r.queue_len), `${r.load}%`]),
    );
  }
}

function watchSeconds(args: ParsedArgs): number | undefined {
  const text = optionValue(args, 'watch');
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError(`--watch needs seconds (0-3600], got "${text}"`);
  return seconds;
}

/** `stats [--reset] [--watch S]`. */
export const stats: Command = {
  name: 'stats',
  summary: 'show per-CPU and per-device counters',
  usage: 'stats [--reset] [--watch <seconds>]',
  help: '--reset prints the counters, then zeroes them (not queue lengths, loads or pins).\n--watch redraws per-CPU rates every <seconds> until interrupted (-j: one JSON line each).',
  options: [{ name: 'reset', value: false }, { name: 'watch', value: true }],
  check(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    if (watchSeconds(args) !== undefined && args.options.has('reset')) throw new UsageError('--reset and --watch do not go together');
  },
  async run(ctx) {
    const seconds = watchSeconds(ctx.args);
    if (seconds !== undefined) return watch(ctx, seconds);
    showStats(ctx, await ctx.falcon.stats());
    if (ctx.args.options.has('reset')) await ctx.falcon.resetStats();
  },
};

/** `pin <cpu> <load>`. */
export const pin: Command = {
  name: 'pin',
  summary: "pin a CPU's load (testing aid)",
  usage: 'pin <cpu> <load>',
  options: [],
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
  check(args) {
    if (args.positionals.length > 1) throw new UsageError('unpin takes at most one <cpu>');
    if (args.positionals[0] !== undefined) parseUint(args.positionals[0], 'cpu');
  },
  async run(ctx) {
    const cpu = ctx.args.positionals[0];
    await ctx.falcon.unpinLoad(cpu === undefined ? undefined : parseUint(cpu, 'cpu'));
  },
};
