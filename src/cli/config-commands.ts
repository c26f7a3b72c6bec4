// falconctl status | enable | disable | set <key> <value>...
import type { ConfigChange, FalconConfig, Mode, Policy } from '../api/types';
import { parseChoice, parseCpus, Parsed, UsageError } from '../args/parse';
import type { Command, CommandContext } from './command';
import { configJson, cpuText } from './format';
import { rangesText } from './ranges';
import { printJson, printPairs } from './output';
import { parseUint } from './values';

function showConfig(ctx: CommandContext, c: FalconConfig): void {
  if (ctx.out.json) return printJson(ctx.out, configJson(c));
  printPairs(ctx.out, [
    ['enabled', c.enabled ? 'yes' : 'no'],
    ['cpus', cpuText(c.cpus)],
    ['mode', c.mode],
    ['policy', c.policy],
    ['threshold', `${c.threshold}%`],
    ['hysteresis', `${c.hysteresis}%`],
    ['interval', `${c.intervalMs} ms`],
    ['queue-limit', String(c.queueLimit)],
    ['online', `${cpuText(c.onlineCpus)} (nr_cpu_ids ${c.nrCpuIds}, tick ${c.tickMs} ms)`],
  ]);
}

function noArgs(args: Parsed): void {
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
}

/** `status`: the configuration. */
export const status: Command = {
  name: 'status',
  summary: 'show the configuration',
  usage: 'status',
  options: [],
  check: noArgs,
  async run(ctx) {
    showConfig(ctx, await ctx.falcon.getConfig());
  },
};

/** `enable`. */
export const enable: Command = {
  name: 'enable',
  summary: 'steer attached devices',
  usage: 'enable',
  options: [],
  check: noArgs,
  async run(ctx) {
    const c = await ctx.falcon.enable();
    if (ctx.out.json) printJson(ctx.out, configJson(c));
  },
};

/** `disable`. */
export const disable: Command = {
  name: 'disable',
  summary: 'leave every packet on its CPU',
  usage: 'disable',
  options: [],
  check: noArgs,
  async run(ctx) {
    const c = await ctx.falcon.disable();
    if (ctx.out.json) printJson(ctx.out, configJson(c));
  },
};

const MODES: readonly Mode[] = ['stage', 'paper'];
const POLICIES: readonly Policy[] = ['static', 'balanced'];

/** The keys `set` takes, in help's order, and the values completion offers (none: free text). */
export const SET_KEYS: ReadonlyArray<{ readonly key: string; readonly values?: readonly string[] }> = [
  { key: 'cpus' }, { key: 'mode', values: MODES }, { key: 'policy', values: POLICIES }, { key: 'threshold' },
  { key: 'hysteresis' }, { key: 'interval' }, { key: 'queue-limit' },
];

/** Builds a ConfigChange from `key value` pairs; every pair is checked before anything is sent. */
export function parseSetArgs(words: readonly string[]): ConfigChange {
  if (words.length === 0) throw new UsageError('set needs a key and a value');
  const change: ConfigChange = {};
  for (let i = 0; i < words.length; i += 2) {
    const key = words[i] as string;
    const value = words[i + 1];
    if (value === undefined) throw new UsageError(`set ${key} needs a value`);
    switch (key) {
      case 'cpus':
        change.cpus = parseCpus(value, 'cpus');
        break;
      case 'mode':
        change.mode = parseChoice(value, 'mode', MODES);
        break;
      case 'policy':
        change.policy = parseChoice(value, 'policy', POLICIES);
        break;
      case 'threshold':
        change.threshold = parseUint(value.replace(/%$/, ''), 'threshold');
        break;
      case 'hysteresis':
        change.hysteresis = parseUint(value.replace(/%$/, ''), 'hysteresis');
        break;
      case 'interval':
        change.intervalMs = parseUint(value.replace(/ms$/, ''), 'interval');
        break;
      case 'queue-limit':
        change.queueLimit = parseUint(value, 'queue-limit');
        break;
      default:
        throw new UsageError(`unknown setting "${key}" (${SET_KEYS.map((k) => k.key).join(', ')})`);
    }
  }
  return change;
}

/** `set key value [key value]...`: one all-or-nothing change. */
export const set: Command = {
  name: 'set',
  summary: 'change the configuration',
  usage: 'set cpus <list> | mode <stage|paper> | policy <static|balanced> | threshold <pct>\n              | hysteresis <pct> | interval <ms> | queue-limit <n>',
  help: `Several pairs may be given; they are applied together or not at all.\nRanges: ${rangesText([['threshold', 'threshold'], ['hysteresis', 'hysteresis'], ['interval', 'interval-ms'], ['queue-limit', 'queue-limit']])}\n(interval: a multiple of the tick).`,
  options: [],
  operands: 'set',
  check: (args) => {
    parseSetArgs(args.positionals);
  },
  async run(ctx) {
    const c = await ctx.falcon.setConfig(parseSetArgs(ctx.args.positionals));
    if (ctx.out.json) printJson(ctx.out, configJson(c));
  },
};
