// CPU sets as users write them ("1-3,6", like /sys/.../cpulist and taskset
// -c) and as the protocol carries them (a bitmap: bit i % 8 of byte i / 8).
import { FalconError } from './errors';
import type { CpuSetInput } from './types';

/**
 * Highest CPU number a bitmap can carry at all: an attribute's payload is at
 * most 65531 bytes (nla_len is 16 bits). The kernel's own, lower limit
 * (MAX_CPUS_BYTES) is the kernel's to enforce, with its own error.
 */
export const MAX_ENCODABLE_CPU = (0xffff - 4) * 8 - 1;

function usageError(message: string, syscall: string): FalconError {
  return new FalconError({ code: 'EINVAL', message, syscall, attribute: 'cpus' });
}

function cpuNumber(token: string, text: string, syscall: string): number {
  if (!/^\d+$/.test(token)) throw usageError(`invalid CPU list "${text}": bad token "${token}"`, syscall);
  const cpu = Number(token);
  if (cpu > MAX_ENCODABLE_CPU) throw usageError(`invalid CPU list "${text}": CPU ${token} is too large`, syscall);
  return cpu;
}

/**
 * Parses a cpuset string: comma-separated CPU numbers and ranges "a-b",
 * blanks around tokens allowed; "" is the empty set. Returns the CPUs
 * ascending, without duplicates. Throws a FalconError (EINVAL, attribute
 * "cpus") naming the bad token. `syscall` names the caller for the error.
 */
export function parseCpuList(text: string, syscall = 'cpus'): number[] {
  const cpus = new Set<number>();
  if (text.trim() === '') return [];
  for (const raw of text.split(',')) {
    const token = raw.trim();
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(token);
    if (range) {
      const low = cpuNumber(range[1] ?? '', text, syscall);
      const high = cpuNumber(range[2] ?? '', text, syscall);
      if (high < low) throw usageError(`invalid CPU list "${text}": bad token "${token}" (range runs backwards)`, syscall);
      for (let cpu = low; cpu <= high; cpu++) cpus.add(cpu);
    } else {
      cpus.add(cpuNumber(token, text, syscall));
    }
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Formats CPUs as a cpuset string with ranges: [1, 2, 3, 6] -> "1-3,6"; [] -> "". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Normalises an API CPU set (array or cpuset string) to ascending CPU
 * numbers. Rejects only what cannot be encoded: non-integers, negatives,
 * numbers past MAX_ENCODABLE_CPU.
 */
export function toCpuArray(input: CpuSetInput, syscall = 'cpus'): number[] {
  if (typeof input === 'string') return parseCpuList(input, syscall);
  if (!Array.isArray(input)) throw usageError('cpus must be an array of CPU numbers or a cpuset string such as "1-3,6"', syscall);
  const cpus = new Set<number>();
  for (const cpu of input as readonly unknown[]) {
    if (typeof cpu !== 'number' || !Number.isInteger(cpu) || cpu < 0 || cpu > MAX_ENCODABLE_CPU) {
      throw usageError(`cpus: ${String(cpu)} is not a CPU number`, syscall);
    }
    cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/**
 * Encodes CPUs as the protocol's bitmap, just long enough for the highest
 * CPU. The empty set is one zero byte, so the kernel (not the codec) says
 * that the set is empty.
 */
export function cpusToBitmap(cpus: readonly number[]): Buffer {
  const highest = cpus.reduce((max, cpu) => Math.max(max, cpu), -1);
  const bitmap = Buffer.alloc(Math.max(1, Math.floor(highest / 8) + 1));
  for (const cpu of cpus) bitmap[cpu >> 3] = (bitmap[cpu >> 3] ?? 0) | (1 << (cpu & 7));
  return bitmap;
}

/** Decodes a protocol bitmap to ascending CPU numbers. */
export function bitmapToCpus(bitmap: Buffer): number[] {
  const cpus: number[] = [];
  for (let byte = 0; byte < bitmap.length; byte++) {
    const bits = bitmap[byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) cpus.push(byte * 8 + bit);
  }
  return cpus;
}
