// The mock's genetlink core and 6.1 policy layer, driven with raw payloads:
// errno, message and bad-attribute offset for each malformed request.
import { strict as assert } from 'node:assert';
import { createMockTransport, MockTransport } from '../../src/mock';
import { encodeGenl, encodeRawAttr, decodeAttrs, NLA_F_NESTED } from '../../src/protocol/codec';
import { NetlinkRequestError } from '../../src/transport/types';
import { ATTRIBUTE_SETS } from '../../src/protocol/generated';

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

/** A request: command id plus raw attributes (type, payload). */
function payload(cmd: number, attrs: Array<[number, Buffer]> = [], reserved = 0): Buffer {
  const p = encodeGenl({ command: cmd, version: 1, attrs: Buffer.concat(attrs.map(([t, b]) => encodeRawAttr(t, b))) });
  p.writeUInt16LE(reserved, 2);
  return p;
}

async function refused(t: MockTransport, p: Buffer, dump = false): Promise<NetlinkRequestError> {
  try {
    await t.request(p, { dump });
  } catch (err) {
    assert.ok(err instanceof NetlinkRequestError, String(err));
    return err;
  }
  assert.fail('request was accepted');
}

// Attribute ids (src/protocol/generated.ts).
const A = { enabled: 1, cpus: 2, threshold: 5, interval: 6, queueLimit: 7, ifindex: 8, ifname: 9, netnsFd: 10, stage: 11, flowHash: 13, cpu: 18, load: 19, pad: 25 };
/** One past the family's maxattr. */
const PAST_MAXATTR = Math.max(...(ATTRIBUTE_SETS['falcon'] ?? []).map((a) => a.id)) + 1;
const CMD = { getConfig: 1, setConfig: 2, attach: 3, detach: 4, getDevice: 5, getStats: 6, reset: 7, pick: 8, pin: 9, unpin: 10 };

describe('mock: genetlink core', () => {
  let t: MockTransport;
  beforeEach(() => { t = createMockTransport(); });

  it('answers an unknown command with EOPNOTSUPP', async () => {
    const e = await refused(t, payload(99));
    assert.equal(e.code, 'EOPNOTSUPP');
    assert.equal(e.kernelMessage, undefined);
  });

  it('answers a do for a dump-only op, and a dump for a do op, with EOPNOTSUPP', async () => {
    assert.equal((await refused(t, payload(CMD.getDevice))).code, 'EOPNOTSUPP');
    assert.equal((await refused(t, payload(CMD.getConfig), true)).code, 'EOPNOTSUPP');
  });

  it('refuses admin ops to a non-admin with EPERM before validating attributes', async () => {
    const user = createMockTransport({ admin: false, model: t.model });
    const e = await refused(user, payload(CMD.setConfig, [[A.threshold, u32(101)]]));
    assert.equal(e.code, 'EPERM');
    assert.equal(e.kernelMessage, undefined);
    assert.equal((await user.request(payload(CMD.getConfig), { dump: false })).length, 1);
  });

  it('refuses a non-zero reserved field and a short header with EINVAL', async () => {
    const e = await refused(t, payload(CMD.getConfig, [], 1));
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.kernelMessage, 'genlmsghdr.reserved field is not 0');
    assert.equal((await refused(t, Buffer.from([1, 1]))).code, 'EINVAL');
  });

  it('replies with the command id and family version in the genl header', async () => {
    const [reply] = await t.request(payload(CMD.getConfig), { dump: false });
    assert.equal(reply.readUInt8(0), CMD.getConfig);
    assert.equal(reply.readUInt8(1), 1);
    const attrs = decodeAttrs('falcon', reply.subarray(4));
    assert.equal(attrs['nr-cpu-ids'], 4);
    assert.deepEqual(attrs.cpus, Buffer.from([0x0f]));
  });

  it('rejects requests after close', async () => {
    await t.close();
    assert.equal((await refused(t, payload(CMD.getConfig))).code, 'EBADF');
  });
});

describe('mock: 6.1 strict policy layer', () => {
  let t: MockTransport;
  beforeEach(() => { t = createMockTransport(); });

  const cases: Array<{ what: string; cmd: number; attrs: Array<[number, Buffer]>; code: string; message: string; offset?: number }> = [
    { what: 'integer above NLA_POLICY_MAX', cmd: CMD.setConfig, attrs: [[A.threshold, u32(101)]], code: 'ERANGE', message: 'integer out of range', offset: 4 },
    { what: 'integer below NLA_POLICY_RANGE', cmd: CMD.setConfig, attrs: [[A.enabled, u32(1)], [A.interval, u32(3)]], code: 'ERANGE', message: 'integer out of range', offset: 12 },
    { what: 'queue-limit 0', cmd: CMD.setConfig, attrs: [[A.queueLimit, u32(0)]], code: 'ERANGE', message: 'integer out of range', offset: 4 },
    { what: 'queue-limit 65537', cmd: CMD.setConfig, attrs: [[A.queueLimit, u32(65537)]], code: 'ERANGE', message: 'integer out of range', offset: 4 },
    { what: 'stage 256', cmd: CMD.attach, attrs: [[A.ifindex, u32(1)], [A.stage, u32(256)]], code: 'ERANGE', message: 'integer out of range', offset: 12 },
    { what: 'load 101', cmd: CMD.pin, attrs: [[A.cpu, u32(0)], [A.load, u32(101)]], code: 'ERANGE', message: 'integer out of range', offset: 12 },
    { what: 'a short u32', cmd: CMD.setConfig, attrs: [[A.threshold, Buffer.from([1, 0])]], code: 'EINVAL', message: 'invalid attribute length', offset: 4 },
    { what: 'a long u32', cmd: CMD.pick, attrs: [[A.flowHash, Buffer.alloc(8)]], code: 'EINVAL', message: 'invalid attribute length', offset: 4 },
    { what: 'an attribute past maxattr', cmd: CMD.getConfig, attrs: [[PAST_MAXATTR, u32(0)]], code: 'EINVAL', message: 'Unknown attribute type', offset: 4 },
    { what: 'attribute type 0', cmd: CMD.pick, attrs: [[A.flowHash, u32(0)], [0, u32(0)]], code: 'EINVAL', message: 'Unknown attribute type', offset: 12 },
    { what: 'an attribute the op does not take', cmd: CMD.setConfig, attrs: [[A.ifindex, u32(1)]], code: 'EINVAL', message: 'Unsupported attribute', offset: 4 },
    { what: 'any attribute on get-config', cmd: CMD.getConfig, attrs: [[A.enabled, u32(1)]], code: 'EINVAL', message: 'Unsupported attribute', offset: 4 },
    { what: 'pad in a request', cmd: CMD.reset, attrs: [[A.pad, Buffer.alloc(0)]], code: 'EINVAL', message: 'Unsupported attribute', offset: 4 },
    { what: 'NLA_F_NESTED on a u32', cmd: CMD.pin, attrs: [[A.cpu | NLA_F_NESTED, u32(0)]], code: 'EINVAL', message: 'NLA_F_NESTED not expected', offset: 4 },
    { what: 'ifname of 16 characters', cmd: CMD.attach, attrs: [[A.ifname, Buffer.from('abcdefghijklmnop\0')]], code: 'EINVAL', message: 'Attribute failed policy validation', offset: 4 },
    { what: 'ifname without NUL', cmd: CMD.attach, attrs: [[A.ifname, Buffer.from('eth0')]], code: 'EINVAL', message: 'Attribute failed policy validation', offset: 4 },
    { what: 'empty ifname', cmd: CMD.attach, attrs: [[A.ifname, Buffer.alloc(0)]], code: 'EINVAL', message: 'Attribute failed policy validation', offset: 4 },
    { what: 'cpus of 1025 bytes', cmd: CMD.setConfig, attrs: [[A.cpus, Buffer.alloc(1025)]], code: 'ERANGE', message: 'Attribute failed policy validation', offset: 4 },
  ];
  for (const c of cases) {
    it(`refuses ${c.what}`, async () => {
      const e = await refused(t, payload(c.cmd, c.attrs));
      assert.equal(e.code, c.code);
      assert.equal(e.kernelMessage, c.message);
      assert.equal(e.badAttrOffset, c.offset);
    });
  }

  it('accepts a 15-character ifname (then fails semantically)', async () => {
    const e = await refused(t, payload(CMD.attach, [[A.ifname, Buffer.from('abcdefghijklmno\0')]]));
    assert.equal(e.code, 'ENODEV');
  });

  it('refuses trailing bytes after the last attribute, naming none', async () => {
    const p = Buffer.concat([payload(CMD.setConfig, [[A.threshold, u32(50)]]), Buffer.from([0, 0])]);
    const e = await refused(t, p);
    assert.equal(e.kernelMessage, 'bytes leftover after parsing attributes');
    assert.equal(e.badAttrOffset, undefined);
  });

  it('lets the last of repeated attributes win', async () => {
    const [reply] = await t.request(payload(CMD.setConfig, [[A.threshold, u32(10)], [A.threshold, u32(20)]]), { dump: false });
    assert.equal(decodeAttrs('falcon', reply.subarray(4)).threshold, 20);
  });

  it('validates every attribute before any semantic check', async () => {
    const e = await refused(t, payload(CMD.setConfig, [[A.cpus, Buffer.from([0])], [A.threshold, u32(200)]]));
    assert.equal(e.code, 'ERANGE');
    assert.equal(e.badAttrOffset, 12);
  });
});
