/**
 * The traffic of each scenario in the guest: receivers (iperf3 / sockperf
 * servers) in h2 (native) and h2c1 (overlay), senders in h1 / h1c1, pinned
 * with taskset as the placement says.
 */
import { Background, exec, inNetns, sleep } from './guest-exec';
import { parseIperf, parseSockperf } from './guest-parse';
import { readTcpReorder } from './guest-tcpext';
import { PlacementCpus } from './placements';
import { RunMetrics, ScenarioId } from './types';

/** Sender and receiver of one path. */
export interface Endpoints {
  senderNs: string;
  receiverNs: string;
  receiverIp: string;
}

/** Native: host to host over the wire. */
export const NATIVE: Endpoints = { senderNs: 'h1', receiverNs: 'h2', receiverIp: '192.0.2.2' };
/** Overlay: container to container over VXLAN. */
export const OVERLAY: Endpoints = { senderNs: 'h1c1', receiverNs: 'h2c1', receiverIp: '10.0.2.1' };

const IPERF_PORT = 5201;
const SOCKPERF_PORT = 11111;
/** UDP payload that fits the overlay's 1450-byte MTU (and the wire's). */
const UDP_LEN = 1400;

/** Receivers of one placement block, for both paths. */
export class Receivers {
  private readonly procs: Background[] = [];

  /** Starts the scenario's servers on both paths, pinned to the receiver CPU, and waits until they listen. */
  async start(s: ScenarioId, cpus: PlacementCpus): Promise<void> {
    for (const ep of [NATIVE, OVERLAY]) {
      if (s === 'latency') {
        this.procs.push(new Background(inNetns(ep.receiverNs, cpus.receiver, ['sockperf', 'server', '-i', ep.receiverIp, '-p', String(SOCKPERF_PORT)])));
      } else {
        this.procs.push(new Background(inNetns(ep.receiverNs, cpus.receiver, ['iperf3', '-s', '-p', String(IPERF_PORT), '-B', ep.receiverIp])));
      }
    }
    const proto = s === 'latency' ? 'udp' : 'tcp';
    const port = s === 'latency' ? SOCKPERF_PORT : IPERF_PORT;
    for (const ep of [NATIVE, OVERLAY]) await waitListening(ep.receiverNs, proto, port);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
    this.procs.length = 0;
  }
}

/** Waits until a `proto` server listens on `port` in `netns` (20 s at most). */
export async function waitListening(netns: string, proto: 'tcp' | 'udp', port: number): Promise<void> {
  const flag = proto === 'tcp' ? '-Hltn' : '-Hlun';
  for (let i = 0; i < 100; i++) {
    const r = await exec(['ip', 'netns', 'exec', netns, 'ss', flag, `sport = :${port}`], 10);
    if (r.code === 0 && r.stdout.trim() !== '') return;
    await sleep(200);
  }
  throw new Error(`no ${proto} server listening on port ${port} in ${netns} after 20 s`);
}

/** Options of one measurement. */
export interface TrafficOptions {
  durationS: number;
  udpRateMbps: number;
}

/** Runs the scenario's sender once and returns its figures. */
export async function measure(s: ScenarioId, ep: Endpoints, cpus: PlacementCpus, o: TrafficOptions): Promise<RunMetrics> {
  const timeout = o.durationS + 30;
  if (s === 'latency') {
    const argv = inNetns(ep.senderNs, cpus.sender, ['sockperf', 'ping-pong', '-i', ep.receiverIp, '-p', String(SOCKPERF_PORT), '-t', String(o.durationS)]);
    const r = await exec(argv, timeout);
    if (r.code !== 0) throw new Error(`sockperf failed (${r.code ?? 'killed'}): ${(r.stderr || r.stdout).trim().slice(-300)}`);
    return parseSockperf(r.stdout + r.stderr);
  }
  const args = ['iperf3', '-c', ep.receiverIp, '-p', String(IPERF_PORT), '-t', String(o.durationS), '-J'];
  if (s === 'udp') args.push('-u', '-b', `${o.udpRateMbps}M`, '-l', String(UDP_LEN));
  if (s === 'parallel') args.push('-P', '4');
  const argv = inNetns(ep.senderNs, cpus.sender, args);
  // The server may still be tearing down the previous test: retry a busy answer.
  for (let attempt = 1; ; attempt++) {
    const before = await readTcpReorder(ep.senderNs, ep.receiverNs);
    const r = await exec(argv, timeout);
    try {
      const m = parseIperf(r.stdout, s === 'udp');
      if (s !== 'udp') {
        const after = await readTcpReorder(ep.senderNs, ep.receiverNs);
        m.ofoQueue = after.ofoQueue - before.ofoQueue;
        m.reorderSeen = after.reorderSeen - before.reorderSeen;
      }
      return m;
    } catch (e) {
      const msg = (e as Error).message;
      if (attempt < 3 && /busy|refused|reset/i.test(msg)) {
        await sleep(1000);
        continue;
      }
      throw e;
    }
  }
}

/** The contention scenario's busy loop on one CPU (root namespace). */
export function busyLoop(cpu: number): Background {
  return new Background(['taskset', '-c', String(cpu), 'sh', '-c', 'while :; do :; done']);
}
