// The shape of one doctor check: what it reads (a host's facts, Falcon's
// attachments, a profile) and the findings it returns. One check a file
// under src/doctor/checks/.
import type { Profile } from '../profile/types';
import type { FindingId, Finding, HostFacts, SteeredDevice } from './types';

/** What the checks read. */
export interface CheckContext {
  readonly host: HostFacts;
  /** Falcon's attachments; undefined when falcon.ko is not loaded (or could not be asked). */
  readonly steered?: readonly SteeredDevice[];
  /** A short profile of the host; undefined when none was taken. */
  readonly profile?: Profile;
  /** Why no profile was taken (--no-profile, a recording, the profiler's error). */
  readonly noProfile?: string;
}

/** One check. */
export interface Check {
  /** Its name in the list of skipped checks. */
  readonly name: string;
  /** The finding ids it can report. */
  readonly ids: readonly FindingId[];
  /** Why it cannot run on this context, if it cannot (reported as skipped, never as a finding). */
  skip?(ctx: CheckContext): string | undefined;
  run(ctx: CheckContext): Finding[];
}
