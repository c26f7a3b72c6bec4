// cpuset strings and bitmaps: the user's "1-3,6" must reach the kernel as
// exactly the bits it names, and bad input must say which token is wrong.
import assert from 'node:assert/strict';
import { FalconError } from '../../src/api/errors';
import {
  MAX_ENCODABLE_CPU,
  bitmapToCpus,
  cpusToBitmap,
  formatCpuList,
  parseCpuList,
  toCpuArray,
} from '../../src/api/cpuset';

function assertUsage(fn: () => unknown, token: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FalconError);
    assert.equal(error.code, 'EINVAL');
    assert.equal(error.errno, 22);
    assert.equal(error.attribute, 'cpus');
    assert.ok(error.message.includes(`"${token}"`), error.message);
    return true;
  });
}

describe('cpuset', () => {
  describe('parseCpuList', () => {
    it('parses single CPUs, ranges and blanks', () => {
      assert.deepEqual(parseCpuList('1-3,6'), [1, 2, 3, 6]);
      assert.deepEqual(parseCpuList('0'), [0]);
      assert.deepEqual(parseCpuList(' 4 , 0-1 '), [0, 1, 4]);
      assert.deepEqual(parseCpuList('2-2'), [2]);
      assert.deepEqual(parseCpuList('5 - 7'), [5, 6, 7]);
    });

    it('sorts and removes duplicates', () => {
      assert.deepEqual(parseCpuList('6,1-3,2,6'), [1, 2, 3, 6]);
    });

    it('reads the empty string as the empty set (the kernel refuses it)', () => {
      assert.deepEqual(parseCpuList(''), []);
      assert.deepEqual(parseCpuList('   '), []);
    });

    it('names the bad token', () => {
      assertUsage(() => parseCpuList('1-3,x'), 'x');
      assertUsage(() => parseCpuList('1,,2'), '');
      assertUsage(() => parseCpuList('-1'), '-1');
      assertUsage(() => parseCpuList('1-'), '1-');
      assertUsage(() => parseCpuList('1.5'), '1.5');
      assertUsage(() => parseCpuList('3-1'), '3-1');
      assertUsage(() => parseCpuList('0x2'), '0x2');
    });

    it('refuses CPUs no bitmap attribute can carry', () => {
      assert.throws(() => parseCpuList(`${MAX_ENCODABLE_CPU + 1}`), FalconError);
      assert.deepEqual(parseCpuList(`${MAX_ENCODABLE_CPU}`), [MAX_ENCODABLE_CPU]);
    });

    it('reports the caller in syscall', () => {
      assert.throws(() => parseCpuList('x', 'attach'), (e: unknown) => e instanceof FalconError && e.syscall === 'attach');
    });
  });

  describe('formatCpuList', () => {
    it('compresses runs into ranges', () => {
      assert.equal(formatCpuList([1, 2, 3, 6]), '1-3,6');
      assert.equal(formatCpuList([0]), '0');
      assert.equal(formatCpuList([]), '');
      assert.equal(formatCpuList([7, 5, 6, 0, 2]), '0,2,5-7');
    });

    it('round-trips with parseCpuList', () => {
      for (const text of ['0-3', '0,2,4,6', '1-3,6,8-10', '63-65,1023']) {
        assert.equal(formatCpuList(parseCpuList(text)), text);
      }
    });
  });

  describe('toCpuArray', () => {
    it('takes arrays and strings', () => {
      assert.deepEqual(toCpuArray([3, 1, 1]), [1, 3]);
      assert.deepEqual(toCpuArray('0-1'), [0, 1]);
    });

    it('refuses what cannot be a CPU number', () => {
      for (const bad of [[-1], [1.5], [Number.NaN], ['1' as unknown as number]]) {
        assert.throws(() => toCpuArray(bad), (e: unknown) => e instanceof FalconError && e.code === 'EINVAL');
      }
    });
  });

  describe('bitmaps', () => {
    it('sets bit i % 8 of byte i / 8', () => {
      assert.deepEqual(cpusToBitmap([0, 1, 2, 3, 6]), Buffer.from([0x4f]));
      assert.deepEqual(cpusToBitmap([8]), Buffer.from([0x00, 0x01]));
      assert.deepEqual(cpusToBitmap([15, 0]), Buffer.from([0x01, 0x80]));
    });

    it('encodes the empty set as one zero byte', () => {
      assert.deepEqual(cpusToBitmap([]), Buffer.from([0]));
    });

    it('decodes any length, ascending', () => {
      assert.deepEqual(bitmapToCpus(Buffer.from([0x4f])), [0, 1, 2, 3, 6]);
      assert.deepEqual(bitmapToCpus(Buffer.from([0, 0, 0x80, 0])), [23]);
      assert.deepEqual(bitmapToCpus(Buffer.alloc(0)), []);
    });

    it('round-trips', () => {
      const cpus = [0, 5, 9, 63, 64, 100, 1023];
      assert.deepEqual(bitmapToCpus(cpusToBitmap(cpus)), cpus);
    });
  });
});
