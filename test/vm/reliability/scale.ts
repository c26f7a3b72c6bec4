/**
 * Sizes of the reliability suite. CI (and plain local runs) use the scaled
 * sizes so the whole suite fits a few minutes of a TCG guest; FALCON_FULL=1
 * runs the sizes the README reports. FALCON_FUZZ_SEED overrides the fuzzer's
 * fixed seed (to reproduce or explore); every test prints what it used.
 */
export const FULL = process.env['FALCON_FULL'] === '1';

export interface Sizes {
  /** Random fuzz messages as root (after the systematic phase). */
  readonly fuzzCount: number;
  /** Random fuzz messages as an unprivileged user. */
  readonly unprivFuzzCount: number;
  /** attach/detach cycles of every device under traffic. */
  readonly attachCycles: number;
  /** rmmod/insmod cycles under traffic (50 at both sizes: each takes well under a second). */
  readonly reloadCycles: number;
  /** UDP packets the accounting test sends. */
  readonly accountingPackets: number;
}

export const SIZES: Sizes = FULL
  ? { fuzzCount: 100_000, unprivFuzzCount: 20_000, attachCycles: 100, reloadCycles: 50, accountingPackets: 200_000 }
  : { fuzzCount: 10_000, unprivFuzzCount: 2_000, attachCycles: 10, reloadCycles: 50, accountingPackets: 20_000 };

/** The fuzzer's fixed default seed: same seed, same messages, same run. */
export const FUZZ_SEED = process.env['FALCON_FUZZ_SEED'] ?? '20210426';
