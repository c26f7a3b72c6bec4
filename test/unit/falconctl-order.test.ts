// falconctl's rendering of the ordering step: pick's deferred reason
// explained, and dev-stats' deferred counter in stats (table and JSON),
// from a mock host whose held queue keeps a flow's packet on its way.
import { strict as assert } from 'node:assert';
import { parseArgs } from '../../src/args/parse';
import { pick } from '../../src/cli/device-commands';
import type { Command } from '../../src/cli/command';
import type { Output } from '../../src/cli/output';
import { stats } from '../../src/cli/stats-commands';
import { MockFalcon, openFalcon } from '../../src/index';

function recording(json: boolean): Output & { text(): string } {
  let text = '';
  return { json, pretty: false, colour: false, write: (t) => (text += t), writeErr: () => undefined, text: () => text };
}

/** Runs a Falcon command in process. */
async function runOn(command: Command, falcon: MockFalcon, out: Output, argv: string[]): Promise<void> {
  if (command.needsFalcon === false) throw new Error(`${command.name} does not run on a Falcon`);
  await command.run({ falcon, out, args: parseArgs(argv, command.options) });
}

describe('falconctl: deferred moves', () => {
  it('explains a deferred pick and shows the deferred counter', async () => {
    const falcon = await openFalcon({ backend: 'mock' });
    try {
      await falcon.attach({ ifname: 'eth0' });
      falcon.mock.holdQueues(true);
      const t = (await falcon.pick({ ifname: 'eth0', flowHash: 7 })).target as number;
      falcon.mock.inject({ device: { ifname: 'eth0' }, flowHash: 7, cpu: t === 0 ? 1 : 0 });
      await falcon.setConfig({ cpus: [0, 1, 2, 3].filter((c) => c !== t) });
      falcon.mock.inject({ device: { ifname: 'eth0' }, flowHash: 7, cpu: t === 0 ? 1 : 0 });

      const human = recording(false);
      await runOn(pick, falcon, human, ['--dev', 'eth0', '--hash', '7']);
      assert.match(human.text(), new RegExp(`^target\\s+${t}$`, 'm'));
      assert.match(human.text(), /^reason\s+deferred \(the flow's earlier packets may still be on their way on the target: it follows them\)$/m);
      const json = recording(true);
      await runOn(pick, falcon, json, ['--dev', 'eth0', '--hash', '7']);
      assert.equal((JSON.parse(json.text()) as { reason: string }).reason, 'deferred');

      const table = recording(false);
      await runOn(stats, falcon, table, []);
      const lines = table.text().split('\n');
      const header = lines.find((l) => l.startsWith('IFNAME')) ?? '';
      const row = lines.find((l) => l.startsWith('eth0')) ?? '';
      const column = header.split(/\s+/).indexOf('DEFERRED');
      assert.ok(column > 0, header);
      assert.equal(row.split(/\s+/)[column], '1');
      const s = recording(true);
      await runOn(stats, falcon, s, []);
      assert.equal((JSON.parse(s.text()) as { devices: Array<{ deferred: number }> }).devices[0]?.deferred, 1);
    } finally {
      await falcon.close();
    }
  });
});
