// The stage profiler: where a host's receive time goes, per CPU and device
// stage (docs/profiler.md). profileHost/watchHostProfiles measure the kernel
// with eBPF; mockProfile derives one from the mock's datapath model.
export type {
  Profile, ProfileOptions, WatchProfileOptions, CpuProfile, StageProfile, QueueWaitProfile, HistogramBucket, FlowProfile, FlowStageProfile,
} from './types';
export { profileHost, watchHostProfiles, KernelProfiler } from './kernel';
export type { RawSnapshot, CpuCounters, FlowEntry, FlowTuple, FlowCounters, DevKey, StageCounters } from './maps';
export { ProfilerError, PROFILER_PACKAGES } from './errors';
export type { ProfilerFailure } from './errors';
export { FALCON_EVENTS, parseEventFormat, layoutMismatches } from './falcon-events';
export { mockProfile, watchMockProfiles, DEFAULT_MOCK_COSTS } from './mock';
export { DEFAULT_FLOW_SAMPLING, DEFAULT_TIME_SAMPLING } from './sampling';
export type { MockCostModel } from './mock';
