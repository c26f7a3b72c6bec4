/**
 * Drives the falcon Generic Netlink family from VM tests through
 * test/vm/c/falcon-probe.c (libc + the UAPI header only), compiled in the
 * guest on first use. Each reply message is one JSON object; an error is
 * {errno, msg, offset}.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectDir } from './guest';

const BIN = '/tmp/falcon-probe';

export interface ProbeError {
  errno: number;
  msg: string;
  offset: number;
}

export type Msg = Record<string, unknown>;

export interface ProbeResult {
  status: number;
  msgs: Msg[];
  error?: ProbeError;
}

export function buildProbe(): void {
  if (fs.existsSync(BIN)) return;
  const src = path.join(projectDir(), 'test', 'vm', 'c', 'falcon-probe.c');
  execFileSync('gcc', ['-O2', '-Wall', '-o', BIN, src], { stdio: 'pipe' });
}

/** Runs falcon-probe CMD ARGS...; `as` runs it as another uid (setpriv). */
export function probe(cmd: string, args: readonly string[] = [], as?: number): ProbeResult {
  buildProbe();
  const argv = as === undefined ? [BIN, cmd, ...args] : ['setpriv', `--reuid=${as}`, `--regid=${as}`, '--clear-groups', BIN, cmd, ...args];
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (r.status === 1 || r.status === null) throw new Error(`falcon-probe ${cmd} ${args.join(' ')}: ${r.stderr}`);
  const msgs = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Msg);
  const last = msgs[msgs.length - 1];
  if (r.status === 2 && last !== undefined && 'errno' in last) {
    msgs.pop();
    return { status: 2, msgs, error: last as unknown as ProbeError };
  }
  return { status: r.status, msgs };
}

/** Like probe(), but throws on a kernel error; returns the reply messages. */
export function ok(cmd: string, args: readonly string[] = []): Msg[] {
  const r = probe(cmd, args);
  if (r.error) throw new Error(`falcon-probe ${cmd} ${args.join(' ')}: errno ${r.error.errno} ${r.error.msg}`);
  return r.msgs;
}

export interface DevStats {
  ifindex: number;
  ifname: string;
  'netns-cookie': number;
  stage: number;
  seen: number;
  steered: number;
  local: number;
  gated: number;
  second: number;
  dropped: number;
  'gate-closed': number;
  'last-hash'?: number;
  target?: { cpu: number; packets: number }[];
}

export interface CpuStats {
  cpu: number;
  enqueued: number;
  processed: number;
  dropped: number;
  purged: number;
  kicks: number;
  'queue-hwm': number;
  'queue-len': number;
  load: number;
  pinned: number;
}

export function stats(): { cpus: CpuStats[]; devs: DevStats[] } {
  const msgs = ok('get-stats');
  return {
    cpus: msgs.filter((m) => 'cpu-stats' in m).map((m) => m['cpu-stats'] as CpuStats),
    devs: msgs.filter((m) => 'dev-stats' in m).map((m) => m['dev-stats'] as DevStats),
  };
}

export function devStats(ifname: string, cookie?: number): DevStats {
  const d = stats().devs.find((s) => s.ifname === ifname && (cookie === undefined || s['netns-cookie'] === cookie));
  if (!d) throw new Error(`no dev-stats for ${ifname}`);
  return d;
}

/** CPU list -> wire bitmap hex, as falcon-probe prints it. */
export function cpusHex(cpus: readonly number[], nrCpuIds: number): string {
  const bytes = Buffer.alloc(Math.ceil(nrCpuIds / 8));
  for (const c of cpus) bytes[c >> 3] = (bytes[c >> 3] as number) | (1 << (c & 7));
  return bytes.toString('hex');
}

/** Restores the module's load-time defaults (except the CPU set) and clears pins. */
export function resetModule(onlineCpus: string): void {
  for (const d of ok('get-device')) ok('detach', [`ifindex=${d['ifindex'] as number}`, ...nsArgFor(d)]);
  ok('set-config', ['enabled=1', 'mode=0', 'policy=1', 'threshold=80', 'interval-ms=12', 'queue-limit=1000', `cpus=${onlineCpus}`]);
  ok('unpin-load');
  ok('reset-stats');
}

// Attachments in other namespaces are detached through their namespace's path.
const cookieToNs = new Map<number, string>();
export function rememberNs(cookie: number, nsPath: string): void {
  cookieToNs.set(cookie, nsPath);
}
function nsArgFor(d: Msg): string[] {
  const p = cookieToNs.get(d['netns-cookie'] as number);
  return p === undefined ? [] : [`netns-fd=${p}`];
}
