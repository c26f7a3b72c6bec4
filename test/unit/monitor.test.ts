// falconctl monitor and the SDK's events() on the host: how events are
// printed (text and JSON lines), that monitor stops on SIGTERM and when its
// reader goes away, and the mock's events for device moves and an overflowing
// consumer.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openFalcon } from '../../src/index';
import type { Attachment, FalconConfig, FalconEvent } from '../../src/api/types';
import { parseArgs } from '../../src/args/parse';
import { EVENT_QUEUE_LIMIT, events } from '../../src/client/events';
import { encodeAttrs, encodeGenl } from '../../src/protocol/codec';
import { NOTIFICATIONS } from '../../src/protocol/generated';
import type { NotificationSink } from '../../src/transport/types';
import { eventLine, LOST_TEXT, monitorCommand } from '../../src/cli/monitor-command';
import type { Output } from '../../src/cli/output';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'falconctl.js');

const attachment: Attachment = { ifindex: 4, ifname: 'vx0', netnsCookie: 2, netnsInum: 4026531841, netns: 'h1', stage: 1, cpus: [1, 2, 3] };
const config: FalconConfig = {
  enabled: true, cpus: [0, 1, 2, 3], mode: 'stage', policy: 'balanced', threshold: 80, hysteresis: 20, intervalMs: 12,
  queueLimit: 1000, nrCpuIds: 4, onlineCpus: [0, 1, 2, 3], tickMs: 4,
};

/** An Output that records lines and can be "closed" as a pipe whose reader left. */
function recordingOutput(json: boolean): Output & { lines: string[]; close(): void } {
  const listeners = new Set<() => void>();
  const lines: string[] = [];
  return {
    json, pretty: false, colour: false, lines,
    write: (text) => lines.push(...text.split('\n').filter((l) => l !== '')),
    writeErr: () => undefined,
    onClosed: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () => {
      for (const l of [...listeners]) l();
    },
  };
}

describe('falconctl monitor', function () {
  this.timeout(30000);

  it('prints one line per event, and JSON lines with stable keys under -j', () => {
    assert.equal(eventLine({ type: 'attach', attachment }, false), 'attach vx0 netns h1 ifindex 4 stage 1 cpus 1-3');
    assert.equal(
      eventLine({ type: 'detach', attachment: { ...attachment, netns: undefined, cpus: undefined }, reason: 'unregistered' }, false),
      'detach vx0 netns - ifindex 4 stage 1 cpus global reason unregistered',
    );
    assert.equal(
      eventLine({ type: 'config', config }, false),
      'config enabled yes cpus 0-3 mode stage policy balanced threshold 80% hysteresis 20% interval 12ms queue-limit 1000',
    );
    assert.equal(eventLine({ type: 'lost' }, false), LOST_TEXT);
    assert.deepEqual(JSON.parse(eventLine({ type: 'detach', attachment, reason: 'requested' }, true)), {
      event: 'detach', reason: 'requested',
      device: { ifindex: 4, ifname: 'vx0', netns: 'h1', netns_cookie: 2, netns_inum: 4026531841, stage: 1, cpus: [1, 2, 3] },
    });
    assert.deepEqual(JSON.parse(eventLine({ type: 'attach', attachment: { ...attachment, netns: undefined, cpus: undefined } }, true)).device, {
      ifindex: 4, ifname: 'vx0', netns: null, netns_cookie: 2, netns_inum: 4026531841, stage: 1, cpus: null,
    });
    assert.equal(JSON.parse(eventLine({ type: 'config', config }, true)).config.queue_limit, 1000);
    assert.deepEqual(JSON.parse(eventLine({ type: 'lost' }, true)), { event: 'lost' });
  });

  it('prints what happens on the mock host and stops when its reader goes away', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const out = recordingOutput(false);
    const running = monitorCommand.run({ falcon, out, args: parseArgs([], []) });
    await falcon.attach({ ifname: 'vx0', netns: 'h1' });
    await falcon.setConfig({ threshold: 50 });
    falcon.mock.removeNamespace('h1');
    while (out.lines.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    out.close();
    await running;
    assert.deepEqual(out.lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['attach vx0', 'config enabled', 'detach vx0']);
    assert.match(out.lines[2] ?? '', /reason unregistered$/);
    await falcon.close();
  });

  it('runs until SIGTERM and exits 0', async () => {
    const child = spawn(process.execPath, [CLI, '--mock', 'monitor'], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // Still running after a while: it waits for events.
    const early = await Promise.race([
      new Promise((resolve) => child.on('exit', () => resolve('exited'))),
      new Promise((resolve) => setTimeout(() => resolve('running'), 1500)),
    ]);
    assert.equal(early, 'running');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.equal(stdout, '');
  });

  it('refuses operands', async () => {
    assert.throws(() => monitorCommand.check?.(parseArgs(['x'], [])), /unexpected argument "x"/);
  });
});

/** events() over a transport that only subscribes: the test feeds `sink` by hand. */
function eventsFromHandFedSink(): { stream: AsyncIterable<FalconEvent>; sink: NotificationSink } {
  const subscribed: { sink?: NotificationSink } = {};
  const stream = events({
    subscribe: (_group, s) => {
      subscribed.sink = s;
      return { close: () => undefined };
    },
    netnsName: async () => undefined,
    closed: false,
    onClose: () => () => undefined,
  });
  // events() subscribes at once, so notifications sent before the first read are queued.
  if (subscribed.sink === undefined) throw new Error('events() did not subscribe when called');
  return { stream, sink: subscribed.sink };
}

describe('events() on the host', () => {
  it('reports a mock device moved to another namespace as an unregistered detach', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    const iterator = falcon.events()[Symbol.asyncIterator]();
    const a = await falcon.attach({ ifname: 'w1', netns: 'h1' });
    falcon.mock.moveDevice({ ifname: 'w1', netns: 'h1' }, 'h2');
    assert.deepEqual((await iterator.next()).value, { type: 'attach', attachment: a });
    assert.deepEqual((await iterator.next()).value, { type: 'detach', attachment: a, reason: 'unregistered' });
    assert.deepEqual(await falcon.devices(), []);
    await falcon.close();
  });

  it('drops the oldest events of a consumer that does not read, for one lost event', async () => {
    const { stream, sink } = eventsFromHandFedSink();
    const payload = (stage: number): Buffer =>
      encodeGenl({
        command: NOTIFICATIONS['attach-ntf'].id, version: 1,
        attrs: encodeAttrs('falcon', { ifindex: 2, ifname: 'eth0', 'netns-cookie': 1n, 'netns-inum': 1, stage }),
      });
    const total = EVENT_QUEUE_LIMIT + 10;
    for (let i = 0; i < total; i++) sink.notification(payload(i % 256));
    const got: FalconEvent[] = [];
    for await (const e of stream) {
      got.push(e);
      if (got.length === EVENT_QUEUE_LIMIT + 1) break;
    }
    assert.equal(got[0]?.type, 'lost');
    assert.ok(got.slice(1).every((e) => e.type === 'attach'));
    const last = got.at(-1);
    assert.equal(last?.type === 'attach' ? last.attachment.stage : -1, (total - 1) % 256);
  });

  it('ends with a lost event in between when the kernel reports ENOBUFS, and throws a failed socket', async () => {
    const { stream, sink } = eventsFromHandFedSink();
    const { NetlinkRequestError } = await import('../../src/transport/types');
    sink.error(new NetlinkRequestError({ errno: 105, code: 'ENOBUFS' }), false);
    sink.error(new NetlinkRequestError({ errno: 5, code: 'EIO' }), true);
    const iterator = stream[Symbol.asyncIterator]();
    assert.deepEqual((await iterator.next()).value, { type: 'lost' });
    await assert.rejects(iterator.next(), { code: 'EIO' });
  });
});
