/** Runs unpriv-client.js as nobody (optionally inside a namespace) and parses its report. */
import * as path from 'path';
import { NOBODY, sh } from './sh';
import type { MutateReport, ReadReport } from './unpriv-client';

const CLIENT = path.join(__dirname, 'unpriv-client.js');

function runAsNobody(args: readonly string[], ns?: string): string {
  const prefix = ns === undefined ? [] : ['ip', 'netns', 'exec', ns];
  return sh([...prefix, ...NOBODY, process.execPath, CLIENT, ...args]);
}

export function unprivMutate(dev: string): MutateReport {
  return JSON.parse(runAsNobody(['mutate', dev])) as MutateReport;
}

export function unprivRead(dev?: string, ns?: string): ReadReport {
  return JSON.parse(runAsNobody(dev === undefined ? ['read'] : ['read', dev], ns)) as ReadReport;
}
