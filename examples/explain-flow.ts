// Explain where each stage of one flow runs: pick on every attached device,
// with the reason. Usage: node dist/examples/explain-flow.js [--mock] [hash]
import { runExample } from './run';
import type { Falcon } from 'falcon-overlay';

/** Prints, for each attached device, the flow's first/second choice, target and reason. */
export async function main(falcon: Falcon, flowHash = 0xc0ffee, log = console.log): Promise<void> {
  const devices = await falcon.devices();
  if (devices.length === 0) log('no device attached: try examples/attach-overlay first');
  for (const d of devices) {
    // pick names the device by ifindex in the caller's namespace; devices of
    // other namespaces need their netns name, which the attachment does not carry.
    const r = await falcon.pick({ ifindex: d.ifindex, flowHash }).catch(() => undefined);
    if (!r) {
      log(`${d.ifname} (stage ${d.stage}): in another namespace, pick it with --netns`);
      continue;
    }
    const where = r.target === undefined ? 'stays on the arriving CPU' : `goes to CPU ${r.target}`;
    log(`${d.ifname} (stage ${d.stage}): first ${r.first ?? '-'}, second ${r.second ?? '-'}: ${where} (${r.reason})`);
  }
}

if (require.main === module) {
  const hashArg = process.argv.slice(2).find((a) => !a.startsWith('-'));
  runExample(async (falcon) => {
    if (falcon.backend === 'mock') await falcon.attach({ ifname: 'eth0' });
    await main(falcon, hashArg === undefined ? undefined : Number(hashArg));
  });
}
