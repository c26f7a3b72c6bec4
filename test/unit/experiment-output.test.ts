import * as assert from 'assert';
import { parseArgs } from '../../src/experiment/args';
import { buildPlan } from '../../src/experiment/plan';
import { resultsDocument, serializeResults, validateResults } from '../../src/experiment/results-json';
import { stageSpread, summarizeResults } from '../../src/experiment/summary';
import { cacheLatencyChart, renderLineChart } from '../../src/experiment/svg-lines';
import { renderBarChart, scenarioChart, softirqChart } from '../../src/experiment/svg';
import { niceMax, xmlEscape } from '../../src/experiment/svg-parts';
import { renderTable } from '../../src/experiment/table';
import { ModeId, RawResults, RawRun } from '../../src/experiment/types';

const GBPS: Record<ModeId, number[]> = {
  native: [2, 2.2, 1.8],
  vanilla: [1, 1.2, 0.8],
  rps: [1.5, 1.4, 1.6],
  'falcon-static': [1.9, 1.7, 2.0],
  'falcon-balanced': [],
};

function fakeRaw(): RawResults {
  const plan = buildPlan(parseArgs(['--scenario', 'tcp,udp', '--placement', 'spare'], 2), '/x/raw.json', { 'falcon-balanced': 'SDK not built' });
  const runs: RawRun[] = [];
  for (const b of plan.blocks) {
    for (const [mode, xs] of Object.entries(GBPS) as [ModeId, number[]][]) {
      xs.forEach((g, i) =>
        runs.push({
          scenario: b.scenario,
          placement: b.placement,
          mode,
          rep: i + 1,
          ok: true,
          metrics: b.scenario === 'udp' ? { gbps: g, lossPct: i, sentGbps: 2.5, bytes: g * 1e9 } : { gbps: g, bytes: g * 1e9 },
          netRx: [30, 10],
          softirqS: [0.3, 0.1],
          busyS: [1, 1],
          wallS: 3,
          ...(mode === 'falcon-static' ? { falcon: { processedPerCpu: [0, 100], devices: [] } } : {}),
        }),
      );
    }
    runs.push({ scenario: b.scenario, placement: b.placement, mode: 'rps', rep: 4, ok: false, error: 'iperf3: boom', metrics: {}, netRx: [], softirqS: [], busyS: [], wallS: 0 });
  }
  return { version: 1, plan, guest: { kernel: '6.1.0-test', vcpus: 2, userHz: 100, startedAt: 'a', finishedAt: 'b' }, runs, notes: [] };
}

const META = { timestamp: '2024-01-01T00:00:00Z', kernel: '6.1.0-test', vcpus: 2, hostCpuModel: 'Test CPU <x>', hostCores: 2, accel: 'tcg', gitCommit: 'abc', node: 'v20', wallSeconds: 1 };

/** A small well-formedness check: every tag closes in order, attributes are quoted, no raw & or <. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    const text = body.slice(last, m.index);
    assert.ok(!/[<>]/.test(text) && !/&(?!(amp|lt|gt|quot|apos);)/.test(text), `bad text: ${text}`);
    last = re.lastIndex;
    const [, close, name, , self] = m;
    if (close === '/') assert.strictEqual(stack.pop(), name, `mismatched </${name}>`);
    else if (self !== '/') stack.push(name as string);
  }
  assert.strictEqual(body.slice(last).trim(), '');
  assert.deepStrictEqual(stack, []);
}

describe('experiment: summary, table, JSON, SVG', () => {
  const raw = fakeRaw();
  const summary = summarizeResults(raw);

  it('medians, spread, ratios to vanilla and overlay/native', () => {
    const tcp = summary.find((b) => b.scenario === 'tcp');
    assert.ok(tcp);
    const by = (m: ModeId) => tcp.modes.find((x) => x.mode === m);
    assert.deepStrictEqual(by('vanilla')?.metrics.gbps, { median: 1, min: 0.8, max: 1.2, n: 3 });
    assert.strictEqual(by('rps')?.ratioToVanilla, 1.5);
    assert.strictEqual(by('rps')?.failedRuns, 1);
    assert.strictEqual(tcp.overlayOverNative, 0.5);
    assert.strictEqual(by('falcon-balanced')?.pending, 'SDK not built');
    assert.deepStrictEqual(by('vanilla')?.netRxShare, [75, 25]);
    assert.deepStrictEqual(by('falcon-static')?.falconShare, [0, 100]);
    // 2 CPU-seconds per run over 1 GB received.
    assert.strictEqual(by('vanilla')?.cpuSecondsPerGB?.median, 2);
  });

  it('table: absolute figures, ratio, pending and failures are visible', () => {
    const t = renderTable(summary);
    assert.match(t, /TCP single flow \(iperf3\) — spare core/);
    // TCP rows carry the reordering columns (absent in these runs: "-") before the ratio.
    assert.match(t, /overlay vanilla\s+1\.000 \[0\.800-1\.200\](?:\s+-){3}\s+x1\.00/);
    assert.match(t, /overlay \+ RPS\s+1\.500 \[1\.400-1\.600\](?:\s+-){3}\s+x1\.50/);
    assert.match(t, /overlay \+ Falcon balanced\s+pending/);
    assert.match(t, /overlay vanilla \/ native: x0\.50/);
    assert.match(t, /! overlay \+ RPS: iperf3: boom/);
    assert.match(t, /loss % median/);
  });

  it('results JSON has the documented shape and round-trips', () => {
    const doc = JSON.parse(serializeResults(resultsDocument(META, raw, summary))) as unknown;
    assert.deepStrictEqual(validateResults(doc), []);
    const d = doc as { meta: { kernel: string }; runs: unknown[]; summary: Array<{ modes: unknown[] }> };
    assert.strictEqual(d.meta.kernel, '6.1.0-test');
    assert.strictEqual(d.runs.length, raw.runs.length);
    assert.strictEqual(d.summary[0]?.modes.length, 5);
    assert.deepStrictEqual(validateResults({ schema: 'x' }).length > 0, true);
  });

  it('SVG charts are well-formed and carry the data', () => {
    const svg = renderBarChart(scenarioChart(summary.filter((b) => b.scenario === 'tcp')));
    assertWellFormedXml(svg);
    assert.match(svg, /^<\?xml version="1.0"/);
    assert.match(svg, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.strictEqual((svg.match(/<rect [^>]*fill="#[0-9a-f]{6}"><title>/g) ?? []).length, 5);
    assert.match(svg, /overlay \+ RPS/);
    const first = summary[0];
    assert.ok(first);
    const soft = renderBarChart(softirqChart(first, 2));
    assertWellFormedXml(soft);
    assert.match(soft, /vCPU 1/);
    assertWellFormedXml(renderBarChart({ title: 'a <b> & "c"', yLabel: "y'", series: ['s&t'], groups: [{ label: '<g>', bars: [{ label: 'x', value: 1 }] }] }));
  });

  it('helpers: escaping and nice axis maxima', () => {
    assert.strictEqual(xmlEscape(`<a&"'>`), '&lt;a&amp;&quot;&apos;&gt;');
    assert.strictEqual(niceMax(0.73), 1);
    assert.strictEqual(niceMax(2.3), 5);
    assert.strictEqual(niceMax(12), 20);
    assert.strictEqual(niceMax(0), 1);
  });

  it('cache: a block per offered rate, latency curves per mode, the per-stage view of Falcon modes', () => {
    const plan = buildPlan(parseArgs(['--scenario', 'cache', '--placement', 'spare', '--cache-rates', '500,2000', '--modes', 'vanilla,falcon-balanced'], 2), '/x/raw.json', {});
    const runs: RawRun[] = [];
    for (const b of plan.blocks) {
      for (const mode of b.modes) {
        for (let rep = 1; rep <= 3; rep++) {
          const p99 = (b.rateRps ?? 0) * (mode === 'vanilla' ? 2 : 1) + rep;
          runs.push({
            scenario: 'cache', placement: 'spare', mode, rep, rateRps: b.rateRps as number, ok: true,
            metrics: { p99Us: p99, p50Us: 10, p999Us: p99 * 2, achievedRps: b.rateRps as number, offeredRps: b.rateRps as number },
            netRx: [1, 1], softirqS: [0.1, 0.3], busyS: [1, 1], wallS: 3,
            ...(mode === 'falcon-balanced'
              ? { falcon: { processedPerCpu: [0, 10], devices: [
                  { ifname: 'w2', netns: 'h2', stage: 0, seen: 100, steered: 50, local: 50, gated: 0, second: 0, dropped: 0, targets: [{ cpu: 1, packets: 50 }] },
                  { ifname: 'eth0', netns: 'h2c1', stage: 2, seen: 100, steered: 100, local: 0, gated: 0, second: 0, dropped: 0, targets: [{ cpu: 0, packets: 25 }, { cpu: 1, packets: 75 }] },
                ] } }
              : {}),
          });
        }
      }
    }
    const raw: RawResults = { version: 1, plan, guest: { kernel: 'k', vcpus: 2, userHz: 100, startedAt: 'a', finishedAt: 'b' }, runs, notes: [] };
    const sum = summarizeResults(raw);
    assert.deepStrictEqual(sum.map((b) => b.rateRps), [500, 2000]);
    const at2000 = sum[1];
    assert.strictEqual(at2000?.modes.find((m) => m.mode === 'vanilla')?.metrics.p99Us?.median, 4002, 'runs of other rates stay out of the block');
    assert.match(at2000?.title ?? '', /2000 req\/s offered/);
    const stages = at2000?.modes.find((m) => m.mode === 'falcon-balanced')?.stages;
    assert.deepStrictEqual(stages?.map((d) => [d.device, d.stage, d.steeredPct, d.targetShare]), [
      ['h2/w2', 0, 50, [0, 100]],
      ['h2c1/eth0', 2, 100, [25, 75]],
    ]);
    assert.match(renderTable(sum), /overlay \+ Falcon balanced per stage: h2\/w2 s0 50% steered -> vCPU1 100% \| h2c1\/eth0 s2 100% steered -> vCPU0 25% vCPU1 75%/);
    const chart = cacheLatencyChart(sum);
    assert.deepStrictEqual(chart.series.map((s) => [s.label, s.points.map((p) => [p.x, p.y])]), [
      ['overlay vanilla', [[500, 1002], [2000, 4002]]],
      ['overlay + Falcon balanced', [[500, 502], [2000, 2002]]],
    ]);
    const svg = renderLineChart(chart);
    assertWellFormedXml(svg);
    assert.match(svg, /<polyline/);
    assert.deepStrictEqual(stageSpread([], 2), []);
  });
});
