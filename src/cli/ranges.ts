// The ranges falconctl states and checks for `set`, read from the request
// policies generated from kernel/falcon.yaml's checks: the kernel, the mock
// and the CLI cannot disagree on them.
import { AttrNames, REQUEST_POLICIES, RequestPolicy } from '../protocol/generated';

/** The inclusive bounds of a u32 attribute as the policy layer enforces them. */
export function rangeOf(attr: AttrNames['falcon']): { min: number; max: number } {
  const p = REQUEST_POLICIES[attr];
  if (p === undefined || p.type !== 'u32') throw new RangeError(`${attr} is not a u32 request attribute`);
  return { min: p.min ?? 0, max: p.max ?? 0xffffffff };
}

/** The longest string the policy layer takes for a string attribute (without its NUL). */
export function maxLengthOf(attr: AttrNames['falcon']): number {
  const p = REQUEST_POLICIES[attr];
  if (p === undefined || p.type !== 'nul-string' || p.len === undefined) throw new RangeError(`${attr} is not a bounded string attribute`);
  return p.len;
}

/**
 * The range of an attribute the kernel answered ERANGE for: "0-100", or
 * undefined when its policy states no bounds (or it is not a u32).
 */
export function statedRange(attribute: string): string | undefined {
  const p = (REQUEST_POLICIES as Readonly<Record<string, RequestPolicy | undefined>>)[attribute];
  if (p === undefined || p.type !== 'u32' || (p.min === undefined && p.max === undefined)) return undefined;
  return `${p.min ?? 0}-${p.max ?? 0xffffffff}`;
}

/** "threshold 0-100, ..." for the `set` keys that have a range (CLI key -> attribute). */
export function rangesText(keys: ReadonlyArray<readonly [string, AttrNames['falcon']]>): string {
  return keys.map(([key, attr]) => `${key} ${rangeOf(attr).min}-${rangeOf(attr).max}`).join(', ');
}
