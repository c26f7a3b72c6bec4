import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CpioEntry, writeCpio } from './cpio';
import { SETUP_HINT, TestbedError } from './errors';
import { initScript, modprobeHelper } from './guest-init';
import { loadModuleIndex, moduleName, readModuleFile, resolveModules } from './modules';

/**
 * Modules the guest loads from the initramfs at boot: what it takes to mount
 * the host root over virtio-9p, plus the overlay's devices (loading them
 * early keeps the first `ip link add` fast and deterministic). Anything else
 * (nf_tables, ...) autoloads from the host's /lib/modules through the chroot.
 */
export const BOOT_MODULES: readonly string[] = ['virtio_pci', '9pnet_virtio', '9p', 'veth', 'vxlan', 'bridge'];

export const DEFAULT_BUSYBOX = '/bin/busybox';

export interface InitramfsOptions {
  modulesDir: string;
  modules?: readonly string[];
  busybox?: string;
  /** Where built archives are kept; default $XDG_CACHE_HOME/falcon-testbed or ~/.cache/falcon-testbed. */
  cacheDir?: string;
}

export interface InitramfsContents {
  entries: CpioEntry[];
  /** Module files in load order, as named inside the initramfs. */
  loadOrder: string[];
}

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'falcon-testbed');
}

/** Everything that goes into the archive, in order. */
export function initramfsContents(opts: InitramfsOptions): InitramfsContents {
  const busybox = opts.busybox ?? DEFAULT_BUSYBOX;
  let busyboxData: Buffer;
  try {
    busyboxData = fs.readFileSync(busybox);
  } catch {
    throw new TestbedError(`busybox not found at ${busybox} (package busybox-static); ${SETUP_HINT}`);
  }
  const index = loadModuleIndex(opts.modulesDir);
  const rels = resolveModules(index, opts.modules ?? BOOT_MODULES);
  const entries: CpioEntry[] = [];
  for (const d of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'mnt', 'mnt/host', 'lib', 'lib/modules']) {
    entries.push({ type: 'dir', path: d });
  }
  // The kernel opens /dev/console for init before anything is mounted.
  entries.push({ type: 'chardev', path: 'dev/console', major: 5, minor: 1 });
  entries.push({ type: 'file', path: 'bin/busybox', data: busyboxData, mode: 0o755 });
  entries.push({ type: 'symlink', path: 'bin/sh', target: 'busybox' });
  entries.push({ type: 'file', path: 'init', data: Buffer.from(initScript()), mode: 0o755 });
  entries.push({ type: 'file', path: 'sbin/falcon-modprobe', data: Buffer.from(modprobeHelper()), mode: 0o755 });
  const loadOrder: string[] = [];
  for (const rel of rels) {
    const name = `${moduleName(rel)}.ko`;
    entries.push({ type: 'file', path: `lib/modules/${name}`, data: readModuleFile(path.join(opts.modulesDir, rel)) });
    loadOrder.push(name);
  }
  entries.push({ type: 'file', path: 'modules.load', data: Buffer.from(loadOrder.map((m) => m + '\n').join('')) });
  return { entries, loadOrder };
}

/** Content hash of the archive's inputs: same inputs, same cached file. */
export function contentKey(contents: InitramfsContents): string {
  const h = createHash('sha256');
  h.update('falcon-testbed initramfs v1\0');
  for (const e of contents.entries) {
    h.update(`${e.type}\0${e.path}\0`);
    if (e.type === 'file') h.update(e.data);
    if (e.type === 'symlink') h.update(e.target);
    h.update(`\0${'mode' in e ? String(e.mode) : ''}\0`);
  }
  return h.digest('hex').slice(0, 20);
}

/**
 * Returns the path of an initramfs for these options, building it only when
 * no archive with the same content key is cached. Written atomically, so
 * parallel runs never read half a file.
 */
export function ensureInitramfs(opts: InitramfsOptions): { path: string; built: boolean } {
  const contents = initramfsContents(opts);
  const dir = opts.cacheDir ?? defaultCacheDir();
  const file = path.join(dir, `initramfs-${contentKey(contents)}.cpio`);
  if (fs.existsSync(file)) return { path: file, built: false };
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, writeCpio(contents.entries));
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { path: file, built: true };
}
