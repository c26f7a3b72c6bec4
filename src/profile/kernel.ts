// The kernel profiler: loads bpf/stage_profile.bpf.c's programs with libbpf
// (falcon_bpf.node), attaches them (falcon.ko's only where its tracepoints
// exist and match), and turns map snapshots into Profiles.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { FalconError } from '../api/errors';
import { parseCpuList } from '../api/cpuset';
import { BpfObjectHandle, bpfObjectPath, loadBpfAddon } from './addon';
import { assembleProfile, emptySnapshot } from './assemble';
import { ProfilerError } from './errors';
import { usableFalconEvents } from './falcon-events';
import { checkFlowSampling, checkTimeSampling } from './sampling';
import { RawSnapshot, decodeSnapshot } from './maps';
import type { Profile, ProfileOptions, WatchProfileOptions } from './types';

const CORE_PROGRAMS = ['sp_softirq_entry', 'sp_softirq_exit', 'sp_receive'];
const BTF = '/sys/kernel/btf/vmlinux';

/** sp_config's indexes (bpf/stage_profile.bpf.c). */
export const SP_CONFIG_FLOWS = 0;
export const SP_CONFIG_TIMING = 1;

/** Sets sp_config[index] of a loaded stage_profile object (before its programs attach). */
export function setConfig(obj: BpfObjectHandle, index: number, value: number): void {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(index);
  const v = Buffer.alloc(4);
  v.writeUInt32LE(value);
  obj.updateMap('sp_config', key, v);
}

/** Checks what can be checked before asking the kernel; throws a ProfilerError naming the problem. */
function preflight(): void {
  if (typeof process.geteuid === 'function' && process.geteuid() !== 0) {
    throw new ProfilerError('not-root', 'EPERM', 'profiling needs root: loading eBPF programs takes CAP_BPF and CAP_PERFMON');
  }
  if (!fs.existsSync(BTF)) {
    throw new ProfilerError('no-btf', 'EOPNOTSUPP', `kernel ${os.release()} has no BTF (${BTF} is missing; it needs CONFIG_DEBUG_INFO_BTF=y): the profiler's CO-RE programs cannot be relocated`);
  }
}

/** A libbpf failure as a ProfilerError. */
function loadError(error: unknown, what: string): ProfilerError {
  const e = error as { code?: string; message?: string };
  const detail = String(e.message ?? error);
  if (e.code === 'EPERM' || e.code === 'EACCES') {
    return new ProfilerError('not-root', 'EPERM', `${what}: the kernel refused (EPERM): run as root (CAP_BPF, CAP_PERFMON)`, error);
  }
  return new ProfilerError('kernel-unsupported', 'EOPNOTSUPP', `kernel ${os.release()} cannot run the profiler's programs (${what}): ${detail}`, error);
}

/** ip netns names by namespace inode; the caller's own namespace maps to null. */
export function netnsNamesByInode(): Map<number, string | null> {
  const names = new Map<number, string | null>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/run/netns');
  } catch {
    // no named namespaces
  }
  for (const name of entries) {
    try {
      names.set(fs.statSync(path.join('/run/netns', name)).ino, name);
    } catch {
      // deleted meanwhile
    }
  }
  try {
    names.set(fs.statSync('/proc/self/ns/net').ino, null);
  } catch {
    // no procfs
  }
  return names;
}

function onlineCpus(): number[] {
  try {
    return parseCpuList(fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim());
  } catch {
    return os.cpus().map((_, i) => i);
  }
}

/** Loaded and attached programs; snapshot() reads their maps; close() detaches. */
export class KernelProfiler {
  private readonly obj: BpfObjectHandle;
  /** falcon.ko's events are attached. */
  readonly falcon: boolean;
  /** Why some figures are missing. */
  readonly notes: readonly string[];
  /** Flows are accounted on one timed stage run in this many (0: not at all). */
  readonly flowSampling: number;
  /** Stages are timed in one NET_RX run in this many. */
  readonly timeSampling: number;

  private constructor(obj: BpfObjectHandle, falcon: boolean, notes: string[], sampling: { flows: number; time: number }) {
    this.obj = obj;
    this.falcon = falcon;
    this.notes = notes;
    this.flowSampling = sampling.flows;
    this.timeSampling = sampling.time;
  }

  /**
   * Loads and attaches. flows: account the inner 5-tuples (a header parse and
   * a flow-table update per accounted stage run); flowSampling, timeSampling:
   * what is sampled, how often (sampling.ts).
   */
  static open(options: { flows?: boolean; flowSampling?: number; timeSampling?: number } = {}): KernelProfiler {
    const period = checkFlowSampling(options.flowSampling);
    const flowSampling = options.flows === false ? 0 : period;
    const timeSampling = checkTimeSampling(options.timeSampling);
    preflight();
    const addon = loadBpfAddon();
    const file = bpfObjectPath('stage_profile');
    let obj: BpfObjectHandle;
    try {
      obj = new addon.BpfObject(file);
    } catch (error) {
      throw loadError(error, `loading ${path.basename(file)}`);
    }
    try {
      setConfig(obj, SP_CONFIG_FLOWS, flowSampling);
      setConfig(obj, SP_CONFIG_TIMING, timeSampling);
      for (const p of CORE_PROGRAMS) {
        try {
          obj.attach(p);
        } catch (error) {
          throw loadError(error, `attaching ${p}`);
        }
      }
      const events = usableFalconEvents();
      const notes = [...events.notes];
      let attached = 0;
      for (const p of events.programs) {
        try {
          obj.attach(p);
          attached++;
        } catch (error) {
          notes.push(`${p} not attached: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      const falcon = attached > 0 && attached === events.programs.length && events.notes.length === 0;
      return new KernelProfiler(obj, falcon, notes, { flows: flowSampling, time: timeSampling });
    } catch (error) {
      obj.close();
      throw error;
    }
  }

  /** The programs' cumulative counters now. */
  snapshot(): RawSnapshot {
    if (this.obj.closed) throw new FalconError({ code: 'EBADF', message: 'the profiler is closed', syscall: 'profile' });
    return decodeSnapshot({
      cpus: this.obj.dumpMap('sp_cpus'),
      stages: this.obj.dumpMap('sp_stages'),
      names: this.obj.dumpMap('sp_dev_names'),
      flows: this.obj.dumpMap('sp_flows'),
      queueWait: this.obj.dumpMap('sp_queue_wait'),
    });
  }

  /** The profile of what happened between two snapshots. */
  profileBetween(before: RawSnapshot, after: RawSnapshot, durationMs: number, options: ProfileOptions = {}): Profile {
    return assembleProfile(before, after, {
      durationMs,
      cpus: onlineCpus(),
      netnsNames: netnsNamesByInode(),
      falcon: this.falcon,
      notes: this.notes,
      devices: options.devices,
      topFlows: options.topFlows ?? 10,
      flowSampling: Math.max(1, this.flowSampling),
      timeSampling: this.timeSampling,
    });
  }

  /** Detaches and unloads. Idempotent. */
  close(): void {
    this.obj.close();
  }
}

function checkDuration(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new FalconError({ code: 'EINVAL', message: `${what} must be a positive number of milliseconds`, syscall: 'profile' });
  return ms;
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * Profiles this host's receive path for options.durationMs (default 1000)
 * with the kernel's eBPF programs. Rejects with a ProfilerError naming what
 * is missing (root, BTF, libbpf and the Debian packages it comes in).
 */
export async function profileHost(options: ProfileOptions = {}): Promise<Profile> {
  const durationMs = checkDuration(options.durationMs ?? 1000, 'durationMs');
  const profiler = KernelProfiler.open({ flows: (options.topFlows ?? 10) > 0, flowSampling: options.flowSampling, timeSampling: options.timeSampling });
  try {
    const start = process.hrtime.bigint();
    await sleep(durationMs, undefined, options.signal ? { signal: options.signal } : {}).catch((error: unknown) => {
      if (aborted(options.signal)) throw new FalconError({ code: 'ECANCELED', message: 'The operation was aborted', syscall: 'profile', name: 'AbortError', cause: error });
      throw error;
    });
    const after = profiler.snapshot();
    const measured = Number(process.hrtime.bigint() - start) / 1e6;
    return profiler.profileBetween(emptySnapshot(), after, Math.round(measured), options);
  } finally {
    profiler.close();
  }
}

/**
 * Profiles back to back, one every options.intervalMs (default 1000), until
 * the signal aborts or the loop breaks; the programs stay attached meanwhile.
 */
export async function* watchHostProfiles(options: WatchProfileOptions = {}): AsyncGenerator<Profile, void, undefined> {
  const intervalMs = checkDuration(options.intervalMs ?? 1000, 'intervalMs');
  const profiler = KernelProfiler.open({ flows: (options.topFlows ?? 10) > 0, flowSampling: options.flowSampling, timeSampling: options.timeSampling });
  try {
    let before = profiler.snapshot();
    let at = process.hrtime.bigint();
    while (!aborted(options.signal)) {
      try {
        await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        return; // aborted: the iteration ends
      }
      const after = profiler.snapshot();
      const now = process.hrtime.bigint();
      yield profiler.profileBetween(before, after, Math.round(Number(now - at) / 1e6), options);
      before = after;
      at = now;
    }
  } finally {
    profiler.close();
  }
}
