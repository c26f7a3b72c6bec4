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

export const FUZZER = 'tools/fuzz/falcon-fuzz.c';
export const UDP_COUNT = 'test/vm/reliability/c/udp-count.c';
export const DUMP_HOLD = 'test/vm/reliability/c/dump-hold.c';
const ALL = [FUZZER, UDP_COUNT, DUMP_HOLD];

function binOf(rel: string): string {
  return path.join(OUT, path.basename(rel, '.c'));
}

/**
 * Returns the binary of <project>/<rel>, building every helper on first use:
 * gcc's start-up costs tens of seconds under TCG, so the three compile in
 * parallel, once per boot.
 */
export function buildC(rel: string): string {
  const bin = binOf(rel);
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(OUT, { recursive: true });
  const jobs = ALL.filter((r) => !fs.existsSync(binOf(r)))
    .map((r) => `gcc -O2 -Wall -Werror -o '${binOf(r)}' '${path.join(projectDir(), r)}' &`)
    .join(' ');
  // `wait PID` per job so that any failed compile fails the build
  execFileSync('sh', ['-c', `set -e; ${jobs.replace(/&/g, '& pids="$pids $!";')} for p in $pids; do wait $p; done`], { stdio: 'pipe' });
  if (!fs.existsSync(bin)) throw new Error(`${rel} did not build`);
  return bin;
}
