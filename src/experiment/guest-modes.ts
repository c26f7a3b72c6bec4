/** Switching the receiving host's datapath between modes in the guest: RPS masks and Falcon. */
import { Falcon } from '../api/types';
import { execOk } from './guest-exec';
import { falconOff, falconOn } from './guest-falcon';
import { SteeredDevice, STEERED_DEVICES } from './modes';
import { cpuMaskHex } from './placements';
import { ModeId } from './types';

/** Writes `mask` into every rx queue's rps_cpus of the steered devices (inside their namespaces). */
export async function setRps(mask: string, devices: readonly SteeredDevice[] = STEERED_DEVICES): Promise<void> {
  for (const d of devices) {
    // `ip netns exec` remounts /sys for the namespace, so /sys/class/net shows its devices.
    const script = `for f in /sys/class/net/${d.ifname}/queues/rx-*/rps_cpus; do echo ${mask} > "$f" || exit 1; done`;
    await execOk(['ip', 'netns', 'exec', d.netns, 'sh', '-c', script]);
  }
}

/** Puts the datapath into `mode` with steering set `steer` on `devices`. */
export async function applyMode(mode: ModeId, steer: readonly number[], falcon: Falcon | undefined, devices: readonly SteeredDevice[] = STEERED_DEVICES): Promise<void> {
  if (mode === 'rps') await setRps(cpuMaskHex(steer), devices);
  if (mode === 'falcon-static' || mode === 'falcon-balanced') {
    if (falcon === undefined) throw new Error('Falcon is not available');
    await falconOn(falcon, mode === 'falcon-static' ? 'static' : 'balanced', steer, devices);
  }
}

/** Undoes `mode`: RPS masks back to 0, Falcon detached and disabled. */
export async function clearMode(mode: ModeId, falcon: Falcon | undefined, devices: readonly SteeredDevice[] = STEERED_DEVICES): Promise<void> {
  if (mode === 'rps') await setRps('0', devices);
  if ((mode === 'falcon-static' || mode === 'falcon-balanced') && falcon !== undefined) await falconOff(falcon, devices);
}
