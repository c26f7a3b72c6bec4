/**
 * falconctl show --config / apply -f with the real module: the saved file
 * restores the configuration and the attachments (in the overlay's
 * namespaces), a missing device is a per-line error while the rest applies,
 * and a bad value changes nothing. falconctl runs as a child process, so the
 * exit statuses are the real ones.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { topologyDown, topologyUp } from '../../src/topology';
import { guestOnly, inGuest, projectDir } from './guest';
import { insmod, restoreDefaults, withFalcon } from './reliability/falcon';

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function falconctl(args: readonly string[], input?: string): Ran {
  const r = spawnSync(process.execPath, [path.join(projectDir(), 'dist', 'src', 'cli', 'falconctl.js'), ...args], {
    encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** show --config without the line that carries the date. */
function undated(text: string): string {
  return text.split('\n').filter((l) => !l.startsWith('# written by')).join('\n');
}

/** Detaches everything and restores every default (restoreDefaults leaves hysteresis alone). */
async function reset(): Promise<void> {
  await restoreDefaults();
  await withFalcon((f) => f.setConfig({ hysteresis: 20 }));
}

async function attached(): Promise<string[]> {
  return withFalcon(async (f) => (await f.devices()).map((a) => `${a.ifname}@${a.netns ?? '-'}:${a.stage}:${a.cpus?.join(',') ?? 'global'}`).sort());
}

describe('vm: falconctl show --config / apply -f', function () {
  guestOnly(this);
  this.timeout(120_000);
  let dir = '';
  let last = 0; // the highest online CPU
  let interval = 0;

  before(async () => {
    insmod();
    await reset();
    topologyUp({ kind: 'overlay' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-conf-'));
    const c = await withFalcon((f) => f.getConfig());
    last = c.onlineCpus[c.onlineCpus.length - 1] ?? 0;
    interval = c.tickMs * 10;
  });
  after(async () => {
    if (!inGuest()) return; // mocha runs after-hooks of a suite that skipped itself
    topologyDown();
    await reset();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips: show --config, reset, apply -f, show --config again; applying twice changes nothing', async () => {
    await withFalcon(async (f) => {
      await f.setConfig({ enabled: false, cpus: [last], mode: 'paper', policy: 'static', threshold: 60, hysteresis: 5, intervalMs: interval, queueLimit: 300 });
      await f.attach({ ifname: 'w2', netns: 'h2', stage: 0 });
      await f.attach({ ifname: 'vx0', netns: 'h2', cpus: [0, last], stage: 1 });
      await f.attach({ ifname: 'eth0', netns: 'h2c1', cpus: [last], stage: 2 });
      await f.attach({ ifname: 'lo', stage: 7 });
    });
    const saved = falconctl(['show', '--config']);
    assert.strictEqual(saved.status, 0, saved.stderr);
    const both = last === 0 ? '0' : last === 1 ? '0-1' : `0,${last}`;
    assert.strictEqual(saved.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n'), [
      'set enabled off', `set cpus ${last}`, 'set mode paper', 'set policy static', 'set threshold 60', 'set hysteresis 5',
      `set interval ${interval}`, 'set queue-limit 300',
      'attach w2 --netns h2 --stage 0', `attach vx0 --netns h2 --cpus ${both} --stage 1`, `attach eth0 --netns h2c1 --cpus ${last} --stage 2`,
      'attach lo --stage 7', '',
    ].join('\n'));
    const file = path.join(dir, 'falcon.conf');
    fs.writeFileSync(file, saved.stdout);

    await reset();
    assert.deepStrictEqual(await attached(), []);
    const applied = falconctl(['apply', '-f', file]);
    assert.strictEqual(applied.status, 0, applied.stderr);
    assert.strictEqual(applied.stderr, '');
    assert.strictEqual((applied.stdout.match(/: attached \(/g) ?? []).length, 4, applied.stdout);

    const again = falconctl(['show', '--config']);
    assert.strictEqual(again.status, 0, again.stderr);
    assert.strictEqual(undated(again.stdout), undated(saved.stdout));

    const twice = falconctl(['-j', 'apply', '-f', file]);
    assert.strictEqual(twice.status, 0, twice.stderr);
    const summary = JSON.parse(twice.stdout) as { attachments: Array<{ result: string }> };
    assert.deepStrictEqual(summary.attachments.map((a) => a.result), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);

    // Other settings on a device the file names: detached and attached as the file says.
    await withFalcon(async (f) => {
      await f.detach({ ifname: 'vx0', netns: '/run/netns/h2' });
      await f.attach({ ifname: 'vx0', netns: 'h2', stage: 9 });
    });
    const fixed = falconctl(['apply', '-f', file]);
    assert.strictEqual(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stdout, /falcon\.conf:12: vx0 \(netns h2\): reattached \(stage 1, cpus /);
    assert.strictEqual(undated(falconctl(['show', '--config']).stdout), undated(saved.stdout));
  });

  it('a missing device or namespace: per-line errors, exit 2, the other lines applied', async () => {
    await reset();
    const file = path.join(dir, 'missing.conf');
    fs.writeFileSync(file, [
      'set threshold 70', 'attach vx0 --netns h2 --stage 1', 'attach nosuch0 --netns h2', 'attach eth0 --netns h9c9', 'attach w2 --netns h2 --stage 0', '',
    ].join('\n'));
    const r = falconctl(['apply', '-f', file]);
    assert.strictEqual(r.status, 2, r.stderr);
    assert.strictEqual(r.stderr, [
      `${file}:3: nosuch0 (netns h2): no such device`,
      `${file}:4: eth0 (netns h9c9): no such network namespace`,
      'Error: 2 of 4 attach lines failed; the rest applied.', '',
    ].join('\n'));
    assert.deepStrictEqual(await attached(), ['vx0@h2:1:global', 'w2@h2:0:global']);
    assert.strictEqual((await withFalcon((f) => f.getConfig())).threshold, 70);
  });

  it('a bad value, or a value the kernel refuses, changes nothing', async () => {
    await reset();
    const before = await withFalcon((f) => f.getConfig());
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, 'set threshold 10\nattach w1 --netns h1\nset queue-limit 0\n');
    const r = falconctl(['apply', '-f', bad]);
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.stderr, `Error: ${bad}:3: queue-limit must be 1-65536, got "0"; nothing applied.\nTry 'falconctl apply --help'.\n`);
    // Not a whole number of ticks: only the kernel knows; it refuses the whole change.
    const refused = falconctl(['apply', '-f', '-'], `set threshold 10\nset interval ${interval + 1}\nattach w1 --netns h1\n`);
    assert.strictEqual(refused.status, 2);
    assert.match(refused.stderr, /^<stdin>:2: interval-ms must be a multiple of the tick length \(attribute "interval-ms"\)\nError: the configuration was refused; nothing applied\.\n$/);
    assert.deepStrictEqual(await withFalcon((f) => f.getConfig()), before);
    assert.deepStrictEqual(await attached(), []);
  });
});
