import * as fs from 'fs';
import * as path from 'path';
import { SETUP_HINT, TestbedError } from './errors';

export type Accel = 'tcg' | 'kvm';

export const QEMU_BINARY = 'qemu-system-x86_64';

/** Finds an executable on PATH (no shell involved). */
export function which(cmd: string, envPath: string = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of envPath.split(':')) {
    if (dir === '') continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The QEMU and setpriv executables, or a clear error naming the setup command. */
export function findQemu(): { qemu: string; setpriv: string } {
  const qemu = which(QEMU_BINARY);
  if (qemu === undefined) throw new TestbedError(`${QEMU_BINARY} not found (package qemu-system-x86); ${SETUP_HINT}`);
  const setpriv = which('setpriv');
  if (setpriv === undefined) throw new TestbedError(`setpriv not found (package util-linux); ${SETUP_HINT}`);
  return { qemu, setpriv };
}

/** KVM usable by this process? (Only a first check: see the boot watchdog in vm.ts.) */
export function kvmAvailable(dev = '/dev/kvm'): boolean {
  try {
    fs.accessSync(dev, fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export interface QemuConfig {
  accel: Accel;
  cpus: number;
  memoryMb: number;
  vmlinuz: string;
  initramfs: string;
  cmdline: string;
  /** Host dir shared writable as mount tag `results`. */
  resultsDir: string | undefined;
  /** Interactive console: stdin goes to the guest, Ctrl-A X quits. */
  interactive: boolean;
  /** TCG only: one host thread per vCPU ('multi') or one for all ('single'). */
  tcgThreads: TcgThreads;
}

/**
 * 'multi' (MTTCG, QEMU's default) runs vCPUs in parallel: needed to measure
 * anything. 'single' interleaves them on one host thread: QEMU 7.2's MTTCG
 * can leave vCPUs trapping on a kernel text patch (a static key flipped
 * under traffic, e.g. the first netfilter/tc ingress hook of a device)
 * for minutes, reproduced without Falcon; single-threaded TCG does not.
 */
export type TcgThreads = 'multi' | 'single';

/**
 * The kernel command line. Stall detectors are raised (never disabled) under
 * TCG or when vCPUs outnumber host cores: starved vCPUs otherwise report
 * false RCU stalls and soft lockups.
 */
export function kernelCmdline(opts: { runDir: string; nonce: string; raiseStallTimeouts: boolean; extra?: readonly string[] }): string {
  const args = [
    'console=ttyS0',
    // Warnings and worse reach the console live (the splat detector reads it);
    // info/notice stay in dmesg.
    'loglevel=5',
    'printk.time=1',
    'panic=-1',
    'no_timer_check',
    'mitigations=off',
    `falcon_testbed.run=${opts.runDir}`,
    `falcon_testbed.nonce=${opts.nonce}`,
  ];
  if (opts.raiseStallTimeouts) args.push('rcupdate.rcu_cpu_stall_timeout=60', 'watchdog_thresh=60');
  // The caller's last: the kernel takes the last of a repeated option.
  args.push(...(opts.extra ?? []));
  return args.join(' ');
}

/** QEMU's argument vector for one boot. */
export function qemuArgs(c: QemuConfig): string[] {
  const args = [
    '-nodefaults',
    '-no-user-config',
    '-display', 'none',
    '-no-reboot',
    '-accel', c.accel === 'tcg' ? `tcg,thread=${c.tcgThreads}` : c.accel,
    '-cpu', c.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(c.cpus),
    '-m', String(c.memoryMb),
    '-kernel', c.vmlinuz,
    '-initrd', c.initramfs,
    '-append', c.cmdline,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
  ];
  if (c.resultsDir !== undefined) {
    args.push('-virtfs', `local,path=${c.resultsDir},mount_tag=results,security_model=none,multidevs=remap`);
  }
  if (c.interactive) {
    args.push('-chardev', 'stdio,id=con,mux=on,signal=off', '-serial', 'chardev:con', '-mon', 'chardev=con,mode=readline');
  } else {
    args.push('-chardev', 'stdio,id=con,signal=off', '-serial', 'chardev:con', '-monitor', 'none');
  }
  return args;
}
