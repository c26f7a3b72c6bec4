// watchStats: rates from measured time (checked against injected mock
// traffic), the counting rules of ratesBetween, and how a watch ends.
import assert from 'node:assert/strict';
import { FalconError } from '../../src/api/errors';
import type { CpuStats, DeviceStats, Stats, StatsSample } from '../../src/api/types';
import { FalconClient } from '../../src/client/falcon-client';
import { ratesBetween } from '../../src/client/watch';
import { MockFalcon, openFalcon } from '../../src/index';
import { GenlReplies, GenlTransport, NetlinkRequestError } from '../../src/transport/types';

const cpu = (n: number, enqueued: number): CpuStats => ({
  cpu: n, enqueued, processed: enqueued, dropped: 0, purged: 0, kicks: 0, queueHwm: 0, queueLen: 0, load: 0, pinned: false,
});
const dev = (ifindex: number, seen: number, netnsCookie = 1): DeviceStats => ({
  ifindex, ifname: `d${ifindex}`, netnsCookie, netnsInum: 1, stage: 0, seen, steered: 0, local: seen, gated: 0, second: 0, dropped: 0, deferred: 0,
  gateClosed: false, targets: [],
});

describe('watchStats', () => {
  describe('ratesBetween', () => {
    it('divides deltas by the measured seconds', () => {
      const r = ratesBetween({ cpus: [cpu(0, 100)], devices: [dev(2, 10)] }, { cpus: [cpu(0, 400)], devices: [dev(2, 60)] }, 500);
      assert.equal(r.cpus[0]?.enqueued, 600);
      assert.equal(r.devices[0]?.seen, 100);
      assert.equal(r.devices[0]?.local, 100);
    });

    it('counts a counter that went down from zero, skips new attachments, matches by namespace and ifindex', () => {
      const before: Stats = { cpus: [cpu(0, 1000)], devices: [dev(2, 500, 1), dev(3, 7, 1)] };
      const after: Stats = { cpus: [cpu(0, 30)], devices: [dev(2, 20, 1), dev(2, 99, 5), dev(3, 9, 1)] };
      const r = ratesBetween(before, after, 1000);
      assert.equal(r.cpus[0]?.enqueued, 30, 'reset-stats: 30 since then');
      assert.deepEqual(r.devices.map((d) => [d.ifindex, d.netnsCookie, d.seen]), [[2, 1, 20], [3, 1, 2]]);
    });

    it('gives 0, not Infinity, for no elapsed time', () => {
      const r = ratesBetween({ cpus: [cpu(0, 1)], devices: [] }, { cpus: [cpu(0, 5)], devices: [] }, 0);
      assert.equal(r.cpus[0]?.enqueued, 0);
    });
  });

  describe('on the mock', () => {
    let falcon: MockFalcon;
    beforeEach(async () => {
      falcon = await openFalcon({ backend: 'mock' });
      await falcon.attach({ ifname: 'eth0' });
    });
    afterEach(async () => {
      await falcon.close();
    });

    it('rates the traffic injected between two samples over the measured elapsed time', async () => {
      const got: StatsSample[] = [];
      for await (const sample of falcon.watchStats({ intervalMs: 40 })) {
        got.push(sample);
        if (got.length === 1) falcon.mock.inject({ device: { ifname: 'eth0' }, flowHash: 7, packets: 1000 });
        if (got.length === 2) break;
      }
      const second = got[1];
      assert.ok(second?.rates);
      assert.ok(second.elapsedMs >= 30, `elapsed ${second.elapsedMs} ms`);
      const eth0 = second.rates.devices.find((d) => d.ifname === 'eth0');
      assert.ok(eth0);
      assert.ok(Math.abs((eth0.seen * second.elapsedMs) / 1000 - 1000) < 1e-6, `seen/s ${eth0.seen}`);
      const delta = (second.stats.devices[0]?.seen ?? 0) - (got[0]?.stats.devices[0]?.seen ?? 0);
      assert.equal(delta, 1000);
    });

    it('keeps a fixed schedule: n samples take about (n - 1) intervals', async () => {
      const started = Date.now();
      let n = 0;
      for await (const _ of falcon.watchStats({ intervalMs: 20 })) if (++n === 6) break;
      const took = Date.now() - started;
      assert.ok(took >= 90 && took < 2000, `${took} ms`);
    });

    it('ends at once when its signal aborts while it sleeps, and does not start on an aborted signal', async () => {
      const stop = new AbortController();
      const started = Date.now();
      setTimeout(() => stop.abort(), 30);
      let n = 0;
      for await (const _ of falcon.watchStats({ intervalMs: 60000, signal: stop.signal })) n++;
      assert.equal(n, 1);
      assert.ok(Date.now() - started < 5000);
      for await (const _ of falcon.watchStats({ signal: stop.signal })) assert.fail('no sample after abort');
    });

    it('throws EBADF when the handle was closed before the watch began', async () => {
      await falcon.close();
      await assert.rejects(
        (async () => {
          for await (const _ of falcon.watchStats()) assert.fail('no sample');
        })(),
        (e: unknown) => e instanceof FalconError && e.code === 'EBADF',
      );
    });

    it('refuses an interval or signal that cannot work, before any request', () => {
      for (const intervalMs of [0, -1, Number.NaN, 2 ** 31]) {
        assert.throws(() => falcon.watchStats({ intervalMs }), (e: unknown) => e instanceof FalconError && e.code === 'EINVAL');
      }
      assert.throws(() => falcon.watchStats({ signal: 'x' as unknown as AbortSignal }), { code: 'EINVAL' });
    });
  });

  it('throws a failed sample from the iterator', async () => {
    const transport: GenlTransport = {
      request: (): Promise<GenlReplies> => Promise.reject(new NetlinkRequestError({ errno: 1, code: 'EPERM' })),
      openNetns: async () => 0,
      closeNetns: async () => undefined,
      netnsName: async () => undefined,
      subscribe: () => ({ close: () => undefined }),
      close: async () => undefined,
    };
    const client = new FalconClient(transport, 'kernel');
    await assert.rejects(
      (async () => {
        for await (const _ of client.watchStats({ intervalMs: 10 })) assert.fail('no sample');
      })(),
      (e: unknown) => e instanceof FalconError && e.code === 'EPERM' && e.syscall === 'get-stats',
    );
  });
});
