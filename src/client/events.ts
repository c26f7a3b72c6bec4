// events(): Falcon's notifications as an async iterator. The subscription is
// made when events() is called, so a caller that subscribes and then makes a
// change hears about it; notifications are queued until the loop asks for
// them and decoded in order (an attachment's namespace is named as
// devices() names it).
import { FalconError, HANDLE_CLOSED_MESSAGE } from '../api/errors';
import type { DetachReason, EventsOptions, FalconEvent } from '../api/types';
import { decodeAttrs, decodeGenl } from '../protocol/codec';
import { DetachReasonValues, NOTIFICATIONS } from '../protocol/generated';
import type { GenlSubscription, NetlinkRequestError, NotificationSink } from '../transport/types';
import { decodeAttachment, decodeConfig } from './decode';
import { toFalconError } from './errors';

/** The syscall events() failures carry. */
const OP = 'events';

/**
 * Notifications received but not yet read past which the oldest are dropped
 * for a `lost` event, as the kernel does when a socket overflows: a consumer
 * that stopped reading cannot make the process grow without bound.
 */
export const EVENT_QUEUE_LIMIT = 4096;

/** What events() needs from its handle. */
export interface EventSource {
  /** Joins a multicast group of the family (GenlTransport.subscribe). */
  subscribe(group: string, sink: NotificationSink): GenlSubscription;
  /** Names a namespace for Attachment.netns (GenlTransport.netnsName). */
  netnsName(inum: number): Promise<string | undefined>;
  /** True once the handle is closed. */
  readonly closed: boolean;
  /** Runs `hook` when the handle closes; returns the unregistration. */
  onClose(hook: () => void): () => void;
}

type Queued = { readonly event: Promise<FalconEvent | undefined> } | { readonly lost: true } | { readonly failed: FalconError };

function reasonName(value: number): DetachReason {
  for (const [name, n] of Object.entries(DetachReasonValues) as [DetachReason, number][]) if (n === value) return name;
  throw new FalconError({ code: 'EPROTO', message: `unknown detach-reason ${value}`, syscall: OP });
}

/** Decodes one notification; undefined for a command this SDK does not know (a newer module). */
async function decode(source: EventSource, payload: Buffer): Promise<FalconEvent | undefined> {
  const genl = decodeGenl(payload);
  const attrs = decodeAttrs('falcon', genl.attrs);
  const named = async (op: string) => {
    const attachment = decodeAttachment(op, attrs);
    const netns = await source.netnsName(attachment.netnsInum);
    return netns === undefined ? attachment : { ...attachment, netns };
  };
  switch (genl.command) {
    case NOTIFICATIONS['attach-ntf'].id:
      return { type: 'attach', attachment: await named('attach-ntf') };
    case NOTIFICATIONS['detach-ntf'].id: {
      const reason = attrs['detach-reason'];
      if (typeof reason !== 'number') throw new FalconError({ code: 'EPROTO', message: 'detach-ntf lacks detach-reason', syscall: OP });
      return { type: 'detach', attachment: await named('detach-ntf'), reason: reasonName(reason) };
    }
    case NOTIFICATIONS['config-ntf'].id:
      return { type: 'config', config: decodeConfig('config-ntf', attrs) };
    default:
      return undefined;
  }
}

/**
 * Joins the group that shows the caller what its dumps show: "admin" when
 * the caller may join it (CAP_NET_ADMIN), else "monitor".
 */
function subscribeVisible(source: EventSource, sink: NotificationSink): GenlSubscription {
  try {
    return source.subscribe('admin', sink);
  } catch (error) {
    if ((error as NetlinkRequestError).code !== 'EPERM') throw error;
    return source.subscribe('monitor', sink);
  }
}

/** An AsyncIterable of FalconEvent, subscribed now; bad options are refused here. */
export function events(source: EventSource, options: EventsOptions = {}): AsyncIterable<FalconEvent> {
  const { signal } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
    throw new FalconError({ code: 'EINVAL', message: 'signal must be an AbortSignal', syscall: OP });
  }
  const queue: Queued[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let startError: FalconError | undefined;
  let subscription: GenlSubscription | undefined;
  let unhook = (): void => undefined;

  const push = (item: Queued): void => {
    if (ended) return;
    if (queue.length >= EVENT_QUEUE_LIMIT) {
      // Drop the oldest event; one lost marker in front stands for all of them.
      const marked = queue[0] !== undefined && 'lost' in queue[0];
      queue.splice(marked ? 1 : 0, 1);
      if (!marked) queue.unshift({ lost: true });
    }
    queue.push(item);
    wake?.();
  };
  const stop = (): void => {
    if (ended) return;
    ended = true;
    subscription?.close();
    unhook();
    signal?.removeEventListener('abort', stop);
    wake?.();
  };
  const sink: NotificationSink = {
    notification: (payload) => {
      // Decoded (its namespace named) on arrival, while the namespace still exists.
      const event = decode(source, payload);
      event.catch(() => undefined);
      push({ event });
    },
    error: (error, fatal) => push(fatal ? { failed: toFalconError(error, OP) } : { lost: true }),
  };

  if (source.closed) {
    startError = new FalconError({ code: 'EBADF', message: HANDLE_CLOSED_MESSAGE, syscall: OP });
  } else if (!signal?.aborted) {
    try {
      subscription = subscribeVisible(source, sink);
      unhook = source.onClose(stop);
      signal?.addEventListener('abort', stop, { once: true });
    } catch (error) {
      startError = toFalconError(error, OP);
    }
  } else {
    ended = true;
  }

  async function* iterate(): AsyncGenerator<FalconEvent> {
    try {
      if (startError) throw startError;
      for (;;) {
        while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const item = queue.shift();
        if (ended || !item) return;
        if ('failed' in item) throw item.failed;
        if ('lost' in item) {
          yield { type: 'lost' };
          continue;
        }
        const event = await item.event;
        if (event && !ended) yield event;
      }
    } finally {
      stop();
    }
  }
  const iterator = iterate();
  return { [Symbol.asyncIterator]: () => iterator };
}
