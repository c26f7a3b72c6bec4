/**
 * Silences the overlay topology so counters see only a test's own packets:
 * IPv6 off (no neighbour discovery or MLD) in the hosts and containers, and
 * permanent neighbours on the wire and between the two containers (no ARP).
 * Falcon steers every packet of an attached device, strays included, so
 * tests that count packets exactly need this.
 */
import { execFileSync } from 'child_process';

const OVERLAY_NAMESPACES = ['h1', 'h2', 'h1c1', 'h2c1'];

function mac(ns: string, dev: string): string {
  const links = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' })) as { address: string }[];
  return links[0]?.address ?? '';
}

/** Call after `falcon-topology up overlay` (one container per host). */
export function quietOverlayPath(): void {
  for (const ns of OVERLAY_NAMESPACES) {
    for (const k of ['all', 'default']) execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${k}.disable_ipv6=1`]);
  }
  const neigh = (ns: string, addr: string, dev: string, peerNs: string, peerDev: string): void => {
    execFileSync('ip', ['-n', ns, 'neigh', 'replace', addr, 'lladdr', mac(peerNs, peerDev), 'dev', dev, 'nud', 'permanent']);
  };
  neigh('h1', '192.0.2.2', 'w1', 'h2', 'w2');
  neigh('h2', '192.0.2.1', 'w2', 'h1', 'w1');
  neigh('h1c1', '10.0.2.1', 'eth0', 'h2c1', 'eth0');
  neigh('h2c1', '10.0.1.1', 'eth0', 'h1c1', 'eth0');
}
