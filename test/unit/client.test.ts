// FalconClient over a scripted transport: what it puts on the wire, what it
// leaves to the kernel, and how it turns answers and refusals into results
// and FalconErrors. Backend-independent by construction.
import assert from 'node:assert/strict';
import { FalconError } from '../../src/api/errors';
import { DUMP_RETRIES, FalconClient } from '../../src/client/falcon-client';
import { AttrMap, decodeAttrs, decodeGenl, encodeAttrs, encodeGenl } from '../../src/protocol/codec';
import { OpName, OPERATIONS } from '../../src/protocol/generated';
import { GenlReplies, GenlSubscription, GenlTransport, NetlinkRequestError, NotificationSink, RequestOptions } from '../../src/transport/types';
import { rejectionOf } from '../rejection';

type Answer = (payload: Buffer, options: RequestOptions) => GenlReplies | Promise<GenlReplies>;

class ScriptedTransport implements GenlTransport {
  readonly sent: { command: number; attrs: AttrMap; dump: boolean }[] = [];
  readonly opened: string[] = [];
  readonly closedFds: number[] = [];
  closed = false;
  constructor(private readonly answer: Answer = () => []) {}

  async request(payload: Buffer, options: RequestOptions): Promise<GenlReplies> {
    const genl = decodeGenl(payload);
    this.sent.push({ command: genl.command, attrs: decodeAttrs('falcon', genl.attrs), dump: options.dump });
    return this.answer(payload, options);
  }
  async openNetns(ref: string): Promise<number> {
    if (ref === 'missing') throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    this.opened.push(ref);
    return 42;
  }
  async closeNetns(fd: number): Promise<void> {
    this.closedFds.push(fd);
  }
  async netnsName(inum: number): Promise<string | undefined> {
    return inum === 4026531840 ? undefined : `ns${inum}`;
  }
  /** Groups joined, and the sink each delivers to. */
  readonly sinks = new Map<string, NotificationSink>();
  /** Groups whose join is refused with EPERM. */
  readonly privileged = new Set<string>();
  subscribe(group: string, sink: NotificationSink): GenlSubscription {
    if (this.privileged.has(group)) throw new NetlinkRequestError({ errno: 1, code: 'EPERM' });
    this.sinks.set(group, sink);
    return { close: () => this.sinks.delete(group) };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const reply = (command: OpName, attrs: AttrMap): Buffer =>
  encodeGenl({ command: OPERATIONS[command]?.id ?? 0, version: 1, attrs: encodeAttrs('falcon', attrs) });

const config: AttrMap = {
  enabled: 1,
  cpus: Buffer.from([0x0e]),
  mode: 1,
  policy: 0,
  threshold: 70,
  hysteresis: 15,
  'interval-ms': 12,
  'queue-limit': 1000,
  'nr-cpu-ids': 4,
  'online-cpus': Buffer.from([0x0f]),
  'tick-ms': 4,
};

const failure = (promise: Promise<unknown>): Promise<FalconError> => rejectionOf(promise, FalconError);

describe('FalconClient', () => {
  it('decodes the configuration', async () => {
    const client = new FalconClient(new ScriptedTransport(() => [reply('get-config', config)]), 'mock');
    assert.deepEqual(await client.getConfig(), {
      enabled: true,
      cpus: [1, 2, 3],
      mode: 'paper',
      policy: 'static',
      threshold: 70,
      hysteresis: 15,
      intervalMs: 12,
      queueLimit: 1000,
      nrCpuIds: 4,
      onlineCpus: [0, 1, 2, 3],
      tickMs: 4,
    });
    assert.equal(client.backend, 'mock');
  });

  it('encodes set-config fields, cpuset strings as bitmaps', async () => {
    const transport = new ScriptedTransport(() => [reply('set-config', config)]);
    const client = new FalconClient(transport, 'kernel');
    await client.setConfig({ enabled: false, cpus: '1-3,9', mode: 'stage', policy: 'balanced', intervalMs: 8, queueLimit: 5 });
    assert.deepEqual(transport.sent[0], {
      command: OPERATIONS['set-config']?.id,
      dump: false,
      attrs: { enabled: 0, cpus: Buffer.from([0x0e, 0x02]), mode: 0, policy: 1, 'interval-ms': 8, 'queue-limit': 5 },
    });
    await client.enable();
    assert.deepEqual(transport.sent[1]?.attrs, { enabled: 1 });
  });

  it('leaves range checks to the kernel: threshold 101 is sent, and its refusal names the attribute', async () => {
    const transport = new ScriptedTransport(() => {
      throw new NetlinkRequestError({ errno: 34, code: 'ERANGE', message: 'integer out of range', badAttrOffset: 4 });
    });
    const client = new FalconClient(transport, 'kernel');
    const error = await failure(client.setConfig({ threshold: 101 }));
    assert.deepEqual(transport.sent[0]?.attrs, { threshold: 101 });
    assert.equal(error.code, 'ERANGE');
    assert.equal(error.errno, 34);
    assert.equal(error.message, 'integer out of range');
    assert.equal(error.syscall, 'set-config');
    assert.equal(error.attribute, 'threshold');
  });

  it('names a later attribute from its offset', async () => {
    const transport = new ScriptedTransport(() => {
      throw new NetlinkRequestError({ errno: 22, code: 'EINVAL', message: 'CPU set is empty', badAttrOffset: 12 });
    });
    const error = await failure(new FalconClient(transport, 'kernel').attach({ ifindex: 3, cpus: [] }));
    assert.equal(error.attribute, 'cpus');
  });

  it('gives a default message when the kernel gave none', async () => {
    const transport = new ScriptedTransport(() => {
      throw new NetlinkRequestError({ errno: 1, code: 'EPERM' });
    });
    const error = await failure(new FalconClient(transport, 'kernel').resetStats());
    assert.equal(error.code, 'EPERM');
    assert.equal(error.message, 'Operation not permitted');
    assert.equal(error.syscall, 'reset-stats');
    assert.equal(error.attribute, undefined);
  });

  it('refuses only what cannot be encoded, naming the field', async () => {
    const transport = new ScriptedTransport();
    const client = new FalconClient(transport, 'kernel');
    for (const [call, field] of [
      [() => client.setConfig({ threshold: 1.5 }), 'threshold'],
      [() => client.setConfig({ queueLimit: -1 }), 'queueLimit'],
      [() => client.setConfig({ mode: 'fast' as 'stage' }), 'mode'],
      [() => client.pinLoad(-1, 5), 'cpu'],
      [() => client.pick({ ifname: 'eth0', flowHash: 2 ** 32 }), 'flowHash'],
      [() => client.attach({ ifname: 'eth0', cpus: '0-x' }), '0-x'],
    ] as const) {
      const error = await failure(call());
      assert.equal(error.code, 'EINVAL');
      assert.ok(error.message.includes(field), error.message);
    }
    assert.equal(transport.sent.length, 0);
  });

  it('sends incomplete requests as they are (dev-missing and flow-hash-missing are the kernel\'s)', async () => {
    const transport = new ScriptedTransport(() => [reply('pick', { reason: 0 })]);
    const client = new FalconClient(transport, 'kernel');
    assert.deepEqual(await client.pick({} as { flowHash: number }), { reason: 'disabled' });
    assert.deepEqual(transport.sent[0]?.attrs, {});
  });

  it('decodes pick with only the CPUs present', async () => {
    const client = new FalconClient(new ScriptedTransport(() => [reply('pick', { first: 1, second: 3, target: 3, reason: 4 })]), 'kernel');
    assert.deepEqual(await client.pick({ ifindex: 2, flowHash: 7 }), { first: 1, second: 3, target: 3, reason: 'second' });
  });

  it('opens the device netns for the request and closes it afterwards, also on failure', async () => {
    let fail = false;
    const transport = new ScriptedTransport(() => {
      if (fail) throw new NetlinkRequestError({ errno: 19, code: 'ENODEV', message: 'no such device in that network namespace' });
      return [reply('attach', { ifindex: 2, ifname: 'eth0', 'netns-cookie': 9n, 'netns-inum': 4026531849, stage: 2 })];
    });
    const client = new FalconClient(transport, 'kernel');
    assert.deepEqual(await client.attach({ ifname: 'eth0', netns: 'h1c1', stage: 2 }), {
      ifindex: 2,
      ifname: 'eth0',
      netnsCookie: 9,
      netnsInum: 4026531849,
      netns: 'ns4026531849',
      stage: 2,
    });
    assert.deepEqual(transport.sent[0]?.attrs, { ifname: 'eth0', stage: 2, 'netns-fd': 42 });
    fail = true;
    await failure(client.detach({ ifname: 'eth0', netns: 'h1c1' }));
    assert.deepEqual(transport.opened, ['h1c1', 'h1c1']);
    assert.deepEqual(transport.closedFds, [42, 42]);
    const missing = await failure(client.detach({ ifname: 'eth0', netns: 'missing' }));
    assert.equal(missing.code, 'ENOENT');
    assert.equal(missing.attribute, 'netns-fd');
    assert.ok(missing.message.includes('"missing"'));
  });

  it('collects stats from a dump, u64 counters as numbers', async () => {
    const parts = [
      reply('get-stats', { 'cpu-stats': { cpu: 0, enqueued: 5n, processed: 4n, dropped: 1n, purged: 0n, kicks: 3n, 'queue-hwm': 2, 'queue-len': 0, load: 12, pinned: 1 } }),
      reply('get-stats', {
        'dev-stats': {
          ifindex: 2, ifname: 'eth0', 'netns-cookie': 1n, 'netns-inum': 4026531840, stage: 0, seen: 10n, steered: 6n, local: 3n, gated: 1n, second: 2n, dropped: 1n, deferred: 2n, 'gate-closed': 1,
          target: [{ cpu: 1, packets: 4n }, { cpu: 2, packets: 2n }],
        },
      }),
    ];
    const transport = new ScriptedTransport(() => parts);
    const stats = await new FalconClient(transport, 'kernel').stats();
    assert.equal(transport.sent[0]?.dump, true);
    assert.deepEqual(stats.cpus, [{ cpu: 0, enqueued: 5, processed: 4, dropped: 1, purged: 0, kicks: 3, queueHwm: 2, queueLen: 0, load: 12, pinned: true }]);
    assert.deepEqual(stats.devices[0]?.targets, [{ cpu: 1, packets: 4 }, { cpu: 2, packets: 2 }]);
    assert.equal(stats.devices[0]?.seen, 10);
    assert.equal(stats.devices[0]?.gateClosed, true);
    assert.equal(stats.devices[0]?.deferred, 2);
  });

  it('retries a dump flagged NLM_F_DUMP_INTR', async () => {
    let calls = 0;
    const transport = new ScriptedTransport(() => {
      calls++;
      const parts: GenlReplies = [reply('get-device', { ifindex: calls, ifname: 'x', 'netns-cookie': 1n, 'netns-inum': 4026531840, stage: 0 })];
      return calls < 3 ? Object.assign(parts, { dumpInterrupted: true }) : parts;
    });
    const devices = await new FalconClient(transport, 'kernel').devices();
    assert.equal(calls, 3);
    assert.equal(devices[0]?.ifindex, 3);
  });

  it('gives up on a dump interrupted every time, with EAGAIN', async () => {
    const transport = new ScriptedTransport(() => Object.assign([] as Buffer[], { dumpInterrupted: true }));
    const error = await failure(new FalconClient(transport, 'kernel').devices());
    assert.equal(error.code, 'EAGAIN');
    assert.equal(transport.sent.length, DUMP_RETRIES);
  });

  it('closes its transport', async () => {
    const transport = new ScriptedTransport();
    await new FalconClient(transport, 'kernel').close();
    assert.ok(transport.closed);
  });
});

/** Requests wait until the test answers them: what "pending" means on a real socket. */
class HeldTransport extends ScriptedTransport {
  readonly waiting: Array<{ resolve: (replies: GenlReplies) => void; reject: (error: unknown) => void }> = [];
  transportCloses = 0;
  constructor() {
    super(() => new Promise<GenlReplies>((resolve, reject) => this.waiting.push({ resolve, reject })));
  }
  /** Answers the oldest waiting request. */
  release(replies: GenlReplies = []): void {
    this.waiting.shift()?.resolve(replies);
  }
  override async close(): Promise<void> {
    this.transportCloses++;
    await super.close();
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('FalconClient: close, abort and timeouts (docs/protocol.md "SDK behaviour")', () => {
  it('rejects calls after close() with EBADF and sends nothing; close() twice closes the transport once', async () => {
    const transport = new HeldTransport();
    const client = new FalconClient(transport, 'kernel');
    await client.close();
    await client.close();
    assert.equal(transport.transportCloses, 1);
    for (const call of [() => client.getConfig(), () => client.attach({ ifname: 'x', netns: 'h1' }), () => client.unpinLoad()]) {
      const error = await failure(call());
      assert.equal(error.code, 'EBADF');
      assert.equal(error.errno, 9);
      assert.equal(error.message, 'Falcon handle is closed');
    }
    assert.equal(transport.sent.length, 0);
    assert.deepEqual(transport.opened, [], 'no namespace opened either');
  });

  it('rejects calls pending at close() with ECANCELED at once, before the transport answers', async () => {
    const transport = new HeldTransport();
    const client = new FalconClient(transport, 'kernel');
    const calls = [client.getConfig(), client.stats(), client.attach({ ifname: 'eth0', netns: 'h1' })];
    await turn();
    assert.equal(transport.waiting.length, 3);
    await client.close();
    for (const outcome of await Promise.allSettled(calls)) {
      assert.equal(outcome.status, 'rejected');
      const error = (outcome as PromiseRejectedResult).reason as FalconError;
      assert.equal(error.code, 'ECANCELED');
      assert.equal(error.message, 'Falcon handle was closed while the request was pending');
    }
    assert.equal(transport.transportCloses, 1);
    // The namespace descriptor of the pending attach stays open until the transport settles it.
    assert.deepEqual(transport.closedFds, []);
    while (transport.waiting.length) transport.release([reply('attach', { ifindex: 2, ifname: 'eth0', 'netns-cookie': 1n, 'netns-inum': 1, stage: 0 })]);
    await turn();
    assert.deepEqual(transport.closedFds, [42]);
  });

  it('an aborted signal sends nothing; an abort while pending rejects with AbortError and drops the late reply', async () => {
    const transport = new HeldTransport();
    const client = new FalconClient(transport, 'kernel');
    const early = new AbortController();
    early.abort('stop');
    const first = await failure(client.setConfig({ threshold: 5 }, { signal: early.signal }));
    assert.deepEqual([first.code, first.name, first.message, first.cause], ['ECANCELED', 'AbortError', 'The operation was aborted', 'stop']);
    assert.equal(first.syscall, 'set-config');
    assert.equal(transport.sent.length, 0);

    const late = new AbortController();
    const pending = client.pick({ ifname: 'eth0', netns: 'h1', flowHash: 1 }, { signal: late.signal });
    await turn();
    assert.equal(transport.sent.length, 1, 'sent');
    late.abort();
    const aborted = await failure(pending);
    assert.equal(aborted.code, 'ECANCELED');
    assert.equal(aborted.name, 'AbortError');
    assert.ok(aborted instanceof FalconError);
    assert.deepEqual(transport.closedFds, [], 'the descriptor outlives the abort until the request settles');
    transport.release([reply('pick', { reason: 0 })]);
    await turn();
    assert.deepEqual(transport.closedFds, [42]);
    // The handle stays usable; the next call gets its own reply.
    const next = client.getConfig();
    await turn();
    transport.release([reply('get-config', config)]);
    assert.equal((await next).threshold, 70);
  });

  it('times out with ETIMEDOUT (TimeoutError), also for AbortSignal.timeout(); a settled call leaves no timer', async () => {
    const transport = new HeldTransport();
    const client = new FalconClient(transport, 'kernel');
    const started = Date.now();
    const error = await failure(client.devices({ timeoutMs: 30 }));
    assert.ok(Date.now() - started >= 25);
    assert.deepEqual([error.code, error.errno, error.name, error.message], ['ETIMEDOUT', 110, 'TimeoutError', 'get-device timed out after 30 ms']);
    const viaSignal = await failure(client.getConfig({ signal: AbortSignal.timeout(10) }));
    assert.equal(viaSignal.code, 'ETIMEDOUT');
    assert.equal(viaSignal.name, 'TimeoutError');

    const held = new HeldTransport();
    const fresh = new FalconClient(held, 'kernel');
    const before = timers();
    const answered = fresh.getConfig({ timeoutMs: 60000 });
    await turn();
    assert.equal(timers(), before + 1);
    held.release([reply('get-config', config)]);
    await answered;
    assert.equal(timers(), before, 'the timeout was cleared');
  });

  it('refuses options that cannot work with EINVAL, sending nothing', async () => {
    const transport = new ScriptedTransport();
    const client = new FalconClient(transport, 'kernel');
    for (const options of [{ timeoutMs: 0 }, { timeoutMs: -5 }, { timeoutMs: Number.POSITIVE_INFINITY }, { timeoutMs: 2 ** 31 }, { signal: {} as AbortSignal }]) {
      const error = await failure(client.resetStats(options));
      assert.equal(error.code, 'EINVAL', JSON.stringify(options));
    }
    assert.equal(transport.sent.length, 0);
  });

  it('shares one abort listener among the calls on a signal, and forgets the settled ones', async () => {
    const transport = new HeldTransport();
    const client = new FalconClient(transport, 'kernel');
    const controller = new AbortController();
    let added = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    };
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const calls = Array.from({ length: 50 }, () => client.getConfig({ signal }));
      await turn();
      // Settle the first 49; only the last is still waiting when the signal aborts.
      for (let i = 0; i < 49; i++) transport.release([reply('get-config', config)]);
      await turn();
      controller.abort();
      const settled = await Promise.allSettled(calls);
      assert.equal(settled.filter((r) => r.status === 'fulfilled').length, 49);
      assert.equal(((settled[49] as PromiseRejectedResult).reason as FalconError).name, 'AbortError');
      await turn();
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(added, 1);
    assert.deepEqual(warnings.map((w) => w.name), []);
  });

  it('reports a code outside FalconErrorCode as EIO, naming the original', async () => {
    const transport = new ScriptedTransport(() => {
      throw new NetlinkRequestError({ errno: 113, code: 'EHOSTUNREACH' });
    });
    const error = await failure(new FalconClient(transport, 'kernel').getConfig());
    assert.equal(error.code, 'EIO');
    assert.match(error.message, / \(EHOSTUNREACH\)$/);
  });

  it('is AsyncDisposable: await using closes it', async () => {
    const transport = new ScriptedTransport();
    {
      await using client = new FalconClient(transport, 'kernel');
      assert.equal(client.backend, 'kernel');
    }
    assert.ok(transport.closed);
  });
});
