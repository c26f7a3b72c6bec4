// Per-flow tails (docs/protocol.md "Ordering"), as kernel/order.c keeps them:
// an attachment's flow table and the ordering step that runs after the
// placement, in the datapath and in pick. Pure: whether a record is still
// pending (its CPU has had no quiet point since) is the caller's to say,
// from the epochs it keeps.
import type { Placement } from './placement';

/** Slots of an attachment's flow table: flow hash h lives in slot h % FLOW_SLOTS. */
export const FLOW_SLOTS = 1024;
/** The tag is the 14 hash bits above the slot number. */
const TAG_SHIFT = 10;
const TAG_MASK = 0x3fff;

/** The slot a flow hash maps to. */
export function flowSlot(flowHash: number): number {
  return (flowHash >>> 0) % FLOW_SLOTS;
}

/** The tag a flow hash leaves in its slot: two flows of one slot with the same tag share a record. */
export function flowTag(flowHash: number): number {
  return ((flowHash >>> 0) >>> TAG_SHIFT) & TAG_MASK;
}

/** One slot: where the last packet recorded in it went. */
export interface FlowRecord {
  /** flowTag() of that packet's flow. */
  readonly tag: number;
  readonly cpu: number;
  /** That CPU's epoch when the packet went there: pending while the CPU's epoch is still this. */
  readonly epoch: number;
  /** Queued to the CPU's Falcon queue; false: it ran in place there. */
  readonly queued: boolean;
}

/** What the ordering step decides from. */
export interface OrderInput {
  /** The placement's decision (place()). */
  readonly placement: Placement;
  readonly flowHash: number;
  /** The flow's slot's record, given only while it is pending. */
  readonly pending?: FlowRecord;
  /** The CPU the packet arrived on; absent for pick, which has none. */
  readonly here?: number;
  /** `here` has had no quiet point since the attach (packets from before the hook may be on their way). */
  readonly cold?: boolean;
}

/** A decision without its target: in place on the arrival CPU. */
function inPlace(p: Placement): Placement {
  const { target, ...rest } = p;
  void target;
  return rest;
}

/**
 * The ordering step of kernel/order.c (falcon_order): a pending record
 * wins, so the packet goes where the slot's last packet went, `deferred`
 * when the record is this flow's, `slot-busy` when another flow's, unless
 * that packet ran in place on the arrival CPU (then in place again, behind
 * it). Without a pending record, the placement stands, except that a
 * target equal to the arrival CPU, or a cold arrival CPU, means in place.
 * The result's target is where the packet goes; absent: in place.
 */
export function order(input: OrderInput): Placement {
  const { placement, pending: rec, here } = input;
  if (!rec) {
    if (here !== undefined && (placement.target === here || input.cold === true)) return inPlace(placement);
    return placement;
  }
  if (!rec.queued && rec.cpu === here) return inPlace(placement);
  if (placement.target === rec.cpu) return placement;
  return { ...placement, target: rec.cpu, reason: rec.tag === flowTag(input.flowHash) ? 'deferred' : 'slot-busy' };
}
