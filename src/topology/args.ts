/** Command-line grammar of `falcon-topology`. Pure: no I/O. */
import { TopologySpec } from './plan';

export type TopologyCommand = { verb: 'help' } | { verb: 'down' } | { verb: 'up'; spec: TopologySpec };

export const USAGE = `Usage:
  falcon-topology up overlay [--containers N] [--gro]   two hosts h1/h2 over VXLAN, containers hIcK
  falcon-topology up native [--gro]                     the wire only (w1 192.0.2.1 <-> w2 192.0.2.2)
  falcon-topology down                                  remove it (no-op when absent)

--gro puts the veth wire in NAPI/GRO mode (ethtool -K wI gro on).`;

export class UsageError extends Error {}

export function parseTopologyArgs(argv: readonly string[]): TopologyCommand {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '-h' || verb === '--help') return { verb: 'help' };
  if (verb === 'down') {
    if (rest.length > 0) throw new UsageError(`down takes no arguments, got '${rest.join(' ')}'`);
    return { verb: 'down' };
  }
  if (verb !== 'up') throw new UsageError(`unknown command '${verb}'`);
  const [kind, ...opts] = rest;
  if (kind !== 'overlay' && kind !== 'native') throw new UsageError(`up needs 'overlay' or 'native', got '${kind ?? ''}'`);
  const spec: TopologySpec = { kind };
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i] as string;
    if (a === '--gro') spec.gro = true;
    else if (a === '--containers' || a.startsWith('--containers=')) {
      if (kind !== 'overlay') throw new UsageError('--containers applies to the overlay topology only');
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : opts[++i];
      if (v === undefined || !/^[1-9]\d*$/.test(v) || Number(v) > 254) {
        throw new UsageError(`--containers needs an integer from 1 to 254, got '${v ?? ''}'`);
      }
      spec.containers = Number(v);
    } else throw new UsageError(`unknown option '${a}'`);
  }
  return { verb: 'up', spec };
}
