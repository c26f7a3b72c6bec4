/**
 * bench/datapath.sh runs every installed supported kernel in one invocation;
 * checked with the experiment's --dry-run (prints the plan, boots nothing).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');

describe('bench/datapath.sh', () => {
  it('plans one run per installed supported kernel, attached everywhere by default', function () {
    this.timeout(60_000);
    const kernels = spawnSync('bash', ['scripts/kernels.sh'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter((k) => k !== '');
    const r = spawnSync('bash', ['bench/datapath.sh', '--dry-run', '--reps', '5'], { cwd: root, encoding: 'utf8' });
    if (kernels.length === 0) {
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /no supported kernel installed/);
      return;
    }
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual([...r.stdout.matchAll(/^== kernel (\S+)$/gm)].map((m) => m[1]), kernels);
    assert.strictEqual([...r.stdout.matchAll(/"attach": "everywhere"/g)].length, kernels.length);
    assert.strictEqual([...r.stdout.matchAll(/"reps": 5/g)].length, kernels.length);
  });
  it('passes --kernel through to a single run (an unknown kernel is refused before booting)', function () {
    this.timeout(60_000);
    const r = spawnSync('bash', ['bench/datapath.sh', '--dry-run', '--kernel', '6.1.0-0-test'], { cwd: root, encoding: 'utf8' });
    assert.doesNotMatch(r.stdout, /^== kernel/m);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /kernel image \/boot\/vmlinuz-6\.1\.0-0-test not found/);
  });
});
