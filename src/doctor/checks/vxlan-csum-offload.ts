// vxlan-csum-offload-bug: a VXLAN device that offloads the inner checksum
// (ethtool: tx-checksum-ip-generic on) on a kernel where that is known to go
// wrong. Calico issue 3145: before 5.7 it corrupts the checksums of NATed
// (MASQUERADE --random-fully) flows, which stall. Calico issue 11435: on
// 6.12+ a single VXLAN tunnel (one TX queue) with it on runs at 50-300
// Mbit/s and at line rate once it is off. Calico disabled the offload on
// every kernel (PR 6842), re-enabled it above 5.7 (PR 8746) and disabled it
// again (PR 9036): between 5.7 and 6.12 no failure is reported, so that is
// only an info.
import type { Check } from '../check';
import { kernelAtLeast } from '../facts';
import { inNetns, vxlans } from '../path';
import type { Finding, Severity } from '../types';

const FEATURE = 'tx-checksum-ip-generic';

function verdict(kernel: readonly [number, number]): { severity: Severity; what: string } {
  if (!kernelAtLeast(kernel, 5, 7)) {
    return {
      severity: 'error',
      what: 'VXLAN checksum offload is on, and kernels before 5.7 corrupt the inner checksums of NATed flows (MASQUERADE --random-fully): their connections stall (Calico issue 3145)',
    };
  }
  if (kernelAtLeast(kernel, 6, 12)) {
    return {
      severity: 'warning',
      what: 'VXLAN checksum offload is on, and on kernels 6.12+ a single VXLAN tunnel with it on is reported to run at 50-300 Mbit/s and at line rate with it off (Calico issue 11435)',
    };
  }
  return {
    severity: 'info',
    what: 'VXLAN checksum offload is on; no failure is reported on this kernel, but Calico turns it off by default on every kernel (PR 9036 undid PR 8746): turn it off if cross-host flows stall or crawl',
  };
}

export const vxlanCsumOffload: Check = {
  name: 'vxlan checksum offload',
  ids: ['vxlan-csum-offload-bug'],
  run({ host }) {
    const findings: Finding[] = [];
    for (const ns of host.namespaces) {
      for (const vx of vxlans(ns)) {
        const f = vx.features[FEATURE];
        if (!f?.on || f.fixed) continue;
        const { severity, what } = verdict(host.kernel);
        findings.push({
          id: 'vxlan-csum-offload-bug',
          severity,
          netns: ns.netns,
          device: vx.ifname,
          what,
          evidence: [
            `ethtool -k ${vx.ifname}: ${FEATURE}: on`,
            `kernel ${host.kernelRelease}`,
            ...(vx.numTxQueues !== undefined ? [`${vx.ifname}: num_tx_queues ${vx.numTxQueues}`] : []),
          ],
          fix: [inNetns(ns.netns, ['ethtool', '-K', vx.ifname, FEATURE, 'off'])],
        });
      }
    }
    return findings;
  },
};
