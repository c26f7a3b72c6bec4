// Decisions per second of the mock, on the host: the bare placement function,
// the mock's traffic driver (placement + counters, per packet), and pick
// through the whole SDK path (codec, mock genetlink core, policy layer).
// Medians of 5 timed rounds each, all in one run.
//   node dist/bench/mock-decisions.js [--json]
import { cpus as hostCpus } from 'node:os';
import { median } from '../src/experiment/stats';
import { openFalcon } from '../src/index';
import { place } from '../src/mock/placement';

const ROUNDS = 5;

async function perSecond(iterations: number, body: (i: number) => unknown): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await body(i);
    rates.push(iterations / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rates);
}

async function main(): Promise<void> {
  const loads = [10, 95, 20, 30];
  const placement = await perSecond(200_000, (i) =>
    place({
      enabled: true, cpus: [1, 2, 3], mode: 'stage', policy: 'balanced', threshold: 80,
      load: (c) => loads[c], gateClosed: false, stage: i % 3, ifindex: 4, flowHash: Math.imul(i, 2654435761) >>> 0,
    }),
  );

  const falcon = await openFalcon({ backend: 'mock' });
  await falcon.attach({ ifname: 'vx0', netns: 'h2' });
  const device = { ifname: 'vx0', netns: 'h2' };
  const injected = await perSecond(20_000, (i) => falcon.mock.inject({ device, flowHash: Math.imul(i, 2654435761) >>> 0, packets: 1 }));
  const picks = await perSecond(5_000, (i) => falcon.pick({ ...device, flowHash: Math.imul(i, 2654435761) >>> 0 }));
  await falcon.close();

  const result = {
    host_cpu: hostCpus()[0]?.model ?? 'unknown',
    node: process.version,
    placement_per_s: Math.round(placement),
    inject_packets_per_s: Math.round(injected),
    sdk_pick_per_s: Math.round(picks),
  };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`host: ${result.host_cpu}, node ${result.node}; medians of ${ROUNDS} rounds`);
    console.log(`placement function   ${result.placement_per_s.toLocaleString('en')} decisions/s`);
    console.log(`mock.inject          ${result.inject_packets_per_s.toLocaleString('en')} packets/s`);
    console.log(`SDK pick (mock)      ${result.sdk_pick_per_s.toLocaleString('en')} round trips/s`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
