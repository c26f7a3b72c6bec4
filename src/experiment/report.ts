/**
 * From raw guest results to what the user gets: results.json, table.txt and
 * the SVG charts in the output directory, and the table text.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resultsDocument, ResultsMeta, serializeResults } from './results-json';
import { SCENARIOS } from './scenarios';
import { summarizeResults } from './summary';
import { renderBarChart, scenarioChart, softirqChart } from './svg';
import { cacheLatencyChart, renderLineChart } from './svg-lines';
import { renderStageChart, stageChart } from './stage-chart';
import { renderTable } from './table';
import { AttachScope, RawResults } from './types';

/** Host-side facts the guest cannot know. */
export type HostMeta = Omit<ResultsMeta, 'kernel' | 'vcpus'>;

/** Writes results.json, table.txt and the charts into `outDir`; returns the table text. */
/** The report header's words for each attach scope. */
const ATTACH_SCOPE_WORDS: Record<AttachScope, string> = {
  everywhere: 'every overlay device of both hosts',
  receiver: "h2's devices",
  'everywhere-tx': "every overlay device of both hosts and each container's host-side veth",
};

export function writeReport(outDir: string, raw: RawResults, host: HostMeta): string {
  const summary = summarizeResults(raw);
  const doc = resultsDocument({ ...host, kernel: raw.guest.kernel, vcpus: raw.guest.vcpus }, raw, summary);
  fs.writeFileSync(path.join(outDir, 'results.json'), serializeResults(doc));
  const m = doc.meta;
  const header =
    `Falcon experiment ${m.timestamp}: kernel ${m.kernel}, ${m.vcpus} vCPUs (${m.accel}) on ${m.hostCpuModel} ` +
    `(${m.hostCores} host cores), commit ${m.gitCommit}, ${raw.plan.reps} rep(s) x ${raw.plan.durationS} s, ` +
    `RPS and Falcon on ${ATTACH_SCOPE_WORDS[raw.plan.attach ?? 'receiver']}` +
    `${raw.plan.rules ? `, ${raw.plan.rules} nftables input rules in each server container` : ''}\n` +
    `[min-max] = spread over repetitions; softirq % per CPU = each vCPU's share of softirq time (median); ` +
    `CPU s/GB = busy time of all vCPUs per GB received\n\n`;
  const notes = raw.notes.map((n) => `note: ${n}\n`).join('');
  const table = header + renderTable(summary) + notes;
  fs.writeFileSync(path.join(outDir, 'table.txt'), table);
  for (const spec of SCENARIOS) {
    const blocks = summary.filter((b) => b.scenario === spec.id);
    if (blocks.length === 0) continue;
    if (spec.id === 'cache') {
      // One latency-vs-load curve per mode, a chart per placement.
      for (const p of new Set(blocks.map((b) => b.placement))) {
        fs.writeFileSync(path.join(outDir, `cache-${p}.svg`), renderLineChart(cacheLatencyChart(blocks.filter((b) => b.placement === p))));
      }
    } else {
      fs.writeFileSync(path.join(outDir, `${spec.id}.svg`), renderBarChart(scenarioChart(blocks)));
    }
    for (const b of blocks) {
      const rate = b.rateRps === undefined ? '' : `-${b.rateRps}`;
      fs.writeFileSync(path.join(outDir, `softirq-${b.scenario}-${b.placement}${rate}.svg`), renderBarChart(softirqChart(b, raw.guest.vcpus)));
    }
    for (const b of blocks) {
      const rate = b.rateRps === undefined ? '' : `-${b.rateRps}`;
      const runs = raw.runs.filter((r) => r.rateRps === b.rateRps);
      const stages = stageChart(runs, b.scenario, b.placement, b.modes.map((m) => m.mode), raw.guest.vcpus);
      if (stages) fs.writeFileSync(path.join(outDir, `stages-${b.scenario}-${b.placement}${rate}.svg`), renderStageChart(stages));
    }
  }
  return table;
}

/** Reads a raw.json the guest wrote. */
export function readRaw(file: string): RawResults {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RawResults;
  if (raw.version !== 1 || !Array.isArray(raw.runs)) throw new Error(`${file} is not a raw experiment result`);
  return raw;
}
