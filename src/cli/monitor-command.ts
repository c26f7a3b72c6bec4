// falconctl monitor: Falcon's notifications as they happen, one line each
// (JSON lines under -j), as `ip monitor` prints rtnetlink's. Runs until
// Ctrl-C or SIGTERM, or until the reader of its output goes away.
import type { FalconEvent } from '../api/types';
import { UsageError } from '../args/parse';
import type { CommandContext, FalconCommand } from './command';
import { attachmentJson, configJson, cpuText, netnsText } from './format';

/** What a lost event tells people. */
export const LOST_TEXT = 'lost: events were dropped (falconctl fell behind); re-read with "falconctl devices" and "falconctl status"';

/** One event as a line for people, or as one JSON object (stable keys). */
export function eventLine(e: FalconEvent, json: boolean): string {
  if (json) {
    switch (e.type) {
      case 'attach':
        return JSON.stringify({ event: 'attach', device: attachmentJson(e.attachment) });
      case 'detach':
        return JSON.stringify({ event: 'detach', reason: e.reason, device: attachmentJson(e.attachment) });
      case 'config':
        return JSON.stringify({ event: 'config', config: configJson(e.config) });
      case 'lost':
        return JSON.stringify({ event: 'lost' });
    }
  }
  switch (e.type) {
    case 'attach':
    case 'detach': {
      const a = e.attachment;
      const words = [e.type, a.ifname, 'netns', netnsText(a.netns), 'ifindex', String(a.ifindex), 'stage', String(a.stage), 'cpus', a.cpus ? cpuText(a.cpus) : 'global'];
      if (e.type === 'detach') words.push('reason', e.reason);
      return words.join(' ');
    }
    case 'config': {
      const c = e.config;
      return [
        'config', 'enabled', c.enabled ? 'yes' : 'no', 'cpus', cpuText(c.cpus), 'mode', c.mode, 'policy', c.policy,
        'threshold', `${c.threshold}%`, 'hysteresis', `${c.hysteresis}%`, 'interval', `${c.intervalMs}ms`, 'queue-limit', String(c.queueLimit),
      ].join(' ');
    }
    case 'lost':
      return LOST_TEXT;
  }
}

/** Prints events until SIGINT/SIGTERM or until stdout's reader goes away. */
async function monitor(ctx: CommandContext): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unsubscribe = ctx.out.onClosed?.(() => stop.abort());
  try {
    for await (const event of ctx.falcon.events({ signal: stop.signal })) ctx.out.write(`${eventLine(event, ctx.out.json)}\n`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    unsubscribe?.();
  }
}

/** `monitor`. */
export const monitorCommand: FalconCommand = {
  name: 'monitor',
  summary: 'print attach, detach and configuration events as they happen',
  usage: 'monitor',
  help: [
    'One line per event until Ctrl-C or SIGTERM (as ip monitor); with -j, one JSON object per line:',
    '{"event": "attach"|"detach", "device": {...}} (detach adds "reason": "requested" or',
    '"unregistered"), {"event": "config", "config": {...}}, or {"event": "lost"} when events were',
    'dropped because falconctl fell behind. An admin of the initial namespace sees every',
    "namespace's attachments and every configuration change; anyone else their own namespace's",
    'attachments, and configuration changes in the initial namespace (docs/protocol.md).',
  ].join('\n'),
  options: [],
  check(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  },
  run: monitor,
};
