// The mock backend: a TypeScript model of falcon.ko behind a GenlTransport.
export { createMockTransport, RESV_START_OP } from './transport';
export type { MockTransport } from './transport';
export { MockModel } from './model';
export type { MockOptions, MockControls, InjectOptions, InjectResult } from './types';
export { DEFAULT_TOPOLOGY, NETNS_NOT_FOUND_MESSAGE } from './netns';
export type { MockTopology, DeviceSpec } from './netns';
export { hash32, place, gateNext, GOLDEN_RATIO_32 } from './placement';
export type { GateInput, Placement, PlacementInput } from './placement';
