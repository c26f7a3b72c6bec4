/**
 * skbuff slab usage, for the leak check. SLUB counts objects sitting free in
 * per-CPU slabs as active, so each reading first asks the cache to shrink
 * (which flushes the per-CPU slabs); what remains is still a little noisy
 * (per-CPU NAPI skb caches hold up to 64 heads each), hence a tolerance.
 *
 * The baseline is taken when this module is first imported: mocha loads every
 * spec file before running any test, so that is before the suite's traffic.
 */
import * as fs from 'fs';

export const SKB_CACHES = ['skbuff_head_cache', 'skbuff_fclone_cache'] as const;
export type SkbCache = (typeof SKB_CACHES)[number];

function shrink(cache: string): void {
  try {
    fs.writeFileSync(`/sys/kernel/slab/${cache}/shrink`, '1');
  } catch {
    // not fatal: the reading is just noisier
  }
}

/** Active objects of each skb cache (from /proc/slabinfo, after a shrink). */
export function skbSlabs(): Record<SkbCache, number> {
  for (const c of SKB_CACHES) shrink(c);
  const out = { skbuff_head_cache: 0, skbuff_fclone_cache: 0 };
  for (const line of fs.readFileSync('/proc/slabinfo', 'utf8').split('\n')) {
    const [name, active] = line.split(/\s+/);
    if (name === 'skbuff_head_cache' || name === 'skbuff_fclone_cache') out[name] = Number(active);
  }
  return out;
}

/** Read only inside the guest (root); elsewhere the suite skips anyway. */
export const SLAB_BASELINE: Record<SkbCache, number> | undefined =
  process.env['FALCON_TESTBED'] === '1' ? skbSlabs() : undefined;
