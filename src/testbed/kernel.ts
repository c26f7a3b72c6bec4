import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SETUP_HINT, TestbedError } from './errors';
import { projectRoot } from './project';

/** One consistent kernel: image, modules and headers of the same version. */
export interface KernelInfo {
  version: string;
  vmlinuz: string;
  modulesDir: string;
  /** Headers dir; undefined when not installed (only needed to build modules). */
  headersDir: string | undefined;
}

export interface KernelRoots {
  boot: string;
  modules: string;
  headers: string;
}

export const defaultRoots: KernelRoots = { boot: '/boot', modules: '/lib/modules', headers: '/usr/src' };

/** Compares kernel versions like `sort -V`: numeric runs numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Picks the kernel the testbed boots: the newest /boot/vmlinuz-<ver> that has
 * /lib/modules/<ver>/modules.dep (the same rule as kernel/Makefile, which also
 * wants the headers). `version` forces one.
 */
export function discoverKernel(version?: string, roots: KernelRoots = defaultRoots): KernelInfo {
  let names: string[] = [];
  try {
    names = fs.readdirSync(roots.boot);
  } catch {
    /* reported below */
  }
  const versions = names
    .filter((n) => n.startsWith('vmlinuz-'))
    .map((n) => n.slice('vmlinuz-'.length))
    .sort((a, b) => compareVersions(b, a));
  const info = (v: string): KernelInfo => {
    const headers = path.join(roots.headers, `linux-headers-${v}`);
    return {
      version: v,
      vmlinuz: path.join(roots.boot, `vmlinuz-${v}`),
      modulesDir: path.join(roots.modules, v),
      headersDir: fs.existsSync(path.join(headers, 'Makefile')) ? headers : undefined,
    };
  };
  const hasModules = (v: string) => fs.existsSync(path.join(roots.modules, v, 'modules.dep'));
  if (version !== undefined) {
    if (!versions.includes(version)) {
      throw new TestbedError(`kernel image ${path.join(roots.boot, `vmlinuz-${version}`)} not found; ${SETUP_HINT}`);
    }
    if (!hasModules(version)) {
      throw new TestbedError(`modules for kernel ${version} not found in ${path.join(roots.modules, version)}; ${SETUP_HINT}`);
    }
    return info(version);
  }
  if (versions.length === 0) {
    throw new TestbedError(`no kernel image (${roots.boot}/vmlinuz-*) found; ${SETUP_HINT}`);
  }
  const usable = versions.find(hasModules);
  if (usable === undefined) {
    throw new TestbedError(
      `no kernel in ${roots.boot} has its modules in ${roots.modules}/<version> (found ${versions.join(', ')}); ${SETUP_HINT}`,
    );
  }
  return info(usable);
}

/** Reads a module's vermagic from its .modinfo strings without modinfo(8). */
export function readVermagic(koPath: string): string | undefined {
  const data = fs.readFileSync(koPath);
  const at = data.indexOf('vermagic=');
  if (at < 0) return undefined;
  const end = data.indexOf(0, at);
  return data.subarray(at + 'vermagic='.length, end < 0 ? undefined : end).toString('latin1');
}

/** Where `make -C kernel KVER=<version>` puts a module of @moduleDir (kernel/, or the splat module's). */
export function builtModule(projectRoot: string, version: string, moduleDir = 'kernel', name = 'falcon.ko'): string {
  return path.join(projectRoot, moduleDir, 'build', version, name);
}

/** Kernel series Falcon supports: bookworm's default and the 6.12 LTS. */
export type KernelSeries = '6.1' | '6.12';

/**
 * The kernels Falcon is built and tested on: the newest installed of each
 * series, as scripts/kernels.sh (shared with setup and kernel/Makefile) prints
 * them. A series that is not installed is absent.
 */
export function supportedKernels(root: string = projectRoot()): Partial<Record<KernelSeries, string>> {
  const out = execFileSync('bash', [path.join(root, 'scripts', 'kernels.sh')], { encoding: 'utf8' });
  const found: Partial<Record<KernelSeries, string>> = {};
  for (const v of out.split('\n').filter((l) => l !== '')) {
    if (/^6\.1[.-]/.test(v)) found['6.1'] = v;
    else if (/^6\.12[.-]/.test(v)) found['6.12'] = v;
  }
  return found;
}
