// The one error type every Falcon call rejects with, whichever backend
// answered: the same code, the same message, the same attribute name.
import { constants } from 'node:os';

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

/** A refused Falcon request. */
export class FalconError extends Error {
  /** Positive errno. */
  readonly errno: number;
  /** Symbolic errno, e.g. 'ENODEV'. */
  readonly code: string;
  /** The request that failed, e.g. 'attach'. */
  readonly syscall: string;
  /** The offending attribute's spec name, when the kernel pointed at one. */
  readonly attribute?: string;

  constructor(options: { code: string; message: string; syscall: string; attribute?: string }) {
    super(options.message);
    this.name = 'FalconError';
    this.code = options.code;
    this.errno = errnoOf(options.code);
    this.syscall = options.syscall;
    this.attribute = options.attribute;
  }
}
