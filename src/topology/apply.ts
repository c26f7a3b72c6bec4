/** Runs topology plans with iproute2 in the current (guest) system. */
import { execFileSync } from 'child_process';
import { OWNED_NS } from './names';
import { Command, planDown, planUp, TopologySpec } from './plan';

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

function run(cmd: Command): string {
  const [prog, ...args] = cmd;
  try {
    return execFileSync(prog as string, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new TopologyError(`${prog} not found (install iproute2/ethtool: npm run setup)`);
    throw new TopologyError(`'${cmd.join(' ')}' failed: ${(err.stderr ?? String(e)).trim()}`);
  }
}

/** Network namespaces that belong to the topology (h1, h2, hIcK). */
export function listTopologyNamespaces(): string[] {
  const out = run(['ip', '-j', 'netns', 'list']).trim();
  const list = out === '' ? [] : (JSON.parse(out) as { name: string }[]);
  // Containers first: deleting them before their hosts is tidier in logs.
  return list
    .map((n) => n.name)
    .filter((n) => OWNED_NS.test(n))
    .sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/** Removes the topology; a no-op when there is none. */
export function topologyDown(): void {
  for (const c of planDown(listTopologyNamespaces())) run(c);
}

/** Builds the topology, replacing any previous one. Throws TopologyError naming the failing command. */
export function topologyUp(spec: TopologySpec): void {
  topologyDown();
  try {
    for (const c of planUp(spec)) run(c);
  } catch (e) {
    // Leave nothing half-built behind.
    try {
      topologyDown();
    } catch {
      /* report the first error */
    }
    throw e;
  }
}
