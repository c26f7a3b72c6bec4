import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { listTopologyNamespaces, topologyDown, topologyUp } from '../../src/topology';
import { guestOnly } from './guest';

function ping(ns: string, addr: string): void {
  // -W: a lost reply fails within seconds instead of hanging the suite.
  execFileSync('ip', ['netns', 'exec', ns, 'ping', '-c', '2', '-W', '3', addr], { stdio: 'pipe' });
}

describe('vm: testbed topology', function () {
  guestOnly(this);
  this.timeout(120_000);
  after(() => topologyDown());

  it('overlay passes traffic both ways between containers', () => {
    topologyUp({ kind: 'overlay' });
    ping('h1c1', '10.0.2.1');
    ping('h2c1', '10.0.1.1');
  });

  it('overlay with two containers and GRO on the wire', () => {
    topologyUp({ kind: 'overlay', containers: 2, gro: true });
    ping('h1c2', '10.0.2.1');
    ping('h2c2', '10.0.1.2');
    const features = execFileSync('ip', ['netns', 'exec', 'h1', 'ethtool', '-k', 'w1'], { encoding: 'utf8' });
    assert.match(features, /generic-receive-offload: on/);
  });

  it('native is the wire only', () => {
    topologyUp({ kind: 'native' });
    assert.deepStrictEqual(listTopologyNamespaces().sort(), ['h1', 'h2']);
    ping('h1', '192.0.2.2');
  });

  it('down removes everything and is idempotent', () => {
    topologyDown();
    assert.deepStrictEqual(listTopologyNamespaces(), []);
    topologyDown();
  });
});
