// Throughput A/B of stage-profiler program variants, for deciding what the
// programs may cost (docs/results.md, "The stage profiler"). Like
// profiler-overhead.ts (one TCP flow h1c1 -> h2c1 over the vanilla overlay,
// states interleaved, the starting state rotating every repetition, each
// state's throughput paired with the same repetition's "off"), but each state
// loads a BPF object file of its own and attaches the programs it names, so a
// patched build can be set beside the shipped one, or one program alone:
//   node dist/bench/profiler-variants.js --reps 35 --seconds 5 --json out.json \
//     --state shipped=dist/bpf/stage_profile.bpf.o:sp_receive+sp_softirq_entry+sp_softirq_exit:8 \
//     --state softirq-only=dist/bpf/stage_profile.bpf.o:sp_softirq_entry+sp_softirq_exit:0
// A state is NAME=OBJECT:PROGRAM[+PROGRAM...]:FLOW_SAMPLING[:TIME_SAMPLING]
// (sp_config's values: flow sampling 0 is no flows; time sampling, default 1,
// is left unset for an object whose sp_config has one entry).
// Run it as root on a host (or in the testbed guest) with nothing else running.
import * as fs from 'node:fs';
import { parseArgs, parseInteger, stringOption, stringOptions, UsageError } from '../src/args/parse';
import { BpfObjectHandle, loadBpfAddon } from '../src/profile/addon';
import { SP_CONFIG_FLOWS, SP_CONFIG_TIMING, setConfig } from '../src/profile/kernel';
import { median } from '../src/experiment/stats';
import { topologyDown, topologyUp } from '../src/topology';
import { measure, OVERLAY, Receivers } from '../src/experiment/guest-traffic';
import type { PlacementCpus } from '../src/experiment/placements';

interface Variant {
  readonly name: string;
  readonly object: string;
  readonly programs: readonly string[];
  readonly flowSampling: number;
  readonly timeSampling: number | undefined;
}

function parseVariant(text: string): Variant {
  const m = /^([\w-]+)=([^:]+):([\w+]+):(\d+)(?::(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--state ${text}: expected NAME=OBJECT:PROGRAM[+PROGRAM...]:FLOW_SAMPLING[:TIME_SAMPLING]`);
  const [, name, object, programs, sampling, timing] = m as unknown as [string, string, string, string, string, string | undefined];
  if (name === 'off') throw new UsageError('--state: "off" is the state without programs, always run');
  if (!fs.existsSync(object)) throw new UsageError(`--state ${name}: no file ${object}`);
  return {
    name, object, programs: programs.split('+'),
    flowSampling: parseInteger(sampling, `--state ${name} flow sampling`, { min: 0, max: 1024 }),
    timeSampling: timing === undefined ? undefined : parseInteger(timing, `--state ${name} time sampling`, { min: 1, max: 1024 }),
  };
}

function load(v: Variant): BpfObjectHandle {
  const obj = new (loadBpfAddon().BpfObject)(v.object);
  setConfig(obj, SP_CONFIG_FLOWS, v.flowSampling);
  if (v.timeSampling !== undefined) setConfig(obj, SP_CONFIG_TIMING, v.timeSampling);
  for (const p of v.programs) obj.attach(p);
  return obj;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), [
    { name: 'reps', value: true }, { name: 'seconds', value: true }, { name: 'json', value: true },
    { name: 'state', value: true, multiple: true },
  ] as const);
  const variants = stringOptions(args, 'state').map(parseVariant);
  if (variants.length === 0) throw new UsageError('give at least one --state');
  if (new Set(variants.map((v) => v.name)).size !== variants.length) throw new UsageError('--state names must differ');
  const reps = parseInteger(stringOption(args, 'reps') ?? '5', '--reps', { min: 1, max: 1000 });
  const seconds = parseInteger(stringOption(args, 'seconds') ?? '5', '--seconds', { min: 1, max: 600 });
  const states: (Variant | undefined)[] = [undefined, ...variants]; // undefined: off
  const nameOf = (s: Variant | undefined): string => s?.name ?? 'off';
  const gbps: Record<string, number[]> = Object.fromEntries(states.map((s) => [nameOf(s), []]));
  const cpus: PlacementCpus = { sender: 0, receiver: 1, steer: [], busy: 0 };
  topologyUp({ kind: 'overlay', containers: 1 });
  const receivers = new Receivers();
  try {
    await receivers.start('tcp', cpus);
    for (let rep = 0; rep < reps; rep++) {
      const k = rep % states.length;
      for (const state of [...states.slice(k), ...states.slice(0, k)]) {
        const obj = state ? load(state) : undefined;
        try {
          const m = await measure('tcp', OVERLAY, cpus, { durationS: seconds, udpRateMbps: 0 });
          gbps[nameOf(state)]?.push(m.gbps ?? 0);
        } finally {
          obj?.close();
        }
      }
      process.stdout.write(`profiler-variants: rep ${rep + 1}/${reps}: ${states.map((s) => `${nameOf(s)} ${gbps[nameOf(s)]?.at(-1)?.toFixed(2)}`).join(', ')} Gb/s\n`);
    }
  } finally {
    await receivers.stop();
    topologyDown();
  }
  const off = gbps['off'] ?? [];
  const paired = Object.fromEntries(variants.map((v) => [v.name, (gbps[v.name] ?? []).map((g, i) => Math.round((g / (off[i] ?? NaN)) * 1000) / 1000)]));
  const result = {
    reps, seconds, states: variants, gbps,
    paired_vs_off: paired,
    median_paired_vs_off: Object.fromEntries(Object.entries(paired).map(([k, v]) => [k, median(v)])),
  };
  process.stdout.write(`${JSON.stringify(result.median_paired_vs_off)}\n`);
  const out = stringOption(args, 'json');
  if (out !== undefined) fs.writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`profiler-variants: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
