// Netlink attribute and Generic Netlink header codec, driven by the tables
// generated from kernel/falcon.yaml. Shared by the kernel backend (bytes go to
// the addon) and the mock (bytes come from the client), so both see exactly
// the same messages.
import { ATTRIBUTE_SETS, AttrSpec } from './generated';

/** struct nlattr header size; attributes are padded to 4 bytes. */
export const NLA_HDRLEN = 4;
/** struct genlmsghdr size (cmd, version, reserved). */
export const GENL_HDRLEN = 4;
/** struct nlmsghdr size. */
export const NLMSG_HDRLEN = 16;
/** The nested flag in nla_type. */
export const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = ~(NLA_F_NESTED | 0x4000) & 0xffff;

export const align4 = (n: number): number => (n + 3) & ~3;

/** A decoded attribute value. */
export type AttrValue = number | bigint | string | Buffer | AttrMap | AttrMap[];
/** Decoded attributes of one set, by spec name. */
export interface AttrMap {
  [name: string]: AttrValue;
}

/** One attribute as it lies in a buffer. */
export interface RawAttr {
  /** Type without the nested/byte-order flags. */
  readonly type: number;
  readonly nested: boolean;
  /** Offset of the attribute header within the buffer that was parsed. */
  readonly offset: number;
  /** nla_len as sent (header included). */
  readonly length: number;
  readonly payload: Buffer;
}

/** Thrown when bytes are not a well-formed attribute stream. */
export class CodecError extends Error {}

/** Splits a buffer into attributes; `base` is added to every reported offset. */
export function parseRawAttrs(buf: Buffer, base = 0): RawAttr[] {
  const attrs: RawAttr[] = [];
  let pos = 0;
  while (pos + NLA_HDRLEN <= buf.length) {
    const length = buf.readUInt16LE(pos);
    const rawType = buf.readUInt16LE(pos + 2);
    if (length < NLA_HDRLEN || pos + length > buf.length) {
      throw new CodecError(`malformed attribute at offset ${base + pos}`);
    }
    attrs.push({
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      offset: base + pos,
      length,
      payload: buf.subarray(pos + NLA_HDRLEN, pos + length),
    });
    pos += align4(length);
  }
  return attrs;
}

function setSpec(setName: string): readonly AttrSpec[] {
  const spec = ATTRIBUTE_SETS[setName];
  if (!spec) throw new CodecError(`unknown attribute set ${setName}`);
  return spec;
}

function attrHeader(type: number, payloadLength: number): Buffer {
  const header = Buffer.alloc(NLA_HDRLEN);
  header.writeUInt16LE(NLA_HDRLEN + payloadLength, 0);
  header.writeUInt16LE(type, 2);
  return header;
}

/** Encodes one attribute of raw type and payload, padded to 4 bytes. */
export function encodeRawAttr(type: number, payload: Buffer): Buffer {
  const padded = Buffer.alloc(align4(NLA_HDRLEN + payload.length));
  attrHeader(type, payload.length).copy(padded, 0);
  payload.copy(padded, NLA_HDRLEN);
  return padded;
}

function encodeScalar(spec: AttrSpec, value: AttrValue): Buffer {
  switch (spec.type) {
    case 'u32': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new CodecError(`${spec.name} must be an integer 0-4294967295`);
      }
      const b = Buffer.alloc(4);
      b.writeUInt32LE(value);
      return b;
    }
    case 'u64': {
      if (typeof value !== 'number' && typeof value !== 'bigint') throw new CodecError(`${spec.name} must be an integer`);
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(value));
      return b;
    }
    case 'string':
      if (typeof value !== 'string') throw new CodecError(`${spec.name} must be a string`);
      return Buffer.from(value + '\0', 'utf8');
    case 'binary':
      if (!Buffer.isBuffer(value)) throw new CodecError(`${spec.name} must be a Buffer`);
      return value;
    default:
      throw new CodecError(`${spec.name}: cannot encode type ${spec.type}`);
  }
}

/** Encodes attributes of a set from a map of spec names to values. */
export function encodeAttrs(setName: string, values: AttrMap): Buffer {
  const specs = setSpec(setName);
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new CodecError(`${name} is not an attribute of ${setName}`);
    if (spec.type === 'nest') {
      const items = spec.multi ? (value as AttrMap[]) : [value as AttrMap];
      for (const item of items) {
        parts.push(encodeRawAttr(spec.id | NLA_F_NESTED, encodeAttrs(spec.nested ?? '', item)));
      }
    } else {
      parts.push(encodeRawAttr(spec.id, encodeScalar(spec, value)));
    }
  }
  return Buffer.concat(parts);
}

function decodeScalar(spec: AttrSpec, payload: Buffer): AttrValue {
  switch (spec.type) {
    case 'u32':
      if (payload.length < 4) throw new CodecError(`${spec.name}: short u32`);
      return payload.readUInt32LE(0);
    case 'u64':
      if (payload.length < 8) throw new CodecError(`${spec.name}: short u64`);
      return payload.readBigUInt64LE(0);
    case 'string': {
      const nul = payload.indexOf(0);
      return payload.subarray(0, nul < 0 ? payload.length : nul).toString('utf8');
    }
    default:
      return Buffer.from(payload);
  }
}

/**
 * Decodes attributes of a set. Unknown types and pads are skipped: replies
 * from a newer kernel may carry attributes this build does not know.
 */
export function decodeAttrs(setName: string, buf: Buffer): AttrMap {
  const specs = setSpec(setName);
  const out: AttrMap = {};
  for (const raw of parseRawAttrs(buf)) {
    const spec = specs.find((s) => s.id === raw.type);
    if (!spec || spec.type === 'pad') continue;
    if (spec.type === 'nest') {
      const nested = decodeAttrs(spec.nested ?? '', raw.payload);
      if (spec.multi) {
        const list = (out[spec.name] as AttrMap[] | undefined) ?? [];
        list.push(nested);
        out[spec.name] = list;
      } else {
        out[spec.name] = nested;
      }
    } else {
      out[spec.name] = decodeScalar(spec, raw.payload);
    }
  }
  return out;
}

/** A Generic Netlink message body: genlmsghdr plus attributes. */
export interface GenlMessage {
  readonly command: number;
  readonly version: number;
  readonly attrs: Buffer;
}

/** Encodes genlmsghdr + attributes (what follows the nlmsghdr). */
export function encodeGenl(message: GenlMessage): Buffer {
  const header = Buffer.alloc(GENL_HDRLEN);
  header.writeUInt8(message.command, 0);
  header.writeUInt8(message.version, 1);
  return Buffer.concat([header, message.attrs]);
}

/** Decodes genlmsghdr + attributes. */
export function decodeGenl(payload: Buffer): GenlMessage {
  if (payload.length < GENL_HDRLEN) throw new CodecError('message shorter than genlmsghdr');
  return {
    command: payload.readUInt8(0),
    version: payload.readUInt8(1),
    attrs: payload.subarray(GENL_HDRLEN),
  };
}

/**
 * Names the attribute at `offset` bytes into a genl payload (genlmsghdr
 * first), following nests: "cpus", "dev-stats.ifname". The kernel's extack
 * gives only an offset; this maps it back for error messages.
 */
export function attrNameAtOffset(setName: string, payload: Buffer, offset: number): string | undefined {
  return nameAt(setName, payload.subarray(GENL_HDRLEN), offset - GENL_HDRLEN);
}

function nameAt(setName: string, buf: Buffer, offset: number): string | undefined {
  let attrs: RawAttr[];
  try {
    attrs = parseRawAttrs(buf);
  } catch {
    return undefined;
  }
  const specs = ATTRIBUTE_SETS[setName] ?? [];
  for (const raw of attrs) {
    const spec = specs.find((s) => s.id === raw.type);
    const name = spec?.name ?? `attribute ${raw.type}`;
    if (raw.offset === offset) return name;
    const inside = offset - raw.offset - NLA_HDRLEN;
    if (spec?.type === 'nest' && inside >= 0 && inside < raw.payload.length) {
      const nested = nameAt(spec.nested ?? '', raw.payload, inside);
      return nested === undefined ? name : `${name}.${nested}`;
    }
  }
  return undefined;
}
