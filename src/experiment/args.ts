/**
 * `npm run experiment` command line: parsing and validation. Pure (no I/O):
 * the host's core count comes in as a parameter, so it is easy to test.
 */
import { MODE_IDS, isModeId, mode } from './modes';
import { placement } from './placements';
import { QUICK_SCENARIOS, SCENARIO_IDS, isScenarioId, scenario } from './scenarios';
import { ModeId, PlacementId, ScenarioId } from './types';

/** A usage error: printed as one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The validated options of one experiment. */
export interface ExperimentArgs {
  help: boolean;
  quick: boolean;
  cpus: number;
  reps: number;
  durationS: number;
  udpRateMbps: number;
  scenarios: ScenarioId[];
  modes: ModeId[];
  /** Placements to run (default both; each scenario runs those it supports). */
  placements: PlacementId[];
  /** True when --modes was given (Falcon modes then must be runnable). */
  modesExplicit: boolean;
  gro: boolean;
  accel: 'tcg' | 'kvm';
  /** Output directory; default results/<timestamp>. */
  outDir: string | undefined;
  /** Re-summarize the raw.json in this directory instead of running. */
  reportDir: string | undefined;
  /** Print the plan and exit without booting. */
  dryRun: boolean;
  /** Hard limit for the VM run, seconds; default from the plan's estimate. */
  timeoutS: number | undefined;
}

/** The help text. */
export const USAGE = `Usage: npm run experiment -- [OPTIONS]

Reproduces the Falcon paper's micro-benchmarks in the QEMU testbed (one boot),
prints a table and writes results.json and SVG charts under results/<timestamp>/.

Options:
  --quick              one repetition of the tcp and udp scenarios, 3 s runs (CI, first taste)
  --scenario LIST      comma-separated: ${SCENARIO_IDS.join(', ')} (default: all)
  --modes LIST         comma-separated: ${MODE_IDS.join(', ')} (default: all)
  --placement LIST     spare, nospare (default: both, where the scenario has it)
  --cpus N             guest vCPUs (default: host cores, at least 2)
  --reps N             repetitions, modes interleaved in each (default 3)
  --duration S         seconds per measurement (default 5; --quick 3)
  --udp-rate MBPS      UDP offered load in Mb/s (default 500)
  --gro                put the wire in veth's NAPI/GRO mode (closer to a real NIC)
  --accel tcg|kvm      QEMU accelerator (default tcg)
  --out DIR            output directory (default results/<timestamp>)
  --timeout S          hard limit for the VM, seconds (default: from the estimate)
  --dry-run            print the plan and the estimate, boot nothing
  --report DIR         re-summarize DIR/raw.json (table, results.json, charts), boot nothing
  -h, --help           this text`;

function intOpt(opt: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${opt} needs an integer, got '${v ?? ''}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${opt} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function list(opt: string, v: string | undefined): string[] {
  if (v === undefined || v.trim() === '') throw new UsageError(`${opt} needs a comma-separated list`);
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Default vCPUs: the host's cores, at least 2 (no oversubscription beyond that). */
export function defaultCpus(hostCores: number): number {
  return Math.max(2, hostCores);
}

/**
 * Parses and validates argv (without node and script). Throws UsageError
 * with a message naming the bad input.
 */
export function parseArgs(argv: readonly string[], hostCores: number): ExperimentArgs {
  let quick = false;
  let cpus: number | undefined;
  let reps: number | undefined;
  let durationS: number | undefined;
  let udpRateMbps = 500;
  let scenarios: ScenarioId[] | undefined;
  let modes: ModeId[] | undefined;
  let placements: PlacementId[] | undefined;
  let gro = false;
  let accel: 'tcg' | 'kvm' = 'tcg';
  let outDir: string | undefined;
  let dryRun = false;
  let reportDir: string | undefined;
  let timeoutS: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const opt = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    switch (opt) {
      case '-h':
      case '--help':
        return { ...defaults(hostCores), help: true };
      case '--quick':
        quick = true;
        break;
      case '--cpus':
        cpus = intOpt(opt, value(), 1, 64);
        break;
      case '--reps':
        reps = intOpt(opt, value(), 1, 100);
        break;
      case '--duration':
        durationS = intOpt(opt, value(), 1, 600);
        break;
      case '--udp-rate':
        udpRateMbps = intOpt(opt, value(), 1, 100000);
        break;
      case '--scenario':
      case '--scenarios': {
        const xs = list(opt, value());
        for (const x of xs) if (!isScenarioId(x)) throw new UsageError(`unknown scenario '${x}' (known: ${SCENARIO_IDS.join(', ')})`);
        scenarios = unique([...(scenarios ?? []), ...(xs as ScenarioId[])]);
        break;
      }
      case '--modes':
      case '--mode': {
        const xs = list(opt, value());
        for (const x of xs) if (!isModeId(x)) throw new UsageError(`unknown mode '${x}' (known: ${MODE_IDS.join(', ')})`);
        modes = unique([...(modes ?? []), ...(xs as ModeId[])]);
        break;
      }
      case '--placement':
      case '--placements': {
        const xs = list(opt, value());
        for (const x of xs) if (x !== 'spare' && x !== 'nospare') throw new UsageError(`unknown placement '${x}' (known: spare, nospare)`);
        placements = unique([...(placements ?? []), ...(xs as PlacementId[])]);
        break;
      }
      case '--gro':
        gro = true;
        break;
      case '--accel': {
        const v = value();
        if (v !== 'tcg' && v !== 'kvm') throw new UsageError(`--accel must be tcg or kvm, got '${v ?? ''}'`);
        accel = v;
        break;
      }
      case '--out': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError('--out needs a directory');
        outDir = v;
        break;
      }
      case '--timeout':
        timeoutS = intOpt(opt, value(), 10, 24 * 3600);
        break;
      case '--report': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError('--report needs a results directory');
        reportDir = v;
        break;
      }
      case '--dry-run':
        dryRun = true;
        break;
      default:
        throw new UsageError(`unknown option '${a}' (see --help)`);
    }
  }
  if (quick && reps !== undefined && reps !== 1) throw new UsageError('--quick runs one repetition; drop --reps or --quick');
  const args: ExperimentArgs = {
    help: false,
    quick,
    cpus: cpus ?? defaultCpus(hostCores),
    reps: quick ? 1 : reps ?? 3,
    durationS: durationS ?? (quick ? 3 : 5),
    udpRateMbps,
    scenarios: scenarios ?? (quick ? [...QUICK_SCENARIOS] : [...SCENARIO_IDS]),
    modes: modes ?? [...MODE_IDS],
    placements: placements ?? ['spare', 'nospare'],
    modesExplicit: modes !== undefined,
    gro,
    accel,
    outDir,
    reportDir,
    dryRun,
    timeoutS,
  };
  // Keep the canonical order whatever order the user typed.
  args.scenarios = SCENARIO_IDS.filter((s) => args.scenarios.includes(s));
  args.modes = MODE_IDS.filter((m) => args.modes.includes(m));
  validateCpus(args);
  return args;
}

function defaults(hostCores: number): ExperimentArgs {
  return {
    help: false,
    quick: false,
    cpus: defaultCpus(hostCores),
    reps: 3,
    durationS: 5,
    udpRateMbps: 500,
    scenarios: [...SCENARIO_IDS],
    modes: [...MODE_IDS],
    placements: ['spare', 'nospare'],
    modesExplicit: false,
    gro: false,
    accel: 'tcg',
    outDir: undefined,
    reportDir: undefined,
    dryRun: false,
    timeoutS: undefined,
  };
}

/** Refuses modes and placements the vCPU count cannot lay out. */
function validateCpus(a: ExperimentArgs): void {
  for (const m of a.modes) {
    const spec = mode(m);
    if (a.cpus < spec.minCpus) {
      throw new UsageError(`mode ${m} needs at least ${spec.minCpus} vCPUs (it steers to a CPU other than the applications'), got --cpus ${a.cpus}`);
    }
  }
  for (const p of a.placements) {
    const spec = placement(p);
    if (a.cpus < spec.minCpus) throw new UsageError(`placement ${p} (${spec.label}) needs at least ${spec.minCpus} vCPUs, got --cpus ${a.cpus}`);
  }
  const runnable = a.scenarios.filter((s) => scenario(s).placements.some((p) => a.placements.includes(p)));
  if (runnable.length === 0) throw new UsageError(`none of the scenarios ${a.scenarios.join(', ')} runs in placement ${a.placements.join(', ')}`);
}
