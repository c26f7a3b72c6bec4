// Raw host facts (as the collector read them) into the facts the checks use.
// Pure: the unit tests feed it recorded hosts.
import { parseCpuList } from '../api/cpuset';
import type { FeatureState, HostFacts, IrqFacts, Link, NetnsFacts, RawHost, RawNetns, VxlanInfo } from './types';

/** A malformed raw fact: names what could not be read. */
export class FactsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FactsError';
  }
}

/** `ethtool -k` output: "name: on|off [fixed]" lines (indented sub-features too). */
export function parseEthtoolFeatures(text: string): Record<string, FeatureState> {
  const features: Record<string, FeatureState> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z0-9_-]+): (on|off)( \[(?:fixed|requested \w+)\])?/.exec(line);
    if (!m) continue;
    features[m[1] as string] = { on: m[2] === 'on', fixed: m[3] === ' [fixed]' };
  }
  return features;
}

/** [major, minor] of a kernel release ("6.12.117+deb12-amd64" -> [6, 12]). */
export function kernelVersion(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) throw new FactsError(`cannot read the kernel version from "${release}"`);
  return [Number(m[1]), Number(m[2])];
}

/** Whether kernel version `v` is at least major.minor. */
export function kernelAtLeast(v: readonly [number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** /proc/interrupts: per numbered IRQ, its counts by CPU column and its description. */
export function parseInterrupts(text: string): { cpus: number[]; irqs: Map<number, IrqFacts> } {
  const lines = text.split('\n');
  const header = lines.shift() ?? '';
  const cpus = [...header.matchAll(/CPU(\d+)/g)].map((m) => Number(m[1]));
  const irqs = new Map<number, IrqFacts>();
  for (const line of lines) {
    const m = /^\s*(\d+):(.*)$/.exec(line);
    if (!m) continue;
    const words = (m[2] as string).trim().split(/\s+/);
    const counts = words.slice(0, cpus.length).map(Number);
    if (counts.some((c) => !Number.isFinite(c))) continue;
    irqs.set(Number(m[1]), { irq: Number(m[1]), name: words.slice(cpus.length).join(' '), counts });
  }
  return { cpus, irqs };
}

interface IpAddrInfo {
  readonly local?: string;
}

/** The subset of `ip -d -j addr show`'s objects the checks read. */
interface IpLinkJson {
  readonly ifindex: number;
  readonly ifname: string;
  readonly flags?: readonly string[];
  readonly mtu: number;
  readonly master?: string;
  readonly link?: string | null;
  readonly num_tx_queues?: number;
  readonly num_rx_queues?: number;
  readonly linkinfo?: { readonly info_kind?: string; readonly info_data?: Record<string, unknown> };
  readonly addr_info?: readonly IpAddrInfo[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

function vxlanInfo(d: Record<string, unknown>): VxlanInfo {
  const info: Record<string, unknown> = {
    id: num(d['id']) ?? 0,
    port: num(d['port']) ?? 0,
    local: str(d['local']) ?? str(d['local6']),
    remote: str(d['remote']) ?? str(d['remote6']),
    group: str(d['group']) ?? str(d['group6']),
    link: str(d['link']),
    ttl: num(d['ttl']),
    learning: bool(d['learning']),
    udpCsum: bool(d['udp_csum']),
    udpZeroCsum6Tx: bool(d['udp_zero_csum6_tx']),
    udpZeroCsum6Rx: bool(d['udp_zero_csum6_rx']),
  };
  for (const k of Object.keys(info)) if (info[k] === undefined) delete info[k];
  return info as unknown as VxlanInfo;
}

function parseLinks(raw: RawNetns): Link[] {
  let list: unknown;
  try {
    list = JSON.parse(raw.ipAddr);
  } catch (err) {
    throw new FactsError(`ip -d -j addr show${raw.netns !== null ? ` in netns ${raw.netns}` : ''} printed no JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(list)) throw new FactsError('ip -d -j addr show did not print an array');
  return (list as IpLinkJson[]).map((l): Link => {
    const kind = l.linkinfo?.info_kind;
    const data = l.linkinfo?.info_data;
    const link: Record<string, unknown> = {
      ifindex: l.ifindex,
      ifname: l.ifname,
      kind,
      mtu: l.mtu,
      up: (l.flags ?? []).includes('UP'),
      master: l.master,
      peer: kind === 'veth' && typeof l.link === 'string' ? l.link : undefined,
      numTxQueues: l.num_tx_queues,
      numRxQueues: l.num_rx_queues,
      vxlan: kind === 'vxlan' && data ? vxlanInfo(data) : undefined,
      addresses: (l.addr_info ?? []).map((a) => a.local).filter((a): a is string => typeof a === 'string'),
      features: parseEthtoolFeatures(raw.ethtool[l.ifname] ?? ''),
      rps: raw.rps[l.ifname] ?? {},
      irqs: raw.irqs[l.ifname] ?? [],
    };
    for (const k of Object.keys(link)) if (link[k] === undefined) delete link[k];
    return link as unknown as Link;
  });
}

/** A raw host (read live, or recorded) as the checks see it. */
export function parseHost(raw: RawHost): HostFacts {
  const { cpus, irqs } = parseInterrupts(raw.interrupts);
  for (const [irq, text] of Object.entries(raw.irqAffinity)) {
    const facts = irqs.get(Number(irq));
    if (!facts) continue;
    try {
      irqs.set(facts.irq, { ...facts, affinity: parseCpuList(text.trim()) });
    } catch {
      /* an unreadable affinity: the counts still tell */
    }
  }
  let onlineCpus: number[];
  try {
    onlineCpus = parseCpuList(raw.onlineCpus.trim());
  } catch {
    throw new FactsError(`cannot read the online CPUs from "${raw.onlineCpus.trim()}"`);
  }
  const namespaces: NetnsFacts[] = raw.namespaces.map((n) => ({ netns: n.netns, links: parseLinks(n) }));
  return { kernelRelease: raw.kernelRelease, kernel: kernelVersion(raw.kernelRelease), onlineCpus, irqCpus: cpus, irqs, namespaces };
}
