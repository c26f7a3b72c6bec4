/** The results JSON: metadata, the plan, summaries and every raw run. */
import { BlockSummary } from './summary';
import { ExperimentPlan, RawResults, RawRun } from './types';

/** Where and how the experiment ran. */
export interface ResultsMeta {
  timestamp: string;
  kernel: string;
  vcpus: number;
  hostCpuModel: string;
  hostCores: number;
  accel: string;
  gitCommit: string;
  node: string;
  /** Wall-clock seconds of the VM run, boot included. */
  wallSeconds: number;
}

/** The document written to results/<timestamp>/results.json. */
export interface ResultsDocument {
  schema: 'falcon-experiment/1';
  meta: ResultsMeta;
  plan: ExperimentPlan;
  summary: BlockSummary[];
  runs: RawRun[];
  notes: string[];
}

/** Assembles the document. */
export function resultsDocument(meta: ResultsMeta, raw: RawResults, summary: BlockSummary[]): ResultsDocument {
  return { schema: 'falcon-experiment/1', meta, plan: raw.plan, summary, runs: raw.runs, notes: raw.notes };
}

/**
 * Checks a parsed document's shape; returns the problems found (empty when
 * fine). Used by the tests and by anyone loading an old results file.
 */
export function validateResults(doc: unknown): string[] {
  const errs: string[] = [];
  if (typeof doc !== 'object' || doc === null) return ['not an object'];
  const d = doc as Partial<ResultsDocument>;
  if (d.schema !== 'falcon-experiment/1') errs.push(`schema is ${String(d.schema)}`);
  const m = d.meta;
  if (m === undefined) errs.push('no meta');
  else {
    for (const k of ['timestamp', 'kernel', 'hostCpuModel', 'accel', 'gitCommit'] as const) if (typeof m[k] !== 'string' || m[k] === '') errs.push(`meta.${k} missing`);
    if (typeof m.vcpus !== 'number' || m.vcpus < 1) errs.push('meta.vcpus missing');
  }
  if (!Array.isArray(d.runs)) errs.push('runs is not an array');
  if (!Array.isArray(d.summary)) errs.push('summary is not an array');
  else {
    for (const b of d.summary) {
      if (!Array.isArray(b.modes)) errs.push(`summary ${b.scenario}/${b.placement} has no modes`);
    }
  }
  return errs;
}

/** Serializes with a trailing newline. */
export function serializeResults(doc: ResultsDocument): string {
  return JSON.stringify(doc, null, 1) + '\n';
}
