/**
 * Holding the kernel's static keys on for the whole experiment. Attaching
 * Falcon (a netfilter ingress hook) or setting an RPS mask flips a static
 * key the first time and back at the last detach, and every flip patches
 * kernel text. QEMU's multi-threaded TCG can run a stale copy of a patched
 * instruction on another vCPU (docs/reliability.md: guests hung or died of
 * an unhandled int3 at such sites), and a run switches modes hundreds of
 * times. One ingress chain and one RPS mask on an idle veth of the root
 * namespace (veth: the topology has the module loaded already) keep both keys on, so no mode switch patches text. The cost is
 * the same in every mode: a NULL check of each device's ingress hooks and
 * RPS map per packet.
 */
import { execOk } from './guest-exec';

const KEEPER = 'fkeep0';
const TABLE = 'falcon_experiment_keys';

/** Turns both keys on; returns what turns them off again. */
export async function holdStaticKeys(): Promise<() => Promise<void>> {
  await execOk(['ip', 'link', 'add', KEEPER, 'type', 'veth', 'peer', 'name', `${KEEPER}p`]);
  try {
    await execOk(['ip', 'link', 'set', KEEPER, 'up']);
    await execOk(['nft', 'add', 'table', 'netdev', TABLE]);
    await execOk(['nft', `add chain netdev ${TABLE} keep { type filter hook ingress device ${KEEPER} priority 0 ; }`]);
    await execOk(['sh', '-c', `echo 1 > /sys/class/net/${KEEPER}/queues/rx-0/rps_cpus`]);
  } catch (e) {
    await release();
    throw e;
  }
  return release;
}

async function release(): Promise<void> {
  await execOk(['nft', 'delete', 'table', 'netdev', TABLE]).catch(() => undefined);
  await execOk(['ip', 'link', 'del', KEEPER]).catch(() => undefined);
}
