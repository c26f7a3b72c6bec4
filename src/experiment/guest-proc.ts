/** Per-CPU counters from /proc: NET_RX softirqs and CPU time. */
import * as fs from 'fs';

/** A snapshot of the per-CPU counters. */
export interface ProcSnapshot {
  /** NET_RX softirq count per CPU. */
  netRx: number[];
  /** Softirq time per CPU, USER_HZ ticks. */
  softirq: number[];
  /** Busy (everything but idle and iowait) time per CPU, USER_HZ ticks. */
  busy: number[];
  /** Packets the kernel dropped at each CPU's input backlog (softnet_stat). */
  backlogDropped: number[];
  /** Monotonic time, seconds. */
  at: number;
}

/** The NET_RX row of /proc/softirqs, one count per CPU column. */
export function parseSoftirqs(text: string): number[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/).filter((s) => /^CPU\d+$/.test(s));
  const row = lines.find((l) => l.trim().startsWith('NET_RX:'));
  if (row === undefined) throw new Error('/proc/softirqs has no NET_RX row');
  const vals = row.trim().split(/\s+/).slice(1).map(Number);
  return vals.slice(0, header.length);
}

/** Per-CPU softirq and busy ticks from /proc/stat's cpuN lines. */
export function parseStat(text: string): { softirq: number[]; busy: number[] } {
  const softirq: number[] = [];
  const busy: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (m === null) continue;
    // user nice system idle iowait irq softirq steal guest guest_nice
    const f = (m[2] as string).trim().split(/\s+/).map(Number);
    const cpu = Number(m[1]);
    const [user = 0, nice = 0, system = 0, , , irq = 0, si = 0, steal = 0] = f;
    softirq[cpu] = si;
    busy[cpu] = user + nice + system + irq + si + steal;
  }
  return { softirq, busy };
}

/**
 * Per-CPU backlog drops from /proc/net/softnet_stat: a row per online CPU, hex
 * columns, the second the packets dropped because that CPU's input backlog
 * (netdev_max_backlog) was full; from 5.x on the 13th column is the CPU.
 */
export function parseSoftnetDropped(text: string): number[] {
  const dropped: number[] = [];
  text.split('\n').filter((l) => l.trim() !== '').forEach((line, row) => {
    const f = line.trim().split(/\s+/).map((x) => parseInt(x, 16));
    const cpu = f.length >= 13 ? (f[12] as number) : row;
    dropped[cpu] = f[1] ?? 0;
  });
  return Array.from(dropped, (v) => v ?? 0);
}

/** Reads the counters now. */
export function snapshot(): ProcSnapshot {
  const netRx = parseSoftirqs(fs.readFileSync('/proc/softirqs', 'utf8'));
  const { softirq, busy } = parseStat(fs.readFileSync('/proc/stat', 'utf8'));
  const backlogDropped = parseSoftnetDropped(fs.readFileSync('/proc/net/softnet_stat', 'utf8'));
  return { netRx, softirq, busy, backlogDropped, at: performance.now() / 1000 };
}

/** Element-wise b - a. */
export function delta(a: readonly number[], b: readonly number[]): number[] {
  return b.map((v, i) => v - (a[i] ?? 0));
}
