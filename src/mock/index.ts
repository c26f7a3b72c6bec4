/**
 * The mock backend: a TypeScript model of falcon.ko behind a GenlTransport.
 * `openFalcon({ backend: 'mock' })` uses it; import it directly
 * (`falcon-overlay/mock`) to drive the model or build a transport of your own.
 *
 * @module falcon-overlay/mock
 */
export { createMockTransport, RESV_START_OP } from './transport';
export type { MockTransport } from './transport';
export { MockModel, DRAIN_MS } from './model';
export type { MockOptions, MockControls, InjectOptions, InjectResult } from './types';
export { DEFAULT_TOPOLOGY, NETNS_NOT_FOUND_MESSAGE } from './netns';
export type { MockTopology, DeviceSpec } from './netns';
export { hash32, place, gateNext, GOLDEN_RATIO_32 } from './placement';
export type { GateInput, Placement, PlacementInput } from './placement';
export { order, flowSlot, flowTag, FLOW_SLOTS } from './order';
export type { FlowRecord, OrderInput } from './order';
// The types of MockModel's public state, so that users can name them.
export type { MockDevice, MockNamespace, NamespaceTable } from './netns';
export type { AttachmentState, ConfigState, CpuState, DeviceCounters, QueuedPacket } from './state';
export type { ProfileLedger, LedgerStage, LedgerFlowStage, LedgerWait } from './profile-ledger';
export type { AttrMap, AttrValue } from '../protocol/codec';
export type { MockNotifier } from './notify';
