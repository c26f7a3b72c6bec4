// The steering hook, per packet, as the module's NF_NETDEV_INGRESS hook runs
// it: placement, then in place / queued / dropped, updating the same counters
// (docs/protocol.md "Counters"). Queues drain at once unless the model holds
// them, so by default every queued packet is enqueued then processed and the
// high-water mark is 1.
import type { InjectOptions, InjectResult } from './types';
import type { MockModel } from './model';

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
  const result = { hooked: false, local: 0, steered: 0, dropped: 0, targets: {} as Record<number, number> };
  const ledger = model.ledger;
  // One burst is one NET_RX run on the arrival CPU, and one on each CPU it steers to.
  if (packets > 0) ledger.netRx(arrival);
  const attachment = model.attachments.get(dev);
  if (!attachment) {
    ledger.ran(arrival, dev, packets, options.flow); // no hook on this device: the stack runs as usual
    return result;
  }
  result.hooked = true;
  const targetRuns = new Set<number>();

  const counters = attachment.counters;
  for (let i = 0; i < packets; i++) {
    counters.seen++;
    const seenHere = (counters.seenOn.get(arrival) ?? 0) + 1;
    counters.seenOn.set(arrival, seenHere);
    // Never steered: pfmemalloc skbs, and devices that gained generic XDP since attach.
    if (options.pfmemalloc || dev.genericXdp) {
      counters.local++;
      result.local++;
      continue;
    }
    // Decided per packet: loads, hotplug and config may change between bursts, never within one.
    const decision = model.place(attachment, dev, options.flowHash);
    // Disabled or no CPUs: the module skips the flow hash, so samples none.
    if (decision.reason !== 'disabled' && decision.reason !== 'no-cpus' && seenHere % HASH_SAMPLE === 1) {
      counters.lastHash = options.flowHash >>> 0;
    }
    if (decision.reason === 'second') counters.second++;
    const target = decision.target === undefined ? undefined : model.cpus[decision.target];
    if (!target || (target === here && target.queue.length === 0)) {
      // In place: nothing to overtake on this CPU.
      if (decision.reason === 'gated') counters.gated++;
      counters.local++;
      result.local++;
      ledger.ran(arrival, dev, 1, options.flow);
      continue;
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
    target.queue.push(dev);
    target.enqueued++;
    target.queueHwm = Math.max(target.queueHwm, target.queue.length);
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
  return result;
}
