// The kernel backend's close and abort semantics on a real netlink socket,
// without falcon.ko: the native transport and FalconClient over the host
// kernel's own controller family (nlctrl, always registered), as
// test/unit/native-nlctrl.test.ts does. nlctrl has no command 1 (falcon's
// get-config), so every answer that does arrive is its EOPNOTSUPP.
import assert from 'node:assert/strict';
import { FalconError } from '../../src/api/errors';
import { FalconClient } from '../../src/client/falcon-client';
import { NativeGenlTransport } from '../../src/transport/native';
import { encodeGetFamily } from '../../src/transport/nlctrl';
import { NetlinkRequestError } from '../../src/transport/types';
import { rejectionOf } from '../rejection';

const rejection = (promise: Promise<unknown>): Promise<NetlinkRequestError> => rejectionOf(promise, NetlinkRequestError);

const refused = (promise: Promise<unknown>): Promise<FalconError> => rejectionOf(promise, FalconError);

describe('kernel backend close and abort (native transport on nlctrl)', () => {
  it('the transport rejects requests pending at close with ECANCELED, later ones with EBADF (as the mock transport)', async () => {
    const transport = await NativeGenlTransport.open('nlctrl');
    const pending = Array.from({ length: 50 }, () => transport.request(encodeGetFamily('nlctrl'), { dump: false }));
    await transport.close();
    const settled = await Promise.allSettled(pending);
    for (const result of settled) {
      if (result.status === 'rejected') assert.equal((result.reason as NetlinkRequestError).code, 'ECANCELED');
    }
    assert.ok(settled.some((r) => r.status === 'rejected'));
    assert.equal((await rejection(transport.request(encodeGetFamily('nlctrl'), { dump: false }))).code, 'EBADF');
    assert.equal((await rejection(transport.openNetns('/proc/self/ns/net'))).code, 'EBADF');
  });

  it('FalconClient: pending at close ECANCELED, after it EBADF', async () => {
    const client = new FalconClient(await NativeGenlTransport.open('nlctrl'), 'kernel');
    const pending = Array.from({ length: 20 }, () => refused(client.getConfig()));
    await client.close();
    for (const e of await Promise.all(pending)) {
      assert.equal(e.code, 'ECANCELED');
      assert.equal(e.message, 'Falcon handle was closed while the request was pending');
    }
    assert.equal((await refused(client.getConfig())).code, 'EBADF');
    assert.equal((await refused(client.stats())).message, 'Falcon handle is closed');
  });

  it('FalconClient: an abort drops the late reply, the next calls get their own answers', async () => {
    const client = new FalconClient(await NativeGenlTransport.open('nlctrl'), 'kernel');
    try {
      const controller = new AbortController();
      const aborted = refused(client.getConfig({ signal: controller.signal }));
      controller.abort();
      const e = await aborted;
      assert.equal(e.code, 'ECANCELED');
      assert.equal(e.name, 'AbortError');
      for (let i = 0; i < 5; i++) assert.equal((await refused(client.getConfig({ timeoutMs: 10000 }))).code, 'EOPNOTSUPP');
    } finally {
      await client.close();
    }
  });

  it('FalconClient: a missing namespace is ENOENT naming it, before anything is sent (as on the mock)', async () => {
    const client = new FalconClient(await NativeGenlTransport.open('nlctrl'), 'kernel');
    try {
      for (const netns of ['fct-no-such-ns', '/run/netns/fct-no-such-ns', '/proc/999999999/ns/net', '/nonexistent-fct/ns']) {
        const e = await refused(client.pick({ ifname: 'lo', netns, flowHash: 1 }));
        assert.equal(e.code, 'ENOENT');
        assert.equal(e.message, `cannot open network namespace "${netns}": No such file or directory`);
        assert.equal(e.attribute, 'netns-fd');
      }
      // An existing file reaches the module (here nlctrl, which knows no such command).
      assert.equal((await refused(client.pick({ ifname: 'lo', netns: '/dev/null', flowHash: 1 }))).code, 'EOPNOTSUPP');
    } finally {
      await client.close();
    }
  });
});
