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
import { FlowRecord, flowSlot, flowTag, order } from './order';
import { Placement, gateNext, place } from './placement';
import { ProfileLedger } from './profile-ledger';
import { AttachmentState, ConfigState, CpuState, defaultConfig, newCpu, zeroDeviceCounters } from './state';
import type { InjectOptions, InjectResult, MockControls, MockOptions } from './types';

/** How long a detached device's hook may wait for its queued packets (drain.c FALCON_DRAIN_MS). */
export const DRAIN_MS = 1000;

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
  /**
   * Detached devices whose hooks stay until nothing they queued is pending
   * (docs/protocol.md "Ordering", detach), with the clock time they go anyway.
   */
  private readonly draining = new Map<MockDevice, { readonly attachment: AttachmentState; readonly deadline: number }>();
  /** Milliseconds, for the drain's bound. */
  private readonly clock: () => number;
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
    this.clock = options.clock ?? Date.now;
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

  /** What pick answers, and the datapath does with the flow's next packet: placement, then ordering. */
  pick(attachment: AttachmentState, dev: MockDevice, flowHash: number): Placement {
    return order({ placement: this.place(attachment, dev, flowHash), flowHash, pending: this.pendingRecord(attachment, flowHash) });
  }

  /** The flow's slot's record while it is pending: its CPU has had no quiet point since. */
  pendingRecord(attachment: AttachmentState, flowHash: number): FlowRecord | undefined {
    const rec = attachment.flows.get(flowSlot(flowHash));
    return rec && this.cpus[rec.cpu]?.epoch === rec.epoch ? rec : undefined;
  }

  /** A CPU not quiet since the attach: packets that ran there without the hook may be on their way. */
  cold(attachment: AttachmentState, cpu: number): boolean {
    return attachment.attachEpochs[cpu] === this.cpus[cpu]?.epoch;
  }

  /** A packet of the flow went to `cpu`, queued or in place, at the CPU's epoch now. */
  record(attachment: AttachmentState, flowHash: number, cpu: number, queued: boolean): void {
    const epoch = this.cpus[cpu]?.epoch ?? 0;
    attachment.flows.set(flowSlot(flowHash), { tag: flowTag(flowHash), cpu, epoch, queued });
  }

  /**
   * A quiet point: the CPU's queue is empty, so everything it took has run
   * to its next stage. Its epoch goes up, which passes every record naming
   * it, and a draining hook may go.
   */
  quietPoint(state: CpuState): void {
    if (state.queue.length !== 0) return;
    state.epoch = (state.epoch + 1) >>> 0;
    this.settleDrains();
  }

  /**
   * Attaches a device: a device still draining is taken back (flow records
   * and cold CPUs included, counters from zero); a new attachment starts
   * with every CPU cold, then counts a quiet point at once on every online
   * CPU with an empty queue, as the module's attach does on every CPU not
   * in a softirq.
   */
  attachDevice(dev: MockDevice, stage: number, cpus: number[] | undefined): AttachmentState {
    const old = this.draining.get(dev);
    let attachment: AttachmentState;
    if (old) {
      this.draining.delete(dev);
      attachment = { ...old.attachment, stage, cpus, counters: zeroDeviceCounters() };
      this.attachments.set(dev, attachment);
    } else {
      attachment = {
        device: dev, stage, cpus, counters: zeroDeviceCounters(), gateClosed: false,
        flows: new Map(), attachEpochs: this.cpus.map((c) => c.epoch),
      };
      this.attachments.set(dev, attachment);
      for (const state of this.cpus) if (state.online) this.quietPoint(state);
    }
    this.refreshGates();
    return attachment;
  }

  /**
   * Detaches: the device is detached for every caller at once; its hook
   * stays, placing nothing, until no packet it queued is pending, or for
   * DRAIN_MS at most.
   */
  detachDevice(attachment: AttachmentState): void {
    this.attachments.delete(attachment.device);
    this.draining.set(attachment.device, { attachment, deadline: this.clock() + DRAIN_MS });
    this.settleDrains();
  }

  /** The device's hook, if it has one: its attachment, and whether it is draining after a detach. */
  hookOf(dev: MockDevice): { readonly attachment: AttachmentState; readonly draining: boolean } | undefined {
    const attachment = this.attachments.get(dev);
    if (attachment) return { attachment, draining: false };
    this.settleDrains();
    const old = this.draining.get(dev);
    return old && { attachment: old.attachment, draining: true };
  }

  /** Removes the hooks of draining devices that have nothing queued pending, or have waited long enough. */
  private settleDrains(): void {
    if (this.draining.size === 0) return;
    const now = this.clock();
    for (const [dev, d] of this.draining) {
      if (now > d.deadline || !this.queuedPending(d.attachment)) this.draining.delete(dev);
    }
  }

  /** Is a packet the attachment queued to some CPU still on its way (drain.c's scan)? */
  private queuedPending(attachment: AttachmentState): boolean {
    for (const rec of attachment.flows.values()) {
      if (rec.queued && this.cpus[rec.cpu]?.epoch === rec.epoch) return true;
    }
    return false;
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

  /** Moves one CPU's packets through its poll (processed, or purged when their device is gone); then it is quiet. */
  drainCpu(state: CpuState): void {
    for (const packet of state.queue) {
      if (packet.dev.registered) state.processed++;
      else state.purged++;
    }
    state.queue = [];
    state.scheduled = false;
    this.quietPoint(state);
  }

  /**
   * NETDEV_UNREGISTER: detach (and notify; a draining hook just goes), then
   * purge the device's packets from every queue: a queue left empty is quiet.
   */
  private unregister(dev: MockDevice): void {
    const attachment = this.attachments.get(dev);
    if (attachment) {
      this.attachments.delete(dev);
      const attrs = { ...deviceReply(this, attachment), 'detach-reason': DetachReasonValues.unregistered };
      this.notifier.device('detach-ntf', dev.netns, attrs);
    }
    this.draining.delete(dev);
    for (const state of this.cpus) {
      const kept = state.queue.filter((p) => p.dev !== dev);
      if (kept.length === state.queue.length) continue;
      state.purged += state.queue.length - kept.length;
      state.queue = kept;
      if (kept.length === 0) {
        state.scheduled = false;
        this.quietPoint(state);
      }
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
      // The dead callback: nowhere better to put them in the model, so purge;
      // nothing of the CPU is then on its way.
      state.purged += state.queue.length;
      state.queue = [];
      state.scheduled = false;
      this.quietPoint(state);
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

  drain(cpu?: number): void {
    if (cpu !== undefined) {
      const state = this.cpuState(cpu);
      if (state.online) this.drainCpu(state);
      return;
    }
    for (const state of this.cpus) if (state.online) this.drainCpu(state);
  }

  private cpuState(cpu: number): CpuState {
    const state = this.cpus[cpu];
    if (!Number.isInteger(cpu) || !state) throw new RangeError(`no CPU ${cpu}`);
    return state;
  }
}
