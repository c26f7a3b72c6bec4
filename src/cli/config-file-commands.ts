// falconctl apply -f <file> | show --config: save the configuration and the
// attachments as a file of falconctl statements (src/cli/config-file.ts),
// and bring a host back to what such a file says.
import * as fs from 'node:fs';
import type { Attachment, AttachOptions, Falcon, FalconConfig } from '../api/types';
import { netnsPath } from '../transport/netns';
import { hasOption, Parsed, stringOption as optionValue, UsageError } from '../args/parse';
import type { Command, CommandContext } from './command';
import {
  AttachStatement, ConfigFile, deviceText, fileOrder, formatConfigFile, keyOfAttribute, netnsKey, parseConfigFile,
} from './config-file';
import { attachmentJson, configJson, cpuText } from './format';
import { printJson } from './output';
import { falconctlVersion } from './version';

/**
 * A failure the command has already reported in full (per-line errors, or
 * a JSON summary): falconctl exits with `status` and prints nothing more.
 */
export class ExitStatus extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ExitStatus';
  }
}

interface LoadedFile {
  /** The file as messages name it: its path, or <stdin>. */
  readonly name: string;
  readonly file: ConfigFile;
}

// check() reads and parses the file (so a bad file never needs the module,
// and stdin is read once); run() takes the result from here.
const loadedFiles = new WeakMap<Parsed, LoadedFile>();

function loadFile(args: Parsed): LoadedFile {
  const cached = loadedFiles.get(args);
  if (cached) return cached;
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const file = optionValue(args, 'file');
  if (file === undefined) throw new UsageError('apply needs -f <file> (or -f - for stdin)');
  const name = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    throw new UsageError(`cannot read ${name}: ${typeof e.code === 'string' ? e.code : String(e.message)}`);
  }
  const parsed = parseConfigFile(text);
  if (!parsed.ok) {
    const lines = parsed.errors.map((e) => `${name}:${e.line}: ${e.message}`);
    throw new UsageError(
      lines.length === 1 ? `${lines[0]}; nothing applied` : `${lines.length} errors in ${name}, nothing applied:\n${lines.join('\n')}`,
    );
  }
  const loaded = { name, file: parsed.file };
  loadedFiles.set(args, loaded);
  return loaded;
}

/** What happened to one `attach` line. */
export type AttachResult = 'attached' | 'unchanged' | 'reattached' | 'skipped' | 'error';

interface LineOutcome {
  readonly line: number;
  readonly ifname: string;
  readonly netns: string | null;
  readonly result: AttachResult;
  /** The attachment as it is now (absent after an error or a skip). */
  readonly attachment?: Attachment;
  readonly error?: { readonly code: string; readonly message: string };
}

function failure(err: unknown): { code: string; message: string; attribute?: string } {
  const e = err as { code?: unknown; message?: unknown; attribute?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'EIO',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.attribute === 'string' ? { attribute: e.attribute } : {}),
  };
}

/** The device (ENODEV) or its namespace (ENOENT on the netns-fd) does not exist. */
function missing(f: { code: string; attribute?: string }): string | undefined {
  if (f.code === 'ENODEV') return 'no such device';
  if (f.code === 'ENOENT' && f.attribute === 'netns-fd') return 'no such network namespace';
  return undefined;
}

function inodeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}

/**
 * Whether an attach line's namespace is the attachment's: the same name
 * (Attachment.netns is an `ip netns` name, or absent for our own), or, on
 * the kernel, the same namespace inode however the line names it.
 */
function sameNamespace(falcon: Falcon, line: AttachStatement, a: Attachment): boolean {
  if (netnsKey(line.netns) === a.netns) return true;
  if (falcon.backend !== 'kernel') return false;
  return inodeOf(line.netns === undefined ? '/proc/self/ns/net' : netnsPath(line.netns)) === a.netnsInum;
}

function sameCpus(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((cpu, i) => cpu === b[i]);
}

/** An existing attachment already is what the line asks for (a line without --stage takes any stage). */
function satisfies(line: AttachStatement, a: Attachment): boolean {
  return (line.stage === undefined || line.stage === a.stage) && sameCpus(line.cpus, a.cpus);
}

function attachOptions(line: AttachStatement): AttachOptions {
  return {
    ifname: line.ifname,
    ...(line.netns !== undefined ? { netns: line.netns } : {}),
    ...(line.cpus !== undefined ? { cpus: line.cpus } : {}),
    ...(line.stage !== undefined ? { stage: line.stage } : {}),
  };
}

/** Brings one attach line about; never throws for a refusal of the kernel. */
async function applyLine(falcon: Falcon, line: AttachStatement, existing: Attachment | undefined, missingOk: boolean): Promise<LineOutcome> {
  const base = { line: line.line, ifname: line.ifname, netns: line.netns ?? null };
  if (existing && satisfies(line, existing)) return { ...base, result: 'unchanged', attachment: existing };
  if (existing) {
    // Different settings: detach, attach as the file says; put the old one back if that fails.
    try {
      await falcon.detach({ ifname: line.ifname, ...(line.netns !== undefined ? { netns: line.netns } : {}) });
    } catch (err) {
      const f = failure(err);
      return { ...base, result: 'error', error: { code: f.code, message: `cannot detach it to change its settings: ${f.message}` } };
    }
    try {
      return { ...base, result: 'reattached', attachment: await falcon.attach(attachOptions(line)) };
    } catch (err) {
      const f = failure(err);
      let restored = false;
      try {
        await falcon.attach({
          ifname: line.ifname, ...(line.netns !== undefined ? { netns: line.netns } : {}),
          ...(existing.cpus !== undefined ? { cpus: existing.cpus } : {}), stage: existing.stage,
        });
        restored = true;
      } catch {
        /* reported below */
      }
      const where = f.attribute ? ` (attribute "${f.attribute}")` : '';
      return {
        ...base, result: 'error',
        error: { code: f.code, message: `${f.message}${where}; ${restored ? 'it keeps its previous settings' : 'it is now detached'}` },
      };
    }
  }
  try {
    return { ...base, result: 'attached', attachment: await falcon.attach(attachOptions(line)) };
  } catch (err) {
    const f = failure(err);
    const absent = missing(f);
    if (absent !== undefined) return { ...base, result: missingOk ? 'skipped' : 'error', error: { code: f.code, message: absent } };
    const where = f.attribute ? ` (attribute "${f.attribute}")` : '';
    return { ...base, result: 'error', error: { code: f.code, message: `${f.message}${where}` } };
  }
}

function describe(a: Attachment): string {
  return `stage ${a.stage}, cpus ${a.cpus ? cpuText(a.cpus) : 'global'}`;
}

function outcomeJson(o: LineOutcome): Record<string, unknown> {
  return {
    line: o.line, ifname: o.ifname, netns: o.netns, result: o.result,
    stage: o.attachment?.stage ?? null, cpus: o.attachment ? (o.attachment.cpus ?? null) : null,
    error: o.error ?? null,
  };
}

/** `apply -f <file> [--prune] [--missing-ok]`. */
export const apply: Command = {
  name: 'apply',
  summary: 'apply a configuration file (as show --config writes)',
  usage: 'apply -f <file|-> [--missing-ok] [--prune]',
  help: [
    'The file holds falconctl statements, one a line ("#" starts a comment):',
    '  set <key> <value>      enabled on|off, cpus, mode, policy, threshold, hysteresis, interval, queue-limit',
    '  attach <ifname> [--netns <name|path>] [--cpus <list>] [--stage <n>]',
    'The whole file is checked first: any mistake -> exit 1, "<file>:<line>: <why>", nothing applied.',
    'All set lines are then one change, applied together or not at all (a refusal applies nothing else).',
    'Each attach line: already attached with the same stage and cpus -> unchanged; with other settings',
    '-> detached and attached again as the file says; device or namespace missing, or refused ->',
    '"<file>:<line>: <why>" on stderr, and the other lines still apply. Exit 0 when every line applied,',
    '2 when some did not. Attached devices the file does not name are left alone, unless --prune.',
    '(falconctl --batch runs any falconctl commands from a file, one session; apply is declarative.)',
  ].join('\n'),
  options: [
    { name: 'file', short: 'f', value: true, valueName: '<file>', complete: 'file', description: 'the file; "-" reads stdin' },
    { name: 'missing-ok', value: false, description: 'a device or namespace that does not exist (yet) is skipped, not a failure' },
    { name: 'prune', value: false, description: 'also detach attached devices the file does not name' },
  ],
  check(args) {
    loadFile(args);
  },
  async run(ctx) {
    const { name, file } = loadFile(ctx.args);
    const { falcon, out } = ctx;
    const say = (text: string): void => {
      if (!out.json) out.write(`${text}\n`);
    };
    const complain = (text: string): void => {
      if (!out.json) out.writeErr(`${text}\n`);
    };

    // The configuration: one all-or-nothing change; a refusal stops here.
    let config: FalconConfig;
    if (file.setLines.size > 0) {
      try {
        config = await falcon.setConfig(file.change);
      } catch (err) {
        const f = failure(err);
        const key = keyOfAttribute(f.attribute);
        const line = (key !== undefined ? file.setLines.get(key) : undefined) ?? Math.min(...file.setLines.values());
        const message = `${name}:${line}: ${f.message}${f.attribute ? ` (attribute "${f.attribute}")` : ''}`;
        if (out.json) {
          printJson(out, { config: null, config_error: { line, code: f.code, message: f.message }, attachments: [], detached: [] });
        } else {
          complain(message);
          complain('Error: the configuration was refused; nothing applied.');
        }
        throw new ExitStatus(2, message);
      }
      say(`${name}: configuration applied (${[...file.setLines.keys()].join(', ')})`);
    } else {
      config = await falcon.getConfig();
    }

    // The attachments, line by line; failures are reported and the rest go on.
    const before = await falcon.devices();
    const claimed = new Set<Attachment>();
    const outcomes: LineOutcome[] = [];
    for (const line of file.attachments) {
      const existing = before.find((a) => !claimed.has(a) && a.ifname === line.ifname && sameNamespace(falcon, line, a));
      if (existing) claimed.add(existing);
      const o = await applyLine(falcon, line, existing, hasOption(ctx.args, 'missing-ok'));
      outcomes.push(o);
      const where = `${name}:${o.line}: ${deviceText(line.ifname, line.netns)}`;
      if (o.result === 'error') complain(`${where}: ${o.error?.message ?? 'failed'}`);
      else if (o.result === 'skipped') complain(`${where}: ${o.error?.message ?? 'missing'} (skipped)`);
      else say(`${where}: ${o.result}${o.attachment ? ` (${describe(o.attachment)})` : ''}`);
    }

    // --prune: what the file does not name goes.
    const detached: Array<{ ifname: string; netns: string | null; error: { code: string; message: string } | null }> = [];
    if (hasOption(ctx.args, 'prune')) {
      for (const a of before) {
        if (claimed.has(a)) continue;
        let error: { code: string; message: string } | null = null;
        try {
          if (a.netns?.startsWith('netns:[')) {
            throw Object.assign(new Error('its namespace has no name and no process to name it by'), { code: 'ENOENT', attribute: 'netns-fd' });
          }
          await falcon.detach({ ifindex: a.ifindex, ...(a.netns !== undefined ? { netns: a.netns } : {}) });
          say(`${deviceText(a.ifname, a.netns)}: detached (not in ${name})`);
        } catch (err) {
          const f = failure(err);
          // Detached or unregistered meanwhile is what was wanted; a namespace we cannot open is not.
          if (!(f.code === 'ENODEV' || (f.code === 'ENOENT' && f.attribute !== 'netns-fd'))) {
            error = { code: f.code, message: f.message };
            complain(`${deviceText(a.ifname, a.netns)}: cannot detach it: ${f.message}`);
          }
        }
        detached.push({ ifname: a.ifname, netns: a.netns ?? null, error });
      }
    }

    const failedLines = outcomes.filter((o) => o.result === 'error').length;
    const failedDetaches = detached.filter((d) => d.error !== null).length;
    if (out.json) {
      printJson(out, { config: configJson(config), config_error: null, attachments: outcomes.map(outcomeJson), detached });
    }
    if (failedLines + failedDetaches > 0) {
      const what = [
        ...(failedLines ? [`${failedLines} of ${outcomes.length} attach lines`] : []),
        ...(failedDetaches ? [`${failedDetaches} of ${detached.length} detaches (--prune)`] : []),
      ];
      const message = `${what.join(' and ')} failed; the rest applied`;
      complain(`Error: ${message}.`);
      throw new ExitStatus(2, message);
    }
  },
};

/** `show --config`: the configuration and attachments as a file for apply. */
export const show: Command = {
  name: 'show',
  summary: 'print the configuration as a file for apply',
  usage: 'show --config',
  help: [
    'Prints every setting as a "set" line and every attachment as an "attach" line (in stage order,',
    'always with --stage, --cpus only for its own set), so that',
    '  falconctl show --config > falcon.conf; ...; falconctl apply -f falcon.conf',
    'restores them. An attachment whose namespace has no name (only /proc/<pid>/ns/net) is written',
    'commented out: nothing could name it later. With -j: {"config": ..., "attachments": [...]}.',
  ].join('\n'),
  options: [{ name: 'config', value: false, description: 'the configuration and attachments as apply -f takes them (the only view so far)' }],
  check(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    if (!hasOption(args, 'config')) throw new UsageError('show needs --config (the only view so far)');
  },
  async run(ctx: CommandContext) {
    const config = await ctx.falcon.getConfig();
    const attachments = await ctx.falcon.devices();
    if (ctx.out.json) {
      printJson(ctx.out, { config: configJson(config), attachments: fileOrder(attachments).map(attachmentJson) });
      return;
    }
    ctx.out.write(formatConfigFile(config, attachments, { version: falconctlVersion(), date: new Date() }));
  },
};
