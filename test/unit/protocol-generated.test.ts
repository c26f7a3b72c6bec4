// The protocol's derived files must match kernel/falcon.yaml: a stale header
// would make the kernel and the SDK disagree on attribute numbers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FalconAttrs } from '../../src/client/encode';
import { ATTRIBUTE_SETS, OpName, OPERATIONS, REQUEST_POLICIES } from '../../src/protocol/generated';

const root = join(__dirname, '..', '..', '..');

describe('generated protocol files', () => {
  it('are up to date with kernel/falcon.yaml (npm run gen)', () => {
    const result = spawnSync(process.execPath, [join(root, 'tools/gen-protocol.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('number attributes and commands in the UAPI header as in the TS tables', () => {
    const header = readFileSync(join(root, 'kernel/include/uapi/linux/falcon.h'), 'utf8');
    // Read the top-level attribute enum back from the C header and compare ids.
    const block = header.slice(header.indexOf('FALCON_A_UNSPEC'), header.indexOf('__FALCON_A_MAX'));
    const names = [...block.matchAll(/FALCON_A_(\w+),/g)].map((m) => m[1]);
    assert.equal(names[0], 'UNSPEC');
    for (const attr of ATTRIBUTE_SETS.falcon) {
      assert.equal(names.indexOf(attr.name.toUpperCase().replace(/-/g, '_')), attr.id, attr.name);
    }
    for (const op of Object.values(OPERATIONS)) {
      const re = new RegExp(`FALCON_CMD_${op.name.toUpperCase().replace(/-/g, '_')} = (\\d+)`);
      assert.equal(Number(re.exec(header)?.[1]), op.id, op.name);
    }
  });
});

describe('the spec as the one source of request checks', () => {
  it('gives every attribute some request takes a generated policy', () => {
    for (const op of Object.values(OPERATIONS)) {
      for (const name of op.request) assert.ok(REQUEST_POLICIES[name], `${op.name}: ${name} has no policy`);
    }
  });

  it('is what docs/protocol.md states for the ranges', () => {
    const doc = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
    const para = doc.slice(doc.indexOf('Ranges in the policies:'), doc.indexOf('## Defaults'));
    for (const [name, p] of Object.entries(REQUEST_POLICIES)) {
      if (p === undefined) continue;
      if (p.type === 'u32' && p.max !== undefined) {
        assert.ok(para.includes(`\`${name}\` ${p.min ?? 0}-${p.max}`), `docs/protocol.md: ${name} ${p.min ?? 0}-${p.max}`);
      }
    }
    assert.ok(para.includes(`most ${REQUEST_POLICIES.cpus?.len} bytes`), 'cpus length');
    assert.ok(para.includes(`at most ${REQUEST_POLICIES.ifname?.len} characters`), 'ifname length');
  });

  it('makes a misspelt attribute or command a compile error', () => {
    const attrs: FalconAttrs = {};
    // @ts-expect-error: no attribute "ifnmae"
    attrs.ifnmae = 'eth0';
    // @ts-expect-error: no command "get-confg"
    const op: OpName = 'get-confg';
    assert.ok(attrs && op);
  });
});
