/**
 * The one way VM tests act as someone other than root in the initial
 * namespace: a command, or calls of the Falcon API on falcon.ko, run in a
 * child process as
 *
 *   'nobody'       uid/gid 65534, no groups, no capabilities at all (none
 *                  inheritable, an empty bounding set), no_new_privs:
 *                  netlink_capable(CAP_NET_ADMIN) fails; optionally with its
 *                  sockets in a named network namespace;
 *   'netns-admin'  root with every capability in the initial user namespace,
 *                  its sockets in another network namespace (as CNI plugins
 *                  and VPN pods run): CAP_NET_ADMIN, but not over init_net.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import type { UserCall, UserOutcome } from '../conformance/backend';

export type Caller = 'nobody' | 'netns-admin';

const DROP_EVERYTHING: readonly string[] = [
  'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs',
];

/** `argv` wrapped to run as `caller`, with its sockets in `netns` (a name under /run/netns) if given. */
export function argvAs(caller: Caller, argv: readonly string[], netns?: string): string[] {
  if (caller === 'netns-admin' && netns === undefined) throw new Error('a namespace admin needs its namespace');
  const inNetns = netns === undefined ? [] : ['ip', 'netns', 'exec', netns];
  return [...inNetns, ...(caller === 'nobody' ? DROP_EVERYTHING : []), ...argv];
}

/** Runs `argv` as `caller` (in `netns`); returns stdout, throws with stderr on a non-zero exit. */
export function runAs(caller: Caller, argv: readonly string[], netns?: string): string {
  const full = argvAs(caller, argv, netns);
  return execFileSync(full[0] as string, full.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs Falcon API calls on falcon.ko as `caller` (in `netns`), each failure caught as an outcome. */
export function falconCallsAs(caller: Caller, calls: readonly UserCall[], netns?: string): UserOutcome[] {
  const child = path.join(__dirname, 'unpriv-calls.js');
  const arg = Buffer.from(JSON.stringify(calls)).toString('base64');
  return JSON.parse(runAs(caller, [process.execPath, child, arg], netns)) as UserOutcome[];
}
