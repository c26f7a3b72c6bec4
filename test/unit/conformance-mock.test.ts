// The conformance suite against the mock backend, on every machine.
import { FalconClient } from '../../src/client/falcon-client';
import { createMockTransport, MockModel } from '../../src/mock';
import { conformance } from '../conformance/suite';
import { ConformanceBackend, listenOn, runUserCalls, UserCall, UserOutcome } from '../conformance/backend';

function mockBackend(): ConformanceBackend {
  const model = new MockModel();
  const open = (o: { admin?: boolean; netns?: string } = {}) => createMockTransport({ model, ...o });
  /** A caller of its own: another connection to the same model. */
  const runAs = async (o: { admin: boolean; netns?: string }, calls: readonly UserCall[]): Promise<UserOutcome[]> => {
    const falcon = new FalconClient(open(o), 'mock');
    try {
      return await runUserCalls(falcon, calls);
    } finally {
      await falcon.close();
    }
  };
  return {
    name: 'mock',
    async open() {
      return new FalconClient(open(), 'mock');
    },
    async openRaw() {
      return open();
    },
    runAsUser: (calls, netns) => runAs({ admin: false, netns }, calls),
    runAsNetnsAdmin: (calls, netns) => runAs({ admin: true, netns }, calls),
    async listen(role, netns) {
      return listenOn(new FalconClient(open({ admin: role !== 'user', netns }), 'mock'));
    },
    async addNamespace(name) {
      model.addNamespace(name);
    },
    async removeNamespace(name) {
      model.removeNamespace(name);
    },
    async addDevice(ifname, netns) {
      model.addDevice({ ifname, netns });
    },
    async deleteDevice(ifname, netns) {
      model.removeDevice({ ifname, netns });
    },
    async setOnline(cpu, online) {
      model.setOnline(cpu, online);
      return true;
    },
    async setGenericXdp(ifname, on) {
      model.setGenericXdp({ ifname }, on);
      return true;
    },
    traffic: {
      async holdQueues(hold) {
        model.holdQueues(hold);
      },
      async inject(ifname, flowHash, cpu) {
        return model.inject({ device: { ifname }, flowHash, cpu });
      },
    },
    async close() {},
  };
}

conformance('mock', mockBackend);
