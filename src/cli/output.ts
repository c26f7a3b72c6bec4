// How falconctl prints: aligned tables and key/value lists for people, JSON
// with stable snake_case keys for scripts (-j, -p to indent), colour only on a
// TTY, and errors as `Error: <message>.`.

/** Where and how a command prints. */
export interface Output {
  readonly json: boolean;
  readonly pretty: boolean;
  readonly colour: boolean;
  /** Writes to stdout. */
  write(text: string): void;
  /** Writes to stderr. */
  writeErr(text: string): void;
}

/** The process's output, honouring -j/-p and whether stdout is a TTY (and NO_COLOR). */
export function processOutput(json: boolean, pretty: boolean): Output {
  return {
    json,
    pretty,
    colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb',
    write: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
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
}

/** Prints an error: `Error: <message>.` on stderr, or a JSON error object on stdout under -j (as bpftool). */
export function printError(out: Output, failure: CliFailure): void {
  if (out.json) {
    const error: Record<string, string> = { code: failure.code, message: failure.message };
    if (failure.attribute !== undefined) error.attribute = failure.attribute;
    printJson(out, { error });
    return;
  }
  const text = failure.message.replace(/\.$/, '');
  const where = failure.attribute ? ` (attribute "${failure.attribute}")` : '';
  const prefix = out.colour ? '\x1b[31mError:\x1b[0m' : 'Error:';
  out.writeErr(`${prefix} ${text}${where}.\n`);
}
