// What the kernel profiler samples, and how often. Packets and NET_RX runs
// are always counted exactly; two things are sampled, each by a period that
// is a power of two (the programs draw with a mask), 1 meaning "every one":
// - timeSampling: one NET_RX run in N (drawn at random at its entry) has its
//   stages timed; a stage's ns are the timed runs' ns times N. Timing every
//   stage is most of what the programs cost (docs/results.md, "The stage
//   profiler").
// - flowSampling: within timed runs, one stage run in N has its flow
//   accounted; a flow's packets are scaled by both periods.
import { FalconError } from '../api/errors';

export const DEFAULT_FLOW_SAMPLING = 8;
export const DEFAULT_TIME_SAMPLING = 8;

/** A sampling period, checked: a power of two from 1 to 1024. */
function checkPeriod(n: number | undefined, fallback: number, name: string): number {
  const period = n ?? fallback;
  if (!Number.isInteger(period) || period < 1 || period > 1024 || (period & (period - 1)) !== 0) {
    throw new FalconError({ code: 'EINVAL', message: `${name} must be a power of two from 1 to 1024, not ${String(n)}`, syscall: 'profile' });
  }
  return period;
}

export function checkFlowSampling(n: number | undefined): number {
  return checkPeriod(n, DEFAULT_FLOW_SAMPLING, 'flowSampling');
}

export function checkTimeSampling(n: number | undefined): number {
  return checkPeriod(n, DEFAULT_TIME_SAMPLING, 'timeSampling');
}
