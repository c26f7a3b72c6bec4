// Falcon's declarative configuration file (`falconctl apply -f`, `falconctl
// show --config`): parsing and formatting only, no I/O, so both are unit
// tested without a module. The grammar is falconctl's own, one statement a
// line:
//
//   # a comment (also after a statement, preceded by a blank)
//   set <key> <value> [<key> <value>]...
//   attach <ifname> [--netns <name|path>] [--cpus <list>] [--stage <n>]
//
// Keys: enabled (on|off, also yes|no, 1|0), cpus, mode, policy, threshold,
// hysteresis, interval, queue-limit: the keys and values of `falconctl set`
// plus `enabled`. Values are range-checked here against the protocol's
// limits; what depends on the machine (CPUs beyond nr_cpu_ids or offline, an
// interval that is not a multiple of the tick) is the kernel's to refuse.
import { formatCpuList, parseCpuList } from '../api/cpuset';
import type { Attachment, ConfigChange, FalconConfig, Mode, Policy } from '../api/types';
import { parseArgs, parseInteger, Parsed, stringOption } from '../args/parse';
import { rangeOf } from './ranges';

/** The keys a `set` line takes, in the order `show --config` writes them. */
export const SET_KEYS = ['enabled', 'cpus', 'mode', 'policy', 'threshold', 'hysteresis', 'interval', 'queue-limit'] as const;

/** One key of a `set` line. */
export type SetKey = (typeof SET_KEYS)[number];

/** One `attach` line. */
export interface AttachStatement {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly ifname: string;
  /** As given (a name under /run/netns or a path); absent: the caller's namespace. */
  readonly netns?: string;
  /** The attachment's own CPU set; absent: the global set. */
  readonly cpus?: number[];
  /** Absent: any stage is fine for an existing attachment, the lowest free one for a new one. */
  readonly stage?: number;
}

/** A parsed file: the configuration change (all `set` lines together) and the attachments. */
export interface ConfigFile {
  /** Every `set` key and value of the file, as one change. */
  readonly change: ConfigChange;
  /** The line each key was set on. */
  readonly setLines: ReadonlyMap<SetKey, number>;
  /** `attach` lines in file order. */
  readonly attachments: readonly AttachStatement[];
}

/** A mistake on one line of the file. */
export interface LineError {
  readonly line: number;
  readonly message: string;
}

/** What parseConfigFile returns: the file, or every error found (nothing is applied then). */
export type ParseResult = { readonly ok: true; readonly file: ConfigFile } | { readonly ok: false; readonly errors: readonly LineError[] };

const MODES: readonly Mode[] = ['stage', 'paper'];
const POLICIES: readonly Policy[] = ['static', 'balanced'];
const ON = ['on', 'yes', '1'];
const OFF = ['off', 'no', '0'];

/** A value error on the current line. */
class ValueError extends Error {}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function uintIn(text: string, what: string, { min, max }: { min: number; max: number }): number {
  let value: number;
  try {
    value = parseInteger(text, what, { hex: true });
  } catch (err) {
    throw new ValueError(messageOf(err));
  }
  if (value < min || value > max) throw new ValueError(`${what} must be ${min}-${max}, got "${text}"`);
  return value;
}

function cpuSet(text: string, what: string): number[] {
  let cpus: number[];
  try {
    cpus = parseCpuList(text);
  } catch (err) {
    throw new ValueError(`${what}: ${messageOf(err)}`);
  }
  if (cpus.length === 0) throw new ValueError(`${what} must name at least one CPU`);
  return cpus;
}

/** Adds one `key value` pair to a change; throws ValueError on a bad key or value. */
function setValue(change: ConfigChange, key: string, value: string): SetKey {
  switch (key) {
    case 'enabled':
      if (ON.includes(value)) change.enabled = true;
      else if (OFF.includes(value)) change.enabled = false;
      else throw new ValueError(`enabled must be on or off, got "${value}"`);
      return key;
    case 'cpus':
      change.cpus = cpuSet(value, 'cpus');
      return key;
    case 'mode':
      if (!MODES.includes(value as Mode)) throw new ValueError(`mode must be stage or paper, got "${value}"`);
      change.mode = value as Mode;
      return key;
    case 'policy':
      if (!POLICIES.includes(value as Policy)) throw new ValueError(`policy must be static or balanced, got "${value}"`);
      change.policy = value as Policy;
      return key;
    case 'threshold':
      change.threshold = uintIn(value.replace(/%$/, ''), 'threshold', rangeOf('threshold'));
      return key;
    case 'hysteresis':
      change.hysteresis = uintIn(value.replace(/%$/, ''), 'hysteresis', rangeOf('hysteresis'));
      return key;
    case 'interval':
      change.intervalMs = uintIn(value.replace(/ms$/, ''), 'interval', rangeOf('interval-ms'));
      return key;
    case 'queue-limit':
      change.queueLimit = uintIn(value, 'queue-limit', rangeOf('queue-limit'));
      return key;
    default:
      throw new ValueError(`unknown setting "${key}" (${SET_KEYS.join(', ')})`);
  }
}

const ATTACH_OPTIONS = [
  { name: 'netns', value: true },
  { name: 'cpus', value: true },
  { name: 'stage', value: true },
] as const;

function attachStatement(line: number, words: readonly string[]): AttachStatement {
  let parsed: Parsed;
  try {
    parsed = parseArgs(words, ATTACH_OPTIONS);
  } catch (err) {
    throw new ValueError(messageOf(err));
  }
  if (parsed.positionals.length !== 1) throw new ValueError('attach needs exactly one <ifname>');
  const ifname = parsed.positionals[0] as string;
  if (ifname.length > 15 || ifname.includes('/')) throw new ValueError(`"${ifname}" is not a device name (at most 15 characters, no "/")`);
  const netns = stringOption(parsed, 'netns');
  const cpus = stringOption(parsed, 'cpus');
  const stage = stringOption(parsed, 'stage');
  if (netns === '') throw new ValueError('--netns needs a namespace name or path');
  return {
    line,
    ifname,
    ...(netns !== undefined ? { netns } : {}),
    ...(cpus !== undefined ? { cpus: cpuSet(cpus, '--cpus') } : {}),
    ...(stage !== undefined ? { stage: uintIn(stage, 'stage', rangeOf('stage')) } : {}),
  };
}

/**
 * A namespace reference in the form Attachment.netns uses: a /run/netns path
 * becomes its name; undefined is the caller's namespace. Two attach lines
 * (or a line and an attachment) name the same namespace when these match.
 */
export function netnsKey(netns: string | undefined): string | undefined {
  if (netns === undefined) return undefined;
  const named = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(netns);
  return named ? named[1] : netns;
}

/** How an attach line names its device in messages: `vx0 (netns h2)`. */
export function deviceText(ifname: string, netns: string | undefined): string {
  return netns === undefined ? ifname : `${ifname} (netns ${netns})`;
}

/** Splits a line into words, dropping a comment (`#` at the start or after a blank). */
function words(text: string): string[] {
  const hash = text.search(/(^|\s)#/);
  return (hash < 0 ? text : text.slice(0, hash)).trim().split(/\s+/).filter((w) => w !== '');
}

/**
 * Parses a whole file. Every line is checked, and every error is reported
 * with its line number; the file is applied only when there is none.
 */
export function parseConfigFile(text: string): ParseResult {
  const errors: LineError[] = [];
  const change: ConfigChange = {};
  const setLines = new Map<SetKey, number>();
  const attachments: AttachStatement[] = [];
  const attachLines = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const [verb, ...rest] = words(raw);
    if (verb === undefined) return;
    try {
      if (verb === 'set') {
        if (rest.length === 0 || rest.length % 2 !== 0) throw new ValueError('set needs a key and a value (set <key> <value>)');
        for (let i = 0; i < rest.length; i += 2) {
          const key = setValue(change, rest[i] as string, rest[i + 1] as string);
          const first = setLines.get(key);
          if (first !== undefined) throw new ValueError(`${key} is set twice (first on line ${first})`);
          setLines.set(key, line);
        }
      } else if (verb === 'attach') {
        const a = attachStatement(line, rest);
        const id = `${a.ifname}\0${netnsKey(a.netns) ?? ''}`;
        const first = attachLines.get(id);
        if (first !== undefined) throw new ValueError(`${deviceText(a.ifname, a.netns)} is attached twice (first on line ${first})`);
        attachLines.set(id, line);
        attachments.push(a);
      } else {
        throw new ValueError(`unknown statement "${verb}" (a line is "set <key> <value>" or "attach <ifname> [options]")`);
      }
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      errors.push({ line, message: err.message });
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, file: { change, setLines, attachments } };
}

/** The `set` key a kernel error's attribute points at, if any. */
export function keyOfAttribute(attribute: string | undefined): SetKey | undefined {
  switch (attribute) {
    case 'enabled': case 'cpus': case 'mode': case 'policy': case 'threshold': case 'hysteresis': case 'queue-limit':
      return attribute;
    case 'interval-ms':
      return 'interval';
    default:
      return undefined;
  }
}

/**
 * Whether a later `apply` can name the attachment's namespace: its own
 * (absent), an `ip netns` name or another path that outlives the process.
 * A /proc/<pid> path names a process that will be gone, and `netns:[inum]`
 * names nothing.
 */
export function restorableNetns(netns: string | undefined): boolean {
  return netns === undefined || !(netns.startsWith('/proc/') || netns.startsWith('netns:['));
}

/** The `attach` line that recreates an attachment (always with --stage; --cpus only for its own set). */
export function attachLine(a: Attachment): string {
  const parts = ['attach', a.ifname];
  if (a.netns !== undefined) parts.push('--netns', a.netns);
  if (a.cpus !== undefined) parts.push('--cpus', formatCpuList(a.cpus));
  parts.push('--stage', String(a.stage));
  return parts.join(' ');
}

/** The `set` value of one key in a configuration, as the file writes it. */
export function setValueText(c: FalconConfig, key: SetKey): string {
  switch (key) {
    case 'enabled':
      return c.enabled ? 'on' : 'off';
    case 'cpus':
      return formatCpuList(c.cpus);
    case 'mode':
      return c.mode;
    case 'policy':
      return c.policy;
    case 'threshold':
      return String(c.threshold);
    case 'hysteresis':
      return String(c.hysteresis);
    case 'interval':
      return String(c.intervalMs);
    case 'queue-limit':
      return String(c.queueLimit);
  }
}

function unnamedWhy(netns: string): string {
  const pid = /^\/proc\/(\d+)\//.exec(netns);
  return pid
    ? `the namespace has no name, only process ${pid[1]} (ip netns attach <name> ${pid[1]} names it)`
    : `the namespace ${netns} has no name and no process`;
}

/** What the header says: who wrote the file, and when. */
export interface FileHeader {
  readonly version: string;
  readonly date: Date;
}

/** Attachments in the order the file lists them: by stage, then namespace and name. */
export function fileOrder(list: readonly Attachment[]): Attachment[] {
  return [...list].sort((a, b) => a.stage - b.stage || (a.netns ?? '').localeCompare(b.netns ?? '') || a.ifname.localeCompare(b.ifname));
}

/**
 * The file that restores a configuration and its attachments: every `set`
 * key (so a restore sets everything), then one `attach` per attachment in
 * stage order. An attachment whose namespace has no lasting name is written
 * commented out, with the reason.
 */
export function formatConfigFile(config: FalconConfig, attachments: readonly Attachment[], header: FileHeader): string {
  const lines = [
    '# Falcon configuration: falconctl show --config; restore it with falconctl apply -f <file>',
    `# written by falconctl ${header.version} on ${header.date.toISOString()}`,
    ...SET_KEYS.map((key) => `set ${key} ${setValueText(config, key)}`),
  ];
  for (const a of fileOrder(attachments)) {
    if (restorableNetns(a.netns)) lines.push(attachLine(a));
    else lines.push(`# ${attachLine(a)}   # not restorable: ${unnamedWhy(a.netns ?? '')}`);
  }
  return `${lines.join('\n')}\n`;
}
