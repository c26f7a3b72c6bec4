// falconctl doctor's command line: the rendering (one line per finding,
// JSON with stable ids), its exit statuses (0 pass, 3 findings, 2 cannot
// read, 1 usage), recordings in and out, and that it needs no falcon.ko.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diagnose } from '../../src/doctor';
import { reportJson, reportText } from '../../src/doctor/render';
import { FINDING_IDS } from '../../src/doctor/types';
import { fixturePath, host, overlayNs } from './doctor-builders';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'falconctl.js');

function falconctl(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor: rendering', () => {
  const report = diagnose({ host: host([overlayNs('h2', { w2: { mtu: 1450 }, vxlan: { udpCsum: false } })]), steered: [] });

  it('one line per finding: severity, device, id: what [evidence]  fix: commands; skipped checks; a verdict', () => {
    const lines = reportText(report).trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[0], 'error    h2/vx0  mtu-overlay-too-large: a full 1450-byte frame needs 1500 bytes on the underlay (50 of VXLAN headers), '
      + 'which carries 1450: full-size packets are fragmented or dropped [vx0: mtu 1450; underlay w2: mtu 1450; headroom 50 (IPv4 outer headers)]  '
      + 'fix: ip -n h2 link set vx0 mtu 1400 && ip -n h2 link set br0 mtu 1400 && ip -n h2 link set vc1 mtu 1400');
    assert.match(lines[1] ?? '', /^warning  h2\/vx0  vxlan-udp-csum-off: .* \[ip -d link show vx0: noudpcsum\]  fix: ip -n h2 link del vx0 && ip -n h2 link add vx0 type vxlan .* udpcsum && /);
    assert.equal(lines[2], 'skipped: one CPU bound by NET_RX (profile): no profile taken');
    assert.equal(lines[3], 'FAIL: 1 error, 1 warning (kernel 6.1.0-57-amd64; netns h2)');
    assert.match(reportText(diagnose({ host: host([overlayNs()]), steered: [] })), /^skipped: .*\nPASS: no findings \(kernel 6\.1\.0-57-amd64; netns h2\)\n$/);
  });

  it('JSON: stable keys, ids from the documented list', () => {
    const j = reportJson(report) as { ok: boolean; findings: Record<string, unknown>[]; skipped: unknown[] };
    assert.equal(j.ok, false);
    assert.deepEqual(Object.keys(j), ['ok', 'kernel', 'namespaces', 'findings', 'skipped']);
    for (const f of j.findings) {
      assert.deepEqual(Object.keys(f), ['id', 'severity', 'netns', 'device', 'what', 'evidence', 'fix']);
      assert.ok((FINDING_IDS as readonly unknown[]).includes(f['id']));
    }
  });
});

describe('doctor: falconctl doctor', function () {
  this.timeout(60_000);

  it('checks a recorded host: exit 3 with findings, -j the same findings', () => {
    const r = falconctl(['doctor', '--facts', fixturePath('pathologies-6.12.json')]);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^error {4}h2\/vc1 {2}mtu-overlay-too-large: /);
    assert.match(r.stdout, /\nFAIL: 1 error, 5 warnings \(kernel 6\.12\.117\+deb12-amd64; netns h2\)\n$/);
    const j = falconctl(['-j', 'doctor', '--facts', '-'], fs.readFileSync(fixturePath('pathologies-6.12.json'), 'utf8'));
    assert.equal(j.status, 3);
    const parsed = JSON.parse(j.stdout) as { ok: boolean; findings: { id: string }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.findings.map((f) => f.id).sort(), [
      'mtu-overlay-too-large', 'rps-double-steering', 'udp-gro-forwarding-off', 'veth-gro-off', 'vxlan-csum-offload-bug', 'vxlan-udp-csum-off',
    ]);
  });

  it('usage errors exit 1 and name the option; an unreadable or wrong recording exits 2 and names the file', () => {
    for (const [args, message] of [
      [['doctor', '--netns', 'h1', '--all-netns'], /--netns and --all-netns exclude each other/],
      [['doctor', '--netns', '/proc/1/ns/net'], /--netns takes an "ip netns" name/],
      [['doctor', '--facts', 'x.json', '--netns', 'h1'], /--facts checks a recorded host/],
      [['doctor', 'extra'], /unexpected argument "extra"/],
      [['doctor', '--facts', '/nonexistent.json'], /cannot read \/nonexistent\.json: ENOENT/],
    ] as const) {
      const r = falconctl(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const wrong = falconctl(['doctor', '--facts', '-'], '{"host": 1}');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /^Error: <stdin> is not a doctor recording/);
  });

  it('runs on this host without falcon.ko, and records what it read for --facts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
    try {
      const file = path.join(dir, 'facts.json');
      const r = falconctl(['doctor', '--save-facts', file]);
      assert.ok(r.status === 0 || r.status === 3, `${r.status}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /not loaded/);
      assert.match(r.stdout, /\n(PASS|FAIL): .*\(kernel .*; own namespace\)\n$/);
      const again = falconctl(['doctor', '--facts', file]);
      assert.equal(again.status, r.status);
      // The same, but for the profile: a recording holds none
      const withoutProfile = (text: string): string => text.split('\n').filter((l) => !/one CPU bound by NET_RX/.test(l)).join('\n');
      assert.equal(withoutProfile(again.stdout), withoutProfile(r.stdout), 'the recording checks the same');
      assert.match(again.stdout, /skipped: one CPU bound by NET_RX \(profile\): checking a recording/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a short profile for single-cpu-bound (the mock\'s under --mock) unless --no-profile', () => {
    const skippedProfile = (args: readonly string[]): string | undefined => {
      const r = falconctl(['--mock', '-j', 'doctor', ...args]);
      assert.ok(r.status === 0 || r.status === 3, `${r.status}: ${r.stderr}`);
      const skipped = (JSON.parse(r.stdout) as { skipped: { check: string; reason: string }[] }).skipped;
      return skipped.find((s) => /NET_RX/.test(s.check))?.reason;
    };
    assert.equal(skippedProfile(['--duration', '0.05']), undefined, 'profiled, so the check ran');
    assert.equal(skippedProfile(['--no-profile']), '--no-profile');
    const bad = falconctl(['doctor', '--duration', '0']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--duration/);
  });

  it('a namespace that does not exist exits 2 and names its /run/netns path', () => {
    const r = falconctl(['doctor', '--netns', 'no-such-ns-doctor']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /network namespace "no-such-ns-doctor" not found \(\/run\/netns\/no-such-ns-doctor\)/);
  });

  it('help describes the exit statuses and ids; it is in the command list', () => {
    const r = falconctl(['doctor', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: falconctl doctor /);
    for (const id of FINDING_IDS) assert.ok(r.stdout.includes(id), id);
    assert.match(falconctl(['--help']).stdout, /\n {2}doctor +check a host's overlay path/);
  });
});
