/**
 * The C tools of the VM tests (test/vm/c, one Makefile), built inside the
 * guest on first use. The project directory is read-only there (9p), so
 * binaries go to /tmp, which is fresh each boot: no stale binaries.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { projectDir } from './guest';

const OUT = '/tmp/falcon-c';

/** The tools test/vm/c/Makefile builds. */
export type CTool = 'falcon-fuzz' | 'dump-hold' | 'udp-count' | 'xdp-generic';

/**
 * Returns the binary of `tool`, building every tool the first time: gcc's
 * start-up costs tens of seconds under TCG, so they compile in parallel,
 * once per boot. A failed compile throws with gcc's output.
 */
export function buildC(tool: CTool): string {
  const bin = path.join(OUT, tool);
  if (fs.existsSync(bin)) return bin;
  const dir = path.join(projectDir(), 'test', 'vm', 'c');
  execFileSync('make', ['-s', '-j4', '-C', dir, `O=${OUT}`, 'falcon-fuzz', 'dump-hold', 'udp-count', 'xdp-generic'], { stdio: 'pipe' });
  if (!fs.existsSync(bin)) throw new Error(`test/vm/c: ${tool} did not build`);
  return bin;
}
