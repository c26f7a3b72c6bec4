// The one error type every Falcon call rejects with, whichever backend
// answered: the same code, the same message, the same attribute name.
import { constants } from 'node:os';

/**
 * Every code a FalconError can carry, as a list to check against at run
 * time. Grouped by who produces it; a code outside this list reaches the
 * caller as EIO with the original code in the message.
 */
export const FALCON_ERROR_CODES = [
  // Falcon's own messages (kernel/falcon-messages.yaml, MESSAGES in src/protocol/generated.ts);
  // a unit test checks that every code of that table is here.
  'ERANGE', 'EINVAL', 'EBADF', 'ENODEV', 'EEXIST', 'EOPNOTSUPP', 'ENOENT', 'EPERM', 'ENOSPC', 'EBUSY',
  // The genetlink core and netlink itself (EPERM, EOPNOTSUPP and EINVAL above too).
  'ENOMEM', 'ENOBUFS', 'EMSGSIZE', 'EAGAIN', 'EINTR', 'EFAULT', 'EPROTONOSUPPORT', 'EAFNOSUPPORT',
  // Opening a network namespace by name or path (ENOENT and EPERM above too).
  'EACCES', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EMFILE', 'ENFILE',
  // The SDK itself: pending at close or aborted, timed out, malformed reply, anything else.
  'ECANCELED', 'ETIMEDOUT', 'EPROTO', 'EIO',
] as const;

/** A symbolic errno a Falcon call can reject with (see FALCON_ERROR_CODES and docs/protocol.md). */
export type FalconErrorCode = (typeof FALCON_ERROR_CODES)[number];

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
