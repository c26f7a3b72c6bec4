// The conformance suite against falcon.ko, inside the testbed guest: the
// suite's devices are dummies made with ip(8), the other callers are child
// processes of test/vm/unpriv.ts, hotplug is sysfs, generic XDP programs come
// from test/vm/c/xdp-generic.c.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { openFalcon } from '../../src/index';
import { NativeGenlTransport } from '../../src/transport/native';
import { FAMILY_NAME } from '../../src/protocol/generated';
import { conformance } from '../conformance/suite';
import { ConformanceBackend } from '../conformance/backend';
import { buildC } from './cbuild';
import { inGuest } from './guest';
import { falconCallsAs } from './unpriv';

function ip(args: string[], netns?: string): void {
  execFileSync('ip', netns ? ['-n', netns, ...args] : args, { stdio: 'pipe' });
}

function kernelBackend(): ConformanceBackend {
  return {
    name: 'falcon.ko',
    open: () => openFalcon({ backend: 'kernel' }),
    openRaw: () => NativeGenlTransport.open(FAMILY_NAME),
    runAsUser: async (calls, netns) => falconCallsAs('nobody', calls, netns),
    runAsNetnsAdmin: async (calls, netns) => falconCallsAs('netns-admin', calls, netns),
    async addNamespace(name) {
      execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    },
    async removeNamespace(name) {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
    },
    async addDevice(ifname, netns) {
      try {
        ip(['link', 'add', ifname, 'type', 'dummy'], netns);
      } catch {
        // No dummy driver: a veth pair serves as well (its peer goes with it).
        ip(['link', 'add', ifname, 'type', 'veth', 'peer', 'name', `${ifname}p`], netns);
      }
    },
    async deleteDevice(ifname, netns) {
      ip(['link', 'del', ifname], netns);
    },
    async setOnline(cpu, online) {
      try {
        fs.writeFileSync(`/sys/devices/system/cpu/cpu${cpu}/online`, online ? '1' : '0');
        return true;
      } catch {
        return false;
      }
    },
    async setGenericXdp(ifname, on) {
      // r0 = XDP_PASS; exit, in SKB mode (raw bpf() and RTM_SETLINK)
      execFileSync(buildC('xdp-generic'), [on ? 'attach' : 'detach', ifname], { stdio: 'pipe' });
      return true;
    },
    async close() {},
  };
}

if (inGuest()) {
  conformance('falcon.ko', kernelBackend);
} else {
  describe('conformance: falcon.ko', () => {
    it('runs only inside the testbed guest (test/host/vm.test.ts boots it)');
  });
}
