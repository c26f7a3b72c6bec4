import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { falconKo, guestOnly } from './guest';

describe('vm: falcon.ko', function () {
  guestOnly(this);
  this.timeout(60_000);
  const ko = falconKo();

  it('is loaded by the testbed', () => {
    assert.ok(fs.existsSync('/sys/module/falcon'), '/sys/module/falcon missing');
  });

  it('unloads and loads again', () => {
    execFileSync('rmmod', ['falcon']);
    assert.ok(!fs.existsSync('/sys/module/falcon'));
    execFileSync('insmod', [ko]);
    assert.ok(fs.existsSync('/sys/module/falcon'));
  });
});
