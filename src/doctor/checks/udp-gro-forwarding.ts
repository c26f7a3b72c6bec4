// udp-gro-forwarding-off: the device a VXLAN tunnel arrives by has
// rx-udp-gro-forwarding off. On a veth (the testbed's wire, a pod's
// uplink) it decides whether UDP traffic from a peer with TSO on may take
// the veth's NAPI/GRO path at all (veth_skb_is_eligible_for_gro: the UDP
// sockets' packets, the tunnel's UDP flows among them); elsewhere it only
// matters when this host forwards the tunnel on to the namespace that owns
// its socket (GRO of UDP without a local socket needs it): an info.
import type { Check } from '../check';
import { inNetns, underlays } from '../path';
import type { Finding } from '../types';

const FEATURE = 'rx-udp-gro-forwarding';

export const udpGroForwarding: Check = {
  name: 'rx-udp-gro-forwarding on the underlay',
  ids: ['udp-gro-forwarding-off'],
  run({ host }) {
    const findings: Finding[] = [];
    for (const ns of host.namespaces) {
      for (const [name, vx] of underlays(ns)) {
        const dev = ns.links.find((l) => l.ifname === name);
        const f = dev?.features[FEATURE];
        if (!dev || !f || f.on || f.fixed) continue;
        const veth = dev.kind === 'veth';
        findings.push({
          id: 'udp-gro-forwarding-off',
          severity: veth ? 'warning' : 'info',
          netns: ns.netns,
          device: dev.ifname,
          what: veth
            ? `${vx.ifname}'s tunnel arrives by this veth with rx-udp-gro-forwarding off: UDP traffic from a peer with TSO on skips the veth's GRO and enters packet by packet`
            : `${vx.ifname}'s tunnel arrives by this device with rx-udp-gro-forwarding off: if this host forwards the tunnel to another namespace, it is not aggregated on the way`,
          evidence: [`ethtool -k ${dev.ifname}: ${FEATURE}: off`, `${vx.ifname}: underlay ${dev.ifname}${veth ? ' (veth)' : ''}`],
          fix: [inNetns(ns.netns, ['ethtool', '-K', dev.ifname, FEATURE, 'on'])],
        });
      }
    }
    return findings;
  },
};
