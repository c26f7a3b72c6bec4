// Hosts for doctor's unit tests: recorded ones (test/fixtures/doctor,
// written in the testbed guest by falconctl doctor --save-facts) and small
// constructed ones, one device at a time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHost } from '../../src/doctor/facts';
import { parseRecording } from '../../src/doctor/recording';
import type { FeatureState, HostFacts, IrqFacts, Link, NetnsFacts, Recording, VxlanInfo } from '../../src/doctor/types';

/** test/fixtures/doctor/<name> (the tests run from dist/). */
export function fixturePath(name: string): string {
  return path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'doctor', name);
}

export function recorded(name: string): Recording {
  return parseRecording(fs.readFileSync(fixturePath(name), 'utf8'), name);
}

export function recordedHost(name: string): HostFacts {
  return parseHost(recorded(name).host);
}

const on: FeatureState = { on: true, fixed: false };
const off: FeatureState = { on: false, fixed: false };

/** ethtool features from "name" (on) / "!name" (off) words. */
export function features(...words: string[]): Record<string, FeatureState> {
  return Object.fromEntries(words.map((w) => (w.startsWith('!') ? [w.slice(1), off] : [w, on])));
}

export function link(ifname: string, more: Partial<Link> = {}): Link {
  return { ifindex: 1, ifname, mtu: 1500, up: true, addresses: [], features: {}, rps: {}, irqs: [], ...more };
}

/** The testbed's host h2 as devices: wire veth w2, vx0 over it in br0, port vc1. */
export function overlayNs(netns: string | null = 'h2', over: {
  w2?: Partial<Link>; vx0?: Partial<Link>; vxlan?: Partial<VxlanInfo>; vc1?: Partial<Link>;
} = {}): NetnsFacts {
  return {
    netns,
    links: [
      link('lo', { kind: undefined, mtu: 65536 }),
      link('w2', { kind: 'veth', addresses: ['192.0.2.2'], features: features('generic-receive-offload', 'rx-udp-gro-forwarding'), ...over.w2 }),
      link('br0', { kind: 'bridge', mtu: 1450 }),
      link('vx0', {
        kind: 'vxlan', mtu: 1450, master: 'br0', numTxQueues: 1, features: features('!tx-checksum-ip-generic'),
        vxlan: { id: 42, port: 4789, local: '192.0.2.2', remote: '192.0.2.1', link: 'w2', udpCsum: true, ...over.vxlan },
        ...over.vx0,
      }),
      link('vc1', { kind: 'veth', mtu: 1450, master: 'br0', ...over.vc1 }),
    ],
  };
}

export function host(namespaces: NetnsFacts[], more: Partial<HostFacts> = {}): HostFacts {
  return {
    kernelRelease: '6.1.0-57-amd64', kernel: [6, 1], onlineCpus: [0, 1, 2, 3], irqCpus: [0, 1, 2, 3],
    irqs: new Map<number, IrqFacts>(), namespaces, ...more,
  };
}
