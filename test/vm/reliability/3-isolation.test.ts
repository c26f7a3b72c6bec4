/**
 * Isolation between network namespaces. Two namespaces each hold a veth pair
 * with the same names (fz0 <-> fz1). Attaching fz0 in one does not touch the
 * other's fz0: not in lookups (pick/detach answer ENOENT there), not in the
 * datapath (its counters do not move with the other's traffic), not in
 * visibility (docs/protocol.md: an admin sees every attachment, anyone else
 * only those of their own namespace; per-CPU stats are shown to everyone).
 *
 *   iso-a: fz0 10.9.0.1 <-> iso-a-p: fz1 10.9.0.2
 *   iso-b: fz0 10.9.0.1 <-> iso-b-p: fz1 10.9.0.2
 */
import * as assert from 'assert';
import { guestOnly } from '../guest';
import { outcome, readAsNobody, restoreDefaults, withFalcon } from './falcon';
import { nsSh, sh } from './sh';

const NS = ['iso-a', 'iso-b'] as const;

function ping(ns: string): void {
  // from the peer namespace: the packets arrive on ns's fz0
  nsSh(`${ns}-p`, ['ping', '-c', '5', '-i', '0.2', '-W', '2', '10.9.0.1']);
}

async function seenOf(cookie: number): Promise<number> {
  return withFalcon(async (f) => {
    const d = (await f.stats()).devices.find((x) => x.netnsCookie === cookie && x.ifname === 'fz0');
    assert.ok(d, `no stats for fz0 in cookie ${cookie}`);
    return d.seen;
  });
}

describe('vm: reliability: namespace isolation', function () {
  guestOnly(this);
  this.timeout(300_000);
  let cookieA = 0;

  before(async () => {
    await restoreDefaults();
    for (const ns of NS) {
      const peer = `${ns}-p`;
      sh(['ip', 'netns', 'add', ns]);
      sh(['ip', 'netns', 'add', peer]);
      // No IPv6: its router solicitations and DAD would move fz0's
      // counters on their own schedule and blur the comparison
      for (const n of [ns, peer]) for (const k of ['all', 'default']) nsSh(n, ['sysctl', '-qw', `net.ipv6.conf.${k}.disable_ipv6=1`]);
      sh(['ip', '-n', ns, 'link', 'add', 'fz0', 'type', 'veth', 'peer', 'name', 'fz1', 'netns', peer]);
      sh(['ip', '-n', ns, 'addr', 'add', '10.9.0.1/24', 'dev', 'fz0']);
      sh(['ip', '-n', peer, 'addr', 'add', '10.9.0.2/24', 'dev', 'fz1']);
      for (const d of ['lo', 'fz0']) sh(['ip', '-n', ns, 'link', 'set', d, 'up']);
      for (const d of ['lo', 'fz1']) sh(['ip', '-n', peer, 'link', 'set', d, 'up']);
    }
  });

  after(async () => {
    await restoreDefaults();
    for (const ns of NS) for (const n of [ns, `${ns}-p`]) sh(['ip', 'netns', 'del', n]);
  });

  it('attaching fz0 in iso-a leaves iso-b\'s fz0 unattached', async () => {
    await withFalcon(async (f) => {
      const a = await f.attach({ ifname: 'fz0', netns: 'iso-a' });
      cookieA = a.netnsCookie;
      assert.strictEqual(await outcome(f.pick({ ifname: 'fz0', netns: 'iso-b', flowHash: 1 })), 'ENOENT');
      assert.strictEqual(await outcome(f.detach({ ifname: 'fz0', netns: 'iso-b' })), 'ENOENT');
      assert.strictEqual(await outcome(f.pick({ ifname: 'fz0', netns: 'iso-a', flowHash: 1 })), 'ok');
      const devs = await f.devices();
      assert.deepStrictEqual(devs.map((d) => [d.ifname, d.netnsCookie]), [['fz0', cookieA]]);
    });
  });

  it('iso-b\'s traffic does not reach iso-a\'s attachment', async () => {
    const s0 = await seenOf(cookieA);
    ping('iso-b');
    assert.strictEqual(await seenOf(cookieA), s0);
    ping('iso-a');
    assert.ok((await seenOf(cookieA)) > s0, 'iso-a traffic not seen by its own attachment');
  });

  it('both can be attached, and detaching one leaves the other', async () => {
    await withFalcon(async (f) => {
      const b = await f.attach({ ifname: 'fz0', netns: 'iso-b' });
      assert.notStrictEqual(b.netnsCookie, cookieA);
      assert.strictEqual((await f.devices()).length, 2);
      await f.detach({ ifname: 'fz0', netns: 'iso-a' });
      assert.deepStrictEqual((await f.devices()).map((d) => d.netnsCookie), [b.netnsCookie]);
      await f.attach({ ifname: 'fz0', netns: 'iso-a' }).then((a) => (cookieA = a.netnsCookie));
    });
  });

  it('unprivileged callers see only their own namespace; admins see all', async () => {
    const admin = await withFalcon(async (f) => (await f.devices()).length);
    assert.strictEqual(admin, 2);
    const inA = readAsNobody('fz0', 'iso-a');
    assert.deepStrictEqual(inA.devices.map((d) => d.netnsCookie), [cookieA]);
    assert.deepStrictEqual(inA.statsDevices.map((d) => d.netnsCookie), [cookieA]);
    assert.strictEqual(inA.pick, 'ok');
    assert.ok(inA.cpuEntries >= 1, 'per-CPU stats are for everyone');
    const inInit = readAsNobody();
    assert.deepStrictEqual(inInit.devices, []);
    assert.deepStrictEqual(inInit.statsDevices, []);
  });
});
