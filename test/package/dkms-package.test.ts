/**
 * The Debian packages, end to end on this host: builds falcon-dkms and
 * falconctl (scripts/package-deb.sh, `npm run package`), installs both with
 * apt-get, checks that dkms built and installed falcon.ko for both supported
 * kernels (scripts/kernels.sh) and that the installed falconctl and
 * falcon.service work on the host (`falconctl --version`, `systemd-analyze
 * verify`, the unit enabled), boots the testbed once per kernel WITHOUT the
 * project's module (the guest uses the host's /lib/modules, so `modprobe
 * falcon` must find the dkms build) and runs a smoke test there through the
 * INSTALLED /usr/bin/falconctl (status, an apply -f / show --config round
 * trip), then purges both packages and checks that nothing is left.
 *
 * It changes the host: while the package is installed, any testbed guest
 * could load the dkms build instead of the module under test. So it runs last
 * in `npm test`, and it purges on every exit path: its own test, an `after`
 * hook (a failed assertion, a VM timeout), and SIGINT/SIGTERM/SIGHUP or the
 * process exiting early. (A SIGKILL of mocha is the one path that cannot
 * purge: then run `dpkg --purge falconctl falcon-dkms`.)
 *
 * Without root, dpkg, dkms, qemu or one of the kernels, this skips loudly,
 * except under CI, where it fails.
 */
import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot, runInVm, RunResult } from '../../src/testbed';
import { which, QEMU_BINARY } from '../../src/testbed/qemu';
import { prefixed } from '../prefixed-stream';

const root = projectRoot();
const PKG = 'falcon-dkms';
const CTL_PKG = 'falconctl';
/** Both packages; falconctl depends on falcon-dkms, so it goes first when they are removed one by one. */
const PKGS = [CTL_PKG, PKG] as const;
const VERSION = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const DEB = path.join(root, 'dist', 'deb', `${PKG}_${VERSION}_all.deb`);
const SRC_DIR = `/usr/src/falcon-${VERSION}`;
const DKMS_STATE = '/var/lib/dkms/falcon';
/** falconctl's package is built for dpkg's architecture (it carries the compiled addon). */
function dpkgArch(): string {
  try {
    return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  } catch {
    return 'amd64';
  }
}
const CTL_DEB = path.join(root, 'dist', 'deb', `${CTL_PKG}_${VERSION}_${dpkgArch()}.deb`);
const CTL_ROOT = '/usr/lib/falcon';
const CTL_BIN = '/usr/bin/falconctl';
const UNIT = '/lib/systemd/system/falcon.service';
const DEFAULTS = '/etc/default/falcon';
const CONF_DIR = '/etc/falcon';
/** What deb-systemd-helper makes when the postinst enables the unit (and when postrm masks it). */
const UNIT_LINKS = [
  '/etc/systemd/system/multi-user.target.wants/falcon.service',
  '/etc/systemd/system/falcon.service',
  '/var/lib/systemd/deb-systemd-helper-enabled/falcon.service.dsh-also',
  '/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/falcon.service',
  '/var/lib/systemd/deb-systemd-helper-masked/falcon.service',
];
/** Every path falconctl installs or its scripts make: none may exist before the test or after the purge. */
const CTL_PATHS = [CTL_ROOT, CTL_BIN, UNIT, DEFAULTS, CONF_DIR, `/usr/share/doc/${CTL_PKG}`, '/usr/share/man/man8/falconctl.8.gz', '/usr/share/bash-completion/completions/falconctl', ...UNIT_LINKS];

/** Exists, as a link too (a dangling enable link counts). */
function present(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

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

/** dpkg's view of a package: 'ii ' when installed, undefined when dpkg has no record (purged). */
function dpkgStatus(pkg: string = PKG): string | undefined {
  try {
    const s = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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
 * Purges the packages dpkg knows (falconctl, falcon-dkms), synchronously
 * (usable from 'exit' and signal handlers). Through apt-get, which waits for
 * dpkg's lock: a signal can arrive while this test's own apt-get install
 * still holds it. Only the packages dpkg has a record of: apt-get refuses the
 * whole command for a name it does not know. Returns the output, or undefined
 * when there was nothing to purge.
 */
function purgeSync(): string | undefined {
  const known = PKGS.filter((p) => dpkgStatus(p) !== undefined);
  if (known.length === 0) return undefined;
  try {
    return execFileSync('apt-get', ['purge', '-y', '-o', 'DPkg::Lock::Timeout=600', ...known], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `apt-get purge ${known.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

/** While the package may be installed: purge on a signal or an early exit of the process. */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let guardsOn = false;
function onExit(): void {
  const out = purgeSync();
  if (out !== undefined) process.stderr.write(`dkms-package test: purged ${PKGS.join(', ')} on exit\n${out}`);
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

/**
 * The guest's smoke test: nothing loaded before, `modprobe falcon` loads the
 * dkms build from the host's /lib/modules, and the INSTALLED falconctl (the
 * package's /usr/bin/falconctl, seen through the host's root; not the
 * checkout's dist/, whose bin is on the guest's PATH too) makes a genl
 * request of each kind: status, an apply of a small file (a config change and
 * an attach), show --config (a dump), devices, detach. Then the module
 * unloads, and the first request loads it again through the genl family's
 * module alias, without modprobe. Lines that start with SMOKE- are parsed by the host.
 */
const SMOKE_CONF = ['set threshold 70', 'attach lo'];
const SMOKE = `
set -eu
test ! -d /sys/module/falcon || { echo "SMOKE-FAIL falcon loaded before modprobe"; exit 10; }
modprobe falcon
test -d /sys/module/falcon || { echo "SMOKE-FAIL /sys/module/falcon missing after modprobe"; exit 11; }
echo "SMOKE-MODPATH $(modinfo -n falcon)"
echo "SMOKE-CTL $(readlink -f ${CTL_BIN})"
echo "SMOKE-STATUS $(${CTL_BIN} -j status | tr -d '\\n')"
printf '%s\\n' '# falcon.conf of the package test' ${SMOKE_CONF.map((l) => `'${l}'`).join(' ')} > /tmp/falcon.conf
${CTL_BIN} apply -f /tmp/falcon.conf
${CTL_BIN} show --config | sed 's/^/SMOKE-CONF /'
echo "SMOKE-DEVICES $(${CTL_BIN} -j devices | tr -d '\\n')"
${CTL_BIN} detach lo
modprobe -r falcon
test ! -d /sys/module/falcon || { echo "SMOKE-FAIL falcon still loaded after modprobe -r"; exit 12; }
# Nothing loaded: the first request's family lookup loads it (genetlink's request_module of the alias)
${CTL_BIN} -j status > /dev/null
test -d /sys/module/falcon || { echo "SMOKE-FAIL the first request did not load falcon through its family alias"; exit 13; }
echo "SMOKE-AUTOLOAD $(modinfo -n falcon)"
modprobe -r falcon
echo SMOKE-DONE
`;

function smokeLine(log: string, tag: string): string | undefined {
  const m = new RegExp(`^SMOKE-${tag} (.*)$`, 'm').exec(log);
  return m?.[1];
}

function smokeLines(log: string, tag: string): string[] {
  return [...log.matchAll(new RegExp(`^SMOKE-${tag} (.*?)\\r?$`, 'gm'))].map((m) => m[1] as string);
}

/** `dpkg-deb -c`, one entry per member: "-rw-r--r-- root/root 383 2026-12-01 04:47 ./usr/src/falcon-0.1.0/Kbuild". */
function members(deb: string): Map<string, { mode: string; owner: string; target?: string }> {
  const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).trim().split('\n');
  const out = new Map<string, { mode: string; owner: string; target?: string }>();
  for (const l of listing) {
    const m = /^(\S+)\s+(\S+)\s+\d+\s+\S+\s+\S+\s+\.(\/.*?)\/?(?: -> (.*))?$/.exec(l);
    assert.ok(m !== null, `dpkg-deb -c line: ${l}`);
    out.set(m[3] as string, { mode: m[1] as string, owner: m[2] as string, ...(m[4] !== undefined ? { target: m[4] } : {}) });
  }
  return out;
}

async function lintianTags(deb: string): Promise<void> {
  if (which('lintian') === undefined) {
    console.log(`    (lintian not installed: not run on ${path.basename(deb)})`);
    return;
  }
  const l = await run('lintian', ['--tag-display-limit', '0', deb]);
  const tags = l.out.split('\n').filter((x) => /^[EW]: /.test(x));
  assert.deepStrictEqual(tags, [], `lintian errors or warnings on ${path.basename(deb)}:\n${l.out}`);
}

function skipOrFail(ctx: Mocha.Context, why: string): void {
  if (process.env['CI']) throw new Error(`${why} under CI: run 'npm run setup' first (as root)`);
  console.warn(`\n!!! SKIPPING THE DEBIAN PACKAGE TEST: ${why}. It needs root, dpkg, dkms, qemu and both kernels (npm run setup). !!!\n`);
  ctx.skip();
}

describe(`Debian packages ${PKG} (dkms) and ${CTL_PKG}, installed on this host`, function () {
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
    const known = PKGS.filter((p) => dpkgStatus(p) !== undefined);
    if (before.length > 0 || known.length > 0) {
      throw new Error(`falcon is already known to dkms or dpkg here (dkms status: ${before.join('; ') || 'none'}; dpkg: ${known.map((p) => `${p} ${dpkgStatus(p) ?? ''}`).join(', ') || 'none'}): run 'dpkg --purge ${PKGS.join(' ')}' or 'dkms remove falcon/${VERSION} --all' first`);
    }
    // falconctl's files installed some other way (by hand from packaging/):
    // the install would conflict, and the purge checks would mean nothing.
    const ctlStray = CTL_PATHS.filter(present);
    if (ctlStray.length > 0) {
      throw new Error(`falconctl's paths exist already (${ctlStray.join(', ')}; installed by hand from packaging/?): remove them first`);
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
    if (out !== undefined) console.log(`  after hook: purged ${PKGS.join(', ')}\n${indent(out)}`);
    guardsOff();
  });

  it(`builds dist/deb/${PKG}_${VERSION}_all.deb with the module's sources, root-owned, lintian-clean`, async function () {
    // Always from this tree (falconctl's JS and addon are built by the script
    // too): a package older than the checkout would test the wrong thing.
    const r = await run('bash', [path.join(root, 'scripts', 'package-deb.sh')]);
    assert.strictEqual(r.code, 0, `scripts/package-deb.sh failed:\n${r.out}`);
    assert.ok(fs.existsSync(DEB), `${DEB} built`);

    const field = (name: string): string => execFileSync('dpkg-deb', ['-f', DEB, name], { encoding: 'utf8' }).trim();
    assert.strictEqual(field('Package'), PKG);
    assert.strictEqual(field('Version'), VERSION);
    assert.strictEqual(field('Architecture'), 'all');
    assert.match(field('Depends'), /(^|, )dkms\b/);
    assert.strictEqual(field('Section'), 'kernel');

    const entries = members(DEB);
    for (const [p, { mode, owner }] of entries) {
      assert.strictEqual(owner, 'root/root', `${p} owned by root`);
      assert.ok(mode === 'drwxr-xr-x' || mode === '-rw-r--r--', `${p}: mode ${mode} (0755 directories, 0644 files)`);
    }
    const kernelFiles = fs
      .readdirSync(path.join(root, 'kernel'))
      .filter((f) => (/\.[ch]$/.test(f) && !f.endsWith('.mod.c')) || f === 'Kbuild' || f === 'dkms.conf');
    for (const f of [...kernelFiles, 'include/uapi/linux/falcon.h']) assert.ok(entries.has(`${SRC_DIR}/${f}`), `${SRC_DIR}/${f} in the package`);
    assert.ok(![...entries.keys()].some((p) => p.includes('/build/') || p.endsWith('.ko') || p.endsWith('.o')), 'no build output in the package');
    for (const doc of ['copyright', 'changelog.gz']) assert.ok(entries.has(`/usr/share/doc/${PKG}/${doc}`), `/usr/share/doc/${PKG}/${doc}`);

    await lintianTags(DEB);
  });

  it(`builds dist/deb/${path.basename(CTL_DEB)}: falconctl, its addon and runtime modules, falcon.service; reproducible, lintian-clean`, async function () {
    assert.ok(fs.existsSync(CTL_DEB), `${CTL_DEB} built (by the test above)`);
    const field = (name: string): string => execFileSync('dpkg-deb', ['-f', CTL_DEB, name], { encoding: 'utf8' }).trim();
    assert.strictEqual(field('Package'), CTL_PKG);
    assert.strictEqual(field('Version'), VERSION);
    assert.strictEqual(field('Architecture'), dpkgArch());
    const depends = field('Depends').split(/,\s*/);
    assert.ok(depends.includes('nodejs (>= 20)'), `Depends has nodejs (>= 20): ${field('Depends')}`);
    assert.ok(depends.includes(`${PKG} (= ${VERSION})`), `Depends has ${PKG} (= ${VERSION}): ${field('Depends')}`);
    assert.ok(depends.some((d) => d.startsWith('libc6')), `Depends has the addon's libc6 (dpkg-shlibdeps): ${field('Depends')}`);

    const entries = members(CTL_DEB);
    const executables = new Set([`${CTL_ROOT}/falconctl-run`, `${CTL_ROOT}/dist/src/cli/falconctl.js`]);
    for (const [p, { mode, owner, target }] of entries) {
      assert.strictEqual(owner, 'root/root', `${p} owned by root`);
      if (p === CTL_BIN) {
        assert.strictEqual(mode, 'lrwxrwxrwx', `${p} is a symlink`);
        assert.strictEqual(target, '../lib/falcon/falconctl-run', `${p} links to the wrapper (so it runs with a Node >= 20)`);
      } else if (executables.has(p)) {
        assert.strictEqual(mode, '-rwxr-xr-x', `${p}: mode ${mode} (0755)`);
      } else {
        assert.ok(mode === 'drwxr-xr-x' || mode === '-rw-r--r--', `${p}: mode ${mode} (0755 directories, 0644 files)`);
      }
    }
    for (const p of [
      `${CTL_ROOT}/package.json`, `${CTL_ROOT}/dist/src/cli/falconctl.js`, `${CTL_ROOT}/dist/src/index.js`,
      `${CTL_ROOT}/dist/src/transport/native.js`, `${CTL_ROOT}/node_modules/bindings/bindings.js`,
      `${CTL_ROOT}/node_modules/file-uri-to-path/index.js`, `${CTL_ROOT}/build/Release/falcon_genl.node`,
      `${CTL_ROOT}/falconctl-run`, CTL_BIN, UNIT, DEFAULTS, CONF_DIR, '/usr/share/man/man8/falconctl.8.gz', '/usr/share/bash-completion/completions/falconctl',
      `/usr/share/doc/${CTL_PKG}/copyright`, `/usr/share/doc/${CTL_PKG}/changelog.gz`,
    ]) assert.ok(entries.has(p), `${p} in the package`);
    const paths = [...entries.keys()];
    assert.deepStrictEqual(paths.filter((p) => p.startsWith(`${CONF_DIR}/`)), [], `${CONF_DIR}/ ships empty (no falcon.conf the unit would apply)`);
    assert.deepStrictEqual(
      paths.filter((p) => /\/(testbed|experiment|topology)\/|\/node_modules\/(node-addon-api|\.bin)\b|\.ts$|\.map$/.test(p)),
      [],
      'no testbed, experiment, topology, build-time modules, TypeScript or source maps',
    );
    // The packaged files are the checkout's (the wrapper and the unit byte for byte).
    const extracted = fs.mkdtempSync(path.join(os.tmpdir(), 'falconctl-deb-'));
    try {
      execFileSync('dpkg-deb', ['-x', CTL_DEB, extracted]);
      execFileSync('dpkg-deb', ['-e', CTL_DEB, path.join(extracted, 'DEBIAN')]);
      for (const [inDeb, inTree] of [
        [`${CTL_ROOT}/falconctl-run`, 'packaging/falconctl-run'],
        [UNIT, 'packaging/systemd/falcon.service'],
        [DEFAULTS, 'packaging/default/falcon'],
      ] as const) {
        assert.ok(fs.readFileSync(path.join(extracted, inDeb)).equals(fs.readFileSync(path.join(root, inTree))), `${inDeb} is ${inTree}`);
      }
      assert.strictEqual(fs.readFileSync(path.join(extracted, 'DEBIAN', 'conffiles'), 'utf8'), `${DEFAULTS}\n`, `conffiles: ${DEFAULTS}`);
      const pkgJson = JSON.parse(fs.readFileSync(path.join(extracted, CTL_ROOT, 'package.json'), 'utf8')) as { version?: string; dependencies?: Record<string, string> };
      assert.strictEqual(pkgJson.version, VERSION);
      assert.deepStrictEqual(Object.keys(pkgJson.dependencies ?? {}), ['bindings'], 'package.json: only the runtime dependency');
      const postinst = fs.readFileSync(path.join(extracted, 'DEBIAN', 'postinst'), 'utf8');
      assert.match(postinst, /deb-systemd-helper enable falcon\.service/);
      assert.match(postinst, /\[ -d \/run\/systemd\/system \]/, 'starts the unit only where systemd runs');
      // The extracted copy runs: node finds the addon through bindings from the package's root.
      const v = await run(path.join(extracted, CTL_BIN), ['--version'], { FALCON_DEFAULTS: '/nonexistent' });
      assert.strictEqual(v.code, 0, `the extracted falconctl --version:\n${v.out}`);
      assert.strictEqual(v.out.trim(), `falconctl ${VERSION}`);
      const st = await run(path.join(extracted, CTL_BIN), ['--mock', '-j', 'status'], { FALCON_DEFAULTS: '/nonexistent' });
      assert.strictEqual(st.code, 0, `the extracted falconctl --mock -j status:\n${st.out}`);
    } finally {
      fs.rmSync(extracted, { recursive: true, force: true });
    }

    // Reproducible: a second build of the same tree (nothing rebuilt) is byte for byte the same.
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-deb-again-'));
    try {
      const r2 = await run('bash', [path.join(root, 'scripts', 'package-deb.sh')], { FALCON_DEB_OUTDIR: again, FALCON_DEB_NO_BUILD: '1' });
      assert.strictEqual(r2.code, 0, `second build:\n${r2.out}`);
      for (const deb of [DEB, CTL_DEB]) {
        assert.ok(fs.readFileSync(path.join(again, path.basename(deb))).equals(fs.readFileSync(deb)), `${path.basename(deb)} is reproducible`);
      }
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }

    await lintianTags(CTL_DEB);
  });

  it('installs both with apt-get; dkms builds and installs falcon.ko for both kernels', async function () {
    assert.ok(fs.existsSync(DEB) && fs.existsSync(CTL_DEB), 'the packages were built');
    installAttempted = true;
    guardsOnNow();
    const t0 = Date.now();
    const r = await run('apt-get', ['install', '-y', '--no-install-recommends', DEB, CTL_DEB], { DEBIAN_FRONTEND: 'noninteractive' });
    console.log(`    apt-get install (${Math.round((Date.now() - t0) / 1000)} s):\n${indent(r.out)}`);
    assert.strictEqual(r.code, 0, 'apt-get install succeeded');
    for (const p of PKGS) assert.strictEqual(dpkgStatus(p), 'ii ', `dpkg: ${p} installed`);
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

  it('falconctl on the host: /usr/bin/falconctl runs, falcon.service verifies and is enabled, no falcon.conf', async function () {
    if (!installed) throw new Error('the packages are not installed (see the test above)');
    const v = await run(CTL_BIN, ['--version']);
    assert.strictEqual(v.code, 0, `${CTL_BIN} --version:\n${v.out}`);
    assert.strictEqual(v.out.trim(), `falconctl ${VERSION}`);
    assert.strictEqual(fs.realpathSync(CTL_BIN), `${CTL_ROOT}/falconctl-run`, `${CTL_BIN} is the wrapper`);
    assert.ok(fs.statSync(`${CTL_ROOT}/falconctl-run`).mode & 0o111, 'the wrapper is executable');

    const analyze = which('systemd-analyze');
    if (analyze === undefined) {
      if (process.env['CI']) throw new Error('systemd-analyze is missing under CI: install systemd (scripts/setup-host.sh)');
      console.warn(`\n!!! systemd-analyze is not installed: ${UNIT} not verified. !!!\n`);
    } else {
      const a = await run(analyze, ['verify', UNIT]);
      assert.strictEqual(a.code, 0, `systemd-analyze verify ${UNIT}:\n${a.out}`);
    }
    // The postinst enabled it (deb-systemd-helper makes the link without a running systemd).
    if (which('deb-systemd-helper') !== undefined) {
      const link = '/etc/systemd/system/multi-user.target.wants/falcon.service';
      assert.strictEqual(fs.readlinkSync(link), UNIT, `${link} -> ${UNIT} (enabled by the postinst)`);
    }
    assert.deepStrictEqual(fs.readdirSync(CONF_DIR), [], `${CONF_DIR} is empty: the unit applies nothing until the admin writes falcon.conf`);
    assert.ok(fs.existsSync(DEFAULTS), DEFAULTS);
  });

  it('boots each kernel without the project module: modprobe loads the dkms build, the installed falconctl works (status, apply -f, show --config)', async function () {
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
      assert.strictEqual(smokeLine(r.log, 'CTL')?.trim(), `${CTL_ROOT}/falconctl-run`, `${k}: ${CTL_BIN} is the installed wrapper`);
      const status = JSON.parse(smokeLine(r.log, 'STATUS') ?? 'null') as { enabled?: unknown; nr_cpu_ids?: unknown } | null;
      assert.ok(status !== null && typeof status.enabled === 'boolean' && typeof status.nr_cpu_ids === 'number', `${k}: ${CTL_BIN} -j status answered: ${smokeLine(r.log, 'STATUS')}`);
      const shown = smokeLines(r.log, 'CONF');
      assert.ok(shown.includes('set threshold 70'), `${k}: show --config has the applied threshold:\n${shown.join('\n')}`);
      assert.ok(shown.some((l) => /^attach lo( |$)/.test(l)), `${k}: show --config has the applied attach lo:\n${shown.join('\n')}`);
      const devices = JSON.parse(smokeLine(r.log, 'DEVICES') ?? 'null') as { ifname?: string }[] | null;
      assert.ok(Array.isArray(devices) && devices.some((d) => d.ifname === 'lo'), `${k}: lo attached: ${smokeLine(r.log, 'DEVICES')}`);
      assert.strictEqual(smokeLine(r.log, 'AUTOLOAD')?.trim(), modpath?.trim(), `${k}: the first request loaded the dkms build through the family alias`);
      assert.ok(/^SMOKE-DONE$/m.test(r.log), `${k}: the smoke test ran to the end`);
    }
  });

  it('purges both cleanly: no dkms state, sources, modules, falconctl files, unit links or dpkg records left', async function () {
    if (!installAttempted) return this.skip();
    const r = await run('dpkg', ['--purge', ...PKGS], { DEBIAN_FRONTEND: 'noninteractive' });
    console.log(`    dpkg --purge ${PKGS.join(' ')}:\n${indent(r.out)}`);
    guardsOff();
    assert.strictEqual(r.code, 0, 'dpkg --purge succeeded');
    for (const p of PKGS) assert.strictEqual(dpkgStatus(p), undefined, `dpkg no longer knows ${p}`);
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
    assert.deepStrictEqual(CTL_PATHS.filter(present), [], `falconctl left nothing (${CTL_PATHS.join(', ')})`);
  });
});
