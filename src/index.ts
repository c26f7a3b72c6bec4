/**
 * The Falcon SDK: `openFalcon()` and everything its callers need by name.
 * `import { openFalcon } from 'falcon-overlay'` (CommonJS: `require`).
 *
 * @module falcon-overlay
 */
import { FalconError, isFalconErrorCode } from './api/errors';
import type { Falcon } from './api/types';
import { FalconClient } from './client/falcon-client';
import { createMockTransport } from './mock';
import type { MockControls, MockOptions } from './mock';
import { FAMILY_NAME, OPERATIONS } from './protocol/generated';
import type { FamilyInfo } from './transport/nlctrl';
import { AddonLoadError } from './transport/addon';
import { GenlSocket, NativeGenlTransport } from './transport/native';

/** Which backend openFalcon uses; 'auto' takes the kernel when the module is loaded, else the mock. */
export type BackendChoice = 'kernel' | 'mock' | 'auto';

/** Every mock-only field, forbidden: the kernel has no simulated host to describe. */
type NoMockOptions = { readonly [K in keyof MockOptions]?: never };

/** Options of the kernel backend (the default): no mock-only fields. */
export interface KernelOpenOptions extends NoMockOptions {
  /** Default 'kernel': the SDK never falls back to the mock unless asked to. */
  readonly backend?: 'kernel';
  /**
   * Send the read requests (get-config, get-device, get-stats, pick) on the
   * event-loop thread. Round trips get much faster (no thread hand-off), but
   * the loop then waits while the kernel serves them, which includes waiting
   * for RTNL. Default false: never block.
   */
  readonly inlineReads?: boolean;
}

/** Options of the mock backend: the simulated host (every field has a default). */
export interface MockOpenOptions extends MockOptions {
  readonly backend: 'mock';
  /** Kernel-only. */
  readonly inlineReads?: never;
}

/**
 * Options of 'auto': the kernel's, plus the mock host to fall back to. The
 * fallback happens only when the falcon family is not registered (the
 * module is not loaded); any other failure rejects, as 'kernel' would.
 */
export interface AutoOpenOptions extends NoMockOptions {
  readonly backend: 'auto';
  /** As KernelOpenOptions.inlineReads. */
  readonly inlineReads?: boolean;
  /** The mock host used when falling back (default: MockOptions' defaults). */
  readonly fallback?: MockOptions;
  /**
   * Called once when 'auto' falls back to the mock, with the kernel's
   * ENOENT. Default: one line on stderr, so a fallback is never silent; pass
   * a function of your own to log it elsewhere or not at all.
   */
  readonly onFallback?: (reason: FalconError) => void;
}

/** openFalcon's options, by backend. */
export type OpenOptions = KernelOpenOptions | MockOpenOptions | AutoOpenOptions;

/** A Falcon instance on the kernel backend. */
export interface KernelFalcon extends Falcon {
  readonly backend: 'kernel';
  /** Only the mock has controls. */
  readonly mock?: undefined;
}

/** A Falcon instance on the mock backend; `mock` drives the simulated host. */
export interface MockFalcon extends Falcon {
  readonly backend: 'mock';
  /** Traffic, loads, hotplug and devices of the mock host. */
  readonly mock: MockControls;
}

/** A Falcon instance of either backend: `backend` tells which (and narrows to it). */
export type FalconInstance = KernelFalcon | MockFalcon;

/** The message when the falcon family is not registered. */
export const MODULE_NOT_LOADED_MESSAGE = 'Falcon kernel module is not loaded (modprobe/insmod falcon.ko)';

class KernelBackedFalcon extends FalconClient implements KernelFalcon {
  override readonly backend = 'kernel' as const;
  constructor(transport: NativeGenlTransport) {
    super(transport, 'kernel');
  }
}

class MockBackedFalcon extends FalconClient implements MockFalcon {
  override readonly backend = 'mock' as const;
  constructor(
    transport: ReturnType<typeof createMockTransport>,
    readonly mock: MockControls,
  ) {
    super(transport, 'mock');
  }
}

// Commands without GENL_ADMIN_PERM are the module's reads.
const READ_COMMANDS: ReadonlySet<number> = new Set(
  Object.values(OPERATIONS)
    .filter((op) => !op.admin)
    .map((op) => op.id),
);

/** Why the kernel backend did not open: `absent` only when the family lookup said ENOENT. */
class KernelOpenFailure {
  constructor(
    readonly error: FalconError,
    readonly absent: boolean,
  ) {}
}

function openError(error: unknown): FalconError {
  if (error instanceof FalconError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AddonLoadError) return new FalconError({ code: 'ENOENT', message, syscall: 'open', cause: error });
  if (typeof code === 'string' && isFalconErrorCode(code)) return new FalconError({ code, message, syscall: 'open', cause: error });
  return new FalconError({ code: 'EIO', message: typeof code === 'string' ? `${message} (${code})` : message, syscall: 'open', cause: error });
}

/**
 * Opens the kernel backend or explains why not. The addon and the socket
 * come first (a failure there is never "absent"), then the family lookup.
 */
async function openKernel(inlineReads: boolean): Promise<KernelBackedFalcon> {
  let socket: GenlSocket;
  try {
    socket = GenlSocket.open();
  } catch (error) {
    throw new KernelOpenFailure(openError(error), false);
  }
  let family: FamilyInfo;
  try {
    family = await socket.resolveFamily(FAMILY_NAME);
  } catch (error) {
    socket.close();
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new KernelOpenFailure(new FalconError({ code: 'ENOENT', message: MODULE_NOT_LOADED_MESSAGE, syscall: 'open', cause: error }), true);
    }
    throw new KernelOpenFailure(openError(error), false);
  }
  return new KernelBackedFalcon(new NativeGenlTransport(socket, family, inlineReads ? READ_COMMANDS : new Set()));
}

function openMock(options: MockOptions): MockBackedFalcon {
  const transport = createMockTransport(options);
  return new MockBackedFalcon(transport, transport.model);
}

/** The default onFallback: one line on stderr. */
function reportFallback(reason: FalconError): void {
  process.stderr.write(`falcon: ${reason.message}; backend 'auto' is using the mock instead\n`);
}

async function unwrap<T>(open: Promise<T>): Promise<T> {
  try {
    return await open;
  } catch (error) {
    throw error instanceof KernelOpenFailure ? error.error : error;
  }
}

/**
 * Opens Falcon. 'kernel' (the default) talks to falcon.ko over Generic
 * Netlink and fails with ENOENT when the module is not loaded; 'mock' opens
 * the TypeScript model described by the mock options; 'auto' takes the
 * kernel, and the mock only when the module is not loaded, telling
 * onFallback so (any other failure, such as EPERM or a missing addon,
 * rejects). The result's `backend` says which answered.
 */
export function openFalcon(options: MockOpenOptions): Promise<MockFalcon>;
export function openFalcon(options?: KernelOpenOptions): Promise<KernelFalcon>;
export function openFalcon(options: OpenOptions): Promise<FalconInstance>;
export async function openFalcon(options: OpenOptions = {}): Promise<FalconInstance> {
  const backend: unknown = options.backend ?? 'kernel';
  switch (backend) {
    case 'kernel':
      return unwrap(openKernel((options as KernelOpenOptions).inlineReads === true));
    case 'mock': {
      const { backend: _backend, inlineReads: _inline, ...mockOptions } = options as MockOpenOptions;
      return openMock(mockOptions);
    }
    case 'auto': {
      const auto = options as AutoOpenOptions;
      try {
        return await openKernel(auto.inlineReads === true);
      } catch (error) {
        if (!(error instanceof KernelOpenFailure)) throw error;
        if (!error.absent) throw error.error;
        const falcon = openMock(auto.fallback ?? {});
        (auto.onFallback ?? reportFallback)(error.error);
        return falcon;
      }
    }
    default:
      throw new FalconError({ code: 'EINVAL', message: `unknown backend "${String(backend)}"`, syscall: 'open' });
  }
}

export {
  FalconError,
  errnoOf,
  codeOf,
  isFalconErrorCode,
  FALCON_ERROR_CODES,
  NETLINK_ERROR_CODES,
  NETNS_ERROR_CODES,
  SDK_ERROR_CODES,
  HANDLE_CLOSED_MESSAGE,
  CLOSED_WHILE_PENDING_MESSAGE,
  ABORTED_MESSAGE,
} from './api/errors';
export type { FalconErrorCode } from './api/errors';
export { PROTOCOL_ERROR_CODES } from './protocol/generated';
export type { ProtocolErrorCode } from './protocol/generated';
export * from './api/types';
export { parseCpuList, formatCpuList, toCpuArray, cpusToBitmap, bitmapToCpus } from './api/cpuset';
export { FalconClient, DUMP_RETRIES } from './client/falcon-client';
export { ratesBetween, DEFAULT_WATCH_INTERVAL_MS } from './client/watch';
export { EVENT_QUEUE_LIMIT } from './client/events';
export { GenlSocket, NativeGenlTransport } from './transport/native';
export { AddonLoadError } from './transport/addon';
export type { NativeRequestOptions } from './transport/native';
export type { FamilyInfo, McastGroup, FamilyOp } from './transport/nlctrl';
export type { GenlTransport, GenlReplies, GenlSubscription, NotificationSink, RequestOptions, NetlinkErrorInfo } from './transport/types';
export { NetlinkRequestError } from './transport/types';
export { createMockTransport, MockModel, DEFAULT_TOPOLOGY } from './mock';
export type { MockOptions, MockControls, InjectOptions, InjectResult, MockTransport } from './mock';
export {
  profileHost, watchHostProfiles, KernelProfiler, ProfilerError, PROFILER_PACKAGES, mockProfile, watchMockProfiles, DEFAULT_MOCK_COSTS,
  DEFAULT_FLOW_SAMPLING, DEFAULT_TIME_SAMPLING,
} from './profile';
export type {
  Profile, ProfileOptions, WatchProfileOptions, CpuProfile, StageProfile, QueueWaitProfile, HistogramBucket, FlowProfile, FlowStageProfile,
  ProfilerFailure, MockCostModel, RawSnapshot, CpuCounters, FlowEntry, FlowTuple, FlowCounters, DevKey, StageCounters,
} from './profile';
export type { MockFlow } from './mock/profile-ledger';
