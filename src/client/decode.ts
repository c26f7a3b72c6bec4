// Reply attribute maps -> the public result types. u64 counters become
// numbers (exact up to 2^53, far beyond any packet count we will see).
import { FalconError } from '../api/errors';
import { bitmapToCpus } from '../api/cpuset';
import type { Attachment, CpuStats, DeviceStats, FalconConfig, Mode, PickReason, PickResult, Policy } from '../api/types';
import type { AttrMap, AttrValue } from '../protocol/codec';
import { AttrName, ModeValues, PolicyValues, ReasonValues } from '../protocol/generated';

function protocolError(op: string, message: string): FalconError {
  return new FalconError({ code: 'EPROTO', message, syscall: op });
}

function num(op: string, attrs: AttrMap, name: AttrName): number {
  const value: AttrValue | undefined = attrs[name];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw protocolError(op, `reply lacks ${name}`);
}

function optNum(op: string, attrs: AttrMap, name: AttrName): number | undefined {
  return attrs[name] === undefined ? undefined : num(op, attrs, name);
}

function str(op: string, attrs: AttrMap, name: AttrName): string {
  const value = attrs[name];
  if (typeof value !== 'string') throw protocolError(op, `reply lacks ${name}`);
  return value;
}

function cpus(op: string, attrs: AttrMap, name: AttrName): number[] {
  const value = attrs[name];
  if (!Buffer.isBuffer(value)) throw protocolError(op, `reply lacks ${name}`);
  return bitmapToCpus(value);
}

function enumName<T extends string>(op: string, table: Readonly<Record<T, number>>, value: number): T {
  for (const [name, number] of Object.entries(table) as [T, number][]) if (number === value) return name;
  throw protocolError(op, `unknown enum value ${value}`);
}

function nest(value: AttrValue | undefined): AttrMap | undefined {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value)
    ? value
    : undefined;
}

/** get-config / set-config reply. */
export function decodeConfig(op: string, attrs: AttrMap): FalconConfig {
  return {
    enabled: num(op, attrs, 'enabled') !== 0,
    cpus: cpus(op, attrs, 'cpus'),
    mode: enumName<Mode>(op, ModeValues, num(op, attrs, 'mode')),
    policy: enumName<Policy>(op, PolicyValues, num(op, attrs, 'policy')),
    threshold: num(op, attrs, 'threshold'),
    hysteresis: num(op, attrs, 'hysteresis'),
    intervalMs: num(op, attrs, 'interval-ms'),
    queueLimit: num(op, attrs, 'queue-limit'),
    nrCpuIds: num(op, attrs, 'nr-cpu-ids'),
    onlineCpus: cpus(op, attrs, 'online-cpus'),
    tickMs: num(op, attrs, 'tick-ms'),
  };
}

/** attach reply or one get-device dump part. */
export function decodeAttachment(op: string, attrs: AttrMap): Attachment {
  const attachment: Attachment = {
    ifindex: num(op, attrs, 'ifindex'),
    ifname: str(op, attrs, 'ifname'),
    netnsCookie: num(op, attrs, 'netns-cookie'),
    netnsInum: num(op, attrs, 'netns-inum'),
    stage: num(op, attrs, 'stage'),
  };
  return attrs.cpus === undefined ? attachment : { ...attachment, cpus: cpus(op, attrs, 'cpus') };
}

/** pick reply: absent CPUs stay absent. */
export function decodePick(op: string, attrs: AttrMap): PickResult {
  const result: { first?: number; second?: number; target?: number; reason: PickReason } = {
    reason: enumName<PickReason>(op, ReasonValues, num(op, attrs, 'reason')),
  };
  const first = optNum(op, attrs, 'first');
  const second = optNum(op, attrs, 'second');
  const target = optNum(op, attrs, 'target');
  if (first !== undefined) result.first = first;
  if (second !== undefined) result.second = second;
  if (target !== undefined) result.target = target;
  return result;
}

/** One cpu-stats nest of a get-stats dump. */
export function decodeCpuStats(op: string, attrs: AttrMap): CpuStats {
  return {
    cpu: num(op, attrs, 'cpu'),
    enqueued: num(op, attrs, 'enqueued'),
    processed: num(op, attrs, 'processed'),
    dropped: num(op, attrs, 'dropped'),
    purged: num(op, attrs, 'purged'),
    kicks: num(op, attrs, 'kicks'),
    queueHwm: num(op, attrs, 'queue-hwm'),
    queueLen: num(op, attrs, 'queue-len'),
    load: num(op, attrs, 'load'),
    pinned: num(op, attrs, 'pinned') !== 0,
  };
}

/** One dev-stats nest of a get-stats dump. */
export function decodeDeviceStats(op: string, attrs: AttrMap): DeviceStats {
  const targets = Array.isArray(attrs.target) ? attrs.target : [];
  return {
    ifindex: num(op, attrs, 'ifindex'),
    ifname: str(op, attrs, 'ifname'),
    netnsCookie: num(op, attrs, 'netns-cookie'),
    netnsInum: num(op, attrs, 'netns-inum'),
    stage: num(op, attrs, 'stage'),
    seen: num(op, attrs, 'seen'),
    steered: num(op, attrs, 'steered'),
    local: num(op, attrs, 'local'),
    gated: num(op, attrs, 'gated'),
    second: num(op, attrs, 'second'),
    dropped: num(op, attrs, 'dropped'),
    deferred: num(op, attrs, 'deferred'),
    gateClosed: num(op, attrs, 'gate-closed') !== 0,
    targets: targets.map((t) => ({ cpu: num(op, t, 'cpu'), packets: num(op, t, 'packets') })),
    ...(attrs['last-hash'] !== undefined ? { lastHash: num(op, attrs, 'last-hash') } : {}),
  };
}

/** Splits a get-stats dump part into its cpu-stats or dev-stats nest. */
export function statsPart(attrs: AttrMap): { cpu?: AttrMap; device?: AttrMap } {
  return { cpu: nest(attrs['cpu-stats']), device: nest(attrs['dev-stats']) };
}
