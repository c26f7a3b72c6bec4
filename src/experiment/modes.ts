/**
 * The modes: how the receiving host's datapath is set up for a run. The
 * guest-side setup and teardown live in guest-modes.ts.
 */
import { AttachScope, ModeId } from './types';

/** A mode's description. */
export interface ModeSpec {
  id: ModeId;
  label: string;
  /** Traffic crosses the VXLAN overlay (containers) rather than the bare wire. */
  overlay: boolean;
  /** Needs the falcon.ko module and the SDK. */
  falcon: boolean;
  /** Fewest vCPUs the mode makes sense with. */
  minCpus: number;
}

/** Every mode, in the order they run (interleaved) and print. */
export const MODES: readonly ModeSpec[] = [
  { id: 'native', label: 'native', overlay: false, falcon: false, minCpus: 1 },
  { id: 'vanilla', label: 'overlay vanilla', overlay: true, falcon: false, minCpus: 1 },
  { id: 'rps', label: 'overlay + RPS', overlay: true, falcon: false, minCpus: 2 },
  { id: 'falcon-static', label: 'overlay + Falcon static', overlay: true, falcon: true, minCpus: 2 },
  { id: 'falcon-balanced', label: 'overlay + Falcon balanced', overlay: true, falcon: true, minCpus: 2 },
];

/** Mode ids in order. */
export const MODE_IDS: readonly ModeId[] = MODES.map((m) => m.id);

/** The mode every ratio is computed against. */
export const BASELINE_MODE: ModeId = 'vanilla';

/** The spec of one mode. */
export function mode(id: ModeId): ModeSpec {
  const m = MODES.find((x) => x.id === id);
  if (m === undefined) throw new Error(`unknown mode ${id}`);
  return m;
}

/** Narrows a string to a mode id. */
export function isModeId(s: string): s is ModeId {
  return (MODE_IDS as readonly string[]).includes(s);
}

/** A device a steering mode acts on, and the Falcon stage it is attached as. */
export interface SteeredDevice {
  netns: string;
  ifname: string;
  stage: number;
}

/**
 * The devices a steering mode acts on, in path order per host: the wire end
 * (stage 0), the VXLAN device (stage 1), then the eth0 of each of the first
 * `containers` containers. Every container's eth0 is stage 2: it is the same
 * hop of the path, and the containers carry different flows, so the flow
 * hash (not the stage) already sends their last stages to different CPUs,
 * while each flow's stages 0, 1, 2 stay on different CPUs. `everywhere`
 * adds h1's devices (they receive the ACKs and replies), as operators attach
 * it on every host. `everywhere-tx` adds, on both hosts, each container's
 * host-side veth (`vc<k>`, stage 0): what a container sends (the sender's
 * data, the receiver's ACKs and replies) takes its first softirq there, and
 * that stage (bridge, VXLAN encapsulation, the wire's transmit) otherwise
 * runs on the sending application's CPU.
 */
export function steeredDevices(containers = 1, attach: AttachScope = 'receiver'): SteeredDevice[] {
  const hosts = attach === 'receiver' ? [2] : [2, 1];
  const devs: SteeredDevice[] = [];
  for (const h of hosts) {
    devs.push({ netns: `h${h}`, ifname: `w${h}`, stage: 0 }, { netns: `h${h}`, ifname: 'vx0', stage: 1 });
    for (let k = 1; k <= containers; k++) devs.push({ netns: `h${h}c${k}`, ifname: 'eth0', stage: 2 });
    if (attach === 'everywhere-tx') {
      for (let k = 1; k <= containers; k++) devs.push({ netns: `h${h}`, ifname: `vc${k}`, stage: 0 });
    }
  }
  return devs;
}

/** The receiving host's devices of the micro-benchmarks (one container). */
export const STEERED_DEVICES: readonly SteeredDevice[] = steeredDevices(1);

/** Attach scopes, the default first. */
export const ATTACH_SCOPES: readonly AttachScope[] = ['everywhere', 'receiver', 'everywhere-tx'];
