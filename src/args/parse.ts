// The command-line layer shared by falconctl, falcon-testbed, falcon-topology
// and `npm run experiment`: a thin, typed layer over node:util's parseArgs
// (strict: long and short options, --opt=value, -abc clusters, repeatable
// options, `--`), one UsageError whose messages name the bad option, and the
// value checks the tools share (integers in a range, decimals, choices,
// comma-separated lists, CPU lists). Each tool keeps its own option table
// and decides the exit status of a usage error (falconctl and
// falcon-topology 1, falcon-testbed and the experiment 2).
import { parseArgs as utilParseArgs } from 'node:util';
import { parseCpuList } from '../api/cpuset';

/** A command-line mistake. Its message names the option or argument at fault. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One option a command takes. */
export interface OptionSpec {
  /** The long name, without "--". */
  readonly name: string;
  /** A one-letter alias, without "-". */
  readonly short?: string;
  /** Whether it takes a value (--name <value>, --name=<value>, -x<value>); flags do not. */
  readonly value: boolean;
  /** May be given more than once: every value is kept, in order (else the last one wins). */
  readonly multiple?: boolean;
  /** Other long names for the same option (their values count as this option's). */
  readonly aliases?: readonly string[];
  /** How help shows the value: "<list>", "N", ... */
  readonly valueName?: string;
  /** One line for help. */
  readonly description?: string;
}

type ValueOf<S extends OptionSpec> = boolean extends S['value']
  ? string | readonly string[] | boolean | number // a table typed as OptionSpec[]: any of them
  : S['value'] extends true
    ? S extends { readonly multiple: true } ? readonly string[] : string
    : S extends { readonly multiple: true } ? number : boolean;

/**
 * The values of the options given, by long name: a string (the last one
 * given) for an option with a value, a string array for a repeatable one,
 * true for a flag (a repeatable flag counts its occurrences).
 */
export type OptionValues<S extends readonly OptionSpec[]> = { readonly [K in S[number] as K['name']]?: ValueOf<K> };

/** What parseArgs returns. */
export interface Parsed<S extends readonly OptionSpec[] = readonly OptionSpec[]> {
  readonly values: OptionValues<S>;
  /** The words that are not options (with everything after `--`, or from the first one on under stopAtPositional). */
  readonly positionals: readonly string[];
}

/** How parseArgs reads argv. */
export interface ParseSettings {
  /**
   * Options end at the first positional: it and every word after it are
   * positionals (global options before a subcommand, a command to run).
   */
  readonly stopAtPositional?: boolean;
  /** Whether positionals are allowed at all (default true); else the first is a usage error. */
  readonly allowPositionals?: boolean;
}

type UtilOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function utilOptions(specs: readonly OptionSpec[]): UtilOptions {
  const options: UtilOptions = {};
  for (const s of specs) {
    options[s.name] = { type: s.value ? 'string' : 'boolean', ...(s.short !== undefined ? { short: s.short } : {}), multiple: true };
    for (const alias of s.aliases ?? []) options[alias] = { type: s.value ? 'string' : 'boolean', multiple: true };
  }
  return options;
}

interface OptionToken {
  readonly kind: 'option';
  readonly name: string;
  readonly rawName: string;
  readonly index: number;
  readonly value?: string;
  readonly inlineValue?: boolean;
}
type Token = OptionToken | { readonly kind: 'positional'; readonly index: number; readonly value: string } | { readonly kind: 'option-terminator'; readonly index: number };

/** A lenient pass (unknown options are flags): where things are, before any check. */
function scan(argv: readonly string[], specs: readonly OptionSpec[]): Token[] {
  return utilParseArgs({ args: [...argv], options: utilOptions(specs), strict: false, allowPositionals: true, tokens: true }).tokens as Token[];
}

/** The index in argv where options end under stopAtPositional, and where the positionals start. */
function cutOf(argv: readonly string[], tokens: readonly Token[]): { end: number; rest: number } {
  for (const t of tokens) {
    if (t.kind === 'positional') return { end: t.index, rest: t.index };
    if (t.kind === 'option-terminator') return { end: t.index, rest: t.index + 1 };
  }
  return { end: argv.length, rest: argv.length };
}

function specOf(specs: readonly OptionSpec[], name: string): OptionSpec | undefined {
  return specs.find((s) => s.name === name || (s.aliases ?? []).includes(name));
}

/** The option as messages name it: --name (the long name, whichever way it was written). */
function optionText(spec: OptionSpec): string {
  return `--${spec.name}`;
}

/** Refuses what the strict parse would, with a message that names the option. */
function check(tokens: readonly Token[], specs: readonly OptionSpec[], allowPositionals: boolean): void {
  for (const t of tokens) {
    if (t.kind === 'positional' && !allowPositionals) throw new UsageError(`unexpected argument "${t.value}"`);
    if (t.kind !== 'option') continue;
    const spec = specOf(specs, t.name);
    if (spec === undefined) throw new UsageError(`unknown option "${t.rawName.startsWith('--') ? t.rawName : `-${t.name}`}"`);
    if (!spec.value) {
      if (t.inlineValue) throw new UsageError(`option ${optionText(spec)} takes no value`);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`option ${optionText(spec)} needs a value`);
    if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) {
      throw new UsageError(`option ${optionText(spec)} needs a value, got option-like "${t.value}" (write ${optionText(spec)}=${t.value} if that is the value)`);
    }
  }
}

/**
 * Parses argv (without node and script) by the option table: node:util's
 * parseArgs with strict: true, after a check of our own so that every
 * mistake is a UsageError naming the option ("unknown option "--x"",
 * "option --cpus needs a value", "option --json takes no value").
 */
export function parseArgs<const S extends readonly OptionSpec[]>(argv: readonly string[], specs: S, settings: ParseSettings = {}): Parsed<S> {
  const allowPositionals = settings.allowPositionals ?? true;
  const tokens = scan(argv, specs);
  let words = [...argv];
  let after: string[] = [];
  if (settings.stopAtPositional) {
    const { end, rest } = cutOf(argv, tokens);
    if (rest < argv.length && !allowPositionals) throw new UsageError(`unexpected argument "${argv[rest] as string}"`);
    words = argv.slice(0, end);
    after = argv.slice(rest);
    check(tokens.filter((t) => t.index < end), specs, allowPositionals);
  } else {
    check(tokens, specs, allowPositionals);
  }
  let strict;
  try {
    strict = utilParseArgs({ args: words, options: utilOptions(specs), strict: true, allowPositionals, tokens: true });
  } catch (err) {
    // check() refuses everything strict mode does; this is a safety net.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const values: Record<string, string | string[] | boolean | number> = {};
  for (const t of strict.tokens as Token[]) {
    if (t.kind !== 'option') continue;
    const spec = specOf(specs, t.name) as OptionSpec;
    if (spec.value) {
      const value = t.value as string;
      if (spec.multiple) values[spec.name] = [...((values[spec.name] as string[] | undefined) ?? []), value];
      else values[spec.name] = value;
    } else {
      values[spec.name] = spec.multiple ? ((values[spec.name] as number | undefined) ?? 0) + 1 : true;
    }
  }
  return { values: values as OptionValues<S>, positionals: [...strict.positionals, ...after] };
}

/**
 * Whether -h or --help is among argv's options (before `--`), whatever else
 * is wrong with them: help never acts, and a mistake elsewhere does not hide it.
 */
export function helpRequested(argv: readonly string[], specs: readonly OptionSpec[], settings: ParseSettings = {}): boolean {
  const withHelp = specOf(specs, 'help') ? specs : [...specs, { name: 'help', short: 'h', value: false }];
  const tokens = scan(argv, withHelp);
  const end = settings.stopAtPositional ? cutOf(argv, tokens).end : argv.length;
  return tokens.some((t) => t.kind === 'option' && t.index < end && (t.name === 'help' || t.name === 'h') && !t.inlineValue);
}

/**
 * Splits argv where options end (the first positional, or `--`): global
 * options before a subcommand, say. Does not check the options.
 */
export function splitAtPositional(argv: readonly string[], specs: readonly OptionSpec[]): { options: string[]; rest: string[] } {
  const { end, rest } = cutOf(argv, scan(argv, specs));
  return { options: argv.slice(0, end), rest: argv.slice(rest) };
}

/** The value of an option with a value, if given (the last one for a repeatable option). */
export function stringOption(parsed: Parsed, name: string): string | undefined {
  const v = (parsed.values as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v[v.length - 1] as string | undefined;
  return undefined;
}

/** Every value of a repeatable option, in order. */
export function stringOptions(parsed: Parsed, name: string): readonly string[] {
  const v = (parsed.values as Record<string, unknown>)[name];
  if (Array.isArray(v)) return v as string[];
  return typeof v === 'string' ? [v] : [];
}

/** Whether a flag (or any option) was given. */
export function hasOption(parsed: Parsed, name: string): boolean {
  return (parsed.values as Record<string, unknown>)[name] !== undefined;
}

/** Inclusive bounds of a number; an absent bound is open. */
export interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

function boundsText({ min, max }: Bounds, kind: string): string {
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min === 1 && kind === 'an integer') return 'a positive integer';
  if (min === 0 && kind === 'an integer') return 'a non-negative integer';
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

function inBounds(value: number, text: string, what: string, bounds: Bounds, unit = ''): number {
  const { min, max } = bounds;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range = min !== undefined && max !== undefined
      ? `between ${min} and ${max}${unit}`
      : min !== undefined ? `at least ${min}${unit}` : `at most ${max as number}${unit}`;
    throw new UsageError(`${what} must be ${range}, got "${text}"`);
  }
  return value;
}

/**
 * An integer argument: decimal digits (and 0x hex where `hex`), within
 * bounds (default: non-negative, up to Number.MAX_SAFE_INTEGER). `what`
 * names it in messages: "--reps", "stage", ...
 */
export function parseInteger(text: string | undefined, what: string, bounds: Bounds & { readonly hex?: boolean } = {}): number {
  const b = { min: bounds.min ?? 0, ...(bounds.max !== undefined ? { max: bounds.max } : {}) };
  const syntax = bounds.hex ? /^(0x[0-9a-f]+|\d+)$/i : /^\d+$/;
  if (text === undefined || !syntax.test(text)) throw new UsageError(`${what} needs ${boundsText(b, 'an integer')}, got "${text ?? ''}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what} needs ${boundsText(b, 'an integer')}, got "${text}"`);
  return inBounds(value, text, what, b);
}

/** A decimal number ("2", "0.5", ".5"; no exponent, sign or hex) within bounds; `unit` follows the bounds in messages. */
export function parseDecimal(text: string | undefined, what: string, bounds: Bounds, unit = ''): number {
  if (text === undefined || !/^(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    throw new UsageError(`${what} needs a decimal number${bounds.min !== undefined && bounds.max !== undefined ? ` from ${bounds.min} to ${bounds.max}${unit}` : ''}, got "${text ?? ''}"`);
  }
  return inBounds(Number(text), text, what, bounds, unit);
}

/** "a, b or c". */
export function choicesText(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1] as string}`;
}

/** One of `choices`, else a usage error listing them. */
export function parseChoice<const T extends string>(text: string | undefined, what: string, choices: readonly T[]): T {
  if (text === undefined || !(choices as readonly string[]).includes(text)) throw new UsageError(`${what} must be ${choicesText(choices)}, got "${text ?? ''}"`);
  return text as T;
}

/**
 * A comma-separated list (blanks around items and empty items dropped); with
 * `choices` each item must be one: `unknown <noun> "x" (known: a, b)`.
 */
export function parseList<const T extends string>(text: string | undefined, what: string, choices?: { readonly noun: string; readonly known: readonly T[] }): T[] {
  const items = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${what} needs a comma-separated list`);
  if (choices) {
    for (const x of items) {
      if (!(choices.known as readonly string[]).includes(x)) throw new UsageError(`unknown ${choices.noun} "${x}" (known: ${choices.known.join(', ')})`);
    }
  }
  return items as T[];
}

/** A CPU list as taskset -c and /sys write them ("0-3,6"); `what` names the option. */
export function parseCpus(text: string | undefined, what: string): number[] {
  if (text === undefined) throw new UsageError(`${what} needs a CPU list such as "0-3,6"`);
  try {
    return parseCpuList(text);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
