// docs/api/ is generated from the doc comments of the three entry points
// (npm run docs:api, typedoc.json): it must match what TypeDoc makes of
// today's sources, or a reader of the committed reference is misled.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

/** Every file below `dir`, as paths relative to it. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('API reference (docs/api)', function () {
  this.timeout(180_000);

  it('is up to date with the doc comments (npm run docs:api)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-api-docs-'));
    try {
      const typedoc = path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
      const r = spawnSync(process.execPath, [typedoc, '--out', out, '--logLevel', 'Warn'], { cwd: root, encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      // Warnings are referenced types that no entry point exports: users could not name them.
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /warning/i);
      const committed = path.join(root, 'docs', 'api');
      assert.deepEqual(files(committed), files(out), 'the same files');
      for (const f of files(out)) {
        assert.ok(fs.readFileSync(path.join(committed, f), 'utf8') === fs.readFileSync(path.join(out, f), 'utf8'), `docs/api/${f} is stale: run npm run docs:api`);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
