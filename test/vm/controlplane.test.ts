/**
 * falcon.ko's Generic Netlink family in the real kernel: every command and
 * the error paths of docs/protocol.md, from user space in the guest.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { place } from '../../src/mock/placement';
import { guestOnly, waitUntil } from './guest';
import { ok, probe } from './probe';

function err(cmd: string, args: string[], errno: number, msg: string, as?: number): void {
  const r = probe(cmd, args, as);
  assert.ok(r.error, `${cmd} ${args.join(' ')} should fail`);
  assert.strictEqual(r.error.errno, errno, `${cmd} ${args.join(' ')}: ${JSON.stringify(r.error)}`);
  assert.strictEqual(r.error.msg, msg, `${cmd} ${args.join(' ')}`);
}

const NOBODY = 65534;

describe('vm: falcon control plane', function () {
  guestOnly(this);
  this.timeout(120_000);
  let nr = 0;
  let all = '';

  before(() => {
    const c = ok('get-config')[0] as Record<string, number>;
    nr = c['nr-cpu-ids'] as number;
    all = `0-${nr - 1}`;
  });
  after(() => {
    for (const d of ok('get-device')) if (d['ifname'] === 'lo') ok('detach', ['ifname=lo']);
    ok('set-config', [`cpus=${all}`, 'enabled=1', 'mode=0', 'policy=1', 'threshold=80', 'interval-ms=12', 'queue-limit=1000']);
    ok('unpin-load');
  });

  it('get-config has the defaults', () => {
    const c = ok('get-config')[0] as Record<string, unknown>;
    assert.deepStrictEqual(
      [c['enabled'], c['mode'], c['policy'], c['threshold'], c['interval-ms'], c['queue-limit'], c['tick-ms']],
      [1, 0, 1, 80, 12, 1000, 4]);
  });

  it('set-config validates everything before applying anything', () => {
    err('set-config', [`cpus=${nr}`], 34, 'CPU set names a CPU beyond nr_cpu_ids');
    err('set-config', ['cpus='], 22, 'CPU set is empty');
    err('set-config', ['interval-ms=6'], 22, 'interval-ms must be a multiple of the tick length');
    err('set-config', ['threshold=101'], 34, 'integer out of range');
    err('set-config', ['queue-limit=0'], 34, 'integer out of range');
    err('set-config', ['interval-ms=10004'], 34, 'integer out of range');
    err('set-config', ['ifindex=1'], 22, 'Unsupported attribute');
    err('set-config', ['#99:u32:1'], 22, 'Unknown attribute type');
    err('set-config', ['threshold=50', 'interval-ms=5'], 22, 'interval-ms must be a multiple of the tick length');
    assert.strictEqual((ok('get-config')[0] as Record<string, number>)['threshold'], 80, 'failed request changed nothing');
    const c = ok('set-config', ['threshold=50', 'interval-ms=20', 'queue-limit=65536', 'cpus=0'])[0] as Record<string, unknown>;
    assert.deepStrictEqual([c['threshold'], c['interval-ms'], c['queue-limit'], c['cpus']], [50, 20, 65536, '01'.padEnd(Math.ceil(nr / 8) * 2, '0')]);
  });

  it('attach, get-device, pick, detach and their errors', () => {
    err('attach', [], 22, 'ifindex or ifname is required');
    err('attach', ['ifname=lo', 'ifindex=1'], 22, 'give ifindex or ifname, not both');
    err('attach', ['ifname=lo', 'netns-fd=fd:99'], 9, 'netns-fd is not an open file descriptor');
    err('attach', ['ifname=lo', 'netns-fd=/proc/self/ns/uts'], 22, 'netns-fd is not a network namespace');
    err('attach', ['ifname=nosuch0'], 19, 'no such device in that network namespace');
    err('attach', ['ifname=lo', 'stage=256'], 34, 'integer out of range');
    err('attach', ['ifname=lo', `cpus=${nr}`], 34, 'CPU set names a CPU beyond nr_cpu_ids');
    err('detach', ['ifname=lo'], 2, 'device is not attached');
    err('pick', ['ifname=lo', 'flow-hash=1'], 2, 'device is not attached');
    // Under TCG the live load of CPU 1 can reach the threshold and gate pick: pin it.
    for (let c = 0; c < nr; c++) ok('pin-load', [`cpu=${c}`, 'load=0']);
    const a = ok('attach', ['ifname=lo', 'cpus=1', 'stage=7'])[0] as Record<string, unknown>;
    assert.deepStrictEqual([a['ifindex'], a['ifname'], a['stage']], [1, 'lo', 7]);
    err('attach', ['ifindex=1'], 17, 'device is already attached');
    err('pick', ['ifname=lo'], 22, 'flow-hash is required');
    assert.deepStrictEqual(ok('get-device').map((d) => d['ifname']), ['lo']);
    assert.deepStrictEqual(ok('pick', ['ifname=lo', 'flow-hash=5'])[0], { first: 1, target: 1, reason: 3 });
    ok('detach', ['ifname=lo']);
    ok('unpin-load');
    assert.deepStrictEqual(ok('get-device'), []);
  });

  it('pick equals the mock placement for many hashes, modes, policies and pins', () => {
    ok('set-config', [`cpus=${all}`, 'threshold=80']);
    ok('attach', ['ifname=lo', 'stage=3']);
    const loads = [10, 95, 85, 20];
    for (let c = 0; c < nr; c++) ok('pin-load', [`cpu=${c}`, `load=${loads[c % 4]}`]);
    for (const [mode, modeName] of [[0, 'stage'], [1, 'paper']] as const) {
      for (const [policy, policyName] of [[0, 'static'], [1, 'balanced']] as const) {
        ok('set-config', [`mode=${mode}`, `policy=${policy}`]);
        for (let i = 0; i < 24; i++) {
          const hash = (Math.imul(i + 1, 2654435761) >>> 0);
          const k = ok('pick', ['ifname=lo', `flow-hash=${hash}`])[0] as Record<string, number>;
          const e = place({ enabled: true, cpus: Array.from({ length: nr }, (_, c) => c), mode: modeName, policy: policyName,
            threshold: 80, load: (c) => loads[c % 4] as number, stage: 3, ifindex: 1, flowHash: hash,
            // average 52 is below threshold - hysteresis (60): open, whatever came before
            gateClosed: false });
          const reasons = ['disabled', 'no-cpus', 'gated', 'first', 'second', 'first-kept'];
          assert.deepStrictEqual({ first: k['first'], second: k['second'], target: k['target'], reason: reasons[k['reason'] as number] },
            { first: e.first, second: e.second, target: e.target, reason: e.reason }, `hash ${hash} ${modeName}/${policyName}`);
        }
      }
    }
    ok('set-config', ['enabled=0']);
    assert.deepStrictEqual(ok('pick', ['ifname=lo', 'flow-hash=1'])[0], { reason: 0 });
    ok('set-config', ['enabled=1', 'mode=0', 'policy=1']);
    ok('detach', ['ifname=lo']);
    ok('unpin-load');
  });

  it('pin-load and unpin-load', () => {
    err('pin-load', ['load=5'], 22, 'cpu is required');
    err('pin-load', ['cpu=0'], 22, 'load is required');
    err('pin-load', [`cpu=${nr}`, 'load=5'], 34, 'cpu is beyond nr_cpu_ids');
    err('pin-load', ['cpu=0', 'load=101'], 34, 'integer out of range');
    err('unpin-load', [`cpu=${nr}`], 34, 'cpu is beyond nr_cpu_ids');
    ok('pin-load', ['cpu=0', 'load=42']);
    const cpu0 = (): Record<string, number> => ok('get-stats')[0]?.['cpu-stats'] as Record<string, number>;
    assert.deepStrictEqual([cpu0()['load'], cpu0()['pinned']], [42, 1]);
    ok('unpin-load', ['cpu=0']);
    ok('unpin-load', ['cpu=0']);
    assert.strictEqual(cpu0()['pinned'], 0);
    assert.strictEqual(ok('get-stats').filter((m) => 'cpu-stats' in m).length, nr);
    ok('reset-stats');
  });

  it('unknown commands and unprivileged callers', () => {
    err('99', [], 95, '');
    err('set-config', ['threshold=50'], 1, '', NOBODY);
    err('attach', ['ifname=lo'], 1, '', NOBODY);
    err('reset-stats', [], 1, '', NOBODY);
    err('pin-load', ['cpu=0', 'load=1'], 1, '', NOBODY);
    assert.strictEqual(probe('get-config', [], NOBODY).status, 0);
    // Unprivileged readers see only their own namespace's attachments.
    execFileSync('ip', ['netns', 'add', 'fcp']);
    try {
      ok('attach', ['ifname=lo', 'netns-fd=/run/netns/fcp']);
      ok('attach', ['ifname=lo']);
      assert.strictEqual(ok('get-device').length, 2, 'admin sees all');
      const mine = probe('get-device', [], NOBODY);
      assert.deepStrictEqual(mine.msgs.map((m) => m['netns-cookie']), [1], 'nobody sees init_net only');
      assert.strictEqual(probe('get-stats', [], NOBODY).msgs.filter((m) => 'dev-stats' in m).length, 1);
    } finally {
      execFileSync('ip', ['netns', 'del', 'fcp']);
      ok('detach', ['ifname=lo']);
    }
    // Namespace cleanup runs later, from a workqueue
    waitUntil(() => ok('get-device').length === 0);
    assert.strictEqual(ok('get-device').length, 0, 'namespace deletion detached its lo');
  });

  it('CPU hotplug: an offline CPU leaves the effective set and is refused', function () {
    if (nr < 4 || !require('fs').existsSync('/sys/devices/system/cpu/cpu3/online')) this.skip();
    ok('set-config', [`cpus=${all}`]);
    ok('attach', ['ifname=lo']);
    execFileSync('sh', ['-c', 'echo 0 > /sys/devices/system/cpu/cpu3/online']);
    try {
      err('set-config', ['cpus=3'], 22, 'CPU set contains an offline CPU');
      for (let h = 0; h < 64; h++) {
        const k = ok('pick', ['ifname=lo', `flow-hash=${h * 7919}`])[0] as Record<string, number>;
        assert.ok(k['first'] !== 3 && k['target'] !== 3, 'offline CPU never picked');
      }
      ok('pin-load', ['cpu=3', 'load=1']);
    } finally {
      execFileSync('sh', ['-c', 'echo 1 > /sys/devices/system/cpu/cpu3/online']);
      ok('unpin-load');
    }
    const seen = new Set<number>();
    for (let h = 0; h < 64; h++) seen.add((ok('pick', ['ifname=lo', `flow-hash=${h * 7919}`])[0] as Record<string, number>)['first'] as number);
    assert.ok(seen.has(3), 'CPU 3 is back');
    ok('detach', ['ifname=lo']);
  });
});
