// What the mock's datapath did, counted the way the kernel profiler counts
// (docs/profiler.md): per CPU the NET_RX runs, per (CPU, device) the stages
// run and the packets handed off to Falcon, per target CPU the queue waits,
// per flow its stages. Cumulative counts only; src/profile/mock.ts turns two
// readings into a Profile through the documented cost model.
import type { MockDevice } from './netns';

/** A flow's inner 5-tuple, as InjectOptions.flow gives it. */
export interface MockFlow {
  readonly proto: 'tcp' | 'udp' | 'other';
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
}

/** One (CPU, device) cell. */
export interface LedgerStage {
  readonly cpu: number;
  readonly device: MockDevice;
  packets: number;
  handoffPackets: number;
}

/** One (flow, device, CPU) cell. */
export interface LedgerFlowStage {
  readonly flow: MockFlow;
  readonly flowId: string;
  readonly cpu: number;
  readonly device: MockDevice;
  packets: number;
}

/** Reinjections on a CPU that waited behind `ahead` queued packets, for a device. */
export interface LedgerWait {
  readonly cpu: number;
  readonly ahead: number;
  readonly device: MockDevice;
  count: number;
}

export class ProfileLedger {
  readonly netRxRuns = new Map<number, number>();
  readonly stages = new Map<string, LedgerStage>();
  readonly flowStages = new Map<string, LedgerFlowStage>();
  readonly waits = new Map<string, LedgerWait>();

  private stage(cpu: number, device: MockDevice): LedgerStage {
    const key = `${cpu}/${device.netns.cookie}/${device.ifindex}`;
    let s = this.stages.get(key);
    if (!s) {
      s = { cpu, device, packets: 0, handoffPackets: 0 };
      this.stages.set(key, s);
    }
    return s;
  }

  /** A NET_RX softirq run on a CPU. */
  netRx(cpu: number): void {
    this.netRxRuns.set(cpu, (this.netRxRuns.get(cpu) ?? 0) + 1);
  }

  /** `n` packets of a device's stage ran on a CPU. */
  ran(cpu: number, device: MockDevice, n: number, flow?: MockFlow): void {
    this.stage(cpu, device).packets += n;
    if (!flow) return;
    const flowId = `${flow.proto} ${flow.src} ${flow.sport} ${flow.dst} ${flow.dport}`;
    const key = `${flowId}/${cpu}/${device.netns.cookie}/${device.ifindex}`;
    let f = this.flowStages.get(key);
    if (!f) {
      f = { flow, flowId, cpu, device, packets: 0 };
      this.flowStages.set(key, f);
    }
    f.packets += n;
  }

  /** `n` packets arrived on a CPU and Falcon took them (steered or dropped). */
  handedOff(cpu: number, device: MockDevice, n: number): void {
    this.stage(cpu, device).handoffPackets += n;
  }

  /** A packet reinjected on a CPU after waiting behind `ahead` queued packets. */
  waited(cpu: number, device: MockDevice, ahead: number): void {
    const key = `${cpu}/${device.netns.cookie}/${device.ifindex}/${ahead}`;
    let w = this.waits.get(key);
    if (!w) {
      w = { cpu, device, ahead, count: 0 };
      this.waits.set(key, w);
    }
    w.count++;
  }
}
