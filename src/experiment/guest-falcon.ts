/**
 * Falcon in the guest, through the SDK (openFalcon({ backend: 'kernel' })).
 * The SDK entry point is loaded at run time so the experiment builds and runs
 * its other modes before the SDK and module exist; `openKernelFalcon` says
 * why Falcon is unavailable instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Falcon, Policy, Stats } from '../api/types';
import { SteeredDevice, STEERED_DEVICES } from './modes';
import { FalconRunStats } from './types';

type OpenFalcon = (options: { backend: 'kernel' }) => Falcon | Promise<Falcon>;

/** The SDK's compiled entry point (dist/src/index.js), next to this file's parent. */
export function sdkEntry(): string {
  return path.join(__dirname, '..', 'index.js');
}

/** Opens the kernel backend, or returns why it cannot be used. */
export async function openKernelFalcon(): Promise<Falcon | string> {
  if (!fs.existsSync('/sys/module/falcon')) return 'falcon.ko is not loaded in the guest';
  const entry = sdkEntry();
  if (!fs.existsSync(entry)) return `the SDK (${entry}) is not built`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const sdk = require(entry) as { openFalcon?: OpenFalcon };
    if (typeof sdk.openFalcon !== 'function') return 'the SDK has no openFalcon()';
    const f = await sdk.openFalcon({ backend: 'kernel' });
    await f.getConfig();
    return f;
  } catch (e) {
    return `the SDK cannot talk to falcon.ko: ${(e as Error).message}`;
  }
}

/** Configures Falcon with `policy` on `cpus` and attaches the steered devices at their stages. */
export async function falconOn(f: Falcon, policy: Policy, cpus: readonly number[], devices: readonly SteeredDevice[] = STEERED_DEVICES): Promise<void> {
  await falconOff(f, devices);
  await f.setConfig({ enabled: true, cpus: [...cpus], policy, mode: 'stage' });
  for (const d of devices) await f.attach({ ifname: d.ifname, netns: d.netns, stage: d.stage });
  await f.resetStats();
}

/** Detaches everything and disables steering. */
export async function falconOff(f: Falcon, devices: readonly SteeredDevice[] = STEERED_DEVICES): Promise<void> {
  for (const d of devices) {
    try {
      await f.detach({ ifname: d.ifname, netns: d.netns });
    } catch {
      /* not attached */
    }
  }
  await f.setConfig({ enabled: false });
}

/** The run's Falcon counters (stats were reset when Falcon was switched on). */
export function falconRunStats(s: Stats, cpus: number): FalconRunStats {
  const processedPerCpu = new Array<number>(cpus).fill(0);
  for (const c of s.cpus) if (c.cpu < cpus) processedPerCpu[c.cpu] = c.processed;
  return {
    processedPerCpu,
    devices: s.devices.map((d) => ({
      ifname: d.ifname,
      ...(d.netns !== undefined ? { netns: d.netns } : {}),
      stage: d.stage,
      seen: d.seen,
      steered: d.steered,
      local: d.local,
      gated: d.gated,
      second: d.second,
      deferred: d.deferred,
      dropped: d.dropped,
      targets: d.targets.map((t) => ({ cpu: t.cpu, packets: t.packets })),
    })),
  };
}
