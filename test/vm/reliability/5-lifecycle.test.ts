/**
 * Lifecycle under traffic. iperf3 (TCP, h1c1 -> h2c1 over the VXLAN overlay)
 * runs throughout while every receive-side device (h2: w2, vx0, vc1, vc2;
 * h2c1: eth0) is attached, and the test
 *
 *   - detaches and re-attaches them SIZES.attachCycles times,
 *   - changes the CPU set, mode, policy, threshold, queue limit, enabled,
 *   - takes an attached device's only CPU offline and brings it back,
 *   - unloads and reloads the module SIZES.reloadCycles times (attached,
 *     with packets queued),
 *   - deletes an attached device (vc2, which takes h2c2's eth0 with it),
 *   - deletes a container namespace with an attached device (h1c2).
 *
 * After each step the flow must still move (rx_bytes of h2c1's eth0 grow):
 * none of these touch the h1c1 <-> h2c1 path's topology. Any splat fails
 * the whole run (the testbed checks the console).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { topologyDown, topologyUp } from '../../../src/topology';
import { guestOnly } from '../guest';
import { insmod, moduleLoaded, restoreDefaults, rmmod, withFalcon } from './falcon';
import { MIN_INTERVAL_MS } from '../../../src/protocol/generated';
import { SIZES } from './scale';
import { sh, sleep } from './sh';
import { flows, Iperf } from './traffic';

const RX: [string, string] = ['h2c1', 'eth0'];
const ATTACH: { ifname: string; netns: string }[] = [
  { ifname: 'w2', netns: 'h2' },
  { ifname: 'vx0', netns: 'h2' },
  { ifname: 'vc1', netns: 'h2' },
  { ifname: 'vc2', netns: 'h2' },
  { ifname: 'eth0', netns: 'h2c1' },
  { ifname: 'eth0', netns: 'h1c2' },
];

async function attachAll(devs = ATTACH): Promise<void> {
  await withFalcon(async (f) => {
    for (const d of devs) await f.attach(d);
  });
}

async function assertFlowing(step: string): Promise<void> {
  assert.ok(await flows(...RX), `traffic stopped after: ${step}`);
}

function cpuOnlinePath(cpu: number): string {
  return `/sys/devices/system/cpu/cpu${cpu}/online`;
}

describe('vm: reliability: lifecycle under traffic', function () {
  guestOnly(this);
  this.timeout(900_000);
  const iperf = new Iperf('h1c1', 'h2c1', '10.0.2.1');

  before(async () => {
    await restoreDefaults();
    topologyUp({ kind: 'overlay', containers: 2 });
    await attachAll();
    await iperf.start();
    await assertFlowing('start');
  });

  after(async () => {
    await iperf.stopAll();
    insmod();
    await restoreDefaults();
    topologyDown();
  });

  it(`survives ${SIZES.attachCycles} detach/attach cycles of every device`, async () => {
    const t = Date.now();
    await withFalcon(async (f) => {
      for (let i = 0; i < SIZES.attachCycles; i++) {
        for (const d of ATTACH) await f.detach(d);
        for (const d of ATTACH) await f.attach(d);
      }
      assert.strictEqual((await f.devices()).length, ATTACH.length);
    });
    console.log(`      ${SIZES.attachCycles} cycles x ${ATTACH.length} devices in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    await assertFlowing('attach/detach cycles');
  });

  it('survives CPU set, mode, policy, threshold, queue-limit and enable changes', async () => {
    await withFalcon(async (f) => {
      const online = (await f.getConfig()).onlineCpus;
      const sets = [[online[0] as number], online.slice(-1), online];
      for (const cpus of sets)
        for (const mode of ['stage', 'paper'] as const)
          for (const policy of ['static', 'balanced'] as const) {
            await f.setConfig({ cpus, mode, policy, threshold: policy === 'balanced' ? 0 : 80, queueLimit: 1 });
            await sleep(50);
            await f.setConfig({ queueLimit: 65536, threshold: 100 });
          }
      await f.disable();
      await sleep(200);
      await f.enable();
      await f.setConfig({ cpus: online, queueLimit: 1000, threshold: 80, policy: 'balanced', mode: 'stage' });
    });
    await assertFlowing('config changes');
  });

  it('survives a Falcon CPU going offline and back', async function () {
    const cpu = await withFalcon(async (f) => (await f.getConfig()).onlineCpus.slice(-1)[0] as number);
    if (cpu === 0 || !fs.existsSync(cpuOnlinePath(cpu))) this.skip();
    // Steer one device to that CPU alone, so its effective set becomes empty
    await withFalcon(async (f) => {
      await f.detach({ ifname: 'vx0', netns: 'h2' });
      await f.attach({ ifname: 'vx0', netns: 'h2', cpus: [cpu] });
    });
    fs.writeFileSync(cpuOnlinePath(cpu), '0');
    try {
      await withFalcon(async (f) => assert.ok(!(await f.getConfig()).onlineCpus.includes(cpu)));
      await assertFlowing(`cpu${cpu} offline`);
    } finally {
      fs.writeFileSync(cpuOnlinePath(cpu), '1');
    }
    await withFalcon(async (f) => assert.ok((await f.getConfig()).onlineCpus.includes(cpu)));
    await assertFlowing(`cpu${cpu} back online`);
  });

  // rmmod once freed the per-CPU area before cancelling the monitor's
  // sampling work, which writes into it: the shortest interval makes a
  // sample in flight at unload likely. (Debian's kernels have no KASAN, so a
  // use-after-free need not splat: this shows the order holds up, not that
  // the old one would always have crashed.)
  it(`survives ${SIZES.reloadCycles} rmmod/insmod cycles with devices attached and the monitor at its shortest interval`, async () => {
    const t = Date.now();
    for (let i = 0; i < SIZES.reloadCycles; i++) {
      rmmod();
      assert.ok(!moduleLoaded());
      await sleep(100);
      insmod();
      await withFalcon(async (f) => {
        const tick = (await f.getConfig()).tickMs;
        await f.setConfig({ intervalMs: Math.ceil(MIN_INTERVAL_MS / tick) * tick });
      });
      await attachAll();
      await sleep(100);
    }
    console.log(`      ${SIZES.reloadCycles} reload cycles in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    await assertFlowing('rmmod/insmod cycles');
  });

  it('forgets a deleted attached device (and its peer) and keeps the rest', async () => {
    sh(['ip', '-n', 'h2', 'link', 'del', 'vc2']);
    // NETDEV_UNREGISTER runs inside the deletion, so no waiting here
    const gone = await withFalcon(async (f) => (await f.devices()).map((d) => d.ifname));
    assert.ok(!gone.includes('vc2'), `vc2 still listed: ${gone.join(',')}`);
    // h2c2's eth0 was vc2's peer; h1c2's eth0 remains
    assert.strictEqual(gone.filter((n) => n === 'eth0').length, 2);
    await assertFlowing('device deleted');
  });

  it('forgets the devices of a deleted container namespace', async () => {
    sh(['ip', 'netns', 'del', 'h1c2']);
    // namespace teardown is asynchronous (cleanup_net runs from a workqueue)
    let names: string[] = [];
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      names = await withFalcon(async (f) => (await f.devices()).map((d) => d.ifname));
      ok = names.filter((n) => n === 'eth0').length === 1;
      if (!ok) await sleep(200);
    }
    assert.ok(ok, `h1c2's eth0 still attached: ${names.join(',')}`);
    assert.deepStrictEqual(names.sort(), ['eth0', 'vc1', 'vx0', 'w2']);
    await assertFlowing('container namespace deleted');
  });
});
