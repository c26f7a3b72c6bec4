// The overlay path as doctor reads it from a namespace's devices: each
// VXLAN device, the underlay device that carries its tunnel, the bridge and
// ports beside it; and how a fix command is written for a namespace.
import type { Link, NetnsFacts, VxlanInfo } from './types';

/** Bytes VXLAN adds around an inner frame: outer IPv4 (20) or IPv6 (40), UDP 8, VXLAN 8, inner Ethernet 14. */
export const VXLAN_HEADROOM_IPV4 = 50;
export const VXLAN_HEADROOM_IPV6 = 70;

/** Whether the tunnel's outer headers are IPv6. */
export function vxlanIsIpv6(v: VxlanInfo): boolean {
  return [v.local, v.remote, v.group].some((a) => a !== undefined && a.includes(':'));
}

/** What VXLAN adds to each inner frame on the underlay. */
export function vxlanHeadroom(v: VxlanInfo): number {
  return vxlanIsIpv6(v) ? VXLAN_HEADROOM_IPV6 : VXLAN_HEADROOM_IPV4;
}

/** The namespace's VXLAN devices. */
export function vxlans(ns: NetnsFacts): (Link & { readonly vxlan: VxlanInfo })[] {
  return ns.links.filter((l): l is Link & { readonly vxlan: VxlanInfo } => l.vxlan !== undefined);
}

/**
 * The device a VXLAN's tunnel leaves and arrives by: its lower device (`dev`
 * at creation), else the device holding its local address. Undefined when
 * neither is in this namespace (routed elsewhere, or not given).
 */
export function underlayOf(ns: NetnsFacts, vx: Link & { readonly vxlan: VxlanInfo }): Link | undefined {
  const byName = vx.vxlan.link !== undefined ? ns.links.find((l) => l.ifname === vx.vxlan.link) : undefined;
  if (byName) return byName;
  const local = vx.vxlan.local;
  return local !== undefined ? ns.links.find((l) => l.ifname !== vx.ifname && l.addresses.includes(local)) : undefined;
}

/** The other devices of the bridge a device is enslaved to, and the bridge itself. */
export function bridgeNeighbours(ns: NetnsFacts, dev: Link): Link[] {
  if (dev.master === undefined) return [];
  return ns.links.filter((l) => l.ifname !== dev.ifname && (l.ifname === dev.master || l.master === dev.master));
}

/** The namespace's underlay devices, each with the (first) VXLAN device whose tunnel it carries. */
export function underlays(ns: NetnsFacts): Map<string, Link & { readonly vxlan: VxlanInfo }> {
  const out = new Map<string, Link & { readonly vxlan: VxlanInfo }>();
  for (const vx of vxlans(ns)) {
    const u = underlayOf(ns, vx);
    if (u && !out.has(u.ifname)) out.set(u.ifname, vx);
  }
  return out;
}

/** A word for a shell command line, quoted only where it must be. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

/** A command run in a namespace: `ip -n NS ...` for ip, `ip netns exec NS ...` for anything else. */
export function inNetns(netns: string | null, argv: readonly string[]): string {
  if (netns === null) return argv.map(shellWord).join(' ');
  if (argv[0] === 'ip') return ['ip', '-n', netns, ...argv.slice(1)].map(shellWord).join(' ');
  return ['ip', 'netns', 'exec', netns, ...argv].map(shellWord).join(' ');
}

/** A shell snippet (redirections and all) run in a namespace. */
export function shInNetns(netns: string | null, script: string): string {
  return netns === null ? script : `ip netns exec ${shellWord(netns)} sh -c ${shellWord(script)}`;
}

/** "vx0" or "h2/vx0": a device as findings name it for people. */
export function deviceText(netns: string | null, ifname: string | null): string {
  if (ifname === null) return netns ?? '-';
  return netns === null ? ifname : `${netns}/${ifname}`;
}

/**
 * A device's place on a host's receive path, lowest first: the underlay
 * (the NIC, or the testbed's wire veth), then the VXLAN device, then the
 * bridge, then the host's other devices (bridge ports), then devices of
 * namespaces not read (containers). The order Falcon's stages follow.
 */
export function pathRank(namespaces: readonly NetnsFacts[], ifname: string, netns: string | null): number {
  const ns = namespaces.find((n) => n.netns === netns);
  const dev = ns?.links.find((l) => l.ifname === ifname);
  if (!ns || !dev) return 4;
  if (underlays(ns).has(ifname)) return 0;
  if (dev.vxlan) return 1;
  if (dev.kind === 'bridge') return 2;
  // A container's end of a veth read in its own namespace (--all-netns):
  // after every host device.
  return vxlans(ns).length > 0 || ns.links.some((l) => l.master !== undefined) ? 3 : 4;
}

/** The falconctl command that steers a device. */
export function attachCommand(ifname: string, netns: string | null): string {
  return ['falconctl', 'attach', ifname, ...(netns !== null ? ['--netns', netns] : [])].map(shellWord).join(' ');
}
