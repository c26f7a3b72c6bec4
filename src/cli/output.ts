// How falconctl prints: aligned tables and key/value lists for people, JSON
// with stable snake_case keys for scripts (-j, -p to indent), colour only on a
// TTY, and errors as `Error: <message>.`. A stdout whose reader went away
// (EPIPE: `falconctl stats | head -1`) is no error: writes stop, --watch
// stops, the command finishes and falconctl exits with its status. A stdout
// that cannot be written (ENOSPC: /dev/full, EIO) is one error line on
// stderr and exit status 2. Never a stack trace.
import { getSystemErrorMap } from 'node:util';

/** Where and how a command prints. */
export interface Output {
  readonly json: boolean;
  readonly pretty: boolean;
  readonly colour: boolean;
  /** Writes to stdout. */
  write(text: string): void;
  /** Writes to stderr. */
  writeErr(text: string): void;
  /**
   * Calls `listener` once stdout can take nothing more (its reader went away,
   * or a write failed); returns what unsubscribes it. Absent: it never closes.
   */
  onClosed?(listener: () => void): () => void;
  /** Why stdout could not be written (not a reader that went away), if it could not. */
  failure?(): string | undefined;
}

interface StdoutState {
  closed: boolean;
  failure?: string;
  readonly listeners: Set<() => void>;
}

const stdout: StdoutState = { closed: false, listeners: new Set() };
let guarded = false;

function errorText(err: unknown): string {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown };
  const known = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno) : undefined;
  if (known) return `${known[1]} (${known[0]})`;
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
}

/** What process.stdout's 'error' (and a write that throws) come to. */
export function stdoutFailed(err: unknown): void {
  if (stdout.closed) return;
  stdout.closed = true;
  if ((err as { code?: unknown }).code !== 'EPIPE') {
    stdout.failure = `cannot write to standard output: ${errorText(err)}`;
    process.stderr.write(`Error: ${stdout.failure}.\n`);
    process.exitCode = 2;
  }
  for (const listener of [...stdout.listeners]) listener();
}

/** Why the process's stdout failed (undefined: it did not, or its reader merely went away). */
export function stdoutFailure(): string | undefined {
  return stdout.failure;
}

function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', stdoutFailed);
  // Nothing is left to tell when stderr fails too.
  process.stderr.on('error', () => undefined);
}

/** The process's output, honouring -j/-p and whether stdout is a TTY (and NO_COLOR). */
export function processOutput(json: boolean, pretty: boolean): Output {
  guardStdio();
  return {
    json,
    pretty,
    colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb',
    write: (text) => {
      if (stdout.closed) return;
      try {
        process.stdout.write(text);
      } catch (err) {
        stdoutFailed(err);
      }
    },
    writeErr: (text) => {
      try {
        process.stderr.write(text);
      } catch {
        /* nowhere left to tell */
      }
    },
    onClosed: (listener) => {
      if (stdout.closed) {
        listener();
        return () => undefined;
      }
      stdout.listeners.add(listener);
      return () => stdout.listeners.delete(listener);
    },
    failure: () => stdout.failure,
  };
}

/** Prints a JSON value (one line, or indented under -p). */
export function printJson(out: Output, value: unknown): void {
  out.write(`${JSON.stringify(value, null, out.pretty ? 2 : undefined)}\n`);
}

const bold = (out: Output, s: string): string => (out.colour ? `\x1b[1m${s}\x1b[0m` : s);

/** Prints rows under a header, columns left-aligned and padded. */
export function printTable(out: Output, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  out.write(`${bold(out, line(header))}\n`);
  for (const row of rows) out.write(`${line(row)}\n`);
}

/** Prints `key  value` lines, keys aligned. */
export function printPairs(out: Output, pairs: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...pairs.map(([k]) => k.length));
  for (const [k, v] of pairs) out.write(`${bold(out, k.padEnd(width))}  ${v}\n`);
}

/** A failure as falconctl reports it. */
export interface CliFailure {
  readonly code: string;
  readonly message: string;
  readonly attribute?: string;
  /** false: the message already says what the attribute would (JSON still names it). */
  readonly attributeInText?: boolean;
}

/** Where a batch line's failure happened. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

/** A failure's text for people: the message, and the attribute the kernel pointed at. */
export function failureText(failure: CliFailure): string {
  const where = failure.attribute && failure.attributeInText !== false ? ` (attribute "${failure.attribute}")` : '';
  return `${failure.message.replace(/\.$/, '')}${where}`;
}

/**
 * Prints an error: `Error: <message>.` on stderr, or a JSON error object on
 * stdout under -j (as bpftool). A batch line's error is `<file>:<line>: <message>`
 * (under -j: "file" and "line" keys in the error object).
 */
export function printError(out: Output, failure: CliFailure, at?: Location): void {
  if (out.json) {
    const error: Record<string, string | number> = { code: failure.code, message: failure.message };
    if (failure.attribute !== undefined) error.attribute = failure.attribute;
    if (at) Object.assign(error, { file: at.file, line: at.line });
    printJson(out, { error });
    return;
  }
  if (at) {
    out.writeErr(`${at.file}:${at.line}: ${failureText(failure)}\n`);
    return;
  }
  const prefix = out.colour ? '\x1b[31mError:\x1b[0m' : 'Error:';
  out.writeErr(`${prefix} ${failureText(failure)}.\n`);
}
