/** Command-line grammar of `falcon-topology`. Pure: no I/O. */
import { helpRequested, OptionSpec, parseArgs, parseInteger, UsageError } from '../args/parse';
import { TopologySpec } from './plan';

export { UsageError };

export type TopologyCommand = { verb: 'help' } | { verb: 'down' } | { verb: 'up'; spec: TopologySpec };

export const USAGE = `Usage:
  falcon-topology up overlay [--containers N] [--gro]   two hosts h1/h2 over VXLAN, containers hIcK
  falcon-topology up native [--gro]                     the wire only (w1 192.0.2.1 <-> w2 192.0.2.2)
  falcon-topology down                                  remove it (no-op when absent)

--gro puts the veth wire in NAPI/GRO mode (ethtool -K wI gro on).`;

/** The options of `up`. */
export const UP_OPTIONS = [
  { name: 'containers', value: true, valueName: 'N', description: 'containers per host (overlay only; default 1)' },
  { name: 'gro', value: false, description: "put the veth wire in NAPI/GRO mode" },
  { name: 'help', short: 'h', value: false, description: 'this text' },
] as const satisfies readonly OptionSpec[];

/** Parses argv (without node and script); a mistake is a UsageError (falcon-topology exits 1). */
export function parseTopologyArgs(argv: readonly string[]): TopologyCommand {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '-h' || verb === '--help') return { verb: 'help' };
  if (verb === 'down') {
    if (helpRequested(rest, [])) return { verb: 'help' };
    if (rest.length > 0) throw new UsageError(`down takes no arguments, got "${rest.join(' ')}"`);
    return { verb: 'down' };
  }
  if (verb !== 'up') throw new UsageError(`unknown command "${verb}"`);
  if (helpRequested(rest, UP_OPTIONS)) return { verb: 'help' };
  const { values, positionals } = parseArgs(rest, UP_OPTIONS);
  const [kind, ...extra] = positionals;
  if (kind !== 'overlay' && kind !== 'native') throw new UsageError(`up needs "overlay" or "native", got "${kind ?? ''}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] as string}"`);
  const spec: TopologySpec = { kind };
  if (values.gro) spec.gro = true;
  if (values.containers !== undefined) {
    if (kind !== 'overlay') throw new UsageError('--containers applies to the overlay topology only');
    spec.containers = parseInteger(values.containers, '--containers', { min: 1, max: 254 });
  }
  return { verb: 'up', spec };
}
