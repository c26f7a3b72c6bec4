// The conformance suite against falcon.ko, inside the testbed guest: the
// suite's devices are dummies made with ip(8), the other callers are child
// processes of test/vm/unpriv.ts, hotplug is sysfs, generic XDP programs come
// from test/vm/c/xdp-generic.c.
import { execFileSync, spawn } from 'node:child_process';
import * as readline from 'node:readline';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openFalcon } from '../../src/index';
import { NativeGenlTransport } from '../../src/transport/native';
import { FAMILY_NAME } from '../../src/protocol/generated';
import { conformance } from '../conformance/suite';
import type { FalconEvent } from '../../src/api/types';
import { ConformanceBackend, EventCollector, EventListener, listenOn } from '../conformance/backend';
import { buildC } from './cbuild';
import { inGuest } from './guest';
import { falconCallsAs } from './unpriv';

function ip(args: string[], netns?: string): void {
  execFileSync('ip', netns ? ['-n', netns, ...args] : args, { stdio: 'pipe' });
}

// nobody, no capabilities at all: netlink_capable(CAP_NET_ADMIN) fails.
const DROP_PRIVILEGES = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/** Runs events() in a child (conformance-listen.js) under `wrap`, in `netns` if given; resolves once it is subscribed. */
function listenChild(wrap: readonly string[], netns?: string): Promise<EventListener> {
  const cmd = [...wrap, process.execPath, path.join(__dirname, 'conformance-listen.js')];
  const argv = netns ? ['ip', 'netns', 'exec', netns, ...cmd] : cmd;
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const collector = new EventCollector(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  return new Promise((resolve, reject) => {
    let ready = false;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (!ready) {
        if (line !== 'ready') reject(new Error(`listener: ${line} ${stderr}`));
        ready = true;
        resolve(collector);
        return;
      }
      const parsed = JSON.parse(line) as FalconEvent | { error: string; message: string };
      if ('error' in parsed) collector.fail(new Error(`listener failed: ${parsed.error} ${parsed.message}`));
      else collector.add(parsed);
    });
    void exited.then(() => {
      if (!ready) reject(new Error(`listener exited before it was ready: ${stderr}`));
      else collector.fail(new Error(`listener exited: ${stderr}`));
    });
  });
}

function kernelBackend(): ConformanceBackend {
  return {
    name: 'falcon.ko',
    open: () => openFalcon({ backend: 'kernel' }),
    openRaw: () => NativeGenlTransport.open(FAMILY_NAME),
    runAsUser: async (calls, netns) => falconCallsAs('nobody', calls, netns),
    runAsNetnsAdmin: async (calls, netns) => falconCallsAs('netns-admin', calls, netns),
    async listen(role, netns) {
      if (role === 'admin' && netns === undefined) return listenOn(await openFalcon({ backend: 'kernel' }));
      return listenChild(role === 'user' ? DROP_PRIVILEGES : [], netns);
    },
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
