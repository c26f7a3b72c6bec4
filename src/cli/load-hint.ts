// What falconctl says when the falcon family is missing: the command that
// loads (or installs) the module on this machine. loadHint() is a pure
// function of the facts, so every case is unit tested; gatherLoadFacts()
// collects them (only when the module is missing, so its cost never matters).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One falcon.ko built in the repository: kernel/build/<release>/falcon.ko. */
export interface RepoBuild {
  readonly release: string;
  readonly path: string;
}

/** One line of `dkms status falcon`. */
export interface DkmsEntry {
  readonly version: string;
  /** Absent for a module that is only added (not built for any kernel). */
  readonly release?: string;
  /** added, built, installed, ... */
  readonly state: string;
}

/** What the hint depends on. */
export interface LoadFacts {
  /** uname -r. */
  readonly release: string;
  /** Running as root: no "sudo " in the commands. */
  readonly root: boolean;
  /** `dkms status falcon`, parsed; absent when dkms is not installed. */
  readonly dkms?: readonly DkmsEntry[];
  /** Kernel releases whose modules.dep lists a falcon.ko (installed by dkms or make install). */
  readonly installedFor: readonly string[];
  /** The kernel sources (kernel/) next to falconctl: a checkout's, or the npm package's. */
  readonly kernelDir?: string;
  /** falcon.ko files under kernel/build/. */
  readonly builds: readonly RepoBuild[];
}

/** Parses `dkms status falcon` (dkms 3: "falcon/0.1.0, 6.1.0-57-amd64, x86_64: installed"; dkms 2: "falcon, 0.1.0, ..."). */
export function parseDkmsStatus(text: string): DkmsEntry[] {
  const entries: DkmsEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const colon = line.lastIndexOf(':');
    if (!line.startsWith('falcon') || colon < 0) continue;
    const state = line.slice(colon + 1).trim().split(/\s+/)[0] ?? '';
    const fields = line.slice(0, colon).split(',').map((f) => f.trim());
    // dkms 3 writes name/version as one field; dkms 2 writes them apart.
    const [first, ...rest] = fields;
    const slash = (first ?? '').split('/');
    if (slash[0] !== 'falcon') continue;
    const version = slash.length > 1 ? (slash[1] ?? '') : (rest.shift() ?? '');
    const release = rest[0];
    entries.push({ version, state, ...(release !== undefined && release !== '' ? { release } : {}) });
  }
  return entries;
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/**
 * The hint after "Falcon kernel module is not loaded": the command that works
 * here, or, when nothing on disk fits the running kernel, what was found and
 * how to build for this one.
 */
export function loadHint(facts: LoadFacts): string {
  const sudo = facts.root ? '' : 'sudo ';
  const r = facts.release;
  const mock = '--mock runs the TypeScript model instead';
  const dkmsHere = facts.dkms?.filter((e) => e.release === r && e.state === 'installed') ?? [];
  if (dkmsHere.length > 0 || facts.installedFor.includes(r)) {
    // Installed for this kernel: the family's alias should have loaded it on request, so loading failed or is off.
    return `falcon.ko is installed for this kernel (${r}): load it with "${sudo}modprobe falcon" ` +
      '(if it fails, its message and dmesg say why; for "Key was rejected by service" see Secure Boot in docs/install.md); ' + mock;
  }
  const kernelDir = facts.kernelDir;
  const buildHere = facts.builds.find((b) => b.release === r);
  if (buildHere) return `load the repository's build with "${sudo}insmod ${buildHere.path}"; ${mock}`;
  if (facts.dkms && facts.dkms.length > 0) {
    const version = facts.dkms[0]?.version ?? '<version>';
    const others = [...new Set(facts.dkms.filter((e) => e.release !== undefined && e.release !== r).map((e) => e.release as string))];
    const has = others.length ? `dkms has it for kernel ${list(others)} only` : 'dkms has not installed it for any kernel';
    return `falcon-dkms ${version} is not installed for this kernel (${r}; ${has}): install linux-headers-${r}, then ` +
      `"${sudo}dkms install falcon/${version} -k ${r}" and "${sudo}modprobe falcon"; ${mock}`;
  }
  if (facts.builds.length > 0 && kernelDir !== undefined) {
    const releases = facts.builds.map((b) => b.release);
    const dir = path.join(kernelDir, 'build');
    return `falcon.ko in ${dir} was built for kernel ${list(releases)}, this one runs ${r}: ` +
      `build it for this kernel with "make -C ${kernelDir} KVER=${r}" (needs linux-headers-${r}), then ` +
      `"${sudo}insmod ${path.join(dir, r, 'falcon.ko')}" (or "${sudo}make -C ${kernelDir} install KVER=${r}" and "${sudo}modprobe falcon"); ${mock}`;
  }
  // The kernel sources: the checkout's, or the npm package's copy (which ships them for this).
  const makeInstall = (kver: string) => kernelDir !== undefined
    ? `"${sudo}make -C ${kernelDir} install${kver}" (needs linux-headers-${r})`
    : `"${sudo}make -C kernel install${kver}" in the repository`;
  if (facts.installedFor.length > 0) {
    return `falcon.ko is installed for kernel ${list(facts.installedFor)}, this one runs ${r}: install it for this kernel ` +
      `(the falcon-dkms package, or ${makeInstall(` KVER=${r}`)}; docs/install.md), then "${sudo}modprobe falcon"; ${mock}`;
  }
  return `falcon.ko is not installed for this kernel (${r}): install the falcon-dkms package (docs/install.md) or run ` +
    `${makeInstall('')}, then "${sudo}modprobe falcon"; ${mock}`;
}

function runDkms(): DkmsEntry[] | undefined {
  for (const dkms of ['dkms', '/usr/sbin/dkms', '/sbin/dkms']) {
    const r = spawnSync(dkms, ['status', 'falcon'], { encoding: 'utf8', timeout: 10_000 });
    if (r.error && (r.error as { code?: string }).code === 'ENOENT') continue;
    if (r.error || r.status !== 0) return undefined;
    return parseDkmsStatus(r.stdout);
  }
  return undefined;
}

function installedReleases(modulesRoot: string): string[] {
  let releases: string[] = [];
  try {
    releases = fs.readdirSync(modulesRoot).sort();
  } catch {
    return [];
  }
  return releases.filter((release) => {
    try {
      return /(^|\/)falcon\.ko(\.[a-z0-9]+)?:/m.test(fs.readFileSync(path.join(modulesRoot, release, 'modules.dep'), 'utf8'));
    } catch {
      return false;
    }
  });
}

/** kernel/ when falconctl runs from a checkout or the npm package, which ships the sources (dist/src/cli/ -> the root). */
function repoKernelDir(): string | undefined {
  const dir = path.resolve(__dirname, '..', '..', '..', 'kernel');
  return fs.existsSync(path.join(dir, 'falcon.yaml')) ? dir : undefined;
}

/** Collects the facts from this machine: uname, dkms, /lib/modules, the checkout's builds. */
export function gatherLoadFacts(modulesRoot = '/lib/modules'): LoadFacts {
  const kernelDir = repoKernelDir();
  const builds: RepoBuild[] = [];
  if (kernelDir !== undefined) {
    let releases: string[] = [];
    try {
      releases = fs.readdirSync(path.join(kernelDir, 'build')).sort();
    } catch {
      /* nothing built */
    }
    for (const release of releases) {
      const ko = path.join(kernelDir, 'build', release, 'falcon.ko');
      if (fs.existsSync(ko)) builds.push({ release, path: ko });
    }
  }
  const dkms = runDkms();
  return {
    release: os.release(),
    root: process.getuid?.() === 0,
    ...(dkms !== undefined ? { dkms } : {}),
    installedFor: installedReleases(modulesRoot),
    ...(kernelDir !== undefined ? { kernelDir } : {}),
    builds,
  };
}
