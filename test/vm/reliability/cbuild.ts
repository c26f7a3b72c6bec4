/**
 * Compiles the suite's C helpers inside the guest. The project directory is
 * read-only there (9p, readonly), so binaries go to /tmp; the guest's tmpfs
 * is fresh each boot, so there is no stale-binary problem.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectDir } from '../guest';

const OUT = '/tmp/falcon-reliability';

/** Builds <project>/<rel> into /tmp once per boot; returns the binary's path. */
export function buildC(rel: string): string {
  const src = path.join(projectDir(), rel);
  const bin = path.join(OUT, path.basename(rel, '.c'));
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(OUT, { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', bin, src], { stdio: 'pipe' });
  return bin;
}

export const FUZZER = 'tools/fuzz/falcon-fuzz.c';
export const UDP_COUNT = 'test/vm/reliability/c/udp-count.c';
export const DUMP_HOLD = 'test/vm/reliability/c/dump-hold.c';
