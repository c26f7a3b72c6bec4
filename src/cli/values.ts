// falconctl's checks of argument values, on the shared layer (src/args):
// u32s as the protocol carries them, device names as the kernel takes them,
// and the --netns option the device commands share.
import { parseInteger, UsageError } from '../args/parse';
import type { CliOption } from './command';
import { maxLengthOf } from './ranges';

/** A non-negative integer argument (decimal or 0x hex) no larger than max (a u32 by default). */
export function parseUint(text: string, what: string, max = 0xffffffff): number {
  return parseInteger(text, what, { max, hex: true });
}

/** The longest device name the kernel takes: IFNAMSIZ - 1, as the request policy says. */
export const IFNAME_MAX = maxLengthOf('ifname');

/** A device name: refused here when the kernel would refuse it for its length. */
export function ifnameArg(text: string): string {
  if (text === '') throw new UsageError('ifname must not be empty');
  if (Buffer.byteLength(text) > IFNAME_MAX) throw new UsageError(`ifname "${text}" is longer than ${IFNAME_MAX} characters (IFNAMSIZ - 1)`);
  return text;
}

/** --netns, as attach, detach and pick take it. */
export const NETNS: CliOption = {
  name: 'netns', value: true, valueName: '<name|path>', complete: 'netns',
  description: 'the device\'s network namespace: an "ip netns" name or a path such as /proc/<pid>/ns/net',
};
