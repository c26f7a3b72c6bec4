// Command-line parsing helpers for falconctl: a usage error type and a small
// option scanner (long and short flags, values, positionals), nothing more.

/** A command-line mistake: exit status 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parsed arguments of one subcommand. */
export interface ParsedArgs {
  /** Flags and option values by long name (flags are true). */
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

/** An option a subcommand takes: its long name, short alias, and whether it takes a value. */
export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly value: boolean;
}

/** Splits argv by the specs; unknown options are usage errors. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) {
      const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      const spec = specs.find((s) => `--${s.name}` === flag || (s.short !== undefined && `-${s.short}` === flag));
      if (!spec) throw new UsageError(`unknown option "${flag}"`);
      if (!spec.value) {
        if (inline !== undefined) throw new UsageError(`option --${spec.name} takes no value`);
        options.set(spec.name, true);
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`option --${spec.name} needs a value`);
      options.set(spec.name, value);
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}

/** A non-negative integer argument (decimal or 0x hex) no larger than max. */
export function parseUint(text: string, what: string, max = 0xffffffff): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new UsageError(`${what} must be a non-negative integer, got "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > max) throw new UsageError(`${what} must be at most ${max}, got "${text}"`);
  return value;
}

/** The string value of an option, if given. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}
