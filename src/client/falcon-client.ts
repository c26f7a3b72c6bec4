// The typed Falcon API over any GenlTransport: the kernel's (native addon)
// or the mock's. Everything backend-independent happens here — encoding,
// decoding, dump retries, netns descriptors, error mapping, close, abort and
// timeouts — so the two backends can only differ in what the module itself
// would answer.
import '../api/disposable';
import { ABORTED_MESSAGE, CLOSED_WHILE_PENDING_MESSAGE, FalconError, HANDLE_CLOSED_MESSAGE } from '../api/errors';
import type {
  AttachOptions,
  Attachment,
  BackendName,
  CallOptions,
  ConfigChange,
  CpuStats,
  DeviceRef,
  DeviceStats,
  EventsOptions,
  Falcon,
  FalconEvent,
  FalconConfig,
  PickRequest,
  PickResult,
  Stats,
  StatsSample,
  WatchStatsOptions,
} from '../api/types';
import { AttrMap, decodeAttrs, decodeGenl, encodeAttrs, encodeGenl } from '../protocol/codec';
import { FAMILY_VERSION, OpName, OPERATIONS } from '../protocol/generated';
import type { GenlTransport } from '../transport/types';
import {
  decodeAttachment,
  decodeConfig,
  decodeCpuStats,
  decodeDeviceStats,
  decodePick,
  statsPart,
} from './decode';
import { attachAttrs, configAttrs, deviceAttrs, u32 } from './encode';
import { netnsError, toFalconError } from './errors';
import { watchStats } from './watch';
import { events } from './events';
import { MockModel } from '../mock/model';
import { profileHost, watchHostProfiles } from '../profile/kernel';
import { mockProfile, watchMockProfiles } from '../profile/mock';
import type { Profile, ProfileOptions, WatchProfileOptions } from '../profile/types';

/** How many times a dump flagged NLM_F_DUMP_INTR is retried before giving up. */
export const DUMP_RETRIES = 8;

/** Largest timeoutMs setTimeout can wait for (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 0x7fffffff;

function usage(op: string, message: string): FalconError {
  return new FalconError({ code: 'EINVAL', message, syscall: op });
}

/** Throws EINVAL for options that cannot work: a non-signal, a timeout setTimeout cannot wait for. */
function checkCallOptions(op: string, options: CallOptions | undefined): void {
  if (options === undefined) return;
  const { signal, timeoutMs } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
    throw usage(op, 'signal must be an AbortSignal');
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw usage(op, `timeoutMs must be a number of milliseconds above 0 and at most ${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`);
  }
}

/**
 * The error of a call whose signal aborted: ETIMEDOUT when the signal's
 * reason is a TimeoutError (AbortSignal.timeout()), else ECANCELED; both
 * carry the reason as `cause`.
 */
function abortError(op: string, signal: AbortSignal): FalconError {
  const reason: unknown = signal.reason;
  const timedOut = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
  return timedOut
    ? new FalconError({ code: 'ETIMEDOUT', name: 'TimeoutError', message: `${op} timed out`, syscall: op, cause: reason })
    : new FalconError({ code: 'ECANCELED', name: 'AbortError', message: ABORTED_MESSAGE, syscall: op, cause: reason });
}

/** Per signal, the calls waiting on it: one listener per signal, however many calls share it. */
const abortWaiters = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `hook` when `signal` aborts; returns the unregistration. Calls share
 * one listener per signal (Node warns past 10 listeners on one signal, and
 * `Promise.all(devices.map((d) => falcon.pick(d, { signal })))` is ordinary).
 */
function onAbort(signal: AbortSignal, hook: () => void): () => void {
  let hooks = abortWaiters.get(signal);
  if (!hooks) {
    const waiting = new Set<() => void>();
    hooks = waiting;
    abortWaiters.set(signal, waiting);
    signal.addEventListener(
      'abort',
      () => {
        abortWaiters.delete(signal);
        for (const h of [...waiting]) h();
      },
      { once: true },
    );
  }
  const mine = hooks;
  mine.add(hook);
  return () => mine.delete(hook);
}

/** Falcon over a GenlTransport. */
export class FalconClient implements Falcon {
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Run by close(): reject what is pending, end what is watching. */
  private readonly closeHooks = new Set<() => void>();

  /**
   * @param transport carries the falcon family's messages; closed by close().
   * @param backend which backend the transport talks to.
   */
  constructor(
    private readonly transport: GenlTransport,
    readonly backend: BackendName,
  ) {}

  /**
   * Runs one public call under the handle's rules, identical on every
   * backend: EBADF once closed, ECANCELED when closed or aborted while
   * pending, ETIMEDOUT past timeoutMs. `body` is not cancelled (a netlink
   * request cannot be unsent): it runs to its end, so a netns descriptor is
   * closed only after the kernel has read the request, and its outcome is
   * dropped.
   */
  private guarded<T>(op: OpName, options: CallOptions | undefined, body: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new FalconError({ code: 'EBADF', message: HANDLE_CLOSED_MESSAGE, syscall: op }));
    try {
      checkCallOptions(op, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    const timeoutMs = options?.timeoutMs;
    if (signal?.aborted) return Promise.reject(abortError(op, signal));
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let forget: (() => void) | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        forget?.();
        this.closeHooks.delete(onClose);
      };
      const stop = (error: FalconError): void => {
        cleanup();
        reject(error);
      };
      const onClose = (): void => stop(new FalconError({ code: 'ECANCELED', message: CLOSED_WHILE_PENDING_MESSAGE, syscall: op }));
      this.closeHooks.add(onClose);
      if (signal) forget = onAbort(signal, () => stop(abortError(op, signal)));
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => stop(new FalconError({ code: 'ETIMEDOUT', name: 'TimeoutError', message: `${op} timed out after ${timeoutMs} ms`, syscall: op })),
          timeoutMs,
        );
      }
      body().then(
        (value) => {
          cleanup();
          resolve(value);
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  }

  // Sends one request of `op`; maps every failure to a FalconError.
  private async call(op: OpName, attrs: AttrMap, netns?: string): Promise<AttrMap[]> {
    const spec = OPERATIONS[op];
    if (!spec) throw new FalconError({ code: 'EOPNOTSUPP', message: `unknown operation ${op}`, syscall: op });
    let fd: number | undefined;
    if (netns !== undefined) {
      try {
        fd = await this.transport.openNetns(netns);
      } catch (error) {
        throw netnsError(error, netns, op);
      }
    }
    let payload: Buffer | undefined;
    try {
      const all = fd === undefined ? attrs : { ...attrs, 'netns-fd': fd };
      payload = encodeGenl({ command: spec.id, version: FAMILY_VERSION, attrs: encodeAttrs('falcon', all) });
      const dump = spec.kind === 'dump';
      for (let attempt = 0; ; attempt++) {
        const replies = await this.transport.request(payload, { dump });
        if (!replies.dumpInterrupted) return replies.map((reply) => decodeAttrs('falcon', decodeGenl(reply).attrs));
        // The dump raced with attach/detach: its parts may be inconsistent.
        if (attempt + 1 >= DUMP_RETRIES) {
          throw new FalconError({
            code: 'EAGAIN',
            message: `${op} dump was interrupted by concurrent changes ${DUMP_RETRIES} times`,
            syscall: op,
          });
        }
      }
    } catch (error) {
      throw toFalconError(error, op, payload);
    } finally {
      if (fd !== undefined) await this.transport.closeNetns(fd).catch(() => undefined);
    }
  }

  private async one(op: OpName, attrs: AttrMap, netns?: string): Promise<AttrMap> {
    const [reply] = await this.call(op, attrs, netns);
    if (!reply) throw new FalconError({ code: 'EPROTO', message: `${op}: no reply`, syscall: op });
    return reply;
  }

  getConfig(options?: CallOptions): Promise<FalconConfig> {
    const op = 'get-config';
    return this.guarded(op, options, async () => decodeConfig(op, await this.one(op, {})));
  }

  setConfig(change: ConfigChange, options?: CallOptions): Promise<FalconConfig> {
    const op = 'set-config';
    return this.guarded(op, options, async () => decodeConfig(op, await this.one(op, configAttrs(op, change))));
  }

  enable(options?: CallOptions): Promise<FalconConfig> {
    return this.setConfig({ enabled: true }, options);
  }

  disable(options?: CallOptions): Promise<FalconConfig> {
    return this.setConfig({ enabled: false }, options);
  }

  /** Adds each entry's namespace name (see Attachment.netns), looking each namespace up once. */
  private async named<T extends { netnsInum: number }>(entries: T[]): Promise<T[]> {
    const names = new Map<number, string | undefined>();
    for (const e of entries) if (!names.has(e.netnsInum)) names.set(e.netnsInum, await this.transport.netnsName(e.netnsInum));
    return entries.map((e) => {
      const netns = names.get(e.netnsInum);
      return netns === undefined ? e : { ...e, netns };
    });
  }

  attach(attachOptions: AttachOptions, options?: CallOptions): Promise<Attachment> {
    const op = 'attach';
    return this.guarded(op, options, async () => {
      const reply = await this.one(op, attachAttrs(op, attachOptions), attachOptions.netns);
      const [a] = await this.named([decodeAttachment(op, reply)]);
      return a as Attachment;
    });
  }

  detach(device: DeviceRef, options?: CallOptions): Promise<void> {
    const op = 'detach';
    return this.guarded(op, options, async () => {
      await this.call(op, deviceAttrs(op, device), device.netns);
    });
  }

  devices(options?: CallOptions): Promise<Attachment[]> {
    const op = 'get-device';
    return this.guarded(op, options, async () =>
      this.named((await this.call(op, {})).map((reply) => decodeAttachment(op, reply))),
    );
  }

  stats(options?: CallOptions): Promise<Stats> {
    const op = 'get-stats';
    return this.guarded(op, options, async () => {
      const cpus: CpuStats[] = [];
      const devices: DeviceStats[] = [];
      for (const reply of await this.call(op, {})) {
        const part = statsPart(reply);
        if (part.cpu) cpus.push(decodeCpuStats(op, part.cpu));
        if (part.device) devices.push(decodeDeviceStats(op, part.device));
      }
      return { cpus, devices: await this.named(devices) };
    });
  }

  resetStats(options?: CallOptions): Promise<void> {
    const op = 'reset-stats';
    return this.guarded(op, options, async () => {
      await this.call(op, {});
    });
  }

  pick(request: PickRequest, options?: CallOptions): Promise<PickResult> {
    const op = 'pick';
    return this.guarded(op, options, async () => {
      const attrs = deviceAttrs(op, request);
      // A missing flow hash is the kernel's to refuse (flow-hash-missing).
      if (request.flowHash !== undefined) attrs['flow-hash'] = u32(op, 'flowHash', 'flow-hash', request.flowHash);
      return decodePick(op, await this.one(op, attrs, request.netns));
    });
  }

  pinLoad(cpu: number, load: number, options?: CallOptions): Promise<void> {
    const op = 'pin-load';
    return this.guarded(op, options, async () => {
      const attrs: AttrMap = {};
      if (cpu !== undefined) attrs.cpu = u32(op, 'cpu', 'cpu', cpu);
      if (load !== undefined) attrs.load = u32(op, 'load', 'load', load);
      await this.call(op, attrs);
    });
  }

  unpinLoad(cpu?: number, options?: CallOptions): Promise<void> {
    const op = 'unpin-load';
    return this.guarded(op, options, async () => {
      await this.call(op, cpu === undefined ? {} : { cpu: u32(op, 'cpu', 'cpu', cpu) });
    });
  }

  watchStats(options?: WatchStatsOptions): AsyncIterable<StatsSample> {
    return watchStats(
      {
        stats: (callOptions) => this.stats(callOptions),
        onClose: (hook) => {
          // Already closed: the first sample's EBADF says so.
          if (this.closed) return () => undefined;
          this.closeHooks.add(hook);
          return () => this.closeHooks.delete(hook);
        },
      },
      options,
    );
  }

  events(options?: EventsOptions): AsyncIterable<FalconEvent> {
    const transport = this.transport;
    return events(
      {
        subscribe: (group, sink) => transport.subscribe(group, sink),
        netnsName: (inum) => transport.netnsName(inum),
        closed: this.closed,
        onClose: (hook) => {
          this.closeHooks.add(hook);
          return () => this.closeHooks.delete(hook);
        },
      },
      options,
    );
  }

  /** The mock host behind a mock transport; undefined on the kernel. */
  private mockModel(): MockModel | undefined {
    const model = (this.transport as { model?: unknown }).model;
    return model instanceof MockModel ? model : undefined;
  }

  profile(options?: ProfileOptions): Promise<Profile> {
    if (this.closed) return Promise.reject(new FalconError({ code: 'EBADF', message: HANDLE_CLOSED_MESSAGE, syscall: 'profile' }));
    const model = this.mockModel();
    return model ? mockProfile(model, options) : profileHost(options);
  }

  async *watchProfiles(options: WatchProfileOptions = {}): AsyncGenerator<Profile, void, undefined> {
    if (this.closed) throw new FalconError({ code: 'EBADF', message: HANDLE_CLOSED_MESSAGE, syscall: 'profile' });
    // Ends when the caller's signal aborts or the handle closes.
    const stop = new AbortController();
    const hook = (): void => stop.abort();
    this.closeHooks.add(hook);
    const forward = (): void => stop.abort();
    options.signal?.addEventListener('abort', forward, { once: true });
    if (options.signal?.aborted) stop.abort();
    try {
      const model = this.mockModel();
      const opts = { ...options, signal: stop.signal };
      yield* model ? watchMockProfiles(model, opts) : watchHostProfiles(opts);
    } finally {
      this.closeHooks.delete(hook);
      options.signal?.removeEventListener('abort', forward);
    }
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    // Pending calls reject now, before the transport's own close answers them.
    const hooks = [...this.closeHooks];
    this.closeHooks.clear();
    for (const hook of hooks) hook();
    this.closing = this.transport.close();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
