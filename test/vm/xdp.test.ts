/**
 * Falcon refuses a device with a generic-mode XDP program: the reinjected
 * pass would run the program a second time. test/vm/c/xdp-generic.c puts a
 * two-instruction XDP_PASS program on a veth in SKB mode (raw bpf() and
 * RTM_SETLINK), compiled in the guest on first use (test/vm/cbuild.ts).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { buildC } from './cbuild';
import { guestOnly } from './guest';
import { ok, probe } from './probe';

const DEV = 'fxdp0';
const PEER = 'fxdp1';
const MSG = "device has a generic XDP program, which Falcon would run twice; remove it first";
const EOPNOTSUPP = 95;

function xdp(op: 'attach' | 'detach', ifname: string): void {
  execFileSync(buildC('xdp-generic'), [op, ifname], { stdio: 'pipe' });
}

function xdpShown(ifname: string): boolean {
  return /xdpgeneric/.test(execFileSync('ip', ['link', 'show', 'dev', ifname], { encoding: 'utf8' }));
}

describe('vm: falcon refuses generic XDP', function () {
  guestOnly(this);
  this.timeout(120_000); // gcc in a TCG guest takes ~30 s

  before(() => {
    execFileSync('ip', ['link', 'add', DEV, 'type', 'veth', 'peer', 'name', PEER]);
    execFileSync('ip', ['link', 'set', DEV, 'up']);
  });
  after(() => {
    for (const d of ok('get-device')) if (d['ifname'] === DEV) ok('detach', [`ifname=${DEV}`]);
    execFileSync('ip', ['link', 'del', DEV]);
  });

  it('attach answers EOPNOTSUPP with our message while the program is there, and succeeds after', () => {
    xdp('attach', DEV);
    assert.ok(xdpShown(DEV), 'ip link shows no xdpgeneric program');
    const r = probe('attach', [`ifname=${DEV}`]);
    assert.ok(r.error, 'attach should fail');
    assert.strictEqual(r.error.errno, EOPNOTSUPP, JSON.stringify(r.error));
    assert.strictEqual(r.error.msg, MSG);
    assert.ok(!ok('get-device').some((d) => d['ifname'] === DEV), 'refused device is listed');

    xdp('detach', DEV);
    assert.ok(!xdpShown(DEV), 'program still there after detach');
    const a = ok('attach', [`ifname=${DEV}`])[0] as Record<string, unknown>;
    assert.strictEqual(a['ifname'], DEV);
    ok('detach', [`ifname=${DEV}`]);
  });
});
