// The kernel's own Generic Netlink controller family ("nlctrl", id 16):
// how a family name becomes the id, version and multicast groups that
// requests of that family need. Only the few attributes we read are named.
import { GENL_HDRLEN, encodeGenl, encodeRawAttr, parseRawAttrs } from '../protocol/codec';

/** Fixed id of the controller family (GENL_ID_CTRL). */
export const GENL_ID_CTRL = 16;
/** CTRL_CMD_GETFAMILY. */
export const CTRL_CMD_GETFAMILY = 3;
/** Version of the controller's own protocol we speak. */
const CTRL_VERSION = 2;

const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const CTRL_ATTR_VERSION = 3;
const CTRL_ATTR_HDRSIZE = 4;
const CTRL_ATTR_MAXATTR = 5;
const CTRL_ATTR_OPS = 6;
const CTRL_ATTR_MCAST_GROUPS = 7;
const CTRL_ATTR_OP_ID = 1;
const CTRL_ATTR_OP_FLAGS = 2;
const CTRL_ATTR_MCAST_GRP_NAME = 1;
const CTRL_ATTR_MCAST_GRP_ID = 2;

/** A multicast group of a family. */
export interface McastGroup {
  readonly name: string;
  readonly id: number;
}

/** A command a family implements, with its GENL_* flags (e.g. GENL_ADMIN_PERM = 1). */
export interface FamilyOp {
  readonly id: number;
  readonly flags: number;
}

/** What the controller says about a family. */
export interface FamilyInfo {
  readonly name: string;
  /** The family id: the nlmsg_type of its requests. */
  readonly id: number;
  readonly version: number;
  readonly hdrSize: number;
  readonly maxAttr: number;
  readonly ops: readonly FamilyOp[];
  readonly mcastGroups: readonly McastGroup[];
}

/** CTRL_CMD_GETFAMILY for one family by name (a do request). */
export function encodeGetFamily(name: string): Buffer {
  const attrs = encodeRawAttr(CTRL_ATTR_FAMILY_NAME, Buffer.from(`${name}\0`, 'utf8'));
  return encodeGenl({ command: CTRL_CMD_GETFAMILY, version: CTRL_VERSION, attrs });
}

/** CTRL_CMD_GETFAMILY without a name: sent as a dump, lists every family. */
export function encodeDumpFamilies(): Buffer {
  return encodeGenl({ command: CTRL_CMD_GETFAMILY, version: CTRL_VERSION, attrs: Buffer.alloc(0) });
}

function cString(payload: Buffer): string {
  const nul = payload.indexOf(0);
  return payload.subarray(0, nul < 0 ? payload.length : nul).toString('utf8');
}

// Reads a u32 or, for the u16 family id, whatever width the kernel sent.
function uint(payload: Buffer): number {
  if (payload.length >= 4) return payload.readUInt32LE(0);
  if (payload.length >= 2) return payload.readUInt16LE(0);
  return payload.length === 1 ? payload.readUInt8(0) : 0;
}

/** Decodes one CTRL_CMD_NEWFAMILY reply (genlmsghdr + attributes). */
export function decodeFamily(payload: Buffer): FamilyInfo {
  let name = '';
  let id = 0;
  let version = 0;
  let hdrSize = 0;
  let maxAttr = 0;
  const ops: FamilyOp[] = [];
  const mcastGroups: McastGroup[] = [];
  for (const attr of parseRawAttrs(payload.subarray(GENL_HDRLEN))) {
    switch (attr.type) {
      case CTRL_ATTR_FAMILY_ID:
        id = uint(attr.payload);
        break;
      case CTRL_ATTR_FAMILY_NAME:
        name = cString(attr.payload);
        break;
      case CTRL_ATTR_VERSION:
        version = uint(attr.payload);
        break;
      case CTRL_ATTR_HDRSIZE:
        hdrSize = uint(attr.payload);
        break;
      case CTRL_ATTR_MAXATTR:
        maxAttr = uint(attr.payload);
        break;
      case CTRL_ATTR_OPS:
        // An array: each element is a nest whose type is its index.
        for (const element of parseRawAttrs(attr.payload)) {
          let opId = 0;
          let flags = 0;
          for (const field of parseRawAttrs(element.payload)) {
            if (field.type === CTRL_ATTR_OP_ID) opId = uint(field.payload);
            if (field.type === CTRL_ATTR_OP_FLAGS) flags = uint(field.payload);
          }
          ops.push({ id: opId, flags });
        }
        break;
      case CTRL_ATTR_MCAST_GROUPS:
        for (const element of parseRawAttrs(attr.payload)) {
          let groupName = '';
          let groupId = 0;
          for (const field of parseRawAttrs(element.payload)) {
            if (field.type === CTRL_ATTR_MCAST_GRP_NAME) groupName = cString(field.payload);
            if (field.type === CTRL_ATTR_MCAST_GRP_ID) groupId = uint(field.payload);
          }
          mcastGroups.push({ name: groupName, id: groupId });
        }
        break;
      default:
        break;
    }
  }
  return { name, id, version, hdrSize, maxAttr, ops, mcastGroups };
}
