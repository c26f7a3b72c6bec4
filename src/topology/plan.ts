/**
 * Turns a topology request into the `ip`/`ethtool` commands that build it.
 * Pure, so tests check the exact commands without a VM.
 */
import {
  BRIDGE,
  bridgePort,
  CONTAINER_DEV,
  CONTAINER_PREFIX,
  containerAddr,
  containerNs,
  HOSTS,
  hostNs,
  MAX_CONTAINERS,
  OVERLAY_MTU,
  peerOf,
  VNI,
  VXLAN_DEV,
  VXLAN_PORT,
  wireAddr,
  wireDev,
  WIRE_PREFIX,
} from './names';

export type TopologyKind = 'overlay' | 'native';

export interface TopologySpec {
  kind: TopologyKind;
  /** Containers per host (overlay only); default 1. */
  containers?: number;
  /** Put the wire's veth in NAPI/GRO mode (closer to a real NIC's first stage). */
  gro?: boolean;
}

/** One command: argv[0] is the program (`ip` or `ethtool`). */
export type Command = readonly string[];

function wire(gro: boolean): Command[] {
  const cmds: Command[] = [];
  for (const i of HOSTS) cmds.push(['ip', 'netns', 'add', hostNs(i)]);
  cmds.push(['ip', 'link', 'add', wireDev(1), 'netns', hostNs(1), 'type', 'veth', 'peer', 'name', wireDev(2), 'netns', hostNs(2)]);
  for (const i of HOSTS) {
    const n = hostNs(i);
    cmds.push(['ip', '-n', n, 'link', 'set', 'lo', 'up']);
    cmds.push(['ip', '-n', n, 'addr', 'add', `${wireAddr(i)}/${WIRE_PREFIX}`, 'dev', wireDev(i)]);
    cmds.push(['ip', '-n', n, 'link', 'set', wireDev(i), 'up']);
    if (gro) cmds.push(['ip', 'netns', 'exec', n, 'ethtool', '-K', wireDev(i), 'gro', 'on']);
  }
  return cmds;
}

function overlayHost(i: (typeof HOSTS)[number], containers: number): Command[] {
  const n = hostNs(i);
  const cmds: Command[] = [
    ['ip', '-n', n, 'link', 'add', BRIDGE, 'type', 'bridge'],
    // Point-to-point VXLAN (explicit remote): no multicast/flooding, so the
    // first packets are not lost to FDB learning.
    ['ip', '-n', n, 'link', 'add', VXLAN_DEV, 'type', 'vxlan', 'id', String(VNI), 'dstport', String(VXLAN_PORT),
      'local', wireAddr(i), 'remote', wireAddr(peerOf(i)), 'dev', wireDev(i)],
    ['ip', '-n', n, 'link', 'set', VXLAN_DEV, 'mtu', String(OVERLAY_MTU), 'master', BRIDGE, 'up'],
    ['ip', '-n', n, 'link', 'set', BRIDGE, 'mtu', String(OVERLAY_MTU), 'up'],
  ];
  for (let k = 1; k <= containers; k++) {
    const c = containerNs(i, k);
    cmds.push(
      ['ip', 'netns', 'add', c],
      ['ip', '-n', n, 'link', 'add', bridgePort(k), 'mtu', String(OVERLAY_MTU), 'type', 'veth', 'peer', 'name', CONTAINER_DEV, 'netns', c],
      ['ip', '-n', n, 'link', 'set', bridgePort(k), 'master', BRIDGE, 'up'],
      ['ip', '-n', c, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', c, 'link', 'set', CONTAINER_DEV, 'mtu', String(OVERLAY_MTU), 'up'],
      ['ip', '-n', c, 'addr', 'add', `${containerAddr(i, k)}/${CONTAINER_PREFIX}`, 'dev', CONTAINER_DEV],
    );
  }
  return cmds;
}

/** Commands that build the topology from nothing (run `down` first). */
export function planUp(spec: TopologySpec): Command[] {
  const containers = spec.containers ?? 1;
  if (!Number.isInteger(containers) || containers < 1 || containers > MAX_CONTAINERS) {
    throw new RangeError(`containers must be an integer from 1 to ${MAX_CONTAINERS}, got ${containers}`);
  }
  const cmds = wire(spec.gro === true);
  if (spec.kind === 'overlay') for (const i of HOSTS) cmds.push(...overlayHost(i, containers));
  return cmds;
}

/** Commands that remove the given namespaces (their devices go with them). */
export function planDown(existingNs: readonly string[]): Command[] {
  return existingNs.map((n) => ['ip', 'netns', 'del', n]);
}
