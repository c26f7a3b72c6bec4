// openFalcon's backend choice. On this host without falcon.ko: 'kernel' says
// how to load the module, 'auto' falls back to the mock and says so. With
// injected failures (a stubbed GenlSocket.open): 'auto' falls back only when
// the family lookup answers ENOENT; EPERM, a missing addon or a socket that
// cannot be made reject as 'kernel' would.
import assert from 'node:assert/strict';
import { FalconError } from '../../src/api/errors';
import { MODULE_NOT_LOADED_MESSAGE, openFalcon } from '../../src/index';
import { encodeAttrs, encodeGenl } from '../../src/protocol/codec';
import { AddonLoadError, addonErrorMessage } from '../../src/transport/addon';
import { GENL_ADDON_NEEDS, GenlSocket } from '../../src/transport/native';
import type { FamilyInfo } from '../../src/transport/nlctrl';
import { NetlinkRequestError } from '../../src/transport/types';
import { rejectionOf } from '../rejection';

async function moduleLoaded(): Promise<boolean> {
  const socket = GenlSocket.open();
  try {
    await socket.resolveFamily('falcon');
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

const FAMILY: FamilyInfo = { name: 'falcon', id: 0x1234, version: 1, hdrSize: 0, maxAttr: 30, ops: [], mcastGroups: [] };

/** A stand-in for the addon's socket: the family lookup answers `lookup`, requests `answer`. */
class FakeSocket {
  closed = false;
  readonly requests: number[] = [];
  constructor(
    private readonly lookup: () => Promise<FamilyInfo>,
    private readonly answer: () => Buffer[] = () => [],
  ) {}
  resolveFamily(): Promise<FamilyInfo> {
    return this.lookup();
  }
  async request(familyId: number): Promise<Buffer[]> {
    this.requests.push(familyId);
    return this.answer();
  }
  close(): void {
    this.closed = true;
  }
}

const nack = (code: string, errno: number) => () => Promise.reject(new NetlinkRequestError({ errno, code }));

const refusal = (promise: Promise<unknown>): Promise<FalconError> => rejectionOf(promise, FalconError);

describe('openFalcon', () => {
  let loaded = false;
  before(async () => {
    loaded = await moduleLoaded();
  });

  it("'kernel' without the module fails with ENOENT and says how to load it", async function () {
    if (loaded) this.skip();
    await assert.rejects(openFalcon({ backend: 'kernel' }), (error: unknown) => {
      assert.ok(error instanceof FalconError);
      assert.equal(error.code, 'ENOENT');
      assert.equal(error.message, MODULE_NOT_LOADED_MESSAGE);
      return true;
    });
  });

  it("'auto' takes the kernel when loaded, else the mock, and says which", async () => {
    const told: FalconError[] = [];
    const falcon = await openFalcon({ backend: 'auto', onFallback: (reason) => told.push(reason) });
    try {
      assert.equal(falcon.backend, loaded ? 'kernel' : 'mock');
      assert.equal(told.length, loaded ? 0 : 1);
      assert.equal(typeof (await falcon.getConfig()).enabled, 'boolean');
    } finally {
      await falcon.close();
    }
  });

  it("'mock' passes its options to the model and exposes the controls", async () => {
    const falcon = await openFalcon({ backend: 'mock', cpus: 8 });
    try {
      assert.equal(falcon.backend, 'mock');
      assert.equal(typeof falcon.mock.inject, 'function');
      assert.equal((await falcon.getConfig()).nrCpuIds, 8);
    } finally {
      await falcon.close();
    }
  });

  it('refuses an unknown backend', async () => {
    await assert.rejects(openFalcon({ backend: 'nope' as 'mock' }), { code: 'EINVAL' });
  });

  describe('with injected failures', () => {
    const realOpen = GenlSocket.open;
    let sockets: FakeSocket[];
    /** Makes GenlSocket.open hand out fake sockets whose family lookup does `lookup`. */
    const inject = (lookup: () => Promise<FamilyInfo>, answer?: () => Buffer[]): void => {
      GenlSocket.open = () => {
        const socket = new FakeSocket(lookup, answer);
        sockets.push(socket);
        return socket as unknown as GenlSocket;
      };
    };
    beforeEach(() => {
      sockets = [];
    });
    afterEach(() => {
      GenlSocket.open = realOpen;
    });

    it("'auto' falls back when the family lookup answers ENOENT, telling onFallback once", async () => {
      inject(nack('ENOENT', 2));
      const told: FalconError[] = [];
      const falcon = await openFalcon({ backend: 'auto', fallback: { cpus: 6 }, onFallback: (reason) => told.push(reason) });
      try {
        assert.equal(falcon.backend, 'mock');
        assert.ok(falcon.mock, 'the mock controls come with it');
        assert.equal((await falcon.getConfig()).nrCpuIds, 6, 'the fallback options describe the mock host');
        assert.equal(told.length, 1);
        assert.equal(told[0]?.code, 'ENOENT');
        assert.equal(told[0]?.message, MODULE_NOT_LOADED_MESSAGE);
        assert.equal(sockets.length, 1);
        assert.ok(sockets[0]?.closed, 'the lookup socket is closed');
      } finally {
        await falcon.close();
      }
    });

    it("'auto' says so on stderr by default, in one line", async () => {
      inject(nack('ENOENT', 2));
      const written: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }) as typeof process.stderr.write;
      let falcon;
      try {
        falcon = await openFalcon({ backend: 'auto' });
      } finally {
        process.stderr.write = write;
      }
      await falcon.close();
      assert.equal(written.length, 1);
      assert.match(written[0] ?? '', /^falcon: Falcon kernel module is not loaded .*using the mock instead\n$/);
    });

    for (const [what, lookup, code] of [
      ['EPERM from the family lookup', nack('EPERM', 1), 'EPERM'],
      ['EACCES from the family lookup', nack('EACCES', 13), 'EACCES'],
      ['ENOBUFS from the family lookup', nack('ENOBUFS', 105), 'ENOBUFS'],
    ] as const) {
      it(`'auto' rejects on ${what}, without falling back`, async () => {
        inject(lookup);
        let told = 0;
        const error = await refusal(openFalcon({ backend: 'auto', onFallback: () => told++ }));
        assert.equal(error.code, code);
        assert.equal(error.syscall, 'open');
        assert.equal(told, 0);
        assert.ok(sockets[0]?.closed);
        // 'kernel' fails the same way.
        assert.equal((await refusal(openFalcon({ backend: 'kernel' }))).code, code);
      });
    }

    it("'auto' rejects when the native addon is missing, saying what to install", async () => {
      GenlSocket.open = () => {
        throw new AddonLoadError('falcon_genl', 'missing', addonErrorMessage('falcon_genl', 'missing', GENL_ADDON_NEEDS, ''));
      };
      let told = 0;
      const error = await refusal(openFalcon({ backend: 'auto', onFallback: () => told++ }));
      assert.equal(error.code, 'ENOENT');
      assert.match(error.message, /^the native addon falcon_genl\.node is missing \(.*\): install build-essential python3 \(Debian packages\), then run "npm rebuild falcon-overlay"/);
      assert.ok(error.cause instanceof AddonLoadError);
      assert.equal(told, 0);
    });

    it("'auto' rejects when no netlink socket can be made (EMFILE), the code kept", async () => {
      GenlSocket.open = () => {
        throw Object.assign(new Error('socket: Too many open files'), { code: 'EMFILE', errno: 24 });
      };
      const error = await refusal(openFalcon({ backend: 'auto', onFallback: () => assert.fail('no fallback') }));
      assert.equal(error.code, 'EMFILE');
    });

    it("'auto' and 'kernel' take the kernel when the family resolves, and talk to it", async () => {
      const config = encodeGenl({
        command: 1,
        version: 1,
        attrs: encodeAttrs('falcon', {
          enabled: 1, cpus: Buffer.from([1]), mode: 0, policy: 1, threshold: 80, hysteresis: 20, 'interval-ms': 12,
          'queue-limit': 1000, 'nr-cpu-ids': 1, 'online-cpus': Buffer.from([1]), 'tick-ms': 4,
        }),
      });
      inject(async () => FAMILY, () => [config]);
      for (const open of [() => openFalcon({ backend: 'auto', onFallback: () => assert.fail('no fallback') }), () => openFalcon()]) {
        const falcon = await open();
        assert.equal(falcon.backend, 'kernel');
        assert.equal(falcon.mock, undefined);
        assert.equal((await falcon.getConfig()).threshold, 80);
        await falcon.close();
      }
      assert.deepEqual(sockets.map((s) => s.requests), [[FAMILY.id], [FAMILY.id]]);
      assert.ok(sockets.every((s) => s.closed), 'close() closes the socket');
    });
  });
});
