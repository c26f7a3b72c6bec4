/**
 * `npm run experiment` command line: parsing and validation. Pure (no I/O):
 * the host's core count comes in as a parameter, so it is easy to test.
 */
import { helpRequested, OptionSpec, parseArgs as parseOptions, parseChoice, parseInteger, parseList, UsageError } from '../args/parse';
import { ATTACH_SCOPES, MODE_IDS, mode } from './modes';
import { placement } from './placements';
import { DEFAULT_CACHE_RATES, DEFAULT_WEB_CONNECTIONS, QUICK_CACHE_RATE, QUICK_SCENARIOS, SCENARIO_IDS, scenario } from './scenarios';
import { AttachScope, ModeId, PlacementId, ScenarioId } from './types';

/** A usage error (the shared one): printed as one line, exit status 2. */
export { UsageError };

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
  /** Placements to run (default spare and nospare, and pipeline with 3+ vCPUs; each scenario runs those it supports). */
  placements: PlacementId[];
  /** Devices RPS and Falcon act on: every overlay device of both hosts (default), or the receiver's. */
  attach: AttachScope;
  /** True when --modes was given (Falcon modes then must be runnable). */
  modesExplicit: boolean;
  gro: boolean;
  accel: 'tcg' | 'kvm';
  /** TCG: one host thread per vCPU (default) or one for all (rules out races in QEMU's multi-threaded TCG). */
  tcgThreads: 'multi' | 'single';
  /** Output directory; default results/<timestamp>. */
  outDir: string | undefined;
  /** Re-summarize the raw.json in this directory instead of running. */
  reportDir: string | undefined;
  /** Print the plan and exit without booting. */
  dryRun: boolean;
  /** Hard limit for the VM run, seconds; default from the plan's estimate. */
  timeoutS: number | undefined;
  /** Server (and client) containers of the web and cache scenarios. */
  containers: number;
  /** Non-matching nftables input rules in each server container (a heavy last stage, as kube-proxy's); 0: none. */
  rules: number;
  /** Offered rates of the cache scenario, requests/s, ascending. */
  cacheRates: number[];
  /** wrk connections per client container. */
  webConnections: number;
  /** Guest kernel version (--kernel); undefined: the newest installed (or $FALCON_TESTBED_KVER). */
  kernel: string | undefined;
}

/** The help text. */
export const USAGE = `Usage: npm run experiment -- [OPTIONS]

Reproduces the Falcon paper's micro-benchmarks and its two applications (web
serving, data caching) in the QEMU testbed (one boot), prints a table and
writes results.json and SVG charts under results/<timestamp>/.

Options:
  --quick              one repetition of tcp, udp, web and cache, short runs,
                       the applications in the spare placement at one rate (CI)
  --scenario LIST      comma-separated: ${SCENARIO_IDS.join(', ')} (default: all)
  --modes LIST         comma-separated: ${MODE_IDS.join(', ')} (default: all)
  --placement LIST     spare, nospare, pipeline (default: spare and nospare, and
                       pipeline with 3 or more vCPUs)
  --attach SCOPE       everywhere: RPS and Falcon on every overlay device of
                       both hosts, as operators run it (default); receiver:
                       on h2's devices only; everywhere-tx: everywhere, and
                       each container's host-side veth (vc<k>, the first
                       softirq stage of what the containers send)
  --cpus N             guest vCPUs (default: host cores, at least 2)
  --reps N             repetitions, modes interleaved in each (default 3)
  --duration S         seconds per measurement (default 5; --quick 3)
  --udp-rate MBPS      UDP offered load in Mb/s (default 500)
  --containers N       server containers on h2 for web and cache, each with
                       its own client container on h1 (default 2; --quick 1)
  --rules N            N nftables input rules, none matching, in each server
                       container: a heavy last stage, as kube-proxy's rules
                       make on a node (default 0; the native path has none)
  --cache-rates LIST   cache offered rates, req/s over all containers
                       (default ${DEFAULT_CACHE_RATES.join(',')}; --quick ${QUICK_CACHE_RATE})
  --web-connections N  wrk connections per client container (default ${DEFAULT_WEB_CONNECTIONS})
  --kernel VERSION     guest kernel (default: the newest installed)
  --gro                put the wire in veth's NAPI/GRO mode (closer to a real NIC)
  --accel tcg|kvm      QEMU accelerator (default tcg)
  --tcg-threads multi|single
                       TCG: a host thread per vCPU (default), or one for all
  --out DIR            output directory (default results/<timestamp>)
  --timeout S          hard limit for the VM, seconds (default: from the estimate)
  --dry-run            print the plan and the estimate, boot nothing
  --report DIR         re-summarize DIR/raw.json (table, results.json, charts), boot nothing
  -h, --help           this text`;

/** The experiment's options (see USAGE); no positionals. */
export const OPTIONS = [
  { name: 'quick', value: false, description: 'one repetition of tcp, udp, web and cache, short runs' },
  { name: 'scenario', value: true, multiple: true, aliases: ['scenarios'], valueName: 'LIST', description: 'comma-separated scenarios' },
  { name: 'modes', value: true, multiple: true, aliases: ['mode'], valueName: 'LIST', description: 'comma-separated modes' },
  { name: 'placement', value: true, multiple: true, aliases: ['placements'], valueName: 'LIST', description: 'spare, nospare, pipeline' },
  { name: 'attach', value: true, valueName: 'SCOPE', description: 'everywhere, receiver or everywhere-tx' },
  { name: 'cpus', value: true, valueName: 'N', description: 'guest vCPUs' },
  { name: 'reps', value: true, valueName: 'N', description: 'repetitions' },
  { name: 'duration', value: true, valueName: 'S', description: 'seconds per measurement' },
  { name: 'udp-rate', value: true, valueName: 'MBPS', description: 'UDP offered load in Mb/s' },
  { name: 'containers', value: true, valueName: 'N', description: 'server containers for web and cache' },
  { name: 'rules', value: true, valueName: 'N', description: 'non-matching nftables input rules per server container' },
  { name: 'cache-rates', value: true, multiple: true, aliases: ['cache-rate'], valueName: 'LIST', description: 'cache offered rates, req/s' },
  { name: 'web-connections', value: true, valueName: 'N', description: 'wrk connections per client container' },
  { name: 'kernel', value: true, valueName: 'VERSION', description: 'guest kernel version' },
  { name: 'gro', value: false, description: "put the wire in veth's NAPI/GRO mode" },
  { name: 'accel', value: true, valueName: 'tcg|kvm', description: 'QEMU accelerator' },
  { name: 'tcg-threads', value: true, valueName: 'multi|single', description: 'TCG host threads' },
  { name: 'out', value: true, valueName: 'DIR', description: 'output directory' },
  { name: 'timeout', value: true, valueName: 'S', description: 'hard limit for the VM, seconds' },
  { name: 'dry-run', value: false, description: 'print the plan and the estimate, boot nothing' },
  { name: 'report', value: true, valueName: 'DIR', description: 're-summarize DIR/raw.json' },
  { name: 'help', short: 'h', value: false, description: 'this text' },
] as const satisfies readonly OptionSpec[];

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Every item of a repeatable list option, each value checked against `known`. */
function lists<T extends string>(values: readonly string[] | undefined, opt: string, noun: string, known: readonly T[]): T[] | undefined {
  if (values === undefined) return undefined;
  return unique(values.flatMap((v) => parseList(v, opt, { noun, known })));
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
  if (helpRequested(argv, OPTIONS)) return { ...defaults(hostCores), help: true };
  const { values: v } = parseOptions(argv, OPTIONS, { allowPositionals: false });
  const nonEmpty = (opt: string, value: string | undefined, what: string): string | undefined => {
    if (value === '') throw new UsageError(`${opt} needs ${what}`);
    return value;
  };
  const quick = v.quick === true;
  const cpus = v.cpus === undefined ? undefined : parseInteger(v.cpus, '--cpus', { min: 1, max: 64 });
  const reps = v.reps === undefined ? undefined : parseInteger(v.reps, '--reps', { min: 1, max: 100 });
  const durationS = v.duration === undefined ? undefined : parseInteger(v.duration, '--duration', { min: 1, max: 600 });
  const udpRateMbps = v['udp-rate'] === undefined ? 500 : parseInteger(v['udp-rate'], '--udp-rate', { min: 1, max: 100000 });
  const scenarios = lists(v.scenario, '--scenario', 'scenario', SCENARIO_IDS);
  const modes = lists(v.modes, '--modes', 'mode', MODE_IDS);
  const placements = lists(v.placement, '--placement', 'placement', ['spare', 'nospare', 'pipeline'] as const);
  const attach = v.attach === undefined ? ATTACH_SCOPES[0] : parseChoice(v.attach, '--attach', ATTACH_SCOPES);
  const accel = v.accel === undefined ? 'tcg' : parseChoice(v.accel, '--accel', ['tcg', 'kvm']);
  const tcgThreads = v['tcg-threads'] === undefined ? 'multi' : parseChoice(v['tcg-threads'], '--tcg-threads', ['multi', 'single']);
  const outDir = nonEmpty('--out', v.out, 'a directory');
  const reportDir = nonEmpty('--report', v.report, 'a results directory');
  const timeoutS = v.timeout === undefined ? undefined : parseInteger(v.timeout, '--timeout', { min: 10, max: 24 * 3600 });
  const containers = v.containers === undefined ? (quick ? 1 : 2) : parseInteger(v.containers, '--containers', { min: 1, max: 16 });
  const cacheRates =
    v['cache-rates'] === undefined
      ? quick
        ? [QUICK_CACHE_RATE]
        : [...DEFAULT_CACHE_RATES]
      : unique(v['cache-rates'].flatMap((list) => list.split(',').map((r) => parseInteger(r.trim(), '--cache-rates', { min: 1, max: 10_000_000 })))).sort((a, b) => a - b);
  const rules = v.rules === undefined ? 0 : parseInteger(v.rules, '--rules', { min: 0, max: 100_000 });
  const webConnections = v['web-connections'] === undefined ? DEFAULT_WEB_CONNECTIONS : parseInteger(v['web-connections'], '--web-connections', { min: 1, max: 10_000 });
  const kernel = nonEmpty('--kernel', v.kernel, 'a kernel version');
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
    placements: placements ?? defaultPlacements(cpus ?? defaultCpus(hostCores)),
    attach,
    modesExplicit: modes !== undefined,
    gro: v.gro === true,
    accel,
    tcgThreads,
    outDir,
    reportDir,
    dryRun: v['dry-run'] === true,
    timeoutS,
    containers,
    rules,
    cacheRates,
    webConnections,
    kernel,
  };
  // Keep the canonical order whatever order the user typed.
  args.scenarios = SCENARIO_IDS.filter((s) => args.scenarios.includes(s));
  args.modes = MODE_IDS.filter((m) => args.modes.includes(m));
  validateCpus(args);
  return args;
}

/** Default placements: pipelining needs two spare vCPUs beside the applications'. */
export function defaultPlacements(cpus: number): PlacementId[] {
  return cpus >= 3 ? ['spare', 'nospare', 'pipeline'] : ['spare', 'nospare'];
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
    placements: defaultPlacements(defaultCpus(hostCores)),
    attach: ATTACH_SCOPES[0],
    modesExplicit: false,
    gro: false,
    accel: 'tcg',
    tcgThreads: 'multi',
    outDir: undefined,
    reportDir: undefined,
    dryRun: false,
    timeoutS: undefined,
    containers: 2,
    rules: 0,
    cacheRates: [...DEFAULT_CACHE_RATES],
    webConnections: DEFAULT_WEB_CONNECTIONS,
    kernel: undefined,
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
