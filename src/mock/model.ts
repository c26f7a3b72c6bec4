// The mock host plus the module loaded on it: namespaces and devices, CPUs
// (online, queues, loads), and the module's configuration and attachments.
// Handlers (handlers.ts) and the datapath (datapath.ts) act on it; tests and
// scripts drive it through the MockControls it implements.
import type { DeviceRef } from '../api/types';
import { DetachReasonValues } from '../protocol/generated';
import { injectPackets } from './datapath';
import { deviceReply } from './handlers';
import { MockNotifier } from './notify';
import { DEFAULT_TOPOLOGY, MockDevice, MockNamespace, NamespaceTable } from './netns';
import { Placement, gateNext, place } from './placement';
import { ProfileLedger } from './profile-ledger';
import { AttachmentState, ConfigState, CpuState, defaultConfig, newCpu } from './state';
import type { InjectOptions, InjectResult, MockControls, MockOptions } from './types';

/** The model behind every mock transport opened on it. */
export class MockModel implements MockControls {
  /** nr_cpu_ids. */
  readonly nrCpuIds: number;
  /** Length of one tick in ms (1000 / HZ). */
  readonly tickMs: number;
  readonly namespaces: NamespaceTable;
  readonly cpus: CpuState[];
  config: ConfigState;
  /** Attachments in attach order (the dump order). */
  readonly attachments = new Map<MockDevice, AttachmentState>();
  /** Queued packets wait for drain() instead of being processed at once. */
  holding = false;
  /** Listeners of the module's multicast groups. */
  readonly notifier: MockNotifier;
  /** What the datapath did, for the mock's stage profile (src/profile/mock.ts). */
  readonly ledger = new ProfileLedger();

  constructor(options: MockOptions = {}) {
    const nr = options.cpus ?? 4;
    if (!Number.isInteger(nr) || nr < 1 || nr > 8192) throw new RangeError('cpus must be 1-8192');
    const hz = options.hz ?? 250;
    if (!Number.isInteger(hz) || hz < 1 || 1000 % hz !== 0) throw new RangeError('hz must divide 1000');
    const online = options.online ?? Array.from({ length: nr }, (_, i) => i);
    if (online.length === 0 || online.some((c) => !Number.isInteger(c) || c < 0 || c >= nr)) {
      throw new RangeError('online must name at least one CPU below cpus');
    }
    this.nrCpuIds = nr;
    this.tickMs = 1000 / hz;
    this.cpus = Array.from({ length: nr }, (_, i) => newCpu(i, online.includes(i)));
    this.namespaces = new NamespaceTable(options.topology ?? DEFAULT_TOPOLOGY);
    this.notifier = new MockNotifier(this.namespaces.init);
    this.config = defaultConfig(this.onlineCpus());
  }

  /** CPUs online now, ascending. */
  onlineCpus(): number[] {
    return this.cpus.filter((c) => c.online).map((c) => c.cpu);
  }

  /** load(c): the pinned value if pinned, else the monitor's. */
  load(cpu: number): number {
    const state = this.cpus[cpu];
    if (!state) return 0;
    return state.pinned ?? state.monitorLoad;
  }

  /** E of an attachment: its own set or the global one, intersected with the online CPUs, ascending. */
  effectiveSet(attachment: AttachmentState): number[] {
    const configured = attachment.cpus ?? this.config.cpus;
    return configured.filter((c) => this.cpus[c]?.online === true).sort((a, b) => a - b);
  }

  /** The placement decision for a flow on an attached device, now: shared by pick and the datapath. */
  place(attachment: AttachmentState, dev: MockDevice, flowHash: number): Placement {
    return place({
      enabled: this.config.enabled,
      cpus: this.effectiveSet(attachment),
      mode: this.config.mode,
      policy: this.config.policy,
      threshold: this.config.threshold,
      load: (c) => this.load(c),
      gateClosed: attachment.gateClosed,
      stage: attachment.stage,
      ifindex: dev.ifindex,
      flowHash: flowHash >>> 0,
    });
  }

  /**
   * Re-evaluates every attachment's load gate. The module does it on each
   * monitor sample, pin, unpin, config change and set change; evaluating a
   * gate again with the same loads never changes it, so the mock simply does
   * it after each of those.
   */
  refreshGates(): void {
    for (const a of this.attachments.values()) {
      a.gateClosed = gateNext({
        cpus: this.effectiveSet(a),
        threshold: this.config.threshold,
        hysteresis: this.config.hysteresis,
        load: (c) => this.load(c),
        closed: a.gateClosed,
      });
    }
  }

  /** The namespace a DeviceRef names (by name; default the initial one). */
  namespaceOf(ref: DeviceRef): MockNamespace {
    const ns = this.namespaces.get(ref.netns ?? null);
    if (!ns) throw new RangeError(`no namespace ${ref.netns}`);
    return ns;
  }

  /** The device a DeviceRef names, or a RangeError. */
  device(ref: DeviceRef): MockDevice {
    const ns = this.namespaceOf(ref);
    const dev = ref.ifname !== undefined ? this.namespaces.byName(ns, ref.ifname) : ns.devices.get(ref.ifindex ?? -1);
    if (!dev) throw new RangeError(`no device ${ref.ifname ?? ref.ifindex} in ${ref.netns ?? 'the initial namespace'}`);
    return dev;
  }

  /** Moves one CPU's packets through its poll: processed, or purged when their device is gone. */
  drainCpu(state: CpuState): void {
    for (const dev of state.queue) {
      if (dev.registered) state.processed++;
      else state.purged++;
    }
    state.queue = [];
    state.scheduled = false;
  }

  /** NETDEV_UNREGISTER: detach (and notify), then purge the device's packets from every queue. */
  private unregister(dev: MockDevice): void {
    const attachment = this.attachments.get(dev);
    if (attachment) {
      this.attachments.delete(dev);
      const attrs = { ...deviceReply(this, attachment), 'detach-reason': DetachReasonValues.unregistered };
      this.notifier.device('detach-ntf', dev.netns, attrs);
    }
    for (const state of this.cpus) {
      const kept = state.queue.filter((d) => d !== dev);
      state.purged += state.queue.length - kept.length;
      state.queue = kept;
      if (kept.length === 0) state.scheduled = false;
    }
  }

  inject(options: InjectOptions): InjectResult {
    return injectPackets(this, options);
  }

  setLoad(cpu: number, load: number): void {
    const state = this.cpuState(cpu);
    if (!Number.isInteger(load) || load < 0 || load > 100) throw new RangeError('load must be 0-100');
    state.monitorLoad = load;
    this.refreshGates();
  }

  setOnline(cpu: number, online: boolean): void {
    const state = this.cpuState(cpu);
    if (state.online === online) return;
    if (!online && this.onlineCpus().length === 1) throw new RangeError('cannot offline the last online CPU');
    state.online = online;
    if (!online) {
      // The dead callback: nowhere better to put them in the model, so purge.
      state.purged += state.queue.length;
      state.queue = [];
      state.scheduled = false;
    }
    this.refreshGates();
  }

  addNamespace(name: string, devices?: ReadonlyArray<{ ifname: string; ifindex: number }>): void {
    this.namespaces.add(name, devices);
  }

  removeNamespace(name: string): void {
    for (const dev of this.namespaces.remove(name)) this.unregister(dev);
  }

  addDevice(device: { ifname: string; ifindex?: number; netns?: string; genericXdp?: boolean }): number {
    return this.namespaces.addDevice(this.namespaceOf(device), device).ifindex;
  }

  removeDevice(device: DeviceRef): void {
    const dev = this.device(device);
    this.namespaces.removeDevice(dev);
    this.unregister(dev);
  }

  moveDevice(device: DeviceRef, netns: string | null): number {
    const dev = this.device(device);
    const to = this.namespaces.get(netns);
    if (!to) throw new RangeError(`no namespace ${netns}`);
    this.namespaces.removeDevice(dev);
    this.unregister(dev);
    // A moved device keeps its ifindex unless the target namespace uses it.
    const ifindex = to.devices.has(dev.ifindex) ? undefined : dev.ifindex;
    return this.namespaces.addDevice(to, { ifname: dev.ifname, ifindex, genericXdp: dev.genericXdp }).ifindex;
  }

  setGenericXdp(device: DeviceRef, on: boolean): void {
    this.device(device).genericXdp = on;
  }

  holdQueues(hold: boolean): void {
    this.holding = hold;
    if (!hold) this.drain();
  }

  drain(): void {
    for (const state of this.cpus) if (state.online) this.drainCpu(state);
  }

  private cpuState(cpu: number): CpuState {
    const state = this.cpus[cpu];
    if (!Number.isInteger(cpu) || !state) throw new RangeError(`no CPU ${cpu}`);
    return state;
  }
}
