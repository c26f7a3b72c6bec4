/**
 * The Debian package, end to end on this host: builds falcon-dkms
 * (scripts/package-deb.sh, `npm run package`), installs it with apt-get,
 * checks that dkms built and installed falcon.ko for both supported kernels
 * (scripts/kernels.sh), boots the testbed once per kernel WITHOUT the
 * project's module (the guest uses the host's /lib/modules, so `modprobe
 * falcon` must find the dkms build) and runs a smoke test there, then purges
 * the package and checks that nothing is left.
 *
 * It changes the host: while the package is installed, any testbed guest
 * could load the dkms build instead of the module under test. So it runs last
 * in `npm test`, and it purges on every exit path: its own test, an `after`
 * hook (a failed assertion, a VM timeout), and SIGINT/SIGTERM/SIGHUP or the
 * process exiting early. (A SIGKILL of mocha is the one path that cannot
 * purge: then run `dpkg --purge falcon-dkms`.)
 *
 * Without root, dpkg, dkms, qemu or one of the kernels, this skips loudly,
 * except under CI, where it fails.
 */
import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { projectRoot, runInVm, RunResult } from '../../src/testbed';
import { which, QEMU_BINARY } from '../../src/testbed/qemu';

const root = projectRoot();
const PKG = 'falcon-dkms';
const VERSION = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const DEB = path.join(root, 'dist', 'deb', `${PKG}_${VERSION}_all.deb`);
const SRC_DIR = `/usr/src/falcon-${VERSION}`;
const DKMS_STATE = '/var/lib/dkms/falcon';

interface Ran {
  code: number | null;
  out: string;
}

/** Runs a command, output collected (stdout and stderr together); never rejects for a non-zero exit. */
function run(cmd: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function indent(text: string): string {
  return text.trimEnd().replace(/^/gm, '    ');
}

/** dpkg's view of the package: 'ii ' when installed, undefined when dpkg has no record (purged). */
function dpkgStatus(): string | undefined {
  try {
    const s = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', PKG], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return s === '' || s.startsWith('un') || s.startsWith('pn') ? undefined : s;
  } catch {
    return undefined;
  }
}

function dkmsStatus(): string {
  return execFileSync('dkms', ['status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `dkms status` lines about falcon. */
function falconDkmsLines(): string[] {
  return dkmsStatus()
    .split('\n')
    .filter((l) => /^falcon[/,]/.test(l));
}

/** Every falcon.ko* below /lib/modules/<any>/updates. */
function updatesModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^falcon\.ko(\..*)?$/.test(e.name)) found.push(p);
    }
  };
  for (const k of fs.readdirSync('/lib/modules')) walk(path.join('/lib/modules', k, 'updates'));
  return found;
}

/** Directories below /lib/modules/<any>/updates (to check the purge leaves none it did not find). */
function updatesDirs(): string[] {
  const dirs: string[] = [];
  for (const k of fs.readdirSync('/lib/modules')) {
    const u = path.join('/lib/modules', k, 'updates');
    if (!fs.existsSync(u)) continue;
    dirs.push(u);
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) {
          dirs.push(path.join(d, e.name));
          walk(path.join(d, e.name));
        }
      }
    };
    walk(u);
  }
  return dirs.sort();
}

/**
 * Purges the package if dpkg knows it, synchronously (usable from 'exit' and
 * signal handlers). Through apt-get, which waits for dpkg's lock: a signal
 * can arrive while this test's own apt-get install still holds it. Returns
 * the output, or undefined when there was nothing to purge.
 */
function purgeSync(): string | undefined {
  if (dpkgStatus() === undefined) return undefined;
  try {
    return execFileSync('apt-get', ['purge', '-y', '-o', 'DPkg::Lock::Timeout=600', PKG], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `apt-get purge ${PKG} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

/** While the package may be installed: purge on a signal or an early exit of the process. */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let guardsOn = false;
function onExit(): void {
  const out = purgeSync();
  if (out !== undefined) process.stderr.write(`dkms-package test: purged ${PKG} on exit\n${out}`);
}
function onSignal(sig: NodeJS.Signals): void {
  onExit();
  guardsOff();
  process.kill(process.pid, sig);
}
function guardsOnNow(): void {
  if (guardsOn) return;
  guardsOn = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}
function guardsOff(): void {
  if (!guardsOn) return;
  guardsOn = false;
  process.removeListener('exit', onExit);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** The package's inputs: a dist/deb package older than any of them is rebuilt. */
function newestInput(): number {
  const files = [path.join(root, 'package.json'), path.join(root, 'scripts', 'package-deb.sh')];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(root, 'kernel', 'build')) walk(p);
      } else files.push(p);
    }
  };
  walk(path.join(root, 'kernel'));
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

/** Prefixes every line with a tag, so two VMs' interleaved consoles stay readable. */
function prefixed(tag: string, to: NodeJS.WritableStream): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) to.write(`[${tag}] ${l}\n`);
      done();
    },
    final(done) {
      if (partial !== '') to.write(`[${tag}] ${partial}\n`);
      done();
    },
  });
}

/**
 * The guest's smoke test: nothing loaded before, `modprobe falcon` loads the
 * dkms build from the host's /lib/modules, a genl request of each kind works
 * (status, attach, a dump, detach), and the module unloads. Lines that start
 * with SMOKE- are parsed by the host.
 */
const SMOKE = `
set -eu
test ! -d /sys/module/falcon || { echo "SMOKE-FAIL falcon loaded before modprobe"; exit 10; }
modprobe falcon
test -d /sys/module/falcon || { echo "SMOKE-FAIL /sys/module/falcon missing after modprobe"; exit 11; }
echo "SMOKE-MODPATH $(modinfo -n falcon)"
echo "SMOKE-STATUS $(node dist/src/cli/falconctl.js -j status | tr -d '\\n')"
node dist/src/cli/falconctl.js attach lo
echo "SMOKE-DEVICES $(node dist/src/cli/falconctl.js -j devices | tr -d '\\n')"
node dist/src/cli/falconctl.js detach lo
modprobe -r falcon
test ! -d /sys/module/falcon || { echo "SMOKE-FAIL falcon still loaded after modprobe -r"; exit 12; }
echo SMOKE-DONE
`;

function smokeLine(log: string, tag: string): string | undefined {
  const m = new RegExp(`^SMOKE-${tag} (.*)$`, 'm').exec(log);
  return m?.[1];
}

function skipOrFail(ctx: Mocha.Context, why: string): void {
  if (process.env['CI']) throw new Error(`${why} under CI: run 'npm run setup' first (as root)`);
  console.warn(`\n!!! SKIPPING THE DEBIAN PACKAGE TEST: ${why}. It needs root, dpkg, dkms, qemu and both kernels (npm run setup). !!!\n`);
  ctx.skip();
}

describe(`Debian package ${PKG} (dkms), installed on this host`, function () {
  this.timeout(1_800_000);
  let kernels: string[] = [];
  let updatesBefore: string[] = [];
  let installAttempted = false;
  let installed = false;

  before(function () {
    if (process.getuid?.() !== 0) return skipOrFail(this, 'not root (dpkg -i needs it)');
    for (const tool of ['dpkg', 'dpkg-deb', 'apt-get', 'dkms']) {
      if (which(tool) === undefined) return skipOrFail(this, `${tool} not found (apt-get install dkms)`);
    }
    if (which(QEMU_BINARY) === undefined) return skipOrFail(this, `${QEMU_BINARY} not found`);
    kernels = execFileSync('bash', [path.join(root, 'scripts', 'kernels.sh')], { encoding: 'utf8' }).split('\n').filter((k) => k !== '');
    for (const series of ['6.1', '6.12']) {
      if (!kernels.some((k) => k.startsWith(`${series}.`) || k.startsWith(`${series}-`))) {
        return skipOrFail(this, `no ${series} kernel installed (scripts/kernels.sh)`);
      }
    }
    for (const k of kernels) {
      if (!fs.existsSync(`/lib/modules/${k}/build/Makefile`)) return skipOrFail(this, `no headers for ${k} (linux-headers-${k})`);
    }
    // A host that already has a falcon build in /lib/modules would make this
    // test's checks meaningless (and its purge would remove someone's setup).
    const before = falconDkmsLines();
    if (before.length > 0 || dpkgStatus() !== undefined) {
      throw new Error(`falcon is already known to dkms or dpkg here (dkms status: ${before.join('; ') || 'none'}; dpkg: ${dpkgStatus() ?? 'none'}): run 'dpkg --purge ${PKG}' or 'dkms remove falcon/${VERSION} --all' first`);
    }
    const stray = updatesModules();
    if (stray.length > 0) {
      throw new Error(`falcon.ko already installed outside dkms (${stray.join(', ')}; 'make -C kernel install'?): remove it and run depmod first`);
    }
    updatesBefore = updatesDirs();
  });

  after(function () {
    // Every path: a failed assertion or a timed-out VM must not leave the
    // dkms build where later guests would load it. (Only what this test
    // installed: a host where the package was there before fails in `before`.)
    if (!installAttempted) return;
    const out = purgeSync();
    if (out !== undefined) console.log(`  after hook: purged ${PKG}\n${indent(out)}`);
    guardsOff();
  });

  it(`builds dist/deb/${PKG}_${VERSION}_all.deb with the module's sources, root-owned, lintian-clean`, async function () {
    const fresh = fs.existsSync(DEB) && fs.statSync(DEB).mtimeMs > newestInput();
    if (!fresh) {
      const r = await run('bash', [path.join(root, 'scripts', 'package-deb.sh')]);
      assert.strictEqual(r.code, 0, `scripts/package-deb.sh failed:\n${r.out}`);
    }
    assert.ok(fs.existsSync(DEB), `${DEB} built`);

    const field = (name: string): string => execFileSync('dpkg-deb', ['-f', DEB, name], { encoding: 'utf8' }).trim();
    assert.strictEqual(field('Package'), PKG);
    assert.strictEqual(field('Version'), VERSION);
    assert.strictEqual(field('Architecture'), 'all');
    assert.match(field('Depends'), /(^|, )dkms\b/);
    assert.strictEqual(field('Section'), 'kernel');

    // One line per member: "-rw-r--r-- root/root 383 2026-12-01 04:47 ./usr/src/falcon-0.1.0/Kbuild"
    const listing = execFileSync('dpkg-deb', ['-c', DEB], { encoding: 'utf8' }).trim().split('\n');
    const members = new Map<string, { mode: string; owner: string }>();
    for (const l of listing) {
      const m = /^(\S+)\s+(\S+)\s+\d+\s+\S+\s+\S+\s+\.(\/.*?)\/?$/.exec(l);
      assert.ok(m !== null, `dpkg-deb -c line: ${l}`);
      members.set(m[3] as string, { mode: m[1] as string, owner: m[2] as string });
    }
    for (const [p, { mode, owner }] of members) {
      assert.strictEqual(owner, 'root/root', `${p} owned by root`);
      assert.ok(mode === 'drwxr-xr-x' || mode === '-rw-r--r--', `${p}: mode ${mode} (0755 directories, 0644 files)`);
    }
    const kernelFiles = fs
      .readdirSync(path.join(root, 'kernel'))
      .filter((f) => (/\.[ch]$/.test(f) && !f.endsWith('.mod.c')) || f === 'Kbuild' || f === 'dkms.conf');
    for (const f of [...kernelFiles, 'include/uapi/linux/falcon.h']) assert.ok(members.has(`${SRC_DIR}/${f}`), `${SRC_DIR}/${f} in the package`);
    assert.ok(![...members.keys()].some((p) => p.includes('/build/') || p.endsWith('.ko') || p.endsWith('.o')), 'no build output in the package');
    for (const doc of ['copyright', 'changelog.gz']) assert.ok(members.has(`/usr/share/doc/${PKG}/${doc}`), `/usr/share/doc/${PKG}/${doc}`);

    if (which('lintian') !== undefined) {
      const l = await run('lintian', ['--tag-display-limit', '0', DEB]);
      const tags = l.out.split('\n').filter((x) => /^[EW]: /.test(x));
      assert.deepStrictEqual(tags, [], `lintian errors or warnings:\n${l.out}`);
    } else {
      console.log('    (lintian not installed: not run)');
    }
  });

  it('installs with apt-get; dkms builds and installs falcon.ko for both kernels', async function () {
    assert.ok(fs.existsSync(DEB), 'the package was built');
    installAttempted = true;
    guardsOnNow();
    const t0 = Date.now();
    const r = await run('apt-get', ['install', '-y', '--no-install-recommends', DEB], { DEBIAN_FRONTEND: 'noninteractive' });
    console.log(`    apt-get install (${Math.round((Date.now() - t0) / 1000)} s):\n${indent(r.out)}`);
    assert.strictEqual(r.code, 0, 'apt-get install succeeded');
    assert.strictEqual(dpkgStatus(), 'ii ', 'dpkg: installed');
    assert.ok(fs.existsSync(path.join(SRC_DIR, 'dkms.conf')), `${SRC_DIR}/dkms.conf`);

    const status = falconDkmsLines();
    console.log(`    dkms status:\n${indent(status.join('\n'))}`);
    for (const k of kernels) {
      assert.ok(
        status.some((l) => l.startsWith(`falcon/${VERSION}, ${k}, `) && /: installed\b/.test(l)),
        `dkms status shows falcon/${VERSION} installed for ${k}:\n${status.join('\n')}`,
      );
      const dir = `/lib/modules/${k}/updates/dkms`;
      const ko = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^falcon\.ko(\..*)?$/.test(f)) : [];
      assert.strictEqual(ko.length, 1, `${dir}/falcon.ko* exists`);
      const dep = fs.readFileSync(`/lib/modules/${k}/modules.dep`, 'utf8');
      assert.match(dep, /^updates\/dkms\/falcon\.ko[^:]*:/m, `depmod ran for ${k}: falcon in modules.dep`);
    }
    installed = true;
  });

  it('boots each kernel without the project module: modprobe loads the dkms build, genl requests work', async function () {
    if (!installed) throw new Error('the package is not installed (see the test above)');
    const runs: RunResult[] = await Promise.all(
      kernels.map((k) =>
        runInVm({
          cwd: root,
          kernelVersion: k,
          module: false,
          cpus: 2,
          timeoutS: 600,
          command: ['sh', '-c', SMOKE],
          output: prefixed(`dkms ${k}`, process.stdout),
          messages: prefixed(`dkms ${k}`, process.stderr),
        }),
      ),
    );
    for (const [i, r] of runs.entries()) {
      const k = kernels[i] as string;
      assert.deepStrictEqual(r.splats.map((s) => s.text.join('\n')), [], `${k}: no splat`);
      assert.strictEqual(r.exitCode, 0, `${k}: the smoke test failed (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}; see its [dkms ${k}] output above)`);
      const modpath = smokeLine(r.log, 'MODPATH');
      assert.match(modpath ?? '', new RegExp(`^/lib/modules/${k.replace(/[.+]/g, '\\$&')}/updates/dkms/falcon\\.ko`), `${k}: modprobe's falcon is the dkms build`);
      const status = JSON.parse(smokeLine(r.log, 'STATUS') ?? 'null') as { enabled?: unknown; nr_cpu_ids?: unknown } | null;
      assert.ok(status !== null && typeof status.enabled === 'boolean' && typeof status.nr_cpu_ids === 'number', `${k}: falconctl -j status answered: ${smokeLine(r.log, 'STATUS')}`);
      const devices = JSON.parse(smokeLine(r.log, 'DEVICES') ?? 'null') as { ifname?: string }[] | null;
      assert.ok(Array.isArray(devices) && devices.some((d) => d.ifname === 'lo'), `${k}: lo attached: ${smokeLine(r.log, 'DEVICES')}`);
      assert.ok(/^SMOKE-DONE$/m.test(r.log), `${k}: the smoke test ran to the end`);
    }
  });

  it('purges cleanly: no dkms state, sources, modules or dpkg record left', async function () {
    if (!installAttempted) return this.skip();
    const r = await run('dpkg', ['--purge', PKG], { DEBIAN_FRONTEND: 'noninteractive' });
    console.log(`    dpkg --purge:\n${indent(r.out)}`);
    guardsOff();
    assert.strictEqual(r.code, 0, 'dpkg --purge succeeded');
    assert.strictEqual(dpkgStatus(), undefined, 'dpkg no longer knows the package');
    assert.deepStrictEqual(falconDkmsLines(), [], 'dkms status has no falcon');
    assert.ok(!fs.existsSync(SRC_DIR), `${SRC_DIR} removed`);
    assert.ok(!fs.existsSync(DKMS_STATE), `${DKMS_STATE} removed`);
    assert.deepStrictEqual(updatesModules(), [], 'no falcon.ko* under /lib/modules/*/updates');
    assert.deepStrictEqual(updatesDirs(), updatesBefore, 'no directory left under /lib/modules/*/updates that was not there before');
    for (const k of kernels) {
      const dep = fs.readFileSync(`/lib/modules/${k}/modules.dep`, 'utf8');
      // (not sfc-falcon.ko, the kernel's own Solarflare driver)
      assert.doesNotMatch(dep, /^(\S*\/)?falcon\.ko[^:\s]*:/m, `${k}: falcon gone from modules.dep`);
    }
  });
});
