/** Runs test/vm/c/falcon-fuzz.c (built in the guest) and parses its summary. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { constants } from 'os';
import { buildC } from '../cbuild';

export interface FuzzSummary {
  seed: number;
  count: number;
  sent: number;
  expected: number;
  answered: number;
  droppedByCore: number;
  missing: number;
  unclean: number;
  permViolations: number;
  errnos: Record<string, number>;
}

/** How many answers carried errno `code` (by name; 'OK' for success) in a run. */
export function answeredWith(s: FuzzSummary, code: keyof typeof constants.errno | 'OK'): number {
  const n = code === 'OK' ? 0 : constants.errno[code];
  return s.errnos[String(n)] ?? 0;
}

/** Runs the fuzzer; prints its header and summary; returns the summary. */
export function fuzz(args: readonly string[], prefix: readonly string[] = []): FuzzSummary {
  const bin = buildC('falcon-fuzz');
  const argv = [...prefix, bin, ...args];
  const started = Date.now();
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = r.stdout.trim().split('\n');
  console.log(`      ${lines[0] ?? ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`      ${lines[lines.length - 1] ?? ''}`);
  assert.strictEqual(r.status, 0, `falcon-fuzz ${args.join(' ')} failed (${String(r.status)}):\n${r.stderr.slice(0, 4000)}`);
  return JSON.parse(lines[lines.length - 1] ?? '{}') as FuzzSummary;
}

