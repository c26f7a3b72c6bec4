import * as fs from 'fs';
import * as path from 'path';

/**
 * The project root: the directory of the package.json that declares the
 * falcon-testbed bin, found upward from this file (works from src/ under
 * ts-node and from dist/src/ after tsc).
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        const bins = (JSON.parse(fs.readFileSync(pj, 'utf8')) as { bin?: Record<string, string> }).bin;
        if (bins !== undefined && 'falcon-testbed' in bins) return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the falcon project root above ${from}`);
    dir = up;
  }
}

/** The package's bins (name -> script relative to the root): each gets a wrapper in the guest. */
export function packageBins(root: string = projectRoot()): Record<string, string> {
  const pj = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  return pj.bin ?? {};
}
