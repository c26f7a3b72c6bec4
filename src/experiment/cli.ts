#!/usr/bin/env node
/**
 * `npm run experiment`: parses the options, boots the testbed once to run
 * the in-guest runner (guest.js) over the whole plan, then summarizes the raw
 * results: a table on the terminal, results.json, table.txt and SVG charts
 * under results/<timestamp>/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { discoverKernel, projectRoot, runInVm, TestbedError } from '../testbed';
import { parseArgs, USAGE, UsageError } from './args';
import { gitCommit, hostCores, hostCpuModel, timestampName } from './host-info';
import { BOOT_OVERHEAD_S, buildPlan, estimateSeconds, formatDuration, runCount } from './plan';
import { checkLoadgen, checkTools, falconUnavailable, pendingModes } from './preflight';
import { readRaw, writeReport } from './report';

function say(line: string): void {
  process.stderr.write(`experiment: ${line}\n`);
}

/** --report DIR: summarizes an earlier run's raw.json again (after a crash, or with a newer summarizer). */
function report(dir: string, root: string, cores: number): number {
  const raw = readRaw(path.join(dir, 'raw.json'));
  const table = writeReport(dir, raw, {
    timestamp: raw.guest.startedAt,
    hostCpuModel: hostCpuModel(),
    hostCores: cores,
    accel: raw.plan.accel ?? 'tcg',
    gitCommit: gitCommit(root),
    node: process.version,
    wallSeconds: (Date.parse(raw.guest.finishedAt) - Date.parse(raw.guest.startedAt)) / 1000,
  });
  process.stdout.write(table);
  say(`re-summarized ${raw.runs.length} runs into ${dir}`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const cores = hostCores();
  const args = parseArgs(argv, cores);
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const root = projectRoot();
  if (args.reportDir !== undefined) return report(args.reportDir, root, cores);
  checkTools(args.scenarios, args.gro);
  const guestJs = path.join(root, 'dist', 'src', 'experiment', 'guest.js');
  if (!fs.existsSync(guestJs)) throw new UsageError(`${guestJs} is not built (run 'npm run build')`);
  checkLoadgen(args.scenarios, root);
  const kernel = discoverKernel(args.kernel ?? process.env['FALCON_TESTBED_KVER']);
  const falconReason = falconUnavailable(root, kernel.version);
  const pending = pendingModes(args.modes, args.modesExplicit, falconReason);
  if (args.cpus > cores) say(`warning: ${args.cpus} vCPUs on ${cores} host cores oversubscribes the host; figures will be noisy`);

  const started = new Date();
  const outDir = path.resolve(args.outDir ?? path.join(root, 'results', timestampName(started)));
  const rawFile = path.join(outDir, 'raw.json');
  const plan = buildPlan(args, rawFile, pending);
  const estimate = estimateSeconds(plan);
  say(`${plan.blocks.length} scenario/placement blocks x ${args.modes.length} modes x ${plan.reps} reps = ${runCount(plan)} runs on ${plan.cpus} vCPUs (${args.accel}); about ${formatDuration(estimate)}`);
  for (const [m, why] of Object.entries(pending)) say(`mode ${m} pending: ${why}`);
  if (args.dryRun) {
    process.stdout.write(JSON.stringify(plan, null, 2) + '\n');
    return 0;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const planFile = path.join(outDir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify(plan, null, 2) + '\n');

  const t0 = performance.now();
  const r = await runInVm({
    command: [process.execPath, guestJs, planFile],
    cpus: plan.cpus,
    accel: args.accel,
    tcgThreads: args.tcgThreads,
    timeoutS: args.timeoutS ?? Math.max(600, Math.ceil(estimate * 2 + BOOT_OVERHEAD_S)),
    resultsDir: outDir,
    kernelVersion: kernel.version,
    module: falconReason === undefined ? undefined : false,
    cwd: root,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (!fs.existsSync(rawFile)) {
    say(`the guest left no results (testbed exit ${r.exitCode}${r.failure !== undefined ? `: ${r.failure}` : ''})`);
    return r.exitCode === 0 ? 1 : r.exitCode;
  }
  const raw = readRaw(rawFile);
  const table = writeReport(outDir, raw, {
    timestamp: started.toISOString(),
    hostCpuModel: hostCpuModel(),
    hostCores: cores,
    accel: r.accel,
    gitCommit: gitCommit(root),
    node: process.version,
    wallSeconds,
  });
  process.stdout.write('\n' + table);
  say(`results in ${outDir} (results.json, table.txt, *.svg); VM run ${formatDuration(wallSeconds)}`);
  if (r.exitCode !== 0) {
    say(`the testbed run failed (exit ${r.exitCode}${r.splats.length > 0 ? ', kernel splat' : ''}${r.failure !== undefined ? `: ${r.failure}` : ''})`);
    return r.exitCode;
  }
  const failed = raw.runs.filter((x) => !x.ok).length;
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof TestbedError) {
      process.stderr.write(`Error: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`experiment: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
