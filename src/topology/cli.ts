#!/usr/bin/env node
/** `falcon-topology`: builds the testbed's overlay/native topology (inside the guest). */
import { TopologyError, topologyDown, topologyUp } from './apply';
import { UsageError } from '../args/parse';
import { parseTopologyArgs, USAGE } from './args';

function main(argv: readonly string[]): number {
  try {
    const c = parseTopologyArgs(argv);
    if (c.verb === 'help') process.stdout.write(USAGE + '\n');
    else if (c.verb === 'down') topologyDown();
    else topologyUp(c.spec);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`Error: ${e.message}.\n${USAGE}\n`);
      return 1;
    }
    if (e instanceof TopologyError || e instanceof RangeError) {
      process.stderr.write(`Error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
