/** Facts about the host recorded with every result: CPU model, cores, git commit. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

/** The host's CPU model name (first /proc/cpuinfo entry). */
export function hostCpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1] !== undefined) return m[1].trim();
  } catch {
    /* fall through */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Host cores available to this process. */
export function hostCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The project's git commit, with "-dirty" when the work tree has changes; "unknown" outside git. */
export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty === '' ? head : `${head}-dirty`;
  } catch {
    return 'unknown';
  }
}

/** A timestamp usable as a directory name: 2024-05-01T12-30-05Z. */
export function timestampName(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}
