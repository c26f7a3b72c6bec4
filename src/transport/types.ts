// The seam between the typed client (src/client) and a backend. A transport
// carries Generic Netlink payloads (genlmsghdr + attributes) of the falcon
// family: the kernel transport sends them through the native addon, the mock
// transport hands them to the TypeScript model of the module.

/** How the kernel (or the mock) refused a request. */
export interface NetlinkErrorInfo {
  /** Positive errno, e.g. 22 for EINVAL. */
  readonly errno: number;
  /** Symbolic code, e.g. 'EINVAL'. */
  readonly code: string;
  /** The extack message, when the kernel gave one. */
  readonly message?: string;
  /** Offset of the offending attribute from the start of the genl payload (genlmsghdr). */
  readonly badAttrOffset?: number;
}

/** Options of one request. */
export interface RequestOptions {
  /** Send with NLM_F_DUMP and collect every part until NLMSG_DONE. */
  readonly dump: boolean;
}

/**
 * Reply payloads of one request. A dump that raced with a change is flagged
 * `dumpInterrupted` (NLM_F_DUMP_INTR) and the caller retries it; a plain
 * Buffer[] is a valid, uninterrupted answer.
 */
export type GenlReplies = Buffer[] & { readonly dumpInterrupted?: boolean };

/** Receives what a subscription to a multicast group hears. */
export interface NotificationSink {
  /** One notification of the family (genlmsghdr + attributes), in the order sent. */
  notification(payload: Buffer): void;
  /**
   * Notifications were lost (ENOBUFS: the socket overflowed; later ones still
   * come, `fatal` false), or reading failed and the subscription is closed
   * (`fatal` true).
   */
  error(error: NetlinkRequestError, fatal: boolean): void;
}

/** A joined multicast group; close() stops delivery at once. Idempotent. */
export interface GenlSubscription {
  close(): void;
}

/** Carries requests of the falcon family. Many requests may be in flight. */
export interface GenlTransport {
  /**
   * Sends one request (genlmsghdr + attributes; the transport adds the
   * nlmsghdr, sequence number, NLM_F_REQUEST|NLM_F_ACK). Resolves with the
   * reply payloads: none for a plain ack, one for a do with a reply, any
   * number for a dump. Rejects with a NetlinkRequestError.
   */
  request(payload: Buffer, options: RequestOptions): Promise<GenlReplies>;
  /**
   * Opens a network namespace by name (/run/netns/<name>) or path and
   * returns a file descriptor for the netns-fd attribute.
   * Rejects with ENOENT when there is no such namespace.
   */
  openNetns(ref: string): Promise<number>;
  /** Closes a descriptor from openNetns. */
  closeNetns(fd: number): Promise<void>;
  /**
   * Names the namespace with inode number @inum for a later openNetns:
   * undefined for the transport's own namespace, else a name or path.
   */
  netnsName(inum: number): Promise<string | undefined>;
  /**
   * Joins the family's multicast group `group` on a socket of its own, in
   * the transport's namespace, and delivers to `sink` from then on (no
   * notification sent after this returns is missed). Throws a
   * NetlinkRequestError: EPERM when the group needs a capability the caller
   * lacks, ENOENT when the family has no such group, EBADF once closed.
   * Subscriptions are not closed by close(): their owner closes them.
   */
  subscribe(group: string, sink: NotificationSink): GenlSubscription;
  /** Closes the transport; requests still pending reject with ECANCELED, later ones with EBADF. */
  close(): Promise<void>;
}

/** A refused request, as the transport reports it. */
export class NetlinkRequestError extends Error implements NetlinkErrorInfo {
  readonly errno: number;
  readonly code: string;
  readonly badAttrOffset?: number;
  readonly kernelMessage?: string;

  constructor(info: NetlinkErrorInfo) {
    super(info.message ?? info.code);
    this.name = 'NetlinkRequestError';
    this.errno = info.errno;
    this.code = info.code;
    this.badAttrOffset = info.badAttrOffset;
    this.kernelMessage = info.message;
  }
}
