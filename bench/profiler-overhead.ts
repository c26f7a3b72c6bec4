// The stage profiler's cost on single-flow throughput, in the testbed guest:
// one TCP flow h1c1 -> h2c1 over the vanilla overlay (iperf3), profiler off
// vs on (as falconctl profile runs it: stage time from 1 NET_RX run in 8,
// flows from 1 in 8 of those, both scaled), interleaved (the
// starting state alternates), medians of --reps runs, and the ratio within
// the same boot; and, from the kernel's BPF statistics, the programs' own
// share of the CPUs' busy time in the "on" runs. The "on" runs' profiles give
// the vanilla overlay's per-stage ns/packet. --states adds "noflows" (the
// programs without flow accounting: no header read, no flow table) to tell
// the flow table's share from the rest. Run it through bench/profiler-overhead.sh (both kernels):
//   node dist/src/testbed/cli.js run --cpus 2 -- node dist/bench/profiler-overhead.js [--reps N] [--seconds S]
//     [--states off,on[,noflows]] [--json FILE] [--no-bpf-stats]
import * as fs from 'node:fs';
import * as os from 'node:os';
import { hasOption, parseArgs, parseInteger, parseList, stringOption, UsageError } from '../src/args/parse';
import { emptySnapshot } from '../src/profile/assemble';
import { KernelProfiler } from '../src/profile/kernel';
import type { Profile } from '../src/profile/types';
import { topologyDown, topologyUp } from '../src/topology';
import { measure, OVERLAY, Receivers } from '../src/experiment/guest-traffic';
import type { PlacementCpus } from '../src/experiment/placements';
import { delta, snapshot } from '../src/experiment/guest-proc';
import { bpfRunTime, setBpfStats } from './bpf-run-time';

const STATES = ['off', 'on', 'noflows'] as const;
type State = (typeof STATES)[number];

/** The states in the order repetition @rep runs them: each starts one later, so every state leads in turn. */
function rotated<T>(xs: readonly T[], rep: number): T[] {
  const k = rep % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** ns/packet of each overlay device on h2 in one profile: its stages' time over its packets, all CPUs. */
function stageCosts(p: Profile): Record<string, number> {
  const sums = new Map<string, { ns: number; packets: number }>();
  for (const c of p.cpus) {
    for (const s of c.stages) {
      if (s.netns !== 'h2' && s.netns !== 'h2c1') continue;
      const k = `${s.netns}/${s.ifname}`;
      const v = sums.get(k) ?? { ns: 0, packets: 0 };
      v.ns += s.ns;
      v.packets += s.packets;
      sums.set(k, v);
    }
  }
  return Object.fromEntries([...sums].filter(([, v]) => v.packets > 0).map(([k, v]) => [k, Math.round(v.ns / v.packets)]));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), [
    { name: 'reps', value: true }, { name: 'seconds', value: true }, { name: 'json', value: true },
    { name: 'no-bpf-stats', value: false }, { name: 'states', value: true },
  ] as const);
  const states = [...new Set(parseList(stringOption(args, 'states') ?? 'off,on', '--states', { noun: 'state', known: STATES }))];
  if (!states.includes('off') || states.length < 2) throw new UsageError('--states must include off and at least one other state');
  // The kernel's BPF statistics add two clock reads per program run to the "on"
  // runs; without them the throughput A/B measures the profiler alone.
  const bpfStats = !hasOption(args, 'no-bpf-stats');
  const reps = parseInteger(stringOption(args, 'reps') ?? '5', '--reps', { min: 1, max: 100 });
  const seconds = parseInteger(stringOption(args, 'seconds') ?? '10', '--seconds', { min: 1, max: 600 });
  const cpus: PlacementCpus = { sender: 0, receiver: os.cpus().length > 1 ? 1 : 0, steer: [], busy: 0 };
  topologyUp({ kind: 'overlay', containers: 1 });
  const receivers = new Receivers();
  const gbps: Partial<Record<State, number[]>> = Object.fromEntries(states.map((st) => [st, []]));
  const costs: Record<string, number>[] = [];
  // Per "on" run: the programs' run time over all CPUs' busy time, percent.
  const cpuSharePct: number[] = [];
  const nsPerRun: number[] = [];
  try {
    await receivers.start('tcp', cpus);
    for (let rep = 1; rep <= reps; rep++) {
      for (const state of rotated(states, rep - 1)) {
        // Statistics only in the "on" runs: their cost counts against the profiler (an upper bound).
        setBpfStats(bpfStats && state === 'on');
        const profiler = state === 'off' ? undefined : KernelProfiler.open({ flows: state === 'on' });
        const t0 = Date.now();
        try {
          const bpf0 = bpfRunTime();
          const proc0 = snapshot();
          const m = await measure('tcp', OVERLAY, cpus, { durationS: seconds, udpRateMbps: 0 });
          gbps[state]?.push(m.gbps ?? 0);
          if (state === 'on' && profiler && bpfStats) {
            const bpf1 = bpfRunTime();
            const busyNs = delta(proc0.busy, snapshot().busy).reduce((a, b) => a + b, 0) * 1e7; // USER_HZ ticks -> ns
            cpuSharePct.push(Math.round(((bpf1.ns - bpf0.ns) / busyNs) * 10000) / 100);
            nsPerRun.push(Math.round((bpf1.ns - bpf0.ns) / Math.max(1, bpf1.runs - bpf0.runs)));
          }
          if (state === 'on' && profiler) {
            costs.push(stageCosts(profiler.profileBetween(emptySnapshot(), profiler.snapshot(), Date.now() - t0)));
          }
        } finally {
          profiler?.close();
          setBpfStats(false);
        }
        process.stdout.write(`profiler-overhead: rep ${rep}/${reps} ${state}: ${gbps[state]?.at(-1)?.toFixed(3)} Gb/s\n`);
      }
    }
  } finally {
    await receivers.stop();
    topologyDown();
  }
  const devices = [...new Set(costs.flatMap((c) => Object.keys(c)))].sort();
  const off = gbps.off ?? [];
  // The host's speed drifts between repetitions; a repetition's runs are back
  // to back, so each state's ratio to that repetition's "off" cancels most of it.
  const paired = (st: State): number[] => (gbps[st] ?? []).map((g, i) => Math.round((g / (off[i] ?? NaN)) * 1000) / 1000);
  const onStates = states.filter((st) => st !== 'off');
  const result = {
    kernel: os.release(),
    vcpus: os.cpus().length,
    reps,
    seconds,
    bpf_stats: bpfStats,
    states,
    gbps,
    median_gbps: Object.fromEntries(states.map((st) => [st, median(gbps[st] ?? [])])),
    overhead_pct: Object.fromEntries(onStates.map((st) => [st, Math.round((1 - median(gbps[st] ?? []) / median(off)) * 1000) / 10])),
    paired_vs_off: Object.fromEntries(onStates.map((st) => [st, paired(st)])),
    median_paired_vs_off: Object.fromEntries(onStates.map((st) => [st, median(paired(st))])),
    // The profiler's programs' share of all CPUs' busy time during the "on" runs (kernel BPF stats).
    bpf_cpu_share_pct: cpuSharePct,
    median_bpf_cpu_share_pct: bpfStats ? median(cpuSharePct) : null,
    median_bpf_ns_per_program_run: bpfStats ? median(nsPerRun) : null,
    vanilla_stage_ns_per_packet: Object.fromEntries(devices.map((d) => [d, median(costs.map((c) => c[d] ?? 0).filter((x) => x > 0))])),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const out = stringOption(args, 'json');
  if (out !== undefined) fs.writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`profiler-overhead: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
