/**
 * The module as the reliability tests drive it: through the SDK (a fresh
 * kernel-backed instance per use, because the family id changes on every
 * insmod), plus module load/unload and the use count from sysfs.
 */
import * as fs from 'fs';
import { openFalcon, FalconInstance } from '../../../src';
import { FalconError } from '../../../src/api/errors';
import type { Attachment, Stats } from '../../../src/api/types';
import { falconKo } from '../guest';
import { falconCallsAs } from '../unpriv';
import { sh } from './sh';

/** Opens the kernel backend, runs fn, closes it whatever happens. */
export async function withFalcon<T>(fn: (f: FalconInstance) => Promise<T>): Promise<T> {
  const f = await openFalcon({ backend: 'kernel' });
  try {
    return await fn(f);
  } finally {
    await f.close();
  }
}

/** The errno code a promise rejects with, or 'ok' if it resolves. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof FalconError) return e.code;
    throw e;
  }
}

/**
 * Detaches everything visible to root and restores load-time defaults. An
 * attachment names its namespace only by cookie, which the shell cannot
 * read, so each device is detached by ifindex in the caller's namespace and
 * in every /run/netns namespace: detaching a *different* attached device
 * that shares the ifindex is fine (everything goes), ENOENT/ENODEV are not
 * errors here.
 */
export async function restoreDefaults(): Promise<void> {
  await withFalcon(async (f) => {
    // Each attachment names its namespace (absent: ours), so it can be detached where it is
    for (const d of await f.devices()) await outcome(f.detach({ ifindex: d.ifindex, ...(d.netns !== undefined ? { netns: d.netns } : {}) }));
    const cfg = await f.getConfig();
    await f.setConfig({
      enabled: true, cpus: cfg.onlineCpus, mode: 'stage', policy: 'balanced', threshold: 80, hysteresis: 20, intervalMs: 12, queueLimit: 1000,
    });
    await f.unpinLoad();
    await f.resetStats();
  });
}

/** What reads return to nobody (test/vm/unpriv.ts), in `netns` if given; pick on `dev` if given. */
export interface NobodysView {
  /** 'ok', or the code getConfig failed with */
  config: string;
  devices: { ifname: string; netnsCookie: number }[];
  statsDevices: { ifname: string; netnsCookie: number }[];
  cpuEntries: number;
  /** 'ok', or the code pick failed with */
  pick?: string;
}

export function readAsNobody(dev?: string, netns?: string): NobodysView {
  const [config, devices, stats, pick] = falconCallsAs('nobody', [
    { method: 'getConfig', args: [] },
    { method: 'devices', args: [] },
    { method: 'stats', args: [] },
    ...(dev === undefined ? [] : [{ method: 'pick' as const, args: [{ ifname: dev, flowHash: 0x1234 }] }]),
  ], netns);
  if (!devices?.ok || !stats?.ok) throw new Error(`nobody cannot read: ${JSON.stringify([devices, stats])}`);
  const code = (o: typeof config): string => (o === undefined ? 'missing' : o.ok ? 'ok' : o.code);
  const brief = (d: { ifname: string; netnsCookie: number }): { ifname: string; netnsCookie: number } => ({ ifname: d.ifname, netnsCookie: d.netnsCookie });
  const view: NobodysView = {
    config: code(config),
    devices: (devices.value as Attachment[]).map(brief),
    statsDevices: (stats.value as Stats).devices.map(brief),
    cpuEntries: (stats.value as Stats).cpus.length,
  };
  if (dev !== undefined) view.pick = code(pick);
  return view;
}

export function koPath(): string {
  return falconKo();
}

export function moduleLoaded(): boolean {
  return fs.existsSync('/sys/module/falcon');
}

export function refcnt(): number {
  return Number(fs.readFileSync('/sys/module/falcon/refcnt', 'utf8').trim());
}

export function insmod(): void {
  if (!moduleLoaded()) sh(['insmod', koPath()]);
}

export function rmmod(): void {
  sh(['rmmod', 'falcon']);
}
