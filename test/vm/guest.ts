/**
 * Helpers for tests that run inside the testbed guest (test/vm/**). The host
 * suite (test/host/vm.test.ts) boots one VM and runs mocha over every
 * dist/test/vm/**\/*.test.js there; outside the guest these tests skip.
 */
import * as os from 'os';
import * as path from 'path';
import { builtModule } from '../../src/testbed/kernel';

/** True inside a falcon-testbed guest (set by the testbed's environment). */
export function inGuest(): boolean {
  return process.env['FALCON_TESTBED'] === '1';
}

/** Call first in a VM test's `describe`: skips the suite outside the guest. */
export function guestOnly(ctx: Mocha.Suite): void {
  ctx.beforeAll(function () {
    if (!inGuest()) this.skip();
  });
}

/** The project root as seen in the guest (same path as on the host). */
export function projectDir(): string {
  return process.env['FALCON_PROJECT'] ?? path.resolve(__dirname, '..', '..', '..');
}

/** falcon.ko as built for the kernel this guest runs (kernel/build/<release>/). */
export function falconKo(): string {
  return builtModule(projectDir(), os.release());
}

/**
 * Polls @cond until it holds or @timeoutMs passes; returns its last value.
 * For what the kernel finishes asynchronously (a deleted namespace's devices
 * are unregistered from a workqueue, after a grace period).
 */
export function waitUntil(cond: () => boolean, timeoutMs = 20_000): boolean {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; Atomics.wait(nap, 0, 0, 100)) {
    if (cond()) return true;
  }
  return cond();
}
