// The error a promise rejects with, checked to be of the expected class:
// for tests that assert on how a call failed.
import { strict as assert } from 'node:assert';

/** Awaits @promise, which must reject with an instance of @type; returns that error. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof type, `expected a ${type.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a ${type.name}, but the call succeeded`);
}
