/** Command-line grammar of `falcon-testbed`. Pure: no I/O, easy to test. */
import { helpRequested, OptionSpec, parseArgs as parseOptions, parseChoice, parseInteger, UsageError } from '../args/parse';
import { ExitCode, TestbedError } from './errors';
import { Accel, TcgThreads } from './qemu';

export type Parsed =
  | { verb: 'help' }
  | {
      verb: 'run' | 'shell';
      cpus: number | undefined;
      memoryMb: number | undefined;
      accel: Accel | undefined;
      tcgThreads: TcgThreads | undefined;
      timeoutS: number | undefined;
      resultsDir: string | undefined;
      module: string | false | undefined;
      kernelVersion: string | undefined;
      kernelArgs: string[];
      verbose: boolean;
      command: string[];
    };

export const USAGE = `Usage:
  falcon-testbed run [OPTIONS] -- CMD [ARGS...]   boot the VM, run CMD in the host's userland, exit with its code
  falcon-testbed shell [OPTIONS]                  the same VM with an interactive shell (Ctrl-A X quits)

Options:
  --cpus N          vCPUs (default 2)
  --memory MB       guest memory in MiB (default 1024)
  --accel tcg|kvm   accelerator (default tcg; kvm falls back to tcg with a message)
  --tcg-threads multi|single
                    one host thread per vCPU (default) or one for all (no parallelism; immune to
                    QEMU 7.2's MTTCG hang on kernel text patching under traffic)
  --timeout S       hard limit for the whole run in seconds (default 900)
  --results DIR     host dir shared writable at the same path ($FALCON_RESULTS; default ./results of the project)
  --module PATH     module to load instead of kernel/falcon.ko
  --no-module       load no module
  --kernel VER      boot /boot/vmlinuz-VER and load kernel/build/VER/falcon.ko (default: the newest
                    kernel with modules; 'bash scripts/kernels.sh' lists the two Falcon supports,
                    the newest 6.1 and 6.12; build for one with 'make -C kernel KVER=VER')
  --append ARG      add ARG to the guest kernel's command line (repeatable; e.g. --cpus 64 --append maxcpus=2:
                    64 possible CPUs, 2 running)
  -v, --verbose     show the boot log too

Exit status: CMD's, or 3 kernel splat, 4 guest setup failed, 124 timeout, 125 VM died, 2 usage/setup error.`;

/** falcon-testbed's options (the command to run follows them, or `--`). */
export const OPTIONS = [
  { name: 'cpus', value: true, valueName: 'N', description: 'vCPUs (default 2)' },
  { name: 'memory', value: true, valueName: 'MB', description: 'guest memory in MiB (default 1024)' },
  { name: 'accel', value: true, valueName: 'tcg|kvm', description: 'accelerator (default tcg)' },
  { name: 'tcg-threads', value: true, valueName: 'multi|single', description: 'one host thread per vCPU, or one for all' },
  { name: 'timeout', value: true, valueName: 'S', description: 'hard limit for the whole run in seconds (default 900)' },
  { name: 'results', value: true, valueName: 'DIR', description: 'host dir shared writable at the same path' },
  { name: 'module', value: true, valueName: 'PATH', description: 'module to load instead of kernel/falcon.ko' },
  { name: 'no-module', value: false, description: 'load no module' },
  { name: 'kernel', value: true, valueName: 'VER', description: 'boot /boot/vmlinuz-VER' },
  { name: 'append', value: true, multiple: true, valueName: 'ARG', description: "add ARG to the guest kernel's command line" },
  { name: 'verbose', short: 'v', value: false, description: 'show the boot log too' },
  { name: 'help', short: 'h', value: false, description: 'this text' },
] as const satisfies readonly OptionSpec[];

function nonEmpty(opt: string, v: string | undefined): string {
  if (v === undefined || v === '') throw new UsageError(`${opt} needs a value`);
  return v;
}

/** Parses argv (without node and script); a usage error is a TestbedError with ExitCode.usage. */
export function parseArgs(argv: readonly string[]): Parsed {
  try {
    return parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Mistakes in the grammar itself come with the usage text.
    const withUsage = /^(unknown (option|command)|run needs a command)/.test(e.message);
    throw new TestbedError(withUsage ? `${e.message}\n${USAGE}` : e.message, ExitCode.usage);
  }
}

function parse(argv: readonly string[]): Parsed {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') return { verb: 'help' };
  if (verb !== 'run' && verb !== 'shell') throw new UsageError(`unknown command "${verb}"`);
  // Without `--`, the first non-option starts the command.
  if (helpRequested(rest, OPTIONS, { stopAtPositional: true })) return { verb: 'help' };
  const { values: v, positionals: command } = parseOptions(rest, OPTIONS, { stopAtPositional: true });
  const kernelArgs = [...(v.append ?? [])];
  for (const a of kernelArgs) {
    if (a === '' || /\s/.test(a)) throw new UsageError(`--append needs one kernel option without spaces, got "${a}"`);
  }
  const p: Extract<Parsed, { verb: 'run' | 'shell' }> = {
    verb,
    cpus: v.cpus === undefined ? undefined : parseInteger(v.cpus, '--cpus', { min: 1 }),
    memoryMb: v.memory === undefined ? undefined : parseInteger(v.memory, '--memory', { min: 1 }),
    accel: v.accel === undefined ? undefined : parseChoice(v.accel, '--accel', ['tcg', 'kvm']),
    tcgThreads: v['tcg-threads'] === undefined ? undefined : parseChoice(v['tcg-threads'], '--tcg-threads', ['multi', 'single']),
    timeoutS: v.timeout === undefined ? undefined : parseInteger(v.timeout, '--timeout', { min: 1 }),
    resultsDir: v.results === undefined ? undefined : nonEmpty('--results', v.results),
    // --module PATH and --no-module: the later one wins.
    module: moduleChoice(rest, v.module, v['no-module'] === true),
    kernelVersion: v.kernel === undefined ? undefined : nonEmpty('--kernel', v.kernel),
    kernelArgs,
    verbose: v.verbose === true,
    command: [...command],
  };
  if (p.verb === 'run' && p.command.length === 0) throw new UsageError('run needs a command after --');
  if (p.verb === 'shell' && p.command.length > 0) throw new UsageError('shell takes no command; use run');
  return p;
}

function moduleChoice(argv: readonly string[], module: string | undefined, noModule: boolean): string | false | undefined {
  if (module !== undefined) nonEmpty('--module', module);
  if (!noModule) return module;
  if (module === undefined) return false;
  const last = (name: string): number => argv.reduce((at, a, i) => (a === name || a.startsWith(`${name}=`) ? i : at), -1);
  return last('--no-module') > last('--module') ? false : module;
}
