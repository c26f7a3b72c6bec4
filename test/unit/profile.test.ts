// The stage profiler on the host: the mock's profile (its datapath priced
// by the cost model), decoding of the eBPF maps, the tracepoint layout
// check, the clear errors, and falconctl profile/top rendering (top through
// its render function and a fake terminal).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { openFalcon } from '../../src/index';
import type { MockFalcon } from '../../src/index';
import { emptySnapshot, assembleProfile } from '../../src/profile/assemble';
import { DEFAULT_MOCK_COSTS } from '../../src/profile/mock';
import type { MapDump } from '../../src/profile/addon';
import { decodeFlow, decodeSnapshot } from '../../src/profile/maps';
import { layoutMismatches, parseEventFormat, FALCON_EVENTS } from '../../src/profile/falcon-events';
import type { Profile } from '../../src/profile/types';
import { renderProfile, renderTop } from '../../src/cli/profile-render';
import { runTop, TopTerminal } from '../../src/cli/profile-commands';
import type { Output } from '../../src/cli/output';
import { parseArgs } from '../../src/args/parse';
import { COMMANDS } from '../../src/cli/falconctl';
import { renderStageChart, stageChart } from '../../src/experiment/stage-chart';
import type { RawRun } from '../../src/experiment/types';
import * as fs from 'node:fs';
import * as os from 'node:os';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'falconctl.js');
const FLOW = { proto: 'udp', src: '10.0.1.1', sport: 40000, dst: '10.0.2.1', dport: 9999 } as const;

/** Injects one flow's packets through the overlay path on h2, as the kernel would see them, during a mock profile. */
async function profilePath(falcon: MockFalcon, packets: number): Promise<Profile> {
  const p = falcon.profile({ durationMs: 20 });
  for (const [ifname, netns] of [['w2', 'h2'], ['vx0', 'h2'], ['eth0', 'h2c1']] as const) {
    falcon.mock.inject({ device: { ifname, netns }, flowHash: 0x1234567, packets, cpu: 0, flow: FLOW });
  }
  return p;
}

describe('profile: the mock', () => {
  it('without attachments every stage runs on the arrival CPU, priced by the cost model', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const p = await profilePath(falcon, 100);
    assert.equal(p.source, 'mock');
    const cpu0 = p.cpus.find((c) => c.cpu === 0);
    assert.ok(cpu0);
    assert.deepEqual(
      cpu0.stages.map((s) => [s.netns, s.ifname, s.packets, s.ns]).sort(),
      [['h2', 'vx0', 100, 100 * 2000], ['h2', 'w2', 100, 100 * 1000], ['h2c1', 'eth0', 100, 100 * 1000]].sort(),
    );
    assert.equal(cpu0.net_rx_count, 3, 'one NET_RX run per burst');
    assert.equal(cpu0.net_rx_ns, 3 * DEFAULT_MOCK_COSTS.netRxRunNs + 400_000);
    for (const c of p.cpus.filter((x) => x.cpu !== 0)) assert.deepEqual([c.net_rx_ns, c.stages.length], [0, 0]);
    assert.deepEqual(p.queue_wait, []);
    assert.equal(p.top_flows.length, 1);
    assert.equal(p.top_flows[0]?.packets, 100);
    assert.equal(p.top_flows[0]?.stages.length, 3);
    await falcon.close();
  });

  it('with the path attached and static steering, each device\'s packets on the CPU pick names; handoffs on the arrival CPU', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    await falcon.setConfig({ cpus: [1, 2, 3], policy: 'static' });
    for (const [ifname, netns] of [['w2', 'h2'], ['vx0', 'h2'], ['eth0', 'h2c1']] as const) await falcon.attach({ ifname, netns });
    const p = await profilePath(falcon, 50);
    for (const [ifname, netns] of [['w2', 'h2'], ['vx0', 'h2'], ['eth0', 'h2c1']] as const) {
      const pick = await falcon.pick({ ifname, netns, flowHash: 0x1234567 });
      const rows = p.cpus.flatMap((c) => c.stages.filter((s) => s.ifname === ifname && s.netns === netns && s.packets > 0).map((s) => [c.cpu, s.packets]));
      assert.deepEqual(rows, [[pick.target, 50]], `${netns}/${ifname}`);
      const handoff = p.cpus.find((c) => c.cpu === 0)?.stages.find((s) => s.ifname === ifname && s.netns === netns);
      assert.deepEqual([handoff?.handoff_packets, handoff?.handoff_ns], [50, 50 * DEFAULT_MOCK_COSTS.handoffNs]);
    }
    const waited = p.queue_wait.reduce((s, w) => s + w.count, 0);
    assert.equal(waited, 150, 'one queue wait per steered packet');
    for (const w of p.queue_wait) assert.deepEqual(w.buckets.map((b) => b.le_ns), [4096], 'queueWakeNs 4000 with nothing ahead');
    await falcon.close();
  });

  it('filters devices, limits flows, ends watchProfiles on close, and refuses after close', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const pending = falcon.profile({ durationMs: 10, devices: [{ ifname: 'vx0', netns: 'h2' }], topFlows: 0 });
    falcon.mock.inject({ device: { ifname: 'vx0', netns: 'h2' }, flowHash: 1, packets: 5, flow: FLOW });
    falcon.mock.inject({ device: { ifname: 'w2', netns: 'h2' }, flowHash: 1, packets: 5, flow: FLOW });
    const p = await pending;
    assert.deepEqual(p.cpus.flatMap((c) => c.stages.map((s) => s.ifname)), ['vx0']);
    assert.deepEqual(p.top_flows, []);
    const seen: Profile[] = [];
    const watching = (async () => {
      for await (const x of falcon.watchProfiles({ intervalMs: 10 })) seen.push(x);
    })();
    await new Promise((r) => setTimeout(r, 35));
    await falcon.close();
    await watching;
    assert.ok(seen.length >= 1, 'profiles while open');
    await assert.rejects(falcon.profile({ durationMs: 1 }), { code: 'EBADF' });
  });

  it('refuses a duration or a flow sampling period that cannot work', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    await assert.rejects(falcon.profile({ durationMs: -1 }), { code: 'EINVAL' });
    for (const bad of [0, 3, 2048, 1.5]) {
      await assert.rejects(falcon.profile({ durationMs: 1, flowSampling: bad }), { code: 'EINVAL', message: /flowSampling must be a power of two/ });
      await assert.rejects(falcon.profile({ durationMs: 1, timeSampling: bad }), { code: 'EINVAL', message: /timeSampling must be a power of two/ });
    }
    await falcon.profile({ durationMs: 1, flowSampling: 16, timeSampling: 1 });
    await falcon.close();
  });
});

/** A dump of one map as the addon returns it. */
function dump(nrCpus: number, valueSize: number, entries: [Buffer, Buffer][], perCpu = true): MapDump {
  return { perCpu, nrCpus, valueSize, entries };
}
const u64s = (...v: number[]): Buffer => {
  const b = Buffer.alloc(v.length * 8);
  v.forEach((x, i) => b.writeBigUInt64LE(BigInt(x), i * 8));
  return b;
};
const devKey = (cookie: number, ifindex: number): Buffer => {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(BigInt(cookie), 0);
  b.writeUInt32LE(ifindex, 8);
  return b;
};

/** struct sp_flow_key: FLOW at the device @dev. */
function flowKey(dev: Buffer): Buffer {
  const k = Buffer.alloc(56);
  Buffer.from([10, 0, 1, 1]).copy(k, 0);
  Buffer.from([10, 0, 2, 1]).copy(k, 16);
  k.writeUInt16LE(FLOW.sport, 32);
  k.writeUInt16LE(FLOW.dport, 34);
  k[36] = 17;
  k[37] = 4;
  dev.copy(k, 40);
  return k;
}

describe('profile: decoding the eBPF maps', () => {
  it('decodes per-CPU counters, names and flows, and a profile is the difference of two snapshots', () => {
    const name = Buffer.alloc(24);
    name.write('vx0');
    name.writeUInt32LE(4026532000, 16);
    name.writeUInt32LE(5, 20); // its index in sp_stages
    const flow = flowKey(devKey(7, 4));
    const index = (i: number): Buffer => Buffer.from(new Uint32Array([i]).buffer);
    const snap = (scale: number) => decodeSnapshot({
      cpus: dump(2, 40, [[Buffer.alloc(4), Buffer.concat([u64s(10 * scale, 1000 * scale, 0, 0, 0), u64s(1, 5, 0, 0, 3)])]]),
      stages: dump(2, 32, [
        [index(4), Buffer.concat([u64s(99, 99, 0, 0), u64s(99, 99, 0, 0)])], // no device has index 4
        [index(5), Buffer.concat([u64s(4 * scale, 800 * scale, 0, 0), u64s(0, 0, 2, 30)])],
      ]),
      names: dump(1, 24, [[devKey(7, 4), name]], false),
      flows: dump(2, 16, [[flow, Buffer.concat([u64s(4 * scale, 800 * scale), u64s(0, 0)])]]),
      queueWait: dump(2, 8, []),
    });
    const a = snap(1);
    const b = snap(3);
    const p = assembleProfile(a, b, { durationMs: 1000, cpus: [0, 1], netnsNames: new Map([[4026532000, 'h2']]), falcon: true, notes: [], topFlows: 5 });
    assert.deepEqual(p.cpus[0], { cpu: 0, net_rx_count: 20, net_rx_ns: 2000, stages: [{ ifname: 'vx0', ifindex: 4, netns: 'h2', netns_cookie: 7, packets: 8, ns: 1600 }] });
    assert.deepEqual(p.cpus[1]?.stages, [], 'the unchanged handoff is not in the difference');
    assert.deepEqual(p.top_flows, [{ ...FLOW, packets: 8, stages: [{ ifname: 'vx0', netns: 'h2', cpu: 0, packets: 8, ns_per_packet: 200 }] }]);
    const first = assembleProfile(emptySnapshot(), a, { durationMs: 1000, cpus: [0, 1], netnsNames: new Map(), falcon: false, notes: ['n'], topFlows: 0 });
    assert.deepEqual(first.cpus[1]?.stages[0]?.handoff_packets, 2);
    assert.deepEqual(first.notes, ['n']);
    assert.equal(a.cpus[1]?.untrackedPackets, 3);
  });

  it('scales timed stages: the timed runs\' time times the sampling period; packets exact', () => {
    const name = Buffer.alloc(24);
    name.write('w2');
    const snap = (stage: number[]) => decodeSnapshot({
      cpus: dump(1, 40, []),
      stages: dump(1, 32, [[Buffer.alloc(4), u64s(...stage)]]),
      names: dump(1, 24, [[devKey(7, 2), name]], false),
      flows: dump(1, 16, []),
      queueWait: dump(1, 8, []),
    });
    const ctx = { durationMs: 1000, cpus: [0], netnsNames: new Map(), falcon: true, notes: [], topFlows: 0, timeSampling: 8 };
    // 10 packets, 400 ns in timed runs; 6 handoffs, 90 ns in timed runs
    const p = assembleProfile(emptySnapshot(), snap([10, 400, 6, 90]), ctx);
    assert.deepEqual(p.cpus[0]?.stages[0], { ifname: 'w2', ifindex: 2, netns: null, netns_cookie: 7, packets: 10, ns: 3200, handoff_packets: 6, handoff_ns: 720 });
    assert.deepEqual(p.sampling, { time: 8, flows: 1 });
    assert.match(renderProfile(p), /stage time from 1 in 8 NET_RX runs/);
    const untimed = assembleProfile(emptySnapshot(), snap([5, 0, 0, 0]), ctx);
    assert.deepEqual([untimed.cpus[0]?.stages[0]?.packets, untimed.cpus[0]?.stages[0]?.ns], [5, 0]);
  });

  it('scales sampled flows: packets by both periods, the flow\'s as the mean over the devices it was seen at, ns per packet from the samples', () => {
    const flow = flowKey(devKey(7, 4));
    const atEth0 = flowKey(devKey(8, 2));
    const atW2 = flowKey(devKey(9, 3)); // seen there, not sampled this time: a 0 in the mean
    const name = (ifname: string): Buffer => {
      const b = Buffer.alloc(24);
      b.write(ifname);
      return b;
    };
    const after = decodeSnapshot({
      cpus: dump(1, 40, []),
      stages: dump(1, 32, []),
      names: dump(1, 24, [[devKey(7, 4), name('vx0')], [devKey(8, 2), name('eth0')], [devKey(9, 3), name('w2')]], false),
      flows: dump(1, 16, [[flow, u64s(5, 1000)], [atEth0, u64s(3, 900)], [atW2, u64s(0, 0)]]),
      queueWait: dump(1, 8, []),
    });
    const p = assembleProfile(emptySnapshot(), after, { durationMs: 1000, cpus: [0], netnsNames: new Map(), falcon: false, notes: [], topFlows: 1, flowSampling: 4, timeSampling: 2 });
    assert.deepEqual(p.top_flows, [{
      ...FLOW,
      packets: 21, // (40 + 24 + 0) / 3
      stages: [{ ifname: 'vx0', netns: null, cpu: 0, packets: 40, ns_per_packet: 200 }, { ifname: 'eth0', netns: null, cpu: 0, packets: 24, ns_per_packet: 300 }],
    }]);
  });

  it('formats IPv6 addresses as RFC 5952 does', () => {
    const b = Buffer.alloc(40);
    Buffer.from('fd000000000000000000000000000001', 'hex').copy(b, 0);
    Buffer.from('20010db8000100000000000000000002', 'hex').copy(b, 16);
    b[36] = 6;
    b[37] = 6;
    const f = decodeFlow(b);
    assert.deepEqual([f.proto, f.src, f.dst], ['tcp', 'fd00::1', '2001:db8:1::2']);
  });
});

describe('profile: falcon.ko event layouts', () => {
  const FORMAT = `name: falcon_reinject
ID: 1234
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:const void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;
\tfield:u64 netns_cookie;\toffset:16;\tsize:8;\tsigned:0;
\tfield:int ifindex;\toffset:24;\tsize:4;\tsigned:1;
\tfield:char ifname[16];\toffset:28;\tsize:16;\tsigned:1;
\tfield:int cpu;\toffset:44;\tsize:4;\tsigned:1;
\tfield:u64 wait_ns;\toffset:48;\tsize:8;\tsigned:0;
`;
  it('parses a format file and accepts the layout the programs read; a moved field is named', () => {
    const fields = parseEventFormat(FORMAT);
    const spec = FALCON_EVENTS['falcon_reinject'];
    assert.ok(spec);
    assert.deepEqual(fields, spec.fields);
    assert.deepEqual(layoutMismatches(fields, spec.fields, spec.read), []);
    const moved = parseEventFormat(FORMAT.replace('offset:48;\tsize:8', 'offset:56;\tsize:8'));
    assert.deepEqual(layoutMismatches(moved, spec.fields, spec.read), ['wait_ns at 56/8, expected 48/8']);
  });
});

describe('profile: errors', function () {
  this.timeout(30000);
  it('not root: EPERM naming what is needed, before touching the kernel', function () {
    if (process.getuid?.() !== 0) this.skip();
    const code = `require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'src', 'profile'))}).profileHost({durationMs: 10}).catch((e) => { console.log(JSON.stringify({code: e.code, failure: e.failure, message: e.message})); })`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const e = JSON.parse(r.stdout) as { code: string; failure: string; message: string };
    assert.deepEqual([e.code, e.failure], ['EPERM', 'not-root']);
    assert.match(e.message, /root/);
  });
});

/** An Output that keeps what is written. */
function capture(json = false): Output & { text: () => string } {
  let text = '';
  return { json, pretty: false, colour: false, write: (t) => { text += t; }, writeErr: (t) => { text += t; }, text: () => text };
}

const SAMPLE: Profile = {
  duration_ms: 1000, source: 'kernel', falcon: true,
  cpus: [
    { cpu: 0, net_rx_count: 10, net_rx_ns: 3_000_000, stages: [{ ifname: 'w2', ifindex: 2, netns: 'h2', netns_cookie: 3, packets: 0, ns: 0, handoff_packets: 1000, handoff_ns: 300_000 }] },
    { cpu: 1, net_rx_count: 50, net_rx_ns: 250_000_000, stages: [{ ifname: 'vx0', ifindex: 4, netns: 'h2', netns_cookie: 3, packets: 1000, ns: 200_000_000 }] },
  ],
  queue_wait: [{ cpu: 1, count: 1000, buckets: [{ le_ns: 4096, count: 900 }, { le_ns: 8192, count: 100 }] }],
  top_flows: [{ ...FLOW, packets: 1000, stages: [{ ifname: 'vx0', netns: 'h2', cpu: 1, packets: 1000, ns_per_packet: 200_000 }] }],
};

describe('profile: falconctl rendering', () => {
  it('profile: NET_RX per CPU, devices x CPUs with pps, ns/packet and %CPU, queue waits and flows', () => {
    const text = renderProfile(SAMPLE);
    assert.match(text, /^CPU\s+NET_RX\s+RUNS\s+%CPU/m);
    assert.match(text, /^1\s+250\.00ms\s+50\s+25\.0%/m);
    assert.match(text, /^h2\/vx0\s+1\s+1000\s+200000\s+20\.0%\s+-$/m);
    assert.match(text, /^h2\/w2\s+0\s+0\s+-\s+0\.0%\s+1000 \(300 ns\)$/m);
    assert.match(text, /^1\s+1000\s+4us\s+8us$/m, 'p50 and p99 bucket bounds');
    assert.match(text, /^udp 10\.0\.1\.1:40000 > 10\.0\.2\.1:9999\s+1000\s+h2\/vx0@1 200000$/m);
  });

  it('top fits the terminal: no line wider than it, no more lines than its rows', () => {
    for (const size of [{ columns: 80, rows: 24 }, { columns: 30, rows: 6 }]) {
      const lines = renderTop(SAMPLE, size, new Date('2026-01-01T10:00:00Z'));
      assert.ok(lines.length <= size.rows, `${lines.length} lines for ${size.rows} rows`);
      for (const l of lines) assert.ok(l.length <= size.columns, `"${l}" fits ${size.columns}`);
      assert.match(lines[0] as string, /^falconctl top - 10:00:00/);
    }
    assert.ok(renderTop(SAMPLE, { columns: 200, rows: 100 }).some((l) => l.startsWith('udp 10.0.1.1')), 'flows when there is room');
  });

  it('top redraws on a terminal, quits on q and restores the terminal', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const out = capture();
    let pressed: ((k: string) => void) | undefined;
    let restored = false;
    const terminal: TopTerminal = {
      tty: true,
      size: () => ({ columns: 60, rows: 10 }),
      keys: (onKey) => { pressed = onKey; return () => { restored = true; }; },
    };
    const top = COMMANDS.find((c) => c.name === 'top');
    assert.ok(top);
    const running = runTop({ profiles: falcon, out, args: parseArgs(['--interval', '0.1'], top.options) }, terminal);
    await new Promise((r) => setTimeout(r, 250));
    pressed?.('q');
    await running;
    const text = out.text();
    assert.ok(text.startsWith('\x1b[?1049h\x1b[?25l'), 'alternate screen, cursor hidden');
    assert.ok(text.endsWith('\x1b[?25h\x1b[?1049l'), 'restored at the end');
    assert.ok((text.match(/falconctl top - /g) ?? []).length >= 1, 'frames drawn');
    assert.ok(restored, 'key mode restored');
    await falcon.close();
  });

  it('falconctl --mock profile -j prints the Profile; top -n stops by itself; bad values are usage errors', () => {
    const r = spawnSync(process.execPath, [CLI, '--mock', '-j', 'profile', '--duration', '0.05'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const p = JSON.parse(r.stdout) as Profile;
    assert.deepEqual([p.source, p.cpus.length], ['mock', 4]);
    const t = spawnSync(process.execPath, [CLI, '--mock', 'top', '-n', '2', '-i', '0.1'], { encoding: 'utf8', input: '' });
    assert.equal(t.status, 0, t.stderr);
    assert.equal((t.stdout.match(/falconctl top - /g) ?? []).length, 2);
    const bad = spawnSync(process.execPath, [CLI, 'profile', '--duration', '0'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--duration/);
    const sampling = spawnSync(process.execPath, [CLI, 'top', '--flow-sampling', '6'], { encoding: 'utf8' });
    assert.equal(sampling.status, 1);
    assert.match(sampling.stderr, /--flow-sampling must be a power of two/);
    const timing = spawnSync(process.execPath, [CLI, 'profile', '--time-sampling', '0'], { encoding: 'utf8' });
    assert.equal(timing.status, 1);
    assert.match(timing.stderr, /--time-sampling/);
  });
});


describe('profile: build and experiment', function () {
  this.timeout(30000);
  it('build:bpf skips with a message naming the packages where clang is missing', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'nobpf-'));
    for (const tool of ['dirname', 'basename', 'mkdir']) fs.symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
    const script = path.resolve(__dirname, '..', '..', '..', 'scripts', 'build-bpf.sh');
    const r = spawnSync('/bin/bash', [script], { encoding: 'utf8', env: { PATH: bin } });
    fs.rmSync(bin, { recursive: true });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /skipped, missing clang.*clang llvm libbpf-dev bpftool/);
  });

  it('the experiment charts each mode\'s vCPUs stacked by device stage', () => {
    const run = (mode: RawRun['mode'], cpu: number): RawRun => ({
      scenario: 'tcp', placement: 'spare', mode, rep: 1, ok: true, metrics: {}, netRx: [], softirqS: [], busyS: [], wallS: 1,
      profile: { ...SAMPLE, cpus: SAMPLE.cpus.map((c) => ({ ...c, cpu: c.cpu === 1 ? cpu : c.cpu })) },
    });
    const chart = stageChart([run('vanilla', 1), run('falcon-static', 2)], 'tcp', 'spare', ['vanilla', 'falcon-static'], 3);
    assert.ok(chart);
    assert.deepEqual(chart.series, ['h2/vx0', 'h2/w2', 'NET_RX outside stages']);
    assert.deepEqual(chart.groups.map((g) => g.label), ['vanilla', '+Falcon static']);
    assert.equal(chart.groups[1]?.bars[2]?.segments[0], 20, 'vx0 took 20 % of vCPU 2 under Falcon');
    const svg = renderStageChart(chart);
    assert.match(svg, /^<\?xml version="1.0"/);
    assert.match(svg, /h2\/vx0: 20.00 %/);
    assert.equal(stageChart([], 'tcp', 'spare', ['vanilla'], 2), undefined, 'no chart without profiles');
  });
});
