// The CPU time this process's eBPF programs ran, from the kernel's own BPF
// statistics (sysctl kernel.bpf_stats_enabled; each program fd's fdinfo then
// carries run_time_ns and run_cnt). Set beside the CPUs' busy time over the
// same interval it gives the profiler's share of the CPU directly, which the
// host's drifting speed does not blur as it blurs throughput.
import * as fs from 'node:fs';

const STATS_SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';

/** Turns the kernel's BPF run-time statistics on or off (they cost two clock reads per program run). */
export function setBpfStats(on: boolean): void {
  fs.writeFileSync(STATS_SYSCTL, on ? '1' : '0');
}

/** Sums run_time_ns and run_cnt over every eBPF program fd this process holds. */
export function bpfRunTime(): { ns: number; runs: number } {
  let ns = 0;
  let runs = 0;
  for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    if (!/^prog_type:/m.test(text)) continue;
    ns += Number(/^run_time_ns:\s*(\d+)/m.exec(text)?.[1] ?? 0);
    runs += Number(/^run_cnt:\s*(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return { ns, runs };
}
