// The conformance suite against the mock backend, on every machine.
import { FalconClient } from '../../src/client/falcon-client';
import { createMockTransport, MockModel } from '../../src/mock';
import { conformance } from '../conformance/suite';
import { ConformanceBackend, runUserCalls } from '../conformance/backend';

function mockBackend(): ConformanceBackend {
  const model = new MockModel();
  const open = (o: { admin?: boolean; netns?: string } = {}) => createMockTransport({ model, ...o });
  return {
    name: 'mock',
    async open() {
      return new FalconClient(open(), 'mock');
    },
    async openRaw() {
      return open();
    },
    async runAsUser(calls, netns) {
      const falcon = new FalconClient(open({ admin: false, netns }), 'mock');
      try {
        return await runUserCalls(falcon, calls);
      } finally {
        await falcon.close();
      }
    },
    async runAsNetnsAdmin(calls, netns) {
      const falcon = new FalconClient(open({ admin: true, netns }), 'mock');
      try {
        return await runUserCalls(falcon, calls);
      } finally {
        await falcon.close();
      }
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
    async close() {},
  };
}

conformance('mock', mockBackend);
