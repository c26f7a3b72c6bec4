// What the conformance suite needs from a backend under test: a Falcon, a raw
// transport for requests the typed API cannot make, a non-admin caller, and
// the host's devices and namespaces to play with.
import type { Falcon, FalconEvent } from '../../src/api/types';
import type { GenlTransport } from '../../src/transport/types';

/** One call of the Falcon API, JSON-serialisable so a child process can run it. */
export interface UserCall {
  readonly method: 'getConfig' | 'setConfig' | 'attach' | 'detach' | 'devices' | 'stats' | 'resetStats' | 'pick' | 'pinLoad' | 'unpinLoad';
  readonly args: readonly unknown[];
}

/** How one UserCall ended. */
export type UserOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly attribute?: string };

/** Who listens to events(): the suite's admin, an unprivileged caller, or a namespace admin (as runAsNetnsAdmin). */
export type ListenerRole = 'admin' | 'user' | 'netns-admin';

/** A running events() listener. */
export interface EventListener {
  /** Resolves with the first `count` events heard; rejects when they have not all come within `timeoutMs`. */
  take(count: number, timeoutMs?: number): Promise<FalconEvent[]>;
  /** Ends the listener. */
  stop(): Promise<void>;
}

/** Packets through a device's hook with the backend's queues held. */
export interface ConformanceTraffic {
  /** Holds queued packets (true), or lets every CPU process its queue and keeps none (false). */
  holdQueues(hold: boolean): Promise<void>;
  /** One packet of a flow arriving at a device (initial namespace) on a CPU: where it went. */
  inject(ifname: string, flowHash: number, cpu: number): Promise<{ readonly local: number; readonly targets: Readonly<Record<number, number>> }>;
}

/** A backend the suite runs against (the mock, or falcon.ko in the QEMU guest). */
export interface ConformanceBackend {
  /** Shown in the suite's title. */
  readonly name: string;
  /** Opens a Falcon as an admin (CAP_NET_ADMIN) in the initial namespace. */
  open(): Promise<Falcon>;
  /** Opens a raw transport (admin) of the falcon family. */
  openRaw(): Promise<GenlTransport>;
  /** Runs calls as an unprivileged caller whose socket lives in `netns` (default: initial). */
  runAsUser(calls: readonly UserCall[], netns?: string): Promise<UserOutcome[]>;
  /**
   * Runs calls as a namespace admin: CAP_NET_ADMIN in the initial user
   * namespace (no user namespace of its own, as CNI and VPN pods run), its
   * socket in `netns`, not the initial network namespace.
   */
  runAsNetnsAdmin(calls: readonly UserCall[], netns: string): Promise<UserOutcome[]>;
  /**
   * Starts events() as `role` with its socket in `netns` (default: initial);
   * resolves once it is subscribed, so every later change is heard.
   */
  listen(role: ListenerRole, netns?: string): Promise<EventListener>;
  /** Creates a namespace (as `ip netns add`). */
  addNamespace(name: string): Promise<void>;
  /** Deletes a namespace and its devices. */
  removeNamespace(name: string): Promise<void>;
  /** Creates a device (a dummy) in the initial namespace or `netns`. */
  addDevice(ifname: string, netns?: string): Promise<void>;
  /** Deletes a device. */
  deleteDevice(ifname: string, netns?: string): Promise<void>;
  /** CPU hotplug; resolves false where the host cannot do it (the test is then skipped). */
  setOnline(cpu: number, online: boolean): Promise<boolean>;
  /** Puts a generic-mode (SKB) XDP program on a device or takes it off; resolves false where the host cannot (skipped). */
  setGenericXdp(ifname: string, on: boolean): Promise<boolean>;
  /**
   * Traffic with held queues, where the backend can hold them (the mock);
   * absent where it cannot (falcon.ko: its queues drain in microseconds, so
   * no record stays pending for long enough to be stated).
   */
  readonly traffic?: ConformanceTraffic;
  /** Releases whatever open()/openRaw() left behind. */
  close(): Promise<void>;
}

/** Runs UserCalls on a Falcon, catching each failure as an outcome. */
export async function runUserCalls(falcon: Falcon, calls: readonly UserCall[]): Promise<UserOutcome[]> {
  const outcomes: UserOutcome[] = [];
  for (const call of calls) {
    try {
      const fn = falcon[call.method] as (...args: unknown[]) => Promise<unknown>;
      const value = await fn.apply(falcon, [...call.args]);
      outcomes.push({ ok: true, value: value ?? null });
    } catch (err) {
      const e = err as { code?: string; message?: string; attribute?: string };
      outcomes.push({ ok: false, code: e.code ?? 'EIO', message: e.message ?? String(err), attribute: e.attribute });
    }
  }
  return outcomes;
}

/** Default wait of EventListener.take: a namespace's devices go in an asynchronous cleanup. */
export const EVENT_TIMEOUT_MS = 30000;

/**
 * Collects events as they come, for take(): `source` is fed by whatever
 * runs the listener (events() in this process, or a child's output).
 */
export class EventCollector implements EventListener {
  private readonly heard: FalconEvent[] = [];
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly onStop: () => Promise<void>) {}

  /** Adds one event. */
  add(event: FalconEvent): void {
    this.heard.push(event);
    this.notify();
  }

  /** Records that the listener failed; take() rejects with it. */
  fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  async take(count: number, timeoutMs = EVENT_TIMEOUT_MS): Promise<FalconEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.heard.length < count) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`heard ${this.heard.length} of ${count} events within ${timeoutMs} ms: ${JSON.stringify(this.heard)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.heard.slice(0, count);
  }

  stop(): Promise<void> {
    return this.onStop();
  }
}

/** Runs events() on `falcon` into a collector; stop() ends it and closes `falcon`. */
export function listenOn(falcon: Falcon): EventListener {
  const stop = new AbortController();
  const iterable = falcon.events({ signal: stop.signal });
  let done: Promise<void> = Promise.resolve();
  const collector = new EventCollector(async () => {
    stop.abort();
    await done;
    await falcon.close();
  });
  done = (async () => {
    try {
      for await (const event of iterable) collector.add(event);
    } catch (error) {
      collector.fail(error as Error);
    }
  })();
  return collector;
}
