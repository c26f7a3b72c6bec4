/**
 * `npm run test:unit` must run host tests only, in seconds: mocha merges a
 * command line's specs with .mocharc.json's, so the config file must name none
 * (it once named test/host, and test:unit booted QEMU).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');

/** The test files mocha would load for an npm script's mocha command line. */
function specFilesOf(script: string): string[] {
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const cmd = scripts[script];
  assert.ok(cmd !== undefined, `package.json has a ${script} script`);
  const mochaPart = cmd.split('&&').map((s) => s.trim()).find((s) => s.startsWith('mocha '));
  assert.ok(mochaPart !== undefined, `${script} runs mocha`);
  const globs = [...mochaPart.matchAll(/'([^']+)'/g)].map((m) => m[1] as string);
  const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  // --dry-run with the json reporter lists every test mocha would run, after
  // merging .mocharc.json, without running any.
  const out = execFileSync(process.execPath, [mocha, '--dry-run', '--reporter', 'json', ...globs], { cwd: root, encoding: 'utf8' });
  const report = JSON.parse(out) as { tests: { file: string }[] };
  return [...new Set(report.tests.map((t) => path.relative(root, t.file)))];
}

describe('npm scripts', () => {
  it('test:unit loads only test/unit files (nothing that boots QEMU)', function () {
    this.timeout(60_000);
    const files = specFilesOf('test:unit');
    assert.ok(files.length > 10, `test:unit finds the unit tests (${files.length})`);
    assert.deepStrictEqual(files.filter((f) => !f.startsWith(path.join('dist', 'test', 'unit'))), []);
  });
});
