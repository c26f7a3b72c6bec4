/**
 * Boots the testbed on every supported kernel (the newest installed 6.1 and
 * 6.12, scripts/kernels.sh): once per kernel to run every in-guest test
 * (dist/test/vm/**), once per kernel with a module that WARNs, to check the
 * splat detector end to end. The kernels' VMs run side by side: each
 * single-threaded TCG guest keeps one host core busy, so two take about the
 * wall time of one.
 *
 * Without qemu, or without one of the kernels, this skips loudly, except
 * under CI, where it fails: a green run that skipped a kernel proves nothing.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Writable } from 'stream';
import { projectRoot, runInVm, RunOptions, RunResult } from '../../src/testbed';
import { builtModule, supportedKernels } from '../../src/testbed/kernel';
import { which, QEMU_BINARY } from '../../src/testbed/qemu';
import { prefixed } from '../prefixed-stream';

const root = projectRoot();
const SERIES = ['6.1', '6.12'] as const;

function skipOrFail(ctx: Mocha.Context, why: string): void {
  if (process.env['CI']) throw new Error(`${why} under CI: run 'npm run setup' first`);
  console.warn(`\n!!! SKIPPING VM TESTS: ${why}. Run 'npm run setup' to install the testbed. !!!\n`);
  ctx.skip();
}

/** Boots one kernel and runs mocha over the in-guest tests matching `spec`, with the boot's other options. */
function runGuestMocha(version: string, spec: string, tag: string, opts: Partial<RunOptions>): Promise<RunResult> {
  const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  return runInVm({
    cwd: root,
    kernelVersion: version,
    // Correctness, not speed: QEMU 7.2's multi-threaded TCG can hang the
    // guest when a static key is patched under traffic (reproduced without
    // Falcon; see TcgThreads). Experiments keep multi-threaded TCG.
    tcgThreads: 'single',
    output: prefixed(tag, process.stdout),
    messages: prefixed(tag, process.stderr),
    // One node process for every test of the boot: node over 9p is slow to start.
    command: [process.execPath, mocha, '--no-config', '--no-package', '--timeout', '120000', '--recursive', spec],
    ...opts,
  });
}

/** The in-guest suite (test/vm/**) on one kernel. */
function runSuite(version: string): Promise<RunResult> {
  return runGuestMocha(version, 'dist/test/vm/**/*.test.js', version, {
    // The datapath tests steer one flow's three stages onto CPUs 1-3.
    cpus: 4,
    timeoutS: 2400,
    // FALCON_FULL=1 npm test runs the reliability suite at full size.
    env: process.env['FALCON_FULL'] === '1' ? { FALCON_FULL: '1' } : {},
  });
}

/** The tests that need a guest with many possible CPUs (test/vm-wide/**): a boot of their own. */
function runWide(version: string): Promise<RunResult> {
  return runGuestMocha(version, 'dist/test/vm-wide/**/*.test.js', `${version} wide`, {
    // 64 possible CPUs (nr_cpu_ids), 2 of them running: what 6.12 honours
    cpus: 64,
    kernelArgs: ['maxcpus=2'],
    memoryMb: 2048,
    timeoutS: 900,
  });
}

/** A boot that loads the deliberately WARNing module: the run must fail with exit 3 and print the splat. */
async function runSplat(version: string): Promise<{ r: RunResult; messages: string }> {
  execFileSync('make', ['-s', '-C', 'kernel', `KVER=${version}`, `MODDIR=${path.join(root, 'test/vm/splat-module')}`], { cwd: root, stdio: 'pipe' });
  let messages = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      messages += chunk.toString('utf8');
      done();
    },
  });
  const r = await runInVm({
    cwd: root,
    kernelVersion: version,
    timeoutS: 300,
    module: builtModule(root, version, 'test/vm/splat-module', 'falcon_splat.ko'),
    command: ['true'],
    output: null,
    messages: sink,
  });
  return { r, messages };
}

describe('testbed VM', function () {
  this.timeout(2_700_000);
  const kernels = supportedKernels();
  const suites = new Map<string, Promise<RunResult>>();

  before(function () {
    if (which(QEMU_BINARY) === undefined) return skipOrFail(this, `${QEMU_BINARY} not found`);
    const missing = SERIES.filter((s) => kernels[s] === undefined);
    if (missing.length > 0) {
      if (process.env['CI']) throw new Error(`kernel series ${missing.join(', ')} not installed under CI: run 'npm run setup' first`);
      console.warn(`\n!!! VM TESTS SKIP KERNEL SERIES ${missing.join(', ')}: not installed (npm run setup installs both) !!!\n`);
    }
  });

  /** A kernel's suite run; the first call starts every kernel's, so the VMs run side by side. */
  function suiteOf(version: string): Promise<RunResult> {
    if (suites.size === 0) {
      for (const v of Object.values(kernels)) {
        const p = runSuite(v);
        p.catch(() => undefined); // awaited (and reported) by its own test
        suites.set(v, p);
      }
    }
    return suites.get(version) as Promise<RunResult>;
  }

  for (const series of SERIES) {
    it(`runs the in-guest tests (test/vm/**) on ${series} with the module loaded, without a splat`, async function () {
      const v = kernels[series];
      if (v === undefined) return this.skip();
      const r = await suiteOf(v);
      assert.deepStrictEqual(r.splats.map((s) => s.text.join('\n')), [], `kernel ${v}: no splat`);
      assert.strictEqual(r.exitCode, 0, `kernel ${v}: in-guest mocha failed (see its [${v}] output above)`);
    });
  }

  it('runs the many-possible-CPUs tests (test/vm-wide/**) on every kernel, without a splat', async function () {
    const versions = Object.values(kernels);
    if (versions.length === 0) return this.skip();
    const runs = await Promise.all(versions.map(runWide));
    for (const [i, r] of runs.entries()) {
      assert.deepStrictEqual(r.splats.map((s) => s.text.join('\n')), [], `kernel ${versions[i]}: no splat`);
      assert.strictEqual(r.exitCode, 0, `kernel ${versions[i]}: in-guest mocha failed (see its output above)`);
    }
  });

  it('fails a run whose guest logs a WARNING, and prints it (every kernel)', async function () {
    const versions = Object.values(kernels);
    if (versions.length === 0) return this.skip();
    const runs = await Promise.all(versions.map(runSplat));
    for (const [i, { r, messages }] of runs.entries()) {
      const v = versions[i];
      assert.strictEqual(r.commandExitCode, 0, `${v}: the command ran`);
      assert.strictEqual(r.exitCode, 3, `${v}: a splat fails the run`);
      assert.ok(r.splats.length >= 1, `${v}: the splat is found`);
      assert.match(messages, /falcon-testbed deliberate splat/);
      assert.match(messages, /WARNING: CPU: \d+ PID: \d+/);
    }
  });
});
