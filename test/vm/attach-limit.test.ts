/**
 * falcon.ko caps the number of attachments (max-attachments in
 * kernel/falcon.yaml): each costs O(nr_cpu_ids) memory, and a node with
 * thousands of container eth0s must get a clear error, not an allocator
 * WARN. 4096 dummies in a namespace of their own, attached until refused.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { openFalcon } from '../../src';
import { FalconError } from '../../src/api/errors';
import { MAX_ATTACHMENTS, MESSAGES } from '../../src/protocol/generated';
import { guestOnly } from './guest';

const NS = 'falcon-cap';

describe('vm: attachment limit', function () {
  guestOnly(this);
  this.timeout(600_000);

  before(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    const lines = Array.from({ length: MAX_ATTACHMENTS + 1 }, (_, i) => `link add d${i} type dummy`).join('\n') + '\n';
    execFileSync('ip', ['-n', NS, '-batch', '-'], { input: lines, stdio: ['pipe', 'pipe', 'pipe'] });
  });
  after(() => {
    execFileSync('ip', ['netns', 'del', NS]);
  });

  it(`attaches ${MAX_ATTACHMENTS} devices, refuses one more with ENOSPC and the limit, and detaches them all`, async () => {
    const f = await openFalcon({ backend: 'kernel' });
    const t = Date.now();
    try {
      for (let i = 0; i < MAX_ATTACHMENTS; i++) await f.attach({ ifname: `d${i}`, netns: NS });
      const e = await f.attach({ ifname: `d${MAX_ATTACHMENTS}`, netns: NS }).then(() => undefined, (err: unknown) => err);
      assert.ok(e instanceof FalconError, String(e));
      assert.strictEqual(e.code, 'ENOSPC');
      assert.strictEqual(e.message, MESSAGES['too-many-attachments'].text);
      assert.match(e.message, new RegExp(`${MAX_ATTACHMENTS}`));
      assert.strictEqual((await f.devices()).length, MAX_ATTACHMENTS);
      for (let i = 0; i < MAX_ATTACHMENTS; i++) await f.detach({ ifname: `d${i}`, netns: NS });
      // Below the cap again: one more fits
      await f.attach({ ifname: `d${MAX_ATTACHMENTS}`, netns: NS });
      console.log(`      ${MAX_ATTACHMENTS} attach + detach in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      execFileSync('ip', ['netns', 'del', NS]);
      execFileSync('ip', ['netns', 'add', NS]);
      const left = async (): Promise<number> => (await f.devices()).length;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && (await left()) > 0; ) await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(await left(), 0, 'the deleted namespace\'s attachment went with it');
    } finally {
      await f.close();
    }
  });
});
