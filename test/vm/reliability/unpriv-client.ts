/**
 * Run as an unprivileged user (see NOBODY in sh.ts) by the privilege and
 * isolation tests: drives falcon.ko through the SDK and prints one JSON
 * object. Not a test file itself: a separate process is the only way to get
 * a caller without CAP_NET_ADMIN.
 *
 *   node unpriv-client.js mutate DEV   every mutating call, each one's outcome
 *   node unpriv-client.js read [DEV]   what reads return (and pick on DEV)
 */
import { outcome, withFalcon } from './falcon';

export interface MutateReport {
  [call: string]: string;
}

export interface ReadReport {
  config: string;
  devices: { ifname: string; netnsCookie: number }[];
  statsDevices: { ifname: string; netnsCookie: number }[];
  cpuEntries: number;
  pick?: string;
}

async function mutate(dev: string): Promise<MutateReport> {
  return withFalcon(async (f) => ({
    setConfig: await outcome(f.setConfig({ enabled: false, queueLimit: 1, threshold: 0, intervalMs: 100 })),
    setConfigCpus: await outcome(f.setConfig({ cpus: [0] })),
    enable: await outcome(f.enable()),
    disable: await outcome(f.disable()),
    attach: await outcome(f.attach({ ifname: 'lo' })),
    attachAgain: await outcome(f.attach({ ifname: dev })),
    detach: await outcome(f.detach({ ifname: dev })),
    resetStats: await outcome(f.resetStats()),
    pinLoad: await outcome(f.pinLoad(0, 100)),
    unpinLoadOne: await outcome(f.unpinLoad(0)),
    unpinLoadAll: await outcome(f.unpinLoad()),
  }));
}

async function read(dev: string | undefined): Promise<ReadReport> {
  return withFalcon(async (f) => {
    const stats = await f.stats();
    const report: ReadReport = {
      config: await outcome(f.getConfig()),
      devices: (await f.devices()).map((d) => ({ ifname: d.ifname, netnsCookie: d.netnsCookie })),
      statsDevices: stats.devices.map((d) => ({ ifname: d.ifname, netnsCookie: d.netnsCookie })),
      cpuEntries: stats.cpus.length,
    };
    if (dev !== undefined) report.pick = await outcome(f.pick({ ifname: dev, flowHash: 0x1234 }));
    return report;
  });
}

async function main(): Promise<void> {
  const [cmd, dev] = process.argv.slice(2);
  const out = cmd === 'mutate' && dev !== undefined ? await mutate(dev) : cmd === 'read' ? await read(dev) : undefined;
  if (out === undefined) {
    process.stderr.write('usage: unpriv-client mutate DEV | read [DEV]\n');
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
}
