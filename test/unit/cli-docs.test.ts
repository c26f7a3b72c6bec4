// falconctl's bash completion and man page are generated from its command
// table (src/cli/docs-gen.ts): the committed files must be what the table
// makes now, the man page must render cleanly, and the completion must
// complete what the table says.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMPLETION_FILE, generate, MAN_FILE, ROOT } from '../../src/cli/docs-gen';
import { COMMANDS, GLOBAL_OPTIONS } from '../../src/cli/falconctl';

const completion = path.join(ROOT, COMPLETION_FILE);

/** What the completion offers for a command line; the last word is the one being completed. */
function complete(words: readonly string[], setup = ''): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(' ');
  const script = [
    `source '${completion}'`,
    // ip netns list and ip -n as a host with namespaces h1 (vx0, lo) and h2 would answer.
    "ip() { if [[ $1 == netns ]]; then printf 'h1 (id: 0)\\nh2 (id: 1)\\n'; elif [[ $1 == -n && $2 == h1 ]]; then printf '1: lo: <LOOPBACK>\\n4: vx0@NONE: <UP>\\n'; fi; }",
    setup,
    `COMP_WORDS=(${quoted})`,
    `COMP_CWORD=${words.length - 1}`,
    '_falconctl',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', words.join(' '));
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('falconctl docs: bash completion and man page', function () {
  this.timeout(60000);

  it('are up to date with the command table (npm run gen:cli-docs)', () => {
    assert.deepEqual(generate(ROOT, true), [], 'stale: run npm run gen:cli-docs and commit the files');
    const check = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'docs-gen.js'), '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  it('the man page names every command and option, and renders without warnings', function () {
    const man = fs.readFileSync(path.join(ROOT, MAN_FILE), 'utf8');
    assert.match(man, /^\.TH FALCONCTL 8 /m);
    for (const c of COMMANDS) assert.match(man, new RegExp(`^\\.B ${c.name}\\b`, 'm'), c.name);
    for (const o of [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((c) => c.options)]) assert.ok(man.includes(`\\fB\\-\\-${o.name.replace(/-/g, '\\-')}\\fR`), o.name);
    assert.match(man, /^\.SH BATCH MODE$/m);
    const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', path.join(ROOT, MAN_FILE)], { encoding: 'utf8' });
    if (groff.error) this.skip();
    assert.equal(groff.status, 0);
    assert.equal(groff.stderr, '');
  });

  it('the completion is valid bash', () => {
    const r = spawnSync('bash', ['-n', completion], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('completes commands, global options and help topics', () => {
    assert.deepEqual(complete(['falconctl', '']), [...COMMANDS.map((c) => c.name), 'help']);
    assert.deepEqual(complete(['falconctl', '--mock', '-j', 'de']), ['detach', 'devices']);
    assert.deepEqual(complete(['falconctl', '--mo']), ['--mock']);
    assert.deepEqual(complete(['falconctl', '--b']), ['--batch']);
    assert.deepEqual(complete(['falconctl', 'help', 'a']), ['attach', 'apply']);
    assert.deepEqual(complete(['falconctl', 'help', 'attach', '']), []);
    assert.deepEqual(complete(['falconctl', 'status', '']), ['help']);
  });

  it("completes each command's options", () => {
    for (const c of COMMANDS) {
      const offered = complete(['falconctl', c.name, '--']);
      for (const o of c.options) assert.ok(offered.includes(`--${o.name}`), `${c.name} --${o.name}: ${offered.join(' ')}`);
      assert.ok(offered.includes('--help'), c.name);
    }
  });

  it('completes set keys, and the values of mode and policy', () => {
    assert.deepEqual(complete(['falconctl', 'set', '']), ['cpus', 'mode', 'policy', 'threshold', 'hysteresis', 'interval', 'queue-limit']);
    assert.deepEqual(complete(['falconctl', 'set', 'mode', '']), ['stage', 'paper']);
    assert.deepEqual(complete(['falconctl', 'set', 'mode', 'paper', 'po']), ['policy']);
    assert.deepEqual(complete(['falconctl', 'set', 'policy', 'b']), ['balanced']);
    assert.deepEqual(complete(['falconctl', 'set', 'threshold', '']), []);
  });

  it('completes device names from /sys/class/net, or from the namespace after --netns, and ip netns names', () => {
    const host = fs.readdirSync('/sys/class/net').sort();
    assert.deepEqual(complete(['falconctl', 'attach', '']).sort(), [...host, 'help'].sort());
    assert.deepEqual(complete(['falconctl', 'attach', '--cpus', '1-3', 'l']), ['lo']);
    assert.deepEqual(complete(['falconctl', 'detach', '--netns', '']), ['h1', 'h2']);
    assert.deepEqual(complete(['falconctl', 'attach', '--netns', 'h1', '']), ['lo', 'vx0', 'help']);
    assert.deepEqual(complete(['falconctl', 'attach', '--netns', '=', 'h1', 'v']), ['vx0']);
    assert.deepEqual(complete(['falconctl', 'pick', '--netns', 'h1', '--dev', 'v']), ['vx0']);
    assert.deepEqual(complete(['falconctl', 'attach', 'eth0', '']), [], 'one device only');
  });

  it('completes files after -b/--batch and apply -f', () => {
    assert.deepEqual(complete(['falconctl', '-b', 'package.j']), ['package.json']);
    assert.deepEqual(complete(['falconctl', '--mock', '--batch', 'package.j']), ['package.json']);
    assert.deepEqual(complete(['falconctl', 'apply', '-f', 'package.j']), ['package.json']);
  });
});
