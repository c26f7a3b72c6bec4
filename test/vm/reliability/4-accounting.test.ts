/**
 * Accounting: no silent loss. udp-count sends exactly N datagrams from h1c1
 * to h2c1 (counting only sendto() calls that succeeded) while w2, vx0, vc1
 * and h2c1's eth0 are attached with a tiny queue limit, and the receiver has
 * a tiny socket buffer. Then
 *
 *   N == received
 *      + Falcon's per-CPU purged
 *      + rx/tx dropped of every device in h1, h2, h1c1, h2c1 (ip -s -j link),
 *        which include Falcon's queue-full drops (counted in the attached
 *        device's rx_dropped, as the kernel's backlog does; checked too)
 *      + backlog drops (/proc/net/softnet_stat)
 *      + Udp InErrors in h2c1 and h2 (InErrors includes RcvbufErrors)
 *
 * Only the test's packets may cross the path while it counts (Falcon drops
 * whatever its tiny queues cannot take, not just ours): IPv6 is switched off
 * in the four namespaces and the neighbours are made permanent, so no
 * router solicitations, MLD reports or ARP probes slip in.
 *
 * The sender is paced so the veth backlogs do not overflow: a backlog drop
 * behind a veth is counted twice by the kernel (softnet dropped and the veth's
 * tx_dropped), which is the kernel's bookkeeping, not ours.
 */
import * as assert from 'assert';
import { once } from 'events';
import { topologyDown, topologyUp } from '../../../src/topology';
import { guestOnly } from '../guest';
import { quietOverlayPath } from '../quiet-path';
import { buildC } from '../cbuild';
import { deviceDrops, snmp, softnetDrops, total } from './counters';
import { restoreDefaults, withFalcon } from './falcon';
import { SIZES } from './scale';
import { background, nsSh, sleep, waitFor } from './sh';

const PATH_NS = ['h1', 'h2', 'h1c1', 'h2c1'] as const;
const PORT = '9000';

interface Counters {
  /** Falcon's queue-full drops (also in the devices' rx_dropped). */
  falconDropped: number;
  /** Falcon's purges (device or CPU gone, unload): in no device counter. */
  falconPurged: number;
  devices: Record<string, number>;
  softnet: number;
  udpInErrors: number;
}

async function counters(): Promise<Counters> {
  const devices: Record<string, number> = {};
  for (const ns of PATH_NS) for (const [dev, n] of Object.entries(deviceDrops(ns))) devices[`${ns}/${dev}`] = n;
  return {
    ...(await withFalcon(async (f) => {
      const cpus = (await f.stats()).cpus;
      return { falconDropped: cpus.reduce((n, c) => n + c.dropped, 0), falconPurged: cpus.reduce((n, c) => n + c.purged, 0) };
    })),
    devices,
    softnet: softnetDrops(),
    udpInErrors: snmp('h2c1', 'Udp', 'InErrors') + snmp('h2', 'Udp', 'InErrors'),
  };
}

describe('vm: reliability: accounting', function () {
  guestOnly(this);
  this.timeout(600_000);

  before(async () => {
    await restoreDefaults();
    topologyUp({ kind: 'overlay' });
    // Resolve ARP and teach the bridges before counting: an unresolved
    // neighbour queues (and may drop) packets without a device counter
    nsSh('h1c1', ['ping', '-c', '3', '-i', '0.2', '-W', '3', '10.0.2.1']);
    nsSh('h2c1', ['ping', '-c', '3', '-i', '0.2', '-W', '3', '10.0.1.1']);
    quietOverlayPath();
    await withFalcon(async (f) => {
      for (const ifname of ['w2', 'vx0', 'vc1']) await f.attach({ ifname, netns: 'h2' });
      await f.attach({ ifname: 'eth0', netns: 'h2c1' });
      // static: every packet follows its first choice, so the tiny queues
      // really fill (balanced could keep packets in place under load)
      await f.setConfig({ queueLimit: 2, policy: 'static' });
      await f.resetStats();
    });
  });

  after(async () => {
    await restoreDefaults();
    topologyDown();
  });

  it(`${SIZES.accountingPackets} packets sent == received + every counted drop`, async () => {
    const n = SIZES.accountingPackets;
    const bin = buildC('udp-count');
    const c0 = await counters();

    const rx = background(['ip', 'netns', 'exec', 'h2c1', bin, 'recv', PORT, '2048', '3000'], true);
    let rxOut = '';
    rx.stdout?.on('data', (b: Buffer) => (rxOut += b.toString()));
    let rxErr = '';
    rx.stderr?.on('data', (b: Buffer) => (rxErr += b.toString()));
    assert.ok(await waitFor(() => rxErr.includes('ready'), 30_000), 'receiver did not start');

    const started = Date.now();
    const sent = JSON.parse(nsSh('h1c1', [bin, 'send', '10.0.2.1', PORT, String(n), '64', '32', '300'])) as { sent: number; failedCalls: number };
    // 'close', not 'exit': 'exit' can come before the last of stdout is read
    await once(rx, 'close');
    const received = (JSON.parse(rxOut) as { received: number }).received;
    assert.strictEqual(sent.sent, n);

    // Queued packets are still in flight: wait until every queue is empty
    for (let i = 0; i < 50; i++) {
      const busy = await withFalcon(async (f) => (await f.stats()).cpus.some((c) => c.queueLen > 0));
      if (!busy) break;
      await sleep(100);
    }
    const c1 = await counters();
    const devDrops: Record<string, number> = {};
    for (const [k, v] of Object.entries(c1.devices)) if (v - (c0.devices[k] ?? 0) !== 0) devDrops[k] = v - (c0.devices[k] ?? 0);
    const parts = {
      received,
      falconPurged: c1.falconPurged - c0.falconPurged,
      devices: total(devDrops),
      softnet: c1.softnet - c0.softnet,
      udpInErrors: c1.udpInErrors - c0.udpInErrors,
    };
    const sum = Object.values(parts).reduce((a, b) => a + b, 0);
    console.log(`      N=${n} in ${((Date.now() - started) / 1000).toFixed(1)} s (failed sendto calls: ${sent.failedCalls})`);
    console.log(`      ${JSON.stringify(parts)} devices=${JSON.stringify(devDrops)} sum=${sum}`);
    assert.strictEqual(sum, n, `unaccounted: ${n - sum}`);
    assert.ok(parts.received > 0, 'nothing arrived');
    const falconDropped = c1.falconDropped - c0.falconDropped;
    assert.ok(falconDropped > 0, 'the tiny queue limit dropped nothing: the test did not exercise Falcon drops');
    assert.ok(parts.devices >= falconDropped, `Falcon's ${falconDropped} drops show in the devices' rx_dropped (${parts.devices})`);
  });
});
