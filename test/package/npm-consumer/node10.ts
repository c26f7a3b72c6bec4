// A consumer on TypeScript's older node10 resolution (module commonjs), which
// ignores the exports map: the subpaths resolve through typesVersions.
import { openFalcon } from 'falcon-overlay';
import type { MockFalcon } from 'falcon-overlay';
import { MockModel } from 'falcon-overlay/mock';
import type { RunResult } from 'falcon-overlay/testbed';

export async function main(): Promise<void> {
  const falcon: MockFalcon = await openFalcon({ backend: 'mock' });
  // @ts-expect-error the mock's controls are typed, not any
  falcon.mock.setLoad('0', 1);
  await falcon.close();
}
export type Used = RunResult | MockModel;
