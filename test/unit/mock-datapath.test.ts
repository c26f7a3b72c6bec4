// The mock's traffic driver: counters as docs/protocol.md "Counters" defines
// them, queues held and drained, purges on unregister and hotplug.
import { strict as assert } from 'node:assert';
import { openFalcon, MockFalcon } from '../../src/index';

describe('mock: datapath', () => {
  let f: MockFalcon;
  beforeEach(async () => {
    f = await openFalcon({ backend: 'mock' });
  });
  afterEach(() => f.close());

  it('counts seen = local + steered + dropped, and drains at once by default', async () => {
    await f.attach({ ifname: 'eth0', stage: 1 });
    const p = await f.pick({ ifname: 'eth0', flowHash: 1 });
    const r = f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 1, packets: 10, cpu: p.target === 0 ? 1 : 0 });
    assert.deepEqual(r, { hooked: true, local: 0, steered: 10, dropped: 0, deferred: 0, targets: { [p.target as number]: 10 } });
    const s = await f.stats();
    const dev = s.devices[0];
    assert.ok(dev);
    assert.deepEqual([dev.seen, dev.steered, dev.local, dev.dropped], [10, 10, 0, 0]);
    assert.deepEqual(dev.targets, [{ cpu: p.target, packets: 10 }]);
    const cpu = s.cpus[p.target as number];
    assert.deepEqual([cpu?.enqueued, cpu?.processed, cpu?.queueHwm, cpu?.queueLen, cpu?.kicks], [10, 10, 1, 0, 10]);
  });

  it('keeps packets in place when the target is the arriving CPU, or gated', async () => {
    await f.attach({ ifname: 'eth0' });
    const p = await f.pick({ ifname: 'eth0', flowHash: 5 });
    assert.equal(f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 5, packets: 3, cpu: p.target }).local, 3);
    for (const c of [0, 1, 2, 3]) f.mock.setLoad(c, 95);
    f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 5, packets: 2 });
    const dev = (await f.stats()).devices[0];
    assert.deepEqual([dev?.local, dev?.gated], [5, 2]);
  });

  it('moves the load gate on monitor samples (setLoad) and hotplug, with hysteresis', async () => {
    await f.attach({ ifname: 'eth0', cpus: [2, 3] });
    const gate = async (): Promise<boolean | undefined> => (await f.stats()).devices[0]?.gateClosed;
    const setLoads = (l2: number, l3: number): void => {
      f.mock.setLoad(2, l2);
      f.mock.setLoad(3, l3);
    };
    setLoads(100, 60); // average 80: closes
    assert.equal(await gate(), true);
    assert.equal(f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 5, packets: 4 }).local, 4);
    setLoads(100, 20); // average 60: still closed (band 60-79)
    assert.equal(await gate(), true);
    // CPU 3 goes offline: E = [2], average 100: closed; back online, average 60: closed
    f.mock.setOnline(3, false);
    assert.equal(await gate(), true);
    f.mock.setOnline(3, true);
    assert.equal(await gate(), true);
    setLoads(100, 18); // average 59: opens
    assert.equal(await gate(), false);
    assert.equal(f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 5, packets: 4, cpu: 0 }).steered, 4);
    const dev = (await f.stats()).devices[0];
    assert.deepEqual([dev?.gated, dev?.steered], [4, 4]);
  });

  it('drops when a held queue is full, purges on unregister', async () => {
    await f.setConfig({ queueLimit: 4, policy: 'static' });
    await f.attach({ ifname: 'eth0', cpus: [3] });
    f.mock.holdQueues(true);
    const r = f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 9, packets: 6, cpu: 0 });
    assert.deepEqual([r.steered, r.dropped], [4, 2]);
    let s = await f.stats();
    assert.deepEqual([s.cpus[3]?.queueLen, s.cpus[3]?.queueHwm, s.cpus[3]?.dropped, s.cpus[3]?.kicks], [4, 4, 2, 1]);
    f.mock.removeDevice({ ifname: 'eth0' });
    s = await f.stats();
    assert.deepEqual([s.cpus[3]?.queueLen, s.cpus[3]?.purged], [0, 4]);
    assert.deepEqual(await f.devices(), []);
  });

  it('leaves devices without an attachment alone', async () => {
    await f.attach({ ifname: 'eth0' });
    assert.equal(f.mock.inject({ device: { ifname: 'vx0', netns: 'h1' }, flowHash: 1 }).hooked, false);
    assert.throws(() => f.mock.inject({ device: { ifname: 'eth0' }, flowHash: 1, cpu: 9 }), RangeError);
  });
});
