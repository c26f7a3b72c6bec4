// doctor's single-cpu-bound finding: pure over a Profile (src/profile/types.ts),
// so these profiles are constructed: one flow's three stages on a saturated
// CPU while others idle, and the cases that are not that.
import { strict as assert } from 'node:assert';
import { BUSY_SHARE, IDLE_SHARE, singleCpuBound, singleCpuBoundCheck } from '../../src/doctor/checks/single-cpu-bound';
import { pathRank } from '../../src/doctor/path';
import type { CpuProfile, FlowProfile, Profile } from '../../src/profile/types';
import { host, link, overlayNs } from './doctor-builders';

const MS = 1000;
const stage = (ifname: string, netns: string | null, packets: number, ns: number) => ({ ifname, ifindex: 2, netns, netns_cookie: 1, packets, ns });

/** CPU `cpu` busy for `share` of the profile's time with the given stages. */
function cpu(n: number, share: number, stages: CpuProfile['stages'] = []): CpuProfile {
  return { cpu: n, net_rx_count: 1000, net_rx_ns: share * MS * 1e6, stages };
}

/** One TCP flow whose stages (container's eth0 listed first: the profile's order is not the path's) ran on `on`. */
function flow(on: number, packets = 90_000): FlowProfile {
  return {
    proto: 'tcp', src: '10.0.1.1', sport: 5201, dst: '10.0.2.1', dport: 40000, packets,
    stages: [
      { ifname: 'eth0', netns: 'h2c1', cpu: on, packets, ns_per_packet: 2100 },
      { ifname: 'vx0', netns: 'h2', cpu: on, packets, ns_per_packet: 950.4 },
      { ifname: 'w2', netns: 'h2', cpu: on, packets, ns_per_packet: 600 },
    ],
  };
}

function profile(cpus: readonly CpuProfile[], flows: FlowProfile[] = [flow(1)], falcon = false): Profile {
  return { duration_ms: MS, source: 'mock', falcon, cpus, queue_wait: [], top_flows: flows };
}

const hotStages = [stage('eth0', 'h2c1', 90_000, 189e6), stage('vx0', 'h2', 90_000, 85e6), stage('w2', 'h2', 90_000, 54e6)];
const bound = (): Profile => profile([cpu(0, 0.05), cpu(1, 0.95, hotStages), cpu(2, 0), cpu(3, 0.1)]);
const online = [0, 1, 2, 3];
// The testbed's h2 as facts: w2 (underlay) < vx0 < the container's eth0 (a namespace not read).
const facts = host([overlayNs('h2')]);
const rank = (ifname: string, netns: string | null): number => pathRank(facts.namespaces, ifname, netns);

describe('doctor: single-cpu-bound from a profile', () => {
  it('flags a flow bound by one CPU\'s NET_RX while others idle, and attaches its devices in path order', () => {
    const [f, ...rest] = singleCpuBound(bound(), { onlineCpus: online, rank });
    assert.equal(rest.length, 0);
    assert.equal(f?.id, 'single-cpu-bound');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.what ?? '', /^flow tcp 10\.0\.1\.1:5201 > 10\.0\.2\.1:40000 is bound by CPU 1's NET_RX \(95% busy\) while CPUs 0,2-3 idle/);
    assert.deepEqual(f?.fix, [
      'modprobe falcon', 'falconctl attach w2 --netns h2', 'falconctl attach vx0 --netns h2', 'falconctl attach eth0 --netns h2c1', 'falconctl enable',
    ]);
    assert.deepEqual(f?.evidence, [
      'CPU 1: NET_RX 95% of 1000 ms (1000 runs)',
      'idle (NET_RX < 30%): CPU 0 5%, CPU 2 0%, CPU 3 10%',
      'stages on CPU 1: h2/w2 600 ns/packet, h2/vx0 950 ns/packet, h2c1/eth0 2100 ns/packet',
    ]);
  });

  it('leaves out devices Falcon steers already; with all steered it asks for falconctl status', () => {
    const p = { ...bound(), falcon: true };
    const [f] = singleCpuBound(p, { onlineCpus: online, rank, steered: [{ ifname: 'w2', netns: 'h2' }] });
    assert.deepEqual(f?.fix, ['falconctl attach vx0 --netns h2', 'falconctl attach eth0 --netns h2c1']);
    const all = [{ ifname: 'w2', netns: 'h2' }, { ifname: 'vx0', netns: 'h2' }, { ifname: 'eth0', netns: 'h2c1' }];
    const [g] = singleCpuBound(p, { onlineCpus: online, rank, steered: all });
    assert.deepEqual(g?.fix, ['falconctl status']);
    assert.match(g?.what ?? '', /steers its devices already/);
  });

  it('without flows, takes the busy CPU\'s own stages', () => {
    const [f] = singleCpuBound(profile(bound().cpus, []), { onlineCpus: online, rank });
    assert.match(f?.what ?? '', /^receive work is bound by CPU 1/);
    assert.equal(f?.fix.length, 5);
  });

  it('passes a CPU below the busy share, a host with no idle CPU, a single stage, a flow spread already', () => {
    const none = (p: Profile, onlineCpus = online): void => assert.deepEqual(singleCpuBound(p, { onlineCpus, rank }), []);
    none(profile([cpu(0, 0.05), cpu(1, BUSY_SHARE - 0.01, hotStages), cpu(2, 0), cpu(3, 0)]));
    none(profile([cpu(0, IDLE_SHARE), cpu(1, 0.95, hotStages), cpu(2, 0.9), cpu(3, 0.5)]));
    none(bound(), [1]);
    none(profile([cpu(0, 0), cpu(1, 0.95, [hotStages[2] as CpuProfile['stages'][number]])], []));
    const spread: FlowProfile = { ...flow(1), stages: flow(1).stages.map((s, i) => ({ ...s, cpu: i + 1 })) };
    none(profile([cpu(0, 0), cpu(1, 0.95, [hotStages[0] as CpuProfile['stages'][number]]), cpu(2, 0.5), cpu(3, 0.4)], [spread]));
    none({ ...bound(), duration_ms: 0 });
  });

  it('a CPU missing from the profile counts as idle', () => {
    const [f] = singleCpuBound(profile([cpu(1, 0.9, hotStages)]), { onlineCpus: [0, 1], rank });
    assert.match(f?.what ?? '', /while CPU 0 idle/);
  });

  it('path ranks: underlay, VXLAN, bridge, bridge port, unknown namespaces last', () => {
    const ns = overlayNs('h2');
    const hostFacts = host([ns, { netns: 'h2c1', links: [link('eth0', { kind: 'veth' })] }]);
    assert.deepEqual(['w2', 'vx0', 'br0', 'vc1'].map((d) => pathRank(hostFacts.namespaces, d, 'h2')), [0, 1, 2, 3]);
    assert.equal(pathRank(hostFacts.namespaces, 'eth0', 'h2c1'), 4);
    assert.equal(pathRank(hostFacts.namespaces, 'eth0', 'nowhere'), 4);
  });

  it('as a check: skipped without a profile, run with one', () => {
    assert.match(singleCpuBoundCheck.skip?.({ host: facts }) ?? '', /no profile/);
    assert.equal(singleCpuBoundCheck.run({ host: facts, profile: bound() }).length, 1);
  });
});
