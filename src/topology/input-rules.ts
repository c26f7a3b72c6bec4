/**
 * A heavy last stage on purpose: nftables rules in a namespace's input hook
 * that every packet walks and none matches, as kube-proxy's iptables rules
 * make a real node's delivery to a pod expensive. Runs in the guest, as root.
 */
import { execFileSync } from 'node:child_process';

const TABLE = 'falcon_heavy';

/** The ruleset: `count` rules on source addresses of TEST-NET-2 (RFC 5737), which no testbed packet carries. */
export function inputRulesText(count: number): string {
  const rules = Array.from({ length: count }, (_, i) => `  ip saddr 198.51.100.${i % 250} udp dport ${20000 + (i % 40000)} drop`);
  return `table inet ${TABLE} {\n chain input {\n  type filter hook input priority 0;\n${rules.join('\n')}\n }\n}\n`;
}

/** Adds `count` non-matching input rules to namespace `netns` (in a table of its own; the namespace's teardown removes it). */
export function addInputRules(netns: string, count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`rule count must be a positive integer, got ${count}`);
  execFileSync('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: inputRulesText(count), stdio: ['pipe', 'ignore', 'pipe'] });
}
