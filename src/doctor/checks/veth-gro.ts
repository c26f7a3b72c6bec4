// veth-gro-off: a veth that carries a VXLAN tunnel with GRO off. A veth
// only has NAPI (and so GRO) while GRO is on (veth_gro_requested()): with
// it off every packet crossing it goes through the backlog one by one, and
// only what the peer already sent as one GSO packet arrives aggregated.
// A peer with TSO off (a NIC-like underlay), or UDP flows in the tunnel,
// then reach the VXLAN device unaggregated.
import type { Check } from '../check';
import { inNetns, underlays } from '../path';
import type { Finding } from '../types';

export const vethGro: Check = {
  name: 'GRO on veth underlays',
  ids: ['veth-gro-off'],
  run({ host }) {
    const findings: Finding[] = [];
    for (const ns of host.namespaces) {
      for (const [name, vx] of underlays(ns)) {
        const dev = ns.links.find((l) => l.ifname === name);
        const gro = dev?.features['generic-receive-offload'];
        if (!dev || dev.kind !== 'veth' || !gro || gro.on || gro.fixed) continue;
        const peer = dev.peer !== undefined ? ns.links.find((l) => l.ifname === dev.peer) : undefined;
        const peerTso = peer?.features['tcp-segmentation-offload'];
        findings.push({
          id: 'veth-gro-off',
          severity: 'warning',
          netns: ns.netns,
          device: dev.ifname,
          what: `${vx.ifname}'s tunnel arrives by this veth with GRO off: the veth has no NAPI, so nothing its peer did not send as GSO is aggregated before decapsulation`,
          evidence: [
            `ethtool -k ${dev.ifname}: generic-receive-offload: off`,
            `${vx.ifname}: underlay ${dev.ifname} (veth)`,
            ...(peer && peerTso ? [`peer ${peer.ifname}: tcp-segmentation-offload: ${peerTso.on ? 'on' : 'off'}`] : []),
          ],
          fix: [inNetns(ns.netns, ['ethtool', '-K', dev.ifname, 'gro', 'on'])],
        });
      }
    }
    return findings;
  },
};
