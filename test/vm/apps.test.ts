/**
 * The experiment's application scenarios in the guest: each server really
 * served what its client reports, with Falcon attached on w2, vx0 and every
 * container's eth0 (2 containers, each its own flows).
 *
 *   web:   nginx's access log has a line per request wrk counted (and at most
 *          one more per connection: requests in flight when wrk stopped);
 *   cache: memcached's `stats` count exactly the GETs and SETs memcache-load
 *          sent, and its hits are the generator's hits.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { Falcon } from '../../src/api/types';
import { topologyDown, topologyUp } from '../../src/topology';
import { accessLogLines, appEndpoints, AppServers, CACHE_LOAD, measureWeb, runLoad, WEB_OBJECTS } from '../../src/experiment/guest-apps';
import { falconOff, falconOn, openKernelFalcon } from '../../src/experiment/guest-falcon';
import { steeredDevices } from '../../src/experiment/modes';
import { placementCpus } from '../../src/experiment/placements';
import { guestOnly } from './guest';

const CONTAINERS = 2;
const CONNECTIONS = 4;

/** memcached's `stats` over TCP from inside `netns` (via nsenter-free `ip netns exec` + node). */
function memcachedStats(netns: string, ip: string, port: number): Map<string, number> {
  const script = `const s=require('net').connect(${port},'${ip}',()=>s.write('stats\\r\\n'));let b='';s.on('data',d=>{b+=d;if(b.includes('END\\r\\n')){process.stdout.write(b);s.end();}});`;
  const out = execFileSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
  const stats = new Map<string, number>();
  for (const m of out.matchAll(/^STAT (\S+) (\d+)\r?$/gm)) stats.set(m[1] as string, Number(m[2]));
  return stats;
}

describe('experiment application scenarios (web, cache) with Falcon on every container', function () {
  guestOnly(this);
  this.timeout(600_000);
  let falcon: Falcon | undefined;
  const cpus = placementCpus('spare', 2);
  const devices = steeredDevices(CONTAINERS);

  before(async () => {
    topologyUp({ kind: 'overlay', containers: CONTAINERS });
    const f = await openKernelFalcon();
    if (typeof f === 'string') throw new Error(f);
    falcon = f;
    await falconOn(falcon, 'static', cpus.steer, devices);
  });

  after(async () => {
    if (falcon !== undefined) {
      await falconOff(falcon, devices);
      await falcon.close();
    }
    topologyDown();
  });

  it('nginx logged every request wrk counted, in each container', async () => {
    const servers = new AppServers('web', CONTAINERS);
    const eps = appEndpoints('web', true, CONTAINERS);
    try {
      await servers.start(cpus);
      // 5 s: long enough that a guest starved by a busy host still completes requests.
      const m = await measureWeb(eps, cpus, { durationS: 5, containers: CONTAINERS, webConnections: CONNECTIONS });
      const logged = eps.map(accessLogLines);
      const total = logged.reduce((s, v) => s + v, 0);
      const counted = m.requests ?? 0;
      assert.ok(counted > 0, 'wrk counted no request');
      for (const [i, n] of logged.entries()) assert.ok(n > 0, `nginx in ${eps[i]?.serverNs} logged nothing`);
      assert.ok(total >= counted, `nginx logged ${total} requests, wrk counted ${counted}`);
      const inFlight = CONTAINERS * WEB_OBJECTS.length * CONNECTIONS;
      assert.ok(total <= counted + inFlight, `nginx logged ${total}, more than wrk's ${counted} plus ${inFlight} in flight`);
    } finally {
      await servers.stop();
    }
    const st = await (falcon as Falcon).stats();
    for (const d of devices) {
      const s = st.devices.find((x) => x.ifname === d.ifname && x.netns === d.netns);
      assert.ok(s !== undefined && s.seen > 0, `Falcon saw no packet on ${d.netns}/${d.ifname}`);
      assert.strictEqual(s.dropped, 0, `${d.netns}/${d.ifname} dropped packets`);
    }
  });

  it("memcached's stats count exactly the GETs, SETs and hits memcache-load reports, in each container", async () => {
    const servers = new AppServers('cache', CONTAINERS);
    const eps = appEndpoints('cache', true, CONTAINERS);
    try {
      await servers.start(cpus);
      // A long drain: every request is answered in the end, so the counts must match exactly.
      const reports = await Promise.all(eps.map((ep) => runLoad(ep, cpus.sender, 100, 2, 30)));
      for (const [i, ep] of eps.entries()) {
        const r = reports[i];
        assert.ok(r !== undefined);
        assert.strictEqual(r.unanswered, 0, `${ep.serverNs}: unanswered requests`);
        assert.ok(r.gets > 100, `${ep.serverNs}: only ${r.gets} GETs`);
        const st = memcachedStats(ep.serverNs, ep.serverIp, ep.port);
        assert.strictEqual(st.get('cmd_get'), r.gets, `${ep.serverNs}: memcached cmd_get vs the generator's GETs`);
        assert.strictEqual(st.get('get_hits'), r.hits, `${ep.serverNs}: memcached get_hits vs the generator's hits`);
        assert.strictEqual(r.hits, r.gets, 'every key was stored first: every GET hits');
        assert.strictEqual(st.get('cmd_set'), CACHE_LOAD.keys + r.sets, `${ep.serverNs}: memcached cmd_set vs warmup + the generator's SETs`);
      }
    } finally {
      await servers.stop();
    }
  });
});
