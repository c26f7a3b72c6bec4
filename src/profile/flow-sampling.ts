// How often the kernel profiler accounts a stage run's flow. The flow table's
// header read and update cost about as much as the rest of a stage's
// accounting (docs/profiler.md, "Cost"); a busy flow's figures need far fewer
// samples, so by default one stage run in 8, drawn at random, is accounted and
// its flow's packets are scaled by 8. 1 accounts every stage run (exact counts).
import { FalconError } from '../api/errors';

export const DEFAULT_FLOW_SAMPLING = 8;

/** The sampling period, checked: a power of two from 1 to 1024 (the programs draw with a mask). */
export function checkFlowSampling(n: number | undefined): number {
  const period = n ?? DEFAULT_FLOW_SAMPLING;
  if (!Number.isInteger(period) || period < 1 || period > 1024 || (period & (period - 1)) !== 0) {
    throw new FalconError({ code: 'EINVAL', message: `flowSampling must be a power of two from 1 to 1024, not ${String(n)}`, syscall: 'profile' });
  }
  return period;
}
