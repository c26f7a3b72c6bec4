/**
 * Splits the guest console stream into lines, pulls out the testbed's marker
 * lines (which carry the run's nonce, so command output cannot fake them) and
 * passes everything else through live, partial lines included, so a
 * command's progress output is not held back.
 */
export interface MarkerEvent {
  kind: string;
  payload: string;
}

const MARK = 'FALCON_TESTBED_';

/** Length of the prefix of `s` that cannot be part of a marker. */
function safeLength(s: string): number {
  const at = s.indexOf(MARK);
  if (at >= 0) return at;
  for (let k = Math.min(MARK.length - 1, s.length); k > 0; k--) {
    if (s.endsWith(MARK.slice(0, k))) return s.length - k;
  }
  return s.length;
}

export class ConsoleSplitter {
  private pending = '';
  /** How much of `pending` was already passed through. */
  private shown = 0;
  /** Every complete console line (markers included), for splat scanning. */
  readonly lines: string[] = [];

  constructor(
    private readonly nonce: string,
    private readonly onMarker: (m: MarkerEvent) => void,
    /** Receives output text (markers removed, CRLF turned into LF). */
    private readonly onText: (text: string) => void,
  ) {}

  push(chunk: string): void {
    this.pending += chunk.replace(/\r/g, '');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      const shown = this.shown;
      this.shown = 0;
      this.lines.push(line);
      const re = new RegExp(`${MARK}([A-Z]+) ${this.nonce}(?: (.*))?$`);
      const m = re.exec(line);
      if (m !== null) {
        // Output without a trailing newline right before a marker: keep it, end the line.
        const before = line.slice(shown, m.index);
        if (before !== '' || shown > 0) this.onText(before + '\n');
        this.onMarker({ kind: MARK + (m[1] ?? ''), payload: m[2] ?? '' });
      } else {
        this.onText(line.slice(shown) + '\n');
      }
    }
    const safe = safeLength(this.pending);
    if (safe > this.shown) {
      this.onText(this.pending.slice(this.shown, safe));
      this.shown = safe;
    }
  }

  /** Flushes a trailing partial line at the end of the stream. */
  end(): void {
    if (this.pending !== '') this.push('\n');
  }
}
