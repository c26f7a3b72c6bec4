// The steering hook, per packet, as the module's NF_NETDEV_INGRESS hook runs
// it: placement, then the ordering step (order.ts), then in place / queued /
// dropped, recording where the flow went and updating the same counters
// (docs/protocol.md "Counters"). Queues drain at once unless the model holds
// them, so by default every queued packet is enqueued then processed (its
// CPU then quiet) and the high-water mark is 1.
import type { InjectOptions, InjectResult } from './types';
import type { MockModel } from './model';
import { order } from './order';

/** The hook samples a flow hash for last-hash every this many packets per CPU. */
const HASH_SAMPLE = 64;

/** Runs options.packets packets of one flow through a device's hook. */
export function injectPackets(model: MockModel, options: InjectOptions): InjectResult {
  const dev = model.device(options.device);
  const packets = options.packets ?? 1;
  if (!Number.isInteger(packets) || packets < 0) throw new RangeError('packets must be a whole number');
  const arrival = options.cpu ?? 0;
  const here = model.cpus[arrival];
  if (!here || !here.online) throw new RangeError(`CPU ${arrival} is not online`);
  const flowHash = options.flowHash >>> 0;
  const result = { hooked: false, local: 0, steered: 0, dropped: 0, deferred: 0, targets: {} as Record<number, number> };
  if (packets === 0) return { ...result, hooked: model.hookOf(dev) !== undefined };
  const ledger = model.ledger;
  // One burst is one NET_RX run on the arrival CPU, and one on each CPU it steers to.
  ledger.netRx(arrival);
  const hook = model.hookOf(dev);
  if (!hook) {
    ledger.ran(arrival, dev, packets, options.flow); // no hook on this device: the stack runs as usual
    model.quietPoint(here);
    return result;
  }
  result.hooked = true;
  const { attachment, draining } = hook;
  const targetRuns = new Set<number>();

  const counters = attachment.counters;
  for (let i = 0; i < packets; i++) {
    counters.seen++;
    const seenHere = (counters.seenOn.get(arrival) ?? 0) + 1;
    counters.seenOn.set(arrival, seenHere);
    // Never steered, nor recorded: pfmemalloc skbs, and devices that gained generic XDP since attach.
    if (options.pfmemalloc || dev.genericXdp) {
      counters.local++;
      result.local++;
      continue;
    }
    // Decided per packet: loads, hotplug and config may change between bursts, never within one.
    // A draining hook (after a detach) places nothing, as a disabled one.
    const placed = draining ? { reason: 'disabled' as const } : model.place(attachment, dev, flowHash);
    // Disabled or no CPUs: the module skips the flow hash, so samples none.
    if (placed.reason !== 'disabled' && placed.reason !== 'no-cpus' && seenHere % HASH_SAMPLE === 1) {
      counters.lastHash = flowHash;
    }
    if (placed.reason === 'second') counters.second++;
    // Never ahead of the flow's packets still on their way (order.ts).
    const decision = order({
      placement: placed, flowHash, pending: model.pendingRecord(attachment, flowHash),
      here: arrival, cold: model.cold(attachment, arrival),
    });
    const target = decision.target === undefined ? undefined : model.cpus[decision.target];
    if (!target) {
      if (decision.reason === 'gated') counters.gated++;
      model.record(attachment, flowHash, arrival, false);
      counters.local++;
      result.local++;
      ledger.ran(arrival, dev, 1, options.flow);
      continue;
    }
    if (decision.reason === 'deferred' || decision.reason === 'slot-busy') {
      counters.deferred++;
      result.deferred++;
    }
    ledger.handedOff(arrival, dev, 1);
    if (target.queue.length >= model.config.queueLimit) {
      target.dropped++;
      counters.dropped++;
      result.dropped++;
      continue;
    }
    // The profile counts the stage where it is reinjected, at enqueue (holdQueues does not delay it).
    ledger.waited(target.cpu, dev, target.queue.length);
    ledger.ran(target.cpu, dev, 1, options.flow);
    if (target !== here) targetRuns.add(target.cpu);
    target.queue.push({ dev, flowHash });
    target.enqueued++;
    target.queueHwm = Math.max(target.queueHwm, target.queue.length);
    // Recorded at the target's epoch as it takes the packet, before it can be quiet.
    model.record(attachment, flowHash, target.cpu, true);
    counters.steered++;
    counters.targets.set(target.cpu, (counters.targets.get(target.cpu) ?? 0) + 1);
    result.steered++;
    result.targets[target.cpu] = (result.targets[target.cpu] ?? 0) + 1;
    // Only the enqueuer that schedules an idle remote NAPI sends an IPI.
    if (!target.scheduled) {
      target.scheduled = true;
      if (target !== here) target.kicks++;
    }
    if (!model.holding) model.drainCpu(target);
  }
  for (const cpu of targetRuns) ledger.netRx(cpu);
  // The arrival CPU's NET_RX run ends: quiet unless its queue holds packets.
  model.quietPoint(here);
  return result;
}
