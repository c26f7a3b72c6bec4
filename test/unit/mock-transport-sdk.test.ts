// The mock transport answers close and namespace paths as the native one
// does (test/unit/native-nlctrl.test.ts): ECANCELED for what close() finds
// pending, EBADF afterwards; a path that does not exist on this host is
// ENOENT at open, one that exists but is no namespace reaches the module.
import assert from 'node:assert/strict';
import { createMockTransport } from '../../src/mock';
import { encodeGenl } from '../../src/protocol/codec';
import { OPERATIONS } from '../../src/protocol/generated';
import { NetlinkRequestError } from '../../src/transport/types';

const getConfig = (): Buffer => encodeGenl({ command: OPERATIONS['get-config'].id, version: 1, attrs: Buffer.alloc(0) });

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NetlinkRequestError, String(error));
    return error.code;
  }
  return 'ok';
}

describe('mock transport: close and namespace paths', () => {
  it('rejects requests pending at close with ECANCELED, later ones with EBADF', async () => {
    const t = createMockTransport();
    const pending = [code(t.request(getConfig(), { dump: false })), code(t.request(getConfig(), { dump: false }))];
    await t.close();
    assert.deepEqual(await Promise.all(pending), ['ECANCELED', 'ECANCELED']);
    assert.equal(await code(t.request(getConfig(), { dump: false })), 'EBADF');
    assert.equal(await code(t.openNetns('h1')), 'EBADF');
  });

  it('opens model namespaces by name and /run/netns path, host paths only when they exist', async () => {
    const t = createMockTransport();
    try {
      for (const ref of ['h1', '/run/netns/h1', '/var/run/netns/h2', '/proc/self/ns/net', '/proc/1/ns/net', `/proc/${process.pid}/ns/net`, '/dev/null']) {
        assert.equal(typeof (await t.openNetns(ref)), 'number', ref);
      }
      for (const ref of ['nope', '/run/netns/nope', '/nonexistent-fct/ns', '/proc/999999999/ns/net', '']) {
        assert.equal(await code(t.openNetns(ref)), 'ENOENT', ref);
      }
      assert.equal(await code(t.openNetns('/dev/null/ns')), 'ENOTDIR');
    } finally {
      await t.close();
    }
  });
});
