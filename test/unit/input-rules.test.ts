import * as assert from 'assert';
import { inputRulesText } from '../../src/topology/input-rules';

describe('topology: heavy-stage input rules', () => {
  it('writes one input-hook chain with the asked number of rules, none matching testbed addresses', () => {
    const text = inputRulesText(300);
    assert.match(text, /type filter hook input priority 0;/);
    const rules = text.split('\n').filter((l) => l.includes(' drop'));
    assert.strictEqual(rules.length, 300);
    for (const r of rules) assert.match(r, /^ {2}ip saddr 198\.51\.100\.\d+ udp dport \d+ drop$/);
  });
});
