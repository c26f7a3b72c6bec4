// A GenlTransport answered by the mock model instead of the kernel: the
// genetlink core's checks (net/netlink/genetlink.c genl_family_rcv_msg, 6.1)
// in the kernel's order, then the policy layer, then the module's handlers;
// replies are encoded exactly as the module sends them.
import { access } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { errnoOf } from '../api/errors';
import { FAMILY_VERSION, OPERATIONS, OpSpec } from '../protocol/generated';
import { GENL_HDRLEN, encodeAttrs, encodeGenl } from '../protocol/codec';
import { GenlSubscription, GenlTransport, NetlinkRequestError, NotificationSink, RequestOptions } from '../transport/types';
import { FdTarget, HANDLERS } from './handlers';
import { MockModel } from './model';
import { MockNamespace, NETNS_NOT_FOUND_MESSAGE } from './netns';
import { parseRequestAttrs } from './policy';
import type { MockOptions } from './types';

/**
 * genl_family.resv_start_op of the module: 0 (unset), so 6.1's strict
 * genlmsghdr check (reserved must be 0) applies to every command, known or not.
 */
export const RESV_START_OP = 0;

/** First descriptor number openNetns hands out (well clear of real ones). */
const FIRST_FD = 1000;

/** A mock transport: a GenlTransport plus the model it talks to. */
export interface MockTransport extends GenlTransport {
  /** The mock host behind this transport (shared when options.model was given). */
  readonly model: MockModel;
}

function refuse(code: string, message?: string): NetlinkRequestError {
  return new NetlinkRequestError({ errno: errnoOf(code), code, message });
}

/** Rejects as open(2) of `path` on this host would: with its errno code, when it cannot be read. */
async function hostAccess(path: string): Promise<void> {
  try {
    await access(path, fsConstants.R_OK);
  } catch (error) {
    const raw = (error as { code?: unknown }).code;
    const code = typeof raw === 'string' && raw in constants.errno ? raw : 'ENOENT';
    throw refuse(code, code === 'ENOENT' ? NETNS_NOT_FOUND_MESSAGE : undefined);
  }
}

function opById(id: number): OpSpec | undefined {
  return Object.values(OPERATIONS).find((op) => op.id === id);
}

/** Opens a mock transport on a fresh model, or on options.model. */
export function createMockTransport(options: MockOptions = {}): MockTransport {
  let model: MockModel;
  if (options.model === undefined) model = new MockModel(options);
  else if (options.model instanceof MockModel) model = options.model;
  else throw new TypeError('options.model must come from a mock transport');
  const admin = options.admin ?? true;
  const socketNs: MockNamespace | undefined = model.namespaces.get(options.netns ?? null);
  if (!socketNs) throw new RangeError(`no namespace ${options.netns}`);
  const fds = new Map<number, FdTarget>();
  let nextFd = FIRST_FD;
  let closed = false;
  /** Rejections of the requests not yet answered, for close(). */
  const pending = new Set<(error: NetlinkRequestError) => void>();

  // Synchronous model of one request; the caller sees it asynchronously.
  function handle(payload: Buffer, requestOptions: RequestOptions): Buffer[] {
    // nlmsg_len < nlmsg_msg_size(GENL_HDRLEN): refused before anything else, no message.
    if (payload.length < GENL_HDRLEN) throw refuse('EINVAL');
    const cmd = payload.readUInt8(0);
    if (cmd >= RESV_START_OP && payload.readUInt16LE(2) !== 0) {
      throw refuse('EINVAL', 'genlmsghdr.reserved field is not 0');
    }
    const op = opById(cmd);
    if (!op) throw refuse('EOPNOTSUPP');
    if (op.admin && !admin) throw refuse('EPERM');
    // A do for a dump-only op (and the reverse) finds no doit/dumpit.
    if (requestOptions.dump !== (op.kind === 'dump')) throw refuse('EOPNOTSUPP');
    const tb = parseRequestAttrs(op.name, payload);
    const handler = HANDLERS[op.name];
    if (!handler) throw refuse('EOPNOTSUPP');
    const replies = handler({ model, tb, socketNs: socketNs as MockNamespace, admin, fds });
    return replies.map((attrs) => encodeGenl({ command: op.id, version: FAMILY_VERSION, attrs: encodeAttrs('falcon', attrs) }));
  }

  return {
    model,
    request(payload: Buffer, requestOptions: RequestOptions): Promise<Buffer[]> {
      // As the native transport: EBADF once closed, ECANCELED for what close() finds pending.
      if (closed) return Promise.reject(refuse('EBADF', 'transport is closed'));
      return new Promise((resolve, reject) => {
        pending.add(reject);
        // Answer on a later turn, like a socket: callers must not rely on ordering tricks.
        setImmediate(() => {
          if (!pending.delete(reject)) return;
          try {
            resolve(handle(payload, requestOptions));
          } catch (err) {
            reject(err);
          }
        });
      });
    },
    async openNetns(ref: string): Promise<number> {
      if (closed) throw refuse('EBADF', 'transport is closed');
      let target: FdTarget | undefined;
      const named = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(ref);
      if (!ref.includes('/') || named) {
        const ns = model.namespaces.get(named ? named[1] : ref);
        if (ns) target = { kind: 'netns', ns };
      } else if (ref === '/proc/1/ns/net') {
        // PID 1, the host's init, lives in the initial namespace.
        target = { kind: 'netns', ns: model.namespaces.init };
      } else if (/^\/proc\/(?:self|thread-self)\/ns\/net$/.test(ref)) {
        target = { kind: 'netns', ns: socketNs };
      } else {
        // Outside the model's own namespaces the mock is the host it runs
        // on: a path that does not exist there fails as the kernel backend's
        // open() would (ENOENT, ENOTDIR, ...), so both backends agree.
        const pid = /^\/proc\/(\d+)\/ns\/net$/.exec(ref);
        await hostAccess(pid ? `/proc/${pid[1]}` : ref);
        // Every other mock process lives in the socket's namespace; any other
        // path opens as an ordinary file, which is not a namespace.
        target = pid ? { kind: 'netns', ns: socketNs } : { kind: 'file' };
      }
      if (!target) throw refuse('ENOENT', NETNS_NOT_FOUND_MESSAGE);
      if (closed) throw refuse('EBADF', 'transport is closed');
      const fd = nextFd++;
      fds.set(fd, target);
      return fd;
    },
    async closeNetns(fd: number): Promise<void> {
      fds.delete(fd);
    },
    async netnsName(inum: number): Promise<string | undefined> {
      if (inum === socketNs.inum) return undefined;
      const ns = model.namespaces.byInum(inum);
      return ns?.name ?? (ns === model.namespaces.init ? '/proc/1/ns/net' : `netns:[${inum}]`);
    },
    subscribe(group: string, sink: NotificationSink): GenlSubscription {
      if (closed) throw refuse('EBADF', 'transport is closed');
      return model.notifier.subscribe(socketNs as MockNamespace, admin, group, sink);
    },
    async close(): Promise<void> {
      closed = true;
      fds.clear();
      const waiting = [...pending];
      pending.clear();
      for (const reject of waiting) reject(refuse('ECANCELED', 'transport closed with the request pending'));
    },
  };
}
