// falconctl doctor's data: the raw facts a host yields (what the collector
// reads: ip -d -j link, ethtool -k, sysfs, /proc), the parsed facts the
// checks work on, and the findings they report. Raw facts are plain JSON, so
// a host's can be recorded (--save-facts) and checked elsewhere (--facts),
// which is how the unit tests run every check on recorded hosts.

/** How bad a finding is. `info` never fails the check; `warning` and `error` do. */
export type Severity = 'error' | 'warning' | 'info';

/** Every finding's stable id (JSON `id`): scripts match on these. */
export const FINDING_IDS = [
  'vxlan-csum-offload-bug',
  'vxlan-udp-csum-off',
  'udp-gro-forwarding-off',
  'veth-gro-off',
  'rps-double-steering',
  'irq-single-cpu',
  'mtu-overlay-too-large',
  'single-cpu-bound',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

/** One problem doctor found, with what shows it and the command(s) that fix it. */
export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  /** The namespace of the device (an `ip netns` name); null: doctor's own namespace, or none applies. */
  readonly netns: string | null;
  /** The device it is about; null when it is about the host (a profile finding with no one device). */
  readonly device: string | null;
  /** What is wrong and why it matters, in one sentence. */
  readonly what: string;
  /** What doctor read that shows it: "ethtool -k w2: rx-udp-gro-forwarding: off". */
  readonly evidence: readonly string[];
  /** Shell commands that fix it, in order (run as root). */
  readonly fix: readonly string[];
}

/** What one network namespace yields, as read. */
export interface RawNetns {
  /** Its `ip netns` name; null: the namespace doctor runs in. */
  readonly netns: string | null;
  /** `ip -d -j addr show` (every link's details and addresses), as printed. */
  readonly ipAddr: string;
  /** `ethtool -k <dev>` per device, as printed (absent: ethtool failed for it). */
  readonly ethtool: Readonly<Record<string, string>>;
  /** /sys/class/net/<dev>/queues/rx-<n>/rps_cpus per device and queue ("rx-0"), as read. */
  readonly rps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The IRQ numbers of each device that has any (its PCI function's msi_irqs, or its legacy irq). */
  readonly irqs: Readonly<Record<string, readonly number[]>>;
}

/** What a whole host yields, as read: the recorded form (--save-facts, --facts). */
export interface RawHost {
  /** uname -r. */
  readonly kernelRelease: string;
  /** /sys/devices/system/cpu/online. */
  readonly onlineCpus: string;
  /** /proc/interrupts. */
  readonly interrupts: string;
  /** /proc/irq/<n>/smp_affinity_list for the devices' IRQs, by IRQ number. */
  readonly irqAffinity: Readonly<Record<string, string>>;
  readonly namespaces: readonly RawNetns[];
}

/** One ethtool feature: whether it is on, and whether it can be changed. */
export interface FeatureState {
  readonly on: boolean;
  readonly fixed: boolean;
}

/** The VXLAN part of a device (ip -d: linkinfo.info_data). */
export interface VxlanInfo {
  readonly id: number;
  readonly port: number;
  readonly local?: string;
  readonly remote?: string;
  readonly group?: string;
  /** The lower device (`dev` at creation), by name, where the namespace shows one. */
  readonly link?: string;
  readonly ttl?: number;
  readonly learning?: boolean;
  /** IPv4 outer UDP checksums (udpcsum / noudpcsum). */
  readonly udpCsum?: boolean;
  /** IPv6: transmit zero outer checksums (udp6zerocsumtx). */
  readonly udpZeroCsum6Tx?: boolean;
  readonly udpZeroCsum6Rx?: boolean;
}

/** One device as the checks see it. */
export interface Link {
  readonly ifindex: number;
  readonly ifname: string;
  /** info_kind: "veth", "vxlan", "bridge", ... ; undefined for a physical device or loopback. */
  readonly kind?: string;
  readonly mtu: number;
  readonly up: boolean;
  /** The bridge (or bond) it is enslaved to. */
  readonly master?: string;
  /** A veth's peer, by name, when it is in the same namespace. */
  readonly peer?: string;
  readonly numTxQueues?: number;
  readonly numRxQueues?: number;
  readonly vxlan?: VxlanInfo;
  /** Its IPv4/IPv6 addresses (without prefix length). */
  readonly addresses: readonly string[];
  /** ethtool -k, by feature name. */
  readonly features: Readonly<Record<string, FeatureState>>;
  /** rps_cpus per receive queue ("rx-0": "0000000f"). */
  readonly rps: Readonly<Record<string, string>>;
  readonly irqs: readonly number[];
}

/** One namespace's devices. */
export interface NetnsFacts {
  readonly netns: string | null;
  readonly links: readonly Link[];
}

/** Per-IRQ counts and affinity. */
export interface IrqFacts {
  readonly irq: number;
  /** Its action names, as /proc/interrupts' last column ("virtio0-input.0"). */
  readonly name: string;
  /** Interrupts handled per CPU (index = column of /proc/interrupts). */
  readonly counts: readonly number[];
  /** The CPUs it may run on (smp_affinity_list), where read. */
  readonly affinity?: readonly number[];
}

/** A host as the checks see it. */
export interface HostFacts {
  readonly kernelRelease: string;
  /** [major, minor] of the kernel release. */
  readonly kernel: readonly [number, number];
  readonly onlineCpus: readonly number[];
  /** The CPU numbers of /proc/interrupts' columns. */
  readonly irqCpus: readonly number[];
  readonly irqs: ReadonlyMap<number, IrqFacts>;
  readonly namespaces: readonly NetnsFacts[];
}

/** A device Falcon steers, as doctor needs it (from the SDK's devices()). */
export interface SteeredDevice {
  readonly ifname: string;
  /** Its `ip netns` name; undefined: falconctl's own namespace. */
  readonly netns?: string;
}

/**
 * Everything a doctor run reads, as recorded (--save-facts) and replayed
 * (--facts): the host's raw facts and Falcon's attachments then.
 */
export interface Recording {
  readonly host: RawHost;
  /** Falcon's attachments; null: falcon.ko was not loaded. */
  readonly steered: readonly SteeredDevice[] | null;
}

/** A check that could not run, and why (shown, never a finding). */
export interface Skipped {
  readonly check: string;
  readonly reason: string;
}

/** What a doctor run reports. */
export interface Report {
  /** No finding of warning or error level. */
  readonly ok: boolean;
  readonly kernel: string;
  /** The namespaces looked at (null: doctor's own). */
  readonly namespaces: readonly (string | null)[];
  readonly findings: readonly Finding[];
  readonly skipped: readonly Skipped[];
}
