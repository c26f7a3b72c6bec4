/**
 * The npm package as another project gets it: `npm pack` (prepack builds the
 * TypeScript and the prebuilt addons), then an install of the tarball into a
 * fresh project with no compiler anywhere (cc, gcc, g++, c++, make and clang
 * on PATH are shims that fail, CC and CXX are /bin/false), offline from
 * npm's cache (its dependencies come from this repository's lockfile; only
 * when the cache lacks them does npm ask the registry, and the test says so).
 * There: require() and import() of the SDK, the mock and the testbed API,
 * nothing internal reachable, TypeScript consumers type-checking (nodenext
 * and node10), a user's mock-backed test, the bins, a failing fallback
 * compile that leaves the install and the prebuilt addon intact, and the
 * kernel backend without the addon saying what is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../src/testbed';

const root = projectRoot();
const FIXTURES = path.join(root, 'test', 'package', 'npm-consumer');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};
/** The addons binding.gyp builds: each must ship prebuilt. */
const TARGETS = [...fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8').matchAll(/"target_name"\s*:\s*"([^"]+)"/g)].map((m) => m[1] as string);
const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'make', 'clang', 'clang++'];

interface Ran {
  status: number | null;
  out: string;
}

function show(r: SpawnSyncReturns<string>): Ran {
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

/** The environment without the outer `npm test`'s npm_* settings, which would steer the inner npm. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

describe('npm package (pack, install without a compiler, use)', function () {
  this.timeout(600_000);
  let work: string;
  let tarball: string;
  /** The consumer project. */
  let app: string;
  /** Its copy of the package. */
  let installed: string;
  /** PATH and variables under which no compiler exists. */
  let noCompiler: NodeJS.ProcessEnv;

  function inApp(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = noCompiler): Ran {
    return show(spawnSync(cmd, args, { cwd: app, env, encoding: 'utf8', timeout: 300_000 }));
  }

  function node(args: readonly string[], env?: NodeJS.ProcessEnv): Ran {
    return inApp(process.execPath, args, env);
  }

  before(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-npm-'));
    const shims = path.join(work, 'no-compiler');
    fs.mkdirSync(shims);
    for (const c of COMPILERS) {
      fs.writeFileSync(path.join(shims, c), `#!/bin/sh\necho "$0: no compiler on this machine (test shim)" >&2\nexit 1\n`, { mode: 0o755 });
    }
    noCompiler = cleanEnv({ PATH: `${shims}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, CC: '/bin/false', CXX: '/bin/false' });

    const packed = show(spawnSync('npm', ['pack', '--pack-destination', work], { cwd: root, env: cleanEnv(), encoding: 'utf8', timeout: 300_000 }));
    assert.equal(packed.status, 0, `npm pack failed:\n${packed.out}`);
    tarball = path.join(work, `${pkg.name}-${pkg.version}.tgz`);
    assert.ok(fs.existsSync(tarball), `${tarball} not made:\n${packed.out}`);

    app = path.join(work, 'app');
    fs.mkdirSync(app);
    installed = path.join(app, 'node_modules', pkg.name);
  });

  after(function () {
    if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
  });

  it('packs what users need and nothing else', function () {
    const listed = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const files = listed.stdout.split('\n').filter((l) => l !== '').map((l) => l.replace(/^package\//, ''));
    const need = [
      'package.json', 'README.md', 'binding.gyp', 'scripts/native-addon.js', 'out/Release/prebuilt.json',
      ...TARGETS.map((t) => `out/Release/${t}.node`),
      'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/mock/index.js', 'dist/src/mock/index.d.ts',
      'dist/src/testbed/index.js', 'dist/src/testbed/index.d.ts',
      ...Object.values(pkg.bin).map((b) => path.normalize(b)),
      'native/addon.cc', 'kernel/Makefile', 'kernel/Kbuild', 'kernel/main.c', 'kernel/falcon.yaml', 'kernel/include/uapi/linux/falcon.h',
      'scripts/kernels.sh', 'man/falconctl.8',
    ];
    // Every eBPF program (bpf/<name>.bpf.c) as the object the SDK loads (dist/bpf/<name>.bpf.o, npm run build:bpf).
    const bpfDir = path.join(root, 'bpf');
    const bpfSources = fs.existsSync(bpfDir) ? fs.readdirSync(bpfDir).filter((n) => n.endsWith('.bpf.c')) : [];
    for (const f of bpfSources) need.push(`dist/bpf/${f.replace(/\.c$/, '.o')}`);
    // Every source the kernel Makefile builds from, so `make -C node_modules/falcon-overlay/kernel` works.
    for (const f of fs.readdirSync(path.join(root, 'kernel')).filter((n) => /\.[ch]$/.test(n))) need.push(`kernel/${f}`);
    for (const f of need) assert.ok(files.includes(f), `${f} is not in the tarball`);
    const unwanted = files.filter((f) =>
      /^(test|tools|bench|examples|docs|results|dist\/test|dist\/bench|dist\/examples|build|src)\//.test(f) || /\.(map|svg|ko)$/.test(f) ||
      (f.endsWith('.o') && !f.endsWith('.bpf.o')) || f.startsWith('kernel/build/'));
    assert.deepEqual(unwanted, []);
    // Every shipped module comes from a source file of today's tree (no stale output of a removed one).
    for (const f of files.filter((x) => x.startsWith('dist/src/') && x.endsWith('.js'))) {
      const source = f.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      assert.ok(fs.existsSync(path.join(root, source)), `${f} has no ${source}`);
    }
  });

  it('installs with no compiler, offline, using the prebuilt addon', function () {
    // The consumer's lockfile pins the package's dependencies as this repository's lockfile has
    // them, so `npm ci --offline` can take them from npm's cache without asking the registry.
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
    const spec = `file:${path.relative(app, tarball)}`;
    const packages: Record<string, unknown> = {
      '': { name: 'consumer', version: '1.0.0', dependencies: { [pkg.name]: spec } },
      [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, hasInstallScript: true, dependencies: pkg.dependencies, bin: pkg.bin },
    };
    const queue = Object.keys(pkg.dependencies);
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const entry = lock.packages[`node_modules/${name}`];
      assert.ok(entry, `package-lock.json has no node_modules/${name}`);
      if (`node_modules/${name}` in packages) continue;
      packages[`node_modules/${name}`] = entry;
      queue.push(...Object.keys(entry.dependencies ?? {}));
    }
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { [pkg.name]: spec } }, null, 2));
    fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));

    const args = ['ci', '--no-audit', '--no-fund', '--foreground-scripts'];
    let r = inApp('npm', [...args, '--offline']);
    if (r.status !== 0 && /ENOTCACHED/.test(r.out)) {
      console.log('    (npm cache lacks the dependencies: npm ci --prefer-offline asks the registry)');
      r = inApp('npm', [...args, '--prefer-offline']);
    }
    assert.equal(r.status, 0, `npm ci failed:\n${r.out}`);
    assert.match(r.out, new RegExp(`using the prebuilt ${TARGETS.join(', ')} \\(${process.platform}-${process.arch}\\)`));
    assert.ok(!fs.existsSync(path.join(installed, 'build')), 'no compile was attempted');
    for (const t of TARGETS) assert.ok(fs.existsSync(path.join(installed, 'out', 'Release', `${t}.node`)));
  });

  it("require() and import() reach the SDK, the mock and the testbed API, and nothing internal", function () {
    fs.writeFileSync(path.join(app, 'entry-points.mjs'), `
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const expect = { '${pkg.name}': ['openFalcon', 'FalconError', 'AddonLoadError'], '${pkg.name}/mock': ['MockModel', 'createMockTransport'], '${pkg.name}/testbed': ['runInVm', 'TestbedError'] };
for (const [spec, names] of Object.entries(expect)) {
  const cjs = require(spec);
  const esm = await import(spec);
  for (const n of names) assert.equal(typeof cjs[n], 'function', spec + ' ' + n + ' (require)');
  // ESM sees every CommonJS export by name (cjs-module-lexer), not just as default.
  const missing = Object.keys(cjs).filter((k) => !(k in esm));
  assert.deepEqual(missing, [], spec + ': not importable by name');
  assert.equal(esm.openFalcon ?? esm.MockModel ?? esm.runInVm, cjs.openFalcon ?? cjs.MockModel ?? cjs.runInVm);
}
assert.equal(require('${pkg.name}/package.json').name, '${pkg.name}');
for (const internal of ['${pkg.name}/dist/src/client/decode.js', '${pkg.name}/dist/src/index.js', '${pkg.name}/internal-thing', '${pkg.name}/scripts/native-addon.js']) {
  assert.throws(() => require(internal), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }, internal);
  await assert.rejects(import(internal), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }, internal);
}
console.log('entry points ok');
`);
    const r = node(['entry-points.mjs']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /entry points ok/);
  });

  it('type-checks TypeScript consumers: nodenext (ESM and CommonJS) and node10', function () {
    for (const f of ['esm.mts', 'cjs.cts', 'node10.ts']) fs.copyFileSync(path.join(FIXTURES, f), path.join(app, f));
    const base = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', typeRoots: [path.join(root, 'node_modules', '@types')], types: ['node'] };
    const configs = {
      'tsconfig.nodenext.json': { compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.mts', 'cjs.cts'] },
      // The shipped .d.ts are checked once (above); here only what node10 resolves.
      'tsconfig.node10.json': { compilerOptions: { ...base, skipLibCheck: true, module: 'commonjs', moduleResolution: 'node10' }, files: ['node10.ts'] },
    };
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const [name, config] of Object.entries(configs)) {
      fs.writeFileSync(path.join(app, name), JSON.stringify(config, null, 2));
      const r = node([tsc, '-p', name]);
      assert.equal(r.status, 0, `tsc -p ${name}:\n${r.out}`);
    }
  });

  it("runs a user's mock-backed test (node:test)", function () {
    fs.copyFileSync(path.join(FIXTURES, 'mock.test.mjs'), path.join(app, 'mock.test.mjs'));
    const r = node(['--test', 'mock.test.mjs']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /# pass 1/);
    assert.match(r.out, /# fail 0/);
  });

  it('runs the bins from node_modules/.bin', function () {
    const bin = (name: string) => path.join(app, 'node_modules', '.bin', name);
    let r = inApp(bin('falconctl'), ['--mock', 'status']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /\S/);
    r = inApp(bin('falconctl'), ['--mock', '-j', 'status']);
    assert.equal(r.status, 0, r.out);
    assert.equal(typeof (JSON.parse(r.out) as { enabled?: unknown }).enabled, 'boolean');
    r = inApp(bin('falconctl'), ['--version']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(pkg.version.replace(/\./g, '\\.')));
    for (const name of ['falcon-testbed', 'falcon-topology']) {
      r = inApp(bin(name), ['--help']);
      assert.equal(r.status, 0, `${name} --help:\n${r.out}`);
      assert.match(r.out, /usage/i);
    }
  });

  it('a failing fallback compile (--build-from-source, no compiler) does not fail the install and keeps the prebuilt addon', function () {
    const r = inApp('npm', ['rebuild', pkg.name, '--build-from-source', '--foreground-scripts']);
    assert.equal(r.status, 0, `npm rebuild failed:\n${r.out}`);
    assert.match(r.out, /building from source as asked/);
    assert.match(r.out, /could not compile the native addons .*; the prebuilt addons stay in use/);
    // The prebuilt addon still loads: the kernel backend gets as far as the family lookup.
    const opened = node(['-e', `require('${pkg.name}').openFalcon().then((f) => { console.log('opened'); return f.close(); }, (e) => console.log(e.code + ': ' + e.message))`]);
    assert.equal(opened.status, 0, opened.out);
    assert.doesNotMatch(opened.out, /native addon/);
    assert.match(opened.out, /^(opened|ENOENT: Falcon kernel module is not loaded|EPERM: )/m);
  });

  it('without the addon: the kernel backend names what is missing and what to install, the mock still works', function () {
    for (const t of TARGETS) fs.rmSync(path.join(installed, 'out', 'Release', `${t}.node`));
    fs.rmSync(path.join(installed, 'build'), { recursive: true, force: true });
    const missing = /the native addon falcon_genl\.node is missing \(neither compiled \(build\/Release\) nor prebuilt \(out\/Release\) under .*\): install build-essential python3 \(Debian packages\), then run "npm rebuild falcon-overlay"/;
    const r = node(['-e', `require('${pkg.name}').openFalcon().then(() => console.log('opened'), (e) => console.log(e.code + ': ' + e.message))`]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /^ENOENT: /);
    assert.match(r.out, missing);
    const ctl = inApp(path.join(app, 'node_modules', '.bin', 'falconctl'), ['status']);
    assert.equal(ctl.status, 2, ctl.out);
    assert.match(ctl.out, missing);
    assert.doesNotMatch(ctl.out, /not loaded|modprobe/);
    const mock = inApp(path.join(app, 'node_modules', '.bin', 'falconctl'), ['--mock', 'status']);
    assert.equal(mock.status, 0, mock.out);
  });
});
