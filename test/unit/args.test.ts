// The command-line layer the four tools share (src/args/parse.ts): the
// grammar node:util's parseArgs gives, messages that name the option, the
// value checks; and each tool's exit status for a usage error.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  helpRequested, parseArgs, parseChoice, parseCpus, parseDecimal, parseInteger, parseList, splitAtPositional, UsageError,
} from '../../src/args/parse';

const SPECS = [
  { name: 'json', short: 'j', value: false },
  { name: 'file', short: 'f', value: true },
  { name: 'netns', value: true },
  { name: 'append', value: true, multiple: true },
  { name: 'scenario', value: true, multiple: true, aliases: ['scenarios'] },
  { name: 'verbose', short: 'v', value: false, multiple: true },
] as const;

const usage = (fn: () => unknown, message: string | RegExp): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
};

describe('args: the shared parser', () => {
  it('takes long and short options, --opt=value, -fvalue and clusters', () => {
    const p = parseArgs(['-j', '--file', 'a', 'x', '--netns=h1', 'y'], SPECS);
    assert.deepEqual(p.values, { json: true, file: 'a', netns: 'h1' });
    assert.deepEqual(p.positionals, ['x', 'y']);
    assert.deepEqual(parseArgs(['-jfconf'], SPECS).values, { json: true, file: 'conf' });
    assert.deepEqual(parseArgs(['-f', '-'], SPECS).values, { file: '-' }, 'a lone - is a value (stdin)');
    assert.equal(parseArgs(['--file=-x'], SPECS).values.file, '-x', 'an inline value may start with -');
    assert.equal(parseArgs(['--file', 'a', '--file', 'b'], SPECS).values.file, 'b', 'the last one wins');
  });
  it('keeps every value of a repeatable option in order, aliases included; counts a repeatable flag', () => {
    const p = parseArgs(['--append', 'a', '--append=b', '--scenarios', 'x', '--scenario', 'y', '-vv', '--verbose'], SPECS);
    assert.deepEqual(p.values.append, ['a', 'b']);
    assert.deepEqual(p.values.scenario, ['x', 'y']);
    assert.equal(p.values.verbose, 3);
  });
  it('ends options at --', () => {
    assert.deepEqual(parseArgs(['x', '--', '--json', '-f'], SPECS).positionals, ['x', '--json', '-f']);
    assert.deepEqual(parseArgs(['--', '-h'], SPECS).values, {});
  });
  it('stops at the first positional when asked (global options, a command to run)', () => {
    const p = parseArgs(['-j', 'run', '--json', '-x'], SPECS, { stopAtPositional: true });
    assert.deepEqual(p.values, { json: true });
    assert.deepEqual(p.positionals, ['run', '--json', '-x']);
    assert.deepEqual(parseArgs(['-f', 'a', '--', 'sh', '-c', 'x'], SPECS, { stopAtPositional: true }).positionals, ['sh', '-c', 'x']);
    assert.deepEqual(splitAtPositional(['-j', '--bogus', 'attach', '-h'], SPECS), { options: ['-j', '--bogus'], rest: ['attach', '-h'] });
    assert.deepEqual(splitAtPositional(['-f', 'attach'], SPECS), { options: ['-f', 'attach'], rest: [] }, '-f takes its value');
  });
  it('refuses with a message that names the option', () => {
    usage(() => parseArgs(['--bogus'], SPECS), 'unknown option "--bogus"');
    usage(() => parseArgs(['--bogus=1'], SPECS), 'unknown option "--bogus"');
    usage(() => parseArgs(['-jx'], SPECS), 'unknown option "-x"');
    usage(() => parseArgs(['--file'], SPECS), 'option --file needs a value');
    usage(() => parseArgs(['-f'], SPECS), 'option --file needs a value');
    usage(() => parseArgs(['--json=yes'], SPECS), 'option --json takes no value');
    usage(() => parseArgs(['--netns', '--json'], SPECS), /^option --netns needs a value, got option-like "--json" \(write --netns=--json/);
    usage(() => parseArgs(['x'], SPECS, { allowPositionals: false }), 'unexpected argument "x"');
    usage(() => parseArgs(['-j', 'x'], SPECS, { stopAtPositional: true, allowPositionals: false }), 'unexpected argument "x"');
  });
  it('finds -h/--help among the options whatever else is wrong, not after -- or as a value', () => {
    assert.ok(helpRequested(['--bogus', 'x', '-h'], SPECS));
    assert.ok(helpRequested(['-jh'], SPECS));
    assert.ok(helpRequested(['--help'], []));
    assert.ok(!helpRequested(['--', '-h'], SPECS));
    assert.ok(!helpRequested(['--netns', '-h'], SPECS));
    assert.ok(!helpRequested(['run', '-h'], SPECS, { stopAtPositional: true }), "the command's own -h");
  });
});

describe('args: value checks', () => {
  it('integers: syntax, bounds, hex where allowed', () => {
    assert.equal(parseInteger('42', 'stage'), 42);
    assert.equal(parseInteger('0x10', 'hash', { hex: true }), 16);
    usage(() => parseInteger('0x10', '--reps', { min: 1, max: 100 }), '--reps needs an integer from 1 to 100, got "0x10"');
    usage(() => parseInteger('0', '--reps', { min: 1, max: 100 }), '--reps must be between 1 and 100, got "0"');
    usage(() => parseInteger('-1', 'cpu'), 'cpu needs a non-negative integer, got "-1"');
    usage(() => parseInteger('0', '--cpus', { min: 1 }), '--cpus must be at least 1, got "0"');
    usage(() => parseInteger('x', '--cpus', { min: 1 }), '--cpus needs a positive integer, got "x"');
    usage(() => parseInteger('99999999999999999999', 'n'), /needs a non-negative integer/);
  });
  it('decimals: no exponent, sign, hex or blanks; bounds named', () => {
    assert.equal(parseDecimal('0.5', '--watch', { min: 0.1, max: 3600 }), 0.5);
    assert.equal(parseDecimal('.5', '--watch', { min: 0.1, max: 3600 }), 0.5);
    assert.equal(parseDecimal('2', '--watch', { min: 0.1, max: 3600 }), 2);
    for (const bad of ['1e-3', '-1', '0x1', ' 1', 'Infinity', '', '1.2.3']) {
      usage(() => parseDecimal(bad, '--watch', { min: 0.1, max: 3600 }, ' seconds'), `--watch needs a decimal number from 0.1 to 3600 seconds, got "${bad}"`);
    }
    usage(() => parseDecimal('0.01', '--watch', { min: 0.1, max: 3600 }, ' seconds'), '--watch must be between 0.1 and 3600 seconds, got "0.01"');
  });
  it('choices, lists and CPU lists', () => {
    assert.equal(parseChoice('kvm', '--accel', ['tcg', 'kvm']), 'kvm');
    usage(() => parseChoice('hvf', '--accel', ['tcg', 'kvm']), '--accel must be tcg or kvm, got "hvf"');
    usage(() => parseChoice('x', 'mode', ['a', 'b', 'c']), 'mode must be a, b or c, got "x"');
    assert.deepEqual(parseList(' a, b,,', '--scenario'), ['a', 'b']);
    usage(() => parseList(',', '--scenario'), '--scenario needs a comma-separated list');
    usage(() => parseList('a,x', '--modes', { noun: 'mode', known: ['a', 'b'] }), 'unknown mode "x" (known: a, b)');
    assert.deepEqual(parseCpus('0-2,5', '--cpus'), [0, 1, 2, 5]);
    usage(() => parseCpus('3-1', '--cpus'), /invalid CPU list "3-1"/);
  });
});

describe('args: each tool exits with its own usage status', function () {
  this.timeout(60000);
  const dist = path.resolve(__dirname, '..', '..', 'src');
  const tool = (script: string, ...args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, [path.join(dist, script), ...args], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };
  it('falconctl 1, falcon-topology 1, falcon-testbed 2, the experiment 2; the message names the option', () => {
    for (const [script, status] of [['cli/falconctl.js', 1], ['topology/cli.js', 1], ['testbed/cli.js', 2], ['experiment/cli.js', 2]] as const) {
      const args = script === 'topology/cli.js' || script === 'testbed/cli.js' ? ['up', 'overlay', '--bogus'] : ['--bogus'];
      if (script === 'testbed/cli.js') args.splice(0, 2, 'run');
      const r = tool(script, ...args);
      assert.equal(r.status, status, `${script}: ${r.stderr}`);
      assert.match(r.stderr, /unknown option "--bogus"/, script);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
