// openFalcon's backend choice on a host without falcon.ko: 'kernel' says how
// to load the module, 'auto' falls back to the mock and says so.
import assert from 'node:assert/strict';
import { FalconError } from '../../src/api/errors';
import { MODULE_NOT_LOADED_MESSAGE, openFalcon } from '../../src/index';
import { GenlSocket } from '../../src/transport/native';

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
    const falcon = await openFalcon({ backend: 'auto' });
    try {
      assert.equal(falcon.backend, loaded ? 'kernel' : 'mock');
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
});
