/**
 * falcon-testbed's programmatic API (`falcon-overlay/testbed`).
 *
 * ```ts
 * import { runInVm } from 'falcon-overlay/testbed';
 * const r = await runInVm({ command: ['sh', '-c', 'falcon-topology up overlay'], timeoutS: 300 });
 * // r.exitCode (the command's, or 3 on a kernel splat), r.splats, r.log
 * ```
 *
 * @module falcon-overlay/testbed
 */
export { runInVm, preflight, RunOptions, RunResult, GUEST_SETUP_FAILED } from './vm';
export { findSplats, matchSplatLine, Splat, SPLAT_PATTERNS } from './splat';
export { discoverKernel, KernelInfo } from './kernel';
export { ensureInitramfs, BOOT_MODULES } from './initramfs';
export { TestbedError, ExitCode } from './errors';
export { projectRoot } from './project';
// Types the options above refer to, so that users can name them.
export type { Accel, TcgThreads } from './qemu';
export type { KernelRoots } from './kernel';
export type { InitramfsOptions } from './initramfs';
