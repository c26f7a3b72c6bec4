/**
 * The stage profiler (src/profile, bpf/stage_profile.bpf.c) on the real
 * kernel, testbed guest with 4 vCPUs. One UDP flow h1c1 -> h2c1 crosses w2,
 * vx0 and h2c1's eth0 on h2 (test/vm/overlay-flow.ts):
 *   - without falcon.ko every stage runs on the sender's CPU, each device
 *     counts the flow's packets exactly once, and the flow is its inner
 *     5-tuple at every device (VXLAN parsed at w2); falconctl profile works;
 *   - with Falcon steering the three stages to three CPUs (static policy),
 *     each device's packets are on the CPU pick names and match Falcon's
 *     own counters, the arrival passes are handoffs, and the queue-wait
 *     histogram counts every reinjection;
 *   - per-CPU NET_RX time agrees within 20 % with perf recording
 *     irq:softirq_entry/exit over the same window;
 *   - falcon.ko's tracepoints have the layout the programs read.
 */
import * as assert from 'assert';
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { emptySnapshot } from '../../src/profile/assemble';
import { FALCON_EVENTS, parseEventFormat, tracefsRoot } from '../../src/profile/falcon-events';
import { KernelProfiler } from '../../src/profile/kernel';
import type { Profile } from '../../src/profile/types';
import { topologyDown } from '../../src/topology';
import { falconKo, guestOnly, projectDir } from './guest';
import { PATH_DEVICES, attachPath, pickTarget, pinAll, quietOverlayUp, sendFlow, withFalcon } from './overlay-flow';

const loaded = (): boolean => fs.existsSync('/sys/module/falcon');

/** Profiles while `work` runs: opened before, read after. Nothing sampled unless `sampling` says so. */
async function profileAround(
  work: () => void | Promise<void>,
  settleMs = 300,
  sampling: { flowSampling: number; timeSampling: number } = { flowSampling: 1, timeSampling: 1 },
): Promise<Profile> {
  const profiler = KernelProfiler.open(sampling);
  try {
    const t0 = Date.now();
    await work();
    // Let reinjections and the last softirqs finish.
    await new Promise((r) => setTimeout(r, settleMs));
    return profiler.profileBetween(emptySnapshot(), profiler.snapshot(), Date.now() - t0);
  } finally {
    profiler.close();
  }
}

/** A device's packets per CPU in a profile. */
function packetsByCpu(p: Profile, ifname: string, netns: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const c of p.cpus) {
    for (const s of c.stages) if (s.ifname === ifname && s.netns === netns && s.packets > 0) m.set(c.cpu, (m.get(c.cpu) ?? 0) + s.packets);
  }
  return m;
}

function handoffs(p: Profile, ifname: string, netns: string): number {
  let n = 0;
  for (const c of p.cpus) for (const s of c.stages) if (s.ifname === ifname && s.netns === netns) n += s.handoff_packets ?? 0;
  return n;
}

function stageNs(p: Profile, ifname: string, netns: string): number {
  let n = 0;
  for (const c of p.cpus) for (const s of c.stages) if (s.ifname === ifname && s.netns === netns) n += s.ns;
  return n;
}

describe('vm: stage profiler', function () {
  guestOnly(this);
  this.timeout(300_000);

  before(async function () {
    if (!loaded()) execFileSync('insmod', [falconKo()]);
    if ((await withFalcon((f) => f.getConfig())).nrCpuIds < 4) this.skip();
  });
  beforeEach(() => {
    quietOverlayUp();
  });
  afterEach(async () => {
    topologyDown();
    if (!loaded()) execFileSync('insmod', [falconKo()]);
    await withFalcon(async (f) => {
      await f.unpinLoad();
      await f.setConfig({ enabled: true, cpus: [0, 1, 2, 3], mode: 'stage', policy: 'balanced' });
    });
  });

  it('profiles the vanilla overlay with falcon.ko unloaded: each stage once, on the sender\'s CPU, the flow by its inner 5-tuple', async () => {
    const rm = spawnSync('rmmod', ['falcon'], { encoding: 'utf8' });
    assert.strictEqual(rm.status, 0, rm.stderr);
    const p = await profileAround(() => sendFlow(45000, 300));
    assert.strictEqual(p.falcon, false);
    assert.deepStrictEqual(p.queue_wait, []);
    for (const [name, , ns] of PATH_DEVICES) {
      const byCpu = packetsByCpu(p, name, ns);
      console.log(`      ${ns}/${name}: packets by CPU ${JSON.stringify([...byCpu])}, ${Math.round(stageNs(p, name, ns) / 300)} ns/packet`);
      assert.deepStrictEqual([...byCpu], [[0, 300]], `${ns}/${name}: the 300 packets once each, all on CPU 0`);
      assert.ok(stageNs(p, name, ns) > 0, `${ns}/${name}: time measured`);
      assert.strictEqual(handoffs(p, name, ns), 0, 'no handoffs without Falcon');
    }
    const cpu0 = p.cpus.find((c) => c.cpu === 0);
    const inStages = (cpu0?.stages ?? []).reduce((s, x) => s + x.ns, 0);
    console.log(`      CPU 0: NET_RX ${cpu0?.net_rx_count} runs, ${((cpu0?.net_rx_ns ?? 0) / 1e6).toFixed(1)} ms, in stages ${(inStages / 1e6).toFixed(1)} ms: ${(cpu0?.stages ?? []).map((x) => `${x.netns}/${x.ifname} ${x.packets} ${(x.ns / 1e6).toFixed(1)} ms`).join(', ')}`);
    assert.ok(cpu0 !== undefined && cpu0.net_rx_ns >= inStages, `NET_RX (${cpu0?.net_rx_ns}) holds its stages (${inStages})`);
    const flow = p.top_flows[0];
    assert.ok(flow, 'a top flow');
    assert.deepStrictEqual(
      { proto: flow.proto, src: flow.src, sport: flow.sport, dst: flow.dst, dport: flow.dport, packets: flow.packets },
      { proto: 'udp', src: '10.0.1.1', sport: 45000, dst: '10.0.2.1', dport: 9999, packets: 300 },
    );
    const at = (ifname: string, netns: string): number => flow.stages.filter((s) => s.ifname === ifname && s.netns === netns).reduce((s, x) => s + x.packets, 0);
    for (const [name, , ns] of PATH_DEVICES) assert.strictEqual(at(name, ns), 300, `the flow's inner 5-tuple at ${ns}/${name}`);

    // Time sampled 1 in 2 NET_RX runs (every datagram is a run of its own
    // here), flows 1 in 2 of those: packets stay exact, stage time is scaled
    // from about 150 timed packets per device, and the flow's 300 packets are
    // estimated from about 75 samples per device (outside 100-600 with odds
    // far below 1e-6).
    const s2 = await profileAround(() => sendFlow(45001, 300), 300, { flowSampling: 2, timeSampling: 2 });
    for (const [name, , ns] of PATH_DEVICES) {
      assert.deepStrictEqual([...packetsByCpu(s2, name, ns)], [[0, 300]], `${ns}/${name}: packets exact under sampling`);
      assert.ok(stageNs(s2, name, ns) > 0, `${ns}/${name}: time scaled from the timed runs`);
    }
    const sampled = s2.top_flows.find((f) => f.sport === 45001);
    console.log(`      sampled: ${sampled?.packets} packets, stages ${JSON.stringify(sampled?.stages.map((s) => [s.ifname, s.packets, s.ns_per_packet]))}`);
    assert.ok(sampled && sampled.packets >= 100 && sampled.packets <= 600, `an estimate of 300 (${sampled?.packets})`);
    assert.ok(sampled.stages.every((s) => s.packets % 4 === 0), 'each device\'s estimate in steps of 2 x 2');
    assert.ok(sampled.stages.every((s) => s.ns_per_packet > 0), 'ns per packet from the samples');

    // falconctl profile needs no module either.
    const cli = spawnSync(process.execPath, [path.join(projectDir(), 'dist/src/cli/falconctl.js'), '-j', 'profile', '--duration', '0.5'], { encoding: 'utf8' });
    assert.strictEqual(cli.status, 0, cli.stderr);
    const j = JSON.parse(cli.stdout) as Profile;
    assert.strictEqual(j.source, 'kernel');
    assert.strictEqual(j.falcon, false);
    assert.ok(Array.isArray(j.cpus) && j.cpus.length === 4, 'four CPUs');
  });

  it('falcon.ko\'s tracepoints have the layout the programs read', () => {
    const root = tracefsRoot();
    assert.ok(root, 'tracefs');
    for (const [event, spec] of Object.entries(FALCON_EVENTS)) {
      const file = path.join(root, 'events', 'falcon', event, 'format');
      assert.ok(fs.existsSync(file), `${file} exists`);
      const actual = parseEventFormat(fs.readFileSync(file, 'utf8'));
      for (const [field, want] of Object.entries(spec.fields)) assert.deepStrictEqual(actual[field], want, `${event}.${field}`);
    }
  });

  it('with Falcon steering three stages to three CPUs: each device\'s packets on pick\'s CPU, as many as Falcon counted', async () => {
    await withFalcon(async (f) => {
    await f.setConfig({ enabled: true, mode: 'stage', policy: 'static', threshold: 80, cpus: [1, 2, 3] });
    await pinAll(f, 0);
    await attachPath(f);
    await f.resetStats();
    const p = await profileAround(() => sendFlow(46000, 300));
    assert.strictEqual(p.falcon, true, `falcon.ko's events attached (${JSON.stringify(p.notes)})`);
    const s = await f.stats();
    const devStats = (ifname: string, netns: string) => {
      const d = s.devices.find((x) => x.ifname === ifname && x.netns === netns);
      assert.ok(d, `${netns}/${ifname} attached`);
      return d;
    };
    const hash = devStats('w2', 'h2').lastHash;
    assert.ok(hash !== undefined, 'w2 reports last-hash');
    const placed = new Set<number>();
    for (const [name, , ns] of PATH_DEVICES) {
      const d = devStats(name, ns);
      const target = await pickTarget(f, name, ns, hash);
      const byCpu = packetsByCpu(p, name, ns);
      console.log(`      ${ns}/${name}: pick -> CPU ${target}, Falcon steered ${d.steered} local ${d.local}; profile packets by CPU ${JSON.stringify([...byCpu])}, handoffs ${handoffs(p, name, ns)}`);
      assert.ok(target !== undefined);
      placed.add(target);
      assert.deepStrictEqual([d.steered, d.local, d.dropped], [300, 0, 0], `${name}: Falcon steered all 300`);
      assert.deepStrictEqual([...byCpu], [[target, d.steered]], `${ns}/${name}: the profile counts Falcon's ${d.steered} packets once, on pick's CPU`);
      assert.strictEqual(handoffs(p, name, ns), d.steered, `${ns}/${name}: each arrival pass is a handoff`);
    }
    assert.strictEqual(placed.size, 3, 'three CPUs');
    for (const c of [1, 2, 3]) {
      const w = p.queue_wait.find((q) => q.cpu === c);
      const processed = s.cpus[c]?.processed;
      assert.strictEqual((w?.count ?? 0) + (w?.unknown ?? 0), processed, `CPU ${c}: a queue wait per reinjection (${JSON.stringify(w)})`);
    }
    });
  });

  it('per-CPU NET_RX time agrees within 20 % with perf timing irq:softirq_entry/exit over the same window', async () => {
    await withFalcon(async (f) => {
      await f.setConfig({ enabled: true, mode: 'stage', policy: 'static', threshold: 80, cpus: [1, 2, 3] });
      await pinAll(f, 0);
      await attachPath(f);
    });
    // perf records the two tracepoints through its own ring buffers (no eBPF),
    // stamped with CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns and of
    // process.hrtime: its runs can be cut to exactly the profiler's window.
    const data = '/tmp/falcon-profiler-perf.data';
    const ctl = '/tmp/falcon-profiler-perf.ctl';
    const ack = '/tmp/falcon-profiler-perf.ack';
    for (const f of [data, ctl, ack]) fs.rmSync(f, { force: true });
    execFileSync('mkfifo', [ctl, ack]);
    // Started disabled (-D -1): perf's start-up under TCG (kallsyms, every
    // process's maps) takes a while, and "enable" is acknowledged only once
    // the events are on. A buffer large enough that perf never wakes its
    // reader during the window: the wakeup (an irq_work self-IPI taken inside
    // the softirq on a TCG vCPU) would lengthen the very runs it times.
    const perf = spawn('perf', ['record', '-q', '-a', '-B', '-N', '-k', 'mono', '-m', '1024', '-D', '-1', '--control', `fifo:${ctl},${ack}`, '-o', data,
      '-e', 'irq:softirq_entry', '--filter', 'vec == 3', '-e', 'irq:softirq_exit', '--filter', 'vec == 3'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let perfErr = '';
    perf.stderr.on('data', (b: Buffer) => { perfErr += b.toString(); });
    // perf record ends on SIGINT by re-raising it once its file is complete.
    const exited = new Promise<string>((resolve) => perf.on('exit', (code, signal) => resolve(`${code ?? signal}`)));
    fs.writeFileSync(ctl, 'enable\n');
    const ackFd = fs.openSync(ack, 'r');
    const reply = Buffer.alloc(16);
    const got = fs.readSync(ackFd, reply, 0, reply.length, null);
    fs.closeSync(ackFd);
    assert.match(reply.toString('utf8', 0, got), /ack/, `perf enabled its events (${perfErr})`);
    // NET_RX time is exact whatever the sampling: the default's is compared.
    const profiler = KernelProfiler.open();
    let p: Profile;
    let from: bigint;
    let to: bigint;
    try {
      from = process.hrtime.bigint();
      sendFlow(47000, 1000);
      await new Promise((r) => setTimeout(r, 300));
      to = process.hrtime.bigint();
      p = profiler.profileBetween(emptySnapshot(), profiler.snapshot(), Number(to - from) / 1e6);
    } finally {
      profiler.close();
    }
    perf.kill('SIGINT');
    assert.ok(['0', 'SIGINT'].includes(await exited), `perf record: ${perfErr}`);
    const script = execFileSync('perf', ['script', '-i', data, '-F', 'cpu,time,event,trace', '--ns'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    // perf's NET_RX runs per CPU that began inside the window
    const theirs = new Map<number, { ns: number; runs: number }>();
    const open = new Map<number, bigint>();
    for (const m of script.matchAll(/\[(\d+)\]\s+(\d+)\.(\d{9}):\s+irq:softirq_(entry|exit):\s+vec=3\b/g)) {
      const cpu = Number(m[1]);
      const t = BigInt(m[2] as string) * 1_000_000_000n + BigInt(m[3] as string);
      if (m[4] === 'entry') open.set(cpu, t);
      else {
        const t0 = open.get(cpu);
        open.delete(cpu);
        if (t0 === undefined || t0 < from || t0 > to) continue;
        const v = theirs.get(cpu) ?? { ns: 0, runs: 0 };
        v.ns += Number(t - t0);
        v.runs++;
        theirs.set(cpu, v);
      }
    }
    const total = [...theirs.values()].reduce((a, b) => a + b.ns, 0);
    assert.ok(total > 0, `perf saw NET_RX in the window (${script.split('\n').slice(0, 5).join('\n')})`);
    let compared = 0;
    for (const c of p.cpus) {
      const t = theirs.get(c.cpu) ?? { ns: 0, runs: 0 };
      console.log(`      CPU ${c.cpu}: profiler NET_RX ${(c.net_rx_ns / 1e6).toFixed(2)} ms in ${c.net_rx_count} runs, perf ${(t.ns / 1e6).toFixed(2)} ms in ${t.runs} runs`);
      // CPUs with a real share of the work; an idle CPU's few runs are noise either way.
      if (t.ns < 0.05 * total) continue;
      compared++;
      assert.ok(Math.abs(c.net_rx_ns - t.ns) <= 0.2 * t.ns, `CPU ${c.cpu}: ${c.net_rx_ns} ns vs perf ${t.ns} ns`);
    }
    assert.ok(compared >= 3, 'the sender\'s CPU and the stage CPUs compared');
  });
});
