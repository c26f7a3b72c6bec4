/**
 * Kernel splat detection on the guest console.
 *
 * Patterns are anchored to the start of a kernel log line, i.e. right after
 * the printk timestamp `[   12.345678] ` (the testbed boots with
 * printk.time=1). Command output is never mistaken for a splat, and a harmless
 * boot message that merely contains "WARNING:" mid-line does not match.
 */

/** Printk prefix: timestamp, then an optional caller id like `[    T1]`. */
const PREFIX = String.raw`^\[\s*\d+\.\d+\]\s?(?:\[\s*[CT]\d+\]\s?)?`;

/** Named splat kinds and the message starts that identify them. */
export const SPLAT_PATTERNS: readonly { kind: string; re: RegExp }[] = [
  { kind: 'cut here', re: /------------\[ cut here \]------------/ },
  { kind: 'warning', re: /WARNING: CPU: \d+/ },
  { kind: 'soft lockup', re: /(?:watchdog: )?BUG: soft lockup/ },
  { kind: 'kasan', re: /BUG: KASAN:|KASAN:/ },
  { kind: 'bug', re: /BUG:/ },
  { kind: 'kernel bug', re: /kernel BUG at / },
  { kind: 'oops', re: /Oops:/ },
  { kind: 'general protection fault', re: /general protection fault/ },
  { kind: 'call trace', re: /Call Trace:/ },
  { kind: 'rcu stall', re: /rcu: INFO: rcu_\w+ (?:self-)?detected stall/ },
  { kind: 'rcu stall', re: /INFO: rcu_\w+ (?:self-)?detected stall/ },
  { kind: 'hard lockup', re: /(?:NMI watchdog: |watchdog: )?Watchdog detected hard LOCKUP/ },
  { kind: 'hard lockup', re: /hard LOCKUP/ },
  { kind: 'refcount', re: /refcount_t: / },
  { kind: 'list corruption', re: /list_(?:add|del) corruption/ },
  { kind: 'ubsan', re: /UBSAN: / },
  { kind: 'hung task', re: /INFO: task .+ blocked for more than \d+ seconds/ },
  { kind: 'panic', re: /Kernel panic - not syncing/ },
].map(({ kind, re }) => ({ kind, re: new RegExp(PREFIX + re.source) }));

/** One kernel splat: its first matching line and the report around it. */
export interface Splat {
  kind: string;
  /** 0-based index of the first matching line in the log. */
  line: number;
  /** The report: the matching line and the kernel lines that follow it. */
  text: string[];
}

const KERNEL_LINE = new RegExp(PREFIX);
const MAX_REPORT_LINES = 60;

/** Returns the kind of splat a single console line starts, if any. */
export function matchSplatLine(line: string): string | undefined {
  const clean = line.replace(/\r$/, '');
  for (const p of SPLAT_PATTERNS) if (p.re.test(clean)) return p.kind;
  return undefined;
}

/**
 * Finds splats in a console log. Consecutive matching lines of one report
 * (cut here, WARNING, Call Trace...) are grouped into one splat that runs
 * until `---[ end trace` or a gap in kernel lines.
 */
export function findSplats(log: string | readonly string[]): Splat[] {
  const lines = typeof log === 'string' ? log.split('\n') : log;
  const splats: Splat[] = [];
  let i = 0;
  while (i < lines.length) {
    const kind = matchSplatLine(lines[i] ?? '');
    if (kind === undefined) {
      i++;
      continue;
    }
    const start = i;
    const text: string[] = [];
    let nonKernel = 0;
    while (i < lines.length && text.length < MAX_REPORT_LINES) {
      const l = (lines[i] ?? '').replace(/\r$/, '');
      i++;
      if (KERNEL_LINE.test(l)) {
        nonKernel = 0;
        text.push(l);
        if (/---\[ end trace/.test(l)) break;
      } else if (++nonKernel > 3) {
        break;
      }
    }
    splats.push({ kind, line: start, text });
  }
  return splats;
}
