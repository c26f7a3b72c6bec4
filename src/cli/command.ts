// The shape of one falconctl subcommand: its grammar, help and action. The
// table of them (falconctl.ts) also makes the help, the man page and the
// bash completion (docs-gen.ts).
import type { Falcon } from '../api/types';
import type { Profile, ProfileOptions, WatchProfileOptions } from '../profile/types';
import type { OptionSpec, Parsed } from '../args/parse';
import type { Output } from './output';

/** What completion offers for a value or an operand. */
export type Completion = 'ifname' | 'netns' | 'file' | 'cpu' | 'set' | 'command';

/** An option of falconctl: described (help, man page), and how to complete its value. */
export interface CliOption extends OptionSpec {
  readonly description: string;
  readonly complete?: Completion;
}

/** What a subcommand runs with. */
export interface CommandContext {
  readonly falcon: Falcon;
  readonly out: Output;
  readonly args: Parsed;
}

/** Where profiles come from: a Falcon, or the kernel's eBPF profiler without falcon.ko. */
export interface ProfileSource {
  profile(options?: ProfileOptions): Promise<Profile>;
  watchProfiles(options?: WatchProfileOptions): AsyncIterable<Profile>;
}

/** What a profiling command runs with: no Falcon handle, so falcon.ko need not be loaded. */
export interface ProfileContext {
  readonly profiles: ProfileSource;
  readonly out: Output;
  readonly args: Parsed;
}

/**
 * What a subcommand that works without falcon.ko runs with: it opens
 * Falcon itself if and when it wants to (`openFalcon` rejects as any
 * command's open would: module not loaded, no addon).
 */
export interface HostCommandContext {
  readonly out: Output;
  readonly args: Parsed;
  /** falconctl --mock was given. */
  readonly mock: boolean;
  openFalcon(): Promise<Falcon>;
}

/** What every entry of falconctl's subcommand table has. */
interface CommandBase {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The grammar line(s), without the program name. */
  readonly usage: string;
  /** Longer help shown by `falconctl <command> --help`. */
  readonly help?: string;
  readonly options: readonly CliOption[];
  /** What its operands (non-option words) are, for completion. */
  readonly operands?: Completion;
  /** Checks the arguments before Falcon is opened, so usage errors never need the module. */
  check?(args: Parsed): void;
}

/** A subcommand that talks to Falcon: falconctl opens it before run(). */
export interface FalconCommand extends CommandBase {
  readonly needsFalcon?: true;
  run(ctx: CommandContext): Promise<void>;
  /**
   * Present on commands that only profile: falconctl runs this instead of
   * run(), with the kernel's profiler (or, under --mock, the mock's), and
   * never opens falcon.ko's family.
   */
  runProfile?(ctx: ProfileContext): Promise<void>;
}

/** A subcommand that works without falcon.ko (doctor): run() opens Falcon only if it wants to. */
export interface HostCommand extends CommandBase {
  readonly needsFalcon: false;
  run(ctx: HostCommandContext): Promise<void>;
}

/** One entry of falconctl's subcommand table. */
export type Command = FalconCommand | HostCommand;
