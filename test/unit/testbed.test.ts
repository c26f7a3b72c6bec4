import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { parseArgs } from '../../src/testbed/args';
import { ConsoleSplitter, MarkerEvent } from '../../src/testbed/console';
import { readCpio, writeCpio } from '../../src/testbed/cpio';
import { TestbedError } from '../../src/testbed/errors';
import { envScript, initScript, runScript } from '../../src/testbed/guest-init';
import { contentKey, ensureInitramfs, initramfsContents } from '../../src/testbed/initramfs';
import { compareVersions, discoverKernel, KernelRoots } from '../../src/testbed/kernel';
import { loadModuleIndex, moduleName, parseModulesDep, readModuleFile, resolveModules } from '../../src/testbed/modules';
import { kernelCmdline, qemuArgs } from '../../src/testbed/qemu';
import { shQuote } from '../../src/testbed/shell';
import { findSplats, matchSplatLine } from '../../src/testbed/splat';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-testbed-unit-'));
}

/** A fake /boot, /lib/modules and /usr/src for kernel discovery. */
function fakeRoots(versions: { v: string; modules?: boolean; headers?: boolean }[]): { roots: KernelRoots; dir: string } {
  const dir = tmpdir();
  const roots = { boot: path.join(dir, 'boot'), modules: path.join(dir, 'lib/modules'), headers: path.join(dir, 'usr/src') };
  for (const p of Object.values(roots)) fs.mkdirSync(p, { recursive: true });
  for (const { v, modules = true, headers = true } of versions) {
    fs.writeFileSync(path.join(roots.boot, `vmlinuz-${v}`), '');
    if (modules) {
      fs.mkdirSync(path.join(roots.modules, v), { recursive: true });
      fs.writeFileSync(path.join(roots.modules, v, 'modules.dep'), '');
    }
    if (headers) {
      fs.mkdirSync(path.join(roots.headers, `linux-headers-${v}`), { recursive: true });
      fs.writeFileSync(path.join(roots.headers, `linux-headers-${v}`, 'Makefile'), '');
    }
  }
  return { roots, dir };
}

describe('testbed: argument parsing', () => {
  it('parses run options and the command after --', () => {
    const p = parseArgs(['run', '--cpus', '4', '--memory=2048', '--accel', 'kvm', '--timeout', '60', '--results', 'r', '--no-module', '--', 'sh', '-c', 'echo --cpus']);
    assert.deepStrictEqual(p, {
      verb: 'run', cpus: 4, memoryMb: 2048, accel: 'kvm', tcgThreads: undefined, timeoutS: 60, resultsDir: 'r', module: false,
      kernelVersion: undefined, kernelArgs: [], verbose: false, command: ['sh', '-c', 'echo --cpus'],
    });
  });
  it('takes --module PATH and a command without --', () => {
    const p = parseArgs(['run', '--module', 'x.ko', 'true']);
    assert.ok(p.verb === 'run');
    assert.strictEqual(p.module, 'x.ko');
    assert.deepStrictEqual(p.command, ['true']);
  });
  it('rejects bad input with usage errors (exit 2), not stack traces', () => {
    for (const argv of [['run'], ['run', '--cpus', '0', '--', 'true'], ['run', '--accel', 'hvf', '--', 'x'], ['frob'], ['run', '--bogus'], ['shell', '--', 'ls']]) {
      assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof TestbedError && e.exitCode === 2, argv.join(' '));
    }
  });
  it('takes repeated --append kernel options and refuses one with spaces', () => {
    const p = parseArgs(['run', '--append', 'maxcpus=2', '--append=quiet', '--', 'true']);
    assert.ok(p.verb === 'run');
    assert.deepStrictEqual(p.kernelArgs, ['maxcpus=2', 'quiet']);
    assert.throws(() => parseArgs(['run', '--append', 'a b', '--', 'true']), (e: unknown) => e instanceof TestbedError && e.exitCode === 2);
    assert.strictEqual(kernelCmdline({ runDir: '/r', nonce: 'n', raiseStallTimeouts: false, extra: ['nohz=off'] }).split(' ').pop(), 'nohz=off');
  });
  it('shell and help', () => {
    assert.strictEqual(parseArgs(['shell', '--cpus', '1']).verb, 'shell');
    assert.strictEqual(parseArgs([]).verb, 'help');
    assert.strictEqual(parseArgs(['--help']).verb, 'help');
  });
});

describe('testbed: kernel discovery', () => {
  it('compares versions numerically', () => {
    assert.ok(compareVersions('6.1.0-56-amd64', '6.1.0-9-amd64') > 0);
    assert.ok(compareVersions('6.10.0-1-amd64', '6.9.0-1-amd64') > 0);
    assert.strictEqual(compareVersions('6.1.0-1', '6.1.0-1'), 0);
  });
  it('picks the newest image that has modules, and reports its headers', () => {
    const { roots, dir } = fakeRoots([{ v: '6.1.0-9-amd64' }, { v: '6.1.0-56-amd64' }, { v: '6.1.0-60-amd64', modules: false }]);
    try {
      const k = discoverKernel(undefined, roots);
      assert.strictEqual(k.version, '6.1.0-56-amd64');
      assert.strictEqual(k.vmlinuz, path.join(roots.boot, 'vmlinuz-6.1.0-56-amd64'));
      assert.strictEqual(k.headersDir, path.join(roots.headers, 'linux-headers-6.1.0-56-amd64'));
      assert.strictEqual(discoverKernel('6.1.0-9-amd64', roots).version, '6.1.0-9-amd64');
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
  it('names the setup command when the kernel or its modules are missing', () => {
    const { roots, dir } = fakeRoots([{ v: '6.1.0-1-amd64', modules: false }]);
    try {
      assert.throws(() => discoverKernel(undefined, roots), /npm run setup/);
      assert.throws(() => discoverKernel('7.0', roots), /vmlinuz-7\.0 not found.*npm run setup/);
      assert.throws(() => discoverKernel(undefined, { ...roots, boot: path.join(dir, 'nope') }), /no kernel image.*npm run setup/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

const DEP = `kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/netfs/netfs.ko:
kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko.zst
kernel/drivers/virtio/virtio_ring.ko.zst:
kernel/net/netfilter/nf-tables.ko.gz: kernel/lib/libcrc32c.ko
kernel/lib/libcrc32c.ko:
`;

describe('testbed: module dependencies', () => {
  const index = { ...parseModulesDep(DEP), builtin: new Set(['unix']) };
  it('normalises module names', () => {
    assert.strictEqual(moduleName('kernel/net/netfilter/nf-tables.ko.gz'), 'nf_tables');
    assert.strictEqual(moduleName('9pnet_virtio.ko.xz'), '9pnet_virtio');
  });
  it('orders dependencies first, each module once, whatever the compression', () => {
    assert.deepStrictEqual(resolveModules(index, ['9p', '9pnet-virtio', 'unix']), [
      'kernel/net/9p/9pnet.ko',
      'kernel/fs/netfs/netfs.ko',
      'kernel/fs/fscache/fscache.ko',
      'kernel/fs/9p/9p.ko',
      'kernel/drivers/virtio/virtio_ring.ko.zst',
      'kernel/net/9p/9pnet_virtio.ko.xz',
    ]);
    assert.deepStrictEqual(resolveModules(index, ['nf_tables']), ['kernel/lib/libcrc32c.ko', 'kernel/net/netfilter/nf-tables.ko.gz']);
  });
  it('rejects an unknown module', () => {
    assert.throws(() => resolveModules(index, ['nosuch']), /'nosuch' is neither in modules.dep nor built in/);
  });
  it('names the setup command when modules.dep is missing', () => {
    assert.throws(() => loadModuleIndex('/nonexistent/lib/modules/1.0'), /modules.dep missing.*npm run setup/);
  });
  it('decompresses .ko.gz, .ko.xz and .ko.zst on the host', function () {
    const dir = tmpdir();
    try {
      const payload = Buffer.from('\x7fELF fake module');
      fs.writeFileSync(path.join(dir, 'a.ko'), payload);
      fs.writeFileSync(path.join(dir, 'b.ko.gz'), zlib.gzipSync(payload));
      assert.deepStrictEqual(readModuleFile(path.join(dir, 'a.ko')), payload);
      assert.deepStrictEqual(readModuleFile(path.join(dir, 'b.ko.gz')), payload);
      const { execFileSync } = require('child_process') as typeof import('child_process');
      for (const [tool, ext] of [['xz', 'xz'], ['zstd', 'zst']] as const) {
        let packed: Buffer;
        try {
          packed = execFileSync(tool, ['-c'], { input: payload });
        } catch {
          continue; // tool not installed: covered where it is
        }
        fs.writeFileSync(path.join(dir, `c.ko.${ext}`), packed);
        assert.deepStrictEqual(readModuleFile(path.join(dir, `c.ko.${ext}`)), payload);
      }
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('testbed: initramfs', () => {
  /** A fake modules dir: two modules, one compressed. */
  function fakeModules(): string {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'kernel'));
    fs.writeFileSync(path.join(dir, 'modules.dep'), 'kernel/a.ko: kernel/b.ko.gz\nkernel/b.ko.gz:\n');
    fs.writeFileSync(path.join(dir, 'modules.builtin'), 'kernel/net/unix/unix.ko\n');
    fs.writeFileSync(path.join(dir, 'kernel/a.ko'), 'module a');
    fs.writeFileSync(path.join(dir, 'kernel/b.ko.gz'), zlib.gzipSync('module b'));
    fs.writeFileSync(path.join(dir, 'busybox'), 'fake busybox');
    return dir;
  }

  it('round-trips through the cpio writer', () => {
    const buf = writeCpio([{ type: 'dir', path: 'bin' }, { type: 'file', path: 'bin/x', data: Buffer.from('abc'), mode: 0o755 }]);
    const got = readCpio(buf);
    assert.deepStrictEqual(got.map((e) => e.path), ['bin', 'bin/x']);
    assert.strictEqual(got[1]?.data.toString(), 'abc');
    assert.strictEqual((got[1]?.mode ?? 0) & 0o7777, 0o755);
  });

  it('holds busybox, /init, /dev/console and the modules decompressed, in load order', () => {
    const dir = fakeModules();
    try {
      const c = initramfsContents({ modulesDir: dir, modules: ['a', 'unix'], busybox: path.join(dir, 'busybox') });
      assert.deepStrictEqual(c.loadOrder, ['b.ko', 'a.ko']);
      const entries = readCpio(writeCpio(c.entries));
      const byPath = new Map(entries.map((e) => [e.path, e]));
      assert.strictEqual(byPath.get('bin/busybox')?.data.toString(), 'fake busybox');
      assert.strictEqual(byPath.get('lib/modules/b.ko')?.data.toString(), 'module b');
      assert.strictEqual(byPath.get('modules.load')?.data.toString(), 'b.ko\na.ko\n');
      assert.strictEqual((byPath.get('dev/console')?.mode ?? 0) & 0o170000, 0o020000);
      assert.match(byPath.get('init')?.data.toString() ?? '', /^#!\/bin\/sh/);
      assert.ok(byPath.has('sbin/falcon-modprobe'));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('is cached by content: same inputs reuse the file, changed inputs rebuild', () => {
    const dir = fakeModules();
    try {
      const opts = { modulesDir: dir, modules: ['a'], busybox: path.join(dir, 'busybox'), cacheDir: path.join(dir, 'cache') };
      const first = ensureInitramfs(opts);
      assert.strictEqual(first.built, true);
      const second = ensureInitramfs(opts);
      assert.deepStrictEqual(second, { path: first.path, built: false });
      fs.writeFileSync(path.join(dir, 'kernel/a.ko'), 'module a v2');
      const third = ensureInitramfs(opts);
      assert.strictEqual(third.built, true);
      assert.notStrictEqual(third.path, first.path);
      assert.notStrictEqual(contentKey(initramfsContents(opts)), path.basename(first.path));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('names the package when busybox is missing', () => {
    assert.throws(() => initramfsContents({ modulesDir: '/lib/modules/x', busybox: '/nonexistent/busybox' }), /busybox-static.*npm run setup/);
  });
});

describe('testbed: guest scripts and QEMU arguments', () => {
  it('quotes words for sh', () => {
    assert.strictEqual(shQuote('abc/d-e'), 'abc/d-e');
    assert.strictEqual(shQuote("it's a $x"), `'it'\\''s a $x'`);
    assert.strictEqual(shQuote(''), "''");
  });
  it('writes the command as quoted positional words', () => {
    const s = runScript({ mode: 'run', cwd: '/work/p q', command: ['sh', '-c', "echo 'hi' $HOME"], module: undefined, results: '/r', env: {} });
    assert.match(s, /^FT_CWD='\/work\/p q'$/m);
    assert.match(s, /^set -- sh -c 'echo '\\''hi'\\'' \$HOME'$/m);
    assert.match(s, /^FT_MODULE=''$/m);
    assert.match(s, /^FT_KEEP=''$/m);
  });
  it('keeps a project under /tmp visible above the guest tmpfs', () => {
    const s = runScript({ mode: 'run', cwd: '/tmp/ci/p', command: ['true'], module: undefined, results: '/r', keep: '/tmp/ci/p', env: {} });
    assert.match(s, /^FT_KEEP=\/tmp\/ci\/p$/m);
    const init = initScript();
    // set aside before the tmpfs mounts, bound back after them
    const aside = init.indexOf('mount -o bind "$H$FT_KEEP" /keep');
    const tmpfs = init.indexOf('mount -t tmpfs -o mode=1777 tmpfs "$H$d"');
    const back = init.indexOf('mount -o bind /keep "$H$FT_KEEP"');
    assert.ok(aside >= 0 && aside < tmpfs && tmpfs < back);
  });
  it('exports the environment and rejects bad names', () => {
    assert.strictEqual(envScript({ A: 'x y', PATH: '/bin' }), "export A='x y'\nexport PATH=/bin\n");
    assert.throws(() => envScript({ 'A-B': '1' }), /invalid environment variable name/);
  });
  it('mounts the host root with the fast 9p options and tmpfs scratch', () => {
    const init = initScript();
    assert.match(init, /cache=loose,msize=262144 hostroot/);
    assert.match(init, /for d in \/tmp \/run \/var\/tmp/);
    assert.match(init, /mkdir -p \$H\/run\/netns/);
  });
  it('raises (does not disable) stall detectors when asked', () => {
    assert.doesNotMatch(kernelCmdline({ runDir: '/tmp/x', nonce: 'n', raiseStallTimeouts: false }), /stall/);
    const c = kernelCmdline({ runDir: '/tmp/x', nonce: 'n', raiseStallTimeouts: true });
    assert.match(c, /rcupdate\.rcu_cpu_stall_timeout=60/);
    assert.match(c, /watchdog_thresh=60/);
    assert.doesNotMatch(c, /nowatchdog|rcu_cpu_stall_suppress/);
  });
  it('shares the host root read-only and the results dir writable', () => {
    const a = qemuArgs({ accel: 'tcg', cpus: 2, memoryMb: 512, vmlinuz: '/boot/v', initramfs: '/i', cmdline: 'c', resultsDir: '/r', interactive: false, tcgThreads: 'multi' });
    assert.ok(a.includes('local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap'));
    assert.ok(a.includes('local,path=/r,mount_tag=results,security_model=none,multidevs=remap'));
    assert.deepStrictEqual(a.slice(a.indexOf('-accel'), a.indexOf('-accel') + 2), ['-accel', 'tcg,thread=multi']);
  });
  it('runs TCG single-threaded when asked, and parses --tcg-threads', () => {
    const a = qemuArgs({ accel: 'tcg', cpus: 4, memoryMb: 512, vmlinuz: '/boot/v', initramfs: '/i', cmdline: 'c', resultsDir: undefined, interactive: false, tcgThreads: 'single' });
    assert.ok(a.includes('tcg,thread=single'));
    const k = qemuArgs({ accel: 'kvm', cpus: 4, memoryMb: 512, vmlinuz: '/boot/v', initramfs: '/i', cmdline: 'c', resultsDir: undefined, interactive: false, tcgThreads: 'single' });
    assert.ok(k.includes('kvm'));
    const p = parseArgs(['run', '--tcg-threads', 'single', '--', 'true']);
    assert.ok(p.verb === 'run' && p.tcgThreads === 'single');
    assert.throws(() => parseArgs(['run', '--tcg-threads', 'two', '--', 'true']), /--tcg-threads must be multi or single/);
  });
});

describe('testbed: splat detector', () => {
  const splatLines = [
    '[    4.063458] ------------[ cut here ]------------',
    '[    4.064137] WARNING: CPU: 0 PID: 132 at drivers/x.c:9 f+0x11/0x20 [m]',
    '[   10.000001] BUG: kernel NULL pointer dereference, address: 0000000000000000',
    '[   10.000001] Oops: 0000 [#1] PREEMPT SMP NOPTI',
    '[    5.5] general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP',
    '[    5.5] Call Trace:',
    '[   60.1] rcu: INFO: rcu_sched self-detected stall on CPU',
    '[   60.1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:',
    '[   30.2] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [swapper/1:0]',
    '[   30.2] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1',
    '[    7.7] refcount_t: underflow; use-after-free.',
    '[    7.7] list_add corruption. prev->next should be next (ffff), but was ffff.',
    '[    7.7] list_del corruption, ffff->next is LIST_POISON1 (dead000000000100)',
    '[    7.7] kernel BUG at net/core/skbuff.c:120!',
    '[    7.7] UBSAN: shift-out-of-bounds in net/x.c:3:4',
    '[    7.7] BUG: KASAN: use-after-free in f+0x1/0x2',
    '[    7.7] Kernel panic - not syncing: Fatal exception',
    '[    7.7] [    T1] WARNING: CPU: 1 PID: 1 at x.c:1 y+0x0/0x0',
  ];
  for (const line of splatLines) {
    it(`detects: ${line.slice(15, 60)}`, () => assert.notStrictEqual(matchSplatLine(line), undefined));
  }
  const harmless = [
    '[    0.123456] x86/cpu: SGX disabled by BIOS. WARNING: not anchored',
    '[    0.2] ACPI: WARNING: something harmless mid-line',
    '[    1.0] mtrr: your CPUs had inconsistent fixed MTRR settings',
    'WARNING: CPU: 0 printed by a user program, not the kernel',
    'BUG: a test named like this',
    '  Call Trace: in command output',
    '[    4.2] falcon: loading out-of-tree module taints kernel.',
  ];
  for (const line of harmless) {
    it(`ignores: ${line.slice(0, 50)}`, () => assert.strictEqual(matchSplatLine(line), undefined));
  }
  it('groups one report into one splat that ends at the end-trace line', () => {
    const log = ['hello', '[ 1.0] ------------[ cut here ]------------', '[ 1.0] deliberate', '[ 1.0] WARNING: CPU: 0 PID: 1 at a.c:1 f', '[ 1.0] Call Trace:', '[ 1.0]  <TASK>', '[ 1.0] ---[ end trace 0000000000000000 ]---', 'ok', '[ 2.0] BUG: soft lockup - CPU#0 stuck'];
    const s = findSplats(log.join('\n'));
    assert.strictEqual(s.length, 2);
    assert.strictEqual(s[0]?.kind, 'cut here');
    assert.strictEqual(s[0]?.text.length, 6);
    assert.strictEqual(s[1]?.line, 8);
  });
});

describe('testbed: console splitter', () => {
  function split(chunks: string[]): { text: string; markers: MarkerEvent[] } {
    let text = '';
    const markers: MarkerEvent[] = [];
    const s = new ConsoleSplitter('abc123', (m) => markers.push(m), (t) => (text += t));
    for (const c of chunks) s.push(c);
    s.end();
    return { text, markers };
  }
  it('removes marker lines with the nonce, keeps everything else, CRLF -> LF', () => {
    const r = split(['out1\r\nFALCON_TESTBED_START abc', '123\r\nline 2\r\nFALCON_TESTBED_EXIT abc123 7\r\n']);
    assert.strictEqual(r.text, 'out1\nline 2\n');
    assert.deepStrictEqual(r.markers, [{ kind: 'FALCON_TESTBED_START', payload: '' }, { kind: 'FALCON_TESTBED_EXIT', payload: '7' }]);
  });
  it('passes partial lines through live and keeps output that precedes a marker', () => {
    const r = split(['progress...', ' done', 'FALCON_TESTBED_EXIT abc123 0\n']);
    assert.strictEqual(r.text, 'progress... done\n');
    assert.strictEqual(r.markers.length, 1);
  });
  it('does not accept a marker with another nonce (command output cannot fake it)', () => {
    const r = split(['FALCON_TESTBED_EXIT 000000 0\n']);
    assert.strictEqual(r.text, 'FALCON_TESTBED_EXIT 000000 0\n');
    assert.strictEqual(r.markers.length, 0);
  });
});
