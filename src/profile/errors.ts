// Why the kernel profiler could not run, as a FalconError (same code, errno
// and syscall contract as every SDK call) plus a machine-readable reason.
import { FalconError, FalconErrorCode } from '../api/errors';

/** What is missing or refused. */
export type ProfilerFailure =
  /** Not root: loading eBPF needs CAP_BPF and CAP_PERFMON (EPERM). */
  | 'not-root'
  /** The kernel has no BTF (/sys/kernel/btf/vmlinux), which CO-RE needs (EOPNOTSUPP). */
  | 'no-btf'
  /** libbpf or the falcon_bpf addon is missing (ENOENT). */
  | 'no-libbpf'
  /** The compiled programs (dist/bpf/*.o) are missing (ENOENT). */
  | 'no-object'
  /** The kernel refused the programs (EOPNOTSUPP, with libbpf's explanation). */
  | 'kernel-unsupported'
  /** Anything else. */
  | 'other';

/** The Debian packages the profiler needs, named in every "missing" message. */
export const PROFILER_PACKAGES = 'clang llvm libbpf-dev bpftool';

export class ProfilerError extends FalconError {
  readonly failure: ProfilerFailure;

  constructor(failure: ProfilerFailure, code: FalconErrorCode, message: string, cause?: unknown) {
    super({ code, message, syscall: 'profile', cause });
    this.failure = failure;
  }
}
