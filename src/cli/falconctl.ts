#!/usr/bin/env node
// falconctl: the shell front end of the Falcon SDK. The subcommand table
// below is the whole entry point; each command lives in its group's file.
// Exit 0 on success, 1 on a usage error, 2 when the kernel (or the mock)
// refused, the module is not there, or stdout cannot be written. Never a
// stack trace, never a silent fall back to the mock. Help never acts.
import * as fs from 'node:fs';
import { MODULE_NOT_LOADED_MESSAGE, openFalcon } from '../index';
import type { Falcon } from '../api/types';
import { hasOption, helpRequested, parseArgs, Parsed, splitAtPositional, stringOption, UsageError } from '../args/parse';
import { splitLine } from './batch';
import type { CliOption, Command, ProfileSource } from './command';
import { profileHost, watchHostProfiles } from '../profile/kernel';
import * as profiling from './profile-commands';
import * as config from './config-commands';
import * as configFile from './config-file-commands';
import * as devices from './device-commands';
import { doctor } from './doctor-command';
import { explain, failureOf } from './errors';
import { commandHelp, mainHelp } from './help';
import { gatherLoadFacts, loadHint } from './load-hint';
import * as stats from './stats-commands';
import { monitorCommand } from './monitor-command';
import { falconctlVersion } from './version';
import { Location, Output, printError, processOutput, stdoutFailure } from './output';

/** Every subcommand, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  config.status, config.enable, config.disable, config.set,
  devices.attach, devices.detach, devices.devices, stats.stats, devices.pick,
  stats.pin, stats.unpin, monitorCommand, configFile.apply, configFile.show, profiling.profile, profiling.top, doctor,
];

/** The options before the command. */
export const GLOBAL_OPTIONS: readonly CliOption[] = [
  { name: 'json', short: 'j', value: false, description: 'JSON output (stable keys); errors as {"error": {...}} on stdout' },
  { name: 'pretty', short: 'p', value: false, description: 'indent JSON' },
  {
    name: 'mock', value: false,
    description: 'talk to the TypeScript model of the module instead of falcon.ko: a fresh 4-CPU host with the testbed '
      + 'overlay (h1, h2, h1c1, h2c1) each time falconctl runs; --batch runs several commands on one',
  },
  {
    name: 'batch', short: 'b', value: true, valueName: '<file|->', complete: 'file',
    description: 'run the falconctl commands in <file> ("-": stdin), one a line, in one session',
  },
  { name: 'force', value: false, description: 'with --batch: go on after a failing line, and exit with the worst status' },
  { name: 'help', short: 'h', value: false, description: 'this help; falconctl help COMMAND (or COMMAND help, COMMAND --help) for a command' },
  { name: 'version', short: 'V', value: false, description: 'print the version' },
];

/**
 * Opens the backend the flags ask for. A missing module is a kernel error
 * with the command that loads it here (src/cli/load-hint.ts); any other
 * failure (the native addon missing, ...) is passed through as it is.
 */
async function open(mock: boolean): Promise<Falcon> {
  if (mock) return openFalcon({ backend: 'mock' });
  try {
    return await openFalcon({ backend: 'kernel' });
  } catch (err) {
    const f = failureOf(err);
    const notLoaded = f.code === 'ENOENT' && f.message === MODULE_NOT_LOADED_MESSAGE;
    throw Object.assign(new Error(notLoaded ? `${f.message}; ${loadHint(gatherLoadFacts())}` : f.message), { code: f.code });
  }
}

/** One falconctl run: where it prints, and the Falcon its commands share (opened on first use). */
class Session {
  private falcon: Falcon | undefined;

  constructor(readonly out: Output, readonly mock: boolean) {}

  async get(): Promise<Falcon> {
    this.falcon ??= await open(this.mock);
    return this.falcon;
  }

  async close(): Promise<void> {
    const falcon = this.falcon;
    this.falcon = undefined;
    await falcon?.close();
  }
}

/** What a dispatch got to before it failed: the command (for the hint) and its arguments (for the message). */
interface Progress {
  command?: Command;
  args?: Parsed;
}

function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * Runs one command line, `COMMAND [ARGS]` (what follows the global
 * options, or a batch line). `help`, `COMMAND help`, -h or --help anywhere
 * before `--` print help and do nothing else; `helpAsked` is a global -h.
 */
async function dispatch(words: readonly string[], session: Session, progress: Progress, helpAsked: boolean): Promise<void> {
  const [name, ...args] = words;
  const out = session.out;
  if (name === undefined || (name.startsWith('-') && helpRequested([name], []))) {
    out.write(mainHelp(COMMANDS, GLOBAL_OPTIONS));
    return;
  }
  if (name === 'help') {
    if (args.length > 1) throw new UsageError(`help takes at most one command, got "${args[1] as string}"`);
    const topic = args[0];
    if (topic === undefined) {
      out.write(mainHelp(COMMANDS, GLOBAL_OPTIONS));
      return;
    }
    const command = findCommand(topic);
    if (!command) throw new UsageError(`unknown command "${topic}"`);
    out.write(commandHelp(command));
    return;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  progress.command = command;
  if (helpAsked || args[0] === 'help' || helpRequested(args, command.options)) {
    out.write(commandHelp(command));
    return;
  }
  const parsed = parseArgs(args, command.options);
  progress.args = parsed;
  try {
    command.check?.(parsed);
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError(failureOf(err).message);
  }
  if (command.needsFalcon === false) {
    await command.run({ out, args: parsed, mock: session.mock, openFalcon: () => session.get() });
    return;
  }
  if (command.runProfile) {
    const profiles: ProfileSource = session.mock ? await session.get() : { profile: profileHost, watchProfiles: watchHostProfiles };
    await command.runProfile({ profiles, out, args: parsed });
    return;
  }
  await command.run({ falcon: await session.get(), out, args: parsed });
}

/** The exit status a failure of dispatch() means. */
function statusOf(err: unknown): number {
  if (err instanceof configFile.ExitStatus) return err.status;
  return err instanceof UsageError ? 1 : 2;
}

/** Reports a failure of dispatch() (a batch line's at its `at`); ExitStatus has been reported by its command. */
function report(out: Output, err: unknown, progress: Progress, at?: Location): void {
  if (err instanceof configFile.ExitStatus) {
    if (at && !out.json) out.writeErr(`${at.file}:${at.line}: ${err.message}\n`);
    return;
  }
  if (err instanceof UsageError) {
    printError(out, { code: 'EINVAL', message: err.message }, at);
    if (!out.json && !at) out.writeErr(`Try 'falconctl ${progress.command ? `${progress.command.name} ` : ''}--help'.\n`);
    return;
  }
  printError(out, explain(failureOf(err), progress.args ? stringOption(progress.args, 'netns') : undefined), at);
}

/** --batch: every line of the file in one session; stops at the first failure unless `force`. */
async function runBatch(file: string, force: boolean, session: Session): Promise<number> {
  const name = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${name}: ${failureOf(err).code}`);
  }
  let worst = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = { file: name, line: i + 1 };
    const progress: Progress = {};
    try {
      const words = splitLine(lines[i] as string);
      if (words.length === 0) continue;
      await dispatch(words, session, progress, false);
    } catch (err) {
      report(session.out, err, progress, at);
      worst = Math.max(worst, statusOf(err));
      if (!force) break;
    }
  }
  return worst;
}

/** Runs falconctl with argv (without node and script) and returns the exit status. */
export async function main(argv: readonly string[], out?: Output): Promise<number> {
  // Global options come before the command (as with ip); the rest belongs to it.
  const { options: globalWords, rest } = splitAtPositional(argv, GLOBAL_OPTIONS);
  let globals: Parsed | undefined;
  let globalError: unknown;
  try {
    globals = parseArgs(globalWords, GLOBAL_OPTIONS);
  } catch (err) {
    globalError = err;
  }
  const flag = (name: string): boolean => (globals ? hasOption(globals, name) : globalWords.some((w) => w === `--${name}`));
  const output = out ?? processOutput(flag('json') || globalWords.includes('-j'), flag('pretty'));
  const session = new Session(output, flag('mock'));
  const progress: Progress = {};
  let status: number;
  try {
    const helpAsked = helpRequested(globalWords, GLOBAL_OPTIONS);
    if (helpAsked || (rest[0] !== undefined && findCommand(rest[0]) !== undefined && helpRequested(rest.slice(1), findCommand(rest[0])?.options ?? []))) {
      // Help wins over everything else on the line, mistakes included.
      await dispatch(rest, session, progress, helpAsked);
      status = 0;
    } else if (globalError !== undefined || globals === undefined) {
      throw globalError;
    } else if (hasOption(globals, 'version')) {
      output.write(`falconctl ${falconctlVersion()}\n`);
      status = 0;
    } else if (hasOption(globals, 'batch')) {
      if (rest.length) throw new UsageError(`--batch takes no command (the commands are in the file), got "${rest[0] as string}"`);
      status = await runBatch(stringOption(globals, 'batch') as string, hasOption(globals, 'force'), session);
    } else if (hasOption(globals, 'force')) {
      throw new UsageError('--force goes with --batch');
    } else if (rest.length === 0) {
      output.writeErr(mainHelp(COMMANDS, GLOBAL_OPTIONS));
      status = 1;
    } else {
      await dispatch(rest, session, progress, false);
      status = 0;
    }
  } catch (err) {
    report(output, err, progress);
    status = statusOf(err);
  } finally {
    try {
      await session.close();
    } catch {
      /* the answer is out; closing cannot change it */
    }
  }
  return output.failure?.() !== undefined ? Math.max(status, 2) : status;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // stdout may fail after main is done (the write was queued): output.ts then sets 2 itself.
      process.exitCode = stdoutFailure() !== undefined ? Math.max(code, 2) : code;
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${String(err)}.\n`);
      process.exitCode = 2;
    },
  );
}
