// What the conformance suite needs from a backend under test: a Falcon, a raw
// transport for requests the typed API cannot make, a non-admin caller, and
// the host's devices and namespaces to play with.
import type { Falcon } from '../../src/api/types';
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
