// falconctl doctor's checks (src/doctor/checks), each on a host that has
// its pathology and on one that has not: recorded in the testbed guest
// (6.12; test/fixtures/doctor) and constructed device by device.
import { strict as assert } from 'node:assert';
import { diagnose } from '../../src/doctor';
import type { Check, CheckContext } from '../../src/doctor/check';
import { irqSingleCpu, MIN_INTERRUPTS } from '../../src/doctor/checks/irq-single-cpu';
import { mtu } from '../../src/doctor/checks/mtu';
import { rpsDoubleSteering, rpsMaskSet } from '../../src/doctor/checks/rps-double-steering';
import { udpGroForwarding } from '../../src/doctor/checks/udp-gro-forwarding';
import { vethGro } from '../../src/doctor/checks/veth-gro';
import { vxlanCsumOffload } from '../../src/doctor/checks/vxlan-csum-offload';
import { vxlanUdpCsum } from '../../src/doctor/checks/vxlan-udp-csum';
import { parseInterrupts } from '../../src/doctor/facts';
import type { Finding, IrqFacts } from '../../src/doctor/types';
import { features, host, link, overlayNs, recorded, recordedHost } from './doctor-builders';

const run = (check: Check, ctx: CheckContext): Finding[] => check.run(ctx);
const ids = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.id}@${f.netns ?? '-'}/${f.device ?? '-'}`).sort();

describe('doctor: recorded testbed hosts (6.12 guest)', () => {
  it('the testbed overlay with GRO on the wire: only the 6.12 checksum-offload warning and rx-udp-gro-forwarding', () => {
    const h = recordedHost('testbed-6.12.json');
    assert.deepEqual(h.namespaces.map((n) => n.netns), [null, 'h1', 'h1c1', 'h2', 'h2c1']);
    const r = diagnose({ host: h, steered: [] });
    assert.deepEqual(ids(r.findings), [
      'udp-gro-forwarding-off@h1/w1', 'udp-gro-forwarding-off@h2/w2', 'vxlan-csum-offload-bug@h1/vx0', 'vxlan-csum-offload-bug@h2/vx0',
    ]);
    assert.equal(r.ok, false);
  });

  it('every pathology set up on h2 on purpose is flagged with its id', () => {
    const rec = recorded('pathologies-6.12.json');
    // vx0 was attached too, but recreating it (noudpcsum) detached it.
    assert.deepEqual(rec.steered, [{ ifname: 'w2', netns: 'h2' }]);
    const r = diagnose({ host: recordedHost('pathologies-6.12.json'), steered: rec.steered ?? [] });
    assert.deepEqual(ids(r.findings), [
      'mtu-overlay-too-large@h2/vc1', 'rps-double-steering@h2/w2', 'udp-gro-forwarding-off@h2/w2', 'veth-gro-off@h2/w2',
      'vxlan-csum-offload-bug@h2/vx0', 'vxlan-udp-csum-off@h2/vx0',
    ]);
    assert.equal(r.findings[0]?.severity, 'error', 'errors first');
  });
});

describe('doctor check: mtu-overlay-too-large', () => {
  it('flags a VXLAN device whose MTU plus 50 bytes exceeds its underlay, and lowers it and its bridge ports', () => {
    const [f, ...rest] = run(mtu, { host: host([overlayNs('h2', { w2: { mtu: 1450 } })]) });
    assert.equal(rest.length, 0);
    assert.equal(f?.id, 'mtu-overlay-too-large');
    assert.equal(f?.severity, 'error');
    assert.equal(f?.device, 'vx0');
    assert.deepEqual(f?.fix, ['ip -n h2 link set vx0 mtu 1400', 'ip -n h2 link set br0 mtu 1400', 'ip -n h2 link set vc1 mtu 1400']);
    assert.match(f?.evidence.join('\n') ?? '', /underlay w2: mtu 1450/);
  });

  it('counts 70 bytes over IPv6', () => {
    const v6 = { local: 'fd00::2', remote: 'fd00::1' };
    assert.equal(run(mtu, { host: host([overlayNs('h2', { vxlan: v6 })]) }).length, 1, '1450 + 70 > 1500');
    assert.equal(run(mtu, { host: host([overlayNs('h2', { vxlan: v6, vx0: { mtu: 1430 }, vc1: { mtu: 1430 } })]) }).length, 0);
  });

  it('flags a bridge port that takes larger frames than the VXLAN device', () => {
    const fs = run(mtu, { host: host([overlayNs('h2', { vc1: { mtu: 1500 } })]) });
    assert.deepEqual(ids(fs), ['mtu-overlay-too-large@h2/vc1']);
    assert.deepEqual(fs[0]?.fix, ['ip -n h2 link set vc1 mtu 1450']);
  });

  it('passes the testbed as built, and a VXLAN device whose underlay is elsewhere', () => {
    assert.deepEqual(run(mtu, { host: host([overlayNs()]) }), []);
    assert.deepEqual(run(mtu, { host: host([overlayNs('h2', { vxlan: { link: undefined, local: '198.51.100.1' } })]) }), []);
  });
});

describe('doctor check: vxlan-udp-csum-off', () => {
  it('flags noudpcsum, and the fix recreates the device with udpcsum (the flag cannot be changed live), offload kept off', () => {
    const [f] = run(vxlanUdpCsum, { host: host([overlayNs('h2', { vxlan: { udpCsum: false } })]) });
    assert.equal(f?.id, 'vxlan-udp-csum-off');
    assert.deepEqual(f?.evidence, ['ip -d link show vx0: noudpcsum']);
    assert.deepEqual(f?.fix, [
      'ip -n h2 link del vx0',
      'ip -n h2 link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.2 remote 192.0.2.1 dev w2 udpcsum',
      'ip -n h2 link set vx0 mtu 1450 master br0 up',
      'ip netns exec h2 ethtool -K vx0 tx-checksum-ip-generic off',
    ]);
    const offloadOn = overlayNs('h2', { vxlan: { udpCsum: false }, vx0: { features: features('tx-checksum-ip-generic') } });
    assert.equal(run(vxlanUdpCsum, { host: host([offloadOn]) })[0]?.fix.length, 3, 'a new device has it on anyway');
  });

  it('flags IPv6 udp6zerocsumtx; passes udpcsum', () => {
    const v6 = { local: 'fd00::2', remote: 'fd00::1', udpZeroCsum6Tx: true };
    const [f] = run(vxlanUdpCsum, { host: host([overlayNs(null, { vxlan: v6 })]) });
    assert.deepEqual(f?.evidence, ['ip -d link show vx0: udp6zerocsumtx']);
    assert.match(f?.fix[1] ?? '', /^ip link add vx0 .* noudp6zerocsumtx$/);
    assert.deepEqual(run(vxlanUdpCsum, { host: host([overlayNs()]) }), []);
  });
});

describe('doctor check: vxlan-csum-offload-bug', () => {
  const withOffload = overlayNs('h2', { vx0: { features: features('tx-checksum-ip-generic') } });
  it('is a warning on 6.12+ (Calico 11435), an error before 5.7 (Calico 3145), an info between', () => {
    const at = (release: string, kernel: [number, number]): Finding | undefined => run(vxlanCsumOffload, { host: host([withOffload], { kernelRelease: release, kernel }) })[0];
    assert.equal(at('6.12.117+deb12-amd64', [6, 12])?.severity, 'warning');
    assert.match(at('6.12.117+deb12-amd64', [6, 12])?.what ?? '', /11435/);
    assert.equal(at('5.4.0', [5, 4])?.severity, 'error');
    assert.match(at('5.4.0', [5, 4])?.what ?? '', /3145/);
    assert.equal(at('6.1.0-57-amd64', [6, 1])?.severity, 'info');
    assert.deepEqual(at('6.12.1', [6, 12])?.fix, ['ip netns exec h2 ethtool -K vx0 tx-checksum-ip-generic off']);
    assert.ok(at('6.12.1', [6, 12])?.evidence.includes('vx0: num_tx_queues 1'));
  });

  it('passes the offload off, or fixed', () => {
    assert.deepEqual(run(vxlanCsumOffload, { host: host([overlayNs()], { kernel: [6, 12] }) }), []);
    const fixed = overlayNs('h2', { vx0: { features: { 'tx-checksum-ip-generic': { on: true, fixed: true } } } });
    assert.deepEqual(run(vxlanCsumOffload, { host: host([fixed], { kernel: [6, 12] }) }), []);
  });
});

describe('doctor check: udp-gro-forwarding-off', () => {
  it('warns on a veth underlay, informs on a NIC underlay', () => {
    const veth = run(udpGroForwarding, { host: host([overlayNs('h2', { w2: { features: features('generic-receive-offload', '!rx-udp-gro-forwarding') } })]) });
    assert.deepEqual(veth.map((f) => [f.id, f.severity, f.device]), [['udp-gro-forwarding-off', 'warning', 'w2']]);
    assert.deepEqual(veth[0]?.fix, ['ip netns exec h2 ethtool -K w2 rx-udp-gro-forwarding on']);
    const nic = run(udpGroForwarding, { host: host([overlayNs('h2', { w2: { kind: undefined, features: features('!rx-udp-gro-forwarding') } })]) });
    assert.equal(nic[0]?.severity, 'info');
  });

  it('finds the underlay by the local address when the VXLAN device names no lower device', () => {
    const ns = overlayNs(null, { vxlan: { link: undefined }, w2: { features: features('!rx-udp-gro-forwarding') } });
    assert.deepEqual(ids(run(udpGroForwarding, { host: host([ns]) })), ['udp-gro-forwarding-off@-/w2']);
  });

  it('passes it on, and says nothing of devices that carry no tunnel', () => {
    assert.deepEqual(run(udpGroForwarding, { host: host([overlayNs()]) }), []);
    const noTunnel = { netns: 'x', links: [link('w9', { kind: 'veth', features: features('!rx-udp-gro-forwarding') })] };
    assert.deepEqual(run(udpGroForwarding, { host: host([noTunnel]) }), []);
  });
});

describe('doctor check: veth-gro-off', () => {
  it('warns on a veth underlay with GRO off, with its peer\'s TSO as evidence', () => {
    const ns = overlayNs('h2', { w2: { features: features('!generic-receive-offload'), peer: 'w1' } });
    const withPeer = { ...ns, links: [...ns.links, link('w1', { kind: 'veth', features: features('!tcp-segmentation-offload') })] };
    const [f] = run(vethGro, { host: host([withPeer]) });
    assert.equal(f?.id, 'veth-gro-off');
    assert.equal(f?.severity, 'warning');
    assert.deepEqual(f?.fix, ['ip netns exec h2 ethtool -K w2 gro on']);
    assert.ok(f?.evidence.includes('peer w1: tcp-segmentation-offload: off'));
  });

  it('passes GRO on, and a NIC underlay', () => {
    assert.deepEqual(run(vethGro, { host: host([overlayNs()]) }), []);
    assert.deepEqual(run(vethGro, { host: host([overlayNs('h2', { w2: { kind: undefined, features: features('!generic-receive-offload') } })]) }), []);
  });
});

describe('doctor check: rps-double-steering', () => {
  const rpsOn = overlayNs('h2', { w2: { rps: { 'rx-0': '00000000,0000000e', 'rx-1': '0' } } });
  it('flags RPS on a steered device, queue by queue', () => {
    const [f, ...rest] = run(rpsDoubleSteering, { host: host([rpsOn]), steered: [{ ifname: 'w2', netns: 'h2' }] });
    assert.equal(rest.length, 0);
    assert.equal(f?.id, 'rps-double-steering');
    assert.deepEqual(f?.evidence, ['/sys/class/net/w2/queues/rx-0/rps_cpus: 00000000,0000000e']);
    assert.deepEqual(f?.fix, ["ip netns exec h2 sh -c 'echo 0 > /sys/class/net/w2/queues/rx-0/rps_cpus'"]);
  });

  it('passes RPS on a device Falcon does not steer, or a zero mask; is skipped without falcon.ko', () => {
    assert.deepEqual(run(rpsDoubleSteering, { host: host([rpsOn]), steered: [{ ifname: 'vx0', netns: 'h2' }] }), []);
    assert.deepEqual(run(rpsDoubleSteering, { host: host([rpsOn]), steered: [{ ifname: 'w2' }] }), [], 'w2 of the own namespace is another device');
    assert.equal(rpsMaskSet('00000000,00000000'), false);
    assert.equal(rpsMaskSet('0,1'), true);
    assert.match(rpsDoubleSteering.skip?.({ host: host([rpsOn]) }) ?? '', /not loaded/);
    assert.ok(diagnose({ host: host([rpsOn]) }).skipped.some((s) => /RPS/.test(s.check)));
  });
});

describe('doctor check: irq-single-cpu', () => {
  // A 4-queue NIC whose IRQs all fire on CPU 0, and the guest's virtio devices (recorded).
  const interrupts = [
    '           CPU0       CPU1       CPU2       CPU3       ',
    ' 24:          0          0          0          0  PCI-MSIX-0000:00:02.0   0-edge      virtio0-config',
    ' 25:          0          0          0       8288  PCI-MSIX-0000:00:02.0   1-edge      virtio0-requests',
    ' 40:      51234          0          0          0  PCI-MSIX-0000:03:00.0   1-edge      eth0-TxRx-0',
    ' 41:      40211          0          0          0  PCI-MSIX-0000:03:00.0   2-edge      eth0-TxRx-1',
    ' 42:      39999          0          0          0  PCI-MSIX-0000:03:00.0   3-edge      eth0-TxRx-2',
    ' 43:      45000          0          0          0  PCI-MSIX-0000:03:00.0   4-edge      eth0-TxRx-3',
    ' 50:       9000          0          0          0  PCI-MSI-0000:04:00.0   0-edge      eth1',
    'NMI:          0          0          0          0   Non-maskable interrupts',
    'ERR:          0',
  ].join('\n');
  const table = parseInterrupts(interrupts);
  const nics = { netns: null, links: [link('eth0', { numRxQueues: 4 }), link('eth1', { irqs: [50] }), link('lo')] };
  const at = (irqs: Map<number, IrqFacts>, more = {}): Finding[] => run(irqSingleCpu, { host: host([nics], { irqs, irqCpus: table.cpus, ...more }) });

  it('warns when every active IRQ of a multi-queue NIC is on one CPU, and spreads them', () => {
    const fs = at(table.irqs);
    const eth0 = fs.find((f) => f.device === 'eth0');
    assert.equal(eth0?.severity, 'warning');
    assert.deepEqual(eth0?.fix, [
      'echo 0 > /proc/irq/40/smp_affinity_list', 'echo 1 > /proc/irq/41/smp_affinity_list',
      'echo 2 > /proc/irq/42/smp_affinity_list', 'echo 3 > /proc/irq/43/smp_affinity_list',
    ]);
    assert.match(eth0?.evidence[0] ?? '', /^IRQ 40 \(PCI-MSIX.*eth0-TxRx-0\): 51234 interrupts, all on CPU 0$/);
  });

  it('informs on a single-IRQ device (sysfs names its IRQ): only RPS or Falcon spread it', () => {
    const eth1 = at(table.irqs).find((f) => f.device === 'eth1');
    assert.equal(eth1?.severity, 'info');
    assert.deepEqual(eth1?.fix, ['falconctl attach eth1']);
  });

  it('passes spread IRQs, too few interrupts to tell, one CPU online', () => {
    const spread = new Map(table.irqs);
    spread.set(41, { ...(spread.get(41) as IrqFacts), counts: [0, 40211, 0, 0] });
    assert.deepEqual(at(spread).map((f) => f.device), ['eth1']);
    const quiet = new Map([...table.irqs].map(([n, i]) => [n, { ...i, counts: i.counts.map((c) => (c > 0 ? 1 : 0)) }]));
    assert.ok(MIN_INTERRUPTS > 4);
    assert.deepEqual(at(quiet), []);
    assert.match(irqSingleCpu.skip?.({ host: host([nics], { onlineCpus: [0] }) }) ?? '', /one CPU/);
  });

  it('a recorded host with a virtio-net NIC: sysfs names its IRQs, RX and TX on different CPUs pass; all on CPU 0 warns', () => {
    const h = recordedHost('host-virtio-nic.json');
    const eth0 = h.namespaces[0]?.links.find((l) => l.ifname === 'eth0');
    assert.deepEqual(eth0?.irqs, [37, 38, 39]);
    assert.deepEqual(h.irqs.get(37)?.affinity, [0, 1]);
    assert.deepEqual(run(irqSingleCpu, { host: h }), []);
    const oneCpu = new Map([...h.irqs].map(([n, i]) => [n, eth0?.irqs.includes(n) ? { ...i, counts: [i.counts.reduce((a, b) => a + b, 0), 0] } : i]));
    const [f] = run(irqSingleCpu, { host: { ...h, irqs: oneCpu } });
    assert.equal(f?.device, 'eth0');
    assert.equal(f?.severity, 'warning', 'virtio2-input.0 and -output.0 are both active');
    assert.deepEqual(f?.fix, ['echo 0 > /proc/irq/38/smp_affinity_list', 'echo 1 > /proc/irq/39/smp_affinity_list']);
  });

  it('the guest (virtio only, veth and VXLAN devices have no IRQs) has no finding', () => {
    assert.deepEqual(run(irqSingleCpu, { host: recordedHost('testbed-6.12.json') }), []);
  });
});
