// The SDK's types as a contract: options split by backend (a mock-only field
// on the kernel backend does not compile), FalconError.code a closed union
// that covers every code of the generated MESSAGES table, handles that are
// AsyncDisposable. The @ts-expect-error lines are checked by `tsc`: the
// build fails if one of them stops being an error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { FALCON_ERROR_CODES, FalconError, FalconErrorCode, errnoOf, isFalconErrorCode } from '../../src/api/errors';
import type { Falcon } from '../../src/api/types';
import { FalconClient } from '../../src/client/falcon-client';
import { openFalcon } from '../../src/index';
import type { FalconInstance, KernelFalcon, KernelOpenOptions, MockFalcon, OpenOptions } from '../../src/index';
import { MESSAGES, PROTOCOL_ERROR_CODES } from '../../src/protocol/generated';
import type { MessageErrorCode, MessageKey, ProtocolErrorCode } from '../../src/protocol/generated';
import { parse } from 'yaml';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when T is `true`. */
function assertType<T extends true>(): T | undefined {
  return undefined;
}

// Compile-time only: never called.
function typeChecks(): void {
  // @ts-expect-error nrCpuIds-style mock fields are not kernel options
  void openFalcon({ backend: 'kernel', cpus: 4 });
  // @ts-expect-error ... with the backend left to its default either
  void openFalcon({ inlineReads: true, topology: { init: [], namespaces: {} } });
  // @ts-expect-error 'auto' takes the mock host as `fallback`, not at the top level
  void openFalcon({ backend: 'auto', admin: false });
  // @ts-expect-error inlineReads is kernel-only
  void openFalcon({ backend: 'mock', inlineReads: true });
  // @ts-expect-error onFallback belongs to 'auto'
  void openFalcon({ backend: 'kernel', onFallback: () => undefined });
  const kernel: KernelOpenOptions = { inlineReads: true };
  const auto: OpenOptions = { backend: 'auto', fallback: { cpus: 2 }, onFallback: (e: FalconError) => void e.code };
  void kernel;
  void auto;
  // The result's type follows the options, and `backend` narrows a FalconInstance.
  const m: Promise<MockFalcon> = openFalcon({ backend: 'mock', cpus: 2 });
  const k: Promise<KernelFalcon> = openFalcon();
  void m;
  void k;
  const narrow = (f: FalconInstance): void => {
    if (f.backend === 'mock') f.mock.setLoad(0, 1);
    // @ts-expect-error the kernel backend has no mock controls
    else f.mock.setLoad(0, 1);
  };
  void narrow;
  // Codes are a closed union: a typo does not compile.
  const c: FalconErrorCode = 'ENODEV';
  // @ts-expect-error not an errno Falcon can answer with
  const bad: FalconErrorCode = 'ENODEVICE';
  void c;
  void bad;
  const e = new FalconError({ code: 'EPERM', message: 'x', syscall: 'attach' });
  const code: FalconErrorCode = e.code;
  void code;
  // The codes are computed from the generated tables, not listed by hand: a
  // message's errno is a literal type (not string), every one is a
  // ProtocolErrorCode, and every ProtocolErrorCode is a FalconErrorCode.
  const fromTable: MessageErrorCode = MESSAGES['dev-unknown'].code;
  const enodev: 'ENODEV' = MESSAGES['dev-unknown'].code;
  assertType<Equal<MessageErrorCode, (typeof MESSAGES)[MessageKey]['code']>>();
  assertType<Equal<string extends MessageErrorCode ? true : false, false>>();
  assertType<Equal<Exclude<MessageErrorCode, ProtocolErrorCode>, never>>();
  assertType<Equal<Exclude<ProtocolErrorCode, FalconErrorCode>, never>>();
  assertType<Equal<string extends FalconErrorCode ? true : false, false>>();
  // @ts-expect-error no message of Falcon's comes with EMFILE (opening a namespace does)
  const notAMessage: MessageErrorCode = 'EMFILE';
  void [fromTable, enodev, notAMessage];
  // Every handle is AsyncDisposable.
  const disposable: AsyncDisposable = {} as Falcon;
  void disposable;
}
void typeChecks;

describe('SDK types', () => {
  it('FalconErrorCode covers every code of the generated MESSAGES table', () => {
    for (const [key, { code }] of Object.entries(MESSAGES)) assert.ok(isFalconErrorCode(code), `${key}: ${code}`);
  });

  it("PROTOCOL_ERROR_CODES is what the spec gives: the messages' errnos, then the core's, each once", () => {
    const root = join(__dirname, '..', '..', '..');
    const { messages } = parse(readFileSync(join(root, 'kernel', 'falcon-messages.yaml'), 'utf8')) as { messages: Record<string, { errno: string }> };
    const own = [...new Set(Object.values(messages).map((m) => m.errno))];
    assert.deepEqual(PROTOCOL_ERROR_CODES.slice(0, own.length), own);
    // The genetlink core's for this spec: strict validation, unknown commands, checks, admin-perm.
    assert.deepEqual(new Set(PROTOCOL_ERROR_CODES), new Set([...own, 'EINVAL', 'EOPNOTSUPP', 'ERANGE', 'EPERM']));
    for (const code of PROTOCOL_ERROR_CODES) assert.ok(isFalconErrorCode(code), code);
  });

  it('every FalconErrorCode is an errno this platform knows', () => {
    for (const code of FALCON_ERROR_CODES) assert.ok(errnoOf(code) > 0, code);
    assert.equal(new Set(FALCON_ERROR_CODES).size, FALCON_ERROR_CODES.length, 'no code twice');
  });

  it('handles are AsyncDisposable through Node\'s own Symbol.asyncDispose', () => {
    assert.equal(typeof Symbol.asyncDispose, 'symbol');
    assert.equal(typeof FalconClient.prototype[Symbol.asyncDispose], 'function');
  });

  it('defines Symbol.asyncDispose where it is missing, as Node does', () => {
    // A fresh realm has V8's Symbol, without Node's addition: the polyfill's case.
    const code = readFileSync(join(__dirname, '..', '..', 'src', 'api', 'disposable.js'), 'utf8');
    const sandbox = { exports: {}, result: '' };
    vm.runInNewContext(`${code}\nresult = typeof Symbol.asyncDispose;`, sandbox);
    assert.equal(sandbox.result, 'symbol');
    assert.equal(vm.runInNewContext(`${code}\nSymbol.asyncDispose`, { exports: {} }), Symbol.asyncDispose, 'the same symbol as this realm');
  });
});
