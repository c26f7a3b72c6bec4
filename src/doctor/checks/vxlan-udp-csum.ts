// vxlan-udp-csum-off: a VXLAN device that sends its outer UDP header with a
// zero checksum (ip -d link: noudpcsum; IPv6: udp6zerocsumtx). A receiver
// that forwards the tunnel (to a namespace or VM that owns the VXLAN
// socket) cannot GRO it: udp_gro_receive_segment() refuses a zero checksum
// "for symmetry with GSO". One that terminates it can still aggregate, but
// cannot turn the outer checksum into CHECKSUM_COMPLETE for the inner
// packet, so GRO checksums every inner segment in software. The flag cannot
// be changed on a live device (vxlan: "Cannot change UDP_CSUM flag"): the
// fix recreates it.
import type { Check } from '../check';
import { inNetns, vxlanIsIpv6, vxlans } from '../path';
import type { Finding, Link, VxlanInfo } from '../types';

/** `ip link add` for the same VXLAN device with outer checksums on. */
export function recreateCommands(netns: string | null, vx: Link & { readonly vxlan: VxlanInfo }): string[] {
  const v = vx.vxlan;
  const ipv6 = vxlanIsIpv6(v);
  const add = ['ip', 'link', 'add', vx.ifname, 'type', 'vxlan', 'id', String(v.id), 'dstport', String(v.port)];
  if (v.local !== undefined) add.push('local', v.local);
  if (v.remote !== undefined) add.push('remote', v.remote);
  if (v.group !== undefined) add.push('group', v.group);
  if (v.link !== undefined) add.push('dev', v.link);
  if (v.ttl !== undefined && v.ttl !== 0) add.push('ttl', String(v.ttl));
  if (v.learning === false) add.push('nolearning');
  add.push(ipv6 ? 'noudp6zerocsumtx' : 'udpcsum');
  const set = ['ip', 'link', 'set', vx.ifname, 'mtu', String(vx.mtu), ...(vx.master !== undefined ? ['master', vx.master] : []), ...(vx.up ? ['up'] : [])];
  const commands = [inNetns(netns, ['ip', 'link', 'del', vx.ifname]), inNetns(netns, add), inNetns(netns, set)];
  // A new device starts with the checksum offload on: keep it off where it was.
  const offload = vx.features['tx-checksum-ip-generic'];
  if (offload && !offload.on && !offload.fixed) commands.push(inNetns(netns, ['ethtool', '-K', vx.ifname, 'tx-checksum-ip-generic', 'off']));
  return commands;
}

export const vxlanUdpCsum: Check = {
  name: 'vxlan outer UDP checksum',
  ids: ['vxlan-udp-csum-off'],
  run({ host }) {
    const findings: Finding[] = [];
    for (const ns of host.namespaces) {
      for (const vx of vxlans(ns)) {
        const ipv6 = vxlanIsIpv6(vx.vxlan);
        const off = ipv6 ? vx.vxlan.udpZeroCsum6Tx === true : vx.vxlan.udpCsum === false;
        if (!off) continue;
        findings.push({
          id: 'vxlan-udp-csum-off',
          severity: 'warning',
          netns: ns.netns,
          device: vx.ifname,
          what: 'the tunnel is sent with zero outer UDP checksums: a receiver that forwards it cannot GRO it, and one that terminates it must checksum every inner segment in software',
          evidence: [`ip -d link show ${vx.ifname}: ${ipv6 ? 'udp6zerocsumtx' : 'noudpcsum'}`],
          // Recreating drops its FDB entries; the flag cannot be changed in place.
          fix: recreateCommands(ns.netns, vx),
        });
      }
    }
    return findings;
  },
};
