/**
 * Makes sure no VM or temp dir outlives the host process, whatever the exit
 * path: normal exit, uncaught error (the 'exit' event), SIGINT/SIGTERM/SIGHUP.
 * SIGKILL of the host is covered by starting QEMU under
 * `setpriv --pdeathsig KILL`.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function reapAll(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  children.clear();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  reapAll();
  uninstall();
  // No handler left: re-raising gives the default action (the usual exit
  // status), unless the embedding program has handlers of its own.
  process.kill(process.pid, sig);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', reapAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed || children.size > 0 || dirs.size > 0) return;
  installed = false;
  process.removeListener('exit', reapAll);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** Tracks a child until it exits; it is SIGKILLed if the host exits first. */
export function trackChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => {
    children.delete(child);
    uninstall();
  });
}

/** Tracks a temp dir; removed on exit unless released first. */
export function trackDir(dir: string): void {
  install();
  dirs.add(dir);
}

/** Removes a tracked temp dir now. */
export function releaseDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
  uninstall();
}
