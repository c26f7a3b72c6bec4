// The Falcon SDK: openFalcon() and everything its callers need by name.
import { FalconError } from './api/errors';
import type { Falcon } from './api/types';
import { FalconClient } from './client/falcon-client';
import { createMockTransport } from './mock';
import type { MockControls, MockOptions } from './mock';
import { FAMILY_NAME, OPERATIONS } from './protocol/generated';
import { NativeGenlTransport } from './transport/native';

/** Which backend openFalcon uses; 'auto' takes the kernel when the module is loaded, else the mock. */
export type BackendChoice = 'kernel' | 'mock' | 'auto';

/** openFalcon's options: the backend, plus the mock host's description (used only by the mock). */
export interface OpenOptions extends MockOptions {
  /** Default 'kernel': the SDK never falls back to the mock unless asked to. */
  backend?: BackendChoice;
  /**
   * Kernel backend: send the read requests (get-config, get-device,
   * get-stats, pick) on the event-loop thread. Round trips get much faster
   * (no thread hand-off), but the loop then waits while the kernel serves
   * them, which includes waiting for RTNL. Default false: never block.
   */
  inlineReads?: boolean;
}

/** A Falcon instance; on the mock backend, `mock` drives the simulated host. */
export interface FalconInstance extends Falcon {
  /** Traffic, loads, hotplug and devices of the mock host (mock backend only). */
  readonly mock?: MockControls;
}

/** A Falcon instance on the mock backend. */
export interface MockFalcon extends FalconInstance {
  readonly backend: 'mock';
  readonly mock: MockControls;
}

/** The message when the falcon family is not registered. */
export const MODULE_NOT_LOADED_MESSAGE = 'Falcon kernel module is not loaded (modprobe/insmod falcon.ko)';

class KernelFalcon extends FalconClient implements FalconInstance {}

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

async function openKernel(inlineReads: boolean): Promise<KernelFalcon> {
  let transport: NativeGenlTransport;
  try {
    transport = await NativeGenlTransport.open(FAMILY_NAME, inlineReads ? READ_COMMANDS : new Set());
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new FalconError({ code: 'ENOENT', message: MODULE_NOT_LOADED_MESSAGE, syscall: 'open' });
    if (code === 'MODULE_NOT_FOUND' || /falcon_genl|bindings/.test(String((error as Error).message))) {
      throw new FalconError({
        code: 'ENOENT',
        message: `the native addon is not built (npm run build:native): ${(error as Error).message}`,
        syscall: 'open',
      });
    }
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
      throw new FalconError({ code, message: (error as Error).message, syscall: 'open' });
    }
    throw error;
  }
  return new KernelFalcon(transport, 'kernel');
}

function openMock(options: MockOptions): MockBackedFalcon {
  const transport = createMockTransport(options);
  return new MockBackedFalcon(transport, transport.model);
}

/**
 * Opens Falcon. 'kernel' talks to falcon.ko over Generic Netlink and fails
 * with ENOENT when the module is not loaded; 'mock' opens the TypeScript
 * model described by the mock options; 'auto' takes the kernel when it can
 * be opened, else the mock. The result's `backend` says which answered.
 */
export function openFalcon(options: OpenOptions & { backend: 'mock' }): Promise<MockFalcon>;
export function openFalcon(options?: OpenOptions): Promise<FalconInstance>;
export async function openFalcon(options: OpenOptions = {}): Promise<FalconInstance> {
  const { backend = 'kernel', inlineReads = false, ...mockOptions } = options;
  switch (backend) {
    case 'kernel':
      return openKernel(inlineReads);
    case 'mock':
      return openMock(mockOptions);
    case 'auto':
      try {
        return await openKernel(inlineReads);
      } catch {
        return openMock(mockOptions);
      }
    default:
      throw new FalconError({ code: 'EINVAL', message: `unknown backend "${String(backend)}"`, syscall: 'open' });
  }
}

export { FalconError, errnoOf, codeOf } from './api/errors';
export * from './api/types';
export { parseCpuList, formatCpuList, toCpuArray, cpusToBitmap, bitmapToCpus } from './api/cpuset';
export { FalconClient, DUMP_RETRIES } from './client/falcon-client';
export { GenlSocket, NativeGenlTransport } from './transport/native';
export type { NativeRequestOptions } from './transport/native';
export type { FamilyInfo, McastGroup, FamilyOp } from './transport/nlctrl';
export type { GenlTransport, GenlReplies, RequestOptions, NetlinkErrorInfo } from './transport/types';
export { NetlinkRequestError } from './transport/types';
export { createMockTransport, MockModel, DEFAULT_TOPOLOGY } from './mock';
export type { MockOptions, MockControls, InjectOptions, InjectResult, MockTransport } from './mock';
