// Sweep CPU sets and policies and compare how traffic spreads. In the testbed
// each step would run a measurement (iperf3 between h1c1 and h2c1, see
// `npm run experiment`); on the mock it injects flows and counts where they
// went, which shows the structure: configure, measure, reset, next.
import { runExample } from './run';
import type { FalconInstance, Policy } from 'falcon-overlay';

/** One configuration of the sweep. */
export interface SweepStep {
  readonly cpus: string;
  readonly policy: Policy;
}

/** The steps: growing CPU sets under both policies. */
export const STEPS: readonly SweepStep[] = ['1', '1-2', '1-3'].flatMap((cpus) =>
  (['static', 'balanced'] as const).map((policy) => ({ cpus, policy })),
);

/** Runs each step with `measure` (default: inject 64 flows on the mock) and prints steered vs local. */
export async function main(falcon: FalconInstance, log = console.log): Promise<Array<SweepStep & { steered: number; local: number }>> {
  const results: Array<SweepStep & { steered: number; local: number }> = [];
  await falcon.detach({ ifname: 'eth0', netns: 'h2c1' }).catch(() => undefined);
  await falcon.attach({ ifname: 'eth0', netns: 'h2c1' });
  for (const step of STEPS) {
    await falcon.setConfig({ cpus: step.cpus, policy: step.policy });
    await falcon.resetStats();
    if (falcon.mock) {
      for (let flow = 0; flow < 64; flow++) falcon.mock.inject({ device: { ifname: 'eth0', netns: 'h2c1' }, flowHash: flow * 2654435761, packets: 10 });
    }
    const dev = (await falcon.stats()).devices.find((d) => d.ifname === 'eth0');
    const row = { ...step, steered: dev?.steered ?? 0, local: dev?.local ?? 0 };
    results.push(row);
    log(`cpus ${step.cpus.padEnd(4)} ${step.policy.padEnd(8)} steered ${row.steered}, local ${row.local}`);
  }
  return results;
}

if (require.main === module) runExample(async (falcon) => void (await main(falcon)));
