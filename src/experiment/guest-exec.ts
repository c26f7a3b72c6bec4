/** Running commands in the guest: foreground with a timeout, or in the background. */
import { ChildProcess, spawn } from 'child_process';

/** What a finished command left. */
export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion (killed after timeoutS); never rejects for a non-zero exit. */
export function exec(argv: readonly string[], timeoutS: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) {
      reject(new Error('empty command'));
      return;
    }
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutS} s)`;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs argv and rejects with its stderr when it fails. */
export async function execOk(argv: readonly string[], timeoutS = 60): Promise<string> {
  const r = await exec(argv, timeoutS);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code ?? 'killed'}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** A background process that is killed (and awaited) by stop(). */
export class Background {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(readonly argv: readonly string[]) {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('empty command');
    this.child = spawn(cmd, args, { stdio: 'ignore', detached: false });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', () => resolve());
      this.child.on('error', () => resolve());
    });
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** argv that runs `argv` in network namespace `netns` pinned to `cpu`. */
export function inNetns(netns: string | undefined, cpu: number | undefined, argv: readonly string[]): string[] {
  const pinned = cpu === undefined ? [...argv] : ['taskset', '-c', String(cpu), ...argv];
  return netns === undefined ? pinned : ['ip', 'netns', 'exec', netns, ...pinned];
}

/** Resolves after ms milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
