/** Runs topology plans with iproute2 in the current (guest) system. */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
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

/** PIDs of the processes whose network namespace is the named one (`ip netns pids`, without a process per call). */
function pidsIn(ns: string): number[] {
  let ino: number;
  try {
    ino = fs.statSync(`/run/netns/${ns}`).ino;
  } catch {
    return [];
  }
  const want = `net:[${ino}]`;
  const pids: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/ns/net`) === want) pids.push(Number(e));
    } catch {
      /* exited meanwhile, or a kernel thread */
    }
  }
  return pids;
}

/** Kills every process left in the namespaces (iperf3 daemons, servers) and waits until they are gone. */
function killProcessesIn(namespaces: readonly string[]): void {
  const pids = namespaces.flatMap(pidsIn);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 10_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const pid of pids) {
    while (fs.existsSync(`/proc/${pid}`) && Date.now() < deadline) Atomics.wait(nap, 0, 0, 50);
  }
}

/** The devices of a namespace other than loopback. */
function linksIn(ns: string): string[] {
  const out = exec('ip', ['-n', ns, '-j', 'link', 'show']).trim();
  const links = out === '' ? [] : (JSON.parse(out) as { ifname: string }[]);
  return links.map((l) => l.ifname).filter((n) => n !== 'lo');
}

/**
 * Deletes a namespace's devices, synchronously: `ip link del` unregisters a
 * device (and a veth's peer, wherever it is) before it returns, while the
 * kernel unregisters the devices of a deleted namespace later, from a
 * workqueue, once nothing holds the namespace. Whoever tears the topology
 * down and then looks (the VM tests check that falcon.ko detached every
 * device) must not race that cleanup.
 */
function deleteLinksIn(ns: string): void {
  const links = linksIn(ns);
  if (links.length === 0) return;
  // -force: a veth whose peer was deleted first is already gone.
  const r = spawnSync('ip', ['-force', '-n', ns, '-batch', '-'], { input: links.map((l) => `link del ${l}`).join('\n') + '\n', encoding: 'utf8' });
  if (r.status === 0) return;
  const left = linksIn(ns);
  if (left.length > 0) throw new TopologyError(`could not delete ${left.join(', ')} in netns ${ns}: ${(r.stderr ?? '').trim()}`);
}

/**
 * Removes the topology; a no-op when there is none. When it returns, every
 * device of the topology is unregistered and no process of it is left.
 */
export function topologyDown(): void {
  const namespaces = listTopologyNamespaces();
  killProcessesIn(namespaces);
  for (const ns of namespaces) deleteLinksIn(ns);
  runAll(planDown(namespaces));
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
