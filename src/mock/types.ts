// Public types of the mock backend: how a mock host is described at open,
// and the controls a test or a user script drives it with.
import type { DeviceRef } from '../api/types';
import type { MockTopology } from './netns';
import type { MockFlow } from './profile-ledger';

/** What a mock host looks like at open. Every field has a default. */
export interface MockOptions {
  /** nr_cpu_ids: possible CPUs 0..cpus-1 (default 4). */
  cpus?: number;
  /** CPUs online at "module load" (default: every possible CPU). */
  online?: readonly number[];
  /** Kernel HZ; the tick (tick-ms) is 1000 / hz ms (default 250: 4 ms). */
  hz?: number;
  /** Namespaces and devices (default: DEFAULT_TOPOLOGY, the testbed overlay). */
  topology?: MockTopology;
  /**
   * Milliseconds now (default Date.now): a detached device's hook waits at
   * most 1000 of them for its queued packets (docs/protocol.md "Ordering").
   */
  clock?: () => number;
  /** The transport's caller holds CAP_NET_ADMIN in the initial user namespace (default true). */
  admin?: boolean;
  /** Namespace of the transport's socket, by name; default the initial namespace. */
  netns?: string;
  /**
   * An existing model to talk to instead of a fresh one: several transports
   * (an admin and a non-admin, sockets in different namespaces) share one host.
   * cpus/online/hz/topology are then ignored.
   */
  model?: MockControls;
}

/** One burst of traffic for the traffic driver. */
export interface InjectOptions {
  /** The receiving device (namespace by name; default the initial namespace). */
  device: DeviceRef;
  /** The flow's skb hash (u32). */
  flowHash: number;
  /** Number of packets (default 1). */
  packets?: number;
  /** CPU the packets arrive on (default 0; must be online). */
  cpu?: number;
  /** The skbs come from pfmemalloc reserves: never steered. */
  pfmemalloc?: boolean;
  /** The flow's inner 5-tuple, for the profile's top flows (default: not in top flows). */
  flow?: MockFlow;
}

/** What one inject did, summed over its packets. */
export interface InjectResult {
  /** The device was attached, so the hook saw the packets. */
  readonly hooked: boolean;
  readonly local: number;
  readonly steered: number;
  readonly dropped: number;
  /** Packets sent after their flow's earlier packets instead of to the placement's target (steered or dropped). */
  readonly deferred: number;
  /** Steered packets by target CPU. */
  readonly targets: Readonly<Record<number, number>>;
}

/** Drives the mock host: traffic, loads, hotplug, devices and namespaces. */
export interface MockControls {
  /** Runs packets through the steering hook of a device, as the kernel's datapath would. */
  inject(options: InjectOptions): InjectResult;
  /** Sets the load monitor's smoothed value for a CPU (0-100); pins still win. */
  setLoad(cpu: number, load: number): void;
  /** CPU hotplug: an offlined CPU leaves every effective set; what its queue held is purged. */
  setOnline(cpu: number, online: boolean): void;
  /** `ip netns add`: a namespace with lo (ifindex 1) unless devices are given. */
  addNamespace(name: string, devices?: ReadonlyArray<{ ifname: string; ifindex: number }>): void;
  /** `ip netns del`: its devices are unregistered (and detached). */
  removeNamespace(name: string): void;
  /** Registers a device; ifindex defaults to one past the namespace's highest. Returns its ifindex. */
  addDevice(device: { ifname: string; ifindex?: number; netns?: string; genericXdp?: boolean }): number;
  /** Unregisters a device: auto-detach, and its queued packets are purged. */
  removeDevice(device: DeviceRef): void;
  /** Moves a device to another namespace (null: the initial one): it is detached, not re-attached there. */
  moveDevice(device: DeviceRef, netns: string | null): number;
  /** Loads or removes a generic-mode XDP program on a device. */
  setGenericXdp(device: DeviceRef, on: boolean): void;
  /**
   * Holds queued packets instead of draining them at once, so queue-len,
   * queue-hwm, full-queue drops and purges can be exercised, and flows'
   * earlier packets stay on their way (a CPU with a held packet has no quiet
   * point, so flows queued to it do not move). Turning holding off drains
   * everything.
   */
  holdQueues(hold: boolean): void;
  /**
   * Lets one CPU (default: every online CPU) process what its queue holds;
   * its queue then empty, each is at a quiet point.
   */
  drain(cpu?: number): void;
}
