// falconctl as a user runs it: the built script spawned with --mock (and
// without, where no module is loaded): output formats, exit codes, help,
// errors without stack traces.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'falconctl.js');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('falconctl', function () {
  this.timeout(60000);

  it('starts with a node shebang', () => {
    assert.match(fs.readFileSync(CLI, 'utf8').split('\n')[0] ?? '', /^#!\/usr\/bin\/env node$/);
  });

  it('prints the configuration as a table and as JSON with stable keys', () => {
    const human = run('--mock', 'status');
    assert.equal(human.status, 0);
    assert.match(human.stdout, /^enabled\s+yes$/m);
    assert.match(human.stdout, /^cpus\s+0-3$/m);
    const json = run('-j', '--mock', 'status');
    assert.equal(json.status, 0);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout) as object), [
      'enabled', 'cpus', 'mode', 'policy', 'threshold', 'hysteresis', 'interval_ms', 'queue_limit', 'nr_cpu_ids', 'online_cpus', 'tick_ms',
    ]);
    const pretty = run('-j', '-p', '--mock', 'status');
    assert.ok(pretty.stdout.includes('\n  "enabled": true'));
  });

  it('prints help at every level and the version', () => {
    const top = run('--help');
    assert.equal(top.status, 0);
    for (const c of ['status', 'enable', 'disable', 'set', 'attach', 'detach', 'devices', 'stats', 'pick', 'pin', 'unpin']) {
      assert.match(top.stdout, new RegExp(`^  ${c}\\b`, 'm'));
      const sub = run(c, '--help');
      assert.equal(sub.status, 0, c);
      assert.match(sub.stdout, new RegExp(`^Usage: falconctl ${c}`, 'm'));
    }
    assert.match(run('help', 'attach').stdout, /--netns/);
    assert.match(run('--version').stdout, /^falconctl \d+\.\d+\.\d+\n$/);
  });

  it('exits 1 on usage errors, with a hint and no stack trace', () => {
    for (const args of [[], ['frob'], ['--mock', 'set', 'bogus', '1'], ['--mock', 'set', 'mode', 'fast'], ['--mock', 'pick', '--dev', 'eth0'],
      ['--mock', 'pin', '1'], ['--mock', 'attach'], ['--mock', 'set', 'cpus', '3-1'], ['--bogus', 'status'], ['--mock', 'stats', '--watch', 'x']]) {
      const r = run(...args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const r = run('--mock', 'set', 'bogus', '1');
    assert.match(r.stderr, /^Error: unknown setting "bogus".*\.\nTry 'falconctl set --help'\.\n$/);
  });

  it('exits 2 on kernel errors, with the kernel message and the attribute', () => {
    const r = run('--mock', 'set', 'threshold', '101');
    assert.equal(r.status, 2);
    // The kernel's ERANGE with the range its policy states (REQUEST_POLICIES), from the CLI.
    assert.equal(r.stderr, 'Error: integer out of range: threshold must be 0-100 (attribute "threshold").\n');
    const j = run('-j', '--mock', 'attach', 'nosuch0');
    assert.equal(j.status, 2);
    assert.deepEqual(JSON.parse(j.stdout), { error: { code: 'ENODEV', message: 'no such device in that network namespace', attribute: 'ifname' } });
    const ns = run('--mock', 'attach', 'eth0', '--netns', 'nowhere');
    assert.equal(ns.status, 2);
    assert.match(ns.stderr, /^Error: .*nowhere.*\.\n$/);
  });

  it('never falls back to the mock: without the module it exits 2 saying how to load it', function () {
    if (fs.existsSync('/sys/module/falcon')) this.skip();
    const r = run('status');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^Error: .*insmod.*falcon\.ko.*\.\n$/);
    assert.equal(r.stdout, '');
  });

  it('attaches, lists, picks and shows stats on the mock overlay', () => {
    const a = run('-j', '--mock', 'attach', 'vx0', '--netns', 'h1', '--cpus', '1-3', '--stage', '2');
    assert.equal(a.status, 0, a.stderr);
    // netns: the name --netns takes back; stable keys (cpus null when global)
    assert.deepEqual(JSON.parse(a.stdout), { ifindex: 4, ifname: 'vx0', netns: 'h1', netns_cookie: 2, netns_inum: 4026531841, stage: 2, cpus: [1, 2, 3] });
    assert.deepEqual(JSON.parse(run('-j', '--mock', 'attach', 'lo').stdout).cpus, null);
    assert.deepEqual(JSON.parse(run('-j', '--mock', 'attach', 'lo').stdout).netns, null);
    assert.match(run('--mock', 'attach', 'eth0').stdout, /^attached eth0 \(ifindex 2\) stage 0, cpus global\n$/);
    // Each --mock run is a fresh host: nothing stays attached.
    assert.deepEqual(JSON.parse(run('-j', '--mock', 'devices').stdout), []);
    assert.match(run('--mock', 'devices').stdout, /^IFINDEX\s+IFNAME\s+NETNS\s+STAGE\s+CPUS\n$/);
    const p = run('--mock', 'pick', '--dev', 'eth0', '--hash', '1');
    assert.equal(p.status, 2, 'eth0 is not attached in a fresh mock');
    assert.match(p.stderr, /device is not attached/);
    const s = JSON.parse(run('-j', '--mock', 'stats', '--reset').stdout) as { cpus: unknown[]; devices: unknown[] };
    assert.equal(s.cpus.length, 4);
    assert.match(run('--mock', 'stats').stdout, /^CPU\s+ENQUEUED\s+PROCESSED/);
    for (const args of [['enable'], ['disable'], ['pin', '1', '50'], ['unpin'], ['unpin', '1'], ['set', 'mode', 'paper', 'policy', 'static']]) {
      const r = run('--mock', ...args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    assert.equal(run('--mock', 'pin', '4', '50').status, 2);
  });

  it('redraws per-CPU rates under --watch until interrupted', async () => {
    const child = spawn(process.execPath, [CLI, '-j', '--mock', 'stats', '--watch', '0.2'], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    // Wait for two redraws (node may start slowly on a busy machine), then interrupt.
    while (stdout.split('\n').length < 3) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.ok(lines.length >= 2, stdout);
    const first = JSON.parse(lines[0] ?? '') as { interval_s: number; cpus: Array<{ cpu: number }> };
    assert.equal(first.interval_s, 0.2);
    assert.equal(first.cpus.length, 4);
  });
});
