// The stage profiler's cost on single-flow throughput, in the testbed guest:
// one TCP flow h1c1 -> h2c1 over the vanilla overlay (iperf3), profiler off
// vs on (flows accounted, as falconctl profile does), interleaved (the
// starting state alternates), medians of --reps runs, and the ratio within
// the same boot; and, from the kernel's BPF statistics, the programs' own
// share of the CPUs' busy time in the "on" runs. The "on" runs' profiles give
// the vanilla overlay's per-stage ns/packet. Run it through bench/profiler-overhead.sh (both kernels):
//   node dist/src/testbed/cli.js run --cpus 2 -- node dist/bench/profiler-overhead.js [--reps N] [--seconds S] [--json FILE] [--no-bpf-stats]
import * as fs from 'node:fs';
import * as os from 'node:os';
import { hasOption, parseArgs, parseInteger, stringOption } from '../src/args/parse';
import { emptySnapshot } from '../src/profile/assemble';
import { KernelProfiler } from '../src/profile/kernel';
import type { Profile } from '../src/profile/types';
import { topologyDown, topologyUp } from '../src/topology';
import { measure, OVERLAY, Receivers } from '../src/experiment/guest-traffic';
import type { PlacementCpus } from '../src/experiment/placements';
import { delta, snapshot } from '../src/experiment/guest-proc';
import { bpfRunTime, setBpfStats } from './bpf-run-time';

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
    { name: 'no-bpf-stats', value: false },
  ] as const);
  // The kernel's BPF statistics add two clock reads per program run to the "on"
  // runs; without them the throughput A/B measures the profiler alone.
  const bpfStats = !hasOption(args, 'no-bpf-stats');
  const reps = parseInteger(stringOption(args, 'reps') ?? '5', '--reps', { min: 1, max: 100 });
  const seconds = parseInteger(stringOption(args, 'seconds') ?? '10', '--seconds', { min: 1, max: 600 });
  const cpus: PlacementCpus = { sender: 0, receiver: os.cpus().length > 1 ? 1 : 0, steer: [], busy: 0 };
  topologyUp({ kind: 'overlay', containers: 1 });
  const receivers = new Receivers();
  const gbps: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const costs: Record<string, number>[] = [];
  // Per "on" run: the programs' run time over all CPUs' busy time, percent.
  const cpuSharePct: number[] = [];
  const nsPerRun: number[] = [];
  try {
    await receivers.start('tcp', cpus);
    for (let rep = 1; rep <= reps; rep++) {
      for (const state of rep % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        // Statistics only in the "on" runs: their cost counts against the profiler (an upper bound).
        setBpfStats(bpfStats && state === 'on');
        const profiler = state === 'on' ? KernelProfiler.open() : undefined;
        const t0 = Date.now();
        try {
          const bpf0 = bpfRunTime();
          const proc0 = snapshot();
          const m = await measure('tcp', OVERLAY, cpus, { durationS: seconds, udpRateMbps: 0 });
          gbps[state].push(m.gbps ?? 0);
          if (profiler && bpfStats) {
            const bpf1 = bpfRunTime();
            const busyNs = delta(proc0.busy, snapshot().busy).reduce((a, b) => a + b, 0) * 1e7; // USER_HZ ticks -> ns
            cpuSharePct.push(Math.round(((bpf1.ns - bpf0.ns) / busyNs) * 10000) / 100);
            nsPerRun.push(Math.round((bpf1.ns - bpf0.ns) / Math.max(1, bpf1.runs - bpf0.runs)));
          }
          if (profiler) {
            costs.push(stageCosts(profiler.profileBetween(emptySnapshot(), profiler.snapshot(), Date.now() - t0)));
          }
        } finally {
          profiler?.close();
          setBpfStats(false);
        }
        process.stdout.write(`profiler-overhead: rep ${rep}/${reps} ${state}: ${gbps[state].at(-1)?.toFixed(3)} Gb/s\n`);
      }
    }
  } finally {
    await receivers.stop();
    topologyDown();
  }
  const devices = [...new Set(costs.flatMap((c) => Object.keys(c)))].sort();
  const pairedRatios = gbps.on.map((on, i) => Math.round((on / (gbps.off[i] ?? NaN)) * 1000) / 1000);
  const result = {
    kernel: os.release(),
    vcpus: os.cpus().length,
    reps,
    seconds,
    bpf_stats: bpfStats,
    gbps,
    median_off_gbps: median(gbps.off),
    median_on_gbps: median(gbps.on),
    overhead_pct: Math.round((1 - median(gbps.on) / median(gbps.off)) * 1000) / 10,
    // The host's speed drifts between repetitions; a repetition's on and off
    // runs are back to back, so their ratio cancels most of that drift.
    paired_on_off: pairedRatios,
    median_paired_on_off: median(pairedRatios),
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
