// A user's unit test against the mock, as another project would write it
// (node:test, ESM, named imports from the CommonJS package).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FalconError, openFalcon } from 'falcon-overlay';
import { MockModel } from 'falcon-overlay/mock';

test('attach and pick on the mock backend', async () => {
  const falcon = await openFalcon({ backend: 'mock', cpus: 4 });
  assert.equal(falcon.backend, 'mock');
  assert.ok(falcon.mock instanceof MockModel);
  await falcon.setConfig({ cpus: '1-3' });
  const a = await falcon.attach({ ifname: 'eth0' });
  assert.equal(a.ifname, 'eth0');
  assert.equal(a.stage, 0);
  const p = await falcon.pick({ ifname: 'eth0', flowHash: 0xc0ffee });
  assert.equal(typeof p.reason, 'string');
  assert.ok(p.target === undefined || [1, 2, 3].includes(p.target), `target ${p.target} outside the CPU set`);
  const refused = await falcon.attach({ ifname: 'eth0' }).then(() => undefined, (e) => e);
  assert.ok(refused instanceof FalconError);
  assert.equal(refused.code, 'EEXIST');
  await falcon.close();
});
