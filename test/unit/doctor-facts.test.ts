// How doctor reads a host: ethtool -k text, /proc/interrupts, the collector
// script's sectioned output, kernel versions, and recordings (--facts) with
// a clear error for a wrong file. Also collect() over an injected reader.
import { strict as assert } from 'node:assert';
import { collect } from '../../src/doctor';
import type { HostReader } from '../../src/doctor';
import { FactsError, kernelAtLeast, kernelVersion, parseEthtoolFeatures, parseHost, parseInterrupts } from '../../src/doctor/facts';
import { parseNetnsScript, ReadError } from '../../src/doctor/reader';
import { parseRecording, recordingText } from '../../src/doctor/recording';
import type { RawNetns } from '../../src/doctor/types';
import { recorded } from './doctor-builders';

const ETHTOOL = `Features for vx0:
rx-checksumming: on
tx-checksumming: on
\ttx-checksum-ipv4: off [fixed]
\ttx-checksum-ip-generic: on
generic-receive-offload: on
rx-udp-gro-forwarding: off
rx-gro-list: off [requested on]
`;

describe('doctor: reading facts', () => {
  it('ethtool -k: on/off and [fixed], sub-features too', () => {
    const f = parseEthtoolFeatures(ETHTOOL);
    assert.deepEqual(f['tx-checksum-ip-generic'], { on: true, fixed: false });
    assert.deepEqual(f['tx-checksum-ipv4'], { on: false, fixed: true });
    assert.deepEqual(f['rx-udp-gro-forwarding'], { on: false, fixed: false });
    assert.deepEqual(f['rx-gro-list'], { on: false, fixed: false });
    assert.equal(f['Features for vx0'], undefined);
  });

  it('/proc/interrupts: numbered IRQs with per-CPU counts and their description; summary rows skipped', () => {
    const { cpus, irqs } = parseInterrupts(recorded('testbed-6.12.json').host.interrupts);
    assert.deepEqual(cpus, [0, 1, 2, 3]);
    const requests = [...irqs.values()].find((i) => /virtio0-requests/.test(i.name));
    assert.ok(requests && requests.counts.length === 4);
    assert.ok(![...irqs.keys()].some(Number.isNaN));
  });

  it('kernel versions', () => {
    assert.deepEqual(kernelVersion('6.12.117+deb12-amd64'), [6, 12]);
    assert.ok(kernelAtLeast([6, 12], 6, 12) && kernelAtLeast([7, 0], 6, 12) && !kernelAtLeast([6, 1], 6, 12) && !kernelAtLeast([5, 6], 5, 7));
    assert.throws(() => kernelVersion('linux'), FactsError);
  });

  it('the collector script\'s output: ip JSON, per-device ethtool, rps_cpus, IRQs', () => {
    const text = ['@@ipaddr', '[{"ifindex":1,"ifname":"lo","mtu":65536}]', '@@ethtool lo', ETHTOOL.trim(), '@@rps lo rx-0 00000000,00000003', '@@irqs lo 24 25 ', '@@ethtool eth0', 'gro: on'].join('\n');
    const raw = parseNetnsScript('h2', text);
    assert.equal(raw.ipAddr, '[{"ifindex":1,"ifname":"lo","mtu":65536}]');
    assert.match(raw.ethtool['lo'] ?? '', /tx-checksum-ip-generic: on/);
    assert.deepEqual(raw.rps, { lo: { 'rx-0': '00000000,00000003' } });
    assert.deepEqual(raw.irqs, { lo: [24, 25] });
    assert.throws(() => parseNetnsScript(null, '@@missing ethtool\n'), (e: unknown) => e instanceof ReadError && /apt-get install ethtool/.test(e.message));
    assert.throws(() => parseNetnsScript('h2', '@@ipaddr\n'), /printed nothing in netns h2/);
  });

  it('a recording round-trips; a wrong one is a FactsError naming what is wrong', () => {
    const rec = recorded('testbed-6.12.json');
    assert.deepEqual(parseRecording(recordingText(rec), 'x'), rec);
    assert.throws(() => parseRecording('{', 'f.json'), /f\.json is not JSON/);
    assert.throws(() => parseRecording('{"hosts": {}}', 'f.json'), /not a doctor recording/);
    const bad = JSON.parse(recordingText(rec)) as { host: { namespaces: Record<string, unknown>[] } };
    (bad.host.namespaces[1] as Record<string, unknown>)['rps'] = { w1: { 'rx-0': 3 } };
    assert.throws(() => parseRecording(JSON.stringify(bad), 'f.json'), /host\.namespaces\[1\]\.rps/);
    const first = rec.host.namespaces[0] as RawNetns;
    assert.throws(() => parseHost({ ...rec.host, namespaces: [{ ...first, ipAddr: 'nope' }] }), /printed no JSON/);
  });

  it('collect() reads the namespaces the scope names through the reader, and the IRQs they name', async () => {
    const asked: (string | null)[] = [];
    let irqsAsked: readonly number[] = [];
    const reader: HostReader = {
      listNetns: async () => ['h1', 'h2'],
      readNetns: async (netns) => {
        asked.push(netns);
        const irqs: Record<string, number[]> = netns === 'h2' ? { eth9: [40, 41] } : {};
        return { netns, ipAddr: '[]', ethtool: {}, rps: {}, irqs };
      },
      readHost: async (irqs) => {
        irqsAsked = irqs;
        return { kernelRelease: '6.1.0', onlineCpus: '0-1', interrupts: '', irqAffinity: {} };
      },
    };
    const all = await collect(reader, { kind: 'all' });
    assert.deepEqual(asked, [null, 'h1', 'h2']);
    assert.deepEqual(irqsAsked, [40, 41]);
    assert.deepEqual(all.namespaces.map((n) => n.netns), [null, 'h1', 'h2']);
    asked.length = 0;
    await collect(reader, { kind: 'netns', name: 'h2' });
    await collect(reader, { kind: 'own' });
    assert.deepEqual(asked, ['h2', null]);
  });
});
