/**
 * TCP's reordering evidence for a run, from /proc/net/netstat's TcpExt
 * counters (per network namespace): the receiver's out-of-order queueing and
 * the sender's reordering detections. Steering that reorders a flow shows up
 * here (and in retransmits) before it shows up in throughput.
 */
import { execOk } from './guest-exec';

/** The counters the experiment keeps; absent ones (older kernels) read as 0. */
export interface TcpReorderCounters {
  /** Receiver: segments queued out of order (TcpExtTCPOFOQueue). */
  ofoQueue: number;
  /** Sender: reorderings detected (TcpExtTCPSACKReorder + TCPTSReorder + TCPRenoReorder). */
  reorderSeen: number;
}

const SENDER_REORDER_FIELDS = ['TCPSACKReorder', 'TCPTSReorder', 'TCPRenoReorder'];

/** The TcpExt section of /proc/net/netstat as name -> value. */
export function parseTcpExt(text: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const out = new Map<string, number>();
  const [names, values] = lines;
  if (names === undefined || values === undefined) throw new Error('/proc/net/netstat has no TcpExt section');
  const n = names.trim().split(/\s+/).slice(1);
  const v = values.trim().split(/\s+/).slice(1).map(Number);
  n.forEach((name, i) => out.set(name, v[i] ?? 0));
  return out;
}

async function tcpExt(netns: string): Promise<Map<string, number>> {
  return parseTcpExt(await execOk(['ip', 'netns', 'exec', netns, 'cat', '/proc/net/netstat']));
}

/** Reads both sides now. */
export async function readTcpReorder(senderNs: string, receiverNs: string): Promise<TcpReorderCounters> {
  const [s, r] = await Promise.all([tcpExt(senderNs), tcpExt(receiverNs)]);
  return {
    ofoQueue: r.get('TCPOFOQueue') ?? 0,
    reorderSeen: SENDER_REORDER_FIELDS.reduce((sum, f) => sum + (s.get(f) ?? 0), 0),
  };
}
