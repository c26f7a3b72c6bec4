// falconctl attach | detach | devices | pick
import type { DeviceRef, PickReason } from '../api/types';
import { parseCpus, Parsed, stringOption as optionValue, UsageError } from '../args/parse';
import type { Command } from './command';
import { attachmentJson, cpuText, netnsText, pickJson } from './format';
import { printJson, printPairs, printTable } from './output';
import { ifnameArg, NETNS, parseUint } from './values';

function oneDevice(args: Parsed, verb: string): DeviceRef {
  if (args.positionals.length !== 1) throw new UsageError(`${verb} needs exactly one <ifname>`);
  const ref: DeviceRef = { ifname: ifnameArg(args.positionals[0] as string) };
  const netns = optionValue(args, 'netns');
  if (netns !== undefined) ref.netns = netns;
  return ref;
}

/** `attach <ifname> [--netns N] [--cpus LIST] [--stage N]`. */
export const attach: Command = {
  name: 'attach',
  summary: 'steer a device',
  usage: 'attach <ifname> [--netns <name|path>] [--cpus <list>] [--stage <n>]',
  help: 'Without --cpus the device uses the global set; without --stage it gets the lowest stage\nnumber not in use (attach in path order: NIC, VXLAN, container).',
  options: [
    NETNS,
    { name: 'cpus', value: true, valueName: '<list>', complete: 'cpu', description: 'its own CPU set, e.g. 1-3,6 (default: the global set)' },
    { name: 'stage', value: true, valueName: '<n>', description: 'its stage number (default: the lowest one not in use)' },
  ],
  operands: 'ifname',
  check(args) {
    oneDevice(args, 'attach');
    const cpus = optionValue(args, 'cpus');
    if (cpus !== undefined) parseCpus(cpus, '--cpus');
    const stage = optionValue(args, 'stage');
    if (stage !== undefined) parseUint(stage, 'stage');
  },
  async run(ctx) {
    const cpus = optionValue(ctx.args, 'cpus');
    const stage = optionValue(ctx.args, 'stage');
    const a = await ctx.falcon.attach({
      ...oneDevice(ctx.args, 'attach'),
      ...(cpus !== undefined ? { cpus: parseCpus(cpus, '--cpus') } : {}),
      ...(stage !== undefined ? { stage: parseUint(stage, 'stage') } : {}),
    });
    if (ctx.out.json) return printJson(ctx.out, attachmentJson(a));
    ctx.out.write(`attached ${a.ifname} (ifindex ${a.ifindex}${a.netns !== undefined ? `, netns ${a.netns}` : ''}) stage ${a.stage}, cpus ${a.cpus ? cpuText(a.cpus) : 'global'}\n`);
  },
};

/** `detach <ifname> [--netns N]`. */
export const detach: Command = {
  name: 'detach',
  summary: 'stop steering a device',
  usage: 'detach <ifname> [--netns <name|path>]',
  options: [NETNS],
  operands: 'ifname',
  check: (args) => {
    oneDevice(args, 'detach');
  },
  async run(ctx) {
    await ctx.falcon.detach(oneDevice(ctx.args, 'detach'));
  },
};

/** `devices`: the attachments the caller may see. */
export const devices: Command = {
  name: 'devices',
  summary: 'list attached devices',
  usage: 'devices',
  options: [],
  check: (args) => {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  },
  async run(ctx) {
    const list = await ctx.falcon.devices();
    if (ctx.out.json) return printJson(ctx.out, list.map(attachmentJson));
    printTable(
      ctx.out,
      ['IFINDEX', 'IFNAME', 'NETNS', 'STAGE', 'CPUS'],
      list.map((a) => [String(a.ifindex), a.ifname, netnsText(a.netns), String(a.stage), a.cpus ? cpuText(a.cpus) : 'global']),
    );
  },
};

/** What the ordering reasons mean, after the reason: the target is not the placement's. */
const REASON_NOTES: Partial<Record<PickReason, string>> = {
  deferred: " (the flow's earlier packets may still be on their way on the target: it follows them)",
  'slot-busy': " (another flow's packets in the same flow-table slot may still be on their way on the target: it follows them)",
};

/** `pick --dev IFNAME [--netns N] --hash U32`: where a flow would go, and why. */
export const pick: Command = {
  name: 'pick',
  summary: 'explain where a flow goes',
  usage: 'pick --dev <ifname> [--netns <name|path>] --hash <u32>',
  options: [
    { name: 'dev', value: true, valueName: '<ifname>', complete: 'ifname', description: 'the attached device the packet arrives on' },
    NETNS,
    { name: 'hash', value: true, valueName: '<u32>', description: "the flow's hash (skb->hash), decimal or 0x hex" },
  ],
  check(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const dev = optionValue(args, 'dev');
    if (dev === undefined) throw new UsageError('pick needs --dev <ifname>');
    ifnameArg(dev);
    const hash = optionValue(args, 'hash');
    if (hash === undefined) throw new UsageError('pick needs --hash <u32>');
    parseUint(hash, 'hash');
  },
  async run(ctx) {
    const netns = optionValue(ctx.args, 'netns');
    const p = await ctx.falcon.pick({
      ifname: optionValue(ctx.args, 'dev') as string,
      ...(netns !== undefined ? { netns } : {}),
      flowHash: parseUint(optionValue(ctx.args, 'hash') as string, 'hash'),
    });
    if (ctx.out.json) return printJson(ctx.out, pickJson(p));
    const cpu = (c: number | undefined): string => (c === undefined ? '-' : String(c));
    printPairs(ctx.out, [
      ['first', cpu(p.first)],
      ['second', cpu(p.second)],
      ['target', p.target === undefined ? 'in place' : String(p.target)],
      ['reason', `${p.reason}${REASON_NOTES[p.reason] ?? ''}`],
    ]);
  },
};
