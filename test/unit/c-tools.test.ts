/**
 * The C tools (test/vm/c: the fuzzer, the VM tests' helpers, the bench's C
 * client) build on the host with their one Makefile, -Wall -Werror, so a
 * header or library change that breaks one is caught here, not after a VM
 * boot. Every netlink tool frames its messages with falcon_nl and takes the
 * family's ids from the generated UAPI header: no hand-copied framing or
 * numbers.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'test', 'vm', 'c');
const NETLINK_TOOLS = [path.join(dir, 'falcon-fuzz.c'), path.join(dir, 'dump-hold.c'), path.join(dir, 'xdp-generic.c'), path.join(root, 'bench', 'c', 'roundtrip.c')];

describe('C tools', () => {
  it('all build with the Makefile, warnings as errors', function () {
    this.timeout(120_000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'falcon-c-'));
    try {
      execFileSync('make', ['-s', '-j2', '-C', dir, `O=${out}`], { stdio: 'pipe' });
      assert.deepStrictEqual(fs.readdirSync(out).sort(), ['dump-hold', 'falcon-fuzz', 'roundtrip', 'udp-count', 'xdp-generic']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('every netlink tool uses falcon_nl and the generated UAPI header: no socket, family lookup or ack parsing of its own', () => {
    for (const file of NETLINK_TOOLS) {
      const src = fs.readFileSync(file, 'utf8');
      const name = path.relative(root, file);
      assert.match(src, /#include "falcon_nl\.h"/, `${name} includes falcon_nl.h`);
      if (!name.endsWith('xdp-generic.c')) assert.match(src, /#include <linux\/falcon\.h>/, `${name} takes ids from the UAPI header`);
      // (the fuzzer still writes lying length fields on purpose: that is its job)
      for (const own of [/\bsocket\(AF_NETLINK/, /CTRL_CMD_GETFAMILY/, /struct nlmsgerr/]) {
        assert.doesNotMatch(src, own, `${name} does netlink by hand (${own.source})`);
      }
    }
  });
});
