// The shape of one falconctl subcommand: its grammar, help and action.
import type { Falcon } from '../api/types';
import type { OptionSpec, ParsedArgs } from './args';
import type { Output } from './output';

/** What a subcommand runs with. */
export interface CommandContext {
  readonly falcon: Falcon;
  readonly out: Output;
  readonly args: ParsedArgs;
}

/** One entry of falconctl's subcommand table. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The grammar line(s), without the program name. */
  readonly usage: string;
  /** Longer help shown by `falconctl <command> --help`. */
  readonly help?: string;
  readonly options: readonly OptionSpec[];
  /** Checks the arguments before Falcon is opened, so usage errors never need the module. */
  check?(args: ParsedArgs): void;
  run(ctx: CommandContext): Promise<void>;
}
