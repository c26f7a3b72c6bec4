// How falconctl words a failure: the SDK's error as it came (code, message,
// attribute), made specific where the CLI knows more than the kernel said.
import { netnsPath } from '../transport/netns';
import type { CliFailure } from './output';
import { statedRange } from './ranges';

/** Any rejection as a CliFailure (a code, a message, the attribute if one was named). */
export function failureOf(err: unknown): CliFailure {
  const e = err as { code?: unknown; message?: unknown; attribute?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'EIO',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.attribute === 'string' ? { attribute: e.attribute } : {}),
  };
}

/**
 * Says what the kernel's reply means where it says too little:
 * - ENOENT on netns-fd: the SDK could not open the namespace --netns names:
 *   `network namespace "x" not found (/run/netns/x)` (not a blame of netns-fd);
 * - ERANGE on an attribute whose policy has bounds: the range, from the
 *   request policies generated from kernel/falcon.yaml.
 * `netns` is the --netns the command was given, if any.
 */
export function explain(f: CliFailure, netns?: string): CliFailure {
  if (f.code === 'ENOENT' && f.attribute === 'netns-fd') {
    const ref = netns ?? /"([^"]*)"/.exec(f.message)?.[1];
    if (ref !== undefined && ref !== '') {
      const where = ref.includes('/') ? '' : ` (${netnsPath(ref)})`;
      return { ...f, message: `network namespace "${ref}" not found${where}`, attributeInText: false };
    }
  }
  if (f.code === 'ERANGE' && f.attribute !== undefined) {
    const range = statedRange(f.attribute);
    if (range !== undefined) return { ...f, message: `${f.message.replace(/\.$/, '')}: ${f.attribute} must be ${range}` };
  }
  return f;
}
