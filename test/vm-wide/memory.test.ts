/**
 * Booted with many possible CPUs (test/host/vm.test.ts boots 64 vCPUs with
 * maxcpus=2: nr_cpu_ids 64, two CPUs running): an attachment's memory is
 * O(nr_cpu_ids). It once allocated (5 + nr_cpu_ids) u64 on every possible
 * CPU, about 0.5 MB per attachment at 256 CPUs; now a fixed-size copy per
 * CPU. Measured as the growth of /proc/meminfo's Percpu over N attachments.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { openFalcon } from '../../src';
import { guestOnly } from '../vm/guest';

const NS = 'falcon-mem';
// Enough that per-CPU memory is populated in many pages: the measure moves in pages.
const N = 1000;
/** What one CPU's copy of an attachment's counters may cost: 192 bytes (two lines, one the producers write), plus allocator slack. The old layout cost (5 + nr_cpu_ids) x 8, 552 bytes per CPU at 64. */
const BYTES_PER_CPU = 256;

function percpuBytes(): number {
  const m = /^Percpu:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  assert.ok(m, '/proc/meminfo has Percpu');
  return Number(m[1]) * 1024;
}

describe('vm-wide: memory per attachment', function () {
  guestOnly(this);
  this.timeout(600_000);

  before(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    const lines = Array.from({ length: N }, (_, i) => `link add m${i} type dummy`).join('\n') + '\n';
    execFileSync('ip', ['-n', NS, '-batch', '-'], { input: lines, stdio: ['pipe', 'pipe', 'pipe'] });
  });
  after(() => {
    execFileSync('ip', ['netns', 'del', NS]);
  });

  it(`costs at most ${BYTES_PER_CPU} bytes per possible CPU (${N} attachments)`, async () => {
    const f = await openFalcon({ backend: 'kernel' });
    try {
      const nrCpuIds = (await f.getConfig()).nrCpuIds;
      assert.ok(nrCpuIds >= 32, `booted with many possible CPUs (nr_cpu_ids ${nrCpuIds})`);
      const before = percpuBytes();
      for (let i = 0; i < N; i++) await f.attach({ ifname: `m${i}`, netns: NS });
      const per = (percpuBytes() - before) / N;
      console.log(`      nr_cpu_ids ${nrCpuIds}: ${Math.round(per)} bytes of per-CPU memory per attachment (${(per / nrCpuIds).toFixed(1)} per CPU)`);
      assert.ok(per <= BYTES_PER_CPU * nrCpuIds, `${Math.round(per)} bytes per attachment, more than ${BYTES_PER_CPU} x ${nrCpuIds}`);
      // A stats dump with every attachment still works (it walks each attachment's CPUs once).
      assert.strictEqual((await f.stats()).devices.length, N);
      for (let i = 0; i < N; i++) await f.detach({ ifname: `m${i}`, netns: NS });
    } finally {
      await f.close();
    }
  });
});
