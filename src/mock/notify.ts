// The mock module's notifications, as kernel/notify.c sends them: attach-ntf,
// detach-ntf and config-ntf to the groups "monitor" (anyone: the listener's
// own namespace's attachments, and config in the initial namespace) and
// "admin" (CAP_NET_ADMIN: in the initial namespace every attachment). Each
// is delivered on a later turn, as a socket would, in the order sent.
import { errnoOf } from '../api/errors';
import type { AttrMap } from '../protocol/codec';
import { encodeAttrs, encodeGenl } from '../protocol/codec';
import { FAMILY_VERSION, MCAST_GROUPS, McastGroupName, NOTIFICATIONS, NtfName } from '../protocol/generated';
import { GenlSubscription, NetlinkRequestError, NotificationSink } from '../transport/types';
import type { MockNamespace } from './netns';

interface Listener {
  readonly ns: MockNamespace;
  readonly group: McastGroupName;
  readonly sink: NotificationSink;
}

function isGroup(name: string): name is McastGroupName {
  return Object.prototype.hasOwnProperty.call(MCAST_GROUPS, name);
}

/** The listeners of one mock host and what each hears. */
export class MockNotifier {
  private readonly listeners = new Set<Listener>();

  /** @param init the host's initial namespace. */
  constructor(private readonly init: MockNamespace) {}

  /**
   * Joins `group` for a socket in `ns`; `admin`: the caller holds
   * CAP_NET_ADMIN (the genetlink core's check at join).
   */
  subscribe(ns: MockNamespace, admin: boolean, group: string, sink: NotificationSink): GenlSubscription {
    if (!isGroup(group)) {
      throw new NetlinkRequestError({ errno: errnoOf('ENOENT'), code: 'ENOENT', message: `family falcon has no multicast group ${group}` });
    }
    if (MCAST_GROUPS[group].admin && !admin) throw new NetlinkRequestError({ errno: errnoOf('EPERM'), code: 'EPERM' });
    const listener: Listener = { ns, group, sink };
    this.listeners.add(listener);
    // As the kernel backend's socket: an open subscription keeps the process alive.
    const keepAlive = setInterval(() => undefined, 0x7fffffff);
    return {
      close: () => {
        clearInterval(keepAlive);
        this.listeners.delete(listener);
      },
    };
  }

  /** An attachment event of a device in `ns`: its namespace's listeners, and the initial namespace's admins. */
  device(ntf: 'attach-ntf' | 'detach-ntf', ns: MockNamespace, attrs: AttrMap): void {
    this.send(ntf, attrs, (l) => l.ns === ns || (l.ns === this.init && l.group === 'admin'));
  }

  /** set-config changed the configuration: host-wide, the initial namespace's listeners. */
  config(attrs: AttrMap): void {
    this.send('config-ntf', attrs, (l) => l.ns === this.init);
  }

  private send(ntf: NtfName, attrs: AttrMap, hears: (l: Listener) => boolean): void {
    const payload = encodeGenl({ command: NOTIFICATIONS[ntf].id, version: FAMILY_VERSION, attrs: encodeAttrs('falcon', attrs) });
    for (const listener of this.listeners) {
      if (!hears(listener)) continue;
      // A socket's queue: later, in order; nothing for a listener gone by then.
      setImmediate(() => {
        if (this.listeners.has(listener)) listener.sink.notification(Buffer.from(payload));
      });
    }
  }
}
