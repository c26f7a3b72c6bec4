// Typed face of the addon's GenlSubscription (native/genl_subscription.cc):
// a socket of its own that joins one multicast group of one family and
// passes that family's notifications on, read on the event loop.
import { GenlSubscription, NetlinkRequestError, NotificationSink } from './types';

/** One message the addon read: its nlmsg_type and what follows the nlmsghdr. */
interface AddonMessage {
  readonly type: number;
  readonly payload: Buffer;
}

/** The addon's GenlSubscription class. */
export interface AddonSubscription {
  join(groupId: number): void;
  close(): void;
  readonly closed: boolean;
}

/** Its constructor: the callback gets an error, or the messages of one wake-up. */
export type AddonSubscriptionClass = new (onMessages: (error: Error | null, messages?: AddonMessage[]) => void) => AddonSubscription;

/** How the addon fails: a Node-style system error. */
interface AddonSystemError extends Error {
  errno?: number;
  code?: string;
}

function toError(error: unknown): NetlinkRequestError {
  const e = error as AddonSystemError;
  if (typeof e?.errno === 'number' && typeof e.code === 'string') {
    return new NetlinkRequestError({ errno: e.errno, code: e.code, message: e.message });
  }
  return new NetlinkRequestError({ errno: 5, code: 'EIO', message: String(e?.message ?? error) });
}

/**
 * Opens a subscription to group `groupId` that hands `sink` every message
 * of family `familyId`. Throws a NetlinkRequestError (EPERM: the group
 * needs CAP_NET_ADMIN over the caller's namespace).
 */
export function openNativeSubscription(
  Subscription: AddonSubscriptionClass,
  familyId: number,
  groupId: number,
  sink: NotificationSink,
): GenlSubscription {
  let native: AddonSubscription | undefined;
  try {
    native = new Subscription((error, messages) => {
      if (error) {
        // ENOBUFS/EMSGSIZE: notifications lost, the socket goes on.
        sink.error(toError(error), native?.closed ?? true);
        return;
      }
      for (const m of messages ?? []) if (m.type === familyId) sink.notification(m.payload);
    });
    native.join(groupId);
  } catch (error) {
    native?.close();
    throw toError(error);
  }
  const opened = native;
  return { close: () => opened.close() };
}
