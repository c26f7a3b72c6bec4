/** Small process helpers for the reliability suite (guest only, as root). */
import { execFileSync, spawn, ChildProcess } from 'child_process';

/** Runs argv, returns stdout; throws with stderr on a non-zero exit. */
export function sh(argv: readonly string[], input?: string): string {
  return execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', stdio: 'pipe', input });
}

/** Runs argv inside a named network namespace. */
export function nsSh(ns: string, argv: readonly string[]): string {
  return sh(['ip', 'netns', 'exec', ns, ...argv]);
}

/** Starts a long-running process; its output is discarded unless piped by the caller. */
export function background(argv: readonly string[], pipeStdout = false): ChildProcess {
  return spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', pipeStdout ? 'pipe' : 'ignore', 'pipe'] });
}

/** Kills a background process (by its own pid only) and waits for it. */
export async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGKILL');
  await done;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `ms` pass; returns its last answer. */
export async function waitFor(check: () => boolean, ms: number, stepMs = 200): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
}
