// The 6.1 netlink policy layer as the falcon family meets it: per-op policies
// (genl_ops.policy/maxattr) parsed with NL_VALIDATE_STRICT by
// genl_family_rcv_msg_attrs_parse -> __nlmsg_parse -> __nla_validate_parse ->
// validate_nla (lib/nlattr.c). Same checks, same order, same errno, same
// extack text and bad-attribute offset as the kernel, so the mock refuses a
// malformed request exactly as the module would.
import { ATTRIBUTE_SETS, isOpName, OPERATIONS, REQUEST_POLICIES } from '../protocol/generated';
import { GENL_HDRLEN, NLA_F_NESTED, NLA_HDRLEN, align4 } from '../protocol/codec';
import { NetlinkRequestError } from '../transport/types';
import { errnoOf } from '../api/errors';

/** The kernel policy types the falcon policies use (NLA_UNSPEC = not taken by the op). */
export type PolicyType = 'unspec' | 'u32' | 'nul-string' | 'binary';

/** One entry of a per-op policy (struct nla_policy). */
export interface PolicyEntry {
  readonly type: PolicyType;
  /** .len: max string length (without NUL) or max binary length. */
  readonly len?: number;
  /** NLA_POLICY_RANGE / NLA_POLICY_MAX bounds for u32. */
  readonly min?: number;
  readonly max?: number;
}

/** The family's maxattr (FALCON_A_MAX); every op's policy spans all of it. */
export const FALCON_A_MAX = Math.max(...(ATTRIBUTE_SETS['falcon'] ?? []).map((a) => a.id));

/** The policy of each request attribute, wherever an op takes it: generated from the spec's checks. */
const ATTR_POLICY: Readonly<Record<string, PolicyEntry>> = REQUEST_POLICIES;

/**
 * The policy array of an op, indexed by attribute id (0..FALCON_A_MAX):
 * the attributes the op takes, NLA_UNSPEC for every other one.
 */
export function opPolicy(opName: string): PolicyEntry[] {
  const op = isOpName(opName) ? OPERATIONS[opName] : undefined;
  if (!op) throw new RangeError(`unknown op ${opName}`);
  const table: PolicyEntry[] = Array.from({ length: FALCON_A_MAX + 1 }, () => ({ type: 'unspec' as const }));
  for (const name of op.request) {
    const spec = (ATTRIBUTE_SETS['falcon'] ?? []).find((a) => a.name === name);
    const entry = ATTR_POLICY[name];
    if (!spec || !entry) throw new RangeError(`no policy for ${name}`);
    table[spec.id] = entry;
  }
  return table;
}

/** A validated request attribute: its payload and where it lay. */
export interface ParsedAttr {
  readonly payload: Buffer;
  /** Offset of the attribute header from the start of the genl payload. */
  readonly offset: number;
}

/** tb[]: the last occurrence of each attribute type, as nla_parse leaves it. */
export type AttrTable = Map<number, ParsedAttr>;

function refuse(code: string, message: string | undefined, badAttrOffset?: number): NetlinkRequestError {
  return new NetlinkRequestError({ errno: errnoOf(code), code, message, badAttrOffset });
}

/** Fixed lengths of the policy types (nla_attr_len[]); 0 = variable. */
const EXACT_LEN: Readonly<Record<PolicyType, number>> = { unspec: 0, u32: 4, 'nul-string': 0, binary: 0 };

/** validate_nla() for one attribute; throws the kernel's error. */
function validateOne(entry: PolicyEntry, rawType: number, payload: Buffer, offset: number): void {
  const attrlen = payload.length;
  // Strict attrs: a fixed-size type must have exactly its size.
  if (EXACT_LEN[entry.type] && attrlen !== EXACT_LEN[entry.type]) {
    throw refuse('EINVAL', 'invalid attribute length', offset);
  }
  // NL_VALIDATE_NESTED: none of our request attributes are nests, and
  // NLA_UNSPEC is exempt, so a set flag on any taken attribute is refused.
  if (entry.type !== 'unspec' && (rawType & NLA_F_NESTED) !== 0) {
    throw refuse('EINVAL', 'NLA_F_NESTED not expected', offset);
  }
  const failed = (code = 'ERANGE'): NetlinkRequestError => refuse(code, 'Attribute failed policy validation', offset);
  switch (entry.type) {
    case 'unspec':
      throw refuse('EINVAL', 'Unsupported attribute', offset);
    case 'nul-string': {
      const len = entry.len ?? 0;
      const minlen = len ? Math.min(attrlen, len + 1) : attrlen;
      if (!minlen || payload.subarray(0, minlen).indexOf(0) < 0) throw failed('EINVAL');
      // Then the NLA_STRING checks (err stays -ERANGE there).
      let strlen = attrlen;
      if (strlen < 1) throw failed();
      if (len) {
        if (payload[strlen - 1] === 0) strlen--;
        if (strlen > len) throw failed();
      }
      break;
    }
    case 'binary':
      if (entry.len && attrlen > entry.len) throw failed();
      break;
    case 'u32': {
      const value = payload.readUInt32LE(0);
      if (value < (entry.min ?? 0) || value > (entry.max ?? 0xffffffff)) {
        throw refuse('ERANGE', 'integer out of range', offset);
      }
      break;
    }
  }
}

/**
 * __nla_validate_parse(NL_VALIDATE_STRICT) over the attributes of a genl
 * payload (genlmsghdr first). Returns tb[]; throws a NetlinkRequestError
 * carrying the kernel's errno, message and bad-attribute offset.
 */
export function parseRequestAttrs(opName: string, genlPayload: Buffer): AttrTable {
  const policy = opPolicy(opName);
  const tb: AttrTable = new Map();
  let pos = GENL_HDRLEN;
  let rem = genlPayload.length - GENL_HDRLEN;
  // nla_for_each_attr / nla_ok: stop at the first header that does not fit.
  while (rem >= NLA_HDRLEN) {
    const nlaLen = genlPayload.readUInt16LE(pos);
    if (nlaLen < NLA_HDRLEN || nlaLen > rem) break;
    const rawType = genlPayload.readUInt16LE(pos + 2);
    const type = rawType & ~(NLA_F_NESTED | 0x4000) & 0xffff;
    const payload = genlPayload.subarray(pos + NLA_HDRLEN, pos + nlaLen);
    if (type === 0 || type > FALCON_A_MAX) throw refuse('EINVAL', 'Unknown attribute type', pos);
    validateOne(policy[type] ?? { type: 'unspec' }, rawType, payload, pos);
    tb.set(type, { payload, offset: pos });
    pos += align4(nlaLen);
    rem -= align4(nlaLen);
  }
  // Strict parsing refuses leftovers; the kernel names no attribute here.
  if (rem > 0) throw refuse('EINVAL', 'bytes leftover after parsing attributes');
  return tb;
}
