/** Parsers for the traffic tools' output (iperf3 -J, sockperf ping-pong). Pure. */
import { RunMetrics } from './types';

interface IperfSum {
  bytes?: number;
  bits_per_second?: number;
  lost_percent?: number;
  retransmits?: number;
}

interface IperfJson {
  error?: string;
  end?: { sum_received?: IperfSum; sum?: IperfSum; sum_sent?: IperfSum };
}

/**
 * Reads an iperf3 client's JSON report (-J): goodput at the receiver in Gb/s,
 * bytes received, for TCP the sender's retransmits, for UDP the loss
 * percentage.
 */
export function parseIperf(text: string, udp: boolean): RunMetrics {
  let j: IperfJson;
  try {
    j = JSON.parse(text) as IperfJson;
  } catch {
    throw new Error(`iperf3 printed no JSON report: ${text.slice(0, 200)}`);
  }
  if (j.error !== undefined) throw new Error(`iperf3: ${j.error}`);
  const recv = j.end?.sum_received ?? j.end?.sum;
  if (recv === undefined || typeof recv.bits_per_second !== 'number') throw new Error('iperf3 report has no receiver summary');
  const m: RunMetrics = { gbps: recv.bits_per_second / 1e9 };
  if (typeof recv.bytes === 'number') m.bytes = recv.bytes;
  const retransmits = j.end?.sum_sent?.retransmits;
  if (!udp && typeof retransmits === 'number') m.retransmits = retransmits;
  if (udp) {
    const sent = j.end?.sum_sent?.bits_per_second;
    if (typeof sent === 'number') m.sentGbps = sent / 1e9;
    const loss = recv.lost_percent ?? j.end?.sum?.lost_percent;
    if (typeof loss === 'number') m.lossPct = loss;
  }
  return m;
}

/** Reads sockperf ping-pong's percentile lines (microseconds, half round trip). */
export function parseSockperf(text: string): RunMetrics {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const pct = new Map<string, number>();
  for (const m of plain.matchAll(/percentile\s+([\d.]+)\s*=\s*([\d.]+)/g)) pct.set(Number(m[1]).toFixed(3), Number(m[2]));
  const p50 = pct.get('50.000');
  const p99 = pct.get('99.000');
  const p999 = pct.get('99.900');
  if (p50 === undefined || p99 === undefined || p999 === undefined) {
    throw new Error(`sockperf printed no percentiles: ${plain.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { p50Us: p50, p99Us: p99, p999Us: p999 };
}
