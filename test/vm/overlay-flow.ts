/**
 * One UDP flow through the testbed overlay, h1c1 -> h2c1, and the path it
 * takes on h2 (w2, vx0, h2c1's eth0) for tests that steer or profile it.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import type { Falcon } from '../../src/api/types';
import { openFalcon } from '../../src/index';
import type { KernelFalcon } from '../../src/index';
import { topologyUp } from '../../src/topology';
import { quietOverlayPath } from './quiet-path';

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

/** The same path as attach() takes it ({ ifname, netns }), in stage order. */
export const PATH_STAGES = PATH_DEVICES.map(([ifname, , netns]) => ({ ifname, netns }));

/**
 * For a suite's before(): a kernel handle, or the suite skipped (the handle
 * closed) on a guest with fewer than 4 CPUs, as the path's stages go on
 * CPUs 1-3 and the sender on CPU 0. The suite closes it in after().
 */
export async function openFalconOnFourCpus(ctx: Mocha.Context): Promise<KernelFalcon> {
  const falcon = (await openFalcon({ backend: 'kernel' })) as KernelFalcon;
  if ((await falcon.getConfig()).nrCpuIds < 4) {
    await falcon.close();
    ctx.skip();
  }
  return falcon;
}

/** Runs @fn with a handle of its own: tests unload the module in between. */
export async function withFalcon<T>(fn: (falcon: Falcon) => Promise<T>): Promise<T> {
  const falcon = await openFalcon({ backend: 'kernel' });
  try {
    return await fn(falcon);
  } finally {
    await falcon.close();
  }
}

/** Attaches the path's three devices as stages 0, 1, 2. */
export async function attachPath(falcon: Falcon): Promise<void> {
  for (const [i, [ifname, , netns]] of PATH_DEVICES.entries()) {
    const a = await falcon.attach({ ifname, netns });
    assert.strictEqual(a.stage, i, `${ifname} gets stage ${i}`);
  }
}

export async function pickTarget(falcon: Falcon, ifname: string, netns: string, flowHash: number): Promise<number | undefined> {
  return (await falcon.pick({ ifname, netns, flowHash })).target;
}

export async function pinAll(falcon: Falcon, load: number): Promise<void> {
  const cfg = await falcon.getConfig();
  for (let c = 0; c < cfg.nrCpuIds; c++) await falcon.pinLoad(c, load);
}

/** The overlay, silenced (quiet-path.ts), with the forwarding tables learned by one ping. */
export function quietOverlayUp(): void {
  topologyUp({ kind: 'overlay' });
  quietOverlayPath();
  execFileSync('ip', ['netns', 'exec', 'h1c1', 'ping', '-c', '1', '-W', '3', '10.0.2.1'], { stdio: 'pipe' });
}
