/**
 * The testbed topology builder's API (runs inside the guest, as root).
 *
 *   topologyUp({ kind: 'overlay', containers: 2, gro: true });
 *   topologyDown();
 */
export * from './names';
export { planUp, planDown, TopologySpec, TopologyKind, Command } from './plan';
export { topologyUp, topologyDown, listTopologyNamespaces, TopologyError } from './apply';
export { addInputRules, inputRulesText } from './input-rules';
