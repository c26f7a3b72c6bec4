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

function exec(prog: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(prog, args, { encoding: 'utf8', input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === 'ENOENT') throw new TopologyError(`${prog} not found (install iproute2/ethtool: npm run setup)`);
    const what = input === undefined ? [prog, ...args].join(' ') : `${[prog, ...args].join(' ')} <<< ${JSON.stringify(input)}`;
    throw new TopologyError(`'${what}' failed: ${(err.stderr ?? String(e)).trim()}`);
  }
}

/**
 * Groups consecutive `ip [-n NS] ...` commands into one `ip [-n NS] -batch -`
 * each: starting a process costs a lot in the TCG guest (~0.5 s for `ip`),
 * so this cuts an overlay build from ~30 processes to ~8.
 */
export function batches(cmds: readonly Command[]): { argv: string[]; input?: string }[] {
  const out: { argv: string[]; input?: string }[] = [];
  let cur: { ns: string | undefined; lines: string[] } | undefined;
  const flush = () => {
    if (cur === undefined) return;
    out.push({ argv: ['ip', ...(cur.ns !== undefined ? ['-n', cur.ns] : []), '-batch', '-'], input: cur.lines.join('\n') + '\n' });
    cur = undefined;
  };
  for (const c of cmds) {
    // `ip netns exec` runs another program: not batchable.
    if (c[0] !== 'ip' || (c[1] === 'netns' && c[2] === 'exec')) {
      flush();
      out.push({ argv: [...c] });
      continue;
    }
    const ns = c[1] === '-n' ? c[2] : undefined;
    const rest = ns !== undefined ? c.slice(3) : c.slice(1);
    if (cur === undefined || cur.ns !== ns) {
      flush();
      cur = { ns, lines: [] };
    }
    cur.lines.push(rest.join(' '));
  }
  flush();
  return out;
}

function runAll(cmds: readonly Command[]): void {
  for (const b of batches(cmds)) exec(b.argv[0] as string, b.argv.slice(1), b.input);
}

/** Network namespaces that belong to the topology (h1, h2, hIcK). */
export function listTopologyNamespaces(): string[] {
  const out = exec('ip', ['-j', 'netns', 'list']).trim();
  const list = out === '' ? [] : (JSON.parse(out) as { name: string }[]);
  // Containers first: deleting them before their hosts is tidier in logs.
  return list
    .map((n) => n.name)
    .filter((n) => OWNED_NS.test(n))
    .sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/** Removes the topology; a no-op when there is none. */
export function topologyDown(): void {
  runAll(planDown(listTopologyNamespaces()));
}

/** Builds the topology, replacing any previous one. Throws TopologyError naming the failing command. */
export function topologyUp(spec: TopologySpec): void {
  topologyDown();
  try {
    runAll(planUp(spec));
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
