/**
 * The kernel's own drop counters on the overlay path, read the way an
 * operator would: `ip -s -j link` per namespace, /proc/net/softnet_stat,
 * and /proc/net/snmp of a namespace. The accounting test adds these to
 * Falcon's counters and to what the receiver got, and wants exactly N.
 */
import * as fs from 'fs';
import { nsSh } from './sh';

interface IpLinkStats {
  ifname: string;
  stats64?: { rx?: { dropped?: number }; tx?: { dropped?: number } };
}

/** rx+tx dropped of every device in a namespace, by device name. */
export function deviceDrops(ns: string): Record<string, number> {
  const links = JSON.parse(nsSh(ns, ['ip', '-s', '-j', 'link', 'show'])) as IpLinkStats[];
  const out: Record<string, number> = {};
  for (const l of links) out[l.ifname] = (l.stats64?.rx?.dropped ?? 0) + (l.stats64?.tx?.dropped ?? 0);
  return out;
}

/**
 * Backlog drops, all CPUs (column 2 of softnet_stat, hex). softnet_stat is
 * global, not per namespace.
 */
export function softnetDrops(): number {
  return fs
    .readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((n, line) => n + parseInt(line.trim().split(/\s+/)[1] ?? '0', 16), 0);
}

/** One counter of /proc/net/snmp in a namespace, e.g. ('Udp', 'InErrors'). */
export function snmp(ns: string, proto: string, field: string): number {
  const lines = nsSh(ns, ['cat', '/proc/net/snmp']).split('\n').filter((l) => l.startsWith(`${proto}:`));
  const names = (lines[0] ?? '').split(/\s+/);
  const values = (lines[1] ?? '').split(/\s+/);
  const i = names.indexOf(field);
  if (i < 0) throw new Error(`no ${proto} ${field} in /proc/net/snmp of ${ns}`);
  return Number(values[i]);
}

/** Sum of a name->count map. */
export function total(m: Record<string, number>): number {
  return Object.values(m).reduce((a, b) => a + b, 0);
}
