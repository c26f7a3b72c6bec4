// Conversions shared by falconctl's commands: the JSON shapes (stable
// snake_case keys) and human renderings of API results.
import { formatCpuList } from '../api/cpuset';
import type { Attachment, FalconConfig, PickResult } from '../api/types';

/** A configuration as falconctl's JSON. */
export function configJson(c: FalconConfig): Record<string, unknown> {
  return {
    enabled: c.enabled,
    cpus: c.cpus,
    mode: c.mode,
    policy: c.policy,
    threshold: c.threshold,
    hysteresis: c.hysteresis,
    interval_ms: c.intervalMs,
    queue_limit: c.queueLimit,
    nr_cpu_ids: c.nrCpuIds,
    online_cpus: c.onlineCpus,
    tick_ms: c.tickMs,
  };
}

/**
 * An attachment as falconctl's JSON. `netns` is what --netns takes to name
 * the device again (null: falconctl's own namespace); `cpus` is null when
 * the attachment follows the global set.
 */
export function attachmentJson(a: Attachment): Record<string, unknown> {
  return {
    ifindex: a.ifindex, ifname: a.ifname, netns: a.netns ?? null, netns_cookie: a.netnsCookie, netns_inum: a.netnsInum,
    stage: a.stage, cpus: a.cpus ?? null,
  };
}

/** A namespace for people: its name, or "-" for falconctl's own. */
export function netnsText(netns: string | undefined): string {
  return netns ?? '-';
}

/** A pick result as falconctl's JSON (absent CPUs are null, so keys are stable). */
export function pickJson(p: PickResult): Record<string, unknown> {
  return { first: p.first ?? null, second: p.second ?? null, target: p.target ?? null, reason: p.reason };
}

/** A CPU list for people: "0-3,6", or "-" when empty. */
export function cpuText(cpus: readonly number[] | undefined): string {
  return cpus && cpus.length ? formatCpuList(cpus) : '-';
}
