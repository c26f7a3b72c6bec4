#!/usr/bin/env node
/**
 * The in-guest runner: `node dist/src/experiment/guest.js <plan.json>`.
 *
 * One boot performs the whole plan: builds the overlay topology once, then
 * for each (scenario, placement) block starts the receivers and runs every
 * mode once per repetition, interleaved (the starting mode rotates each
 * repetition), so a slow phase of the noisy host hits all modes alike.
 * Raw results are written to plan.rawFile after every block.
 */
import * as fs from 'fs';
import * as os from 'os';
import { Falcon } from '../api/types';
import { addInputRules, containerNs, topologyDown, topologyUp } from '../topology';
import { falconRunStats, openKernelFalcon } from './guest-falcon';
import { applyMode, clearMode } from './guest-modes';
import { holdStaticKeys } from './guest-static-keys';
import { delta, snapshot } from './guest-proc';
import { Background, sleep } from './guest-exec';
import { busyLoop, measure, NATIVE, OVERLAY, Receivers } from './guest-traffic';
import { appEndpoints, AppServers, measureCache, measureWeb } from './guest-apps';
import { mode as modeSpec, steeredDevices } from './modes';
import { scenario as scenarioSpec } from './scenarios';
import { placementCpus } from './placements';
import { formatDuration, runCount, runSeconds } from './plan';
import { ExperimentPlan, ModeId, PlanBlock, RawResults, RawRun } from './types';
import { KernelProfiler } from '../profile/kernel';

/** USER_HZ on Linux x86: /proc/stat's unit. */
const USER_HZ = 100;

function log(line: string): void {
  process.stdout.write(`experiment: ${line}\n`);
}

function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = xs.length === 0 ? 0 : by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

function describe(r: RawRun): string {
  if (!r.ok) return `FAILED: ${r.error ?? ''}`;
  const m = r.metrics;
  const parts: string[] = [];
  if (m.gbps !== undefined) parts.push(`${m.gbps.toFixed(3)} Gb/s`);
  if (m.lossPct !== undefined) parts.push(`loss ${m.lossPct.toFixed(2)} %`);
  if (m.achievedRps !== undefined) parts.push(`${m.achievedRps.toFixed(0)}/${m.offeredRps?.toFixed(0) ?? '?'} req/s`);
  if (m.p99Us !== undefined) parts.push(`p50 ${m.p50Us?.toFixed(1)} p99 ${m.p99Us.toFixed(1)} p99.9 ${m.p999Us?.toFixed(1)} us`);
  if (m.pageRps !== undefined) parts.push(`1KB ${m.pageRps.toFixed(0)} req/s p99 ${m.pageP99Us?.toFixed(0)} us`);
  if (m.objRps !== undefined) parts.push(`64KB ${m.objRps.toFixed(0)} req/s ${m.objMBps?.toFixed(2)} MB/s p99 ${m.objP99Us?.toFixed(0)} us`);
  return parts.join(', ');
}

class Runner {
  private done = 0;
  private profilerFailed = false;
  private profiler: KernelProfiler | undefined;
  private readonly started = performance.now();
  private readonly total: number;
  /** Containers per host of the application scenarios. */
  private readonly containers: number;
  readonly results: RawResults;

  constructor(
    private readonly plan: ExperimentPlan,
    private readonly falcon: Falcon | undefined,
  ) {
    this.total = runCount(plan);
    this.containers = plan.containers ?? 1;
    this.results = {
      version: 1,
      plan,
      guest: { kernel: os.release(), vcpus: os.cpus().length, userHz: USER_HZ, startedAt: new Date().toISOString(), finishedAt: '' },
      runs: [],
      notes: [],
    };
  }

  private eta(): string {
    const elapsed = (performance.now() - this.started) / 1000;
    const per = this.done > 0 ? elapsed / this.done : runSeconds(this.plan, this.plan.blocks[0]);
    return formatDuration(per * (this.total - this.done));
  }

  async block(b: PlanBlock): Promise<void> {
    const cpus = placementCpus(b.placement, this.plan.cpus);
    const modes = b.modes.filter((m) => this.plan.pending[m] === undefined);
    const app = scenarioSpec(b.scenario).app === true;
    const receivers = app ? new AppServers(b.scenario === 'web' ? 'web' : 'cache', this.containers) : new Receivers();
    const what = app ? `${this.containers} container(s)${b.rateRps !== undefined ? `, ${b.rateRps} req/s offered` : ''}, ` : '';
    log(`== ${b.scenario} / ${b.placement}: ${what}sender vCPU ${cpus.sender}, receiver vCPU ${cpus.receiver}, steering set ${cpus.steer.join(',')}`);
    let busy: Background | undefined;
    try {
      if (receivers instanceof AppServers) await receivers.start(cpus);
      else await receivers.start(b.scenario, cpus);
      if (b.scenario === 'contention') {
        busy = busyLoop(cpus.busy);
        await sleep(1000);
      }
      for (let rep = 1; rep <= this.plan.reps; rep++) {
        for (const m of rotate(modes, rep - 1)) {
          const r = await this.one(b, m, rep);
          this.done++;
          log(`[${this.done}/${this.total}] ${b.scenario} ${b.placement}${b.rateRps !== undefined ? ` @${b.rateRps}/s` : ''} rep ${rep}/${this.plan.reps} ${m}: ${describe(r)}  (ETA ${this.eta()})`);
        }
      }
    } finally {
      if (busy !== undefined) await busy.stop();
      await receivers.stop();
    }
  }

  private async one(b: PlanBlock, m: ModeId, rep: number): Promise<RawRun> {
    const cpus = placementCpus(b.placement, this.plan.cpus);
    const run: RawRun = { scenario: b.scenario, placement: b.placement, mode: m, rep, ok: false, metrics: {}, netRx: [], softirqS: [], busyS: [], wallS: 0 };
    if (b.rateRps !== undefined) run.rateRps = b.rateRps;
    const app = scenarioSpec(b.scenario).app === true;
    // The applications' flows end in every container: steer every container's eth0.
    const devices = steeredDevices(app ? this.containers : 1, this.plan.attach ?? 'receiver');
    try {
      await applyMode(m, cpus.steer, this.falcon, devices);
      // Let the load monitor see the current load before balanced decisions count.
      if (modeSpec(m).falcon) await sleep(300);
      const ep = modeSpec(m).overlay ? OVERLAY : NATIVE;
      const profiler = this.stageProfiler();
      const stagesBefore = profiler?.snapshot();
      const before = snapshot();
      if (app) {
        const eps = appEndpoints(b.scenario === 'web' ? 'web' : 'cache', modeSpec(m).overlay, this.containers);
        const o = { durationS: this.plan.durationS, containers: this.containers, webConnections: this.plan.webConnections ?? 8, ...(b.rateRps !== undefined ? { rateRps: b.rateRps } : {}) };
        run.metrics = b.scenario === 'web' ? await measureWeb(eps, cpus, o) : await measureCache(eps, cpus, o);
      } else {
        run.metrics = await measure(b.scenario, ep, cpus, { durationS: this.plan.durationS, udpRateMbps: this.plan.udpRateMbps });
      }
      if (profiler && stagesBefore) run.profile = profiler.profileBetween(stagesBefore, profiler.snapshot(), Math.round(performance.now() - before.at * 1000), { topFlows: 3 });
      const after = snapshot();
      run.netRx = delta(before.netRx, after.netRx);
      run.backlogDropped = delta(before.backlogDropped, after.backlogDropped);
      run.softirqS = delta(before.softirq, after.softirq).map((t) => t / USER_HZ);
      run.busyS = delta(before.busy, after.busy).map((t) => t / USER_HZ);
      run.wallS = after.at - before.at;
      if (modeSpec(m).falcon && this.falcon !== undefined) run.falcon = falconRunStats(await this.falcon.stats(), this.plan.cpus);
      run.ok = true;
    } catch (e) {
      run.error = (e as Error).message;
      // A failed run still tells whether Falcon dropped or gated anything.
      if (modeSpec(m).falcon && this.falcon !== undefined) {
        try {
          run.falcon = falconRunStats(await this.falcon.stats(), this.plan.cpus);
        } catch {
          /* the run's own error is the one to report */
        }
      }
    } finally {
      try {
        await clearMode(m, this.falcon, devices);
      } catch (e) {
        this.results.notes.push(`clearing ${m} failed: ${(e as Error).message}`);
      }
    }
    this.results.runs.push(run);
    return run;
  }

  /**
   * The stage profiler, opened once for the whole experiment (each run's
   * profile is the difference of two snapshots); undefined (noted once)
   * where it cannot load. Once, because attaching its programs enables the
   * softirq and receive tracepoints, which patches kernel text, and QEMU's
   * multi-threaded TCG can run a stale copy of a patched instruction on
   * another vCPU: a 6.12 guest died of an unhandled int3 in handle_softirqs
   * after some 50 runs that each attached and detached it.
   */
  private stageProfiler(): KernelProfiler | undefined {
    if (this.profiler !== undefined || this.profilerFailed) return this.profiler;
    try {
      this.profiler = KernelProfiler.open({ flows: true });
    } catch (e) {
      this.profilerFailed = true;
      this.results.notes.push(`no stage profiles: ${(e as Error).message.split('\n')[0]}`);
    }
    return this.profiler;
  }

  /** Detaches the stage profiler. */
  close(): void {
    this.profiler?.close();
    this.profiler = undefined;
  }

  save(): void {
    this.results.guest.finishedAt = new Date().toISOString();
    fs.writeFileSync(this.plan.rawFile, JSON.stringify(this.results, null, 1) + '\n');
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const planFile = argv[0];
  if (planFile === undefined) {
    process.stderr.write('usage: guest.js <plan.json>\n');
    return 2;
  }
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as ExperimentPlan;
  if (plan.version !== 1) throw new Error(`plan version ${String(plan.version)} not understood`);

  let falcon: Falcon | undefined;
  const wantsFalcon = plan.blocks.some((b) => b.modes.some((m) => modeSpec(m).falcon && plan.pending[m] === undefined));
  if (wantsFalcon) {
    const f = await openKernelFalcon();
    if (typeof f === 'string') {
      for (const m of ['falcon-static', 'falcon-balanced'] as const) plan.pending[m] = f;
      log(`Falcon modes skipped: ${f}`);
    } else falcon = f;
  }

  log(`building the overlay topology${plan.gro ? ' (wire in GRO mode)' : ''}`);
  const appBlocks = plan.blocks.some((b) => scenarioSpec(b.scenario).app === true);
  const containers = appBlocks ? plan.containers ?? 1 : 1;
  topologyUp({ kind: 'overlay', containers, gro: plan.gro });
  if (plan.rules) {
    log(`${plan.rules} nftables input rules in each server container`);
    for (let k = 1; k <= containers; k++) addInputRules(containerNs(2, k), plan.rules);
  }
  const runner = new Runner(plan, falcon);
  for (const [m, why] of Object.entries(plan.pending)) runner.results.notes.push(`${m} not run: ${why}`);
  log(`${runCount(plan)} runs of ${plan.durationS} s on ${plan.cpus} vCPUs (kernel ${os.release()})`);
  const releaseKeys = await holdStaticKeys().catch((e: unknown) => {
    runner.results.notes.push(`static keys not held (mode switches patch kernel text): ${(e as Error).message}`);
    return undefined;
  });
  try {
    for (const b of plan.blocks) {
      await runner.block(b);
      runner.save();
    }
  } finally {
    runner.save();
    runner.close();
    await releaseKeys?.();
    if (falcon !== undefined) await falcon.close();
    topologyDown();
  }
  const failed = runner.results.runs.filter((r) => !r.ok).length;
  log(`done: ${runner.results.runs.length} runs, ${failed} failed; raw results in ${plan.rawFile}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`experiment (guest): ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
