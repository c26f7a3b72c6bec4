// The one error type every Falcon call rejects with, whichever backend
// answered: the same code, the same message, the same attribute name.
import { constants } from 'node:os';
import { PROTOCOL_ERROR_CODES } from '../protocol/generated';
import type { ProtocolErrorCode } from '../protocol/generated';

/** Netlink itself and the socket under the kernel backend (allocation, buffers, an interrupted call). */
export const NETLINK_ERROR_CODES = ['ENOMEM', 'ENOBUFS', 'EMSGSIZE', 'EAGAIN', 'EINTR', 'EFAULT', 'EPROTONOSUPPORT', 'EAFNOSUPPORT'] as const;
/** Opening a network namespace by name or path. */
export const NETNS_ERROR_CODES = ['ENOENT', 'EPERM', 'EACCES', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EMFILE', 'ENFILE'] as const;
/** The SDK itself: pending at close or aborted, timed out, malformed reply, anything else. */
export const SDK_ERROR_CODES = ['ECANCELED', 'ETIMEDOUT', 'EPROTO', 'EIO'] as const;

/**
 * A symbolic errno a Falcon call can reject with: what the protocol answers
 * (ProtocolErrorCode, generated from kernel/falcon.yaml and
 * kernel/falcon-messages.yaml, so a new message's errno joins it by `npm run
 * gen`), plus what netlink, opening a namespace and the SDK add. See
 * docs/protocol.md.
 */
export type FalconErrorCode =
  | ProtocolErrorCode
  | (typeof NETLINK_ERROR_CODES)[number]
  | (typeof NETNS_ERROR_CODES)[number]
  | (typeof SDK_ERROR_CODES)[number];

/**
 * Every code a FalconError can carry, each once, as a list to check against
 * at run time; a code outside it reaches the caller as EIO with the original
 * code in the message.
 */
export const FALCON_ERROR_CODES: readonly FalconErrorCode[] = [
  ...new Set<FalconErrorCode>([...PROTOCOL_ERROR_CODES, ...NETLINK_ERROR_CODES, ...NETNS_ERROR_CODES, ...SDK_ERROR_CODES]),
];

const CODE_SET: ReadonlySet<string> = new Set(FALCON_ERROR_CODES);

/** True for a code FalconError may carry. */
export function isFalconErrorCode(code: string): code is FalconErrorCode {
  return CODE_SET.has(code);
}

/** Positive errno for a symbolic code ('EINVAL' -> 22). */
export function errnoOf(code: string): number {
  const value = (constants.errno as Record<string, number>)[code];
  if (value === undefined) throw new RangeError(`unknown errno code ${code}`);
  return value;
}

/** Symbolic code for a positive errno (22 -> 'EINVAL'). */
export function codeOf(errno: number): string {
  for (const [code, value] of Object.entries(constants.errno)) if (value === errno) return code;
  return `E${errno}`;
}

/** What a request made on a closed handle rejects with (EBADF), on every backend. */
export const HANDLE_CLOSED_MESSAGE = 'Falcon handle is closed';
/** What a request still pending when close() was called rejects with (ECANCELED), on every backend. */
export const CLOSED_WHILE_PENDING_MESSAGE = 'Falcon handle was closed while the request was pending';
/** What a request whose AbortSignal fired rejects with (ECANCELED, name 'AbortError'). */
export const ABORTED_MESSAGE = 'The operation was aborted';

/** A refused Falcon request. */
export class FalconError extends Error {
  /** Positive errno. */
  readonly errno: number;
  /** Symbolic errno, e.g. 'ENODEV'. */
  readonly code: FalconErrorCode;
  /** The request that failed, e.g. 'attach'. */
  readonly syscall: string;
  /** The offending attribute's spec name, when the kernel pointed at one. */
  readonly attribute?: string;

  /**
   * @param options.name 'AbortError' / 'TimeoutError' for a call its signal
   *   or timeoutMs ended, so `err.name` checks written for fetch and
   *   timers/promises work; default 'FalconError'.
   */
  constructor(options: {
    code: FalconErrorCode;
    message: string;
    syscall: string;
    attribute?: string;
    name?: 'FalconError' | 'AbortError' | 'TimeoutError';
    cause?: unknown;
  }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = options.name ?? 'FalconError';
    this.code = options.code;
    this.errno = errnoOf(options.code);
    this.syscall = options.syscall;
    this.attribute = options.attribute;
  }
}
