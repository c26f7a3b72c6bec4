// Every doctor check, in the order their findings are listed (within a
// severity): the configuration of the path first, then what a profile of it
// shows. A fix that recreates a device (vxlan-udp-csum-off) comes before
// those that tune it, so the fixes can be run in the order listed.
import type { Check } from './check';
import { irqSingleCpu } from './checks/irq-single-cpu';
import { mtu } from './checks/mtu';
import { rpsDoubleSteering } from './checks/rps-double-steering';
import { singleCpuBoundCheck } from './checks/single-cpu-bound';
import { udpGroForwarding } from './checks/udp-gro-forwarding';
import { vethGro } from './checks/veth-gro';
import { vxlanCsumOffload } from './checks/vxlan-csum-offload';
import { vxlanUdpCsum } from './checks/vxlan-udp-csum';

export const CHECKS: readonly Check[] = [
  mtu, vxlanUdpCsum, vxlanCsumOffload, udpGroForwarding, vethGro, rpsDoubleSteering, irqSingleCpu, singleCpuBoundCheck,
];
