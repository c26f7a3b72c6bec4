// How each example runs from the command line: open the kernel backend (or
// the mock with --mock), run, close, and report errors the way falconctl does.
import { openFalcon } from 'falcon-overlay';
import type { FalconInstance } from 'falcon-overlay';

/** Runs `body` against a freshly opened Falcon; exit status 2 on a refused request. */
export function runExample(body: (falcon: FalconInstance) => Promise<void>): void {
  openFalcon({ backend: process.argv.includes('--mock') ? 'mock' : 'kernel' })
    .then(async (falcon) => {
      try {
        await body(falcon);
      } finally {
        await falcon.close();
      }
    })
    .catch((err: Error) => {
      console.error(`Error: ${err.message}.`);
      process.exitCode = 2;
    });
}
