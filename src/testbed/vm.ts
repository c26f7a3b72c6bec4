/**
 * Boots the testbed VM once and runs a command (or a shell) inside it.
 * This is the programmatic API behind `falcon-testbed run|shell`.
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConsoleSplitter } from './console';
import { ExitCode, SETUP_HINT, TestbedError } from './errors';
import { binWrapper, envScript, GUEST_PATH, Marker, runScript } from './guest-init';
import { ensureInitramfs } from './initramfs';
import { builtModule, discoverKernel, KernelInfo, readVermagic } from './kernel';
import { packageBins, projectRoot } from './project';
import { Accel, TcgThreads, findQemu, kernelCmdline, kvmAvailable, qemuArgs } from './qemu';
import { releaseDir, trackChild, trackDir } from './reaper';
import { findSplats, Splat } from './splat';

export interface RunOptions {
  /** Command and arguments run in the guest (through the chroot's PATH). Ignored for `shell`. */
  command?: readonly string[];
  /** `shell` gives an interactive shell on the console (host stdin goes to the guest). Default `run`. */
  mode?: 'run' | 'shell';
  /** vCPUs; default 2. */
  cpus?: number;
  /** Guest memory in MiB; default 1024. */
  memoryMb?: number;
  /** Default `tcg`. `kvm` falls back to TCG with a message when KVM is unusable or the boot stalls. */
  accel?: Accel;
  /** TCG threading (see TcgThreads); default 'multi'. Correctness suites use 'single'. */
  tcgThreads?: TcgThreads;
  /** Hard limit for the whole run, boot included, in seconds; default 900. */
  timeoutS?: number;
  /** Host dir mounted writable at the same path in the guest ($FALCON_RESULTS); default <project>/results. */
  resultsDir?: string;
  /**
   * Module to insmod before the command: a path, `false` for none.
   * Default `<project>/kernel/build/<booted kernel>/falcon.ko`.
   */
  module?: string | false;
  /** Working directory of the command; default process.cwd(). */
  cwd?: string;
  /** Extra environment for the command (PATH, HOME, FALCON_RESULTS are set by the testbed). */
  env?: Readonly<Record<string, string>>;
  /** Kernel version to boot; default: newest with modules (env FALCON_TESTBED_KVER). */
  kernelVersion?: string;
  /**
   * Extra kernel command-line options. `maxcpus=2` with `cpus: 64` boots a
   * guest with 64 possible CPUs (nr_cpu_ids) of which 2 run: QEMU's
   * hotpluggable CPUs (-smp maxcpus) are not possible CPUs to 6.12, and
   * possible_cpus= is gone from x86 there.
   */
  kernelArgs?: readonly string[];
  /** Where the console output goes live; `null` keeps it quiet. Default process.stdout. */
  output?: NodeJS.WritableStream | null;
  /** Where testbed messages (fallbacks, splats, failures) go. Default process.stderr; `null` = quiet. */
  messages?: NodeJS.WritableStream | null;
  /** Show the boot log too (normally only output after the command starts). */
  verbose?: boolean;
}

export interface RunResult {
  /**
   * What `falcon-testbed run` exits with: the command's exit code, or 3 for a
   * splat, 124 for a timeout, 125 when the VM died without reporting, 4 when
   * the guest could not set up (module load failed, ...).
   */
  exitCode: number;
  /** The command's own exit code, when the guest reported one. */
  commandExitCode: number | undefined;
  splats: Splat[];
  /** The whole console log (boot included), CR removed. */
  log: string;
  timedOut: boolean;
  /** Guest-side setup failure message, if any. */
  failure: string | undefined;
  accel: Accel;
  /** Seconds from QEMU start to the command start marker, if reached. */
  bootSeconds: number | undefined;
}

/** Exit code when the guest could not get as far as running the command. */
export const GUEST_SETUP_FAILED = 4;

const KVM_BOOT_WATCHDOG_S = 30;

function say(stream: NodeJS.WritableStream | null, text: string): void {
  if (stream !== null) stream.write(`falcon-testbed: ${text}\n`);
}

/** Checks everything the run needs on the host, with errors that name the fix. */
export function preflight(opts: RunOptions): { kernel: KernelInfo; module: string | undefined; qemu: string; setpriv: string } {
  const { qemu, setpriv } = findQemu();
  const kernel = discoverKernel(opts.kernelVersion ?? process.env['FALCON_TESTBED_KVER']);
  let module: string | undefined;
  if (opts.module !== false) {
    module = path.resolve(opts.module ?? builtModule(projectRoot(), kernel.version));
    if (kernel.headersDir === undefined) {
      throw new TestbedError(`kernel headers for ${kernel.version} not found (/usr/src/linux-headers-${kernel.version}); ${SETUP_HINT}`);
    }
    if (!fs.existsSync(module)) {
      throw new TestbedError(`module ${module} not built; run 'make -C kernel KVER=${kernel.version}' (or 'npm run build'; first time: 'npm run setup')`);
    }
    const vermagic = readVermagic(module);
    if (vermagic !== undefined && vermagic.split(' ')[0] !== kernel.version) {
      throw new TestbedError(
        `module ${module} was built for kernel ${vermagic.split(' ')[0]} but the testbed boots ${kernel.version}; rebuild with 'make -C kernel KVER=${kernel.version}'`,
      );
    }
  }
  return { kernel, module, qemu, setpriv };
}

/** Directories the guest covers with tmpfs: a host path below them is invisible there. */
const GUEST_TMPFS = ['/tmp', '/run', '/var/tmp', '/proc', '/sys', '/dev'];

/** True when `p` is `dir` or below it. */
function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + '/');
}

/**
 * The project root when it lies under a directory the guest covers with a
 * tmpfs (/tmp, /run, /var/tmp): the guest binds it back on top.
 */
function projectToKeep(): string | undefined {
  const root = projectRoot();
  return ['/tmp', '/run', '/var/tmp'].some((d) => isUnder(root, d)) ? root : undefined;
}

function checkVisible(what: string, p: string): void {
  const keep = projectToKeep();
  if (keep !== undefined && isUnder(p, keep)) return;
  for (const d of GUEST_TMPFS) {
    if (isUnder(p, d)) {
      throw new TestbedError(`${what} ${p} is under ${d}, which the guest covers with its own mount; use a directory elsewhere`);
    }
  }
}

/**
 * Boots the VM, runs the command, powers off. Never rejects for guest-side
 * problems (those are in the result); rejects with TestbedError for host-side
 * setup problems (missing qemu, kernel, module...).
 */
export async function runInVm(opts: RunOptions = {}): Promise<RunResult> {
  const mode = opts.mode ?? 'run';
  const command = opts.command ?? [];
  if (mode === 'run' && command.length === 0) throw new TestbedError('no command given', ExitCode.usage);
  const pre = preflight(opts);
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  checkVisible('working directory', cwd);
  if (pre.module !== undefined) checkVisible('module', pre.module);
  const resultsDir = path.resolve(opts.resultsDir ?? path.join(projectRoot(), 'results'));
  fs.mkdirSync(resultsDir, { recursive: true });
  const initramfs = ensureInitramfs({ modulesDir: pre.kernel.modulesDir });

  removeStaleRunDirs();
  const runDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), RUN_DIR_PREFIX)));
  trackDir(runDir);
  fs.writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
  try {
    writeRunDir(runDir, { mode, command, cwd, module: pre.module, resultsDir, env: opts.env ?? {} });
    let accel: Accel = opts.accel ?? 'tcg';
    const messages = opts.messages === undefined ? process.stderr : opts.messages;
    if (accel === 'kvm' && !kvmAvailable()) {
      say(messages, 'KVM requested but /dev/kvm is not usable here; falling back to TCG (slower)');
      accel = 'tcg';
    }
    for (;;) {
      const r = await boot(opts, pre, initramfs.path, runDir, resultsDir, accel, messages);
      if (r === 'kvm-stalled') {
        say(messages, `KVM boot made no progress in ${KVM_BOOT_WATCHDOG_S} s; falling back to TCG (slower)`);
        accel = 'tcg';
        continue;
      }
      return r;
    }
  } finally {
    releaseDir(runDir);
  }
}

const RUN_DIR_PREFIX = 'falcon-testbed-';

/**
 * A host process killed with SIGKILL cannot remove its run dir (its VM dies
 * with it through pdeathsig): the next run removes dirs whose owner is gone.
 */
function removeStaleRunDirs(): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(RUN_DIR_PREFIX));
  } catch {
    return;
  }
  for (const n of names) {
    const dir = path.join(os.tmpdir(), n);
    let pid: number;
    try {
      pid = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // not ours, or still being created
    }
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function writeRunDir(
  dir: string,
  run: { mode: 'run' | 'shell'; command: readonly string[]; cwd: string; module: string | undefined; resultsDir: string; env: Readonly<Record<string, string>> },
): void {
  const root = projectRoot();
  const binDir = path.join(dir, 'bin');
  fs.mkdirSync(binDir);
  for (const [name, script] of Object.entries(packageBins())) {
    fs.writeFileSync(path.join(binDir, name), binWrapper(process.execPath, path.join(root, script)), { mode: 0o755 });
  }
  const env: Record<string, string> = {
    PATH: GUEST_PATH,
    HOME: '/tmp/home',
    TERM: run.mode === 'shell' ? process.env['TERM'] ?? 'linux' : 'dumb',
    LANG: 'C.UTF-8',
    FALCON_TESTBED: '1',
    FALCON_RESULTS: run.resultsDir,
    FALCON_PROJECT: root,
    ...(process.env['CI'] !== undefined ? { CI: process.env['CI'] } : {}),
    ...run.env,
  };
  fs.writeFileSync(path.join(dir, 'env.sh'), envScript(env));
  fs.writeFileSync(
    path.join(dir, 'run.sh'),
    runScript({ mode: run.mode, cwd: run.cwd, command: run.command, module: run.module, results: run.resultsDir, keep: projectToKeep(), env }),
  );
}

function boot(
  opts: RunOptions,
  pre: ReturnType<typeof preflight>,
  initramfs: string,
  runDir: string,
  resultsDir: string,
  accel: Accel,
  messages: NodeJS.WritableStream | null,
): Promise<RunResult | 'kvm-stalled'> {
  const mode = opts.mode ?? 'run';
  const cpus = opts.cpus ?? 2;
  const nonce = randomBytes(6).toString('hex');
  const output = opts.output === undefined ? process.stdout : opts.output;
  const args = qemuArgs({
    accel,
    cpus,
    memoryMb: opts.memoryMb ?? 1024,
    vmlinuz: pre.kernel.vmlinuz,
    initramfs,
    cmdline: kernelCmdline({ runDir, nonce, raiseStallTimeouts: accel === 'tcg' || cpus > os.cpus().length, extra: opts.kernelArgs }),
    resultsDir,
    interactive: mode === 'shell',
    tcgThreads: opts.tcgThreads ?? 'multi',
  });
  const started = Date.now();
  const child = spawn(pre.setpriv, ['--pdeathsig', 'KILL', '--', pre.qemu, ...args], {
    stdio: [mode === 'shell' ? 'inherit' : 'ignore', 'pipe', 'pipe'],
  });
  trackChild(child);

  return new Promise((resolve) => {
    let commandExitCode: number | undefined;
    let failure: string | undefined;
    let booted = false;
    let bootSeconds: number | undefined;
    let timedOut = false;
    let kvmStalled = false;
    let showing = mode === 'shell' || opts.verbose === true;
    let stderr = '';
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const splitter = new ConsoleSplitter(
      nonce,
      (m) => {
        if (m.kind === Marker.booted) booted = true;
        else if (m.kind === Marker.start) {
          bootSeconds = (Date.now() - started) / 1000;
          showing = true;
        } else if (m.kind === Marker.fail) {
          failure = m.payload;
        } else if (m.kind === Marker.exit) {
          commandExitCode = Number(m.payload);
          // What follows is the power-off chatter: keep it in the log only.
          showing = false;
          // The guest is powering off; give it a moment, then make sure.
          setTimeout(kill, 3000).unref();
        }
        if (m.kind === Marker.fail) setTimeout(kill, 3000).unref();
      },
      (text) => {
        if (showing && output !== null) output.write(text);
      },
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => splitter.push(d));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
    });
    const hard = setTimeout(() => {
      timedOut = true;
      kill();
    }, (opts.timeoutS ?? 900) * 1000);
    const watchdog =
      accel === 'kvm'
        ? setTimeout(() => {
            if (!booted) {
              kvmStalled = true;
              kill();
            }
          }, KVM_BOOT_WATCHDOG_S * 1000)
        : undefined;

    child.on('error', (e) => {
      stderr += String(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(hard);
      if (watchdog !== undefined) clearTimeout(watchdog);
      splitter.end();
      if (kvmStalled) return resolve('kvm-stalled');
      const log = splitter.lines.join('\n');
      const splats = findSplats(splitter.lines);
      let exitCode: number;
      if (timedOut) {
        exitCode = ExitCode.timeout;
        say(messages, `timed out after ${opts.timeoutS ?? 900} s; VM killed`);
      } else if (failure !== undefined) {
        exitCode = GUEST_SETUP_FAILED;
        say(messages, `guest setup failed: ${failure}`);
      } else if (commandExitCode === undefined) {
        exitCode = ExitCode.vmLost;
        const why = signal !== null ? `signal ${signal}` : `status ${code}`;
        say(messages, `the VM stopped (${why}) before the command finished${stderr.trim() !== '' ? `; qemu said: ${stderr.trim()}` : ''}`);
      } else {
        exitCode = commandExitCode;
      }
      if (exitCode !== commandExitCode || splats.length > 0) {
        if (!showing && messages !== null && !timedOut) {
          messages.write(`falcon-testbed: last console lines:\n${splitter.lines.slice(-30).join('\n')}\n`);
        }
      }
      if (splats.length > 0) {
        for (const s of splats) say(messages, `kernel splat (${s.kind}):\n${s.text.join('\n')}`);
        say(messages, `${splats.length} kernel splat(s) in the guest log: failing the run`);
        if (exitCode === 0 || exitCode === commandExitCode) exitCode = ExitCode.splat;
      }
      resolve({ exitCode, commandExitCode, splats, log, timedOut, failure, accel, bootSeconds });
    });
  });
}
