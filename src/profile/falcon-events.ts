// falcon.ko's tracepoints as the profiler reads them. The module has no BTF,
// so the programs use classic tracepoints with hand-written context structs
// (bpf/stage_profile.bpf.c); before attaching, the SDK checks the kernel's
// format file against the offsets those structs assume, so a changed event
// is refused with a note instead of being misread.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** One field of an event: offset and size in bytes. */
export interface EventField {
  readonly offset: number;
  readonly size: number;
}

/**
 * The layout of each event (offsets past the 8 bytes of common fields), as
 * the lead specified it for falcon.ko. `read` names the fields the programs
 * use: only those must match for the program to attach.
 */
export const FALCON_EVENTS: Readonly<Record<string, { fields: Readonly<Record<string, EventField>>; read: readonly string[]; program: string }>> = {
  falcon_steer: {
    program: 'sp_falcon_steer',
    read: ['skbaddr'],
    fields: {
      skbaddr: { offset: 8, size: 8 }, netns_cookie: { offset: 16, size: 8 }, ifindex: { offset: 24, size: 4 },
      ifname: { offset: 28, size: 16 }, stage: { offset: 44, size: 4 }, hash: { offset: 48, size: 4 },
      from_cpu: { offset: 52, size: 4 }, to_cpu: { offset: 56, size: 4 }, reason: { offset: 60, size: 4 }, qlen: { offset: 64, size: 4 },
    },
  },
  falcon_reinject: {
    program: 'sp_falcon_reinject',
    read: ['wait_ns'],
    fields: {
      skbaddr: { offset: 8, size: 8 }, netns_cookie: { offset: 16, size: 8 }, ifindex: { offset: 24, size: 4 },
      ifname: { offset: 28, size: 16 }, cpu: { offset: 44, size: 4 }, wait_ns: { offset: 48, size: 8 },
    },
  },
  falcon_drop: {
    program: 'sp_falcon_drop',
    read: ['skbaddr'],
    fields: {
      skbaddr: { offset: 8, size: 8 }, netns_cookie: { offset: 16, size: 8 }, ifindex: { offset: 24, size: 4 },
      ifname: { offset: 28, size: 16 }, cpu: { offset: 44, size: 4 }, reason: { offset: 48, size: 4 },
    },
  },
};

/** Parses a tracefs format file: each non-common field's offset and size. */
export function parseEventFormat(text: string): Record<string, EventField> {
  const fields: Record<string, EventField> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*field:(.*);\s*offset:(\d+);\s*size:(\d+);/.exec(line);
    if (!m) continue;
    const decl = (m[1] as string).trim();
    const name = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\])?$/.exec(decl)?.[1];
    if (name === undefined || name.startsWith('common_')) continue;
    fields[name] = { offset: Number(m[2]), size: Number(m[3]) };
  }
  return fields;
}

/** The fields of @read whose offset or size differ from @expected (empty: compatible). */
export function layoutMismatches(
  actual: Readonly<Record<string, EventField>>,
  expected: Readonly<Record<string, EventField>>,
  read: readonly string[],
): string[] {
  return read.flatMap((f) => {
    const a = actual[f];
    const e = expected[f];
    if (!e) return [];
    if (!a) return [`${f} missing`];
    return a.offset === e.offset && a.size === e.size ? [] : [`${f} at ${a.offset}/${a.size}, expected ${e.offset}/${e.size}`];
  });
}

const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** tracefs' root with events, mounting tracefs at /sys/kernel/tracing if nothing is (root only); undefined if none. */
export function tracefsRoot(): string | undefined {
  const found = (): string | undefined => TRACEFS.find((d) => fs.existsSync(path.join(d, 'events')));
  const root = found();
  if (root !== undefined) return root;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return found();
}

/** falcon.ko is loaded. */
export function falconLoaded(): boolean {
  return fs.existsSync('/sys/module/falcon');
}

/** Which of falcon.ko's events can be attached now, and why the others cannot. */
export function usableFalconEvents(): { programs: string[]; notes: string[] } {
  if (!falconLoaded()) return { programs: [], notes: [] };
  const root = tracefsRoot();
  if (root === undefined) return { programs: [], notes: ['falcon.ko is loaded but tracefs is not mounted: its events are not profiled'] };
  const programs: string[] = [];
  const notes: string[] = [];
  for (const [event, spec] of Object.entries(FALCON_EVENTS)) {
    const file = path.join(root, 'events', 'falcon', event, 'format');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      notes.push(`falcon.ko has no ${event} tracepoint: ${event === 'falcon_reinject' ? 'no queue-wait histogram' : 'steered packets also count on their arrival CPU'}`);
      continue;
    }
    const bad = layoutMismatches(parseEventFormat(text), spec.fields, spec.read);
    if (bad.length > 0) {
      notes.push(`falcon.ko's ${event} differs from the layout the profiler was built for (${bad.join(', ')}): not attached`);
      continue;
    }
    programs.push(spec.program);
  }
  return { programs, notes };
}
