#!/usr/bin/env node
// falconctl: the shell front end of the Falcon SDK. The subcommand table
// below is the whole entry point; each command lives in its group's file.
// Exit 0 on success, 1 on a usage error, 2 when the kernel (or the mock)
// refused, or the module is not there. Never a stack trace, never a silent
// fall back to the mock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODULE_NOT_LOADED_MESSAGE, openFalcon } from '../index';
import type { Falcon } from '../api/types';
import { parseArgs, UsageError } from './args';
import type { Command } from './command';
import * as config from './config-commands';
import * as configFile from './config-file-commands';
import * as devices from './device-commands';
import { gatherLoadFacts, loadHint } from './load-hint';
import * as stats from './stats-commands';
import { CliFailure, Output, printError, processOutput } from './output';

/** Every subcommand, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  config.status, config.enable, config.disable, config.set,
  devices.attach, devices.detach, devices.devices, stats.stats, devices.pick,
  stats.pin, stats.unpin, configFile.apply, configFile.show,
];

const GLOBAL_OPTIONS = [
  { name: 'json', short: 'j', value: false },
  { name: 'pretty', short: 'p', value: false },
  { name: 'mock', value: false },
  { name: 'help', short: 'h', value: false },
  { name: 'version', short: 'V', value: false },
] as const;


function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function mainHelp(): string {
  const lines = [
    'Usage: falconctl [-j|--json] [-p|--pretty] [--mock] COMMAND [ARGS]',
    '       falconctl COMMAND --help | --help | --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    '',
    'Options:',
    '  -j, --json     JSON output (stable keys); errors as {"error": {...}} on stdout',
    '  -p, --pretty   indent JSON',
    '      --mock     talk to the TypeScript model of the module (a fresh 4-CPU host with the',
    '                 testbed overlay: h1, h2, h1c1, h2c1) instead of falcon.ko',
    '  -h, --help     this help; COMMAND --help for a command',
    '  -V, --version  print the version',
    '',
    'Exit status: 0 success, 1 usage error, 2 refused by the kernel (or module not loaded).',
  ];
  return `${lines.join('\n')}\n`;
}

function commandHelp(c: Command): string {
  const options = ['  -h, --help  this help', ...c.options.map((o) => `  --${o.name}${o.value ? ' <value>' : ''}`)];
  return `Usage: falconctl ${c.usage}\n\n${c.summary}.\n${c.help ? `\n${c.help}\n` : ''}\nOptions:\n${options.join('\n')}\n`;
}

function failureOf(err: unknown): CliFailure {
  const e = err as { code?: unknown; message?: unknown; attribute?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'EIO',
    message: typeof e.message === 'string' ? e.message : String(err),
    attribute: typeof e.attribute === 'string' ? e.attribute : undefined,
  };
}

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

/** Runs falconctl with argv (without node and script) and returns the exit status. */
export async function main(argv: readonly string[], out?: Output): Promise<number> {
  // Global options come before the command (as with ip); the rest belongs to it.
  const firstWord = argv.findIndex((a) => !a.startsWith('-'));
  const globalPart = firstWord < 0 ? argv : argv.slice(0, firstWord);
  const rest = firstWord < 0 ? [] : argv.slice(firstWord);
  let output = out ?? processOutput(argv.includes('-j') || argv.includes('--json'), false);
  let command: Command | undefined;
  try {
    const globals = parseArgs(globalPart, GLOBAL_OPTIONS);
    output = out ?? processOutput(globals.options.has('json'), globals.options.has('pretty'));
    if (globals.options.has('version')) {
      output.write(`falconctl ${version()}\n`);
      return 0;
    }
    const [name, ...args] = rest;
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === args[0]) : undefined;
      if (name === undefined && !globals.options.has('help')) {
        output.writeErr(mainHelp());
        return 1;
      }
      output.write(topic ? commandHelp(topic) : mainHelp());
      return 0;
    }
    command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}" (try falconctl --help)`);
    if (args.includes('--help') || args.includes('-h')) {
      output.write(commandHelp(command));
      return 0;
    }
    const parsed = parseArgs(args, [...command.options]);
    try {
      command.check?.(parsed);
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError(failureOf(err).message);
    }
    const falcon = await open(globals.options.has('mock'));
    try {
      await command.run({ falcon, out: output, args: parsed });
    } finally {
      await falcon.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof configFile.ExitStatus) return err.status;
    if (err instanceof UsageError) {
      printError(output, { code: 'EINVAL', message: err.message });
      if (!output.json) output.writeErr(`Try 'falconctl ${command ? `${command.name} ` : ''}--help'.\n`);
      return 1;
    }
    printError(output, failureOf(err));
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${String(err)}.\n`);
      process.exitCode = 2;
    },
  );
}
