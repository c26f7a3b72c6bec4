// Reads a host's raw facts: the injectable side of doctor. The checks only
// ever see what a HostReader returns, so the unit tests hand them recorded
// hosts; systemReader() reads the live system (in the testbed guest, or on a
// real host). One shell per namespace reads everything there (ip, ethtool,
// sysfs): starting processes is what costs, in the TCG guest above all.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { NETNS_RUN_DIR } from '../transport/netns';
import type { RawHost, RawNetns } from './types';

/** Where doctor's facts come from. */
export interface HostReader {
  /** The `ip netns` names there are. */
  listNetns(): Promise<string[]>;
  /** Every device of one namespace (null: the reader's own). */
  readNetns(netns: string | null): Promise<RawNetns>;
  /** What is host-wide: kernel, online CPUs, /proc/interrupts and the affinity of `irqs`. */
  readHost(irqs: readonly number[]): Promise<Omit<RawHost, 'namespaces'>>;
}

/** A failure to read the host (a missing tool, a missing namespace, no permission): exit status 2. */
export class ReadError extends Error {
  constructor(message: string, readonly code = 'EIO') {
    super(message);
    this.name = 'ReadError';
  }
}

/**
 * Prints one namespace's facts between "@@" markers: ip -d -j addr, then
 * per device (loopback aside) its ethtool -k, its receive queues' rps_cpus
 * and the IRQs of the PCI function behind it (a virtio device's parent has
 * them). Shell builtins wherever they do: every process costs ~0.3 s in the
 * TCG guest, so ethtool is the only one per device.
 */
export const NETNS_SCRIPT = `
command -v ethtool >/dev/null 2>&1 || { echo '@@missing ethtool'; exit 0; }
echo '@@ipaddr'
ip -d -j addr show || exit 1
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  n=\${d##*/}
  [ "$n" = lo ] && continue
  echo "@@ethtool $n"
  ethtool -k "$n" 2>/dev/null
  for q in "$d"/queues/rx-*; do
    [ -r "$q/rps_cpus" ] && read -r m < "$q/rps_cpus" && echo "@@rps $n \${q##*/} $m"
  done
  [ -e "$d/device" ] || continue
  dev=$(readlink -f "$d/device") || continue
  if [ -d "$dev/msi_irqs" ]; then echo "@@irqs $n" "$dev"/msi_irqs/*
  elif [ -d "$dev/../msi_irqs" ]; then echo "@@irqs $n" "$dev"/../msi_irqs/*
  elif [ -r "$dev/irq" ] && read -r i < "$dev/irq" && [ "$i" != 0 ]; then echo "@@irqs $n $i"
  fi
done
`;

/** NETNS_SCRIPT's output as a RawNetns. */
export function parseNetnsScript(netns: string | null, text: string): RawNetns {
  if (/^@@missing ethtool$/m.test(text)) throw new ReadError('ethtool not found: doctor reads device features with it (apt-get install ethtool)', 'ENOENT');
  const ethtool: Record<string, string> = {};
  const rps: Record<string, Record<string, string>> = {};
  const irqs: Record<string, number[]> = {};
  let ipAddr = '';
  let section: { kind: 'ipaddr' } | { kind: 'ethtool'; dev: string } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('@@')) {
      const [marker, dev = '', ...rest] = line.slice(2).split(' ');
      if (marker === 'ipaddr') section = { kind: 'ipaddr' };
      else if (marker === 'ethtool') {
        section = { kind: 'ethtool', dev };
        ethtool[dev] = '';
      } else if (marker === 'rps') {
        (rps[dev] ??= {})[rest[0] ?? ''] = rest.slice(1).join('').trim();
        section = undefined;
      } else if (marker === 'irqs') {
        // IRQ numbers, or the msi_irqs/<n> paths the glob printed.
        irqs[dev] = rest.map((w) => w.replace(/^.*\//, '')).filter((w) => /^\d+$/.test(w)).map(Number);
        section = undefined;
      }
      continue;
    }
    if (section?.kind === 'ipaddr') ipAddr += `${line}\n`;
    else if (section?.kind === 'ethtool') ethtool[section.dev] += `${line}\n`;
  }
  if (ipAddr.trim() === '') throw new ReadError(`ip -d -j addr show printed nothing${netns !== null ? ` in netns ${netns}` : ''}`);
  return { netns, ipAddr: ipAddr.trim(), ethtool, rps, irqs };
}

function run(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0] as string, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return reject(new ReadError(`${argv[0] as string} not found (apt-get install iproute2)`, 'ENOENT'));
      reject(new ReadError(`'${argv.slice(0, 4).join(' ')}' failed: ${stderr.trim() || e.message}`, /Permission denied|Operation not permitted/.test(stderr) ? 'EPERM' : 'EIO'));
    });
  });
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReadError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** The live system, through ip, ethtool, sysfs and /proc. */
export function systemReader(): HostReader {
  return {
    async listNetns() {
      try {
        return fs.readdirSync(NETNS_RUN_DIR).sort();
      } catch {
        return [];
      }
    },
    async readNetns(netns) {
      if (netns !== null && !fs.existsSync(`${NETNS_RUN_DIR}/${netns}`)) {
        throw new ReadError(`network namespace "${netns}" not found (${NETNS_RUN_DIR}/${netns})`, 'ENOENT');
      }
      const argv = netns === null ? ['sh', '-c', NETNS_SCRIPT] : ['ip', 'netns', 'exec', netns, 'sh', '-c', NETNS_SCRIPT];
      return parseNetnsScript(netns, await run(argv));
    },
    async readHost(irqs) {
      const irqAffinity: Record<string, string> = {};
      for (const irq of irqs) {
        try {
          irqAffinity[String(irq)] = fs.readFileSync(`/proc/irq/${irq}/smp_affinity_list`, 'utf8').trim();
        } catch {
          /* gone, or not readable: its counts still tell */
        }
      }
      return {
        kernelRelease: os.release(),
        onlineCpus: readText('/sys/devices/system/cpu/online').trim(),
        interrupts: readText('/proc/interrupts'),
        irqAffinity,
      };
    },
  };
}

/** Which namespaces to read: doctor's own, one named, or every one (its own and each `ip netns`). */
export type Scope = { readonly kind: 'own' } | { readonly kind: 'netns'; readonly name: string } | { readonly kind: 'all' };

/** Reads the raw facts of the namespaces `scope` names, and the host's. */
export async function collect(reader: HostReader, scope: Scope): Promise<RawHost> {
  const names: (string | null)[] = scope.kind === 'own' ? [null] : scope.kind === 'netns' ? [scope.name] : [null, ...(await reader.listNetns())];
  const namespaces: RawNetns[] = [];
  for (const n of names) namespaces.push(await reader.readNetns(n));
  const irqs = [...new Set(namespaces.flatMap((n) => Object.values(n.irqs).flat()))];
  return { ...(await reader.readHost(irqs)), namespaces };
}
