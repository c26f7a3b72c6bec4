// falconctl's version: the package's, read from package.json at run time so
// that a build never carries a stale copy.
import * as fs from 'fs';
import * as path from 'path';

/** package.json's version, or 'unknown' when it cannot be read. */
export function falconctlVersion(): string {
  try {
    // dist/src/cli/ -> the package root.
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
