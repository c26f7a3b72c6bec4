// The module's doit/dumpit handlers, after the policy layer has passed the
// request: semantic checks in the order docs/protocol.md gives, with our own
// messages (MESSAGES) pointing at the attribute concerned, then the change
// and the reply attributes.
import { ATTRIBUTE_SETS, DetachReasonValues, MAX_ATTACHMENTS, MAX_STAGE, MESSAGES, MessageKey, ModeValues, PolicyValues, ReasonValues } from '../protocol/generated';
import type { AttrMap } from '../protocol/codec';
import { NetlinkRequestError } from '../transport/types';
import { errnoOf } from '../api/errors';
import type { Mode, Policy } from '../api/types';
import type { AttrTable } from './policy';
import type { MockModel } from './model';
import type { MockDevice, MockNamespace } from './netns';
import { AttachmentState, resetCpuCounters, zeroDeviceCounters } from './state';

/** What a descriptor from openNetns refers to. */
export type FdTarget = { readonly kind: 'netns'; readonly ns: MockNamespace } | { readonly kind: 'file' };

/** Everything a handler sees: the host, the parsed request and the caller. */
export interface HandlerContext {
  readonly model: MockModel;
  readonly tb: AttrTable;
  /** The namespace of the caller's socket. */
  readonly socketNs: MockNamespace;
  readonly admin: boolean;
  /** The caller's open descriptors (for netns-fd). */
  readonly fds: ReadonlyMap<number, FdTarget>;
}

/** A handler returns the attributes of each reply message (none for a plain ack). */
export type Handler = (ctx: HandlerContext) => AttrMap[];

const idOf = (name: string): number => {
  const spec = (ATTRIBUTE_SETS['falcon'] ?? []).find((a) => a.name === name);
  if (!spec) throw new RangeError(`no attribute ${name}`);
  return spec.id;
};

function fail(key: MessageKey, ctx: HandlerContext, attr?: string): NetlinkRequestError {
  const { code, text } = MESSAGES[key];
  const offset = attr === undefined ? undefined : ctx.tb.get(idOf(attr))?.offset;
  return new NetlinkRequestError({ errno: errnoOf(code), code, message: text, badAttrOffset: offset });
}

function u32(ctx: HandlerContext, name: string): number | undefined {
  return ctx.tb.get(idOf(name))?.payload.readUInt32LE(0);
}

function has(ctx: HandlerContext, name: string): boolean {
  return ctx.tb.has(idOf(name));
}

/** A bitmap of exactly DIV_ROUND_UP(nr_cpu_ids, 8) bytes. */
export function cpuBitmap(cpus: readonly number[], nrCpuIds: number): Buffer {
  const buf = Buffer.alloc(Math.ceil(nrCpuIds / 8));
  for (const cpu of cpus) buf[cpu >> 3] |= 1 << (cpu & 7);
  return buf;
}

/** The CPU set checks of docs/protocol.md, in order; returns the set ascending. */
function checkedCpus(ctx: HandlerContext): number[] {
  const raw = ctx.tb.get(idOf('cpus'));
  if (!raw) throw new RangeError('checkedCpus without cpus');
  const set: number[] = [];
  raw.payload.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) set.push(index * 8 + bit);
  });
  if (set.some((c) => c >= ctx.model.nrCpuIds)) throw fail('cpus-beyond-nr', ctx, 'cpus');
  if (set.length === 0) throw fail('cpus-empty', ctx, 'cpus');
  if (set.some((c) => ctx.model.cpus[c]?.online !== true)) throw fail('cpus-offline', ctx, 'cpus');
  return set;
}

/** The device attribute actually given, for pointing errors at it. */
function devAttr(ctx: HandlerContext): string {
  return has(ctx, 'ifindex') ? 'ifindex' : 'ifname';
}

/** ifindex xor ifname: checked before anything else the op needs. */
function checkDevAttrs(ctx: HandlerContext): void {
  const byIndex = has(ctx, 'ifindex');
  const byName = has(ctx, 'ifname');
  if (!byIndex && !byName) throw fail('dev-missing', ctx);
  if (byIndex && byName) throw fail('dev-both', ctx, 'ifname');
}

/** Looks a device up like the module, in netns-fd's namespace or the socket's (after checkDevAttrs). */
function lookupDevice(ctx: HandlerContext): MockDevice {
  const byIndex = has(ctx, 'ifindex');
  let ns = ctx.socketNs;
  const fd = u32(ctx, 'netns-fd');
  if (fd !== undefined) {
    const target = ctx.fds.get(fd);
    if (!target) throw fail('netns-bad-fd', ctx, 'netns-fd');
    if (target.kind !== 'netns') throw fail('netns-not-netns', ctx, 'netns-fd');
    ns = target.ns;
  }
  let dev: MockDevice | undefined;
  if (byIndex) {
    dev = ns.devices.get(u32(ctx, 'ifindex') ?? 0);
  } else {
    const payload = ctx.tb.get(idOf('ifname'))?.payload ?? Buffer.alloc(0);
    const nul = payload.indexOf(0);
    dev = ctx.model.namespaces.byName(ns, payload.subarray(0, nul < 0 ? payload.length : nul).toString('utf8'));
  }
  if (!dev) throw fail('dev-unknown', ctx, devAttr(ctx));
  return dev;
}

/** The attachment of dev, if the caller may see it: another namespace's is, to this caller, not attached. */
function attachedOrFail(ctx: HandlerContext, dev: MockDevice): AttachmentState {
  const attachment = ctx.model.attachments.get(dev);
  if (!attachment || !sees(ctx, attachment)) throw fail('dev-not-attached', ctx, devAttr(ctx));
  return attachment;
}

/**
 * Falcon's state is host-wide: every mutation comes from the initial
 * namespace (the admin check, CAP_NET_ADMIN, came before the policy layer).
 */
function checkInitNetns(ctx: HandlerContext): void {
  if (ctx.socketNs !== ctx.model.namespaces.init) throw fail('not-init-netns', ctx);
}

/** The configuration: get-config and set-config replies, config-ntf. */
export function configReply(model: MockModel): AttrMap {
  const c = model.config;
  return {
    enabled: c.enabled ? 1 : 0,
    cpus: cpuBitmap(c.cpus, model.nrCpuIds),
    mode: ModeValues[c.mode],
    policy: PolicyValues[c.policy],
    threshold: c.threshold,
    hysteresis: c.hysteresis,
    'interval-ms': c.intervalMs,
    'queue-limit': c.queueLimit,
    'nr-cpu-ids': model.nrCpuIds,
    'online-cpus': cpuBitmap(model.onlineCpus(), model.nrCpuIds),
    'tick-ms': model.tickMs,
  };
}

/** An attachment: attach replies, get-device, attach-ntf and detach-ntf. */
export function deviceReply(model: MockModel, a: AttachmentState): AttrMap {
  const reply: AttrMap = {
    ifindex: a.device.ifindex,
    ifname: a.device.ifname,
    'netns-cookie': BigInt(a.device.netns.cookie),
    'netns-inum': a.device.netns.inum,
    stage: a.stage,
  };
  if (a.cpus) reply.cpus = cpuBitmap(a.cpus, model.nrCpuIds);
  return reply;
}

/** Whether the caller sees an attachment: an admin in the initial namespace sees all, anyone else its socket's namespace only. */
function sees(ctx: HandlerContext, a: AttachmentState): boolean {
  return (ctx.admin && ctx.socketNs === ctx.model.namespaces.init) || a.device.netns === ctx.socketNs;
}

/** Attachments the caller may see. */
function visible(ctx: HandlerContext): AttachmentState[] {
  return [...ctx.model.attachments.values()].filter((a) => sees(ctx, a));
}

const enumKey = <T extends string>(values: Readonly<Record<T, number>>, value: number): T =>
  (Object.keys(values) as T[]).find((k) => values[k] === value) as T;

function setConfig(ctx: HandlerContext): AttrMap[] {
  checkInitNetns(ctx);
  // Validate everything first: a refused request changes nothing.
  const cpus = has(ctx, 'cpus') ? checkedCpus(ctx) : undefined;
  const interval = u32(ctx, 'interval-ms');
  if (interval !== undefined && interval % ctx.model.tickMs !== 0) throw fail('interval-not-tick', ctx, 'interval-ms');
  const next = { ...ctx.model.config };
  const enabled = u32(ctx, 'enabled');
  if (enabled !== undefined) next.enabled = enabled === 1;
  if (cpus) next.cpus = cpus;
  const mode = u32(ctx, 'mode');
  if (mode !== undefined) next.mode = enumKey<Mode>(ModeValues, mode);
  const policy = u32(ctx, 'policy');
  if (policy !== undefined) next.policy = enumKey<Policy>(PolicyValues, policy);
  next.threshold = u32(ctx, 'threshold') ?? next.threshold;
  next.hysteresis = u32(ctx, 'hysteresis') ?? next.hysteresis;
  next.intervalMs = interval ?? next.intervalMs;
  next.queueLimit = u32(ctx, 'queue-limit') ?? next.queueLimit;
  ctx.model.config = next;
  ctx.model.refreshGates();
  ctx.model.notifier.config(configReply(ctx.model));
  return [configReply(ctx.model)];
}

function attach(ctx: HandlerContext): AttrMap[] {
  checkInitNetns(ctx);
  checkDevAttrs(ctx);
  const dev = lookupDevice(ctx);
  if (ctx.model.attachments.has(dev)) throw fail('dev-attached', ctx, devAttr(ctx));
  if (dev.genericXdp) throw fail('dev-generic-xdp', ctx, devAttr(ctx));
  const cpus = has(ctx, 'cpus') ? checkedCpus(ctx) : undefined;
  if (ctx.model.attachments.size >= MAX_ATTACHMENTS) throw fail('too-many-attachments', ctx);
  let stage = u32(ctx, 'stage');
  if (stage === undefined) {
    const used = new Set([...ctx.model.attachments.values()].map((a) => a.stage));
    stage = 0;
    while (stage <= MAX_STAGE && used.has(stage)) stage++;
    // 256 attachments already hold every stage: share stage 0, as the module does.
    if (stage > MAX_STAGE) stage = 0;
  }
  const attachment = ctx.model.attachDevice(dev, stage, cpus);
  ctx.model.notifier.device('attach-ntf', dev.netns, deviceReply(ctx.model, attachment));
  return [deviceReply(ctx.model, attachment)];
}

function detach(ctx: HandlerContext): AttrMap[] {
  checkInitNetns(ctx);
  checkDevAttrs(ctx);
  const dev = lookupDevice(ctx);
  const attachment = attachedOrFail(ctx, dev);
  ctx.model.detachDevice(attachment);
  const attrs = { ...deviceReply(ctx.model, attachment), 'detach-reason': DetachReasonValues.requested };
  ctx.model.notifier.device('detach-ntf', dev.netns, attrs);
  return [];
}

function pick(ctx: HandlerContext): AttrMap[] {
  checkDevAttrs(ctx);
  const flowHash = u32(ctx, 'flow-hash');
  if (flowHash === undefined) throw fail('flow-hash-missing', ctx);
  const dev = lookupDevice(ctx);
  const attachment = attachedOrFail(ctx, dev);
  const decision = ctx.model.pick(attachment, dev, flowHash);
  const reply: AttrMap = {};
  if (decision.first !== undefined) reply.first = decision.first;
  if (decision.second !== undefined) reply.second = decision.second;
  if (decision.target !== undefined) reply.target = decision.target;
  reply.reason = ReasonValues[decision.reason];
  return [reply];
}

function getStats(ctx: HandlerContext): AttrMap[] {
  const model = ctx.model;
  const cpuMessages: AttrMap[] = model.cpus.map((c) => ({
    'cpu-stats': {
      cpu: c.cpu,
      enqueued: BigInt(c.enqueued),
      processed: BigInt(c.processed),
      dropped: BigInt(c.dropped),
      purged: BigInt(c.purged),
      kicks: BigInt(c.kicks),
      'queue-hwm': c.queueHwm,
      'queue-len': c.queue.length,
      load: model.load(c.cpu),
      pinned: c.pinned === undefined ? 0 : 1,
    },
  }));
  const devMessages: AttrMap[] = visible(ctx).map((a) => {
    const k = a.counters;
    const stats: AttrMap = {
      ifindex: a.device.ifindex,
      ifname: a.device.ifname,
      'netns-cookie': BigInt(a.device.netns.cookie),
      stage: a.stage,
      seen: BigInt(k.seen),
      steered: BigInt(k.steered),
      local: BigInt(k.local),
      gated: BigInt(k.gated),
      second: BigInt(k.second),
      dropped: BigInt(k.dropped),
      deferred: BigInt(k.deferred),
      'gate-closed': a.gateClosed ? 1 : 0,
      'netns-inum': a.device.netns.inum,
    };
    if (k.lastHash !== undefined) stats['last-hash'] = k.lastHash;
    const targets = [...k.targets.entries()].filter(([, n]) => n > 0).sort(([x], [y]) => x - y);
    if (targets.length) stats.target = targets.map(([cpu, n]) => ({ cpu, packets: BigInt(n) }));
    return { 'dev-stats': stats };
  });
  return [...cpuMessages, ...devMessages];
}

function resetStats(ctx: HandlerContext): AttrMap[] {
  checkInitNetns(ctx);
  for (const c of ctx.model.cpus) resetCpuCounters(c);
  for (const a of ctx.model.attachments.values()) a.counters = zeroDeviceCounters();
  return [];
}

function pinLoad(ctx: HandlerContext): AttrMap[] {
  checkInitNetns(ctx);
  const cpu = u32(ctx, 'cpu');
  if (cpu === undefined) throw fail('cpu-missing', ctx);
  const load = u32(ctx, 'load');
  if (load === undefined) throw fail('load-missing', ctx);
  if (cpu >= ctx.model.nrCpuIds) throw fail('cpu-beyond-nr', ctx, 'cpu');
  const state = ctx.model.cpus[cpu];
  if (state) state.pinned = load;
  ctx.model.refreshGates();
  return [];
}

function unpinLoad(ctx: HandlerContext): AttrMap[] {
  checkInitNetns(ctx);
  const cpu = u32(ctx, 'cpu');
  if (cpu === undefined) {
    for (const c of ctx.model.cpus) c.pinned = undefined;
  } else {
    if (cpu >= ctx.model.nrCpuIds) throw fail('cpu-beyond-nr', ctx, 'cpu');
    const state = ctx.model.cpus[cpu];
    if (state) state.pinned = undefined;
  }
  ctx.model.refreshGates();
  return [];
}

/** The handler of each op, by op name. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  'get-config': (ctx) => [configReply(ctx.model)],
  'set-config': setConfig,
  attach,
  detach,
  'get-device': (ctx) => visible(ctx).map((a) => deviceReply(ctx.model, a)),
  'get-stats': getStats,
  'reset-stats': resetStats,
  pick,
  'pin-load': pinLoad,
  'unpin-load': unpinLoad,
};
