/** The application scenarios' pure parts: client output parsers, endpoints and nginx's config. */
import * as assert from 'assert';
import { appEndpoints, nginxConfig } from '../../src/experiment/guest-apps';
import { parseLoad, parseWrk, wrkSizeBytes, wrkTimeUs } from '../../src/experiment/guest-parse-apps';

const WRK = `Running 3s test @ http://10.0.2.1:8080/page.html
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.34ms    5.67ms 201.00ms   90.12%
    Req/Sec   650.00    100.00   800.00     70.00%
  Latency Distribution
     50%   10.50ms
     75%   14.00ms
     90%   20.00ms
     99%    1.20s
  1950 requests in 3.00s, 2.34MB read
Requests/sec:    649.50
Transfer/sec:    798.50KB
`;

describe('experiment: application scenarios', () => {
  it('reads wrk --latency: counts, rates, percentiles in any unit', () => {
    const r = parseWrk(WRK);
    assert.strictEqual(r.requests, 1950);
    assert.strictEqual(r.seconds, 3);
    assert.strictEqual(r.bytes, 2.34 * 1024 * 1024);
    assert.strictEqual(r.requestsPerS, 649.5);
    assert.strictEqual(r.bytesPerS, 798.5 * 1024);
    assert.strictEqual(r.p50Us, 10500);
    assert.strictEqual(r.p99Us, 1.2e6);
    assert.strictEqual(r.socketErrors, 0);
    assert.strictEqual(r.non2xx, 0);
    const bad = parseWrk(WRK + '  Socket errors: connect 1, read 2, write 0, timeout 3\n  Non-2xx or 3xx responses: 4\n');
    assert.strictEqual(bad.socketErrors, 6);
    assert.strictEqual(bad.non2xx, 4);
    assert.strictEqual(wrkTimeUs('850.00us'), 850);
    assert.strictEqual(wrkSizeBytes('12B'), 12);
    assert.throws(() => parseWrk(WRK.replace(/ {5}99%.*\n/, '')), /no 99% latency/);
    assert.throws(() => parseWrk('unable to connect to 10.0.2.1:8080 Connection refused'), /wrk printed no summary: unable to connect/);
    assert.throws(() => wrkTimeUs('3 fortnights'), /not understood/);
  });

  it("reads memcache-load's JSON and names a missing field", () => {
    const line = JSON.stringify({ offered_rps: 500, achieved_rps: 499.5, sent: 2500, gets: 2250, sets: 250, answered: 2500, hits: 2250, misses: 0, errors: 0, unanswered: 0, p50_us: 80, p99_us: 300, p999_us: 900, max_us: 1000, send_lag_p99_us: 12 });
    const r = parseLoad(line + '\n');
    assert.strictEqual(r.achieved_rps, 499.5);
    assert.strictEqual(r.p999_us, 900);
    assert.throws(() => parseLoad(line.replace('"p99_us":300,', '')), /has no p99_us/);
    assert.throws(() => parseLoad('memcache-load: connect: Connection refused'), /printed no JSON/);
  });

  it('lays out one server per container (overlay) or per port (native)', () => {
    assert.deepStrictEqual(appEndpoints('web', true, 2), [
      { clientNs: 'h1c1', serverNs: 'h2c1', serverIp: '10.0.2.1', port: 8080, dir: '/tmp/falcon-apps/web-h2c1-8080' },
      { clientNs: 'h1c2', serverNs: 'h2c2', serverIp: '10.0.2.2', port: 8080, dir: '/tmp/falcon-apps/web-h2c2-8080' },
    ]);
    assert.deepStrictEqual(
      appEndpoints('cache', false, 2).map((e) => `${e.clientNs}->${e.serverNs} ${e.serverIp}:${e.port}`),
      ['h1->h2 192.0.2.2:11211', 'h1->h2 192.0.2.2:11212'],
    );
  });

  it("keeps everything nginx writes under its /tmp directory (the guest's root is read-only)", () => {
    const conf = nginxConfig('/tmp/x', '10.0.2.1', 8080);
    const paths = [...conf.matchAll(/(?:^|\s)(\/[^\s;]+)/g)].map((m) => m[1] as string);
    assert.ok(paths.length >= 8, conf);
    for (const p of paths) assert.ok(p.startsWith('/tmp/x/'), `${p} is outside /tmp/x`);
    assert.match(conf, /listen 10\.0\.2\.1:8080;/);
    assert.match(conf, /master_process off;/, 'one process: stopping it leaves no worker behind');
  });
});
