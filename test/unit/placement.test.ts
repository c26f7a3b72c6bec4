// hash_32 and the placement function against hand-computed values and an
// independent BigInt reference of docs/design.md's normative pseudo-code.
import { strict as assert } from 'node:assert';
import { gateNext, GateInput, hash32, place, PlacementInput } from '../../src/mock/placement';
import { rng } from '../rng';

/** hash_32 by the book: (v * 0x61C88647 mod 2^32) >> (32 - bits), in BigInt. */
function refHash(v: number, bits: number): number {
  return Number(((BigInt(v >>> 0) * 0x61c88647n) & 0xffffffffn) >> BigInt(32 - bits));
}

describe('placement: hash_32', () => {
  it('matches hand-computed values', () => {
    assert.equal(hash32(0, 16), 0);
    assert.equal(hash32(1, 16), 0x61c8); // 0x61C88647 >> 16
    assert.equal(hash32(2, 16), 0xc391); // 0xC3910C8E >> 16
    assert.equal(hash32(3, 16), 0x2559); // 0x1255992D5 mod 2^32 = 0x255992D5
    assert.equal(hash32(0xffffffff, 16), 0x9e37); // -0x61C88647 mod 2^32 = 0x9E3779B9
    assert.equal(hash32(0x10000, 16), 0x8647); // 0x61C88647 << 16 mod 2^32 = 0x86470000
    assert.equal(hash32(1, 32), 0x61c88647);
    assert.equal(hash32(1, 1), 0);
    assert.equal(hash32(2, 1), 1);
  });

  it('equals the BigInt reference on 20000 random values', () => {
    const r = rng(42);
    for (let i = 0; i < 20000; i++) {
      const v = Math.floor(r() * 2 ** 32);
      const bits = 1 + Math.floor(r() * 32);
      assert.equal(hash32(v, bits), refHash(v, bits), `hash_32(${v}, ${bits})`);
    }
  });

  it('refuses bits outside 1-32', () => {
    assert.throws(() => hash32(1, 0), RangeError);
    assert.throws(() => hash32(1, 33), RangeError);
  });
});

const base: PlacementInput = {
  enabled: true, cpus: [0, 1, 2, 3], mode: 'stage', policy: 'static', threshold: 80,
  load: () => 0, gateClosed: false, stage: 0, ifindex: 2, flowHash: 1,
};

describe('placement: place()', () => {
  it('stays in place when disabled or the set is empty', () => {
    assert.deepEqual(place({ ...base, enabled: false }), { reason: 'disabled' });
    assert.deepEqual(place({ ...base, cpus: [] }), { reason: 'no-cpus' });
    // disabled wins over an empty set
    assert.deepEqual(place({ ...base, enabled: false, cpus: [] }), { reason: 'disabled' });
  });

  it('offsets the slot by the stage in stage mode', () => {
    // hash_32(1, 16) = 25032; 25032 % 4 = 0
    assert.deepEqual(place(base), { first: 0, target: 0, reason: 'first' });
    assert.deepEqual(place({ ...base, stage: 1 }), { first: 1, target: 1, reason: 'first' });
    // (25032 + 3) % 3 = 0 -> E[0]
    assert.deepEqual(place({ ...base, stage: 3, cpus: [1, 5, 6] }), { first: 1, target: 1, reason: 'first' });
    assert.deepEqual(place({ ...base, stage: 4, cpus: [1, 5, 6] }), { first: 5, target: 5, reason: 'first' });
  });

  it('adds the ifindex before hashing in paper mode, ignoring the stage', () => {
    // hash_32(1 + 2, 16) = 0x2559 = 9561; 9561 % 4 = 1
    assert.deepEqual(place({ ...base, mode: 'paper', stage: 7 }), { first: 1, target: 1, reason: 'first' });
    // u32 wrap: 0xffffffff + 2 = 1 -> hash 25032 -> slot 0
    assert.deepEqual(place({ ...base, mode: 'paper', flowHash: 0xffffffff }), { first: 0, target: 0, reason: 'first' });
  });

  it('keeps a balanced packet in place while the gate is closed, whatever the loads', () => {
    const balanced = { ...base, policy: 'balanced' as const, gateClosed: true };
    assert.deepEqual(place(balanced), { first: 0, reason: 'gated' });
    assert.deepEqual(place({ ...balanced, load: () => 100 }), { first: 0, reason: 'gated' });
    // static ignores the gate
    assert.deepEqual(place({ ...balanced, policy: 'static' }), { first: 0, target: 0, reason: 'first' });
  });

  it('takes the second choice only when it is less loaded', () => {
    const h2 = hash32(hash32(1, 16), 16);
    const i2 = h2 % 4;
    const loads = [90, 0, 0, 0];
    const balanced = { ...base, policy: 'balanced' as const, load: (c: number) => loads[c] ?? 0 };
    const got = place(balanced);
    if (i2 === 0) assert.deepEqual(got, { first: 0, second: 0, target: 0, reason: 'first-kept' });
    else assert.deepEqual(got, { first: 0, second: i2, target: i2, reason: 'second' });
    loads.fill(90);
    loads[1] = loads[2] = loads[3] = 0;
    // threshold 0: every load is "at or above": the gate closes on average 22
    assert.equal(gateNext({ cpus: [0, 1, 2, 3], threshold: 0, hysteresis: 20, load: balanced.load, closed: false }), true);
  });

  it('keeps the first when the second is as loaded', () => {
    const balanced = { ...base, policy: 'balanced' as const, threshold: 50, cpus: [0, 1, 2, 3, 4, 5, 6, 7], load: (c: number) => (c < 2 ? 90 : 0) };
    // find a flow whose first and second are both on loaded CPUs 0/1
    for (let f = 0; f < 5000; f++) {
      const got = place({ ...balanced, flowHash: f });
      if (got.first !== undefined && got.first < 2 && got.second !== undefined && got.second < 2) {
        assert.equal(got.reason, 'first-kept');
        assert.equal(got.target, got.first);
        return;
      }
    }
    assert.fail('no flow with both choices loaded');
  });
});

describe('placement: gateNext()', () => {
  const loads = [80, 80, 80, 79];
  const gate: GateInput = { cpus: [0, 1, 2, 3], threshold: 80, hysteresis: 20, load: (c) => loads[c] ?? 0, closed: false };

  it('closes on the floor of the average load reaching the threshold', () => {
    loads.splice(0, 4, 80, 80, 80, 79); // sum 319, floor(79.75) = 79 < 80
    assert.equal(gateNext(gate), false);
    loads[3] = 80;
    assert.equal(gateNext(gate), true);
  });

  it('opens again only below threshold - hysteresis', () => {
    for (const [avg, stays] of [[79, true], [60, true], [59, false]] as const) {
      loads.fill(avg);
      assert.equal(gateNext({ ...gate, closed: true }), stays, `closed, average ${avg}`);
      // an open gate needs the threshold itself
      assert.equal(gateNext(gate), false, `open, average ${avg}`);
    }
  });

  it('is the memoryless gate with hysteresis 0, and saturates a band wider than the threshold', () => {
    loads.fill(79);
    assert.equal(gateNext({ ...gate, hysteresis: 0, closed: true }), false);
    loads.fill(0);
    // threshold 10, hysteresis 50: the bar is 0, every average reaches it
    assert.equal(gateNext({ ...gate, threshold: 10, hysteresis: 50, closed: true }), true);
  });

  it('never changes again when evaluated twice with the same loads', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const l = [0, 1, 2, 3].map(() => Math.floor(r() * 101));
      const g: GateInput = { ...gate, threshold: Math.floor(r() * 101), hysteresis: Math.floor(r() * 101), load: (c) => l[c] ?? 0, closed: r() < 0.5 };
      const once = gateNext(g);
      assert.equal(gateNext({ ...g, closed: once }), once, JSON.stringify({ ...g, l }));
    }
  });

  it('is open for an empty set', () => {
    assert.equal(gateNext({ ...gate, cpus: [], threshold: 0, closed: true }), false);
  });
});
