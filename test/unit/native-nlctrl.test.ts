// The native transport against the kernel's own controller family (nlctrl,
// always registered): lookups, dumps, kernel errors with extack, many
// requests in flight, close with requests pending, and an event loop that
// keeps turning. Needs only a Linux host and the built addon.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { encodeGenl, encodeRawAttr } from '../../src/protocol/codec';
import { GenlSocket, NativeGenlTransport } from '../../src/transport/native';
import { GENL_ID_CTRL, encodeGetFamily } from '../../src/transport/nlctrl';
import { NetlinkRequestError } from '../../src/transport/types';
import { rejectionOf } from '../rejection';

const root = join(__dirname, '..', '..', '..');

const rejection = (promise: Promise<unknown>): Promise<NetlinkRequestError> => rejectionOf(promise, NetlinkRequestError);

describe('native Generic Netlink transport (nlctrl)', function () {
  let socket: GenlSocket;

  beforeEach(() => {
    socket = GenlSocket.open();
  });

  afterEach(() => {
    socket.close();
  });

  it('gets a port id from the kernel', () => {
    assert.ok(socket.portId > 0);
    assert.equal(socket.pending, 0);
    assert.equal(socket.closed, false);
  });

  it('resolves nlctrl: id 16, version, maxattr, the notify group', async () => {
    const family = await socket.resolveFamily('nlctrl');
    assert.equal(family.name, 'nlctrl');
    assert.equal(family.id, GENL_ID_CTRL);
    assert.ok(family.version >= 1);
    // nlctrl has per-op policies, so its family-wide maxattr may be 0.
    assert.ok(Number.isInteger(family.maxAttr) && family.maxAttr >= 0);
    assert.ok(family.ops.some((op) => op.id === 3), 'CTRL_CMD_GETFAMILY listed');
    assert.ok(family.mcastGroups.some((group) => group.name === 'notify' && group.id > 0));
  });

  it('dumps every family, nlctrl among them', async () => {
    const families = await socket.listFamilies();
    assert.ok(families.length >= 1);
    const nlctrl = families.find((f) => f.name === 'nlctrl');
    assert.equal(nlctrl?.id, GENL_ID_CTRL);
    assert.equal(new Set(families.map((f) => f.id)).size, families.length, 'no family twice');
  });

  it('answers an unknown family with ENOENT', async () => {
    const error = await rejection(socket.resolveFamily('nosuchfamily'));
    assert.equal(error.code, 'ENOENT');
    assert.equal(error.errno, 2);
    // The controller may or may not explain; when it does, the text comes through.
    if (error.kernelMessage !== undefined) assert.ok(error.kernelMessage.length > 0);
  });

  it('reports the policy layer extack message and the attribute offset from the genlmsghdr', async () => {
    // A 40-character name breaks the controller's NLA_NUL_STRING (GENL_NAMSIZ) policy.
    const error = await rejection(socket.resolveFamily('x'.repeat(40)));
    assert.equal(error.code, 'EINVAL');
    assert.equal(typeof error.kernelMessage, 'string');
    assert.ok((error.kernelMessage ?? '').length > 0);
    assert.equal(error.message, error.kernelMessage);
    // The name attribute follows the 4-byte genlmsghdr.
    assert.equal(error.badAttrOffset, 4);
  });

  it('answers an unknown command with EOPNOTSUPP', async () => {
    const payload = encodeGenl({ command: 200, version: 2, attrs: Buffer.alloc(0) });
    const error = await rejection(socket.request(GENL_ID_CTRL, payload, { dump: false }));
    assert.equal(error.code, 'EOPNOTSUPP');
    assert.equal(error.errno, 95);
  });

  it('keeps many requests and dumps in flight, each answered by its own reply', async () => {
    // Unknown names are few: each makes the controller try request_module(), slow in a VM.
    const lookups = Array.from({ length: 600 }, (_, i) => (i % 100 === 7 ? `nosuchfam-${i}` : 'nlctrl'));
    const dumps = Array.from({ length: 12 }, () => socket.listFamilies());
    const results = await Promise.allSettled(lookups.map((name) => socket.resolveFamily(name)));
    results.forEach((result, i) => {
      if (lookups[i] === 'nlctrl') {
        assert.equal(result.status, 'fulfilled');
        assert.equal(result.status === 'fulfilled' && result.value.id, GENL_ID_CTRL);
      } else {
        assert.equal(result.status, 'rejected');
        assert.equal(result.status === 'rejected' && (result.reason as NetlinkRequestError).code, 'ENOENT');
      }
    });
    const listed = await Promise.all(dumps);
    for (const families of listed) assert.deepEqual(families.map((f) => f.id), listed[0]?.map((f) => f.id));
    assert.equal(socket.pending, 0);
  });

  it('sends inline on request, in order with threaded sends', async () => {
    const payload = encodeGetFamily('nlctrl');
    const mixed = Array.from({ length: 100 }, (_, i) => socket.request(GENL_ID_CTRL, payload, { dump: false, inline: i % 2 === 0 }));
    for (const replies of await Promise.all(mixed)) assert.equal(replies.length, 1);
  });

  it('rejects what is pending when closed, and everything after', async () => {
    const pending = [
      ...Array.from({ length: 100 }, () => socket.resolveFamily('nlctrl')),
      socket.listFamilies(),
      socket.listFamilies(),
    ];
    socket.close();
    const settled = await Promise.allSettled(pending);
    // Some may have been answered before close; the rest reject with ECANCELED.
    for (const result of settled) {
      if (result.status === 'rejected') assert.equal((result.reason as NetlinkRequestError).code, 'ECANCELED');
    }
    assert.ok(settled.some((r) => r.status === 'rejected'));
    assert.equal(socket.pending, 0);
    assert.equal(socket.closed, true);
    const after = await rejection(socket.resolveFamily('nlctrl'));
    assert.equal(after.code, 'ECANCELED');
    socket.close(); // idempotent
  });

  it('never blocks the event loop: a setImmediate ticker runs during requests', async () => {
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    // The kernel runs a request inside sendmsg() (an unknown family even waits for
    // modprobe), so this also checks that sends happen off the loop thread.
    const slow = socket.resolveFamily('nosuchfam-slow').catch(() => undefined);
    for (let i = 0; i < 50; i++) await Promise.all([socket.listFamilies(), socket.resolveFamily('nlctrl')]);
    await slow;
    running = false;
    // Round trips yield to the loop (answers arrive through libuv's poll phase).
    assert.ok(ticks >= 25, `ticker ran ${ticks} times`);
  });

  it('a timer fires while a thousand requests are in flight', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    const all = Promise.all(Array.from({ length: 1000 }, () => socket.resolveFamily('nlctrl')));
    await all;
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.ok(fired);
  });

  it('an open but idle socket does not keep the process alive', () => {
    const script = `
      const { GenlSocket } = require(${JSON.stringify(join(root, 'dist/src/transport/native.js'))});
      const s = GenlSocket.open();
      s.resolveFamily('nlctrl').then((f) => console.log(f.id));`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10000 });
    assert.equal(child.error, undefined);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), '16');
  });

  it('survives garbage collection of unclosed sockets with finished requests', async () => {
    for (let i = 0; i < 20; i++) await GenlSocket.open().resolveFamily('nlctrl');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) gc();
  });

  describe('NativeGenlTransport', () => {
    it('opens by family name and carries genl payloads to it', async () => {
      const transport = await NativeGenlTransport.open('nlctrl');
      try {
        assert.equal(transport.family.id, GENL_ID_CTRL);
        const replies = await transport.request(encodeGetFamily('nlctrl'), { dump: false });
        assert.equal(replies.length, 1);
        assert.equal(replies.dumpInterrupted, undefined);
      } finally {
        await transport.close();
      }
    });

    it('joins a multicast group on a socket of its own; close() releases it and the process can exit', async () => {
      const transport = await NativeGenlTransport.open('nlctrl');
      try {
        const sink = { notification: () => undefined, error: () => undefined };
        const subscription = transport.subscribe('notify', sink);
        subscription.close();
        subscription.close();
        assert.throws(() => transport.subscribe('no-such-group', sink), { code: 'ENOENT' });
      } finally {
        await transport.close();
      }
      assert.throws(() => transport.subscribe('notify', { notification: () => undefined, error: () => undefined }), { code: 'EBADF' });
      // An open subscription keeps a process alive (it listens); a closed one does not.
      const script = (close: boolean): string =>
        `const { NativeGenlTransport } = require(${JSON.stringify(require.resolve('../../src/transport/native'))});` +
        `NativeGenlTransport.open('nlctrl').then(async (t) => { const s = t.subscribe('notify', { notification() {}, error() {} });` +
        `await t.close(); ${close ? 's.close();' : ''} });`;
      const exits = (close: boolean): Promise<boolean> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, ['-e', script(close)], { stdio: 'ignore' });
          const timer = setTimeout(() => {
            child.kill();
            resolve(false);
          }, 3000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            resolve(code === 0);
          });
        });
      assert.equal(await exits(true), true, 'closed: the process exits');
      assert.equal(await exits(false), false, 'open: the process keeps listening');
    });

    it('fails with ENOENT for an unregistered family', async () => {
      const error = await rejection(NativeGenlTransport.open('nosuchfamily'));
      assert.equal(error.code, 'ENOENT');
    });

    it('opens network namespaces by path and refuses unknown names with ENOENT', async () => {
      const transport = await NativeGenlTransport.open('nlctrl');
      try {
        const fd = await transport.openNetns('/proc/self/ns/net');
        assert.ok(fd >= 0);
        await transport.closeNetns(fd);
        await assert.rejects(transport.openNetns('no-such-netns-xyz'), { code: 'ENOENT' });
      } finally {
        await transport.close();
      }
    });

    it('sends raw attributes unchanged (an unknown attribute type is the kernel\'s to judge)', async () => {
      const transport = await NativeGenlTransport.open('nlctrl');
      try {
        const attrs = Buffer.concat([
          encodeRawAttr(2, Buffer.from('nlctrl\0')),
          encodeRawAttr(0x7ff, Buffer.alloc(4)),
        ]);
        const payload = encodeGenl({ command: 3, version: 2, attrs });
        const outcome = await transport.request(payload, { dump: false }).then(
          () => 'accepted',
          (error: NetlinkRequestError) => error.code,
        );
        assert.ok(outcome === 'accepted' || outcome === 'EINVAL', outcome);
      } finally {
        await transport.close();
      }
    });
  });
});
