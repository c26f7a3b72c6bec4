// The configuration file (src/cli/config-file.ts) and falconctl apply / show
// --config (src/cli/config-file-commands.ts): parsing with line numbers,
// formatting, and the commands on one mock host, so that state carries from
// one command to the next (each `falconctl --mock` run starts a fresh host).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFalcon, MockFalcon } from '../../src/index';
import type { Attachment, FalconConfig } from '../../src/api/types';
import { parseArgs, UsageError } from '../../src/args/parse';
import { apply, ExitStatus, show } from '../../src/cli/config-file-commands';
import type { Command } from '../../src/cli/command';
import { formatConfigFile, parseConfigFile, restorableNetns } from '../../src/cli/config-file';
import type { Output } from '../../src/cli/output';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'falconctl.js');

const CONFIG: FalconConfig = {
  enabled: true, cpus: [0, 1, 2, 3], mode: 'stage', policy: 'balanced', threshold: 80, hysteresis: 20, intervalMs: 12,
  queueLimit: 1000, nrCpuIds: 4, onlineCpus: [0, 1, 2, 3], tickMs: 4,
};

function attachment(a: Partial<Attachment> & Pick<Attachment, 'ifname' | 'stage'>): Attachment {
  return { ifindex: 2, netnsCookie: 1, netnsInum: 4026531840, ...a };
}

describe('config file: parse', () => {
  it('reads set and attach lines, comments and blanks, as one change', () => {
    const r = parseConfigFile([
      '# saved', '', 'set enabled off', 'set cpus 1-3 mode paper   # trailing comment', 'set policy static',
      'set threshold 70%', 'set hysteresis 0', 'set interval 20ms', 'set queue-limit 65536',
      'attach eth0 --stage 0', '  attach vx0 --netns h2 --cpus 1,3 --stage 1', 'attach eth0 --netns /run/netns/h2c1',
    ].join('\n'));
    assert.ok(r.ok);
    assert.deepEqual(r.file.change, {
      enabled: false, cpus: [1, 2, 3], mode: 'paper', policy: 'static', threshold: 70, hysteresis: 0, intervalMs: 20, queueLimit: 65536,
    });
    assert.deepEqual([...r.file.setLines], [['enabled', 3], ['cpus', 4], ['mode', 4], ['policy', 5], ['threshold', 6], ['hysteresis', 7], ['interval', 8], ['queue-limit', 9]]);
    assert.deepEqual(r.file.attachments, [
      { line: 10, ifname: 'eth0', stage: 0 },
      { line: 11, ifname: 'vx0', netns: 'h2', cpus: [1, 3], stage: 1 },
      { line: 12, ifname: 'eth0', netns: '/run/netns/h2c1' },
    ]);
  });

  it('accepts on/off, yes/no and 1/0 for enabled', () => {
    for (const [text, value] of [['on', true], ['yes', true], ['1', true], ['off', false], ['no', false], ['0', false]] as const) {
      const r = parseConfigFile(`set enabled ${text}`);
      assert.ok(r.ok);
      assert.equal(r.file.change.enabled, value);
    }
  });

  it('reports every bad line with its number, range checks included', () => {
    const r = parseConfigFile([
      'set threshold 101', 'set mode fast', 'frob x', 'attach vx0 --stage 256', 'set interval 2', 'set queue-limit 0',
      'set cpus 3-1', 'set cpus ""', 'attach', 'attach a b', 'attach eth0 --bogus 1', 'set hysteresis', 'set enabled maybe',
      'set bogus 1', 'attach averyveryverylongname0', 'attach x --cpus 1-', 'set threshold 50', 'set threshold 60',
      'attach lo', 'attach lo --stage 3', 'attach eth0 --netns h2', 'attach eth0 --netns /run/netns/h2',
    ].join('\n'));
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22]);
    const byLine = new Map(r.errors.map((e) => [e.line, e.message]));
    assert.equal(byLine.get(1), 'threshold must be 0-100, got "101"');
    assert.equal(byLine.get(2), 'mode must be stage or paper, got "fast"');
    assert.match(byLine.get(3) ?? '', /^unknown statement "frob"/);
    assert.equal(byLine.get(4), 'stage must be 0-255, got "256"');
    assert.equal(byLine.get(5), 'interval must be 4-10000, got "2"');
    assert.equal(byLine.get(6), 'queue-limit must be 1-65536, got "0"');
    assert.match(byLine.get(7) ?? '', /^cpus: invalid CPU list "3-1"/);
    assert.match(byLine.get(11) ?? '', /unknown option "--bogus"/);
    assert.match(byLine.get(14) ?? '', /^unknown setting "bogus"/);
    assert.equal(byLine.get(18), 'threshold is set twice (first on line 17)');
    assert.equal(byLine.get(20), 'lo is attached twice (first on line 19)');
    assert.equal(byLine.get(22), 'eth0 (netns /run/netns/h2) is attached twice (first on line 21)');
  });

  it('an empty file is a valid file that changes nothing', () => {
    const r = parseConfigFile('# nothing\n\n');
    assert.ok(r.ok);
    assert.deepEqual(r.file.change, {});
    assert.equal(r.file.attachments.length, 0);
  });
});

describe('config file: format', () => {
  const date = new Date('2026-01-02T03:04:05Z');

  it('writes every setting, then attachments in stage order; parses back to the same', () => {
    const text = formatConfigFile({ ...CONFIG, enabled: false, cpus: [1, 2, 3, 5] }, [
      attachment({ ifname: 'eth0', netns: 'h2c1', stage: 2 }),
      attachment({ ifname: 'eth0', stage: 0, cpus: [0, 1] }),
      attachment({ ifname: 'vx0', netns: 'h2', stage: 1, cpus: [1, 2, 3] }),
    ], { version: '9.9.9', date });
    assert.equal(text, [
      '# Falcon configuration: falconctl show --config; restore it with falconctl apply -f <file>',
      '# written by falconctl 9.9.9 on 2026-01-02T03:04:05.000Z',
      'set enabled off', 'set cpus 1-3,5', 'set mode stage', 'set policy balanced', 'set threshold 80', 'set hysteresis 20',
      'set interval 12', 'set queue-limit 1000',
      'attach eth0 --cpus 0-1 --stage 0', 'attach vx0 --netns h2 --cpus 1-3 --stage 1', 'attach eth0 --netns h2c1 --stage 2', '',
    ].join('\n'));
    const back = parseConfigFile(text);
    assert.ok(back.ok);
    assert.deepEqual(back.file.change, {
      enabled: false, cpus: [1, 2, 3, 5], mode: 'stage', policy: 'balanced', threshold: 80, hysteresis: 20, intervalMs: 12, queueLimit: 1000,
    });
    assert.equal(back.file.attachments.length, 3);
  });

  it('comments out attachments whose namespace cannot be named later', () => {
    assert.ok(restorableNetns(undefined) && restorableNetns('h2') && restorableNetns('/var/run/netns/x'));
    assert.ok(!restorableNetns('/proc/123/ns/net') && !restorableNetns('netns:[4026532001]'));
    const text = formatConfigFile(CONFIG, [
      attachment({ ifname: 'eth0', netns: '/proc/123/ns/net', stage: 0 }),
      attachment({ ifname: 'eth1', netns: 'netns:[4026532001]', stage: 1 }),
    ], { version: '1', date });
    assert.match(text, /^# attach eth0 --netns \/proc\/123\/ns\/net --stage 0 {3}# not restorable: .*ip netns attach <name> 123/m);
    assert.match(text, /^# attach eth1 --netns netns:\[4026532001\] --stage 1 {3}# not restorable: .*no name and no process/m);
    const back = parseConfigFile(text);
    assert.ok(back.ok);
    assert.equal(back.file.attachments.length, 0);
  });
});

/** Captured output of one command. */
interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as falconctl's main does (check, run, exit status), on a shared mock host. */
async function run(falcon: MockFalcon, command: Command, argv: string[], json = false): Promise<Ran> {
  const r: Ran = { status: 0, stdout: '', stderr: '' };
  const out: Output = {
    json, pretty: false, colour: false,
    write: (t) => { r.stdout += t; },
    writeErr: (t) => { r.stderr += t; },
  };
  try {
    const args = parseArgs(argv, command.options);
    command.check?.(args);
    if (command.needsFalcon === false) throw new Error(`${command.name} does not run on a Falcon`);
    await command.run({ falcon, out, args });
  } catch (err) {
    if (err instanceof ExitStatus) r.status = err.status;
    else if (err instanceof UsageError) {
      r.status = 1;
      r.stderr += `Error: ${err.message}.\n`;
    } else {
      r.status = 2;
      r.stderr += `Error: ${(err as Error).message}.\n`;
    }
  }
  return r;
}

/** show --config without its date line. */
function undated(text: string): string {
  return text.split('\n').filter((l) => !l.startsWith('# written by')).join('\n');
}

describe('falconctl apply / show --config (one mock host)', () => {
  let falcon: MockFalcon;
  let dir: string;
  beforeEach(async () => {
    falcon = await openFalcon({ backend: 'mock' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-conf-'));
  });
  afterEach(async () => {
    await falcon.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('round-trips: show, change things, apply, show again', async () => {
    await falcon.setConfig({ enabled: false, cpus: '1-3', mode: 'paper', policy: 'static', threshold: 60, hysteresis: 5, intervalMs: 40, queueLimit: 300 });
    await falcon.attach({ ifname: 'w2', netns: 'h2', stage: 0 });
    await falcon.attach({ ifname: 'vx0', netns: 'h2', cpus: '1-2', stage: 1 });
    await falcon.attach({ ifname: 'eth0', netns: 'h2c1', cpus: [3], stage: 2 });
    const saved = await run(falcon, show, ['--config']);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /^set enabled off\nset cpus 1-3\nset mode paper\nset policy static\nset threshold 60\nset hysteresis 5\nset interval 40\nset queue-limit 300\nattach w2 --netns h2 --stage 0\nattach vx0 --netns h2 --cpus 1-2 --stage 1\nattach eth0 --netns h2c1 --cpus 3 --stage 2\n$/m);
    const file = write('falcon.conf', saved.stdout);

    // Change everything: other settings, one attachment gone, one with other cpus, an extra one.
    await falcon.setConfig({ enabled: true, cpus: '0-3', mode: 'stage', policy: 'balanced', threshold: 80, hysteresis: 20, intervalMs: 12, queueLimit: 1000 });
    await falcon.detach({ ifname: 'w2', netns: 'h2' });
    await falcon.detach({ ifname: 'vx0', netns: 'h2' });
    await falcon.attach({ ifname: 'vx0', netns: 'h2', stage: 5 });
    await falcon.attach({ ifname: 'lo' });

    const applied = await run(falcon, apply, ['-f', file]);
    assert.equal(applied.status, 0, applied.stderr);
    assert.equal(applied.stderr, '');
    assert.match(applied.stdout, /falcon\.conf:11: w2 \(netns h2\): attached \(stage 0, cpus global\)/);
    assert.match(applied.stdout, /falcon\.conf:12: vx0 \(netns h2\): reattached \(stage 1, cpus 1-2\)/);
    assert.match(applied.stdout, /falcon\.conf:13: eth0 \(netns h2c1\): unchanged \(stage 2, cpus 3\)/);

    // lo is not in the file: left alone. Without it, the state is the saved one.
    await falcon.detach({ ifname: 'lo' });
    const again = await run(falcon, show, ['--config']);
    assert.equal(undated(again.stdout), undated(saved.stdout));

    // Applying the same file again is a no-op: every line unchanged.
    const twice = await run(falcon, apply, ['-f', file], true);
    assert.equal(twice.status, 0);
    const summary = JSON.parse(twice.stdout) as { attachments: Array<{ result: string }>; config: { threshold: number } };
    assert.deepEqual(summary.attachments.map((a) => a.result), ['unchanged', 'unchanged', 'unchanged']);
    assert.equal(summary.config.threshold, 60);
  });

  it('a missing device or namespace is a per-line error, exit 2, and the rest applies', async () => {
    const file = write('f.conf', 'set threshold 55\nattach vx0 --netns h2 --stage 1\nattach nosuch0 --netns h2\nattach eth0 --netns nowhere\nattach w2 --netns h2\n');
    const r = await run(falcon, apply, ['-f', file]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, [
      `${file}:3: nosuch0 (netns h2): no such device`,
      `${file}:4: eth0 (netns nowhere): no such network namespace`,
      'Error: 2 of 4 attach lines failed; the rest applied.', '',
    ].join('\n'));
    assert.equal((await falcon.getConfig()).threshold, 55);
    assert.deepEqual((await falcon.devices()).map((a) => `${a.ifname}@${a.netns}`).sort(), ['vx0@h2', 'w2@h2']);

    const j = await run(falcon, apply, ['-f', file], true);
    assert.equal(j.status, 2);
    assert.equal(j.stderr, '', 'under -j everything is in the summary');
    const s = JSON.parse(j.stdout) as { attachments: Array<Record<string, unknown>> };
    assert.deepEqual(s.attachments.map((a) => [a.line, a.ifname, a.netns, a.result, (a.error as { code?: string } | null)?.code ?? null]), [
      [2, 'vx0', 'h2', 'unchanged', null], [3, 'nosuch0', 'h2', 'error', 'ENODEV'], [4, 'eth0', 'nowhere', 'error', 'ENOENT'], [5, 'w2', 'h2', 'unchanged', null],
    ]);

    const ok = await run(falcon, apply, ['--missing-ok', '-f', file]);
    assert.equal(ok.status, 0, '--missing-ok: what does not exist is skipped');
    assert.match(ok.stderr, /:3: nosuch0 \(netns h2\): no such device \(skipped\)\n/);
  });

  it('a bad value anywhere, or a refused configuration, changes nothing', async () => {
    const before = await falcon.getConfig();
    const bad = write('bad.conf', 'set threshold 10\nattach vx0 --netns h2\nset threshold 101\n');
    const r = await run(falcon, apply, ['-f', bad]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `Error: ${bad}:3: threshold must be 0-100, got "101"; nothing applied.\n`);
    // The kernel's own checks (here: an interval that is not a whole number of ticks) apply nothing either.
    const refused = write('refused.conf', 'set threshold 10\nset interval 6\nattach vx0 --netns h2\n');
    const k = await run(falcon, apply, ['-f', refused]);
    assert.equal(k.status, 2);
    assert.match(k.stderr, /refused\.conf:2: interval-ms must be a multiple of the tick length \(attribute "interval-ms"\)\n/);
    assert.deepEqual(await falcon.getConfig(), before);
    assert.deepEqual(await falcon.devices(), []);
  });

  it('--prune detaches what the file does not name; stdin works', async () => {
    await falcon.attach({ ifname: 'lo' });
    await falcon.attach({ ifname: 'vx0', netns: 'h1' });
    const file = write('p.conf', 'attach vx0 --netns /run/netns/h1\n');
    const r = await run(falcon, apply, ['--prune', '-f', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /p\.conf:1: vx0 \(netns \/run\/netns\/h1\): unchanged/);
    assert.match(r.stdout, /^lo: detached \(not in .*p\.conf\)$/m);
    assert.deepEqual((await falcon.devices()).map((a) => a.ifname), ['vx0']);
  });

  it('show needs --config; apply needs -f', async () => {
    assert.equal((await run(falcon, show, [])).status, 1);
    assert.equal((await run(falcon, apply, [])).status, 1);
    const r = await run(falcon, apply, ['-f', path.join(dir, 'absent.conf')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot read .*absent\.conf: ENOENT/);
    const j = JSON.parse((await run(falcon, show, ['--config'], true)).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j), ['config', 'attachments']);
  });
});

describe('falconctl apply / show (the built script)', function () {
  this.timeout(60000);
  const cli = (args: string[], input?: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });

  it('show --config of a fresh host applies cleanly from stdin', () => {
    const shown = cli(['--mock', 'show', '--config']);
    assert.equal(shown.status, 0);
    const applied = cli(['--mock', 'apply', '-f', '-'], String(shown.stdout));
    assert.equal(applied.status, 0, String(applied.stderr));
    assert.match(String(applied.stdout), /^<stdin>: configuration applied \(enabled, cpus, mode, policy, threshold, hysteresis, interval, queue-limit\)\n$/);
  });

  it('exits 1 on a bad file (without the module), 2 on a missing device', () => {
    const bad = cli(['apply', '-f', '-'], 'set mode fast\nattach\n');
    assert.equal(bad.status, 1);
    assert.equal(String(bad.stderr), "Error: 2 errors in <stdin>, nothing applied:\n<stdin>:1: mode must be stage or paper, got \"fast\"\n<stdin>:2: attach needs exactly one <ifname>.\nTry 'falconctl apply --help'.\n");
    const missing = cli(['--mock', 'apply', '-f', '-'], 'attach nosuch0\n');
    assert.equal(missing.status, 2);
    assert.equal(String(missing.stderr), '<stdin>:1: nosuch0: no such device\nError: 1 of 1 attach lines failed; the rest applied.\n');
  });
});
