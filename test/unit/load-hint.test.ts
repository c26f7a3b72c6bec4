// What falconctl says when the module is not loaded (src/cli/load-hint.ts),
// case by case over injected facts, and that a missing native addon is
// reported as such, not as a missing module.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gatherLoadFacts, LoadFacts, loadHint, parseDkmsStatus } from '../../src/cli/load-hint';

const R = '6.1.0-57-amd64';
const OTHER = '6.12.117+deb12-amd64';
const BASE: LoadFacts = { release: R, root: false, installedFor: [], builds: [] };

describe('load hint', () => {
  it('parses dkms 3 and dkms 2 status lines', () => {
    assert.deepEqual(parseDkmsStatus(`falcon/0.1.0, ${R}, x86_64: installed\nfalcon/0.1.0, ${OTHER}, x86_64: built\n`), [
      { version: '0.1.0', release: R, state: 'installed' },
      { version: '0.1.0', release: OTHER, state: 'built' },
    ]);
    assert.deepEqual(parseDkmsStatus(`falcon, 0.1.0, ${R}, x86_64: installed (WARNING! Diff between built and installed module!)`), [
      { version: '0.1.0', release: R, state: 'installed' },
    ]);
    assert.deepEqual(parseDkmsStatus('falcon/0.1.0: added\n'), [{ version: '0.1.0', state: 'added' }]);
    assert.deepEqual(parseDkmsStatus('falconx/1, 6.1, x86_64: installed\n\n'), []);
  });

  it('installed for this kernel (dkms or make install): modprobe', () => {
    for (const facts of [
      { ...BASE, dkms: [{ version: '0.1.0', release: R, state: 'installed' }] },
      { ...BASE, installedFor: [OTHER, R] },
    ]) {
      const hint = loadHint(facts);
      assert.match(hint, /^falcon\.ko is installed for this kernel \(6\.1\.0-57-amd64\): load it with "sudo modprobe falcon"/);
      assert.match(hint, /Secure Boot in docs\/install\.md/);
      assert.match(hint, /--mock runs the TypeScript model instead$/);
    }
    assert.match(loadHint({ ...BASE, root: true, installedFor: [R] }), /"modprobe falcon"/, 'no sudo for root');
  });

  it("the repository's build for this kernel: insmod it", () => {
    const hint = loadHint({ ...BASE, kernelDir: '/src/falcon/kernel', builds: [{ release: OTHER, path: '/x' }, { release: R, path: `/src/falcon/kernel/build/${R}/falcon.ko` }] });
    assert.equal(hint, `load the repository's build with "sudo insmod /src/falcon/kernel/build/${R}/falcon.ko"; --mock runs the TypeScript model instead`);
  });

  it('dkms without a build for this kernel: says for which it has one, and how to build', () => {
    const hint = loadHint({ ...BASE, dkms: [{ version: '0.2.0', release: OTHER, state: 'installed' }] });
    assert.match(hint, new RegExp(`^falcon-dkms 0\\.2\\.0 is not installed for this kernel \\(${R}; dkms has it for kernel 6\\.12\\.117\\+deb12-amd64 only\\): install linux-headers-${R}, then "sudo dkms install falcon/0\\.2\\.0 -k ${R}"`));
    assert.match(loadHint({ ...BASE, dkms: [{ version: '0.2.0', state: 'added' }] }), /dkms has not installed it for any kernel/);
  });

  it('a build for another kernel only: names both kernels and the make line', () => {
    const hint = loadHint({ ...BASE, kernelDir: '/src/falcon/kernel', builds: [{ release: OTHER, path: `/src/falcon/kernel/build/${OTHER}/falcon.ko` }] });
    assert.match(hint, new RegExp(`^falcon\\.ko in /src/falcon/kernel/build was built for kernel 6\\.12\\.117\\+deb12-amd64, this one runs ${R}: `));
    assert.match(hint, new RegExp(`"make -C /src/falcon/kernel KVER=${R}" \\(needs linux-headers-${R}\\), then "sudo insmod /src/falcon/kernel/build/${R}/falcon\\.ko"`));
  });

  it('installed for other kernels only, or nowhere: how to install', () => {
    assert.match(loadHint({ ...BASE, installedFor: [OTHER] }), new RegExp(`^falcon\\.ko is installed for kernel 6\\.12\\.117\\+deb12-amd64, this one runs ${R}: .*make -C kernel install KVER=${R}`));
    assert.match(loadHint(BASE), new RegExp(`^falcon\\.ko is not installed for this kernel \\(${R}\\): install the falcon-dkms package \\(docs/install\\.md\\) or run "sudo make -C kernel install"`));
    // With the sources at hand (a checkout or the npm package, nothing built): the make line names them.
    const pkgKernel = '/app/node_modules/falcon-overlay/kernel';
    assert.match(loadHint({ ...BASE, kernelDir: pkgKernel }), new RegExp(`or run "sudo make -C ${pkgKernel} install" \\(needs linux-headers-${R}\\), then "sudo modprobe falcon"`));
    assert.match(loadHint({ ...BASE, kernelDir: pkgKernel, installedFor: [OTHER] }), new RegExp(`"sudo make -C ${pkgKernel} install KVER=${R}" \\(needs`));
  });

  it('gathers facts from this machine without failing', function () {
    this.timeout(20000);
    const facts = gatherLoadFacts(fs.mkdtempSync(path.join(os.tmpdir(), 'no-modules-')));
    assert.equal(facts.release, os.release());
    assert.deepEqual(facts.installedFor, []);
    // Run from the checkout: kernel/ is found, and its builds are kernel/build/<release>/falcon.ko.
    assert.ok(facts.kernelDir?.endsWith(`${path.sep}kernel`));
    for (const b of facts.builds) assert.equal(b.path, path.join(facts.kernelDir ?? '', 'build', b.release, 'falcon.ko'));
  });

  it('reads modules.dep for the kernels that have falcon.ko installed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'modules-'));
    fs.mkdirSync(path.join(root, R));
    fs.writeFileSync(path.join(root, R, 'modules.dep'), 'kernel/net/core/x.ko:\nupdates/dkms/falcon.ko.xz:\n');
    fs.mkdirSync(path.join(root, OTHER));
    fs.writeFileSync(path.join(root, OTHER, 'modules.dep'), 'kernel/net/core/falconx.ko:\n');
    try {
      assert.deepEqual(gatherLoadFacts(root).installedFor, [R]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('falconctl without the native addon', function () {
  this.timeout(60000);

  it('says the addon is missing, not that the module is not loaded', () => {
    // A copy of the built sources without build/Release: bindings finds no falcon_genl.node.
    const root = path.resolve(__dirname, '..', '..', '..');
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-noaddon-'));
    try {
      fs.cpSync(path.join(root, 'dist', 'src'), path.join(copy, 'dist', 'src'), { recursive: true });
      fs.copyFileSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
      const r = spawnSync(process.execPath, [path.join(copy, 'dist', 'src', 'cli', 'falconctl.js'), 'status'], {
        encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
      });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^Error: the native addon falcon_genl\.node is missing \(neither compiled \(build\/Release\) nor prebuilt \(out\/Release\) under .*falcon-noaddon-.*\): install build-essential python3 \(Debian packages\)/);
      assert.doesNotMatch(r.stderr, /not loaded|modprobe|insmod/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
