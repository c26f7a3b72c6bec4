// A doctor run's input as a file (falconctl doctor --save-facts / --facts):
// what a host looked like, to check it again elsewhere (a bug report, a unit
// test). Read back with a check of its shape, so a wrong file is one clear
// error rather than a crash deep in a check.
import type { RawHost, RawNetns, Recording, SteeredDevice } from './types';
import { FactsError } from './facts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function checkNetns(v: unknown, i: number): RawNetns {
  const where = `host.namespaces[${i}]`;
  if (!isObject(v)) throw new FactsError(`${where} is not an object`);
  if (v['netns'] !== null && typeof v['netns'] !== 'string') throw new FactsError(`${where}.netns is neither a name nor null`);
  if (typeof v['ipAddr'] !== 'string') throw new FactsError(`${where}.ipAddr is not the text of ip -d -j addr show`);
  if (!isStringMap(v['ethtool'])) throw new FactsError(`${where}.ethtool is not a map of ethtool -k texts`);
  if (!isObject(v['rps']) || !Object.values(v['rps']).every(isStringMap)) throw new FactsError(`${where}.rps is not a map of rps_cpus masks`);
  if (!isObject(v['irqs']) || !Object.values(v['irqs']).every((l) => Array.isArray(l) && l.every(Number.isInteger))) {
    throw new FactsError(`${where}.irqs is not a map of IRQ number lists`);
  }
  return v as unknown as RawNetns;
}

/** A recording's JSON text, checked. */
export function parseRecording(text: string, name: string): Recording {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new FactsError(`${name} is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(v) || !isObject(v['host'])) throw new FactsError(`${name} is not a doctor recording (no "host" object; write one with falconctl doctor --save-facts)`);
  const host = v['host'];
  for (const key of ['kernelRelease', 'onlineCpus', 'interrupts'] as const) {
    if (typeof host[key] !== 'string') throw new FactsError(`${name}: host.${key} is not a string`);
  }
  if (!isStringMap(host['irqAffinity'])) throw new FactsError(`${name}: host.irqAffinity is not a map of CPU lists`);
  if (!Array.isArray(host['namespaces'])) throw new FactsError(`${name}: host.namespaces is not a list`);
  host['namespaces'].forEach(checkNetns);
  const steered = v['steered'];
  if (steered !== null && !(Array.isArray(steered) && steered.every((d) => isObject(d) && typeof d['ifname'] === 'string'))) {
    throw new FactsError(`${name}: steered is neither null nor a list of {ifname, netns}`);
  }
  return { host: host as unknown as RawHost, steered: steered as readonly SteeredDevice[] | null };
}

/** A recording as the file --save-facts writes. */
export function recordingText(r: Recording): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
