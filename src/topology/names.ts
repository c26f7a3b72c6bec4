/**
 * The testbed topology's names and addresses. Users, tests and the README rely
 * on exactly these; change them only together.
 *
 *   h1 (netns)                                     h2 (netns)
 *   ┌──────────────────────────┐  veth wire  ┌──────────────────────────┐
 *   │ w1 192.0.2.1/24 ─────────┼─────────────┼─ w2 192.0.2.2/24         │
 *   │ vx0 (VNI 42, udp 4789)   │             │ vx0 (VNI 42, udp 4789)   │
 *   │  └ br0 ─ vc1 ┐           │             │  └ br0 ─ vc1 ┐           │
 *   └──────────────┼───────────┘             └──────────────┼───────────┘
 *     h1c1 (netns): eth0 10.0.1.1/16               h2c1: eth0 10.0.2.1/16
 */
export const HOSTS = [1, 2] as const;
export type HostIndex = (typeof HOSTS)[number];

export const VNI = 42;
export const VXLAN_PORT = 4789;
/** MTU inside the overlay: 1500 minus VXLAN's 50 bytes of outer headers. */
export const OVERLAY_MTU = 1450;
export const BRIDGE = 'br0';
export const VXLAN_DEV = 'vx0';
export const CONTAINER_DEV = 'eth0';

export function hostNs(i: HostIndex): string {
  return `h${i}`;
}
export function wireDev(i: HostIndex): string {
  return `w${i}`;
}
export function wireAddr(i: HostIndex): string {
  return `192.0.2.${i}`;
}
export const WIRE_PREFIX = 24;
export function containerNs(i: HostIndex, k: number): string {
  return `h${i}c${k}`;
}
/** The container's veth end in the host's bridge. */
export function bridgePort(k: number): string {
  return `vc${k}`;
}
export function containerAddr(i: HostIndex, k: number): string {
  return `10.0.${i}.${k}`;
}
export const CONTAINER_PREFIX = 16;
export function peerOf(i: HostIndex): HostIndex {
  return i === 1 ? 2 : 1;
}

/** Netns names this tool owns (and `down` removes). */
export const OWNED_NS = /^h[12](c\d+)?$/;

/** Containers per host are numbered 1..N; 10.0.I.K needs K <= 254. */
export const MAX_CONTAINERS = 254;
