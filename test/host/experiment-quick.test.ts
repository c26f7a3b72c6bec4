/**
 * Runs `npm run experiment -- --quick` end to end in the testbed and checks
 * the results JSON: its shape, and that every mode produced numbers in every
 * block (Falcon modes included: "pending" fails here), the application
 * scenarios (web, cache) included.
 *
 * Without qemu this skips loudly, except under CI, where it fails.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { validateResults } from '../../src/experiment/results-json';
import { BlockSummary } from '../../src/experiment/summary';
import { projectRoot } from '../../src/testbed';
import { QEMU_BINARY, which } from '../../src/testbed/qemu';

const root = projectRoot();

describe('experiment --quick in the testbed', function () {
  this.timeout(15 * 60_000);

  before(function () {
    if (which(QEMU_BINARY) !== undefined) return;
    if (process.env['CI']) throw new Error(`${QEMU_BINARY} missing under CI: run 'npm run setup' first`);
    console.warn(`\n!!! SKIPPING the experiment test: ${QEMU_BINARY} not found. Run 'npm run setup' to install the testbed. !!!\n`);
    this.skip();
  });

  it('finishes, prints the table and writes a complete results.json and charts', async () => {
    const out = path.join(root, 'results', `ci-quick-${process.pid}`);
    fs.rmSync(out, { recursive: true, force: true });
    const cli = path.join(root, 'dist', 'src', 'experiment', 'cli.js');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, '--quick', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        process.stdout.write(d);
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout }));
    });
    assert.match(stdout, /TCP single flow \(iperf3\) — spare core/);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as { summary: BlockSummary[]; meta: { vcpus: number } };
    assert.deepStrictEqual(validateResults(doc), []);
    assert.ok(doc.meta.vcpus >= 2);
    assert.deepStrictEqual(doc.summary.map((b) => `${b.scenario}/${b.placement}`), ['tcp/spare', 'tcp/nospare', 'udp/spare', 'udp/nospare', 'web/spare', 'cache/spare']);
    const missing: string[] = [];
    for (const b of doc.summary) {
      for (const m of b.modes) {
        const v = m.metrics[b.primary]?.median;
        if (m.pending !== undefined || m.okRuns === 0 || v === undefined || !(v > 0)) {
          missing.push(`${b.scenario}/${b.placement}/${m.mode}: ${m.pending ?? m.errors.join('; ') ?? 'no value'}`);
        }
      }
    }
    // The applications' other figures too: both web objects, the cache's achieved rate and percentiles.
    const appKeys: Record<string, string[]> = { web: ['pageRps', 'pageP99Us', 'objRps', 'objMBps', 'objP99Us'], cache: ['achievedRps', 'p50Us', 'p99Us', 'p999Us'] };
    for (const b of doc.summary) {
      for (const k of appKeys[b.scenario] ?? []) {
        for (const m of b.modes) {
          const v = (m.metrics as Record<string, { median: number } | undefined>)[k]?.median;
          if (v === undefined || !(v > 0)) missing.push(`${b.scenario}/${b.placement}/${m.mode}: no ${k}`);
        }
      }
    }
    assert.deepStrictEqual(missing, [], 'every mode must produce numbers');
    for (const f of ['tcp.svg', 'udp.svg', 'softirq-tcp-spare.svg', 'web.svg', 'cache-spare.svg', 'table.txt']) assert.ok(fs.existsSync(path.join(out, f)), `${f} missing`);
    assert.strictEqual(code, 0, 'experiment exited non-zero');
  });
});
