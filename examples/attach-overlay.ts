// Attach the receiving host's overlay path (wire, VXLAN, container eth0) in
// path order so a flow's stages get consecutive slots, then print per-CPU
// rates. Run in the testbed after `falcon-topology up overlay`:
//   node dist/examples/attach-overlay.js          (falcon.ko)
//   node dist/examples/attach-overlay.js --mock   (the model, with injected traffic)
import { runExample } from './run';
import type { Falcon, FalconInstance } from 'falcon-overlay';

/** The receive path on h2, NIC first. */
export const PATH = [
  { ifname: 'w2', netns: 'h2' },
  { ifname: 'vx0', netns: 'h2' },
  { ifname: 'eth0', netns: 'h2c1' },
] as const;

/** Attaches PATH (detaching leftovers first), waits `seconds`, and prints packets per second per CPU. */
export async function main(falcon: Falcon | FalconInstance, seconds = 1, log = console.log): Promise<void> {
  for (const dev of PATH) await falcon.detach(dev).catch(() => undefined);
  for (const dev of PATH) {
    const a = await falcon.attach(dev);
    log(`${dev.netns}/${a.ifname}: ifindex ${a.ifindex}, stage ${a.stage}`);
  }
  const before = await falcon.stats();
  const mock = 'mock' in falcon ? falcon.mock : undefined;
  // On the mock nothing sends traffic: play one flow through all three stages.
  if (mock) for (const dev of PATH) mock.inject({ device: dev, flowHash: 0xc0ffee, packets: 1000 });
  else await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await falcon.stats();
  for (const c of after.cpus) {
    const was = before.cpus.find((b) => b.cpu === c.cpu);
    const pps = Math.round((c.processed - (was?.processed ?? 0)) / seconds);
    log(`cpu ${c.cpu}: ${pps} packets/s processed, load ${c.load}%`);
  }
}

if (require.main === module) runExample((falcon) => main(falcon));
