// falconctl doctor: the pre-flight check of a host's overlay path
// (src/doctor, docs/doctor.md). It works without falcon.ko: the module is
// asked for its attachments only if it is there.
import * as fs from 'node:fs';
import { hasOption, stringOption, UsageError } from '../args/parse';
import { collect, diagnose, parseHost, systemReader } from '../doctor';
import type { Scope } from '../doctor';
import { parseRecording, recordingText } from '../doctor/recording';
import { reportJson, reportText } from '../doctor/render';
import type { Recording, SteeredDevice } from '../doctor/types';
import { MODULE_NOT_LOADED_MESSAGE } from '../index';
import type { HostCommand, HostCommandContext } from './command';
import { ExitStatus } from './config-file-commands';
import { failureOf } from './errors';
import { printJson } from './output';
import { profileHost } from '../profile';
import type { Profile } from '../profile/types';
import { profileDurationMs } from './profile-commands';

/** The exit status when doctor finds a problem of warning or error level. */
export const DOCTOR_FAILED = 3;

function scopeOf(ctx: { args: HostCommandContext['args'] }): Scope {
  const netns = stringOption(ctx.args, 'netns');
  if (netns !== undefined) return { kind: 'netns', name: netns };
  return hasOption(ctx.args, 'all-netns') ? { kind: 'all' } : { kind: 'own' };
}

/**
 * Falcon's attachments, or null when falcon.ko is not loaded. Any other
 * failure to ask (no addon, no permission) is an error: doctor would
 * otherwise pass a host it could not check.
 */
async function steeredDevices(ctx: HostCommandContext): Promise<SteeredDevice[] | null> {
  let falcon;
  try {
    falcon = await ctx.openFalcon();
  } catch (err) {
    const f = failureOf(err);
    if (f.code === 'ENOENT' && f.message.startsWith(MODULE_NOT_LOADED_MESSAGE)) return null;
    throw err;
  }
  return (await falcon.devices()).map((a) => (a.netns !== undefined ? { ifname: a.ifname, netns: a.netns } : { ifname: a.ifname }));
}

function readRecording(file: string): Recording {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${failureOf(err).code}`);
  }
  return parseRecording(text, file === '-' ? '<stdin>' : file);
}

/** The short profile single-cpu-bound reads, or why there is none. */
async function takeProfile(ctx: HostCommandContext): Promise<{ profile: Profile } | { noProfile: string }> {
  if (hasOption(ctx.args, 'no-profile')) return { noProfile: '--no-profile' };
  const options = { durationMs: profileDurationMs(ctx.args), topFlows: 10 };
  try {
    return { profile: ctx.mock ? await (await ctx.openFalcon()).profile(options) : await profileHost(options) };
  } catch (err) {
    return { noProfile: `no profile: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export const doctor: HostCommand = {
  name: 'doctor',
  needsFalcon: false,
  summary: "check a host's overlay path for what slows it (works without falcon.ko)",
  usage: 'doctor [--netns <name> | --all-netns] [--save-facts <file>] | doctor --facts <file|->',
  help: [
    'Checks the overlay path of the namespace falconctl runs in (or --netns, or every one with',
    '--all-netns): overlay MTU against the underlay, VXLAN checksum offload on kernels where it is',
    'known to fail (Calico issues 3145, 11435), outer UDP checksums off, rx-udp-gro-forwarding and',
    'GRO off on the veth carrying the tunnel, RPS on devices Falcon steers (when falcon.ko is',
    'loaded), all of a NIC\'s IRQs on one CPU. One line per finding: severity, device, id, what,',
    '[evidence], and the command that fixes it; -j prints {"ok", "kernel", "namespaces",',
    '"findings": [{"id", "severity", "netns", "device", "what", "evidence", "fix"}], "skipped"}.',
    'Ids: mtu-overlay-too-large, vxlan-csum-offload-bug, vxlan-udp-csum-off, udp-gro-forwarding-off,',
    'veth-gro-off, rps-double-steering, irq-single-cpu, single-cpu-bound. Exit status: 0 no finding',
    'of warning or error level (info findings may remain), 3 some, 2 the host could not be read',
    '(not root for --netns, ip or ethtool missing, no such namespace), 1 usage. docs/doctor.md.',
  ].join('\n'),
  options: [
    {
      name: 'netns', value: true, valueName: '<name>', complete: 'netns',
      description: 'check this network namespace (an "ip netns" name: the testbed\'s hosts are h1 and h2)',
    },
    { name: 'all-netns', value: false, description: "check falconctl's own namespace and every \"ip netns\" one" },
    {
      name: 'save-facts', value: true, valueName: '<file>', complete: 'file',
      description: 'also write what was read (devices, features, sysfs, /proc, attachments) to <file>, for --facts',
    },
    {
      name: 'facts', value: true, valueName: '<file|->', complete: 'file',
      description: 'check the host recorded in <file> (by --save-facts) instead of this one',
    },
    { name: 'no-profile', value: false, description: 'skip the short eBPF profile (the single-cpu-bound check)' },
    {
      name: 'duration', value: true, valueName: '<seconds>',
      description: 'how long the profile for single-cpu-bound measures (default 1; the mock\'s under --mock)',
    },
  ],
  check(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0] as string}"`);
    const netns = stringOption(args, 'netns');
    if (netns !== undefined && hasOption(args, 'all-netns')) throw new UsageError('--netns and --all-netns exclude each other');
    if (netns !== undefined && (netns === '' || netns.includes('/'))) {
      throw new UsageError(`--netns takes an "ip netns" name (doctor reads the namespace's sysfs through ip netns exec), got "${netns}"`);
    }
    profileDurationMs(args);
    if (hasOption(args, 'facts') && (netns !== undefined || hasOption(args, 'all-netns') || hasOption(args, 'save-facts'))) {
      throw new UsageError('--facts checks a recorded host: it takes no --netns, --all-netns or --save-facts');
    }
  },
  async run(ctx) {
    const factsFile = stringOption(ctx.args, 'facts');
    const recording: Recording = factsFile !== undefined
      ? readRecording(factsFile)
      : { host: await collect(systemReader(), scopeOf(ctx)), steered: await steeredDevices(ctx) };
    const saveFile = stringOption(ctx.args, 'save-facts');
    if (saveFile !== undefined) {
      try {
        fs.writeFileSync(saveFile, recordingText(recording));
      } catch (err) {
        throw Object.assign(new Error(`cannot write ${saveFile}: ${failureOf(err).code}`), { code: failureOf(err).code });
      }
    }
    const profiled = factsFile !== undefined ? { noProfile: 'checking a recording' } : await takeProfile(ctx);
    const report = diagnose({
      host: parseHost(recording.host),
      ...(recording.steered !== null ? { steered: recording.steered } : {}),
      ...profiled,
    });
    if (ctx.out.json) printJson(ctx.out, reportJson(report));
    else ctx.out.write(reportText(report, ctx.out.colour));
    if (!report.ok) throw new ExitStatus(DOCTOR_FAILED, `doctor found ${report.findings.filter((f) => f.severity !== 'info').length} problem(s)`);
  },
};
