// The protocol's derived files must match kernel/falcon.yaml: a stale header
// would make the kernel and the SDK disagree on attribute numbers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTRIBUTE_SETS, OPERATIONS } from '../../src/protocol/generated';

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
