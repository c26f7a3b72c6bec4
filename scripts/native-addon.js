#!/usr/bin/env node
// The native addons (every target of binding.gyp) as the npm package ships
// them: prebuilt for linux-x64, compiled at install only as a fallback.
//
//   node scripts/native-addon.js prebuild   (npm run build:prebuilt; prepack)
//       builds every target and copies each build/Release/<target>.node,
//       stripped, to out/Release/ with prebuilt.json saying for which
//       platform and arch.
//   node scripts/native-addon.js install    (the package's install script)
//       keeps the prebuilt addons when they all load here; otherwise, or when
//       FALCON_BUILD_FROM_SOURCE=1 (or npm's --build-from-source) asks,
//       compiles with node-gyp. A failed compile is a warning, never a failed
//       install: the mock needs no addon, and the kernel backend says which
//       addon is missing and what to install when it is asked to open.
//
// Why out/Release: `bindings` looks there (after build/Release, so a local
// compile wins) whatever the Node version, as N-API (NAPI_VERSION=8) addons
// need, and `node-gyp rebuild` only deletes build/, so the prebuilt addons
// survive a fallback compile that fails halfway.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BUILD_DIR = path.join(ROOT, 'build', 'Release');
const PREBUILT_DIR = path.join(ROOT, 'out', 'Release');
const MANIFEST = path.join(PREBUILT_DIR, 'prebuilt.json');
/** What compiling the addons takes on Debian (each target's extra needs are in its loader's message). */
const BUILD_DEPS = 'build-essential python3';

function say(text) {
  process.stderr.write(`falcon-overlay: ${text}\n`);
}

/** The target names of binding.gyp (a gyp file: JSON plus # comments and trailing commas). */
function targets() {
  const text = fs.readFileSync(path.join(ROOT, 'binding.gyp'), 'utf8');
  const names = [...text.matchAll(/["']target_name["']\s*:\s*["']([^"']+)["']/g)].map((m) => m[1]);
  if (names.length === 0) throw new Error('binding.gyp names no target');
  return names;
}

/** node-gyp: npm's own during an install (npm_config_node_gyp), else the project's, else PATH's. */
function nodeGyp(args) {
  const candidates = [process.env.npm_config_node_gyp, path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  const script = candidates.find((c) => c !== undefined && c !== '' && fs.existsSync(c));
  const [cmd, argv] = script !== undefined ? [process.execPath, [script, ...args]] : ['node-gyp', args];
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return `node-gyp ${args.join(' ')} exited with ${r.status ?? r.signal}`;
  return undefined;
}

/** Does `file` load in a fresh Node (a dlopen failure, such as a missing shared library, must not kill us)? */
function loads(file) {
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', file], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const lines = (r.stderr || '').split('\n').filter((l) => /^Error|error:/i.test(l));
  return lines[0] ?? `exit status ${r.status ?? r.signal}`;
}

function prebuild() {
  if (process.platform !== 'linux') throw new Error(`prebuilt addons are made on Linux, not ${process.platform}`);
  // An incremental build when node-gyp already configured build/ (its
  // Makefile regenerates itself when binding.gyp changes); else from scratch.
  const failure = fs.existsSync(path.join(ROOT, 'build', 'Makefile')) ? nodeGyp(['build']) : nodeGyp(['rebuild']);
  if (failure !== undefined) throw new Error(failure);
  fs.rmSync(PREBUILT_DIR, { recursive: true, force: true });
  fs.mkdirSync(PREBUILT_DIR, { recursive: true });
  const names = targets();
  for (const name of names) {
    const built = path.join(BUILD_DIR, `${name}.node`);
    if (!fs.existsSync(built)) throw new Error(`${built} missing after the build: binding.gyp's target ${name} must make a .node`);
    const out = path.join(PREBUILT_DIR, `${name}.node`);
    fs.copyFileSync(built, out);
    // Symbols are for debugging a local build; the shipped copy need not carry them.
    const strip = spawnSync('strip', ['--strip-unneeded', out], { stdio: 'inherit' });
    if (strip.error || strip.status !== 0) say(`strip failed on ${out}; shipping it unstripped`);
    const problem = loads(out);
    if (problem !== undefined) throw new Error(`${out} does not load: ${problem}`);
  }
  const manifest = { platform: process.platform, arch: process.arch, napi: 8, targets: names, builtWith: process.version };
  fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  say(`prebuilt ${names.join(', ')} for ${manifest.platform}-${manifest.arch} in ${path.relative(ROOT, PREBUILT_DIR)}/`);
}

/** Why the shipped addons cannot serve here, or undefined when they all load. */
function prebuiltProblem(names) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  } catch {
    return 'the package has no prebuilt addons';
  }
  if (manifest.platform !== process.platform || manifest.arch !== process.arch) {
    return `the prebuilt addons are for ${manifest.platform}-${manifest.arch}, this is ${process.platform}-${process.arch}`;
  }
  for (const name of names) {
    const file = path.join(PREBUILT_DIR, `${name}.node`);
    if (!fs.existsSync(file)) return `no prebuilt ${name}.node`;
    const problem = loads(file);
    if (problem !== undefined) return `the prebuilt ${name}.node does not load here (${problem})`;
  }
  return undefined;
}

function install() {
  const names = targets();
  const forced = /^(1|true)$/.test(process.env.FALCON_BUILD_FROM_SOURCE ?? '') || process.env.npm_config_build_from_source === 'true';
  const problem = prebuiltProblem(names);
  if (problem === undefined && !forced) {
    say(`using the prebuilt ${names.join(', ')} (${process.platform}-${process.arch})`);
    return;
  }
  if (problem !== undefined && /are for /.test(problem)) {
    // Another machine's binaries would only fail later with an ELF error: without them
    // `bindings` reports the addon missing, which the kernel backend explains.
    for (const name of names) fs.rmSync(path.join(PREBUILT_DIR, `${name}.node`), { force: true });
  }
  say(`${forced ? 'building from source as asked' : problem}: compiling ${names.join(', ')} with node-gyp`);
  const failure = nodeGyp(['rebuild']);
  if (failure === undefined) {
    say(`compiled ${names.join(', ')}`);
    return;
  }
  const outcome = problem === undefined
    ? 'the prebuilt addons stay in use'
    : 'the mock backend works without them, and the kernel backend says which addon is missing when it is asked to open';
  say(`could not compile the native addons (${failure}); ${outcome}. ` +
    `Compiling takes ${BUILD_DEPS} (Debian packages; elsewhere a C++17 compiler, make and python3): install them, then run "npm rebuild falcon-overlay".`);
}

const command = process.argv[2];
try {
  if (command === 'prebuild') prebuild();
  else if (command === 'install') install();
  else {
    say('usage: node scripts/native-addon.js prebuild|install');
    process.exitCode = 2;
  }
} catch (error) {
  say(`${command}: ${error instanceof Error ? error.message : String(error)}`);
  // An install must never fail on the addon; a prebuild must.
  process.exitCode = command === 'install' ? 0 : 1;
}
