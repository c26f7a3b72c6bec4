// mtu-overlay-too-large: a VXLAN device whose MTU plus the tunnel's headers
// (50 bytes over IPv4, 70 over IPv6) does not fit its underlay's MTU: full
// size frames are fragmented or dropped. Also a device bridged with the
// VXLAN device with a larger MTU than it: the bridge drops the frames that
// do not fit (silently: no ICMP from a bridge), so big packets vanish.
import type { Check } from '../check';
import { bridgeNeighbours, inNetns, underlayOf, vxlanHeadroom, vxlans } from '../path';
import type { Finding } from '../types';

export const mtu: Check = {
  name: 'overlay MTU against the underlay',
  ids: ['mtu-overlay-too-large'],
  run({ host }) {
    const findings: Finding[] = [];
    for (const ns of host.namespaces) {
      for (const vx of vxlans(ns)) {
        const headroom = vxlanHeadroom(vx.vxlan);
        const under = underlayOf(ns, vx);
        if (under && vx.mtu + headroom > under.mtu) {
          const fitting = under.mtu - headroom;
          const bigger = bridgeNeighbours(ns, vx).filter((l) => l.mtu > fitting);
          findings.push({
            id: 'mtu-overlay-too-large',
            severity: 'error',
            netns: ns.netns,
            device: vx.ifname,
            what: `a full ${vx.mtu}-byte frame needs ${vx.mtu + headroom} bytes on the underlay (${headroom} of VXLAN headers), which carries ${under.mtu}: full-size packets are fragmented or dropped`,
            evidence: [`${vx.ifname}: mtu ${vx.mtu}`, `underlay ${under.ifname}: mtu ${under.mtu}`, `headroom ${headroom} (${headroom === 50 ? 'IPv4' : 'IPv6'} outer headers)`],
            // Lower the overlay (its bridge and ports with it; the containers' ends too), or raise the underlay to fit.
            fix: [vx, ...bigger].map((l) => inNetns(ns.netns, ['ip', 'link', 'set', l.ifname, 'mtu', String(fitting)])),
          });
          continue;
        }
        for (const l of bridgeNeighbours(ns, vx)) {
          if (l.mtu <= vx.mtu || l.kind === 'bridge') continue;
          findings.push({
            id: 'mtu-overlay-too-large',
            severity: 'error',
            netns: ns.netns,
            device: l.ifname,
            what: `this device is bridged with ${vx.ifname} but takes larger frames (${l.mtu} > ${vx.mtu}): the bridge drops what does not fit ${vx.ifname}, without an ICMP error`,
            evidence: [`${l.ifname}: mtu ${l.mtu}, master ${l.master as string}`, `${vx.ifname}: mtu ${vx.mtu}`],
            fix: [inNetns(ns.netns, ['ip', 'link', 'set', l.ifname, 'mtu', String(vx.mtu)])],
          });
        }
      }
    }
    return findings;
  },
};
