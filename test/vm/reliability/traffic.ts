/**
 * Background iperf3 traffic across the overlay (h1c1 -> h2c1) and the check
 * that it still flows: the receiving container's eth0 rx_bytes must grow.
 * TCP rather than a UDP flood so that the flow itself notices loss and has
 * to recover after each disruption; the rate is capped so a 2-core TCG host
 * shared with others stays responsive.
 */
import { ChildProcess } from 'child_process';
import { background, nsSh, sleep, stop } from './sh';

export class Iperf {
  private server: ChildProcess | undefined;
  private client: ChildProcess | undefined;

  constructor(
    readonly fromNs: string,
    readonly toNs: string,
    readonly toAddr: string,
  ) {}

  async start(): Promise<void> {
    this.server = background(['ip', 'netns', 'exec', this.toNs, 'iperf3', '-s', '-p', '5299']);
    await sleep(1500);
    this.client = background([
      'ip', 'netns', 'exec', this.fromNs, 'iperf3', '-c', this.toAddr, '-p', '5299', '-t', '3600', '-b', '200M', '-i', '0',
    ]);
  }

  /** The receiver still has a client (false once iperf3 gave up). */
  clientAlive(): boolean {
    return this.client !== undefined && this.client.exitCode === null && this.client.signalCode === null;
  }

  async stopAll(): Promise<void> {
    if (this.client) await stop(this.client);
    if (this.server) await stop(this.server);
  }
}

export function rxBytes(ns: string, dev: string): number {
  return Number(nsSh(ns, ['cat', `/sys/class/net/${dev}/statistics/rx_bytes`]).trim());
}

/**
 * Waits up to `ms` for at least `bytes` more to arrive on ns/dev. TCP may be
 * in a retransmission back-off after a disruption, hence the generous wait.
 */
export async function flows(ns: string, dev: string, bytes = 256 * 1024, ms = 20_000): Promise<boolean> {
  const start = rxBytes(ns, dev);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sleep(250);
    if (rxBytes(ns, dev) - start >= bytes) return true;
  }
  return false;
}
