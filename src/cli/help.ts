// falconctl's help texts, made from its command and option tables (which
// falconctl.ts declares); the man page and the bash completion (docs-gen.ts)
// are made from the same tables.
import type { CliOption, Command } from './command';

/** The option every command takes. */
export const HELP_OPTION: CliOption = { name: 'help', short: 'h', value: false, description: 'this help' };

/** What --batch reads, for the help and the man page. */
export const BATCH_TEXT = [
  'Each line of a batch file is one command as it would follow "falconctl" and its global options',
  '(e.g. "attach vx0 --netns h2 --stage 1"); "#" starts a comment, blank lines are skipped, and',
  "words may be quoted ('...' or \"...\"). The lines run in order in one session (with --mock, on one",
  'model, so what a line attaches the next one sees). The first line that fails stops the batch with',
  '"<file>:<line>: <error>" and its exit status; with --force every line runs and falconctl exits',
  'with the worst status.',
];

/** The exit statuses, for the help and the man page. */
export const EXIT_TEXT = 'Exit status: 0 success, 1 usage error, 2 refused by the kernel (or module not loaded, or stdout not writable); doctor: 3 when it finds a problem of warning or error level.';

/** "-f, --file <file>" or "    --prune". */
export function optionLabel(o: CliOption): string {
  const long = `--${o.name}${o.value ? ` ${o.valueName ?? '<value>'}` : ''}`;
  return o.short !== undefined ? `-${o.short}, ${long}` : `    ${long}`;
}

/** Words of `text` in lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Options with their descriptions, labels aligned, descriptions wrapped at 100 columns. */
export function optionLines(options: readonly CliOption[]): string[] {
  const width = Math.max(...options.map((o) => optionLabel(o).length));
  const indent = 2 + width + 2;
  return options.flatMap((o) => {
    const [first = '', ...more] = wrap(o.description, Math.max(40, 100 - indent));
    return [`  ${optionLabel(o).padEnd(width)}  ${first}`, ...more.map((l) => `${' '.repeat(indent)}${l}`)];
  });
}

/** `falconctl --help`. */
export function mainHelp(commands: readonly Command[], globals: readonly CliOption[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    'Usage: falconctl [-j|--json] [-p|--pretty] [--mock] COMMAND [ARGS]',
    '       falconctl [-j|--json] [-p|--pretty] [--mock] -b|--batch <file|-> [--force]',
    '       falconctl help [COMMAND] | COMMAND help | COMMAND --help | --help | --version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    ...optionLines(globals),
    '',
    ...BATCH_TEXT,
    '',
    EXIT_TEXT,
  ];
  return `${lines.join('\n')}\n`;
}

/** `falconctl COMMAND --help`: its grammar, what it does, and every option with a line about it. */
export function commandHelp(c: Command): string {
  const options = optionLines([{ ...HELP_OPTION, description: `this help (also: falconctl ${c.name} help)` }, ...c.options]);
  return `Usage: falconctl ${c.usage}\n\n${c.summary}.\n${c.help ? `\n${c.help}\n` : ''}\nOptions:\n${options.join('\n')}\n`;
}
