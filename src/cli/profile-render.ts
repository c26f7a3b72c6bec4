// How falconctl shows a Profile to people: `profile`'s tables and `top`'s
// screen (the same tables cut to the terminal). Pure functions of a Profile,
// so tests check them without a kernel or a terminal.
import type { FlowProfile, Profile, QueueWaitProfile } from '../profile/types';

/** Aligned columns, two spaces apart; the last column is not padded. */
export function tableLines(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)];
}

const pct = (ns: number, durationMs: number): string => (durationMs > 0 ? `${((ns / (durationMs * 1e6)) * 100).toFixed(1)}%` : '-');
const perSecond = (n: number, durationMs: number): string => (durationMs > 0 ? String(Math.round((n * 1000) / durationMs)) : '-');
const perPacket = (ns: number, packets: number): string => (packets > 0 ? String(Math.round(ns / packets)) : '-');
const device = (ifname: string, netns: string | null): string => (netns === null ? ifname : `${netns}/${ifname}`);

/** Per CPU: NET_RX runs and time, and the share of the CPU it took. */
export function cpuRows(p: Profile): string[] {
  return tableLines(
    ['CPU', 'NET_RX', 'RUNS', '%CPU', 'IN STAGES'],
    p.cpus.map((c) => {
      const inStages = c.stages.reduce((s, x) => s + x.ns + (x.handoff_ns ?? 0), 0);
      return [String(c.cpu), `${(c.net_rx_ns / 1e6).toFixed(2)}ms`, String(c.net_rx_count), pct(c.net_rx_ns, p.duration_ms), `${(inStages / 1e6).toFixed(2)}ms`];
    }),
  );
}

/** Devices x CPUs, busiest first: packets per second, ns per packet, share of the CPU; handoffs Falcon took. */
export function stageRows(p: Profile): string[] {
  const rows = p.cpus
    .flatMap((c) => c.stages.map((s) => ({ cpu: c.cpu, s })))
    .sort((a, b) => b.s.ns + (b.s.handoff_ns ?? 0) - (a.s.ns + (a.s.handoff_ns ?? 0)))
    .map(({ cpu, s }) => [
      device(s.ifname, s.netns), String(cpu), perSecond(s.packets, p.duration_ms), perPacket(s.ns, s.packets), pct(s.ns, p.duration_ms),
      s.handoff_packets ? `${s.handoff_packets} (${perPacket(s.handoff_ns ?? 0, s.handoff_packets)} ns)` : '-',
    ]);
  return tableLines(['DEVICE', 'CPU', 'PPS', 'NS/PKT', '%CPU', 'HANDOFFS'], rows);
}

/** The smallest bucket bound under which `q` of the waits fall. */
function quantile(w: QueueWaitProfile, q: number): number {
  let seen = 0;
  for (const b of w.buckets) {
    seen += b.count;
    if (seen >= q * w.count) return b.le_ns;
  }
  return w.buckets[w.buckets.length - 1]?.le_ns ?? 0;
}

const duration = (ns: number): string => (ns >= 1e6 ? `${(ns / 1e6).toFixed(1)}ms` : ns >= 1e3 ? `${Math.round(ns / 1e3)}us` : `${ns}ns`);

/** Falcon's queue wait per target CPU: count and bucket bounds of the median and 99th percentile. */
export function queueWaitRows(p: Profile): string[] {
  return tableLines(
    ['CPU', 'REINJECTED', 'WAIT p50 <=', 'p99 <='],
    p.queue_wait.map((w) => [String(w.cpu), String(w.count + (w.unknown ?? 0)), w.count ? duration(quantile(w, 0.5)) : '-', w.count ? duration(quantile(w, 0.99)) : '-']),
  );
}

function flowText(f: FlowProfile): string {
  return `${f.proto} ${f.src}:${f.sport} > ${f.dst}:${f.dport}`;
}

export function flowRows(p: Profile): string[] {
  return tableLines(
    ['FLOW', 'PACKETS', 'STAGES (device@cpu ns/packet)'],
    p.top_flows.map((f) => [flowText(f), String(f.packets), f.stages.map((s) => `${device(s.ifname, s.netns)}@${s.cpu} ${s.ns_per_packet}`).join(', ')]),
  );
}

/** `falconctl profile`'s text: CPUs, stages, then what Falcon adds and the top flows. */
export function renderProfile(p: Profile): string {
  const sampled = p.sampling ? ` (stage time from 1 in ${p.sampling.time} NET_RX runs, flows from 1 in ${p.sampling.flows} of their stages, scaled)` : '';
  const out: string[] = [`${p.source} profile over ${(p.duration_ms / 1000).toFixed(2)} s${p.falcon ? ', with falcon.ko' : ''}${sampled}`, ''];
  out.push(...cpuRows(p), '');
  out.push(...stageRows(p));
  if (p.queue_wait.length) out.push('', ...queueWaitRows(p));
  if (p.top_flows.length) out.push('', ...flowRows(p));
  for (const n of p.notes ?? []) out.push('', `note: ${n}`);
  return `${out.join('\n')}\n`;
}

/** A terminal's size. */
export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

/**
 * `falconctl top`'s screen: a header, the CPUs, then the busiest stages and
 * the top flows, cut to the terminal's rows and columns (as top does).
 */
export function renderTop(p: Profile, size: ScreenSize, now: Date = new Date()): string[] {
  const columns = Math.max(20, size.columns);
  const rows = Math.max(3, size.rows);
  const totalNs = p.cpus.reduce((s, c) => s + c.net_rx_ns, 0);
  const lines = [
    `falconctl top - ${now.toISOString().slice(11, 19)}  ${p.source}${p.falcon ? ' + falcon.ko' : ''}  every ${(p.duration_ms / 1000).toFixed(1)} s  NET_RX ${pct(totalNs, p.duration_ms)} of one CPU   q: quit`,
    '',
    ...cpuRows(p),
    '',
    ...stageRows(p),
    ...(p.top_flows.length ? ['', ...flowRows(p)] : []),
  ];
  return lines.slice(0, rows).map((l) => (l.length > columns ? l.slice(0, columns) : l));
}
