// The typed Falcon API over any GenlTransport: the kernel's (native addon)
// or the mock's. Everything backend-independent happens here — encoding,
// decoding, dump retries, netns descriptors, error mapping — so the two
// backends can only differ in what the module itself would answer.
import { FalconError } from '../api/errors';
import type {
  AttachOptions,
  Attachment,
  BackendName,
  ConfigChange,
  CpuStats,
  DeviceRef,
  DeviceStats,
  Falcon,
  FalconConfig,
  PickRequest,
  PickResult,
  Stats,
} from '../api/types';
import { AttrMap, decodeAttrs, decodeGenl, encodeAttrs, encodeGenl } from '../protocol/codec';
import { FAMILY_VERSION, OpName, OPERATIONS } from '../protocol/generated';
import type { GenlTransport } from '../transport/types';
import {
  decodeAttachment,
  decodeConfig,
  decodeCpuStats,
  decodeDeviceStats,
  decodePick,
  statsPart,
} from './decode';
import { attachAttrs, configAttrs, deviceAttrs, u32 } from './encode';
import { netnsError, toFalconError } from './errors';

/** How many times a dump flagged NLM_F_DUMP_INTR is retried before giving up. */
export const DUMP_RETRIES = 8;

/** Falcon over a GenlTransport. */
export class FalconClient implements Falcon {
  /**
   * @param transport carries the falcon family's messages; closed by close().
   * @param backend which backend the transport talks to.
   */
  constructor(
    private readonly transport: GenlTransport,
    readonly backend: BackendName,
  ) {}

  // Sends one request of `op`; maps every failure to a FalconError.
  private async call(op: OpName, attrs: AttrMap, netns?: string): Promise<AttrMap[]> {
    const spec = OPERATIONS[op];
    if (!spec) throw new FalconError({ code: 'EOPNOTSUPP', message: `unknown operation ${op}`, syscall: op });
    let fd: number | undefined;
    if (netns !== undefined) {
      try {
        fd = await this.transport.openNetns(netns);
      } catch (error) {
        throw netnsError(error, netns, op);
      }
    }
    let payload: Buffer | undefined;
    try {
      const all = fd === undefined ? attrs : { ...attrs, 'netns-fd': fd };
      payload = encodeGenl({ command: spec.id, version: FAMILY_VERSION, attrs: encodeAttrs('falcon', all) });
      const dump = spec.kind === 'dump';
      for (let attempt = 0; ; attempt++) {
        const replies = await this.transport.request(payload, { dump });
        if (!replies.dumpInterrupted) return replies.map((reply) => decodeAttrs('falcon', decodeGenl(reply).attrs));
        // The dump raced with attach/detach: its parts may be inconsistent.
        if (attempt + 1 >= DUMP_RETRIES) {
          throw new FalconError({
            code: 'EAGAIN',
            message: `${op} dump was interrupted by concurrent changes ${DUMP_RETRIES} times`,
            syscall: op,
          });
        }
      }
    } catch (error) {
      throw toFalconError(error, op, payload);
    } finally {
      if (fd !== undefined) await this.transport.closeNetns(fd).catch(() => undefined);
    }
  }

  private async one(op: OpName, attrs: AttrMap, netns?: string): Promise<AttrMap> {
    const [reply] = await this.call(op, attrs, netns);
    if (!reply) throw new FalconError({ code: 'EPROTO', message: `${op}: no reply`, syscall: op });
    return reply;
  }

  async getConfig(): Promise<FalconConfig> {
    return decodeConfig('get-config', await this.one('get-config', {}));
  }

  async setConfig(change: ConfigChange): Promise<FalconConfig> {
    const op = 'set-config';
    return decodeConfig(op, await this.one(op, configAttrs(op, change)));
  }

  enable(): Promise<FalconConfig> {
    return this.setConfig({ enabled: true });
  }

  disable(): Promise<FalconConfig> {
    return this.setConfig({ enabled: false });
  }

  /** Adds each entry's namespace name (see Attachment.netns), looking each namespace up once. */
  private async named<T extends { netnsInum: number }>(entries: T[]): Promise<T[]> {
    const names = new Map<number, string | undefined>();
    for (const e of entries) if (!names.has(e.netnsInum)) names.set(e.netnsInum, await this.transport.netnsName(e.netnsInum));
    return entries.map((e) => {
      const netns = names.get(e.netnsInum);
      return netns === undefined ? e : { ...e, netns };
    });
  }

  async attach(options: AttachOptions): Promise<Attachment> {
    const op = 'attach';
    const [a] = await this.named([decodeAttachment(op, await this.one(op, attachAttrs(op, options), options.netns))]);
    return a as Attachment;
  }

  async detach(device: DeviceRef): Promise<void> {
    const op = 'detach';
    await this.call(op, deviceAttrs(op, device), device.netns);
  }

  async devices(): Promise<Attachment[]> {
    const op = 'get-device';
    return this.named((await this.call(op, {})).map((reply) => decodeAttachment(op, reply)));
  }

  async stats(): Promise<Stats> {
    const op = 'get-stats';
    const cpus: CpuStats[] = [];
    const devices: DeviceStats[] = [];
    for (const reply of await this.call(op, {})) {
      const part = statsPart(reply);
      if (part.cpu) cpus.push(decodeCpuStats(op, part.cpu));
      if (part.device) devices.push(decodeDeviceStats(op, part.device));
    }
    return { cpus, devices: await this.named(devices) };
  }

  async resetStats(): Promise<void> {
    await this.call('reset-stats', {});
  }

  async pick(request: PickRequest): Promise<PickResult> {
    const op = 'pick';
    const attrs = deviceAttrs(op, request);
    // A missing flow hash is the kernel's to refuse (flow-hash-missing).
    if (request.flowHash !== undefined) attrs['flow-hash'] = u32(op, 'flowHash', 'flow-hash', request.flowHash);
    return decodePick(op, await this.one(op, attrs, request.netns));
  }

  async pinLoad(cpu: number, load: number): Promise<void> {
    const op = 'pin-load';
    const attrs: AttrMap = {};
    if (cpu !== undefined) attrs.cpu = u32(op, 'cpu', 'cpu', cpu);
    if (load !== undefined) attrs.load = u32(op, 'load', 'load', load);
    await this.call(op, attrs);
  }

  async unpinLoad(cpu?: number): Promise<void> {
    const op = 'unpin-load';
    await this.call(op, cpu === undefined ? {} : { cpu: u32(op, 'cpu', 'cpu', cpu) });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
