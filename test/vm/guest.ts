/**
 * Helpers for tests that run inside the testbed guest (test/vm/**). The host
 * suite (test/host/vm.test.ts) boots one VM and runs mocha over every
 * dist/test/vm/**\/*.test.js there; outside the guest these tests skip.
 */
import * as path from 'path';

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
