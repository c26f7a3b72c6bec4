// falconctl --batch: a file of falconctl commands, one a line (as `ip -batch`
// takes ip commands). This is the line syntax; falconctl.ts runs the lines.
import { UsageError } from '../args/parse';

/**
 * Splits a batch line into words: blanks separate them, '...' and "..."
 * quote (a backslash escapes the next character outside single quotes), and
 * "#" at the start of a word starts a comment. A blank line is [].
 */
export function splitLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (c === '#' && !inWord) break;
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < text.length) word += text[++i];
    else word += c;
  }
  if (quote !== undefined) throw new UsageError(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
