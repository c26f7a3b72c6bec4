// Typed face of the native addon (native/*.cc): a Generic Netlink socket
// that frames and matches requests, and a GenlTransport bound to one family.
import bindings from 'bindings';
import { GenlReplies, GenlSubscription, GenlTransport, NetlinkRequestError, NotificationSink, RequestOptions } from './types';
import { FamilyInfo, GENL_ID_CTRL, decodeFamily, encodeDumpFamilies, encodeGetFamily } from './nlctrl';
import { closeNetnsFd, netnsNameOf, openNetnsFd } from './netns';
import { AddonSubscriptionClass, openNativeSubscription } from './native-subscription';

/** What the addon resolves a request with. */
interface AddonReply {
  /** Reply payloads after the nlmsghdr (genlmsghdr + attributes). */
  readonly parts: Buffer[];
  /** Some part carried NLM_F_DUMP_INTR. */
  readonly interrupted: boolean;
}

/** The addon's GenlSocket class, as native/genl_socket.cc defines it. */
interface AddonSocket {
  request(type: number, dump: boolean, payload: Buffer, inline?: boolean): Promise<AddonReply>;
  close(): void;
  readonly portId: number;
  readonly pending: number;
  readonly closed: boolean;
}

interface AddonModule {
  readonly GenlSocket: new () => AddonSocket;
  readonly GenlSubscription: AddonSubscriptionClass;
}

/** How the addon rejects: a Node-style system error plus the extended ack. */
interface AddonError extends Error {
  errno?: number;
  code?: string;
  syscall?: string;
  kernelMessage?: string;
  badAttrOffset?: number;
}

let addon: AddonModule | undefined;

/**
 * Loads build/Release/falcon_genl.node (built by `npm run build:native`).
 * Throws when it is not built; callers that can fall back (openFalcon's
 * 'auto') catch that.
 */
export function loadAddon(): AddonModule {
  addon ??= bindings('falcon_genl') as AddonModule;
  return addon;
}

function toRequestError(error: unknown): NetlinkRequestError {
  const e = error as AddonError;
  if (typeof e?.errno !== 'number' || typeof e.code !== 'string') {
    return new NetlinkRequestError({ errno: 5, code: 'EIO', message: String(e?.message ?? error) });
  }
  // A kernel nack's text is the extack message or nothing (the client picks
  // a default); a local failure's text is the addon's own explanation.
  const message = e.syscall === 'netlink' ? e.kernelMessage : e.message;
  return new NetlinkRequestError({ errno: e.errno, code: e.code, message, badAttrOffset: e.badAttrOffset });
}

/** Options of one request on a native socket. */
export interface NativeRequestOptions extends RequestOptions {
  /**
   * Send on the event-loop thread (when no threaded send is ahead of it)
   * instead of the socket's sender thread: saves two thread wake-ups per
   * round trip, but the loop waits while the kernel serves the request
   * (locks such as RTNL). Only for requests known to be answered quickly.
   */
  readonly inline?: boolean;
}

/**
 * A Generic Netlink socket (any family). Requests are sent by a thread of
 * the socket's own and answers read when libuv polls the socket readable, so
 * the event loop never waits for the kernel (unless a request asks to be
 * sent inline).
 */
export class GenlSocket {
  private constructor(private readonly native: AddonSocket) {}

  /** Opens a socket with extended acks, capped acks and strict checking. */
  static open(): GenlSocket {
    return new GenlSocket(new (loadAddon().GenlSocket)());
  }

  /** The socket's netlink port id (assigned by the kernel). */
  get portId(): number {
    return this.native.portId;
  }

  /** Requests queued or awaiting an answer. */
  get pending(): number {
    return this.native.pending;
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.native.closed;
  }

  /**
   * Sends genlmsghdr + attributes to the family `familyId` with
   * NLM_F_REQUEST|NLM_F_ACK (and NLM_F_DUMP for dumps). Rejects with a
   * NetlinkRequestError whose badAttrOffset counts from the genlmsghdr.
   */
  async request(familyId: number, payload: Buffer, options: NativeRequestOptions): Promise<GenlReplies> {
    let reply: AddonReply;
    try {
      reply = await this.native.request(familyId, options.dump, payload, options.inline === true);
    } catch (error) {
      throw toRequestError(error);
    }
    const parts: Buffer[] & { dumpInterrupted?: boolean } = reply.parts;
    if (reply.interrupted) parts.dumpInterrupted = true;
    return parts;
  }

  /** Looks a family up by name; rejects with ENOENT when it is not registered. */
  async resolveFamily(name: string): Promise<FamilyInfo> {
    const [reply] = await this.request(GENL_ID_CTRL, encodeGetFamily(name), { dump: false });
    if (!reply) throw new NetlinkRequestError({ errno: 71, code: 'EPROTO', message: 'empty CTRL_CMD_GETFAMILY reply' });
    return decodeFamily(reply);
  }

  /** Every family registered now (a CTRL_CMD_GETFAMILY dump). */
  async listFamilies(): Promise<FamilyInfo[]> {
    const replies = await this.request(GENL_ID_CTRL, encodeDumpFamilies(), { dump: true });
    return replies.map(decodeFamily);
  }

  /** Closes the socket; pending requests reject with ECANCELED. Idempotent. */
  close(): void {
    this.native.close();
  }
}

function closedError(): NetlinkRequestError {
  return new NetlinkRequestError({ errno: 9, code: 'EBADF', message: 'transport is closed' });
}

/**
 * A GenlTransport speaking one family over its own native socket. Requests
 * pending at close() reject with ECANCELED, requests after it with EBADF.
 */
export class NativeGenlTransport implements GenlTransport {
  /**
   * @param socket the socket to send on; closed with the transport.
   * @param family the resolved family whose id addresses every request.
   */
  constructor(
    private readonly socket: GenlSocket,
    readonly family: FamilyInfo,
    private readonly inlineCommands: ReadonlySet<number> = new Set(),
  ) {}

  /**
   * Opens a socket and resolves `familyName`; rejects with ENOENT when absent.
   * Requests whose genl command is in `inlineCommands` are sent inline
   * (see NativeRequestOptions.inline); the lookup itself never is.
   */
  static async open(familyName: string, inlineCommands: ReadonlySet<number> = new Set()): Promise<NativeGenlTransport> {
    const socket = GenlSocket.open();
    try {
      return new NativeGenlTransport(socket, await socket.resolveFamily(familyName), inlineCommands);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  request(payload: Buffer, options: RequestOptions): Promise<GenlReplies> {
    // The addon answers ECANCELED here too; EBADF tells "closed before" from
    // "closed while pending", as the mock transport does.
    if (this.socket.closed) return Promise.reject(closedError());
    const inline = payload.length > 0 && this.inlineCommands.has(payload.readUInt8(0));
    return this.socket.request(this.family.id, payload, { dump: options.dump, inline });
  }

  openNetns(ref: string): Promise<number> {
    if (this.socket.closed) return Promise.reject(closedError());
    return openNetnsFd(ref);
  }

  closeNetns(fd: number): Promise<void> {
    return closeNetnsFd(fd);
  }

  async netnsName(inum: number): Promise<string | undefined> {
    return netnsNameOf(inum);
  }

  subscribe(group: string, sink: NotificationSink): GenlSubscription {
    if (this.socket.closed) throw closedError();
    const found = this.family.mcastGroups.find((g) => g.name === group);
    if (!found) {
      throw new NetlinkRequestError({
        errno: 2,
        code: 'ENOENT',
        message: `family ${this.family.name} has no multicast group ${group} (a module without notifications?)`,
      });
    }
    return openNativeSubscription(loadAddon().GenlSubscription, this.family.id, found.id, sink);
  }

  async close(): Promise<void> {
    this.socket.close();
  }
}
