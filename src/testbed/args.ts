/** Command-line grammar of `falcon-testbed`. Pure: no I/O, easy to test. */
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

function positiveInt(opt: string, v: string | undefined): number {
  if (v === undefined || !/^[1-9]\d*$/.test(v)) throw new TestbedError(`${opt} needs a positive integer, got '${v ?? ''}'`, ExitCode.usage);
  return Number(v);
}

export function parseArgs(argv: readonly string[]): Parsed {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') return { verb: 'help' };
  if (verb !== 'run' && verb !== 'shell') throw new TestbedError(`unknown command '${verb}'\n${USAGE}`, ExitCode.usage);
  const p: Extract<Parsed, { verb: 'run' | 'shell' }> = {
    verb,
    cpus: undefined,
    memoryMb: undefined,
    accel: undefined,
    tcgThreads: undefined,
    timeoutS: undefined,
    resultsDir: undefined,
    module: undefined,
    kernelVersion: undefined,
    kernelArgs: [],
    verbose: false,
    command: [],
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    // --opt=value is accepted too.
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const opt = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (eq > 0 ? a.slice(eq + 1) : rest[++i]);
    switch (opt) {
      case '--':
        p.command = rest.slice(i + 1);
        i = rest.length;
        break;
      case '--cpus':
        p.cpus = positiveInt(opt, value());
        break;
      case '--memory':
        p.memoryMb = positiveInt(opt, value());
        break;
      case '--timeout':
        p.timeoutS = positiveInt(opt, value());
        break;
      case '--accel': {
        const v = value();
        if (v !== 'tcg' && v !== 'kvm') throw new TestbedError(`--accel must be tcg or kvm, got '${v ?? ''}'`, ExitCode.usage);
        p.accel = v;
        break;
      }
      case '--tcg-threads': {
        const v = value();
        if (v !== 'multi' && v !== 'single') throw new TestbedError(`--tcg-threads must be multi or single, got '${v ?? ''}'`, ExitCode.usage);
        p.tcgThreads = v;
        break;
      }
      case '--results':
      case '--module':
      case '--kernel': {
        const v = value();
        if (v === undefined || v === '') throw new TestbedError(`${opt} needs a value`, ExitCode.usage);
        if (opt === '--results') p.resultsDir = v;
        else if (opt === '--module') p.module = v;
        else p.kernelVersion = v;
        break;
      }
      case '--append': {
        const v = value();
        if (v === undefined || v === '' || /\s/.test(v)) throw new TestbedError(`--append needs one kernel option without spaces, got '${v ?? ''}'`, ExitCode.usage);
        p.kernelArgs.push(v);
        break;
      }
      case '--no-module':
        p.module = false;
        break;
      case '-v':
      case '--verbose':
        p.verbose = true;
        break;
      case '-h':
      case '--help':
        return { verb: 'help' };
      default:
        if (a.startsWith('-')) throw new TestbedError(`unknown option '${a}'\n${USAGE}`, ExitCode.usage);
        // Without `--`, the first non-option starts the command.
        p.command = rest.slice(i);
        i = rest.length;
    }
  }
  if (p.verb === 'run' && p.command.length === 0) throw new TestbedError(`run needs a command after --\n${USAGE}`, ExitCode.usage);
  if (p.verb === 'shell' && p.command.length > 0) throw new TestbedError('shell takes no command; use run', ExitCode.usage);
  return p;
}
