// A CommonJS consumer (TypeScript, nodenext): `import x = require()` and
// import declarations compiled to require() resolve the same types.
import falconOverlay = require('falcon-overlay');
import { createMockTransport } from 'falcon-overlay/mock';
import type { TestbedError } from 'falcon-overlay/testbed';
// @ts-expect-error internal modules are not exported
import type { FalconClient } from 'falcon-overlay/dist/src/client/falcon-client';

async function main(): Promise<void> {
  const falcon = await falconOverlay.openFalcon({ backend: 'mock' });
  const attached = await falcon.attach({ ifname: 'eth0', stage: 1 });
  const stage: number = attached.stage;
  // @ts-expect-error attach takes a device, not a string
  await falcon.attach('eth0');
  await falcon.close();
  void [stage, createMockTransport];
}
void main;
export type Unused = TestbedError | FalconClient;
