/**
 * Privilege: a process without CAP_NET_ADMIN (uid 65534, no groups, empty
 * capability sets) gets EPERM from every mutating command and changes
 * nothing; reads still work. Checked with well-formed SDK calls and with the
 * fuzzer in --unpriv mode (an admin command, garbage or not,
 * never succeeds: EPERM, or EINVAL/EOPNOTSUPP where the core refuses the
 * garbage first; "nothing changed" is then checked as root).
 */
import * as assert from 'assert';
import { guestOnly } from '../guest';
import { readAsNobody, restoreDefaults, withFalcon } from './falcon';
import { answeredWith, fuzz } from './fuzz';
import { FUZZ_SEED, SIZES } from './scale';
import { sh } from './sh';
import { argvAs, falconCallsAs, runAs } from '../unpriv';
import type { UserCall } from '../../conformance/backend';

const DEV = 'fzpriv0';

/** Every mutating call of the API, well formed. */
const MUTATIONS: readonly UserCall[] = [
  { method: 'setConfig', args: [{ enabled: false, queueLimit: 1, threshold: 0, intervalMs: 100 }] },
  { method: 'setConfig', args: [{ cpus: [0] }] },
  { method: 'setConfig', args: [{ enabled: true }] },
  { method: 'setConfig', args: [{ enabled: false }] },
  { method: 'attach', args: [{ ifname: 'lo' }] },
  { method: 'attach', args: [{ ifname: DEV }] },
  { method: 'detach', args: [{ ifname: DEV }] },
  { method: 'resetStats', args: [] },
  { method: 'pinLoad', args: [0, 100] },
  { method: 'unpinLoad', args: [0] },
  { method: 'unpinLoad', args: [] },
];

/** Everything a mutation could have changed, as root sees it. */
async function snapshot(): Promise<string> {
  return withFalcon(async (f) => {
    const s = await f.stats();
    return JSON.stringify({
      config: await f.getConfig(),
      devices: await f.devices(),
      pins: s.cpus.map((c) => [c.cpu, c.pinned]),
      // counters must not have been reset: keep the ones that only grow
      seen: s.devices.map((d) => [d.ifname, d.seen > 0]),
    });
  });
}

describe('vm: reliability: privilege', function () {
  guestOnly(this);
  this.timeout(300_000);
  let baseline = '';

  before(async () => {
    await restoreDefaults();
    sh(['ip', 'link', 'add', DEV, 'type', 'dummy']);
    sh(['ip', 'link', 'set', DEV, 'up']);
    await withFalcon(async (f) => {
      await f.attach({ ifname: DEV, stage: 3 });
      await f.setConfig({ queueLimit: 777, threshold: 55 });
      await f.pinLoad(0, 33);
    });
    // Counters the unprivileged side must not reset: dummy drops what it
    // sends, so put packets through the attached device by hand
    await withFalcon(async (f) => f.attach({ ifname: 'lo' }));
    sh(['ping', '-c', '3', '-i', '0.2', '127.0.0.1']);
    baseline = await snapshot();
  });

  after(async () => {
    await restoreDefaults();
    sh(['ip', 'link', 'del', DEV]);
  });

  it('the helper really has no CAP_NET_ADMIN', () => {
    const status = runAs('nobody', ['cat', '/proc/self/status']);
    assert.match(status, /^CapEff:\s+0+$/m);
    assert.match(status, /^Uid:\s+65534\s/m);
  });

  it('every mutating SDK call is refused with EPERM', () => {
    const outcomes = falconCallsAs('nobody', MUTATIONS);
    assert.strictEqual(outcomes.length, MUTATIONS.length);
    for (const [i, o] of outcomes.entries()) {
      assert.ok(!o.ok && o.code === 'EPERM', `${JSON.stringify(MUTATIONS[i])} answered ${JSON.stringify(o)}`);
    }
  });

  it(`no admin command among ${SIZES.unprivFuzzCount} fuzzed messages succeeds`, () => {
    const s = fuzz(['--unpriv', '--seed', FUZZ_SEED, '--count', String(SIZES.unprivFuzzCount)], argvAs('nobody', []));
    assert.strictEqual(s.permViolations, 0);
    assert.strictEqual(s.missing, 0);
    assert.ok(answeredWith(s, 'EPERM') > 0, 'no EPERM seen');
  });

  it('nothing changed', async () => {
    assert.strictEqual(await snapshot(), baseline);
  });

  it('reads still work unprivileged (and see only the caller\'s namespace)', () => {
    const r = readAsNobody(DEV);
    assert.strictEqual(r.config, 'ok');
    assert.strictEqual(r.pick, 'ok');
    assert.ok(r.cpuEntries >= 1);
    // The test runs in the initial namespace, as do both attachments
    assert.deepStrictEqual(r.devices.map((d) => d.ifname).sort(), [DEV, 'lo'].sort());
    assert.deepStrictEqual(r.statsDevices.map((d) => d.ifname).sort(), [DEV, 'lo'].sort());
  });
});
