// packaging/falconctl-run as the falconctl Debian package installs it: the
// wrapper at the root of a package tree (/usr/lib/falcon/falconctl-run, with
// dist/src/cli/falconctl.js next to it) and /usr/bin/falconctl a relative
// symlink to it. Here the tree is a temporary directory whose dist/ links to
// the checkout's; scripts/package-deb.sh builds the real one, and
// test/package/dkms-package.test.ts installs and runs it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WRAPPER = path.join(ROOT, 'packaging', 'falconctl-run');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('falconctl-run in the falconctl package layout', () => {
  let dir: string;
  let libDir: string;
  let binDir: string;
  let nodeDir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falconctl-pkg-'));
    libDir = path.join(dir, 'usr', 'lib', 'falcon');
    binDir = path.join(dir, 'usr', 'bin');
    nodeDir = path.join(dir, 'node-bin');
    for (const d of [libDir, binDir, nodeDir]) fs.mkdirSync(d, { recursive: true });
    fs.copyFileSync(WRAPPER, path.join(libDir, 'falconctl-run'));
    fs.chmodSync(path.join(libDir, 'falconctl-run'), 0o755);
    fs.symlinkSync(path.join(ROOT, 'dist'), path.join(libDir, 'dist'));
    fs.symlinkSync('../lib/falcon/falconctl-run', path.join(binDir, 'falconctl'));
    // A PATH with a node >= 20 (this one) and no other falconctl.
    fs.symlinkSync(process.execPath, path.join(nodeDir, 'node'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(cmd: string, env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(cmd, args, {
      encoding: 'utf8',
      env: { PATH: `${nodeDir}:/usr/bin:/bin`, FALCON_DEFAULTS: path.join(dir, 'none'), ...env },
      cwd: dir,
      timeout: 30000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('/usr/bin/falconctl (a symlink to the wrapper) runs the falconctl next to the wrapper', function () {
    this.timeout(30000);
    const v = run(path.join(binDir, 'falconctl'), {}, '--version');
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), `falconctl ${VERSION}`);
    const s = run(path.join(binDir, 'falconctl'), {}, '--mock', 'status');
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /^enabled\s+yes$/m);
  });

  it('the wrapper run by its own path (as falcon.service does) finds it too', function () {
    this.timeout(30000);
    const v = run(path.join(libDir, 'falconctl-run'), {}, '--version');
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), `falconctl ${VERSION}`);
  });

  it('FALCONCTL still wins over the packaged copy', function () {
    this.timeout(30000);
    const elsewhere = path.join(dir, 'other.js');
    fs.writeFileSync(elsewhere, '#!/usr/bin/env node\nconsole.log("other falconctl");\n');
    const r = run(path.join(binDir, 'falconctl'), { FALCONCTL: elsewhere }, '--version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'other falconctl');
  });

  it("another wrapper (a checkout's) that finds the package's /usr/bin/falconctl on PATH runs the package's falconctl", function () {
    this.timeout(30000);
    const r = run(WRAPPER, { PATH: `${nodeDir}:${binDir}:/usr/bin:/bin` }, '--version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `falconctl ${VERSION}`);
  });
});
