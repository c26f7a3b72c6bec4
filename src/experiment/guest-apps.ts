/**
 * The application scenarios in the guest: nginx (web) or memcached (cache)
 * in every server container of h2 (overlay) and as many instances in h2
 * itself (native, one port each), and their clients, wrk or memcache-load,
 * in h1's containers (overlay) or h1 (native), one client per server, all
 * running at once. Servers are pinned to the placement's receiver vCPU,
 * clients to its sender vCPU.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Background, exec, inNetns } from './guest-exec';
import { LoadReport, parseLoad, parseWrk, WrkReport } from './guest-parse-apps';
import { waitListening } from './guest-traffic';
import { PlacementCpus } from './placements';
import { RunMetrics } from './types';

/** One server and the client that drives it. */
export interface AppEndpoint {
  clientNs: string;
  serverNs: string;
  serverIp: string;
  port: number;
  /** The server's private directory under /tmp (config, logs, files). */
  dir: string;
}

export const WEB_PORT = 8080;
export const CACHE_PORT = 11211;
/** The web scenario's two objects: a small page and a large object stress different stages. */
export const WEB_OBJECTS = [
  { key: 'page', file: 'page.html', bytes: 1024 },
  { key: 'obj', file: 'object.bin', bytes: 65536 },
] as const;
/** The cache scenario's request shape (memcache-load's options). */
export const CACHE_LOAD = { conns: 4, keys: 1000, keySize: 16, valueSize: 100, setPct: 10 } as const;

/** Where runtime files go: the guest's root is read-only, /tmp is a tmpfs. */
const RUN_DIR = '/tmp/falcon-apps';

/**
 * The endpoints of `containers` flows: over the overlay, client h1cK to
 * server h2cK (10.0.2.K); native, h1 to h2 (192.0.2.2) on port base + K - 1.
 */
export function appEndpoints(kind: 'web' | 'cache', overlay: boolean, containers: number): AppEndpoint[] {
  const base = kind === 'web' ? WEB_PORT : CACHE_PORT;
  const eps: AppEndpoint[] = [];
  for (let k = 1; k <= containers; k++) {
    const ep = overlay
      ? { clientNs: `h1c${k}`, serverNs: `h2c${k}`, serverIp: `10.0.2.${k}`, port: base }
      : { clientNs: 'h1', serverNs: 'h2', serverIp: '192.0.2.2', port: base + k - 1 };
    eps.push({ ...ep, dir: path.join(RUN_DIR, `${kind}-${ep.serverNs}-${ep.port}`) });
  }
  return eps;
}

/** nginx's configuration for one server: one process, everything it writes under `dir`. */
export function nginxConfig(dir: string, ip: string, port: number): string {
  return `# Written by the experiment (src/experiment/guest-apps.ts).
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { text/html html; application/octet-stream bin; }
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 120s;
  keepalive_requests 100000000;
  server {
    listen ${ip}:${port};
    root ${dir}/html;
  }
}
`;
}

/** Creates the server's directory with its config and the objects it serves. */
export function prepareWebServer(ep: AppEndpoint): string {
  fs.rmSync(ep.dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(ep.dir, 'html'), { recursive: true });
  fs.mkdirSync(path.join(ep.dir, 'tmp'), { recursive: true });
  for (const o of WEB_OBJECTS) fs.writeFileSync(path.join(ep.dir, 'html', o.file), Buffer.alloc(o.bytes, 'x'));
  const conf = path.join(ep.dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig(ep.dir, ep.serverIp, ep.port));
  return conf;
}

/** Requests nginx logged so far (one access-log line each). */
export function accessLogLines(ep: AppEndpoint): number {
  try {
    return fs.readFileSync(path.join(ep.dir, 'access.log'), 'utf8').split('\n').filter((l) => l !== '').length;
  } catch {
    return 0;
  }
}

/** The load generator built by `npm run build` (tools/memcache-load). */
export function loadgenBinary(): string {
  return path.resolve(__dirname, '..', '..', '..', 'tools', 'memcache-load', 'build', 'memcache-load');
}

/** The servers of one block: both paths (native and overlay), `containers` each. */
export class AppServers {
  private readonly procs: Background[] = [];

  constructor(
    readonly kind: 'web' | 'cache',
    readonly containers: number,
  ) {}

  /** Starts every server pinned to `cpus.receiver` and waits until each listens. */
  async start(cpus: PlacementCpus): Promise<void> {
    const all = [...appEndpoints(this.kind, false, this.containers), ...appEndpoints(this.kind, true, this.containers)];
    for (const ep of all) {
      let argv: string[];
      if (this.kind === 'web') {
        const conf = prepareWebServer(ep);
        argv = ['nginx', '-p', ep.dir + '/', '-c', conf, '-e', path.join(ep.dir, 'error.log')];
      } else {
        // One worker thread, as nginx has one process; root only with -u.
        argv = ['memcached', '-u', 'root', '-l', ep.serverIp, '-p', String(ep.port), '-U', '0', '-t', '1', '-m', '64', '-c', '4096'];
      }
      this.procs.push(new Background(inNetns(ep.serverNs, cpus.receiver, argv)));
    }
    for (const ep of all) await waitListening(ep.serverNs, 'tcp', ep.port);
    for (const p of this.procs) if (!p.running) throw new Error(`${p.argv.join(' ')} exited at start`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
    this.procs.length = 0;
  }
}

/** Options of one application measurement. */
export interface AppOptions {
  durationS: number;
  containers: number;
  webConnections: number;
  /** Cache: offered rate over all containers, requests/s. */
  rateRps?: number;
}

async function runWrk(ep: AppEndpoint, cpu: number, file: string, o: AppOptions): Promise<WrkReport> {
  const url = `http://${ep.serverIp}:${ep.port}/${file}`;
  const argv = inNetns(ep.clientNs, cpu, ['wrk', '-t', '1', '-c', String(o.webConnections), '-d', `${o.durationS}s`, '--timeout', '10s', '--latency', url]);
  const r = await exec(argv, o.durationS + 40);
  if (r.code !== 0) throw new Error(`wrk ${url} failed (${r.code ?? 'killed'}): ${(r.stderr || r.stdout).trim().slice(-300)}`);
  const rep = parseWrk(r.stdout);
  if (rep.requests === 0) throw new Error(`wrk ${url} completed no request`);
  return rep;
}

/**
 * Web: every client fetches the 1 KB page for durationS, all at once, then
 * the 64 KB object likewise. Rates and bytes add up over the containers;
 * the latency percentiles are the worst container's (an upper bound on the
 * percentile over all requests: wrk's histograms cannot be merged).
 */
export async function measureWeb(eps: readonly AppEndpoint[], cpus: PlacementCpus, o: AppOptions): Promise<RunMetrics> {
  const m: RunMetrics = { requests: 0, bytes: 0, socketErrors: 0 };
  for (const obj of WEB_OBJECTS) {
    const reps = await Promise.all(eps.map((ep) => runWrk(ep, cpus.sender, obj.file, o)));
    // A wrong answer fails the run; a socket error (a reply slower than --timeout under an
    // overloaded TCG guest) is a measurement, counted.
    const non2xx = reps.reduce((s, r) => s + r.non2xx, 0);
    if (non2xx > 0) throw new Error(`nginx answered ${non2xx} requests for ${obj.file} with an error status`);
    m.socketErrors = (m.socketErrors ?? 0) + reps.reduce((s, r) => s + r.socketErrors, 0);
    m[`${obj.key}Rps`] = reps.reduce((s, r) => s + r.requestsPerS, 0);
    m[`${obj.key}MBps`] = reps.reduce((s, r) => s + r.bytesPerS, 0) / 1e6;
    m[`${obj.key}P50Us`] = Math.max(...reps.map((r) => r.p50Us));
    m[`${obj.key}P99Us`] = Math.max(...reps.map((r) => r.p99Us));
    m.requests = (m.requests ?? 0) + reps.reduce((s, r) => s + r.requests, 0);
    m.bytes = (m.bytes ?? 0) + reps.reduce((s, r) => s + r.bytes, 0);
  }
  return m;
}

/**
 * Runs memcache-load against one server at `rate` requests/s; it waits
 * `drainS` after the schedule for late replies.
 */
export async function runLoad(ep: AppEndpoint, cpu: number, rate: number, durationS: number, drainS = 2): Promise<LoadReport> {
  const argv = inNetns(ep.clientNs, cpu, [
    loadgenBinary(),
    '--server', ep.serverIp,
    '--port', String(ep.port),
    '--rate', String(rate),
    '--duration', String(durationS),
    '--conns', String(CACHE_LOAD.conns),
    '--keys', String(CACHE_LOAD.keys),
    '--key-size', String(CACHE_LOAD.keySize),
    '--value-size', String(CACHE_LOAD.valueSize),
    '--set-pct', String(CACHE_LOAD.setPct),
    '--drain', String(drainS),
  ]);
  const r = await exec(argv, durationS + drainS + 60);
  if (r.code !== 0) throw new Error(`memcache-load against ${ep.serverNs} failed (${r.code ?? 'killed'}): ${(r.stderr || r.stdout).trim().slice(-300)}`);
  return parseLoad(r.stdout);
}

/**
 * Cache: every client offers rate / containers requests/s, all at once.
 * Rates add up; the percentiles are the worst container's (an upper bound
 * on the percentile over all requests).
 */
export async function measureCache(eps: readonly AppEndpoint[], cpus: PlacementCpus, o: AppOptions): Promise<RunMetrics> {
  const total = o.rateRps ?? 1000;
  const each = Math.max(1, Math.round(total / eps.length));
  const reps = await Promise.all(eps.map((ep) => runLoad(ep, cpus.sender, each, o.durationS)));
  const errors = reps.reduce((s, r) => s + r.errors, 0);
  if (errors > 0) throw new Error(`memcached answered ${errors} requests with an error`);
  return {
    offeredRps: each * eps.length,
    achievedRps: reps.reduce((s, r) => s + r.achieved_rps, 0),
    p50Us: Math.max(...reps.map((r) => r.p50_us)),
    p99Us: Math.max(...reps.map((r) => r.p99_us)),
    p999Us: Math.max(...reps.map((r) => r.p999_us)),
    unanswered: reps.reduce((s, r) => s + r.unanswered, 0),
    sendLagP99Us: Math.max(...reps.map((r) => r.send_lag_p99_us)),
    gets: reps.reduce((s, r) => s + r.gets, 0),
  };
}
