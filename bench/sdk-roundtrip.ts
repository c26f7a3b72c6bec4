// Round trips per second of pick and stats through the SDK (native addon +
// typed client) against the same requests from the minimal C client
// (bench/c/roundtrip.c, built by test/vm/c/Makefile), in one run. Needs falcon.ko: run it in the testbed,
//   node dist/src/testbed/cli.js run -- node dist/bench/sdk-roundtrip.js [--iterations N] [--json]
// It attaches `lo` for the picks (and detaches it again if it attached it).
// "SDK (Node)" is the default (sends on the socket's thread, never blocking
// the loop); "SDK inlineReads" sends reads on the loop thread.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FalconError, openFalcon } from '../src/index';
import type { FalconInstance } from '../src/index';

/** Per-second rates of one client. */
interface Rates {
  readonly pick: number;
  readonly stats: number;
  /** pick with many requests in flight (SDK only). */
  readonly pickPipelined?: number;
}

const root = join(__dirname, '..', '..');

async function rate(iterations: number, once: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await once(i);
  return iterations / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function pipelined(iterations: number, depth: number, once: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < iterations) await once(next++);
  };
  await Promise.all(Array.from({ length: depth }, worker));
  return iterations / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function sdkRates(falcon: FalconInstance, ifindex: number, iterations: number): Promise<Rates> {
  const pick = (i: number): Promise<unknown> => falcon.pick({ ifindex, flowHash: (i * 2654435761) >>> 0 });
  await rate(Math.min(200, iterations), pick); // warm up JIT and caches
  return {
    pick: await rate(iterations, pick),
    stats: await rate(iterations, () => falcon.stats()),
    pickPipelined: await pipelined(iterations, 32, pick),
  };
}

function cRates(ifindex: number, iterations: number): Rates | string {
  // Built by the C tools' one Makefile, with their netlink library
  const out = mkdtempSync(join(tmpdir(), 'falcon-bench-'));
  const binary = join(out, 'roundtrip');
  try {
    execFileSync('make', ['-s', '-C', join(root, 'test', 'vm', 'c'), `O=${out}`, 'roundtrip'], { stdio: 'pipe' });
  } catch (error) {
    return `C client not built: ${String((error as Error).message).split('\n')[0]}`;
  }
  const run = spawnSync(binary, [String(ifindex), String(iterations)], { encoding: 'utf8' });
  if (run.status !== 0) return `C client failed: ${run.stderr.trim()}`;
  const parsed = JSON.parse(run.stdout) as { pick_per_s: number; stats_per_s: number };
  return { pick: parsed.pick_per_s, stats: parsed.stats_per_s };
}

async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const at = argv.indexOf('--iterations');
  const iterations = at >= 0 ? Number(argv[at + 1]) : 5000;
  if (!Number.isInteger(iterations) || iterations <= 0) {
    process.stderr.write('usage: sdk-roundtrip [--iterations N] [--json]\n');
    return 1;
  }
  const falcon = await openFalcon({ backend: 'kernel' });
  const inline = await openFalcon({ backend: 'kernel', inlineReads: true });
  let attached = false;
  try {
    let device = (await falcon.devices()).find((d) => d.ifname === 'lo');
    if (!device) {
      device = await falcon.attach({ ifname: 'lo' });
      attached = true;
    }
    const sdk = await sdkRates(falcon, device.ifindex, iterations);
    const sdkInline = await sdkRates(inline, device.ifindex, iterations);
    const c = existsSync(join(root, 'bench', 'c', 'roundtrip.c')) ? cRates(device.ifindex, iterations) : 'no C source';
    const result = { iterations, sdk, sdkInline, c };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const fmt = (n: number | undefined): string => (n === undefined ? '-' : Math.round(n).toString()).padStart(10);
      process.stdout.write(`round trips/s over ${iterations} iterations\n`);
      process.stdout.write(`${'client'.padEnd(18)}${'pick'.padStart(10)}${'stats'.padStart(10)}${'pick x32'.padStart(10)}\n`);
      process.stdout.write(`${'SDK (Node)'.padEnd(18)}${fmt(sdk.pick)}${fmt(sdk.stats)}${fmt(sdk.pickPipelined)}\n`);
      process.stdout.write(`${'SDK inlineReads'.padEnd(18)}${fmt(sdkInline.pick)}${fmt(sdkInline.stats)}${fmt(sdkInline.pickPipelined)}\n`);
      if (typeof c === 'string') process.stdout.write(`C client: ${c}\n`);
      else process.stdout.write(`${'C (blocking)'.padEnd(18)}${fmt(c.pick)}${fmt(c.stats)}${fmt(undefined)}\n`);
    }
    return 0;
  } finally {
    if (attached) await falcon.detach({ ifname: 'lo' }).catch(() => undefined);
    await falcon.close();
    await inline.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sdk-roundtrip: ${error instanceof FalconError ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
