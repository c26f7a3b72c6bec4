/**
 * Falcon refuses a device with a generic-mode XDP program: the reinjected
 * pass would run the program a second time. test/vm/c/xdp-generic.c puts a
 * two-instruction XDP_PASS program on a veth in SKB mode (raw bpf() and
 * RTM_SETLINK), compiled in the guest on first use (test/vm/cbuild.ts).
 * Kernel only: the mock has no XDP to install (its model flags the device).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { openFalcon, FalconInstance } from '../../src';
import { FalconError } from '../../src/api/errors';
import { MESSAGES } from '../../src/protocol/generated';
import { rejectionOf } from '../rejection';
import { buildC } from './cbuild';
import { guestOnly } from './guest';

const DEV = 'fxdp0';
const PEER = 'fxdp1';

function xdp(op: 'attach' | 'detach', ifname: string): void {
  execFileSync(buildC('xdp-generic'), [op, ifname], { stdio: 'pipe' });
}

function xdpShown(ifname: string): boolean {
  return /xdpgeneric/.test(execFileSync('ip', ['link', 'show', 'dev', ifname], { encoding: 'utf8' }));
}

describe('vm: falcon refuses generic XDP', function () {
  guestOnly(this);
  this.timeout(120_000); // gcc in a TCG guest takes ~30 s
  let falcon: FalconInstance;

  before(async () => {
    execFileSync('ip', ['link', 'add', DEV, 'type', 'veth', 'peer', 'name', PEER]);
    execFileSync('ip', ['link', 'set', DEV, 'up']);
    falcon = await openFalcon({ backend: 'kernel' });
  });
  after(async () => {
    if ((await falcon.devices()).some((d) => d.ifname === DEV)) await falcon.detach({ ifname: DEV });
    await falcon.close();
    execFileSync('ip', ['link', 'del', DEV]);
  });

  it('attach answers EOPNOTSUPP with our message while the program is there, and succeeds after', async () => {
    xdp('attach', DEV);
    assert.ok(xdpShown(DEV), 'ip link shows no xdpgeneric program');
    const e = await rejectionOf(falcon.attach({ ifname: DEV }), FalconError);
    assert.strictEqual(e.code, 'EOPNOTSUPP', e.message);
    assert.strictEqual(e.code, MESSAGES['dev-generic-xdp'].code);
    assert.strictEqual(e.message, MESSAGES['dev-generic-xdp'].text);
    assert.strictEqual(e.attribute, 'ifname');
    assert.ok(!(await falcon.devices()).some((d) => d.ifname === DEV), 'refused device is listed');

    xdp('detach', DEV);
    assert.ok(!xdpShown(DEV), 'program still there after detach');
    const a = await falcon.attach({ ifname: DEV });
    assert.strictEqual(a.ifname, DEV);
    await falcon.detach({ ifname: DEV });
  });
});
