/**
 * falcon.ko's tracepoints (docs/tracepoints.md) in the real kernel, read the
 * way a user would: through tracefs (what perf and trace-cmd read) and with
 * bpftrace. Every event is checked against Falcon's own counters, so a
 * tracepoint that fires too often, too rarely or with the wrong fields fails.
 *
 * Path and flow as in datapath.test.ts: h1c1 -> h2c1, w2 / vx0 / h2c1's eth0
 * attached (stages 0, 1, 2), the static policy on CPUs 1-3, sender on CPU 0.
 */
import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import type { KernelFalcon } from '../../src/index';
import { topologyDown } from '../../src/topology';
import { guestOnly } from './guest';
import { openFalconOnFourCpus, PATH_STAGES, quietOverlayUp } from './overlay-flow';

const TRACING = '/sys/kernel/tracing';

/** N UDP datagrams h1c1:sport -> h2c1:9999 from CPU 0, paced so no queue overflows. */
function send(sport: number, n: number, pace = true): void {
  const code = [
    'import socket,time',
    's=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)',
    `s.bind(('10.0.1.1',${sport}))`,
    `for i in range(${n}):`,
    "  s.sendto(b'x'*200,('10.0.2.1',9999))",
    pace ? '  if i%20==19: time.sleep(0.005)' : '  pass',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', 'h1c1', 'taskset', '-c', '0', '/usr/bin/python3', '-c', code], { stdio: 'pipe' });
}

function tracefs(file: string, value?: string): string {
  const p = `${TRACING}/${file}`;
  if (value === undefined) return fs.readFileSync(p, 'utf8');
  fs.writeFileSync(p, value);
  return value;
}

/** One event of the trace buffer: its name and its key=value fields. */
interface TraceEvent {
  readonly name: string;
  readonly f: Readonly<Record<string, string>>;
}

/** Records Falcon's events while @run runs; returns them in order. */
async function traceFalcon(run: () => void | Promise<void>): Promise<TraceEvent[]> {
  tracefs('buffer_size_kb', '8192');
  tracefs('trace', '');
  tracefs('events/falcon/enable', '1');
  try {
    await run();
  } finally {
    tracefs('events/falcon/enable', '0');
  }
  const events: TraceEvent[] = [];
  for (const line of tracefs('trace').split('\n')) {
    const m = /\s(falcon_\w+): (.*)$/.exec(line);
    if (!m) continue;
    const f: Record<string, string> = {};
    for (const kv of (m[2] as string).split(' ')) {
      const eq = kv.indexOf('=');
      if (eq > 0) f[kv.slice(0, eq)] = kv.slice(eq + 1);
      else if (kv) f[kv] = 'true';
    }
    events.push({ name: m[1] as string, f });
  }
  assert.ok(!/LOST \d+ EVENTS/.test(tracefs('trace')), 'the trace buffer lost no events');
  return events;
}

function count<T>(xs: readonly T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}

describe('vm: falcon tracepoints', function () {
  guestOnly(this);
  this.timeout(300_000);
  let falcon: KernelFalcon;

  before(async function () {
    if (!fs.existsSync(`${TRACING}/events/falcon`)) throw new Error(`${TRACING}/events/falcon missing: is falcon.ko loaded and tracefs mounted?`);
    falcon = await openFalconOnFourCpus(this);
  });
  after(async () => {
    await falcon?.close();
  });
  beforeEach(async () => {
    quietOverlayUp();
    await falcon.setConfig({ enabled: true, cpus: [1, 2, 3], mode: 'stage', policy: 'static', threshold: 80 });
    for (const dev of PATH_STAGES) await falcon.attach(dev);
  });
  afterEach(async () => {
    topologyDown();
    await falcon.unpinLoad();
    await falcon.setConfig({ cpus: [0, 1, 2, 3], policy: 'balanced', queueLimit: 1000 });
  });

  it('the format files have the documented fixed layout (eBPF programs read them by offset)', () => {
    const layout = (event: string): string[] =>
      tracefs(`events/falcon/${event}/format`).split('\n')
        .map((l) => /field:(.*?);\s*offset:(\d+);\s*size:(\d+);/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && !(m[1] as string).includes('common_'))
        .map((m) => `${m[1]}@${m[2]}/${m[3]}`);
    assert.deepStrictEqual(layout('falcon_steer'), [
      'const void * skbaddr@8/8', 'u64 netns_cookie@16/8', 'int ifindex@24/4', 'char ifname[16]@28/16', 'u32 stage@44/4',
      'u32 hash@48/4', 'int from_cpu@52/4', 'int to_cpu@56/4', 'u32 reason@60/4', 'u32 qlen@64/4']);
    assert.deepStrictEqual(layout('falcon_reinject'), [
      'const void * skbaddr@8/8', 'u64 netns_cookie@16/8', 'int ifindex@24/4', 'char ifname[16]@28/16', 'int cpu@44/4', 'u64 wait_ns@48/8']);
    assert.deepStrictEqual(layout('falcon_drop'), [
      'const void * skbaddr@8/8', 'u64 netns_cookie@16/8', 'int ifindex@24/4', 'char ifname[16]@28/16', 'int cpu@44/4', 'u32 reason@48/4']);
    assert.deepStrictEqual(layout('falcon_defer'), [
      'const void * skbaddr@8/8', 'u64 netns_cookie@16/8', 'int ifindex@24/4', 'char ifname[16]@28/16', 'u32 hash@44/4',
      'int from_cpu@48/4', 'int to_cpu@52/4', 'u32 reason@56/4']);
    assert.deepStrictEqual(layout('falcon_gate'), [
      'u64 netns_cookie@8/8', 'int ifindex@16/4', 'char ifname[16]@20/16', 'u32 closed@36/4', 'u32 load@40/4']);
  });

  it('steer and reinject: one event each per steered packet, on pick\'s CPU, with the queue wait', async () => {
    await falcon.resetStats();
    const events = await traceFalcon(() => send(45000, 300));
    const stats = await falcon.stats();
    for (const dev of PATH_STAGES) {
      const d = stats.devices.find((x) => x.ifname === dev.ifname && x.netns === dev.netns);
      assert.ok(d, `${dev.ifname} in stats`);
      const steers = events.filter((e) => e.name === 'falcon_steer' && e.f['dev'] === dev.ifname);
      const reinjects = events.filter((e) => e.name === 'falcon_reinject' && e.f['dev'] === dev.ifname);
      assert.strictEqual(steers.length, d.steered, `${dev.ifname}: one falcon_steer per steered packet`);
      assert.strictEqual(reinjects.length, d.steered, `${dev.ifname}: one falcon_reinject per steered packet`);
      const hash = Number(steers[0]?.f['hash']);
      const p = await falcon.pick({ ...dev, flowHash: hash });
      assert.deepStrictEqual([...count(steers, (e) => `${e.f['to']}/${e.f['reason']}/${e.f['stage']}`)],
        [[`${p.target}/first/${d.stage}`, d.steered]], `${dev.ifname}: every event names pick's CPU, its reason and the stage`);
      assert.deepStrictEqual([...count(reinjects, (e) => e.f['cpu'] as string)], [[String(p.target), d.steered]],
        `${dev.ifname}: reinjected on the target CPU`);
      // Every steered skb is reinjected once, after it was steered
      const steered = new Set(steers.map((e) => e.f['skbaddr']));
      const waits = reinjects.map((e) => Number(e.f['wait_ns']));
      assert.ok(waits.every((w) => w > 0 && w < 5e9), `${dev.ifname}: queue waits measured (${waits.slice(0, 5).join(', ')} ns ...)`);
      assert.ok(reinjects.every((e) => steered.has(e.f['skbaddr'])), `${dev.ifname}: each reinjected skb was steered`);
      const sorted = [...waits].sort((a, b) => a - b);
      console.log(`      ${dev.ifname}: ${d.steered} steered to CPU ${p.target}, queue wait median ${sorted[sorted.length >> 1]} ns`);
    }
  });

  it('drop: one event per dropped packet, with the reason, as the counters say', async () => {
    await falcon.setConfig({ queueLimit: 1 });
    await falcon.resetStats();
    const events = await traceFalcon(() => send(46000, 2000, false));
    const stats = await falcon.stats();
    const dropped = stats.devices.reduce((a, d) => a + d.dropped, 0);
    const drops = events.filter((e) => e.name === 'falcon_drop');
    console.log(`      queue-limit 1, 2000 unpaced datagrams: ${dropped} dropped, ${drops.length} falcon_drop events`);
    assert.ok(dropped > 0, 'a one-packet queue overflows');
    assert.strictEqual(drops.length, dropped, 'one falcon_drop per dropped packet');
    assert.ok(drops.every((e) => e.f['reason'] === 'queue-full'), 'the reason is queue-full');
    for (const d of stats.devices) {
      assert.strictEqual(drops.filter((e) => e.f['dev'] === d.ifname && e.f['netns_cookie'] === String(d.netnsCookie)).length, d.dropped,
        `${d.ifname}: its drops, with its namespace cookie`);
    }
  });

  it('gate: one event per load gate change, with the average load', async () => {
    await falcon.setConfig({ policy: 'balanced', threshold: 50, hysteresis: 10 });
    for (const c of [1, 2, 3]) await falcon.pinLoad(c, 0);
    const pinAll = async (load: number): Promise<void> => {
      for (const c of [1, 2, 3]) await falcon.pinLoad(c, load);
    };
    const changes = (await traceFalcon(async () => {
      await pinAll(90); // the average passes 50 on the second pin: closes
      await pinAll(45); // 75, 60, 45: inside the band (>= 40), stays closed
      await pinAll(10); // 33 on the first pin: opens
    })).filter((e) => e.name === 'falcon_gate');
    console.log(`      gate events: ${JSON.stringify(changes.map((e) => e.f))}`);
    for (const dev of PATH_STAGES) {
      const mine = changes.filter((e) => e.f['dev'] === dev.ifname).map((e) => [e.f['closed'] ? 'closed' : 'open', Number(e.f['load'])]);
      assert.deepStrictEqual(mine, [['closed', 60], ['open', 33]], `${dev.ifname}: closed at an average of 60, kept closed in the band, opened at 33`);
    }
  });

  it('bpftrace reads the events by field name', async function () {
    this.timeout(240_000);
    await falcon.resetStats();
    const script = 'tracepoint:falcon:falcon_steer { @steer[args->ifname, args->to_cpu] = count(); } '
      + 'tracepoint:falcon:falcon_reinject { @wait = hist(args->wait_ns); }';
    // bpftrace compiles with LLVM first, which is slow under TCG: wait until it has attached.
    const bt = spawn('bpftrace', ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    bt.stdout.on('data', (b: Buffer) => { text += b.toString(); });
    bt.stderr.on('data', (b: Buffer) => { text += b.toString(); });
    const exited = new Promise<number | null>((resolve) => bt.on('exit', (code) => resolve(code)));
    const attached = await new Promise<boolean>((resolve) => {
      const deadline = Date.now() + 180_000;
      const poll = (): void => {
        if (text.includes('Attaching')) resolve(true);
        else if (bt.exitCode !== null || Date.now() > deadline) resolve(false);
        else setTimeout(poll, 200);
      };
      poll();
    });
    assert.ok(attached, `bpftrace attached:\n${text}`);
    send(47000, 200);
    bt.kill('SIGINT');
    assert.strictEqual(await exited, 0, `bpftrace exited cleanly:\n${text}`);
    const stats = await falcon.stats();
    for (const d of stats.devices) {
      const m = new RegExp(`@steer\\[${d.ifname}, (\\d+)\\]: (\\d+)`).exec(text);
      assert.ok(m, `bpftrace counted ${d.ifname}'s steers:\n${text}`);
      assert.strictEqual(Number(m[2]), d.steered, `${d.ifname}: bpftrace's count equals Falcon's`);
    }
    assert.ok(/@wait:\s*\n\[/.test(text), `bpftrace drew the wait histogram:\n${text}`);
  });
});
