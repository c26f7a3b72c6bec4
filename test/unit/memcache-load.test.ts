/**
 * The cache scenario's load generator (tools/memcache-load): its open-loop
 * schedule, its latency bookkeeping against a fake clock, its percentile
 * math and its memcached protocol code, through the C harness
 * (tools/memcache-load/harness.c), which runs the same engine.c and
 * mcproto.c as the generator itself.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'tools', 'memcache-load');
const harness = path.join(dir, 'build', 'harness');

/** Feeds the harness one command, returns its answer lines. */
function run(command: string): string[] {
  return execFileSync(harness, { input: command + '\n', encoding: 'utf8' }).trimEnd().split('\n');
}

function one(command: string): string {
  const out = run(command);
  assert.strictEqual(out.length, 1, `one answer line expected: ${out.join(' | ')}`);
  return out[0] as string;
}

interface SimRequest {
  index: number;
  sched: number;
  sent: number;
  latency: number;
}

function sim(rate: number, count: number, conns: number, serviceUs: number, slowIndex: number, slowUs: number): { reqs: SimRequest[]; sum: number[] } {
  const lines = run(`sim ${rate} ${count} ${conns} ${serviceUs} ${slowIndex} ${slowUs}`);
  const reqs = lines
    .filter((l) => l.startsWith('req '))
    .map((l) => {
      const [, i, s, t, lat] = l.split(' ').map(Number);
      return { index: i as number, sched: s as number, sent: t as number, latency: lat as number };
    });
  const sum = (lines.find((l) => l.startsWith('sum ')) ?? '').split(' ').slice(1).map(Number);
  return { reqs, sum };
}

describe('memcache-load (open-loop memcached load generator)', function () {
  this.timeout(60_000);

  before(() => {
    // The harness is part of the build (npm run build:loadgen); make is a no-op when it is fresh.
    execFileSync('make', ['-s', '-C', dir, 'all'], { stdio: 'pipe' });
  });

  describe('schedule', () => {
    it('puts request i at i / rate, exactly, with no drift over a long run', () => {
      assert.strictEqual(one('sched 1000 0'), '0');
      assert.strictEqual(one('sched 1000 1'), '1000000');
      assert.strictEqual(one('sched 3 1'), '333333333');
      assert.strictEqual(one('sched 3 2'), '666666666');
      assert.strictEqual(one('sched 3 3'), '1000000000');
      // 10 million requests at 7/s: exactly 10e6/7 s later, to the nanosecond (floor).
      assert.strictEqual(one('sched 7 10000000'), String((10_000_000n * 1_000_000_000n) / 7n));
    });

    it('sends on schedule while a slow reply is outstanding (open loop: no coordinated omission)', () => {
      // 1000/s on one connection, 100 us per request, request 3 takes 5 ms more.
      const { reqs, sum } = sim(1000, 10, 1, 100, 3, 5000);
      assert.strictEqual(reqs.length, 10);
      for (const r of reqs) assert.strictEqual(r.sent, r.sched, `request ${r.index} sent at ${r.sent}, due at ${r.sched}`);
      assert.deepStrictEqual(
        reqs.map((r) => r.sched),
        reqs.map((r) => r.index * 1_000_000),
      );
      // The slow one, and those queued behind it, are charged from their scheduled time.
      assert.strictEqual(reqs[2]?.latency, 100_000);
      assert.strictEqual(reqs[3]?.latency, 5_100_000);
      assert.strictEqual(reqs[4]?.latency, 4_200_000);
      assert.strictEqual(reqs[8]?.latency, 600_000);
      assert.strictEqual(reqs[9]?.latency, 100_000);
      assert.deepStrictEqual(sum.slice(0, 2), [10, 10], 'all sent, all answered');
    });

    it('keeps the schedule when the server is saturated, so latency grows instead of the rate falling', () => {
      // 1000/s offered, 1.5 ms per request: the server falls 0.5 ms further behind each request.
      const { reqs } = sim(1000, 20, 4, 1500, 99, 0);
      for (const r of reqs) assert.strictEqual(r.sent, r.sched);
      for (const r of reqs) assert.strictEqual(r.latency, 1_500_000 + r.index * 500_000, `request ${r.index}`);
    });

    it('reports percentiles of what it measured (p50 / p99 / p99.9 of the simulation)', () => {
      // 1000 requests 1 ms apart, 100 us each, 10 ms more for request 500: it takes 10.1 ms, and
      // request 500 + k waits 10.1 - 0.9 k ms until the server has caught up (k = 11: 0.2 ms).
      const { sum } = sim(1000, 1000, 2, 100, 500, 10_000);
      const [sent, answered, p50, p99, p999] = sum;
      assert.strictEqual(sent, 1000);
      assert.strictEqual(answered, 1000);
      assert.strictEqual(p50, 100_000);
      assert.strictEqual(p99, 1_100_000, 'p99 is the 990th of 1000, the 11th largest: request 510');
      assert.strictEqual(p999, 9_200_000, 'p99.9 is the 999th of 1000, the 2nd largest: request 501, right behind the slow one');
    });
  });

  describe('percentiles (nearest rank)', () => {
    const oneTo = (n: number): string => Array.from({ length: n }, (_, i) => i + 1).join(' ');
    it('gives known answers on 1..100 and 1..1000', () => {
      assert.strictEqual(one(`pct 50 ${oneTo(100)}`), '50');
      assert.strictEqual(one(`pct 99 ${oneTo(100)}`), '99');
      assert.strictEqual(one(`pct 99.9 ${oneTo(100)}`), '100');
      assert.strictEqual(one(`pct 100 ${oneTo(100)}`), '100');
      assert.strictEqual(one(`pct 99.9 ${oneTo(1000)}`), '999');
      assert.strictEqual(one(`pct 99 ${oneTo(1000)}`), '990');
    });
    it('sorts its input and handles tiny samples', () => {
      assert.strictEqual(one('pct 50 30 10 20'), '20');
      assert.strictEqual(one('pct 50 10 20'), '10');
      assert.strictEqual(one('pct 99 42'), '42');
      assert.strictEqual(one('pct 1 5 9 7'), '5');
    });
    it('refuses an empty sample and p outside (0, 100]', () => {
      assert.strictEqual(one('pct 50'), 'error');
      assert.strictEqual(one('pct 0 1 2'), 'error');
      assert.strictEqual(one('pct 100.5 1 2'), 'error');
    });
  });

  describe('memcached text protocol', () => {
    it('formats fixed-size GETs and SETs', () => {
      assert.strictEqual(one('format get 7 16 100'), 'get k000000000000007\\r\\n');
      assert.strictEqual(one('format set 42 10 5'), 'set k000000042 0 0 5\\r\\nvvvvv\\r\\n');
      assert.strictEqual(one('format get 123456 5 1'), 'error', 'a key too short for its number is refused');
    });
    it('parses hits, misses, STORED, errors, and waits for incomplete replies', () => {
      assert.strictEqual(one('parse VALUE k1 0 3\\r\\nabc\\r\\nEND\\r\\nEND\\r\\n'), 'hit 24');
      assert.strictEqual(one('parse END\\r\\n'), 'miss 5');
      assert.strictEqual(one('parse STORED\\r\\n'), 'stored 8');
      assert.strictEqual(one('parse SERVER_ERROR out of memory\\r\\n'), 'error 28');
      assert.strictEqual(one('parse VALUE k1 0 3\\r\\nab'), 'incomplete');
      assert.strictEqual(one('parse VALUE k1 0 3\\r\\nabc\\r\\nEN'), 'incomplete');
      assert.strictEqual(one('parse STOR'), 'incomplete');
    });
  });
});
