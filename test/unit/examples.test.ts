// The examples run against the mock so they never rot.
import { strict as assert } from 'node:assert';
import { openFalcon } from '../../src/index';
import * as attachOverlay from '../../examples/attach-overlay';
import * as explainFlow from '../../examples/explain-flow';
import * as sweep from '../../examples/sweep';

describe('examples (mock)', () => {
  it('attach-overlay attaches the path in order and reports per-CPU rates', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const lines: string[] = [];
    await attachOverlay.main(falcon, 1, (s) => lines.push(s));
    assert.deepEqual(lines.slice(0, 3), ['h2/w2: ifindex 2, stage 0', 'h2/vx0: ifindex 4, stage 1', 'h2c1/eth0: ifindex 2, stage 2']);
    assert.equal(lines.length, 3 + 4);
    const total = (await falcon.stats()).devices.reduce((n, d) => n + d.seen, 0);
    assert.equal(total, 3000);
    await falcon.close();
  });

  it('explain-flow explains every attached device', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    await falcon.attach({ ifname: 'eth0' });
    const lines: string[] = [];
    await explainFlow.main(falcon, 1, (s) => lines.push(s));
    assert.deepEqual(lines, ['eth0 (stage 0): first 0, second -: goes to CPU 0 (first)']);
    await falcon.close();
  });

  it('sweep runs every step', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const rows = await sweep.main(falcon, () => undefined);
    assert.equal(rows.length, sweep.STEPS.length);
    for (const r of rows) assert.equal(r.steered + r.local, 640);
    await falcon.close();
  });
});
