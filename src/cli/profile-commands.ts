// falconctl profile [--duration S] [--top-flows N] [--time-sampling N] [--flow-sampling N] | top [--interval S] [-n N]:
// the stage profiler (docs/profiler.md). Neither opens falcon.ko's family:
// they profile the kernel with eBPF whether or not the module is loaded
// (under --mock, the mock's profile).
import { parseDecimal, parseInteger, Parsed, stringOption, UsageError } from '../args/parse';
import type { Command, ProfileContext } from './command';
import type { ProfileOptions } from '../profile/types';
import { DEFAULT_FLOW_SAMPLING, DEFAULT_TIME_SAMPLING } from '../profile/sampling';
import { printJson } from './output';
import { renderProfile, renderTop, ScreenSize } from './profile-render';

const DURATION_MAX_S = 3600;

/** A --<name> in seconds (decimal), checked against [min, 3600]. */
function seconds(args: Parsed, name: string, fallback: number, min: number): number {
  const text = stringOption(args, name);
  return text === undefined ? fallback : parseDecimal(text, `--${name}`, { min, max: DURATION_MAX_S }, ' seconds');
}

function topFlows(args: Parsed): number {
  const text = stringOption(args, 'top-flows');
  return text === undefined ? 10 : parseInteger(text, '--top-flows', { min: 0, max: 1000 });
}

/** A --<name> sampling period, checked as the profiler checks it (a power of two, 1 to 1024). */
function samplingPeriod(args: Parsed, name: string): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const n = parseInteger(text, `--${name}`, { min: 1, max: 1024 });
  if ((n & (n - 1)) !== 0) throw new UsageError(`--${name} must be a power of two, not ${n}`);
  return n;
}

/** --flow-sampling and --time-sampling, as ProfileOptions. */
function sampling(args: Parsed): Pick<ProfileOptions, 'flowSampling' | 'timeSampling'> {
  return { flowSampling: samplingPeriod(args, 'flow-sampling'), timeSampling: samplingPeriod(args, 'time-sampling') };
}

const SAMPLING_OPTIONS = [
  {
    name: 'time-sampling', value: true, valueName: '<n>',
    description: `time the stages of one NET_RX run in <n> and scale (a power of two, 1 to 1024; default ${DEFAULT_TIME_SAMPLING}; 1: exact)`,
  },
  {
    name: 'flow-sampling', value: true, valueName: '<n>',
    description: `account flows on one timed stage run in <n> and scale (a power of two, 1 to 1024; default ${DEFAULT_FLOW_SAMPLING})`,
  },
] as const;

/** A profile's --duration in ms (0.01 to 3600 s, default 1 s); doctor takes it too. */
export function profileDurationMs(args: Parsed): number {
  return Math.round(seconds(args, 'duration', 1, 0.01) * 1000);
}

/** profile's options, read (and checked) in one place for check() and run. */
function profileOptions(args: Parsed): ProfileOptions {
  return { durationMs: profileDurationMs(args), topFlows: topFlows(args), ...sampling(args) };
}

/** top's options. */
interface TopOptions {
  readonly intervalMs: number;
  readonly topFlows: number;
  readonly sampling: Pick<ProfileOptions, 'flowSampling' | 'timeSampling'>;
  /** Frames to draw before stopping (Infinity: until told to quit). */
  readonly frames: number;
}

/** top's options, read (and checked) in one place for check() and run. */
function topOptions(args: Parsed): TopOptions {
  const iterations = stringOption(args, 'iterations');
  return {
    intervalMs: Math.round(seconds(args, 'interval', 1, 0.1) * 1000),
    topFlows: topFlows(args),
    sampling: sampling(args),
    frames: iterations === undefined ? Infinity : parseInteger(iterations, '--iterations', { min: 1, max: 1_000_000 }),
  };
}

function noOperands(args: Parsed): void {
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
}

async function runProfile(ctx: ProfileContext): Promise<void> {
  const p = await ctx.profiles.profile(profileOptions(ctx.args));
  if (ctx.out.json) return printJson(ctx.out, p);
  ctx.out.write(renderProfile(p));
}

/** `profile [--duration S] [--top-flows N] [--time-sampling N] [--flow-sampling N]`. */
export const profile: Command = {
  name: 'profile',
  summary: 'where receive time goes: per CPU NET_RX, per device stage and CPU, top flows (eBPF; no module needed)',
  usage: 'profile [--duration <seconds>] [--top-flows <n>] [--time-sampling <n>] [--flow-sampling <n>]',
  help: [
    'Profiles the host for --duration seconds with eBPF (root, a kernel with BTF, and the profiler built',
    'with clang and libbpf-dev). Per CPU: NET_RX softirq runs and time; per device stage and CPU:',
    'packets per second, ns per packet and share of the CPU (docs/profiler.md defines each); with',
    'falcon.ko loaded, packets it handed off and its queue wait; the busiest flows by inner 5-tuple.',
    'With -j, the Profile object (keys in docs/profiler.md).',
  ].join('\n'),
  options: [
    { name: 'duration', short: 'd', value: true, valueName: '<seconds>', description: 'how long to measure (decimal, 0.01 to 3600; default 1)' },
    { name: 'top-flows', value: true, valueName: '<n>', description: 'how many flows to report (0 to 1000, default 10; 0 skips flow accounting)' },
    ...SAMPLING_OPTIONS,
  ],
  check(args) {
    noOperands(args);
    profileOptions(args);
  },
  run: (ctx) => runProfile({ profiles: ctx.falcon, out: ctx.out, args: ctx.args }),
  runProfile,
};

/** What top reads keys from and draws on (tests pass their own). */
export interface TopTerminal {
  /** Draws on a terminal (alternate screen, cursor hidden) rather than printing frames one after another. */
  readonly tty: boolean;
  size(): ScreenSize;
  /** Calls `onKey` with each key pressed; returns what stops listening and restores the terminal's mode. */
  keys(onKey: (key: string) => void): () => void;
}

function processTerminal(): TopTerminal {
  const stdin = process.stdin;
  return {
    tty: process.stdout.isTTY === true,
    size: () => ({ columns: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 }),
    keys(onKey) {
      if (!stdin.isTTY) return () => undefined;
      const wasRaw = stdin.isRaw;
      stdin.setRawMode(true);
      const listener = (b: Buffer): void => {
        for (const ch of b.toString('utf8')) onKey(ch);
      };
      stdin.on('data', listener);
      stdin.resume();
      return () => {
        stdin.removeListener('data', listener);
        stdin.setRawMode(wasRaw);
        stdin.pause();
      };
    },
  };
}

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME_CLEAR = '\x1b[H\x1b[2J';

/**
 * Redraws a profile every interval until q, Ctrl-C, SIGINT/SIGTERM, `count`
 * frames, or the reader of stdout going away; the terminal is restored on
 * every path. -j: one Profile per line.
 */
export async function runTop(ctx: ProfileContext, terminal: TopTerminal = processTerminal()): Promise<void> {
  const options = topOptions(ctx.args);
  const stop = new AbortController();
  const quit = (): void => stop.abort();
  const stopKeys = terminal.keys((k) => {
    if (k === 'q' || k === 'Q' || k === '\x03') quit();
  });
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  const unsubscribe = ctx.out.onClosed?.(quit);
  const drawing = terminal.tty && !ctx.out.json;
  if (drawing) ctx.out.write(ENTER);
  try {
    let frames = 0;
    for await (const p of ctx.profiles.watchProfiles({ intervalMs: options.intervalMs, topFlows: options.topFlows, ...options.sampling, signal: stop.signal })) {
      if (ctx.out.json) ctx.out.write(`${JSON.stringify(p)}\n`);
      else if (drawing) ctx.out.write(HOME_CLEAR + renderTop(p, terminal.size()).join('\n'));
      else ctx.out.write(`${renderTop(p, { columns: Infinity, rows: Infinity }).join('\n')}\n\n`);
      if (++frames >= options.frames) break;
    }
  } finally {
    if (drawing) ctx.out.write(LEAVE);
    stopKeys();
    process.removeListener('SIGINT', quit);
    process.removeListener('SIGTERM', quit);
    unsubscribe?.();
  }
}

/** `top [--interval S] [-n N] [--top-flows N] [--time-sampling N] [--flow-sampling N]`. */
export const top: Command = {
  name: 'top',
  summary: 'live profile of the receive path, redrawn every second, fit to the terminal (q quits)',
  usage: 'top [--interval <seconds>] [--iterations <n>] [--top-flows <n>] [--time-sampling <n>] [--flow-sampling <n>]',
  help: [
    'What `profile` shows, measured again every --interval and redrawn in place, cut to the',
    'terminal like top(1). q or Ctrl-C quits and restores the terminal. Not on a terminal (or with',
    '-j), it prints one frame (one JSON Profile per line) per interval.',
  ].join('\n'),
  options: [
    { name: 'interval', short: 'i', value: true, valueName: '<seconds>', description: 'time between redraws (decimal, 0.1 to 3600; default 1)' },
    { name: 'iterations', short: 'n', value: true, valueName: '<n>', description: 'stop after <n> frames (default: until q or Ctrl-C)' },
    { name: 'top-flows', value: true, valueName: '<n>', description: 'how many flows to show (0 to 1000, default 10)' },
    ...SAMPLING_OPTIONS,
  ],
  check(args) {
    noOperands(args);
    topOptions(args);
  },
  run: (ctx) => runTop({ profiles: ctx.falcon, out: ctx.out, args: ctx.args }),
  runProfile: (ctx) => runTop(ctx),
};
