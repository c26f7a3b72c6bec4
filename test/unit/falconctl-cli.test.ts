// falconctl's command line (issue 15): help never acts, a closed or full
// stdout, --batch on one session, help topics, --watch rates, messages that
// say what is wrong. Mostly the built script, spawned; --watch in-process
// with a clock of its own.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Falcon, Stats } from '../../src/api/types';
import { splitLine } from '../../src/cli/batch';
import { COMMANDS } from '../../src/cli/falconctl';
import { commandHelp } from '../../src/cli/help';
import type { Output } from '../../src/cli/output';
import { cpuRates, watch } from '../../src/cli/stats-commands';
import { parseArgs, UsageError } from '../../src/args/parse';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'falconctl.js');
const ENV = { ...process.env, NO_COLOR: '1' };

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: readonly string[], input?: string): Ran {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: ENV, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (r: { stderr: string }): void => assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${r.stderr}`);
/** Without the module a command that opens Falcon exits 2; help (exit 0) never opens it. */
const moduleAbsent = !fs.existsSync('/sys/module/falcon');

describe('falconctl: help never acts', function () {
  this.timeout(60000);

  it('-h or --help anywhere, global or after the command, prints the help and exits 0', () => {
    for (const args of [
      ['-h', 'attach', 'eth0'], ['--help', 'attach', 'eth0'], ['attach', 'eth0', '-h'], ['attach', '--help', 'eth0'], ['-jh', 'attach', 'eth0'],
      ['attach', '--bogus', 'eth0', '-h'], ['--bogus', 'attach', 'eth0', '-h'], ['attach', 'help'], ['help', 'attach'],
    ]) {
      for (const mock of [[], ['--mock']]) {
        const r = run([...mock, ...args]);
        assert.equal(r.status, 0, `${[...mock, ...args].join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /^Usage: falconctl attach <ifname>/, args.join(' '));
        assert.doesNotMatch(r.stdout, /attached/);
        assert.equal(r.stderr, '', 'nothing opened, nothing refused');
      }
    }
    const top = run(['--mock', '--help', 'status']);
    assert.match(top.stdout, /^Usage: falconctl status/);
    assert.match(run(['-h']).stdout, /^Usage: falconctl \[-j\|--json\]/);
    assert.match(run(['--mock', '-b', '/nonexistent', '-h']).stdout, /^Usage: falconctl \[-j\|--json\]/);
  });

  it('a global -h does not attach on the mock, and neither does a batch line with -h', () => {
    const r = run(['--mock', '--batch', '-'], 'attach eth0 -h\nattach help\ndevices\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: falconctl attach/);
    assert.match(r.stdout, /^IFINDEX\s+IFNAME\s+NETNS\s+STAGE\s+CPUS\n$/m);
    assert.ok(r.stdout.endsWith('IFINDEX  IFNAME  NETNS  STAGE  CPUS\n'), r.stdout);
  });

  it('-h after -- is an operand, not help', () => {
    const r = run(['--mock', 'attach', '--', '-h']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no such device/);
  });

  it('without the module, help still works and the command would not', function () {
    if (!moduleAbsent) this.skip();
    assert.equal(run(['attach', 'eth0']).status, 2);
    assert.equal(run(['-h', 'attach', 'eth0']).status, 0);
  });
});

describe('falconctl: stdout that closes or fills', function () {
  this.timeout(60000);

  /** Spawns falconctl with stdout a pipe whose reader goes away after `after` bytes (0: at once). */
  function closedEarly(args: readonly string[], after: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      let seen = 0;
      let stderr = '';
      if (after === 0) child.stdout.destroy();
      else {
        child.stdout.on('data', (d: Buffer) => {
          seen += d.length;
          if (seen >= after) child.stdout.destroy();
        });
      }
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr });
      });
    });
  }

  it('a reader that goes away (EPIPE) ends output quietly with status 0, --watch included', async () => {
    for (const [args, after] of [
      [['--mock', 'stats'], 0], [['--mock', 'status'], 0], [['-j', '--mock', 'stats'], 0],
      [['--mock', 'stats', '--watch', '0.1'], 1], [['-j', '--mock', 'stats', '--watch', '0.1'], 1],
    ] as const) {
      const r = await closedEarly(args, after);
      assert.equal(r.signal, null, `${args.join(' ')}: stopped on its own, not killed`);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', args.join(' '));
    }
  });

  it('a full device (ENOSPC) is one error line on stderr and exit 2, --watch included', async () => {
    for (const args of [['--mock', 'stats'], ['-j', '--mock', 'status'], ['--mock', 'stats', '--watch', '0.1'], ['--mock', 'help']]) {
      const full = fs.openSync('/dev/full', 'w');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
      fs.closeSync(full);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, 'Error: cannot write to standard output: no space left on device (ENOSPC).\n', args.join(' '));
    }
  });
});

describe('falconctl --batch', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'falconctl-batch-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  it('splits lines into words: blanks, quotes, escapes, comments', () => {
    assert.deepEqual(splitLine('  attach vx0 --netns h1  # the VXLAN'), ['attach', 'vx0', '--netns', 'h1']);
    assert.deepEqual(splitLine('# all comment'), []);
    assert.deepEqual(splitLine(''), []);
    assert.deepEqual(splitLine(`set cpus "1-3" mode 'stage' a\\ b x#y "q\\"q"`), ['set', 'cpus', '1-3', 'mode', 'stage', 'a b', 'x#y', 'q"q']);
    assert.deepEqual(splitLine('attach ""'), ['attach', '']);
    assert.throws(() => splitLine('attach "eth0'), UsageError);
  });

  it('runs every line in one session: the mock keeps what a line did', () => {
    const f = file('ok.batch', '# the overlay\n\nattach vx0 --netns h1 --stage 1   # VXLAN\nattach "eth0"\nset mode paper\n  devices\nstatus\n');
    const r = run(['--mock', '--batch', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^4\s+vx0\s+h1\s+1\s+global$/m);
    assert.match(r.stdout, /^2\s+eth0\s+-\s+0\s+global$/m);
    assert.match(r.stdout, /^mode\s+paper$/m);
    const j = run(['-j', '--mock', '-b', '-'], 'attach lo\ndevices\n');
    assert.equal(j.status, 0, j.stderr);
    const lines = j.stdout.trim().split('\n');
    assert.equal((JSON.parse(lines[1] ?? '') as unknown[]).length, 1);
  });

  it('stops at the first failing line with <file>:<line>: <error> and its status; --force goes on, exiting with the worst', () => {
    const f = file('bad.batch', 'attach eth0\nset threshold 101\nattach lo\nset bogus 1\ndevices\n');
    const r = run(['--mock', '-b', f]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `${f}:2: integer out of range: threshold must be 0-100 (attribute "threshold")\n`);
    assert.doesNotMatch(r.stdout, /attached lo/);
    const forced = run(['--mock', '-b', f, '--force']);
    assert.equal(forced.status, 2, 'the worst of 2 and 1');
    assert.equal(forced.stderr, `${f}:2: integer out of range: threshold must be 0-100 (attribute "threshold")\n${f}:4: unknown setting "bogus" (cpus, mode, policy, threshold, hysteresis, interval, queue-limit)\n`);
    assert.match(forced.stdout, /attached lo/);
    assert.match(forced.stdout, /^1\s+lo\s/m);
    const usage = run(['--mock', '-b', '-'], 'status\nattach\nstatus\n');
    assert.equal(usage.status, 1);
    assert.equal(usage.stderr, '<stdin>:2: attach needs exactly one <ifname>\n');
    const j = run(['-j', '--mock', '-b', '-'], 'nosuch\n');
    assert.equal(j.status, 1);
    assert.deepEqual(JSON.parse(j.stdout), { error: { code: 'EINVAL', message: 'unknown command "nosuch"', file: '<stdin>', line: 1 } });
  });

  it('refuses a command besides --batch, --force without it, and a file it cannot read', () => {
    for (const [args, message] of [
      [['--mock', '-b', '-', 'status'], /--batch takes no command/],
      [['--mock', '--force', 'status'], /--force goes with --batch/],
      [['--mock', '-b', path.join(dir, 'absent')], /cannot read .*absent: ENOENT/],
      [['--mock', '-b'], /option --batch needs a value/],
    ] as const) {
      const r = run(args, '');
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      noStack(r);
    }
  });

  it('is in the help', () => {
    const help = run(['--help']).stdout;
    assert.match(help, /-b, --batch <file\|->/);
    assert.match(help, /--force/);
    assert.match(help, /<file>:<line>: <error>/);
  });
});

describe('falconctl: help topics and hints', function () {
  this.timeout(60000);

  it('help with an unknown command says so and exits 1; a hint is given once', () => {
    const r = run(['help', 'nosuch']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'Error: unknown command "nosuch".\nTry \'falconctl --help\'.\n');
    assert.equal(r.stdout, '');
    const u = run(['nosuch']);
    assert.equal(u.status, 1);
    assert.equal(u.stderr, 'Error: unknown command "nosuch".\nTry \'falconctl --help\'.\n');
    assert.equal(run(['help']).status, 0);
    assert.equal(run(['help', 'attach', 'extra']).status, 1);
  });

  it('every option of every command has a one-line description in its help', () => {
    for (const c of COMMANDS) {
      const help = commandHelp(c);
      for (const o of c.options) {
        assert.ok(o.description.trim() !== '', `${c.name} --${o.name}`);
        assert.match(help, new RegExp(`--${o.name}(?: \\S+)?  +\\S`), `${c.name} --${o.name} in:\n${help}`);
      }
      assert.match(help, /-h, --help +this help/);
    }
  });
});

describe('falconctl stats --watch', function () {
  this.timeout(60000);

  function sample(n: number): Stats {
    return {
      cpus: [0, 1].map((cpu) => ({
        cpu, enqueued: n * 1000, processed: n * 500, dropped: n, purged: 0, kicks: n * 10, queueHwm: 0, queueLen: 3, load: 40, pinned: false,
      })),
      devices: [],
    };
  }

  it('divides by the time measured between samples', () => {
    const rows = cpuRates(sample(1), sample(2), 0.5);
    assert.deepEqual(rows[0], { cpu: 0, enqueued_pps: 2000, processed_pps: 1000, dropped_pps: 2, kicks_ps: 20, queue_len: 3, load: 40 });
  });

  it('rates in the loop use elapsed time, not the nominal interval', async () => {
    // Each dump takes 400 ms of our clock: the interval is 0.1 s, the samples are 0.5 s apart.
    let now = 0;
    let n = 0;
    const falcon = {
      stats: async (): Promise<Stats> => {
        now += 400;
        return sample(n++);
      },
    } as unknown as Falcon;
    const lines: string[] = [];
    let closed: (() => void) | undefined;
    const out: Output = {
      json: true, pretty: false, colour: false,
      write: (t) => {
        lines.push(t);
        if (lines.length === 2) closed?.();
      },
      writeErr: () => undefined,
      onClosed: (listener) => {
        closed = listener;
        return () => {
          closed = undefined;
        };
      },
    };
    await watch({ falcon, out, args: parseArgs([], []) }, 0.1, () => {
      now += 100; // the timer's 100 ms
      return now;
    });
    assert.equal(lines.length, 2, 'stops when the output closes');
    const first = JSON.parse(lines[0] ?? '') as { interval_s: number; elapsed_s: number; cpus: Array<{ enqueued_pps: number }> };
    assert.equal(first.interval_s, 0.1);
    assert.equal(first.elapsed_s, 0.5);
    assert.equal(first.cpus[0]?.enqueued_pps, 2000, 'not 10000: 1000 packets over 0.5 s');
  });

  it('refuses intervals below 0.1 s and anything but decimal seconds, naming the limit', () => {
    for (const bad of ['1e-3', '0.05', '0', '0x1', '-1', 'Infinity', '3601']) {
      const r = run(['--mock', 'stats', `--watch=${bad}`]);
      assert.equal(r.status, 1, bad);
      assert.match(r.stderr, /^Error: --watch (needs a decimal number from 0\.1 to|must be between 0\.1 and) 3600 seconds, got "/, bad);
      noStack(r);
    }
  });
});

describe('falconctl: messages that say what is wrong', function () {
  this.timeout(60000);

  it('a device name longer than IFNAMSIZ - 1 is a usage error naming the limit', () => {
    for (const args of [['attach', 'abcdefghijklmnop'], ['detach', 'abcdefghijklmnop'], ['pick', '--dev', 'abcdefghijklmnop', '--hash', '1']]) {
      const r = run(['--mock', ...args]);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /^Error: ifname "abcdefghijklmnop" is longer than 15 characters \(IFNAMSIZ - 1\)\.\n/);
    }
    assert.equal(run(['--mock', 'attach', 'abcdefghijklmno']).status, 2, '15 characters go to the kernel (no such device)');
  });

  it("the kernel's ERANGE names the range from the request policies", () => {
    const pin = run(['--mock', 'pin', '1', '101']);
    assert.equal(pin.status, 2);
    assert.equal(pin.stderr, 'Error: integer out of range: load must be 0-100 (attribute "load").\n');
    const stage = run(['-j', '--mock', 'attach', 'eth0', '--stage', '256']);
    assert.deepEqual(JSON.parse(stage.stdout), { error: { code: 'ERANGE', message: 'integer out of range: stage must be 0-255', attribute: 'stage' } });
  });

  it('a missing namespace is named with its path, not blamed on netns-fd', () => {
    const r = run(['--mock', 'attach', 'eth0', '--netns', 'nosuch']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'Error: network namespace "nosuch" not found (/run/netns/nosuch).\n');
    const p = run(['--mock', 'pick', '--dev', 'eth0', '--netns', '/proc/999999999/ns/net', '--hash', '1']);
    assert.equal(p.stderr, 'Error: network namespace "/proc/999999999/ns/net" not found.\n');
    const j = run(['-j', '--mock', 'detach', 'eth0', '--netns', 'nosuch']);
    assert.deepEqual(JSON.parse(j.stdout), { error: { code: 'ENOENT', message: 'network namespace "nosuch" not found (/run/netns/nosuch)', attribute: 'netns-fd' } });
  });
});
