// An ES module consumer (TypeScript, module/moduleResolution nodenext): the
// exports map's `types` conditions must resolve, with real types: every
// expected error below fails the check if its line stops being an error.
import { openFalcon, FalconError } from 'falcon-overlay';
import type { FalconErrorCode, MockFalcon, PickResult } from 'falcon-overlay';
import { MockModel } from 'falcon-overlay/mock';
import { runInVm } from 'falcon-overlay/testbed';
import type { RunOptions } from 'falcon-overlay/testbed';
// @ts-expect-error internal modules are not exported
import { decodeStats } from 'falcon-overlay/dist/src/client/decode';
// @ts-expect-error no such subpath
import * as internal from 'falcon-overlay/internal-thing';

const falcon: MockFalcon = await openFalcon({ backend: 'mock', cpus: 2 });
await falcon.attach({ ifname: 'eth0' });
const pick: PickResult = await falcon.pick({ ifname: 'eth0', flowHash: 1 });
const code: FalconErrorCode = 'ENODEV';
// @ts-expect-error not an errno Falcon answers with
const typo: FalconErrorCode = 'ENODEVICE';
// @ts-expect-error mock-only options are not kernel options
void openFalcon({ backend: 'kernel', cpus: 4 });
const options: RunOptions = { command: ['true'] };
void [pick, code, typo, options, runInVm, MockModel, FalconError, decodeStats, internal];
await falcon.close();
