import * as assert from 'assert';
import { batches } from '../../src/topology/apply';
import { parseTopologyArgs, UsageError } from '../../src/topology/args';
import { planDown, planUp } from '../../src/topology/plan';
import { containerAddr, containerNs, OWNED_NS } from '../../src/topology/names';

const line = (c: readonly string[]) => c.join(' ');

describe('topology: plan', () => {
  it('builds the overlay with the documented names and addresses', () => {
    const cmds = planUp({ kind: 'overlay' }).map(line);
    for (const want of [
      'ip netns add h1',
      'ip netns add h2',
      'ip link add w1 netns h1 type veth peer name w2 netns h2',
      'ip -n h1 addr add 192.0.2.1/24 dev w1',
      'ip -n h2 addr add 192.0.2.2/24 dev w2',
      'ip -n h1 link add br0 type bridge',
      'ip -n h1 link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1 remote 192.0.2.2 dev w1',
      'ip -n h2 link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.2 remote 192.0.2.1 dev w2',
      'ip -n h1 link set vx0 mtu 1450 master br0 up',
      'ip netns add h1c1',
      'ip -n h1 link add vc1 mtu 1450 type veth peer name eth0 netns h1c1',
      'ip -n h1 link set vc1 master br0 up',
      'ip -n h1c1 addr add 10.0.1.1/16 dev eth0',
      'ip -n h2c1 addr add 10.0.2.1/16 dev eth0',
      'ip -n h2c1 link set eth0 mtu 1450 up',
    ]) {
      assert.ok(cmds.includes(want), `missing: ${want}`);
    }
    assert.ok(!cmds.some((c) => c.includes('ethtool')));
    assert.ok(cmds.indexOf('ip netns add h1c1') > cmds.indexOf('ip -n h1 link add br0 type bridge'));
  });
  it('adds N containers per host', () => {
    const cmds = planUp({ kind: 'overlay', containers: 3 }).map(line);
    assert.ok(cmds.includes('ip -n h2c3 addr add 10.0.2.3/16 dev eth0'));
    assert.ok(cmds.includes('ip -n h2 link set vc3 master br0 up'));
    assert.ok(!cmds.some((c) => c.includes('h1c4')));
  });
  it('native is the wire only; --gro turns on veth GRO on both ends', () => {
    const cmds = planUp({ kind: 'native', gro: true }).map(line);
    assert.ok(!cmds.some((c) => /vxlan|br0|c1/.test(c)));
    assert.ok(cmds.includes('ip netns exec h1 ethtool -K w1 gro on'));
    assert.ok(cmds.includes('ip netns exec h2 ethtool -K w2 gro on'));
  });
  it('rejects impossible container counts', () => {
    assert.throws(() => planUp({ kind: 'overlay', containers: 0 }), RangeError);
    assert.throws(() => planUp({ kind: 'overlay', containers: 255 }), RangeError);
  });
  it('down deletes exactly the given namespaces', () => {
    assert.deepStrictEqual(planDown(['h1c1', 'h1']).map(line), ['ip netns del h1c1', 'ip netns del h1']);
  });
  it('owns only its namespace names', () => {
    for (const n of ['h1', 'h2', 'h1c1', 'h2c17']) assert.ok(OWNED_NS.test(n), n);
    for (const n of ['h3', 'host1', 'h1c', 'myns', 'h1c1x']) assert.ok(!OWNED_NS.test(n), n);
    assert.strictEqual(containerNs(2, 5), 'h2c5');
    assert.strictEqual(containerAddr(2, 5), '10.0.2.5');
  });
});

describe('topology: arguments', () => {
  it('parses up/down', () => {
    assert.deepStrictEqual(parseTopologyArgs(['up', 'overlay']), { verb: 'up', spec: { kind: 'overlay' } });
    assert.deepStrictEqual(parseTopologyArgs(['up', 'overlay', '--containers', '2', '--gro']), {
      verb: 'up',
      spec: { kind: 'overlay', containers: 2, gro: true },
    });
    assert.deepStrictEqual(parseTopologyArgs(['up', 'native', '--gro']), { verb: 'up', spec: { kind: 'native', gro: true } });
    assert.deepStrictEqual(parseTopologyArgs(['down']), { verb: 'down' });
  });
  it('rejects bad usage', () => {
    for (const argv of [['up'], ['up', 'mesh'], ['up', 'native', '--containers', '2'], ['up', 'overlay', '--containers', 'x'], ['down', 'now'], ['sideways']]) {
      assert.throws(() => parseTopologyArgs(argv), UsageError, argv.join(' '));
    }
  });
});

describe('topology: batching', () => {
  it('groups consecutive ip commands per namespace, leaves ethtool and netns exec alone', () => {
    const b = batches([
      ['ip', 'netns', 'add', 'h1'],
      ['ip', 'netns', 'add', 'h2'],
      ['ip', '-n', 'h1', 'link', 'set', 'lo', 'up'],
      ['ip', '-n', 'h1', 'link', 'set', 'w1', 'up'],
      ['ip', 'netns', 'exec', 'h1', 'ethtool', '-K', 'w1', 'gro', 'on'],
      ['ip', '-n', 'h2', 'link', 'set', 'lo', 'up'],
    ]);
    assert.deepStrictEqual(b, [
      { argv: ['ip', '-batch', '-'], input: 'netns add h1\nnetns add h2\n' },
      { argv: ['ip', '-n', 'h1', '-batch', '-'], input: 'link set lo up\nlink set w1 up\n' },
      { argv: ['ip', 'netns', 'exec', 'h1', 'ethtool', '-K', 'w1', 'gro', 'on'] },
      { argv: ['ip', '-n', 'h2', '-batch', '-'], input: 'link set lo up\n' },
    ]);
  });
});
