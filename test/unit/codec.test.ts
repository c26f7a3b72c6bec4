// The attribute codec both backends share: what it writes must be what the
// kernel parses (4-byte alignment, nested flag, repeated attributes), and an
// extack offset must map back to the attribute the kernel meant.
import assert from 'node:assert/strict';
import {
  CodecError,
  NLA_F_NESTED,
  attrNameAtOffset,
  decodeAttrs,
  decodeGenl,
  encodeAttrs,
  encodeGenl,
  encodeRawAttr,
  parseRawAttrs,
} from '../../src/protocol/codec';
import { ATTRIBUTE_SETS } from '../../src/protocol/generated';

const id = (set: string, name: string): number => {
  const spec = ATTRIBUTE_SETS[set]?.find((s) => s.name === name);
  assert.ok(spec, `${set}.${name}`);
  return spec.id;
};

describe('codec', () => {
  it('encodes a u32 as 8 bytes: len, type, value little-endian', () => {
    const buf = encodeAttrs('falcon', { threshold: 0x01020304 });
    assert.deepEqual(buf, Buffer.from([8, 0, id('falcon', 'threshold'), 0, 4, 3, 2, 1]));
  });

  it('pads strings and binaries to 4 bytes but records the real length', () => {
    const buf = encodeAttrs('falcon', { ifname: 'eth0', cpus: Buffer.from([0x0f]) });
    // "eth0\0" = 5 bytes: nla_len 9, padded to 12; a 1-byte binary: nla_len 5, padded to 8.
    assert.equal(buf.length, 12 + 8);
    assert.equal(buf.readUInt16LE(0), 9);
    assert.equal(buf.readUInt16LE(12), 5);
    assert.deepEqual(buf.subarray(4, 12), Buffer.from('eth0\0\0\0\0', 'latin1'));
    const attrs = parseRawAttrs(buf);
    assert.deepEqual(attrs.map((a) => a.offset), [0, 12]);
  });

  it('round-trips every scalar type', () => {
    const values = {
      enabled: 1,
      cpus: Buffer.from([1, 2, 3]),
      ifname: 'vx0',
      'netns-cookie': 2n ** 63n + 5n,
      'flow-hash': 0xffffffff,
    };
    const decoded = decodeAttrs('falcon', encodeAttrs('falcon', values));
    assert.deepEqual(decoded, values);
  });

  it('encodes u64 from numbers and decodes to bigint', () => {
    const decoded = decodeAttrs('falcon', encodeAttrs('falcon', { 'netns-cookie': 4096 }));
    assert.equal(decoded['netns-cookie'], 4096n);
  });

  it('round-trips nests and repeated nests, setting NLA_F_NESTED', () => {
    const dev = {
      ifindex: 3,
      ifname: 'eth0',
      seen: 10n,
      target: [
        { cpu: 1, packets: 7n },
        { cpu: 2, packets: 3n },
      ],
    };
    const buf = encodeAttrs('falcon', { 'dev-stats': dev });
    const [outer] = parseRawAttrs(buf);
    assert.ok(outer);
    assert.equal(outer.type, id('falcon', 'dev-stats'));
    assert.ok(outer.nested);
    assert.equal(buf.readUInt16LE(2), id('falcon', 'dev-stats') | NLA_F_NESTED);
    const targets = parseRawAttrs(outer.payload).filter((a) => a.type === id('dev-stats', 'target'));
    assert.equal(targets.length, 2);
    assert.deepEqual(decodeAttrs('falcon', buf), { 'dev-stats': dev });
  });

  it('skips pads and attributes it does not know', () => {
    const unknown = encodeRawAttr(200, Buffer.from([1, 2, 3, 4]));
    const pad = encodeRawAttr(id('falcon', 'pad'), Buffer.alloc(4));
    const buf = Buffer.concat([unknown, pad, encodeAttrs('falcon', { stage: 2 })]);
    assert.deepEqual(decodeAttrs('falcon', buf), { stage: 2 });
  });

  it('refuses values it cannot encode', () => {
    for (const bad of [-1, 1.5, 2 ** 32, '7']) {
      assert.throws(() => encodeAttrs('falcon', { threshold: bad as number }), CodecError);
    }
    assert.throws(() => encodeAttrs('falcon', { nosuch: 1 }), CodecError);
    assert.throws(() => encodeAttrs('falcon', { cpus: 'x' }), CodecError);
  });

  it('rejects attributes that overrun their buffer', () => {
    const buf = Buffer.from([12, 0, 1, 0, 0, 0, 0, 0]);
    assert.throws(() => parseRawAttrs(buf), CodecError);
    assert.throws(() => parseRawAttrs(Buffer.from([2, 0, 1, 0])), CodecError);
  });

  it('frames genlmsghdr: command, version, reserved', () => {
    const attrs = encodeAttrs('falcon', { cpu: 1 });
    const payload = encodeGenl({ command: 9, version: 1, attrs });
    assert.deepEqual(payload.subarray(0, 4), Buffer.from([9, 1, 0, 0]));
    const back = decodeGenl(payload);
    assert.equal(back.command, 9);
    assert.equal(back.version, 1);
    assert.deepEqual(back.attrs, attrs);
    assert.throws(() => decodeGenl(Buffer.from([1, 1])), CodecError);
  });

  describe('attrNameAtOffset', () => {
    // Offsets count from the genlmsghdr, as NetlinkRequestError.badAttrOffset does.
    const attrs = encodeAttrs('falcon', { ifname: 'eth0', threshold: 101, cpus: Buffer.from([1]) });
    const payload = encodeGenl({ command: 2, version: 1, attrs });

    it('names top-level attributes at their header offsets', () => {
      assert.equal(attrNameAtOffset('falcon', payload, 4), 'ifname');
      assert.equal(attrNameAtOffset('falcon', payload, 16), 'threshold');
      assert.equal(attrNameAtOffset('falcon', payload, 24), 'cpus');
    });

    it('answers undefined for offsets between or past attributes', () => {
      assert.equal(attrNameAtOffset('falcon', payload, 0), undefined);
      assert.equal(attrNameAtOffset('falcon', payload, 6), undefined);
      assert.equal(attrNameAtOffset('falcon', payload, 400), undefined);
    });

    it('follows nests', () => {
      const nested = encodeGenl({
        command: 6,
        version: 1,
        attrs: encodeAttrs('falcon', { cpu: 0, 'dev-stats': { ifindex: 2, target: [{ cpu: 1 }, { cpu: 2 }] } }),
      });
      // cpu at 4 (8 bytes); dev-stats header at 12; ifindex at 16; first target (12 bytes) at 24,
      // its cpu at 28; second target at 36, its cpu at 40.
      assert.equal(attrNameAtOffset('falcon', nested, 12), 'dev-stats');
      assert.equal(attrNameAtOffset('falcon', nested, 16), 'dev-stats.ifindex');
      assert.equal(attrNameAtOffset('falcon', nested, 24), 'dev-stats.target');
      assert.equal(attrNameAtOffset('falcon', nested, 28), 'dev-stats.target.cpu');
      assert.equal(attrNameAtOffset('falcon', nested, 36), 'dev-stats.target');
      assert.equal(attrNameAtOffset('falcon', nested, 40), 'dev-stats.target.cpu');
    });

    it('names unknown attribute types by number', () => {
      const raw = encodeGenl({ command: 1, version: 1, attrs: encodeRawAttr(99, Buffer.alloc(4)) });
      assert.equal(attrNameAtOffset('falcon', raw, 4), 'attribute 99');
    });
  });
});
