// Typed face of falcon_bpf.node (native/bpf/*.cc): one libbpf object, its
// programs attached by name, its maps read as raw bytes. Loaded on first use,
// so that nothing else in the SDK needs libbpf.
import bindings from 'bindings';
import * as fs from 'fs';
import * as path from 'path';
import { PROFILER_PACKAGES, ProfilerError } from './errors';

/** A map's contents: per-CPU values hold nrCpus slots of valueSize bytes. */
export interface MapDump {
  readonly perCpu: boolean;
  readonly nrCpus: number;
  readonly valueSize: number;
  readonly entries: ReadonlyArray<readonly [Buffer, Buffer]>;
}

/** native/bpf/bpf_object.h. */
export interface BpfObjectHandle {
  programs(): Array<{ name: string; section: string }>;
  attach(program: string): void;
  dumpMap(map: string): MapDump;
  updateMap(map: string, key: Buffer, value: Buffer): void;
  close(): void;
  readonly closed: boolean;
}

interface BpfAddon {
  readonly BpfObject: new (objectPath: string) => BpfObjectHandle;
}

let addon: BpfAddon | undefined;

/** Loads falcon_bpf.node, or explains which packages are missing. */
export function loadBpfAddon(): BpfAddon {
  if (addon) return addon;
  try {
    addon = bindings('falcon_bpf') as BpfAddon;
    return addon;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ProfilerError(
      'no-libbpf',
      'ENOENT',
      `the profiler's addon (falcon_bpf.node, built with libbpf) is not available: install ${PROFILER_PACKAGES} (Debian) and run npm run build:native (${why})`,
      error,
    );
  }
}

/** dist/bpf/<name>.bpf.o, built by npm run build:bpf. */
export function bpfObjectPath(name: string): string {
  // dist/src/profile -> dist/bpf
  const file = path.resolve(__dirname, '..', '..', 'bpf', `${name}.bpf.o`);
  if (!fs.existsSync(file)) {
    throw new ProfilerError(
      'no-object',
      'ENOENT',
      `the profiler's eBPF object ${file} is not built: install ${PROFILER_PACKAGES} (Debian) and run npm run build:bpf`,
    );
  }
  return file;
}
