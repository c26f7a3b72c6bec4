// Conformance of events() (docs/protocol.md "Notifications"), run by the
// suite against both backends: what each notification carries, detaches of
// devices that go away, and who hears what. Each test makes its changes
// after its listeners are subscribed, and ends with a change every listener
// hears or a last one of their own, so that what a listener has not heard
// by then it never will (a socket's notifications arrive in order).
import { strict as assert } from 'node:assert';
import type { Attachment, Falcon, FalconEvent } from '../../src/api/types';
import type { ConformanceBackend, EventListener } from './backend';

/** What the event tests need from the suite. */
export interface EventContext {
  readonly backend: ConformanceBackend;
  readonly falcon: Falcon;
  /** A namespace the suite created, with devices `nsDevice` ... */
  readonly ns: string;
  readonly nsDevice: string;
  /** ... and devices in the initial namespace. */
  readonly devices: readonly [string, string, ...string[]];
}

/** The shape of an event, for comparing sequences: type, device name, namespace, reason. */
function brief(e: FalconEvent): string {
  switch (e.type) {
    case 'attach':
      return `attach ${e.attachment.ifname}${e.attachment.netns ? `@${e.attachment.netns}` : ''}`;
    case 'detach':
      return `detach ${e.attachment.ifname}${e.attachment.netns ? `@${e.attachment.netns}` : ''} ${e.reason}`;
    case 'config':
      return `config threshold=${e.config.threshold}`;
    case 'lost':
      return 'lost';
  }
}

/** Defines the event tests; `ctx` is read when they run. */
export function eventConformance(ctx: () => EventContext): void {
  describe('notifications (docs/protocol.md "Notifications")', () => {
    const running: EventListener[] = [];
    afterEach(async () => {
      for (const l of running.splice(0)) await l.stop();
    });
    async function listen(role: 'admin' | 'user' | 'netns-admin', netns?: string): Promise<EventListener> {
      const l = await ctx().backend.listen(role, netns);
      running.push(l);
      return l;
    }

    it('report attach, config and detach with what the replies carry', async () => {
      const { falcon, devices } = ctx();
      const [dev] = devices;
      const events = await listen('admin');
      const attached = await falcon.attach({ ifname: dev, cpus: [0], stage: 7 });
      const config = await falcon.setConfig({ threshold: 55, enabled: false });
      const [listed] = (await falcon.devices()).filter((d) => d.ifname === dev);
      await falcon.detach({ ifname: dev });
      const [a, c, d] = await events.take(3);
      assert.deepEqual(a, { type: 'attach', attachment: attached });
      assert.deepEqual(c, { type: 'config', config });
      assert.deepEqual(d, { type: 'detach', attachment: listed as Attachment, reason: 'requested' });
      assert.deepEqual(attached.cpus, [0]);
      assert.equal(attached.stage, 7);
    });

    it('report a device deleted while attached, and a namespace removed, as unregistered', async () => {
      const { backend, falcon } = ctx();
      const extraNs = 'fctev';
      await backend.addDevice('fcte0');
      await backend.addNamespace(extraNs);
      try {
        await backend.addDevice('fcte1', extraNs);
        const events = await listen('admin');
        const own = await falcon.attach({ ifname: 'fcte0' });
        const moved = await falcon.attach({ ifname: 'fcte1', netns: extraNs });
        await backend.deleteDevice('fcte0');
        // The kernel unregisters a namespace's devices later, from a workqueue.
        await backend.removeNamespace(extraNs);
        const [, , gone, nsGone] = await events.take(4);
        assert.deepEqual(gone, { type: 'detach', attachment: own, reason: 'unregistered' });
        assert.equal(nsGone?.type, 'detach');
        if (nsGone?.type !== 'detach') return;
        assert.equal(nsGone.reason, 'unregistered');
        assert.equal(nsGone.attachment.ifname, 'fcte1');
        assert.equal(nsGone.attachment.netnsInum, moved.netnsInum);
        assert.equal(nsGone.attachment.netnsCookie, moved.netnsCookie);
        assert.deepEqual(await falcon.devices(), []);
      } finally {
        await backend.deleteDevice('fcte0').catch(() => undefined);
        await backend.removeNamespace(extraNs).catch(() => undefined);
      }
    });

    it('reach each namespace with its own attachments only; config and every attachment reach the initial one', async () => {
      const { falcon, ns, nsDevice, devices } = ctx();
      const [dev] = devices;
      const admin = await listen('admin');
      const user = await listen('user');
      // In the namespace, privileged or not, a listener hears the same.
      const nsAdmin = await listen('netns-admin', ns);
      const nsUser = await listen('user', ns);

      await falcon.attach({ ifname: dev });
      await falcon.setConfig({ threshold: 61 });
      await falcon.attach({ ifname: nsDevice, netns: ns });
      await falcon.detach({ ifname: dev });
      await falcon.detach({ ifname: nsDevice, netns: ns });
      // Heard by everyone in the initial namespace: the end of what they hear.
      await falcon.setConfig({ threshold: 62 });

      assert.deepEqual((await admin.take(6)).map(brief), [
        `attach ${dev}`,
        'config threshold=61',
        `attach ${nsDevice}@${ns}`,
        `detach ${dev} requested`,
        `detach ${nsDevice}@${ns} requested`,
        'config threshold=62',
      ]);
      // Unprivileged in the initial namespace: as its dumps, not the other namespace's devices.
      assert.deepEqual((await user.take(4)).map(brief), [
        `attach ${dev}`,
        'config threshold=61',
        `detach ${dev} requested`,
        'config threshold=62',
      ]);
      // In the namespace: its own device (named as its own: no netns), no config, nothing of the host's.
      for (const l of [nsAdmin, nsUser]) {
        assert.deepEqual((await l.take(2)).map(brief), [`attach ${nsDevice}`, `detach ${nsDevice} requested`]);
      }
      // Nothing more comes to the namespace's listeners after their last change.
      await falcon.attach({ ifname: nsDevice, netns: ns });
      const [again] = (await nsAdmin.take(3)).slice(2);
      assert.equal(again && brief(again), `attach ${nsDevice}`);
    });

    it('end when the signal aborts or the handle closes, and refuse a closed handle', async () => {
      const { backend } = ctx();
      const h = await backend.open();
      const stop = new AbortController();
      const ended = (async () => {
        const seen: FalconEvent[] = [];
        for await (const e of h.events({ signal: stop.signal })) seen.push(e);
        return seen;
      })();
      stop.abort();
      assert.deepEqual(await ended, [], 'the signal ended it without an error');

      const iterator = h.events()[Symbol.asyncIterator]();
      const pending = iterator.next();
      await h.close();
      assert.deepEqual(await pending, { value: undefined, done: true }, 'close() ended it');
      await assert.rejects(h.events()[Symbol.asyncIterator]().next(), { code: 'EBADF' });
      assert.throws(() => h.events({ signal: 'x' as unknown as AbortSignal }), { code: 'EINVAL' });
    });
  });
}
