#!/usr/bin/env node
/** `falcon-testbed`: run anything inside a QEMU VM booting the distro kernel. */
import { parseArgs, USAGE } from './args';
import { TestbedError } from './errors';
import { runInVm } from './vm';

async function main(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv);
  if (p.verb === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const r = await runInVm({
    mode: p.verb,
    command: p.command,
    ...(p.cpus !== undefined && { cpus: p.cpus }),
    ...(p.memoryMb !== undefined && { memoryMb: p.memoryMb }),
    ...(p.accel !== undefined && { accel: p.accel }),
    ...(p.tcgThreads !== undefined && { tcgThreads: p.tcgThreads }),
    ...(p.timeoutS !== undefined && { timeoutS: p.timeoutS }),
    ...(p.resultsDir !== undefined && { resultsDir: p.resultsDir }),
    ...(p.module !== undefined && { module: p.module }),
    ...(p.kernelVersion !== undefined && { kernelVersion: p.kernelVersion }),
    ...(p.kernelArgs.length > 0 && { kernelArgs: p.kernelArgs }),
    verbose: p.verbose,
  });
  return r.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof TestbedError) {
      process.stderr.write(`falcon-testbed: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`falcon-testbed: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
