/**
 * One UDP flow through the testbed overlay, h1c1 -> h2c1, and the path it
 * takes on h2 (w2, vx0, h2c1's eth0) for tests that steer or profile it.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { ok } from './probe';

const PY = '/usr/bin/python3';
export const H2 = '/run/netns/h2';
export const H2C1 = '/run/netns/h2c1';

/** N UDP datagrams h1c1:sport -> h2c1:dport, sent from CPU 0, paced so no backlog overflows. */
export function sendFlow(sport: number, n: number, dport = 9999): void {
  const code = [
    'import socket,time,sys',
    's=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)',
    `s.bind(('10.0.1.1',${sport}))`,
    `for i in range(${n}):`,
    `  s.sendto(b'x'*200,('10.0.2.1',${dport}))`,
    '  if i%20==19: time.sleep(0.005)',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', 'h1c1', 'taskset', '-c', '0', PY, '-c', code], { stdio: 'pipe' });
}

/** The receive path on h2, in stage order: [ifname, namespace path, namespace name]. */
export const PATH_DEVICES: readonly (readonly [string, string, string])[] = [
  ['w2', H2, 'h2'],
  ['vx0', H2, 'h2'],
  ['eth0', H2C1, 'h2c1'],
];

/** Attaches the path's three devices as stages 0, 1, 2. */
export function attachPath(): void {
  for (const [i, [name, ns]] of PATH_DEVICES.entries()) {
    const r = ok('attach', [`ifname=${name}`, `netns-fd=${ns}`])[0] as { stage: number };
    assert.strictEqual(r.stage, i, `${name} gets stage ${i}`);
  }
}

export function pickTarget(ifname: string, ns: string, hash: number): number | undefined {
  const m = ok('pick', [`ifname=${ifname}`, `netns-fd=${ns}`, `flow-hash=${hash}`])[0] as { target?: number };
  return m.target;
}

export function pinAll(load: number): void {
  const cfg = ok('get-config')[0] as { 'nr-cpu-ids': number };
  for (let c = 0; c < cfg['nr-cpu-ids']; c++) ok('pin-load', [`cpu=${c}`, `load=${load}`]);
}
