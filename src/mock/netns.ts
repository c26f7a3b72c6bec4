// The mock host's network namespaces and their devices. ifindexes are per
// namespace (lo is 1 everywhere), as in Linux; cookies are unique per "boot".
// The default mirrors the testbed's overlay topology (falcon-topology up
// overlay): two hosts h1/h2 joined by a veth wire, each with vx0 in br0 and a
// container h<I>c1 whose eth0 is the peer of vc1 in br0.

/** One device to create: its name and ifindex in its namespace. */
export interface DeviceSpec {
  readonly ifname: string;
  readonly ifindex: number;
  /** A generic-mode XDP program is loaded on it (attach refuses it). */
  readonly genericXdp?: boolean;
}

/** The namespaces and devices of a mock host. */
export interface MockTopology {
  /** Devices of the initial network namespace. */
  readonly init: readonly DeviceSpec[];
  /** Named namespaces (as under /run/netns) and their devices. */
  readonly namespaces: Readonly<Record<string, readonly DeviceSpec[]>>;
}

/**
 * The default topology: the testbed overlay on a guest whose initial
 * namespace has lo and its own NIC.
 *
 *     init:  lo 1, eth0 2
 *     h1:    lo 1, w1 2 (wire to h2), br0 3, vx0 4 (VNI 42, in br0), vc1 5 (in br0; peer: h1c1 eth0)
 *     h2:    lo 1, w2 2 (wire to h1), br0 3, vx0 4 (VNI 42, in br0), vc1 5 (in br0; peer: h2c1 eth0)
 *     h1c1:  lo 1, eth0 2
 *     h2c1:  lo 1, eth0 2
 *
 * These are the indexes 6.1 hands out when src/topology/plan.ts builds the
 * overlay: per-namespace counters, lo first, then devices in creation order
 * (wire, bridge, vxlan, container veth).
 */
export const DEFAULT_TOPOLOGY: MockTopology = {
  init: [{ ifname: 'lo', ifindex: 1 }, { ifname: 'eth0', ifindex: 2 }],
  namespaces: {
    h1: [
      { ifname: 'lo', ifindex: 1 }, { ifname: 'w1', ifindex: 2 }, { ifname: 'br0', ifindex: 3 },
      { ifname: 'vx0', ifindex: 4 }, { ifname: 'vc1', ifindex: 5 },
    ],
    h2: [
      { ifname: 'lo', ifindex: 1 }, { ifname: 'w2', ifindex: 2 }, { ifname: 'br0', ifindex: 3 },
      { ifname: 'vx0', ifindex: 4 }, { ifname: 'vc1', ifindex: 5 },
    ],
    h1c1: [{ ifname: 'lo', ifindex: 1 }, { ifname: 'eth0', ifindex: 2 }],
    h2c1: [{ ifname: 'lo', ifindex: 1 }, { ifname: 'eth0', ifindex: 2 }],
  },
};

/** The message openNetns rejects with (ENOENT) for an unknown namespace; the kernel transport uses the same text. */
export const NETNS_NOT_FOUND_MESSAGE = 'network namespace not found';

/** A device of the mock host. */
export interface MockDevice {
  readonly ifname: string;
  readonly ifindex: number;
  readonly netns: MockNamespace;
  genericXdp: boolean;
  /** False once unregistered: attachments and queued packets referring to it are stale. */
  registered: boolean;
}

/** A network namespace of the mock host. */
export interface MockNamespace {
  /** Name under /run/netns; null for the initial namespace. */
  readonly name: string | null;
  /** net->net_cookie. */
  readonly cookie: number;
  /** net->ns.inum: the inode number stat(2) shows for the namespace. */
  readonly inum: number;
  readonly devices: Map<number, MockDevice>;
  alive: boolean;
}

/** init_net's inode number on these kernels (`readlink /proc/1/ns/net`: net:[4026531840]). */
const FIRST_NETNS_INUM = 4026531840;

/** The host's namespaces: create, look up, delete. */
export class NamespaceTable {
  /** The initial network namespace. */
  readonly init: MockNamespace;
  private readonly named = new Map<string, MockNamespace>();
  // init_net gets cookie 1 in 6.1 (the first net_cookie handed out).
  private nextCookie = 1;

  constructor(topology: MockTopology) {
    this.init = this.create(null, topology.init);
    for (const [name, devices] of Object.entries(topology.namespaces)) this.add(name, devices);
  }

  private create(name: string | null, devices: readonly DeviceSpec[]): MockNamespace {
    const cookie = this.nextCookie++;
    // Like the proc inode allocator: the initial namespace first, then one up per namespace.
    const ns: MockNamespace = { name, cookie, inum: FIRST_NETNS_INUM + cookie - 1, devices: new Map(), alive: true };
    for (const spec of devices) this.addDevice(ns, spec);
    return ns;
  }

  /** The live namespace with this inode number. */
  byInum(inum: number): MockNamespace | undefined {
    if (this.init.inum === inum) return this.init;
    return [...this.named.values()].find((ns) => ns.inum === inum);
  }

  /** `ip netns add <name>`: a new namespace (lo gets ifindex 1 unless devices say otherwise). */
  add(name: string, devices: readonly DeviceSpec[] = [{ ifname: 'lo', ifindex: 1 }]): MockNamespace {
    if (!name || name.includes('/')) throw new RangeError(`bad namespace name ${JSON.stringify(name)}`);
    if (this.named.has(name)) throw new RangeError(`namespace ${name} exists`);
    const ns = this.create(name, devices);
    this.named.set(name, ns);
    return ns;
  }

  /** A namespace by name (null: the initial one). */
  get(name: string | null | undefined): MockNamespace | undefined {
    if (name === null || name === undefined) return this.init;
    return this.named.get(name);
  }

  /** Every live namespace, the initial one first. */
  all(): MockNamespace[] {
    return [this.init, ...this.named.values()];
  }

  /** `ip netns del`: the namespace and its devices go away; returns the devices that were unregistered. */
  remove(name: string): MockDevice[] {
    const ns = this.named.get(name);
    if (!ns) throw new RangeError(`no namespace ${name}`);
    this.named.delete(name);
    ns.alive = false;
    const gone = [...ns.devices.values()];
    for (const dev of gone) this.removeDevice(dev);
    return gone;
  }

  /** Registers a device; ifindex defaults to one past the highest in use. */
  addDevice(ns: MockNamespace, spec: { ifname: string; ifindex?: number; genericXdp?: boolean }): MockDevice {
    const ifindex = spec.ifindex ?? Math.max(0, ...ns.devices.keys()) + 1;
    if (!Number.isInteger(ifindex) || ifindex < 1) throw new RangeError(`bad ifindex ${ifindex}`);
    if (ns.devices.has(ifindex)) throw new RangeError(`ifindex ${ifindex} in use`);
    if (this.byName(ns, spec.ifname)) throw new RangeError(`device ${spec.ifname} exists`);
    if (spec.ifname.length < 1 || spec.ifname.length > 15) throw new RangeError(`bad ifname ${spec.ifname}`);
    const dev: MockDevice = { ifname: spec.ifname, ifindex, netns: ns, genericXdp: spec.genericXdp ?? false, registered: true };
    ns.devices.set(ifindex, dev);
    return dev;
  }

  /** Unregisters a device. */
  removeDevice(dev: MockDevice): void {
    dev.netns.devices.delete(dev.ifindex);
    dev.registered = false;
  }

  /** A device by name in a namespace. */
  byName(ns: MockNamespace, ifname: string): MockDevice | undefined {
    for (const dev of ns.devices.values()) if (dev.ifname === ifname) return dev;
    return undefined;
  }
}
