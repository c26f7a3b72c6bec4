import * as assert from 'assert';
import { parseArgs, UsageError } from '../../src/experiment/args';
import { buildPlan, estimateSeconds, formatDuration, runCount } from '../../src/experiment/plan';
import { checkLoadgen, checkTools, pendingModes } from '../../src/experiment/preflight';
import { STEERED_DEVICES, steeredDevices } from '../../src/experiment/modes';
import { cpuMaskHex, placementCpus } from '../../src/experiment/placements';

const refuses = (argv: string[], re: RegExp, cores = 2) => assert.throws(() => parseArgs(argv, cores), (e: unknown) => e instanceof UsageError && re.test(e.message));

describe('experiment: arguments', () => {
  it('defaults: host cores (at least 2), 3 reps, every scenario and mode', () => {
    const a = parseArgs([], 1);
    assert.strictEqual(a.cpus, 2);
    assert.strictEqual(parseArgs([], 8).cpus, 8);
    assert.strictEqual(a.reps, 3);
    assert.deepStrictEqual(a.scenarios, ['tcp', 'udp', 'latency', 'parallel', 'contention', 'web', 'cache']);
    assert.strictEqual(a.containers, 2);
    assert.deepStrictEqual(a.cacheRates, [500, 1000, 2000, 4000]);
    assert.strictEqual(a.kernel, undefined);
    assert.deepStrictEqual(a.modes, ['native', 'vanilla', 'rps', 'falcon-static', 'falcon-balanced']);
    assert.strictEqual(a.modesExplicit, false);
  });
  it('--quick is one rep of tcp, udp, web and cache with short runs, one container and one cache rate', () => {
    const a = parseArgs(['--quick'], 2);
    assert.strictEqual(a.reps, 1);
    assert.strictEqual(a.durationS, 3);
    assert.deepStrictEqual(a.scenarios, ['tcp', 'udp', 'web', 'cache']);
    assert.strictEqual(a.containers, 1);
    assert.deepStrictEqual(a.cacheRates, [500]);
  });
  it('reads the application options and --kernel', () => {
    const a = parseArgs(['--scenario', 'cache,web', '--containers', '4', '--cache-rates', '4000,500', '--cache-rates', '1000', '--web-connections', '16', '--kernel', '6.1.0-57-amd64'], 2);
    assert.deepStrictEqual(a.scenarios, ['web', 'cache']);
    assert.strictEqual(a.containers, 4);
    assert.deepStrictEqual(a.cacheRates, [500, 1000, 4000]);
    assert.strictEqual(a.webConnections, 16);
    assert.strictEqual(a.kernel, '6.1.0-57-amd64');
  });
  it('selects scenarios and modes in canonical order, with = too', () => {
    const a = parseArgs(['--scenario', 'udp,tcp', '--modes=rps,vanilla', '--cpus', '4', '--reps', '5'], 2);
    assert.deepStrictEqual(a.scenarios, ['tcp', 'udp']);
    assert.deepStrictEqual(a.modes, ['vanilla', 'rps']);
    assert.strictEqual(a.cpus, 4);
    assert.strictEqual(a.reps, 5);
    assert.strictEqual(a.modesExplicit, true);
  });
  it('refuses bad input with a clear message', () => {
    refuses(['--scenario', 'www'], /unknown scenario "www".*known: tcp/);
    refuses(['--containers', '0'], /--containers must be between 1/);
    refuses(['--containers', '17'], /--containers must be between 1 and 16/);
    refuses(['--cache-rates', '500,fast'], /--cache-rates needs an integer/);
    refuses(['--cache-rates', '0'], /--cache-rates must be between 1/);
    refuses(['--web-connections', 'x'], /--web-connections needs an integer/);
    refuses(['--kernel', ''], /--kernel needs a kernel version/);
    refuses(['--modes', 'xdp'], /unknown mode "xdp"/);
    refuses(['--reps', '0'], /--reps must be between 1/);
    refuses(['--reps', 'three'], /--reps needs an integer/);
    refuses(['--cpus', '1'], /mode rps needs at least 2 vCPUs/);
    refuses(['--cpus', '1', '--modes', 'falcon-static'], /falcon-static needs at least 2 vCPUs/);
    refuses(['--cpus', '1', '--modes', 'native,vanilla'], /placement nospare .* needs at least 2/);
    refuses(['--bogus'], /unknown option "--bogus"/);
    refuses(['--quick', '--reps', '3'], /--quick runs one repetition/);
    refuses(['--scenario', 'contention', '--placement', 'nospare'], /none of the scenarios contention runs in placement nospare/);
    refuses(['--accel', 'hvf'], /--accel must be tcg or kvm/);
    refuses(['--tcg-threads', 'two'], /--tcg-threads must be multi or single/);
  });
  it('runs multi-threaded TCG unless told otherwise', () => {
    assert.strictEqual(parseArgs([], 2).tcgThreads, 'multi');
    assert.strictEqual(parseArgs(['--tcg-threads', 'single'], 2).tcgThreads, 'single');
  });
  it('puts --rules N heavy-stage rules in the plan, none by default', () => {
    assert.strictEqual(parseArgs([], 2).rules, 0);
    assert.strictEqual(buildPlan(parseArgs([], 2), '/r/raw.json', {}).rules, undefined);
    assert.strictEqual(buildPlan(parseArgs(['--rules', '500'], 2), '/r/raw.json', {}).rules, 500);
    refuses(['--rules', '-1'], /--rules/);
    refuses(['--rules', 'many'], /--rules/);
  });
  it('one vCPU is fine for native and vanilla with the spare placement', () => {
    const a = parseArgs(['--cpus', '1', '--modes', 'native,vanilla', '--placement', 'spare'], 2);
    assert.strictEqual(a.cpus, 1);
  });
  it('refuses missing tools and explicitly asked Falcon modes that cannot run', () => {
    assert.throws(() => checkTools(['latency'], false, (c) => c !== 'sockperf'), /missing tools: sockperf/);
    assert.doesNotThrow(() => checkTools(['tcp'], false, (c) => c !== 'sockperf'));
    assert.throws(() => checkTools(['web', 'cache'], false, (c) => c !== 'wrk' && c !== 'memcached'), /missing tools: wrk, memcached/);
    assert.throws(() => pendingModes(['vanilla', 'falcon-static'], true, 'not built'), /falcon-static cannot run: not built/);
    assert.deepStrictEqual(pendingModes(['vanilla', 'falcon-static'], false, 'not built'), { 'falcon-static': 'not built' });
    assert.deepStrictEqual(pendingModes(['vanilla', 'falcon-static'], true, undefined), {});
  });
});

describe('experiment: plan and placements', () => {
  it('one block per scenario and placement; pending modes cost nothing', () => {
    const a = parseArgs(['--quick'], 2);
    const plan = buildPlan(a, '/r/raw.json', { 'falcon-static': 'x', 'falcon-balanced': 'x' });
    assert.deepStrictEqual(plan.blocks.map((b) => `${b.scenario}/${b.placement}`), ['tcp/spare', 'tcp/nospare', 'udp/spare', 'udp/nospare', 'web/spare', 'cache/spare']);
    assert.strictEqual(runCount(plan), 6 * 3);
    assert.ok(estimateSeconds(plan) < 8 * 60, 'quick must stay under ~8 minutes');
    const micro = buildPlan(parseArgs(['--quick', '--scenario', 'tcp,udp'], 2), '/r/raw.json', {});
    const all = buildPlan(parseArgs(['--quick'], 2), '/r/raw.json', {});
    assert.ok(estimateSeconds(all) - estimateSeconds(micro) <= 3 * 60, 'the applications add at most 3 minutes to --quick');
    const full = buildPlan(parseArgs([], 2), '/r/raw.json', {});
    assert.deepStrictEqual(full.blocks.filter((b) => b.scenario === 'contention').map((b) => b.placement), ['spare']);
  });
  it('the cache scenario has a block per offered rate and placement; the plan carries the containers', () => {
    const plan = buildPlan(parseArgs(['--scenario', 'web,cache', '--cache-rates', '500,2000', '--containers', '3'], 2), '/r/raw.json', {});
    assert.deepStrictEqual(
      plan.blocks.map((b) => `${b.scenario}/${b.placement}${b.rateRps !== undefined ? `@${b.rateRps}` : ''}`),
      ['web/spare', 'web/nospare', 'cache/spare@500', 'cache/spare@2000', 'cache/nospare@500', 'cache/nospare@2000'],
    );
    assert.strictEqual(plan.containers, 3);
    assert.strictEqual(runCount(plan), 6 * 5 * 3);
  });
  it('steers every container eth0 at stage 2, after w2 (0) and vx0 (1)', () => {
    assert.deepStrictEqual(steeredDevices(2), [
      { netns: 'h2', ifname: 'w2', stage: 0 },
      { netns: 'h2', ifname: 'vx0', stage: 1 },
      { netns: 'h2c1', ifname: 'eth0', stage: 2 },
      { netns: 'h2c2', ifname: 'eth0', stage: 2 },
    ]);
    assert.deepStrictEqual(STEERED_DEVICES, steeredDevices(1));
  });
  it('attached everywhere (the default) adds h1 devices in path order, receiver first', () => {
    assert.deepStrictEqual(steeredDevices(1, 'everywhere'), [
      { netns: 'h2', ifname: 'w2', stage: 0 },
      { netns: 'h2', ifname: 'vx0', stage: 1 },
      { netns: 'h2c1', ifname: 'eth0', stage: 2 },
      { netns: 'h1', ifname: 'w1', stage: 0 },
      { netns: 'h1', ifname: 'vx0', stage: 1 },
      { netns: 'h1c1', ifname: 'eth0', stage: 2 },
    ]);
    assert.strictEqual(buildPlan(parseArgs([], 2), '/r/raw.json', {}).attach, 'everywhere');
    assert.strictEqual(buildPlan(parseArgs(['--attach', 'receiver'], 2), '/r/raw.json', {}).attach, 'receiver');
    assert.throws(() => parseArgs(['--attach', 'h1'], 2), /--attach/);
  });
  it('everywhere-tx adds each container\'s host-side veth on both hosts at stage 0', () => {
    const devs = steeredDevices(2, 'everywhere-tx');
    assert.deepStrictEqual(devs.filter((d) => d.ifname.startsWith('vc')), [
      { netns: 'h2', ifname: 'vc1', stage: 0 },
      { netns: 'h2', ifname: 'vc2', stage: 0 },
      { netns: 'h1', ifname: 'vc1', stage: 0 },
      { netns: 'h1', ifname: 'vc2', stage: 0 },
    ]);
    assert.deepStrictEqual(devs.filter((d) => !d.ifname.startsWith('vc')), steeredDevices(2, 'everywhere'));
    assert.strictEqual(buildPlan(parseArgs(['--attach', 'everywhere-tx'], 2), '/r/raw.json', {}).attach, 'everywhere-tx');
  });
  it('the pipelining placement needs 3 vCPUs and is a default from 3 on', () => {
    assert.throws(() => parseArgs(['--placement', 'pipeline'], 2), /placement pipeline \(pipelining\) needs at least 3 vCPUs, got --cpus 2/);
    assert.deepStrictEqual(parseArgs([], 2).placements, ['spare', 'nospare']);
    assert.deepStrictEqual(parseArgs(['--cpus', '3'], 2).placements, ['spare', 'nospare', 'pipeline']);
    const plan = buildPlan(parseArgs(['--cpus', '3', '--scenario', 'udp', '--placement', 'pipeline'], 2), '/r/raw.json', {});
    assert.deepStrictEqual(plan.blocks.map((b) => `${b.scenario}/${b.placement}`), ['udp/pipeline']);
    assert.deepStrictEqual(placementCpus('pipeline', 3), { sender: 0, receiver: 0, steer: [1, 2], busy: 2 });
    assert.throws(() => placementCpus('pipeline', 2), /at least 3/);
  });
  it('refuses the cache scenario when the load generator is not built', () => {
    assert.throws(() => checkLoadgen(['cache'], '/nonexistent'), /memcache-load is not built \(run 'npm run build'/);
    assert.doesNotThrow(() => checkLoadgen(['web'], '/nonexistent'));
  });
  it('lays placements out on the vCPUs', () => {
    assert.deepStrictEqual(placementCpus('spare', 2), { sender: 0, receiver: 0, steer: [1], busy: 1 });
    assert.deepStrictEqual(placementCpus('spare', 4), { sender: 0, receiver: 0, steer: [1, 2, 3], busy: 3 });
    assert.deepStrictEqual(placementCpus('nospare', 2), { sender: 0, receiver: 1, steer: [0, 1], busy: 1 });
    assert.throws(() => placementCpus('nospare', 1), /at least 2/);
  });
  it('RPS masks are hex, in 32-bit words', () => {
    assert.strictEqual(cpuMaskHex([1]), '2');
    assert.strictEqual(cpuMaskHex([0, 1, 2, 3]), 'f');
    assert.strictEqual(cpuMaskHex([32, 0]), '1,00000001');
  });
  it('formats durations', () => {
    assert.strictEqual(formatDuration(42), '42s');
    assert.strictEqual(formatDuration(185), '3m05s');
    assert.strictEqual(formatDuration(3720), '1h02m');
  });
});
