// API arguments -> attribute maps of the falcon set. Only what cannot be put
// on the wire at all is refused here (wrong types, non-integers, negative
// numbers); ranges and semantics are the kernel's (or the mock's) to judge,
// so both backends answer bad values with the same errno and message.
import { FalconError } from '../api/errors';
import { cpusToBitmap, toCpuArray } from '../api/cpuset';
import type { AttachOptions, ConfigChange, CpuSetInput, DeviceRef } from '../api/types';
import type { AttrValue } from '../protocol/codec';
import type { AttrNames } from '../protocol/generated';

/** A request's attributes: a misspelt attribute name fails to compile. */
export type FalconAttrs = { [K in AttrNames['falcon']]?: AttrValue };
import { ModeValues, PolicyValues } from '../protocol/generated';

const U32_MAX = 0xffffffff;

function usage(op: string, attribute: string, message: string): FalconError {
  return new FalconError({ code: 'EINVAL', message, syscall: op, attribute });
}

/** A u32 attribute value; `field` is the API's name for it. */
export function u32(op: string, field: string, attribute: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw usage(op, attribute, `${field} must be an integer 0-${U32_MAX}, got ${String(value)}`);
  }
  return value;
}

// Enum names map to their values; raw numbers pass through for the kernel to range-check.
function enumValue(op: string, field: string, table: Readonly<Record<string, number>>, value: unknown): number {
  if (typeof value === 'string') {
    const number = table[value];
    if (number === undefined) throw usage(op, field, `${field} must be one of ${Object.keys(table).join(', ')}, got "${value}"`);
    return number;
  }
  return u32(op, field, field, value);
}

function cpus(op: string, value: CpuSetInput): Buffer {
  return cpusToBitmap(toCpuArray(value, op));
}

/** set-config attributes for a change; absent fields stay absent. */
export function configAttrs(op: string, change: ConfigChange): FalconAttrs {
  const attrs: FalconAttrs = {};
  if (change.enabled !== undefined) {
    attrs.enabled = typeof change.enabled === 'boolean' ? Number(change.enabled) : u32(op, 'enabled', 'enabled', change.enabled);
  }
  if (change.cpus !== undefined) attrs.cpus = cpus(op, change.cpus);
  if (change.mode !== undefined) attrs.mode = enumValue(op, 'mode', ModeValues, change.mode);
  if (change.policy !== undefined) attrs.policy = enumValue(op, 'policy', PolicyValues, change.policy);
  if (change.threshold !== undefined) attrs.threshold = u32(op, 'threshold', 'threshold', change.threshold);
  if (change.hysteresis !== undefined) attrs.hysteresis = u32(op, 'hysteresis', 'hysteresis', change.hysteresis);
  if (change.intervalMs !== undefined) attrs['interval-ms'] = u32(op, 'intervalMs', 'interval-ms', change.intervalMs);
  if (change.queueLimit !== undefined) attrs['queue-limit'] = u32(op, 'queueLimit', 'queue-limit', change.queueLimit);
  return attrs;
}

/** ifindex / ifname of a device reference (netns-fd is added by the client). */
export function deviceAttrs(op: string, device: DeviceRef): FalconAttrs {
  const attrs: FalconAttrs = {};
  if (device.ifindex !== undefined) attrs.ifindex = u32(op, 'ifindex', 'ifindex', device.ifindex);
  if (device.ifname !== undefined) {
    if (typeof device.ifname !== 'string' || device.ifname.includes('\0')) {
      throw usage(op, 'ifname', 'ifname must be a string without NUL characters');
    }
    attrs.ifname = device.ifname;
  }
  return attrs;
}

/** attach attributes: the device, its own CPU set and stage when given. */
export function attachAttrs(op: string, options: AttachOptions): FalconAttrs {
  const attrs = deviceAttrs(op, options);
  if (options.cpus !== undefined) attrs.cpus = cpus(op, options.cpus);
  if (options.stage !== undefined) attrs.stage = u32(op, 'stage', 'stage', options.stage);
  return attrs;
}
