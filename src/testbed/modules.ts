import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { SETUP_HINT, TestbedError } from './errors';

/** Parsed /lib/modules/<ver>/modules.dep plus modules.builtin. */
export interface ModuleIndex {
  dir: string;
  /** Module name (underscores) -> path relative to dir. */
  paths: Map<string, string>;
  /** Relative path -> its dependencies' relative paths. */
  deps: Map<string, string[]>;
  /** Names of modules built into the kernel (nothing to load). */
  builtin: Set<string>;
}

/** `nf-tables`, `nf_tables.ko.xz`, `kernel/x/nf_tables.ko` all name `nf_tables`. */
export function moduleName(nameOrPath: string): string {
  return path.basename(nameOrPath).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

export function parseModulesDep(text: string): Pick<ModuleIndex, 'paths' | 'deps'> {
  const paths = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const mod = line.slice(0, colon).trim();
    const rest = line.slice(colon + 1).trim();
    deps.set(mod, rest === '' ? [] : rest.split(/\s+/));
    paths.set(moduleName(mod), mod);
  }
  return { paths, deps };
}

export function loadModuleIndex(dir: string): ModuleIndex {
  let depText: string;
  try {
    depText = fs.readFileSync(path.join(dir, 'modules.dep'), 'utf8');
  } catch {
    throw new TestbedError(`kernel modules not found (${dir}/modules.dep missing); ${SETUP_HINT}`);
  }
  let builtinText = '';
  try {
    builtinText = fs.readFileSync(path.join(dir, 'modules.builtin'), 'utf8');
  } catch {
    /* older kernels: treat nothing as builtin */
  }
  const builtin = new Set(builtinText.split('\n').filter((l) => l.trim() !== '').map(moduleName));
  return { dir, builtin, ...parseModulesDep(depText) };
}

/**
 * Resolves module names to the relative paths to load, dependencies first
 * (depth-first post-order over modules.dep), each once. Built-in modules are
 * skipped; an unknown name is an error.
 */
export function resolveModules(index: Pick<ModuleIndex, 'paths' | 'deps' | 'builtin'>, names: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (rel: string, chain: string[]): void => {
    if (seen.has(rel)) return;
    if (chain.includes(rel)) throw new TestbedError(`module dependency cycle: ${[...chain, rel].join(' -> ')}`);
    for (const dep of index.deps.get(rel) ?? []) visit(dep, [...chain, rel]);
    seen.add(rel);
    order.push(rel);
  };
  for (const name of names) {
    const n = moduleName(name);
    const rel = index.paths.get(n);
    if (rel === undefined) {
      if (index.builtin.has(n)) continue;
      throw new TestbedError(`kernel module '${name}' is neither in modules.dep nor built in`);
    }
    visit(rel, []);
  }
  return order;
}

/**
 * Reads a module file, decompressing .ko.gz/.ko.xz/.ko.zst on the host so the
 * guest's busybox insmod gets a plain .ko whatever the distro's choice.
 */
export function readModuleFile(file: string): Buffer {
  const data = fs.readFileSync(file);
  if (file.endsWith('.ko')) return data;
  if (file.endsWith('.ko.gz')) return zlib.gunzipSync(data);
  const tool = file.endsWith('.ko.xz') ? 'xz' : file.endsWith('.ko.zst') ? 'zstd' : undefined;
  if (tool === undefined) throw new TestbedError(`unknown kernel module format: ${file}`);
  try {
    return execFileSync(tool, ['-dc'], { input: data, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch {
    throw new TestbedError(`cannot decompress ${file}: '${tool}' is missing or failed; ${SETUP_HINT}`);
  }
}
