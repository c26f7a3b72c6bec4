// The mock's per-flow tails (docs/protocol.md "Ordering"), case by case:
// a flow whose move is deferred, a slot another flow holds, the quiet point
// that releases a move, in place behind a packet that ran in place, cold
// CPUs after an attach, and detach's drain; pick says what the datapath does.
import { strict as assert } from 'node:assert';
import type { DeviceRef, PickResult } from '../../src/api/types';
import { openFalcon, MockFalcon } from '../../src/index';
import { flowSlot, flowTag, order } from '../../src/mock/order';

const ETH0: DeviceRef = { ifname: 'eth0' };
const VX0: DeviceRef = { ifname: 'vx0', netns: 'h1' };

describe('mock: ordering (per-flow tails)', () => {
  let f: MockFalcon;
  let now: number;
  beforeEach(async () => {
    now = 0;
    f = await openFalcon({ backend: 'mock', clock: () => now });
    // Loads 0 everywhere: every placement is the first choice.
    for (const c of [0, 1, 2, 3]) await f.pinLoad(c, 0);
  });
  afterEach(() => f.close());

  const pick = (flowHash: number, dev: DeviceRef = ETH0): Promise<PickResult> => f.pick({ ...dev, flowHash });
  const send = (flowHash: number, cpu: number, dev: DeviceRef = ETH0) => f.mock.inject({ device: dev, flowHash, cpu });
  const other = (cpu: number | undefined): number => (cpu === 0 ? 1 : 0);
  const deferredOf = async (dev: DeviceRef = ETH0): Promise<number | undefined> =>
    (await f.stats()).devices.find((d) => d.ifname === dev.ifname)?.deferred;
  /** A flow hash in `slot`'s slot with another tag whose placement is not `not`. */
  const slotMate = async (slot: number, not: number | undefined): Promise<number> => {
    for (let k = 1; k < 0x4000; k++) {
      const g = ((k << 10) | slot) >>> 0;
      if ((await pick(g)).target !== not) return g;
    }
    throw new Error('no slot mate');
  };

  it('defers a flow whose last packet is still queued, until that CPU is quiet', async () => {
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    const h = 0x1234;
    const t0 = (await pick(h)).target as number;
    assert.deepEqual(send(h, other(t0)).targets, { [t0]: 1 });
    // The placement moves the flow: its packet still follows the held one.
    await f.setConfig({ cpus: [0, 1, 2, 3].filter((c) => c !== t0) });
    const moved = await pick(h);
    assert.notEqual(moved.first, t0);
    assert.deepEqual(moved, { first: moved.first, target: t0, reason: 'deferred' });
    const r = send(h, other(t0));
    assert.deepEqual([r.targets, r.deferred], [{ [t0]: 1 }, 1]);
    assert.equal(await deferredOf(), 1);
    // Another CPU's quiet point changes nothing; t0's releases the move.
    f.mock.drain(moved.first);
    assert.equal((await pick(h)).reason, 'deferred');
    f.mock.drain(t0);
    assert.deepEqual(await pick(h), { first: moved.first, target: moved.first, reason: 'first' });
    const after = send(h, other(moved.first));
    assert.deepEqual([after.targets, after.deferred], [{ [moved.first as number]: 1 }, 0]);
    assert.equal(await deferredOf(), 1);
  });

  it('counts a deferred packet that its CPU\'s full queue drops as deferred and dropped', async () => {
    await f.setConfig({ queueLimit: 1 });
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    const h = 77;
    const t0 = (await pick(h)).target as number;
    send(h, other(t0));
    await f.setConfig({ cpus: [0, 1, 2, 3].filter((c) => c !== t0) });
    const r = send(h, other(t0));
    assert.deepEqual([r.steered, r.dropped, r.deferred], [0, 1, 1]);
    const d = (await f.stats()).devices[0];
    assert.deepEqual([d?.seen, d?.steered, d?.dropped, d?.deferred], [2, 1, 1, 1]);
  });

  it('sends a flow after another flow\'s pending record in its slot (slot-busy), which both then share', async () => {
    await f.attach(ETH0);
    const h = 0x5678;
    const t0 = (await pick(h)).target as number;
    const g = await slotMate(flowSlot(h), t0);
    assert.notEqual(flowTag(g), flowTag(h));
    const own = (await pick(g)).target as number;
    f.mock.holdQueues(true);
    send(h, other(t0));
    assert.deepEqual(await pick(g), { first: own, target: t0, reason: 'slot-busy' });
    const r = send(g, other(t0));
    assert.deepEqual([r.targets, r.deferred], [{ [t0]: 1 }, 1]);
    // The record is g's now, still on t0: h follows it as slot-busy too, if placed elsewhere.
    await f.setConfig({ cpus: [0, 1, 2, 3].filter((c) => c !== t0) });
    assert.equal((await pick(h)).reason, 'slot-busy');
    assert.equal((await pick(g)).reason, 'deferred');
    f.mock.drain(t0);
    assert.notEqual((await pick(g)).reason, 'slot-busy');
    assert.notEqual((await pick(h)).target, t0);
  });

  it('reads an empty slot as no record, not as CPU 0', async () => {
    await f.attach(ETH0);
    let h = 1;
    while ((await pick(h)).target === 0) h++;
    const t = (await pick(h)).target as number;
    f.mock.holdQueues(true);
    assert.deepEqual(send(h, 0).targets, { [t]: 1 });
  });

  it('keeps a flow in place behind its packet that ran in place, and queues it there from other CPUs', async () => {
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    // CPU a holds a packet of an unrelated flow, so a has no quiet point.
    const u = 0x9abc;
    const a = (await pick(u)).target as number;
    send(u, other(a));
    let h = 1;
    while ((await pick(h)).target !== a || flowSlot(h) === flowSlot(u)) h++;
    assert.equal(send(h, a).local, 1, 'placed on its arrival CPU: in place');
    await f.setConfig({ cpus: [0, 1, 2, 3].filter((c) => c !== a) });
    const placed = (await pick(h)).first;
    assert.deepEqual(await pick(h), { first: placed, target: a, reason: 'deferred' });
    const again = send(h, a);
    assert.deepEqual([again.local, again.deferred], [1, 0], 'in place behind it, not queued');
    const fromOther = send(h, other(a));
    assert.deepEqual([fromOther.targets, fromOther.deferred], [{ [a]: 1 }, 1], 'queued behind it on a');
    f.mock.drain(a);
    assert.deepEqual(await pick(h), { first: placed, target: placed, reason: 'first' });
  });

  it('keeps a CPU\'s arrivals in place after an attach until its first quiet point', async () => {
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    // CPU c holds a packet (of eth0) while vx0 is attached: c is cold for vx0, the others are not.
    const u = 0x4242;
    const c = (await pick(u)).target as number;
    send(u, other(c));
    await f.attach(VX0);
    let h = 1;
    while ((await pick(h, VX0)).target === c || (await pick(h, VX0)).target === undefined) h++;
    const t = (await pick(h, VX0)).target as number;
    const cold = send(h, c, VX0);
    assert.deepEqual([cold.local, cold.steered], [1, 0], 'cold: in place');
    // Its record now holds the flow on c, from every CPU, until c is quiet.
    assert.deepEqual(await pick(h, VX0), { first: t, target: c, reason: 'deferred' });
    let w = 0;
    while (w === c || w === t) w++;
    assert.deepEqual(send(h, w, VX0).targets, { [c]: 1 });
    f.mock.drain(c);
    assert.deepEqual(send(h, c, VX0).targets, { [t]: 1 }, 'warm after its quiet point');
    // A CPU that was idle at the attach was never cold.
    let g = h + 1;
    while ((await pick(g, VX0)).target === w || flowSlot(g) === flowSlot(h)) g++;
    assert.deepEqual(send(g, w, VX0).steered, 1);
  });

  it('keeps a detached device\'s hook until what it queued is no longer pending', async () => {
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    const h = 0x777;
    const t0 = (await pick(h)).target as number;
    send(h, other(t0));
    await f.detach(ETH0);
    assert.deepEqual(await f.devices(), []);
    // The hook stays, placing nothing: the flow follows its packet, others run in place.
    const follows = send(h, other(t0));
    assert.deepEqual([follows.hooked, follows.targets, follows.deferred], [true, { [t0]: 1 }, 1]);
    let g = h + 1;
    while (flowSlot(g) === flowSlot(h)) g++;
    const fresh = send(g, 0);
    assert.deepEqual([fresh.hooked, fresh.local], [true, 1]);
    f.mock.drain(t0);
    assert.equal(send(h, other(t0)).hooked, false, 'gone once nothing queued is pending');
  });

  it('lets a detached hook go after 1 s even when its CPU is never quiet', async () => {
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    const h = 0x888;
    const t0 = (await pick(h)).target as number;
    send(h, other(t0));
    await f.detach(ETH0);
    now = 1000;
    assert.equal(send(h, other(t0)).hooked, true);
    now = 1001;
    assert.equal(send(h, other(t0)).hooked, false);
  });

  it('takes a draining attachment back on attach: records kept, counters from zero', async () => {
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    const h = 0x999;
    const t0 = (await pick(h)).target as number;
    send(h, other(t0));
    send(h, other(t0));
    await f.detach(ETH0);
    const cpus = [0, 1, 2, 3].filter((c) => c !== t0);
    const a = await f.attach({ ...ETH0, cpus, stage: 7 });
    assert.deepEqual([a.stage, a.cpus], [7, cpus]);
    const d = (await f.stats()).devices[0];
    assert.deepEqual([d?.seen, d?.steered, d?.deferred], [0, 0, 0]);
    const p = await pick(h);
    assert.deepEqual(p, { first: p.first, target: t0, reason: 'deferred' });
    f.mock.drain();
    assert.equal((await pick(h)).reason, 'first');
  });

  it('purges an unregistered device\'s packets: a queue they leave empty is quiet', async () => {
    await f.attach(VX0);
    await f.attach(ETH0);
    f.mock.holdQueues(true);
    // t0 holds a packet of vx0, and eth0's flow g ran in place on t0 behind it.
    const h = 0xaaa;
    const t0 = (await pick(h, VX0)).target as number;
    send(h, other(t0), VX0);
    let g = 1;
    while ((await pick(g)).target !== t0) g++;
    assert.equal(send(g, t0).local, 1);
    await f.setConfig({ cpus: [0, 1, 2, 3].filter((c) => c !== t0) });
    assert.equal((await pick(g)).reason, 'deferred');
    f.mock.removeDevice(VX0);
    const cpu = (await f.stats()).cpus[t0];
    assert.deepEqual([cpu?.queueLen, cpu?.purged], [0, 1]);
    assert.equal((await pick(g)).reason, 'first');
  });

  it('picks what the next packet does: pick is the datapath\'s placement and ordering, without arrival CPU', () => {
    const placement = { first: 2, target: 2, reason: 'first' as const };
    const rec = { tag: flowTag(5), cpu: 1, epoch: 0, queued: true };
    assert.deepEqual(order({ placement, flowHash: 5 }), placement);
    assert.deepEqual(order({ placement, flowHash: 5, pending: rec }), { first: 2, target: 1, reason: 'deferred' });
    assert.deepEqual(order({ placement, flowHash: 5 + (1 << 10), pending: rec }), { first: 2, target: 1, reason: 'slot-busy' });
    // Same CPU as placed: the placement's reason stands.
    assert.deepEqual(order({ placement, flowHash: 5, pending: { ...rec, cpu: 2 } }), placement);
    // A gated or disabled flow (no target) still follows its pending record.
    assert.deepEqual(order({ placement: { first: 2, reason: 'gated' }, flowHash: 5, pending: rec }), { first: 2, target: 1, reason: 'deferred' });
    // In the datapath: in place on the arrival CPU behind an in-place record, or when cold, or placed there.
    const inPlace = { ...rec, queued: false };
    assert.deepEqual(order({ placement, flowHash: 5, pending: inPlace, here: 1 }), { first: 2, reason: 'first' });
    assert.deepEqual(order({ placement, flowHash: 5, pending: inPlace, here: 3 }), { first: 2, target: 1, reason: 'deferred' });
    assert.deepEqual(order({ placement, flowHash: 5, pending: rec, here: 1 }), { first: 2, target: 1, reason: 'deferred' });
    assert.deepEqual(order({ placement, flowHash: 5, here: 3, cold: true }), { first: 2, reason: 'first' });
    assert.deepEqual(order({ placement, flowHash: 5, here: 2 }), { first: 2, reason: 'first' });
    assert.deepEqual(order({ placement, flowHash: 5, here: 3 }), placement);
  });
});
