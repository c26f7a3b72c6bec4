// Turns whatever a transport rejects with into the one public error type,
// FalconError, so both backends fail the same way through the same code.
import { getSystemErrorMap } from 'node:util';
import { FalconError, FalconErrorCode, isFalconErrorCode } from '../api/errors';
import { CodecError, attrNameAtOffset } from '../protocol/codec';
import { NetlinkRequestError } from '../transport/types';

// The kernel often refuses without an extack message (EPERM from the
// genetlink core, for one); these are the C library's texts for the codes
// Falcon can answer with, so the message reads as it would from iproute2.
const STRERROR: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  ERANGE: 'Numerical result out of range',
  EPROTO: 'Protocol error',
  EMSGSIZE: 'Message too long',
  EPROTONOSUPPORT: 'Protocol not supported',
  EOPNOTSUPP: 'Operation not supported',
  ENOTSUP: 'Operation not supported',
  ENOBUFS: 'No buffer space available',
  ECANCELED: 'Operation canceled',
};

/** A human message for an errno code when the kernel gave none: 'EPERM' -> "Operation not permitted". */
export function defaultMessage(code: string): string {
  const known = STRERROR[code];
  if (known) return known;
  for (const [name, description] of getSystemErrorMap().values()) {
    if (name === code) return description.charAt(0).toUpperCase() + description.slice(1);
  }
  return code;
}

/**
 * A code and message for FalconError: a code outside FalconErrorCode reads
 * as EIO, its own text and code kept in the message.
 */
function mapped(code: string, message: string | undefined): { code: FalconErrorCode; message: string } {
  if (isFalconErrorCode(code)) return { code, message: message || defaultMessage(code) };
  return { code: 'EIO', message: `${message || defaultMessage(code)} (${code})` };
}

function hasCode(error: unknown): error is { code: string; message?: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * Maps a transport's rejection for operation `op` to a FalconError: the
 * kernel's message (or the code's default text) and, when the kernel
 * pointed at an attribute, its spec name found in the request `payload`.
 */
export function toFalconError(error: unknown, op: string, payload?: Buffer): FalconError {
  if (error instanceof FalconError) return error;
  if (error instanceof NetlinkRequestError) {
    const attribute =
      error.badAttrOffset !== undefined && payload ? attrNameAtOffset('falcon', payload, error.badAttrOffset) : undefined;
    return new FalconError({ ...mapped(error.code, error.kernelMessage), syscall: op, attribute });
  }
  if (error instanceof CodecError) return new FalconError({ code: 'EINVAL', message: error.message, syscall: op });
  if (hasCode(error)) return new FalconError({ ...mapped(error.code, error.message), syscall: op });
  return new FalconError({ code: 'EIO', message: String(error), syscall: op });
}

/** A netns reference that could not be opened, e.g. ENOENT for an unknown name. */
export function netnsError(error: unknown, ref: string, op: string): FalconError {
  const raw = hasCode(error) ? error.code : 'EIO';
  const code = isFalconErrorCode(raw) ? raw : 'EIO';
  return new FalconError({
    code,
    message: `cannot open network namespace "${ref}": ${defaultMessage(raw)}`,
    syscall: op,
    attribute: 'netns-fd',
  });
}
