// hash_32 and the placement function against hand-computed values and an
// independent BigInt reference of DESIGN.md's normative pseudo-code.
import { strict as assert } from 'node:assert';
import { hash32, place, PlacementInput } from '../../src/mock/placement';
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
  load: () => 0, stage: 0, ifindex: 2, flowHash: 1,
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

  it('gates on the floor of the average load', () => {
    const loads = [80, 80, 80, 79]; // sum 319, floor(79.75) = 79 < 80
    const balanced = { ...base, policy: 'balanced' as const, load: (c: number) => loads[c] ?? 0 };
    assert.notEqual(place(balanced).reason, 'gated');
    loads[3] = 80;
    assert.deepEqual(place(balanced), { first: 0, reason: 'gated' });
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
    // threshold 0: every load is "at or above", average 22 >= 0 -> gated
    assert.equal(place({ ...balanced, threshold: 0 }).reason, 'gated');
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
